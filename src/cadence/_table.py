"""Prospects as Arrow tables, and the columnar day planner (the ``batch`` extra: pyarrow, numpy).

An edge module: the core never imports it; :mod:`cadence.batch` reaches it only when one of its
columnar functions is called. The schema is documented in ``docs/batch.md`` and on
:data:`SCHEMA`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cadence._columns import Decision, decide, decided_by
from cadence.actions import Action, ActionKind, Priority
from cadence.batch import Capacity, _capacity, _check_arguments, _day_bounds, _fit
from cadence.calendar import ContactCalendar, contact_calendar, zone
from cadence.channel import Channel
from cadence.compliance import strictest_caps
from cadence.engine import Engine
from cadence.errors import InvalidInputError
from cadence.prospect import Prospect

__all__ = ["PLAN_SCHEMA", "SCHEMA", "TablePlan", "from_table", "plan_table", "to_table"]

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

_TS = pa.timestamp("us", tz="UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NULL = np.iinfo(np.int64).min  # a missing instant, in the int64 microsecond arrays
_CHUNK = 16_384
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_US = timedelta(microseconds=1)

#: The table of prospects. ``state`` (the prospect's JSON) is the truth and makes the table
#: lossless; the flat columns are derived from it for filtering and grouping; the ``decided_*``,
#: ``next_*`` and horizon columns are the decision index (``cadence._columns``), null when the
#: table was built without an engine.
SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("owner", pa.string()),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("timezone", pa.string(), nullable=False),
        pa.field("country", pa.string()),
        pa.field("subdivision", pa.string()),
        pa.field("phone", pa.string()),
        pa.field("email", pa.string()),
        pa.field("last_event_at", _TS, nullable=False),
        pa.field("last_attempt_slot", pa.string()),
        pa.field("recent_calls", pa.list_(_TS)),
        pa.field("state", pa.string(), nullable=False),
        pa.field("decided_by", pa.string()),
        pa.field("decided_at", _TS),
        pa.field("idle_until", _TS),
        pa.field("next_kind", pa.string()),
        pa.field("next_channel", pa.string()),
        pa.field("next_priority", pa.int8()),
        pa.field("next_rules", pa.list_(pa.string())),
        pa.field("next_reason", pa.string()),
        pa.field("next_earliest", _TS),
        pa.field("next_latest", _TS),
        pa.field("next_due_since", _TS),
        pa.field("valid_until", _TS),
        pa.field("first_due", _TS),
        pa.field("min_date", pa.date32()),
        pa.field("avoid_slot", pa.string()),
        pa.field("late_until", _TS),
    ]
)
_FLAT = ("id", "owner", "timezone", "country", "subdivision", "phone", "email")
_NEEDED = (*_FLAT, "last_attempt_slot", "recent_calls", "state")

#: A planned or deferred touch: who, what (the action's fields), when (the assigned slot in UTC
#: and as local wall time in ``timezone``), and where it ranks in the batch order.
PLAN_SCHEMA = pa.schema(
    [
        pa.field("owner", pa.string(), nullable=False),
        pa.field("prospect_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("priority", pa.int8(), nullable=False),
        pa.field("rules", pa.list_(pa.string())),
        pa.field("reason", pa.string()),
        pa.field("earliest", _TS, nullable=False),
        pa.field("latest", _TS, nullable=False),
        pa.field("due_since", _TS),
        pa.field("rank", pa.int8(), nullable=False),
        pa.field("rank_at", _TS, nullable=False),
        pa.field("timezone", pa.string(), nullable=False),
        pa.field("start", _TS),
        pa.field("end", _TS),
        pa.field("local_start", pa.timestamp("us")),
        pa.field("local_end", pa.timestamp("us")),
        pa.field("deferred_reason", pa.string()),
    ]
)
_KINDS = list(ActionKind)
_KIND_CODE = {k.value: i for i, k in enumerate(_KINDS)}
_IDLE_CODES = np.array(
    [_KIND_CODE[k] for k in ("wait", "none", "attend_meeting")] + [-1], dtype=np.int64
)
_CHANNELS = list(Channel)
_CHANNEL_CODE = {c.value: i for i, c in enumerate(_CHANNELS)}


# -- building and reading tables ------------------------------------------------------------


def _us(t: datetime | None) -> int | None:
    return None if t is None else (t - _EPOCH) // timedelta(microseconds=1)


def _batch(rows: list[Prospect], engine: Engine | None, by: str | None) -> pa.RecordBatch:
    decisions: list[Decision | None] = [None if engine is None else decide(engine, p) for p in rows]
    cols: dict[str, list[Any]] = {
        "id": [p.id for p in rows],
        "owner": [p.owner for p in rows],
        "stage": [p.stage.value for p in rows],
        "timezone": [p.timezone for p in rows],
        "country": [p.country for p in rows],
        "subdivision": [p.subdivision for p in rows],
        "phone": [p.phone for p in rows],
        "email": [p.email for p in rows],
        "last_event_at": [_us(p.last_event_at) for p in rows],
        "last_attempt_slot": [p.last_attempt_slot for p in rows],
        "recent_calls": [[_us(t) for t in p.recent_calls] for p in rows],
        "state": [p.model_dump_json() for p in rows],
        "decided_by": [by if d is not None else None for d in decisions],
    }

    def pick(name: str, get: Any) -> None:
        cols[name] = [None if d is None else get(d) for d in decisions]

    pick("decided_at", lambda d: _us(d.decided_at))
    pick("idle_until", lambda d: _us(d.idle_until))
    pick("next_kind", lambda d: d.kind.value)
    pick("next_channel", lambda d: None if d.channel is None else d.channel.value)
    pick("next_priority", lambda d: d.priority)
    pick("next_rules", lambda d: list(d.rules))
    pick("next_reason", lambda d: d.reason)
    pick("next_earliest", lambda d: _us(d.earliest))
    pick("next_latest", lambda d: _us(d.latest))
    pick("next_due_since", lambda d: _us(d.due_since))
    pick("valid_until", lambda d: _us(d.valid_until))
    pick("first_due", lambda d: _us(d.first_due))
    pick("min_date", lambda d: d.min_date)
    pick("avoid_slot", lambda d: d.avoid_slot)
    pick("late_until", lambda d: _us(d.late_until))
    arrays = [pa.array(cols[f.name], type=f.type) for f in SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def to_table(prospects: Iterable[Prospect], engine: Engine | None = None) -> pa.Table:
    """An Arrow table of ``prospects`` (schema :data:`SCHEMA`), built in chunks so that memory
    holds the table, not a Python object per prospect. With ``engine``, the decision index
    columns are filled (as a CRM would on every write); without, they are null and
    :func:`plan_table` asks the engine about every row."""
    if engine is not None and not isinstance(engine, Engine):
        msg = f"engine: expected a cadence.Engine or None, got {type(engine).__name__}"
        raise InvalidInputError(msg, field="engine", value=engine)
    by = None if engine is None else decided_by(engine)
    batches = []
    rows: list[Prospect] = []
    for p in prospects:
        if not isinstance(p, Prospect):
            msg = (
                f"prospects: expected cadence.Prospect items, got {type(p).__name__}; build them "
                "with engine.enroll(...) or Prospect.model_validate_json(...)"
            )
            raise InvalidInputError(msg, field="prospects", value=p)
        rows.append(p)
        if len(rows) == _CHUNK:
            batches.append(_batch(rows, engine, by))
            rows = []
    if rows or not batches:
        batches.append(_batch(rows, engine, by))
    return pa.Table.from_batches(batches, schema=SCHEMA)


def _column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name not in table.column_names:
        msg = (
            f"table: no {name!r} column; build the table with cadence.batch.to_table(...) "
            "(see SCHEMA in docs/batch.md)"
        )
        raise InvalidInputError(msg, field="table", value=name)
    return table.column(name)


def _states(table: pa.Table) -> Iterator[str]:
    for chunk in _column(table, "state").cast(pa.string()).chunks:
        yield from chunk.to_pylist()


def from_table(table: pa.Table) -> list[Prospect]:
    """The prospects of a table built by :func:`to_table` (read from its ``state`` column)."""
    return [Prospect.model_validate_json(s) for s in _states(table)]


# -- columns as numpy -------------------------------------------------------------------------


def _strings(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """Plain strings, whatever the frame library made of them (dictionary, large or view
    strings), chunk by chunk: a memory-mapped table is neither copied nor paged in whole."""
    if isinstance(col, pa.Array):
        col = pa.chunked_array([col], type=col.type)
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if col.type != pa.string():
        col = col.cast(pa.string())
    return col


def _codes(col: pa.ChunkedArray | pa.Array) -> tuple[I64, list[str | None]]:
    """Integer codes (``-1`` for null) and the distinct values they stand for."""
    enc = pc.dictionary_encode(_strings(col))  # one dictionary shared by every chunk
    if not enc.num_chunks:
        return np.zeros(0, dtype=np.int64), []
    indices = pa.chunked_array([c.indices for c in enc.chunks], type=enc.type.index_type)
    codes: I64 = indices.fill_null(-1).to_numpy().astype(np.int64)
    return codes, enc.chunk(0).dictionary.to_pylist()


def _instants(col: pa.ChunkedArray) -> I64:
    """Microseconds since the epoch (UTC), ``_NULL`` for null."""
    col = col.cast(_TS).cast(pa.int64())
    out: I64 = col.fill_null(_NULL).to_numpy().astype(np.int64)
    return out


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(us))


@dataclass(frozen=True)
class TablePlan:
    """The columnar day plan: ``touches`` and ``deferred`` as Arrow tables (schema
    :data:`PLAN_SCHEMA`; touches ordered by owner, start, prospect id; deferred by urgency),
    ``counts`` as in :class:`cadence.batch.DayPlan`, and ``sources``: how many considered rows
    the index decided (``index``), the index re-placed as overdue (``late``) and the engine
    decided (``engine``)."""

    day: date
    touches: pa.Table
    deferred: pa.Table
    counts: dict[str, int]
    sources: dict[str, int]


# -- planning ---------------------------------------------------------------------------------


def plan_table(
    engine: Engine,
    table: pa.Table,
    *,
    day: date,
    now: datetime,
    capacity: Capacity,
    suppressions: Iterable[str] = (),
    deferred_limit: int = 10_000,
) -> TablePlan:
    """``plan_day`` over a table of prospects, vectorised: the same plan, row for row."""
    if not isinstance(engine, Engine):
        msg = f"engine: expected a cadence.Engine, got {type(engine).__name__}"
        raise InvalidInputError(msg, field="engine", value=engine)
    blocked = _check_arguments(day, capacity, suppressions)
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        msg = f"now: {now!r} is not an aware datetime; pass e.g. datetime(..., tzinfo=UTC)"
        raise InvalidInputError(msg, field="now", value=now)
    if not isinstance(table, pa.Table):
        msg = f"table: expected a pyarrow.Table, got {type(table).__name__}; use to_table(...)"
        raise InvalidInputError(msg, field="table", value=table)
    missing = [name for name in _NEEDED if name not in table.column_names]
    if missing:
        msg = (
            f"table: missing column(s) {missing!r}; build the table with "
            "cadence.batch.to_table(...) (its schema is in docs/batch.md)"
        )
        raise InvalidInputError(msg, field="table", value=missing)
    if (
        isinstance(deferred_limit, bool)
        or not isinstance(deferred_limit, int)
        or deferred_limit < 0
    ):
        msg = f"deferred_limit: {deferred_limit!r} is not a count; give a whole number >= 0"
        raise InvalidInputError(msg, field="deferred_limit", value=deferred_limit)
    return _Planner(engine, _conform(table), day, now, capacity, blocked, deferred_limit).run()


def _conform(table: pa.Table) -> pa.Table:
    """The table with :data:`SCHEMA`'s types: what polars, pandas or Dask made of the columns
    (large or view strings, dictionaries, nanoseconds, other zones) is cast back, losslessly."""
    columns = []
    for name in table.column_names:
        col = table.column(name)
        if name in SCHEMA.names:
            want = SCHEMA.field(name).type
            if col.type != want:
                try:
                    if pa.types.is_dictionary(col.type):
                        col = col.cast(col.type.value_type)
                    col = col.cast(want)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                    msg = (
                        f"table: column {name!r} has type {col.type}, which does not convert to "
                        f"{want}; build the table with cadence.batch.to_table(...)"
                    )
                    raise InvalidInputError(msg, field=name, value=str(col.type)) from None
        columns.append(col)
    return pa.table(columns, names=table.column_names)


class _Found(NamedTuple):
    """One run's per-row arrays: the rows due on the day (``due``), their owners (codes into
    ``names``) and next actions (all rows), and their batch order (``due`` rows)."""

    due: I64
    owner: I64
    names: list[str]
    kind: I64
    channel: I64
    priority: I64
    earliest: I64
    latest: I64
    due_since: I64
    rank: I64
    rank_at: I64


_KEY_BASE = 1 << 54  # rank_at offset, so that (rank, rank_at) packs into one int64


class _Planner:
    """One ``plan_table`` run: per-row arrays, then the same steps as ``plan_day``."""

    def __init__(
        self,
        engine: Engine,
        table: pa.Table,
        day: date,
        now: datetime,
        capacity: Capacity,
        blocked: frozenset[str],
        deferred_limit: int,
    ) -> None:
        self.engine, self.table, self.day = engine, table, day
        self.now = now.astimezone(UTC)
        self.now_us = (self.now - _EPOCH) // timedelta(microseconds=1)
        self.capacity, self.blocked, self.deferred_limit = capacity, blocked, deferred_limit
        self.n = table.num_rows
        self.actions: dict[int, Action] = {}  # rows the engine decided
        self.calendars: dict[tuple[str, str | None, str | None], ContactCalendar] = {}
        self.sources = {"index": 0, "late": 0, "engine": 0}

    def calendar(self, tz: str, country: str | None, subdivision: str | None) -> ContactCalendar:
        key = (tz, country, subdivision)
        cal = self.calendars.get(key)
        if cal is None:
            cal = self.calendars[key] = contact_calendar(self.engine.policy, *key)
        return cal

    # -- step 1: every row's next action as arrays --------------------------------------------
    def decisions(self, suppressed: BOOL) -> tuple[I64, I64, I64, I64, I64, I64]:
        """kind and channel codes (-1: none), priority, earliest, latest, due_since (µs)."""
        n, now, t = self.n, self.now_us, self.table
        kind = np.full(n, -1, dtype=np.int64)
        channel = np.full(n, -1, dtype=np.int64)
        priority = np.zeros(n, dtype=np.int64)
        earliest = np.zeros(n, dtype=np.int64)
        latest = np.zeros(n, dtype=np.int64)
        due_since = np.full(n, _NULL, dtype=np.int64)
        fresh = late = paused = np.zeros(n, dtype=bool)
        if all(f.name in t.column_names for f in SCHEMA):
            by = pc.equal(_strings(t.column("decided_by")), decided_by(self.engine))
            usable = by.fill_null(False).to_numpy(zero_copy_only=False) & ~suppressed
            codes, values = _codes(t.column("next_kind"))
            kind_col = np.array([_KIND_CODE.get(v or "", -2) for v in values] + [-2])[codes]
            codes, values = _codes(t.column("next_channel"))
            channel_col = np.array([_CHANNEL_CODE.get(v or "", -2) for v in values] + [-1])
            channel_col = channel_col[codes]
            usable &= (kind_col >= 0) & (channel_col >= -1)
            decided_at = _instants(t.column("decided_at"))
            idle_until = _instants(t.column("idle_until"))
            valid_until = _instants(t.column("valid_until"))
            late_until = _instants(t.column("late_until"))
            first_due = _instants(t.column("first_due"))
            paused = usable & (idle_until != _NULL) & (now < idle_until)  # R17: wait
            started = usable & ~paused & (decided_at != _NULL) & (decided_at <= now)
            fresh = started & ((valid_until == _NULL) | (now < valid_until))
            late = started & ~fresh & (first_due != _NULL)
            late &= (late_until == _NULL) | (now < late_until)
            kind[paused] = _KIND_CODE["wait"]
            took = fresh | late
            kind[took], channel[took] = kind_col[took], channel_col[took]
            priority[took] = (
                t.column("next_priority").cast(pa.int64()).fill_null(0).to_numpy()[took]
            )
            earliest[fresh] = np.maximum(_instants(t.column("next_earliest"))[fresh], now)
            latest[fresh] = _instants(t.column("next_latest"))[fresh]
            due_since[fresh] = _instants(t.column("next_due_since"))[fresh]
            due_since[late] = first_due[late]
            self.replace_late(np.flatnonzero(late), channel, earliest, latest)
        by_engine = np.flatnonzero(~suppressed & ~paused & ~fresh & ~late)
        self.sources = {
            "index": int(fresh.sum() + paused.sum()),
            "late": int(late.sum()),
            "engine": len(by_engine),
        }
        if len(by_engine):
            states = _take(t.column("state"), by_engine).cast(pa.string()).to_pylist()
            for row, text in zip(by_engine.tolist(), states, strict=True):
                act = self.engine.next_action(Prospect.model_validate_json(text), self.now)
                self.actions[row] = act
                kind[row] = _KIND_CODE[act.kind.value]
                channel[row] = -1 if act.channel is None else _CHANNEL_CODE[act.channel.value]
                priority[row] = int(act.priority)
                earliest[row] = _us(act.earliest_utc) or 0
                latest[row] = _us(act.latest_utc) or 0
                due_since[row] = _NULL if act.due_since is None else _us(act.due_since) or 0
        return kind, channel, priority, earliest, latest, due_since

    def replace_late(self, rows: I64, channel: I64, earliest: I64, latest: I64) -> None:
        """R2: an expired single-task row is its task overdue, at the next allowed window after
        ``now``. That window depends on the place, channel, gap and R4 slot only (and on recent
        calls where elapsed-time caps apply), so it is computed once per distinct combination."""
        if not len(rows):
            return
        t = self.table
        parts, values = [], []
        for name in ("timezone", "country", "subdivision", "avoid_slot"):
            codes, vals = _codes(_take(t.column(name), rows))
            parts.append(codes + 1)  # 0: null
            values.append([None, *vals])
        ch = channel[rows]
        parts.append(ch)
        days = _take(t.column("min_date"), rows).cast(pa.int32()).fill_null(-1).to_numpy()
        parts.append(days.astype(np.int64) + 1)
        key = np.zeros(len(rows), dtype=np.int64)
        for part in parts:
            key = key * (int(part.max()) + 1) + part
        uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        # The newest recent call per row (elapsed-time caps only count calls that recent).
        calls = _take(t.column("recent_calls"), rows)
        newest = np.full(len(rows), _NULL, dtype=np.int64)
        flat = pc.list_flatten(calls).cast(pa.int64()).to_numpy(zero_copy_only=False)
        if len(flat):
            parent = pc.list_parent_indices(calls).to_numpy(zero_copy_only=False)
            np.maximum.at(newest, parent, flat)
        with_recent = (newest != _NULL) & (ch == _CHANNEL_CODE["phone"])
        starts = np.zeros(len(uniq), dtype=np.int64)
        ends = np.zeros(len(uniq), dtype=np.int64)
        reach = np.full(len(uniq), -1, dtype=np.int64)  # how far back the caps look (µs)
        for u, j in enumerate(first.tolist()):
            tz, country, sub, avoid = (values[i][parts[i][j]] for i in range(4))
            cal = self.calendar(str(tz), country, sub)
            c = _CHANNELS[int(ch[j])]
            min_date = None if days[j] < 0 else date.fromordinal(int(days[j]) + _EPOCH_ORDINAL)
            local_day = cal.local(self.now).date()
            if c is Channel.PHONE:
                caps = strictest_caps(cal.rules(c, local_day))
                reach[u] = max((cap.per // _US for cap in caps), default=-1)
            window = cal.next_window(c, self.now, min_date=min_date, avoid_slot=avoid)
            starts[u] = _us(window.start.astimezone(UTC)) or 0
            ends[u] = max(_us(window.end.astimezone(UTC)) or 0, starts[u])
        earliest[rows], latest[rows] = starts[inverse], ends[inverse]
        # Elapsed-time caps (e.g. MD, FR) count the prospect's own recent calls: one by one.
        alone = np.flatnonzero(with_recent & (newest > self.now_us - reach[inverse]))
        if len(alone):
            recents = _take(t.column("recent_calls"), rows[alone]).to_pylist()
            for j, recent in zip(alone.tolist(), recents, strict=True):
                tz, country, sub, avoid = (values[i][parts[i][j]] for i in range(4))
                cal = self.calendar(str(tz), country, sub)
                min_date = None if days[j] < 0 else date.fromordinal(int(days[j]) + _EPOCH_ORDINAL)
                window = cal.next_window(
                    _CHANNELS[int(ch[j])],
                    self.now,
                    min_date=min_date,
                    avoid_slot=avoid,
                    recent=tuple(recent),
                )
                start = _us(window.start.astimezone(UTC)) or 0
                earliest[rows[j]] = start
                latest[rows[j]] = max(_us(window.end.astimezone(UTC)) or 0, start)

    # -- steps 2 and 3: rank, capacity, slots ---------------------------------------------
    def run(self) -> TablePlan:
        t = self.table
        ids = _strings(t.column("id"))
        suppressed = np.zeros(self.n, dtype=bool)
        if self.blocked:
            values = pa.array(sorted(self.blocked), type=pa.string())
            for name in ("id", "phone", "email"):
                hit = pc.is_in(_strings(t.column(name)), value_set=values)
                suppressed |= hit.fill_null(False).to_numpy(zero_copy_only=False)
        kind, channel, priority, earliest, latest, due_since = self.decisions(suppressed)

        tz_code, tz_names = _codes(t.column("timezone"))
        bounds = [_day_bounds(self.day, zone(name or "")) for name in tz_names]
        day_start = np.array([_us(b[0]) for b in bounds] + [0], dtype=np.int64)[tz_code]
        day_end = np.array([_us(b[1]) for b in bounds] + [0], dtype=np.int64)[tz_code]

        live = ~suppressed
        idle = live & (np.isin(kind, _IDLE_CODES) | (channel < 0))
        tomorrow = live & ~idle & (earliest >= day_end)
        due = np.flatnonzero(live & ~idle & ~tomorrow)
        counts = {
            "suppressed": int(suppressed.sum()),
            "not_due": int(idle.sum() + tomorrow.sum()),
            "planned": 0,
            "deferred": 0,
        }

        # The batch order (plan_day's _rank): class, the instant it ranks by, then the id.
        pr, ds, ea = priority[due], due_since[due], earliest[due]
        has_ds = ds != _NULL
        follow = (pr > Priority.PREPARE) & (pr != Priority.DRIP)
        overdue = follow & has_ds & (ds < day_start[due])
        rank = np.where(pr <= Priority.PREPARE, pr, 6)
        rank = np.where(follow, np.where(overdue, 4, 5), rank)
        rank_at = np.where(((pr <= Priority.PREPARE) & has_ds) | overdue, ds, ea)
        key = rank * (1 << 56) + np.clip(rank_at + _KEY_BASE, 0, (1 << 56) - 1)
        due_ids = _take(ids, due)

        codes, values = _codes(t.column("owner"))
        names = [v or "" for v in values] + [""]  # plan_day: a missing owner is ""
        canon: dict[str, int] = {}
        remap = np.array([canon.setdefault(name, i) for i, name in enumerate(names)])
        owner = remap[codes[due]]
        group = owner * len(_CHANNELS) + channel[due]

        # Capacity per (owner, channel): the most urgent ``cap`` of each group.
        order = _sort({"g": group, "k": key, "id": due_ids})
        g = group[order]
        first = np.r_[True, g[1:] != g[:-1]] if len(g) else np.zeros(0, dtype=bool)
        start_at = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
        cap_of_start = {
            int(s): _capacity(
                self.capacity,
                names[int(g[s]) // len(_CHANNELS)],
                _CHANNELS[int(g[s]) % len(_CHANNELS)],
            )
            for s in np.flatnonzero(first)
        }
        limit = np.array([cap_of_start[int(s)] for s in start_at], dtype=np.int64)
        keep = np.arange(len(g)) - start_at < limit
        chosen, over = order[keep], order[~keep]

        # Slots: each owner's day, most urgent first (plan_day's second pass).
        chosen = chosen[
            _sort({"o": owner[chosen], "k": key[chosen], "id": due_ids.take(pa.array(chosen))})
        ]
        rows = due[chosen]
        info = {
            name: _take(t.column(name), rows).cast(pa.string()).to_pylist()
            for name in ("timezone", "country", "subdivision", "last_attempt_slot")
        }
        recents = _take(t.column("recent_calls"), rows)
        busy: dict[int, list[tuple[datetime, datetime]]] = {}
        memo: dict[Any, Any] = {}
        capped: dict[ContactCalendar, bool] = {}  # elapsed-time caps on the day (phone)
        zone_bounds = dict(zip(tz_names, bounds, strict=True))
        placed: list[int] = []
        unplaced: list[int] = []
        slots: list[tuple[int, int]] = []
        walk = zip(
            chosen.tolist(),
            channel[rows].tolist(),
            earliest[rows].tolist(),
            owner[chosen].tolist(),
            strict=True,
        )
        for j, (at, ch_code, first_us, who) in enumerate(walk):
            ch = _CHANNELS[ch_code]
            tz = info["timezone"][j]
            cal = self.calendar(tz, info["country"][j], info["subdivision"][j])
            phone = ch is Channel.PHONE
            recent: tuple[datetime, ...] = ()
            if phone:
                has_caps = capped.get(cal)
                if has_caps is None:
                    has_caps = capped[cal] = bool(strictest_caps(cal.rules(ch, self.day)))
                if has_caps:  # only then do the prospect's own recent calls matter
                    recent = tuple(recents[j].as_py() or ())
            got = _fit(
                cal,
                ch,
                _EPOCH + timedelta(microseconds=first_us),
                zone_bounds[tz],
                busy.setdefault(who, []),
                avoid=info["last_attempt_slot"][j] if phone else None,  # R4
                recent=recent,
                memo=memo,
            )
            if got is None:
                unplaced.append(at)
            else:
                placed.append(at)
                slots.append(((got[0] - _EPOCH) // _US, (got[1] - _EPOCH) // _US))
        counts["planned"] = len(placed)

        found = _Found(
            due, owner, names, kind, channel, priority, earliest, latest, due_since, rank, rank_at
        )
        touches = self.output(found, np.array(placed, dtype=np.int64), slots=slots)
        if touches.num_rows:
            touches = touches.take(
                _sort(
                    {
                        "o": touches.column("owner"),
                        "s": touches.column("start"),
                        "id": touches.column("prospect_id"),
                    }
                )
            )
        # Deferred: over capacity, or no free time left in the prospect's window.
        late_ones = np.array(unplaced, dtype=np.int64)
        deferred_idx = np.concatenate([over, late_ones])
        reasons = np.array(
            ["over capacity"] * len(over) + ["no free time in window"] * len(late_ones)
        )
        counts["deferred"] = len(deferred_idx)
        k = max(0, min(self.deferred_limit, len(deferred_idx)))
        if k < len(deferred_idx):
            keys = key[deferred_idx]
            cut = np.partition(keys, k - 1)[k - 1] if k else keys.min() - 1
            near = keys <= cut
            deferred_idx, reasons = deferred_idx[near], reasons[near]
        top = _sort({"k": key[deferred_idx], "id": due_ids.take(pa.array(deferred_idx))})[:k]
        deferred = self.output(found, deferred_idx[top], deferred_reasons=reasons[top].tolist())
        return TablePlan(self.day, touches, deferred, counts, self.sources)

    def output(
        self,
        found: _Found,
        idx: I64,
        *,
        slots: list[tuple[int, int]] | None = None,
        deferred_reasons: list[str] | None = None,
    ) -> pa.Table:
        """The rows ``idx`` (into ``found.due``) in :data:`PLAN_SCHEMA`."""
        due, owner, names, kind, channel, priority, earliest, latest, due_since, rank, rank_at = (
            found
        )
        rows = due[idx]
        t = self.table
        n = len(rows)
        if "next_rules" in t.column_names and "next_reason" in t.column_names:
            rules = _take(t.column("next_rules"), rows)
            reason = _take(t.column("next_reason"), rows)
        else:
            rules = pa.nulls(n, type=pa.list_(pa.string()))
            reason = pa.nulls(n, type=pa.string())
        decided = [j for j, row in enumerate(rows.tolist()) if row in self.actions]
        if decided:  # rows the engine decided: their rules and reason come from the action
            r_list, s_list = rules.to_pylist(), reason.to_pylist()
            for j in decided:
                act = self.actions[int(rows[j])]
                r_list[j], s_list[j] = list(act.rules), act.reason
            rules = pa.array(r_list, type=pa.list_(pa.string()))
            reason = pa.array(s_list, type=pa.string())

        def stamp(values: I64) -> pa.Array:
            return pa.array(values, type=pa.int64(), mask=values == _NULL).cast(_TS)

        def named(values: list[str], codes: I64) -> pa.Array:
            return pa.array(values, type=pa.string()).take(pa.array(codes, type=pa.int64()))

        timezone = _take(_strings(t.column("timezone")), rows)
        columns: dict[str, pa.Array] = {
            "owner": named(names, owner[idx]),
            "prospect_id": _take(_strings(t.column("id")), rows),
            "kind": named([k.value for k in _KINDS], kind[rows]),
            "channel": named([c.value for c in _CHANNELS], channel[rows]),
            "priority": pa.array(priority[rows], type=pa.int8()),
            "rules": rules,
            "reason": reason,
            "earliest": stamp(earliest[rows]),
            "latest": stamp(latest[rows]),
            "due_since": stamp(due_since[rows]),
            "rank": pa.array(rank[idx], type=pa.int8()),
            "rank_at": stamp(rank_at[idx]),
            "timezone": timezone,
        }
        if slots:
            start = np.array([a for a, _ in slots], dtype=np.int64)
            end = np.array([b for _, b in slots], dtype=np.int64)
            columns["start"], columns["end"] = stamp(start), stamp(end)
            columns["local_start"] = _local(columns["start"], timezone)
            columns["local_end"] = _local(columns["end"], timezone)
        else:
            for name in ("start", "end"):
                columns[name] = pa.nulls(n, type=_TS)
            for name in ("local_start", "local_end"):
                columns[name] = pa.nulls(n, type=pa.timestamp("us"))
        reasons: list[str | None] = [None] * n if deferred_reasons is None else [*deferred_reasons]
        columns["deferred_reason"] = pa.array(reasons, type=pa.string())
        return pa.table([columns[f.name] for f in PLAN_SCHEMA], schema=PLAN_SCHEMA)


def _take(col: pa.ChunkedArray, rows: I64) -> pa.Array:
    """``col.take(rows)``, chunk by chunk: taking from a chunked column would first join its
    chunks, copying (and paging in, for a memory-mapped table) the whole column."""
    if not isinstance(col, pa.ChunkedArray):
        return col.take(pa.array(rows, type=pa.int64()))
    if col.num_chunks <= 1:
        whole = col.chunk(0) if col.num_chunks else pa.array([], type=col.type)
        return whole.take(pa.array(rows, type=pa.int64()))
    bounds = np.cumsum([0, *(len(c) for c in col.chunks)])
    which = np.searchsorted(bounds, rows, side="right") - 1
    pieces, where = [], []
    for i in np.unique(which).tolist():
        at = np.flatnonzero(which == i)
        pieces.append(col.chunk(i).take(pa.array(rows[at] - bounds[i])))
        where.append(at)
    if not pieces:
        return pa.array([], type=col.type)
    order = np.argsort(np.concatenate(where), kind="stable")
    return pa.concat_arrays(pieces).take(pa.array(order))


def _local(instants: pa.Array, timezone: pa.Array) -> pa.Array:
    """Local wall-clock times (no zone) of UTC ``instants``, each in its row's ``timezone``."""
    out = pa.nulls(len(instants), type=pa.timestamp("us"))
    codes, zones = _codes(timezone)
    pieces, where = [], []
    for i, name in enumerate(zones):
        rows = np.flatnonzero(codes == i)
        local = pc.local_timestamp(instants.take(pa.array(rows)).cast(pa.timestamp("us", name)))
        pieces.append(local)
        where.append(rows)
    if not pieces:
        return out
    order = np.argsort(np.concatenate(where), kind="stable")
    return pa.concat_arrays(pieces).take(pa.array(order))


def _sort(columns: dict[str, Any]) -> I64:
    """Indices that sort by the columns, in order, all ascending."""
    if not len(next(iter(columns.values()))):
        return np.zeros(0, dtype=np.int64)
    table = pa.table(columns)
    order = pc.sort_indices(table, sort_keys=[(name, "ascending") for name in columns])
    out: I64 = order.to_numpy().astype(np.int64)
    return out
