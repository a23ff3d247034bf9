"""The ways a rep can reach a prospect."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Channel"]


class Channel(StrEnum):
    """A contact channel. Legal calling rules bind ``phone``; ``meeting`` is a booked slot."""

    PHONE = "phone"
    EMAIL = "email"
    MEETING = "meeting"
