"""Work that came due while the prospect was away (R17): due, fresh, on their return; not
overdue (R2), and an agreed time (R1) moved, not missed."""

from __future__ import annotations

from datetime import datetime, timedelta

import cadence
from cadence import ActionKind, Channel
from cadence import events as ev
from tests.conftest import CHICAGO

Engine = cadence.Engine

TUESDAY = datetime(2026, 3, 3, 9, 30, tzinfo=CHICAGO)
BACK = datetime(2026, 3, 20, 17, 0, tzinfo=CHICAGO)  # "back on Friday 20 March"
MONDAY_AFTER = datetime(2026, 3, 23, 0, 0, tzinfo=CHICAGO)  # the business day after it


def _lee(engine: Engine) -> cadence.Prospect:
    return engine.enroll(
        "lee", timezone="America/Chicago", at=TUESDAY, country="US", subdivision="IL"
    )


def _voicemail_then_away(engine: Engine) -> cadence.Prospect:
    """A voicemail on Tuesday 3 March (the R6 email is owed that day), then an out-of-office
    until Friday 20 March, ten minutes later."""
    p = engine.apply(_lee(engine), ev.CallAttempted(at=TUESDAY, outcome="voicemail"))
    return engine.apply(p, ev.OutOfOffice(at=TUESDAY + timedelta(minutes=10), until=BACK))


def _agreed_then_away(engine: Engine) -> cadence.Prospect:
    """A call on Tuesday 3 March agrees the next contact for Tuesday 10 March 10:00; then an
    out-of-office until Friday 20 March."""
    p = engine.apply(
        _lee(engine),
        ev.CallAttempted(
            at=TUESDAY,
            outcome="connected",
            next_contact_at=datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO),
        ),
    )
    return engine.apply(p, ev.OutOfOffice(at=TUESDAY + timedelta(minutes=10), until=BACK))


def test_r17_the_voicemail_email_owed_when_they_went_away_is_due_fresh_on_their_return(
    engine: Engine,
) -> None:
    """Monday 23 March, 09:00: the email that follows the voicemail is due now, as fresh work:
    not overdue since 3 March, and its reason no longer says "due that day"."""
    p = _voicemail_then_away(engine)
    act = engine.next_action(p, MONDAY_AFTER.replace(hour=9))
    assert (act.kind, act.earliest) == (ActionKind.EMAIL, MONDAY_AFTER.replace(hour=9))
    assert "overdue" not in act.flags
    assert act.due_since is None
    assert act.reason == "a brief email that mentions Tuesday's voicemail, after their return"


def test_r17_work_due_while_away_is_not_overdue_in_the_plan_while_the_pause_lasts(
    engine: Engine,
) -> None:
    """Asked on Tuesday 10 March, in the middle of the pause: the wait, then the email and the
    next call on Monday 23 March, none of them overdue."""
    p = _voicemail_then_away(engine)
    wait, *after = engine.plan(p, datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO))
    assert (wait.kind, wait.earliest) == (ActionKind.WAIT, MONDAY_AFTER)
    assert [a.channel for a in after] == [Channel.EMAIL, Channel.PHONE]
    for a in after:
        assert a.earliest.date() == MONDAY_AFTER.date()
        assert ("overdue" not in a.flags, a.due_since) == (True, None), a


def test_r17_work_missed_after_their_return_is_overdue_since_its_window_after_the_pause(
    engine: Engine,
) -> None:
    """The rep lets Monday 23 March go by: on Tuesday the email is overdue since Monday's
    window (08:00, when email hours open), not since the voicemail three weeks before."""
    p = _voicemail_then_away(engine)
    tuesday_after = datetime(2026, 3, 24, 9, 0, tzinfo=CHICAGO)
    act = engine.next_action(p, tuesday_after)
    assert act.kind is ActionKind.EMAIL
    assert "overdue" in act.flags
    assert act.due_since == MONDAY_AFTER.replace(hour=8)


def test_r17_an_agreed_call_that_fell_while_they_were_away_is_moved_not_overdue(
    engine: Engine,
) -> None:
    """R1 after R17: the call agreed for Tuesday 10 March, inside the out-of-office, is at the
    first allowed moment on their return, flagged ``moved``, and the rep is told why; asked
    during the pause (after the wait) or on the day, the same."""
    p = _agreed_then_away(engine)
    during = engine.plan(p, datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO))[1]
    on_the_day = engine.next_action(p, MONDAY_AFTER.replace(hour=9))
    for act in (during, on_the_day):
        assert (act.kind, act.earliest) == (ActionKind.CALL, MONDAY_AFTER.replace(hour=9))
        assert "R1" in act.rules
        assert act.flags == ("moved",)
        assert act.due_since is None
        assert act.talking_points[0] == "The agreed time moved (they were away): tell them."


def test_r17_a_reply_that_ends_the_pause_early_makes_the_agreed_call_due_from_the_reply(
    engine: Engine,
) -> None:
    """They write back on Monday 16 March, before the date they gave: the call agreed for
    Tuesday 10 March is due from the reply, moved, not overdue since the 10th."""
    p = _agreed_then_away(engine)
    reply = datetime(2026, 3, 16, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.EmailReplied(at=reply, intent="neutral"))
    assert p.resumed_at == reply
    act = engine.next_action(p, reply + timedelta(minutes=5))
    assert (act.kind, act.earliest) == (ActionKind.CALL, reply + timedelta(minutes=5))
    assert act.flags == ("moved",)
    assert act.due_since is None


def test_r17_the_return_is_kept_whether_the_state_is_advanced_stored_or_replayed(
    engine: Engine,
) -> None:
    """``advance`` stores the end of the pause (``resumed_at``) when it clears it, the JSON
    keeps it, and the next action is the same with or without ``advance`` and after a replay."""
    p = _voicemail_then_away(engine)
    later = datetime(2026, 3, 24, 9, 0, tzinfo=CHICAGO)
    advanced = engine.advance(p, later)
    assert (advanced.paused_until, advanced.resumed_at) == (None, MONDAY_AFTER)
    stored = cadence.Prospect.model_validate_json(advanced.model_dump_json())
    assert stored == advanced
    events: list[ev.Event] = [
        ev.CallAttempted(at=TUESDAY, outcome="voicemail"),
        ev.OutOfOffice(at=TUESDAY + timedelta(minutes=10), until=BACK),
        ev.EmailSent(at=later),
    ]
    replayed = engine.replay(
        "lee", events, timezone="America/Chicago", at=TUESDAY, country="US", subdivision="IL"
    )
    applied = p
    for event in events[2:]:
        applied = engine.apply(applied, event)
    assert replayed == applied
    assert replayed.resumed_at == MONDAY_AFTER
    for q in (p, advanced, stored):
        act = engine.next_action(q, later)
        assert (act.kind, act.due_since) == (ActionKind.EMAIL, MONDAY_AFTER.replace(hour=8))


def test_r17_a_not_now_after_agreeing_a_call_replaces_the_call_it_puts_off() -> None:
    """Lee agreed to a call on Tuesday 10 March, then wrote "not now, from 1 April" (R17). Her
    newer word replaces the agreed call: on 1 April the rep makes the call she asked for, and
    is not told the agreed time moved because she was away (she was not), nor reminded of the
    10 March agreement. An agreed call after the date she gave still stands."""
    engine = Engine()
    p = _lee(engine)
    agreed = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(p, ev.CallAttempted(at=TUESDAY, outcome="connected", next_contact_at=agreed))
    april = datetime(2026, 4, 1, 9, 0, tzinfo=CHICAGO)
    wrote = TUESDAY + timedelta(days=1)
    later = engine.apply(p, ev.EmailReplied(at=wrote, intent="not_now", resume_at=april))
    call = engine.plan(later, wrote)[1]
    assert (call.kind, call.earliest) == (ActionKind.CALL, april)
    assert "moved" not in call.flags
    assert not any("agreed time moved" in t for t in call.talking_points)
    assert "10 Mar" not in call.reason
    # An agreed call after the date she gave is kept.
    may = datetime(2026, 5, 5, 10, 0, tzinfo=CHICAGO)
    p = engine.apply(
        _lee(engine), ev.CallAttempted(at=TUESDAY, outcome="connected", next_contact_at=may)
    )
    later = engine.apply(p, ev.EmailReplied(at=wrote, intent="not_now", resume_at=april))
    assert "commitment" in [o.key for o in later.obligations]
