"""Rule checks run after every engine step (by the simulator, and by
:func:`cadence.testing.check_invariants` in users' tests).

Each check returns a message that names the rule it protects; an empty list means the step kept
every rule. The checks read only what the step produced (the prospect, the event just applied,
the next action and the ``now`` it was asked for), so they cost a few microseconds and can run on
every step of a large simulation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from cadence import events as ev
from cadence._ladder import drip_allowed, ladder_step
from cadence._zones import law_place
from cadence.actions import Action, ActionKind
from cadence.calendar import ContactCalendar, holiday_place, rule_holiday, zone
from cadence.channel import Channel
from cadence.compliance import (
    CallingRule,
    Cap,
    allowed_windows,
    applicable_rules,
    strictest_caps,
    with_presets,
)
from cadence.engine import Engine
from cadence.lifecycle import TERMINAL, Stage
from cadence.prospect import Prospect

__all__ = ["LADDER_KINDS", "legal_problems", "problems_of", "step_problems"]

#: Kinds of action that can be a step of the unanswered ladder (R3-R10).
LADDER_KINDS = frozenset(
    {
        ActionKind.CALL,
        ActionKind.EMAIL,
        ActionKind.OPT_OUT_OFFER,
        ActionKind.BREAKUP,
        ActionKind.CONTACT_RECEPTIONIST,
        ActionKind.ESCALATE,
    }
)
# Stages in which the ladder always has a next step (R2); dropped and drip ones have one when
# the drip is allowed (R11, R12).
_LIVE = (Stage.NEW, Stage.ENGAGED, Stage.UNRESPONSIVE, Stage.OPT_OUT_OFFERED)
_SLOW = (Stage.DROPPED, Stage.DRIP)
_BOTH = frozenset({Channel.PHONE, Channel.EMAIL})
# Looked up once: reading a member off an enum class costs tens of nanoseconds each time.
_NONE = ActionKind.NONE
_CALL = ActionKind.CALL
_PHONE = Channel.PHONE
_EMAIL = Channel.EMAIL
_OPTED_OUT = Stage.OPTED_OUT
_ENGAGED = Stage.ENGAGED
_WAIT = ActionKind.WAIT
_DRIP_TOUCH = ActionKind.DRIP_TOUCH
_WHOLE_DAY = ((time(0), time.max),)


def step_problems(
    engine: Engine,
    prospect: Prospect,
    action: Action,
    now: datetime,
    *,
    before: Prospect | None = None,
    event: ev.Event | None = None,
    calendar: ContactCalendar | None = None,
    calls: tuple[datetime, ...] | None = None,
) -> list[str]:
    """What is wrong with ``action = engine.next_action(prospect, now)``.

    ``before`` and ``event`` are the prospect before the event just applied and that event,
    when the action was asked for right after it: then what the event created must be due
    strictly after it (DESIGN §4). ``calendar`` is ``engine.calendar(prospect)`` when the
    caller holds it already (the simulator does: it saves a lookup per ladder step).
    ``calls`` are the instants of the calls made to the prospect, as the caller counted them
    (the caps of DESIGN §5 are checked against them; default: the engine's own record).

    The simulator runs this on every step, so each check reads a field once and builds
    nothing unless it has something to report.
    """
    return problems_of(
        engine,
        prospect,
        action,
        action.earliest.astimezone(UTC),
        now,
        before,
        event,
        calendar,
        calls,
    )


def problems_of(
    engine: Engine,
    prospect: Prospect,
    action: Action,
    earliest_utc: datetime,
    now: datetime,
    before: Prospect | None,
    event: ev.Event | None,
    calendar: ContactCalendar | None,
    calls: tuple[datetime, ...] | None = None,
) -> list[str]:
    """:func:`step_problems`, given ``action.earliest`` in UTC (the simulator has it anyway).

    The action's window is in the prospect's zone; ``now`` and events may be in any zone.
    Instants are ordered in UTC: cheap (two UTC datetimes compare in tens of nanoseconds, a
    zoned one against UTC costs about a microsecond), and right inside the hour a fall-back
    night repeats, where two datetimes of one zone compare by wall time, not by instant.
    """
    problems: list[str] = []
    # Read once (both are frozen): a pydantic model's attribute read goes through its class's
    # ``__getattr__`` hook (see ``Engine.apply``), and the checks read a dozen, every step.
    a, held = action.__dict__, prospect.__dict__
    kind = a["kind"]
    earliest = a["earliest"]
    now_utc = now if now.tzinfo is UTC else now.astimezone(UTC)
    if earliest_utc < now_utc:
        problems.append(
            f"DESIGN §4: {kind.value} is due {earliest.isoformat()}, before now ({now.isoformat()})"
        )
    # ``action.latest_utc < earliest_utc``, without the property call; a point in time (wait,
    # none) has the very same object at both ends, which cannot end before it starts.
    latest = a["latest"]
    if latest is not earliest and latest.astimezone(UTC) < earliest_utc:
        problems.append(f"DESIGN §4: {kind.value} window ends before it starts: {action!r}")
    stage = held["stage"]
    channel = a["channel"]
    blocked = held["blocked_channels"]
    if stage is _OPTED_OUT and kind is not _NONE:
        problems.append(f"R13: {kind.value} planned for a prospect who opted out")
    elif channel is not None and channel in blocked:
        problems.append(f"R13: {kind.value} on {channel.value}, a blocked channel")
    if blocked and held["obligations"]:
        refused = blocked - held["unreachable"]  # a failed channel may open again
        for o in held["obligations"]:
            if o.channel in refused:
                problems.append(
                    f"R13: {o.key} is owed on {o.channel.value}, which the prospect opted out "
                    "of: nothing would ever do it (it belongs on another channel, or nowhere)"
                )
                break
    if (channel is _PHONE or channel is _EMAIL) and engine.policy.legal_guards:
        made = held["recent_calls"] if calls is None else calls
        _legal_problems(problems, engine, prospect, action, earliest_utc, made)
    rules, also = a["rules"], a["also"]
    if channel is _PHONE and "R6" in rules:
        problems.append(f"R6: the email that follows a voicemail planned as a {kind.value}")
    if (kind is _DRIP_TOUCH or (also and _DRIP_TOUCH in also)) and not (
        drip_allowed(engine.policy, held)
    ):
        problems.append(
            f"R12: a drip touch due {earliest.isoformat()} for a prospect who gave no "
            "permission to stay in touch, under a policy whose drip requires it"
        )
    if kind is _NONE and stage not in TERMINAL and not blocked >= _BOTH:
        _nothing_planned(problems, engine, prospect, now)
    paused = held["paused_until"]
    if (
        paused is not None
        and now_utc < paused
        and kind is not _WAIT
        and earliest_utc < paused
        and stage not in TERMINAL
        and not _logs_a_meeting_begun(held, a["detail"], kind, now_utc)
    ):
        problems.append(
            f"R17: {kind.value} due {earliest.isoformat()} while the prospect is paused until "
            f"{paused.isoformat()} ({prospect.pause_reason})"
        )
    # (One touch may join the ladder's step to what is owed, keeping an obligation's kind and
    # the step's in ``also``: cadence._one_touch.)
    ladder = (kind in LADDER_KINDS or bool(also and not LADDER_KINDS.isdisjoint(also))) and (
        "R3" in rules
    )
    if ladder:
        _ladder_problems(problems, engine, prospect, action, calendar)
    if event is not None and before is not None:
        _created_after_event(problems, prospect, before, event, action, ladder, earliest_utc)
    return problems


def _unreachable(engine: Engine, p: Prospect) -> bool:
    """Whether the ladder owes the offer (R8) or the breakup (R10) that only the phone could
    carry (no email), and ``unheard_calls_limit`` calls in a row went unheard: it waits for a
    new number or address, as a blocked channel does."""
    return (
        p.calls_unheard >= engine.policy.unheard_calls_limit
        and Channel.EMAIL in p.blocked_channels
        and ladder_step(engine.policy, p.__dict__) in (ActionKind.OPT_OUT_OFFER, ActionKind.BREAKUP)
    )


def _nothing_planned(out: list[str], engine: Engine, p: Prospect, now: datetime) -> None:
    """R2: ``none`` for a prospect who can still be reached is right only when the ladder is
    over for them: dropped (as of ``now``) without leave to drip, and nothing owed on a channel
    still open. (Asked only when the answer is ``none``: rarely, so ``advance`` may run.)"""
    state = engine.advance(p, now)
    stage = state.stage
    if stage in _LIVE and _unreachable(engine, state):
        pass  # R8, R10: only the phone could say the step, and nobody hears it (see below)
    elif stage in _LIVE or (stage in _SLOW and drip_allowed(engine.policy, state.__dict__)):
        out.append(f"R2: nothing planned for a prospect in stage {stage.value}")
        return
    blocked = state.blocked_channels
    owed = [o.key for o in state.obligations if o.channel not in blocked]
    if owed and stage not in TERMINAL:
        out.append(f"R2: nothing planned though {', '.join(owed)} is owed (stage {stage.value})")


_Legal = tuple[tuple[tuple[time, time], ...], bool, tuple[Cap, ...], str]
_Place = tuple[
    str | None, str | None, tuple[str | None, str | None], Channel, tuple[CallingRule, ...], int
]
_LEGAL: dict[_Place, _Legal | None] = {}
_UNKNOWN = object()


def _legal_day(
    country: str | None,
    subdivision: str | None,
    holidays_of: tuple[str | None, str | None],
    channel: Channel,
    extra: tuple[CallingRule, ...],
    day: date,
) -> _Legal | None:
    """What the law allows a ``channel`` contact on ``day`` in a place, from the rules' data
    (the presets and the policy's own ``extra`` rules, which may bind email too), never from
    the engine's calendar: the windows, whether it is a holiday a rule bans, the caps, the
    rules cited (``None``: no rule). A rule's holiday ban reads the holidays of its own
    region and of ``holidays_of`` (:func:`cadence.calendar.holiday_place`). Remembered per
    place, channel and day: the simulator checks every step."""
    key = (country, subdivision, holidays_of, channel, extra, day.toordinal())
    known = _LEGAL.get(key, _UNKNOWN)  # one read: another thread may clear the cache meanwhile
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    # (The calendar's own tuple: the answers are remembered per rule set, known by identity,
    # and a new tuple each day missed them.)
    rules = applicable_rules(country, subdivision, channel, day, with_presets(extra))
    found = None
    if rules:
        holiday = rule_holiday(rules, holidays_of, day)
        allowed = allowed_windows(rules, day.weekday(), _WHOLE_DAY)
        cited = ", ".join(rule.key() for rule in rules)
        found = (allowed, holiday, strictest_caps(rules), cited)
    if len(_LEGAL) > 65536:
        _LEGAL.clear()
    _LEGAL[key] = found
    return found


def _legal_problems(
    out: list[str],
    engine: Engine,
    p: Prospect,
    action: Action,
    earliest_utc: datetime,
    calls: tuple[datetime, ...],
) -> None:
    """DESIGN §5, from the rules' own data and the prospect's zone rather than the engine's
    calendar: a call's (or an email's, where a rule binds email) whole window lies inside one
    legal window of its local day, on no holiday a rule bans, and no cap is full at its start
    (counting ``calls``). Without a country, the rules of the country its zone belongs to."""
    a = action.__dict__  # (read once: see ``problems_of``)
    channel, kind = a["channel"], a["kind"]
    if channel is None or kind is _WAIT or kind is _NONE:
        return
    held = p.__dict__
    place = held["timezone"], held["country"], held["subdivision"]
    local = zone(place[0])
    start, end = a["earliest"].astimezone(local), a["latest"].astimezone(local)
    day = start.date()
    country, subdivision = law_place(*place)  # no country: the zone's
    holidays_of = holiday_place(*place)
    legal = _legal_day(country, subdivision, holidays_of, channel, engine.policy.calling_rules, day)
    if legal is None:
        return
    allowed, holiday, caps, cited = legal
    if end.date() != day or not any(a <= start.time() and end.time() <= b for a, b in allowed):
        where = f"{action.kind.value} {start:%a %Y-%m-%d %H:%M}-{end:%H:%M} ({p.timezone})"
        hours = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in allowed) or "no calls"
        out.append(f"DESIGN §5: {where} is outside the legal hours ({hours}) of {cited}")
    elif holiday:
        where = f"{action.kind.value} {start:%a %Y-%m-%d %H:%M}-{end:%H:%M} ({p.timezone})"
        out.append(f"DESIGN §5: {where} is on a public holiday, when {cited} allow no call")
    for cap in caps if channel is _PHONE else ():  # (only calls are counted: caps bind calls)
        made = sum(1 for t in calls if earliest_utc - cap.per < t <= earliest_utc)
        if made >= cap.count:
            where = f"{action.kind.value} {start:%a %Y-%m-%d %H:%M} ({p.timezone})"
            out.append(f"DESIGN §5: {where} follows {made} calls; {cited} allow {cap}")


def legal_problems(
    engine: Engine, p: Prospect, action: Action, calls: tuple[datetime, ...] | None = None
) -> list[str]:
    """DESIGN §5 for any call or email ``action`` the engine plans for ``p`` (see
    :func:`_legal_problems`; ``calls`` default to the prospect's own record)."""
    out: list[str] = []
    if action.channel in (_PHONE, _EMAIL) and engine.policy.legal_guards:
        made = p.recent_calls if calls is None else calls
        _legal_problems(out, engine, p, action, action.earliest.astimezone(UTC), made)
    return out


def _ladder_problems(
    out: list[str], engine: Engine, p: Prospect, action: Action, cal: ContactCalendar | None
) -> None:
    last = p.last_attempt_at
    if last is not None and p.stage is not _ENGAGED:
        if cal is None:
            cal = engine.calendar(p)
        gap = engine.policy.min_gap_business_days
        local = cal.zone  # ``cal.local(x)`` is ``x.astimezone(cal.zone)``: called here directly
        # The local date ``gap`` business days after the attempt's: remembered per instant,
        # and the step asked it of this very attempt (its local date is needed only to say so).
        due = cal.business_date_after(last, gap)
        day = action.earliest.astimezone(local).date()
        if day < due:
            last_day = last.astimezone(local).date()
            out.append(
                f"R3: {action.kind.value} due {day} is less than {gap} business days after "
                f"the last unanswered attempt ({last_day}); the gap ends {due}"
            )
    if (
        action.kind is _CALL
        and "R4" in action.rules
        and action.slot is not None
        and action.slot == p.last_attempt_slot
        and len(engine.policy.call_slots) > 1  # one part of the day: nothing to rotate
    ):
        out.append(
            f"R4: the retry call is in the {action.slot}, the same part of the day as the "
            "last unanswered call"
        )


def _created_after_event(
    out: list[str],
    after: Prospect,
    before: Prospect,
    event: ev.Event,
    action: Action,
    ladder: bool,
    earliest_utc: datetime,
) -> None:
    at = event.at
    obligations = after.obligations
    if obligations is not before.obligations:  # the very same tuple: nothing was created
        old: set[tuple[str, datetime]] | None = None  # built only if something is due by ``at``
        for o in obligations:
            if o.not_before <= at:
                if old is None:
                    old = {(b.key, b.not_before) for b in before.obligations}
                if (o.key, o.not_before) not in old:
                    out.append(
                        f"DESIGN §4: {o.key} created by {event.type} at {at.isoformat()} is "
                        f"due {o.not_before.isoformat()}, not after it"
                    )
    paused = after.paused_until
    if paused is not None and paused != before.paused_until and paused <= at:
        out.append(f"R17: a pause created by {event.type} ends at or before the event")
    if (
        ladder
        and after.last_attempt_at == at
        and "overdue" not in action.flags
        and earliest_utc <= (at if at.tzinfo is UTC else at.astimezone(UTC))
    ):
        out.append(
            f"R3: the next ladder step ({action.kind.value}) is due at the attempt itself "
            f"({at.isoformat()})"
        )


def _logs_a_meeting_begun(
    held: dict[str, Any], detail: str | None, kind: ActionKind, now: datetime
) -> bool:
    """R2 under R17: the action is the reminder to log a booked meeting that had begun by
    ``now`` (the rep's own bookkeeping, which a pause does not hold: no touch to the
    prospect)."""
    return kind is ActionKind.ATTEND_MEETING and any(
        m.id == detail and m.status == "booked" and m.starts_at <= now for m in held["meetings"]
    )
