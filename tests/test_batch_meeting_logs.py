"""A booked meeting and an out-of-office that comes around it (R2 under R17), as hypothesis
properties: the engine, the decision index and every planner agree on the reminder to log a
meeting that had begun before the prospect went away, and nothing but that reminder and the
wait comes before the prospect's return."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import event, given, note
from hypothesis import strategies as st

import cadence
from cadence import ActionKind
from cadence import events as ev
from cadence._columns import decide
from cadence.batch import plan_day, plan_table, to_table
from tests.conftest import CHICAGO
from tests.test_batch_table import _same_plan

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)
ENGINE = cadence.Engine()


@st.composite
def _stories(draw: st.DrawFn) -> tuple[cadence.Prospect, datetime]:
    """A prospect with a meeting booked, an out-of-office from two hours before it to two days
    after, maybe the meeting logged (held, with or without an agreed contact, or missed) or an
    email sent since, and a ``now`` from the newest event to past the return."""
    e = ENGINE
    p = e.enroll("bo", timezone="America/Chicago", at=MONDAY, country="US", subdivision="IL")
    p = e.apply(p, ev.CallAttempted(at=MONDAY, outcome="connected"))
    starts = MONDAY + timedelta(minutes=draw(st.integers(60, 4 * 24 * 60)))
    p = e.apply(p, ev.MeetingBooked(at=MONDAY, meeting_id="m1", starts_at=starts))
    away_at = max(MONDAY, starts + timedelta(minutes=draw(st.integers(-120, 48 * 60))))
    until = draw(st.none() | st.integers(1, 15 * 24 * 60).map(lambda m: timedelta(minutes=m)))
    p = e.apply(p, ev.OutOfOffice(at=away_at, until=None if until is None else away_at + until))
    later = away_at + timedelta(minutes=draw(st.integers(0, 6 * 24 * 60)))
    then = draw(st.sampled_from(["nothing", "held", "agreed", "missed", "email"]))
    event(f"then: {then}")
    if then in ("held", "agreed") and later >= starts:
        agreed = later + timedelta(days=draw(st.integers(1, 20))) if then == "agreed" else None
        p = e.apply(p, ev.MeetingHeld(at=later, meeting_id="m1", next_contact_at=agreed))
    elif then == "missed" and later >= starts:
        p = e.apply(p, ev.MeetingNoShow(at=later, meeting_id="m1"))
    elif then == "email":
        p = e.apply(p, ev.EmailSent(at=later))
    now = p.last_event_at + timedelta(minutes=draw(st.integers(0, 20 * 24 * 60)))
    return p, now


@given(story=_stories())
def test_r2_under_r17_only_the_log_of_a_meeting_begun_comes_before_the_return(
    story: tuple[cadence.Prospect, datetime],
) -> None:
    """While the prospect is away, the plan is: the reminders to log a meeting that had begun
    by the newest event, then the wait, then the rest, all of it from the return;
    ``plan[0]`` is the next action."""
    p, now = story
    plan = ENGINE.plan(p, now)
    assert plan[0] == ENGINE.next_action(p, now)
    paused = ENGINE.advance(p, now).paused_until
    event(f"paused: {paused is not None}")
    if paused is None:
        return
    waits = [i for i, a in enumerate(plan) if a.kind is ActionKind.WAIT]
    assert len(waits) == 1, plan
    before, after = plan[: waits[0]], plan[waits[0] + 1 :]
    event(f"reminders before the wait: {len(before)}")
    begun = {m.id for m in p.meetings if m.status == "booked" and m.starts_at <= p.last_event_at}
    assert {a.detail for a in before} == begun, (begun, plan)
    for a in before:
        m = p.meeting(a.detail or "")
        assert a.kind is ActionKind.ATTEND_MEETING, a
        assert m is not None, a
        assert (m.status, m.starts_at <= p.last_event_at) == ("booked", True), (m, a)
        assert a.earliest_utc == max(now, m.starts_at), a
    assert all(a.earliest_utc >= paused for a in after), after


@given(story=_stories(), shift=st.integers(0, 2), indexed=st.booleans())
def test_r2_under_r17_every_planner_lists_what_the_engine_names(
    story: tuple[cadence.Prospect, datetime], shift: int, indexed: bool
) -> None:
    """plan_day and plan_table (from the engine or from the decision index) plan the same
    day, row for row; the index row is idle exactly when the engine names the wait at the
    newest event."""
    p, now = story
    day = (now.astimezone(CHICAGO) + timedelta(days=shift)).date()
    note(f"now={now.isoformat()} day={day}")
    expected = plan_day(ENGINE, [p], day=day, now=now.astimezone(UTC), capacity=3)
    table = to_table([p], ENGINE if indexed else None)
    _same_plan(expected, plan_table(ENGINE, table, day=day, now=now.astimezone(UTC), capacity=3))
    first = ENGINE.next_action(p, p.last_event_at)
    row = decide(ENGINE, p)
    assert (row.idle_until is not None) == (first.kind is ActionKind.WAIT), (row, first)
    event(f"listed: {[t.action.kind.value for t in expected.touches]}")
