"""Hypothesis strategies for cadence: places, instants, events, policies and whole histories.

Written so that they can move into a public ``cadence.testing`` module: every public name is a
function returning a strategy (like ``hypothesis.strategies``), arguments are keyword-only
strategies or plain values, and nothing here reads a clock or the environment.

>>> from hypothesis import given
>>> @given(history=histories())
... def test_next_action_is_never_due_before_now(history: History) -> None:
...     engine = engine_for(history.policy)
...     now = history.last_at
...     assert engine.next_action(history.final, now).earliest >= now

The most useful strategy is :func:`histories`: it drives the engine itself, one step at a time,
asking for the next action and answering it with a plausible event (a call that reached voicemail,
an email sent, a meeting held) at or after the time the engine asked for, and now and then
interleaving an unrelated event at a random later time. The result reads like a CRM's log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

import cadence
from cadence import events as ev
from cadence.actions import Action, ActionKind
from cadence.channel import Channel
from cadence.events import CallOutcome, ReplyIntent
from cadence.policy import Escalation, Policy, TimeSlot
from cadence.prospect import Prospect

__all__ = [
    "CALL_SLOTS",
    "EMAIL_HOURS",
    "EVENT_TYPES",
    "REGIONS",
    "WEEKMASKS",
    "ZONES",
    "History",
    "Region",
    "call_attempted",
    "channel_preference",
    "deal_closed",
    "delays",
    "email_bounced",
    "email_replied",
    "email_sent",
    "engine_for",
    "event_ids",
    "events",
    "histories",
    "instants",
    "ladders",
    "meeting_booked",
    "meeting_cancelled",
    "meeting_held",
    "meeting_no_show",
    "moments",
    "opted_in",
    "opted_out",
    "out_of_office",
    "policies",
    "regions",
    "transitions_of",
]

# -- places -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Region:
    """Where a prospect lives: an IANA zone and the ISO 3166 codes that pick holidays and laws."""

    timezone: str
    country: str | None
    subdivision: str | None = None


#: Zones chosen for their awkward corners: US states with their own calling laws, France's
#: split calling day, a half-hour offset (Kolkata), a half-hour DST shift (Lord Howe), a DST
#: change at midnight (Santiago on a Sunday; Cairo on a Friday, a business day under the default
#: weekmask, where local midnight does not exist on the spring-forward day), and a prospect
#: without a country (no holidays, no legal rules).
REGIONS: tuple[Region, ...] = (
    Region("America/Chicago", "US", "IL"),
    Region("America/New_York", "US", "NY"),
    Region("America/Los_Angeles", "US", "CA"),
    Region("America/New_York", "US", "FL"),
    Region("America/New_York", "US", "CT"),
    Region("America/Chicago", "US", "OK"),
    Region("Europe/Paris", "FR"),
    Region("Europe/Berlin", "DE"),
    Region("Asia/Kolkata", "IN"),
    Region("Australia/Lord_Howe", "AU", "NSW"),
    Region("America/Santiago", "CL"),
    Region("Africa/Cairo", "EG"),
    Region("Europe/London", None),
)

ZONES: tuple[str, ...] = tuple(dict.fromkeys(r.timezone for r in REGIONS))


def regions(choices: Sequence[Region] = REGIONS) -> SearchStrategy[Region]:
    """One of ``choices`` (default: :data:`REGIONS`)."""
    return st.sampled_from(tuple(choices))


# -- time -------------------------------------------------------------------------------------


@cache
def transitions_of(zone: str, min_year: int = 2024, max_year: int = 2030) -> tuple[datetime, ...]:
    """The instants (UTC, to the minute) at which ``zone`` changes its UTC offset."""
    tz = ZoneInfo(zone)
    out: list[datetime] = []
    t = datetime(min_year, 1, 1, tzinfo=UTC)
    end = datetime(max_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=12)
    while t < end:
        nxt = t + step
        if t.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = t, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            out.append(hi.replace(second=0, microsecond=0))
        t = nxt
    return tuple(out)


def instants(
    zones: Sequence[str] = ZONES,
    *,
    min_year: int = 2024,
    max_year: int = 2030,
    near_transitions: bool = True,
) -> SearchStrategy[datetime]:
    """Aware instants between ``min_year`` and ``max_year``, expressed in one of ``zones``.

    Never an imaginary wall time. With ``near_transitions`` about half of them fall within a day
    and a half of a DST change of their zone, where calendars go wrong.
    """
    tzs = [ZoneInfo(z) for z in zones]
    uniform = st.datetimes(
        min_value=datetime(min_year, 1, 1),
        max_value=datetime(max_year, 12, 31, 23, 59, 59),
        timezones=st.sampled_from(tzs),
        allow_imaginary=False,
    )
    changing = [z for z in zones if transitions_of(z, min_year, max_year)]
    if not near_transitions or not changing:
        return uniform

    def near(zone: str) -> SearchStrategy[datetime]:
        tz = ZoneInfo(zone)
        return st.builds(
            lambda t, minutes, seconds: (
                t + timedelta(minutes=minutes, seconds=seconds)
            ).astimezone(tz),
            st.sampled_from(transitions_of(zone, min_year, max_year)),
            st.integers(-36 * 60, 36 * 60),
            st.integers(0, 59),
        )

    return st.one_of(uniform, st.sampled_from(changing).flatmap(near))


def delays(
    *, min_delay: timedelta = timedelta(0), max_delay: timedelta = timedelta(days=45)
) -> SearchStrategy[timedelta]:
    """Durations in ``[min_delay, max_delay]``: a mix of seconds, minutes, hours and weeks."""
    lo = int(min_delay.total_seconds())
    hi = int(max_delay.total_seconds())
    scales = [s for s in (0, 600, 4 * 3600, 3 * 86400) if lo <= lo + s <= hi] + [hi - lo]
    return (
        st.sampled_from(scales)
        .flatmap(lambda s: st.integers(lo, lo + s))
        .map(lambda n: timedelta(seconds=n))
    )


def _after(at: datetime, minimum: timedelta = timedelta(seconds=1)) -> SearchStrategy[datetime]:
    return delays(min_delay=minimum, max_delay=timedelta(days=60)).map(lambda d: at + d)


# -- events -----------------------------------------------------------------------------------

_OUTCOMES: tuple[CallOutcome, ...] = ("connected", "voicemail", "no_answer", "gatekeeper")
_UNANSWERED: tuple[CallOutcome, ...] = ("voicemail", "voicemail", "no_answer", "gatekeeper")
_INTENTS: tuple[ReplyIntent | None, ...] = (
    None,
    "positive",
    "neutral",
    "not_now",
    "referral",
    "wrong_person",
    "unsubscribe",
)
_PREFERRED: tuple[Literal[Channel.PHONE, Channel.EMAIL], ...] = (Channel.PHONE, Channel.EMAIL)
_MEETING_IDS = ("m1", "m2", "m3")


def event_ids() -> SearchStrategy[str | None]:
    """An optional idempotency id (short, so that some of them collide on purpose)."""
    return st.none() | st.text(alphabet="abc123-", min_size=1, max_size=4)


def _or(value: SearchStrategy[datetime] | None) -> SearchStrategy[datetime]:
    return instants() if value is None else value


def _ids(value: SearchStrategy[str | None] | None) -> SearchStrategy[str | None]:
    return event_ids() if value is None else value


def _meetings(value: SearchStrategy[str] | None) -> SearchStrategy[str]:
    return st.sampled_from(_MEETING_IDS) if value is None else value


@st.composite
def _call_attempted(
    draw: st.DrawFn,
    at: SearchStrategy[datetime],
    ids: SearchStrategy[str | None],
    outcomes: SearchStrategy[CallOutcome],
) -> ev.CallAttempted:
    when = draw(at)
    outcome = draw(outcomes)
    if outcome != "connected":
        return ev.CallAttempted(at=when, id=draw(ids), outcome=outcome)
    return ev.CallAttempted(
        at=when,
        id=draw(ids),
        outcome=outcome,
        next_contact_at=draw(st.none() | _after(when, timedelta(minutes=1))),
        permission=draw(st.none() | st.booleans()),
    )


def call_attempted(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    outcomes: SearchStrategy[CallOutcome] | None = None,
) -> SearchStrategy[ev.CallAttempted]:
    """A call with any outcome; a connected one may carry the agreed next contact (R1) and the
    permission to recontact (R12)."""
    return _call_attempted(
        _or(at),
        _ids(ids),
        st.sampled_from((*_OUTCOMES, "wrong_number")) if outcomes is None else outcomes,
    )


def email_sent(
    *, at: SearchStrategy[datetime] | None = None, ids: SearchStrategy[str | None] | None = None
) -> SearchStrategy[ev.EmailSent]:
    """The rep sent an email."""
    return st.builds(ev.EmailSent, at=_or(at), id=_ids(ids))


@st.composite
def _email_replied(
    draw: st.DrawFn,
    at: SearchStrategy[datetime],
    ids: SearchStrategy[str | None],
    intents: SearchStrategy[ReplyIntent | None],
) -> ev.EmailReplied:
    when = draw(at)
    intent = draw(intents)
    resume_at = draw(_after(when, timedelta(hours=1))) if intent == "not_now" else None
    if intent == "not_now" and draw(st.booleans()):
        resume_at = None  # "not now", without a date
    referral = (
        draw(st.none() | st.sampled_from(["Dana", "the CFO"])) if intent == "referral" else None
    )
    return ev.EmailReplied(
        at=when, id=draw(ids), intent=intent, resume_at=resume_at, referral=referral
    )


def email_replied(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    intents: SearchStrategy[ReplyIntent | None] | None = None,
) -> SearchStrategy[ev.EmailReplied]:
    """A reply, with any intent; ``not_now`` sometimes names the date to resume (R17)."""
    return _email_replied(
        _or(at), _ids(ids), st.sampled_from(_INTENTS) if intents is None else intents
    )


def email_bounced(
    *, at: SearchStrategy[datetime] | None = None, ids: SearchStrategy[str | None] | None = None
) -> SearchStrategy[ev.EmailBounced]:
    """An email bounced."""
    return st.builds(ev.EmailBounced, at=_or(at), id=_ids(ids))


@st.composite
def _meeting_booked(
    draw: st.DrawFn,
    at: SearchStrategy[datetime],
    ids: SearchStrategy[str | None],
    meeting_ids: SearchStrategy[str],
) -> ev.MeetingBooked:
    when = draw(at)
    return ev.MeetingBooked(
        at=when,
        id=draw(ids),
        meeting_id=draw(meeting_ids),
        starts_at=draw(_after(when, timedelta(minutes=15))),
        duration_minutes=draw(st.sampled_from([15, 30, 60, 90])),
    )


def meeting_booked(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    meeting_ids: SearchStrategy[str] | None = None,
) -> SearchStrategy[ev.MeetingBooked]:
    """A meeting booked for some time after the booking."""
    return _meeting_booked(_or(at), _ids(ids), _meetings(meeting_ids))


def meeting_cancelled(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    meeting_ids: SearchStrategy[str] | None = None,
) -> SearchStrategy[ev.MeetingCancelled]:
    """A meeting cancelled by the prospect (R15) or by the rep (R14)."""
    return st.builds(
        ev.MeetingCancelled,
        at=_or(at),
        id=_ids(ids),
        meeting_id=_meetings(meeting_ids),
        by=st.sampled_from(["prospect", "rep"]),
    )


@st.composite
def _meeting_held(
    draw: st.DrawFn,
    at: SearchStrategy[datetime],
    ids: SearchStrategy[str | None],
    meeting_ids: SearchStrategy[str],
) -> ev.MeetingHeld:
    when = draw(at)
    return ev.MeetingHeld(
        at=when,
        id=draw(ids),
        meeting_id=draw(meeting_ids),
        next_contact_at=draw(st.none() | _after(when, timedelta(minutes=1))),
        permission=draw(st.none() | st.booleans()),
    )


def meeting_held(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    meeting_ids: SearchStrategy[str] | None = None,
) -> SearchStrategy[ev.MeetingHeld]:
    """A meeting took place; it may end with an agreed next contact and a permission."""
    return _meeting_held(_or(at), _ids(ids), _meetings(meeting_ids))


def meeting_no_show(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    meeting_ids: SearchStrategy[str] | None = None,
) -> SearchStrategy[ev.MeetingNoShow]:
    """The prospect missed a meeting."""
    return st.builds(ev.MeetingNoShow, at=_or(at), id=_ids(ids), meeting_id=_meetings(meeting_ids))


@st.composite
def _out_of_office(
    draw: st.DrawFn, at: SearchStrategy[datetime], ids: SearchStrategy[str | None]
) -> ev.OutOfOffice:
    when = draw(at)
    return ev.OutOfOffice(at=when, id=draw(ids), until=draw(st.none() | _after(when)))


def out_of_office(
    *, at: SearchStrategy[datetime] | None = None, ids: SearchStrategy[str | None] | None = None
) -> SearchStrategy[ev.OutOfOffice]:
    """An out-of-office reply, with or without a return date (R17)."""
    return _out_of_office(_or(at), _ids(ids))


def opted_out(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    channels: SearchStrategy[frozenset[Channel] | None] | None = None,
) -> SearchStrategy[ev.OptedOut]:
    """An opt-out (R13), for every channel or for some."""
    if channels is None:
        channels = st.none() | st.frozensets(st.sampled_from(Channel), min_size=1)
    return st.builds(ev.OptedOut, at=_or(at), id=_ids(ids), channels=channels)


def opted_in(
    *, at: SearchStrategy[datetime] | None = None, ids: SearchStrategy[str | None] | None = None
) -> SearchStrategy[ev.OptedIn]:
    """An explicit opt-in after an opt-out (R13)."""
    return st.builds(ev.OptedIn, at=_or(at), id=_ids(ids))


def deal_closed(
    *, at: SearchStrategy[datetime] | None = None, ids: SearchStrategy[str | None] | None = None
) -> SearchStrategy[ev.DealClosed]:
    """The deal was won or lost."""
    return st.builds(ev.DealClosed, at=_or(at), id=_ids(ids), won=st.booleans())


def channel_preference(
    *, at: SearchStrategy[datetime] | None = None, ids: SearchStrategy[str | None] | None = None
) -> SearchStrategy[ev.ChannelPreference]:
    """The prospect said how they prefer to be reached (R16)."""
    return st.builds(
        ev.ChannelPreference, at=_or(at), id=_ids(ids), channel=st.sampled_from(_PREFERRED)
    )


EVENT_TYPES: frozenset[str] = frozenset(ev.EVENT_TYPES)


def events(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    meeting_ids: SearchStrategy[str] | None = None,
    types: frozenset[str] = EVENT_TYPES,
) -> SearchStrategy[ev.Event]:
    """Any event of one of ``types`` (default: every type), with every field (DESIGN §6).

    >>> after_an_opt_out = events(types=EVENT_TYPES - {"opted_in"})
    """
    unknown = types - EVENT_TYPES
    if unknown or not types:
        msg = f"types: {sorted(unknown)!r} are not event types; use some of {sorted(EVENT_TYPES)}"
        raise ValueError(msg)
    m = meeting_ids
    by_type: dict[str, SearchStrategy[ev.Event]] = {
        "call_attempted": call_attempted(at=at, ids=ids),
        "email_sent": email_sent(at=at, ids=ids),
        "email_replied": email_replied(at=at, ids=ids),
        "email_bounced": email_bounced(at=at, ids=ids),
        "meeting_booked": meeting_booked(at=at, ids=ids, meeting_ids=m),
        "meeting_cancelled": meeting_cancelled(at=at, ids=ids, meeting_ids=m),
        "meeting_held": meeting_held(at=at, ids=ids, meeting_ids=m),
        "meeting_no_show": meeting_no_show(at=at, ids=ids, meeting_ids=m),
        "out_of_office": out_of_office(at=at, ids=ids),
        "opted_out": opted_out(at=at, ids=ids),
        "opted_in": opted_in(at=at, ids=ids),
        "deal_closed": deal_closed(at=at, ids=ids),
        "channel_preference": channel_preference(at=at, ids=ids),
    }
    return st.one_of([by_type[t] for t in sorted(types)])


# -- policies ---------------------------------------------------------------------------------


def _slots(*spec: tuple[str, time, time]) -> tuple[TimeSlot, ...]:
    return tuple(TimeSlot(name=n, start=a, end=b) for n, a, b in spec)


#: Calling hours to draw from: the default three parts of the day, hours that overrun the legal
#: calling windows on both sides (the guards must clip them), one undivided day (R4 has nothing
#: to rotate) and two touching slots.
CALL_SLOTS: tuple[tuple[TimeSlot, ...], ...] = (
    Policy().call_slots,
    _slots(
        ("early", time(7), time(9, 30)),
        ("day", time(10), time(16)),
        ("evening", time(18), time(21, 30)),
    ),
    _slots(("day", time(9), time(17))),
    _slots(("morning", time(8), time(12)), ("afternoon", time(12), time(20, 30))),
)
#: Email hours to draw from; the night shift starts at midnight and ends at 02:30, wall times
#: that some zones skip on the day their clocks go forward (Cairo, Santiago; Chicago, Lord Howe).
EMAIL_HOURS: tuple[tuple[TimeSlot, ...], ...] = (
    Policy().email_hours,
    _slots(("am", time(7), time(11)), ("pm", time(13), time(19))),
    _slots(("night", time(0), time(2, 30)), ("day", time(8), time(18))),
)
#: Monday first; every mask keeps at least three weekdays, so that every shipped legal rule
#: leaves a calling slot.
WEEKMASKS = ("1111100", "1111001", "1111110", "1010100", "1111111")
_ESCALATIONS: tuple[Escalation, ...] = (
    "contact_receptionist",
    "ask_decision_makers",
    "manager_escalation",
)


@st.composite
def _policies(
    draw: st.DrawFn,
    legal_guards: SearchStrategy[bool],
    opt_out_scope: SearchStrategy[str],
    call_slots: SearchStrategy[tuple[TimeSlot, ...]],
    email_hours: SearchStrategy[tuple[TimeSlot, ...]],
    weekmasks: SearchStrategy[str],
) -> Policy:
    escalations = draw(st.lists(st.sampled_from(_ESCALATIONS), unique=True, max_size=3))
    team = draw(st.sampled_from([(None, None), ("US", None), ("US", "NY"), ("FR", None)]))
    return Policy.model_validate(
        {
            "min_gap_business_days": draw(st.integers(1, 6)),
            "switch_channel_after": draw(st.integers(1, 4)),
            "voicemail_email": draw(st.booleans()),
            "opt_out_offer_after": draw(st.integers(1, 5)),
            "opt_out_gap_business_days": draw(st.integers(1, 15)),
            "escalations": tuple(escalations),
            "breakup_wait_business_days": draw(st.integers(1, 8)),
            "followup_business_days": draw(st.integers(1, 4)),
            "reaction_minutes": draw(st.sampled_from([1, 5, 30, 120])),
            "commitment_grace_minutes": draw(st.sampled_from([1, 30, 120])),
            "out_of_office_default_days": draw(st.integers(1, 10)),
            "drip_interval_days": draw(st.integers(1, 60)),
            "drip_requires_permission": draw(st.booleans()),
            "opt_out_scope": draw(opt_out_scope),
            "weekmask": draw(weekmasks),
            "call_slots": draw(call_slots),
            "email_hours": draw(email_hours),
            "team_country": team[0],
            "team_subdivision": team[1],
            "extra_holidays": draw(
                st.frozensets(st.dates(date(2024, 1, 1), date(2030, 12, 31)), max_size=3)
            ),
            "legal_guards": draw(legal_guards),
        }
    )


def policies(
    *,
    legal_guards: SearchStrategy[bool] | None = None,
    opt_out_scope: SearchStrategy[Literal["all", "channel"]] | None = None,
    call_slots: SearchStrategy[tuple[TimeSlot, ...]] | None = None,
    email_hours: SearchStrategy[tuple[TimeSlot, ...]] | None = None,
    weekmasks: SearchStrategy[str] | None = None,
    include_default: bool = True,
) -> SearchStrategy[Policy]:
    """Valid policies with every knob varied (default: legal guards on, both opt-out scopes,
    hours from :data:`CALL_SLOTS` and :data:`EMAIL_HOURS`, weekmasks from :data:`WEEKMASKS`).

    With ``include_default`` the default ``Policy()`` is drawn about half the time, and is the
    shrink target.
    """
    varied = _policies(
        st.just(True) if legal_guards is None else legal_guards,
        st.sampled_from(["all", "channel"]) if opt_out_scope is None else opt_out_scope,
        st.sampled_from(CALL_SLOTS) if call_slots is None else call_slots,
        st.sampled_from(EMAIL_HOURS) if email_hours is None else email_hours,
        st.sampled_from(WEEKMASKS) if weekmasks is None else weekmasks,
    )
    return st.just(Policy()) | varied if include_default else varied


@cache
def engine_for(policy: Policy) -> cadence.Engine:
    """One shared engine per policy (engines cache calendars; policies are hashable)."""
    return cadence.Engine(policy)


# -- histories --------------------------------------------------------------------------------

Responder: TypeAlias = Literal["mixed", "silent"]


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _show_event(event: ev.Event, zone: ZoneInfo) -> str:
    """``CallAttempted(at='2026-03-09T09:30:00-05:00', outcome='voicemail')``: local times, only
    the fields that differ from their defaults."""
    fields = []
    for name, value in event.model_dump(exclude_defaults=True, exclude={"type"}).items():
        if isinstance(value, datetime):
            value = _local(value, zone)
        elif isinstance(value, frozenset):
            value = sorted(value)
        fields.append(f"{name}={value!r}")
    return f"{type(event).__name__}({', '.join(fields)}),"


def _show_action(action: Action, zone: ZoneInfo) -> str:
    start = action.earliest.astimezone(zone)
    end = action.latest.astimezone(zone)
    rules = " ".join(action.rules)
    return f"{action.kind.value} ({rules}) due {start:%a %Y-%m-%d %H:%M}-{end:%H:%M}"


@dataclass(frozen=True)
class History:
    """A prospect's enrolment and the events that followed, in non-decreasing ``at`` order.

    ``states[0]`` is the enrolled prospect and ``states[i + 1]`` the prospect after
    ``events[i]``; ``followed[i]`` is the action ``events[i]`` carried out (``None`` for an event
    the engine did not ask for).
    """

    policy: Policy
    region: Region
    prospect_id: str
    preferred_channel: Channel | None
    enrolled_at: datetime
    events: tuple[ev.Event, ...]
    followed: tuple[Action | None, ...] = field(repr=False)
    states: tuple[Prospect, ...] = field(repr=False)

    def __repr__(self) -> str:
        zone = ZoneInfo(self.region.timezone)
        changed = self.policy.model_dump(exclude_defaults=True, exclude={"templates"})
        lines = [
            "History(",
            f"  policy=Policy(**{changed!r}),",
            f"  region={self.region!r},",
            f"  preferred_channel={self.preferred_channel!r},",
            f"  enrolled_at={_local(self.enrolled_at, zone)!r},",
            "  events=[",
        ]
        for event, action in zip(self.events, self.followed, strict=True):
            shown = _show_event(event, zone)
            if action is not None:
                shown += f"  # answers {_show_action(action, zone)}"
            lines.append(f"    {shown}")
        lines += ["  ],", ")"]
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How hypothesis prints a falsifying example: the readable repr, not every field."""
        printer.text(repr(self))

    @property
    def final(self) -> Prospect:
        """The prospect after the whole history."""
        return self.states[-1]

    @property
    def last_at(self) -> datetime:
        """The newest instant in the history (the enrolment when there is no event)."""
        return self.states[-1].last_event_at

    def enroll(self, engine: cadence.Engine) -> Prospect:
        """The prospect as enrolled, before any event."""
        return engine.enroll(
            self.prospect_id,
            timezone=self.region.timezone,
            at=self.enrolled_at,
            country=self.region.country,
            subdivision=self.region.subdivision,
            preferred_channel=self.preferred_channel,
        )

    def replay(self, engine: cadence.Engine, events: Sequence[ev.Event] | None = None) -> Prospect:
        """``engine.replay`` of ``events`` (default: this history's) from this enrolment."""
        return engine.replay(
            self.prospect_id,
            self.events if events is None else events,
            timezone=self.region.timezone,
            at=self.enrolled_at,
            country=self.region.country,
            subdivision=self.region.subdivision,
            preferred_channel=self.preferred_channel,
        )


def _follow_time(draw: st.DrawFn, action: Action, now: datetime) -> datetime:
    """When the rep carries ``action`` out: as soon as it is due, inside its window, or late."""
    start = action.latest_utc if action.channel is Channel.MEETING else action.earliest_utc
    start = max(start, now)
    mode = draw(st.sampled_from(["due", "due", "window", "late"]))
    if mode == "window" and action.latest_utc > start:
        span = int((action.latest_utc - start).total_seconds())
        return start + timedelta(seconds=draw(st.integers(0, max(span - 1, 0))))
    if mode == "late":
        return start + draw(delays(max_delay=timedelta(days=10)))
    return start


def _answer(
    draw: st.DrawFn,
    action: Action,
    at: datetime,
    event_id: str | None,
    responder: Responder,
    fresh_meeting: str,
) -> ev.Event:
    """A plausible event that carries out ``action`` at ``at``."""
    when = st.just(at)
    eid: SearchStrategy[str | None] = st.just(event_id)
    if action.channel is Channel.MEETING:
        meeting = st.just(action.detail or fresh_meeting)
        return draw(
            st.one_of(
                meeting_held(at=when, ids=eid, meeting_ids=meeting),
                meeting_no_show(at=when, ids=eid, meeting_ids=meeting),
                meeting_cancelled(at=when, ids=eid, meeting_ids=meeting),
            )
        )
    if responder == "silent":
        if action.channel is Channel.PHONE:
            return draw(call_attempted(at=when, ids=eid, outcomes=st.sampled_from(_UNANSWERED)))
        return ev.EmailSent(at=at, id=event_id)
    booking = meeting_booked(
        at=when,
        ids=eid,
        meeting_ids=st.sampled_from([action.detail or fresh_meeting, fresh_meeting]),
    )
    if action.channel is Channel.PHONE:
        outcomes = st.sampled_from((*_OUTCOMES, *_UNANSWERED, "wrong_number"))
        answers: list[SearchStrategy[ev.Event]] = [
            call_attempted(at=when, ids=eid, outcomes=outcomes)
        ]
    else:
        answers = [
            email_sent(at=when, ids=eid),
            email_sent(at=when, ids=eid),
            email_replied(at=when, ids=eid),
            email_bounced(at=when, ids=eid),
            out_of_office(at=when, ids=eid),
        ]
    if action.kind is ActionKind.PROPOSE_TIMES:
        answers.append(booking)
    return draw(st.one_of(answers))


@st.composite
def _histories(
    draw: st.DrawFn,
    policies: SearchStrategy[Policy],
    places: SearchStrategy[Region],
    min_events: int,
    max_events: int,
    responder: Responder,
    random_events: bool,
) -> History:
    policy = draw(policies)
    engine = engine_for(policy)
    region = draw(places)
    enrolled_at = draw(instants([region.timezone]))
    preferred = draw(st.sampled_from([None, None, Channel.PHONE, Channel.EMAIL]))
    pid = "p-1"
    p = engine.enroll(
        pid,
        timezone=region.timezone,
        at=enrolled_at,
        country=region.country,
        subdivision=region.subdivision,
        preferred_channel=preferred,
    )
    wanted = draw(st.integers(min_events, max_events))
    now = enrolled_at.astimezone(UTC)
    done: list[ev.Event] = []
    followed: list[Action | None] = []
    states = [p]
    for _ in range(3 * wanted + 3):
        if len(done) >= wanted:
            break
        action = engine.next_action(p, now)
        event_id = f"{pid}-e{len(done)}" if draw(st.booleans()) else None
        fresh = f"m{len(p.meetings) + 1}"
        stray = random_events and (action.kind is ActionKind.NONE or draw(st.integers(0, 4)) == 0)
        answered: Action | None = None
        if stray:
            at = now + draw(delays())
            known = [m.id for m in p.meetings] or [fresh]
            event = draw(
                events(
                    at=st.just(at),
                    ids=st.just(event_id),
                    meeting_ids=st.sampled_from([*known, fresh]),
                )
            )
        elif action.kind is ActionKind.WAIT and action.earliest_utc > now:
            now = action.earliest_utc  # time passes: the pause ends, the breakup expires
            continue
        elif action.kind in (ActionKind.NONE, ActionKind.WAIT):
            break
        else:
            at = _follow_time(draw, action, now)
            event = _answer(draw, action, at, event_id, responder, fresh)
            answered = action
        p = engine.apply(p, event)
        done.append(event)
        followed.append(answered)
        states.append(p)
        now = max(now, event.at)
    return History(
        policy=policy,
        region=region,
        prospect_id=pid,
        preferred_channel=preferred,
        enrolled_at=enrolled_at,
        events=tuple(done),
        followed=tuple(followed),
        states=tuple(states),
    )


def histories(
    *,
    policies: SearchStrategy[Policy] | None = None,
    places: SearchStrategy[Region] | None = None,
    min_events: int = 0,
    max_events: int = 12,
    responder: Responder = "mixed",
    random_events: bool = True,
) -> SearchStrategy[History]:
    """Plausible histories, generated by driving the engine.

    At each step the engine is asked for the next action; usually the rep carries it out (at
    its earliest time, inside its window, or late) and the prospect answers the way prospects
    do (mostly voicemail; sometimes a conversation, a reply, a booking, a bounce). With
    ``random_events`` some steps are instead an unrelated event of any type at a random later
    time. A ``wait`` lets time pass; ``none`` ends a silent history.

    ``responder="silent"``: the prospect never answers (calls reach voicemail or nobody, emails
    go unanswered), so the history walks the whole unanswered ladder (R3-R11).
    """
    return _histories(
        st.just(Policy()) if policies is None else policies,
        regions() if places is None else places,
        min_events,
        max_events,
        responder,
        random_events,
    )


def ladders(
    *,
    policies: SearchStrategy[Policy] | None = None,
    places: SearchStrategy[Region] | None = None,
    min_events: int = 0,
    max_events: int = 20,
) -> SearchStrategy[History]:
    """Histories in which the rep follows every action and the prospect never answers.

    A ladder may stop short of ``min_events`` when the engine has nothing left to do.
    """
    return histories(
        policies=policies,
        places=places,
        min_events=min_events,
        max_events=max_events,
        responder="silent",
        random_events=False,
    )


@st.composite
def _moments(draw: st.DrawFn, engine: cadence.Engine, prospect: Prospect) -> datetime:
    base = prospect.last_event_at
    where = draw(st.sampled_from(["event", "later", "due"]))
    if where == "event":
        return base
    if where == "later":
        return base + draw(delays())
    action = draw(st.sampled_from(engine.plan(prospect, base)))
    return max(base, action.earliest_utc) + draw(delays(max_delay=timedelta(hours=8)))


def moments(engine: cadence.Engine, prospect: Prospect) -> SearchStrategy[datetime]:
    """Instants worth asking ``engine`` about ``prospect`` (never before its newest event): the
    moment of that event, any later moment, or a moment just after something falls due."""
    return _moments(engine, prospect)
