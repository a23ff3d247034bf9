"""Reading cadence's inputs from files and writing plans (an edge: the core never imports this).

Every reader raises :class:`cadence.errors.InvalidInputError` naming the file, the line and the
field, never ``OSError``, ``JSONDecodeError``, ``csv.Error`` or ``UnicodeDecodeError``, so that a
command line or a batch job can report one clear line.

A *book* (the prospects a team works) is read by :func:`read_book`, which picks a reader by the
file's suffix (:data:`BOOK_FORMATS`): JSONL holds one stored ``Prospect`` state per line; CSV has
the columns of :data:`BOOK_COLUMNS`, one prospect per row; Parquet (the ``batch`` extra) is a
table written by ``cadence.batch.to_table``, whose ``state`` column is read.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cadence._files_settings import settings
from cadence._files_text import json_kind, not_utf8, open_text, parse_json, read_text, validated
from cadence._suppression import phone_entry
from cadence.batch import DayPlan
from cadence.businessdays import subdivision_code
from cadence.engine import Engine
from cadence.errors import CadenceError, InvalidInputError
from cadence.events import Event, parse_event
from cadence.policy import Policy
from cadence.prospect import Prospect

if TYPE_CHECKING:
    from cadence.simulation import Responder

__all__ = [
    "BOOK_COLUMNS",
    "BOOK_FORMATS",
    "PLAN_COLUMNS",
    "book_format",
    "read_book",
    "read_events",
    "read_policy",
    "read_prospect",
    "read_responder",
    "read_suppressions",
    "write_plan_csv",
    "write_plan_jsonl",
]


def read_prospect(path: str | Path) -> Prospect:
    """A stored prospect state (the JSON ``Prospect.model_dump_json`` writes)."""
    where = str(path)
    result: Prospect = validated(Prospect, parse_json(read_text(path), where), where)
    return result


def read_policy(path: str | Path) -> Policy:
    """A policy from JSON, or from YAML (``.yaml``/``.yml``, needs PyYAML)."""
    result: Policy = validated(Policy, settings(path, "policies"), str(path))
    return result


def read_responder(path: str | Path) -> Responder:
    """A simulation's responder model (``cadence.simulation.Responder``: the probabilities
    by name, e.g. ``{"answer_rate": 0.2, "bad_email_rate": 0.1}``; a probability not given is
    0) from JSON, or from YAML (``.yaml``/``.yml``, needs PyYAML)."""
    from cadence.simulation import Responder  # loaded by the simulation's own command only

    result: Responder = validated(Responder, settings(path, "responders"), str(path))
    return result


def read_events(path: str | Path) -> list[Event]:
    """Events, one JSON object per line (JSONL); blank lines are skipped."""
    return [event for _, event in _read_events_where(path)]


def _read_events_where(path: str | Path) -> list[tuple[str, Event]]:
    """:func:`read_events`, each event with where it was read (``path:line``), for naming
    the line when applying it fails (an event older than the state's last one)."""
    out: list[tuple[str, Event]] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        data = parse_json(line, where)
        try:
            out.append((where, parse_event(data)))
        except CadenceError as exc:
            raise InvalidInputError(f"{where}: {exc}", field=exc.field, value=exc.value) from None
    return out


#: The CSV book's columns, read in any case (``Timezone`` is ``timezone``). ``id`` is required;
#: ``timezone`` too unless the row has a ``state`` (a stored ``Prospect`` JSON), whose fields
#: the other non-empty columns then update (the CRM's record wins: a new owner, a corrected
#: phone number). Rows without a state are new prospects, enrolled at the planning time.
BOOK_COLUMNS: tuple[str, ...] = (
    "id",
    "timezone",
    "country",
    "subdivision",
    "owner",
    "phone",
    "email",
    "topic",
    "state",
)
_DETAILS = BOOK_COLUMNS[1:-1]

#: A text book's reader: each prospect with the line its row ends on.
BookReader = Callable[[TextIO, str, Engine, datetime], Iterator[tuple[int, Prospect]]]


def _checked(p: Prospect, engine: Engine, where: str) -> Prospect:
    """Fail here, naming the line, on a zone or region the engine cannot use."""
    try:
        engine.calendar(p)
    except CadenceError as exc:
        raise InvalidInputError(f"{where}: {exc}", field=exc.field, value=exc.value) from None
    return p


def _jsonl_book(
    handle: TextIO, name: str, engine: Engine, now: datetime
) -> Iterator[tuple[int, Prospect]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        yield number, _checked(validated(Prospect, parse_json(line, where), where), engine, where)


def _csv_row(row: dict[str, str], where: str, engine: Engine, now: datetime) -> Prospect:
    cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
    if None in row:
        msg = f"{where}: more cells than columns; quote cells that contain commas"
        raise InvalidInputError(msg, field="csv", value=None)
    given = {k: cells[k] for k in _DETAILS if cells.get(k)}
    if cells.get("state"):
        data = parse_json(cells["state"], f"{where}: column state")
        if not isinstance(data, dict):
            msg = f"{where}: column state: expected a JSON object, got {json_kind(data)}"
            raise InvalidInputError(msg, field="state", value=None)
        # The codes spelt as Engine.enroll spells them ("nl", "noord": NL, Noord)
        if "country" in given:
            given["country"] = given["country"].upper()
        if "subdivision" in given:
            country = given.get("country", data.get("country"))
            given["subdivision"] = subdivision_code(country, given["subdivision"])
        if cells.get("id") and cells["id"] != data.get("id"):
            msg = (
                f"{where}: id: column {cells['id']!r} differs from the state's "
                f"{data.get('id')!r}; fix the export"
            )
            raise InvalidInputError(msg, field="id", value=cells["id"])
        result: Prospect = validated(Prospect, {**data, **given}, where)
        return result
    if not cells.get("id"):
        msg = f"{where}: id: is empty; every row needs the prospect's id"
        raise InvalidInputError(msg, field="id", value="")
    if "timezone" not in given:
        msg = f"{where}: timezone: is empty; give an IANA zone such as 'America/Chicago' or a state"
        raise InvalidInputError(msg, field="timezone", value="")
    try:
        return engine.enroll(
            cells["id"],
            at=now,
            timezone=given["timezone"],
            country=given.get("country"),
            subdivision=given.get("subdivision"),
            owner=given.get("owner"),
            phone=given.get("phone"),
            email=given.get("email"),
            topic=given.get("topic"),
        )
    except CadenceError as exc:
        raise InvalidInputError(f"{where}: {exc}", field=exc.field, value=exc.value) from None


def _csv_book(
    handle: TextIO, name: str, engine: Engine, now: datetime
) -> Iterator[tuple[int, Prospect]]:
    # strict: a quote opened and never closed is an error, not a cell that swallows every
    # row after it (those prospects were silently never planned)
    reader = csv.DictReader(handle, strict=True)
    try:
        header = [h.strip() for h in reader.fieldnames or ()]
    except csv.Error as exc:  # the first line, read here
        raise _bad_csv(name, reader, exc, 1) from None
    if not header:
        if reader.line_num == 0:
            msg = f"{name}: empty; the first line names the columns, e.g. id,timezone,owner"
        else:
            msg = (
                f"{name}:1: blank line where the header should be; the first line names the "
                "columns, e.g. id,timezone,owner: remove the blank lines above them"
            )
        raise InvalidInputError(msg, field="csv", value=None)
    # A column without a name (Excel's formatted columns right of the last: "id,timezone,,")
    # is read under a name no column has, and must stay empty (see _nameless)
    header = [h or f"{_NAMELESS}{i + 1}" for i, h in enumerate(header)]
    # A CRM's export capitalises its headers ("Id", "Timezone", "OWNER"): a column is known by
    # its name in any case (two that differ only in case are the same column, refused below)
    header = [h.lower() if h.lower() in BOOK_COLUMNS else h for h in header]
    unknown = [h for h in header if h not in BOOK_COLUMNS and not h.startswith(_NAMELESS)]
    if unknown:
        msg = f"{name}: unknown columns {unknown!r}; use {', '.join(BOOK_COLUMNS)}"
        other = next((sep for sep in ";\t|" if any(sep in h for h in unknown)), None)
        if len(header) == 1 and other is not None:  # Excel in much of Europe writes ';'
            msg += (
                f", separated by commas (the header is separated by {other!r}: save it as "
                "CSV, comma delimited)"
            )
        raise InvalidInputError(msg, field="csv", value=unknown)
    twice = next((h for i, h in enumerate(header) if h in header[:i]), None)
    if twice is not None:  # DictReader would keep the last cell and drop the other unseen
        msg = (
            f"{name}:1: column {twice!r} appears twice (names are read in any case); a "
            f"prospect has one {twice}: keep the "
            "column to plan with and remove the other"
        )
        raise InvalidInputError(msg, field="csv", value=twice)
    if "id" not in header or ("timezone" not in header and "state" not in header):
        named = [h for h in header if not h.startswith(_NAMELESS)]
        msg = f"{name}: needs an id column and a timezone or state column; it has {named!r}"
        raise InvalidInputError(msg, field="csv", value=named)
    reader.fieldnames = header
    start = reader.line_num + 1  # the line the next row starts on (a quoted cell may span lines)
    try:
        for row in reader:
            number = reader.line_num
            if any(value and ("\n" in value or "\r" in value) for value in row.values()):
                # No book field holds a line break: a quote opened in one row and closed in a
                # later one made one cell of the rows between (they were silently lost).
                msg = (
                    f"{name}:{start}: a cell runs from this line to line {number} (a quote "
                    "opened in one row and closed in a later one?); no column of a book holds "
                    'a line break: close the quote, or write a quote inside a cell as ""'
                )
                raise InvalidInputError(msg, field="csv", value=None)
            _nameless(row, f"{name}:{number}")
            if not any(_filled(value) for value in row.values()):
                start = number + 1  # a row of empty cells: Excel's formatted rows after the last
                continue
            p = _csv_row(row, f"{name}:{number}", engine, now)
            yield number, _checked(p, engine, f"{name}:{number}")
            start = number + 1
    except csv.Error as exc:
        raise _bad_csv(name, reader, exc, start) from None


#: What a CSV book's column without a name is read as, before its number (from 1).
_NAMELESS = "\x00column "


def _nameless(row: dict[str, str], where: str) -> None:
    """Refuse text in a column without a name: dropped, it would be lost unseen."""
    for key, value in row.items():
        if key is not None and key.startswith(_NAMELESS) and value and value.strip():
            number = key.removeprefix(_NAMELESS)
            msg = (
                f"{where}: column {number} has no name but holds {value.strip()!r}; name the "
                f"column (one of {', '.join(BOOK_COLUMNS)}) or remove it"
            )
            raise InvalidInputError(msg, field="csv", value=value)


def _filled(value: str | list[str] | None) -> bool:
    """Whether a DictReader cell (a list of them past the header's columns) holds text."""
    if isinstance(value, list):
        return any(cell.strip() for cell in value)
    return bool(value and value.strip())


def _bad_csv(
    name: str, reader: csv.DictReader[str], exc: csv.Error, start: int
) -> InvalidInputError:
    if str(exc) == "unexpected end of data":  # strict mode, at the end of the file
        msg = (
            f"{name}:{start}: not valid CSV (the row starting here opens a quote it never "
            'closes; close it, or write a quote inside a quoted cell as "")'
        )
    else:
        # The csv module's own line count: DictReader's moves only once a row is read whole,
        # so it would name the line before the bad one.
        msg = f"{name}:{reader.reader.line_num}: not valid CSV ({exc})"
    return InvalidInputError(msg, field="csv", value=None)


def _parquet_book(path: str | Path, name: str, engine: Engine) -> Iterator[tuple[int, Prospect]]:
    """A book written by ``cadence.batch.to_table`` (the ``batch`` extra), streamed one row
    group at a time; only its ``state`` column is read."""
    try:
        import pyarrow as pa  # the batch extra: only when a Parquet book is read
        import pyarrow.parquet as pq
    except ImportError:
        msg = f"{name}: reading Parquet needs pyarrow; pip install 'cadence[batch]'"
        raise InvalidInputError(msg, field="path", value=name) from None
    open_text(path).close()  # the same one-line errors as the text formats for a bad path
    try:
        parquet = pq.ParquetFile(path)
        if "state" not in parquet.schema_arrow.names:
            msg = (
                f"{name}: has no 'state' column; write Parquet books with "
                "cadence.batch.to_table(prospects)"
            )
            raise InvalidInputError(msg, field="state", value=name)
        kind = parquet.schema_arrow.field("state").type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or _binary(kind)):
            msg = (
                f"{name}: state: the column holds {kind}, not the prospects' JSON text; write "
                "Parquet books with cadence.batch.to_table(prospects)"
            )
            raise InvalidInputError(msg, field="state", value=str(kind))
        row = 0
        for batch in parquet.iter_batches(columns=["state"]):
            for state in batch.column(0).to_pylist():
                row += 1
                where = f"{name}: row {row}"
                p = validated(Prospect, parse_json(_state_text(state, where), where), where)
                yield row, _checked(p, engine, where)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        if isinstance(exc, InvalidInputError):
            raise
        msg = f"{name}: not a readable Parquet file ({exc})"
        raise InvalidInputError(msg, field="path", value=name) from None


def _binary(kind: Any) -> bool:
    """Whether an Arrow type is binary: text some Parquet writers store without saying it is
    UTF-8 (Spark and Hive jobs, by a setting)."""
    import pyarrow as pa

    return bool(pa.types.is_binary(kind) or pa.types.is_large_binary(kind))


def _state_text(state: str | bytes | None, where: str) -> str:
    """A Parquet book's ``state`` cell as JSON text (binary decoded as UTF-8)."""
    if state is None:
        msg = (
            f"{where}: state: is empty; every row holds a stored prospect's JSON (as "
            "cadence.batch.to_table writes it)"
        )
        raise InvalidInputError(msg, field="state", value=None)
    if isinstance(state, bytes):
        try:
            return state.decode("utf-8")
        except UnicodeDecodeError:
            msg = f"{where}: state: not UTF-8 text; write the prospect's JSON as UTF-8"
            raise InvalidInputError(msg, field="state", value=None) from None
    return state


#: Book readers by file suffix.
BOOK_FORMATS: dict[str, BookReader] = {
    ".jsonl": _jsonl_book,
    ".ndjson": _jsonl_book,
    ".csv": _csv_book,
}


def book_format(path: str | Path) -> str:
    """The book format of ``path``, by its suffix (lower case: ``".csv"``, ``".jsonl"``,
    ``".ndjson"`` or ``".parquet"``); any other is an :class:`InvalidInputError` listing them.
    Nothing is read: a command can refuse a book before it looks at anything else."""
    suffix = Path(path).suffix.lower()
    if suffix != ".parquet" and suffix not in BOOK_FORMATS:
        known = ", ".join([*sorted(BOOK_FORMATS), ".parquet"])
        msg = f"{path}: unknown book format {Path(path).suffix!r}; use a file ending in {known}"
        raise InvalidInputError(msg, field="path", value=str(path))
    return suffix


def read_book(path: str | Path, *, engine: Engine, now: datetime) -> Iterator[Prospect]:
    """The prospects of a book file, streamed (one row in memory at a time), in file order.

    The reader is chosen by suffix (:data:`BOOK_FORMATS`). CSV rows without a ``state`` are
    enrolled with ``engine`` at ``now``. A prospect id seen twice is an error: a book lists each
    prospect once.
    """
    name = str(path)
    suffix = book_format(path)
    if suffix == ".parquet":
        return _unique(_parquet_book(path, name, engine), name, "row")
    reader = BOOK_FORMATS[suffix]
    handle = open_text(path, newline="")
    return _unique(_decoded(reader(handle, name, engine, now), handle, name), name, "line")


def _decoded(
    rows: Iterator[tuple[int, Prospect]], handle: TextIO, name: str
) -> Iterator[tuple[int, Prospect]]:
    with handle:
        try:
            yield from rows
        except UnicodeDecodeError:
            raise not_utf8(name) from None


def _unique(rows: Iterator[tuple[int, Prospect]], name: str, unit: str) -> Iterator[Prospect]:
    """The prospects of ``rows``, each with the ``unit`` ("line" or "row") it was read on; a
    prospect listed twice is an error naming both places (a long export is not searched)."""
    first: dict[str, int] = {}
    for number, p in rows:
        if p.id in first:
            where = f"{name}:{number}" if unit == "line" else f"{name}: row {number}"
            msg = (
                f"{where}: id: {p.id!r} appears twice (first on {unit} {first[p.id]}); list "
                "each prospect once"
            )
            raise InvalidInputError(msg, field="id", value=p.id)
        first[p.id] = number
        yield p


def read_suppressions(path: str | Path) -> frozenset[str]:
    """Prospect ids, phone numbers or emails never to plan (R13), one per line; blank lines
    and lines starting with ``#`` are skipped, and each line is trimmed. Ids match exactly,
    numbers and emails however the book writes them (``cadence._suppression``).

    A line that is a spreadsheet's row rather than one entry (an opt-out export saved as CSV:
    ``p7,+13125550104,dana@acme.test``, cells separated by ``,``, ``;`` or a tab, or one cell
    in quotes, ``"+13125550104"``) suppresses each of its cells too, unquoted and trimmed,
    besides the line as written: read as one entry it matched nothing, and the contacts it
    names were planned. A line that is a phone number with its extension
    (``+13125550104,,5``) is that number alone."""
    found: set[str] = set()
    for line in read_text(path).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        found.add(line)
        if phone_entry(line) is None:
            found.update(_cells(line))
    return frozenset(found)


#: What separates the cells of a spreadsheet's row saved as text (Excel writes ";" where the
#: decimal sign is a comma).
_CELL_SEPARATORS = ",;\t"


def _cells(line: str) -> set[str]:
    """The cells of ``line`` read as a row of CSV with each separator it holds (a comma when
    it holds none but a quote), unquoted and trimmed; none for a line without either."""
    separators = [sep for sep in _CELL_SEPARATORS if sep in line]
    if not separators and '"' in line:
        separators = [","]
    cells: set[str] = set()
    for sep in separators:
        try:
            for row in csv.reader([line], delimiter=sep):
                cells.update(cell.strip() for cell in row)
        except csv.Error:  # (a cell over the csv module's limit: the line as written stays)
            continue
    cells.discard("")
    return cells


#: The columns :func:`write_plan_csv` writes, one row per planned touch.
PLAN_COLUMNS: tuple[str, ...] = (
    "owner",
    "local_start",
    "local_end",
    "timezone",
    "prospect_id",
    "kind",
    "also",
    "channel",
    "rules",
    "reason",
    "subject",
    "talking_points",
    "start_utc",
    "end_utc",
)


#: What a spreadsheet reads as the start of a formula (OWASP's "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: str | None) -> str:
    """A cell of the CRM's own text (ids, owners, a topic quoted in the texts) as text a
    spreadsheet shows: one that starts like a formula (a web form's ``=HYPERLINK(...)`` as
    the topic) gets a leading ``'``, which Excel, LibreOffice and Sheets read as "text"."""
    if not value:
        return ""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def write_plan_csv(plan: DayPlan, out: TextIO) -> None:
    """The plan's touches as CSV (:data:`PLAN_COLUMNS`); ``also`` (the other kinds the touch
    does) and rules are joined with spaces, talking points with `` | ``. A text cell that
    would start a spreadsheet formula (``=``, ``+``, ``-``, ``@``) starts with ``'``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PLAN_COLUMNS)
    for t in plan.touches:
        act = t.action
        writer.writerow(
            (
                _as_text(t.owner),
                t.local_start.isoformat(),
                t.local_end.isoformat(),
                str(t.local_start.tzinfo),
                _as_text(t.prospect_id),
                act.kind.value,
                " ".join(act.also),
                act.channel.value if act.channel else "",
                " ".join(act.rules),
                _as_text(act.reason),
                _as_text(act.subject),
                _as_text(" | ".join(act.talking_points)),
                t.start.isoformat(),
                t.end.isoformat(),
            )
        )


def write_plan_jsonl(plan: DayPlan, out: TextIO) -> None:
    """The plan's touches, one ``PlannedTouch`` JSON object per line."""
    for t in plan.touches:
        out.write(t.model_dump_json() + "\n")
