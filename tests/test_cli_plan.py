"""``cadence plan`` and the book readers behind it: CSV or JSONL in; table, CSV, JSONL or ICS out.

The plan the command prints is checked against ``cadence.batch.plan_day`` run directly on the
same prospects (the command adds reading and writing, never decisions).
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import re
import shlex
import tempfile
from datetime import date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from typer.testing import CliRunner

import cadence
from cadence import events as ev
from cadence._sample import sample_book
from cadence.batch import PlannedTouch, RepHours, plan_day, to_table
from cadence.cli import app, parse_capacity
from cadence.errors import InvalidInputError
from cadence.files import (
    BOOK_COLUMNS,
    PLAN_COLUMNS,
    read_book,
    read_suppressions,
    write_plan_csv,
)
from tests.conftest import CHICAGO

runner = CliRunner()
DAY = "2026-03-10"
NOW = datetime(2026, 3, 9, 18, 0, tzinfo=CHICAGO)
ARGS = ["--day", DAY, "--now", NOW.isoformat()]
HEADER = "id,timezone,country,subdivision,owner,phone,email,topic\n"
ROWS = (
    "acme-1,America/Chicago,US,IL,ana,+13125550101,dana@acme.test,payroll\n"
    "acme-2,America/New_York,us,ny,ana,+12125550102,lee@acme.test,\n"
    "acme-3,Europe/Paris,FR,,ben,+33155550103,zoe@acme.test,paie\n"
    "acme-4,America/Los_Angeles,US,CA,ben,+13105550104,kim@acme.test,\n"
)


@pytest.fixture
def book(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "book.csv"
    path.write_text(HEADER + ROWS)
    return path


@pytest.fixture
def stored(tmp_path: pathlib.Path, engine: cadence.Engine) -> pathlib.Path:
    """The demo's sample book as stored states, one per line."""
    path = tmp_path / "book.jsonl"
    path.write_text("".join(p.model_dump_json() + "\n" for p in sample_book(engine, now=NOW)))
    return path


def _one_line_error(result: object, *needles: str) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 2, output  # type: ignore[attr-defined]
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output
    for needle in needles:
        assert needle in output, (needle, output)


def test_plan_prints_a_table_with_a_summary(book: pathlib.Path) -> None:
    result = runner.invoke(app, ["plan", str(book), *ARGS, "--capacity", "5"])
    assert result.exit_code == 0, result.output
    assert "Plan for Tue 10 Mar 2026" in result.output
    assert "acme-3" in result.output
    assert "4 touches planned for 2 reps" in result.output
    book.write_text(HEADER + ROWS.splitlines(keepends=True)[0])
    one = runner.invoke(app, ["plan", str(book), *ARGS, "--capacity", "5"])
    assert "1 touch planned for 1 rep;" in one.output, one.output


def test_the_summary_counts_the_reps_with_work_planned_not_those_with_only_a_meeting(
    engine: cadence.Engine,
) -> None:
    """Ana's only entry is a booked meeting (listed, on no capacity, her prospect not due),
    Bo has one call: one touch is planned, for one rep. The summary said "for 2 reps", and
    with Ana's meeting alone "0 touches planned for 1 rep"."""
    from cadence.cli import _plan_summary

    now = datetime(2026, 3, 9, 18, 0, tzinfo=CHICAGO)
    met = engine.enroll("p1", timezone="America/Chicago", at=now, country="US", owner="ana")
    met = engine.apply(
        met, ev.MeetingBooked(at=now, meeting_id="m1", starts_at=now + timedelta(hours=16))
    )
    call = engine.enroll("p2", timezone="America/Chicago", at=now, country="US", owner="bo")
    both = plan_day(engine, [met, call], day=date(2026, 3, 10), now=now, capacity=1)
    assert [t.owner for t in both.touches] == ["ana", "bo"]  # the meeting is listed
    assert "1 touch planned for 1 rep;" in _plan_summary(both)
    alone = plan_day(engine, [met], day=date(2026, 3, 10), now=now, capacity=1)
    assert "0 touches planned for 0 reps;" in _plan_summary(alone)


def test_a_books_ids_and_owners_are_shown_as_written_not_read_as_markup(
    tmp_path: pathlib.Path,
) -> None:
    """``[/bold]`` crashed the table (rich's MarkupError, a traceback) and ``[red]ana`` lost
    its brackets: a CRM's ids and names are text."""
    path = tmp_path / "book.csv"
    path.write_text("id,timezone,owner\n[/bold],America/Chicago,[red]ana\n")
    result = runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"])
    assert result.exit_code == 0, result.output
    assert "[/bold]" in result.output
    assert "[red]ana" in result.output


def test_plan_csv_honours_capacity_and_suppressions(
    book: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    blocked = tmp_path / "suppress.txt"
    blocked.write_text("# opted out by phone\n+12125550102\n\n")
    assert read_suppressions(blocked) == {"+12125550102"}  # no comment, no empty entry
    options = ["-f", "csv", "--capacity", "ana=2,ben:phone=1", "--suppress", str(blocked)]
    result = runner.invoke(app, ["plan", str(book), *ARGS, *options])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == PLAN_COLUMNS
    assert [(r["owner"], r["prospect_id"]) for r in rows] == [("ana", "acme-1"), ("ben", "acme-4")]
    assert rows[0]["local_start"] == "2026-03-10T09:00:00-05:00"
    assert rows[0]["timezone"] == "America/Chicago"
    assert rows[0]["rules"] == "R2"
    assert "1 deferred (over capacity), 1 suppressed" in result.stderr


def test_plan_csv_with_bom_opens_in_excel_with_its_accents(
    book: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """``--bom`` starts the CSV with a UTF-8 byte order mark (Excel reads a CSV without one in
    the machine's code page, so "Zoé" came out as "ZoÃ©"); a reader that knows the mark
    (``utf-8-sig``) reads the same rows as without it. Without ``--bom`` the file has none,
    and ``--bom`` with another format is refused."""
    plain, marked = tmp_path / "plain.csv", tmp_path / "marked.csv"
    options = ["-f", "csv", "--capacity", "5"]
    result = runner.invoke(app, ["plan", str(book), *ARGS, *options, "-o", str(plain)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["plan", str(book), *ARGS, *options, "--bom", "-o", str(marked)])
    assert result.exit_code == 0, result.output
    assert marked.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(marked.read_text(encoding="utf-8-sig"))))
    assert tuple(rows[0]) == PLAN_COLUMNS
    assert len(rows) == 4
    result = runner.invoke(app, ["plan", str(book), *ARGS, "--capacity", "5", "--bom"])
    assert result.exit_code == 2
    assert "--bom: a byte order mark is for --format csv, not table" in result.output


def test_plan_csv_carries_the_subject_line(
    engine: cadence.Engine,
) -> None:
    """The R7 email after two unanswered calls has a subject line: the CSV's ``subject``
    cell holds it, and the other cells hold the action's own values."""
    p = engine.enroll("acme-7", timezone="America/Chicago", at=NOW, country="US", owner="ana")
    now = NOW
    act = engine.next_action(p, now)
    for i in range(8):
        if act.subject is not None:
            break
        now = max(now, act.earliest)
        outcome = ev.CallAttempted(at=now, outcome="voicemail", id=f"c{i}")
        p = engine.apply(
            p, outcome if act.channel is cadence.Channel.PHONE else ev.EmailSent(at=now)
        )
        act = engine.next_action(p, now)
    assert act.subject is not None
    day = act.earliest.date()
    plan = plan_day(engine, [p], day=day, now=now, capacity=5)
    out = io.StringIO()
    write_plan_csv(plan, out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    touch = plan.touches[0]
    assert row["subject"] == touch.action.subject == act.subject
    assert row["kind"] == "email"
    assert row["rules"] == " ".join(touch.action.rules)
    assert row["reason"] == touch.action.reason


def test_plan_csv_cells_that_would_start_a_formula_stay_text(engine: cadence.Engine) -> None:
    """A web form's topic ``=HYPERLINK(...)``, quoted at the start of a team's subject, ran
    as a formula when the rep opened the day's CSV in a spreadsheet (OWASP: CSV injection).
    Such cells start with ``'``; the others are as written."""
    policy = cadence.Policy(templates={"switch_to_email_subject": "{topic} (your request)"})
    engine = cadence.Engine(policy)
    topic = '=HYPERLINK("http://evil.test","payroll")'
    p = engine.enroll(
        "-7", timezone="America/Chicago", at=NOW, country="US", owner="@ana", topic=topic
    )
    now = NOW
    for i in range(2):
        now = max(now, engine.next_action(p, now).earliest)
        p = engine.apply(p, ev.CallAttempted(at=now, outcome="no_answer", id=f"c{i}"))
    act = engine.next_action(p, now)
    assert act.subject == f"{topic} (your request)"  # (the data of this test)
    plan = plan_day(engine, [p], day=act.earliest.date(), now=now, capacity=5)
    out = io.StringIO()
    write_plan_csv(plan, out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert (row["subject"], row["owner"], row["prospect_id"]) == (f"'{act.subject}", "'@ana", "'-7")
    assert row["reason"] == act.reason  # starts with a word: as written
    assert row["kind"] == "email"


def test_plan_jsonl_equals_the_batch_planner_on_the_same_prospects(
    stored: pathlib.Path, engine: cadence.Engine
) -> None:
    result = runner.invoke(app, ["plan", str(stored), *ARGS, "--capacity", "3", "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    printed = [PlannedTouch.model_validate_json(line) for line in result.stdout.splitlines()]
    direct = plan_day(
        engine, sample_book(engine, now=NOW), day=date(2026, 3, 10), now=NOW, capacity=3
    )
    assert printed == list(direct.touches)
    assert len(printed) > 10


def test_plan_reads_a_parquet_book_written_by_to_table(
    stored: pathlib.Path, tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    """The columnar book a batch job keeps plans exactly like the same states as JSONL."""
    parquet = tmp_path / "book.parquet"
    pq.write_table(to_table(sample_book(engine, now=NOW), engine), parquet, row_group_size=7)
    runs = [
        runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "3", "-f", "jsonl"])
        for path in (stored, parquet)
    ]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].output
    assert runs[1].stdout == runs[0].stdout
    assert len(runs[1].stdout.splitlines()) > 10


def test_a_parquet_book_without_states_is_one_clear_line(tmp_path: pathlib.Path) -> None:
    parquet = tmp_path / "ids.parquet"
    pq.write_table(pa.table({"id": ["a", "b"]}), parquet)
    _one_line_error(
        runner.invoke(app, ["plan", str(parquet), *ARGS, "--capacity", "3"]),
        "has no 'state' column",
        "to_table",
    )


def test_a_bad_state_in_a_parquet_book_is_named_by_its_row(
    tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    """Row numbers count across row groups, from 1 as a spreadsheet shows them: the ninth
    state (the second row of the second group of seven) is "row 9"."""
    table = to_table(sample_book(engine, now=NOW), engine)
    states = table.column("state").to_pylist()
    states[8] = '{"id": "broken"'
    broken = table.set_column(
        table.schema.get_field_index("state"),
        "state",
        pa.array(states, table.schema.field("state").type),
    )
    parquet = tmp_path / "book.parquet"
    pq.write_table(broken, parquet, row_group_size=7)
    _one_line_error(
        runner.invoke(app, ["plan", str(parquet), *ARGS, "--capacity", "3"]),
        "book.parquet: row 9",
    )


def test_a_parquet_book_whose_states_are_binary_is_read_as_text(
    stored: pathlib.Path, tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    """A Parquet writer that stores text as plain binary (no UTF-8 annotation, as some Spark
    and Hive jobs do) holds the same JSON: it is read as the states it holds (each was read as
    Python's ``b'...'`` and refused as "not valid JSON")."""
    states = [p.model_dump_json().encode() for p in sample_book(engine, now=NOW)]
    parquet = tmp_path / "book.parquet"
    pq.write_table(pa.table({"state": pa.array(states, pa.binary())}), parquet)
    runs = [
        runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "3", "-f", "jsonl"])
        for path in (stored, parquet)
    ]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].output
    assert runs[1].stdout == runs[0].stdout


@pytest.mark.parametrize(
    ("column", "needles"),
    [
        (pa.array([None], pa.string()), ("book.parquet: row 1: state: is empty",)),
        (pa.array([7], pa.int64()), ("book.parquet: state: the column holds int64", "to_table")),
        (pa.array([b"\xff{}"], pa.binary()), ("book.parquet: row 1: state: not UTF-8",)),
    ],
)
def test_a_parquet_state_that_is_no_json_text_is_named_for_what_it_is(
    tmp_path: pathlib.Path, column: pa.Array, needles: tuple[str, ...]
) -> None:
    """A missing state was reported as "not valid JSON" (Python's ``None`` read as JSON), and a
    number column as "expected a JSON object": say what the row holds."""
    parquet = tmp_path / "book.parquet"
    pq.write_table(pa.table({"state": column}), parquet)
    result = runner.invoke(app, ["plan", str(parquet), *ARGS, "--capacity", "3"])
    _one_line_error(result, *needles)


def test_plan_ics_has_one_event_per_touch_in_the_prospects_zones(
    book: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    out = tmp_path / "plan.ics"
    result = runner.invoke(
        app, ["plan", str(book), *ARGS, "--capacity", "5", "-f", "ics", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    cal = Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 4
    paris = next(e for e in events if "acme-3" in str(e["summary"]))
    assert paris.decoded("dtstart").isoformat() == "2026-03-10T10:00:00+01:00"
    assert "R2" in str(paris["description"])
    assert {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")} >= {"Europe/Paris", "America/Chicago"}


def test_plan_table_can_go_to_a_file(book: pathlib.Path, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "plan.txt"
    result = runner.invoke(app, ["plan", str(book), *ARGS, "--capacity", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "acme-4" in out.read_text()
    assert result.output == ""


def test_every_column_of_a_csv_book_reaches_the_prospect(
    book: pathlib.Path, engine: cadence.Engine
) -> None:
    """A new prospect's row: each column lands in its field (country and subdivision in
    capitals), an empty cell is no value, and the prospect is enrolled at the planning time."""
    got = [
        (p.id, p.timezone, p.country, p.subdivision, p.owner, p.phone, p.email, p.topic)
        for p in read_book(book, engine=engine, now=NOW)
    ]
    assert got == [
        (
            "acme-1",
            "America/Chicago",
            "US",
            "IL",
            "ana",
            "+13125550101",
            "dana@acme.test",
            "payroll",
        ),
        ("acme-2", "America/New_York", "US", "NY", "ana", "+12125550102", "lee@acme.test", None),
        ("acme-3", "Europe/Paris", "FR", None, "ben", "+33155550103", "zoe@acme.test", "paie"),
        ("acme-4", "America/Los_Angeles", "US", "CA", "ben", "+13105550104", "kim@acme.test", None),
    ]
    assert all(p.enrolled_at == NOW for p in read_book(book, engine=engine, now=NOW))


def test_a_csv_books_column_names_are_read_in_any_case(
    book: pathlib.Path, tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    """A CRM's export capitalises its headers ("Id", "TimeZone", "OWNER"): the book reads as
    the same book with lowercase names (it was refused as "unknown columns")."""
    header, _, rest = book.read_text().partition("\n")
    shouted = tmp_path / "shouted.csv"
    shouted.write_text(",".join(name.title() for name in header.split(",")) + "\n" + rest)
    assert header.lower() == header != header.title()
    assert list(read_book(shouted, engine=engine, now=NOW)) == list(
        read_book(book, engine=engine, now=NOW)
    )


def test_a_csv_state_column_is_updated_by_the_crm_columns(
    tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    """A row with a stored state keeps its history; the CRM's owner and phone win."""
    p = engine.enroll("acme-9", timezone="America/Chicago", at=NOW, country="US", owner="ana")
    p = engine.apply(p, ev.CallAttempted(at=NOW + timedelta(minutes=1), outcome="voicemail"))
    path = tmp_path / "book.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "owner", "phone", "state"])
        writer.writerow(["acme-9", "ben", "+1555", p.model_dump_json()])
    (read,) = read_book(path, engine=engine, now=NOW)
    assert (read.owner, read.phone, read.unanswered) == ("ben", "+1555", 1)
    assert read.model_copy(update={"owner": "ana", "phone": None}) == p


def test_a_csv_book_takes_subdivisions_in_any_case_spelt_as_holidays_does(
    tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    """``holidays`` spells some subdivisions in mixed case (``Noord``, ``Augsburg``): the
    reader upper-cased them, and every such row was refused."""
    p = engine.enroll("acme-9", timezone="Europe/Berlin", at=NOW, country="DE", subdivision="BY")
    path = tmp_path / "book.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "timezone", "country", "subdivision", "state"])
        writer.writerow(["acme-1", "Europe/Amsterdam", "nl", "NOORD", ""])
        writer.writerow(["acme-2", "America/Chicago", "us", "il", ""])
        writer.writerow(["acme-9", "", "", "augsburg", p.model_dump_json()])
        writer.writerow(["acme-3", "America/New_York", "US", "New York", ""])  # a name
        writer.writerow(["acme-4", "America/Denver", "US", "US-CO", ""])  # ISO 3166-2
    got = [(q.id, q.country, q.subdivision) for q in read_book(path, engine=engine, now=NOW)]
    assert got == [
        ("acme-1", "NL", "Noord"),
        ("acme-2", "US", "IL"),
        ("acme-9", "DE", "Augsburg"),
        ("acme-3", "US", "NY"),
        ("acme-4", "US", "CO"),
    ]


def test_book_reading_is_streamed(tmp_path: pathlib.Path, engine: cadence.Engine) -> None:
    """Rows are read as they are asked for: a bad row is found only when it is reached."""
    path = tmp_path / "book.csv"
    path.write_text(HEADER + ROWS + "acme-5,Mars/Olympus,,,ana,,,\n")
    rows = read_book(path, engine=engine, now=NOW)
    assert [next(rows).id for _ in range(4)] == ["acme-1", "acme-2", "acme-3", "acme-4"]
    with pytest.raises(InvalidInputError, match=r"book.csv:6: timezone"):
        next(rows)


def test_a_duplicated_column_never_plans_the_contact_the_suppression_list_names(
    tmp_path: pathlib.Path,
) -> None:
    """R13: with two ``email`` columns (work and personal) only the last was read, so the
    work address the prospect opted out from matched nothing and the contact was planned."""
    path = tmp_path / "book.csv"
    path.write_text("id,timezone,email,email\nd,America/Chicago,dana@work.test,dana@home.test\n")
    blocked = tmp_path / "suppress.txt"
    blocked.write_text("dana@work.test\n")
    result = runner.invoke(
        app, ["plan", str(path), *ARGS, "-f", "csv", "--capacity", "5", "--suppress", str(blocked)]
    )
    _one_line_error(result, "book.csv:1", "'email' appears twice")
    assert result.stdout == ""


def test_book_columns_are_documented_in_the_plan_help() -> None:
    help_text = " ".join(runner.invoke(app, ["plan", "--help"]).output.split())
    for column in BOOK_COLUMNS:
        assert column in help_text


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("missing.csv", None, ("no such file",)),
        ("book.parquet", b"PAR1", ("book.parquet", "not a readable Parquet file")),
        ("book.xlsx", b"", ("unknown book format", ".csv")),
        ("book.csv", b"", ("empty",)),
        ("book.csv", b"id,timezone,Owners\n", ("unknown columns", "'Owners'")),
        ("book.csv", b"id,timezone,owner,Owner\n", ("column 'owner' appears twice", "any case")),
        (  # Excel's "CSV" where the decimal mark is a comma (France, Germany): ';' between
            "book.csv",
            b"id;timezone;owner\nx;UTC;ana\n",
            ("unknown columns", "separated by ';'", "comma delimited"),
        ),
        ("book.csv", b"id,owner\nx,ana\n", ("needs an id column and a timezone",)),
        ("book.csv", b"id,timezone\nx,\n", ("book.csv:2", "timezone", "is empty")),
        ("book.csv", b"id,timezone\n,UTC\n", ("book.csv:2", "id")),
        ("book.csv", b"id,timezone\nx,Mars/Olympus\n", ("book.csv:2", "Mars/Olympus")),
        (  # a CRM's default zone for a Florida prospect: 05:00 in Miami
            "book.csv",
            b"id,timezone,country,subdivision\nx,UTC,US,FL\n",
            ("book.csv:2", "timezone: 'UTC'", "US-FL", "'America/New_York'"),
        ),
        (
            "book.jsonl",
            b'{"id": "x", "stage": "new", "blocked_channels": [], "timezone": "UTC",'
            b' "country": "US", "subdivision": "FL", "enrolled_at": "2026-03-09T00:00:00Z",'
            b' "last_event_at": "2026-03-09T00:00:00Z"}\n',
            ("book.jsonl:1", "timezone: 'UTC'", "US-FL"),
        ),
        ("book.csv", b"id,timezone\nx,UTC\ny,UTC\nx,UTC\n", ("'x' appears twice",)),
        ("book.csv", b"id,timezone\nx,UTC,extra\n", ("book.csv:2", "more cells")),
        ("book.csv", b"id,state\nx,{oops\n", ("book.csv:2", "column state", "not valid JSON")),
        ("book.csv", b'id,state\nx,"[1]"\n', ("book.csv:2", "expected a JSON object")),
        ("book.csv", b"id,timezone\n\xff,UTC\n", ("not UTF-8",)),
        ("book.jsonl", b'{"id": "x"}\n', ("book.jsonl:1", "missing")),
        ("book.jsonl", b"\n\n[1, 2]\n", ("book.jsonl:3", "expected a JSON object")),
        ("book.jsonl", b"[" * 100_000 + b"\n", ("book.jsonl:1", "JSON nested too deeply")),
        ("book.csv", b"id,timezone\nx,UTC\n" + b"y" * 200_000, ("book.csv:3", "not valid CSV")),
        ("book.csv", b"i" * 200_000 + b"\n", ("book.csv:1", "not valid CSV")),
        (  # an unclosed quote swallowed the rows after it: 1 of 3 prospects was planned
            "book.csv",
            b'id,timezone,topic\na,UTC,"6 inch pipes\nb,UTC,valves\nc,UTC,pumps\n',
            ("book.csv:2: not valid CSV", "never closes"),
        ),
        ("book.csv", b'id,timezone,topic\na,UTC,"6" pipes\n', ("book.csv:2", "not valid CSV")),
        (  # a stray quote opened a cell and a later one closed it: b was inside a's topic
            "book.csv",
            b'id,timezone,topic\na,UTC,"payroll\nb,UTC,benefits\nc,UTC,12"\nd,UTC,hr\n',
            ("book.csv:2: a cell runs from this line to line 4", "line break"),
        ),
        (  # the last of the two kept, the other dropped unseen
            "book.csv",
            b"id,timezone,email,email\nd,UTC,dana@work.test,dana@home.test\n",
            ("book.csv:1", "column 'email' appears twice"),
        ),
        ("book.csv", b"\n\nid,timezone\nx,UTC\n", ("book.csv:1: blank line", "header")),
        ("book.csv/", None, ("book.csv", "is a directory; pass a file")),
        (  # json.loads's own ValueError beyond Python's 4,300 digits was a traceback
            "book.jsonl",
            b'{"id": "x", "timezone": "UTC", "unanswered": 1' + b"0" * 5000 + b"}\n",
            ("book.jsonl:1", "more than 4300 digits"),
        ),
        (
            "book.csv",
            b'id,state\nx,"{""unanswered"": 1' + b"0" * 5000 + b'}"\n',
            ("book.csv:2: column state", "more than 4300 digits"),
        ),
    ],
)
def test_bad_books_are_one_line_and_exit_2(
    tmp_path: pathlib.Path, name: str, content: bytes | None, needles: tuple[str, ...]
) -> None:
    path = tmp_path / name
    if name.endswith("/"):
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"])
    _one_line_error(result, *needles)


def test_a_state_whose_id_differs_from_its_row_is_refused(
    tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    p = engine.enroll("acme-9", timezone="America/Chicago", at=NOW)
    path = tmp_path / "book.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["id", "state"], ["acme-8", p.model_dump_json()]])
    result = runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"])
    _one_line_error(result, "book.csv:2", "'acme-8'", "'acme-9'")


@pytest.mark.parametrize(
    ("option", "value", "needles"),
    [
        ("--capacity", "lots", ("--capacity", "'lots'")),
        ("--capacity", "ana=x", ("--capacity", "'ana=x'")),
        ("--capacity", "ana=3,=4", ("--capacity", "'=4'")),
        ("--capacity", "ana:sms=3", ("--capacity: 'ana:sms=3' names channel 'sms'", "phone")),
        ("--day", "10/03/2026", ("--day", "YYYY-MM-DD")),
        ("--now", "2026-03-09T18:00", ("--now", "offset")),
        ("--day", "2026-03-08", ("--day: 2026-03-08 is over in every time zone", "(--now)")),
        ("--day", "9000-01-01", ("--day: 9000-01-01 is outside the years cadence plans in",)),
        ("--day", "9999-12-31", ("--day: 9999-12-31 is outside the years cadence plans in",)),
        ("--day", "1899-12-31", ("--day: 1899-12-31 is outside the years cadence plans in",)),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    book: pathlib.Path, option: str, value: str, needles: tuple[str, ...]
) -> None:
    args = {"--day": DAY, "--now": NOW.isoformat(), "--capacity": "5", option: value}
    result = runner.invoke(app, ["plan", str(book), *(x for kv in args.items() for x in kv)])
    _one_line_error(result, *needles)


def test_a_day_already_over_by_the_clock_is_one_line(book: pathlib.Path) -> None:
    # Without --now the command plans as of the clock: a stale --day would plan nothing.
    result = runner.invoke(app, ["plan", str(book), "--day", "2000-01-03", "--capacity", "5"])
    _one_line_error(result, "--day: 2000-01-03 is over", "(now, by the clock)", "give --now")


def test_a_bad_policy_or_suppression_file_is_one_line(
    book: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    policy = tmp_path / "team.yaml"
    policy.write_text("min_gap_business_days: 0\n")
    result = runner.invoke(
        app, ["plan", str(book), *ARGS, "--capacity", "5", "--policy", str(policy)]
    )
    _one_line_error(result, "min_gap_business_days")
    result = runner.invoke(
        app, ["plan", str(book), *ARGS, "--capacity", "5", "--suppress", str(tmp_path / "nope")]
    )
    _one_line_error(result, "no such file")


def test_an_unwritable_out_path_is_one_line(book: pathlib.Path, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "missing-dir" / "plan.csv"
    result = runner.invoke(
        app, ["plan", str(book), *ARGS, "--capacity", "5", "-f", "csv", "-o", str(out)]
    )
    _one_line_error(result, "--out", "cannot be written")


def test_a_policy_changes_the_plan(book: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """A team whose calls start at 11:00 gets its first calls at 11:00 local."""
    policy = tmp_path / "team.json"
    policy.write_text(
        json.dumps({"call_slots": [{"name": "late", "start": "11:00", "end": "16:00"}]})
    )
    result = runner.invoke(
        app, ["plan", str(book), *ARGS, "--capacity", "5", "-f", "csv", "--policy", str(policy)]
    )
    assert result.exit_code == 0, result.output
    starts = {r["local_start"][11:16] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert starts == {"11:00"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40", 40),
        ("ana=30, ben=20", {"ana": 30, "ben": 20}),
        ("phone=4,email=10", {"phone": 4, "email": 10}),
        ("ana:phone=3,ana=10", {("ana", "phone"): 3, "ana": 10}),
    ],
)
def test_capacity_syntax(text: str, expected: object) -> None:
    assert parse_capacity(text) == expected


_CELL = st.one_of(
    st.sampled_from(["", "UTC", "America/Chicago", "Mars/Olympus", "US", "fl", "ana", "{}", "[1]"]),
    st.text(max_size=12),
    st.builds(lambda: '{"id": "x", "timezone": "UTC", "enrolled_at": "2026-03-09T00:00:00Z"}'),
)
_CSV = st.tuples(
    st.lists(st.sampled_from([*BOOK_COLUMNS, "Owner", ""]), min_size=1, max_size=5),
    st.lists(st.lists(_CELL, max_size=6), max_size=4),
).map(
    lambda t: "\n".join(
        [",".join(t[0]), *(",".join(json.dumps(c) if "," in c else c for c in r) for r in t[1])]
    ).encode()
)


@given(
    content=st.one_of(_CSV, st.binary(max_size=120), st.text(max_size=120).map(str.encode)),
    suffix=st.sampled_from([".csv", ".jsonl"]),
)
def test_book_readers_raise_only_clear_one_line_errors(content: bytes, suffix: str) -> None:
    """Whatever the file holds, reading a book yields prospects or raises one
    ``InvalidInputError`` whose message is a single line naming the file."""
    engine = cadence.Engine()
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / f"book{suffix}"
        path.write_bytes(content)
        try:
            for p in read_book(path, engine=engine, now=NOW):
                assert isinstance(p, cadence.Prospect)
        except InvalidInputError as exc:
            message = str(exc)
            assert message.startswith(str(path))
            assert "\n" not in message
            assert "\r" not in message


_BOM = "\ufeff"  # what Notepad and Excel put first in a file saved as "UTF-8"


def test_a_suppression_file_saved_with_a_bom_still_suppresses_its_first_entry(
    book: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """R13: a do-not-call list saved by Excel starts with a byte order mark; its first entry
    is suppressed all the same (it was read as "\\ufeff+12125550102", matching nothing)."""
    blocked = tmp_path / "suppress.txt"
    blocked.write_text(_BOM + "+12125550102\nacme-3\n", encoding="utf-8")
    assert read_suppressions(blocked) == {"+12125550102", "acme-3"}
    result = runner.invoke(
        app, ["plan", str(book), *ARGS, "-f", "csv", "--capacity", "5", "--suppress", str(blocked)]
    )
    assert result.exit_code == 0, result.output
    planned = [r["prospect_id"] for r in csv.DictReader(io.StringIO(result.stdout))]
    assert planned == ["acme-1", "acme-4"]
    assert "2 suppressed" in result.stderr


def test_books_saved_with_a_bom_are_read_as_without(
    book: pathlib.Path, stored: pathlib.Path, engine: cadence.Engine
) -> None:
    """A CSV or JSONL book saved with a byte order mark reads as the same book without it
    (a CSV one was refused: "unknown columns ['\\ufeffid']")."""
    for path in (book, stored):
        plain = list(read_book(path, engine=engine, now=NOW))
        path.write_text(_BOM + path.read_text(encoding="utf-8"), encoding="utf-8")
        assert list(read_book(path, engine=engine, now=NOW)) == plain
        result = runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"])
        assert result.exit_code == 0, result.output


def test_a_book_of_an_unknown_format_is_named_before_the_day(tmp_path: pathlib.Path) -> None:
    """docs/cli.md's example: an Excel book is refused for its format, whatever the clock
    says of --day (a day already over by the clock was reported first), listing every
    format the command reads, Parquet included."""
    xlsx = tmp_path / "book.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    for day in ("2000-01-03", DAY):
        result = runner.invoke(app, ["plan", str(xlsx), "--day", day, "--capacity", "5"])
        _one_line_error(
            result,
            f"error: {xlsx}: unknown book format '.xlsx'; use a file ending in "
            ".csv, .jsonl, .ndjson, .parquet",
        )


@pytest.mark.parametrize(
    ("lines", "suppressed"),
    [
        ("id,phone,email\nx1,+12125550102,dana@acme.test\n", 2),  # an export saved as CSV
        ("x1;+1 212 555 0102;\nacme-9;;DANA@acme.test\n", 2),  # Excel's ";" (Europe)
        ("x1\t(212) 555-0102\n", 1),  # tab-separated
        ('"+12125550102"\n" dana@acme.test "\n', 2),  # every cell quoted
        ('"acme,1"\n', 0),  # one quoted id: only itself (the book has "acme-1")
        ("+13125550101,,5\n", 1),  # a number with a dial pause is that number alone
    ],
)
def test_r13_a_suppression_file_written_as_a_spreadsheets_rows_suppresses_each_cell(
    book: pathlib.Path, tmp_path: pathlib.Path, lines: str, suppressed: int
) -> None:
    """An opt-out export saved as CSV has several cells a line, or quoted cells: each line was
    one entry (``x1,+12125550102,dana@acme.test``), which matched no contact, and the
    contacts it names were planned. Each cell is an entry too now, unquoted and trimmed."""
    blocked = tmp_path / "suppress.txt"
    blocked.write_text(lines, encoding="utf-8")
    result = runner.invoke(
        app, ["plan", str(book), *ARGS, "-f", "csv", "--capacity", "5", "--suppress", str(blocked)]
    )
    assert result.exit_code == 0, result.output
    assert f"{suppressed} suppressed" in result.stderr
    if lines.startswith("+1312"):
        assert read_suppressions(blocked) == {"+13125550101,,5"}


def test_rep_hours_keep_a_reps_calls_inside_their_day(book: pathlib.Path) -> None:
    """Ben works 08:00-17:00 in Chicago: his Paris call moves from 10:00 (03:00 his time) to
    14:00 Paris, his 08:00; his Los Angeles call stays at 09:00; Ana has no hours given. The
    same as plan_day given the same hours."""
    options = ["-f", "jsonl", "--capacity", "5", "--rep-hours", "ben=America/Chicago 08:00-17:00"]
    result = runner.invoke(app, ["plan", str(book), *ARGS, *options])
    assert result.exit_code == 0, result.output
    touches = [PlannedTouch.model_validate_json(line) for line in result.stdout.splitlines()]
    got = {t.prospect_id: f"{t.local_start:%H:%M}" for t in touches}
    assert got == {"acme-1": "09:00", "acme-2": "09:00", "acme-3": "14:00", "acme-4": "09:00"}
    engine = cadence.Engine()
    prospects = read_book(book, engine=engine, now=NOW)
    hours = {"ben": RepHours(timezone="America/Chicago", windows=["08:00-17:00"])}
    direct = plan_day(
        engine, prospects, day=date(2026, 3, 10), now=NOW, capacity=5, rep_hours=hours
    )
    assert list(direct.touches) == touches


def test_rep_hours_with_breaks_days_off_and_several_reps(book: pathlib.Path) -> None:
    """Two reps: Ana off on Tuesdays (her touches deferred, said why), Ben with a break."""
    options = [
        "-f",
        "csv",
        "--capacity",
        "5",
        "--rep-hours",
        "ana=America/Chicago 08:00-17:00 1011100",
        "--rep-hours",
        "ben=Europe/Paris 09:00-12:00,18:00-24:00",
    ]
    result = runner.invoke(app, ["plan", str(book), *ARGS, *options])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["owner"], r["prospect_id"], r["local_start"][11:16]) for r in rows] == [
        ("ben", "acme-3", "10:00"),
        ("ben", "acme-4", "10:00"),
    ]
    assert "2 deferred (outside the rep's hours)" in result.stderr


@pytest.mark.parametrize(
    ("value", "needles"),
    [
        ("ana", ("--rep-hours: 'ana' is not a rep's hours", "owner=ZONE")),
        ("ana=America/Chicago", ("is not a rep's hours", "e.g. 'ana=America/Chicago 08:00-17:00'")),
        ("ana=Mars/Base 08:00-17:00", ("'Mars/Base' is not an IANA zone name",)),
        ("ana=UTC 17:00-08:00", ("ends before it starts", "split it")),
        ("ana=UTC 8-5", ("'8-5' is not a working window", "HH:MM-HH:MM")),
        ("ana=UTC 08:00-17:00 11111", ("weekmask '11111' must be 7 characters",)),
    ],
)
def test_bad_rep_hours_are_one_line_and_exit_2(
    book: pathlib.Path, value: str, needles: tuple[str, ...]
) -> None:
    result = runner.invoke(app, ["plan", str(book), *ARGS, "--capacity", "5", "--rep-hours", value])
    _one_line_error(result, *needles)


def test_a_reps_hours_given_twice_are_refused(book: pathlib.Path) -> None:
    twice = ["--rep-hours", "ana=UTC 08:00-17:00", "--rep-hours", "ana=UTC 09:00-10:00"]
    result = runner.invoke(app, ["plan", str(book), *ARGS, "--capacity", "5", *twice])
    _one_line_error(result, "--rep-hours: 'ana' is given twice")


_SESSION = re.compile(r"```console\n(.*?)```", re.S)


def _sessions(page: str) -> list[tuple[list[str], list[str]]]:
    """The ``$ cadence ...`` commands of a page's console blocks with the lines each shows,
    continuation lines joined; a ``$ cat FILE`` shows a file the commands after it read."""
    runs: list[tuple[list[str], list[str]]] = []
    for block in _SESSION.findall(page):
        lines = iter(block.splitlines())
        for line in lines:
            if line.startswith("$ "):
                command = line[2:].split("  #")[0]
                while command.endswith("\\"):
                    command = command[:-1] + next(lines).strip()
                runs.append((shlex.split(command), []))
            elif runs:
                runs[-1][1].append(line.rstrip())
    return runs


def test_the_cli_pages_plan_sessions_print_what_they_show(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md's ``cadence plan`` sessions, run on the page's own book, print what the
    page shows (the first showed one of Ana's calls where ``ana=2`` plans both, and did not
    say what suppress.txt held). A session whose output names the clock's time is skipped."""
    page = (pathlib.Path(__file__).parent.parent / "docs" / "cli.md").read_text()
    section = page.split("## Tomorrow's call list", 1)[1].split("\n## ", 1)[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "book.csv").write_text(section.split("```csv\n", 1)[1].split("```", 1)[0])
    ran = 0
    for argv, shown in _sessions(section):
        if argv[0] == "cat":
            (tmp_path / argv[1]).write_text("".join(line + "\n" for line in shown))
            continue
        if any("by the clock" in line for line in shown):
            continue
        assert argv[:2] == ["cadence", "plan"], argv
        result = runner.invoke(app, argv[1:])
        printed = [line.rstrip() for line in result.output.splitlines()]
        assert printed == shown, (argv, result.output)
        ran += 1
    assert ran >= 4


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl", "ics"])
def test_out_dash_is_standard_output(
    book: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """``--out -`` is standard output, as for most tools that write files (it wrote a file
    named ``-`` in the working directory, and printed nothing)."""
    monkeypatch.chdir(tmp_path)
    args = ["plan", str(book), *ARGS, "--capacity", "5", "-f", fmt]
    to_stdout = runner.invoke(app, args)
    dashed = runner.invoke(app, [*args, "--out", "-"])
    assert dashed.exit_code == 0, dashed.output
    assert not (tmp_path / "-").exists()
    assert dashed.stdout == to_stdout.stdout
    assert "acme-3" in dashed.stdout


@pytest.mark.parametrize(
    ("name", "needles"),
    [
        ("book.csv", ("book.csv:4: id: 'x' appears twice", "line 2")),
        ("book.jsonl", ("book.jsonl:4: id: 'x' appears twice", "line 2")),
        ("book.parquet", ("book.parquet: row 3: id: 'x' appears twice", "row 1")),
    ],
)
def test_a_prospect_listed_twice_is_named_by_both_its_lines(
    tmp_path: pathlib.Path, engine: cadence.Engine, name: str, needles: tuple[str, ...]
) -> None:
    """A book of thousands of rows that lists a prospect twice says where: the error named
    the id alone, and the export had to be searched for it."""
    ids = ["x", "y", "x"]
    path = tmp_path / name
    states = [engine.enroll(i, timezone="America/Chicago", at=NOW) for i in ids]
    if name.endswith(".csv"):
        path.write_text("id,timezone\n" + "".join(f"{i},UTC\n" for i in ids))
    elif name.endswith(".jsonl"):
        path.write_text("\n".join(["", *(p.model_dump_json() for p in states)]) + "\n")
    else:
        pq.write_table(to_table(states), path)
    result = runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"])
    _one_line_error(result, *needles)


def test_rows_of_empty_cells_are_skipped_as_blank_lines_are(
    tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    """Excel saves rows it once formatted as rows of empty cells (``,,,``) after the last
    prospect; they hold no prospect and are skipped, as blank lines are (the book was refused:
    "id: is empty"). A row with any cell filled is still read, and refused without its id."""
    path = tmp_path / "book.csv"
    path.write_text(HEADER + ROWS + ",,,,,,,\n , ,,,,,,\n\n,,,,,,,\r\n")
    plain = tmp_path / "plain.csv"
    plain.write_text(HEADER + ROWS)
    assert list(read_book(path, engine=engine, now=NOW)) == list(
        read_book(plain, engine=engine, now=NOW)
    )
    result = runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"])
    assert result.exit_code == 0, result.output
    path.write_text(HEADER + ROWS + ",,,,,,,\n,,,,ana,,,\n")
    _one_line_error(
        runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"]), "book.csv:7", "id"
    )


_EXCEL_WESTERN = "cp1252"  # what Excel's plain "CSV (Comma delimited)" writes in the West


@pytest.mark.parametrize("option", ["book", "--suppress", "--policy"])
def test_a_file_not_in_utf8_is_named_by_the_line_that_is_not(
    book: pathlib.Path, tmp_path: pathlib.Path, option: str
) -> None:
    """An export saved as Windows-1252 (Excel's plain CSV) that is UTF-8 up to one accented
    name, deep in the file: the error names that line and what is on it, so that the one row
    can be found and the file saved again (it named the file alone)."""
    lines, number = {
        "book": (["id,timezone,owner", "a,UTC,ana", "b,UTC,ana", "c,UTC,Renée"], 4),
        "--suppress": (["# opted out", "x@acme.test", "Zoë@acme.test", "y@acme.test"], 3),
        "--policy": (["{", '  "weekmask": "1111100",', '  "team": "équipe"', "}"], 3),
    }[option]
    bad = tmp_path / ("bad.csv" if option == "book" else "bad.json")
    bad.write_bytes("\n".join(lines).encode(_EXCEL_WESTERN) + b"\n")
    where = f"{bad}:{number}"
    args = [str(bad)] if option == "book" else [str(book), option, str(bad)]
    result = runner.invoke(app, ["plan", *args, *ARGS, "--capacity", "5"])
    _one_line_error(result, f"{where}: not UTF-8 text", "save it as UTF-8")


def test_a_utf16_file_is_named_as_such(tmp_path: pathlib.Path) -> None:
    """Excel's "Unicode Text" and PowerShell's ``>`` write UTF-16: said so, not "not UTF-8"
    at some line of what is text in another encoding."""
    bad = tmp_path / "book.csv"
    bad.write_bytes((HEADER + ROWS).encode("utf-16"))
    result = runner.invoke(app, ["plan", str(bad), *ARGS, "--capacity", "5"])
    _one_line_error(result, f"{bad}: UTF-16 text", "save it as UTF-8")


@pytest.mark.parametrize("fmt", ["table", "csv", "ics"])
def test_the_plan_is_never_written_over_the_files_it_reads(
    book: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """``--out book.csv`` (a slip for ``plan.csv``), or the suppression list, replaced the
    CRM's export, or the do-not-call list, with the plan: refused, and both left as they were."""
    blocked = tmp_path / "suppress.txt"
    blocked.write_text("+13105550104\n")
    monkeypatch.chdir(tmp_path)
    for target, spelt in ((book, "book.csv"), (blocked, "./suppress.txt")):
        before = target.read_bytes()
        options = ["--suppress", str(blocked), "-f", fmt, "--out", spelt]
        result = runner.invoke(app, ["plan", str(book), *ARGS, "--capacity", "5", *options])
        _one_line_error(result, f"--out: {pathlib.Path(spelt)} is the", "to another file")
        assert target.read_bytes() == before


def test_nameless_empty_columns_are_skipped_and_a_filled_one_is_refused(
    tmp_path: pathlib.Path, engine: cadence.Engine
) -> None:
    """Excel saves the columns it once formatted right of the last one as nameless, empty
    columns (``id,timezone,,``): they hold nothing and are skipped (the book was refused as
    having "unknown columns ['', '']"). A cell with text under a column without a name is
    refused at its line: dropping it unseen is what refusing unknown columns prevents."""
    path = tmp_path / "book.csv"
    path.write_text("".join(line.rstrip("\n") + ",,\n" for line in (HEADER + ROWS).splitlines()))
    plain = tmp_path / "plain.csv"
    plain.write_text(HEADER + ROWS)
    assert list(read_book(path, engine=engine, now=NOW)) == list(
        read_book(plain, engine=engine, now=NOW)
    )
    assert runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"]).exit_code == 0
    path.write_text("id,,timezone,\nx,,UTC,\ny,,UTC,do not call\n")
    _one_line_error(
        runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"]),
        "book.csv:3: column 4 has no name but holds 'do not call'",
        "name the column",
    )


def test_r13_every_suppression_list_given_is_honoured(
    book: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """``--suppress phones.txt --suppress emails.txt`` (two opt-out lists, as two systems
    keep them) read the last list only: the contacts on the first were planned."""
    phones, emails = tmp_path / "phones.txt", tmp_path / "emails.txt"
    phones.write_text("+13105550104\n")
    emails.write_text("zoe@acme.test\n")
    options = ["--suppress", str(phones), "--suppress", str(emails), "-f", "csv"]
    result = runner.invoke(app, ["plan", str(book), *ARGS, "--capacity", "5", *options])
    assert result.exit_code == 0, result.output
    planned = [r["prospect_id"] for r in csv.DictReader(io.StringIO(result.stdout))]
    assert sorted(planned) == ["acme-1", "acme-2"]
    assert "2 suppressed" in result.stderr


@pytest.mark.parametrize("text", ["ana=5,ana=0", "ana:phone=2, ana : phone=3", "email=1,email=2"])
def test_a_capacity_given_twice_is_refused(text: str) -> None:
    """``ana=5,ana=0`` kept the last without a word (Ana's whole day deferred)."""
    result = runner.invoke(app, ["plan", "book.csv", *ARGS, "--capacity", text])
    _one_line_error(result, "--capacity:", "given twice", "give each once")


@pytest.mark.parametrize(
    ("line", "kind"),
    [("null", "null"), ("[1, 2]", "an array"), ('"acme-1"', "a string"), ("42", "a number")],
)
def test_a_line_that_is_no_object_is_named_in_json_words(
    tmp_path: pathlib.Path, line: str, kind: str
) -> None:
    """A JSONL line of ``null`` said "got NoneType" (and ``[1, 2]`` "got list"): Python's
    names, not what the file holds."""
    path = tmp_path / "book.jsonl"
    path.write_text(line + "\n")
    result = runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"])
    _one_line_error(result, f"book.jsonl:1: expected a JSON object, got {kind}")
    path = tmp_path / "book.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["id", "state"], ["x", line]])
    result = runner.invoke(app, ["plan", str(path), *ARGS, "--capacity", "5"])
    _one_line_error(result, f"book.csv:2: column state: expected a JSON object, got {kind}")


def test_reps_named_who_own_no_prospect_are_noted(book: pathlib.Path) -> None:
    """``Ana`` for ``ana``: the real Ana got no capacity (what is not named gets 0) and her
    day was deferred without a word; hours for a misspelt rep were ignored. A rep with nothing
    in this book is no error (one team's settings, several books): a note, and the plan."""
    options = ["--capacity", "Ana=5,ben=5,zed:email=2", "--rep-hours", "bob=UTC 08:00-17:00"]
    result = runner.invoke(app, ["plan", str(book), *ARGS, "-f", "csv", *options])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    owners = "(its owners: 'ana', 'ben')"
    assert notes == [
        f"note: --capacity names 'Ana', who owns no prospect in the book {owners}",
        f"note: --capacity names 'zed', who owns no prospect in the book {owners}",
        f"note: --rep-hours names 'bob', who owns no prospect in the book {owners}",
    ]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["owner"] for r in rows} == {"ben"}  # (Ana's touches deferred: no capacity)
    fine = runner.invoke(
        app, ["plan", str(book), *ARGS, "-f", "csv", "--capacity", "ana=5,phone=1"]
    )
    assert fine.exit_code == 0, fine.output
    assert "note:" not in fine.stderr
