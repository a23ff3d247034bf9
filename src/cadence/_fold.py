"""Folding one event into a prospect's facts: what each event means (R1, R6–R17).

Works on a plain dict of the prospect's fields so that ``replay`` folds a long history in linear
time and builds one ``Prospect`` at the end; ``apply`` folds one event into a shallow copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol

from cadence import events as ev
from cadence._construct import build
from cadence._ladder import ESCALATIONS, drip_allowed, ladder_step
from cadence._words import DAYS, day_month, day_month_time
from cadence.actions import ActionKind, Priority, touch_kind
from cadence.calendar import ContactCalendar, resolve_local
from cadence.channel import Channel
from cadence.lifecycle import TERMINAL, Stage, Trigger, lifecycle
from cadence.policy import RECENT_CALLS_DAYS, Policy
from cadence.prospect import Meeting, Obligation

State = dict[str, Any]

_RECENT = timedelta(days=RECENT_CALLS_DAYS)  # the longest span a cap may count over

# Obligation keys that are themselves the next contact (the ladder waits behind them).
CONTACT_KEYS = frozenset({"commitment", "followup", "no_show_call", "reschedule_call", "resume"})
# Obligations whose touch, when unanswered, counts as an attempt on the ladder.
COUNTING_KEYS = frozenset({"commitment", "followup", "no_show_call", "resume"})


def lead_channel(state: State) -> Channel:
    """R16: the prospect's preferred channel leads; a blocked channel is never used."""
    blocked = state["blocked_channels"]
    preferred = state["preferred_channel"]
    if preferred is not None and preferred not in blocked:
        return preferred if type(preferred) is Channel else Channel(preferred)
    if _PHONE not in blocked:
        return _PHONE
    if _EMAIL not in blocked:
        return _EMAIL
    # Nothing works: what is owed waits on a channel that failed (a new number or address
    # opens it), never on one the prospect refused (R13).
    return _EMAIL if _PHONE not in state["unreachable"] else _PHONE


# Enum members read on the hot path, bound to module names: on Python 3.11 every
# ``Stage.NEW``-style read goes through ``EnumType.__getattr__``'s slot, about 70 ns, ten
# times a global (3.12 dropped the hook). See docs/performance.md.
_PHONE, _EMAIL = Channel.PHONE, Channel.EMAIL
_DRIP_TOUCH, _OPT_OUT_OFFER = ActionKind.DRIP_TOUCH, ActionKind.OPT_OUT_OFFER
_BREAKUP, _EMAIL_TOUCH = ActionKind.BREAKUP, ActionKind.EMAIL
_OFFER_OPT_OUT, _UNANSWERED = Trigger.OFFER_OPT_OUT, Trigger.UNANSWERED
_RESCHEDULE, _FOLLOW_UP = Priority.RESCHEDULE, Priority.FOLLOW_UP

# R14's written work after the rep cancels a meeting, and what its reasons say.
_R14, _R14_R6 = ("R14",), ("R14", "R6")
_R6, _R6_R8 = ("R6",), ("R6", "R8")
_R14_TIMES = (
    "propose new times now and send the new invitation; offer flexibility (before or after "
    "hours, coffee or lunch if local)"
)
_R14_APOLOGY = "a brief, apologetic email that says you left a voicemail"
_R14_BY_EMAIL = "their number does not work: apologise by email for cancelling, warmly and briefly"
_R14_NO_CALLS = "they asked not to be called: apologise by email for cancelling, warmly and briefly"
_R14_APOLOGY_TIMES = (
    "a brief, apologetic email that says you left a voicemail and proposes new times; send "
    "the new invitation and offer flexibility (before or after hours, coffee or lunch if local)"
)


def _counts(done: tuple[Obligation, ...]) -> bool:
    """Whether an unanswered touch that performed ``done`` (none: the ladder's step) is an
    attempt on the ladder."""
    if not done or done[0].key in COUNTING_KEYS:
        return True
    return len(done) > 1 and any(o.key in COUNTING_KEYS for o in done)


def _obligation(**kw: Any) -> Obligation:
    return build(Obligation, kw)


class NamedTask(Protocol):
    """What :meth:`Fold.fulfil` reads of a task: the key of the obligation it performs (None
    for the ladder's step or a drip touch). An engine task that has one and is also a step of
    the ladder (``ladder``: the R6 email joined to the ladder's written step) does both; one
    with ``joined`` tasks performs their obligations too (one touch)."""

    @property
    def key(self) -> str | None: ...

    @property
    def ladder(self) -> bool: ...

    @property
    def joined(self) -> tuple[NamedTask, ...]: ...


#: The engine's answer to "which task do you name on this channel at this instant?", given the
#: obligations on that channel.
Named = Callable[[State, Channel, datetime, list[Obligation]], Obligation | NamedTask | None]


class Fold:
    """Applies events to a state dict. One instance per (engine, prospect calendar)."""

    def __init__(
        self, policy: Policy, calendar: ContactCalendar, named: Named | None = None
    ) -> None:
        self.policy = policy
        self.cal = calendar
        self.named = named
        """The task the engine names for a channel at an instant (what a touch is credited
        with, :meth:`fulfil`)."""
        self.react = timedelta(minutes=policy.reaction_minutes)
        self._handlers: dict[str, Any] = {
            name[3:]: getattr(self, name) for name in dir(self) if name.startswith("on_")
        }

    # -- shared pieces ---------------------------------------------------------------------
    def stage(self, state: State, trigger: Trigger | None) -> None:
        if trigger is not None:
            state["stage"] = lifecycle().next_stage(state["stage"], trigger)

    def add(self, state: State, ob: Obligation) -> None:
        """Add an obligation, replacing one with the same key (a newer promise supersedes)."""
        state["obligations"] = (*(o for o in state["obligations"] if o.key != ob.key), ob)

    def owe(self, state: State, event_at: datetime, **fields: Any) -> None:
        """Add an obligation an event created: due one reaction delay after the event (never at
        the event's own instant)."""
        self.add(state, _obligation(not_before=event_at + self.react, **fields))

    def drop(self, state: State, *keys: str) -> None:
        state["obligations"] = tuple(o for o in state["obligations"] if o.key not in keys)

    def fulfil(self, state: State, channel: Channel, at: datetime) -> tuple[Obligation, ...]:
        """The obligations a touch on ``channel`` at ``at`` performs, the one it was named for
        first (none: a ladder step).

        They are the task the engine names for that channel then (``named``), so that the rep
        who does what ``next_action`` said is credited with it, and the tasks joined to it (one
        touch, :mod:`cadence._one_touch`). Without one (no engine), or when the engine names
        nothing there, the most urgent obligation on the channel. A task that is an obligation
        and the ladder's step at once is both: the obligation is dropped, and none returned
        says the touch counts on the ladder."""
        mine: list[Obligation] = [o for o in state["obligations"] if o.channel == channel]
        if not mine:
            return ()
        named = None if self.named is None else self.named(state, channel, at, mine)
        if isinstance(named, Obligation):
            self.performed(state, (named,), at)
            return (named,)
        if named is not None:
            # An engine task. (Its attributes are not asked of an Obligation: a pydantic model
            # raises inside on a missing attribute, microseconds a touch.)
            keys = [t.key for t in named.joined] if named.joined else [named.key]
            done = tuple(o for k in keys for o in mine if o.key == k)
            if done or named.key is None:
                self.performed(state, done, at)
                # Joined to the ladder's step (or the step alone), the touch counts there.
                return () if named.ladder or named.key is None else done
        first = min(mine, key=lambda o: (o.priority, o.not_before, o.key))
        self.performed(state, (first,), at)
        return (first,)

    def performed(self, state: State, done: tuple[Obligation, ...], at: datetime) -> None:
        """``done`` is no longer owed. Except the material a call asked for an address for
        (their email bounced): it waits on email, unseen while email is blocked, until a new
        address opens it (``contact_updated``). When they refused email, the call that went
        through the material with them is all there is."""
        self.drop(state, *(o.key for o in done))
        if _refused(state, _EMAIL):
            return  # the call went through the material with them: email is not an option
        for o in done:
            if o.channel is _PHONE and _material(o):
                later = max(o.not_before, at + self.react)
                self.add(state, o.model_copy(update={"channel": _EMAIL, "not_before": later}))

    def responded(self, state: State, at: datetime) -> None:
        """Any response: the ladder starts over (R11: from the drip too) and pauses end. An
        email that would mention a voicemail (R6) has nothing left to say: they answered."""
        self.reset_ladder(state)
        self.stage(state, Trigger.RESPOND)
        self.drop_voicemail_email(state)

    @staticmethod
    def reset_ladder(state: State) -> None:
        """The unanswered ladder starts over: no attempts, no offer, no breakup, no pause."""
        state.update(
            unanswered=0,
            calls_unanswered=0,
            opt_out_offered_at=None,
            escalations_done=0,
            breakup_sent_at=None,
            dropped_at=None,
            paused_until=None,
            pause_reason=None,
        )

    def conversation(
        self, state: State, at: datetime, next_contact_at: datetime | None, permission: bool | None
    ) -> None:
        """A live conversation (R1): schedule the agreed contact, or a flagged default."""
        if permission is not None:
            state["permission"] = permission  # R12
        self.drop(state, "commitment", "followup", "no_show_call", "resume")
        channel = lead_channel(state)
        kind = touch_kind(channel)
        if next_contact_at is not None:
            local = self.cal.local(next_contact_at)
            self.add(
                state,
                _obligation(
                    key="commitment",
                    kind=kind,
                    channel=channel,
                    not_before=next_contact_at,
                    exact=True,
                    priority=Priority.PROMISE,
                    rules=("R1",),
                    reason=f"agreed with the prospect: next contact {day_month_time(local)}",
                ),
            )
        else:
            self.owe(
                state,
                at,
                key="followup",
                kind=kind,
                channel=channel,
                business_days=self.policy.followup_business_days,
                priority=Priority.FOLLOW_UP,
                rules=("R1", "R2"),
                flags=("commitment_missing",),
                reason=(
                    "the conversation ended without an agreed next contact; default "
                    f"follow-up after {self.policy.followup_business_days} business days"
                ),
            )

    def attempt(self, state: State, at: datetime, channel: Channel, counts: bool) -> None:
        """An unanswered touch: what it performed moves the ladder (R3, R7, R8, R10, R11)."""
        step = ladder_step(self.policy, state) if counts else None
        if channel is _PHONE:
            state["calls_unanswered"] += 1
            state["last_attempt_slot"] = self.cal.slot_of(at)
        else:
            state["calls_unanswered"] = 0
        state["last_attempt_at"] = at
        if step is None:
            return
        if step == _DRIP_TOUCH:
            state["last_drip_at"] = at
            return
        state["unanswered"] += 1
        if step == _OPT_OUT_OFFER:
            state["opt_out_offered_at"] = at
            self.stage(state, _OFFER_OPT_OUT)
        elif step == _BREAKUP:
            state["breakup_sent_at"] = at
            self.stage(state, _UNANSWERED)
        elif step in ESCALATIONS:
            state["escalations_done"] += 1
        elif not upcoming_meeting(state, at):
            self.stage(state, _UNANSWERED)

    # -- events ----------------------------------------------------------------------------
    def apply(self, state: State, event: ev.Event) -> None:
        at = event.at
        stage = state["stage"]
        if isinstance(event, ev.OptedOut):
            self.opted_out(state, event.channels)
        elif stage in TERMINAL:
            if isinstance(event, ev.OptedIn) and stage is Stage.OPTED_OUT:
                state["blocked_channels"] = state["unreachable"] = frozenset()
                self.reset_ladder(state)  # opting in is a response: the ladder starts over
                self.stage(state, Trigger.OPT_IN)
                self.conversation(state, at, None, None)
                self.drop(state, "followup")
                self.add(state, self._followup(state, at, ("R13",), "opted in again: follow up"))
            elif isinstance(event, ev.CallAttempted):
                # R13: nothing reopens a terminal prospect, but a call made anyway still counts
                # toward the elapsed-time caps (DESIGN §5) should they opt in again.
                self._log_call(state, at)
            elif isinstance(event, ev.ContactUpdated):
                self.on_contact_updated(state, event)  # the record stays current (R13 lists)
            # Otherwise R13: nothing arriving later reopens a terminal prospect.
        else:
            self._handlers[event.type](state, event)
        state["last_event_at"] = max(state["last_event_at"], at)

    def _followup(
        self, state: State, at: datetime, rules: tuple[str, ...], reason: str
    ) -> Obligation:
        channel = lead_channel(state)
        return _obligation(
            key="followup",
            kind=touch_kind(channel),
            channel=channel,
            not_before=at + self.react,
            priority=Priority.FOLLOW_UP,
            rules=rules,
            reason=reason,
        )

    @staticmethod
    def _log_call(state: State, at: datetime) -> None:
        """Keep the instants of the calls that elapsed-time caps may still count."""
        cutoff = at - _RECENT
        state["recent_calls"] = (*(t for t in state["recent_calls"] if t > cutoff), at)

    def on_call_attempted(self, state: State, e: ev.CallAttempted) -> None:
        at = e.at
        if e.outcome == "wrong_number":
            self._log_call(state, at)
            self._failed(state, _PHONE)
            self._r14_in_one_message(state, _PHONE)
            self._rechannel(state, _PHONE, _EMAIL)
            return
        done = self.fulfil(state, _PHONE, at)  # what the engine named before this call
        self._log_call(state, at)
        if e.outcome == "connected":
            state["last_attempt_at"] = at
            state["last_attempt_slot"] = None
            self.responded(state, at)
            self.conversation(state, at, e.next_contact_at, e.permission)
            return
        self.attempt(state, at, _PHONE, _counts(done))
        if e.outcome == "voicemail" and self.policy.voicemail_email:
            self._voicemail_email(state, at, done)

    def _voicemail_email(self, state: State, at: datetime, done: tuple[Obligation, ...]) -> None:
        """R6 (and R14 when the call was the rep's reschedule): a same-day email that mentions
        the voicemail."""
        if _EMAIL in state["blocked_channels"]:
            return
        local = self.cal.local(at)
        day = DAYS[local.weekday()]
        end_of_day = local.replace(hour=23, minute=59, second=59, microsecond=0)
        # (Loops, not ``any`` over a generator: this runs on most calls, and ``done`` and the
        # obligations are a few items at most.)
        rescheduling = False
        for o in done:
            if o.key == "reschedule_call":
                rescheduling = True
        if not rescheduling:
            for o in state["obligations"]:
                if o.rules == _R14_R6 and o.key == "propose_times":
                    return  # the apology's proposal already says you left a voicemail: one email
        if rescheduling:
            times = next(
                (o for o in state["obligations"] if o.key == "propose_times" and o.rules == _R14),
                None,
            )
            if times is not None and times.channel is _EMAIL:
                # R14: the message that apologises for the cancelled meeting proposes the new
                # times too. One email, due now and the same day, instead of two at once.
                deadline = end_of_day.astimezone(UTC)
                if times.deadline is not None:
                    deadline = min(deadline, times.deadline)
                joined = {"rules": _R14_R6, "reason": _R14_APOLOGY_TIMES, "deadline": deadline}
                self.drop(state, "voicemail_email")  # it follows the latest voicemail
                self.add(state, times.model_copy(update=joined))
                return
        rules: tuple[str, ...]
        if rescheduling:
            rules, reason = _R14_R6, _R14_APOLOGY
        elif state["opt_out_offered_at"] == at:  # R8: the voicemail offered the opt-out
            rules = _R6_R8
            reason = (
                f"a brief email that mentions {day}'s voicemail and repeats its offer, due that day"
            )
        else:
            rules, reason = _R6, f"a brief email that mentions {day}'s voicemail, due that day"
        self.owe(
            state,
            at,
            key="voicemail_email",
            kind=_EMAIL_TOUCH,
            channel=_EMAIL,
            deadline=end_of_day.astimezone(UTC),
            priority=_RESCHEDULE if rescheduling else _FOLLOW_UP,
            rules=rules,
            reason=reason,
            detail=day,
        )

    def drop_voicemail_email(self, state: State) -> None:
        """The R6 email is no longer owed (they answered, or their email bounced). The R14
        proposal that also apologised for a voicemail goes back to proposing times alone."""
        self.drop(state, "voicemail_email")
        for o in state["obligations"]:
            if o.key == "propose_times" and o.rules == _R14_R6:
                self.add(
                    state,
                    o.model_copy(update={"rules": _R14, "reason": _R14_TIMES, "deadline": None}),
                )
                return

    def on_email_sent(self, state: State, e: ev.EmailSent) -> None:
        if _counts(self.fulfil(state, _EMAIL, e.at)):
            self.attempt(state, e.at, _EMAIL, True)

    def on_email_replied(self, state: State, e: ev.EmailReplied) -> None:
        at = e.at
        if e.intent == "unsubscribe":
            self.opted_out(state, frozenset({Channel.EMAIL}))
            return
        self.responded(state, at)
        self.drop(state, "followup", "resume")
        if e.intent == "positive":
            self.owe(
                state,
                at,
                key="propose_times",
                kind=ActionKind.PROPOSE_TIMES,
                # A reply is answered in writing, unless they opted out of email (R13).
                channel=_PHONE if _refused(state, _EMAIL) else _EMAIL,
                priority=Priority.PROMISE,
                rules=("R2",),
                reason="they replied with interest: propose times for a meeting now",
            )
        elif e.intent == "not_now":
            until = e.resume_at or at + timedelta(days=self.policy.drip_interval_days)
            self.pause(state, until, "asked to be contacted later")
            self.add(
                state,
                _obligation(
                    key="resume",
                    kind=ActionKind.CALL
                    if lead_channel(state) is Channel.PHONE
                    else ActionKind.EMAIL,
                    channel=lead_channel(state),
                    not_before=until,
                    priority=Priority.PROMISE if e.resume_at else Priority.FOLLOW_UP,
                    rules=("R17", "R1") if e.resume_at else ("R17",),
                    reason=f"they said not now; resume on {day_month(self.cal.local(until))}",
                ),
            )
        elif e.intent in ("referral", "wrong_person"):
            who = e.referral or "the right person"
            self.owe(
                state,
                at,
                key="referral",
                kind=ActionKind.ESCALATE,
                channel=lead_channel(state),
                priority=Priority.PROMISE,
                rules=("R9",),
                reason=(
                    f"they referred you to {who}: contact them, mentioning the referral"
                    if e.intent == "referral"
                    else "wrong person: ask who else is involved in the decision"
                ),
                detail=e.referral,
                flags=("referral",) if e.intent == "referral" else (),
            )
        else:
            ob = self._followup(state, at, ("R2",), "they replied: follow up on their answer")
            self.add(state, ob.model_copy(update={"business_days": 1}))

    def on_email_bounced(self, state: State, e: ev.EmailBounced) -> None:
        self._failed(state, _EMAIL)
        self.drop_voicemail_email(state)
        self._r14_in_one_message(state, _EMAIL)
        self._rechannel(state, Channel.EMAIL, Channel.PHONE)

    @staticmethod
    def _failed(state: State, channel: Channel) -> None:
        """A bounce or a wrong number: the channel is blocked until a new address or number
        (``contact_updated``). One already blocked stays as it was: if the prospect opted out
        of it, a new address does not reopen it (R13)."""
        if channel not in state["blocked_channels"]:
            state["blocked_channels"] = state["blocked_channels"] | {channel}
            state["unreachable"] = state["unreachable"] | {channel}

    def on_contact_updated(self, state: State, e: ev.ContactUpdated) -> None:
        """The record's new values replace the stored ones (the engine checked a new place).
        A new number or address opens the channel if it had failed; what only an email does
        (the promised material), moved to the phone by the bounce, goes back to email. A
        channel the prospect refused stays blocked (R13)."""
        for name in ("owner", "topic", "local"):
            value = getattr(e, name)
            if value is not None:
                state[name] = value
        for name in e.clear:  # (an emptied country or subdivision: ``e.place`` below)
            state[name] = None
        state["timezone"], state["country"], state["subdivision"] = e.place(
            state["timezone"], state["country"], state["subdivision"]
        )
        given: set[Channel] = set()
        if e.phone is not None:
            state["phone"] = e.phone
            given.add(_PHONE)
        if e.email is not None:
            state["email"] = e.email
            given.add(_EMAIL)
        opened = state["unreachable"] & given
        if not opened:
            return
        state["unreachable"] = state["unreachable"] - opened
        state["blocked_channels"] = state["blocked_channels"] - opened
        for channel in sorted(opened):
            other = _EMAIL if channel is _PHONE else _PHONE
            if other in state["blocked_channels"]:
                # What was owed while neither channel worked waits on the other, blocked one:
                # it comes to the one that works again (as a bounce moves it to the phone).
                self._rechannel(state, other, channel)
        if _EMAIL in opened:
            # The material promised goes by email again (still on the phone, or waiting there
            # since a call asked for an address), one reaction delay after the news.
            soon = e.at + self.react
            state["obligations"] = tuple(
                o.model_copy(update={"channel": _EMAIL, "not_before": max(o.not_before, soon)})
                if _material(o)
                else o
                for o in state["obligations"]
            )

    def _r14_in_one_message(self, state: State, lost: Channel) -> None:
        """R14 when a channel fails (or is refused) before the apology call: the call and the
        written proposal of new times would land on one channel at once, so they become one
        message. No calls: the written proposal apologises, and the call is dropped (or, when
        the times were already sent, becomes a brief apologetic email). No email: the call,
        which apologises and proposes new times, does both, and the written proposal is
        dropped. (A proposal owed by phone, say because they prefer it, moves to email with
        the rest when the phone is lost: it is the written one then.)"""
        call = times = None
        for o in state["obligations"]:
            if o.key == "reschedule_call":
                call = o
            elif (
                o.key == "propose_times"
                and o.rules == _R14
                and (o.channel is _EMAIL or lost is _PHONE)
            ):
                times = o
        if call is None or call.channel is not _PHONE:
            return
        if lost is _EMAIL:
            if times is not None:
                self.drop(state, "propose_times")
        elif _EMAIL not in state["blocked_channels"]:
            if times is not None:
                self.drop(state, "reschedule_call")
            else:
                why = _R14_NO_CALLS if _refused(state, _PHONE) else _R14_BY_EMAIL
                by_email = {"kind": _EMAIL_TOUCH, "channel": _EMAIL, "reason": why}
                self.add(state, call.model_copy(update=by_email))

    def _rechannel(
        self,
        state: State,
        old: Channel,
        new: Channel,
        *,
        moves: Callable[[Obligation], bool] = lambda o: True,
    ) -> None:
        """Pending contacts on ``old`` that ``moves`` picks (default: all) move to ``new``; a
        touch of ``old``'s kind becomes one of ``new``'s."""
        if new in state["blocked_channels"]:
            return
        self._move(state, old, new, moves)

    @staticmethod
    def _move(
        state: State, old: Channel, new: Channel, moves: Callable[[Obligation], bool]
    ) -> None:
        """Pending contacts on ``old`` that ``moves`` picks go to ``new``, even blocked."""
        state["obligations"] = tuple(
            o.model_copy(
                update={
                    "channel": new,
                    "kind": touch_kind(new) if o.kind == touch_kind(old) else o.kind,
                }
            )
            if o.channel == old and moves(o)
            else o
            for o in state["obligations"]
        )

    def on_meeting_booked(self, state: State, e: ev.MeetingBooked) -> None:
        previous = next((m for m in state["meetings"] if m.id == e.meeting_id), None)
        meeting = Meeting(
            id=e.meeting_id, starts_at=e.starts_at, duration_minutes=e.duration_minutes
        )
        state["meetings"] = (*(m for m in state["meetings"] if m.id != e.meeting_id), meeting)
        self.responded(state, e.at)
        self.drop(state, "propose_times", "followup", "no_show_call", "resume")
        if Channel.MEETING in state["blocked_channels"]:
            # R13: they opted out of meetings; a booking logged anyway is a response, but only
            # an opt-in reopens the channel, so the meeting is withdrawn at once.
            self._withdraw_meetings(state)
            return
        if previous is not None and previous.status == "cancelled_by_prospect":
            self.owe(
                state,
                e.at,
                key=f"collateral:{e.meeting_id}",
                kind=ActionKind.SEND_COLLATERAL,
                channel=_material_channel(state),
                deadline=e.starts_at,
                priority=Priority.PREPARE,
                rules=("R15",),
                reason="before the rescheduled meeting, send additional information that "
                "will make it more productive",
                detail=e.meeting_id,
            )

    def _set_status(self, state: State, meeting_id: str, status: str) -> None:
        state["meetings"] = tuple(
            m.model_copy(update={"status": status}) if m.id == meeting_id else m
            for m in state["meetings"]
        )

    def on_meeting_cancelled(self, state: State, e: ev.MeetingCancelled) -> None:
        at = e.at
        self._set_status(state, e.meeting_id, f"cancelled_by_{e.by}")
        if e.by == "prospect":  # R15: a connecting moment, not a loss
            self.responded(state, at)
            self.owe(
                state,
                at,
                key="propose_times",
                kind=ActionKind.PROPOSE_TIMES,
                channel=lead_channel(state),
                deadline=self.end_of_business_days(at, 1),
                priority=Priority.PROMISE,
                rules=("R15",),
                reason="they cancelled: treat it as a connecting moment and propose a new time",
                detail=e.meeting_id,
            )
            return
        # R14: the rep cancels. Act at once, by phone first; new times; the promised material.
        if Channel.PHONE not in state["blocked_channels"]:
            self.owe(
                state,
                at,
                key="reschedule_call",
                kind=ActionKind.CALL,
                channel=Channel.PHONE,
                priority=Priority.RESCHEDULE,
                rules=("R14",),
                reason="you cancelled the meeting: call now (tone matters), apologise and "
                "propose new times",
                detail=e.meeting_id,
            )
        blocked = state["blocked_channels"]
        times_by: Channel | None = _EMAIL
        if _EMAIL in blocked:
            if _PHONE not in blocked:
                times_by = None  # no email (bounced or refused): the call proposes the times
            elif _refused(state, _EMAIL):
                times_by = _PHONE  # on the call a new number makes possible
        if times_by is None:
            self.drop(state, "propose_times")
        else:
            self.owe(
                state,
                at,
                key="propose_times",
                kind=ActionKind.PROPOSE_TIMES,
                channel=times_by,
                priority=Priority.RESCHEDULE,
                rules=_R14,
                reason=_R14_TIMES,
                detail=e.meeting_id,
            )
        self.owe(
            state,
            at,
            key=f"collateral:{e.meeting_id}",
            kind=ActionKind.SEND_COLLATERAL,
            channel=_material_channel(state),
            priority=Priority.PREPARE,
            rules=("R14",),
            reason="send now the material the meeting was to cover",
            detail=e.meeting_id,
        )

    def on_meeting_held(self, state: State, e: ev.MeetingHeld) -> None:
        self._set_status(state, e.meeting_id, "held")
        self.drop(state, f"collateral:{e.meeting_id}")
        self.responded(state, e.at)
        self.conversation(state, e.at, e.next_contact_at, e.permission)

    def on_meeting_no_show(self, state: State, e: ev.MeetingNoShow) -> None:
        self._set_status(state, e.meeting_id, "no_show")
        channel = lead_channel(state)
        self.owe(
            state,
            e.at,
            key="no_show_call",
            kind=touch_kind(channel),
            channel=channel,
            deadline=self.end_of_business_days(e.at, 1),
            priority=Priority.PROMISE,
            rules=("R2",),
            reason="they missed the meeting: reach out within a business day to reschedule",
            detail=e.meeting_id,
        )
        # Then reschedule offers in writing; after that, the unanswered ladder.
        if Channel.EMAIL not in state["blocked_channels"]:
            self.owe(
                state,
                e.at,
                key="propose_times",
                kind=ActionKind.PROPOSE_TIMES,
                channel=Channel.EMAIL,
                business_days=1,
                priority=Priority.FOLLOW_UP,
                rules=("R2",),
                reason="after the missed meeting, offer new times in writing",
                detail=e.meeting_id,
            )

    def end_of_business_days(self, at: datetime, n: int) -> datetime:
        """The end of the ``n``-th business day after ``at``'s local day, in UTC."""
        day = self.cal.add_business_days(self.cal.local(at).date(), n)
        return resolve_local(day, time(23, 59), self.cal.zone).astimezone(UTC)

    def pause(self, state: State, until: datetime, reason: str) -> None:
        state["paused_until"] = until
        state["pause_reason"] = reason

    def on_out_of_office(self, state: State, e: ev.OutOfOffice) -> None:
        if e.until is not None:
            back = self.cal.local(e.until).date()
            day = self.cal.add_business_days(back, 1 if back > self.cal.local(e.at).date() else 0)
        else:
            day = self.cal.add_business_days(
                self.cal.local(e.at).date(), self.policy.out_of_office_default_days
            )
        until = resolve_local(day, time(0), self.cal.zone).astimezone(UTC)
        self.pause(state, max(until, e.at + self.react), "out of office")

    def opted_out(self, state: State, channels: frozenset[Channel] | None) -> None:
        """R13: absorbing. Per-channel only when the policy scopes opt-outs by channel."""
        if channels and self.policy.opt_out_scope == "channel":
            blocked = state["blocked_channels"] | channels
            state["blocked_channels"] = blocked
            failed = state["unreachable"] = state["unreachable"] - channels  # refused now
            for channel in sorted(channels & {_PHONE, _EMAIL}):
                other = _EMAIL if channel is _PHONE else _PHONE
                if other not in blocked or other in failed:
                    # Refusing one channel is not refusing contact: what is owed moves to the
                    # other (the material to a call that goes through it with them), as after
                    # a bounce or a wrong number, except the email that follows up a voicemail.
                    if channel is _EMAIL:
                        self.drop_voicemail_email(state)
                    self._r14_in_one_message(state, channel)
                    self._move(state, channel, other, lambda o: True)
            state["obligations"] = tuple(
                o for o in state["obligations"] if o.channel not in blocked - failed
            )
            if Channel.MEETING in blocked:
                self._withdraw_meetings(state)
            # Out for good once they refused both; a channel that only failed (a bounce, a
            # wrong number) may open again with a new address or number.
            if not {Channel.PHONE, Channel.EMAIL} <= blocked - failed:
                return
        state["blocked_channels"] = frozenset({Channel.PHONE, Channel.EMAIL, Channel.MEETING})
        state["unreachable"] = frozenset()
        state["obligations"] = ()
        state["paused_until"] = None
        self._withdraw_meetings(state)
        self.stage(state, Trigger.OPT_OUT)

    @staticmethod
    def _withdraw_meetings(state: State) -> None:
        """No more meetings (R13): the booked ones count as cancelled by the prospect, so none
        is attended, and none holds the ladder back, even after an opt-in."""
        state["meetings"] = tuple(
            m.model_copy(update={"status": "cancelled_by_prospect"}) if m.status == "booked" else m
            for m in state["meetings"]
        )

    def on_opted_in(self, state: State, e: ev.OptedIn) -> None:
        state["blocked_channels"] = state["unreachable"] = frozenset()

    def on_deal_closed(self, state: State, e: ev.DealClosed) -> None:
        state["obligations"] = ()
        state["paused_until"] = None
        if e.won:
            self.stage(state, Trigger.WIN)
            return
        state["dropped_at"] = e.at
        state["last_drip_at"] = None
        self.stage(
            state, Trigger.LOSE_TO_DRIP if drip_allowed(self.policy, state) else Trigger.LOSE
        )

    def on_channel_preference(self, state: State, e: ev.ChannelPreference) -> None:
        state["preferred_channel"] = e.channel
        # R16: pending contacts move to the preferred channel.
        other = Channel.EMAIL if e.channel == Channel.PHONE else Channel.PHONE
        # A stated preference, not a blocked channel: what only writing does stays an email
        # (the R6 email that mentions a voicemail, the material promised, R14, R15).
        self._rechannel(state, other, Channel(e.channel), moves=_spoken)


def _material_channel(state: State) -> Channel:
    """Where material promised now is owed: by email; when their address bounced, by a call
    that asks for one that works (as a bounce moves material owed already); when they refused
    email, by a call that goes through it with them (waiting for a new number if theirs is
    wrong)."""
    blocked = state["blocked_channels"]
    if _EMAIL in blocked and (_PHONE not in blocked or _refused(state, _EMAIL)):
        return _PHONE
    return _EMAIL


def _refused(state: State, channel: Channel) -> bool:
    """Whether the prospect opted out of ``channel`` (blocked, and not because it failed)."""
    return channel in state["blocked_channels"] and channel not in state["unreachable"]


def _material(o: Obligation) -> bool:
    """The material promised (R14, R15): only an email sends it."""
    return o.key.startswith("collateral:")


def _spoken(o: Obligation) -> bool:
    """Not :func:`_written_only`: a call may do it."""
    return not _written_only(o)


def _written_only(o: Obligation) -> bool:
    """An obligation only an email performs: the R6 email (alone, or joined to R14's
    proposal), the promised material."""
    return o.key == "voicemail_email" or o.key.startswith("collateral:") or "R6" in o.rules


def booked(state: State) -> bool:
    """Whether a meeting is booked (held, missed and cancelled ones leave nothing owed)."""
    meetings = state["meetings"]
    return bool(meetings) and any(m.status == "booked" for m in meetings)


def upcoming_meeting(state: State, at: datetime) -> bool:
    """Whether a booked meeting is still ahead of ``at``."""
    meetings = state["meetings"]
    return bool(meetings) and any(m.status == "booked" and m.starts_at > at for m in meetings)
