"""The ``cadence`` command (the ``cli`` extra: typer, rich). An edge: the core never imports it.

A user error (a bad file, a bad policy, a late event) prints one line and exits with status 2; no
traceback. The command line is the one place that may read the clock: ``--now`` defaults to it.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from cadence import events as ev
from cadence.actions import Action, ActionKind
from cadence.engine import Engine
from cadence.errors import CadenceError
from cadence.files import read_events, read_policy, read_prospect
from cadence.lifecycle import lifecycle
from cadence.policy import Policy
from cadence.prospect import Prospect

__all__ = ["app", "demo_story", "main"]

app = typer.Typer(
    help="cadence: what to do next with each sales prospect, and when.",
    no_args_is_help=True,
    add_completion=False,
)
policy_app = typer.Typer(help="Show, check or describe a policy.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


def _fail(message: str) -> NoReturn:
    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _policy(path: Path | None) -> Policy:
    return Policy() if path is None else read_policy(path)


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--now: {text!r} is not an ISO date-time; use e.g. 2026-03-10T09:30:00-06:00")
    if value.tzinfo is None:
        _fail(f"--now: {text!r} has no UTC offset; add one, e.g. {text}+00:00")
    return value


def demo_story(
    engine: Engine, start: datetime, *, steps: int = 14
) -> list[tuple[datetime, Prospect, Action, str]]:
    """Walk a prospect who never answers through the cadence: each step is (time, state before,
    next action, what the rep then did)."""
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


def _due(act: Action) -> str:
    due = f"{act.earliest:%a %d %b %H:%M}"
    if act.latest > act.earliest:
        due += f"-{act.latest:%H:%M}"
    return due


@app.command()
def demo() -> None:
    """Walk a sample prospect who never answers through the seeds' cadence."""
    console = Console()
    if not console.is_terminal or console.width < 120:
        console = Console(width=140)  # the story needs room for its reasons
    engine = Engine(Policy())
    start = datetime(2026, 3, 3, 10, 15, tzinfo=ZoneInfo("America/Chicago"))
    table = Table(title="Dana (America/Chicago, US-IL) never answers")
    for col in ("stage", "next action", "due (Dana's time)", "rules"):
        table.add_column(col, no_wrap=True)
    table.add_column("why", ratio=1)
    table.add_column("rep did")
    for _, p, act, did in demo_story(engine, start):
        table.add_row(str(p.stage), act.kind.value, _due(act), " ".join(act.rules), act.reason, did)
    console.print(table)


@app.command("next")
def next_(
    state: Annotated[Path, typer.Argument(help="A stored prospect state (JSON).")],
    events: Annotated[
        Path | None, typer.Argument(help="Events to apply first, one JSON object per line.")
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="ISO date-time with offset; default: now.")
    ] = None,
    policy: Annotated[Path | None, typer.Option(help="Policy file (JSON or YAML).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the action as JSON.")] = False,
) -> None:
    """Print a prospect's next action, with its window and the reason."""
    try:
        engine = Engine(_policy(policy))
        p = read_prospect(state)
        for event in read_events(events) if events is not None else []:
            p = engine.apply(p, event)
        act = engine.next_action(p, _now(now))
    except CadenceError as exc:
        _fail(str(exc))
    if as_json:
        sys.stdout.write(act.model_dump_json(indent=2) + "\n")
        return
    console = Console()
    console.print(f"[bold]{act.kind.value}[/] via {act.channel or '-'}  {_due(act)} ({p.timezone})")
    console.print(f"rules {' '.join(act.rules) or '-'}: {act.reason}")
    for point in act.talking_points:
        console.print(f"  - {point}")


@app.command()
def diagram() -> None:
    """Print the lifecycle as a Mermaid state diagram (from the same declaration)."""
    sys.stdout.write(lifecycle().mermaid() + "\n")


@policy_app.command("show")
def policy_show(
    path: Annotated[Path | None, typer.Argument(help="Policy file; default: Policy().")] = None,
) -> None:
    """Print a policy with every default filled in, as JSON."""
    try:
        sys.stdout.write(_policy(path).model_dump_json(indent=2) + "\n")
    except CadenceError as exc:
        _fail(str(exc))


@policy_app.command("validate")
def policy_validate(
    path: Annotated[Path, typer.Argument(help="Policy file (JSON or YAML).")],
) -> None:
    """Check a policy file; exit 2 with the first problem if it is not valid."""
    try:
        read_policy(path)
    except CadenceError as exc:
        _fail(str(exc))
    Console().print(f"{path}: valid")


@policy_app.command("schema")
def policy_schema() -> None:
    """Print the policy's JSON Schema (for integrators in other languages)."""
    sys.stdout.write(json.dumps(Policy.model_json_schema(), indent=2) + "\n")


def main() -> None:
    """Entry point of the ``cadence`` console script."""
    app()
