"""Policy simulation: the responder model, the simulator against closed forms, determinism,
common random numbers, parallel runs, rep capacity and the rule checks (DESIGN §1, user 2)."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import cadence
from cadence import ActionKind, Channel, Engine, Policy
from cadence import events as ev
from cadence.events import CallAttempted, EmailSent
from cadence.policy import TimeSlot
from cadence.simulation import PLACES, Place, Responder, SimulationResult, compare, simulate
from cadence.simulation._checks import step_problems
from cadence.simulation._life import STAGES
from cadence.simulation._luck import ANSWER, BOOK, DELAY, REGION, REPLY, WIN, Luck
from cadence.simulation._responder import RATES
from cadence.simulation._simulate import DEFAULT_START
from cadence.testing import policies

SRC = Path(cadence.__file__).resolve().parent.parent


# -- the responder model ----------------------------------------------------------------------


def test_a_probability_not_given_is_zero() -> None:
    r = Responder(answer_rate=0.3)
    assert r.answer_rate == 0.3
    assert all(getattr(r, name) == 0.0 for name in RATES if name != "answer_rate")


def test_typical_responder_answers_about_15_percent_of_calls() -> None:
    """R18: most calls (about 85 %) reach voicemail."""
    assert Responder.typical().answer_rate == pytest.approx(0.15)


@pytest.mark.parametrize("name", RATES)
@pytest.mark.parametrize("bad", [-0.1, 1.01, float("nan"), "often", True, None])
def test_every_rate_must_be_a_probability(name: str, bad: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Responder(**{name: bad})
    message = info.value.errors()[0]["msg"]
    assert f"{name}: {bad!r} is not a probability" in message
    assert "between 0 and 1" in message


@pytest.mark.parametrize(
    "bad",
    [{"morning": -1.0}, {"morning": "x"}, {3: 1.0}, [("a", 1.0)], {"morning": math.inf}],
)
def test_slot_effects_must_be_multipliers(bad: Any) -> None:
    with pytest.raises(ValueError, match="slot_effects"):
        Responder(slot_effects=bad)


def test_a_zero_multiplier_means_never_answered_then() -> None:
    """0 is a multiplier like any other: nobody picks up in the mornings."""
    r = Responder(answer_rate=0.5, slot_effects={"morning": 0, "afternoon": 1})
    assert r.slot_effects == {"afternoon": 1.0, "morning": 0.0}
    assert r.answer_probability("morning", 0) == 0
    assert r.answer_probability("afternoon", 0) == pytest.approx(0.5)


def test_time_of_day_and_attempt_effects() -> None:
    r = Responder(answer_rate=0.2, attempt_effect=0.5, slot_effects={"morning": 2.0})
    assert r.answer_probability("afternoon", 0) == pytest.approx(0.2)
    assert r.answer_probability("morning", 0) == pytest.approx(0.4)
    assert r.answer_probability("morning", 2) == pytest.approx(0.1)
    assert Responder(answer_rate=0.8, slot_effects={"morning": 2.0}).answer_probability(
        "morning", 0
    ) == pytest.approx(1.0)


def test_attempt_effect_lowers_the_connect_rate() -> None:
    flat = simulate(prospects=300, days=60, seed=5, responder=Responder(answer_rate=0.3))
    tiring = simulate(
        prospects=300, days=60, seed=5, responder=Responder(answer_rate=0.3, attempt_effect=0.3)
    )
    assert tiring.metrics.connect_rate < flat.metrics.connect_rate


# -- luck ---------------------------------------------------------------------------------------


def test_luck_is_a_pure_function_of_seed_prospect_purpose_and_count() -> None:
    a, b = Luck(11, 4), Luck(11, 4)
    first = [a.draw(ANSWER) for _ in range(5)]
    for _ in range(7):
        b.draw(REPLY)  # another purpose's draws do not shift this one
    assert [b.draw(ANSWER) for _ in range(5)] == first
    assert [Luck(12, 4).draw(ANSWER) for _ in range(5)] != first
    assert [Luck(11, 5).draw(ANSWER) for _ in range(5)] != first


def test_luck_streams_are_pinned() -> None:
    """The numbers themselves, as first published: a saved seed must replay the same run after
    any rewrite of the hash (a faster one included), and the seed is reduced mod 2**64."""
    b = Luck(2026, 99_999)
    assert [b.draw(DELAY) for _ in range(2)] == [0.5836967223973718, 0.824341726859099]
    assert [b.below(DELAY, 330) for _ in range(3)] == [41, 162, 1]
    assert [b.chance(BOOK, 0.5) for _ in range(6)] == [False, False, True, False, False, False]
    assert Luck(0, 0).draw(ANSWER) == 0.3813770615274358
    assert Luck(2**64 + 1, 3).draw(REGION) == Luck(1, 3).draw(REGION) == 0.46981401944973067
    far = Luck(5, 5)
    for _ in range(999):
        far.draw(WIN)
    assert far.draw(WIN) == 0.5907757654580644


def test_a_chance_is_the_next_draw_under_the_probability() -> None:
    """``chance`` computes its draw inline, for speed: it must be the draw itself, to the last
    bit, or a saved seed replays differently and the rates drift."""
    drawn, tossed = Luck(9, 17), Luck(9, 17)
    for i in range(5_000):
        u = drawn.draw(ANSWER)
        q = (i % 97) / 96
        assert tossed.chance(ANSWER, q) == (u < q)
        v = Luck(9, 17 + i).draw(ANSWER)
        near = v + (-1) ** i * 2.0**-40  # a probability a hair above or below the draw
        assert Luck(9, 17 + i).chance(ANSWER, near) == (v < near)


def test_luck_is_uniform_enough() -> None:
    """Ten equal bins over 20,000 draws from many prospects: a chi-square far below the 0.1 %
    critical value (27.9 for 9 degrees of freedom)."""
    draws = [Luck(3, i).draw(ANSWER) for i in range(10_000)]
    one = Luck(3, 7)
    draws += [one.draw(REPLY) for _ in range(10_000)]
    counts = [0] * 10
    for u in draws:
        assert 0.0 <= u < 1.0
        counts[int(u * 10)] += 1
    expected = len(draws) / 10
    chi2 = sum((c - expected) ** 2 / expected for c in counts)
    assert chi2 < 27.9, counts


# -- closed forms ---------------------------------------------------------------------------


def phone_only(attempts: int) -> Policy:
    """A ladder of plain calls (no voicemail email, no switch to email), then the opt-out offer
    (also a call), then the breakup email."""
    return Policy(voicemail_email=False, switch_channel_after=50, opt_out_offer_after=attempts - 1)


def phone_attempts(policy: Policy) -> int:
    """k, counted by walking the engine with a prospect who never answers: every phone touch
    before the ladder ends (R3-R10)."""
    engine = Engine(policy)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    p = engine.enroll("k", timezone="America/Chicago", at=now, country="US", subdivision="IL")
    calls = 0
    for _ in range(100):
        act = engine.next_action(p, now)
        if act.kind in (ActionKind.NONE, ActionKind.WAIT):
            break
        now = act.earliest_utc
        if act.channel is Channel.PHONE:
            calls += 1
            p = engine.apply(p, CallAttempted(at=now, outcome="voicemail"))
        else:
            p = engine.apply(p, EmailSent(at=now))
    return calls


@pytest.mark.parametrize(("p", "k"), [(0.1, 3), (0.25, 4), (0.4, 5)])
def test_connect_rate_matches_the_closed_form(p: float, k: int) -> None:
    """With only a call-answer probability ``p`` and ``k`` phone attempts in the ladder, a
    prospect connects unless all ``k`` calls go unanswered: 1 - (1-p)^k, within 4 standard
    errors. Among those who connect, the number of calls up to the answered one is a geometric
    variable truncated at ``k``: its mean and variance are summed exactly."""
    policy = phone_only(k)
    assert phone_attempts(policy) == k
    n = 1500
    result = simulate(policy, prospects=n, days=75, seed=k, responder=Responder(answer_rate=p))
    assert result.metrics.violations == 0
    q = 1 - (1 - p) ** k
    se = math.sqrt(q * (1 - q) / n)
    assert abs(result.metrics.connect_rate - q) <= 4 * se, (result.metrics.connect_rate, q, se)

    pmf = [p * (1 - p) ** (i - 1) / q for i in range(1, k + 1)]
    mean = sum(i * w for i, w in zip(range(1, k + 1), pmf, strict=True))
    var = sum((i - mean) ** 2 * w for i, w in zip(range(1, k + 1), pmf, strict=True))
    attempts = [r.touches_to_connect for r in result.records if r.touches_to_connect is not None]
    assert len(attempts) == round(result.metrics.connect_rate * n)
    se_mean = math.sqrt(var / len(attempts))
    observed = sum(attempts) / len(attempts)
    assert abs(observed - mean) <= 4 * se_mean, (observed, mean, se_mean)
    assert max(attempts) <= k


def test_the_attempt_effect_matches_the_closed_form() -> None:
    """With ``attempt_effect`` e the i-th call (from 0) is answered with probability p e^i, so
    a prospect connects with probability 1 - prod(1 - p e^i) over the k calls, and connects on
    call i+1 with probability p e^i prod_(j<i)(1 - p e^j): each within 4 standard errors."""
    p, e, k, n = 0.5, 0.5, 4, 2000
    policy = phone_only(k)
    result = simulate(
        policy, prospects=n, days=75, seed=8, responder=Responder(answer_rate=p, attempt_effect=e)
    )
    assert result.metrics.violations == 0
    on: list[float] = []  # the chance of connecting on the (i+1)-th call
    missed = 1.0
    for i in range(k):
        on.append(missed * p * e**i)
        missed *= 1 - p * e**i
    attempts = [r.touches_to_connect for r in result.records]
    for i, q in enumerate([1 - missed, *on]):
        seen = sum(1 for a in attempts if a is not None) if i == 0 else attempts.count(i)
        se = math.sqrt(q * (1 - q) / n)
        assert abs(seen / n - q) <= 4 * se, (i, seen / n, q, se)


def test_slot_effects_reach_the_simulated_calls() -> None:
    """Every call is answered, except where a slot's multiplier is 0. All three slots at 0:
    nobody connects. Mornings alone at 0: everyone connects, those first called in a morning
    on the next call, in another part of the day (R4), after the voicemail's email (R6)."""

    def connects(**effects: float) -> Counter[int | None]:
        r = Responder(answer_rate=1.0, slot_effects=effects)
        result = simulate(prospects=300, days=60, seed=3, responder=r)
        assert result.metrics.violations == 0
        return Counter(record.touches_to_connect for record in result.records)

    assert connects(morning=0, midday=0, afternoon=0) == {None: 300}
    mornings = connects(morning=0)
    assert set(mornings) == {1, 3}
    assert mornings[3] > 50
    assert connects() == {1: 300}


def test_bad_contact_data_matches_the_closed_form() -> None:
    """Wrong numbers: a prospect whose number is wrong (``bad_phone_rate`` b) is never reached
    by phone, so with only calls answering, the connect rate is (1-b)(1-(1-p)^k), within 4
    standard errors. Bad addresses on top (every email bounces) leave exactly the wrong-number
    prospects unreachable at the end, within 4 standard errors of b. Whoever connected still
    connects, at the same moment (the same luck; emails get no reply here); and since the
    breakup email bounces, the breakup is made by phone (R10), one call more: the connect rate
    is then (1-b)(1-(1-p)^(k+1))."""
    p, k, b, n = 0.25, 4, 0.3, 2000
    policy = phone_only(k)
    wrong = simulate(
        policy, prospects=n, days=75, seed=3, responder=Responder(answer_rate=p, bad_phone_rate=b)
    )
    assert wrong.metrics.violations == 0
    q = (1 - b) * (1 - (1 - p) ** k)
    se = math.sqrt(q * (1 - q) / n)
    assert abs(wrong.metrics.connect_rate - q) <= 4 * se, (wrong.metrics.connect_rate, q)
    assert wrong.metrics.unreachable_rate == 0  # email still works
    both = simulate(
        policy,
        prospects=n,
        days=75,
        seed=3,
        responder=Responder(answer_rate=p, bad_phone_rate=b, bad_email_rate=1.0),
    )
    assert both.metrics.violations == 0
    pairs = list(zip(wrong.records, both.records, strict=True))
    assert all(x.first_connect == w.first_connect for w, x in pairs if w.first_connect is not None)
    q = (1 - b) * (1 - (1 - p) ** (k + 1))
    se = math.sqrt(q * (1 - q) / n)
    assert abs(both.metrics.connect_rate - q) <= 4 * se, (both.metrics.connect_rate, q)
    se_b = math.sqrt(b * (1 - b) / n)
    assert abs(both.metrics.unreachable_rate - b) <= 4 * se_b, both.metrics.unreachable_rate
    assert both.metrics.touches < wrong.metrics.touches  # no emails after a bounce


def test_a_breakup_by_phone_is_returned_at_the_breakup_rate() -> None:
    """R10: ``breakup_reply_rate`` is the chance the breakup message is answered. When every
    address bounces, the breakup is a call; its voicemail was returned at ``callback_rate``
    like any other, and ``breakup_reply_rate`` did nothing. With only the breakup answered
    (half the time), nobody connected; and with only voicemails returned (c), the connect
    rate was that of k+1 returned voicemails, not of the k the ladder's calls leave. Now the
    breakup's voicemail is returned at its own rate: r, and 1-(1-c)^k, within 4 standard
    errors."""
    k, n, r, c = 4, 2000, 0.5, 0.2
    policy = phone_only(k)
    only_breakup = simulate(
        policy,
        prospects=n,
        days=75,
        seed=5,
        responder=Responder(breakup_reply_rate=r, bad_email_rate=1.0),
    )
    m = only_breakup.metrics
    assert m.violations == 0
    assert abs(m.connect_rate - r) <= 4 * math.sqrt(r * (1 - r) / n), m.connect_rate
    only_callbacks = simulate(
        policy,
        prospects=n,
        days=75,
        seed=5,
        responder=Responder(callback_rate=c, bad_email_rate=1.0),
    )
    q = 1 - (1 - c) ** k
    got = only_callbacks.metrics.connect_rate
    assert abs(got - q) <= 4 * math.sqrt(q * (1 - q) / n), (got, q)


def test_new_details_bring_a_prospect_back() -> None:
    """Every number wrong, and the rep finds a working one a day to three later: the calls
    resume, and the connect rate is that of k-1 calls (the ladder's attempt made while the
    number was missing went by email, R16, and emails get no reply here). Without new
    details nobody connects, and everyone ends up with email alone."""
    p, k, n = 0.25, 4, 2000
    policy = phone_only(k)
    found = simulate(
        policy,
        prospects=n,
        days=75,
        seed=4,
        responder=Responder(answer_rate=p, bad_phone_rate=1.0, new_details_rate=1.0),
    )
    assert found.metrics.violations == 0
    q = 1 - (1 - p) ** (k - 1)
    se = math.sqrt(q * (1 - q) / n)
    assert abs(found.metrics.connect_rate - q) <= 4 * se, (found.metrics.connect_rate, q)
    lost = simulate(
        policy,
        prospects=n,
        days=75,
        seed=4,
        responder=Responder(answer_rate=p, bad_phone_rate=1.0),
    )
    assert (lost.metrics.connect_rate, lost.metrics.unreachable_rate) == (0, 0)


def test_a_new_address_brings_the_emails_back() -> None:
    """Every address bounces and calls are never answered: only a reply to an email that
    reaches them can start a conversation. A new address found after the bounce
    (``new_details_rate``) lets the emails through, and replies come; without it, none."""
    bouncing = {"reply_rate": 0.5, "bad_email_rate": 1.0}
    found = simulate(
        prospects=300, days=60, seed=8, responder=Responder(new_details_rate=1.0, **bouncing)
    ).metrics
    lost = simulate(prospects=300, days=60, seed=8, responder=Responder(**bouncing)).metrics
    assert found.violations == lost.violations == 0
    assert found.connect_rate > 0.3, found.connect_rate
    assert lost.connect_rate == 0


def test_an_opt_out_offer_taken_on_the_phone_books_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A prospect who answers the opt-out call (R8) and takes the offer opts out there and
    then: the conversation books no meeting and agrees no time (the simulator once booked a
    meeting in the call and opted them out an hour later). One who does not take it talks as
    in any call, and with ``book_rate=1`` books."""
    from cadence.simulation._life import Life

    touch, later = Life.touch, Life._later
    seen: list[tuple[bool, bool, bool]] = []
    came: list[str] = []

    def noting(self: Life, event: Any) -> None:
        came.append(type(event).__name__)
        later(self, event)

    def watching(self: Life, act: cadence.Action, at: datetime) -> None:
        came.clear()
        talks = len(self.connects)
        touch(self, act, at)
        if act.kind is ActionKind.OPT_OUT_OFFER and act.channel is Channel.PHONE:
            seen.append((len(self.connects) > talks, "OptedOut" in came, "MeetingBooked" in came))

    monkeypatch.setattr(Life, "touch", watching)
    monkeypatch.setattr(Life, "_later", noting)
    torn = Responder(answer_rate=0.3, opt_out_rate=0.5, book_rate=1.0)
    assert simulate(prospects=300, days=60, seed=2, responder=torn).metrics.violations == 0
    live = [(out, booked) for connected, out, booked in seen if connected]
    assert (True, False) in live  # taken on the phone: out, and nothing else
    assert (False, True) in live  # not taken: a conversation like any other
    assert (True, True) not in live, live
    assert any(out for connected, out, _ in seen if not connected)  # after a voicemail


def test_a_reply_asking_for_times_books_the_times_proposed() -> None:
    """A reply is positive (they ask for times) with ``book_rate``; the times the engine then
    proposes are taken for sure, not on a second coin. Every email is answered here, so by
    day 10 most prospects have asked for times at least once and booked (seed 3: 88 %; with
    the second coin about half did)."""
    keen = Responder(reply_rate=1.0, book_rate=0.5)
    result = simulate(prospects=400, days=10, seed=3, responder=keen)
    assert result.metrics.violations == 0
    booked = sum(1 for r in result.records if r.meetings_booked) / len(result.records)
    assert booked > 0.75, booked


def test_an_unsubscribe_is_an_opt_out_not_a_conversation() -> None:
    """Every email is answered by an unsubscribe: nobody connects. Opt-outs of everything
    (the default): each prospect opts out after the email that follows the first voicemail,
    so two touches each. Scoped by channel: nobody opts out of everything, and the calls go on
    (R13)."""
    unsubscribes = Responder(unsubscribe_rate=1.0)
    everything = simulate(prospects=200, days=60, seed=6, responder=unsubscribes).metrics
    assert (everything.connect_rate, everything.opt_out_rate, everything.touches) == (0, 1, 400)
    scoped = simulate(
        Policy(opt_out_scope="channel"), prospects=200, days=60, seed=6, responder=unsubscribes
    ).metrics
    assert (scoped.connect_rate, scoped.opt_out_rate, scoped.violations) == (0, 0, 0)
    assert scoped.touches > 2 * everything.touches


def test_do_not_call_me_is_an_opt_out_of_calls() -> None:
    """Every call is answered, and every answer is "do not call me again". Opt-outs of
    everything (the default): one conversation each, then nothing. Scoped by channel: the
    first call is the only one, and the emails go on (R13), with no rule broken, to the breakup
    and no further: "do not call me" gave no permission to drip (R12). (Had it, every one of
    them would be in the drip by day 90.)"""
    never_again = Responder(answer_rate=1.0, do_not_call_rate=1.0)
    everything = simulate(prospects=200, days=60, seed=7, responder=never_again).metrics
    assert (everything.connect_rate, everything.opt_out_rate, everything.touches) == (1, 1, 200)
    scoped = simulate(
        Policy(opt_out_scope="channel"), prospects=200, days=90, seed=7, responder=never_again
    )
    m = scoped.metrics
    assert (m.connect_rate, m.opt_out_rate, m.violations) == (1, 0, 0)
    assert m.touches > 2 * everything.touches
    assert {STAGES[r.stages[-1][1]] for r in scoped.records} == {cadence.Stage.DROPPED}


def test_an_opt_out_offer_by_email_is_taken_at_the_responders_rate() -> None:
    """Every number is wrong, so the cadence goes on by email (R7) and the opt-out is offered
    in writing (R8). A prospect who always takes the offer opts out after five touches; one
    who never does is dropped after six (the breakup, R10)."""
    wrong = {"bad_phone_rate": 1.0}
    taken = simulate(prospects=100, days=60, seed=1, responder=Responder(**wrong, opt_out_rate=1))
    assert (taken.metrics.opt_out_rate, taken.metrics.dropped_rate) == (1, 0)
    assert taken.metrics.touches == 500
    ignored = simulate(prospects=100, days=60, seed=1, responder=Responder(**wrong))
    assert (ignored.metrics.opt_out_rate, ignored.metrics.dropped_rate) == (0, 1)
    assert ignored.metrics.touches == 600


def test_a_missed_meeting_is_followed_up_and_booked_again() -> None:
    """Every reply asks for a meeting. A prospect who always misses it holds none, and the
    follow-up of each no-show books another (so more bookings); one who never misses holds
    nearly every meeting booked (the rest fall after the run)."""

    def run(no_show_rate: float) -> cadence.simulation.Metrics:
        r = Responder(reply_rate=1.0, book_rate=1.0, no_show_rate=no_show_rate)
        return simulate(prospects=100, days=30, seed=2, responder=r).metrics

    missed, kept = run(1.0), run(0.0)
    assert (missed.violations, kept.violations) == (0, 0)
    assert missed.meetings_held == 0
    # (1.1: after a no-show whose recovery call reaches voicemail, one email offers the new
    # times, where a note about the voicemail and an offer the next morning drew two replies.)
    assert missed.meetings_booked > 1.1 * kept.meetings_booked
    assert kept.meetings_held > 0.8 * kept.meetings_booked


def test_every_email_meets_the_out_of_office_reply_at_its_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ``out_of_office_rate=1`` every email sent is answered by an auto-reply, and no
    rule is broken while the prospect is away (R17); at 0 there is none."""
    from cadence.simulation._life import Life

    applied: Counter[str] = Counter()
    apply = Life.apply

    def counting(self: Life, event: ev.Event) -> None:
        applied[event.type] += 1
        apply(self, event)

    monkeypatch.setattr(Life, "apply", counting)
    away = simulate(prospects=200, days=60, seed=4, responder=Responder(out_of_office_rate=1))
    assert away.metrics.violations == 0
    assert applied["out_of_office"] == applied["email_sent"] > 0
    applied.clear()
    simulate(prospects=200, days=60, seed=4, responder=Responder())
    assert applied["email_sent"] > 0
    assert applied["out_of_office"] == 0


def test_a_meeting_the_rep_cancels_is_repaired_by_phone_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ``rep_cancel_rate=1`` the rep cancels every meeting booked, and the next touch is
    the engine's repair: a call at once (R14), which, answered, books the meeting again under
    its id (once: the invitation sent beside the call books nothing more), for the rep to
    cancel again; none is ever held. At 0 the rep cancels nothing."""
    from cadence.simulation._life import Life

    logs: dict[str, list[tuple[str, Any]]] = {}
    rebooking: dict[str, str] = {}
    apply, touch = Life.apply, Life.touch

    def applying(self: Life, event: ev.Event) -> None:
        if isinstance(event, ev.MeetingCancelled):
            logs.setdefault(self.p.id, []).append(("cancelled", event.by))
            rebooking[self.p.id] = event.meeting_id
        elif isinstance(event, ev.MeetingBooked) and self.p.id in rebooking:
            assert event.meeting_id == rebooking[self.p.id]  # booked again under its id
        apply(self, event)

    def touching(self: Life, act: cadence.Action, at: datetime) -> None:
        logs.setdefault(self.p.id, []).append(("touch", (act.kind, "R14" in act.rules)))
        touch(self, act, at)

    monkeypatch.setattr(Life, "apply", applying)
    monkeypatch.setattr(Life, "touch", touching)
    r = Responder(answer_rate=1.0, book_rate=1.0, rep_cancel_rate=1.0)
    m = simulate(prospects=50, days=30, seed=2, responder=r).metrics
    assert m.violations == 0
    assert m.meetings_held == 0
    after = [
        (log[i][1], log[i + 1] if i + 1 < len(log) else None)
        for log in logs.values()
        for i, (what, _) in enumerate(log)
        if what == "cancelled"
    ]
    assert len(after) > m.meetings_booked / 2 > 25  # most booked again, and cancelled again
    assert {by for by, _ in after} == {"rep"}
    assert {repair for _, repair in after} <= {("touch", (ActionKind.CALL, True)), None}
    logs.clear()
    rebooking.clear()
    r = r.model_copy(update={"rep_cancel_rate": 0})
    kept = simulate(prospects=50, days=30, seed=2, responder=r).metrics
    assert not any(("cancelled", "rep") in log for log in logs.values())
    assert kept.meetings_held > 25


@pytest.mark.parametrize("who", ["prospect", "rep"])
def test_a_prospect_with_a_meeting_ahead_books_no_other(
    monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    """Every meeting is cancelled (by the prospect, R15, or by the rep, R14), and the repair
    (a call and new times by email) runs beside replies and conversations that may ask for a
    meeting. A prospect books one meeting at a time: the repair's call and its email decide
    once, a reply asks for no times while a meeting is ahead, and of two offers in flight the
    second books nothing. (The simulator once booked a second meeting after about one
    cancellation in five.)"""
    from cadence.simulation._life import Life

    apply = Life.apply
    booked: list[int] = []

    def applying(self: Life, event: ev.Event) -> None:
        if isinstance(event, ev.MeetingBooked):
            ahead = [
                m.id
                for m in self.p.meetings
                if m.status == "booked" and m.starts_at > event.at and m.id != event.meeting_id
            ]
            assert not ahead, (event, ahead)
            booked.append(1)
        apply(self, event)

    monkeypatch.setattr(Life, "apply", applying)
    rates = {"cancel_rate": 1.0} if who == "prospect" else {"rep_cancel_rate": 1.0}
    r = Responder(answer_rate=0.5, callback_rate=0.5, reply_rate=0.5, book_rate=0.6, **rates)
    assert simulate(prospects=300, days=60, seed=2, responder=r).metrics.violations == 0
    assert len(booked) > 1_000


def _watch_offers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str | None]]]:
    """Each touch that offers new times for a meeting the prospect had (R14, R15), with the
    meetings booked as its outcome; a touch is also checked to book at most one."""
    from cadence.simulation._life import Life

    touch, booking = Life.touch, Life._booking
    made: list[str | None] = []
    offered: list[tuple[str, list[str | None]]] = []

    def counting_booking(self: Life, at: datetime, meeting_id: str | None) -> Any:
        made.append(meeting_id)
        return booking(self, at, meeting_id)

    def counting_touch(self: Life, act: cadence.Action, at: datetime) -> None:
        made.clear()
        touch(self, act, at)
        kinds = {act.kind, *act.also}
        assert len(made) <= 1, (act, made)
        if ActionKind.PROPOSE_TIMES in kinds and act.detail in {m.id for m in self.p.meetings}:
            offered.append((act.detail, list(made)))

    monkeypatch.setattr(Life, "touch", counting_touch)
    monkeypatch.setattr(Life, "_booking", counting_booking)
    return offered


def test_a_touch_that_offers_times_books_at_most_one_meeting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Times offered on a call (after a cancelled meeting, R14, R15) lead to one decision to
    book, taken in the conversation when the call connects or is returned, and on hearing the
    voicemail otherwise; the cancelled meeting is booked again under its own id. (The
    simulator once let a connected call book a new meeting *and* accept the offered times:
    two meetings from one touch.)"""
    offered = _watch_offers(monkeypatch)
    # Prospects who cancel (R15) are offered new times by phone: half the calls connect, half
    # the voicemails are returned.
    keen = Responder(answer_rate=0.5, callback_rate=0.5, book_rate=0.5, cancel_rate=0.6)
    m = simulate(prospects=150, days=90, seed=5, responder=keen).metrics
    assert m.violations == 0
    rebooked = [(missed, made) for missed, made in offered if made]
    assert len(rebooked) > 100, offered  # the offers were made, and many were taken
    assert all(made == [missed] for missed, made in rebooked), rebooked


def test_times_offered_in_writing_are_taken_at_the_booking_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every number is wrong, so the times offered after each cancellation (R15) go by email,
    and a prospect who books half the time takes about half of them: a cancellation used up
    the wish for a meeting that a positive reply had given."""
    offered = _watch_offers(monkeypatch)
    r = Responder(bad_phone_rate=1.0, reply_rate=1.0, book_rate=0.5, cancel_rate=1.0)
    assert simulate(prospects=200, days=90, seed=5, responder=r).metrics.violations == 0
    taken = sum(1 for _, made in offered if made)
    assert len(offered) > 1_000
    assert 0.4 < taken / len(offered) < 0.7, (taken, len(offered))


def test_typical_contact_data_is_clean() -> None:
    """``Responder.typical()`` has no bad addresses or numbers, no unsubscribes and no "do not
    call me": its figures stay comparable, and a study of list quality sets its own rates."""
    r = Responder.typical()
    data = ("bad_email_rate", "bad_phone_rate", "new_details_rate")
    refusals = ("unsubscribe_rate", "do_not_call_rate")
    assert [getattr(r, name) for name in (*data, *refusals)] == [0, 0, 0, 0, 0]


def test_an_escalation_to_someone_else_is_never_the_prospects_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R9 (seed 002): the receptionist, and the superior a manager calls, are not the prospect.
    Nothing comes of their touch that only the prospect could do: no conversation, no
    returned call, no reply, no out-of-office, no meeting, by phone or (the number blocked)
    by email. Asking who else decides is asked of the prospect ("Who else besides yourself
    will be involved?"), and answered as any call or email to them."""
    from cadence.simulation._life import Life

    touch = Life.touch
    seen: Counter[tuple[str, str, str]] = Counter()

    def watching(self: Life, act: cadence.Action, at: datetime) -> None:
        if act.kind not in (ActionKind.ESCALATE, ActionKind.CONTACT_RECEPTIONIST):
            touch(self, act, at)
            return
        connects, queued = len(self.connects), len(self.queue)
        touch(self, act, at)
        key = (act.detail or act.kind.value, str(act.channel))
        seen[(*key, "touched")] += 1
        if len(self.connects) > connects or len(self.queue) > queued:
            seen[(*key, "answered")] += 1  # at once, or an answer to come

    monkeypatch.setattr(Life, "touch", watching)
    policy = Policy(
        escalations=("contact_receptionist", "ask_decision_makers", "manager_escalation")
    )
    answering = Responder(
        answer_rate=0.3, callback_rate=0.3, reply_rate=0.3, out_of_office_rate=0.1, book_rate=0.5
    )
    wrong_numbers = answering.model_copy(update={"bad_phone_rate": 1.0})
    for responder in (answering, wrong_numbers):
        result = simulate(policy, prospects=150, days=150, seed=5, responder=responder)
        assert result.metrics.violations == 0
    for who in ("contact_receptionist", "manager_escalation"):
        for channel in ("phone", "email"):
            assert seen[who, channel, "touched"] > 10, seen
            assert seen[who, channel, "answered"] == 0, seen
    for channel in ("phone", "email"):
        assert seen["ask_decision_makers", channel, "answered"] > 0, seen


def test_a_responder_who_never_answers_walks_the_whole_ladder() -> None:
    """Responder() does nothing: nobody connects, everyone is offered the opt-out (R8) and is
    dropped after the breakup (R10); without permission there is no drip (R12)."""
    result = simulate(prospects=60, days=90, seed=2, responder=Responder())
    m = result.metrics
    assert (m.connect_rate, m.connects, m.meetings_booked, m.opt_out_rate) == (0, 0, 0, 0)
    assert m.dropped_rate == 1.0
    assert result.series.funnel["drip"] == 0
    assert m.touches_per_connect is None
    assert m.median_days_to_connect is None
    assert m.violations == 0


def test_the_rates_count_the_prospects_whose_stages_say_so() -> None:
    """``dropped_rate``, ``opt_out_rate`` and ``connect_rate`` against each record's own
    history of stages and conversations, in a population where some are and some are not."""
    result = simulate(prospects=150, days=120, seed=4)
    n, m = len(result.records), result.metrics

    def share(stage: cadence.Stage) -> float:
        return sum(any(STAGES[k] is stage for _, k in r.stages) for r in result.records) / n

    assert 0 < m.dropped_rate < 1
    assert m.dropped_rate == share(cadence.Stage.DROPPED)
    assert 0 < m.opt_out_rate < 1
    assert m.opt_out_rate == share(cadence.Stage.OPTED_OUT)
    assert m.connect_rate == sum(r.first_connect is not None for r in result.records) / n


def _brought_back(r: Any) -> bool:
    """Whether a record moved from ``dropped`` or ``drip`` straight to ``engaged``."""
    stages = [STAGES[k] for _, k in r.stages]
    from_drip = (cadence.Stage.DROPPED, cadence.Stage.DRIP)
    return any(a in from_drip and b is cadence.Stage.ENGAGED for a, b in pairwise(stages))


def test_drip_reengaged_counts_the_prospects_a_drip_brought_back() -> None:
    """R11: a prospect counts when an answer to a drip touch moved them from ``dropped`` or
    ``drip`` straight to ``engaged``; being engaged at some other time does not count (most
    are). With the default five business days' wait after the breakup (R10), every such move
    answers the drip: an answer to the breakup comes within thirty hours."""
    result = simulate(prospects=400, days=240, seed=4)
    back = sum(_brought_back(r) for r in result.records)
    engaged = sum(
        any(STAGES[k] is cadence.Stage.ENGAGED for _, k in r.stages) for r in result.records
    )
    assert result.metrics.drip_reengaged == back
    assert 0 < back < engaged / 5, (back, engaged)


def test_drip_reengaged_does_not_count_late_answers_to_the_breakup() -> None:
    """R10, R11: with a one-day wait after the breakup, many answers to it arrive after the
    prospect was dropped, and bring them back to ``engaged``. The breakup did that, not the
    drip: nobody here ever had a drip touch (no conversation gave permission, R12)."""
    result = simulate(
        Policy(breakup_wait_business_days=1),
        prospects=200,
        days=120,
        seed=0,
        responder=Responder(breakup_reply_rate=0.5),
    )
    assert sum(_brought_back(r) for r in result.records) > 20
    assert result.series.funnel["drip"] == 0
    assert result.metrics.drip_reengaged == 0


def test_drip_reengaged_tells_the_drips_answers_from_the_breakups() -> None:
    """Both kinds in one population (drip without permission, a one-day wait after the
    breakup): only those the drip brought back count, and some do."""
    result = simulate(
        Policy(breakup_wait_business_days=1, drip_requires_permission=False),
        prospects=300,
        days=180,
        seed=3,
        responder=Responder(reply_rate=0.05, breakup_reply_rate=0.5),
    )
    back = sum(_brought_back(r) for r in result.records)
    assert 0 < result.metrics.drip_reengaged < back, (result.metrics.drip_reengaged, back)


def test_each_records_tallies_count_what_the_engine_was_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Meetings booked and held, conversations, touches and events in each record are the
    events the simulator applied for that prospect, counted one by one."""
    from cadence.simulation._life import Life

    apply, touch = Life.apply, Life.touch
    told: dict[str, Counter[str]] = {}

    def counting_apply(self: Life, event: Any) -> None:
        tally = told.setdefault(self.p.id, Counter())
        tally["events"] += 1
        tally[type(event).__name__] += 1
        talked = (
            event.outcome == "connected"
            if isinstance(event, CallAttempted)
            else isinstance(event, cadence.events.EmailReplied) and event.intent != "unsubscribe"
        )
        tally["connects"] += talked
        apply(self, event)

    def counting_touch(self: Life, act: cadence.Action, at: datetime) -> None:
        told.setdefault(self.p.id, Counter())["touches"] += 1
        touch(self, act, at)

    monkeypatch.setattr(Life, "apply", counting_apply)
    monkeypatch.setattr(Life, "touch", counting_touch)
    keen = Responder.typical().model_copy(update={"book_rate": 0.6, "answer_rate": 0.3})
    result = simulate(prospects=150, days=90, seed=6, responder=keen)
    for r in result.records:
        tally = told[f"sim-{r.number}"]
        assert r.meetings_booked == tally["MeetingBooked"], r.number
        assert r.meetings_held == tally["MeetingHeld"], r.number
        assert len(r.connects) == tally["connects"], r.number
        assert len(r.touches) == tally["touches"], r.number
        assert r.events == tally["events"], r.number
    m = result.metrics
    assert m.meetings_booked == sum(t["MeetingBooked"] for t in told.values()) > 20
    assert m.meetings_held == sum(t["MeetingHeld"] for t in told.values()) > 10


# -- determinism, common random numbers, parallelism ------------------------------------------


def test_touches_per_rep_day_counts_the_days_the_policy_works() -> None:
    """17 days from Monday 2 March 2026 hold 13 weekdays (the policy's weekmask; the weekend
    and nothing else is off): every touch of every rep, over that many rep-days."""
    start = datetime(2026, 3, 2, tzinfo=UTC)
    r = simulate(prospects=30, days=17, seed=3, start=start)
    touches = sum(map(sum, r.series.touches_per_rep))
    assert touches > 0
    assert r.series.days == tuple(date(2026, 3, 2 + d) for d in range(17))  # the run's days
    assert r.metrics.touches_per_rep_day == pytest.approx(touches / (r.reps * 13))
    four_days = Policy(weekmask="1111000")  # Monday to Thursday: 11 of the 17 days
    r = simulate(prospects=30, days=17, seed=3, start=start, policy=four_days)
    touches = sum(map(sum, r.series.touches_per_rep))
    assert r.metrics.touches_per_rep_day == pytest.approx(touches / (r.reps * 11))


def test_a_week_started_at_midnight_east_of_utc_has_five_working_days() -> None:
    """A Sydney team's week: Monday 2 March 2026, 00:00 in Sydney (13:00 UTC on Sunday), for 5
    days. Each day of the run is the 24 hours from its start, and lies mostly on the Monday to
    Friday of the UTC calendar too; it was labelled by the UTC date it began on, a Sunday, so
    the series started on Sunday 1 March and touches per rep-day were divided by 4 working
    days, not 5 (a quarter too many)."""
    start = datetime(2026, 3, 2, tzinfo=ZoneInfo("Australia/Sydney"))
    sydney = (Place("Australia/Sydney", "AU", "NSW"),)
    r = simulate(prospects=20, days=5, seed=3, start=start, places=sydney)
    assert r.series.days == tuple(date(2026, 3, 2 + d) for d in range(5))  # Monday to Friday
    touches = sum(map(sum, r.series.touches_per_rep))
    assert touches > 0
    assert r.metrics.touches_per_rep_day == pytest.approx(touches / (r.reps * 5))
    # The default start (06:00 UTC) and a UTC midnight keep the dates they began on.
    assert simulate(prospects=5, days=2, seed=1).series.days == (date(2026, 3, 2), date(2026, 3, 3))


def test_same_seed_same_result_and_another_seed_another() -> None:
    a = simulate(prospects=80, days=45, seed=9)
    assert simulate(prospects=80, days=45, seed=9) == a
    assert a.records == simulate(prospects=80, days=45, seed=9).records
    assert simulate(prospects=80, days=45, seed=10).records != a.records


_DIGEST = """
import hashlib, sys
import cadence
r = cadence.simulate(prospects=40, days=40, seed=int(sys.argv[1]))
blob = r.model_dump_json() + repr(r.records)
print(hashlib.sha256(blob.encode()).hexdigest())
"""


def _digest(seed: int, hash_seed: int) -> str:
    env = {
        **os.environ,
        "PYTHONHASHSEED": str(hash_seed),
        "PYTHONPATH": str(SRC),
        "TZ": "Asia/Tokyo",
    }
    done = subprocess.run(
        [sys.executable, "-c", _DIGEST, str(seed)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_same_seed_same_result_in_any_process() -> None:
    """No hash order, no clock, no environment: other processes with other hash seeds (and
    another TZ) produce the same bytes as this one."""
    here = simulate(prospects=40, days=40, seed=4)
    mine = hashlib.sha256((here.model_dump_json() + repr(here.records)).encode()).hexdigest()
    assert _digest(4, hash_seed=1) == mine
    assert _digest(4, hash_seed=2) == mine


def test_common_random_numbers_give_each_prospect_the_same_luck_under_both_policies() -> None:
    """The gap moves attempts in time; with the same luck per attempt, each prospect connects
    on the same attempt under both policies, only sooner with the shorter gap."""
    r = Responder(answer_rate=0.25)
    slow = simulate(Policy(min_gap_business_days=5), prospects=150, days=120, seed=8, responder=r)
    fast = simulate(Policy(min_gap_business_days=2), prospects=150, days=120, seed=8, responder=r)
    assert [x.touches_to_connect for x in slow.records] == [
        x.touches_to_connect for x in fast.records
    ]
    sooner = [
        (a.first_connect, b.first_connect)
        for a, b in zip(slow.records, fast.records, strict=True)
        if a.touches_to_connect and a.touches_to_connect > 2
    ]
    assert sooner
    assert all(b is not None and a is not None and b < a for a, b in sooner)


@settings(max_examples=10, deadline=None)
@given(policy=policies(), seed=st.integers(0, 2**64 - 1), more=st.integers(1, 5))
def test_a_prospects_life_depends_on_nobody_else(policy: Policy, seed: int, more: int) -> None:
    """Common random numbers across prospects: prospect i's luck is its own (seed, i), so what
    the policy makes of the others (more of them, with lives of their own) shifts nothing in
    its life. The first three prospects live the same lives in a population of three and in
    a larger one (one rep, so that their owner is the same too)."""
    few = simulate(policy, prospects=3, days=30, seed=seed, reps=1)
    many = simulate(policy, prospects=3 + more, days=30, seed=seed, reps=1)
    assert many.records[:3] == few.records


def test_parallel_run_equals_serial_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of prospects on two worker processes: the very same result as one process (and
    two workers do start processes: equal results alone would not show it)."""
    from cadence.simulation import _parallel

    spread: list[int] = []
    run_parallel = _parallel.run_parallel

    def counting(s: Any, workers: int, progress: Any) -> Any:
        spread.append(workers)
        return run_parallel(s, workers, progress)

    monkeypatch.setattr(_parallel, "run_parallel", counting)
    serial = simulate(prospects=120, days=40, seed=6)
    assert spread == []
    assert simulate(prospects=120, days=40, seed=6, workers=2) == serial
    assert simulate(prospects=120, days=40, seed=6, workers=3).records == serial.records
    assert spread == [2, 3]


@pytest.mark.parametrize(
    ("prospects", "workers", "capacity"),
    [(7, 3, None), (1, 2, None), (3, 4, None), (7, 3, 2), (1, 2, 2)],
    ids=["uneven", "one-prospect", "fewer-than-workers", "uneven-capacity", "one-capacity"],
)
def test_any_split_across_processes_is_the_serial_run(
    prospects: int, workers: int, capacity: int | None
) -> None:
    """Populations that do not divide among the workers, one prospect, fewer prospects than
    workers (some get no chunk), with and without rep capacity: the serial result."""
    args: dict[str, Any] = {"prospects": prospects, "days": 15, "seed": 12, "capacity": capacity}
    serial = simulate(**args)
    split = simulate(**args, workers=workers)
    assert split == serial
    assert split.records == serial.records
    assert [r.number for r in split.records] == list(range(prospects))


def test_progress_reports_reach_the_population_size() -> None:
    seen: list[int] = []
    simulate(prospects=1200, days=5, seed=1, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1200
    assert len(seen) >= 2


# -- metrics and series ---------------------------------------------------------------------


def test_series_add_up_to_the_metrics() -> None:
    result = simulate(prospects=200, days=60, seed=3)
    m, s = result.metrics, result.series
    assert len(s.days) == len(s.touches) == len(s.connects) == 60
    assert s.days[0] == result.start.date()
    assert sum(s.touches) == m.touches
    assert sum(s.connects) == m.connects
    assert sum(map(sum, s.touches_per_rep)) == m.touches
    assert len(s.touches_per_rep) == result.reps == 1
    assert m.enrolled == m.prospects  # enrolled over the first 5 days of 60
    assert s.funnel["new"] == m.enrolled
    assert len(s.days_to_connect) == round(m.connect_rate * m.enrolled)
    enrolled = sorted(r.enrolled for r in result.records)
    for day in range(60):
        in_stages = sum(counts[day] for counts in s.stages.values())
        assert in_stages == sum(1 for t in enrolled if int(t) <= day)
    assert m.touches_per_connect == pytest.approx(m.touches / m.connects)
    assert 0 < m.connect_rate < 1
    assert m.meetings_booked > 0
    assert m.violations == 0


def test_the_rates_count_only_the_prospects_enrolled_before_the_end() -> None:
    """Enrolment spread over 270 days of a 90-day run leaves two thirds of the population
    unenrolled at the end. They had no chance to connect, opt out or be dropped: the rates
    are fractions of the enrolled prospects, and the funnel counts only those."""
    result = simulate(prospects=300, days=90, seed=7, enrol_days=270)
    m, records = result.metrics, result.records
    inside = [r for r in records if r.enrolled < result.days]
    n = len(inside)
    assert 60 < n < 150

    def share(stage: cadence.Stage) -> float:
        return sum(any(STAGES[k] is stage for _, k in r.stages) for r in inside) / n

    assert m.connect_rate == sum(r.first_connect is not None for r in inside) / n > 0.4
    assert m.opt_out_rate == share(cadence.Stage.OPTED_OUT) > 0
    assert m.dropped_rate == share(cadence.Stage.DROPPED) > 0
    assert (m.prospects, m.enrolled) == (300, n)
    assert result.series.funnel["new"] == n
    outside = [r for r in records if r.enrolled >= result.days]
    assert all(not r.touches and r.first_connect is None for r in outside)


def test_a_run_in_which_nobody_was_enrolled_yet_has_rates_of_zero() -> None:
    """Every prospect drawn after the end (one prospect, one day, enrolment over five): the
    rates are 0 of 0, given as 0, and ``enrolled`` says why."""
    m = simulate(prospects=1, days=1, seed=3, enrol_days=5).metrics
    assert (m.prospects, m.enrolled) == (1, 0)
    assert (m.connect_rate, m.opt_out_rate, m.dropped_rate, m.unreachable_rate) == (0, 0, 0, 0)


def test_population_mixes_zones_and_countries() -> None:
    result = simulate(prospects=300, days=2, seed=1)
    zones = {PLACES[0].timezone}  # the population is drawn from PLACES by weight
    seen = {r.number for r in result.records}
    assert seen == set(range(300))
    from cadence.simulation._run import members

    drawn = {m.place for m, _ in members(_settings(300), 0, 300)}
    assert len(drawn) >= 8
    assert zones <= {p.timezone for p in drawn}
    assert {p.country for p in drawn} >= {"US", "FR", "GB", "DE"}


def _settings(n: int) -> Any:
    from cadence.simulation._simulate import settings

    return settings(None, prospects=n, days=2, seed=1)


@given(
    start=st.datetimes(timezones=st.just(UTC)),
    after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20_000)),
)
def test_day_index_is_the_float_formula(start: datetime, after: timedelta) -> None:
    """``Life._day_index`` (and the touch tally written out from it) reads ``days`` off the
    difference when it is whole seconds; that is the float formula's answer, to the day."""
    from cadence.simulation._life import _DAY, Life

    life = object.__new__(Life)
    life.start = start
    try:
        at = start + after
    except OverflowError:
        return
    assert life._day_index(at) == int((at - start).total_seconds() // _DAY)


# -- rep capacity through the batch planner --------------------------------------------------


LONDON = (Place("Europe/London", "GB"),)  # one zone, on UTC in winter: local days = UTC days
WINTER = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)


def test_capacity_caps_each_reps_day() -> None:
    """With capacity c per rep and channel, no rep makes more than 2c touches a day (calls and
    emails), and the cap binds: the same population without it makes more on some days."""
    common: dict[str, Any] = {
        "prospects": 120,
        "days": 30,
        "seed": 2,
        "start": WINTER,
        "places": LONDON,
    }
    capped = simulate(capacity=6, reps=2, **common)
    free = simulate(reps=2, **common)
    assert capped.metrics.violations == 0
    assert max(max(row) for row in capped.series.touches_per_rep) <= 12
    assert max(max(row) for row in free.series.touches_per_rep) > 12
    assert capped.metrics.touches < free.metrics.touches


def test_capacity_runs_are_deterministic_and_split_by_territory() -> None:
    common: dict[str, Any] = {"prospects": 90, "days": 20, "seed": 7, "capacity": 4, "reps": 3}
    serial = simulate(**common)
    assert serial.reps >= len({p.timezone for p in PLACES[:3]})
    assert [r.number for r in serial.records] == list(range(90))  # everyone, once, in order
    assert serial.metrics.prospects == 90
    assert simulate(workers=2, **common) == serial


def test_skipping_idle_prospects_in_the_daily_round_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With capacity, a prospect with nothing to do and nothing queued leaves the daily round
    (``Life.idle``); the run is the one that visits every prospect every day."""
    from cadence.simulation._life import Life

    common: dict[str, Any] = {"prospects": 150, "days": 90, "seed": 3, "capacity": 5, "reps": 2}
    skipping = simulate(**common)
    monkeypatch.setattr(Life, "idle", lambda self: False)
    assert simulate(**common) == skipping
    assert skipping.metrics.dropped_rate > 0.2  # there were idle prospects to skip


def test_the_floor_keeps_no_deferred_touches_and_gets_the_same_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The simulator carries out only a day plan's touches; asking the planner to keep none of
    its deferred ones (which it would write out in full) changes nothing."""
    from cadence.batch import plan_day
    from cadence.simulation import _floor

    common: dict[str, Any] = {"prospects": 120, "days": 40, "seed": 5, "capacity": 3, "reps": 2}
    lean = simulate(**common)
    deferred = 0

    def keeping(*args: Any, **kwargs: Any) -> Any:
        nonlocal deferred
        kwargs.pop("deferred_limit")
        plan = plan_day(*args, **kwargs)
        deferred += len(plan.deferred)
        return plan

    monkeypatch.setattr(_floor, "plan_day", keeping)
    assert simulate(**common) == lean
    assert deferred > 100  # touches were deferred: over capacity, to a later day


# -- the rule checks --------------------------------------------------------------------------


@settings(max_examples=12, deadline=None)
@given(policy=policies())
def test_no_rule_is_broken_under_any_policy(policy: Policy) -> None:
    """Every engine step of a small run under a random policy passes the rule checks, with
    clean contact data and with bounces, wrong numbers, new details and refusals of either
    channel."""
    result = simulate(policy, prospects=8, days=45, seed=1)
    assert result.metrics.violations == 0, result.violation_examples
    messy = Responder.typical().model_copy(
        update={
            "bad_email_rate": 0.4,
            "bad_phone_rate": 0.4,
            "new_details_rate": 0.5,
            "unsubscribe_rate": 0.2,
            "do_not_call_rate": 0.2,
        }
    )
    result = simulate(policy, prospects=8, days=45, seed=1, responder=messy)
    assert result.metrics.violations == 0, result.violation_examples
    # Everything happens often: answered and taken opt-out offers, offers of times on calls
    # after cancellations by either side (R14, R15), callbacks, out-of-offices, wins.
    busy = Responder(
        answer_rate=0.4,
        callback_rate=0.4,
        reply_rate=0.3,
        opt_out_rate=0.4,
        breakup_reply_rate=0.3,
        book_rate=0.5,
        cancel_rate=0.3,
        no_show_rate=0.2,
        rep_cancel_rate=0.2,
        out_of_office_rate=0.1,
        permission_rate=0.5,
        commit_rate=0.3,
        preference_rate=0.1,
        win_rate=0.2,
        unsubscribe_rate=0.05,
        do_not_call_rate=0.05,
        bad_email_rate=0.1,
        bad_phone_rate=0.1,
        new_details_rate=0.5,
    )
    result = simulate(policy, prospects=8, days=45, seed=1, responder=busy)
    assert result.metrics.violations == 0, result.violation_examples


@pytest.mark.parametrize("zone_now", ["America/Chicago", "UTC", "Asia/Kolkata"])
@pytest.mark.parametrize(("fold_due", "fold_now"), [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_the_due_before_now_check_orders_instants_even_in_the_repeated_hour(
    zone_now: str, fold_due: int, fold_now: int
) -> None:
    """An action is due before now when its instant is earlier, whatever zones the two are in; also
    inside Chicago's repeated hour, where two Chicago datetimes compare by wall time in Python
    (01:45 in the first pass is 45 minutes before 01:30 in the second)."""
    chicago = ZoneInfo("America/Chicago")
    engine = Engine()
    p = engine.enroll("p", timezone="America/Chicago", at=datetime(2026, 10, 30, 15, tzinfo=UTC))
    action = engine.next_action(p, p.enrolled_at)
    for due_minute, now_minute in ((30, 45), (45, 30)):
        due = datetime(2026, 11, 1, 1, due_minute, fold=fold_due, tzinfo=chicago)
        now = datetime(2026, 11, 1, 1, now_minute, fold=fold_now, tzinfo=chicago)
        now = now.astimezone(ZoneInfo(zone_now))
        late = action.model_copy(update={"earliest": due, "latest": due + timedelta(hours=2)})
        problems = step_problems(engine, p, late, now)
        earlier = due.astimezone(UTC) < now.astimezone(UTC)
        assert any("before now" in x for x in problems) == earlier, (due, now, problems)


def test_the_simulator_gets_next_actions_own_decision_without_the_talking_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The simulator skips the words no responder reads; every action it is given is
    ``next_action``'s own (same kind, window, rules, flags, slot, proposals), the talking
    points aside. Checked on every step of a run."""
    from cadence.simulation import _run

    asked: list[tuple[cadence.Action, cadence.Action]] = []

    class Watched(Engine):
        def _action(self, state: Any, cal: Any, spot: Any, *, words: bool = True) -> Any:
            act = super()._action(state, cal, spot, words=words)
            if not words:
                asked.append((act, super()._action(state, cal, spot)))
                # The simulator reads the action's start in UTC off the spot (no conversion).
                assert spot.start_utc == act.earliest.astimezone(UTC), (spot, act)
                assert spot.start_utc.tzinfo is UTC
            return act

    engine = Watched(Policy())
    monkeypatch.setattr(_run, "_engine", lambda policy: engine)
    simulate(prospects=40, days=120, seed=5)
    assert len(asked) > 300
    spoken = 0
    for bare, full in asked:
        assert bare.talking_points == ()
        assert bare == full.model_copy(update={"talking_points": ()})
        spoken += bool(full.talking_points)
    assert spoken > 100  # the words were really there to skip


def test_a_broken_engine_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks are real: an engine whose actions come due an hour before ``now`` shows up
    as violations naming the rule (DESIGN §4) and the prospect."""
    original = Engine._decide

    def early(self: Engine, p: cadence.Prospect, now: datetime, *until: datetime) -> Any:
        """The engine's decision, placed an hour before ``now`` (what next_action and the
        simulator both build their actions from)."""
        found = original(self, p, now, *until)
        at = now.astimezone(UTC) - timedelta(hours=1)
        if found is None or isinstance(found, cadence.Action):
            return found and found.model_copy(update={"earliest": at})
        state, cal, spot = found
        return state, cal, spot._replace(start=cal.local(at), start_utc=at)

    monkeypatch.setattr(Engine, "_decide", early)
    result = simulate(prospects=5, days=10, seed=1)
    assert result.metrics.violations > 0
    assert result.violation_examples[0].startswith("sim-")
    assert "DESIGN §4" in result.violation_examples[0]
    # A few examples, at most three a prospect, so that one prospect does not hide the rest.
    who = Counter(e.split(":")[0] for e in result.violation_examples)
    assert len(result.violation_examples) == 10
    assert max(who.values()) == 3, who
    assert len(who) >= 4, who


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"prospects": 0}, "prospects"),
        ({"prospects": 2.5}, "prospects"),
        ({"days": 0}, "days"),
        ({"seed": -1}, "seed"),
        ({"seed": "x"}, "seed"),
        ({"responder": {"answer_rate": 0.2}}, "responder"),
        ({"capacity": 0}, "capacity"),
        ({"workers": 0}, "workers"),
        ({"start": datetime(2026, 3, 2)}, "start"),
        ({"places": ()}, "places"),
        ({"places": 5}, "places"),  # not a collection (was a TypeError)
        ({"reps": 0}, "reps"),
        # A run must lie in the years cadence plans in, 1900 to 8999 (was an OverflowError).
        ({"days": 3_000_000}, "days"),
        ({"days": 10**9}, "days"),
        # An enrolment that runs past the year 9000 is enrol_days' doing, not the 5 days'.
        ({"enrol_days": 3_000_000}, "enrol_days"),
        ({"start": datetime(1899, 12, 31, tzinfo=UTC)}, "start"),
        ({"start": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3)))}, "start"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"prospects": 5, "days": 5, "seed": 1, **kwargs}
    with pytest.raises(cadence.InvalidInputError) as info:
        simulate(**args)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert repr(args[field]) in str(info.value)


@pytest.mark.parametrize(
    ("update", "words"),
    [
        ({"answer_rate": 7}, "responder: answer_rate: 7 is not a probability; give a number"),
        ({"reply_rate": math.nan}, "responder: reply_rate: nan is not a probability; give"),
        ({"anwser_rate": 0.9}, "responder: 'anwser_rate' is not a field of Responder; the"),
    ],
    ids=["over-one", "nan", "misspelt"],
)
def test_a_responder_tweaked_with_model_copy_is_checked_too(
    update: dict[str, Any], words: str
) -> None:
    """The docs tweak ``Responder.typical()`` with ``model_copy(update=...)``, which pydantic
    does not validate: a rate of 7 answered every call, NaN none, and a misspelt name was
    ignored, all silently."""
    tweaked = Responder.typical().model_copy(update=update)
    with pytest.raises(cadence.InvalidInputError) as info:
        simulate(prospects=5, days=5, seed=1, responder=tweaked)
    assert (info.value.field, info.value.value) == ("responder", tweaked)
    assert str(info.value).startswith(words), str(info.value)


def test_a_slot_effect_on_a_part_of_the_day_the_policy_lacks_is_refused() -> None:
    """``slot_effects`` keys are the policy's ``call_slots`` names. One the policy does not
    have (a typo, another capitalisation, a slot of an older policy) was ignored without a
    word: the run came out as if no effect had been asked for. A name of either compared
    policy is fine (each run uses the names it has)."""
    typo = Responder(answer_rate=0.2, slot_effects={"mornin": 1.5, "midday": 0.5})
    with pytest.raises(cadence.InvalidInputError) as info:
        simulate(prospects=5, days=5, seed=1, responder=typo)
    assert info.value.field == "responder"
    message = str(info.value)
    assert message.startswith("responder: slot_effects: 'mornin' is not a part of the day"), message
    assert "'morning', 'midday', 'afternoon'" in message
    early = Policy(
        call_slots=(
            cadence.TimeSlot(name="early", start=time(9), end=time(11)),
            cadence.TimeSlot(name="late", start=time(15), end=time(17)),
        )
    )
    both = Responder(answer_rate=0.2, slot_effects={"morning": 1.5, "early": 0.5})
    with pytest.raises(cadence.InvalidInputError, match="'morning' is not a part of the day"):
        simulate(early, prospects=5, days=5, seed=1, responder=both)
    c = compare(Policy(), early, prospects=5, days=5, seed=1, responder=both, n_boot=10)
    assert c.a.responder == c.b.responder == both
    # A part of the day on a weekday of its own (``weekday_hours``), outside the everyday
    # ones, is one of the policy's; hours inside an everyday part are in that part (R4).
    friday = Policy(
        weekday_hours=(
            cadence.WeekdayHours(
                weekday=4,
                channel="phone",
                slots=(
                    cadence.TimeSlot(name="short", start=time(9), end=time(12)),
                    cadence.TimeSlot(name="friday", start=time(17), end=time(19)),
                ),
            ),
        )
    )
    simulate(friday, prospects=5, days=5, seed=1, responder=Responder(slot_effects={"friday": 2}))
    with pytest.raises(cadence.InvalidInputError, match="'short' is not a part of the day"):
        simulate(
            friday, prospects=5, days=5, seed=1, responder=Responder(slot_effects={"short": 2})
        )


def test_seeds_past_64_bits_are_refused_not_folded_onto_small_ones() -> None:
    """The draws keep a seed's low 64 bits: seed 2**64 ran seed 0's population again."""
    with pytest.raises(cadence.InvalidInputError, match=r"^seed: 18446744073709551616 is not be"):
        simulate(prospects=5, days=5, seed=2**64)
    assert simulate(prospects=5, days=5, seed=2**64 - 1).seed == 2**64 - 1


def test_a_progress_that_cannot_be_called_is_refused_before_the_run() -> None:
    """It was a TypeError from deep in the run, after the first chunk had been simulated."""
    with pytest.raises(cadence.InvalidInputError, match=r"^progress: 3 is not callable") as info:
        simulate(prospects=5, days=5, seed=1, progress=3)  # type: ignore[arg-type]
    assert info.value.field == "progress"


@pytest.mark.parametrize("weight", [0, -1.0, math.inf, -math.inf, math.nan, "3", True, None])
def test_a_place_needs_a_finite_positive_weight(weight: Any) -> None:
    """A place's weight is its share of the population. An infinite one was accepted and sent
    every prospect to the *last* place of the mix; a string raised a TypeError mid-run."""
    place = Place("Europe/Paris", "FR", None, weight)
    with pytest.raises(cadence.InvalidInputError) as info:
        simulate(prospects=5, days=5, seed=1, places=(place, Place("Europe/London", "GB")))
    assert info.value.field == "places"
    assert info.value.value is place
    message = str(info.value)
    assert message.startswith(f"places: {place!r} has weight {weight!r}; "), message
    assert "give each place a finite weight > 0" in message


@pytest.mark.parametrize(
    ("place", "words"),
    [
        (Place("UTC", "US", "FL"), "timezone: 'UTC' is the zone of no country"),
        (Place("Europe/Paris", "us"), "timezone: 'Europe/Paris' is not a zone of US"),
        (Place("Mars/Olympus", None), "timezone: 'Mars/Olympus' is not an IANA zone name"),
        (Place("Europe/Paris", "XX"), "country: 'XX' is not an ISO 3166-1 alpha-2 country"),
        (Place("Europe/Paris", 33), "does not give its zone, country and subdivision as text"),  # type: ignore[arg-type]
    ],
)
def test_a_place_the_engine_would_refuse_is_refused_before_the_run(
    place: Place, words: str
) -> None:
    """A Florida place with the zone ``UTC`` simulated calls at 05:00 in Miami; a zone that
    does not exist failed at the first prospect enrolled there, deep in the run. Both are
    refused up front, naming the place. (The default places are all real ones.)"""
    with pytest.raises(cadence.InvalidInputError) as info:
        simulate(prospects=5, days=5, seed=1, places=(Place("Europe/London", "GB"), place))
    assert (info.value.field, info.value.value) == ("places", place)
    assert str(info.value).startswith(f"places: {place!r}")
    assert words in str(info.value)
    engine = cadence.Engine()
    for real in PLACES:
        engine.enroll(
            "p",
            timezone=real.timezone,
            at=DEFAULT_START,
            country=real.country,
            subdivision=real.subdivision,
        )


def test_a_place_may_give_its_subdivision_in_any_case() -> None:
    """As ``Engine.enroll`` takes it: ``holidays`` spells the Netherlands' ``Noord`` in mixed
    case, and the upper-cased ``NOORD`` was refused before the run."""
    result = simulate(
        prospects=3, days=5, seed=1, places=(Place("Europe/Amsterdam", "nl", "noord"),)
    )
    assert result.metrics.enrolled == 3


def test_place_weights_must_add_up_to_a_finite_number() -> None:
    """Two finite weights whose sum overflows would pick the last place for everyone too."""
    huge = (Place("Europe/Paris", "FR", None, 1e308), Place("Europe/London", "GB", None, 1e308))
    with pytest.raises(cadence.InvalidInputError, match=r"^places: the weights add up to inf; "):
        simulate(prospects=5, days=5, seed=1, places=huge)


def test_the_smallest_arguments_are_accepted() -> None:
    """The bounds are inclusive: seed 0, one prospect, one day, everyone enrolled at the start,
    one rep, one touch per channel a day."""
    result = simulate(prospects=1, days=1, seed=0, enrol_days=0)
    assert (result.seed, result.prospects, result.days) == (0, 1, 1)
    assert result.records[0].enrolled == 0
    tight = simulate(prospects=3, days=5, seed=0, capacity=1, reps=1, places=LONDON)
    assert (tight.capacity, tight.reps) == (1, 1)
    assert max(max(row) for row in tight.series.touches_per_rep) <= 2


def test_a_policy_must_be_a_policy() -> None:
    with pytest.raises(ValueError, match=r"policy: .* is not a cadence\.Policy"):
        simulate("gap=2", prospects=5, days=5, seed=1)  # type: ignore[arg-type]


def test_result_is_a_frozen_json_round_trippable_model() -> None:
    result = simulate(prospects=10, days=10, seed=1)
    assert isinstance(result, SimulationResult)
    back = SimulationResult.model_validate_json(result.model_dump_json())
    assert back.metrics == result.metrics
    assert back.series == result.series
    with pytest.raises(ValidationError):
        result.seed = 2  # type: ignore[misc]


def test_a_run_of_decades_is_simulated_to_its_end_and_breaks_no_rule() -> None:
    """The loop guard grows with the days simulated: a daily drip over sixteen years (about a
    touch a day) used to stop after 5,000 steps and report it as R2."""
    policy = cadence.Policy(
        drip_interval_days=1, drip_requires_permission=False, weekmask="1111111"
    )
    run = simulate(policy, prospects=2, days=6000, seed=0, responder=Responder())
    assert run.metrics.violations == 0, run.violation_examples
    assert all(r.touches and r.touches[-1] > 5900 for r in run.records)


def test_places_whose_law_the_policys_hours_never_meet_are_named_before_the_run() -> None:
    """A 08:00-09:00 call block meets the US's 08:00-21:00, never Canada's 09:00-21:30 nor
    France's 10:00-13:00, 14:00-20:00. The default mix holds Toronto and Paris, which the
    user never asked for: the run raised NoSlotError from deep inside, for the first Toronto
    prospect alone. Refused up front, naming every such place, the law, and the places= that
    leaves them out; that one runs. Leaving them out silently would make the population
    depend on the policy, and compare would no longer run two policies on one population."""
    early = Policy(call_slots=(TimeSlot(name="early", start="07:00", end="09:00"),))
    with pytest.raises(cadence.NoSlotError) as info:
        simulate(early, prospects=5, days=5, seed=1)
    said = str(info.value)
    assert info.value.field == "places"
    assert said.startswith("places: the policy's hours never meet the law (or the calendar) of 2")
    assert (
        "America/Toronto (CA-ON): no call, ever (the policy's 07:00-09:00; the law's ca-crtc"
        in said
    )
    assert "Europe/Paris (FR): no call, ever" in said
    kept = [p for p in PLACES if (p.country, p.subdivision) not in {("CA", "ON"), ("FR", None)}]
    assert "not in {('CA', 'ON'), ('FR', None)}" in said
    assert simulate(early, prospects=20, days=10, seed=1, places=kept).metrics.violations == 0
    with pytest.raises(cadence.NoSlotError, match="leave them out of places="):
        simulate(early, prospects=5, days=5, seed=1, places=[Place("Europe/Paris", "FR")])
    with pytest.raises(cadence.NoSlotError, match="of 2 of the places simulated"):
        compare(Policy(), early, prospects=5, days=5, seed=1)
