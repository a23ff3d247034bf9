"""Clock times as people write them: ``9:00`` is ``09:00``. pydantic reads only two-digit
hours, and refused a policy's ``start: 9:00`` as "too short", without saying what to write."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

__all__ = ["CLOCK_PATTERN", "END_PATTERN", "ClockEnd", "ClockTime"]

#: What the JSON Schema says a clock time is: ``H:MM`` or ``HH:MM``, seconds and their fraction
#: optional (JSON Schema's ``format: time`` wants seconds and an offset, so editors flagged
#: ``9:00``, which a policy loads).
CLOCK_PATTERN = r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"
#: The same, and ``24:00``, for the end of a slot or a working window: the day's end.
END_PATTERN = r"^(([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?|24:00(:00)?)$"

#: How the day's end, midnight, is written.
DAY_END = frozenset({"24:00", "24:00:00"})

_ONE_DIGIT_HOUR = re.compile(r"\d:\d\d(:\d\d)?")


def _two_digit_hour(value: object) -> object:
    if isinstance(value, str) and _ONE_DIGIT_HOUR.fullmatch(value.strip()):
        return "0" + value.strip()
    return value


def _not_the_day_end(value: object) -> object:
    # pydantic said only "hour value is outside expected range of 0-23", and the schema
    # admitted it: name what 24:00 is, and what to write.
    if isinstance(value, str) and value.strip() in DAY_END:
        msg = (
            f"{value!r} is the end of a day, not a time in it: only the end of a slot (or of a "
            "working window) may be 24:00; write 00:00 for the start of a day, or end a legal "
            "window by 23:59"
        )
        raise ValueError(msg)
    return value


def _day_end_as_max(value: object) -> object:
    # A window that crosses midnight is split there, so its first part ends at 24:00: a time
    # of day has no such hour, and the day's last instant is as good an end.
    return time.max if isinstance(value, str) and value.strip() in DAY_END else value


#: A time in the day, ``00:00`` to ``23:59:59.999999``.
ClockTime = Annotated[
    time,
    BeforeValidator(_two_digit_hour),
    BeforeValidator(_not_the_day_end),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN}),
]

#: The end of a half-open window: a time in the day, or ``24:00``, the day's end (read as
#: ``time.max``, the day's last instant: a time of day has no 24th hour).
ClockEnd = Annotated[
    time,
    BeforeValidator(_two_digit_hour),
    BeforeValidator(_day_end_as_max),
    WithJsonSchema({"type": "string", "pattern": END_PATTERN}),
]
