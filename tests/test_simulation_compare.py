"""Comparing policies (common random numbers, paired bootstrap), plots and ``cadence
simulate`` on the command line."""

from __future__ import annotations

import os
import pathlib
import statistics
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import cadence
from cadence import Policy
from cadence.cli import app
from cadence.simulation import METRICS, Responder, compare, simulate
from cadence.simulation._compare import _median

PNG = b"\x89PNG\r\n\x1a\n"
ROOT = pathlib.Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_the_gap_cannot_change_who_ever_connects() -> None:
    """Two policies that differ only in the R3 gap (4 business days against 2).

    The gap decides *when* the next unanswered attempt may happen; it does not decide whether
    it happens, how many attempts the ladder has (R8 offers the opt-out after 3 unanswered
    attempts whatever the gap, then comes the breakup, R10), nor their order or channel. With
    common random numbers a prospect's n-th call is answered under both policies or under
    neither, and its n-th email gets the same reply luck. So whether a prospect *ever* has a
    conversation depends only on the attempts they receive, the same under both policies once
    the whole ladder fits in the horizon (120 days here, against a ladder of about six weeks):
    ``connect_rate``'s interval must contain 0. (Replies to drip touches cannot change it
    either: the drip needs permission, given only in a conversation, R12.)

    The same comparison must see what the gap does change: prospects connect sooner with the
    shorter gap (the interval for the median days to connect lies below 0). And a comparison
    of a policy with itself is 0 everywhere, as the pairing demands.
    """
    c = compare(
        Policy(), Policy(min_gap_business_days=2), prospects=400, days=120, seed=11, n_boot=400
    )
    assert c.a.metrics.violations == c.b.metrics.violations == 0
    connect = c.intervals["connect_rate"]
    assert connect.contains_zero, connect
    assert 0.3 < connect.a < 0.8  # type: ignore[operator]
    sooner = c.intervals["median_days_to_connect"]
    assert sooner.high is not None
    assert sooner.high < 0, sooner
    assert not sooner.contains_zero
    assert list(c.intervals) == list(METRICS)
    for iv in c.intervals.values():  # the lower percentile first, at the level asked for
        if iv.low is not None and iv.high is not None:
            assert iv.low <= iv.high, iv
    assert sooner.low is not None
    assert sooner.low < sooner.high  # the draws differ: a real interval, not a point


def test_a_policy_compared_with_itself_differs_by_nothing() -> None:
    c = compare(Policy(), Policy(), prospects=60, days=40, seed=2, n_boot=50)
    for iv in c.intervals.values():
        assert iv.difference in (0.0, None), iv
        # Where both point values exist, so do the resamples' (the same counts, the same
        # rep-days on both sides): an interval of exactly zero, never a missing one.
        if iv.difference is not None:
            assert (iv.low, iv.high) == (0.0, 0.0), iv
        else:
            assert iv.low is iv.high is None, iv
    assert c.intervals["touches_per_rep_day"].difference == 0.0


def test_an_undefined_interval_shows_no_difference() -> None:
    """Nobody ever answers: there is no conversation under either policy, so
    ``touches_per_connect`` and ``median_days_to_connect`` have no value, no difference and
    no interval. ``contains_zero`` said False for them, which reads as "the interval
    excludes 0, a difference is shown": a caller listing the metrics that moved (``if not
    iv.contains_zero``) listed these two, which moved nowhere."""
    c = compare(
        Policy(),
        Policy(min_gap_business_days=2),
        prospects=20,
        days=20,
        seed=1,
        n_boot=20,
        responder=Responder(),
    )
    for name in ("touches_per_connect", "median_days_to_connect"):
        iv = c.intervals[name]
        assert iv.difference is iv.low is iv.high is None, iv
        assert iv.contains_zero, iv
    moved = [m for m, iv in c.intervals.items() if not iv.contains_zero]
    assert all(c.intervals[m].low is not None for m in moved)


def test_bootstrap_is_seeded() -> None:
    args: dict[str, Any] = {"prospects": 60, "days": 40, "seed": 3, "n_boot": 100}
    gap = Policy(min_gap_business_days=2)
    assert compare(Policy(), gap, **args).intervals == compare(Policy(), gap, **args).intervals


@given(st.lists(st.floats(0, 100), min_size=1, max_size=12), st.data())
def test_weighted_median_is_the_median_of_the_resample(
    values: list[float], data: st.DataObject
) -> None:
    values.sort()
    weights = data.draw(st.lists(st.integers(0, 4), min_size=len(values), max_size=len(values)))
    expanded = [v for v, w in zip(values, weights, strict=True) for _ in range(w)]
    got = _median(np.array(values), np.array(weights))
    if not expanded:
        assert got is None
    else:
        assert got == pytest.approx(statistics.median(expanded))


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"n_boot": 1}, "n_boot"), ({"level": 1.5}, "level")]
)
def test_compare_rejects_bad_settings(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(cadence.InvalidInputError) as info:
        compare(Policy(), Policy(), prospects=5, days=5, seed=1, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("a", "b", "field"),
    [
        ("gap=2", Policy(), "policy_a"),
        (Policy(), {"gap": 2}, "policy_b"),
        (Policy(), None, "policy_b"),
    ],
    ids=["a-text", "b-dict", "b-none"],
)
def test_compare_names_the_policy_that_is_not_one(a: Any, b: Any, field: str) -> None:
    """Both were reported as ``policy``, so the message did not say which; a missing
    ``policy_b`` was taken for the default policy."""
    with pytest.raises(cadence.InvalidInputError) as info:
        compare(a, b, prospects=5, days=5, seed=1, n_boot=10)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def test_compare_checks_its_responder_and_progress_before_running() -> None:
    bad = Responder.typical().model_copy(update={"book_rate": -0.5})
    with pytest.raises(cadence.InvalidInputError, match=r"^responder: book_rate: -0\.5 is not"):
        compare(Policy(), Policy(), prospects=5, days=5, seed=1, n_boot=10, responder=bad)
    with pytest.raises(cadence.InvalidInputError, match=r"^progress: 'x' is not callable"):
        compare(Policy(), Policy(), prospects=5, days=5, seed=1, n_boot=10, progress="x")  # type: ignore[arg-type]


# -- plots --------------------------------------------------------------------------------------


def _is_png(path: pathlib.Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG)
    assert 20_000 < len(data) < 3_000_000, len(data)


def test_result_plot_writes_a_png(tmp_path: pathlib.Path) -> None:
    result = simulate(prospects=150, days=60, seed=1)
    out = result.plot(tmp_path / "run.png")
    assert out == tmp_path / "run.png"
    _is_png(out)


def test_a_run_with_nobody_enrolled_plots_without_a_warning(tmp_path: pathlib.Path) -> None:
    """One day of a run that enrols over five, seed 0: its one prospect arrives after the end,
    so no stage holds anyone. The stages panel asked matplotlib for a legend of nothing, and
    matplotlib warned (on the terminal of ``cadence simulate --plot``)."""
    empty = simulate(prospects=1, days=1, seed=0)
    assert empty.metrics.enrolled == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _is_png(empty.plot(tmp_path / "empty.png"))


def test_comparison_plot_writes_a_png(tmp_path: pathlib.Path) -> None:
    c = compare(Policy(), Policy(min_gap_business_days=2), prospects=60, days=40, seed=1, n_boot=20)
    _is_png(c.plot(tmp_path / "both.png"))


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("no-such-dir/run.png", "No such file or directory"),
        (".", "Is a directory"),
        (None, "is not a file path"),
        (5, "is not a file path"),
    ],
    ids=["no-directory", "a-directory", "none", "a-number"],
)
def test_a_plot_it_cannot_write_is_a_clear_input_error(
    tmp_path: pathlib.Path, where: Any, said: str
) -> None:
    """``result.plot`` let matplotlib's and the operating system's errors out as they were:
    a ``FileNotFoundError`` or ``IsADirectoryError`` for a path it cannot write, and a
    ``TypeError`` for something that is no path at all (DESIGN 9: none escapes). It is an
    input error naming ``path``, the value and the fix, as for the files cadence reads."""
    result = simulate(prospects=3, days=5, seed=1)
    path = tmp_path / where if isinstance(where, str) else where
    with pytest.raises(cadence.InvalidInputError) as info:
        result.plot(path)
    assert info.value.field == "path"
    shown = repr(str(path)) if isinstance(path, pathlib.Path) else repr(path)
    assert str(info.value).startswith(f"path: {shown} ")
    assert said in str(info.value)
    assert "give " in str(info.value)


# -- the command line ---------------------------------------------------------------------------


def test_cli_simulate_prints_the_metrics(tmp_path: pathlib.Path) -> None:
    result = runner.invoke(app, ["simulate", "--prospects", "40", "--days", "30", "--seed", "2"])
    assert result.exit_code == 0, result.output
    for name in ("connect_rate", "touches_per_connect", "violations"):
        assert name in result.output


def test_cli_simulate_says_how_many_were_enrolled_when_not_all() -> None:
    """Two days of a run that enrols over five: the rates are over those enrolled by the end,
    and the title says how many that is."""
    result = runner.invoke(app, ["simulate", "--prospects", "300", "--days", "2", "--seed", "1"])
    assert result.exit_code == 0, result.output
    enrolled = simulate(Policy(), prospects=300, days=2, seed=1).metrics.enrolled
    assert 0 < enrolled < 300
    title = " ".join(result.output.split())  # (the table wraps its title)
    assert f"300 prospects ({enrolled} enrolled by the end) x 2 days" in title
    whole = runner.invoke(app, ["simulate", "--prospects", "40", "--days", "30"])
    assert "enrolled" not in whole.output


def test_cli_simulate_says_how_many_reps_worked() -> None:
    """With capacity each rep works one territory (a time zone), so a run has at least one rep
    per zone: 40 prospects are one rep's book, but their zones need several. The capacity
    studied is per rep, so the title says how many reps there were; it did not."""
    args = ["--prospects", "40", "--days", "3", "--seed", "2"]
    capped = runner.invoke(app, ["simulate", *args, "--capacity", "5"])
    assert capped.exit_code == 0, capped.output
    reps = simulate(Policy(), prospects=40, days=3, seed=2, capacity=5).reps
    assert reps > 1
    assert f"x 3 days, {reps} reps, seed 2" in " ".join(capped.output.split())
    free = runner.invoke(app, ["simulate", *args])
    assert "x 3 days, 1 rep, seed 2" in " ".join(free.output.split())


def test_cli_simulate_runs_the_places_chosen() -> None:
    """``--places`` picks places of the default mix by ISO code, as ``places=`` does."""
    args = ["simulate", "--prospects", "60", "--days", "5", "--seed", "3"]
    result = runner.invoke(app, [*args, "--places", "us-ny, GB"])
    assert result.exit_code == 0, result.output
    chosen = [p for p in cadence.simulation.PLACES if p.country in {"US", "GB"}]
    chosen = [p for p in chosen if p.subdivision in {"NY", None}]
    expected = simulate(Policy(), prospects=60, days=5, seed=3, places=chosen).metrics
    everywhere = simulate(Policy(), prospects=60, days=5, seed=3).metrics
    assert expected.touches_per_rep_day != everywhere.touches_per_rep_day
    assert f"{expected.touches_per_rep_day:,.3f}" in result.output


@pytest.mark.parametrize(
    ("places", "says"),
    [
        ("XX", "--places: 'XX' is not a place of the default mix; choose from US-NY,"),
        ("US-NY,us-ny", "--places: 'us-ny' is given twice; give each place once"),
        (" , ", "--places: ' , ' names no place; give ISO codes, e.g. --places US-NY,GB"),
    ],
)
def test_cli_simulate_refuses_places_not_in_the_mix(places: str, says: str) -> None:
    result = runner.invoke(app, ["simulate", "--prospects", "5", "--days", "1", "--places", places])
    assert result.exit_code == 2
    assert says in " ".join(result.output.split())


def test_cli_simulate_names_the_places_a_policy_never_calls_as_flags(
    tmp_path: pathlib.Path,
) -> None:
    """A 08:00-09:00 call block never meets Toronto's or Paris's law: the library suggests
    ``places=`` code, which the command line cannot take; it says which --places to give."""
    narrow = tmp_path / "narrow.yaml"
    narrow.write_text('call_slots:\n  - {name: morning, start: "08:00", end: "09:00"}\n')
    args = ["simulate", "--policy", str(narrow), "--prospects", "20", "--days", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "--places: the policy's hours never meet the law" in said
    assert "give --places US-NY,US-IL,US-CO,US-CA,US-FL,US-OK,GB,DE,IN,AU-NSW," in said
    assert "places=" not in said
    rerun = runner.invoke(app, [*args, "--places", "US-NY,US-IL,US-CO,US-CA,GB,DE"])
    assert rerun.exit_code == 0, rerun.output
    only_paris = runner.invoke(app, [*args, "--places", "FR"])
    assert "no place is left" in " ".join(only_paris.output.split())


def test_cli_simulate_refuses_n_boot_without_compare() -> None:
    """``--n-boot`` is for ``--compare``: given alone it was ignored without a word."""
    result = runner.invoke(app, ["simulate", "--prospects", "5", "--days", "1", "--n-boot", "50"])
    assert result.exit_code == 2
    assert "--n-boot: bootstrap resamples are for --compare" in result.output


def test_cli_simulate_compares_and_plots(tmp_path: pathlib.Path) -> None:
    other = tmp_path / "gap2.yaml"
    other.write_text("min_gap_business_days: 2\n")
    png = tmp_path / "cmp.png"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--prospects",
            "40",
            "--days",
            "30",
            "--compare",
            str(other),
            "--plot",
            str(png),
            "--n-boot",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "B - A" in result.output
    assert "95% interval" in result.output
    _is_png(png)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--prospects", "0"], "--prospects: 0"),
        (["--days", "-3"], "--days: -3"),
        (["--policy", "missing.yaml"], "missing.yaml"),
        (["--capacity", "0"], "--capacity: 0"),
        (["--seed", "-1"], "--seed: -1 is not a whole number >= 0; give e.g. --seed 42"),
        (["--workers", "0"], "--workers: 0"),
    ],
)
def test_cli_simulate_user_errors_are_one_line(args: list[str], message: str) -> None:
    """One line, naming the option as typed (not the Python argument), and no blank line
    before it (the progress bar starts only once the run does)."""
    result = runner.invoke(app, ["simulate", "--prospects", "5", "--days", "5", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.splitlines()) == 1, repr(result.output)


@pytest.mark.parametrize("missing", [False, True])
def test_cli_simulate_refuses_a_plot_it_cannot_write_before_the_run(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, missing: bool
) -> None:
    """A PNG into no directory, or without matplotlib (the ``plot`` extra), is one line at
    once: not a traceback, nor an error after a run that may take minutes."""
    import sys

    import cadence.simulation as simulation

    runs: list[int] = []
    real = simulation.simulate

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(simulation, "simulate", counted)
    png = tmp_path / "cmp.png"
    if missing:
        for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"] + ["matplotlib"]:
            monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.delitem(sys.modules, "cadence.simulation.plot", raising=False)
    else:
        png = tmp_path / "no-such-dir" / "cmp.png"
    args = ["simulate", "--prospects", "5", "--days", "5", "--plot", str(png)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert ("pip install 'cadence[plot]'" if missing else "no-such-dir") in result.output
    assert runs == []


def test_cli_simulate_a_plot_path_that_is_a_directory_is_one_line(tmp_path: pathlib.Path) -> None:
    """A directory passed the check made before the run (its parent exists): the run was
    made and its table printed, and only then did writing the PNG fail. It is refused at
    once, in one line, like a path into no directory."""
    args = ["simulate", "--prospects", "3", "--days", "3", "--plot", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith(
        f"error: --plot: cannot write {str(tmp_path)!r}: it is a directory"
    )


def test_cli_simulate_bad_policy_is_one_line(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"min_gap_business_days": 0}')
    result = runner.invoke(app, ["simulate", "--policy", str(bad), "--prospects", "5"])
    assert result.exit_code == 2
    assert "min_gap_business_days" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_simulate_takes_a_responder_file(tmp_path: pathlib.Path) -> None:
    """A list with every address bouncing and every number wrong: nobody is reached, and
    everyone ends unreachable (with the default, typical responder nobody does)."""
    messy = tmp_path / "messy.yaml"
    messy.write_text("answer_rate: 0.5\nbad_email_rate: 1\nbad_phone_rate: 1\n")
    args = ["simulate", "--prospects", "30", "--days", "30", "--seed", "4"]
    result = runner.invoke(app, [*args, "--responder", str(messy)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert (_metric(out, "connect_rate"), _metric(out, "unreachable_rate")) == ("0", "1")
    assert _metric(runner.invoke(app, args).output, "unreachable_rate") == "0"


def _metric(output: str, name: str) -> str:
    """A metric's value in the console table ``cadence simulate`` prints."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) > 2 and cells[1] == name:
            return cells[2]
    raise AssertionError(f"{name} is not in {output}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"answer_rate": 2}', "answer_rate: 2 is not a probability"),
        ('{"answer_rat": 0.2}', "answer_rat: not a field; did you mean 'answer_rate'?"),
        ("[0.2]", "expected a JSON object"),
    ],
)
def test_cli_simulate_bad_responder_is_one_line(
    tmp_path: pathlib.Path, text: str, message: str
) -> None:
    bad = tmp_path / "responder.json"
    bad.write_text(text)
    result = runner.invoke(app, ["simulate", "--responder", str(bad), "--prospects", "5"])
    assert result.exit_code == 2
    assert f"{bad}: {message}" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_simulate_has_help() -> None:
    result = runner.invoke(app, ["simulate", "--help"])
    assert result.exit_code == 0
    assert "--compare" in result.output


# -- the benchmark ------------------------------------------------------------------------------


def test_benchmark_script_runs_with_tiny_arguments() -> None:
    env = {**os.environ, "PYTHONPATH": str(pathlib.Path(cadence.__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "simulation.py"), "--quick"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "steps/s" in done.stdout
    assert "speed-up" in done.stdout


def test_typical_responder_is_the_default() -> None:
    a = simulate(prospects=10, days=10, seed=1)
    assert a.responder == Responder.typical()


def test_the_cli_page_lists_the_codes_of_the_default_mix() -> None:
    page = (pathlib.Path(__file__).parent.parent / "docs" / "cli.md").read_text()
    codes = [
        "-".join(c for c in (p.country, p.subdivision) if c) for p in cadence.simulation.PLACES
    ]
    assert f"by ISO code: {', '.join(codes)})" in " ".join(page.split())
