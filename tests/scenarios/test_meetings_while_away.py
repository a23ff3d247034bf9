"""A meeting booked for a day the prospect then says they are away (R17 after R15): nobody
expects them at it, so it is called off by their absence, as if they had cancelled it, and new
times are proposed on their return. Not a no-show to log, not overdue."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

import cadence
from cadence import ActionKind, Channel
from cadence import events as ev
from cadence.batch import plan_day, plan_table, to_table
from tests.conftest import CHICAGO

Engine = cadence.Engine

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)
BOOKED_AT = MONDAY  # Ana books a meeting for Thursday 12 March, 11:00 her time
MEETING = datetime(2026, 3, 12, 11, 0, tzinfo=CHICAGO)
AWAY_AT = datetime(2026, 3, 3, 9, 0, tzinfo=CHICAGO)  # her out-of-office, the next morning
UNTIL = datetime(2026, 3, 16, 9, 0, tzinfo=CHICAGO)  # "away until Monday 16 March"
RETURN = datetime(2026, 3, 17, 0, 0, tzinfo=CHICAGO)  # the business day after it
COVERED = "their out-of-office covered the meeting on Thu 12 Mar 11:00: propose new times"


def _booked(engine: Engine, starts: datetime = MEETING, meeting_id: str = "m1") -> cadence.Prospect:
    p = engine.enroll("ana", timezone="America/Chicago", at=MONDAY, country="US", subdivision="IL")
    p = engine.apply(p, ev.CallAttempted(at=MONDAY, outcome="connected"))
    return engine.apply(p, ev.MeetingBooked(at=BOOKED_AT, meeting_id=meeting_id, starts_at=starts))


def _away(engine: Engine, **booking: datetime | str) -> cadence.Prospect:
    p = _booked(engine, **booking)  # type: ignore[arg-type]
    return engine.apply(p, ev.OutOfOffice(at=AWAY_AT, until=UNTIL))


def _times_for_it(plan: list[cadence.Action]) -> list[cadence.Action]:
    return [a for a in plan if "R17" in a.rules and a.kind is ActionKind.PROPOSE_TIMES]


def test_r17_meeting_inside_out_of_office_is_new_times_on_their_return(engine: Engine) -> None:
    """Asked the day she goes away, on the meeting's day and the day before her return: wait
    until Tuesday 17 March, then propose new times (by phone, her lead channel), due from her
    return, neither overdue nor a meeting to log."""
    p = _away(engine)
    assert p.meeting("m1") is not None
    assert p.meeting("m1").status == "away"  # type: ignore[union-attr]
    for now in (AWAY_AT, MEETING + timedelta(hours=1), UNTIL):
        wait, first, *rest = engine.plan(p, now)
        assert (wait.kind, wait.earliest, wait.rules) == (ActionKind.WAIT, RETURN, ("R17",))
        assert first.kind is ActionKind.PROPOSE_TIMES
        assert first.channel is Channel.PHONE
        assert {"R17", "R15"} <= set(first.rules)
        assert first.reason.startswith(COVERED)
        assert first.earliest == RETURN.replace(hour=9)
        assert ("overdue" not in first.flags, first.due_since) == (True, None)
        assert first.proposals
        assert first.talking_points[0] == (
            "Welcome them back; suggest a new time for the meeting warmly."
        )
        assert all(a.kind is not ActionKind.ATTEND_MEETING for a in (first, *rest))
        assert engine.next_action(p, now) == wait


def test_r17_meeting_inside_out_of_office_is_not_a_no_show_after_their_return(
    engine: Engine,
) -> None:
    """A week after her return, the rep who let it slip is told to propose times (overdue),
    never to log whether a meeting everyone knew was off was held."""
    p = _away(engine)
    later = datetime(2026, 3, 24, 9, 0, tzinfo=CHICAGO)
    plan = engine.plan(p, later)
    assert plan[0].kind is ActionKind.PROPOSE_TIMES
    assert plan[0].reason.startswith(COVERED)
    assert all(a.kind is not ActionKind.ATTEND_MEETING for a in plan)


def test_r17_meeting_inside_out_of_office_the_proposal_performed_is_owed_no_more(
    engine: Engine,
) -> None:
    """The rep calls on her return and leaves a voicemail proposing times: the proposal is
    done; the meeting is not attended, and a later out-of-office does not owe it again."""
    p = _away(engine)
    call = RETURN.replace(hour=9, minute=5)
    p = engine.apply(p, ev.CallAttempted(at=call, outcome="voicemail"))
    assert not _times_for_it(engine.plan(p, call))
    p = engine.apply(p, ev.OutOfOffice(at=call + timedelta(days=1), until=call + timedelta(days=3)))
    plan = engine.plan(p, call + timedelta(days=1))
    assert not _times_for_it(plan)
    assert all(a.kind is not ActionKind.ATTEND_MEETING for a in plan)


def test_r17_meeting_inside_out_of_office_held_after_all_is_a_meeting_held(
    engine: Engine,
) -> None:
    """She joined from her holiday after all: the hold is taken as for any meeting (the
    conversation's follow-up), and no new times are owed."""
    p = _away(engine)
    assert _times_for_it(engine.plan(p, MEETING))
    p = engine.apply(p, ev.MeetingHeld(at=MEETING + timedelta(hours=1), meeting_id="m1"))
    assert p.meeting("m1").status == "held"  # type: ignore[union-attr]
    plan = engine.plan(p, MEETING + timedelta(hours=1))
    assert not any(a.kind is ActionKind.PROPOSE_TIMES for a in plan)
    assert "commitment_missing" in plan[0].flags


def test_r17_meeting_inside_out_of_office_marked_missed_is_a_no_show(engine: Engine) -> None:
    """The calendar marks it missed: a no-show as for any booked meeting (a call to
    reschedule, then times in writing), from her return; not the out-of-office's proposal."""
    p = _away(engine)
    assert _times_for_it(engine.plan(p, MEETING))
    p = engine.apply(p, ev.MeetingNoShow(at=MEETING + timedelta(hours=1), meeting_id="m1"))
    assert p.meeting("m1").status == "no_show"  # type: ignore[union-attr]
    plan = engine.plan(p, MEETING + timedelta(hours=1))
    assert not _times_for_it(plan)
    assert any("they missed the meeting" in a.reason for a in plan)
    assert all(a.earliest >= RETURN for a in plan)


@pytest.mark.parametrize("by", ["prospect", "rep"])
def test_r17_meeting_inside_out_of_office_cancelled_is_a_cancellation(
    engine: Engine, by: str
) -> None:
    """Cancelled while she is away, by her (R15) or by the rep (R14): that cancellation's
    handling, and one proposal of times, not the out-of-office's as well."""
    p = _away(engine)
    at = AWAY_AT + timedelta(days=1)
    assert _times_for_it(engine.plan(p, at))
    p = engine.apply(p, ev.MeetingCancelled(at=at, meeting_id="m1", by=by))
    plan = engine.plan(p, at)
    assert not _times_for_it(plan)
    proposals = [a for a in plan if ActionKind.PROPOSE_TIMES in a.kinds]
    assert len(proposals) == 1
    assert ("R15" if by == "prospect" else "R14") in proposals[0].rules


def test_r17_meeting_inside_out_of_office_rebooked_is_attended_at_its_new_time(
    engine: Engine,
) -> None:
    """She books it again for after her return: the new time is attended, nothing is owed
    for the old one, and (R15) material goes before the rescheduled meeting."""
    p = _away(engine)
    new_time = datetime(2026, 3, 19, 14, 0, tzinfo=CHICAGO)
    at = AWAY_AT + timedelta(days=2)
    p = engine.apply(p, ev.MeetingBooked(at=at, meeting_id="m1", starts_at=new_time))
    plan = engine.plan(p, at)
    assert not _times_for_it(plan)
    attend = [a for a in plan if a.kind is ActionKind.ATTEND_MEETING]
    assert [(a.earliest, a.detail) for a in attend] == [(new_time, "m1")]
    assert any(a.kind is ActionKind.SEND_COLLATERAL and "R15" in a.rules for a in plan)


def test_r17_meeting_inside_out_of_office_a_new_booking_replaces_it(engine: Engine) -> None:
    """She books a new meeting under another id: that one is attended; the one she was away
    for is neither attended nor owed new times."""
    p = _away(engine)
    new_time = datetime(2026, 3, 19, 14, 0, tzinfo=CHICAGO)
    at = MEETING + timedelta(days=1)
    p = engine.apply(p, ev.MeetingBooked(at=at, meeting_id="m2", starts_at=new_time))
    plan = engine.plan(p, at)
    assert not _times_for_it(plan)
    attend = [a for a in plan if a.kind is ActionKind.ATTEND_MEETING]
    assert [a.detail for a in attend] == ["m2"]


def test_r17_a_meeting_after_their_return_is_attended(engine: Engine) -> None:
    """Two meetings booked: Thursday 12 March (she is away) and Wednesday 18 March, after her
    return. The first is called off by her absence; the second is attended as booked."""
    after = datetime(2026, 3, 18, 11, 0, tzinfo=CHICAGO)
    p = _booked(engine)
    p = engine.apply(p, ev.MeetingBooked(at=BOOKED_AT, meeting_id="m2", starts_at=after))
    p = engine.apply(p, ev.OutOfOffice(at=AWAY_AT, until=UNTIL))
    assert [m.status for m in p.meetings] == ["away", "booked"]
    plan = engine.plan(p, AWAY_AT)
    assert [a.detail for a in _times_for_it(plan)] == ["m1"]
    attend = [a for a in plan if a.kind is ActionKind.ATTEND_MEETING]
    assert [(a.earliest, a.detail) for a in attend] == [(after, "m2")]


def test_r17_a_meeting_on_the_last_day_they_are_away_is_covered(engine: Engine) -> None:
    """ "Away until Monday 16 March": a meeting that Monday afternoon is covered too (she is
    back on the business day after it)."""
    p = _away(engine, starts=datetime(2026, 3, 16, 14, 0, tzinfo=CHICAGO))
    assert p.meeting("m1").status == "away"  # type: ignore[union-attr]
    first = engine.plan(p, AWAY_AT)[1]
    assert first.reason.startswith("their out-of-office covered the meeting on Mon 16 Mar 14:00")


def test_r17_a_meeting_before_the_out_of_office_is_untouched(engine: Engine) -> None:
    """The auto-reply arrives after one meeting's time (Monday 15:00) and before the other's:
    the first is hers to log (held or a no-show), as before; the second is covered."""
    earlier = datetime(2026, 3, 2, 15, 0, tzinfo=CHICAGO)
    p = _booked(engine, starts=earlier, meeting_id="m0")
    p = engine.apply(p, ev.MeetingBooked(at=BOOKED_AT, meeting_id="m1", starts_at=MEETING))
    p = engine.apply(p, ev.OutOfOffice(at=datetime(2026, 3, 2, 16, 0, tzinfo=CHICAGO), until=UNTIL))
    assert [m.status for m in p.meetings] == ["booked", "away"]
    plan = engine.plan(p, AWAY_AT)
    assert [a.detail for a in _times_for_it(plan)] == ["m1"]
    assert [a.detail for a in plan if a.kind is ActionKind.ATTEND_MEETING] == ["m0"]


def test_r17_a_meeting_inside_the_default_pause_of_an_out_of_office_without_a_date(
    engine: Engine,
) -> None:
    """An out-of-office that gives no return pauses ``out_of_office_default_days`` business
    days: a meeting inside is covered, one after is attended."""
    days = engine.policy.out_of_office_default_days
    cal = engine.calendar(_booked(engine))
    back = cal.add_business_days(AWAY_AT.date(), days)
    inside = datetime.combine(back - timedelta(days=1), MEETING.time(), CHICAGO)
    outside = datetime.combine(back, MEETING.time(), CHICAGO)
    for starts, status in ((inside, "away"), (outside, "booked")):
        p = engine.apply(_booked(engine, starts=starts), ev.OutOfOffice(at=AWAY_AT))
        assert p.meeting("m1").status == status, starts  # type: ignore[union-attr]


def test_r17_a_later_out_of_office_covers_the_meetings_in_its_extension(engine: Engine) -> None:
    """Back on the 17th, she writes again: away until the 27th. A meeting on the 20th
    (booked before either) is covered now; a shorter word later brings it back."""
    cal_20 = datetime(2026, 3, 20, 11, 0, tzinfo=CHICAGO)
    p = _away(engine, starts=cal_20)
    assert p.meeting("m1").status == "booked"  # type: ignore[union-attr]
    second = datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)
    p = engine.apply(
        p, ev.OutOfOffice(at=second, until=datetime(2026, 3, 27, 9, 0, tzinfo=CHICAGO))
    )
    assert p.meeting("m1").status == "away"  # type: ignore[union-attr]
    assert _times_for_it(engine.plan(p, second))
    # Her newest word: back on Thursday 19 March after all. The meeting on the 20th is on.
    p = engine.apply(
        p,
        ev.OutOfOffice(
            at=second + timedelta(days=1), until=datetime(2026, 3, 18, 9, 0, tzinfo=CHICAGO)
        ),
    )
    assert p.meeting("m1").status == "booked"  # type: ignore[union-attr]
    plan = engine.plan(p, second + timedelta(days=1))
    assert not _times_for_it(plan)
    assert [a.earliest for a in plan if a.kind is ActionKind.ATTEND_MEETING] == [cal_20]


def test_r17_back_early_before_the_meeting_it_is_attended(engine: Engine) -> None:
    """She replies on Friday 6 March: back early. The meeting on the 12th is on after all."""
    reply = datetime(2026, 3, 6, 10, 0, tzinfo=CHICAGO)
    p = _away(engine)
    assert p.meeting("m1").status == "away"  # type: ignore[union-attr]
    p = engine.apply(p, ev.EmailReplied(at=reply))
    assert p.meeting("m1").status == "booked"  # type: ignore[union-attr]
    plan = engine.plan(p, reply)
    assert not _times_for_it(plan)
    assert [a.earliest for a in plan if a.kind is ActionKind.ATTEND_MEETING] == [MEETING]


def test_r17_back_early_after_the_meeting_new_times_are_due_from_the_reply(
    engine: Engine,
) -> None:
    """She replies on Friday 13 March, the day after the meeting she missed: the new times
    are due from her reply, not from the return her out-of-office announced."""
    reply = datetime(2026, 3, 13, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(_away(engine), ev.EmailReplied(at=reply))
    assert p.meeting("m1").status == "away"  # type: ignore[union-attr]
    times = _times_for_it(engine.plan(p, reply))
    assert len(times) == 1
    assert reply <= times[0].earliest < RETURN


def test_r17_meeting_inside_out_of_office_the_same_state_replayed_in_any_order(
    engine: Engine,
) -> None:
    """``replay`` of the history, whatever its order, and a JSON round trip give the state
    ``apply`` built, and the same plan."""
    history: list[ev.Event] = [
        ev.CallAttempted(at=MONDAY, outcome="connected", id="1"),
        ev.MeetingBooked(at=BOOKED_AT, meeting_id="m1", starts_at=MEETING, id="2"),
        ev.OutOfOffice(at=AWAY_AT, until=UNTIL, id="3"),
    ]
    p = engine.enroll("ana", timezone="America/Chicago", at=MONDAY, country="US", subdivision="IL")
    for e in history:
        p = engine.apply(p, e)
    for order in (history, history[::-1], [history[2], history[0], history[1]]):
        again = engine.replay(
            "ana", order, timezone="America/Chicago", at=MONDAY, country="US", subdivision="IL"
        )
        assert again == p
    stored = cadence.Prospect.model_validate_json(p.model_dump_json())
    assert stored == p
    assert json.loads(p.model_dump_json())["meetings"][0]["status"] == "away"
    assert engine.plan(stored, UNTIL) == engine.plan(p, UNTIL)


def test_r17_meeting_inside_out_of_office_its_reason_follows_a_move(engine: Engine) -> None:
    """She moves to New York while away: the reason gives the meeting's time on her new
    clock, as the action's times are."""
    p = _away(engine)
    p = engine.apply(
        p, ev.ContactUpdated(at=AWAY_AT + timedelta(hours=1), timezone="America/New_York")
    )
    first = _times_for_it(engine.plan(p, AWAY_AT + timedelta(hours=1)))[0]
    assert first.reason.startswith(
        "their out-of-office covered the meeting on Thu 12 Mar 12:00: propose new times"
    )


def test_r13_meeting_inside_out_of_office_withdrawn_when_they_refuse_meetings() -> None:
    """She opts out of meetings while away (the policy scopes opt-outs by channel): the
    meeting is withdrawn and no new times are proposed."""
    engine = Engine(cadence.Policy(opt_out_scope="channel"))
    p = _away(engine)
    at = AWAY_AT + timedelta(days=1)
    assert p.meeting("m1").status == "away"  # type: ignore[union-attr]
    p = engine.apply(p, ev.OptedOut(at=at, channels=frozenset({Channel.MEETING})))
    assert p.meeting("m1").status == "withdrawn"  # type: ignore[union-attr]
    assert not any(ActionKind.PROPOSE_TIMES in a.kinds for a in engine.plan(p, at))


@pytest.mark.parametrize(
    ("day", "now"),
    [
        (date(2026, 3, 12), datetime(2026, 3, 12, 7, 0, tzinfo=CHICAGO)),
        (date(2026, 3, 17), datetime(2026, 3, 17, 7, 0, tzinfo=CHICAGO)),
    ],
)
def test_r17_meeting_inside_out_of_office_the_batch_plans_agree(
    engine: Engine, day: date, now: datetime
) -> None:
    """The day plans (per prospect and columnar) do not list the meeting she is away for, nor
    hold her rep's time for it; on her return they plan the proposal of new times."""
    p = _away(engine)
    expected = plan_day(engine, [p], day=day, now=now.astimezone(UTC), capacity=5)
    got = plan_table(engine, to_table([p], engine), day=day, now=now.astimezone(UTC), capacity=5)
    kinds = [t.action.kind for t in expected.touches]
    assert ActionKind.ATTEND_MEETING not in kinds
    assert kinds == ([ActionKind.PROPOSE_TIMES] if day == RETURN.date() else [])
    assert got.touches.num_rows == len(expected.touches)
    if kinds:
        assert got.touches.column("kind").to_pylist() == ["propose_times"]
