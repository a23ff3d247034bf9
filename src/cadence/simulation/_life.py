"""One simulated prospect: the engine decides every touch, the responder model answers.

A :class:`Life` holds one prospect's state, the prospect's own future events (a reply due in
five hours, the outcome of a booked meeting) in time order, and the tallies the metrics are made
of. ``run`` drives it alone, touch by touch at the times the engine's actions say; the batch
planner drives many of them day by day when rep capacity is simulated (``_floor``).
What the prospect does in answer (the events the responder model draws) is the
:class:`~cadence.simulation._answers.Answers` half.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta
from typing import Literal, NamedTuple

from cadence import events as ev
from cadence.actions import Action, ActionKind
from cadence.channel import Channel
from cadence.engine import Engine
from cadence.lifecycle import Stage
from cadence.prospect import Prospect
from cadence.simulation._answers import MINUTE, Answers
from cadence.simulation._checks import problems_of
from cadence.simulation._events import (
    call_attempted,
    connected_call,
    email_replied,
    email_sent,
    out_of_office,
)
from cadence.simulation._luck import (
    ANSWER,
    BOOK,
    BREAKUP,
    CALLBACK,
    DATA,
    DELAY,
    OPT_OUT,
    OUT_OF_OFFICE,
    REPLY,
    UNSUBSCRIBE,
    Luck,
)
from cadence.simulation._population import Member
from cadence.simulation._responder import Responder

__all__ = ["STAGES", "Life", "Record"]

STAGES: tuple[Stage, ...] = tuple(Stage)
_BIT = {s: 1 << i for i, s in enumerate(STAGES)}
_INDEX = {s: i for i, s in enumerate(STAGES)}
_DAY = 86400.0
_MAX_STEPS = 5000  # per prospect, and per day simulated below: a guard against a loop, not a
_STEPS_PER_DAY = 20  # limit (a busy prospect with a daily drip takes about 1.5 steps a day)
_EXAMPLES = 3
_IDLE = (ActionKind.NONE, ActionKind.ATTEND_MEETING)
_AFTER_END = (Stage.OPTED_OUT, Stage.CLOSED)
_NOT_TOUCHES = (ActionKind.NONE, ActionKind.WAIT, ActionKind.ATTEND_MEETING)
# What the hot path compares with, looked up once: reading a member off an enum class (or a class
# off a module) costs tens of nanoseconds each time, a few times a step.
_WAIT = ActionKind.WAIT
_DRIP_TOUCH = ActionKind.DRIP_TOUCH
_RECEPTIONIST = ActionKind.CONTACT_RECEPTIONIST
_ESCALATE = ActionKind.ESCALATE
_ASK_WHO_ELSE = "ask_decision_makers"  # R9's escalation asked of the prospect themselves
_CALL = ActionKind.CALL
_BREAKUP = ActionKind.BREAKUP
_OPT_OUT_OFFER = ActionKind.OPT_OUT_OFFER
_PROPOSE_TIMES = ActionKind.PROPOSE_TIMES
_NO_REPLY_ASKED = (ActionKind.PROPOSE_TIMES, ActionKind.OPT_OUT_OFFER)
_CANCELLED = ("cancelled_by_prospect", "cancelled_by_rep")
_PHONE = Channel.PHONE
_PHONE_AND_EMAIL = frozenset({Channel.PHONE, Channel.EMAIL})
_ENGAGED = Stage.ENGAGED
_FROM_DRIP = (Stage.DROPPED, Stage.DRIP)
_EMAIL_SENT = ev.EmailSent
_CALL_ATTEMPTED = ev.CallAttempted
_EMAIL_REPLIED = ev.EmailReplied
_MEETING_BOOKED = ev.MeetingBooked
_MEETING_HELD = ev.MeetingHeld


class Record(NamedTuple):
    """What happened to one prospect: the raw material of every metric and series."""

    number: int
    owner: int
    enrolled: float
    """Days from the start of the run."""
    touches: tuple[int, ...]
    """Day index (from the start of the run) of every touch the rep made."""
    connects: tuple[int, ...]
    """Day index of every conversation (connected call, returned voicemail, reply)."""
    first_connect: float | None
    """Days from enrolment to the first conversation."""
    touches_to_connect: int | None
    """Touches made up to and including the first conversation's (a returned voicemail or a
    reply counts the touch it answers)."""
    meetings_booked: int
    meetings_held: int
    reached: int
    """Bit i set: the prospect was in ``STAGES[i]`` at some point."""
    stages: tuple[tuple[float, int], ...]
    """(days from the start, index in ``STAGES``) at every change of stage, from enrolment."""
    drip_reengaged: bool
    """An answer to a drip touch (R11) brought them back from ``dropped`` or ``drip`` to
    ``engaged`` at some point (an answer to the breakup, R10, arriving after the drop does
    not count: the breakup brought them back, not the drip)."""
    violations: int
    examples: tuple[str, ...]
    events: int
    queries: int
    unreachable: bool
    """At the end, no channel that works (a bounce and a wrong number, no new details), and
    not opted out."""


class Life(Answers):
    """One prospect under one policy and responder (see the module docstring)."""

    # Slots: a step reads and writes a dozen of these; a slot is cheaper than a dict entry.
    __slots__ = (
        "_act",
        "_answer",
        "_bad_email",
        "_bad_phone",
        "_before",
        "_calls",
        "_drip",
        "_drip_answers",
        "_due",
        "_event",
        "_queued",
        "booked",
        "cal",
        "check",
        "connects",
        "engine",
        "events",
        "examples",
        "first_connect",
        "held",
        "luck",
        "member",
        "now",
        "p",
        "queries",
        "queue",
        "r",
        "reached",
        "reengaged",
        "stages",
        "start",
        "touches",
        "touches_to_connect",
        "violations",
    )

    def __init__(
        self,
        engine: Engine,
        member: Member,
        luck: Luck,
        responder: Responder,
        start: datetime,
        check: bool = True,
    ) -> None:
        place = member.place
        self.engine = engine
        self.member = member
        self.luck = luck
        self.r = responder
        self.start = start
        self.check = check
        self.p: Prospect = engine.enroll(
            f"sim-{member.number}",
            timezone=place.timezone,
            at=member.enrolled_at,
            country=place.country,
            subdivision=place.subdivision,
            owner=f"rep-{member.owner}",
        )
        self.cal = engine.calendar(self.p)
        # The chance a call is answered, when it is the same for every call (no time-of-day or
        # attempt effects): ``responder.answer_probability(slot, calls)`` for any slot and count.
        self._answer: float | None = (
            min(responder.answer_rate, 1.0)
            if responder.attempt_effect == 1.0 and not responder.slot_effects
            else None
        )
        # The contact data (per prospect): a bad address bounces, a bad number is wrong, until
        # the rep logs one that works. Both drawn, in this order, when either can be bad.
        self._bad_email = self._bad_phone = False
        if responder.bad_email_rate or responder.bad_phone_rate:
            self._bad_email = luck.chance(DATA, responder.bad_email_rate)
            self._bad_phone = luck.chance(DATA, responder.bad_phone_rate)
        self.now = self.p.enrolled_at
        self.queue: list[tuple[datetime, int, ev.Event | Action]] = []
        """Future events of the prospect's own, and touches the batch planner scheduled."""
        self._act: Action | None = None
        """The engine's answer as of ``now``, checked, until something changes the prospect."""
        self._due = self.now
        """``_act.earliest`` in UTC (when ``_act`` is set)."""
        self._queued = 0
        """Touches the batch planner scheduled that are still in the queue."""
        self._seq = 0
        self._calls = 0
        self._meetings = 0
        self._wants_meeting = False
        self._decided: frozenset[str] = frozenset()
        """Cancelled meetings whose new times a touch has offered and the prospect decided on:
        one decision per cancellation, in whichever touch of the repair came first."""
        self._before: Prospect | None = None
        self._event: ev.Event | None = None
        self._drip = False
        """The touch or event being applied answers a drip touch (R11)."""
        self._drip_answers: set[int] = set()
        """Queue numbers of the prospect's answers to drip touches, still to come."""
        # tallies
        self.touches: list[int] = []
        self.connects: list[int] = []
        self.first_connect: float | None = None
        self.touches_to_connect: int | None = None
        self.booked = 0
        self.held = 0
        self.reached = _BIT[Stage.NEW]
        self.stages: list[tuple[float, int]] = [(self._days(self.now), _INDEX[Stage.NEW])]
        self.reengaged = False
        self.violations = 0
        self.examples: list[str] = []
        self.events = 0
        self.queries = 0

    # -- driving ---------------------------------------------------------------------------
    def run(self, end: datetime) -> Record:
        """Follow the engine until ``end``: each action is carried out at its earliest time;
        the prospect's own events happen at theirs."""
        # The hot loop of a simulation: :meth:`_ask` written out, with what every step reads
        # (the engine's methods, the checks' fixed arguments) held in locals.
        queue = self.queue
        engine = self.engine
        decide = engine._decide
        spell = engine._action
        check = self.check
        cal = self.cal
        touch = self.touch
        idle = _IDLE
        most = _most_steps(self.now, end)
        for _ in range(most):
            now = self.now
            p = self.p
            # The engine's decision, without the talking points: no responder reads them (the
            # action is otherwise next_action's own; tests/test_simulation.py holds them equal).
            found = decide(p, now)
            if isinstance(found, Action):
                act = found
                earliest = act.earliest.astimezone(UTC)
            else:  # (unpacked: a call with *args and a keyword builds a dict each time)
                state, spot_cal, spot = found
                act = spell(state, spot_cal, spot, words=False)
                # The action's ``earliest`` is ``spot.start``, which the spot holds in UTC: no
                # conversion from the prospect's zone (``tests/test_simulation.py`` holds them
                # equal).
                earliest = spot.start_utc
            self.queries += 1
            if check:
                problems = problems_of(
                    engine, p, act, earliest, now, self._before, self._event, cal
                )
                if problems:
                    for problem in problems:
                        self._problem(problem)
            self._before = self._event = None
            self._act, self._due = act, earliest
            kind = act.kind
            # Never before now, even if a (broken) engine says so: the check has counted it.
            # (``max(earliest, now)`` written out: the same object, the first of equals.)
            due = None if kind in idle else (now if now > earliest else earliest)
            if queue and (due is None or queue[0][0] <= due):
                if queue[0][0] >= end:
                    break
                self._pop()
                continue
            if due is None or due >= end:
                break
            if kind is _WAIT:
                self.wait(due)
            else:
                touch(act, due)
        else:
            self._problem(f"R2: no end after {most} steps (last action: {act!r})")
        return self.finish(end)

    def settle(self, limit: datetime) -> None:
        """Everything that happens before ``limit``: scheduled touches, the prospect's own
        events and time-driven changes, in time order (the batch planner's mode)."""
        queue = self.queue
        most = _most_steps(self.now, limit)
        for _ in range(most):
            act, due = (self._act, self._due) if self._act is not None else self._ask(self.now)
            nxt = queue[0][0] if queue else None
            if act.kind is _WAIT and due < limit and (nxt is None or due < nxt):
                self.wait(due)
                continue
            if nxt is None or nxt >= limit:
                return
            self._pop()
        self._problem(f"R2: no end after {most} steps")

    def due_before(self, limit: datetime) -> bool:
        """Whether a touch is due before ``limit`` (and none is scheduled yet)."""
        if self._queued:
            return False
        act, due = (self._act, self._due) if self._act is not None else self._ask(self.now)
        return act.kind not in _NOT_TOUCHES and due < limit

    def idle(self) -> bool:
        """Whether :meth:`settle` and :meth:`due_before` do nothing, now and at any later limit,
        until a touch is scheduled: the engine's answer is ``none`` (or a meeting to attend)
        and nothing is queued. The batch planner's mode skips such a prospect day after day."""
        act = self._act
        return act is not None and act.kind in _IDLE and not self.queue

    def schedule(self, act: Action, at: datetime) -> None:
        """The batch planner gave ``act`` a slot starting at ``at``."""
        self._seq += 1
        self._queued += 1
        heapq.heappush(self.queue, (at, self._seq, act))

    def _pop(self) -> None:
        at, seq, item = heapq.heappop(self.queue)
        if isinstance(item, Action):
            self._queued -= 1
            self.touch(item, at)
        else:
            kind = type(item)
            if (kind is _MEETING_BOOKED or kind is _EMAIL_REPLIED) and self._booked(at):
                # Decided earlier, arriving now: a prospect who has booked a meeting since
                # (two offers were in flight) books no other, and asks for no other times.
                if isinstance(item, ev.MeetingBooked):
                    return
                if isinstance(item, ev.EmailReplied) and item.intent == "positive":
                    item = email_replied(item.at, None)
                    self._wants_meeting = False
            answers = self._drip_answers
            if answers and seq in answers:  # R11: an answer to a drip touch
                answers.discard(seq)
                self._drip = True
                self.apply(item)
                self._drip = False
            else:
                self.apply(item)

    def _ask(self, now: datetime) -> tuple[Action, datetime]:
        """The engine's next action at ``now``, checked against the rules, with its
        ``earliest_utc``: the checks and ``run`` both need it, and moving an instant to UTC is
        one of the dearer things a step does."""
        # The engine's decision, without the talking points: no responder reads them (the
        # action is otherwise next_action's own; tests/test_simulation.py holds the two equal).
        found = self.engine._decide(self.p, now)
        if isinstance(found, Action):
            act = found
        else:
            state, cal, spot = found
            act = self.engine._action(state, cal, spot, words=False)
        earliest = act.earliest.astimezone(UTC)
        self.queries += 1
        if self.check:
            problems = problems_of(
                self.engine, self.p, act, earliest, now, self._before, self._event, self.cal
            )
            if problems:
                for problem in problems:
                    self._problem(problem)
        self._before = self._event = None
        self._act, self._due = act, earliest
        return act, earliest

    def wait(self, until: datetime) -> None:
        """Time passes (a pause ends, an unanswered breakup drops the prospect, R10, R17)."""
        before = self.p
        self.p = self.engine.advance(before, until)
        self.now = until
        self._act = None
        self._staged(before.stage, until)

    def apply(self, event: ev.Event) -> None:
        """Apply one event and keep the tallies."""
        before = self.p
        after = self.engine.apply(before, event)
        self.events += 1
        self.p = after
        self._act = None
        at = event.at
        self.now = at
        self._before = before
        self._event = event
        if isinstance(event, _EMAIL_SENT):
            pass  # half of all events: nothing to tally
        elif isinstance(event, _CALL_ATTEMPTED):
            if event.outcome == "connected":
                self._connected(at)
        elif isinstance(event, _EMAIL_REPLIED):
            if event.intent != "unsubscribe":  # an opt-out is not a conversation
                self._connected(at)
        elif isinstance(event, _MEETING_BOOKED):
            self.booked += 1
            self._meeting_outcome(event)
        elif isinstance(event, _MEETING_HELD):
            self.held += 1
        elif isinstance(event, ev.MeetingCancelled) and event.meeting_id in self._decided:
            self._decided -= {event.meeting_id}  # cancelled again: new times to decide on
        elif isinstance(event, ev.ContactUpdated):  # what the rep found works
            if event.phone is not None:
                self._bad_phone = False
            if event.email is not None:
                self._bad_email = False
        stage = after.stage
        if stage is not before.stage:
            self._staged(before.stage, at)
        if stage in _AFTER_END:
            self.queue.clear()  # nothing the prospect planned happens after they left
            self._queued = 0
            self._drip_answers.clear()

    def touch(self, act: Action, at: datetime) -> None:
        """The rep carries out ``act`` at ``at``; the responder decides what comes of it."""
        if act.kind is not _DRIP_TOUCH:
            self._carry_out(act, at)
            return
        # R11: what comes of a drip touch (a call answered at once, a reply or a returned call
        # later) is what the drip brought back; ``drip_reengaged`` counts only that.
        first = self._seq + 1
        self._drip = True
        self._carry_out(act, at)
        self._drip = False
        self._drip_answers.update(range(first, self._seq + 1))

    def _carry_out(self, act: Action, at: datetime) -> None:
        """The rep carries out ``act`` at ``at`` (:meth:`touch`, without the drip's tally)."""
        since = at - self.start  # _day_index, written out
        self.touches.append(
            since.days if not since.microseconds else int(since.total_seconds() // _DAY)
        )
        r, luck, kind = self.r, self.luck, act.kind
        if kind is _RECEPTIONIST or (kind is _ESCALATE and act.detail != _ASK_WHO_ELSE):
            self._someone_else(act, at)
            return
        # Times offered (R14, R15, or after a reply): one decision to book comes of it, in the
        # conversation if there is one (live or a returned voicemail), else on reading them.
        offering = kind is _PROPOSE_TIMES or (bool(act.also) and _PROPOSE_TIMES in act.also)
        if act.detail is not None:
            offering = self._offers_for(act, offering)
        if act.channel is _PHONE:
            if self._bad_phone:  # someone else answers: nothing the call was for happens
                self._calls += 1
                self.apply(call_attempted(at, "wrong_number"))
                self._find_new_details(at, phone=True)
                return
            p = self._answer
            if p is None:  # time-of-day or attempt effects
                p = r.answer_probability(act.slot, self._calls)
            self._calls += 1
            if kind is _OPT_OUT_OFFER and luck.chance(OPT_OUT, r.opt_out_rate):
                # They take the offer (R8): on the phone the conversation is that, and
                # nothing else comes of it; on voicemail, a while after hearing it.
                if luck.chance(ANSWER, p):
                    event = connected_call(at, permission=False, next_contact_at=None)
                    self._later(ev.OptedOut(at=at + MINUTE))
                else:
                    event = call_attempted(at, "voicemail")
                    self._opts_out(at)
                self.apply(event)
                return
            if luck.chance(ANSWER, p):
                event = self._conversation_call(at, act if offering else None)
                offering = False
            else:
                event = call_attempted(at, "voicemail")
                # The breakup (R10) has its own rate by phone too: its voicemail is returned
                # at ``breakup_reply_rate``, on the breakup's stream, as its email is answered.
                if (
                    luck.chance(BREAKUP, r.breakup_reply_rate)
                    if kind is _BREAKUP
                    else luck.chance(CALLBACK, r.callback_rate)
                ):
                    back = at + timedelta(minutes=30 + luck.below(DELAY, 330))
                    self._later(self._conversation_call(back, act if offering else None))
                    offering = False
            self.apply(event)
        else:
            self.apply(email_sent(at))
            if self._bad_email:  # it bounces: nobody reads it
                bounced = at + 2 * MINUTE
                self._later(ev.EmailBounced(at=bounced))
                self._find_new_details(bounced, phone=False)
                return
            if luck.chance(OUT_OF_OFFICE, r.out_of_office_rate):
                until = at + timedelta(days=3 + luck.below(DELAY, 8))
                self._later(out_of_office(at + 2 * MINUTE, until))
            elif r.unsubscribe_rate and luck.chance(UNSUBSCRIBE, r.unsubscribe_rate):
                when = at + timedelta(minutes=10 + luck.below(UNSUBSCRIBE, 24 * 60))
                self._later(ev.EmailReplied(at=when, intent="unsubscribe"))
                return  # nothing the email asked for comes of it
            elif kind not in _NO_REPLY_ASKED:
                if kind is _BREAKUP:  # R10: the last message has its own rate
                    if luck.chance(BREAKUP, r.breakup_reply_rate):
                        self._later(self._reply(at))
                elif luck.chance(REPLY, r.reply_rate):
                    self._later(self._reply(at))
        if kind is _OPT_OUT_OFFER:
            if act.channel is not _PHONE and luck.chance(OPT_OUT, r.opt_out_rate):
                self._opts_out(at)
        elif offering:
            accept = luck.chance(BOOK, r.book_rate)
            meeting = self._offered(act)
            if meeting is not None:
                self._decided |= {meeting}
            if accept or self._wants_meeting:
                self._wants_meeting = False
                booked = at + timedelta(minutes=60 + luck.below(DELAY, 23 * 60))
                self._later(self._booking(booked, meeting))

    def finish(self, end: datetime) -> Record:
        """The prospect's record as of ``end``."""
        if end > self.now:
            self.wait(end)
        return Record(
            number=self.member.number,
            owner=self.member.owner,
            enrolled=self._days(self.p.enrolled_at),
            touches=tuple(self.touches),
            connects=tuple(self.connects),
            first_connect=self.first_connect,
            touches_to_connect=self.touches_to_connect,
            meetings_booked=self.booked,
            meetings_held=self.held,
            reached=self.reached,
            stages=tuple(self.stages),
            drip_reengaged=self.reengaged,
            violations=self.violations,
            examples=tuple(self.examples),
            events=self.events,
            queries=self.queries,
            unreachable=(
                self.p.stage is not Stage.OPTED_OUT and self.p.unreachable >= _PHONE_AND_EMAIL
            ),
        )

    def _someone_else(self, act: Action, at: datetime) -> None:
        """R9: a touch to someone else, the receptionist or (a manager's call) the prospect's
        superior (seed 002), or a referral. They hear it; the prospect does not answer it:
        no conversation, no returned call, no reply, out-of-office or unsubscribe of theirs
        comes of it (and their own address or number, good or bad, is not the one used).
        Both calls are logged as a third party's (``third_party=True``): the receptionist's
        reaching the gatekeeper, the manager's a voicemail left for the superior. Asking who
        else decides is asked of the prospect ("Who else besides yourself...?"): an ordinary
        touch."""
        if act.channel is _PHONE:
            outcome: Literal["gatekeeper", "voicemail"] = (
                "gatekeeper" if act.kind is _RECEPTIONIST else "voicemail"
            )
            self.apply(call_attempted(at, outcome, third_party=True))
        else:
            self.apply(email_sent(at))

    # -- tallies -----------------------------------------------------------------------------
    def _days(self, at: datetime) -> float:
        return (at - self.start).total_seconds() / _DAY

    def _day_index(self, at: datetime) -> int:
        """``int((at - start).total_seconds() // 86400.0)``: for a whole number of seconds
        (every instant of a run started on one) that is the exact ``days`` of the difference,
        read without two float operations (timedelta keeps 0 <= seconds < 86400, and any
        difference of datetimes is below 2**53 seconds, so the float is exact)."""
        since = at - self.start
        return since.days if not since.microseconds else int(since.total_seconds() // _DAY)

    def _connected(self, at: datetime) -> None:
        self.connects.append(self._day_index(at))
        if self.first_connect is None:
            self.first_connect = (at - self.p.enrolled_at).total_seconds() / _DAY
            self.touches_to_connect = len(self.touches)

    def _staged(self, old: Stage, at: datetime) -> None:
        new = self.p.stage
        if new is old:
            return
        if new is _ENGAGED and old in _FROM_DRIP and self._drip:
            self.reengaged = True  # R11: an answer to a drip touch brought them back
        self.reached |= _BIT[new]
        self.stages.append((self._days(at), _INDEX[new]))

    def _problem(self, message: str) -> None:
        self.violations += 1
        if len(self.examples) < _EXAMPLES:
            self.examples.append(f"{self.p.id}: {message}")


def _most_steps(start: datetime, end: datetime) -> int:
    """The loop guard for simulating from ``start`` to ``end``: grows with the days, so that a
    run of decades is never cut short (and reported as R2) by a guard sized for a year."""
    days = max((end - start).days, 0)
    return _MAX_STEPS + _STEPS_PER_DAY * days
