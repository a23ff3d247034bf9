"""Step 1 of the columnar planner: which rows are due on the day, and their next actions.

An edge module of the ``batch`` extra, used by :func:`cadence._table.plan_table`. Most rows of a
book are not due on any given day (waiting, done, or due later), so only the columns that decide
that are read for every row: the suppression keys, the decision index's kind, channel and
horizons, and the start of the next action. The other columns (priority, window, owner, place)
are taken for the rows that are due, which are about a tenth of the book.

A row's next action comes from one of three places (``plan_day`` asks the engine for each):

- the decision index (:mod:`cadence._columns`), while its horizon holds at ``now``;
- the index's overdue re-placement (R2): a single owed task whose window has passed is that task,
  overdue, at the next allowed window after ``now``; that window depends on the calendar, not on
  the prospect, so it is computed once per (place, channel, gap, R4 slot);
- the engine, for every other row (no index, another policy, an expired horizon).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from cadence._columns import decided_by
from cadence._day import day_bounds, for_prospect, next_action_past_waits
from cadence._table_arrays import (
    BOOL,
    CHANNEL_CODE,
    CHANNELS,
    EPOCH,
    I64,
    KIND_CODE,
    KINDS,
    NULL,
    US,
    codes,
    instants,
    null_and_after,
    strings,
    take,
    us,
)
from cadence.actions import Action
from cadence.calendar import ContactCalendar, check_place, contact_calendar, zone
from cadence.channel import Channel
from cadence.compliance import Cap, strictest_caps
from cadence.engine import Engine
from cadence.errors import InvalidInputError, NoSlotError, SchemaVersionError
from cadence.events import explain_validation_error
from cadence.prospect import Prospect

__all__ = ["Calendars", "Due", "crowded", "find_due", "split"]

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Never due: a wait, none. An ``attend_meeting`` row is due only as the reminder to log a
# meeting that has ended (overdue, R2: ``cadence._day.reminds_to_log``), told by its
# ``due_since`` among the few such rows that start before the day ends (``find_due``).
_IDLE_CODES = np.array([KIND_CODE[k] for k in ("wait", "none")] + [-1])
_ATTEND = KIND_CODE["attend_meeting"]
_DAY_US = 86_400_000_000


class Due(NamedTuple):
    """The rows due on the day (``rows``, ascending table rows) and, per due row, their next
    action (kind and channel codes, priority, instants in µs) and time zone (codes into
    ``zones``); ``counts`` (suppressed, not due), ``sources`` and the engine's ``actions``.
    The due rows include those whose next action is the reminder to log a meeting that has
    ended (R2: an ``attend_meeting`` overdue since the meeting's start): :func:`split`."""

    rows: I64
    kind: I64
    channel: I64
    priority: I64
    earliest: I64
    latest: I64
    due_since: I64
    tz: I64
    zones: list[str]
    counts: dict[str, int]
    sources: dict[str, int]
    actions: dict[int, Action]


class Calendars:
    """One run's contact calendars by place (``contact_calendar`` is shared per policy and
    place, but hashing the policy on every lookup would cost more than the lookup)."""

    def __init__(self, engine: Engine) -> None:
        self.policy = engine.policy
        self.found: dict[tuple[str, str | None, str | None], ContactCalendar] = {}

    def __call__(self, tz: str, country: str | None, sub: str | None) -> ContactCalendar:
        key = (tz, country, sub)
        cal = self.found.get(key)
        if cal is None:
            cal = self.found[key] = contact_calendar(self.policy, tz, country, sub)
        return cal


def _known(col: pa.ChunkedArray, values: list[str], null: int) -> I64:
    """Codes of ``col`` in ``values`` (its position), ``null`` for null, ``-2`` for others."""
    col = strings(col)
    found = pc.index_in(col, value_set=pa.array(values, type=pa.string()))
    out: I64 = found.fill_null(-2).to_numpy().astype(np.int64)
    if null != -2:
        out[col.is_null().to_numpy(zero_copy_only=False)] = null
    return out


class _Index(NamedTuple):
    """Every row's reading of the decision index: where it holds (``fresh``), where it re-places
    an overdue single task (``late``), where the prospect is paused (``paused``), and for those
    rows the next action's kind and channel codes and, for fresh rows, its start (µs)."""

    fresh: BOOL
    late: BOOL
    paused: BOOL
    kind: I64
    channel: I64
    earliest: I64


def _read_index(
    engine: Engine, table: pa.Table, live: BOOL, now_us: int, horizon_us: int
) -> _Index:
    """The decision index of every live row, as of ``now``: only the columns that say whether
    it holds and what it starts with (the rest is read for due rows only). A row idle until
    before ``horizon_us`` (a pause, R17, that may end on the day) is read as of the pause's
    end, or left to the engine if it does not hold then."""
    t = table
    by = pc.equal(strings(t.column("decided_by")), decided_by(engine))
    usable = by.fill_null(False).to_numpy(zero_copy_only=False) & live
    kind = _known(t.column("next_kind"), [k.value for k in KINDS], -2)
    channel = _known(t.column("next_channel"), [c.value for c in CHANNELS], -1)
    usable &= (kind >= 0) & (channel >= -1)
    _, idle = null_and_after(t.column("idle_until"), now_us)
    _, long = null_and_after(t.column("idle_until"), horizon_us - 1)
    paused = usable & long  # R17: wait, past the day
    no_start, ahead = null_and_after(t.column("decided_at"), now_us)
    started = usable & ~paused & ~no_start & ~ahead
    forever, holds = null_and_after(t.column("valid_until"), now_us)
    fresh = started & (forever | holds)
    fresh[_holding_at_their_end(t, np.flatnonzero(usable & idle & ~long))] = True
    no_first, _ = null_and_after(t.column("first_due"), now_us)
    forever, holds = null_and_after(t.column("late_until"), now_us)
    late = started & ~fresh & ~no_first & (forever | holds)
    earliest = instants(t.column("next_earliest"))
    np.maximum(earliest, now_us, out=earliest)
    # A wait that ends before the horizon (the R10 wait for the drop): what follows it is the
    # engine's to name (cadence._day.next_action_past_waits).
    fresh &= ~((kind == KIND_CODE["wait"]) & (earliest < horizon_us))
    earliest[~fresh] = 0
    took = fresh | late
    kind[~took] = -1  # in place: no book-sized temporaries (they would add to peak memory)
    kind[paused] = KIND_CODE["wait"]
    channel[~took] = -1
    return _Index(fresh, late, paused, kind, channel, earliest)


def _holding_at_their_end(table: pa.Table, rows: I64) -> I64:
    """The ``rows`` (idle at now, until before the horizon: a pause that ends on the day) whose
    index row holds at the end of their pause: what the engine names then, where the planners
    plan them (:func:`cadence._day.past_waits`). (The row starts there, ``decided_at``; its
    action starts then or later, so ``now`` does not clamp it.)"""
    t = table
    at = instants(take(t.column("idle_until"), rows))
    start = instants(take(t.column("decided_at"), rows))
    until = instants(take(t.column("valid_until"), rows))
    holds: BOOL = (start != NULL) & (start <= at) & ((until == NULL) | (until > at))
    held: I64 = rows[holds]
    return held


def find_due(
    engine: Engine,
    table: pa.Table,
    *,
    day: date,
    now: datetime,
    suppressed: BOOL,
    indexed: bool,
    calendar: Calendars,
) -> Due:
    """Every row's next action, as far as needed to tell whether it is due on ``day``; the
    due rows' actions in full. ``suppressed``: the rows never planned (R13, from
    :func:`cadence._table_suppression.suppressed_rows`); ``indexed``: the table has the
    decision index columns."""
    n, t = table.num_rows, table
    now = now.astimezone(UTC)
    now_us = us(now) or 0
    # Due on the day: starts before the end of the local day. A local midnight is within a day
    # of the UTC one (|UTC offset| < 24 h), so rows starting later are not due, whatever their
    # zone, and only the others' zones are read.
    horizon = (day.toordinal() + 1 - _EPOCH_ORDINAL) * _DAY_US + _DAY_US
    live = ~suppressed
    if indexed:
        index = _read_index(engine, t, live, now_us, horizon)
    else:
        none, unknown = np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64)
        index = _Index(none, none, none, unknown, unknown.copy(), np.zeros(n, dtype=np.int64))
    fresh, late, paused, kind, channel, earliest = index
    by_engine = np.flatnonzero(live & ~paused & ~fresh & ~late)
    sources = {
        "index": int(fresh.sum() + paused.sum()),
        "late": int(late.sum()),
        "engine": len(by_engine),
    }
    actions = _ask_engine(engine, t, by_engine, now, EPOCH + horizon * US)
    for row, act in actions.items():
        kind[row] = KIND_CODE[act.kind.value]
        channel[row] = -1 if act.channel is None else CHANNEL_CODE[act.channel.value]
        earliest[row] = us(act.earliest_utc) or 0
    active = live & ~(np.isin(kind, _IDLE_CODES) | (channel < 0))

    # Overdue single tasks (R2): their start is the next allowed window after now.
    moved = np.flatnonzero(late & active)
    moved_earliest, moved_latest = _replace_late(calendar, t, moved, channel[moved], now)
    earliest[moved] = moved_earliest

    _check_places(engine, t, live)
    maybe = np.flatnonzero(active & (earliest < horizon))
    tz_codes, zone_values = codes(take(t.column("timezone"), maybe))
    zones = [name or "" for name in zone_values]
    day_end = np.array([us(day_bounds(day, zone(name))[1]) for name in zones] + [0])
    is_due = earliest[maybe] < day_end[tz_codes]
    rows, tz = maybe[is_due], tz_codes[is_due]
    priority, latest, due_since = _details(t, rows, index, actions, moved, moved_latest)
    # A meeting not over at now is not due (the day's meetings are listed from the meeting
    # columns, cadence._table_meetings): of the attend_meeting rows, only the reminder to log
    # one that has ended is, overdue since its start.
    ahead = (kind[rows] == _ATTEND) & (due_since == NULL)
    if ahead.any():
        keep = ~ahead
        rows, tz = rows[keep], tz[keep]
        priority, latest, due_since = priority[keep], latest[keep], due_since[keep]
    counts = {
        "suppressed": int(suppressed.sum()),
        "not_due": int(live.sum()) - len(rows),
        "planned": 0,
        "deferred": 0,
    }
    return Due(
        rows,
        kind[rows],
        channel[rows],
        priority,
        earliest[rows],
        latest,
        due_since,
        tz,
        zones,
        counts,
        sources,
        actions,
    )


#: The fields of :class:`Due` with a value per due row.
_PER_ROW = ("rows", "kind", "channel", "priority", "earliest", "latest", "due_since", "tz")


def split(due: Due) -> tuple[Due, Due]:
    """The due rows with a call or an email, and those whose next action is the reminder to
    log a meeting that has ended (admin work, on no capacity and in no slot of the rep's
    time: ``plan_day``'s ``_reminder``)."""
    reminder = due.kind == _ATTEND
    if not reminder.any():
        return due, due._replace(**{name: getattr(due, name)[:0] for name in _PER_ROW})
    calls = ~reminder
    return (
        due._replace(**{name: getattr(due, name)[calls] for name in _PER_ROW}),
        due._replace(**{name: getattr(due, name)[reminder] for name in _PER_ROW}),
    )


def _check_places(engine: Engine, table: pa.Table, live: BOOL) -> None:
    """Every ``live`` row's place (a suppressed row is never planned, R13), due or not, as
    ``plan_day`` checks each prospect's: a zone that does not exist, or one that is not of the
    row's country where calling laws bind it there, is an error (DESIGN §5, §9). Each distinct
    (zone, country, subdivision) once."""
    found = [codes(table.column(name)) for name in ("timezone", "country", "subdivision")]
    sizes = [len(values) + 1 for _, values in found]  # (code -1, null, is the last value)
    key = np.zeros(table.num_rows, dtype=np.int64)
    for (column, _), size in zip(found, sizes, strict=True):
        key = key * size + (column % size)
    key = key[live]
    space = sizes[0] * sizes[1] * sizes[2]
    if space <= 4 * len(key) + 1024:  # (the usual book: a few places, many rows)
        seen = np.zeros(space, dtype=bool)
        seen[key] = True
        keys = np.flatnonzero(seen)
    else:
        keys = np.unique(key)
    tz, country, sub = ([*values, None] for _, values in found)
    for k in keys.tolist():
        k, s = divmod(k, sizes[2])
        t, c = divmod(k, sizes[1])
        check_place(engine.policy, tz[t] or "", country[c], sub[s])


def _details(
    table: pa.Table,
    rows: I64,
    index: _Index,
    actions: dict[int, Action],
    moved: I64,
    moved_latest: I64,
) -> tuple[I64, I64, I64]:
    """The due rows' priority, window end and overdue-since (µs), from the index (re-placed
    rows: their new window) or the engine."""
    t, m = table, len(rows)
    priority = np.zeros(m, dtype=np.int64)
    latest = np.zeros(m, dtype=np.int64)
    due_since = np.full(m, NULL, dtype=np.int64)
    if not m:
        return priority, latest, due_since
    fresh, late = index.fresh[rows], index.late[rows]
    if fresh.any() or late.any():
        prio = take(t.column("next_priority"), rows).cast(pa.int64()).fill_null(0)
        priority = np.where(fresh | late, prio.to_numpy(zero_copy_only=False), 0)
        latest = np.where(fresh, instants(take(t.column("next_latest"), rows)), 0)
        due_since = np.where(fresh, instants(take(t.column("next_due_since"), rows)), NULL)
        due_since = np.where(late, instants(take(t.column("first_due"), rows)), due_since)
        where = np.searchsorted(rows, moved)
        hit = (where < m) & (rows[np.minimum(where, m - 1)] == moved)
        latest[where[hit]] = moved_latest[hit]
    if actions:
        where = np.searchsorted(rows, np.array(list(actions), dtype=np.int64))
        for at, (row, act) in zip(where.tolist(), actions.items(), strict=True):
            if at < m and rows[at] == row:
                priority[at] = int(act.priority)
                latest[at] = us(act.latest_utc) or 0
                due_since[at] = NULL if act.due_since is None else us(act.due_since) or 0
    return priority, latest, due_since


class StateError(InvalidInputError):
    """A row's stored state that does not load, naming the row and its prospect's id
    (``.row``, ``.prospect_id``, and ``.detail``, what is wrong with it): the Dask planner
    names the id alone, since a partition's row numbers are not the book's."""

    row: int
    prospect_id: str | None
    detail: str


def _state_error(
    table: pa.Table, row: int, detail: str, field: str | None, value: object
) -> StateError:
    prospect_id = _row_id(table, row)
    named = "" if prospect_id is None else f" (id {prospect_id!r})"
    exc = StateError(f"table: row {row}{named}{detail}", field=field, value=value)
    exc.row, exc.prospect_id, exc.detail = row, prospect_id, detail
    return exc


def load_state(text: str | None, row: int, table: pa.Table) -> Prospect:
    """Row ``row`` of ``table``'s stored state; one that does not load is an error naming the
    row and the row's ``id``."""
    if text is None:
        detail = " has no state; build the table with cadence.batch.to_table(...)"
        raise _state_error(table, row, detail, "state", None)
    try:
        return Prospect.model_validate_json(text)
    except ValidationError as exc:
        err = explain_validation_error(exc, "state", Prospect)
        raise _state_error(table, row, f": {err}", err.field, err.value) from None
    except SchemaVersionError as exc:  # (newer than this cadence: named by its row too)
        raise _state_error(table, row, f": {exc}", exc.field, exc.value) from None


def _row_id(table: pa.Table, row: int) -> str | None:
    """Row ``row``'s ``id`` as text, if the table has one (an error's name for the row)."""
    if "id" not in table.column_names:
        return None
    value = table.column("id")[row].as_py()
    return None if value is None else str(value)


def _ask_engine(
    engine: Engine, table: pa.Table, rows: I64, now: datetime, horizon: datetime
) -> dict[int, Action]:
    """``engine.next_action`` for ``rows`` (past a wait that ends before ``horizon``, as
    ``plan_day``), read from their ``state`` (the only rows whose JSON is read: its pages are
    not touched for the others)."""
    if not len(rows):
        return {}
    states = take(table.column("state"), rows).cast(pa.string()).to_pylist()
    actions = {}
    for row, text in zip(rows.tolist(), states, strict=True):
        p = load_state(text, row, table)
        try:
            actions[row] = next_action_past_waits(engine, p, now, horizon)
        except NoSlotError as exc:
            raise for_prospect(p.id, exc) from None
    return actions


def _replace_late(
    calendar: Calendars, table: pa.Table, rows: I64, ch: I64, now: datetime
) -> tuple[I64, I64]:
    """R2: an expired single-task row is its task overdue, at the next allowed window after
    ``now``: its start and end (µs). That window depends on the place, channel, gap and R4 slot
    only (and on recent calls where elapsed-time caps apply), so it is computed once per
    distinct combination."""
    earliest = np.zeros(len(rows), dtype=np.int64)
    latest = np.zeros(len(rows), dtype=np.int64)
    if not len(rows):
        return earliest, latest
    t = table
    now_us = us(now) or 0
    parts, values = [], []
    for name in ("timezone", "country", "subdivision", "avoid_slot"):
        found, vals = codes(take(t.column(name), rows))
        parts.append(found + 1)  # 0: null
        values.append([None, *vals])
    parts.append(ch)
    days = take(t.column("min_date"), rows).cast(pa.int32()).fill_null(-1).to_numpy()
    parts.append(days.astype(np.int64) + 1)
    key = np.zeros(len(rows), dtype=np.int64)
    for part in parts:
        key = key * (int(part.max()) + 1) + part
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    starts = np.zeros(len(uniq), dtype=np.int64)
    ends = np.zeros(len(uniq), dtype=np.int64)
    caps_now: dict[Cap, BOOL] = {}  # the caps that bind calls at now, per combination
    caps_start: dict[Cap, BOOL] = {}  # ... and at the start of the window found

    def place(j: int) -> tuple[ContactCalendar, date | None, str | None]:
        tz, country, sub, avoid = (values[i][parts[i][j]] for i in range(4))
        cal = calendar(str(tz), country, sub)
        min_date = None if days[j] < 0 else date.fromordinal(int(days[j]) + _EPOCH_ORDINAL)
        return cal, min_date, avoid

    for u, j in enumerate(first.tolist()):
        cal, min_date, avoid = place(j)
        c = CHANNELS[int(ch[j])]
        window = cal.next_window(c, now, min_date=min_date, avoid_slot=avoid)
        starts[u] = us(window.start.astimezone(UTC)) or 0
        ends[u] = max(us(window.end.astimezone(UTC)) or 0, starts[u])
        if c is Channel.PHONE and cal.capped:  # else next_window ignores recent calls
            for caps_at, when in ((caps_now, now), (caps_start, window.start)):
                for cap in strictest_caps(cal.rules(c, cal.local(when).date())):
                    caps_at.setdefault(cap, np.zeros(len(uniq), dtype=bool))[u] = True
    earliest[:], latest[:] = starts[inverse], ends[inverse]
    # Elapsed-time caps (e.g. FL, FR) count the prospect's own recent calls: where a cap would
    # count enough of them, at now or at the window's start, the window is the row's own.
    if caps_now or caps_start:
        calls = take(t.column("recent_calls"), rows)
        at_now = np.full(len(rows), now_us, dtype=np.int64)
        alone = crowded(calls, at_now, at_now, {c: m[inverse] for c, m in caps_now.items()})
        alone |= crowded(calls, earliest, earliest, {c: m[inverse] for c, m in caps_start.items()})
        alone &= ch == CHANNEL_CODE["phone"]
        recents = calls.take(pa.array(np.flatnonzero(alone))).to_pylist()
        for j, recent in zip(np.flatnonzero(alone).tolist(), recents, strict=True):
            cal, min_date, avoid = place(j)
            window = cal.next_window(
                CHANNELS[int(ch[j])],
                now,
                min_date=min_date,
                avoid_slot=avoid,
                recent=tuple(recent),
            )
            start = us(window.start.astimezone(UTC)) or 0
            earliest[j] = start
            latest[j] = max(us(window.end.astimezone(UTC)) or 0, start)
    return earliest, latest


def crowded(calls: pa.Array, lo: I64, hi: I64, caps: dict[Cap, BOOL]) -> BOOL:
    """Rows where an elapsed-time cap may hold a call back at some instant of ``[lo, hi]``:
    for a ``cap`` that binds the row (``caps[cap]``), the row's ``calls`` (a list array) in
    ``(lo - cap.per, hi]`` number ``cap.count`` or more. ``ContactCalendar.next_window`` counts
    exactly those (its ``_cap_floor``), so for the other rows the prospect's calls change
    nothing and the window is the one shared by every prospect of the place."""
    out = np.zeros(len(calls), dtype=bool)
    if not caps or not len(calls):
        return out
    flat = instants(pc.list_flatten(calls))
    parent = pc.list_parent_indices(calls).to_numpy(zero_copy_only=False)
    for cap, binds in caps.items():
        inside = binds[parent] & (flat > lo[parent] - cap.per // US) & (flat <= hi[parent])
        out |= np.bincount(parent[inside], minlength=len(calls)) >= cap.count
    return out
