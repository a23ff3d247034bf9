"""Building trusted models without re-validating them (the engine's hot path).

The engine builds ``Prospect``, ``Obligation`` and ``Action`` values from data it has already
validated. pydantic's ``model_construct`` costs several microseconds per call for models with many
fields; this does the same job (set ``__dict__`` and the bookkeeping slots) in well under one.
Only for models without private attributes, extras or ``model_post_init``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from cadence._checked import Checked

T = TypeVar("T", bound=BaseModel)

# BaseModel's own slots, set through their descriptors (a third cheaper than
# ``object.__setattr__``, which first looks the name up on the class); ``made`` sets them,
# for ``build`` and for ``cadence.simulation._events``'s event builders.
_new = object.__new__  # what ``cls.__new__`` is for every pydantic model (none defines its own)
_slots = BaseModel.__dict__
_set_dict = _slots["__dict__"].__set__
_set_fields_set = _slots["__pydantic_fields_set__"].__set__
_set_extra = _slots["__pydantic_extra__"].__set__
_set_private = _slots["__pydantic_private__"].__set__
_DEFAULTS: dict[type[BaseModel], tuple[dict[str, Any], frozenset[str], set[str]]] = {}


def _meta(cls: type[BaseModel]) -> tuple[dict[str, Any], frozenset[str], set[str]]:
    found = _DEFAULTS.get(cls)
    if found is None:
        if not cls.model_config.get("frozen"):
            msg = f"build() makes frozen models only; {cls.__name__} is not frozen"
            raise TypeError(msg)
        # Every field in declaration order (a required one's value is always given): a dict
        # updated from it keeps that order, so a built model dumps the JSON a validated one
        # does, byte for byte.
        defaults = {
            name: None if f.is_required() or f.default_factory is not None else f.default
            for name, f in cls.model_fields.items()
        }
        # (A :class:`Checked` set: the engine takes what it built as checked.)
        found = (defaults, frozenset(cls.model_fields), Checked(cls.model_fields))
        _DEFAULTS[cls] = found
    return found


def build(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of ``cls`` whose fields are ``values`` (plus defaults), unvalidated.

    ``values`` is owned by the new instance afterwards: do not mutate it.

    Every instance built of one class shares one ``__pydantic_fields_set__`` holding all of its
    fields, rather than carrying its own set of some thirty names (2 KiB, and one more object
    for the garbage collector to walk, per state and per action). pydantic only ever adds field
    names to such a set (on assignment, which frozen models refuse; in ``model_copy``), which
    cannot change it; ``tests/test_reliability.py`` holds pydantic to that.
    """
    found = _DEFAULTS.get(cls)
    defaults, names, every = _meta(cls) if found is None else found
    if len(values) != len(names):
        full = defaults.copy()
        full.update(values)
        values = full
    return made(cls, values, every)


def made(cls: type[T], values: dict[str, Any], given: set[str]) -> T:
    """An instance of ``cls`` with ``values`` as its fields (all of them, in order) and
    ``given`` as the fields the caller passed (pydantic's ``model_fields_set``): the slots
    alone, nothing checked or filled in (``build`` fills in the defaults)."""
    obj: T = _new(cls)
    _set_dict(obj, values)
    _set_fields_set(obj, given)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj
