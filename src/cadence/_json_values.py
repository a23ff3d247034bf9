"""How a policy file's JSON values are read where pydantic's reading surprised teams.

A set may be written as a list that names a value twice: pydantic reads it as the set of its
values, but wrote ``uniqueItems: true`` into the JSON Schema, so an editor flagged
``extra_holidays: ["2026-12-24", "2026-12-24"]``, which cadence loads.

A date is text (``"2026-12-24"``): pydantic read a number as seconds since 1970, so
``extra_holidays: [0]`` made 1 January 1970 a holiday without a word, and ``20261224`` was
refused as "Datetimes provided to dates should have zero time".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = ["CalendarDate", "repeats_allowed"]


def repeats_allowed(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` for a set field: a list with repeats is admitted, as pydantic
    reads it."""
    schema.pop("uniqueItems", None)


def _not_a_number(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        msg = f"{value!r} is a number, not a date; write the date as text, e.g. '2026-12-24'"
        raise ValueError(msg)
    return value


#: A date, written as text (or a ``date``); a number is refused, saying how to write it.
CalendarDate = Annotated[date, BeforeValidator(_not_a_number)]
