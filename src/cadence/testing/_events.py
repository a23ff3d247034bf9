"""One strategy per event type, and ``events()`` for any of them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import get_args

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from cadence import events as ev
from cadence.channel import Channel
from cadence.events import CallOutcome, ReplyIntent
from cadence.lifecycle import Stage
from cadence.prospect import Prospect
from cadence.testing._places import (
    _INTENTS,
    _OUTCOMES,
    _PREFERRED,
    Region,
    _after,
    instants,
)

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
    if draw(st.integers(0, 5)) == 0:  # now and then a call to someone else (R9, a referral)
        return ev.CallAttempted(at=when, id=draw(ids), outcome=outcome, third_party=True)
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
    """A call with any outcome, now and then to a third party; a connected one to the prospect
    may carry the agreed next contact (R1) and the permission to recontact (R12)."""
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
        draw(st.none() | st.sampled_from(["Dana", "the CFO"]))
        if intent in ("referral", "wrong_person")
        else None
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
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    email_ids: SearchStrategy[str | None] | None = None,
) -> SearchStrategy[ev.EmailBounced]:
    """An email bounced; ``email_ids``: the id of the email that bounced, or none (default:
    :func:`event_ids`, which sometimes names an email drawn with the same ids)."""
    return st.builds(ev.EmailBounced, at=_or(at), id=_ids(ids), email_id=_ids(email_ids))


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


def refuses_no_show(p: Prospect, meeting_id: str, at: datetime | None = None) -> bool:
    """Whether the engine refuses a no-show of meeting ``meeting_id`` for ``p``: its state shows
    the meeting cancelled or held (not booked again since), and ``p`` is not in a terminal
    stage (which ignores such events, as a withdrawn meeting's). A no-show at ``at``, the
    instant of ``p``'s newest event, of a meeting held is taken (held wins: the two came at
    one instant)."""
    return not p.is_terminal and any(
        m.id == meeting_id
        and m.status in ("cancelled_by_prospect", "cancelled_by_rep", "held")
        and not (m.status == "held" and at is not None and at == p.last_event_at)
        for m in p.meetings
    )


def refuses_opt_in(p: Prospect, at: datetime) -> bool:
    """Whether the engine refuses (as late) an opt-in at ``at`` for ``p``: at the instant of
    its newest event, when ``p`` opted out of everything or of a channel, the opt-out may have
    come at that very instant, and at one instant an opt-out holds (R13). One second later
    it is taken."""
    return at == p.last_event_at and (
        p.stage is Stage.OPTED_OUT or bool(p.blocked_channels - p.unreachable)
    )


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


@st.composite
def _contact_updated(
    draw: st.DrawFn,
    at: SearchStrategy[datetime],
    ids: SearchStrategy[str | None],
    channels: SearchStrategy[Channel | None],
    places: SearchStrategy[Region] | None,
    *,
    owners: bool,
) -> ev.ContactUpdated:
    fields: dict[str, object] = {}
    which = draw(channels)
    both = which is not None and draw(st.booleans())
    if which is Channel.PHONE or both:
        fields["phone"] = "+1312555" + draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    if which is Channel.EMAIL or both:
        fields["email"] = draw(st.sampled_from(["lee", "lee.k", "l.kim"])) + "@acme.test"
    cleared: list[str] = []
    moved = places is not None and draw(st.booleans())
    if moved:
        assert places is not None
        region = draw(places)
        fields["timezone"] = region.timezone
        if region.country is not None:
            fields.update(country=region.country, subdivision=region.subdivision)
        else:  # a move to a place without a country: the old one is not the new place's
            cleared.append("country")
    if owners and (not fields or draw(st.integers(0, 3)) == 0):
        fields["owner"] = draw(st.sampled_from(["ana", "bo", ""]))
    if owners and draw(st.integers(0, 3)) == 0:  # the CRM empties a field or two
        # (A place only with ``places``, and not beside a new one: the prospect may move.)
        movable = places is not None and not moved
        free = [
            name
            for name in get_args(ev.Clearable)
            if name not in fields and (movable or name not in ("country", "subdivision"))
        ]
        cleared += draw(st.lists(st.sampled_from(free), min_size=1, max_size=2))
    if cleared:
        fields["clear"] = cleared
    return ev.ContactUpdated(at=draw(at), id=draw(ids), **fields)


def contact_updated(
    *,
    at: SearchStrategy[datetime] | None = None,
    ids: SearchStrategy[str | None] | None = None,
    channels: SearchStrategy[Channel] | None = None,
    places: SearchStrategy[Region] | None = None,
) -> SearchStrategy[ev.ContactUpdated]:
    """A change to the prospect's record. With ``channels``: a new phone number or email
    address for the channel drawn (sometimes both), and nothing else. Without: a new number,
    address, both or neither, sometimes a new owner, sometimes fields emptied (``clear``), and
    with ``places`` (e.g. ``regions()``) sometimes a move to one of them or an emptied
    country or subdivision. Without ``places`` the prospect stays where it is, so that checks
    which know the history's place still hold."""
    if channels is not None:
        return _contact_updated(_or(at), _ids(ids), channels, None, owners=False)
    which: SearchStrategy[Channel | None] = st.none() | st.sampled_from(_PREFERRED)
    return _contact_updated(_or(at), _ids(ids), which, places, owners=True)


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
    if isinstance(types, str) or not all(isinstance(t, str) for t in types):
        msg = f"types: expected a set of event type names, got {types!r}; e.g. {{'email_sent'}}"
        raise InvalidArgument(msg)
    types = frozenset(types)
    unknown = types - EVENT_TYPES
    if unknown:
        msg = f"types: {sorted(unknown)!r} are not event types; use some of {sorted(EVENT_TYPES)}"
        raise InvalidArgument(msg)
    if not types:
        raise InvalidArgument(f"types: empty; name at least one of {sorted(EVENT_TYPES)}")
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
        "contact_updated": contact_updated(at=at, ids=ids),
    }
    return st.one_of([by_type[t] for t in sorted(types)])
