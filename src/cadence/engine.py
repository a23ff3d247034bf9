"""The engine: the one object users drive (DESIGN §6).

``Engine(policy)`` compiles what depends only on the policy once; every call after that is a pure
function of its arguments. Time is always an argument: the engine never reads a clock.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> import cadence
>>> engine = cadence.Engine(cadence.Policy())
>>> now = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
>>> p = engine.enroll("acme-42", timezone="America/Chicago", at=now, country="US", subdivision="IL")
>>> engine.next_action(p, now=now).kind
<ActionKind.CALL: 'call'>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any, overload

from pydantic import ValidationError

from cadence import _replay, _writing
from cadence import events as ev
from cadence._agenda import (
    Task,
    drop_instant,
    first_drip_due,
    ladder_task_at,
    ladder_time,
    meetings_to_log,
    tasks,
)
from cadence._checked import Checked, is_checked
from cadence._choosing import Decided, choose, dormant, named
from cadence._construct import build
from cadence._fold import Fold
from cadence._fold_base import State, booked
from cadence._inputs import aware, checked_event
from cadence._ladder import drip_allowed
from cadence._one_touch import as_touches
from cadence._placing import (
    Searched,
    locate,
    placed_key,
)
from cadence._replay_ids import forget, stamp
from cadence._words import day_month_time
from cadence.actions import Action, ActionKind, Priority
from cadence.businessdays import check_region, subdivision_code
from cadence.calendar import ContactCalendar, check_place, zone
from cadence.channel import Channel
from cadence.errors import ConflictingEventError, InvalidInputError, LateEventError
from cadence.lifecycle import TERMINAL, Lifecycle, Stage, Trigger, lifecycle
from cadence.policy import Policy
from cadence.prospect import Prospect

__all__ = ["Engine"]

_CONTACT_UPDATED = ev.ContactUpdated
_ATTEND = ActionKind.ATTEND_MEETING
_OPTED_OUT, _OPTED_IN = ev.OptedOut, ev.OptedIn
_OPTED_OUT_STAGE = Stage.OPTED_OUT


# Enum members read on the hot path, bound to module names: on Python 3.11 every
# ``Stage.NEW``-style read goes through ``EnumType.__getattr__``'s slot, about 70 ns, ten
# times a global (3.12 dropped the hook). See docs/performance.md.
_DROPPED, _OPT_OUT_OFFERED, _DRIP = Stage.DROPPED, Stage.OPT_OUT_OFFERED, Stage.DRIP


class Engine:
    """Decides what to do next with each prospect under one :class:`cadence.Policy`."""

    def __init__(self, policy: Policy | None = None) -> None:
        if policy is None:
            policy = Policy()
        if not isinstance(policy, Policy):
            msg = f"policy: expected a cadence.Policy, got {type(policy).__name__}"
            raise InvalidInputError(msg, field="policy", value=policy)
        if not is_checked(policy):  # made by model_copy(update=...) or model_construct
            try:
                policy = Policy.model_validate(dict(policy.__dict__))
            except ValidationError as exc:
                raise ev.explain_validation_error(exc, "policy", Policy) from None
        self.policy = policy
        self._texts = policy.templates.as_said()  # (what the talking points read)
        # Calls (or emails) owed less than a reaction delay apart are one touch (_one_touch).
        self._reach = timedelta(minutes=policy.reaction_minutes)
        days = policy.event_id_memory_days
        self._memory = None if days is None else timedelta(days=days)
        self.lifecycle: Lifecycle = lifecycle()
        self._calendars: dict[tuple[str, str | None, str | None], tuple[ContactCalendar, Fold]] = {}

    def __reduce__(self) -> tuple[type[Engine], tuple[Policy]]:
        """An engine pickles as its policy (a process pool's task, a task queue's argument):
        the other process compiles its own calendars; its caches are no part of its answers."""
        return Engine, (self.policy,)

    # -- plumbing ---------------------------------------------------------------------------
    def calendar(self, p: Prospect) -> ContactCalendar:
        """The contact calendar for this prospect's zone and region under this policy."""
        p = self._check_prospect(p)
        return self._for(p.timezone, p.country, p.subdivision)[0]

    def _for(
        self, timezone: str, country: str | None, subdivision: str | None
    ) -> tuple[ContactCalendar, Fold]:
        key = (timezone, country, subdivision)
        found = self._calendars.get(key)
        if found is None:
            check_place(self.policy, timezone, country, subdivision)  # once per place
            found = self._build(timezone, country, subdivision)
            if len(self._calendars) > 4096:
                self._calendars.clear()
            self._calendars[key] = found
        return found

    def _build(
        self, timezone: str, country: str | None, subdivision: str | None
    ) -> tuple[ContactCalendar, Fold]:
        cal = ContactCalendar(self.policy, timezone, country, subdivision)
        return cal, Fold(self.policy, cal, partial(named, self.policy, self._reach, cal))

    def _leaving(
        self, p: Prospect, to: tuple[str, str | None, str | None]
    ) -> tuple[ContactCalendar, Fold]:
        """The calendar of the place a ``contact_updated`` moves ``p`` from, to the checked
        place ``to``. A stored state whose zone is not of its country (saved before cadence
        checked them) is refused everywhere else; an update that gives it another place
        repairs it: what time changed until then is read in the zone it had."""
        try:
            return self._for(p.timezone, p.country, p.subdivision)
        except InvalidInputError as exc:
            if exc.field != "timezone" or to == (p.timezone, p.country, p.subdivision):
                raise
            zone(p.timezone)  # (a zone that does not exist cannot be read at all)
            check_region(p.country, p.subdivision, field="country")
            return self._build(p.timezone, p.country, p.subdivision)

    @staticmethod
    def _check_prospect(p: Any) -> Prospect:
        """``p`` if validation (or the engine) made it, else validated again: a prospect made
        by ``model_copy(update=...)`` or ``model_construct`` (:mod:`cadence._checked`)."""
        if type(p) is Prospect and type(p.__pydantic_fields_set__) is Checked:
            return p
        if not isinstance(p, Prospect):
            msg = (
                f"prospect: expected a cadence.Prospect, got {type(p).__name__}; build one with "
                "engine.enroll(...) or Prospect.model_validate_json(...)"
            )
            raise InvalidInputError(msg, field="prospect", value=p)
        try:
            return Prospect.model_validate(dict(getattr(p, "__dict__", {})))
        except ValidationError as exc:
            raise ev.explain_validation_error(exc, "prospect", Prospect) from None

    # -- the API ------------------------------------------------------------------------------
    def enroll(
        self,
        prospect_id: str,
        *,
        timezone: str,
        at: datetime,
        country: str | None = None,
        subdivision: str | None = None,
        preferred_channel: Channel | str | None = None,
        topic: str | None = None,
        local: bool = False,
        owner: str | None = None,
        phone: str | None = None,
        email: str | None = None,
    ) -> Prospect:
        """A new prospect in stage ``new``, whose first touch is due at once (R2).

        ``timezone`` is the prospect's IANA zone (required: calling hours are local);
        ``country``/``subdivision`` (ISO 3166; a subdivision also by name, ``Florida``, stored
        as its code) select holidays and legal calling rules (without a country, the rules of
        the country the zone belongs to bind calls; where rules bind the country, the zone must
        be one of its: ``UTC`` for a US prospect is refused);
        ``topic`` is what they asked about (email subjects refer to it, R7); ``local`` says
        they are near enough to meet in person (R14 offers coffee or lunch); ``owner`` is the
        rep, ``phone`` and ``email`` the contact points suppression lists are matched against.
        """
        if not isinstance(prospect_id, str) or not prospect_id:
            msg = f"prospect_id: expected a non-empty string, got {prospect_id!r}"
            raise InvalidInputError(msg, field="prospect_id", value=prospect_id)
        if prospect_id.isspace():  # (the state's ``id`` refuses it: name the argument given)
            msg = (
                f"prospect_id: {prospect_id!r} is blank (only spaces); give the CRM's id "
                "of the prospect"
            )
            raise InvalidInputError(msg, field="prospect_id", value=prospect_id)
        at_utc = aware(at, "at")
        country = country.upper() if isinstance(country, str) else country
        if isinstance(subdivision, str):  # "noord" or "NOORD" with NL: the Netherlands' Noord
            subdivision = subdivision_code(country, subdivision)
        self._for(timezone, country, subdivision)
        try:
            return Prospect(
                id=prospect_id,
                stage=Stage.NEW,
                blocked_channels=frozenset(),
                timezone=timezone,
                country=country,
                subdivision=subdivision,
                enrolled_at=at_utc,
                last_event_at=at_utc,
                preferred_channel=preferred_channel,
                topic=topic,
                local=local,
                owner=owner,
                phone=phone,
                email=email,
            )
        except ValidationError as exc:
            raise ev.explain_validation_error(exc, "enroll") from None

    def apply(self, p: Prospect, event: ev.Event) -> Prospect:
        """The prospect after ``event``. Never mutates ``p``; on error ``p`` is untouched.

        A duplicate event id is a no-op; the same id with another payload is a
        :class:`~cadence.errors.ConflictingEventError`. An event older than the newest one
        applied is a :class:`~cadence.errors.LateEventError` (use :meth:`replay`), except an
        opt-out, which is always honoured (R13).
        """
        p = self._check_prospect(p)
        event = checked_event(event)
        # Read once (both are frozen): a pydantic model's attribute read goes through its
        # class's ``__getattr__`` hook, and the checks below read these several times.
        held = p.__dict__
        at, last = event.at, held["last_event_at"]
        fingerprint = None
        if event.id is not None:
            fingerprint = ev.event_fingerprint(event)
            seen = p.seen.get(event.id)
            if seen is not None:
                if seen == fingerprint or seen == ev.earlier_fingerprint(event):
                    return p  # (the fingerprint of a state stored before a field was added)
                if type(event) is not _OPTED_OUT:
                    msg = (
                        f"id: event {event.id!r} was already applied with a different payload; "
                        "give the new event its own id"
                    )
                    raise ConflictingEventError(msg, field="id", value=event.id)
                fingerprint = None  # honoured all the same (R13); the id stays the other's
        advanced = held["advanced_at"]
        if advanced is not None and at < advanced and at >= last and type(event) is not _OPTED_OUT:
            msg = (
                f"at: {event.type} at {event.at.isoformat()} is older than a change "
                f"engine.advance(...) made and the state holds ({advanced.isoformat()}: "
                f"the prospect is {p.stage.value} since); rebuild the state with "
                "engine.replay(...) over the whole history, which folds it before that change"
            )
            raise LateEventError(msg, field="at", value=event.at)
        if (
            at == last
            and type(event) is _OPTED_IN
            and (p.stage is _OPTED_OUT_STAGE or p.blocked_channels - p.unreachable)
        ):
            msg = (
                f"at: an opt-in at {event.at.isoformat()}, the instant of the newest event "
                "applied, when the prospect had opted out: at one instant replay folds the "
                "opt-out last (R13); rebuild the state with engine.replay(...) over the whole "
                "history, or log the opt-in at the moment it was given"
            )
            raise LateEventError(msg, field="at", value=event.at)
        if at < last and not isinstance(event, ev.OptedOut):
            msg = (
                f"at: {event.type} at {event.at.isoformat()} is older than the newest event "
                f"applied ({p.last_event_at.isoformat()}); rebuild the state with "
                "engine.replay(...) over the whole history"
            )
            memory = self._memory
            if event.id is not None and memory is not None and event.at < p.last_event_at - memory:
                msg += (
                    "; or, if it is a redelivery, drop it: it was applied when first "
                    "delivered, and its id is forgotten (event_id_memory_days="
                    f"{self.policy.event_id_memory_days})"
                )
            raise LateEventError(msg, field="at", value=event.at)
        place = (held["timezone"], held["country"], held["subdivision"])
        found = self._calendars.get(place)
        if type(event) is _CONTACT_UPDATED:
            to = event.place(*place)
            self._for(*to)  # a place that exists, its zone one of its country's
            if found is None:
                found = self._leaving(p, to)
        cal, fold = self._for(*place) if found is None else found
        state = dict(held)
        self._advance(state, cal, at)
        fold.apply(state, event)
        if type(event) is _CONTACT_UPDATED and state["timezone"] != p.timezone:
            self._for(state["timezone"], state["country"], state["subdivision"])[1].moved(state)
        if fingerprint is not None:
            state["seen"] = {**p.seen, event.id: fingerprint}
        if self._memory is not None:
            stamps = dict(p.seen_at)
            if fingerprint is not None and event.id is not None:
                stamps[event.id] = stamp(event.at)
            forget(state, stamps, self._memory, p.last_event_at)
        return build(Prospect, state)

    def advance(self, p: Prospect, now: datetime) -> Prospect:
        """The prospect as of ``now``: time-driven changes only (R10 drop, R11 drip, R17 end of
        a pause). ``next_action`` gives the same answer whether or not this is called first."""
        p = self._check_prospect(p)
        now_utc = aware(now, "now")
        state = dict(p.__dict__)
        if not self._advance(state, self.calendar(p), now_utc):
            return p
        # When the changes took effect, so that ``apply`` refuses an event older than them:
        # folded after them here, it would be folded before them by ``replay``.
        changes = [] if p.advanced_at is None else [p.advanced_at]
        if state["stage"] is not p.stage:
            if state["dropped_at"] is not None and p.stage is not _DROPPED:
                changes.append(state["dropped_at"])  # R10
            if state["stage"] is _DRIP:
                changes.append(first_drip_due(self.policy, state))  # R11
        if p.paused_until is not None and state["paused_until"] is None:
            changes.append(p.paused_until)  # R17
        if changes:
            state["advanced_at"] = max(changes)
        return build(Prospect, state)

    def _advance(self, state: State, cal: ContactCalendar, now: datetime) -> bool:
        """Time-driven changes, in place; whether there were any."""
        new = self._advanced(state, cal, now)
        if new is state:
            return False
        state.update(new)
        return True

    def _advanced(self, state: State, cal: ContactCalendar, now: datetime) -> State:
        """``state`` as of ``now`` (R10 drop, R11 first drip touch, R17 end of a pause):
        ``state`` itself when time changes nothing (it is only read), else a changed copy."""
        out = state
        stage = state["stage"]
        if stage is _OPT_OUT_OFFERED and state["breakup_sent_at"] is not None:
            drop = drop_instant(self.policy, cal, state["breakup_sent_at"])
            if now >= drop:  # R10: no answer to the breakup
                out = dict(state)
                out["stage"] = stage = self.lifecycle.next_stage(stage, Trigger.DROP)
                out["dropped_at"] = drop
                out["obligations"] = ()
        if (
            stage is _DROPPED
            and drip_allowed(self.policy, out)
            and now >= first_drip_due(self.policy, out)  # R11: the first drip touch is due
        ):
            if out is state:
                out = dict(state)
            out["stage"] = self.lifecycle.next_stage(Stage.DROPPED, Trigger.START_DRIP)
        paused = out["paused_until"]
        if paused is not None and now >= paused:  # R17: the pause is over
            if out is state:
                out = dict(state)
            out["paused_until"] = None
            out["pause_reason"] = None
            out["resumed_at"] = paused  # what came due while they were away is due from then
        return out

    def plan(self, p: Prospect, now: datetime) -> list[Action]:
        """Every follow-up currently owed, placed on the calendar and ordered: first the one
        due soonest (overdue work surfaces at ``now``), ties by priority. ``plan(p, now)[0]``
        is ``next_action(p, now)``."""
        state, cal, now_utc, floor = self._prepare(p, now)
        policy = self.policy
        todo = tasks(policy, cal, state, floor)
        actions = []
        if floor is not now_utc:
            logs = meetings_to_log(cal, state, now_utc)
            if logs:  # R2 under R17: the rep's own bookkeeping is due now, before the wait
                ids = {t.detail for t in logs}
                todo = [t for t in todo if not (t.kind is _ATTEND and t.detail in ids)]
                actions = self._placed(state, cal, logs, now_utc)
            actions.append(self._wait(state, cal, floor))
        actions.extend(self._placed(state, cal, todo, floor))
        return actions

    def _placed(
        self, state: State, cal: ContactCalendar, todo: list[Task], now_utc: datetime
    ) -> list[Action]:
        """The actions of ``todo`` placed from ``now_utc``, in the plan's order."""
        policy = self.policy
        placed = [locate(policy, state, cal, t, now_utc) for t in todo]
        placed.sort(key=lambda spot: placed_key(spot, cal))
        return [self._action(state, cal, spot) for spot in as_touches(placed, cal, self._reach)]

    def next_action(self, p: Prospect, now: datetime) -> Action:
        """The one next action, never due before ``now`` (R2: there always is exactly one)."""
        found = self._decide(p, now)
        return found if isinstance(found, Action) else self._action(*found)

    @overload
    def _decide(self, p: Prospect, now: datetime) -> Action | Decided: ...

    @overload
    def _decide(self, p: Prospect, now: datetime, until: datetime) -> Action | Decided | None: ...

    def _decide(
        self, p: Prospect, now: datetime, until: datetime | None = None
    ) -> Action | Decided | None:
        """``next_action`` before its words: the chosen task placed on the calendar (or the
        finished wait action). A batch planner ranks thousands of these and writes out the
        actions (talking points, the R5 projection) only for the few it keeps.

        With ``until`` (a planner's horizon, the end of the day it plans): ``None`` exactly when
        the next action starts at or after ``until`` or is ``none``. Most of a book is not due
        on a given day, and a task whose earliest possible start (its ``not_before``, ``now``,
        the local midnight of its business-day gap) is past the horizon is then never placed,
        and a prospect dropped for good (:func:`cadence._choosing.dormant`) is not even copied."""
        if until is None:
            state, cal, now_utc, floor = self._prepare(p, now)
            if floor is not now_utc:
                logs = meetings_to_log(cal, state, now_utc)  # R2 under R17: due now
                if logs:
                    return choose(self.policy, self._reach, state, cal, now_utc, None, logs)
                return self._wait(state, cal, floor)
            return choose(self.policy, self._reach, state, cal, now_utc, None)
        p = self._check_prospect(p)
        found = self._calendars.get((p.timezone, p.country, p.subdivision))
        cal = (self._for(p.timezone, p.country, p.subdivision) if found is None else found)[0]
        return self._horizon(p, cal, aware(now, "now"), until)

    def _horizon(
        self,
        p: Prospect,
        cal: ContactCalendar,
        now_utc: datetime,
        until: datetime,
        searched: Searched | None = None,
    ) -> Action | Decided | None:
        """:meth:`_decide` with a horizon, for a checked prospect, its calendar and ``now`` in
        UTC (a planner resolves these once per zone and day, not once per prospect), and the
        planner's memo of windows searched from ``now`` (:func:`cadence._placing.again`)."""
        if dormant(self.policy, cal, p.__dict__, now_utc):
            return None
        state, floor = self._as_of(p.__dict__, cal, now_utc)
        if floor is not now_utc:
            logs = meetings_to_log(cal, state, now_utc)  # R2 under R17: due now
            if not logs:
                return self._wait(state, cal, floor)
            if now_utc >= until:
                return None
            return choose(self.policy, self._reach, state, cal, now_utc, until, logs, searched)
        if now_utc >= until:
            return None
        if not (state["obligations"] or (state["meetings"] and booked(state))):
            # Only the ladder is owed (most of a book; terminal stages are dormant, above):
            # when its gap ends after the horizon, nothing is due, and no task need be
            # written (:func:`ladder_time`).
            when = ladder_time(self.policy, cal, state)
            if (
                when is None
                or when.not_before >= until
                or (when.base is not None and when.base >= cal.gap_reaches(when.gap, until))
            ):
                return None
            # What ``tasks`` would give, without asking the ladder twice.
            todo = [ladder_task_at(self.policy, cal, state, when)]
            return choose(self.policy, self._reach, state, cal, now_utc, until, todo, searched)
        return choose(self.policy, self._reach, state, cal, now_utc, until, None, searched)

    def _prepare(
        self, p: Prospect, now: datetime
    ) -> tuple[State, ContactCalendar, datetime, datetime]:
        """Validated inputs, the state as of ``now``, and the instant from which work may be
        placed (``now``, or the end of a pause, R17)."""
        p = self._check_prospect(p)
        now_utc = aware(now, "now")
        held = p.__dict__  # (read once: see ``apply``)
        place = (held["timezone"], held["country"], held["subdivision"])
        found = self._calendars.get(place)
        cal = (self._for(*place) if found is None else found)[0]
        state, floor = self._as_of(held, cal, now_utc)
        return state, cal, now_utc, floor

    def _as_of(
        self, state: State, cal: ContactCalendar, now_utc: datetime
    ) -> tuple[State, datetime]:
        """The state as of ``now_utc`` (``state`` itself when time changes nothing: read it
        only), and the instant from which work may be placed (``now_utc``, or a pause's end)."""
        state = self._advanced(state, cal, now_utc)
        paused = state["paused_until"]
        if paused is not None and now_utc < paused and state["stage"] not in TERMINAL:
            return state, paused
        return state, now_utc

    def _wait(self, state: State, cal: ContactCalendar, until: datetime) -> Action:
        local = cal.local(until)
        return build(
            Action,
            {
                "prospect_id": state["id"],
                "kind": ActionKind.WAIT,
                "channel": None,
                "earliest": local,
                "latest": local,
                "priority": Priority.IDLE,
                "rules": ("R17",),
                "reason": f"paused ({state['pause_reason']}) until {day_month_time(local)}",
                "flags": ("paused",),
            },
        )

    def replay(
        self,
        prospect_id: str,
        events: Iterable[ev.Event | Mapping[str, Any] | str | bytes],
        *,
        timezone: str,
        at: datetime | None = None,
        country: str | None = None,
        subdivision: str | None = None,
        preferred_channel: Channel | str | None = None,
        topic: str | None = None,
        local: bool = False,
        owner: str | None = None,
        phone: str | None = None,
        email: str | None = None,
    ) -> Prospect:
        """Fold a whole history (cadence events or their JSON, as text or decoded), sorted by
        time, then id (DESIGN §9), so that any order of the same history folds the same. At
        one instant an opt-out comes last (R13), and the other events fold by id (those
        without one first, then by payload): give events at one instant ids in the order they
        happened (a sequence number) if their order matters. Linear in the number of events,
        plus the sort.
        ``at`` is the enrolment instant (default: the first event's), not the time to replay
        as of: an event older than it is refused (``LateEventError``), as ``apply`` refuses it
        after ``enroll(at=...)``, except an opt-out (R13); the other keywords are
        the enrolment facts of :meth:`enroll`, so a rebuilt state loses none of them. Give them
        as they were at enrolment: the history's ``contact_updated`` events change them at
        their own moment (events before a move are folded in the place they happened)."""
        enrol = {
            "timezone": timezone,
            "country": country,
            "subdivision": subdivision,
            "preferred_channel": preferred_channel,
            "topic": topic,
            "local": local,
            "owner": owner,
            "phone": phone,
            "email": email,
        }
        return _replay.replay(self, prospect_id, events, at, enrol)

    # -- writing out a placed task (:mod:`cadence._writing`) ---------------------------------
    _action = _writing.action
