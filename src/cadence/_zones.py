"""Where a time zone is: the country a zone name places a prospect in, and whether a prospect's
zone can be in its country (DESIGN §5: calling hours are the prospect's local time, so a zone
from another country moves the legal window by hours).

Both answers come from the IANA data, through the generated table :mod:`cadence._zone_table`
(``python docs/generate.py`` rewrites it from the installed ``tzdata`` package): the core reads
no file. Pure functions of their arguments.

>>> home_country("America/New_York"), home_country("US/Eastern"), home_country("UTC")
('US', 'US', None)
>>> fits("America/Puerto_Rico", "US", None), fits("UTC", "US", "FL")
(True, False)
"""

from __future__ import annotations

from cadence._zone_table import EXAMPLES, ZONES
from cadence.compliance import TERRITORIES, _place

__all__ = ["codes_of", "example_zone", "fits", "home_country", "law_place", "zone_countries"]

_NOWHERE: tuple[None, str] = (None, "")

#: Subdivisions that are places with an ISO 3166-1 code of their own, under which IANA lists
#: their zones: the US territories and France's overseas departments (:data:`TERRITORIES`:
#: ``("FR", "971")`` is Guadeloupe, ``GP``) and France's overseas collectivities, whose
#: ISO 3166-2 codes are their alpha-2 codes (``("FR", "PF")``, French Polynesia).
_OWN_CODE: dict[tuple[str, str], str] = {
    **{place: code for code, place in TERRITORIES.items()},
    **{("FR", code): code for code in ("BL", "MF", "NC", "PF", "PM", "TF", "WF")},
}


def home_country(timezone: str) -> str | None:
    """The one country (ISO 3166-1 alpha-2) the zone name places a prospect in: the country
    IANA lists it under (``Europe/Paris``: ``FR``), or for an old alias the country it names
    (``US/Eastern``: ``US``); None for a name of several countries or of none (``UTC``,
    ``Etc/GMT+5``, ``EST``, ``America/Montreal``, which is the Bahamas' zone too)."""
    return ZONES.get(timezone, _NOWHERE)[0]


def zone_countries(timezone: str) -> frozenset[str]:
    """The countries where the zone is the local time (its clock has been theirs since 1970);
    empty for ``UTC``, ``Etc/...``, the rule names (``EST``, ``CET``) and unknown names."""
    return frozenset(ZONES.get(timezone, _NOWHERE)[1].split())


def codes_of(country: str, subdivision: str | None) -> tuple[str, ...]:
    """The ISO 3166-1 codes of the places a prospect filed under ``country`` (and
    ``subdivision``) may be in, the country's own first: ``US`` is also its territories
    (``PR``...), ``US``/``PR`` is Puerto Rico alone, ``US``/``FL`` the United States alone,
    ``FR``/``971`` Guadeloupe (``GP``)."""
    country, subdivision = _place(country, subdivision)
    if subdivision is not None:
        own = _OWN_CODE.get((country, subdivision))
        return (country,) if own is None else (own,)
    return (country, *(code for (home, _), code in _OWN_CODE.items() if home == country))


def fits(timezone: str, country: str, subdivision: str | None) -> bool:
    """Whether ``timezone`` is the local time of some place a prospect filed under ``country``
    and ``subdivision`` may be in (:func:`codes_of`). The subdivision of a country is not
    checked against the zone beyond its own code: IANA does not say which states a zone
    covers (``US``/``FL`` fits ``America/Chicago``, the panhandle's, and any US zone)."""
    clocks = ZONES.get(timezone, _NOWHERE)[1]
    return bool(clocks) and any(code in clocks.split() for code in codes_of(country, subdivision))


def example_zone(country: str, subdivision: str | None) -> str | None:
    """A zone of the place, for error messages: IANA's first (most populous) for its code."""
    return EXAMPLES.get(codes_of(country, subdivision)[0])


def law_place(
    timezone: str, country: str | None, subdivision: str | None
) -> tuple[str | None, str | None]:
    """The place whose legal calling rules bind a prospect: its own country and subdivision;
    without a country, the country its zone belongs to (:func:`home_country`, no subdivision:
    the country's own rules, not any state's)."""
    if country is not None:
        return country, subdivision
    return home_country(timezone), None
