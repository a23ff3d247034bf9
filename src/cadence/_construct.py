"""Building trusted models without re-validating them (the engine's hot path).

The engine builds ``Prospect``, ``Obligation`` and ``Action`` values from data it has already
validated. pydantic's ``model_construct`` costs several microseconds per call for models with many
fields; this does the same job (set ``__dict__`` and the bookkeeping slots) in well under one.
Only for models without private attributes, extras or ``model_post_init``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)

_set = object.__setattr__
_DEFAULTS: dict[type[BaseModel], tuple[dict[str, Any], frozenset[str]]] = {}


def _meta(cls: type[BaseModel]) -> tuple[dict[str, Any], frozenset[str]]:
    found = _DEFAULTS.get(cls)
    if found is None:
        defaults = {
            name: f.default
            for name, f in cls.model_fields.items()
            if not f.is_required() and f.default_factory is None
        }
        found = (defaults, frozenset(cls.model_fields))
        _DEFAULTS[cls] = found
    return found


def build(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of ``cls`` whose fields are ``values`` (plus defaults), unvalidated.

    ``values`` is owned by the new instance afterwards: do not mutate it.
    """
    found = _DEFAULTS.get(cls)
    defaults, names = _meta(cls) if found is None else found
    if len(values) != len(names):
        values = {**defaults, **values}
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(names))  # model_copy updates it in place
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
