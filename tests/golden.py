"""The golden-decisions corpus: (policy, history, now) -> the exact plan, for every rule.

Each case is a small story. ``python -m tests.golden`` rewrites the fixtures under
``tests/fixtures/decisions/``; a change to any output is then a deliberate, reviewed diff.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import cadence
from cadence import events as ev
from cadence.channel import Channel

HERE = pathlib.Path(__file__).resolve().parent / "fixtures" / "decisions"
CHI = ZoneInfo("America/Chicago")
T0 = datetime(2026, 3, 9, 9, 30, tzinfo=CHI)  # a Monday

Case = tuple[dict[str, Any], dict[str, Any], list[ev.Event], datetime]


def _silent(n: int, *, permission: bool) -> Case:
    """A prospect who spoke once (with or without permission) and then never answers: the
    engine's own actions are followed for ``n`` steps (R1–R12)."""
    engine = cadence.Engine()
    enroll: dict[str, Any] = {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"}
    p = engine.enroll("golden", at=T0, **enroll)
    history: list[ev.Event] = [ev.CallAttempted(at=T0, outcome="connected", permission=permission)]
    p = engine.apply(p, history[0])
    now = T0
    for i in range(n):
        act = engine.next_action(p, now)
        now = max(now, act.earliest)
        if act.kind is cadence.ActionKind.WAIT:
            p = engine.advance(p, now)
            continue
        if act.kind is cadence.ActionKind.NONE:
            break
        e: ev.Event = (
            ev.CallAttempted(at=now, outcome="voicemail", id=f"g{i}")
            if act.channel is Channel.PHONE
            else ev.EmailSent(at=now, id=f"g{i}")
        )
        history.append(e)
        p = engine.apply(p, e)
    return {}, enroll, history, now


def _events(*items: ev.Event) -> list[ev.Event]:
    return list(items)


CASES: dict[str, Callable[[], Case]] = {
    "r01-agreed-time": lambda: (
        {},
        {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"},
        _events(
            ev.CallAttempted(at=T0, outcome="connected", next_contact_at=T0 + timedelta(days=3))
        ),
        T0,
    ),
    "r01-missed-promise": lambda: (
        {},
        {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"},
        _events(
            ev.CallAttempted(at=T0, outcome="connected", next_contact_at=T0 + timedelta(days=1))
        ),
        T0 + timedelta(days=2),
    ),
    "r02-new": lambda: ({}, {"timezone": "America/Chicago", "country": "US"}, [], T0),
    "r03-r04-r05-r06-after-voicemail": lambda: _silent(1, permission=False),
    "r07-switch-to-email": lambda: _silent(4, permission=False),
    "r08-opt-out-offer": lambda: _silent(5, permission=False),
    "r10-breakup": lambda: _silent(7, permission=False),
    "r10-r12-dropped": lambda: _silent(9, permission=False),
    "r11-drip": lambda: _silent(10, permission=True),
    "r09-escalations": lambda: (
        {"escalations": ["contact_receptionist", "ask_decision_makers"]},
        *_silent(7, permission=False)[1:],
    ),
    "r13-opted-out": lambda: (
        {},
        {"timezone": "America/Chicago", "country": "US"},
        _events(
            ev.OptedOut(at=T0),
            ev.EmailReplied(at=T0 + timedelta(hours=1), intent="positive"),
        ),
        T0 + timedelta(days=1),
    ),
    "r14-rep-cancels": lambda: (
        {},
        {"timezone": "America/Chicago", "country": "US", "subdivision": "IL", "local": True},
        _events(
            ev.MeetingBooked(at=T0, meeting_id="m1", starts_at=T0 + timedelta(days=2)),
            ev.MeetingCancelled(at=T0 + timedelta(hours=3), meeting_id="m1", by="rep"),
        ),
        T0 + timedelta(hours=3),
    ),
    "r15-prospect-cancels-and-rebooks": lambda: (
        {},
        {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"},
        _events(
            ev.MeetingBooked(at=T0, meeting_id="m1", starts_at=T0 + timedelta(days=2)),
            ev.MeetingCancelled(at=T0 + timedelta(days=1), meeting_id="m1", by="prospect"),
            ev.MeetingBooked(
                at=T0 + timedelta(days=1, hours=2),
                meeting_id="m1",
                starts_at=T0 + timedelta(days=6),
            ),
        ),
        T0 + timedelta(days=1, hours=2),
    ),
    "r16-prefers-email": lambda: (
        {},
        {"timezone": "Europe/Paris", "country": "FR"},
        _events(ev.ChannelPreference(at=T0, channel=Channel.EMAIL)),
        T0,
    ),
    "r17-not-now": lambda: (
        {},
        {"timezone": "America/New_York", "country": "US", "subdivision": "NY"},
        _events(ev.EmailReplied(at=T0, intent="not_now", resume_at=T0 + timedelta(days=20))),
        T0,
    ),
    "florida-cap": lambda: (
        {"call_slots": [{"name": "day", "start": "08:00", "end": "21:00"}]},
        {"timezone": "America/New_York", "country": "US", "subdivision": "FL"},
        _events(  # a promised callback the Florida cap (3 calls per 24 h) must defer
            ev.CallAttempted(at=T0, outcome="voicemail"),
            ev.CallAttempted(at=T0 + timedelta(hours=1), outcome="no_answer"),
            ev.CallAttempted(
                at=T0 + timedelta(hours=2),
                outcome="connected",
                next_contact_at=T0 + timedelta(hours=3),
            ),
        ),
        T0 + timedelta(hours=2, minutes=1),
    ),
}


def compute(name: str) -> dict[str, Any]:
    """The case's inputs and the engine's plan for them, as JSON-ready data."""
    policy_data, enroll, history, now = CASES[name]()
    policy = cadence.Policy.model_validate(policy_data)
    engine = cadence.Engine(policy)
    p = engine.enroll("golden", at=T0, **enroll)
    for e in history:
        p = engine.apply(p, e)
    plan = engine.plan(p, now)
    return {
        "policy": policy_data,
        "enroll": {**enroll, "at": T0.isoformat()},
        "history": [e.model_dump(mode="json") for e in history],
        "now": now.isoformat(),
        "plan": [a.model_dump(mode="json") for a in plan],
    }


def main() -> None:
    """Rewrite every fixture (review the diff before committing)."""
    HERE.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        path = HERE / f"{name}.json"
        path.write_text(json.dumps(compute(name), indent=1, sort_keys=True) + "\n")
        print("wrote", path.name)


if __name__ == "__main__":
    main()
