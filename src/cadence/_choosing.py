"""Choosing what to do next: among the tasks a prospect is owed, the one placed first on the
calendar (one email, one touch: as the plan joins them), and the task a touch on a channel is
credited with (what :meth:`cadence.Engine.next_action` named there). Also which prospects a
planner may skip: those done with for good.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cadence._agenda import Task, ladder_channel, ladder_due, ladder_time, tasks
from cadence._fold_base import CONTACT_KEYS, NamedTask, State, booked
from cadence._ladder import drip_allowed, ladder_step
from cadence._one_touch import as_touches, first_touch
from cadence._placing import Searched, Spot, due_from, locate, placed_key
from cadence.actions import ActionKind
from cadence.calendar import ContactCalendar
from cadence.channel import Channel
from cadence.lifecycle import TERMINAL, Stage
from cadence.policy import Policy
from cadence.prospect import Obligation

__all__ = ["Decided", "choose", "dormant", "named"]

Decided = tuple[State, ContactCalendar, Spot]
"""What :meth:`cadence.Engine._decide` places: the state as of ``now``, its calendar, the
chosen spot."""

_MICROSECOND = timedelta(microseconds=1)
# Enum members read on the hot path, bound to module names: on Python 3.11 every
# ``Stage.NEW``-style read goes through ``EnumType.__getattr__``'s slot, about 70 ns, ten
# times a global (3.12 dropped the hook). See docs/performance.md.
_DROPPED, _OPT_OUT_OFFERED = Stage.DROPPED, Stage.OPT_OUT_OFFERED
_NONE = ActionKind.NONE


def dormant(policy: Policy, cal: ContactCalendar, state: State, now: datetime) -> bool:
    """Whether, as of ``now``, the prospect is done with for good: opted out or closed (no
    time passing changes that), or dropped (or due to be, R10) without leave to drip (R12),
    nothing owed, nothing booked, no pause. Its next action is ``none`` now and at every later
    moment, so a planner's horizon question needs no tasks. Most of a long-running book ends
    here: everyone who never answered and never said yes, and everyone who said no.
    (A property test pins it to the full decision.)"""
    stage = state["stage"]
    if stage in TERMINAL:
        return True
    if (
        (state["meetings"] and booked(state))
        or state["paused_until"] is not None
        or drip_allowed(policy, state)
    ):
        return False
    if stage is _DROPPED:
        return not state["obligations"]
    breakup = state["breakup_sent_at"]
    return (  # the breakup went unanswered: ``_advance`` drops it and clears what was owed
        stage is _OPT_OUT_OFFERED
        and breakup is not None
        # ``now >= drop_instant(...)``, i.e. R10's wait does not end after now (a threshold
        # per horizon instead of the breakup's local date, per prospect)
        and breakup < cal.gap_reaches(policy.breakup_wait_business_days, now + _MICROSECOND)
    )


def choose(
    policy: Policy,
    reach: timedelta,
    state: State,
    cal: ContactCalendar,
    now_utc: datetime,
    until: datetime | None,
    todo: list[Task] | None = None,
    searched: Searched | None = None,
) -> Decided | None:
    """The task to do next, placed (with ``until``: None when nothing starts before it),
    among ``todo`` (default: :func:`tasks`)."""
    if todo is None:
        todo = tasks(policy, cal, state, now_utc)
    if until is not None:
        if todo[0].kind is _NONE:  # (``none`` comes alone)
            return None
        # (What starts up to a reaction delay after ``until`` may join a touch before it
        # and move it past the horizon: it is kept to tell.)
        reached = until + reach
        todo = [
            t
            for t in todo
            if t.not_before < reached and (t.min_date is None or cal.start_of(t.min_date) < reached)
        ]
        if not todo:
            return None
    best = None
    if len(todo) == 1:
        best = locate(policy, state, cal, todo[0], now_utc, searched)
    else:  # place lazily: a task cannot come due before its not_before
        todo.sort(key=lambda t: max(t.not_before, now_utc))
        spots = []  # every task that may start with the best one, or join it, is placed
        limit = now_utc  # (set with the first best: the last start that may join it)
        for task in todo:
            if best is not None:
                if task.not_before > limit:  # (``now`` is never past it: a start is not)
                    break
                if (
                    task.min_date is not None
                    and task.min_date > best.start.date()
                    and task.min_date > (best.start + reach).date()
                ):
                    continue  # its business-day gap ends after the best one's local day
            spot = locate(policy, state, cal, task, now_utc, searched)
            spots.append(spot)
            if (
                best is None
                or spot.start_utc < best.start_utc
                or (
                    spot.start_utc == best.start_utc
                    and placed_key(spot, cal) < placed_key(best, cal)
                )
            ):
                best = spot
                limit = spot.start_utc + reach
        assert best is not None  # tasks() never returns an empty list
        if len(spots) > 1:  # one email, one touch: as the plan joins them
            first = first_touch(best, spots, cal, reach)
            if first.start_utc != best.start_utc and len(spots) < len(todo):
                # A touch waits for a mate: the plan's first, from every task placed.
                spots = [locate(policy, state, cal, t, now_utc, searched) for t in todo]
                spots.sort(key=lambda spot: placed_key(spot, cal))
                first = as_touches(spots, cal, reach)[0]
            best = first
    if until is not None and best.start_utc >= until:
        return None
    return state, cal, best


def named(
    policy: Policy,
    reach: timedelta,
    cal: ContactCalendar,
    state: State,
    channel: Channel,
    at: datetime,
    owed: list[Obligation],
) -> Obligation | NamedTask | None:
    """The task the engine names on ``channel`` at ``at``, where ``owed`` are the
    obligations: the first of them in :meth:`cadence.Engine.plan`'s order (None when it has
    none there). ``Fold.fulfil`` credits a touch on that channel with it, so the rep who does
    what the engine said is credited with that."""
    floor = at  # (the state is already as of ``at``) or the end of a pause, as ``_as_of``
    paused = state["paused_until"]
    if paused is not None and at < paused and state["stage"] not in TERMINAL:
        floor = paused
    if len(owed) == 1 and not _ladder_may_come_first(policy, state, cal, owed[0], floor):
        return owed[0]  # (most touches: the R6 email after a voicemail)
    mine = [t for t in tasks(policy, cal, state, floor) if t.channel is channel]
    if len(mine) < 2:
        return mine[0] if mine else None
    spots = [locate(policy, state, cal, task, floor) for task in mine]
    spots.sort(key=lambda spot: placed_key(spot, cal))
    first = first_touch(spots[0], spots, cal, reach).task
    if first.ladder and (first.key is not None or first.joined):
        # The ladder's step joined to what is owed (one email, one touch). Before the
        # step is due (its gap has not passed) the touch is not its attempt (R3): it
        # performs the rest. An email right after an evening voicemail follows the
        # voicemail up, and the ladder's email still waits for its gap.
        step = next(s for s in spots if s.task.ladder)
        if at < due_from(cal, step.task):
            rest = [s for s in spots if s is not step]
            return first_touch(rest[0], rest, cal, reach).task
    return first


def _ladder_may_come_first(
    policy: Policy, state: State, cal: ContactCalendar, owed: Obligation, at: datetime
) -> bool:
    """Whether the ladder's next step might come before ``owed`` on its channel at ``at``
    (False: ``owed`` is what the engine names there; True: place both to know). The agenda
    runs the ladder unless a contact is owed or a meeting is booked; an obligation due at
    ``at`` comes first unless the ladder's step is due as well. ``at`` is the instant the
    plan places work from: the touch's, or the end of a pause (R17)."""
    if owed.key.startswith("collateral:") and "R15" in owed.rules:
        return True  # R15 material the agenda may leave to the meeting (material_at_meeting)
    if booked(state):  # the ladder waits for a booked meeting to be logged (_agenda._owed)
        return False
    for o in state["obligations"]:
        if o.key in CONTACT_KEYS:
            return False
    step = ladder_step(policy, state)
    if step is None or ladder_channel(policy, state, step) is not owed.channel:
        return False
    if owed.business_days or owed.not_before > at:
        return True
    when = ladder_time(policy, cal, state)
    if when is None or when.step is None:
        return False
    due = ladder_due(cal, when)
    # Not yet due, the step is not what a touch now performs, not even joined to the R6
    # email in one email (:func:`named`).
    return due <= at
