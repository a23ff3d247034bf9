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
        ("+1 312 555 0104 ext. 5", "13125550104"),  # its line: see below
        ("tel:+1-312-555-0104;ext=5", "13125550104"),  # RFC 3966
        ("3125550104x5", "3125550104"),
        ("+33 6 12 34 56 78 poste 12", "33612345678"),
        ("+1 312 555 0104 ext.", None),  # no extension's digits: matched as written only
        ("1234567-B", None),  # (an id, say)
        ("3125550104 ext 5 (Dana)", None),  # more than an extension
        ("call +1 312 555 0104", None),  # letters before the number
    ],
)
def test_an_entry_is_a_phone_number_if_it_has_seven_digits_and_only_phone_signs_then_an_extension(
    entry: str, digits: str | None
) -> None:
    assert phone_entry(entry) == digits


def test_an_ascii_entry_is_read_as_any_other() -> None:
    """The quick test for ASCII entries (a regular expression) takes the same characters as
    the one for the others, inside the number (before its seventh digit) and after it (an
    extension's marker). The en dash keeps the second of each pair from being ASCII."""
    for c in map(chr, range(128)):
        sign = c.isdigit() or c.isspace() or c in "+-./()" or unicodedata.category(c) == "Pd"
        assert (phone_entry(f"31{c}25550104") is not None) is sign, repr(c)
        assert phone_entry(f"31{c}2–5550104") == phone_entry(f"31{c}2-5550104"), repr(c)
        marker = sign or c.isalpha() or c in "#,;"
        assert (phone_entry(f"3125550104{c}5") is not None) is marker, repr(c)
        assert phone_entry(f"312–5550104{c}5") == phone_entry(f"312-5550104{c}5"), repr(c)


def test_an_ascii_phone_is_read_as_any_other() -> None:
    """The same for a prospect's phone (plan_day's quick tests for ASCII ones): a letter,
    ``#``, ``,`` or ``;`` after the seventh digit starts an extension, nothing else does."""
    blocked = Suppressions({"+13125550104"})
    for c in map(chr, range(128)):
        for phone in (f"3125550104{c}5", f"3125550104{c}1234567", f"3125550104 {c}5"):
            marker = c.isalpha() or c in "#,;"
            assert blocked.blocks("p", phone, None) is marker, (phone, c)
            assert blocked.blocks("p", phone + "–", None) is marker  # (not ASCII)


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


#: A suppressed number (``+13125550104`` on the list) as a book may write it with an extension.
WITH_EXTENSIONS = [
    *("312-555-0104 x5", "312-555-0104 x 5", "312-555-0104 X5", "(312) 555-0104 x.5"),
    *("3125550104ext5", "312-555-0104 ext. 5", "312.555.0104 Ext.5", "+1 312 555 0104 EXT: 5"),
    *("312-555-0104 extn 5", "+1 312 555 0104 extension 5", "312-555-0104 #5", "3125550104# 5"),
    "tel:+1-312-555-0104;ext=5",  # RFC 3966
    *("+13125550104,5", "+13125550104,,,5", "+13125550104;5", "+13125550104;ext=5"),  # pauses
    *("312 555 0104 poste 5", "+1 312 555 0104 Durchwahl 5", "+1 312 555 0104 ramal 5"),
    *("+1 312 555 0104 内線5", "+1 312 555 0104 доб. 5", "３１２-５５５-０１０４ ｘ５"),
    "+13125550104 x1234567",  # an extension of seven digits: the row ends with seven
    "+13125550104,,1234567#",  # a conference's code after pauses
    "+1 312 555 0104 (cell)",  # no extension's digits: as before
]


def _columnar(entries: set[str], phones: list[str | None]) -> list[bool]:
    """``suppressed_rows`` for rows with these phones (ids and emails not on the list)."""
    ids = [f"row-{i}" for i in range(len(phones))]
    table = pa.table(
        {
            "id": pa.array(ids, type=pa.string()),
            "phone": pa.array(phones, type=pa.string()),
            "email": pa.array([None] * len(phones), type=pa.string()),
        }
    )
    found: list[bool] = suppressed_rows(table, Suppressions(entries)).tolist()
    return found


@pytest.mark.parametrize("phone", WITH_EXTENSIONS)
def test_a_suppressed_number_stays_suppressed_whatever_its_extension(phone: str) -> None:
    """R13: the number before the extension is the one matched. Each of these was planned
    (read as ``31255501045``) while ``+13125550104`` was on the list."""
    assert Suppressions({"+13125550104"}).blocks("p", phone, None)
    assert _columnar({"+13125550104"}, [phone]) == [True]


@pytest.mark.parametrize(
    "entry", ["+1 312 555 0104 ext. 5", "tel:+1-312-555-0104;ext=5", "3125550104x5"]
)
def test_an_entry_with_an_extension_suppresses_its_line(entry: str) -> None:
    """An opt-out given on an extension suppresses the line with any extension or none: a
    call to the number without one may reach the same person, and more is the safe side."""
    phones = ["+13125550104", "(312) 555-0104", "312-555-0104 x5", "312-555-0104 x7"]
    assert [Suppressions({entry}).blocks("p", phone, None) for phone in phones] == [True] * 4
    assert _columnar({entry}, [*phones, "+1 415 555 0104 x5"]) == [True] * 4 + [False]


@pytest.mark.parametrize(
    ("phone", "blocked"),
    [
        ("+1 415 555 0104 ext. 5", False),  # another area, with an extension
        ("+1 312 655 0104 x5", False),  # six digits in common before it
        ("555 0104 x5", True),  # seven digits are a number: its extension starts after
        ("555 010 x4", True),  # six are not: the letter starts nothing (digits 5550104)
        ("tel 312-555-0104", True),  # letters before the number
        ("#31#+1 312 555 0104", True),  # a code before the number: "#" after two digits
        ("*67 +1 312 555 0104", True),
        ("312-555-0104 / 0199", False),  # "/" is a phone sign: one number, 3125550104199
        ("312-555-0104, 312-555-0199", True),  # the first number, before the ","
        ("+1 312-555-0199, +1 312-555-0104", True),  # all the digits, as before: the last
        ("312-555-0104 or 312-555-0199", True),
        ("1-800-FLOWERS", False),
    ],
)
def test_what_starts_an_extension_and_what_does_not(phone: str, blocked: bool) -> None:
    """Only a letter, ``#``, ``,`` or ``;`` after a number's seventh digit starts its
    extension; a field's digits are matched all together too, as before extensions were
    read, so that no contact suppressed before is planned now."""
    assert Suppressions({"+13125550104"}).blocks("p", phone, None) is blocked
    assert _columnar({"+13125550104"}, [phone]) == [blocked]


# -- properties -----------------------------------------------------------------------------

#: Pieces of contact points as CRMs write them, and of what they hold by mistake.
_PIECES = st.sampled_from(
    [
        *("+", "+1", "1", "312", "555", "0104", "5550104", "33", "6", "12345678", "0", "00"),
        *("(0)", "(", ")", " ", "-", ".", "/", "\t", "\x1c", "\u00a0", "–"),
        *("３", "٣", "é", "É", "ß", "İ", "x", "ext", "@", "@acme.test", "Dana.Lee", "DANA"),
        *("#", ",", ";", ";ext=", " ext. ", "X", "poste", "内線", "ｘ", "tel:"),
    ]
)
_TEXT = st.lists(_PIECES | st.text(max_size=2), max_size=8).map("".join)
_NUMBERS = ["13125550104", "3125550104", "5550104", "14155550104", "13126550104", "550104"]
_NUMBERS += ["33612345678", "612345678", "612345679", "442079460958"]
_FULL_WIDTH = str.maketrans("0123456789()+", "０１２３４５６７８９（）＋")
#: What starts an extension, as people write it after a number (docs/batch.md).
_MARKERS = [
    *("x", "X", "x.", "ext", "ext.", "Ext. ", "EXT:", "extn", "extension ", "#", "# ", ";ext="),
    *(",", ",,", ";", "poste ", "Durchwahl ", "ramal ", "内線", "доб. ", "ｘ"),
]


@st.composite
def _extensions(draw: st.DrawFn) -> str:
    """An extension as people write one after a number: ``x5``, `` ext. 12``, ``;ext=5``,
    ``,,1234567#``."""
    space = draw(st.sampled_from(["", " ", "  ", "\u00a0"]))
    digits = draw(st.text("0123456789", min_size=1, max_size=8))
    end = draw(st.sampled_from(["", "", " ", "#"]))
    return space + draw(st.sampled_from(_MARKERS)) + digits + end


@st.composite
def _written(draw: st.DrawFn, digits: str, extension: bool = True) -> str:
    """``digits`` written as people write a number, with an extension or not."""
    prefix = draw(st.sampled_from(["", "+", "00", "0", "+33 (0)", "1 ", "(", "tel ", "tel:"]))
    signs = st.sampled_from(["", "", "", " ", "-", ".", ") ", "/", "(0)", "\u00a0"])
    written = prefix + "".join(d + draw(signs) for d in digits)
    if draw(st.booleans()):
        written = written.translate(_FULL_WIDTH)
    ends = st.sampled_from(["", " ", "\t"])
    return written + draw(ends | _extensions() if extension else ends)


def _phones(extension: bool = True) -> st.SearchStrategy[str]:
    """One of a few numbers, some the ends of others, written as people write them."""
    return st.sampled_from(_NUMBERS).flatmap(lambda digits: _written(digits, extension))


@st.composite
def _emails(draw: st.DrawFn) -> str:
    """One of a few addresses, in any case, padded or not."""
    email = draw(st.sampled_from(["dana.lee@acme.test", "kim@acme.test", "straße@x.test"]))
    upper = draw(st.lists(st.booleans(), min_size=len(email), max_size=len(email)))
    email = "".join(c.upper() if u else c for c, u in zip(email, upper, strict=True))
    return draw(st.sampled_from(["", " ", "\t"])) + email + draw(st.sampled_from(["", " "]))


_PHONES = _phones()
_EMAILS = _emails()


def _number(phone: str) -> str:
    """``phone`` up to its extension, as docs/batch.md states it: to the first letter, ``#``,
    ``,`` or ``;`` after its seventh digit (the digits of any script)."""
    text = unicodedata.normalize("NFKC", phone)
    seen = 0
    for i, c in enumerate(text):
        if c.isdecimal():
            seen += 1
        elif seen >= MIN_DIGITS and (c.isalpha() or c in "#,;"):
            return text[:i]
    return text


def _as_written(entries: set[str], pid: str, phone: str | None, email: str | None) -> bool:
    """What both rules match before reading numbers: the id or phone exactly, the email
    trimmed and case-folded."""
    if pid in entries or phone in entries:
        return True
    return email is not None and any(email_key(email) == email_key(e) for e in entries)


def _reference(entries: set[str], pid: str, phone: str | None, email: str | None) -> bool:
    """The rule as docs/batch.md states it, with no shortcut."""
    if _as_written(entries, pid, phone, email):
        return True
    if phone is None:
        return False
    readings = {phone_digits(_number(phone)), phone_digits(phone)}  # its number; all its digits
    for entry in entries:
        theirs = phone_entry(entry)
        if theirs is None:
            continue
        for mine in readings:
            if min(len(mine), len(theirs)) < MIN_DIGITS:
                continue
            if mine.endswith(theirs) or theirs.endswith(mine):
                return True
    return False


def _before_extensions_were_read(
    entries: set[str], pid: str, phone: str | None, email: str | None
) -> bool:
    """The rule before extensions were read: an entry was a number only if it held nothing
    but digits and phone signs, and a phone was read as all its digits."""
    if _as_written(entries, pid, phone, email):
        return True
    if phone is None:
        return False
    mine = phone_digits(phone)
    for entry in entries:
        signs = unicodedata.normalize("NFKC", entry)
        if not all(
            c.isdigit() or c.isspace() or c in "+-./()" or unicodedata.category(c) == "Pd"
            for c in signs
        ):
            continue
        theirs = phone_digits(entry)
        if min(len(mine), len(theirs)) < MIN_DIGITS:
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
@example(entries={"+13125550104"}, pid="p", phone="312-555-0104 ext. 5", email=None)
@example(entries={"+1 312 555 0104 x5"}, pid="p", phone="3125550104,,1234567#", email=None)
@example(entries={"5550104"}, pid="p", phone="+1 312 555 0199, 312 555 0104", email=None)
def test_a_prospect_is_blocked_exactly_when_the_rule_says(
    entries: set[str], pid: str, phone: str | None, email: str | None
) -> None:
    assert Suppressions(entries).blocks(pid, phone, email) is _reference(entries, pid, phone, email)


@given(a=_phones(extension=False), b=_phones(extension=False))
def test_two_numbers_are_one_whichever_is_on_the_list(a: str, b: str) -> None:
    """(Numbers without extensions: the book's all-digits reading of a number with one has
    no counterpart on the list, where an entry with an extension names its line alone.)"""
    assume(phone_entry(a) is not None and phone_entry(b) is not None)  # (not "tel ...")
    assert Suppressions({a}).blocks_phone(b) is Suppressions({b}).blocks_phone(a)


@given(
    digits=st.sampled_from(_NUMBERS) | st.text("0123456789", min_size=7, max_size=15),
    data=st.data(),
)
def test_an_extension_never_lets_a_suppressed_number_through(
    digits: str, data: st.DataObject
) -> None:
    """Any number, written on the list and in the book in any of the usual ways, the list's
    with an extension or not: once the book's number is suppressed, it stays suppressed with
    any extension after it, in plan_day and in the columnar planner alike."""
    entry = data.draw(_written(digits), label="entry")
    phone = data.draw(_written(digits, extension=False), label="phone")
    extended = data.draw(st.lists(_extensions().map(phone.__add__), min_size=1, max_size=4))
    assume(phone_entry(entry) is not None)  # (not "tel 312...": letters before the number)
    blocked = Suppressions({entry})
    assume(blocked.blocks("p", phone, None))  # (not "+33 (0)312..." for "1 312...")
    assert all(blocked.blocks("p", written, None) for written in extended)
    assert _columnar({entry}, [phone, *extended]) == [True] * (1 + len(extended))


@given(a=_phones(extension=False), extension=_extensions())
def test_an_entry_with_an_extension_is_its_line(a: str, extension: str) -> None:
    """An entry written with an extension suppresses what its number without one does."""
    assume(phone_entry(a) is not None)
    assert phone_entry(a + extension) == phone_entry(a)


@given(
    entries=st.sets(_TEXT | _PHONES | _EMAILS, max_size=4),
    pid=_TEXT.filter(bool),
    phone=st.none() | _TEXT | _PHONES,
    email=st.none() | _TEXT | _EMAILS,
)
def test_a_prospect_suppressed_before_extensions_were_read_still_is(
    entries: set[str], pid: str, phone: str | None, email: str | None
) -> None:
    """Reading extensions only ever suppresses more: a field's digits are still matched all
    together too (what follows a ``,`` may be another number)."""
    if _before_extensions_were_read(entries, pid, phone, email):
        assert Suppressions(entries).blocks(pid, phone, email)


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
        ("i", "+13125550104 x1234567", None),  # clean as written, but its number ends before
        ("j", "(312) 555-0104 ext. 5", None),  # an extension, punctuated
        ("k", "+33 6 12 34 56 78 poste 12", None),
        ("l", "+1 415 555 0104 x5", None),  # the same ending before an extension: not blocked
        ("m", "+1 312 555 0199, +1 312 555 0104", None),  # all the digits, as before
        ("n", "+1 312 555 0104 内線5", None),  # not ASCII: Python's
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
