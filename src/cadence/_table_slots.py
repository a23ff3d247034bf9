"""Steps 2 and 3 of the columnar planner: rank the due rows, keep each owner's capacity per
channel, give the kept ones slots in their owner's day (a touch that gets none takes no place:
its owner's day is walked again with every due row, the next one tried instead), and write the
plan's tables.

An edge module of the ``batch`` extra, used by :func:`cadence._table.plan_table`; it follows
``plan_day`` step for step (``cadence.batch``: ``_rank``, ``_fit``; and
``cadence._day.capacity_of``), on arrays.
Filling an owner's day is sequential (each touch takes the earliest free stretch left by the
owner's meetings and the more urgent touches), so that walk is a Python loop over the kept
touches, on integer microseconds: each touch's first window is its action's own; the windows
past it come from the calendar once per (place, channel, instant, R4 slot), and a prospect's
own recent calls are read only where an elapsed-time cap could still count them. The day's
meetings (:mod:`cadence._table_meetings`) are booked in their owners' days first, and listed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cadence._agenda import ATTEND_PRIORITY, ATTEND_REASON, ATTEND_RULES
from cadence._day import (
    TOUCH_MINUTES,
    WARM_KINDS,
    WARM_RULES,
    Capacity,
    capacity_of,
    day_bounds,
    in_the_book_twice,
    warm,
)
from cadence._rep_hours import RepHours, book_off_hours
from cadence._stretches import book, occupied
from cadence._table_arrays import (
    BOOL,
    CHANNELS,
    EPOCH,
    I64,
    KIND_CODE,
    KINDS,
    NULL,
    TS,
    US,
    codes_at,
    local,
    sort,
    stamp,
    strings,
    take,
    us,
)
from cadence._table_index import Calendars, Due, crowded, split
from cadence._table_meetings import Meetings
from cadence.actions import Action, ActionKind, Priority
from cadence.calendar import ContactCalendar, zone
from cadence.channel import Channel
from cadence.compliance import Cap, strictest_caps

__all__ = ["PLAN_SCHEMA", "Plan", "plan_slots"]

#: A planned or deferred touch: who, what (the action's fields), when (the assigned slot in UTC
#: and as local wall time in ``timezone``), and where it ranks in the batch order.
PLAN_SCHEMA = pa.schema(
    [
        pa.field("owner", pa.string(), nullable=False),
        pa.field("prospect_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("also", pa.list_(pa.string())),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("priority", pa.int8(), nullable=False),
        pa.field("rules", pa.list_(pa.string())),
        pa.field("reason", pa.string()),
        pa.field("earliest", TS, nullable=False),
        pa.field("latest", TS, nullable=False),
        pa.field("due_since", TS),
        pa.field("rank", pa.int8(), nullable=False),
        pa.field("rank_at", TS, nullable=False),
        pa.field("timezone", pa.string(), nullable=False),
        pa.field("start", TS),
        pa.field("end", TS),
        pa.field("local_start", pa.timestamp("us")),
        pa.field("local_end", pa.timestamp("us")),
        pa.field("deferred_reason", pa.string()),
    ]
)
#: The plan's columns taken from the decision index's ``next_*`` columns, or from the action
#: for rows the engine decided.
_FROM_ACTION: dict[str, Callable[[Action], object]] = {
    "also": lambda a: [k.value for k in a.also],
    "rules": lambda a: list(a.rules),
    "reason": lambda a: a.reason,
}
# (rank, rank_at) packed into one int64: rank_at (µs) offset by _KEY_BASE (143 years before
# 1970) in _KEY_BITS (9,100 years): every instant the planners plan, 1900 to 8999, keeps its
# place. (With 56 bits from 1399, those after 3682 tied and were ranked by id alone.)
_KEY_BASE = 1 << 52
_KEY_BITS = 58
_PHONE = CHANNELS.index(Channel.PHONE)
_LENGTH = np.array([TOUCH_MINUTES.get(c, 10) * 60_000_000 for c in CHANNELS])  # a touch, µs
_R4 = "R4"  # the rule id an action carries when its call avoids the last one's part of day
_OVER = NULL + 1  # a walked row whose group had no place left (``_fill``)
_OFF = NULL + 2  # a walked row that found no time while its owner works (``_fill``)
_NO_TIME, _OFF_HOURS = "no free time in window", "outside the rep's hours"  # (plan_day's)
_ATTEND, _MEETING = ActionKind.ATTEND_MEETING.value, Channel.MEETING.value
_WARM_KIND_CODES = np.array([KIND_CODE[k] for k in sorted(WARM_KINDS)])
_WARM_RULES = pa.array(sorted(WARM_RULES), type=pa.string())
_WARM_KINDS = pa.array(sorted(WARM_KINDS), type=pa.string())


class _Busy(NamedTuple):
    """Each owner's day with their meetings and off-hours booked (by name), the owners' names
    by code, and the off-hours alone of the owners with working hours (by name)."""

    blocked: dict[str, list[tuple[int, int]]]
    names: list[str]
    off: dict[str, list[tuple[int, int]]]


class Plan(NamedTuple):
    """The plan's tables and counts."""

    touches: pa.Table
    deferred: pa.Table
    counts: dict[str, int]


class _Ranked(NamedTuple):
    """The due rows' batch order (``key``: rank and rank_at packed), owners (codes into
    ``names``) and the parts of the order written out (``rank``, ``rank_at``)."""

    key: I64
    rank: I64
    rank_at: I64
    owner: I64
    names: list[str]


def plan_slots(
    table: pa.Table,
    due: Due,
    meetings: Meetings,
    *,
    day: date,
    now: int,
    capacity: Capacity,
    deferred_limit: int,
    calendar: Calendars,
    rep_hours: Mapping[str, RepHours],
) -> Plan:
    """``plan_day``'s steps 2 and 3 for the due rows, around the day's ``meetings`` and inside
    the working hours of the owners of ``rep_hours``; the reminders to log a meeting that has
    ended are listed on no capacity (:func:`split`)."""
    t = table
    bounds = [day_bounds(day, zone(name)) for name in due.zones]
    day_start = np.array([us(b[0]) for b in bounds] + [0], dtype=np.int64)
    day_end = np.array([us(b[1]) for b in bounds] + [0], dtype=np.int64)
    due, reminders = split(due)
    ranked = _rank(t, due, np.maximum(day_start[due.tz], now))
    ids = take(strings(t.column("id")), due.rows)
    capacity_of = _capacities(ranked, due.channel, capacity)
    owner = ranked.owner

    def in_order(idx: I64) -> I64:  # each owner's rows, most urgent first
        return idx[sort({"o": owner[idx], "k": ranked.key[idx], "id": ids.take(idx)})]

    def walk(idx: I64) -> tuple[BOOL, I64, BOOL]:
        return _walk(t, due, idx, owner, capacity_of, busy, day, day_start, day_end, calendar)

    # Slots: each owner's day, most urgent first (plan_day's second pass), for the most
    # urgent ``capacity`` rows of each owner and channel. Only a touch that gets a slot takes
    # a place: an owner with a touch that got none and more on its channel walks the day
    # again with every due row, each tried while its channel has a place left (rare; the
    # same as walking every row of every owner, at a fraction of the cost).
    chosen, over = _within_capacity(ranked, capacity_of, ids)
    chosen = in_order(chosen)
    owners, blocked = _meeting_owners(t, meetings)
    busy = _Busy(blocked, ranked.names, book_off_hours(blocked, rep_hours, day))
    tried, slots, off = walk(chosen)
    again = _walk_again(owner, capacity_of[0], chosen[slots[:, 0] == NULL], over)
    if len(again):
        first = ~np.isin(owner[chosen], again)
        redo = np.isin(owner[over], again)
        rows = in_order(np.concatenate([chosen[~first], over[redo]]))
        tried_again, slots_again, off_again = walk(rows)
        chosen = np.concatenate([chosen[first], rows])
        tried = np.concatenate([tried[first], tried_again])
        slots = np.concatenate([slots[first], slots_again])
        off = np.concatenate([off[first], off_again])
        over = over[~redo]
    placed = slots[:, 0] != NULL
    counts = dict(due.counts)
    counts["planned"] = int(placed.sum()) + len(reminders.rows)
    counts["deferred"] = len(due.rows) - int(placed.sum())
    # Deferred: over capacity, or no free time left in the prospect's window (while the rep
    # works, for an owner with working hours).
    over = np.concatenate([over, chosen[~tried]])
    unplaced = tried & ~placed
    late = (chosen[unplaced], off[unplaced])
    deferred = _deferred(t, due, ranked, ids, over, late, deferred_limit)
    touches = _touches(t, due, ranked, chosen[placed], slots[placed])
    listed = [touches]  # then the meetings, then the reminders (plan_day's order for ties)
    if len(meetings.rows):
        listed.append(_meeting_rows(t, meetings, owners))
    if len(reminders.rows):
        listed.append(_reminder_rows(t, reminders, day_start, day_end))
    if len(listed) > 1:
        touches = _in_order(pa.concat_tables(listed))
    return Plan(touches, deferred, counts)


def _reminder_rows(table: pa.Table, reminders: Due, day_start: I64, day_end: I64) -> pa.Table:
    """The reminders to log a meeting that has ended (``plan_day``'s ``_reminder``), in
    :data:`PLAN_SCHEMA`: from the action's start (``now``) or the day's, whichever is later,
    to the day's end, each ranked as the promise it was (overdue since the meeting's start)."""
    tz = reminders.tz
    start = np.maximum(reminders.earliest, day_start[tz])
    slots = np.stack([start, day_end[tz]], axis=1)
    ranked = _rank(table, reminders, day_start[tz])  # (a promise: not ranked by lateness)
    return _output(table, reminders, ranked, np.arange(len(reminders.rows)), slots=slots)


def each_once(ids: pa.Array | pa.ChunkedArray) -> None:
    """``plan_day``'s refusal of a book that holds a prospect id twice
    (:func:`cadence.batch.in_the_book_twice`), naming the smallest such id."""
    twice = held_twice(ids)
    if twice is not None:
        raise in_the_book_twice(twice)


def held_twice(ids: pa.Array | pa.ChunkedArray) -> str | None:
    """The smallest id found twice in ``ids``, if any: one hash pass over the ids, and only
    for a book that fails it, the ids sorted and equal neighbours."""
    if len(ids) < 2 or len(pc.unique(ids)) == len(ids):
        return None
    ordered = pc.drop_null(ids.take(pc.sort_indices(ids)))
    if isinstance(ordered, pa.ChunkedArray):
        ordered = ordered.combine_chunks()
    same = pc.equal(ordered.slice(1), ordered.slice(0, max(len(ordered) - 1, 0)))
    found = ordered.slice(1).filter(same)
    return found[0].as_py() if len(found) else None


def _capacities(ranked: _Ranked, channel: I64, capacity: Capacity) -> tuple[I64, I64]:
    """Each due row's (owner, channel) group, as a code, and each group's capacity (by code)."""
    names = ranked.names
    found, group = np.unique(ranked.owner * len(CHANNELS) + channel, return_inverse=True)
    places = [
        capacity_of(capacity, names[g // len(CHANNELS)], CHANNELS[g % len(CHANNELS)])
        for g in found.tolist()
    ]
    return group.reshape(-1), np.array(places, dtype=np.int64)


def _within_capacity(
    ranked: _Ranked, capacity_of: tuple[I64, I64], ids: pa.Array
) -> tuple[I64, I64]:
    """The most urgent due rows of each (owner, channel), as many as its capacity, and the
    others."""
    group, places = capacity_of
    order = sort({"g": group, "k": ranked.key, "id": ids})
    g = group[order]
    heads = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.zeros(0, np.int64)
    sizes = np.diff(np.r_[heads, len(g)])
    keep = np.arange(len(g)) - np.repeat(heads, sizes) < places[g]
    return order[keep], order[~keep]


def _walk_again(owner: I64, group: I64, unplaced: I64, over: I64) -> I64:
    """The owners whose day is walked again with every due row: those with a row that got no
    slot on a channel where other rows were left over capacity (one of those takes its
    place). Any other owner's walk is already the full one: each channel either filled its
    capacity with placed touches or had no row left to try."""
    short = np.intersect1d(group[unplaced], group[over])
    if not len(short):
        return np.zeros(0, dtype=np.int64)
    return np.unique(owner[unplaced][np.isin(group[unplaced], short)])


# The plan's tables are built in table order (their rows are read in one pass, without
# reordering strings), then put in their own order once.


def _touches(table: pa.Table, due: Due, ranked: _Ranked, idx: I64, slots: I64) -> pa.Table:
    """The planned touches, ordered by owner, start and prospect id."""
    asc = np.argsort(due.rows[idx], kind="stable")
    return _in_order(_output(table, due, ranked, idx[asc], slots=slots[asc]))


def _in_order(touches: pa.Table) -> pa.Table:
    """The touches ordered by owner, start and prospect id (stable: ``plan_day``'s sort)."""
    if not touches.num_rows:
        return touches
    by = {"o": touches.column("owner"), "s": touches.column("start")}
    return touches.take(sort({**by, "id": touches.column("prospect_id")}))


def _meeting_owners(
    table: pa.Table, meetings: Meetings
) -> tuple[list[str], dict[str, list[tuple[int, int]]]]:
    """Each listed meeting's owner (a missing one is ``""``), and each owner's day with their
    blocking meetings booked (µs stretches, as ``plan_day``'s ``busy_times``)."""
    owners = _owners_of(table, meetings.rows)
    rows, starts, ends = meetings.blocking
    spans: dict[str, list[tuple[int, int]]] = {}
    blockers = zip(_owners_of(table, rows), starts.tolist(), ends.tolist(), strict=True)
    for who, start, end in blockers:
        spans.setdefault(who, []).append((start, end))
    return owners, {who: occupied(found_) for who, found_ in spans.items()}


def _owners_of(table: pa.Table, rows: I64) -> list[str]:
    """The owner of each of ``rows`` (a missing one is ``""``)."""
    found, values = codes_at(table.column("owner"), rows)
    names = [v or "" for v in values] + [""]
    return [names[code] for code in found.tolist()]


def _meeting_rows(table: pa.Table, meetings: Meetings, owners: list[str]) -> pa.Table:
    """The day's meetings as touches (``plan_day``'s ``_meeting_touch``), in
    :data:`PLAN_SCHEMA`: each at its own time, ranked as the promise it is."""
    n, rows = len(meetings.rows), meetings.rows
    timezone = _named(meetings.zones, meetings.tz)
    start, end = stamp(meetings.start), stamp(meetings.end)

    def same(value: object, kind: pa.DataType) -> pa.Array:
        return pa.array([value] * n, type=kind)

    columns: dict[str, pa.Array] = {
        "owner": pa.array(owners, type=pa.string()),
        "prospect_id": take(strings(table.column("id")), rows),
        "kind": same(_ATTEND, pa.string()),
        "also": same([], PLAN_SCHEMA.field("also").type),
        "channel": same(_MEETING, pa.string()),
        "priority": same(int(ATTEND_PRIORITY), pa.int8()),
        "rules": same(list(ATTEND_RULES), PLAN_SCHEMA.field("rules").type),
        "reason": same(ATTEND_REASON, pa.string()),
        "earliest": start,
        "latest": end,
        "due_since": pa.nulls(n, type=TS),
        "rank": same(int(ATTEND_PRIORITY), pa.int8()),  # (``_rank``: a promise, at its start)
        "rank_at": start,
        "timezone": timezone,
        "start": start,
        "end": end,
        "local_start": local(start, timezone),
        "local_end": local(end, timezone),
        "deferred_reason": pa.nulls(n, type=pa.string()),
    }
    return pa.table([columns[f.name] for f in PLAN_SCHEMA], schema=PLAN_SCHEMA)


def _named(values: list[str], which: I64) -> pa.Array:
    """The strings ``values[which]``, as an Arrow array."""
    return pa.array(values, type=pa.string()).take(pa.array(which, type=pa.int64()))


def _deferred(
    table: pa.Table,
    due: Due,
    ranked: _Ranked,
    ids: pa.Array,
    over: I64,
    unplaced: tuple[I64, BOOL],
    limit: int,
) -> pa.Table:
    """The ``limit`` most urgent deferred touches (over capacity, or no free time left in the
    prospect's window: ``unplaced``, and whether that was outside the rep's hours), most
    urgent first."""
    idx = np.concatenate([over, unplaced[0]])
    late = np.r_[np.zeros(len(over), dtype=bool), np.ones(len(unplaced[0]), dtype=bool)]
    away = np.r_[np.zeros(len(over), dtype=bool), unplaced[1]]
    k = max(0, min(limit, len(idx)))
    if k < len(idx):
        keys = ranked.key[idx]
        cut = np.partition(keys, k - 1)[k - 1] if k else keys.min() - 1
        near = keys <= cut
        idx, late, away = idx[near], late[near], away[near]
    top = sort({"k": ranked.key[idx], "id": ids.take(idx)})[:k]
    idx, late, away = idx[top], late[top], away[top]
    asc = np.argsort(due.rows[idx], kind="stable")
    why = np.where(away[asc], _OFF_HOURS, _NO_TIME)
    reasons = np.where(late[asc], why, "over capacity").tolist()
    return _output(table, due, ranked, idx[asc], reasons=reasons).take(np.argsort(asc))


def _rank(table: pa.Table, due: Due, late_from: I64) -> _Ranked:
    """The batch order (plan_day's ``_rank``): class, the instant it ranks by, then the id.
    Overdue is due since before ``late_from`` (per row: the day's start or ``now``, whichever
    is later)."""
    pr, ds, ea = due.priority, due.due_since, due.earliest
    has_ds = ds != NULL
    follow = (pr > Priority.PREPARE) & (pr != Priority.DRIP)
    late = (pr > Priority.PREPARE) & has_ds & (ds < late_from)  # (a drip touch too)
    rank = np.where(pr <= Priority.PREPARE, pr, 6)
    rank = np.where(follow, np.where(late, 4, 5), rank)
    rank = np.where(_warm(table, due, follow), 3, rank)
    rank_at = np.where(((pr <= Priority.PREPARE) & has_ds) | late, ds, ea)
    key = rank * (1 << _KEY_BITS) + np.clip(rank_at + _KEY_BASE, 0, (1 << _KEY_BITS) - 1)
    found, values = codes_at(table.column("owner"), due.rows)
    names = [v or "" for v in values] + [""]  # plan_day: a missing owner is ""
    canon: dict[str, int] = {}
    remap = np.array([canon.setdefault(name, i) for i, name in enumerate(names)])
    return _Ranked(key, rank, rank_at, remap[found], names)


def _warm(table: pa.Table, due: Due, follow: BOOL) -> BOOL:
    """Which due rows are warm work (:func:`cadence._day.warm`), among the follow-ups
    (``follow``): from the decision index's kind, ``next_rules`` and ``next_also``, or the
    engine's action."""
    out = np.zeros(len(due.rows), dtype=bool)
    at = np.flatnonzero(follow & (due.priority == Priority.FOLLOW_UP))
    if not len(at):
        return out
    out[at] = np.isin(due.kind[at], _WARM_KIND_CODES)
    for name, values in (("next_rules", _WARM_RULES), ("next_also", _WARM_KINDS)):
        if name in table.column_names:  # (a table written before one: the engine decides)
            named = take(table.column(name), due.rows[at])
            hit = pc.is_in(pc.list_flatten(named), value_set=values).fill_null(False)
            parents = pc.list_parent_indices(named).to_numpy(zero_copy_only=False)
            out[at[parents[hit.to_numpy(zero_copy_only=False)]]] = True
    if due.actions:
        for j in at.tolist():
            action = due.actions.get(int(due.rows[j]))
            if action is not None:
                out[j] = warm(action.priority, action.kind, action.rules, action.also)
    return out


class _Walk(NamedTuple):
    """What the walk needs per chosen row: its calendar (index into ``cals``), channel, R4 slot
    to avoid (index into ``avoid_names``; the last is ``None``) and own recent calls (only where
    they can matter, by position)."""

    cals: list[ContactCalendar]
    place: I64
    channel: I64
    avoid: I64
    avoid_names: list[str | None]
    recent: dict[int, tuple[datetime, ...]]


def _walk(
    table: pa.Table,
    due: Due,
    chosen: I64,
    owner: I64,
    capacity: tuple[I64, I64],
    busy: _Busy,
    day: date,
    day_start: I64,
    day_end: I64,
    calendar: Calendars,
) -> tuple[BOOL, I64, BOOL]:
    """``plan_day``'s walk over each owner's day for the ``chosen`` due rows, in order, with
    ``capacity`` (each row's group code, and the groups' capacities): whether each was tried
    (its group had a place left: else it is over capacity), its slot's (start, end) in µs
    (:data:`NULL` when it got none) and whether it got none for want of time while its owner
    works (outside the rep's hours). Each row's first window is its action's own
    (``earliest`` from the day's start, ``latest``); the calendar is asked only past it."""
    if not len(chosen):
        return np.zeros(0, dtype=bool), np.zeros((0, 2), dtype=np.int64), np.zeros(0, bool)
    tz = due.tz[chosen]
    rows = _prepare(table, due, chosen, tz, day, calendar)
    recent = _recent_calls(table, due.rows[chosen], rows, day_start[tz], day_end[tz], day)
    rows = rows._replace(recent=recent)
    end_of_day = day_end[tz]
    combo = (rows.place * len(CHANNELS) + rows.channel) * len(rows.avoid_names) + rows.avoid + 1
    w_start = np.maximum(due.earliest[chosen], day_start[tz])
    group, places = capacity
    start_at = _fill(
        rows,
        owner[chosen],
        (group[chosen], places),
        busy,
        combo,
        w_start,
        due.latest[chosen],
        end_of_day,
    )
    tried = start_at != _OVER
    placed = start_at > _OFF
    end_at = np.where(placed, start_at + _LENGTH[rows.channel], NULL)
    slots = np.stack([np.where(placed, start_at, NULL), end_at], axis=1)
    return tried, slots, start_at == _OFF


def _prepare(
    table: pa.Table, due: Due, chosen: I64, tz: I64, day: date, calendar: Calendars
) -> _Walk:
    """The chosen rows' calendars, one per distinct (zone, country, subdivision), and the part
    of the day each avoids past its action's window: the last call's, for a call whose action
    carries R4 (the engine's window already avoids it), none for any other touch."""
    rows, channel, zones = due.rows[chosen], due.channel[chosen], due.zones
    country, country_values = codes_at(table.column("country"), rows)
    sub, sub_values = codes_at(table.column("subdivision"), rows)
    countries, subs = [*country_values, None], [*sub_values, None]  # code -1: null
    place_key = (tz * len(countries) + country + 1) * len(subs) + sub + 1
    _, first, place = np.unique(place_key, return_index=True, return_inverse=True)
    cals = [calendar(zones[tz[j]], countries[country[j]], subs[sub[j]]) for j in first.tolist()]
    avoid_codes, avoid_values = codes_at(table.column("last_attempt_slot"), rows)
    r4 = _carries_r4(table, due, rows)
    avoid = np.where((channel == _PHONE) & r4, avoid_codes, -1)
    return _Walk(cals, place.reshape(-1), channel, avoid, [*avoid_values, None], {})


def _carries_r4(table: pa.Table, due: Due, rows: I64) -> BOOL:
    """Which of the due ``rows`` have an action whose rules name R4 (from the decision index's
    ``next_rules``, or the engine's action)."""
    out = np.zeros(len(rows), dtype=bool)
    if "next_rules" in table.column_names:
        rules = take(table.column("next_rules"), rows)
        named = pc.equal(pc.list_flatten(rules), _R4).fill_null(False)
        parents = pc.list_parent_indices(rules).to_numpy(zero_copy_only=False)
        out[parents[named.to_numpy(zero_copy_only=False)]] = True
    for j, row in enumerate(rows.tolist()):
        action = due.actions.get(row)
        if action is not None:
            out[j] = _R4 in action.rules
    return out


def _recent_calls(
    table: pa.Table, rows: I64, walk: _Walk, day_start: I64, day_end: I64, day: date
) -> dict[int, tuple[datetime, ...]]:
    """The recent calls of the phone rows whose windows they can change: where an elapsed-time
    cap binds on the day and counts enough of them at some instant of the owner's day (every
    window the walk asks for starts in it; a window that would start after it gives no slot
    either way). Other rows share their place's windows."""
    caps: dict[Cap, BOOL] = {}
    for i, cal in enumerate(walk.cals):
        if cal.capped:  # else next_window ignores recent calls
            for cap in strictest_caps(cal.rules(Channel.PHONE, day)):
                caps.setdefault(cap, np.zeros(len(walk.cals), dtype=bool))[i] = True
    at = np.flatnonzero(walk.channel == _PHONE)
    if not caps or not len(at):
        return {}
    calls = take(table.column("recent_calls"), rows[at])
    binds = {cap: places[walk.place[at]] for cap, places in caps.items()}
    near = np.flatnonzero(crowded(calls, day_start[at], day_end[at] - 1, binds))
    found = calls.take(pa.array(near)).to_pylist()
    return {j: tuple(c or ()) for j, c in zip(at[near].tolist(), found, strict=True)}


def _fill(
    walk: _Walk,
    owner: I64,
    capacity: tuple[I64, I64],
    busy: _Busy,
    combo: I64,
    w_start: I64,
    w_end: I64,
    end_of_day: I64,
) -> I64:
    """Each row's slot start, in walk order (owner by owner, the most urgent first): the
    earliest free stretch of the owner's day (``busy``: their meetings) in the row's windows,
    its action's own (``w_start``, ``w_end``) first (``_fit``); :data:`NULL` when there is
    none (:data:`_OFF` when there is none while its owner works, ``busy.off``), and
    :data:`_OVER` when the row's group (``capacity``: each row's group code and the groups'
    capacities) has no place left. Only a row that gets a slot takes a place."""
    memo: dict[tuple[int, int], tuple[int, int]] = {}
    starts: list[int] = []
    current, booked = -1, list[tuple[int, int]]()
    off: list[tuple[int, int]] | None = None
    group, places = capacity
    left = places.tolist()  # (each owner's groups are theirs alone: one count per group)
    rows = zip(
        w_start.tolist(),
        w_end.tolist(),
        _LENGTH[walk.channel].tolist(),
        owner.tolist(),
        group.tolist(),
        combo.tolist(),
        end_of_day.tolist(),
        strict=True,
    )

    def fit(j: int, booked: list[tuple[int, int]], row: tuple[int, ...]) -> int:
        w_from, w_to, length, key, last = row
        while w_from < last:
            if w_from < w_to:  # (a touch starts inside its window, and on the day: ``_fit``)
                start = book(booked, w_from, length, w_to if w_to < last else last)
                if start is not None:
                    return start
                if w_to >= last:  # the window was the day's last
                    break
            after = max(w_from, w_to)
            if j in walk.recent:
                w_from, w_to = _window_of(walk, j, after)
            else:  # the next window after a full one
                found = memo.get((key, after))
                if found is None:
                    found = memo[(key, after)] = _window_of(walk, j, after)
                w_from, w_to = found
        return NULL

    for j, (w_from, w_to, length, who, g, key, last) in enumerate(rows):
        if who != current:  # a new owner's day, their meetings and off-hours booked
            current, booked = who, list(busy.blocked.get(busy.names[who], ()))
            off = busy.off.get(busy.names[who])
        if not left[g]:
            starts.append(_OVER)
            continue
        row = (w_from, w_to, length, key, last)
        got = fit(j, booked, row)
        if got != NULL:
            left[g] -= 1
        elif off is not None and fit(j, list(off), row) == NULL:
            got = _OFF  # no time in the windows while the rep works (plan_day's test)
        starts.append(got)
    return np.array(starts, dtype=np.int64)


def _window_of(walk: _Walk, j: int, after: int) -> tuple[int, int]:
    """Row ``j``'s window from the instant ``after`` (µs)."""
    name = walk.avoid_names[walk.avoid[j]]
    cal, ch = walk.cals[walk.place[j]], int(walk.channel[j])
    return _window(cal, ch, after, name, walk.recent.get(j, ()))


def _window(
    cal: ContactCalendar, ch: int, after: int, avoid: str | None, recent: tuple[datetime, ...]
) -> tuple[int, int]:
    """``cal.next_window`` from the instant ``after`` (µs), as (start, end) in µs."""
    w = cal.next_window(CHANNELS[ch], EPOCH + after * US, avoid_slot=avoid, recent=recent)
    return us(w.start.astimezone(UTC)) or 0, us(w.end.astimezone(UTC)) or 0


def _output(
    table: pa.Table,
    due: Due,
    ranked: _Ranked,
    idx: I64,
    *,
    slots: I64 | None = None,
    reasons: list[str] | None = None,
) -> pa.Table:
    """The due rows ``idx`` in :data:`PLAN_SCHEMA`."""
    t = table
    rows = due.rows[idx]
    n = len(rows)
    engine_rows = np.array(list(due.actions), dtype=np.int64)
    decided = np.flatnonzero(np.isin(rows, engine_rows))
    acts: list[Action] = [due.actions[row] for row in rows[decided].tolist()]
    where = np.arange(n)
    where[decided] = n + np.arange(len(decided))  # rows the engine decided: from its action
    patch = pa.array(where)
    texts: dict[str, pa.Array] = {}
    for name, get in _FROM_ACTION.items():
        kind = PLAN_SCHEMA.field(name).type
        index = f"next_{name}"
        taken = take(t.column(index), rows) if index in t.column_names else pa.nulls(n, kind)
        if len(decided):
            taken = pa.concat_arrays([taken, pa.array([get(a) for a in acts], type=kind)])
            taken = taken.take(patch)
        texts[name] = taken

    timezone = _named(due.zones, due.tz[idx])
    columns: dict[str, pa.Array] = {
        "owner": _named(ranked.names, ranked.owner[idx]),
        "prospect_id": take(strings(t.column("id")), rows),
        "kind": _named([k.value for k in KINDS], due.kind[idx]),
        "channel": _named([c.value for c in CHANNELS], due.channel[idx]),
        "priority": pa.array(due.priority[idx], type=pa.int8()),
        **texts,
        "earliest": stamp(due.earliest[idx]),
        "latest": stamp(due.latest[idx]),
        "due_since": stamp(due.due_since[idx]),
        "rank": pa.array(ranked.rank[idx], type=pa.int8()),
        "rank_at": stamp(ranked.rank_at[idx]),
        "timezone": timezone,
    }
    if slots is not None and len(slots):
        columns["start"], columns["end"] = stamp(slots[:, 0]), stamp(slots[:, 1])
        columns["local_start"] = local(columns["start"], timezone)
        columns["local_end"] = local(columns["end"], timezone)
    else:
        for name in ("start", "end"):
            columns[name] = pa.nulls(n, type=TS)
        for name in ("local_start", "local_end"):
            columns[name] = pa.nulls(n, type=pa.timestamp("us"))
    why: list[str | None] = [None] * n if reasons is None else [*reasons]
    columns["deferred_reason"] = pa.array(why, type=pa.string())
    return pa.table([columns[f.name] for f in PLAN_SCHEMA], schema=PLAN_SCHEMA)
