"""Where the unanswered ladder stands: the next step a touch performs (R8–R12)."""

from __future__ import annotations

from typing import Any

from cadence.actions import ActionKind
from cadence.lifecycle import Stage
from cadence.policy import Policy

__all__ = ["ESCALATIONS", "ESCALATION_KIND", "drip_allowed", "ladder_step"]

State = dict[str, Any]


def drip_allowed(policy: Policy, state: State) -> bool:
    """R12: drip needs the prospect's permission unless the policy says otherwise."""
    return not policy.drip_requires_permission or state["permission"] is True


ESCALATION_KIND = {
    "contact_receptionist": ActionKind.CONTACT_RECEPTIONIST,
    "ask_decision_makers": ActionKind.ESCALATE,
    "manager_escalation": ActionKind.ESCALATE,
}
#: The ladder steps that escalate (R9).
ESCALATIONS = frozenset(ESCALATION_KIND.values())


# Enum members read on the hot path, bound to module names: on Python 3.11 every
# ``Stage.NEW``-style read goes through ``EnumType.__getattr__``'s slot, about 70 ns, ten
# times a global (3.12 dropped the hook). See docs/performance.md.
_LADDER = (Stage.NEW, Stage.ENGAGED, Stage.UNRESPONSIVE)
_DROPPED_OR_DRIP = (Stage.DROPPED, Stage.DRIP)
_OPT_OUT_OFFERED = Stage.OPT_OUT_OFFERED
_CALL, _OPT_OUT_OFFER = ActionKind.CALL, ActionKind.OPT_OUT_OFFER
_BREAKUP, _DRIP_TOUCH = ActionKind.BREAKUP, ActionKind.DRIP_TOUCH


def ladder_step(policy: Policy, state: State) -> ActionKind | None:
    """What the next touch on the unanswered ladder is, or None when the ladder waits.

    ``CALL`` stands for a plain attempt (its channel is decided when it is placed).
    """
    stage = state["stage"]
    if stage in _LADDER:
        if state["unanswered"] >= policy.opt_out_offer_after:  # R8
            return _OPT_OUT_OFFER
        return _CALL
    if stage is _OPT_OUT_OFFERED:
        if state["breakup_sent_at"] is not None:
            return None
        if state["opt_out_offered_at"] is None:  # the emailed offer bounced: owed again (R8)
            return _OPT_OUT_OFFER
        if state["escalations_done"] < len(policy.escalations):  # R9
            return ESCALATION_KIND[policy.escalations[state["escalations_done"]]]
        return _BREAKUP  # R10
    if stage in _DROPPED_OR_DRIP and drip_allowed(policy, state):
        return _DRIP_TOUCH  # R11
    return None
