"""Whole numbers that are whole numbers: pydantic's lax mode reads a JSON ``true`` (or YAML's
``yes``) as 1 where an ``int`` goes, so ``{"min_gap_business_days": true}`` silently made R3's
gap one business day. A boolean is refused, naming the field (DESIGN §9)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

__all__ = ["WholeNumber", "not_a_boolean"]


def not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        msg = f"expected a whole number, got the boolean {str(value).lower()}; write the number"
        raise ValueError(msg)
    return value


#: An ``int`` that refuses a boolean. Bounded inside a union (``... | None``),
#: ``Annotated[WholeNumber, Field(ge=1)]`` writes pydantic's own ``"ge"`` into the JSON Schema,
#: which validators ignore: write ``Annotated[int, Field(ge=1), BeforeValidator(not_a_boolean)]``.
WholeNumber = Annotated[int, BeforeValidator(not_a_boolean)]
