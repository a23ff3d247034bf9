"""The prospect lifecycle, declared once (DESIGN §3).

The graph is declared here as data, handed to one ``transitions.Machine`` per lifecycle (never one
per prospect: a machine costs hundreds of microseconds and kilobytes), and compiled into an
immutable ``(stage, trigger) -> stage`` table that the engine uses on the hot path. This is the only
module that imports ``transitions``; its ``MachineError`` becomes
:class:`cadence.errors.IllegalTransitionError` here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Any, Final

from transitions import Machine, MachineError

from cadence.errors import IllegalTransitionError

__all__ = ["TERMINAL", "Lifecycle", "Stage", "Trigger", "lifecycle"]


class Stage(StrEnum):
    """Where a prospect is in the follow-up lifecycle."""

    NEW = "new"
    ENGAGED = "engaged"
    UNRESPONSIVE = "unresponsive"
    OPT_OUT_OFFERED = "opt_out_offered"
    DROPPED = "dropped"
    DRIP = "drip"
    OPTED_OUT = "opted_out"
    CLOSED = "closed"


TERMINAL: Final = frozenset({Stage.OPTED_OUT, Stage.CLOSED})


class Trigger(StrEnum):
    """What moves a prospect between stages; the engine maps events (and time) to these."""

    RESPOND = "respond"  # any reply, live conversation or meeting activity (R11: drip too)
    UNANSWERED = "unanswered"  # an attempt that got no response
    OFFER_OPT_OUT = "offer_opt_out"  # R8: the opt-out offer was delivered
    DROP = "drop"  # R10: the breakup went unanswered (time-driven)
    START_DRIP = "start_drip"  # R11: the first drip touch came due (time-driven)
    LOSE = "lose"  # deal lost, no permission to drip (R12)
    LOSE_TO_DRIP = "lose_to_drip"  # deal lost, drip allowed (R11)
    WIN = "win"
    OPT_OUT = "opt_out"  # R13: absorbing
    OPT_IN = "opt_in"  # R13: the only way out of opted_out


_ACTIVE = [Stage.NEW, Stage.ENGAGED, Stage.UNRESPONSIVE, Stage.OPT_OUT_OFFERED, Stage.DROPPED]
_LIVE = [*_ACTIVE, Stage.DRIP]

#: The whole graph: (trigger, sources, destination). Read it like a table.
TRANSITIONS: Final[tuple[tuple[Trigger, tuple[Stage, ...], Stage], ...]] = (
    (Trigger.RESPOND, (*_LIVE,), Stage.ENGAGED),
    (Trigger.UNANSWERED, (Stage.NEW, Stage.ENGAGED, Stage.UNRESPONSIVE), Stage.UNRESPONSIVE),
    (Trigger.UNANSWERED, (Stage.OPT_OUT_OFFERED,), Stage.OPT_OUT_OFFERED),
    (Trigger.UNANSWERED, (Stage.DROPPED,), Stage.DROPPED),
    (Trigger.UNANSWERED, (Stage.DRIP,), Stage.DRIP),
    (Trigger.OFFER_OPT_OUT, (Stage.NEW, Stage.ENGAGED, Stage.UNRESPONSIVE), Stage.OPT_OUT_OFFERED),
    (Trigger.DROP, (Stage.OPT_OUT_OFFERED,), Stage.DROPPED),
    (Trigger.START_DRIP, (Stage.DROPPED,), Stage.DRIP),
    (Trigger.LOSE, (*_LIVE,), Stage.DROPPED),
    (Trigger.LOSE_TO_DRIP, (*_LIVE,), Stage.DRIP),
    (Trigger.WIN, (*_LIVE,), Stage.CLOSED),
    (Trigger.OPT_OUT, (*_LIVE, Stage.CLOSED, Stage.OPTED_OUT), Stage.OPTED_OUT),
    (Trigger.OPT_IN, (Stage.OPTED_OUT,), Stage.ENGAGED),
)


class _Model:
    """The stand-in object the declarative machine drives (state lives on it, not on prospects)."""

    state: str


def build_machine(model: Any) -> Machine:
    """The ``transitions`` machine for the declaration, with ``model`` attached."""
    return Machine(
        model=model,
        states=[s.value for s in Stage],
        transitions=[
            {"trigger": t.value, "source": [s.value for s in src], "dest": dst.value}
            for t, src, dst in TRANSITIONS
        ],
        initial=Stage.NEW.value,
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )


class Lifecycle:
    """The compiled lifecycle: an immutable lookup table plus the machine it came from."""

    def __init__(self) -> None:
        self._model = _Model()
        self.machine = build_machine(self._model)
        table: dict[tuple[Stage, Trigger], Stage] = {}
        for name, event in self.machine.events.items():
            for source, transitions in event.transitions.items():
                table[(Stage(source), Trigger(name))] = Stage(str(transitions[0].dest))
        self.table: Mapping[tuple[Stage, Trigger], Stage] = MappingProxyType(table)

    def next_stage(self, stage: Stage, trigger: Trigger) -> Stage:
        """The stage after ``trigger`` fires in ``stage`` (the hot path: one dict lookup)."""
        try:
            return self.table[(stage, trigger)]
        except KeyError:
            msg = f"no transition {trigger.value!r} from stage {stage.value!r}"
            raise IllegalTransitionError(msg, field="stage", value=stage) from None

    def fire(self, stage: Stage, trigger: Trigger) -> Stage:
        """The same answer as :meth:`next_stage`, computed by the ``transitions`` machine itself.

        Slow; for tests and tools that check the compiled table against the declaration.
        """
        self.machine.set_state(stage.value, model=self._model)
        try:
            self._model.trigger(trigger.value)  # type: ignore[attr-defined]
        except MachineError as exc:
            raise IllegalTransitionError(str(exc.value), field="stage", value=stage) from None
        return Stage(str(self._model.state))

    def mermaid(self) -> str:
        """The lifecycle as a Mermaid state diagram, from the same declaration."""
        lines = ["stateDiagram-v2", f"    [*] --> {Stage.NEW.value}"]
        for (src, trig), dst in sorted(self.table.items()):
            lines.append(f"    {src.value} --> {dst.value}: {trig.value}")
        lines.extend(f"    {s.value} --> [*]" for s in sorted(TERMINAL))
        return "\n".join(lines)

    def dot(self) -> str:
        """The lifecycle as a Graphviz DOT digraph, from the same declaration.

        One edge per (stage, next stage), labelled with every trigger that takes it; terminal
        stages are drawn with a double border.
        """
        labels: dict[tuple[Stage, Stage], list[str]] = {}
        for (src, trig), dst in sorted(self.table.items()):
            labels.setdefault((src, dst), []).append(trig.value)
        lines = [
            "digraph lifecycle {",
            "    rankdir=LR;",
            '    node [shape=box, style=rounded, fontname="Helvetica"];',
            '    edge [fontname="Helvetica", fontsize=10];',
            '    start [shape=point, label=""];',
            *(f'    "{s.value}" [peripheries=2];' for s in sorted(TERMINAL)),
            f'    start -> "{Stage.NEW.value}";',
        ]
        for (src, dst), triggers in labels.items():
            lines.append(f'    "{src.value}" -> "{dst.value}" [label="{", ".join(triggers)}"];')
        lines.append("}")
        return "\n".join(lines)


@cache
def lifecycle() -> Lifecycle:
    """The shared compiled lifecycle (one machine per process, built on first use)."""
    return Lifecycle()
