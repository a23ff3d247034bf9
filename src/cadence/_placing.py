"""Placing a task on the calendar: where it falls as of ``now``, whether it is overdue (R2),
and the order among tasks that start together.

The engine asks :func:`locate` for every task it may name; the batch planner shares one memo
of searched windows (:data:`Searched`) across a book's overdue tasks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from cadence._agenda import Task
from cadence._fold_base import State
from cadence.actions import KIND_ORDER
from cadence.calendar import ContactCalendar, Window
from cadence.channel import Channel
from cadence.policy import Policy
from cadence.prospect import Obligation

__all__ = [
    "Searched",
    "Spot",
    "TaskOrder",
    "after_their_return",
    "again",
    "away_until",
    "due_from",
    "locate",
    "placed_key",
    "task_order",
    "utc_bounds",
    "window_for",
]

# Enum members read on the hot path, bound to module names (docs/performance.md).
_PHONE, _EMAIL, _MEETING = Channel.PHONE, Channel.EMAIL, Channel.MEETING


class Spot(NamedTuple):
    """A task placed on the calendar, before it becomes an Action."""

    task: Task
    window: Window
    start: datetime
    end: datetime
    flags: tuple[str, ...]
    due_since: datetime | None
    start_utc: datetime
    """``start`` in UTC, for cheap comparisons with other instants."""


Searched = dict[tuple[ContactCalendar, Channel | None, datetime, date | None, str | None], Window]
"""A planner's memo of windows searched from its ``now`` (:func:`again`)."""

#: How the engine orders tasks that start together (after the start, :func:`placed_key`).
TaskOrder = tuple[int, datetime, int, bool, str]


def utc_bounds(window: Window) -> tuple[datetime, datetime]:
    """The window's bounds in UTC (``next_window`` sets them; computed for any other)."""
    start, end = window.start_utc, window.end_utc
    return (
        window.start.astimezone(UTC) if start is None else start,
        window.end.astimezone(UTC) if end is None else end,
    )


def due_from(cal: ContactCalendar, task: Task) -> datetime:
    """When ``task`` first may be done: its ``not_before``, or the start of the first local
    date its business-day gap allows, whichever is later."""
    if task.min_date is None:
        return task.not_before
    start = cal.start_of(task.min_date)
    return start if start > task.not_before else task.not_before


def task_order(cal: ContactCalendar, task: Task) -> TaskOrder:
    """The order among tasks that start together: the more urgent priority, then the task that
    came due first (the answer does not change while the rep carries it out), then the kind,
    an obligation before the ladder's step, and the detail."""
    due = due_from(cal, task)
    return (task.priority, due, KIND_ORDER[task.kind], task.ladder, task.detail or "")


def placed_key(spot: Spot, cal: ContactCalendar) -> tuple[datetime, TaskOrder]:
    """Soonest first, by instant: in the hour a fall-back night repeats, a later wall time can
    be the earlier instant (``spot.start`` is local; same-zone datetimes compare by wall time).
    Then :func:`task_order`."""
    return (spot.start_utc, task_order(cal, spot.task))


def locate(
    policy: Policy,
    state: State,
    cal: ContactCalendar,
    task: Task,
    now: datetime,
    searched: Searched | None = None,
) -> Spot:
    """Where ``task`` falls: its window as of ``now``, and whether it is overdue."""
    # Instants are compared in UTC (``now``, the task's, the windows' ``*_utc``): a zoned
    # time compared with a UTC one costs a microsecond each time, on the hottest path.
    channel = task.channel
    if channel is None:  # wait / none: a point in time
        at = max(task.not_before, now)
        when = cal.local(at)
        window = Window(when, when, None, None, (), at, at)
        return Spot(task, window, when, when, task.flags, None, at)
    recent = state["recent_calls"] if channel is _PHONE else ()
    after = task.not_before
    # R17: work that came due while the prospect was away is due, fresh, from their return
    # (``away_until``, inline: two reads when no pause ever ended).
    back = state["paused_until"] or state["resumed_at"]
    away = back is not None and after < back and channel is not _MEETING
    if away:
        after = back
    window = window_for(cal, task, after, recent)  # when it first came due
    start_utc, end_utc = utc_bounds(window)
    end = window.end
    flags = task.flags
    if task.exact:
        if channel is _MEETING and task.deadline is not None:
            end, end_utc = cal.local(task.deadline), task.deadline
        elif not away and start_utc == task.not_before:  # the agreed time is allowed
            # R1: on time until the grace ends, across the next slot if it follows at once.
            grace = task.not_before + timedelta(minutes=policy.commitment_grace_minutes)
            if grace > end_utc:
                grace = cal.runs_on(channel, end_utc, grace)
            if grace != end_utc:
                end, end_utc = cal.local(grace), grace
        else:  # R1: the agreed time is outside the hours (the policy's, or the law's), or
            # they were away then (R17)
            flags = (*flags, "moved")
    elif task.deadline is not None and start_utc < task.deadline < end_utc:
        end, end_utc = cal.local(task.deadline), task.deadline
    if now >= end_utc:  # R2: missed; due again at the next allowed moment, flagged
        due_since = window.start
        window = again(cal, task, now, recent, searched)
        again_utc, again_end_utc = utc_bounds(window)
        latest = window.end if again_end_utc >= again_utc else window.start  # by instant
        return Spot(task, window, window.start, latest, (*flags, "overdue"), due_since, again_utc)
    if start_utc >= now:
        return Spot(task, window, window.start, end, flags, None, start_utc)
    start = cal.local(now)
    if recent and cal.capped:
        # An elapsed-time cap also counts the calls logged since the task came due.
        later = window_for(cal, task, now, recent)
        later_utc, later_end_utc = utc_bounds(later)
        if later_utc > now:
            latest = later.end if later_end_utc > end_utc else end  # by instant, not wall
            return Spot(task, later, later.start, latest, flags, None, later_utc)
    if task.exact and now >= utc_bounds(window)[1]:
        # R1's grace runs on into the next part of the day: the call is made in that part
        # (R4 and the voicemail's promise read it), not in the one the agreed time was in.
        window = cal.next_window(channel, now)
    return Spot(task, window, start, end, flags, None, now)


def away_until(state: State, task: Task | Obligation) -> datetime | None:
    """R17: the end of the pause (the current one, or the latest that ended) when ``task``
    came due before it, while the prospect was away: it is due, fresh, from then, not overdue
    since before. None otherwise, and for a booked meeting (its time is its own)."""
    back: datetime | None = state["paused_until"]  # (set only while it lasts: see ``_as_of``)
    if back is None:
        back = state["resumed_at"]
        if back is None:
            return None
    if task.not_before < back and task.channel is not _MEETING:
        return back
    return None


_R6_WHEN = (", due that day", ", first thing ")  # (how ``Fold`` words the R6 email's day)


def after_their_return(state: State, task: Task | Obligation, reason: str) -> str:
    """R17: ``reason``, where the R6 email that mentions a voicemail (``task`` or one it
    joins) came due while the prospect was away, says it is due after their return: its
    "due that day" (or "first thing" on a day) is not true weeks later."""
    email = task if task.key == "voicemail_email" else None
    for joined in getattr(task, "joined", ()):
        if joined.key == "voicemail_email":
            email = joined
    if email is None or away_until(state, email) is None:
        return reason
    said = email.reason
    for when in _R6_WHEN:
        cut = said.rfind(when)
        if cut >= 0:
            return reason.replace(said, f"{said[:cut]}, after their return")
    return reason


def window_for(
    cal: ContactCalendar, task: Task, after: datetime, recent: tuple[datetime, ...]
) -> Window:
    """The first window after ``after`` where ``task`` may be done on its channel."""
    return cal.next_window(
        task.channel or _EMAIL,
        after,
        min_date=task.min_date,
        avoid_slot=task.avoid_slot,
        recent=recent,
    )


def again(
    cal: ContactCalendar,
    task: Task,
    now: datetime,
    recent: tuple[datetime, ...],
    searched: Searched | None,
) -> Window:
    """An overdue task's window from ``now`` on. A planner asks it from one ``now`` for
    every overdue task of its book, with a handful of distinct gaps and slots to avoid:
    ``searched``, its memo for one plan, keeps the answers that the prospect's own recent
    calls cannot change (no elapsed-time cap here). A CRM's steps each bring their own
    ``now``, so they keep none."""
    if searched is None or (recent and cal.capped):
        return window_for(cal, task, now, recent)
    key = (cal, task.channel, now, task.min_date, task.avoid_slot)
    found = searched.get(key)
    if found is None:
        found = searched[key] = window_for(cal, task, now, recent)
    return found
