"""The ladder under a rolling legal cap (France: at most 4 calls in 30 days, DESIGN §5): a
call waits only until the oldest call in the window leaves it, and the ladder's own gaps
(R3) and parts of the day (R4) apply on top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import cadence
from cadence import Channel
from cadence import events as ev

PARIS = ZoneInfo("Europe/Paris")
MONTH = timedelta(days=30)


def _calls(policy: cadence.Policy, count: int) -> list[datetime]:
    """The first ``count`` calls the engine plans for a prospect in Paris enrolled on Monday
    2 March 2026, each made when it falls due and reaching voicemail."""
    engine = cadence.Engine(policy)
    now = datetime(2026, 3, 2, 10, 30, tzinfo=PARIS)
    p = engine.enroll("fr", timezone="Europe/Paris", at=now, country="FR")
    calls: list[datetime] = []
    while len(calls) < count:
        action = engine.next_action(p, now)
        now = action.earliest
        if action.channel is Channel.PHONE:
            calls.append(now)
            p = engine.apply(p, ev.CallAttempted(at=now, outcome="voicemail"))
        else:
            p = engine.apply(p, ev.EmailSent(at=now))
    return calls


def test_the_fifth_call_in_france_waits_for_the_first_to_leave_the_30_days() -> None:
    """One business day between calls (R3): four calls in the first week of March fill the
    cap. The fifth is due when the first leaves the 30 days (30 x 24 hours after it: 11:30
    on 1 April, summer time), not four weeks after the fourth; the sixth a business day
    later, the window having room again. The long gap is the law's, nothing more."""
    policy = cadence.Policy(
        min_gap_business_days=1, switch_channel_after=20, opt_out_offer_after=20
    )
    calls = _calls(policy, 6)
    first, fourth, fifth, sixth = calls[0], calls[3], calls[4], calls[5]
    assert fourth - first < timedelta(days=4)
    assert fifth.astimezone(UTC) == first.astimezone(UTC) + MONTH
    assert fifth == datetime(2026, 4, 1, 11, 30, tzinfo=PARIS)
    assert sixth.date() == datetime(2026, 4, 2, tzinfo=PARIS).date()
    for i, call in enumerate(calls):  # never a fifth call within 30 days
        assert sum(call - MONTH < c <= call for c in calls[:i]) < 4
