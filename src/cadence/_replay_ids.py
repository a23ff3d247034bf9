"""Which events of a replayed history take their ids, as ``apply`` would have given them.

``apply`` remembers an event's id once it takes it: a redelivery (the same id and payload) is
a no-op, another payload under a remembered id a conflict, except an opt-out, honoured without
taking the id (R13). With ``Policy.event_id_memory_days`` an id is forgotten once the newest
event is that long after the event that took it, and the id is free again. ``replay`` decides
the same, event by event in its own order (time, then id), before it folds anything.

One thing ``replay`` cannot know is the order the events were delivered in: an opt-out older
than an event that shares its id may have come after it, late, and been honoured without the
id. So an opt-out gives its id up to an event of another kind that comes with it while the
opt-out's id would still be remembered: any order of the same history folds the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cadence import events as ev
from cadence.errors import ConflictingEventError

#: An event as ``replay`` sorts it: its time, whether it is an opt-out, its id, its payload's
#: fingerprint, the event.
Keyed = tuple[datetime, bool, str, str, ev.Event]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def takers(keyed: Sequence[Keyed], start: datetime, memory: timedelta | None) -> list[bool]:
    """For each event of ``keyed`` (sorted as ``replay`` folds them, the state enrolled at
    ``start``) whether it takes its id; :class:`ConflictingEventError` for an id that comes
    with another payload while the event that took it is remembered (``memory``: how long,
    ``None``: for ever)."""
    takes = [False] * len(keyed)
    held: dict[str, tuple[str, datetime, int]] = {}  # id -> fingerprint, time, its taker
    last = start  # the newest event folded so far, as the state's ``last_event_at``
    for i, (when, opt_out, eid, fingerprint, _) in enumerate(keyed):
        if eid:
            found = held.get(eid)
            if found is not None and memory is not None and found[1] < last - memory:
                found = None  # forgotten (:func:`forget`, after the event before this)
            if found is None:
                held[eid] = (fingerprint, when, i)
                takes[i] = True
            elif found[0] != fingerprint and not opt_out:  # (the same payload: a redelivery)
                if not keyed[found[2]][1]:
                    msg = _conflict(eid, found[1], when, memory)
                    raise ConflictingEventError(msg, field="id", value=eid)
                takes[found[2]] = False  # an opt-out: honoured, however late it came (R13)
                held[eid] = (fingerprint, when, i)
                takes[i] = True
        if when > last:
            last = when
    return takes


def _conflict(eid: str, first: datetime, then: datetime, memory: timedelta | None) -> str:
    msg = f"id: event {eid!r} appears twice with different payloads"
    if memory is not None:
        msg += (
            f", at {first.isoformat()} and {then.isoformat()}, and no event came more than "
            f"event_id_memory_days={memory.days} after the first before the second (until "
            "then the state remembers the id)"
        )
    return msg + "; give each event its own id"


def stamp(at: datetime) -> int:
    """``at`` as ``Prospect.seen_at`` stores it: microseconds since the epoch, exactly."""
    return (at - _EPOCH) // _MICROSECOND


def forget(
    state: dict[str, Any], stamps: dict[str, int], memory: timedelta, before: datetime
) -> None:
    """Bound what ``state`` remembers of event ids (``Policy.event_id_memory_days``): keep the
    ids whose event (``stamps``: id -> its time, :func:`stamp`) is at most ``memory`` older
    than the newest event. An id remembered without a time (applied while the policy
    remembered every id) is stamped ``before``, the newest event then: it is at least that
    old, so it is kept at least as long as it needs. Only an id whose redelivery would be
    refused as late is forgotten."""
    seen: dict[str, str] = state["seen"]
    if len(stamps) != len(seen):
        old = stamp(before)
        stamps = {eid: stamps.get(eid, old) for eid in seen}
    cutoff = stamp(state["last_event_at"] - memory)
    if any(at < cutoff for at in stamps.values()):
        stamps = {eid: at for eid, at in stamps.items() if at >= cutoff}
        state["seen"] = {eid: f for eid, f in seen.items() if eid in stamps}
    state["seen_at"] = stamps
