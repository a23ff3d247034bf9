"""Repairing a meeting that did not happen, read as the rep reads the plan each day: the
material for a rebooked meeting (R15) and the recovery after a no-show (R2, R6)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import cadence
from cadence import ActionKind, Channel
from cadence import events as ev
from cadence.testing import check_invariants
from tests.conftest import CHICAGO
from tests.scenarios._lee import agreed_and_missed

Engine = cadence.Engine

TUESDAY = datetime(2026, 3, 3, 9, 0, tzinfo=CHICAGO)
"""Tuesday 3 March 2026 in Chicago (email hours 08:00-18:00 with the default policy)."""


def _cancelled_by_them(engine: Engine) -> cadence.Prospect:
    """Lee booked a meeting for the 12th, and cancelled it on Tuesday morning (R15)."""
    p = engine.enroll("lee", timezone="America/Chicago", at=TUESDAY, country="US", subdivision="IL")
    p = engine.apply(p, ev.CallAttempted(at=TUESDAY, outcome="connected", permission=True))
    starts = datetime(2026, 3, 12, 14, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=TUESDAY, meeting_id="m1", starts_at=starts))
    cancelled = TUESDAY + timedelta(hours=1)
    return engine.apply(p, ev.MeetingCancelled(at=cancelled, meeting_id="m1", by="prospect"))


def _material(plan: list[cadence.Action]) -> list[cadence.Action]:
    return [a for a in plan if ActionKind.SEND_COLLATERAL in a.kinds]


@pytest.mark.parametrize("minutes_in", [5, 29])
def test_r15_material_for_the_rebooked_meeting_is_not_owed_once_it_has_started(
    engine: Engine, minutes_in: int
) -> None:
    """The material is to make the rebooked meeting more productive: sent before it, or
    brought to it. Once the meeting is under way, "send it before the meeting" (overdue, to
    the evening) is no instruction a rep can follow; the meeting itself says to go through it."""
    p = _cancelled_by_them(engine)
    starts = datetime(2026, 3, 5, 10, 0, tzinfo=CHICAGO)
    booked = TUESDAY + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingBooked(at=booked, meeting_id="m2", starts_at=starts))
    [before] = _material(engine.plan(p, booked))
    assert before.latest <= starts
    assert not any("additional information" in s for s in engine.plan(p, booked)[-1].talking_points)
    now = starts + timedelta(minutes=minutes_in)
    plan = engine.plan(p, now)
    assert _material(plan) == []
    meeting = plan[0]
    assert (meeting.kind, meeting.detail) == (ActionKind.ATTEND_MEETING, "m2")
    assert any("additional information" in s for s in meeting.talking_points)


@pytest.mark.parametrize("hour", [7, 8])
def test_r15_material_with_no_email_hours_left_before_the_rebooked_meeting_goes_to_it(
    engine: Engine, hour: int
) -> None:
    """Rebooked in the evening for first thing the next morning (email hours open at 08:00):
    no moment to send the material before the meeting is left. It is not due from the
    meeting's start to the end of that day (after the meeting, with a reason that says
    "before"): the rep brings it to the meeting."""
    p = _cancelled_by_them(engine)
    evening = datetime(2026, 3, 3, 19, 0, tzinfo=CHICAGO)
    starts = datetime(2026, 3, 4, hour, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=evening, meeting_id="m2", starts_at=starts))
    plan = engine.plan(p, evening + timedelta(minutes=5))
    assert all(a.earliest < starts for a in _material(plan))
    assert _material(plan) == []
    meeting = next(a for a in plan if a.kind is ActionKind.ATTEND_MEETING)
    assert any("additional information" in s for s in meeting.talking_points)


def test_r15_material_that_can_still_go_out_before_the_meeting_is_asked_for_then(
    engine: Engine,
) -> None:
    """Rebooked in the evening for ten the next morning: the material is due from 08:00 and
    by the meeting's start, and the meeting does not yet tell the rep to bring it."""
    p = _cancelled_by_them(engine)
    evening = datetime(2026, 3, 3, 19, 0, tzinfo=CHICAGO)
    starts = datetime(2026, 3, 4, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=evening, meeting_id="m2", starts_at=starts))
    plan = engine.plan(p, evening + timedelta(minutes=5))
    [material] = _material(plan)
    assert (material.earliest, material.latest) == (starts.replace(hour=8), starts)
    meeting = next(a for a in plan if a.kind is ActionKind.ATTEND_MEETING)
    assert not any("additional information" in s for s in meeting.talking_points)
    assert material.channel is Channel.EMAIL


def _missed(engine: Engine) -> tuple[cadence.Prospect, datetime]:
    """Lee missed Thursday's 14:00 meeting; the rep's call to reschedule, at 14:30, reached
    voicemail."""
    p = engine.enroll("lee", timezone="America/Chicago", at=TUESDAY, country="US", subdivision="IL")
    p = engine.apply(p, ev.CallAttempted(at=TUESDAY, outcome="connected", permission=True))
    starts = datetime(2026, 3, 5, 14, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=TUESDAY, meeting_id="m1", starts_at=starts))
    p = engine.apply(p, ev.MeetingNoShow(at=starts + timedelta(minutes=20), meeting_id="m1"))
    called = starts + timedelta(minutes=30)
    assert engine.next_action(p, called).kind is ActionKind.CALL
    return engine.apply(p, ev.CallAttempted(at=called, outcome="voicemail")), called


def test_r6_the_email_after_the_no_show_calls_voicemail_offers_the_new_times(
    engine: Engine,
) -> None:
    """The call to reschedule a missed meeting reached voicemail. The email that follows it up
    (R6) is the one that offers the new times, that afternoon: not a note about the voicemail
    today and a second email with times tomorrow morning (two emails within hours to someone
    who just missed a meeting, the first with nothing in it to answer)."""
    p, called = _missed(engine)
    emails = [a for a in engine.plan(p, called) if a.channel is Channel.EMAIL]
    first = emails[0]
    assert first.kind is ActionKind.PROPOSE_TIMES
    assert "R6" in first.rules
    assert first.earliest.date() == called.date()
    assert len(first.proposals) == engine.policy.proposal_count
    assert any("voicemail" in s for s in first.talking_points)
    assert [a for a in emails[1:] if a.kind is ActionKind.PROPOSE_TIMES or "R6" in a.rules] == []
    # One email does both: sent, nothing about the voicemail or the times is owed any more.
    sent = first.earliest + timedelta(minutes=10)
    p = engine.apply(p, ev.EmailSent(at=sent))
    after = engine.plan(p, sent)
    assert [a for a in after if a.kind is ActionKind.PROPOSE_TIMES or "R6" in a.rules] == []


@pytest.mark.parametrize("logged", [25, 29])
def test_r1_an_agreed_call_and_a_missed_meetings_call_minutes_apart_are_one_call(
    engine: Engine, logged: int
) -> None:
    """Lee agreed to a call on Wednesday at 10:00 (R1, on time until 10:30), and missed the
    08:30 meeting, logged at 10:25 or 10:29: the call to reschedule it falls due a reaction
    delay later, as the agreed call's grace ends. One call does both, now, on time for the
    agreed one (the rescheduling done a few minutes early), not one at 10:25 and another
    minutes later, nor the agreed call late: its voicemail promises the next attempt, and
    that is the next call the engine plans (R5)."""
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)
    agreed = datetime(2026, 3, 4, 10, 0, tzinfo=CHICAGO)
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US", subdivision="IL")
    history: list[ev.Event] = [
        ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed, permission=True),
        ev.MeetingBooked(
            at=monday + timedelta(minutes=1),
            meeting_id="m1",
            starts_at=agreed - timedelta(minutes=90),
        ),
        ev.MeetingNoShow(at=agreed + timedelta(minutes=logged), meeting_id="m1"),
    ]
    now = history[-1].at
    for event in history:
        p = engine.apply(p, event)
    calls = [a for a in engine.plan(p, now) if a.channel is Channel.PHONE]
    call = calls[0]
    assert ("R1" in call.rules, "R2" in call.rules) == (True, True), call
    assert "; in the same call: " in call.reason
    assert call.earliest == now
    assert call.latest == agreed + timedelta(minutes=engine.policy.commitment_grace_minutes)
    assert call.due_since is None
    assert "overdue" not in call.flags
    [promise] = [s for s in call.talking_points if s.startswith("If you reach voicemail")]
    assert engine.next_action(p, now) == call
    # The rep calls, a little early, and reaches voicemail: nothing more is owed by phone,
    # and the next call is the one the voicemail promised.
    history.append(ev.CallAttempted(at=now + timedelta(minutes=1), outcome="voicemail"))
    p = engine.apply(p, history[-1])
    after = [a for a in engine.plan(p, history[-1].at) if a.channel is Channel.PHONE]
    assert after[0].rules == ("R3", "R4"), after[0]
    assert f"try again on Tuesday {after[0].slot}" in promise, (promise, after[0])
    assert after[0].earliest.strftime("%A") == "Tuesday"
    check_invariants(
        engine,
        engine.enroll("lee", timezone="America/Chicago", at=monday, country="US", subdivision="IL"),
        history,
    )


def _rebooked_and_missed(engine: Engine) -> tuple[cadence.Prospect, datetime]:
    """Lee cancelled (R15), booked Thursday 10:00 instead, was sent nothing, and missed it."""
    p = _cancelled_by_them(engine)
    starts = datetime(2026, 3, 5, 10, 0, tzinfo=CHICAGO)
    booked = TUESDAY + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingBooked(at=booked, meeting_id="m2", starts_at=starts))
    missed = starts + timedelta(minutes=40)
    return engine.apply(p, ev.MeetingNoShow(at=missed, meeting_id="m2")), missed


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=1)])
def test_r15_material_for_a_rebooked_meeting_they_missed_goes_with_the_new_times(
    engine: Engine, later: timedelta
) -> None:
    """The material was to go out before the rebooked meeting, and they missed that meeting
    too. It is not overdue "before the rescheduled meeting" (that meeting is past): it is for
    the next one, in the email that offers the new times, and that one email does both."""
    p, missed = _rebooked_and_missed(engine)
    now = missed + later
    plan = engine.plan(p, now)
    [material] = _material(plan)
    assert "before the rescheduled meeting" not in material.reason
    assert "missed the rescheduled meeting" in material.reason
    assert "overdue" not in material.flags
    assert material.due_since is None
    assert {material.kind, *material.also} == {ActionKind.SEND_COLLATERAL, ActionKind.PROPOSE_TIMES}
    assert len(material.proposals) == engine.policy.proposal_count
    assert [a for a in plan if a.kind is ActionKind.PROPOSE_TIMES] == []
    sent = max(material.earliest, now)
    p = engine.apply(p, ev.EmailSent(at=sent))
    after = engine.plan(p, sent)
    assert _material(after) == []
    assert [a for a in after if a.kind is ActionKind.PROPOSE_TIMES] == []


def _agreed_and_missed(engine: Engine, agreed: datetime, logged: datetime) -> cadence.Prospect:
    """Lee agreed on Monday to a call at ``agreed`` (R1), and missed the meeting booked for
    90 minutes before it; the no-show is logged at ``logged``."""
    return agreed_and_missed(engine, agreed, logged, timedelta(minutes=90))


def test_r1_a_missed_meetings_call_at_the_end_of_the_morning_waits_for_the_agreed_noon_call(
    engine: Engine,
) -> None:
    """The call for the missed meeting may start at 11:59 (the morning ends at 12:00, and the
    midday hours follow at once); the call agreed for 12:00 starts a minute later. One call at
    12:00 does both, on time, in the midday part of the day: not one at 11:59 and another a
    minute later."""
    agreed = datetime(2026, 3, 4, 12, 0, tzinfo=CHICAGO)
    logged = agreed - timedelta(minutes=6)
    p = _agreed_and_missed(engine, agreed, logged)
    calls = [a for a in engine.plan(p, logged) if a.channel is Channel.PHONE]
    call = calls[0]
    assert "; in the same call: " in call.reason
    assert {"R1", "R2"} <= set(call.rules)
    assert (call.earliest, call.slot, call.due_since) == (agreed, "midday", None)
    assert "overdue" not in call.flags
    assert [a for a in calls[1:] if a.earliest.date() == agreed.date()] == []


def test_r5_the_voicemail_of_a_call_a_few_minutes_before_an_agreed_call_names_that_call(
    engine: Engine,
) -> None:
    """The call for the missed meeting may start at 9:54, the call agreed for 10:00 six
    minutes later (more than a reaction delay: two calls). If the first reaches voicemail, the
    next attempt is the agreed call, that morning: its script says so, not the ladder's day
    next week, which the agreed call would break."""
    agreed = datetime(2026, 3, 4, 10, 0, tzinfo=CHICAGO)
    logged = agreed - timedelta(minutes=11)
    p = _agreed_and_missed(engine, agreed, logged)
    first = engine.next_action(p, logged)
    assert (first.kind, first.detail, first.rules) == (ActionKind.CALL, "m1", ("R2",))
    assert "try again on Wednesday morning" in first.talking_points[0]
    p = engine.apply(p, ev.CallAttempted(at=first.earliest, outcome="voicemail"))
    plan = engine.plan(p, first.earliest)
    following = next(a for a in plan if a.channel is Channel.PHONE)
    assert (following.kind, following.rules, following.earliest) == (
        ActionKind.CALL,
        ("R1",),
        agreed,
    )


def test_r5_a_call_that_waits_into_the_midday_hours_promises_the_attempt_after_a_midday_call(
    engine: Engine,
) -> None:
    """The call agreed for 11:50 (on time until 12:20) waits until 12:00 for the missed
    meeting's call: the rep calls at midday, so the retry after its voicemail goes to another
    part of the day (R4) than midday. The script promised that retry, not the one after a
    morning call."""
    agreed = datetime(2026, 3, 4, 11, 50, tzinfo=CHICAGO)
    logged = agreed + timedelta(minutes=5)
    p = _agreed_and_missed(engine, agreed, logged)
    call = engine.next_action(p, logged)
    assert "; in the same call: " in call.reason
    assert call.earliest == agreed + timedelta(minutes=10)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    following = next(a for a in engine.plan(p, call.earliest) if a.channel is Channel.PHONE)
    assert following.slot != "midday"
    said = f"try again on {following.earliest.strftime('%A')} {following.slot}"
    assert said in call.talking_points[0], (call.talking_points, following)


def _rebooked_and_cancelled(engine: Engine) -> tuple[cadence.Prospect, datetime]:
    """Lee cancelled, rebooked for Friday 6 March 10:00 (the material is owed before then),
    and on Thursday morning cancelled the rebooked meeting too (R15)."""
    p = _cancelled_by_them(engine)
    starts = datetime(2026, 3, 6, 10, 0, tzinfo=CHICAGO)
    booked = TUESDAY + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingBooked(at=booked, meeting_id="m2", starts_at=starts))
    cancelled = datetime(2026, 3, 5, 9, 0, tzinfo=CHICAGO)
    return engine.apply(p, ev.MeetingCancelled(at=cancelled, meeting_id="m2", by="prospect")), (
        cancelled
    )


@pytest.mark.parametrize("later", [timedelta(minutes=5), timedelta(days=1, hours=1)])
def test_r15_material_for_a_rebooked_meeting_they_cancelled_is_for_the_next_one(
    engine: Engine, later: timedelta
) -> None:
    """They cancelled the rebooked meeting as well. The material was still asked for "before
    the rescheduled meeting", due by that meeting's start and then overdue for it, though
    nobody will attend it. As after their no-show, it is for the next meeting: no deadline,
    due from the cancellation (the next day, overdue since then), and its reason says so."""
    p, cancelled = _rebooked_and_cancelled(engine)
    now = cancelled + later
    [material] = _material(engine.plan(p, now))
    assert "before the rescheduled meeting" not in material.reason
    assert "cancelled the rescheduled meeting" in material.reason
    # Owed since the cancellation (a day later, overdue since then), not since the rebooking.
    assert material.due_since is None or material.due_since >= cancelled
    assert material.earliest >= cancelled


@pytest.mark.parametrize("story", ["missed", "cancelled"])
def test_r15_material_for_a_rebooked_meeting_goes_before_the_next_booking(
    engine: Engine, story: str
) -> None:
    """Missed (or cancelled) the rebooked meeting, then booked again before the material went
    out: it is owed before the new meeting, as it was before the one they missed."""
    told = {"missed": _rebooked_and_missed, "cancelled": _rebooked_and_cancelled}[story]
    p, ended = told(engine)
    booked = ended + timedelta(hours=2)
    starts = datetime(2026, 3, 11, 14, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=booked, meeting_id="m3", starts_at=starts))
    [material] = _material(engine.plan(p, booked))
    assert material.detail == "m3"
    assert material.reason.startswith("before the rescheduled meeting")
    assert "overdue" not in material.flags
    assert booked < material.earliest
    assert material.latest <= starts
