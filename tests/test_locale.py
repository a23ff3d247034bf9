"""A team's locale: what a rep says and writes is in it throughout (talking points, subjects,
the days and parts of the day filled into them); an action's ``reason`` stays English."""

from __future__ import annotations

import re
import string
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings

import cadence
from cadence import events as ev
from cadence._words import DAYS, MONTHS
from cadence.actions import Action
from cadence.policy import Policy, Templates, TimeSlot
from cadence.testing import History, engine_for, histories, policies
from tests import golden

_TEXTS = tuple(name for name in Templates.model_fields if name != "locale")
_ENGLISH = Templates()
_FRENCH = Templates(locale="fr")


#: What gives English away in a French script: a whole sentence of an English default (what
#: stands between its fields), an English day or month, an English part of the day.
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


def _english_in(text: str) -> list[str]:
    found = [s for s in _SENTENCES if s in text]
    found += _ENGLISH_WORDS.findall(text)
    return found


def _said(actions: list[Action]) -> list[str]:
    return [text for a in actions for text in (*a.talking_points, a.subject or "")]


def _french(policy: Policy) -> Policy:
    return policy.model_copy(update={"templates": Templates(locale="fr")})


# -- the defaults -------------------------------------------------------------------------------
def test_every_text_has_a_french_default_with_the_same_fields() -> None:
    for name in _TEXTS:
        english, french = getattr(_ENGLISH, name), getattr(_FRENCH, name)
        assert french != english, name
        fields = {f for _, f, *_ in string.Formatter().parse(english) if f}
        assert fields == {f for _, f, *_ in string.Formatter().parse(french) if f}, name


def test_a_text_the_team_writes_wins_over_the_locales_default() -> None:
    mine = Templates(locale="fr", apology="Toutes nos excuses.")
    assert mine.apology == "Toutes nos excuses."
    assert mine.apology_call == _FRENCH.apology_call
    assert Templates.model_validate(mine.model_dump()) == mine  # a stored policy reads back
    assert Templates(locale="de").apology == _ENGLISH.apology  # no German texts: English ones


def test_policy_files_keep_the_french_defaults() -> None:
    policy = Policy.model_validate_json('{"templates": {"locale": "fr"}}')
    assert policy.templates == _FRENCH
    assert policy.templates.breakup != _ENGLISH.breakup
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


def test_a_french_teams_golden_stories_are_said_in_french() -> None:
    for name, actions in _golden_plans({"locale": "fr"}).items():
        for text in _said(actions):
            assert not _english_in(text), (name, text)
        assert any(a.talking_points for a in actions), name


@settings(deadline=None)
@given(history=histories(policies=policies().map(_french), max_events=14))
def test_a_french_teams_script_is_french_throughout(history: History) -> None:
    """Over varied histories (every action the rep was given, and the last plan), nothing a
    rep says or writes is English; a reason may be (it explains the engine's choice)."""
    actions = [a for a in history.followed if a is not None]
    actions += engine_for(history.policy).plan(history.final, history.last_at)
    for text in _said(actions):
        assert not _english_in(text), text


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
    ("name", "said"),
    [("midday", "mardi midi"), ("Afternoon", "mardi après-midi"), ("matin", "mardi matin")],
)
def test_a_slot_is_said_in_french_or_as_the_team_named_it(
    monday: datetime, name: str, said: str
) -> None:
    """The usual English names of the parts of the day are said in French; a name of the
    team's own is said as written."""
    slots = (
        TimeSlot(name=name, start=time(9), end=time(17)),
        TimeSlot(name="x", start=time(17), end=time(18)),
    )
    templates = Templates(locale="fr", voicemail="Rappel {next_attempt}.")
    policy = Policy(call_slots=slots, min_gap_business_days=1, templates=templates)
    assert _first_voicemail_point(policy, monday.replace(hour=17, minute=10)) == f"Rappel {said}."


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_a_slot_that_spans_the_day_is_not_said(monday: datetime, locale: str) -> None:
    """One slot named "day": 'Tuesday', not 'Tuesday day'."""
    slots = (TimeSlot(name="day", start=time(9), end=time(17)),)
    templates = Templates(locale=locale, voicemail="Again {next_attempt}.")
    policy = Policy(call_slots=slots, min_gap_business_days=1, templates=templates)
    day = "on Tuesday" if locale == "en" else "mardi"
    assert _first_voicemail_point(policy, monday) == f"Again {day}."
