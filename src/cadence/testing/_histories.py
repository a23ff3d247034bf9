"""Engine-driven histories: the engine asks, a plausible CRM answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Literal, TypeAlias, get_args
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

import cadence
from cadence import events as ev
from cadence.actions import Action, ActionKind
from cadence.channel import Channel
from cadence.lifecycle import Stage
from cadence.policy import Policy
from cadence.prospect import Prospect
from cadence.testing._events import (
    call_attempted,
    contact_updated,
    email_bounced,
    email_replied,
    email_sent,
    events,
    meeting_booked,
    meeting_cancelled,
    meeting_held,
    meeting_no_show,
    out_of_office,
    refuses_no_show,
    refuses_opt_in,
)
from cadence.testing._places import _OUTCOMES, _UNANSWERED, Region, delays, instants, regions

_SECOND = timedelta(seconds=1)


@cache
def engine_for(policy: Policy) -> cadence.Engine:
    """One shared engine per policy (engines cache calendars; policies are hashable)."""
    return cadence.Engine(policy)


# -- histories --------------------------------------------------------------------------------

Responder: TypeAlias = Literal["mixed", "silent"]


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _show_event(event: ev.Event, zone: ZoneInfo) -> str:
    """``CallAttempted(at='2026-03-09T09:30:00-05:00', outcome='voicemail')``: local times, only
    the fields that differ from their defaults."""
    fields = []
    for name, value in event.model_dump(exclude_defaults=True, exclude={"type"}).items():
        if isinstance(value, datetime):
            value = _local(value, zone)
        elif isinstance(value, frozenset):
            value = sorted(value)
        fields.append(f"{name}={value!r}")
    return f"{type(event).__name__}({', '.join(fields)}),"


def _show_action(action: Action, zone: ZoneInfo) -> str:
    start = action.earliest.astimezone(zone)
    end = action.latest.astimezone(zone)
    rules = " ".join(action.rules)
    return f"{action.kind.value} ({rules}) due {start:%a %Y-%m-%d %H:%M}-{end:%H:%M}"


@dataclass(frozen=True)
class History:
    """A prospect's enrolment and the events that followed, in non-decreasing ``at`` order.

    ``states[0]`` is the enrolled prospect and ``states[i + 1]`` the prospect after
    ``events[i]``; ``followed[i]`` is the action ``events[i]`` carried out (``None`` for an event
    the engine did not ask for). ``until`` is the moment the story was told up to: after the
    last event, time may pass while the engine waits (the breakup's wait runs out, a pause
    ends), and :attr:`settled` is the prospect as of then.
    """

    policy: Policy
    region: Region
    prospect_id: str
    preferred_channel: Channel | None
    enrolled_at: datetime
    events: tuple[ev.Event, ...]
    followed: tuple[Action | None, ...] = field(repr=False)
    states: tuple[Prospect, ...] = field(repr=False)
    until: datetime | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        zone = ZoneInfo(self.region.timezone)
        changed = self.policy.model_dump(exclude_defaults=True, exclude={"templates"})
        lines = [
            "History(",
            f"  policy=Policy(**{changed!r}),",
            f"  region={self.region!r},",
            f"  preferred_channel={self.preferred_channel!r},",
            f"  enrolled_at={_local(self.enrolled_at, zone)!r},",
            "  events=[",
        ]
        for event, action in zip(self.events, self.followed, strict=True):
            shown = _show_event(event, zone)
            if action is not None:
                shown += f"  # answers {_show_action(action, zone)}"
            lines.append(f"    {shown}")
        lines.append("  ],")
        if self.until is not None and self.until > self.last_at:
            lines.append(f"  until={_local(self.until, zone)!r},")
        lines.append(")")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How hypothesis prints a falsifying example: the readable repr, not every field."""
        printer.text(repr(self))

    @property
    def final(self) -> Prospect:
        """The prospect after the whole history."""
        return self.states[-1]

    @property
    def last_at(self) -> datetime:
        """The newest instant in the history (the enrolment when there is no event)."""
        return self.states[-1].last_event_at

    @property
    def settled(self) -> Prospect:
        """The prospect as of :attr:`until` (``engine.advance``): the time-driven changes after
        the last event, such as the drop after an unanswered breakup (R10) or the start of the
        drip (R11), which no event brings. :attr:`final` when ``until`` is ``None``."""
        if self.until is None:
            return self.final
        return engine_for(self.policy).advance(self.final, self.until)

    def enroll(self, engine: cadence.Engine) -> Prospect:
        """The prospect as enrolled, before any event."""
        return engine.enroll(
            self.prospect_id,
            timezone=self.region.timezone,
            at=self.enrolled_at,
            country=self.region.country,
            subdivision=self.region.subdivision,
            preferred_channel=self.preferred_channel,
        )

    def replay(self, engine: cadence.Engine, events: Sequence[ev.Event] | None = None) -> Prospect:
        """``engine.replay`` of ``events`` (default: this history's) from this enrolment."""
        return engine.replay(
            self.prospect_id,
            self.events if events is None else events,
            timezone=self.region.timezone,
            at=self.enrolled_at,
            country=self.region.country,
            subdivision=self.region.subdivision,
            preferred_channel=self.preferred_channel,
        )


def _follow_time(draw: st.DrawFn, action: Action, now: datetime) -> datetime:
    """When the rep carries ``action`` out: as soon as it is due, inside its window, or late."""
    start = action.latest_utc if action.channel is Channel.MEETING else action.earliest_utc
    start = max(start, now)
    mode = draw(st.sampled_from(["due", "due", "window", "late"]))
    if mode == "window" and action.latest_utc > start:
        span = int((action.latest_utc - start).total_seconds())
        return start + timedelta(seconds=draw(st.integers(0, max(span - 1, 0))))
    if mode == "late":
        return start + draw(delays(max_delay=timedelta(days=10)))
    return start


def _answer(
    draw: st.DrawFn,
    action: Action,
    at: datetime,
    event_id: str | None,
    responder: Responder,
    fresh_meeting: str,
) -> ev.Event:
    """A plausible event that carries out ``action`` at ``at``."""
    when = st.just(at)
    eid: SearchStrategy[str | None] = st.just(event_id)
    if action.channel is Channel.MEETING:
        meeting = st.just(action.detail or fresh_meeting)
        return draw(
            st.one_of(
                meeting_held(at=when, ids=eid, meeting_ids=meeting),
                meeting_no_show(at=when, ids=eid, meeting_ids=meeting),
                meeting_cancelled(at=when, ids=eid, meeting_ids=meeting),
            )
        )
    booking = meeting_booked(
        at=when,
        ids=eid,
        meeting_ids=st.sampled_from([action.detail or fresh_meeting, fresh_meeting]),
    )
    if action.channel is Channel.PHONE:
        return _answer_call(draw, action, when, eid, responder, booking)
    if responder == "silent":
        return ev.EmailSent(at=at, id=event_id)
    answers: list[SearchStrategy[ev.Event]] = [
        email_sent(at=when, ids=eid),
        email_sent(at=when, ids=eid),
        email_replied(at=when, ids=eid),
        email_bounced(at=when, ids=eid),
        out_of_office(at=when, ids=eid),
    ]
    if action.kind is ActionKind.PROPOSE_TIMES:
        answers.append(booking)
    return draw(st.one_of(answers))


def _answer_call(
    draw: st.DrawFn,
    action: Action,
    when: SearchStrategy[datetime],
    eid: SearchStrategy[str | None],
    responder: Responder,
    booking: SearchStrategy[ev.Event],
) -> ev.Event:
    """The call that carries out ``action`` (if ``responder`` lets anyone pick up), or a
    meeting booked on it when times were to be proposed."""
    if responder == "silent":
        call = draw(call_attempted(at=when, ids=eid, outcomes=st.sampled_from(_UNANSWERED)))
        return _to_whom(draw, action, call, silent=True)
    outcomes = st.sampled_from((*_OUTCOMES, *_UNANSWERED, "wrong_number"))
    answers: list[SearchStrategy[ev.Event]] = [call_attempted(at=when, ids=eid, outcomes=outcomes)]
    if action.kind is ActionKind.PROPOSE_TIMES:
        answers.append(booking)
    return _to_whom(draw, action, draw(st.one_of(answers)), silent=False)


def _to_whom(draw: st.DrawFn, action: Action, event: ev.Event, *, silent: bool) -> ev.Event:
    """The call made to whom ``action`` names: the receptionist or the superior for an
    escalation (R9), else mostly the prospect. A call to someone else when the prospect was
    asked for changes nothing, so the engine asks again at once: a silent history that drew
    it again and again stalled at one instant (one ladder in seven held twenty such calls), so
    a silent history always calls whom it is asked to."""
    if not isinstance(event, ev.CallAttempted):
        return event
    escalation = action.kind in (ActionKind.CONTACT_RECEPTIONIST, ActionKind.ESCALATE)
    if event.third_party == escalation or (not silent and draw(st.integers(0, 5)) == 0):
        return event
    return ev.CallAttempted(at=event.at, id=event.id, outcome=event.outcome, third_party=escalation)


def _refused(
    engine: cadence.Engine,
    p: Prospect,
    done: list[ev.Event],
    meeting_id: str,
    preferred: Channel | None,
) -> bool:
    """Whether the engine refuses a no-show of ``meeting_id`` after ``done``: applied in their
    order (``p``), or replayed in replay's (events at one instant sort by id and payload, so a
    meeting booked and withdrawn by a lost deal at once may end withdrawn there)."""
    if refuses_no_show(p, meeting_id):
        return True
    if not any(getattr(e, "meeting_id", None) == meeting_id for e in done):
        return False
    canonical = engine.replay(
        p.id,
        done,
        timezone=p.timezone,
        at=p.enrolled_at,
        country=p.country,
        subdivision=p.subdivision,
        preferred_channel=preferred,
    )
    return refuses_no_show(canonical, meeting_id)


def _with_permission(event: ev.Event) -> ev.Event:
    """``event``, a live conversation that leaves the permission open, giving it (R12): the
    prospect who falls silent after it may be dripped once dropped (R11)."""
    live = isinstance(event, ev.MeetingHeld) or (
        isinstance(event, ev.CallAttempted)
        and event.outcome == "connected"
        and not event.third_party
    )
    if live and getattr(event, "permission", False) is None:
        return event.model_copy(update={"permission": True})
    return event


@st.composite
def _histories(
    draw: st.DrawFn,
    policies: SearchStrategy[Policy],
    places: SearchStrategy[Region],
    min_events: int,
    max_events: int,
    responder: Responder,
    random_events: bool,
) -> History:
    policy = draw(policies)
    engine = engine_for(policy)
    region = draw(places)
    enrolled_at = draw(instants([region.timezone]))
    preferred = draw(st.sampled_from([None, None, Channel.PHONE, Channel.EMAIL]))
    pid = "p-1"
    p = engine.enroll(
        pid,
        timezone=region.timezone,
        at=enrolled_at,
        country=region.country,
        subdivision=region.subdivision,
        preferred_channel=preferred,
    )
    wanted = draw(st.integers(min_events, max_events))
    if wanted == 0 and max_events > 0 and draw(st.integers(0, 4)) > 0:
        # Hypothesis favours the bounds: without this, one history in eleven had no event.
        wanted = draw(st.integers(1, max_events))
    # Some mixed histories fall silent once the prospect has engaged: the ladder after a
    # conversation, and the drip its permission allows (R11, R12), are long stories that an
    # answer drawn afresh at every step would hardly ever tell.
    fades = responder == "mixed" and draw(st.integers(0, 3)) == 0
    # Some answer seldom: four touches in five go unanswered, so the opt-out offer, the
    # breakup and the drop after it (R8-R10) come up between the conversations.
    quiet = responder == "mixed" and draw(st.integers(0, 2)) == 0
    answering = responder
    now = enrolled_at.astimezone(UTC)
    done: list[ev.Event] = []
    followed: list[Action | None] = []
    states = [p]
    for _ in range(3 * wanted + 3):
        if len(done) >= wanted:
            break
        action = engine.next_action(p, now)
        event_id = f"{pid}-e{len(done)}" if draw(st.booleans()) else None
        fresh = f"m{len(p.meetings) + 1}"
        stray = (
            random_events
            and answering == responder
            and (action.kind is ActionKind.NONE or draw(st.integers(0, 9 if quiet else 4)) == 0)
        )
        answered: Action | None = None
        if stray:
            at = now + draw(delays())
            known = [m.id for m in p.meetings] or [fresh]
            event = draw(
                events(
                    at=st.just(at),
                    ids=st.just(event_id),
                    meeting_ids=st.sampled_from([*known, fresh]),
                )
            )
        elif (
            answering == "mixed"
            and p.stage is Stage.ENGAGED
            and draw(st.integers(0, 7 if p.permission is None else 3)) == 0
        ):
            # The deal is lost after a conversation: on to the drip (R11), whose touches the
            # rep then carries out like any other action, if it gave the permission (R12),
            # else dropped until they reach out.
            event = ev.DealClosed(at=now + draw(delays()), id=event_id, won=False)
        elif p.unreachable and responder == "mixed" and draw(st.integers(0, 2)) == 0:
            # A bounce or a wrong number, and the rep finds a new address or number.
            at = now + draw(delays())
            found = st.sampled_from(sorted(p.unreachable))
            event = draw(contact_updated(at=st.just(at), ids=st.just(event_id), channels=found))
        elif action.kind is ActionKind.WAIT and action.earliest_utc > now:
            now = action.earliest_utc  # time passes: the pause ends, the breakup expires
            continue
        elif (
            action.kind is ActionKind.NONE
            and answering != responder
            and random_events
            and draw(st.booleans())
        ):
            # A prospect who fell silent reaches out again after the engine gave up on them
            # (dropped, R12): the story goes on with them answering as before.
            answering = responder
            fades = False
            continue
        elif action.kind in (ActionKind.NONE, ActionKind.WAIT):
            break
        else:
            at = _follow_time(draw, action, now)
            unheard = (
                quiet and action.channel is not Channel.MEETING and draw(st.integers(0, 4)) > 0
            )
            event = _answer(draw, action, at, event_id, "silent" if unheard else answering, fresh)
            answered = action
            if fades and answering == responder and draw(st.booleans()):
                event = _with_permission(event)
        if isinstance(event, ev.MeetingNoShow) and _refused(
            engine, p, done, event.meeting_id, preferred
        ):
            # The engine refuses that; a no-show of a meeting it never saw is accepted.
            event = event.model_copy(update={"meeting_id": f"m-unseen-{len(done)}"})
        elif isinstance(event, ev.OptedIn) and refuses_opt_in(p, event.at):
            # At the instant of an opt-out it is refused (R13); a second later it is taken.
            event = event.model_copy(update={"at": event.at + _SECOND})
        p = engine.apply(p, event)
        if fades and p.stage is Stage.ENGAGED:
            answering = "silent"
        done.append(event)
        followed.append(answered)
        states.append(p)
        now = max(now, event.at)
    return History(
        policy=policy,
        region=region,
        prospect_id=pid,
        preferred_channel=preferred,
        enrolled_at=enrolled_at,
        events=tuple(done),
        followed=tuple(followed),
        states=tuple(states),
        until=max(now, p.last_event_at),
    )


def histories(
    *,
    policies: SearchStrategy[Policy] | None = None,
    places: SearchStrategy[Region] | None = None,
    min_events: int = 0,
    max_events: int = 12,
    responder: Responder = "mixed",
    random_events: bool = True,
) -> SearchStrategy[History]:
    """Plausible histories, generated by driving the engine.

    At each step the engine is asked for the next action; usually the rep carries it out (at
    its earliest time, inside its window, or late) and the prospect answers the way prospects
    do (mostly voicemail; sometimes a conversation, a reply, a booking, a bounce; after a
    bounce or a wrong number, the rep now and then finds a new address or number). A call is
    made to whom the action names: the prospect, or the receptionist or superior of an
    escalation (R9); a mixed history now and then calls someone else. With ``random_events``
    some steps are instead an unrelated event of any type at a random later time. About one
    mixed history in three is quiet (four touches in five go unanswered), so the opt-out
    offer, the breakup and the drop (R8-R10) come up; about one in four falls silent once the
    prospect has engaged (without unrelated events), so that the ladder after a conversation
    runs out, and may reach out again once dropped; an engaged prospect's deal is now and
    then lost, so the drip (R11, with the permission R12 asks for) or the drop follows. A
    ``wait`` lets time pass; ``none`` ends a silent history.

    ``responder="silent"``: the prospect never answers (calls reach voicemail or nobody, emails
    go unanswered), so the history walks the whole unanswered ladder (R3-R10), up to the breakup.
    The drop after it (R10) comes with time, not with an event: ``until`` is the moment time
    passed to (the breakup's wait over), and ``history.settled`` the prospect then, dropped.
    The drip after a drop (R11) needs the permission (R12) a prospect who never answers does
    not give, unless the policy's ``drip_requires_permission`` is off.
    """
    _check(policies, "policies", "cadence.testing.policies() or st.just(Policy(...))")
    _check(places, "places", "cadence.testing.regions() or st.just(Region(...))")
    for name, value in (("min_events", min_events), ("max_events", max_events)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidArgument(f"{name}: {value!r} is not a whole number >= 0")
    if max_events < min_events:
        raise InvalidArgument(f"max_events={max_events} is below min_events={min_events}")
    if responder not in get_args(Responder):
        raise InvalidArgument(f"responder: {responder!r} is not 'mixed' or 'silent'")
    if not isinstance(random_events, bool):
        raise InvalidArgument(f"random_events: {random_events!r} is not True or False")
    return _histories(
        st.just(Policy()) if policies is None else policies,
        regions() if places is None else places,
        min_events,
        max_events,
        responder,
        random_events,
    )


def _check(strategy: object, name: str, example: str) -> None:
    """Hypothesis's way: an argument that cannot work is an ``InvalidArgument`` at once."""
    if strategy is not None and not isinstance(strategy, SearchStrategy):
        got = type(strategy).__name__
        raise InvalidArgument(f"{name}: expected a hypothesis strategy, got {got}; use {example}")


def ladders(
    *,
    policies: SearchStrategy[Policy] | None = None,
    places: SearchStrategy[Region] | None = None,
    min_events: int = 0,
    max_events: int = 20,
) -> SearchStrategy[History]:
    """Histories in which the rep follows every action and the prospect never answers.

    A ladder may stop short of ``min_events`` when the engine has nothing left to do. Its
    states hold no ``dropped`` prospect (the drop comes with time, R10); ``history.settled``
    shows it, as of ``history.until``.
    """
    return histories(
        policies=policies,
        places=places,
        min_events=min_events,
        max_events=max_events,
        responder="silent",
        random_events=False,
    )


@st.composite
def _moments(draw: st.DrawFn, engine: cadence.Engine, prospect: Prospect) -> datetime:
    base = prospect.last_event_at
    where = draw(st.sampled_from(["event", "later", "due"]))
    if where == "event":
        return base
    if where == "later":
        return base + draw(delays())
    action = draw(st.sampled_from(engine.plan(prospect, base)))
    return max(base, action.earliest_utc) + draw(delays(max_delay=timedelta(hours=8)))


def moments(engine: cadence.Engine, prospect: Prospect) -> SearchStrategy[datetime]:
    """Instants worth asking ``engine`` about ``prospect`` (never before its newest event): the
    moment of that event, any later moment, or a moment just after something falls due."""
    return _moments(engine, prospect)
