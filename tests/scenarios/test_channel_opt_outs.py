"""Opting out of one channel (``Policy(opt_out_scope="channel")``) is not refusing contact: what
was owed on the refused channel moves to the other, and nothing new is ever owed on it (R13).
The promised material (R14, R15) goes to a call that goes through it with them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

import cadence
from cadence import ActionKind, Channel, Stage
from cadence import events as ev
from cadence.testing import check_invariants
from tests.conftest import CHICAGO
from tests.scenarios.test_contacts import LEE

Engine = cadence.Engine
NO_EMAIL = frozenset({Channel.EMAIL})
NO_CALLS = frozenset({Channel.PHONE})


@pytest.fixture
def scoped() -> Engine:
    return Engine(cadence.Policy(opt_out_scope="channel"))


@pytest.fixture
def monday() -> datetime:
    return datetime(2026, 3, 9, 9, 30, tzinfo=CHICAGO)


def _booked(engine: Engine, monday: datetime) -> cadence.Prospect:
    """Lee talked to the rep and booked a meeting for Thursday."""
    p = engine.enroll("lee", at=monday, **LEE)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected"))
    return engine.apply(
        p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=monday + timedelta(days=3))
    )


def _owed(p: cadence.Prospect) -> dict[str, Channel]:
    return {o.key: o.channel for o in p.obligations}


def test_refusing_email_after_the_rep_cancelled_moves_the_material_to_the_call(
    scoped: Engine, monday: datetime
) -> None:
    """R14 owes a call, a written proposal of times and the material; then Lee asks for no
    more email. The call proposes the times and goes through the material; once it connects,
    nothing about the meeting is left (and an opt-in later does not bring the material back).
    (The material and the proposal used to be dropped with everything else on email.)"""
    t = monday + timedelta(hours=2)
    p = scoped.apply(_booked(scoped, monday), ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    assert _owed(p) == {
        "reschedule_call": Channel.PHONE,
        "propose_times": Channel.EMAIL,
        "collateral:m1": Channel.EMAIL,
    }
    p = scoped.apply(p, ev.OptedOut(at=t, channels=NO_EMAIL))
    assert _owed(p) == {"reschedule_call": Channel.PHONE, "collateral:m1": Channel.PHONE}
    call = scoped.next_action(p, t)
    assert (call.kind, call.also, call.channel) == (
        ActionKind.CALL,
        (ActionKind.SEND_COLLATERAL,),
        Channel.PHONE,
    )
    assert "propose new times" in call.reason
    assert any("opted out of email" in point for point in call.talking_points)
    p = scoped.apply(p, ev.CallAttempted(at=call.earliest_utc, outcome="connected"))
    assert not [key for key in _owed(p) if key in ("collateral:m1", "propose_times")]
    p = scoped.apply(p, ev.OptedIn(at=call.earliest_utc + timedelta(hours=1)))
    assert "collateral:m1" not in _owed(p)


def test_the_rep_cancels_after_email_was_refused(scoped: Engine, monday: datetime) -> None:
    """Email refused first: R14's apology call proposes the times and goes through the
    material. (Both used to be owed on email, where nothing would ever do them.) With no
    email to follow a voicemail, the call does what it can whatever its outcome, as it does
    for the times after a bounce: the talking point says how, and nothing is owed twice. The
    apology and the times, which no email can carry, are tried once more by phone the next
    business day (R14), with nothing of the material."""
    p = scoped.apply(_booked(scoped, monday), ev.OptedOut(at=monday, channels=NO_EMAIL))
    t = monday + timedelta(hours=2)
    p = scoped.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    assert _owed(p) == {"reschedule_call": Channel.PHONE, "collateral:m1": Channel.PHONE}
    call = scoped.next_action(p, t)
    assert call.kinds == (ActionKind.CALL, ActionKind.SEND_COLLATERAL)
    assert any("on voicemail, sum it up" in point for point in call.talking_points)
    p = scoped.apply(p, ev.CallAttempted(at=call.earliest_utc, outcome="voicemail"))
    assert _owed(p) == {"propose_times": Channel.PHONE}
    plan = scoped.plan(p, call.earliest_utc)
    assert all(a.channel is not Channel.EMAIL for a in plan)
    again = next(a for a in plan if "R14" in a.rules)
    assert (again.kinds, again.earliest.date()) == ((ActionKind.PROPOSE_TIMES,), date(2026, 3, 10))
    assert "they asked not to be emailed" in again.reason


def test_the_material_for_a_rebooked_meeting_goes_to_the_call(
    scoped: Engine, monday: datetime
) -> None:
    """R15: Lee cancelled, then rebooked, with email refused: the call that goes through the
    additional information says both why and how."""
    p = scoped.apply(_booked(scoped, monday), ev.OptedOut(at=monday, channels=NO_EMAIL))
    t = monday + timedelta(hours=1)
    p = scoped.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="prospect"))
    p = scoped.apply(
        p, ev.MeetingBooked(at=t, meeting_id="m1", starts_at=monday + timedelta(days=6))
    )
    (material,) = [a for a in scoped.plan(p, t) if ActionKind.SEND_COLLATERAL in a.kinds]
    assert material.channel is Channel.PHONE
    points = " ".join(material.talking_points)
    assert "more productive" in points
    assert "opted out of email" in points


def test_a_positive_reply_after_refusing_email_is_answered_by_phone(
    scoped: Engine, monday: datetime
) -> None:
    """They refused email, then replied with interest anyway (R13: a reply is not an opt-in):
    the times are proposed on a call."""
    p = scoped.enroll("lee", at=monday, **LEE)
    p = scoped.apply(p, ev.OptedOut(at=monday, channels=NO_EMAIL))
    t = monday + timedelta(hours=3)
    p = scoped.apply(p, ev.EmailReplied(at=t, intent="positive"))
    act = scoped.next_action(p, t)
    assert (act.kind, act.channel) == (ActionKind.PROPOSE_TIMES, Channel.PHONE)


def test_refusing_calls_after_the_rep_cancelled_leaves_the_written_proposal(
    scoped: Engine, monday: datetime
) -> None:
    """R14 owes a call and a written proposal; Lee asks not to be called: the written proposal
    apologises and proposes the times, and the material still goes by email. (So it was
    before; this guards the move of what was owed from undoing it.)"""
    t = monday + timedelta(hours=2)
    p = scoped.apply(_booked(scoped, monday), ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    p = scoped.apply(p, ev.OptedOut(at=t, channels=NO_CALLS))
    assert _owed(p) == {"propose_times": Channel.EMAIL, "collateral:m1": Channel.EMAIL}
    assert all(a.channel is not Channel.PHONE for a in scoped.plan(p, t))


@pytest.mark.parametrize("lost", ["refused", "wrong number"])
def test_times_owed_by_phone_become_the_written_apology_when_the_phone_is_lost(
    scoped: Engine, monday: datetime, lost: str
) -> None:
    """The rep cancels (R14), and Lee says the phone is best, so the new times are owed on
    the call too; then Lee refuses calls (or the number is wrong). The times move to email and
    that email apologises, as when they were owed in writing: one email, not an apology email
    beside it. (A long hypothesis run found the two.)"""
    t = monday + timedelta(hours=2)
    p = scoped.apply(_booked(scoped, monday), ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    p = scoped.apply(p, ev.ChannelPreference(at=t, channel="phone"))
    assert _owed(p)["propose_times"] is Channel.PHONE
    if lost == "refused":
        p = scoped.apply(p, ev.OptedOut(at=t, channels=NO_CALLS))
    else:
        p = scoped.apply(p, ev.CallAttempted(at=t, outcome="wrong_number"))
    assert _owed(p) == {"propose_times": Channel.EMAIL, "collateral:m1": Channel.EMAIL}


def test_refusing_calls_once_the_times_were_sent_leaves_an_apology_by_email(
    scoped: Engine, monday: datetime
) -> None:
    """The times went out, the apology call is still owed, and Lee refuses calls: the apology
    becomes a brief email that says why it is not a call."""
    t = monday + timedelta(hours=2)
    p = scoped.apply(_booked(scoped, monday), ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    times = next(a for a in scoped.plan(p, t) if a.kind is ActionKind.PROPOSE_TIMES)
    p = scoped.apply(p, ev.EmailSent(at=times.earliest_utc))
    assert set(_owed(p)) == {"reschedule_call"}  # one email sent the times and the material
    p = scoped.apply(p, ev.OptedOut(at=times.earliest_utc, channels=NO_CALLS))
    apology = next(o for o in p.obligations if o.key == "reschedule_call")
    assert (apology.kind, apology.channel) == (ActionKind.EMAIL, Channel.EMAIL)
    assert apology.reason.startswith("they asked not to be called")


def test_refusing_email_with_a_wrong_number_keeps_what_is_owed_for_a_new_number(
    scoped: Engine, monday: datetime
) -> None:
    """A conversation owes a follow-up; the number turns out wrong (it moves to email); then
    Lee refuses email. Nothing can be done now, but the follow-up waits for a new number
    instead of being lost with email's."""
    p = scoped.enroll("lee", at=monday, **LEE)
    p = scoped.apply(p, ev.CallAttempted(at=monday, outcome="connected"))
    (followup,) = p.obligations
    t = monday + timedelta(hours=1)
    p = scoped.apply(p, ev.CallAttempted(at=t, outcome="wrong_number"))
    assert _owed(p) == {followup.key: Channel.EMAIL}
    p = scoped.apply(p, ev.OptedOut(at=t, channels=NO_EMAIL))
    assert p.stage is Stage.ENGAGED
    assert _owed(p) == {followup.key: Channel.PHONE}
    assert scoped.next_action(p, t).kind is ActionKind.NONE
    later = t + timedelta(hours=2)
    p = scoped.apply(p, ev.ContactUpdated(at=later, phone="+13125550199"))
    act = scoped.next_action(p, later)
    assert (act.channel, act.rules) == (Channel.PHONE, followup.rules)


NO_MEETINGS = frozenset({Channel.MEETING})


def test_a_prospect_who_refused_meetings_and_replies_with_interest_is_answered_not_invited(
    scoped: Engine, monday: datetime
) -> None:
    """Lee asked for no meetings (R13), then replies with interest: the rep answers her, in
    writing, at once; nothing proposes times for a meeting or sends an invitation."""
    p = scoped.enroll("lee", at=monday, **LEE)
    p = scoped.apply(p, ev.OptedOut(at=monday, channels=NO_MEETINGS))
    t = monday + timedelta(hours=1)
    p = scoped.apply(p, ev.EmailReplied(at=t, intent="positive"))
    plan = scoped.plan(p, t)
    assert all(a.kind is not ActionKind.PROPOSE_TIMES and not a.proposals for a in plan)
    first = plan[0]
    assert (first.kind, first.channel) == (ActionKind.EMAIL, Channel.EMAIL)
    assert "R13" in first.rules
    assert first.earliest_utc <= t + timedelta(hours=1)


def test_refusing_meetings_after_replying_with_interest_turns_the_proposal_into_an_answer(
    scoped: Engine, monday: datetime
) -> None:
    """Lee replied with interest (times are owed), then asks for no meetings: the proposal of
    times becomes the answer to her reply, still owed now."""
    p = scoped.enroll("lee", at=monday, **LEE)
    t = monday + timedelta(hours=1)
    p = scoped.apply(p, ev.EmailReplied(at=t, intent="positive"))
    assert _owed(p) == {"propose_times": Channel.EMAIL}
    p = scoped.apply(p, ev.OptedOut(at=t + timedelta(minutes=1), channels=NO_MEETINGS))
    plan = scoped.plan(p, t + timedelta(minutes=2))
    assert all(a.kind is not ActionKind.PROPOSE_TIMES and not a.proposals for a in plan)
    assert (plan[0].kind, plan[0].channel) == (ActionKind.EMAIL, Channel.EMAIL)
    assert "R13" in plan[0].rules


@pytest.mark.parametrize("by", ["prospect", "rep"])
def test_a_cancellation_of_a_meeting_the_engine_never_saw_offers_no_times_to_one_who_refused_them(
    scoped: Engine, monday: datetime, by: str
) -> None:
    """Lee refused meetings (R13); the calendar then reports a meeting cancelled that was never
    logged as booked (made before she was enrolled). Neither her cancelling (R15) nor the
    rep's (R14) brings an offer of new times, an invitation or an apology for a meeting."""
    p = scoped.enroll("lee", at=monday, **LEE)
    p = scoped.apply(p, ev.OptedOut(at=monday, channels=NO_MEETINGS))
    t = monday + timedelta(hours=1)
    p = scoped.apply(p, ev.MeetingCancelled(at=t, meeting_id="old", by=by))
    plan = scoped.plan(p, t)
    assert all(a.kind is not ActionKind.PROPOSE_TIMES and not a.proposals for a in plan)
    assert all("R14" not in a.rules and "R15" not in a.rules for a in plan)


def test_the_receptionist_escalation_by_email_says_to_write_not_to_call(
    monday: datetime,
) -> None:
    """R9 after R13: Lee refused calls, so the ladder's escalation to the receptionist goes by
    email; what the rep is told to do says to write to them, not to call."""
    engine = Engine(cadence.Policy(opt_out_scope="channel", escalations=("contact_receptionist",)))
    p = engine.enroll("lee", at=monday, **LEE)
    p = engine.apply(p, ev.OptedOut(at=monday, channels=NO_CALLS))
    t = monday
    for i in range(8):
        act = engine.next_action(p, t)
        if act.kind is ActionKind.CONTACT_RECEPTIONIST:
            break
        t = max(t, act.earliest_utc)
        p = engine.apply(p, ev.EmailSent(at=t, id=f"e{i}"))
    assert (act.kind, act.channel) == (ActionKind.CONTACT_RECEPTIONIST, Channel.EMAIL)
    assert not any(point.startswith("Call") for point in act.talking_points)
    assert act.talking_points == (engine.policy.templates.receptionist_by_email,)


@pytest.mark.parametrize("what", ["prospect", "rep", "no_show"])
def test_refusing_meetings_withdraws_the_new_times_owed_for_one(
    scoped: Engine, monday: datetime, what: str
) -> None:
    """Lee's meeting is off (she cancelled it, R15; the rep did, R14; or she missed it), and
    new times are owed; then she asks for no meetings (R13). No new times are proposed; the
    rep who cancelled still apologises (R14)."""
    p = _booked(scoped, monday)
    t = monday + timedelta(hours=2)
    if what == "no_show":
        start = p.meetings[0].starts_at
        t = start + timedelta(minutes=40)
        p = scoped.apply(p, ev.MeetingNoShow(at=t, meeting_id="m1"))
    else:
        p = scoped.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by=what))
    assert "propose_times" in _owed(p)
    p = scoped.apply(p, ev.OptedOut(at=t + timedelta(minutes=1), channels=NO_MEETINGS))
    plan = scoped.plan(p, t + timedelta(minutes=2))
    assert all(a.kind is not ActionKind.PROPOSE_TIMES and not a.proposals for a in plan)
    assert all(ActionKind.PROPOSE_TIMES not in a.also for a in plan)
    assert not any("new time" in said for a in plan for said in (a.reason, *a.talking_points))
    if what == "rep":
        assert any("R14" in a.rules for a in plan)


def test_refusing_meetings_after_refusing_calls_leaves_the_written_apology(
    scoped: Engine, monday: datetime
) -> None:
    """Lee refused calls, so when the rep cancels the meeting the written proposal of times is
    the apology (R14); then she refuses meetings too. The apology stays, as a brief email that
    proposes nothing (and sends the material promised)."""
    p = scoped.apply(_booked(scoped, monday), ev.OptedOut(at=monday, channels=NO_CALLS))
    t = monday + timedelta(hours=2)
    p = scoped.apply(p, ev.MeetingCancelled(at=t, meeting_id="m1", by="rep"))
    assert "reschedule_call" not in _owed(p)
    p = scoped.apply(p, ev.OptedOut(at=t + timedelta(minutes=1), channels=NO_MEETINGS))
    first = scoped.plan(p, t + timedelta(minutes=2))[0]
    assert (first.kind, first.channel, first.rules) == (ActionKind.EMAIL, Channel.EMAIL, ("R14",))
    assert not first.proposals
    assert first.talking_points[0] == "Apologise for cancelling, warmly; keep it brief."
    assert first.also == (ActionKind.SEND_COLLATERAL,)  # the material goes in the same email


def test_the_apology_owed_when_meetings_are_refused_weeks_later_is_due_after_the_refusal(
    scoped: Engine, monday: datetime
) -> None:
    """Lee refused calls; the rep cancelled the meeting, so the written proposal of times is
    the apology (R14); three weeks later she refuses meetings. The brief apology that replaces
    the proposal is new, so it is due after her refusal (DESIGN §4), not on the day of the
    cancellation. (It used to be due then, weeks before the event that made it.)"""
    p = scoped.apply(_booked(scoped, monday), ev.OptedOut(at=monday, channels=NO_CALLS))
    t = monday + timedelta(hours=2)
    cancelled = ev.MeetingCancelled(at=t, meeting_id="m1", by="rep")
    refused = ev.OptedOut(at=t + timedelta(days=24), channels=NO_MEETINGS)
    after = check_invariants(scoped, p, [cancelled, refused])
    apology = next(o for o in after.obligations if o.key == "reschedule_call")
    assert apology.not_before == refused.at + timedelta(minutes=scoped.policy.reaction_minutes)
    first = scoped.next_action(after, refused.at)
    assert (first.kind, first.rules) == (ActionKind.EMAIL, ("R14",))
    assert first.earliest_utc > refused.at


def test_the_answer_owed_when_meetings_are_refused_weeks_after_a_reply_is_due_after_it(
    scoped: Engine, monday: datetime
) -> None:
    """Lee replied with interest (times are owed, R2) and, five weeks later, before the rep
    wrote back, refuses meetings (R13). The answer that replaces the proposal is due after
    her refusal, not when the times were (it used to be due five weeks before it)."""
    p = scoped.enroll("lee", at=monday, **LEE)
    replied = ev.EmailReplied(at=monday + timedelta(hours=1), intent="positive")
    refused = ev.OptedOut(at=replied.at + timedelta(days=35), channels=NO_MEETINGS)
    after = check_invariants(scoped, p, [replied, refused])
    answer = next(o for o in after.obligations if o.key == "followup")
    assert answer.rules == ("R2", "R13")
    assert answer.not_before == refused.at + timedelta(minutes=scoped.policy.reaction_minutes)


def test_a_booking_logged_after_meetings_were_refused_leaves_what_is_owed(
    scoped: Engine, monday: datetime
) -> None:
    """Lee refused meetings and replied with interest (the rep owes her an answer); then a
    booking is logged anyway. It is withdrawn at once (R13), so no meeting is ahead: the
    answer is still owed, and nothing thanks her for booking."""
    p = scoped.enroll("lee", at=monday, **LEE)
    p = scoped.apply(p, ev.OptedOut(at=monday, channels=NO_MEETINGS))
    t = monday + timedelta(hours=1)
    p = scoped.apply(p, ev.EmailReplied(at=t, intent="positive"))
    owed = _owed(p)
    p = scoped.apply(p, ev.MeetingBooked(at=t, meeting_id="m1", starts_at=t + timedelta(days=2)))
    assert _owed(p) == owed
    assert [m.status for m in p.meetings] == ["withdrawn"]


def test_a_late_opt_out_of_meetings_honoured_after_their_no_show_replays(
    scoped: Engine, monday: datetime
) -> None:
    """Lee missed Wednesday's meeting (logged), then the opt-out of meetings she sent on
    Tuesday arrives late: honoured (R13). Rebuilt with ``replay``, her Tuesday opt-out
    withdrew the meeting before its no-show, which ``replay`` refused as a meeting that
    "cannot have been missed": the history ``apply`` took could not be replayed. A no-show of
    a meeting withdrawn (meetings refused, a deal lost) is ignored, as a closed prospect
    ignores one: nobody calls to reschedule a meeting the prospect refused."""
    start = monday + timedelta(days=2)
    booked = ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=start)
    missed = ev.MeetingNoShow(at=start + timedelta(minutes=40), meeting_id="m1")
    refused = ev.OptedOut(at=monday + timedelta(days=1), channels=NO_MEETINGS)
    p = scoped.enroll("lee", at=monday, **LEE)
    for event in (booked, missed, refused):
        p = scoped.apply(p, event)
    replayed = scoped.replay("lee", [booked, missed, refused], at=monday, **LEE)
    assert [m.status for m in replayed.meetings] == ["withdrawn"]
    assert not any(o.key == "no_show_call" for o in replayed.obligations)
    in_order = scoped.apply(scoped.apply(scoped.enroll("lee", at=monday, **LEE), booked), refused)
    assert scoped.apply(in_order, missed) == in_order.model_copy(
        update={"last_event_at": missed.at}
    )


def test_r2_an_answer_owed_after_refusing_meetings_goes_by_phone_when_the_address_bounced() -> None:
    """R13 and R2: their address bounced, then they replied with interest (times owed in
    writing), and in the same minute refused meetings. The answer that replaces the times was
    owed by email, a channel the bounce had blocked, and, being the contact owed, held the
    ladder: nothing was planned for an engaged prospect whose phone works. It goes by phone."""
    engine = cadence.Engine(cadence.Policy(opt_out_scope="channel"))
    at = datetime(2024, 3, 11, 8, 0, tzinfo=CHICAGO)
    p = engine.enroll(
        "x", timezone="America/Chicago", at=at - timedelta(days=1), country="US", subdivision="IL"
    )
    later: list[ev.Event] = [
        ev.EmailBounced(at=at),
        ev.EmailReplied(at=at, intent="positive"),
        ev.OptedOut(at=at, channels=frozenset({Channel.MEETING})),
    ]
    q = p
    for e in later:
        q = engine.apply(q, e)
    (answer,) = (o for o in q.obligations if o.key == "followup")
    assert answer.channel is Channel.PHONE
    action = engine.next_action(q, at)
    assert action.kind is ActionKind.CALL
    assert "R13" in action.rules
    check_invariants(engine, p, later)


def test_refusing_meetings_after_a_no_show_calls_off_the_call_to_reschedule(
    scoped: Engine, monday: datetime
) -> None:
    """Lee missed Thursday's meeting, then asked for no more meetings (R13). The call owed to
    reschedule the missed meeting stayed owed, its reason "reach out within a business day to
    reschedule": a call to book the meeting she refused. As when her refusal arrives late
    (the no-show of a withdrawn meeting is ignored), nothing about that meeting is owed: the
    ladder goes on, and nothing planned proposes a meeting."""
    p = _booked(scoped, monday)
    missed = monday + timedelta(days=3, hours=1)
    later: list[ev.Event] = [
        ev.MeetingNoShow(at=missed, meeting_id="m1"),
        ev.OptedOut(at=missed + timedelta(hours=1), channels=NO_MEETINGS),
    ]
    q = check_invariants(scoped, p, later)
    assert not [o for o in q.obligations if o.detail == "m1" or o.key == "no_show_call"]
    for action in scoped.plan(q, missed + timedelta(hours=1)):
        assert "reschedule" not in action.reason
        assert ActionKind.PROPOSE_TIMES not in action.kinds
