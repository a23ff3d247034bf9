"""Stored-state versions: one-step migrations, applied in order on load (DESIGN §9).

``PROSPECT_STEPS[v]`` turns a stored prospect of ``schema_version`` v into v + 1 (likewise
``POLICY_STEPS``). Version 1 is the first release, so both chains are empty today; the next schema
change adds one function here and a golden fixture under ``tests/fixtures/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from pydantic import ValidationError

from cadence.errors import SchemaVersionError

__all__ = ["POLICY_STEPS", "PROSPECT_STEPS", "check_version", "migrate", "raise_version_error"]

Step = Callable[[dict[str, Any]], dict[str, Any]]

PROSPECT_STEPS: dict[int, Step] = {}
POLICY_STEPS: dict[int, Step] = {}


def check_version(version: object, current: int, what: str) -> int:
    """``version`` if it is one this cadence reads (``1`` to ``current``); else a
    :class:`SchemaVersionError` (a ValueError) that says why (not a version; newer than this
    cadence: upgrade)."""
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        msg = f"schema_version: {version!r} is not a version; a stored {what} carries 1, 2, ..."
        raise SchemaVersionError(msg, field="schema_version", value=version)
    if version > current:
        msg = (
            f"schema_version {version} is newer than this cadence understands ({current}); "
            f"upgrade cadence to read this {what}"
        )
        raise SchemaVersionError(msg, field="schema_version", value=version)
    return version


def raise_version_error(exc: ValidationError) -> NoReturn:
    """Raise the :class:`SchemaVersionError` that made ``exc`` (pydantic wraps what a validator
    raises in its own error), else ``exc`` itself: a loader's ``except`` re-raises through this,
    so that a host's ``except cadence.SchemaVersionError`` sees a state it cannot read."""
    for err in exc.errors(include_url=False):
        found = err.get("ctx", {}).get("error")
        if isinstance(found, SchemaVersionError):
            raise found from None
    raise exc


def migrate(data: Any, current: int, steps: dict[int, Step], what: str) -> Any:
    """``data`` brought to ``current`` through the one-step chain; newer versions refused."""
    if not isinstance(data, dict):
        return data  # pydantic reports the type error with its own message
    version = check_version(data.get("schema_version", current), current, what)
    while version < current:
        step = steps.get(version)
        if step is None:
            msg = (
                f"schema_version: no migration of a {what} from version {version}; upgrade cadence"
            )
            raise ValueError(msg)
        data = {**step(dict(data)), "schema_version": version + 1}
        version += 1
    return data
