"""The timing harness both benchmarks share: interleaved rounds, GC off while timing, medians of
per-round ratios (the machine is shared and noisy, so only same-round comparisons are fair)."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def timed(batch: Callable[[], int]) -> float:
    """Nanoseconds per operation of one batch (``batch`` returns its operation count)."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter_ns()
        ops = batch()
        t1 = time.perf_counter_ns()
    finally:
        gc.enable()
    return (t1 - t0) / ops


def measure(batches: dict[str, Callable[[], int]], rounds: int) -> dict[str, list[float]]:
    """µs per op for each batch in each round; the order rotates so no batch always runs first.
    One warm-up pass first fills caches and lets the specialising interpreter settle."""
    names = list(batches)
    for name in names:
        batches[name]()
    results: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(timed(batches[name]) / 1000)
    return results


def ratio(a: list[float], b: list[float]) -> float:
    """Median of the per-round ratios a/b."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))
