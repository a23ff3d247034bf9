"""The command line: every subcommand through typer's runner; user errors are one line, exit 2."""

from __future__ import annotations

import json
import pathlib
import tempfile
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import cadence
from cadence import events as ev
from cadence._cli_rules import never_called
from cadence.cli import app
from cadence.errors import InvalidInputError
from cadence.files import read_events, read_policy, read_prospect

runner = CliRunner()


@pytest.fixture
def state(tmp_path: pathlib.Path, engine: cadence.Engine, monday: datetime) -> pathlib.Path:
    p = engine.enroll("dana", timezone="America/Chicago", at=monday, country="US", subdivision="IL")
    path = tmp_path / "dana.json"
    path.write_text(p.model_dump_json())
    return path


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["demo"],
        ["next"],
        ["diagram"],
        ["policy"],
        ["policy", "show"],
        ["policy", "validate"],
        ["policy", "schema"],
        ["policy", "reference"],
        ["plan"],
        ["schema"],
    ],
)
def test_every_command_has_clear_help(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_top_level_help_lists_every_command_with_a_summary() -> None:
    result = runner.invoke(app, ["--help"])
    for name in ("demo", "next", "plan", "diagram", "schema", "policy"):
        line = next(ln for ln in result.output.splitlines() if f" {name} " in ln)
        assert len(line.split(name, 1)[1].strip(" │")) > 10, line  # a summary, not just a name


def test_demo_plans_a_sample_day_and_walks_the_whole_cadence() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0
    assert "Today's plan" in result.output
    for word in ("R14", "R15", "R1 ", "over capacity", "ana", "ben", "chloe", "CET"):
        assert word in result.output, word
    for word in ("opt_out_offer", "breakup", "drip_touch", "R6"):
        assert word in result.output


def test_the_demo_story_walks_the_seeds_cadence_to_the_drip() -> None:
    """The prospect the demo follows talked once (permission given, R12) and never answers
    again: the issue's cadence, from the first call to a monthly drip touch."""
    from zoneinfo import ZoneInfo

    from cadence.cli import demo_story

    start = datetime(2026, 3, 3, 10, 15, tzinfo=ZoneInfo("America/Chicago"))
    story = demo_story(cadence.Engine(), start)
    kinds = [act.kind.value for _, _, act, _ in story]
    assert kinds == [
        "call",
        "email",
        "call",
        "email",
        "email",
        "opt_out_offer",
        "email",
        "breakup",
        "wait",
        "drip_touch",
        "drip_touch",
        "drip_touch",
    ]
    assert [p.stage.value for _, p, _, _ in story][-3:] == ["dropped", "drip", "drip"]
    assert story[1][2].rules == ("R6",)
    assert story[2][2].rules == ("R3", "R4")


def test_next_prints_the_action_with_its_reason(state: pathlib.Path, monday: datetime) -> None:
    result = runner.invoke(app, ["next", str(state), "--now", monday.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("call via phone")
    assert "R2" in result.output


def test_next_applies_events_first_and_prints_json(
    state: pathlib.Path, tmp_path: pathlib.Path, monday: datetime
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        ev.CallAttempted(at=monday, outcome="voicemail", id="a").model_dump_json() + "\n\n"
    )
    result = runner.invoke(
        app, ["next", str(state), str(events), "--now", monday.isoformat(), "--json"]
    )
    assert result.exit_code == 0, result.output
    action = cadence.Action.model_validate_json(result.output)
    assert action.rules == ("R6",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ("[]", "expected a JSON object"),
        ('{"id": "x"}', "missing"),
        # json.loads's own ValueError beyond Python's 4,300 digits escaped as a traceback
        ('{"id": "x", "unanswered": 1' + "0" * 5000 + "}", "more than 4300 digits"),
    ],
)
def test_bad_state_files_are_one_line_and_exit_2(
    tmp_path: pathlib.Path, content: str | None, message: str
) -> None:
    path = tmp_path / "state.json"
    if content is not None:
        path.write_text(content)
    result = runner.invoke(app, ["next", str(path), "--now", "2026-03-09T10:00:00+00:00"])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_late_event_file_says_to_replay(
    state: pathlib.Path, tmp_path: pathlib.Path, monday: datetime
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(ev.EmailSent(at=monday - timedelta(days=1)).model_dump_json() + "\n")
    result = runner.invoke(app, ["next", str(state), str(events), "--now", monday.isoformat()])
    assert result.exit_code == 2
    assert "replay" in result.output


def test_an_event_older_than_the_one_before_it_is_named_by_its_line(
    state: pathlib.Path, tmp_path: pathlib.Path, monday: datetime
) -> None:
    """The docs promise a late event's error names the file and the line, as a bad line's
    does; the second of two events out of time order is on line 3 (after a blank line)."""
    events = tmp_path / "events.jsonl"
    first, second = monday + timedelta(hours=2), monday + timedelta(hours=1)
    events.write_text(
        ev.EmailSent(at=first).model_dump_json()
        + "\n\n"
        + ev.EmailSent(at=second).model_dump_json()
        + "\n"
    )
    result = runner.invoke(app, ["next", str(state), str(events), "--now", monday.isoformat()])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert f"{events}:3: at:" in " ".join(result.output.split())


def test_next_prints_talking_points_as_text_on_whole_lines(
    tmp_path: pathlib.Path, monday: datetime
) -> None:
    """A team's own talking points are text: their brackets are not markup (``[/b]`` alone
    crashed rich), and a line is not broken at 80 columns when the output is a pipe."""
    point = "[b]Say[/b] [red] you will keep trying, unless they would rather you didn't; " * 2
    policy_file = tmp_path / "team.json"
    policy_file.write_text(json.dumps({"templates": {"opt_out_offer": point + "[/b]"}}))
    engine = cadence.Engine(read_policy(policy_file))
    p = engine.enroll("dana", timezone="America/Chicago", at=monday, country="US")
    for _ in range(3):
        p = engine.apply(p, ev.CallAttempted(at=monday, outcome="no_answer"))
        monday += timedelta(days=7)
    path = tmp_path / "dana.json"
    path.write_text(p.model_dump_json())
    act = engine.next_action(p, monday)
    assert act.talking_points == (point + "[/b]",)  # (the data this test is about)
    args = ["next", str(path), "--now", monday.isoformat(), "--policy", str(policy_file)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == f"rules {' '.join(act.rules)}: {act.reason}"
    assert lines[2:] == [f"  - {point}[/b]"]


def test_next_prints_an_emails_subject(tmp_path: pathlib.Path, monday: datetime) -> None:
    """R7's email refers to their request in its subject: the rep needs it to write the
    email, and only ``--json`` showed it."""
    engine = cadence.Engine()
    p = engine.enroll("dana", timezone="America/Chicago", at=monday, topic="payroll")
    at = monday
    for _ in range(2):
        at = max(at, engine.next_action(p, at).earliest_utc)
        p = engine.apply(p, ev.CallAttempted(at=at, outcome="no_answer"))
    act = engine.next_action(p, at)
    assert act.subject == "Regarding your request about payroll"  # (the data of this test)
    path = tmp_path / "dana.json"
    path.write_text(p.model_dump_json())
    result = runner.invoke(app, ["next", str(path), "--now", at.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2] == "subject: Regarding your request about payroll"


def test_bad_event_line_names_the_line(state: pathlib.Path, tmp_path: pathlib.Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"type": "email_sent", "at": "2026-03-09T16:00:00Z"}\n{"type": "teleport"}\n'
    )
    result = runner.invoke(app, ["next", str(state), str(events)])
    assert result.exit_code == 2
    assert "events.jsonl:2" in result.output
    assert "teleport" in result.output


def test_an_event_with_a_number_too_long_to_read_is_one_line(
    state: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text('{"type": "email_sent", "at": "2026-03-09T16:00:00Z", "id": 1' + "0" * 5000)
    result = runner.invoke(app, ["next", str(state), str(events)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "events.jsonl:1: a number in the JSON has more than 4300 digits" in result.output


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        ("min_gap_business_days: 1" + "0" * 5000 + "\n", ("line 1", "is not an integer")),
        ("team_holidays:\n  - 2026-02-30\n", ("line 2", "'2026-02-30' is not a date")),
        ("legal_guards: !!bool maybe\n", ("line 1", "'maybe' is not true or false")),
        ("team_holidays: " + "[" * 1000 + "\n", ("nested too deeply",)),  # a traceback
    ],
)
def test_a_yaml_value_that_cannot_be_read_is_one_line_naming_its_line(
    tmp_path: pathlib.Path, content: str, needles: tuple[str, ...]
) -> None:
    """PyYAML raises ValueError, KeyError or AttributeError (not YAMLError) for a value it
    cannot build; each escaped as a traceback."""
    team = tmp_path / "team.yaml"
    team.write_text(content)
    result = runner.invoke(app, ["policy", "validate", str(team)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "team.yaml: not valid YAML" in result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_bad_now_is_one_line(state: pathlib.Path) -> None:
    result = runner.invoke(app, ["next", str(state), "--now", "2026-03-09T10:00:00"])
    assert result.exit_code == 2
    assert "offset" in result.output


def test_policy_commands(tmp_path: pathlib.Path) -> None:
    shown = runner.invoke(app, ["policy", "show"])
    assert json.loads(shown.output)["min_gap_business_days"] == 4
    schema = runner.invoke(app, ["policy", "schema"])
    assert "min_gap_business_days" in json.loads(schema.output)["properties"]
    good = tmp_path / "team.yaml"
    good.write_text("min_gap_business_days: 2\nweekmask: '1111001'\n")
    assert runner.invoke(app, ["policy", "validate", str(good)]).exit_code == 0
    assert (
        json.loads(runner.invoke(app, ["policy", "show", str(good)]).output)["weekmask"]
        == "1111001"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("min_gap_business_days: -1\n")
    result = runner.invoke(app, ["policy", "validate", str(bad)])
    assert result.exit_code == 2
    assert "min_gap_business_days" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n")
    assert runner.invoke(app, ["policy", "validate", str(broken)]).exit_code == 2
    # A file a failed write left empty is not the defaults (it would drop the team's own
    # calling rules without a word); one whose every line is commented out is.
    for empty in ("empty.yaml", "empty.json"):
        (tmp_path / empty).write_text(" \n")
        result = runner.invoke(app, ["policy", "validate", str(tmp_path / empty)])
        assert result.exit_code == 2
        assert f"{empty}: the file is empty; write {{}} in it for the default policy" in (
            result.output
        )
    commented = tmp_path / "commented.yaml"
    commented.write_text("# min_gap_business_days: 2\n")
    assert runner.invoke(app, ["policy", "validate", str(commented)]).exit_code == 0


def test_a_yaml_policy_reads_clock_times_as_times_quoted_or_not(tmp_path: pathlib.Path) -> None:
    """YAML 1.1 reads an unquoted 10:00 as the base-60 number 600, which pydantic would take
    for seconds after midnight ('00:10, drop the tzinfo'); a policy's hours stay HH:MM."""
    team = tmp_path / "team.yaml"
    team.write_text(
        "call_slots:\n"
        "  - {name: morning, start: 10:00, end: '12:30'}\n"
        "calling_rules:\n"
        "  - id: us-tx\n"
        "    version: '1'\n"
        "    name: a rule our counsel read\n"
        "    country: US\n"
        "    subdivision: TX\n"
        "    windows: {0: [[09:00, 21:00]], 6: [[12:00, 21:00]]}\n"
        "    cap: {count: 3, per: P1D}\n"
        "    effective_from: 2009-04-01\n"
        "    source: https://example.com/memo\n"
        "min_gap_business_days: 3\n"
        "reaction_minutes: 1_0\n"
    )
    policy = read_policy(team)
    assert (policy.call_slots[0].start, policy.call_slots[0].end) == (time(10), time(12, 30))
    assert policy.calling_rules[0].windows == {
        0: ((time(9), time(21)),),
        6: ((time(12), time(21)),),
    }
    assert (policy.min_gap_business_days, policy.reaction_minutes) == (3, 10)  # numbers stay
    assert runner.invoke(app, ["policy", "validate", str(team)]).exit_code == 0


def test_validate_notes_the_places_a_policy_never_calls(tmp_path: pathlib.Path) -> None:
    """A 07:00-09:00 call block never meets France's 10:00-13:00 and 14:00-20:00: the policy
    validated, and each French prospect's next action (and every batch plan holding one)
    raised NoSlotError."""
    team = tmp_path / "team.yaml"
    team.write_text("call_slots:\n  - {name: early, start: '07:00', end: '09:00'}\n")
    result = runner.invoke(app, ["policy", "validate", str(team)])
    assert result.exit_code == 0, result.output
    assert "team.yaml: valid\n" in result.output
    assert (
        "note: no call can ever be made to FR: the policy's calling hours (Mon–Fri "
        "07:00–09:00; Sat–Sun no calls) never meet the law's (Mon–Fri 10:00–13:00, "
        "14:00–20:00; Sat–Sun no calls; fr@2023-03-01)"
    ) in result.output
    assert "to US-CT:" in result.output
    assert "to US-FL:" not in result.output  # Florida's 08:00 meets it
    rules = runner.invoke(
        app, ["policy", "rules", "FR", "--on", "2026-03-10", "--policy", str(team)]
    )
    assert "With the policy's hours: no call, ever (NoSlotError)" in rules.output
    rules = runner.invoke(
        app, ["policy", "rules", "US-FL", "--on", "2026-03-10", "--policy", str(team)]
    )
    assert "With the policy's hours: Mon–Fri 08:00–09:00; Sat–Sun no calls" in rules.output
    team.write_text("{}\n")
    assert "note:" not in runner.invoke(app, ["policy", "validate", str(team)]).output
    early = cadence.TimeSlot(name="early", start="07:00", end="09:00")
    unguarded = cadence.Policy(legal_guards=False, call_slots=[early])
    assert never_called(unguarded, date(2026, 3, 10)) == []
    assert len(never_called(cadence.Policy(call_slots=[early]), date(2026, 3, 10))) == 6


def test_a_yaml_country_that_yaml_1_1_reads_as_a_boolean_is_the_country(
    tmp_path: pathlib.Path,
) -> None:
    """YAML 1.1 reads NO (Norway) and ON (Ontario) as booleans: such a team was refused with
    "Input should be a valid string (got False)". A yes/no knob still takes yes, no, on, off."""
    team = tmp_path / "team.yaml"
    team.write_text("team_country: NO\nlegal_guards: off\nvoicemail_email: No\n")
    policy = read_policy(team)
    assert (policy.team_country, policy.legal_guards, policy.voicemail_email) == (
        "NO",
        False,
        False,
    )
    team.write_text("team_country: CA\nteam_subdivision: ON\ndrip_requires_permission: yes\n")
    policy = read_policy(team)
    assert (policy.team_subdivision, policy.drip_requires_permission) == ("ON", True)


def test_an_hour_written_with_one_digit_is_that_hour(tmp_path: pathlib.Path) -> None:
    """``start: 9:00`` was refused as "input is too short", without saying what to write."""
    team = tmp_path / "team.yaml"
    team.write_text(
        "call_slots:\n"
        "  - {name: morning, start: 9:00, end: '11:30'}\n"
        "calling_rules:\n"
        "  - {id: acme-tx, version: '1', name: memo, country: US, subdivision: TX,\n"
        "     windows: {0: [['9:00', '21:00']]}, effective_from: 2009-04-01,\n"
        "     source: https://example.com/memo}\n"
    )
    policy = read_policy(team)
    assert policy.call_slots[0].start == time(9)
    assert policy.calling_rules[0].windows == {0: ((time(9), time(21)),)}


def test_a_yaml_weekmask_with_a_leading_zero_is_the_weekmask(tmp_path: pathlib.Path) -> None:
    """YAML 1.1 reads an unquoted ``0000011`` as the octal number 9: a weekend team's policy
    was refused with the advice to write "9". A whole number written so is its decimal."""
    team = tmp_path / "team.yaml"
    team.write_text("weekmask: 0000011\nmin_gap_business_days: 010\n")
    policy = read_policy(team)
    assert (policy.weekmask, policy.min_gap_business_days) == ("0000011", 10)
    team.write_text("weekmask: 1111100\n")  # a number still, refused with the fix as written
    result = runner.invoke(app, ["policy", "validate", str(team)])
    assert result.exit_code == 2
    assert "weekmask: expected a string, got the number 1111100" in result.output
    assert 'e.g. "1111100"' in result.output


def test_policy_rules_shows_what_binds_a_call_to_a_place(tmp_path: pathlib.Path) -> None:
    def rules(*args: str) -> Any:
        return runner.invoke(app, ["policy", "rules", *args])

    florida = rules("US-FL", "--on", "2026-03-10")
    assert florida.exit_code == 0, florida.output
    assert "us-federal@1992-12-20" in florida.output
    assert "Together: Mon–Sun 08:00–20:00; at most 3 per 24 h\n" in florida.output
    assert "Together: Mon–Sun 08:00–21:00\n" in rules("us-ct", "--on", "2023-01-01").output
    france = rules("FR", "--on", "2026-03-10").output
    assert "Sat–Sun no calls; no calls on public holidays; at most 4 per 30 days" in france
    assert "no legal calling rule" in rules("DE", "--on", "2026-03-10").output
    team = tmp_path / "team.json"
    team.write_text(
        json.dumps(
            {
                "calling_rules": [
                    {
                        "id": "us-tx",
                        "version": "1",
                        "name": "[/i] Texas",  # (a name is text, not markup)
                        "country": "US",
                        "subdivision": "TX",
                        "windows": {str(d): [["09:00", "21:00"]] for d in range(6)}
                        | {"6": [["12:00", "21:00"]]},
                        "effective_from": "2009-04-01",
                        "source": "https://example.com/memo",
                    }
                ]
            }
        )
    )
    texas = rules("US-TX", "--policy", str(team), "--on", "2026-03-10").output
    assert "(the policy's own)" in texas
    assert "[/i] Texas" in texas
    assert "Together: Mon–Sat 09:00–21:00; Sun 12:00–21:00\n" in texas
    off = tmp_path / "off.json"
    off.write_text('{"legal_guards": false}')
    assert "legal_guards off" in rules("US-FL", "--policy", str(off)).output
    for bad, needle in (("US-XX", "not a subdivision of US"), ("XX", "'XX' is not an ISO")):
        result = rules(bad)
        assert result.exit_code == 2
        assert needle in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert "--on: '2026-13-01' is not a date" in rules("FR", "--on", "2026-13-01").output


def test_policy_rules_takes_a_subdivision_spelt_in_mixed_case_in_any_case() -> None:
    """``holidays`` spells some codes in mixed case (the Netherlands' ``Noord``); the place
    was upper-cased and refused, with an error saying to use the code given."""
    for place in ("NL-Noord", "nl-noord", "NL-NOORD", "CH-stadt zurich"):
        result = runner.invoke(app, ["policy", "rules", place, "--on", "2026-03-10"])
        assert result.exit_code == 0, result.output
        assert "no legal calling rule" in result.output


def test_diagram_is_the_lifecycle() -> None:
    result = runner.invoke(app, ["diagram"])
    assert result.output.startswith("stateDiagram-v2")
    assert "opted_out --> engaged: opt_in" in result.output


_CONTENT = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=10,
    ).map(lambda v: json.dumps(v).encode()),
)


@given(content=_CONTENT, suffix=st.sampled_from([".json", ".yaml", ".jsonl"]))
def test_file_readers_raise_only_clear_errors(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / f"input{suffix}"
        path.write_bytes(content)
        messages = []
        for reader in (read_prospect, read_policy, read_events):
            try:
                reader(path)
            except InvalidInputError as exc:
                messages.append(str(exc))
        assert all(m and "\n" not in m for m in messages), messages


def test_diagram_as_dot_text(tmp_path: pathlib.Path) -> None:
    from cadence.lifecycle import lifecycle

    assert runner.invoke(app, ["diagram", "--format", "dot"]).output == lifecycle().dot() + "\n"
    out = tmp_path / "lifecycle.mmd"
    assert runner.invoke(app, ["diagram", "-o", str(out)]).exit_code == 0
    assert out.read_text() == lifecycle().mermaid() + "\n"


def _dot_or_skip() -> None:
    """Rendering needs Graphviz's dot program. CI installs it (.ci/run), so there a missing dot
    fails instead of skipping; elsewhere the test says what is missing."""
    import os
    import shutil

    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            raise AssertionError("CI must have Graphviz's dot program (.ci/run installs it)")
        pytest.skip("Graphviz's dot program is not installed")


@pytest.mark.parametrize(
    ("fmt", "magic"), [("svg", b"<svg"), ("png", b"\x89PNG\r\n\x1a\n")], ids=["svg", "png"]
)
def test_diagram_renders_through_graphviz(tmp_path: pathlib.Path, fmt: str, magic: bytes) -> None:
    _dot_or_skip()
    out = tmp_path / f"lifecycle.{fmt}"
    result = runner.invoke(app, ["diagram", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert magic in data[:400]
    assert len(data) > 5_000
    if fmt == "svg":
        text = data.decode()
        assert "opt_out_offered" in text
        assert "lose_to_drip" in text


def test_diagram_svg_to_standard_output() -> None:
    _dot_or_skip()
    result = runner.invoke(app, ["diagram", "-f", "svg"])
    assert result.exit_code == 0
    assert "</svg>" in result.output


def test_diagram_without_graphviz_is_one_line_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH on which there is no dot program
    result = runner.invoke(app, ["diagram", "--format", "png", "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "Graphviz" in result.output
    assert "install" in result.output
    assert not (tmp_path / "x.png").exists()


def test_a_failing_dot_program_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    """A broken Graphviz install (dot exits non-zero) is reported with dot's own first line."""
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Format: \"svg\" not recognized' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(app, ["diagram", "--format", "svg"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "exited with status 1" in result.output
    assert "not recognized" in result.output


def test_policy_reference_prints_the_generated_page() -> None:
    from cadence._reference import policy_reference

    result = runner.invoke(app, ["policy", "reference"])
    assert result.exit_code == 0
    assert result.output == policy_reference()
    assert "| `min_gap_business_days` | integer | `4` | 1 to 60 | R3:" in result.output


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["schema", "invoice"], ("'invoice' is not one of", "schema --help")),
        (["diagram", "--format", "gif"], ("'gif' is not one of", "diagram --help")),
        (["plan", "book.csv"], ("Missing option '--day'", "plan --help")),
        (["plan", "book.csv", "--day", "2026-03-10", "--capacity", "1", "--bogus"], ("--bogus",)),
        (["teleport"], ("No such command 'teleport'",)),
        (["policy", "validate"], ("Missing argument",)),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], needles: tuple[str, ...]) -> None:
    """The parser's own errors read like cadence's: one line, exit 2, and where to get help."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]


def test_no_arguments_print_the_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output
    assert "plan" in result.output


def test_diagram_out_dash_is_standard_output(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--out -`` is standard output (it wrote a file named ``-``)."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diagram", "--format", "dot", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "-").exists()
    assert result.stdout.startswith("digraph")


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        (
            "team.yaml",
            'weekmask: "1111100"\nfollowup_business_days: 3\nweekmask: "1111111"\n',
            ("team.yaml:3: 'weekmask' is given twice (first on line 1)",),
        ),
        (
            "team.yaml",
            "calling_rules: []\ncall_slots:\n  - {name: a, start: '9:00', end: '10:00', name: b}\n",
            ("team.yaml:3: 'name' is given twice",),
        ),
        (
            "team.json",
            '{"weekmask": "1111100",\n "weekmask": "0000011"}',
            ("team.json: 'weekmask' is given twice",),
        ),
    ],
)
def test_a_setting_given_twice_in_a_policy_file_is_refused(
    tmp_path: pathlib.Path, name: str, content: str, needles: tuple[str, ...]
) -> None:
    """JSON and YAML keep the last of two values for one key without a word: a team's
    weekmask written at the top and again below was the one below, and validate said
    "valid". A CSV book refuses a column named twice for the same reason."""
    team = tmp_path / name
    team.write_text(content)
    for command in ("validate", "show"):
        result = runner.invoke(app, ["policy", command, str(team)])
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        for needle in needles:
            assert needle in result.output, result.output
        assert "keep one" in result.output, result.output


def test_a_yaml_syntax_error_names_its_line_column_and_problem(tmp_path: pathlib.Path) -> None:
    """A tab where YAML wants spaces said "not valid YAML (while scanning for the next
    token)": no line, no column, and not what was found."""
    team = tmp_path / "team.yaml"
    team.write_text('followup_business_days: 3\nweekmask:\t"1111100"\n')
    result = runner.invoke(app, ["policy", "validate", str(team)])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    for needle in ("team.yaml:2", "column 10", "'\\t'", "spaces"):
        assert needle in result.output, result.output


def test_validate_notes_an_opt_out_gap_shorter_than_the_gap_between_attempts(
    tmp_path: pathlib.Path,
) -> None:
    """R8's gap after the opt-out offer is never shorter than R3's gap between attempts: with
    ``opt_out_gap_business_days: 3`` and the default gap of 4, the breakup came 4 business
    days after the offer, and the file validated without a word about the 3."""
    team = tmp_path / "team.yaml"
    team.write_text("opt_out_gap_business_days: 3\n")
    result = runner.invoke(app, ["policy", "validate", str(team)])
    assert result.exit_code == 0, result.output
    assert (
        "note: opt_out_gap_business_days 3 is shorter than min_gap_business_days 4, so the gap "
        "after the opt-out offer (R8) is 4 business days, as between any two attempts (R3); "
        "give opt_out_gap_business_days at least 4"
    ) in " ".join(result.output.split())
    for fine in (
        "{}\n",
        "opt_out_gap_business_days: 4\n",
        "min_gap_business_days: 2\nopt_out_gap_business_days: 3\n",
    ):
        team.write_text(fine)
        assert "note:" not in runner.invoke(app, ["policy", "validate", str(team)]).output


@pytest.mark.parametrize(
    ("text", "note"),
    [
        (
            "switch_channel_after: 3\n",
            "note: switch_channel_after 3 is not below opt_out_offer_after 3, so the opt-out "
            "offer (R8) comes after 3 unanswered attempts, before any switch: no attempt goes "
            "by email because calls went unanswered (R7); give switch_channel_after less than "
            "opt_out_offer_after",
        ),
        (
            "switch_channel_after: 6\nopt_out_offer_after: 2\n",
            "note: switch_channel_after 6 is not below opt_out_offer_after 2, so the opt-out "
            "offer (R8) comes after 2 unanswered attempts",
        ),
        (
            "drip_interval_days: 5\n",
            "note: drip_interval_days 5 is shorter than the 4 business days between unanswered "
            "attempts (min_gap_business_days, about 6 days), so the drip (R11) touches a "
            "dropped prospect more often than the ladder tried them (R3); give "
            "drip_interval_days at least 6",
        ),
        (
            "drip_interval_days: 8\nweekmask: '1010100'\n",
            "note: drip_interval_days 8 is shorter than the 4 business days between",
        ),
    ],
)
def test_validate_notes_a_setting_that_makes_a_rule_unreachable(
    tmp_path: pathlib.Path, text: str, note: str
) -> None:
    """With ``switch_channel_after`` at or above ``opt_out_offer_after`` the offer came first
    and R7's switch to email never did; a drip faster than the ladder touched a dropped
    prospect more often than one still being tried. Both validated without a word."""
    team = tmp_path / "team.yaml"
    team.write_text(text)
    result = runner.invoke(app, ["policy", "validate", str(team)])
    assert result.exit_code == 0, result.output
    assert note in " ".join(result.output.split()), result.output


@pytest.mark.parametrize(
    "text",
    [
        "switch_channel_after: 2\nopt_out_offer_after: 3\n",
        "switch_channel_after: 1\nopt_out_offer_after: 2\n",
        "drip_interval_days: 6\n",
        "drip_interval_days: 10\nweekmask: '1010100'\n",
    ],
)
def test_validate_has_no_note_for_a_ladder_that_reaches_every_rule(
    tmp_path: pathlib.Path, text: str
) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(text)
    result = runner.invoke(app, ["policy", "validate", str(team)])
    assert result.exit_code == 0, result.output
    assert "note:" not in result.output, result.output
