"""R3 by what a planned touch is, not by what it cites.

The simulator's checks hold an action that cites R3 to the gap (``cadence.simulation._checks``).
A broken engine need not cite it: a second call the same afternoon, labelled R4, is still the
next unanswered attempt. So here every call and email planned inside the gap must be something
owed to the prospect, something their own actions (or the rep's voicemail, R6) created: the
contact agreed in a conversation (R1) or its default follow-up, the email that follows a
voicemail (R6), the repair of a meeting (R14, R15, a no-show), the contact a "not now" asked for
(R17), the answer to a reply, a referral. Those are the prospect's obligations
(``Prospect.obligations``), each done once. What is left, a touch that does none of them or a
step only the ladder takes (the opt-out offer, R8; the breakup, R10; an escalation, R9), is a
ladder attempt, and inside the gap it breaks R3.

The gap counts from the last unanswered attempt the state records (``last_attempt_at``), in the
prospect's zone, on the business days of the policy's own data (its weekmask and holidays), as
``numpy.busday_offset(last_day, gap, roll="forward")`` does. It holds while the ladder runs: not
for an engaged prospect (a response starts the ladder over) nor a terminal one. A drip touch is
the drip's (R11), on its own interval.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from cadence.actions import Action, ActionKind
from cadence.calendar import zone
from cadence.channel import Channel
from cadence.lifecycle import TERMINAL, Stage
from cadence.policy import Policy
from cadence.prospect import Obligation, Prospect
from cadence.testing._hours import business_day

__all__ = ["gap_problems"]

_TOUCHES = (Channel.PHONE, Channel.EMAIL)
_DAY = timedelta(days=1)


def gap_problems(policy: Policy, p: Prospect, plan: Iterable[Action]) -> list[str]:
    """R3: what in ``plan`` (the engine's plan for ``p``) is a ladder attempt inside the gap
    after the last unanswered attempt: a call or an email (of any kind but the drip's) that no
    obligation of ``p`` accounts for. Each obligation accounts for one touch (a touch that
    does several lists the others' kinds in ``Action.also``), from its ``not_before`` on (or
    a reaction delay before: a touch may do early what falls due a moment later)."""
    last = p.last_attempt_at
    if last is None or p.stage is Stage.ENGAGED or p.stage in TERMINAL:
        return []
    tz = zone(p.timezone)
    last_local = last.astimezone(tz)
    gap = policy.min_gap_business_days
    reach = timedelta(minutes=policy.reaction_minutes)
    owed = list(p.obligations)
    first = _rolled(policy, p, last_local.date())
    ends = _after(policy, p, first, gap)
    for action in plan:
        if action.channel not in _TOUCHES or action.kind is ActionKind.DRIP_TOUCH:
            continue
        start = action.earliest.astimezone(tz)
        if start.date() >= ends:
            continue
        done = _obligations_done(action, owed, reach)
        if done is None:
            n = next(n for n in range(gap) if start.date() < _after(policy, p, first, n + 1))
            cites = ", ".join(action.rules) or "no rule"
            return [
                f"R3: {action.kind.value} on {action.channel.value} planned "
                f"{start.isoformat()} is only {n} business day{'' if n == 1 else 's'} after the "
                f"unanswered attempt at {last_local.isoformat()}; the gap is {gap}. Nothing owed "
                f"to the prospect "
                f"(an agreed contact, the email after a voicemail, a meeting's repair, ...) "
                f"accounts for it, so it is a ladder attempt whatever it cites ({cites}): "
                f"plan it on {ends} or later"
            ]
        owed = [o for o in owed if all(o is not d for d in done)]
    return []


def _rolled(policy: Policy, p: Prospect, day: date) -> date:
    """``day``, or the first business day after it (``p``'s calendar under ``policy``)."""
    while not business_day(policy, p, day):
        day += _DAY
    return day


def _after(policy: Policy, p: Prospect, first: date, n: int) -> date:
    """The ``n``-th business day after the business day ``first``:
    ``numpy.busday_offset(first, n)`` on ``p``'s calendar under ``policy``."""
    day = first
    while n:
        day += _DAY
        if business_day(policy, p, day):
            n -= 1
    return day


def _obligations_done(
    action: Action, owed: list[Obligation], reach: timedelta
) -> list[Obligation] | None:
    """The obligations among ``owed`` that ``action`` does, one for its kind and one for each
    of the others it also does (``Action.also``), or ``None`` when one of its parts is owed
    by nobody (the ladder's, then)."""
    by = action.earliest_utc + reach
    done: list[Obligation] = []
    for kind in (action.kind, *action.also):
        found = next(
            (
                o
                for o in owed
                if o.kind is kind
                and o.channel is action.channel
                and o.not_before <= by
                and all(o is not d for d in done)
            ),
            None,
        )
        if found is None:
            return None
        done.append(found)
    return done
