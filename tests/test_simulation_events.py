"""The simulator's unvalidated event builders make exactly the validated events (or raise the
validated constructor's error when the shortcut's assumptions do not hold)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
from pydantic import ValidationError

from cadence import Engine
from cadence import events as ev
from cadence.simulation._events import (
    call_attempted,
    connected_call,
    email_replied,
    email_sent,
    meeting_booked,
    out_of_office,
)

INSTANTS = (
    datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 1, 30, 15, 123, tzinfo=ZoneInfo("America/Chicago")),
    datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris")),
    pendulum.datetime(2026, 4, 1, 9, 45, tz="Asia/Kolkata"),
)


def same(fast: ev.Event, slow: ev.Event) -> None:
    """Equal, and alike in everything pydantic keeps: class, fields in order with their types,
    fields set, extras, private state, serialised form, hash."""
    assert type(fast) is type(slow)
    assert fast == slow
    assert [(k, type(v), v) for k, v in fast.__dict__.items()] == [
        (k, type(v), v) for k, v in slow.__dict__.items()
    ]
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.__pydantic_extra__ == slow.__pydantic_extra__
    assert fast.__pydantic_private__ == slow.__pydantic_private__
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)
    assert hash(fast) == hash(slow)
    assert ev.event_fingerprint(fast) == ev.event_fingerprint(slow)
    assert fast.model_copy(update={"id": "x"}) == slow.model_copy(update={"id": "x"})


@pytest.mark.parametrize("at", INSTANTS)
def test_builders_make_the_validated_events(at: datetime) -> None:
    same(email_sent(at), ev.EmailSent(at=at))
    for outcome in ("voicemail", "no_answer", "gatekeeper", "wrong_number"):
        same(call_attempted(at, outcome), ev.CallAttempted(at=at, outcome=outcome))
    later = at + timedelta(days=2, hours=3)
    for permission in (True, False):
        for agreed in (None, later, later.astimezone(ZoneInfo("Australia/Sydney"))):
            same(
                connected_call(at, permission=permission, next_contact_at=agreed),
                ev.CallAttempted(
                    at=at, outcome="connected", permission=permission, next_contact_at=agreed
                ),
            )


@pytest.mark.parametrize("at", INSTANTS)
def test_builders_make_the_validated_events_of_what_a_touch_sets_off(at: datetime) -> None:
    for intent in ("positive", None):
        same(email_replied(at, intent), ev.EmailReplied(at=at, intent=intent))
    for later in (*INSTANTS, at + timedelta(minutes=1)):
        if later.astimezone(UTC) > at.astimezone(UTC):
            same(out_of_office(at, later), ev.OutOfOffice(at=at, until=later))
            same(
                meeting_booked(at, "m1", later),
                ev.MeetingBooked(at=at, meeting_id="m1", starts_at=later),
            )


def test_the_engine_treats_built_and_validated_events_alike() -> None:
    engine = Engine()
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    p = engine.enroll("p", timezone="America/Chicago", at=at, country="US")
    pairs: list[tuple[ev.Event, ev.Event]] = [
        (call_attempted(at, "voicemail"), ev.CallAttempted(at=at, outcome="voicemail")),
        (email_sent(at + timedelta(hours=1)), ev.EmailSent(at=at + timedelta(hours=1))),
    ]
    fast, slow = p, p
    for a, b in pairs:
        fast, slow = engine.apply(fast, a), engine.apply(slow, b)
        assert fast == slow
        assert engine.next_action(fast, a.at) == engine.next_action(slow, b.at)


def _error(make: Any) -> str:
    with pytest.raises(ValidationError) as info:
        make()
    return str(info.value)


def test_what_the_shortcut_cannot_vouch_for_is_validated() -> None:
    naive = datetime(2026, 3, 2, 15, 0)
    at = naive.replace(tzinfo=UTC)
    assert _error(lambda: email_sent(naive)) == _error(lambda: ev.EmailSent(at=naive))
    assert _error(lambda: call_attempted(naive, "voicemail")) == _error(
        lambda: ev.CallAttempted(at=naive, outcome="voicemail")
    )
    assert _error(lambda: email_replied(naive, None)) == _error(lambda: ev.EmailReplied(at=naive))
    assert _error(lambda: meeting_booked(at, 7, at + timedelta(days=1))) == _error(  # type: ignore[arg-type]
        lambda: ev.MeetingBooked(at=at, meeting_id=7, starts_at=at + timedelta(days=1))
    )
    # Inside Paris's repeated hour a minute later on the wall clock is 59 minutes earlier.
    at = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris"))
    for bad in (naive, at, at - timedelta(minutes=1), at + timedelta(minutes=1)):
        assert _error(lambda bad=bad: out_of_office(at, bad)) == _error(
            lambda bad=bad: ev.OutOfOffice(at=at, until=bad)
        )
        assert _error(lambda bad=bad: meeting_booked(at, "m1", bad)) == _error(
            lambda bad=bad: ev.MeetingBooked(at=at, meeting_id="m1", starts_at=bad)
        )
    for bad in (naive, at, at - timedelta(minutes=1), at + timedelta(minutes=1)):
        assert _error(
            lambda bad=bad: connected_call(at, permission=True, next_contact_at=bad)
        ) == _error(
            lambda bad=bad: ev.CallAttempted(
                at=at, outcome="connected", permission=True, next_contact_at=bad
            )
        )


def test_built_events_share_a_fields_set_that_nothing_changes() -> None:
    """Every event one builder makes shares one ``model_fields_set`` (as ``_construct.build``
    does): copies with updates get their own, and the shared one keeps its names."""
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    a, b = email_sent(at), email_sent(at + timedelta(hours=1))
    shared = a.__pydantic_fields_set__
    assert b.__pydantic_fields_set__ is shared
    copied = a.model_copy(update={"id": "x"})
    assert copied.model_fields_set == {"at", "id"}
    assert shared == {"at"}
    calls = [call_attempted(at, "voicemail"), call_attempted(at, "gatekeeper")]
    assert calls[0].__pydantic_fields_set__ is calls[1].__pydantic_fields_set__
    calls[0].model_copy(update={"outcome": "no_answer", "id": "y"})
    assert calls[1].model_fields_set == {"at", "outcome"}
