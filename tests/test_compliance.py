"""Legal calling rules (DESIGN §5): the presets, the queries and the window algebra."""

from __future__ import annotations

import ast
import doctest
import inspect
import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import cadence
import cadence._calling_presets
import cadence.compliance
from cadence import events as ev
from cadence.businessdays import holiday_dates
from cadence.channel import Channel
from cadence.compliance import (
    PRESETS,
    CallingRule,
    Cap,
    Windows,
    allowed_windows,
    applicable_rules,
    ever_capped,
    intersect_windows,
    strictest_caps,
)
from tests.conftest import US_MAIL_RULE

CHICAGO = ZoneInfo("America/Chicago")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
A_MONDAY = date(2024, 6, 3)
ALL_DAY: Windows = ((time(0), time(23, 59)),)
OFFICE: Windows = ((time(7), time(22)),)
DAY = timedelta(hours=24)


def w(*spans: tuple[int, int]) -> Windows:
    """Windows from whole hours: ``w((8, 20))`` is 08:00-20:00."""
    return tuple((time(start), time(end)) for start, end in spans)


def rules_for(country: str | None, subdivision: str | None = None) -> tuple[CallingRule, ...]:
    return applicable_rules(country, subdivision, Channel.PHONE, A_MONDAY)


def rule(**changes: Any) -> CallingRule:
    """A valid rule, with some fields changed."""
    data: dict[str, Any] = {
        "id": "xx-test",
        "version": "v1",
        "name": "Test Calling Act",
        "country": "XX",
        "windows": dict.fromkeys(range(7), w((9, 17))),
        "effective_from": date(2020, 1, 1),
        "source": "https://example.org/act",
    }
    return CallingRule.model_validate(data | changes)


# Presets, as DESIGN §5 lists them.


def test_florida_prospect_gets_federal_and_florida_rules_and_8_to_8() -> None:
    rules = rules_for("US", "FL")
    assert [r.key() for r in rules] == ["us-federal@1992-12-20", "us-fl@2021-07-01"]
    assert allowed_windows(rules, MON, OFFICE) == w((8, 20))
    assert strictest_caps(rules) == (Cap(count=3, per=DAY),)


@pytest.mark.parametrize("state", ["OK", "MD"])
def test_oklahoma_and_maryland_stop_at_8pm_and_3_calls_a_day(state: str) -> None:
    rules = rules_for("US", state)
    assert allowed_windows(rules, SAT, OFFICE) == w((8, 20))
    assert strictest_caps(rules) == (Cap(count=3, per=DAY),)


def test_connecticut_calls_start_at_9() -> None:
    assert allowed_windows(rules_for("US", "CT"), SUN, OFFICE) == w((9, 20))


def test_a_state_without_a_preset_gets_the_federal_8_to_9() -> None:
    rules = rules_for("US", "TX")
    assert [r.id for r in rules] == ["us-federal"]
    assert allowed_windows(rules, SUN, ALL_DAY) == w((8, 21))
    assert strictest_caps(rules) == ()


def test_the_policy_hours_narrow_the_legal_window() -> None:
    assert allowed_windows(rules_for("US", "FL"), TUE, w((9, 17))) == w((9, 17))


def test_france_keeps_a_lunch_break_and_weekends_free() -> None:
    rules = rules_for("FR")
    assert [r.id for r in rules] == ["fr"]
    assert allowed_windows(rules, WED, w((9, 18))) == w((10, 13), (14, 18))
    assert allowed_windows(rules, SAT, ALL_DAY) == ()
    assert allowed_windows(rules, SUN, ALL_DAY) == ()
    assert rules[0].no_holidays
    assert strictest_caps(rules) == (Cap(count=4, per=timedelta(days=30)),)


@pytest.mark.parametrize("state", ["AL", "LA"])
def test_alabama_and_louisiana_forbid_sundays_and_state_holidays(state: str) -> None:
    rules = rules_for("US", state)
    assert allowed_windows(rules, SUN, ALL_DAY) == ()
    assert allowed_windows(rules, SAT, ALL_DAY) == w((8, 20))
    assert allowed_windows(rules, MON, ALL_DAY) == w((8, 20))
    assert any(r.no_holidays for r in rules)


@pytest.mark.parametrize("state", ["MA", "WA"])
def test_massachusetts_and_washington_stop_at_8pm_every_day(state: str) -> None:
    rules = rules_for("US", state)
    assert [r.id for r in rules] == ["us-federal", f"us-{state.lower()}"]
    for day in (MON, SAT, SUN):
        assert allowed_windows(rules, day, ALL_DAY) == w((8, 20))
    assert strictest_caps(rules) == ()
    assert not any(r.no_holidays for r in rules)


def test_mississippi_reads_central_standard_time_both_ways_and_has_no_sunday_calls() -> None:
    # 08:00-20:00 CST is 09:00-21:00 on the clock under daylight time: both hold, all year.
    rules = rules_for("US", "MS")
    assert allowed_windows(rules, SAT, ALL_DAY) == w((9, 20))
    assert allowed_windows(rules, SUN, ALL_DAY) == ()
    assert not any(r.no_holidays for r in rules)


def test_rhode_island_has_office_hours_short_saturdays_and_no_sundays_or_holidays() -> None:
    rules = rules_for("US", "RI")
    assert allowed_windows(rules, FRI, ALL_DAY) == w((9, 18))
    assert allowed_windows(rules, SAT, ALL_DAY) == w((10, 17))
    assert allowed_windows(rules, SUN, ALL_DAY) == ()
    assert any(r.no_holidays for r in rules)


@pytest.mark.parametrize(
    ("state", "hours", "no_holidays"), [("SD", (9, 21), False), ("UT", (8, 21), True)]
)
def test_south_dakota_and_utah_have_no_sunday_calls(
    state: str, hours: tuple[int, int], no_holidays: bool
) -> None:
    rules = rules_for("US", state)
    assert allowed_windows(rules, MON, ALL_DAY) == allowed_windows(rules, SAT, ALL_DAY) == w(hours)
    assert allowed_windows(rules, SUN, ALL_DAY) == ()
    assert any(r.no_holidays for r in rules) is no_holidays


def test_canada_calls_until_930pm_on_weekdays_and_10_to_6_at_weekends() -> None:
    rules = rules_for("CA", "ON")
    assert [r.id for r in rules] == ["ca-crtc"]
    assert allowed_windows(rules, FRI, ALL_DAY) == ((time(9), time(21, 30)),)
    assert allowed_windows(rules, SAT, ALL_DAY) == w((10, 18))
    assert allowed_windows(rules, SUN, ALL_DAY) == w((10, 18))


def test_no_legal_rule_binds_email_or_meetings() -> None:
    for channel in (Channel.EMAIL, Channel.MEETING):
        assert applicable_rules("US", "FL", channel, A_MONDAY) == ()


def test_unknown_country_has_no_rules_and_keeps_the_policy_hours() -> None:
    assert rules_for(None, "FL") == ()
    assert rules_for("DE") == ()
    assert allowed_windows((), MON, OFFICE) == OFFICE


def test_codes_match_whatever_their_case_or_form() -> None:
    assert rules_for("us", "fl") == rules_for("US", "FL") == rules_for("US", "us-fl")
    assert rules_for("US", "") == rules_for("US")


def test_every_preset_is_a_phone_rule_with_a_source_and_a_unique_id() -> None:
    assert len({r.id for r in PRESETS}) == len(PRESETS)
    for preset in PRESETS:
        assert preset.channels == frozenset({Channel.PHONE})
        assert preset.source.startswith("https://")
        assert preset.effective_from <= date(2024, 1, 1)


def test_presets_survive_a_json_round_trip_and_are_hashable() -> None:
    for preset in PRESETS:
        assert CallingRule.model_validate_json(preset.model_dump_json()) == preset
    assert len(set(PRESETS)) == len(PRESETS)


def test_a_rule_is_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        PRESETS[0].name = "changed"  # type: ignore[misc]


# Effective dates and versions.


def test_a_rule_applies_from_its_effective_date() -> None:
    def ids(on: date) -> list[str]:
        return [r.id for r in applicable_rules("US", "MD", Channel.PHONE, on)]

    assert ids(date(2023, 12, 31)) == ["us-federal"]
    assert ids(date(2024, 1, 1)) == ["us-federal", "us-md"]


def test_connecticut_before_its_2023_amendment_has_only_the_federal_rule() -> None:
    rules = applicable_rules("US", "CT", Channel.PHONE, date(2023, 9, 30))
    assert allowed_windows(rules, MON, ALL_DAY) == w((8, 21))


def test_the_latest_version_in_effect_wins_and_future_ones_wait() -> None:
    old = rule(version="v1", effective_from=date(2020, 1, 1))
    new = rule(version="v2", effective_from=date(2023, 1, 1), windows={MON: w((10, 16))})
    future = rule(version="v3", effective_from=date(2099, 1, 1), windows={MON: w((11, 12))})
    mix = (new, future, old)

    def on(day: date) -> list[str]:
        return [r.key() for r in applicable_rules("XX", None, Channel.PHONE, day, mix)]

    assert on(date(2019, 12, 31)) == []
    assert on(date(2022, 6, 1)) == ["xx-test@v1"]
    assert on(date(2024, 6, 3)) == ["xx-test@v2"]
    now_binding = applicable_rules("XX", None, Channel.PHONE, A_MONDAY, mix)
    assert allowed_windows(now_binding, MON, ALL_DAY) == w((10, 16))
    assert on(date(2099, 1, 1)) == ["xx-test@v3"]


def test_remembered_answers_change_on_the_day_a_version_takes_effect() -> None:
    """Answers are remembered per span between the days rules take effect: the day before a
    version, its first day, and days asked in any order each get the version in effect, and
    a list of rules (which may change) the same answers as the tuple."""
    old = rule(version="v1", effective_from=date(2020, 1, 1))
    new = rule(version="v2", effective_from=date(2023, 1, 1), windows={MON: w((10, 16))})
    mix = (old, new)
    days = [date(2023, 1, 1), date(2022, 12, 31), date(2023, 1, 2), date(2019, 12, 31)]
    expected = [["xx-test@v2"], ["xx-test@v1"], ["xx-test@v2"], []]
    for _ in range(2):  # (the second round is answered from memory)
        for day, keys in zip(days, expected, strict=True):
            assert [r.key() for r in applicable_rules("XX", None, Channel.PHONE, day, mix)] == keys
            assert applicable_rules("XX", None, Channel.PHONE, day, list(mix)) == (  # type: ignore[arg-type]
                applicable_rules("XX", None, Channel.PHONE, day, mix)
            )
    # Another place under the same rules is answered for itself.
    assert applicable_rules("YY", None, Channel.PHONE, date(2023, 1, 1), mix) == ()
    # A rule set with a clash refuses every time it is asked, not only the first.
    clash = (rule(version="v1"), rule(version="v2"))
    for _ in range(2):
        with pytest.raises(ValueError, match="both take effect"):
            applicable_rules("XX", None, Channel.PHONE, A_MONDAY, clash)
    assert applicable_rules("XX", None, Channel.PHONE, date(2019, 1, 1), clash) == ()


def test_a_newer_version_that_drops_a_channel_does_not_revive_the_older_one() -> None:
    old = rule(version="v1", channels={"phone", "email"})
    new = rule(version="v2", effective_from=date(2023, 1, 1))
    mix = (old, new)
    assert applicable_rules("XX", None, Channel.EMAIL, date(2022, 1, 1), mix) == (old,)
    assert applicable_rules("XX", None, Channel.EMAIL, A_MONDAY, mix) == ()


def test_two_versions_taking_effect_the_same_day_are_refused() -> None:
    clash = (rule(version="v1"), rule(version="v2"))
    with pytest.raises(ValueError, match="'xx-test@v1' and 'xx-test@v2' both take effect"):
        applicable_rules("XX", None, Channel.PHONE, A_MONDAY, clash)


def test_a_rule_listed_twice_is_not_a_clash() -> None:
    once = rule()
    assert applicable_rules("XX", None, Channel.PHONE, A_MONDAY, (once, once)) == (once,)


def test_a_subdivision_rule_binds_only_its_subdivision() -> None:
    state = rule(id="xx-north", subdivision="N")
    national = rule(id="xx-all")
    mix = (state, national)
    assert applicable_rules("XX", "N", Channel.PHONE, A_MONDAY, mix) == (national, state)
    assert applicable_rules("XX", "S", Channel.PHONE, A_MONDAY, mix) == (national,)
    assert applicable_rules("XX", None, Channel.PHONE, A_MONDAY, mix) == (national,)


# Caps.


def test_a_looser_cap_is_dropped_and_unrelated_caps_are_kept() -> None:
    three_a_day, four_a_month = Cap(count=3, per=DAY), Cap(count=4, per=timedelta(days=30))
    five_a_day = Cap(count=5, per=DAY)
    rules = tuple(
        rule(id=f"xx-{n}", cap=cap)
        for n, cap in enumerate([five_a_day, four_a_month, three_a_day, three_a_day, None])
    )
    assert strictest_caps(rules) == (three_a_day, four_a_month)


def test_places_whose_rules_ever_cap_calls_are_known_up_front() -> None:
    """A calendar skips the elapsed-time bookkeeping only where no rule, at any date, caps."""
    assert ever_capped("US", "FL")
    assert ever_capped("us", "US-OK")
    assert ever_capped("FR", None)
    assert not ever_capped("US", "IL")
    assert not ever_capped("US", None)
    assert not ever_capped(None, None)
    later = rule(id="xx-cap", cap=Cap(count=1, per=DAY), effective_from=date(2090, 1, 1))
    assert ever_capped("XX", None, (later,))  # a future version counts too


# Bad data is refused with a message that names the field and the fix.


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"windows": {MON: w((20, 8))}}, r"windows\[0\]: window 20:00-08:00 does not end after"),
        ({"windows": {MON: w((9, 9))}}, "cannot cross or reach midnight"),
        ({"windows": {MON: ((time(22), time(0)),)}}, "22:00-00:00 does not end after it starts"),
        ({"windows": {MON: w((14, 20), (10, 13))}}, "sort the windows by start"),
        ({"windows": {MON: w((10, 14), (13, 20))}}, "13:00-20:00 overlaps or touches 10:00-14:00"),
        ({"windows": {MON: w((10, 13), (13, 20))}}, "merge them into one window"),
        ({"windows": {7: w((9, 17))}}, r"windows\[7\]: weekday 7 is not 0..6; use 0 for Monday"),
        # (was "[key]: Input should be a valid integer, unable to parse string as an integer")
        ({"windows": {"mon": w((9, 17))}}, r"windows\['mon'\]: weekday 'mon' is not 0..6; use 0"),
        (
            {"windows": {MON: ((time(9, tzinfo=UTC), time(17)),)}},
            "carries a time zone; give naive local times",
        ),
        ({"windows": {MON: [["09:00", "17:00", "18:00"]]}}, "windows"),
        ({"id": "US FL"}, "id: 'US FL' is not a lower-case slug; write e.g. 'us-fl'"),
        ({"version": "v1@x"}, "version: 'v1@x' is empty or has a space or '@'"),
        ({"name": "  "}, "name: '  ' is blank"),
        ({"country": "us"}, "country: 'us' is not an upper-case ISO 3166-1 code; write e.g. 'US'"),
        ({"country": "USA"}, "country: 'USA'"),
        ({"subdivision": "US-FL"}, r"write e.g. 'FL' \(not 'US-FL'\), or None"),
        ({"channels": set()}, "channels: is empty; name at least one channel"),
        ({"channels": {"fax"}}, "channels"),
        ({"source": "Fla. Stat. 501.616"}, "source: 'Fla. Stat. 501.616' is not an http"),
        ({"cap": {"count": 0, "per": DAY}}, "count: 0 is below 1"),
        ({"cap": {"count": 3, "per": timedelta(0)}}, "per: .* is not a positive duration"),
        ({"holidays": True}, "holidays"),
    ],
)
def test_bad_rule_data_is_refused_with_a_clear_message(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        rule(**changes)


def test_bad_weekday_query_is_refused() -> None:
    with pytest.raises(ValueError, match=r"weekday: 7 is not 0..6; pass date.weekday\(\)"):
        allowed_windows(PRESETS, 7, OFFICE)


def test_an_empty_day_is_allowed_and_means_no_calls() -> None:
    assert allowed_windows((rule(windows={MON: ()}),), MON, ALL_DAY) == ()


# The window algebra, against a minute-by-minute oracle.

MINUTES_A_DAY = 24 * 60


def at(minute: int) -> time:
    return time(minute // 60, minute % 60)


@st.composite
def windows(draw: st.DrawFn) -> Windows:
    """Canonical windows on whole minutes: sorted, non-empty, separated by gaps."""
    edges = draw(st.lists(st.integers(0, MINUTES_A_DAY - 1), unique=True, max_size=8))
    edges = sorted(edges)[: len(edges) // 2 * 2]
    return tuple((at(s), at(e)) for s, e in zip(edges[::2], edges[1::2], strict=True))


def minutes(ws: Windows) -> set[int]:
    return {m for start, end in ws for m in range(MINUTES_A_DAY) if start <= at(m) < end}


@given(windows(), windows())
def test_intersection_matches_a_minute_by_minute_oracle(a: Windows, b: Windows) -> None:
    assert minutes(intersect_windows(a, b)) == minutes(a) & minutes(b)


@given(windows(), windows())
def test_intersection_commutes_and_stays_canonical(a: Windows, b: Windows) -> None:
    both = intersect_windows(a, b)
    assert intersect_windows(b, a) == both
    rule(windows={MON: both})  # validates: sorted, start < end, separated by gaps


@given(windows())
def test_intersection_is_idempotent(a: Windows) -> None:
    assert intersect_windows(a, a) == a
    assert intersect_windows(a, ()) == ()


@given(windows(), windows())
def test_intersection_lies_inside_both_inputs(a: Windows, b: Windows) -> None:
    for start, end in intersect_windows(a, b):
        assert any(s <= start and end <= e for s, e in a)
        assert any(s <= start and end <= e for s, e in b)


@given(windows(), st.lists(windows(), max_size=4), st.integers(0, 6))
def test_allowed_windows_ignore_the_order_of_rules(
    base: Windows, days: list[Windows], weekday: int
) -> None:
    rules = [rule(id=f"xx-{n}", windows={weekday: d}) for n, d in enumerate(days)]
    expected = minutes(base).intersection(*map(minutes, days))
    for order in itertools.islice(itertools.permutations(rules), 6):
        assert minutes(allowed_windows(order, weekday, base)) == expected


caps = st.builds(
    Cap, count=st.integers(1, 6), per=st.integers(1, 60).map(lambda d: timedelta(hours=d))
)


@given(st.lists(st.one_of(st.none(), caps), max_size=6))
def test_strictest_caps_keep_every_limit_and_drop_only_implied_ones(
    chosen: list[Cap | None],
) -> None:
    rules = tuple(rule(id=f"xx-{n}", cap=cap) for n, cap in enumerate(chosen))
    kept = strictest_caps(rules)
    given_caps = {c for c in chosen if c is not None}
    assert set(kept) <= given_caps
    assert len(set(kept)) == len(kept)
    for cap in given_caps:  # each limit is still enforced, by itself or a stricter cap
        assert any(k.count <= cap.count and k.per >= cap.per for k in kept)
    for k, other in itertools.permutations(kept, 2):  # and none kept is redundant
        assert not (k.count <= other.count and k.per >= other.per)


# A team's own rules (Policy.calling_rules).

TEXAS_POLICY = """{
  "weekmask": "1111111",
  "calling_rules": [{
    "id": "us-tx",
    "version": "2009-04-01",
    "name": "Texas Business and Commerce Code 301.051 (read by our counsel)",
    "country": "US",
    "subdivision": "TX",
    "windows": {"0": [["09:00", "21:00"]], "1": [["09:00", "21:00"]], "2": [["09:00", "21:00"]],
                "3": [["09:00", "21:00"]], "4": [["09:00", "21:00"]], "5": [["09:00", "21:00"]],
                "6": [["12:00", "21:00"]]},
    "effective_from": "2009-04-01",
    "source": "https://statutes.capitol.texas.gov/Docs/BC/htm/BC.301.htm"
  }]
}"""


def _first_call(policy: cadence.Policy, at: datetime, state: str) -> cadence.Action:
    engine = cadence.Engine(policy)
    p = engine.enroll("p", timezone="America/Chicago", at=at, country="US", subdivision=state)
    return engine.next_action(p, at)


def test_a_policy_adds_a_jurisdiction_that_cadence_does_not_ship() -> None:
    """A team whose counsel read a statute cadence does not ship writes it into its policy
    file: it binds like a shipped rule, and the call cites it."""
    policy = cadence.Policy.model_validate_json(TEXAS_POLICY)
    assert cadence.Policy.model_validate_json(policy.model_dump_json()) == policy
    sunday = datetime(2026, 3, 8, 8, 0, tzinfo=CHICAGO)
    call = _first_call(policy, sunday, "TX")
    assert call.earliest == sunday.replace(hour=12)  # not before noon on a Sunday
    assert call.bounded_by == ("policy", "us-federal@1992-12-20", "us-tx@2009-04-01")
    assert _first_call(policy, sunday + timedelta(days=1), "TX").earliest.hour == 9
    assert _first_call(policy, sunday, "IL").earliest.hour == 9  # Texas's rule stays in Texas
    unguarded = policy.model_copy(update={"legal_guards": False})
    assert _first_call(unguarded, sunday, "TX").bounded_by == ("policy",)


def test_a_policy_rule_with_a_shipped_id_and_a_later_date_replaces_it_from_then() -> None:
    florida = next(r for r in PRESETS if r.id == "us-fl")
    newer = florida.model_copy(
        update={
            "version": "2030-01-01",
            "windows": dict.fromkeys(range(7), w((9, 20))),
            "effective_from": date(2030, 1, 1),
        }
    )
    wide = (cadence.TimeSlot(name="day", start=time(7), end=time(22)),)
    engine = cadence.Engine(
        cadence.Policy(calling_rules=[newer], weekmask="1111111", call_slots=wide)
    )
    for day, opens, cited in (
        (date(2029, 12, 31), 8, "us-fl@2021-07-01"),
        (date(2030, 1, 2), 9, "us-fl@2030-01-01"),
    ):
        at = datetime.combine(day, time(6), tzinfo=CHICAGO)
        p = engine.enroll("p", timezone="America/Chicago", at=at, country="US", subdivision="FL")
        call = engine.next_action(p, at)
        assert (call.earliest.hour, call.bounded_by[-1]) == (opens, cited)


def test_policy_rules_that_clash_or_cannot_be_counted_are_refused() -> None:
    florida = next(r for r in PRESETS if r.id == "us-fl")
    clash = florida.model_copy(update={"version": "ours", "windows": {0: w((9, 17))}})
    with pytest.raises(ValueError, match=r"calling_rules: 'us-fl@2021-07-01' and 'us-fl@ours'"):
        cadence.Policy(calling_rules=[clash])
    assert cadence.Policy(calling_rules=[florida]).calling_rules == (florida,)  # the same: fine
    misspelt = rule(country="US", subdivision="TZ")
    with pytest.raises(ValueError, match=r"calling_rules: 'TZ' is not a subdivision of US"):
        cadence.Policy(calling_rules=[misspelt])  # it would silently bind no one
    monthly = rule(country="FR", cap=Cap(count=4, per=timedelta(days=60)))
    with pytest.raises(ValueError, match=r"calling_rules: 'xx-test@v1' caps calls 4 per 60 days"):
        cadence.Policy(calling_rules=[monthly])


def test_a_place_where_no_call_is_ever_allowed_is_a_clear_error() -> None:
    """Conflicts are errors, not loops: the message shows each rule's week, so the day that
    closes the last window can be seen (it used to show Mondays only)."""
    closed = rule(country="US", subdivision="TX", windows={})
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=CHICAGO)
    with pytest.raises(cadence.NoSlotError) as caught:
        _first_call(cadence.Policy(calling_rules=[closed]), monday, "TX")
    assert "us-federal@1992-12-20: Mon–Sun 08:00–21:00, xx-test@v1: Mon–Sun no calls" in str(
        caught.value
    )
    assert next(r for r in PRESETS if r.id == "fr").hours() == (
        "Mon–Fri 10:00–13:00, 14:00–20:00; Sat–Sun no calls"
    )


# The module is part of the pure core.


def test_the_module_examples_run() -> None:
    assert doctest.testmod(cadence.compliance).failed == 0


def test_the_module_imports_no_clock_io_or_edges() -> None:
    allowed = {
        "__future__",
        "bisect",
        "re",
        "collections",
        "datetime",
        "typing",
        "pydantic",
        "cadence",
    }
    for module in (cadence.compliance, cadence._calling_presets):
        source = inspect.getsource(module)
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert {n.split(".")[0] for n in names} <= allowed
            assert not any(n.startswith(("cadence.cli", "cadence.io")) for n in names)
        assert ".now(" not in source


# -- places the law binds under another code (found by a review) -------------------------------


@pytest.mark.parametrize(("code", "alpha2"), [("USA", "US"), ("FRA", "FR"), ("UK", "GB")])
def test_a_country_given_by_another_code_is_refused_naming_its_alpha2(
    code: str, alpha2: str
) -> None:
    """``holidays`` takes ``USA`` for the United States, but the legal rules match ``US``: a
    prospect filed under ``USA`` in Florida was called on a Sunday at 07:00, five times in a
    morning. Such a code is refused wherever a place is given, naming the code to use."""
    engine = cadence.Engine()
    at = datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(cadence.InvalidInputError, match=f"use {alpha2!r}") as info:
        engine.enroll("p", timezone="America/New_York", at=at, country=code)
    assert info.value.field == "country"
    p = engine.enroll("p", timezone="America/New_York", at=at, country="US")
    move = cadence.parse_event({"type": "contact_updated", "at": at.isoformat(), "country": code})
    with pytest.raises(cadence.InvalidInputError, match=f"use {alpha2!r}"):
        engine.apply(p, move)
    with pytest.raises(ValidationError, match=f"team_country: {code!r} .*use {alpha2!r}"):
        cadence.Policy(team_country=code)


@pytest.mark.parametrize(
    ("code", "zone", "rule"),
    [
        ("PR", "America/Puerto_Rico", "us-federal"),
        ("GU", "Pacific/Guam", "us-federal"),
        ("VI", "America/St_Thomas", "us-federal"),
        ("AS", "Pacific/Pago_Pago", "us-federal"),
        ("MP", "Pacific/Saipan", "us-federal"),
        ("RE", "Indian/Reunion", "fr"),
        ("GP", "America/Guadeloupe", "fr"),
        ("MQ", "America/Martinique", "fr"),
        ("GF", "America/Cayenne", "fr"),
        ("YT", "Indian/Mayotte", "fr"),
        ("PF", "Pacific/Tahiti", "fr"),
        ("PM", "America/Miquelon", "fr"),
    ],
)
def test_territories_are_held_to_the_law_that_binds_them(code: str, zone: str, rule: str) -> None:
    """The US territories have their own ISO codes, and so do France's overseas departments;
    the TCPA and the French decree bind them all the same. A prospect filed under ``PR`` or
    ``RE`` was held to no rule: called at 07:00, or on a Sunday."""
    assert any(r.id == rule for r in applicable_rules(code, None, Channel.PHONE, A_MONDAY))
    assert ever_capped(code, None) is (rule == "fr")
    engine = cadence.Engine()
    local = ZoneInfo(zone)
    saturday_night = datetime(2026, 3, 7, 23, 0, tzinfo=local)
    p = engine.enroll("p", timezone=zone, at=saturday_night, country=code)
    act = engine.next_action(p, saturday_night)
    when = act.earliest.astimezone(local)
    assert any(b.startswith(f"{rule}@") for b in act.bounded_by)
    assert when.weekday() != SUN
    assert when.time() >= (time(10) if rule == "fr" else time(8))


def test_a_policy_rule_that_reuses_a_shipped_id_for_another_place_is_refused() -> None:
    """France's rule copied for Belgium with its id left ``fr``: as the newer version of ``fr``
    it replaced France's rule, and French prospects were held to none."""
    fr = next(r for r in PRESETS if r.id == "fr")
    belgium = fr.model_copy(
        update={"country": "BE", "version": "2025-01-01", "effective_from": date(2025, 1, 1)}
    )
    with pytest.raises(ValidationError, match=r"gives 'fr' another place .*own id"):
        cadence.Policy(calling_rules=(belgium,))
    cadence.Policy(calling_rules=(belgium.model_copy(update={"id": "be"}),))


def test_a_cap_on_a_channel_other_than_the_phone_is_refused() -> None:
    """Only calls are counted (a state keeps its recent calls): a cap on emails validated, was
    cited in ``bounded_by``, and was never enforced."""
    fl = next(r for r in PRESETS if r.id == "us-fl")
    for channels in ({Channel.EMAIL}, {Channel.EMAIL, Channel.PHONE}):
        rule = fl.model_copy(update={"id": "acme", "channels": frozenset(channels)})
        with pytest.raises(ValidationError, match="only calls are counted"):
            cadence.Policy(calling_rules=(rule,))


def test_a_rule_on_meetings_is_refused() -> None:
    """A meeting is a time the prospect booked, not a contact the engine times: a team's rule
    on ``meeting`` validated, and bound nothing."""
    ct = next(r for r in PRESETS if r.id == "us-ct")
    for channels in ({Channel.MEETING}, {Channel.MEETING, Channel.PHONE}):
        rule = ct.model_copy(update={"id": "acme", "channels": frozenset(channels)})
        with pytest.raises(ValidationError, match=r"'acme@.*' binds meetings.*bind 'phone'"):
            cadence.Policy(calling_rules=(rule,))


@pytest.mark.parametrize(
    ("team", "field"),
    [
        ({"team_country": "XX"}, "team_country"),
        ({"team_country": "US", "team_subdivision": "ZZ"}, "team_subdivision"),
    ],
)
def test_the_teams_region_must_exist(team: dict[str, str], field: str) -> None:
    """It validated, and the first prospect's calendar raised a bare ``AttributeError``."""
    with pytest.raises(ValidationError, match=f"{field}: 'XX|ZZ'"):
        cadence.Policy(**team)


# -- a prospect's zone and its country (found by a review) --------------------------------------

#: Calls allowed by the policy from 06:00 to 23:00 every day: what is left is the law's.
ALL_HOURS = cadence.Policy(
    weekmask="1111111", call_slots=[cadence.TimeSlot(name="day", start=time(6), end=time(23))]
)
A_TUESDAY_EARLY = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # before dawn in all of these places


def _first(engine: cadence.Engine, p: cadence.Prospect, at: datetime) -> tuple[str, str, str]:
    """The first call's local window and the legal rules that bound it."""
    act = engine.next_action(p, at)
    return f"{act.earliest:%H:%M}", f"{act.latest:%H:%M}", " ".join(act.bounded_by[1:])


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/New_York", ("08:00", "21:00", "us-federal@1992-12-20")),
        ("US/Eastern", ("08:00", "21:00", "us-federal@1992-12-20")),  # an old alias
        ("America/Puerto_Rico", ("08:00", "21:00", "us-federal@1992-12-20")),  # a territory
        ("Canada/Eastern", ("09:00", "21:30", "ca-crtc@2008-09-30")),
        ("Europe/Paris", ("10:00", "13:00", "fr@2023-03-01")),
        ("America/Guadeloupe", ("10:00", "13:00", "fr@2023-03-01")),  # an overseas department
    ],
)
def test_without_a_country_the_law_of_the_zones_country_binds_the_calls(
    zone: str, expected: tuple[str, str, str]
) -> None:
    """DESIGN §5: the guards are on by default. A prospect enrolled without a country was
    held to no law at all: a New Yorker called at 07:00, ``bounded_by=('policy',)``. The
    country its zone belongs to binds now, and the action cites its rule; its business days
    stay as they were (no country, no holidays)."""
    engine = cadence.Engine(ALL_HOURS)
    p = engine.enroll("p", timezone=zone, at=A_TUESDAY_EARLY)
    assert _first(engine, p, A_TUESDAY_EARLY) == expected
    assert engine.calendar(p).days.regions == ()


def test_a_country_emptied_by_a_contact_update_leaves_the_zones_country_binding() -> None:
    """``clear: ["country"]`` took the law away with the country: a Florida prospect whose
    CRM record lost its country was called at 07:00."""
    engine = cadence.Engine(ALL_HOURS)
    p = engine.enroll(
        "p", timezone="America/New_York", at=A_TUESDAY_EARLY, country="US", subdivision="FL"
    )
    assert _first(engine, p, A_TUESDAY_EARLY) == (
        "08:00",
        "20:00",
        "us-federal@1992-12-20 us-fl@2021-07-01",
    )
    cleared = cadence.parse_event(
        {"type": "contact_updated", "at": A_TUESDAY_EARLY.isoformat(), "clear": ["country"]}
    )
    q = engine.apply(p, cleared)
    assert (q.country, q.subdivision) == (None, None)
    assert _first(engine, q, A_TUESDAY_EARLY) == ("08:00", "21:00", "us-federal@1992-12-20")
    replayed = engine.replay(
        "p",
        [cleared],
        timezone="America/New_York",
        at=A_TUESDAY_EARLY,
        country="US",
        subdivision="FL",
    )
    assert replayed == q


def test_the_law_of_a_zones_country_keeps_its_caps_and_its_holidays() -> None:
    """France's rule, bound through the zone, brings its cap (4 calls in 30 days) and its
    ban on public holidays (France's, the rule's own), though the prospect's business days
    have no holidays: a Paris prospect without a country is not called on 1 May."""
    engine = cadence.Engine(ALL_HOURS)
    thursday = datetime(2026, 4, 30, 19, 0, tzinfo=ZoneInfo("Europe/Paris"))
    p = engine.enroll("p", timezone="Europe/Paris", at=thursday)
    cal = engine.calendar(p)
    assert cal.capped
    assert cal.days.is_business_day(date(2026, 5, 1))  # Labour Day: no holidays without country
    act = engine.next_action(p, thursday)
    assert f"{act.earliest:%a %d %H:%M}" == "Thu 30 19:00"
    calls = [thursday, *(thursday + timedelta(days=4, hours=h - 19) for h in (10, 11, 12))]
    for at in calls:
        p = engine.apply(p, ev.CallAttempted(at=at, outcome="no_answer"))
    # Four calls in 30 days: the fifth waits until the first is 30 days old, on a weekday.
    assert engine.calendar(p).next_window(
        Channel.PHONE, calls[-1], recent=p.recent_calls
    ).start == datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    friday = datetime(2026, 5, 1, 5, 0, tzinfo=UTC)
    q = engine.enroll("q", timezone="Europe/Paris", at=friday)
    assert f"{engine.next_action(q, friday).earliest:%a %d %H:%M}" == "Mon 04 10:00"


@pytest.mark.parametrize(
    "zone",
    [
        "UTC",
        "Etc/GMT+5",
        "EST5EDT",  # a rule's name, not a place's
        "America/Montreal",  # an old alias of Toronto's zone, the Bahamas' too
    ],
)
def test_a_zone_of_no_country_or_of_several_binds_nothing_more(zone: str) -> None:
    """An unknown place must not be a guess: a zone that belongs to no country, or not to one
    alone, binds only the policy's hours (give the country to bind its law)."""
    engine = cadence.Engine(ALL_HOURS)
    p = engine.enroll("p", timezone=zone, at=A_TUESDAY_EARLY)
    assert engine.next_action(p, A_TUESDAY_EARLY).bounded_by == ("policy",)


@pytest.mark.parametrize(
    ("zone", "country", "subdivision", "example"),
    [
        ("UTC", "US", "FL", "America/New_York"),  # a CRM's default zone
        ("Europe/Paris", "US", None, "America/New_York"),
        ("EST", "US", None, "America/New_York"),  # no daylight saving time: 22:00 in summer
        ("America/New_York", "FR", None, "Europe/Paris"),
        ("America/New_York", "CA", "ON", "America/St_Johns"),
        ("America/New_York", "US", "PR", "America/Puerto_Rico"),
        ("America/New_York", "PR", None, "America/Puerto_Rico"),
        ("Europe/Paris", "FR", "971", "America/Guadeloupe"),
        ("Europe/Paris", "FR", "PF", "Pacific/Tahiti"),
    ],
)
def test_a_zone_that_is_not_of_the_prospects_country_is_refused(
    zone: str, country: str, subdivision: str | None, example: str
) -> None:
    """A Florida prospect stored with the CRM's default zone ``UTC`` was called at 09:00 UTC,
    05:00 in Miami, citing Florida's rule. Where calling laws bind a place, its prospects'
    zone must be one of its zones: refused at enrolment, at a ``contact_updated`` that sets
    either, and in ``replay``, naming the zone, the place and a zone to give."""
    engine = cadence.Engine()
    where = "-".join(c for c in (country, subdivision) if c)
    message = rf"^timezone: {zone!r} is .* {where}.* local zone, e\.g\. {example!r}"
    with pytest.raises(cadence.InvalidInputError, match=message) as caught:
        engine.enroll(
            "p", timezone=zone, at=A_TUESDAY_EARLY, country=country, subdivision=subdivision
        )
    assert (caught.value.field, caught.value.value) == ("timezone", zone)
    with pytest.raises(cadence.InvalidInputError, match=message):
        engine.replay(
            "p", [], timezone=zone, at=A_TUESDAY_EARLY, country=country, subdivision=subdivision
        )
    # A contact update that moves the zone away from the country, or the country away from
    # the zone, is refused; the state is untouched.
    here = engine.enroll("p", timezone=zone, at=A_TUESDAY_EARLY)  # no country: any zone
    there = engine.enroll(
        "p", timezone=example, at=A_TUESDAY_EARLY, country=country, subdivision=subdivision
    )
    at = A_TUESDAY_EARLY.isoformat()
    to_country = {"country": country, "subdivision": subdivision}
    for p, update in ((here, to_country), (there, {"timezone": zone})):
        event = cadence.parse_event({"type": "contact_updated", "at": at, **update})
        stored = p.model_dump_json()
        with pytest.raises(cadence.InvalidInputError, match=message):
            engine.apply(p, event)
        assert p.model_dump_json() == stored
        with pytest.raises(cadence.InvalidInputError, match=message):
            engine.replay(
                "p", [event], timezone=p.timezone, country=p.country, subdivision=p.subdivision
            )


@pytest.mark.parametrize(
    ("zone", "country", "subdivision"),
    [
        ("America/Chicago", "US", "FL"),  # the panhandle (IANA does not say which states)
        ("US/Eastern", "US", None),  # an old alias
        ("Pacific/Honolulu", "US", "HI"),
        ("America/Puerto_Rico", "US", None),  # a territory of the country
        ("America/Puerto_Rico", "US", "PR"),
        ("America/Puerto_Rico", "CA", "QC"),  # Blanc-Sablon keeps Atlantic time all year
        ("America/St_Thomas", "VI", None),
        ("Europe/Monaco", "FR", None),  # the same clock as Paris's since 1970
        ("America/Guadeloupe", "FR", "971"),
        ("Pacific/Tahiti", "FR", "PF"),
        ("Indian/Reunion", "RE", None),
        ("Europe/Berlin", "DE", None),
        ("UTC", "DE", None),  # no calling law binds Germany: nothing to keep in local time
        ("America/New_York", "GB", None),
    ],
)
def test_a_zone_of_the_country_or_of_a_country_without_calling_laws_is_accepted(
    zone: str, country: str, subdivision: str | None
) -> None:
    engine = cadence.Engine()
    p = engine.enroll(
        "p", timezone=zone, at=A_TUESDAY_EARLY, country=country, subdivision=subdivision
    )
    assert engine.next_action(p, A_TUESDAY_EARLY).kind is cadence.ActionKind.CALL


def test_a_policys_own_rule_brings_the_check_to_its_place() -> None:
    """A team whose policy binds Germany's calls keeps them in German local time too."""
    germany = rule(country="DE")
    engine = cadence.Engine(cadence.Policy(calling_rules=[germany]))
    with pytest.raises(cadence.InvalidInputError, match=r"'UTC' is the zone of no country.* DE"):
        engine.enroll("p", timezone="UTC", at=A_TUESDAY_EARLY, country="DE")
    engine.enroll("p", timezone="Europe/Berlin", at=A_TUESDAY_EARLY, country="DE")
    # A rule for one state brings the check to that state, not to the rest of the country.
    bavaria = cadence.Engine(cadence.Policy(calling_rules=[rule(country="DE", subdivision="BY")]))
    bavaria.enroll("p", timezone="UTC", at=A_TUESDAY_EARLY, country="DE", subdivision="BE")
    with pytest.raises(cadence.InvalidInputError, match=r"not a zone of DE-BY|no country.*DE-BY"):
        bavaria.enroll("p", timezone="UTC", at=A_TUESDAY_EARLY, country="DE", subdivision="BY")


def test_a_stored_state_whose_zone_is_not_of_its_country_is_refused_until_a_contact_update() -> (
    None
):
    """A state saved before the check (here, edited) loads: loading checks its shape, not its
    place. Every decision then refuses it, naming the fix, rather than call Miami at 05:00;
    a ``contact_updated`` that gives the local zone repairs it."""
    engine = cadence.Engine()
    good = engine.enroll(
        "p", timezone="America/New_York", at=A_TUESDAY_EARLY, country="US", subdivision="FL"
    )
    stored = good.model_dump_json().replace('"America/New_York"', '"UTC"')
    p = cadence.Prospect.model_validate_json(stored)
    assert p.timezone == "UTC"
    message = r"^timezone: 'UTC' .* US-FL.* e\.g\. 'America/New_York' \(a stored prospect"
    for use in (engine.next_action, engine.plan, engine.advance):
        with pytest.raises(cadence.InvalidInputError, match=message):
            use(p, A_TUESDAY_EARLY)
    with pytest.raises(cadence.InvalidInputError, match=message):
        engine.apply(p, ev.CallAttempted(at=A_TUESDAY_EARLY, outcome="voicemail"))
    with pytest.raises(cadence.InvalidInputError, match=message):  # the same wrong zone
        engine.apply(p, ev.ContactUpdated(at=A_TUESDAY_EARLY, owner="ana"))
    fixed = engine.apply(p, ev.ContactUpdated(at=A_TUESDAY_EARLY, timezone="America/New_York"))
    assert fixed.timezone == "America/New_York"
    assert engine.next_action(fixed, A_TUESDAY_EARLY) == engine.next_action(good, A_TUESDAY_EARLY)


# Rules over time and place: versions, local midnight, moves, holidays observed on another day.


def test_a_policys_earlier_version_of_a_shipped_rule_binds_until_the_shipped_one() -> None:
    """docs/compliance.md: Connecticut's window before 1 October 2023 is not shipped (when it
    took effect was not verified). A team replaying older calls adds it as an earlier
    version of ``us-ct``: it binds before that day, and the shipped version from then on."""
    older = rule(
        id="us-ct",
        version="ours",
        country="US",
        subdivision="CT",
        windows=dict.fromkeys(range(7), w((9, 21))),
        effective_from=date(2010, 1, 1),
    )
    engine = cadence.Engine(ALL_HOURS.model_copy(update={"calling_rules": (older,)}))
    new_york = ZoneInfo("America/New_York")
    for day, expected in (
        (date(2023, 9, 30), ("09:00", "21:00", "us-ct@ours us-federal@1992-12-20")),
        (date(2023, 10, 1), ("09:00", "20:00", "us-ct@2023-10-01 us-federal@1992-12-20")),
    ):
        at = datetime.combine(day, time(5), tzinfo=new_york)
        p = engine.enroll("p", timezone="America/New_York", at=at, country="US", subdivision="CT")
        assert _first(engine, p, at) == expected


def test_a_rule_takes_effect_at_the_prospects_midnight_not_utcs() -> None:
    """Maryland's rule binds from 1 January 2024 in Maryland: at 20:30 on 31 December 2023 in
    Baltimore (already 1 January in UTC) the federal rule alone binds, until 21:00."""
    baltimore = ZoneInfo("America/New_York")
    engine = cadence.Engine(ALL_HOURS)
    eve = datetime(2023, 12, 31, 20, 30, tzinfo=baltimore)
    assert eve.astimezone(UTC).date() == date(2024, 1, 1)
    p = engine.enroll("p", timezone="America/New_York", at=eve, country="US", subdivision="MD")
    assert _first(engine, p, eve) == ("20:30", "21:00", "us-federal@1992-12-20")
    # New Year's Day is a holiday in Maryland: the next call is on the 2nd, under both rules.
    after = eve + timedelta(minutes=30)
    assert _first(engine, p, after) == ("08:00", "20:00", "us-federal@1992-12-20 us-md@2024-01-01")
    assert engine.next_action(p, after).earliest.date() == date(2024, 1, 2)


def test_calls_made_before_a_move_count_toward_the_cap_of_the_new_state() -> None:
    """A Georgia prospect called three times one morning moves to Florida (a
    ``contact_updated``) before the time agreed for the next call: Florida's 3 calls per 24
    hours counts the calls made before the move, so that call waits a day; had they stayed,
    it would have been on time."""
    new_york = ZoneInfo("America/New_York")
    engine = cadence.Engine(ALL_HOURS)
    morning = datetime(2026, 3, 3, 9, 0, tzinfo=new_york)
    agreed = morning.replace(hour=14)

    def called(state: str) -> cadence.Prospect:
        p = engine.enroll(
            "p", timezone="America/New_York", at=morning, country="US", subdivision=state
        )
        for hour in (9, 10):
            p = engine.apply(
                p, ev.CallAttempted(at=morning.replace(hour=hour), outcome="no_answer")
            )
        connected = ev.CallAttempted(
            at=morning.replace(hour=11), outcome="connected", next_contact_at=agreed
        )
        return engine.apply(p, connected)

    stayed = called("GA")
    assert engine.next_action(stayed, morning.replace(hour=12)).earliest == agreed
    move = ev.ContactUpdated(at=morning.replace(hour=11, minute=30), country="US", subdivision="FL")
    moved = engine.apply(stayed, move)
    call = engine.next_action(moved, morning.replace(hour=12))
    assert call.earliest == morning + timedelta(hours=24)
    assert "moved" in call.flags
    assert call.bounded_by[-1] == "us-fl@2021-07-01"


def test_a_holiday_observed_on_another_day_is_a_holiday_the_rules_ban() -> None:
    """A holiday that falls on a weekend is observed on a weekday: both days are holidays for
    a rule's ban, even the observed day that falls in the year before (New Year's Day 2022,
    a Saturday, was observed on Friday 31 December 2021)."""
    alabama = holiday_dates("US", "AL", 2021)
    assert {date(2021, 12, 24), date(2021, 12, 25), date(2021, 12, 31)} <= alabama
    central = ZoneInfo("America/Chicago")
    engine = cadence.Engine(ALL_HOURS)
    thursday = datetime(2021, 12, 30, 21, 0, tzinfo=central)
    p = engine.enroll("p", timezone="America/Chicago", at=thursday, country="US", subdivision="AL")
    # Friday (observed), Saturday (the day itself), Sunday (no calls): Monday.
    assert engine.next_action(p, thursday).earliest == datetime(2022, 1, 3, 8, 0, tzinfo=central)


@pytest.mark.parametrize(
    ("zone", "holiday"),
    [
        ("America/Guadeloupe", date(2026, 5, 27)),  # abolition of slavery, Guadeloupe's own
        ("Indian/Reunion", date(2027, 12, 20)),  # and Réunion's
    ],
)
def test_a_rules_holiday_ban_keeps_the_holidays_of_the_place_it_binds(
    zone: str, holiday: date
) -> None:
    """France's ban on calls on public holidays (``no_holidays``: the holidays of the
    prospect's country and subdivision) binds an overseas department on its own holidays
    too. A prospect filed under ``GP`` has the day off (its business days); one whose
    country comes from its zone, or filed under ``FR`` alone with the department's zone,
    was called that day, France's national holidays alone being read: the same person,
    called or not on a holiday depending on what the record held."""
    engine = cadence.Engine(ALL_HOURS)
    eve = datetime.combine(holiday - timedelta(days=1), time(21), ZoneInfo(zone))
    assert holiday.weekday() < 5
    assert holiday not in holiday_dates("FR", None, holiday.year)
    starts = set()
    own = engine.calendar(engine.enroll("x", timezone=zone, at=eve)).law[0]
    for country in (None, own, "FR"):
        p = engine.enroll("p", timezone=zone, at=eve, country=country)
        act = engine.next_action(p, eve)
        starts.add(act.earliest)
        assert act.earliest.date() == holiday + timedelta(days=1), (country, act.earliest)
        assert "fr@2023-03-01" in act.bounded_by
    assert len(starts) == 1


def test_the_rules_with_a_policys_own_are_one_tuple_per_policy() -> None:
    """``applicable_rules`` remembers its answers per rule set, known by identity: every
    calendar (one per place) and the simulator's checks must hand it the same tuple for one
    policy's rules, or each built its own and the answers were worked out again (and the
    bounded memory of rule sets cleared) for every place and day."""
    own = (US_MAIL_RULE,)
    assert cadence.compliance.with_presets(()) is PRESETS
    both = cadence.compliance.with_presets(own)
    assert both == (*PRESETS, *own)
    assert cadence.compliance.with_presets(own) is both
    engine = cadence.Engine(cadence.Policy(calling_rules=own))
    chicago = engine.calendar(
        engine.enroll(
            "a", timezone="America/Chicago", country="US", at=datetime(2026, 3, 2, tzinfo=UTC)
        )
    )
    denver = engine.calendar(
        engine.enroll(
            "b", timezone="America/Denver", country="US", at=datetime(2026, 3, 2, tzinfo=UTC)
        )
    )
    assert chicago._legal is denver._legal  # (the policy holds its own copy of the tuple)
    assert chicago._legal == both
