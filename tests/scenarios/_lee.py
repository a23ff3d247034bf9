"""Stories several scenario files tell about Lee, a Chicago prospect."""

from __future__ import annotations

from datetime import datetime, timedelta

import cadence
from cadence import events as ev
from tests.conftest import CHICAGO

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)


def agreed_and_missed(
    engine: cadence.Engine, agreed: datetime, logged: datetime, before: timedelta
) -> cadence.Prospect:
    """Lee agreed on Monday to a call at ``agreed`` (R1), and missed the meeting booked for
    ``before`` that call; the no-show is logged at ``logged``."""
    p = engine.enroll("lee", timezone="America/Chicago", at=MONDAY, country="US", subdivision="IL")
    p = engine.apply(
        p, ev.CallAttempted(at=MONDAY, outcome="connected", next_contact_at=agreed, permission=True)
    )
    starts = agreed - before
    p = engine.apply(p, ev.MeetingBooked(at=MONDAY, meeting_id="m1", starts_at=starts))
    return engine.apply(p, ev.MeetingNoShow(at=logged, meeting_id="m1"))
