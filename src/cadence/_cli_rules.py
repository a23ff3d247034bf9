"""``cadence policy rules PLACE``: the legal calling rules that bind a call to a place on a day,
the shipped ones and the policy's own, and the week they leave together. Part of the CLI edge
(the ``cli`` extra); the core never imports it."""

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
    allowed_windows,
    applicable_rules,
    strictest_caps,
    week_in_words,
)
from cadence.errors import CadenceError

__all__ = ["rules_command"]

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
