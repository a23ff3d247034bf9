"""Arrow columns as numpy arrays and back: the pieces the columnar planner is built from.

An edge module of the ``batch`` extra (pyarrow, numpy), like :mod:`cadence._table`. Instants are
int64 microseconds since the epoch (UTC) with :data:`NULL` for a missing one, strings are integer
codes into their distinct values: numpy then compares, masks and sorts them without a Python
object per row. A table read from an Arrow IPC file is memory-mapped, so the helpers work chunk by
chunk and take only the rows asked for: a whole column is never joined, copied or paged in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cadence.actions import ActionKind
from cadence.calendar import zone
from cadence.channel import Channel

__all__ = [
    "BOOL",
    "CHANNELS",
    "CHANNEL_CODE",
    "EPOCH",
    "I64",
    "KINDS",
    "KIND_CODE",
    "NULL",
    "TS",
    "US",
    "codes",
    "codes_at",
    "instants",
    "local",
    "null_and_after",
    "sort",
    "stamp",
    "strings",
    "take",
    "us",
]

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

TS = pa.timestamp("us", tz="UTC")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
NULL = np.iinfo(np.int64).min
"""A missing instant, in the int64 microsecond arrays."""

KINDS = list(ActionKind)
KIND_CODE = {k.value: i for i, k in enumerate(KINDS)}
CHANNELS = list(Channel)
CHANNEL_CODE = {c.value: i for i, c in enumerate(CHANNELS)}


def us(t: datetime | None) -> int | None:
    """``t`` in microseconds since the epoch (``None`` stays ``None``)."""
    return None if t is None else (t - EPOCH) // US


def strings(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """Plain strings, whatever the frame library made of them (dictionary, large or view
    strings), chunk by chunk: a memory-mapped table is neither copied nor paged in whole."""
    if isinstance(col, pa.Array):
        col = pa.chunked_array([col], type=col.type)
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if col.type != pa.string():
        col = col.cast(pa.string())
    return col


def codes(col: pa.ChunkedArray | pa.Array) -> tuple[I64, list[str | None]]:
    """Integer codes (``-1`` for null) and the distinct values they stand for."""
    enc = pc.dictionary_encode(strings(col))  # one dictionary shared by every chunk
    if not enc.num_chunks:
        return np.zeros(0, dtype=np.int64), []
    indices = pa.chunked_array([c.indices for c in enc.chunks], type=enc.type.index_type)
    out: I64 = indices.fill_null(-1).to_numpy().astype(np.int64)
    return out, enc.chunk(0).dictionary.to_pylist()


def codes_at(col: pa.ChunkedArray, rows: I64) -> tuple[I64, list[str | None]]:
    """``codes(take(col, rows))``, read in ascending row order: the codes are put back in the
    order of ``rows`` with numpy, instead of reordering the strings."""
    if len(rows) < 2 or bool((rows[1:] >= rows[:-1]).all()):
        return codes(take(col, rows))
    asc = np.argsort(rows, kind="stable")
    found, values = codes(take(col, rows[asc]))
    out: I64 = np.empty_like(found)
    out[asc] = found
    return out, values


def _views(col: pa.ChunkedArray) -> Iterator[tuple[slice, I64, BOOL | None]]:
    """Per non-empty chunk of a timestamp column: its rows in the whole column, its int64 values
    viewed in place in the chunk's buffer (no copy), and which are valid (``None``: all are)."""
    if col.type != TS:
        col = col.cast(TS)
    at = 0
    for chunk in col.chunks:
        n = len(chunk)
        if not n:
            continue
        validity, values = chunk.buffers()[:2]
        view = np.frombuffer(values, dtype=np.int64, count=n, offset=chunk.offset * 8)
        valid = None
        if chunk.null_count:
            bits = np.frombuffer(validity, dtype=np.uint8)
            unpacked = np.unpackbits(bits, count=chunk.offset + n, bitorder="little")
            valid = unpacked[chunk.offset :].astype(bool)
        yield slice(at, at + n), view, valid
        at += n


def instants(col: pa.ChunkedArray | pa.Array) -> I64:
    """Microseconds since the epoch (UTC), :data:`NULL` for null: one copy of the values, made
    chunk by chunk from their buffers (casting, filling and joining would copy three times)."""
    if isinstance(col, pa.Array):
        col = pa.chunked_array([col], type=col.type)
    out: I64 = np.empty(len(col), dtype=np.int64)
    for rows, view, valid in _views(col):
        part = out[rows]
        part[:] = view
        if valid is not None:
            part[~valid] = NULL
    return out


def null_and_after(col: pa.ChunkedArray, t: int) -> tuple[BOOL, BOOL]:
    """Which instants of a timestamp column are null, and which are after ``t`` (µs): compared
    in place, chunk by chunk, so that no int64 copy of the column is made (a book's worth of
    them would add to the planner's peak memory)."""
    null = np.zeros(len(col), dtype=bool)
    after = np.zeros(len(col), dtype=bool)
    for rows, view, valid in _views(col):
        np.greater(view, t, out=after[rows])
        if valid is not None:
            np.logical_not(valid, out=null[rows])
            after[rows] &= valid
    return null, after


def stamp(values: I64) -> pa.Array:
    """Int64 microseconds back to a UTC timestamp array (:data:`NULL` is null)."""
    return pa.array(values, type=pa.int64(), mask=values == NULL).cast(TS)


def take(col: pa.ChunkedArray | pa.Array, rows: I64) -> pa.Array:
    """``col.take(rows)``, chunk by chunk: taking from a chunked column would first join its
    chunks, copying (and paging in, for a memory-mapped table) the whole column. Rows in
    ascending order (the planner's masks give them so) are cut per chunk without reordering."""
    if not isinstance(col, pa.ChunkedArray):
        return col.take(pa.array(rows, type=pa.int64()))
    if col.num_chunks <= 1:
        whole = col.chunk(0) if col.num_chunks else pa.array([], type=col.type)
        return whole.take(pa.array(rows, type=pa.int64()))
    if len(rows) > 1 and not bool((rows[1:] >= rows[:-1]).all()):
        order = np.argsort(rows, kind="stable")
        inverse = np.empty(len(rows), dtype=np.int64)
        inverse[order] = np.arange(len(rows))
        return take(col, rows[order]).take(pa.array(inverse))
    bounds = np.cumsum([0, *(len(c) for c in col.chunks)])
    cuts = np.searchsorted(rows, bounds).tolist()
    pieces = [
        col.chunk(i).take(pa.array(rows[cuts[i] : cuts[i + 1]] - bounds[i]))
        for i in range(col.num_chunks)
        if cuts[i + 1] > cuts[i]
    ]
    if not pieces:
        return pa.array([], type=col.type)
    return pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces)


#: Arrow reads a zone's rules from the tz database's transitions, which stop in 2037 (it
#: ignores the rule that carries them on): from then on, local times are Python's (zoneinfo,
#: as ``plan_day`` computes them). Before, the two agree in every zone.
_ARROW_ZONES_UNTIL = (datetime(2037, 1, 1, tzinfo=UTC) - EPOCH) // US


def local(instants: pa.Array, timezone: pa.Array) -> pa.Array:
    """Local wall-clock times (no zone) of UTC ``instants``, each in its row's ``timezone``."""
    out = pa.nulls(len(instants), type=pa.timestamp("us"))
    zone_codes, zones = codes(timezone)
    pieces, where = [], []
    for i, name in enumerate(zones):
        rows = np.flatnonzero(zone_codes == i)
        pieces.append(_wall(instants.take(pa.array(rows)), name))
        where.append(rows)
    if not pieces:
        return out
    order = np.argsort(np.concatenate(where), kind="stable")
    return pa.concat_arrays(pieces).take(pa.array(order))


def _wall(instants: pa.Array, name: str | None) -> pa.Array:
    """Local wall-clock times (no zone) of UTC ``instants`` in the zone ``name``: Arrow's
    before :data:`_ARROW_ZONES_UNTIL`, Python's from then on (few rows: a plan's days)."""
    at = pc.local_timestamp(instants.cast(pa.timestamp("us", name)))
    if name is None:
        return at
    micros = instants.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    late = np.flatnonzero(micros >= _ARROW_ZONES_UNTIL)
    if not len(late):
        return at
    tz = zone(name)
    walls = at.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False).copy()
    for j in late.tolist():
        wall = (EPOCH + int(micros[j]) * US).astimezone(tz).replace(tzinfo=UTC)
        walls[j] = (wall - EPOCH) // US
    nulls = instants.is_null().to_numpy(zero_copy_only=False)
    return pa.array(walls, type=pa.int64(), mask=nulls).cast(pa.timestamp("us"))


def sort(columns: dict[str, Any]) -> I64:
    """Indices that sort by the columns, in order, all ascending (stable)."""
    if not len(next(iter(columns.values()))):
        return np.zeros(0, dtype=np.int64)
    table = pa.table(columns)
    order = pc.sort_indices(table, sort_keys=[(name, "ascending") for name in columns])
    out: I64 = order.to_numpy().astype(np.int64)
    return out
