"""Whether each row's ``state`` is still the text its other columns were derived from.

An edge module of the ``batch`` extra, used by :func:`cadence._table.to_table` (which writes a
checksum of every row's ``state``) and :func:`cadence._table.plan_table` (which, verifying, finds
the rows whose ``state`` was changed without the rest of the row: a CRM that writes the prospect's
JSON alone after an event). The planner reads the decision index and the flat columns instead of
the state, so such a row would be planned from its old columns: an opt-out written to the state
alone would still be called (R13). By default the planner checks only the rows its plan would
draw from those columns (a tenth of a book, or so), copied together a few MB at a time.

The checksum is Adler-32 (:func:`zlib.adler32`) of the state's UTF-8 bytes: the standard library
has it, it is as cheap as any digest the standard library offers, and the Adler-32 of texts laid
end to end follows from theirs and their lengths with a few integer operations per text. So the
planner checks a block of rows with one C call over the block's bytes, as Arrow stores them, and
a few numpy operations on the block's checksums and offsets; only a block that does not add up
is checked row by row. Every byte of every checked state is read once; no Python object is made
per row.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pyarrow as pa

from cadence._table_arrays import BOOL, I64, strings, take
from cadence.errors import InvalidInputError

__all__ = ["CHECK", "VERIFY", "Verify", "check_verify", "checksums", "stale_rows"]

#: The checksum column of ``state`` (uint32).
CHECK = "state_adler32"

_MOD = 65_521  # Adler-32's modulus
_BLOCK = 2_048  # rows checked by one C call; a block that does not add up is read row by row
_TAKEN = 8 * _BLOCK  # rows of a subset copied together before they are checked

#: What ``plan_table`` checks: the rows the day's plan draws from (``"planned"``), every row
#: (``"all"``), or none (``"off"``).
Verify = Literal["planned", "all", "off"]
VERIFY: tuple[Verify, ...] = ("planned", "all", "off")


def checksums(texts: Iterable[str]) -> list[int]:
    """The checksum of each ``state`` text, as :func:`to_table` writes it."""
    return [zlib.adler32(text.encode()) for text in texts]


def check_verify(verify: object) -> Verify:
    """``verify`` as given, if it is one of :data:`VERIFY`; anything else (a bool included:
    ``True`` would not say which rows) is refused, naming the three."""
    if isinstance(verify, str) and verify in VERIFY:
        return verify
    msg = (
        f"verify: expected 'planned' (the default: the rows the day's plan draws from), 'all' "
        f"or 'off', got {verify!r}; pass verify='all' to check every row, 'off' to check none"
    )
    raise InvalidInputError(msg, field="verify", value=verify)


def stale_rows(table: pa.Table, rows: I64 | None = None) -> tuple[I64, int]:
    """The rows whose ``state`` does not match its checksum (ascending), of ``rows``
    (ascending; ``None``: every row), and how many of them have no checksum to check against
    (a table written before the column, or rows of one)."""
    if CHECK not in table.column_names:
        return np.zeros(0, dtype=np.int64), table.num_rows if rows is None else len(rows)
    if rows is None:
        return _stale_in(strings(table.column("state")), table.column(CHECK))
    state = strings(table.column("state"))
    found, unknown = [], 0
    for start in range(0, len(rows), _TAKEN):  # a few MB of states copied at a time
        part = rows[start : start + _TAKEN]
        texts = take(state, part)
        stale, missing = _stale_in(pa.chunked_array([texts]), take(table.column(CHECK), part))
        found.append(part[stale])
        unknown += missing
    out: I64 = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    return out, unknown


def _stale_in(texts: pa.ChunkedArray, sums: pa.ChunkedArray | pa.Array) -> tuple[I64, int]:
    """:func:`stale_rows` of the strings ``texts`` and their checksums ``sums``."""
    sums = sums.cast(pa.uint32())
    stored = sums.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    known = sums.is_valid().to_numpy(zero_copy_only=False)
    stale = np.zeros(len(texts), dtype=bool)
    at = 0
    for chunk in texts.chunks:
        n = len(chunk)
        if n:
            rows = slice(at, at + n)
            _check(chunk, stored[rows], known[rows], stale[rows])
        at += n
    found: I64 = np.flatnonzero(stale)
    return found, int((~known).sum())


def _check(chunk: pa.Array, stored: I64, known: BOOL, stale: BOOL) -> None:
    """Marks in ``stale`` the rows of one chunk of ``state`` (plain strings) whose text does
    not match ``stored`` (where ``known``). A null state with a checksum is stale: it is read
    from ``state`` and refused there."""
    validity, offset_buffer, data = chunk.buffers()
    n = len(chunk)
    offsets = np.frombuffer(offset_buffer, dtype=np.int32, count=n + 1, offset=chunk.offset * 4)
    offsets = offsets.astype(np.int64)
    text = memoryview(data) if data is not None else memoryview(b"")
    if validity is not None and chunk.null_count:
        stale |= known & ~chunk.is_valid().to_numpy(zero_copy_only=False)
    lengths = np.diff(offsets)
    a, b = stored & 0xFFFF, stored >> 16
    for start in range(0, n, _BLOCK):
        end = min(n, start + _BLOCK)
        block = slice(start, end)
        if known[block].all() and not stale[block].any():
            # Adler-32 of the block's texts end to end, from theirs: A = 1 + sum(a - 1), and
            # B = total length + sum(b - length + (a - 1) * bytes after the text).
            after = (offsets[end] - offsets[start + 1 : end + 1]) % _MOD
            a1 = a[block] - 1
            whole_a = (1 + int(a1.sum())) % _MOD
            whole_b = offsets[end] - offsets[start] + int((b[block] - lengths[block]).sum())
            whole_b = (whole_b + int((after * a1).sum())) % _MOD
            if zlib.adler32(text[offsets[start] : offsets[end]]) == (whole_b << 16) | whole_a:
                continue
        for row in range(start, end):
            if known[row] and not stale[row]:
                got = zlib.adler32(text[offsets[row] : offsets[row + 1]])
                stale[row] = got != stored[row]
