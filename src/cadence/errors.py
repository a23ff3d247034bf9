"""The errors cadence raises: one root, a few meaningful kinds (DESIGN §9).

Every error the engine, :func:`cadence.parse_event` and the other entry points raise is a
:class:`CadenceError`. Errors caused by the caller's input also subclass :class:`ValueError`, so
that one ``except ValueError`` catches them together with pydantic's own ``ValidationError``
(raised when a model is constructed directly).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CadenceError",
    "ConflictingEventError",
    "IllegalTransitionError",
    "InvalidInputError",
    "LateEventError",
    "NoSlotError",
    "SchemaVersionError",
]


class CadenceError(Exception):
    """Root of every error cadence raises on purpose."""

    def __init__(self, msg: str, *, field: str | None = None, value: Any = None) -> None:
        super().__init__(msg)
        self.field = field
        self.value = value


class InvalidInputError(CadenceError, ValueError):
    """The caller passed something cadence cannot use: a naive datetime, an unknown zone or event
    type, a missing or mistyped field. ``.field`` names the field, ``.value`` the bad value."""


class LateEventError(InvalidInputError):
    """An event older than the prospect's newest applied event was given to ``apply``, or one
    older than the enrolment instant ``at`` to ``replay``.

    Fold the whole history with :meth:`cadence.Engine.replay` instead (from the enrolment
    instant); opt-outs are exempt and always honoured.
    """


class ConflictingEventError(InvalidInputError):
    """An event id was seen before with a different payload."""


class SchemaVersionError(InvalidInputError):
    """A stored state or policy has a ``schema_version`` this release cannot read."""


class NoSlotError(CadenceError, ValueError):
    """The policy's windows (intersected with the legal calling rules) leave no allowed time."""


class IllegalTransitionError(CadenceError):
    """The lifecycle has no transition for this event in this stage (a bug in a policy table)."""
