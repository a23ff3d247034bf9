"""Regenerate the parts of the docs that are generated from the code.

    python docs/generate.py          # rewrite them
    python docs/generate.py --check  # exit 1 if any is stale (tests/test_docs.py does the same)

Generated: the JSON Schemas in docs/schema/, the policy reference (docs/policy.md), the calling
rules table in docs/compliance.md, the lifecycle diagram in docs/lifecycle.md and, from the IANA
files of the installed ``tzdata`` package, the table of which countries each time zone belongs to
(src/cadence/_zone_table.py: the core reads no file, so the table is code). Hand-written text
around a generated block is kept; the block sits between its ``<!-- generated: NAME -->`` and
``<!-- end generated -->`` markers, or is the page's only ``mermaid`` block.
"""

from __future__ import annotations

import importlib.resources
import re
import sys
from collections import defaultdict
from pathlib import Path

from cadence._reference import calling_rules_table, policy_reference
from cadence.lifecycle import lifecycle
from cadence.schema import SCHEMA_NAMES, schema_text

DOCS = Path(__file__).resolve().parent
END = "<!-- end generated -->"
ZONE_TABLE = DOCS.parent / "src" / "cadence" / "_zone_table.py"


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
    zones = zone_table()
    if zones is not None:  # (without tzdata, the checked-in table stays as it is)
        out[ZONE_TABLE] = zones
    return out


# -- the zone table --------------------------------------------------------------------------

#: Zone names that name a rule, not a place (IANA's old System V names, kept as links or zones
#: for compatibility): a prospect's zone of ``EST`` says nothing of where they are, and ``EST``
#: has no daylight saving time where every US eastern state has it.
RULE_NAMES = frozenset(
    {"CET", "CST6CDT", "EET", "EST", "EST5EDT", "HST", "MET", "MST", "MST7MDT", "PST8PDT", "WET"}
)


def zone_table() -> str | None:
    """The text of ``cadence/_zone_table.py``, from the installed ``tzdata`` package's IANA
    files; None when the package is not installed."""
    try:
        data = importlib.resources.files("tzdata") / "zoneinfo"
    except ModuleNotFoundError:
        return None
    files = ("zone.tab", "zone1970.tab", "iso3166.tab", "tzdata.zi")
    texts = [(data / name).read_text(encoding="utf-8") for name in files]
    first = texts[-1].split("\n", 1)[0]
    assert first.startswith("# version "), f"tzdata.zi starts {first!r}, not its version"
    version = first.removeprefix("# version ")
    return zone_module(version, *texts)


def _rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def zone_module(version: str, zone_tab: str, zone1970_tab: str, iso3166_tab: str, zi: str) -> str:
    """The zone table's module text, from the IANA files (tzdata ``version``).

    For every zone name of ``tzdata.zi`` (zones and links, the old names of ``backward``
    among them):

    - its *clocks*: the countries where it is the local time, by IANA's own lists: the
      countries ``zone1970.tab`` gives its zone (those whose clocks have agreed with it since
      1970) and those ``zone.tab`` gives each name linked to the same zone (``Europe/Monaco``,
      linked to ``Europe/Paris``, makes Paris's clock Monaco's too);
    - its *home*: the one country the name itself places a prospect in, or none. A name
      ``zone.tab`` lists has the country it is listed under (``Europe/Paris``: FR). Another
      name (an old alias such as ``US/Eastern``) has the country its first part names, when
      its clocks include it (``Canada/Eastern``: CA; ``Iceland``: IS); else the country of
      the ``zone.tab`` names linked to the same zone, when they all have one (``US/Eastern``:
      the zone's only name is ``America/New_York``, US). ``America/Montreal`` has none: its
      zone is Toronto's and the Bahamas' too. Rule names (:data:`RULE_NAMES`), ``UTC`` and
      ``Etc/...`` belong to no country and have no clocks.
    """
    listed = {row[2]: row[0] for row in _rows(zone_tab)}  # each name once, one country
    since_1970 = {row[2]: row[0].split(",") for row in _rows(zone1970_tab)}
    names_of = {row[1].lower(): row[0] for row in _rows(iso3166_tab)}
    codes = set(names_of.values())
    target: dict[str, str] = {}
    for line in zi.splitlines():
        parts = line.split()
        if parts and parts[0] == "Z":
            target[parts[1]] = parts[1]
        elif parts and parts[0] == "L":
            target[parts[2]] = parts[1]
    linked: defaultdict[str, set[str]] = defaultdict(set)  # zone -> the names linked to it
    for name, zone in target.items():
        assert target[zone] == zone, f"{name} links to {zone}, itself a link"
        linked[zone].add(name)
    clocks: dict[str, frozenset[str]] = {}
    for zone, names in linked.items():
        found = set(since_1970.get(zone, ())) | {listed[n] for n in names if n in listed}
        for name in names:
            clocks[name] = frozenset() if name in RULE_NAMES else frozenset(found)
    rows: list[str] = []
    for name in sorted(target):
        here = clocks[name]
        home: str | None = None
        if name in listed:
            home = listed[name]
        elif here:
            part = name.split("/")[0]
            said = part if part in codes else names_of.get(part.lower())
            places = {listed[n] for n in linked[target[name]] if n in listed}
            if said in here:
                home = said
            elif len(places) == 1:
                (home,) = places
        rows.append(_entry(name, home, here))
    examples: dict[str, str] = {}
    for name, country in listed.items():  # zone.tab's order: the most populous first
        examples.setdefault(country, name)
    return _ZONE_MODULE.format(
        version=version,
        zones="\n".join(rows),
        examples="\n".join(f'    "{c}": "{z}",' for c, z in sorted(examples.items())),
    )


def _entry(name: str, home: str | None, clocks: frozenset[str]) -> str:
    """One zone's line of the table, as ``ruff format`` writes it."""
    values = ("None" if home is None else f'"{home}"', f'"{" ".join(sorted(clocks))}"')
    row = f'    "{name}": ({values[0]}, {values[1]}),'
    if len(row) > 100:
        row = f'    "{name}": (\n        {values[0]},\n        {values[1]},\n    ),'
    return row


_ZONE_MODULE = '''"""Which countries each IANA time zone belongs to.

GENERATED by ``python docs/generate.py`` from tzdata {version} (``zone.tab``, ``zone1970.tab``,
``iso3166.tab``, ``tzdata.zi``); do not edit.

See ``zone_module`` in ``docs/generate.py`` for how each column is read from the IANA files.
"""

TZDATA = "{version}"
"""The IANA release the table was generated from."""

ZONES: dict[str, tuple[str | None, str]] = {{
{zones}
}}
"""Each zone name: its *home*, the one country (ISO 3166-1 alpha-2) the name places a prospect
in (None: a name shared by several, or of none, such as ``UTC``), and its *clocks*, the
countries where it is the local time (space-separated; empty for ``UTC``, ``Etc/...`` and the
rule names ``EST``, ``CET``...)."""

EXAMPLES: dict[str, str] = {{
{examples}
}}
"""Each country's first zone in ``zone.tab`` (its most populous, where geography allows)."""
'''


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
