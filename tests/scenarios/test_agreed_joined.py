"""An agreed call (R1) that another call joins (one touch, ``cadence._one_touch``): it keeps
the agreed time, and it names the part of the day it is placed in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cadence
from cadence import Channel
from cadence import events as ev
from tests.conftest import CHICAGO
from tests.scenarios._lee import MONDAY, agreed_and_missed


def _agreed_and_missed(
    engine: cadence.Engine, agreed: datetime, logged: datetime
) -> cadence.Prospect:
    """Lee agreed on Monday to a call at ``agreed`` (R1), and missed a meeting booked for
    two and a half hours before it; the no-show is logged at ``logged``."""
    return agreed_and_missed(engine, agreed, logged, timedelta(minutes=150))


def _first_call(engine: cadence.Engine, p: cadence.Prospect, now: datetime) -> cadence.Action:
    return next(a for a in engine.plan(p, now) if a.channel is Channel.PHONE)


@pytest.mark.parametrize(
    ("agreed", "slot"),
    [((11, 58), "midday"), ((13, 58), "afternoon"), ((11, 50), "midday")],
)
def test_r4_a_joined_call_names_the_part_of_the_day_it_is_placed_in(
    engine: cadence.Engine, agreed: tuple[int, int], slot: str
) -> None:
    """The call agreed for 11:58 is on time until 12:28; the call for the missed meeting,
    logged at 11:58, may start five minutes later, at 12:03. One call does both, at 12:03:
    in the midday part of the day, and the action says so (R4 reads the part of the day the
    rep calls in, and so does the voicemail's promise of the next attempt), not the morning,
    where the agreed call's window began."""
    at = datetime(2026, 3, 4, *agreed, tzinfo=CHICAGO)
    logged = max(at, datetime(2026, 3, 4, agreed[0] + 1, 0, tzinfo=CHICAGO) - timedelta(minutes=5))
    p = _agreed_and_missed(engine, at, logged)
    call = _first_call(engine, p, logged)
    assert "; in the same call: " in call.reason
    assert call.earliest > at
    assert call.slot == slot == engine.calendar(p).slot_of(call.earliest)


@pytest.mark.parametrize("logged", [-5, 0, 20])
def test_r1_an_agreed_call_is_not_held_past_its_grace_for_a_call_due_later(logged: int) -> None:
    """With a two-hour reaction delay, the call for a meeting missed (logged at 09:55, 10:00
    or 10:20) may start two hours after it is logged, long after the call agreed for 10:00
    stops being on time (10:30). The agreed call is made as agreed, and it reschedules the
    meeting too: the rep is on the phone with Lee anyway. Not one call two hours late for
    the agreed time."""
    engine = cadence.Engine(cadence.Policy(reaction_minutes=120))
    agreed = datetime(2026, 3, 4, 10, 0, tzinfo=CHICAGO)
    now = agreed + timedelta(minutes=logged)
    p = _agreed_and_missed(engine, agreed, now)
    call = _first_call(engine, p, now)
    assert {"R1", "R2"} <= set(call.rules)
    assert call.earliest == max(agreed, now)
    assert call.latest <= agreed + timedelta(minutes=engine.policy.commitment_grace_minutes)
    assert (call.due_since, "overdue" in call.flags) == (None, False)
    # The rep calls as agreed: the rescheduling is done with it, nothing more is owed by phone.
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    after = _first_call(engine, p, call.earliest)
    assert after.rules == ("R3", "R4"), after


@given(
    reaction=st.sampled_from([1, 5, 30, 120]),
    agreed_minutes=st.integers(9 * 60, 16 * 60 + 59),
    logged=st.integers(-150, 29),
)
def test_a_call_joined_to_an_agreed_call_is_on_time_and_in_its_part_of_the_day(
    reaction: int, agreed_minutes: int, logged: int
) -> None:
    """Whatever the reaction delay, when the agreed call and the call for a missed meeting
    are one call, it starts within the agreed call's grace (R1) and names the part of the
    day it starts in (R4)."""
    engine = cadence.Engine(cadence.Policy(reaction_minutes=reaction))
    agreed = datetime(2026, 3, 4, tzinfo=CHICAGO) + timedelta(minutes=agreed_minutes)
    now = agreed + timedelta(minutes=logged)
    p = _agreed_and_missed(engine, agreed, now)
    call = _first_call(engine, p, now)
    # On time until the grace ends, or the calling hours (17:00) if they end first.
    grace = agreed + timedelta(minutes=engine.policy.commitment_grace_minutes)
    on_time = min(grace, agreed.replace(hour=17, minute=0))
    if "R1" in call.rules and now < on_time:
        assert max(agreed, now) <= call.earliest < on_time, call
        assert "overdue" not in call.flags
    assert call.slot == engine.calendar(p).slot_of(call.earliest), call


def test_r4_an_agreed_call_made_in_its_grace_after_noon_is_a_midday_call(
    engine: cadence.Engine,
) -> None:
    """The call agreed for 11:50 is on time until 12:20, across noon. Asked at 12:05, the
    rep calls in the midday part of the day: the action says midday, and the voicemail
    promises a retry in another part of the day than midday (R4, R5)."""
    agreed = datetime(2026, 3, 4, 11, 50, tzinfo=CHICAGO)
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US", subdivision="IL")
    p = engine.apply(
        p, ev.CallAttempted(at=MONDAY, outcome="connected", next_contact_at=agreed, permission=True)
    )
    now = agreed + timedelta(minutes=15)
    call = engine.next_action(p, now)
    assert (call.rules, call.earliest, call.slot) == (("R1",), now, "midday")
    assert "overdue" not in call.flags
    p = engine.apply(p, ev.CallAttempted(at=now, outcome="voicemail"))
    following = _first_call(engine, p, now)
    assert following.slot != "midday"
    said = f"try again on {following.earliest.strftime('%A')} {following.slot}"
    assert said in call.talking_points[0], (call.talking_points, following)
