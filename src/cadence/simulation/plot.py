"""Pictures of a simulation (the ``plot`` extra: matplotlib). An edge: nothing in the core, and
not ``import cadence``, imports it.

Drawn with matplotlib's object API and the Agg canvas, so no global backend is chosen and no
window opens: safe on servers and in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cadence.errors import InvalidInputError
from cadence.lifecycle import Stage
from cadence.simulation._result import SimulationResult

__all__ = ["plot_result"]

_COLOURS = ("#1f77b4", "#ff7f0e")


def plot_result(
    result: SimulationResult,
    path: str | Path,
    *,
    other: SimulationResult | None = None,
    labels: Sequence[str] = ("A", "B"),
) -> Path:
    """Write a PNG: the stage funnel, the time-to-connect distribution, the daily touches per
    rep and the stages over time; with ``other``, both runs side by side. Returns the path.

    A ``path`` that is no path, or that cannot be written, is an
    :class:`~cadence.errors.InvalidInputError` naming ``path`` (as for the files cadence
    reads), never the operating system's ``OSError`` or a ``TypeError``."""
    if not isinstance(path, str | Path):
        msg = f"path: {path!r} is not a file path; give a str or pathlib.Path, e.g. 'run.png'"
        raise InvalidInputError(msg, field="path", value=path)
    out = Path(path)
    runs = [result] if other is None else [result, other]
    names = list(labels[: len(runs)]) if other is not None else ["simulation"]
    fig = Figure(figsize=(12, 8), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    funnel, waits, reps, stages = fig.subplots(2, 2).flat
    _funnel(funnel, runs, names)
    _waits(waits, runs, names)
    _reps(reps, runs, names)
    _stages(stages, result, names[0] if other is not None else None)
    said = [
        f"{name + ': ' if other is not None else ''}connect rate {r.metrics.connect_rate:.1%}, "
        f"{r.metrics.meetings_booked} meetings booked, {r.metrics.violations} rule violations"
        for r, name in zip(runs, names, strict=True)
    ]
    head = f"{result.prospects:,} prospects x {result.days} days, seed {result.seed}"
    fig.suptitle("\n".join([head, *said]) if other is not None else f"{head}: {said[0]}")
    try:
        fig.savefig(out, format="png")
    except OSError as exc:
        msg = (
            f"path: {str(out)!r} cannot be written ({exc.strerror or exc}); give a file "
            "in a directory that exists and that you may write to, e.g. 'run.png'"
        )
        raise InvalidInputError(msg, field="path", value=str(out)) from None
    return out


def _funnel(ax: Axes, runs: list[SimulationResult], names: list[str]) -> None:
    order = [s.value for s in Stage]
    height = 0.8 / len(runs)
    for k, (run, name) in enumerate(zip(runs, names, strict=True)):
        ys = [i + k * height for i in range(len(order))]
        ax.barh(
            ys, [run.series.funnel[s] for s in order], height=height, label=name, color=_COLOURS[k]
        )
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(order))], order)
    ax.invert_yaxis()
    ax.set_xlabel("prospects who reached the stage")
    ax.set_title("Stage funnel")
    if len(runs) > 1:
        ax.legend()


def _waits(ax: Axes, runs: list[SimulationResult], names: list[str]) -> None:
    longest = max(
        (r.series.days_to_connect[-1] for r in runs if r.series.days_to_connect), default=1.0
    )
    bins = [float(d) for d in range(int(longest) + 2)]
    for k, (run, name) in enumerate(zip(runs, names, strict=True)):
        ax.hist(run.series.days_to_connect, bins=bins, alpha=0.6, label=name, color=_COLOURS[k])
    ax.set_xlabel("days from enrolment to the first conversation")
    ax.set_ylabel("prospects")
    ax.set_title("Time to connect")
    if len(runs) > 1:
        ax.legend()


def _reps(ax: Axes, runs: list[SimulationResult], names: list[str]) -> None:
    for k, (run, name) in enumerate(zip(runs, names, strict=True)):
        rows = run.series.touches_per_rep
        days = range(run.days)
        mean = [sum(row[d] for row in rows) / len(rows) for d in days]
        low = [min(row[d] for row in rows) for d in days]
        high = [max(row[d] for row in rows) for d in days]
        ax.fill_between(days, low, high, alpha=0.2, color=_COLOURS[k])
        ax.plot(
            days,
            mean,
            label=f"{name}: mean (band: min-max over {len(rows)} reps)",
            color=_COLOURS[k],
        )
    ax.set_xlabel("day of the run")
    ax.set_ylabel("touches")
    ax.set_title("Daily touches per rep")
    ax.legend()


def _stages(ax: Axes, run: SimulationResult, name: str | None) -> None:
    series = run.series.stages
    shown = [s.value for s in Stage if any(series[s.value])]
    ax.stackplot(range(run.days), [series[s] for s in shown], labels=shown)
    ax.set_xlabel("day of the run")
    ax.set_ylabel("prospects")
    ax.set_title("Stages at the end of each day" + (f" ({name})" if name else ""))
    if shown:  # (nobody enrolled by the end: no stage to name, and matplotlib warns)
        ax.legend(loc="upper left", fontsize="small")
