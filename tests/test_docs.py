"""The README's and the docs' examples run, as do the docstring examples of the core."""

from __future__ import annotations

import doctest
import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
MODULES = [
    "cadence",
    "cadence.policy",
    "cadence.events",
    "cadence.engine",
    "cadence.compliance",
    "cadence.batch",
    "cadence.invitations",
    "cadence.testing",
    "cadence.simulation",
    "cadence.simulation._luck",
    "cadence.simulation._responder",
    "cadence.simulation._simulate",
    "cadence.simulation._compare",
    "cadence.testing._invariants",
]


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
    for name in re.findall(r"`::(test_\w+)`", text):
        assert any(f"def {name}" in s for s in sources.values()), name
