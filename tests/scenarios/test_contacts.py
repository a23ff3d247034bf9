"""Bounces, wrong numbers and new contact details: a channel that failed opens again with a new
address or number (``contact_updated``); one the prospect refused does not (R13)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

import cadence
from cadence import ActionKind, Channel, Stage
from cadence import events as ev
from cadence.errors import InvalidInputError
from cadence.testing import check_invariants
from tests.conftest import CHICAGO

Engine = cadence.Engine
NEW_ADDRESS = "lee.kim@acme.test"


#: Lee's enrolment facts (Chicago, US-IL, and the contact points first known).
LEE: dict[str, Any] = {
    "timezone": "America/Chicago",
    "country": "US",
    "subdivision": "IL",
    "email": "lee@acme.test",
    "phone": "+13125550100",
}


def _lee(engine: Engine, at: datetime) -> cadence.Prospect:
    return engine.enroll("lee", at=at, **LEE)


def _booked(engine: Engine, monday: datetime) -> cadence.Prospect:
    """Lee, who talked to the rep and booked a meeting three days later."""
    p = engine.apply(_lee(engine, monday), ev.CallAttempted(at=monday, outcome="connected"))
    return engine.apply(
        p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=monday + timedelta(days=3))
    )


def _bounced_after_the_rep_cancelled(engine: Engine, monday: datetime) -> cadence.Prospect:
    """R14: the rep cancelled Lee's meeting and owes the material; then the email bounced, so
    the apology call also proposes the times and asks for an address that works."""
    p = _booked(engine, monday)
    t = monday + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    return engine.apply(p, ev.EmailBounced(at=t))


def _material(engine: Engine, p: cadence.Prospect, now: datetime) -> list[cadence.Action]:
    return [a for a in engine.plan(p, now) if ActionKind.SEND_COLLATERAL in (a.kind, *a.also)]


def test_the_call_asks_for_an_address_and_the_new_one_gets_the_material(
    engine: Engine, monday: datetime
) -> None:
    """The call connects and Lee gives a new address: logged, it opens email again, and the
    material goes out by email, one reaction delay later, to be sent once."""
    p = _bounced_after_the_rep_cancelled(engine, monday)
    assert p.unreachable == frozenset({Channel.EMAIL})
    call = engine.next_action(p, monday + timedelta(hours=2))
    assert call.channel is Channel.PHONE
    assert any("ask for an address" in point for point in call.talking_points)
    talked = call.earliest_utc
    p = engine.apply(p, ev.CallAttempted(at=talked, outcome="connected"))
    assert _material(engine, p, talked) == []  # email still bounces: nothing to send yet
    logged = talked + timedelta(minutes=3)
    p = engine.apply(p, ev.ContactUpdated(at=logged, email=NEW_ADDRESS))
    assert (p.email, p.blocked_channels, p.unreachable) == (NEW_ADDRESS, frozenset(), frozenset())
    (send,) = _material(engine, p, logged)
    assert (send.kind, send.channel) == (ActionKind.SEND_COLLATERAL, Channel.EMAIL)
    assert send.earliest_utc > logged
    assert not any("bounced" in point for point in send.talking_points)
    assert any("material you promised" in point for point in send.talking_points)
    p = engine.apply(p, ev.EmailSent(at=send.earliest_utc))
    assert _material(engine, p, send.earliest_utc) == []
    assert not [o for o in p.obligations if o.key == "collateral:m1"]


def test_a_new_address_before_the_call_takes_the_material_off_the_phone(
    engine: Engine, monday: datetime
) -> None:
    p = _bounced_after_the_rep_cancelled(engine, monday)
    t = monday + timedelta(hours=2, minutes=1)
    p = engine.apply(p, ev.ContactUpdated(at=t, email=NEW_ADDRESS))
    plan = engine.plan(p, t)
    call = next(a for a in plan if a.channel is Channel.PHONE)
    assert not any("bounced" in point for point in call.talking_points)
    assert [a.channel for a in _material(engine, p, t)] == [Channel.EMAIL]


def test_a_voicemail_does_not_lose_the_material(engine: Engine, monday: datetime) -> None:
    """The call reaches voicemail: nobody gave an address, and the material still waits for
    one (it used to count as done)."""
    p = _bounced_after_the_rep_cancelled(engine, monday)
    call = engine.next_action(p, monday + timedelta(hours=2))
    p = engine.apply(p, ev.CallAttempted(at=call.earliest_utc, outcome="voicemail"))
    later = call.earliest_utc + timedelta(days=2)
    p = engine.apply(p, ev.ContactUpdated(at=later, email=NEW_ADDRESS))
    assert [a.channel for a in _material(engine, p, later)] == [Channel.EMAIL]


def test_a_channel_opted_out_of_stays_closed_whatever_the_new_address() -> None:
    """R13: a new address is not consent. Opted out of email (the policy scopes opt-outs by
    channel), before or after a bounce, email stays blocked; only an opt-in reopens it."""
    engine = Engine(cadence.Policy(opt_out_scope="channel"))
    t = datetime(2026, 3, 9, 9, 0, tzinfo=CHICAGO)
    for first, second in (
        (ev.EmailBounced(at=t), ev.OptedOut(at=t, channels=frozenset({Channel.EMAIL}))),
        (ev.OptedOut(at=t, channels=frozenset({Channel.EMAIL})), ev.EmailBounced(at=t)),
    ):
        p = engine.apply(engine.apply(_lee(engine, t), first), second)
        assert p.unreachable == frozenset()
        p = engine.apply(p, ev.ContactUpdated(at=t + timedelta(hours=1), email=NEW_ADDRESS))
        assert p.email == NEW_ADDRESS
        assert Channel.EMAIL in p.blocked_channels
        assert all(a.channel is not Channel.EMAIL for a in engine.plan(p, t + timedelta(hours=1)))
        p = engine.apply(p, ev.OptedIn(at=t + timedelta(hours=2)))
        assert Channel.EMAIL not in p.blocked_channels


def test_a_new_number_after_a_wrong_one_brings_the_calls_back(
    engine: Engine, monday: datetime
) -> None:
    p = _lee(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="wrong_number"))
    assert engine.next_action(p, monday).channel is Channel.EMAIL
    t = monday + timedelta(hours=1)
    p = engine.apply(p, ev.ContactUpdated(at=t, phone="+13125550199"))
    assert (p.phone, p.blocked_channels) == ("+13125550199", frozenset())
    assert engine.next_action(p, t).channel is Channel.PHONE


def test_an_email_update_leaves_a_wrong_number_blocked(engine: Engine, monday: datetime) -> None:
    p = _lee(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="wrong_number"))
    p = engine.apply(p, ev.ContactUpdated(at=monday, email=NEW_ADDRESS))
    assert p.blocked_channels == p.unreachable == frozenset({Channel.PHONE})


def test_a_terminal_prospect_keeps_its_record_current(engine: Engine, monday: datetime) -> None:
    """Suppression lists match the stored address (R13): an opted-out prospect's new address
    is kept, and nothing else changes."""
    p = engine.apply(_lee(engine, monday), ev.OptedOut(at=monday))
    p = engine.apply(p, ev.ContactUpdated(at=monday + timedelta(days=1), email=NEW_ADDRESS))
    assert (p.stage, p.email) == (Stage.OPTED_OUT, NEW_ADDRESS)
    assert engine.next_action(p, monday + timedelta(days=1)).kind is ActionKind.NONE


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({}, "event", "nothing to update; give at least one of phone, email, owner"),
        ({"phone": ""}, "phone", "empty; give a value"),
        ({"email": None, "phone": None}, "event", "nothing to update"),
        ({"subdivision": "NY"}, "subdivision", "subdivision needs its country; give country too"),
        ({"timezone": ""}, "timezone", "empty; give a value"),
        ({"clear": []}, "event", "or name fields to empty in clear"),
        ({"clear": ["timezone"]}, "clear.0", "'phone', 'email', 'owner', 'country'"),
        ({"owner": "bo", "clear": ["owner"]}, "clear", "owner given a value and emptied"),
        (
            {"country": "US", "subdivision": "NY", "clear": ["country", "subdivision"]},
            "clear",
            "country, subdivision given a value and emptied at once; give the value or empty",
        ),
    ],
)
def test_a_contact_update_says_what_is_missing(
    payload: dict[str, object], field: str, words: str
) -> None:
    data = {"type": "contact_updated", "at": "2026-03-09T10:00:00-05:00", **payload}
    with pytest.raises(InvalidInputError, match=words) as caught:
        cadence.parse_event(data)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "not an IANA zone name"),
        ({"country": "XX"}, "country", "not an ISO 3166-1 alpha-2 country"),
        ({"country": "US", "subdivision": "ZZ"}, "subdivision", "not a subdivision of US"),
    ],
)
def test_a_move_to_a_place_that_does_not_exist_is_refused_and_loses_nothing(
    engine: Engine, monday: datetime, payload: dict[str, str], field: str, words: str
) -> None:
    p = _lee(engine, monday)
    stored = p.model_dump_json()
    event = cadence.parse_event({"type": "contact_updated", "at": monday.isoformat(), **payload})
    with pytest.raises(InvalidInputError, match=words) as caught:
        engine.apply(p, event)
    assert caught.value.field == field
    assert p.model_dump_json() == stored


def test_a_prospect_who_moves_is_called_in_the_new_places_hours(
    engine: Engine, monday: datetime
) -> None:
    """Lee moves from Chicago to Paris (and to another rep): from then on the calls follow
    French calling rules and holidays in Paris time, and replay folds the move in its place."""
    p = _lee(engine, monday)
    voicemail = ev.CallAttempted(at=monday, outcome="voicemail")
    p = engine.apply(p, voicemail)
    moved = ev.ContactUpdated(
        at=monday + timedelta(hours=1), timezone="Europe/Paris", country="fr", owner="bo"
    )
    p = engine.apply(p, moved)
    assert (p.timezone, p.country, p.subdivision, p.owner) == ("Europe/Paris", "FR", None, "bo")
    call = next(a for a in engine.plan(p, moved.at) if a.kind is ActionKind.CALL)
    assert str(call.earliest.tzinfo) == "Europe/Paris"
    # French law closes the midday slot at 13:00 (Chicago's would run to 14:00).
    assert call.latest.time().hour == 13
    assert any(b.startswith("fr@") for b in call.bounded_by)
    second = ev.CallAttempted(at=call.earliest, outcome="voicemail")
    p = engine.apply(p, second)
    assert p.last_attempt_slot == "midday"  # of Paris's day (05:00 in Chicago)
    again = engine.replay("lee", [second, moved, voicemail], at=monday, **LEE)
    assert again == p


def test_a_record_can_empty_fields_and_the_prospect_is_still_reached(monday: datetime) -> None:
    """The rep left (no owner yet), the CRM deleted the number and the subdivision it had
    wrong: ``clear`` empties them. Calls go on (as after an enrolment without a number: the CRM
    knows how to reach them) under the rules of the place that is left. An emptied country
    empties the subdivision too, and the state's rules go with them; the country's stay, as
    the country of the zone (DESIGN §5: an unknown place binds what is known of it)."""
    engine = Engine(cadence.Policy())
    rhode_island = {**LEE, "timezone": "America/New_York", "subdivision": "RI", "owner": "sam"}
    p = engine.enroll("lee", at=monday, **rhode_island)
    assert "us-ri@1999" in engine.next_action(p, monday).bounded_by
    emptied = cadence.parse_event(
        {"type": "contact_updated", "at": monday.isoformat(), "clear": ["subdivision", "owner"]}
    )
    q = engine.apply(engine.apply(p, ev.ContactUpdated(at=monday, clear=("phone",))), emptied)
    assert (q.phone, q.owner, q.country, q.subdivision) == (None, None, "US", None)
    assert (q.email, q.timezone) == (p.email, p.timezone)
    call = engine.next_action(q, monday)
    assert call.kind is ActionKind.CALL
    assert call.bounded_by == ("policy", "us-federal@1992-12-20")
    q = engine.apply(q, ev.ContactUpdated(at=monday, clear=("country",)))
    assert (q.country, q.subdivision) == (None, None)
    assert engine.next_action(q, monday).bounded_by == ("policy", "us-federal@1992-12-20")


def test_the_fields_to_empty_are_one_event_in_any_order(engine: Engine, monday: datetime) -> None:
    """A webhook delivered twice, listing the fields in another order, is one event (not a
    conflicting reuse of its id)."""
    p = _lee(engine, monday)
    first = {"type": "contact_updated", "at": monday.isoformat(), "id": "crm-7"}
    p = engine.apply(p, cadence.parse_event({**first, "clear": ["topic", "owner"]}))
    again = engine.apply(p, cadence.parse_event({**first, "clear": ["owner", "topic", "owner"]}))
    assert again == p


def test_opting_out_of_email_with_a_wrong_number_is_not_opting_out_of_calls() -> None:
    """Email refused, and the number was wrong: nothing can be done for now, but the prospect
    did not refuse calls, so a new number brings them back. (Before, every channel blocked
    meant opted out for good.)"""
    engine = Engine(cadence.Policy(opt_out_scope="channel"))
    t = datetime(2026, 3, 9, 9, 0, tzinfo=CHICAGO)
    p = engine.apply(_lee(engine, t), ev.CallAttempted(at=t, outcome="wrong_number"))
    p = engine.apply(p, ev.OptedOut(at=t, channels=frozenset({Channel.EMAIL})))
    assert p.stage is not Stage.OPTED_OUT
    _stuck(
        engine,
        p,
        t,
        ("R2", "R13"),
        "their number is wrong and they opted out of email; find a new number",
    )
    later = t + timedelta(days=1)
    p = engine.apply(p, ev.ContactUpdated(at=later, phone="+13125550199"))
    assert engine.next_action(p, later).channel is Channel.PHONE
    p = engine.apply(p, ev.OptedOut(at=later, channels=frozenset({Channel.PHONE})))
    assert p.stage is Stage.OPTED_OUT


def _stuck(
    engine: Engine, p: cadence.Prospect, at: datetime, rules: tuple[str, ...], why_and_fix: str
) -> None:
    """No channel works for ``p`` at ``at``: no touch (``none``), citing ``rules``, and the
    rep is told what failed and what to find (``why_and_fix``), then to log it."""
    stuck = engine.next_action(p, at)
    assert (stuck.kind, stuck.channel, stuck.rules) == (ActionKind.NONE, None, rules)
    assert stuck.reason == f"no channel works: {why_and_fix} and log it (contact_updated)"


def test_r2_with_both_channels_failed_the_rep_is_told_to_find_a_new_number_or_address(
    engine: Engine, monday: datetime
) -> None:
    """Their email bounced and the number was wrong: no touch is possible (``none``), but
    the prospect did not say no. The action cites R2 (nothing is forgotten), not R13 (an
    opt-out), and says the fix: find a new number or address and log it. (It said only "no
    usable channel left", citing R13, and the rep had nothing to do.) Logged, the new number
    brings the ladder back."""
    p = engine.apply(_lee(engine, monday), ev.EmailBounced(at=monday))
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="wrong_number"))
    _stuck(
        engine,
        p,
        monday,
        ("R2",),
        "their number is wrong and their email bounced; find a new number or address",
    )
    assert p.stage is not Stage.OPTED_OUT
    # One failed, the other refused (per-channel opt-outs): only the failed one can be fixed.
    scoped = Engine(cadence.Policy(opt_out_scope="channel"))
    q = scoped.apply(_lee(scoped, monday), ev.EmailBounced(at=monday))
    q = scoped.apply(q, ev.OptedOut(at=monday, channels=frozenset({Channel.PHONE})))
    _stuck(
        scoped,
        q,
        monday,
        ("R2", "R13"),
        "their email bounced and they opted out of calls; find a new address",
    )
    later = monday + timedelta(hours=2)
    p = engine.apply(p, ev.ContactUpdated(at=later, phone="+13125550199"))
    assert engine.next_action(p, later).channel is Channel.PHONE


def test_r11_a_dropped_prospect_who_may_drip_but_cannot_be_reached_is_not_said_to_lack_permission(
    monday: datetime,
) -> None:
    """Dropped after an unanswered breakup (R10), with the drip allowed (R11, R12): then the
    address bounced and the number was wrong. The drip has no channel; the action said
    "dropped without permission to recontact" (R12), which was not true, and hid the fix."""
    engine = Engine(cadence.Policy(drip_requires_permission=False))
    p, now = _lee(engine, monday), monday
    while p.stage is not Stage.DROPPED:  # every touch of the ladder unanswered
        act = engine.next_action(p, now)
        now = max(now, act.earliest_utc)
        if act.kind is ActionKind.WAIT:  # the breakup's wait (R10)
            p = engine.advance(p, now)
        elif act.channel is Channel.PHONE:
            p = engine.apply(p, ev.CallAttempted(at=now, outcome="no_answer"))
        else:
            p = engine.apply(p, ev.EmailSent(at=now))
    assert engine.next_action(p, now).kind is ActionKind.DRIP_TOUCH
    p = engine.apply(p, ev.EmailBounced(at=now))
    p = engine.apply(p, ev.CallAttempted(at=now, outcome="wrong_number"))
    stuck = engine.next_action(p, now)
    assert (stuck.kind, stuck.rules) == (ActionKind.NONE, ("R2",))
    assert stuck.reason.endswith("find a new number or address and log it (contact_updated)")


def test_what_was_owed_while_nothing_worked_comes_to_the_new_number(
    engine: Engine, monday: datetime
) -> None:
    """Both channels failed, yet the prospect called in (a connected call the CRM logged): the
    follow-up it owes waits on a blocked channel. A new number brings it to the phone. (A long
    hypothesis run found the engaged prospect left with nothing to do.)"""
    p = _lee(engine, monday)
    p = engine.apply(p, ev.EmailBounced(at=monday))
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="wrong_number"))
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected"))
    assert engine.next_action(p, monday).kind is ActionKind.NONE  # nothing works for now
    p = engine.apply(p, ev.ContactUpdated(at=monday, phone="+13125550199"))
    act = engine.next_action(p, monday)
    assert (act.kind, act.channel, p.stage) == (ActionKind.CALL, Channel.PHONE, Stage.ENGAGED)
    assert "R1" in act.rules


def test_material_promised_after_a_bounce_is_asked_for_on_the_call(
    engine: Engine, monday: datetime
) -> None:
    """The address bounced before the rep cancelled (R14): the apology call proposes the times
    and asks for an address that works, as when the bounce comes after; the new address gets
    the material, and no second proposal of times. (The material used to wait on email,
    unseen, with nothing asking for it; the written proposal waited too, and came due with the
    new address after the call had made it.)"""
    p = engine.apply(_booked(engine, monday), ev.EmailBounced(at=monday))
    t = monday + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    call = engine.next_action(p, t)
    assert (call.kind, call.also) == (ActionKind.CALL, (ActionKind.SEND_COLLATERAL,))
    assert "propose new times" in call.reason
    assert any("ask for an address that works" in point for point in call.talking_points)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest_utc, outcome="connected"))
    logged = call.earliest_utc + timedelta(minutes=2)
    p = engine.apply(p, ev.ContactUpdated(at=logged, email=NEW_ADDRESS))
    assert [a.channel for a in _material(engine, p, logged)] == [Channel.EMAIL]
    assert all(ActionKind.PROPOSE_TIMES not in a.kinds for a in engine.plan(p, logged))


@pytest.mark.parametrize(
    ("field", "failure", "again"),
    [
        ("phone", ev.CallAttempted, "+13125550100"),
        ("phone", ev.CallAttempted, "(312) 555-0100"),
        ("email", ev.EmailBounced, "lee@acme.test"),
        ("email", ev.EmailBounced, " Lee@ACME.test"),
    ],
)
def test_a_sync_that_sends_the_failed_number_or_address_again_does_not_reopen_it(
    engine: Engine, monday: datetime, field: str, failure: type, again: str
) -> None:
    """A CRM's nightly sync sends every field, the known-wrong number and the address that
    bounced among them, however it writes them. That is not a new number or address: the
    channel stays closed. It used to open again, and a stranger's phone was called every
    day. A number or address that really is new opens it, as before."""
    channel = Channel.PHONE if field == "phone" else Channel.EMAIL
    failed: ev.Event = (
        ev.CallAttempted(at=monday, outcome="wrong_number")
        if failure is ev.CallAttempted
        else ev.EmailBounced(at=monday)
    )
    p = engine.apply(_lee(engine, monday), failed)
    assert channel in p.blocked_channels
    night = monday + timedelta(hours=10)
    synced = engine.apply(p, ev.ContactUpdated(at=night, owner="ana", **{field: again}))
    assert channel in synced.blocked_channels
    assert channel in synced.unreachable
    new = "+13125550199" if field == "phone" else NEW_ADDRESS
    fixed = engine.apply(p, ev.ContactUpdated(at=night, **{field: new}))
    assert channel not in fixed.blocked_channels


def test_a_new_area_code_or_a_stand_in_for_no_number(engine: Engine, monday: datetime) -> None:
    """The wrong number was stored without its area code (``555-0100``); the rep logs it with
    one (``+1 773 555 0100``): that is the fix, and the phone opens. A CRM's stand-in for no
    number (``n/a``) opens nothing."""
    p = engine.enroll("lee", at=monday, **{**LEE, "phone": "555-0100"})
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="wrong_number"))
    night = monday + timedelta(hours=10)
    fixed = engine.apply(p, ev.ContactUpdated(at=night, phone="+1 773 555 0100"))
    assert Channel.PHONE not in fixed.blocked_channels
    none = engine.apply(p, ev.ContactUpdated(at=night, phone="n/a"))
    assert Channel.PHONE in none.blocked_channels


def test_after_a_move_the_agreed_calls_reason_names_its_time_in_the_new_zone(
    engine: Engine, monday: datetime
) -> None:
    """Lee agreed to a call on Thursday at 15:00 her time (Chicago), then moved to Los Angeles:
    the call is at the same instant, 13:00 there, and its reason says 13:00, as the action's
    times do, not the 15:00 of the zone she left (R1: the rep keeps the time agreed)."""
    agreed = datetime(2026, 3, 12, 15, 0, tzinfo=CHICAGO)
    p = engine.apply(
        _lee(engine, monday),
        ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed),
    )
    t = monday + timedelta(hours=1)
    p = engine.apply(
        p, ev.ContactUpdated(at=t, timezone="America/Los_Angeles", country="US", subdivision="CA")
    )
    act = engine.next_action(p, t)
    assert act.earliest_utc == agreed
    assert f"{act.earliest:%H:%M}" == "13:00"
    assert act.reason.endswith("Thu 12 Mar 13:00")


def test_a_new_number_after_r7_switched_to_email_is_called(
    engine: Engine, monday: datetime
) -> None:
    """Two voicemails in a row, so R7 switched Lee to email; then the rep logs Lee's new mobile.
    The next attempt went on by email, as if the new number had rung out twice too: a rep calls
    the new number (R7 counts the calls of one number)."""
    p = _lee(engine, monday)
    now = monday
    for _ in range(2):
        act = engine.next_action(p, now)
        assert act.channel is Channel.PHONE, act
        now = act.earliest
        p = engine.apply(p, ev.CallAttempted(at=now, outcome="voicemail"))
        now = engine.next_action(p, now).earliest  # the R6 email
        p = engine.apply(p, ev.EmailSent(at=now))
    act = engine.next_action(p, now)
    assert (act.channel, "R7" in act.rules) == (Channel.EMAIL, True)
    p = engine.apply(p, ev.ContactUpdated(at=now, phone="+13125550199"))
    act = engine.next_action(p, now)
    assert act.channel is Channel.PHONE, act
    assert "R7" not in act.rules


_REPLIES: dict[str, tuple[dict[str, Any], str, tuple[str, ...]]] = {
    # intent -> (the reply's other fields, the key of the answer owed, the rules it cites)
    "positive": ({}, "propose_times", ("R2",)),
    "neutral": ({}, "followup", ("R2",)),
    "referral": ({"referral": "Sam Ortiz"}, "referral", ("R9",)),
    "wrong_person": ({}, "referral", ("R9",)),
    "not_now": ({}, "resume", ("R17",)),
    "not_now, from a date": ({"resume_at": datetime(2026, 3, 23, 10, 0)}, "resume", ("R17", "R1")),
}


@pytest.mark.parametrize("reply", list(_REPLIES))
def test_r2_a_reply_after_a_bounce_is_answered_by_phone(monday: datetime, reply: str) -> None:
    """R2: Lee's address bounced, then Lee replied (from another address, or the bounce was a
    full mailbox). The reply does not reopen email: only a new address does (or an opt-in).
    What it is owed goes by phone, which works. A reply with interest was owed new times by
    email, a channel the bounce had blocked, and, being the contact owed, it held the ladder:
    the plan named only the ladder's call four business days later, never the times."""
    engine = Engine()
    fields, key, rules = _REPLIES[reply]
    fields = {k: v.replace(tzinfo=CHICAGO) if k == "resume_at" else v for k, v in fields.items()}
    p = _lee(engine, monday)
    replied = monday + timedelta(hours=1)
    later: list[ev.Event] = [
        ev.EmailBounced(at=monday),
        ev.EmailReplied(at=replied, intent=reply.split(",")[0], **fields),
    ]
    q = p
    for e in later:
        q = engine.apply(q, e)
    assert Channel.EMAIL in q.blocked_channels
    (answer,) = (o for o in q.obligations if o.key == key)
    assert answer.channel is Channel.PHONE
    plan = engine.plan(q, replied)
    owed = [a for a in plan if a.rules[: len(rules)] == rules and a.kind is not ActionKind.WAIT]
    assert [a.channel for a in owed] == [Channel.PHONE]
    check_invariants(engine, p, later)


def _times_in_writing(engine: Engine, p: cadence.Prospect, now: datetime) -> list[cadence.Action]:
    return [a for a in engine.plan(p, now) if ActionKind.PROPOSE_TIMES in a.kinds]


def test_r14_the_apology_by_email_after_both_channels_failed_proposes_the_times(
    engine: Engine, monday: datetime
) -> None:
    """R14: the rep cancelled; Lee's address bounced (the call was to propose the times), then
    the number was wrong too. A new address brings the apology to email: it used to be an
    email whose reason said to "call at the first moment you may", and whose talking points
    only apologised, so no new times were ever proposed. It is the written proposal, which
    apologises (as when a wrong number comes first), and nothing on it says to call."""
    before = _bounced_after_the_rep_cancelled(engine, monday)
    t = monday + timedelta(hours=2, minutes=5)
    later: list[ev.Event] = [
        ev.CallAttempted(at=t, outcome="wrong_number"),
        ev.ContactUpdated(at=t, email=NEW_ADDRESS),
    ]
    p = before
    for e in later:
        p = engine.apply(p, e)
    plan = engine.plan(p, t)
    assert all(a.channel is Channel.EMAIL for a in plan if a.kind is not ActionKind.WAIT)
    (times,) = _times_in_writing(engine, p, t)
    assert times.channel is Channel.EMAIL
    assert "R14" in times.rules
    assert any("Apologise" in point for point in times.talking_points)
    assert any("invitation" in point for point in times.talking_points)
    for a in plan:
        assert "call" not in a.reason.split(), a.reason
    check_invariants(engine, before, later)


def test_r14_a_new_address_then_a_wrong_number_still_proposes_the_times(
    engine: Engine, monday: datetime
) -> None:
    """R14: the bounce left the times to the apology call; a new address came before the call
    (the written proposal is owed again, as after any cancellation), then the number turned
    out wrong. The apology goes by email and proposes the times: it used to be a brief apology
    alone, and the times the call was to propose were proposed by nothing."""
    p = _bounced_after_the_rep_cancelled(engine, monday)
    t = monday + timedelta(hours=2, minutes=5)
    p = engine.apply(p, ev.ContactUpdated(at=t, email=NEW_ADDRESS))
    assert [a.channel for a in _times_in_writing(engine, p, t)] == [Channel.EMAIL]
    p = engine.apply(p, ev.CallAttempted(at=t + timedelta(minutes=5), outcome="wrong_number"))
    (times,) = _times_in_writing(engine, p, t + timedelta(minutes=5))
    assert times.channel is Channel.EMAIL
    assert any("Apologise" in point for point in times.talking_points)
    assert not [o for o in p.obligations if o.key == "reschedule_call"]


@pytest.mark.parametrize("preferred", [Channel.PHONE, Channel.EMAIL])
def test_r16_the_preferred_channel_leads_again_once_a_new_contact_point_opens_it(
    engine: Engine, monday: datetime, preferred: Channel
) -> None:
    """R16: Lee's preferred channel failed (a wrong number, or a bounce), so the answer to her
    reply was owed on the other one; she had said she prefers the one that failed. A new number
    or address opens it: what a call or an email may do goes there, as when a preference is
    stated while both work. It stayed on the other channel, against her stated preference."""
    p = _lee(engine, monday)
    other = Channel.EMAIL if preferred is Channel.PHONE else Channel.PHONE
    failed: ev.Event = (
        ev.CallAttempted(at=monday, outcome="wrong_number")
        if preferred is Channel.PHONE
        else ev.EmailBounced(at=monday)
    )
    t = monday + timedelta(hours=1)
    new = {"phone": "+13125550199"} if preferred is Channel.PHONE else {"email": NEW_ADDRESS}
    later: list[ev.Event] = [
        failed,
        ev.ChannelPreference(at=monday, channel=preferred),
        ev.EmailReplied(at=monday, intent="neutral"),
        ev.ContactUpdated(at=t, **new),
    ]
    q = p
    for e in later[:3]:
        q = engine.apply(q, e)
    assert engine.next_action(q, monday).channel is other
    q = check_invariants(engine, p, later)
    (answer,) = (o for o in q.obligations if o.key == "followup")
    assert answer.channel is preferred
    act = engine.next_action(q, t)
    assert (act.channel, "R2" in act.rules) == (preferred, True)


def test_r14_a_rebooking_leaves_the_apology_by_email_an_email(
    engine: Engine, monday: datetime
) -> None:
    """R14: the rep cancelled and emailed the new times before calling; the number was wrong,
    so the apology became a brief email. Lee then booked again: the email's reason said to
    "call at the first moment you may (tone matters), apologise and confirm the new time", on
    an email, to a number that does not work. It stays the apology by email."""
    p = _booked(engine, monday)
    t = monday + timedelta(hours=2)
    later: list[ev.Event] = [
        ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"),
        ev.EmailSent(at=t + timedelta(minutes=1)),
        ev.CallAttempted(at=t + timedelta(minutes=2), outcome="wrong_number"),
        ev.MeetingBooked(
            at=t + timedelta(minutes=3), meeting_id="m2", starts_at=monday + timedelta(days=5)
        ),
    ]
    q = check_invariants(engine, p, later)
    (apology,) = (a for a in engine.plan(q, t + timedelta(minutes=3)) if "R14" in a.rules)
    assert apology.channel is Channel.EMAIL
    assert "call" not in apology.reason.split()
    assert "by email" in apology.reason


@pytest.mark.parametrize("outcome", ["voicemail", "no_answer"])
def test_r14_with_email_bounced_the_apology_call_proposes_times_and_is_tried_again_by_phone(
    engine: Engine, monday: datetime, outcome: str
) -> None:
    """R14: Lee's address bounced before the rep cancelled, so no email can apologise or carry
    the new times: the call does both. It said so, "apologise and propose new times", with no
    times to propose. And when it did not reach Lee (a voicemail, or no answer), nothing of
    R14 followed: the next contact was the ladder's cold call four business days on. The call
    carries the times to offer (the voicemail can name them), and the apology is tried once
    more by phone the next business day, in the calling hours, proposing the times live.
    Neither counts as Lee's silence on the ladder, and the second try is the last."""
    p = engine.apply(_booked(engine, monday), ev.EmailBounced(at=monday))
    t = monday + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    call = engine.next_action(p, t)
    assert (call.kind, call.rules) == (ActionKind.CALL, ("R14",))
    assert len(call.proposals) == engine.policy.proposal_count
    assert all(d.date() > call.earliest.date() for d in call.proposals)
    local = {d.astimezone(CHICAGO).time().isoformat() for d in call.proposals}
    assert {"08:00:00", "17:00:00"} <= local  # before and after hours (R14 flexibility)
    missed = ev.CallAttempted(at=call.earliest_utc, outcome=outcome)
    q = check_invariants(engine, p, [missed])
    assert (q.stage, q.unanswered) == (Stage.ENGAGED, 0)
    plan = engine.plan(q, call.earliest)
    [again] = [a for a in plan if "R14" in a.rules and a.channel is Channel.PHONE]
    assert plan[0] == again
    assert (again.kind, again.rules) == (ActionKind.PROPOSE_TIMES, ("R14",))
    assert again.earliest == datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)  # Tuesday's first call
    assert "their email does not work" in again.reason
    assert len(again.proposals) == engine.policy.proposal_count
    assert any(point.startswith("Apologise") for point in again.talking_points)
    q = engine.apply(q, ev.CallAttempted(at=again.earliest_utc, outcome=outcome))
    assert not [o for o in q.obligations if o.channel is Channel.PHONE]  # tried once more only
    assert (q.stage, q.unanswered) == (Stage.ENGAGED, 0)


def test_r14_the_apology_call_offers_the_times_the_email_after_it_proposes(
    engine: Engine, monday: datetime
) -> None:
    """R14 with email working: the apology call is told to "propose two or three new times
    now", and had none to propose; the written proposal that follows had them. The call
    carries the same times, so what the rep offers live is what the email then confirms."""
    p = _booked(engine, monday)
    t = monday + timedelta(hours=2)
    p = engine.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    plan = engine.plan(p, t)
    call = plan[0]
    (times,) = (a for a in plan if ActionKind.PROPOSE_TIMES in a.kinds)
    assert call.kind is ActionKind.CALL
    assert call.proposals == times.proposals != ()
