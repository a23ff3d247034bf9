"""The columnar path (cadence.batch.to_table / from_table / plan_table) against its oracle, the
per-prospect planner plan_day: the same plan, row for row, for any population and any `now`."""

from __future__ import annotations

import csv
import io
import random
import re
import subprocess
import sys
from collections import Counter
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pytest
from holidays.version import __version__ as holidays_version
from hypothesis import event, given, note
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

import cadence
import cadence._columns
from cadence import events as ev
from cadence._columns import shipped
from cadence._day import booked_meetings, capacity_of
from cadence._suppression import Suppressions
from cadence._table_index import crowded
from cadence.actions import ActionKind
from cadence.batch import (
    DayPlan,
    RepHours,
    from_table,
    plan_day,
    plan_table,
    to_table,
)
from cadence.calendar import contact_calendar, resolve_local
from cadence.channel import Channel
from cadence.compliance import PRESETS, Cap, strictest_caps
from cadence.errors import InvalidInputError
from cadence.files import write_plan_csv
from cadence.policy import TimeSlot
from cadence.testing import REGIONS, History, Region, delays, histories, regions, transitions_of
from tests.conftest import (
    CHICAGO,
    NOT_SUPPRESSED,
    SUPPRESSED,
    UNUSUAL_PLACES,
    WRITTEN_OTHERWISE,
    bound_by_law,
    in_chicago,
    stale_copies,
    unusual_policies,
)

DAY = date(2026, 3, 10)  # a Tuesday
NOW = datetime(2026, 3, 9, 18, 0, tzinfo=CHICAGO)
ACTION_FIELDS = ("kind", "also", "channel", "priority", "rules", "reason", "earliest", "latest")


def _logs_a_meeting(action: cadence.Action) -> bool:
    """Whether ``action`` is the reminder to log a meeting that has ended (R2): the meeting's
    ``attend_meeting``, overdue since its start (a meeting ahead or under way is not)."""
    return action.kind is ActionKind.ATTEND_MEETING and action.due_since is not None


def _new(engine: cadence.Engine, pid: str, owner: str = "ana", **kw: Any) -> cadence.Prospect:
    return in_chicago(engine, pid, NOW, owner, **kw)


def _action_row(a: cadence.Action) -> tuple[Any, ...]:
    due = None if a.due_since is None else a.due_since.astimezone(UTC)
    channel = None if a.channel is None else a.channel.value
    return (
        a.kind.value,
        [k.value for k in a.also],
        channel,
        int(a.priority),
        list(a.rules),
        a.reason,
        a.earliest_utc,
        a.latest_utc,
        due,
    )


def _rows_of_day_plan(plan: DayPlan) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    touches = [
        (
            t.owner,
            t.prospect_id,
            *_action_row(t.action),
            t.start.astimezone(UTC),
            t.end.astimezone(UTC),
            t.local_start.replace(tzinfo=None),
            t.local_end.replace(tzinfo=None),
        )
        for t in plan.touches
    ]
    deferred = [(d.owner, d.prospect_id, *_action_row(d.action), d.reason) for d in plan.deferred]
    return touches, deferred


def _rows_of_table(table: pa.Table, names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return list(zip(*(table.column(n).to_pylist() for n in names), strict=True))


def _same_plan(expected: DayPlan, got: Any) -> None:
    """The same plan, row for row."""
    touches, deferred = _rows_of_day_plan(expected)
    head = ("owner", "prospect_id", *ACTION_FIELDS, "due_since")
    assert _rows_of_table(got.touches, (*head, "start", "end", "local_start", "local_end")) == (
        touches
    )
    assert _rows_of_table(got.deferred, (*head, "deferred_reason")) == deferred
    assert got.counts == expected.counts


# -- the differential property ------------------------------------------------------------------


def _laid_out(table: pa.Table, layout: str) -> pa.Table:
    """The same rows in another memory layout, as Arrow hands them over: a Parquet file's row
    groups are chunks, and ``slice``/``to_batches`` give chunks that start at an offset inside
    a buffer they share."""
    if layout.startswith("chunks of "):
        rows = int(layout.split()[2])
        return pa.Table.from_batches(table.to_batches(max_chunksize=rows), schema=table.schema)
    if layout == "a slice":  # of a longer table: one chunk whose values start at an offset
        return pa.concat_tables([table, table]).combine_chunks().slice(table.num_rows)
    return table


@st.composite
def _books(draw: st.DrawFn) -> tuple[list[cadence.Prospect], list[History]]:
    found = draw(st.lists(histories(max_events=10), min_size=1, max_size=8))
    owners = draw(st.lists(st.sampled_from(["ana", "bo", "cy", ""]), min_size=1, max_size=3))
    book = []
    for i, h in enumerate(found):
        owner = draw(st.sampled_from(owners))
        book.append(
            h.final.model_copy(
                update={
                    "id": f"p{i:02d}",
                    "owner": owner or None,
                    "phone": f"+1555{i % 5}",
                    "email": f"p{i}@example.com",
                }
            )
        )
    return book, found


#: Meetings to book on the planned day: (which prospect, local start in minutes after 07:00,
#: duration in minutes, and the local day: the planned one mostly, or the one before or
#: after, which in a zone far from another prospect's of the same rep overlaps that one's
#: day). Several on one rep's day overlap, touch or leave gaps.
_MEETINGS = st.lists(
    st.tuples(
        st.integers(0, 100),
        st.integers(0, 11 * 60),
        st.sampled_from([15, 30, 45, 90]),
        st.sampled_from([0, 0, -1, 1]),
    ),
    max_size=4,
)


def _with_meetings(
    engine: cadence.Engine,
    book: list[cadence.Prospect],
    day: date,
    meetings: list[tuple[int, int, int, int]],
) -> list[cadence.Prospect]:
    """``book`` with ``meetings`` booked on ``day`` (each prospect's local day) or a day either
    side: a booking logged at its newest event, as a CRM would (one the engine refuses, or
    that an opt-out withdraws, is left out by both planners alike)."""
    book = list(book)
    for n, (which, minutes, duration, days) in enumerate(meetings):
        i = which % len(book)
        p = book[i]
        on = day + timedelta(days=days)
        starts = resolve_local(on, time(7), engine.calendar(p).zone) + timedelta(minutes=minutes)
        booked = ev.MeetingBooked(
            at=p.last_event_at,
            meeting_id=f"m{n}",
            starts_at=max(starts, p.last_event_at + timedelta(minutes=1)),
            duration_minutes=duration,
        )
        try:
            book[i] = engine.apply(p, booked)
        except InvalidInputError:
            event("a booking the engine refused")
    return book


#: What both agreement properties draw: a book, its meetings, how long after its last event
#: the plan is made, which prospect changes, the reps' capacity, and the decision index or not.
_A_BOOKS_DAY: dict[str, SearchStrategy[Any]] = {
    "data": _books(),
    "meetings": _MEETINGS,
    "later": delays(max_delay=timedelta(days=40)),
    "which": st.integers(0, 100),
    "capacity": st.one_of(st.integers(0, 4), st.just({"ana": 1, ("bo", "email"): 2, "phone": 2})),
    "indexed": st.booleans(),
}


@given(
    **_A_BOOKS_DAY,
    day_shift=st.integers(-1, 2),
    suppress=st.sets(st.sampled_from(["p00", "p03", "+15551", "p2@example.com"]), max_size=2),
    deferred_limit=st.sampled_from([10_000, 2, 0]),
    twice=st.none() | st.integers(0, 100),
    layout=st.sampled_from(["one chunk", "chunks of 1 row", "chunks of 3 rows", "a slice"]),
    before_pause=st.none() | st.integers(0, 40),
)
def test_plan_table_equals_plan_day_for_any_population_and_now(
    data: tuple[list[cadence.Prospect], list[History]],
    meetings: list[tuple[int, int, int, int]],
    later: timedelta,
    which: int,
    day_shift: int,
    capacity: int | dict[str | tuple[str, str], int],
    indexed: bool,
    suppress: set[str],
    deferred_limit: int,
    twice: int | None,
    layout: str,
    before_pause: int | None,
) -> None:
    book, found = data
    engine = cadence.Engine(found[0].policy)
    doubled = None  # a duplicated row: refused by both, whatever either copy owes
    if twice is not None:
        doubled = book[twice % len(book)].id
        book = [*book, book[twice % len(book)]]
    # `now`: after one prospect's newest event, so some rows are before it, others long after
    # (their index horizon has passed and they go to the engine or are re-placed as overdue).
    base = book[which % len(book)]
    now = base.last_event_at + later
    paused = [p for p in book if p.paused_until is not None and p.paused_until > p.last_event_at]
    if before_pause is not None and paused:  # hours before a pause (R17) ends: on the day
        base = paused[which % len(paused)]
        assert base.paused_until is not None
        now = max(base.last_event_at, base.paused_until - timedelta(hours=before_pause))
    day = (now.astimezone(engine.calendar(base).zone) + timedelta(days=day_shift)).date()
    book = _with_meetings(engine, book, day, meetings)
    table = _laid_out(to_table(book, engine if indexed else None), layout)
    note(f"now={now.isoformat()} day={day}")
    args: dict[str, Any] = {
        "day": day,
        "now": now,
        "capacity": capacity,
        "suppressions": suppress,
        "deferred_limit": deferred_limit,
    }
    # A day over in every zone (it ends at noon UTC the next day, at UTC-12) is refused by both.
    over = now >= datetime.combine(day + timedelta(days=1), time(12), UTC)
    event(f"the day is over everywhere: {over}")
    if over:
        for planner, book_or_table in ((plan_day, book), (plan_table, table)):
            with pytest.raises(InvalidInputError, match=r"^day: .* is over in every time zone"):
                planner(engine, book_or_table, **args)
        return
    refused: list[str] = []
    plans: list[Any] = []
    for planner, book_or_table in ((plan_day, book), (plan_table, table)):
        try:
            plans.append(planner(engine, book_or_table, **args))
        except InvalidInputError as exc:
            refused.append(str(exc))
    event(f"a row twice: {doubled is not None}")
    if doubled is not None:
        said = f"id: {doubled!r} is in the book twice; give each prospect once, in its newest"
        assert len(refused) == 2, refused
        assert all(r.startswith(said) for r in refused), refused
        return
    assert not refused, refused
    expected, got = plans
    note(f"sources={got.sources}")
    for source, n in got.sources.items():
        event(f"rows decided by {source}: {'some' if n else 'none'}")
    event(f"a touch that does several kinds: {any(t.action.also for t in expected.touches)}")
    listed = sum(t.action.kind is ActionKind.ATTEND_MEETING for t in expected.touches)
    reminders = [t for t in expected.touches if _logs_a_meeting(t.action)]
    event(f"a touch runs past its window's end: {_past_the_end(expected)}")
    event(f"meetings listed: {min(listed - len(reminders), 2)}")
    event(f"reminders to log a meeting listed: {min(len(reminders), 2)}")
    ends = datetime.combine(day + timedelta(days=1), time(12), UTC)  # (the day's, roughly)
    pauses = [p.paused_until for p in book if p.paused_until is not None]
    event(f"a pause ends between now and the day's end: {any(now < t < ends for t in pauses)}")
    _same_plan(expected, got)
    assert all(t.local_start.date() == day for t in expected.touches)  # the day, not beyond
    _reminders_as_the_engine_names_them(engine, book, expected)
    _no_touch_over_a_meeting(expected, book, frozenset(suppress))
    _over_capacity_only_when_full(expected, capacity)
    assert sum(got.sources.values()) == len(book) - got.counts["suppressed"]
    assert min(got.sources.values()) >= 0
    if not indexed:
        assert got.sources["index"] == got.sources["late"] == 0


@st.composite
def _unusual_books(draw: st.DrawFn) -> tuple[list[cadence.Prospect], list[History]]:
    """A book of prospects in :data:`UNUSUAL_PLACES` under one policy of another week's shape,
    with hours around midnight where no calling law binds the places drawn."""
    night = draw(st.booleans())
    places = [r for r in UNUSUAL_PLACES if not (night and bound_by_law(r))]
    policy = draw(unusual_policies(legal_hours_only=not night))
    found = draw(
        st.lists(
            histories(policies=st.just(policy), places=regions(places), max_events=8),
            min_size=1,
            max_size=6,
        )
    )
    book = [
        h.final.model_copy(
            update={"id": f"p{i:02d}", "owner": draw(st.sampled_from(["ana", "bo"]))}
        )
        for i, h in enumerate(found)
    ]
    return book, found


@given(
    data=_unusual_books(),
    meetings=st.lists(
        st.tuples(st.integers(0, 100), st.integers(-60, 25 * 60), st.sampled_from([15, 90])),
        max_size=3,
    ),
    which=st.integers(0, 100),
    change=st.integers(0, 10),
    minutes=st.integers(-36 * 60, 36 * 60),
    day_shift=st.integers(-1, 1),
    capacity=st.integers(0, 3),
    indexed=st.booleans(),
)
def test_plan_table_equals_plan_day_in_unusual_places_and_weeks(
    data: tuple[list[cadence.Prospect], list[History]],
    meetings: list[tuple[int, int, int]],
    which: int,
    change: int,
    minutes: int,
    day_shift: int,
    capacity: int,
    indexed: bool,
) -> None:
    """The two planners give one plan for a book in places whose clocks change by 30 or 120
    minutes, at local midnight or around Ramadan, or sit at +12:45, +14 or -11, on weeks of
    other shapes: planned next to a change of offset of one prospect's zone, on a day that may
    have no local midnight, with meetings booked from that midnight on. Every touch starts on
    its local day, and none overlaps its rep's meetings."""
    book, found = data
    engine = cadence.Engine(found[0].policy)
    base = book[which % len(book)]
    now = base.last_event_at
    later = [t for t in transitions_of(base.timezone) if t > base.last_event_at]
    if later:
        now = max(now, later[change % len(later)] + timedelta(minutes=minutes))
    day = (now.astimezone(engine.calendar(base).zone) + timedelta(days=day_shift)).date()
    book = list(book)
    for n, (i, after_midnight, duration) in enumerate(meetings):
        p = book[i % len(book)]
        starts = resolve_local(day, time(0), engine.calendar(p).zone)
        booked = ev.MeetingBooked(
            at=p.last_event_at,
            meeting_id=f"m{n}",
            starts_at=max(
                starts + timedelta(minutes=after_midnight),
                p.last_event_at + timedelta(minutes=1),
            ),
            duration_minutes=duration,
        )
        try:
            book[i % len(book)] = engine.apply(p, booked)
        except InvalidInputError:
            event("a booking the engine refused")
    note(f"now={now.isoformat()} day={day}")
    args: dict[str, Any] = {"day": day, "now": now, "capacity": capacity}
    table = to_table(book, engine if indexed else None)
    if now >= datetime.combine(day + timedelta(days=1), time(12), UTC):  # over at UTC-12 too
        for planner, book_or_table in ((plan_day, book), (plan_table, table)):
            with pytest.raises(InvalidInputError, match=r"^day: .* is over in every time zone"):
                planner(engine, book_or_table, **args)
        return
    expected = plan_day(engine, book, **args)
    got = plan_table(engine, table, **args)
    event(f"touches planned: {min(len(expected.touches), 2)}")
    _same_plan(expected, got)
    assert all(t.local_start.date() == day for t in expected.touches)
    _no_touch_over_a_meeting(expected, book)
    _reminders_as_the_engine_names_them(engine, book, expected)


def _past_the_end(plan: DayPlan) -> bool:
    """Whether a call or an email of ``plan`` starts inside its window and ends after it
    (half-open windows: a touch need only start inside, DESIGN §4)."""
    return any(
        t.start < t.action.latest_utc < t.end
        for t in plan.touches
        if t.action.kind is not ActionKind.ATTEND_MEETING
    )


def _no_touch_over_a_meeting(
    plan: DayPlan, book: list[cadence.Prospect], suppressions: frozenset[str] = frozenset()
) -> None:
    """No call or email of a rep overlaps one of their booked meetings, listed in the day or
    not: one that starts on another local day (a prospect in a zone far away, a meeting under
    way past midnight) takes the rep's time all the same. (A reminder to log one that has
    ended is neither: it blocks no time. A suppressed prospect's meetings block nothing.)"""
    listed = [
        (t.owner, t.start, t.end)
        for t in plan.touches
        if t.action.kind is ActionKind.ATTEND_MEETING and not _logs_a_meeting(t.action)
    ]
    blocks = Suppressions(suppressions).blocks
    booked = [
        (p.owner or "", start, end)
        for p in book
        if not blocks(p.id, p.phone, p.email)
        for start, end, _ in booked_meetings(p)
    ]
    for t in plan.touches:
        if t.action.kind is not ActionKind.ATTEND_MEETING:
            for owner, start, end in listed + booked:
                assert owner != t.owner or not (start < t.end and t.start < end), (t, start, end)


def _reminders_as_the_engine_names_them(
    engine: cadence.Engine, book: list[cadence.Prospect], plan: DayPlan
) -> None:
    """A reminder to log a meeting that has ended (R2) is listed from its action's start
    (``now``) or the day's start, whichever is later, to the day's end: where the engine
    names it from that instant on (the rest of the prospect's local day). The book holds each
    id once (the planners refuse any other), so an id names its one row."""
    by_id = {p.id: p for p in book}
    assert len(by_id) == len(book), "a book with an id twice is refused, never planned"
    for t in plan.touches:
        if _logs_a_meeting(t.action):
            p = by_id[t.prospect_id]
            zone = engine.calendar(p).zone
            # Compared in UTC: Python never finds two zones' times equal when one is a wall
            # time that repeats (Havana's midnight comes twice the night it falls back).
            start = resolve_local(plan.day, time(0), zone).astimezone(UTC)
            assert t.start == max(t.action.earliest_utc, start)
            end = resolve_local(plan.day + timedelta(days=1), time(0), zone).astimezone(UTC)
            assert t.end == end
            named = [
                (a.earliest_utc, a.latest_utc)
                for a in engine.plan(p, t.start)
                if _logs_a_meeting(a) and a.detail == t.action.detail
            ]
            assert named == [(t.start, t.end)]


def _over_capacity_only_when_full(
    plan: DayPlan, capacity: int | dict[str | tuple[str, str], int]
) -> None:
    """A touch is deferred over capacity only when its owner's channel is full of planned
    touches: one deferred for want of time takes no place."""
    planned = Counter(
        (t.owner, t.action.channel)
        for t in plan.touches
        if t.action.kind is not ActionKind.ATTEND_MEETING
    )
    for d in plan.deferred:
        if d.reason == "over capacity":
            assert d.action.channel is not None
            cap = capacity_of(capacity, d.owner, d.action.channel)
            assert planned[(d.owner, d.action.channel)] == cap, d


#: Reps' zones: summer time changed at 02:00, at midnight (Havana), by 30 minutes (Lord Howe),
#: offsets of +05:45, +14 and -11, and none.
_REP_ZONES = [
    "America/Chicago",
    "Europe/Paris",
    "America/Havana",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "UTC",
]


@st.composite
def _working_windows(draw: st.DrawFn) -> list[str]:
    """One to three windows of a working day on a five-minute grid, some to 24:00; they may
    overlap, touch or leave gaps shorter than a call."""
    windows = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, 287)) * 5
        end = min(start + draw(st.integers(1, 160)) * 5, 24 * 60)
        windows.append(f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
    return windows


_REP_HOURS = st.dictionaries(
    st.sampled_from(["ana", "bo", "cy", ""]),
    st.builds(
        RepHours,
        timezone=st.sampled_from(_REP_ZONES),
        windows=_working_windows(),
        # (a rep away all week has capacity 0: a weekmask without a working day is refused)
        weekmask=st.sampled_from(["1111100", "1111111", "0111110", "1011111", "0000010"])
        | st.text("01", min_size=7, max_size=7).filter(lambda mask: "1" in mask),
    ),
    min_size=1,
    max_size=3,
)


def _inside_working_time(plan: DayPlan, hours: dict[str, RepHours]) -> None:
    """Every call and email of a rep with working hours lies wholly inside them: each minute
    of it (and its last instant) is, in the rep's zone, in a window of a working day."""
    for t in plan.touches:
        rep = hours.get(t.owner)
        if rep is None or t.action.kind is ActionKind.ATTEND_MEETING:
            continue
        tz = ZoneInfo(rep.timezone)
        minutes = int((t.end - t.start) / timedelta(minutes=1))
        instants = [t.start + timedelta(minutes=m) for m in range(minutes)]
        for at in [*instants, t.end - timedelta(microseconds=1)]:
            wall = at.astimezone(tz)
            works = rep.weekmask[wall.weekday()] == "1"
            inside = any(
                w.start <= wall.time().replace(tzinfo=None) < w.end
                or (w.end == time.max and w.start <= wall.time().replace(tzinfo=None))
                for w in rep.windows
            )
            assert works, (t, rep, wall)
            assert inside, (t, rep, wall)


@given(
    **_A_BOOKS_DAY,
    day_shift=st.integers(-1, 1),
    hours=_REP_HOURS,
    near_change=st.none() | st.integers(-36 * 60, 36 * 60),
)
def test_plan_table_equals_plan_day_with_reps_working_hours(
    data: tuple[list[cadence.Prospect], list[History]],
    meetings: list[tuple[int, int, int, int]],
    later: timedelta,
    which: int,
    day_shift: int,
    capacity: int | dict[str | tuple[str, str], int],
    indexed: bool,
    hours: dict[str, RepHours],
    near_change: int | None,
) -> None:
    """With working hours for some reps (in zones far from their prospects', on days their
    own clocks change), the two planners give one plan; every touch of such a rep lies wholly
    inside their hours, and the reps without hours get the very plan they get without any."""
    book, found = data
    engine = cadence.Engine(found[0].policy)
    base = book[which % len(book)]
    now = base.last_event_at + later
    if near_change is not None and hours:  # the planned day is when a rep's clocks change
        zone_name = sorted(h.timezone for h in hours.values())[which % len(hours)]
        changes = [t for t in transitions_of(zone_name) if t > base.last_event_at]
        if changes:
            now = changes[which % len(changes)] + timedelta(minutes=near_change)
            now = max(now, base.last_event_at)
            event("planned next to a change of a rep's clocks")
    day = (now.astimezone(engine.calendar(base).zone) + timedelta(days=day_shift)).date()
    if now >= datetime.combine(day + timedelta(days=1), time(12), UTC):
        return  # (refused by both: the property above)
    book = _with_meetings(engine, book, day, meetings)
    table = to_table(book, engine if indexed else None)
    note(f"now={now.isoformat()} day={day} hours={hours}")
    args: dict[str, Any] = {"day": day, "now": now, "capacity": capacity}
    expected = plan_day(engine, book, **args, rep_hours=hours)
    got = plan_table(engine, table, **args, rep_hours=hours)
    reasons = Counter(d.reason for d in expected.deferred)
    away = reasons["outside the rep's hours"]
    event(f"deferred outside a rep's hours: {bool(away)}")
    event(f"deferred for want of time: {bool(reasons['no free time in window'])}")
    kept = sum(t.owner in hours and t.action.channel is not None for t in expected.touches)
    event(f"touches of a rep with hours planned: {min(kept, 2)}")
    _same_plan(expected, got)
    _inside_working_time(expected, hours)
    _no_touch_over_a_meeting(expected, book)
    _over_capacity_only_when_full(expected, capacity)
    # Owners are planned apart: one without hours gets what it gets when nobody has any.
    free = plan_day(engine, book, **args)
    assert [t for t in free.touches if t.owner not in hours] == [
        t for t in expected.touches if t.owner not in hours
    ]
    assert [d for d in free.deferred if d.owner not in hours] == [
        d for d in expected.deferred if d.owner not in hours
    ]


@given(data=_books())
def test_from_table_of_to_table_is_lossless(
    data: tuple[list[cadence.Prospect], list[History]],
) -> None:
    book, found = data
    assert from_table(to_table(book)) == book
    assert from_table(to_table(book, cadence.Engine(found[0].policy))) == book


# -- the named properties, on the columnar path -------------------------------------------------


def test_table_capacity_is_per_owner_and_channel(engine: cadence.Engine) -> None:
    book = [_new(engine, f"a{i}", "ana") for i in range(6)] + [
        _new(engine, f"b{i}", "bo") for i in range(6)
    ]
    emailers = [_new(engine, f"e{i}", "ana", preferred_channel="email") for i in range(4)]
    caps: dict[str | tuple[str, str], int] = {("ana", "phone"): 2, ("ana", "email"): 3, "bo": 4}
    plan = plan_table(engine, to_table(book + emailers, engine), day=DAY, now=NOW, capacity=caps)
    per = Counter(_rows_of_table(plan.touches, ("owner", "channel")))
    assert per == {("ana", "phone"): 2, ("ana", "email"): 3, ("bo", "phone"): 4}
    assert plan.counts["deferred"] == 4 + 1 + 2
    assert set(plan.deferred.column("deferred_reason").to_pylist()) == {"over capacity"}
    assert plan.sources["engine"] == 0  # the index decided every row


def test_table_ordering_reschedule_promise_overdue_due(engine: cadence.Engine) -> None:
    t = NOW - timedelta(days=6)
    promise = engine.apply(
        _new(engine, "promise"),
        ev.CallAttempted(at=NOW, outcome="connected", next_contact_at=NOW + timedelta(hours=16)),
    )
    rep = engine.apply(
        engine.apply(
            engine.enroll("rep", timezone="America/Chicago", at=t, country="US", owner="ana"),
            ev.MeetingBooked(at=t, meeting_id="m", starts_at=NOW + timedelta(days=3)),
        ),
        ev.MeetingCancelled(at=NOW, meeting_id="m", by="rep"),
    )
    overdue = engine.apply(
        engine.enroll("overdue", timezone="America/Chicago", at=t, country="US", owner="ana"),
        ev.CallAttempted(at=t, outcome="connected"),
    )
    # Two R15 materials, both owed since last evening: the one owed longer ranks first
    # (material ranks by when it became due, as overdue touches do, not by when it may start).
    materials = []
    for name, since in (("material-new", 30), ("material-old", 90)):
        booked = engine.apply(
            engine.apply(
                engine.apply(
                    engine.enroll(
                        name, timezone="America/Chicago", at=t, country="US", owner="ana"
                    ),
                    ev.MeetingBooked(at=t, meeting_id="m", starts_at=NOW + timedelta(days=2)),
                ),
                ev.MeetingCancelled(at=t + timedelta(hours=1), meeting_id="m", by="prospect"),
            ),
            ev.MeetingBooked(
                at=NOW - timedelta(minutes=since), meeting_id="m", starts_at=NOW + timedelta(days=4)
            ),
        )
        materials.append(booked)
    book = [_new(engine, "due"), overdue, *materials, promise, rep]
    nothing = plan_table(engine, to_table(book, engine), day=DAY, now=NOW, capacity=0)
    assert nothing.deferred.column("prospect_id").to_pylist() == [
        "rep",
        "promise",
        "material-old",
        "material-new",
        "overdue",
        "due",
    ]
    # (the overdue follow-up is owed after a conversation, R1: warm work, above cold steps)
    assert nothing.deferred.column("rank").to_pylist() == [0, 1, 2, 2, 3, 5]
    _same_plan(plan_day(engine, book, day=DAY, now=NOW, capacity=0), nothing)


def test_table_suppressions_by_id_phone_and_email(engine: cadence.Engine) -> None:
    book = [
        _new(engine, "p1", phone="+13125550101"),
        _new(engine, "p2", email="dana@acme.example"),
        _new(engine, "p3"),
        _new(engine, "p4"),
    ]
    plan = plan_table(
        engine,
        to_table(book, engine),
        day=DAY,
        now=NOW,
        capacity=10,
        suppressions={"+13125550101", "dana@acme.example", "p3"},
    )
    assert plan.touches.column("prospect_id").to_pylist() == ["p4"]
    assert plan.counts["suppressed"] == 3


def test_table_plan_is_deterministic_whatever_the_row_order(engine: cadence.Engine) -> None:
    book = [_new(engine, f"p{i:03d}", owner=f"rep{i % 3}") for i in range(60)]
    table = to_table(book, engine)
    first = plan_table(engine, table, day=DAY, now=NOW, capacity=7)
    for seed in range(3):
        shuffled = table.take(pa.array(random.Random(seed).sample(range(60), 60)))
        again = plan_table(engine, shuffled, day=DAY, now=NOW, capacity=7)
        assert again.touches.equals(first.touches)
        assert again.deferred.equals(first.deferred)


def test_index_expires_and_overdue_rows_are_replaced_without_the_engine(
    engine: cadence.Engine,
) -> None:
    """A week later every first call is overdue: the index re-places it (R2) by calendar."""
    book = [_new(engine, f"p{i}", owner="ana") for i in range(5)]
    table = to_table(book, engine)
    later = NOW + timedelta(days=7)
    day = later.date() + timedelta(days=1)
    got = plan_table(engine, table, day=day, now=later, capacity=2)
    assert got.sources == {"index": 0, "late": 5, "engine": 0, "stale": 0}
    _same_plan(plan_day(engine, book, day=day, now=later, capacity=2), got)
    assert all(d is not None for d in got.touches.column("due_since").to_pylist())


def test_an_index_built_for_another_policy_is_not_trusted(engine: cadence.Engine) -> None:
    book = [_new(engine, f"p{i}") for i in range(3)]
    table = to_table(book, cadence.Engine(cadence.Policy(min_gap_business_days=2)))
    got = plan_table(engine, table, day=DAY, now=NOW, capacity=5)
    assert got.sources == {"index": 0, "late": 0, "engine": 3, "stale": 0}
    _same_plan(plan_day(engine, book, day=DAY, now=NOW, capacity=5), got)


def test_an_index_built_under_other_legal_rules_or_holidays_is_not_trusted(
    engine: cadence.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release that ships a new calling rule, or a new ``holidays`` release, can move a call:
    rows indexed before go through the engine, so the plan is still ``plan_day``'s."""
    book = [_new(engine, f"p{i}") for i in range(3)]
    table = to_table(book, engine)
    assert plan_table(engine, table, day=DAY, now=NOW, capacity=5).sources["engine"] == 0
    rules = tuple(r for r in PRESETS if r.id != "us-fl")
    here = shipped(PRESETS, holidays_version)
    assert len({here, shipped(rules, holidays_version), shipped(PRESETS, "0.1")}) == 3
    monkeypatch.setattr(cadence._columns, "_SHIPPED", shipped(rules, holidays_version))
    got = plan_table(engine, table, day=DAY, now=NOW, capacity=5)
    assert got.sources == {"index": 0, "late": 0, "engine": 3, "stale": 0}
    _same_plan(plan_day(engine, book, day=DAY, now=NOW, capacity=5), got)


def test_a_touch_that_does_several_kinds_says_so_in_every_plan(engine: cadence.Engine) -> None:
    """R14 after a voicemail, the phone preferred: the next action is one email that proposes
    times and sends the promised material. A rep working from the columnar plan, its CSV or
    the per-prospect plan sees ``also``, whether the index or the engine decided the row."""
    sunday = datetime(2024, 3, 10, 3, 0, tzinfo=CHICAGO)
    p = engine.enroll(
        "lee",
        timezone="America/Chicago",
        at=sunday,
        country="US",
        subdivision="IL",
        owner="ana",
        preferred_channel=Channel.PHONE,
    )
    p = engine.apply(p, ev.MeetingCancelled(at=sunday, meeting_id="m1", by="rep"))
    nine = datetime(2024, 3, 11, 9, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=nine, outcome="voicemail"))
    now = nine + timedelta(minutes=5)
    act = engine.next_action(p, now)
    assert (act.kind, act.also) == (ActionKind.PROPOSE_TIMES, (ActionKind.SEND_COLLATERAL,))
    assert act.kinds == (ActionKind.PROPOSE_TIMES, ActionKind.SEND_COLLATERAL)
    day = nine.date()
    expected = plan_day(engine, [p], day=day, now=now, capacity=5)
    assert [t.action.also for t in expected.touches] == [act.also]
    table = to_table([p], engine)
    assert table.column("next_also").to_pylist() == [["send_collateral"]]
    got = plan_table(engine, table, day=day, now=now, capacity=5)
    assert got.sources["index"] == 1
    assert got.touches.column("also").to_pylist() == [["send_collateral"]]
    _same_plan(expected, got)
    for older in (to_table([p]), table.drop_columns(["next_also"])):  # no index, or an old one
        by_engine = plan_table(engine, older, day=day, now=now, capacity=5)
        assert by_engine.sources["engine"] == 1
        _same_plan(expected, by_engine)
    out = io.StringIO()
    write_plan_csv(expected, out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert (row["kind"], row["also"]) == ("propose_times", "send_collateral")


def test_an_index_row_expires_when_its_touch_is_joined_by_a_later_one(
    engine: cadence.Engine,
) -> None:
    """They replied with interest (R2: propose times, due at once) and had agreed an email at
    11:00 (R1). The times are due until 10:55; from then, a reaction delay before the agreed
    email, they are one email at 11:00 (``also``). So the row decided at the reply holds only
    until 10:55. (A long hypothesis run found the index naming a touch alone after another
    had joined it, when joining needed a common start.)"""
    sunday = datetime(2024, 3, 10, 3, 0, tzinfo=CHICAGO)
    p = engine.enroll("p04", timezone="America/Chicago", at=sunday, country="US", owner="ana")
    monday = datetime(2024, 3, 11, 8, 0, tzinfo=CHICAGO)
    agreed = monday + timedelta(hours=3)
    p = engine.apply(p, ev.ChannelPreference(at=monday, channel=Channel.EMAIL))
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed))
    reply = monday + timedelta(minutes=90)
    p = engine.apply(p, ev.EmailReplied(at=reply, intent="positive"))
    before, joined = agreed - timedelta(minutes=6), agreed - timedelta(minutes=5)
    assert engine.next_action(p, before).also == ()
    assert engine.next_action(p, joined).also == (ActionKind.EMAIL,)
    assert engine.next_action(p, joined).earliest == agreed
    table = to_table([p], engine)
    for now in (reply, before, joined, agreed):
        expected = plan_day(engine, [p], day=monday.date(), now=now, capacity=5)
        _same_plan(expected, plan_table(engine, table, day=monday.date(), now=now, capacity=5))


def test_a_table_without_index_columns_goes_through_the_engine(engine: cadence.Engine) -> None:
    book = [_new(engine, f"p{i}", owner="ana") for i in range(4)]
    bare = to_table(book).select(
        [
            "id",
            "owner",
            "timezone",
            "country",
            "subdivision",
            "phone",
            "email",
            "last_attempt_slot",
            "recent_calls",
            "state",
        ]
    )
    got = plan_table(engine, bare, day=DAY, now=NOW, capacity=3)
    assert got.sources["engine"] == 4
    _same_plan(plan_day(engine, book, day=DAY, now=NOW, capacity=3), got)


def test_polars_and_pandas_frames_plan_through_arrow(engine: cadence.Engine) -> None:
    pl = pytest.importorskip("polars")
    book = [_new(engine, f"p{i}", owner=f"r{i % 2}") for i in range(6)]
    table = to_table(book, engine)
    expected = plan_table(engine, table, day=DAY, now=NOW, capacity=2)
    for frame in (pl.from_arrow(table).to_arrow(), pa.Table.from_pandas(table.to_pandas())):
        got = plan_table(engine, frame, day=DAY, now=NOW, capacity=2)
        assert got.touches.equals(expected.touches)
        assert got.sources == expected.sources


def test_bad_tables_and_arguments_are_clear(engine: cadence.Engine) -> None:
    with pytest.raises(ValueError, match=r"missing column.*'state'"):
        plan_table(engine, pa.table({"id": ["x"]}), day=DAY, now=NOW, capacity=1)
    table = to_table([_new(engine, "p")])
    with pytest.raises(ValueError, match="now"):
        plan_table(engine, table, day=DAY, now=NOW.replace(tzinfo=None), capacity=1)
    with pytest.raises(ValueError, match="capacity"):
        plan_table(engine, table, day=DAY, now=NOW, capacity={"ana": -1})
    with pytest.raises(ValueError, match="suppressions"):
        plan_table(engine, table, day=DAY, now=NOW, capacity=1, suppressions="p")
    with pytest.raises(ValueError, match="prospects"):
        to_table(["not a prospect"])  # type: ignore[list-item]
    # A state that does not load is an error naming its row and its id, in from_table and
    # when the engine decides the row (a table without its index).
    bare = to_table([_new(engine, "p"), _new(engine, "q")])
    for state, found in (
        ("{oops", "table: row 1 (id 'q'): state: Invalid JSON"),
        (None, "table: row 1 (id 'q') has no state"),
    ):
        states = pa.array([bare.column("state")[0].as_py(), state], pa.string())
        broken = bare.set_column(bare.schema.get_field_index("state"), "state", states)
        with pytest.raises(InvalidInputError, match=rf"^{re.escape(found)}"):
            from_table(broken)
        with pytest.raises(InvalidInputError, match=rf"^{re.escape(found)}"):
            plan_table(engine, broken, day=DAY, now=NOW, capacity=1)
    with pytest.raises(InvalidInputError, match=r"^table: expected a pyarrow\.Table, got list"):
        from_table([table])
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"engine": "engine"}, r"^engine: expected a cadence\.Engine, got str"),
        ({"table": [{"id": "p"}]}, r"^table: expected a pyarrow\.Table, got list; use to_table"),
        ({"deferred_limit": -1}, r"^deferred_limit: -1 is not a count; give a whole number >= 0"),
        ({"deferred_limit": True}, r"^deferred_limit: True is not a count"),
    ]
    for given_, message in wrong:
        arguments: dict[str, Any] = {"engine": engine, "table": table, "deferred_limit": 0}
        with pytest.raises(InvalidInputError, match=message) as info:
            plan_table(**{**arguments, **given_}, day=DAY, now=NOW, capacity=1)
        assert info.value.field == next(iter(given_))
    with pytest.raises(InvalidInputError, match=r"^engine: expected a cadence\.Engine or None"):
        to_table([], "engine")  # type: ignore[arg-type]
    # A column another tool typed its own way is cast back when that loses nothing ...
    owners = pa.array(["ana"]).dictionary_encode()
    recast = table.set_column(table.schema.get_field_index("owner"), "owner", owners)
    assert plan_table(engine, recast, day=DAY, now=NOW, capacity=1) == plan_table(
        engine, table, day=DAY, now=NOW, capacity=1
    )
    # ... and refused, naming the column, when it would.
    stamps = pa.array([[1]], pa.list_(pa.int64()))
    odd = table.set_column(table.schema.get_field_index("owner"), "owner", stamps)
    with pytest.raises(InvalidInputError, match=r"^table: column 'owner' has type list<") as info:
        plan_table(engine, odd, day=DAY, now=NOW, capacity=1)
    assert info.value.field == "owner"
    # A bad zone is an error even on a row that is not due that day (it is never ignored).
    away = ev.OutOfOffice(at=NOW, until=NOW + timedelta(days=30))
    later = to_table([engine.apply(_new(engine, pid), away) for pid in "pq"], engine)
    assert plan_table(engine, later, day=DAY, now=NOW, capacity=1).counts["not_due"] == 2
    zones = pa.array(["America/Chicago", "Mars/Olympus"])
    bad = later.set_column(later.schema.get_field_index("timezone"), "timezone", zones)
    with pytest.raises(ValueError, match="timezone: 'Mars/Olympus'"):
        plan_table(engine, bad, day=DAY, now=NOW, capacity=1)
    # A day over in every zone: nothing could be planned on it, so it is refused, not planned
    # empty (the command line's default now is the clock, and a stale --day is a mistake).
    with pytest.raises(InvalidInputError, match=r"^day: 2026-03-08 is over in every time zone"):
        plan_table(engine, later, day=date(2026, 3, 8), now=NOW, capacity=1)
    # ... but yesterday in Chicago is still today further west, until noon UTC.
    midnight = NOW + timedelta(hours=6)  # Tuesday 00:00 in Chicago, Monday 19:00 at UTC-12
    monday = plan_table(engine, later, day=date(2026, 3, 9), now=midnight, capacity=1)
    assert monday.counts["not_due"] == 2


def test_importing_the_core_imports_no_optional_extra() -> None:
    code = (
        "import sys, cadence, cadence.batch\n"
        "bad = {'pyarrow', 'numpy', 'dask', 'distributed', 'pandas', 'polars'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "region", [("America/New_York", "US", "FL"), ("Europe/Paris", "FR", None)], ids=str
)
def test_elapsed_time_caps_count_each_prospects_own_calls(
    engine: cadence.Engine, region: tuple[str, str, str | None]
) -> None:
    """Where a cap limits calls over elapsed time (FL: 3 a day, FR: 4 in 30 days), prospects
    called several times lately get windows of their own; the others share their place's. The
    planner tells them apart with arrays: the same plan as plan_day, in the walk over the day
    and when the index re-places an overdue call."""
    tz, country, subdivision = region
    start = NOW - timedelta(days=2)
    book = []
    for i in range(16):
        p = engine.enroll(
            f"p{i:02d}",
            timezone=tz,
            at=start,
            country=country,
            subdivision=subdivision,
            owner=f"rep{i % 2}",
        )
        for k in range(i % 6):  # 0 to 5 unanswered calls in the last day and a half
            at = start + timedelta(hours=12 + 6 * k, minutes=7 * i)
            p = engine.apply(p, ev.CallAttempted(at=at, outcome="no_answer"))
        book.append(p)
    table = to_table(book, engine)
    for later in (timedelta(0), timedelta(hours=5), timedelta(days=1, hours=2), timedelta(days=6)):
        now = NOW + later
        for shift in (0, 1):
            day = (now.astimezone(engine.calendar(book[0]).zone) + timedelta(days=shift)).date()
            for capacity in (3, 20):
                expected = plan_day(engine, book, day=day, now=now, capacity=capacity)
                got = plan_table(engine, table, day=day, now=now, capacity=capacity)
                _same_plan(expected, got)


_CAPPED = [
    ("America/New_York", "US", "FL"),  # 3 calls a day
    ("America/Chicago", "US", "OK"),
    ("Europe/Paris", "FR", None),  # 4 calls in 30 days
]


@given(
    region=st.sampled_from(_CAPPED),
    at=st.integers(0, 14 * 24 * 60),
    calls=st.lists(st.integers(-35 * 24 * 60, 24 * 60), max_size=7),
)
def test_only_crowded_rows_have_windows_of_their_own(
    region: tuple[str, str, str | None], at: int, calls: list[int]
) -> None:
    """``crowded`` is what lets the planner share a place's windows: a prospect whose calls it
    does not flag gets the window the place gives everyone, from any instant of the day (as
    the walk asks) and from ``now`` (as the overdue re-placement asks)."""
    cal = contact_calendar(cadence.Policy(), *region)
    phone = Channel.PHONE
    t = datetime(2026, 3, 2, 5, 0, tzinfo=UTC) + timedelta(minutes=at)
    recent = tuple(sorted(t + timedelta(minutes=m) for m in calls))
    column = pa.array([list(recent)], type=pa.list_(pa.timestamp("us", tz="UTC")))

    def us(when: datetime) -> Any:
        return np.array([(when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)])

    def binding(when: datetime) -> dict[Cap, Any]:
        caps = strictest_caps(cal.rules(phone, cal.local(when).date()))
        return {cap: np.ones(1, dtype=bool) for cap in caps}

    shared = cal.next_window(phone, t)
    own = cal.next_window(phone, t, recent=recent)
    # From now: the caps at now and at the start of the shared window.
    from_now = crowded(column, us(t), us(t), binding(t))[0]
    from_now |= crowded(column, us(shared.start), us(shared.start), binding(shared.start))[0]
    event(f"crowded from now: {from_now}")
    if not from_now:
        assert (own.start, own.end) == (shared.start, shared.end)
    # From any instant of the local day (t is one): the day's caps, over the whole day.
    day = cal.local(t).date()
    start = resolve_local(day, datetime.min.time(), cal.zone)
    end = resolve_local(day + timedelta(days=1), datetime.min.time(), cal.zone)
    over_day = crowded(column, us(start), us(end) - 1, binding(t))[0]
    event(f"crowded over the day: {over_day}")
    if not over_day and shared.start < end:
        assert (own.start, own.end) == (shared.start, shared.end)


def test_a_prospect_twice_in_the_book_is_refused_by_both_planners_not_touched_twice(
    engine: cadence.Engine,
) -> None:
    """A duplicated export row planned two touches to one person. Both planners refuse the
    book (naming the id), whether both copies are due, one of them is not, or one of them is
    suppressed (R13)."""
    book = [_new(engine, f"p{i}", owner="ana") for i in range(4)]
    away = ev.OutOfOffice(at=NOW - timedelta(minutes=5), until=NOW + timedelta(days=9))
    for twice, suppressions in (
        ([*book, book[2].model_copy(update={"owner": "bo"})], ()),
        ([*book, engine.apply(book[2], away)], ()),
        ([*book, book[2]], {"p2"}),
    ):
        for planner, given_ in ((plan_day, twice), (plan_table, to_table(twice, engine))):
            with pytest.raises(InvalidInputError, match=r"^id: 'p2' is in the book twice") as info:
                planner(engine, given_, day=DAY, now=NOW, capacity=5, suppressions=suppressions)
            assert info.value.field == "id"
            assert info.value.value == "p2"


@pytest.mark.parametrize("newest", ["opted out", "closed", "meeting to log", "away"])
@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_r13_a_stale_copy_of_an_opted_out_prospect_is_refused_never_called(
    engine: cadence.Engine, newest: str, indexed: bool
) -> None:
    """A book holding a prospect's newest row (opted out, closed, owing the reminder to log
    an ended meeting, or away) and an older export row of it, stage new: the old row owes a
    first call, the newest forbids it (R13) or owes something else. No planner can tell which
    row is the truth, so both refuse the book, naming the id, rather than call an opted-out
    person at 09:00 or touch two rows of one id."""
    book = stale_copies(engine, NOW)[newest]
    for planner, given_ in (
        (plan_day, book),
        (plan_table, to_table(book, engine if indexed else None)),
    ):
        with pytest.raises(InvalidInputError, match=r"^id: 'p1' is in the book twice; give"):
            planner(engine, given_, day=DAY, now=NOW, capacity=5)
    # Each row alone is planned: the stale copy's call is why the book is refused.
    rest = [p for p in book if p.id != "p1"]
    alone = plan_table(engine, to_table([*rest, book[-1]], engine), day=DAY, now=NOW, capacity=5)
    assert "p1" in alone.touches.column("prospect_id").to_pylist()


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_a_reps_full_windows_spill_into_the_next_ones_as_in_plan_day(
    engine: cadence.Engine, indexed: bool
) -> None:
    """More calls and emails than one window holds, for two reps: a window that is full sends
    the touch on to the next window of the day (the walk's memo of those windows, shared by
    rows of one place, channel and R4 slot), and what does not fit by the day's end is
    deferred for want of time. The same plan as plan_day, row for row."""
    book = []
    for i in range(150):
        p = engine.enroll(
            f"p{i:02d}",
            timezone=("America/Chicago", "America/New_York")[i % 2],
            at=NOW - timedelta(days=3, minutes=i),
            country="US",
            owner=("ana", "bo")[i % 5 == 0],
            preferred_channel=("email" if i % 7 == 0 else None),
        )
        if i % 3 == 0:  # called two days ago, unanswered: not due again on the day (R3)
            p = engine.apply(
                p, ev.CallAttempted(at=NOW - timedelta(days=2, hours=8), outcome="no_answer")
            )
        book.append(p)
    table = to_table(book, engine if indexed else None)
    for now in (NOW, NOW + timedelta(hours=17)):  # the evening before; 11:00 on the day
        expected = plan_day(engine, book, day=DAY, now=now, capacity=100)
        got = plan_table(engine, table, day=DAY, now=now, capacity=100)
        _same_plan(expected, got)
        starts = sorted(t.local_start.time() for t in expected.touches if t.owner == "ana")
        assert len(starts) > 20
        assert starts[-1] >= time(12)  # spilled past the morning
        assert any(d.reason == "no free time in window" for d in expected.deferred)


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_a_pause_that_ends_on_the_day_is_planned_after_it_as_in_plan_day(
    engine: cadence.Engine, indexed: bool
) -> None:
    """R17: "not now, get back to me on Tuesday at 09:00", an out-of-office until Monday, and a
    pause that ends on Thursday, seen on Monday evening. Tuesday's plan has the touches that
    follow the first two pauses (an index row of a paused prospect holds from the pause's end
    on: it is read as of then), the same plan as plan_day, row for row."""
    at = NOW - timedelta(days=29)
    pauses: list[tuple[str, ev.Event]] = [
        ("tue", ev.EmailReplied(at=at, intent="not_now", resume_at=NOW + timedelta(hours=15))),
        ("away", ev.OutOfOffice(at=at, until=NOW)),
        ("thu", ev.EmailReplied(at=at, intent="not_now", resume_at=NOW + timedelta(days=3))),
    ]
    book = [
        engine.apply(
            engine.enroll(pid, timezone="America/Chicago", at=at, country="US", owner=pid),
            pause,
        )
        for pid, pause in pauses
    ]
    expected = plan_day(engine, book, day=DAY, now=NOW, capacity=5)
    table = to_table(book, engine if indexed else None)
    got = plan_table(engine, table, day=DAY, now=NOW, capacity=5)
    _same_plan(expected, got)
    assert got.touches.column("prospect_id").to_pylist() == ["away", "tue"]
    starts = got.touches.column("local_start").to_pylist()
    assert starts == [datetime.combine(DAY, time(9))] * 2
    assert got.sources["engine"] == (0 if indexed else 3)  # (the index holds at their end)


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
@pytest.mark.parametrize("hour", [7, 18], ids=["before-the-window", "after-it"])
def test_r17_work_due_while_away_is_fresh_after_a_pause_that_ended_before_the_day(
    engine: cadence.Engine, indexed: bool, hour: int
) -> None:
    """R17: a voicemail (the R6 email owed that day) or a call agreed for Wednesday 4 March,
    then an out-of-office until Thursday 5 March (contact resumes Friday 6), or until Friday
    (it resumes Monday 9). Planning Tuesday 10 March on Monday 9: the agreed calls (each the
    prospect's only task, which the index re-places by itself once missed) are moved to the
    return, fresh on Monday morning, and the work missed since the return is overdue since its
    window after the pause, not since before it: the same plan as plan_day, row for row."""
    at = datetime(2026, 3, 2, 10, 0, tzinfo=CHICAGO)
    agreed = datetime(2026, 3, 4, 10, 0, tzinfo=CHICAGO)
    thursday, friday = (datetime(2026, 3, day, 17, tzinfo=CHICAGO) for day in (5, 6))
    touches: list[tuple[str, ev.Event, datetime]] = [
        ("vm", ev.CallAttempted(at=at, outcome="voicemail"), thursday),
        ("agreed", ev.CallAttempted(at=at, outcome="connected", next_contact_at=agreed), thursday),
        ("monday", ev.CallAttempted(at=at, outcome="connected", next_contact_at=agreed), friday),
    ]
    book = []
    for pid, touch, back in touches:
        p = engine.enroll(pid, timezone="America/Chicago", at=at, country="US", owner=pid)
        away = ev.OutOfOffice(at=at + timedelta(minutes=10), until=back)
        book.append(engine.apply(engine.apply(p, touch), away))
    now = NOW.replace(hour=hour)
    expected = plan_day(engine, book, day=DAY, now=now, capacity=5)
    table = to_table(book, engine if indexed else None)
    got = plan_table(engine, table, day=DAY, now=now, capacity=5)
    _same_plan(expected, got)
    since = {t.prospect_id: t.action.due_since for t in expected.touches}
    returns = datetime(2026, 3, 6, 8, tzinfo=CHICAGO)  # (email hours open; calls at 09:00)
    assert since == {
        "vm": returns,
        "agreed": returns + timedelta(hours=1),
        "monday": None if hour == 7 else datetime(2026, 3, 9, 9, tzinfo=CHICAGO),
    }
    if indexed:
        assert got.sources["late"] == (1 if hour == 7 else 2)  # (the agreed calls)


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_only_an_action_that_carries_r4_is_kept_from_the_last_calls_part_of_day(
    engine: cadence.Engine, indexed: bool
) -> None:
    """After an unanswered morning call, four prospects agreed to a call on Tuesday at 10:00
    (R1) with the same rep, and a fifth is due the ladder's retry. The agreed calls take
    10:00, 10:10 and 10:20 (their window: the agreed time and its grace) and the last goes on
    to 10:30, where the engine then names it (R2), not to the afternoon; the retry goes to
    the afternoon (R4). The same plan as plan_day, row for row."""
    t = datetime(2026, 3, 2, 10, 0, tzinfo=CHICAGO)
    ten = datetime.combine(DAY, time(10), CHICAGO)

    def called(pid: str) -> cadence.Prospect:
        p = engine.enroll(pid, timezone="America/Chicago", at=t, country="US", owner="ana")
        return engine.apply(p, ev.CallAttempted(at=t, outcome="no_answer"))

    agreed = ev.CallAttempted(at=NOW, outcome="connected", next_contact_at=ten)
    book = [
        engine.apply(called(f"promise{i}"), agreed).model_copy(
            update={"last_attempt_slot": "morning"}  # (as if the last call had been unanswered)
        )
        for i in range(4)
    ]
    book.append(called("retry"))
    expected = plan_day(engine, book, day=DAY, now=NOW, capacity=30)
    table = to_table(book, engine if indexed else None)
    _same_plan(expected, plan_table(engine, table, day=DAY, now=NOW, capacity=30))
    starts = [(tt.prospect_id, f"{tt.local_start:%H:%M}") for tt in expected.touches]
    assert starts == [
        ("promise0", "10:00"),
        ("promise1", "10:10"),
        ("promise2", "10:20"),
        ("promise3", "10:30"),
        ("retry", "12:00"),
    ]


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_a_reps_booked_meeting_blocks_her_time_in_every_planner(
    engine: cadence.Engine, indexed: bool
) -> None:
    """Ana meets p0 on Tuesday 09:00-09:30 and Bo meets b0 at 09:05 (a meeting in another
    zone, on its own local day): each one's calls go around the meeting, which is listed in
    the day as an attend_meeting touch, the same plan as plan_day, row for row."""
    nine = datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)
    book = [_new(engine, f"p{i}") for i in range(5)]
    book += [
        engine.enroll(
            f"b{i}",
            timezone="America/New_York",
            at=NOW - timedelta(hours=1),
            country="US",
            owner="bo",
        )
        for i in range(3)
    ]
    for i, starts in ((0, nine), (5, nine + timedelta(minutes=5))):
        at = book[i].last_event_at + timedelta(minutes=1)
        booked = engine.apply(book[i], ev.CallAttempted(at=at, outcome="connected"))
        book[i] = engine.apply(booked, ev.MeetingBooked(at=at, meeting_id="m", starts_at=starts))
    expected = plan_day(engine, book, day=DAY, now=NOW, capacity=4)
    got = plan_table(
        engine, to_table(book, engine if indexed else None), day=DAY, now=NOW, capacity=4
    )
    _same_plan(expected, got)
    rows = _rows_of_table(got.touches, ("prospect_id", "kind", "channel", "local_start"))
    listed = [(pid, kind, channel, f"{start:%H:%M}") for pid, kind, channel, start in rows]
    assert listed == [
        ("p0", "attend_meeting", "meeting", "09:00"),
        ("p1", "call", "phone", "09:30"),
        ("p2", "call", "phone", "09:40"),
        ("p3", "call", "phone", "09:50"),
        ("p4", "call", "phone", "10:00"),
        ("b1", "call", "phone", "09:00"),
        ("b2", "call", "phone", "09:10"),
        ("b0", "attend_meeting", "meeting", "10:05"),
    ]
    assert got.counts == expected.counts


#: Places whose local day is another one than a US place's during its calling hours.
_FAR = [r for r in REGIONS if r.timezone in ("Australia/Lord_Howe", "Asia/Kolkata")]


@given(
    places=st.tuples(regions(), regions() | regions(_FAR)).flatmap(st.permutations),
    minutes=st.integers(0, 7 * 60),
    late=st.integers(-20, 20),
    duration=st.sampled_from([15, 45, 120]),
    indexed=st.booleans(),
)
def test_a_reps_meetings_block_her_time_whatever_local_day_they_fall_on(
    places: list[Region], minutes: int, late: int, duration: int, indexed: bool
) -> None:
    """A rep with first calls due in one place, and a call promised there for around the time
    of a meeting she booked with a prospect in another place: on that prospect's own local
    day, which in a zone far away is the day before or after. No planner puts a call over the
    meeting, and both give the same plan."""
    home, away = places
    engine = cadence.Engine()
    day = date(2026, 3, 10)
    now = resolve_local(day - timedelta(days=1), time(18), ZoneInfo(home.timezone))
    calls = [engine.enroll(f"c{i}", at=now, owner="ana", **asdict(home)) for i in range(3)]
    nine = resolve_local(day, time(9), engine.calendar(calls[0]).zone)
    starts = nine + timedelta(minutes=minutes)
    promised = engine.enroll("p", at=now - timedelta(days=1), owner="ana", **asdict(home))
    agreed = ev.CallAttempted(
        at=now, outcome="connected", next_contact_at=starts + timedelta(minutes=late)
    )
    met = engine.enroll("m", at=now, owner="ana", **asdict(away))
    booked = ev.MeetingBooked(at=now, meeting_id="m1", starts_at=starts, duration_minutes=duration)
    book = [*calls, engine.apply(promised, agreed), engine.apply(met, booked)]
    elsewhere = starts.astimezone(engine.calendar(met).zone).date() != day
    event(f"the meeting is on another local day: {elsewhere}")
    expected = plan_day(engine, book, day=day, now=now, capacity=6)
    table = to_table(book, engine if indexed else None)
    _same_plan(expected, plan_table(engine, table, day=day, now=now, capacity=6))
    _no_touch_over_a_meeting(expected, book)


def _anas(engine: cadence.Engine, pid: str, event: ev.Event, **place: Any) -> cadence.Prospect:
    """Ana's prospect ``pid`` (``place``: its zone, country...), enrolled the day before
    ``event``, after it."""
    p = engine.enroll(pid, at=event.at - timedelta(hours=23), owner="ana", **place)
    return engine.apply(p, event)


@pytest.mark.parametrize("columns", ["meeting columns", "states only"])
@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_a_reps_meeting_on_another_local_day_still_blocks_her_time(
    indexed: bool, columns: str
) -> None:
    """Ana works prospects in Los Angeles and Sydney. Her meeting with a Sydney prospect on
    Wednesday 11 March at 09:00 Sydney time is Tuesday 15:00-15:30 in Los Angeles, where she
    promised a call at 15:00: every planner put that call at 15:00, over the meeting (it
    blocked her time only in Sydney's Tuesday plan), and now places it at 15:30. The meeting
    is listed in the plan of its own local day only."""
    engine = cadence.Engine()
    la, sydney = ZoneInfo("America/Los_Angeles"), ZoneInfo("Australia/Sydney")
    now = datetime(2026, 3, 9, 18, 0, tzinfo=la)
    hour_ago = now - timedelta(hours=1)
    call = datetime(2026, 3, 10, 15, 0, tzinfo=la)
    meeting = datetime(2026, 3, 11, 9, 0, tzinfo=sydney)
    book = [
        _anas(
            engine,
            "la",
            ev.CallAttempted(at=hour_ago, outcome="connected", next_contact_at=call),
            timezone="America/Los_Angeles",
            country="US",
            subdivision="CA",
        ),
        _anas(
            engine,
            "syd",
            ev.MeetingBooked(at=hour_ago, meeting_id="m1", starts_at=meeting),
            timezone="Australia/Sydney",
            country="AU",
        ),
    ]
    table = to_table(book, engine if indexed else None)
    if columns == "states only":
        table = table.drop_columns(["meeting_starts", "meeting_ends"])
    for day, listed in ((date(2026, 3, 10), []), (date(2026, 3, 11), ["syd"])):
        expected = plan_day(engine, book, day=day, now=now, capacity=5)
        _same_plan(expected, plan_table(engine, table, day=day, now=now, capacity=5))
        _no_touch_over_a_meeting(expected, book)
        kinds = [(t.prospect_id, t.action.kind) for t in expected.touches]
        assert [pid for pid, kind in kinds if kind is ActionKind.ATTEND_MEETING] == listed
    tuesday = plan_day(engine, book, day=date(2026, 3, 10), now=now, capacity=5)
    assert [f"{t.local_start:%H:%M}" for t in tuesday.touches] == ["15:30"]


def test_a_table_written_before_the_meeting_columns_still_blocks_meetings(
    engine: cadence.Engine,
) -> None:
    """A table without ``meeting_starts`` and ``meeting_ends`` (written by an earlier
    release) is planned as plan_day plans its prospects: its meetings are read from their
    states, and the decision index still counts."""
    nine = datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)
    book = [_new(engine, f"p{i}") for i in range(3)]
    at = book[0].last_event_at + timedelta(minutes=1)
    booked = engine.apply(book[0], ev.CallAttempted(at=at, outcome="connected"))
    book[0] = engine.apply(booked, ev.MeetingBooked(at=at, meeting_id="m", starts_at=nine))
    old = to_table(book, engine).drop_columns(["meeting_starts", "meeting_ends"])
    got = plan_table(engine, old, day=DAY, now=NOW, capacity=4)
    _same_plan(plan_day(engine, book, day=DAY, now=NOW, capacity=4), got)
    assert got.touches.column("prospect_id").to_pylist() == ["p0", "p1", "p2"]
    assert got.sources["engine"] == 0


def test_a_row_whose_zone_is_not_of_its_country_stops_the_plan(engine: cadence.Engine) -> None:
    """As ``plan_day`` refuses it (and as a zone that does not exist): a US row whose zone is
    the CRM's default ``UTC`` would be called from 09:00 UTC, 04:00 in Chicago. Refused
    whether or not the row is due, whether or not its index holds."""
    away = ev.OutOfOffice(at=NOW, until=NOW + timedelta(days=30))
    rows = [_new(engine, "p"), engine.apply(_new(engine, "q"), away)]
    for table in (to_table(rows, engine), to_table(rows)):
        for row in (0, 1):
            zones = pa.array(["UTC" if i == row else "America/Chicago" for i in range(2)])
            bad = table.set_column(table.schema.get_field_index("timezone"), "timezone", zones)
            with pytest.raises(InvalidInputError, match=r"^timezone: 'UTC' .* of US") as caught:
                plan_table(engine, bad, day=DAY, now=NOW, capacity=1)
            assert caught.value.field == "timezone"


def _end_of_a_monday(engine: cadence.Engine) -> tuple[list[cadence.Prospect], datetime]:
    """Monday 16:55 in Chicago, Ana's book for the rest of her day: two overdue first calls to
    Chicago (the most late: they rank first), where calling hours end at 17:00, and two to Los
    Angeles, where it is 14:55. The time: ``now``."""
    late = datetime(2026, 3, 9, 16, 55, tzinfo=CHICAGO)
    book = [
        engine.enroll(pid, timezone=tz, at=late - timedelta(days=days), country="US", owner="ana")
        for pid, tz, days in (
            ("chicago0", "America/Chicago", 6),
            ("chicago1", "America/Chicago", 5),
            ("la0", "America/Los_Angeles", 3),
            ("la1", "America/Los_Angeles", 2),
        )
    ]
    return book, late


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_a_call_the_hours_leave_no_time_for_takes_no_place_in_any_planner(
    engine: cadence.Engine, indexed: bool
) -> None:
    """Ana has two calls left today (capacity 2) and five minutes of Chicago's calling hours.
    A call need only start inside them (DESIGN §4): the first overdue call to Chicago starts
    at 16:55 and ends at 17:05, after the hours; it was deferred for want of time, as if it
    had to end by 17:00. The second finds no time left to start in and is deferred; it takes
    no place, so Los Angeles, where the afternoon is young, gets the second one, at 15:05
    there (17:05 in Chicago: Ana is on the phone to Chicago until then), and the other call
    to Los Angeles is over capacity; the same plan as plan_day, row for row."""
    book, late = _end_of_a_monday(engine)
    args: dict[str, Any] = {"day": late.date(), "now": late, "capacity": 2}
    expected = plan_day(engine, book, **args)
    got = plan_table(engine, to_table(book, engine if indexed else None), **args)
    _same_plan(expected, got)
    rows = _rows_of_table(got.touches, ("prospect_id", "local_start", "local_end", "latest"))
    assert [(pid, f"{a:%H:%M}-{b:%H:%M}") for pid, a, b, _ in rows] == [
        ("chicago0", "16:55-17:05"),
        ("la0", "15:05-15:15"),
    ]
    assert rows[0][3] == datetime(2026, 3, 9, 17, 0, tzinfo=CHICAGO)  # the action's window
    assert _rows_of_table(got.deferred, ("prospect_id", "deferred_reason")) == [
        ("chicago1", "no free time in window"),
        ("la1", "over capacity"),
    ]
    assert got.counts == {"suppressed": 0, "not_due": 0, "planned": 2, "deferred": 2}


@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(["America/Chicago", "America/New_York", "America/Los_Angeles"]),
            st.integers(0, 8 * 24 * 60),  # minutes since enrolment, before Monday 18:00
            st.booleans(),  # prefers email
        ),
        min_size=3,
        max_size=12,
    ),
    meetings=st.lists(  # from 07:00 on Tuesday plus minutes, for minutes
        st.tuples(st.integers(0, 4 * 60), st.sampled_from([120, 240, 480, 600])),
        min_size=1,
        max_size=3,
    ),
    # minutes after Monday 18:00; often minutes before Chicago's calling hours end on Tuesday
    # (a call may start then and run past 17:00, DESIGN §4)
    later=st.integers(0, 23 * 60) | st.integers(22 * 60 + 40, 22 * 60 + 59),
    capacity=st.integers(1, 3),
    indexed=st.booleans(),
)
def test_a_reps_crowded_day_leaves_no_place_unused_in_either_planner(
    calls: list[tuple[str, int, bool]],
    meetings: list[tuple[int, int]],
    later: int,
    capacity: int,
    indexed: bool,
) -> None:
    """Ana's Tuesday, planned on Monday evening or during the day, with long meetings booked
    and more calls and emails than she may make: touches that find no free time (the
    meetings, the calling hours, the more urgent touches) take no place, so a touch is over
    capacity only when her channel is full of planned ones. plan_table walks her day again
    with every due row when one got no slot; the same plan as plan_day, row for row."""
    engine = cadence.Engine()
    book = [
        engine.enroll(
            f"p{i:02d}",
            timezone=tz,
            at=NOW - timedelta(minutes=ago),
            country="US",
            owner="ana",
            preferred_channel="email" if email else None,
        )
        for i, (tz, ago, email) in enumerate(calls)
    ]
    for n, (minutes, duration) in enumerate(meetings):
        host = engine.enroll(f"m{n}", timezone="America/Chicago", at=NOW, owner="ana")
        booked = ev.MeetingBooked(
            at=NOW,
            meeting_id=f"m{n}",
            starts_at=datetime.combine(DAY, time(7), CHICAGO) + timedelta(minutes=minutes),
            duration_minutes=duration,
        )
        book.append(engine.apply(host, booked))
    now = NOW + timedelta(minutes=later)
    expected = plan_day(engine, book, day=DAY, now=now, capacity=capacity)
    got = plan_table(
        engine,
        to_table(book, engine if indexed else None),
        day=DAY,
        now=now,
        capacity=capacity,
    )
    _same_plan(expected, got)
    _over_capacity_only_when_full(expected, capacity)
    reasons = {d.reason for d in expected.deferred}
    event(f"deferred for want of time, and over capacity: {len(reasons) == 2}")
    event(f"a touch runs past its window's end: {_past_the_end(expected)}")


@pytest.mark.parametrize("contact", WRITTEN_OTHERWISE.values(), ids=WRITTEN_OTHERWISE.keys())
def test_a_reimported_contact_written_otherwise_stays_suppressed_in_a_table(
    engine: cadence.Engine, contact: dict[str, str]
) -> None:
    """R13, as plan_day: the row's number or address, written otherwise than on the list, is
    matched with array operations (and the few rows they cannot settle by plan_day's rule)."""
    table = to_table([_new(engine, "reimported", **contact)], engine)
    plan = plan_table(engine, table, day=DAY, now=NOW, capacity=5, suppressions=SUPPRESSED)
    assert plan.counts == {"suppressed": 1, "not_due": 0, "planned": 0, "deferred": 0}


@pytest.mark.parametrize("contact", NOT_SUPPRESSED.values(), ids=NOT_SUPPRESSED.keys())
def test_a_contact_the_list_does_not_name_is_planned_from_a_table(
    engine: cadence.Engine, contact: dict[str, str]
) -> None:
    table = to_table([_new(engine, "other", **contact)], engine)
    plan = plan_table(engine, table, day=DAY, now=NOW, capacity=5, suppressions=SUPPRESSED)
    assert plan.counts == {"suppressed": 0, "not_due": 0, "planned": 1, "deferred": 0}


@pytest.mark.parametrize("first", [None, "", "x"])
def test_a_small_book_whose_first_phone_is_short_is_matched(
    engine: cadence.Engine, first: str | None
) -> None:
    """The phones' last eight bytes are read as words: a first row that ends before the
    eighth byte of a short buffer read before its start (an IndexError, in a Dask partition
    of two prospects say)."""
    book = [_new(engine, "a", phone=first), _new(engine, "b", phone="+13125550104")]
    plan = plan_table(
        engine, to_table(book, engine), day=DAY, now=NOW, capacity=5, suppressions=SUPPRESSED
    )
    assert plan.counts == {"suppressed": 1, "not_due": 0, "planned": 1, "deferred": 0}


def test_a_book_written_every_which_way_is_suppressed_as_plan_day_does(
    engine: cadence.Engine,
) -> None:
    """Every variant in one table, in chunks of one row and as a slice of a longer one."""
    variants = [*WRITTEN_OTHERWISE.values(), *NOT_SUPPRESSED.values()]
    book = [_new(engine, f"p{i:02d}", **contact) for i, contact in enumerate(variants)]
    args: dict[str, Any] = {"day": DAY, "now": NOW, "capacity": 50, "suppressions": SUPPRESSED}
    expected = plan_day(engine, book, **args)
    assert expected.counts["suppressed"] == len(WRITTEN_OTHERWISE)
    assert len(expected.touches) == len(NOT_SUPPRESSED)
    for layout in ("one chunk", "chunks of 1 row", "a slice"):
        _same_plan(expected, plan_table(engine, _laid_out(to_table(book, engine), layout), **args))


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_a_touch_need_only_start_inside_its_window_in_every_planner(indexed: bool) -> None:
    """Calls agreed for 20:55 on Tuesday, where the law lets calls start until 21:00, and for
    16:55, where the policy's afternoon ends at 17:00 (a team that calls into the evening):
    each is planned at its agreed time, running ten minutes past its window's end (DESIGN
    §4: a call must start inside, as the engine names it until then). plan_table deferred
    both for want of time. A second call agreed for 20:55 cannot start before 21:00, Ana
    being on the first until 21:05: it is deferred; the same plan as plan_day, row for row."""
    policy = cadence.Policy(
        call_slots=(
            TimeSlot(name="day", start=time(9), end=time(17)),
            TimeSlot(name="evening", start=time(18), end=time(22)),
        )
    )
    engine = cadence.Engine(policy)
    book = []
    for pid, hour in (("late0", 20), ("late1", 20), ("afternoon", 16)):
        p = engine.enroll(
            pid, timezone="America/Chicago", at=NOW - timedelta(days=1), country="US", owner="ana"
        )
        agreed = datetime(2026, 3, 10, hour, 55, tzinfo=CHICAGO)
        book.append(
            engine.apply(p, ev.CallAttempted(at=NOW, outcome="connected", next_contact_at=agreed))
        )
    expected = plan_day(engine, book, day=DAY, now=NOW, capacity=5)
    got = plan_table(
        engine, to_table(book, engine if indexed else None), day=DAY, now=NOW, capacity=5
    )
    _same_plan(expected, got)
    rows = _rows_of_table(got.touches, ("prospect_id", "local_start", "local_end"))
    assert [(pid, f"{a:%H:%M}-{b:%H:%M}") for pid, a, b in rows] == [
        ("afternoon", "16:55-17:05"),
        ("late0", "20:55-21:05"),
    ]
    assert _rows_of_table(got.deferred, ("prospect_id", "deferred_reason")) == [
        ("late1", "no free time in window")
    ]


@pytest.mark.parametrize("indexed", [False, True], ids=["engine", "index"])
def test_r2_the_reminder_to_log_a_meeting_is_listed_in_every_planner(indexed: bool) -> None:
    """Two of Ana's meetings on Monday ended with nothing logged: ``decided`` was booked the
    week before (its index row expired with the meeting, so the engine decides it), and
    ``noted`` had an email logged after its meeting (its index row is the reminder itself).
    plan_table counted both as not due and listed neither. Both are listed on Tuesday, from
    its start to its end, on no capacity and in none of Ana's time, as plan_day lists them,
    row for row; a meeting still ahead is listed at its own time, as before."""
    engine = cadence.Engine()
    three = datetime(2026, 3, 9, 15, 0, tzinfo=CHICAGO)

    def booked(pid: str, starts: datetime) -> cadence.Prospect:
        p = engine.enroll(
            pid, timezone="America/Chicago", at=NOW - timedelta(days=7), country="US", owner="ana"
        )
        p = engine.apply(p, ev.CallAttempted(at=NOW - timedelta(days=7), outcome="connected"))
        return engine.apply(
            p, ev.MeetingBooked(at=NOW - timedelta(days=7), meeting_id="m1", starts_at=starts)
        )

    decided = booked("decided", three)
    noted = engine.apply(booked("noted", three), ev.EmailSent(at=three + timedelta(hours=1)))
    ahead = booked("ahead", datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO))
    book = [decided, noted, ahead, _new(engine, "call")]
    expected = plan_day(engine, book, day=DAY, now=NOW, capacity=1)
    got = plan_table(
        engine, to_table(book, engine if indexed else None), day=DAY, now=NOW, capacity=1
    )
    _same_plan(expected, got)
    rows = _rows_of_table(
        got.touches, ("prospect_id", "kind", "reason", "local_start", "local_end")
    )
    log = "the meeting has ended: log whether it was held or a no-show"
    tuesday, wednesday = datetime(2026, 3, 10), datetime(2026, 3, 11)
    assert [(pid, kind, reason == log, a, b) for pid, kind, reason, a, b in rows] == [
        ("decided", "attend_meeting", True, tuesday, wednesday),
        ("noted", "attend_meeting", True, tuesday, wednesday),
        (
            "ahead",
            "attend_meeting",
            False,
            tuesday.replace(hour=9),
            tuesday.replace(hour=9, minute=30),
        ),
        (
            "call",
            "call",
            False,
            tuesday.replace(hour=9, minute=30),
            tuesday.replace(hour=9, minute=40),
        ),
    ]
    assert got.counts == {"suppressed": 0, "not_due": 1, "planned": 3, "deferred": 0}
    if indexed:
        assert got.sources == {"index": 3, "late": 0, "engine": 1, "stale": 0}
    # The same book twice over: refused by both, as a meeting's row twice is.
    for planner, twice in ((plan_day, [noted, noted]), (plan_table, to_table([noted, noted]))):
        with pytest.raises(InvalidInputError, match=r"^id: 'noted' is in the book twice"):
            planner(engine, twice, day=DAY, now=NOW, capacity=1)


def test_r2_a_reminder_to_log_a_meeting_ends_at_the_first_of_two_midnights() -> None:
    """Havana falls back from 01:00 to 00:00 on Sunday 3 November 2024, so that midnight comes
    twice. The Saturday ends at the first (04:00 UTC): a meeting of the Saturday evening left
    unlogged is a reminder from ``now`` to then, in both planners, where the engine names it."""
    engine = cadence.Engine()
    havana = ZoneInfo("America/Havana")
    at = datetime(2024, 11, 1, 10, 0, tzinfo=havana)
    p = engine.enroll("h1", timezone="America/Havana", at=at, country="CU", owner="ana")
    p = engine.apply(p, ev.CallAttempted(at=at, outcome="connected"))
    p = engine.apply(
        p,
        ev.MeetingBooked(
            at=at, meeting_id="m1", starts_at=datetime(2024, 11, 2, 19, 0, tzinfo=havana)
        ),
    )
    now = datetime(2024, 11, 2, 22, 0, tzinfo=havana)
    day = date(2024, 11, 2)
    expected = plan_day(engine, [p], day=day, now=now, capacity=1)
    _same_plan(expected, plan_table(engine, to_table([p], engine), day=day, now=now, capacity=1))
    [reminder] = [t for t in expected.touches if _logs_a_meeting(t.action)]
    assert (reminder.start, reminder.end) == (now, datetime(2024, 11, 3, 4, 0, tzinfo=UTC))
    _reminders_as_the_engine_names_them(engine, [p], expected)


@given(
    year=st.sampled_from([1901, 2026, 3700, 5000, 8998]),
    ages=st.lists(st.integers(0, 30), min_size=2, max_size=6),
    capacity=st.integers(1, 3),
    indexed=st.booleans(),
)
def test_plan_table_ranks_as_plan_day_in_every_year_it_plans(
    year: int, ages: list[int], capacity: int, indexed: bool
) -> None:
    """First calls that came due days apart compete for a rep's places, in any year the
    planners accept (1900 to 8999): the most overdue first in both. plan_table packed the
    rank's instant into too few bits, so that after the year 3682 every overdue call tied
    and the ids chose (in 5000 it called a prospect ten days late before one twenty)."""
    engine = cadence.Engine()
    now = datetime(year, 3, 9, 18, 0, tzinfo=CHICAGO)
    book = [
        engine.enroll(
            f"p{i}",
            timezone="America/Chicago",
            at=now - timedelta(days=age),
            country="US",
            owner="ana",
        )
        for i, age in enumerate(ages)
    ]
    args: dict[str, Any] = {"day": date(year, 3, 10), "now": now, "capacity": capacity}
    expected = plan_day(engine, book, **args)
    _same_plan(expected, plan_table(engine, to_table(book, engine if indexed else None), **args))


@pytest.mark.parametrize("year", [2037, 2038, 2045, 2100])
def test_a_tables_plan_shows_local_times_as_plan_day_from_2038_on(year: int) -> None:
    """Arrow reads a zone's rules only as far as 2037: plan_table wrote a Chicago call at
    09:00 CDT on a summer day of 2038 or later as 08:00 (standard time), in ``local_start``
    and ``local_end``, where plan_day says 09:00. Its UTC slot was right."""
    engine = cadence.Engine()
    now = datetime(year, 7, 6, 18, 0, tzinfo=CHICAGO)
    book = [
        engine.enroll(f"p{i}", timezone=zone, at=now, country=country, owner="ana")
        for i, (zone, country) in enumerate(
            [("America/Chicago", "US"), ("Europe/Paris", "FR"), ("Australia/Sydney", "AU")]
        )
    ]
    args: dict[str, Any] = {"day": date(year, 7, 7), "now": now, "capacity": 3}
    expected = plan_day(engine, book, **args)
    assert [f"{t.local_start:%H:%M}" for t in expected.touches][:1] == ["09:00"]
    _same_plan(expected, plan_table(engine, to_table(book, engine), **args))


def test_a_prospect_the_policy_can_never_call_is_named_by_every_planner() -> None:
    """A 07:00-09:00 call block never meets France's calling hours: the plan of a whole book
    was refused with a NoSlotError that named Paris and the French rule, but not which of the
    book's prospects it was raised for."""
    policy = cadence.Policy(call_slots=[cadence.TimeSlot(name="early", start="07:00", end="09:00")])
    engine = cadence.Engine(policy)
    now = datetime(2026, 3, 2, 6, tzinfo=UTC)
    book = [
        engine.enroll("us-1", timezone="America/Chicago", at=now, country="US", owner="ana"),
        engine.enroll("fr-1", timezone="Europe/Paris", at=now, country="FR", owner="ana"),
    ]
    said = r"^prospect 'fr-1': no allowed phone window .* in Europe/Paris: .*fr@2023-03-01"
    args: dict[str, Any] = {"day": date(2026, 3, 3), "now": now, "capacity": 10}
    with pytest.raises(cadence.NoSlotError, match=said):
        plan_day(engine, book, **args)
    with pytest.raises(cadence.NoSlotError, match=said):
        plan_table(engine, to_table(book), **args)
    with pytest.raises(cadence.NoSlotError, match=said):
        to_table(book, engine)


@pytest.mark.parametrize("rep", ["phone", "email"])
def test_a_rep_named_as_a_channel_is_refused_where_a_bare_key_could_be_either(
    engine: cadence.Engine, rep: str
) -> None:
    """A rep called ``phone`` and ``capacity={'phone': 1, 'ana': 1}``: the key was read as the
    rep's (both channels) and as every other rep's calls, so Bob, given no capacity, got a
    call planned. Whose the key is cannot be told: every planner refuses it, naming
    ``capacity`` and the pairs to write; with the rep keyed by pairs, the bare key is the
    channel's, for everyone else."""
    book = [_new(engine, f"p{i}", owner) for i, owner in enumerate([rep, rep, "bob", "ana"])]
    args: dict[str, Any] = {"day": DAY, "now": NOW, "capacity": {rep: 1, "ana": 1}}
    for plan in (
        lambda: plan_day(engine, book, **args),
        lambda: plan_table(engine, to_table(book), **args),
    ):
        with pytest.raises(InvalidInputError, match=f"^capacity: key '{rep}' names both") as info:
            plan()
        assert info.value.field == "capacity"
        assert f"('{rep}', 'phone'): 40, ('{rep}', 'email'): 40" in str(info.value)
    args["capacity"] = {(rep, "phone"): 2, (rep, "email"): 2, "phone": 1, "email": 1}
    expected = plan_day(engine, book, **args)
    _same_plan(expected, plan_table(engine, to_table(book), **args))
    assert Counter(t.owner for t in expected.touches) == {rep: 2, "bob": 1, "ana": 1}
    assert capacity_of({rep: 5}, "ana", Channel(rep)) == 5  # the channel's, for another rep
