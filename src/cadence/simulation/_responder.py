"""How simulated prospects answer: a responder model (R18 by default).

Every probability is per opportunity (a call placed, an email sent, a meeting booked; for the
quality of the contact data, a prospect), and a probability not given is 0:
``Responder(answer_rate=0.3)`` answers 30 % of calls and does nothing else: no callback, no
reply, no meeting, no opt-out.

>>> Responder(answer_rate=0.3).reply_rate
0.0
>>> Responder.typical().answer_rate  # R18: most calls (about 85 %) reach voicemail
0.15
>>> from pydantic import ValidationError
>>> try:
...     Responder(answer_rate=1.5)
... except ValidationError as exc:
...     print(exc.errors()[0]["msg"])
Value error, answer_rate: 1.5 is not a probability; give a number between 0 and 1, ...
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["RATES", "Responder"]

#: The fields of :class:`Responder` that are probabilities.
RATES = (
    "answer_rate",
    "callback_rate",
    "reply_rate",
    "opt_out_rate",
    "breakup_reply_rate",
    "book_rate",
    "cancel_rate",
    "no_show_rate",
    "out_of_office_rate",
    "permission_rate",
    "commit_rate",
    "preference_rate",
    "win_rate",
    "unsubscribe_rate",
    "do_not_call_rate",
    "bad_email_rate",
    "bad_phone_rate",
    "new_details_rate",
    "rep_cancel_rate",
)


class Responder(BaseModel):
    """A population's behaviour, as probabilities per opportunity (all default to 0).

    A *conversation* is a connected call, a returned voicemail or an email reply; it is what
    ``connect_rate`` counts.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    answer_rate: float = 0.0
    """A call to the prospect is answered: a live conversation. (Not a call to someone else:
    R9's receptionist, or the superior a manager calls, whom the prospect never answers.)"""
    callback_rate: float = 0.0
    """A voicemail is returned within a day: an inbound call, a conversation. (The
    breakup's, R10, is returned at ``breakup_reply_rate``.)"""
    reply_rate: float = 0.0
    """An email (follow-up, drip touch, collateral) gets a reply: a conversation. Drawn for
    the emails that meet no out-of-office reply and no unsubscribe (so a share
    ``(1 - out_of_office_rate) * (1 - unsubscribe_rate) * reply_rate`` of them is answered)."""
    opt_out_rate: float = 0.0
    """An opt-out offer (R8), answered or not, is taken: the prospect opts out (R13). On a call
    they answer, that is the whole conversation (no meeting, no agreed time); otherwise an hour
    to two days after reading or hearing it, and a voicemail with the offer is not returned."""
    breakup_reply_rate: float = 0.0
    """The breakup message (R10) gets a reply: a conversation that re-engages them. By phone
    (when no email can carry it), its voicemail is returned at this rate, not at
    ``callback_rate``; a breakup call answered live is a conversation at ``answer_rate``."""
    book_rate: float = 0.0
    """A conversation ends with a meeting booked (a reply asks for times); proposed times
    (R14, R15, after a no-show) are accepted. A call that offers times and connects, or whose
    voicemail is returned, decides once: a meeting cancelled is booked again under its id,
    and the repair's call and email decide once between them. A prospect with a meeting
    ahead books no other and asks for no other times."""
    cancel_rate: float = 0.0
    """A booked meeting is cancelled by the prospect before it starts (R15)."""
    no_show_rate: float = 0.0
    """The prospect does not turn up to a booked meeting, of those not cancelled: a share
    ``(1 - cancel_rate) * no_show_rate`` of the meetings the rep does not cancel is missed."""
    out_of_office_rate: float = 0.0
    """An email gets an out-of-office reply with a return date (R17)."""
    permission_rate: float = 0.0
    """A conversation or a held meeting gives permission to stay in touch (R12, the drip)."""
    commit_rate: float = 0.0
    """A conversation or a held meeting ends with an agreed date for the next contact (R1)."""
    preference_rate: float = 0.0
    """A conversation states a preference for email (R16)."""
    win_rate: float = 0.0
    """A held meeting closes the deal (won): the cadence ends."""
    unsubscribe_rate: float = 0.0
    """An email is answered by an unsubscribe (``email_replied``, intent ``unsubscribe``):
    an opt-out of email, or of everything unless the policy scopes opt-outs by channel
    (R13). Not a conversation."""
    do_not_call_rate: float = 0.0
    """A live call ends with "do not call me again" (``opted_out`` of the phone a minute
    later): an opt-out of calls, or of everything unless the policy scopes opt-outs by
    channel (R13). The call was a conversation, but agrees nothing and books nothing."""
    bad_email_rate: float = 0.0
    """Per prospect: the address on file does not work. The first email to it bounces
    (``email_bounced``), which blocks email until a new address is logged."""
    bad_phone_rate: float = 0.0
    """Per prospect: the number on file is wrong. The first call to it reaches someone else
    (``wrong_number``), which blocks calls until a new number is logged."""
    new_details_rate: float = 0.0
    """After a bounce or a wrong number, the rep finds an address or number that works
    (``contact_updated``, one to three days later)."""
    rep_cancel_rate: float = 0.0
    """A booked meeting is cancelled by the rep before it starts (R14), a third of the way
    from its booking to its start, before the prospect could cancel or miss it; the engine's
    repair follows (a call at once, an apology, new times and the material now), and the
    prospect answers it as any call or email."""
    attempt_effect: float = Field(default=1.0)
    """Multiplies ``answer_rate`` once per earlier call to the same prospect (e.g. 0.9: each
    attempt is answered a little less often than the one before); 1 means no effect."""
    slot_effects: dict[str, float] = Field(default_factory=dict)
    """Multiplies ``answer_rate`` by the part of the day a call falls in (the policy's
    ``call_slots`` names, R4), e.g. ``{"morning": 1.2, "afternoon": 0.8}``; the product is
    capped at 1. Parts not named have no effect; a name that is no part of the day of the
    simulated policy (of either policy, in a comparison) is refused, not ignored."""

    @field_validator(*RATES, "attempt_effect", mode="before")
    @classmethod
    def _probability(cls, value: Any, info: Any) -> Any:
        return _check_probability(info.field_name, value)

    @field_validator("slot_effects", mode="before")
    @classmethod
    def _multipliers(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            msg = (
                f"slot_effects: {value!r} is not a mapping; give part-of-day names and "
                "multipliers, e.g. {'morning': 1.2}"
            )
            raise ValueError(msg)
        for name, factor in value.items():
            ok = isinstance(factor, int | float) and not isinstance(factor, bool)
            if not isinstance(name, str) or not ok or not 0 <= factor < math.inf:
                msg = (
                    f"slot_effects: {name!r}: {factor!r} is not a multiplier; give a "
                    "non-negative number per part of the day, e.g. {'morning': 1.2}"
                )
                raise ValueError(msg)
        return {name: float(factor) for name, factor in sorted(value.items())}

    @classmethod
    def typical(cls) -> Responder:
        """Realistic defaults for cold outbound follow-up: 15 % of calls answered (R18: about
        85 % reach voicemail), few callbacks and replies, a third of conversations booking a
        meeting. ``simulate`` uses these when no responder is given.

        The contact data is clean (``bad_email_rate`` and ``bad_phone_rate`` are 0): lists
        differ too much for one default, and a study of list quality sets its own."""
        return cls(
            answer_rate=0.15,
            callback_rate=0.04,
            reply_rate=0.05,
            opt_out_rate=0.2,
            breakup_reply_rate=0.1,
            book_rate=0.3,
            cancel_rate=0.1,
            no_show_rate=0.15,
            out_of_office_rate=0.03,
            permission_rate=0.6,
            commit_rate=0.5,
            preference_rate=0.1,
            win_rate=0.2,
        )

    def answer_probability(self, slot: str | None, earlier_calls: int) -> float:
        """The chance the next call is answered, with the time-of-day and attempt effects."""
        p = self.answer_rate
        if self.attempt_effect != 1.0 and earlier_calls:
            p *= self.attempt_effect**earlier_calls
        if slot is not None and self.slot_effects:
            p *= self.slot_effects.get(slot, 1.0)
        return min(p, 1.0)


def _check_probability(name: str, value: Any) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not 0 <= value <= 1:
        msg = (
            f"{name}: {value!r} is not a probability; give a number between 0 and 1, "
            "e.g. 0.15 for 15 %"
        )
        raise ValueError(msg)
    return float(value)
