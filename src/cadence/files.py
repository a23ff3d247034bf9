"""Reading cadence's inputs from files (an edge: the core never imports this).

Every reader raises :class:`cadence.errors.InvalidInputError` naming the file, the line and the
field, never ``OSError``, ``JSONDecodeError`` or ``UnicodeDecodeError``, so that a command line or
a batch job can report one clear line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cadence.errors import CadenceError, InvalidInputError
from cadence.events import Event, explain_validation_error, parse_event
from cadence.policy import Policy
from cadence.prospect import Prospect

__all__ = ["read_events", "read_policy", "read_prospect"]


def _text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{path}: no such file; check the path"
        raise InvalidInputError(msg, field="path", value=str(path)) from None
    except IsADirectoryError:
        msg = f"{path}: is a directory; pass a file"
        raise InvalidInputError(msg, field="path", value=str(path)) from None
    except UnicodeDecodeError:
        msg = f"{path}: not UTF-8 text; save it as UTF-8 JSON"
        raise InvalidInputError(msg, field="path", value=str(path)) from None
    except OSError as exc:
        msg = f"{path}: cannot be read ({exc.strerror})"
        raise InvalidInputError(msg, field="path", value=str(path)) from None


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        raise InvalidInputError(msg, field="json", value=None) from None
    except RecursionError:
        msg = f"{where}: JSON nested too deeply"
        raise InvalidInputError(msg, field="json", value=None) from None


def _model(model: type[Prospect] | type[Policy], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        msg = f"{where}: expected a JSON object, got {type(data).__name__}"
        raise InvalidInputError(msg, field=where, value=None)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = explain_validation_error(exc, model.__name__.lower())
        raise InvalidInputError(f"{where}: {err}", field=err.field, value=err.value) from None
    except (ValueError, TypeError) as exc:  # a validator's own message
        raise InvalidInputError(f"{where}: {exc}", field=where, value=None) from None


def read_prospect(path: str | Path) -> Prospect:
    """A stored prospect state (the JSON ``Prospect.model_dump_json`` writes)."""
    where = str(path)
    result: Prospect = _model(Prospect, _json(_text(path), where), where)
    return result


def read_policy(path: str | Path) -> Policy:
    """A policy from JSON, or from YAML (``.yaml``/``.yml``, needs PyYAML)."""
    where = str(path)
    text = _text(path)
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            msg = f"{where}: YAML policies need PyYAML (pip install 'cadence[cli]'); or use JSON"
            raise InvalidInputError(msg, field="path", value=where) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            msg = f"{where}: not valid YAML ({str(exc).splitlines()[0]})"
            raise InvalidInputError(msg, field="yaml", value=None) from None
        data = {} if data is None else data
    else:
        data = _json(text, where)
    result: Policy = _model(Policy, data, where)
    return result


def read_events(path: str | Path) -> list[Event]:
    """Events, one JSON object per line (JSONL); blank lines are skipped."""
    out: list[Event] = []
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        data = _json(line, where)
        try:
            out.append(parse_event(data))
        except CadenceError as exc:
            raise InvalidInputError(f"{where}: {exc}", field=exc.field, value=exc.value) from None
    return out
