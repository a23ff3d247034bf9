"""A settings file (a policy, a simulation's responder): JSON, or YAML read as its writer meant
it. Part of the files edge (``cadence.files``); the core never imports it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from cadence._files_text import parse_json, read_text, reason
from cadence._numbers import YamlText
from cadence.errors import InvalidInputError

__all__ = ["settings", "yaml_loader"]


def settings(path: str | Path, what: str) -> Any:
    """A settings file's data: JSON, or YAML by its suffix (a YAML file of comments only is
    ``{}``: a template with every line commented out). A file with no text at all is refused:
    it is more often a write that failed than a choice, and read as the defaults it would drop
    a team's own calling rules without a word."""
    where = str(path)
    text = read_text(path)
    if not text.strip():
        one = {"policies": "policy", "responders": "responder"}[what]
        msg = f"{where}: the file is empty; write {{}} in it for the default {one}"
        raise InvalidInputError(msg, field="path", value=where)
    suffix = Path(path).suffix.lower()
    if suffix not in (".yaml", ".yml"):
        try:
            data = parse_json(text, where)
        except InvalidInputError as exc:
            if suffix == ".json" or not str(exc).startswith(f"{where}: not valid JSON"):
                raise
            # YAML is told by the suffix: a YAML file saved as team.txt is no JSON either
            one = {"policies": "a policy", "responders": "a responder"}[what]
            msg = (
                f"{exc}; {one} is JSON, or YAML in a file whose name ends .yaml or .yml: "
                f"if it is YAML, rename it {Path(path).stem}.yaml"
            )
            raise InvalidInputError(msg, field=exc.field, value=exc.value) from None
        _once_each(text, where)
        return data
    try:
        import yaml
    except ImportError:
        msg = f"{where}: YAML {what} need PyYAML (pip install 'cadence[cli]'); or use JSON"
        raise InvalidInputError(msg, field="path", value=where) from None
    try:
        data = yaml.load(text, Loader=yaml_loader())  # a SafeLoader, see there
    except _GivenTwice as twice:
        msg = (
            f"{where}:{twice.line}: {twice.key!r} is given twice (first on line {twice.first}); "
            "keep one: YAML reads the last and drops the other without a word"
        )
        raise InvalidInputError(msg, field=twice.key, value=None) from None
    except yaml.MarkedYAMLError as exc:
        raise InvalidInputError(_yaml_syntax(exc, where), field="yaml", value=None) from None
    except yaml.YAMLError as exc:
        msg = f"{where}: not valid YAML ({str(exc).splitlines()[0]})"
        raise InvalidInputError(msg, field="yaml", value=None) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # see _yaml_loader
        msg = f"{where}: not valid YAML (a value cannot be read: {reason(exc)})"
        raise InvalidInputError(msg, field="yaml", value=None) from None
    except RecursionError:  # (PyYAML builds nested values recursively)
        msg = f"{where}: not valid YAML (nested too deeply)"
        raise InvalidInputError(msg, field="yaml", value=None) from None
    return {} if data is None else data


def _once_each(text: str, where: str) -> None:
    """Refuse JSON text whose object names a key twice (``json`` keeps the last value and drops
    the other without a word: a team's weekmask written twice was the second). ``text`` is
    valid JSON."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                msg = (
                    f"{where}: {key!r} is given twice; keep one: JSON reads the last and drops "
                    "the other without a word"
                )
                raise InvalidInputError(msg, field=key, value=None)
            seen.add(key)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)


def _yaml_syntax(exc: Any, where: str) -> str:
    """A YAML syntax error as one line: the line, the column and what was found there."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "cannot be read"
    if mark is None:
        return f"{where}: not valid YAML ({problem})"
    hint = "; indent with spaces: YAML takes no tabs there" if "'\\t'" in problem else ""
    return f"{where}:{mark.line + 1}: not valid YAML ({problem} at column {mark.column + 1}){hint}"


class _GivenTwice(Exception):
    """A YAML mapping that names a key twice."""

    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


#: What YAML 1.1 reads as an octal number (``0000011`` is 9).
_OCTAL = re.compile(r"[-+]?0[0-7_]+")

# What YAML's own tags read, in words.
_KINDS = {"int": "an integer", "float": "a number", "bool": "true or false", "timestamp": "a date"}


@cache
def yaml_loader() -> type:
    """PyYAML's safe loader, except that a clock time stays text: YAML 1.1 reads an unquoted
    ``10:00`` as the base-60 number 600 (and ``1:30.5`` as a float), which pydantic would take
    for seconds after midnight. A policy's hours are ``HH:MM``, quoted or not. So does a
    number written with a leading zero, which YAML 1.1 reads as octal: a weekmask ``0000011``
    (weekends) became the number 9, refused with the advice to write "9"; as text it is the
    weekmask, and a whole number (``010``) is read as the decimal its writer meant. And so does
    a YAML 1.1 boolean other than ``true`` or ``false``: ``NO`` is Norway, ``ON`` Ontario, ``no``
    the Norwegian locale (each was refused as "got False"); a yes/no knob still reads ``yes``,
    ``no``, ``on`` and ``off`` as pydantic does. Such text is a :class:`YamlText`: a policy's
    numbers and knobs refuse text (``"4"``), but not what YAML itself wrote as a number or a
    boolean."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            # PyYAML's own constructors raise ValueError and others for a value they cannot
            # build: an impossible date (2026-02-30), an integer longer than Python reads
            # from text, a tag that does not fit (!!bool maybe). Name the line and the value.
            try:
                return super().construct_object(node, deep)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                shown = node.value if isinstance(node.value, str) else "this value"
                if len(shown) > 40:
                    shown = f"{shown[:20]}...{shown[-10:]}"
                tag = str(node.tag).rpartition(":")[2]
                kind = _KINDS.get(tag, tag)
                problem = f"line {node.start_mark.line + 1}: {shown!r} is not {kind}"
                if isinstance(exc, ValueError):
                    problem += f" ({reason(exc)})"
                raise yaml.constructor.ConstructorError(problem=problem) from None

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            # YAML keeps the last value of a key given twice and drops the other unseen
            first: dict[tuple[str, str], int] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag.endswith(":merge"):
                    continue
                line = key.start_mark.line + 1
                if (key.tag, key.value) in first:
                    raise _GivenTwice(key.value, line, first[key.tag, key.value])
                first[key.tag, key.value] = line
            return super().construct_mapping(node, deep)

    def number_or_clock(base: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def construct(loader: Any, node: Any) -> Any:
            text = loader.construct_scalar(node)
            if ":" in text or _OCTAL.fullmatch(text):
                return YamlText(text)
            return base(loader, node)

        return construct

    def word_or_bool(loader: Any, node: Any) -> Any:
        text = loader.construct_scalar(node)
        if text.lower() in ("true", "false") or text.lower() not in loader.bool_values:
            return loader.construct_yaml_bool(node)  # (an explicit !!bool maybe: an error)
        return YamlText(text)

    Loader.add_constructor("tag:yaml.org,2002:bool", word_or_bool)
    Loader.add_constructor("tag:yaml.org,2002:int", number_or_clock(Loader.construct_yaml_int))
    Loader.add_constructor("tag:yaml.org,2002:float", number_or_clock(Loader.construct_yaml_float))
    return Loader
