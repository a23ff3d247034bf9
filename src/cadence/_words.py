"""Dates in words, from fixed English tables: never from the process locale (determinism)."""

from __future__ import annotations

from datetime import datetime

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_month(local: datetime) -> str:
    """'Thu 12 Mar'."""
    return f"{DAYS[local.weekday()][:3]} {local.day:02d} {_MONTHS[local.month - 1]}"


def day_month_time(local: datetime) -> str:
    """'Thu 12 Mar 15:00'."""
    return f"{day_month(local)} {local.hour:02d}:{local.minute:02d}"
