"""Folding what happens to a channel: bounces and wrong numbers, new contact details, opt-outs
and opt-ins (R13), a stated preference (R16); and what moves between channels when one is lost
(R14's apology, the material promised).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cadence import events as ev
from cadence._fold_base import (
    _EMAIL,
    _EMAIL_TOUCH,
    _PHONE,
    _R14,
    _R14_BY_EMAIL,
    _R14_CALL,
    _R14_NO_CALLS,
    _R14_NO_MEETINGS,
    _R14_TIMES,
    AWAY,
    AWAY_KEY,
    FoldBase,
    State,
    _material,
    _refused,
    agreed_reason,
    away_reason,
    drop_away,
    interest_answer,
    lead_channel,
    resume_reason,
)
from cadence._suppression import MIN_DIGITS, email_key, phone_digits
from cadence.actions import ActionKind, touch_kind
from cadence.calendar import zone
from cadence.channel import Channel
from cadence.lifecycle import Stage, Trigger
from cadence.prospect import Obligation


def _same_phone(new: str, old: str | None) -> bool:
    """Whether ``new`` gives no new number: the stored ``old`` written again (their digits the
    same, or one's the other's with a country code before them: ``(312) 555-0100`` and
    ``+13125550100``, nine digits at least in common), or no number at all (``n/a``: fewer
    than seven digits). A local number and a longer one that ends with it (``555-0104``, then
    ``+1 773 555 0104``) are not the same: the area code was the fix."""
    if new == old:
        return True
    a = phone_digits(new)
    if len(a) < MIN_DIGITS:
        return True
    if old is None:
        return False
    b = phone_digits(old)
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return short == long or (len(short) >= _NATIONAL_DIGITS and long.endswith(short))


_NATIONAL_DIGITS = 9  # the fewest digits of a national number with its area code (FR: 9)


def _bounced(sent_by: str | None, e: ev.EmailBounced, fallback: bool) -> bool:
    """Whether the bounce ``e`` says that the ladder's message that went as ``sent_by``
    (``Prospect.offer_sent_by``) never arrived: it went by email, and the bounce names that
    email, or names none and the message went to the address that bounces now (a bounce
    often comes late, after other touches). ``fallback``: the answer for a state stored
    before how the message went was kept."""
    if sent_by is None:
        return fallback
    if e.email_id is not None:
        return sent_by.partition(":")[2] == e.email_id and sent_by != "phone"
    return sent_by.startswith("email:")


def _guess_offer(state: State) -> bool:
    """Whether the offer went by email, in a state stored before that was kept (as that
    release guessed it): the engine names it on the lead channel, and R7 moved one there
    after calls rang out (the last attempt, which no call followed)."""
    return lead_channel(state) is _EMAIL or (
        state["last_attempt_at"] == state["opt_out_offered_at"] and state["calls_unanswered"] == 0
    )


class ChannelFold(FoldBase):
    """The events that open, close or move a channel."""

    def on_email_bounced(self, state: State, e: ev.EmailBounced) -> None:
        offered = state["stage"] is Stage.OPT_OUT_OFFERED
        email_open = _EMAIL not in state["blocked_channels"]  # (a state stored before: a guess)
        broke_up = offered and state["breakup_sent_at"] is not None
        # A late bounce that names an email sent to an address replaced since: that address's.
        replaced = e.email_id is not None and "old-email:" + e.email_id in (
            state["offer_sent_by"],
            state["breakup_sent_by"],
        )
        if broke_up and _bounced(state["breakup_sent_by"], e, fallback=email_open):
            # R10: the email that made the breakup bounced: it did not reach them, so no
            # answer to it drops nobody. It is owed again, by the first channel that works.
            state["breakup_sent_at"] = state["breakup_sent_by"] = None
        if (
            offered
            and not broke_up  # (the breakup came later: a bounce is the breakup's, or old news)
            and state["opt_out_offered_at"] is not None
            and _bounced(
                state["offer_sent_by"],
                e,
                fallback=email_open and state["escalations_done"] == 0 and _guess_offer(state),
            )
        ):
            # R8: the email that made the offer bounced, whatever touches were logged since
            # (calls, R9's escalations): it did not reach them. It is owed again (by phone,
            # unless the address that bounced was replaced already), and it was not a message
            # they left unanswered; nor does R8's longer gap run from it, but from the offer
            # made again (:func:`cadence._agenda.ladder_time`).
            state["opt_out_offered_at"] = state["offer_sent_by"] = None
            state["unanswered"] -= 1
        if replaced:
            return  # the new address is not the one that bounced: email stays open
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
        moved_from = state["timezone"]
        state["timezone"], state["country"], state["subdivision"] = e.place(
            state["timezone"], state["country"], state["subdivision"]
        )
        if state["timezone"] != moved_from:
            # R1: the agreed time is kept, and its reason says it on the new zone's clock, as
            # the action's times do (and so do that of the contact after "not now" and that of
            # a meeting they were away for, R17).
            there = zone(state["timezone"])
            starts = {m.id: m.starts_at for m in state["meetings"]}
            state["obligations"] = tuple(
                o.model_copy(update={"reason": agreed_reason(o.not_before.astimezone(there))})
                if o.key == "commitment"
                else o.model_copy(
                    update={
                        "reason": resume_reason(
                            o.not_before.astimezone(there), asked="R1" in o.rules
                        )
                    }
                )
                if o.key == "resume"
                else o.model_copy(
                    update={"reason": away_reason(starts[o.detail].astimezone(there))}
                )
                if o.key.startswith(AWAY_KEY) and o.detail in starts
                else o
                for o in state["obligations"]
            )
        given: set[Channel] = set()
        # Only a new number or address is given: a CRM's nightly sync sends the stored one
        # again, however it writes it, and that must not reopen a wrong number or a bounce.
        if e.phone is not None:
            if not _same_phone(e.phone, state["phone"]):
                given.add(_PHONE)
                # A new number gets its chances: R7's count and R8–R10's unheard calls are
                # the old number's (two voicemails there do not switch the new one to email).
                state["calls_unanswered"] = state["calls_unheard"] = 0
            state["phone"] = e.phone
        if e.email is not None:
            if state["email"] is None or email_key(e.email) != email_key(state["email"]):
                given.add(_EMAIL)
                # A bounce that names no email is the new address's: the offer and breakup
                # emailed to the old one are matched only by a bounce that names them.
                for name in ("offer_sent_by", "breakup_sent_by"):
                    if (state[name] or "").startswith("email:"):
                        state[name] = "old-" + state[name]
            state["email"] = e.email
        opened = state["unreachable"] & given
        if not opened:
            return
        state["unreachable"] = state["unreachable"] - opened
        state["blocked_channels"] = state["blocked_channels"] - opened
        if _EMAIL in opened:
            self._r14_times_again(state, e.at)
        for channel in sorted(opened):
            other = _EMAIL if channel is _PHONE else _PHONE
            if other in state["blocked_channels"]:
                # What was owed while neither channel worked waits on the other, blocked one:
                # it comes to the one that works again (as a bounce moves it to the phone).
                self._rechannel(state, other, channel)
        preferred = state["preferred_channel"]
        if preferred is not None and preferred in opened:
            # R16: the channel they prefer leads again; what was owed on the other one while it
            # failed goes to it, as a preference stated while both work moves it.
            other = _EMAIL if preferred == _PHONE else _PHONE
            self._rechannel(state, other, Channel(preferred), moves=_spoken)
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

    def _r14_times_again(self, state: State, at: datetime) -> None:
        """R14 when a new address opens email (at ``at``) before the apology call: the written
        proposal of new times, which the bounce left to the call, is owed again, as after a
        cancellation with email working (the call apologises; the email sends the times and
        the invitation). A call made already proposed them: nothing is owed again then. With
        the phone blocked too, the written proposal is the apology (one message)."""
        call = next((o for o in state["obligations"] if o.key == "reschedule_call"), None)
        if call is None or call.reason != _R14_CALL:  # (rebooked, or no more meetings)
            return
        if any(o.key == "propose_times" for o in state["obligations"]):
            return
        times = {
            "key": "propose_times",
            "kind": ActionKind.PROPOSE_TIMES,
            "channel": _EMAIL,
            "not_before": max(call.not_before, at + self.react),
            "rules": _R14,
            "reason": _R14_TIMES,
        }
        self.add(state, call.model_copy(update=times))
        if _PHONE in state["blocked_channels"] and call.channel is _PHONE:
            self.drop(state, "reschedule_call")

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

    def opted_out(self, state: State, at: datetime, channels: frozenset[Channel] | None) -> None:
        """R13 (at ``at``): absorbing. Per-channel only when the policy scopes opt-outs by
        channel."""
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
                withdraw_meetings(state)
            if Channel.MEETING in channels:
                self._no_meetings(state, at)
            # Out for good once they refused both; a channel that only failed (a bounce, a
            # wrong number) may open again with a new address or number.
            if not {Channel.PHONE, Channel.EMAIL} <= blocked - failed:
                return
        state["blocked_channels"] = frozenset({Channel.PHONE, Channel.EMAIL, Channel.MEETING})
        state["unreachable"] = frozenset()
        state["obligations"] = ()
        state["paused_until"] = None
        state["permission"] = None  # R12: saying no withdraws the permission to stay in touch
        withdraw_meetings(state)
        self.stage(state, Trigger.OPT_OUT)

    def _no_meetings(self, state: State, at: datetime) -> None:
        """R13: they refused meetings (at ``at``), so no new times are proposed. Times owed for
        a reply with interest become the answer to it; the rep who cancelled a meeting (R14)
        still apologises, by the call owed or, when the written proposal was the apology, by a
        brief message of its own. What the refusal makes of the times is new, so it is due one
        reaction delay after it at the earliest, however long the times were owed before.
        The call owed to reschedule a meeting they missed is owed no more (nobody calls to book
        a meeting they refused, as when the refusal arrives after the no-show's log)."""
        self.drop(state, "no_show_call")
        times = next((o for o in state["obligations"] if o.key == "propose_times"), None)
        call = next((o for o in state["obligations"] if o.key == "reschedule_call"), None)
        if call is not None:
            self.add(state, call.model_copy(update={"reason": _R14_NO_MEETINGS}))
        if times is None:
            return
        self.drop(state, "propose_times")
        due = max(times.not_before, at + self.react)
        if _answers_interest(times):
            self.add(state, interest_answer(state, due))
        elif "R14" in times.rules and call is None:
            apology = {
                "key": "reschedule_call",
                "kind": touch_kind(times.channel),
                "rules": _R14,
                "reason": _R14_NO_MEETINGS,
                "detail": None,
                "deadline": None,
                "voicemail_at": None,
                "not_before": due,
            }
            self.add(state, times.model_copy(update=apology))

    def on_opted_in(self, state: State, e: ev.OptedIn) -> None:
        state["blocked_channels"] = state["unreachable"] = frozenset()

    def on_channel_preference(self, state: State, e: ev.ChannelPreference) -> None:
        state["preferred_channel"] = e.channel
        # R16: pending contacts move to the preferred channel.
        other = Channel.EMAIL if e.channel == Channel.PHONE else Channel.PHONE
        # A stated preference, not a blocked channel: what only writing does stays an email
        # (the R6 email that mentions a voicemail, the material promised, R14, R15).
        self._rechannel(state, other, Channel(e.channel), moves=_spoken)


def withdraw_meetings(state: State) -> None:
    """No more meetings (R13, or a deal lost): the booked ones, and those their out-of-office
    covered (R17), are withdrawn, so none is attended, none holds the ladder back, even after
    an opt-in, and none was a prospect's cancellation to reschedule (R15)."""
    state["meetings"] = tuple(
        m.model_copy(update={"status": "withdrawn"}) if m.status in _PENDING else m
        for m in state["meetings"]
    )
    drop_away(state)


_PENDING = frozenset({"booked", AWAY})


def _answers_interest(o: Obligation) -> bool:
    """The proposal of times a reply with interest is owed (no meeting behind it)."""
    return o.key == "propose_times" and o.detail is None and o.rules == ("R2",)


def material_channel(state: State) -> Channel:
    """Where material promised now is owed: by email; when their address bounced, by a call
    that asks for one that works (as a bounce moves material owed already); when they refused
    email, by a call that goes through it with them (waiting for a new number if theirs is
    wrong)."""
    blocked = state["blocked_channels"]
    if _EMAIL in blocked and (_PHONE not in blocked or _refused(state, _EMAIL)):
        return _PHONE
    return _EMAIL


def _spoken(o: Obligation) -> bool:
    """Not :func:`_written_only`: a call may do it. Except the apology call after the rep
    cancelled (R14: phone first, tone matters), which a stated preference does not move, as
    it does not at enrolment."""
    return not _written_only(o) and o.key != "reschedule_call"


def _written_only(o: Obligation) -> bool:
    """An obligation only an email performs: the R6 email (alone, or joined to R14's
    proposal), the promised material."""
    return o.key == "voicemail_email" or o.key.startswith("collateral:") or "R6" in o.rules
