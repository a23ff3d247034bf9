"""Running chunks of a simulation in worker processes (an edge: the core never imports it).

Each worker gets the run's settings and a chunk; records come back and are merged in index
order, so the result is the serial one.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed

from cadence.simulation._life import Record
from cadence.simulation._run import Progress, Settings, chunks, run_chunk

__all__ = ["run_parallel"]

_PIECES_PER_WORKER = 4  # a few chunks per worker balance uneven prospects


def run_parallel(s: Settings, workers: int, progress: Progress | None) -> list[Record]:
    """Every prospect's record, computed by ``workers`` processes, in index order."""
    pieces = chunks(s, workers if s.capacity is not None else workers * _PIECES_PER_WORKER)
    done: list[list[Record]] = []
    count = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_chunk, s, chunk) for chunk in pieces]
        for future in as_completed(futures):
            part = future.result()
            done.append(part)
            count += len(part)
            if progress is not None:
                progress(count)
    return sorted((r for part in done for r in part), key=lambda r: r.number)
