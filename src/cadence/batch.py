"""Batch planning: a day's touches for a whole sales floor (DESIGN §1, user 3).

``plan_day`` streams any iterable of prospects through the engine and keeps, per owner and
channel, only the best ``capacity`` candidates (a bounded heap), so memory grows with capacity,
not with the size of the book. The kept touches are then given concrete slots: each owner's day
is filled earliest-first, one touch at a time, inside each prospect's own allowed window (which
already honours legal hours and the R4 time-of-day rotation).

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
from bisect import insort
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict

from cadence.actions import Action, ActionKind, Priority
from cadence.calendar import resolve_local
from cadence.channel import Channel
from cadence.engine import Engine
from cadence.errors import InvalidInputError
from cadence.prospect import Prospect

__all__ = ["DayPlan", "Deferred", "PlannedTouch", "plan_day"]

#: Minutes a touch occupies in the owner's day.
TOUCH_MINUTES: Mapping[Channel, int] = {Channel.PHONE: 10, Channel.EMAIL: 5}
_IDLE = frozenset({ActionKind.WAIT, ActionKind.NONE, ActionKind.ATTEND_MEETING})

Capacity = int | Mapping[str | tuple[str, str], int]
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


def _rank(action: Action, day_start: datetime) -> tuple[int, int, datetime]:
    """The batch order: priority class, then lateness (overdue first, the latest first)."""
    p = action.priority
    if p <= Priority.PREPARE:
        return (int(p), 0, action.due_since or action.earliest)
    if p is Priority.DRIP:
        return (6, 0, action.earliest)
    if action.due_since is not None and action.due_since < day_start:
        return (4, 0, action.due_since)  # overdue: most late first
    return (5, 0, action.earliest)


def _capacity(capacity: Capacity, owner: str, channel: Channel) -> int:
    if isinstance(capacity, int):
        return capacity
    for key in ((owner, channel.value), owner, channel.value):
        if key in capacity:
            return int(capacity[key])
    return 0


def plan_day(
    engine: Engine,
    prospects: Iterable[Prospect],
    *,
    day: date,
    now: datetime,
    capacity: Capacity,
    suppressions: Iterable[str] = (),
    deferred_limit: int = 10_000,
) -> DayPlan:
    """Plan ``day``'s touches for every owner.

    ``capacity`` is touches per owner and channel: an int for everyone, or a mapping keyed by
    ``(owner, channel)``, by owner or by channel (``"phone"``, ``"email"``); missing means 0.
    ``suppressions`` are prospect ids, phone numbers or emails never to plan (R13), e.g. a
    re-imported contact that opted out elsewhere. At most ``deferred_limit`` deferred touches
    are kept (the most urgent); ``counts`` has them all.
    """
    if not isinstance(day, date) or isinstance(day, datetime):
        msg = f"day: expected a date, got {day!r}"
        raise InvalidInputError(msg, field="day", value=day)
    if isinstance(capacity, int) and capacity < 0:
        msg = f"capacity: {capacity} is negative; give touches per owner and channel, e.g. 40"
        raise InvalidInputError(msg, field="capacity", value=capacity)
    blocked = frozenset(suppressions)
    counts = {"suppressed": 0, "not_due": 0, "planned": 0, "deferred": 0}
    heaps: dict[tuple[str, Channel], list[_Entry]] = {}
    deferred: list[_Entry] = []  # the most urgent ``deferred_limit`` (least urgent on top)

    def defer(entry: _Entry, reason: str) -> None:
        counts["deferred"] += 1
        entry.reason = reason
        if len(deferred) < deferred_limit:
            heapq.heappush(deferred, entry)
        elif deferred and entry.key < deferred[0].key:
            heapq.heapreplace(deferred, entry)

    for p in prospects:
        if p.id in blocked or p.phone in blocked or p.email in blocked:
            counts["suppressed"] += 1
            continue
        act = engine.next_action(p, now)
        if act.kind in _IDLE or act.channel is None:
            counts["not_due"] += 1
            continue
        cal = engine.calendar(p)
        day_start = resolve_local(day, time(0), cal.zone)
        if act.earliest >= resolve_local(day + timedelta(days=1), time(0), cal.zone):
            counts["not_due"] += 1
            continue
        owner = p.owner or ""
        entry = _Entry((*_rank(act, day_start), p.id), p, act, owner)
        heap = heaps.setdefault((owner, act.channel), [])
        if len(heap) < _capacity(capacity, owner, act.channel):
            heapq.heappush(heap, entry)
        elif heap and entry.key < heap[0].key:  # more urgent than the least urgent kept
            defer(heapq.heapreplace(heap, entry), "over capacity")
        else:
            defer(entry, "over capacity")

    touches: list[PlannedTouch] = []
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    for entry in sorted((e for heap in heaps.values() for e in heap), key=lambda e: e.key):
        p, act = entry.prospect, entry.action
        placed = _fit(engine, p, act, day, busy.setdefault(entry.owner, []))
        if placed is None:
            defer(entry, "no free time in window")
            continue
        start, end = placed
        cal = engine.calendar(p)
        touches.append(
            PlannedTouch(
                prospect_id=p.id,
                owner=entry.owner,
                action=act,
                start=start,
                end=end,
                local_start=cal.local(start),
                local_end=cal.local(end),
            )
        )
    counts["planned"] = len(touches)
    touches.sort(key=lambda t: (t.owner, t.start, t.prospect_id))
    return DayPlan(
        day=day,
        touches=tuple(touches),
        deferred=tuple(
            Deferred(prospect_id=e.prospect.id, owner=e.owner, action=e.action, reason=e.reason)
            for e in sorted(deferred, key=lambda e: e.key)
        ),
        counts=counts,
    )


def _fit(
    engine: Engine, p: Prospect, act: Action, day: date, busy: list[tuple[datetime, datetime]]
) -> tuple[datetime, datetime] | None:
    """The earliest free stretch of the owner's day inside the prospect's allowed windows."""
    assert act.channel is not None
    cal = engine.calendar(p)
    length = timedelta(minutes=TOUCH_MINUTES.get(act.channel, 10))
    day_end = resolve_local(day + timedelta(days=1), time(0), cal.zone).astimezone(UTC)
    after = max(act.earliest, resolve_local(day, time(0), cal.zone)).astimezone(UTC)
    avoid = p.last_attempt_slot if act.channel is Channel.PHONE else None
    recent = p.recent_calls if act.channel is Channel.PHONE else ()
    while after < day_end:
        window = cal.next_window(act.channel, after, avoid_slot=avoid, recent=recent)
        w_start, w_end = window.start.astimezone(UTC), window.end.astimezone(UTC)
        if w_start >= day_end:
            return None
        start = w_start
        for b_start, b_end in busy:  # sorted: slide past every overlap
            if b_end <= start:
                continue
            if b_start >= start + length:
                break
            start = b_end
        if start + length <= w_end:
            insort(busy, (start, start + length))
            return start, start + length
        after = w_end
    return None


class _Entry:
    """A candidate touch; heaps keep the least urgent on top (ordering reversed)."""

    __slots__ = ("action", "key", "owner", "prospect", "reason")

    def __init__(self, key: Key, prospect: Prospect, action: Action, owner: str) -> None:
        self.key = key
        self.prospect = prospect
        self.action = action
        self.owner = owner
        self.reason = ""

    def __lt__(self, other: _Entry) -> bool:
        return self.key > other.key
