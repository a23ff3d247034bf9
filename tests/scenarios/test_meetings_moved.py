"""The times of meetings. A booked meeting whose time changes: the calendar logs
``meeting_booked`` again with the same id and a new ``starts_at``; what was owed before the
meeting (R15's material) is owed before its new time. New times proposed while another meeting
is booked: none of them falls on it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cadence
from cadence import ActionKind
from cadence import events as ev
from tests.conftest import CHICAGO

Engine = cadence.Engine

TUESDAY = datetime(2026, 3, 3, 9, 0, tzinfo=CHICAGO)
"""Tuesday 3 March 2026 in Chicago (email hours 08:00-18:00 with the default policy)."""
REBOOKED = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)
"""Tuesday 10 March, 10:00: the time Lee rebooked the meeting for."""


def _rebooked(engine: Engine) -> cadence.Prospect:
    """Lee cancelled Thursday's meeting on Tuesday morning (R15) and rebooked it, same id,
    for the next Tuesday at 10:00: the material is owed before then."""
    p = engine.enroll("lee", timezone="America/Chicago", at=TUESDAY, country="US", subdivision="IL")
    starts = datetime(2026, 3, 5, 14, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=TUESDAY, meeting_id="m1", starts_at=starts))
    cancelled = TUESDAY + timedelta(hours=1)
    p = engine.apply(p, ev.MeetingCancelled(at=cancelled, meeting_id="m1", by="prospect"))
    return engine.apply(
        p, ev.MeetingBooked(at=cancelled + timedelta(hours=1), meeting_id="m1", starts_at=REBOOKED)
    )


def _material(plan: list[cadence.Action]) -> list[cadence.Action]:
    return [a for a in plan if ActionKind.SEND_COLLATERAL in a.kinds]


def test_r15_material_owed_before_a_meeting_moved_later_is_owed_before_its_new_time(
    engine: Engine,
) -> None:
    """Moved from Tuesday 10 to Friday 20 March: on Thursday 12th the material was not asked
    for, and the meeting said to bring it, as if the meeting had begun on the 10th (its
    deadline stayed the old time). Six business days are left to send it before the meeting:
    it is asked for now, by the meeting's new start."""
    p = _rebooked(engine)
    moved = datetime(2026, 3, 20, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(
        p, ev.MeetingBooked(at=TUESDAY + timedelta(hours=4), meeting_id="m1", starts_at=moved)
    )
    thursday = datetime(2026, 3, 12, 9, 0, tzinfo=CHICAGO)
    plan = engine.plan(p, thursday)
    [material] = _material(plan)
    assert material.earliest == thursday
    assert material.latest <= moved
    meeting = next(a for a in plan if a.kind is ActionKind.ATTEND_MEETING)
    assert meeting.earliest == moved
    assert not any("additional information" in s for s in meeting.talking_points)


def test_r15_material_owed_before_a_meeting_moved_earlier_is_not_asked_for_once_it_began(
    engine: Engine,
) -> None:
    """Moved from Tuesday 10 to Wednesday 4 March at 08:00: ten minutes into the meeting,
    the plan asked to send the material "before the rescheduled meeting", due to the evening
    (its deadline stayed the 10th). It can no longer go out before the meeting: the rep
    brings it, and before the meeting it was due by the meeting's start."""
    p = _rebooked(engine)
    moved = datetime(2026, 3, 4, 8, 0, tzinfo=CHICAGO)
    evening = datetime(2026, 3, 3, 17, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=evening, meeting_id="m1", starts_at=moved))
    before = _material(engine.plan(p, evening + timedelta(minutes=5)))
    assert [a.latest <= moved for a in before] == [True]
    plan = engine.plan(p, moved + timedelta(minutes=10))
    assert _material(plan) == []
    meeting = plan[0]
    assert (meeting.kind, meeting.detail) == (ActionKind.ATTEND_MEETING, "m1")
    assert any("additional information" in s for s in meeting.talking_points)


def _overlaps(start: datetime, minutes: int, meeting: cadence.prospect.Meeting) -> bool:
    end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    return start < end and meeting.starts_at < start + timedelta(minutes=minutes)


def _proposed_beside(
    engine: Engine, other: datetime, duration: int, by: str
) -> tuple[cadence.Prospect, list[cadence.Action]]:
    """Lee has two meetings booked, m1 at ``other`` and m2 on Friday 13 March; m2 is cancelled
    on Monday 9 March (``by`` her, R15, or the rep, R14): new times are proposed for it."""
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=CHICAGO)
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US", subdivision="IL")
    p = engine.apply(
        p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=other, duration_minutes=duration)
    )
    friday = datetime(2026, 3, 13, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m2", starts_at=friday))
    cancelled = monday + timedelta(hours=1)
    p = engine.apply(p, ev.MeetingCancelled(at=cancelled, meeting_id="m2", by=by))
    now = cancelled + timedelta(minutes=10)
    return p, [a for a in engine.plan(p, now) if a.proposals]


def _clear_of_the_other(
    engine: Engine, p: cadence.Prospect, proposing: list[cadence.Action]
) -> None:
    """Some action proposes times; each proposes as many as asked, all different, none
    overlapping the other meeting booked (``p.meetings[0]``)."""
    assert proposing
    minutes = engine.policy.meeting_minutes
    for action in proposing:
        assert len(set(action.proposals)) == len(action.proposals)
        assert len(action.proposals) == engine.policy.proposal_count
        assert not any(_overlaps(t, minutes, p.meetings[0]) for t in action.proposals)


@pytest.mark.parametrize("by", ["prospect", "rep"])
def test_r14_r15_no_time_proposed_falls_on_the_other_meeting_booked(
    engine: Engine, by: str
) -> None:
    """Lee's other meeting is on Wednesday 11 March at 12:00 (or Tuesday 10 at 09:00): the
    new times for the cancelled one included "Wednesday 12:00" (R15), or "Tuesday 09:00"
    (R14), a time she is already meeting the rep."""
    other = datetime(2026, 3, 11, 12, 0) if by == "prospect" else datetime(2026, 3, 10, 9, 0)
    other = other.replace(tzinfo=CHICAGO)
    p, proposing = _proposed_beside(engine, other, 30, by)
    _clear_of_the_other(engine, p, proposing)


@given(
    day=st.integers(10, 17),
    minute=st.integers(7 * 4, 19 * 4).map(lambda q: q * 15),
    duration=st.sampled_from([15, 30, 60, 240]),
    by=st.sampled_from(["prospect", "rep"]),
)
def test_r14_r15_the_times_proposed_never_overlap_a_booked_meeting(
    day: int, minute: int, duration: int, by: str
) -> None:
    """Wherever the other booked meeting lies, and however long it is: as many times as asked,
    all different, none overlapping it."""
    engine = Engine(cadence.Policy())
    other = datetime(2026, 3, day, tzinfo=CHICAGO) + timedelta(minutes=minute)
    p, proposing = _proposed_beside(engine, other, duration, by)
    _clear_of_the_other(engine, p, proposing)
