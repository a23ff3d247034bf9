"""``PolicyMachine``: a stateful hypothesis test users run against their own policy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cadence import events as ev
from cadence.actions import ActionKind
from cadence.channel import Channel
from cadence.engine import Engine
from cadence.errors import InvalidInputError, LateEventError
from cadence.lifecycle import Stage
from cadence.policy import Policy
from cadence.prospect import Prospect
from cadence.testing._events import EVENT_TYPES, events, refuses_no_show, refuses_opt_in
from cadence.testing._invariants import (
    away_until,
    channel_names,
    check_step,
    permission_withdrawn,
    raise_if_due_while_away,
    raise_unless_followed_up,
    stored_whole,
)
from cadence.testing._places import REGIONS, Region, delays, instants

__all__ = ["PolicyMachine"]

_OUTCOMES: tuple[ev.CallOutcome, ...] = (
    "voicemail",
    "voicemail",
    "voicemail",
    "voicemail",
    "no_answer",
    "connected",
    "gatekeeper",
)


class PolicyMachine(RuleBasedStateMachine):
    """A CRM driving one prospect under ``policy``, checked after every step.

    The machine enrolls a prospect in one of ``places``, then mixes: following the engine's next
    action (on time, late, or inside its window; calls mostly reach voicemail), the prospect
    acting on their own (any event, at any later time; a no-show of a cancelled or held meeting
    must be refused), time passing, a webhook delivered twice, and an event delivered late
    (refused, except an opt-out, which is honoured). After every step
    :func:`check_step` checks the next action (R2, R3, R4, R12, R13, R17, DESIGN §4), an event
    just applied has what it owes planned (R1's agreed time, R6's email), and the machine
    checks that an opt-out, of everything or of a channel, holds (R13), that one of
    everything withdraws the permission to stay in touch until it is given again (R12), that a
    duplicate event changes nothing and that the state survives the JSON round trip the CRM
    stores it through (DESIGN §6).

    Bind it to a policy and run its ``TestCase`` with pytest or unittest::

        from cadence.testing import PolicyMachine
        TestMyPolicy = PolicyMachine.for_policy(my_policy).TestCase

    Subclass it to add rules and invariants of your own (``self.engine``, ``self.prospect``,
    ``self.history`` and ``self.now`` hold the run's state).
    """

    policy: ClassVar[Policy] = Policy()
    places: ClassVar[tuple[Region, ...]] = REGIONS

    @classmethod
    def for_policy(
        cls, policy: Policy, *, places: Sequence[Region] | None = None
    ) -> type[PolicyMachine]:
        """A subclass of this machine bound to ``policy`` (and to ``places``, default
        :data:`REGIONS`)."""
        if not isinstance(policy, Policy):
            msg = f"policy: expected a cadence.Policy, got {type(policy).__name__} {policy!r}"
            raise TypeError(msg)
        chosen = cls.places if places is None else tuple(places)
        return type(cls.__name__, (cls,), {"policy": policy, "places": chosen})

    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine(self.policy)
        self.prospect: Prospect | None = None
        self.history: list[ev.Event] = []
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
        self.opted_out_at: datetime | None = None
        self.refused: frozenset[Channel] = frozenset()
        """Channels the prospect opted out of (with the policy's ``channel`` scope)."""
        self.withdrawn = False
        """An opt-out withdrew the permission to stay in touch (R12), not given again since."""
        self.away: datetime | None = None
        """The return the prospect announced (R17), as the events say, not the engine."""
        self._before: Prospect | None = None
        self._event: ev.Event | None = None
        self._ids = 0

    # -- rules ----------------------------------------------------------------------------------
    @precondition(lambda self: self.prospect is None)
    @rule(data=st.data())
    def enroll(self, data: st.DataObject) -> None:
        """A new prospect somewhere in ``places``."""
        region = data.draw(st.sampled_from(self.places), label="region")
        at = data.draw(instants([region.timezone]), label="enrolled_at").astimezone(UTC)
        preferred = data.draw(st.sampled_from([None, None, Channel.PHONE, Channel.EMAIL]))
        self.prospect = self.engine.enroll(
            "p-1",
            timezone=region.timezone,
            at=at,
            country=region.country,
            subdivision=region.subdivision,
            preferred_channel=preferred,
        )
        self.now = at

    @precondition(lambda self: self.prospect is not None)
    @rule(
        outcome=st.sampled_from(_OUTCOMES),
        reply=st.booleans(),
        lateness=st.sampled_from([0, 0, 1, 30, 240, 3 * 24 * 60]),
    )
    def follow_the_engine(self, outcome: ev.CallOutcome, reply: bool, lateness: int) -> None:
        """Carry out the next action (a little late, sometimes); the prospect answers."""
        p = self._p()
        act = self.engine.next_action(p, self.now)
        if act.kind in (ActionKind.NONE, ActionKind.WAIT) or act.channel is None:
            self.now = max(self.now, act.earliest_utc) + timedelta(hours=1)
            return
        start = act.latest_utc if act.channel is Channel.MEETING else act.earliest_utc
        at = start + timedelta(minutes=lateness)
        event: ev.Event
        if act.channel is Channel.MEETING:
            meeting = act.detail or "m-1"
            event = (
                ev.MeetingHeld(at=at, meeting_id=meeting, id=self._id())
                if reply
                else ev.MeetingNoShow(at=at, meeting_id=meeting, id=self._id())
            )
        elif act.channel is Channel.PHONE:
            agreed = at + timedelta(days=2) if outcome == "connected" and reply else None
            event = ev.CallAttempted(at=at, outcome=outcome, next_contact_at=agreed, id=self._id())
        elif reply:
            event = ev.EmailReplied(at=at, id=self._id())
        else:
            event = ev.EmailSent(at=at, id=self._id())
        self._apply(event)

    @precondition(lambda self: self.prospect is not None)
    @rule(data=st.data())
    def prospect_acts(self, data: st.DataObject) -> None:
        """Something the engine did not ask for: any event, at any later time."""
        p = self._p()
        at = max(self.now, p.last_event_at) + data.draw(delays(), label="delay")
        known = [m.id for m in p.meetings] or ["m-1"]
        event = data.draw(
            events(
                at=st.just(at),
                ids=st.just(self._id()),
                meeting_ids=st.sampled_from(known),
                types=self.event_types(),
            ),
            label="event",
        )
        if isinstance(event, ev.MeetingNoShow) and refuses_no_show(p, event.meeting_id, event.at):
            self._refused(
                p, event, InvalidInputError, "a no-show of a cancelled or held meeting was accepted"
            )
            return
        if isinstance(event, ev.OptedIn) and refuses_opt_in(p, event.at):
            self._refused_as_late(p, event, "an opt-in at the instant of an opt-out was accepted")
            return
        self._apply(event)

    def event_types(self) -> frozenset[str]:
        """The event types ``prospect_acts`` draws from (override to narrow them)."""
        return EVENT_TYPES

    @precondition(lambda self: self.prospect is not None)
    @rule(hours=st.integers(1, 24 * 40))
    def time_passes(self, hours: int) -> None:
        """Time passes; the CRM stores the advanced state."""
        self.now += timedelta(hours=hours)
        self.prospect = self.engine.advance(self._p(), self.now)
        self._before = self._event = None

    @precondition(lambda self: any(e.id for e in self.history))
    @rule(data=st.data())
    def redeliver(self, data: st.DataObject) -> None:
        """A webhook delivered twice: nothing changes. Where the policy forgets ids
        (``Policy.event_id_memory_days``), a forgotten one is refused as late (an opt-out is
        honoured again): never applied twice."""
        event = data.draw(st.sampled_from([e for e in self.history if e.id]), label="again")
        p = self._p()
        if event.id in p.seen:
            assert self.engine.apply(p, event) == p, f"a duplicate changed the state: {event!r}"
            return
        assert event.at < p.last_event_at, f"the id of the newest event was forgotten: {event!r}"
        if isinstance(event, ev.OptedOut):
            self._apply(event)
            return
        self._refused_as_late(p, event, "an event whose id was forgotten was applied again")

    @precondition(lambda self: self.prospect is not None and len(self.history) >= 1)
    @rule(minutes=st.integers(1, 600), opt_out=st.booleans())
    def deliver_late(self, minutes: int, opt_out: bool) -> None:
        """An event older than the newest one: refused, unless it is an opt-out (R13)."""
        p = self._p()
        at = p.last_event_at - timedelta(minutes=minutes)
        if at < p.enrolled_at:
            return
        if opt_out:
            self._apply(ev.OptedOut(at=at, id=self._id()))
            return
        self._refused_as_late(p, ev.EmailReplied(at=at, id=self._id()), "a late event was accepted")

    def _refused_as_late(self, p: Prospect, event: ev.Event, otherwise: str) -> None:
        self._refused(p, event, LateEventError, otherwise)

    def _refused(
        self, p: Prospect, event: ev.Event, error: type[InvalidInputError], otherwise: str
    ) -> None:
        snapshot = p.model_dump()
        try:
            self.engine.apply(p, event)
        except error:
            # ``p`` is the stored state itself: compared with what it was, not with itself.
            assert p.model_dump() == snapshot, f"a refused event changed the state: {event!r}"
        else:
            raise AssertionError(f"{otherwise}: {event!r}")

    # -- invariants ------------------------------------------------------------------------------
    @invariant()
    def the_engine_keeps_its_rules(self) -> None:
        """R2, R3, R4, R12, R13, R17 and DESIGN §4 on the next action (see ``check_step``);
        the state the CRM stores survives its JSON round trip (DESIGN §6)."""
        if self.prospect is None:
            return
        stored = stored_whole(self.prospect)
        assert stored is None, stored
        now = max(self.now, self.prospect.last_event_at)
        act = check_step(self.engine, self.prospect, now, before=self._before, event=self._event)
        raise_if_due_while_away(self.prospect, act, now, self.away, "in the machine's run")
        if self.opted_out_at is not None:
            assert self.prospect.stage is Stage.OPTED_OUT, (
                f"R13: opted out at {self.opted_out_at.isoformat()}, now {self.prospect.stage}"
            )
            assert act.kind is ActionKind.NONE, f"R13: {act.kind.value} after the opt-out"
        blocked = self.prospect.blocked_channels
        assert self.refused <= blocked, (
            f"R13: opted out of {channel_names(self.refused)}, but only "
            f"{channel_names(blocked)} are blocked"
        )

    # -- helpers ---------------------------------------------------------------------------------
    def _p(self) -> Prospect:
        assert self.prospect is not None
        return self.prospect

    def _id(self) -> str:
        self._ids += 1
        return f"e{self._ids}"

    def _apply(self, event: ev.Event) -> None:
        before = self._p()
        self.prospect = self.engine.apply(before, event)
        self._before, self._event = before, event
        self.history.append(event)
        self.now = max(self.now, event.at)
        self.away = away_until(event, self.away)
        self.withdrawn = permission_withdrawn(
            self.withdrawn, event, self.prospect, "in the machine's run"
        )
        if self.prospect is not before:  # (a duplicate changes nothing and owes nothing)
            now = max(self.now, self.prospect.last_event_at)
            raise_unless_followed_up(self.engine, self.prospect, event, now, "in the machine's run")
        if isinstance(event, ev.OptedOut) and (
            event.channels is None
            or self.engine.policy.opt_out_scope == "all"
            or {Channel.PHONE, Channel.EMAIL} <= event.channels
        ):
            self.opted_out_at = event.at
        elif isinstance(event, ev.OptedOut):
            self.refused |= event.channels or frozenset()
        elif isinstance(event, ev.OptedIn):
            self.opted_out_at = None
            self.refused = frozenset()

    def teardown(self) -> None:
        """Nothing to release: the engine holds no resources."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(policy changed: {_changed(self.engine.policy)})"


def _changed(policy: Policy) -> dict[str, Any]:
    return policy.model_dump(exclude_defaults=True, exclude={"templates"})
