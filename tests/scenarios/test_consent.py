"""Consent (R12, R13): what an opt-out withdraws, what an opt-in gives back, and what the
prospect's own return after an opt-out does."""

from __future__ import annotations

from datetime import datetime, timedelta

import cadence
from cadence import ActionKind, Channel, Stage
from cadence import events as ev
from tests.scenarios.test_rules import _enroll, _never_answers

Engine = cadence.Engine


def _opted_in_again(engine: Engine, monday: datetime) -> tuple[cadence.Prospect, datetime]:
    """Dana gave permission to stay in touch on Monday's call, opted out on Tuesday and asked
    to hear from the rep again on Wednesday."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True))
    p = engine.apply(p, ev.OptedOut(at=monday + timedelta(days=1)))
    t = monday + timedelta(days=2)
    return engine.apply(p, ev.OptedIn(at=t)), t


def test_r12_r13_an_opt_out_withdraws_the_permission_to_drip(
    engine: Engine, monday: datetime
) -> None:
    """The permission to keep in touch was given before the opt-out, which withdrew it: after
    the opt-in and a silent ladder, Dana is dropped, not dripped. (She used to get a drip
    touch a month after the breakup on the strength of the permission she had withdrawn.)"""
    p, t = _opted_in_again(engine, monday)
    assert p.permission is None
    story = _never_answers(engine, p, t, 20)
    assert not [a for a, _ in story if a.kind is ActionKind.DRIP_TOUCH]
    act, p = story[-1]
    assert (p.stage, act.kind, act.rules) == (Stage.DROPPED, ActionKind.NONE, ("R12",))


def test_r12_r13_permission_given_again_after_the_opt_in_allows_the_drip(
    engine: Engine, monday: datetime
) -> None:
    """The permission asked again in a conversation after the opt-in counts: the drip
    follows the silent ladder."""
    p, t = _opted_in_again(engine, monday)
    t += timedelta(hours=1)
    p = engine.apply(p, ev.CallAttempted(at=t, outcome="connected", permission=True))
    story = _never_answers(engine, p, t, 20)
    assert any(a.kind is ActionKind.DRIP_TOUCH for a, _ in story)


def test_r12_r13_a_deal_lost_after_an_opt_in_goes_to_the_drip_only_with_new_permission(
    engine: Engine, monday: datetime
) -> None:
    """A lost deal goes to the drip on the permission (R11, R12): not on one given before the
    opt-out."""
    p, t = _opted_in_again(engine, monday)
    lost = engine.apply(p, ev.DealClosed(at=t + timedelta(hours=1), won=False))
    assert lost.stage is Stage.DROPPED


def test_r12_r13_replay_withdraws_the_permission_as_apply_does(
    engine: Engine, monday: datetime
) -> None:
    """The same story replayed from the CRM's history: the permission is gone too."""
    events: list[ev.Event] = [
        ev.CallAttempted(at=monday, outcome="connected", permission=True, id="a"),
        ev.OptedOut(at=monday + timedelta(days=1), id="b"),
        ev.OptedIn(at=monday + timedelta(days=2), id="c"),
    ]
    replayed = engine.replay(
        "dana", events, timezone="America/Chicago", country="US", subdivision="IL", at=monday
    )
    assert replayed.permission is None


def test_r12_r13_a_state_stored_opted_out_with_its_permission_loses_it_at_the_opt_in(
    engine: Engine, monday: datetime
) -> None:
    """An earlier release stored the opted-out state with the permission given before the
    opt-out; it loads as before, and the opt-in does not bring the permission back."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True))
    stored = engine.apply(p, ev.OptedOut(at=monday + timedelta(days=1)))
    assert stored.permission is None  # (the opt-out withdrew it)
    stored = stored.model_copy(update={"permission": True})  # as an earlier release kept it
    loaded = cadence.Prospect.model_validate_json(stored.model_dump_json())
    assert loaded.permission is True
    back = engine.apply(loaded, ev.OptedIn(at=monday + timedelta(days=2)))
    assert back.permission is None


def test_r13_an_empty_channel_list_opts_out_of_everything(monday: datetime) -> None:
    """``channels: []`` is read as no channel named, so everything, whether constructed,
    parsed from a webhook or replayed: an opt-out is never refused, nor narrowed, for its
    form (histories stored by earlier releases may hold the empty list)."""
    engine = Engine(cadence.Policy(opt_out_scope="channel"))
    p = _enroll(engine, monday)
    payload = {"type": "opted_out", "at": monday.isoformat(), "channels": [], "id": "o"}
    for event in (ev.OptedOut(at=monday, channels=frozenset()), cadence.parse_event(payload)):
        out = engine.apply(p, event)
        assert out.stage is Stage.OPTED_OUT
        assert engine.next_action(out, monday + timedelta(days=1)).kind is ActionKind.NONE
    replayed = engine.replay(
        "dana", [payload], timezone="America/Chicago", country="US", subdivision="IL", at=monday
    )
    assert replayed.stage is Stage.OPTED_OUT


def test_r13_calling_in_after_refusing_calls_is_not_an_opt_in(monday: datetime) -> None:
    """Lee refused calls, then called the rep and asked to hear back on Thursday: the
    contact agreed goes by email, on Thursday: only an explicit opt-in reopens the phone."""
    engine = Engine(cadence.Policy(opt_out_scope="channel"))
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.OptedOut(at=monday, channels=frozenset({Channel.PHONE})))
    t = monday + timedelta(days=1)
    thursday = monday + timedelta(days=3)
    p = engine.apply(p, ev.CallAttempted(at=t, outcome="connected", next_contact_at=thursday))
    plan = engine.plan(p, t)
    assert [(a.kind, a.channel, a.rules) for a in plan] == [
        (ActionKind.EMAIL, Channel.EMAIL, ("R1",))
    ]
    assert plan[0].earliest == thursday
