"""A prospect who moves (or whose record had the wrong zone, ``contact_updated``) lives their
days on the new clock from then on: what the engine owes them says the days they see. The email
after a voicemail names the voicemail's day (R6), and the contact after "not now" the day it
resumes from (R17), as the prospect now lives them, as the action's own times do."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

import cadence
from cadence import ActionKind
from cadence import events as ev
from cadence._words import day_month
from cadence.testing import Region, instants, regions

Engine = cadence.Engine
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TO_TOKYO = {"timezone": "Asia/Tokyo", "country": "JP"}


def _kai(engine: Engine, at: datetime) -> cadence.Prospect:
    """Kai, enrolled as a Los Angeles prospect."""
    return engine.enroll(
        "kai", timezone="America/Los_Angeles", at=at, country="US", subdivision="CA"
    )


def _r6_email(plan: list[cadence.Action]) -> cadence.Action:
    return next(a for a in plan if a.kind is ActionKind.EMAIL and "R6" in a.rules)


def test_r6_after_a_move_the_email_names_the_voicemails_day_as_they_live_it(
    engine: Engine,
) -> None:
    """The rep left Kai a voicemail on Monday at 17:30 Los Angeles time; minutes later the
    record is corrected: Kai lives in Tokyo, where that voicemail reached the phone on Tuesday
    at 10:30. The email that follows it goes on Tuesday morning in Tokyo and said "the
    voicemail you left Monday": to Kai, yesterday, a message not on the phone. It says
    Tuesday, the day Kai's phone shows (and the day the email goes: "due that day" is true of
    Tokyo's Tuesday), and a history replayed says the same."""
    monday = datetime(2026, 3, 2, 15, 0, tzinfo=LOS_ANGELES)
    voicemail = datetime(2026, 3, 2, 17, 30, tzinfo=LOS_ANGELES)
    events: list[ev.Event] = [
        ev.CallAttempted(at=voicemail, outcome="voicemail"),
        ev.ContactUpdated(at=voicemail + timedelta(minutes=10), **_TO_TOKYO),
    ]
    p = _kai(engine, monday)
    before = _r6_email(engine.plan(engine.apply(p, events[0]), voicemail))
    assert "Mention the voicemail you left Monday;" in before.talking_points[0]
    for event in events:
        p = engine.apply(p, event)
    now = voicemail + timedelta(minutes=15)
    email = _r6_email(engine.plan(p, now))
    assert email == engine.next_action(p, now)
    assert f"{email.earliest:%a %H:%M}" == "Tue 10:45"
    assert "Mention the voicemail you left Tuesday;" in email.talking_points[0]
    assert email.reason == "a brief email that mentions Tuesday's voicemail, due that day"
    # Due by the end of Tokyo's Tuesday (email hours end at 18:00), not of Los Angeles' Monday
    # (16:59:59 in Tokyo).
    assert f"{email.latest:%a %H:%M}" == "Tue 18:00"
    replayed = engine.replay(
        "kai",
        events,
        timezone="America/Los_Angeles",
        at=monday,
        country="US",
        subdivision="CA",
    )
    assert replayed == p


def test_r17_after_a_move_not_nows_reason_names_the_day_it_resumes_from_there(
    engine: Engine,
) -> None:
    """Kai, in Tokyo, said "not now, from Wednesday 11 March at 08:00" (their morning). The
    record is then corrected to Los Angeles, where that instant is Tuesday 10 March, 16:00:
    the call is on Tuesday at 16:00 there, and its reason said "asked to hear back from
    Wed 11 Mar", a day after the call it explains. It names Tuesday 10 March, as the wait
    before it does, and a history replayed says the same."""
    at = datetime(2026, 3, 2, 10, 0, tzinfo=TOKYO)
    p = engine.enroll("kai", timezone="Asia/Tokyo", at=at, country="JP")
    resume = datetime(2026, 3, 11, 8, 0, tzinfo=TOKYO)
    events: list[ev.Event] = [
        ev.EmailReplied(at=at + timedelta(hours=1), intent="not_now", resume_at=resume),
        ev.ContactUpdated(
            at=at + timedelta(hours=2),
            timezone="America/Los_Angeles",
            country="US",
            subdivision="CA",
        ),
    ]
    for event in events:
        p = engine.apply(p, event)
    now = at + timedelta(hours=3)
    wait, call = engine.plan(p, now)[:2]
    assert wait.reason.endswith("until Tue 10 Mar 16:00")
    assert (call.kind, f"{call.earliest:%a %d %b %H:%M}") == (ActionKind.CALL, "Tue 10 Mar 16:00")
    assert call.reason == "they said not now and asked to hear back from Tue 10 Mar"
    replayed = engine.replay("kai", events, timezone="Asia/Tokyo", at=at, country="JP")
    assert replayed == p


def test_r17_a_not_now_without_a_date_is_reworded_too(engine: Engine) -> None:
    """ "Not now" without a date resumes a drip interval later: from Wednesday 1 April, 12:00,
    in Los Angeles; Kai then turns out to live in Tokyo, where it is Thursday 2 April, 04:00,
    and the reason says that day."""
    monday = datetime(2026, 3, 2, 12, 0, tzinfo=LOS_ANGELES)
    p = engine.apply(_kai(engine, monday), ev.EmailReplied(at=monday, intent="not_now"))
    p = engine.apply(p, ev.ContactUpdated(at=monday + timedelta(hours=1), **_TO_TOKYO))
    call = engine.plan(p, monday + timedelta(hours=1))[1]
    assert call.reason == "they said not now; resume from Thu 02 Apr, a drip interval later"


def _move(region: Region, at: datetime) -> ev.ContactUpdated:
    """The update at ``at`` that moves a prospect to ``region`` from anywhere."""
    if region.country is None:
        return ev.ContactUpdated(at=at, timezone=region.timezone, clear=("country",))
    return ev.ContactUpdated(
        at=at, timezone=region.timezone, country=region.country, subdivision=region.subdivision
    )


@given(
    home=regions(),
    there=regions(),
    voicemail=instants(),
    after=st.integers(1, 60 * 8),
)
def test_the_r6_email_names_the_voicemails_day_in_the_zone_the_prospect_lives_in(
    home: Region, there: Region, voicemail: datetime, after: int
) -> None:
    """Wherever the prospect lived when the voicemail was left and wherever they move before
    its email goes, the email names the voicemail's day in the zone they now live in; and
    ``apply`` and ``replay`` agree on the state."""
    assume(home.timezone != there.timezone)
    engine = Engine(cadence.Policy())
    voicemail = voicemail.astimezone(UTC)  # (elapsed time, not wall-clock time)
    enrolled = voicemail - timedelta(hours=1)
    place: dict[str, Any] = {
        "timezone": home.timezone,
        "country": home.country,
        "subdivision": home.subdivision,
    }
    p = engine.enroll("kai", at=enrolled, **place)
    moved_at = voicemail + timedelta(minutes=after)
    events: list[ev.Event] = [
        ev.CallAttempted(at=voicemail, outcome="voicemail"),
        _move(there, moved_at),
    ]
    for event in events:
        p = engine.apply(p, event)
    emails = [a for a in engine.plan(p, moved_at) if "R6" in a.rules]
    assume(emails)
    day = _DAYS[voicemail.astimezone(ZoneInfo(there.timezone)).weekday()]
    said = [s for s in emails[0].talking_points if "voicemail you left" in s]
    assert said
    assert f"voicemail you left {day}" in said[0]
    assert engine.replay("kai", events, at=enrolled, **place) == p


@given(
    home=regions(),
    there=regions(),
    replied=instants(),
    resume_after=st.none() | st.integers(60, 60 * 24 * 40),
)
def test_not_nows_reason_names_the_day_it_resumes_in_the_zone_the_prospect_lives_in(
    home: Region, there: Region, replied: datetime, resume_after: int | None
) -> None:
    """Wherever the prospect said "not now" (with a day or without) and wherever they move
    before it ends, the contact owed after it names the day it resumes from in the zone they
    now live in, never a day after the action it explains; ``apply`` and ``replay`` agree."""
    assume(home.timezone != there.timezone)
    engine = Engine(cadence.Policy())
    replied = replied.astimezone(UTC)
    place: dict[str, Any] = {
        "timezone": home.timezone,
        "country": home.country,
        "subdivision": home.subdivision,
    }
    p = engine.enroll("kai", at=replied, **place)
    resume = None if resume_after is None else replied + timedelta(minutes=resume_after)
    moved_at = replied + timedelta(minutes=30)
    events: list[ev.Event] = [
        ev.EmailReplied(at=replied, intent="not_now", resume_at=resume),
        _move(there, moved_at),
    ]
    for event in events:
        p = engine.apply(p, event)
    [owed] = [o for o in p.obligations if o.key == "resume"]
    local = owed.not_before.astimezone(ZoneInfo(there.timezone))
    action = next(a for a in engine.plan(p, moved_at) if "R17" in a.rules and a.channel)
    assert action.reason.endswith(day_month(local)) or f"from {day_month(local)}," in action.reason
    assert action.earliest.date() >= local.date()
    assert engine.replay("kai", events, at=replied, **place) == p


def _late_email_engine() -> Engine:
    """An engine whose email hours run to 23:30, so that a day's end is the hours' end."""
    hours = (cadence.TimeSlot(name="day", start=time(8), end=time(23, 30)),)
    return Engine(cadence.Policy(email_hours=hours))


def _to_los_angeles(at: datetime) -> ev.ContactUpdated:
    """Dana turns out to live in Los Angeles (logged at ``at``)."""
    return ev.ContactUpdated(at=at, timezone="America/Los_Angeles", country="US", subdivision="CA")


def test_r6_after_a_move_the_new_times_after_a_no_show_are_due_by_the_end_of_its_day_too() -> None:
    """Dana missed Monday's meeting; the call to reschedule reached voicemail at 17:30 in New
    York, and the new times go in the email that mentions it, due by the end of that day. Dana
    then turned out to live in Los Angeles. The plain R6 email runs to the end of Monday there
    (23:30, the end of the policy's email hours); the one with the new times stopped at
    20:59, New York's midnight on Los Angeles' clock, and was overdue from 21:00."""
    new_york = ZoneInfo("America/New_York")
    engine = _late_email_engine()
    monday = datetime(2026, 3, 9, 9, 30, tzinfo=new_york)
    voicemail = datetime(2026, 3, 9, 17, 30, tzinfo=new_york)
    moved = _to_los_angeles(voicemail + timedelta(minutes=20))
    for missed in (False, True):
        p = engine.enroll("dana", timezone="America/New_York", at=monday, country="US")
        if missed:
            starts = monday + timedelta(hours=2)
            p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=starts))
            p = engine.apply(p, ev.MeetingNoShow(at=starts + timedelta(hours=1), meeting_id="m1"))
        p = engine.apply(p, ev.CallAttempted(at=voicemail, outcome="voicemail"))
        p = engine.apply(p, moved)
        email = next(a for a in engine.plan(p, moved.at) if "R6" in a.rules)
        assert email.kind is (ActionKind.PROPOSE_TIMES if missed else ActionKind.EMAIL)
        assert email.latest == datetime(2026, 3, 9, 23, 30, tzinfo=LOS_ANGELES)
        late = email.latest - timedelta(minutes=30)
        assert "overdue" not in next(a for a in engine.plan(p, late) if "R6" in a.rules).flags


def test_r14_after_a_move_the_apology_that_says_you_left_a_voicemail_is_due_by_its_day_there() -> (
    None
):
    """The rep cancelled Dana's meeting on Sunday evening; Monday's call to apologise reached
    voicemail at 17:30 in New York, and the apology that says so is owed by email by the end
    of that day, with the new times when they have not gone yet (one email). Dana then turned
    out to live in Los Angeles: the apology runs to the end of Monday there (23:30, the end of
    the policy's email hours), as the plain R6 email does, and offers times on Los Angeles'
    clock. With the times in it, it stopped at 20:59, New York's midnight on Los Angeles'
    clock, and was overdue from 21:00. Whatever the move, it is one email, and a history
    replayed says the same."""
    new_york = ZoneInfo("America/New_York")
    engine = _late_email_engine()
    friday = datetime(2026, 3, 6, 9, 30, tzinfo=new_york)
    cancelled = datetime(2026, 3, 8, 21, 0, tzinfo=new_york)  # (Sunday 18:00 in Los Angeles)
    voicemail = datetime(2026, 3, 9, 17, 30, tzinfo=new_york)
    moved = _to_los_angeles(voicemail + timedelta(minutes=20))
    place: dict[str, Any] = {"timezone": "America/New_York", "country": "US"}
    for times_sent in (False, True):
        events: list[ev.Event] = [
            ev.MeetingBooked(at=friday, meeting_id="m1", starts_at=friday + timedelta(days=4)),
            ev.MeetingCancelled(at=cancelled, meeting_id="m1", by="rep"),
        ]
        if times_sent:
            events.append(ev.EmailSent(at=voicemail - timedelta(minutes=10)))
        events += [ev.CallAttempted(at=voicemail, outcome="voicemail"), moved]
        p = engine.enroll("dana", at=friday, **place)
        for event in events:
            p = engine.apply(p, event)
        plan = engine.plan(p, moved.at)
        [apology] = [a for a in plan if "R14" in a.rules and a.channel is cadence.Channel.EMAIL]
        assert apology.rules == ("R14", "R6")
        assert apology.kind is (ActionKind.EMAIL if times_sent else ActionKind.PROPOSE_TIMES)
        assert apology.latest == datetime(2026, 3, 9, 23, 30, tzinfo=LOS_ANGELES)
        if not times_sent:  # before and after the hours, on the clock Dana lives by
            assert [t.astimezone(LOS_ANGELES).strftime("%a %H:%M") for t in apology.proposals] == [
                "Tue 08:00",
                "Tue 09:00",
                "Wed 17:00",
            ]
        late = apology.latest - timedelta(minutes=30)
        assert "overdue" not in next(a for a in engine.plan(p, late) if "R6" in a.rules).flags
        assert engine.replay("dana", events, at=friday, **place) == p
        p = engine.apply(p, ev.EmailSent(at=late))
        assert not [o for o in p.obligations if "R14" in o.rules]  # one email did it all


@given(
    home=regions(),
    there=regions(),
    cancelled=instants(),
    called=st.integers(5, 60 * 30),
    after=st.integers(1, 60 * 8),
)
def test_r14s_apology_with_the_times_is_due_when_the_plain_r6_email_is_after_a_move(
    home: Region, there: Region, cancelled: datetime, called: int, after: int
) -> None:
    """Wherever the prospect lived when the rep cancelled and the apology call reached
    voicemail, and wherever they move before the apology goes, the apology that proposes the
    times is due by the same moment as the plain email after that voicemail (R6): the end of
    the voicemail's day where they now live. ``apply`` and ``replay`` agree."""
    assume(home.timezone != there.timezone)
    engine = Engine(cadence.Policy())
    cancelled = cancelled.astimezone(UTC)
    enrolled = cancelled - timedelta(hours=1)
    voicemail = cancelled + timedelta(minutes=called)
    place: dict[str, Any] = {
        "timezone": home.timezone,
        "country": home.country,
        "subdivision": home.subdivision,
    }
    starts = cancelled + timedelta(days=3)
    vm = ev.CallAttempted(at=voicemail, outcome="voicemail")
    move = _move(there, voicemail + timedelta(minutes=after))
    events: list[ev.Event] = [
        ev.MeetingBooked(at=enrolled, meeting_id="m1", starts_at=starts),
        ev.MeetingCancelled(at=cancelled, meeting_id="m1", by="rep"),
        vm,
        move,
    ]
    p = engine.enroll("kai", at=enrolled, **place)
    for event in events:
        p = engine.apply(p, event)
    apology = [o for o in p.obligations if o.rules == ("R14", "R6")]
    assume(apology and apology[0].key == "propose_times")
    plain = engine.enroll("kai", at=enrolled, **place)
    for event in (vm, move):
        plain = engine.apply(plain, event)
    [r6] = [o for o in plain.obligations if o.key == "voicemail_email"]
    assert apology[0].deadline == r6.deadline
    assert engine.replay("kai", events, at=enrolled, **place) == p
