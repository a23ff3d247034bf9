"""Whole numbers that are whole numbers, and yes/no knobs that are booleans.

pydantic's lax mode reads a JSON ``true`` (or YAML's ``yes``) as 1 where an ``int`` goes, so
``{"min_gap_business_days": true}`` silently made R3's gap one business day: a boolean is
refused, naming the field (DESIGN §9). A policy's own numbers and knobs (:data:`Count`,
:data:`Flag`) are read as its JSON Schema says, too: ``"4"`` in quotes is text, not a number, and
``1`` or ``"true"`` is not a boolean. YAML's own spellings still load: its reader
(:mod:`cadence._files_settings`) keeps as :class:`YamlText` what YAML 1.1 reads as a number or a
boolean but might be text (``010``, ``no``), and that is read as YAML means it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

__all__ = ["Count", "Flag", "WholeNumber", "YamlText", "a_count", "a_flag", "not_a_boolean"]


class YamlText(str):
    """An unquoted YAML scalar that YAML 1.1 would read as a number or a boolean (``010``,
    ``no``), kept as text: a field that is text takes it as written, a number or a yes/no
    knob as YAML means it."""

    __slots__ = ()


def not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        msg = f"expected a whole number, got the boolean {str(value).lower()}; write the number"
        raise ValueError(msg)
    return value


def a_count(value: object) -> object:
    """``value`` if it is a number (or YAML's), else an error saying how to write one."""
    if isinstance(value, str) and not isinstance(value, YamlText):
        msg = f"expected a whole number, got the text {value!r}; write the number without quotes"
        raise ValueError(msg)
    return not_a_boolean(value)


def a_flag(value: object) -> object:
    """``value`` if it is a boolean (or YAML's ``yes``, ``off``...), else an error saying how
    to write one."""
    if isinstance(value, bool | YamlText):
        return value
    if isinstance(value, str):
        meant = value.strip().lower()
        word = meant if meant in ("true", "false") else "true or false"
        msg = f"expected true or false, got the text {value!r}; write {word} without quotes"
    elif isinstance(value, int | float):
        msg = f"expected true or false, got the number {value!r}; write true or false"
    else:
        return value  # (pydantic says what it is not)
    raise ValueError(msg)


#: An ``int`` that refuses a boolean. Bounded inside a union (``... | None``),
#: ``Annotated[WholeNumber, Field(ge=1)]`` writes pydantic's own ``"ge"`` into the JSON Schema,
#: which validators ignore: write ``Annotated[int, Field(ge=1), BeforeValidator(not_a_boolean)]``.
WholeNumber = Annotated[int, BeforeValidator(not_a_boolean)]

#: A policy's whole number: a :data:`WholeNumber` that refuses text too (``"4"``), as the
#: policy's JSON Schema does (events keep :data:`WholeNumber`: a CRM's webhook may quote it).
Count = Annotated[int, BeforeValidator(a_count)]

#: A policy's yes/no knob: a boolean, as its JSON Schema says (not ``1``, not ``"true"``).
Flag = Annotated[bool, BeforeValidator(a_flag)]
