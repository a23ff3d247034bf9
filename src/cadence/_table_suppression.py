"""The suppressed rows of a table (R13): :meth:`Suppressions.blocks` for every row, vectorised.

An edge module of the ``batch`` extra, used by :func:`cadence._table.plan_table`. It gives
exactly the rows ``plan_day`` suppresses (the rule is :mod:`cadence._suppression`'s), reading
the ``id``, ``phone`` and ``email`` columns chunk by chunk:

- ids equal to an entry, and phones equal to one that is not a number: ``is_in``;
- emails: trimmed and lower-cased with Arrow's ASCII kernels, which are Python's ``strip`` and
  ``casefold`` on ASCII text; the few non-ASCII emails are keyed in Python;
- phones: two numbers match only if they end with the same seven digits, and most numbers
  end with seven digits as written (``+13125550104``), so the last eight bytes of each row
  are read as one integer and decoded with integer arithmetic, then looked up in a table of
  the list's endings (a flag for each of the ten million), a block of rows at a time. Rows
  written otherwise (a trailing space, ``555-0104``) have their digits gathered with numpy,
  slower, and so do the rows that hold a letter, ``#``, ``,`` or ``;`` (an extension may
  end their number before their last digits: ``312-555-0104 x5``): the digits before the
  first of those after the seventh digit are the number's, and its ending is looked up too.
  Only the rows with an ending on the list are then asked
  :meth:`Suppressions.blocks_phone` (a handful in a book, so the rule is plan_day's own
  code), and so are the rows written otherwise that are not ASCII or hold a ``(0)``: their
  digits are not the ASCII ones in order.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cadence._suppression import EXTENSION_SIGNS, MIN_DIGITS, Suppressions, email_key
from cadence._table_arrays import BOOL, I64, strings

__all__ = ["suppressed_rows"]

#: The characters Python's ``str.strip`` removes from ASCII text, for Arrow's ``ascii_trim``.
_ASCII_SPACES = "".join(c for c in map(chr, range(128)) if c.isspace())
_ENDINGS = 10**MIN_DIGITS  # the possible endings of seven digits
_BLOCK = 32_768  # rows read at a time
_AT = ord("@")  # below it: digits, spaces and the signs phones are written with
_COLON = ord(":")  # from it up: letters, ";" and the bytes of characters not ASCII
_HASH, _COMMA, _SEMICOLON = (ord(c) for c in EXTENSION_SIGNS)
_LOWER_A = np.uint8(ord("a"))
_CASE = np.uint8(0x20)  # an ASCII letter's case bit
_U = np.uint64
_SEVEN = _U(0xFFFFFFFFFFFFFF00)  # a word's last seven bytes (little-endian)
_HIGH = _U(0xF0F0F0F0F0F0F000)  # the high halves of those bytes
_ZEROS = _U(0x3030303030303000)  # seven '0's
_SIXES = _U(0x0606060606060600)
#: Eight digits, one a byte (the most significant lowest), to their value in three steps.
_PAIRS = [
    (_U(10), _U(8), _U(0x00FF00FF00FF00FF)),
    (_U(100), _U(16), _U(0x0000FFFF0000FFFF)),
    (_U(10_000), _U(32), _U(0xFFFFFFFF)),
]


def suppressed_rows(table: pa.Table, blocked: Suppressions) -> BOOL:
    """Rows whose id, phone or email ``blocked`` blocks: ``blocked.blocks`` for each row."""
    out = np.zeros(table.num_rows, dtype=bool)
    if not blocked:
        return out
    out |= _numpy(pc.is_in(strings(table.column("id")), value_set=_array(blocked.exact)))
    phone = strings(table.column("phone"))
    # A phone equal to a number on the list as written matches it by its digits: only the
    # other entries are compared as written, and of those only the ones made of bytes the
    # column holds (phones written with digits, spaces and + - . ( ) hold no @ or letter).
    others = blocked.others
    if others and _widest(phone) < _AT:
        others = frozenset(e for e in others if all(ord(c) < _AT for c in e))
    if others:
        out |= _numpy(pc.is_in(phone, value_set=_array(others)))
    out |= _emails(strings(table.column("email")), blocked)
    if blocked.tails:
        out |= _phones(phone, blocked)
    return out


def _array(values: frozenset[str]) -> pa.Array:
    return pa.array(sorted(values), type=pa.string())


def _widest(col: pa.ChunkedArray) -> int:
    """The largest byte in the column's strings (0 for none)."""
    widest = 0
    for chunk in col.chunks:
        at, data = _layout(chunk)
        if data is not None:
            widest = max(widest, int(_bytes(at, data).max(initial=0)))
    return widest


def _numpy(mask: pa.ChunkedArray | pa.Array) -> BOOL:
    found: BOOL = mask.fill_null(False).to_numpy(zero_copy_only=False)
    return found


def _emails(col: pa.ChunkedArray, blocked: Suppressions) -> BOOL:
    """Rows whose email, trimmed and case-folded, is an entry trimmed and case-folded."""
    keys = pc.ascii_lower(pc.ascii_trim(col, characters=_ASCII_SPACES))
    out = _numpy(pc.is_in(keys, value_set=_array(blocked.emails)))
    start = 0
    for chunk in col.chunks:  # Unicode case-folding is Python's, so that plan_day agrees
        at, data = _layout(chunk)
        if data is not None and _bytes(at, data).max(initial=0) >= 0x80:
            other = np.flatnonzero(~_numpy(pc.string_is_ascii(chunk)))
            values = chunk.take(pa.array(other)).to_pylist()
            out[other + start] = [v is not None and email_key(v) in blocked.emails for v in values]
        start += len(chunk)
    return out


def _phones(col: pa.ChunkedArray, blocked: Suppressions) -> BOOL:
    """Rows whose phone is one of the list's numbers (by their digits)."""
    endings = np.zeros(_ENDINGS, dtype=bool)
    endings[[int(tail) for tail in blocked.tails]] = True
    rows: list[I64] = []  # the rows that may be blocked, in the table's numbering
    start = 0
    for chunk in col.chunks:  # in blocks whose arrays stay in the processor's cache
        for first in range(0, len(chunk), _BLOCK):
            rows.append(_maybe(chunk.slice(first, _BLOCK), endings) + start + first)
        start += len(chunk)
    out = np.zeros(len(col), dtype=bool)
    maybe = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    if len(maybe):
        values = col.take(pa.array(maybe)).to_pylist()
        out[maybe] = [blocked.blocks_phone(v) for v in values]
    return out


def _layout(chunk: pa.Array) -> tuple[I64, pa.Buffer | None]:
    """A string array's offsets (one more than its rows; into ``data``) and data buffer."""
    n = len(chunk)
    _, offsets, data = chunk.buffers()
    at = np.frombuffer(offsets, dtype=np.int32, count=n + 1, offset=4 * chunk.offset)
    return at.astype(np.int64), data


def _bytes(at: I64, data: pa.Buffer) -> npt.NDArray[np.uint8]:
    """The bytes of the rows (from the first row's first to the last row's last)."""
    return np.frombuffer(data, dtype=np.uint8)[at[0] : at[-1]]


def _maybe(chunk: pa.StringArray, endings: BOOL) -> I64:
    """The rows of ``chunk`` that may hold a blocked number: those whose last seven digits
    are an ending of one (``endings``), and the odd ones Python must read."""
    at, data = _layout(chunk)
    size = at[1:] - at[:-1]
    valid = _numpy(chunk.is_valid()) if chunk.null_count else np.ones(len(chunk), dtype=bool)
    if data is None or len(data) < 8:  # (no row holds eight bytes)
        return _written_otherwise(chunk, np.flatnonzero(valid & (size >= MIN_DIGITS)), endings)
    # Each row's last eight bytes as one little-endian word, its first byte cleared: when
    # the last seven are digits, they are its last seven digits. (A row of fewer than eight
    # bytes reads another's, or the buffer's first word: it is not clean.)
    word = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    last = at[1:] - 8
    if last[0] < 0:  # (rows ending before the eighth byte, first in the buffer)
        np.maximum(last, 0, out=last)
    x = word[last]
    x &= _SEVEN
    # A byte is a digit if its high half is 3 and adding 6 keeps it 3 (a byte that fails
    # the first test may carry into the next one: its row fails anyway).
    clean = (x & _HIGH) == _ZEROS
    clean &= ((x + _SIXES) & _HIGH) == _ZEROS
    clean &= size > MIN_DIGITS
    if chunk.null_count:
        clean &= valid
    marked = _marked(at, data)
    clean[marked] = False  # an extension may end their number before their last digits
    x -= _ZEROS  # eight digits 0-9 (the first 0), the most significant lowest
    low = np.empty_like(x)
    for times, shift, keep in _PAIRS:  # pairs of digits, then of pairs, then of fours
        np.right_shift(x, shift, out=low)
        x *= times
        x += low
        x &= keep
    hits = np.flatnonzero(clean & endings[np.where(clean, x, 0).view(np.int64)])
    others = np.flatnonzero(valid & (size >= MIN_DIGITS) & ~clean)
    if len(others):
        hits = np.union1d(hits, _written_otherwise(chunk, others, endings, len(marked) > 0))
    return hits


def _marked(at: I64, data: pa.Buffer) -> I64:
    """The rows (``at``'s) holding a byte that may start an extension: a letter, ``#``,
    ``,``, ``;``, or another byte from ``:`` up (rare in a phone); often none."""
    raw = _bytes(at, data)
    if raw.max(initial=0) < _COLON and not (raw == _HASH).any() and not (raw == _COMMA).any():
        return np.zeros(0, dtype=np.int64)
    found = np.flatnonzero((raw >= _COLON) | (raw == _HASH) | (raw == _COMMA))
    rows: I64 = np.searchsorted(at[1:] - at[0], found, side="right")
    return rows


def _written_otherwise(chunk: pa.StringArray, rows: I64, endings: BOOL, marked: bool = True) -> I64:
    """Those of ``rows`` (of ``chunk``: numbers not ending with seven digits as written, or
    with a letter or an extension's sign) whose last seven digits, or those of their number
    before its extension, are an ending in ``endings``, and those Python must read: not
    ASCII, or with a ``(0)`` (their digits are not the ASCII ones, in order). Not
    ``marked``: none of ``rows`` holds a letter or an extension's sign."""
    if not len(rows):
        return rows
    values = chunk if len(rows) == len(chunk) else chunk.take(pa.array(rows))
    at, data = _layout(values)
    assert data is not None  # (rows of seven bytes or more)
    raw = _bytes(at, data)
    odd = np.zeros(len(rows), dtype=bool)
    if raw.max(initial=0) >= 0x80:
        odd |= ~_numpy(pc.string_is_ascii(values))
    trunk = (raw[:-2] == ord("(")) & (raw[1:-1] == ord("0")) & (raw[2:] == ord(")"))
    if trunk.any():
        odd[np.searchsorted(at, np.flatnonzero(trunk) + at[0], side="right") - 1] = True
    byte = raw - np.uint8(ord("0"))
    is_digit = byte < 10
    # (every row holds seven bytes or more, so no row starts past the end)
    counts = np.add.reduceat(is_digit, at[:-1] - at[0], dtype=np.int32)
    ends = np.cumsum(counts, dtype=np.int64)  # past each row's last digit, in the digits alone
    digits = byte[is_digit]
    enough = np.flatnonzero(counts >= MIN_DIGITS)
    odd[enough[endings[_ending(digits, ends[enough])]]] = True
    if marked:  # the ending of the number before an extension, too
        cut, number_ends = _extensions(at, raw, is_digit, ends - counts)
        odd[cut[endings[_ending(digits, number_ends)]]] = True
    found: I64 = rows[odd]
    return found


def _ending(digits: npt.NDArray[np.uint8], ends: I64) -> npt.NDArray[np.int32]:
    """The value of the ``MIN_DIGITS`` digits before each of ``ends`` (in ``digits``)."""
    value = np.zeros(len(ends), dtype=np.int32)
    for k in range(MIN_DIGITS):
        value += digits[ends - 1 - k].astype(np.int32) * np.int32(10**k)
    return value


def _extensions(
    at: I64, raw: npt.NDArray[np.uint8], is_digit: BOOL, starts: I64
) -> tuple[I64, I64]:
    """The rows (of ``at``) whose number has an extension, and where their number's digits
    end (in the digits alone, whose rows start at ``starts``): at the first ASCII letter,
    ``#``, ``,`` or ``;`` after the row's seventh digit, as ``_suppression`` reads it (the
    rows that are not ASCII are Python's to read anyway)."""
    mark = (raw | _CASE) - _LOWER_A < 26  # (wraps around below "a")
    mark |= (raw == _HASH) | (raw == _COMMA) | (raw == _SEMICOLON)
    at_mark = np.flatnonzero(mark)
    if not len(at_mark):
        return at_mark, at_mark
    before = np.cumsum(is_digit, dtype=np.int64)[at_mark]  # the digits before each mark
    row = np.searchsorted(at[1:] - at[0], at_mark, side="right")
    after_seven = before - starts[row] >= MIN_DIGITS
    cut, first = np.unique(row[after_seven], return_index=True)  # the first mark of each
    ends: I64 = before[after_seven][first]
    return cut, ends
