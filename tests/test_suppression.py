"""Suppression lists (R13): what an entry matches, and the columnar planner's matching
(``cadence._table_suppression``) against plan_day's (``Suppressions.blocks``), row for row.

The planners' scenario tests (each way of writing a suppressed contact, for plan_day,
plan_table and plan_frame) are in ``test_batch.py``, ``test_batch_table.py`` and
``test_batch_dask.py``."""

from __future__ import annotations

import unicodedata
from unittest.mock import patch

import pyarrow as pa
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import cadence._table_suppression
from cadence._suppression import MIN_DIGITS, Suppressions, email_key, phone_digits, phone_entry
from cadence._table_suppression import _BLOCK, suppressed_rows


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("+1 (312) 555-0104", "13125550104"),
        ("312.555.0104", "3125550104"),
        ("0033 6 12 34 56 78", "33612345678"),  # the international prefix
        ("06 12 34 56 78", "612345678"),  # the national trunk prefix
        ("+44 (0)20 7946 0958", "442079460958"),  # the trunk prefix, in brackets
        ("+33 ６ １２ ３４ ５６ ７８", "33612345678"),  # full-width digits
        ("+20 ١٠٠ ١٢٣ ٤٥٦٧", "201001234567"),  # Arabic-Indic digits
        ("call 312-555-0104", "3125550104"),  # digits only: the rest is ignored
    ],
)
def test_a_phone_number_is_compared_by_its_digits(written: str, digits: str) -> None:
    assert phone_digits(written) == digits


@pytest.mark.parametrize(
    ("entry", "digits"),
    [
        ("+13125550104", "13125550104"),
        ("(312) 555–0104", "3125550104"),  # an en dash, as a word processor writes it
        ("555-0104", "5550104"),  # seven digits: that local number, in every area
        ("10004567", "10004567"),  # an id of digits alone is a number too
        ("+1555", None),  # too short to be told from another
        ("acme-3", None),
        ("dana.lee@acme.test", None),
        ("+1 312 555 0104 ext. 5", None),  # letters: not a number, matched as written only
    ],
)
def test_an_entry_is_a_phone_number_if_it_has_seven_digits_and_only_phone_signs(
    entry: str, digits: str | None
) -> None:
    assert phone_entry(entry) == digits


def test_an_ascii_entry_is_read_as_any_other() -> None:
    """The quick test for ASCII entries (a regular expression) takes the same characters as
    the one for the others."""
    for c in map(chr, range(128)):
        marked = c.isdigit() or c.isspace() or c in "+-./()" or unicodedata.category(c) == "Pd"
        assert (phone_entry(f"312555010{c}4") is not None) is marked, repr(c)


def test_an_email_is_compared_trimmed_and_whatever_its_case() -> None:
    assert email_key("  Dana.Lee@ACME.test\t") == "dana.lee@acme.test"
    assert email_key("STRASSE@Straße.test") == email_key("strasse@strasse.test")
    blocked = Suppressions({"dana.lee@acme.test"})
    assert blocked.blocks("x", None, "DANA.LEE@acme.test ")
    assert not blocked.blocks("x", None, "dana.lee+news@acme.test")  # sub-addresses differ


def test_ids_are_matched_exactly_and_phones_and_emails_as_written_too() -> None:
    """Every entry matches an id, a phone or an email equal to it, as before: a short number
    (``+1555``) or a phone field holding something else is still suppressed as written."""
    blocked = Suppressions({"acme-7", "+1555", "n/a"})
    assert blocked.blocks("acme-7", None, None)
    assert not blocked.blocks("ACME-7", None, None)
    assert not blocked.blocks("acme-7 ", None, None)
    assert blocked.blocks("x", "+1555", None)
    assert not blocked.blocks("x", "+1 555", None)
    assert blocked.blocks("x", "n/a", None)


# -- properties -----------------------------------------------------------------------------

#: Pieces of contact points as CRMs write them, and of what they hold by mistake.
_PIECES = st.sampled_from(
    [
        *("+", "+1", "1", "312", "555", "0104", "5550104", "33", "6", "12345678", "0", "00"),
        *("(0)", "(", ")", " ", "-", ".", "/", "\t", "\x1c", "\u00a0", "–"),
        *("３", "٣", "é", "É", "ß", "İ", "x", "ext", "@", "@acme.test", "Dana.Lee", "DANA"),
    ]
)
_TEXT = st.lists(_PIECES | st.text(max_size=2), max_size=8).map("".join)
_NUMBERS = ["13125550104", "3125550104", "5550104", "14155550104", "13126550104", "550104"]
_NUMBERS += ["33612345678", "612345678", "612345679", "442079460958"]
_FULL_WIDTH = str.maketrans("0123456789()+", "０１２３４５６７８９（）＋")


@st.composite
def _phones(draw: st.DrawFn) -> str:
    """One of a few numbers, some the ends of others, written as people write them."""
    digits = draw(st.sampled_from(_NUMBERS))
    prefix = draw(st.sampled_from(["", "+", "00", "0", "+33 (0)", "1 ", "(", "tel "]))
    signs = st.sampled_from(["", "", "", " ", "-", ".", ") ", "/", "(0)", "\u00a0"])
    written = prefix + "".join(d + draw(signs) for d in digits)
    if draw(st.booleans()):
        written = written.translate(_FULL_WIDTH)
    return written + draw(st.sampled_from(["", " ", "\t", " x12"]))


@st.composite
def _emails(draw: st.DrawFn) -> str:
    """One of a few addresses, in any case, padded or not."""
    email = draw(st.sampled_from(["dana.lee@acme.test", "kim@acme.test", "straße@x.test"]))
    upper = draw(st.lists(st.booleans(), min_size=len(email), max_size=len(email)))
    email = "".join(c.upper() if u else c for c, u in zip(email, upper, strict=True))
    return draw(st.sampled_from(["", " ", "\t"])) + email + draw(st.sampled_from(["", " "]))


_PHONES = _phones()
_EMAILS = _emails()


def _reference(entries: set[str], pid: str, phone: str | None, email: str | None) -> bool:
    """The rule as docs/batch.md states it, with no shortcut."""
    if pid in entries or phone in entries:
        return True
    if email is not None and any(email_key(email) == email_key(e) for e in entries):
        return True
    if phone is None:
        return False
    mine = phone_digits(phone)
    for entry in entries:
        theirs = phone_entry(entry)
        if theirs is None or min(len(mine), len(theirs)) < MIN_DIGITS:
            continue
        if mine.endswith(theirs) or theirs.endswith(mine):
            return True
    return False


@given(
    entries=st.sets(_TEXT | _PHONES | _EMAILS, max_size=4),
    pid=_TEXT.filter(bool),
    phone=st.none() | _TEXT | _PHONES,
    email=st.none() | _TEXT | _EMAILS,
)
@example(entries={"+13125550104"}, pid="p", phone="(312) 555-0104", email=None)
@example(entries={"0612345678"}, pid="p", phone="+33 (0)6 12 34 56 78", email=None)
@example(entries={"+13125550104"}, pid="p", phone="+1 312 655 0104", email=None)
def test_a_prospect_is_blocked_exactly_when_the_rule_says(
    entries: set[str], pid: str, phone: str | None, email: str | None
) -> None:
    assert Suppressions(entries).blocks(pid, phone, email) is _reference(entries, pid, phone, email)


@given(a=_PHONES, b=_PHONES)
def test_two_numbers_are_one_whichever_is_on_the_list(a: str, b: str) -> None:
    assume(phone_entry(a) is not None and phone_entry(b) is not None)  # (not "tel ...")
    assert Suppressions({a}).blocks_phone(b) is Suppressions({b}).blocks_phone(a)


@given(entry=_TEXT)
def test_an_entry_blocks_an_id_a_phone_or_an_email_written_as_it_is(entry: str) -> None:
    blocked = Suppressions({entry})
    assert blocked.blocks(entry, None, None)
    assert blocked.blocks("other", entry, None)
    assert blocked.blocks("other", None, entry)


def _layouts(table: pa.Table, layout: str) -> pa.Table:
    """Chunks of one row, or a slice of a longer table (values at an offset in buffers
    shared with rows before them): the planner reads the string buffers itself."""
    if layout == "chunks of 1 row":
        return pa.Table.from_batches(table.to_batches(max_chunksize=1), schema=table.schema)
    if layout == "a slice":
        return pa.concat_tables([table, table]).combine_chunks().slice(table.num_rows)
    return table


@given(
    entries=st.sets(_TEXT | _PHONES | _EMAILS, max_size=4),
    rows=st.lists(
        st.tuples(_TEXT.filter(bool), st.none() | _TEXT | _PHONES, st.none() | _TEXT | _EMAILS),
        max_size=12,
    ),
    layout=st.sampled_from(["one chunk", "chunks of 1 row", "a slice"]),
    block=st.sampled_from([None, 1, 3]),
)
@example(
    entries={"+13125550104", "dana.lee@acme.test", "+33612345678", "strasse@x.test"},
    rows=[
        ("a", "+13125550104", None),  # clean: its last eight bytes
        ("b", "312-555-0104", None),  # written otherwise: its digits gathered
        ("c", "+33 (0)6 12 34 56 78", None),  # a bracketed trunk prefix
        ("d", "３１２５５５０１０４", None),  # not ASCII
        ("e", "5550104", "Dana.Lee@ACME.test"),  # seven bytes; an email in capitals
        ("f", "+1 415 555 0104", "dana.lee@acme.test.evil"),  # the same ending, not blocked
        ("g", "+33 6 12 34 5(0)6 78 ", None),  # a (0) among the last digits
        ("h", None, "Straße@X.test"),  # not ASCII: case-folded by Python
    ],
    layout="a slice",
    block=3,
)
def test_the_columnar_planner_suppresses_the_rows_plan_day_does(
    entries: set[str],
    rows: list[tuple[str, str | None, str | None]],
    layout: str,
    block: int | None,
) -> None:
    """Any rows, chunked or sliced as Arrow hands them over, read in blocks of any size
    (``block``: a few rows, so that a small table has several)."""
    blocked = Suppressions(entries)
    table = pa.table(
        {
            name: pa.array(list(col), type=pa.string())
            for name, col in zip(
                ("id", "phone", "email"),
                zip(*rows, strict=True) if rows else ((), (), ()),
                strict=True,
            )
        }
    )
    with patch.object(cadence._table_suppression, "_BLOCK", block or _BLOCK):
        got = suppressed_rows(_layouts(table, layout), blocked)
    assert got.tolist() == [blocked.blocks(*row) for row in rows]
