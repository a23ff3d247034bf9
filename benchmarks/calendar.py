"""What "the next allowed call slot after X" costs per prospect, with warm caches (DESIGN §4, §8).

Every due time the engine returns goes through ``ContactCalendar.next_window``: business days
(weekmask and holidays), the policy's call slots, the R4 rotation (``avoid_slot``), the R3
business-day gap (``min_date``) and the legal calling windows of the prospect's jurisdiction. The
engine calls it once or more per step, for every prospect, so it has to cost about as little as
plain business-day arithmetic. This script measures, per operation, with warm caches (every query
is run once before timing, as in a long-running CRM process or a batch that has seen the year):

- ``next_window(Channel.PHONE, after, min_date=..., avoid_slot=...)`` on the shared calendar of
  each prospect (``cadence.calendar.contact_calendar(policy, tz, country, subdivision)``), over a
  mix of five jurisdictions (US-IL, US-NY, US-FL, US-CA, FR: holidays, state and French legal
  windows, DST) and instants spread over 2026, two in three with an R3 gap date and most with a
  part of the day to avoid; also the same call preceded by the ``contact_calendar`` lookup, and
  with the prospect's recent calls (elapsed-time caps, as the engine passes them for calls);

and, in the same run, the business-day baselines on the same dates and holiday calendars:

- a naive loop that walks day by day to the N-th business day (N = 4, R3's default), checking the
  weekday and a ``set`` of holiday dates each day (numpy's ``roll="forward"`` semantics);
- ``numpy.busday_offset`` called once per date (scalar ``datetime64`` in, a prebuilt
  ``busdaycalendar``), and vectorised (one call per calendar over all its dates; cost per date);
- ``cadence.businessdays.BusinessDays.offset`` alone (the engine's own bisect over cached years).

Before timing, the three business-day implementations are checked to agree on every query.
Rounds interleave all operations (rotating their order); each reports the median µs per
operation over the rounds with the 25th–75th percentiles, and ratios (median of per-round ratios)
against the naive loop and numpy. Target: next slot <= 3 µs with warm caches.

Run: ``PYTHONPATH=src python benchmarks/calendar.py`` (about 20 s) or ``--quick`` for a smoke run.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this directory comes first on sys.path and this very file would shadow the
# standard library's `calendar` (which `holidays` imports): the stdlib goes first.
sys.path.insert(0, os.path.dirname(os.__file__))
# ... and the project root, so `benchmarks._timing` imports either way.
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse
import platform
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

import cadence
from benchmarks._timing import measure, ratio
from cadence.businessdays import BusinessDays, holiday_dates
from cadence.calendar import ContactCalendar, contact_calendar
from cadence.channel import Channel

PLACES: tuple[tuple[str, str, str | None], ...] = (
    ("America/Chicago", "US", "IL"),
    ("America/New_York", "US", "NY"),
    ("America/New_York", "US", "FL"),
    ("America/Los_Angeles", "US", "CA"),
    ("Europe/Paris", "FR", None),
)
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
GAP = 4  # R3: business days between unanswered attempts (the policy default)
TARGET_US = 3.0


@dataclass(frozen=True, slots=True)
class Query:
    """One prospect's question: the next call slot after ``after``."""

    place: int
    cal: ContactCalendar
    after: datetime
    min_date: date | None
    avoid_slot: str | None
    recent: tuple[datetime, ...]
    day: date
    """``after``'s local date: the input of the business-day baselines."""


def build_queries(policy: cadence.Policy, n: int, seed: int = 20260310) -> list[Query]:
    rng = random.Random(seed)
    out: list[Query] = []
    for i in range(n):
        place = i % len(PLACES)
        tz, country, subdivision = PLACES[place]
        cal = contact_calendar(policy, tz, country, subdivision)
        after = YEAR_START + timedelta(minutes=rng.randrange(365 * 24 * 60))
        day = cal.local(after).date()
        min_date = cal.days.offset(day, GAP) if rng.random() < 2 / 3 else None
        names = [slot.name for slot in policy.call_slots]
        avoid = rng.choice((None, *names, *names))
        recent = tuple(
            sorted(
                after - timedelta(hours=rng.randint(2, 24 * 20)) for _ in range(rng.randint(1, 3))
            )
        )
        out.append(Query(place, cal, after, min_date, avoid, recent, day))
    return out


# -- business-day baselines -------------------------------------------------------------------


def holiday_set(days: BusinessDays, years: range) -> frozenset[date]:
    """Every closed date of a business-day calendar over ``years`` (regions and extra dates)."""
    closed: set[date] = set(days.extra)
    for country, subdivision in days.regions:
        for year in years:
            closed.update(holiday_dates(country, subdivision, year))
    return frozenset(closed)


def naive_offset(day: date, n: int, workdays: tuple[bool, ...], closed: frozenset[date]) -> date:
    """The N-th business day after ``day``, one day at a time (roll forward first, as numpy)."""
    one = timedelta(days=1)
    while not workdays[day.weekday()] or day in closed:
        day += one
    while n:
        day += one
        if workdays[day.weekday()] and day not in closed:
            n -= 1
    return day


def make_batches(policy: cadence.Policy, queries: list[Query]) -> dict[str, Callable[[], int]]:
    phone = Channel.PHONE
    calls = [(q.cal.next_window, q.after, q.min_date, q.avoid_slot, q.recent) for q in queries]
    places = [PLACES[q.place] for q in queries]
    years = range(2026, 2028)
    workdays = tuple(c == "1" for c in policy.weekmask)
    per_place = [q.cal.days for q in (next(x for x in queries if x.place == i) for i in range(5))]
    closed = [holiday_set(d, years) for d in per_place]
    numpy_cals = [np.busdaycalendar(weekmask=policy.weekmask, holidays=sorted(c)) for c in closed]
    naive_in = [(q.day, closed[q.place]) for q in queries]
    offset_in = [(q.cal.days.offset, q.day) for q in queries]
    scalar_in = [(np.datetime64(q.day, "D"), numpy_cals[q.place]) for q in queries]
    groups: list[tuple[npt.NDArray[np.datetime64], np.busdaycalendar]] = [
        (
            np.array([q.day for q in queries if q.place == i], dtype="datetime64[D]"),
            numpy_cals[i],
        )
        for i in range(len(PLACES))
    ]
    _check_agreement(queries, naive_in, offset_in, scalar_in, groups, workdays)

    def next_slot() -> int:
        for next_window, after, min_date, avoid, _ in calls:
            next_window(phone, after, min_date=min_date, avoid_slot=avoid)
        return len(calls)

    def lookup_and_next_slot() -> int:
        for (tz, country, subdivision), (_, after, min_date, avoid, _) in zip(
            places, calls, strict=True
        ):
            cal = contact_calendar(policy, tz, country, subdivision)
            cal.next_window(phone, after, min_date=min_date, avoid_slot=avoid)
        return len(calls)

    def next_slot_with_caps() -> int:
        for next_window, after, min_date, avoid, recent in calls:
            next_window(phone, after, min_date=min_date, avoid_slot=avoid, recent=recent)
        return len(calls)

    def naive_loop() -> int:
        for day, holidays in naive_in:
            naive_offset(day, GAP, workdays, holidays)
        return len(naive_in)

    def numpy_scalar() -> int:
        busday_offset = np.busday_offset
        for day, busdaycal in scalar_in:
            busday_offset(day, GAP, roll="forward", busdaycal=busdaycal)
        return len(scalar_in)

    def numpy_vectorised() -> int:
        for days, busdaycal in groups:
            np.busday_offset(days, GAP, roll="forward", busdaycal=busdaycal)
        return sum(len(days) for days, _ in groups)

    def business_days_offset() -> int:
        for offset, day in offset_in:
            offset(day, GAP)
        return len(offset_in)

    return {
        "next_window (calendar in hand)": next_slot,
        "contact_calendar() lookup + next_window": lookup_and_next_slot,
        "next_window + recent calls (caps)": next_slot_with_caps,
        "naive day-by-day loop (N=4)": naive_loop,
        "numpy.busday_offset, scalar per date": numpy_scalar,
        "numpy.busday_offset, vectorised, per date": numpy_vectorised,
        "BusinessDays.offset alone": business_days_offset,
    }


def _check_agreement(
    queries: list[Query],
    naive_in: Sequence[tuple[date, frozenset[date]]],
    offset_in: Sequence[tuple[Callable[[date, int], date], date]],
    scalar_in: Sequence[tuple[np.datetime64[date], np.busdaycalendar]],
    groups: Sequence[tuple[npt.NDArray[np.datetime64], np.busdaycalendar]],
    workdays: tuple[bool, ...],
) -> None:
    naive = [naive_offset(d, GAP, workdays, h) for d, h in naive_in]
    ours = [f(d, GAP) for f, d in offset_in]
    scalar = [
        np.busday_offset(d, GAP, roll="forward", busdaycal=c).astype(date) for d, c in scalar_in
    ]
    vectorised: dict[tuple[int, int], date] = {}
    for place, (days, busdaycal) in enumerate(groups):
        result = np.busday_offset(days, GAP, roll="forward", busdaycal=busdaycal)
        for k, value in enumerate(result.astype(date).tolist()):
            vectorised[(place, k)] = value
    seen = [0] * len(groups)
    for i, q in enumerate(queries):
        v = vectorised[(q.place, seen[q.place])]
        seen[q.place] += 1
        if not naive[i] == ours[i] == scalar[i] == v:
            msg = f"business-day offsets disagree for {q.day} in {PLACES[q.place]}"
            raise AssertionError(msg)


def report(queries: list[Query], results: dict[str, list[float]], rounds: int) -> None:
    print(
        f"cadence next-slot benchmark: {platform.python_implementation()} "
        f"{platform.python_version()}, numpy {np.__version__}, {rounds} rounds, "
        f"{len(queries)} queries over 2026 in {len(PLACES)} jurisdictions "
        f"({', '.join(f'{c}-{s}' if s else c for _, c, s in PLACES)})"
    )
    with_gap = sum(q.min_date is not None for q in queries)
    avoiding = sum(q.avoid_slot is not None for q in queries)
    print(
        f"  {100 * with_gap / len(queries):.0f} % with an R3 min_date, "
        f"{100 * avoiding / len(queries):.0f} % with a slot to avoid (R4); "
        "business-day offsets agree across naive, numpy and BusinessDays"
    )
    print()
    naive = results["naive day-by-day loop (N=4)"]
    print(f"{'operation':<44} {'median µs/op':>13} {'p25 – p75':>17} {'vs naive loop':>14}")
    for name, values in results.items():
        q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
        print(f"{name:<44} {med:>13.3f} {q1:>8.3f} – {q3:<6.3f} {ratio(values, naive):>13.2f}x")
    slot = results["next_window (calendar in hand)"]
    scalar = results["numpy.busday_offset, scalar per date"]
    vector = results["numpy.busday_offset, vectorised, per date"]
    ours = results["BusinessDays.offset alone"]
    print()
    print("ratios (median of per-round ratios):")
    print(f"  next_window / naive day-by-day loop          {ratio(slot, naive):8.2f}x")
    print(f"  next_window / numpy scalar busday_offset     {ratio(slot, scalar):8.2f}x")
    print(f"  next_window / numpy vectorised, per date     {ratio(slot, vector):8.2f}x")
    print(f"  BusinessDays.offset / numpy scalar           {ratio(ours, scalar):8.2f}x")
    print(f"  BusinessDays.offset / numpy vectorised       {ratio(ours, vector):8.2f}x")
    med = statistics.median(slot)
    print()
    print(
        f"target: next slot <= {TARGET_US:.1f} µs with warm caches: {med:.2f} µs  "
        f"{'met' if med <= TARGET_US else 'NOT MET'}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (a few seconds)")
    args = parser.parse_args(argv)
    n, rounds = (500, 5) if args.quick else (10_000, 25)
    policy = cadence.Policy()
    queries = build_queries(policy, n)
    batches = make_batches(policy, queries)
    results = measure(batches, rounds)
    report(queries, results, rounds)


if __name__ == "__main__":
    main()
