"""What one engine step costs, against the ``transitions`` machines it replaces (DESIGN §3, §8).

An *engine step* is what a CRM does for every event it logs: ``p = engine.apply(p, event)`` then
``engine.next_action(p, now)``. The workload is realistic rather than a single hot path:

- a few hundred prospects enrolled at random instants over the first quarter of 2026 in three
  calendars (America/Chicago US-IL, America/New_York US-NY, Europe/Paris FR), so holidays, the
  French legal calling windows and DST changes all take part;
- each prospect's history is *driven by the engine itself*: every event answers the engine's own
  next action at a time inside its due window, so the mix of stages, obligations and ladder steps
  is the one a CRM would produce;
- calls reach voicemail about 85 % of the time (R18), a few ring out, about one in ten connects
  (mostly with an agreed next contact time, R1); emails get the occasional reply, proposed times
  sometimes become booked meetings that are held, missed or cancelled;
- every event carries an opaque id, as a CRM webhook's would, so idempotency bookkeeping is paid;
- ``next_action`` is asked at the instant of the event just logged.

Because every voicemail is followed by the short email R6 asks for, about half of the events are
``email_sent``; the script prints the mix it generated.

Events and prior states are built before timing; a timed batch applies every step once, from its
recorded prior state. In the same run, interleaved round by round, it times the baselines:

- one trigger on ONE shared ``transitions.Machine`` built from the same lifecycle declaration
  (``cadence.lifecycle.build_machine``), alternating two real transitions (``respond`` and
  ``unanswered``), i.e. the cheapest way to use the library the engine compiles away;
- building one ``Machine`` per prospect plus one trigger, the design DESIGN §3 rules out.

It prints the median µs per operation over the rounds (with the 25th–75th percentiles: the
machine is shared and noisy), a breakdown (``apply`` alone, ``next_action`` alone) and the ratios
engine/shared and per-prospect/engine, each the median of the per-round ratios (both sides of a
ratio are measured in the same round, so slow phases of the machine cancel out). The targets are
an engine step no dearer than one shared-machine trigger (ratio <= 1.0) and at least 30 times
cheaper than a machine per prospect.

It also times the *floor*: the parts of a step this design pays whatever the rules decide (the
event's idempotency digest, the new frozen ``Prospect``, one calendar window lookup, the
``Action``), each alone on the same steps, and prints their sum against both baselines. A target
that the floor alone misses cannot be met by making the rules cheaper, only by changing what a
step must produce.

And it times a whole *webhook* as a CRM handles one: the event parsed from its JSON
(``cadence.parse_event``), the state loaded from its stored JSON, the step, the new state dumped
back to JSON. It prints its ratio to the step and the webhooks per second one core can take: the
figure to size a CRM's workers by. And a step on an ``Engine`` built for it, against one on the
engine kept for the whole run: an engine caches each calendar's windows as it goes.

Garbage collection is off inside timed batches (as in ``timeit``), which if anything flatters the
per-prospect baseline (its reference cycles are collected outside the timing). Each timed batch
starts with the calendars' answers per instant forgotten (``_timing.forgetting``; days are
kept): a batch replays the same steps every round, and a CRM's webhooks bring new instants.

Run: ``PYTHONPATH=src python benchmarks/engine.py`` (about 30 s) or ``--quick`` for a smoke run.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this directory comes first on sys.path, and benchmarks/calendar.py would
# shadow the standard library's `calendar` (which `holidays` imports): the stdlib goes first.
sys.path.insert(0, os.path.dirname(os.__file__))
# ... and the project root, so `benchmarks._timing` imports either way.
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse
import platform
import random
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import cadence
from benchmarks._timing import forgetting, measure, ratio
from cadence import events as ev
from cadence._construct import build
from cadence.actions import Action, ActionKind
from cadence.channel import Channel
from cadence.lifecycle import Stage, Trigger, build_machine, lifecycle

ZONES: tuple[tuple[str, str, str | None], ...] = (
    ("America/Chicago", "US", "IL"),
    ("America/New_York", "US", "NY"),
    ("Europe/Paris", "FR", None),
)
START = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
ENROL_SPREAD_MINUTES = 85 * 24 * 60  # enrolments spread over the first quarter

#: Call outcomes (R18: about 85 % of calls reach voicemail).
CALL_OUTCOMES: tuple[tuple[ev.CallOutcome, float], ...] = (
    ("voicemail", 0.85),
    ("no_answer", 0.04),
    ("gatekeeper", 0.01),
    ("connected", 0.10),
)
REPLY_AFTER_EMAIL = 0.07  # an email gets a reply before the next touch
BOOKED_AFTER_PROPOSAL = 0.6  # proposed times turn into a booked meeting
CANCEL_BEFORE_MEETING = 0.12
OUT_OF_OFFICE_AFTER_EMAIL = 0.02
OPT_OUT_PER_STEP = 0.004


@dataclass(frozen=True, slots=True)
class Step:
    """One recorded engine step: the state before, the event, the ``now`` of the query."""

    before: cadence.Prospect
    event: ev.Event
    now: datetime


@dataclass(frozen=True, slots=True)
class Workload:
    steps: tuple[Step, ...]
    prospects: int
    mix: Counter[str]


# -- building the workload --------------------------------------------------------------------


def _event_id(rng: random.Random) -> str:
    return f"evt_{rng.getrandbits(64):016x}"  # opaque, like a CRM's activity id


def _local_at(when: datetime, tz: str, days: int, hour: int, minute: int = 0) -> datetime:
    """``days`` after ``when``'s local date, at a wall time that exists in every zone used."""
    zone = ZoneInfo(tz)
    day = when.astimezone(zone).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def _pick(rng: random.Random, table: tuple[tuple[ev.CallOutcome, float], ...]) -> ev.CallOutcome:
    r = rng.random()
    for value, weight in table:
        r -= weight
        if r < 0:
            return value
    return table[-1][0]


def _call(rng: random.Random, p: cadence.Prospect, at: datetime) -> ev.CallAttempted:
    outcome = _pick(rng, CALL_OUTCOMES)
    if outcome != "connected":
        return ev.CallAttempted(at=at, outcome=outcome, id=_event_id(rng))
    agreed = None
    if rng.random() < 0.75:  # R1: most conversations end with an agreed time
        agreed = _local_at(at, p.timezone, rng.randint(2, 7), rng.choice((10, 11, 15)), 30)
    return ev.CallAttempted(
        at=at,
        outcome="connected",
        next_contact_at=agreed,
        permission=rng.random() < 0.7,
        id=_event_id(rng),
    )


def _reply(rng: random.Random, p: cadence.Prospect, at: datetime) -> ev.EmailReplied:
    r = rng.random()
    if r < 0.35:
        return ev.EmailReplied(at=at, intent="positive", id=_event_id(rng))
    if r < 0.65:
        return ev.EmailReplied(at=at, intent="neutral", id=_event_id(rng))
    if r < 0.80:
        resume = _local_at(at, p.timezone, rng.randint(20, 60), 10)
        return ev.EmailReplied(at=at, intent="not_now", resume_at=resume, id=_event_id(rng))
    if r < 0.90:
        return ev.EmailReplied(at=at, intent="referral", referral="Pat Lee", id=_event_id(rng))
    return ev.EmailReplied(at=at, id=_event_id(rng))


def _answer(
    rng: random.Random, p: cadence.Prospect, act: Action, now: datetime, last: ev.Event | None
) -> tuple[ev.Event, ...]:
    """The events a CRM would log next, given the engine's next action (none: a pause)."""
    soon = now + timedelta(hours=rng.randint(1, 30))
    # What the prospect does on their own, between our touches.
    if isinstance(last, ev.EmailSent):
        r = rng.random()
        if r < REPLY_AFTER_EMAIL:
            return (_reply(rng, p, soon),)
        if r < REPLY_AFTER_EMAIL + OUT_OF_OFFICE_AFTER_EMAIL:
            until = _local_at(now, p.timezone, rng.randint(3, 10), 8)
            return (ev.OutOfOffice(at=now + timedelta(minutes=2), until=until, id=_event_id(rng)),)
    if rng.random() < OPT_OUT_PER_STEP:
        return (ev.OptedOut(at=soon, id=_event_id(rng)),)
    if (
        act.kind is ActionKind.ATTEND_MEETING
        and act.detail
        and act.earliest_utc > soon + timedelta(hours=2)
        and rng.random() < CANCEL_BEFORE_MEETING
    ):
        by = "prospect" if rng.random() < 0.6 else "rep"
        return (ev.MeetingCancelled(at=soon, meeting_id=act.detail, by=by, id=_event_id(rng)),)

    # Doing what the engine asked, inside its window.
    if act.kind in (ActionKind.NONE, ActionKind.WAIT):
        return ()
    if act.kind is ActionKind.ATTEND_MEETING:
        done = max(now, act.latest_utc) + timedelta(minutes=10)
        meeting_id = act.detail or "m"
        if rng.random() < 0.8:
            agreed = None
            if rng.random() < 0.7:
                agreed = _local_at(done, p.timezone, rng.randint(3, 10), 11)
            held = ev.MeetingHeld(
                at=done,
                meeting_id=meeting_id,
                next_contact_at=agreed,
                permission=rng.random() < 0.8,
                id=_event_id(rng),
            )
            return (held,)
        return (ev.MeetingNoShow(at=done, meeting_id=meeting_id, id=_event_id(rng)),)
    window = act.latest_utc - act.earliest_utc
    at = act.earliest_utc + min(timedelta(minutes=rng.randint(0, 25)), window / 2)
    if act.channel is Channel.PHONE:
        return (_call(rng, p, at),)
    sent = ev.EmailSent(at=at, id=_event_id(rng))
    if act.kind is ActionKind.PROPOSE_TIMES and rng.random() < BOOKED_AFTER_PROPOSAL:
        # They pick one of the proposed times: the booking follows the email.
        booked = ev.MeetingBooked(
            at=at + timedelta(hours=rng.randint(1, 20)),
            meeting_id=f"mtg_{rng.getrandbits(32):08x}",
            starts_at=_local_at(at, p.timezone, rng.randint(2, 7), 11),
            id=_event_id(rng),
        )
        return (sent, booked)
    return (sent,)


def build_workload(
    engine: cadence.Engine, prospects: int, max_events: int, seed: int = 20260302
) -> Workload:
    """Drive ``prospects`` prospects through the engine and record every step."""
    rng = random.Random(seed)
    steps: list[Step] = []
    mix: Counter[str] = Counter()
    for i in range(prospects):
        tz, country, subdivision = ZONES[i % len(ZONES)]
        enrolled = START + timedelta(minutes=rng.randrange(ENROL_SPREAD_MINUTES))
        p = engine.enroll(
            f"crm-{i:05d}", timezone=tz, at=enrolled, country=country, subdivision=subdivision
        )
        now = enrolled
        last: ev.Event | None = None
        events = 0
        for _ in range(4 * max_events):  # pauses do not count as events
            if events >= max_events or p.stage in (Stage.OPTED_OUT, Stage.CLOSED):
                break
            act = engine.next_action(p, now)
            if act.kind is ActionKind.NONE:
                break
            answer = _answer(rng, p, act, now, last)
            if not answer:  # a pause: the CRM asks again once it is over
                now = max(now, act.earliest_utc) + timedelta(minutes=1)
                last = None
                continue
            for event in answer:
                steps.append(Step(p, event, event.at))
                mix[_label(event)] += 1
                p = engine.apply(p, event)
                now = event.at
                last = event
                events += 1
    return Workload(tuple(steps), prospects, mix)


def _label(event: ev.Event) -> str:
    if isinstance(event, ev.CallAttempted):
        extra = "+agreed time" if event.next_contact_at is not None else ""
        return f"call_attempted/{event.outcome}{extra}"
    if isinstance(event, ev.EmailReplied):
        return f"email_replied/{event.intent or 'plain'}"
    return event.type


# -- timing -------------------------------------------------------------------------------------


class _Model:
    """A stand-in object for a ``transitions`` machine to drive."""

    state: str


def make_batches(
    engine: cadence.Engine, steps: tuple[Step, ...], trigger_ops: int, machine_ops: int
) -> dict[str, Callable[[], int]]:
    apply = engine.apply
    next_action = engine.next_action
    after = tuple((engine.apply(s.before, s.event), s.now) for s in steps)

    def engine_step() -> int:
        for s in steps:
            next_action(apply(s.before, s.event), s.now)
        return len(steps)

    def apply_alone() -> int:
        for s in steps:
            apply(s.before, s.event)
        return len(steps)

    def next_action_alone() -> int:
        for p, now in after:
            next_action(p, now)
        return len(after)

    shared = _Model()
    build_machine(shared)
    respond = shared.respond  # type: ignore[attr-defined]  # added by transitions
    unanswered = shared.unanswered  # type: ignore[attr-defined]

    def shared_trigger() -> int:
        for _ in range(trigger_ops // 2):
            respond()
            unanswered()
        return 2 * (trigger_ops // 2)

    def machine_per_prospect() -> int:
        for _ in range(machine_ops):
            model = _Model()
            build_machine(model)
            model.unanswered()  # type: ignore[attr-defined]
        return machine_ops

    next_stage = lifecycle().next_stage
    pairs = [(Stage.NEW, Trigger.RESPOND), (Stage.ENGAGED, Trigger.UNANSWERED)] * (trigger_ops // 2)

    def table_lookup() -> int:
        for stage, trigger in pairs:
            next_stage(stage, trigger)
        return len(pairs)

    # What a CRM's webhook handler does around the step: the event arrives as JSON, the state
    # is loaded from and stored back to its JSON column.
    stored = tuple((s.event.model_dump_json(), s.before.model_dump_json(), s.now) for s in steps)
    parse_event = cadence.parse_event
    load = cadence.Prospect.model_validate_json

    def webhook() -> int:
        for event_json, state_json, now in stored:
            p = apply(load(state_json), parse_event(event_json))
            next_action(p, now)
            p.model_dump_json()
        return len(stored)

    policy = engine.policy

    def new_engine_each_time() -> int:
        for s in steps:
            fresh = cadence.Engine(policy)
            fresh.next_action(fresh.apply(s.before, s.event), s.now)
        return len(steps)

    floor = _floor_batches(engine, steps)
    return {
        "engine step (apply + next_action)": engine_step,
        "  apply alone": apply_alone,
        "  next_action alone": next_action_alone,
        WEBHOOK: webhook,
        COLD: new_engine_each_time,
        "shared Machine, one trigger": shared_trigger,
        "Machine per prospect + one trigger": machine_per_prospect,
        "compiled table lookup (reference)": table_lookup,
        **floor,
    }


#: A whole webhook in a CRM: parse the event's JSON, load the state, step, store the state.
WEBHOOK = "webhook: parse, load, step, store"

#: A step on an ``Engine`` built for it: what a handler that does not keep its engine pays.
COLD = "engine step, a new Engine each time"

#: The parts of a step that this design pays whatever the rules decide (see ``report``).
FLOOR = (
    "  floor: event fingerprint",
    "  floor: new Prospect (copy + build)",
    "  floor: one calendar window",
    "  floor: build the Action",
)


def _floor_batches(engine: cadence.Engine, steps: tuple[Step, ...]) -> dict[str, Callable[[], int]]:
    """The irreducible parts of a step in this design, each timed alone on the same steps: the
    idempotency digest of the event (DESIGN §9), the new frozen ``Prospect`` built from a copy
    of the old one's fields (``apply`` never mutates), one window lookup on the prospect's
    calendar for the next action's channel (warm caches) and the ``Action`` built from its
    fields. Built without validation, as the engine builds them."""
    fingerprint = ev.event_fingerprint
    events = tuple(s.event for s in steps)
    states = tuple(s.before.__dict__ for s in steps)
    decided = [engine.next_action(engine.apply(s.before, s.event), s.now) for s in steps]
    lookups = tuple(
        (engine.calendar(s.before), a.channel or Channel.EMAIL, s.now)
        for s, a in zip(steps, decided, strict=True)
    )
    actions = tuple(dict(a.__dict__) for a in decided)

    def digest() -> int:
        for e in events:
            fingerprint(e)
        return len(events)

    def prospect() -> int:
        for fields in states:
            build(cadence.Prospect, dict(fields))
        return len(states)

    def window() -> int:
        for cal, channel, now in lookups:
            cal.next_window(channel, now)
        return len(lookups)

    def action() -> int:
        for fields in actions:
            build(Action, dict(fields))
        return len(actions)

    return dict(zip(FLOOR, (digest, prospect, window, action), strict=True))


def _q(values: list[float]) -> tuple[float, float, float]:
    q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, med, q3


def report(work: Workload, results: dict[str, list[float]], rounds: int) -> None:
    steps = len(work.steps)
    print(
        f"cadence engine step benchmark: {platform.python_implementation()} "
        f"{platform.python_version()}, {rounds} rounds, {steps} steps from {work.prospects} "
        f"prospects in {len(ZONES)} zones ({', '.join(z[0] for z in ZONES)})"
    )
    table = lifecycle().table
    print(
        f"shared machine: the lifecycle declaration, {len(lifecycle().machine.states)} states, "
        f"{len(table)} (stage, trigger) transitions"
    )
    print("event mix:")
    for label, n in sorted(work.mix.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {label:<38} {n:>6}  {100 * n / steps:5.1f} %")
    calls = sum(n for k, n in work.mix.items() if k.startswith("call_attempted/"))
    vm = work.mix["call_attempted/voicemail"]
    print(f"  (calls reaching voicemail: {100 * vm / max(calls, 1):.1f} %, R18 says about 85 %)")
    print()
    print(f"{'operation':<40} {'median µs/op':>13} {'p25 – p75':>19}")
    for name, values in results.items():
        q1, med, q3 = _q(values)
        print(f"{name:<40} {med:>13.2f} {q1:>9.2f} – {q3:<8.2f}")
    eng = results["engine step (apply + next_action)"]
    shared = results["shared Machine, one trigger"]
    per = results["Machine per prospect + one trigger"]
    r_shared = ratio(eng, shared)
    r_per = ratio(per, eng)
    floor = [sum(parts) for parts in zip(*(results[name] for name in FLOOR), strict=True)]
    print(f"{'  floor: the four together':<40} {_q(floor)[1]:>13.2f}")
    print()
    print("ratios (median of per-round ratios):")
    print(
        f"  engine step / shared-machine trigger   {r_shared:7.2f}x   target <= 1.0  "
        f"{'met' if r_shared <= 1.0 else 'NOT MET'}"
    )
    print(
        f"  machine per prospect / engine step     {r_per:7.2f}x   target >= 30   "
        f"{'met' if r_per >= 30 else 'NOT MET'}"
    )
    print("what bounds them (no step of this design costs less than its floor):")
    print(f"  floor / shared-machine trigger         {ratio(floor, shared):7.2f}x")
    print(f"  machine per prospect / floor           {ratio(per, floor):7.2f}x")
    rules = ratio(eng, floor)
    print(f"  engine step / floor                    {rules:7.2f}x   (one floor, then the rules)")
    hook = results[WEBHOOK]
    print("in a CRM:")
    print(f"  webhook / engine step                  {ratio(hook, eng):7.2f}x")
    print(f"  webhooks per second, one core          {1e6 / _q(hook)[1]:9,.0f}")
    befores = [st.before for st in work.steps]
    sizes = sorted(len(p.model_dump_json()) for p in befores)
    fresh = [len(p.model_dump_json()) for p in befores if not p.seen]
    seen = [(p, len(p.seen)) for p in befores if p.seen]
    per_id = sum(
        len(p.model_dump_json()) - len(p.model_copy(update={"seen": {}}).model_dump_json())
        for p, _ in seen
    ) / max(1, sum(n for _, n in seen))
    print(
        f"  stored state, JSON bytes: {statistics.median(fresh):,.0f} at enrolment, median "
        f"{sizes[len(sizes) // 2]:,} over the steps; each event id adds {per_id:.0f} "
        f"(ids of {len(work.steps[0].event.id or '')} characters)"
    )
    cold = ratio(results[COLD], eng)
    print(f"  step on a new Engine / engine step     {cold:7.2f}x   (keep one per policy)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (a few seconds)")
    args = parser.parse_args(argv)
    if args.quick:
        prospects, max_events, rounds, trigger_ops, machine_ops = 30, 8, 5, 400, 20
    else:
        prospects, max_events, rounds, trigger_ops, machine_ops = 240, 14, 21, 4000, 150
    engine = cadence.Engine(cadence.Policy())
    work = build_workload(engine, prospects, max_events)
    batches = make_batches(engine, work.steps, trigger_ops, machine_ops)
    calendars = {engine.calendar(s.before) for s in work.steps}
    results = measure(batches, rounds, reset=forgetting(lambda: calendars))
    report(work, results, rounds)


if __name__ == "__main__":
    main()
