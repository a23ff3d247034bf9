"""A misspelt name or value is told the one it was most likely meant to be (DESIGN §9): an event
type, an outcome, a channel, a stage, a policy's choice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cadence
from cadence import events as ev
from cadence.errors import InvalidInputError
from cadence.files import read_policy

_MONDAY = "2026-03-09T10:00:00Z"


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("call_atempted", "call_attempted"),
        ("Email_Replied", "email_replied"),
        ("optout", "opted_out"),
        ("sms", None),
    ],
)
def test_a_misspelt_event_type_is_told_the_type_it_was_meant_to_be(
    sent: str, meant: str | None
) -> None:
    """``call_atempted`` was told only the list of fourteen types to read through."""
    for body in ({"type": sent, "at": _MONDAY}, json.dumps({"type": sent, "at": _MONDAY})):
        with pytest.raises(InvalidInputError) as info:
            cadence.parse_event(body)
        said = str(info.value)
        assert said.startswith(f"type: {sent!r} is not an event type; "), said
        assert "use one of call_attempted, channel_preference" in said
        assert info.value.field == "type"
        assert info.value.value == sent
        if meant is None:
            assert "did you mean" not in said
        else:
            assert f"did you mean {meant!r}?" in said


def test_a_misspelt_event_type_in_a_history_is_told_its_item_and_the_type_meant() -> None:
    engine = cadence.Engine(cadence.Policy())
    log = [{"type": "email_sent", "at": _MONDAY}, {"type": "meeting_noshow", "at": _MONDAY}]
    with pytest.raises(
        InvalidInputError,
        match=r"^events: item 1: type: 'meeting_noshow' .*"
        r"did you mean 'meeting_no_show'\?",
    ):
        engine.replay("p", log, timezone="America/Chicago")


@given(st.sampled_from(ev.EVENT_TYPES), st.randoms(use_true_random=False))
def test_an_event_type_in_any_case_is_told_its_own_name(name: str, rnd: Any) -> None:
    sent = "".join(c.upper() if rnd.random() < 0.5 else c for c in name)
    if sent == name:
        sent = name.upper()
    with pytest.raises(InvalidInputError, match=f"did you mean {name!r}\\?"):
        cadence.parse_event({"type": sent, "at": _MONDAY})


@pytest.mark.parametrize(
    ("payload", "field", "meant"),
    [
        ({"type": "call_attempted", "outcome": "voicemial"}, "outcome", "voicemail"),
        ({"type": "call_attempted", "outcome": "No_Answer"}, "outcome", "no_answer"),
        ({"type": "channel_preference", "channel": "Phone"}, "channel", "phone"),
        ({"type": "meeting_cancelled", "meeting_id": "m", "by": "prospet"}, "by", "prospect"),
        ({"type": "email_replied", "intent": "not now"}, "intent", "not_now"),
        ({"type": "opted_out", "channels": ["emial"]}, "channels.0", "email"),
    ],
)
def test_a_misspelt_choice_in_an_event_is_told_the_one_meant(
    payload: dict[str, Any], field: str, meant: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        cadence.parse_event({**payload, "at": _MONDAY})
    said = str(info.value)
    assert said.startswith(f"{field}: Input should be "), said
    assert said.endswith(f"; did you mean {meant!r}?"), said
    assert info.value.field == field


def test_a_choice_like_none_of_them_is_given_the_list_only() -> None:
    with pytest.raises(InvalidInputError) as info:
        cadence.parse_event({"type": "call_attempted", "at": _MONDAY, "outcome": "sms"})
    assert "did you mean" not in str(info.value)
    assert "'voicemail'" in str(info.value)


def test_a_misspelt_choice_in_a_policy_file_is_told_the_one_meant(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"opt_out_scope": "chanel"}))
    with pytest.raises(InvalidInputError, match=r"opt_out_scope: .*did you mean 'channel'\?"):
        read_policy(path)


def test_a_misspelt_stage_in_a_stored_state_is_told_the_stage_meant() -> None:
    engine = cadence.Engine(cadence.Policy())
    p = engine.enroll(
        "p", timezone="America/Chicago", at=ev.parse_event({"type": "email_sent", "at": _MONDAY}).at
    )
    data = {**p.model_dump(mode="json"), "stage": "droped"}
    with pytest.raises(InvalidInputError, match=r"^stage: .*did you mean 'dropped'\?$"):
        engine.next_action(cadence.Prospect.model_construct(**data), now=p.enrolled_at)
