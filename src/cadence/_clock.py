"""Clock times as people write them: ``9:00`` is ``09:00``. pydantic reads only two-digit
hours, and refused a policy's ``start: 9:00`` as "too short", without saying what to write."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

__all__ = ["CLOCK_PATTERN", "ClockTime"]

#: What the JSON Schema says a clock time is: ``H:MM`` or ``HH:MM``, seconds and their fraction
#: optional, and ``24:00`` for a slot's end (JSON Schema's ``format: time`` wants seconds and an
#: offset, so editors flagged ``9:00`` and ``24:00``, which a policy loads).
CLOCK_PATTERN = r"^(([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?|24:00(:00)?)$"

_ONE_DIGIT_HOUR = re.compile(r"\d:\d\d(:\d\d)?")


def _two_digit_hour(value: object) -> object:
    if isinstance(value, str) and _ONE_DIGIT_HOUR.fullmatch(value.strip()):
        return "0" + value.strip()
    return value


ClockTime = Annotated[
    time,
    BeforeValidator(_two_digit_hour),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN}),
]
