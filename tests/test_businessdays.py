"""Business days against numpy, the oracle DESIGN §4 names.

``BusinessDays.offset(d, n)`` must be ``numpy.busday_offset(d, n, roll="forward")`` with the same
weekmask and the holidays the ``holidays`` package gives for the same regions; ``is_business_day``
must be ``numpy.is_busday``. A team calendar closes a day when either the prospect's region or the
team's has a holiday on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache

import holidays
import numpy as np
import pytest
from holidays.registry import COUNTRIES
from hypothesis import given
from hypothesis import strategies as st

import cadence
from cadence import Policy
from cadence import events as ev
from cadence._zones import example_zone
from cadence.businessdays import business_days
from cadence.calendar import contact_calendar
from cadence.channel import Channel
from cadence.compliance import applicable_rules
from cadence.errors import InvalidInputError

Region = tuple[str, str | None]

REGIONS: dict[str, Region] = {
    "US": ("US", None),
    "US-CA": ("US", "CA"),
    "FR": ("FR", None),
    "DE": ("DE", None),
    "CA-QC": ("CA", "QC"),
}
#: A zone of each region (the calendar of a place with calling laws needs one of its zones).
ZONES = {
    "US": "America/Chicago",
    "US-CA": "America/Los_Angeles",
    "FR": "Europe/Paris",
    "DE": "UTC",  # no calling law: any zone
    "CA-QC": "America/Toronto",
}

MON_FRI = "1111100"
SUN_THU = "1111001"
"""Sunday to Thursday. Weekmasks are Monday first, so Friday and Saturday are the zeros."""

WEEKMASKS = (MON_FRI, SUN_THU)

FIRST_START, LAST_START = date(2020, 1, 1), date(2035, 12, 31)
ORACLE_YEARS = range(2019, 2038)  # covers every start date plus 30 business days either side


@cache
def oracle_holidays(regions: tuple[Region, ...]) -> tuple[date, ...]:
    """Every holiday of every region in ``ORACLE_YEARS``, straight from the holidays package."""
    days: set[date] = set()
    for country, subdivision in regions:
        days.update(holidays.country_holidays(country, subdiv=subdivision, years=ORACLE_YEARS))
    return tuple(sorted(days))


def numpy_offset(day: date, n: int, weekmask: str, regions: tuple[Region, ...]) -> date:
    """The oracle: ``numpy.busday_offset(day, n, roll="forward")``."""
    found = np.busday_offset(
        np.datetime64(day, "D"),
        n,
        roll="forward",
        weekmask=weekmask,
        holidays=list(oracle_holidays(regions)),
    )
    return date.fromisoformat(str(found))


def numpy_is_busday(day: date, weekmask: str, regions: tuple[Region, ...]) -> bool:
    """The oracle: ``numpy.is_busday``."""
    return bool(
        np.is_busday(
            np.datetime64(day, "D"), weekmask=weekmask, holidays=list(oracle_holidays(regions))
        )
    )


region_names = st.sampled_from(sorted(REGIONS))
start_dates = st.dates(min_value=FIRST_START, max_value=LAST_START)
offsets = st.integers(min_value=0, max_value=30)
weekmasks = st.sampled_from(WEEKMASKS)


def test_sun_thu_weekmask_is_monday_first() -> None:
    """numpy reads "1111001" as Sunday to Thursday, the spelling the policy's weekmask uses."""
    named = np.busdaycalendar(weekmask="Sun Mon Tue Wed Thu").weekmask
    assert "".join("1" if works else "0" for works in named) == SUN_THU


@given(name=region_names, weekmask=weekmasks, day=start_dates, n=offsets)
def test_offset_matches_numpy_busday_offset(name: str, weekmask: str, day: date, n: int) -> None:
    regions = (REGIONS[name],)
    calendar = business_days(weekmask, regions)
    assert calendar.offset(day, n) == numpy_offset(day, n, weekmask, regions)


@given(name=region_names, weekmask=weekmasks, day=start_dates)
def test_is_business_day_matches_numpy_is_busday(name: str, weekmask: str, day: date) -> None:
    regions = (REGIONS[name],)
    calendar = business_days(weekmask, regions)
    assert calendar.is_business_day(day) == numpy_is_busday(day, weekmask, regions)


@pytest.mark.parametrize("name", sorted(REGIONS))
@pytest.mark.parametrize("weekmask", WEEKMASKS)
def test_every_start_date_of_a_year_matches_numpy(name: str, weekmask: str) -> None:
    """Exhaustive over 2025 for the offsets that matter most (0, the R3 gap of 4, and 30)."""
    regions = (REGIONS[name],)
    calendar = business_days(weekmask, regions)
    days = np.arange("2025-01-01", "2026-01-01", dtype="datetime64[D]")
    hols = list(oracle_holidays(regions))
    for n in (0, 1, 4, 30):
        expected = np.busday_offset(days, n, roll="forward", weekmask=weekmask, holidays=hols)
        got = [calendar.offset(date.fromisoformat(str(d)), n).isoformat() for d in days]
        assert got == [str(e) for e in expected], (name, weekmask, n)
    busy = np.is_busday(days, weekmask=weekmask, holidays=hols)
    assert [calendar.is_business_day(date.fromisoformat(str(d))) for d in days] == list(busy)


@given(prospect=region_names, team=region_names, weekmask=weekmasks, day=start_dates, n=offsets)
def test_team_calendar_closes_a_day_that_either_region_closes(
    prospect: str, team: str, weekmask: str, day: date, n: int
) -> None:
    regions = (REGIONS[prospect], REGIONS[team])
    calendar = business_days(weekmask, regions)
    assert calendar.is_business_day(day) == (
        numpy_is_busday(day, weekmask, (REGIONS[prospect],))
        and numpy_is_busday(day, weekmask, (REGIONS[team],))
    )
    assert calendar.offset(day, n) == numpy_offset(day, n, weekmask, regions)


@given(prospect=region_names, team=region_names, weekmask=weekmasks, day=start_dates, n=offsets)
def test_contact_calendar_uses_the_prospects_and_the_teams_holidays(
    prospect: str, team: str, weekmask: str, day: date, n: int
) -> None:
    """The calendar the engine builds from a policy with a team region is the union calendar."""
    team_country, team_subdivision = REGIONS[team]
    policy = Policy(weekmask=weekmask, team_country=team_country, team_subdivision=team_subdivision)
    country, subdivision = REGIONS[prospect]
    calendar = contact_calendar(policy, ZONES[prospect], country, subdivision)
    regions = (REGIONS[prospect], REGIONS[team])
    assert calendar.days.is_business_day(day) == numpy_is_busday(day, weekmask, regions)
    assert calendar.add_business_days(day, n) == numpy_offset(day, n, weekmask, regions)


def test_us_prospect_with_a_french_team_skips_both_national_days() -> None:
    policy = Policy(team_country="FR")
    calendar = contact_calendar(policy, "America/New_York", "US", "NY")
    assert not calendar.days.is_business_day(date(2025, 7, 4))  # Independence Day (US)
    assert not calendar.days.is_business_day(date(2025, 7, 14))  # Fête nationale (FR)
    assert calendar.days.is_business_day(date(2025, 7, 15))
    # Thu 3 July + 4 business days: Fri 4 (US) and Mon 14 (FR) are closed, weekends too.
    assert calendar.add_business_days(date(2025, 7, 3), 4) == date(2025, 7, 10)
    assert calendar.add_business_days(date(2025, 7, 10), 2) == date(2025, 7, 15)


def test_a_holiday_in_only_one_region_is_a_business_day_for_a_calendar_without_it() -> None:
    us = business_days(MON_FRI, (REGIONS["US"],))
    fr = business_days(MON_FRI, (REGIONS["FR"],))
    assert us.is_business_day(date(2025, 7, 14))
    assert not fr.is_business_day(date(2025, 7, 14))
    assert fr.is_business_day(date(2025, 7, 4))
    assert not us.is_business_day(date(2025, 7, 4))


@given(day=start_dates, n=offsets, weekmask=weekmasks)
def test_custom_holidays_close_days_too(day: date, n: int, weekmask: str) -> None:
    extra = frozenset({day, date(day.year, 6, 15)})
    calendar = business_days(weekmask, (REGIONS["DE"],), extra)
    expected = np.busday_offset(
        np.datetime64(day, "D"),
        n,
        roll="forward",
        weekmask=weekmask,
        holidays=[*oracle_holidays((REGIONS["DE"],)), *extra],
    )
    assert calendar.offset(day, n) == date.fromisoformat(str(expected))
    assert not calendar.is_business_day(day)


def test_offset_zero_rolls_forward_to_a_business_day() -> None:
    calendar = business_days(SUN_THU, (REGIONS["US"],))
    assert calendar.offset(date(2025, 5, 2), 0) == date(2025, 5, 4)  # Friday -> Sunday


def test_negative_offsets_are_an_input_error() -> None:
    with pytest.raises(InvalidInputError, match="n: business-day offsets go forward"):
        business_days(MON_FRI, (REGIONS["US"],)).offset(date(2025, 5, 2), -1)


# -- subdivision codes, in the holidays package's spelling -------------------------------------

_AT = datetime(2026, 3, 3, 9, tzinfo=UTC)


def _alpha2_countries() -> list[str]:
    aliases = {alias for entry in COUNTRIES.values() for alias in entry[2:]}
    return sorted(c for c in holidays.list_supported_countries() if c not in aliases)


_SUBDIVISIONS = [
    (country, code)
    for country in _alpha2_countries()
    for code in holidays.list_supported_countries()[country]
]


def test_some_subdivisions_are_spelt_in_mixed_case() -> None:
    """What the tests below are about: the Netherlands' Noord, Belgium's Flemish, ..."""
    assert any(code != code.upper() for _, code in _SUBDIVISIONS)


@pytest.mark.parametrize("spell", [str.lower, str.upper, str.title, str])
def test_every_subdivision_is_taken_in_any_case_and_stored_as_holidays_spells_it(
    spell: Callable[[str], str],
) -> None:
    """``enroll`` upper-cased the code, so ``Noord``, ``Augsburg`` or ``Stadt Zurich`` could
    never be given, and the error said to use the very code given."""
    engine = cadence.Engine()
    for country, code in _SUBDIVISIONS:
        zone = example_zone(country, code) or example_zone(country, None) or "UTC"
        p = engine.enroll("p", timezone=zone, at=_AT, country=country, subdivision=spell(code))
        assert (p.country, p.subdivision) == (country, code)


def test_a_mixed_case_subdivision_keeps_its_own_holidays() -> None:
    """Augsburg closes for its Peace Festival, the rest of Bavaria does not."""
    city_days = holidays.country_holidays("DE", subdiv="Augsburg", years=2026)
    own = set(city_days) - set(holidays.country_holidays("DE", subdiv="BY", years=2026))
    assert own
    engine = cadence.Engine()
    city = engine.enroll(
        "p", timezone="Europe/Berlin", at=_AT, country="de", subdivision="AUGSBURG"
    )
    state = engine.enroll("p", timezone="Europe/Berlin", at=_AT, country="DE", subdivision="by")
    for day in own:
        assert not engine.calendar(city).days.is_business_day(day)
        assert engine.calendar(state).days.is_business_day(day) == (day.weekday() < 5)


def test_state_calling_rules_still_match_a_subdivision_given_in_lower_case() -> None:
    engine = cadence.Engine()
    p = engine.enroll("p", timezone="America/New_York", at=_AT, country="us", subdivision="fl")
    assert (p.country, p.subdivision) == ("US", "FL")
    rules = applicable_rules(p.country, p.subdivision, Channel.PHONE, _AT.date())
    assert {r.subdivision for r in rules} == {None, "FL"}


def test_a_move_a_replay_and_a_team_take_a_subdivision_in_any_case() -> None:
    engine = cadence.Engine()
    move = cadence.parse_event(
        {
            "type": "contact_updated",
            "at": "2026-03-04T09:00:00Z",
            "timezone": "Europe/Amsterdam",
            "country": "nl",
            "subdivision": "ZUID",
        }
    )
    assert isinstance(move, ev.ContactUpdated)
    assert (move.country, move.subdivision) == ("NL", "Zuid")
    p = engine.enroll("p", timezone="America/Chicago", at=_AT, country="US", subdivision="IL")
    assert engine.apply(p, move).subdivision == "Zuid"
    again = engine.replay(
        "p", [move], timezone="Europe/Brussels", at=_AT, country="BE", subdivision="flemish"
    )
    assert again.subdivision == "Zuid"
    first = engine.replay(
        "p", [], timezone="Europe/Brussels", at=_AT, country="be", subdivision="flemish"
    )
    assert first.subdivision == "Flemish"
    team = Policy(team_country="ch", team_subdivision="stadt zurich")
    assert (team.team_country, team.team_subdivision) == ("CH", "Stadt Zurich")


def test_a_stored_state_in_another_case_is_told_the_spelling_to_use() -> None:
    engine = cadence.Engine()
    p = engine.enroll("p", timezone="Europe/Amsterdam", at=_AT, country="NL", subdivision="Noord")
    stored = p.model_copy(update={"subdivision": "NOORD"})
    with pytest.raises(InvalidInputError, match="'NOORD' is spelt 'Noord' by the holidays"):
        engine.next_action(stored, _AT)


def test_a_subdivision_given_by_name_or_iso_code_is_stored_as_its_code_and_held_to_its_law() -> (
    None
):
    """A CRM's address holds ``Florida`` or ``Bayern``, or ISO 3166-2's ``US-FL``: each was
    refused, though ``holidays`` knows the names. They are stored as the code, so the state's
    calling rules (matched by code) hold: Florida's 20:00 end and its cap, Bavaria's holidays."""
    engine = cadence.Engine()
    for given_as in ("Florida", "florida", "US-FL", "us-fl", " FL "):
        p = engine.enroll(
            "p", timezone="America/New_York", at=_AT, country="US", subdivision=given_as
        )
        assert p.subdivision == "FL", given_as
    rules = applicable_rules("US", p.subdivision, Channel.PHONE, _AT.date())
    assert any(r.subdivision == "FL" for r in rules)
    move = cadence.parse_event(
        {
            "type": "contact_updated",
            "at": "2026-03-04T09:00:00Z",
            "timezone": "Europe/Berlin",
            "country": "DE",
            "subdivision": "Bayern",
        }
    )
    assert isinstance(move, ev.ContactUpdated)
    assert move.subdivision == "BY"
    assert engine.apply(p, move).subdivision == "BY"
    quebec = engine.replay(
        "q", [], timezone="America/Toronto", at=_AT, country="CA", subdivision="Québec"
    )
    assert quebec.subdivision == "QC"
    team = Policy(team_country="CA", team_subdivision="Colombie-Britannique")
    assert team.team_subdivision == "BC"
    with pytest.raises(InvalidInputError, match="'NARNIA' is not a subdivision of US"):
        engine.enroll("p", timezone="America/New_York", at=_AT, country="US", subdivision="Narnia")


def test_a_stored_state_holding_a_name_is_told_the_code_to_use() -> None:
    """Only codes are stored: the legal calling rules match codes, so a state holding
    ``Florida`` (built without the engine) would be held to no state law. It is refused."""
    engine = cadence.Engine()
    p = engine.enroll("p", timezone="America/New_York", at=_AT, country="US", subdivision="FL")
    stored = p.model_copy(update={"subdivision": "Florida"})
    with pytest.raises(InvalidInputError, match="'Florida' is spelt 'FL' by the holidays"):
        engine.next_action(stored, _AT)
