"""The columnar planner's meetings: the booked meetings of the planned day, which block their
owners' time and are listed in the plan (as ``plan_day`` does, :mod:`cadence.batch`).

An edge module of the ``batch`` extra, used by :mod:`cadence._table_index`. Few prospects have
a meeting booked, so the flat ``meeting_starts`` and ``meeting_ends`` columns are read only
where their lists are not empty (their lengths are read for every row, from the offsets). A
table written without those columns has its meetings read from the ``state`` of the rows whose
JSON books one.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cadence._day import booked_meetings, day_bounds, meeting_span
from cadence._table_arrays import BOOL, EPOCH, I64, US, codes, instants, strings, take, us
from cadence._table_index import load_state
from cadence.calendar import zone

__all__ = ["Meetings", "find_meetings"]

_DAY_US = 86_400_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_BOOKED = r'"status"\s*:\s*"booked"'  # in a state's JSON: a booked meeting, perhaps


class Meetings(NamedTuple):
    """The day's booked meetings, in table order (a row's in its state's order): the row of
    each, its start and end (µs), and its time zone (codes into ``zones``); and every booked
    meeting that blocks its owner's time in the day's plan (``blocking``: rows, starts and
    ends), the day's and those of other local days that overlap it."""

    rows: I64
    start: I64
    end: I64
    tz: I64
    zones: list[str]
    blocking: tuple[I64, I64, I64]


def find_meetings(table: pa.Table, live: BOOL, day: date, now_us: int) -> Meetings:
    """The booked meetings of the ``live`` rows that start on ``day`` (each prospect's local
    day) and end after ``now`` (:func:`cadence._day.on_the_day`), and those that block their
    owners' time in the day's plan, whichever day they start on (``plan_day``'s
    :func:`cadence.batch.meeting_span`)."""
    rows, start, end = _booked(table, live)
    # A local day lies within a day of the UTC one (|UTC offset| < 24 h): only meetings that
    # overlap that span and are not over can block a touch, or be listed, in their zones.
    lo, hi = meeting_span(day, EPOCH + now_us * US)
    near = (end > lo) & (start < hi)
    rows, start, end = rows[near], start[near], end[near]
    blocking = (rows, start, end)
    tz, values = codes(take(table.column("timezone"), rows))
    zones = [name or "" for name in values]
    bounds = [day_bounds(day, zone(name)) for name in zones]
    day_start = np.array([us(b[0]) or 0 for b in bounds] + [0], dtype=np.int64)
    day_end = np.array([us(b[1]) or 0 for b in bounds] + [0], dtype=np.int64)
    on_day = (start >= day_start[tz]) & (start < day_end[tz])
    return Meetings(rows[on_day], start[on_day], end[on_day], tz[on_day], zones, blocking)


def _booked(table: pa.Table, live: BOOL) -> tuple[I64, I64, I64]:
    """Every booked meeting of the ``live`` rows: its row, start and end (µs)."""
    if "meeting_starts" not in table.column_names:
        return _booked_in_states(table, live)
    starts = table.column("meeting_starts")
    lengths = pc.list_value_length(starts).fill_null(0).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero((lengths > 0) & live)
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty.copy()
    taken = take(starts, rows)
    parent = pc.list_parent_indices(taken).to_numpy(zero_copy_only=False)
    start = instants(pc.list_flatten(taken))
    end = instants(pc.list_flatten(take(table.column("meeting_ends"), rows)))
    found: I64 = rows[parent]
    return found, start, end


def _booked_in_states(table: pa.Table, live: BOOL) -> tuple[I64, I64, I64]:
    """:func:`_booked` for a table without the meeting columns: from the states of the rows
    whose JSON may book a meeting."""
    state = strings(table.column("state"))
    maybe = pc.match_substring_regex(state, _BOOKED).fill_null(False)
    rows = np.flatnonzero(maybe.to_numpy(zero_copy_only=False) & live)
    found: list[int] = []
    start: list[int] = []
    end: list[int] = []
    for row, text in zip(rows.tolist(), take(state, rows).to_pylist(), strict=True):
        for begins, ends, _ in booked_meetings(load_state(text, row, table)):
            found.append(row)
            start.append(us(begins) or 0)
            end.append(us(ends) or 0)
    return (
        np.array(found, dtype=np.int64),
        np.array(start, dtype=np.int64),
        np.array(end, dtype=np.int64),
    )
