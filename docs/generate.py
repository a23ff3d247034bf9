"""Regenerate the parts of the docs that are generated from the code.

    python docs/generate.py          # rewrite them
    python docs/generate.py --check  # exit 1 if any is stale (tests/test_docs.py does the same)

Generated: the JSON Schemas in docs/schema/, the policy reference (docs/policy.md), the calling
rules table in docs/compliance.md and the lifecycle diagram in docs/lifecycle.md. Hand-written
text around a generated block is kept; the block sits between its ``<!-- generated: NAME -->`` and
``<!-- end generated -->`` markers, or is the page's only ``mermaid`` block.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from cadence._reference import calling_rules_table, policy_reference
from cadence.lifecycle import lifecycle
from cadence.schema import SCHEMA_NAMES, schema_text

DOCS = Path(__file__).resolve().parent
END = "<!-- end generated -->"


def _block(text: str, name: str, body: str) -> str:
    """``text`` with the block between the markers of ``name`` replaced by ``body``."""
    start = f"<!-- generated: {name} -->"
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(END), re.S)
    if not pattern.search(text):
        msg = f"no {start} ... {END} block to fill"
        raise SystemExit(msg)
    return pattern.sub(lambda _: f"{start}\n{body}{END}", text, count=1)


def _mermaid(text: str, body: str) -> str:
    pattern = re.compile(r"```mermaid\n.*?```", re.S)
    return pattern.sub(lambda _: f"```mermaid\n{body}\n```", text, count=1)


def pages() -> dict[Path, str]:
    """Every generated file and the text it must have."""
    out = {DOCS / "schema" / f"{name}.json": schema_text(name) for name in SCHEMA_NAMES}
    out[DOCS / "policy.md"] = policy_reference()
    compliance = DOCS / "compliance.md"
    out[compliance] = _block(compliance.read_text(), "calling rules", calling_rules_table())
    page = DOCS / "lifecycle.md"
    out[page] = _mermaid(page.read_text(), lifecycle().mermaid())
    return out


def stale() -> list[Path]:
    """The generated files whose text differs from what the code produces now."""
    return [p for p, text in pages().items() if not p.exists() or p.read_text() != text]


def main(argv: list[str]) -> int:
    """Write the generated files, or with ``--check`` only report the stale ones."""
    if "--check" in argv:
        old = stale()
        for path in old:
            print(f"{path.relative_to(DOCS.parent)} is stale: run python docs/generate.py")
        return 1 if old else 0
    for path, text in pages().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
