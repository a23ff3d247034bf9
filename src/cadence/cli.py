"""The ``cadence`` command (the ``cli`` extra: typer, rich). An edge: the core never imports it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from cadence import events as ev
from cadence.actions import Action, ActionKind
from cadence.engine import Engine
from cadence.policy import Policy
from cadence.prospect import Prospect

__all__ = ["demo_story", "main"]


def demo_story(
    engine: Engine, start: datetime, *, steps: int = 14
) -> list[tuple[datetime, Prospect, Action, str]]:
    """Walk a prospect who never answers through the cadence: each step is (time, state, next
    action, what the rep then did)."""
    p = engine.enroll(
        "dana@acme", timezone="America/Chicago", at=start, country="US", subdivision="IL"
    )
    p = engine.apply(
        p, ev.CallAttempted(at=start, outcome="connected", permission=True, id="c0")
    )  # a first conversation: permission to recontact (R12), but no agreed time (R1)
    story: list[tuple[datetime, Prospect, Action, str]] = []
    now = start
    for i in range(steps):
        act = engine.next_action(p, now)
        before = p
        now = max(now, act.earliest)
        if act.kind is ActionKind.NONE:
            story.append((now, p, act, "nothing more to do"))
            break
        if act.kind is ActionKind.WAIT:
            did = "time passes"
            p = engine.advance(p, now)
        elif act.channel is not None and act.channel.value == "phone":
            did = "called: voicemail"
            p = engine.apply(p, ev.CallAttempted(at=now, outcome="voicemail", id=f"s{i}"))
        else:
            did = "email sent, no reply"
            p = engine.apply(p, ev.EmailSent(at=now, id=f"s{i}"))
        story.append((now, before, act, did))
        if act.kind is ActionKind.DRIP_TOUCH and i > 10:
            break
    return story


def _app() -> typer.Typer:
    app = typer.Typer(
        help="cadence: what to do next with each sales prospect, and when.",
        no_args_is_help=True,
        add_completion=False,
    )

    @app.callback()
    def root() -> None:
        """cadence: what to do next with each sales prospect, and when."""

    @app.command()
    def demo() -> None:
        """Walk a sample prospect who never answers through the seeds' cadence."""
        console = Console()
        engine = Engine(Policy())
        start = datetime(2026, 3, 3, 10, 15, tzinfo=ZoneInfo("America/Chicago"))
        table = Table(title="Dana (America/Chicago, US-IL) never answers", show_lines=False)
        for col in ("stage", "next action", "due (Dana's time)", "rules", "why", "rep did"):
            table.add_column(col)
        for _, p, act, did in demo_story(engine, start):
            due = f"{act.earliest:%a %d %b %H:%M}"
            if act.latest > act.earliest:
                due += f"-{act.latest:%H:%M}"
            table.add_row(str(p.stage), act.kind.value, due, " ".join(act.rules), act.reason, did)
        console.print(table)

    return app


def main() -> None:
    """Entry point of the ``cadence`` console script."""
    _app()()
