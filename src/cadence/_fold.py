"""Folding one event into a prospect's facts: what each event means (R1, R6–R17).

The events of calls and emails are here; those of channels (:mod:`cadence._fold_channels`) and
meetings (:mod:`cadence._fold_meetings`) beside, on the shared bookkeeping of
:mod:`cadence._fold_base`.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from cadence import events as ev
from cadence._agenda import ladder_channel, ladder_due, ladder_time
from cadence._extra_touches import extra_touch
from cadence._fold_base import (
    _EMAIL,
    _EMAIL_TOUCH,
    _FOLLOW_UP,
    _PHONE,
    _R2,
    _R2_R6,
    _R6,
    _R6_R8,
    _R14,
    _R14_APOLOGY,
    _R14_APOLOGY_TIMES,
    _R14_R6,
    _RESCHEDULE,
    NO_SHOW_VOICEMAIL_TIMES,
    State,
    _counts,
    _obligation,
    _refused,
    answer_channel,
    interest_answer,
    lead_channel,
    resume_reason,
)
from cadence._fold_channels import ChannelFold, withdraw_meetings
from cadence._fold_meetings import MeetingFold
from cadence._ladder import ESCALATIONS, drip_allowed, ladder_step
from cadence._words import DAYS, day_month
from cadence.actions import ActionKind, Priority
from cadence.calendar import resolve_local
from cadence.channel import Channel
from cadence.lifecycle import TERMINAL, Stage, Trigger
from cadence.prospect import Obligation

# The ladder's steps that say something (R8's offer, R9's escalations, R10's breakup): only the
# touch the engine names them on says it. A plain attempt or a drip touch is any touch.
_MESSAGES = frozenset({ActionKind.OPT_OUT_OFFER, ActionKind.BREAKUP, *ESCALATIONS})
_RECEPTIONIST = ActionKind.CONTACT_RECEPTIONIST
_HEARD = frozenset({"connected", "voicemail", "gatekeeper"})  # outcomes someone heard
_R17, _R17_R1 = ("R17",), ("R17", "R1")  # the contact owed after "not now" (R1: on their day)


class Fold(ChannelFold, MeetingFold):
    """Applies events to a state dict. One instance per (engine, prospect calendar)."""

    def delivers(
        self, state: State, step: ActionKind, channel: Channel, at: datetime, said: bool
    ) -> bool:
        """Whether an unanswered touch is the ladder's ``step``: for an offer, an escalation or
        the breakup, only a touch that said it (not a call that rang out), on the channel the
        engine names it on, once it is due. An extra call while the breakup email is owed, or
        a second email minutes after the one that repeated the offer, is an attempt (R3) that
        said none of them: the step is still owed, and nobody is dropped (R10) without the
        breakup. Nor is a touch made while a pause lasts (R17: the engine names the wait)."""
        if step not in _MESSAGES:
            return True
        if not said or channel is not ladder_channel(self.policy, state, step):
            return False
        paused = state["paused_until"]
        if paused is not None and at < paused:
            return False
        when = ladder_time(self.policy, self.cal, state)
        return when is None or at >= ladder_due(self.cal, when)

    # -- events ----------------------------------------------------------------------------
    def apply(self, state: State, event: ev.Event) -> None:
        at = event.at
        stage = state["stage"]
        if isinstance(event, ev.OptedOut):
            self.opted_out(state, at, event.channels)
        elif stage in TERMINAL:
            if isinstance(event, ev.OptedIn) and stage is Stage.OPTED_OUT:
                state["blocked_channels"] = state["unreachable"] = frozenset()
                # R12: the opt-out withdrew the permission to stay in touch given before it
                # (a state an earlier release stored opted out may still hold it); only a
                # conversation after the opt-in gives it again.
                state["permission"] = None
                self.reset_ladder(state)  # opting in is a response: the ladder starts over
                state["last_response_at"] = at
                self.stage(state, Trigger.OPT_IN)
                self.conversation(state, at, None, None)
                self.drop(state, "followup")
                self.add(state, self._followup(state, at, ("R13",), "opted in again: follow up"))
            elif isinstance(event, ev.CallAttempted) and not event.third_party:
                # R13: nothing reopens a terminal prospect, but a call made anyway still counts
                # toward the elapsed-time caps (DESIGN §5) should they opt in again.
                self._log_call(state, at)
            elif isinstance(event, ev.ContactUpdated):
                self.on_contact_updated(state, event)  # the record stays current (R13 lists)
            # Otherwise R13: nothing arriving later reopens a terminal prospect.
        else:
            self._handlers[event.type](state, event)
        state["last_event_at"] = max(state["last_event_at"], at)

    def on_call_attempted(self, state: State, e: ev.CallAttempted) -> None:
        at = e.at
        if e.third_party:
            self._third_party_call(state, e)
            return
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
        # A voicemail says it; a gatekeeper hears the receptionist's escalation (R9) alone.
        said = e.outcome == "voicemail" or (
            e.outcome == "gatekeeper" and ladder_step(self.policy, state) is _RECEPTIONIST
        )
        counts = _counts(done) and not (
            not done and extra_touch(self.policy, self.cal, state, _PHONE, at)
        )
        self.attempt(state, at, _PHONE, counts, said)
        if e.outcome == "voicemail" and self.policy.voicemail_email:
            self._voicemail_email(state, at, done)
        if done:
            self.r14_try_again(state, at, done)

    def _third_party_call(self, state: State, e: ev.CallAttempted) -> None:
        """A call to someone else (R9's receptionist or a superior, or a referral): the
        prospect neither answered nor was called. It is the escalation the ladder owes when
        the engine names it and that person heard it (connected, voicemail, gatekeeper); one
        that rang out (or a wrong number) is a call nobody heard (``unheard_calls_limit``).
        Heard, it also makes the contact a referral asked for. Anything else changes nothing
        but the record's last event."""
        at = e.at
        heard = e.outcome in _HEARD
        if heard:
            referral = [o for o in state["obligations"] if o.key == "referral"]
            if referral and referral[0].channel is _PHONE:
                self.performed(state, (referral[0],), at)
                return
        step = ladder_step(self.policy, state)
        if step not in ESCALATIONS or not self.delivers(state, step, _PHONE, at, True):
            return
        state["last_attempt_at"] = at  # (R3's gap to the next step counts from it)
        if not heard:
            self._unheard(state, step)
            return
        state["unanswered"] += 1
        state["escalations_done"] += 1
        state["calls_unheard"] = 0

    def _voicemail_email(self, state: State, at: datetime, done: tuple[Obligation, ...]) -> None:
        """R6 (and R14 when the call was the rep's reschedule): a same-day email that mentions
        the voicemail."""
        if _EMAIL in state["blocked_channels"]:
            return
        local = self.cal.local(at)
        day = DAYS[local.weekday()]
        end_of_day = self.cal.end_of_day(local)  # (in UTC)
        # (Loops, not ``any`` over a generator: this runs on most calls, and ``done`` and the
        # obligations are a few items at most.)
        rescheduling = False
        for o in done:
            if o.key == "reschedule_call":
                rescheduling = True
        if not rescheduling:
            for o in state["obligations"]:
                if o.key == "propose_times" and (o.rules == _R14_R6 or o.rules == _R2_R6):
                    return  # the proposal already says you left a voicemail: one email
            if self._no_show_times_mention(state, at, done, end_of_day):
                return
        if rescheduling:
            times = next(
                (o for o in state["obligations"] if o.key == "propose_times" and o.rules == _R14),
                None,
            )
            if times is not None and times.channel is _EMAIL:
                # R14: the message that apologises for the cancelled meeting proposes the new
                # times too. One email, due now and the same day, instead of two at once.
                deadline = end_of_day
                if times.deadline is not None:
                    deadline = min(deadline, times.deadline)
                joined = {
                    "rules": _R14_R6,
                    "reason": _R14_APOLOGY_TIMES,
                    "deadline": deadline,
                    "voicemail_at": at,  # (what a move re-times the deadline from, :meth:`moved`)
                }
                self.drop(state, "voicemail_email")  # it follows the latest voicemail
                self.add(state, times.model_copy(update=joined))
                return
        rules: tuple[str, ...]
        if rescheduling:
            rules, reason = _R14_R6, _R14_APOLOGY
        else:
            # R8: the voicemail offered the opt-out
            rules = _R6_R8 if state["opt_out_offered_at"] == at else _R6
            reason = self._r6_reason(at, local, rules)
        self.owe(
            state,
            at,
            key="voicemail_email",
            kind=_EMAIL_TOUCH,
            channel=_EMAIL,
            deadline=end_of_day,
            priority=_RESCHEDULE if rescheduling else _FOLLOW_UP,
            rules=rules,
            reason=reason,
            detail=day,
        )

    def _r6_reason(self, at: datetime, local: datetime, rules: tuple[str, ...]) -> str:
        """The reason of the R6 email after a voicemail at ``at`` (``local``: in this calendar's
        zone; ``rules``: R6, or R6 and R8 when the voicemail offered the opt-out): due that day,
        or, after email hours (an evening voicemail), first thing when they open again."""
        day = DAYS[local.weekday()]
        when = "due that day"
        opens = self.cal.next_window(_EMAIL, at + self.react).start
        if opens.date() != local.date():
            when = f"first thing {day_month(opens)}"
        if rules == _R6_R8:
            return f"a brief email that mentions {day}'s voicemail and repeats its offer, {when}"
        return f"a brief email that mentions {day}'s voicemail, {when}"

    def moved(self, state: State) -> None:
        """R6 after a move: a ``contact_updated`` gave the prospect another time zone (this
        fold is the new place's) while the email that mentions a voicemail is still owed. It
        names the voicemail's day as the prospect now lives it, the day their phone shows for
        it ("the voicemail I left Monday" read on the Tuesday it reached them there is a
        message they cannot find), and is due by the end of that day, as if they had lived
        there when it was left. (The voicemail was left a reaction delay before the email is
        due, :meth:`owe`.)"""
        obligations = list(state["obligations"])
        for i, o in enumerate(obligations):
            if o.key == "voicemail_email":
                at = o.not_before - self.react
                local = self.cal.local(at)
                update = {"detail": DAYS[local.weekday()], "deadline": self.cal.end_of_day(local)}
                if o.rules != _R14_R6:  # (the apology after the rep's cancellation names no day)
                    update["reason"] = self._r6_reason(at, local, o.rules)
                obligations[i] = o.model_copy(update=update)
            elif o.key == "propose_times" and o.rules == _R2_R6:
                # The new times after a no-show, in the email that follows up the voicemail of
                # the call to reschedule (:meth:`_no_show_times_mention`): by the same day.
                local = self.cal.local(o.not_before - self.react)
                obligations[i] = o.model_copy(update={"deadline": self.cal.end_of_day(local)})
            elif o.key == "propose_times" and o.rules == _R14_R6 and o.voicemail_at is not None:
                # R14's new times in the apology that says you left a voicemail: by the end of
                # the voicemail's day as they now live it. (Its ``not_before`` is the
                # cancellation's, not the voicemail's: the voicemail's instant is kept apart.)
                local = self.cal.local(o.voicemail_at)
                obligations[i] = o.model_copy(update={"deadline": self.cal.end_of_day(local)})
        state["obligations"] = tuple(obligations)

    def _no_show_times_mention(
        self, state: State, at: datetime, done: tuple[Obligation, ...], end_of_day: datetime
    ) -> bool:
        """R6 after a missed meeting: the call to reschedule it reached voicemail. The times
        owed in writing for it (due the next business day, to leave the call its chance) go
        now, in the email that mentions the voicemail: one email that afternoon, not a note
        about the voicemail today and the times tomorrow. Whether it did so."""
        missed = next((o.detail for o in done if o.key == "no_show_call"), None)
        if missed is None:
            return False
        for o in state["obligations"]:
            if (
                o.key == "propose_times"
                and o.rules == _R2
                and o.detail == missed
                and o.channel is _EMAIL
            ):
                self.drop(state, "voicemail_email")  # it follows the latest voicemail
                joined = {
                    "not_before": at + self.react,
                    "business_days": 0,
                    "rules": _R2_R6,
                    "reason": NO_SHOW_VOICEMAIL_TIMES,
                    "deadline": end_of_day.astimezone(UTC),
                }
                self.add(state, o.model_copy(update=joined))
                return True
        return False

    def on_email_sent(self, state: State, e: ev.EmailSent) -> None:
        done = self.fulfil(state, _EMAIL, e.at)
        if not _counts(done):
            return
        if not done and extra_touch(self.policy, self.cal, state, _EMAIL, e.at):
            return  # nobody asked for it: not an attempt (:mod:`cadence._extra_touches`)
        self.attempt(state, e.at, _EMAIL, True, eid=e.id)

    def on_email_replied(self, state: State, e: ev.EmailReplied) -> None:
        at = e.at
        if e.intent == "unsubscribe":
            self.opted_out(state, at, frozenset({Channel.EMAIL}))
            return
        self.responded(state, at)
        self.drop(state, "followup", "resume")
        if e.intent == "positive" and _refused(state, Channel.MEETING):
            self.add(state, interest_answer(state, at + self.react))  # R13: no meetings
        elif e.intent == "positive":
            self.owe(
                state,
                at,
                key="propose_times",
                kind=ActionKind.PROPOSE_TIMES,
                # In writing, unless they refused email (R13) or it bounced (R2).
                channel=answer_channel(state),
                priority=Priority.PROMISE,
                rules=("R2",),
                reason="they replied with interest: propose times for a meeting now",
            )
        elif e.intent == "not_now":
            until = e.resume_at or at + timedelta(days=self.policy.drip_interval_days)
            local = self.cal.local(until)
            # Their newer word replaces a contact agreed before the day they gave (R1): it is
            # not "moved because they were away", it is the call they now ask for.
            state["obligations"] = tuple(
                o
                for o in state["obligations"]
                if not (o.key == "commitment" and o.not_before < until)
            )
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
                    rules=_R17_R1 if e.resume_at else _R17,
                    reason=resume_reason(local, asked=e.resume_at is not None),
                ),
            )
        elif e.intent in ("referral", "wrong_person"):
            # The person to contact instead, as written on one line; a name of spaces is none.
            who = " ".join((e.referral or "").split()) or None
            if e.intent == "referral":
                reason = (
                    f"they referred you to {who}: contact them, mentioning the referral"
                    if who
                    else "they referred you to someone else without naming them: ask them "
                    "whom, then contact that person, mentioning the referral"
                )
            elif who:  # "not me: talk to Sam" is a referral to Sam
                reason = (
                    f"wrong person: they named {who} instead: contact them, mentioning the referral"
                )
            else:
                reason = "wrong person: ask who else is involved in the decision"
            self.owe(
                state,
                at,
                key="referral",
                kind=ActionKind.ESCALATE,
                channel=lead_channel(state),
                priority=Priority.PROMISE,
                rules=("R9",),
                reason=reason,
                detail=who,
                flags=("referral",) if e.intent == "referral" or who else (),
            )
        else:
            ob = self._followup(state, at, ("R2",), "they replied: follow up on their answer")
            self.add(state, ob.model_copy(update={"business_days": 1}))

    def on_out_of_office(self, state: State, e: ev.OutOfOffice) -> None:
        if e.until is not None:
            back = self.cal.local(e.until).date()
            if back > self.cal.local(e.at).date():  # R17: the first business day after it
                back += timedelta(days=1)
            day = self.cal.add_business_days(back, 0)  # (rolled forward to a business day)
        else:
            day = self.cal.add_business_days(
                self.cal.local(e.at).date(), self.policy.out_of_office_default_days
            )
        until = resolve_local(day, time(0), self.cal.zone).astimezone(UTC)
        if e.until is not None and e.until > until:  # back later today: from their return
            until = e.until
        until = max(until, e.at + self.react)
        self.pause(state, until, "out of office")
        if state["meetings"]:  # R17 after R15: a meeting they will be away for is called off
            self.cover_meetings(state, e.at, until)
        breakup = state["breakup_sent_at"]
        if breakup is not None and breakup < until:
            # R10 after R17: the wait for an answer to the breakup runs from their return, so
            # nobody is dropped while away (an auto-reply to the breakup, say).
            state["breakup_sent_at"] = until
        offered = state["opt_out_offered_at"]
        if (
            offered is not None
            and offered < until
            and breakup is None
            and (
                state["escalations_done"] == 0
                or (state["last_attempt_at"] is not None and offered >= state["last_attempt_at"])
            )
            and state["stage"] is Stage.OPT_OUT_OFFERED
        ):
            # R8 after R17: the longer gap after the offer is their time to answer it, so it
            # runs from their return, as the breakup's wait does: the next step is not due the
            # morning they are back.
            state["opt_out_offered_at"] = until

    def on_deal_closed(self, state: State, e: ev.DealClosed) -> None:
        state["obligations"] = ()
        state["paused_until"] = None
        withdraw_meetings(state)  # none is attended, and none holds the drip back (R11)
        if e.won:
            self.stage(state, Trigger.WIN)
            return
        state["dropped_at"] = e.at
        state["last_drip_at"] = None
        self.stage(
            state, Trigger.LOSE_TO_DRIP if drip_allowed(self.policy, state) else Trigger.LOSE
        )
