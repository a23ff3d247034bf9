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


# -- cadence simulate ---------------------------------------------------------------------------
# A self-contained block: the simulation (and its plots, the `plot` extra) load only when this
# command runs.


@app.command("simulate")
def simulate_command(
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Policy file (JSON or YAML); default: Policy().")
    ] = None,
    prospects: Annotated[int, typer.Option(help="Synthetic prospects.")] = 1000,
    days: Annotated[int, typer.Option(help="Days to simulate.")] = 180,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same result.")] = 0,
    compare: Annotated[
        Path | None,
        typer.Option("--compare", help="A second policy file: compare it (B) with --policy (A)."),
    ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG of the run(s).")] = None,
    capacity: Annotated[
        int | None, typer.Option(help="Touches per rep and channel per day (batch planner).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes to split the run across.")] = 1,
    n_boot: Annotated[
        int, typer.Option("--n-boot", help="Bootstrap resamples (--compare).")
    ] = 1000,
) -> None:
    """Simulate a synthetic population under a policy (R18 responder), or compare two."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from cadence.simulation import Comparison, SimulationResult
    from cadence.simulation import compare as compare_runs
    from cadence.simulation import simulate as simulate_run

    try:
        policy_a = _policy(policy)
        policy_b = read_policy(compare) if compare is not None else None
        total = prospects * (2 if policy_b is not None else 1)
        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        with bar:
            task = bar.add_task("simulating", total=max(total, 1))

            def advance(done: int) -> None:
                bar.update(task, completed=done)

            outcome: SimulationResult | Comparison
            if policy_b is None:
                outcome = simulate_run(
                    policy_a,
                    prospects=prospects,
                    days=days,
                    seed=seed,
                    capacity=capacity,
                    workers=workers,
                    progress=advance,
                )
            else:
                outcome = compare_runs(
                    policy_a,
                    policy_b,
                    prospects=prospects,
                    days=days,
                    seed=seed,
                    capacity=capacity,
                    workers=workers,
                    n_boot=n_boot,
                    progress=advance,
                )
    except CadenceError as exc:
        _fail(str(exc))
    except ImportError as exc:  # numpy for --compare
        _fail(f"--compare needs numpy ({exc.name}); install it: pip install 'cadence[simulation]'")
    console = Console()
    console.print(_simulation_table(outcome))
    first = outcome if isinstance(outcome, SimulationResult) else outcome.a
    if plot is not None:
        from cadence.simulation.plot import plot_result

        try:
            other = outcome.b if isinstance(outcome, Comparison) else None
            written = plot_result(first, plot, other=other)
        except OSError as exc:
            _fail(f"--plot: cannot write {str(plot)!r}: {exc.strerror or exc}")
        console.print(f"plot written to {written}")
    runs = [first] if isinstance(outcome, SimulationResult) else [outcome.a, outcome.b]
    examples = [e for run in runs for e in run.violation_examples]
    if examples:
        for example in examples:
            Console(stderr=True).print(f"[bold red]rule violation:[/] {example}", highlight=False)
        raise typer.Exit(1)


def _simulation_table(outcome: object) -> Table:
    from cadence.simulation import METRICS, Comparison, SimulationResult

    def show(value: float | None) -> str:
        if value is None:
            return "-"
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"

    if isinstance(outcome, SimulationResult):
        m = outcome.metrics
        table = Table(
            title=f"{outcome.prospects:,} prospects x {outcome.days} days, seed {outcome.seed}"
        )
        table.add_column("metric")
        table.add_column("value", justify="right")
        for name in METRICS:
            table.add_row(name, show(getattr(m, name)))
        return table
    assert isinstance(outcome, Comparison)
    level = f"{outcome.level:.0%} interval"
    table = Table(
        title=f"A = --policy, B = --compare; {outcome.a.prospects:,} prospects x "
        f"{outcome.a.days} days, seed {outcome.a.seed}, common random numbers"
    )
    for col in ("metric", "A", "B", "B - A", level):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name, iv in outcome.intervals.items():
        ci = "-" if iv.low is None or iv.high is None else f"[{show(iv.low)}, {show(iv.high)}]"
        table.add_row(name, show(iv.a), show(iv.b), show(iv.difference), ci)
    return table
