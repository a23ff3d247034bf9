"""A CRM backed by a real database, with cadence embedded: SQLAlchemy on SQLite.

- ``prospects``: one row per contact, the CRM's own columns (owner, phone, email, kept equal to
  cadence's), cadence's state in a JSON column, and the facts the contact was enrolled with (a
  replay starts from them);
- ``events``: every event received, so that a late delivery can be folded in by replaying the
  whole history (DESIGN §9);
- ``handle_webhook``: what a webhook endpoint does with a POSTed event: parse it with
  ``cadence.parse_event``, apply it, store the new state, and answer with an HTTP-style status
  (duplicates are no-ops, late events trigger a replay, bad payloads are 422s, conflicting ids
  409s); a change to the contact record (a new email after a bounce, a reassigned owner) is
  one more event, ``contact_updated``;
- ``todays_work``: the day's plan for every rep, streamed from the table through
  ``cadence.batch.plan_day``.

Run it with ``python examples/crm_sqlite.py [DATABASE_URL]`` (default: a fresh SQLite file in a
temporary directory); needs the ``examples`` extra (SQLAlchemy). The test suite runs it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, String, create_engine, select
from sqlalchemy.engine import Engine as Database
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

import cadence
from cadence.batch import DayPlan, plan_day


class Base(DeclarativeBase):
    pass


class ProspectRow(Base):
    """The CRM's contact record; ``state`` is cadence's, stored as it dumps it."""

    __tablename__ = "prospects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str]
    owner: Mapped[str]
    phone: Mapped[str | None]
    email: Mapped[str | None]
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    enrolment: Mapped[dict[str, Any]] = mapped_column(JSON)
    """What ``Engine.enroll`` was given: ``replay`` starts there, before any later change."""


class EventRow(Base):
    """Every event received for a prospect, in the JSON the webhook sent (for replays)."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    prospect_id: Mapped[str] = mapped_column(ForeignKey("prospects.id"), index=True)
    event_id: Mapped[str | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


@dataclass(frozen=True)
class Response:
    """What the webhook endpoint answers."""

    status: int
    message: str


@dataclass(frozen=True)
class Contact:
    """A contact as the CRM's import form has it."""

    id: str
    name: str
    timezone: str
    country: str
    subdivision: str | None
    owner: str
    phone: str
    email: str


ENGINE = cadence.Engine(cadence.Policy())


def load(row: ProspectRow) -> cadence.Prospect:
    """The stored state. (The CRM changes owner, phone or email with a ``contact_updated``
    event, never by editing the state: a new address must reopen a channel that bounced.)"""
    return cadence.Prospect.model_validate(row.state)


def store(row: ProspectRow, p: cadence.Prospect) -> None:
    """The new state, and the CRM's own columns as the state has them."""
    row.state = json.loads(p.model_dump_json())
    row.owner, row.phone, row.email = p.owner or "", p.phone, p.email


def enroll(db: sessionmaker[Session], contact: Contact, *, at: datetime) -> None:
    """Add a contact to the CRM and start its cadence."""
    facts: dict[str, Any] = {
        "timezone": contact.timezone,
        "country": contact.country,
        "subdivision": contact.subdivision,
        "owner": contact.owner,
        "phone": contact.phone,
        "email": contact.email,
    }
    p = ENGINE.enroll(contact.id, at=at, **facts)
    with db.begin() as session:
        row = ProspectRow(
            id=contact.id,
            name=contact.name,
            owner=contact.owner,
            phone=contact.phone,
            email=contact.email,
            state={},
            enrolment={**facts, "at": at.isoformat()},
        )
        store(row, p)
        session.add(row)


def handle_webhook(db: sessionmaker[Session], prospect_id: str, body: str | bytes) -> Response:
    """Apply one webhook delivery, in one transaction; the answer says what happened."""
    try:
        event = cadence.parse_event(body)
    except ValueError as exc:  # malformed JSON, unknown type, naive time: the sender's fault
        return Response(422, str(exc))
    with db.begin() as session:
        row = session.execute(
            select(ProspectRow).where(ProspectRow.id == prospect_id).with_for_update()
        ).scalar_one_or_none()  # FOR UPDATE: two deliveries for one prospect apply in turn
        if row is None:
            return Response(404, f"no prospect {prospect_id!r}")
        before = load(row)
        try:
            after = ENGINE.apply(before, event)
        except cadence.LateEventError:
            after = _replay(session, row, event)
            status = Response(200, f"{event.type} arrived late: history replayed")
        except cadence.ConflictingEventError as exc:
            return Response(409, str(exc))
        except cadence.InvalidInputError as exc:
            return Response(422, str(exc))
        else:
            if after is before:  # the engine returns the same value for a duplicate id
                return Response(200, f"duplicate {event.id!r}: nothing changed")
            status = Response(200, f"{event.type} applied: now {after.stage.value}")
        session.add(EventRow(prospect_id=row.id, event_id=event.id, payload=_json(event)))
        store(row, after)
    return status


def _json(event: cadence.Event) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(event.model_dump_json())
    return result


def _replay(session: Session, row: ProspectRow, late: cadence.Event) -> cadence.Prospect:
    """Fold the whole history again, the late event in its place (DESIGN §9)."""
    history = [
        e.payload for e in session.scalars(select(EventRow).where(EventRow.prospect_id == row.id))
    ]
    # From the facts the contact was enrolled with, not the current ones: the history's
    # contact_updated events change them at their own moment (a move, say).
    facts = dict(row.enrolment)
    at = datetime.fromisoformat(facts.pop("at"))
    return ENGINE.replay(row.id, [*history, _json(late)], at=at, **facts)


def _book(db: sessionmaker[Session]) -> Iterator[cadence.Prospect]:
    """Every prospect, streamed from the table in batches (memory stays flat for big books)."""
    with db() as session:
        for row in session.scalars(
            select(ProspectRow).order_by(ProspectRow.id).execution_options(yield_per=500)
        ):
            yield load(row)


def todays_work(
    db: sessionmaker[Session],
    *,
    day: date,
    now: datetime,
    capacity: int,
    suppressions: frozenset[str],
) -> DayPlan:
    """The day's plan for every rep: the batch planner over the whole table."""
    return plan_day(
        ENGINE, _book(db), day=day, now=now, capacity=capacity, suppressions=suppressions
    )


def open_database(url: str) -> sessionmaker[Session]:
    database: Database = create_engine(url)
    Base.metadata.create_all(database)
    return sessionmaker(database)


CONTACTS = (
    Contact("acme-1", "Dana Reyes", "America/Chicago", "US", "IL", "ana", "+15551", "dana@a.test"),
    Contact("acme-2", "Lee Park", "America/New_York", "US", "NY", "ana", "+15552", "lee@a.test"),
    Contact("acme-3", "Zoé Martin", "Europe/Paris", "FR", None, "ben", "+33553", "zoe@a.test"),
    Contact("acme-4", "Kim Tran", "America/Los_Angeles", "US", "CA", "ben", "+15554", "kim@a.test"),
    Contact("acme-5", "Sam Ode", "America/Toronto", "CA", "ON", "ben", "+15555", "sam@a.test"),
    Contact("acme-6", "Ray Diaz", "America/New_York", "US", "FL", "ana", "+15556", "ray@a.test"),
)


def main(url: str) -> dict[str, Any]:
    """Seed a CRM, deliver a morning's webhooks (some twice, some late, some broken), then ask
    for tomorrow's work. Returns what happened, for the test that runs this example."""
    db = open_database(url)
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
    for contact in CONTACTS:
        enroll(db, contact, at=monday - timedelta(days=1))

    def hook(pid: str, payload: dict[str, Any] | str) -> Response:
        body = payload if isinstance(payload, str) else json.dumps(payload)
        answer = handle_webhook(db, pid, body)
        print(f"POST /prospects/{pid}/events -> {answer.status} {answer.message}")
        return answer

    def at(hours: float = 0) -> str:
        return (monday + timedelta(hours=hours)).isoformat()

    voicemail = {"type": "call_attempted", "at": at(), "outcome": "voicemail", "id": "dialer-1"}
    talked = {"type": "call_attempted", "at": at(1), "outcome": "connected", "id": "dialer-2"}
    agreed = {"next_contact_at": "2026-03-10T10:30:00-04:00", "permission": True}
    answers = [
        hook("acme-1", voicemail),
        hook("acme-1", voicemail),  # the dialer retried: a duplicate
        hook("acme-1", {**voicemail, "outcome": "connected"}),  # same id, another payload
        hook("acme-2", {"type": "email_sent", "at": at(2), "id": "mail-1"}),
        # written before our email went out, delivered after it: late, so the history is replayed
        hook(
            "acme-2", {"type": "email_replied", "at": at(1), "intent": "positive", "id": "mail-2"}
        ),
        hook("acme-3", {"type": "opted_out", "at": at(), "id": "form-7"}),
        hook("acme-4", {"type": "email_sent", "at": "2026-03-09T09:00:00"}),  # no UTC offset
        hook("acme-4", "{not json"),
        hook("acme-5", {**talked, **agreed}),  # a promise: Tuesday 10:30 Toronto time (R1)
        hook("acme-9", {"type": "email_sent", "at": at()}),
        # Ray's email bounces; the rep finds a new address and the account moves to Ben
        hook("acme-6", {"type": "email_bounced", "at": at(2), "id": "mail-3"}),
        hook(
            "acme-6",
            {
                "type": "contact_updated",
                "at": at(3),
                "email": "ray.diaz@a.test",
                "owner": "ben",
                "id": "crm-1",
            },
        ),
        # a voicemail logged late by the dialer: replayed from Ray's enrolment facts
        hook("acme-6", {"type": "call_attempted", "at": at(1), "outcome": "voicemail"}),
    ]
    evening = monday.replace(hour=18)
    plan = todays_work(
        db, day=date(2026, 3, 10), now=evening, capacity=10, suppressions=frozenset({"+15554"})
    )
    print(f"\nTuesday's work ({plan.counts}):")
    for t in plan.touches:
        act, when = t.action, f"{t.local_start:%H:%M %Z}"
        rules = " ".join(act.rules)
        print(f"  {t.owner:4} {when:9} {t.prospect_id}  {act.kind.value:6} {rules:6} {act.reason}")
    with db() as session:
        rows = session.scalars(select(ProspectRow)).all()
        stages = {r.id: load(r).stage.value for r in rows}
        records = {r.id: (r.owner, r.email, sorted(load(r).blocked_channels)) for r in rows}
        stored_events = len(session.scalars(select(EventRow)).all())
    return {
        "statuses": [a.status for a in answers],
        "stages": stages,
        "records": records,
        "stored_events": stored_events,
        "planned": {t.prospect_id: t.action.rules for t in plan.touches},
        "counts": plan.counts,
    }


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(f"sqlite:///{Path(tmp) / 'crm.db'}")
