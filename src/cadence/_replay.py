"""``Engine.replay``: a whole history folded in its own order (DESIGN §9).

Events are sorted by time, then id, except that at one instant an opt-out comes last (R13).
Which events take their ids is decided first (:mod:`cadence._replay_ids`), as ``apply`` would
have given them; a no-show refused at an instant it shares with other events is folded again
after them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cadence import events as ev
from cadence._construct import build
from cadence._fold import Fold
from cadence._fold_base import State
from cadence._inputs import history
from cadence._replay_ids import Keyed, forget, stamp, takers
from cadence.errors import InvalidInputError, LateEventError
from cadence.prospect import Prospect

if TYPE_CHECKING:
    from cadence.engine import Engine

_CONTACT_UPDATED = ev.ContactUpdated
_OPTED_OUT = ev.OptedOut
_NO_SHOW = ev.MeetingNoShow


def _order(item: Keyed) -> tuple[datetime, bool, str, str]:
    """``replay``'s order: time; at one instant an opt-out last (R13), then id, then payload."""
    return item[0], item[1], item[2], item[3]


def _fold_again(
    state: State,
    fold: Fold,
    refused: list[tuple[Keyed, bool]],
    seen: dict[str, str],
    stamps: dict[str, int],
) -> None:
    """``replay``: fold the no-shows refused at one instant again, after its other events
    (refused again: the error is raised), and forget them."""
    for (when, _, eid, fingerprint, event), take in refused:
        if eid and seen.get(eid) == fingerprint:
            continue  # a redelivery of one taken just now
        fold.apply(state, event)
        if take:
            _take(seen, stamps, eid, fingerprint, when)
    refused.clear()


def _take(seen: dict[str, str], stamps: dict[str, int], eid: str, fp: str, at: datetime) -> None:
    """``replay``: remember an id as ``apply`` does, last in ``seen`` (an id taken again was
    forgotten in between: ``apply`` had dropped it, and adds it after the others)."""
    seen.pop(eid, None)
    seen[eid] = fp
    stamps.pop(eid, None)
    stamps[eid] = stamp(at)


def _none_before(items: list[ev.Event], at: datetime) -> None:
    """Refuse an event older than the enrolment instant ``at``, as ``apply`` refuses it after
    ``enroll(at=...)`` (an opt-out excepted: it is always honoured, R13). Folded, it made a
    prospect enrolled at ``at`` unresponsive since before then (and a caller who took ``at``
    for "as of now" got a state enrolled now, without a word)."""
    for i, e in enumerate(items):
        if e.at < at and type(e) is not _OPTED_OUT:
            msg = (
                f"events: item {i}: at: {e.type} at {e.at.isoformat()} is older than the "
                f"enrolment instant `at` ({at.isoformat()}); `at` is when the prospect was "
                "enrolled, not the time to replay as of: give an instant no later than the "
                "first event, or leave `at` out (the first event's)"
            )
            raise LateEventError(msg, field="at", value=e.at)


def replay(
    engine: Engine,
    prospect_id: str,
    events: Iterable[ev.Event | Mapping[str, Any] | str | bytes],
    at: datetime | None,
    enrol: Mapping[str, Any],
) -> Prospect:
    """:meth:`cadence.Engine.replay` (its docstring says what it does); ``enrol`` holds the
    enrolment facts but ``at``."""
    items = history(events)
    # Time, then id (DESIGN §9), except that at one instant an opt-out comes last (R13):
    # an opt-in and an opt-out logged in the same second end opted out, whatever their
    # ids (``apply`` refuses an opt-in at the instant of the opt-out it follows).
    keyed = sorted(
        ((e.at, type(e) is _OPTED_OUT, e.id or "", ev.event_fingerprint(e), e) for e in items),
        key=_order,
    )
    if at is None:
        if not keyed:
            msg = "at: replay of an empty history needs the enrolment instant `at`"
            raise InvalidInputError(msg, field="at", value=None)
        at = keyed[0][0]
    p = engine.enroll(prospect_id, at=at, **enrol)  # (``at`` checked)
    if keyed and keyed[0][0] < p.enrolled_at:
        _none_before(items, p.enrolled_at)
    cal, fold = engine._for(p.timezone, p.country, p.subdivision)
    state = dict(p.__dict__)
    seen: dict[str, str] = {}
    state["seen"] = seen
    stamps: dict[str, int] = {}
    # Which events take their ids, as ``apply`` would have given them, forgetting ids as
    # it does; a conflict is refused before anything is folded (:mod:`cadence._replay_ids`).
    takes = takers(keyed, p.last_event_at, engine._memory)
    # A no-show refused (its meeting called off) is folded again once the other events of
    # its instant are: ``apply`` may have taken it after one of them (a closed prospect
    # ignores it; a meeting booked again can be missed), and one instant's order is no
    # evidence. Refused again, it is refused.
    refused: list[tuple[Keyed, bool]] = []
    for item, take in zip(keyed, takes, strict=True):
        when, _, eid, fingerprint, event = item
        if refused and when != refused[0][0][0]:
            _fold_again(state, fold, refused, seen, stamps)
        if eid and seen.get(eid) == fingerprint:
            continue  # a redelivery
        engine._advance(state, cal, when)
        if type(event) is _NO_SHOW:
            try:
                fold.apply(state, event)
            except InvalidInputError:
                refused.append((item, take))
                continue
        else:
            fold.apply(state, event)
        if take:
            _take(seen, stamps, eid, fingerprint, when)
        if type(event) is _CONTACT_UPDATED:  # the prospect may have moved (checked here)
            moved = state["timezone"] != cal.timezone
            cal, fold = engine._for(state["timezone"], state["country"], state["subdivision"])
            if moved:
                fold.moved(state)  # (R6's day as they now live it, as ``apply`` says it)
    if refused:
        _fold_again(state, fold, refused, seen, stamps)
    if engine._memory is not None:  # what ``apply`` would remember, event after event
        forget(state, stamps, engine._memory, state["last_event_at"])
    return build(Prospect, state)
