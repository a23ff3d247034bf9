"""The lifecycle: the declaration, the compiled table and the ``transitions`` machine agree."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transitions import MachineError

from cadence.errors import IllegalTransitionError
from cadence.lifecycle import TERMINAL, TRANSITIONS, Lifecycle, Stage, Trigger, build_machine

Step = Callable[[Stage, Trigger], Stage]

stages = st.sampled_from(Stage)
trigger_runs = st.lists(st.sampled_from(Trigger), max_size=40)


def _outcome(step: Step, stage: Stage, trigger: Trigger) -> Stage | None:
    """The stage ``step`` moves to, or None when it refuses the trigger."""
    try:
        return step(stage, trigger)
    except IllegalTransitionError:
        return None


def _declared() -> dict[tuple[Stage, Trigger], Stage]:
    """The declaration read directly, refusing a (stage, trigger) declared with two targets."""
    table: dict[tuple[Stage, Trigger], Stage] = {}
    for trigger, sources, dest in TRANSITIONS:
        for source in sources:
            assert table.get((source, trigger), dest) == dest, (source, trigger)
            table[(source, trigger)] = dest
    return table


class _Model:
    state: str


@given(start=stages, triggers=trigger_runs)
def test_compiled_table_agrees_with_the_transitions_machine(
    start: Stage, triggers: list[Trigger]
) -> None:
    """The same random trigger runs from a random stage give the same stages in the compiled
    table, in ``Lifecycle.fire`` and in a ``transitions`` machine left running on its own; an
    invalid trigger is refused by all of them (and leaves the stage as it was)."""
    compiled = Lifecycle()
    model = _Model()
    machine = build_machine(model)
    machine.set_state(start.value, model=model)
    table_stage = fired_stage = start
    for trigger in triggers:
        by_table = _outcome(compiled.next_stage, table_stage, trigger)
        by_fire = _outcome(compiled.fire, fired_stage, trigger)
        try:
            model.trigger(trigger.value)  # type: ignore[attr-defined]
            by_machine: Stage | None = Stage(model.state)
        except MachineError:  # the trigger is not valid in this stage
            by_machine = None
        assert by_table == by_fire == by_machine, (table_stage, trigger)
        if by_table is not None:
            table_stage = fired_stage = by_table
        assert Stage(model.state) == table_stage


def test_table_covers_exactly_the_declaration() -> None:
    """Every declared (stage, trigger) is in the table with its declared target, and nothing else
    is: the table is the declaration, compiled."""
    compiled = Lifecycle()
    assert dict(compiled.table) == _declared()
    with pytest.raises(TypeError):
        compiled.table[(Stage.NEW, Trigger.WIN)] = Stage.NEW  # type: ignore[index]


def test_every_stage_is_reachable_from_new() -> None:
    """No stage of the declaration is dead: each one is reachable from ``new``."""
    table = _declared()
    seen = {Stage.NEW}
    frontier = [Stage.NEW]
    while frontier:
        stage = frontier.pop()
        for (source, _), dest in table.items():
            if source is stage and dest not in seen:
                seen.add(dest)
                frontier.append(dest)
    assert seen == set(Stage)


def test_the_diagram_draws_the_table() -> None:
    """The docs' Mermaid diagram has one edge per table entry and nothing more."""
    compiled = Lifecycle()
    edges = {
        line.strip()
        for line in compiled.mermaid().splitlines()
        if "-->" in line and "[*]" not in line
    }
    expected = {f"{s.value} --> {d.value}: {t.value}" for (s, t), d in compiled.table.items()}
    assert edges == expected


def test_terminal_stages_are_opted_out_and_closed() -> None:
    assert frozenset({Stage.OPTED_OUT, Stage.CLOSED}) == TERMINAL


@pytest.mark.parametrize("trigger", list(Trigger))
def test_opted_out_only_leaves_via_opt_in(trigger: Trigger) -> None:
    """R13: nothing but an explicit opt-in moves a prospect out of ``opted_out``."""
    after = _outcome(Lifecycle().next_stage, Stage.OPTED_OUT, trigger)
    if trigger is Trigger.OPT_IN:
        assert after is Stage.ENGAGED
    else:
        assert after in (None, Stage.OPTED_OUT)


@pytest.mark.parametrize("trigger", list(Trigger))
def test_closed_only_leaves_via_opt_out(trigger: Trigger) -> None:
    """A closed deal stays closed; the prospect may still say no (R13)."""
    after = _outcome(Lifecycle().next_stage, Stage.CLOSED, trigger)
    if trigger is Trigger.OPT_OUT:
        assert after is Stage.OPTED_OUT
    else:
        assert after in (None, Stage.CLOSED)


@given(start=stages, triggers=trigger_runs)
def test_opt_out_is_absorbing_until_opt_in(start: Stage, triggers: list[Trigger]) -> None:
    """Along any run, from the first opt-out on, the stage is ``opted_out`` until an opt-in."""
    compiled = Lifecycle()
    stage = start
    opted_out = False
    for trigger in triggers:
        stage = _outcome(compiled.next_stage, stage, trigger) or stage
        if trigger is Trigger.OPT_OUT:
            opted_out = True
        elif trigger is Trigger.OPT_IN:
            opted_out = False
        if opted_out:
            assert stage is Stage.OPTED_OUT, (start, triggers)


def test_the_dot_graph_draws_the_table() -> None:
    """The DOT graph has one edge per (stage, next stage), labelled with exactly the triggers the
    table has for it; terminal stages have a double border."""
    import re

    compiled = Lifecycle()
    text = compiled.dot()
    assert text.startswith("digraph lifecycle {")
    assert text.endswith("}")
    drawn = set()
    for src, dst, label in re.findall(
        r'^ {4}"(\w+)" -> "(\w+)" \[label="([\w, ]+)"\];$', text, re.M
    ):
        drawn |= {(Stage(src), Trigger(t), Stage(dst)) for t in label.split(", ")}
    assert drawn == {(s, t, d) for (s, t), d in compiled.table.items()}
    assert 'start -> "new";' in text
    for stage in TERMINAL:
        assert f'"{stage.value}" [peripheries=2];' in text
