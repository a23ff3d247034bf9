"""Folding what happens to a meeting: booked, cancelled by either side (R14, R15), held, missed."""

from __future__ import annotations

from datetime import datetime

from cadence import events as ev
from cadence._fold_base import (
    _EMAIL,
    _PHONE,
    _R2,
    _R14,
    _R14_CALL,
    _R14_REBOOKED,
    _R14_TIMES,
    AWAY,
    NO_SHOW_TIMES,
    FoldBase,
    State,
    _refused,
    begun_before_pause,
    booked,
    drop_away,
    lead_channel,
)
from cadence._fold_channels import material_channel, withdraw_meetings
from cadence.actions import ActionKind, Priority, touch_kind
from cadence.channel import Channel
from cadence.errors import InvalidInputError
from cadence.prospect import Meeting, Obligation

#: A meeting that will not take place, and how it was called off.
_HOW = {
    "cancelled_by_rep": "cancelled by the rep",
    "cancelled_by_prospect": "cancelled by the prospect",
    "withdrawn": "withdrawn (a deal lost, or an opt-out of meetings)",
}
_CALLED_OFF = frozenset(_HOW)
#: A meeting whose next booking is its new time (R15): the prospect cancelled it, or was away
#: for it (R17).
_RESCHEDULED = frozenset({"cancelled_by_prospect", AWAY})
#: R14: the apology call did not reach them, and no email can follow it (why not, by whether
#: they refused email).
_R14_AGAIN = (
    "your apology call did not reach them and {why}: call once more, the next business day, "
    "to apologise and propose new times; offer flexibility (before or after hours, coffee or "
    "lunch if local)"
)
_NO_EMAIL = {True: "they asked not to be emailed", False: "their email does not work"}


def _material_owed(state: State, meeting_id: str) -> bool:
    """Whether the material owed before the rebooked meeting ``meeting_id`` (R15) is still
    owed after they missed it (``cadence._agenda``: it goes before the next meeting)."""
    key = f"collateral:{meeting_id}"
    return any(o.key == key and "R15" in o.rules for o in state["obligations"]) and any(
        m.id == meeting_id and m.status == "no_show" for m in state["meetings"]
    )


class MeetingFold(FoldBase):
    """The events of a meeting's life."""

    def on_meeting_booked(self, state: State, e: ev.MeetingBooked) -> None:
        meetings = state["meetings"]
        previous = next((m for m in meetings if m.id == e.meeting_id), None)
        if previous is None and meetings:
            # R15: calendars often book the new time as a new event. The booking that follows
            # the prospect's cancellation is the rescheduled meeting, whatever its id.
            previous = meetings[-1]
        meeting = Meeting(
            id=e.meeting_id, starts_at=e.starts_at, duration_minutes=e.duration_minutes
        )
        state["meetings"] = (*(m for m in state["meetings"] if m.id != e.meeting_id), meeting)
        self.responded(state, e.at)
        if Channel.MEETING in state["blocked_channels"]:
            # R13: they opted out of meetings; a booking logged anyway is a response, but only
            # an opt-in reopens the channel, so the meeting is withdrawn at once: no meeting is
            # ahead, and what is owed stays owed.
            withdraw_meetings(state)
            return
        self.drop(state, "propose_times", "followup", "no_show_call", "resume")
        drop_away(state)  # the new time for a meeting they were away for (R17, R15)
        for o in state["obligations"]:
            if o.key == "reschedule_call":  # R14: the apology still, but no new times to offer
                if o.channel is Channel.PHONE:  # (by email, their number failing: as it was)
                    self.add(state, o.model_copy(update={"reason": _R14_REBOOKED}))
                break
        # R1: a meeting booked for the agreed time (it overlaps the agreed contact's grace) is
        # that contact: the rep attends it, and is not also told to call then.
        for o in state["obligations"]:
            if o.key == "commitment" and self.meets_then(meeting, o.not_before):
                self.drop(state, "commitment")
                break
        if previous is not None and previous.id == e.meeting_id and previous.status == "booked":
            # The meeting moved (its calendar logs the new time under the same id): what is
            # owed before it (R15's material) is owed before its new time.
            key = f"collateral:{e.meeting_id}"
            for o in state["obligations"]:
                if o.key == key and o.deadline is not None and "R15" in o.rules:
                    self.add(state, o.model_copy(update={"deadline": e.starts_at}))
                    break
        elif previous is not None and (
            previous.status in _RESCHEDULED or _material_owed(state, previous.id)
        ):
            # (The material still owed for a rebooked meeting they missed goes before this one.)
            self.drop(state, f"collateral:{previous.id}")
            self.owe(
                state,
                e.at,
                key=f"collateral:{e.meeting_id}",
                kind=ActionKind.SEND_COLLATERAL,
                channel=material_channel(state),
                deadline=e.starts_at,
                priority=Priority.PREPARE,
                rules=("R15",),
                reason="before the rescheduled meeting, send additional information that "
                "will make it more productive",
                detail=e.meeting_id,
            )

    def _set_status(self, state: State, meeting_id: str, status: str) -> None:
        drop_away(state, meeting_id)  # held, missed or cancelled after all: as any booked one
        state["meetings"] = tuple(
            m.model_copy(update={"status": status}) if m.id == meeting_id else m
            for m in state["meetings"]
        )

    def on_meeting_cancelled(self, state: State, e: ev.MeetingCancelled) -> None:
        at = e.at
        for m in state["meetings"]:
            if m.id == e.meeting_id and m.status in _CALLED_OFF:
                return  # a calendar sending it again: the repair (R14, R15) is under way
        self._set_status(state, e.meeting_id, f"cancelled_by_{e.by}")
        if _refused(state, Channel.MEETING):
            # R13: they refused meetings (so none the engine knows is booked): no new times,
            # no invitation, no apology for a meeting. Theirs is still a response.
            if e.by == "prospect":
                self.responded(state, at)
            return
        if e.by == "prospect":  # R15: a connecting moment, not a loss
            self.responded(state, at)
            if not booked(state):  # the booking the R14 call was to confirm is off too
                state["obligations"] = tuple(
                    o.model_copy(update={"reason": _R14_CALL}) if o.reason == _R14_REBOOKED else o
                    for o in state["obligations"]
                )
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
                reason=_R14_CALL,
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
            channel=material_channel(state),
            priority=Priority.PREPARE,
            rules=("R14",),
            reason="send now the material the meeting was to cover",
            detail=e.meeting_id,
        )

    def r14_try_again(self, state: State, at: datetime, done: tuple[Obligation, ...]) -> None:
        """R14: the apology call (among ``done``) did not reach them at ``at`` (a voicemail, no
        answer, a gatekeeper), and no email can follow it with the new times: their address
        bounced, or they refused email. The call was to propose the times: it is tried once
        more by phone, proposing them, the next business day (the voicemail its chance, the
        calling hours and caps as for any call), not left to the ladder's cold call. With
        email working, the written proposal follows instead."""
        if _EMAIL not in state["blocked_channels"] or _PHONE in state["blocked_channels"]:
            return
        call = next((o for o in done if o.key == "reschedule_call"), None)
        if call is None or call.reason != _R14_CALL:  # (rebooked, or no more meetings)
            return
        if any(o.key == "propose_times" for o in state["obligations"]):
            return
        self.owe(
            state,
            at,
            key="propose_times",
            kind=ActionKind.PROPOSE_TIMES,
            channel=_PHONE,
            business_days=1,
            priority=Priority.RESCHEDULE,
            rules=_R14,
            reason=_R14_AGAIN.format(why=_NO_EMAIL[_refused(state, _EMAIL)]),
            detail=call.detail,
        )

    def on_meeting_held(self, state: State, e: ev.MeetingHeld) -> None:
        # R17: a meeting held before they went away, logged while they are: not a sign that
        # they are back (the pause holds what follows it, the contact agreed in it too).
        paused, why = state["paused_until"], state["pause_reason"]
        if not any(m.id == e.meeting_id for m in begun_before_pause(state)):
            paused = None
        self._set_status(state, e.meeting_id, "held")
        self.drop(state, f"collateral:{e.meeting_id}")
        # Marked missed before they joined late: the offer of times for it goes too (the
        # conversation below replaces the recovery call).
        state["obligations"] = tuple(
            o
            for o in state["obligations"]
            if not (o.key == "propose_times" and o.detail == e.meeting_id)
        )
        if paused is not None:
            state["paused_until"] = None  # (so ``responded`` does not end it)
        self.responded(state, e.at)
        if paused is not None:
            self.pause(state, paused, why)
        self.conversation(state, e.at, e.next_contact_at, e.permission)

    def on_meeting_no_show(self, state: State, e: ev.MeetingNoShow) -> None:
        known = next((m for m in state["meetings"] if m.id == e.meeting_id), None)
        if known is not None and known.status == "withdrawn":
            # No more meetings (R13, or a deal lost): nobody calls to reschedule it, as for a
            # closed prospect. Not refused: an opt-out of meetings that came late (R13) is
            # folded by ``replay`` before a no-show ``apply`` took first, and a withdrawal and
            # a no-show at one instant, whose order is no evidence, fold alike either way.
            return
        if known is not None and known.status in _CALLED_OFF:
            # A calendar that marks every empty slot: a "they missed it" call about a meeting
            # the rep (R14) or the prospect (R15) cancelled would be wrong, and rude.
            how = _HOW[known.status]
            msg = (
                f"meeting_id: {e.meeting_id!r} was {how}, so it cannot have been "
                "missed; drop this no-show (a calendar marking the empty slot?), or log "
                "meeting_booked for it again first if it was rebooked"
            )
            raise InvalidInputError(msg, field="meeting_id", value=e.meeting_id)
        if known is not None and known.status == "held":
            if e.at == state["last_event_at"]:
                # Held and missed at one instant: the order they arrive in (or ``replay``'s
                # order, by id) is no evidence. Held wins either way (a no-show first is
                # undone by the hold), so neither ``apply`` nor ``replay`` refuses the pair.
                return
            msg = (
                f"meeting_id: {e.meeting_id!r} was held, so it cannot have been missed; drop "
                "this no-show (a calendar sync after the rep logged it?), or log meeting_booked "
                "for it again first if a new one was missed"
            )
            raise InvalidInputError(msg, field="meeting_id", value=e.meeting_id)
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
        # Then reschedule offers in writing; after that, the unanswered ladder. Times already
        # owed (the rep cancelled another meeting, R14, or they did, R15) are offered sooner:
        # that offer stands, and one offer of times answers both.
        owed = any(o.key == "propose_times" for o in state["obligations"])
        if Channel.EMAIL not in state["blocked_channels"] and not owed:
            self.owe(
                state,
                e.at,
                key="propose_times",
                kind=ActionKind.PROPOSE_TIMES,
                channel=Channel.EMAIL,
                business_days=1,
                priority=Priority.FOLLOW_UP,
                rules=_R2,
                reason=NO_SHOW_TIMES,
                detail=e.meeting_id,
            )
