"""A booked meeting is the next contact until it is logged: the unanswered ladder (R3-R11)
does not chase a prospect who is in a meeting with the rep, or whose meeting has just ended
with nothing logged yet. What follows comes from the log: the contact agreed in the meeting
(R1), or the repair of a no-show."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

import cadence
from cadence import ActionKind
from cadence import events as ev
from cadence.testing import prospects
from tests.conftest import CHICAGO

Engine = cadence.Engine

_LADDER_RULES = frozenset({"R3", "R10", "R11"})  # (rules only the ladder's steps give)
_LADDER_KINDS = frozenset(
    {
        ActionKind.OPT_OUT_OFFER,
        ActionKind.BREAKUP,
        ActionKind.DRIP_TOUCH,
        ActionKind.CONTACT_RECEPTIONIST,
    }
)


def _chases(action: cadence.Action) -> bool:
    """Whether ``action`` is a step of the unanswered ladder (an attempt after R3's gap, the
    opt-out offer, an escalation to the receptionist, the breakup, a drip touch)."""
    return bool(_LADDER_RULES & set(action.rules)) or action.kind in _LADDER_KINDS


def _booked_after_a_voicemail(engine: Engine, monday: datetime) -> cadence.Prospect:
    """Lee missed Monday's call (voicemail, and its email), then booked a meeting by email for
    Thursday 10:00 to 10:30."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US", subdivision="IL")
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail"))
    p = engine.apply(p, ev.EmailSent(at=monday + timedelta(minutes=10)))
    starts = datetime(2026, 3, 12, 10, 0, tzinfo=CHICAGO)
    return engine.apply(
        p, ev.MeetingBooked(at=monday + timedelta(hours=3), meeting_id="m1", starts_at=starts)
    )


def test_r2_during_the_meeting_the_plan_is_the_meeting_not_the_ladders_next_call(
    engine: Engine, monday: datetime
) -> None:
    """Ten minutes into Thursday's meeting, the plan listed the meeting and then "attempt 1
    after 4 business days, at a different time of day" at noon: a cold call to the person the
    rep is talking to. The meeting is the plan, as it was the minute before it began, and
    ``next_action`` says the same."""
    p = _booked_after_a_voicemail(engine, monday)
    starts = datetime(2026, 3, 12, 10, 0, tzinfo=CHICAGO)
    for now in (starts - timedelta(minutes=1), starts + timedelta(minutes=10)):
        plan = engine.plan(p, now)
        assert [(a.kind, a.detail) for a in plan] == [(ActionKind.ATTEND_MEETING, "m1")]
        assert plan[0] == engine.next_action(p, now)


def test_r2_an_ended_meeting_not_yet_logged_is_not_chased_by_the_ladder(
    engine: Engine, monday: datetime
) -> None:
    """The meeting ended at 10:30 and nobody has logged it yet. At 13:00 the plan is the
    reminder to log it (R2), not the ladder's call as if Lee had never answered: held, the
    meeting gives the next contact (R1); missed, the no-show's repair does. Logged held with
    a call agreed for Monday, that call is next."""
    p = _booked_after_a_voicemail(engine, monday)
    one = datetime(2026, 3, 12, 13, 0, tzinfo=CHICAGO)
    plan = engine.plan(p, one)
    assert [a.reason for a in plan] == [
        "the meeting has ended: log whether it was held or a no-show"
    ]
    assert plan[0] == engine.next_action(p, one)
    agreed = datetime(2026, 3, 16, 11, 0, tzinfo=CHICAGO)
    held = engine.apply(p, ev.MeetingHeld(at=one, meeting_id="m1", next_contact_at=agreed))
    nxt = engine.next_action(held, one)
    assert (nxt.kind, nxt.earliest, nxt.rules) == (ActionKind.CALL, agreed, ("R1",))


@given(
    p=prospects(max_events=8),
    booked_after=st.integers(0, 60 * 24 * 20),
    lead=st.integers(5, 60 * 24 * 10),
    duration=st.integers(5, 180),
    fraction=st.floats(0.0, 1.0),
)
def test_no_ladder_step_is_planned_while_a_meeting_is_booked(
    p: cadence.Prospect, booked_after: int, lead: int, duration: int, fraction: float
) -> None:
    """Whatever the prospect's history, once a meeting is booked and until it is logged (ahead,
    under way, or over), no step of the unanswered ladder is in the plan, and the plan's first
    action is ``next_action``'s (DESIGN §6)."""
    engine = Engine(cadence.Policy())
    at = p.last_event_at + timedelta(minutes=booked_after)
    starts = at + timedelta(minutes=lead)
    booking = ev.MeetingBooked(at=at, meeting_id="mx", starts_at=starts, duration_minutes=duration)
    q = engine.apply(p, booking)
    assume(any(m.id == "mx" and m.status == "booked" for m in q.meetings))
    # Any moment from the booking to two meetings' lengths after it ended.
    now = at + (starts + timedelta(minutes=3 * duration) - at) * fraction
    plan = engine.plan(q, now)
    assert not [a for a in plan if _chases(a)]
    assert plan[0] == engine.next_action(q, now)


def test_r5_a_call_while_a_meeting_waits_to_be_logged_promises_no_next_attempt(
    engine: Engine, monday: datetime
) -> None:
    """Lee agreed to a call on Thursday at 14:00 (R1), and also booked a meeting for Wednesday
    that nobody has logged. Thursday's call said "if you reach voicemail, say you will try
    again on Wednesday morning": a promise of the ladder's next attempt, which waits for the
    meeting's log. Its voicemail, logged, indeed leaves no attempt in the plan."""
    agreed = datetime(2026, 3, 12, 14, 0, tzinfo=CHICAGO)
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US", subdivision="IL")
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed))
    wednesday = datetime(2026, 3, 11, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(
        p, ev.MeetingBooked(at=monday + timedelta(hours=1), meeting_id="m1", starts_at=wednesday)
    )
    now = agreed - timedelta(hours=1)
    call = next(a for a in engine.plan(p, now) if a.kind is ActionKind.CALL)
    assert call.earliest == agreed
    assert not [s for s in call.talking_points if "try again" in s]
    after = engine.apply(p, ev.CallAttempted(at=agreed, outcome="voicemail"))
    assert not [a for a in engine.plan(after, agreed) if _chases(a)]


def test_r1_an_email_after_the_meeting_before_it_is_logged_is_not_an_attempt(
    engine: Engine, monday: datetime
) -> None:
    """The rep emails Lee the slides an hour after Thursday's meeting, before logging it as
    held. The ladder is waiting for that log, so the email is not its next attempt: Lee stays
    engaged and no unanswered attempt is counted (it made Lee ``unresponsive``)."""
    p = _booked_after_a_voicemail(engine, monday)
    ends = datetime(2026, 3, 12, 10, 30, tzinfo=CHICAGO)
    before = p.unanswered
    after = engine.apply(p, ev.EmailSent(at=ends + timedelta(hours=1)))
    assert after.stage is cadence.Stage.ENGAGED
    assert after.unanswered == before


def test_an_agreed_call_unanswered_while_the_meeting_waits_to_be_logged_leaves_them_engaged(
    engine: Engine, monday: datetime
) -> None:
    """Lee agreed to a call on Thursday at 14:00 and booked a meeting; Thursday's call reached
    voicemail. With the meeting on Friday, Lee stayed engaged; with Wednesday's meeting over
    and not yet logged, Lee became ``unresponsive``, though the ladder waits for that log
    as it waits for a meeting ahead (Lee may well have been in the meeting yesterday)."""
    agreed = datetime(2026, 3, 12, 14, 0, tzinfo=CHICAGO)
    for starts in (datetime(2026, 3, 13, 10, 0, tzinfo=CHICAGO), agreed - timedelta(days=1)):
        p = engine.enroll(
            "lee", timezone="America/Chicago", at=monday, country="US", subdivision="IL"
        )
        p = engine.apply(
            p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed)
        )
        booking = ev.MeetingBooked(
            at=monday + timedelta(hours=1), meeting_id="m1", starts_at=starts
        )
        p = engine.apply(p, booking)
        after = engine.apply(p, ev.CallAttempted(at=agreed, outcome="voicemail"))
        assert after.stage is cadence.Stage.ENGAGED
        assert not [a for a in engine.plan(after, agreed) if _chases(a)]
