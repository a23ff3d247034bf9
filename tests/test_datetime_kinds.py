"""Any aware datetime is the instant it names (DESIGN §4, §9): pendulum's, dateutil's, a
subclass of ``datetime``, a fixed offset of +14:00, -12:00 or a few seconds give the engine the
same answers, the same stored state and the same JSON as the plain UTC datetime of that instant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
from dateutil import tz as dateutil_tz
from hypothesis import given
from hypothesis import strategies as st

import cadence
from cadence import events as ev
from cadence.testing import ZONES, History, engine_for, histories, moments, policies


class _Stamp(datetime):
    """A ``datetime`` subclass, as an ORM or a date library hands one over."""


def _in_pendulum(u: datetime, zone: str) -> datetime:
    return pendulum.instance(u).in_timezone(zone)


def _in_pendulum_offset(u: datetime, seconds: int) -> datetime:
    return pendulum.instance(u).in_timezone(pendulum.FixedTimezone(seconds))


def _in_dateutil(u: datetime, zone: str) -> datetime:
    return u.astimezone(dateutil_tz.gettz(zone))


def _in_dateutil_offset(u: datetime, seconds: int) -> datetime:
    return u.astimezone(dateutil_tz.tzoffset(None, seconds))


def _in_zoneinfo(u: datetime, zone: str) -> datetime:
    return u.astimezone(ZoneInfo(zone))


def _in_offset(u: datetime, seconds: int) -> datetime:
    return u.astimezone(timezone(timedelta(seconds=seconds)))


def _as_subclass(u: datetime, zone: str) -> datetime:
    local = u.astimezone(ZoneInfo(zone))
    return _Stamp(*local.timetuple()[:6], local.microsecond, local.tzinfo, fold=local.fold)


Dress = Callable[[datetime], datetime]
_ZONED: list[Callable[[datetime, str], datetime]] = [
    _in_pendulum,
    _in_dateutil,
    _in_zoneinfo,
    _as_subclass,
]
_OFFSET: list[Callable[[datetime, int], datetime]] = [
    _in_pendulum_offset,
    _in_dateutil_offset,
    _in_offset,
]
#: +14:00 and -12:00 (the ends of the world's offsets) and offsets with seconds in them.
_SECONDS = st.sampled_from([14 * 3600, -12 * 3600, 7, -(11 * 3600 + 7), 5 * 3600 + 17])


@st.composite
def _dressers(draw: st.DrawFn) -> Dress:
    """A way to write a UTC instant as another kind of aware datetime of the same instant."""
    if draw(st.booleans()):
        zoned, zone = draw(st.sampled_from(_ZONED)), draw(st.sampled_from(ZONES))
        return lambda u: zoned(u, zone)
    offset, seconds = draw(st.sampled_from(_OFFSET)), draw(_SECONDS)
    return lambda u: offset(u, seconds)


def _dressed(event: ev.Event, dress: Dress) -> ev.Event:
    """``event`` with every instant in it written by ``dress``."""
    fields = {
        name: dress(value) if isinstance(value, datetime) else value
        for name, value in event.__dict__.items()
    }
    return cadence.parse_event({**fields, "type": event.type})


_POLICIES = policies().flatmap(
    lambda p: st.sampled_from([None, 1, 30]).map(
        lambda days: p.model_copy(update={"event_id_memory_days": days})
    )
)


@given(history=histories(policies=_POLICIES), data=st.data())
def test_any_kind_of_aware_datetime_is_the_instant_it_names(
    history: History, data: st.DataObject
) -> None:
    """``enroll``, ``apply`` (also with ids forgotten after a few days), ``replay``,
    ``next_action``, ``plan`` and ``advance`` answer for a pendulum, dateutil, zoneinfo or
    fixed-offset datetime, or a subclass of ``datetime``, exactly as for the UTC instant."""
    engine = engine_for(cadence.Policy.model_validate(history.policy.model_dump()))
    dress = data.draw(_dressers(), label="dress")
    dressed = [_dressed(e, dress) for e in history.events]
    p = engine.enroll(
        history.prospect_id,
        timezone=history.region.timezone,
        at=dress(history.enrolled_at.astimezone(UTC)),
        country=history.region.country,
        subdivision=history.region.subdivision,
        preferred_channel=history.preferred_channel,
    )
    plain = history.enroll(engine)
    assert p.model_dump_json() == plain.model_dump_json()
    for event, original in zip(dressed, history.events, strict=True):
        p, plain = engine.apply(p, event), engine.apply(plain, original)
        if event.id is not None:
            assert engine.apply(p, event) == p  # a redelivery
        assert p.model_dump_json() == plain.model_dump_json()
    replayed = history.replay(engine)
    assert history.replay(engine, dressed).model_dump_json() == replayed.model_dump_json()
    now = data.draw(moments(engine, plain), label="now")
    assert engine.next_action(p, dress(now)) == engine.next_action(plain, now)
    assert engine.plan(p, dress(now)) == engine.plan(plain, now)
    assert engine.advance(p, dress(now)).model_dump_json() == (
        engine.advance(plain, now).model_dump_json()
    )


def test_pendulum_datetimes_are_planned_as_the_instants_they_name() -> None:
    """pendulum's DateTime (cadence's own dependency) is a ``datetime`` whose arithmetic is
    its own: given to ``enroll``, an event and ``plan``, it raised a TypeError (naive against
    aware) or, in ``replay`` of an event with an id, an AttributeError."""
    engine = cadence.Engine(cadence.Policy())
    start = datetime(2026, 3, 2, 15, tzinfo=UTC)
    history: list[ev.Event] = [
        ev.CallAttempted(at=start + timedelta(hours=1), outcome="voicemail", id="c1"),
        ev.OutOfOffice(at=start + timedelta(hours=2), until=start + timedelta(days=3)),
    ]
    chicago = [_dressed(e, lambda u: _in_pendulum(u, "America/Chicago")) for e in history]
    kept: dict[str, Any] = {"timezone": "America/Chicago", "country": "US", "subdivision": "IL"}
    p = engine.enroll("acme", at=pendulum.instance(start), **kept)
    plain = engine.enroll("acme", at=start, **kept)
    for event, original in zip(chicago, history, strict=True):
        p, plain = engine.apply(p, event), engine.apply(plain, original)
    now = start + timedelta(days=1)
    assert engine.plan(p, _in_pendulum(now, "Europe/Paris")) == engine.plan(plain, now)
    replayed = engine.replay("acme", chicago, at=_in_pendulum(start, "Asia/Tokyo"), **kept)
    assert replayed.model_dump_json() == plain.model_dump_json()
