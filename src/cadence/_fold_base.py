"""The bookkeeping every event's fold shares (:mod:`cadence._fold`): the state dict, what is
owed and performed, responses, conversations (R1) and unanswered attempts (R3, R7, R8, R10,
R11).

Works on a plain dict of the prospect's fields so that ``replay`` folds a long history in linear
time and builds one ``Prospect`` at the end; ``apply`` folds one event into a shallow copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol

from cadence._construct import build
from cadence._ladder import ESCALATIONS, ladder_step
from cadence._words import count, day_month, day_month_time
from cadence.actions import ActionKind, Priority, touch_kind
from cadence.calendar import ContactCalendar, resolve_local
from cadence.channel import Channel
from cadence.lifecycle import Stage, Trigger, lifecycle
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
_PLAIN = ActionKind.CALL  # the ladder's plain attempt (:func:`cadence._ladder.ladder_step`)
_OFFER_OPT_OUT, _UNANSWERED = Trigger.OFFER_OPT_OUT, Trigger.UNANSWERED
_OFFERED = Stage.OPT_OUT_OFFERED
_RESCHEDULE, _FOLLOW_UP = Priority.RESCHEDULE, Priority.FOLLOW_UP

# A meeting inside an out-of-office (:meth:`FoldBase.cover_meetings`): its status, and the key
# (before the meeting's id) and rules of the new times owed for it.
AWAY, AWAY_KEY, _R17_R15 = "away", "away:", ("R17", "R15")

# R14's written work after the rep cancels a meeting, and what its reasons say.
_R14, _R14_R6 = ("R14",), ("R14", "R6")
_R6, _R6_R8 = ("R6",), ("R6", "R8")
# After a missed meeting: the times offered in writing (R2), and the same email when the call
# to reschedule reached voicemail (R6: one email says so and offers them).
_R2, _R2_R6 = ("R2",), ("R2", "R6")
NO_SHOW_TIMES = "after the missed meeting, offer new times"
NO_SHOW_VOICEMAIL_TIMES = (
    "a brief email that says you left a voicemail about the missed meeting and offers new times"
)
_R14_TIMES = (
    "propose new times now and send the new invitation; offer flexibility (before or after "
    "hours, coffee or lunch if local)"
)
_R14_APOLOGY = "a brief, apologetic email that says you left a voicemail"
_R14_CALL = (
    "you cancelled the meeting: call at the first moment you may (tone matters), apologise and "
    "propose new times"
)
_R14_REBOOKED = (
    "you cancelled the meeting and they have booked again: call at the first moment you may "
    "(tone matters), apologise and confirm the new time"
)
_R14_NO_MEETINGS = (
    "you cancelled the meeting: apologise at the first moment you may (tone matters); they "
    "asked for no more meetings, so propose none"
)
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
    """What :meth:`FoldBase.fulfil` reads of a task: the key of the obligation it performs (None
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


class FoldBase:
    """What the folds of every kind of event share. One instance per (engine, prospect
    calendar); :class:`cadence._fold.Fold` adds the events."""

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
        mine: list[Obligation] = []
        keys: list[str] = []  # (theirs)
        for o in state["obligations"]:
            f = o.__dict__  # (read once: see ``Engine.apply``)
            if f["channel"] == channel and (
                (not f["exact"] and f["key"] != "resume") or self._agreed_day_reached(o, at)
            ):
                mine.append(o)
                keys.append(f["key"])
        if not mine:
            return ()
        named = None if self.named is None else self.named(state, channel, at, mine)
        if isinstance(named, Obligation):
            self.performed(state, (named,), at)
            return (named,)
        if named is not None:
            # An engine task. (Its attributes are not asked of an Obligation: a pydantic model
            # raises inside on a missing attribute, microseconds a touch.)
            asked = [t.key for t in named.joined] if named.joined else [named.key]
            done = tuple(o for k in asked for o, key in zip(mine, keys, strict=True) if key == k)
            if done or named.key is None:
                self.performed(state, done, at)
                # Joined to the ladder's step (or the step alone), the touch counts there.
                return () if named.ladder or named.key is None else done
        first = min(mine, key=lambda o: (o.priority, o.not_before, o.key))
        self.performed(state, (first,), at)
        return (first,)

    def _agreed_day_reached(self, o: Obligation, at: datetime) -> bool:
        """Whether a touch at ``at`` may keep the agreed contact ``o`` (R1, or the contact a
        "not now" asked for, R17): from the start of its day on. A voicemail the day before is
        not the call promised for the next afternoon: that promise still stands."""
        return at >= self.cal.start_of(self.cal.local(o.not_before).date())

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
        if state["paused_until"] is not None:  # R17: back early
            state["resumed_at"] = at
            if state["meetings"]:
                self.cover_meetings(state, at, at)  # those from now on are attended
        self.reset_ladder(state)
        state["last_response_at"] = at
        self.stage(state, Trigger.RESPOND)
        self.drop_voicemail_email(state)

    def cover_meetings(self, state: State, since: datetime, until: datetime) -> None:
        """R17 after R15: the prospect is away from ``since`` to ``until`` (their newest word
        on it). A meeting still booked that starts then is called off by their absence, as if
        they had cancelled it: on their return, new times are proposed (``away:`` and its id,
        due from the meeting's time, so from their return: the pause holds it back). One
        that starts from ``until`` on, covered by an earlier word, is attended after all."""
        changed = []
        meetings = []
        for m in state["meetings"]:
            if m.starts_at >= since and (m.status == "booked" or m.status == AWAY):
                status = AWAY if m.starts_at < until else "booked"
                if status != m.status:
                    m = m.model_copy(update={"status": status})
                    changed.append(m)
            meetings.append(m)
        if not changed:
            return
        state["meetings"] = tuple(meetings)
        for m in changed:
            if m.status != AWAY:
                self.drop(state, AWAY_KEY + m.id)
                continue
            channel = lead_channel(state)
            self.add(
                state,
                _obligation(
                    key=AWAY_KEY + m.id,
                    kind=ActionKind.PROPOSE_TIMES,
                    channel=channel,
                    not_before=max(m.starts_at, since + self.react),
                    priority=Priority.PROMISE,
                    rules=_R17_R15,
                    reason=away_reason(self.cal.local(m.starts_at)),
                    detail=m.id,
                ),
            )

    @staticmethod
    def reset_ladder(state: State) -> None:
        """The unanswered ladder starts over: no attempts, no offer, no breakup, no pause."""
        state.update(
            unanswered=0,
            calls_unanswered=0,
            calls_unheard=0,
            opt_out_offered_at=None,
            offer_sent_by=None,
            escalations_done=0,
            breakup_sent_at=None,
            breakup_sent_by=None,
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
            if any(self.meets_then(m, next_contact_at) for m in state["meetings"]):
                return  # a meeting booked for the agreed time is that contact
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
                    reason=agreed_reason(local),
                ),
            )
        elif not upcoming_meeting(state, at):  # a meeting booked ahead is the agreed contact
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
                    f"follow-up after {count(self.policy.followup_business_days, 'business day')}"
                ),
            )

    def meets_then(self, meeting: Meeting, agreed: datetime) -> bool:
        """Whether the booked ``meeting`` is the contact agreed for ``agreed`` (R1): it
        overlaps that time or its grace (``Policy.commitment_grace_minutes``)."""
        if meeting.status != "booked":
            return False
        end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        grace = timedelta(minutes=self.policy.commitment_grace_minutes)
        return agreed < end and meeting.starts_at < agreed + grace

    def attempt(
        self,
        state: State,
        at: datetime,
        channel: Channel,
        counts: bool,
        said: bool = True,
        eid: str | None = None,
    ) -> None:
        """An unanswered touch: what it performed moves the ladder (R3, R7, R8, R10, R11).
        ``said``: whether anyone heard or read it (a call that rang out said nothing); ``eid``:
        the event's id (what a bounce of an email names, :func:`sent_by`)."""
        step = ladder_step(self.policy, state) if counts else None
        unheard = None
        if step is not None and not self.delivers(state, step, channel, at, said):
            if not said and self.delivers(state, step, channel, at, True):
                unheard = step  # the step's own call, and nobody heard it
            step = _PLAIN  # an attempt (R3), not the offer, escalation or breakup it was not
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
            state["offer_sent_by"] = sent_by(channel, eid)
            state["calls_unheard"] = 0
            # (Made again after an emailed offer bounced, it finds the stage already moved.)
            self.stage(state, _UNANSWERED if state["stage"] is _OFFERED else _OFFER_OPT_OUT)
        elif step == _BREAKUP:
            state["breakup_sent_at"] = at
            state["breakup_sent_by"] = sent_by(channel, eid)
            state["calls_unheard"] = 0
            self.stage(state, _UNANSWERED)
        elif step in ESCALATIONS:
            state["escalations_done"] += 1
            state["calls_unheard"] = 0
        elif not booked(state):
            # A booked meeting not yet logged held or missed is the next contact, ahead, under
            # way or over (the ladder waits for its log, :func:`cadence._agenda.tasks`): an
            # unanswered agreed call meanwhile does not make the prospect unresponsive.
            self.stage(state, _UNANSWERED)
        if unheard is not None:
            self._unheard(state, unheard)

    def _unheard(self, state: State, step: ActionKind) -> None:
        """One more call in a row that nobody heard at the ladder's message ``step``: at
        ``Policy.unheard_calls_limit`` the step stops waiting for a call. An escalation (R9) is
        passed over. The offer (R8) goes by email (:func:`cadence._agenda.ladder_channel`), as
        the breakup (R10) does; when no email can carry them, nothing is asked until a new
        number or address (``contact_updated``): the count stays, and says why."""
        n = state["calls_unheard"] = state["calls_unheard"] + 1
        if n >= self.policy.unheard_calls_limit and step in ESCALATIONS:
            state["escalations_done"] += 1
            state["calls_unheard"] = 0

    def delivers(
        self, state: State, step: ActionKind, channel: Channel, at: datetime, said: bool
    ) -> bool:
        """Whether an unanswered touch on ``channel`` at ``at`` is the ladder's ``step``
        (here: always; :class:`cadence._fold.Fold` asks the agenda)."""
        return True

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

    def drop_voicemail_email(self, state: State) -> None:
        """The R6 email is no longer owed (they answered, or their email bounced). The R14
        proposal that also apologised for a voicemail goes back to proposing times alone."""
        self.drop(state, "voicemail_email")
        for o in state["obligations"]:
            if o.key == "propose_times" and o.rules == _R14_R6:
                self.add(
                    state,
                    o.model_copy(
                        update={
                            "rules": _R14,
                            "reason": _R14_TIMES,
                            "deadline": None,
                            "voicemail_at": None,
                        }
                    ),
                )
                return
            if o.key == "propose_times" and o.rules == _R2_R6:  # (after a missed meeting)
                self.add(
                    state,
                    o.model_copy(update={"rules": _R2, "reason": NO_SHOW_TIMES, "deadline": None}),
                )
                return

    def end_of_business_days(self, at: datetime, n: int) -> datetime:
        """The end of the ``n``-th business day after ``at``'s local day, in UTC."""
        day = self.cal.add_business_days(self.cal.local(at).date(), n)
        return resolve_local(day, time(23, 59), self.cal.zone).astimezone(UTC)

    def pause(self, state: State, until: datetime, reason: str) -> None:
        state["paused_until"] = until
        state["pause_reason"] = reason
        state["calls_unheard"] = 0  # (they were away: the calls get their chances again)


def sent_by(channel: Channel, eid: str | None) -> str:
    """How a message of the ladder went (``Prospect.offer_sent_by``): by phone, or by the
    email of the id ``eid``."""
    return "phone" if channel is _PHONE else f"email:{eid or ''}"


def _refused(state: State, channel: Channel) -> bool:
    """Whether the prospect opted out of ``channel`` (blocked, and not because it failed)."""
    return channel in state["blocked_channels"] and channel not in state["unreachable"]


def away_reason(local: datetime) -> str:
    """The reason of the new times owed for a meeting their out-of-office covered (R17, R15),
    the meeting's time in the prospect's zone (``local``)."""
    return f"their out-of-office covered the meeting on {day_month_time(local)}: propose new times"


def drop_away(state: State, meeting_id: str | None = None) -> None:
    """The new times owed for the meeting ``meeting_id`` their out-of-office covered (default:
    for every such meeting) are owed no more."""
    if meeting_id is not None:
        key = AWAY_KEY + meeting_id
        state["obligations"] = tuple(o for o in state["obligations"] if o.key != key)
    else:
        state["obligations"] = tuple(
            o for o in state["obligations"] if not o.key.startswith(AWAY_KEY)
        )


def resume_reason(local: datetime, asked: bool) -> str:
    """The reason of the contact owed after "not now" (R17), from ``local``, the instant in
    the prospect's zone: the one they ``asked`` for ("From", not "on": the day asked for may
    be one the calendar skips), or a drip interval after their answer."""
    if asked:
        return f"they said not now and asked to hear back from {day_month(local)}"
    return f"they said not now; resume from {day_month(local)}, a drip interval later"


def agreed_reason(local: datetime) -> str:
    """The reason of a contact agreed for ``local`` (R1), in the prospect's zone."""
    return f"agreed with the prospect: next contact {day_month_time(local)}"


def answer_channel(state: State) -> Channel:
    """Where the answer owed to a reply goes: in writing, unless they refused email or its
    address bounced while the phone is open (R2: owed on a blocked channel, it is the contact
    owed and holds the ladder, so nothing useful would be planned). A reply does not reopen a
    bounced address: only a new one does (``contact_updated``), or an opt-in."""
    blocked = state["blocked_channels"]
    if _refused(state, _EMAIL) or (_EMAIL in blocked and _PHONE not in blocked):
        return _PHONE
    return _EMAIL


def interest_answer(state: State, not_before: datetime) -> Obligation:
    """R13: what a reply with interest is owed from a prospect who refused meetings: an answer
    (:func:`answer_channel`), instead of a proposal of times for a meeting."""
    channel = answer_channel(state)
    return _obligation(
        key="followup",
        kind=touch_kind(channel),
        channel=channel,
        not_before=not_before,
        priority=Priority.PROMISE,
        rules=("R2", "R13"),
        reason="they replied with interest but asked for no meetings: answer them now, and "
        "propose no meeting",
    )


def _material(o: Obligation) -> bool:
    """The material promised (R14, R15): only an email sends it."""
    return o.key.startswith("collateral:")


def booked(state: State) -> bool:
    """Whether a meeting is booked (held, missed and cancelled ones leave nothing owed)."""
    meetings = state["meetings"]
    return bool(meetings) and any(m.status == "booked" for m in meetings)


def upcoming_meeting(state: State, at: datetime) -> bool:
    """Whether a booked meeting is still ahead of ``at``."""
    meetings = state["meetings"]
    return bool(meetings) and any(m.status == "booked" and m.starts_at > at for m in meetings)


def begun_before_pause(state: State) -> tuple[Meeting, ...]:
    """R2 under R17: the booked meetings that had begun by the newest event while a pause
    holds (their start before its end): those held or missed before the prospect went away
    (an out-of-office covers the ones it falls on, :meth:`FoldBase.cover_meetings`). Logging
    one is the rep's own bookkeeping, not a touch to the prospect, so the pause does not hold
    the reminder to log it; nor is the log a sign that they are back."""
    paused, meetings = state["paused_until"], state["meetings"]
    if paused is None or not meetings:
        return ()
    newest = state["last_event_at"]
    return tuple(
        m
        for m in meetings
        if m.status == "booked" and m.starts_at <= newest and m.starts_at < paused
    )
