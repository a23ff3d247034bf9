"""``cadence.testing.check_invariants`` holds every action of the plan, not only the next one,
to the prospect's opt-outs (R13)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from cadence import Action, ActionKind, Channel, Engine, Policy, Prospect
from cadence import events as ev
from cadence.testing import PolicyMachine, check_invariants
from tests.conftest import CHICAGO
from tests.test_testing_toolkit import hunt

MONDAY = datetime(2026, 3, 9, 9, 30, tzinfo=CHICAGO)


class Leaky(Engine):
    """Broken: after the next action, the plan holds a touch on a channel the prospect
    refused (the next action itself is right)."""

    def plan(self, p: Prospect, now: datetime) -> list[Action]:
        first, *rest = super().plan(p, now)
        refused = sorted(p.blocked_channels - p.unreachable - {Channel.MEETING})
        if not refused or p.is_terminal or first.channel is None:
            return [first, *rest]
        # A weekday a week on, 10:00-11:00 local: inside every channel's hours and the law's.
        day = (first.earliest + timedelta(days=7)).date()
        later = datetime.combine(day, time(10, 0), first.earliest.tzinfo)
        kind = ActionKind.CALL if refused[0] is Channel.PHONE else ActionKind.EMAIL
        update: dict[str, object] = {"channel": refused[0], "kind": kind, "also": ()}
        update |= {"earliest": later, "latest": later + timedelta(hours=1), "rules": ("R2",)}
        extra = first.model_copy(update=update)
        return [first, *rest, extra]


@pytest.mark.parametrize("refused", [Channel.EMAIL, Channel.PHONE])
def test_a_later_touch_on_a_refused_channel_breaks_r13(refused: Channel) -> None:
    engine = Leaky(Policy(opt_out_scope="channel"))
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US")
    events: list[ev.Event] = [
        ev.CallAttempted(at=MONDAY, outcome="connected"),
        ev.OptedOut(at=MONDAY + timedelta(hours=1), channels=frozenset({refused})),
    ]
    with pytest.raises(AssertionError, match=f"R13: .* on {refused.value}"):
        check_invariants(engine, p, events)


def test_the_real_engine_passes_the_same_story() -> None:
    engine = Engine(Policy(opt_out_scope="channel"))
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US")
    events: list[ev.Event] = [
        ev.CallAttempted(at=MONDAY, outcome="connected"),
        ev.OptedOut(at=MONDAY + timedelta(hours=1), channels=frozenset({Channel.EMAIL})),
    ]
    assert check_invariants(engine, p, events).blocked_channels == {Channel.EMAIL}


class Lingering(Engine):
    """Broken: an opt-in gives back the permission to stay in touch the opt-out withdrew."""

    def apply(self, p: Prospect, event: ev.Event) -> Prospect:
        after = super().apply(p, event)
        if isinstance(event, ev.OptedIn) and after is not p:
            return after.model_copy(update={"permission": True})
        return after


def _given_then_withdrawn() -> list[ev.Event]:
    return [
        ev.CallAttempted(at=MONDAY, outcome="connected", permission=True),
        ev.OptedOut(at=MONDAY + timedelta(days=1)),
        ev.OptedIn(at=MONDAY + timedelta(days=2)),
    ]


def test_a_permission_that_outlives_the_opt_out_breaks_r12() -> None:
    engine = Lingering(Policy())
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US")
    with pytest.raises(AssertionError, match="R12: the prospect opted out"):
        check_invariants(engine, p, _given_then_withdrawn())


def test_a_permission_given_again_after_the_opt_in_passes() -> None:
    engine = Engine(Policy())
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US")
    again = ev.CallAttempted(at=MONDAY + timedelta(days=3), outcome="connected", permission=True)
    assert check_invariants(engine, p, [*_given_then_withdrawn()]).permission is None
    assert check_invariants(engine, p, [*_given_then_withdrawn(), again]).permission is True


def test_policy_machine_catches_a_permission_that_outlives_the_opt_out() -> None:
    class Broken(PolicyMachine):
        def __init__(self) -> None:
            super().__init__()
            self.engine = Lingering(self.policy)

        def event_types(self) -> frozenset[str]:
            return frozenset({"call_attempted", "opted_out", "opted_in"})

    with pytest.raises(AssertionError, match="R12: the prospect opted out"):
        hunt(Broken)
