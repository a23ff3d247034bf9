"""Suppression lists (R13): which prospects a batch plan never touches.

A suppression list is a flat set of strings, prospect ids, phone numbers and emails, as a
do-not-contact list or a CRM's export of its opt-outs gives them. A contact who opted out
and comes back in a new import is rarely written the same way twice (``+13125550104`` on the
list, ``(312) 555-0104`` in the book; ``dana.lee@acme.test`` and ``Dana.Lee@ACME.test``), so
phone numbers and emails are matched as contact points, not as strings:

- every entry matches a prospect whose id, phone or email is exactly that entry; an id is
  opaque, so it is compared as it is, nothing trimmed or folded;
- a prospect's email matches an entry equal to it once both are trimmed and case-folded, the
  local part (before the ``@``) included: most mail systems ignore its case, and suppressing
  one address too many is the safe side of R13;
- a prospect's phone matches an entry that is a phone number when the digits of one end with
  the digits of the other, seven at least: ``3125550104`` and ``+1 312-555-0104``, or
  ``06 12 34 56 78`` and ``+33612345678``, are one number. Digits are read in any script's
  forms (full-width ``３``); spaces, punctuation and a bracketed trunk prefix (``+44 (0)20``)
  are ignored, and so are a leading international ``00`` and a national trunk ``0``. An
  entry of seven digits (``555-0104``) therefore suppresses that local number in every area:
  over-suppression is the safe side again;
- a number's extension starts at the first letter, ``#``, ``,`` or ``;`` after its seventh
  digit (``x5``, ``ext. 5``, ``extension 5``, ``poste 5``, ``Durchwahl 5``, ``#5``, the dial
  pauses ``,5`` and ``;5``, RFC 3966's ``;ext=5``). The number before it is the line, and
  it is what an entry names: a phone matches when the digits of its number, or all its
  digits (as before extensions were read: what follows may be another number,
  ``312-555-0104, 312-555-0199``), match an entry's number as above. An entry with an
  extension names its line: it suppresses the number with any extension or none;
- an entry is a phone number when, up to its extension, it holds seven digits or more and
  nothing else but spaces, dashes and ``+ . / ( )`` (after an optional ``tel:``), and its
  extension, if it has one, is a word or ``#``, ``,``, ``;`` followed by the extension's
  digits. An id made only of seven digits or more is one too.

:func:`cadence.batch.plan_day` asks :meth:`Suppressions.blocks` about every prospect;
``plan_table`` (and so ``plan_frame``) finds the same rows with array operations
(:mod:`cadence._table_suppression`), and asks it about the few rows those cannot settle.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "EXTENSION_SIGNS",
    "MIN_DIGITS",
    "Suppressions",
    "email_key",
    "phone_digits",
    "phone_entry",
]

#: Digits a phone number and a suppressed one must have in common, at their ends, to be one.
MIN_DIGITS = 7

_NOT_DIGITS = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)  # (UTF-8: all of it)
_PHONE_MARKS = frozenset("+-./()")
_PHONE_SIGNS = re.compile(r"[0-9\s+\-./()]*")  # the same, for ASCII text (quicker)
_TRUNK = "(0)"  # "+44 (0)20 7946 0958": the trunk prefix, dialled only from inside the country
#: Besides letters, the signs that start a number's extension after its seventh digit: ``#5``,
#: the dial pauses ``,5`` and ``;5``, and RFC 3966's ``;ext=5``.
EXTENSION_SIGNS = "#,;"
_MARKS = "A-Za-z" + re.escape(EXTENSION_SIGNS)  # (a class of characters: ASCII's marks)
_MARKED = re.compile(f"[{_MARKS}]").search  # an ASCII value that may have an extension
_NUMBER = re.compile(f"(?:[^0-9]*[0-9]){{{MIN_DIGITS}}}[^{_MARKS}]*").match  # ... up to it
#: What may follow the number in an entry: its extension's marker (a word, ``#``, ``,``,
#: ``;``), then its digits (``x5``, ``ext. 5``, ``;ext=5``, ``,,5``, ``Durchwahl: 5``).
_EXTENSION = re.compile(r"[#,;]*\s*(?:[^\W\d_]+\.?)?[\s:=.\-]*[0-9][0-9\s.\-#]*").fullmatch
_TEL = "tel:"  # RFC 3966's scheme, before a number on a list: "tel:+1-312-555-0104;ext=5"


def email_key(value: str) -> str:
    """``value`` as emails are compared: trimmed (Python's whitespace) and case-folded."""
    return value.strip().casefold()


def phone_digits(value: str) -> str:
    """All the digits of a phone number as they are compared: in ASCII, without a bracketed
    trunk prefix ``(0)``, then without a leading ``00`` (international prefix) or ``0``
    (national trunk prefix). ``"+33 (0)6 12-34-56-78"`` and ``"0612345678"`` give
    ``"33612345678"`` and ``"612345678"``, the end of the first."""
    if not value.isascii():
        value = _ascii_digits(value)
    return _digits(value)


def phone_entry(entry: str) -> str | None:
    """The digits of a suppression entry that is a phone number (see the module's
    docstring), before its extension if it has one, or None for an id, an email or
    anything else."""
    value = entry if entry.isascii() else _ascii_digits(entry)
    number = _before_extension(value)
    if len(number) < len(value) and not _EXTENSION(value, len(number)):
        return None
    if number[: len(_TEL)].casefold() == _TEL:
        number = number[len(_TEL) :]
    if number.isascii():
        if not _PHONE_SIGNS.fullmatch(number):
            return None
    elif not all(
        c.isdigit() or c.isspace() or c in _PHONE_MARKS or unicodedata.category(c) == "Pd"
        for c in number
    ):
        return None
    digits = _digits(number)
    return digits if len(digits) >= MIN_DIGITS else None


def _digits(value: str) -> str:
    """:func:`phone_digits` of ``value``, whose digits are ASCII already."""
    if _TRUNK in value:
        value = value.replace(_TRUNK, "")
    digits = value.encode("utf-8", "surrogatepass").translate(None, _NOT_DIGITS)
    if digits.startswith(b"0"):
        digits = digits[2:] if digits.startswith(b"00") else digits[1:]
    return digits.decode()


def _before_extension(value: str) -> str:
    """``value`` (its digits ASCII) up to its extension: to the first letter, ``#``, ``,``
    or ``;`` after its seventh digit (``value`` itself when there is none). A letter or
    sign before the seventh digit (``tel``, ``#31#``, ``*67``) starts no extension: a
    number has seven digits at least."""
    if value.isascii():
        if _MARKED(value) is None:
            return value
        found = _NUMBER(value)
        return value if found is None else value[: found.end()]
    seen = 0
    for i, c in enumerate(value):
        if "0" <= c <= "9":
            seen += 1
        elif seen >= MIN_DIGITS and (c.isalpha() or c in EXTENSION_SIGNS):
            return value[:i]
    return value


def _ascii_digits(value: str) -> str:
    """``value`` with full-width forms made ASCII (NFKC: ``３``, ``（``, a no-break space)
    and the decimal digits of other scripts (``٣``) written 0-9."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)


class Suppressions:
    """A suppression list, read once for matching: ``blocks(id, phone, email)`` says whether
    a prospect is on it. False when the list is empty."""

    __slots__ = ("emails", "endings", "exact", "others", "tails")

    def __init__(self, entries: Iterable[str]) -> None:
        self.exact = frozenset(entries)
        """Every entry as given: it matches an id, a phone or an email equal to it."""
        self.emails = frozenset(email_key(e) for e in self.exact)
        """Every entry as emails are compared."""
        endings: dict[str, list[str]] = {}
        others = []
        for entry in self.exact:
            digits = phone_entry(entry)
            if digits is None:
                others.append(entry)
            else:
                endings.setdefault(digits[-MIN_DIGITS:], []).append(digits)
        self.endings = endings
        """The digits of the entries that are phone numbers, by their last ``MIN_DIGITS``
        digits: a number and a suppressed one end with the same (read-only)."""
        self.tails = frozenset(endings)
        """Those last digits (a set is quicker to ask than the dict)."""
        self.others = frozenset(others)
        """The entries that are not phone numbers (a phone equal to a number on the list
        matches it by its digits: only these need comparing with phones as written)."""

    def __bool__(self) -> bool:
        return bool(self.exact)

    def blocks(self, pid: str, phone: str | None, email: str | None) -> bool:
        """Whether the prospect with this id, phone and email is on the list."""
        exact = self.exact
        if pid in exact or phone in exact:
            return True
        if email is not None and email.strip().casefold() in self.emails:  # (email_key)
            return True
        if phone is None or not self.tails:
            return False
        # Most numbers of a book end with seven digits as written, and are told apart from
        # the list's by those alone, unless an extension ends their number before them
        # (seven digits, a letter or sign, seven more: not in 14 characters).
        tail = phone[-MIN_DIGITS:]
        if (
            tail.isdigit()
            and tail not in self.tails
            and phone.isascii()
            and (len(phone) <= 2 * MIN_DIGITS or _MARKED(phone) is None)
        ):
            return False
        return self.blocks_phone(phone)

    def blocks_phone(self, phone: str) -> bool:
        """Whether ``phone`` is one of the list's phone numbers: the digits of its number
        (before its extension) or all its digits, and those of the number on the list, end
        one with the other, ``MIN_DIGITS`` at least."""
        if not phone.isascii():
            phone = _ascii_digits(phone)
        if self._has(_digits(phone)):
            return True
        if phone.isascii() and _MARKED(phone) is None:  # (no extension: no other number)
            return False
        number = _before_extension(phone)
        return len(number) < len(phone) and self._has(_digits(number))

    def _has(self, digits: str) -> bool:
        """Whether these digits and those of a number on the list end one with the other."""
        found = self.endings.get(digits[-MIN_DIGITS:]) if len(digits) >= MIN_DIGITS else None
        return found is not None and any(n.endswith(digits) or digits.endswith(n) for n in found)
