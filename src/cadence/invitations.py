"""Calendar invitations (RFC 5545) for proposed times, booked meetings and a day's plan: bytes,
no I/O.

Needs the ``ics`` extra (the ``icalendar`` package); the core never imports this module.
Times are written in the prospect's zone with its VTIMEZONE, so the invitation shows the
prospect's wall-clock times in any calendar client; an action read back from JSON carries
offsets, not zones, and its times are written in UTC (the same instants).

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

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from cadence.actions import Action, ActionKind
from cadence.batch import DayPlan, _reminds_to_log
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


def _zoned(moment: datetime) -> datetime:
    """``moment`` as the invitation writes it: in its IANA zone (with a VTIMEZONE), or in UTC
    when it carries only an offset, as an action read back from its JSON does (a TZID such
    as ``-05:00`` names no zone a calendar client knows)."""
    return moment if isinstance(moment.tzinfo, ZoneInfo) else moment.astimezone(UTC)


def _aware(stamp: datetime) -> datetime:
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        msg = f"stamp: {stamp.isoformat()!r} is naive; pass an aware datetime (the time now)"
        raise InvalidInputError(msg, field="stamp", value=stamp)
    return stamp


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

    ``stamp`` is the DTSTAMP (when the invitation is made: time is always an argument).
    """
    if ActionKind.PROPOSE_TIMES not in action.kinds or not action.proposals:
        what = " + ".join(action.kinds)
        msg = (
            f"action: {what!r} has no proposed times; pass an action that proposes "
            "times (kind propose_times, or propose_times in its also)"
        )
        raise InvalidInputError(msg, field="action", value=action.kind)
    stamp = _aware(stamp)
    cal = _calendar("PUBLISH")
    for i, start in enumerate(action.proposals):
        event = Event()
        event.add("uid", f"{action.prospect_id}-{start:%Y%m%dT%H%M%S}-{i}@cadence")
        event.add("dtstamp", stamp)
        event.add("dtstart", _zoned(start))
        event.add("dtend", _zoned(start + timedelta(minutes=minutes)))
        event.add("summary", f"{summary} (option {i + 1} of {len(action.proposals)})")
        event.add("status", "TENTATIVE")
        if organizer:
            event.add("organizer", f"mailto:{organizer}")
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def meeting_ics(
    prospect: Prospect,
    meeting_id: str,
    *,
    stamp: datetime,
    summary: str = "Meeting",
    organizer: str | None = None,
) -> bytes:
    """A confirmed VEVENT for a booked meeting, in the prospect's zone."""
    meeting = prospect.meeting(meeting_id)
    if meeting is None:
        msg = f"meeting_id: {meeting_id!r} is not a meeting of {prospect.id!r}; book it first"
        raise InvalidInputError(msg, field="meeting_id", value=meeting_id)
    start = meeting.starts_at.astimezone(zone(prospect.timezone))
    cal = _calendar("REQUEST")
    event = Event()
    event.add("uid", f"{prospect.id}-{meeting.id}@cadence")
    event.add("dtstamp", _aware(stamp))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", summary)
    event.add("status", "CONFIRMED" if meeting.status == "booked" else "CANCELLED")
    if organizer:
        event.add("organizer", f"mailto:{organizer}")
    cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def plan_ics(plan: DayPlan, *, stamp: datetime) -> bytes:
    """A day's plan (:func:`cadence.batch.plan_day`) as a calendar: one VEVENT per planned
    touch, in the prospect's zone, for the reps' own calendars. The plan's meetings are left
    out: they are in those calendars already (their invitations, :func:`meeting_ics`), and a
    second event of each would only double them. A reminder to log a meeting that has ended
    (R2) is in: an event from its start to the end of the day, summary ``log meeting: <id>``,
    marked free time (``TRANSP:TRANSPARENT``), as it blocks none of the rep's day.

    Each event's summary says what to do and with whom, its description why (the rules and the
    reason) and what to say; ``CATEGORIES`` is the owner. UIDs are stable for the same touch, so
    importing a re-run plan updates events instead of duplicating them.
    """
    stamp = _aware(stamp)
    cal = _calendar("PUBLISH")
    for t in plan.touches:
        act = t.action
        reminder = _reminds_to_log(act)
        if act.kind is ActionKind.ATTEND_MEETING and not reminder:
            continue
        what = "log meeting" if reminder else " + ".join(act.kinds).replace("_", " ")
        kind = "log_meeting" if reminder else act.kind.value
        event = Event()
        event.add("uid", f"{t.prospect_id}-{plan.day:%Y%m%d}-{kind}@cadence")
        event.add("dtstamp", stamp)
        event.add("dtstart", _zoned(t.local_start))
        event.add("dtend", _zoned(t.local_end))
        event.add("summary", f"{what}: {t.prospect_id}")
        lines = [f"{' '.join(act.rules)}: {act.reason}"]
        if reminder:  # admin work: the rep's time stays free
            event.add("transp", "TRANSPARENT")
            began = "" if act.due_since is None else f", {act.due_since:%a %d %b %H:%M}"
            lines.append(f"Meeting {act.detail}{began}")
        else:
            if act.subject:
                lines.append(f"Subject: {act.subject}")
            lines += [f"- {point}" for point in act.talking_points]
        event.add("description", "\n".join(lines))
        if t.owner:
            event.add("categories", [t.owner])
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
