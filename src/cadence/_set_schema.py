"""JSON Schema for a set that a file may write as a list with repeats.

pydantic writes ``uniqueItems: true`` for a ``frozenset`` field, but reads a list that names a
value twice as the set of its values: an editor checking a policy file against its schema
flagged ``extra_holidays: ["2026-12-24", "2026-12-24"]``, which cadence loads.
"""

from __future__ import annotations

from typing import Any

__all__ = ["repeats_allowed"]


def repeats_allowed(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` for a set field: a list with repeats is admitted, as pydantic
    reads it."""
    schema.pop("uniqueItems", None)
