"""``cadence simulate``: a synthetic population under one policy, or two compared. Part of the
CLI edge (the ``cli`` extra); ``cadence.cli`` registers the command. The simulation, numpy and
the plots (the ``plot`` extra) load only when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cadence._cli_common import PolicyFile, fail, policy_or_default
from cadence.errors import CadenceError
from cadence.files import read_policy, read_responder

if TYPE_CHECKING:
    from cadence.simulation import Place

__all__ = ["simulate_command"]


def simulate_command(
    policy: PolicyFile = None,
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
        int | None,
        typer.Option("--n-boot", help="Bootstrap resamples (--compare).  [default: 1000]"),
    ] = None,
    places: Annotated[
        str | None,
        typer.Option(
            "--places",
            help="The places of the default mix to simulate, by ISO code, comma-separated "
            "(e.g. US-NY,US-CA,GB); default: all of them.",
        ),
    ] = None,
    responder: Annotated[
        Path | None,
        typer.Option(
            "--responder",
            help="Responder file (JSON or YAML: the probabilities by name, e.g. answer_rate, "
            "bad_email_rate); default: Responder.typical().",
        ),
    ] = None,
) -> None:
    """Simulate a synthetic population under a policy (R18 responder), or compare two."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from cadence.simulation import PLACES, Comparison, SimulationResult
    from cadence.simulation import compare as compare_runs
    from cadence.simulation import simulate as simulate_run

    if compare is None and n_boot is not None:
        fail("--n-boot: bootstrap resamples are for --compare; give --compare FILE, or drop it")
    chosen = PLACES if places is None else _chosen_places(places)
    if plot is not None:  # refused before a long run, not after it
        try:
            from cadence.simulation.plot import plot_result
        except ImportError as exc:
            fail(f"--plot needs matplotlib ({exc.name}); install it: pip install 'cadence[plot]'")
        if not plot.parent.is_dir():
            fail(f"--plot: cannot write {str(plot)!r}: {str(plot.parent)!r} is no directory")
        if plot.is_dir():
            fail(
                f"--plot: cannot write {str(plot)!r}: it is a directory; name a file, e.g. run.png"
            )
    try:
        policy_a = policy_or_default(policy)
        policy_b = read_policy(compare) if compare is not None else None
        model = read_responder(responder) if responder is not None else None
        total = prospects * (2 if policy_b is not None else 1)
        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        task = bar.add_task("simulating", total=max(total, 1))
        shown: list[
            bool
        ] = []  # the bar starts with the first progress: a bad argument is refused before

        def advance(done: int) -> None:
            if not shown:
                bar.start()
                shown.append(True)
            bar.update(task, completed=done)

        try:
            outcome: SimulationResult | Comparison
            if policy_b is None:
                outcome = simulate_run(
                    policy_a,
                    prospects=prospects,
                    days=days,
                    seed=seed,
                    responder=model,
                    capacity=capacity,
                    workers=workers,
                    places=chosen,
                    progress=advance,
                )
            else:
                outcome = compare_runs(
                    policy_a,
                    policy_b,
                    prospects=prospects,
                    days=days,
                    seed=seed,
                    responder=model,
                    capacity=capacity,
                    workers=workers,
                    n_boot=1000 if n_boot is None else n_boot,
                    places=chosen,
                    progress=advance,
                )
        finally:
            if shown:
                bar.stop()
    except CadenceError as exc:
        if getattr(exc, "field", None) == "places":  # the law of places never reached
            fail(_places_message(str(exc), exc.value, chosen))
        fail(_as_flags(str(exc), getattr(exc, "field", None)))
    except ImportError as exc:  # numpy for --compare
        fail(f"--compare needs numpy ({exc.name}); install it: pip install 'cadence[simulation]'")
    console = Console()
    console.print(_simulation_table(outcome))
    first = outcome if isinstance(outcome, SimulationResult) else outcome.a
    if plot is not None:
        try:
            other = outcome.b if isinstance(outcome, Comparison) else None
            written = plot_result(first, plot, other=other)
        except CadenceError as exc:  # (the path cannot be written: the library says why)
            fail(f"--plot: {str(exc).removeprefix('path: ')}")
        console.print(f"plot written to {written}", markup=False, highlight=False)
    runs = [first] if isinstance(outcome, SimulationResult) else [outcome.a, outcome.b]
    examples = [e for run in runs for e in run.violation_examples]
    if examples:
        for example in examples:
            Console(stderr=True).print(
                f"[bold red]rule violation:[/] {escape(example)}", highlight=False
            )
        raise typer.Exit(1)


#: The options of ``cadence simulate`` by the name of the argument they pass on.
_FLAGS = {
    name: "--" + name.replace("_", "-")
    for name in ("prospects", "days", "seed", "capacity", "workers", "n_boot")
}


def _as_flags(message: str, field: str | None) -> str:
    """``message`` about argument ``field`` in the command line's words: ``--n-boot: ...;
    give e.g. --n-boot 1000`` rather than ``n_boot: ...; give e.g. n_boot=1000``."""
    flag = _FLAGS.get(field or "")
    if flag is None:
        return message
    return message.replace(f"{field}: ", f"{flag}: ", 1).replace(f"e.g. {field}=", f"e.g. {flag} ")


def _code(place: Place) -> str:
    """A place of the default mix by its ISO codes: ``US-NY``, ``GB``."""
    return "-".join(code for code in (place.country, place.subdivision) if code)


def _chosen_places(text: str) -> tuple[Place, ...]:
    """``--places US-NY,GB``: those places of :data:`cadence.simulation.PLACES`, with their
    zones and weights, in the order given."""
    from cadence.simulation import PLACES

    known = {_code(p): p for p in PLACES}
    codes = [c.strip() for c in text.split(",")]
    if not any(codes):
        fail(f"--places: {text!r} names no place; give ISO codes, e.g. --places US-NY,GB")
    chosen: list[Place] = []
    for code in codes:
        place = known.get(code.upper())
        if place is None:
            fail(
                f"--places: {code!r} is not a place of the default mix; choose from "
                f"{','.join(known)}"
            )
        if place in chosen:
            fail(f"--places: {code!r} is given twice; give each place once")
        chosen.append(place)
    return tuple(chosen)


def _places_message(message: str, never: object, chosen: tuple[Place, ...]) -> str:
    """The library's refusal of places the policy never reaches, in the command line's words:
    which ``--places`` leaves them out (the library suggests ``places=`` code)."""
    left = [p for p in chosen if not (isinstance(never, tuple) and p in never)]
    head = message.replace("places: ", "--places: ", 1).split("; leave them out of places=")[0]
    how = f"give --places {','.join(_code(p) for p in left)}" if left else "no place is left"
    return f"{head}; {how}, or widen call_slots (or the weekmask) if you work there"


def _reps(count: int) -> str:
    """How many reps worked: with ``--capacity`` at least one per time zone, however few the
    prospects, and the capacity is per rep."""
    return f"{count:,} rep" + ("" if count == 1 else "s")


def _simulation_table(outcome: object) -> Table:
    from cadence.simulation import METRICS, Comparison, SimulationResult

    def show(value: float | None) -> str:
        if value is None:
            return "-"
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"

    if isinstance(outcome, SimulationResult):
        m = outcome.metrics
        # The rates are over the prospects enrolled by the end: say so when that is not all.
        late = "" if m.enrolled == m.prospects else f" ({m.enrolled:,} enrolled by the end)"
        table = Table(
            title=f"{outcome.prospects:,} prospects{late} x {outcome.days} days, "
            f"{_reps(outcome.reps)}, seed {outcome.seed}"
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
        f"{outcome.a.days} days, {_reps(outcome.a.reps)}, seed {outcome.a.seed}, "
        "common random numbers"
    )
    for col in ("metric", "A", "B", "B - A", level):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name, iv in outcome.intervals.items():
        ci = "-" if iv.low is None or iv.high is None else f"[{show(iv.low)}, {show(iv.high)}]"
        table.add_row(name, show(iv.a), show(iv.b), show(iv.difference), ci)
    return table
