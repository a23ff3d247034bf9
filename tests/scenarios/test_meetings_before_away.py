"""A meeting held before the prospect goes away (R2 under R17): Ana met Bo on Wednesday
morning, and Bo's out-of-office came back that evening, away until the Friday after next.
Logging the meeting is Ana's own bookkeeping, not a touch to Bo: the reminder to log it stays
due right after the meeting, in every planner, and logging it does not end Bo's pause. Every
touch to Bo still waits for the return."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import cadence
from cadence import ActionKind
from cadence import events as ev
from cadence._columns import decide
from cadence.batch import plan_day, plan_table, to_table
from tests.conftest import CHICAGO

Engine = cadence.Engine

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)
MEETING = datetime(2026, 3, 4, 11, 0, tzinfo=CHICAGO)  # Wednesday 4 March, 11:00 in Chicago
AWAY_AT = datetime(2026, 3, 4, 18, 0, tzinfo=CHICAGO)  # the auto-reply, that evening
UNTIL = datetime(2026, 3, 13, 9, 0, tzinfo=CHICAGO)  # "away until Friday 13 March"
RETURN = datetime(2026, 3, 16, 0, 0, tzinfo=CHICAGO)  # the business day after it
THURSDAY = datetime(2026, 3, 5, 9, 0, tzinfo=CHICAGO)
LOG = "the meeting has ended: log whether it was held or a no-show"


def _met_then_away(engine: Engine, pid: str = "bo") -> cadence.Prospect:
    p = engine.enroll(
        pid, timezone="America/Chicago", at=MONDAY, country="US", subdivision="IL", owner="ana"
    )
    p = engine.apply(p, ev.CallAttempted(at=MONDAY, outcome="connected"))
    p = engine.apply(p, ev.MeetingBooked(at=MONDAY, meeting_id="m1", starts_at=MEETING))
    return engine.apply(p, ev.OutOfOffice(at=AWAY_AT, until=UNTIL))


def test_r2_the_reminder_to_log_a_meeting_held_before_their_out_of_office_is_due_at_once(
    engine: Engine,
) -> None:
    """The evening of the meeting and the next morning, the first thing Ana is told is to log
    it, due now, neither pushed to Bo's return nor flagged overdue then; the wait comes next,
    and nothing addressed to Bo is due before the return."""
    p = _met_then_away(engine)
    assert p.meeting("m1").status == "booked"  # type: ignore[union-attr]
    for now in (AWAY_AT, THURSDAY):
        log, wait, *rest = engine.plan(p, now)
        assert (log.kind, log.reason, log.rules, log.detail) == (
            ActionKind.ATTEND_MEETING,
            LOG,
            ("R2",),
            "m1",
        )
        assert log.earliest == now
        assert (wait.kind, wait.earliest) == (ActionKind.WAIT, RETURN)
        assert all(a.earliest >= RETURN for a in rest)
        assert engine.next_action(p, now) == log


def test_r2_logging_the_meeting_held_before_their_out_of_office_keeps_the_pause(
    engine: Engine,
) -> None:
    """Ana logs it on Thursday with the next contact they agreed (Tuesday 10 March) and
    without one: Bo is still away. The follow-up waits for the return (the agreed one moved
    there), not the Monday after the meeting."""
    p = _met_then_away(engine)
    agreed = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)
    for next_contact in (agreed, None):
        q = engine.apply(
            p, ev.MeetingHeld(at=THURSDAY, meeting_id="m1", next_contact_at=next_contact)
        )
        assert q.meeting("m1").status == "held"  # type: ignore[union-attr]
        assert q.paused_until == p.paused_until
        wait, first, *_ = engine.plan(q, THURSDAY)
        assert (wait.kind, wait.earliest) == (ActionKind.WAIT, RETURN)
        assert first.kind is ActionKind.CALL
        assert first.earliest >= RETURN
        assert engine.next_action(q, THURSDAY) == wait


def test_r2_a_no_show_logged_for_it_is_repaired_on_their_return(engine: Engine) -> None:
    """Ana logs that Bo never came: the call to reschedule waits for the return, as any
    touch to Bo."""
    p = engine.apply(_met_then_away(engine), ev.MeetingNoShow(at=THURSDAY, meeting_id="m1"))
    wait, *rest = engine.plan(p, THURSDAY)
    assert (wait.kind, wait.earliest) == (ActionKind.WAIT, RETURN)
    assert rest
    assert all(a.earliest >= RETURN for a in rest)


def test_r17_a_meeting_inside_their_out_of_office_is_still_not_one_to_log(engine: Engine) -> None:
    """Unchanged: a meeting booked for a day Bo is away is called off by the absence, so no
    reminder to log it comes before the wait."""
    p = engine.enroll("bo", timezone="America/Chicago", at=MONDAY, country="US", subdivision="IL")
    p = engine.apply(p, ev.CallAttempted(at=MONDAY, outcome="connected"))
    later = datetime(2026, 3, 10, 11, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=MONDAY, meeting_id="m2", starts_at=later))
    p = engine.apply(p, ev.OutOfOffice(at=AWAY_AT, until=UNTIL))
    for now in (AWAY_AT, later + timedelta(hours=2)):
        assert engine.next_action(p, now).kind is ActionKind.WAIT


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
@pytest.mark.parametrize(
    ("day", "now"),
    [(date(2026, 3, 5), THURSDAY.replace(hour=7)), (date(2026, 3, 4), AWAY_AT)],
    ids=["next-day", "same-evening"],
)
def test_r2_every_planner_lists_the_reminder_to_log_it(
    engine: Engine, indexed: bool, day: date, now: datetime
) -> None:
    """plan_day and plan_table (from the engine, or from the decision index) list the reminder
    on Bo's row, row for row alike; the index row is not idle until Bo's return."""
    p = _met_then_away(engine)
    expected = plan_day(engine, [p], day=day, now=now.astimezone(UTC), capacity=5)
    table = to_table([p], engine if indexed else None)
    got = plan_table(engine, table, day=day, now=now.astimezone(UTC), capacity=5)
    assert [(t.action.kind, t.action.reason) for t in expected.touches] == [
        (ActionKind.ATTEND_MEETING, LOG)
    ]
    assert got.touches.column("kind").to_pylist() == ["attend_meeting"]
    assert got.touches.column("reason").to_pylist() == [LOG]
    assert got.counts == expected.counts
    row = decide(engine, p)
    assert row.idle_until is None
    assert row.kind is ActionKind.ATTEND_MEETING
    assert row.valid_until is not None
    assert row.valid_until <= RETURN.astimezone(UTC)
