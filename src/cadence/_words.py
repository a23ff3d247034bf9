"""Dates in words, from fixed English tables: never from the process locale (determinism)."""

from __future__ import annotations

from datetime import datetime
from functools import cache

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = tuple(month[:3] for month in MONTHS)


def count(n: int, noun: str) -> str:
    """'1 business day', '3 business days': ``n`` and ``noun``, plural unless ``n`` is one
    (the nouns the reasons count take an ``s``)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def day_month(local: datetime) -> str:
    """'Thu 12 Mar'."""
    return f"{DAYS[local.weekday()][:3]} {local.day:02d} {_MONTHS[local.month - 1]}"


def day_month_time(local: datetime) -> str:
    """'Thu 12 Mar 15:00'; in the hour a fall-back night repeats, with the zone's name for
    the offset, which tells the two apart: 'Sun 01 Nov 01:30 EST'."""
    said = f"{day_month(local)} {local.hour:02d}:{local.minute:02d}"
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        said += f" {local.tzname()}"
    return said


@cache
def check_locale(locale: str) -> str:
    """``locale`` if pendulum has it, else a ValueError that says what to use."""
    if locale == "en":
        return locale
    import pendulum

    try:
        if not locale:  # pendulum would use its process-wide default locale (determinism)
            raise ValueError
        pendulum.datetime(2026, 1, 5).format("dddd", locale=locale)
    except ValueError:
        msg = f"locale {locale!r} is not a language pendulum knows; use e.g. 'en', 'de', 'es', 'fr'"
        raise ValueError(msg) from None
    return locale


#: How each language writes a weekday with its date (a pendulum format): 'vendredi 6 mars'.
_DATES = {"de": "dddd, D. MMMM", "es": "dddd D [de] MMMM", "fr": "dddd D MMMM"}


def day_and_date(local: datetime, locale: str = "en") -> str:
    """The weekday and the date of ``local`` in ``locale`` ('Friday 6 March', 'vendredi 6
    mars', 'Freitag, 6. März', 'viernes 6 de marzo'), for a day a weekday's name alone would
    not pin down."""
    if locale == "en":
        return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"
    import pendulum

    return str(pendulum.instance(local).format(_DATES.get(locale, "dddd D MMMM"), locale=locale))


def day_name(local: datetime, locale: str = "en") -> str:
    """The weekday of ``local`` in ``locale`` ('Tuesday', 'mardi'); pendulum localises
    languages other than English (at the edge of the engine: only in talking points)."""
    if locale == "en":
        return DAYS[local.weekday()]
    import pendulum

    return str(pendulum.instance(local).format("dddd", locale=locale))


#: A call slot by one of these names spans the working day: the day alone says when.
_WHOLE_DAY = frozenset({"day", "all day", "whole day", "business hours", "working hours"})
#: The usual English names of the parts of the day.
_USUAL = (
    "early",
    "morning",
    "am",
    "midday",
    "noon",
    "lunch",
    "lunchtime",
    "afternoon",
    "pm",
    "evening",
    "late",
    "night",
)


def _after(near: str, far: str | None = None) -> tuple[str, str]:
    """A part of the day as it follows a weekday's name (``near``, its space included) and
    as it follows a date, after a comma (``far``: ``near`` without the space unless given)."""
    return near, near.strip() if far is None else far


def _spaced(words: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Parts of the day said as a word after the day's name ('mardi midi')."""
    return {key: _after(" " + word) for key, word in words.items()}


#: The usual English names of the parts of the day (:data:`_USUAL`), in the languages cadence
#: has texts in: each as :func:`_after` gives it. German joins a noun to the day's name
#: ("Dienstagvormittag") and says it as an adverb after a date ("Dienstag, 10. März,
#: vormittags"); Spanish says "martes por la mañana", "martes 10 de marzo, por la mañana".
_PARTS: dict[str, dict[str, tuple[str, str]]] = {
    "de": {
        "early": _after(" früh"),
        "morning": _after("vormittag", "vormittags"),
        "am": _after("vormittag", "vormittags"),
        "midday": _after("mittag", "mittags"),
        "noon": _after("mittag", "mittags"),
        "lunch": _after("mittag", "mittags"),
        "lunchtime": _after("mittag", "mittags"),
        "afternoon": _after("nachmittag", "nachmittags"),
        "pm": _after("nachmittag", "nachmittags"),
        "evening": _after("abend", "abends"),
        "late": _after(" gegen Abend"),
        "night": _after(" spätabends"),
    },
    "es": _spaced(
        {
            "early": "temprano",
            "morning": "por la mañana",
            "am": "por la mañana",
            "midday": "al mediodía",
            "noon": "al mediodía",
            "lunch": "al mediodía",
            "lunchtime": "al mediodía",
            "afternoon": "por la tarde",
            "pm": "por la tarde",
            "evening": "a última hora de la tarde",
            "late": "a última hora",
            "night": "por la noche",
        }
    ),
    "fr": _spaced(
        {
            "early": "tôt",
            "morning": "matin",
            "am": "matin",
            "midday": "midi",
            "noon": "midi",
            "lunch": "midi",
            "lunchtime": "midi",
            "afternoon": "après-midi",
            "pm": "après-midi",
            "evening": "soir",
            "late": "tard",
            "night": "nuit",
        }
    ),
}


def slot_words(name: str, locale: str = "en") -> tuple[str, str]:
    """How the call slot ``name`` (the team's word) is said in ``locale`` after a weekday's
    name and after a date (:func:`_after`): the locale's words for the usual English names
    ("midday" is "midi" in French, "mittag" joined to the day in German), nothing for a slot
    that spans the day ("day", "business hours": "Monday", not "Monday day"), and any other
    name as the team wrote it (the team names its slots in its own language)."""
    key = name.strip().lower()
    if key in _WHOLE_DAY:
        return "", ""
    return _PARTS.get(locale, {}).get(key) or _after(" " + name, name)
