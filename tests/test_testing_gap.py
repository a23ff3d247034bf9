"""``check_invariants`` holds every call and email planned inside R3's gap to what it is: a
ladder attempt there breaks R3 whatever it cites; what the prospect is owed passes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cadence import Action, ActionKind, Channel, Engine, Policy, Prospect
from cadence import events as ev
from cadence.testing import check_invariants

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY = date(2026, 3, 3)
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)
VOICEMAIL = datetime.combine(TUESDAY, time(10, 15), CHICAGO)


class Crowding(Engine):
    """Broken: plans the ladder's next attempt ``days`` calendar days after the last
    unanswered one, at 15:10 (when that is still ahead), as ``kind`` citing ``rules`` (not
    R3). With ``days=0``: the reviewer's second call the afternoon of the voicemail."""

    def __init__(
        self,
        kind: ActionKind = ActionKind.CALL,
        rules: tuple[str, ...] = ("R4",),
        days: int = 0,
        policy: Policy | None = None,
    ) -> None:
        super().__init__(policy)
        self._kind, self._rules, self._days = kind, rules, days

    def plan(self, p: Prospect, now: datetime) -> list[Action]:
        return [self._crowd(p, now, a) for a in super().plan(p, now)]

    def next_action(self, p: Prospect, now: datetime) -> Action:
        return self.plan(p, now)[0]

    def _crowd(self, p: Prospect, now: datetime, a: Action) -> Action:
        last = p.last_attempt_at
        if last is None or "R3" not in a.rules:
            return a
        tz = ZoneInfo(p.timezone)
        day = last.astimezone(tz).date() + timedelta(days=self._days)
        at = datetime.combine(day, time(15, 10), tz)
        if at <= now:
            return a
        channel = Channel.EMAIL if self._kind is ActionKind.EMAIL else Channel.PHONE
        return a.model_copy(
            update={
                "kind": self._kind,
                "channel": channel,
                "earliest": at,
                "latest": at + timedelta(minutes=50),
                "rules": self._rules,
                "slot": "afternoon" if channel is Channel.PHONE else None,
            }
        )


def _voicemail_then_email() -> tuple[Prospect, list[ev.Event]]:
    """The reviewer's history: a first call Tuesday 10:15 (Chicago) reaches voicemail, and the
    email that mentions it (R6) goes five minutes later."""
    p = Engine().enroll("p", timezone="America/Chicago", at=MONDAY_9, country="US")
    events: list[ev.Event] = [
        ev.CallAttempted(at=VOICEMAIL, outcome="voicemail"),
        ev.EmailSent(at=VOICEMAIL + timedelta(minutes=5)),
    ]
    return p, events


def test_the_real_engine_passes_the_reviewers_history() -> None:
    p, events = _voicemail_then_email()
    final = check_invariants(Engine(), p, events)
    assert final.last_attempt_at == VOICEMAIL
    assert final.obligations == ()  # the R6 email was sent: nothing is owed


def test_a_second_call_the_same_afternoon_breaks_r3_whatever_it_cites() -> None:
    """The reviewer's broken engine: the next call the afternoon of the voicemail, citing R4
    alone. Planned behind the R6 email right after the voicemail, and first once it went."""
    p, events = _voicemail_then_email()
    with pytest.raises(
        AssertionError,
        match=(
            r"^R3: call on phone planned 2026-03-03T15:10:00-06:00 is only 0 business days "
            r"after the unanswered attempt at 2026-03-03T10:15:00-06:00; the gap is 4\. "
            r".* whatever it cites \(R4\): plan it on 2026-03-09 or later \(at "
            r"2026-03-03T16:15:00\+00:00, right after CallAttempted.*outcome='voicemail'"
        ),
    ):
        check_invariants(Crowding(), p, events)
    # After the R6 email alone (no voicemail to follow up in the plan): still caught.
    after = Engine().apply(p, events[0])
    with pytest.raises(AssertionError, match=r"^R3: call on phone .* only 0 business days"):
        check_invariants(Crowding(), after, events[1:])


@pytest.mark.parametrize(
    ("kind", "rules", "days", "business_days"),
    [
        (ActionKind.CALL, (), 0, 0),  # citing nothing
        (ActionKind.CALL, ("R1",), 1, 1),  # posing as an agreed call, the next day
        (ActionKind.CALL, ("R2",), 2, 2),  # posing as a first contact
        (ActionKind.EMAIL, ("R6",), 0, 0),  # a second email, posing as the voicemail's
        (ActionKind.EMAIL, ("R7",), 3, 3),  # R7's switch to email, a day early
        (ActionKind.OPT_OUT_OFFER, ("R8",), 1, 1),  # the ladder's own steps, early
        (ActionKind.BREAKUP, ("R10", "R8"), 2, 2),
        (ActionKind.CONTACT_RECEPTIONIST, ("R9",), 1, 1),
    ],
)
def test_any_ladder_attempt_inside_the_gap_breaks_r3(
    kind: ActionKind, rules: tuple[str, ...], days: int, business_days: int
) -> None:
    p, events = _voicemail_then_email()
    with pytest.raises(
        AssertionError,
        match=rf"^R3: {kind.value} on \w+ planned .* only {business_days} business days? after",
    ):
        check_invariants(Crowding(kind, rules, days), p, events)


def test_the_gap_counts_the_policys_business_days() -> None:
    """Four calendar days after a Tuesday is Saturday; 15:10 on the Friday is three business
    days on: inside a four-day gap, outside a three-day one (whose end is that Friday)."""
    p, events = _voicemail_then_email()
    with pytest.raises(AssertionError, match=r"^R3: call on phone .* only 3 business days"):
        check_invariants(Crowding(days=3), p, events)
    three = Policy(min_gap_business_days=3)
    q = Engine(three).enroll("p", timezone="America/Chicago", at=MONDAY_9, country="US")
    check_invariants(Crowding(days=3, policy=three), q, events)
