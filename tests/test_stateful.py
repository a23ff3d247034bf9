"""A stateful property test: a CRM that misbehaves, checked by brute force after every step.

The machine adds events (mostly by following the engine's own next action), redelivers them,
delivers them late, lets time pass, swaps the policy, and re-imports opted-out contacts under a
new record id. After every step a deliberately simple reference checks the engine's next action:
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
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import cadence
from cadence import ActionKind, Channel, Stage
from cadence import events as ev
from cadence.batch import plan_day
from cadence.errors import LateEventError

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
]
STEPS = {"n": 0}  # counted for the closing note of long runs


def _holidays(country: str, subdivision: str | None) -> list[date]:
    return sorted(holidays.country_holidays(country, subdiv=subdivision, years=range(2025, 2030)))


class Crm(RuleBasedStateMachine):
    """One prospect per run, driven like a sloppy CRM would."""

    def __init__(self) -> None:
        super().__init__()
        self.policy = POLICIES[0]
        self.engine = cadence.Engine(self.policy)
        self.prospect: cadence.Prospect | None = None
        self.history: list[ev.Event] = []
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("UTC"))
        self.opted_out_people: set[str] = set()
        self.place = PLACES[0]
        self.ids = 0

    # -- rules --------------------------------------------------------------------------
    @precondition(lambda self: self.prospect is None)
    @rule(place=st.sampled_from(PLACES), policy=st.sampled_from(POLICIES))
    def enroll(self, place: tuple[object, ...], policy: cadence.Policy) -> None:
        self.place = place  # type: ignore[assignment]
        self.policy = policy
        self.engine = cadence.Engine(policy)
        self.prospect = self._record("p1")

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
    @rule(
        outcome=st.sampled_from(["voicemail"] * 6 + ["no_answer", "connected", "gatekeeper"]),
        reply=st.booleans(),
        lateness=st.integers(0, 180),
    )
    def follow_the_engine(self, outcome: str, reply: bool, lateness: int) -> None:
        assert self.prospect is not None
        self.ids += 1
        idx = self.ids  # a fresh id per new event (reusing one is a conflict, by design)
        act = self.engine.next_action(self.prospect, self.now)
        if act.kind in (ActionKind.NONE, ActionKind.WAIT) or act.channel is None:
            self.now = max(self.now, act.earliest.astimezone(self.now.tzinfo)) + timedelta(hours=1)
            return
        at = act.earliest + timedelta(minutes=lateness)
        if act.channel is Channel.PHONE and at >= act.latest:
            at = act.earliest
        event: ev.Event
        if act.channel is Channel.PHONE:
            next_at = at + timedelta(days=2) if outcome == "connected" else None
            event = ev.CallAttempted(at=at, outcome=outcome, next_contact_at=next_at, id=f"c{idx}")
        elif act.channel is Channel.EMAIL and reply:
            event = ev.EmailReplied(at=at, id=f"r{idx}")
        else:
            event = ev.EmailSent(at=at, id=f"e{idx}")
        self._apply(event)

    @precondition(lambda self: any(e.id for e in self.history))
    @rule(data=st.data())
    def redeliver(self, data: st.DataObject) -> None:
        assert self.prospect is not None
        event = data.draw(st.sampled_from([e for e in self.history if e.id]))
        again = self.engine.apply(self.prospect, event)
        assert again == self.prospect  # a duplicate is a no-op and counts once toward caps

    @precondition(lambda self: self.prospect is not None and len(self.history) >= 2)
    @rule(minutes=st.integers(1, 600), opt_out=st.booleans())
    def deliver_late(self, minutes: int, opt_out: bool) -> None:
        assert self.prospect is not None
        at = self.prospect.last_event_at - timedelta(minutes=minutes)
        if at < self.prospect.enrolled_at:
            return
        if opt_out:
            self._apply(ev.OptedOut(at=at))
            return
        before = self.prospect
        try:
            self.engine.apply(self.prospect, ev.EmailReplied(at=at))
        except LateEventError:
            assert self.prospect == before
        else:  # pragma: no cover - the property below fails first
            raise AssertionError("a late event must be refused")

    @precondition(lambda self: self.prospect is not None)
    @rule(hours=st.integers(1, 24 * 20))
    def time_passes(self, hours: int) -> None:
        assert self.prospect is not None
        self.now += timedelta(hours=hours)
        self.prospect = self.engine.advance(self.prospect, self.now)

    @precondition(lambda self: self.prospect is not None)
    @rule(policy=st.sampled_from(POLICIES))
    def change_policy(self, policy: cadence.Policy) -> None:
        self.policy = policy
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
        assert self.prospect is not None
        self.prospect = self.engine.apply(self.prospect, event)
        self.history.append(event)
        self.now = max(self.now, event.at)
        if self.prospect.stage is Stage.OPTED_OUT:
            self.opted_out_people.update({self.prospect.id, "+1-555-0100"})

    # -- the brute-force reference ----------------------------------------------------------
    @invariant()
    def next_action_obeys_every_rule(self) -> None:
        STEPS["n"] += 1
        p = self.prospect
        if p is None:
            return
        act = self.engine.next_action(p, self.now)
        assert act.earliest >= self.now
        assert act.latest >= act.earliest
        if p.stage is Stage.OPTED_OUT or "+1-555-0100" in self.opted_out_people:
            assert act.kind is ActionKind.NONE
            return
        if act.channel is not Channel.PHONE or act.kind is ActionKind.ATTEND_MEETING:
            return
        tz, country, sub, (open_h, close_h), cap = self.place
        local = act.earliest.astimezone(ZoneInfo(str(tz)))
        assert open_h <= local.hour < close_h, local  # the legal window
        slots = self.policy.call_slots
        assert any(s.start <= local.time() < s.end for s in slots), local  # the policy's hours
        assert np.is_busday(
            np.datetime64(local.date()),
            weekmask=self.policy.weekmask,
            holidays=_holidays(str(country), sub if sub is None else str(sub)),
        )
        if cap is not None:
            count, per = cap
            calls = [e.at for e in self.history if isinstance(e, ev.CallAttempted)]
            recent = [t for t in calls if act.earliest - per < t <= act.earliest]
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
            self.policy.min_gap_business_days,
            roll="forward",
            weekmask=self.policy.weekmask,
            holidays=_holidays(str(country), sub if sub is None else str(sub)),
        )
        assert np.datetime64(act.earliest.astimezone(ZoneInfo(str(tz))).date()) >= due


Crm.TestCase.settings = settings(
    max_examples=int(os.environ.get("CADENCE_STATEFUL_EXAMPLES", "0")) or settings().max_examples,
    stateful_step_count=50,
    deadline=None,
)
test_crm_never_breaks_a_rule = Crm.TestCase
