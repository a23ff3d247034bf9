"""The README's and the docs' examples run, as do the docstring examples of the core."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pathlib
import re
from types import ModuleType

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
MODULES = [
    "cadence",
    "cadence.policy",
    "cadence.events",
    "cadence.engine",
    "cadence.compliance",
    "cadence._zones",
    "cadence.batch",
    "cadence.invitations",
    "cadence.schema",
    "cadence.testing",
    "cadence.simulation",
    "cadence.simulation._luck",
    "cadence.simulation._responder",
    "cadence.simulation._simulate",
    "cadence.simulation._compare",
    "cadence.testing._invariants",
]
#: Fenced block languages that are shown, not run: output, shell sessions, data, diagrams.
SHOWN = {"text", "console", "bash", "mermaid", "dot", "json", "yaml", "csv"}
FENCE = re.compile(r"^( *)```([^\n`]*)\n(.*?)^\1```[ \t]*$", re.M | re.S)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_examples_run(path: pathlib.Path) -> None:
    result = doctest.testfile(
        str(path), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_readme_starts_with_exactly_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [ln for ln in block.splitlines() if ln.strip()]
    assert len(lines) == 2
    assert lines[0].endswith("cadence demo")
    assert "[test]" in lines[1]
    assert lines[1].endswith("pytest")


def test_lifecycle_diagram_in_the_docs_matches_the_declaration() -> None:
    from cadence.lifecycle import lifecycle

    text = (ROOT / "docs" / "lifecycle.md").read_text()
    diagram = text.split("```mermaid\n", 1)[1].split("```", 1)[0].strip()
    assert diagram == lifecycle().mermaid()


def test_every_test_the_guarantees_page_cites_exists() -> None:
    import re

    text = (ROOT / "docs" / "guarantees.md").read_text()
    sources = {p: p.read_text() for p in (ROOT / "tests").rglob("*.py")}
    cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(test_\w+))?`", text)
    assert len(cited) > 20
    for path, name in cited:
        assert (ROOT / path).exists(), path
        if name:
            assert f"def {name}" in sources[ROOT / path], (path, name)
    # `::name` is a test of the file named last before it in the same row: a reader opens
    # that file to find it (a test cited under the wrong file sent them to the wrong one).
    for row in text.splitlines():
        path = None
        for full, name in re.findall(r"`(tests/[\w/]+\.py)(?:::test_\w+)?`|`::(test_\w+)`", row):
            if full:
                path = full
            elif name:
                assert path is not None, name
                assert f"def {name}" in sources[ROOT / path], (path, name)


def _blocks() -> list[tuple[str, str, str]]:
    """(where, language, body) of every fenced code block in the README and the docs."""
    found = []
    for path in DOCS:
        text = path.read_text()
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            where = f"{path.relative_to(ROOT)}:{line}"
            found.append((where, match.group(2).strip(), match.group(3)))
    return found


def test_the_block_scanner_sees_every_fence() -> None:
    """Each file has an even number of fence lines, all of them paired into blocks."""
    for path in DOCS:
        fences = [ln for ln in path.read_text().splitlines() if ln.lstrip().startswith("```")]
        blocks = [b for b in _blocks() if b[0].startswith(f"{path.relative_to(ROOT)}:")]
        assert len(fences) == 2 * len(blocks), path


def test_every_code_block_runs_or_is_marked_as_shown() -> None:
    """A block is a doctest (run by ``test_markdown_examples_run``), a Python block without
    ``>>>`` (run by ``test_python_blocks_without_prompts_run``), or marked with a language that is
    shown, not run (output, shell, data, diagrams). Unmarked blocks are refused."""
    for where, lang, body in _blocks():
        if lang == "python":
            continue
        assert lang in SHOWN, f"{where}: mark the block as python or one of {sorted(SHOWN)}"
        assert ">>>" not in body, f"{where}: a doctest in a {lang!r} block would not run"


PLAIN_PYTHON = [(w, b) for w, lang, b in _blocks() if lang == "python" and ">>>" not in b]


@pytest.mark.parametrize(("where", "body"), PLAIN_PYTHON, ids=[w for w, _ in PLAIN_PYTHON])
def test_python_blocks_without_prompts_run(
    where: str, body: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(body, where, "exec"), {"__name__": "__docs__"})


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_pages_are_current() -> None:
    """The schemas, the policy reference, the calling rules table and the lifecycle diagram are
    what the code produces now; `python docs/generate.py` rewrites them."""
    generator = _generator()
    assert generator.stale() == []
    pages = generator.pages()
    assert ROOT / "docs" / "policy.md" in pages
    compliance = pages[ROOT / "docs" / "compliance.md"]
    assert "`us-fl@2021-07-01`" in compliance
    assert "https://www.legifrance.gouv.fr/" in compliance


def test_the_zone_table_is_current_and_read_from_iana_data() -> None:
    """``cadence/_zone_table.py`` is what ``python docs/generate.py`` makes from the installed
    ``tzdata`` package's IANA files (a new tzdata release: regenerate it). Skipped without
    them: the table checked in is then the one used."""
    tzdata = pytest.importorskip("tzdata")
    import cadence._zone_table as table

    generator = _generator()
    text = generator.zone_table()
    assert text is not None
    assert text == generator.ZONE_TABLE.read_text(), "stale: run python docs/generate.py"
    assert table.TZDATA == tzdata.IANA_VERSION
    zones = table.ZONES
    assert zones["America/New_York"] == ("US", "US")
    assert zones["US/Eastern"] == ("US", "US")  # an old alias: its zone's country
    assert zones["Canada/Eastern"] == ("CA", "BS CA")  # the alias names its country
    assert zones["America/Montreal"][0] is None  # Toronto's zone is the Bahamas' too
    assert zones["Europe/Paris"] == ("FR", "FR MC")  # Monaco's name links to Paris's zone
    assert zones["Iceland"][0] == "IS"  # not Abidjan's Côte d'Ivoire, whose zone it shares
    for name in ("UTC", "Etc/GMT+5", "EST", "CET", "EST5EDT", "Factory"):
        assert zones[name] == (None, ""), name
    assert table.EXAMPLES["US"] == "America/New_York"


def test_every_page_is_in_the_site_navigation() -> None:
    """mkdocs.yml's nav lists every page under docs/ (a page left out is easy to miss)."""
    nav = (ROOT / "mkdocs.yml").read_text().split("\nnav:", 1)[1]
    listed = set(re.findall(r"([\w/-]+\.md)", nav))
    pages = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert pages == listed


def test_readme_links_the_docs_pages() -> None:
    readme = (ROOT / "README.md").read_text()
    for page in sorted((ROOT / "docs").glob("*.md")):
        if page.name != "index.md":
            assert f"docs/{page.name}" in readme, page.name


def _quoted_defaults(text: str) -> list[tuple[str, str]]:
    """Each ``(`knob` (value)`` or ``(`knob`, value`` of a page: a Policy default it quotes."""
    import cadence

    found = re.findall(r"`(\w+)` \((`\w+`|\d+|on|off|none)[),;]|`(\w+)`, (\d+)[),;]", text)
    pairs = [(a or c, b or d) for a, b, c, d in found]
    return [(name, value) for name, value in pairs if name in cadence.Policy.model_fields]


def test_every_default_the_pages_quote_is_the_policys() -> None:
    """The practices table's knob column (and the prose that quotes a knob with its value)
    says what ``Policy()`` does: ``unheard_calls_limit`` (3), ``opt_out_scope`` (`all`), a
    switch on or off, ``escalations`` (none)."""
    import cadence

    policy = cadence.Policy()
    words = {"on": True, "off": False, "none": ()}
    practices = (ROOT / "docs" / "practices.md").read_text()
    rows = [row for row in practices.splitlines() if re.match(r"\| R\d+ \|", row)]
    assert len(rows) == 18
    knobs = [name for row in rows for name, _ in _quoted_defaults(row.rsplit("|", 2)[1])]
    assert len(knobs) >= 14, knobs
    checked = 0
    for path in DOCS:
        if path.name in {"changelog.md", "policy.md"}:  # history; generated from the code
            continue
        for name, value in _quoted_defaults(path.read_text()):
            expected = getattr(policy, name)
            written: object = words.get(value, value.strip("`"))
            if isinstance(expected, int) and not isinstance(expected, bool):
                written = int(value) if value.isdigit() else value
            assert written == expected, (path.name, name, value, expected)
            checked += 1
    assert checked >= 16


def test_the_policy_reference_shows_the_range_of_every_bounded_knob() -> None:
    """``event_id_memory_days`` (1 to 3660, or null) showed no range: its bounds sit in one
    branch of the schema's ``anyOf``."""
    from cadence.schema import json_schema

    page = (ROOT / "docs" / "policy.md").read_text()
    policy_table = page.split("## Policy\n", 1)[1].split("\n## ", 1)[0]
    allowed = {
        cells[0].strip("|` "): cells[3].strip()
        for row in policy_table.splitlines()
        if row.startswith("| `") and (cells := row.split(" | "))
    }
    for name, prop in json_schema("policy")["properties"].items():
        branches = [prop, *prop.get("anyOf", [])]
        if any("minimum" in b or "maximum" in b for b in branches):
            assert allowed[name], name
    assert allowed["event_id_memory_days"] == "1 to 3660"
