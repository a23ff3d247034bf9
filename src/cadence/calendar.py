"""The calendar seam: "when is the next allowed moment to contact this prospect on this channel?"

Every due time the engine returns goes through :meth:`ContactCalendar.next_window`. It knows the
prospect's IANA zone, the policy's business days (weekmask, holidays of the prospect's and the
team's regions, custom dates) and hours, the R4 time-of-day slots, and the legal calling rules of
the prospect's jurisdiction (:mod:`cadence.compliance`), intersected so that the strictest wins.

Semantics (DESIGN §4): windows are half-open ``[start, end)`` in local wall-clock time; a local
boundary inside a DST gap resolves to the first valid instant after the gap, inside a fold to the
earlier occurrence; local midnight is never assumed to exist (a day is walked by dates, never by
adding 24 hours). Elapsed-time caps use elapsed time.

What depends only on (calendar, date, channel) is computed once per calendar and cached.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cadence._day_parts import phone_day
from cadence._zones import example_zone, fits, home_country, law_place, zone_countries
from cadence.businessdays import BusinessDays, business_days, check_region, holiday_dates
from cadence.channel import Channel
from cadence.compliance import (
    TERRITORIES,
    CallingRule,
    Cap,
    _place,
    allowed_windows,
    applicable_rules,
    ever_bound,
    ever_capped,
    strictest_caps,
    with_presets,
)
from cadence.errors import InvalidInputError, NoSlotError
from cadence.policy import Policy

__all__ = [
    "CALENDARS_KEPT",
    "ContactCalendar",
    "Window",
    "check_place",
    "contact_calendar",
    "holiday_place",
    "resolve_local",
    "rule_holiday",
    "zone",
]

_SEARCH_DAYS = 400  # more than a year: a policy that finds nothing in it has no slot at all
_AVOID_DAYS = 31  # R4: look this far for another part of the day before giving up on rotation
# Enum members read on the hot path, bound to module names: on Python 3.11 every
# ``Stage.NEW``-style read goes through ``EnumType.__getattr__``'s slot, about 70 ns, ten
# times a global (3.12 dropped the hook). See docs/performance.md.
_MEETING, _PHONE = Channel.MEETING, Channel.PHONE


class Window(NamedTuple):
    """An allowed contact window: ``[start, end)``, aware, in the prospect's zone."""

    start: datetime
    end: datetime
    slot: str | None
    """The policy's name for this part of the day ("morning"), for R4 and talking points."""
    slot_index: int | None
    bounded_by: tuple[str, ...]
    """The rule sets that bound it: ``policy`` and each legal rule as ``id@version``."""
    start_utc: datetime | None = None
    """``start`` in UTC (set by :meth:`ContactCalendar.next_window`): comparing it with other
    UTC instants is some twenty times cheaper than comparing a zoned time with one."""
    end_utc: datetime | None = None
    """``end`` in UTC (set by :meth:`ContactCalendar.next_window`)."""


#: Files of the zone database that are not a place's zone: ``localtime`` is the server's own
#: (``/etc/localtime``), ``Factory`` says "zone unknown" and runs as UTC, ``posixrules`` is a
#: default for POSIX TZ strings. (``right/`` zones count leap seconds: wrong offsets.)
_NOT_A_PLACE = frozenset({"localtime", "Factory", "posixrules"})


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``, or a clear error (never the server's zone)."""
    if not isinstance(name, str) or not name or name != name.strip():
        msg = f"timezone: {name!r} is not an IANA zone name; use e.g. 'America/New_York'"
        raise InvalidInputError(msg, field="timezone", value=name)
    if name in _NOT_A_PLACE or name.startswith("right/"):
        msg = (
            f"timezone: {name!r} names no place (the server's zone, an unknown one, or leap "
            "seconds); give the prospect's IANA zone, e.g. 'America/New_York'"
        )
        raise InvalidInputError(msg, field="timezone", value=name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        msg = f"timezone: {name!r} is not an IANA zone name; use e.g. 'America/New_York'"
        raise InvalidInputError(msg, field="timezone", value=name) from None


def check_place(
    policy: Policy, timezone: str, country: str | None, subdivision: str | None
) -> None:
    """Raise a clear error unless a prospect's place can be planned: an IANA zone, a region
    the ``holidays`` package knows, and, where a legal rule (shipped or the policy's) binds
    calls to that region, a zone of it (DESIGN §5: the rules bind in local time, so a CRM's
    default ``UTC`` for a Florida prospect would start calls at 05:00 in Miami). Checked
    whether or not ``legal_guards`` is on: a team that applies the rules elsewhere applies
    them in the local time cadence gives it."""
    zone(timezone)
    check_region(country, subdivision, field="country")
    if country is None or fits(timezone, country, subdivision):
        return
    rules = with_presets(policy.calling_rules)
    if not ever_bound(country, subdivision, rules):
        return
    where = "-".join(code for code in _place(country, subdivision) if code)
    if zone_countries(timezone):
        what = f"{timezone!r} is not a zone of {where}"
    else:
        what = f"{timezone!r} is the zone of no country"
    example = example_zone(country, subdivision)
    msg = (
        f"timezone: {what}, and the calling laws of {where} bind in the prospect's local time; "
        "give the prospect's local zone"
        + (f", e.g. {example!r}" if example else "")
        + " (a stored prospect takes it in a contact_updated event)"
    )
    raise InvalidInputError(msg, field="timezone", value=timezone)


def resolve_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant of local wall time ``day at`` in ``tz`` (aware, in ``tz``).

    Inside a fold: the earlier occurrence. Inside a gap: the first valid instant after the gap.
    """
    # (Built with ``combine`` and compared by parts: ``replace`` costs twice as much.)
    wall = at if at.tzinfo is None and not at.fold else at.replace(tzinfo=None, fold=0)
    utc = datetime.combine(day, wall, tz).astimezone(UTC)
    back = utc.astimezone(tz)
    if back.time() == wall and back.date() == day:
        return back
    naive = datetime.combine(day, wall)
    # In a gap: the wall time does not exist. The transition instant lies between the two
    # readings of it (PEP 495); find the first instant whose wall time is at or after ``naive``.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = utc
    if lo > hi:
        lo, hi = hi, lo
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    if lo.astimezone(tz).replace(tzinfo=None) >= naive:
        hi = lo
    return hi.replace(microsecond=0).astimezone(tz)


_MIDNIGHT = time(0)


def _wall(at: time) -> int:
    """Microseconds of local wall time since midnight (R4's distance to a slot)."""
    return ((at.hour * 60 + at.minute) * 60 + at.second) * 1_000_000 + at.microsecond


_DAY = timedelta(days=1)
_Cached = tuple[datetime, datetime, str, Window]
"""One interval of a day's windows: its start and end in UTC, its slot's name, the window."""


class ContactCalendar:
    """Where contact is allowed for one (policy, zone, country, subdivision).

    Build it with :func:`contact_calendar` so that calendars and their caches are shared.
    """

    def __init__(
        self, policy: Policy, timezone: str, country: str | None, subdivision: str | None
    ) -> None:
        self.policy = policy
        self.timezone = timezone
        self.zone = zone(timezone)
        self.country = country
        self.subdivision = subdivision
        regions: list[tuple[str, str | None]] = []
        if country:
            regions.append((country, subdivision))
        if policy.team_country:
            regions.append((policy.team_country, policy.team_subdivision))
        self.days: BusinessDays = business_days(
            policy.weekmask, tuple(regions), policy.extra_holidays
        )
        default = {
            Channel.PHONE: tuple((s.start, s.end, s.name) for s in policy.call_slots),
            Channel.EMAIL: tuple((s.start, s.end, s.name) for s in policy.email_hours),
            Channel.MEETING: (),
        }
        # Per channel, per weekday (Monday first): the local slots (start, end, name). A
        # weekday's own calling hours are in the everyday parts of the day (R4, _day_parts).
        self._week: dict[Channel, tuple[tuple[tuple[time, time, str], ...], ...]] = {
            channel: tuple(
                next(
                    (
                        phone_day(w.slots, policy.call_slots)
                        if channel is _PHONE
                        else tuple((s.start, s.end, s.name) for s in w.slots)
                        for w in policy.weekday_hours
                        if w.weekday == weekday and w.channel == channel.value
                    ),
                    slots,
                )
                for weekday in range(7)
            )
            for channel, slots in default.items()
        }
        self._names = {
            channel: frozenset(n for day in week for _, _, n in day)
            for channel, week in self._week.items()
        }
        # The shipped legal rules, and the policy's own (``Policy.calling_rules``).
        self._legal = with_presets(policy.calling_rules)
        self.law = law_place(timezone, country, subdivision)
        """The place whose legal rules bind (DESIGN §5): the prospect's country and
        subdivision; without a country, the country its zone belongs to (an unknown place
        binds what is known of it, never nothing). Its business days stay the prospect's
        own: without a country, no holidays."""
        self._holidays_of = holiday_place(timezone, country, subdivision)
        # Whether any rule for this place ever caps contacts: most places have none, and then
        # the elapsed-time bookkeeping is skipped outright.
        self.capped = policy.legal_guards and ever_capped(*self.law, self._legal)
        """Whether any legal rule of this place caps contacts (else ``recent`` never matters)."""
        self._cache: dict[tuple[Channel, int], tuple[_Cached, ...]] = {}
        self._caps: dict[tuple[Channel, int], tuple[Cap, ...]] = {}
        self._rules: dict[tuple[Channel, int], tuple[CallingRule, ...]] = {}
        self._after: dict[tuple[datetime, int], date] = {}
        self._midnight: dict[date, datetime] = {}
        self._evening: dict[tuple[int, int], datetime] = {}
        self._reaches: dict[tuple[int, datetime], datetime] = {}
        self._last: tuple[datetime | None, datetime | None] = (None, None)
        """The last instant :meth:`local` converted, and its local time (see there)."""

    # -- dates -------------------------------------------------------------------------------
    def local(self, instant: datetime) -> datetime:
        """``instant`` in the prospect's zone.

        The last conversion of a UTC instant is remembered: a step asks it of one instant
        several times (a window search turns its floor into a local date, then a window that
        has begun starts at the floor's local time; every task placed from ``now``), and a
        zone's conversion costs several times the lookup. Only plain UTC datetimes: two of them
        are equal exactly when they are one instant (two wall times of one zone are compared
        by wall time, fold aside, so the two readings of a repeated hour would be "equal"),
        and a subclass's ``astimezone`` may make its own class. One pair, read and written
        whole: a thread that shares the calendar reads a consistent pair, or converts."""
        last, found = self._last
        if instant is last or (
            instant.tzinfo is UTC and type(instant) is datetime and instant == last
        ):
            return found  # type: ignore[return-value]
        found = instant.astimezone(self.zone)
        if instant.tzinfo is UTC and type(instant) is datetime:
            self._last = (instant, found)
        return found

    def add_business_days(self, day: date, n: int) -> date:
        """``numpy.busday_offset(day, n, roll="forward")`` in this calendar."""
        return self.days.offset(day, n)

    def business_date_after(self, instant: datetime, n: int) -> date:
        """The local date ``n`` business days after ``instant``'s local date (R3's gaps, R10's
        wait). Memoised: every ladder step asks it of the same last-attempt instant."""
        key = (instant, n)
        found = self._after.get(key)
        if found is None:
            found = self.days.offset(instant.astimezone(self.zone).date(), n)
            if len(self._after) > 65536:
                self._after.clear()
            self._after[key] = found
        return found

    def gap_reaches(self, n: int, until: datetime) -> datetime:
        """The first instant from which an ``n``-business-day gap reaches ``until``: for every
        instant ``x``, ``start_of(business_date_after(x, n)) >= until`` exactly when
        ``x >= gap_reaches(n, until)``. (A gap ends no earlier when counted from a later day,
        so one threshold decides it.) A planner asking many prospects about one horizon
        compares instants with it, instead of turning each into a local date. Memoised."""
        key = (n, until)
        found = self._reaches.get(key)
        if found is None:
            first = self.local(until).date()  # the first day that starts at or after until
            if self.start_of(first) < until:
                first += _DAY
            # A date the zone skipped (Samoa's 30 December 2011, when it crossed the date
            # line) starts where the next day does, so at or after ``until`` too: no instant
            # reads it, yet a gap can end on it.
            while self.start_of(first - _DAY) >= until:
                first -= _DAY
            # The last day whose gap ends before ``first``: a gap moves at least n days.
            day = first - timedelta(days=n + 1)
            while self.days.offset(day, n) >= first:
                day -= _DAY
            found = self.start_of(day + _DAY)
            if len(self._reaches) > 1024:
                self._reaches.clear()
            self._reaches[key] = found
        return found

    def start_of(self, day: date) -> datetime:
        """The first instant of local ``day`` (DST-safe: after a gap at midnight), in UTC,
        memoised."""
        found = self._midnight.get(day)
        if found is None:
            found = resolve_local(day, _MIDNIGHT, self.zone).astimezone(UTC)
            if len(self._midnight) > 8192:
                self._midnight.clear()
            self._midnight[day] = found
        return found

    def end_of_day(self, local: datetime) -> datetime:
        """23:59:59 on the local day of ``local`` (an instant in this zone), in UTC: the
        deadline of what is due "that day" (R6). Memoised per day, and per ``fold``, which
        the wall time keeps (a zone that repeats its last hour has two readings of it)."""
        key = (local.toordinal(), local.fold)
        found = self._evening.get(key)
        if found is None:
            found = local.replace(hour=23, minute=59, second=59, microsecond=0).astimezone(UTC)
            if len(self._evening) > 8192:
                self._evening.clear()
            self._evening[key] = found
        return found

    def slot_starts(self, channel: Channel, day: date) -> tuple[time, ...]:
        """The local start times of ``channel``'s slots on ``day`` (policy hours only)."""
        return tuple(start for start, _, _ in self._week[channel][day.weekday()])

    def hours(self, channel: Channel, day: date) -> tuple[tuple[time, time], ...]:
        """The local ``(start, end)`` of ``channel``'s slots on ``day`` (policy hours only)."""
        return tuple((start, end) for start, end, _ in self._week[channel][day.weekday()])

    def slot_of(self, instant: datetime) -> str | None:
        """The name of the call slot (R4's part of the day) that contains ``instant``. A call
        outside every slot (before or after the policy's hours, where the law allowed it)
        belongs to the nearest one in local wall time, the earlier of two as near; None only
        on a day without call slots."""
        local = self.local(instant)
        t = local.time()
        before: str | None = None  # the last slot that ended at or before ``t``
        ended = _MIDNIGHT
        for start, end, name in self._week[_PHONE][local.weekday()]:  # sorted, disjoint
            if t < start:
                if before is None or _wall(start) - _wall(t) < _wall(t) - _wall(ended):
                    return name
                return before
            if t < end:
                return name
            before, ended = name, end
        return before

    def rotates(self, channel: Channel) -> bool:
        """Whether ``channel`` has more than one part of the day to rotate between (R4)."""
        return len(self._names[channel]) > 1

    def rules(self, channel: Channel, day: date) -> tuple[CallingRule, ...]:
        """The legal rules that bind ``channel`` on ``day`` (none when guards are off)."""
        if not self.policy.legal_guards:
            return ()
        key = (channel, day.toordinal())
        found = self._rules.get(key)
        if found is None:
            found = applicable_rules(*self.law, channel, day, self._legal)
            if len(self._rules) > 8192:
                self._rules.clear()
            self._rules[key] = found
        return found

    # -- windows -----------------------------------------------------------------------------
    def _day(self, channel: Channel, ordinal: int) -> tuple[_Cached, ...]:
        """Cached per (channel, day): each interval in UTC (for fast comparisons with UTC
        instants), and the window it is (the answer, built once)."""
        key = (channel, ordinal)
        found = self._cache.get(key)
        if found is not None:
            return found
        day = date.fromordinal(ordinal)
        out: list[_Cached] = []
        if self.days.is_business_day(day):
            rules = self.rules(channel, day)
            closed = any(r.no_holidays for r in rules) and self._rule_holiday(rules, day)
            bounded = ("policy", *(r.key() for r in rules))
            for index, (start, end, name) in enumerate(
                () if closed else self._week[channel][day.weekday()]
            ):
                pieces = (
                    allowed_windows(rules, day.weekday(), ((start, end),))
                    if rules
                    else ((start, end),)
                )
                for a, b in pieces:
                    ls = resolve_local(day, a, self.zone)
                    le = resolve_local(day, b, self.zone)
                    if ls < le:
                        s, e = ls.astimezone(UTC), le.astimezone(UTC)
                        out.append((s, e, name, Window(ls, le, name, index, bounded, s, e)))
        result = tuple(out)
        if len(self._cache) > 8192:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _rule_holiday(self, rules: Sequence[CallingRule], day: date) -> bool:
        """Whether a rule that bans calls on public holidays bans ``day``: a holiday of the
        rule's own region, or of the place it binds (``self.law``: an overseas department
        bound by France's rule keeps its own holidays, whether the record gave the country
        or it came from the zone; the stricter reading of "jours fériés")."""
        return rule_holiday(rules, self._holidays_of, day)

    def next_window(
        self,
        channel: Channel,
        after: datetime,
        *,
        min_date: date | None = None,
        avoid_slot: str | None = None,
        recent: Sequence[datetime] = (),
    ) -> Window:
        """The first allowed window for ``channel`` that contains or follows ``after``.

        ``min_date`` is a local date it may not start before (a business-day gap, R3);
        ``avoid_slot`` a part of the day to skip (R4, ignored when the policy has only one,
        and given up when no other part of the day opens within a month: the window is then
        the first from ``min_date`` in any part of the day, its ``slot`` says which);
        ``recent`` the instants of earlier contacts on this channel, for elapsed-time caps.
        The window's ``start`` is never before ``after``. The meeting channel has no hours:
        its window is the rest of ``after``'s local day (a booked meeting's own task ends with
        the meeting; once it is over, the reminder to log it runs to the end of the day).
        """
        if channel is _MEETING:
            floor = after if after.tzinfo is UTC else after.astimezone(UTC)
            local = self.local(after)
            end = self.start_of(local.date() + _DAY)
            return Window(local, self.local(end), None, None, ("meeting",), floor, end)
        floor = after if after.tzinfo is UTC else after.astimezone(UTC)
        if not (recent and self.capped):
            return self._search(channel, floor, after, min_date, avoid_slot)
        while True:  # a cap is checked where the window starts: later calls count there too
            floor = max(floor, self._cap_floor(channel, floor, recent))
            window = self._search(channel, floor, after, min_date, avoid_slot)
            start = window.start.astimezone(UTC)
            if self._cap_floor(channel, start, recent) <= start:
                return window
            floor = start

    def _search(
        self,
        channel: Channel,
        floor: datetime,
        after: datetime,
        min_date: date | None,
        avoid_slot: str | None,
    ) -> Window:
        """The first allowed window that contains or follows the UTC instant ``floor``."""
        if min_date is not None and min_date.toordinal() > floor.toordinal():
            # A local date is within a day of the UTC date (Python holds every offset under
            # 24 hours): a gap that ends on the day after the UTC date, or later, ends on or
            # after the local date, and starts the search without converting.
            first = min_date.toordinal()
        else:
            first = self.local(floor).toordinal()
            if min_date is not None:
                first = max(first, min_date.toordinal())
        if avoid_slot is not None and len(self._names[channel]) > 1:
            found = self._scan(channel, floor, first, first + _AVOID_DAYS + 1, avoid_slot)
            if found is not None:
                return found
            # R4 is a preference: the law may leave only that part of the day. Then the
            # earliest window from the same first day, in any part of the day.
        found = self._scan(channel, floor, first, first + _SEARCH_DAYS, None)
        if found is not None:
            return found
        rules = self.rules(channel, self.local(floor).date())
        legal = ", ".join(f"{r.key()}: {r.hours()}" for r in rules)
        msg = (
            f"no allowed {channel.value} window within {_SEARCH_DAYS} days after "
            f"{after.isoformat()} in {self.timezone}: the policy's hours "
            f"{self._describe(channel)} on weekmask {self.policy.weekmask!r}"
            + (
                f" do not overlap the legal calling windows ({legal})"
                if legal
                else " leave no time"
            )
            + " once holidays are removed; widen the hours or the weekmask"
        )
        raise NoSlotError(msg, field="policy", value=self.policy.weekmask)

    def _scan(
        self, channel: Channel, floor: datetime, first: int, stop: int, avoid_slot: str | None
    ) -> Window | None:
        """The first window on the local days ``[first, stop)`` (ordinals) that contains or
        follows ``floor``, outside the part of the day ``avoid_slot``; None if there is none."""
        for ordinal in range(first, stop):
            for s, e, name, window in self._day(channel, ordinal):
                if e <= floor or name == avoid_slot:
                    continue
                if s >= floor:
                    return window
                _, end, _, index, bounded, _, _ = window  # (``_replace`` costs 2 µs)
                return Window(self.local(floor), end, name, index, bounded, floor, e)
        return None

    def runs_on(self, channel: Channel, end: datetime, until: datetime) -> datetime:
        """How far allowed time on ``channel`` runs on from ``end`` (UTC, a window's end) without
        a break, up to ``until`` (UTC): a window that starts where the last one ends (the next
        slot) continues it; a legal limit or the end of the policy's hours stops it. For R1's
        grace, which slots (R4's parts of the day) do not cut."""
        ordinal = self.local(end).toordinal()
        while end < until:
            for s, e, *_ in self._day(channel, ordinal):
                if s == end:
                    end = e
                    break
            else:
                # A slot that ends at 24:00 ends a microsecond before the next local day
                # (``time.max``): a slot from that day's midnight (the first instant after
                # a gap there) continues it. Hours across midnight are written that way.
                if self.local(end).time() != time.max:
                    return end
                ordinal += 1
                midnight = self.start_of(date.fromordinal(ordinal))
                for s, e, *_ in self._day(channel, ordinal):
                    if s == midnight:
                        end = e
                        break
                else:
                    return end
        return until

    def _describe(self, channel: Channel) -> str:
        return ", ".join(
            sorted({f"{a:%H:%M}-{b:%H:%M}" for day in self._week[channel] for a, b, _ in day})
        )

    def _cap_floor(self, channel: Channel, after: datetime, recent: Sequence[datetime]) -> datetime:
        """The earliest instant at which another contact respects every elapsed-time cap."""
        floor = after
        key = (channel, self.local(after).toordinal())
        caps = self._caps.get(key)
        if caps is None:
            caps = strictest_caps(self.rules(channel, date.fromordinal(key[1])))
            self._caps[key] = caps
        if not caps:
            return floor
        # Aware instants sort and compare as instants, whatever zone they were written in;
        # the arithmetic is done in UTC (elapsed time, not wall time).
        ordered = sorted(recent)
        for cap in caps:
            # Contacts within (floor - per, floor]; while there are `count` of them, wait.
            while True:
                window_start = floor - cap.per
                i = bisect_right(ordered, window_start)
                j = bisect_right(ordered, floor)
                if j - i < cap.count:
                    break
                floor = ordered[j - cap.count].astimezone(UTC) + cap.per
        return floor


def holiday_place(
    timezone: str, country: str | None, subdivision: str | None
) -> tuple[str | None, str | None]:
    """The place whose public holidays a rule's holiday ban reads, besides the rule's own
    region: the place whose law binds (:func:`law_place`); for a prospect filed under a
    country alone whose zone is one of that country's territories (``FR`` in
    ``America/Guadeloupe``), the territory, whose own holidays are public holidays there."""
    if country is not None and subdivision is None:
        home = home_country(timezone)
        bound = TERRITORIES.get(home) if home is not None else None
        if bound is not None and bound[0] == _place(country, None)[0]:
            return home, None
    return law_place(timezone, country, subdivision)


def rule_holiday(
    rules: Sequence[CallingRule], place: tuple[str | None, str | None], day: date
) -> bool:
    """Whether one of ``rules`` bans calls on ``day`` as a public holiday: one of the rule's
    own region (``country``, ``subdivision``) or of ``place``, the place the rules bind
    (its country and subdivision, or the country of its zone)."""
    banning = [r for r in rules if r.no_holidays]
    if not banning:
        return False
    country, subdivision = place
    if country is not None and day in holiday_dates(country, subdivision, day.year):
        return True
    return any(day in holiday_dates(r.country, r.subdivision, day.year) for r in banning)


#: Calendars kept for the process: the most recently used places under any policy (a process
#: that meets many policies, one per team or one reloaded each night, kept them all).
CALENDARS_KEPT = 1024


@lru_cache(maxsize=CALENDARS_KEPT)
def contact_calendar(
    policy: Policy, timezone: str, country: str | None, subdivision: str | None
) -> ContactCalendar:
    """The shared calendar for a policy and a prospect's place (checked: :func:`check_place`)."""
    check_place(policy, timezone, country, subdivision)
    return ContactCalendar(policy, timezone, country, subdivision)
