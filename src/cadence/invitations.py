"""Calendar invitations (RFC 5545) for proposed times, booked meetings and a day's plan: bytes,
no I/O.

Needs the ``ics`` extra (the ``icalendar`` package); the core never imports this module.
Times are written in the prospect's zone with its VTIMEZONE, so the invitation shows the
prospect's wall-clock times in any calendar client; an action read back from JSON carries
offsets, not zones, and its times are written in UTC (the same instants), as is the second
occurrence of a local time that a DST fold repeats (RFC 5545 reads a repeated local time as
its first occurrence). An event's end is its start plus its length in elapsed time.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> import cadence
>>> from cadence import events as ev
>>> engine = cadence.Engine()
>>> now = datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("America/Chicago"))
>>> p = engine.enroll("dana", timezone="America/Chicago", at=now, country="US")
>>> p = engine.apply(p, ev.EmailReplied(at=now, intent="positive"))
>>> act = engine.next_action(p, now)
>>> payload = proposals_ics(act, stamp=now)
>>> payload.startswith(b"BEGIN:VCALENDAR")
True
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCategory, vText

from cadence._day import reminds_to_log
from cadence.actions import Action, ActionKind
from cadence.batch import DayPlan
from cadence.calendar import zone
from cadence.errors import InvalidInputError
from cadence.prospect import Prospect

__all__ = ["meeting_ics", "plan_ics", "proposals_ics"]

_PRODID = "-//cadence//follow-up engine//EN"


def _calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", _PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    return cal


#: The control characters RFC 5545 §3.3.11 forbids in TEXT (the tab is allowed; a line end is
#: written as ``\\n``).
_FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


class _Text(vText):
    """A TEXT value (a summary, a description, a UID, a category) as RFC 5545 §3.3.11 writes it:
    a backslash, ``;`` and ``,`` escaped, each line end (``\\r\\n``, ``\\r`` or ``\\n``) a
    ``\\n``, and each other control character the replacement character, U+FFFD (raw, a NUL
    ended the value in some clients). icalendar's own escaping also read a backslash before an
    ``N`` as a line break (``DOMAIN\\Nina`` was shown on two lines)."""

    __slots__ = ()

    def __new__(cls, value: str) -> _Text:
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return super().__new__(cls, "\n".join(_FORBIDDEN.sub("\ufffd", line) for line in lines))

    def to_ical(self) -> bytes:
        escaped = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        return escaped.replace("\n", "\\n").encode("utf-8")


def _categories(*names: str) -> vCategory:
    categories = vCategory([])
    categories.cats = [_Text(name) for name in names]
    return categories


#: An email address as a calendar's CAL-ADDRESS takes it: one ``@``, no space, no separator.
_ADDRESS = re.compile(r"[^\s@<>,;:\"\\]+@[^\s@<>,;:\"\\]+")
_NAMED = re.compile(r"[^<>]*<([^<>]*)>")  # Lee Ames <lee@acme.test>


def _mailto(address: str, field: str, whose: str = "", fix: str = "") -> str:
    """``address`` (``rep@x``, ``mailto:rep@x`` or ``Rep <rep@x>``) as one ``mailto:`` URI."""
    named = _NAMED.fullmatch(address.strip())
    bare = (named.group(1) if named else address).strip()
    if bare[:7].casefold() == "mailto:":
        bare = bare[7:]
    if not _ADDRESS.fullmatch(bare):
        msg = (
            f"{field}: {address!r}{whose} is no email address; "
            f"{fix or 'pass an email address such as rep@example.com'}"
        )
        raise InvalidInputError(msg, field=field, value=address)
    return f"mailto:{bare}"


def _zoned(moment: datetime) -> datetime:
    """``moment`` as the invitation writes it: in its IANA zone (with a VTIMEZONE), or in UTC
    when it carries only an offset, as an action read back from its JSON does (a TZID such
    as ``-05:00`` names no zone a calendar client knows), or when it is the second occurrence
    of a local time a fold repeats (under a TZID it would mean the first, an hour early)."""
    if not isinstance(moment.tzinfo, ZoneInfo):
        return moment.astimezone(UTC)
    if moment.fold and moment.replace(fold=0).utcoffset() != moment.utcoffset():
        return moment.astimezone(UTC)
    return moment


def _after(start: datetime, minutes: int) -> datetime:
    """The end of an event of ``minutes`` from ``start``, in elapsed time and in ``start``'s
    zone (wall-clock arithmetic would make a meeting across a DST change an hour off)."""
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)


#: SEQUENCE counts seconds from here: it grows with the DTSTAMP, so an invitation made later
#: (a new time, a cancellation) supersedes the one before it (RFC 5546 §2.1.4), and a 32-bit
#: signed integer, as some clients store it, holds it until 2088.
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


_LAST_STAMP = _SEQUENCE_EPOCH + timedelta(seconds=2**31 - 1)


def _sequence(stamp: datetime) -> int:
    return max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds()))


def _to_ical(cal: Calendar) -> bytes:
    """``cal`` with a VTIMEZONE for each zone its events name, each covering a year either
    side of those events (icalendar's default stops in 2038: a later meeting would lose its
    DST rules in clients that read the VTIMEZONE, as Outlook does), in the order of their
    names (icalendar's order is a set's, which changes with the hash seed: the same calendar
    was other bytes in each process)."""
    times = [e.decoded(k) for e in cal.walk("VEVENT") for k in ("dtstart", "dtend")]
    if times:
        year = timedelta(days=366)
        first, last = min(t.date() for t in times) - year, max(t.date() for t in times) + year
        blocks = [
            Timezone.from_tzid(tzid, first_date=first, last_date=last)
            for tzid in sorted(cal.get_missing_tzids())
        ]
        cal.subcomponents[:0] = blocks  # before the events that name them
    return bytes(cal.to_ical())


def _aware(stamp: datetime) -> datetime:
    if not isinstance(stamp, datetime):  # a date, an ISO string, a number of seconds
        msg = f"stamp: {stamp!r} is not a datetime; pass an aware datetime (the time now)"
        raise InvalidInputError(msg, field="stamp", value=stamp)
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        msg = f"stamp: {stamp.isoformat()!r} is naive; pass an aware datetime (the time now)"
        raise InvalidInputError(msg, field="stamp", value=stamp)
    if stamp > _LAST_STAMP:  # a typo for this year, a 9999 sentinel
        msg = (
            f"stamp: {stamp.isoformat()!r} is after {_LAST_STAMP.isoformat()}, when SEQUENCE "
            "(seconds since 2020) outgrows the 32-bit integer calendars hold; pass the time now"
        )
        raise InvalidInputError(msg, field="stamp", value=stamp)
    return stamp


def _length(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= 24 * 60:
        msg = (
            f"minutes: {minutes!r} is no meeting's length; pass a whole number of minutes from "
            "1 to 1440 (an event ends after it starts)"
        )
        raise InvalidInputError(msg, field="minutes", value=minutes)
    return minutes


def proposals_ics(
    action: Action,
    *,
    stamp: datetime,
    minutes: int = 30,
    summary: str = "Proposed meeting",
    organizer: str | None = None,
) -> bytes:
    """One tentative VEVENT per proposed time of an action that proposes times: a
    ``propose_times``, or a touch that also does (``propose_times`` in ``action.also``, e.g.
    the ladder's email that offers the times owed at the same moment).

    ``stamp`` is the DTSTAMP (when the invitation is made: time is always an argument), at
    the latest 2088-01-19T03:14:07Z (``SEQUENCE`` counts its seconds since 2020, and calendar
    clients hold a 32-bit integer); ``minutes``, each event's length, is 1 to 1440.
    """
    if ActionKind.PROPOSE_TIMES not in action.kinds or not action.proposals:
        what = " + ".join(action.kinds)
        msg = (
            f"action: {what!r} has no proposed times; pass an action that proposes "
            "times (kind propose_times, or propose_times in its also)"
        )
        raise InvalidInputError(msg, field="action", value=action.kind)
    stamp, minutes = _aware(stamp), _length(minutes)
    cal = _calendar("PUBLISH")
    for i, start in enumerate(action.proposals):
        event = Event()
        event.add("uid", _Text(f"{action.prospect_id}-{start:%Y%m%dT%H%M%S}-{i}@cadence"))
        event.add("dtstamp", stamp)
        event.add("sequence", _sequence(stamp))
        event.add("dtstart", _zoned(start))
        event.add("dtend", _zoned(_after(start, minutes)))
        event.add("summary", _Text(f"{summary} (option {i + 1} of {len(action.proposals)})"))
        event.add("status", "TENTATIVE")
        if organizer:
            event.add("organizer", _mailto(organizer, "organizer"))
        cal.add_component(event)
    return _to_ical(cal)


def meeting_ics(
    prospect: Prospect,
    meeting_id: str,
    *,
    stamp: datetime,
    summary: str = "Meeting",
    organizer: str | None = None,
) -> bytes:
    """The VEVENT of a meeting, in the prospect's zone: the invitation to a booked meeting (a
    held or missed one stays ``CONFIRMED``: it took its place in the calendar), or the
    cancellation of a cancelled or withdrawn one (``STATUS:CANCELLED``).

    With an ``organizer`` it is an iTIP message (RFC 5546) to send: ``METHOD:REQUEST``, with the
    prospect's email as the ``ATTENDEE``, or ``METHOD:CANCEL``; without one, or for a prospect
    with no email (iTIP's request and cancel name an attendee), a calendar entry to import
    (``METHOD:PUBLISH``), as iTIP requires an organizer. An address may be given as
    ``rep@example.com``, ``mailto:rep@example.com`` or ``Rep <rep@example.com>``.

    The UID is the prospect's and the meeting's ids, so a new time for the meeting (booked
    again under its id) or its cancellation updates the event clients already hold;
    ``SEQUENCE`` grows with ``stamp`` (seconds since 2020), so the later invitation wins.
    """
    meeting = prospect.meeting(meeting_id)
    if meeting is None:
        msg = f"meeting_id: {meeting_id!r} is not a meeting of {prospect.id!r}; book it first"
        raise InvalidInputError(msg, field="meeting_id", value=meeting_id)
    stamp = _aware(stamp)
    host = _mailto(organizer, "organizer") if organizer else None
    guest = None
    if host and prospect.email:
        fix = "correct it (a contact_updated event), or pass no organizer for an entry to import"
        guest = _mailto(prospect.email, "email", f" of {prospect.id!r}", fix)
    start = meeting.starts_at.astimezone(zone(prospect.timezone))
    called_off = meeting.status not in ("booked", "held", "no_show")
    method = ("CANCEL" if called_off else "REQUEST") if guest else "PUBLISH"
    cal = _calendar(method)
    event = Event()
    event.add("uid", _Text(f"{prospect.id}-{meeting.id}@cadence"))
    event.add("dtstamp", stamp)
    event.add("sequence", _sequence(stamp))
    event.add("dtstart", _zoned(start))
    event.add("dtend", _zoned(_after(start, meeting.duration_minutes)))
    event.add("summary", _Text(summary))
    event.add("status", "CANCELLED" if called_off else "CONFIRMED")
    if host:
        event.add("organizer", host)
    if guest:
        event.add("attendee", guest, parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "TRUE"})
    cal.add_component(event)
    return _to_ical(cal)


def plan_ics(plan: DayPlan, *, stamp: datetime) -> bytes:
    """A day's plan (:func:`cadence.batch.plan_day`) as a calendar: one VEVENT per planned
    touch, in the prospect's zone, for the reps' own calendars. The plan's meetings are left
    out: they are in those calendars already (their invitations, :func:`meeting_ics`), and a
    second event of each would only double them. A reminder to log a meeting that has ended
    (R2) is in: an event from its start to the end of the day, summary ``log meeting: <id>``,
    marked free time (``TRANSP:TRANSPARENT``), as it blocks none of the rep's day.

    Each event's summary says what to do and with whom, its description why (the rules and the
    reason) and what to say; ``CATEGORIES`` is the owner. The UID is the prospect's and the
    day's (a plan holds one touch per prospect), so importing a re-run plan updates events
    instead of duplicating them, a touch that changed kind included (``<prospect
    id>-<YYYYMMDD>@plan.cadence``: no meeting's UID, whatever its id); ``SEQUENCE`` grows with
    ``stamp``, so the later plan's wins. A prospect the re-run plan no longer holds keeps its
    event: a published calendar cannot remove one (re-import into an emptied calendar). A plan
    with no event to write (no touches, or only meetings) is a calendar that holds only the UTC
    zone's block, as RFC 5545 wants one component at least: clients import nothing from it.
    """
    stamp = _aware(stamp)
    cal = _calendar("PUBLISH")
    for t in plan.touches:
        act = t.action
        reminder = reminds_to_log(act)
        if act.kind is ActionKind.ATTEND_MEETING and not reminder:
            continue
        what = "log meeting" if reminder else " + ".join(act.kinds).replace("_", " ")
        event = Event()
        # One event per prospect and day (a plan holds one touch each): a re-run plan in which
        # the touch changed (the call went to voicemail, the R6 email is next) updates it,
        # where a UID per kind of touch left the done call in the rep's calendar. Its domain is
        # the plan's own: under a meeting's (``<prospect>-<meeting id>@cadence``), a meeting
        # whose id is its date (``20260302``) was replaced by the plan's event of that day.
        event.add("uid", _Text(f"{t.prospect_id}-{plan.day:%Y%m%d}@plan.cadence"))
        event.add("dtstamp", stamp)
        event.add("sequence", _sequence(stamp))
        event.add("dtstart", _zoned(t.local_start))
        event.add("dtend", _zoned(t.local_end))
        event.add("summary", _Text(f"{what}: {t.prospect_id}"))
        lines = [f"{' '.join(act.rules)}: {act.reason}"]
        if reminder:  # admin work: the rep's time stays free
            event.add("transp", "TRANSPARENT")
            began = "" if act.due_since is None else f", {act.due_since:%a %d %b %H:%M %Z}"
            lines.append(f"Meeting {act.detail}{began}")
        else:
            if act.subject:
                lines.append(f"Subject: {act.subject}")
            lines += [f"- {point}" for point in act.talking_points]
        event.add("description", _Text("\n".join(lines)))
        if t.owner:
            event.add("categories", _categories(t.owner))
        cal.add_component(event)
    if not cal.subcomponents:  # RFC 5545 §3.6: a calendar holds at least one component
        day, year = plan.day, timedelta(days=366)
        cal.add_component(
            Timezone.from_tzid("Etc/UTC", first_date=day - year, last_date=day + year)
        )
    return _to_ical(cal)
