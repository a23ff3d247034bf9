"""What the caller gives the engine, checked where it arrives (DESIGN §9): an instant, an
event (one made without validation is validated again: :mod:`cadence._checked`), and
``replay``'s history. Errors are :class:`~cadence.errors.InvalidInputError` naming the field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError

from cadence import events as ev
from cadence._checked import Checked
from cadence.errors import InvalidInputError

__all__ = ["aware", "checked_event", "history"]

_EVENTS = frozenset(ev.EVENT_CLASSES)
_EARLIEST, _LATEST = ev.EARLIEST, ev.LATEST
_ITEMS: tuple[type, ...] = (*ev.EVENT_CLASSES, str, bytes, Mapping)  # what a history may hold


def aware(value: Any, field: str) -> datetime:
    """``value`` in UTC if it is an aware datetime in the range the engine plans in; else an
    error naming ``field``."""
    if type(value) is datetime and value.tzinfo is UTC and _EARLIEST <= value < _LATEST:
        return value  # the common case, checked cheaply
    if not isinstance(value, datetime):
        msg = f"{field}: expected an aware datetime, got {type(value).__name__} {value!r}"
        raise InvalidInputError(msg, field=field, value=value)
    try:
        offset = ev.offset_of(value)
    except ValueError as exc:
        raise InvalidInputError(f"{field}: {exc}", field=field, value=value) from None
    if offset is None:
        msg = (
            f"{field}: {value.isoformat()!r} is a naive datetime; pass an aware one, e.g. "
            "datetime(..., tzinfo=ZoneInfo('America/Chicago'))"
        )
        raise InvalidInputError(msg, field=field, value=value)
    utc = ev.in_range(value)
    if utc is None:
        msg = f"{field}: {ev.out_of_range(value, optional=False)}"
        raise InvalidInputError(msg, field=field, value=value)
    return utc


def history(events: Any) -> list[ev.Event]:
    """``replay``'s events, each a cadence event or its JSON (text or a decoded mapping)."""
    if isinstance(events, str | bytes | Mapping) or not isinstance(events, Iterable):
        msg = (
            f"events: expected a list (or any iterable) of events, got {type(events).__name__}; "
            "wrap a single event in a list"
        )
        raise InvalidInputError(msg, field="events", value=events)
    items: list[ev.Event] = []
    for i, e in enumerate(events):
        if isinstance(e, _ITEMS):
            try:
                items.append(
                    checked_event(e)
                    if isinstance(e, ev.EVENT_CLASSES)
                    else ev.parse_event(cast("Mapping[str, Any] | str | bytes", e))
                )
            except InvalidInputError as exc:  # which of thousands of stored webhooks is bad
                msg = f"events: item {i}: {exc}"
                raise InvalidInputError(msg, field=exc.field, value=exc.value) from None
        else:
            msg = (
                f"events: item {i} ({type(e).__name__}) is not an event; give cadence events "
                "or their JSON (cadence.parse_event reads one)"
            )
            raise InvalidInputError(msg, field="events", value=e)
    return items


def checked_event(event: Any) -> ev.Event:
    """``event`` if validation made it, else validated again (:mod:`cadence._checked`):
    pydantic's ``model_copy(update=...)`` and ``model_construct`` check nothing, and a bogus
    outcome, a numeric id or a naive ``at`` was folded as if it were checked (and stored), or
    escaped as a TypeError or an AttributeError. An instance of a subclass of an event is read
    as that event (a field of the subclass's own is refused, naming it)."""
    cls = type(event)
    if cls in _EVENTS:
        if type(getattr(event, "__pydantic_fields_set__", None)) is Checked:
            return cast("ev.Event", event)
    elif isinstance(event, ev.EVENT_CLASSES):
        cls = next(c for c in ev.EVENT_CLASSES if isinstance(event, c))
    else:
        msg = (
            f"event: expected a cadence event, got {cls.__name__}; parse JSON with "
            "cadence.parse_event(...)"
        )
        raise InvalidInputError(msg, field="event", value=event)
    try:
        return cast("ev.Event", cls.model_validate(dict(getattr(event, "__dict__", {}))))
    except ValidationError as exc:
        raise ev.explain_validation_error(exc, "event", cls) from None
