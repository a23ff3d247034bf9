"""Talking points: the seeds' scripts, filled with the engine's own decisions (R5, R6, R8–R16).

The texts are policy data (:class:`cadence.policy.Templates`); this module only fills them. Day
names are rendered from a fixed English table, never from the process locale (determinism).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cadence._agenda import Task
from cadence._fold import State
from cadence._words import DAYS
from cadence.actions import ActionKind
from cadence.calendar import ContactCalendar, Window
from cadence.policy import Policy

__all__ = ["part_of_day", "talking_points"]


NextAttempt = Callable[[State, ContactCalendar, datetime], Window | None]


def part_of_day(window: Window) -> str:
    """'Tuesday morning' for a call window, 'Tuesday' for an email one."""
    day = DAYS[window.start.weekday()]
    if window.slot and window.slot_index is not None:
        return f"{day} {window.slot}"
    return day


def talking_points(
    policy: Policy,
    cal: ContactCalendar,
    state: State,
    task: Task,
    window: Window,
    next_attempt: NextAttempt,
) -> tuple[str, ...]:
    """What to say when doing ``task`` in ``window``."""
    t = policy.templates
    kind = task.kind
    conversation = (t.agree_next_contact, t.ask_permission) + (
        (t.ask_channel,) if state["preferred_channel"] is None else ()
    )
    if kind is ActionKind.CALL:
        points: tuple[str, ...] = ()
        if task.ladder:
            following = next_attempt(state, cal, window.start)
            if following is not None:
                template = t.voicemail if following.slot != "email" else t.voicemail_next_is_email
                points = (template.format(next_attempt="on " + part_of_day(following)),)
        if "R14" in task.rules:
            points = (
                "Apologise for cancelling, warmly; propose two or three new times now.",
                "Offer flexibility: before or after hours, or coffee or lunch if they are local.",
            )
        return (*points, *conversation)
    if kind is ActionKind.EMAIL and task.detail and "R6" in task.rules:
        return (t.voicemail_email.format(voicemail_day=task.detail),)
    if kind is ActionKind.EMAIL and "R7" in task.rules:
        return ("Use a subject that refers to their request; keep it short.",)
    if kind is ActionKind.OPT_OUT_OFFER:
        return (t.opt_out_offer,)
    if kind is ActionKind.BREAKUP:
        return (t.breakup,)
    if kind is ActionKind.DRIP_TOUCH:
        return (t.drip_touch,)
    if kind is ActionKind.CONTACT_RECEPTIONIST:
        return (t.receptionist,)
    if kind is ActionKind.ESCALATE:
        if task.detail == "manager_escalation":
            return (t.manager_escalation,)
        return (t.ask_decision_makers,)
    if kind is ActionKind.ATTEND_MEETING:
        return conversation
    return ()
