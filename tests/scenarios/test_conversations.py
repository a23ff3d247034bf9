"""Conversations, meetings and promises: outcome-driven next actions (R1, R2, R14–R17)."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

import cadence
from cadence import ActionKind, Channel, Priority, Stage
from cadence import events as ev
from cadence.errors import InvalidInputError
from cadence.invitations import meeting_ics, proposals_ics
from tests.conftest import CHICAGO

Engine = cadence.Engine


DAY = timedelta(days=1)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    """``day`` at a wall time in its own zone."""
    return day.replace(hour=hour, minute=minute)


def _booked(engine: Engine, at: datetime, *, local: bool = False) -> cadence.Prospect:
    p = engine.enroll(
        "lee", timezone="America/Chicago", at=at, country="US", subdivision="IL", local=local
    )
    p = engine.apply(p, ev.CallAttempted(at=at, outcome="connected", permission=True))
    return engine.apply(
        p, ev.MeetingBooked(at=at, meeting_id="m1", starts_at=at + timedelta(days=3))
    )


def _cancelled_by_rep(engine: Engine, monday: datetime) -> tuple[cadence.Prospect, cadence.Action]:
    """Lee's meeting, booked on ``monday``, cancelled by the rep two hours later (R14): the
    state, and the apology call the engine names then."""
    p = _booked(engine, monday)
    t = monday + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    return p, engine.next_action(p, t)


def _lee(engine: Engine, at: datetime, preferred: Channel | None = None) -> cadence.Prospect:
    """Lee in Chicago (US-IL), enrolled at ``at``."""
    return engine.enroll(
        "lee",
        timezone="America/Chicago",
        at=at,
        country="US",
        subdivision="IL",
        preferred_channel=preferred,
    )


def test_attend_meeting_at_its_start_then_the_agreed_follow_up(
    engine: Engine, monday: datetime
) -> None:
    p = _booked(engine, monday)
    act = engine.next_action(p, monday)
    assert act.kind is ActionKind.ATTEND_MEETING
    assert act.earliest == monday + timedelta(days=3)
    assert act.latest == act.earliest + timedelta(minutes=30)
    held_at = act.earliest + timedelta(minutes=30)
    agreed = datetime(2026, 3, 19, 14, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingHeld(at=held_at, meeting_id="m1", next_contact_at=agreed))
    nxt = engine.next_action(p, held_at)
    assert (nxt.kind, nxt.earliest, nxt.rules) == (ActionKind.CALL, agreed, ("R1",))


def test_an_ended_meeting_not_logged_is_owed_to_the_end_of_its_day(
    engine: Engine, monday: datetime
) -> None:
    """Lee's meeting on Thursday, 09:30 to 10:00, ends and nobody logs whether it was held.
    The reminder to log it is owed from the meeting's end to the end of Thursday (R2: nothing
    is forgotten), the same deadline whenever it is read that day. It was a point in time,
    from ``now`` to ``now``: a half-open window that holds no instant, its deadline missed
    the moment it was read. The next morning it is owed for that day, still overdue since the
    meeting began."""
    p = _booked(engine, monday)
    ends = monday + timedelta(days=3, minutes=30)
    friday = datetime(2026, 3, 13, 0, 0, tzinfo=CHICAGO)
    for now, latest in (
        (ends, friday),
        (ends + timedelta(hours=5), friday),
        (friday + timedelta(hours=8), friday + DAY),
    ):
        act = engine.next_action(p, now)
        assert act.kind is ActionKind.ATTEND_MEETING
        assert act.reason == "the meeting has ended: log whether it was held or a no-show"
        assert (act.earliest, act.latest) == (now, latest)
        assert act.due_since == ends - timedelta(minutes=30)
        assert "overdue" in act.flags
        # What to do is log it; what to say in the meeting is past (it read "agree the next
        # contact before you end" to a rep whose meeting was over).
        assert len(act.talking_points) == 1
        assert act.talking_points[0].startswith("Log it: meeting_held")
    during = engine.next_action(p, ends - timedelta(minutes=10))
    assert engine.policy.templates.agree_next_contact in during.talking_points


def test_the_reminder_to_log_a_meeting_ends_where_its_day_does_across_a_dst_gap(
    engine: Engine,
) -> None:
    """Cairo springs forward at midnight on Friday 24 April 2026: Thursday's reminder to log
    the afternoon's meeting runs to 01:00 on Friday, the first instant of that day."""
    cairo = ZoneInfo("Africa/Cairo")
    t = datetime(2026, 4, 20, 9, 30, tzinfo=cairo)
    p = engine.enroll("lee", timezone="Africa/Cairo", at=t, country="EG")
    p = engine.apply(p, ev.CallAttempted(at=t, outcome="connected"))
    starts = datetime(2026, 4, 23, 16, 0, tzinfo=cairo)
    p = engine.apply(p, ev.MeetingBooked(at=t, meeting_id="m1", starts_at=starts))
    act = engine.next_action(p, starts + timedelta(hours=1))
    assert act.latest == datetime(2026, 4, 24, 1, 0, tzinfo=cairo)
    assert act.latest_utc - act.earliest_utc == timedelta(hours=7)  # (from 17:00 on)


def test_r14_rep_cancels_by_phone_first(engine: Engine, monday: datetime) -> None:
    p = _booked(engine, monday)
    t = monday + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    plan = engine.plan(p, t)
    assert plan[0].kind is ActionKind.CALL
    assert plan[0].priority is Priority.RESCHEDULE
    assert plan[0].rules == ("R14",)
    assert plan[0].earliest <= t + timedelta(minutes=5)
    assert any("Apologise" in s for s in plan[0].talking_points)
    times = next(a for a in plan if a.kind is ActionKind.PROPOSE_TIMES)
    # One email proposes the times and sends the material, now, not later.
    assert times.also == (ActionKind.SEND_COLLATERAL,)
    assert not [a for a in plan if a.kind is ActionKind.SEND_COLLATERAL]
    assert "in the same email: send now the material" in times.reason
    assert times.earliest.date() == t.date()
    local_times = {d.astimezone(CHICAGO).time().isoformat() for d in times.proposals}
    assert {"08:00:00", "17:00:00"} <= local_times  # before and after hours (R14 flexibility)


def test_r14_rep_cancelling_overnight_still_calls_before_writing(engine: Engine) -> None:
    """Email hours open at 08:00, calls at 09:00: the apology still goes by phone first."""
    evening = datetime(2026, 3, 9, 21, 30, tzinfo=CHICAGO)
    p = _booked(engine, evening - timedelta(hours=10))
    p = engine.apply(p, ev.MeetingCancelled(at=evening, meeting_id="m1", by="rep"))
    plan = engine.plan(p, evening)
    assert plan[0].kind is ActionKind.CALL
    assert plan[0].rules == ("R14",)
    assert plan[0].earliest == datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)
    written = [a for a in plan if a.channel is Channel.EMAIL]
    assert [(a.kind, a.also) for a in written] == [
        (ActionKind.PROPOSE_TIMES, (ActionKind.SEND_COLLATERAL,))
    ]
    assert written[0].earliest >= plan[0].earliest


def test_r14_a_missed_apology_call_still_comes_before_the_written_proposals(
    engine: Engine,
) -> None:
    """Paris, rep cancels at 11:00; by 13:00 the call has not been made and France's lunch
    break (13:00-14:00) holds it back: the proposals wait for the 14:00 call."""
    paris = ZoneInfo("Europe/Paris")
    t = datetime(2026, 3, 10, 11, 0, tzinfo=paris)
    p = engine.enroll("zoe", timezone="Europe/Paris", at=t - timedelta(days=2), country="FR")
    p = engine.apply(p, ev.CallAttempted(at=t - timedelta(days=2), outcome="connected"))
    p = engine.apply(
        p,
        ev.MeetingBooked(
            at=t - timedelta(days=2), meeting_id="m1", starts_at=t + timedelta(days=2)
        ),
    )
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    lunch = datetime(2026, 3, 10, 13, 0, tzinfo=paris)
    plan = engine.plan(p, lunch)
    assert (plan[0].kind, plan[0].rules) == (ActionKind.CALL, ("R14",))
    assert plan[0].earliest == datetime(2026, 3, 10, 14, 0, tzinfo=paris)
    assert "overdue" in plan[0].flags
    assert all(a.earliest >= plan[0].earliest for a in plan[1:])


def test_r14_the_material_waits_for_the_apology_call_that_waits_for_another_call(
    engine: Engine, monday: datetime
) -> None:
    """The rep cancels one meeting and does not call; that afternoon the prospect misses
    another. The overdue apology and the call about the missed meeting, due five minutes
    apart, are one call at 15:05: the new times and the material for the cancelled meeting
    still follow it (they went out at 15:00, before the apology)."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=monday + DAY * 2))
    p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m2", starts_at=_at(monday, 14)))
    p = engine.apply(p, ev.MeetingCancelled(at=_at(monday, 10), meeting_id="m1", by="rep"))
    p = engine.apply(p, ev.MeetingNoShow(at=_at(monday, 15), meeting_id="m2"))
    plan = engine.plan(p, _at(monday, 15))
    call = plan[0]
    assert (call.kind, call.rules) == (ActionKind.CALL, ("R14", "R2"))
    assert call.earliest == _at(monday, 15, 5)
    assert all(a.earliest >= call.earliest for a in plan[1:])
    assert engine.next_action(p, _at(monday, 15)) == call
    # The new times R14 owes now stand (not put off to tomorrow's offer for the missed one),
    # with the material, right after the call.
    (times,) = [a for a in plan if ActionKind.PROPOSE_TIMES in a.kinds]
    assert times.kinds == (ActionKind.PROPOSE_TIMES, ActionKind.SEND_COLLATERAL)
    assert (times.rules, times.earliest) == (("R14",), call.earliest)


def test_r14_rep_cancel_call_reaching_voicemail_gets_an_apologetic_email_same_day(
    engine: Engine, monday: datetime
) -> None:
    p, call = _cancelled_by_rep(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    plan = engine.plan(p, call.earliest)
    email = next(a for a in plan if a.rules == ("R14", "R6"))
    assert email.priority is Priority.RESCHEDULE
    assert "apologetic" in email.reason
    assert email.latest.date() == call.earliest.date()
    assert p.stage is Stage.ENGAGED  # the rep's cancellation is not the prospect's silence
    assert p.unanswered == 0


def test_r14_the_apology_after_the_voicemail_proposes_the_new_times(
    engine: Engine, monday: datetime
) -> None:
    """The seed: the message that apologises for cancelling carries the new times. The apology
    email after the voicemail, the proposal and the promised material are one email, not
    three sent a minute apart."""
    p, call = _cancelled_by_rep(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    plan = engine.plan(p, call.earliest)
    emails = [a for a in plan if a.channel is Channel.EMAIL]
    assert [(a.kind, a.rules, a.also) for a in emails] == [
        (ActionKind.PROPOSE_TIMES, ("R14", "R6"), (ActionKind.SEND_COLLATERAL,))
    ]
    one = emails[0]
    assert one.detail == "m1"
    assert len(one.proposals) == 3
    assert one.talking_points[0].startswith("Apologise for cancelling and say you left a voicemail")
    assert one.latest.date() == call.earliest.date()  # R6: the same day
    p = engine.apply(p, ev.EmailSent(at=call.earliest + timedelta(minutes=10)))
    owed = {o.key for o in p.obligations}
    assert owed == set()


def test_r14_a_reply_before_the_apology_leaves_the_times_to_propose(
    engine: Engine, monday: datetime
) -> None:
    """They reply before the apology goes out: no voicemail to mention any more, but the new
    times are still owed, as R14 alone."""
    p, call = _cancelled_by_rep(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    p = engine.apply(p, ev.EmailReplied(at=call.earliest + timedelta(minutes=1)))
    times = next(a for a in engine.plan(p, call.earliest) if a.kind is ActionKind.PROPOSE_TIMES)
    assert times.rules == ("R14",)
    assert "voicemail" not in times.reason
    assert not any("voicemail" in s for s in times.talking_points)


def test_r14_a_bounce_before_the_apology_moves_the_times_to_the_phone(
    engine: Engine, monday: datetime
) -> None:
    """The email bounces before the apology goes out: the times are proposed by phone, and
    nothing on the phone claims to be the email that follows the voicemail (R6)."""
    p, call = _cancelled_by_rep(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    p = engine.apply(p, ev.EmailBounced(at=call.earliest + timedelta(minutes=1)))
    plan = engine.plan(p, call.earliest + timedelta(minutes=1))
    times = next(a for a in plan if a.kind is ActionKind.PROPOSE_TIMES)
    assert (times.channel, times.rules) == (Channel.PHONE, ("R14",))
    assert not any("R6" in a.rules for a in plan)


def test_r14_a_preference_for_the_phone_keeps_the_apology_an_email(
    engine: Engine, monday: datetime
) -> None:
    """They say they prefer the phone after the voicemail (R16): the apology that mentions
    the voicemail still goes in writing, with the new times."""
    p, call = _cancelled_by_rep(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    later = call.earliest + timedelta(minutes=1)
    p = engine.apply(p, ev.ChannelPreference(at=later, channel="phone"))
    times = next(a for a in engine.plan(p, later) if a.kind is ActionKind.PROPOSE_TIMES)
    assert (times.channel, times.rules) == (Channel.EMAIL, ("R14", "R6"))


def test_r14_a_wrong_number_puts_the_apology_in_the_written_proposal(
    engine: Engine, monday: datetime
) -> None:
    """The apology call finds a wrong number: one email apologises and proposes the new times,
    rather than an email saying "call ... (tone matters)" next to the proposal."""
    p, call = _cancelled_by_rep(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="wrong_number"))
    plan = engine.plan(p, call.earliest)
    r14 = [(a.kind, a.channel, a.also) for a in plan if "R14" in a.rules]
    assert r14 == [(ActionKind.PROPOSE_TIMES, Channel.EMAIL, (ActionKind.SEND_COLLATERAL,))]
    assert plan[0].talking_points[0] == "Apologise for cancelling, warmly; keep it brief."


def test_r14_a_wrong_number_after_the_times_went_out_leaves_a_brief_apology_by_email(
    engine: Engine, monday: datetime
) -> None:
    p, call = _cancelled_by_rep(engine, monday)
    p = engine.apply(p, ev.EmailSent(at=call.earliest))  # the proposal, sent first
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="wrong_number"))
    apology = next(a for a in engine.plan(p, call.earliest) if "R14" in a.rules)
    assert (apology.kind, apology.channel) == (ActionKind.EMAIL, Channel.EMAIL)
    assert apology.reason.startswith("their number does not work: apologise by email")
    assert apology.talking_points == ("Apologise for cancelling, warmly; keep it brief.",)


def test_r14_a_bounce_before_the_call_leaves_the_new_times_and_the_material_to_the_call(
    engine: Engine, monday: datetime
) -> None:
    """Their email bounces before the apology call: the call apologises and proposes the new
    times (its reason says so), not a second call at the same minute to propose them. The
    material, now owed on the phone too, is the same call's last point: ask for an address that
    works. One call does it all (one call, not three)."""
    p = _booked(engine, monday)
    t = monday + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    p = engine.apply(p, ev.EmailBounced(at=t))
    plan = engine.plan(p, t)
    call = plan[0]
    assert [(a.kind, a.channel) for a in plan if "R14" in a.rules] == [
        (ActionKind.CALL, Channel.PHONE)
    ]
    assert "propose new times" in call.reason
    assert "in the same call: send now the material" in call.reason
    assert call.talking_points[0].startswith("Apologise for cancelling")
    assert any(
        point.startswith("Their email bounced: ask for an address that works; once it is logged")
        for point in call.talking_points
    )
    after = engine.apply(p, ev.CallAttempted(at=call.earliest_utc, outcome="voicemail"))
    assert "reschedule_call" not in {o.key for o in after.obligations}
    # The material itself waits on email, unseen while the address bounces, until a new one
    # is logged (tests/scenarios/test_contacts.py).
    assert [o.channel for o in after.obligations if o.key == "collateral:m1"] == [Channel.EMAIL]
    assert ActionKind.SEND_COLLATERAL not in {a.kind for a in engine.plan(after, t)}


def test_r14_a_second_voicemail_adds_no_second_email_about_it(
    engine: Engine, monday: datetime
) -> None:
    """The apology call reaches voicemail, and the rep calls again (voicemail again) before
    writing: the proposal already says a voicemail was left, so it stays the one email that
    mentions it (a long hypothesis run found a second, plain R6 email beside it)."""
    p, call = _cancelled_by_rep(engine, monday)
    for _ in range(2):
        p = engine.apply(p, ev.CallAttempted(at=call.earliest_utc, outcome="voicemail"))
    mentioning = [a for a in engine.plan(p, call.earliest_utc) if "R6" in a.rules]
    assert [(a.kind, a.rules) for a in mentioning] == [(ActionKind.PROPOSE_TIMES, ("R14", "R6"))]


def test_r14_local_prospect_is_offered_coffee_or_lunch(engine: Engine, monday: datetime) -> None:
    p = _booked(engine, monday, local=True)
    p = engine.apply(p, ev.MeetingCancelled(at=monday, meeting_id="m1", by="rep"))
    times = next(a for a in engine.plan(p, monday) if a.kind is ActionKind.PROPOSE_TIMES)
    assert any("coffee or lunch" in s for s in times.talking_points)


def test_r15_prospect_cancels_stays_engaged_and_gets_new_times(
    engine: Engine, monday: datetime
) -> None:
    p = _booked(engine, monday)
    t = monday + timedelta(days=1)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="prospect"))
    assert p.stage is Stage.ENGAGED
    act = engine.next_action(p, t)
    assert act.kind is ActionKind.PROPOSE_TIMES
    assert act.rules == ("R15",)
    assert act.earliest <= t + timedelta(minutes=5)
    assert act.latest.date() <= engine.calendar(p).add_business_days(t.date(), 1)
    assert len(act.proposals) == 3
    assert all(d > t for d in act.proposals)


def test_r15_rebooked_meeting_gets_material_due_before_it_starts(
    engine: Engine, monday: datetime
) -> None:
    p = _booked(engine, monday)
    t = monday + timedelta(days=1)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="prospect"))
    new_start = t + timedelta(days=5)
    p = engine.apply(p, ev.MeetingBooked(at=t, meeting_id="m1", starts_at=new_start))
    plan = engine.plan(p, t)
    material = next(a for a in plan if a.kind is ActionKind.SEND_COLLATERAL)
    assert material.rules == ("R15",)
    assert material.latest <= new_start
    assert plan[-1].kind is ActionKind.ATTEND_MEETING


def test_no_show_gets_a_recovery_call_within_one_business_day(
    engine: Engine, monday: datetime
) -> None:
    p = _booked(engine, monday)
    start = monday + timedelta(days=3)  # Thursday
    p = engine.apply(p, ev.MeetingNoShow(at=start + timedelta(minutes=20), meeting_id="m1"))
    act = engine.next_action(p, start + timedelta(minutes=20))
    assert act.kind is ActionKind.CALL
    assert act.detail == "m1"
    cal = engine.calendar(p)
    assert act.earliest.date() <= cal.add_business_days(start.date(), 1)
    assert act.latest.date() <= cal.add_business_days(start.date(), 1)
    offers = [a for a in engine.plan(p, act.earliest) if a.kind is ActionKind.PROPOSE_TIMES]
    assert len(offers) == 1  # then reschedule offers in writing
    assert offers[0].earliest > act.earliest


@pytest.mark.parametrize("by", ["rep", "prospect"])
def test_a_no_show_of_a_cancelled_meeting_is_refused_unless_it_was_booked_again(
    engine: Engine, monday: datetime, by: str
) -> None:
    """A calendar that marks the empty slot of a cancelled meeting "no-show" would have the
    rep call to say "you missed our meeting" about one the rep (R14) or the prospect (R15)
    cancelled. It is refused, naming the meeting, and the state is left as it was; once the
    meeting is booked again, a no-show of it is a no-show."""
    p = _booked(engine, monday)
    start = monday + timedelta(days=3)
    p = engine.apply(p, ev.MeetingCancelled(at=monday + timedelta(hours=2), meeting_id="m1", by=by))
    before = p.model_dump_json()
    late = ev.MeetingNoShow(at=start + timedelta(minutes=20), meeting_id="m1", id="cal-1")
    with pytest.raises(
        InvalidInputError, match=rf"^meeting_id: 'm1' was cancelled by the {by}"
    ) as info:
        engine.apply(p, late)
    assert info.value.field == "meeting_id"
    assert p.model_dump_json() == before
    history: list[ev.Event] = [
        ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=start),
        ev.MeetingCancelled(at=monday + timedelta(hours=2), meeting_id="m1", by=by),
        late,
    ]
    with pytest.raises(InvalidInputError, match="cannot have been missed"):
        engine.replay("lee", history, timezone="America/Chicago", at=monday, country="US")
    # Another meeting's no-show, or one never booked here, is accepted as before.
    assert engine.apply(p, late.model_copy(update={"meeting_id": "m2"})).meetings == p.meetings
    again = engine.apply(
        p, ev.MeetingBooked(at=start - timedelta(days=1), meeting_id="m1", starts_at=start)
    )
    missed = engine.apply(again, late)
    assert [m.status for m in missed.meetings] == ["no_show"]
    assert engine.next_action(missed, late.at).detail == "m1"


def test_a_meeting_held_after_a_no_show_was_marked_drops_the_no_shows_work(
    engine: Engine, monday: datetime
) -> None:
    """The calendar marks the meeting missed at ten past; the prospect joins late and the rep
    logs it held: no "you missed it" call, no offer of new times for it. Held first, a
    no-show of it is refused, naming the meeting, as one of a cancelled meeting is."""
    p = _booked(engine, monday)
    start = monday + timedelta(days=3)
    agreed = start + timedelta(days=7)
    missed = engine.apply(p, ev.MeetingNoShow(at=start + timedelta(minutes=10), meeting_id="m1"))
    held = ev.MeetingHeld(at=start + timedelta(minutes=45), meeting_id="m1", next_contact_at=agreed)
    q = engine.apply(missed, held)
    assert [(a.kind, a.rules) for a in engine.plan(q, held.at)] == [(ActionKind.CALL, ("R1",))]
    assert [m.status for m in q.meetings] == ["held"]
    first = engine.apply(p, held.model_copy(update={"at": start + timedelta(minutes=30)}))
    before = first.model_dump_json()
    late = ev.MeetingNoShow(at=start + timedelta(minutes=40), meeting_id="m1")
    with pytest.raises(InvalidInputError, match=r"^meeting_id: 'm1' was held, so it cannot") as e:
        engine.apply(first, late)
    assert e.value.field == "meeting_id"
    assert first.model_dump_json() == before


@pytest.mark.parametrize("ids", [("a", "b"), ("b", "a")])
def test_a_meeting_held_and_missed_at_one_instant_is_held_whatever_the_order(
    engine: Engine, monday: datetime, ids: tuple[str, str]
) -> None:
    """The calendar marks the meeting missed and the rep logs it held, both stamped 10:30.
    Their order says nothing: ``replay`` sorts them by id, and refused the history when the
    no-show's id sorted after the hold's. Held wins, in ``replay`` and in ``apply`` alike."""
    start = monday + timedelta(days=3)
    at = start + timedelta(minutes=30)
    booked = ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=start, id="x")
    missed = ev.MeetingNoShow(at=at, meeting_id="m1", id=ids[0])
    held = ev.MeetingHeld(at=at, meeting_id="m1", id=ids[1])
    kw: dict[str, Any] = {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"}
    replayed = engine.replay("lee", [booked, missed, held], **kw)
    p = engine.enroll("lee", at=monday, **kw)
    p = engine.apply(p, booked)
    applied = [
        engine.apply(engine.apply(p, first), second)
        for first, second in ((missed, held), (held, missed))
    ]
    for q in (replayed, *applied):
        assert [m.status for m in q.meetings] == ["held"]
        assert engine.plan(q, at) == engine.plan(replayed, at)


_EPOCH = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))  # (each test sets its own instant)


@pytest.mark.parametrize("ids", [("a", "b"), ("b", "a")])
@pytest.mark.parametrize(
    "withdrawal",
    [ev.DealClosed(at=_EPOCH, won=False), ev.OptedOut(at=_EPOCH, channels=["meeting"])],
    ids=["deal-lost", "meetings-refused"],
)
def test_a_meeting_withdrawn_and_missed_at_one_instant_is_withdrawn_whatever_the_order(
    engine: Engine, monday: datetime, ids: tuple[str, str], withdrawal: ev.Event
) -> None:
    """The deal is lost (or meetings refused) and the calendar marks the meeting missed, both
    stamped 10:30. Their order says nothing, but ``replay`` (by id and payload) refused the
    whole history when the withdrawal sorted first: a no-show of a withdrawn meeting. The
    withdrawal wins, in ``replay`` and in ``apply`` alike (hypothesis found the history)."""
    start = monday + timedelta(days=3)
    at = start + timedelta(minutes=30)
    booked = ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=start, id="x")
    missed = ev.MeetingNoShow(at=at, meeting_id="m1", id=ids[0])
    gone = withdrawal.model_copy(update={"at": at, "id": ids[1]})
    kw: dict[str, Any] = {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"}
    replayed = engine.replay("lee", [booked, missed, gone], **kw)
    p = engine.enroll("lee", at=monday, **kw)
    p = engine.apply(p, booked)
    applied = [
        engine.apply(engine.apply(p, first), second)
        for first, second in ((missed, gone), (gone, missed))
    ]
    for q in (replayed, *applied):
        assert q.stage is replayed.stage
        assert engine.plan(q, at + DAY) == engine.plan(replayed, at + DAY)


@pytest.mark.parametrize(
    ("first", "ids"),
    [
        ("opted_out", ("a", None)),  # at one instant replay folds the opt-out last
        ("deal_closed", ("z", "a")),  # the no-show's id sorts first
        ("rebooked", ("z", "a")),
    ],
)
def test_a_no_show_apply_took_after_an_event_at_its_instant_is_not_refused_by_replay(
    engine: Engine, monday: datetime, first: str, ids: tuple[str, str | None]
) -> None:
    """The rep cancelled the meeting; then, in one second, the prospect opted out (or the deal
    was won, or the meeting booked again) and the calendar marked it missed. ``apply`` took
    the no-show after the first (a closed prospect ignores it; a rebooked meeting can be
    missed), but ``replay``, folding the no-show first at that instant, refused the whole
    history: a state ``apply`` built could not be rebuilt."""
    start = monday + timedelta(days=3)
    at = start + timedelta(minutes=30)
    events: dict[str, ev.Event] = {
        "opted_out": ev.OptedOut(at=at, id=ids[0]),
        "deal_closed": ev.DealClosed(at=at, won=True, id=ids[0]),
        "rebooked": ev.MeetingBooked(
            at=at, meeting_id="m1", starts_at=at + timedelta(hours=1), id=ids[0]
        ),
    }
    then = events[first]
    history: list[ev.Event] = [
        ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=start, id="x"),
        ev.MeetingCancelled(at=monday + timedelta(hours=1), meeting_id="m1", by="rep", id="y"),
        then,
        ev.MeetingNoShow(at=at, meeting_id="m1", id=ids[1]),
    ]
    kw: dict[str, Any] = {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"}
    p = engine.enroll("lee", at=monday, **kw)
    for event in history:
        p = engine.apply(p, event)
    replayed = engine.replay("lee", history, at=monday, **kw)
    assert replayed == p
    with pytest.raises(InvalidInputError, match="was cancelled by the rep") as e:
        engine.replay("lee", [*history[:2], history[3]], at=monday, **kw)  # alone, refused
    assert e.value.field == "meeting_id"


def test_a_second_cancellation_of_a_cancelled_meeting_changes_nothing(
    engine: Engine, monday: datetime
) -> None:
    """A calendar sync that sends the rep's cancellation again, under a new id, after the rep
    has apologised and proposed times: no second apology call, no second proposal (R14)."""
    p, call = _cancelled_by_rep(engine, monday)
    p = engine.apply(
        p,
        ev.CallAttempted(
            at=call.earliest, outcome="connected", next_contact_at=call.earliest + 2 * DAY
        ),
    )
    p = engine.apply(p, ev.EmailSent(at=call.earliest + timedelta(minutes=15)))
    after = call.earliest + timedelta(minutes=20)
    expected = engine.plan(p, after + timedelta(minutes=1))
    for by in ("rep", "prospect"):
        again = ev.MeetingCancelled(at=after, meeting_id="m1", by=by, id="cal-2")
        q = engine.apply(p, again)
        assert engine.plan(q, after + timedelta(minutes=1)) == expected
        assert q.meetings == p.meetings


def test_a_connected_call_with_a_meeting_booked_ahead_needs_no_default_follow_up(
    engine: Engine, monday: datetime
) -> None:
    """The calendar's webhook for the meeting booked on the call arrives before the dialer
    logs the call: the meeting is the agreed next contact (R1), as in the other order."""
    p = _lee(engine, monday)
    booking = ev.MeetingBooked(
        at=monday + timedelta(minutes=5), meeting_id="m1", starts_at=monday + 3 * DAY
    )
    call = ev.CallAttempted(at=monday + timedelta(minutes=8), outcome="connected", permission=True)
    one = engine.apply(engine.apply(p, booking), call)
    other = engine.apply(engine.apply(p, call.model_copy(update={"at": booking.at})), booking)
    for q in (one, other):
        plan = engine.plan(q, monday + timedelta(minutes=9))
        assert [a.kind for a in plan] == [ActionKind.ATTEND_MEETING]


def test_r11_a_lost_deal_withdraws_its_booked_meeting_and_drips(
    engine: Engine, monday: datetime
) -> None:
    """Lost, with a meeting still on the calendar: the meeting is off, and the slow drip (R11)
    starts a drip interval after the loss instead of waiting behind it for ever."""
    p = _booked(engine, monday)
    lost_at = monday + DAY
    p = engine.apply(p, ev.DealClosed(at=lost_at, won=False))
    assert p.stage is Stage.DRIP
    assert [m.status for m in p.meetings] != ["booked"]
    act = engine.next_action(p, lost_at + timedelta(minutes=1))
    assert act.kind is ActionKind.DRIP_TOUCH
    assert act.earliest >= lost_at + timedelta(days=engine.policy.drip_interval_days)


def test_r15_a_meeting_rebooked_under_a_new_id_gets_the_material_too(
    engine: Engine, monday: datetime
) -> None:
    """Calendars often book the new time as a new event: the first booking after the prospect
    cancelled is the rescheduled meeting (R15), whatever its id. A booking after a held one
    is not."""
    p = _booked(engine, monday)
    t = monday + DAY
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="prospect"))
    q = engine.apply(p, ev.MeetingBooked(at=t, meeting_id="m2", starts_at=t + 5 * DAY))
    material = [a for a in engine.plan(q, t) if a.kind is ActionKind.SEND_COLLATERAL]
    assert [(a.rules, a.detail) for a in material] == [(("R15",), "m2")]
    held = engine.apply(
        engine.apply(q, ev.MeetingHeld(at=t + 5 * DAY, meeting_id="m2")),
        ev.MeetingBooked(at=t + 6 * DAY, meeting_id="m3", starts_at=t + 9 * DAY),
    )
    assert not [a for a in engine.plan(held, t + 6 * DAY) if a.kind is ActionKind.SEND_COLLATERAL]


def test_r14_an_apology_call_the_law_puts_off_to_the_morning_does_not_say_now(
    engine: Engine, monday: datetime
) -> None:
    """The rep cancels at 21:30, past the legal hours: the apology call is due the next
    morning, and its reason no longer says "call now" above it."""
    p = _booked(engine, monday)
    late = monday.replace(hour=21, minute=30)
    p = engine.apply(p, ev.MeetingCancelled(at=late, meeting_id="m1", by="rep"))
    act = engine.next_action(p, late)
    assert (act.kind, act.rules) == (ActionKind.CALL, ("R14",))
    assert act.earliest.date() == (monday + DAY).date()
    assert act.reason.startswith("you cancelled the meeting: call at the first moment you may")
    assert "now" not in act.reason


def test_r14_after_they_book_again_the_apology_call_confirms_rather_than_proposes(
    engine: Engine, monday: datetime
) -> None:
    """The prospect books a new time (from the invitation, say) before the rep's apology call:
    the call still comes first (R14), to apologise, and no longer asks for new times."""
    p, call = _cancelled_by_rep(engine, monday)
    later = call.earliest + timedelta(minutes=1)
    q = engine.apply(p, ev.MeetingBooked(at=later, meeting_id="m1", starts_at=later + 3 * DAY))
    act = engine.next_action(q, later)
    assert (act.kind, act.channel, act.rules) == (ActionKind.CALL, Channel.PHONE, ("R14",))
    assert "confirm the new time" in act.reason
    assert not any("new times" in t for t in act.talking_points)
    assert any("thank them for booking again" in t for t in act.talking_points)
    # They cancel the new time too before the call: nothing is booked to confirm any more.
    # The call apologises and proposes times again (and R15's "connecting moment" joins it).
    off = later + timedelta(minutes=5)
    r = engine.apply(q, ev.MeetingCancelled(at=off, meeting_id="m1", by="prospect"))
    act = engine.next_action(r, off)
    assert (act.kind, act.channel, act.rules) == (ActionKind.CALL, Channel.PHONE, ("R14", "R15"))
    assert "confirm the new time" not in act.reason
    assert "apologise and propose new times" in act.reason
    assert not any("booking again" in t for t in act.talking_points)


def test_r15_a_meeting_withdrawn_with_a_lost_deal_is_not_a_cancellation_to_reschedule(
    engine: Engine, monday: datetime
) -> None:
    """A lost deal withdraws its meeting; a booking weeks later is a new meeting, not the
    rescheduled one of R15: no material owed for it."""
    p = engine.apply(_booked(engine, monday), ev.DealClosed(at=monday + DAY, won=False))
    assert [m.status for m in p.meetings] == ["withdrawn"]
    later = monday + 40 * DAY
    q = engine.apply(p, ev.MeetingBooked(at=later, meeting_id="m2", starts_at=later + 7 * DAY))
    assert not [o for o in q.obligations if o.key.startswith("collateral:")]


def test_r5_an_agreed_call_with_a_meeting_ahead_promises_no_retry(
    engine: Engine, monday: datetime
) -> None:
    """With a meeting booked ahead, an agreed call that reaches voicemail leads to no retry
    (the ladder waits for the meeting): its script promises none."""
    p = _booked(engine, monday)  # a meeting three days on
    agreed = monday + DAY
    p = engine.apply(
        p,
        ev.CallAttempted(
            at=monday + timedelta(hours=1), outcome="connected", next_contact_at=agreed
        ),
    )
    call = engine.next_action(p, monday + timedelta(hours=2))
    assert "R1" in call.rules
    assert not [t for t in call.talking_points if t.startswith("If you reach voicemail")]


def test_r14_a_preference_for_email_stated_after_the_rep_cancels_keeps_the_apology_a_call(
    engine: Engine, monday: datetime
) -> None:
    """Phone first (R14, tone matters) whatever the order the facts arrive in: as with a
    preference known at enrolment, the apology stays a call and the times one email."""
    p, call = _cancelled_by_rep(engine, monday)
    later = call.earliest + timedelta(minutes=2)
    q = engine.apply(p, ev.ChannelPreference(at=later, channel="email"))
    plan = engine.plan(q, later)
    assert (plan[0].kind, plan[0].channel, plan[0].rules) == (
        ActionKind.CALL,
        Channel.PHONE,
        ("R14",),
    )
    assert [a.kind for a in plan if a.channel is Channel.EMAIL].count(ActionKind.EMAIL) == 0


def test_a_bounce_after_the_recovery_calls_voicemail_leaves_the_no_show_offer_as_it_was(
    engine: Engine, monday: datetime
) -> None:
    """The R6 email after the recovery call's voicemail is dropped by a bounce. Only R14's
    proposal that also apologised for a voicemail is rewritten then; the missed meeting's
    offer of times moves to the phone and keeps its own reason, which suits a call too."""
    p = _booked(engine, monday)
    start = monday + timedelta(days=3)
    missed = start + timedelta(minutes=20)
    p = engine.apply(p, ev.MeetingNoShow(at=missed, meeting_id="m1"))
    p = engine.apply(p, ev.CallAttempted(at=missed + timedelta(minutes=10), outcome="voicemail"))
    p = engine.apply(p, ev.EmailBounced(at=missed + timedelta(minutes=20)))
    (offer,) = [a for a in engine.plan(p, missed) if a.kind is ActionKind.PROPOSE_TIMES]
    assert (offer.channel, offer.rules) == (Channel.PHONE, ("R2",))
    assert offer.reason == "after the missed meeting, offer new times"  # (not "in writing")


def test_r17_not_now_pauses_until_the_date(engine: Engine, monday: datetime) -> None:
    p = _booked(engine, monday)
    march = datetime(2026, 4, 1, 9, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingCancelled(at=monday, meeting_id="m1", by="prospect"))
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="not_now", resume_at=march))
    act = engine.next_action(p, monday)
    assert act.kind is ActionKind.WAIT
    assert act.earliest == march
    after = engine.next_action(p, march)
    assert after.kind is not ActionKind.WAIT
    assert after.earliest >= march
    assert "R17" in after.rules or after.kind is ActionKind.PROPOSE_TIMES


def test_r17_not_now_without_a_date_pauses_for_the_drip_interval(monday: datetime) -> None:
    """A reply of 'not now' with no date: the policy's drip interval (here 20 days), then a
    follow-up that says when it was asked for."""
    engine = Engine(cadence.Policy(drip_interval_days=20))
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="not_now"))
    resume = monday + DAY * 20
    assert p.paused_until == resume
    act = engine.next_action(p, monday)
    assert (act.kind, act.earliest) == (ActionKind.WAIT, resume)
    after = engine.next_action(p, resume)
    assert (after.kind, after.rules) == (ActionKind.CALL, ("R17",))
    assert after.earliest >= resume
    assert after.reason == "they said not now; resume from Sun 29 Mar, a drip interval later"


@pytest.mark.parametrize(
    ("until", "back"),
    [
        (datetime(2026, 3, 13, 17, 0, tzinfo=CHICAGO), "2026-03-16"),  # back Fri: Mon after
        (None, "2026-03-16"),  # no date: the policy's 5 business days
    ],
)
def test_r17_out_of_office_pauses_until_the_next_business_day_after_return(
    engine: Engine, monday: datetime, until: datetime | None, back: str
) -> None:
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.OutOfOffice(at=monday, until=until))
    act = engine.next_action(p, monday)
    assert act.kind is ActionKind.WAIT
    assert act.earliest.date().isoformat() == back
    assert engine.next_action(p, act.earliest).kind is ActionKind.CALL


@pytest.mark.parametrize(
    "until",
    [
        datetime(2026, 3, 14, 12, 0, tzinfo=CHICAGO),  # Saturday noon
        datetime(2026, 3, 15, 20, 0, tzinfo=CHICAGO),  # Sunday evening
        datetime(2026, 3, 13, 17, 0, tzinfo=CHICAGO),  # Friday, after hours
    ],
    ids=["saturday", "sunday", "friday"],
)
def test_r17_out_of_office_until_the_weekend_resumes_on_the_monday_after(
    engine: Engine, monday: datetime, until: datetime
) -> None:
    """Back on Friday, Saturday or Sunday: contact resumes on the first business day after the
    return, Monday 16 March, not a day later."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.OutOfOffice(at=monday, until=until))
    assert p.paused_until == _at(monday + 7 * DAY, 0)
    assert engine.next_action(p, monday).earliest == _at(monday + 7 * DAY, 0)


def test_r17_out_of_office_until_a_holiday_resumes_on_the_business_day_after() -> None:
    """Back on Memorial Day (Monday 25 May 2026, a US holiday): contact resumes on Tuesday 26,
    the first business day after it; back on the Friday before it, also on Tuesday 26."""
    engine = Engine(cadence.Policy())
    friday = datetime(2026, 5, 15, 10, 0, tzinfo=CHICAGO)
    p = engine.enroll("lee", timezone="America/Chicago", at=friday, country="US")
    tuesday = datetime(2026, 5, 26, 0, 0, tzinfo=CHICAGO)
    for back in (datetime(2026, 5, 25, 12, 0, tzinfo=CHICAGO), friday + 7 * DAY):
        q = engine.apply(p, ev.OutOfOffice(at=friday, until=back))
        assert q.paused_until == tuesday, back


def test_r17_out_of_office_until_later_today_waits_until_they_are_back(
    engine: Engine, monday: datetime
) -> None:
    """An auto-reply at 09:30 says "back at 14:00 today": nothing before 14:00 (it was
    09:35, the reaction delay, as if they were in). Back tomorrow: the day after, as before."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    back = _at(monday, 14)
    away = engine.apply(p, ev.OutOfOffice(at=monday, until=back))
    act = engine.next_action(away, monday)
    assert (act.kind, act.earliest) == (ActionKind.WAIT, back)
    assert engine.next_action(away, back).earliest == back
    tomorrow = engine.apply(p, ev.OutOfOffice(at=monday, until=back + DAY))
    assert engine.next_action(tomorrow, monday).earliest == _at(monday + DAY * 2, 0)


@pytest.mark.parametrize("intent", ["neutral", None])
def test_a_reply_without_a_decision_is_followed_up_the_next_business_day(
    engine: Engine, monday: datetime, intent: str | None
) -> None:
    """A reply that neither books, defers nor redirects (R2): answered on the next business
    day, Monday for a Friday reply."""
    friday = monday + timedelta(days=4)
    for replied, expected in ((monday, "2026-03-10"), (friday, "2026-03-16")):
        p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
        p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail"))
        p = engine.apply(p, ev.EmailReplied(at=replied, intent=intent))
        act = engine.next_action(p, replied)
        assert p.stage is Stage.ENGAGED
        assert (act.kind, act.rules) == (ActionKind.CALL, ("R2",))
        assert act.reason == "they replied: follow up on their answer"
        assert act.earliest.date().isoformat() == expected


def test_referral_escalates_naming_the_referral(engine: Engine, monday: datetime) -> None:
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="referral", referral="Sam Ortiz"))
    act = engine.next_action(p, monday)
    assert act.kind is ActionKind.ESCALATE
    assert act.detail == "Sam Ortiz"
    assert "Sam Ortiz" in act.reason
    # The call is to Sam, about the referral (not "ask who else is involved", which is for
    # the wrong person).
    assert act.flags == ("referral",)
    assert act.talking_points == (engine.policy.templates.referral,)


def test_wrong_person_asks_who_else_is_involved(engine: Engine, monday: datetime) -> None:
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="wrong_person"))
    act = engine.next_action(p, monday)
    assert (act.kind, act.rules, act.flags) == (ActionKind.ESCALATE, ("R9",), ())
    assert act.talking_points == (engine.policy.templates.ask_decision_makers,)


def test_wrong_person_who_names_the_right_one_is_a_referral(
    engine: Engine, monday: datetime
) -> None:
    """ "Not me; talk to Sam Ortiz": the name they gave was dropped from the reason, and the
    rep was told to ask who else is involved, which they had just said."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="wrong_person", referral="Sam Ortiz"))
    act = engine.next_action(p, monday)
    assert (act.kind, act.detail, act.flags) == (ActionKind.ESCALATE, "Sam Ortiz", ("referral",))
    assert act.reason == (
        "wrong person: they named Sam Ortiz instead: contact them, mentioning the referral"
    )
    assert act.talking_points == (engine.policy.templates.referral,)


@pytest.mark.parametrize("name", [None, "", "  "])
def test_a_referral_without_a_name_asks_whom(
    engine: Engine, monday: datetime, name: str | None
) -> None:
    """A referral that named no one said "they referred you to the right person: contact
    them" (or to "  "), as if the rep knew whom to call."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="referral", referral=name))
    act = engine.next_action(p, monday)
    assert (act.kind, act.flags) == (ActionKind.ESCALATE, ("referral",))
    assert act.reason == (
        "they referred you to someone else without naming them: ask them whom, then contact "
        "that person, mentioning the referral"
    )
    assert act.talking_points == (
        "They named no one: ask them whom to contact, and how.",
        engine.policy.templates.referral,
    )


def test_r16_preferred_channel_email_leads_follow_ups(engine: Engine, monday: datetime) -> None:
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.ChannelPreference(at=monday, channel=Channel.EMAIL))
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected"))
    act = engine.next_action(p, monday)
    assert (act.kind, act.channel) == (ActionKind.EMAIL, Channel.EMAIL)


def test_r16_is_cited_only_while_the_preferred_channel_leads(
    engine: Engine, monday: datetime
) -> None:
    """The first touch goes by the channel they prefer, and says R16. Once that address
    bounces, the ladder goes by phone, and no longer cites a preference it does not follow."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.ChannelPreference(at=monday, channel=Channel.EMAIL))
    first = engine.next_action(p, monday)
    assert (first.channel, first.rules) == (Channel.EMAIL, ("R2", "R16"))
    p = engine.apply(p, ev.EmailSent(at=first.earliest))
    p = engine.apply(p, ev.EmailBounced(at=first.earliest + timedelta(minutes=1)))
    then = engine.next_action(p, first.earliest + timedelta(minutes=1))
    assert then.channel is Channel.PHONE
    assert "R16" not in then.rules


def test_proposed_times_ics_parses_back_to_the_same_slots(engine: Engine, monday: datetime) -> None:
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="positive"))
    act = engine.next_action(p, monday)
    payload = proposals_ics(act, stamp=monday)
    parsed = Calendar.from_ical(payload)
    starts = [e.decoded("dtstart") for e in parsed.walk("VEVENT")]
    assert starts == list(act.proposals)
    assert all(str(s.tzinfo) == "America/Chicago" for s in starts)
    with pytest.raises(ValueError, match="propose_times"):
        proposals_ics(
            engine.next_action(engine.enroll("x", timezone="UTC", at=monday), monday), stamp=monday
        )


def test_proposed_times_ics_of_an_action_read_back_from_json_names_no_unknown_zone(
    engine: Engine, monday: datetime
) -> None:
    """A CRM queues the action as JSON and a worker sends the invitation later: the times come
    back with offsets, not zones. They are written in UTC then, not under ``TZID="-05:00"``
    (a zone no calendar client knows, with no VTIMEZONE), and are the same instants."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="positive"))
    act = engine.next_action(p, monday)
    stored = cadence.Action.model_validate_json(act.model_dump_json())
    assert stored == act
    payload = proposals_ics(stored, stamp=monday)
    assert b"TZID" not in payload
    parsed = Calendar.from_ical(payload)
    starts = [e.decoded("dtstart") for e in parsed.walk("VEVENT")]
    assert starts == list(act.proposals)
    assert all(s.utcoffset() == timedelta(0) for s in starts)
    uids = [str(e["uid"]) for e in parsed.walk("VEVENT")]
    live = [
        str(e["uid"]) for e in Calendar.from_ical(proposals_ics(act, stamp=monday)).walk("VEVENT")
    ]
    assert uids == live  # (re-sending from the stored action updates the same events)


def test_booked_meeting_ics_is_in_the_prospect_zone(engine: Engine, monday: datetime) -> None:
    p = _booked(engine, monday)
    parsed = Calendar.from_ical(meeting_ics(p, "m1", stamp=monday))
    (event,) = parsed.walk("VEVENT")
    assert event.decoded("dtstart") == monday + timedelta(days=3)
    assert str(event.decoded("dtstart").tzinfo) == "America/Chicago"
    assert "organizer" not in event
    assert str(event["status"]) == "CONFIRMED"
    cancelled = engine.apply(p, ev.MeetingCancelled(at=monday, meeting_id="m1", by="prospect"))
    invite = meeting_ics(cancelled, "m1", stamp=monday, organizer="rep@example.test")
    (event,) = Calendar.from_ical(invite).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert str(event["organizer"]) == "mailto:rep@example.test"
    with pytest.raises(InvalidInputError, match=r"^meeting_id: 'm2' is not a meeting of 'lee'"):
        meeting_ics(p, "m2", stamp=monday)
    with pytest.raises(InvalidInputError, match=r"^stamp: .* is naive; pass an aware datetime"):
        meeting_ics(p, "m1", stamp=monday.replace(tzinfo=None))


_FOLLOW = st.sampled_from(
    [
        "email_sent",
        "voicemail",
        "bounced",
        "ooo",
        "meeting_booked",
        "reply",
        "prefer_email",
        "connected_again",
        "opted_out",
        "deal_lost",
    ]
)


def _names_the_promise(
    engine: Engine, p: cadence.Prospect, t: datetime, channel: Channel, agreed: datetime
) -> bool:
    """Whether the agreed contact (R1) is what the engine names first on ``channel`` at ``t``,
    on its day or later: a touch there then performs it (otherwise it performs what the
    engine named; a touch the day before keeps no promise)."""
    on = [a for a in engine.plan(p, t) if a.channel is channel]
    day = agreed.astimezone(CHICAGO).replace(hour=0, minute=0, second=0, microsecond=0)
    return bool(on) and _is_the_promise(on[0]) and t >= day


def _is_the_promise(action: cadence.Action) -> bool:
    """The agreed contact (R1), alone or in one call with other calls owed at that moment."""
    return "R1" in action.rules and "agreed with the prospect" in action.reason


def _a_meeting_keeps(engine: Engine, p: cadence.Prospect, agreed: datetime) -> bool:
    """Whether a booked meeting overlaps the agreed time or its grace: it is the agreed
    contact (R1), and no call is named for it."""
    grace = timedelta(minutes=engine.policy.commitment_grace_minutes)
    return any(
        m.status == "booked"
        and m.starts_at < agreed + grace
        and agreed < m.starts_at + timedelta(minutes=m.duration_minutes)
        for m in p.meetings
    )


@given(steps=st.lists(st.tuples(_FOLLOW, st.integers(1, 60 * 24 * 3)), max_size=8))
def test_a_pending_agreed_contact_is_never_dropped_silently(
    steps: list[tuple[str, int]],
) -> None:
    """Whatever happens after a promise, it is in the plan, done, or superseded by an event
    that says so (a new conversation, an opt-out, a closed deal)."""
    engine = Engine()
    t = datetime(2026, 3, 9, 9, 30, tzinfo=CHICAGO)
    p = _lee(engine, t)
    agreed = t + timedelta(days=2)
    p = engine.apply(p, ev.CallAttempted(at=t, outcome="connected", next_contact_at=agreed))
    pending = True
    opted_out = False  # R13: nothing revives a promise after an opt-out
    bounced = False
    channel = Channel.PHONE
    for name, minutes in steps:
        t += timedelta(minutes=minutes)
        event: ev.Event
        if name == "email_sent":
            event = ev.EmailSent(at=t)
            pending = pending and not _names_the_promise(engine, p, t, Channel.EMAIL, agreed)
        elif name == "voicemail":
            event = ev.CallAttempted(at=t, outcome="voicemail")
            pending = pending and not _names_the_promise(engine, p, t, Channel.PHONE, agreed)
        elif name == "bounced":
            event = ev.EmailBounced(at=t)
            bounced = True
            channel = Channel.PHONE  # pending contacts move off the dead address
        elif name == "ooo":
            event = ev.OutOfOffice(at=t, until=t + timedelta(days=2))
        elif name == "meeting_booked":
            event = ev.MeetingBooked(
                at=t, meeting_id=f"m{minutes}", starts_at=t + timedelta(days=4)
            )
        elif name == "reply":
            event = ev.EmailReplied(at=t)
        elif name == "prefer_email":
            event = ev.ChannelPreference(at=t, channel=Channel.EMAIL)
            if not bounced:  # a promise never moves onto a dead address
                channel = Channel.EMAIL
        elif name == "connected_again":
            agreed = t + timedelta(days=1)
            event = ev.CallAttempted(at=t, outcome="connected", next_contact_at=agreed)
            pending = not opted_out  # a new promise supersedes the old one, and says so
            channel = Channel.EMAIL if p.preferred_channel and not bounced else Channel.PHONE
        elif name == "opted_out":
            event = ev.OptedOut(at=t)
            pending = False
            opted_out = True
        else:
            event = ev.DealClosed(at=t, won=False)
            pending = False
        p = engine.apply(p, event)
        promised = [a for a in engine.plan(p, t) if _is_the_promise(a)]
        if _a_meeting_keeps(engine, p, agreed):
            assert promised == [], (name, promised)  # R1: the meeting is the agreed contact
        elif pending:
            assert len(promised) == 1, (name, engine.plan(p, t))
            assert promised[0].channel is channel, (name, promised)
            assert promised[0].due_since == agreed or promised[0].earliest >= min(agreed, t)
        else:
            assert promised == []


# -- one call, not two ---------------------------------------------------------------------------


def test_a_missed_meeting_and_an_overdue_agreed_call_are_one_call(
    engine: Engine, monday: datetime
) -> None:
    """Lee agreed a call for Thursday 14:00 and booked a meeting for the next Tuesday; the rep
    never made Thursday's call, and Lee misses the meeting. Half an hour later two calls are
    owed at once: the overdue agreed call (R1) and the call to reschedule (R2). The engine names
    one call that does both, and one call (voicemail) performs both: it used to name them one
    after the other, so the rep who had just left a voicemail was told to call again."""
    thursday = monday.replace(hour=14, minute=0) + timedelta(days=3)
    p = _lee(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=thursday))
    meeting = thursday + timedelta(days=5)
    p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=meeting))
    p = engine.apply(p, ev.MeetingNoShow(at=meeting + timedelta(minutes=20), meeting_id="m1"))
    t = meeting + timedelta(minutes=30)
    calls = [a for a in engine.plan(p, t) if a.channel is Channel.PHONE]
    assert len(calls) == 1, calls
    call = calls[0]
    assert (call.kind, call.rules, call.earliest) == (ActionKind.CALL, ("R1", "R2"), t)
    assert call.reason.startswith("agreed with the prospect")
    assert "; in the same call: they missed the meeting" in call.reason
    assert "overdue" in call.flags
    p = engine.apply(p, ev.CallAttempted(at=t, outcome="voicemail"))
    assert not {o.key for o in p.obligations} & {"commitment", "no_show_call"}
    again = engine.next_action(p, t)
    assert again.channel is Channel.EMAIL  # the R6 email: no second call
    assert "R6" in again.rules


def test_an_overdue_agreed_call_waits_a_moment_for_the_apology_and_is_one_call(
    engine: Engine, monday: datetime
) -> None:
    """Lee agreed a call for Thursday 14:00; at 14:20 the rep, not having called, cancels the
    meeting (R14). The apology call is due a reaction delay later, at 14:25. The engine names
    one call at 14:25 that does both, still flagged overdue: it used to name the agreed call
    at 14:20 and the apology five minutes after it, two calls in five minutes."""
    thursday = monday.replace(hour=14, minute=0) + timedelta(days=3)
    p = _lee(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=thursday))
    meeting = thursday + timedelta(days=5)
    p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=meeting))
    t = thursday + timedelta(minutes=20)
    before = engine.next_action(p, t)
    assert (before.rules, before.earliest) == (("R1",), t)  # alone, until the cancel
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    calls = [a for a in engine.plan(p, t) if a.channel is Channel.PHONE]
    assert len(calls) == 1, calls
    (call,) = calls
    assert call == engine.next_action(p, t)
    assert (call.kind, call.earliest) == (ActionKind.CALL, t + timedelta(minutes=5))
    assert set(call.rules) == {"R1", "R14"}
    assert "; in the same call: " in call.reason
    p = engine.apply(p, ev.CallAttempted(at=call.earliest_utc, outcome="connected"))
    assert not {o.key for o in p.obligations} & {"commitment", "reschedule_call"}


def test_calls_owed_each_a_moment_after_the_last_are_one_call(
    engine: Engine, monday: datetime
) -> None:
    """Lee agreed to talk Thursday at 14:28. At 14:15 Lee misses the 14:00 intro meeting (a call to
    reschedule is due at 14:20); at 14:20 the rep has to cancel next week's meeting (the
    apology call is due at 14:25). Each call is due within a reaction delay of the one before,
    the first and the last eight minutes apart: one call at 14:28 does all three. The engine
    used to join the first two only and name the agreed call three minutes later, two calls
    in three minutes. (A long hypothesis run found it.)"""
    thursday = monday.replace(hour=14, minute=0) + timedelta(days=3)
    agreed = thursday + timedelta(minutes=28)
    p = _lee(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed))
    intro = ev.MeetingBooked(
        at=monday, meeting_id="intro", starts_at=thursday, duration_minutes=10
    )  # (over before the agreed time: a meeting at that time would be the agreed contact)
    p = engine.apply(p, intro)
    nextweek = thursday + timedelta(days=5)
    p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="demo", starts_at=nextweek))
    p = engine.apply(p, ev.MeetingNoShow(at=thursday + timedelta(minutes=15), meeting_id="intro"))
    t = thursday + timedelta(minutes=20)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="demo", by="rep"))
    calls = [a for a in engine.plan(p, t) if a.channel is Channel.PHONE]
    assert len(calls) == 1, calls
    (call,) = calls
    assert call.earliest == agreed
    assert set(call.rules) == {"R1", "R2", "R14"}
    assert call.reason.count("; in the same call: ") == 2
    p = engine.apply(p, ev.CallAttempted(at=call.earliest_utc, outcome="connected"))
    assert not {o.key for o in p.obligations} & {"commitment", "reschedule_call", "no_show_call"}


def test_a_call_owed_and_the_ladders_call_due_together_are_one_attempt(
    engine: Engine, monday: datetime
) -> None:
    """Lee cancels a meeting (R15): new times are owed by phone, and the ladder's first call
    comes four business days later. The rep lets the proposal wait until the ladder's call is
    due too: one call proposes the times and is the ladder's attempt (its R5 line says when
    the next one is); unanswered, it counts on the ladder once and leaves nothing else owed on
    the phone."""
    p = _lee(engine, monday)
    p = engine.apply(
        p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=monday + timedelta(days=2))
    )
    p = engine.apply(
        p, ev.MeetingCancelled(at=monday + timedelta(hours=1), meeting_id="m1", by="prospect")
    )
    late = monday + timedelta(days=11, hours=1)  # Friday of the next week, 10:30
    plan = engine.plan(p, late)
    call = plan[0]
    assert [a for a in plan if a.channel is Channel.PHONE] == [call]
    assert (call.kind, call.rules) == (ActionKind.PROPOSE_TIMES, ("R15", "R3"))
    assert call.proposals
    assert any(
        t.startswith("If you reach voicemail: say you will try again") for t in call.talking_points
    )
    assert call.talking_points[-1] == engine.policy.templates.ask_channel  # asked once, last
    after = engine.apply(p, ev.CallAttempted(at=late, outcome="voicemail"))
    assert (p.unanswered, after.unanswered) == (0, 1)
    assert [o.key for o in after.obligations] == ["voicemail_email"]


# -- which task a touch performs ----------------------------------------------------------------


def _touch_and_ask(
    engine: Engine, p: cadence.Prospect, event: ev.Event
) -> tuple[cadence.Action, cadence.Prospect, cadence.Action]:
    """What the engine named at the touch's instant, the state after it, and the next answer."""
    named = engine.next_action(p, event.at)
    after = engine.apply(p, event)
    return named, after, engine.next_action(after, event.at)


def test_the_r6_email_and_the_ladders_email_due_together_are_one_email() -> None:
    """A voicemail at 18:00, after email hours, with a one-day gap that switches to email: the
    R6 email and the ladder's email both come due at 08:00 the next day. A rep does not send
    two emails in a minute: the engine names one, the ladder's (its rules, its subject)
    mentioning the voicemail, and that one email performs both. (Before, the engine named the
    R6 email and then, at once, the ladder's.)"""
    policy = cadence.Policy(min_gap_business_days=1, switch_channel_after=1)
    engine = Engine(policy)
    tuesday = datetime(2024, 1, 2, 16, 0, tzinfo=CHICAGO)
    p = _lee(engine, tuesday)
    p = engine.apply(p, ev.CallAttempted(at=tuesday.replace(hour=18), outcome="voicemail"))
    wednesday = datetime(2024, 1, 3, 8, 0, tzinfo=CHICAGO)
    evening = [a for a in engine.plan(p, tuesday.replace(hour=18)) if a.channel is Channel.EMAIL]
    assert [(a.rules, a.earliest) for a in evening] == [(("R3", "R7", "R6"), wednesday)]
    named, p, then = _touch_and_ask(engine, p, ev.EmailSent(at=wednesday))
    assert named == evening[0]
    assert named.subject == "Regarding your request about your project"
    assert named.talking_points == (
        "Use a subject that refers to their request; keep it short.",
        policy.templates.voicemail_email.format(voicemail_day="Tuesday"),
    )
    assert (p.unanswered, p.obligations) == (2, ())
    # The next attempt, a business day later: the 18:00 voicemail counts in the afternoon (R4).
    assert (then.rules, then.slot) == (("R3", "R4"), "morning")
    assert then.earliest_utc > wednesday


def test_an_email_before_the_one_email_starts_follows_up_the_voicemail_alone() -> None:
    """The same, with the rep writing at 19:00, right after the voicemail and before email
    hours open. The engine had named the one email, for 08:00; sent now, it follows the
    voicemail up, and the ladder's email is not due before Wednesday (R3's one-day gap): it
    still waits, and comes next. (Counting it too would make two attempts in one day.)"""
    policy = cadence.Policy(min_gap_business_days=1, switch_channel_after=1)
    engine = Engine(policy)
    tuesday = datetime(2024, 1, 2, 18, 0, tzinfo=CHICAGO)
    p = _lee(engine, tuesday)
    p = engine.apply(p, ev.CallAttempted(at=tuesday, outcome="voicemail"))
    named, p, then = _touch_and_ask(engine, p, ev.EmailSent(at=tuesday.replace(hour=19)))
    assert named.rules == ("R3", "R7", "R6")
    assert (p.unanswered, p.obligations) == (1, ())
    wednesday = datetime(2024, 1, 3, 8, 0, tzinfo=CHICAGO)
    assert (then.kind, then.rules, then.earliest) == (ActionKind.EMAIL, ("R3", "R7"), wednesday)


def test_an_r6_email_sent_as_its_window_closes_does_not_take_the_ladders_turn() -> None:
    """Found by a long hypothesis run. Paris, a two-day gap and a switch to email after one
    call: Monday's afternoon call reaches voicemail, its script promising an email on
    Wednesday.
    The R6 email goes out on Tuesday at 18:00, as email hours close, when the engine has
    joined it to Wednesday's email. It follows the voicemail up; Wednesday's email is still
    owed (R3), so the promise holds."""
    policy = cadence.Policy(min_gap_business_days=2, switch_channel_after=1)
    engine = Engine(policy)
    paris = ZoneInfo("Europe/Paris")
    p = engine.enroll("zoe", timezone="Europe/Paris", at=datetime(2024, 4, 8, 9, tzinfo=paris))
    monday = datetime(2024, 4, 8, 16, 0, tzinfo=paris)
    call = engine.next_action(p, monday)
    assert call.kind is ActionKind.CALL
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    assert "follow up by email on Wednesday" in call.talking_points[0]
    closing = datetime(2024, 4, 9, 18, 0, tzinfo=paris)
    named, p, then = _touch_and_ask(engine, p, ev.EmailSent(at=closing))
    assert named.rules == ("R3", "R7", "R6")
    assert p.unanswered == 1
    wednesday = datetime(2024, 4, 10, 8, 0, tzinfo=paris)
    assert (then.kind, then.rules, then.earliest) == (ActionKind.EMAIL, ("R3", "R7"), wednesday)


def test_a_late_r6_email_goes_out_with_the_ladders_email_as_one() -> None:
    """Default policy: the second voicemail switches the ladder to email four business days
    later. A rep who has not sent the R6 email by then gets one email to write, not two: it
    counts as the attempt and performs the R6 email; the opt-out offer comes next."""
    engine = Engine()
    tuesday = datetime(2024, 1, 2, 10, 0, tzinfo=CHICAGO)
    p = _lee(engine, tuesday)
    p = engine.apply(p, ev.CallAttempted(at=tuesday, outcome="voicemail"))
    p = engine.apply(p, ev.EmailSent(at=tuesday + timedelta(minutes=5)))
    second = engine.next_action(p, tuesday)
    p = engine.apply(p, ev.CallAttempted(at=second.earliest, outcome="voicemail"))
    week_later = second.earliest + timedelta(days=7)
    plan = engine.plan(p, week_later)
    assert [(a.kind, a.rules) for a in plan] == [(ActionKind.EMAIL, ("R3", "R7", "R6"))]
    assert plan[0].flags == ("overdue",)  # the R6 email was due a week ago
    named, p, then = _touch_and_ask(engine, p, ev.EmailSent(at=week_later))
    assert named == plan[0]
    assert (p.unanswered, p.obligations) == (3, ())
    assert then.kind is ActionKind.OPT_OUT_OFFER


def test_the_opt_out_offer_in_writing_follows_up_the_voicemail_it_comes_with() -> None:
    """A prospect who prefers email, and a voicemail left anyway (the rep called): when the
    R8 offer by email comes due with the R6 email, one email makes the offer and mentions the
    voicemail; it counts as the offer."""
    engine = Engine(cadence.Policy(min_gap_business_days=1))
    tuesday = datetime(2024, 1, 2, 10, 0, tzinfo=CHICAGO)
    p = _lee(engine, tuesday, preferred=Channel.EMAIL)
    for day in (2, 3):
        p = engine.apply(p, ev.EmailSent(at=datetime(2024, 1, day, 10, 0, tzinfo=CHICAGO)))
    late = datetime(2024, 1, 4, 18, 0, tzinfo=CHICAGO)  # email hours are over
    p = engine.apply(p, ev.CallAttempted(at=late, outcome="voicemail"))
    friday = datetime(2024, 1, 5, 8, 0, tzinfo=CHICAGO)
    first = engine.next_action(p, late)
    assert (first.kind, first.rules, first.earliest) == (
        ActionKind.OPT_OUT_OFFER,
        ("R8", "R3", "R16", "R6"),
        friday,
    )
    assert first.talking_points[1].startswith("Mention the voicemail you left Thursday")
    p = engine.apply(p, ev.EmailSent(at=friday))
    assert (p.stage, p.obligations) == (Stage.OPT_OUT_OFFERED, ())


def test_an_out_of_office_holds_the_one_email_until_they_are_back() -> None:
    """R17 after the second voicemail: the R6 email and the ladder's email both wait for the
    end of the pause, where they start together: one email. An email sent at once, during the
    pause, follows the voicemail up; the ladder's email is not due yet (R3), and still waits
    for the end of the pause."""
    engine = Engine()
    monday = datetime(2024, 1, 1, 0, 0, tzinfo=CHICAGO)
    p = _lee(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday.replace(day=2, hour=9), outcome="no_answer"))
    voicemail = monday.replace(day=8, hour=12)
    p = engine.apply(p, ev.CallAttempted(at=voicemail, outcome="voicemail"))
    p = engine.apply(p, ev.OutOfOffice(at=voicemail + timedelta(minutes=5)))
    plan = engine.plan(p, p.last_event_at)
    assert [(a.kind, a.rules) for a in plan] == [
        (ActionKind.WAIT, ("R17",)),
        (ActionKind.EMAIL, ("R3", "R7", "R6")),
    ]
    assert plan[1].earliest == datetime(2024, 1, 16, 8, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.EmailSent(at=voicemail + timedelta(minutes=10)))
    assert (p.unanswered, p.obligations) == (2, ())
    after = engine.plan(p, p.last_event_at)
    assert [(a.kind, a.rules, a.earliest) for a in after] == [
        (ActionKind.WAIT, ("R17",), datetime(2024, 1, 16, 0, 0, tzinfo=CHICAGO)),
        (ActionKind.EMAIL, ("R3", "R7"), datetime(2024, 1, 16, 8, 0, tzinfo=CHICAGO)),
    ]


def test_a_stated_preference_for_the_phone_leaves_the_r6_email_an_email() -> None:
    """R16 moves pending contacts to the preferred channel, but the R6 email mentions a
    voicemail in writing: it stays an email. (Before, it became a call whose reason was "a
    brief email ... that mentions the voicemail".)"""
    engine = Engine()
    monday = datetime(2024, 1, 1, 10, 0, tzinfo=CHICAGO)
    p = _lee(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail"))
    p = engine.apply(p, ev.ChannelPreference(at=monday, channel=Channel.PHONE))
    act = engine.next_action(p, monday)
    assert (act.kind, act.channel, act.rules) == (ActionKind.EMAIL, Channel.EMAIL, ("R6",))
    assert [(o.key, o.channel) for o in p.obligations] == [("voicemail_email", Channel.EMAIL)]


def test_the_email_after_the_no_show_calls_voicemail_is_the_offer_and_one_email_does_it() -> None:
    """After a no-show, the written offer of new times waits a business day for the call to
    reschedule. When that call reaches voicemail, the offer goes at once in the email that
    mentions it (R6): one email, and sending it performs both. (Before, the engine named the
    R6 email alone, and the offer the next morning.)"""
    engine = Engine()
    monday = datetime(2024, 1, 1, 0, 0, tzinfo=CHICAGO)
    p = _lee(engine, monday)
    p = engine.apply(p, ev.MeetingNoShow(at=monday, meeting_id="m1"))
    tuesday = datetime(2024, 1, 2, 9, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=tuesday, outcome="voicemail"))
    named, p, then = _touch_and_ask(engine, p, ev.EmailSent(at=tuesday + timedelta(minutes=5)))
    assert (named.kind, named.rules) == (ActionKind.PROPOSE_TIMES, ("R2", "R6"))
    assert then.kind is not ActionKind.PROPOSE_TIMES
    assert p.obligations == ()


def test_written_apologies_wait_for_the_apology_call_and_an_early_email_is_the_r6_one() -> None:
    """R14: the rep cancelled, so the apology call comes first (09:00) and the written offers
    follow it. An email at 08:00, when email hours open, performs the R6 email owed from an
    earlier voicemail, not the offers the engine holds until after the call."""
    engine = Engine()
    sunday = datetime(2024, 3, 10, 3, 0, tzinfo=CHICAGO)
    p = _lee(engine, sunday)
    p = engine.apply(p, ev.CallAttempted(at=sunday, outcome="voicemail"))
    p = engine.apply(p, ev.MeetingCancelled(at=sunday, meeting_id="m1", by="rep"))
    monday = datetime(2024, 3, 11, 8, 0, tzinfo=CHICAGO)
    named, p, then = _touch_and_ask(engine, p, ev.EmailSent(at=monday))
    assert named.rules == ("R6",)
    assert "propose_times" in {o.key for o in p.obligations}
    assert then.rules == ("R14",)
    assert then.kind is ActionKind.CALL


def test_the_answer_holds_while_the_rep_carries_it_out() -> None:
    """R14 after a voicemail, with the phone preferred: at 09:00 the engine names the written
    proposal, which also apologises for the voicemail (R6, the apology stays an email), and at
    09:05 it still names it, with the material; the email sent then performs both."""
    engine = Engine()
    sunday = datetime(2024, 3, 10, 3, 0, tzinfo=CHICAGO)
    p = _lee(engine, sunday, preferred=Channel.PHONE)
    p = engine.apply(p, ev.MeetingCancelled(at=sunday, meeting_id="m1", by="rep"))
    nine = datetime(2024, 3, 11, 9, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=nine, outcome="voicemail"))
    assert engine.next_action(p, nine).kind is ActionKind.PROPOSE_TIMES
    named, p, then = _touch_and_ask(engine, p, ev.EmailSent(at=nine + timedelta(minutes=5)))
    assert (named.kind, named.rules) == (ActionKind.PROPOSE_TIMES, ("R14", "R6"))
    assert named.also == (ActionKind.SEND_COLLATERAL,)
    assert not {o.key for o in p.obligations} & {"propose_times", "collateral:m1"}
    assert then.kind is not ActionKind.SEND_COLLATERAL


def test_the_ladders_email_and_an_offer_of_times_due_together_are_one_email() -> None:
    """A no-show on New Year's Day owes written offers a business day later; a voicemail the
    same morning, with a one-day gap that switches to email, puts the ladder's email on the
    same day (Wednesday: Monday is a holiday). Both come due together: one email (the
    ladder's, first: an email before an offer of times, with R7's subject) offers the times
    too, and sending it then is the ladder's attempt and performs the offer. It used to be two
    emails, the offer still owed after the first. An email sent on Tuesday, before the gap
    has passed, makes the offer but is not the ladder's attempt (R3)."""
    policy = cadence.Policy(min_gap_business_days=1, switch_channel_after=1, voicemail_email=False)
    engine = Engine(policy)
    monday = datetime(2024, 1, 1, 0, 0, tzinfo=CHICAGO)
    p = _lee(engine, monday)
    p = engine.apply(p, ev.MeetingNoShow(at=monday, meeting_id="m1"))
    p = engine.apply(p, ev.CallAttempted(at=monday.replace(hour=9), outcome="voicemail"))
    tuesday = datetime(2024, 1, 2, 8, 0, tzinfo=CHICAGO)
    emails = [a for a in engine.plan(p, tuesday) if a.channel is Channel.EMAIL]
    assert [(a.kind, a.also) for a in emails] == [(ActionKind.EMAIL, (ActionKind.PROPOSE_TIMES,))]
    one = emails[0]
    assert one.earliest == datetime(2024, 1, 3, 8, 0, tzinfo=CHICAGO)
    assert one.subject is not None
    assert one.proposals
    # The invitation for the times it offers, as for a propose_times email.
    parsed = Calendar.from_ical(proposals_ics(one, stamp=tuesday))
    assert [e.decoded("dtstart") for e in parsed.walk("VEVENT")] == list(one.proposals)
    named, after, then = _touch_and_ask(engine, p, ev.EmailSent(at=one.earliest))
    assert (named.rules, after.unanswered) == (("R3", "R7", "R2"), 2)
    assert [o.key for o in after.obligations if o.channel is Channel.EMAIL] == []
    assert then.kind is not ActionKind.PROPOSE_TIMES
    early = engine.apply(p, ev.EmailSent(at=tuesday))
    assert early.unanswered == p.unanswered == 1
    assert [o.key for o in early.obligations if o.channel is Channel.EMAIL] == []


def test_r13_at_one_instant_the_opt_out_holds_in_apply_and_replay_alike(
    engine: Engine, monday: datetime
) -> None:
    """The CRM stamps to the second: Lee opts back in, then changes her mind within it. `apply`
    took them in that order and she is opted out. `replay` of the same log, after a late
    event, sorted the two by id and brought her back, to be called (R13). At one instant an
    opt-out now folds last, whatever the ids; and `apply` refuses an opt-in at the instant of
    the opt-out it follows (the replay it asks for keeps her opted out)."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    t = monday + timedelta(hours=1)
    log: list[ev.Event] = [
        ev.OptedOut(at=monday + timedelta(minutes=5), id="5f1c9a40-0001"),
        ev.OptedIn(at=t, id="d7e2b0c1-9f3a"),
        ev.OptedOut(at=t, id="2a9be410-77c0"),
    ]
    live = p
    for e in log:
        live = engine.apply(live, e)
    assert live.stage is Stage.OPTED_OUT
    late = ev.CallAttempted(at=monday + timedelta(minutes=2), outcome="no_answer", id="d-88")
    with pytest.raises(cadence.LateEventError):
        engine.apply(live, late)
    for history in (log, [*log, late], [late, *log[::-1]]):
        rebuilt = engine.replay("lee", history, timezone="America/Chicago", at=monday, country="US")
        assert rebuilt.stage is Stage.OPTED_OUT
    rebuilt = engine.replay("lee", log, timezone="America/Chicago", at=monday, country="US")
    assert rebuilt == live
    # The other way round: the opt-in arrives second, at the opt-out's instant.
    out = engine.apply(p, ev.OptedOut(at=t))
    with pytest.raises(cadence.LateEventError, match="opt-in"):
        engine.apply(out, ev.OptedIn(at=t))
    assert engine.apply(out, ev.OptedIn(at=t + timedelta(seconds=1))).stage is Stage.ENGAGED


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-15), timedelta(minutes=20)])
def test_r1_a_meeting_booked_for_the_agreed_time_is_the_agreed_contact(
    engine: Engine, monday: datetime, offset: timedelta
) -> None:
    """Lee agreed to talk on Thursday at 15:00, and the rep sent an invitation for then (or a
    quarter of an hour either side): the meeting is the agreed contact. The rep attends it,
    and is not also told to call her at the same moment."""
    agreed = datetime(2026, 3, 12, 15, 0, tzinfo=CHICAGO)
    p = engine.apply(
        _lee(engine, monday),
        ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed),
    )
    t = monday + timedelta(minutes=5)
    p = engine.apply(p, ev.MeetingBooked(at=t, meeting_id="m1", starts_at=agreed + offset))
    assert [a.kind for a in engine.plan(p, t)] == [ActionKind.ATTEND_MEETING]
    assert engine.next_action(p, agreed).kind is ActionKind.ATTEND_MEETING


def test_r1_a_meeting_booked_for_another_day_leaves_the_agreed_call(
    engine: Engine, monday: datetime
) -> None:
    """A meeting booked for the week after the call agreed for Thursday leaves that call."""
    agreed = datetime(2026, 3, 12, 15, 0, tzinfo=CHICAGO)
    p = engine.apply(
        _lee(engine, monday),
        ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed),
    )
    t = monday + timedelta(minutes=5)
    p = engine.apply(p, ev.MeetingBooked(at=t, meeting_id="m1", starts_at=agreed + 5 * DAY))
    assert [a.kind for a in engine.plan(p, t)] == [ActionKind.CALL, ActionKind.ATTEND_MEETING]


def test_r1_the_meeting_for_the_agreed_time_is_the_contact_whichever_is_logged_first(
    engine: Engine, monday: datetime
) -> None:
    """The calendar's webhook for the invitation arrives before the dialer logs the call that
    agreed that time: the meeting is the agreed contact all the same."""
    agreed = datetime(2026, 3, 12, 15, 0, tzinfo=CHICAGO)
    booking = ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=agreed)
    call = ev.CallAttempted(
        at=monday + timedelta(minutes=3), outcome="connected", next_contact_at=agreed
    )
    p = engine.apply(engine.apply(_lee(engine, monday), booking), call)
    t = monday + timedelta(minutes=5)
    assert [a.kind for a in engine.plan(p, t)] == [ActionKind.ATTEND_MEETING]


def _covered(slots: tuple[cadence.TimeSlot, ...]) -> set[int]:
    """The minutes of the local day that ``slots`` cover (``24:00`` ends at minute 1440)."""
    return {
        minute
        for s in slots
        for minute in range(
            s.start.hour * 60 + s.start.minute,
            1440 if s.end == time.max else s.end.hour * 60 + s.end.minute,
        )
    }


def test_a_long_meeting_is_proposed_only_where_it_fits_in_the_calling_hours(
    monday: datetime,
) -> None:
    """A four-hour meeting: the calling hours run 09:00-17:00 (their three parts touch, so one
    stretch), R14's options 08:00-09:00 and 17:00-18:30. A start at 14:00 ran to 18:00, one at
    17:00 to 21:00, past every hour the policy gives; now only 08:00, 09:00 and 12:00 are
    offered (08:00 runs into the calling hours and ends at 12:00)."""
    engine = Engine(cadence.Policy(meeting_minutes=240))
    p, _ = _cancelled_by_rep(engine, monday)
    times = next(a for a in engine.plan(p, p.last_event_at) if a.kind is ActionKind.PROPOSE_TIMES)
    starts = [t.astimezone(CHICAGO).time() for t in times.proposals]
    assert len(starts) == 3
    assert set(starts) <= {time(8), time(9), time(12)}, starts
    assert time(8) in starts  # R14's flexibility is still offered where the meeting fits


@given(
    minutes=st.integers(5, 480),
    by=st.sampled_from(["rep", "prospect"]),
    hours=st.sampled_from(
        [
            cadence.Policy().call_slots,
            (
                cadence.TimeSlot(name="morning", start=time(9), end=time(12)),
                cadence.TimeSlot(name="afternoon", start=time(13), end=time(17, 30)),
            ),
            (cadence.TimeSlot(name="day", start=time(10), end=time(16)),),
        ]
    ),
    later=st.integers(0, 14 * 24 * 60),
)
def test_every_proposed_meeting_lies_wholly_inside_the_hours_or_the_policy_is_refused(
    minutes: int,
    by: str,
    hours: tuple[cadence.TimeSlot, ...],
    later: int,
) -> None:
    """Each proposed time, with ``meeting_minutes`` after it, lies inside the calling hours of
    its day (with R14's outside-hours options when the rep cancelled); a policy whose meeting
    fits no stretch of them is refused, naming ``meeting_minutes``."""
    covered = _covered(hours)
    longest = max(
        next(n for n in itertools.count() if start + n not in covered)
        for start in covered
        if start - 1 not in covered
    )
    if longest < minutes:
        with pytest.raises(ValueError, match=f"meeting_minutes: {minutes} is longer than any"):
            cadence.Policy(meeting_minutes=minutes, call_slots=hours)
        return
    policy = cadence.Policy(meeting_minutes=minutes, call_slots=hours)
    engine = Engine(policy)
    at = datetime(2026, 3, 9, 9, 30, tzinfo=CHICAGO) + timedelta(minutes=later)
    p = _booked(engine, at)
    p = engine.apply(p, ev.MeetingCancelled(at=at + DAY, meeting_id="m1", by=by))
    proposing = [a for a in engine.plan(p, at + DAY) if a.proposals]
    assert proposing
    for action in proposing:
        allowed = covered | (_covered(policy.flexible_slots) if "R14" in action.rules else set())
        for start in action.proposals:
            local = start.astimezone(CHICAGO)
            first = local.hour * 60 + local.minute
            assert set(range(first, first + minutes)) <= allowed, (local, minutes)


@pytest.mark.parametrize(
    "hours",
    [
        (cadence.TimeSlot(name="day", start=time(8), end=time(18, 30)),),
        (
            cadence.TimeSlot(name="morning", start=time(8), end=time(12)),
            cadence.TimeSlot(name="afternoon", start=time(13), end=time(18, 30)),
        ),
        cadence.Policy().call_slots,
    ],
)
@pytest.mark.parametrize("by", ["rep", "prospect"])
def test_r14_r15_the_times_proposed_are_as_many_as_asked_and_all_different(
    hours: tuple[cadence.TimeSlot, ...], by: str
) -> None:
    """Calling hours from 08:00 and R14's default ``before hours`` option (08:00-09:00): the
    rep who cancelled offered "Wednesday 08:00, Wednesday 08:00, Thursday 17:00", one time
    twice and two in all where ``proposal_count`` asks three."""
    policy = cadence.Policy(call_slots=hours)
    engine = Engine(policy)
    at = datetime(2026, 3, 3, 11, 0, tzinfo=CHICAGO)
    p = _booked(engine, at)
    p = engine.apply(p, ev.MeetingCancelled(at=at + timedelta(hours=1), meeting_id="m1", by=by))
    proposing = [a for a in engine.plan(p, at + timedelta(hours=1)) if a.proposals]
    assert proposing
    for action in proposing:
        assert len(set(action.proposals)) == len(action.proposals) == policy.proposal_count
