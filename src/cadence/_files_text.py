"""Reading a text file for cadence's readers: UTF-8 with or without a byte order mark, JSON,
and a model validated from it, each failure one :class:`~cadence.errors.InvalidInputError`
naming the file (and the line where one is known). Part of the files edge (``cadence.files``);
the core never imports it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ValidationError

from cadence.errors import InvalidInputError, SchemaVersionError
from cadence.events import explain_validation_error

__all__ = [
    "json_kind",
    "not_utf8",
    "open_text",
    "parse_json",
    "read_handle",
    "read_text",
    "reason",
    "validated",
]


def read_text(path: str | Path) -> str:
    """The whole text of the file ``path``."""
    with open_text(path) as handle:
        return read_handle(handle, str(path))


def read_handle(handle: TextIO, where: str) -> str:
    """The rest of ``handle``'s text (``where`` names it in an error)."""
    try:
        return handle.read()
    except UnicodeDecodeError:
        raise not_utf8(where) from None


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def not_utf8(path: str) -> InvalidInputError:
    """The error for a text file that does not decode as UTF-8, naming the first line that
    does not and what precedes the byte on it (an export in Windows-1252 is UTF-8 up to its
    first accented name), or saying that it is UTF-16 (Excel's "Unicode Text")."""
    hint = "save it as UTF-8" + (" (in Excel: CSV UTF-8)" if path.lower().endswith(".csv") else "")
    try:
        with Path(path).open("rb") as raw:
            if raw.read(2) in _UTF16_BOMS:
                msg = f"{path}: UTF-16 text (Excel's Unicode Text); {hint}"
                return InvalidInputError(msg, field="path", value=path)
            raw.seek(0)
            for number, line in enumerate(raw, start=1):  # (no UTF-8 character holds a \n)
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    before = line[: exc.start].decode("utf-8", errors="replace")[-20:]
                    msg = (
                        f"{path}:{number}: not UTF-8 text (byte 0x{line[exc.start]:02x} after "
                        f"{before!r}); {hint}"
                    )
                    return InvalidInputError(msg, field="path", value=path)
    except OSError:  # (gone since it was opened)
        pass
    return InvalidInputError(f"{path}: not UTF-8 text; {hint}", field="path", value=path)


def open_text(path: str | Path, newline: str | None = None) -> TextIO:
    """``path`` opened as UTF-8 text, a byte order mark skipped."""
    try:
        # utf-8-sig: a byte order mark (Notepad, Excel: "UTF-8") is not part of the first
        # line, else a suppression file's first entry would match nothing (R13)
        return Path(path).open(encoding="utf-8-sig", newline=newline)
    except FileNotFoundError:
        msg = f"{path}: no such file; check the path"
        raise InvalidInputError(msg, field="path", value=str(path)) from None
    except IsADirectoryError:
        msg = f"{path}: is a directory; pass a file"
        raise InvalidInputError(msg, field="path", value=str(path)) from None
    except OSError as exc:
        msg = f"{path}: cannot be read ({exc.strerror})"
        raise InvalidInputError(msg, field="path", value=str(path)) from None


def parse_json(text: str, where: str) -> Any:
    """The JSON value of ``text`` (read from ``where``)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        raise InvalidInputError(msg, field="json", value=None) from None
    except RecursionError:
        msg = f"{where}: JSON nested too deeply"
        raise InvalidInputError(msg, field="json", value=None) from None
    except ValueError:  # Python's own limit on the digits of an integer read from text
        msg = (
            f"{where}: a number in the JSON has more than {sys.get_int_max_str_digits()} "
            "digits; no field takes one that long: fix the value (an id goes as a string)"
        )
        raise InvalidInputError(msg, field="json", value=None) from None


def reason(exc: Exception) -> str:
    """An exception's text without Python's advice to programmers ("use
    sys.set_int_max_str_digits() to increase the limit"), on one line."""
    text = str(exc).split("; use sys.", 1)[0]
    return " ".join(text.split()) or type(exc).__name__


def json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words (``null``, ``an array``), not Python's."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    kinds = {list: "an array", str: "a string", int: "a number", float: "a number"}
    return kinds.get(type(value), "an object" if isinstance(value, dict) else type(value).__name__)


def validated(model: type[BaseModel], data: Any, where: str) -> Any:
    """``data`` (a JSON object read from ``where``) validated as ``model``."""
    if not isinstance(data, dict):
        msg = f"{where}: expected a JSON object, got {json_kind(data)}"
        raise InvalidInputError(msg, field=where, value=None)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = explain_validation_error(exc, model.__name__.lower(), model)
        raise InvalidInputError(f"{where}: {err}", field=err.field, value=err.value) from None
    except SchemaVersionError as exc:  # (a stored version this cadence cannot read)
        raise SchemaVersionError(f"{where}: {exc}", field=exc.field, value=exc.value) from None
    except (ValueError, TypeError) as exc:  # a validator's own message
        raise InvalidInputError(f"{where}: {exc}", field=where, value=None) from None
