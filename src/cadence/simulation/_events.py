"""The simulator's frequent events, built without running pydantic's validators again.

Nearly every engine step of a simulation applies an email sent or a call attempted, made from
values the simulator computed itself (aware instants, literal outcomes). Validating each one
costs one to three microseconds, a noticeable share of a step. These builders make the very
object the validated constructor would: the same class, the same ``__dict__`` (every field, in
declaration order, instants normalised to UTC as the ``Instant`` validator does), the same
fields set, no extras and no private state. So the result is equal to, hashes and serialises
like, and is indistinguishable from the validated event (``tests/test_simulation_events.py``
checks it field by field).

Validation still guards the edges: when an input is not what the shortcut assumes (a naive
instant, a later instant not after ``at``, or a subclass of ``datetime`` such as pendulum's,
which the validator makes a plain one), the builder calls the validated constructor, which
raises exactly the error it always did (or makes the event). "After" is decided in UTC, as
the validators do (they run on the normalised values): two wall times of one zone compare by
wall clock in Python, which is wrong inside a repeated DST hour.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from cadence import events as ev
from cadence._checked import Checked
from cadence._construct import made as _made

__all__ = [
    "call_attempted",
    "connected_call",
    "email_replied",
    "email_sent",
    "meeting_booked",
    "out_of_office",
]

# The fields each builder's caller passes (pydantic's ``model_fields_set``), one set per builder
# shared by every event it makes, as ``cadence._construct.build`` shares its sets: pydantic only
# ever adds names to such a set on assignment (frozen models refuse it) or in ``model_copy``,
# which copies the set first (``tests/test_reliability.py`` holds pydantic to that).
# Each a ``Checked`` set, as validation makes: the engine takes these events as checked.
_AT = Checked({"at"})
_AT_OUTCOME = Checked({"at", "outcome"})
_THIRD_PARTY = Checked({"at", "outcome", "third_party"})
_CONNECTED = Checked({"at", "outcome", "permission", "next_contact_at"})
_AT_INTENT = Checked({"at", "intent"})
_AT_UNTIL = Checked({"at", "until"})
_BOOKED = Checked({"at", "meeting_id", "starts_at"})


def _utc(at: datetime) -> datetime | None:
    """``at`` in UTC as the ``Instant`` validator makes it, or None where only the validator
    can say: a naive instant (it raises), or an instance of a subclass such as pendulum's
    (it makes a plain ``datetime`` of it)."""
    if type(at) is not datetime or at.utcoffset() is None:
        return None
    return at if at.tzinfo is UTC else at.astimezone(UTC)  # (a UTC datetime is its own UTC)


def email_sent(at: datetime) -> ev.EmailSent:
    """``EmailSent(at=at)``."""
    at_utc = _utc(at)
    if at_utc is None:
        return ev.EmailSent(at=at)
    return _made(ev.EmailSent, {"at": at_utc, "id": None, "type": "email_sent"}, _AT)


def call_attempted(
    at: datetime,
    outcome: Literal["voicemail", "no_answer", "gatekeeper", "wrong_number"],
    *,
    third_party: bool = False,
) -> ev.CallAttempted:
    """``CallAttempted(at=at, outcome=outcome)`` for a call that did not connect, or with
    ``third_party=True`` a call to someone else (R9)."""
    at_utc = _utc(at)
    if at_utc is None:
        given = {"third_party": True} if third_party else {}  # (as the fields set says)
        return ev.CallAttempted(at=at, outcome=outcome, **given)
    values = {
        "at": at_utc,
        "id": None,
        "type": "call_attempted",
        "outcome": outcome,
        "next_contact_at": None,
        "permission": None,
        "third_party": third_party,
    }
    return _made(ev.CallAttempted, values, _THIRD_PARTY if third_party else _AT_OUTCOME)


def connected_call(
    at: datetime, *, permission: bool, next_contact_at: datetime | None
) -> ev.CallAttempted:
    """``CallAttempted(at=at, outcome="connected", permission=permission,
    next_contact_at=next_contact_at)``."""
    at_utc = _utc(at)
    agreed = None if next_contact_at is None else _utc(next_contact_at)
    if at_utc is None or (
        next_contact_at is not None and (agreed is None or agreed <= at_utc)
    ):  # the validator's: a naive instant, a next contact not after the call, a subclass
        return ev.CallAttempted(
            at=at, outcome="connected", permission=permission, next_contact_at=next_contact_at
        )
    values = {
        "at": at_utc,
        "id": None,
        "type": "call_attempted",
        "outcome": "connected",
        "next_contact_at": agreed,
        "permission": permission,
        "third_party": False,
    }
    return _made(ev.CallAttempted, values, _CONNECTED)


def email_replied(at: datetime, intent: Literal["positive"] | None) -> ev.EmailReplied:
    """``EmailReplied(at=at, intent=intent)``."""
    at_utc = _utc(at)
    if at_utc is None:
        return ev.EmailReplied(at=at, intent=intent)
    values = {
        "at": at_utc,
        "id": None,
        "type": "email_replied",
        "intent": intent,
        "resume_at": None,
        "referral": None,
    }
    return _made(ev.EmailReplied, values, _AT_INTENT)


def out_of_office(at: datetime, until: datetime) -> ev.OutOfOffice:
    """``OutOfOffice(at=at, until=until)``."""
    at_utc, until_utc = _utc(at), _utc(until)
    if at_utc is None or until_utc is None or until_utc <= at_utc:
        return ev.OutOfOffice(at=at, until=until)  # (raises: naive, or back before it began)
    values = {"at": at_utc, "id": None, "type": "out_of_office", "until": until_utc}
    return _made(ev.OutOfOffice, values, _AT_UNTIL)


def meeting_booked(at: datetime, meeting_id: str, starts_at: datetime) -> ev.MeetingBooked:
    """``MeetingBooked(at=at, meeting_id=meeting_id, starts_at=starts_at)``."""
    at_utc, starts_utc = _utc(at), _utc(starts_at)
    if (
        at_utc is None
        or starts_utc is None
        or type(meeting_id) is not str
        or starts_utc <= at_utc  # (raises: a meeting that starts before it was booked)
    ):
        return ev.MeetingBooked(at=at, meeting_id=meeting_id, starts_at=starts_at)
    values = {
        "at": at_utc,
        "id": None,
        "type": "meeting_booked",
        "meeting_id": meeting_id,
        "starts_at": starts_utc,
        "duration_minutes": 30,
    }
    return _made(ev.MeetingBooked, values, _BOOKED)
