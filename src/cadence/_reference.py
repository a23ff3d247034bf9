"""Reference pages generated from the data itself: the policy's JSON Schema and the calling rules.

``docs/policy.md`` is :func:`policy_reference` and the table in ``docs/compliance.md`` is
:func:`calling_rules_table`, written by ``cadence policy reference`` and ``cadence compliance``;
tests keep the checked-in pages equal to what these functions produce, so the docs cannot drift
from the code.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cadence.compliance import PRESETS
from cadence.schema import json_schema

__all__ = ["calling_rules_table", "policy_reference"]

_INTRO = """\
# Policy reference

Every knob of `cadence.Policy`, generated from its JSON Schema (`cadence schema policy`, also
checked in as [`schema/policy.json`](schema/policy.json)) by `cadence policy reference`; a test
keeps this page equal to the code. Every field has a default: a policy file names only what it
changes, in JSON or YAML.

```yaml
# team.yaml: check it with `cadence policy validate team.yaml`
min_gap_business_days: 3
opt_out_offer_after: 4
weekmask: "1111001"          # Sunday to Thursday
team_country: IL
call_slots:
  - {name: morning, start: "09:30", end: "12:00"}
  - {name: afternoon, start: "14:00", end: "17:30"}
```

Times are local wall-clock times of the prospect (`HH:MM`), windows are half-open
`[start, end)`, and the rule ids in the descriptions are the [practices](practices.md).
"""


def _text(value: str) -> str:
    """Schema text as Markdown: RST double backticks become code spans; pipes are escaped."""
    return re.sub(r"``(.+?)``", r"`\1`", value).replace("|", "\\|").replace("\n", " ")


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        kinds = [_type(p) for p in prop["anyOf"]]
        return " or ".join(kinds)
    if "enum" in prop:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in prop["enum"])
    kind = prop.get("type", "any")
    if kind == "array":
        item = _type(prop.get("items", {}))
        return f"set of {item}" if prop.get("uniqueItems") else f"list of {item}"
    if "format" in prop:
        return f"{kind} ({prop['format']})"
    return str(kind)


def _bounds(prop: dict[str, Any]) -> str:
    if "anyOf" in prop:  # `int | None`: the bounds of the branch that has them
        return next(filter(None, map(_bounds, prop["anyOf"])), "")
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None and low == high:
        return f"{low}"
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"≥ {low}"
    if high is not None:
        return f"≤ {high}"
    if "minLength" in prop and prop["minLength"] == prop.get("maxLength"):
        return f"{prop['minLength']} characters"
    if "minLength" in prop:
        return "not empty"
    if "minItems" in prop:
        return f"at least {prop['minItems']}"
    return ""


def _default(prop: dict[str, Any]) -> str:
    if "default" not in prop:
        return "required"
    if "$ref" in prop:
        return "see below"
    return f"`{json.dumps(prop['default'], ensure_ascii=False)}`"  # pipes in code are safe


def _table(schema: dict[str, Any]) -> list[str]:
    rows = ["| field | type | default | allowed | meaning |", "|---|---|---|---|---|"]
    for name, prop in schema["properties"].items():
        desc = _text(prop.get("description", ""))
        cells = (f"`{name}`", _type(prop), _default(prop), _bounds(prop), desc)
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def policy_reference() -> str:
    """The policy reference page (Markdown), generated from ``Policy``'s JSON Schema."""
    schema = json_schema("policy")
    lines = [_INTRO, "## Policy", "", _text(schema["description"]), "", *_table(schema)]
    for name, sub in sorted(schema["$defs"].items()):
        lines += ["", f"## {name}", "", _text(sub.get("description", ""))]
        if "enum" in sub:  # a closed set of strings, not an object
            lines += ["", f"One of {', '.join(f'`{json.dumps(v)}`' for v in sub['enum'])}."]
        else:
            lines += ["", *_table(sub)]
    return "\n".join(lines) + "\n"


def calling_rules_table() -> str:
    """The shipped legal calling rules (``cadence.compliance.PRESETS``) as a Markdown table."""
    rows = [
        "| rule (cited as) | where | calls allowed (local time) | holidays | cap | in force from"
        " | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in PRESETS:
        where = rule.country + (f"-{rule.subdivision}" if rule.subdivision else "")
        cap = str(rule.cap) if rule.cap else "—"
        cells = (
            f"`{rule.key()}`<br>{_text(rule.name)}",
            where,
            rule.hours(),
            "no calls" if rule.no_holidays else "—",
            cap,
            rule.effective_from.isoformat(),
            f"[{rule.source.split('/')[2]}]({rule.source})",
        )
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"
