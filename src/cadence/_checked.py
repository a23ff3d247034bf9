"""Telling a model whose fields were checked from one made without checks (DESIGN §9).

pydantic's ``model_copy(update=...)`` and ``model_construct(...)`` validate nothing: an event
copied with ``outcome="bogus"`` or an ``id`` that is a number, a prospect copied with a naive
``last_event_at``, or a policy copied with ``min_gap_business_days=0`` reached the engine as if
it were checked, and was stored as it was, or raised a
TypeError or an AttributeError deep inside. Checking every value again on every call costs a
fifth of a step, so validation marks what it made instead, at no cost to read: the model's fields
set (pydantic's ``model_fields_set``) is a :class:`Checked`. pydantic copies that set with
``copy.copy`` in ``model_copy`` (with or without ``update``, deep or not) before adding the names
it updates, and a :class:`Checked` copies as a plain set; ``model_construct`` makes a plain set.
So a copy is checked again where the engine takes it, once; a pickled model keeps its mark (it was
checked when it was pickled, and a frozen model does not change).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["Checked", "is_checked", "mark"]

# BaseModel's own slot, set through its descriptor (a third cheaper than object.__setattr__).
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__


class Checked(set[str]):
    """A fields set that says its model was validated (or built by the engine from checked
    values): what pydantic's copies of it are not."""

    __slots__ = ()

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)


def mark(model: BaseModel) -> None:
    """Mark ``model``, just validated, as checked."""
    _set_fields_set(model, Checked(model.__pydantic_fields_set__))


def is_checked(model: BaseModel) -> bool:
    """Whether validation (or the engine's own builder) made ``model``."""
    return type(getattr(model, "__pydantic_fields_set__", None)) is Checked
