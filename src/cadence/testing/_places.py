"""Places and instants: IANA zones with their countries, and instants near DST changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from cadence.channel import Channel
from cadence.events import EARLIEST, LATEST, CallOutcome, ReplyIntent

# -- places -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Region:
    """Where a prospect lives: an IANA zone and the ISO 3166 codes that pick holidays and laws."""

    timezone: str
    country: str | None
    subdivision: str | None = None


#: Zones chosen for their awkward corners: US states with their own calling laws, France's
#: split calling day, a half-hour offset (Kolkata), a half-hour DST shift (Lord Howe), a DST
#: change at midnight (Santiago on a Sunday; Cairo on a Friday, a business day under the default
#: weekmask, where local midnight does not exist on the spring-forward day), and a prospect
#: without a country (no holidays, no legal rules).
REGIONS: tuple[Region, ...] = (
    Region("America/Chicago", "US", "IL"),
    Region("America/New_York", "US", "NY"),
    Region("America/Los_Angeles", "US", "CA"),
    Region("America/New_York", "US", "FL"),
    Region("America/New_York", "US", "CT"),
    Region("America/Chicago", "US", "OK"),
    Region("America/New_York", "US", "RI"),  # short Saturdays, no Sundays, no holidays
    Region("Europe/Paris", "FR"),
    Region("Europe/Berlin", "DE"),
    Region("Asia/Kolkata", "IN"),
    Region("Australia/Lord_Howe", "AU", "NSW"),
    Region("America/Santiago", "CL"),
    Region("Africa/Cairo", "EG"),
    Region("Europe/London", None),
)

ZONES: tuple[str, ...] = tuple(dict.fromkeys(r.timezone for r in REGIONS))


def regions(choices: Sequence[Region] = REGIONS) -> SearchStrategy[Region]:
    """One of ``choices`` (default: :data:`REGIONS`)."""
    if isinstance(choices, str) or not all(isinstance(c, Region) for c in choices) or not choices:
        msg = f"choices: expected Region values, got {choices!r}; e.g. [Region('UTC', None)]"
        raise InvalidArgument(msg)
    return st.sampled_from(tuple(choices))


# -- time -------------------------------------------------------------------------------------


@cache
def transitions_of(zone: str, min_year: int = 2024, max_year: int = 2030) -> tuple[datetime, ...]:
    """The instants (UTC, to the minute) at which ``zone`` changes its UTC offset."""
    tz = ZoneInfo(zone)
    out: list[datetime] = []
    t = datetime(min_year, 1, 1, tzinfo=UTC)
    end = datetime(max_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=12)
    while t < end:
        nxt = t + step
        if t.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = t, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            out.append(hi.replace(second=0, microsecond=0))
        t = nxt
    return tuple(out)


def instants(
    zones: Sequence[str] = ZONES,
    *,
    min_year: int = 2024,
    max_year: int = 2030,
    near_transitions: bool = True,
) -> SearchStrategy[datetime]:
    """Aware instants between ``min_year`` and ``max_year``, expressed in one of ``zones``.

    Never an imaginary wall time. With ``near_transitions`` about half of them fall within a day
    and a half of a DST change of their zone, where calendars go wrong.
    """
    if isinstance(zones, str) or not zones:
        raise InvalidArgument(f"zones: expected IANA zone names, got {zones!r}; e.g. ['UTC']")
    try:
        tzs = [ZoneInfo(z) for z in zones]
    except (ValueError, TypeError, ZoneInfoNotFoundError):
        raise InvalidArgument(f"zones: {zones!r} are not all IANA zone names") from None
    # A year inside the range whatever the zone's offset (local 1900-01-01 00:00 is still
    # 1899 at UTC east of Greenwich).
    first, last = EARLIEST.year + 1, LATEST.year - 2
    if not first <= min_year <= max_year <= last:
        msg = (
            f"min_year={min_year}, max_year={max_year}: give min_year <= max_year, both in "
            f"{first}..{last} (the years cadence plans in, in every zone)"
        )
        raise InvalidArgument(msg)
    uniform = st.datetimes(
        min_value=datetime(min_year, 1, 1),
        max_value=datetime(max_year, 12, 31, 23, 59, 59),
        timezones=st.sampled_from(tzs),
        allow_imaginary=False,
    )
    changing = [z for z in zones if transitions_of(z, min_year, max_year)]
    if not near_transitions or not changing:
        return uniform

    def near(zone: str) -> SearchStrategy[datetime]:
        tz = ZoneInfo(zone)
        return st.builds(
            lambda t, minutes, seconds: (
                t + timedelta(minutes=minutes, seconds=seconds)
            ).astimezone(tz),
            st.sampled_from(transitions_of(zone, min_year, max_year)),
            st.integers(-36 * 60, 36 * 60),
            st.integers(0, 59),
        )

    return st.one_of(uniform, st.sampled_from(changing).flatmap(near))


def delays(
    *, min_delay: timedelta = timedelta(0), max_delay: timedelta = timedelta(days=45)
) -> SearchStrategy[timedelta]:
    """Durations in ``[min_delay, max_delay]``: a mix of seconds, minutes, hours and weeks."""
    lo = int(min_delay.total_seconds())
    hi = int(max_delay.total_seconds())
    scales = [s for s in (0, 600, 4 * 3600, 3 * 86400) if lo <= lo + s <= hi] + [hi - lo]
    return (
        st.sampled_from(scales)
        .flatmap(lambda s: st.integers(lo, lo + s))
        .map(lambda n: timedelta(seconds=n))
    )


def _after(at: datetime, minimum: timedelta = timedelta(seconds=1)) -> SearchStrategy[datetime]:
    """Instants ``minimum`` to 60 days after ``at``, in its zone. Added in UTC: ``+`` on a
    zoned datetime moves its wall clock, and from the second pass of a repeated hour
    (``fold=1``) the sum is read on the first, an hour early."""
    utc, zone = at.astimezone(UTC), at.tzinfo
    return delays(min_delay=minimum, max_delay=timedelta(days=60)).map(
        lambda d: (utc + d).astimezone(zone)
    )


# -- events -----------------------------------------------------------------------------------

_OUTCOMES: tuple[CallOutcome, ...] = ("connected", "voicemail", "no_answer", "gatekeeper")
_UNANSWERED: tuple[CallOutcome, ...] = ("voicemail", "voicemail", "no_answer", "gatekeeper")
_INTENTS: tuple[ReplyIntent | None, ...] = (
    None,
    "positive",
    "neutral",
    "not_now",
    "referral",
    "wrong_person",
    "unsubscribe",
)
_PREFERRED: tuple[Literal[Channel.PHONE, Channel.EMAIL], ...] = (Channel.PHONE, Channel.EMAIL)
