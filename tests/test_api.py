"""The public surface (DESIGN §6) is pinned: names integrations rely on stay stable."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

import cadence
from cadence import events as ev
from cadence.actions import _TIMES


def test_all_is_sorted_and_complete() -> None:
    """``__all__`` is sorted and is exactly what a user can import (submodules such as
    ``cadence.batch`` are imported on purpose and are not re-exported, except ``events``)."""
    import inspect

    assert list(cadence.__all__) == sorted(cadence.__all__)
    names = {n for n in dir(cadence) if not n.startswith("_")}
    public = {n for n in names if not inspect.ismodule(getattr(cadence, n))} | {"events"}
    assert public | {"__version__"} == set(cadence.__all__)
    assert all(hasattr(cadence, n) for n in cadence.__all__)


def test_stage_and_action_kind_values_are_those_of_the_design() -> None:
    assert [s.value for s in cadence.Stage] == [
        "new",
        "engaged",
        "unresponsive",
        "opt_out_offered",
        "dropped",
        "drip",
        "opted_out",
        "closed",
    ]
    assert {k.value for k in cadence.ActionKind} == {
        "call",
        "email",
        "send_collateral",
        "propose_times",
        "opt_out_offer",
        "breakup",
        "drip_touch",
        "contact_receptionist",
        "escalate",
        "attend_meeting",
        "wait",
        "none",
    }


def test_design_section_6_snippet_works_as_written(monday: datetime) -> None:
    now, t, t2, t3 = monday, monday, monday + timedelta(hours=1), monday + timedelta(days=30)
    engine = cadence.Engine(cadence.Policy())
    p = engine.enroll("acme-42", timezone="America/Chicago", at=now, country="US", subdivision="IL")
    p = engine.apply(p, cadence.events.CallAttempted(at=t, outcome="voicemail"))
    act = engine.next_action(p, now=t2)
    acts = engine.plan(p, now=t2)
    assert acts[0] == act
    assert act.earliest >= t2
    p3 = engine.advance(p, now=t3)
    assert p3.id == "acme-42"
    replayed = engine.replay(
        "acme-42",
        [cadence.events.CallAttempted(at=t, outcome="voicemail")],
        timezone="America/Chicago",
        at=now,
        country="US",
        subdivision="IL",
    )
    assert engine.next_action(replayed, now=t2) == act
    e = cadence.parse_event({"type": "call_attempted", "at": t.isoformat(), "outcome": "voicemail"})
    assert e == ev.CallAttempted(at=t, outcome="voicemail")


def test_prospect_and_policy_round_trip_json_with_schema(
    engine: cadence.Engine, monday: datetime
) -> None:
    p = engine.enroll("p", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True, id="a"))
    p = engine.apply(
        p, ev.MeetingBooked(at=monday, meeting_id="m", starts_at=monday + timedelta(days=2))
    )
    back = cadence.Prospect.model_validate_json(p.model_dump_json())
    assert back == p
    assert back.schema_version == 1
    assert engine.plan(back, monday) == engine.plan(p, monday)
    policy = cadence.Policy(min_gap_business_days=3, escalations=("contact_receptionist",))
    assert cadence.Policy.model_validate_json(policy.model_dump_json()) == policy
    for model in (cadence.Prospect, cadence.Policy, cadence.Action):
        schema = model.model_json_schema()
        assert schema["type"] == "object"
        json.dumps(schema)
    assert "schema_version" in cadence.Prospect.model_json_schema()["properties"]


def test_events_are_frozen_and_normalised_to_utc(monday: datetime) -> None:
    e = ev.EmailSent(at=monday)
    assert e.at.utcoffset() == timedelta(0)
    assert e.at == monday
    try:
        e.at = monday  # type: ignore[misc]
    except ValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("events must be frozen")


@given(minutes=st.integers(-14 * 60, 14 * 60))
def test_instants_read_from_json_are_held_in_utc_whatever_their_offset(minutes: int) -> None:
    """An offset parsed from JSON (pydantic's own fixed-offset tzinfo) comes out as UTC, in
    an event and in a stored state alike."""
    offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC) - timedelta(minutes=minutes)
    event = cadence.parse_event(f'{{"type": "email_sent", "at": "2026-03-02T15:00:00{offset}"}}')
    assert (event.at, event.at.tzinfo) == (at, UTC)
    engine = cadence.Engine()
    stored = engine.enroll("p", timezone="Europe/Paris", at=at).model_dump_json()
    state = cadence.Prospect.model_validate_json(stored.replace('Z"', f'{offset}"'))
    shifted = at - timedelta(minutes=minutes)  # the same wall time, at that offset
    assert (state.enrolled_at, state.last_event_at, state.enrolled_at.tzinfo) == (
        shifted,
        shifted,
        UTC,
    )


def test_every_model_cadence_defines_is_frozen() -> None:
    """An engine compiles its policy once, and a CRM may share a prospect or an action between
    threads: a model that could be changed in place (a policy's weekday hours, a meeting inside
    a prospect) would change what a compiled engine or a cached answer holds, unseen. Every
    pydantic model in every cadence module is frozen, nested ones included."""
    import importlib
    import inspect
    import pkgutil

    from pydantic import BaseModel

    models: dict[str, type[BaseModel]] = {}
    for info in pkgutil.walk_packages(cadence.__path__, "cadence."):
        module = importlib.import_module(info.name)  # the test extras install every extra
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseModel)
                and value.__module__.startswith("cadence")
            ):
                models[f"{value.__module__}.{value.__qualname__}"] = value
    assert {"cadence.policy.WeekdayHours", "cadence.prospect.Meeting"} <= set(models)
    assert len(models) >= 30, sorted(models)
    thawed = sorted(name for name, model in models.items() if not model.model_config.get("frozen"))
    assert thawed == []
    policy = cadence.Policy.model_validate(
        {"weekday_hours": [{"weekday": 4, "channel": "phone", "slots": []}]}
    )
    try:
        policy.weekday_hours[0].slots = ()  # type: ignore[misc]
    except ValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a policy's weekday hours must be frozen")


def test_simulation_surface_is_pinned() -> None:
    """``cadence.simulate`` is the simulation's entry point (DESIGN §6); the submodules users
    import on purpose pin their own ``__all__`` (isort-style order, as ruff's RUF022 keeps it)."""
    import inspect

    import cadence.simulation
    import cadence.testing

    assert cadence.simulate is cadence.simulation.simulate
    assert "simulate" in cadence.__all__
    assert set(cadence.simulation.__all__) == {
        "DEFAULT_START",
        "METRICS",
        "PLACES",
        "Comparison",
        "Interval",
        "Metrics",
        "Place",
        "Record",
        "Responder",
        "Series",
        "SimulationResult",
        "compare",
        "simulate",
    }
    for module in (cadence.simulation, cadence.testing):
        names = {
            n
            for n in dir(module)
            if not n.startswith("_") and not inspect.ismodule(getattr(module, n))
        }
        assert names == set(module.__all__), module.__name__
    assert {"PolicyMachine", "check_invariants", "check_step", "prospects"} <= set(
        cadence.testing.__all__
    )


def test_two_actions_an_hour_apart_in_a_repeated_hour_are_not_equal() -> None:
    """Datetimes of one zone compare by wall time: the window at the second 01:30 of New
    York's fall-back night was equal to the one at the first, so a host comparing the next
    action with the last one saw no change though it had moved an hour (or a proposal had)."""
    from zoneinfo import ZoneInfo

    first = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    second = first.replace(fold=1)
    act = cadence.Action(
        prospect_id="p",
        kind=cadence.ActionKind.CALL,
        channel=cadence.Channel.PHONE,
        earliest=first,
        latest=first + timedelta(hours=1),
        priority=cadence.Priority.FOLLOW_UP,
        rules=("R3",),
        reason="next attempt",
        proposals=(first,),
    )
    assert second - first == timedelta(0)  # (what this test is about: wall-time arithmetic)
    for change in ("earliest", "latest", "due_since", "proposals"):
        moved = act.model_copy(update={change: (second,) if change == "proposals" else second})
        assert moved != act, change
        assert len({act, moved}) == 2
    assert act == act.model_copy()
    assert hash(act) == hash(act.model_copy())
    for moment in (first, second):  # read back from JSON: offsets, not zones (PEP 495)
        at = act.model_copy(update={"earliest": moment, "proposals": (moment,)})
        same = cadence.Action.model_validate_json(at.model_dump_json())
        assert same == at
        assert hash(same) == hash(at)
    times = {n for n, f in cadence.Action.model_fields.items() if "datetime" in str(f.annotation)}
    assert times == _TIMES  # every datetime field compared as an instant
