"""Journeys through the calendar and the legal calling rules (DESIGN §4, §5), told through the
public engine: enroll a prospect, feed it what happened, ask what to do next.

Every call the engine proposes must start at a real local time, inside the policy's hours
intersected with the legal window of the prospect's jurisdiction, and say which rule sets bounded
it (``bounded_by``: ``policy`` and each legal rule as ``id@version``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cadence
from cadence import Action, ActionKind, Channel, Policy, Prospect, TimeSlot
from cadence import events as ev

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
CHICAGO = ZoneInfo("America/Chicago")
PARIS = ZoneInfo("Europe/Paris")
SANTIAGO = ZoneInfo("America/Santiago")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")

US_FEDERAL = "us-federal@1992-12-20"
US_FL = "us-fl@2021-07-01"
US_AL = "us-al@2024-11-27"
FR = "fr@2023-03-01"

EVERY_DAY = "1111111"
"""Sunday to Saturday: the policy would call any day; only the law and the holidays stop it."""

WIDE_HOURS = (
    TimeSlot(name="early", start=time(6, 0), end=time(12, 0)),
    TimeSlot(name="afternoon", start=time(12, 0), end=time(17, 0)),
    TimeSlot(name="late", start=time(17, 0), end=time(23, 0)),
)
"""Calling hours wider than any legal window, so that the law is what binds."""


# -- helpers -------------------------------------------------------------------------------------


def utc(moment: datetime) -> datetime:
    """The instant in UTC (compare instants this way, never by wall time)."""
    return moment.astimezone(UTC)


def is_real_local_time(moment: datetime) -> bool:
    """Whether an aware datetime shows a wall time its zone really has at that instant."""
    again = utc(moment).astimezone(moment.tzinfo)
    return again.replace(tzinfo=None) == moment.replace(tzinfo=None) and (
        again.utcoffset() == moment.utcoffset()
    )


def enroll(
    engine: cadence.Engine,
    at: datetime,
    tz: ZoneInfo,
    country: str,
    subdivision: str | None = None,
    prospect_id: str = "p-1",
) -> Prospect:
    return engine.enroll(
        prospect_id, timezone=tz.key, at=at, country=country, subdivision=subdivision
    )


def first_call(engine: cadence.Engine, p: Prospect, now: datetime) -> Action:
    """The first call the engine plans for ``p`` as of ``now``."""
    calls = [a for a in engine.plan(p, now=now) if a.channel is Channel.PHONE]
    assert calls, f"no call planned: {engine.plan(p, now=now)}"
    return calls[0]


def journey(
    engine: cadence.Engine, p: Prospect, now: datetime, *, steps: int = 8, last_minute: bool = False
) -> Iterator[Action]:
    """Do what the engine says, at the start of each window (or in its last minute), with nobody
    ever answering; yield each action before doing it."""
    for _ in range(steps):
        act = engine.next_action(p, now=now)
        if act.kind in (ActionKind.WAIT, ActionKind.NONE):
            return
        yield act
        at = act.earliest
        if last_minute and utc(act.latest) - utc(act.earliest) > timedelta(minutes=1):
            at = utc(act.latest) - timedelta(minutes=1)
        if act.channel is Channel.PHONE:
            p = engine.apply(p, ev.CallAttempted(at=at, outcome="voicemail"))
        else:
            p = engine.apply(p, ev.EmailSent(at=at))
        now = utc(at) + timedelta(minutes=1)


def assert_call_inside(act: Action, tz: ZoneInfo, windows: tuple[tuple[time, time], ...]) -> None:
    """A call: a real local time in ``tz``, inside one of ``windows`` (local, half-open), and
    its whole due window on that day within the same legal window."""
    assert act.channel is Channel.PHONE
    start, end = act.earliest.astimezone(tz), act.latest.astimezone(tz)
    assert is_real_local_time(start)
    assert is_real_local_time(end)
    inside = [(a, b) for a, b in windows if a <= start.time() < b]
    assert inside, f"call at {start:%a %Y-%m-%d %H:%M %Z} is outside {windows}"
    _, b = inside[0]
    assert end.date() == start.date()
    assert end.time() <= b, f"call window ends {end:%H:%M}, after {b:%H:%M}"


def universal(moment: datetime) -> datetime:
    """Hypothesis gives naive datetimes; read them as UTC instants."""
    return moment.replace(tzinfo=UTC)


instants_2024_2030 = st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31)).map(universal)


# -- R3 across a holiday week ------------------------------------------------------------------


def busday_offset(day: date, n: int, country: str, subdivision: str | None) -> date:
    """The oracle DESIGN §4 names: numpy with the holidays of the prospect's region."""
    closed = sorted(holidays.country_holidays(country, subdiv=subdivision, years=day.year))
    found = np.busday_offset(
        np.datetime64(day, "D"), n, roll="forward", weekmask="1111100", holidays=closed
    )
    return date.fromisoformat(str(found))


def test_the_holidays_package_closes_black_friday_in_california_only() -> None:
    """The premise of the Thanksgiving scenario: what the calendars say about 27-28 Nov 2025."""
    us = holidays.country_holidays("US", years=2025)
    new_york = holidays.country_holidays("US", subdiv="NY", years=2025)
    california = holidays.country_holidays("US", subdiv="CA", years=2025)
    assert date(2025, 11, 27) in us
    assert date(2025, 11, 27) in new_york
    assert date(2025, 11, 27) in california
    assert date(2025, 11, 28) not in us
    assert date(2025, 11, 28) not in new_york
    assert date(2025, 11, 28) in california  # "Day After Thanksgiving"


@pytest.mark.parametrize(
    ("called_on", "tz", "subdivision", "next_call_on"),
    [
        # New York: Thursday is Thanksgiving; Black Friday is a working day and counts.
        (date(2025, 11, 24), NEW_YORK, "NY", date(2025, 12, 1)),  # Tue Wed Fri Mon
        (date(2025, 11, 25), NEW_YORK, "NY", date(2025, 12, 2)),  # Wed Fri Mon Tue
        # California closes Friday too: neither day counts.
        (date(2025, 11, 24), LOS_ANGELES, "CA", date(2025, 12, 2)),  # Tue Wed Mon Tue
        (date(2025, 11, 25), LOS_ANGELES, "CA", date(2025, 12, 3)),  # Wed Mon Tue Wed
    ],
    ids=["ny-monday", "ny-tuesday", "ca-monday", "ca-tuesday"],
)
def test_thanksgiving_week_gap(
    called_on: date, tz: ZoneInfo, subdivision: str, next_call_on: date
) -> None:
    """An unanswered call early in Thanksgiving week: the four business days between attempts
    (R3) skip Thanksgiving, and Black Friday only where it is a holiday."""
    engine = cadence.Engine(Policy())
    call = datetime.combine(called_on, time(10, 0), tzinfo=tz)
    p = enroll(engine, call - timedelta(hours=1), tz, "US", subdivision)
    p = engine.apply(p, ev.CallAttempted(at=call, outcome="no_answer"))
    act = engine.next_action(p, now=call + timedelta(minutes=5))
    assert act.kind is ActionKind.CALL
    assert "R3" in act.rules
    assert act.earliest.astimezone(tz).date() == next_call_on
    assert next_call_on == busday_offset(called_on, 4, "US", subdivision)
    assert act.earliest.astimezone(tz).date() not in (date(2025, 11, 27), date(2025, 11, 28))
    assert act.bounded_by == ("policy", US_FEDERAL)
    # R4: a different part of the day than the 10:00 attempt (the morning slot).
    assert act.slot != "morning"


# -- the US federal evening limit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("agreed", "due"),
    [
        (time(20, 59), datetime(2026, 3, 10, 20, 59, tzinfo=NEW_YORK)),
        (time(21, 0), datetime(2026, 3, 11, 8, 0, tzinfo=NEW_YORK)),
    ],
    ids=["20:59", "21:00"],
)
def test_2059_local_allowed_and_2100_moves_to_next_opening(agreed: time, due: datetime) -> None:
    """The policy would call until 22:00; federal law says 08:00-21:00 local. A call agreed for
    20:59 stays at 20:59 (and must start before 21:00); one agreed for 21:00 moves to the next
    day's opening, 08:00."""
    engine = cadence.Engine(
        Policy(call_slots=(TimeSlot(name="all day", start=time(8), end=time(22)),))
    )
    talk = datetime(2026, 3, 10, 11, 0, tzinfo=NEW_YORK)  # a Tuesday
    p = enroll(engine, talk - timedelta(hours=1), NEW_YORK, "US", "NY")
    agreed_at = datetime.combine(talk.date(), agreed, tzinfo=NEW_YORK)
    p = engine.apply(p, ev.CallAttempted(at=talk, outcome="connected", next_contact_at=agreed_at))
    act = engine.next_action(p, now=talk + timedelta(minutes=1))
    assert act.kind is ActionKind.CALL
    assert "R1" in act.rules
    assert utc(act.earliest) == utc(due)
    assert_call_inside(act, NEW_YORK, ((time(8), time(21)),))
    assert act.bounded_by == ("policy", US_FEDERAL)
    if agreed == time(20, 59):
        assert utc(act.latest) == utc(datetime(2026, 3, 10, 21, 0, tzinfo=NEW_YORK))


@pytest.mark.parametrize(
    ("enrolled", "due"),
    [
        (datetime(2026, 3, 10, 20, 59, tzinfo=NEW_YORK), datetime(2026, 3, 10, 20, 59)),
        (datetime(2026, 3, 10, 21, 0, tzinfo=NEW_YORK), datetime(2026, 3, 11, 8, 0)),
    ],
    ids=["20:59", "21:00"],
)
def test_first_touch_at_2059_is_allowed_and_at_2100_waits_for_morning(
    enrolled: datetime, due: datetime
) -> None:
    engine = cadence.Engine(
        Policy(call_slots=(TimeSlot(name="all day", start=time(8), end=time(22)),))
    )
    p = enroll(engine, enrolled, NEW_YORK, "US", "NY")
    act = engine.next_action(p, now=enrolled)
    assert act.kind is ActionKind.CALL
    assert act.earliest.astimezone(NEW_YORK).replace(tzinfo=None) == due
    assert act.bounded_by == ("policy", US_FEDERAL)


# -- Florida -------------------------------------------------------------------------------------

FLORIDA_HOURS = ((time(8), time(20)),)


@given(now=instants_2024_2030)
def test_pensacola_never_called_before_8_or_after_20_central(now: datetime) -> None:
    """Pensacola is in Florida but on Central time. The policy would call 06:00-23:00 any day;
    Florida's 08:00-20:00 (stricter than the federal 21:00) binds, in the prospect's zone."""
    engine = cadence.Engine(Policy(weekmask=EVERY_DAY, call_slots=WIDE_HOURS))
    p = enroll(engine, now, CHICAGO, "US", "FL")
    act = first_call(engine, p, now)
    assert utc(act.earliest) >= now
    assert_call_inside(act, CHICAGO, FLORIDA_HOURS)
    assert act.bounded_by == ("policy", US_FEDERAL, US_FL)


@pytest.mark.parametrize("last_minute", [False, True], ids=["at-opening", "last-minute"])
def test_pensacola_unanswered_ladder_stays_inside_florida_hours(last_minute: bool) -> None:
    engine = cadence.Engine(Policy(weekmask=EVERY_DAY, call_slots=WIDE_HOURS))
    start = datetime(2026, 3, 5, 6, 0, tzinfo=CHICAGO)  # the ladder runs across the DST change
    p = enroll(engine, start, CHICAGO, "US", "FL")
    calls = [
        a
        for a in journey(engine, p, start, steps=10, last_minute=last_minute)
        if a.channel is Channel.PHONE
    ]
    assert len(calls) >= 3
    for act in calls:
        assert_call_inside(act, CHICAGO, FLORIDA_HOURS)
        assert act.bounded_by == ("policy", US_FEDERAL, US_FL)
    assert utc(calls[0].earliest) == utc(datetime(2026, 3, 5, 8, 0, tzinfo=CHICAGO))


def test_fourth_call_within_24h_in_florida_deferred_across_dst() -> None:
    """Florida: at most three calls in 24 hours. Three conversations, Saturday 10:00 and 14:00
    CST and Sunday 09:00 CDT (the clocks sprang forward overnight), each ending with an agreed
    next call. The fourth, agreed for 09:30, waits until 24 hours of elapsed time after the
    first: Sunday 16:00 UTC, 11:00 CDT, which is 25 hours on the wall clock after Saturday 10:00
    CST. A wall-clock reading ("same time tomorrow", 10:00 CDT) would be an hour early."""
    engine = cadence.Engine(Policy(weekmask=EVERY_DAY, call_slots=WIDE_HOURS))
    first = datetime(2026, 3, 7, 10, 0, tzinfo=CHICAGO)
    second = datetime(2026, 3, 7, 14, 0, tzinfo=CHICAGO)
    third = datetime(2026, 3, 8, 9, 0, tzinfo=CHICAGO)
    fourth = datetime(2026, 3, 8, 9, 30, tzinfo=CHICAGO)
    assert utc(third) - utc(first) == timedelta(hours=22)
    p = enroll(engine, first - timedelta(hours=1), CHICAGO, "US", "FL")
    p = engine.apply(p, ev.CallAttempted(at=first, outcome="connected", next_contact_at=second))
    p = engine.apply(p, ev.CallAttempted(at=second, outcome="connected", next_contact_at=third))
    # Two calls in the last 24 hours: the third may go ahead as agreed.
    act = engine.next_action(p, now=second + timedelta(minutes=1))
    assert utc(act.earliest) == utc(third)
    p = engine.apply(p, ev.CallAttempted(at=third, outcome="connected", next_contact_at=fourth))
    act = engine.next_action(p, now=third + timedelta(minutes=1))
    assert act.kind is ActionKind.CALL
    assert "R1" in act.rules
    assert utc(act.earliest) == utc(first) + timedelta(hours=24)
    assert utc(act.earliest) == datetime(2026, 3, 8, 16, 0, tzinfo=UTC)
    assert act.earliest.astimezone(CHICAGO).time() == time(11, 0)
    assert act.earliest.astimezone(CHICAGO).utcoffset() == timedelta(hours=-5)
    assert_call_inside(act, CHICAGO, FLORIDA_HOURS)
    assert act.bounded_by == ("policy", US_FEDERAL, US_FL)


# -- Alabama -------------------------------------------------------------------------------------

ALABAMA_HOURS = ((time(8), time(20)),)


def alabama_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", subdiv="AL", years=year)


@pytest.mark.parametrize(
    ("enrolled", "due", "why"),
    [
        (datetime(2026, 4, 18, 20, 30), datetime(2026, 4, 20, 8, 0), "Sunday"),
        (datetime(2026, 4, 19, 9, 0), datetime(2026, 4, 20, 8, 0), "Sunday"),
        # Confederate Memorial Day, an Alabama holiday, is the Monday after.
        (datetime(2026, 4, 25, 20, 30), datetime(2026, 4, 28, 8, 0), "Sunday, state holiday"),
        # Jefferson Davis's Birthday, another Alabama-only holiday.
        (datetime(2026, 5, 30, 20, 30), datetime(2026, 6, 2, 8, 0), "Sunday, state holiday"),
    ],
    ids=["saturday-evening", "sunday-morning", "confederate-memorial-day", "jefferson-davis"],
)
def test_alabama_no_sunday_calls(enrolled: datetime, due: datetime, why: str) -> None:
    """The policy calls any day of the week; Alabama allows no call on a Sunday or a state
    holiday, and none outside 08:00-20:00."""
    engine = cadence.Engine(Policy(weekmask=EVERY_DAY, call_slots=WIDE_HOURS))
    at = enrolled.replace(tzinfo=CHICAGO)
    p = enroll(engine, at, CHICAGO, "US", "AL")
    act = first_call(engine, p, at)
    assert act.earliest.astimezone(CHICAGO).replace(tzinfo=None) == due, why
    assert_call_inside(act, CHICAGO, ALABAMA_HOURS)
    assert act.bounded_by == ("policy", US_AL, US_FEDERAL)


def test_alabama_holidays_the_scenario_relies_on() -> None:
    al, us = alabama_holidays(2026), holidays.country_holidays("US", years=2026)
    assert date(2026, 4, 27) in al
    assert date(2026, 4, 27) not in us
    assert date(2026, 6, 1) in al
    assert date(2026, 6, 1) not in us


@given(now=instants_2024_2030)
def test_alabama_never_called_on_a_sunday_or_a_state_holiday(now: datetime) -> None:
    engine = cadence.Engine(Policy(weekmask=EVERY_DAY, call_slots=WIDE_HOURS))
    p = enroll(engine, now, CHICAGO, "US", "AL")
    act = first_call(engine, p, now)
    local = act.earliest.astimezone(CHICAGO)
    assert local.weekday() != 6
    assert local.date() not in alabama_holidays(local.year)
    assert_call_inside(act, CHICAGO, ALABAMA_HOURS)
    assert act.bounded_by == ("policy", US_AL, US_FEDERAL)


def test_alabama_unanswered_ladder_never_calls_on_sunday() -> None:
    engine = cadence.Engine(Policy(weekmask=EVERY_DAY, call_slots=WIDE_HOURS))
    start = datetime(2026, 4, 16, 7, 0, tzinfo=CHICAGO)
    p = enroll(engine, start, CHICAGO, "US", "AL")
    calls = [a for a in journey(engine, p, start, steps=10) if a.channel is Channel.PHONE]
    assert len(calls) >= 3
    for act in calls:
        local = act.earliest.astimezone(CHICAGO)
        assert local.weekday() != 6
        assert local.date() not in alabama_holidays(local.year)
        assert_call_inside(act, CHICAGO, ALABAMA_HOURS)


# -- states whose hours, days or holidays are stricter than the federal rule ----------------------

STATE_RULES: dict[str, tuple[ZoneInfo, str, dict[int, tuple[time, time]], bool]] = {
    # state: (a zone of the state, the rule cited, allowed local hours by weekday, holiday ban)
    "MA": (NEW_YORK, "us-ma@2003-01-01", dict.fromkeys(range(7), (time(8), time(20))), False),
    # 08:00-20:00 Central *Standard* Time read both ways: 09:00-20:00 local all year.
    "MS": (CHICAGO, "us-ms@2003-07-01", dict.fromkeys(range(6), (time(9), time(20))), False),
    "RI": (
        NEW_YORK,
        "us-ri@1999",
        dict.fromkeys(range(5), (time(9), time(18))) | {5: (time(10), time(17))},
        True,
    ),
    "SD": (CHICAGO, "us-sd@1997", dict.fromkeys(range(6), (time(9), time(21))), False),
    "UT": (
        ZoneInfo("America/Denver"),
        "us-ut@2004",
        dict.fromkeys(range(6), (time(8), time(21))),
        True,
    ),
    "WA": (LOS_ANGELES, "us-wa@2022-06-09", dict.fromkeys(range(7), (time(8), time(20))), False),
}


@given(now=instants_2024_2030, state=st.sampled_from(sorted(STATE_RULES)))
def test_a_states_hours_days_and_holidays_bound_every_call(now: datetime, state: str) -> None:
    """The policy calls any day, 06:00-23:00; each state's law is what binds the call, and the
    action cites it beside the federal rule."""
    tz, cited, hours, no_holidays = STATE_RULES[state]
    engine = cadence.Engine(Policy(weekmask=EVERY_DAY, call_slots=WIDE_HOURS))
    p = enroll(engine, now, tz, "US", state)
    act = first_call(engine, p, now)
    local = act.earliest.astimezone(tz)
    assert local.weekday() in hours, f"{state}: no calls on {local:%A}"
    assert_call_inside(act, tz, (hours[local.weekday()],))
    if no_holidays:
        assert local.date() not in holidays.country_holidays("US", subdiv=state, years=local.year)
    assert set(act.bounded_by) == {"policy", US_FEDERAL, cited}


@pytest.mark.parametrize(
    ("enrolled", "due", "why"),
    [
        (datetime(2026, 8, 7, 18, 30), datetime(2026, 8, 8, 10, 0), "after Friday's 18:00"),
        (datetime(2026, 8, 8, 17, 0), datetime(2026, 8, 11, 9, 0), "Sunday, then Victory Day"),
    ],
    ids=["friday-evening", "victory-day"],
)
def test_rhode_island_keeps_office_hours_and_no_sundays_or_holidays(
    enrolled: datetime, due: datetime, why: str
) -> None:
    """Rhode Island: weekdays 09:00-18:00, Saturdays 10:00-17:00, no Sundays, no holidays
    (Victory Day, the second Monday of August, is a Rhode Island holiday alone)."""
    assert date(2026, 8, 10) in holidays.country_holidays("US", subdiv="RI", years=2026)
    assert date(2026, 8, 10) not in holidays.country_holidays("US", years=2026)
    engine = cadence.Engine(Policy(weekmask=EVERY_DAY, call_slots=WIDE_HOURS))
    at = enrolled.replace(tzinfo=NEW_YORK)
    act = first_call(engine, enroll(engine, at, NEW_YORK, "US", "RI"), at)
    assert act.earliest.astimezone(NEW_YORK).replace(tzinfo=None) == due, why


# -- France --------------------------------------------------------------------------------------

FRENCH_HOURS = ((time(10), time(13)), (time(14), time(20)))
FRENCH_POLICY = Policy(
    call_slots=(
        TimeSlot(name="morning", start=time(8, 0), end=time(12, 30)),
        TimeSlot(name="lunch", start=time(12, 30), end=time(15, 0)),
        TimeSlot(name="evening", start=time(15, 0), end=time(21, 0)),
    )
)
"""Hours wider than the French law at both ends, with a slot straddling its lunch break."""


@pytest.mark.parametrize(
    ("enrolled", "due", "latest"),
    [
        # Before 10:00: wait for 10:00.
        (datetime(2026, 5, 6, 8, 0), datetime(2026, 5, 6, 10, 0), datetime(2026, 5, 6, 12, 30)),
        # The lunch slot 12:30-15:00 is open 12:30-13:00, then again from 14:00.
        (datetime(2026, 5, 6, 12, 45), datetime(2026, 5, 6, 12, 45), datetime(2026, 5, 6, 13, 0)),
        (datetime(2026, 5, 6, 13, 0), datetime(2026, 5, 6, 14, 0), datetime(2026, 5, 6, 15, 0)),
        (datetime(2026, 5, 6, 13, 59), datetime(2026, 5, 6, 14, 0), datetime(2026, 5, 6, 15, 0)),
        # After 20:00 on the eve of Ascension Day (Thursday 14 May 2026): Friday 10:00.
        (datetime(2026, 5, 13, 20, 0), datetime(2026, 5, 15, 10, 0), datetime(2026, 5, 15, 12, 30)),
        (datetime(2026, 5, 14, 9, 0), datetime(2026, 5, 15, 10, 0), datetime(2026, 5, 15, 12, 30)),
    ],
    ids=["before-10", "lunch-slot-before-13", "at-13", "at-1359", "ascension-eve", "ascension"],
)
def test_france_lunch_break_and_ascension_day(
    enrolled: datetime, due: datetime, latest: datetime
) -> None:
    """France (art. D223-9): weekdays 10:00-13:00 and 14:00-20:00, never on a public holiday."""
    engine = cadence.Engine(FRENCH_POLICY)
    at = enrolled.replace(tzinfo=PARIS)
    p = enroll(engine, at, PARIS, "FR")
    act = first_call(engine, p, at)
    assert act.earliest.astimezone(PARIS).replace(tzinfo=None) == due
    assert act.latest.astimezone(PARIS).replace(tzinfo=None) == latest
    assert_call_inside(act, PARIS, FRENCH_HOURS)
    assert act.bounded_by == ("policy", FR)


@given(now=instants_2024_2030)
def test_france_never_called_at_lunch_before_10_or_on_a_holiday(now: datetime) -> None:
    engine = cadence.Engine(FRENCH_POLICY)
    p = enroll(engine, now, PARIS, "FR")
    act = first_call(engine, p, now)
    local = act.earliest.astimezone(PARIS)
    assert local.weekday() < 5
    assert local.date() not in holidays.country_holidays("FR", years=local.year)
    assert not time(13) <= local.time() < time(14)
    assert local.time() >= time(10)
    assert_call_inside(act, PARIS, FRENCH_HOURS)
    assert act.bounded_by == ("policy", FR)


# -- the clocks change ---------------------------------------------------------------------------

NIGHT_OWL = Policy(
    weekmask=EVERY_DAY,
    call_slots=(
        TimeSlot(name="midnight", start=time(0, 0), end=time(0, 45)),
        TimeSlot(name="small hours", start=time(1, 0), end=time(1, 50)),
        TimeSlot(name="before dawn", start=time(2, 15), end=time(3, 0)),
        TimeSlot(name="morning", start=time(8, 0), end=time(13, 0)),
        TimeSlot(name="afternoon", start=time(13, 0), end=time(21, 0)),
        TimeSlot(name="late", start=time(23, 15), end=time(23, 59)),
    ),
)
"""Hours whose edges fall in the DST gaps and folds of the zones below (where no law forbids
calling at night, these are the hours that apply). Where the law does (US, France), two slots
stay open, so that R4 can still rotate."""

DST_CASES = [
    # (zone, country, subdivision, enrolled (local wall time), due (UTC), bounded_by)
    pytest.param(
        NEW_YORK,
        "US",
        "NY",
        datetime(2026, 3, 7, 21, 30),
        datetime(2026, 3, 8, 12, 0, tzinfo=UTC),  # 08:00 EDT: the federal window binds
        ("policy", US_FEDERAL),
        id="new-york-spring-forward",
    ),
    pytest.param(
        NEW_YORK,
        "US",
        "NY",
        datetime(2026, 10, 31, 21, 30),
        datetime(2026, 11, 1, 13, 0, tzinfo=UTC),  # 08:00 EST
        ("policy", US_FEDERAL),
        id="new-york-fall-back",
    ),
    pytest.param(
        PARIS,
        "FR",
        None,
        datetime(2026, 3, 27, 20, 30),  # a Friday; the clocks go forward on Sunday
        datetime(2026, 3, 30, 8, 0, tzinfo=UTC),  # Monday 10:00 CEST
        ("policy", FR),
        id="paris-spring-forward",
    ),
    pytest.param(
        PARIS,
        "FR",
        None,
        datetime(2026, 10, 23, 20, 30),
        datetime(2026, 10, 26, 9, 0, tzinfo=UTC),  # Monday 10:00 CET
        ("policy", FR),
        id="paris-fall-back",
    ),
    pytest.param(
        SANTIAGO,
        "CL",
        None,
        datetime(2026, 9, 5, 23, 59),  # Saturday; Sunday has no 00:00
        datetime(2026, 9, 6, 4, 0, tzinfo=UTC),  # 01:00 -03, the first instant after the gap
        ("policy",),  # Chile has no calling-hours preset
        id="santiago-no-midnight",
    ),
    pytest.param(
        SANTIAGO,
        "CL",
        None,
        datetime(2025, 4, 5, 22, 0),  # Saturday; 23:00-24:00 happens twice
        datetime(2025, 4, 6, 2, 15, tzinfo=UTC),  # 23:15 -03, the earlier occurrence
        ("policy",),
        id="santiago-fall-back",
    ),
    pytest.param(
        LORD_HOWE,
        "AU",
        "NSW",
        datetime(2026, 10, 4, 1, 55),  # Sunday, 01:55 +10:30; at 02:00 it becomes 02:30 +11
        datetime(2026, 10, 3, 15, 30, tzinfo=UTC),  # "before dawn" (02:15) opens at 02:30 +11
        ("policy",),
        id="lord-howe-spring-forward",
    ),
    pytest.param(
        LORD_HOWE,
        "AU",
        "NSW",
        datetime(2025, 4, 6, 1, 55),  # Sunday, first 01:55 (+11); 01:30-02:00 happens twice
        datetime(2025, 4, 5, 15, 45, tzinfo=UTC),  # "before dawn" 02:15 +10:30, after the fold
        ("policy",),
        id="lord-howe-fall-back",
    ),
    pytest.param(
        KOLKATA,
        "IN",
        None,
        datetime(2026, 6, 5, 21, 30),  # Friday night; +05:30 all year
        datetime(2026, 6, 5, 17, 45, tzinfo=UTC),  # the late slot, 23:15 IST
        ("policy",),
        id="kolkata",
    ),
]


@pytest.mark.parametrize(
    ("tz", "country", "subdivision", "enrolled", "due", "bounded_by"), DST_CASES
)
def test_due_windows_around_dst_changes(
    tz: ZoneInfo,
    country: str,
    subdivision: str | None,
    enrolled: datetime,
    due: datetime,
    bounded_by: tuple[str, ...],
) -> None:
    """The first call after enrolment lands on the right instant around each clock change, at a
    local time that exists."""
    engine = cadence.Engine(NIGHT_OWL)
    at = enrolled.replace(tzinfo=tz)
    p = enroll(engine, at, tz, country, subdivision)
    act = first_call(engine, p, at)
    assert utc(act.earliest) == due
    assert is_real_local_time(act.earliest)
    assert act.earliest.tzinfo is tz
    assert act.bounded_by == bounded_by


DST_PLACES = [
    pytest.param(
        NEW_YORK, "US", "NY", datetime(2026, 3, 8, 7, 0, tzinfo=UTC), id="new-york-spring"
    ),
    pytest.param(NEW_YORK, "US", "NY", datetime(2026, 11, 1, 6, 0, tzinfo=UTC), id="new-york-fall"),
    pytest.param(PARIS, "FR", None, datetime(2026, 3, 29, 1, 0, tzinfo=UTC), id="paris-spring"),
    pytest.param(PARIS, "FR", None, datetime(2026, 10, 25, 1, 0, tzinfo=UTC), id="paris-fall"),
    pytest.param(
        SANTIAGO, "CL", None, datetime(2026, 9, 6, 4, 0, tzinfo=UTC), id="santiago-spring"
    ),
    pytest.param(SANTIAGO, "CL", None, datetime(2025, 4, 6, 3, 0, tzinfo=UTC), id="santiago-fall"),
    pytest.param(
        LORD_HOWE, "AU", "NSW", datetime(2026, 10, 3, 15, 30, tzinfo=UTC), id="lord-howe-spring"
    ),
    pytest.param(
        LORD_HOWE, "AU", "NSW", datetime(2025, 4, 5, 15, 0, tzinfo=UTC), id="lord-howe-fall"
    ),
    pytest.param(KOLKATA, "IN", None, datetime(2026, 6, 6, 0, 0, tzinfo=UTC), id="kolkata"),
]


@pytest.mark.parametrize(("tz", "country", "subdivision", "change"), DST_PLACES)
def test_no_due_window_starts_at_a_nonexistent_local_time(
    tz: ZoneInfo, country: str, subdivision: str | None, change: datetime
) -> None:
    """Every 20 minutes from a day before the clocks change to a day after: the first touch and
    the ladder's next call after an unanswered one start at real local times, never before
    ``now``, and inside the policy's hours and the legal window."""
    engine = cadence.Engine(NIGHT_OWL)
    slots = tuple((s.start, s.end) for s in NIGHT_OWL.call_slots)
    moment = change - timedelta(days=1)
    while moment < change + timedelta(days=1):
        p = enroll(engine, moment, tz, country, subdivision)
        for act in engine.plan(p, now=moment):
            assert is_real_local_time(act.earliest), act
            assert utc(act.earliest) >= moment
        call = first_call(engine, p, moment)
        assert call.slot is not None
        local = call.earliest.astimezone(tz)
        if local.fold == 0:  # a fold's second occurrence may read earlier than the slot start
            assert any(a <= local.time() < b for a, b in slots), local
        p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="no_answer"))
        retry = first_call(engine, p, utc(call.earliest) + timedelta(minutes=1))
        assert is_real_local_time(retry.earliest)
        assert utc(retry.earliest) > utc(call.earliest)
        assert retry.slot != call.slot  # R4
        moment += timedelta(minutes=20)


def test_r1_the_grace_after_an_agreed_time_stops_at_the_french_lunch_break() -> None:
    """Slots that follow each other are one stretch for a promise (an agreed 11:50 is on time
    until 12:20 in Paris too), but the law's limits still cut the grace: French law closes
    the phone from 13:00 to 14:00, so an agreed 12:45 is due by 13:00."""
    engine = cadence.Engine(Policy())
    monday = datetime(2026, 3, 9, 10, 0, tzinfo=PARIS)
    p = engine.enroll("zoe", timezone="Europe/Paris", at=monday, country="FR")
    for agreed, due_by in ((time(11, 50), time(12, 20)), (time(12, 45), time(13, 0))):
        at = datetime.combine(monday.date() + timedelta(days=1), agreed, tzinfo=PARIS)
        q = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=at))
        act = engine.next_action(q, monday)
        assert (act.earliest, act.latest.time()) == (at, due_by)


@pytest.mark.parametrize(
    ("tz", "agreed", "due_by"),
    [
        (ZoneInfo("Europe/London"), datetime(2026, 3, 12, 23, 50), datetime(2026, 3, 13, 0, 20)),
        # Santiago's clocks go forward at midnight on 6 September 2026: 24:00 is 01:00.
        (SANTIAGO, datetime(2026, 9, 5, 23, 50), datetime(2026, 9, 6, 1, 20)),
    ],
)
def test_r1_the_grace_after_an_agreed_time_runs_on_past_midnight(
    tz: ZoneInfo, agreed: datetime, due_by: datetime
) -> None:
    """Calling hours across midnight are written as two halves (``22:00-24:00`` and
    ``00:00-02:00``): they are one stretch for a promise, as slots that follow each other in
    the day are. An agreed 23:50 is on time until 00:20 (thirty minutes of grace, 01:20 where
    midnight is the clocks' change), and a call at 00:05 is not overdue."""
    policy = Policy(
        call_slots=(
            TimeSlot(name="night", start=time(0), end=time(2)),
            TimeSlot(name="late", start=time(22), end="24:00"),
        ),
        weekmask=EVERY_DAY,
        legal_guards=False,
    )
    engine = cadence.Engine(policy)
    at, due_by = agreed.replace(tzinfo=tz), due_by.replace(tzinfo=tz)
    before = at - timedelta(days=2)
    p = engine.enroll("zoe", timezone=tz.key, at=before)
    p = engine.apply(p, ev.CallAttempted(at=before, outcome="connected", next_contact_at=at))
    act = engine.next_action(p, before)
    assert (act.earliest, act.latest) == (at, due_by)
    late = engine.next_action(p, at + timedelta(minutes=15))
    assert (late.kind, late.latest, late.flags) == (ActionKind.CALL, due_by, ())
    assert late.slot == "night"  # made after midnight: in that part of the day (R4)


def test_ladder_keeps_wall_clock_slots_across_the_new_york_spring_forward() -> None:
    """A voicemail Thursday 5 March 2026 at 09:30 EST; four business days later it is
    Wednesday 11 March, after the clocks went forward: the retry is in the midday slot at 12:00
    EDT (16:00 UTC), not at 12:00 EST."""
    engine = cadence.Engine(Policy())
    call = datetime(2026, 3, 5, 9, 30, tzinfo=NEW_YORK)
    p = enroll(engine, call - timedelta(hours=1), NEW_YORK, "US", "NY")
    p = engine.apply(p, ev.CallAttempted(at=call, outcome="no_answer"))
    act = engine.next_action(p, now=call + timedelta(minutes=5))
    assert utc(act.earliest) == datetime(2026, 3, 11, 16, 0, tzinfo=UTC)
    assert act.slot == "midday"
    assert act.bounded_by == ("policy", US_FEDERAL)


def test_r4_rotation_survives_a_slot_the_law_closes() -> None:
    """A team with an early-bird slot (06:00-08:00) for the countries that allow it, and a day
    slot. In New York the law closes the early slot, so the day slot is the only part of the day
    left: R4 cannot rotate, and must not make the engine give up. The first call is due at once;
    after an unanswered one, the retry is in the day slot four business days later."""
    engine = cadence.Engine(
        Policy(
            call_slots=(
                TimeSlot(name="early bird", start=time(6), end=time(8)),
                TimeSlot(name="day", start=time(8), end=time(18)),
            )
        )
    )
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)
    p = enroll(engine, monday, NEW_YORK, "US", "NY")
    act = engine.next_action(p, now=monday)
    assert act.kind is ActionKind.CALL
    assert utc(act.earliest) == utc(monday)
    assert act.bounded_by == ("policy", US_FEDERAL)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="no_answer"))
    retry = engine.next_action(p, now=monday + timedelta(minutes=5))
    assert retry.kind is ActionKind.CALL
    assert retry.slot == "day"
    assert utc(retry.earliest) == utc(datetime(2026, 3, 6, 8, 0, tzinfo=NEW_YORK))
    assert retry.bounded_by == ("policy", US_FEDERAL)


def test_r4_when_the_law_leaves_only_the_last_calls_part_of_the_day_the_retry_is_not_put_off() -> (
    None
):
    """A team calls early (08:00-10:00) or late (14:00-17:00); French law forbids calls before
    10:00, so in Paris only the late slot is ever open. After a voicemail on Monday 2 March at
    14:30, the retry is due Friday 6 at 14:00; asked on Friday at 17:30 (the rep fell behind),
    or on Saturday, it is due Monday 9 at 14:00, as soon as the late slot opens again, not a
    month later. It cannot be in another part of the day, so it does not claim R4."""
    slots = (
        TimeSlot(name="early", start=time(8), end=time(10)),
        TimeSlot(name="late", start=time(14), end=time(17)),
    )
    engine = cadence.Engine(Policy(call_slots=slots))
    call = datetime(2026, 3, 2, 14, 30, tzinfo=PARIS)
    p = engine.enroll("zoe", timezone="Europe/Paris", at=call, country="FR")
    p = engine.apply(p, ev.CallAttempted(at=call, outcome="voicemail"))
    p = engine.apply(p, ev.EmailSent(at=call + timedelta(minutes=5)))
    on_time = engine.next_action(p, call + timedelta(minutes=6))
    assert (on_time.kind, on_time.slot) == (ActionKind.CALL, "late")
    assert on_time.earliest == datetime(2026, 3, 6, 14, 0, tzinfo=PARIS)
    for now in (datetime(2026, 3, 6, 17, 30, tzinfo=PARIS), datetime(2026, 3, 7, 10, tzinfo=PARIS)):
        late = engine.next_action(p, now)
        assert (late.kind, late.slot, late.overdue) == (ActionKind.CALL, "late", True)
        assert late.earliest == datetime(2026, 3, 9, 14, 0, tzinfo=PARIS), now
    for act in (on_time, late):
        assert act.rules == ("R3",)
        assert "different time of day" not in act.reason


def test_r4_a_weekdays_own_hours_are_in_the_everyday_part_of_the_day_they_overlap() -> None:
    """Found by the R4 property. A Paris team calls early (07:00-09:30), in the day
    (10:00-16:00) and in the evening (18:00-21:30), but on Mondays only 10:00-12:00, which it
    calls "morning". A voicemail on Thursday 5 March at 10:00 (the day), the R6 email on Friday
    at 08:00, then on Monday 9 at 10:00 a call to the receptionist (R9: someone else, the
    prospect was not tried). The retry was due Monday 10:00-12:00, "at a different time of
    day", because "morning" is not "day": the same hour as the voicemail. Monday's hours lie in
    the day, so the retry is in the evening (Tuesday's), and a call on a Monday counts in the
    day for the next one's rotation."""
    slots = (
        TimeSlot(name="early", start=time(7), end=time(9, 30)),
        TimeSlot(name="day", start=time(10), end=time(16)),
        TimeSlot(name="evening", start=time(18), end=time(21, 30)),
    )
    monday = cadence.WeekdayHours(
        weekday=0, channel="phone", slots=(TimeSlot(name="morning", start=time(10), end=time(12)),)
    )
    engine = cadence.Engine(
        Policy(min_gap_business_days=1, call_slots=slots, weekday_hours=(monday,))
    )
    p = engine.enroll(
        "zoe", timezone="Europe/Paris", at=datetime(2026, 3, 5, 9, tzinfo=PARIS), country="FR"
    )
    voicemail = datetime(2026, 3, 5, 10, 0, tzinfo=PARIS)
    p = engine.apply(p, ev.CallAttempted(at=voicemail, outcome="voicemail"))
    assert p.last_attempt_slot == "day"
    p = engine.apply(p, ev.EmailSent(at=datetime(2026, 3, 6, 8, 0, tzinfo=PARIS)))
    receptionist = datetime(2026, 3, 9, 10, 0, tzinfo=PARIS)
    p = engine.apply(p, ev.CallAttempted(at=receptionist, outcome="voicemail", third_party=True))
    assert p.last_attempt_slot == "day"  # the prospect was not tried
    retry = engine.next_action(p, receptionist)
    assert (retry.kind, retry.slot) == (ActionKind.CALL, "evening")
    assert retry.earliest == datetime(2026, 3, 10, 18, 0, tzinfo=PARIS)
    assert "R4" in retry.rules
    # A call to the prospect on a Monday is in the day, for the next one's rotation.
    monday_call = receptionist + timedelta(minutes=5)
    p = engine.apply(p, ev.CallAttempted(at=monday_call, outcome="no_answer"))
    assert p.last_attempt_slot == "day"


def test_a_cap_counts_calls_made_after_the_follow_up_was_owed() -> None:
    """FL allows 3 calls per 24 h (DESIGN §5). Found by the stateful test: a voicemail and a
    conversation at 09:01 on Monday, a reply that owes a follow-up call, a cancelled meeting
    whose new times are proposed by phone at 09:11:01 (no answer). The follow-up call must
    wait until Tuesday 09:01, when the 09:01 calls are 24 hours old, not be due at once."""
    utc = ZoneInfo("UTC")
    engine = cadence.Engine()
    monday = datetime(2026, 3, 2, 8, 0, tzinfo=utc)
    p = engine.enroll("p1", timezone="America/New_York", at=monday, country="US", subdivision="FL")
    first = datetime(2026, 3, 2, 14, 1, tzinfo=utc)
    p = engine.apply(p, ev.CallAttempted(at=first, outcome="voicemail"))
    p = engine.apply(p, ev.CallAttempted(at=first, outcome="connected"))
    p = engine.apply(p, ev.EmailReplied(at=first + timedelta(minutes=5)))
    cancelled = first + timedelta(minutes=5, seconds=1)
    p = engine.apply(p, ev.MeetingCancelled(at=cancelled, meeting_id="m-1", by="prospect"))
    proposal = engine.next_action(p, cancelled)
    assert (proposal.kind, proposal.channel) == (ActionKind.PROPOSE_TIMES, Channel.PHONE)
    third = proposal.earliest_utc
    p = engine.apply(p, ev.CallAttempted(at=third, outcome="no_answer"))
    for act in engine.plan(p, third):
        if act.channel is Channel.PHONE:
            calls = [first, first, third]
            start = act.earliest_utc
            assert sum(start - timedelta(hours=24) < t <= start for t in calls) < 3
    assert engine.next_action(p, third).earliest_utc >= first + timedelta(hours=24)


def test_calls_made_while_opted_out_still_count_toward_a_cap_after_opting_in() -> None:
    """R13 and DESIGN §5: a host that calls an opted-out prospect anyway breaks the rule, and
    the engine ignores those calls for the cadence; but they did happen. When the prospect opts
    in again the same day, Florida's 3 calls per 24 hours counts them: the follow-up call waits
    until the first of them is 24 hours old."""
    utc = ZoneInfo("UTC")
    engine = cadence.Engine()
    monday = datetime(2026, 3, 2, 13, 0, tzinfo=utc)  # 08:00 in New York
    p = engine.enroll("p1", timezone="America/New_York", at=monday, country="US", subdivision="FL")
    p = engine.apply(p, ev.OptedOut(at=monday + timedelta(minutes=5)))
    calls = [monday + timedelta(hours=h) for h in (1, 2, 3)]
    for at in calls:
        p = engine.apply(p, ev.CallAttempted(at=at, outcome="no_answer"))
    assert engine.next_action(p, calls[-1]).kind is ActionKind.NONE  # R13 still holds
    back = calls[-1] + timedelta(minutes=30)
    p = engine.apply(p, ev.OptedIn(at=back))
    follow_up = next(a for a in engine.plan(p, back) if a.channel is Channel.PHONE)
    assert follow_up.earliest_utc >= calls[0] + timedelta(hours=24), follow_up


def test_plan_orders_meetings_by_instant_in_the_hour_that_repeats() -> None:
    """New York, 1 November 2026: the clocks go back at 02:00 EDT, so 01:00-02:00 happens
    twice. A meeting at 01:50 EDT comes before one at 01:10 EST (the second 01:10), although its
    wall time is later: the plan orders by instant, never by wall time."""
    engine = cadence.Engine()
    booked = datetime(2026, 10, 30, 15, 0, tzinfo=UTC)
    p = enroll(engine, booked, NEW_YORK, "US", "NY")
    first = datetime(2026, 11, 1, 5, 50, tzinfo=UTC)  # 01:50 EDT
    second = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 EST
    for n, (meeting, starts) in enumerate((("second", second), ("first", first))):
        p = engine.apply(
            p,
            ev.MeetingBooked(
                id=f"b-{n}",
                at=booked + timedelta(minutes=n),
                meeting_id=meeting,
                starts_at=starts,
            ),
        )
    now = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    meetings = [a for a in engine.plan(p, now) if a.kind is ActionKind.ATTEND_MEETING]
    assert [a.detail for a in meetings] == ["first", "second"]
    assert [a.earliest.strftime("%H:%M %Z") for a in meetings] == ["01:50 EDT", "01:10 EST"]
    assert engine.next_action(p, now).detail == "first"


def test_a_window_that_ends_in_the_hour_that_repeats_ends_after_it_starts() -> None:
    """Chicago, 3 November 2024: a 15-minute meeting at 01:46 CDT ends at 01:01 CST, in the
    second 01:00-02:00. The action's window is right by instant; its local bounds, compared
    with ``<`` as Python compares two times of one zone (by wall time), look reversed. Compare
    ``earliest_utc`` and ``latest_utc`` (what the long hypothesis run found)."""
    engine = cadence.Engine()
    at = datetime(2024, 11, 3, 6, 19, tzinfo=UTC)  # 01:19 CDT
    p = enroll(engine, at, CHICAGO, "US", "IL")
    starts = datetime(2024, 11, 3, 6, 46, 28, tzinfo=UTC)  # 01:46:28 CDT
    p = engine.apply(
        p,
        ev.MeetingBooked(
            at=at + timedelta(minutes=12), meeting_id="m1", starts_at=starts, duration_minutes=15
        ),
    )
    meeting = engine.next_action(p, at + timedelta(minutes=12))
    assert meeting.kind is ActionKind.ATTEND_MEETING
    assert meeting.earliest_utc == starts
    assert meeting.latest_utc == starts + timedelta(minutes=15)
    assert [t.strftime("%H:%M %Z") for t in (meeting.earliest, meeting.latest)] == [
        "01:46 CDT",
        "01:01 CST",
    ]
    assert meeting.latest.fold == 1
    assert meeting.latest < meeting.earliest  # Python compares them by wall time


def test_an_agreed_call_a_cap_puts_off_says_why_it_moved() -> None:
    """Florida allows 3 calls per 24 h. After three conversations in a morning the fourth,
    agreed for 11:30, is due the next day at 10:00, flagged ``moved``: its first talking point
    says a legal cap moved it, so the rep can tell the prospect why (nothing said why)."""
    engine = cadence.Engine()
    t = datetime(2026, 3, 3, 10, 0, tzinfo=NEW_YORK)
    p = engine.enroll(
        "fl", timezone="America/New_York", at=t - timedelta(hours=1), country="US", subdivision="FL"
    )
    for _ in range(3):
        agreed = t + timedelta(minutes=30)
        p = engine.apply(p, ev.CallAttempted(at=t, outcome="connected", next_contact_at=agreed))
        t = agreed
    act = engine.next_action(p, t)
    assert act.flags == ("moved",)
    assert act.earliest == datetime(2026, 3, 4, 10, 0, tzinfo=NEW_YORK)
    assert act.reason == "agreed with the prospect: next contact Tue 03 Mar 11:30"
    assert act.talking_points[0] == (
        "The agreed time moved (a legal cap on calls rules it out): tell them."
    )
