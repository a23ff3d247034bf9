"""What a policy simulation costs: prospects x days on one core, and on two (DESIGN §1, §8).

``cadence.simulate`` runs a synthetic population (mixed zones, the typical responder of R18)
through the real engine: every touch is an ``apply`` and a ``next_action`` (without the talking
points, which no responder reads), checked against the rules. The script times, in one run:

- the serial simulation of N prospects over D days (target: 100,000 x 180 in <= 20 s on one
  core), with steps per second (an engine *step* is one ``apply`` + one ``next_action``, as in
  ``benchmarks/engine.py``) and microseconds per step;
- the same run on ``--workers`` processes (default 2), whose result must equal the serial one,
  and the speed-up (serial time / parallel time);
- a baseline: the engine alone, replaying steps recorded from the same simulation (``apply``
  then the next action, without its talking points, from the recorded prior state), so that
  the simulator's own overhead (responder draws, event building, the rule checks, bookkeeping)
  shows as a ratio, and the engine's share of the whole run (its median µs per step times the
  run's steps) as seconds. The replay runs every apply, then every ask; a second replay runs
  them interleaved in the run's order, as the simulator does: the engine alone costs more so
  (each half of a step evicts the other's working set), and the ratio to that replay is the
  part of a run the simulator itself can change;
- the rule checks' share: the serial run again with checks off (on a sample).

When N is below 100,000 the script says so and extrapolates the serial time linearly in N (the
cost per prospect does not depend on the population size; it does depend on D, so no
extrapolation is made across days).

Run: ``PYTHONPATH=src python benchmarks/simulation.py [N] [DAYS] [--workers W]`` or ``--quick``.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this directory comes first on sys.path, and benchmarks/calendar.py would
# shadow the standard library's `calendar` (which `holidays` imports): the stdlib goes first.
sys.path.insert(0, os.path.dirname(os.__file__))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import cadence
from benchmarks._timing import forgetting, measure, ratio
from cadence import events as ev
from cadence.engine import Engine
from cadence.simulation import simulate
from cadence.simulation._life import Life
from cadence.simulation._run import members
from cadence.simulation._simulate import settings

TARGET_PROSPECTS, TARGET_DAYS, TARGET_SECONDS = 100_000, 180, 20.0


class _Recorder(Engine):
    """The engine, recording every (prospect, event) it applies and every (prospect, now) it
    is asked about."""

    def __init__(self, policy: cadence.Policy) -> None:
        super().__init__(policy)
        self.applied: list[tuple[cadence.Prospect, ev.Event]] = []
        self.asked: list[tuple[cadence.Prospect, datetime]] = []
        self.steps: list[tuple[cadence.Prospect, ev.Event | datetime]] = []
        """Both, in the order of the run (an event is applied, a datetime is asked at)."""

    def apply(self, p: cadence.Prospect, event: ev.Event) -> cadence.Prospect:
        self.applied.append((p, event))
        self.steps.append((p, event))
        return super().apply(p, event)

    def _decide(self, p: cadence.Prospect, now: datetime, *until: datetime) -> Any:
        self.asked.append((p, now))
        self.steps.append((p, now))
        return super()._decide(p, now, *until)


def sample_batches(
    n: int, days: int, seed: int
) -> tuple[dict[str, Callable[[], int]], Callable[[], None]]:
    """Interleaved batches over the same ``n`` prospects, each returning its engine steps, and
    the reset that starts each timed batch: the engine's calendars forget their answers per
    instant (``_timing.forgetting``), as a run meets each instant once."""
    s = settings(None, prospects=n, days=days, seed=seed)
    population = members(s, 0, n)
    recorder = _Recorder(s.policy)
    for m, luck in population:
        Life(recorder, m, luck, s.responder, s.start).run(s.end)
    applied, asked, in_order = recorder.applied, recorder.asked, recorder.steps
    engine = Engine(s.policy)
    steps = len(applied)

    def simulator(check: bool) -> Callable[[], int]:
        def batch() -> int:
            for m, luck in members(s, 0, n):  # fresh luck: the same draws every round
                Life(engine, m, luck, s.responder, s.start, check).run(s.end)
            return steps

        return batch

    def engine_alone() -> int:
        for p, event in applied:
            engine.apply(p, event)
        for p, now in asked:  # what the simulator asks: next_action without the talking points
            found = engine._decide(p, now)
            if not isinstance(found, cadence.Action):
                engine._action(*found, words=False)
        return steps

    def engine_interleaved() -> int:
        for p, what in in_order:
            if isinstance(what, datetime):
                found = engine._decide(p, what)
                if not isinstance(found, cadence.Action):
                    engine._action(*found, words=False)
            else:
                engine.apply(p, what)
        return steps

    batches = {
        "simulator, rule checks on": simulator(True),
        "simulator, rule checks off": simulator(False),
        "engine alone (the same applies and asks)": engine_alone,
        "engine alone, interleaved as in the run": engine_interleaved,
    }
    return batches, forgetting(lambda: {cal for cal, _ in engine._calendars.values()})


def timed_run(**kwargs: object) -> tuple[float, cadence.simulation.SimulationResult]:
    t0 = time.perf_counter()
    result = simulate(**kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - t0, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("prospects", nargs="?", type=int, default=TARGET_PROSPECTS)
    parser.add_argument("days", nargs="?", type=int, default=TARGET_DAYS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 300 x 60, seconds")
    args = parser.parse_args(argv)
    n, days = (300, 60) if args.quick else (args.prospects, args.days)
    sample = min(n, 60 if args.quick else 400)
    rounds = 3 if args.quick else 9

    simulate(prospects=50, days=days, seed=args.seed + 1)  # warm-up: imports, calendar caches
    batches, reset = sample_batches(sample, days, args.seed)
    sample_results = measure(batches, rounds, reset)
    serial_s, serial = timed_run(prospects=n, days=days, seed=args.seed)
    parallel_s, parallel = timed_run(prospects=n, days=days, seed=args.seed, workers=args.workers)
    same = parallel == serial

    steps = serial.events_applied  # one apply + one next_action each (asks slightly outnumber)
    per_step = serial_s / steps * 1e6
    met = serial.metrics
    print(
        f"cadence simulation benchmark: {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores"
    )
    print(
        f"population: {n:,} prospects x {days} days, seed {args.seed}, typical responder; "
        f"{steps:,} events applied, {serial.actions_asked:,} next actions asked "
        f"({steps / n:.1f} and {serial.actions_asked / n:.1f} per prospect)"
    )
    print(
        f"outcome: connect rate {met.connect_rate:.1%}, {met.meetings_booked:,} meetings booked, "
        f"{met.touches:,} touches, rule violations {met.violations}"
    )
    print()
    print("whole runs (one run each; the machine is shared, so read them as indicative):")
    print(f"  {'serial wall time (1 core), s':<50} {serial_s:>12.2f}")
    print(f"  {'  prospects/s':<50} {n / serial_s:>12,.0f}")
    print(f"  {'  steps/s (apply + next_action)':<50} {steps / serial_s:>12,.0f}")
    print(f"  {'  µs per engine step, whole simulator':<50} {per_step:>12.1f}")
    print(f"  {f'parallel wall time ({args.workers} processes), s':<50} {parallel_s:>12.2f}")
    print(f"  {'  parallel result equals serial result':<50} {same!s:>12}")
    print()
    print(f"µs per engine step on a {sample:,}-prospect sample, {rounds} interleaved rounds:")
    print(f"  {'batch':<50} {'median':>8} {'p25 – p75':>17}")
    for name, values in sample_results.items():
        q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
        print(f"  {name:<50} {med:>8.1f} {q1:>8.1f} – {q3:<7.1f}")
    on = sample_results["simulator, rule checks on"]
    off = sample_results["simulator, rule checks off"]
    alone = sample_results["engine alone (the same applies and asks)"]
    interleaved = sample_results["engine alone, interleaved as in the run"]
    print()
    print("ratios:")
    speed_up = serial_s / parallel_s
    print(f"  parallel speed-up ({args.workers} workers / 1)                   {speed_up:7.2f}x")
    print(f"  simulator (checks on) / engine alone (median/round) {ratio(on, alone):7.2f}x")
    both = ratio(on, interleaved)
    print(f"  {'simulator (checks on) / engine alone, interleaved':<51} {both:7.2f}x")
    cost = ratio(interleaved, alone)
    print(f"  {'engine alone, interleaved / applies then asks':<51} {cost:7.2f}x")
    print(f"  rule checks on / off (median of per-round ratios)   {ratio(on, off):7.2f}x")
    # What bounds the target: however lean the simulator, its engine steps cost this much.
    bound = statistics.median(alone) * steps / 1e6
    print(
        f"  the engine alone for this run's {steps:,} steps (sample's median µs x steps): "
        f"{bound:.1f} s"
    )
    if (n, days) == (TARGET_PROSPECTS, TARGET_DAYS):
        verdict = "met" if serial_s <= TARGET_SECONDS else "NOT MET"
        print(
            f"target: {TARGET_PROSPECTS:,} x {TARGET_DAYS} days on one core in <= "
            f"{TARGET_SECONDS:.0f} s: {serial_s:.1f} s, {verdict}"
        )
    elif days == TARGET_DAYS:
        guess = serial_s * TARGET_PROSPECTS / n
        verdict = "met" if guess <= TARGET_SECONDS else "NOT MET"
        print(
            f"target: {TARGET_PROSPECTS:,} x {TARGET_DAYS} days on one core in <= "
            f"{TARGET_SECONDS:.0f} s: EXTRAPOLATED linearly from {n:,} prospects: "
            f"{guess:.1f} s, {verdict}"
        )
    else:
        print(
            f"target ({TARGET_PROSPECTS:,} x {TARGET_DAYS} days <= {TARGET_SECONDS:.0f} s): "
            f"not measured by this run ({days} days)"
        )
    if not same:
        raise SystemExit("the parallel result differs from the serial one")


if __name__ == "__main__":
    main()
