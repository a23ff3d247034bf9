"""One touch, not two: the calls, or the emails, a prospect is owed that start at the same moment
are one action.

After a missed meeting the rep owes a call to reschedule; an agreed call the rep never made is
overdue at the same moment; the email bounced, so the new times and the promised material went
to the phone. Or, after the rep cancels a meeting (R14), the new times and the material are owed
by email at once. Named one at a time, each would come due again the minute the rep is done: a
rep does not call a prospect twice in a minute to say two things, nor write twice. So the plan
and the next action join them: the most urgent, with the others' rules, reasons and talking
points, and the other kinds in ``Action.also``. One ``call_attempted`` (or ``email_sent``)
performs them all (``Engine._named``, ``Fold.fulfil``).

What joins is what goes to the prospect: obligations (a call, an email, new times, material),
and the ladder's call or plain email (R7's switch) when it is due at that moment too (then the
one touch is the ladder's attempt, R3). A touch to someone else (the receptionist, a referral,
a manager) is another touch, and so are the ladder's opt-out offer (R8) and breakup (R10):
those join only the R6 email (:mod:`cadence._one_email`), which every ladder email joins first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from cadence._agenda import Task
from cadence._one_email import one_email, partner
from cadence._placing import Spot, placed_key
from cadence.actions import ActionKind
from cadence.calendar import ContactCalendar
from cadence.channel import Channel

__all__ = ["as_touches", "first_touch", "one_touch", "touchmates"]

_PHONE = Channel.PHONE
_EMAIL = Channel.EMAIL
_CALL = ActionKind.CALL
_EMAIL_KIND = ActionKind.EMAIL
_TO_THEM = frozenset(
    {ActionKind.CALL, ActionKind.EMAIL, ActionKind.PROPOSE_TIMES, ActionKind.SEND_COLLATERAL}
)
_SAME = {_PHONE: "; in the same call: ", _EMAIL: "; in the same email: "}


def _to_them(task: Task) -> bool:
    """A call or an email to the prospect: an obligation, or the ladder's call or email."""
    channel = task.channel
    if channel is not _PHONE and channel is not _EMAIL:
        return False
    if task.ladder:  # its call, or its plain email (R7's switch), not the R8 offer or R10
        return task.kind is (_CALL if channel is _PHONE else _EMAIL_KIND)
    return task.key is not None and task.kind in _TO_THEM


def touchmates(best: Spot, spots: Iterable[Spot]) -> list[Spot]:
    """When ``best`` is a call or an email the prospect is owed, the others on its channel
    among ``spots`` that start with it (in their order in ``spots``): one touch does them all
    (:func:`one_touch`)."""
    task = best.task
    if not _to_them(task):
        return []
    start, channel = best.start_utc, task.channel
    return [
        s
        for s in spots
        if s is not best and s.start_utc == start and s.task.channel is channel and _to_them(s.task)
    ]


def one_touch(best: Spot, mates: list[Spot]) -> Spot:
    """``best`` doing its ``mates`` too: placed as ``best`` (its kind, its window, shortened to
    the earliest end among them), with every rule, flag and reason, and the first subject
    (R7's, when the ladder's email joins). ``joined`` holds each task
    as it was (their keys are performed by the same touch, their talking points said); it
    counts on the ladder (``ladder``) when one of them is the ladder's step."""
    task = best.task
    rules = list(task.rules)
    flags = list(task.flags)
    reason = task.reason
    same = _SAME[task.channel]  # type: ignore[index]  # (a phone or email task: touchmates)
    end, end_utc = best.end, best.end.astimezone(UTC)
    for mate in mates:
        other = mate.task
        rules += [r for r in other.rules if r not in rules]
        flags += [f for f in other.flags if f not in flags]
        reason += same + other.reason
        mate_end = mate.end.astimezone(UTC)
        if mate_end < end_utc:
            end, end_utc = mate.end, mate_end
    joined = task._replace(
        rules=tuple(rules),
        flags=tuple(flags),
        reason=reason,
        subject=next((m.task.subject for m in mates if m.task.subject), None)
        if task.subject is None
        else task.subject,
        ladder=task.ladder or any(m.task.ladder for m in mates),
        joined=(task, *(m.task for m in mates)),
    )
    spot_flags = (*best.flags, *(f for f in flags if f not in best.flags))
    return best._replace(task=joined, end=end, flags=spot_flags)


def as_touches(spots: list[Spot]) -> list[Spot]:
    """``spots`` (in :func:`cadence._placing.placed_key` order) as the touches a rep makes, in
    that order: first the R6 email joined to the ladder's written step that starts with it
    (one email, :mod:`cadence._one_email`), then what is owed to the prospect that starts
    together (one touch). The plan, the next action and what a touch performs all read this
    one list, so they agree however many tasks start at one moment. (A new list: ``spots``
    is left as it was.)"""
    spots = list(spots)
    for spot in spots:
        other = partner(spot, spots)
        if other is not None:
            joined = one_email(spot, other)
            spots = [joined if s is spot else s for s in spots if s is not other]
            break
    i = 0
    while i < len(spots):
        mates = touchmates(spots[i], spots)
        if mates:
            spots[i] = one_touch(spots[i], mates)
            spots = [s for s in spots if all(s is not m for m in mates)]
        i += 1
    return spots


def first_touch(best: Spot, spots: list[Spot], cal: ContactCalendar) -> Spot:
    """``as_touches(spots)[0]`` where ``best`` is the first of ``spots`` in
    :func:`cadence._placing.placed_key` order, without ordering the rest (the next action
    and a touch need only the first)."""
    rest = spots
    for spot in spots:
        other = partner(spot, spots)
        if other is not None:
            joined = one_email(spot, other)
            if spot is best or other is best:
                best = joined
            rest = [joined if s is spot else s for s in spots if s is not other]
            break
    mates = touchmates(best, rest)
    if not mates:
        return best
    if len(mates) > 1:
        mates.sort(key=lambda s: placed_key(s, cal))
    return one_touch(best, mates)
