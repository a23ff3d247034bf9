"""The calendar seam: local wall time, DST, and where contact windows fall (DESIGN §4, §5).

A local boundary inside a DST gap resolves to the first valid instant after the gap; inside a fold,
to the earlier occurrence; local midnight is never assumed to exist. ``next_window`` only returns
windows that start at a real local time, inside one of the policy's call slots intersected with the
legal calling window, on a business day, at or after ``after``.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import cadence
from cadence import Channel, NoSlotError, Policy, TimeSlot
from cadence.calendar import (
    CALENDARS_KEPT,
    ContactCalendar,
    Window,
    contact_calendar,
    resolve_local,
)
from cadence.compliance import allowed_windows
from cadence.testing import Region, regions
from cadence.testing import instants as any_instants

NEW_YORK = ZoneInfo("America/New_York")
PARIS = ZoneInfo("Europe/Paris")
SANTIAGO = ZoneInfo("America/Santiago")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
# Clocks that change in other ways: by an hour from +12:45 at 02:45 (Chatham), at local
# midnight both ways on a Saturday night (Havana, Beirut), back and forth around Ramadan
# (Casablanca: "negative" DST in tzdata), by two hours (Troll), by an hour from a negative-DST
# winter (Dublin); and clocks that never change at the date line (+14, -11) or at -3:30.
CHATHAM = ZoneInfo("Pacific/Chatham")
HAVANA = ZoneInfo("America/Havana")
BEIRUT = ZoneInfo("Asia/Beirut")
CASABLANCA = ZoneInfo("Africa/Casablanca")
TROLL = ZoneInfo("Antarctica/Troll")
DUBLIN = ZoneInfo("Europe/Dublin")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")
ST_JOHNS = ZoneInfo("America/St_Johns")
UNUSUAL_ZONES = (
    CHATHAM,
    HAVANA,
    BEIRUT,
    CASABLANCA,
    TROLL,
    DUBLIN,
    KIRITIMATI,
    PAGO_PAGO,
    ST_JOHNS,
)


def wall(moment: datetime) -> datetime:
    """The naive local wall time of an aware datetime."""
    return moment.replace(tzinfo=None)


def exists(naive: datetime, tz: ZoneInfo) -> bool:
    """Whether the wall time ``naive`` occurs in ``tz`` (it does not inside a DST gap)."""
    return any(
        wall(naive.replace(tzinfo=tz, fold=fold).astimezone(UTC).astimezone(tz)) == naive
        for fold in (0, 1)
    )


def utc(moment: datetime) -> datetime:
    """The same instant in UTC. Compare instants this way: Python compares two datetimes of one
    zone by wall time (a fold's two 01:30s are equal), and says != across zones in a fold."""
    return moment.astimezone(UTC)


def seconds_before(moment: datetime, seconds: int, tz: ZoneInfo) -> datetime:
    """The instant ``seconds`` of elapsed time before ``moment``, shown in ``tz``."""
    return (utc(moment) - timedelta(seconds=seconds)).astimezone(tz)


def is_real_local_time(moment: datetime) -> bool:
    """Whether an aware datetime shows a wall time that its zone really has at that instant."""
    assert isinstance(moment.tzinfo, ZoneInfo)
    again = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return wall(again) == wall(moment) and again.utcoffset() == moment.utcoffset()


# -- resolve_local ------------------------------------------------------------------------------

RESOLVE_CASES = [
    # (zone, local date, local time, the instant it must resolve to (UTC), what happens there)
    (NEW_YORK, date(2024, 3, 10), time(1, 59), datetime(2024, 3, 10, 6, 59, tzinfo=UTC), "before"),
    (NEW_YORK, date(2024, 3, 10), time(2, 0), datetime(2024, 3, 10, 7, 0, tzinfo=UTC), "gap"),
    (NEW_YORK, date(2024, 3, 10), time(2, 30), datetime(2024, 3, 10, 7, 0, tzinfo=UTC), "gap"),
    (NEW_YORK, date(2024, 3, 10), time(3, 0), datetime(2024, 3, 10, 7, 0, tzinfo=UTC), "after"),
    (NEW_YORK, date(2024, 11, 3), time(0, 59), datetime(2024, 11, 3, 4, 59, tzinfo=UTC), "before"),
    (NEW_YORK, date(2024, 11, 3), time(1, 0), datetime(2024, 11, 3, 5, 0, tzinfo=UTC), "fold"),
    (NEW_YORK, date(2024, 11, 3), time(1, 30), datetime(2024, 11, 3, 5, 30, tzinfo=UTC), "fold"),
    (NEW_YORK, date(2024, 11, 3), time(2, 0), datetime(2024, 11, 3, 7, 0, tzinfo=UTC), "after"),
    (PARIS, date(2024, 3, 31), time(2, 30), datetime(2024, 3, 31, 1, 0, tzinfo=UTC), "gap"),
    (PARIS, date(2024, 10, 27), time(2, 30), datetime(2024, 10, 27, 0, 30, tzinfo=UTC), "fold"),
    (PARIS, date(2024, 10, 27), time(3, 0), datetime(2024, 10, 27, 2, 0, tzinfo=UTC), "after"),
    # Chile springs forward at local midnight: no 00:00 on the first Sunday of September.
    (SANTIAGO, date(2024, 9, 8), time(0, 0), datetime(2024, 9, 8, 4, 0, tzinfo=UTC), "gap"),
    (SANTIAGO, date(2024, 9, 8), time(0, 30), datetime(2024, 9, 8, 4, 0, tzinfo=UTC), "gap"),
    (SANTIAGO, date(2024, 9, 8), time(1, 0), datetime(2024, 9, 8, 4, 0, tzinfo=UTC), "after"),
    (SANTIAGO, date(2024, 9, 7), time(23, 59), datetime(2024, 9, 8, 3, 59, tzinfo=UTC), "before"),
    # ... and falls back at midnight: the last hour of the Saturday happens twice.
    (SANTIAGO, date(2024, 4, 6), time(23, 30), datetime(2024, 4, 7, 2, 30, tzinfo=UTC), "fold"),
    (SANTIAGO, date(2024, 4, 7), time(0, 0), datetime(2024, 4, 7, 4, 0, tzinfo=UTC), "after"),
    # Lord Howe Island moves its clocks by thirty minutes.
    (LORD_HOWE, date(2024, 10, 6), time(2, 0), datetime(2024, 10, 5, 15, 30, tzinfo=UTC), "gap"),
    (LORD_HOWE, date(2024, 10, 6), time(2, 15), datetime(2024, 10, 5, 15, 30, tzinfo=UTC), "gap"),
    (LORD_HOWE, date(2024, 10, 6), time(2, 30), datetime(2024, 10, 5, 15, 30, tzinfo=UTC), "after"),
    (LORD_HOWE, date(2024, 4, 7), time(1, 45), datetime(2024, 4, 6, 14, 45, tzinfo=UTC), "fold"),
    (LORD_HOWE, date(2024, 4, 7), time(2, 0), datetime(2024, 4, 6, 15, 30, tzinfo=UTC), "after"),
    # India has no DST and a half-hour offset; its midnight is the previous UTC day.
    (KOLKATA, date(2024, 6, 3), time(9, 0), datetime(2024, 6, 3, 3, 30, tzinfo=UTC), "plain"),
    (KOLKATA, date(2024, 6, 3), time(0, 0), datetime(2024, 6, 2, 18, 30, tzinfo=UTC), "plain"),
]


@pytest.mark.parametrize(
    ("tz", "day", "at", "expected", "where"),
    RESOLVE_CASES,
    ids=[f"{c[0].key}-{c[1]}-{c[2]:%H%M}-{c[4]}" for c in RESOLVE_CASES],
)
def test_resolve_local(tz: ZoneInfo, day: date, at: time, expected: datetime, where: str) -> None:
    got = resolve_local(day, at, tz)
    assert got.tzinfo is tz
    assert utc(got) == expected
    assert is_real_local_time(got)
    if where == "gap":
        # The first valid instant after the gap: a second earlier, the wall clock is before it.
        assert wall(got) > datetime.combine(day, at)
        assert wall(seconds_before(got, 1, tz)) < datetime.combine(day, at)
    else:
        assert wall(got) == datetime.combine(day, at)
    if where == "fold":
        # The earlier occurrence: the same wall time comes round again later.
        later = datetime.combine(day, at).replace(tzinfo=tz, fold=1)
        assert utc(later) > utc(got)
        assert got.fold == 0


def transition_instants(tz: ZoneInfo, first_year: int, last_year: int) -> tuple[datetime, ...]:
    """The UTC instants at which ``tz`` changes its offset, found by a daily scan and bisection."""
    found: list[datetime] = []
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment < end:
        following = moment + timedelta(days=1)
        if following.astimezone(tz).utcoffset() != offset:
            lo, hi = moment, following
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == offset:
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
            offset = following.astimezone(tz).utcoffset()
        moment = following
    return tuple(found)


@cache
def transitions(tz: ZoneInfo) -> tuple[datetime, ...]:
    return transition_instants(tz, 2024, 2030)


def test_the_zones_have_the_transitions_the_cases_rely_on() -> None:
    assert len(transitions(NEW_YORK)) == 14
    assert len(transitions(PARIS)) == 14
    assert len(transitions(SANTIAGO)) == 14
    assert len(transitions(LORD_HOWE)) == 14
    assert transitions(KOLKATA) == ()
    for tz in (CHATHAM, HAVANA, BEIRUT, CASABLANCA, TROLL, DUBLIN, ST_JOHNS):
        assert transitions(tz), tz
    assert transitions(KIRITIMATI) == transitions(PAGO_PAGO) == ()


ZONES = (NEW_YORK, PARIS, SANTIAGO, LORD_HOWE, KOLKATA, *UNUSUAL_ZONES)


@st.composite
def local_days(draw: st.DrawFn, tz: ZoneInfo) -> date:
    """A local date of 2024-2030, often one on which the clocks change."""
    near = transitions(tz)
    close_to_a_change: bool = draw(st.booleans())
    if near and close_to_a_change:
        moment = draw(st.sampled_from(near)).astimezone(tz)
        return moment.date() + timedelta(days=draw(st.integers(-1, 1)))
    return draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))


zoned_days = st.sampled_from(ZONES).flatmap(lambda tz: st.tuples(st.just(tz), local_days(tz)))


@given(place=zoned_days, at=st.times().map(lambda t: t.replace(fold=0)))
@example(place=(SANTIAGO, date(2024, 9, 8)), at=time(0, 0)).via("the day without local midnight")
@example(place=(LORD_HOWE, date(2024, 4, 7)), at=time(1, 45)).via("a half-hour fold")
def test_resolve_local_is_a_real_time_at_or_just_after_the_wall_time(
    place: tuple[ZoneInfo, date], at: time
) -> None:
    tz, day = place
    naive = datetime.combine(day, at)
    got = resolve_local(day, at, tz)
    assert is_real_local_time(got)
    if exists(naive, tz):
        # It is the wall time asked for, at its earlier occurrence.
        assert wall(got) == naive
        readings = {naive.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)}
        real = [r for r in readings if wall(r.astimezone(tz)) == naive]
        assert utc(got) == min(real)
    else:
        # Inside a gap: the instant the gap ends (the wall clock jumps past ``naive`` there).
        assert wall(got) > naive
        assert wall(seconds_before(got, 1, tz)) < naive
        assert got.microsecond == 0


@pytest.mark.parametrize(
    ("tz", "day", "at", "expected"),
    [
        (SANTIAGO, date(2024, 9, 8), time(0, 0), datetime(2024, 9, 8, 4, 0, tzinfo=UTC)),
        (NEW_YORK, date(2024, 3, 10), time(2, 30), datetime(2024, 3, 10, 7, 0, tzinfo=UTC)),
        (NEW_YORK, date(2024, 11, 3), time(1, 30), datetime(2024, 11, 3, 5, 30, tzinfo=UTC)),
        (LORD_HOWE, date(2024, 4, 7), time(1, 45), datetime(2024, 4, 6, 14, 45, tzinfo=UTC)),
    ],
    ids=["santiago-gap", "new-york-gap", "new-york-fold", "lord-howe-fold"],
)
def test_resolve_local_ignores_a_fold_flag_on_the_time(
    tz: ZoneInfo, day: date, at: time, expected: datetime
) -> None:
    """A ``time`` may carry ``fold=1`` (``datetime.time()`` of a second occurrence does); the
    rule is still the first instant after a gap and the earlier occurrence in a fold."""
    assert utc(resolve_local(day, at.replace(fold=1), tz)) == expected


@cache
def zone_calendar(tz: ZoneInfo) -> ContactCalendar:
    return ContactCalendar(Policy(), tz.key, None, None)


@given(place=zoned_days, at=st.times(), fold=st.integers(0, 1))
@example(place=(BEIRUT, date(2024, 10, 26)), at=time(23, 30), fold=1).via("its last hour twice")
def test_end_of_day_is_the_last_second_of_the_local_day_in_utc(
    place: tuple[ZoneInfo, date], at: time, fold: int
) -> None:
    """The R6 email's deadline, remembered per day: the same as asking the wall clock, for
    either reading of a repeated hour (Beirut repeats 23:00-24:00 when it falls back)."""
    tz, day = place
    cal = zone_calendar(tz)
    for reading in (1 - fold, fold):  # the other reading first: remembered apart
        local = datetime.combine(day, at.replace(fold=reading), tz)
        expected = local.replace(hour=23, minute=59, second=59, microsecond=0).astimezone(UTC)
        assert cal.end_of_day(local) == expected


def test_end_of_day_tells_the_two_readings_of_a_repeated_last_hour_apart() -> None:
    cal = zone_calendar(BEIRUT)
    first, second = (datetime(2024, 10, 26, 23, 30, fold=f, tzinfo=BEIRUT) for f in (0, 1))
    assert cal.end_of_day(first) == datetime(2024, 10, 26, 20, 59, 59, tzinfo=UTC)
    assert cal.end_of_day(second) == datetime(2024, 10, 26, 21, 59, 59, tzinfo=UTC)


# -- next_window ---------------------------------------------------------------------------------

NIGHT_OWL = Policy(
    weekmask="1111111",
    call_slots=(
        TimeSlot(name="midnight", start=time(0, 0), end=time(0, 45)),
        TimeSlot(name="small hours", start=time(1, 0), end=time(2, 15)),
        TimeSlot(name="before dawn", start=time(2, 15), end=time(3, 0)),
        TimeSlot(name="day", start=time(9, 0), end=time(17, 0)),
        TimeSlot(name="evening", start=time(17, 0), end=time(21, 30)),
        TimeSlot(name="late", start=time(23, 15), end=time(23, 59)),
    ),
)
"""Calls every day, in slots whose edges fall in the DST gaps and folds of the zones below."""

SUN_TO_THU = Policy(
    weekmask="1111001",
    call_slots=NIGHT_OWL.call_slots,
    extra_holidays=frozenset({date(2024, 12, 31), date(2026, 3, 8), date(2027, 1, 3)}),
)
"""The night owl's hours on a Sunday-to-Thursday week, with team holidays of its own."""

DEFAULT = Policy()

# (zone, country, subdivision): the prospect's place.
PLACES: dict[str, tuple[ZoneInfo, str, str | None]] = {
    "new-york": (NEW_YORK, "US", "NY"),
    "paris": (PARIS, "FR", None),
    "santiago": (SANTIAGO, "CL", None),
    "lord-howe": (LORD_HOWE, "AU", "NSW"),
    "kolkata": (KOLKATA, "IN", None),
    "chatham": (CHATHAM, "NZ", None),
    "havana": (HAVANA, "CU", None),
    "beirut": (BEIRUT, "LB", None),
    "casablanca": (CASABLANCA, "MA", None),
    "troll": (TROLL, "AQ", None),
    "dublin": (DUBLIN, "IE", None),
    "kiritimati": (KIRITIMATI, "KI", None),
    "pago-pago": (PAGO_PAGO, "US", "AS"),  # a US territory: the federal calling hours
    "st-johns": (ST_JOHNS, "CA", "NL"),  # Canada's calling hours, at -3:30
}


def calendar_for(policy: Policy, place: str) -> ContactCalendar:
    tz, country, subdivision = PLACES[place]
    return contact_calendar(policy, tz.key, country, subdivision)


@st.composite
def instants(draw: st.DrawFn, tz: ZoneInfo) -> datetime:
    """An instant of 2024-2030, often within two days of a DST change in ``tz``."""
    near = transitions(tz)
    close_to_a_change: bool = draw(st.booleans())
    if near and close_to_a_change:
        base = draw(st.sampled_from(near))
        return base + timedelta(seconds=draw(st.integers(-2 * 86400, 2 * 86400)))
    naive = draw(st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31)))
    return naive.replace(tzinfo=UTC)


def allowed_pieces(
    cal: ContactCalendar, day: date
) -> Iterator[tuple[int, datetime, datetime, tuple[time, time]]]:
    """The model: each call slot intersected with the legal windows of ``day``, as instants."""
    if not cal.days.is_business_day(day):
        return
    rules = cal.rules(Channel.PHONE, day)
    for index, slot in enumerate(cal.policy.call_slots):
        pieces = allowed_windows(rules, day.weekday(), ((slot.start, slot.end),))
        for a, b in pieces:
            start, end = resolve_local(day, a, cal.zone), resolve_local(day, b, cal.zone)
            if utc(start) < utc(end):
                yield index, start, end, (a, b)


def expected_window(
    cal: ContactCalendar, after: datetime, min_date: date | None, avoid: int | None
) -> tuple[datetime, datetime, int]:
    """The first piece ending after ``after`` (skipping the avoided slot): a plain linear scan.
    Returns (start, end, slot index), the instants in UTC."""
    day = cal.local(after).date()
    if min_date is not None and min_date > day:
        day = min_date
    for _ in range(30):
        for index, start, end, _hours in allowed_pieces(cal, day):
            if utc(end) > utc(after) and index != avoid:
                return max(utc(start), utc(after)), utc(end), index
        day += timedelta(days=1)
    raise AssertionError("no window within 30 days")


def check_window(
    cal: ContactCalendar,
    window: Window,
    after: datetime,
    min_date: date | None = None,
    avoid: int | None = None,
) -> None:
    """Every promise ``next_window`` makes about the window it returns."""
    start, end = window.start, window.end
    assert utc(start) >= utc(after)
    assert utc(start) < utc(end)
    assert start.tzinfo is cal.zone
    assert end.tzinfo is cal.zone
    assert is_real_local_time(start), f"{start} is not a real local time"
    assert is_real_local_time(end), f"{end} is not a real local time"
    day = start.date()
    if min_date is not None:
        assert day >= min_date
    assert cal.days.is_business_day(day)
    assert window.slot_index is not None
    assert window.slot_index != avoid
    slot = cal.policy.call_slots[window.slot_index]
    assert window.slot == slot.name
    # Inside one of the slot's legal pieces, as instants ...
    pieces = [p for p in allowed_pieces(cal, day) if p[0] == window.slot_index]
    inside = [p for p in pieces if utc(p[1]) <= utc(start) < utc(p[2])]
    assert inside, f"{start} is in no legal piece of slot {slot.name!r}: {pieces}"
    _, _, piece_end, (a, b) = inside[0]
    assert utc(end) == utc(piece_end)
    # ... and on the wall clock, unless the start is the second occurrence of a folded hour.
    if start.fold == 0:
        assert a <= start.time() < b, f"{start:%H:%M} is outside {a:%H:%M}-{b:%H:%M}"
    rules = cal.rules(Channel.PHONE, day)
    assert window.bounded_by == ("policy", *(r.key() for r in rules))


WindowCase = tuple[str, Policy, datetime, int | None, int | None]
"""(place, policy, after, the slot to avoid, how many days after ``after`` the min_date is)."""


@st.composite
def window_cases(draw: st.DrawFn, written_in_local: bool) -> WindowCase:
    place = draw(st.sampled_from(sorted(PLACES)))
    policy = draw(st.sampled_from([NIGHT_OWL, DEFAULT, SUN_TO_THU]))
    tz = PLACES[place][0]
    after = draw(instants(tz))
    if written_in_local:
        after = after.astimezone(tz)  # the same instant; astimezone sets ``fold`` in a fold
    avoid = draw(st.none() | st.integers(0, len(policy.call_slots) - 1))
    min_days = draw(st.none() | st.integers(0, 5))
    return place, policy, after, avoid, min_days


def check_next_window(case: WindowCase) -> None:
    place, policy, after, avoid, min_days = case
    cal = calendar_for(policy, place)
    min_date = None if min_days is None else cal.local(after).date() + timedelta(days=min_days)
    name = None if avoid is None else policy.call_slots[avoid].name  # R4 avoids by name
    window = cal.next_window(Channel.PHONE, after, min_date=min_date, avoid_slot=name)
    check_window(cal, window, after, min_date, avoid)
    start, end, index = expected_window(cal, after, min_date, avoid)
    assert (utc(window.start), utc(window.end), window.slot_index) == (start, end, index)
    # The answer depends on the question alone: asked again, and of a calendar that has never
    # answered anything (no day, rule or instant remembered), it is the same window.
    tz, country, subdivision = PLACES[place]
    fresh = ContactCalendar(policy, tz.key, country, subdivision)
    for again in (cal, fresh):
        assert again.next_window(Channel.PHONE, after, min_date=min_date, avoid_slot=name) == window


@given(case=window_cases(written_in_local=False))
def test_next_window_starts_at_a_real_local_time_inside_a_legal_slot(case: WindowCase) -> None:
    """``after`` in UTC, as the engine stores every instant."""
    check_next_window(case)


FOLD_AFTER = datetime(2024, 4, 6, 23, 30, fold=1, tzinfo=SANTIAGO)
"""The second 23:30 of Saturday 6 April 2024 in Santiago (03:30 UTC), after the late slot
23:15-23:59 of its first occurrence (02:15-02:59 UTC) has ended."""


@given(case=window_cases(written_in_local=True))
@example(case=("santiago", NIGHT_OWL, FOLD_AFTER, None, None)).via("second occurrence")
@example(case=("santiago", NIGHT_OWL, FOLD_AFTER.replace(minute=0), None, None)).via("at fold")
def test_next_window_is_the_same_when_after_is_written_in_local_time(case: WindowCase) -> None:
    """The same instants written in the prospect's zone: a fold's second occurrence is later."""
    check_next_window(case)


@pytest.mark.parametrize(
    ("place", "after", "start"),
    [
        # Santiago's 00:00 does not exist on 8 Sep 2024: the midnight slot is all gap, so the
        # first window is the small hours from 01:00 -03.
        (
            "santiago",
            datetime(2024, 9, 7, 23, 59, tzinfo=SANTIAGO),
            datetime(2024, 9, 8, 4, 0, tzinfo=UTC),
        ),
        # The Saturday before the fall-back: the late slot 23:15-23:59 is the first occurrence.
        (
            "santiago",
            datetime(2024, 4, 6, 23, 0, tzinfo=SANTIAGO),
            datetime(2024, 4, 7, 2, 15, tzinfo=UTC),
        ),
        # Lord Howe springs from 02:00 to 02:30. The small hours (01:00-02:15) end in the gap,
        # so at 02:30 +11: 01:59 +10:30 is still inside them. "Before dawn" (02:15-03:00)
        # starts in the gap, so at 02:30 +11.
        (
            "lord-howe",
            datetime(2024, 10, 6, 1, 59, tzinfo=LORD_HOWE),
            datetime(2024, 10, 5, 15, 29, tzinfo=UTC),
        ),
        (
            "lord-howe",
            datetime(2024, 10, 6, 2, 30, tzinfo=LORD_HOWE),
            datetime(2024, 10, 5, 15, 30, tzinfo=UTC),
        ),
        # New York: the legal window, not the clocks, decides: the small hours are cut, and the
        # day slot opens at 09:00 EDT on the spring-forward day, 09:00 EST on the fall-back day.
        (
            "new-york",
            datetime(2024, 3, 10, 1, 30, tzinfo=NEW_YORK),
            datetime(2024, 3, 10, 13, 0, tzinfo=UTC),
        ),
        (
            "new-york",
            datetime(2024, 11, 3, 1, 30, tzinfo=NEW_YORK),
            datetime(2024, 11, 3, 14, 0, tzinfo=UTC),
        ),
        # Kolkata: 09:00 IST is 03:30 UTC.
        (
            "kolkata",
            datetime(2024, 6, 3, 8, 0, tzinfo=KOLKATA),
            datetime(2024, 6, 3, 3, 30, tzinfo=UTC),
        ),
        # Havana and Beirut spring from a Saturday's 23:59:59 to the Sunday's 01:00: the
        # midnight slot is all gap, the small hours open at 01:00.
        (
            "havana",
            datetime(2024, 3, 9, 23, 59, tzinfo=HAVANA),
            datetime(2024, 3, 10, 5, 0, tzinfo=UTC),
        ),
        (
            "beirut",
            datetime(2024, 3, 30, 23, 59, tzinfo=BEIRUT),
            datetime(2024, 3, 30, 22, 0, tzinfo=UTC),
        ),
        # Havana falls back from 01:00 to 00:00: the midnight slot is its first occurrence, so
        # at the second 00:50 it is over and the small hours open at 01:00 -05.
        (
            "havana",
            datetime(2024, 11, 3, 0, 50, fold=1, tzinfo=HAVANA),
            datetime(2024, 11, 3, 6, 0, tzinfo=UTC),
        ),
        # Chatham falls back from 03:45 +13:45 to 02:45 +12:45: "before dawn" (02:15-03:00)
        # ends at the first 03:00, so the second 02:50 is after it; the day opens at 09:00.
        (
            "chatham",
            datetime(2024, 4, 7, 2, 50, fold=1, tzinfo=CHATHAM),
            datetime(2024, 4, 6, 20, 15, tzinfo=UTC),
        ),
        # Troll springs two hours, from 01:00 to 03:00: both night slots are gap.
        (
            "troll",
            datetime(2024, 3, 31, 0, 59, tzinfo=TROLL),
            datetime(2024, 3, 31, 7, 0, tzinfo=UTC),
        ),
        # Casablanca returns to +01 after Ramadan, from 02:00 to 03:00: the small hours end
        # where the gap does, "before dawn" is all gap.
        (
            "casablanca",
            datetime(2024, 4, 14, 3, 0, tzinfo=CASABLANCA),
            datetime(2024, 4, 14, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_next_window_around_the_clock_changes(place: str, after: datetime, start: datetime) -> None:
    cal = calendar_for(NIGHT_OWL, place)
    window = cal.next_window(Channel.PHONE, after)
    check_window(cal, window, after)
    assert utc(window.start) == start


def test_next_window_on_the_new_york_clock_change_days_opens_at_9_local() -> None:
    cal = calendar_for(NIGHT_OWL, "new-york")
    spring = cal.next_window(Channel.PHONE, datetime(2024, 3, 10, 0, 0, tzinfo=NEW_YORK))
    fall = cal.next_window(Channel.PHONE, datetime(2024, 11, 3, 0, 0, tzinfo=NEW_YORK))
    assert (spring.start.time(), spring.start.utcoffset()) == (time(9), timedelta(hours=-4))
    assert (fall.start.time(), fall.start.utcoffset()) == (time(9), timedelta(hours=-5))
    assert spring.bounded_by == ("policy", "us-federal@1992-12-20")


@pytest.mark.parametrize(
    "written_in", [UTC, PARIS], ids=["instants-in-utc", "instants-in-paris-time"]
)
def test_elapsed_time_cap_counts_elapsed_time_across_dst(written_in: ZoneInfo) -> None:
    """France: at most 4 calls per 30 days. Four calls in the first week of March 2026 (CET)
    hold the fifth until 30 x 24 hours after the first: 11:00 CEST on 1 April, not 10:00 (the
    clocks went forward on 29 March). The instants mean the same whichever zone they are written
    in; the engine stores them in UTC, a host calling the calendar may not."""
    cal = calendar_for(DEFAULT, "paris")
    calls = tuple(
        datetime(2026, 3, d, 10, 0, tzinfo=PARIS).astimezone(written_in) for d in (2, 3, 4, 5)
    )
    after = datetime(2026, 3, 6, 10, 0, tzinfo=PARIS).astimezone(written_in)
    window = cal.next_window(Channel.PHONE, after, recent=calls)
    assert utc(window.start) == utc(calls[0]) + timedelta(days=30)
    assert utc(window.start) == datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    assert window.start.time() == time(11, 0)
    assert window.bounded_by == ("policy", "fr@2023-03-01")


# -- no slot -------------------------------------------------------------------------------------

NO_SLOT_CASES = [
    # Calling hours wholly before the US federal 08:00.
    (
        Policy(call_slots=(TimeSlot(name="dawn", start=time(6), end=time(7, 59)),)),
        "new-york",
        "06:00-07:59",
    ),
    # Sunday-only calling in France, where the law allows weekdays only.
    (Policy(weekmask="0000001"), "paris", "'0000001'"),
    # France's lunch break is the only slot.
    (
        Policy(call_slots=(TimeSlot(name="lunch", start=time(13), end=time(14)),)),
        "paris",
        "13:00-14:00",
    ),
]


@pytest.mark.parametrize(("policy", "place", "named"), NO_SLOT_CASES)
def test_a_policy_that_leaves_no_slot_is_a_typed_error_naming_the_windows(
    policy: Policy, place: str, named: str
) -> None:
    cal = calendar_for(policy, place)
    began = clock.perf_counter()
    with pytest.raises(NoSlotError) as caught:
        cal.next_window(Channel.PHONE, datetime(2026, 3, 2, 9, 0, tzinfo=cal.zone))
    assert clock.perf_counter() - began < 2.0, "searching for a slot must stop, and soon"
    message = str(caught.value)
    assert named in message
    for slot in policy.call_slots:
        assert f"{slot.start:%H:%M}-{slot.end:%H:%M}" in message
    assert isinstance(caught.value, cadence.CadenceError)
    assert isinstance(caught.value, ValueError)


def test_the_engine_raises_no_slot_rather_than_loop() -> None:
    policy = NO_SLOT_CASES[0][0]
    engine = cadence.Engine(policy)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)
    p = engine.enroll("early-bird", timezone="America/New_York", at=now, country="US")
    with pytest.raises(NoSlotError, match="06:00-07:59"):
        engine.next_action(p, now=now)


@given(
    region=regions(),
    n=st.integers(0, 15),
    until=any_instants(),
    at_midnight=st.booleans(),
    offsets=st.lists(
        st.sampled_from([timedelta(0), -timedelta(microseconds=1)])
        | st.integers(-40 * 24 * 60, 5 * 24 * 60).map(lambda m: timedelta(minutes=m)),
        min_size=1,
        max_size=6,
    ),
)
# Samoa skipped Friday 30 December 2011 (it crossed the date line): a one-day gap from the
# Thursday ends on that day, which starts where the Saturday does.
@example(
    region=Region("Pacific/Apia", "WS"),
    n=1,
    until=datetime(2011, 12, 30, 10, tzinfo=UTC),
    at_midnight=False,
    offsets=[-timedelta(hours=12)],
)
def test_one_instant_decides_whether_a_business_day_gap_reaches_a_horizon(
    region: Region, n: int, until: datetime, at_midnight: bool, offsets: list[timedelta]
) -> None:
    """``gap_reaches(n, until)`` is the threshold a planner compares instants with (R3's gap
    from the last attempt, R10's wait after the breakup): the gap counted from ``x`` ends on a
    day starting at or after ``until`` exactly when ``x`` is at or after it. Checked at the
    threshold, a microsecond before it, and around it, for horizons at a local midnight (what
    a planner asks) and anywhere, and where the zone skipped a whole date."""
    cal = contact_calendar(Policy(), region.timezone, region.country, region.subdivision)
    if at_midnight:
        until = cal.start_of(cal.local(until).date())
    threshold = cal.gap_reaches(n, until)
    for offset in offsets:
        x = threshold + offset
        reaches = cal.start_of(cal.business_date_after(x, n)) >= until
        assert reaches == (x >= threshold), (x, threshold, until)


@pytest.mark.parametrize(
    ("at", "slot"),
    [
        (time(9, 30), "morning"),
        (time(7, 0), "morning"),  # before every slot: the first
        (time(11, 59), "morning"),
        (time(12, 0), "morning"),  # as far from either: the earlier
        (time(12, 1), "afternoon"),
        (time(15, 0), "afternoon"),  # the end is outside the slot, but nearest it
        (time(22, 0), "afternoon"),
    ],
)
def test_a_call_outside_every_slot_belongs_to_the_nearest_one(at: time, slot: str) -> None:
    """R4 rotates away from the last call's part of the day, also when the call was made
    outside the policy's hours (the law allowed it): it belongs to the slot nearest in local
    wall time, the earlier one when two are as near."""
    policy = Policy(
        call_slots=(
            TimeSlot(name="morning", start=time(9), end=time(11)),
            TimeSlot(name="afternoon", start=time(13), end=time(15)),
        )
    )
    cal = contact_calendar(policy, "America/New_York", "US", None)
    assert cal.slot_of(datetime.combine(date(2026, 3, 3), at, tzinfo=NEW_YORK)) == slot


def test_the_shared_calendars_of_many_policies_do_not_accumulate() -> None:
    """A planning process that meets many policies (one per team, or a policy edited and
    reloaded each night) kept every policy's calendars, and each calendar's answers, for the
    life of the process: the shared caches keep the most recently used ones."""
    contact_calendar.cache_clear()
    for days in range(1, 1200):
        contact_calendar(Policy(event_id_memory_days=days), "America/Chicago", "US", "IL")
    assert contact_calendar.cache_info().currsize <= CALENDARS_KEPT
    contact_calendar.cache_clear()


@given(
    zone_name=st.sampled_from(("America/New_York", "Europe/Paris", "Australia/Sydney")),
    base=any_instants(("America/New_York", "Europe/Paris", "Australia/Sydney")),
    order=st.lists(st.tuples(st.integers(0, 6), st.sampled_from("same utc pendulum")), max_size=20),
)
def test_local_is_astimezone_whatever_was_asked_before(
    zone_name: str, base: datetime, order: list[tuple[int, str]]
) -> None:
    """``local`` remembers its last conversion: any instant, asked again as the same object,
    as an equal instant in another zone, or as pendulum's datetime, and its neighbours (an
    hour apart, the other reading of a repeated hour, the same wall time in another zone),
    get what ``astimezone`` gives (the same wall time, fold, zone and class; a zoned datetime
    compares by wall time alone, so each is compared by its parts)."""
    import pendulum

    cal = ContactCalendar(Policy(), zone_name, None, None)
    tz = ZoneInfo(zone_name)
    hour = timedelta(hours=1)
    moments = [
        base,
        base.astimezone(tz),
        base.replace(fold=1 - base.fold),
        (base.astimezone(UTC) + hour).astimezone(tz),
        (base.astimezone(UTC) - hour).astimezone(tz),
        base.replace(tzinfo=tz),
        base.replace(tzinfo=UTC),
    ]

    def parts(moment: datetime) -> tuple[object, ...]:
        return (moment.replace(tzinfo=None), moment.fold, moment.tzinfo, type(moment))

    for i, how in [*order, *((i, "same") for i in range(len(moments)))]:
        moment = moments[i]
        if how == "utc":
            moment = moment.astimezone(UTC)
        elif how == "pendulum":
            moment = pendulum.instance(moment.astimezone(UTC)).in_timezone(zone_name)
        assert parts(cal.local(moment)) == parts(moment.astimezone(tz)), (moment, how)
