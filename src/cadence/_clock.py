"""Clock times as people write them: ``9:00`` is ``09:00``. pydantic reads only two-digit
hours, and refused a policy's ``start: 9:00`` as "too short", without saying what to write."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

from pydantic import BeforeValidator

__all__ = ["ClockTime"]

_ONE_DIGIT_HOUR = re.compile(r"\d:\d\d(:\d\d)?")


def _two_digit_hour(value: object) -> object:
    if isinstance(value, str) and _ONE_DIGIT_HOUR.fullmatch(value.strip()):
        return "0" + value.strip()
    return value


ClockTime = Annotated[time, BeforeValidator(_two_digit_hour)]
