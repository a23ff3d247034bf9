"""Bounces that arrive late (R8, R10, R13): which emailed message of the ladder never reached
the prospect, whatever touches were logged between it and the bounce."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cadence
from cadence import ActionKind, Channel, Stage
from cadence import events as ev
from tests.conftest import CHICAGO
from tests.scenarios.test_rules import (
    _enroll,
    _until,
    offer_moved_to_email,
    offered_again_by_phone,
)

Engine = cadence.Engine


def _emailed_offer(engine: Engine, monday: datetime) -> tuple[cadence.Prospect, datetime]:
    """Dana's calls ring out, so R7 moves the opt-out offer (R8) to email, and the rep sends it
    (the email's id: ``offer``)."""
    p, now = offer_moved_to_email(engine, monday)
    p = engine.apply(p, ev.EmailSent(at=now, id="offer"))
    assert (p.stage, p.opt_out_offered_at) == (Stage.OPT_OUT_OFFERED, now)
    return p, now


@pytest.mark.parametrize("outcome", ["no_answer", "voicemail", "gatekeeper"])
@pytest.mark.parametrize("reference", [None, "offer"])
def test_r8_an_emailed_offer_that_bounced_after_a_call_is_made_again_by_phone(
    engine: Engine, monday: datetime, outcome: str, reference: str | None
) -> None:
    """The offer went by email; the rep called Dana an hour later; the bounce arrives the next
    day, naming the offer's email or naming none. The offer never reached her: it is owed
    again, by phone, and R8's longer gap runs from the offer she heard, not from the email.
    Before, a call logged between hid the bounce: the breakup came next, after a longer gap
    counted from an offer that never arrived."""
    p, at = _emailed_offer(engine, monday)
    before = p.unanswered
    p = engine.apply(p, ev.CallAttempted(at=at + timedelta(hours=1), outcome=outcome))
    bounced = engine.apply(p, ev.EmailBounced(at=at + timedelta(days=1), email_id=reference))
    assert bounced.opt_out_offered_at is None
    assert bounced.unanswered == p.unanswered - 1
    assert before - 1 <= bounced.unanswered
    offered_again_by_phone(engine, bounced, at + timedelta(days=1, minutes=5))


def test_r8_a_bounce_of_another_email_leaves_the_offer_made(
    engine: Engine, monday: datetime
) -> None:
    """The bounce names an email other than the offer's (one sent before it, whose bounce came
    late): only that one did not arrive. The offer stands; email is blocked; the breakup, owed
    after R8's longer gap, goes by phone."""
    p, at = _emailed_offer(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=at + timedelta(hours=1), outcome="no_answer"))
    bounced = engine.apply(p, ev.EmailBounced(at=at + timedelta(days=1), email_id="u3"))
    assert (bounced.opt_out_offered_at, bounced.unanswered) == (at, p.unanswered)
    assert Channel.EMAIL in bounced.blocked_channels
    nxt = engine.next_action(bounced, at + timedelta(days=1, minutes=5))
    assert (nxt.kind, nxt.channel) == (ActionKind.BREAKUP, Channel.PHONE)


def test_r6_r8_a_bounce_of_the_email_after_a_voicemail_that_made_the_offer(
    engine: Engine, monday: datetime
) -> None:
    """The voicemail made the offer (R8) and the email that mentions it (R6) bounced, days
    later, after another call: Dana heard the offer. It stands, and no email is owed."""
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.OPT_OUT_OFFER)
    p = engine.apply(p, ev.CallAttempted(at=at, outcome="voicemail"))
    email = engine.next_action(p, at)
    assert "R6" in email.rules
    p = engine.apply(p, ev.EmailSent(at=max(at, email.earliest), id="r6"))
    p = engine.apply(p, ev.CallAttempted(at=at + timedelta(days=1), outcome="no_answer"))
    bounced = engine.apply(p, ev.EmailBounced(at=at + timedelta(days=2)))
    assert (bounced.opt_out_offered_at, bounced.unanswered) == (at, p.unanswered)
    assert engine.next_action(bounced, at + timedelta(days=2)).kind is ActionKind.BREAKUP


def test_r10_a_breakup_left_by_voicemail_stands_when_a_later_email_bounces(
    engine: Engine, monday: datetime
) -> None:
    """Dana's email bounced, so the breakup (R10) was left by voicemail. The rep then found a
    new address and wrote to it; that email bounced too. The breakup was heard: the wait for
    an answer to it still runs, and she is dropped when it ends. Before, the bounce took the
    breakup for an email that never arrived: it was owed again, and she was never dropped."""
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.BREAKUP)
    p = engine.apply(p, ev.EmailBounced(at=at))
    breakup = engine.next_action(p, at + timedelta(minutes=1))
    assert (breakup.kind, breakup.channel) == (ActionKind.BREAKUP, Channel.PHONE)
    call = max(at + timedelta(minutes=1), breakup.earliest)
    p = engine.apply(p, ev.CallAttempted(at=call, outcome="voicemail"))
    assert p.breakup_sent_at == call
    p = engine.apply(p, ev.ContactUpdated(at=call + timedelta(hours=1), email="dana@new.example"))
    p = engine.apply(p, ev.EmailSent(at=call + timedelta(hours=2)))
    bounced = engine.apply(p, ev.EmailBounced(at=call + timedelta(hours=3)))
    assert bounced.breakup_sent_at == call
    assert engine.advance(bounced, call + timedelta(days=30)).stage is Stage.DROPPED


def test_r8_r10_a_late_bounce_naming_the_breakup_after_the_offer_by_email(
    engine: Engine, monday: datetime
) -> None:
    """The offer and then the breakup went by email; a bounce naming the breakup's email comes
    after a call: only the breakup did not arrive (the offer, weeks before, did). The breakup
    is owed again, by phone; the offer stands."""
    p, at = _emailed_offer(engine, monday)
    act = engine.next_action(p, at + timedelta(minutes=1))
    assert (act.kind, act.channel) == (ActionKind.BREAKUP, Channel.EMAIL)
    sent = act.earliest
    p = engine.apply(p, ev.EmailSent(at=sent, id="breakup"))
    p = engine.apply(p, ev.CallAttempted(at=sent + timedelta(hours=1), outcome="no_answer"))
    bounced = engine.apply(p, ev.EmailBounced(at=sent + timedelta(hours=5), email_id="breakup"))
    assert (bounced.breakup_sent_at, bounced.opt_out_offered_at) == (None, at)
    again = engine.next_action(bounced, sent + timedelta(hours=6))
    assert (again.kind, again.channel) == (ActionKind.BREAKUP, Channel.PHONE)


def test_r8_a_reference_is_checked_like_an_id(monday: datetime) -> None:
    """The bounced email's id is an id: a blank one is refused, naming the field."""
    with pytest.raises(ValueError, match="email_id"):
        ev.EmailBounced(at=monday, email_id="  ")
    bounced = cadence.parse_event(
        {"type": "email_bounced", "at": monday.isoformat(), "email_id": "m-1"}
    )
    assert isinstance(bounced, ev.EmailBounced)
    assert bounced.email_id == "m-1"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(["no_answer", "voicemail", "gatekeeper"]),
            st.integers(min_value=1, max_value=3 * 24 * 60),
        ),
        max_size=3,
    ),
    reference=st.sampled_from([None, "offer", "u3", "other"]),
    late=st.integers(min_value=1, max_value=24 * 60),
)
def test_r8_a_bounce_after_any_calls_is_matched_to_the_emailed_offer(
    calls: list[tuple[str, int]], reference: str | None, late: int
) -> None:
    """Whatever calls are logged after the emailed offer (R8), a bounce naming the offer's
    email, or naming none, means it never arrived: owed again, by phone, no longer counted as
    unanswered. A bounce naming another email leaves it made."""
    engine = Engine(cadence.Policy())
    monday = datetime(2026, 3, 9, 9, 30, tzinfo=CHICAGO)
    p, at = _emailed_offer(engine, monday)
    now = at
    for outcome, minutes in calls:
        now += timedelta(minutes=minutes)
        p = engine.apply(p, ev.CallAttempted(at=now, outcome=outcome))
    now += timedelta(minutes=late)
    bounced = engine.apply(p, ev.EmailBounced(at=now, email_id=reference))
    assert Channel.EMAIL in bounced.blocked_channels
    if reference in (None, "offer") and p.stage is Stage.OPT_OUT_OFFERED:
        assert (bounced.opt_out_offered_at, bounced.unanswered) == (None, p.unanswered - 1)
        act = engine.next_action(bounced, now + timedelta(minutes=1))
        assert (act.kind, act.channel) == (ActionKind.OPT_OUT_OFFER, Channel.PHONE)
    else:
        assert (bounced.opt_out_offered_at, bounced.unanswered) == (
            p.opt_out_offered_at,
            p.unanswered,
        )


def test_r8_r9_an_emailed_offer_that_bounced_after_an_escalation_is_made_again(
    monday: datetime,
) -> None:
    """The offer went by email, then the rep checked with the receptionist (R9); the offer's
    bounce arrives after that. Dana never had the offer: it is owed again, by phone, and the
    breakup comes R8's longer gap after the offer she heard. Before, the escalation hid the
    bounce, and the breakup followed an offer that never arrived."""
    engine = Engine(cadence.Policy(escalations=("contact_receptionist",)))
    p, at = _emailed_offer(engine, monday)
    act = engine.next_action(p, at + timedelta(minutes=1))
    assert act.kind is ActionKind.CONTACT_RECEPTIONIST
    p = engine.apply(p, ev.CallAttempted(at=act.earliest, outcome="gatekeeper"))
    assert p.escalations_done == 1
    later = act.earliest + timedelta(hours=2)
    bounced = engine.apply(p, ev.EmailBounced(at=later, email_id="offer"))
    assert (bounced.opt_out_offered_at, bounced.unanswered) == (None, p.unanswered - 1)
    again = engine.next_action(bounced, later)
    assert (again.kind, again.channel) == (ActionKind.OPT_OUT_OFFER, Channel.PHONE)
    call = max(later, again.earliest)
    made = engine.apply(bounced, ev.CallAttempted(at=call, outcome="voicemail"))
    assert made.opt_out_offered_at == call
    breakup = next(a for a in engine.plan(made, call) if a.kind is ActionKind.BREAKUP)
    cal = engine.calendar(made)
    gap = engine.policy.opt_out_gap_business_days
    assert cal.local(breakup.earliest).date() >= cal.add_business_days(cal.local(call).date(), gap)
    # Away for three weeks after the offer made again: the longer gap runs from their return.
    back = call + timedelta(days=21)
    away = engine.apply(made, ev.OutOfOffice(at=call + timedelta(hours=1), until=back))
    after = next(a for a in engine.plan(away, back) if a.kind is ActionKind.BREAKUP)
    returned = cal.local(away.paused_until).date()  # type: ignore[arg-type]
    assert after.earliest.date() >= cal.add_business_days(returned, gap)


@pytest.mark.parametrize("reference", [None, "offer"])
def test_r8_a_bounce_after_a_new_address_is_matched_to_the_address_it_concerns(
    engine: Engine, monday: datetime, reference: str | None
) -> None:
    """The offer went by email; the rep then found Dana a new address. A bounce naming no
    email is the new address's: the offer, sent to the old one, stands, and email is blocked.
    A late bounce naming the offer's email is the old address's: the offer never arrived and is
    owed again, and the new address stays open."""
    p, at = _emailed_offer(engine, monday)
    p = engine.apply(p, ev.ContactUpdated(at=at + timedelta(hours=1), email="dana@new.example"))
    later = at + timedelta(hours=3)
    bounced = engine.apply(p, ev.EmailBounced(at=later, email_id=reference))
    if reference is None:
        assert (bounced.opt_out_offered_at, bounced.unanswered) == (at, p.unanswered)
        assert Channel.EMAIL in bounced.blocked_channels
    else:
        assert (bounced.opt_out_offered_at, bounced.unanswered) == (None, p.unanswered - 1)
        assert bounced.blocked_channels == frozenset()
        assert engine.next_action(bounced, later).kind is ActionKind.OPT_OUT_OFFER


def test_r8_a_state_stored_before_how_the_offer_went_was_kept(
    engine: Engine, monday: datetime
) -> None:
    """A state stored by the previous release does not say how the offer went: a bounce is
    matched as that release matched it (the offer R7 moved to email, no call since)."""
    p, at = _emailed_offer(engine, monday)
    stored = json.loads(p.model_dump_json())
    del stored["offer_sent_by"], stored["breakup_sent_by"]
    old = cadence.Prospect.model_validate_json(json.dumps(stored))
    assert old.offer_sent_by is None
    bounced = engine.apply(old, ev.EmailBounced(at=at + timedelta(minutes=20)))
    assert (bounced.opt_out_offered_at, bounced.unanswered) == (None, p.unanswered - 1)
    assert engine.next_action(old, at) == engine.next_action(p, at)
