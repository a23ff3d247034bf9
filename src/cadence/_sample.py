"""A small, deterministic sample book for ``cadence demo`` and the docs: prospects in several
zones and jurisdictions, worked by three reps, each with a short history that puts it at a
different point of the cadence (new, a promised call, a rep-cancelled meeting, a long silence…).

Pure: every instant is derived from the ``now`` the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from cadence import events as ev
from cadence.engine import Engine
from cadence.prospect import Prospect

__all__ = ["OWNERS", "PLACES", "STORIES", "sample_book"]

OWNERS = ("ana", "ben", "chloe")
#: (zone, country, subdivision, a city for the id)
PLACES = (
    ("America/Chicago", "US", "IL", "chicago"),
    ("America/New_York", "US", "NY", "nyc"),
    ("America/Los_Angeles", "US", "CA", "la"),
    ("America/New_York", "US", "FL", "miami"),
    ("Europe/Paris", "FR", None, "paris"),
    ("America/Toronto", "CA", "ON", "toronto"),
)

_Story = Callable[[datetime], list[ev.Event]]
_DAY = timedelta(days=1)


def _new(now: datetime) -> list[ev.Event]:
    return []  # enrolled this morning: call at once (R2)


def _promised(now: datetime) -> list[ev.Event]:
    at = now - 3 * _DAY
    agreed = now + timedelta(hours=5)  # midday in the Americas, evening in Paris
    return [ev.CallAttempted(at=at, outcome="connected", next_contact_at=agreed, permission=True)]


def _rep_cancelled(now: datetime) -> list[ev.Event]:
    booked = now - 6 * _DAY
    return [
        ev.MeetingBooked(at=booked, meeting_id="m1", starts_at=now + 2 * _DAY),
        ev.MeetingCancelled(at=now - timedelta(hours=2), meeting_id="m1", by="rep"),
    ]


def _prospect_cancelled(now: datetime) -> list[ev.Event]:
    booked = now - 8 * _DAY
    return [
        ev.MeetingBooked(at=booked, meeting_id="m1", starts_at=now + _DAY),
        ev.MeetingCancelled(at=now - timedelta(hours=15), meeting_id="m1", by="prospect"),
    ]


def _voicemail_last_week(now: datetime) -> list[ev.Event]:
    at = now - 7 * _DAY
    return [
        ev.CallAttempted(at=at, outcome="voicemail"),
        ev.EmailSent(at=at + timedelta(minutes=10)),
    ]


def _long_silence(now: datetime) -> list[ev.Event]:
    out: list[ev.Event] = []
    for weeks in (4, 3, 2):
        at = now - weeks * 7 * _DAY
        out += [ev.CallAttempted(at=at, outcome="voicemail"), ev.EmailSent(at=at + _DAY / 24)]
    return out


def _not_now(now: datetime) -> list[ev.Event]:
    return [ev.EmailReplied(at=now - 2 * _DAY, intent="not_now", resume_at=now + 30 * _DAY)]


def _opted_out(now: datetime) -> list[ev.Event]:
    return [ev.OptedOut(at=now - 4 * _DAY)]


def _lost_to_drip(now: datetime) -> list[ev.Event]:
    talked = now - 70 * _DAY
    return [
        ev.CallAttempted(at=talked, outcome="connected", permission=True),
        ev.DealClosed(at=now - 31 * _DAY, won=False),
    ]


#: Each story gives the events of a prospect's history, relative to ``now``.
STORIES: tuple[tuple[str, _Story], ...] = (
    ("new", _new),
    ("promised a call", _promised),
    ("rep cancelled", _rep_cancelled),
    ("prospect cancelled", _prospect_cancelled),
    ("voicemail last week", _voicemail_last_week),
    ("long silence", _long_silence),
    ("not now", _not_now),
    ("opted out", _opted_out),
    ("lost, drip", _lost_to_drip),
)


def sample_book(engine: Engine, *, now: datetime, size: int = 54) -> list[Prospect]:
    """``size`` prospects, cycling through the places, owners and stories (deterministic).

    Ids read like ``ana-chicago-00``; histories start at most 10 weeks before ``now``.
    """
    book: list[Prospect] = []
    for i in range(size):
        zone, country, subdivision, city = PLACES[i % len(PLACES)]
        owner = OWNERS[i % len(OWNERS)]
        _, story = STORIES[(i // len(PLACES) + i) % len(STORIES)]
        pid = f"{owner}-{city}-{i:02d}"
        history = story(now)
        start = min([e.at for e in history], default=now - timedelta(hours=1))
        p = engine.enroll(
            pid,
            timezone=zone,
            at=start - timedelta(minutes=1) if history else start,
            country=country,
            subdivision=subdivision,
            owner=owner,
            phone=f"+1555{i:07d}",
            email=f"{pid}@example.com",
            topic="the payroll migration",
        )
        for n, event in enumerate(history):
            given = {**event.__dict__, "id": f"{pid}-e{n}"}  # (validated: a copy is checked again)
            p = engine.apply(p, type(event).model_validate(given))
        book.append(p)
    return book
