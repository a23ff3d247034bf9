"""What the host application tells the engine happened (DESIGN §3, §6).

Every event is a small frozen pydantic model with a ``type`` tag, the aware instant ``at`` at
which it happened and an optional idempotency ``id``. Instants are normalised to UTC on the way
in, so that two deliveries of the same webhook compare equal whatever offset they were written in.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import reprlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from cadence._checked import mark
from cadence._numbers import WholeNumber
from cadence.businessdays import subdivision_code
from cadence.channel import Channel
from cadence.errors import InvalidInputError

__all__ = [
    "CallAttempted",
    "CallOutcome",
    "ChannelPreference",
    "Clearable",
    "ContactUpdated",
    "DealClosed",
    "EmailBounced",
    "EmailReplied",
    "EmailSent",
    "Event",
    "MeetingBooked",
    "MeetingCancelled",
    "MeetingHeld",
    "MeetingNoShow",
    "OptedIn",
    "OptedOut",
    "OutOfOffice",
    "ReplyIntent",
    "earlier_fingerprint",
    "event_fingerprint",
    "parse_event",
]


#: The instants cadence plans in, from ``EARLIEST`` (included) to ``LATEST`` (excluded). The
#: calendar looks years past an instant (a business-day count may spill two decades ahead), so
#: an instant near the end of ``datetime``'s range cannot be planned around; and a CRM's
#: stand-in for "never" (9999-12-31) or "unknown" (0001-01-01) is not a date to plan by.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def out_of_range(value: datetime, *, optional: bool = True) -> str:
    """Why ``value`` is refused, and the fix: see :data:`EARLIEST`."""
    msg = f"{value.isoformat()!r} is outside the instants cadence plans in (years 1900 to 8999)"
    if not optional:
        return f"{msg}; pass the real date and time"
    return (
        f"{msg}; give the real date and time, or leave an optional one out (an out-of-office's "
        "end, an agreed next contact) rather than write a far-off stand-in for 'never'"
    )


#: The latest instant a stored state may hold: what the engine derives from the latest input
#: (a drip touch, a gap, a pause's end) lies past :data:`LATEST`, and a state must load again.
STORED_LATEST = datetime(9900, 1, 1, tzinfo=UTC)


def in_range(value: datetime, latest: datetime = LATEST) -> datetime | None:
    """The aware ``value`` in UTC, a plain ``datetime``, or None if it lies outside
    ``EARLIEST`` to ``latest``."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        return None
    if type(utc) is not datetime:
        # pendulum's DateTime, or another subclass: its arithmetic is its own (pendulum's
        # difference of two is an Interval that cannot be divided by a timedelta, and adds
        # days by the calendar), so the engine holds the plain instant.
        utc = datetime(*utc.timetuple()[:6], utc.microsecond, UTC)
    return utc if EARLIEST <= utc < latest else None


#: The tzinfo classes whose offset is fixed, never None: ``timezone`` (UTC among them) and the
#: class pydantic gives a datetime it reads from text (JSON).
_FIXED_OFFSETS = (timezone, type(TypeAdapter(datetime).validate_json('"2000-01-01T00:00Z"').tzinfo))


def offset_of(value: datetime) -> timedelta | None:
    """``value.utcoffset()``, or a ValueError that names the tzinfo and the fix when it gives
    none Python can use (a number, a day or more, an unfinished tzinfo subclass)."""
    try:
        return value.utcoffset()
    except (TypeError, ValueError, NotImplementedError) as exc:
        msg = (
            f"{value.replace(tzinfo=None).isoformat()!r} is in a tzinfo "
            f"({type(value.tzinfo).__name__}) that gives no UTC offset cadence can use ({exc}); "
            "pass one with "
            "tzinfo=ZoneInfo('America/Chicago') or datetime.timezone(timedelta(hours=-6))"
        )
        raise ValueError(msg) from None


def _utc(value: datetime, latest: datetime, stored: bool = False) -> datetime:
    # A fixed offset is aware without asking (a stored state holds a dozen instants, each read
    # from JSON with pydantic's own fixed offset: asking its ``utcoffset`` is a quarter of
    # the check). Any other tzinfo may answer None, which ``astimezone`` would take for the
    # server's zone, or no offset Python can use (``offset_of`` says so).
    tz = value.tzinfo
    if type(tz) not in _FIXED_OFFSETS and (tz is None or offset_of(value) is None):
        msg = (
            f"{value.isoformat()!r} is a naive datetime; pass an aware one, "
            "e.g. datetime(..., tzinfo=ZoneInfo('America/Chicago')) or an ISO string with an offset"
        )
        raise ValueError(msg)
    utc = in_range(value, latest)
    if utc is None:
        if stored:
            raise ValueError(
                f"{value.isoformat()!r} is outside what a stored state may hold (years 1900 to "
                f"{latest.year - 1}); this version of cadence did not store it: rebuild the state "
                "from its events with Engine.replay"
            )
        raise ValueError(out_of_range(value))
    return utc


def _instant(value: datetime) -> datetime:
    """An aware ``value`` in UTC, in the range the engine plans in."""
    return _utc(value, LATEST)


def _stored(value: datetime) -> datetime:
    """An aware ``value`` of a stored state in UTC (one call per instant: a state holds a
    dozen)."""
    return _utc(value, STORED_LATEST, stored=True)


#: An aware datetime, normalised to UTC. Naive datetimes are rejected, never guessed, and so
#: are instants outside :data:`EARLIEST` to :data:`LATEST`.
Instant: TypeAlias = Annotated[
    datetime,
    Field(json_schema_extra={"format": "date-time"}),
    AfterValidator(_instant),
]

#: An :data:`Instant` of a stored state, which may lie up to :data:`STORED_LATEST`.
StoredInstant: TypeAlias = Annotated[
    datetime,
    Field(json_schema_extra={"format": "date-time"}),
    AfterValidator(_stored),
]

CallOutcome: TypeAlias = Literal[
    "connected", "voicemail", "no_answer", "gatekeeper", "wrong_number"
]
ReplyIntent: TypeAlias = Literal[
    "positive", "neutral", "not_now", "referral", "wrong_person", "unsubscribe"
]


#: The pattern an identifier must match: at least one character that is not a space. An id of
#: spaces is a CRM's empty field padded, not a key; it would make unrelated events duplicates.
NOT_BLANK = r"\S"


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    at: Instant
    """When it happened (aware; stored in UTC)."""
    id: str | None = Field(default=None, min_length=1, pattern=NOT_BLANK)
    """Idempotency key: a second event with the same id is a no-op. Leave it out rather than
    send an empty or blank one (refused)."""

    @model_validator(mode="after")
    def _checked(self) -> Any:
        mark(self)  # (a copy or a model_construct is checked again by the engine: _checked)
        return self

    def _after(self, name: str, value: datetime | None) -> None:
        if value is not None and value <= self.at:
            msg = f"{name} ({value.isoformat()}) must be after at ({self.at.isoformat()})"
            raise ValueError(msg)


class CallAttempted(_Event):
    """A call was placed. ``connected`` is a live conversation (R1, R12); the others are not."""

    type: Literal["call_attempted"] = "call_attempted"
    outcome: CallOutcome
    next_contact_at: Instant | None = None
    """The date and time agreed for the next contact (R1), for a connected call."""
    permission: bool | None = None
    """Whether the prospect agreed to be contacted again when there is news (R12)."""
    third_party: bool = False
    """The call was to someone other than the prospect: the receptionist, their superior (R9's
    escalations) or a person they referred you to. ``outcome`` is that person's: ``connected``,
    ``voicemail`` or ``gatekeeper`` says the escalation (or makes the referral's contact), and
    none is the prospect's response; the call is not one to the prospect's number (R4, R7,
    the legal caps) and owes them no email (R6)."""

    def model_post_init(self, __context: Any) -> None:
        self._after("next_contact_at", self.next_contact_at)
        if self.outcome != "connected" and (
            self.next_contact_at is not None or self.permission is not None
        ):
            msg = (
                f"next_contact_at and permission need a live conversation, but outcome is "
                f"{self.outcome!r}; drop them or use outcome='connected'"
            )
            raise ValueError(msg)
        if self.third_party and (self.next_contact_at is not None or self.permission is not None):
            msg = (
                "next_contact_at and permission are agreed with the prospect, but third_party "
                "is true (the call was to someone else); drop them, or log the prospect's own "
                "call with third_party=false"
            )
            raise ValueError(msg)


class EmailSent(_Event):
    """The rep sent an email (the touch the pending email action asked for)."""

    type: Literal["email_sent"] = "email_sent"


class EmailReplied(_Event):
    """The prospect replied. ``intent`` refines what the reply means; ``resume_at`` goes with
    ``not_now`` (R17), and ``referral`` (the person to contact instead) with ``referral`` or
    ``wrong_person``: either with another intent is refused, as it would be ignored."""

    type: Literal["email_replied"] = "email_replied"
    intent: ReplyIntent | None = None
    resume_at: Instant | None = None
    referral: str | None = None

    def model_post_init(self, __context: Any) -> None:
        self._after("resume_at", self.resume_at)
        # A field its intent does not read would be dropped without a word: refused instead.
        if self.resume_at is not None and self.intent != "not_now":
            msg = (
                f"resume_at goes with intent 'not_now' (R17), but intent is {self.intent!r}; "
                "give intent='not_now' or drop resume_at"
            )
            raise ValueError(msg)
        if self.referral is not None and self.intent not in ("referral", "wrong_person"):
            msg = (
                "referral names whom to contact for intent 'referral' or 'wrong_person', but "
                f"intent is {self.intent!r}; give one of those intents or drop referral"
            )
            raise ValueError(msg)


class EmailBounced(_Event):
    """An email could not be delivered; email is unusable until the address is fixed."""

    type: Literal["email_bounced"] = "email_bounced"
    email_id: str | None = Field(default=None, min_length=1, pattern=NOT_BLANK)
    """The ``id`` of the ``email_sent`` that bounced, when the host knows it: only that email
    did not arrive. Without it, the bounce concerns every email sent to the address since the
    ladder's message it follows (R8's offer, R10's breakup): bounces often arrive hours or
    days late, after other touches were logged."""


class MeetingBooked(_Event):
    """A meeting was booked (or rebooked) for ``starts_at``."""

    type: Literal["meeting_booked"] = "meeting_booked"
    meeting_id: str = Field(min_length=1, pattern=NOT_BLANK)
    starts_at: Instant
    duration_minutes: WholeNumber = Field(default=30, gt=0, le=24 * 60)

    def model_post_init(self, __context: Any) -> None:
        self._after("starts_at", self.starts_at)


class MeetingCancelled(_Event):
    """A booked meeting was cancelled, by the prospect (R15) or by the rep (R14)."""

    type: Literal["meeting_cancelled"] = "meeting_cancelled"
    meeting_id: str = Field(min_length=1, pattern=NOT_BLANK)
    by: Literal["prospect", "rep"]


class MeetingHeld(_Event):
    """A meeting took place: a live conversation (R1, R12)."""

    type: Literal["meeting_held"] = "meeting_held"
    meeting_id: str = Field(min_length=1, pattern=NOT_BLANK)
    next_contact_at: Instant | None = None
    permission: bool | None = None

    def model_post_init(self, __context: Any) -> None:
        self._after("next_contact_at", self.next_contact_at)


class MeetingNoShow(_Event):
    """The prospect did not turn up. Refused (``InvalidInputError`` on ``meeting_id``) for a
    meeting the prospect's state shows cancelled, unless it was booked again since (a prospect
    who opted out or closed ignores it, as it ignores most events; so does one whose meeting
    was withdrawn, by an opt-out of meetings or a lost deal)."""

    type: Literal["meeting_no_show"] = "meeting_no_show"
    meeting_id: str = Field(min_length=1, pattern=NOT_BLANK)


class OutOfOffice(_Event):
    """An out-of-office reply (R17); ``until`` is the announced return, if any. Contact
    resumes on the first business day after the date of a return on a later day (a day to
    catch up; back on a Saturday or a Sunday, the Monday), at the return itself when they are
    back later the same day, and after the policy's ``out_of_office_default_days`` without a
    date."""

    type: Literal["out_of_office"] = "out_of_office"
    until: Instant | None = None

    def model_post_init(self, __context: Any) -> None:
        self._after("until", self.until)


class OptedOut(_Event):
    """The prospect said no (R13). ``channels`` scopes it when the policy allows; None (or an
    empty list: an opt-out is never dropped for its form) = all."""

    type: Literal["opted_out"] = "opted_out"
    channels: frozenset[Channel] | None = None

    @field_serializer("channels")
    def _sorted(self, value: frozenset[Channel] | None) -> list[str] | None:
        # Sets of strings iterate in hash-seed order: sort, so JSON and fingerprints are the
        # same in every process.
        return None if value is None else sorted(c.value for c in value)


class OptedIn(_Event):
    """The prospect explicitly asked to be contacted again after an opt-out (R13)."""

    type: Literal["opted_in"] = "opted_in"


class DealClosed(_Event):
    """The deal closed: won (terminal) or lost (to the drip, R11)."""

    type: Literal["deal_closed"] = "deal_closed"
    won: bool


class ChannelPreference(_Event):
    """The prospect said how they prefer to be reached (R16)."""

    type: Literal["channel_preference"] = "channel_preference"
    channel: Literal[Channel.PHONE, Channel.EMAIL]


def _upper(value: str | None) -> str | None:
    return value.upper() if value is not None else None


_Code = Annotated[str | None, Field(default=None, min_length=1), AfterValidator(_upper)]
_RECORD = ("phone", "email", "owner", "timezone", "country", "subdivision", "topic", "local")
#: The record's fields a ``contact_updated`` may empty (``clear``): the optional ones. A
#: prospect always has a time zone, and ``local`` is set to ``False``, not emptied.
Clearable: TypeAlias = Literal["phone", "email", "owner", "country", "subdivision", "topic"]


def _sorted_names(value: tuple[str, ...]) -> tuple[str, ...]:
    """One order for the same set, so that two deliveries listing the fields in another order
    are the same event (the idempotency fingerprint reads the payload)."""
    return tuple(sorted(set(value)))


class ContactUpdated(_Event):
    """The CRM's record of the prospect changed: what is given replaces the stored value, what
    is left out (``None``) stays, and the fields named in ``clear`` are emptied.

    A new ``phone`` or ``email`` (say, the rep asked for one after a bounce): suppression lists
    match the new one, and a channel that failed (a bounced address, a wrong number) opens
    again, the promised material going back to email. A channel the prospect opted out of
    stays closed (R13: only ``opted_in`` reopens it). ``owner``: the prospect was reassigned.
    ``timezone``, ``country``, ``subdivision``: the prospect moved, or the record was
    corrected; from then on their local time, holidays and calling rules are the new place's
    (a new ``country`` replaces the subdivision too: give both). ``topic`` and ``local`` as
    at enrolment.

    ``clear`` empties optional fields: the rep left and the prospect has no ``owner`` yet, the
    CRM deleted a number. An emptied ``phone`` or ``email`` only stops matching suppression
    lists: as at an enrolment without one, the engine still plans touches on that channel (the
    CRM knows how to reach them); a number that does not work is a ``wrong_number`` call, an
    address that does not, an ``email_bounced``. An emptied ``country`` empties the
    subdivision too (no holidays, no state calling rules: the rules of the zone's country).
    Where calling rules bind a country, the zone must be one of its (the engine refuses the
    update otherwise: a zone of a move abroad needs the new country with it)."""

    type: Literal["contact_updated"] = "contact_updated"
    phone: str | None = Field(default=None, min_length=1)
    email: str | None = Field(default=None, min_length=1)
    owner: str | None = None
    timezone: str | None = Field(default=None, min_length=1)
    country: _Code = None
    subdivision: str | None = Field(default=None, min_length=1)
    topic: str | None = None
    local: bool | None = None
    clear: Annotated[tuple[Clearable, ...], AfterValidator(_sorted_names)] = ()
    """Fields to empty, e.g. ``["owner"]`` (each at most once; not one given a value here)."""

    @field_validator("subdivision")
    @classmethod
    def _spelt_as_holidays_does(cls, value: str | None, info: ValidationInfo) -> str | None:
        # (Declared after ``country``, validated after it.) "noord" with NL is "Noord"
        return None if value is None else subdivision_code(info.data.get("country"), value)

    @field_validator("clear")
    @classmethod
    def _not_given(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        # (Declared last, ``clear`` is validated after the fields it names.)
        both = [name for name in value if info.data.get(name) is not None]
        if both:
            msg = (
                f"{', '.join(both)} given a value and emptied at once; give the value or empty "
                "it, not both"
            )
            raise ValueError(msg)
        return value

    def model_post_init(self, __context: Any) -> None:
        if not self.clear and all(getattr(self, name) is None for name in _RECORD):
            msg = (
                "nothing to update; give at least one of phone, email, owner, timezone, "
                "country, subdivision, topic, local, or name fields to empty in clear"
            )
            raise ValueError(msg)
        if self.subdivision is not None and self.country is None:
            msg = "subdivision needs its country; give country too"
            raise ValueError(msg)

    def place(
        self, timezone: str, country: str | None, subdivision: str | None
    ) -> tuple[str, str | None, str | None]:
        """The prospect's place after this update, from the one before."""
        if self.country is not None:
            country, subdivision = self.country, self.subdivision
        elif "country" in self.clear:
            country = subdivision = None
        elif "subdivision" in self.clear:
            subdivision = None
        return self.timezone or timezone, country, subdivision


Event: TypeAlias = Annotated[
    CallAttempted
    | EmailSent
    | EmailReplied
    | EmailBounced
    | MeetingBooked
    | MeetingCancelled
    | MeetingHeld
    | MeetingNoShow
    | OutOfOffice
    | OptedOut
    | OptedIn
    | DealClosed
    | ChannelPreference
    | ContactUpdated,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_CLASSES: tuple[type[BaseModel], ...] = get_args(get_args(Event)[0])
"""The event models, in the union's order (``apply`` accepts instances of these only)."""
EVENT_TYPES: tuple[str, ...] = (
    "call_attempted",
    "channel_preference",
    "contact_updated",
    "deal_closed",
    "email_bounced",
    "email_replied",
    "email_sent",
    "meeting_booked",
    "meeting_cancelled",
    "meeting_held",
    "meeting_no_show",
    "opted_in",
    "opted_out",
    "out_of_office",
)


_EVENT_OF: dict[str, type[BaseModel]] = {
    member.model_fields["type"].default: member for member in EVENT_CLASSES
}

#: Every event's field names but ``type``: what a check across fields names first.
_FIELD_NAMES = frozenset(
    name
    for member in get_args(get_args(Event)[0])
    for name in member.model_fields
    if name != "type"
)


#: How a message shows what it got: a few items, a few levels, the start of a long text. A
#: webhook's (or a YAML file's aliases') input can be huge, and the message is one line.
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxtuple = 2, 6, 6, 6
_SHORT.maxstring = _SHORT.maxother = 120


def _shown(value: Any) -> str:
    """``value`` cut short for a message. Never an error itself: an integer past Python's
    4,300 digits has no ``repr`` (it raised a plain ``ValueError`` from the error path)."""
    try:
        return _SHORT.repr(value)
    except ValueError:
        return "<a number too long to show>"


#: An enum member's repr in pydantic's list of the values a ``Literal`` allows:
#: ``<Channel.PHONE: 'phone'>``, which a webhook sends as ``"phone"``.
_ENUM_REPR = re.compile(r"<\w+\.\w+: ('[^']*')>")


#: One choice in pydantic's list of them: ``'voicemail'``.
_CHOICE = re.compile(r"'([^']*)'")


def _did_you_mean(sent: Any, choices: Sequence[str]) -> str | None:
    """The choice ``sent`` (text) was most likely meant to be (``call_atempted``: the type
    ``call_attempted``; ``Phone``: ``phone``), or None if it is like none of them. Case is
    ignored; the same text always gets the same answer (difflib ranks by score, then name)."""
    if not isinstance(sent, str) or not choices:
        return None
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(sent.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _as_json(value: Any) -> str:
    """``value`` as the JSON that sent it would spell it: ``null``, ``true``, ``3``."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return _shown(value)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models a field's annotation holds (``tuple[Cap, ...]``, ``Templates | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _unknown_field(model: type[BaseModel] | None, loc: list[str], field: str) -> str:
    """The message for a field ``model`` (at ``loc``) does not have: most often a misspelt
    one, silently a default otherwise (``min_gap_busines_days``), so the closest name is
    offered, or the names there are."""
    for part in loc[:-1]:  # down to the model that holds the field
        if model is None or part.isdigit():
            continue
        info = model.model_fields.get(part)
        found = _models_in(info.annotation) if info is not None else []
        model = found[0] if len(found) == 1 else None
    if model is None:
        return f"{field}: not a field here; remove it"
    names = sorted(name for name in model.model_fields if name not in ("type", "schema_version"))
    close = difflib.get_close_matches(loc[-1], names, n=1, cutoff=0.6)
    if close:
        return f"{field}: not a field; did you mean {close[0]!r}?"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"{field}: not a field; the fields here are {shown}"


def explain_validation_error(
    exc: ValidationError, what: str, model: type[BaseModel] | None = None
) -> InvalidInputError:
    """Turn pydantic's error into one line that names the field, the value and the fix.
    ``model``: what was validated (an event's is found by its type)."""
    errors = exc.errors(include_url=False)
    err = errors[0]
    if err["type"] == "missing":
        # A field written in another case or misspelt (``Name: morning``) is both missing and
        # unknown: the unknown key beside it says what to fix.
        err = next(
            (
                e
                for e in errors
                if e["type"] == "extra_forbidden" and e["loc"][:-1] == err["loc"][:-1]
            ),
            err,
        )
    loc = [str(p) for p in err["loc"]]
    if loc and loc[0] in EVENT_TYPES:  # the union's tag, not a field
        model = _EVENT_OF[loc[0]]
        loc = loc[1:]
    field = ".".join(p if p.isprintable() else repr(p) for p in loc) or what
    value = err.get("input")
    kind = err["type"]
    if kind == "union_tag_invalid":
        field = "type"
        value = err.get("ctx", {}).get("tag")  # pydantic's str() of it: 'None' for null
        given = err.get("input")
        if isinstance(given, Mapping) and "type" in given:
            value = given["type"]
        hint = _did_you_mean(value, EVENT_TYPES)
        hint = f"did you mean {hint!r}? " if hint else ""
        msg = (
            f"type: {_as_json(value)} is not an event type; {hint}"
            f"use one of {', '.join(EVENT_TYPES)}"
        )
    elif kind == "union_tag_not_found":
        field = "type"
        msg = f"type: missing; every event needs one of {', '.join(EVENT_TYPES)}"
    elif kind == "missing":
        msg = f"{field}: missing; {what} needs it"
    elif kind == "extra_forbidden":
        msg = _unknown_field(model, loc, field)
    elif kind == "string_too_short" and value == "":
        msg = f"{field}: empty; give a value, or leave the field out where it is optional"
    elif kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == NOT_BLANK:
        msg = f"{field}: blank (only spaces); give a value, or leave the field out where optional"
    elif kind == "value_error":  # our own validators already name the value and the fix
        said = err["msg"].removeprefix("Value error, ")
        first = said.split(" ", 1)[0]
        if not loc and first in _FIELD_NAMES:  # a check across fields names its field first
            field = first
            msg = said
        else:
            msg = said if said.startswith(f"{field}: ") else f"{field}: {said}"
    elif kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        # What most CRMs send for an id (HubSpot's, Salesforce's are JSON numbers)
        shown = _shown(value)
        msg = f"{field}: expected a string, got the number {shown}; send it as a string"
        if not shown.startswith("<") and "..." not in shown:
            msg += f', e.g. "{shown}"'
    elif kind in ("literal_error", "enum"):  # the choices, as the JSON that sends them spells them
        said = _ENUM_REPR.sub(r"\1", err["msg"])
        msg = f"{field}: {said} (got {_shown(value)})"
        hint = _did_you_mean(value, _CHOICE.findall(_ENUM_REPR.sub(r"\1", err["msg"])))
        if hint:
            msg += f"; did you mean {hint!r}?"
    else:
        msg = f"{field}: {err['msg']} (got {_shown(value)})"
    extra = len(errors) - 1
    if extra:
        msg += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    return InvalidInputError(msg, field=field, value=value)


def parse_event(data: Mapping[str, Any] | str | bytes | bytearray | memoryview) -> Event:
    """Parse one event from a JSON document or an already-decoded mapping (a CRM webhook).

    >>> parse_event({"type": "email_sent", "at": "2026-03-02T15:00:00-06:00"}).at.isoformat()
    '2026-03-02T21:00:00+00:00'

    A body is read as the server hands it over: text, ``bytes``, ``bytearray`` or
    ``memoryview``, with or without a UTF-8 byte order mark (a .NET sender's stream writer
    puts one first). Raises :class:`cadence.errors.InvalidInputError` naming the offending
    field.
    """
    try:
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        if isinstance(data, str | bytes):
            return _ADAPTER.validate_json(_without_bom(data))
        if not isinstance(data, Mapping):
            msg = f"event: expected a JSON object or mapping, got {type(data).__name__}"
            raise InvalidInputError(msg, field="event", value=data)
        return _ADAPTER.validate_python(dict(data))
    except ValidationError as exc:
        raise explain_validation_error(exc, "event") from None


def _without_bom(body: str | bytes) -> str | bytes:
    """``body`` without the UTF-8 byte order mark a sender may put first (JSON forbids it)."""
    if isinstance(body, bytes):
        return body[3:] if body.startswith(b"\xef\xbb\xbf") else body
    return body[1:] if body.startswith("\ufeff") else body


_NOT_PAYLOAD = {"id"}  # never mutated


def event_fingerprint(event: Event) -> str:
    """A short, process-independent digest of an event's payload (everything but its id)."""
    # The model's own serializer, called directly: the same bytes as
    # ``model_dump_json(exclude={"id"})`` without the wrapper's per-call set-up (hot in ``apply``).
    payload = type(event).__pydantic_serializer__.to_json(event, exclude=_NOT_PAYLOAD)
    return hashlib.blake2b(payload, digest_size=8).hexdigest()


#: Fields an event gained after states were stored, each with the value every event sent
#: before it has: the payload's JSON (so its fingerprint) names them now, but a stored state
#: holds the fingerprint of the payload without them. Add a field here when one is added to
#: an event, whatever its default.
ADDED_LATER: dict[type[BaseModel], tuple[tuple[str, Any], ...]] = {
    CallAttempted: (("third_party", False),),
    EmailBounced: (("email_id", None),),
}


def earlier_fingerprint(event: Event) -> str | None:
    """The fingerprint a cadence of before :data:`ADDED_LATER`'s fields stored for ``event``,
    or None if that cadence could not have received it (a field added since is given)."""
    added = ADDED_LATER.get(type(event))
    if added is None or any(getattr(event, name) != then for name, then in added):
        return None
    left_out = _NOT_PAYLOAD | {name for name, _ in added}
    payload = type(event).__pydantic_serializer__.to_json(event, exclude=left_out)
    return hashlib.blake2b(payload, digest_size=8).hexdigest()
