"""The core is pure (DESIGN §7, §9): no clock, no environment, no files, no edges."""

from __future__ import annotations

import ast
import pathlib

import cadence

CORE = [
    "_agenda",
    "_checked",
    "_clock",
    "_columns",
    "_construct",
    "_day",
    "_day_parts",
    "_extra_touches",
    "_inputs",
    "_json_values",
    "_fold",
    "_fold_base",
    "_fold_channels",
    "_fold_meetings",
    "_choosing",
    "_ladder",
    "_migrations",
    "_numbers",
    "_one_email",
    "_one_touch",
    "_placing",
    "_reference",
    "_replay",
    "_replay_ids",
    "_rep_hours",
    "_sample",
    "_stretches",
    "_suppression",
    "_talk",
    "_templates",
    "_templates_de",
    "_templates_es",
    "_templates_fr",
    "_words",
    "_writing",
    "_zone_table",
    "_zones",
    "actions",
    "batch",
    "businessdays",
    "calendar",
    "channel",
    "compliance",
    "_calling_presets",
    "engine",
    "errors",
    "events",
    "lifecycle",
    "policy",
    "prospect",
    "schema",
    "simulation/__init__",
    "simulation/_answers",
    "simulation/_checks",
    "simulation/_compare",
    "simulation/_events",
    "simulation/_floor",
    "simulation/_life",
    "simulation/_luck",
    "simulation/_population",
    "simulation/_responder",
    "simulation/_result",
    "simulation/_run",
    "simulation/_simulate",
]
#: Edges inside subpackages: they may do what the core may not (processes, plots).
SUB_EDGES = {"simulation/_parallel", "simulation/plot"}
#: Where the core hands over to an edge on demand (``result.plot(path)``, ``workers=2``): an
#: import inside a function, never at module level, so importing the core loads no edge.
HANDOVERS = {
    ("simulation/_result", "cadence.simulation.plot"),
    ("simulation/_compare", "cadence.simulation.plot"),
    ("simulation/_simulate", "cadence.simulation._parallel"),
}
PACKAGE = pathlib.Path(cadence.__file__).resolve().parent
CLOCK_METHODS = {"now", "utcnow", "today", "monotonic", "perf_counter", "getenv", "localtime"}
BUILTINS = {"open", "input", "print"}
FORBIDDEN_IMPORTS = {
    "os",
    "time",
    "random",
    "socket",
    "typer",
    "rich",
    "icalendar",
    "yaml",
    "cadence.cli",
    "cadence._cli_common",
    "cadence._cli_rules",
    "cadence._cli_simulate",
    "cadence.files",
    "cadence._files_settings",
    "cadence._files_text",
    "cadence.invitations",
    "subprocess",
    "shutil",
    "cadence.dask",
    "dask",
    "distributed",
    "pandas",
    "polars",
    "concurrent.futures",
    "multiprocessing",
    "matplotlib",
    "cadence.simulation.plot",
    "cadence.simulation._parallel",
}


def _tree(name: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{name}.py").read_text())


def test_core_reads_no_clock_environment_or_files() -> None:
    for name in CORE:
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute):
                    assert func.attr not in CLOCK_METHODS, f"{name}.py calls .{func.attr}()"
                elif isinstance(func, ast.Name):
                    assert func.id not in BUILTINS, f"{name}.py calls {func.id}()"
            if isinstance(node, ast.Attribute) and node.attr == "environ":
                raise AssertionError(f"{name}.py reads the environment")


def test_core_imports_no_edges() -> None:
    for name in CORE:
        tree = _tree(name)
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                modules = {node.module or ""}
            else:
                continue
            handover = {m for m in modules if (name, m) in HANDOVERS}
            if handover:
                assert id(node) not in top_level, f"{name}.py imports {handover} at module level"
                modules -= handover
            assert not modules & FORBIDDEN_IMPORTS, f"{name}.py imports {modules}"


def test_every_core_module_is_checked() -> None:
    # _table and its parts (pyarrow, numpy) are reached from cadence.batch only inside the
    # functions that need them; tests/test_batch_table.py checks that importing the core loads
    # no optional extra.
    table = {
        "_table",
        "_table_arrays",
        "_table_index",
        "_table_meetings",
        "_table_slots",
        "_table_suppression",
        "_table_verify",
    }
    cli = {"cli", "_cli_common", "_cli_notes", "_cli_rules", "_cli_simulate"}
    files = {"files", "_files_settings", "_files_text"}
    edges = {"__init__", "__main__", *cli, "dask", *files, "invitations", "testing", *table}
    present = {p.stem for p in PACKAGE.glob("*.py")} - edges
    present |= {f"simulation/{p.stem}" for p in (PACKAGE / "simulation").glob("*.py")} - SUB_EDGES
    assert present == set(CORE)


def test_import_cadence_loads_no_plotting_or_processes() -> None:
    """``import cadence`` (which brings ``cadence.simulate``) loads neither matplotlib nor the
    process pool: they are edges, loaded only when a plot or a parallel run is asked for."""
    import subprocess
    import sys

    code = (
        "import sys, cadence, cadence.simulation; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'concurrent', 'multiprocessing') or m in "
        "('cadence.simulation.plot', 'cadence.simulation._parallel')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(PACKAGE.parent)},
    )
    assert done.stdout.strip() == "[]"
