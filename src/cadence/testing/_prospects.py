"""Prospects at any point of their lifecycle."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from cadence.policy import Policy
from cadence.prospect import Prospect
from cadence.testing._histories import History, histories
from cadence.testing._places import Region

__all__ = ["prospects"]


def _final(history: History) -> Prospect:
    return history.final


def prospects(
    *,
    policies: SearchStrategy[Policy] | None = None,
    places: SearchStrategy[Region] | None = None,
    max_events: int = 12,
) -> SearchStrategy[Prospect]:
    """Prospects as a CRM would store them: the state after an engine-driven history of up to
    ``max_events`` events (``0`` gives freshly enrolled prospects), in one of ``places``
    (default :data:`REGIONS`) under one of ``policies`` (default ``Policy()``).

    The state depends on the policy it was folded under; when the test needs that policy too,
    draw a :func:`histories` value instead and use ``history.final`` and ``history.policy``.
    """
    return histories(
        policies=st.just(Policy()) if policies is None else policies,
        places=places,
        max_events=max_events,
    ).map(_final)
