"""Comparing two policies on the same population, with common random numbers and a paired
bootstrap (needs numpy: the ``simulation`` extra).

Both policies meet the same prospects with the same luck: the third call to prospect 17 is
answered under both or under neither (see ``_luck``). The difference of a metric is then mostly
the policies' doing, not noise, and its confidence interval comes from resampling prospects
with replacement, the same prospects for both runs (a paired bootstrap), ``n_boot`` times with
a generator seeded from ``seed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from cadence.policy import Policy
from cadence.simulation._life import Record
from cadence.simulation._population import Place
from cadence.simulation._responder import Responder
from cadence.simulation._result import (
    COLUMNS,
    METRICS,
    SimulationResult,
    columns,
    metric_values,
    working_days,
)
from cadence.simulation._run import Progress
from cadence.simulation._simulate import _count, _fail, check_progress, result_of, run, settings

__all__ = ["Comparison", "Interval", "compare"]

_BOOT_SALT = 0x626F6F74  # "boot": the bootstrap's stream, apart from the population's
_BLOCK = 16  # resamples per matrix product (memory: _BLOCK x prospects counts)


class Interval(BaseModel):
    """One metric under both policies, the difference ``b - a`` and its bootstrap interval.

    The interval is the percentile interval of ``b - a`` over the resamples in which the
    metric has a value under both policies (a resample may hold no conversation, and then no
    ``touches_per_connect``); with fewer than half of them, or no value in the run itself
    (``None``), there is no interval: ``low`` and ``high`` are ``None``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: str
    a: float | None
    b: float | None
    difference: float | None
    low: float | None
    high: float | None

    @property
    def contains_zero(self) -> bool:
        """Whether no difference is shown at this level: the interval includes 0, or there
        is no interval (the metric has no value). ``not contains_zero`` means the interval
        lies wholly on one side of 0."""
        if self.low is None or self.high is None:
            return True
        return self.low <= 0 <= self.high


class Comparison(BaseModel):
    """The outcome of :func:`compare`: both runs and an interval per metric."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    a: SimulationResult
    b: SimulationResult
    level: float
    n_boot: int
    intervals: dict[str, Interval]
    """Metric name -> interval, in the order of :data:`cadence.simulation.METRICS`."""

    def plot(self, path: str | Path) -> Path:
        """Write a PNG with both runs side by side (A and B; the ``plot`` extra)."""
        from cadence.simulation.plot import plot_result  # an edge: matplotlib loads on demand

        return plot_result(self.a, path, other=self.b)


def compare(
    policy_a: Policy,
    policy_b: Policy,
    *,
    prospects: int,
    days: int,
    seed: int,
    responder: Responder | None = None,
    n_boot: int = 1000,
    level: float = 0.95,
    capacity: int | None = None,
    workers: int = 1,
    start: datetime | None = None,
    reps: int | None = None,
    enrol_days: int = 5,
    places: Sequence[Place] | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Simulate the same population under ``policy_a`` and ``policy_b`` and put a paired
    bootstrap interval (``level``, ``n_boot`` resamples) on each metric's difference ``b - a``.

    With ``capacity`` the prospects of a rep share the rep's day, so they are not independent
    and the intervals are only indicative.

    >>> import cadence
    >>> from cadence.simulation import compare
    >>> c = compare(cadence.Policy(), cadence.Policy(min_gap_business_days=2),
    ...             prospects=40, days=30, seed=3, n_boot=200)
    >>> c.intervals["violations"].difference
    0.0
    """
    for name, policy in (("policy_a", policy_a), ("policy_b", policy_b)):
        if not isinstance(policy, Policy):  # (None too: ``simulate``'s default is not meant)
            fix = "is not a cadence.Policy; build one with cadence.Policy(...)"
            raise _fail(name, policy, fix)
    common: dict[str, Any] = {
        "prospects": prospects,
        "days": days,
        "seed": seed,
        "responder": responder,
        "capacity": capacity,
        "start": start,
        "reps": reps,
        "enrol_days": enrol_days,
        "places": places,
    }
    sa = settings(policy_a, compared=(policy_b,), **common)
    sb = settings(policy_b, compared=(policy_a,), **common)
    _count("n_boot", n_boot, 10, "n_boot=1000")
    _count("workers", workers, 1, "workers=2")
    check_progress(progress)
    if not isinstance(level, float) or not 0.5 <= level < 1:
        raise _fail("level", level, "is not a confidence level; give e.g. 0.95")
    done = [0]

    def both(n: int) -> None:
        if progress is not None:
            progress(done[0] + n)

    a = result_of(sa, run(sa, workers, both))
    done[0] = prospects
    b = result_of(sb, run(sb, workers, both))
    intervals = bootstrap(a, b, n_boot=n_boot, level=level, seed=seed)
    return Comparison(a=a, b=b, level=level, n_boot=n_boot, intervals=intervals)


def bootstrap(
    a: SimulationResult, b: SimulationResult, *, n_boot: int, level: float, seed: int
) -> dict[str, Interval]:
    """Paired bootstrap intervals for ``b - a`` of every metric."""
    import numpy as np  # the simulation extra: only comparisons need it

    ra, rb = a._records, b._records
    n = len(ra)
    cols_a, cols_b = columns(ra, a.days), columns(rb, b.days)
    ca = np.array([cols_a[c] for c in COLUMNS], dtype=np.int64).T
    cb = np.array([cols_b[c] for c in COLUMNS], dtype=np.int64).T
    rep_days_a = a.reps * working_days(a.policy, a.start, a.days)
    rep_days_b = b.reps * working_days(b.policy, b.start, b.days)
    wait_a, order_a = _waits(ra)
    wait_b, order_b = _waits(rb)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _BOOT_SALT])))
    uniform = np.full(n, 1.0 / n)
    draws: dict[str, list[float]] = {m: [] for m in METRICS}
    left = n_boot
    while left > 0:
        block = min(_BLOCK, left)
        left -= block
        counts = rng.multinomial(n, uniform, size=block)
        sums_a, sums_b = counts @ ca, counts @ cb
        for k in range(block):
            va = metric_values(
                n, _named(sums_a[k]), _median(wait_a, counts[k, order_a]), rep_days_a
            )
            vb = metric_values(
                n, _named(sums_b[k]), _median(wait_b, counts[k, order_b]), rep_days_b
            )
            for m in METRICS:
                if va[m] is not None and vb[m] is not None:
                    draws[m].append(float(vb[m]) - float(va[m]))
    tail = (1 - level) / 2 * 100
    out: dict[str, Interval] = {}
    for m in METRICS:
        x, y = getattr(a.metrics, m), getattr(b.metrics, m)
        diff = None if x is None or y is None else float(y) - float(x)
        low = high = None
        if len(draws[m]) >= n_boot // 2:
            low, high = (float(v) for v in np.percentile(draws[m], [tail, 100 - tail]))
        out[m] = Interval(
            metric=m,
            a=None if x is None else float(x),
            b=None if y is None else float(y),
            difference=diff,
            low=low,
            high=high,
        )
    return out


def _named(row: Any) -> dict[str, float]:
    return {c: float(v) for c, v in zip(COLUMNS, row, strict=True)}


def _waits(records: Sequence[Record]) -> tuple[Any, Any]:
    """Days to the first conversation of the prospects who had one, sorted, and their
    positions in the population."""
    import numpy as np

    pairs = sorted(
        (r.first_connect, i) for i, r in enumerate(records) if r.first_connect is not None
    )
    values = np.array([v for v, _ in pairs], dtype=float)
    order = np.array([i for _, i in pairs], dtype=np.int64)
    return values, order


def _median(values: Any, weights: Any) -> float | None:
    """The median of ``values`` (sorted) repeated ``weights`` times (as statistics.median)."""
    import numpy as np

    total = int(weights.sum())
    if total == 0:
        return None
    cum = np.cumsum(weights)
    lo = values[int(np.searchsorted(cum, (total + 1) // 2))]
    if total % 2:
        return float(lo)
    hi = values[int(np.searchsorted(cum, total // 2 + 1))]
    return float((lo + hi) / 2)
