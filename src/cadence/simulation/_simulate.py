"""``cadence.simulate``: a synthetic population through the real engine (DESIGN §1, user 2)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from cadence._day_parts import everyday_parts
from cadence.businessdays import subdivision_code
from cadence.calendar import check_place, contact_calendar
from cadence.channel import Channel
from cadence.errors import InvalidInputError, NoSlotError
from cadence.events import LATEST, in_range
from cadence.policy import Policy
from cadence.simulation._floor import seats, territories
from cadence.simulation._life import Record
from cadence.simulation._population import PLACES, Place
from cadence.simulation._responder import RATES, Responder
from cadence.simulation._result import SimulationResult, summarise
from cadence.simulation._run import Progress, Settings, chunks, members, run_chunk

__all__ = ["DEFAULT_START", "PROSPECTS_PER_REP", "settings", "simulate"]

#: When a run starts unless told otherwise: a fixed instant, so that a seed alone fixes a run.
DEFAULT_START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
#: New prospects per rep when ``reps`` is not given.
PROSPECTS_PER_REP = 250
_SERIAL_CHUNK = 500  # prospects per progress report in a serial run


_AFTER_END_DAYS = 400
_SEEDS = 2**64


def _fail(field: str, value: Any, fix: str) -> InvalidInputError:
    return InvalidInputError(f"{field}: {value!r} {fix}", field=field, value=value)


def _count(field: str, value: Any, low: int, example: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise _fail(field, value, f"is not a whole number >= {low}; give e.g. {example}")
    return value


def _validated(responder: Responder) -> Responder:
    """``responder`` checked again: ``model_copy(update=...)``, the way the docs tweak
    ``Responder.typical()``, skips validation, so a rate of 7 or NaN, or a misspelt name
    (silently ignored), would reach the run."""
    try:
        return Responder.model_validate(dict(responder.__dict__))
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            fix = f"{name!r} is not a field of Responder; the rates are {', '.join(RATES)}"
        else:
            fix = str(error["msg"]).removeprefix("Value error, ")
        msg = f"responder: {fix}"
        raise InvalidInputError(msg, field="responder", value=responder) from None


def _slot_names(policy: Policy) -> list[str]:
    """The parts of the day a call of ``policy`` may fall in (``Action.slot``), in order."""
    names = [slot.name for slot in policy.call_slots]
    for day in policy.weekday_hours:
        if day.channel == "phone":  # in the everyday parts where they overlap them (R4)
            names.extend(everyday_parts(day.slots, policy.call_slots))
    return list(dict.fromkeys(names))


def _check_slot_effects(responder: Responder, policies: Sequence[Policy]) -> None:
    """Refuse a ``slot_effects`` name that is a part of the day of none of ``policies``: a
    typo (or a slot of another policy) would otherwise have no effect, without a word."""
    known = list(dict.fromkeys(name for p in policies for name in _slot_names(p)))
    for name in responder.slot_effects:
        if name not in known:
            msg = (
                f"responder: slot_effects: {name!r} is not a part of the day of the policy; "
                f"its call_slots are {', '.join(map(repr, known))}: name one of them"
            )
            raise InvalidInputError(msg, field="responder", value=responder)


def _places(places: Any) -> tuple[Place, ...]:
    """The population's mix, refused unless it is Place values whose weights are finite and
    positive: an infinite weight would send every prospect to the last place, and a weight
    that is not a number would fail deep in the run."""
    bad = "must be Place values with positive weights, e.g. (Place('Europe/Paris', 'FR'),)"
    try:
        chosen = tuple(places)
    except TypeError:
        raise _fail("places", places, bad) from None
    if not chosen or not all(isinstance(p, Place) for p in chosen):
        raise _fail("places", places, bad)
    for place in chosen:
        w = place.weight
        number = isinstance(w, int | float) and not isinstance(w, bool)
        if not number or not 0 < w < math.inf:
            msg = (
                f"places: {place!r} has weight {w!r}; give each place a finite weight > 0, "
                "its share of the population, e.g. Place('Europe/Paris', 'FR', None, 3)"
            )
            raise InvalidInputError(msg, field="places", value=place)
    total = sum(p.weight for p in chosen)
    if total == math.inf:
        msg = (
            f"places: the weights add up to {total!r}; give relative weights of a usual size, "
            "e.g. 1 and 3 rather than 1e308 and 3e308"
        )
        raise InvalidInputError(msg, field="places", value=places)
    return chosen


def _check_place(policy: Policy, place: Place) -> None:
    """Refuse a place the engine would refuse at its first prospect, deep in the run: a zone
    that does not exist, a region ``holidays`` does not know, a zone not of its country."""
    codes = (place.country, place.subdivision)
    if not isinstance(place.timezone, str) or not all(
        c is None or isinstance(c, str) for c in codes
    ):
        msg = (
            f"places: {place!r} does not give its zone, country and subdivision as text; "
            "e.g. Place('Europe/Paris', 'FR')"
        )
        raise InvalidInputError(msg, field="places", value=place)
    country = place.country.upper() if place.country else place.country
    subdivision = place.subdivision
    if subdivision:  # (spelt as Engine.enroll spells them)
        subdivision = subdivision_code(country, subdivision)
    try:
        check_place(policy, place.timezone, country, subdivision)
    except InvalidInputError as exc:
        msg = f"places: {place!r}: {exc}"
        raise InvalidInputError(msg, field="places", value=place) from None


def _never_worked(policy: Policy, place: Place, begin: datetime) -> str | None:
    """Why the policy could never call (or email) ``place``'s prospects, or None."""
    country = place.country.upper() if place.country else place.country
    subdivision = subdivision_code(country, place.subdivision) if place.subdivision else None
    cal = contact_calendar(policy, place.timezone, country, subdivision)
    for channel, verb in ((Channel.PHONE, "call"), (Channel.EMAIL, "email")):
        try:
            cal.next_window(channel, begin)
        except NoSlotError:
            rules = cal.rules(channel, cal.local(begin).date())
            law = "; ".join(f"{r.key()}: {r.hours()}" for r in rules)
            where = "-".join(c for c in (country, subdivision) if c)
            ours = cal._describe(channel)  # (the policy's hours, as NoSlotError says them)
            why = f"the law's {law}" if law else "the days its holidays leave"
            return f"{place.timezone} ({where}): no {verb}, ever (the policy's {ours}; {why})"
    return None


def _check_reachable(
    policy: Policy, chosen: Sequence[Place], begin: datetime, default: bool
) -> None:
    """Refuse the places whose law the policy's hours never meet (a 08:00-09:00 call block,
    and Canada's 09:00-21:30 or France's 10:00-13:00, 14:00-20:00): the first such prospect's
    ``next_action`` raised ``NoSlotError`` deep in the run, naming one zone the user never
    chose. Left out silently, the population would depend on the policy, and ``compare``
    would no longer run two policies on the same prospects."""
    never = [(place, why) for place in chosen if (why := _never_worked(policy, place, begin))]
    if not never:
        return
    names = ", ".join(repr((p.country, p.subdivision)) for p, _ in never)
    how = (
        "the default mix (cadence.simulation.PLACES) holds them: give places= without them, "
        f"e.g. places=[p for p in cadence.simulation.PLACES if (p.country, p.subdivision) "
        f"not in {{{names}}}]"
        if default
        else "leave them out of places="
    )
    msg = (
        f"places: the policy's hours never meet the law (or the calendar) of {len(never)} of "
        "the places simulated, so their prospects could never be contacted: "
        f"{'; '.join(why for _, why in never)}; {how}, or widen call_slots (or the weekmask) "
        "if you work there"
    )
    raise NoSlotError(msg, field="places", value=tuple(p for p, _ in never))


def settings(
    policy: Policy | None,
    *,
    prospects: int,
    days: int,
    seed: int,
    responder: Responder | None = None,
    capacity: int | None = None,
    start: datetime | None = None,
    reps: int | None = None,
    enrol_days: int = 5,
    places: Sequence[Place] | None = None,
    check: bool = True,
    compared: Sequence[Policy] = (),
) -> Settings:
    """Validated settings of a run (see :func:`simulate`). ``compared``: the other policies
    of a comparison, whose parts of the day the responder's ``slot_effects`` may name too."""
    if policy is None:
        policy = Policy()
    if not isinstance(policy, Policy):
        raise _fail("policy", policy, "is not a cadence.Policy; build one with cadence.Policy(...)")
    if responder is None:
        responder = Responder.typical()
    if not isinstance(responder, Responder):
        raise _fail(
            "responder",
            responder,
            "is not a Responder; build one with cadence.simulation.Responder(answer_rate=...)",
        )
    responder = _validated(responder)
    _check_slot_effects(responder, (policy, *compared))
    _count("prospects", prospects, 1, "prospects=1000")
    _count("days", days, 1, "days=180")
    _count("seed", seed, 0, "seed=42")
    if seed >= _SEEDS:  # (the draws keep a seed's low 64 bits: 2**64 would be seed 0 again)
        raise _fail("seed", seed, "is not below 2**64; give e.g. seed=42")
    _count("enrol_days", enrol_days, 0, "enrol_days=5")
    if capacity is not None:
        _count("capacity", capacity, 1, "capacity=40 (touches per rep and channel per day)")
    if reps is None:
        reps = max(1, -(-prospects // PROSPECTS_PER_REP))
    _count("reps", reps, 1, "reps=4")
    if start is None:
        start = DEFAULT_START
    if not isinstance(start, datetime) or start.utcoffset() is None:
        raise _fail(
            "start", start, "is not an aware datetime; give e.g. datetime(2026, 3, 2, tzinfo=UTC)"
        )
    # The run and what its prospects arrange a while after it (meetings, callbacks) must lie
    # in the instants the engine plans in (cadence.events.EARLIEST to LATEST).
    begin = in_range(start)
    if begin is None:
        raise _fail("start", start, "is outside the years cadence plans in (1900 to 8999)")
    room = (LATEST - begin).days
    if days + _AFTER_END_DAYS > room:
        raise _fail(
            "days",
            days,
            f"days from {begin.date().isoformat()} run too near the year 9000, where cadence "
            "stops planning; give fewer days or an earlier start",
        )
    if days + enrol_days + _AFTER_END_DAYS > room:  # the enrolment, not the run, is too long
        raise _fail(
            "enrol_days",
            enrol_days,
            f"days of enrolment from {begin.date().isoformat()} run too near the year 9000, "
            f"where cadence stops planning; give fewer, e.g. enrol_days={min(days, 5)}",
        )
    chosen = PLACES if places is None else _places(places)
    for place in chosen:
        _check_place(policy, place)
    _check_reachable(policy, chosen, begin, places is None)
    return Settings(
        policy=policy,
        responder=responder,
        seed=seed,
        prospects=prospects,
        days=days,
        start=begin,
        reps=reps,
        enrol_days=enrol_days,
        places=chosen,
        capacity=capacity,
        check=check,
    )


def simulate(
    policy: Policy | None = None,
    *,
    prospects: int,
    days: int,
    seed: int,
    responder: Responder | None = None,
    capacity: int | None = None,
    workers: int = 1,
    start: datetime | None = None,
    reps: int | None = None,
    enrol_days: int = 5,
    places: Sequence[Place] | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """Run ``prospects`` synthetic prospects through the real engine for ``days`` days.

    The population (zones and countries from :data:`cadence.simulation.PLACES`, enrolments
    spread over the first ``enrol_days`` days) and every stroke of luck are fixed by ``seed``.
    Each prospect's actions are carried out at the time the engine asks for, and the
    ``responder`` (default :meth:`Responder.typical`) decides what comes of them. With
    ``capacity`` (touches per rep and channel per day), the batch planner plans each rep's day
    and touches beyond capacity wait. ``workers`` > 1 splits the run across processes, with the
    same result. ``progress`` is called with the number of prospects done so far.

    Every engine step is checked against the rules (``metrics.violations`` must be 0).

    >>> import cadence
    >>> result = cadence.simulate(cadence.Policy(), prospects=20, days=30, seed=1)
    >>> result.metrics.violations, result.metrics.prospects
    (0, 20)
    """
    s = settings(
        policy,
        prospects=prospects,
        days=days,
        seed=seed,
        responder=responder,
        capacity=capacity,
        start=start,
        reps=reps,
        enrol_days=enrol_days,
        places=places,
    )
    _count("workers", workers, 1, "workers=2")
    check_progress(progress)
    return result_of(s, run(s, workers, progress))


def check_progress(progress: Any) -> None:
    """A progress callback is called with a count; anything else would fail mid-run."""
    if progress is not None and not callable(progress):
        raise _fail("progress", progress, "is not callable; give a function of the count done")


def run(s: Settings, workers: int, progress: Progress | None) -> list[Record]:
    """Every prospect's record, in index order."""
    if workers > 1:
        from cadence.simulation._parallel import run_parallel  # processes only when asked

        return run_parallel(s, workers, progress)
    records: list[Record] = []
    pieces = chunks(s, 1) if s.capacity is not None else chunks(s, -(-s.prospects // _SERIAL_CHUNK))
    for chunk in pieces:
        records.extend(run_chunk(s, chunk))
        if progress is not None:
            progress(len(records))
    if s.capacity is not None:
        records.sort(key=lambda r: r.number)
    return records


def effective_reps(s: Settings) -> int:
    """Reps in the run: with capacity, at least one per territory."""
    if s.capacity is None:
        return s.reps
    return sum(seats(territories(members(s, 0, s.prospects), s.reps), s.reps).values())


def result_of(s: Settings, records: list[Record]) -> SimulationResult:
    """The result of a run from its records."""
    reps = effective_reps(s)
    metrics, series = summarise(records, policy=s.policy, start=s.start, days=s.days, reps=reps)
    result = SimulationResult(
        policy=s.policy,
        responder=s.responder,
        seed=s.seed,
        prospects=s.prospects,
        days=s.days,
        reps=reps,
        start=s.start,
        capacity=s.capacity,
        metrics=metrics,
        series=series,
        violation_examples=tuple(e for r in records for e in r.examples)[:10],
        events_applied=sum(r.events for r in records),
        actions_asked=sum(r.queries for r in records),
    )
    result._records = tuple(records)
    return result
