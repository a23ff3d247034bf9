"""The policy's JSON Schema says what ``Policy`` accepts: an editor or a Java client that checks
a policy file against ``docs/schema/policy.json`` admits what cadence loads and flags what it
refuses (field by field; what depends on several fields, such as disjoint slots, the schema
cannot say)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cadence import Policy
from cadence.errors import InvalidInputError
from cadence.schema import json_schema
from cadence.testing import policies

SCHEMA = json_schema("policy")

_TYPES = {
    # JSON Schema's integer is a number with no fraction: 4.0 is one
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def refusals(schema: dict[str, Any], value: Any) -> list[str]:
    """What the policy schema's keywords refuse in ``value`` (JSON Schema 2020-12, for the
    keywords the schema uses; ``format`` is not checked): empty when it admits it."""
    if "$ref" in schema:
        return refusals(SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]], value)
    if "anyOf" in schema:
        each = [refusals(branch, value) for branch in schema["anyOf"]]
        return [] if [] in each else [f"anyOf: {each}"]
    kind = schema.get("type")
    if kind is not None and not _TYPES[kind](value):
        return [f"not {kind}: {value!r}"]
    out: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"enum: {value!r}")
    if "minimum" in schema and value < schema["minimum"]:
        out.append(f"minimum: {value!r}")
    if "maximum" in schema and value > schema["maximum"]:
        out.append(f"maximum: {value!r}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"pattern: {value!r}")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1e9):
            out.append(f"length: {value!r}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            out.append(f"minItems: {value!r}")
        if schema.get("uniqueItems") and len({json.dumps(v) for v in value}) < len(value):
            out.append(f"uniqueItems: {value!r}")
        if len(value) > schema.get("maxItems", len(value)):
            out.append(f"maxItems: {value!r}")
        first = schema.get("prefixItems", [])
        for item, each in zip(value, first, strict=False):
            out += refusals(each, item)
        for item in value[len(first) :]:
            out += refusals(schema.get("items", {}), item)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        out += [f"required: {name}" for name in schema.get("required", ()) if name not in value]
        for name, item in value.items():
            if name in props:
                out += refusals(props[name], item)
            elif schema.get("additionalProperties") is False:
                out.append(f"additional: {name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                out += refusals(schema["additionalProperties"], item)
    return out


def _loads(data: dict[str, Any]) -> bool:
    try:
        Policy.model_validate_json(json.dumps(data))
    except ValueError:  # pydantic's ValidationError, or a SchemaVersionError
        return False
    return True


_RULE = {
    "id": "us-ak-own",
    "version": "1",
    "name": "Our counsel's reading",
    "country": "US",
    "subdivision": "AK",
    "channels": ["phone"],
    "windows": {"0": [["09:00", "17:00"]]},
    "cap": {"count": 3, "per": "PT24H"},
    "effective_from": "2024-01-01",
    "source": "https://example.org/statute",
}
_BASE: dict[str, Any] = {
    "calling_rules": [_RULE],
    "weekday_hours": [
        {
            "weekday": 0,
            "channel": "phone",
            "slots": [{"name": "a", "start": "10:00", "end": "12:00"}],
        }
    ],
    "extra_holidays": ["2026-12-24"],
}


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(_BASE)
    where: Any = data
    for key in path[:-1]:
        where = where.setdefault(key, {}) if isinstance(where, dict) else where[key]
    where[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("schema_version",), 0),
        (("schema_version",), 2),
        (("schema_version",), 1),
        (("weekmask",), "0000000"),
        (("weekmask",), "111110"),
        (("weekmask",), "11111000"),
        (("weekmask",), "mon-fri"),
        (("weekmask",), "1000001"),
        (("call_slots",), []),
        (("email_hours",), []),
        (("flexible_slots",), []),
        (("call_slots",), [{"name": "late", "start": "24:00", "end": "24:00"}]),
        (("email_hours",), [{"name": "late", "start": "22:00", "end": "24:00"}]),
        (("extra_holidays",), ["2026-12-24", "2026-12-24"]),
        (("calling_rules", 0, "channels"), []),
        (("calling_rules", 0, "channels"), ["phone", "phone"]),
        (("calling_rules", 0, "id"), "US-AK"),
        (("calling_rules", 0, "version"), "v 1"),
        (("calling_rules", 0, "name"), "  "),
        (("calling_rules", 0, "country"), "us"),
        (("calling_rules", 0, "subdivision"), "US-AK"),
        (("calling_rules", 0, "source"), "example.org"),
        (("calling_rules", 0, "cap", "count"), 0),
        (("calling_rules", 0, "windows", "0"), [["09:00", "24:00"]]),
    ],
)
def test_the_schema_admits_what_a_policy_loads_and_no_more(
    path: tuple[Any, ...], value: Any
) -> None:
    """The schema said any integer was a ``schema_version``, any text a ``weekmask``, no slot
    at all was calling hours, and ``24:00`` was a start: an editor passed files that cadence
    refused. It refused holidays or channels listed twice, which cadence loads."""
    data = _with(path, value)
    assert refusals(SCHEMA, _BASE) == []
    assert _loads(data) == (refusals(SCHEMA, data) == []), refusals(SCHEMA, data)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(policies())
def test_a_policy_written_out_loads_back_and_its_schema_admits_it(policy: Policy) -> None:
    written = json.loads(policy.model_dump_json())
    assert refusals(SCHEMA, written) == []
    assert Policy.model_validate_json(policy.model_dump_json()) == policy
    assert Policy.model_validate(yaml.safe_load(yaml.safe_dump(written))) == policy


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"call_slots": [{"name": "late", "start": "24:00", "end": "24:00"}]},
            "call_slots.0.start",
        ),
        (
            {"calling_rules": [{**_RULE, "windows": {"0": [["20:00", "24:00"]]}}]},
            "calling_rules.0.windows.0.0.1",
        ),
    ],
)
def test_midnight_where_it_cannot_be_says_what_to_write(data: dict[str, Any], field: str) -> None:
    """``24:00`` is the day's end: a slot's end may say it, a start or a legal window's end
    may not. pydantic said only "hour value is outside expected range of 0-23"."""
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate(data)
    error = caught.value.errors()[0]
    assert ".".join(map(str, error["loc"])) == field
    assert "'24:00'" in error["msg"]
    assert "00:00" in error["msg"] or "23:59" in error["msg"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"extra_holidays": [0]}, "extra_holidays.0"),
        ({"extra_holidays": [20261224]}, "extra_holidays.0"),
        ({"extra_holidays": ["2026-12-24", 1798070400]}, "extra_holidays.1"),
        ({"calling_rules": [{**_RULE, "effective_from": 0}]}, "calling_rules.0.effective_from"),
    ],
)
def test_a_date_written_as_a_number_is_refused_saying_how_to_write_it(
    data: dict[str, Any], field: str
) -> None:
    """pydantic reads a number as seconds since 1970: ``extra_holidays: [0]`` made 1 January
    1970 the team's holiday without a word (the schema refused it), and ``20261224`` was
    refused as "Datetimes provided to dates should have zero time"."""
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate(data)
    error = caught.value.errors()[0]
    assert ".".join(map(str, error["loc"])) == field
    assert "write the date as text" in error["msg"]
    assert refusals(SCHEMA, data)


#: The policy's knobs that its schema says are a whole number or a boolean, at any depth.
_NUMBERS_AND_FLAGS: list[tuple[Any, ...]] = [
    *[
        (name,)
        for name, spec in SCHEMA["properties"].items()
        if {spec.get("type"), *(b.get("type") for b in spec.get("anyOf", []))}
        & {"integer", "boolean"}
        and name != "schema_version"  # (check_version's own message: test_errors)
    ],
    ("calling_rules", 0, "cap", "count"),
    ("calling_rules", 0, "no_holidays"),
    ("weekday_hours", 0, "weekday"),
]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_NUMBERS_AND_FLAGS),
    st.one_of(
        st.booleans(),
        st.integers(-2, 400),
        st.sampled_from([0.0, 1.0, 4.0, 2.5]),
        st.sampled_from(["4", "1", "0", "true", "yes", "off", " 4", "4.0", ""]),
        st.none(),
    ),
)
def test_a_number_or_a_flag_loads_exactly_when_the_schema_admits_it(
    path: tuple[Any, ...], value: Any
) -> None:
    """``"4"`` loaded as 4 business days and ``1`` as true, where the schema (and a Java
    client or an editor checking a file against it) wants a number or a boolean."""
    data = _with(path, value)
    assert _loads(data) == (refusals(SCHEMA, data) == []), (path, value, refusals(SCHEMA, data))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"min_gap_business_days": "4"},
            "min_gap_business_days: expected a whole number, got the text '4'; write the "
            "number without quotes",
        ),
        (
            {"voicemail_email": 1},
            "voicemail_email: expected true or false, got the number 1; write true or false",
        ),
        (
            {"legal_guards": "false"},
            "legal_guards: expected true or false, got the text 'false'; write false without "
            "quotes",
        ),
    ],
)
def test_a_number_or_a_flag_in_quotes_says_how_to_write_it(
    tmp_path: Any, data: dict[str, Any], message: str
) -> None:
    from cadence.files import read_policy

    path = tmp_path / "policy.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InvalidInputError) as info:
        read_policy(path)
    assert str(info.value) == f"{path}: {message}", str(info.value)


def test_yaml_still_writes_its_numbers_and_flags_as_yaml_does(tmp_path: Any) -> None:
    """YAML 1.1's ``yes`` and ``off`` are booleans, and ``010`` the number its writer meant
    (cadence's YAML reader keeps them as text for the fields that are not numbers): they
    still load. A quoted number is text, as in JSON."""
    from cadence.files import read_policy

    path = tmp_path / "team.yaml"
    path.write_text("voicemail_email: no\nlegal_guards: On\nmin_gap_business_days: 010\n")
    policy = read_policy(path)
    assert (policy.voicemail_email, policy.legal_guards) == (False, True)
    assert policy.min_gap_business_days == 10
    path.write_text("min_gap_business_days: '4'\n")
    with pytest.raises(ValueError, match="got the text '4'; write the number without quotes"):
        read_policy(path)
