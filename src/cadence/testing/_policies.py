"""Policies with every knob varied (within what the engine accepts)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Literal

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from cadence.compliance import CallingRule, Cap
from cadence.policy import Escalation, Policy, TimeSlot, WeekdayHours, _longest_stretch

# -- policies ---------------------------------------------------------------------------------


def _slots(*spec: tuple[str, time, time]) -> tuple[TimeSlot, ...]:
    return tuple(TimeSlot(name=n, start=a, end=b) for n, a, b in spec)


#: Calling hours to draw from: the default three parts of the day, hours that overrun the legal
#: calling windows on both sides (the guards must clip them), one undivided day (R4 has nothing
#: to rotate) and two touching slots.
CALL_SLOTS: tuple[tuple[TimeSlot, ...], ...] = (
    Policy().call_slots,
    _slots(
        ("early", time(7), time(9, 30)),
        ("day", time(10), time(16)),
        ("evening", time(18), time(21, 30)),
    ),
    _slots(("day", time(9), time(17))),
    _slots(("morning", time(8), time(12)), ("afternoon", time(12), time(20, 30))),
)
#: Email hours to draw from; the night shift starts at midnight and ends at 02:30, wall times
#: that some zones skip on the day their clocks go forward (Cairo, Santiago; Chicago, Lord Howe),
#: and runs on from 22:00 to the day's end (``24:00``), where the next night starts.
EMAIL_HOURS: tuple[tuple[TimeSlot, ...], ...] = (
    Policy().email_hours,
    _slots(("am", time(7), time(11)), ("pm", time(13), time(19))),
    _slots(
        ("night", time(0), time(2, 30)),
        ("day", time(8), time(18)),
        ("late", time(22), time.max),
    ),
)
#: Monday first; every mask keeps at least three weekdays, so that every shipped legal rule
#: leaves a calling slot.
WEEKMASKS = ("1111100", "1111001", "1111110", "1010100", "1111111")
#: A rule of a team's own (``Policy.calling_rules``), drawn now and then: Illinois prospects get
#: no call before noon on a Sunday, and at most two calls in any 48 hours.
TEAM_RULE = CallingRule(
    id="team-il",
    version="1",
    name="A team's own calling rule for Illinois (an example, not the law)",
    country="US",
    subdivision="IL",
    windows={**dict.fromkeys(range(6), ((time(9), time(21)),)), 6: ((time(12), time(21)),)},
    cap=Cap(count=2, per=timedelta(hours=48)),
    effective_from=date(2020, 1, 1),
    source="https://example.com/counsel/illinois-calling-memo",
)
#: One working day's other hours (``Policy.weekday_hours``), inside every calling law's.
_SHORT_MORNING = _slots(("morning", time(10), time(12)))
#: R14's outside-hours options: the default two, none, or one.
_FLEXIBLE = (Policy().flexible_slots, (), _slots(("breakfast", time(7, 30), time(8, 30))))
_ESCALATIONS: tuple[Escalation, ...] = (
    "contact_receptionist",
    "ask_decision_makers",
    "manager_escalation",
)


@st.composite
def _policies(
    draw: st.DrawFn,
    legal_guards: SearchStrategy[bool],
    opt_out_scope: SearchStrategy[str],
    call_slots: SearchStrategy[tuple[TimeSlot, ...]],
    email_hours: SearchStrategy[tuple[TimeSlot, ...]],
    weekmasks: SearchStrategy[str],
) -> Policy:
    escalations = draw(st.lists(st.sampled_from(_ESCALATIONS), unique=True, max_size=3))
    team = draw(st.sampled_from([(None, None), ("US", None), ("US", "NY"), ("FR", None)]))
    weekmask = draw(weekmasks)
    # Now and then one working day of other hours: a short morning of calls, or no emails.
    working = [day for day in range(7) if weekmask[day] == "1"]
    overrides: list[dict[str, object]] = []
    if len(working) > 1 and draw(st.integers(0, 3)) == 3:  # (none: the shrink target)
        overrides.append(
            {
                "weekday": draw(st.sampled_from(working)),
                "channel": draw(st.sampled_from(["phone", "email"])),
                "slots": draw(st.sampled_from([(), _SHORT_MORNING])),
            }
        )
    # A meeting as long as the hours allow somewhere (a longer one is refused: R14, R15).
    call_hours = draw(call_slots)
    longest, _ = _longest_stretch(
        weekmask, call_hours, tuple(WeekdayHours.model_validate(w) for w in overrides)
    )
    meetings = [m for m in (15, 30, 90) if m <= longest] or [min(max(longest, 5), 15)]
    return Policy.model_validate(
        {
            "min_gap_business_days": draw(st.integers(1, 6)),
            "switch_channel_after": draw(st.integers(1, 4)),
            "voicemail_email": draw(st.booleans()),
            "opt_out_offer_after": draw(st.integers(1, 5)),
            "opt_out_gap_business_days": draw(st.integers(1, 15)),
            "escalations": tuple(escalations),
            "breakup_wait_business_days": draw(st.integers(1, 8)),
            "followup_business_days": draw(st.integers(1, 4)),
            "reaction_minutes": draw(st.sampled_from([1, 5, 30, 120])),
            "commitment_grace_minutes": draw(st.sampled_from([1, 30, 120])),
            "out_of_office_default_days": draw(st.integers(1, 10)),
            "drip_interval_days": draw(st.integers(1, 60)),
            "drip_requires_permission": draw(st.booleans()),
            "opt_out_scope": draw(opt_out_scope),
            "weekmask": weekmask,
            "weekday_hours": tuple(overrides),
            "unheard_calls_limit": draw(st.integers(1, 4)),
            "proposal_count": draw(st.integers(1, 4)),
            "meeting_minutes": draw(st.sampled_from(meetings)),
            "flexible_slots": draw(st.sampled_from(_FLEXIBLE)),
            "call_slots": call_hours,
            "email_hours": draw(email_hours),
            "team_country": team[0],
            "team_subdivision": team[1],
            "extra_holidays": draw(
                st.frozensets(st.dates(date(2024, 1, 1), date(2030, 12, 31)), max_size=3)
            ),
            "legal_guards": draw(legal_guards),
            "event_id_memory_days": draw(st.sampled_from([None, 1, 30])),
            "calling_rules": draw(st.sampled_from([(), (TEAM_RULE,)])),
        }
    )


def policies(
    *,
    legal_guards: SearchStrategy[bool] | None = None,
    opt_out_scope: SearchStrategy[Literal["all", "channel"]] | None = None,
    call_slots: SearchStrategy[tuple[TimeSlot, ...]] | None = None,
    email_hours: SearchStrategy[tuple[TimeSlot, ...]] | None = None,
    weekmasks: SearchStrategy[str] | None = None,
    include_default: bool = True,
) -> SearchStrategy[Policy]:
    """Valid policies with every knob varied (default: legal guards on, both opt-out scopes,
    hours from :data:`CALL_SLOTS` and :data:`EMAIL_HOURS`, weekmasks from :data:`WEEKMASKS`,
    sometimes a rule of the team's own, :data:`TEAM_RULE`, and one working day of other hours:
    a short morning of calls or emails, or none).

    With ``include_default`` the default ``Policy()`` is drawn about half the time, and is the
    shrink target.
    """
    varied = _policies(
        st.just(True) if legal_guards is None else legal_guards,
        st.sampled_from(["all", "channel"]) if opt_out_scope is None else opt_out_scope,
        st.sampled_from(CALL_SLOTS) if call_slots is None else call_slots,
        st.sampled_from(EMAIL_HOURS) if email_hours is None else email_hours,
        st.sampled_from(WEEKMASKS) if weekmasks is None else weekmasks,
    )
    return st.just(Policy()) | varied if include_default else varied
