"""Batch planning: a day's touches for a whole sales floor (DESIGN §1, user 3).

``plan_day`` streams any iterable of prospects through the engine and keeps the touches due on
the day (about a tenth of a typical book), not the book. Each owner's day is then filled in the
batch order, one touch at a time, each starting inside its action's own window (the engine's,
which already honours legal hours, an agreed time and, for a retried call, the R4 time-of-day
rotation; half-open, DESIGN §4: a touch may run past its end), then the prospect's next allowed
windows of the day. Only a touch that gets a slot takes one of its owner's ``capacity`` places
on its channel: a touch with no free time left in its windows is deferred, and the next touch
in the order is tried in its place. The owners' meetings of the day, and the reminders to log
the ones that have ended (R2), are listed on no capacity.

Order (most urgent first): rep-caused reschedules (R14), promised contacts (R1), material due
before a meeting (R15), overdue work by lateness, work due that day, drip touches last; ties by
due time, then prospect id, so the plan is the same in every run.

>>> from datetime import date, datetime
>>> from zoneinfo import ZoneInfo
>>> import cadence
>>> engine = cadence.Engine()
>>> now = datetime(2026, 3, 9, 18, 0, tzinfo=ZoneInfo("America/Chicago"))
>>> book = [engine.enroll(f"p{i}", timezone="America/Chicago", at=now, country="US",
...                       owner="ana") for i in range(5)]
>>> plan = plan_day(engine, book, day=date(2026, 3, 10), now=now, capacity=3)
>>> [(t.prospect_id, f"{t.local_start:%H:%M}") for t in plan.touches]
[('p0', '09:00'), ('p1', '09:10'), ('p2', '09:20')]
>>> [(d.prospect_id, d.reason) for d in plan.deferred]
[('p3', 'over capacity'), ('p4', 'over capacity')]
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from cadence._checked import Checked
from cadence._choosing import Decided
from cadence._construct import build
from cadence._day import (
    TOUCH_MINUTES,
    Capacity,
    DayMeeting,
    busy_times,
    capacity_of,
    check_arguments,
    day_bounds,
    for_prospect,
    in_the_book_twice,
    meeting_action,
    meeting_span,
    meetings_of,
    past_waits,
    to_us,
    warm,
)
from cadence._placing import Searched, utc_bounds
from cadence._rep_hours import RepHours, WorkWindow, book_off_hours, check_rep_hours
from cadence._stretches import book
from cadence._suppression import Suppressions
from cadence.actions import Action, ActionKind, Priority
from cadence.calendar import ContactCalendar, Window
from cadence.channel import Channel
from cadence.compliance import strictest_caps
from cadence.engine import Engine
from cadence.errors import CadenceError, InvalidInputError, NoSlotError
from cadence.prospect import Prospect

if TYPE_CHECKING:  # the batch extra; never imported at run time by the core
    import pyarrow as pa

    from cadence._table import TablePlan
    from cadence._table_verify import Verify

__all__ = [
    "Capacity",
    "DayPlan",
    "Deferred",
    "PlannedTouch",
    "RepHours",
    "WorkWindow",
    "from_table",
    "plan_day",
    "plan_table",
    "to_table",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_IDLE = frozenset({ActionKind.WAIT, ActionKind.NONE, ActionKind.ATTEND_MEETING})
_WAIT = ActionKind.WAIT
_R4 = "R4"  # the rule id an action carries when its call avoids the last one's part of day
_ATTEND = ActionKind.ATTEND_MEETING
NO_TIME, OFF_HOURS = "no free time in window", "outside the rep's hours"  # deferred: why

Key = tuple[int, int, datetime, str]


class PlannedTouch(BaseModel):
    """One touch in the plan, with its assigned slot (UTC and the prospect's local time)."""

    model_config = ConfigDict(frozen=True)

    prospect_id: str
    owner: str
    action: Action
    start: datetime
    end: datetime
    local_start: datetime
    local_end: datetime


class Deferred(BaseModel):
    """A touch due on the day that the plan could not take, and why."""

    model_config = ConfigDict(frozen=True)

    prospect_id: str
    owner: str
    action: Action
    reason: str


class DayPlan(BaseModel):
    """The day's plan: touches in slot order per owner, the deferred ones, and counts."""

    model_config = ConfigDict(frozen=True)

    day: date
    touches: tuple[PlannedTouch, ...]
    deferred: tuple[Deferred, ...]
    counts: dict[str, int]
    """How many prospects were ``suppressed``, ``not_due``, ``planned`` and ``deferred``."""


def _rank(
    p: Priority,
    due_since: datetime | None,
    earliest: datetime,
    late_from: datetime,
    is_warm: bool = False,
) -> tuple[int, int, datetime]:
    """The batch order: priority class, then lateness (overdue first, the latest first).
    Overdue is due since before ``late_from``: the day's start or ``now``, whichever is later
    (planned during the day, a touch due since the morning is late: its ``earliest`` is
    ``now``, as every other late touch's, and would tell none of them apart). Warm work
    (``is_warm``, :func:`cadence._day.warm`) ranks above the ladder's cold steps, the most
    late first; a drip touch last, an overdue one by how long it has been due."""
    if p <= Priority.PREPARE:
        return (int(p), 0, due_since or earliest)
    late = due_since is not None and due_since < late_from
    at = due_since if due_since is not None and late else earliest
    if p is Priority.DRIP:
        return (6, 0, at)
    if is_warm:
        return (3, 0, at)  # they talked to us or booked with us: before any cold step
    return (4 if late else 5, 0, at)  # overdue: most late first


def plan_day(
    engine: Engine,
    prospects: Iterable[Prospect],
    *,
    day: date,
    now: datetime,
    capacity: Capacity,
    suppressions: Iterable[str] = (),
    deferred_limit: int = 10_000,
    rep_hours: Mapping[str, RepHours] | None = None,
) -> DayPlan:
    """Plan ``day``'s touches for every owner.

    ``capacity`` is touches per owner and channel: an int for everyone, or a mapping keyed by
    ``(owner, channel)``, by owner or by channel (``"phone"``, ``"email"``); missing means 0.
    ``suppressions`` are prospect ids, phone numbers or emails never to plan (R13), e.g. a
    re-imported contact that opted out elsewhere: ids match exactly, emails trimmed and
    whatever their case, phone numbers by their digits (``(312) 555-0104`` is
    ``+13125550104``; the rule is in ``docs/batch.md``). At most ``deferred_limit`` deferred
    touches are kept (the most urgent); ``counts`` has them all. The owners' booked meetings
    of the day, and the reminders to log a meeting that has ended (R2: a prospect whose next
    action it is counts as ``planned``), are touches of kind ``attend_meeting`` on no
    capacity and, the reminders, in none of the owner's time. A book that holds an id in two
    rows is refused (:class:`InvalidInputError` naming it), whatever either row owes.
    ``rep_hours`` maps owners to their working hours (:class:`RepHours`): their touches lie
    wholly inside them, and one that finds no time there is deferred as ``outside the rep's
    hours``; an owner not in it may be given a touch at any time of the prospects' windows.
    """
    now_utc, listed = check_arguments(day, now, capacity, suppressions, deferred_limit)
    hours = check_rep_hours(rep_hours)
    blocks = Suppressions(listed).blocks if listed else None
    counts = {"suppressed": 0, "not_due": 0, "planned": 0, "deferred": 0}
    due: dict[str, list[_Entry]] = {}  # per owner: every touch due on the day
    deferred: list[_Entry] = []  # the most urgent ``deferred_limit`` (least urgent on top)

    def defer(entry: _Entry, reason: str) -> None:
        counts["deferred"] += 1
        entry.reason = reason
        if len(deferred) < deferred_limit:
            heapq.heappush(deferred, entry)
        elif deferred and entry.key < deferred[0].key:
            heapq.heapreplace(deferred, entry)

    bounds: dict[str, tuple[datetime, datetime]] = {}  # per zone: the day's [start, end)
    # per zone and region: the calendar, and the day's [start, end) in UTC
    places: dict[tuple[str, str | None, str | None], tuple[ContactCalendar, datetime, datetime]]
    places = {}
    caps: dict[tuple[str, Channel], int] = {}
    searched: Searched = {}  # windows from now_utc, shared by every overdue task of the book
    meetings: list[DayMeeting] = []  # booked for the day: listed in the plan
    # Every booked meeting that may overlap a touch of the day, whichever local day it starts
    # on (a rep's prospects in zones far apart): each blocks its owner's time.
    blockers: list[tuple[str, int, int]] = []
    span = meeting_span(day, now_utc)
    reminders: list[tuple[str, datetime, str, PlannedTouch]] = []  # (R2, on no capacity)
    suppressed = not_due = 0  # (locals: counted for every prospect of the book)
    seen: set[str] = set()  # every id of the book, suppressed or not: each must come once
    twice: list[str] = []
    horizon = engine._horizon
    books = iter(prospects)
    failed: CadenceError | None = None  # (raised once every id is seen: see below)
    refused: InvalidInputError | None = None
    for p in books:
        try:
            if type(p) is not Prospect or type(p.__pydantic_fields_set__) is not Checked:
                p = Engine._check_prospect(p)  # a clear error for anything else; a copy checked
            held = len(seen)
            seen.add(p.id)
            if len(seen) == held:
                twice.append(p.id)
            if blocks is not None and blocks(p.id, p.phone, p.email):
                suppressed += 1
                continue
            where = (p.timezone, p.country, p.subdivision)
            place = places.get(where)
            if place is None:
                cal = engine.calendar(p)
                found = bounds.get(p.timezone)
                if found is None:
                    found = bounds[p.timezone] = day_bounds(day, cal.zone)
                place = places[where] = (cal, *found)
            cal, day_start, day_end = place
            if p.meetings:
                meetings_of(p, cal, (day_start, day_end), now_utc, span, meetings, blockers)
            # Only what starts before the day ends is placed; the words are written only if kept.
            try:
                decided = horizon(p, cal, now_utc, day_end, searched)
                if decided is not None and (
                    isinstance(decided, Action) or decided[2].task.kind is _WAIT
                ):
                    decided = past_waits(engine, p, cal, now_utc, day_end, searched, decided)
            except NoSlotError as exc:
                raise for_prospect(p.id, exc) from None
            if decided is None:  # not today
                not_due += 1
                continue
            spot = decided[2]
            channel = spot.task.channel
            if channel is None or spot.task.kind in _IDLE:
                if spot.task.kind is _ATTEND and spot.due_since is not None:
                    # R2: a meeting over, neither held nor missed logged: remind its rep to log it.
                    reminders.append(_reminder(engine, p, decided, (day_start, day_end)))
                    continue
                not_due += 1
                continue
            owner = p.owner or ""
            # Ranked on UTC instants: as plan_table ranks (integer µs), and cheap to compare.
            due_since = None if spot.due_since is None else spot.due_since.astimezone(UTC)
            task = spot.task
            hot = warm(task.priority, task.kind, task.rules, (t.kind for t in task.joined))
            rank = _rank(task.priority, due_since, spot.start_utc, max(day_start, now_utc), hot)
            entry = _Entry((*rank, p.id), p, engine, decided, owner, channel)
            group = (owner, channel)
            if group not in caps:
                try:
                    caps[group] = capacity_of(capacity, owner, channel)
                except InvalidInputError as exc:  # (raised once every row is read, as
                    refused = refused or exc  # plan_table reads every row's action first)
                    caps[group] = 0
            if not caps[group]:  # no place on the channel at all: nothing to try
                defer(entry, "over capacity")
                continue
            owed = due.get(owner)
            if owed is None:
                due[owner] = [entry]
            else:
                owed.append(entry)
        except CadenceError as exc:
            failed = exc
            break
    if failed is not None:
        # A book with an id twice is refused as such whatever else is wrong in it, as
        # plan_table checks its ids first: the rest of the book is read for its ids.
        for p in books:
            try:
                pid = Engine._check_prospect(p).id
            except CadenceError:
                continue
            held = len(seen)
            seen.add(pid)
            if len(seen) == held:
                twice.append(pid)
        if not twice:
            raise failed
    if twice:  # (R13: a copy may be opted out or closed while the other still owes a call)
        raise in_the_book_twice(min(twice))
    if refused is not None:  # a capacity that cannot be read
        raise refused
    counts["suppressed"], counts["not_due"] = suppressed, not_due

    # Each owner's day, most urgent first. Only a touch that gets a slot takes a place of its
    # channel's capacity: one that finds no free time is deferred and the next one tried.
    touches: list[tuple[str, datetime, str, PlannedTouch]] = []  # (the order of the plan)
    busy = busy_times(blockers)  # per owner, booked µs stretches: the meetings first
    off = book_off_hours(busy, hours, day)  # ... and the time the rep does not work
    memo: dict[Any, Any] = {}
    for owner, entries in due.items():
        entries.sort(key=attrgetter("key"))
        day_busy = busy.setdefault(owner, [])
        used: dict[Channel, int] = {}  # places taken, per channel
        for entry in entries:
            taken = used.get(entry.channel, 0)
            if taken == caps[(owner, entry.channel)]:
                defer(entry, "over capacity")
                continue
            placed = _place(entry, bounds[entry.prospect.timezone], day_busy, memo)
            if placed is None:
                away = off.get(owner)
                if (
                    away is not None
                    and _place(entry, bounds[entry.prospect.timezone], list(away), memo) is None
                ):
                    defer(entry, OFF_HOURS)  # no time in the windows while the rep works
                else:
                    defer(entry, NO_TIME)
                continue
            used[entry.channel] = taken + 1
            touches.append(_planned(entry, *placed))
    counts["planned"] = len(touches) + len(reminders)
    touches.extend((m.owner, m.meeting[0], m.prospect_id, _meeting_touch(m)) for m in meetings)
    touches.extend(reminders)
    touches.sort(key=itemgetter(0, 1, 2))  # owner, start, prospect id (never the touch)
    return DayPlan(
        day=day,
        touches=tuple(t[3] for t in touches),
        deferred=tuple(
            build(  # trusted values, as for the touches
                Deferred,
                {
                    "prospect_id": e.prospect.id,
                    "owner": e.owner,
                    "action": e.action,
                    "reason": e.reason,
                },
            )
            for e in sorted(deferred, key=lambda e: e.key)
        ),
        counts=counts,
    )


def _place(
    entry: _Entry,
    bounds: tuple[datetime, datetime],
    busy: list[tuple[int, int]],
    memo: dict[Any, Any],
) -> tuple[datetime, datetime] | None:
    """:func:`_fit` for a candidate touch: its slot in its owner's day (``busy``), if any."""
    p, act = entry.prospect, entry.action
    phone = entry.channel is Channel.PHONE
    return _fit(
        entry.cal,
        entry.channel,
        (entry.start_utc, act.latest_utc),
        bounds,
        busy,
        avoid=p.last_attempt_slot if phone and _R4 in act.rules else None,
        recent=p.recent_calls if phone else (),
        memo=memo,
    )


def _planned(
    entry: _Entry, start: datetime, end: datetime
) -> tuple[str, datetime, str, PlannedTouch]:
    """A placed touch, and what the plan orders it by (owner, start, prospect id)."""
    cal, pid = entry.cal, entry.prospect.id
    touch = build(  # trusted values: the engine's action, the calendar's instants
        PlannedTouch,
        {
            "prospect_id": pid,
            "owner": entry.owner,
            "action": entry.action,
            "start": start,
            "end": end,
            "local_start": cal.local(start),
            "local_end": cal.local(end),
        },
    )
    return entry.owner, start, pid, touch


def _meeting_touch(m: DayMeeting) -> PlannedTouch:
    """The meeting as a touch of the plan, at its own time."""
    start, end, _ = m.meeting
    values = {
        "prospect_id": m.prospect_id,
        "owner": m.owner,
        "action": meeting_action(m.prospect_id, m.cal, m.meeting),
        "start": start,
        "end": end,
        "local_start": m.cal.local(start),
        "local_end": m.cal.local(end),
    }
    return build(PlannedTouch, values)


def _reminder(
    engine: Engine, p: Prospect, decided: Decided, bounds: tuple[datetime, datetime]
) -> tuple[str, datetime, str, PlannedTouch]:
    """The reminder to log a meeting that has ended (:func:`reminds_to_log`) in the plan of
    the day ``bounds`` (the prospect's local day, UTC): its rep's admin work, on no call or
    email capacity and in no stretch of their time, due from the action's start (``now``)
    or the day's, whichever is later, to the day's end (where the engine's window for it
    ends on that day: the rest of the local day, ``ContactCalendar.next_window``)."""
    cal, spot = decided[1], decided[2]
    start, end = max(spot.start_utc, bounds[0]), bounds[1]
    owner = p.owner or ""
    values = {
        "prospect_id": p.id,
        "owner": owner,
        "action": engine._action(*decided),
        "start": start,
        "end": end,
        "local_start": cal.local(start),
        "local_end": cal.local(end),
    }
    return owner, start, p.id, build(PlannedTouch, values)


def _fit(
    cal: ContactCalendar,
    channel: Channel,
    due: tuple[datetime, datetime],
    bounds: tuple[datetime, datetime],
    busy: list[tuple[int, int]],
    *,
    avoid: str | None,
    recent: Sequence[datetime],
    memo: dict[Any, Any],
) -> tuple[datetime, datetime] | None:
    """The earliest free stretch of the owner's day (``bounds``, UTC) that starts inside the
    action's own window ``due`` (its ``earliest`` and ``latest``, UTC: the engine's, which
    already honours legal hours, an agreed time (R1) and R4's other part of the day) or, when
    that is full, in the prospect's next allowed windows for ``channel``, where the engine
    would name the missed touch (R2): avoiding the ``avoid`` part of the day (R4, for an
    action that does) and respecting elapsed-time caps given the ``recent`` calls. Books it
    in ``busy``. A touch need only start inside a window, before its end (half-open, DESIGN
    §4, as the engine allows it), and on the day; it may run past either end.
    ``memo`` is one plan's cache of windows (owners' days start at the same few instants)."""
    length = TOUCH_MINUTES.get(channel, 10) * 60_000_000  # µs
    day_start, day_end = bounds
    w_start, w_end = max(due[0], day_start), due[1]
    while w_start < day_end:
        if w_start < w_end:
            start = book(busy, to_us(w_start), length, to_us(min(w_end, day_end)))
            if start is not None:
                at = _EPOCH + timedelta(microseconds=start)
                return at, at + timedelta(microseconds=length)
        w_start, w_end, _, _ = _window(cal, channel, max(w_start, w_end), avoid, recent, memo)
    return None


def _window(
    cal: ContactCalendar,
    channel: Channel,
    after: datetime,
    avoid: str | None,
    recent: Sequence[datetime],
    memo: dict[Any, Any],
) -> tuple[datetime, datetime, int, int]:
    """``cal.next_window`` in UTC, and in microseconds since the epoch; cached when the
    prospect's ``recent`` calls cannot matter: no elapsed-time cap binds ``channel`` on
    ``after``'s day (the plan's day)."""
    if recent:
        day = cal.local(after).date()
        capped = memo.get((cal, channel, day))
        if capped is None:
            capped = memo[(cal, channel, day)] = bool(strictest_caps(cal.rules(channel, day)))
        if capped:
            return _in_us(cal.next_window(channel, after, avoid_slot=avoid, recent=recent))
    key = (cal, channel, after, avoid)
    found: tuple[datetime, datetime, int, int] | None = memo.get(key)
    if found is None:
        found = memo[key] = _in_us(cal.next_window(channel, after, avoid_slot=avoid))
    return found


def _in_us(window: Window) -> tuple[datetime, datetime, int, int]:
    start, end = utc_bounds(window)
    return start, end, to_us(start), to_us(end)


# -- the columnar path (the ``batch`` extra) -------------------------------------------------
# pyarrow and numpy are optional: they are imported when one of these is called, never when
# ``cadence.batch`` is imported (the core imports no extra).


def to_table(prospects: Iterable[Prospect], engine: Engine | None = None) -> pa.Table:
    """The prospects as an Arrow table (schema in ``docs/batch.md``): their JSON ``state``
    (lossless: ``from_table(to_table(ps)) == ps``) and its checksum (``state_adler32``: a
    state later written without the rest of its row is planned from the state), flat columns
    for filtering and grouping and, with ``engine``, the decision index that lets
    :func:`plan_table` skip the engine for most rows. Needs the ``batch`` extra."""
    from cadence import _table

    return _table.to_table(prospects, engine)


def from_table(table: pa.Table) -> list[Prospect]:
    """The prospects of a table made by :func:`to_table` (its ``state`` column)."""
    from cadence import _table

    return _table.from_table(table)


def plan_table(
    engine: Engine,
    table: pa.Table,
    *,
    day: date,
    now: datetime,
    capacity: Capacity,
    suppressions: Iterable[str] = (),
    deferred_limit: int = 10_000,
    rep_hours: Mapping[str, RepHours] | None = None,
    verify: Verify = "planned",
) -> TablePlan:
    """:func:`plan_day` over an Arrow table of prospects, vectorised with numpy and pyarrow.

    The same plan as ``plan_day`` over ``from_table(table)``: same touches, slots, order and
    deferred touches, as Arrow tables (``.touches``, ``.deferred``) with ``.counts``. Rows whose
    decision index (``to_table(..., engine)``) still holds at ``now`` are planned from their
    columns; the others (no index, another policy, an expired horizon) go through the engine.
    ``verify`` checks rows' ``state`` against the checksum ``to_table`` wrote: a row whose
    state was changed without the rest of its row is planned from its state
    (``.sources["stale"]``). ``"planned"`` (the default) checks the rows the day's plan draws
    from (due, or with a meeting), ``"all"`` every row (it also finds a stale row whose new
    state, not its old columns, is due), ``"off"`` none (docs/batch.md, "Checking the
    states"). ``.sources`` says how many rows went which way, ``.unverified`` how many were not
    checked. ``rep_hours`` as for ``plan_day``. Needs the ``batch`` extra.
    """
    from cadence import _table

    return _table.plan_table(
        engine,
        table,
        day=day,
        now=now,
        capacity=capacity,
        suppressions=suppressions,
        deferred_limit=deferred_limit,
        rep_hours=rep_hours,
        verify=verify,
    )


class _Entry:
    """A candidate touch; the deferred heap keeps the least urgent on top (ordering reversed).
    Its action is written out (talking points and all) only when the plan keeps it."""

    __slots__ = (
        "_action",
        "_decided",
        "_engine",
        "cal",
        "channel",
        "key",
        "owner",
        "prospect",
        "reason",
        "start_utc",
    )

    def __init__(
        self,
        key: Key,
        prospect: Prospect,
        engine: Engine,
        decided: Decided,
        owner: str,
        channel: Channel,
    ) -> None:
        self.key = key
        self.prospect = prospect
        self._engine = engine
        self._decided: Decided | None = decided
        self.cal = decided[1]
        self.channel = channel
        self.start_utc = decided[2].start_utc  # the action's ``earliest``, in UTC
        self._action: Action | None = None
        self.owner = owner
        self.reason = ""

    @property
    def action(self) -> Action:
        if self._action is None:
            assert self._decided is not None
            self._action = self._engine._action(*self._decided)
            self._decided = None
        return self._action

    def __lt__(self, other: _Entry) -> bool:
        return self.key > other.key
