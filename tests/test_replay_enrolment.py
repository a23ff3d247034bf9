"""``replay``'s ``at`` is the enrolment instant: it folds from there what ``apply`` would take
after ``enroll(at=...)``, and refuses what ``apply`` refuses (DESIGN §6, §9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cadence
from cadence import events as ev
from cadence.errors import LateEventError
from cadence.testing import History, engine_for, histories


def test_an_event_before_the_enrolment_instant_is_refused_as_apply_refuses_it(
    engine: cadence.Engine, monday: datetime
) -> None:
    """A call three days before ``at`` was folded: the prospect enrolled on Monday was
    ``unresponsive`` from the Friday before, and owed an email for it, while ``apply`` on the
    same enrolment refused the call as late. (A caller who took ``at`` for "as of now" got a
    state enrolled now, without a word.)"""
    before = ev.CallAttempted(at=monday - timedelta(days=3), outcome="voicemail")
    after = ev.EmailSent(at=monday + timedelta(hours=1))
    p = engine.enroll("p", timezone="America/Chicago", at=monday, country="US")
    with pytest.raises(LateEventError):
        engine.apply(p, before)
    with pytest.raises(LateEventError) as info:
        engine.replay("p", [after, before], timezone="America/Chicago", at=monday, country="US")
    said = str(info.value)
    assert said.startswith(
        "events: item 1: at: call_attempted at 2026-03-06T15:30:00+00:00 is "
        "older than the enrolment instant"
    ), said
    assert "leave `at` out" in said
    assert (info.value.field, info.value.value) == ("at", before.at)


def test_an_opt_out_before_the_enrolment_instant_is_honoured_as_apply_honours_it(
    engine: cadence.Engine, monday: datetime
) -> None:
    out = ev.OptedOut(at=monday - timedelta(days=3))
    p = engine.enroll("p", timezone="America/Chicago", at=monday, country="US")
    applied = engine.apply(p, out)
    assert applied.stage is cadence.Stage.OPTED_OUT
    assert engine.replay("p", [out], timezone="America/Chicago", at=monday, country="US") == applied


@given(histories(min_events=1), st.data())
def test_replay_refuses_an_event_before_enrolment_exactly_when_apply_does(
    history: History, data: st.DataObject
) -> None:
    """Any event of a history moved before the enrolment instant: ``replay`` from that
    enrolment refuses it unless it is an opt-out, as ``apply`` to the enrolled prospect does."""
    engine = engine_for(history.policy)
    i = data.draw(st.integers(0, len(history.events) - 1), label="which")
    back = data.draw(st.integers(1, 10 * 24 * 3600), label="seconds before enrolment")
    moved = history.events[i].model_copy(
        update={"at": history.enrolled_at.astimezone(UTC) - timedelta(seconds=back)}
    )
    moved = type(moved).model_validate(moved.model_dump())
    events = [*history.events[:i], moved, *history.events[i + 1 :]]
    enrolled = history.enroll(engine)
    try:
        engine.apply(enrolled, moved)
    except LateEventError:
        with pytest.raises(LateEventError):
            history.replay(engine, events)
    else:
        assert isinstance(moved, ev.OptedOut)
        history.replay(engine, events)  # folded (an opt-out, honoured: R13)
