"""Touches nobody asked for: when an unanswered call or email is not an attempt on the ladder.

The ladder counts unanswered attempts (R3's gap, R8's offer, the stage ``unresponsive``). A
touch that performed nothing owed is normally the ladder's next attempt, made on whatever
channel. Two kinds are not, because counting them would say something untrue to the rep:

- A touch while the next contact is one already owed (a contact agreed in a conversation,
  R1, its default follow-up, the call a "not now" asked for, R17) or a booked meeting not yet
  logged held or missed (ahead, under way, or over): the ladder waits behind those
  (:func:`cadence._agenda.tasks`). A recap email right after a connected call is no sign that
  the prospect stopped answering; the contact owed is.
- An email after an unanswered call, up to the end of the day the ladder's next call is
  placed on. That call's voicemail told the prospect when the rep would try again (R5); an
  email the rep adds in between does not take the call's turn, so it does not move the
  promised call (R3's gap counts between the ladder's attempts). Once that day is over the
  promise is spent, and an email is the attempt again.
"""

from __future__ import annotations

from datetime import datetime

from cadence._agenda import ladder_channel, ladder_task
from cadence._fold_base import CONTACT_KEYS, State, booked
from cadence._ladder import ladder_step
from cadence._placing import locate
from cadence.calendar import ContactCalendar
from cadence.channel import Channel
from cadence.policy import Policy

__all__ = ["extra_touch"]

_PHONE, _EMAIL = Channel.PHONE, Channel.EMAIL


def extra_touch(
    policy: Policy, cal: ContactCalendar, state: State, channel: Channel, at: datetime
) -> bool:
    """Whether an unanswered touch on ``channel`` at ``at`` that performed nothing owed is an
    extra touch, not an attempt on the ladder (see the module's docstring)."""
    for o in state["obligations"]:
        if o.key in CONTACT_KEYS:
            return True  # the ladder waits behind the contact owed
    if booked(state):
        return True  # ... and behind a booked meeting not yet logged held or missed
    if channel is not _EMAIL or state["calls_unanswered"] == 0:
        return False  # (the last attempt was not an unanswered call: no call was promised)
    step = ladder_step(policy, state)
    if step is None or ladder_channel(policy, state, step) is not _PHONE:
        return False  # the ladder's next step is this email, or no call
    task = ladder_task(policy, cal, state)
    if task is None or task.channel is not _PHONE:
        return False
    promised = locate(policy, state, cal, task, task.not_before).start
    return cal.local(at).date() <= promised.date()
