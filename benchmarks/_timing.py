"""The timing harness both benchmarks share: interleaved rounds, GC off while timing, medians of
per-round ratios (the machine is shared and noisy, so only same-round comparisons are fair)."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable

from cadence.calendar import ContactCalendar


def timed(batch: Callable[[], int], reset: Callable[[], None] | None = None) -> float:
    """Nanoseconds per operation of one batch (``batch`` returns its operation count), after
    ``reset`` (outside the clock)."""
    if reset is not None:
        reset()
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter_ns()
        ops = batch()
        t1 = time.perf_counter_ns()
    finally:
        gc.enable()
    return (t1 - t0) / ops


def measure(
    batches: dict[str, Callable[[], int]],
    rounds: int,
    reset: Callable[[], None] | None = None,
) -> dict[str, list[float]]:
    """µs per op for each batch in each round; the order rotates so no batch always runs first.
    One warm-up pass first fills caches and lets the specialising interpreter settle. ``reset``
    runs before every timed batch, outside the clock (e.g. to forget what a replayed workload
    taught the caches in the round before)."""
    names = list(batches)
    for name in names:
        batches[name]()
    results: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(timed(batches[name], reset) / 1000)
    return results


def ratio(a: list[float], b: list[float]) -> float:
    """Median of the per-round ratios a/b."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def forgetting(calendars: Callable[[], Iterable[ContactCalendar]]) -> Callable[[], None]:
    """A ``reset`` for :func:`measure`: the calendars forget their answers per instant (the
    business day after an instant, a window search, a gap's threshold) and keep those per day
    (a day's windows, its legal rules). Live traffic brings instants no calendar has seen while
    its days repeat; a batch that replays the same work every round would otherwise hit the
    answers of the round before (an engine step looked about 14 % cheaper that way)."""

    def forget() -> None:
        for cal in calendars():
            for memo in ("_after", "_reaches", "_searched"):  # (any an older version lacks)
                getattr(cal, memo, {}).clear()

    return forget
