"""``cadence plan`` and ``cadence next`` options given as a new user types them: every slip is
one line naming the option, exit 2, never a traceback; the fix a message suggests works."""

from __future__ import annotations

import pathlib
import tempfile
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

import cadence
from cadence.cli import app

runner = CliRunner()
BOOK = "id,timezone,owner\nacme-1,America/Chicago,ana\n"


@pytest.fixture
def book(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "book.csv"
    path.write_text(BOOK)
    return path


def _one_line_error(result: Result, *needles: str) -> str:
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output
    for needle in needles:
        assert needle in output, (needle, output)
    return output


def _plan(book: pathlib.Path, *options: str, day: str = "2026-03-10") -> Result:
    return runner.invoke(app, ["plan", str(book), "--day", day, *options])


@pytest.mark.parametrize(
    "now", ["2026-03-09", "2026-03-09 18:00", "2026-03-09T18:00:00.5", "2026-03-09+00:00"]
)
def test_the_now_a_naive_now_is_told_to_give_is_one_the_command_takes(
    book: pathlib.Path, now: str
) -> None:
    """``--now 2026-03-09`` was told to give ``2026-03-09+00:00``, which was refused in turn
    (told to give ``2026-03-09+00:00+00:00``): Python reads a date's offset as nothing."""
    said = _one_line_error(_plan(book, "--capacity", "5", "--now", now), "--now:", "offset")
    suggested = said.rsplit("e.g. ", 1)[1].strip()
    assert datetime.fromisoformat(suggested).utcoffset() is not None, said
    result = _plan(book, "--capacity", "5", "--now", suggested, "--format", "csv")
    assert result.exit_code == 0, result.output


def test_a_calendar_made_after_2088_is_one_line_naming_now(book: pathlib.Path) -> None:
    """A calendar's SEQUENCE (seconds since 2020) outgrows a 32-bit integer in January 2088:
    ``--format ics --now 2090-...`` printed plan_ics's traceback about a ``stamp``, an argument
    the command line has none of."""
    now, day = "2090-03-09T18:00:00+00:00", "2090-03-10"
    result = _plan(book, "--capacity", "5", "--now", now, "--format", "ics", day=day)
    _one_line_error(result, "--now:", repr(now), "2088", "--format csv")
    later = _plan(book, "--capacity", "5", "--now", now, "--format", "csv", day=day)
    assert later.exit_code == 0, later.output  # (only the calendar cannot hold it)


@given(digit=st.characters(categories=["No", "Nd"]).filter(lambda c: not "0" <= c <= "9"))
def test_a_capacity_of_a_digit_that_is_no_number_is_one_line(digit: str) -> None:
    """``--capacity ²`` (a superscript: ``str.isdigit`` but no ``int``) printed a ValueError's
    traceback."""
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "book.csv"
        path.write_text(BOOK)
        for text in (digit, f"ana={digit}", f"ana:phone=1{digit}"):
            result = _plan(path, "--now", "2026-03-09T18:00:00+00:00", "--capacity", text)
            _one_line_error(result, "--capacity:", "is not a capacity")


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_now_cadence_cannot_plan_by_is_named_as_the_option(book: pathlib.Path, now: str) -> None:
    """A CRM's stand-in for "unknown" or "never" was refused as ``now: ...``, a name the
    command line has none of; ``--day`` is already named as the option."""
    result = _plan(book, "--capacity", "5", "--now", now)
    _one_line_error(result, "error: --now:", repr(now), "1900 to 8999")
    state = book.parent / "dana.json"
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    state.write_text(cadence.Engine().enroll("dana", timezone="UTC", at=monday).model_dump_json())
    _one_line_error(runner.invoke(app, ["next", str(state), "--now", now]), "error: --now:")


@pytest.mark.parametrize("name", ["team.txt", "team", "team.policy"])
def test_a_yaml_policy_in_a_file_not_named_yaml_is_told_how_to_name_it(
    tmp_path: pathlib.Path, name: str
) -> None:
    """YAML is told by the file's suffix; a YAML policy saved as ``team.txt`` was refused as
    "not valid JSON (Expecting value at line 1, column 1)", with no word of YAML."""
    path = tmp_path / name
    path.write_text("min_gap_business_days: 3\n")
    result = runner.invoke(app, ["policy", "validate", str(path)])
    _one_line_error(result, f"{name}: not valid JSON", ".yaml or .yml", f"{path.stem}.yaml")
    path.rename(path.with_name(f"{path.stem}.yaml"))
    assert runner.invoke(app, ["policy", "validate", f"{tmp_path / path.stem}.yaml"]).exit_code == 0


def test_a_json_policy_that_is_no_json_is_not_told_of_yaml(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "team.json"
    path.write_text('{"min_gap_business_days": 3,}')
    said = _one_line_error(runner.invoke(app, ["policy", "validate", str(path)]), "not valid JSON")
    assert "yaml" not in said
