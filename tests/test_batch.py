"""Batch planning: capacity, ordering, suppression, determinism, slots (issue: batch)."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from icalendar import Calendar

import cadence
from cadence import ActionKind, Channel, Priority
from cadence import events as ev
from cadence._agenda import Task
from cadence._placing import Searched, again, window_for
from cadence._stretches import book
from cadence.batch import Capacity, RepHours, plan_day
from cadence.calendar import resolve_local
from cadence.errors import InvalidInputError
from cadence.invitations import plan_ics
from cadence.policy import TimeSlot
from cadence.testing import History, Region, engine_for, histories, policies, regions
from tests.conftest import (
    CHICAGO,
    NOT_SUPPRESSED,
    SUPPRESSED,
    WRITTEN_OTHERWISE,
    as_time_moves,
)

DAY = date(2026, 3, 10)  # a Tuesday
NOW = datetime(2026, 3, 9, 18, 0, tzinfo=CHICAGO)


def _logs_a_meeting(action: cadence.Action) -> bool:
    """Whether ``action`` is the reminder to log a meeting that has ended (R2): the meeting's
    ``attend_meeting``, overdue since its start (a meeting ahead or under way is not)."""
    return action.kind is ActionKind.ATTEND_MEETING and action.due_since is not None


def _new(
    engine: cadence.Engine,
    pid: str,
    owner: str = "ana",
    at: datetime = NOW - timedelta(hours=1),
    **kw: object,
) -> cadence.Prospect:
    return engine.enroll(
        pid,
        timezone="America/Chicago",
        at=at,
        country="US",
        owner=owner,
        **kw,  # type: ignore[arg-type]
    )


def test_capacity_is_per_owner_and_channel(engine: cadence.Engine) -> None:
    book = [_new(engine, f"a{i}", "ana") for i in range(6)] + [
        _new(engine, f"b{i}", "bo") for i in range(6)
    ]
    emailers = [_new(engine, f"e{i}", "ana", preferred_channel="email") for i in range(4)]
    caps: dict[str | tuple[str, str], int] = {("ana", "phone"): 2, ("ana", "email"): 3, "bo": 4}
    plan = plan_day(
        engine,
        book + emailers,
        day=DAY,
        now=NOW,
        capacity=caps,
    )
    per = Counter((t.owner, t.action.channel) for t in plan.touches)
    assert per == {("ana", Channel.PHONE): 2, ("ana", Channel.EMAIL): 3, ("bo", Channel.PHONE): 4}
    assert plan.counts["deferred"] == 4 + 1 + 2
    assert {d.reason for d in plan.deferred} == {"over capacity"}


def test_prospects_without_an_owner_are_one_pool(engine: cadence.Engine) -> None:
    """The rep left and the CRM emptied the owner (``clear``): the prospect joins the pool
    of the owner ``""``, planned by an int or a channel's capacity, and by a mapping of owners
    only when it names ``""``. Otherwise its touch is deferred, not given to a rep."""
    left = engine.apply(_new(engine, "left", "sam"), ev.ContactUpdated(at=NOW, clear=("owner",)))
    book = [_new(engine, "kept", "ana"), left]
    cases: list[tuple[int | dict[str | tuple[str, str], int], set[tuple[str, str]]]] = [
        ({"ana": 5}, {("ana", "kept")}),
        ({"ana": 5, "": 1}, {("ana", "kept"), ("", "left")}),
        (5, {("ana", "kept"), ("", "left")}),
        ({"phone": 5}, {("ana", "kept"), ("", "left")}),
    ]
    for capacity, planned in cases:
        plan = plan_day(engine, book, day=DAY, now=NOW, capacity=capacity)
        assert {(t.owner, t.prospect_id) for t in plan.touches} == planned, capacity
        assert {(d.owner, d.prospect_id) for d in plan.deferred} == {("", "left")} - planned


def test_ordering_reschedule_promise_material_overdue_due_drip(engine: cadence.Engine) -> None:
    t = NOW - timedelta(days=6)
    # Promise (R1) for tomorrow 10:00.
    promise = engine.apply(
        _new(engine, "promise"),
        ev.CallAttempted(at=NOW, outcome="connected", next_contact_at=NOW + timedelta(hours=16)),
    )
    # Rep-caused reschedule (R14).
    rep = engine.apply(
        engine.apply(
            _new(engine, "rep", at=t),
            ev.MeetingBooked(at=t, meeting_id="m", starts_at=NOW + timedelta(days=3)),
        ),
        ev.MeetingCancelled(at=NOW, meeting_id="m", by="rep"),
    )
    # Overdue: a follow-up that came due last week.
    overdue = engine.apply(
        _new(engine, "overdue", at=t), ev.CallAttempted(at=t, outcome="connected")
    )
    # Material (R15): they cancelled, then booked again; what makes the new meeting better is
    # owed by email before it (overdue since last evening, but material ranks as material).
    material = engine.apply(
        engine.apply(
            engine.apply(
                _new(engine, "material", at=t),
                ev.MeetingBooked(at=t, meeting_id="m", starts_at=NOW + timedelta(days=2)),
            ),
            ev.MeetingCancelled(at=t + timedelta(hours=1), meeting_id="m", by="prospect"),
        ),
        ev.MeetingBooked(
            at=NOW - timedelta(minutes=30), meeting_id="m", starts_at=NOW + timedelta(days=4)
        ),
    )
    assert engine.next_action(material, NOW).priority is Priority.PREPARE
    # Due today: a brand-new prospect.
    due = _new(engine, "due")
    book = [due, overdue, material, promise, rep]
    nothing = plan_day(engine, book, day=DAY, now=NOW, capacity=0)
    assert [d.prospect_id for d in nothing.deferred] == [
        "rep",
        "promise",
        "material",
        "overdue",
        "due",
    ]
    one_each = plan_day(engine, book, day=DAY, now=NOW, capacity=1)
    picked = {t.action.channel: t.prospect_id for t in one_each.touches}
    # R14: the apology call first, then the promise; the material has email to itself
    assert picked == {Channel.PHONE: "rep", Channel.EMAIL: "material"}
    assert [t.action.priority for t in one_each.touches] == [  # in time: email opens at 8:00
        Priority.PREPARE,
        Priority.RESCHEDULE,
    ]
    assert [d.prospect_id for d in one_each.deferred] == ["promise", "overdue", "due"]


def test_a_plan_made_during_the_day_puts_the_touches_overdue_since_the_morning_first() -> None:
    """R2, overdue work surfaces first, the most late first: planned at 14:00 for the day, a
    first call due since 09:00 ranks before one due since 11:30, and both before one that
    came due at 14:00 and is not late. Every one starts at 14:00: ranked by that start, the
    three tied and went by id, and the rep called the freshest first."""
    engine = cadence.Engine()
    now = datetime(2026, 3, 10, 14, 0, tzinfo=CHICAGO)
    book = [
        _new(engine, "a-fresh", at=now),
        _new(engine, "b-since-11-30", at=now.replace(hour=11, minute=30)),
        _new(engine, "c-since-9", at=now.replace(day=9, hour=19)),
    ]
    assert [engine.next_action(p, now).due_since for p in book] == [
        None,
        now.replace(hour=11, minute=30),
        now.replace(hour=9),
    ]
    plan = _in_both_planners(engine, book, day=DAY, now=now, capacity=1)
    assert [t.prospect_id for t in plan.touches] == ["c-since-9"]
    assert [d.prospect_id for d in plan.deferred] == ["b-since-11-30", "a-fresh"]


def test_drip_comes_last() -> None:
    engine = cadence.Engine(cadence.Policy(drip_requires_permission=False, drip_interval_days=1))
    lost = engine.apply(
        _new(engine, "drip", at=NOW - timedelta(days=9)),
        ev.DealClosed(at=NOW - timedelta(days=3), won=False),
    )
    due = _new(engine, "due", preferred_channel="email")  # both compete for email
    both = plan_day(engine, [lost, due], day=DAY, now=NOW, capacity=2)
    assert {t.action.kind for t in both.touches} == {ActionKind.DRIP_TOUCH, ActionKind.EMAIL}
    one = plan_day(engine, [lost, due], day=DAY, now=NOW, capacity=1)
    assert [t.prospect_id for t in one.touches] == ["due"]
    assert [d.prospect_id for d in one.deferred] == ["drip"]
    # A touch due on the day, not overdue, and as early as the drip (the id would put the
    # drip first): the class alone decides, in both planners.
    morning = datetime.combine(DAY, time(7), CHICAGO)
    fresh = _new(engine, "due", at=morning - timedelta(minutes=30), preferred_channel="email")
    first = engine.next_action(fresh, morning)
    assert first.due_since is None
    assert first.earliest == engine.next_action(lost, morning).earliest
    one = plan_day(engine, [lost, fresh], day=DAY, now=morning, capacity=1)
    assert [t.prospect_id for t in one.touches] == ["due"]


def test_warm_repairs_rank_above_cold_ladder_steps_even_overdue_ones() -> None:
    """A rep short of capacity does the warm work first: the follow-up owed after a
    conversation that ended without an agreed time (R1, R2) and the new times owed after a
    no-show (R2) rank above first calls overdue since last week, whatever their ids; an
    agreed call (R1) still ranks above them all. Ranked as the generic follow-ups they are,
    the cold steps, overdue, took the rep's only call and only email."""
    engine = cadence.Engine()
    now = datetime.combine(DAY, time(7), CHICAGO)
    week_ago = now - timedelta(days=8)
    friday = datetime(2026, 3, 6, 10, tzinfo=CHICAGO)
    cold_call = _new(engine, "a-cold-call", at=week_ago)
    cold_email = _new(engine, "a-cold-email", at=week_ago, preferred_channel="email")
    talked = engine.apply(
        _new(engine, "b-talked", at=week_ago), ev.CallAttempted(at=friday, outcome="connected")
    )
    missed = _new(engine, "c-missed", at=week_ago)
    for e in (
        ev.MeetingBooked(at=week_ago, meeting_id="m", starts_at=friday),
        ev.MeetingNoShow(at=friday + timedelta(minutes=30), meeting_id="m"),
        ev.CallAttempted(at=friday + timedelta(hours=1), outcome="no_answer"),
    ):
        missed = engine.apply(missed, e)
    agreed = engine.apply(
        _new(engine, "d-agreed", at=week_ago),
        ev.CallAttempted(
            at=friday, outcome="connected", next_contact_at=now.replace(hour=9, minute=30)
        ),
    )
    said = {p.id: engine.next_action(p, now) for p in (cold_call, cold_email, talked, missed)}
    assert {pid: (a.kind, a.priority, a.rules) for pid, a in said.items()} == {
        "a-cold-call": (ActionKind.CALL, Priority.FOLLOW_UP, ("R2",)),
        "a-cold-email": (ActionKind.EMAIL, Priority.FOLLOW_UP, ("R2", "R16")),
        "b-talked": (ActionKind.CALL, Priority.FOLLOW_UP, ("R1", "R2")),
        "c-missed": (ActionKind.PROPOSE_TIMES, Priority.FOLLOW_UP, ("R2",)),
    }
    assert said["a-cold-call"].due_since is not None
    assert said["b-talked"].due_since is None
    book = [cold_call, cold_email, talked, missed]
    plan = _in_every_planner(engine, book, day=DAY, now=now, capacity=1)
    assert {t.prospect_id for t in plan.touches} == {"b-talked", "c-missed"}
    # (the email due since 08:00 last Monday, the call since 09:00: the most late first)
    assert [d.prospect_id for d in plan.deferred] == ["a-cold-email", "a-cold-call"]
    # The agreed call keeps its place above them (R1); then the warm, then the cold work.
    plan = _in_every_planner(engine, [*book, agreed], day=DAY, now=now, capacity=0)
    assert [d.prospect_id for d in plan.deferred] == [
        "d-agreed",
        "c-missed",  # (overdue since Monday: the most late of the warm work first)
        "b-talked",
        "a-cold-email",
        "a-cold-call",
    ]


def test_r13_r17_the_follow_up_after_an_opt_in_or_a_not_now_is_warm_work_too() -> None:
    """They opted in again (R13), or said "not now" without a date and the drip interval has
    passed (R17): they spoke to us, and their follow-ups rank above a cold first call owed
    for a week, in every planner."""
    engine = cadence.Engine(cadence.Policy(drip_interval_days=1))
    now = datetime.combine(DAY, time(7), CHICAGO)
    week_ago = now - timedelta(days=8)
    cold = _new(engine, "a-cold", at=week_ago)
    opted_in = _new(engine, "b-opted-in", at=week_ago)
    for e in (
        ev.OptedOut(at=week_ago + timedelta(days=1)),
        ev.OptedIn(at=now - timedelta(hours=20)),
    ):
        opted_in = engine.apply(opted_in, e)
    not_now = engine.apply(
        _new(engine, "c-not-now", at=week_ago),
        ev.EmailReplied(at=datetime(2026, 3, 6, 11, tzinfo=CHICAGO), intent="not_now"),
    )
    book = [cold, opted_in, not_now]
    assert [engine.next_action(p, now).rules for p in book] == [("R2",), ("R13",), ("R17",)]
    plan = _in_every_planner(engine, book, day=DAY, now=now, capacity=0)
    assert [d.prospect_id for d in plan.deferred] == ["c-not-now", "b-opted-in", "a-cold"]


def test_overdue_drip_touches_rank_by_how_long_they_have_been_due_then_id() -> None:
    """Every overdue drip touch starts at ``now``: ranked by that start they tied and went by
    id, so the one due for a week waited behind one due since Monday. Like other overdue
    work they rank by when they came due, the oldest first, and both before one not yet due."""
    engine = cadence.Engine(cadence.Policy(drip_requires_permission=False, drip_interval_days=1))
    now = datetime.combine(DAY, time(7), CHICAGO)

    def lost(pid: str, days: int) -> cadence.Prospect:
        at = now - timedelta(days=days)
        p = _new(engine, pid, at=at - timedelta(days=1), preferred_channel="email")
        return engine.apply(p, ev.DealClosed(at=at, won=False))

    book = [lost("a-since-monday", 2), lost("b-since-a-week", 8), lost("c-since-friday", 5)]
    assert [engine.next_action(p, now).due_since for p in book] == [
        datetime(2026, 3, day, 8, tzinfo=CHICAGO) for day in (9, 3, 6)
    ]
    plan = _in_every_planner(engine, book, day=DAY, now=now, capacity=1)
    assert [t.prospect_id for t in plan.touches] == ["b-since-a-week"]
    assert [d.prospect_id for d in plan.deferred] == ["c-since-friday", "a-since-monday"]


def test_suppressions_by_id_phone_and_email_are_never_planned(engine: cadence.Engine) -> None:
    book = [
        _new(engine, "p1", phone="+13125550101"),
        _new(engine, "p2", email="dana@acme.example"),
        _new(engine, "p3"),
        _new(engine, "p4"),
    ]
    plan = plan_day(
        engine,
        book,
        day=DAY,
        now=NOW,
        capacity=10,
        suppressions={"+13125550101", "dana@acme.example", "p3"},
    )
    assert [t.prospect_id for t in plan.touches] == ["p4"]
    assert plan.counts["suppressed"] == 3


def test_a_reimported_opted_out_contact_stays_suppressed(engine: cadence.Engine) -> None:
    old = engine.apply(_new(engine, "old", phone="+1555"), ev.OptedOut(at=NOW - timedelta(days=30)))
    reimported = _new(engine, "new-id", phone="+1555")  # same person, fresh record
    suppress = {
        x for p in (old,) if p.stage is cadence.Stage.OPTED_OUT for x in (p.id, p.phone) if x
    }
    plan = plan_day(engine, [old, reimported], day=DAY, now=NOW, capacity=10, suppressions=suppress)
    assert plan.touches == ()


def test_plan_is_deterministic_whatever_the_input_order(engine: cadence.Engine) -> None:
    book = [_new(engine, f"p{i:03d}", owner=f"rep{i % 3}") for i in range(60)]
    first = plan_day(engine, book, day=DAY, now=NOW, capacity=7)
    for seed in range(3):
        shuffled = book[:]
        random.Random(seed).shuffle(shuffled)
        assert plan_day(engine, shuffled, day=DAY, now=NOW, capacity=7) == first


def test_streams_any_iterable(engine: cadence.Engine) -> None:
    def book() -> Iterator[cadence.Prospect]:
        for i in range(2000):
            yield _new(engine, f"p{i:04d}", owner=f"rep{i % 4}")

    plan = plan_day(engine, book(), day=DAY, now=NOW, capacity=5, deferred_limit=10)
    assert len(plan.touches) == 20
    assert plan.counts["deferred"] == 1980
    assert len(plan.deferred) == 10  # memory for deferred touches is bounded too


def test_bad_arguments_are_clear(engine: cadence.Engine) -> None:
    with pytest.raises(ValueError, match="day"):
        plan_day(engine, [], day=NOW, now=NOW, capacity=1)
    with pytest.raises(ValueError, match="capacity"):
        plan_day(engine, [], day=DAY, now=NOW, capacity=-1)
    # A key that names no owner, channel or (owner, channel) pair would plan nobody, quietly.
    for key in (("ana", "sms"), ("ana",), ("ana", "phone", "x"), 1, None):
        with pytest.raises(InvalidInputError, match=r"^capacity: key .* is not an owner, a ch"):
            plan_day(engine, [], day=DAY, now=NOW, capacity={key: 2})  # type: ignore[dict-item]
    book = [_new(engine, "p1", owner="ana")]
    fine_keys: list[Capacity] = [
        {("ana", "phone"): 1},
        {("ana", Channel.PHONE): 1},
        {"phone": 1},
        {"ana": 1},
    ]
    for fine in fine_keys:
        assert plan_day(engine, book, day=DAY, now=NOW, capacity=fine).counts["planned"] == 1


@given(
    n=st.integers(1, 40),
    cap=st.integers(0, 12),
    zones=st.lists(
        st.sampled_from(["America/Chicago", "America/New_York", "America/Los_Angeles"]),
        min_size=1,
        max_size=3,
    ),
    seed=st.integers(0, 10_000),
)
def test_slots_never_overlap_and_lie_in_each_prospects_window(
    n: int, cap: int, zones: list[str], seed: int
) -> None:
    engine = cadence.Engine()
    rng = random.Random(seed)
    book = []
    for i in range(n):
        p = engine.enroll(
            f"p{i}",
            timezone=rng.choice(zones),
            at=NOW - timedelta(days=rng.randint(0, 9)),
            country="US",
            owner=f"r{rng.randint(0, 2)}",
        )
        if rng.random() < 0.5:
            p = engine.apply(p, ev.CallAttempted(at=p.enrolled_at, outcome="voicemail"))
        book.append(p)
    plan = plan_day(engine, book, day=DAY, now=NOW, capacity=cap)
    by_owner: dict[str, list[tuple[datetime, datetime]]] = {}
    for t in plan.touches:
        by_owner.setdefault(t.owner, []).append((t.start, t.end))
        assert t.start >= t.action.earliest
        assert t.local_start.date() == DAY
        assert t.action.channel is not None
        if t.action.channel is Channel.PHONE:
            assert 8 <= t.local_start.hour < 21  # the US federal calling window
        # It starts inside an allowed window (half-open: before its end; it may end past it).
        cal = engine.calendar(book[int(t.prospect_id[1:])])
        assert cal.next_window(t.action.channel, t.start).start_utc == t.start
    for spans in by_owner.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start
    assert (
        plan.counts["planned"]
        + plan.counts["deferred"]
        + plan.counts["not_due"]
        + plan.counts["suppressed"]
        == n
    )


@given(history=histories(policies=policies()), data=st.data())
def test_a_horizon_changes_no_decision_it_only_skips_what_starts_after_it(
    history: History, data: st.DataObject
) -> None:
    """``plan_day`` asks the engine only about what starts before the day ends: with a horizon,
    ``Engine._decide`` answers ``None`` exactly when the next action starts at or after it (or
    is ``none``), and otherwise the very decision it gives without one (so skipping unplaced
    tasks changes no plan). Checked for every state of the history and each as time moved it
    on (dropped, dripping), at the edges (the start itself, a microsecond after it) and at a
    drawn distance: most of a book is decided on its ladder's gap alone (``ladder_time``),
    and a wrong shortcut shows first at the edges."""
    engine = engine_for(history.policy)
    searched: Searched = {}
    for p, now in as_time_moves(engine, history, data):
        full = engine._decide(p, now)
        # By instant: a horizon drawn as local wall-clock arithmetic falls into a DST gap (Cairo
        # springs forward at midnight) and lands after the start it was meant to precede.
        start = full.earliest_utc if isinstance(full, cadence.Action) else full[2].start_utc
        # Horizons around the decision's start: at it, just before or after it, or anywhere
        # within a few hours or days.
        offset = data.draw(
            st.sampled_from([timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1)])
            | st.integers(-180, 180).map(lambda m: timedelta(minutes=m))
            | st.integers(-4 * 24 * 60, 4 * 24 * 60).map(lambda m: timedelta(minutes=m)),
            label="horizon - start",
        )
        for until in (start, start + timedelta(microseconds=1), start + offset):
            bounded = engine._decide(p, now, until)
            # As plan_day asks it: with one memo of windows searched from now, shared by every
            # prospect (here every state and horizon of the example).
            cal = engine.calendar(p)
            assert engine._horizon(p, cal, now.astimezone(UTC), until, searched) == bounded
            if isinstance(full, cadence.Action):  # paused (R17): the wait, whatever the horizon
                assert bounded == full
                continue
            if start >= until or full[2].task.kind is cadence.ActionKind.NONE:
                assert bounded is None, (start, until)
            else:
                assert bounded is not None, (start, until)
                assert not isinstance(bounded, cadence.Action)
                assert bounded[2] == full[2]
                assert engine._action(*bounded) == engine._action(*full)


@given(
    lengths=st.lists(st.integers(1, 30), min_size=1, max_size=40),
    starts=st.lists(st.integers(0, 200), min_size=40, max_size=40),
    limit=st.integers(0, 260),
)
@example(lengths=[5, 5, 5], starts=[0, 0, 3] + [0] * 37, limit=10)  # the last fits to the minute
@example(lengths=[4, 2, 2], starts=[2, 0, 0] + [0] * 37, limit=8)  # a gap before, then merged
@example(lengths=[10, 10], starts=[5, 5] + [0] * 38, limit=10)  # starts inside, ends past it
def test_a_reps_day_is_booked_first_fit_without_overlaps(
    lengths: list[int], starts: list[int], limit: int
) -> None:
    """Both planners fill a rep's day with ``cadence._stretches.book``: each touch gets the
    earliest free minute at or after its window opens and before the window ends (half-open,
    DESIGN §4: a touch need only start inside; it may run past the end), never overlapping
    another, and the booked stretches stay sorted, disjoint and merged (checked against a
    minute-by-minute oracle)."""
    busy: list[tuple[int, int]] = []
    taken = [False] * 300
    for length, start in zip(lengths, starts, strict=False):
        expected = next(
            (s for s in range(start, limit) if not any(taken[s : s + length])),
            None,
        )
        assert book(busy, start, length, limit) == expected
        if expected is not None:
            taken[expected : expected + length] = [True] * length
        assert all(a < b for a, b in busy)
        assert all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(busy))  # merged
        assert [m for a, b in busy for m in range(a, b)] == [m for m in range(300) if taken[m]]


def test_a_prospect_dropped_for_good_is_not_worked_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R12: once the breakup went unanswered and there is no leave to drip, the next action
    is ``none`` for good, and ``plan_day`` sees it without working out the prospect's tasks
    (most of a long-running book ends this way). A call made anyway still counts: its
    voicemail owes the same-day email (R6), which is planned."""
    from cadence import _choosing
    from cadence._agenda import tasks
    from tests import golden

    _, enroll, history, _ = golden._silent(40, permission=False)
    engine = cadence.Engine()
    p = engine.replay("g", history, **enroll)
    assert p.stage is cadence.Stage.OPT_OUT_OFFERED
    assert p.breakup_sent_at is not None
    later = datetime(2026, 6, 2, 10, 0, tzinfo=CHICAGO)  # a Tuesday, long after the breakup
    assert engine.next_action(p, later).kind is ActionKind.NONE
    worked_out: list[object] = []

    def counted(*args: Any) -> Any:
        worked_out.append(args)
        return tasks(*args)

    monkeypatch.setattr(_choosing, "tasks", counted)  # where the decision asks for them
    plan = plan_day(engine, [p], day=later.date(), now=later, capacity=5)
    assert plan.counts["not_due"] == 1
    assert worked_out == []
    again = engine.apply(p, ev.CallAttempted(at=later, outcome="voicemail"))
    assert again.stage is cadence.Stage.DROPPED
    plan = plan_day(engine, [again], day=later.date(), now=later, capacity=5)
    assert [t.action.rules for t in plan.touches] == [("R6",)]
    assert worked_out


@given(
    region=regions(),
    found=st.data(),
    later=st.integers(0, 30 * 24 * 60).map(lambda m: timedelta(minutes=m)),
)
def test_a_plans_memo_of_windows_from_now_changes_no_decision(
    region: Region, found: st.DataObject, later: timedelta
) -> None:
    """``plan_day`` shares one memo of the windows searched from its ``now`` among all the
    overdue tasks of a book (``_placing.again``). Many prospects in one place, every state of
    their histories asked about the same ``now``: each decision with the shared memo is the
    decision without one."""
    book = found.draw(
        st.lists(histories(places=st.just(region), max_events=14), min_size=2, max_size=6),
        label="histories",
    )
    engine = engine_for(book[0].policy)
    states = [q for h in book for q in h.states]
    now = max(q.last_event_at for q in states) + later
    cal = engine.calendar(states[0])
    until = now + timedelta(days=1)
    searched: Searched = {}
    overdue = 0
    for q in states:
        alone = engine._horizon(q, cal, now, until)
        assert engine._horizon(q, cal, now, until, searched) == alone
        overdue += (
            alone is not None
            and not isinstance(alone, cadence.Action)
            and (alone[2].due_since is not None)
        )
    event(f"overdue decisions: {'several' if overdue > 1 else overdue}")


def test_a_plans_memo_never_shares_a_window_an_elapsed_time_cap_binds() -> None:
    """France allows four calls in 30 days: a prospect called four times lately gets a window
    of its own from ``now``, not the one the plan's memo kept for a prospect never called."""
    engine = cadence.Engine()
    cal = engine.calendar(
        engine.enroll(
            "fr", timezone="Europe/Paris", at=datetime(2026, 3, 2, tzinfo=UTC), country="FR"
        )
    )
    now = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    task = Task(ActionKind.CALL, Channel.PHONE, now - timedelta(days=2), Priority.FOLLOW_UP, (), "")
    calls = tuple(now - timedelta(days=d, hours=3) for d in (1, 2, 3, 4))
    searched: Searched = {}
    free = again(cal, task, now, (), searched)
    capped = again(cal, task, now, calls, searched)
    assert capped == window_for(cal, task, now, calls)
    assert capped.start > free.start  # the cap holds the fifth call back


def _paused_until(engine: cadence.Engine, pid: str, until: datetime, how: str) -> cadence.Prospect:
    """A prospect paused (R17): "not now, get back to me at ``until``", or away until then
    (an out-of-office's ``until`` is its last day away)."""
    p = _new(engine, pid, owner=pid, at=NOW - timedelta(days=30))  # (a rep each: no contention)
    at = NOW - timedelta(days=29)
    if how == "not_now":
        return engine.apply(p, ev.EmailReplied(at=at, intent="not_now", resume_at=until))
    return engine.apply(p, ev.OutOfOffice(at=at, until=until))


@pytest.mark.parametrize(
    ("how", "pauses"),
    [
        (
            "not_now",
            {"mon": NOW + timedelta(hours=2), "tue": datetime(2026, 3, 10, 9, tzinfo=CHICAGO)}
            | {"tue-14": datetime(2026, 3, 10, 14, tzinfo=CHICAGO)}
            | {"wed": datetime(2026, 3, 11, 9, tzinfo=CHICAGO)},
        ),
        ("out_of_office", {"tue": NOW, "wed": datetime(2026, 3, 10, 9, tzinfo=CHICAGO)}),
    ],
)
def test_a_pause_that_ends_before_or_on_the_day_lets_its_next_touch_be_planned(
    engine: cadence.Engine, how: str, pauses: dict[str, datetime]
) -> None:
    """R17: the prospect said "not now, get back to me on Tuesday at 09:00" (or is away until
    Monday night). The nightly run on Monday evening plans Tuesday: the touch that follows the
    pause is on Tuesday's plan, where ``engine.plan`` lists it after its wait, not left out and
    found overdue on Wednesday. A pause that ends after the day keeps the prospect out."""
    book = [_paused_until(engine, pid, until, how) for pid, until in pauses.items()]
    plan = plan_day(engine, book, day=DAY, now=NOW, capacity=5)
    planned = {t.prospect_id: t for t in plan.touches}
    assert sorted(planned) == sorted(pid for pid in pauses if pid != "wed")
    for p in book:
        wait, after = engine.plan(p, NOW)[:2]
        assert wait.kind is ActionKind.WAIT
        if p.id in planned:
            touch = planned[p.id]
            assert touch.action == engine.next_action(p, wait.earliest)
            assert (touch.action.kind, touch.start) == (after.kind, after.earliest_utc)
    assert plan.counts["not_due"] == 1


def _called_in_the_morning(engine: cadence.Engine, pid: str) -> cadence.Prospect:
    """A prospect whose last call, Monday last week at 10:00, went unanswered (R4 would send
    the next ladder call to another part of the day)."""
    t = datetime(2026, 3, 2, 10, 0, tzinfo=CHICAGO)
    p = _new(engine, pid, owner=pid, at=t - timedelta(hours=1))  # (a rep each: no contention)
    p = engine.apply(p, ev.CallAttempted(at=t, outcome="no_answer"))
    assert p.last_attempt_slot == "morning"
    return p


def test_r4_moves_only_the_ladders_retry_every_other_call_keeps_its_window(
    engine: cadence.Engine,
) -> None:
    """After an unanswered morning call, the ladder's retry goes to another part of the day
    (R4), but a call agreed for Tuesday 10:00 (R1), the apology for a meeting the rep
    cancelled (R14, at once: 09:00) and a "call me on Tuesday at 10:00" are placed where the
    engine's action says, not moved to the afternoon. Each planned touch starts at its
    action's ``earliest`` and ends by its ``latest``."""
    t = datetime(2026, 3, 3, 8, 0, tzinfo=CHICAGO)
    ten = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)
    retry = _called_in_the_morning(engine, "retry")
    promise = engine.apply(
        engine.apply(
            _called_in_the_morning(engine, "promise"),
            ev.MeetingBooked(at=t, meeting_id="m", starts_at=t + timedelta(days=2, hours=2)),
        ),
        ev.MeetingHeld(at=t + timedelta(days=2, hours=3), meeting_id="m", next_contact_at=ten),
    )
    apology = engine.apply(
        engine.apply(
            _called_in_the_morning(engine, "apology"),
            ev.MeetingBooked(at=t, meeting_id="m", starts_at=ten + timedelta(days=2)),
        ),
        ev.MeetingCancelled(at=NOW - timedelta(minutes=10), meeting_id="m", by="rep"),
    )
    resume = engine.apply(
        _called_in_the_morning(engine, "resume"),
        ev.EmailReplied(at=t, intent="not_now", resume_at=ten),
    )
    book = [retry, promise, apology, resume]
    plan = plan_day(engine, book, day=DAY, now=NOW, capacity=5)
    starts = {tt.prospect_id: f"{tt.local_start:%H:%M}" for tt in plan.touches}
    assert starts == {"retry": "12:00", "promise": "10:00", "apology": "09:00", "resume": "10:00"}
    for touch in plan.touches:
        assert touch.action.earliest_utc == touch.start < touch.end <= touch.action.latest_utc
    assert [t.action.rules for t in plan.touches if t.prospect_id == "retry"] == [("R3", "R4")]


@given(history=histories(max_events=10), data=st.data())
def test_a_rep_with_time_to_spare_places_each_touch_where_its_action_starts(
    history: History, data: st.DataObject
) -> None:
    """With a rep of its own (nothing else in the day), a touch starts where the engine's
    action does (or at the day's start), inside the action's window (half-open: it may run
    past the end, DESIGN §4); only a window that is over when the day starts sends it on to
    the next one (R2: where the engine would then name it, overdue)."""
    engine = engine_for(history.policy)
    p = history.final.model_copy(update={"owner": "solo"})
    now = data.draw(st.sampled_from([p.last_event_at, *(s.last_event_at for s in history.states)]))
    now = now + data.draw(st.sampled_from([timedelta(0), timedelta(hours=5), timedelta(days=3)]))
    zone = engine.calendar(p).zone
    day = now.astimezone(zone).date() + timedelta(days=data.draw(st.integers(0, 1)))
    plan = plan_day(engine, [p], day=day, now=now, capacity=1)
    event(f"planned: {bool(plan.touches)}")
    for touch in plan.touches:
        action = touch.action
        day_start = resolve_local(day, time(0), zone).astimezone(UTC)
        first = max(action.earliest_utc, day_start)
        if first < action.latest_utc:
            event(f"in its window, ending past it: {touch.end > action.latest_utc}")
            assert touch.start == first
            assert touch.start < action.latest_utc


@pytest.mark.parametrize("limit", ["5", None, -1, True, 2.0])
def test_plan_day_refuses_a_deferred_limit_that_is_not_a_count_as_plan_table_does(
    engine: cadence.Engine, limit: object
) -> None:
    """``plan_day`` refused a bad ``deferred_limit`` with a bare TypeError, or listed nothing
    for -1; it now gives ``plan_table``'s error, from the one check they share."""
    book = [_new(engine, f"p{i}") for i in range(3)]
    pattern = rf"^deferred_limit: {re.escape(repr(limit))} is not a count; give a whole number"
    with pytest.raises(InvalidInputError, match=pattern) as info:
        plan_day(engine, book, day=DAY, now=NOW, capacity=1, deferred_limit=limit)  # type: ignore[arg-type]
    assert info.value.field == "deferred_limit"


def _with_meeting(
    engine: cadence.Engine, p: cadence.Prospect, starts: datetime, mid: str = "m1"
) -> cadence.Prospect:
    """``p`` after a call that booked a meeting at ``starts`` (30 minutes, the default)."""
    at = p.last_event_at + timedelta(minutes=1)
    p = engine.apply(p, ev.CallAttempted(at=at, outcome="connected"))
    return engine.apply(p, ev.MeetingBooked(at=at, meeting_id=mid, starts_at=starts))


def _kinds_and_spans(plan: Any, fmt: str) -> list[tuple[str, str, str]]:
    """Each touch of the day's plan as (prospect, kind, local start-end in ``fmt``)."""
    return [
        (t.prospect_id, t.action.kind.value, f"{t.local_start:{fmt}}-{t.local_end:{fmt}}")
        for t in plan.touches
    ]


def test_a_reps_booked_meeting_blocks_her_time_and_is_listed_in_her_day(
    engine: cadence.Engine,
) -> None:
    """Ana meets p0 on Tuesday 09:00-09:30: her calls to p1..p4 go around it (they were
    booked at 09:00, 09:10, 09:20 and 09:30, over the meeting), and the meeting is in her
    day as a touch of kind attend_meeting, on no call or email capacity."""
    nine = datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)
    book = [_new(engine, f"p{i}", at=NOW - timedelta(days=1)) for i in range(5)]
    book[0] = _with_meeting(engine, book[0], nine)
    plan = plan_day(engine, book, day=DAY, now=NOW, capacity=4)
    day = _kinds_and_spans(plan, "%H:%M")
    assert day == [
        ("p0", "attend_meeting", "09:00-09:30"),
        ("p1", "call", "09:30-09:40"),
        ("p2", "call", "09:40-09:50"),
        ("p3", "call", "09:50-10:00"),
        ("p4", "call", "10:00-10:10"),
    ]
    meeting = plan.touches[0].action
    assert meeting.channel is Channel.MEETING
    assert (meeting.earliest, meeting.latest) == (nine, nine + timedelta(minutes=30))
    assert plan.counts == {"suppressed": 0, "not_due": 1, "planned": 4, "deferred": 0}
    # The day as a calendar for the reps leaves the meeting out: it is in theirs already.
    events = Calendar.from_ical(plan_ics(plan, stamp=NOW)).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == [f"call: p{i}" for i in range(1, 5)]


def test_meetings_of_other_days_other_reps_or_cancelled_block_nothing(
    engine: cadence.Engine,
) -> None:
    """A booked meeting blocks only its owner's time, and only where it is: Bo's meeting and
    Wednesday's leave Ana's Tuesday free from 09:00, and Cy's email of new times to the
    prospect who cancelled takes the cancelled meeting's time."""
    tuesday_nine = datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)
    bo = _with_meeting(engine, _new(engine, "bo0", owner="bo"), tuesday_nine)
    later = _with_meeting(engine, _new(engine, "p0"), tuesday_nine + timedelta(days=1))
    gone = _with_meeting(engine, _new(engine, "cy0", owner="cy"), tuesday_nine)
    gone = engine.apply(gone, ev.MeetingCancelled(at=NOW, meeting_id="m1", by="prospect"))
    calls = [_new(engine, f"c{i}", at=NOW - timedelta(days=1)) for i in range(2)]
    plan = plan_day(engine, [bo, later, gone, *calls], day=DAY, now=NOW, capacity=4)
    day = [(t.owner, t.prospect_id, f"{t.local_start:%H:%M}") for t in plan.touches]
    assert day == [
        ("ana", "c0", "09:00"),
        ("ana", "c1", "09:10"),
        ("bo", "bo0", "09:00"),
        ("cy", "cy0", "09:00"),
    ]
    kinds = [t.action.kind for t in plan.touches][2:]
    assert kinds == [ActionKind.ATTEND_MEETING, ActionKind.PROPOSE_TIMES]  # (R15: new times)


def test_a_stored_prospect_whose_zone_is_not_of_its_country_stops_the_plan() -> None:
    """A Florida prospect stored with the CRM's default zone ``UTC`` (before cadence checked
    zones against countries) was planned at 09:00 UTC, 05:00 in Miami; the plan is refused,
    naming the zone and the fix, as for a zone that does not exist."""
    engine = cadence.Engine()
    good = engine.enroll("fl", timezone="America/New_York", at=NOW, country="US", subdivision="FL")
    stored = cadence.Prospect.model_validate_json(
        good.model_dump_json().replace('"America/New_York"', '"UTC"').replace('"fl"', '"fl-2"')
    )  # (another id: a book with one twice is refused as such, whatever else is wrong)
    with pytest.raises(InvalidInputError, match=r"^timezone: 'UTC' .* US-FL") as caught:
        plan_day(engine, [good, stored], day=DAY, now=NOW, capacity=5)
    assert caught.value.field == "timezone"


def _afternoon_workshop(engine: cadence.Engine, fresh: int) -> list[cadence.Prospect]:
    """Ana's Tuesday: a workshop with one client from 12:00 to 17:00 (the whole afternoon of
    calls), the ladder's retry of a call that went unanswered one morning last week (R4 keeps
    it from the morning; overdue, it ranks first) and ``fresh`` new prospects whose first
    calls are due on Tuesday morning."""
    host = _new(engine, "host", at=NOW - timedelta(days=2))
    host = engine.apply(host, ev.CallAttempted(at=NOW - timedelta(days=1), outcome="connected"))
    workshop = ev.MeetingBooked(
        at=NOW - timedelta(days=1),
        meeting_id="w1",
        starts_at=datetime(2026, 3, 10, 12, 0, tzinfo=CHICAGO),
        duration_minutes=5 * 60,
    )
    retry = _called_in_the_morning(engine, "retry").model_copy(update={"owner": "ana"})
    fresh_calls = [_new(engine, f"fresh{i}") for i in range(fresh)]
    return [retry, engine.apply(host, workshop), *fresh_calls]


def test_a_touch_with_no_free_time_takes_no_place_the_next_one_gets_it(
    engine: cadence.Engine,
) -> None:
    """Ana may make two calls on Tuesday and spends the afternoon in a workshop. The overdue
    retry ranks first, but R4 keeps it from the morning and the afternoon is taken: it finds
    no free time and is deferred for that. It took one of her two places all the same, so
    only one new prospect was called and the other was deferred "over capacity" while her
    morning stood empty. Only a touch that gets a slot takes a place: both new prospects are
    called, and a third is over capacity."""
    plan = plan_day(engine, _afternoon_workshop(engine, 3), day=DAY, now=NOW, capacity=2)
    day = [(t.prospect_id, f"{t.local_start:%H:%M}-{t.local_end:%H:%M}") for t in plan.touches]
    assert day == [("fresh0", "09:00-09:10"), ("fresh1", "09:10-09:20"), ("host", "12:00-17:00")]
    assert [(d.prospect_id, d.reason) for d in plan.deferred] == [
        ("retry", "no free time in window"),
        ("fresh2", "over capacity"),
    ]
    assert plan.counts == {"suppressed": 0, "not_due": 1, "planned": 2, "deferred": 2}
    # The retry's own day would have room: it is the workshop that leaves it none.
    alone = plan_day(engine, _afternoon_workshop(engine, 0)[:1], day=DAY, now=NOW, capacity=2)
    assert [f"{t.local_start:%H:%M}" for t in alone.touches] == ["12:00"]


@pytest.mark.parametrize("contact", WRITTEN_OTHERWISE.values(), ids=WRITTEN_OTHERWISE.keys())
def test_a_reimported_contact_written_otherwise_stays_suppressed(
    engine: cadence.Engine, contact: dict[str, str]
) -> None:
    """R13: the list has ``+13125550104`` and ``dana.lee@acme.test``; the re-import wrote
    ``(312) 555-0104`` or ``Dana.Lee@ACME.test``. Numbers match by their digits, the end of
    one being the other (seven at least), emails trimmed and whatever their case."""
    p = _new(engine, "reimported", "ana", NOW - timedelta(hours=1), **contact)
    plan = plan_day(engine, [p], day=DAY, now=NOW, capacity=5, suppressions=SUPPRESSED)
    assert plan.counts == {"suppressed": 1, "not_due": 0, "planned": 0, "deferred": 0}


@pytest.mark.parametrize("contact", NOT_SUPPRESSED.values(), ids=NOT_SUPPRESSED.keys())
def test_a_contact_the_list_does_not_name_is_planned(
    engine: cadence.Engine, contact: dict[str, str]
) -> None:
    """Another number (the same local number in another area, six digits in common) or
    another address is not suppressed."""
    p = _new(engine, "other", "ana", NOW - timedelta(hours=1), **contact)
    plan = plan_day(engine, [p], day=DAY, now=NOW, capacity=5, suppressions=SUPPRESSED)
    assert plan.counts == {"suppressed": 0, "not_due": 0, "planned": 1, "deferred": 0}


def test_a_suppressed_id_matches_only_itself(engine: cadence.Engine) -> None:
    """An id is opaque: it is neither trimmed nor compared without case."""
    book = [_new(engine, pid) for pid in ("acme-7", "ACME-7", " acme-7")]
    plan = plan_day(engine, book, day=DAY, now=NOW, capacity=5, suppressions={"acme-7"})
    assert sorted(t.prospect_id for t in plan.touches) == [" acme-7", "ACME-7"]
    assert plan.counts["suppressed"] == 1


def _evening_callers() -> cadence.Engine:
    """A team that calls until 22:00: the US federal rule (08:00-21:00) ends its evenings."""
    return cadence.Engine(
        cadence.Policy(
            call_slots=(
                TimeSlot(name="day", start=time(9), end=time(17)),
                TimeSlot(name="evening", start=time(17), end=time(22)),
            )
        )
    )


def _agreed_for(engine: cadence.Engine, pid: str, at: datetime) -> cadence.Prospect:
    """A prospect of Ana's in Illinois who agreed on Monday to be called at ``at`` (R1)."""
    p = _new(engine, pid, at=NOW - timedelta(days=1), subdivision="IL")
    return engine.apply(
        p, ev.CallAttempted(at=NOW - timedelta(hours=1), outcome="connected", next_contact_at=at)
    )


def test_a_call_agreed_for_just_before_the_law_ends_the_day_starts_then() -> None:
    """Two prospects agreed to be called on Tuesday at 20:55; the law lets calls start until
    21:00 (DESIGN §4, §5: a call must start inside its window, half-open). The engine names
    each call for 20:55 and at 20:59 still; at 21:00 it is overdue, for Wednesday. plan_day
    required the whole call (ten minutes) to end by 21:00, so neither was planned: both
    deferred for want of time. Now the first starts at 20:55 and takes Ana until 21:05; the
    second cannot start before 21:00, when the law closes the day, and is deferred."""
    engine = _evening_callers()
    agreed = datetime(2026, 3, 10, 20, 55, tzinfo=CHICAGO)
    book = [_agreed_for(engine, pid, agreed) for pid in ("p0", "p1")]
    act = engine.next_action(book[0], NOW)
    assert (act.kind, act.earliest, act.latest) == (
        ActionKind.CALL,
        agreed,
        agreed.replace(hour=21, minute=0),
    )
    assert engine.next_action(
        book[0], agreed + timedelta(minutes=4)
    ).earliest == agreed + timedelta(minutes=4)
    assert "overdue" in engine.next_action(book[0], agreed + timedelta(minutes=5)).flags
    plan = plan_day(engine, book, day=DAY, now=NOW, capacity=5)
    assert [
        (t.prospect_id, f"{t.local_start:%H:%M}-{t.local_end:%H:%M}") for t in plan.touches
    ] == [("p0", "20:55-21:05")]
    assert plan.touches[0].action == act
    assert [(d.prospect_id, d.reason) for d in plan.deferred] == [("p1", "no free time in window")]
    assert plan.counts == {"suppressed": 0, "not_due": 0, "planned": 1, "deferred": 1}


def test_a_call_agreed_for_five_minutes_before_the_hours_end_keeps_its_time(
    engine: cadence.Engine,
) -> None:
    """The policy's calling hours end at 17:00; a call agreed for 16:55 is named by the engine
    from 16:55 to 17:00 and was never planned (deferred, as if it had to end by 17:00). It is
    planned at 16:55 and takes ten minutes of Ana's time: her call due that afternoon to a
    prospect in Denver (16:05 there) waits until 17:05 Chicago time."""
    agreed = datetime(2026, 3, 10, 16, 55, tzinfo=CHICAGO)
    promised = _agreed_for(engine, "promised", agreed)
    denver = engine.enroll(
        "denver",
        timezone="America/Denver",
        at=datetime(2026, 3, 10, 15, 55, tzinfo=ZoneInfo("America/Denver")),
        country="US",
        owner="ana",
    )
    now = datetime(2026, 3, 10, 16, 55, tzinfo=CHICAGO)
    plan = plan_day(engine, [denver, promised], day=DAY, now=now, capacity=5)
    assert [
        (t.prospect_id, f"{t.start.astimezone(CHICAGO):%H:%M}-{t.end.astimezone(CHICAGO):%H:%M}")
        for t in plan.touches
    ] == [("promised", "16:55-17:05"), ("denver", "17:05-17:15")]
    assert plan.counts["planned"] == 2


_LOG_REASON = "the meeting has ended: log whether it was held or a no-show"


def test_r2_a_meeting_over_with_nothing_logged_is_on_its_reps_day_as_a_reminder(
    engine: cadence.Engine,
) -> None:
    """Ana met p0 on Monday from 15:00 to 15:30 and logged neither a hold nor a no-show: the
    engine's next action is the reminder to log it (R2: nothing is forgotten), from ``now``
    to the end of the day, the next day's once that one is over. Tuesday's plan left p0 out,
    counted as not due. It lists the reminder first in Ana's day, from Tuesday's start to its
    end, on no call capacity and in none of her time: her one call is at 09:00. Planned on
    Monday at 18:00 for Monday, it runs from 18:00."""
    three = datetime(2026, 3, 9, 15, 0, tzinfo=CHICAGO)
    met = _with_meeting(engine, _new(engine, "p0", at=NOW - timedelta(days=2)), three)
    book = [met, _new(engine, "p1", at=NOW - timedelta(days=1))]
    act = engine.next_action(met, NOW)
    assert (act.kind, act.reason, act.due_since) == (ActionKind.ATTEND_MEETING, _LOG_REASON, three)
    plan = plan_day(engine, book, day=DAY, now=NOW, capacity={"phone": 1})
    day = _kinds_and_spans(plan, "%a %H:%M")
    assert day == [
        ("p0", "attend_meeting", "Tue 00:00-Wed 00:00"),
        ("p1", "call", "Tue 09:00-Tue 09:10"),
    ]
    reminder = plan.touches[0]
    assert reminder.action == act
    assert _logs_a_meeting(reminder.action)
    assert not _logs_a_meeting(plan.touches[1].action)
    # Where the engine names it once Tuesday has begun: the rest of that day.
    later = engine.next_action(met, reminder.start)
    assert (later.earliest_utc, later.latest_utc, later.reason) == (
        reminder.start,
        reminder.end,
        _LOG_REASON,
    )
    assert plan.counts == {"suppressed": 0, "not_due": 0, "planned": 2, "deferred": 0}
    today = plan_day(engine, book, day=NOW.date(), now=NOW, capacity={"phone": 1})
    assert [(t.prospect_id, t.start, t.end) for t in today.touches] == [
        ("p0", NOW, datetime(2026, 3, 10, 0, 0, tzinfo=CHICAGO))
    ]
    # A reps' calendar of the day has it, as free time: it blocks nothing.
    events = Calendar.from_ical(plan_ics(plan, stamp=NOW)).walk("VEVENT")
    assert [(str(e["summary"]), str(e.get("transp"))) for e in events] == [
        ("log meeting: p0", "TRANSPARENT"),
        ("call: p1", "None"),
    ]
    assert str(events[0]["description"]).startswith(f"R2: {_LOG_REASON}\nMeeting m1, Mon 09 Mar")


def test_r2_only_a_meeting_that_has_ended_is_a_reminder_to_log_it(
    engine: cadence.Engine,
) -> None:
    """A meeting not over at ``now`` is listed at its own time, not as a reminder; one held
    or missed as logged leaves nothing to log; a suppressed prospect's is not listed (R13);
    and a book that holds the prospect twice is refused, as for a meeting."""
    monday_three = datetime(2026, 3, 9, 15, 0, tzinfo=CHICAGO)
    ended = _with_meeting(engine, _new(engine, "ended", at=NOW - timedelta(days=2)), monday_three)
    held = engine.apply(
        ended.model_copy(update={"id": "held"}), ev.MeetingHeld(at=NOW, meeting_id="m1")
    )
    ahead = _with_meeting(
        engine, _new(engine, "ahead", at=NOW - timedelta(days=2)), NOW + timedelta(hours=16)
    )
    plan = plan_day(engine, [ended, held, ahead], day=DAY, now=NOW, capacity=0)
    assert [(t.prospect_id, _logs_a_meeting(t.action)) for t in plan.touches] == [
        ("ended", True),
        ("ahead", False),
    ]
    assert plan.counts == {"suppressed": 0, "not_due": 2, "planned": 1, "deferred": 0}
    hidden = plan_day(engine, [ended], day=DAY, now=NOW, capacity=0, suppressions={"ended"})
    assert (hidden.touches, hidden.counts["suppressed"]) == ((), 1)
    with pytest.raises(InvalidInputError, match=r"^id: 'ended' is in the book twice"):
        plan_day(engine, [ended, ended], day=DAY, now=NOW, capacity=0)


# -- reps' working hours ----------------------------------------------------------------------


def _in_both_planners(
    engine: cadence.Engine, book: list[cadence.Prospect], **kw: Any
) -> cadence.batch.DayPlan:
    """``plan_day``'s plan, checked against ``plan_table``'s (same touches, same deferred)."""
    from cadence.batch import plan_table, to_table

    plan = plan_day(engine, book, **kw)
    table = plan_table(engine, to_table(book, engine), **kw)
    touches = [(t.owner, t.prospect_id, t.start.astimezone(UTC)) for t in plan.touches]
    slots = ("owner", "prospect_id", "start")
    assert list(zip(*(table.touches.column(c).to_pylist() for c in slots), strict=True)) == (
        touches
    )
    deferred = [(d.prospect_id, d.reason) for d in plan.deferred]
    why = ("prospect_id", "deferred_reason")
    assert list(zip(*(table.deferred.column(c).to_pylist() for c in why), strict=True)) == (
        deferred
    )
    assert table.counts == plan.counts
    return plan


def _in_every_planner(
    engine: cadence.Engine, book: list[cadence.Prospect], **kw: Any
) -> cadence.batch.DayPlan:
    """``plan_day``'s plan, checked against ``plan_table``'s with and without the decision
    index (or with one written before ``next_also`` existed, ignored), and ``plan_frame``'s
    over two partitions (same touches and deferred rows)."""
    from cadence.batch import plan_table, to_table

    plan = _in_both_planners(engine, book, **kw)
    indexed = plan_table(engine, to_table(book, engine), **kw)
    for older in (to_table(book), to_table(book, engine).drop_columns(["next_also"])):
        bare = plan_table(engine, older, **kw)
        assert bare.sources["engine"] == len(book) - bare.counts["suppressed"]
        assert bare.touches.equals(indexed.touches)
        assert bare.deferred.equals(indexed.deferred)
    cadence_dask = pytest.importorskip("cadence.dask")
    frame = cadence_dask.from_table(to_table(book, engine), npartitions=2)
    got = cadence_dask.plan_frame(engine, frame, **kw)
    assert got.touches.equals(indexed.touches)
    assert got.deferred.equals(indexed.deferred)
    return plan


def test_rep_hours_put_a_chicago_reps_paris_call_in_the_hours_both_work() -> None:
    """Ana works 08:00-17:00 in Chicago: her call to Paris is no longer at 10:00 there (04:00
    hers) but at 14:00 Paris time, her 08:00 (the US is on summer time, France not yet); Bo,
    who has no hours given, keeps the 10:00 call; the call to Los Angeles is inside both."""
    engine = cadence.Engine()
    book = [
        engine.enroll(f"{owner}-{pid}", timezone=zone, at=NOW, country=country, owner=owner)
        for owner in ("ana", "bo")
        for pid, zone, country in (
            ("paris", "Europe/Paris", "FR"),
            ("la", "America/Los_Angeles", "US"),
        )
    ]
    hours = {"ana": RepHours(timezone="America/Chicago", windows=["08:00-17:00"])}
    plan = _in_both_planners(engine, book, day=DAY, now=NOW, capacity=2, rep_hours=hours)
    got = {
        t.prospect_id: (f"{t.local_start:%H:%M}", f"{t.start.astimezone(CHICAGO):%H:%M}")
        for t in plan.touches
    }
    assert got == {
        "ana-paris": ("14:00", "08:00"),
        "ana-la": ("09:00", "11:00"),
        "bo-paris": ("10:00", "04:00"),
        "bo-la": ("09:00", "11:00"),
    }
    assert plan.deferred == ()
    before = plan_day(engine, book, day=DAY, now=NOW, capacity=2)  # without: as before
    assert {t.prospect_id: f"{t.local_start:%H:%M}" for t in before.touches}["ana-paris"] == (
        "10:00"
    )


def test_rep_hours_keep_every_touch_wholly_inside_a_window_and_skip_the_lunch_break() -> None:
    """Ana works 09:00-09:25 and 09:30-12:00: a third call would run 09:20-09:30, into her
    break, so it waits until 09:30; no call straddles a window's end."""
    engine = cadence.Engine()
    book = [_new(engine, f"p{i}") for i in range(4)]
    hours = {"ana": RepHours(timezone="America/Chicago", windows=["9:00-9:25", "09:30-12:00"])}
    plan = _in_both_planners(engine, book, day=DAY, now=NOW, capacity=4, rep_hours=hours)
    assert [f"{t.local_start:%H:%M}-{t.local_end:%H:%M}" for t in plan.touches] == [
        "09:00-09:10",
        "09:10-09:20",
        "09:30-09:40",
        "09:40-09:50",
    ]


def test_a_rep_off_on_the_day_gets_no_touch_and_their_meetings_are_still_listed() -> None:
    """Ana does not work on Tuesdays: every touch of hers is deferred, as outside her hours
    (not over capacity, not lack of time), and her meeting that day is listed as booked (it is
    not moved); Bo's day is planned as ever."""
    engine = cadence.Engine()
    book = [_new(engine, f"a{i}") for i in range(3)] + [_new(engine, "b0", owner="bo")]
    ten = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)
    book[0] = engine.apply(book[0], ev.MeetingBooked(at=NOW, meeting_id="m1", starts_at=ten))
    hours = {
        "ana": {"timezone": "America/Chicago", "windows": ["08:00-17:00"], "weekmask": "1011111"}
    }
    plan = _in_both_planners(engine, book, day=DAY, now=NOW, capacity=5, rep_hours=hours)
    assert [(t.owner, t.prospect_id, t.action.kind.value) for t in plan.touches] == [
        ("ana", "a0", "attend_meeting"),
        ("bo", "b0", "call"),
    ]
    assert [(d.prospect_id, d.reason) for d in plan.deferred] == [
        ("a1", "outside the rep's hours"),
        ("a2", "outside the rep's hours"),
    ]
    assert plan.counts == {"suppressed": 0, "not_due": 1, "planned": 1, "deferred": 2}


def test_a_touch_the_meetings_leave_no_time_for_is_not_said_to_be_outside_the_hours() -> None:
    """Ana works 08:00-09:40 and her meeting takes 09:00-09:30: one call fits after it, before
    the calling hours' 09:00 there is no time, and the third call is deferred for lack of
    time (it would fit in her hours were the meeting not there), not as outside her hours."""
    engine = cadence.Engine()
    book = [_new(engine, f"p{i}") for i in range(3)]
    nine = datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)
    book[0] = engine.apply(book[0], ev.MeetingBooked(at=NOW, meeting_id="m1", starts_at=nine))
    hours = {"ana": RepHours(timezone="America/Chicago", windows=["08:00-09:40"])}
    plan = _in_both_planners(engine, book, day=DAY, now=NOW, capacity=5, rep_hours=hours)
    assert [(t.prospect_id, f"{t.local_start:%H:%M}") for t in plan.touches] == [
        ("p0", "09:00"),
        ("p1", "09:30"),
    ]
    assert [(d.prospect_id, d.reason) for d in plan.deferred] == [("p2", "no free time in window")]


@pytest.mark.parametrize(
    ("day", "fits", "misses"),
    [
        (date(2026, 3, 28), "13:50", "13:55"),  # Saturday: London on GMT, 18:00 is 18:00 UTC
        (date(2026, 3, 29), "12:50", "12:55"),  # Sunday, clocks forward: 18:00 is 17:00 UTC
    ],
)
def test_rep_hours_follow_the_clock_change_in_the_reps_own_zone(
    day: date, fits: str, misses: str
) -> None:
    """Ana works 10:00-18:00 in London, every day, for prospects in New York (on summer time
    since 8 March). Two calls are promised (R1) for late in her day: the one that ends at her
    18:00 is planned, the one five minutes later is outside her hours; on the day London
    moves its clocks forward, her day ends an hour earlier in New York."""
    engine = cadence.Engine(cadence.Policy(weekmask="1111111"))
    ny = ZoneInfo("America/New_York")
    now = datetime.combine(day - timedelta(days=1), time(18), ny)
    book = []
    for agreed in (fits, misses):
        p = engine.enroll(
            f"p{agreed}",
            timezone="America/New_York",
            at=now - timedelta(days=2),
            country="US",
            subdivision="NY",
            owner="ana",
        )
        at = datetime.combine(day, time.fromisoformat(agreed), ny)
        called = ev.CallAttempted(
            at=now - timedelta(hours=1), outcome="connected", next_contact_at=at
        )
        book.append(engine.apply(p, called))
    hours = {"ana": RepHours(timezone="Europe/London", windows=["10:00-18:00"], weekmask="1111111")}
    plan = _in_both_planners(engine, book, day=day, now=now, capacity=5, rep_hours=hours)
    london = ZoneInfo("Europe/London")
    assert [
        (t.prospect_id, f"{t.local_start:%H:%M}", f"{t.end.astimezone(london):%H:%M}")
        for t in plan.touches
    ] == [(f"p{fits}", fits, "18:00")]
    assert [(d.prospect_id, d.reason) for d in plan.deferred] == [
        (f"p{misses}", "outside the rep's hours")
    ]


def test_rep_hours_to_24_00_run_to_the_next_local_midnight() -> None:
    """Ana works 14:00-24:00 in Kolkata (UTC+05:30): her midnight is 13:30 in Chicago. A call
    promised (R1) for 13:20 Chicago ends at her 24:00 and is planned; one for 13:25 would run
    past it and is outside her hours."""
    engine = cadence.Engine()
    book = []
    for agreed in ("13:20", "13:25"):
        at = datetime.combine(DAY, time.fromisoformat(agreed), CHICAGO)
        called = ev.CallAttempted(
            at=NOW - timedelta(hours=1), outcome="connected", next_contact_at=at
        )
        book.append(engine.apply(_new(engine, f"p{agreed}", at=NOW - timedelta(days=1)), called))
    hours = {"ana": RepHours(timezone="Asia/Kolkata", windows=["14:00-24:00"])}
    plan = _in_both_planners(engine, book, day=DAY, now=NOW, capacity=5, rep_hours=hours)
    kolkata = ZoneInfo("Asia/Kolkata")
    assert [
        (
            t.prospect_id,
            f"{t.start.astimezone(kolkata):%a %H:%M}-{t.end.astimezone(kolkata):%a %H:%M}",
        )
        for t in plan.touches
    ] == [("p13:20", "Tue 23:50-Wed 00:00")]
    assert [(d.prospect_id, d.reason) for d in plan.deferred] == [
        ("p13:25", "outside the rep's hours")
    ]


@pytest.mark.parametrize(
    ("rep_hours", "said"),
    [
        (
            {"ana": {"timezone": "Mars/Base", "windows": ["08:00-17:00"]}},
            "'Mars/Base' is not an IANA",
        ),
        ({"ana": {"timezone": "UTC", "windows": ["17:00-08:00"]}}, "ends before it starts"),
        ({"ana": {"timezone": "UTC", "windows": ["08:00-08:00"]}}, "ends before it starts"),
        ({"ana": {"timezone": "UTC", "windows": ["8 to 5"]}}, "write it as HH:MM-HH:MM"),
        ({"ana": {"timezone": "UTC", "windows": []}}, "windows"),
        ({"ana": {"timezone": "UTC", "windows": ["08:00-17:00"], "weekmask": "11111"}}, "weekmask"),
        ({"ana": {"timezone": "UTC", "windows": ["08:00-17:00"], "weekmask": "1111x00"}}, "0/1"),
        (
            {"ana": {"timezone": "UTC", "windows": ["08:00-17:00"], "weekmask": "0000000"}},
            "weekmask: weekmask '0000000' gives no working day; put a 1 on each day the rep works",
        ),
        ({1: {"timezone": "UTC", "windows": ["08:00-17:00"]}}, "key 1 is not an owner"),
        (["ana"], "expected a mapping of owners to RepHours"),
    ],
)
def test_bad_rep_hours_are_refused_naming_rep_hours(rep_hours: Any, said: str) -> None:
    engine = cadence.Engine()
    with pytest.raises(InvalidInputError, match=r"^rep_hours: ") as info:
        plan_day(engine, [_new(engine, "p0")], day=DAY, now=NOW, capacity=1, rep_hours=rep_hours)
    assert info.value.field == "rep_hours"
    assert said in str(info.value)


def test_rep_hours_built_directly_say_what_is_wrong() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="ends before it starts"):
        RepHours(timezone="America/Chicago", windows=["17:00-08:00"])
    with pytest.raises(ValueError, match="is not an IANA zone name"):
        RepHours(timezone="EST5", windows=["08:00-17:00"])
    assert RepHours(timezone="UTC", windows=["22:00-24:00"]).windows[0].end == time.max
