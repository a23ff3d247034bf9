"""The simulator's most frequent events, built without running pydantic's validators again.

Nearly every engine step of a simulation applies an email sent or a call attempted, made from
values the simulator computed itself (aware instants, literal outcomes). Validating each one
costs one to three microseconds, a noticeable share of a step. These builders make the very
object the validated constructor would: the same class, the same ``__dict__`` (every field, in
declaration order, instants normalised to UTC as the ``Instant`` validator does), the same
fields set, no extras and no private state. So the result is equal to, hashes and serialises
like, and is indistinguishable from the validated event (``tests/test_simulation_events.py``
checks it field by field).

Validation still guards the edges: when an input is not what the shortcut assumes (a naive
instant, or a next contact not after the call), the builder calls the validated constructor,
which raises exactly the error it always did.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from cadence import events as ev

__all__ = ["call_attempted", "connected_call", "email_sent"]

_M = TypeVar("_M", bound=BaseModel)
_set = object.__setattr__


def _made(cls: type[_M], values: dict[str, Any], given: set[str]) -> _M:
    """An instance of ``cls`` with ``values`` as its fields (all of them, in order) and
    ``given`` as the fields the caller passed (pydantic's ``model_fields_set``)."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", given)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def email_sent(at: datetime) -> ev.EmailSent:
    """``EmailSent(at=at)``."""
    if at.utcoffset() is None:
        return ev.EmailSent(at=at)  # raises: a naive instant
    return _made(ev.EmailSent, {"at": at.astimezone(UTC), "id": None, "type": "email_sent"}, {"at"})


def call_attempted(
    at: datetime, outcome: Literal["voicemail", "no_answer", "gatekeeper", "wrong_number"]
) -> ev.CallAttempted:
    """``CallAttempted(at=at, outcome=outcome)`` for a call that did not connect."""
    if at.utcoffset() is None:
        return ev.CallAttempted(at=at, outcome=outcome)  # raises: a naive instant
    values = {
        "at": at.astimezone(UTC),
        "id": None,
        "type": "call_attempted",
        "outcome": outcome,
        "next_contact_at": None,
        "permission": None,
    }
    return _made(ev.CallAttempted, values, {"at", "outcome"})


def connected_call(
    at: datetime, *, permission: bool, next_contact_at: datetime | None
) -> ev.CallAttempted:
    """``CallAttempted(at=at, outcome="connected", permission=permission,
    next_contact_at=next_contact_at)``."""
    if at.utcoffset() is None or (
        next_contact_at is not None
        and (next_contact_at.utcoffset() is None or next_contact_at <= at)
    ):  # raises: a naive instant, or a next contact not after the call
        return ev.CallAttempted(
            at=at, outcome="connected", permission=permission, next_contact_at=next_contact_at
        )
    values = {
        "at": at.astimezone(UTC),
        "id": None,
        "type": "call_attempted",
        "outcome": "connected",
        "next_contact_at": None if next_contact_at is None else next_contact_at.astimezone(UTC),
        "permission": permission,
    }
    return _made(ev.CallAttempted, values, {"at", "outcome", "permission", "next_contact_at"})
