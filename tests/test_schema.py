"""JSON Schemas for integrators: what the models produce, checked into docs/schema/ (DESIGN §6)."""

from __future__ import annotations

import json
import pathlib
import re
from datetime import datetime

import pytest
from pydantic import TypeAdapter
from typer.testing import CliRunner

import cadence
from cadence import events as ev
from cadence.cli import SchemaChoice, app
from cadence.errors import InvalidInputError
from cadence.schema import SCHEMA_NAMES, json_schema, schema_text

ROOT = pathlib.Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_checked_in_schema_is_what_the_models_produce(name: str) -> None:
    """docs/schema/NAME.json is current; regenerate with `python docs/generate.py`."""
    assert (ROOT / "docs" / "schema" / f"{name}.json").read_text() == schema_text(name)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_cadence_schema_prints_it(name: str) -> None:
    result = runner.invoke(app, ["schema", name])
    assert result.exit_code == 0
    assert json.loads(result.output) == json_schema(name)


def test_the_command_offers_exactly_the_schemas() -> None:
    assert tuple(c.value for c in SchemaChoice) == SCHEMA_NAMES
    assert runner.invoke(app, ["schema", "invoice"]).exit_code == 2


def test_policy_schema_is_the_same_text() -> None:
    assert runner.invoke(app, ["policy", "schema"]).output == schema_text("policy")


def test_an_unknown_name_is_an_input_error() -> None:
    with pytest.raises(InvalidInputError, match=r"'invoice' is not a schema; use one of action"):
        json_schema("invoice")


def test_schemas_are_draft_2020_12_and_describe_the_fields() -> None:
    for name in SCHEMA_NAMES:
        schema = json_schema(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["description"]
    props = json_schema("policy")["properties"]
    assert all(p.get("description") for p in props.values()), [
        k for k, p in props.items() if not p.get("description")
    ]
    assert "R3" in props["min_gap_business_days"]["description"]


def test_the_event_schema_discriminates_every_event_type() -> None:
    schema = json_schema("event")
    assert schema["discriminator"]["propertyName"] == "type"
    assert sorted(schema["discriminator"]["mapping"]) == sorted(ev.EVENT_TYPES)
    assert schema["$defs"]["CallAttempted"]["properties"]["at"]["format"] == "date-time"


def test_what_cadence_writes_has_the_fields_its_schema_requires(
    engine: cadence.Engine, monday: datetime
) -> None:
    """The schemas describe the JSON cadence really reads and writes: required fields are
    present and no field is outside the schema's properties."""
    p = engine.enroll("p", timezone="America/Chicago", at=monday, country="US")
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail", id="a"))
    act = engine.next_action(p, monday)
    event = ev.EmailReplied(at=monday, intent="not_now", resume_at=monday.replace(month=4))
    for name, data in (
        ("prospect", json.loads(p.model_dump_json())),
        ("action", json.loads(act.model_dump_json())),
        ("policy", json.loads(cadence.Policy().model_dump_json())),
    ):
        schema = json_schema(name)
        assert set(schema.get("required", ())) <= set(data), name
        assert set(data) <= set(schema["properties"]), name
    written = json.loads(TypeAdapter(ev.Event).dump_json(event))
    sub = json_schema("event")["$defs"]["EmailReplied"]
    assert set(sub["required"]) <= set(written) <= set(sub["properties"])


@pytest.mark.parametrize("written", ["09:00", "9:00", "24:00", "17:30:00", "23:59:59.999999"])
def test_the_policy_schema_admits_the_clock_times_a_policy_loads(written: str) -> None:
    """An editor that checks a policy file against docs/schema/policy.json flagged ``9:00`` and
    ``24:00`` (JSON Schema's ``format: time`` wants ``HH:MM:SS`` and an offset), which the
    policy loads; the schema says what the loader reads."""
    slot = json_schema("policy")["$defs"]["TimeSlot"]["properties"]
    for field in ("start", "end") if written != "24:00" else ("end",):
        schema = slot[field]
        assert "format" not in schema
        assert re.fullmatch(schema["pattern"], written)
    assert not re.fullmatch(slot["end"]["pattern"], "25:00")
    assert not re.fullmatch(slot["start"]["pattern"], "24:00")  # the day's end starts nothing


#: Every keyword the schemas may use: JSON Schema 2020-12's, pydantic's annotations
#: (``title``, ``default``), and the OpenAPI ``discriminator`` the event schema carries.
_KEYWORDS = {
    "$schema", "$id", "$ref", "$defs", "title", "description", "default", "examples",
    "type", "enum", "const", "format", "anyOf", "oneOf", "allOf", "not", "items",
    "prefixItems", "properties", "required", "additionalProperties", "patternProperties",
    "propertyNames", "uniqueItems", "minItems", "maxItems", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
    "minProperties", "maxProperties", "readOnly", "writeOnly", "deprecated", "discriminator",
}  # fmt: skip


def _keywords(schema: object) -> set[str]:
    """The keywords used in a schema and all its subschemas (not the names of properties)."""
    if isinstance(schema, list):
        return set().union(*map(_keywords, schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in {"properties", "$defs", "patternProperties"}:
            found |= _keywords(list(value.values()))
        elif key not in {"default", "examples", "enum", "const", "discriminator", "required"}:
            found |= _keywords(value)
    return found


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_bound_is_written_as_json_schema_writes_it(name: str) -> None:
    """A Java or TypeScript validator knows ``minimum``, not pydantic's ``ge``: the policy
    schema said ``"ge": 1, "le": 3660`` for ``event_id_memory_days``, which validators
    ignore (and the policy reference showed no allowed range for it)."""
    unknown = _keywords(json_schema(name)) - _KEYWORDS
    assert not unknown, unknown
    if name == "policy":
        bounded = json_schema(name)["properties"]["event_id_memory_days"]["anyOf"][0]
        assert (bounded["minimum"], bounded["maximum"]) == (1, 3660)
