"""A cadence policy: every number and text the engine uses, as data (DESIGN §2).

``Policy()`` encodes the seeds' practices R1–R13 and R16 with their default numbers. Policies are
frozen, hashable pydantic models: a team changes a knob by constructing a new one, never by
subclassing.

>>> Policy().min_gap_business_days
4
>>> Policy(min_gap_business_days=2).opt_out_offer_after
3
"""

from __future__ import annotations

import itertools
import re
from datetime import date, time
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from cadence._migrations import POLICY_STEPS, migrate
from cadence._words import check_locale

__all__ = ["POLICY_SCHEMA_VERSION", "Policy", "Templates", "TimeSlot", "WeekdayHours"]

POLICY_SCHEMA_VERSION = 1

Escalation = Literal["contact_receptionist", "ask_decision_makers", "manager_escalation"]


class TimeSlot(BaseModel):
    """A named part of the local day, half-open ``[start, end)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            msg = f"slot {self.name!r}: start and end are local wall-clock times; drop the tzinfo"
            raise ValueError(msg)
        if not self.start < self.end:
            msg = (
                f"slot {self.name!r}: start {self.start} must be before end {self.end} "
                "(windows may not cross midnight; split them in two)"
            )
            raise ValueError(msg)
        return self


class WeekdayHours(BaseModel):
    """Hours for one channel on one weekday (0 = Monday), replacing the default slots that day.

    An empty ``slots`` closes the channel that day.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekday: int = Field(ge=0, le=6)
    channel: Literal["phone", "email"]
    slots: tuple[TimeSlot, ...]

    @field_validator("slots")
    @classmethod
    def _disjoint(cls, value: tuple[TimeSlot, ...]) -> tuple[TimeSlot, ...]:
        return _disjoint_slots(value)


def _disjoint_slots(value: tuple[TimeSlot, ...]) -> tuple[TimeSlot, ...]:
    ordered = sorted(value, key=lambda s: s.start)
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            msg = f"slots {a.name!r} and {b.name!r} overlap; make them disjoint"
            raise ValueError(msg)
    return tuple(ordered)


class Templates(BaseModel):
    """Talking points and subjects (R5, R6, R7, R8, R10, R14, R15). ``{name}`` fields are filled
    by the engine: ``next_attempt`` ("Tuesday morning"), ``voicemail_day`` ("Monday")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    locale: str = "en"
    """Language of the day names filled into the texts (e.g. ``fr`` gives "mardi")."""
    voicemail: str = (
        "If you reach voicemail: say you will try again {next_attempt}, and give one short reason "
        "to talk (news, an offer, a deadline if it is time-sensitive). Do not pitch."
    )
    voicemail_next_is_email: str = (
        "If you reach voicemail: say you will follow up by email {next_attempt}, and give one "
        "short reason to talk. Do not pitch."
    )
    voicemail_email: str = (
        "Mention the voicemail you left {voicemail_day}; keep it brief and repeat the one reason "
        "to talk."
    )
    switch_to_email_subject: str = "Regarding your request about {topic}"
    opt_out_offer: str = (
        "We keep missing each other. Say you will keep trying until you connect, unless they "
        "would prefer you didn't, and that you will respect their answer."
    )
    breakup: str = (
        "A last, gracious message: you have not been able to connect, so you are closing their "
        "file; they can reach you any time if things change."
    )
    ask_permission: str = "Before you hang up, ask: may I contact you again when there is news?"
    ask_channel: str = "Ask how they prefer to be reached when you need an answer (R16)."
    ask_decision_makers: str = "Ask who else besides them is involved in the decision."
    agree_next_contact: str = "Agree a specific date and time for the next contact before you end."
    drip_touch: str = "Share something useful (news, a case, an insight); no ask."
    receptionist: str = (
        "Call the receptionist or assistant: say you have had trouble connecting and ask "
        "whether they have been away or something has changed."
    )
    manager_escalation: str = (
        "Have your manager contact your contact's superior, so you keep face with your contact."
    )

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        return check_locale(value)


class Policy(BaseModel):
    """The rules a team follows. Every field has a default taken from the seeds (DESIGN §2)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = POLICY_SCHEMA_VERSION

    # The unanswered ladder (R3, R4, R6, R7, R8, R9, R10).
    min_gap_business_days: int = Field(default=4, ge=1, le=60)
    """R3: business days between unanswered contact attempts."""
    switch_channel_after: int = Field(default=2, ge=1)
    """R7: after this many unanswered calls in a row, the next attempt is an email."""
    voicemail_email: bool = True
    """R6: follow every voicemail with a brief email, the same day, that mentions it."""
    opt_out_offer_after: int = Field(default=3, ge=1, le=50)
    """R8: unanswered attempts before the opt-out offer."""
    opt_out_gap_business_days: int = Field(default=10, ge=1, le=120)
    """R8: the longer gap after the opt-out offer."""
    escalations: tuple[Escalation, ...] = ()
    """R9: optional escalation steps tried, in order, after the opt-out offer."""
    breakup_wait_business_days: int = Field(default=5, ge=1, le=60)
    """R10: no answer this long after the breakup message means the prospect is dropped."""

    # Conversations (R1, R2, R17).
    followup_business_days: int = Field(default=2, ge=1, le=30)
    """R1: follow-up for a conversation that ended without an agreed next contact."""
    reaction_minutes: int = Field(default=5, ge=1, le=24 * 60)
    """How soon after an event the engine's first reaction may be due."""
    commitment_grace_minutes: int = Field(default=30, ge=1, le=24 * 60)
    """R1: how long after an agreed time the promised contact counts as on time."""
    proposal_count: int = Field(default=3, ge=1, le=10)
    """How many new times a ``propose_times`` action offers (R14, R15)."""
    meeting_minutes: int = Field(default=30, ge=5, le=480)
    flexible_slots: tuple[TimeSlot, ...] = (
        TimeSlot(name="before hours", start=time(8), end=time(9)),
        TimeSlot(name="after hours", start=time(17), end=time(18, 30)),
    )
    """R14: outside-hours options offered when the rep had to cancel."""
    out_of_office_default_days: int = Field(default=5, ge=1, le=60)
    """R17: pause when an out-of-office gives no return date (business days)."""

    # Drip (R11, R12) and opt-outs (R13).
    drip_interval_days: int = Field(default=30, ge=1, le=366)
    drip_requires_permission: bool = True
    opt_out_scope: Literal["all", "channel"] = "all"
    """R13: whether an opt-out naming channels blocks only those (``channel``) or all."""

    # Calendar (DESIGN §4, §5).
    weekmask: str = "1111100"
    """Business days, Monday first: ``1`` works, ``0`` does not (e.g. ``1111001`` for Sun–Thu)."""
    call_slots: tuple[TimeSlot, ...] = (
        TimeSlot(name="morning", start=time(9), end=time(12)),
        TimeSlot(name="midday", start=time(12), end=time(14)),
        TimeSlot(name="afternoon", start=time(14), end=time(17)),
    )
    """Calling hours on business days, split into the parts of the day that R4 rotates through."""
    email_hours: tuple[TimeSlot, ...] = (
        TimeSlot(name="business hours", start=time(8), end=time(18)),
    )
    weekday_hours: tuple[WeekdayHours, ...] = ()
    """Per-weekday overrides of ``call_slots`` / ``email_hours`` (e.g. short Fridays)."""
    team_country: str | None = None
    team_subdivision: str | None = None
    extra_holidays: frozenset[date] = frozenset()
    """Team-wide non-working days on top of the holiday calendars."""
    legal_guards: bool = True
    """Intersect calling hours with the legal calling rules of the prospect's jurisdiction."""

    templates: Templates = Templates()

    @field_serializer("extra_holidays")
    def _sorted(self, value: frozenset[date]) -> list[str]:
        return sorted(d.isoformat() for d in value)  # hash-seed independent JSON

    @field_validator("weekmask")
    @classmethod
    def _weekmask(cls, value: str) -> str:
        if not re.fullmatch(r"[01]{7}", value) or "1" not in value:
            msg = f"weekmask {value!r} must be 7 characters of 0/1, Monday first, with a 1"
            raise ValueError(msg)
        return value

    @field_validator("call_slots", "email_hours")
    @classmethod
    def _slots(cls, value: tuple[TimeSlot, ...]) -> tuple[TimeSlot, ...]:
        if not value:
            msg = "needs at least one slot, e.g. TimeSlot(name='day', start='09:00', end='17:00')"
            raise ValueError(msg)
        return _disjoint_slots(value)

    @field_validator("team_country", "team_subdivision")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else None

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        return migrate(data, POLICY_SCHEMA_VERSION, POLICY_STEPS, "policy")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        seen = [(w.weekday, w.channel) for w in self.weekday_hours]
        if len(seen) != len(set(seen)):
            msg = "weekday_hours: one entry per (weekday, channel); merge the duplicates"
            raise ValueError(msg)
        if self.team_subdivision and not self.team_country:
            msg = "team_subdivision needs team_country (e.g. team_country='US')"
            raise ValueError(msg)
        return self
