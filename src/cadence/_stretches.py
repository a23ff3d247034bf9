"""A rep's booked day: sorted, disjoint, merged ``[start, end)`` stretches (integer
microseconds). Both day planners fill it with the same function, so they cannot drift apart.

A touch need only start inside its window (DESIGN §4: windows are half-open, a call must
start inside), as the engine's actions do: one that starts a minute before the window ends
still takes its whole length of the rep's time, past the window's end."""

from __future__ import annotations

from bisect import bisect_left

__all__ = ["book", "occupied"]


def occupied(stretches: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A booked day holding ``stretches`` (a rep's meetings, say: they may overlap or touch),
    sorted, disjoint and merged, as :func:`book` needs it."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(stretches):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def book(busy: list[tuple[int, int]], start: int, length: int, limit: int) -> int | None:
    """Book the earliest free stretch of ``length`` at or after ``start`` that starts before
    ``limit`` (the window's end: it may end after it): its start (``busy`` updated,
    neighbours merged), or ``None`` if none does."""
    i = bisect_left(busy, (start,))
    if i and busy[i - 1][1] > start:
        i -= 1
    while i < len(busy) and busy[i][0] < start + length:  # slide past every overlap
        start = max(start, busy[i][1])
        i += 1
    if start >= limit:
        return None
    end = start + length
    if i < len(busy) and busy[i][0] == end:  # merge with the stretch that follows
        end = busy.pop(i)[1]
    if i and busy[i - 1][1] == start:  # ... and the one before
        busy[i - 1] = (busy[i - 1][0], end)
    else:
        busy.insert(i, (start, end))
    return start
