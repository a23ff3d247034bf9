"""The benchmark scripts still run (a smoke test: performance itself is never asserted here)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

import cadence

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script", ["engine.py", "calendar.py", "batch.py"])
def test_benchmark_script_runs_quick(script: str) -> None:
    src = pathlib.Path(cadence.__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ratios" in done.stdout
