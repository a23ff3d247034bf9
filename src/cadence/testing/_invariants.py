"""``check_invariants``: the engine's rules, checked after every event of a history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import ValidationError

from cadence import events as ev
from cadence._one_touch import JOINED_SAYS
from cadence.actions import Action, ActionKind
from cadence.channel import Channel
from cadence.engine import Engine
from cadence.lifecycle import TERMINAL, Stage
from cadence.prospect import Prospect
from cadence.simulation._checks import legal_problems, step_problems
from cadence.testing._gap import gap_problems
from cadence.testing._histories import History
from cadence.testing._hours import hours_problems

__all__ = ["check_invariants", "check_step", "permission_withdrawn", "stored_whole"]


def check_step(
    engine: Engine,
    prospect: Prospect,
    now: datetime,
    *,
    before: Prospect | None = None,
    event: ev.Event | None = None,
    calls: tuple[datetime, ...] | None = None,
) -> Action:
    """Check the engine's answer for ``prospect`` at ``now`` and return the next action.

    Raises ``AssertionError`` whose message starts with the rule broken (``R2``, ``R3``,
    ``R4``, ``R6``, ``R12``, ``R13``, ``R17`` or ``DESIGN §4``): the next action must be the
    plan's first (R2) and the same whether or not ``advance`` ran first; nothing is due before
    ``now`` (nor, when ``event`` was just applied to ``before``, at or before that event);
    nothing is planned for a prospect who opted out or on a blocked channel, and nothing is
    owed on a channel the prospect refused (R13); no call or email in the plan falls inside
    the R3 gap after the last unanswered attempt unless it does something the prospect is
    owed (whatever it cites: a touch that does nothing owed is a ladder attempt), and a
    retried call that cites R4 changes the part of the day; the follow-up of a voicemail goes
    by email (R6); a drip touch needs the prospect's permission where the policy says so
    (R12); two calls (or emails) to the prospect are never planned within a reaction delay of
    each other while the first's window is open (R2: one touch does both). ``none`` comes
    only when the ladder is over and nothing is owed (R2); nothing but the wait is due while
    a pause lasts (R17). Every call planned (and every email, where a rule binds email) lies
    inside the legal hours of the prospect's place, read from the rules' data, and never
    starts when a cap is full: counted over ``calls``, the instants of the calls made
    (default: the prospect's own record, ``recent_calls``). Every call and email
    planned falls on a business day of the policy (its weekmask and holidays) and inside its
    hours for that channel and weekday (``DESIGN §4``, ``DESIGN §5``).
    """
    action = engine.next_action(prospect, now)
    plan = engine.plan(prospect, now)
    problems = step_problems(engine, prospect, action, now, before=before, event=event, calls=calls)
    if not plan or plan[0] != action:
        problems.append(f"R2: next_action is not the plan's first item: {action!r} vs {plan!r}")
    for later in plan[1:]:
        if later.earliest_utc < now:  # by instant (UTC): right in a repeated DST hour
            problems.append(f"DESIGN §4: planned {later.kind.value} is due before now: {later!r}")
    problems += _touches_apart(plan, timedelta(minutes=engine.policy.reaction_minutes))
    problems += gap_problems(engine.policy, prospect, plan)
    if engine.next_action(engine.advance(prospect, now), now) != action:
        problems.append("DESIGN §6: next_action changes when advance(p, now) runs first")
    for planned in (action, *plan[1:]):  # the policy's own week binds every touch it plans
        problems += hours_problems(engine.policy, prospect, planned)
    for later in plan[1:]:  # and so does the law (the first was checked with the step)
        problems += legal_problems(engine, prospect, later, calls)
    problems += _blocked_later(prospect, plan[1:])
    if problems:
        where = f"at {now.isoformat()}"
        if event is not None:
            where += f", right after {event!r}"
        raise AssertionError(f"{problems[0]} ({where}; stage {prospect.stage.value})")
    return action


def _blocked_later(prospect: Prospect, later: list[Action]) -> list[str]:
    """R13 for the plan after its first action (checked with the step): nothing is planned
    for a prospect who opted out, nor on a blocked channel."""
    blocked = prospect.blocked_channels
    for a in later:
        if prospect.stage is Stage.OPTED_OUT and a.kind is not ActionKind.NONE:
            return [f"R13: {a.kind.value} planned for a prospect who opted out: {a!r}"]
        if a.channel is not None and a.channel in blocked:
            return [f"R13: {a.kind.value} planned on {a.channel.value}, a blocked channel: {a!r}"]
    return []


#: What one call (or one email) to the prospect may do together (``Action.also``): not a touch
#: to someone else (the receptionist, a referral, a manager), nor the ladder's opt-out offer or
#: breakup, which join only the email that follows up a voicemail.
_TO_THEM = frozenset(
    {ActionKind.CALL, ActionKind.EMAIL, ActionKind.PROPOSE_TIMES, ActionKind.SEND_COLLATERAL}
)


_NOT_ON_TIME = frozenset({"commitment_missing", "moved", "overdue"})


def _agreed_on_time(action: Action) -> bool:
    """Whether ``action`` is the contact agreed in a conversation (R1) alone, at the agreed
    time: its window ends with the commitment grace, which a touch a moment later may pass."""
    return "R1" in action.rules and not _NOT_ON_TIME & set(action.flags) and not _joined(action)


def _touches_apart(plan: list[Action], reach: timedelta) -> list[str]:
    """R2: two calls (or emails) to the prospect in one plan start more than a reaction delay
    apart, or the first's window closes before the second starts (not with the grace of an
    agreed contact, R1, whose touch does the other too, early): otherwise they are one."""
    for channel in (Channel.PHONE, Channel.EMAIL):
        mine = [a for a in plan if a.channel is channel and a.kind in _TO_THEM]
        for i, a in enumerate(mine):
            for b in mine[i + 1 :]:
                first, second = (a, b) if a.earliest_utc <= b.earliest_utc else (b, a)
                gap = second.earliest_utc - first.earliest_utc
                if gap <= reach and (
                    first.latest_utc > second.earliest_utc or _agreed_on_time(first)
                ):
                    return [
                        f"R2: two {channel.value} touches to the prospect {gap} apart, within "
                        f"the reaction delay ({first.kind.value} at "
                        f"{first.earliest.isoformat()}, {second.kind.value} at "
                        f"{second.earliest.isoformat()}): one touch does both"
                    ]
    return []


def check_invariants(
    engine: Engine, prospect: Prospect, history: Iterable[ev.Event] | History
) -> Prospect:
    """Apply ``history`` to ``prospect`` one event at a time and check the engine's rules after
    each (see :func:`check_step`); also that ``apply`` never mutates its input, that every
    state survives the JSON round trip a CRM stores it through (DESIGN §6), and that an
    opt-out, of everything or of a channel, holds until an opt-in (R13): a new address or
    number does not reopen a channel the prospect refused; and that an opt-out of everything
    withdraws the permission to stay in touch until a conversation after it gives it again
    (R12). Returns the final prospect.

    ``prospect`` is the state the history starts from (usually as enrolled); ``history`` is a
    sequence of events in time order, or a :class:`History`. Raises ``AssertionError`` naming
    the rule broken and the event after which it broke.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> import cadence
    >>> engine = cadence.Engine()
    >>> now = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
    >>> p = engine.enroll("p-1", timezone="America/Chicago", at=now, country="US")
    >>> calls = [cadence.events.CallAttempted(at=now, outcome="voicemail")]
    >>> check_invariants(engine, p, calls).stage.value
    'unresponsive'
    """
    events = history.events if isinstance(history, History) else tuple(history)
    p = prospect
    # The calls made, as the history says (a redelivered one once): the caps are checked
    # against them, not against what the engine chose to remember.
    calls: dict[str | int, datetime] = dict(enumerate(p.recent_calls))
    _raise_unless_stored_whole(p, "the state the history starts from")
    check_step(engine, p, p.last_event_at, calls=tuple(calls.values()))
    opted_out_at: datetime | None = None
    refused: frozenset[Channel] = frozenset()
    away: datetime | None = None  # the return the prospect announced (R17), as events say
    withdrawn = False  # an opt-out withdrew the permission to stay in touch (R12), not given since
    for i, event in enumerate(events):
        if isinstance(event, ev.CallAttempted) and not event.third_party:
            calls.setdefault(event.id or -1 - i, event.at)  # (not someone else's number)
        snapshot = p.model_dump()
        before = p
        p = engine.apply(before, event)
        if before.model_dump() != snapshot:
            msg = f"DESIGN §9: apply mutated its input prospect (event #{i}: {event!r})"
            raise AssertionError(msg)
        _raise_unless_stored_whole(p, f"after event #{i} ({event!r})")
        if isinstance(event, ev.OptedOut) and _covers_everything(engine, event):
            opted_out_at = event.at
        elif isinstance(event, ev.OptedOut):
            refused |= event.channels or frozenset()
        elif isinstance(event, ev.OptedIn) and (opted_out_at is None or event.at >= opted_out_at):
            opted_out_at = None
            refused = frozenset()
        if not refused <= p.blocked_channels:
            msg = (
                f"R13: the prospect opted out of {channel_names(refused)} and has not opted in, "
                f"but only {channel_names(p.blocked_channels)} are blocked after event #{i} "
                f"({event!r})"
            )
            raise AssertionError(msg)
        if opted_out_at is not None and p.stage is not Stage.OPTED_OUT:
            msg = (
                f"R13: the prospect opted out at {opted_out_at.isoformat()} and has not opted "
                f"in, but is in stage {p.stage.value} after event #{i} ({event!r})"
            )
            raise AssertionError(msg)
        withdrawn = permission_withdrawn(withdrawn, event, p, f"after event #{i} ({event!r})")
        away = away_until(event, away)
        now = max(event.at, p.last_event_at)
        # (An action after the opt-out is check_step's to report: the stage is opted_out here.)
        made = tuple(calls.values())
        action = check_step(engine, p, now, before=before, event=event, calls=made)
        raise_if_due_while_away(p, action, now, away, f"after event #{i} ({event!r})")
        raise_unless_followed_up(engine, p, event, now, f"after event #{i} ({event!r})")
        if action.kind not in (ActionKind.NONE,) and action.earliest_utc > now:
            check_step(engine, p, action.earliest, calls=made)  # asked again when it falls due
    return p


def permission_withdrawn(withdrawn: bool, event: ev.Event, p: Prospect, where: str) -> bool:
    """R12, R13: whether the permission to stay in touch is withdrawn after ``event`` (``p``:
    the prospect after it), given whether it was before. An opt-out of everything withdraws
    it; a conversation after it that gives it again restores it. Raises ``AssertionError``
    when the prospect, live again, still holds a permission the opt-out withdrew (it would
    drip them; a state stored opted out may hold it until the opt-in)."""
    if p.stage is Stage.OPTED_OUT:
        withdrawn = True
    elif getattr(event, "permission", None) is not None:
        withdrawn = False  # (the conversation's answer, yes or no, is the prospect's now)
    if withdrawn and p.permission is True and p.stage is not Stage.OPTED_OUT:
        msg = (
            "R12: the prospect opted out, which withdrew the permission to stay in touch, and "
            f"has not given it again in a conversation since, but the state holds it ({where})"
        )
        raise AssertionError(msg)
    return withdrawn


def raise_unless_followed_up(
    engine: Engine, p: Prospect, event: ev.Event, now: datetime, where: str
) -> None:
    """What a conversation or a voicemail owes, planned as soon as it is logged: the next
    contact agreed in a call or a meeting (R1), at that very time (or within the commitment
    grace, when the call also does what falls due a reaction delay later), or at the first
    moment the hours and the law allow, flagged ``moved``; and the email that follows a voicemail
    (R6, when the policy sends it), on a channel still open, in a live stage. Asked just
    after ``event`` was applied (``now``: its time, or the machine's later clock)."""
    if p.stage in TERMINAL:
        return
    agreed = getattr(event, "next_contact_at", None)
    if agreed is not None and not getattr(event, "third_party", False):
        if p.blocked_channels >= _BOTH or _meeting_then(engine, p, agreed):
            return  # (a meeting booked for the agreed time is that contact)
        plan = engine.plan(p, now)
        # A call that also does what falls due a reaction delay later (a reply's new times)
        # starts with it, still inside the promised call's window: on time (R1's grace).
        grace = agreed + timedelta(minutes=engine.policy.commitment_grace_minutes)
        if not any(
            "R1" in a.rules
            and (
                a.earliest_utc == agreed
                or (_LATER & set(a.flags) and a.earliest_utc > agreed)
                or (agreed < a.earliest_utc < grace and _joined(a))
            )
            for a in plan
        ):
            shown = [(a.kind.value, a.earliest.isoformat(), a.rules) for a in plan]
            msg = (
                f"R1: the next contact agreed for {agreed.isoformat()} is not planned then "
                f"({where}; plan {shown})"
            )
            raise AssertionError(msg)
    if (
        isinstance(event, ev.CallAttempted)
        and event.outcome == "voicemail"
        and not event.third_party
        and engine.policy.voicemail_email
        and Channel.EMAIL not in p.blocked_channels
    ):
        plan = engine.plan(p, now)
        if not any(a.channel is Channel.EMAIL and "R6" in a.rules for a in plan):
            shown = [(a.kind.value, a.earliest.isoformat(), a.rules) for a in plan]
            msg = f"R6: no email follows the voicemail ({where}; plan {shown})"
            raise AssertionError(msg)


def _joined(action: Action) -> bool:
    """Whether ``action`` is one touch doing several (``cadence._one_touch``)."""
    return any(same in action.reason for same in JOINED_SAYS.values())


_BOTH = frozenset({Channel.PHONE, Channel.EMAIL})


def _meeting_then(engine: Engine, p: Prospect, agreed: datetime) -> bool:
    """Whether a booked meeting overlaps the agreed time or its grace (R1: it is the agreed
    contact)."""
    grace = timedelta(minutes=engine.policy.commitment_grace_minutes)
    return any(
        m.status == "booked"
        and m.starts_at < agreed + grace
        and agreed < m.starts_at + timedelta(minutes=m.duration_minutes)
        for m in p.meetings
    )


_LATER = frozenset({"moved", "overdue"})  # (overdue: asked after the agreed time)


def away_until(event: ev.Event, away: datetime | None) -> datetime | None:
    """R17 from the history, not from the engine's ``paused_until``: the return an
    out-of-office (``until``) or a "not now" (``resume_at``) announced, held while only the
    rep's own unanswered touches follow. Anything the prospect does next may end the pause or
    not (the rule does not say), so it ends the check."""
    if isinstance(event, ev.OutOfOffice):
        return event.until
    if isinstance(event, ev.EmailReplied) and event.intent == "not_now":
        return event.resume_at
    if isinstance(event, ev.EmailSent) or (
        isinstance(event, ev.CallAttempted)
        and (event.third_party or event.outcome in ("voicemail", "no_answer", "gatekeeper"))
    ):
        return away
    return None


def raise_if_due_while_away(
    p: Prospect, action: Action, now: datetime, away: datetime | None, where: str
) -> None:
    """R17: before the announced return ``away`` (:func:`away_until`), nothing but the wait
    is due to a prospect not yet out for good, and the reminder to log a meeting that had
    begun by ``now`` (R2: the rep's own bookkeeping, no touch to the prospect)."""
    if (
        away is None
        or now >= away
        or p.stage in TERMINAL
        or action.kind is ActionKind.WAIT
        or action.earliest_utc >= away
    ):
        return
    if action.kind is ActionKind.ATTEND_MEETING:
        meeting = p.meeting(action.detail) if action.detail is not None else None
        if meeting is not None and meeting.starts_at <= now:
            return
    msg = (
        f"R17: {action.kind.value} due {action.earliest.isoformat()}, though the prospect "
        f"said they are away until {away.isoformat()} ({where}; stage {p.stage.value})"
    )
    raise AssertionError(msg)


def stored_whole(p: Prospect) -> str | None:
    """DESIGN §6: what a CRM that stores ``p`` as JSON and loads it back would lose (a
    message naming the fields), or ``None`` when it gets ``p`` back exactly."""
    trip = "a JSON round trip (model_dump_json, then cadence.Prospect.model_validate_json)"
    try:
        back = Prospect.model_validate_json(p.model_dump_json())
    except ValidationError as exc:  # which fields: a state cut on its way through JSON
        first = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg'].lower()}" for e in exc.errors()
        )
        return f"DESIGN §6: the prospect cannot be loaded back after {trip}: {first}"
    except ValueError as exc:  # (cadence's own errors)
        first = str(exc).splitlines()[0]
        return f"DESIGN §6: the prospect cannot be loaded back after {trip}: {first}"
    if back == p:
        return None
    # (Field by field: a subclass of Prospect never equals a Prospect, yet may store whole.)
    changed = [name for name in Prospect.model_fields if getattr(back, name) != getattr(p, name)]
    if not changed:
        return None
    return f"DESIGN §6: the prospect does not survive {trip}: {', '.join(changed)} changed"


def _raise_unless_stored_whole(p: Prospect, where: str) -> None:
    problem = stored_whole(p)
    if problem is not None:
        raise AssertionError(f"{problem} ({where}; stage {p.stage.value})")


def _covers_everything(engine: Engine, event: ev.OptedOut) -> bool:
    """Whether an opt-out blocks every channel under the engine's policy (R13)."""
    if event.channels is None or engine.policy.opt_out_scope == "all":
        return True
    return {"phone", "email"} <= {c.value for c in event.channels}


def channel_names(channels: Iterable[Channel]) -> str:
    """``phone, email`` in a stable order, or ``none``: for the messages above."""
    return ", ".join(sorted(c.value for c in channels)) or "none"
