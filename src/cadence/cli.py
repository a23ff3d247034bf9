"""The ``cadence`` command (the ``cli`` extra: typer, rich). An edge: the core never imports it.

A user error (a bad file, a bad policy, a late event) prints one line and exits with status 2; no
traceback. The command line is the one place that may read the clock: ``--now`` defaults to it.
"""

from __future__ import annotations

import enum
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, TextIO
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cadence import events as ev
from cadence._cli_common import OneLineErrors, PolicyFile, fail, policy_or_default
from cadence._cli_notes import overridden
from cadence._cli_rules import never_called, rules_command
from cadence._cli_simulate import simulate_command
from cadence._day import check_day, over_everywhere, reminds_to_log
from cadence._reference import policy_reference
from cadence._sample import sample_book
from cadence.actions import Action, ActionKind
from cadence.batch import Capacity, DayPlan, RepHours, plan_day
from cadence.engine import Engine
from cadence.errors import CadenceError
from cadence.events import in_range, out_of_range
from cadence.files import (
    _read_events_where,
    book_format,
    read_book,
    read_policy,
    read_prospect,
    read_suppressions,
    write_plan_csv,
    write_plan_jsonl,
)
from cadence.invitations import _LAST_STAMP, plan_ics
from cadence.lifecycle import lifecycle
from cadence.policy import Policy
from cadence.prospect import Prospect
from cadence.schema import schema_text

__all__ = ["app", "demo_story", "main", "parse_capacity", "render_dot"]


app = typer.Typer(
    cls=OneLineErrors,
    help="cadence: what to do next with each sales prospect, and when.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
policy_app = typer.Typer(help="Show, check or describe a policy.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--now: {text!r} is not an ISO date-time; use e.g. 2026-03-10T09:30:00-06:00")
    if value.tzinfo is None:  # (the example is the value read: a date's offset reads as none)
        fail(f"--now: {text!r} has no UTC offset; add one, e.g. {value.isoformat()}+00:00")
    if in_range(value) is None:  # (the engine would name it ``now``, no option's name)
        fail(f"--now: {out_of_range(value, optional=False)}")
    return value


def demo_story(
    engine: Engine, start: datetime, *, steps: int = 14
) -> list[tuple[datetime, Prospect, Action, str]]:
    """Walk a prospect who never answers through the cadence: each step is (time, state before,
    next action, what the rep then did)."""
    p = engine.enroll(
        "dana@acme", timezone="America/Chicago", at=start, country="US", subdivision="IL"
    )
    p = engine.apply(
        p, ev.CallAttempted(at=start, outcome="connected", permission=True, id="c0")
    )  # a first conversation: permission to recontact (R12), but no agreed time (R1)
    story: list[tuple[datetime, Prospect, Action, str]] = []
    now = start
    for i in range(steps):
        act = engine.next_action(p, now)
        before = p
        now = max(now, act.earliest)
        if act.kind is ActionKind.NONE:
            story.append((now, p, act, "nothing more to do"))
            break
        if act.kind is ActionKind.WAIT:
            did = "time passes"
            p = engine.advance(p, now)
        elif act.channel is not None and act.channel.value == "phone":
            did = "called: voicemail"
            p = engine.apply(p, ev.CallAttempted(at=now, outcome="voicemail", id=f"s{i}"))
        else:
            did = "email sent, no reply"
            p = engine.apply(p, ev.EmailSent(at=now, id=f"s{i}"))
        story.append((now, before, act, did))
        if act.kind is ActionKind.DRIP_TOUCH and i > 10:
            break
    return story


def _due(act: Action) -> str:
    due = f"{act.earliest:%a %d %b %H:%M}"
    if act.latest_utc > act.earliest_utc:  # by instant (a window may span a repeated hour)
        due += f"-{act.latest:%H:%M}"
    return due


#: The demo's "today": Tuesday 10 March 2026, early morning in Chicago.
DEMO_NOW = datetime(2026, 3, 10, 7, 0, tzinfo=ZoneInfo("America/Chicago"))
DEMO_CAPACITY: Capacity = {"phone": 4, "email": 4}


def _wide_console(file: TextIO | None = None) -> Console:
    console = Console(file=file)
    if file is not None or not console.is_terminal or console.width < 120:
        console = Console(file=file, width=140)  # tables need room for their reasons
    return console


def _plan_table(plan: DayPlan, title: str) -> Table:
    table = Table(title=title)
    for col in ("rep", "UTC", "prospect's time", "prospect", "action", "rules"):
        table.add_column(col, no_wrap=True)
    table.add_column("why", ratio=1)
    for t in plan.touches:
        act = t.action
        local = f"{t.local_start:%a %H:%M} {t.local_start.tzname()}"
        rules = " ".join(act.rules)
        row = (
            t.owner,
            f"{t.start:%H:%M}",
            local,
            t.prospect_id,
            " + ".join(act.kinds),
            rules,
            act.reason,
        )
        table.add_row(*(Text(cell) for cell in row))  # a book's ids and owners are no markup
    return table


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _plan_summary(plan: DayPlan) -> str:
    c = plan.counts
    reasons = sorted({d.reason for d in plan.deferred})
    why = f" ({', '.join(reasons)})" if reasons else ""
    # The reps with work planned: a meeting of the day is listed, but its rep may have no
    # touch (its prospect is ``not_due``); a reminder to log one is planned (R2).
    owners = len(
        {
            t.owner
            for t in plan.touches
            if t.action.kind is not ActionKind.ATTEND_MEETING or reminds_to_log(t.action)
        }
    )
    return (
        f"{plan.day:%a %d %b %Y}: {_count(c['planned'], 'touch', 'touches')} planned for "
        f"{_count(owners, 'rep', 'reps')}; "
        f"{c['deferred']} deferred{why}, {c['suppressed']} suppressed, {c['not_due']} not due"
    )


@app.command()
def demo() -> None:
    """Plan a sample team's day, then walk one prospect who never answers through the cadence.

    All generated, nothing to prepare: 36 prospects in six places (US states, France, Canada)
    worked by three reps, each at a different point of the cadence; the plan for Tuesday 10 March
    2026 with 4 calls and 4 emails per rep; then one prospect's story, touch by touch, with the
    rules behind every step.
    """
    console = _wide_console()
    engine = Engine(Policy())
    book = sample_book(engine, now=DEMO_NOW, size=36)
    plan = plan_day(engine, book, day=DEMO_NOW.date(), now=DEMO_NOW, capacity=DEMO_CAPACITY)
    title = f"Today's plan: {len(book)} prospects, 4 calls and 4 emails per rep"
    console.print(_plan_table(plan, title))
    console.print(_plan_summary(plan), highlight=False)
    console.print()
    start = datetime(2026, 3, 3, 10, 15, tzinfo=ZoneInfo("America/Chicago"))
    table = Table(title="One prospect's story: Dana (America/Chicago, US-IL) never answers")
    for col in ("stage", "next action", "due (Dana's time)", "rules"):
        table.add_column(col, no_wrap=True)
    table.add_column("why", ratio=1)
    table.add_column("rep did")
    for _, p, act, did in demo_story(engine, start):
        table.add_row(
            str(p.stage), " + ".join(act.kinds), _due(act), " ".join(act.rules), act.reason, did
        )
    console.print(table)


@app.command("next")
def next_(
    state: Annotated[Path, typer.Argument(help="A stored prospect state (JSON).")],
    events: Annotated[
        Path | None, typer.Argument(help="Events to apply first, one JSON object per line.")
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="ISO date-time with offset; default: now.")
    ] = None,
    policy: PolicyFile = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the action as JSON.")] = False,
) -> None:
    """Print a prospect's next action, with its window and the reason."""
    try:
        engine = Engine(policy_or_default(policy))
        p = read_prospect(state)
        for where, event in _read_events_where(events) if events is not None else []:
            try:
                p = engine.apply(p, event)
            except CadenceError as exc:  # a late event, a conflicting id: name its line
                fail(f"{where}: {exc}")
        act = engine.next_action(p, _now(now))
    except CadenceError as exc:
        fail(str(exc))
    if as_json:
        sys.stdout.write(act.model_dump_json(indent=2) + "\n")
        return
    console = Console()
    console.print(
        f"[bold]{' + '.join(act.kinds)}[/] via {act.channel or '-'}  {_due(act)} ({p.timezone})"
    )
    # The reason and talking points quote the prospect's own data (a topic): text, no markup;
    # one line each, however narrow the terminal or the pipe.
    console.print(f"rules {' '.join(act.rules) or '-'}: {act.reason}", markup=False, soft_wrap=True)
    if act.subject:  # an email's subject (R7 refers to their request)
        console.print(f"subject: {act.subject}", markup=False, soft_wrap=True)
    for point in act.talking_points:
        console.print(f"  - {point}", markup=False, soft_wrap=True)


class DiagramFormat(enum.StrEnum):
    """What ``cadence diagram`` writes."""

    MERMAID = "mermaid"
    DOT = "dot"
    SVG = "svg"
    PNG = "png"


_GRAPHVIZ_HINT = (
    "install Graphviz (apt-get install graphviz, brew install graphviz, or "
    "https://graphviz.org/download/), or use --format dot or mermaid"
)


def render_dot(text: str, fmt: str) -> bytes:
    """Render DOT text to ``svg`` or ``png`` with Graphviz's ``dot`` program (what the
    ``graphviz`` Python package runs too); a missing or failing ``dot`` is a one-line error."""
    exe = shutil.which("dot")
    if exe is None:
        fail(f"--format {fmt}: Graphviz's dot program is not installed; {_GRAPHVIZ_HINT}")
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"], input=text.encode(), capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        fail(f"--format {fmt}: running {exe} failed ({exc}); {_GRAPHVIZ_HINT}")
    if done.returncode != 0:
        first = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[0]
        fail(f"--format {fmt}: {exe} exited with status {done.returncode}: {first}")
    return done.stdout


@app.command()
def diagram(
    fmt: Annotated[
        DiagramFormat,
        typer.Option("--format", "-f", help="mermaid or dot text, or an svg or png picture."),
    ] = DiagramFormat.MERMAID,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here instead of standard output (- for it)."),
    ] = None,
) -> None:
    """Draw the lifecycle: the stages and what moves a prospect between them.

    Drawn from the same declaration the engine compiles. SVG and PNG need Graphviz's dot program.
    """
    graph = lifecycle()
    if fmt is DiagramFormat.MERMAID:
        _write_text(graph.mermaid() + "\n", out)
    elif fmt is DiagramFormat.DOT:
        _write_text(graph.dot() + "\n", out)
    else:
        if _to_stdout(out) and fmt is DiagramFormat.PNG and sys.stdout.isatty():
            fail("--format png: a PNG is binary; pass --out FILE.png")
        _write_bytes(render_dot(graph.dot(), fmt.value), out)


@policy_app.command("show")
def policy_show(
    path: Annotated[Path | None, typer.Argument(help="Policy file; default: Policy().")] = None,
) -> None:
    """Print a policy with every default filled in, as JSON."""
    try:
        sys.stdout.write(policy_or_default(path).model_dump_json(indent=2) + "\n")
    except CadenceError as exc:
        fail(str(exc))


@policy_app.command("validate")
def policy_validate(
    path: Annotated[Path, typer.Argument(help="Policy file (JSON or YAML).")],
) -> None:
    """Check a policy file; exit 2 with the first problem if it is not valid. A valid one is
    noted for each setting another overrides, and for each place with a legal rule where its
    calling hours never meet the law (the law of today)."""
    try:
        policy = read_policy(path)
    except CadenceError as exc:
        fail(str(exc))
    console = Console()
    console.print(f"{escape(str(path))}: valid", highlight=False)
    for note in (*overridden(policy), *never_called(policy, datetime.now().date())):
        console.print(escape(note), highlight=False, soft_wrap=True)


@policy_app.command("schema")
def policy_schema() -> None:
    """Print the policy's JSON Schema (the same as ``cadence schema policy``)."""
    sys.stdout.write(schema_text("policy"))


@policy_app.command("reference")
def policy_reference_() -> None:
    """Print the policy reference (Markdown, generated from the JSON Schema: docs/policy.md)."""
    sys.stdout.write(policy_reference())


class SchemaChoice(enum.StrEnum):
    """The schemas ``cadence schema`` prints (those of :data:`cadence.schema.SCHEMA_NAMES`)."""

    ACTION = "action"
    EVENT = "event"
    POLICY = "policy"
    PROSPECT = "prospect"


@app.command("schema")
def schema(
    name: Annotated[
        SchemaChoice,
        typer.Argument(help="policy, prospect (a stored state), event or action."),
    ],
) -> None:
    """Print a JSON Schema, for integrators in other languages (also in docs/schema/)."""
    sys.stdout.write(schema_text(name.value))


def _to_stdout(out: Path | None) -> bool:
    """No ``--out``, or ``--out -``: standard output, as for most tools that write files (a
    file named ``-`` is ``./-``)."""
    return out is None or str(out) == "-"


@contextmanager
def _output(out: Path | None) -> Iterator[TextIO]:
    """Standard output, or the file ``out`` (a one-line error if it cannot be written)."""
    if out is None or _to_stdout(out):
        yield sys.stdout
        return
    try:
        handle = out.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        fail(f"--out: {out} cannot be written ({exc.strerror}); check the path")
    with handle:
        yield handle


def _write_text(text: str, out: Path | None) -> None:
    with _output(out) as handle:
        handle.write(text)


def _write_bytes(data: bytes, out: Path | None) -> None:
    if out is None or _to_stdout(out):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(f"--out: {out} cannot be written ({exc.strerror}); check the path")


class PlanFormat(enum.StrEnum):
    """What ``cadence plan`` writes."""

    TABLE = "table"
    CSV = "csv"
    JSONL = "jsonl"
    ICS = "ics"


#: A count as ``--capacity`` takes it: ASCII digits (``str.isdigit`` is also true of ``²``,
#: which ``int`` refuses).
_DIGITS = re.compile("[0-9]+")


def parse_capacity(text: str) -> Capacity:
    """``--capacity``: ``40`` for every rep and channel, or comma-separated ``owner=N``,
    ``channel=N`` (``phone``, ``email``) and ``owner:channel=N``."""
    hint = "use N, or owner=N, channel=N, owner:channel=N separated by commas, e.g. ana=30,email=50"
    text = text.strip()
    if _DIGITS.fullmatch(text):
        return int(text)
    capacity: dict[str | tuple[str, str], int] = {}
    for part in text.split(","):
        key, sep, number = part.strip().partition("=")
        key = key.strip()
        if not sep or not key or not _DIGITS.fullmatch(number.strip()):
            fail(f"--capacity: {part.strip()!r} is not a capacity; {hint}")
        owner, colon, channel = (side.strip() for side in key.partition(":"))
        if colon and channel not in ("phone", "email"):
            fail(f"--capacity: {part.strip()!r} names channel {channel!r}; use phone or email")
        name = (owner, channel) if colon else key
        if name in capacity:  # the last would win without a word
            shown = f"{owner}:{channel}" if colon else key
            fail(f"--capacity: {shown!r} is given twice in {text!r}; give each once")
        capacity[name] = int(number)
    return capacity


def parse_rep_hours(texts: list[str]) -> dict[str, RepHours]:
    """``--rep-hours``, repeatable: ``owner=ZONE HH:MM-HH:MM[,HH:MM-HH:MM] [WEEKMASK]``, e.g.
    ``ana=America/Chicago 08:00-12:00,13:00-17:00 1111100``."""
    hint = (
        "use owner=ZONE HH:MM-HH:MM[,HH:MM-HH:MM] [WEEKMASK], e.g. "
        "'ana=America/Chicago 08:00-17:00'"
    )
    found: dict[str, RepHours] = {}
    for text in texts:
        owner, sep, rest = text.partition("=")
        owner, words = owner.strip(), rest.split()
        if not sep or not owner or len(words) < 2:
            fail(f"--rep-hours: {text!r} is not a rep's hours; {hint}")
        if owner in found:
            fail(f"--rep-hours: {owner!r} is given twice; give each rep's hours once")
        masks = [w for w in words[1:] if w.isdigit()]
        windows = [part for w in words[1:] if not w.isdigit() for part in w.split(",") if part]
        fields = {"timezone": words[0], "windows": windows}
        if masks:
            fields["weekmask"] = masks[-1] if len(masks) == 1 else " ".join(masks)
        try:
            found[owner] = RepHours.model_validate(fields)
        except ValidationError as exc:
            why = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            fail(f"--rep-hours: {text!r}: {why}" + ("" if "; " in why else f"; {hint}"))
    return found


def _noting_owners(prospects: Iterator[Prospect], owners: set[str]) -> Iterator[Prospect]:
    """``prospects`` as they stream past, adding each one's owner to ``owners``."""
    for p in prospects:
        if p.owner is not None:
            owners.add(p.owner)
        yield p


def _reps_without_prospects(
    caps: Capacity, hours: Mapping[str, RepHours], found: set[str]
) -> list[str]:
    """Notes on reps that ``--capacity`` or ``--rep-hours`` name but who own no prospect in
    the book: a slip (``Ana`` for ``ana``) left the real rep with no capacity (what is not named
    gets 0) or no hours, without a word. A rep with nothing in this book is not an error (one
    team's settings, several books), so these are notes, and the plan is made."""
    owners = sorted(found)
    named: dict[str, str] = {}
    for key in caps if isinstance(caps, Mapping) else ():
        owner = key[0] if isinstance(key, tuple) else key
        if not isinstance(key, tuple) and owner in ("phone", "email") and owner not in owners:
            continue  # (the channel's capacity)
        named.setdefault(owner, "--capacity")
    for owner in hours:
        named.setdefault(owner, "--rep-hours")
    theirs = f"its owners: {', '.join(map(repr, owners))}" if owners else "it names no owner"
    return [
        f"note: {flag} names {owner!r}, who owns no prospect in the book ({theirs})"
        for owner, flag in named.items()
        if owner not in owners
    ]


def _day(text: str) -> date:
    try:
        return check_day(date.fromisoformat(text))
    except ValueError as exc:
        if isinstance(exc, CadenceError):  # a date out of the planners' years
            fail(f"--{exc}")  # ("day: ..." as the option)
        fail(f"--day: {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-03-10")


def _not_over_inputs(out: Path | None, inputs: list[tuple[str, Path]]) -> None:
    """Refuse an ``--out`` that is one of the files the command reads: ``--out book.csv`` (a
    slip for ``plan.csv``) replaced the CRM's export with the plan."""
    if _to_stdout(out):
        return
    assert out is not None  # (_to_stdout is true for None)
    for what, path in inputs:
        try:
            same = out.resolve() == path.resolve() or (out.exists() and out.samefile(path))
        except OSError:  # (a path that cannot be looked at is refused later, by its reader)
            same = False
        if same:
            fail(
                f"--out: {out} is the {what} the plan is made from; write the plan to another file"
            )


@app.command()
def plan(
    book: Annotated[
        Path,
        typer.Argument(
            help="The prospects: .csv (columns id, timezone, country, subdivision, owner, "
            "phone, email, topic, state), .jsonl or .ndjson (one stored state per line), or "
            ".parquet (a table written by cadence.batch.to_table)."
        ),
    ],
    day: Annotated[
        str, typer.Option(help="The day to plan, YYYY-MM-DD (each prospect's own local day).")
    ],
    capacity: Annotated[
        str,
        typer.Option(
            help="Touches per rep and channel: N, or owner=N, channel=N, owner:channel=N, "
            "comma-separated (what is not named gets 0)."
        ),
    ],
    now: Annotated[
        str | None, typer.Option(help="ISO date-time with offset; default: now.")
    ] = None,
    policy: PolicyFile = None,
    suppress: Annotated[
        list[Path] | None,
        typer.Option(
            help="Ids, phone numbers or emails never to plan, one per line (R13); repeatable: "
            "every list given is honoured."
        ),
    ] = None,
    fmt: Annotated[
        PlanFormat, typer.Option("--format", "-f", help="table, csv, jsonl or ics.")
    ] = PlanFormat.TABLE,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here instead of standard output (- for it)."),
    ] = None,
    rep_hours: Annotated[
        list[str] | None,
        typer.Option(
            "--rep-hours",
            help="A rep's working hours in their own zone, repeatable: owner=ZONE "
            "HH:MM-HH:MM[,HH:MM-HH:MM] [WEEKMASK, Monday first, default 1111100], e.g. "
            "'ana=America/Chicago 08:00-17:00'. Their touches stay inside them.",
        ),
    ] = None,
    bom: Annotated[
        bool,
        typer.Option(
            "--bom",
            help="With --format csv: start the file with a UTF-8 byte order mark, so that "
            "Excel, opening it by double-click, shows accented names as written.",
        ),
    ] = False,
) -> None:
    """Plan a day's touches for every rep from a book of prospects.

    Promises, reschedules and overdue work first, never over capacity, each touch in a slot
    inside the prospect's own allowed window. CSV rows without a state are new prospects,
    enrolled at --now. The summary line goes to standard error, except with the table.
    """
    if bom and fmt is not PlanFormat.CSV:
        fail(f"--bom: a byte order mark is for --format csv, not {fmt.value}; drop --bom")
    try:
        book_format(book)  # what the book is, before the day is judged by the clock
    except CadenceError as exc:
        fail(str(exc))
    inputs = [("book", book), *(("suppression list", path) for path in suppress or [])]
    _not_over_inputs(out, [*inputs, *([("policy", policy)] if policy is not None else [])])
    on, caps, moment = _day(day), parse_capacity(capacity), _now(now)
    hours = parse_rep_hours(rep_hours or [])
    if fmt is PlanFormat.ICS and moment > _LAST_STAMP:  # (plan_ics's stamp is --now)
        fail(
            f"--now: {moment.isoformat()!r} is after {_LAST_STAMP.isoformat()}, when a "
            "calendar's SEQUENCE (seconds since 2020) outgrows the 32-bit integer clients "
            "hold; plan as of an earlier --now, or write the plan with --format csv or jsonl"
        )
    if over_everywhere(on, moment):  # checked before the book is read
        given = "--now" if now is not None else "now, by the clock"
        fail(
            f"--day: {on} is over in every time zone at {moment.isoformat(timespec='minutes')} "
            f"({given}); plan today or a later day, or give --now the instant to plan as of"
        )
    try:
        engine = Engine(policy_or_default(policy))
        blocked = frozenset().union(*(read_suppressions(path) for path in suppress or []))
        owners: set[str] = set()
        prospects = _noting_owners(read_book(book, engine=engine, now=moment), owners)
        result = plan_day(
            engine,
            prospects,
            day=on,
            now=moment,
            capacity=caps,
            suppressions=blocked,
            rep_hours=hours,
        )
    except CadenceError as exc:
        fail(str(exc))
    for note in _reps_without_prospects(caps, hours, owners):
        Console(stderr=True).print(note, markup=False, highlight=False, soft_wrap=True)
    if fmt is PlanFormat.TABLE:
        with _output(out) as handle:
            console = _wide_console(None if _to_stdout(out) else handle)
            console.print(_plan_table(result, f"Plan for {result.day:%a %d %b %Y}"))
            console.print(_plan_summary(result), highlight=False)
        return
    if fmt is PlanFormat.ICS:
        _write_bytes(plan_ics(result, stamp=moment), out)
    else:
        writer = write_plan_csv if fmt is PlanFormat.CSV else write_plan_jsonl
        buffer = io.StringIO()
        if bom:  # (Excel reads a CSV without one in the machine's code page)
            buffer.write("\ufeff")
        writer(result, buffer)
        _write_text(buffer.getvalue(), out)
    Console(stderr=True).print(_plan_summary(result), highlight=False, soft_wrap=True)


def main() -> None:
    """Entry point of the ``cadence`` console script."""
    app()


app.command("simulate")(simulate_command)
policy_app.command("rules")(rules_command)
