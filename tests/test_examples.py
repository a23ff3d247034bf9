"""The examples in examples/ run, and do what their docstrings say (issue 7)."""

from __future__ import annotations

import pathlib
import runpy
import subprocess
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def test_crm_sqlite_handles_webhooks_as_design_section_9_says(tmp_path: pathlib.Path) -> None:
    main = runpy.run_path(str(EXAMPLES / "crm_sqlite.py"))["main"]
    result: dict[str, Any] = main(f"sqlite:///{tmp_path / 'crm.db'}")
    # applied, duplicate (no-op), conflicting id, applied, late (replayed), opt-out,
    # naive time, broken JSON, a promise, unknown prospect, a bounce, a new address and owner,
    # a late voicemail (replayed from the enrolment facts)
    assert result["statuses"] == [200, 200, 409, 200, 200, 200, 422, 422, 200, 404, 200, 200, 200]
    assert result["stored_events"] == 8  # duplicates and refused deliveries are not stored
    # The CRM's columns follow the state, and the replay kept the change to the record.
    assert result["records"]["acme-6"] == ("ben", "ray.diaz@a.test", [])
    stages = result["stages"]
    assert stages["acme-2"] == "engaged"  # the late positive reply counted, after replay
    assert stages["acme-3"] == "opted_out"
    assert stages["acme-1"] == "unresponsive"
    planned = result["planned"]
    assert planned["acme-5"] == ("R1",)  # the promised call
    assert "acme-3" not in planned  # opted out (R13)
    assert "acme-4" not in planned  # suppressed by phone number
    assert result["counts"]["suppressed"] == 1


def test_crm_sqlite_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "crm_sqlite.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Tuesday's work" in done.stdout
    assert "409" in done.stdout


def test_plan_dataframe_gives_one_plan_from_polars_pandas_and_prospects() -> None:
    main = runpy.run_path(str(EXAMPLES / "plan_dataframe.py"))["main"]
    result: dict[str, Any] = main()
    assert result["same_plan"] is True
    assert result["rows"] == 120
    assert result["planned"] == sum(r["touches"] for r in result["per_rep"])
    assert all(r["touches"] <= (12 if r["channel"] == "phone" else 20) for r in result["per_rep"])
    assert result["deferred"] > 0  # the capacity binds, so the order matters
    assert sum(result["sources"].values()) == result["rows"] - result["counts"]["suppressed"]


def test_compare_policies_draws_the_comparison(tmp_path: pathlib.Path) -> None:
    main = runpy.run_path(str(EXAMPLES / "compare_policies.py"))["main"]
    png = tmp_path / "compare.png"
    c = main(png, prospects=150, days=60)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 20_000 < png.stat().st_size < 2_000_000
    assert c.a.metrics.violations == c.b.metrics.violations == 0
    assert c.a.metrics.prospects == c.b.metrics.prospects == 150
    assert "connect_rate" in c.intervals


def test_the_plot_shown_in_the_docs_is_a_png_the_example_wrote() -> None:
    shown = ROOT / "docs" / "img" / "compare-opt-out.png"
    assert "(img/compare-opt-out.png)" in (ROOT / "docs" / "simulation.md").read_text()
    assert shown.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shown.stat().st_size > 20_000


def test_every_example_is_run_by_a_test() -> None:
    source = pathlib.Path(__file__).read_text()
    for script in sorted(EXAMPLES.glob("*.py")):
        assert f'"{script.name}"' in source, f"{script.name} has no test in {__file__}"
