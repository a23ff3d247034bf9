"""The decision index: a prospect's next action precomputed at write time, and how long it holds.

A CRM that keeps a "next due" index updates it on every write; the columnar planner
(:func:`cadence.batch.plan_table`) then decides most rows with array operations and asks the
engine only about rows whose index has expired. :func:`decide` computes one row of that index
from the public engine, as of the prospect's newest event (or the end of its pause, R17):

- the action ``engine.next_action(p, t)`` returns, for every ``t`` in ``[decided_at,
  valid_until)``, except that its ``earliest`` is clamped to ``t`` (a due window that has opened
  starts "now"). ``valid_until`` is the first instant at which that may stop being true: the end
  of the action's window (after it the action is overdue and moves, R2), the start of another
  owed task that would then win the tie on priority or join the action's touch (a call or
  email on its channel a reaction delay later, ``_one_touch``), or a time-driven change of
  state (the R10 drop, a booked meeting starting);
- when the action is the only task the prospect is owed (``first_due`` is set), what it becomes
  after ``valid_until`` and before ``late_until``: the same task, overdue since ``first_due``,
  re-placed at the next allowed window after ``t`` (given ``min_date`` and ``avoid_slot``, R3,
  R4). That window depends only on the calendar, not on the prospect, so the planner computes
  it once per (place, channel, constraints) instead of once per row.

Everything here is a pure function of the engine, the prospect and the policy: no clock.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from holidays.version import __version__ as holidays_version

from cadence import __version__
from cadence._agenda import drop_instant, tasks
from cadence._fold_base import begun_before_pause
from cadence._placing import away_until
from cadence._zone_table import TZDATA
from cadence.actions import ActionKind
from cadence.channel import Channel
from cadence.compliance import PRESETS, CallingRule
from cadence.engine import Engine
from cadence.lifecycle import Stage
from cadence.prospect import Prospect

__all__ = ["DECISION_FORMAT", "Decision", "decide", "decided_by", "shipped"]

#: Bumped whenever what the index means changes: an index built by another format is ignored.
DECISION_FORMAT = 21  # 4: ``also``; 5: a joined touch bounds its row; 6, 7: joins within a delay;
# 8: the practice review's fixes (R1 `moved`, R4 windows, the engaged ladder, paused rows);
# 9: R4 for the offer and the breakup made by phone; 10: a prospect without a country is bound
# by the rules of its zone's country; 11: the reminder to log a meeting that has ended runs to
# the end of its day; 12: calls nobody heard (``unheard_calls_limit``); 13: a touch that does
# another's work keeps that work's ``moved`` and ``overdue``, and a time a fall-back night
# repeats is named with its offset's name; 14: work that came due during a pause is due fresh
# from its end, not overdue (R17); 15: a prospect dropped again after answering a drip touch
# drips a drip interval after the new drop (R11); 16: R15 material no longer owed once its
# meeting starts, and one R6 email offers new times after a no-show's voicemail; 17: calls
# owed minutes apart (an agreed call's grace, a part of the day's end) are one call, and R15
# material after a missed rebooked meeting goes with the new times; 18: a booked meeting holds
# the ladder until it is logged, an agreed call is not held past its grace to join another, and
# a call in its grace names the part of the day it is made in; 19: a weekday's own calling hours
# count in the everyday part of the day they lie in (R4, ``slot``); 20: the drip follows R4
# and cites R16, a holiday ban reads the holidays of the place it binds, an agreed call's grace
# runs on past midnight, proposed meeting times are distinct (R14, R15), and R15 material for
# a rebooked meeting the prospect cancelled is for the next meeting; 21: the reminder to log a
# meeting held before an out-of-office is not held by it (R2, R17), an opt-out withdraws the
# drip permission (R12), R14's apology call proposes times and its email re-times after a move,
# and a prospect no channel reaches is told the fix (R2)

_TOUCHES = (Channel.PHONE, Channel.EMAIL)


class Decision(NamedTuple):
    """One prospect's row of the decision index (instants in UTC)."""

    decided_at: datetime
    idle_until: datetime | None
    """Paused until then (R17): the next action is ``wait``."""
    kind: ActionKind
    channel: Channel | None
    priority: int
    rules: tuple[str, ...]
    reason: str
    also: tuple[ActionKind, ...]
    """The other kinds the one touch does (``Action.also``)."""
    earliest: datetime
    latest: datetime
    due_since: datetime | None
    valid_until: datetime | None
    """``None``: holds for good (an opted-out prospect, say)."""
    first_due: datetime | None
    """Set when the action is the prospect's only task: when it first came due."""
    min_date: date | None
    avoid_slot: str | None
    late_until: datetime | None
    """With ``first_due``: the re-placed overdue action holds until then (``None``: for good)."""


def shipped(
    rules: tuple[CallingRule, ...], holidays_version: str, zones_version: str = TZDATA
) -> str:
    """What decisions depend on besides the policy: the cadence release, the legal calling
    rules it ships, the ``holidays`` release (a new one can move a business day) and the
    tzdata release of the zone table (a zone's country binds a prospect without one)."""
    text = "\n".join(
        [__version__, holidays_version, zones_version, *(r.model_dump_json() for r in rules)]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_SHIPPED = shipped(PRESETS, holidays_version)


def decided_by(engine: Engine) -> str:
    """A fingerprint of the engine's policy, of the index format and of what the release ships
    (:func:`shipped`): an index row counts only where the same decisions would be made."""
    text = f"{DECISION_FORMAT}:{_SHIPPED}:{engine.policy.model_dump_json()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _next_change(engine: Engine, state: Prospect, t0: datetime) -> datetime | None:
    """The first time-driven change of state after ``t0``: the R10 drop, the end of a pause
    (R17), or a booked meeting that starts (the R15 material owed before it is no longer
    asked for: the rep brings it)."""
    changes = [m.starts_at for m in state.meetings if m.status == "booked" and m.starts_at > t0]
    if state.paused_until is not None and state.paused_until > t0 and not state.is_terminal:
        changes.append(state.paused_until)  # R17: the pause ends
    if state.stage is Stage.OPT_OUT_OFFERED and state.breakup_sent_at is not None:
        changes.append(drop_instant(engine.policy, engine.calendar(state), state.breakup_sent_at))
    return min(changes).astimezone(UTC) if changes else None


def decide(engine: Engine, p: Prospect) -> Decision:
    """The decision index row of ``p`` under ``engine``, as of its newest event (or the end of
    its pause)."""
    t0 = p.last_event_at.astimezone(UTC)
    idle_until = None
    if (
        p.paused_until is not None
        and p.paused_until > t0
        and not p.is_terminal
        and not begun_before_pause(p.__dict__)  # (R2: the rep logs those now)
    ):
        idle_until = t0 = p.paused_until.astimezone(UTC)  # R17: nothing until then
    for _ in range(4):
        plan = engine.plan(p, t0)
        first = plan[0]
        state = engine.advance(p, t0)
        timed = _next_change(engine, state, t0)
        if len(plan) == 1 and first.kind is ActionKind.WAIT and first.earliest_utc == timed:
            idle_until = t0 = timed  # e.g. R10: nothing to do until the prospect is dropped
            continue
        break
    cal = engine.calendar(p)

    bounds = [] if timed is None else [timed]
    if first.channel is not None:
        bounds.append(first.latest_utc)  # R2: after its window the action is overdue and moves
    reach = timedelta(minutes=engine.policy.reaction_minutes)
    for other in plan[1:]:
        # Once both are due "now", the engine picks by priority, then by when each came due,
        # the kind, obligation before ladder, detail (``_placing.task_order``): one that starts
        # later may win that tie unless it is less urgent. An action does not say when it came
        # due, so any as urgent bounds the row; a full tie at once (only the engine knows).
        if other.priority <= first.priority:
            full = (other.kind, other.detail) == (first.kind, first.detail)
            bounds.append(t0 if full else other.earliest_utc)
        if other.channel is first.channel and first.channel in _TOUCHES:
            # A call (or an email) whose start follows ``now`` joins a later one on its
            # channel once ``now`` is within a reaction delay of it, and the two are one touch
            # from then on (``_one_touch``): its start, kinds, rules and reason change there.
            bounds.append(max(other.earliest_utc - reach, t0))
    valid_until = min(bounds) if bounds else None

    first_due = min_date = avoid_slot = None
    late_until = None
    if len(plan) == 1 and first.channel in (Channel.PHONE, Channel.EMAIL):
        owed = tasks(engine.policy, cal, dict(state.__dict__), t0)
        task = owed[0]
        if len(owed) == 1 and task.kind is first.kind and task.channel is first.channel:
            recent = state.recent_calls if task.channel is Channel.PHONE else ()
            window = cal.next_window(
                first.channel,
                away_until(state.__dict__, task) or task.not_before,  # R17: due from their return
                min_date=task.min_date,
                avoid_slot=task.avoid_slot,
                recent=recent,
            )
            start = window.start.astimezone(UTC)
            if first.due_since is None:
                consistent = first.earliest_utc == max(start, t0)
            else:
                consistent = first.due_since.astimezone(UTC) == start
            if consistent:
                first_due, min_date, avoid_slot = start, task.min_date, task.avoid_slot
                late_until = timed
    return Decision(
        decided_at=t0,
        idle_until=idle_until,
        kind=first.kind,
        channel=first.channel,
        priority=int(first.priority),
        rules=first.rules,
        reason=first.reason,
        also=first.also,
        earliest=first.earliest_utc,
        latest=first.latest_utc,
        due_since=None if first.due_since is None else first.due_since.astimezone(UTC),
        valid_until=valid_until,
        first_due=first_due,
        min_date=min_date,
        avoid_slot=avoid_slot,
        late_until=late_until,
    )
