"""Prove that your cadence policy keeps its rules: copy this file into your test suite.

Needs the testing extra: pip install 'cadence[testing]' pytest
"""

from hypothesis import given, settings
from hypothesis import strategies as st

import cadence
from cadence.testing import History, PolicyMachine, check_invariants, histories

MY_POLICY = cadence.Policy(
    min_gap_business_days=2,  # two business days between unanswered attempts (R3)
    opt_out_offer_after=4,  # offer the opt-out after four unanswered attempts (R8)
    drip_interval_days=45,
)

# 1. A sloppy CRM drives one prospect under your policy: it follows the engine (late,
#    sometimes), the prospect does unexpected things, webhooks arrive twice or late, time
#    passes. Every step is checked: R2, R3, R4, R6, R13, R17, the legal calling hours (of
#    every call in the plan, and of emails where a rule binds email) and "never due before now".
TestMyPolicy = PolicyMachine.for_policy(MY_POLICY).TestCase
TestMyPolicy.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)


# 2. Engine-driven histories under your policy, checked after every event.
@settings(max_examples=25, deadline=None)
@given(history=histories(policies=st.just(MY_POLICY)))
def test_my_policy_keeps_every_rule(history: History) -> None:
    engine = cadence.Engine(history.policy)
    check_invariants(engine, history.states[0], history)


# 3. A rule of your own, stated as a property: no call is ever due on a weekend.
@settings(max_examples=25, deadline=None)
@given(history=histories(policies=st.just(MY_POLICY)))
def test_no_call_is_due_on_a_weekend(history: History) -> None:
    engine = cadence.Engine(history.policy)
    for prospect in history.states:
        action = engine.next_action(prospect, prospect.last_event_at)
        if action.kind is cadence.ActionKind.CALL:
            assert action.earliest.weekday() < 5, action  # in the prospect's own zone
