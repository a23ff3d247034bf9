"""Shared test configuration: hypothesis profiles (dev, ci, long) and common fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import cadence
from cadence import events as ev
from cadence.policy import TimeSlot
from cadence.testing import History, Region, moments, policies

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck)
)
# The test process may read its environment; the library core never does.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

CHICAGO = ZoneInfo("America/Chicago")

#: A policy's own legal rule that binds email, not calls: 10:00-12:00 on weekdays in the US.
US_MAIL_RULE = cadence.compliance.CallingRule(
    id="us-mail",
    version="1",
    name="an email rule read by counsel",
    country="US",
    channels=frozenset({cadence.Channel.EMAIL}),
    windows=dict.fromkeys(range(5), ((time(10), time(12)),)),
    effective_from=date(2020, 1, 1),
    source="https://example.com/us-mail",
)


@pytest.fixture
def engine() -> cadence.Engine:
    """An engine with the default policy."""
    return cadence.Engine(cadence.Policy())


@pytest.fixture
def monday() -> datetime:
    """Monday 9 March 2026, 09:30 in Chicago (no holiday in the US or Illinois)."""
    return datetime(2026, 3, 9, 9, 30, tzinfo=CHICAGO)


AHEAD = (st.integers(0, 60 * 24) | st.integers(0, 800 * 24)).map(lambda h: timedelta(hours=h))
"""How far time moves on: within two months, or up to two years and more (drip, R11)."""


def as_time_moves(
    engine: cadence.Engine, history: History, data: st.DataObject
) -> Iterator[tuple[cadence.Prospect, datetime]]:
    """Every state of ``history``, then the same as time has moved it on (dropped, dripping),
    each with the moment drawn for it."""
    for p in history.states:
        now = data.draw(moments(engine, p), label="now")
        yield p, now
        yield engine.advance(p, now + data.draw(AHEAD, label="advanced by")), now


#: Places whose clocks are not the US's or Europe's, each with the country the engine takes for
#: its zone: a 45-minute offset that moves at 02:45 (Chatham), a half-hour shift (Lord Howe),
#: changes at local midnight both ways (Havana, Beirut; Santiago's and Cairo's), DST suspended
#: for Ramadan (Casablanca, tzdata's "negative" DST), a negative-DST winter (Dublin), a two-hour
#: shift (Troll), -3:30 under Canada's calling hours (St John's), +5:45 (Kathmandu), the date
#: line (Kiritimati at +14; Pago Pago at -11, a US territory under the federal calling hours),
#: and the Sunday-to-Thursday week's countries (Israel, Saudi Arabia, the Emirates).
UNUSUAL_PLACES: tuple[Region, ...] = (
    Region("Pacific/Chatham", "NZ"),
    Region("Australia/Lord_Howe", "AU", "NSW"),
    Region("America/Havana", "CU"),
    Region("Asia/Beirut", "LB"),
    Region("America/Santiago", "CL"),
    Region("Africa/Cairo", "EG"),
    Region("Africa/Casablanca", "MA"),
    Region("Europe/Dublin", "IE"),
    Region("Antarctica/Troll", "AQ"),
    Region("America/St_Johns", "CA", "NL"),
    Region("Asia/Kathmandu", "NP"),
    Region("Pacific/Kiritimati", "KI"),
    Region("Pacific/Pago_Pago", "US", "AS"),
    Region("Asia/Jerusalem", "IL"),
    Region("Asia/Riyadh", "SA"),
    Region("Asia/Dubai", "AE"),
)


def _slots(*spec: tuple[str, time, time]) -> tuple[TimeSlot, ...]:
    return tuple(TimeSlot(name=n, start=a, end=b) for n, a, b in spec)


#: Calling hours no law clips (their places' calling laws would leave them no slot): around
#: midnight, across the night's clock changes, five minutes at noon; and the default.
ANY_HOUR_CALLS = (
    _slots(("night", time(0), time(1)), ("late", time(23), time(23, 59))),
    _slots(("small hours", time(1), time(4)), ("day", time(9), time(17))),
    _slots(("noon", time(12), time(12, 5)), ("before dawn", time(2, 30), time(2, 50))),
    cadence.Policy().call_slots,
)
#: Email hours up to the last second of the day, and from midnight.
ANY_HOUR_EMAILS = (
    _slots(("night", time(0), time(2, 30)), ("day", time(8), time(18))),
    _slots(("late", time(22), time(23, 59, 59))),
    cadence.Policy().email_hours,
)
#: Weeks of other shapes: Sunday to Thursday, six days, Sunday to Friday, weekends only, one day.
OTHER_WEEKS = ("1111001", "1111110", "1111101", "0000011", "0010000", "1111111")


def unusual_policies(*, legal_hours_only: bool) -> st.SearchStrategy[cadence.Policy]:
    """Policies on :data:`OTHER_WEEKS` with hours around the clock (with ``legal_hours_only``,
    calling hours inside every calling law's, for places a law binds)."""
    calls = ANY_HOUR_CALLS[-1:] if legal_hours_only else ANY_HOUR_CALLS
    return policies(
        call_slots=st.sampled_from(calls),
        email_hours=st.sampled_from(ANY_HOUR_EMAILS),
        weekmasks=st.sampled_from(OTHER_WEEKS),
        include_default=False,
    )


def bound_by_law(region: Region) -> bool:
    """Whether a shipped calling law binds ``region``'s calls."""
    return region.country in {"US", "CA"}


#: A do-not-contact list as such lists are kept (E.164 numbers, lower-case emails) (R13).
SUPPRESSED = frozenset({"+13125550104", "dana.lee@acme.test", "+33612345678"})

#: Those contacts as a re-import may write them: each stays suppressed.
WRITTEN_OTHERWISE: dict[str, dict[str, str]] = {
    "dashes": {"phone": "312-555-0104"},
    "area code in brackets": {"phone": "(312) 555-0104"},
    "no country code": {"phone": "3125550104"},
    "country code without +": {"phone": "1 312 555 0104"},
    "a trailing space": {"phone": "+13125550104 "},
    "dots": {"phone": "312.555.0104"},
    "international prefix 00": {"phone": "001 312 555 0104"},
    "French national form": {"phone": "06 12 34 56 78"},
    "French, spaced": {"phone": "+33 6 12 34 56 78"},
    "French, trunk 0 in brackets": {"phone": "+33 (0)6 12 34 56 78"},
    "full-width digits": {"phone": "０６ １２ ３４ ５６ ７８"},
    "an extension, x": {"phone": "312-555-0104 x5"},
    "an extension, ext.": {"phone": "(312) 555-0104 ext. 5"},
    "an extension, #": {"phone": "312.555.0104 #5"},
    "an extension, RFC 3966": {"phone": "tel:+1-312-555-0104;ext=5"},
    "an extension after a dial pause": {"phone": "+13125550104,5"},
    "an extension of seven digits": {"phone": "+13125550104 x1234567"},
    "an extension, French": {"phone": "+33 6 12 34 56 78 poste 12"},
    "email in capitals": {"email": "Dana.Lee@ACME.test"},
    "email with a leading space": {"email": " dana.lee@acme.test"},
    "email with a trailing tab": {"email": "DANA.LEE@acme.test\t"},
}

#: Contact points the list does not name: planned.
NOT_SUPPRESSED: dict[str, dict[str, str]] = {
    "the same local number in another area": {"phone": "+1 415 555 0104"},
    "six trailing digits in common": {"phone": "+1 312 655 0104"},
    "six digits that end a suppressed number": {"phone": "550104"},
    "another French number": {"phone": "06 12 34 56 79"},
    "another area, with an extension": {"phone": "+1 415 555 0104 ext. 5"},
    "another address at the domain": {"email": "dana.lee2@acme.test"},
}


def in_chicago(
    engine: cadence.Engine, prospect_id: str, now: datetime, owner: str = "ana", **kw: object
) -> cadence.Prospect:
    """A new prospect in Chicago (US), enrolled an hour before ``now``, worked by ``owner``:
    the batch tests' book row."""
    return engine.enroll(
        prospect_id,
        timezone="America/Chicago",
        at=now - timedelta(hours=1),
        country="US",
        owner=owner,
        **kw,  # type: ignore[arg-type]
    )


def stale_copies(engine: cadence.Engine, now: datetime) -> dict[str, list[cadence.Prospect]]:
    """Books that hold ``p1`` twice: its newest row and an older export row of it (stage new,
    owing a first call), the newest row opted out (R13), closed, owing the reminder to log a
    meeting that has ended (R2), or away (owing nothing today). Every planner refuses each."""
    at = now - timedelta(days=7)
    old = engine.enroll(
        "p1", timezone="America/Chicago", at=at, country="US", owner="ana", phone="+13125550199"
    )
    others = [
        engine.enroll(f"q{i}", timezone="America/Chicago", at=at, country="US", owner="ana")
        for i in range(3)
    ]
    ended = now - timedelta(hours=8)
    newest: dict[str, cadence.Event] = {
        "opted out": ev.OptedOut(at=now - timedelta(hours=2)),
        "closed": ev.DealClosed(at=now - timedelta(hours=2), won=True),
        "meeting to log": ev.MeetingBooked(
            at=ended - timedelta(days=1), meeting_id="m1", starts_at=ended, duration_minutes=30
        ),
        "away": ev.OutOfOffice(at=now - timedelta(hours=2), until=now + timedelta(days=9)),
    }
    return {
        name: [others[0], engine.apply(old, event), *others[1:], old]
        for name, event in newest.items()
    }
