"""Legal calling rules as data, and the pure functions that query them (DESIGN §5).

A :class:`CallingRule` says when a jurisdiction lets a seller start a call: the allowed local
wall-clock windows of each weekday, whether public holidays are off limits, and an optional
elapsed-time cap on how often one person may be called. Rules are versioned and carry the date
they take effect and the page they were read from, so an action can cite the rule that shaped
it. The strictest rule wins: windows are intersected and every cap is honoured.

Window convention
-----------------
A window is a half-open ``[start, end)`` interval of naive local times inside one calendar day,
with ``start < end``. A window never crosses or reaches midnight: an ``end`` of ``00:00`` is the
start of the day, so ``start < end`` rejects it, and nothing here means "24:00". No legal window
needs it (the latest preset ends at 21:30), and it spares callers from building local midnight,
which some zones skip on some days (DESIGN §4). A weekday's windows are sorted and separated by a
gap: touching windows such as 10:00-13:00 and 13:00-14:00 must be written as one, so each set of
hours has exactly one spelling. A weekday missing from ``windows`` allows no call that day.

The module is pure: no clock, no I/O, no environment. Holiday calendars are the caller's job; a
rule only says, with ``no_holidays``, that they apply to it.

>>> rules = applicable_rules("US", "FL", Channel.PHONE, date(2024, 6, 3))
>>> [rule.key() for rule in rules]
['us-federal@1992-12-20', 'us-fl@2021-07-01']
>>> allowed_windows(rules, 0, ((time(7), time(22)),))
((datetime.time(8, 0), datetime.time(20, 0)),)
>>> strictest_caps(rules)
(Cap(count=3, per=datetime.timedelta(days=1)),)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from datetime import date, time, timedelta
from typing import Any, TypeAlias

from pydantic import BaseModel, Field, ValidationInfo, field_serializer, field_validator

from cadence._calling_presets import ROWS
from cadence._clock import ClockTime
from cadence._json_values import CalendarDate, repeats_allowed
from cadence._numbers import Count, Flag
from cadence.channel import Channel

__all__ = [
    "PRESETS",
    "TERRITORIES",
    "CallingRule",
    "Cap",
    "Window",
    "Windows",
    "allowed_windows",
    "applicable_rules",
    "ever_bound",
    "ever_capped",
    "intersect_windows",
    "strictest_caps",
    "week_in_words",
    "with_presets",
]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

Window: TypeAlias = tuple[ClockTime, ClockTime]
"""A half-open local ``[start, end)`` interval within one day (see the module docstring)."""

Windows: TypeAlias = tuple[Window, ...]
"""A day's windows: sorted, each ``start < end``, separated by gaps."""

# Each text field of a rule: the shape it must have, and what to write instead.
_TEXT_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "id": (re.compile(r"[a-z0-9]+(-[a-z0-9]+)*"), "is not a lower-case slug; write e.g. 'us-fl'"),
    "version": (re.compile(r"[^\s@]+"), "is empty or has a space or '@'; write e.g. '2023-07-01'"),
    "name": (re.compile(r"\s*\S.*", re.DOTALL), "is blank; give the statute's name"),
    "country": (re.compile(r"[A-Z]{2}"), "is not an upper-case ISO 3166-1 code; write e.g. 'US'"),
    "subdivision": (
        re.compile(r"[A-Z0-9]{1,3}"),
        "is not an upper-case ISO 3166-2 suffix; write e.g. 'FL' (not 'US-FL'), or None",
    ),
    "source": (re.compile(r"https?://\S+"), "is not an http(s) URL; cite the statute's page"),
}


def _text_schema(field: str) -> Callable[[dict[str, Any]], None]:
    """``json_schema_extra`` that writes a text field's shape (:data:`_TEXT_FORMATS`) into the
    JSON Schema: an editor flagged nothing in a rule cadence refuses (``country: us``)."""
    pattern = _TEXT_FORMATS[field][0].pattern
    # (JSON Schema's pattern searches, without Python's flags: a name has a non-space.)
    written = r"\S" if field == "name" else f"^(?:{pattern})$"

    def extra(schema: dict[str, Any]) -> None:
        for branch in schema.get("anyOf", [schema]):  # (``str | None``: the string's)
            if branch.get("type") == "string":
                branch["pattern"] = written

    return extra


def _channels_schema(schema: dict[str, Any]) -> None:
    """At least one channel; one named twice is read once (as pydantic reads it)."""
    repeats_allowed(schema)
    schema["minItems"] = 1


def _show(moment: time) -> str:
    return f"{moment:%H:%M}" if not (moment.second or moment.microsecond) else moment.isoformat()


def _check_day(day: int, windows: Windows) -> None:
    where = f"windows[{day!r}]"
    if not 0 <= day <= 6:
        msg = f"{where}: weekday {day!r} is not 0..6; use 0 for Monday through 6 for Sunday"
        raise ValueError(msg)
    previous: Window | None = None
    for start, end in windows:
        shown = f"{_show(start)}-{_show(end)}"
        if start.tzinfo is not None or end.tzinfo is not None:
            msg = f"{where}: window {shown} carries a time zone; give naive local times"
            raise ValueError(msg)
        if not start < end:
            msg = (
                f"{where}: window {shown} does not end after it starts; a window must start"
                " before it ends and cannot cross or reach midnight"
            )
            raise ValueError(msg)
        if previous is not None and start < previous[0]:
            msg = f"{where}: window {shown} comes after a later one; sort the windows by start"
            raise ValueError(msg)
        if previous is not None and start <= previous[1]:
            msg = (
                f"{where}: window {shown} overlaps or touches"
                f" {_show(previous[0])}-{_show(previous[1])}; merge them into one window"
            )
            raise ValueError(msg)
        previous = (start, end)


def week_in_words(windows: Mapping[int, Windows]) -> str:
    """A week of windows in words, runs of weekdays alike: ``Mon–Fri 09:00–21:30; Sat–Sun
    10:00–18:00`` (``no calls`` for a weekday without)."""
    shown = [
        ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in windows.get(day, ())) or "no calls"
        for day in range(7)
    ]
    parts: list[str] = []
    start = 0
    for day in range(1, 8):
        if day == 7 or shown[day] != shown[start]:
            days = _DAYS[start] if day - 1 == start else f"{_DAYS[start]}–{_DAYS[day - 1]}"
            parts.append(f"{days} {shown[start]}")
            start = day
    return "; ".join(parts)


class Cap(BaseModel, frozen=True, extra="forbid", use_attribute_docstrings=True):
    """At most ``count`` contacts in any span of elapsed time ``per`` (DESIGN §4).

    The span slides: "3 per 24 hours" forbids a fourth call less than 24 hours after the
    earliest of the last three, whatever the calendar days.
    """

    count: Count = Field(json_schema_extra={"minimum": 1})
    """Contacts allowed in any span of ``per``."""
    per: timedelta
    """The sliding span (JSON: an ISO 8601 duration, e.g. ``"PT24H"`` or ``"P30D"``)."""

    def __str__(self) -> str:
        """``3 per 24 h``, ``4 per 30 days``."""
        hours = self.per.total_seconds() / 3600
        return f"{self.count} per " + (f"{hours:g} h" if hours < 48 else f"{self.per.days} days")

    @field_validator("count")
    @classmethod
    def _count_is_positive(cls, value: int) -> int:
        if value < 1:
            msg = f"count: {value!r} is below 1; allow at least one contact per period"
            raise ValueError(msg)
        return value

    @field_validator("per")
    @classmethod
    def _per_is_positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            msg = f"per: {value!r} is not a positive duration; give e.g. timedelta(hours=24)"
            raise ValueError(msg)
        return value


class CallingRule(BaseModel, frozen=True, extra="forbid", use_attribute_docstrings=True):
    """One version of one jurisdiction's legal calling rule.

    ``windows`` maps a weekday (0 = Monday .. 6 = Sunday) to that day's allowed local windows;
    treat it as read-only, like the rest of the model. A rule applies from ``effective_from``
    until a later version with the same ``id`` takes effect.
    """

    id: str = Field(json_schema_extra=_text_schema("id"))
    """The rule's stable name, a lower-case slug (``us-fl``); its versions share it."""
    version: str = Field(json_schema_extra=_text_schema("version"))
    """This version's name (``2021-07-01``); actions cite ``id@version``."""
    name: str = Field(json_schema_extra=_text_schema("name"))
    """The statute or regulation, as a reader would look it up."""
    country: str = Field(json_schema_extra=_text_schema("country"))
    """ISO 3166-1 code, upper case (``US``)."""
    subdivision: str | None = Field(default=None, json_schema_extra=_text_schema("subdivision"))
    """ISO 3166-2 suffix, upper case (``FL``); ``None`` binds the whole country."""
    channels: frozenset[Channel] = Field(
        default=frozenset({Channel.PHONE}), json_schema_extra=_channels_schema
    )
    """The channels it binds: ``phone``, ``email`` (a policy's own rule may not bind
    ``meeting``, a time the prospect booked)."""
    windows: dict[int, Windows]
    """Allowed local windows by weekday, ``0`` (Monday) to ``6`` (Sunday), each a sorted list
    of ``[start, end)`` pairs (``"09:00"``, ``"21:00"``); a weekday left out allows no call."""
    no_holidays: Flag = False
    """No calls on public holidays: those of the prospect's country and subdivision (or of
    its zone's country, without one; of its zone's territory, for a country's territory
    filed under the country alone) and those of the rule's own region."""
    cap: Cap | None = None
    """At most so many calls in any span of elapsed time."""
    effective_from: CalendarDate
    """The day this version takes effect."""
    source: str = Field(json_schema_extra=_text_schema("source"))
    """The http(s) page it was read from."""

    # One JSON spelling for equal rules, whatever the hash seed or the order they were given in
    # (a policy's fingerprint in the decision index is its JSON).
    @field_serializer("channels")
    def _channels_sorted(self, value: frozenset[Channel]) -> list[str]:
        return sorted(channel.value for channel in value)

    @field_serializer("windows")
    def _weekdays_sorted(self, value: dict[int, Windows]) -> dict[int, Windows]:
        return {day: value[day] for day in sorted(value)}

    def hours(self) -> str:
        """The rule's week in words (see :func:`week_in_words`)."""
        return week_in_words(self.windows)

    def key(self) -> str:
        """Return ``"id@version"``, the stable name an action cites."""
        return f"{self.id}@{self.version}"

    def __hash__(self) -> int:
        # The dict field is unhashable; these fields are equal whenever two rules are.
        return hash((self.id, self.version, self.country, self.subdivision, self.effective_from))

    @field_validator("id", "version", "name", "country", "subdivision", "source")
    @classmethod
    def _text_is_well_formed(cls, value: str | None, info: ValidationInfo) -> str | None:
        pattern, fix = _TEXT_FORMATS[info.field_name or ""]
        if value is not None and not pattern.fullmatch(value):
            msg = f"{info.field_name}: {value!r} {fix}"
            raise ValueError(msg)
        return value

    @field_validator("channels")
    @classmethod
    def _channels_not_empty(cls, value: frozenset[Channel]) -> frozenset[Channel]:
        if not value:
            msg = "channels: is empty; name at least one channel the rule binds, e.g. 'phone'"
            raise ValueError(msg)
        return value

    @field_validator("windows", mode="before")
    @classmethod
    def _weekdays_are_numbers(cls, value: Any) -> Any:
        # A policy file's ``mon:`` was refused as "[key]: unable to parse string as an integer".
        for day in value if isinstance(value, Mapping) else ():
            if isinstance(day, str) and not day.strip().isdigit():
                msg = f"weekday {day!r} is not 0..6; use 0 for Monday through 6 for Sunday"
                raise ValueError(f"windows[{day!r}]: {msg}")
        return value

    @field_validator("windows")
    @classmethod
    def _windows_are_canonical(cls, value: dict[int, Windows]) -> dict[int, Windows]:
        for day, windows in value.items():
            _check_day(day, windows)
        return value


PRESETS: tuple[CallingRule, ...] = tuple(CallingRule.model_validate(row) for row in ROWS)
"""The shipped rules: US federal, FL, OK, MD, CT, AL, LA, MA, MS, RI, SD, UT, WA; Canada (CRTC);
France.

Their data, sources and caveats are in ``cadence/_calling_presets.py``.
"""


def with_presets(own: tuple[CallingRule, ...]) -> tuple[CallingRule, ...]:
    """The shipped rules followed by a policy's ``own`` (``Policy.calling_rules``), as one
    tuple per ``own`` tuple: :func:`applicable_rules` remembers its answers per rule set, known
    by identity, so every calendar of a policy, and the simulator's checks, must pass the
    same one (each built its own, and worked every answer out again)."""
    if not own:
        return PRESETS
    known = _WITH_PRESETS.get(id(own))
    if known is None or known[0] is not own:
        if len(_WITH_PRESETS) > 64:
            _WITH_PRESETS.clear()
        known = _WITH_PRESETS[id(own)] = (own, (*PRESETS, *own))  # (``own`` kept: id not reused)
    return known[1]


_WITH_PRESETS: dict[int, tuple[tuple[CallingRule, ...], tuple[CallingRule, ...]]] = {}


def applicable_rules(
    country: str | None,
    subdivision: str | None,
    channel: Channel,
    on: date,
    rules: tuple[CallingRule, ...] = PRESETS,
) -> tuple[CallingRule, ...]:
    """Return the rules binding a ``channel`` contact in a jurisdiction on a local date.

    For each rule ``id``, the latest version in effect on ``on`` supersedes the earlier ones;
    it applies if its country matches (for a territory of :data:`TERRITORIES`, its own code or
    the country whose law binds it), its subdivision is None or matches, and it covers the
    channel. Codes match case-insensitively, and ``subdivision`` may be the full ISO 3166-2
    code (``"US-FL"``) or its suffix (``"FL"``). The result is sorted by ``id``; an unknown
    ``country`` (None) gives ``()``. Two different versions of one ``id`` taking effect on the
    same day make the answer ambiguous and raise :class:`ValueError`.
    """
    if country is None:
        return ()
    # The answer changes only on the days a rule takes effect: remembered per span between
    # them (one per rule set, one answer per place and channel), as a calendar asks it of
    # every new day. The rule set is known by identity, and kept so its id is not reused
    # (a list could change under it: worked out each time).
    if type(rules) is not tuple:
        return _applicable(country, subdivision, channel, on, rules)
    known = _ANSWERS.get(id(rules))
    if known is None or known[0] is not rules:
        known = (rules, tuple(sorted({rule.effective_from for rule in rules})), {})
        if len(_ANSWERS) > 64:
            _ANSWERS.clear()
        _ANSWERS[id(rules)] = known
    _, starts, answers = known
    key = (country, subdivision, channel, bisect_right(starts, on))
    found = answers.get(key)
    if found is None:
        try:
            found = _applicable(country, subdivision, channel, on, rules)
        except ValueError as exc:
            found = str(exc)
        if len(answers) > 4096:
            answers.clear()
        answers[key] = found
    if isinstance(found, str):
        raise ValueError(found)
    return found


_ANSWERS: dict[int, tuple[tuple[CallingRule, ...], tuple[date, ...], dict[Any, Any]]] = {}


def _applicable(
    country: str,
    subdivision: str | None,
    channel: Channel,
    on: date,
    rules: tuple[CallingRule, ...],
) -> tuple[CallingRule, ...]:
    """:func:`applicable_rules`, worked out: the rules in effect on ``on`` are those of its
    span between two days a rule takes effect, so the answer is that of every day of it."""
    latest: dict[str, CallingRule] = {}
    for rule in rules:
        if rule.effective_from > on:
            continue
        held = latest.get(rule.id)
        if held is None or rule.effective_from > held.effective_from:
            latest[rule.id] = rule
        elif rule.effective_from == held.effective_from and rule != held:
            msg = (
                f"rules: {held.key()!r} and {rule.key()!r} both take effect on"
                f" {rule.effective_from}; give each version of {rule.id!r} its own effective_from"
            )
            raise ValueError(msg)
    # A rule binds a place when its (country, subdivision) is the place's, or the place's
    # country with no subdivision (:func:`_binds`, as one set lookup: a calendar asks this of
    # every new day).
    binding = {
        (c, s)
        for here, sub in _places(country, subdivision)
        for c, s in ((here, None), (here, sub))
    }
    found = (
        rule
        for rule in latest.values()
        if (rule.country, rule.subdivision) in binding and channel in rule.channels
    )
    return tuple(sorted(found, key=lambda rule: rule.id))


def _place(country: str, subdivision: str | None) -> tuple[str, str | None]:
    """Upper-case codes; a full ISO 3166-2 subdivision (``"US-FL"``) becomes its suffix."""
    country, subdivision = country.upper(), subdivision.upper() if subdivision else None
    if subdivision and subdivision.startswith(f"{country}-"):
        subdivision = subdivision[len(country) + 1 :]
    return country, subdivision


#: Places with their own ISO 3166-1 code that the law of another country binds: the US
#: territories (the TCPA covers them; ``holidays`` knows each as a US subdivision too) and
#: France's overseas departments (the Code de la consommation applies there). A prospect filed
#: under ``PR`` is held to the US federal rule as one filed under ``US``/``PR`` is.
TERRITORIES: dict[str, tuple[str, str]] = {
    **{code: ("US", code) for code in ("AS", "GU", "MP", "PR", "UM", "VI")},
    "GP": ("FR", "971"),
    "MQ": ("FR", "972"),
    "GF": ("FR", "973"),
    "RE": ("FR", "974"),
    "YT": ("FR", "976"),
    # The overseas collectivities: filed as subdivisions of FR they are held to France's rule,
    # and so they are under their own codes (the conservative reading: some have laws of
    # their own, not modelled).
    **{code: ("FR", code) for code in ("BL", "MF", "NC", "PF", "PM", "WF")},
}


def _places(country: str, subdivision: str | None) -> tuple[tuple[str, str | None], ...]:
    """The place itself and, for a territory, the country whose law binds it."""
    here = _place(country, subdivision)
    home = TERRITORIES.get(here[0])
    return (here,) if home is None else (here, home)


def _binds(rule: CallingRule, places: tuple[tuple[str, str | None], ...]) -> bool:
    return any(
        rule.country == country and rule.subdivision in (None, subdivision)
        for country, subdivision in places
    )


def ever_bound(
    country: str | None, subdivision: str | None, rules: tuple[CallingRule, ...] = PRESETS
) -> bool:
    """Whether any version of any rule, at any date, binds contacts with this place: then the
    prospect's zone must be one of the place's (a zone from elsewhere moves the legal hours).

    >>> ever_bound("US", "FL"), ever_bound("PR", None), ever_bound("DE", None)
    (True, True, False)
    """
    if country is None:
        return False
    places = _places(country, subdivision)
    return any(_binds(rule, places) for rule in rules)


def ever_capped(
    country: str | None, subdivision: str | None, rules: tuple[CallingRule, ...] = PRESETS
) -> bool:
    """Whether any version of any rule for this place, at any date, caps contacts.

    Most places have no caps; their calendars then skip the elapsed-time bookkeeping.
    """
    if country is None:
        return False
    places = _places(country, subdivision)
    return any(rule.cap is not None and _binds(rule, places) for rule in rules)


def intersect_windows(a: Windows, b: Windows) -> Windows:
    """Return the local times inside both ``a`` and ``b``, as windows.

    Both inputs must be sorted, non-overlapping half-open windows; if they are separated by
    gaps, so is the result.

    >>> intersect_windows(((time(8), time(21)),), ((time(10), time(13)), (time(14), time(22))))
    ((datetime.time(10, 0), datetime.time(13, 0)), (datetime.time(14, 0), datetime.time(21, 0)))
    """
    out: list[Window] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def allowed_windows(rules: tuple[CallingRule, ...], weekday: int, base: Windows) -> Windows:
    """Return the windows of ``weekday`` (0 = Monday) that ``base`` and every rule allow.

    ``base`` is the policy's own business hours for that day. A rule that lists no windows for
    the weekday forbids the whole day. Holidays are not checked here (see ``no_holidays``).
    """
    if not 0 <= weekday <= 6:
        msg = f"weekday: {weekday!r} is not 0..6; pass date.weekday() (0 = Monday)"
        raise ValueError(msg)
    allowed = base
    for rule in rules:
        if not allowed:
            break
        allowed = intersect_windows(allowed, rule.windows.get(weekday, ()))
    return allowed


def strictest_caps(rules: tuple[CallingRule, ...]) -> tuple[Cap, ...]:
    """Return the caps that must all be honoured, without redundant ones, shortest span first.

    A cap is dropped when another one implies it: at most 3 calls per 24 hours already keeps
    any 12 hours to at most 4 calls. Caps that bind differently (3 a day, 4 a month) both stay.
    """
    caps = sorted(
        {rule.cap for rule in rules if rule.cap is not None}, key=lambda cap: (cap.per, cap.count)
    )
    return tuple(cap for cap in caps if not any(_implies(other, cap) for other in caps))


def _implies(stricter: Cap, looser: Cap) -> bool:
    """Whether honouring ``stricter`` always honours ``looser`` (and they differ)."""
    return stricter != looser and stricter.count <= looser.count and stricter.per >= looser.per
