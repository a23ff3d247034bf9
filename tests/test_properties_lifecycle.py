"""Long stories through the lifecycle's tail (R8-R13, R16, the drip), told with the public API.

A rep follows the engine's own next actions for months; now and then the prospect answers, calls
back, is away, the deal closes or they opt out, or nothing happens for weeks. After every step:
the stage moved along an edge of the declared lifecycle, ``advance`` changes no decision, a
terminal prospect is asked for nothing, a drip touch needs the permission a conversation gave
(R12), comes a drip interval after the last one (R11) and cites R16 when it goes by the channel
they prefer, an answer from the drip makes the
prospect engaged (and starts a fresh ladder), and ``replay`` of the story folds what ``apply``
built.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import event as tally
from hypothesis import given, note
from hypothesis import strategies as st

import cadence
from cadence import ActionKind, Channel, Stage
from cadence import events as ev
from cadence.lifecycle import TERMINAL, Trigger, lifecycle
from cadence.policy import Policy
from cadence.testing import engine_for

MONDAY = datetime(2026, 3, 2, 15, tzinfo=UTC)
ENROL = {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"}

policies = st.builds(
    Policy,
    drip_requires_permission=st.booleans(),
    drip_interval_days=st.sampled_from([7, 30, 45]),
    opt_out_offer_after=st.integers(1, 4),
    breakup_wait_business_days=st.integers(1, 6),
)
#: What happens at each step: mostly the rep does what the engine says, unanswered.
#: An ending (won, opted out) is rare, so that most stories run through the ladder to the drip.
moves = st.sampled_from(
    ["follow"] * 24 + ["reply", "call_back", "away", "weeks", "weeks", "lost", "won", "opt_out"]
)


def _edge(before: Stage, after: Stage) -> bool:
    """Whether the lifecycle's table moves ``before`` to ``after`` on some trigger."""
    table = lifecycle().table
    return after is before or any(table.get((before, t)) is after for t in Trigger)


def _event(move: str, i: int, at: datetime, act: cadence.Action, data: st.DataObject) -> ev.Event:
    if move == "follow" and act.channel is Channel.PHONE:
        outcome = data.draw(st.sampled_from(["voicemail", "no_answer"]))
        return ev.CallAttempted(at=at, outcome=outcome, id=f"e{i}")
    if move == "follow":
        return ev.EmailSent(at=at, id=f"e{i}")
    if move == "reply":
        intent = data.draw(st.sampled_from([None, "positive", "neutral", "not_now"]))
        return ev.EmailReplied(at=at, intent=intent, id=f"e{i}")
    if move == "call_back":
        return ev.CallAttempted(
            at=at,
            outcome="connected",
            permission=data.draw(st.sampled_from([True, None, False])),
            next_contact_at=data.draw(st.sampled_from([None, at + timedelta(days=3)])),
            id=f"e{i}",
        )
    if move == "away":
        back = at + timedelta(days=data.draw(st.integers(1, 40)))
        return ev.OutOfOffice(at=at, until=back, id=f"e{i}")
    if move in ("lost", "won"):
        return ev.DealClosed(at=at, won=move == "won", id=f"e{i}")
    return ev.OptedOut(at=at, id=f"e{i}")


@given(
    policy=policies,
    permission=st.sampled_from([True, None, False]),
    preferred=st.sampled_from([None, Channel.PHONE, Channel.EMAIL]),
    data=st.data(),
)
def test_long_stories_keep_the_lifecycle_and_the_drip(
    policy: Policy, permission: bool | None, preferred: Channel | None, data: st.DataObject
) -> None:
    engine = engine_for(policy)
    enrol = {**ENROL, "preferred_channel": preferred}
    p = engine.enroll("dana", at=MONDAY, **enrol)  # type: ignore[arg-type]
    history: list[ev.Event] = [
        ev.CallAttempted(at=MONDAY, outcome="connected", permission=permission, id="e0")
    ]
    p = engine.apply(p, history[0])
    now = MONDAY
    last_drip: datetime | None = None  # the drip touch the rep last made, in this drip
    for i in range(1, 40):
        act = engine.next_action(p, now)
        note(f"{i}: {p.stage.value} -> {act.kind.value} {act.channel} {act.earliest} {act.rules}")
        assert engine.next_action(engine.advance(p, now), now) == act
        if p.stage in TERMINAL or act.kind is ActionKind.NONE:
            assert act.kind is ActionKind.NONE
            break
        if act.kind is ActionKind.DRIP_TOUCH:
            tally("a drip touch")
            assert not policy.drip_requires_permission or p.permission is True  # R12
            assert "R11" in act.rules
            assert ("R16" in act.rules) is (act.channel is preferred)  # R16: by their choice
            if last_drip is not None:  # R11: a drip interval after the last touch
                assert act.earliest_utc >= last_drip + timedelta(days=policy.drip_interval_days)
        move = data.draw(moves)
        at = max(now, act.earliest_utc) + timedelta(minutes=data.draw(st.integers(0, 3000)))
        if move == "weeks":
            at += timedelta(days=data.draw(st.integers(1, 200)))
        moved = engine.advance(p, at)
        now = at
        if act.kind is ActionKind.WAIT or move == "weeks":
            p = moved
            continue
        event = _event(move, i, at, act, data)
        if move == "follow" and engine.next_action(moved, at).kind is ActionKind.DRIP_TOUCH:
            last_drip = at
        after = engine.apply(p, event)
        history.append(event)
        assert _edge(moved.stage, after.stage), (moved.stage, after.stage, event)
        if move in ("reply", "call_back") and moved.stage not in TERMINAL:
            assert after.stage is Stage.ENGAGED  # R11: any response, from the drip too
            assert after.unanswered == 0  # a fresh ladder
            assert after.breakup_sent_at is None
            last_drip = None
        p = after
    rebuilt = engine.replay("dana", history, at=MONDAY, **enrol)  # type: ignore[arg-type]
    applied = engine.enroll("dana", at=MONDAY, **enrol)  # type: ignore[arg-type]
    for event in history:
        applied = engine.apply(applied, event)
    assert rebuilt == applied
    assert engine.plan(rebuilt, now) == engine.plan(p, now)
