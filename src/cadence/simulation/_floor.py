"""Rep capacity: the population worked day by day through the batch planner.

Each rep owns one territory (a time zone), so that a rep's day is one local day. Every morning
(local midnight in the territory) ``cadence.batch.plan_day`` plans the day's touches of the
prospects that have something due, at most ``capacity`` per rep and channel; the touches are
carried out at their planned slots, and what they set off (replies, meetings) happens in time
order. A touch beyond capacity waits for a later day's plan, as does anything that comes up
during the day (the planner works from the morning's state).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, time, timedelta
from typing import TYPE_CHECKING

from cadence.actions import ActionKind
from cadence.batch import plan_day
from cadence.calendar import resolve_local, zone
from cadence.engine import Engine
from cadence.simulation._life import Life, Record
from cadence.simulation._luck import Luck
from cadence.simulation._population import Member

if TYPE_CHECKING:
    from cadence.simulation._run import Settings

__all__ = ["assign_owners", "run_floor", "seats", "territories"]

_ATTEND = ActionKind.ATTEND_MEETING


def territories(everyone: Sequence[tuple[Member, Luck]], reps: int) -> dict[str, int]:
    """Prospects per territory (time zone)."""
    sizes: dict[str, int] = {}
    for m, _ in everyone:
        sizes[m.place.timezone] = sizes.get(m.place.timezone, 0) + 1
    return dict(sorted(sizes.items()))


def seats(sizes: dict[str, int], reps: int) -> dict[str, int]:
    """Reps per territory: one each, then the rest one at a time to the territory with the
    most prospects per rep (ties by name). At least one rep per territory."""
    out = dict.fromkeys(sorted(sizes), 1)
    for _ in range(reps - len(out)):
        best = max(sorted(out), key=lambda z: sizes[z] / out[z])
        out[best] += 1
    return out


def assign_owners(everyone: Sequence[tuple[Member, Luck]], reps: int) -> list[tuple[Member, Luck]]:
    """Give each prospect a rep of its territory: reps numbered territory by territory
    (sorted by name), prospects in index order in contiguous blocks per rep."""
    sizes = territories(everyone, reps)
    counts = seats(sizes, reps)
    first: dict[str, int] = {}
    n = 0
    for z in sorted(counts):
        first[z] = n
        n += counts[z]
    seen = dict.fromkeys(sizes, 0)
    out = []
    for m, luck in everyone:
        z = m.place.timezone
        k = seen[z]
        seen[z] = k + 1
        owner = first[z] + k * counts[z] // sizes[z]
        out.append((m._replace(owner=owner), luck))
    return out


def run_floor(
    engine: Engine, everyone: Sequence[tuple[Member, Luck]], zones: set[str], s: Settings
) -> list[Record]:
    """Simulate the territories ``zones`` day by day with the batch planner."""
    assert s.capacity is not None
    end = s.end
    lives: list[Life] = []
    groups: dict[str, list[Life]] = {}
    """Per territory, the prospects who may still do something (in index order)."""
    for m, luck in assign_owners(everyone, s.reps):
        if m.place.timezone in zones:
            life = Life(engine, m, luck, s.responder, s.start, s.check)
            lives.append(life)
            groups.setdefault(m.place.timezone, []).append(life)
    first = s.start.astimezone(UTC).date()
    midnight = time(0)
    for d in range(-1, s.days + 1):  # local days overlapping the run's UTC days
        day = first + timedelta(days=d)
        for name in sorted(groups):
            tz = zone(name)
            day_start = resolve_local(day, midnight, tz).astimezone(UTC)
            day_end = resolve_local(day + timedelta(days=1), midnight, tz).astimezone(UTC)
            if day_end <= s.start or day_start >= end:
                continue
            now = max(day_start, s.start)
            ready = []
            active = []
            for life in groups[name]:
                life.settle(now)
                if life.p.enrolled_at <= now and life.due_before(day_end):
                    ready.append(life)
                    active.append(life)
                elif not life.idle():
                    active.append(life)
            # A prospect with nothing to do and nothing queued stays so until a touch is
            # scheduled for it, which only a ready prospect gets: most of a long run's book
            # (dropped for good) leaves the daily round here. The order of the rest is kept.
            groups[name] = active
            if not ready:
                continue
            by_id = {life.p.id: life for life in ready}
            # Only the plan's touches are carried out: what waits for a later day's plan is
            # planned again then, so the plan keeps none of its deferred touches (each would
            # be written out in full, talking points and all, and read by no one).
            plan = plan_day(
                engine,
                [life.p for life in ready],
                day=day,
                now=now,
                capacity=s.capacity,
                deferred_limit=0,
            )
            for touch in plan.touches:
                # A meeting is listed in its rep's day (its time is blocked); the simulated
                # prospect holds or misses it on its own.
                if touch.start < end and touch.action.kind is not _ATTEND:
                    by_id[touch.prospect_id].schedule(touch.action, touch.start)
    records = []
    for life in lives:
        life.settle(end)
        records.append(life.finish(end))
    records.sort(key=lambda r: r.number)
    return records
