"""Shared test configuration: hypothesis profiles (dev, ci, long) and common fixtures."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings

import cadence

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck)
)
# The test process may read its environment; the library core never does.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def engine() -> cadence.Engine:
    """An engine with the default policy."""
    return cadence.Engine(cadence.Policy())


@pytest.fixture
def monday() -> datetime:
    """Monday 9 March 2026, 09:30 in Chicago (no holiday in the US or Illinois)."""
    return datetime(2026, 3, 9, 9, 30, tzinfo=CHICAGO)
