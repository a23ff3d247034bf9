"""A prospect's follow-up state: the facts the engine folded from its events (DESIGN §3, §6).

A ``Prospect`` is a frozen pydantic model, JSON-serialisable next to the contact record in a CRM.
It holds facts (counters, instants, obligations), never computed plans: the next action is derived
from the facts, the policy and ``now`` each time, so a changed policy applies to stored states.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, from_json

from cadence._checked import mark
from cadence._migrations import PROSPECT_STEPS, check_version, migrate, raise_version_error
from cadence.actions import ActionKind, Priority
from cadence.channel import Channel
from cadence.events import NOT_BLANK, StoredInstant
from cadence.lifecycle import Stage

__all__ = ["PROSPECT_SCHEMA_VERSION", "Meeting", "Obligation", "Prospect"]

PROSPECT_SCHEMA_VERSION = 1

#: How a message of the ladder went (``Prospect.offer_sent_by``): by phone, or by the email of
#: an id (none: the email had no id), to the address on record or to one replaced since.
SENT_BY = r"^(phone|(old-)?email:[\s\S]*)$"
_OLDER = "older_schema_version"


class Obligation(BaseModel):
    """Something the rep owes the prospect, created by an event (a promise, a voicemail email,
    times to propose, material to send). Fulfilled by the next touch on its channel."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    key: str
    """What it is, e.g. ``commitment``, ``voicemail_email``, ``collateral:m1``."""
    kind: ActionKind
    channel: Channel
    not_before: StoredInstant
    priority: Priority
    rules: tuple[str, ...]
    reason: str
    exact: bool = False
    """An agreed time (R1): due exactly then."""
    deadline: StoredInstant | None = None
    """Latest useful moment (e.g. before a meeting starts)."""
    flags: tuple[str, ...] = ()
    detail: str | None = None
    business_days: int = Field(default=0, ge=0, le=120, strict=True)
    """Business days after ``not_before``'s local date it may not start before."""
    voicemail_at: StoredInstant | None = None
    """When the voicemail this email follows up was left, for R14's proposal of new times
    that also says so (R6): a move to another zone makes it due by the end of that day where
    the prospect now lives. None otherwise, and in states stored before it was kept (their
    deadline stays as it was)."""


class Meeting(BaseModel):
    """A meeting the prospect has booked."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    id: str
    starts_at: StoredInstant
    # As ``meeting_booked`` takes it. (Strict, as every count and flag of a stored state: cadence
    # writes JSON numbers and booleans, and ``"3"``, ``true`` or ``"yes"`` was edited in.)
    duration_minutes: int = Field(default=30, gt=0, le=24 * 60, strict=True)
    status: Literal[
        "booked",
        "held",
        "no_show",
        "cancelled_by_prospect",
        "cancelled_by_rep",
        "withdrawn",
        "away",
    ] = "booked"
    """Where the meeting stands. ``away``: it falls inside an out-of-office the prospect
    announced after booking it (R17), so their absence calls it off, as a cancellation of
    theirs would (R15): new times are proposed on their return. A hold, a no-show, a
    cancellation or a new booking logged for it is taken as for a booked meeting."""


class Prospect(BaseModel):
    """One prospect's state. Build it with :meth:`cadence.Engine.enroll`; change it only through
    :meth:`cadence.Engine.apply` and :meth:`cadence.Engine.advance`, which return new values."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    schema_version: int = Field(default=PROSPECT_SCHEMA_VERSION, strict=True)
    id: str = Field(min_length=1, pattern=NOT_BLANK)
    stage: Stage
    """Where the prospect is in the lifecycle. Required, as ``blocked_channels`` is: every
    state cadence stores has both, and one cut without them had lost its opt-out (R13)."""
    timezone: str
    country: str | None = None
    subdivision: str | None = None
    owner: str | None = None
    """The rep who works this prospect (batch planning caps each owner's day)."""
    phone: str | None = None
    email: str | None = None
    """Contact points, matched against suppression lists in batch planning (R13)."""
    local: bool = Field(default=False, strict=True)
    """Whether the prospect is near enough for coffee or lunch in person (R14)."""
    topic: str | None = None
    """What the prospect asked about, for subjects that refer to their request (R7)."""
    enrolled_at: StoredInstant
    last_event_at: StoredInstant
    """The newest event applied (``apply`` refuses older ones, except opt-outs)."""
    advanced_at: StoredInstant | None = None
    """When the latest time-driven change ``Engine.advance`` stored took effect (R10's drop,
    R11's drip, R17's end of a pause): ``apply`` refuses an event older than it, as late."""
    seen: dict[str, str] = Field(default_factory=dict)
    """Idempotency: event id -> payload fingerprint."""
    seen_at: dict[str, int] = Field(default_factory=dict)
    """When the policy forgets ids (``Policy.event_id_memory_days``): event id -> the event's
    time, in microseconds since 1970-01-01 UTC (cheap to store and load), so that an id is
    forgotten once the newest event is that long after it."""

    # The unanswered ladder.
    unanswered: int = Field(default=0, ge=0, strict=True)
    """Unanswered attempts since the last response (R3, R8)."""
    calls_unanswered: int = Field(default=0, ge=0, strict=True)
    """Unanswered calls in a row (R7)."""
    calls_unheard: int = Field(default=0, ge=0, strict=True)
    """Calls in a row that rang out or stopped at a gatekeeper while the ladder's message (R8's
    offer, an R9 escalation, R10's breakup) was owed by phone: nobody heard it
    (``Policy.unheard_calls_limit``)."""
    last_attempt_at: StoredInstant | None = None
    last_attempt_slot: str | None = None
    """The part of the day of the last unanswered call (R4): its call slot, or the nearest."""
    last_response_at: StoredInstant | None = None
    """The last response (a reply, a conversation, a meeting, an opt-in). While the prospect
    is engaged, R3's gap counts from it or from the last attempt, whichever is later: record
    edits (``contact_updated``, a bounce) do not push the next attempt back."""
    recent_calls: tuple[StoredInstant, ...] = ()
    """Instants of recent calls, for elapsed-time caps (the last 30 days)."""
    opt_out_offered_at: StoredInstant | None = None
    """When the opt-out offer was made (R8), or when the prospect is back from an
    out-of-office that followed it: the longer gap before the next step runs from then."""
    offer_sent_by: str | None = Field(default=None, min_length=1, pattern=SENT_BY)
    """What made the opt-out offer (R8), so that a bounce arriving later, after other touches,
    is matched to it: ``"phone"``, or ``"email:"`` and the id of the ``email_sent`` that made
    it (nothing after the colon: it had no id; ``"old-email:"`` once a new address replaced
    the one it went to). None before the offer, or in a state stored by a release that did
    not keep it (a bounce is then matched as that release did)."""
    escalations_done: int = Field(default=0, ge=0, strict=True)
    breakup_sent_at: StoredInstant | None = None
    """When the breakup went out (R10), or when the prospect is back from an out-of-office
    that followed it: the wait for an answer runs from then."""
    breakup_sent_by: str | None = Field(default=None, min_length=1, pattern=SENT_BY)
    """What made the breakup (R10): as :attr:`offer_sent_by` for the offer."""
    dropped_at: StoredInstant | None = None
    last_drip_at: StoredInstant | None = None

    # What the prospect told us.
    permission: bool | None = Field(default=None, strict=True)
    """R12: may we contact them again when there is news (from the latest conversation; an
    opt-out withdraws it, and only a conversation after the opt-in gives it again)."""
    preferred_channel: Channel | None = None
    blocked_channels: frozenset[Channel]
    """Channels not to use: opted out of (R13), bounced, wrong number."""
    unreachable: frozenset[Channel] = frozenset()
    """The blocked channels that failed (a bounce, a wrong number) rather than were refused: a
    new address or number (``contact_updated``) opens them again."""
    paused_until: StoredInstant | None = None
    pause_reason: str | None = None
    resumed_at: StoredInstant | None = None
    """When the latest pause (R17) ended: its ``paused_until``, or the response that ended it
    early. Work that came due before then came due while the prospect was away: it is due,
    fresh, from then on, not overdue (an agreed time, R1, is ``moved``)."""

    obligations: tuple[Obligation, ...] = ()
    meetings: tuple[Meeting, ...] = ()

    @field_serializer("blocked_channels", "unreachable")
    def _sorted(self, value: frozenset[Channel]) -> list[str]:
        return sorted(c.value for c in value)  # hash-seed independent JSON

    # Stored states of an older schema_version migrate on load (DESIGN §9). Not through a
    # model-level "before" validator: that would make pydantic turn every stored JSON state
    # into Python objects before validating it, a third of a webhook's cost, for the rare old
    # state. The current version validates straight from JSON; an older one fails on its
    # version alone, and the two loaders below migrate it and validate again.
    @field_validator("schema_version")
    @classmethod
    def _current(cls, value: int) -> int:
        if value != PROSPECT_SCHEMA_VERSION:
            check_version(value, PROSPECT_SCHEMA_VERSION, "prospect")  # not one, or newer
            raise PydanticCustomError(
                _OLDER,
                "schema_version {version} is an older stored prospect: load it with "
                "Prospect.model_validate_json(...) or Prospect.model_validate(...), which "
                "migrate it",
                {"version": value},
            )
        return value

    @model_validator(mode="after")
    def _checked(self) -> Self:
        _check_sense(self)
        mark(self)  # (a copy or a model_construct is checked again by the engine: _checked)
        return self

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a prospect (a stored state of an older ``schema_version`` migrates)."""
        if isinstance(obj, dict):
            version = obj.get("schema_version", PROSPECT_SCHEMA_VERSION)
            if type(version) is int and 1 <= version < PROSPECT_SCHEMA_VERSION:
                obj = migrate(obj, PROSPECT_SCHEMA_VERSION, PROSPECT_STEPS, "prospect")
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise_version_error(exc)  # (a schema_version this cadence cannot read: its own type)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Load a stored JSON state (one of an older ``schema_version`` migrates)."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            if not any(e["type"] == _OLDER for e in exc.errors()):
                raise_version_error(exc)
        return cls.model_validate(from_json(json_data), **kwargs)

    @property
    def is_terminal(self) -> bool:
        """Opted out or closed."""
        return self.stage in (Stage.OPTED_OUT, Stage.CLOSED)

    def meeting(self, meeting_id: str) -> Meeting | None:
        """The meeting with this id, if any."""
        for m in self.meetings:
            if m.id == meeting_id:
                return m
        return None


_FIX = "restore both from the state cadence stored, or rebuild it with Engine.replay"


def _check_sense(p: Prospect) -> None:
    """What no state cadence writes holds, whatever its types: a state edited by hand (in a
    CRM's JSON column) that would plan as no history could (DESIGN §9)."""
    last = p.last_event_at
    if p.enrolled_at > last:
        msg = (
            f"enrolled_at: {p.enrolled_at.isoformat()!r} is after last_event_at "
            f"{last.isoformat()!r}, but enrolment is a state's first event; {_FIX}"
        )
        raise ValueError(msg)
    for name in ("last_attempt_at", "last_response_at"):
        at = getattr(p, name)
        if at is not None and at > last:
            msg = (
                f"{name}: {at.isoformat()!r} is after last_event_at {last.isoformat()!r}, the "
                f"newest event applied, but it was an event's; {_FIX}"
            )
            raise ValueError(msg)
    if not p.unreachable <= p.blocked_channels:
        loose = sorted(c.value for c in p.unreachable - p.blocked_channels)
        msg = (
            f"unreachable: {loose!r} is missing from blocked_channels "
            f"{sorted(c.value for c in p.blocked_channels)!r}, but a channel that failed (a "
            f"bounce, a wrong number) is blocked until a new address or number; {_FIX}"
        )
        raise ValueError(msg)
    ids = [m.id for m in p.meetings]
    if len(ids) != len(set(ids)):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        msg = (
            f"meetings: id {twice[0]!r} is held twice, but a meeting booked again under its id "
            f"replaces the first; {_FIX}"
        )
        raise ValueError(msg)
