"""The texts a rep says and writes (:class:`Templates`), part of a :class:`cadence.policy.Policy`.

Each text has an English default; ``locale="de"``, ``"es"`` and ``"fr"`` give German,
Spanish and French ones (:mod:`cadence._templates_de`, :mod:`cadence._templates_es`,
:mod:`cadence._templates_fr`) to every text the team does not write itself.
"""

from __future__ import annotations

import string
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from cadence._templates_de import GERMAN
from cadence._templates_es import SPANISH
from cadence._templates_fr import FRENCH
from cadence._words import check_locale

__all__ = ["Templates"]


class Templates(BaseModel):
    """Talking points and subjects (R1, R2, R5–R10, R14–R17). ``{name}`` fields are filled
    by the engine: ``next_attempt`` ("Tuesday morning", or "Tuesday 17 March, morning" when it
    is a week or more after the call), ``voicemail_day`` ("Monday", or "Monday 2 March" when
    the email goes out a week or more after the voicemail), ``topic`` (the prospect's). Each
    of these texts may hold only the field it is filled with, written plainly (no ``.attr``,
    ``[i]``, ``!r`` or ``:spec``); the other texts hold none. In every text a literal brace is
    written twice. No text may be blank. Day and month names are in ``locale``, and so are
    the defaults of the texts where cadence has them (``de``, ``es``, ``fr``: every text is
    German, Spanish or French unless the team writes it, as
    ``Templates(locale="de").model_dump()`` shows; other languages keep the English defaults,
    for the team to write).
    An action's ``reason``, why the engine chose it, stays English in every locale."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    locale: str = "en"
    """Language of the day names and parts of the day filled into the texts (``fr`` gives
    "mardi matin", ``de`` "Dienstagvormittag", ``es`` "martes por la mañana"), and of the
    texts' defaults where cadence has them (``en``, ``de``, ``es``, ``fr``)."""
    voicemail: str = (
        "If you reach voicemail: say you will try again {next_attempt}, and give one short reason "
        "to talk (news, an offer, a deadline if it is time-sensitive). Do not pitch."
    )
    """R5: the call's talking point for voicemail: when you will try again, and why."""
    voicemail_next_is_email: str = (
        "If you reach voicemail: say you will follow up by email {next_attempt}, and give one "
        "short reason to talk. Do not pitch."
    )
    """R5: the same, when the next attempt is an email (R7)."""
    voicemail_email: str = (
        "Mention the voicemail you left {voicemail_day}; keep it brief and repeat the one reason "
        "to talk."
    )
    """R6: the talking point of the email that follows a voicemail."""
    voicemail_email_opt_out: str = (
        "Mention the voicemail you left {voicemail_day} and repeat its offer in writing: you will "
        "keep trying unless they would rather you didn't. A one-line reply is all it takes."
    )
    """R6 and R8: the same, when the voicemail offered the opt-out."""
    switch_to_email_subject: str = "Regarding your request about {topic}"
    """R7: subject of the email that replaces the phone; ``{topic}`` is the prospect's."""
    opt_out_offer: str = (
        "We keep missing each other. Say you will keep trying until you connect, unless they "
        "would prefer you didn't, and that you will respect their answer."
    )
    """R8: how to offer the opt-out."""
    breakup: str = (
        "A last, gracious message: you have not been able to connect, so you are closing their "
        "file; they can reach you any time if things change."
    )
    """R10: the last message before the file is closed."""
    ask_permission: str = "Before you hang up, ask: may I contact you again when there is news?"
    """R12: asked in every conversation; drip needs the yes."""
    ask_channel: str = "Ask how they prefer to be reached when you need an answer (R16)."
    """R16: asked early, so the engine can lead with that channel."""
    ask_decision_makers: str = "Ask who else besides them is involved in the decision."
    """R9: the who-else-decides escalation."""
    referral: str = (
        "Open with the referral: say who suggested you get in touch and why, in one sentence; "
        "then ask for a short conversation."
    )
    """R9: contacting the person a prospect referred you to."""
    agree_next_contact: str = "Agree a specific date and time for the next contact before you end."
    """R1: every conversation ends with a date."""
    drip_touch: str = "Share something useful (news, a case, an insight); no ask."
    """R11: what a drip touch carries."""
    receptionist: str = (
        "Call the receptionist or assistant: say you have had trouble connecting and ask "
        "whether they have been away or something has changed."
    )
    """R9: the receptionist escalation."""
    receptionist_by_email: str = (
        "Write to the receptionist or assistant: say you have had trouble connecting and ask "
        "whether they have been away or something has changed."
    )
    """R9: the receptionist escalation when it goes by email (the prospect's phone is
    blocked: refused, or a wrong number)."""
    manager_escalation: str = (
        "Have your manager contact your contact's superior, so you keep face with your contact."
    )
    """R9: the manager escalation."""
    referral_unnamed: str = "They named no one: ask them whom to contact, and how."
    """R9: said before ``referral`` when the prospect referred you on without a name."""
    switch_to_email: str = "Use a subject that refers to their request; keep it short."
    """R7: the talking point of the email that replaces the phone."""
    apology: str = "Apologise for cancelling, warmly; keep it brief."
    """R14: the apology for a meeting you cancelled, in writing."""
    apology_call: str = "Apologise for cancelling, warmly; propose two or three new times now."
    """R14: the apology call."""
    apology_call_rebooked: str = "Apologise for cancelling, warmly; thank them for booking again."
    """R14: the apology call, when they have booked a new meeting since."""
    apology_call_no_meetings: str = (
        "Apologise for cancelling, warmly; they asked for no more meetings."
    )
    """R14: the apology call, when they asked for no more meetings."""
    apology_after_voicemail: str = (
        "Apologise for cancelling and say you left a voicemail; keep it brief."
    )
    """R14 and R6: the apology in writing, after the apology call reached voicemail."""
    flexibility_call: str = (
        "Offer flexibility: before or after hours, or coffee or lunch if they are local."
    )
    """R14: the apology call's offer of other times and places."""
    flexibility: str = "Offer flexibility: one option before and one after your usual hours."
    """R14: the new times proposed after you cancelled include hours outside your usual ones."""
    meet_locally: str = "They are local: offer to meet over coffee or lunch."
    """R14: proposing new times to a prospect who is local."""
    send_invitation: str = (
        "Send the invitation for the time they pick at once, so you stay on their calendar."
    )
    """R14, R15: proposing meeting times."""
    missed_meeting_voicemail: str = (
        "Say you left a voicemail about the missed meeting; keep it brief."
    )
    """R6: proposing new times after a missed meeting, by email after a voicemail."""
    rebook_after_absence: str = "Welcome them back; suggest a new time for the meeting warmly."
    """R15 and R17: proposing a new time for a meeting their absence covered."""
    rebook: str = "Thank them for letting you know; suggest a new time warmly."
    """R15: proposing a new time for a meeting they could not attend."""
    material: str = "Send the quote or material you promised, now; say you will discuss it soon."
    """Sending the quote or material you promised."""
    material_missed_meeting: str = (
        "Since you could not meet, send additional information that makes the next meeting more "
        "productive."
    )
    """R15: the material sent when a meeting could not take place."""
    material_email_bounced: str = (
        "Their email bounced: ask for an address that works; once it is logged, the material "
        "goes by email."
    )
    """R15: the material's call, when their email bounced."""
    material_no_email: str = (
        "They opted out of email: go through the material with them on this call (on voicemail, "
        "sum it up in a sentence and offer to go through it when they call back); send it in "
        "writing only if they opt in to email again."
    )
    """R15: the material's call, when they opted out of email."""
    material_at_meeting: str = (
        "Bring the additional information you meant to send before the meeting, and go through "
        "it together: it makes the meeting more productive (R15)."
    )
    """R15: the rebooked meeting's point, when its material could not go out before it."""
    log_meeting: str = (
        "Log it: meeting_held, with the next contact you agreed and their permission to stay in "
        "touch, or meeting_no_show."
    )
    """R2: the meeting has ended (the event names are the engine's, keep them)."""
    moved_away: str = "The agreed time moved (they were away): tell them."
    """R1 and R17: the agreed contact is due later, because they were away."""
    moved_legal_cap: str = "The agreed time moved (a legal cap on calls rules it out): tell them."
    """R1: the agreed contact is due later, because a legal cap on calls rules its time out."""
    moved_day_off: str = "The agreed time moved (it is on a day off): tell them."
    """R1: the agreed contact is due later, because its day is not a working day."""
    moved_outside_hours: str = (
        "The agreed time moved (it is outside the hours the policy and the law allow): tell them."
    )
    """R1: the agreed contact is due later, because its time is outside the allowed hours."""

    @model_validator(mode="before")
    @classmethod
    def _locale_defaults(cls, data: Any) -> Any:
        """The texts the team leaves out, in its ``locale`` where cadence has them. The
        locale is spelt as pendulum spells it (``FR`` is ``fr``, ``en-GB`` is ``en_gb``):
        pendulum reads any case, and ``FR`` gave French days among English texts."""
        if isinstance(data, dict):
            locale = data.get("locale")
            if isinstance(locale, str):
                locale = locale.lower().replace("-", "_")
                data = {**_DEFAULTS.get(locale, {}), **data, "locale": locale}
        return data

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        return check_locale(value)

    @model_validator(mode="after")
    def _not_blank(self) -> Self:
        """A blank text became a blank talking point, or an email without a subject."""
        for name in type(self).model_fields:
            if name != "locale" and not getattr(self, name).strip():
                msg = (
                    f"templates.{name}: blank; write the text, or leave {name} out for the default"
                )
                raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _subject_one_line(self) -> Self:
        """A subject with a line break is two lines, which a mail client cuts or reads as
        another header."""
        text = self.switch_to_email_subject
        if len(text.splitlines()) > 1:
            msg = (
                f"templates.switch_to_email_subject: {text!r} is not one line; an email subject "
                "is: remove the line breaks"
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _fields_filled(self) -> Self:
        """A text the engine fills may name only the field it fills, plainly: ``{name.attr}``
        or ``{name[0]}`` would reach into Python objects from a policy file, and an unknown
        ``{field}`` would fail at the first prospect instead of here. The other texts hold no
        field: a ``{first_name}`` in one was said to the rep, braces and all."""
        for name in type(self).model_fields:
            if name == "locale":
                continue
            field = _FILLED.get(name)
            text = getattr(self, name)
            try:
                parts = list(string.Formatter().parse(text))
            except ValueError as exc:
                msg = f"templates.{name}: {exc}; write a literal brace twice ({{{{ or }}}})"
                raise ValueError(msg) from None
            for _, found, spec, conversion in parts:
                if found is not None and (found != field or spec or conversion):
                    shown = "{" + found + (f"!{conversion}" if conversion else "")
                    shown += (f":{spec}" if spec else "") + "}"
                    may = (
                        f"it may hold {{{field}}}, as written here (write a literal brace twice)"
                        if field
                        else "it holds none: write the words themselves (a literal brace twice)"
                    )
                    msg = f"templates.{name}: {shown} is not a field this text can hold; {may}"
                    raise ValueError(msg)
        return self

    def as_said(self) -> Templates:
        """These texts as the rep reads them: those the engine does not fill with their
        literal braces written once (``{{`` is ``{``), as ``str.format`` leaves those it
        fills. (Made once per engine: the talking points read it.)"""
        said = {
            name: getattr(self, name).format()
            for name in type(self).model_fields
            if name != "locale" and name not in _FILLED
        }
        return self.model_copy(update=said)


#: The texts the engine fills, and the one field each may hold.
_FILLED = {
    "voicemail": "next_attempt",
    "voicemail_next_is_email": "next_attempt",
    "voicemail_email": "voicemail_day",
    "voicemail_email_opt_out": "voicemail_day",
    "switch_to_email_subject": "topic",
}


#: Each locale's defaults, where they are not English.
_DEFAULTS: dict[str, dict[str, str]] = {"de": GERMAN, "es": SPANISH, "fr": FRENCH}
