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
from datetime import date, time, timedelta
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from cadence._checked import mark
from cadence._clock import ClockEnd, ClockTime
from cadence._json_values import CalendarDate, repeats_allowed
from cadence._migrations import POLICY_STEPS, migrate, raise_version_error
from cadence._numbers import Count, Flag, a_count
from cadence._stretches import occupied
from cadence._templates import Templates
from cadence.businessdays import check_region, subdivision_code
from cadence.channel import Channel
from cadence.compliance import PRESETS, CallingRule
from cadence.errors import InvalidInputError

__all__ = ["POLICY_SCHEMA_VERSION", "Policy", "Templates", "TimeSlot", "WeekdayHours"]

POLICY_SCHEMA_VERSION = 1

#: How long a prospect's state keeps its calls (``Prospect.recent_calls``): the longest span an
#: elapsed-time cap may count over.
RECENT_CALLS_DAYS = 31

#: A weekmask, in the JSON Schema too: 0s and 1s with a 1 (and seven of them).
WEEKMASK_PATTERN = r"^[01]*1[01]*$"

Escalation = Literal["contact_receptionist", "ask_decision_makers", "manager_escalation"]


class TimeSlot(BaseModel):
    """A named part of the local day, half-open ``[start, end)``."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    name: str = Field(min_length=1)
    """What the part of the day is called (``morning``); R4 rotates by name. Talking points
    say it after the day ("Tuesday morning"): under a ``Templates.locale`` cadence has texts in
    (``de``, ``es``, ``fr``) the usual English names (early, morning, am, midday, noon, lunch,
    lunchtime, afternoon, pm, evening, late, night) in that language ("mardi midi",
    "Dienstagmittag", "martes al mediodía"), a name for the whole day (day, all day, whole
    day, business hours, working hours) not at all ("Monday"), and any other name as written:
    name slots in the team's language."""
    start: ClockTime
    """Local wall-clock start, inclusive (``09:00``)."""
    end: ClockEnd
    """Local wall-clock end, exclusive; after ``start`` on the same day (``24:00``: midnight,
    the day's end)."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            msg = f"slot {self.name!r}: start and end are local wall-clock times; drop the tzinfo"
            raise ValueError(msg)
        if not self.start < self.end:
            msg = (
                f"slot {self.name!r}: start {self.start} must be before end {self.end} "
                f"(windows may not cross midnight; split it in two there: {self.start:%H:%M}-"
                f"24:00 and 00:00-{self.end:%H:%M})"
            )
            raise ValueError(msg)
        return self


class WeekdayHours(BaseModel):
    """Hours for one channel on one weekday (0 = Monday), replacing the default slots that day.

    An empty ``slots`` closes the channel that day.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    weekday: Count = Field(ge=0, le=6)
    """0 = Monday … 6 = Sunday."""
    channel: Literal["phone", "email"]
    """The channel whose hours change that day."""
    slots: tuple[TimeSlot, ...]
    """That day's hours for the channel (disjoint); empty closes it. Calling hours that lie in
    a part of the day of ``call_slots`` are in that part for R4 (and ``Action.slot``), whatever
    their own name: a Monday ``morning`` of 10:00-12:00 is in a ``day`` of 10:00-16:00; hours
    outside every part of ``call_slots`` are a part of the day of their own name."""

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


class Policy(BaseModel):
    """The rules a team follows. Every field has a default taken from the seeds (DESIGN §2)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    schema_version: int = Field(
        default=POLICY_SCHEMA_VERSION,
        json_schema_extra={"minimum": 1, "maximum": POLICY_SCHEMA_VERSION},
    )
    """The policy format version; older stored policies migrate on load, newer ones are refused."""

    # The unanswered ladder (R3, R4, R6, R7, R8, R9, R10).
    min_gap_business_days: Count = Field(default=4, ge=1, le=60)
    """R3: business days between unanswered contact attempts."""
    switch_channel_after: Count = Field(default=2, ge=1)
    """R7: after this many unanswered calls in a row, the next attempt is an email."""
    voicemail_email: Flag = True
    """R6: follow every voicemail with a brief email, the same day, that mentions it."""
    opt_out_offer_after: Count = Field(default=3, ge=1, le=50)
    """R8: unanswered attempts before the opt-out offer."""
    opt_out_gap_business_days: Count = Field(default=10, ge=1, le=120)
    """R8: the longer gap after the opt-out offer; never shorter than ``min_gap_business_days``
    (a smaller number waits that gap, and ``cadence policy validate`` notes it)."""
    unheard_calls_limit: Count = Field(default=3, ge=1, le=20)
    """R8–R10: calls in a row nobody heard (they rang out, or stopped at a gatekeeper) after
    which a message step of the ladder stops waiting for a call: an escalation (R9) is passed
    over; the opt-out offer (R8) goes by email, even to a prospect who prefers the phone; and
    when no email can carry the offer or the breakup (R10), nothing is asked until a new number
    or address (``contact_updated``). A pause (R17) or a new number starts the count again."""
    escalations: tuple[Escalation, ...] = ()
    """R9: optional escalation steps tried, in order, after the opt-out offer; each at most
    once."""
    breakup_wait_business_days: Count = Field(default=5, ge=1, le=60)
    """R10: no answer this long after the breakup message means the prospect is dropped."""

    # Conversations (R1, R2, R17).
    followup_business_days: Count = Field(default=2, ge=1, le=30)
    """R1: follow-up for a conversation that ended without an agreed next contact."""
    reaction_minutes: Count = Field(default=5, ge=1, le=24 * 60)
    """How soon after an event the engine's first reaction may be due."""
    commitment_grace_minutes: Count = Field(default=30, ge=1, le=24 * 60)
    """R1: how long after an agreed time the promised contact counts as on time. Slots that
    follow each other do not cut it (they are R4's parts of the day); the law's limits and the
    end of the calling hours do."""
    proposal_count: Count = Field(default=3, ge=1, le=10)
    """How many new times a ``propose_times`` action offers (R14, R15)."""
    meeting_minutes: Count = Field(default=30, ge=5, le=480)
    """Length of a proposed meeting, in minutes (R14, R15). Times are proposed only where the
    whole meeting fits in the day's calling hours (touching ``call_slots`` are one stretch; R14's
    ``flexible_slots`` add to them), so it may be no longer than their longest stretch on a
    working day."""
    flexible_slots: tuple[TimeSlot, ...] = (
        TimeSlot(name="before hours", start=time(8), end=time(9)),
        TimeSlot(name="after hours", start=time(17), end=time(18, 30)),
    )
    """R14: outside-hours options offered when the rep had to cancel."""
    out_of_office_default_days: Count = Field(default=5, ge=1, le=60)
    """R17: pause when an out-of-office gives no return date (business days)."""

    # Drip (R11, R12) and opt-outs (R13).
    drip_interval_days: Count = Field(default=30, ge=1, le=366)
    """R11: days between drip touches for dropped prospects and lost deals."""
    drip_requires_permission: Flag = True
    """R12: drip only prospects who gave permission to be contacted again."""
    opt_out_scope: Literal["all", "channel"] = "all"
    """R13: whether an opt-out naming channels blocks only those (``channel``) or all."""

    # Calendar (DESIGN §4, §5).
    weekmask: str = Field(
        default="1111100",
        json_schema_extra={"pattern": WEEKMASK_PATTERN, "minLength": 7, "maxLength": 7},
    )
    """Business days, Monday first: ``1`` works, ``0`` does not (e.g. ``1111001`` for Sun–Thu)."""
    call_slots: tuple[TimeSlot, ...] = Field(
        default=(
            TimeSlot(name="morning", start=time(9), end=time(12)),
            TimeSlot(name="midday", start=time(12), end=time(14)),
            TimeSlot(name="afternoon", start=time(14), end=time(17)),
        ),
        json_schema_extra={"minItems": 1},
    )
    """Calling hours on business days, split into the parts of the day that R4 rotates through."""
    email_hours: tuple[TimeSlot, ...] = Field(
        default=(TimeSlot(name="business hours", start=time(8), end=time(18)),),
        json_schema_extra={"minItems": 1},
    )
    """Hours in which emails are due on business days."""
    weekday_hours: tuple[WeekdayHours, ...] = ()
    """Per-weekday overrides of ``call_slots`` / ``email_hours`` (e.g. short Fridays), for
    working days of ``weekmask`` (an empty ``slots`` may name any day, but may not close a
    channel on every working day)."""
    team_country: str | None = None
    """The team's country (ISO 3166): its holidays are non-working days too."""
    team_subdivision: str | None = None
    """The team's state or province (ISO 3166-2 code without the country, e.g. ``IL``)."""
    extra_holidays: frozenset[CalendarDate] = Field(
        default=frozenset(), json_schema_extra=repeats_allowed
    )
    """Team-wide non-working days on top of the holiday calendars."""
    legal_guards: Flag = True
    """Intersect calling hours with the legal calling rules of the prospect's jurisdiction."""
    calling_rules: tuple[CallingRule, ...] = ()
    """Legal calling rules of your own, on top of the ones cadence ships
    (``cadence.compliance.PRESETS``): a jurisdiction it does not cover, or a newer version of a
    law it does (the same ``id`` with a later ``effective_from`` replaces the shipped version
    from that day). They bind like the shipped ones: the strictest rule wins, and an action
    cites each rule that bounded it. Have your counsel read the statute, and cite it in
    ``source``. A cap may count over at most 31 days (how long a state keeps its calls)."""

    templates: Templates = Templates()
    """Talking points and subjects the actions carry."""

    # Integration (DESIGN §9).
    event_id_memory_days: Annotated[int, Field(ge=1, le=3660), BeforeValidator(a_count)] | None = (
        None
    )
    """How long a prospect's state remembers the ids of the events applied to it, in days
    before its newest event. ``None`` (the default): every id, for the whole history, so that
    every redelivery is a no-op; the stored state grows by the id's length plus 22 bytes an
    event. A number bounds the state: an id is forgotten once the newest event is that many
    days after the event it named. A redelivery of such an event is then older than the
    newest one, so ``apply`` refuses it as late (``LateEventError``); it is never applied
    twice (an opt-out is honoured again, as every late opt-out is: R13). ``replay`` forgets
    ids the same way, event by event: an id that comes back after that is a new event's."""

    @field_serializer("extra_holidays")
    def _sorted(self, value: frozenset[date]) -> list[str]:
        return sorted(d.isoformat() for d in value)  # hash-seed independent JSON

    @field_validator("weekmask")
    @classmethod
    def _weekmask(cls, value: str) -> str:
        if not re.fullmatch(WEEKMASK_PATTERN, value) or len(value) != 7:
            msg = f"weekmask {value!r} must be 7 characters of 0/1, Monday first, with a 1"
            raise ValueError(msg)
        return value

    @field_validator("escalations")
    @classmethod
    def _each_once(cls, value: tuple[Escalation, ...]) -> tuple[Escalation, ...]:
        # Listed twice, a step was taken twice: a manager asked twice to call the superior.
        twice = sorted({step for step in value if value.count(step) > 1})
        if twice:
            msg = (
                f"escalations: {', '.join(map(repr, twice))} listed more than once; list each "
                "step once, in the order to try them"
            )
            raise ValueError(msg)
        return value

    @field_validator("call_slots", "email_hours")
    @classmethod
    def _slots(cls, value: tuple[TimeSlot, ...]) -> tuple[TimeSlot, ...]:
        if not value:
            msg = "needs at least one slot, e.g. TimeSlot(name='day', start='09:00', end='17:00')"
            raise ValueError(msg)
        return _disjoint_slots(value)

    @field_validator("team_country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else None

    @field_validator("team_subdivision")
    @classmethod
    def _spelt_as_holidays_does(cls, value: str | None, info: ValidationInfo) -> str | None:
        # (Declared after team_country, validated after it.) "noord" with NL is "Noord"
        return subdivision_code(info.data.get("team_country"), value) if value else None

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        return migrate(data, POLICY_SCHEMA_VERSION, POLICY_STEPS, "policy")

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a policy (a stored one of an older ``schema_version`` migrates; one this
        cadence cannot read is a :class:`~cadence.errors.SchemaVersionError`)."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise_version_error(exc)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Load a stored JSON policy (see :meth:`model_validate`)."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise_version_error(exc)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        seen = [(w.weekday, w.channel) for w in self.weekday_hours]
        if len(seen) != len(set(seen)):
            msg = "weekday_hours: one entry per (weekday, channel); merge the duplicates"
            raise ValueError(msg)
        _check_days_off(self.weekday_hours, self.weekmask)
        _check_some_hours(self.weekday_hours, self.weekmask)
        _check_meeting_fits(self)
        if self.team_subdivision and not self.team_country:
            msg = "team_subdivision needs team_country (e.g. team_country='US')"
            raise ValueError(msg)
        try:  # the team's holidays: a place that exists
            check_region(self.team_country, None, field="team_country")
            if self.team_subdivision:
                check_region(self.team_country, self.team_subdivision, field="team_subdivision")
        except InvalidInputError as exc:
            raise ValueError(str(exc)) from None
        _check_calling_rules(self.calling_rules)
        # Marked as checked (:mod:`cadence._checked`): pydantic's ``model_copy(update=...)``, a
        # common way to tweak a policy, validates nothing (``min_gap_business_days=0`` went
        # through), and the engine validates such a copy again.
        mark(self)
        return self


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _check_days_off(overrides: tuple[WeekdayHours, ...], weekmask: str) -> None:
    """Hours given for a weekday the weekmask takes off would never be used: a team that
    writes Saturday's hours means to work on Saturdays."""
    for w in overrides:
        if w.slots and weekmask[w.weekday] == "0":
            works = weekmask[: w.weekday] + "1" + weekmask[w.weekday + 1 :]
            msg = (
                f"weekday_hours: weekday {w.weekday} ({_WEEKDAYS[w.weekday]}) has "
                f"{w.channel} hours, but weekmask {weekmask!r} makes it a day off, so they "
                f"would never apply; write weekmask {works!r} to work that day, or drop the entry"
            )
            raise ValueError(msg)


def _check_some_hours(overrides: tuple[WeekdayHours, ...], weekmask: str) -> None:
    """A channel closed on every working day leaves the engine no time for it, ever: the
    first call (or email) raised ``NoSlotError`` at every prospect."""
    working = [day for day in range(7) if weekmask[day] == "1"]
    for channel in ("phone", "email"):
        closed = {w.weekday for w in overrides if w.channel == channel and not w.slots}
        if set(working) <= closed:
            days = ", ".join(_WEEKDAYS[day] for day in working)
            msg = (
                f"weekday_hours: closes {channel} on every working day of weekmask "
                f"{weekmask!r} ({days}), so no {channel} contact could ever be made; give one "
                "of those days hours, or work another day"
            )
            raise ValueError(msg)


_US = 1_000_000
_DAY_US = 24 * 3600 * _US


def _us(at: time) -> int:
    """Microseconds of local wall time since midnight; ``24:00`` (``time.max``) is the day's."""
    if at == time.max:
        return _DAY_US
    return ((at.hour * 60 + at.minute) * 60 + at.second) * _US + at.microsecond


def _stretches(hours: tuple[tuple[time, time], ...]) -> list[tuple[int, int]]:
    """The day's hours as merged stretches: slots that touch (R4's parts of the day) are one."""
    return occupied([(_us(a), _us(b)) for a, b in hours])


def _meeting_fits(start: time, minutes: int, hours: tuple[tuple[time, time], ...]) -> bool:
    """Whether a meeting of ``minutes`` from ``start`` lies wholly inside the local ``hours``
    (touching slots count as one stretch, so a meeting may run from one part of the day into
    the next, never over a break or past the hours' end)."""
    begin = _us(start)
    end = begin + minutes * 60 * _US
    return any(a <= begin and end <= b for a, b in _stretches(hours))


def _hhmm(us: int) -> str:
    return f"{us // (3600 * _US):02d}:{us // (60 * _US) % 60:02d}"


def _longest_stretch(
    weekmask: str,
    call_slots: tuple[TimeSlot, ...],
    weekday_hours: tuple[WeekdayHours, ...] = (),
) -> tuple[int, str]:
    """The longest stretch of calling hours on a working day, in minutes, and where it is
    (``"Monday's 09:00-17:00"``): the longest meeting that can be proposed (R14, R15)."""
    longest, where = 0, ""
    for day in range(7):
        if weekmask[day] == "0":
            continue
        slots = next(
            (w.slots for w in weekday_hours if w.weekday == day and w.channel == "phone"),
            call_slots,
        )
        for a, b in _stretches(tuple((s.start, s.end) for s in slots)):
            if b - a > longest:
                longest, where = b - a, f"{_WEEKDAYS[day]}'s {_hhmm(a)}-{_hhmm(b)}"
    return longest // (60 * _US), where


def _check_meeting_fits(policy: Policy) -> None:
    """A meeting longer than every stretch of calling hours could never be proposed inside
    them (R14, R15): its times would run past the day's hours."""
    most, where = _longest_stretch(policy.weekmask, policy.call_slots, policy.weekday_hours)
    if policy.meeting_minutes > most:
        msg = (
            f"meeting_minutes: {policy.meeting_minutes!r} is longer than any stretch of calling "
            f"hours on a working day (the longest is {where}, {most} minutes), so no meeting "
            f"could be proposed inside them; give meeting_minutes at most {most}, or widen "
            "call_slots (or weekday_hours)"
        )
        raise ValueError(msg)


def _check_calling_rules(rules: tuple[CallingRule, ...]) -> None:
    """A policy's own rules: places that exist, caps the state can count, one version of an id
    a day."""
    for rule in rules:
        try:  # a misspelt place would silently bind no one
            check_region(rule.country, rule.subdivision, field="calling_rules")
        except InvalidInputError as exc:
            raise ValueError(f"{exc} (in {rule.key()!r})") from None
        if Channel.MEETING in rule.channels:
            msg = (
                f"calling_rules: {rule.key()!r} binds meetings, but a meeting is a time the "
                "prospect booked, not a contact the engine times, so the rule would bind "
                "nothing there; bind 'phone' or 'email'"
            )
            raise ValueError(msg)
        if rule.cap is not None and rule.channels != {Channel.PHONE}:
            msg = (
                f"calling_rules: {rule.key()!r} caps {', '.join(sorted(rule.channels))}, but "
                "only calls are counted; give a cap to a rule on the phone alone"
            )
            raise ValueError(msg)
        if rule.cap is not None and rule.cap.per > timedelta(days=RECENT_CALLS_DAYS):
            msg = (
                f"calling_rules: {rule.key()!r} caps calls {rule.cap}, but a prospect's "
                f"state keeps its calls for {RECENT_CALLS_DAYS} days; give a cap over at most "
                f"{RECENT_CALLS_DAYS} days"
            )
            raise ValueError(msg)
    places: dict[str, CallingRule] = {}
    for rule in (*PRESETS, *rules):
        first = places.setdefault(rule.id, rule)
        if (first.country, first.subdivision) != (rule.country, rule.subdivision):
            where = "-".join(c for c in (first.country, first.subdivision) if c)
            msg = (
                f"calling_rules: {rule.key()!r} gives {rule.id!r} another place than "
                f"{first.key()!r} ({where}); a newer version replaces the older one, so {where} "
                "would lose its rule: give the new rule its own id"
            )
            raise ValueError(msg)
    versions: dict[tuple[str, date], CallingRule] = {}
    for rule in (*PRESETS, *rules):
        held = versions.setdefault((rule.id, rule.effective_from), rule)
        if held != rule:
            msg = (
                f"calling_rules: {held.key()!r} and {rule.key()!r} both take effect on "
                f"{rule.effective_from}; give each version of {rule.id!r} its own effective_from"
            )
            raise ValueError(msg)
