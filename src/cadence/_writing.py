"""Writing out a placed task: the :class:`~cadence.actions.Action` the engine returns, with
what the rep says (its talking points, R5's projection of the next attempt among them) and
why a time moved (R1).

These are :class:`cadence.Engine`'s methods (``Engine._action`` is :func:`action`), kept here
so that the engine's module holds the decisions and this one the words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from cadence._agenda import Task, ladder_task, placed_rules, tasks
from cadence._construct import build
from cadence._fold_base import _R14_CALL, State
from cadence._placing import Spot, after_their_return, away_until, utc_bounds, window_for
from cadence._talk import NextAttempt, booked_times, propose_times, talking_points
from cadence.actions import Action, ActionKind
from cadence.calendar import ContactCalendar, Window
from cadence.channel import Channel

if TYPE_CHECKING:
    from cadence.engine import Engine

_MOVED = "moved"
_PROPOSE_TIMES = ActionKind.PROPOSE_TIMES
_PHONE = Channel.PHONE


def action(
    engine: Engine, state: State, cal: ContactCalendar, spot: Spot, *, words: bool = True
) -> Action:
    """The action for a placed task. ``words=False`` leaves out the talking points (what
    the rep says, R5's projection among them, a tenth of a step): a caller that never reads
    them, as the simulator, gets the same decision without paying for them."""
    task = spot.task
    proposing = task
    also: tuple[ActionKind, ...] = ()
    if task.joined:  # one touch that does several (cadence._one_touch)
        proposing = next((t for t in task.joined if _proposes(t)), task)
        also = tuple(dict.fromkeys(t.kind for t in task.joined if t.kind is not task.kind))
        points = said_in_one_touch(engine, cal, state, spot) if words else ()
    elif words and task.channel is not None:
        points = talking_points(
            engine.policy, engine._texts, cal, state, task, spot.window, after(engine, spot)
        )
    else:
        points = ()
    rules, reason = task.rules, task.reason
    if task.avoid_slot is not None or task.joined:  # R4 only if the window rotates
        rules, reason = placed_rules(task, spot.window.slot)
    if state["resumed_at"] is not None or state["paused_until"] is not None:
        reason = after_their_return(state, task, reason)  # R17
    if words and _MOVED in spot.flags and task.channel is not None:
        # R1: say why the agreed time moved, so the rep can tell the prospect (the agreed
        # contact's own time, when it is done in another's touch).
        exact = next((t for t in task.joined if t.exact), task)
        agreed = exact.not_before
        free = cal.next_window(task.channel, agreed)  # the hours, without the caps
        t = engine._texts
        moved = (
            t.moved_away  # R17
            if away_until(state, exact) is not None
            else t.moved_legal_cap
            if free.start_utc == agreed
            else t.moved_day_off  # (a weekend, a holiday: not a time of day)
            if not cal.days.is_business_day(cal.local(agreed).date())
            else t.moved_outside_hours
        )
        points = (moved, *points)
    return build(
        Action,
        {
            "prospect_id": state["id"],
            "kind": task.kind,
            "channel": task.channel,
            "earliest": spot.start,
            "latest": spot.end,
            "priority": task.priority,
            "rules": rules,
            "reason": reason,
            "talking_points": points,
            "flags": spot.flags,
            "due_since": spot.due_since,
            "slot": spot.window.slot,
            "bounded_by": spot.window.bounded_by,
            "subject": task.subject,
            "detail": task.detail,
            "proposals": (
                propose_times(
                    engine.policy,
                    cal,
                    spot.start,
                    flexible="R14" in proposing.rules,
                    busy=booked_times(state),
                )
                if _proposes(proposing)
                else ()
            ),
            "also": also,
        },
    )


def _proposes(task: Task) -> bool:
    """Whether ``task`` proposes meeting times: a proposal, or R14's apology call, which
    proposes them live (or in its voicemail) before anything is written."""
    return task.kind is _PROPOSE_TIMES or task.reason == _R14_CALL


def said_in_one_touch(
    engine: Engine, cal: ContactCalendar, state: State, spot: Spot
) -> tuple[str, ...]:
    """The talking points of a call or an email that does several tasks: each task's, in
    order, once, with what every conversation asks (R1, R12, R16) last."""
    t = engine._texts
    asked = (t.agree_next_contact, t.ask_permission, t.ask_channel)
    points: list[str] = []
    then = after(engine, spot)
    for task in spot.task.joined:
        said = talking_points(engine.policy, engine._texts, cal, state, task, spot.window, then)
        points += [point for point in said if point not in points]
    return (*(p for p in points if p not in asked), *(p for p in asked if p in points))


def after(engine: Engine, spot: Spot) -> NextAttempt:
    """R5's projection for the call ``spot`` (and what it joins), made when it starts."""
    touch = spot.task
    done = frozenset(t.key for t in (touch.joined or (touch,)) if t.key is not None)
    return partial(next_attempt, engine, done=done, made=spot.start_utc)


def next_attempt(
    engine: Engine,
    state: State,
    cal: ContactCalendar,
    at: datetime,
    done: frozenset[str] = frozenset(),
    made: datetime | None = None,
) -> Window | None:
    """R5: where the next attempt would go if a call at ``at`` (or ``made``, when the touch
    starts: one that waited for another may start in the next part of the day) that
    performs ``done`` (the keys of what is owed) reached voicemail: the ladder's next step,
    or a call still owed after it (an agreed call a few minutes after the call for a missed
    meeting) when that comes first."""
    hypo = dict(state)
    hypo["obligations"] = ()
    hypo["meetings"] = ()
    at = (made or at).astimezone(UTC)
    hypo["recent_calls"] = (*state["recent_calls"], at)
    cal_fold = engine._for(state["timezone"], state["country"], state["subdivision"])[1]
    cal_fold.attempt(hypo, at, _PHONE, True)
    owed = tuple(o for o in state["obligations"] if o.channel is _PHONE and o.key not in done)
    recent = hypo["recent_calls"]
    if owed and _PHONE not in state["blocked_channels"]:
        hypo["obligations"] = owed
        placed = [
            (window_for(cal, t, max(t.not_before, at), recent), t)
            for t in tasks(engine.policy, cal, hypo, at)
            if t.channel is _PHONE or (t.ladder and t.channel is not None)
        ]
        if not placed:
            return None
        window, task = min(placed, key=lambda wt: utc_bounds(wt[0])[0])
    else:
        step = ladder_task(engine.policy, cal, hypo)
        if step is None or step.channel is None:
            return None
        task, window = step, window_for(cal, step, step.not_before, recent)
    if task.channel is _PHONE:
        return window
    start, end, _, _, bounded_by, start_utc, end_utc = window  # (``_replace`` costs 2 µs)
    return Window(start, end, "email", None, bounded_by, start_utc, end_utc)
