"""From facts to tasks: what is owed, and where the unanswered ladder stands (R2–R13, R16).

A task is an action before it has a window: the engine places each one on the calendar. The
ladder (R3 gap, R4 rotation, R7 channel switch, R8 opt-out offer, R9 escalations, R10 breakup,
R11–R12 drip) is derived here from the prospect's counters, in one place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from cadence._fold_base import CONTACT_KEYS, State, begun_before_pause, booked, lead_channel
from cadence._ladder import ESCALATIONS, ladder_step
from cadence._words import count, day_month
from cadence.actions import ActionKind, Priority, touch_kind
from cadence.calendar import ContactCalendar
from cadence.channel import Channel
from cadence.lifecycle import Stage
from cadence.policy import Policy
from cadence.prospect import Meeting, Obligation

__all__ = [
    "ATTEND_PRIORITY",
    "ATTEND_REASON",
    "ATTEND_RULES",
    "LadderTime",
    "Task",
    "drop_instant",
    "first_drip_due",
    "ladder_channel",
    "ladder_due",
    "ladder_task",
    "ladder_task_at",
    "ladder_time",
    "meetings_to_log",
    "placed_rules",
    "tasks",
]


class Task(NamedTuple):
    """An action to place on the calendar."""

    kind: ActionKind
    channel: Channel | None
    not_before: datetime
    priority: Priority
    rules: tuple[str, ...]
    reason: str
    min_date: date | None = None
    avoid_slot: str | None = None
    exact: bool = False
    deadline: datetime | None = None
    flags: tuple[str, ...] = ()
    detail: str | None = None
    subject: str | None = None
    ladder: bool = False
    """A step of the unanswered ladder (its talking points project the next step, R5)."""
    key: str | None = None
    """The obligation this task performs (None: the ladder, a drip touch, a meeting)."""
    joined: tuple[Task, ...] = ()
    """The tasks this one does at once, each as it was (one touch, :mod:`cadence._one_touch`);
    their obligations are performed by the same touch."""
    brings_material: bool = False
    """A booked meeting the rep brings the material to that could not go out before it (R15,
    :func:`material_at_meeting`)."""


#: A booked meeting's task (and the batch plans' meeting touches, :mod:`cadence.batch`).
ATTEND_PRIORITY, ATTEND_RULES = Priority.PROMISE, ("R2",)
ATTEND_REASON = "attend the booked meeting; agree the next contact before it ends"
ENDED_REASON = "the meeting has ended: log whether it was held or a no-show"

_BOTH = frozenset({Channel.PHONE, Channel.EMAIL})
# Enum members read on the hot path, bound to module names: on Python 3.11 every
# ``Stage.NEW``-style read goes through ``EnumType.__getattr__``'s slot, about 70 ns, ten
# times a global (3.12 dropped the hook). See docs/performance.md.
_BREAKUP = ActionKind.BREAKUP
_DRIP_PRIORITY = Priority.DRIP
_DRIP_TOUCH = ActionKind.DRIP_TOUCH
_EMAIL = Channel.EMAIL
_ENGAGED = Stage.ENGAGED
_FOLLOW_UP = Priority.FOLLOW_UP
_IDLE = Priority.IDLE
_NEW = Stage.NEW
_OPT_OUT_OFFER = ActionKind.OPT_OUT_OFFER
_OPT_OUT_OFFERED = Stage.OPT_OUT_OFFERED
_PHONE = Channel.PHONE
_WAIT = ActionKind.WAIT
_NONE = ActionKind.NONE
_OPTED_OUT, _CLOSED, _DROPPED = Stage.OPTED_OUT, Stage.CLOSED, Stage.DROPPED


_R4_REASON = ", at a different time of day"


def placed_rules(task: Task, slot: str | None) -> tuple[tuple[str, ...], str]:
    """The rules and reason of ``task`` placed in the part of the day ``slot``: R4 ("at a
    different time of day") only when ``slot`` is not the one the last unanswered call was in.
    The calendar gives R4 up when no other part of the day opens within a month (the law may
    close the others, :meth:`ContactCalendar.next_window`), and the action then does not
    claim it."""
    if slot is None or not (
        task.avoid_slot == slot or (task.joined and any(t.avoid_slot == slot for t in task.joined))
    ):
        return task.rules, task.reason
    return tuple(r for r in task.rules if r != "R4"), task.reason.replace(_R4_REASON, "")


@cache
def _reaction(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


def drop_instant(policy: Policy, cal: ContactCalendar, breakup_sent_at: datetime) -> datetime:
    """R10: when an unanswered breakup message turns into ``dropped`` (in UTC)."""
    return cal.start_of(cal.business_date_after(breakup_sent_at, policy.breakup_wait_business_days))


def first_drip_due(policy: Policy, state: State) -> datetime:
    """R11: when the next drip touch comes due: a drip interval after the last drip touch or
    the drop, whichever came later. (A prospect who answered a drip touch and was dropped
    again after a new ladder starts a new drip from that drop, not from the old touch.)"""
    last, dropped = state["last_drip_at"], state["dropped_at"]
    base = last if dropped is None or (last is not None and last > dropped) else dropped
    if base is None:
        base = state["last_event_at"]
    due: datetime = base + timedelta(days=policy.drip_interval_days)
    return due


def tasks(policy: Policy, cal: ContactCalendar, state: State, now: datetime) -> list[Task]:
    """Everything currently owed to the prospect, unplaced."""
    stage = state["stage"]
    if stage is _OPTED_OUT:
        return [_none(now, ("R13",), "opted out: no contact on any channel unless they opt in")]
    if stage is _CLOSED:
        return [_none(now, (), "closed: the deal is done")]
    if state["obligations"] or booked(state):
        out = _owed(policy, cal, state, now)
    else:  # the common case: nothing promised, nothing booked, only the ladder
        step = ladder_task(policy, cal, state)
        out = [] if step is None else [step]
    if not out:
        owed = ladder_step(policy, state)
        if stage is _DROPPED and owed is None:  # (with permission: a drip no channel carries)
            out.append(
                _none(
                    now,
                    ("R12",),
                    "dropped without permission to recontact: nothing until they reach out",
                )
            )
        elif owed is not None and _unreachable(policy, state, owed):
            offer = owed == _OPT_OUT_OFFER
            out.append(
                _none(
                    now,
                    ("R8",) if offer else ("R10",),
                    f"unreachable: {state['calls_unheard']} calls in a row nobody heard, and no "
                    f"email for the {'opt-out offer' if offer else 'breakup'}; log a new "
                    "number or address (contact_updated)",
                )
            )
        else:
            out.append(_no_channel(state, now))
    return out


#: What failed on each channel, and what the rep is to find (``_no_channel``).
_FAILED = {_PHONE: ("their number is wrong", "number"), _EMAIL: ("their email bounced", "address")}
_REFUSED = {_PHONE: "they opted out of calls", _EMAIL: "they opted out of email"}


def _no_channel(state: State, now: datetime) -> Task:
    """R2 when neither phone nor email works: nothing can be sent, but the prospect is not
    forgotten. The action says what failed (a bounce, a wrong number: not an opt-out, R13,
    unless they also refused the other channel) and the fix: find a new number or address
    and log it (``contact_updated``), which reopens the channel."""
    failed = [c for c in (_PHONE, _EMAIL) if c in state["unreachable"]]
    if not failed:  # (refused both without being opted out: a state stored before failures)
        return _none(now, ("R13",), "no usable channel left for this prospect")
    refused = [_REFUSED[c] for c in (_PHONE, _EMAIL) if c not in failed]
    what = " and ".join([*(_FAILED[c][0] for c in failed), *refused])
    find = " or ".join(_FAILED[c][1] for c in failed)
    rules = ("R2", "R13") if refused else ("R2",)
    return _none(
        now, rules, f"no channel works: {what}; find a new {find} and log it (contact_updated)"
    )


def _owed(policy: Policy, cal: ContactCalendar, state: State, now: datetime) -> list[Task]:
    """The obligations, the booked meetings, and the ladder unless a contact is owed or a
    meeting is booked (not yet logged held or missed)."""
    blocked = state["blocked_channels"]
    after_call = _r14_call_start(policy, cal, state, now)
    late = material_at_meeting(cal, state, now)
    out = []
    has_contact = False  # (a contact owed holds the ladder back, below)
    for o in state["obligations"]:
        # Read once (an obligation is frozen): a pydantic model's attribute read goes through
        # its class's ``__getattr__`` hook (see ``Engine.apply``), and a task copies a dozen.
        f = o.__dict__
        key, channel, not_before, rules = f["key"], f["channel"], f["not_before"], f["rules"]
        has_contact = has_contact or key in CONTACT_KEYS
        if channel in blocked or (late and key in late):
            continue
        days = f["business_days"]
        out.append(
            Task(
                kind=f["kind"],
                channel=channel,
                not_before=(
                    max(not_before, after_call)
                    if after_call is not None and key != "reschedule_call" and "R14" in rules
                    else not_before
                ),
                priority=f["priority"],
                rules=rules,
                reason=f["reason"],
                min_date=cal.business_date_after(not_before, days) if days else None,
                exact=f["exact"],
                deadline=f["deadline"],
                flags=f["flags"],
                detail=f["detail"],
                key=key,
            )
        )
    for m in state["meetings"]:
        if m.status == "booked":
            out.append(_meeting_task(m, now, late))
    if any(m.status in _CALLED_OFF_BY_THEM for m in state["meetings"]):
        out = [_after_a_no_show(cal, state, t) for t in out]
    # The ladder chases a prospect nobody is talking to. A booked meeting is the next contact
    # until it is logged held or missed: ahead, under way, or over with neither logged (what
    # follows it, an agreed contact or the repair of a no-show, comes from that log).
    if not has_contact and not booked(state):
        step = ladder_task(policy, cal, state)
        if step is not None:
            out.append(step)
    return out


def _meeting_task(m: Meeting, now: datetime, late: frozenset[str]) -> Task:
    """The booked meeting ``m``'s task as of ``now``: attend it, or log it once it has ended."""
    end = m.starts_at + timedelta(minutes=m.duration_minutes)
    return Task(
        kind=ActionKind.ATTEND_MEETING,
        channel=Channel.MEETING,
        not_before=m.starts_at,
        priority=ATTEND_PRIORITY,
        rules=ATTEND_RULES,
        reason=ENDED_REASON if now >= end else ATTEND_REASON,
        exact=True,
        deadline=end,
        detail=m.id,
        brings_material=f"collateral:{m.id}" in late,
    )


def meetings_to_log(cal: ContactCalendar, state: State, now: datetime) -> list[Task]:
    """R2 under R17: while a pause holds, the tasks of the meetings the rep is to log all the
    same, as of ``now`` (:func:`cadence._fold_base.begun_before_pause`): placed from ``now``,
    not from the prospect's return. Empty when there is none, or no pause."""
    meetings = begun_before_pause(state)
    if not meetings:
        return []
    late = material_at_meeting(cal, state, now)
    return [_meeting_task(m, now, late) for m in meetings]


def material_at_meeting(cal: ContactCalendar, state: State, now: datetime) -> frozenset[str]:
    """R15: the keys of the material owed before a rebooked meeting that can no longer go out
    before it, as of ``now``: the meeting has started, or its channel's hours (the email's, or
    the phone's when the address bounced) open no moment between ``now`` and its start. It is
    not asked for then (sent "before the meeting" after it began is no instruction a rep can
    follow): the rep brings it to the meeting (``Templates.material_at_meeting``), and the
    meeting, held, performs it."""
    late: set[str] = set()
    for o in state["obligations"]:
        deadline = o.deadline
        if deadline is None or not o.key.startswith("collateral:") or "R15" not in o.rules:
            continue
        if not any(m.id == o.detail and m.status == "booked" for m in state["meetings"]):
            continue
        if now < deadline:
            after = max(o.not_before, now)
            back = state["paused_until"] or state["resumed_at"]
            if back is not None and o.not_before < back:  # R17: from their return
                after = max(after, back)
            recent = state["recent_calls"] if o.channel is _PHONE else ()
            window = cal.next_window(o.channel or _EMAIL, after, recent=recent)
            start = window.start_utc or window.start.astimezone(UTC)
            if start < deadline:
                continue
        late.add(o.key)
    return frozenset(late)


#: R15 after the rebooked meeting was missed too: the material is for the next one.
MISSED_MATERIAL_WITH_TIMES = (
    "they missed the rescheduled meeting: send the additional information with the new times, "
    "to make the next meeting more productive"
)
MISSED_MATERIAL = (
    "they missed the rescheduled meeting: send the additional information that will make the "
    "next meeting more productive"
)
#: R15 after the prospect cancelled the rebooked meeting too: the material is for the next one.
CANCELLED_MATERIAL_WITH_TIMES = (
    "they cancelled the rescheduled meeting: send the additional information with the new "
    "times, to make the next meeting more productive"
)
CANCELLED_MATERIAL = (
    "they cancelled the rescheduled meeting: send the additional information that will make "
    "the next meeting more productive"
)
_REPAIRS = ("propose_times", "no_show_call")
#: A meeting the prospect did not come to: missed, or cancelled (R15).
_CALLED_OFF_BY_THEM = frozenset({"no_show", "cancelled_by_prospect"})


def _after_a_no_show(cal: ContactCalendar, state: State, task: Task) -> Task:
    """R15: ``task``, the material owed before a rebooked meeting the prospect then missed
    or cancelled, is for the meeting after it: it goes with the repair on its channel (the
    offer of new times, else the call to reschedule a missed one), whenever that is due, with
    no deadline (the meeting it was to come before will not take place, and it is not overdue
    for it). Without either, it is due from the missed meeting's end, or from the new times
    owed for the cancelled one (on another channel). (Any other task is returned as it is.)"""
    key = task.key
    if key is None or not key.startswith("collateral:") or "R15" not in task.rules:
        return task
    off = next(
        (m for m in state["meetings"] if m.id == task.detail and m.status in _CALLED_OFF_BY_THEM),
        None,
    )
    if off is None:
        return task
    missed = off.status == "no_show"
    obligations = state["obligations"]
    repair = next(
        (o for k in _REPAIRS for o in obligations if o.key == k and o.channel is task.channel),
        None,
    )
    if repair is None:
        if missed:
            after = off.starts_at + timedelta(minutes=off.duration_minutes)
        else:
            after = next(
                (o.not_before for o in obligations if o.key == "propose_times"), task.not_before
            )
        return task._replace(
            not_before=max(task.not_before, after),
            deadline=None,
            reason=MISSED_MATERIAL if missed else CANCELLED_MATERIAL,
        )
    with_times = repair.key == "propose_times"
    if missed:
        reason = MISSED_MATERIAL_WITH_TIMES if with_times else MISSED_MATERIAL
    else:
        reason = CANCELLED_MATERIAL_WITH_TIMES if with_times else CANCELLED_MATERIAL
    return task._replace(
        not_before=repair.not_before,
        min_date=(
            cal.business_date_after(repair.not_before, repair.business_days)
            if repair.business_days
            else None
        ),
        deadline=None,
        reason=reason,
    )


def _r14_call_start(
    policy: Policy, cal: ContactCalendar, state: State, now: datetime
) -> datetime | None:
    """R14: when the rep cancelled, the apology goes by phone first; the written proposals
    and the material follow the call, never precede it (when email hours open earlier, or
    when the call was missed and the law's lunch break holds it back). The call waits for a
    call owed a moment later (one touch, :func:`cadence._one_touch.touchmates`), and what is
    written waits with it. (Waiting for every later call within the reaction delay, even one
    whose window would close first, holds the writing back a few minutes at most.)"""
    blocked = state["blocked_channels"]
    obligations = state["obligations"]
    call = next((o for o in obligations if o.key == "reschedule_call"), None)
    if call is None or call.channel in blocked:
        return None
    recent = state["recent_calls"]
    start = _phone_start(cal, call, now, recent)
    others = [o for o in obligations if o is not call and o.channel is _PHONE]
    if others and _PHONE not in blocked:
        reach = timedelta(minutes=policy.reaction_minutes)
        for at in sorted(_phone_start(cal, o, now, recent) for o in others):
            if at > start + reach:
                break
            start = max(start, at)
    return start


def _phone_start(
    cal: ContactCalendar, o: Obligation, now: datetime, recent: tuple[datetime, ...]
) -> datetime:
    """When the call ``o`` asks for may start, as of ``now``."""
    floor = max(o.not_before, now)
    gap = cal.business_date_after(o.not_before, o.business_days) if o.business_days else None
    window = cal.next_window(_PHONE, floor, min_date=gap, recent=recent)
    start: datetime = window.start_utc or window.start.astimezone(UTC)
    return start


def _none(now: datetime, rules: tuple[str, ...], reason: str) -> Task:
    return Task(_NONE, None, now, _IDLE, rules, reason)


class LadderTime(NamedTuple):
    """When the ladder's next task may start: after ``not_before``, and on the local date
    ``gap`` business days after ``base`` or later (no such date when ``base`` is None)."""

    step: ActionKind | None
    """The ladder step (:func:`ladder_step`), or None for the R10 wait on the breakup."""
    not_before: datetime
    base: datetime | None
    """The instant the business-day gap counts from (R3's last attempt, R8's offer)."""
    gap: int
    """The business-day gap (R3, or R8's longer one): the task's first local date is
    ``cal.business_date_after(base, gap)``."""


def ladder_time(policy: Policy, cal: ContactCalendar, state: State) -> LadderTime | None:
    """When the ladder's next task (:func:`ladder_task`) may start, without writing it; None
    when the ladder has no task. A planner asking about one day drops most prospects on this
    alone (their next attempt's gap ends after the day); :func:`ladder_task` builds on it."""
    step = ladder_step(policy, state)
    if step is None:
        if state["stage"] is _OPT_OUT_OFFERED and state["breakup_sent_at"] is not None:
            drop = drop_instant(policy, cal, state["breakup_sent_at"])
            return LadderTime(None, drop, None, 0)
        return None
    if state["blocked_channels"] >= _BOTH or _unreachable(policy, state, step):
        return None
    if step == _DRIP_TOUCH:
        return LadderTime(step, first_drip_due(policy, state), None, 0)
    last = state["last_attempt_at"]
    if last is None and state["stage"] is _NEW:  # R2: a first touch at once
        return LadderTime(step, state["enrolled_at"], None, 0)
    base: datetime = state["last_event_at"] if last is None else last
    if state["stage"] is _ENGAGED:
        # From the response that engaged them, or a later attempt (R3); a state stored before
        # responses were kept counts from its last event, as it did then.
        response = state["last_response_at"]
        if response is None:
            base = state["last_event_at"]
        elif last is None or response > last:
            base = response
    gap = policy.min_gap_business_days
    if step == _BREAKUP or step in ESCALATIONS:
        offered = state["opt_out_offered_at"]
        if offered is not None and (state["escalations_done"] == 0 or offered >= base):
            # R8: a longer gap after the offer; never shorter than R3's gap. An attempt made
            # since (a call that rang out, say) keeps R3's gap from it, and R8's still holds.
            # (After an escalation, only an offer made again, its email having bounced.)
            longer = max(policy.opt_out_gap_business_days, gap)
            if base == offered or cal.business_date_after(
                offered, longer
            ) >= cal.business_date_after(base, gap):
                base, gap = offered, longer
    return LadderTime(step, base + _reaction(policy.reaction_minutes), base, gap)


def _unreachable(policy: Policy, state: State, step: ActionKind) -> bool:
    """Whether the ladder's offer (R8) or breakup (R10) waits for a new number or address:
    ``unheard_calls_limit`` calls in a row nobody heard, and no email to carry it."""
    return (
        state["calls_unheard"] >= policy.unheard_calls_limit
        and step in (_OPT_OUT_OFFER, _BREAKUP)
        and _EMAIL in state["blocked_channels"]
    )


def ladder_due(cal: ContactCalendar, when: LadderTime) -> datetime:
    """When the ladder's task at ``when`` (:func:`ladder_time`) first may be done: its
    ``not_before``, or the start of the first local date its business-day gap allows."""
    due = when.not_before
    if when.base is not None:
        start = cal.start_of(cal.business_date_after(when.base, when.gap))
        if start > due:
            due = start
    return due


def ladder_task(policy: Policy, cal: ContactCalendar, state: State) -> Task | None:
    """The ladder's next task, written out (its channel, gap, rules and reason)."""
    when = ladder_time(policy, cal, state)
    return None if when is None else ladder_task_at(policy, cal, state, when)


def ladder_channel(policy: Policy, state: State, step: ActionKind) -> Channel:
    """The channel of the ladder's ``step`` (:func:`ladder_step`; not the R10 wait): R16's
    lead channel, R7's switch to email, and the channels the breakup, escalations and drip
    touches go by."""
    blocked = state["blocked_channels"]
    if step == _DRIP_TOUCH:
        preferred: Channel | None = state["preferred_channel"]
        if preferred is not None and preferred not in blocked:
            return preferred
        return _EMAIL if _EMAIL not in blocked else _PHONE
    if step == _BREAKUP:
        return _EMAIL if _EMAIL not in blocked else _PHONE
    if step in ESCALATIONS:
        return _PHONE if _PHONE not in blocked else _EMAIL
    lead = lead_channel(state)
    if state["last_attempt_at"] is None and state["stage"] is _NEW:  # R2: at once
        return lead
    if lead is _PHONE and _by_email(policy, state, step) is not None:
        return _EMAIL
    return lead


def _by_email(policy: Policy, state: State, step: ActionKind) -> str | None:
    """Why a plain attempt or the opt-out offer, which the phone leads to, goes by email
    instead (R7), or None. R7: after ``switch_channel_after`` calls in a row unanswered,
    unless the prospect prefers the phone. The offer (R8) goes by voice, since a voicemail
    says it, until a call failed to say it (:func:`_offer_failed`); and once
    ``unheard_calls_limit`` calls in a row nobody heard, it goes by email even to a prospect
    who prefers the phone: otherwise it is never made."""
    if _EMAIL in state["blocked_channels"]:
        return None
    offer = step == _OPT_OUT_OFFER
    if offer and state["calls_unheard"] >= policy.unheard_calls_limit:
        return f"{count(state['calls_unheard'], 'call')} nobody heard"
    if (
        state["preferred_channel"] != _PHONE
        and state["calls_unanswered"] >= policy.switch_channel_after
        and (not offer or _offer_failed(policy, state))
    ):
        return f"{count(state['calls_unanswered'], 'call')} unanswered"
    return None


def _offer_failed(policy: Policy, state: State) -> bool:
    """Whether a touch already failed to make the opt-out offer (R8): one made while it was
    owed that did not say it (a call that rang out) counted as an attempt past the offer's
    number. The offer goes by voice (a voicemail says it) until calls fail to say it; then R7
    moves it to email, as it moves a plain attempt, and the ladder goes on."""
    return bool(state["unanswered"] > policy.opt_out_offer_after)


_tuple_new = tuple.__new__


def _step(
    kind: ActionKind,
    channel: Channel,
    not_before: datetime,
    rules: tuple[str, ...],
    reason: str,
    min_date: date | None,
    avoid_slot: str | None = None,
    subject: str | None = None,
    detail: str | None = None,
) -> Task:
    """A step of the ladder as a :class:`Task` (a follow-up, ``ladder=True``), built as the
    tuple it is: ``Task(...)`` binds its seventeen fields by name, about twice the cost, and a
    step asks for one. ``tests/test_agenda.py`` holds the two equal, field by field."""
    return _tuple_new(
        Task,
        (
            kind,
            channel,
            not_before,
            _FOLLOW_UP,
            rules,
            reason,
            min_date,
            avoid_slot,
            False,  # exact
            None,  # deadline
            (),  # flags
            detail,
            subject,
            True,  # ladder
            None,  # key
            (),  # joined
            False,  # brings_material
        ),
    )


def ladder_task_at(policy: Policy, cal: ContactCalendar, state: State, when: LadderTime) -> Task:
    """:func:`ladder_task` for a :func:`ladder_time` already asked (a planner asks it first)."""
    step = when.step
    if step is None:
        drop = when.not_before
        return Task(
            _WAIT,
            None,
            drop,
            _IDLE,
            ("R10",),
            f"the breakup message went out; without an answer by "
            f"{day_month(cal.local(drop))} the prospect is dropped",
        )
    blocked = state["blocked_channels"]
    lead = lead_channel(state)
    preferred = state["preferred_channel"]
    r16 = ("R16",) if preferred is not None and lead == preferred else ()
    if step == _DRIP_TOUCH:
        channel = _EMAIL if _EMAIL not in blocked else _PHONE
        if preferred is not None and preferred not in blocked:
            channel = preferred  # R16: the channel they said they prefer leads, the drip too
        drip_rules = ("R11", "R12") if policy.drip_requires_permission else ("R11",)
        reason = "a slow drip keeps you top of mind until they are ready"
        avoid = state["last_attempt_slot"] if channel is _PHONE else None
        if avoid is not None and cal.rotates(_PHONE):
            # R4: a drip call after an unanswered call goes at another time of day, as the
            # ladder's do (placing drops R4 again when the law leaves no other part open).
            drip_rules, reason = (*drip_rules, "R4"), reason + _R4_REASON
        return Task(
            _DRIP_TOUCH,
            channel,
            when.not_before,
            _DRIP_PRIORITY,
            (*drip_rules, "R16") if channel == preferred else drip_rules,
            reason,
            None,
            avoid,
        )
    if state["last_attempt_at"] is None and state["stage"] is _NEW:  # R2: at once
        return _step(touch_kind(lead), lead, when.not_before, ("R2", *r16), "first contact", None)
    gap = when.gap
    min_date = None if when.base is None else cal.business_date_after(when.base, gap)
    channel = lead
    last_slot = state["last_attempt_slot"]
    # R4: a call to the prospect after an unanswered one goes at another time of day, be it a
    # plain attempt, the offer (R8) or the breakup (R10). (Not an escalation: it calls
    # someone else, R9.)
    rotate = last_slot is not None and cal.rotates(_PHONE)
    if step == _BREAKUP:
        channel = _EMAIL if _EMAIL not in blocked else _PHONE
        r4 = channel is _PHONE and rotate
        return _step(
            _BREAKUP,
            channel,
            when.not_before,
            ("R10", "R8", "R4") if r4 else ("R10", "R8"),
            "last resort: tell them you are closing their file" + (_R4_REASON if r4 else ""),
            min_date,
            last_slot if channel is _PHONE else None,
        )
    if step in ESCALATIONS:
        which = policy.escalations[state["escalations_done"]]
        return _step(
            step,
            _PHONE if _PHONE not in blocked else _EMAIL,
            when.not_before,
            ("R9",),
            which.replace("_", " "),
            min_date,
            detail=which,
        )
    rules: tuple[str, ...] = ("R3",)
    subject = None
    # R7: the phone keeps failing, so the step goes by email
    switch = _by_email(policy, state, step) if channel is _PHONE else None
    if switch:
        channel = _EMAIL
        # One line: a CRM's topic may hold a line break or stray spaces, or only spaces.
        topic = " ".join((state["topic"] or "").split()) or "your project"
        subject = policy.templates.switch_to_email_subject.format(topic=topic)
    if step == _OPT_OUT_OFFER:
        kind = _OPT_OUT_OFFER
        rules = ("R8", "R3")
        attempts = count(state["unanswered"], "unanswered attempt")
        reason = f"{attempts}: offer them a graceful way out"
        if state["stage"] is _OPT_OUT_OFFERED:  # the emailed offer bounced (R8)
            reason = "the opt-out offer emailed to them bounced: make it again"
        if switch:  # (calls that rang out never made it)
            rules = ("R8", "R3", "R7")
            reason += f", by email: {switch}"
        elif channel is _PHONE and rotate:
            rules = ("R8", "R3", "R4")
            reason += _R4_REASON
    else:
        if switch:
            rules = ("R3", "R7")
            reason = f"{switch}: switch to email"
        else:
            reason = f"attempt {state['unanswered'] + 1} after {count(gap, 'business day')}"
            if channel is _PHONE and rotate:
                rules = ("R3", "R4")
                reason += _R4_REASON
        kind = touch_kind(channel)
    return _step(
        kind,
        channel,
        when.not_before,
        (*rules, *r16),
        reason,
        min_date,
        last_slot if channel is _PHONE else None,
        subject,
    )
