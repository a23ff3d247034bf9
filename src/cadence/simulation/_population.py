"""The synthetic population: who the prospects are, where they live, when they arrive.

Each prospect is a pure function of (seed, index): its place is drawn from the weighted
:data:`PLACES` and its enrolment instant from the first ``enrol_days`` of the run, both on its
own luck streams. So a chunk of indices can be generated anywhere, in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from cadence.simulation._luck import ENROL, REGION, Luck

__all__ = ["PLACES", "Member", "Place", "member"]


class Place(NamedTuple):
    """An IANA zone with the ISO 3166 codes that pick its holidays and calling laws, and its
    share of the population (relative weight: a finite number above 0, which ``simulate``
    checks)."""

    timezone: str
    country: str | None
    subdivision: str | None = None
    weight: float = 1.0


#: A North American and European book with a few prospects further east: US states with their
#: own calling laws (FL, OK), Canada, France's split calling day, a half-hour offset (Kolkata)
#: and a southern-hemisphere DST (Sydney).
PLACES: tuple[Place, ...] = (
    Place("America/New_York", "US", "NY", 16),
    Place("America/Chicago", "US", "IL", 12),
    Place("America/Denver", "US", "CO", 5),
    Place("America/Los_Angeles", "US", "CA", 12),
    Place("America/New_York", "US", "FL", 6),
    Place("America/Chicago", "US", "OK", 3),
    Place("America/Toronto", "CA", "ON", 6),
    Place("Europe/London", "GB", None, 12),
    Place("Europe/Paris", "FR", None, 12),
    Place("Europe/Berlin", "DE", None, 10),
    Place("Asia/Kolkata", "IN", None, 3),
    Place("Australia/Sydney", "AU", "NSW", 3),
)


class Member(NamedTuple):
    """One prospect of the population."""

    number: int
    place: Place
    owner: int
    """The rep (0-based) who works this prospect: contiguous blocks of indices per rep."""
    enrolled_at: datetime


def _pick(places: Sequence[Place], u: float) -> Place:
    total = sum(p.weight for p in places)
    target = u * total
    for p in places:
        target -= p.weight
        if target < 0:
            return p
    return places[-1]


def member(
    luck: Luck,
    index: int,
    *,
    prospects: int,
    reps: int,
    start: datetime,
    enrol_days: int,
    places: Sequence[Place],
) -> Member:
    """Prospect ``index`` of ``prospects`` (its ``luck`` is ``Luck(seed, index)``)."""
    place = _pick(places, luck.draw(REGION))
    minutes = luck.below(ENROL, max(enrol_days, 1) * 24 * 60) if enrol_days else 0
    return Member(
        number=index,
        place=place,
        owner=index * reps // prospects,
        enrolled_at=start + timedelta(minutes=minutes),
    )
