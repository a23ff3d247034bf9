"""What the engine tells the rep to do next (DESIGN §3, §6)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict

from cadence.channel import Channel

__all__ = ["Action", "ActionKind", "Priority", "touch_kind"]


class ActionKind(StrEnum):
    """The kinds of next action."""

    CALL = "call"
    EMAIL = "email"
    SEND_COLLATERAL = "send_collateral"
    PROPOSE_TIMES = "propose_times"
    OPT_OUT_OFFER = "opt_out_offer"
    BREAKUP = "breakup"
    DRIP_TOUCH = "drip_touch"
    CONTACT_RECEPTIONIST = "contact_receptionist"
    ESCALATE = "escalate"
    ATTEND_MEETING = "attend_meeting"
    WAIT = "wait"
    NONE = "none"


#: The engine's tie-break between tasks due together: priority, then kind in this order.
KIND_ORDER = {k: i for i, k in enumerate(ActionKind)}


def touch_kind(channel: Channel) -> ActionKind:
    """The plain touch on ``channel``: a call on the phone, otherwise an email."""
    return _CALL if channel is _PHONE else _EMAIL


# Enum members read on the hot path, bound to module names: on Python 3.11 every
# ``Stage.NEW``-style read goes through ``EnumType.__getattr__``'s slot, about 70 ns, ten
# times a global (3.12 dropped the hook). See docs/performance.md.
_CALL, _EMAIL, _PHONE = ActionKind.CALL, ActionKind.EMAIL, Channel.PHONE


class Priority(IntEnum):
    """Priority classes, most urgent first (batch planning orders by these, then lateness)."""

    RESCHEDULE = 0
    """The rep caused a reschedule (R14): repair trust first."""
    PROMISE = 1
    """A contact agreed with the prospect (R1) or a booked meeting."""
    PREPARE = 2
    """Material due before a meeting (R15) or promised material (R14)."""
    FOLLOW_UP = 3
    """The regular cadence: follow-ups, the unanswered ladder. Batch planning ranks the
    follow-ups owed to a prospect who talked to us or booked with us (R1's default follow-up,
    the new times after a no-show, after an opt-in or a "not now") above the ladder's steps."""
    DRIP = 4
    """Top-of-mind touches (R11)."""
    IDLE = 5
    """Nothing to do: wait or none."""


class Action(BaseModel):
    """One next action, with its due window in the prospect's zone and the rules behind it.

    ``earliest`` and ``latest`` are aware datetimes in the prospect's zone (compare them as
    instants; ``earliest_utc`` and ``latest_utc`` give them in UTC). A call may start anywhere in
    ``[earliest, latest)``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    prospect_id: str
    kind: ActionKind
    channel: Channel | None
    earliest: datetime
    latest: datetime
    priority: Priority
    rules: tuple[str, ...]
    reason: str
    """Why the engine chose this action, for the rep and the logs: in English whatever
    ``Templates.locale`` (the same explanation in every team's logs)."""
    talking_points: tuple[str, ...] = ()
    """What the rep says or writes, from the policy's templates, in their ``locale``."""
    flags: tuple[str, ...] = ()
    """Markers for hosts: ``overdue``, ``commitment_missing``, ``paused``, ``referral`` (an
    escalation to the person the prospect named in ``detail``), ``moved`` (an agreed contact,
    R1, whose time the policy's hours or the law do not allow: due at the first moment they
    do, which the rep should tell the prospect)."""
    due_since: datetime | None = None
    """For an overdue action: when it first came due."""
    slot: str | None = None
    """The part of the day the window lies in (R4), e.g. ``morning``."""
    bounded_by: tuple[str, ...] = ()
    """The rule sets in force where and when the window falls: ``policy`` and each legal rule
    as ``id@version``. The window lies inside all of them; each is listed whether or not it
    was the one that clipped it (a 09:00-12:00 window lists the federal 08:00-21:00 rule)."""
    subject: str | None = None
    """An email subject, where the practice gives one (R7)."""
    detail: str | None = None
    """The meeting id, referral name or similar the action is about."""
    proposals: tuple[datetime, ...] = ()
    """For ``propose_times`` (or a touch that also proposes times): the start times to offer,
    in the prospect's zone (R14, R15)."""
    also: tuple[ActionKind, ...] = ()
    """The other kinds of work this one touch also does: the calls, or the emails, owed to the
    prospect at the same moment are one action (e.g. ``send_collateral`` in a
    ``propose_times`` email). Its ``reason`` gives each, after "in the same call:" or "in the
    same email:"."""

    def __eq__(self, other: object) -> bool:
        """The same fields, its datetimes compared as instants. Python compares datetimes of
        one zone by wall time, so in the hour a fall-back night repeats, a window an hour later
        (01:30 the second time) was equal to the first, and a host comparing actions to see
        whether the next one moved missed that it had; and it finds a time of that hour never
        equal to the same instant at a fixed offset, so such an action read back from its JSON
        was not equal to itself (PEP 495)."""
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Action)  # (for mypy)
        mine, theirs = self.__dict__, other.__dict__
        return _instants(self) == _instants(other) and all(
            mine[name] == theirs[name] for name in mine if name not in _TIMES
        )

    def __hash__(self) -> int:  # as ``__eq__`` compares: a repeated hour's times hash apart
        return hash((_instants(self), *(v for k, v in self.__dict__.items() if k not in _TIMES)))

    @property
    def earliest_utc(self) -> datetime:
        """``earliest`` in UTC."""
        return self.earliest.astimezone(UTC)

    @property
    def latest_utc(self) -> datetime:
        """``latest`` in UTC."""
        return self.latest.astimezone(UTC)

    @property
    def kinds(self) -> tuple[ActionKind, ...]:
        """Every kind of work the touch does: ``kind``, then ``also`` (e.g. ``propose_times``
        and ``send_collateral``). ``ActionKind.SEND_COLLATERAL in act.kinds`` asks whether to
        attach the material."""
        return (self.kind, *self.also)

    @property
    def overdue(self) -> bool:
        """Whether the action was due before the ``now`` it was computed for."""
        return "overdue" in self.flags


_TIMES = frozenset({"earliest", "latest", "due_since", "proposals"})


def _instants(action: Action) -> tuple[datetime | tuple[datetime, ...] | None, ...]:
    """``action``'s datetimes as instants (UTC), which tell apart the two of a repeated hour."""
    since = action.due_since
    return (
        action.earliest.astimezone(UTC),
        action.latest.astimezone(UTC),
        None if since is None else since.astimezone(UTC),
        tuple(t.astimezone(UTC) for t in action.proposals),
    )
