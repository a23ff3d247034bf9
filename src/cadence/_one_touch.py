"""One touch, not two: the calls, or the emails, a prospect is owed that start at the same moment,
or a reaction delay apart, are one action.

After a missed meeting the rep owes a call to reschedule; an agreed call the rep never made is
overdue at the same moment; the email bounced, so the new times and the promised material went
to the phone. Or, after the rep cancels a meeting (R14), the new times and the material are owed
by email at once. Named one at a time, each would come due again the minute the rep is done: a
rep does not call a prospect twice in a minute to say two things, nor write twice. So the plan
and the next action join them: the most urgent, with the others' rules, reasons and talking
points, and the other kinds in ``Action.also``. One ``call_attempted`` (or ``email_sent``)
performs them all (``cadence._choosing.named``, ``Fold.fulfil``).

The same holds a few minutes apart: the rep cancels a meeting while an agreed call is overdue,
and the apology call (R14) is due one reaction delay later (an event's work never falls due at
the event itself, DESIGN §4). The overdue call waits those minutes, and one call does both,
when the later may start, led by the most urgent. Only while the first one's window is open:
a call is not held over a lunch break or to the next day to join another. And never past an
agreed contact's grace (R1: the agreed time is kept): what falls due after it, within a
reaction delay, is done in the agreed call, early, rather than the agreed call late.

What joins is what goes to the prospect: obligations (a call, an email, new times, material),
and the ladder's call or plain email (R7's switch) when it is due at that moment too (then the
one touch is the ladder's attempt, R3). A touch to someone else (the receptionist, a referral,
a manager) is another touch, and so are the ladder's opt-out offer (R8) and breakup (R10):
those join only the R6 email (:mod:`cadence._one_email`), which every ladder email joins first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from cadence._agenda import Task
from cadence._one_email import one_email, partner
from cadence._placing import Spot, placed_key, task_order, utc_bounds
from cadence.actions import ActionKind
from cadence.calendar import ContactCalendar
from cadence.channel import Channel

__all__ = ["JOINED_SAYS", "as_touches", "first_touch", "one_touch", "touchmates"]

_PHONE = Channel.PHONE
_EMAIL = Channel.EMAIL
_CALL = ActionKind.CALL
_EMAIL_KIND = ActionKind.EMAIL
_TO_THEM = frozenset(
    {ActionKind.CALL, ActionKind.EMAIL, ActionKind.PROPOSE_TIMES, ActionKind.SEND_COLLATERAL}
)
#: How a touch's reason joins another's (one call, or one email, does both).
JOINED_SAYS = {_PHONE: "; in the same call: ", _EMAIL: "; in the same email: "}
_SAME = JOINED_SAYS
_NO_REACH = timedelta(0)


def _to_them(task: Task) -> bool:
    """A call or an email to the prospect: an obligation, or the ladder's call or email."""
    channel = task.channel
    if channel is not _PHONE and channel is not _EMAIL:
        return False
    if task.ladder:  # its call, or its plain email (R7's switch), not the R8 offer or R10
        return task.kind is (_CALL if channel is _PHONE else _EMAIL_KIND)
    return task.key is not None and task.kind in _TO_THEM


def _graced(spot: Spot) -> bool:
    """Whether ``spot``'s window ends with the grace of an agreed contact (R1), on time: an
    exact task placed at the agreed time, neither moved nor overdue."""
    return spot.task.exact and spot.due_since is None and "moved" not in spot.flags


_OPEN = datetime.max.replace(tzinfo=UTC)


def _hard_end(spot: Spot, cal: ContactCalendar | None, reach: timedelta) -> datetime:
    """When ``spot``'s window closes for joining (:func:`touchmates`): its end, but never for
    an agreed contact's grace (what falls due after it is pulled into the agreed call:
    :func:`_kept`), and not where the next part of the day follows at once (R4's slots do not
    cut the hours) unless its deadline or R4 ends it there. A rep does not call at 10:25 for
    the call agreed at 10:00 and again at 10:30 for a missed meeting, nor at 11:59 for the
    missed meeting and at 12:00 for the agreed call: one call does both."""
    if _graced(spot):
        return _OPEN
    end = spot.end.astimezone(UTC)
    task = spot.task
    if cal is None or task.avoid_slot is not None or spot.due_since is not None:
        return end
    if task.deadline is not None and task.deadline <= end:
        return end
    more: datetime = cal.runs_on(task.channel, end, end + reach)  # type: ignore[arg-type]
    return more if task.deadline is None or task.deadline > more else task.deadline


def touchmates(
    best: Spot,
    spots: Iterable[Spot],
    reach: timedelta = _NO_REACH,
    cal: ContactCalendar | None = None,
) -> list[Spot]:
    """When ``best`` is a call or an email the prospect is owed, the others on its channel
    among ``spots`` that start with it, or up to ``reach`` (the policy's reaction delay) after
    it or after another that joins, while every window among them is still open (in their
    order in ``spots``): one touch does them all (:func:`one_touch`), when the last of them
    may start, but never past an agreed contact's grace (R1): those due after it are done
    early, in the agreed call. A rep does not call twice in five minutes because an overdue
    call and the apology for a meeting just cancelled fell due five minutes apart, nor a
    third time a minute later for a call agreed then."""
    task = best.task
    if not _to_them(task):
        return []
    start, channel = best.start_utc, task.channel
    mates: list[Spot] = []
    later: list[Spot] = []
    for s in spots:
        if s is best or s.task.channel is not channel or not _to_them(s.task):
            continue
        at = s.start_utc
        if at == start:
            mates.append(s)
        elif reach and at > start and not s.task.joined:
            later.append(s)
    if not later:
        return mates
    # The touch waits for the last mate: each joins within a reaction delay of the one before,
    # and only while every window so far is open, but never past an agreed contact's grace
    # (R1): what falls due after it (within a reaction delay) is done early, in the agreed
    # call (:func:`_kept`), and the touch waits no longer.
    end = min([_hard_end(best, cal, reach), *(_hard_end(m, cal, reach) for m in mates)])
    kept = min([_OPEN, *(_grace_end(s) for s in (best, *mates))])
    last = start
    chosen: set[int] = set()
    for s in sorted(later, key=lambda s: s.start_utc):
        if s.start_utc > last + reach or s.start_utc >= end:
            break
        chosen.add(id(s))
        if s.start_utc >= kept:
            continue  # pulled into the agreed call: it neither moves the touch nor closes it
        last = s.start_utc
        end = min(end, _hard_end(s, cal, reach))
        kept = min(kept, _grace_end(s))
    if not chosen:
        return mates
    return [s for s in spots if id(s) in chosen or any(s is m for m in mates)]


def one_touch(best: Spot, mates: list[Spot], cal: ContactCalendar | None = None) -> Spot:
    """``best`` doing its ``mates`` too: placed as ``best`` (its kind, its window, shortened to
    the earliest end among them), with every rule, flag and reason, and the first subject
    (R7's, when the ladder's email joins). ``joined`` holds each task
    as it was (their keys are performed by the same touch, their talking points said); it
    counts on the ladder (``ladder``) when one of them is the ladder's step.

    When a mate starts later (within the reaction delay, :func:`touchmates`), the touch starts
    with the last of them (not past an agreed contact's grace: :func:`_kept`), in the part of
    the day it starts in, led by the most urgent (in ``cal``'s :func:`task_order`), and is
    overdue if any of them was."""
    last = _kept(best, mates)
    if any(m.start_utc > best.start_utc for m in mates):
        assert cal is not None  # (a reach is given with the calendar that orders)
        group = [_late(s, last) for s in (best, *mates)]
        lead = min(group, key=lambda s: task_order(cal, s.task))
        due = [s.due_since for s in group if s.due_since is not None]
        spot_flags = tuple(dict.fromkeys(f for s in group for f in s.flags))
        best = lead._replace(
            start=last.start,
            start_utc=last.start_utc,
            flags=spot_flags,
            due_since=min(due, key=lambda d: d.astimezone(UTC)) if due else None,
        )
        mates = [s for s in group if s is not lead]
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
    # Where each was placed counts too: an agreed call the hours moved (R1, ``moved``: the rep
    # tells them) or an overdue one is still so when it is done in another's touch.
    spot_flags = tuple(dict.fromkeys((*best.flags, *flags, *(f for m in mates for f in m.flags))))
    return best._replace(task=joined, end=end, flags=spot_flags)


def _grace_end(spot: Spot) -> datetime:
    """When an agreed contact on time (R1) stops being on time: the end of its grace; never,
    for anything else."""
    return spot.end.astimezone(UTC) if _graced(spot) else _OPEN


def _kept(best: Spot, mates: list[Spot]) -> Spot:
    """The spot whose start is the touch's (:func:`one_touch`): the last of ``best`` and its
    ``mates`` to start, among those that start before every agreed contact's grace among them
    has ended (R1, as :func:`touchmates` chose them). The later ones are done early."""
    last = best
    kept = _OPEN
    for s in sorted((best, *mates), key=lambda s: s.start_utc):
        if s.start_utc >= kept:
            break
        last = s
        kept = min(kept, _grace_end(s))
    return last


def _late(spot: Spot, last: Spot) -> Spot:
    """``spot`` done in a touch that starts with ``last``, in the part of the day the touch is
    in (R4 names it, and the voicemail promises the next attempt in another): as it is while
    its window is still open then; early, in ``last``'s window, where it falls due after an
    agreed contact's grace (:func:`_kept`); on time in ``last``'s window where the hours run
    on into the next part of the day (:func:`_hard_end`), or where the agreed contact's grace
    does, to its end."""
    if spot.start_utc > last.start_utc:  # pulled into the agreed call
        return spot._replace(window=last.window)
    if utc_bounds(spot.window)[1] > last.start_utc:
        return spot
    if spot.end.astimezone(UTC) > last.start_utc:  # an agreed contact's grace runs on (R1)
        return spot._replace(window=last.window)
    return spot._replace(window=last.window, end=last.end)


def as_touches(
    spots: list[Spot], cal: ContactCalendar | None = None, reach: timedelta = _NO_REACH
) -> list[Spot]:
    """``spots`` (in :func:`cadence._placing.placed_key` order) as the touches a rep makes, in
    that order: first the R6 email joined to the ladder's written step that starts with it
    (one email, :mod:`cadence._one_email`), then what is owed to the prospect that starts
    together, or within ``reach`` (one touch, placed when its last part may start: the order
    is kept by ``cal``'s :func:`placed_key`). The plan, the next action and what a touch
    performs all read this one list, so they agree however many tasks start at one moment.
    (A new list: ``spots`` is left as it was.)"""
    spots = list(spots)
    for spot in spots:
        other = partner(spot, spots)
        if other is not None:
            joined = one_email(spot, other)
            spots = [joined if s is spot else s for s in spots if s is not other]
            break
    i = 0
    made: list[Spot] = []  # touches made here: each is final (it does not gather again)
    while i < len(spots):
        best = spots[i]
        mates = [] if any(best is t for t in made) else touchmates(best, spots, reach, cal)
        if not mates:
            i += 1
            continue
        touch = one_touch(best, mates, cal)
        made.append(touch)
        spots = [touch if s is best else s for s in spots if all(s is not m for m in mates)]
        if touch.start_utc != best.start_utc:  # it waits for a mate: back in order
            assert cal is not None  # (a reach is given with the calendar that orders)
            spots[i:] = sorted(spots[i:], key=lambda s: placed_key(s, cal))
            if spots[i] is not touch:
                continue  # something else comes first now; the touch is placed later
        i += 1
    return spots


def first_touch(
    best: Spot, spots: list[Spot], cal: ContactCalendar, reach: timedelta = _NO_REACH
) -> Spot:
    """``as_touches(spots, cal, reach)[0]`` where ``best`` is the first of ``spots`` in
    :func:`cadence._placing.placed_key` order, without ordering the rest (the next action
    and a touch need only the first) unless a touch waits for a mate."""
    rest = spots
    for spot in spots:
        other = partner(spot, spots)
        if other is not None:
            joined = one_email(spot, other)
            if spot is best or other is best:
                best = joined
            rest = [joined if s is spot else s for s in spots if s is not other]
            break
    mates = touchmates(best, rest, reach, cal)
    if not mates:
        return best
    if len(mates) > 1:
        mates.sort(key=lambda s: placed_key(s, cal))
    touch = one_touch(best, mates, cal)
    if touch.start_utc != best.start_utc:  # it waits: something else may come first now
        return as_touches(sorted(spots, key=lambda s: placed_key(s, cal)), cal, reach)[0]
    return touch
