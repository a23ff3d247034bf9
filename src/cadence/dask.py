"""Batch planning on Dask, for books that outgrow one machine (the ``dask`` extra).

A Dask DataFrame of prospects in :func:`cadence.batch.to_table`'s schema is planned partition by
partition with :func:`cadence.batch.plan_table`. Capacity is per owner, so every owner's rows must
sit in one partition: the frame is shuffled by ``owner`` first, unless ``by_owner=True`` says it
already is (Parquet files written per owner bucket, say), which is then checked. The partial plans
are merged on the client: touches sorted by owner, slot start and prospect id, deferred touches by
urgency (the most urgent ``deferred_limit`` kept), counts added up. The result is the plan
``plan_table`` (and ``plan_day``) gives for the whole book in one process, and a book it refuses
is refused here too: a prospect id in two partitions (a book holding it twice, under two owners)
included, as the ids of every partition are checked together on the client.

Build the frame with Arrow-backed columns (list and date columns survive that way):
:func:`from_table` does it for a table in memory; for Parquet use
``dd.read_parquet(path, dtype_backend="pyarrow")``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from dask import config
from dask.base import compute
from dask.delayed import delayed

from cadence._day import Capacity, check_arguments
from cadence._rep_hours import RepHours, check_rep_hours
from cadence._table import PLAN_SCHEMA, TablePlan, plan_table
from cadence._table_arrays import sort as _sort
from cadence._table_index import StateError
from cadence._table_slots import each_once, held_twice
from cadence._table_verify import Verify, check_verify
from cadence.engine import Engine
from cadence.errors import CadenceError, InvalidInputError
from cadence.policy import Policy

__all__ = ["from_table", "plan_frame"]


def from_table(table: pa.Table, npartitions: int) -> dd.DataFrame:
    """A Dask DataFrame of ``table`` (from :func:`cadence.batch.to_table`) with Arrow-backed
    columns, in ``npartitions`` partitions (rows are shuffled by owner when planned)."""
    if not isinstance(table, pa.Table):
        msg = f"table: expected a pyarrow.Table, got {type(table).__name__}; use to_table(...)"
        raise InvalidInputError(msg, field="table", value=table)
    if isinstance(npartitions, bool) or not isinstance(npartitions, int) or npartitions < 1:
        msg = f"npartitions: {npartitions!r} is not a whole number >= 1; give e.g. 8"
        raise InvalidInputError(msg, field="npartitions", value=npartitions)
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    result: dd.DataFrame = dd.from_pandas(frame, npartitions=npartitions, sort=False)
    return result


@cache
def _engine(policy_json: str) -> Engine:
    """One engine per policy in each worker process (engines cache calendars)."""
    return Engine(Policy.model_validate_json(policy_json))


def _plan_partition(
    part: pd.DataFrame,
    policy_json: str,
    day: date,
    now: datetime,
    capacity: Capacity,
    suppressions: tuple[str, ...],
    deferred_limit: int,
    rep_hours: dict[str, RepHours],
    verify: Verify,
) -> tuple[TablePlan | CadenceError | None, frozenset[str], pa.Array]:
    """The partition's plan (none if it holds an id twice: the client names the smallest such
    id of the whole frame; the error if ``plan_table`` refuses it: the client raises it once
    the ids are checked, as ``plan_table`` checks a whole table's ids first), its owners and
    its ids, for the client's checks across them."""
    table = pa.Table.from_pandas(part, preserve_index=False)
    owners = pc.unique(table.column("owner").cast(pa.string()).fill_null("")).to_pylist()
    ids = table.column("id").cast(pa.string()).combine_chunks()
    if held_twice(ids) is not None:
        return None, frozenset(owners), ids
    try:
        plan: TablePlan | CadenceError = plan_table(
            _engine(policy_json),
            table,
            day=day,
            now=now,
            capacity=capacity,
            suppressions=suppressions,
            deferred_limit=deferred_limit,
            rep_hours=rep_hours,
            verify=verify,
        )
    except StateError as exc:  # (the row's number in this partition is not the book's)
        row = "a row" if exc.prospect_id is None else f"the row of id {exc.prospect_id!r}"
        plan = InvalidInputError(f"frame: {row}{exc.detail}", field=exc.field, value=exc.value)
    except CadenceError as exc:  # raised on the client once the ids are checked together
        plan = exc
    return plan, frozenset(owners), ids


def plan_frame(
    engine: Engine,
    frame: dd.DataFrame,
    *,
    day: date,
    now: datetime,
    capacity: Capacity,
    suppressions: Iterable[str] = (),
    deferred_limit: int = 10_000,
    by_owner: bool = False,
    rep_hours: Mapping[str, RepHours] | None = None,
    verify: Verify = "planned",
) -> TablePlan:
    """Plan ``day`` for a Dask DataFrame of prospects on the current Dask scheduler (a
    ``distributed.Client`` if one is active): the same plan as ``plan_table`` on the whole
    table. ``by_owner=True`` skips the shuffle for a frame whose partitions already hold
    disjoint sets of owners (checked: an owner found in two partitions is an error).
    ``rep_hours``: the owners' working hours, as for ``plan_day``; ``verify``: as for
    ``plan_table`` (each partition's states are checked where it is planned)."""
    if not isinstance(engine, Engine):
        msg = f"engine: expected a cadence.Engine, got {type(engine).__name__}"
        raise InvalidInputError(msg, field="engine", value=engine)
    if not isinstance(frame, dd.DataFrame):
        msg = (
            f"frame: expected a dask DataFrame, got {type(frame).__name__}; "
            "build one with cadence.dask.from_table(table, npartitions)"
        )
        raise InvalidInputError(msg, field="frame", value=frame)
    checked = check_arguments(day, now, capacity, suppressions, deferred_limit)
    blocked = tuple(sorted(checked[1]))
    hours = check_rep_hours(rep_hours)
    verify = check_verify(verify)
    if "owner" not in frame.columns:
        msg = "frame: no 'owner' column; build the frame from cadence.batch.to_table(...)"
        raise InvalidInputError(msg, field="frame", value=list(frame.columns))
    if not by_owner:
        frame = _shuffled_by_owner(frame)
    policy_json = engine.policy.model_dump_json()
    args = (policy_json, day, now, capacity, blocked, deferred_limit, hours, verify)
    # One task per partition plans what the task before it loaded, on the same worker (the
    # scheduler keeps a dependent with its one input), and only the partition's small plan
    # travels: straight to this client, not gathered into one frame on a worker first.
    with config.set({"dataframe.convert-string": False}):
        parts = frame.to_delayed()
        tasks = [delayed(_plan_partition, pure=True)(part, *args) for part in parts]
        results: list[tuple[TablePlan | CadenceError | None, frozenset[str], pa.Array]]
        results = list(compute(*tasks))
    _check_owners_apart([owners for _, owners, _ in results], by_owner)
    # A book holds each prospect once (as plan_table checks): across partitions too, where a
    # copy under another owner lands.
    each_once(pa.chunked_array([ids for _, _, ids in results], type=pa.string()))
    for found, _, _ in results:  # (the first partition's, whichever the scheduler ran first)
        if isinstance(found, CadenceError):
            raise found
    plans = [plan for plan, _, _ in results if isinstance(plan, TablePlan)]
    return _merge(day, plans, deferred_limit)


_OWNER_KEY = "__cadence_owner"


def _shuffled_by_owner(frame: dd.DataFrame) -> dd.DataFrame:
    """The frame with each owner's rows in one partition. A missing owner and ``""`` are one
    pool (as in ``plan_table``), so the rows are shuffled on the owner with nulls as ``""``:
    on the column itself, a null and ``""`` hash apart."""
    keyed = frame.assign(**{_OWNER_KEY: frame["owner"].fillna("")})
    keyed = keyed.shuffle(on=_OWNER_KEY, npartitions=frame.npartitions, shuffle_method="tasks")
    result: dd.DataFrame = keyed.drop(columns=_OWNER_KEY)
    return result


def _check_owners_apart(owners: list[frozenset[str]], by_owner: bool) -> None:
    """Refuse partitions that share an owner (``owners``: each partition's, a missing one as
    ``""``): capacity would be counted once in each."""
    seen: dict[str, int] = {}
    for i, found in enumerate(owners):
        for owner in sorted(found):
            if seen.setdefault(owner, i) != i:
                advice = (
                    "write each owner's rows to one partition (a missing owner is '', one "
                    "pool with it), or pass by_owner=False to shuffle by owner"
                    if by_owner
                    else "the shuffle by owner should have put them together; please report it"
                )
                msg = (
                    f"frame: owner {owner!r} has rows in partitions {seen[owner]} and {i}, so "
                    f"capacity would be counted twice; {advice}"
                )
                raise InvalidInputError(msg, field="frame", value=owner)


def _merge(day: date, plans: list[TablePlan], deferred_limit: int) -> TablePlan:
    """One plan from per-partition plans over disjoint owners and disjoint ids."""
    touches = pa.concat_tables([p.touches for p in plans]) if plans else PLAN_SCHEMA.empty_table()
    touches = touches.take(
        _sort(
            {
                "o": touches.column("owner"),
                "s": touches.column("start"),
                "id": touches.column("prospect_id"),
            }
        )
    )
    deferred = pa.concat_tables([p.deferred for p in plans]) if plans else touches.slice(0, 0)
    order = _sort(
        {
            "r": deferred.column("rank"),
            "t": deferred.column("rank_at"),
            "id": deferred.column("prospect_id"),
        }
    )
    deferred = deferred.take(order[:deferred_limit])
    counts: dict[str, int] = {}
    sources: dict[str, int] = {}
    unverified = 0
    for p in plans:
        unverified += p.unverified
        for key, n in p.counts.items():
            counts[key] = counts.get(key, 0) + n
        for key, n in p.sources.items():
            sources[key] = sources.get(key, 0) + n
    return TablePlan(day, touches, deferred, counts, sources, unverified)
