"""R4's parts of the day on a weekday with calling hours of its own (``Policy.weekday_hours``).

R4 retries an unanswered call at another time of day, and compares parts of the day by name. A
weekday's own hours change when the team calls that day, not what the times of day are: a
short Monday ``10:00-12:00`` named ``morning`` lies inside an everyday ``day`` of
``10:00-16:00``, and a retry there after a Thursday call at 10:00 is at the same time of day.
So each of that day's slots is cut where the everyday parts (``call_slots``) start and end, and
each piece inside an everyday part takes that part's name; a piece outside every everyday
part (an evening the team calls only on Fridays) keeps the day's own name.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import time

from cadence.policy import TimeSlot

__all__ = ["everyday_parts", "phone_day"]


def phone_day(
    own: Sequence[TimeSlot], everyday: Sequence[TimeSlot]
) -> tuple[tuple[time, time, str], ...]:
    """A weekday's own calling hours ``own`` as ``(start, end, name)`` in R4's parts of the day:
    cut at the boundaries of ``everyday`` (the policy's ``call_slots``), each piece named after
    the everyday part it lies in, or after its own slot outside them all. Sorted, disjoint."""
    out: list[tuple[time, time, str]] = []
    for slot in own:
        inner = {
            b for part in everyday for b in (part.start, part.end) if slot.start < b < slot.end
        }
        for start, end in itertools.pairwise(sorted({slot.start, slot.end, *inner})):
            name = next((p.name for p in everyday if p.start <= start < p.end), slot.name)
            out.append((start, end, name))
    return tuple(out)


def everyday_parts(own: Sequence[TimeSlot], everyday: Sequence[TimeSlot]) -> list[str]:
    """The names of R4's parts of the day that a weekday's own hours ``own`` fall in, in order."""
    return list(dict.fromkeys(name for _, _, name in phone_day(own, everyday)))
