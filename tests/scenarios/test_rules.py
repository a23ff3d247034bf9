"""One story per practice (DESIGN §2), told as the seeds tell them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

import cadence
from cadence import ActionKind, Channel, Stage
from cadence import events as ev
from cadence.policy import Policy, TimeSlot
from tests.conftest import CHICAGO

Engine = cadence.Engine


def _enroll(engine: Engine, at: datetime, **kw: object) -> cadence.Prospect:
    return engine.enroll(
        "dana",
        timezone="America/Chicago",
        at=at,
        country="US",
        subdivision="IL",
        **kw,  # type: ignore[arg-type]
    )


def _never_answers(
    engine: Engine, p: cadence.Prospect, now: datetime, steps: int, tag: str = "x"
) -> list[tuple[cadence.Action, cadence.Prospect]]:
    """Follow the engine's own next actions; every call reaches voicemail, no email is answered."""
    out = []
    for i in range(steps):
        act = engine.next_action(p, now)
        if act.kind is ActionKind.NONE:
            out.append((act, p))
            break
        now = max(now, act.earliest)
        if act.kind is ActionKind.WAIT:
            p = engine.advance(p, now)
        elif act.channel is Channel.PHONE:
            p = engine.apply(p, ev.CallAttempted(at=now, outcome="voicemail", id=f"{tag}{i}"))
        else:
            p = engine.apply(p, ev.EmailSent(at=now, id=f"{tag}{i}"))
        out.append((act, p))
    return out


def test_r1_agreed_next_contact_is_scheduled_exactly(engine: Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    agreed = datetime(2026, 3, 12, 15, 0, tzinfo=CHICAGO)  # Thursday 15:00, her time
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed))
    act = engine.next_action(p, monday + timedelta(hours=1))
    assert p.stage is Stage.ENGAGED
    assert act.kind is ActionKind.CALL
    assert act.earliest == agreed
    assert act.rules == ("R1",)
    assert act.priority is cadence.Priority.PROMISE
    assert "commitment_missing" not in act.flags


@pytest.mark.parametrize("agreed", [False, True])
def test_r1_a_recap_email_after_the_conversation_leaves_them_engaged(
    engine: Engine, monday: datetime, agreed: bool
) -> None:
    """Dana picks up; the rep logs the call, then the recap email they sent her. She talked
    to the rep minutes ago: the email is no unanswered attempt, so she stays engaged and the
    contact owed (agreed for Thursday, or the default follow-up) is unchanged. She becomes
    unresponsive when that contact goes unanswered."""
    p = _enroll(engine, monday)
    thursday = datetime(2026, 3, 12, 14, 0, tzinfo=CHICAGO)
    p = engine.apply(
        p,
        ev.CallAttempted(
            at=monday, outcome="connected", next_contact_at=thursday if agreed else None
        ),
    )
    owed = engine.next_action(p, monday + timedelta(minutes=10))
    recap = engine.apply(p, ev.EmailSent(at=monday + timedelta(minutes=10)))
    assert (recap.stage, recap.unanswered) == (Stage.ENGAGED, 0)
    assert engine.next_action(recap, monday + timedelta(minutes=10)) == owed
    kept = engine.apply(recap, ev.CallAttempted(at=owed.earliest, outcome="voicemail"))
    assert (kept.stage, kept.unanswered) == (Stage.UNRESPONSIVE, 1)


def test_r1_a_voicemail_before_the_agreed_day_is_not_the_agreed_call(
    engine: Engine, monday: datetime
) -> None:
    """They agreed on Thursday 14:00; the rep tries on Tuesday and reaches voicemail. That is
    not the call they agreed to, nor a sign they stopped answering: still engaged, Thursday's
    call still owed."""
    p = _enroll(engine, monday)
    thursday = datetime(2026, 3, 12, 14, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=thursday))
    tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=tuesday, outcome="voicemail"))
    assert (p.stage, p.unanswered) == (Stage.ENGAGED, 0)
    calls = [a for a in engine.plan(p, tuesday) if a.kind is ActionKind.CALL]
    assert calls[0].earliest == thursday


_HOURS = "it is outside the hours the policy and the law allow"


@pytest.mark.parametrize(
    ("agreed", "due", "why"),
    [
        (datetime(2026, 3, 11, 17, 30, tzinfo=CHICAGO), "Thu 12 09:00", _HOURS),  # after the slots
        (datetime(2026, 3, 14, 10, 0, tzinfo=CHICAGO), "Mon 16 09:00", "it is on a day off"),  # Sat
        (datetime(2026, 3, 11, 21, 30, tzinfo=CHICAGO), "Thu 12 09:00", _HOURS),  # past 21:00
    ],
)
def test_r1_an_agreed_time_the_hours_do_not_allow_is_kept_as_soon_as_they_do_and_flagged(
    engine: Engine, monday: datetime, agreed: datetime, due: str, why: str
) -> None:
    """The prospect asked for a time the team's hours (or the law) rule out: the call is due at
    the first allowed moment after it, flagged ``moved`` so that the rep tells them why (a
    Saturday is a day off, not a time outside the hours); a time inside the hours is not."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed))
    act = engine.next_action(p, monday + timedelta(hours=1))
    assert act.rules == ("R1",)
    assert f"{act.earliest:%a %d %H:%M}" == due
    assert act.flags == ("moved",)
    assert act.talking_points[0] == f"The agreed time moved ({why}): tell them."
    kept = engine.apply(
        _enroll(engine, monday),
        ev.CallAttempted(
            at=monday,
            outcome="connected",
            next_contact_at=datetime(2026, 3, 11, 15, 0, tzinfo=CHICAGO),
        ),
    )
    assert engine.next_action(kept, monday + timedelta(hours=1)).flags == ()


def test_r1_an_agreed_time_moved_into_anothers_call_is_still_flagged_and_told(
    monday: datetime,
) -> None:
    """They agreed on 07:30 tomorrow (before the hours), then cancelled the meeting (R15):
    one call at 09:00 proposes new times and keeps the agreement. It lost ``moved`` and the
    "tell them" talking point, so the rep never said the agreed time had moved."""
    engine = Engine(cadence.Policy(opt_out_scope="channel"))
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.OptedOut(at=monday, channels=frozenset({Channel.EMAIL})))
    meeting = datetime(2026, 3, 12, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=meeting))
    evening = datetime(2026, 3, 9, 17, 30, tzinfo=CHICAGO)
    agreed = datetime(2026, 3, 10, 7, 30, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=evening, outcome="connected", next_contact_at=agreed))
    p = engine.apply(
        p, ev.MeetingCancelled(at=evening + timedelta(minutes=5), meeting_id="m1", by="prospect")
    )
    act = engine.next_action(p, evening + timedelta(minutes=6))
    assert (act.kind, act.rules) == (ActionKind.PROPOSE_TIMES, ("R15", "R1"))  # (this test's data)
    assert f"{act.earliest:%a %d %H:%M}" == "Tue 10 09:00"
    assert act.flags == ("moved",)
    assert act.talking_points[0] == (
        "The agreed time moved (it is outside the hours the policy and the law allow): tell them."
    )


def test_r1_a_voicemail_the_day_before_does_not_keep_the_agreed_call(
    engine: Engine, monday: datetime
) -> None:
    """Thursday 15:00 was agreed; the rep rings on Wednesday morning and reaches voicemail.
    That is an attempt, not the call promised: Thursday's still stands (R1). A call on the day
    keeps it, a little early or not."""
    p = _enroll(engine, monday)
    agreed = datetime(2026, 3, 12, 15, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed))
    wednesday = datetime(2026, 3, 11, 9, 30, tzinfo=CHICAGO)
    early = engine.apply(p, ev.CallAttempted(at=wednesday, outcome="voicemail"))
    assert [o.key for o in early.obligations if o.key == "commitment"] == ["commitment"]
    calls = [a for a in engine.plan(early, wednesday) if a.channel is Channel.PHONE]
    assert [(a.earliest, a.rules) for a in calls] == [(agreed, ("R1",))]
    on_the_day = engine.apply(p, ev.CallAttempted(at=agreed.replace(hour=11), outcome="voicemail"))
    assert "commitment" not in [o.key for o in on_the_day.obligations]


def test_r1_conversation_without_a_date_gets_a_flagged_default(
    engine: Engine, monday: datetime
) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected"))
    act = engine.next_action(p, monday)
    assert "commitment_missing" in act.flags
    assert act.earliest.date().isoformat() == "2026-03-11"  # Monday + 2 business days
    assert "R1" in act.rules


def test_r1_the_flag_stays_when_the_default_follow_up_joins_another_call(
    engine: Engine, monday: datetime
) -> None:
    """The follow-up without a date and a call to reschedule a missed meeting start together:
    one call does both, and it still says that the conversation left no commitment. (The
    conversation comes after the meeting's start, Monday: one booked ahead would be the next
    contact itself. Its no-show is logged on Wednesday.)"""
    p = _enroll(engine, monday - timedelta(days=3))
    wednesday = monday + timedelta(days=2)
    booked = ev.MeetingBooked(at=monday - timedelta(days=3), meeting_id="m1", starts_at=monday)
    p = engine.apply(p, booked)
    p = engine.apply(p, ev.CallAttempted(at=monday + timedelta(hours=1), outcome="connected"))
    missed = wednesday + timedelta(minutes=55)  # the follow-up is due from the hour after it
    p = engine.apply(p, ev.MeetingNoShow(at=missed, meeting_id="m1"))
    act = engine.next_action(p, missed)
    assert act.kind is ActionKind.CALL
    assert "reschedule" in act.reason
    assert "in the same call: the conversation" in act.reason
    assert act.rules == ("R2", "R1")
    assert act.flags == ("commitment_missing",)


def test_r1_missed_promise_is_overdue_and_still_first(engine: Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    agreed = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed))
    later = agreed + timedelta(days=1)
    act = engine.next_action(p, later)
    assert act.kind is ActionKind.CALL
    assert act.overdue
    assert act.due_since == agreed
    assert act.earliest >= later


def test_r1_the_grace_after_an_agreed_time_runs_on_into_the_next_slot(
    engine: Engine, monday: datetime
) -> None:
    """An agreed call at 11:50 is on time until 12:20 (30 minutes of grace), although the
    morning slot ends at 12:00: the midday slot follows at once, and slots split the day for
    R4's rotation of unanswered calls, not for promises. At 12:05 the call is not overdue.
    The end of the policy's hours still cuts the grace: an agreed 16:50 is due by 17:00."""
    p = _enroll(engine, monday)
    agreed = datetime(2026, 3, 10, 11, 50, tzinfo=CHICAGO)
    q = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=agreed))
    act = engine.next_action(q, monday)
    assert (act.earliest, act.latest) == (agreed, agreed.replace(hour=12, minute=20))
    later = engine.next_action(q, agreed + timedelta(minutes=15))
    assert (later.kind, later.rules) == (ActionKind.CALL, ("R1",))
    assert not later.overdue
    assert (later.earliest, later.latest) == (agreed + timedelta(minutes=15), act.latest)
    late = agreed.replace(hour=16)
    q = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", next_contact_at=late))
    assert engine.next_action(q, monday).latest == late.replace(hour=17, minute=0)


def test_r2_a_new_prospect_has_a_first_touch_due_at_once(engine: Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    act = engine.next_action(p, monday)
    assert (act.kind, act.earliest, act.rules) == (ActionKind.CALL, monday, ("R2",))


def test_r2_asked_as_the_window_closes_the_call_is_overdue_not_an_empty_window(
    engine: Engine, monday: datetime
) -> None:
    """Windows end before their end (a call may start in ``[earliest, latest)``). A CRM asking
    at 12:00 sharp, as the morning slot closes, gets the call overdue in the next window, not
    a window from 12:00 to 12:00."""
    p = _enroll(engine, monday)
    noon = monday.replace(hour=12, minute=0)
    for now in (noon - timedelta(microseconds=1), noon):
        act = engine.next_action(p, now)
        assert act.latest > act.earliest, now
    assert engine.next_action(p, noon - timedelta(minutes=1)).latest == noon
    late = engine.next_action(p, noon)
    assert (late.earliest, late.due_since) == (noon, monday)
    assert late.overdue
    assert late.latest == monday.replace(hour=14, minute=0)


def test_r2_every_step_of_a_silent_prospect_has_one_next_action(
    engine: Engine, monday: datetime
) -> None:
    story = _never_answers(engine, _enroll(engine, monday), monday, 12)
    for act, p in story:
        assert act.earliest_utc <= act.latest_utc
        assert engine.plan(p, act.earliest)[0] == engine.next_action(p, act.earliest)


def test_r3_four_business_days_between_unanswered_attempts(
    engine: Engine, monday: datetime
) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="no_answer"))
    act = engine.next_action(p, monday)
    assert act.kind is ActionKind.CALL
    assert act.earliest.date().isoformat() == "2026-03-13"  # Mon 9 + 4 business days = Fri 13
    assert "R3" in act.rules


def test_r3_while_engaged_the_gap_counts_from_the_response_not_from_record_edits(
    engine: Engine, monday: datetime
) -> None:
    """A reply engages the prospect; the proposal goes out; then a CRM sync edits the record
    every night (a new owner, a bounce). The next attempt stays four business days after the
    reply (R3), and is overdue once that passes (R2), instead of moving with every edit."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="positive"))
    p = engine.apply(p, ev.EmailSent(at=monday + timedelta(minutes=10)))  # the proposal
    first = engine.next_action(p, monday + timedelta(minutes=11))
    assert p.stage is Stage.ENGAGED
    assert first.rules[0] == "R3"
    assert first.earliest.date().isoformat() == "2026-03-13"  # Monday + 4 business days
    for day in range(1, 22):
        edit_at = (monday + timedelta(days=day)).replace(hour=23)
        p = engine.apply(p, ev.ContactUpdated(at=edit_at, owner=f"rep{day % 2}"))
    p = engine.apply(p, ev.EmailBounced(at=monday + timedelta(days=22)))
    later = engine.next_action(p, monday + timedelta(days=22, hours=1))
    assert later.kind is ActionKind.CALL
    assert "overdue" in later.flags
    assert later.due_since is not None
    assert later.due_since.date() == first.earliest.date()


def test_r3_gap_is_configurable(monday: datetime) -> None:
    engine = Engine(Policy(min_gap_business_days=2))
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="no_answer"))
    assert engine.next_action(p, monday).earliest.date().isoformat() == "2026-03-11"


def test_r4_unanswered_call_retried_at_a_different_time_of_day(
    engine: Engine, monday: datetime
) -> None:
    p = _enroll(engine, monday)  # 09:30: the morning slot
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="no_answer"))
    act = engine.next_action(p, monday)
    assert act.slot != "morning"
    assert "R4" in act.rules


def test_r4_holds_for_the_offer_and_the_breakup_made_by_phone(monday: datetime) -> None:
    """Dana refused email, so the opt-out offer (R8) and the breakup (R10) are calls. Each
    retries an unanswered call, so each goes at another time of day and says so (R4). The
    rep made the offer at 10:00, in the morning: the breakup, two weeks later, used to be due
    at 09:00, the same part of the day, without R4; it is due at midday."""
    engine = Engine(Policy(opt_out_scope="channel", escalations=()))
    p = engine.apply(_enroll(engine, monday), ev.OptedOut(at=monday, channels=[Channel.EMAIL]))
    now = monday
    seen = {}
    for i in range(6):
        act = engine.next_action(p, now)
        seen[act.kind] = act
        if act.kind is not ActionKind.CALL and act.kind is not ActionKind.OPT_OUT_OFFER:
            break
        at = max(now, act.earliest)
        if act.kind is ActionKind.OPT_OUT_OFFER:
            at = at.astimezone(CHICAGO).replace(hour=10, minute=0)  # the rep calls early
        p = engine.apply(p, ev.CallAttempted(at=at, outcome="voicemail", id=f"c{i}"))
        now = at + timedelta(minutes=1)
    offer, breakup = seen[ActionKind.OPT_OUT_OFFER], seen[ActionKind.BREAKUP]
    assert offer.channel is Channel.PHONE
    assert offer.rules == ("R8", "R3", "R4")
    assert offer.reason.endswith("at a different time of day")
    assert p.stage is Stage.OPT_OUT_OFFERED
    assert breakup.channel is Channel.PHONE
    assert breakup.slot == "midday"
    assert breakup.rules == ("R10", "R8", "R4")
    assert breakup.reason.endswith("at a different time of day")
    assert breakup.earliest.astimezone(CHICAGO).hour == 12


def test_r4_is_not_cited_when_the_day_has_one_part(monday: datetime) -> None:
    """With a single calling slot there is nothing to rotate: the retry cites R3 alone."""
    one_slot = Policy(call_slots=(TimeSlot(name="day", start="09:00", end="17:00"),))
    engine = Engine(one_slot)
    p = engine.apply(_enroll(engine, monday), ev.CallAttempted(at=monday, outcome="no_answer"))
    act = engine.next_action(p, monday)
    assert act.kind is ActionKind.CALL
    assert act.rules == ("R3",)
    assert "different time of day" not in act.reason
    # Nor is the one part of the day avoided: the retry is due as soon as R3's gap allows.
    assert act.earliest == monday.replace(day=13, hour=9, minute=0)  # Friday, 4 business days


@pytest.mark.parametrize(
    ("hour", "minute", "nearest", "retry"),
    [(8, 30, "morning", (12, "midday")), (17, 20, "afternoon", (9, "morning"))],
)
def test_r4_a_call_outside_the_slots_counts_in_the_nearest_part_of_the_day(
    engine: Engine,
    monday: datetime,
    hour: int,
    minute: int,
    nearest: str,
    retry: tuple[int, str],
) -> None:
    """The law allows calls from 08:00 to 21:00, the policy's slots run 09:00-17:00: a rep
    who left a voicemail at 08:30 called in the morning, one who left it at 17:20 in the
    afternoon. The retry, four business days later, avoids that part of the day and says so
    (R4), as after a call inside the slot. The early caller's script (R5, computed for the
    first touch due at 09:00) promised that same retry: Friday midday."""
    call = monday.replace(hour=hour, minute=minute)
    p = _enroll(engine, call)
    script = engine.next_action(p, call).talking_points[0]
    p = engine.apply(p, ev.CallAttempted(at=call, outcome="voicemail"))
    p = engine.apply(p, ev.EmailSent(at=call + timedelta(minutes=5)))
    assert p.last_attempt_slot == nearest
    act = engine.next_action(p, call + timedelta(minutes=6))
    assert act.kind is ActionKind.CALL
    assert (act.earliest, act.slot) == (monday.replace(day=13, hour=retry[0], minute=0), retry[1])
    assert act.rules == ("R3", "R4")
    assert act.reason.endswith("at a different time of day")
    if hour < 9:
        assert "try again on Friday midday" in script


def test_r5_voicemail_script_names_the_next_attempt(engine: Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    act = engine.next_action(p, monday)
    # If this Monday-morning call reaches voicemail, the next call is Friday (4 business days)
    # in another part of the day: the script says so before the rep dials.
    assert any("try again on Friday midday" in t for t in act.talking_points)


@pytest.mark.parametrize("agreed", [False, True])
def test_r5_a_promised_call_that_would_count_as_an_attempt_names_the_next_one_too(
    engine: Engine, monday: datetime, agreed: bool
) -> None:
    """The default follow-up of a conversation without a date (R1), or the agreed call, is an
    attempt on the ladder if it reaches voicemail (R18: most calls do): its script names the
    next attempt too (R5), and the engine then asks for that one."""
    p = _enroll(engine, monday)
    thursday = (monday + timedelta(days=3)).replace(hour=10, minute=0)
    p = engine.apply(
        p,
        ev.CallAttempted(
            at=monday, outcome="connected", next_contact_at=thursday if agreed else None
        ),
    )
    call = engine.next_action(p, monday)
    assert call.kind is ActionKind.CALL
    assert "R1" in call.rules
    promise = [t for t in call.talking_points if t.startswith("If you reach voicemail")]
    assert len(promise) == 1
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    p = engine.apply(p, ev.EmailSent(at=call.earliest + timedelta(minutes=6)))
    following = engine.next_action(p, call.earliest + timedelta(minutes=7))
    assert following.kind is ActionKind.CALL
    assert following.rules[0] == "R3"
    start = following.earliest
    assert f"try again on {start:%A} {following.slot}" in promise[0]


def test_r5_an_email_nobody_asked_for_does_not_move_the_promised_call(
    engine: Engine, monday: datetime
) -> None:
    """Monday's call reaches voicemail and promises Friday midday; the rep sends the R6 email,
    then on Tuesday and on Friday morning emails of their own (an article, a case study).
    Neither is the call the voicemail promised: the call stays on Friday midday (it moved to
    the Monday after, four business days after the last email), and neither counts as an
    unanswered attempt."""
    p = _enroll(engine, monday)
    first = engine.next_action(p, monday)
    assert "try again on Friday midday" in first.talking_points[0]
    p = engine.apply(p, ev.CallAttempted(at=first.earliest, outcome="voicemail"))
    r6 = engine.next_action(p, first.earliest)
    assert "R6" in r6.rules
    p = engine.apply(p, ev.EmailSent(at=r6.earliest))
    promised = engine.next_action(p, r6.earliest)
    assert (promised.kind, f"{promised.earliest:%a %d %H:%M}") == (ActionKind.CALL, "Fri 13 12:00")
    for extra in (
        datetime(2026, 3, 10, 11, 0, tzinfo=CHICAGO),  # Tuesday
        datetime(2026, 3, 13, 8, 30, tzinfo=CHICAGO),  # Friday, before the call
    ):
        p = engine.apply(p, ev.EmailSent(at=extra))
        assert engine.next_action(p, extra) == promised
    assert (p.stage, p.unanswered) == (Stage.UNRESPONSIVE, 1)


def test_r5_once_the_promised_day_is_over_an_email_is_an_attempt_again(
    engine: Engine, monday: datetime
) -> None:
    """The promise holds until the day it named is over. The rep did not call on Friday and
    emails on Monday instead: that email is the ladder's attempt (R3 counts from it)."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail"))
    p = engine.apply(p, ev.EmailSent(at=monday + timedelta(minutes=10)))  # R6
    later = datetime(2026, 3, 16, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.EmailSent(at=later))
    assert p.unanswered == 2
    assert engine.next_action(p, later).earliest.date().isoformat() == "2026-03-20"


def test_r5_a_next_attempt_a_week_or_more_ahead_is_named_with_its_date(monday: datetime) -> None:
    """Six business days between attempts: a Monday call's next attempt is Tuesday of the week
    after. "On Tuesday" would be heard as tomorrow, so the script gives the date, in the
    prospect's language too."""
    from cadence.policy import Templates

    engine = Engine(Policy(min_gap_business_days=6))
    act = engine.next_action(_enroll(engine, monday), monday)
    assert "try again on Tuesday 17 March, midday," in act.talking_points[0]
    french = Templates(locale="fr", voicemail="Dites que vous rappellerez {next_attempt}.")
    engine = Engine(Policy(min_gap_business_days=6, templates=french))
    act = engine.next_action(_enroll(engine, monday), monday)
    assert act.talking_points[0] == "Dites que vous rappellerez mardi 17 mars, midi."


def test_r6_voicemail_is_followed_by_an_email_that_mentions_it(
    engine: Engine, monday: datetime
) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail"))
    act = engine.next_action(p, monday)
    assert act.kind is ActionKind.EMAIL
    assert act.rules == ("R6",)
    assert act.earliest.date() == monday.date()
    assert act.latest.date() == monday.date()
    assert any("voicemail" in t and "Monday" in t for t in act.talking_points)


def test_r6_an_email_sent_late_still_says_which_voicemail_and_when_it_was_due(
    engine: Engine, monday: datetime
) -> None:
    """The rep did not send it on Monday: on Wednesday it is overdue since Monday, and its
    reason still reads true (it does not say "the same day" as if Wednesday were)."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail"))
    wednesday = monday + timedelta(days=2)
    act = engine.next_action(p, wednesday)
    assert (act.kind, act.rules) == (ActionKind.EMAIL, ("R6",))
    assert "overdue" in act.flags
    assert act.due_since is not None
    assert act.due_since.date() == monday.date()
    assert act.reason == "a brief email that mentions Monday's voicemail, due that day"


@pytest.mark.parametrize(
    ("day", "hour", "when"),
    [(0, 18, "first thing Tue 10 Mar"), (4, 18, "first thing Mon 16 Mar"), (0, 17, "due that day")],
)
def test_r6_after_email_hours_the_email_is_due_first_thing_and_says_so(
    engine: Engine, monday: datetime, day: int, hour: int, when: str
) -> None:
    """Email goes out 08:00-18:00. After an 18:00 voicemail the email is due first thing the
    next business day (after a weekend from Friday), and its reason says so; it used to say
    "due that day" above a window that opened the next morning."""
    call = (monday + timedelta(days=day)).replace(hour=hour, minute=0)
    p = engine.apply(_enroll(engine, call), ev.CallAttempted(at=call, outcome="voicemail"))
    act = engine.next_action(p, call)
    assert (act.kind, act.rules) == (ActionKind.EMAIL, ("R6",))
    assert act.reason.endswith(when)
    opens = act.earliest.astimezone(CHICAGO)
    assert (opens.date() == call.date()) is (when == "due that day")


def test_r6_an_email_a_week_late_names_the_voicemails_date_in_the_prospects_language(
    monday: datetime,
) -> None:
    """Sent on Friday, "the voicemail I left Monday" is clear; sent the next Monday, it would be
    heard as today's. A week or more after the voicemail, the email names its date. The day is
    in the templates' language, as R5's is ("lundi", not "Monday", in a French script)."""
    from cadence.policy import Templates

    engine = Engine(Policy())
    p = engine.apply(_enroll(engine, monday), ev.CallAttempted(at=monday, outcome="voicemail"))
    said = {d: engine.next_action(p, monday + timedelta(days=d)).talking_points for d in (4, 7)}
    assert said[4][0].startswith("Mention the voicemail you left Monday;")
    assert said[7][0].startswith("Mention the voicemail you left Monday 9 March;")
    french = Templates(locale="fr", voicemail_email="Rappelez le message laissé {voicemail_day}.")
    engine = Engine(Policy(templates=french))
    p = engine.apply(_enroll(engine, monday), ev.CallAttempted(at=monday, outcome="voicemail"))
    assert engine.next_action(p, monday).talking_points == ("Rappelez le message laissé lundi.",)
    late = engine.next_action(p, monday + timedelta(days=9))
    assert late.talking_points == ("Rappelez le message laissé lundi 9 mars.",)


@pytest.mark.parametrize(
    "answer",
    [
        ev.CallAttempted(at=datetime(2026, 3, 9, 11, 0, tzinfo=CHICAGO), outcome="connected"),
        ev.EmailReplied(at=datetime(2026, 3, 9, 11, 0, tzinfo=CHICAGO)),
        ev.MeetingBooked(
            at=datetime(2026, 3, 9, 11, 0, tzinfo=CHICAGO),
            meeting_id="m1",
            starts_at=datetime(2026, 3, 12, 10, 0, tzinfo=CHICAGO),
        ),
    ],
    ids=["call", "reply", "booking"],
)
def test_r6_no_email_about_a_voicemail_once_they_have_answered(
    engine: Engine, monday: datetime, answer: ev.Event
) -> None:
    """A voicemail at 09:30, and by 11:00 they have called back, replied or booked: an email
    that says "I left you a voicemail" has nothing left to say."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail"))
    p = engine.apply(p, answer)
    assert "voicemail_email" not in {o.key for o in p.obligations}
    assert not any("R6" in a.rules for a in engine.plan(p, answer.at))


def test_r7_when_the_phone_keeps_failing_switch_to_email(engine: Engine, monday: datetime) -> None:
    story = _never_answers(engine, _enroll(engine, monday), monday, 6)
    ladder = [a for a, _ in story if "R3" in a.rules]
    assert [a.kind for a in ladder[:2]] == [ActionKind.CALL, ActionKind.EMAIL]
    switched = ladder[1]
    assert "R7" in switched.rules
    assert switched.subject is not None
    assert "your request" in switched.subject


@pytest.mark.parametrize(
    ("topic", "subject"),
    [
        ("pricing for 20 seats", "Regarding your request about pricing for 20 seats"),
        # A CRM's topic field, as typed: a line break, stray spaces, nothing but spaces.
        (" pricing\r\nfor 20  seats\t", "Regarding your request about pricing for 20 seats"),
        ("   ", "Regarding your request about your project"),
        ("", "Regarding your request about your project"),
    ],
)
def test_r7_the_subject_is_one_line_whatever_the_topic(
    engine: Engine, monday: datetime, topic: str, subject: str
) -> None:
    """An email subject is one line: a topic with a line break made one in two (which a mail
    client cuts, or reads as a header), and a topic of spaces a subject ending in them."""
    story = _never_answers(engine, _enroll(engine, monday, topic=topic), monday, 6)
    switched = next(a for a, _ in story if "R7" in a.rules)
    assert switched.subject == subject


def test_r8_opt_out_offered_after_three_unanswered_then_a_longer_gap(
    engine: Engine, monday: datetime
) -> None:
    story = _never_answers(engine, _enroll(engine, monday), monday, 12)
    kinds = [a.kind for a, _ in story]
    offer_at = kinds.index(ActionKind.OPT_OUT_OFFER)
    offer, after_offer = story[offer_at]
    assert after_offer.stage is Stage.OPT_OUT_OFFERED
    assert after_offer.unanswered == 4  # three attempts, then the offer itself
    breakup = next(a for a, _ in story if a.kind is ActionKind.BREAKUP)
    cal = engine.calendar(after_offer)
    assert breakup.earliest.date() >= cal.add_business_days(offer.earliest.date(), 10)


@pytest.mark.parametrize(("offer_gap", "waited"), [(3, 4), (4, 4), (6, 6)])
def test_r8_the_gap_after_the_offer_is_never_shorter_than_r3s(
    monday: datetime, offer_gap: int, waited: int
) -> None:
    """docs/policy.md: ``opt_out_gap_business_days`` below ``min_gap_business_days`` (4) waits
    R3's gap (``cadence policy validate`` notes it)."""
    engine = Engine(Policy(opt_out_gap_business_days=offer_gap))
    story = _never_answers(engine, _enroll(engine, monday), monday, 12)
    offer, after_offer = next((a, p) for a, p in story if a.kind is ActionKind.OPT_OUT_OFFER)
    breakup = next(a for a, _ in story if a.kind is ActionKind.BREAKUP)
    cal = engine.calendar(after_offer)
    assert cal.local(breakup.earliest).date() == cal.add_business_days(
        cal.local(offer.earliest).date(), waited
    )


def test_r8_the_email_after_the_opt_out_voicemail_repeats_the_offer(
    engine: Engine, monday: datetime
) -> None:
    """The offer is left on voicemail; the R6 email that follows it puts the same offer in
    writing (a reply is the easiest way to take it), where other R6 emails repeat the reason
    to talk."""
    story = _never_answers(engine, _enroll(engine, monday), monday, 12)
    kinds = [a.kind for a, _ in story]
    offer_at = kinds.index(ActionKind.OPT_OUT_OFFER)
    assert story[offer_at][0].channel is Channel.PHONE
    email = story[offer_at + 1][0]
    day = f"{email.earliest:%A}"
    assert (email.kind, email.rules) == (ActionKind.EMAIL, ("R6", "R8"))
    assert (
        email.reason
        == f"a brief email that mentions {day}'s voicemail and repeats its offer, due that day"
    )
    assert email.talking_points == (
        engine.policy.templates.voicemail_email_opt_out.format(voicemail_day=day),
    )
    earlier = [a for a, _ in story[:offer_at] if "R6" in a.rules]
    assert earlier
    assert all(a.rules == ("R6",) for a in earlier)
    assert all("repeat the one reason to talk" in a.talking_points[-1] for a in earlier)


def test_r9_escalations_are_optional_steps_before_the_breakup(monday: datetime) -> None:
    engine = Engine(Policy(escalations=("contact_receptionist", "manager_escalation")))
    story = _never_answers(engine, _enroll(engine, monday), monday, 14)
    kinds = [a.kind for a, _ in story]
    i = kinds.index(ActionKind.OPT_OUT_OFFER)
    later = [k for k in kinds[i + 1 :] if k not in (ActionKind.EMAIL,)]
    assert later[:3] == [
        ActionKind.CONTACT_RECEPTIONIST,
        ActionKind.ESCALATE,
        ActionKind.BREAKUP,
    ]
    # R8's longer gap (10 business days) comes once, after the offer; the escalations and the
    # breakup then keep R3's (4).
    cal = engine.calendar(story[0][1])
    offer, *rest = [a.earliest.date() for a, _ in story[i:] if a.kind is not ActionKind.EMAIL][:4]
    assert rest[0] == cal.add_business_days(offer, 10)
    assert rest[1] == cal.add_business_days(rest[0], 4)
    assert rest[2] == cal.add_business_days(rest[1], 4)


def test_r10_unanswered_breakup_drops_the_prospect(engine: Engine, monday: datetime) -> None:
    story = _never_answers(engine, _enroll(engine, monday), monday, 14)
    stages = [p.stage for _, p in story]
    assert Stage.DROPPED in stages
    wait = next(a for a, _ in story if a.kind is ActionKind.WAIT)
    assert wait.rules == ("R10",)


def _until(
    engine: Engine, p: cadence.Prospect, now: datetime, kind: ActionKind
) -> tuple[cadence.Prospect, datetime]:
    """Follow the engine (voicemail, no replies) until its next action is ``kind``."""
    for i in range(20):
        act = engine.next_action(p, now)
        if act.kind is kind:
            return p, max(now, act.earliest)
        now = max(now, act.earliest)
        if act.channel is Channel.PHONE:
            p = engine.apply(p, ev.CallAttempted(at=now, outcome="voicemail", id=f"u{i}"))
        else:
            p = engine.apply(p, ev.EmailSent(at=now, id=f"u{i}"))
    raise AssertionError(f"no {kind} in 20 steps")


def test_r8_r10_a_touch_the_engine_did_not_ask_for_is_not_the_offer_or_the_breakup(
    engine: Engine, monday: datetime
) -> None:
    """The offer (R8) and the breakup (R10) say something: only the touch the engine names them
    on, once they are due, says it. An extra call while the breakup email is owed, or a second
    email minutes after the one that repeated the offer, is an attempt like any other (R3): the
    breakup is still asked for, and nobody is dropped without it."""
    p, now = _until(engine, _enroll(engine, monday), monday, ActionKind.BREAKUP)
    assert engine.next_action(p, now).channel is Channel.EMAIL
    extra = now - timedelta(days=6)  # a call the rep made on their own, the week before
    q = engine.apply(p, ev.CallAttempted(at=extra, outcome="voicemail"))
    assert q.breakup_sent_at is None
    assert q.stage is Stage.OPT_OUT_OFFERED
    later = extra + timedelta(days=60)
    assert engine.advance(q, later).stage is Stage.OPT_OUT_OFFERED  # never dropped without it
    assert any(a.kind is ActionKind.BREAKUP for a in engine.plan(q, extra + timedelta(hours=1)))

    offered, at = _until(engine, _enroll(engine, monday), monday, ActionKind.OPT_OUT_OFFER)
    offered = engine.apply(offered, ev.CallAttempted(at=at, outcome="voicemail"))
    email = engine.next_action(offered, at)
    assert email.rules == ("R6", "R8")
    offered = engine.apply(offered, ev.EmailSent(at=email.earliest))
    again = engine.apply(offered, ev.EmailSent(at=email.earliest + timedelta(minutes=20)))
    assert again.breakup_sent_at is None
    assert again.escalations_done == 0
    step = engine.next_action(again, email.earliest + timedelta(minutes=21))
    assert step.kind is ActionKind.BREAKUP
    # R8's longer gap after the offer still holds (from the last touch: R3).
    cal = engine.calendar(again)
    assert step.earliest.date() >= cal.add_business_days(at.date(), 10)

    # An email when the offer is owed by phone does not make it either.
    due, when = _until(engine, _enroll(engine, monday), monday, ActionKind.OPT_OUT_OFFER)
    assert engine.next_action(due, when).channel is Channel.PHONE
    written = engine.apply(due, ev.EmailSent(at=when))
    assert written.opt_out_offered_at is None
    assert engine.next_action(written, when).kind is ActionKind.OPT_OUT_OFFER


def test_r8_r10_an_offer_that_rang_out_or_a_breakup_that_bounced_was_not_made(
    engine: Engine, monday: datetime
) -> None:
    """A call that rang out left no offer (R8): it is an attempt, and the offer is still owed
    (a voicemail makes it). A breakup email that bounced never said it was closing their
    file: nobody is dropped on it (R10), and the breakup is owed again, by phone."""
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.OPT_OUT_OFFER)
    for outcome in ("no_answer", "gatekeeper"):
        q = engine.apply(p, ev.CallAttempted(at=at, outcome=outcome))
        assert (q.stage, q.opt_out_offered_at) == (p.stage, None)
        assert engine.next_action(q, at + timedelta(minutes=1)).kind is ActionKind.OPT_OUT_OFFER
    made = engine.apply(p, ev.CallAttempted(at=at, outcome="voicemail"))
    assert made.stage is Stage.OPT_OUT_OFFERED

    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.BREAKUP)
    sent = engine.apply(p, ev.EmailSent(at=at))
    assert sent.breakup_sent_at is not None
    bounced = engine.apply(sent, ev.EmailBounced(at=at + timedelta(minutes=2)))
    assert bounced.breakup_sent_at is None
    again = engine.next_action(bounced, at + timedelta(minutes=3))
    assert (again.kind, again.channel) == (ActionKind.BREAKUP, Channel.PHONE)
    assert engine.advance(bounced, at + timedelta(days=30)).stage is Stage.OPT_OUT_OFFERED


def test_r7_r8_an_offer_whose_calls_keep_ringing_out_goes_by_email(
    engine: Engine, monday: datetime
) -> None:
    """Dana's phone rings out every time and takes no voicemail. A call that rang out makes
    no offer (R8), so the offer used to be asked for by phone every four business days, for
    ever: she was never offered a way out, never sent the breakup, never dropped. After two
    calls unanswered in a row the offer goes by email (R7), and the ladder goes on."""
    p, now = _until(engine, _enroll(engine, monday), monday, ActionKind.OPT_OUT_OFFER)
    for i in range(3):
        act = engine.next_action(p, now)
        assert act.kind is ActionKind.OPT_OUT_OFFER
        now = max(now, act.earliest)
        if act.channel is Channel.EMAIL:
            break
        p = engine.apply(p, ev.CallAttempted(at=now, outcome="no_answer", id=f"r{i}"))
        now += timedelta(minutes=1)
    assert (act.channel, act.rules) == (Channel.EMAIL, ("R8", "R3", "R7"))
    assert act.subject is not None
    assert "2 calls unanswered" in act.reason
    p = engine.apply(p, ev.EmailSent(at=now))
    assert p.stage is Stage.OPT_OUT_OFFERED
    assert engine.next_action(p, now + timedelta(minutes=1)).kind is ActionKind.BREAKUP


def offer_moved_to_email(engine: Engine, monday: datetime) -> tuple[cadence.Prospect, datetime]:
    """Dana's calls ring out up to the opt-out offer (R8), so R7 moves it to email: the
    prospect and the moment the emailed offer is due (not sent yet)."""
    p, now = _until(engine, _enroll(engine, monday), monday, ActionKind.OPT_OUT_OFFER)
    for i in range(3):
        act = engine.next_action(p, now)
        now = max(now, act.earliest)
        if act.channel is Channel.EMAIL:
            break
        p = engine.apply(p, ev.CallAttempted(at=now, outcome="no_answer", id=f"r{i}"))
        now += timedelta(minutes=1)
    assert (act.kind, act.channel) == (ActionKind.OPT_OUT_OFFER, Channel.EMAIL)
    return p, now


def test_r7_r8_an_offer_r7_moved_to_email_that_bounced_is_made_again_by_phone(
    engine: Engine, monday: datetime
) -> None:
    """Dana's calls ring out, so R7 moved the opt-out offer (R8) to email; the email bounces.
    The offer never reached her: it is owed again, by phone (the only channel left), and the
    email is not a message she left unanswered. Only an offer emailed to a prospect who
    prefers email (R16) was noticed: this one stood, and the breakup came next."""
    p, now = offer_moved_to_email(engine, monday)
    before = p.unanswered
    p = engine.apply(p, ev.EmailSent(at=now))
    assert p.opt_out_offered_at == now
    bounced = engine.apply(p, ev.EmailBounced(at=now + timedelta(minutes=20)))
    assert (bounced.opt_out_offered_at, bounced.unanswered) == (None, before)
    again = engine.next_action(bounced, now + timedelta(minutes=30))
    assert (again.kind, again.channel) == (ActionKind.OPT_OUT_OFFER, Channel.PHONE)
    assert "bounced" in again.reason


def test_r7_r8_the_offer_is_left_by_voicemail_until_a_call_fails_to_make_it(
    monday: datetime,
) -> None:
    """Offered after five attempts, the offer comes after two calls in a row (R7 would make a
    plain attempt an email): it is still a call, since a voicemail says it best (R8). Only
    once a call rang out without making it does R7 move it to email."""
    engine = Engine(Policy(opt_out_offer_after=5))
    p, now = _until(engine, _enroll(engine, monday), monday, ActionKind.OPT_OUT_OFFER)
    assert p.calls_unanswered >= engine.policy.switch_channel_after
    assert engine.next_action(p, now).channel is Channel.PHONE
    p = engine.apply(p, ev.CallAttempted(at=now, outcome="no_answer"))
    act = engine.next_action(p, now + timedelta(minutes=1))
    assert (act.kind, act.channel) == (ActionKind.OPT_OUT_OFFER, Channel.EMAIL)


@pytest.mark.parametrize("call_between", [False, True])
def test_r8_an_offer_emailed_to_an_address_that_bounced_is_made_again_by_phone(
    engine: Engine, monday: datetime, call_between: bool
) -> None:
    """Dana prefers email (R16), so the opt-out offer (R8) is an email; it bounces, even after
    a call the rep logged in between. The offer never reached her: it is owed again, now by
    phone, and it did not count as an unanswered message (the call did). Before, the bounce went
    unnoticed and the breakup came next, as if she had been offered a way out."""
    p = engine.apply(_enroll(engine, monday), ev.ChannelPreference(at=monday, channel="email"))
    p, at = _until(engine, p, monday, ActionKind.OPT_OUT_OFFER)
    assert engine.next_action(p, at).channel is Channel.EMAIL
    p = engine.apply(p, ev.EmailSent(at=at))
    assert (p.stage, p.unanswered) == (Stage.OPT_OUT_OFFERED, 4)
    if call_between:
        p = engine.apply(p, ev.CallAttempted(at=at + timedelta(hours=1), outcome="no_answer"))
    bounced = engine.apply(p, ev.EmailBounced(at=at + timedelta(hours=2)))
    assert (bounced.opt_out_offered_at, bounced.unanswered) == (None, 3 + call_between)
    again = offered_again_by_phone(engine, bounced, at + timedelta(hours=3))
    assert "bounced" in again.reason


def offered_again_by_phone(
    engine: Engine, bounced: cadence.Prospect, now: datetime
) -> cadence.Action:
    """R8 after the emailed offer bounced: the offer is owed again by phone (returned); made
    by voicemail, it is the offer, and R8's longer gap runs from it to the breakup."""
    again = engine.next_action(bounced, now)
    assert (again.kind, again.channel) == (ActionKind.OPT_OUT_OFFER, Channel.PHONE)
    call = max(again.earliest, now)
    made = engine.apply(bounced, ev.CallAttempted(at=call, outcome="voicemail"))
    assert (made.stage, made.opt_out_offered_at) == (Stage.OPT_OUT_OFFERED, call)
    breakup = engine.next_action(made, call + timedelta(minutes=1))
    assert breakup.kind is ActionKind.BREAKUP
    cal = engine.calendar(made)
    gap = engine.policy.opt_out_gap_business_days
    assert cal.local(breakup.earliest).date() >= cal.add_business_days(cal.local(call).date(), gap)
    return again


def test_r10_r17_the_breakups_wait_runs_from_their_return_from_an_out_of_office(
    engine: Engine, monday: datetime
) -> None:
    """The breakup email gets an auto-reply: away for three weeks. R17 pauses the cadence, and
    R10's wait for an answer runs from their return: they are not dropped while away."""
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.BREAKUP)
    p = engine.apply(p, ev.EmailSent(at=at))
    back = at + timedelta(days=21)
    away = engine.apply(p, ev.OutOfOffice(at=at + timedelta(minutes=3), until=back))
    assert engine.advance(away, at + timedelta(days=14)).stage is Stage.OPT_OUT_OFFERED
    assert engine.advance(away, back + timedelta(days=1)).stage is Stage.OPT_OUT_OFFERED
    cal = engine.calendar(away)
    wait = [a for a in engine.plan(away, back + timedelta(days=1)) if a.kind is ActionKind.WAIT]
    assert wait
    assert wait[0].earliest.date() >= cal.add_business_days(back.date(), 5)
    assert engine.advance(away, back + timedelta(days=10)).stage is Stage.DROPPED


@pytest.mark.parametrize("escalations", [(), ("ask_decision_makers",)])
def test_r8_r17_the_longer_gap_after_the_offer_runs_from_their_return_from_an_out_of_office(
    escalations: tuple[str, ...], monday: datetime
) -> None:
    """The voicemail that offers the opt-out, and the email that repeats it, get an auto-reply:
    away for three weeks. R8's longer gap is their time to answer the offer; it runs from
    their return (as R10's wait does), so the next step (the breakup, or an escalation) is not
    due the morning they are back."""
    engine = Engine(Policy(escalations=escalations))
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.OPT_OUT_OFFER)
    p = engine.apply(p, ev.CallAttempted(at=at, outcome="voicemail"))
    email = engine.next_action(p, at)
    assert "R8" in email.rules
    sent = max(at, email.earliest)
    p = engine.apply(p, ev.EmailSent(at=sent))
    back = sent + timedelta(days=21)
    away = engine.apply(p, ev.OutOfOffice(at=sent + timedelta(minutes=3), until=back))
    cal = engine.calendar(away)
    after = next(a for a in engine.plan(away, back) if a.kind is not ActionKind.WAIT)
    assert after.kind is (ActionKind.ESCALATE if escalations else ActionKind.BREAKUP)
    returned = cal.local(away.paused_until).date()  # type: ignore[arg-type]
    gap = engine.policy.opt_out_gap_business_days
    assert after.earliest.date() >= cal.add_business_days(returned, gap)


def test_r10_a_breakup_sent_while_they_are_away_or_retried_after_it_rang_out(
    engine: Engine, monday: datetime
) -> None:
    """While an out-of-office lasts the engine names the wait: an email sent then is not the
    breakup, and nobody is dropped while away (R17). A breakup call that rang out (email
    bounced) is retried R3's four business days later, not R8's longer gap again. A bounce
    after the breakup email, even with a call logged between, means it did not arrive."""
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.BREAKUP)
    away = engine.apply(p, ev.OutOfOffice(at=at, until=at + timedelta(days=14)))
    sent = engine.apply(away, ev.EmailSent(at=at + timedelta(hours=2)))
    assert sent.breakup_sent_at is None
    assert engine.advance(sent, at + timedelta(days=8)).stage is Stage.OPT_OUT_OFFERED

    sent = engine.apply(p, ev.EmailSent(at=at))
    called = engine.apply(
        sent, ev.CallAttempted(at=at + timedelta(minutes=30), outcome="no_answer")
    )
    bounced = engine.apply(called, ev.EmailBounced(at=at + timedelta(hours=1)))
    assert bounced.breakup_sent_at is None
    breakup = engine.next_action(bounced, at + timedelta(hours=2))
    assert (breakup.kind, breakup.channel) == (ActionKind.BREAKUP, Channel.PHONE)
    rang = engine.apply(bounced, ev.CallAttempted(at=breakup.earliest, outcome="no_answer"))
    again = engine.next_action(rang, breakup.earliest + timedelta(minutes=1))
    cal = engine.calendar(rang)
    assert again.kind is ActionKind.BREAKUP
    assert again.earliest.date() == cal.add_business_days(breakup.earliest.date(), 4)


def test_r17_a_voicemail_weeks_before_the_date_they_gave_keeps_no_promise(
    engine: Engine, monday: datetime
) -> None:
    """ "Not now, call me from 1 April": a voicemail two days later is an attempt, not the call
    they asked for, which is still owed from 1 April."""
    p = _enroll(engine, monday)
    april = datetime(2026, 4, 1, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="not_now", resume_at=april))
    q = engine.apply(p, ev.CallAttempted(at=monday + timedelta(days=2), outcome="voicemail"))
    assert "resume" in [o.key for o in q.obligations]
    first = engine.next_action(q, april)
    assert first.kind is ActionKind.CALL
    assert "R17" in first.rules


def test_r11_dropped_prospect_with_permission_gets_a_monthly_drip(
    engine: Engine, monday: datetime
) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True))
    story = _never_answers(engine, p, monday, 16)
    drips = [a for a, _ in story if a.kind is ActionKind.DRIP_TOUCH]
    assert len(drips) >= 2
    gap = drips[1].earliest - drips[0].earliest
    assert timedelta(days=30) <= gap < timedelta(days=34)
    assert story[-1][1].stage is Stage.DRIP


def test_r11_any_response_from_the_drip_makes_them_engaged_again(
    engine: Engine, monday: datetime
) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True))
    story = _never_answers(engine, p, monday, 16)
    act, p = story[-1]
    assert p.stage is Stage.DRIP
    p = engine.apply(p, ev.EmailReplied(at=act.earliest + timedelta(days=1), intent="positive"))
    assert p.stage is Stage.ENGAGED
    assert engine.next_action(p, act.earliest + timedelta(days=1)).kind is ActionKind.PROPOSE_TIMES


def test_r11_a_drip_prospect_who_answers_then_goes_silent_again_drips_a_month_after_the_drop(
    engine: Engine, monday: datetime
) -> None:
    """R10 then R11: she answered a drip touch, then never again; the ladder ran its course
    to a second breakup. Her next drip touch is a drip interval after that drop, not the
    morning she is dropped (counted from the drip touch she answered months before): the
    breakup said her file was closed."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True))
    story = _never_answers(engine, p, monday, 16)
    act, p = next((a, q) for a, q in story if a.kind is ActionKind.DRIP_TOUCH)
    answered = act.earliest + timedelta(days=2)
    p = engine.apply(p, ev.EmailReplied(at=answered, intent="neutral", id="answer"))
    assert p.stage is Stage.ENGAGED
    again = _never_answers(engine, p, answered, 16, tag="y")
    assert [a.kind for a, _ in again].count(ActionKind.BREAKUP) == 1
    drop = next(a.earliest for a, _ in again if a.kind is ActionKind.WAIT)  # R10's wait
    assert drop > answered
    drip = next(a for a, _ in again if a.kind is ActionKind.DRIP_TOUCH)
    assert drip.earliest - drop >= timedelta(days=engine.policy.drip_interval_days)


def test_r12_no_drip_without_permission(engine: Engine, monday: datetime) -> None:
    story = _never_answers(engine, _enroll(engine, monday), monday, 16)
    act, p = story[-1]
    assert p.stage is Stage.DROPPED
    assert act.kind is ActionKind.NONE
    assert act.rules == ("R12",)


def test_r12_drip_without_permission_when_the_policy_allows(monday: datetime) -> None:
    engine = Engine(Policy(drip_requires_permission=False))
    story = _never_answers(engine, _enroll(engine, monday), monday, 16)
    assert any(a.kind is ActionKind.DRIP_TOUCH for a, _ in story)


def test_r13_opt_out_is_absorbing_whatever_arrives_later(engine: Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.OptedOut(at=monday))
    t = monday + timedelta(days=1)
    for event in (
        ev.EmailReplied(at=t, intent="positive"),
        ev.CallAttempted(at=t, outcome="connected", next_contact_at=t + timedelta(days=1)),
        ev.MeetingBooked(at=t, meeting_id="m", starts_at=t + timedelta(days=2)),
    ):
        p = engine.apply(p, event)
        assert p.stage is Stage.OPTED_OUT
        assert engine.next_action(p, t).kind is ActionKind.NONE
    p = engine.apply(p, ev.OptedIn(at=t + timedelta(days=3)))
    assert p.stage is Stage.ENGAGED
    assert engine.next_action(p, t + timedelta(days=3)).kind is ActionKind.CALL


def test_r13_a_late_opt_out_is_honoured(engine: Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday + timedelta(hours=2), outcome="voicemail"))
    p = engine.apply(p, ev.OptedOut(at=monday + timedelta(hours=1)))  # delivered late
    assert p.stage is Stage.OPTED_OUT
    assert engine.next_action(p, monday + timedelta(days=9)).kind is ActionKind.NONE


def test_r13_opt_out_scoped_to_a_channel_when_the_policy_says_so(monday: datetime) -> None:
    engine = Engine(Policy(opt_out_scope="channel"))
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.OptedOut(at=monday, channels=frozenset({Channel.PHONE})))
    assert p.stage is Stage.NEW
    act = engine.next_action(p, monday)
    assert act.channel is Channel.EMAIL


def test_r13_opting_out_of_meetings_withdraws_the_booked_one(monday: datetime) -> None:
    """Found by hypothesis: a prospect who opts out of meetings (the policy scopes opt-outs by
    channel) is not expected at the meeting they had booked; it counts as cancelled by them
    and the cadence goes on by phone."""
    engine = Engine(Policy(opt_out_scope="channel"))
    p = _enroll(engine, monday)
    starts = monday + timedelta(days=2)
    p = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=starts))
    assert engine.next_action(p, monday).kind is ActionKind.ATTEND_MEETING
    p = engine.apply(p, ev.OptedOut(at=monday, channels=frozenset({Channel.MEETING})))
    assert [m.status for m in p.meetings] == ["withdrawn"]
    for now in (monday, starts, starts + timedelta(hours=2)):
        for act in engine.plan(p, now):
            assert act.channel is not Channel.MEETING, act
    assert engine.next_action(p, monday).channel is Channel.PHONE
    # A booking logged after the opt-out is a response, but the channel stays closed (R13).
    later = engine.apply(p, ev.MeetingBooked(at=monday, meeting_id="m2", starts_at=starts))
    assert [m.status for m in later.meetings] == ["withdrawn"] * 2
    assert all(a.channel is not Channel.MEETING for a in engine.plan(later, starts))


def test_r16_preferred_channel_leads(engine: Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.ChannelPreference(at=monday, channel=Channel.EMAIL))
    act = engine.next_action(p, monday)
    assert (act.kind, act.channel) == (ActionKind.EMAIL, Channel.EMAIL)
    assert "R16" in act.rules


def test_r16_preferred_phone_is_not_switched_away_by_r7(engine: Engine, monday: datetime) -> None:
    p = _enroll(engine, monday, preferred_channel="phone")
    story = _never_answers(engine, p, monday, 8)
    ladder = [a for a, _ in story if "R3" in a.rules and a.kind is not ActionKind.OPT_OUT_OFFER]
    assert all(a.channel is Channel.PHONE for a in ladder)


def test_r11_r16_a_drip_touch_by_the_channel_they_prefer_cites_r16(monday: datetime) -> None:
    """R16 on the drip: the drip touch goes by the channel they said they prefer (the phone
    here, where the drip would go by email), and says so, as every other touch led by their
    preference does; by email, the default, for a prospect with no preference, it does not."""
    engine = Engine(Policy())
    lost = monday + timedelta(days=1)
    for preferred, channel, r16 in (("phone", Channel.PHONE, True), (None, Channel.EMAIL, False)):
        p = _enroll(engine, monday, preferred_channel=preferred)
        p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True))
        p = engine.apply(p, ev.DealClosed(at=lost, won=False))
        act = engine.next_action(p, lost)
        assert (act.kind, act.channel) == (ActionKind.DRIP_TOUCH, channel)
        assert ("R16" in act.rules) is r16, act.rules


def test_r4_r11_a_drip_call_after_an_unanswered_one_goes_at_another_time_of_day(
    monday: datetime,
) -> None:
    """R4 on the drip: a prospect who prefers the phone (R16) is dripped by phone; a drip
    call that rang out is followed, a month on, by one in another part of the day, as the
    ladder's calls are, and the action says so. Every month in the morning, she was never
    tried at another time of day."""
    engine = Engine(Policy())
    p = _enroll(engine, monday, preferred_channel="phone")
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True))
    t = monday + timedelta(days=1)
    p = engine.apply(p, ev.DealClosed(at=t, won=False))
    slots: list[str | None] = []
    for i in range(4):
        act = engine.next_action(p, t)
        assert (act.kind, act.channel) == (ActionKind.DRIP_TOUCH, Channel.PHONE)
        if i:
            assert act.slot != slots[-1], (act.earliest, slots)
            assert "R4" in act.rules
            assert act.reason.endswith("at a different time of day")
        slots.append(act.slot)
        t = act.earliest_utc
        p = engine.apply(p, ev.CallAttempted(at=t, outcome="no_answer", id=f"drip{i}"))
    assert act.earliest - engine.next_action(p, t).earliest <= -timedelta(days=30)


def test_r3_r7_r8_counts_of_one_read_as_one(monday: datetime) -> None:
    """The reasons that count (attempts, calls, business days) say "1 business day", "1
    unanswered attempt" and "1 call unanswered" when a policy sets a knob to one, not "1
    business days"."""
    engine = Engine(
        Policy(
            min_gap_business_days=1,
            followup_business_days=1,
            switch_channel_after=1,
            opt_out_offer_after=2,
        )
    )
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected"))
    reasons = [a.reason for a, _ in _never_answers(engine, p, monday, 6)]
    assert any("follow-up after 1 business day" in r for r in reasons), reasons
    assert any("1 call unanswered: switch to email" in r for r in reasons), reasons
    engine = Engine(Policy(opt_out_offer_after=1))
    p = engine.apply(_enroll(engine, monday), ev.CallAttempted(at=monday, outcome="voicemail"))
    act = next(a for a in engine.plan(p, monday) if a.kind is ActionKind.OPT_OUT_OFFER)
    assert act.reason.startswith("1 unanswered attempt: offer them"), act.reason
    for reason in [*reasons, act.reason]:
        assert not re.search(r"\b1 (business days|calls|unanswered attempts)\b", reason), reason


def test_silent_prospect_walks_the_whole_cadence(engine: Engine, monday: datetime) -> None:
    """The foundation issue's story: call, voicemail email, call 4 business days later at another
    time of day, email, opt-out offer, longer gap, breakup, dropped; drip only with permission."""
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", permission=True))
    story = _never_answers(engine, p, monday, 14)
    kinds = [a.kind.value for a, _ in story]
    assert kinds[:9] == [
        "call",  # the R1 default follow-up
        "email",  # R6
        "call",  # R3 + R4
        "email",  # R6
        "email",  # R7
        "opt_out_offer",  # R8
        "email",  # R6 after the opt-out voicemail
        "breakup",  # R10 after the longer gap
        "wait",
    ]
    assert kinds[9] == "drip_touch"
    first, second = story[0][0], story[2][0]
    assert first.slot != second.slot
    assert story[1][0].earliest.date() == first.earliest.date()


def test_engagement_at_any_point_resets_the_ladder(engine: Engine, monday: datetime) -> None:
    for when in range(1, 8):
        story = _never_answers(engine, _enroll(engine, monday), monday, when)
        act, p = story[-1]
        t = act.earliest + timedelta(hours=1)
        for event in (
            ev.EmailReplied(at=t),
            ev.CallAttempted(at=t, outcome="connected"),
            ev.MeetingBooked(at=t, meeting_id="m1", starts_at=t + timedelta(days=3)),
        ):
            q = engine.apply(p, event)
            assert q.stage is Stage.ENGAGED, (when, event.type)
            assert q.unanswered == 0


def test_weekday_hours_shorten_fridays_and_r4_rotates_by_name(monday: datetime) -> None:
    from cadence.policy import TimeSlot, WeekdayHours

    friday_morning = (TimeSlot(name="morning", start="09:00", end="11:00"),)
    engine = Engine(
        Policy(weekday_hours=(WeekdayHours(weekday=4, channel="phone", slots=friday_morning),))
    )
    p = _enroll(engine, monday)  # Monday 09:30: the morning slot
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="no_answer"))
    act = engine.next_action(p, monday)
    # Friday (Mon + 4 business days) has only a morning, which R4 excludes: Monday, not morning.
    assert act.earliest.strftime("%a") == "Mon"
    assert act.slot == "midday"
    with pytest.raises(ValueError, match="one entry per"):
        Policy(
            weekday_hours=(
                WeekdayHours(weekday=4, channel="phone", slots=friday_morning),
                WeekdayHours(weekday=4, channel="phone", slots=()),
            )
        )


def test_r5_talking_points_in_the_prospects_language() -> None:
    from zoneinfo import ZoneInfo

    from cadence.policy import Templates

    french = Templates(
        locale="fr",
        voicemail="Sur messagerie : dites que vous rappellerez {next_attempt}.",
    )
    engine = Engine(Policy(templates=french))
    paris = datetime(2026, 3, 9, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
    p = engine.enroll("zoe", timezone="Europe/Paris", at=paris, country="FR")
    act = engine.next_action(p, paris)
    assert act.talking_points[0] == "Sur messagerie : dites que vous rappellerez vendredi midi."
    with pytest.raises(ValueError, match="locale 'xx'"):
        Templates(locale="xx")


def test_r13_opting_in_starts_the_ladder_over(engine: Engine, monday: datetime) -> None:
    story = _never_answers(engine, _enroll(engine, monday), monday, 8)  # past the breakup
    act, p = story[-1]
    t = act.earliest + timedelta(days=1)
    p = engine.apply(p, ev.OptedOut(at=t))
    t += timedelta(minutes=1)  # (an opt-in at the opt-out's own instant is refused: R13 holds)
    p = engine.apply(p, ev.OptedIn(at=t))
    assert (p.unanswered, p.breakup_sent_at, p.opt_out_offered_at) == (0, None, None)
    call = engine.next_action(p, t)
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    assert p.stage is Stage.UNRESPONSIVE
    assert engine.next_action(p, call.earliest).rules == ("R6",)


def _ring_out_until(
    engine: Engine, p: cadence.Prospect, now: datetime, kinds: tuple[ActionKind, ...], n: int
) -> tuple[list[cadence.Action], cadence.Prospect, datetime]:
    """Follow the engine for ``n`` steps: every call rings out (no voicemail), every email
    goes unanswered; stop early when its next action is none of ``kinds``."""
    seen = []
    for i in range(n):
        act = engine.next_action(p, now)
        seen.append(act)
        if act.kind not in kinds:
            break
        now = max(now, act.earliest)
        if act.channel is Channel.PHONE:
            p = engine.apply(p, ev.CallAttempted(at=now, outcome="no_answer", id=f"n{i}"))
        else:
            p = engine.apply(p, ev.EmailSent(at=now, id=f"n{i}"))
        now += timedelta(minutes=1)
    return seen, p, now


def test_r8_a_phone_only_prospect_whose_calls_ring_out_is_not_called_for_ever(
    engine: Engine, monday: datetime
) -> None:
    """Dana's email bounced and her phone rings out every time, without voicemail: the
    opt-out offer (R8) can never be said, and was asked for by phone every four business
    days, for ever. After ``unheard_calls_limit`` calls nobody heard at the offer, and no
    email to carry it, nothing more is asked until a new number or address: the next action
    says so. A new address gets her the offer by email; a new number, its calls again."""
    p = engine.apply(_enroll(engine, monday), ev.EmailBounced(at=monday))
    ladder = (ActionKind.CALL, ActionKind.OPT_OUT_OFFER)
    seen, p, now = _ring_out_until(engine, p, monday, ladder, 12)
    kinds = [a.kind for a in seen]
    limit = engine.policy.unheard_calls_limit
    assert kinds.count(ActionKind.OPT_OUT_OFFER) == limit
    assert all(a.channel is Channel.PHONE for a in seen[:-1])
    assert p.stage is Stage.UNRESPONSIVE
    assert p.opt_out_offered_at is None
    last = engine.next_action(p, now)
    assert (last.kind, last.rules) == (ActionKind.NONE, ("R8",))
    assert f"{limit} calls in a row nobody heard" in last.reason
    assert "contact_updated" in last.reason
    assert engine.next_action(p, now + timedelta(days=60)).kind is ActionKind.NONE
    emailed = engine.apply(p, ev.ContactUpdated(at=now, email="dana@new.test"))
    offer = engine.next_action(emailed, now + timedelta(minutes=1))
    assert (offer.kind, offer.channel) == (ActionKind.OPT_OUT_OFFER, Channel.EMAIL)
    called = engine.apply(p, ev.ContactUpdated(at=now, phone="+13125550199"))
    again = engine.next_action(called, now + timedelta(minutes=1))
    assert (again.kind, again.channel) == (ActionKind.OPT_OUT_OFFER, Channel.PHONE)


def test_r10_a_breakup_only_the_phone_can_carry_that_keeps_ringing_out_is_not_asked_for_ever(
    engine: Engine, monday: datetime
) -> None:
    """The offer was left on voicemail; then the email bounced and the phone stopped taking
    messages. The breakup goes by phone (R10) and rings out: after ``unheard_calls_limit``
    such calls it waits for a new number or address, and nobody is dropped untold."""
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.BREAKUP)
    p = engine.apply(p, ev.EmailBounced(at=at))
    seen, p, now = _ring_out_until(engine, p, at, (ActionKind.BREAKUP,), 10)
    assert [a.kind for a in seen].count(ActionKind.BREAKUP) == engine.policy.unheard_calls_limit
    assert (seen[-1].kind, seen[-1].rules) == (ActionKind.NONE, ("R10",))
    assert p.stage is Stage.OPT_OUT_OFFERED
    assert engine.advance(p, now + timedelta(days=60)).stage is Stage.OPT_OUT_OFFERED


def test_r8_r17_calls_unheard_while_they_were_away_do_not_count(
    engine: Engine, monday: datetime
) -> None:
    """Two offer calls ring out; then an out-of-office says Dana is away for two weeks. The
    calls went unheard because she was away: after her return the count starts again."""
    p = engine.apply(_enroll(engine, monday), ev.EmailBounced(at=monday))
    p, at = _until(engine, p, monday, ActionKind.OPT_OUT_OFFER)
    _, p, at = _ring_out_until(engine, p, at, (ActionKind.OPT_OUT_OFFER,), 2)
    assert p.calls_unheard == 2
    away = engine.apply(p, ev.OutOfOffice(at=at, until=at + timedelta(days=14)))
    assert away.calls_unheard == 0


def test_r9_an_escalation_nobody_picks_up_is_passed_over(monday: datetime) -> None:
    """The manager's call to Dana's superior (R9) rings out every time. It used to be asked for
    every four business days, for ever; after ``unheard_calls_limit`` calls nobody heard, the
    escalation is passed over and the ladder goes on to the breakup (R10)."""
    engine = Engine(Policy(escalations=("manager_escalation",), unheard_calls_limit=2))
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.ESCALATE)
    seen, p, _now = _ring_out_until(engine, p, at, (ActionKind.ESCALATE,), 10)
    assert [a.kind for a in seen] == [ActionKind.ESCALATE, ActionKind.ESCALATE, ActionKind.BREAKUP]
    assert (p.escalations_done, p.calls_unheard) == (1, 0)
    assert p.stage is Stage.OPT_OUT_OFFERED


def test_r8_r16_an_offer_whose_calls_ring_out_goes_by_email_even_when_they_prefer_the_phone(
    engine: Engine, monday: datetime
) -> None:
    """Dana prefers the phone (R16), so R7 never moves her attempts to email, and the offer
    (R8) went by phone for ever while every call rang out. After ``unheard_calls_limit`` calls
    nobody heard, it goes by email: it reaches her, and the ladder goes on."""
    p = engine.apply(_enroll(engine, monday), ev.ChannelPreference(at=monday, channel="phone"))
    p, at = _until(engine, p, monday, ActionKind.OPT_OUT_OFFER)
    seen, p, _now = _ring_out_until(engine, p, at, (ActionKind.OPT_OUT_OFFER,), 10)
    limit = engine.policy.unheard_calls_limit
    calls = [a for a in seen if a.channel is Channel.PHONE]
    assert len(calls) == limit
    emailed = next(a for a in seen if a.channel is Channel.EMAIL)
    assert emailed.kind is ActionKind.OPT_OUT_OFFER
    assert f"{limit} calls nobody heard" in emailed.reason
    assert p.stage is Stage.OPT_OUT_OFFERED
    assert p.calls_unheard == 0


def test_r8_a_response_or_a_new_number_gives_the_calls_their_chances_again(
    engine: Engine, monday: datetime
) -> None:
    """Calls nobody heard count only in a row, at the same step: a new number
    (``contact_updated``) starts the count again."""
    p = engine.apply(_enroll(engine, monday), ev.EmailBounced(at=monday))
    p, at = _until(engine, p, monday, ActionKind.OPT_OUT_OFFER)
    p = engine.apply(p, ev.CallAttempted(at=at, outcome="no_answer"))
    assert p.calls_unheard == 1
    renumbered = engine.apply(
        p, ev.ContactUpdated(at=at + timedelta(hours=1), phone="+13125550199")
    )
    assert renumbered.calls_unheard == 0


@pytest.mark.parametrize("outcome", ["connected", "voicemail", "gatekeeper"])
def test_r9_the_managers_call_to_a_superior_is_not_the_prospects_answer(
    monday: datetime, outcome: ev.CallOutcome
) -> None:
    """The manager calls Dana's superior (R9) and logs it as a call to a third party. Whoever
    picked up, Dana did not answer: she is not engaged, the ladder does not start over, no R6
    email follows a voicemail left for someone else, and the call is not one to her number
    (the caps, R4). Logged as Dana's own call, a connected one made her engaged and started
    the ladder over although she never answered."""
    engine = Engine(Policy(escalations=("manager_escalation",)))
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.ESCALATE)
    before = p
    p = engine.apply(p, ev.CallAttempted(at=at, outcome=outcome, third_party=True))
    assert p.stage is Stage.OPT_OUT_OFFERED
    assert (p.escalations_done, p.unanswered) == (1, before.unanswered + 1)
    assert p.recent_calls == before.recent_calls
    assert p.last_attempt_slot == before.last_attempt_slot
    assert p.obligations == ()
    act = engine.next_action(p, at + timedelta(minutes=5))
    assert act.kind is ActionKind.BREAKUP
    cal = engine.calendar(p)
    assert act.earliest.date() >= cal.add_business_days(cal.local(at).date(), 4)


def test_r9_a_third_partys_call_the_engine_did_not_ask_for_changes_nothing(
    monday: datetime,
) -> None:
    """A call to someone else while no escalation is due (the rep rang the receptionist on a
    whim) is not the prospect's touch: the ladder stays where it was."""
    engine = Engine(Policy(escalations=("contact_receptionist",)))
    p = _enroll(engine, monday)
    called = engine.apply(p, ev.CallAttempted(at=monday, outcome="connected", third_party=True))
    assert called.model_dump(exclude={"last_event_at"}) == p.model_dump(exclude={"last_event_at"})
    p, at = _until(engine, p, monday, ActionKind.CONTACT_RECEPTIONIST)
    early = engine.apply(
        p, ev.CallAttempted(at=at - timedelta(days=1), outcome="gatekeeper", third_party=True)
    )
    assert early.escalations_done == 0


def test_r9_a_superior_nobody_reaches_is_passed_over(monday: datetime) -> None:
    """The superior's line rings out, call after call: after ``unheard_calls_limit`` the
    escalation is passed over, and the breakup comes next."""
    engine = Engine(Policy(escalations=("manager_escalation",)))
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.ESCALATE)
    for _i in range(engine.policy.unheard_calls_limit):
        act = engine.next_action(p, at)
        assert act.kind is ActionKind.ESCALATE
        at = max(at, act.earliest)
        p = engine.apply(p, ev.CallAttempted(at=at, outcome="no_answer", third_party=True))
        at += timedelta(minutes=1)
    assert p.escalations_done == 1
    assert engine.next_action(p, at).kind is ActionKind.BREAKUP


def test_r9_a_referrals_call_makes_the_contact_without_engaging_the_prospect(
    engine: Engine, monday: datetime
) -> None:
    """Lee referred the rep to Sam. The call to Sam, logged as a third party's, makes the
    contact the referral asked for; it is not Lee's answer."""
    p = engine.enroll("lee", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="referral", referral="Sam Ortiz"))
    at = engine.next_action(p, monday).earliest
    sam = engine.apply(p, ev.CallAttempted(at=at, outcome="connected", third_party=True))
    assert [o.key for o in sam.obligations if o.key == "referral"] == []
    assert sam.last_response_at == p.last_response_at
    assert sam.recent_calls == p.recent_calls


def test_a_third_partys_call_cannot_carry_the_prospects_agreement(monday: datetime) -> None:
    payload = {
        "type": "call_attempted",
        "at": "2026-03-09T15:00:00Z",
        "outcome": "connected",
        "third_party": True,
    }
    for extra in ({"permission": True}, {"next_contact_at": "2026-03-12T10:00:00Z"}):
        with pytest.raises(cadence.InvalidInputError, match="third_party is true"):
            cadence.parse_event({**payload, **extra})


def test_r10_an_event_older_than_a_drop_advance_stored_is_late(monday: datetime) -> None:
    """A nightly job stores ``advance``'s state: Dana dropped (R10). Her out-of-office reply to
    the breakup, sent an hour before the drop, syncs after. Folded into the stored state it
    left her dropped and dripping two weeks early; ``replay`` of the same history folds it
    before the drop and waits for her return (R17). Now ``apply`` refuses it as late, and the
    replay it asks for is the right state."""
    engine = Engine(Policy(drip_requires_permission=False))
    p, at = _until(engine, _enroll(engine, monday), monday, ActionKind.BREAKUP)
    p = engine.apply(p, ev.EmailSent(at=at))
    stored = engine.advance(p, at + timedelta(days=30))
    assert stored.stage is Stage.DROPPED
    assert stored.dropped_at is not None
    assert stored.advanced_at == stored.dropped_at
    away = ev.OutOfOffice(
        at=stored.dropped_at - timedelta(hours=1), until=stored.dropped_at + timedelta(days=10)
    )
    with pytest.raises(cadence.LateEventError, match="advance"):
        engine.apply(stored, away)
    assert engine.apply(p, away).stage is Stage.OPT_OUT_OFFERED  # not advanced: taken
    # An opt-out is honoured whenever it comes (R13); an event after the drop is taken.
    assert engine.apply(stored, ev.OptedOut(at=away.at)).stage is Stage.OPTED_OUT
    later = engine.apply(stored, ev.EmailReplied(at=stored.dropped_at + timedelta(hours=1)))
    assert later.stage is Stage.ENGAGED


def test_r1_an_agreed_time_in_a_repeated_hour_says_which_of_the_two_it_is() -> None:
    """New York's clocks fall back at 02:00 on 1 Nov 2026, so 01:30 comes twice: the reason
    named the agreed time without saying which, an hour's difference."""
    engine = Engine()
    at = datetime(2026, 10, 30, 15, 0, tzinfo=UTC)
    p = engine.enroll("p", timezone="America/New_York", at=at, country="US", subdivision="NY")
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    for agreed, said in ((first, "01:30 EDT"), (first + timedelta(hours=1), "01:30 EST")):
        q = engine.apply(p, ev.CallAttempted(at=at, outcome="connected", next_contact_at=agreed))
        act = engine.next_action(q, at)
        assert act.reason == f"agreed with the prospect: next contact Sun 01 Nov {said}"
    q = engine.apply(
        p, ev.CallAttempted(at=at, outcome="connected", next_contact_at=first + timedelta(hours=9))
    )
    assert engine.next_action(q, at).reason.endswith("next contact Sun 01 Nov 09:30")


def test_every_template_writes_a_literal_brace_twice(monday: datetime) -> None:
    """A literal brace is written twice in every text, as in those the engine fills: the
    texts it says as written (the conversation's questions, the opt-out offer) said "{{"."""
    from cadence.policy import Templates

    texts = Templates(
        ask_permission="Ask: may I write when there is news? {{no pressure}}",
        opt_out_offer="Offer the way out {{gently}}.",
        voicemail="Say you will call {next_attempt} {{no pitch}}.",
    )
    engine = Engine(Policy(templates=texts, opt_out_offer_after=1))
    p = _enroll(engine, monday)
    call = engine.next_action(p, monday)
    assert "Ask: may I write when there is news? {no pressure}" in call.talking_points
    assert call.talking_points[0] == "Say you will call on Friday midday {no pitch}."
    p = engine.apply(p, ev.CallAttempted(at=call.earliest, outcome="voicemail"))
    p = engine.apply(p, ev.EmailSent(at=call.earliest + timedelta(minutes=6)))
    offer = engine.next_action(p, call.earliest + timedelta(minutes=6))
    assert offer.kind is ActionKind.OPT_OUT_OFFER
    assert offer.talking_points[0] == "Offer the way out {gently}."
