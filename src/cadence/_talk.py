"""Talking points: the seeds' scripts, filled with the engine's own decisions (R5, R6, R8–R16).

The texts are policy data (:class:`cadence.policy.Templates`); this module only fills them. Day
names and parts of the day are in the templates' locale (:mod:`cadence._words`), never the
process locale (determinism).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from cadence._agenda import ENDED_REASON, Task
from cadence._fold_base import (
    _R14_NO_MEETINGS,
    _R14_REBOOKED,
    COUNTING_KEYS,
    State,
    booked,
)
from cadence._words import day_and_date, day_name, slot_words
from cadence.actions import ActionKind
from cadence.calendar import ContactCalendar, Window, resolve_local
from cadence.channel import Channel
from cadence.policy import Policy, Templates, _meeting_fits

__all__ = ["booked_times", "part_of_day", "propose_times", "talking_points", "voicemail_day"]


NextAttempt = Callable[[State, ContactCalendar, datetime], Window | None]

# Enum members read on the hot path, bound to module names: on Python 3.11 every
# ``Stage.NEW``-style read goes through ``EnumType.__getattr__``'s slot, about 70 ns, ten
# times a global (3.12 dropped the hook). See docs/performance.md.
_EMAIL, _CALL, _ATTEND_MEETING = ActionKind.EMAIL, ActionKind.CALL, ActionKind.ATTEND_MEETING
_OPT_OUT_OFFER, _BREAKUP = ActionKind.OPT_OUT_OFFER, ActionKind.BREAKUP
_DRIP_TOUCH, _CONTACT_RECEPTIONIST = ActionKind.DRIP_TOUCH, ActionKind.CONTACT_RECEPTIONIST
_ESCALATE, _PROPOSE_TIMES = ActionKind.ESCALATE, ActionKind.PROPOSE_TIMES
_SEND_COLLATERAL = ActionKind.SEND_COLLATERAL
_A_WEEK = 7  # days: from then on, "on Tuesday" would be heard as the coming Tuesday
# Less than this after the end of a local day, an instant's local date is less than a week on
# whatever the offsets do (they differ by at most two hours across a change).
_WITHIN_A_WEEK = timedelta(days=5, hours=20)


def part_of_day(window: Window, locale: str = "en", said: datetime | None = None) -> str:
    """'Tuesday morning' for a call window, 'Tuesday' for an email one. Said on ``said`` (the
    prospect's local time) a week or more before, the day has its date: 'Tuesday 10 March,
    morning' (a weekday's name alone would be heard as the coming one). The slot is said as
    :func:`cadence._words.slot_words` says it ('mardi midi'; 'Monday' for a slot named 'day')."""
    near = said is None or (window.start.date() - said.date()).days < _A_WEEK
    day = day_name(window.start, locale) if near else day_and_date(window.start, locale)
    if not window.slot or window.slot_index is None:
        return day
    after_name, after_date = slot_words(window.slot, locale)
    if not after_date:
        return day
    return day + after_name if near else f"{day}, {after_date}"


def voicemail_day(
    policy: Policy, cal: ContactCalendar, state: State, task: Task, window: Window
) -> str:
    """The day of the voicemail the R6 email ``task`` mentions, in the templates' language:
    'Tuesday', or 'Tuesday 3 March' when the email goes out a week or more after it (the rep
    fell behind: "the voicemail I left Tuesday" would then be heard as the last Tuesday).

    The R6 obligation (``Fold._voicemail_email``) is due one reaction delay after its
    voicemail, by the end of the voicemail's local day (``deadline``), and keeps that day's
    English name (``detail``): the name alone, for a state that no longer owes it."""
    # The common case, read without a zone conversion: an English email within days of the
    # voicemail. (The obligation's own task has its deadline; one joined to the ladder's step,
    # ``cadence._one_email``, has the step's.)
    start = window.start_utc
    if (
        task.detail
        and not task.ladder
        and task.deadline is not None
        and start is not None
        and start - task.deadline < _WITHIN_A_WEEK
        and policy.templates.locale == "en"
    ):
        return task.detail
    for o in state["obligations"]:
        if o.key == task.key:
            # In the prospect's zone now, should they have moved since.
            left = cal.local(o.not_before - timedelta(minutes=policy.reaction_minutes))
            break
    else:
        return task.detail or ""
    locale = policy.templates.locale
    if (window.start.date() - left.date()).days < _A_WEEK:
        return day_name(left, locale)
    return day_and_date(left, locale)


def talking_points(
    policy: Policy,
    t: Templates,
    cal: ContactCalendar,
    state: State,
    task: Task,
    window: Window,
    next_attempt: NextAttempt,
) -> tuple[str, ...]:
    """What to say when doing ``task`` in ``window``, in ``t`` (``policy.templates`` as the
    rep reads them: :meth:`Templates.as_said`)."""
    kind = task.kind
    if kind is _EMAIL:  # the most frequent: the R6 voicemail email, R7's switch
        if task.detail and "R6" in task.rules:
            said = t.voicemail_email_opt_out if "R8" in task.rules else t.voicemail_email
            r6 = (said.format(voicemail_day=voicemail_day(policy, cal, state, task, window)),)
            return (t.switch_to_email, *r6) if "R7" in task.rules else r6
        if "R7" in task.rules:
            return (t.switch_to_email,)
        if "R14" in task.rules:  # the apology call's number did not work
            return (t.apology,)
        return ()
    conversation = (
        (t.agree_next_contact, t.ask_permission)
        + ((t.ask_channel,) if state["preferred_channel"] is None else ())
        if kind is _CALL or kind is _ATTEND_MEETING
        else ()
    )
    if kind is _CALL:
        points: tuple[str, ...] = ()
        if (task.ladder or task.key in COUNTING_KEYS) and not booked(state):
            # Its voicemail is an attempt (R5); with a meeting booked, the ladder waits for
            # the meeting to be logged (:func:`cadence._agenda.tasks`): nothing to promise.
            following = next_attempt(state, cal, window.start)
            if following is not None:
                template = t.voicemail if following.slot != "email" else t.voicemail_next_is_email
                when = part_of_day(following, t.locale, said=window.start)
                if t.locale == "en":
                    when = "on " + when
                points = (template.format(next_attempt=when),)
        if "R14" in task.rules:
            if task.reason == _R14_REBOOKED:
                points = (t.apology_call_rebooked,)
            elif task.reason == _R14_NO_MEETINGS:
                points = (t.apology_call_no_meetings,)
            else:
                points = (t.apology_call, t.flexibility_call)
        return (*points, *conversation)
    if kind is _OPT_OUT_OFFER or kind is _BREAKUP:
        said = t.opt_out_offer if kind is _OPT_OUT_OFFER else t.breakup
        if task.detail and "R6" in task.rules:  # the same email follows up a voicemail
            day = voicemail_day(policy, cal, state, task, window)
            return (said, t.voicemail_email.format(voicemail_day=day))
        return (said,)
    if kind is _DRIP_TOUCH:
        return (t.drip_touch,)
    if kind is _CONTACT_RECEPTIONIST:
        return (t.receptionist_by_email if task.channel is Channel.EMAIL else t.receptionist,)
    if kind is _ESCALATE:
        if task.detail == "manager_escalation":
            return (t.manager_escalation,)
        if "referral" in task.flags:  # the prospect named someone else to talk to
            return (t.referral,) if task.detail else (t.referral_unnamed, t.referral)
        return (t.ask_decision_makers,)
    if kind is _ATTEND_MEETING:
        if task.reason == ENDED_REASON:  # (R2: the meeting is over; nothing left to say in it)
            return (t.log_meeting,)
        if task.brings_material:
            return (t.material_at_meeting, *conversation)  # R15: none of it went out before
        return conversation
    if kind is _PROPOSE_TIMES:
        points = (t.send_invitation,)
        if "R14" in task.rules:
            points = (t.flexibility, *points)
            if state["local"]:
                points = (t.meet_locally, *points)
            if "R6" in task.rules:  # the proposal also follows up the apology's voicemail
                points = (t.apology_after_voicemail, *points)
            else:
                points = (t.apology, *points)
        elif "R6" in task.rules:  # after a missed meeting, the email follows up the voicemail
            points = (t.missed_meeting_voicemail, *points)
        if "R17" in task.rules:  # their out-of-office covered the meeting (R15 after R17)
            points = (t.rebook_after_absence, *points)
        elif "R15" in task.rules:
            points = (t.rebook, *points)
        return points
    if kind is _SEND_COLLATERAL:
        points = (t.material_missed_meeting,) if "R15" in task.rules else ()
        if task.channel is Channel.PHONE and Channel.EMAIL in state["unreachable"]:
            return (*points, t.material_email_bounced)
        if task.channel is Channel.PHONE and Channel.EMAIL in state["blocked_channels"]:
            return (*points, t.material_no_email)
        return points or (t.material,)
    return ()


def booked_times(state: State) -> tuple[tuple[datetime, datetime], ...]:
    """The start and end of each meeting booked with the prospect (no new time goes on one)."""
    return tuple(
        (m.starts_at, m.starts_at + timedelta(minutes=m.duration_minutes))
        for m in state["meetings"]
        if m.status == "booked"
    )


def propose_times(
    policy: Policy,
    cal: ContactCalendar,
    after: datetime,
    *,
    flexible: bool,
    busy: tuple[tuple[datetime, datetime], ...] = (),
) -> tuple[datetime, ...]:
    """``policy.proposal_count`` meeting start times on the business days after ``after``,
    rotating through the parts of the day (with before- and after-hours options when
    ``flexible``, R14). A start is offered only where the whole meeting
    (``policy.meeting_minutes``) fits in the day's calling hours (with the outside-hours
    options when ``flexible``), never running past them or over a break, and never over a
    meeting already booked with the prospect (``busy``: its start and end); the part of the
    day the rotation names gives way to the next one free that day. In the prospect's zone;
    never at a non-existent local time."""
    day = cal.local(after).date()
    out: list[datetime] = []
    minutes = policy.meeting_minutes
    length = timedelta(minutes=minutes)
    extra = [(s.start, s.end) for s in policy.flexible_slots] if flexible else []
    offered = tuple(extra)

    def free(start: time) -> bool:
        if not busy:
            return True
        at = resolve_local(day, start, cal.zone)
        return not any(at < end and begin < at + length for begin, end in busy)

    i = 0
    while len(out) < policy.proposal_count and i < 60:
        i += 1
        day = cal.add_business_days(day, 1)
        hours = cal.hours(Channel.PHONE, day)
        slots = [start for start, _ in hours if _meeting_fits(start, minutes, hours)]
        if not slots:
            continue
        starts: list[time] = []
        wider = (*hours, *offered)
        fitting = next(
            (e for e in extra if _meeting_fits(e[0], minutes, wider) and free(e[0])), None
        )
        if fitting is not None:
            extra.remove(fitting)
            starts.append(fitting[0])
        n = len(slots)
        slot = next(
            (s for k in range(n) if free(s := slots[(i - 1 + k) % n])),
            None,
        )
        if slot is not None and slot not in starts:  # an option in the hours (08:00 of
            starts.append(slot)  # 08:00-18:30): offered once
        for start in starts:
            if len(out) < policy.proposal_count:
                out.append(resolve_local(day, start, cal.zone))
    return tuple(out)
