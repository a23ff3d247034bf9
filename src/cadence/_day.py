"""What every day planner shares (``plan_day``, ``plan_table``, ``plan_frame``): checking a
day's arguments, the day's bounds in a zone, owners' capacities, the meetings that take a rep's
time, and the engine's next action past a wait that ends on the day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from cadence._agenda import ATTEND_PRIORITY, ATTEND_REASON, ATTEND_RULES
from cadence._choosing import Decided
from cadence._construct import build
from cadence._inputs import aware
from cadence._placing import Searched
from cadence._stretches import occupied
from cadence.actions import Action, ActionKind, Priority
from cadence.calendar import ContactCalendar, resolve_local
from cadence.channel import Channel
from cadence.engine import Engine
from cadence.errors import InvalidInputError, NoSlotError
from cadence.events import EARLIEST, LATEST
from cadence.prospect import Prospect

__all__ = [
    "TOUCH_MINUTES",
    "Capacity",
    "DayMeeting",
    "booked_meetings",
    "busy_times",
    "capacity_of",
    "check_arguments",
    "check_day",
    "day_bounds",
    "for_prospect",
    "in_the_book_twice",
    "meeting_action",
    "meeting_span",
    "meetings_of",
    "next_action_past_waits",
    "on_the_day",
    "over_everywhere",
    "past_waits",
    "reminds_to_log",
    "to_us",
    "warm",
]

#: Minutes a touch occupies in the owner's day.
TOUCH_MINUTES: Mapping[Channel, int] = {Channel.PHONE: 10, Channel.EMAIL: 5}
#: Touches per owner and channel: one number for all, or by owner, channel or (owner, channel).
Capacity = int | Mapping[str | tuple[str, str], int]

#: The rules a follow-up cites only when it is owed to a prospect who engaged with us: the
#: conversation that ended without an agreed time (R1), an opt-in (R13), "not now" (R17).
#: A ladder step never cites them (its first touch cites R2, as a reply's follow-up does).
WARM_RULES = frozenset({"R1", "R13", "R17"})
#: The work of a follow-up that proposes times: at that priority, after a no-show (R2).
WARM_KINDS = frozenset({ActionKind.PROPOSE_TIMES.value})

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_DAY, _NOON = timedelta(days=1), time(12)
_WAIT = ActionKind.WAIT
_FOLLOW_UP = int(Priority.FOLLOW_UP)
_ATTEND, _MEETING, _BOOKED = ActionKind.ATTEND_MEETING, Channel.MEETING, "booked"
_CHANNEL_NAMES = frozenset(c.value for c in Channel)
_TOUCH_CHANNELS = frozenset({Channel.PHONE.value, Channel.EMAIL.value})  # (capacity's keys)


def in_the_book_twice(prospect_id: str) -> InvalidInputError:
    """Every planner's refusal of a book that holds one prospect id in two rows (a duplicated
    or stale export row), whatever either row owes: the rows may disagree (one opted out, R13,
    the other not yet), and no planner can tell which is the prospect's truth. The smallest
    such id is named, as the CLI names one."""
    msg = (
        f"id: {prospect_id!r} is in the book twice; give each prospect once, in its newest "
        "state (a duplicated or stale export row?)"
    )
    return InvalidInputError(msg, field="id", value=prospect_id)


def for_prospect(prospect_id: str, exc: NoSlotError) -> NoSlotError:
    """``exc`` naming the prospect it was raised for: in a book of a million, which row to
    look at (its place is named already)."""
    return NoSlotError(f"prospect {prospect_id!r}: {exc}", field=exc.field, value=exc.value)


def booked_meetings(p: Prospect) -> list[tuple[datetime, datetime, str]]:
    """The prospect's booked meetings: start, end (UTC) and id of each (the time the rep
    spends in it, ``duration_minutes`` from its start)."""
    return [
        (m.starts_at, m.starts_at + timedelta(minutes=m.duration_minutes), m.id)
        for m in p.meetings
        if m.status == _BOOKED
    ]


def on_the_day(
    start: datetime, end: datetime, bounds: tuple[datetime, datetime], now: datetime
) -> bool:
    """Whether a meeting from ``start`` to ``end`` is in a plan of the day ``bounds`` (the
    prospect's local day, UTC) made at ``now``: it starts on the day and is not over."""
    return bounds[0] <= start < bounds[1] and end > now


def meeting_action(
    prospect_id: str, cal: ContactCalendar, meeting: tuple[datetime, datetime, str]
) -> Action:
    """A booked meeting as the plans list it: the engine's ``attend_meeting`` action for it
    (without talking points: ask ``engine.next_action`` when it is the prospect's next)."""
    start, end, meeting_id = meeting
    values = {
        "prospect_id": prospect_id,
        "kind": _ATTEND,
        "channel": _MEETING,
        "earliest": cal.local(start),
        "latest": cal.local(end),
        "priority": ATTEND_PRIORITY,
        "rules": ATTEND_RULES,
        "reason": ATTEND_REASON,
        "detail": meeting_id,
    }
    return build(Action, values)


def capacity_of(capacity: Capacity, owner: str, channel: Channel) -> int:
    """``owner``'s capacity on ``channel``: the ``(owner, channel)`` key's, else the owner's,
    else the channel's, else 0. A rep named as a channel (``phone``) whose capacity would be
    read from that bare key is refused: the key may be the rep's or every rep's calls."""
    if isinstance(capacity, int):
        return capacity
    if owner in _TOUCH_CHANNELS and owner in capacity and (owner, channel.value) not in capacity:
        msg = (
            f"capacity: key {owner!r} names both the channel {owner!r} and the owner {owner!r}, "
            f"so whose capacity it is cannot be told; key that rep's by (owner, channel) pairs, "
            f"e.g. {{({owner!r}, 'phone'): 40, ({owner!r}, 'email'): 40}}, and the key "
            f"{owner!r} is then the channel's for every other rep"
        )
        raise InvalidInputError(msg, field="capacity", value=owner)
    for key in ((owner, channel.value), owner, channel.value):
        if key in capacity:
            return int(capacity[key])
    return 0


class DayMeeting(NamedTuple):
    """A booked meeting of the planned day, in its owner's day."""

    owner: str
    prospect_id: str
    cal: ContactCalendar
    meeting: tuple[datetime, datetime, str]  # start, end (UTC), id


def meeting_span(day: date, now: datetime) -> tuple[int, int]:
    """The µs stretch a booked meeting must overlap to block time in a plan of ``day`` made at
    ``now``: from ``now`` (or a day before the UTC day, whichever is later) to two days after
    its start. Every touch of the day lies inside, whatever its zone (a local day is within 14
    hours of the UTC day's start and 12 of its end; a touch runs 10 minutes at most)."""
    midnight = to_us(datetime.combine(day, time(0), UTC))
    return max(to_us(now), midnight - _DAY_US), midnight + 2 * _DAY_US


def meetings_of(
    p: Prospect,
    cal: ContactCalendar,
    bounds: tuple[datetime, datetime],
    now_utc: datetime,
    span: tuple[int, int],
    found: list[DayMeeting],
    blockers: list[tuple[str, int, int]],
) -> None:
    """Add ``p``'s booked meetings of the day (``bounds``: :func:`booked_meetings` that are
    :func:`on_the_day`) to ``found``, to be listed, and every booked meeting that overlaps
    ``span`` (:func:`meeting_span`) to ``blockers``, as its owner's busy time: one that starts
    on another local day still takes the rep's time on this one (a rep with prospects in
    Sydney and Los Angeles; a meeting late the night before, under way past midnight)."""
    day_start, day_end = bounds
    owner = p.owner or ""
    for m in p.meetings:
        if m.status != _BOOKED:
            continue
        end = m.starts_at + timedelta(minutes=m.duration_minutes)
        start_us, end_us = to_us(m.starts_at), to_us(end)
        if span[0] < end_us and start_us < span[1]:
            blockers.append((owner, start_us, end_us))
            if day_start <= m.starts_at < day_end and on_the_day(m.starts_at, end, bounds, now_utc):
                found.append(DayMeeting(owner, p.id, cal, (m.starts_at, end, m.id)))


def busy_times(blockers: list[tuple[str, int, int]]) -> dict[str, list[tuple[int, int]]]:
    """Each owner's day with their meetings booked (µs stretches, as :func:`_fit` books)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for owner, start, end in blockers:
        spans.setdefault(owner, []).append((start, end))
    return {owner: occupied(found) for owner, found in spans.items()}


def warm(priority: int, kind: str, rules: Iterable[str], also: Iterable[str] = ()) -> bool:
    """Whether a touch of ``priority``, ``kind``, ``rules`` and ``also`` (its other kinds) is
    warm work: a follow-up (``Priority.FOLLOW_UP``) owed to a prospect who talked to us or
    booked with us (the follow-up after a conversation without an agreed time, R1 and R2; the
    new times after a no-show, R2; the follow-up after an opt-in, R13, or after "not now",
    R17). The day planners rank it above the ladder's cold steps: a rep short of capacity
    does it first. Kinds by value (``ActionKind`` is a ``StrEnum``), as the decision index
    stores them."""
    if priority != _FOLLOW_UP:
        return False
    return kind in WARM_KINDS or not WARM_RULES.isdisjoint(rules) or not WARM_KINDS.isdisjoint(also)


def reminds_to_log(action: Action) -> bool:
    """Whether ``action`` is the reminder to log a meeting that has ended with neither its
    hold nor its no-show logged (R2): the meeting's ``attend_meeting`` action, overdue once
    the meeting is over (``due_since``, its start), from ``now`` to the end of the day."""
    return action.kind is _ATTEND and action.due_since is not None


def past_waits(
    engine: Engine,
    p: Prospect,
    cal: ContactCalendar,
    now_utc: datetime,
    until: datetime,
    searched: Searched,
    decided: Action | Decided | None,
) -> Decided | None:
    """The engine's next action for ``p`` if it starts before ``until`` (before its words),
    given its answer at ``now_utc`` (``decided``, ``Engine._horizon``'s); past a wait that
    ends before ``until`` (a pause, R17; the R10 wait for the drop), the action that follows
    it, as the engine names it when the wait is over: a prospect who said "call me on Tuesday
    at 09:00" is on Tuesday's plan, as :meth:`Engine.plan` lists it after its wait.
    (:func:`next_action_past_waits` is the same for a whole action.)"""
    while True:
        if isinstance(decided, Action):  # a pause: it ends at the wait's ``earliest``
            end = decided.earliest_utc
        elif decided is not None and decided[2].task.kind is _WAIT:
            end = decided[2].start_utc
        else:
            return decided
        if not now_utc < end < until:
            return None
        now_utc = end
        decided = engine._horizon(p, cal, now_utc, until, searched)


def next_action_past_waits(engine: Engine, p: Prospect, now: datetime, until: datetime) -> Action:
    """``engine.next_action(p, now)``, or past a wait that ends before ``until`` (UTC), the
    action that follows it (:func:`past_waits`)."""
    action = engine.next_action(p, now)
    while action.kind is _WAIT and now < action.earliest_utc < until:
        now = action.earliest_utc
        action = engine.next_action(p, now)
    return action


def check_arguments(
    day: object,
    now: object,
    capacity: object,
    suppressions: Iterable[object],
    deferred_limit: object,
) -> tuple[datetime, frozenset[str]]:
    """Validate the planners' common arguments; ``now`` in UTC and the suppression set."""
    day = check_day(day)
    if (
        isinstance(deferred_limit, bool)
        or not isinstance(deferred_limit, int)
        or deferred_limit < 0
    ):
        msg = f"deferred_limit: {deferred_limit!r} is not a count; give a whole number >= 0"
        raise InvalidInputError(msg, field="deferred_limit", value=deferred_limit)
    now_utc = aware(now, "now")
    if over_everywhere(day, now_utc):
        msg = (
            f"day: {day.isoformat()} is over in every time zone at now={now_utc.isoformat()}, "
            "so nothing can be planned on it; plan now's day or a later one, or pass the "
            "instant the plan is made at as now"
        )
        raise InvalidInputError(msg, field="day", value=day)
    if isinstance(capacity, bool) or not isinstance(capacity, int | Mapping):
        msg = (
            f"capacity: expected an int or a mapping, got {capacity!r}; give touches per owner "
            "and channel, e.g. 40 or {('ana', 'phone'): 40}"
        )
        raise InvalidInputError(msg, field="capacity", value=capacity)
    for key in capacity if isinstance(capacity, Mapping) else ():
        pair = isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str)
        if not (isinstance(key, str) or (pair and key[1] in _CHANNEL_NAMES)):
            msg = (
                f"capacity: key {key!r} is not an owner, a channel or an (owner, channel) pair; "
                "use e.g. 'ana', 'phone' or ('ana', 'phone') (channels: phone, email)"
            )
            raise InvalidInputError(msg, field="capacity", value=key)
    values = capacity.values() if isinstance(capacity, Mapping) else (capacity,)
    for n in values:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            msg = f"capacity: {n!r} is not a count of touches; give a whole number >= 0, e.g. 40"
            raise InvalidInputError(msg, field="capacity", value=n)
    if isinstance(suppressions, str):
        msg = (
            f"suppressions: got the single string {suppressions!r}; pass a collection of ids, "
            f"phone numbers and emails, e.g. {{{suppressions!r}}}"
        )
        raise InvalidInputError(msg, field="suppressions", value=suppressions)
    blocked = frozenset(suppressions)
    for item in blocked:
        if not isinstance(item, str):
            msg = (
                f"suppressions: {item!r} is not a string; list prospect ids, phone numbers and "
                "emails as strings"
            )
            raise InvalidInputError(msg, field="suppressions", value=item)
    return now_utc, frozenset(str(item) for item in blocked)


def check_day(day: object) -> date:
    """``day`` if it is a date the planners plan (1900 to 8999), else an
    :class:`InvalidInputError` naming ``day`` (the CLI shows it as ``--day``)."""
    if not isinstance(day, date) or isinstance(day, datetime):
        msg = f"day: expected a date, got {day!r}; pass e.g. datetime.date(2026, 3, 10)"
        raise InvalidInputError(msg, field="day", value=day)
    if not EARLIEST.date() <= day < LATEST.date():
        msg = f"day: {day.isoformat()} is outside the years cadence plans in (1900 to 8999)"
        raise InvalidInputError(msg, field="day", value=day)
    return day


def over_everywhere(day: date, now: datetime) -> bool:
    """Whether ``day`` has ended in every time zone at ``now``: at noon UTC the next day, the
    midnight that ends it at UTC-12, the last zone."""
    return now >= datetime.combine(day, _NOON, UTC) + _DAY


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``day``'s local ``[start, end)`` in ``tz``, in UTC (local midnight need not exist)."""
    return (
        resolve_local(day, time(0), tz).astimezone(UTC),
        resolve_local(day + timedelta(days=1), time(0), tz).astimezone(UTC),
    )


def to_us(at: datetime) -> int:
    """Microseconds since the epoch (what :func:`cadence._stretches.book` counts in)."""
    return (at - _EPOCH) // _MICROSECOND
