"""Running a chunk of the population: the unit of work a process (or a Dask task) gets.

A chunk is a range of prospect indices (or, with rep capacity, a set of territories). What a
prospect does depends only on the run's settings and its index, never on which chunk it is in,
so any split gives the serial result.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from cadence.engine import Engine
from cadence.policy import Policy
from cadence.simulation._floor import run_floor, territories
from cadence.simulation._life import Life, Record
from cadence.simulation._luck import Luck
from cadence.simulation._population import Member, Place, member
from cadence.simulation._responder import Responder

__all__ = ["Chunk", "Progress", "Settings", "chunks", "members", "run_chunk"]

#: Called with the number of prospects simulated so far.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run (picklable: it travels to worker processes)."""

    policy: Policy
    responder: Responder
    seed: int
    prospects: int
    days: int
    start: datetime
    reps: int
    enrol_days: int
    places: tuple[Place, ...]
    capacity: int | None
    check: bool

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)


#: A chunk: a range of indices, or (with capacity) the territories (zones) it covers.
Chunk = tuple[int, int] | tuple[str, ...]


def members(s: Settings, lo: int, hi: int) -> list[tuple[Member, Luck]]:
    """Prospects ``lo`` to ``hi - 1`` with their luck."""
    out = []
    for i in range(lo, hi):
        luck = Luck(s.seed, i)
        out.append(
            (
                member(
                    luck,
                    i,
                    prospects=s.prospects,
                    reps=s.reps,
                    start=s.start,
                    enrol_days=s.enrol_days,
                    places=s.places,
                ),
                luck,
            )
        )
    return out


def chunks(s: Settings, pieces: int) -> list[Chunk]:
    """Split the run into about ``pieces`` chunks of similar size."""
    pieces = max(1, min(pieces, s.prospects))
    if s.capacity is None:
        bounds = [s.prospects * k // pieces for k in range(pieces + 1)]
        return [(a, b) for a, b in itertools.pairwise(bounds) if a < b]
    sizes = territories(members(s, 0, s.prospects), s.reps)
    out: list[list[str]] = [[] for _ in range(pieces)]
    load = [0] * pieces
    for zone_name, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        k = load.index(min(load))  # largest first onto the least loaded chunk
        out[k].append(zone_name)
        load[k] += size
    return [tuple(sorted(c)) for c in out if c]


@lru_cache(maxsize=4)
def _engine(policy: Policy) -> Engine:
    """One engine per policy and process: its calendars' caches (days, windows, legal rules)
    serve every chunk. Engines hold no per-prospect state, so sharing changes no result."""
    return Engine(policy)


def run_chunk(s: Settings, chunk: Chunk) -> list[Record]:
    """Simulate one chunk; records in index order."""
    engine = _engine(s.policy)
    if s.capacity is None:
        lo, hi = chunk
        end = s.end
        return [
            Life(engine, m, luck, s.responder, s.start, s.check).run(end)
            for m, luck in members(s, int(lo), int(hi))
        ]
    zones: Sequence[str] = chunk  # type: ignore[assignment]
    everyone = members(s, 0, s.prospects)
    return run_floor(engine, everyone, set(zones), s)
