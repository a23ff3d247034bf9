"""Prospects as Arrow tables, and the columnar day planner (the ``batch`` extra: pyarrow, numpy).

An edge module: the core never imports it; :mod:`cadence.batch` reaches it only when one of its
columnar functions is called. The schema is documented in ``docs/batch.md`` and on
:data:`SCHEMA`. The planner's steps live in :mod:`cadence._table_index` (which rows are due and
their next actions) and :mod:`cadence._table_slots` (capacity, slots and the plan's tables), on
the array helpers of :mod:`cadence._table_arrays`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from cadence._columns import Decision, decide, decided_by
from cadence._day import Capacity, booked_meetings, check_arguments, for_prospect, to_us
from cadence._rep_hours import RepHours, check_rep_hours
from cadence._suppression import Suppressions
from cadence._table_arrays import BOOL, I64
from cadence._table_arrays import TS as _TS
from cadence._table_arrays import take as _take
from cadence._table_arrays import us as _us
from cadence._table_index import Calendars, Due, find_due, load_state
from cadence._table_meetings import Meetings, find_meetings
from cadence._table_slots import PLAN_SCHEMA, each_once, plan_slots
from cadence._table_suppression import suppressed_rows
from cadence._table_verify import CHECK, Verify, check_verify, checksums, stale_rows
from cadence.engine import Engine
from cadence.errors import InvalidInputError, NoSlotError
from cadence.prospect import Prospect

__all__ = ["PLAN_SCHEMA", "SCHEMA", "TablePlan", "from_table", "plan_table", "to_table"]

_CHUNK = 16_384

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
        pa.field("meeting_starts", pa.list_(_TS)),
        pa.field("meeting_ends", pa.list_(_TS)),
        pa.field("state", pa.string(), nullable=False),
        pa.field(CHECK, pa.uint32()),
        pa.field("decided_by", pa.string()),
        pa.field("decided_at", _TS),
        pa.field("idle_until", _TS),
        pa.field("next_kind", pa.string()),
        pa.field("next_channel", pa.string()),
        pa.field("next_priority", pa.int8()),
        pa.field("next_rules", pa.list_(pa.string())),
        pa.field("next_reason", pa.string()),
        pa.field("next_also", pa.list_(pa.string())),
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
#: Columns a table written before them lacks: its meetings are read from ``state`` instead, and
#: its states cannot be checked against their index (``TablePlan.unverified``).
_OPTIONAL = ("meeting_starts", "meeting_ends", CHECK)
_INDEX = tuple(name for name in SCHEMA.names if name not in _OPTIONAL)

# -- building and reading tables ------------------------------------------------------------


def _decide(engine: Engine, p: Prospect) -> Decision:
    try:
        return decide(engine, p)
    except NoSlotError as exc:
        raise for_prospect(p.id, exc) from None


def _batch(rows: list[Prospect], engine: Engine | None, by: str | None) -> pa.RecordBatch:
    decisions: list[Decision | None] = [
        None if engine is None else _decide(engine, p) for p in rows
    ]
    meetings = [booked_meetings(p) for p in rows]
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
        "meeting_starts": [[_us(m[0]) for m in found] for found in meetings],
        "meeting_ends": [[_us(m[1]) for m in found] for found in meetings],
        "state": [p.model_dump_json() for p in rows],
        "decided_by": [by if d is not None else None for d in decisions],
    }

    def pick(name: str, get: Any) -> None:
        cols[name] = [None if d is None else get(d) for d in decisions]

    cols[CHECK] = checksums(cols["state"])
    pick("decided_at", lambda d: _us(d.decided_at))
    pick("idle_until", lambda d: _us(d.idle_until))
    pick("next_kind", lambda d: d.kind.value)
    pick("next_channel", lambda d: None if d.channel is None else d.channel.value)
    pick("next_priority", lambda d: d.priority)
    pick("next_rules", lambda d: list(d.rules))
    pick("next_reason", lambda d: d.reason)
    pick("next_also", lambda d: [k.value for k in d.also])
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
    if not isinstance(table, pa.Table):
        msg = f"table: expected a pyarrow.Table, got {type(table).__name__}; use to_table(...)"
        raise InvalidInputError(msg, field="table", value=table)
    return [load_state(s, row, table) for row, s in enumerate(_states(table))]


@dataclass(frozen=True)
class TablePlan:
    """The columnar day plan: ``touches`` and ``deferred`` as Arrow tables (schema
    :data:`PLAN_SCHEMA`; touches ordered by owner, start, prospect id; deferred by urgency),
    ``counts`` as in :class:`cadence.batch.DayPlan`, and ``sources``: how many considered rows
    the index decided (``index``), the index re-placed as overdue (``late``), the engine
    decided (``engine``), and the engine decided because their ``state`` had changed under
    their index (``stale``); ``unverified``: how many rows' ``state`` was not compared with
    its checksum (by default the rows the index decided and the plan draws nothing from; with
    ``verify="off"`` every row; and the rows of a table written before the checksum column)."""

    day: date
    touches: pa.Table
    deferred: pa.Table
    counts: dict[str, int]
    sources: dict[str, int]
    unverified: int = 0


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
    rep_hours: Mapping[str, RepHours] | None = None,
    verify: Verify = "planned",
) -> TablePlan:
    """``plan_day`` over a table of prospects, vectorised: the same plan, row for row.

    ``verify``: the rows whose ``state`` is checked against its checksum (``"planned"``: the
    rows step 1 finds the plan draws from; ``"all"``: every row, first; ``"off"``: none). A row
    whose state was changed without the rest of its row (:func:`_rederived`) is planned from
    its state, and step 1 is run again.

    Step 1 (:mod:`cadence._table_index`) finds the rows due on the day and their next actions,
    reading every row's decision index but only the due rows' other columns, and
    (:mod:`cadence._table_meetings`) the day's booked meetings; steps 2 and 3
    (:mod:`cadence._table_slots`) rank the due rows, keep each owner's capacity and give them
    slots around the meetings (and, for the owners of ``rep_hours``, inside their working
    hours)."""
    if not isinstance(engine, Engine):
        msg = f"engine: expected a cadence.Engine, got {type(engine).__name__}"
        raise InvalidInputError(msg, field="engine", value=engine)
    now_utc, entries = check_arguments(day, now, capacity, suppressions, deferred_limit)
    hours = check_rep_hours(rep_hours)
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
    mode = check_verify(verify)
    table = _conform(table)
    found = _Found(engine, day=day, now=now_utc, entries=entries)
    n = table.num_rows
    if mode == "off":
        stale, unverified = np.zeros(0, dtype=np.int64), n
        step = found(table)
    elif mode == "all":
        stale, unverified = stale_rows(table)
        table = _rederived(table, stale)
        step = found(table)
    else:
        step = found(table)
        checked = _drawn_from_columns(*step[1:])
        stale, unknown = stale_rows(table, checked)
        unverified = n - len(checked) + unknown
        if len(stale):
            table = _rederived(table, stale)
            step = found(table)
    suppressed, due, meetings = step
    plan = plan_slots(
        table,
        due,
        meetings,
        day=day,
        now=to_us(now_utc),
        capacity=capacity,
        deferred_limit=deferred_limit,
        calendar=found.calendar,
        rep_hours=hours,
    )
    # The stale rows (their index nulled) went to the engine: counted apart.
    sources = dict(due.sources)
    sources["stale"] = int((~suppressed[stale]).sum())
    sources["engine"] -= sources["stale"]
    return TablePlan(day, plan.touches, plan.deferred, plan.counts, sources, unverified)


class _Found:
    """Step 1 of :func:`plan_table` for one table: the suppressed rows, the due rows and the
    day's meetings (run again when stale rows were written again from their states)."""

    def __init__(self, engine: Engine, *, day: date, now: datetime, entries: Iterable[str]) -> None:
        self.engine, self.day, self.now = engine, day, now
        self.now_us = _us(now) or 0
        self.suppressions = Suppressions(entries)
        self.calendar = Calendars(engine)

    def __call__(self, table: pa.Table) -> tuple[BOOL, Due, Meetings]:
        each_once(table.column("id"))  # a book holds each prospect once, whatever its rows owe
        indexed = all(name in table.column_names for name in _INDEX)
        suppressed = suppressed_rows(table, self.suppressions)
        due = find_due(
            self.engine,
            table,
            day=self.day,
            now=self.now,
            suppressed=suppressed,
            indexed=indexed,
            calendar=self.calendar,
        )
        meetings = find_meetings(table, ~suppressed, self.day, self.now_us)
        return suppressed, due, meetings


def _drawn_from_columns(due: Due, meetings: Meetings) -> I64:
    """The rows checked by default (ascending): those the day's plan draws something from (the
    due rows: a touch, a deferred touch, a reminder to log a meeting, whose owner, place and
    contact points are read from the row's columns whichever way their action was decided; the
    rows whose booked meetings are listed or block their owner's time), and those the engine
    decided (their states were read: checking them costs little, and a stale one is then
    planned from its state whole, its columns included)."""
    engine = np.fromiter(due.actions, dtype=np.int64, count=len(due.actions))
    rows: I64 = np.union1d(np.union1d(due.rows, meetings.blocking[0]), engine)
    return rows


def _rederived(table: pa.Table, rows: I64) -> pa.Table:
    """The table with ``rows`` (their ``state`` changed without the rest of the row) written
    again from their state, without an index: their flat columns (owner, phone, email, place,
    meetings) are the state's, and the engine decides them, as ``plan_day`` would. Only the
    chunks holding such rows are copied."""
    if not len(rows):
        return table
    states = _take(table.column("state"), rows).to_pylist()
    again = _batch(
        [load_state(s, row, table) for row, s in zip(rows.tolist(), states, strict=True)],
        None,
        None,
    )
    columns = []
    for name in table.column_names:
        col = table.column(name)
        if name in SCHEMA.names:
            col = _replaced(col, rows, again.column(name))
        columns.append(col)
    return pa.table(columns, names=table.column_names)


def _replaced(col: pa.ChunkedArray, rows: I64, values: pa.Array) -> pa.ChunkedArray:
    """``col`` with ``values`` at ``rows`` (ascending), chunk by chunk."""
    chunks, at, used = [], 0, 0
    for chunk in col.chunks:
        n = len(chunk)
        mine = rows[(rows >= at) & (rows < at + n)] - at
        if len(mine):
            order = np.arange(n, dtype=np.int64)
            order[mine] = n + np.arange(len(mine))
            part = values.slice(used, len(mine))
            chunk = pa.concat_arrays([chunk, part]).take(pa.array(order))
            used += len(mine)
        chunks.append(chunk)
        at += n
    return pa.chunked_array(chunks, type=col.type)


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
