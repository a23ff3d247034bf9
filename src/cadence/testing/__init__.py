"""Hypothesis strategies for cadence users' own tests: places, instants, events, policies and
whole histories.

Like ``hypothesis.strategies``: every public name is a function returning a strategy, arguments
are keyword-only strategies or plain values, and nothing here reads a clock or the environment.
Needs the ``testing`` extra (hypothesis).

>>> from hypothesis import given
>>> @given(history=histories())
... def test_next_action_is_never_due_before_now(history: History) -> None:
...     engine = engine_for(history.policy)
...     now = history.last_at
...     assert engine.next_action(history.final, now).earliest >= now

To prove that your own policy keeps its rules, run the stateful :class:`PolicyMachine`
against it (``TestMyPolicy = PolicyMachine.for_policy(my_policy).TestCase``), or check any
history with :func:`check_invariants`.

The most useful strategy is :func:`histories`: it drives the engine itself, one step at a time,
asking for the next action and answering it with a plausible event (a call that reached voicemail,
an email sent, a meeting held) at or after the time the engine asked for, and now and then
interleaving an unrelated event at a random later time. The result reads like a CRM's log.
"""

from cadence.testing._events import (
    EVENT_TYPES,
    call_attempted,
    channel_preference,
    contact_updated,
    deal_closed,
    email_bounced,
    email_replied,
    email_sent,
    event_ids,
    events,
    meeting_booked,
    meeting_cancelled,
    meeting_held,
    meeting_no_show,
    opted_in,
    opted_out,
    out_of_office,
)
from cadence.testing._histories import History, engine_for, histories, ladders, moments
from cadence.testing._invariants import check_invariants, check_step
from cadence.testing._machine import PolicyMachine
from cadence.testing._places import (
    REGIONS,
    ZONES,
    Region,
    delays,
    instants,
    regions,
    transitions_of,
)
from cadence.testing._policies import CALL_SLOTS, EMAIL_HOURS, TEAM_RULE, WEEKMASKS, policies
from cadence.testing._prospects import prospects

__all__ = [
    "CALL_SLOTS",
    "EMAIL_HOURS",
    "EVENT_TYPES",
    "REGIONS",
    "TEAM_RULE",
    "WEEKMASKS",
    "ZONES",
    "History",
    "PolicyMachine",
    "Region",
    "call_attempted",
    "channel_preference",
    "check_invariants",
    "check_step",
    "contact_updated",
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
    "prospects",
    "regions",
    "transitions_of",
]
