"""Reps' own working hours, for the day planners (``plan_day``, ``plan_table``, ``plan_frame``).

A rep whose book spans zones works in one: their working time is kept in their own zone, and
everything outside it is busy time in their day, booked before their meetings and touches, so
that the planners' fitting (:func:`cadence._stretches.book`) keeps every touch wholly inside
it without knowing why. Local days are resolved with :func:`cadence.calendar.resolve_local`,
so a working day on which the rep's clocks change is as long as it really is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cadence._clock import ClockEnd, ClockTime
from cadence._stretches import occupied
from cadence.calendar import resolve_local, zone
from cadence.errors import InvalidInputError

__all__ = ["RepHours", "WorkWindow", "book_off_hours", "check_rep_hours", "off_hours"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DAY = timedelta(days=1)
_SPAN_DAYS = 3  # local days either side of the planned one that may hold a touch's instant
_WINDOW_TEXT = re.compile(r"\s*(\d{1,2}:\d\d(?::\d\d)?)\s*-\s*(\d{1,2}:\d\d(?::\d\d)?)\s*")


class WorkWindow(BaseModel):
    """One stretch of a rep's working day, local wall time, half-open ``[start, end)``."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    start: ClockTime
    """When work starts, local time, inclusive (``08:00``)."""
    end: ClockEnd
    """When it ends, local time, exclusive; after ``start`` (``24:00``: the day's end)."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            msg = "a working window's start and end are local wall-clock times; drop the tzinfo"
            raise ValueError(msg)
        if not self.start < self.end:
            msg = (
                f"the window {self.start:%H:%M}-{self.end:%H:%M} ends before it starts; a "
                "window may not cross midnight: split it there (e.g. 22:00-24:00 and "
                "00:00-06:00)"
            )
            raise ValueError(msg)
        return self


def _window_text(value: object) -> object:
    """``"08:00-17:00"`` as a window's fields (how a person writes one)."""
    if isinstance(value, str):
        found = _WINDOW_TEXT.fullmatch(value)
        if found is None:
            msg = f"{value!r} is not a working window; write it as HH:MM-HH:MM, e.g. '08:00-17:00'"
            raise ValueError(msg)
        return {"start": found[1], "end": found[2]}
    return value


class RepHours(BaseModel):
    """A rep's working hours: their IANA ``timezone``, the ``windows`` of each working day in
    it, and which days they work (``weekmask``, Monday first, as the policy's).

    >>> RepHours(timezone="America/Chicago", windows=["08:00-12:00", "13:00-17:00"]).windows[1]
    WorkWindow(start=datetime.time(13, 0), end=datetime.time(17, 0))
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    timezone: str
    """The rep's IANA zone (``America/Chicago``): their windows are its wall time."""
    windows: tuple[Annotated[WorkWindow, BeforeValidator(_window_text)], ...] = Field(min_length=1)
    """The working windows of each working day (``"08:00-17:00"`` or ``{start, end}``)."""
    weekmask: str = "1111100"
    """Working days, Monday first: ``1`` works, ``0`` is off (``1111001`` for Sun-Thu)."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)  # (an InvalidInputError is a ValueError: pydantic reports it)
        return value

    @field_validator("weekmask")
    @classmethod
    def _weekmask(cls, value: str) -> str:
        if not re.fullmatch(r"[01]{7}", value):
            msg = (
                f"weekmask {value!r} must be 7 characters of 0/1, Monday first (e.g. "
                "'1111100' for Monday to Friday)"
            )
            raise ValueError(msg)
        if "1" not in value:  # every touch of theirs was deferred, on every day
            msg = (
                f"weekmask {value!r} gives no working day; put a 1 on each day the rep works "
                "(e.g. '1111100'); for a rep away all week, give them capacity 0 instead"
            )
            raise ValueError(msg)
        return value


def check_rep_hours(rep_hours: object) -> dict[str, RepHours]:
    """The planners' ``rep_hours`` argument, checked: owners to their :class:`RepHours` (a
    mapping's values may be the fields of one, as a dict), or an :class:`InvalidInputError`
    naming ``rep_hours``."""
    if rep_hours is None:
        return {}
    if not isinstance(rep_hours, Mapping):
        msg = (
            f"rep_hours: expected a mapping of owners to RepHours, got {rep_hours!r}; give e.g. "
            "{'ana': RepHours(timezone='America/Chicago', windows=['08:00-17:00'])}"
        )
        raise InvalidInputError(msg, field="rep_hours", value=rep_hours)
    checked: dict[str, RepHours] = {}
    for owner, hours in rep_hours.items():
        if not isinstance(owner, str):
            msg = f"rep_hours: key {owner!r} is not an owner; key the mapping by owner, e.g. 'ana'"
            raise InvalidInputError(msg, field="rep_hours", value=owner)
        if isinstance(hours, RepHours):
            checked[owner] = hours
            continue
        try:
            checked[owner] = RepHours.model_validate(hours)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            why = str(first["msg"]).removeprefix("Value error, ").removeprefix(f"{where}: ")
            msg = (
                f"rep_hours: {owner!r}: {where + ': ' if where else ''}{why} (got {hours!r}); "
                "give e.g. {'timezone': 'America/Chicago', 'windows': ['08:00-17:00']}"
            )
            raise InvalidInputError(msg, field="rep_hours", value=hours) from None
    return checked


def _us(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


def off_hours(hours: RepHours, day: date) -> list[tuple[int, int]]:
    """Everything outside the rep's working time, as sorted, disjoint µs stretches, from three
    days before ``day`` (UTC) to three days after it: wider than any local day of the plan."""
    tz = zone(hours.timezone)
    working: list[tuple[int, int]] = []
    for offset in range(-_SPAN_DAYS - 1, _SPAN_DAYS + 2):
        local = day + timedelta(days=offset)
        if hours.weekmask[local.weekday()] != "1":
            continue
        for w in hours.windows:
            start = resolve_local(local, w.start, tz)
            if w.end == time.max:  # 24:00: the next local midnight (which may not exist)
                end = resolve_local(local + _DAY, time(0), tz)
            else:
                end = resolve_local(local, w.end, tz)
            if start < end:  # (both inside one clock change's gap: no time at all)
                working.append((_us(start), _us(end)))
    span_start = _us(datetime.combine(day, time(0), UTC) - _SPAN_DAYS * _DAY)
    span_end = _us(datetime.combine(day, time(0), UTC) + (_SPAN_DAYS + 1) * _DAY)
    off: list[tuple[int, int]] = []
    at = span_start
    for begins, ends in sorted(working):
        if begins > at:
            off.append((at, begins))
        at = max(at, ends)
    if at < span_end:
        off.append((at, span_end))
    return off


def book_off_hours(
    busy: dict[str, list[tuple[int, int]]], rep_hours: Mapping[str, RepHours], day: date
) -> dict[str, list[tuple[int, int]]]:
    """Book every owner of ``rep_hours`` busy outside their working time in ``busy`` (each
    owner's booked stretches: their meetings), for a plan of ``day``; return each such
    owner's off-hours alone, to tell a touch that found no time for them from one that found
    none for the meetings and the more urgent touches."""
    off: dict[str, list[tuple[int, int]]] = {}
    for owner, hours in rep_hours.items():
        off[owner] = off_hours(hours, day)
        busy[owner] = occupied([*busy.get(owner, ()), *off[owner]])
    return off
