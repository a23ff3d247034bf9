"""Business-day arithmetic over weekmasks and holiday calendars (DESIGN §4).

A day is a business day when its weekday is in the weekmask and it is a holiday in none of the
calendars (the prospect's country and subdivision, the team's, and custom dates). Offsets follow
``numpy.busday_offset(d, n, roll="forward")``: roll forward to a business day, then move ``n``
business days. numpy is the oracle in the tests; the engine does not depend on it.

Everything that depends only on (calendar, year) is computed once and cached: the sorted ordinals
of a year's business days. An offset is then one ``bisect`` and an index.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date
from functools import cache, lru_cache

import holidays as _holidays

from cadence.errors import InvalidInputError

__all__ = ["BusinessDays", "business_days", "holiday_dates", "subdivision_code"]

_SUPPORTED = _holidays.list_supported_countries()


def _alpha2_of() -> dict[str, str]:
    """The other codes ``holidays`` accepts for a country (alpha-3, ``UK``), to their alpha-2.
    The legal calling rules match alpha-2 codes only, so a prospect filed under ``USA`` would
    be held to no law: such a code is refused, naming the one to use."""
    from holidays.registry import COUNTRIES

    out: dict[str, str] = {}
    for entry in COUNTRIES.values():
        alpha2, others = entry[1], entry[2:]
        for code in others:
            if not code.startswith("Holidays") and code != alpha2:
                out[code] = alpha2
    return out


_ALPHA2_OF = _alpha2_of()


@cache
def _spellings(country: str) -> dict[str, str]:
    """``country``'s subdivisions by every case-folded way to write them, to the code as
    ``holidays`` spells it. The codes: mostly capitals (``IL``), but some in mixed case (the
    Netherlands' ``Noord``, Belgium's ``Flemish``, Switzerland's ``Stadt Zurich``, Germany's
    ``Augsburg``), which an upper-cased code never matched; no two differ only in case. Then
    the full ISO 3166-2 form (``US-FL``) and the names ``holidays`` knows as aliases
    (``Florida``, ``Bayern``, ``Colombie-Britannique``), which a CRM's address fields hold.
    A code wins over a name written the same. Built for a country when first asked: each
    country's aliases live in its own module of ``holidays``."""
    codes = _SUPPORTED.get(country)
    if codes is None:
        return {}
    aliases = getattr(getattr(_holidays, country), "subdivisions_aliases", None) or {}
    out = {name.casefold(): code for name, code in sorted(aliases.items()) if code in codes}
    out.update((f"{country}-{code}".casefold(), code) for code in codes)
    out.update((code.casefold(), code) for code in codes)
    return out


def subdivision_code(country: str | None, subdivision: str) -> str:
    """``subdivision`` as ``holidays`` spells it for ``country`` (an upper-case code), matched
    whatever its case, and given as a code, an ISO 3166-2 code or a name: ``("NL", "NOORD")``
    -> ``"Noord"``, ``("US", "fl")``, ``("US", "US-FL")`` and ``("US", "Florida")`` ->
    ``"FL"``. A subdivision it does not know comes back in capitals, for
    :func:`check_region` to refuse. The legal calling rules match codes in capitals
    (``compliance``), whatever the spelling stored: so only codes are stored (a state holding a
    name is refused by :func:`check_region`, naming the code)."""
    known = _spellings(country) if isinstance(country, str) else None
    return (known or {}).get(subdivision.strip().casefold(), subdivision.upper())


def check_region(country: str | None, subdivision: str | None, *, field: str) -> None:
    """Raise a clear error unless ``holidays`` knows the country (and subdivision)."""
    if country is None:
        if subdivision is not None:
            msg = f"{field}: subdivision {subdivision!r} needs a country (e.g. country='US')"
            raise InvalidInputError(msg, field=field, value=subdivision)
        return
    if not isinstance(country, str):
        msg = f"{field}: expected a country code such as 'US', got {type(country).__name__}"
        raise InvalidInputError(msg, field=field, value=country)
    alpha2 = _ALPHA2_OF.get(country.upper())
    if alpha2 is not None:
        msg = (
            f"{field}: {country!r} is not an ISO 3166-1 alpha-2 code; use {alpha2!r} "
            "(the legal calling rules match alpha-2 codes only)"
        )
        raise InvalidInputError(msg, field=field, value=country)
    if country not in _SUPPORTED:
        msg = (
            f"{field}: {country!r} is not an ISO 3166-1 alpha-2 country the holidays package "
            "knows; use e.g. 'US', 'FR', 'DE'"
        )
        raise InvalidInputError(msg, field=field, value=country)
    subdivisions = _SUPPORTED[country]
    if subdivision is not None and subdivision not in subdivisions:
        where = "subdivision" if field == "country" else field  # a prospect's own field
        spelt = subdivision_code(country, subdivision) if isinstance(subdivision, str) else None
        if spelt in subdivisions:  # a stored state or a model built directly, in other case
            msg = f"{where}: {subdivision!r} is spelt {spelt!r} by the holidays package; use that"
        else:
            msg = (
                f"{where}: {subdivision!r} is not a subdivision of {country}; use one of "
                f"{', '.join(sorted(subdivisions)[:12])}"
                f"{', ...' if len(subdivisions) > 12 else ''}"
            )
        raise InvalidInputError(msg, field=where, value=subdivision)


@cache
def holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays (observed days included) of one region and year.

    Only the dates: ``holidays`` names them in a language it reads from the environment
    (``LANGUAGE``, ``LC_ALL``, ``LANG``) unless told one, so it is told the country's own."""
    language = getattr(_holidays, country).default_language
    table = _holidays.country_holidays(country, subdiv=subdivision, years=year, language=language)
    return frozenset(d for d in table if d.year == year)


class BusinessDays:
    """One business-day calendar. Build it with :func:`business_days` to share its caches."""

    def __init__(
        self,
        weekmask: str,
        regions: tuple[tuple[str, str | None], ...],
        extra: frozenset[date],
    ) -> None:
        self.weekmask = weekmask
        self.regions = regions
        self.extra = extra
        self._workdays = tuple(c == "1" for c in weekmask)
        self._years: dict[int, list[int]] = {}
        self._offsets: dict[tuple[int, int], date] = {}

    def _year(self, year: int) -> list[int]:
        days = self._years.get(year)
        if days is None:
            closed: set[date] = {d for d in self.extra if d.year == year}
            for country, subdivision in self.regions:
                closed.update(holiday_dates(country, subdivision, year))
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            days = [
                o
                for o in range(first, last + 1)
                if self._workdays[(o - 1) % 7] and date.fromordinal(o) not in closed
            ]
            self._years[year] = days
        return days

    def is_business_day(self, day: date) -> bool:
        """Whether ``day`` is a business day in every calendar."""
        days = self._year(day.year)
        o = day.toordinal()
        i = bisect_left(days, o)
        return i < len(days) and days[i] == o

    def offset(self, day: date, n: int) -> date:
        """``numpy.busday_offset(day, n, roll="forward")`` for ``n >= 0``."""
        key = (day.toordinal(), n)
        found = self._offsets.get(key)
        if found is not None:
            return found
        if n < 0:
            msg = f"n: business-day offsets go forward; got {n}"
            raise InvalidInputError(msg, field="n", value=n)
        found = self._offset(day, n)
        if len(self._offsets) > 65536:
            self._offsets.clear()
        self._offsets[key] = found
        return found

    def _offset(self, day: date, n: int) -> date:
        year = day.year
        days = self._year(year)
        i = bisect_left(days, day.toordinal()) + n
        while i >= len(days):  # spill into the following years
            i -= len(days)
            year += 1
            if year > day.year + 20:
                msg = f"weekmask and holidays leave no business day after {day}"
                raise InvalidInputError(msg, field="weekmask", value=self.weekmask)
            days = self._year(year)
        return date.fromordinal(days[i])


@lru_cache(maxsize=1024)  # the most recently used: a process may meet many policies' weeks
def business_days(
    weekmask: str,
    regions: tuple[tuple[str, str | None], ...] = (),
    extra: frozenset[date] = frozenset(),
) -> BusinessDays:
    """The shared calendar for these inputs (its per-year tables are computed once)."""
    return BusinessDays(weekmask, _dedupe(regions), extra)


def _dedupe(regions: Iterable[tuple[str, str | None]]) -> tuple[tuple[str, str | None], ...]:
    return tuple(sorted(set(regions), key=lambda r: (r[0], r[1] or "")))
