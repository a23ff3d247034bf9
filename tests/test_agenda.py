"""The agenda's ladder steps, built as tuples for speed, are the tasks their fields name."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cadence._agenda import Task, _step
from cadence.actions import ActionKind, Priority
from cadence.channel import Channel


def test_a_ladder_step_is_the_task_its_fields_name() -> None:
    at = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    step = _step(
        ActionKind.CALL,
        Channel.PHONE,
        at,
        ("R3", "R4"),
        "attempt 2",
        date(2026, 3, 4),
        "morning",
        "a subject",
        "a detail",
    )
    expected = Task(
        kind=ActionKind.CALL,
        channel=Channel.PHONE,
        not_before=at,
        priority=Priority.FOLLOW_UP,
        rules=("R3", "R4"),
        reason="attempt 2",
        min_date=date(2026, 3, 4),
        avoid_slot="morning",
        subject="a subject",
        detail="a detail",
        ladder=True,
    )
    assert type(step) is Task
    assert len(step) == len(Task._fields)
    assert step._asdict() == expected._asdict()
    # Every field a step leaves out keeps Task's own default.
    bare = _step(ActionKind.EMAIL, Channel.EMAIL, at, ("R2",), "first contact", None)
    defaults = Task._field_defaults
    for name in ("exact", "deadline", "flags", "key", "joined", "brings_material"):
        assert getattr(bare, name) == defaults[name], name
    assert (bare.min_date, bare.avoid_slot, bare.subject, bare.detail) == (None,) * 4
