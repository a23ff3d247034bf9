"""A team's locale: what a rep says and writes is in it throughout (talking points, subjects,
the days and parts of the day filled into them); an action's ``reason`` stays English."""

from __future__ import annotations

import json
import pathlib
import re
import string
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings

import cadence
from cadence import events as ev
from cadence._templates import _DEFAULTS
from cadence._words import _PARTS, _USUAL, DAYS, MONTHS
from cadence.actions import Action
from cadence.errors import InvalidInputError
from cadence.files import read_policy
from cadence.policy import Policy, Templates, TimeSlot
from cadence.testing import History, engine_for, histories, policies
from tests import golden

_TEXTS = tuple(name for name in Templates.model_fields if name != "locale")
_ENGLISH = Templates()
_FRENCH = Templates(locale="fr")
#: Every language cadence has texts in: a language added later is held to the same tests.
_LOCALES = sorted(_DEFAULTS)
#: What the engine fills a text's field with, for the tests that fill them.
_SAMPLE = {"next_attempt": "X1", "voicemail_day": "X2", "topic": "X3"}


#: What gives English away in a script in another language: a whole sentence of an English
#: default (what stands between its fields), an English day or month, an English part of the day.
_SENTENCES = tuple(
    piece.strip()
    for name in _TEXTS
    for piece, *_ in string.Formatter().parse(getattr(_ENGLISH.as_said(), name))
    if len(piece.strip()) > 12
)
_ENGLISH_WORDS = re.compile(
    r"\b("
    + "|".join(
        (
            *DAYS,
            *MONTHS,
            "morning",
            "midday",
            "afternoon",
            "evening",
            "early",
            "late",
            "day",
            "am",
            "pm",
        )
    )
    + r")\b"
)


@cache
def _also(locale: str) -> frozenset[str]:
    """English words that are words of ``locale`` too: its month names ('April', 'August'
    in German) and German's "am" ("am Dienstag")."""
    months = {pendulum.datetime(2026, m, 1).format("MMMM", locale=locale) for m in range(1, 13)}
    return frozenset(months | ({"am"} if locale == "de" else set()))


def _english_in(text: str, locale: str = "fr") -> list[str]:
    found = [s for s in _SENTENCES if s in text]
    found += [w for w in _ENGLISH_WORDS.findall(text) if w not in _also(locale)]
    return found


def _said(actions: list[Action]) -> list[str]:
    return [text for a in actions for text in (*a.talking_points, a.subject or "")]


def _in(locale: str) -> Callable[[Policy], Policy]:
    def told(policy: Policy) -> Policy:
        return policy.model_copy(update={"templates": Templates(locale=locale)})

    return told


def _fields(text: str) -> set[str]:
    return {f for _, f, *_ in string.Formatter().parse(text) if f is not None}


# -- the defaults -------------------------------------------------------------------------------
def test_the_languages_are_german_spanish_and_french() -> None:
    assert _LOCALES == ["de", "es", "fr"]


@pytest.mark.parametrize("locale", _LOCALES)
def test_every_text_has_a_default_in_each_language_with_the_same_fields(locale: str) -> None:
    """Each language writes every text, none left English, each with exactly the fields of
    its English text; filled as the engine fills them, every one formats."""
    assert set(_DEFAULTS[locale]) == set(_TEXTS)
    said = Templates(locale=locale)
    for name in _TEXTS:
        english, text = getattr(_ENGLISH, name), getattr(said, name)
        assert text == _DEFAULTS[locale][name]
        assert text != english, name
        assert _fields(text) == _fields(english), name
        filled = text.format(**_SAMPLE)
        assert not set("{}") & set(filled), name
        assert all(_SAMPLE[f] in filled for f in _fields(english)), name
        assert not _english_in(filled, locale), (name, filled)


@pytest.mark.parametrize("locale", _LOCALES)
def test_each_language_says_every_usual_part_of_the_day(locale: str) -> None:
    """Near a weekday's name and after a date; nothing English left ('Dienstag midday')."""
    parts = _PARTS[locale]
    assert set(parts) == set(_USUAL)
    for near, far in parts.values():
        assert near.strip(), far
        assert far.strip(), near
        assert not _english_in(near + " " + far, locale), (near, far)


@pytest.mark.parametrize("locale", ["it", "nl", "en"])
def test_a_language_cadence_has_no_texts_in_keeps_the_english_ones(locale: str) -> None:
    """Pendulum knows Italian: its day names are Italian, the texts stay English for the
    team to write."""
    assert Templates(locale=locale).model_dump(exclude={"locale"}) == _ENGLISH.model_dump(
        exclude={"locale"}
    )


@pytest.mark.parametrize("locale", ["xx", "klingon", ""])
def test_a_locale_pendulum_does_not_know_is_refused_with_the_languages_to_use(
    locale: str, tmp_path: pathlib.Path
) -> None:
    """Built in code, pydantic's ValueError; read from a policy file, cadence's own."""
    said = f"locale {locale!r} is not a language pendulum knows; use e.g. 'en', 'de', 'es', 'fr'"
    with pytest.raises(ValueError, match=re.escape(said)):
        Policy.model_validate({"templates": {"locale": locale}})
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"templates": {"locale": locale}}))
    with pytest.raises(InvalidInputError, match=re.escape(said)):
        read_policy(path)


@pytest.mark.parametrize(("written", "meant"), [("FR", "fr"), ("De", "de"), ("ES", "es")])
def test_a_locale_in_capitals_is_the_language_it_names(written: str, meant: str) -> None:
    """Pendulum reads ``FR`` as French: the texts must be French too, not English with French
    day names; the policy keeps the locale as cadence spells it."""
    assert Templates(locale=written) == Templates(locale=meant)
    assert Templates(locale=written).locale == meant


def test_a_text_the_team_writes_wins_over_the_locales_default() -> None:
    mine = Templates(locale="fr", apology="Toutes nos excuses.")
    assert mine.apology == "Toutes nos excuses."
    assert mine.apology_call == _FRENCH.apology_call
    assert Templates.model_validate(mine.model_dump()) == mine  # a stored policy reads back
    assert Templates(locale="it").apology == _ENGLISH.apology  # no Italian texts: English ones


@pytest.mark.parametrize("locale", _LOCALES)
def test_policy_files_keep_each_languages_defaults(locale: str) -> None:
    policy = Policy.model_validate_json(f'{{"templates": {{"locale": "{locale}"}}}}')
    assert policy.templates == Templates(locale=locale)
    assert policy.templates.breakup == _DEFAULTS[locale]["breakup"]
    assert Policy.model_validate_json(policy.model_dump_json()) == policy


# -- every text is the team's (none is hard-coded) ----------------------------------------------
def _marked() -> Templates:
    """Every text replaced by its own name: a talking point that is not one is hard-coded."""
    marks: dict[str, Any] = {}
    for name in _TEXTS:
        fields = [f for _, f, *_ in string.Formatter().parse(getattr(_ENGLISH, name)) if f]
        marks[name] = f"<{name}>" + "".join(f" {{{f}}}" for f in fields)
    return Templates(**marks)


def _golden_plans(templates: dict[str, Any]) -> dict[str, list[Action]]:
    """Each golden story's plan, told with ``templates``; at every step of the story too (the
    actions its events answered: the voicemails, the moved agreed times, the apologies)."""
    plans: dict[str, list[Action]] = {}
    for name, case in golden.CASES.items():
        policy_data, enroll, history, now = case()
        data = {**policy_data, "templates": {**policy_data.get("templates", {}), **templates}}
        engine = cadence.Engine(Policy.model_validate(data))
        p = engine.enroll("golden", at=golden.T0, **enroll)
        actions: list[Action] = []
        for e in history:
            actions += engine.plan(p, max(e.at, p.last_event_at))
            p = engine.apply(p, e)
        plans[name] = actions + engine.plan(p, now)
    return plans


def test_every_talking_point_and_subject_comes_from_the_templates() -> None:
    marked = _marked().model_dump()
    seen: set[str] = set()
    for name, actions in _golden_plans(marked).items():
        for text in _said(actions):
            if text:
                assert text.startswith("<"), (name, text)
                seen.add(text[1 : text.index(">")])
    # The stories reach the texts that used to be written into the engine.
    assert {"apology_call", "flexibility_call", "send_invitation", "moved_legal_cap"} <= seen


@pytest.mark.parametrize("locale", _LOCALES)
def test_each_languages_golden_stories_are_said_in_it(locale: str) -> None:
    for name, actions in _golden_plans({"locale": locale}).items():
        for text in _said(actions):
            assert not _english_in(text, locale), (name, text)
        assert any(a.talking_points for a in actions), name


@pytest.mark.parametrize("locale", _LOCALES)
def test_a_teams_script_is_in_its_language_throughout(locale: str) -> None:
    """Over varied histories (every action the rep was given, and the last plan), nothing a
    rep says or writes is English; a reason may be (it explains the engine's choice)."""

    @settings(deadline=None)
    @given(history=histories(policies=policies().map(_in(locale)), max_events=14))
    def check(history: History) -> None:
        actions = [a for a in history.followed if a is not None]
        actions += engine_for(history.policy).plan(history.final, history.last_at)
        for text in _said(actions):
            assert not _english_in(text, locale), text

    check()


# -- the ones reported --------------------------------------------------------------------------
def _engine(**templates: Any) -> cadence.Engine:
    return cadence.Engine(Policy(templates=Templates(locale="fr", **templates)))


def test_the_apology_call_and_its_proposal_are_french(monday: datetime) -> None:
    """R14: the rep cancelled a meeting with a local prospect; the reason stays English."""
    english, french = cadence.Engine(), _engine()
    p = french.enroll("zoe", timezone="America/Chicago", at=monday, country="US", local=True)
    start = monday + timedelta(days=2)
    p = french.apply(p, ev.MeetingBooked(at=monday, meeting_id="m1", starts_at=start))
    p = french.apply(p, ev.MeetingCancelled(at=monday, meeting_id="m1", by="rep"))
    act = french.next_action(p, monday)
    assert act.talking_points[:2] == (_FRENCH.apology_call, _FRENCH.flexibility_call)
    assert act.reason == english.next_action(p, monday).reason
    p = french.apply(p, ev.CallAttempted(at=act.earliest, outcome="connected"))
    nxt = french.next_action(p, act.earliest)
    assert nxt.kind is cadence.ActionKind.PROPOSE_TIMES
    assert nxt.talking_points[:4] == (
        _FRENCH.apology,
        _FRENCH.meet_locally,
        _FRENCH.flexibility,
        _FRENCH.send_invitation,
    )


def test_a_referral_without_a_name_is_french(monday: datetime) -> None:
    engine = _engine()
    p = engine.enroll("zoe", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.EmailReplied(at=monday, intent="referral"))
    act = engine.next_action(p, monday)
    assert act.talking_points == (_FRENCH.referral_unnamed, _FRENCH.referral)


# -- parts of the day ---------------------------------------------------------------------------
def _first_voicemail_point(policy: Policy, at: datetime) -> str:
    engine = cadence.Engine(policy)
    p = engine.enroll("zoe", timezone="America/Chicago", at=at, country="US")
    return engine.next_action(p, at).talking_points[0]


@pytest.mark.parametrize(
    ("locale", "name", "said"),
    [
        ("fr", "midday", "mardi midi"),
        ("fr", "Afternoon", "mardi après-midi"),
        ("fr", "matin", "mardi matin"),
        ("de", "midday", "Dienstagmittag"),
        ("de", "morning", "Dienstagvormittag"),
        ("de", "early", "Dienstag früh"),
        ("de", "Kernzeit", "Dienstag Kernzeit"),
        ("es", "midday", "martes al mediodía"),
        ("es", "Afternoon", "martes por la tarde"),
        ("es", "mañana", "martes mañana"),
    ],
)
def test_a_slot_is_said_in_the_language_or_as_the_team_named_it(
    monday: datetime, locale: str, name: str, said: str
) -> None:
    """The usual English names of the parts of the day are said in the team's language (a
    German one joined to the day, as German writes it); a name of the team's own is said as
    written."""
    slots = (
        TimeSlot(name=name, start=time(9), end=time(17)),
        TimeSlot(name="x", start=time(17), end=time(18)),
    )
    templates = Templates(locale=locale, voicemail="Rappel {next_attempt}.")
    policy = Policy(call_slots=slots, min_gap_business_days=1, templates=templates)
    assert _first_voicemail_point(policy, monday.replace(hour=17, minute=10)) == f"Rappel {said}."


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "on Tuesday 17 March, midday"),
        ("fr", "mardi 17 mars, midi"),
        ("de", "Dienstag, 17. März, mittags"),
        ("es", "martes 17 de marzo, al mediodía"),
    ],
)
def test_a_next_attempt_a_week_ahead_is_dated_as_each_language_writes_a_date(
    monday: datetime, locale: str, said: str
) -> None:
    """R5, six business days on: the date, then the part of the day (in German as an
    adverb: "mittags")."""
    templates = Templates(locale=locale, voicemail="{next_attempt}")
    policy = Policy(min_gap_business_days=6, templates=templates)
    assert _first_voicemail_point(policy, monday) == said


@pytest.mark.parametrize("locale", ["en", *_LOCALES])
def test_a_slot_that_spans_the_day_is_not_said(monday: datetime, locale: str) -> None:
    """One slot named "day": 'Tuesday', not 'Tuesday day'."""
    slots = (TimeSlot(name="day", start=time(9), end=time(17)),)
    templates = Templates(locale=locale, voicemail="Again {next_attempt}.")
    policy = Policy(call_slots=slots, min_gap_business_days=1, templates=templates)
    day = {"en": "on Tuesday", "fr": "mardi", "de": "Dienstag", "es": "martes"}[locale]
    assert _first_voicemail_point(policy, monday) == f"Again {day}."


# -- a prospect's story, in each language -------------------------------------------------------
def _unanswered(engine: cadence.Engine, at: datetime, steps: int) -> list[Action]:
    """The engine's own next actions for a prospect who never answers: every call reaches
    voicemail, every email goes unanswered."""
    p = engine.enroll("zoe", timezone="America/Chicago", at=at, country="US", topic="Lohn")
    actions = []
    for i in range(steps):
        act = engine.next_action(p, at)
        at = max(at, act.earliest)
        if act.kind is cadence.ActionKind.WAIT:
            p = engine.advance(p, at)
        elif act.kind is cadence.ActionKind.CALL:
            p = engine.apply(p, ev.CallAttempted(at=at, outcome="voicemail", id=f"c{i}"))
        else:
            p = engine.apply(p, ev.EmailSent(at=at, id=f"e{i}"))
        actions.append(act)
    return actions


@pytest.mark.parametrize(
    ("locale", "monday_said", "subject"),
    [
        ("de", "Montag", "Ihre Anfrage zu Lohn"),
        ("es", "lunes", "Su solicitud sobre Lohn"),
        ("fr", "lundi", "Votre demande au sujet de Lohn"),
    ],
)
def test_a_voicemails_email_and_the_switch_to_email_are_in_the_teams_language(
    monday: datetime, locale: str, monday_said: str, subject: str
) -> None:
    """R5's voicemail point, R6's email after it and R7's subject: each the language's own
    default, the day in that language; the reasons stay English."""
    texts = _DEFAULTS[locale]
    told = _unanswered(cadence.Engine(Policy(templates=Templates(locale=locale))), monday, 6)
    english = _unanswered(cadence.Engine(), monday, 6)
    assert [a.reason for a in told] == [a.reason for a in english]
    first_call, r6 = told[0], told[1]
    assert first_call.talking_points[0].startswith(texts["voicemail"].split("{")[0])
    assert r6.rules == ("R6",)
    assert r6.talking_points == (texts["voicemail_email"].format(voicemail_day=monday_said),)
    switched = next(a for a in told if "R7" in a.rules)
    assert switched.subject == subject
    assert switched.talking_points[0] == texts["switch_to_email"]
    for text in _said(told):
        assert not _english_in(text, locale), text
