"""What a simulation returns: metrics, per-day series, and the per-prospect records behind them.

Every metric is a function of per-prospect columns (:func:`columns`), so that ``compare`` can
bootstrap it by resampling prospects (``_compare``) with exactly the formulas used here.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr

from cadence.lifecycle import Stage
from cadence.policy import Policy
from cadence.simulation._life import STAGES, Record
from cadence.simulation._responder import Responder

__all__ = [
    "COLUMNS",
    "METRICS",
    "Metrics",
    "Series",
    "SimulationResult",
    "columns",
    "metric_values",
    "summarise",
]

#: Per-prospect columns every metric is computed from.
COLUMNS = (
    "enrolled",
    "connected",
    "connects",
    "touches",
    "booked",
    "held",
    "opted_out",
    "dropped",
    "reengaged",
    "violations",
    "unreachable",
)
_OPTED_OUT = 1 << STAGES.index(Stage.OPTED_OUT)
_DROPPED = 1 << STAGES.index(Stage.DROPPED)
_HALF_DAY = timedelta(hours=12)


class Metrics(BaseModel):
    """A simulation's headline numbers. Rates are fractions of the prospects enrolled before
    the end of the run (``enrolled``); ``None`` where another ratio has nothing to divide by
    (no conversation at all, no working day)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prospects: int
    enrolled: int
    """Prospects enrolled before the end of the run: the rates' denominator. All of them
    unless ``enrol_days`` is longer than ``days``; one enrolled later had no chance to do
    anything, and would only dilute the rates. (When none was, the rates are 0.)"""
    connect_rate: float
    """Prospects who had at least one conversation (connected call, returned voicemail or
    reply), as a fraction of the enrolled prospects."""
    connects: int
    """Conversations in all."""
    meetings_booked: int
    """Bookings made: a meeting cancelled or missed and booked again (under its own id) is
    booked twice; ``meetings_held`` counts each meeting at most once."""
    meetings_held: int
    """Meetings that took place."""
    touches: int
    """Touches the reps made: calls and emails of every kind (meetings are not touches)."""
    touches_per_connect: float | None
    """``touches / connects``."""
    median_days_to_connect: float | None
    """Median, over prospects who had one, of the days from enrolment to the first
    conversation."""
    opt_out_rate: float
    """Prospects who opted out (R13)."""
    dropped_rate: float
    """Prospects dropped after an unanswered breakup (R10) at some point."""
    drip_reengaged: int
    """Prospects whom an answer to a drip touch (R11: a reply, or a drip call answered or
    returned) brought back from ``dropped`` or ``drip`` to ``engaged``. An answer to the
    breakup (R10) that arrives after the drop re-engages too, but is the breakup's doing,
    not the drip's: it does not count."""
    touches_per_rep_day: float | None
    """Touches per rep per working day (the policy's weekmask, on the run's days as
    :class:`Series` labels them)."""
    unreachable_rate: float
    """Prospects left at the end with no channel that works: their address bounced and their
    number was wrong, and no new one was found (``Responder.bad_email_rate``, ...)."""
    violations: int
    """Rule checks that failed, over every engine step. Must be 0."""


#: The metrics ``compare`` puts a confidence interval on, in display order.
#: (Not the population's size nor how many were enrolled by the end: both policies meet the
#: same prospects at the same times.)
METRICS: tuple[str, ...] = tuple(
    name for name in Metrics.model_fields if name not in ("prospects", "enrolled")
)


class Series(BaseModel):
    """Per-day series and distributions, for plots. Day ``i`` is the 24 hours from the run's
    start plus ``i`` days, labelled by the UTC date it mostly lies on (that of its middle):
    a run started at 06:00 UTC or at midnight in Sydney (13:00 UTC) keeps its first date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: tuple[date, ...]
    touches: tuple[int, ...]
    connects: tuple[int, ...]
    stages: dict[str, tuple[int, ...]]
    """Stage name -> how many enrolled prospects were in it at the end of each day."""
    touches_per_rep: tuple[tuple[int, ...], ...]
    """``touches_per_rep[rep][day]``."""
    days_to_connect: tuple[float, ...]
    """Days from enrolment to the first conversation, one per prospect who had one, sorted."""
    funnel: dict[str, int]
    """Stage name -> enrolled prospects who were ever in it (``new``: every one)."""


class SimulationResult(BaseModel):
    """The outcome of :func:`cadence.simulate`: the inputs, ``metrics`` and ``series``.

    Equal inputs give equal results, in any process and with any number of workers.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: Policy
    responder: Responder
    seed: int
    prospects: int
    days: int
    reps: int
    """The reps who worked the population: ``reps``, or one per 250 prospects; with
    ``capacity`` at least one per time zone (each works one territory)."""
    start: datetime
    capacity: int | None
    metrics: Metrics
    series: Series
    violation_examples: tuple[str, ...]
    """The first few failed rule checks, naming the prospect and the rule."""
    events_applied: int
    """Engine ``apply`` calls made."""
    actions_asked: int
    """Engine ``next_action`` calls made (besides those inside the batch planner)."""
    _records: tuple[Record, ...] = PrivateAttr(default=())

    @property
    def records(self) -> tuple[Record, ...]:
        """One :class:`Record` per prospect, in population order: the raw material of the
        metrics and series, for analyses of your own."""
        return self._records

    def plot(self, path: str | Path) -> Path:
        """Write a PNG with the stage funnel, the time-to-connect distribution and the daily
        touches per rep (needs the ``plot`` extra: matplotlib). Returns the path; one that
        cannot be written is an :class:`~cadence.errors.InvalidInputError` naming ``path``."""
        from cadence.simulation.plot import plot_result  # an edge: matplotlib loads on demand

        return plot_result(self, path)


def columns(records: Sequence[Record], days: int) -> dict[str, list[int]]:
    """The per-prospect columns of :data:`COLUMNS`, in record order (flags as 0 or 1), for a
    run of ``days`` days."""
    return {
        "enrolled": [int(r.enrolled < days) for r in records],
        "connected": [int(r.first_connect is not None) for r in records],
        "connects": [len(r.connects) for r in records],
        "touches": [len(r.touches) for r in records],
        "booked": [r.meetings_booked for r in records],
        "held": [r.meetings_held for r in records],
        "opted_out": [int(r.reached & _OPTED_OUT != 0) for r in records],
        "dropped": [int(r.reached & _DROPPED != 0) for r in records],
        "reengaged": [int(r.drip_reengaged) for r in records],
        "violations": [r.violations for r in records],
        "unreachable": [int(r.unreachable) for r in records],
    }


def metric_values(
    n: int, sums: dict[str, float], median_days: float | None, rep_days: int
) -> dict[str, Any]:
    """Every metric from column sums over ``n`` prospects (also a bootstrap resample's)."""
    touches, connects = sums["touches"], sums["connects"]
    # The rates' denominator: the prospects enrolled by the end. With none (every one drawn
    # after the end), each rate is 0 of 0, given as 0; in a bootstrap that resample is the
    # same under both policies (enrolment does not depend on the policy), a difference of 0.
    enrolled = sums["enrolled"] or 1.0
    return {
        "prospects": n,
        "enrolled": int(sums["enrolled"]),
        "connect_rate": sums["connected"] / enrolled,
        "connects": int(connects),
        "meetings_booked": int(sums["booked"]),
        "meetings_held": int(sums["held"]),
        "touches": int(touches),
        "touches_per_connect": touches / connects if connects else None,
        "median_days_to_connect": median_days,
        "opt_out_rate": sums["opted_out"] / enrolled,
        "dropped_rate": sums["dropped"] / enrolled,
        "drip_reengaged": int(sums["reengaged"]),
        "touches_per_rep_day": touches / rep_days if rep_days else None,
        "unreachable_rate": sums["unreachable"] / enrolled,
        "violations": int(sums["violations"]),
    }


def first_day(start: datetime) -> date:
    """The date day 0 of a run started at ``start`` (UTC) is labelled by: the UTC date of its
    middle, the one most of its 24 hours lie on (see :class:`Series`)."""
    return (start + _HALF_DAY).date()


def working_days(policy: Policy, start: datetime, days: int) -> int:
    """Days of the run (labelled as in :class:`Series`) whose weekday the policy works."""
    first = first_day(start)
    return sum(policy.weekmask[(first + timedelta(days=d)).weekday()] == "1" for d in range(days))


def summarise(
    records: Sequence[Record], *, policy: Policy, start: datetime, days: int, reps: int
) -> tuple[Metrics, Series]:
    """The metrics and the series of a run."""
    n = len(records)
    cols = columns(records, days)
    sums = {name: float(sum(values)) for name, values in cols.items()}
    waits = sorted(r.first_connect for r in records if r.first_connect is not None)
    median = statistics.median(waits) if waits else None
    rep_days = reps * working_days(policy, start, days)
    metrics = Metrics(**metric_values(n, sums, median, rep_days))

    touches = [0] * days
    connects = [0] * days
    per_rep = [[0] * days for _ in range(reps)]
    diff = {i: [0] * (days + 1) for i in range(len(STAGES))}
    funnel = [0] * len(STAGES)
    for r in records:
        if r.enrolled >= days:
            continue  # enrolled after the end: in no series (they did nothing)
        row = per_rep[r.owner]
        for d in r.touches:
            if d < days:
                touches[d] += 1
                row[d] += 1
        for d in r.connects:
            if d < days:
                connects[d] += 1
        bits = r.reached
        while bits:  # the stages reached: one pass per set bit, not per stage
            low = bits & -bits
            funnel[low.bit_length() - 1] += 1
            bits ^= low
        # A stage held from the day of its change up to the day before the next change.
        for (t, k), nxt in zip(r.stages, [*r.stages[1:], (float(days), -1)], strict=True):
            lo, hi = min(int(t), days), min(int(nxt[0]), days)
            if lo < hi:
                diff[k][lo] += 1
                diff[k][hi] -= 1
    stages: dict[str, tuple[int, ...]] = {}
    for i, stage in enumerate(STAGES):
        running, out = 0, []
        for d in range(days):
            running += diff[i][d]
            out.append(running)
        stages[stage.value] = tuple(out)
    first = first_day(start)
    series = Series(
        days=tuple(first + timedelta(days=d) for d in range(days)),
        touches=tuple(touches),
        connects=tuple(connects),
        stages=stages,
        touches_per_rep=tuple(tuple(row) for row in per_rep),
        days_to_connect=tuple(waits),
        funnel={stage.value: funnel[i] for i, stage in enumerate(STAGES)},
    )
    return metrics, series
