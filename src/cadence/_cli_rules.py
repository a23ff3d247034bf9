"""``cadence policy rules PLACE``: the legal calling rules that bind a call to a place on a day,
the shipped ones and the policy's own, and the week they leave together; and the places where a
policy's calling hours never meet the law (``cadence policy validate`` notes them). Part of the
CLI edge (the ``cli`` extra); the core never imports it."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cadence._cli_common import PolicyFile, fail, policy_or_default
from cadence.businessdays import check_region, subdivision_code
from cadence.channel import Channel
from cadence.compliance import (
    PRESETS,
    Windows,
    allowed_windows,
    applicable_rules,
    strictest_caps,
    week_in_words,
)
from cadence.errors import CadenceError
from cadence.policy import Policy

__all__ = ["never_called", "rules_command"]

_WHOLE_DAY = ((time(0), time.max),)


def _place(text: str) -> tuple[str, str | None]:
    """``US-TX`` -> ("US", "TX"); ``FR`` -> ("FR", None); the codes checked."""
    country, _, code = text.strip().partition("-")
    country = country.upper()
    subdivision = subdivision_code(country, code) if code else None  # NL-noord: Noord
    try:
        check_region(country, subdivision, field="place")
    except CadenceError as exc:
        fail(f"{exc} (write the place as US, or US-TX)")
    return country, subdivision


def rules_command(
    place: Annotated[
        str, typer.Argument(help="A country, or a country and its subdivision: FR, US, US-TX.")
    ],
    on: Annotated[
        str | None, typer.Option(help="The day, YYYY-MM-DD; default: today, by the clock.")
    ] = None,
    policy: PolicyFile = None,
) -> None:
    """Show the legal calling rules that bind a call to PLACE on a day, and the week they
    leave together (before the policy's own calling hours)."""
    country, subdivision = _place(place)
    try:
        day = date.fromisoformat(on) if on is not None else datetime.now().date()
    except ValueError:
        fail(f"--on: {on!r} is not a date; use YYYY-MM-DD, e.g. 2026-03-10")
    try:
        chosen = policy_or_default(policy)
        rules = applicable_rules(
            country, subdivision, Channel.PHONE, day, (*PRESETS, *chosen.calling_rules)
        )
    except (CadenceError, ValueError) as exc:
        fail(str(exc))
    console = Console()
    where = country + (f"-{subdivision}" if subdivision else "")
    if not chosen.legal_guards:
        console.print(f"{where} on {day}: the policy turns legal_guards off; no rule binds calls")
        return
    if not rules:
        console.print(f"{where} on {day}: no legal calling rule; the policy's hours alone bind")
        return
    table = Table(title=f"Legal calling rules for a call to {where} on {day:%a %d %b %Y}")
    table.add_column("rule (cited as)", no_wrap=True)
    for column in ("calls allowed (local time)", "holidays", "cap", "statute, source"):
        table.add_column(column, overflow="fold")
    own = {rule.key() for rule in chosen.calling_rules}
    for rule in rules:
        cells = (
            rule.key() + ("\n(the policy's own)" if rule.key() in own else ""),
            rule.hours(),
            "no calls" if rule.no_holidays else "",
            str(rule.cap) if rule.cap else "",
            f"{rule.name}\n{rule.source}",
        )
        table.add_row(*(Text(cell) for cell in cells))  # a policy's own names are no markup
    console.print(table)
    week = {weekday: allowed_windows(rules, weekday, _WHOLE_DAY) for weekday in range(7)}
    together = [week_in_words(week)]
    if any(rule.no_holidays for rule in rules):
        together.append("no calls on public holidays")
    together += [f"at most {cap}" for cap in strictest_caps(rules)]
    console.print(f"Together: {'; '.join(together)}", highlight=False, soft_wrap=True)
    if policy is not None:
        ours = calling_week(chosen)
        left = {wd: allowed_windows(rules, wd, hours) for wd, hours in ours.items()}
        said = week_in_words(left) if any(left.values()) else "no call, ever (NoSlotError)"
        console.print(f"With the policy's hours: {said}", highlight=False, soft_wrap=True)


def calling_week(policy: Policy) -> dict[int, Windows]:
    """The policy's own calling hours by weekday (0 = Monday), slots that touch merged; a day
    its weekmask takes off has none."""
    week: dict[int, Windows] = {}
    for weekday in range(7):
        slots = next(
            (w.slots for w in policy.weekday_hours if (w.weekday, w.channel) == (weekday, "phone")),
            policy.call_slots,
        )
        merged: list[tuple[time, time]] = []
        for slot in slots if policy.weekmask[weekday] == "1" else ():
            if merged and merged[-1][1] == slot.start:
                merged[-1] = (merged[-1][0], slot.end)
            else:
                merged.append((slot.start, slot.end))
        week[weekday] = tuple(merged)
    return week


def never_called(policy: Policy, day: date) -> list[str]:
    """A note for each place with a legal rule on ``day`` (shipped, or the policy's own) where
    the policy's calling hours never meet the law: its prospects' ``next_action`` raises
    ``NoSlotError``, and so does a batch plan holding one (France's 10:00-13:00 and
    14:00-20:00 never meet a 07:00-09:00 call block)."""
    if not policy.legal_guards:
        return []
    every = (*PRESETS, *policy.calling_rules)
    ours = calling_week(policy)
    notes = []
    for country, subdivision in sorted({(r.country, r.subdivision or "") for r in every}):
        rules = applicable_rules(country, subdivision or None, Channel.PHONE, day, every)
        if not rules or any(allowed_windows(rules, wd, ours[wd]) for wd in range(7)):
            continue
        legal = {wd: allowed_windows(rules, wd, _WHOLE_DAY) for wd in range(7)}
        notes.append(
            f"note: no call can ever be made to {country}{'-' if subdivision else ''}"
            f"{subdivision}: the policy's calling hours ({week_in_words(ours)}) never meet "
            f"the law's ({week_in_words(legal)}; {', '.join(r.key() for r in rules)}), so "
            "next_action and batch plans raise NoSlotError for its prospects; widen "
            "call_slots or the weekmask if you call there"
        )
    return notes
