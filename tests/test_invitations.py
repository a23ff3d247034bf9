"""Calendar invitations (``cadence.invitations``): what Outlook, Google and Apple read from them.

RFC 5545 for the calendar (times, zones, text), RFC 5546 (iTIP) for the method: a booked
meeting is a ``REQUEST`` to its attendee, a called-off one a ``CANCEL`` of the same UID with a
higher ``SEQUENCE``, and a calendar entry without an organizer is ``PUBLISH``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar, Component, vCategory

import cadence
from cadence import events as ev
from cadence.batch import plan_day
from cadence.errors import InvalidInputError
from cadence.invitations import meeting_ics, plan_ics, proposals_ics

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=CHICAGO)
REP = "rep@example.test"


def _booked(starts_at: datetime, *, minutes: int = 30) -> cadence.Prospect:
    engine = cadence.Engine()
    p = engine.enroll(
        "lee", timezone="America/Chicago", at=MONDAY, country="US", email="lee@acme.test"
    )
    meeting = ev.MeetingBooked(
        at=MONDAY, meeting_id="m1", starts_at=starts_at, duration_minutes=minutes
    )
    return engine.apply(p, meeting)


def _event(payload: bytes) -> tuple[str, Component]:
    cal = Calendar.from_ical(payload)
    (event,) = cal.walk("VEVENT")
    return str(cal["method"]), event


def _utc(event: Component, key: str) -> datetime:
    value = event.decoded(key)
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


def _sequence(event: Component) -> int:
    return int(str(event["sequence"]))


def test_a_held_or_missed_meeting_stays_confirmed() -> None:
    """Re-sending the invitation after the meeting must not mark it cancelled in calendars."""
    engine = cadence.Engine()
    p = _booked(MONDAY + timedelta(days=3))
    after = MONDAY + timedelta(days=3, hours=1)
    for happened in (
        ev.MeetingHeld(at=after, meeting_id="m1"),
        ev.MeetingNoShow(at=after, meeting_id="m1"),
    ):
        _, event = _event(meeting_ics(engine.apply(p, happened), "m1", stamp=after))
        assert str(event["status"]) == "CONFIRMED", happened.type


@pytest.mark.parametrize("by", ["prospect", "rep"])
def test_a_called_off_meeting_is_an_itip_cancel_of_the_same_event(by: str) -> None:
    engine = cadence.Engine()
    p = _booked(MONDAY + timedelta(days=3))
    booked_method, booked = _event(meeting_ics(p, "m1", stamp=MONDAY, organizer=REP))
    later = MONDAY + timedelta(hours=2)
    cancelled = engine.apply(p, ev.MeetingCancelled(at=later, meeting_id="m1", by=by))
    method, event = _event(meeting_ics(cancelled, "m1", stamp=later, organizer=REP))
    assert (booked_method, method) == ("REQUEST", "CANCEL")
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == str(booked["uid"])
    assert _sequence(event) > _sequence(booked)


def test_a_meeting_booked_again_at_a_new_time_updates_the_event_clients_hold() -> None:
    """Same UID, a higher SEQUENCE (RFC 5546 §2.1.4): Google and Outlook apply it as an update
    instead of ignoring it as stale or showing two meetings."""
    engine = cadence.Engine()
    p = _booked(MONDAY + timedelta(days=3))
    later = MONDAY + timedelta(hours=1)
    moved = engine.apply(
        p, ev.MeetingBooked(at=later, meeting_id="m1", starts_at=MONDAY + timedelta(days=4))
    )
    _, first = _event(meeting_ics(p, "m1", stamp=MONDAY, organizer=REP))
    _, second = _event(meeting_ics(moved, "m1", stamp=later, organizer=REP))
    assert str(first["uid"]) == str(second["uid"])
    assert _sequence(second) > _sequence(first)
    assert _utc(second, "dtstart") == MONDAY + timedelta(days=4)
    # the same input, the same bytes (a resend is the same message)
    assert meeting_ics(moved, "m1", stamp=later, organizer=REP) == meeting_ics(
        moved, "m1", stamp=later, organizer=REP
    )


def test_a_re_run_plan_updates_the_events_of_the_plan_before_it() -> None:
    """Same touch, same UID; the later plan (a later ``stamp``) has the higher SEQUENCE, so a
    client that holds the first plan's event takes the second's time instead of keeping it."""
    engine = cadence.Engine()
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US")
    day = (MONDAY + timedelta(days=1)).date()
    early, late = MONDAY, MONDAY + timedelta(hours=2)
    first = plan_day(engine, [p], day=day, now=early, capacity=5)
    second = plan_day(engine, [p], day=day, now=late, capacity=5)
    (a,) = Calendar.from_ical(plan_ics(first, stamp=early)).walk("VEVENT")
    (b,) = Calendar.from_ical(plan_ics(second, stamp=late)).walk("VEVENT")
    assert str(a["uid"]) == str(b["uid"])
    assert _sequence(b) > _sequence(a)


def test_a_re_run_plan_whose_touch_changed_kind_updates_the_same_event() -> None:
    """The call went to voicemail; the re-run plan names the R6 email. A UID per kind of
    touch left the done call in the rep's calendar beside the email."""
    engine = cadence.Engine()
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US")
    first = plan_day(engine, [p], day=MONDAY.date(), now=MONDAY, capacity=5)
    p = engine.apply(p, ev.CallAttempted(at=MONDAY + timedelta(minutes=5), outcome="voicemail"))
    later = MONDAY + timedelta(minutes=10)
    second = plan_day(engine, [p], day=MONDAY.date(), now=later, capacity=5)
    assert [t.action.kind for t in (*first.touches, *second.touches)] == [
        cadence.ActionKind.CALL,
        cadence.ActionKind.EMAIL,
    ]  # (the data of this test)
    (a,) = Calendar.from_ical(plan_ics(first, stamp=MONDAY)).walk("VEVENT")
    (b,) = Calendar.from_ical(plan_ics(second, stamp=later)).walk("VEVENT")
    assert str(a["uid"]) == str(b["uid"])
    assert (str(a["summary"]), str(b["summary"])) == ("call: lee", "email: lee")
    assert _sequence(b) > _sequence(a)


def test_a_request_invites_the_prospect_and_an_entry_without_organizer_is_published() -> None:
    """iTIP's REQUEST needs an ORGANIZER and an ATTENDEE; without an organizer the meeting is
    a calendar entry to import (PUBLISH), not a request nobody can answer."""
    p = _booked(MONDAY + timedelta(days=3))
    method, event = _event(meeting_ics(p, "m1", stamp=MONDAY, organizer=REP))
    assert method == "REQUEST"
    assert str(event["attendee"]) == "mailto:lee@acme.test"
    assert event["attendee"].params["RSVP"] == "TRUE"
    method, event = _event(meeting_ics(p, "m1", stamp=MONDAY))
    assert method == "PUBLISH"
    assert "attendee" not in event


def test_a_meeting_across_the_fall_back_fold_ends_after_its_length() -> None:
    """01:30 CDT on 1 Nov 2026 plus 30 minutes is 01:00 CST, not 02:00 CST (an hour more)."""
    start = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT, the first 01:30
    _, event = _event(meeting_ics(_booked(start), "m1", stamp=MONDAY))
    assert _utc(event, "dtstart") == start
    assert _utc(event, "dtend") == start + timedelta(minutes=30)


def test_the_second_occurrence_of_a_repeated_local_time_is_written_in_utc() -> None:
    """RFC 5545 §3.3.5 reads a repeated local time under a TZID as its first occurrence, so
    01:30 CST (the second 01:30) under ``TZID=America/Chicago`` would be an hour early."""
    start = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 CST, the second 01:30
    payload = meeting_ics(_booked(start), "m1", stamp=MONDAY)
    _, event = _event(payload)
    assert b"DTSTART:20261101T073000Z" in payload
    assert _utc(event, "dtstart") == start
    assert _utc(event, "dtend") == start + timedelta(minutes=30)


def test_proposed_times_end_after_their_length_across_a_dst_change() -> None:
    engine = cadence.Engine()
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US")
    p = engine.apply(p, ev.EmailReplied(at=MONDAY, intent="positive"))
    act = engine.next_action(p, MONDAY)
    fold = datetime(2026, 11, 1, 1, 30, tzinfo=CHICAGO)  # the first 01:30
    odd = act.model_copy(update={"proposals": (fold,)})
    cal = Calendar.from_ical(proposals_ics(odd, stamp=MONDAY, minutes=45))
    (event,) = cal.walk("VEVENT")
    assert _utc(event, "dtend") - _utc(event, "dtstart") == timedelta(minutes=45)


def test_the_vtimezone_holds_the_dst_rules_of_a_meeting_after_2038() -> None:
    """Outlook reads the offsets from the VTIMEZONE; icalendar's default one ends in 2038."""
    summer = datetime(2040, 7, 2, 10, 0, tzinfo=CHICAGO)
    cal = Calendar.from_ical(meeting_ics(_booked(summer), "m1", stamp=MONDAY))
    (vtimezone,) = cal.timezones
    tz = vtimezone.to_tz(lookup_tzid=False)  # its own rules, not the zone of its name
    assert datetime(2040, 7, 2, 10, 0, tzinfo=tz).utcoffset() == timedelta(hours=-5)


@given(
    text=st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(",;\\\n"),
        min_size=1,
        max_size=200,
    )
)
def test_any_summary_round_trips_in_lines_of_at_most_75_octets(text: str) -> None:
    payload = meeting_ics(_booked(MONDAY + timedelta(days=3)), "m1", stamp=MONDAY, summary=text)
    for line in payload.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a fold never splits a character
    _, event = _event(payload)
    assert str(event["summary"]) == text


_PLAN_IN_FIVE_ZONES = """
import sys
from datetime import UTC, date, datetime
import cadence
from cadence.batch import plan_day
from cadence.invitations import plan_ics
engine = cadence.Engine()
now = datetime(2026, 3, 2, tzinfo=UTC)
zones = ["Europe/Paris", "America/Chicago", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney"]
book = [engine.enroll(f"p{i}", timezone=z, at=now) for i, z in enumerate(zones)]
plan = plan_day(engine, book, day=date(2026, 3, 3), now=now, capacity=10)
sys.stdout.buffer.write(plan_ics(plan, stamp=now))
"""


def test_a_plan_in_several_zones_is_the_same_bytes_in_every_process() -> None:
    """The VTIMEZONE blocks came in the order of a set of zone names, which changes with the
    hash seed: the same plan was a different file in each run (and a CRM that re-sends a file
    only when its bytes change re-sent it every time)."""
    src = Path(cadence.__file__).resolve().parent.parent
    outputs = set()
    for seed in (1, 2):
        env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(src)}
        done = subprocess.run(
            [sys.executable, "-c", _PLAN_IN_FIVE_ZONES], capture_output=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr.decode().strip().splitlines()[-1:]
        assert done.stdout.count(b"BEGIN:VTIMEZONE") == 5
        outputs.add(done.stdout)
    assert len(outputs) == 1


#: What a CRM's text may hold besides letters: the characters TEXT escapes, line ends of every
#: kind, a backslash before an ``N`` (a Windows path, ``DOMAIN\\Nina``) and control characters.
_CRM_TEXT = (
    st.lists(
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=3)
        | st.sampled_from([",", ";", "\\", "\n", "\r\n", "\r", "\\N", "\\n", "\t", "\x00", "\x1b"]),
        min_size=1,
        max_size=20,
    )
    .map("".join)
    .filter(lambda s: s.strip() != "")
)


def _as_written(text: str) -> str:
    """``text`` as a calendar shows it: each line end a line break, and each control character
    that RFC 5545 forbids in TEXT (all but the tab) the replacement character."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join("\ufffd" if _forbidden(c) else c for c in text)


def _forbidden(c: str) -> bool:
    return c != "\t" and c != "\n" and (c < " " or c == "\x7f")


def _strict_lines(payload: bytes) -> None:
    assert payload.endswith(b"\r\n")
    for line in payload[:-2].split(b"\r\n"):
        assert len(line) <= 75
        assert not any(_forbidden(c) for c in line.decode("utf-8")), line


@given(text=_CRM_TEXT)
def test_any_prospect_id_owner_and_summary_are_shown_as_written(text: str) -> None:
    """RFC 5545 §3.3.11: a control character other than the tab has no place in TEXT (a NUL
    ends the value in some clients), and icalendar wrote them raw; it also read a backslash
    before an ``N`` as a line break, so ``DOMAIN\\Nina`` became two lines."""
    engine = cadence.Engine()
    p = engine.enroll(text, timezone="America/Chicago", at=MONDAY, country="US", owner=text)
    plan = plan_day(engine, [p], day=MONDAY.date(), now=MONDAY, capacity=5)
    payload = plan_ics(plan, stamp=MONDAY)
    _strict_lines(payload)
    (event,) = Calendar.from_ical(payload).walk("VEVENT")
    assert str(event["summary"]) == f"call: {_as_written(text)}"
    categories = event["categories"]
    assert isinstance(categories, vCategory)
    assert [str(c) for c in categories.cats] == [_as_written(text)]
    assert str(event["uid"]) == f"{_as_written(text)}-{MONDAY:%Y%m%d}@plan.cadence"
    booked = _booked(MONDAY + timedelta(days=3))
    payload = meeting_ics(booked, "m1", stamp=MONDAY, summary=text)
    _strict_lines(payload)
    assert str(_event(payload)[1]["summary"]) == _as_written(text)


def _offer() -> cadence.Action:
    engine = cadence.Engine()
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US")
    p = engine.apply(p, ev.EmailReplied(at=MONDAY, intent="positive"))
    return engine.next_action(p, MONDAY)


@pytest.mark.parametrize("minutes", [0, -30, 24 * 60 + 1, 10**12, True, 30.5])
def test_proposed_times_of_no_length_or_of_no_meeting_length_are_refused(minutes: int) -> None:
    """RFC 5545 §3.8.2.2: DTEND is later than DTSTART. ``minutes=0`` wrote an event ending as
    it began, ``-30`` one ending before it, ``10**12`` raised OverflowError (untyped)."""
    with pytest.raises(InvalidInputError, match=r"^minutes: .* pass a whole number") as caught:
        proposals_ics(_offer(), stamp=MONDAY, minutes=minutes)
    assert caught.value.field == "minutes"


def test_proposed_times_last_from_one_minute_to_a_day() -> None:
    for minutes in (1, 24 * 60):
        (event,) = Calendar.from_ical(proposals_ics(_offer(), stamp=MONDAY, minutes=minutes)).walk(
            "VEVENT"
        )[:1]
        assert _utc(event, "dtend") - _utc(event, "dtstart") == timedelta(minutes=minutes)


#: The last second whose SEQUENCE (seconds since 2020) a signed 32-bit integer holds.
_LAST_STAMP = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=2**31 - 1)


def test_a_stamp_whose_sequence_no_client_can_hold_is_refused_by_name() -> None:
    """A stamp after 2088 (a typo for 2026, a 9999 sentinel) raised icalendar's bare ValueError
    about an integer; it is the stamp that is wrong."""
    payload = proposals_ics(_offer(), stamp=_LAST_STAMP)
    (event,) = Calendar.from_ical(payload).walk("VEVENT")[:1]
    assert _sequence(event) == 2**31 - 1
    booked = _booked(MONDAY + timedelta(days=3))
    for stamp in (_LAST_STAMP + timedelta(seconds=1), datetime(9999, 1, 1, tzinfo=UTC)):
        with pytest.raises(InvalidInputError, match=r"^stamp: .*2088-01-19") as caught:
            proposals_ics(_offer(), stamp=stamp)
        assert caught.value.field == "stamp"
        with pytest.raises(InvalidInputError, match=r"^stamp: .*2088-01-19"):
            meeting_ics(booked, "m1", stamp=stamp)


@pytest.mark.parametrize(
    "organizer",
    [
        "rep@example.test",
        "mailto:rep@example.test",
        "MAILTO:rep@example.test",
        " rep@example.test ",
        "Rep Smith <rep@example.test>",
    ],
)
def test_an_address_in_any_usual_form_is_one_mailto_uri(organizer: str) -> None:
    """``mailto:rep@x`` was written ``mailto:mailto:rep@x``, and ``Rep <rep@x>`` (as CRMs
    store addresses) ``mailto:Rep <rep@x>``: no address a client can answer."""
    engine = cadence.Engine()
    p = engine.enroll(
        "lee", timezone="America/Chicago", at=MONDAY, email="Lee Ames <MAILTO:lee@acme.test>"
    )
    p = engine.apply(
        p, ev.MeetingBooked(at=MONDAY, meeting_id="m1", starts_at=MONDAY + timedelta(days=3))
    )
    method, event = _event(meeting_ics(p, "m1", stamp=MONDAY, organizer=organizer))
    assert method == "REQUEST"
    assert str(event["organizer"]) == "mailto:rep@example.test"
    assert str(event["attendee"]) == "mailto:lee@acme.test"


@pytest.mark.parametrize(
    "organizer",
    [
        "rep",
        "rep @example.test",
        "rep@example.test;boss@example.test",
        "a@b@c",
        "rep@example.test\r\nATTENDEE:mailto:someone@else.test",
    ],
)
def test_an_organizer_that_is_no_address_is_refused_by_name(organizer: str) -> None:
    """It was written as given (``mailto:rep``), or icalendar raised a bare ValueError."""
    p = _booked(MONDAY + timedelta(days=3))
    with pytest.raises(InvalidInputError, match=r"^organizer: .* pass an email address") as caught:
        meeting_ics(p, "m1", stamp=MONDAY, organizer=organizer)
    assert caught.value.field == "organizer"
    with pytest.raises(InvalidInputError, match=r"^organizer: "):
        proposals_ics(_offer(), stamp=MONDAY, organizer=organizer)


def test_an_attendee_that_is_no_address_is_refused_by_name() -> None:
    engine = cadence.Engine()
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, email="lee at acme")
    p = engine.apply(
        p, ev.MeetingBooked(at=MONDAY, meeting_id="m1", starts_at=MONDAY + timedelta(days=3))
    )
    with pytest.raises(InvalidInputError, match=r"^email: 'lee at acme' of 'lee'") as caught:
        meeting_ics(p, "m1", stamp=MONDAY, organizer=REP)
    assert caught.value.field == "email"
    assert _event(meeting_ics(p, "m1", stamp=MONDAY))[0] == "PUBLISH"  # no one is invited


def test_a_meeting_of_a_prospect_without_email_is_published_with_its_organizer() -> None:
    """RFC 5546 §3.2.2 and §3.2.5: a REQUEST and a CANCEL name at least one ATTENDEE. With no
    email for the prospect there is no one to send it to: it is an entry to import."""
    engine = cadence.Engine()
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY)
    p = engine.apply(
        p, ev.MeetingBooked(at=MONDAY, meeting_id="m1", starts_at=MONDAY + timedelta(days=3))
    )
    later = MONDAY + timedelta(hours=1)
    cancelled = engine.apply(p, ev.MeetingCancelled(at=later, meeting_id="m1", by="rep"))
    for state, stamp, status in ((p, MONDAY, "CONFIRMED"), (cancelled, later, "CANCELLED")):
        method, event = _event(meeting_ics(state, "m1", stamp=stamp, organizer=REP))
        assert (method, str(event["status"])) == ("PUBLISH", status)
        assert str(event["organizer"]) == f"mailto:{REP}"
        assert "attendee" not in event


def test_a_plan_with_nothing_to_put_in_a_calendar_is_still_a_valid_calendar() -> None:
    """RFC 5545 §3.6: a calendar holds at least one component; an empty book, or one whose day
    holds only meetings (left out: they are in the calendars already), wrote none, a file that
    strict readers refuse. It holds the UTC zone's block now, which no client shows."""
    engine = cadence.Engine()
    p = _booked(MONDAY + timedelta(hours=4))
    for book in ([], [p]):
        plan = plan_day(engine, book, day=MONDAY.date(), now=MONDAY, capacity=0)
        payload = plan_ics(plan, stamp=MONDAY)
        _strict_lines(payload)
        cal = Calendar.from_ical(payload)
        assert cal.subcomponents
        assert cal.walk("VEVENT") == []
        (block,) = cal.timezones
        assert block.walk("STANDARD")  # a VTIMEZONE holds one STANDARD or DAYLIGHT at least
        assert block.to_tz(lookup_tzid=False).utcoffset(datetime(2026, 3, 2)) == timedelta(0)


def test_a_meeting_named_by_its_date_is_not_replaced_by_the_days_plan() -> None:
    """The plan's UID was ``<prospect>-<YYYYMMDD>@cadence``, the meeting's
    ``<prospect>-<meeting id>@cadence``: a meeting whose id is its date (``20260302``) had the
    UID of its prospect's event in that day's plan, and importing the plan (a later stamp, a
    higher SEQUENCE) replaced the meeting in the rep's calendar with the reminder to log it."""
    engine = cadence.Engine()
    start = MONDAY - timedelta(hours=2)
    p = engine.enroll("lee", timezone="America/Chicago", at=start - timedelta(days=1))
    p = engine.apply(
        p, ev.MeetingBooked(at=start - timedelta(days=1), meeting_id="20260302", starts_at=start)
    )
    plan = plan_day(engine, [p], day=MONDAY.date(), now=MONDAY, capacity=5)
    (planned,) = Calendar.from_ical(plan_ics(plan, stamp=MONDAY)).walk("VEVENT")
    assert str(planned["summary"]) == "log meeting: lee"  # (the data of this test)
    _, meeting = _event(meeting_ics(p, "20260302", stamp=start - timedelta(days=1)))
    assert str(planned["uid"]) != str(meeting["uid"])


@pytest.mark.parametrize("stamp", ["2026-03-02T10:00:00Z", MONDAY.date(), 1772467200, None])
def test_a_stamp_that_is_no_datetime_is_refused_by_name(stamp: object) -> None:
    """It raised AttributeError ('str' object has no attribute 'tzinfo')."""
    engine = cadence.Engine()
    plan = plan_day(engine, [], day=MONDAY.date(), now=MONDAY, capacity=5)
    booked, bad = _booked(MONDAY + timedelta(days=3)), cast(datetime, stamp)
    needle = r"^stamp: .* pass an aware datetime"
    with pytest.raises(InvalidInputError, match=needle) as caught:
        proposals_ics(_offer(), stamp=bad)
    assert caught.value.field == "stamp"
    with pytest.raises(InvalidInputError, match=needle):
        meeting_ics(booked, "m1", stamp=bad)
    with pytest.raises(InvalidInputError, match=needle):
        plan_ics(plan, stamp=bad)


def test_the_reminder_names_the_zone_of_the_meeting_time_it_gives() -> None:
    """The description said ``Meeting m1, Mon 02 Mar 08:00``: the prospect's wall clock, which
    a rep in another zone (whose calendar shows the event at their own time) read as theirs."""
    engine = cadence.Engine()
    start = MONDAY - timedelta(hours=2)
    p = engine.enroll("lee", timezone="America/Chicago", at=start - timedelta(days=1))
    booked = ev.MeetingBooked(at=start - timedelta(days=1), meeting_id="m1", starts_at=start)
    plan = plan_day(engine, [engine.apply(p, booked)], day=MONDAY.date(), now=MONDAY, capacity=5)
    (event,) = Calendar.from_ical(plan_ics(plan, stamp=MONDAY)).walk("VEVENT")
    assert str(event["description"]).endswith("\nMeeting m1, Mon 02 Mar 08:00 CST")
