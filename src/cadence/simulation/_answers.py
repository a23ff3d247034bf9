"""What a simulated prospect does in answer to a touch: the events the responder model draws.

:class:`Answers` is the half of :class:`~cadence.simulation._life.Life` that builds the
prospect's side (a live call's agreement and booking, a reply, new contact details after a
failure, a meeting's outcome) and queues it for later. ``Life`` holds the state these methods
read is declared here for the type checker; its slots are ``Life``'s.
"""

from __future__ import annotations

import heapq
from datetime import datetime, time, timedelta

from cadence import events as ev
from cadence.actions import Action, ActionKind
from cadence.calendar import ContactCalendar, resolve_local
from cadence.channel import Channel
from cadence.prospect import Prospect
from cadence.simulation._events import connected_call, email_replied, meeting_booked
from cadence.simulation._luck import (
    BOOK,
    COMMIT,
    DELAY,
    DETAILS,
    DO_NOT_CALL,
    MEETING,
    PERMISSION,
    PREFERENCE,
    REP_CANCEL,
    WIN,
    Luck,
)
from cadence.simulation._population import Member
from cadence.simulation._responder import Responder

__all__ = ["MINUTE", "Answers"]

MINUTE = timedelta(minutes=1)
_CALL = ActionKind.CALL
_CANCELLED = ("cancelled_by_prospect", "cancelled_by_rep")


class Answers:
    """The prospect's answers to a :class:`~cadence.simulation._life.Life`'s touches."""

    # The state only these methods write is theirs; the rest is Life's.
    __slots__ = ("_decided", "_meetings", "_seq", "_wants_meeting")

    luck: Luck
    r: Responder
    p: Prospect
    cal: ContactCalendar
    member: Member
    queue: list[tuple[datetime, int, ev.Event | Action]]
    _seq: int
    _meetings: int
    _wants_meeting: bool
    _decided: frozenset[str]

    def _find_new_details(self, failed_at: datetime, *, phone: bool) -> None:
        """After a wrong number or a bounce, maybe the rep finds one that works, a day to three
        later (``new_details_rate``). Once it is logged, calls (or emails) reach them."""
        luck = self.luck
        if not luck.chance(DETAILS, self.r.new_details_rate):
            return
        at = failed_at + timedelta(hours=24 + luck.below(DETAILS, 48))
        who = self.p.id
        if phone:
            self._later(ev.ContactUpdated(at=at, phone=f"+1555{self.member.number:07d}"))
        else:
            self._later(ev.ContactUpdated(at=at, email=f"{who}.new@example.test"))

    def _opts_out(self, offered_at: datetime) -> None:
        """They take the opt-out offered at ``offered_at`` (R8), an hour to two days later."""
        opted = offered_at + timedelta(minutes=60 + self.luck.below(DELAY, 47 * 60))
        self._later(ev.OptedOut(at=opted))

    def _later(self, event: ev.Event) -> None:
        self._seq += 1
        heapq.heappush(self.queue, (event.at, self._seq, event))

    def _conversation_call(self, at: datetime, offer: Action | None = None) -> ev.CallAttempted:
        """A live call (placed or returned): permission (R12), an agreed next contact (R1), and
        maybe a meeting or a stated preference for email (R16) right after. ``offer``: the
        touch offered times (R14, R15), so a prospect who wants a meeting books one, and a
        cancelled meeting is booked again under its own id."""
        r, luck = self.r, self.luck
        if r.do_not_call_rate and luck.chance(DO_NOT_CALL, r.do_not_call_rate):
            self._later(ev.OptedOut(at=at + MINUTE, channels=frozenset({Channel.PHONE})))
            return connected_call(at, permission=False, next_contact_at=None)
        permission = luck.chance(PERMISSION, r.permission_rate)
        agreed = self._agreed(at) if luck.chance(COMMIT, r.commit_rate) else None
        # A prospect with a meeting ahead books no other, unless offered times for one.
        book = luck.chance(BOOK, r.book_rate) and (offer is not None or not self._booked(at))
        meeting = None if offer is None else self._offered(offer)
        if meeting is not None:
            self._decided |= {meeting}
        if offer is not None and self._wants_meeting:
            book, self._wants_meeting = True, False
        if book:
            self._later(self._booking(at + MINUTE, meeting))
        if luck.chance(PREFERENCE, r.preference_rate):
            self._later(ev.ChannelPreference(at=at + MINUTE, channel=Channel.EMAIL))
        return connected_call(at, permission=permission, next_contact_at=agreed)

    def _offers_for(self, act: Action, offering: bool) -> bool:
        """Whether a touch that names a meeting (``act.detail``) offers times for it. The
        repair of a cancelled meeting does, once per cancellation: the rep's call at once
        (R14) or the new times (R14, R15), whichever comes first; the invitation sent beside a
        call that settled it offers nothing more, and the material sent before it none."""
        meeting = act.detail
        for m in self.p.meetings:
            if m.id == meeting:
                if meeting in self._decided:
                    return False
                return offering or (act.kind is _CALL and m.status in _CANCELLED)
        return offering

    def _offered(self, act: Action) -> str | None:
        """The meeting ``act`` offers new times for, if it names one (R14, R15): booked again
        under its own id. Otherwise (times after a reply) a new meeting."""
        detail = act.detail
        if detail is not None and any(m.id == detail for m in self.p.meetings):
            return detail
        return None

    def _booked(self, at: datetime) -> bool:
        """Whether the prospect has a meeting booked that starts after ``at``."""
        return any(m.status == "booked" and m.starts_at > at for m in self.p.meetings)

    def _reply(self, at: datetime) -> ev.EmailReplied:
        # A reply asks for times (a draw whatever the outcome), unless a meeting is ahead.
        positive = self.luck.chance(BOOK, self.r.book_rate) and not self._booked(at)
        self._wants_meeting = self._wants_meeting or positive
        when = at + timedelta(minutes=60 + self.luck.below(DELAY, 29 * 60))
        return email_replied(when, "positive" if positive else None)

    def _agreed(self, at: datetime) -> datetime:
        """An agreed next contact: 2-5 business days later at 10:30, their time (R1)."""
        day = self.cal.add_business_days(self.cal.local(at).date(), 2 + self.luck.below(DELAY, 4))
        return resolve_local(day, time(10, 30), self.cal.zone)

    def _booking(self, at: datetime, meeting_id: str | None) -> ev.MeetingBooked:
        if meeting_id is None:
            self._meetings += 1
            meeting_id = f"m{self._meetings}"
        luck = self.luck
        day = self.cal.add_business_days(self.cal.local(at).date(), 2 + luck.below(DELAY, 3))
        hour = (10, 11, 14, 15)[luck.below(DELAY, 4)]
        starts = resolve_local(day, time(hour), self.cal.zone)
        return meeting_booked(at, meeting_id, starts)

    def _meeting_outcome(self, booked: ev.MeetingBooked) -> None:
        """Decided when the meeting is booked: cancelled by the rep (R14) or by the prospect
        (R15), missed, or held."""
        r, luck = self.r, self.luck
        cancel = luck.chance(MEETING, r.cancel_rate)
        no_show = luck.chance(MEETING, r.no_show_rate)
        rep_cancel = luck.chance(REP_CANCEL, r.rep_cancel_rate)  # its own stream: see _luck
        mid = booked.meeting_id
        after = booked.starts_at + timedelta(minutes=booked.duration_minutes + 10)
        if rep_cancel:
            at = booked.at + (booked.starts_at - booked.at) / 3
            self._later(ev.MeetingCancelled(at=at, meeting_id=mid, by="rep"))
        elif cancel:
            at = booked.at + (booked.starts_at - booked.at) / 2
            self._later(ev.MeetingCancelled(at=at, meeting_id=mid, by="prospect"))
        elif no_show:
            self._later(ev.MeetingNoShow(at=after, meeting_id=mid))
        else:
            permission = luck.chance(PERMISSION, r.permission_rate)
            agreed = self._agreed(after) if luck.chance(COMMIT, r.commit_rate) else None
            self._later(
                ev.MeetingHeld(
                    at=after, meeting_id=mid, permission=permission, next_contact_at=agreed
                )
            )
            if luck.chance(WIN, r.win_rate):
                self._later(ev.DealClosed(at=after + timedelta(hours=1), won=True))
