"""The policy's own working week, read from its data: business days and contact hours.

The legal checks (``cadence.simulation._checks``) hold calls to the law. A team's policy is
stricter still: its ``weekmask``, its holidays (the prospect's country, the team's, the
``extra_holidays``) and its hours (``call_slots``, ``email_hours``, ``weekday_hours``). A call
on a Saturday at 10:00 is legal in Illinois, yet breaks a Monday-to-Friday policy; these
checks catch it, from the policy's fields rather than from the engine's calendar.
"""

from __future__ import annotations

from datetime import date, time

from cadence.actions import Action, ActionKind
from cadence.businessdays import holiday_dates
from cadence.calendar import resolve_local, zone
from cadence.channel import Channel
from cadence.policy import Policy
from cadence.prospect import Prospect

__all__ = ["business_day", "hours_problems"]

_TIMED = {Channel.PHONE: "call_slots", Channel.EMAIL: "email_hours"}
_UNTIMED = frozenset({ActionKind.WAIT, ActionKind.NONE})
_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _holiday(policy: Policy, p: Prospect, day: date) -> str | None:
    """Which calendar makes ``day`` a holiday for ``p`` under ``policy`` (``None``: none)."""
    if day in policy.extra_holidays:
        return "the policy's extra_holidays"
    if p.country and day in holiday_dates(p.country, p.subdivision, day.year):
        return f"a public holiday in {p.country}{'-' + p.subdivision if p.subdivision else ''}"
    team = policy.team_country
    if team and day in holiday_dates(team, policy.team_subdivision, day.year):
        return f"a public holiday of the team ({team})"
    return None


def business_day(policy: Policy, p: Prospect, day: date) -> bool:
    """Whether ``day`` is a business day of ``p``'s calendar under ``policy``: a working day
    of its weekmask, and a holiday of no calendar the policy reads."""
    return policy.weekmask[day.weekday()] == "1" and _holiday(policy, p, day) is None


def _hours(policy: Policy, channel: Channel, weekday: int) -> tuple[tuple[time, time], ...]:
    for override in policy.weekday_hours:
        if override.weekday == weekday and override.channel == channel.value:
            return tuple((s.start, s.end) for s in override.slots)
    slots = policy.call_slots if channel is Channel.PHONE else policy.email_hours
    return tuple((s.start, s.end) for s in slots)


def _stretches(hours: tuple[tuple[time, time], ...]) -> list[tuple[time, time]]:
    """``hours`` with touching slots joined (09:00-12:00 and 12:00-14:00 are 09:00-14:00: a
    window may run from one part of the day into the next)."""
    out: list[tuple[time, time]] = []
    for a, b in sorted(hours):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def hours_problems(policy: Policy, p: Prospect, action: Action) -> list[str]:
    """What is wrong with ``action``'s due window under ``policy``'s own week: a call or an
    email (of any kind) must start on a business day of the prospect's calendar and lie, whole,
    inside one of the policy's hours for that channel and weekday."""
    channel = action.channel
    if channel not in _TIMED or action.kind in _UNTIMED:
        return []
    tz = zone(p.timezone)
    start, end = action.earliest.astimezone(tz), action.latest.astimezone(tz)
    day = start.date()
    where = (
        f"{action.kind.value} due {start:%a %Y-%m-%d %H:%M}-{end:%H:%M} ({p.timezone}) "
        f"under the policy"
    )
    if policy.weekmask[day.weekday()] != "1":
        return [
            f"DESIGN §4: {where} falls on a {_NAMES[day.weekday()]}, not a working day of its "
            f"weekmask {policy.weekmask!r}"
        ]
    holiday = _holiday(policy, p, day)
    if holiday is not None:
        return [f"DESIGN §4: {where} falls on {day}, {holiday}, not a business day"]
    hours = _hours(policy, channel, day.weekday())
    for a, b in _stretches(hours):
        opens, closes = resolve_local(day, a, tz), resolve_local(day, b, tz)
        if opens <= start and end <= closes:
            return []
    shown = ", ".join(f"{a:%H:%M}-{'24:00' if b == time.max else f'{b:%H:%M}'}" for a, b in hours)
    return [f"DESIGN §5: {where} is outside its {_TIMED[channel]} for that day ({shown or 'none'})"]
