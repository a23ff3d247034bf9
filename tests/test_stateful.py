"""A stateful property test: a CRM that misbehaves, checked by brute force after every step.

The machine is the public :class:`cadence.testing.PolicyMachine` (dogfooded: users run the same
machine against their own policies), which adds events (mostly by following the engine's own
next action; sometimes any event at any later time), redelivers them, delivers them late and
lets time pass, checking every step with ``cadence.testing.check_step``. This project's
machine also swaps the policy and re-imports opted-out contacts under a new record id. After
every step a deliberately simple reference checks the engine's next action:
never before now, calls only inside the legal window and the policy's hours on a business day,
elapsed-time caps, the R3 gap (numpy as the business-day oracle), and that an opted-out person is
never contacted again, whatever record they come back under.

Run it long: ``HYPOTHESIS_PROFILE=long pytest tests/test_stateful.py`` (the long profile runs
5,000 programs of up to 50 steps; see the closing notes for the latest run's step count).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

import cadence
from cadence import ActionKind, Channel, Stage
from cadence import events as ev
from cadence.batch import plan_day
from cadence.testing import EVENT_TYPES, PolicyMachine

PLACES = [
    ("America/Chicago", "US", "IL", (8, 21), None),
    ("America/New_York", "US", "FL", (8, 20), (3, timedelta(hours=24))),
    ("America/Denver", "US", "CT", (9, 20), None),
    ("Europe/Paris", "FR", None, (10, 20), (4, timedelta(days=30))),
]
POLICIES = [
    cadence.Policy(),
    cadence.Policy(min_gap_business_days=2, opt_out_offer_after=2),
    cadence.Policy(
        min_gap_business_days=3,
        call_slots=(cadence.TimeSlot(name="day", start="08:00", end="21:00"),),
    ),
    cadence.Policy(opt_out_scope="channel"),  # a new address must not undo an opt-out (R13)
    cadence.Policy(event_id_memory_days=1),  # a forgotten id is never applied twice
]
STEPS = {"n": 0}  # counted for the closing note of long runs


def _holidays(country: str, subdivision: str | None) -> list[date]:
    return sorted(holidays.country_holidays(country, subdiv=subdivision, years=range(2025, 2030)))


#: Legal calling hours and elapsed-time caps of each place, written out independently of
#: ``cadence.compliance`` (DESIGN §5).
LAW = {(tz, country, sub): (hours, cap) for tz, country, sub, hours, cap in PLACES}


class Crm(PolicyMachine):
    """One prospect per run, driven like a sloppy CRM would: the public
    :class:`cadence.testing.PolicyMachine` (follow the engine, the prospect acting on their own,
    time passing, redeliveries, late deliveries; ``check_step`` after every step), plus policy
    swaps, re-imported contacts and a brute-force reference of the law."""

    policy = POLICIES[0]

    def __init__(self) -> None:
        super().__init__()
        self.opted_out_people: set[str] = set()
        self.place = PLACES[0]

    # -- rules --------------------------------------------------------------------------
    @precondition(lambda self: self.prospect is None)
    @rule(place=st.sampled_from(PLACES), policy=st.sampled_from(POLICIES))
    def enroll(self, place: tuple[object, ...], policy: cadence.Policy) -> None:
        self.place = place  # type: ignore[assignment]
        self.engine = cadence.Engine(policy)
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("UTC"))
        self.prospect = self._record("p1")

    def event_types(self) -> frozenset[str]:
        """No call logged while the prospect is opted out: the engine ignores every event then
        (R13), so such a call would not count toward the elapsed-time caps this machine checks
        by brute force (reported; the rep breaking R13 is not what this machine tests)."""
        if self.prospect is not None and self.prospect.stage is Stage.OPTED_OUT:
            return EVENT_TYPES - {"call_attempted"}
        return EVENT_TYPES

    def _record(self, record_id: str) -> cadence.Prospect:
        """A CRM record for the one person this run follows (same phone, any record id)."""
        tz, country, sub = self.place[0], self.place[1], self.place[2]
        return self.engine.enroll(
            record_id,
            timezone=str(tz),
            at=self.now,
            country=str(country),
            subdivision=sub if sub is None else str(sub),
            phone="+1-555-0100",
            owner="ana",
        )

    @precondition(lambda self: self.prospect is not None)
    @rule(policy=st.sampled_from(POLICIES))
    def change_policy(self, policy: cadence.Policy) -> None:
        self.engine = cadence.Engine(policy)

    @precondition(lambda self: self.prospect is not None)
    @rule()
    def opt_out_now(self) -> None:
        self._apply(ev.OptedOut(at=max(self.now, self.prospect.last_event_at)))  # type: ignore[union-attr]

    @precondition(lambda self: bool(self.opted_out_people))
    @rule()
    def reimport_suppressed_contact(self) -> None:
        """The same person comes back as a new CRM record: the suppression list still holds."""
        fresh = self._record("p1-reimported")
        local = self.engine.calendar(fresh).local(self.now).date()
        for day in (local, local + timedelta(days=1)):
            plan = plan_day(
                self.engine,
                [fresh],
                day=day,
                now=self.now,
                capacity=10,
                suppressions=self.opted_out_people,
            )
            assert plan.touches == ()

    def _apply(self, event: ev.Event) -> None:
        super()._apply(event)
        assert self.prospect is not None
        if self.prospect.stage is Stage.OPTED_OUT:
            self.opted_out_people.update({self.prospect.id, "+1-555-0100"})
        elif isinstance(event, ev.OptedIn):
            self.opted_out_people.clear()  # they asked to hear from us again (R13)

    # -- the brute-force reference ----------------------------------------------------------
    @invariant()
    def next_action_obeys_every_rule(self) -> None:
        STEPS["n"] += 1
        p = self.prospect
        if p is None:
            return
        act = self.engine.next_action(p, self.now)
        assert act.earliest >= self.now
        assert act.latest_utc >= act.earliest_utc  # by instant, right in a DST fold
        if p.stage is Stage.OPTED_OUT or "+1-555-0100" in self.opted_out_people:
            assert act.kind is ActionKind.NONE
            return
        if act.channel is not Channel.PHONE or act.kind is ActionKind.ATTEND_MEETING:
            return
        tz, country, sub, (open_h, close_h), cap = self.place
        local = act.earliest.astimezone(ZoneInfo(str(tz)))
        assert open_h <= local.hour < close_h, local  # the legal window
        slots = self.engine.policy.call_slots
        assert any(s.start <= local.time() < s.end for s in slots), local  # the policy's hours
        assert np.is_busday(
            np.datetime64(local.date()),
            weekmask=self.engine.policy.weekmask,
            holidays=_holidays(str(country), sub if sub is None else str(sub)),
        )
        if cap is not None:
            count, per = cap
            calls = [  # (a call to someone else, R9, is not a call to their number)
                e.at for e in self.history if isinstance(e, ev.CallAttempted) and not e.third_party
            ]
            start = act.earliest_utc  # elapsed time: not wall-clock arithmetic across DST
            recent = [t for t in calls if start - per < t <= start]
            assert len(recent) < count, (act.earliest, recent)

    @invariant()
    def ladder_attempts_keep_the_gap(self) -> None:
        p = self.prospect
        if p is None or p.last_attempt_at is None or p.stage is not Stage.UNRESPONSIVE:
            return
        act = self.engine.next_action(p, self.now)
        if not {"R3"} <= set(act.rules):
            return
        tz, country, sub = self.place[0], self.place[1], self.place[2]
        last = p.last_attempt_at.astimezone(ZoneInfo(str(tz))).date()
        due = np.busday_offset(
            np.datetime64(last),
            self.engine.policy.min_gap_business_days,
            roll="forward",
            weekmask=self.engine.policy.weekmask,
            holidays=_holidays(str(country), sub if sub is None else str(sub)),
        )
        assert np.datetime64(act.earliest.astimezone(ZoneInfo(str(tz))).date()) >= due


Crm.TestCase.settings = settings(
    max_examples=int(os.environ.get("CADENCE_STATEFUL_EXAMPLES", "0")) or settings().max_examples,
    stateful_step_count=50,
    deadline=None,
)
test_crm_never_breaks_a_rule = Crm.TestCase
