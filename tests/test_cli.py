"""The ``police-mtfs`` command line end to end: outputs, overrides, errors and atomic writes.

Most tests call the click group in-process with :class:`click.testing.CliRunner`; one
runs the installed console script in a subprocess, as a user would.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA, SCENARIOS
from helpers import BAD_SCENARIOS, SMALL

import model.report.pdf
from model import __version__
from model.cli.exit_codes import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OUTPUT
from model.cli.main import console as cli_console
from model.cli.main import main as cli_main
from model.declare.inputs import INPUTS
from model.io.forces import load_force, load_national
from model.io.provenance import provenance_table
from model.run.simulation import FLAGS

OUTPUTS = ("report.pdf", "report.xlsx", "summary.csv", "flags.csv", "plan.csv", "cases.csv", "convergence.csv",
           "bridge.csv", "run.json", "resolved.yaml", "histograms.npz")
YEARS = ["2016/17", "2017/18", "2018/19", "2019/20"]
FORCE_NAMES = {"staffordshire": "Staffordshire Police", "leicestershire": "Leicestershire Police",
               "hertfordshire": "Hertfordshire Constabulary"}
METRICS = (
    "grant", "precept", "band_d", "tax_base", "funding", "pay", "non_pay", "collaboration", "spend",
    "savings_delivered", "gap", "planned_reserve_use", "general_reserve", "earmarked_reserves", "total_reserves",
    "uncovered_deficit", "nre",
)


def invoke(*args: str):
    return CliRunner().invoke(cli_main, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a folder, hidden ones included, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def assert_no_partials(root: Path) -> None:
    assert not [p for p in root.rglob("*") if ".partial" in p.name]


def assert_clean_error(result, *fragments: str) -> None:
    """A non-zero exit with one short message on stderr and no traceback anywhere."""
    assert result.exit_code not in (0, None), result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in {result.stderr!r}"


@pytest.fixture
def small(tmp_path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------
# run: the outputs and their contract
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def completed_run(tmp_path_factory):
    """One real run (with the real PDF report), shared by the output-contract tests."""
    root = tmp_path_factory.mktemp("run")
    scenario = root / "small.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    out = root / "reports"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_console, "_width", 400)
        result = invoke("run", scenario, "--out", out)
    return result, scenario, out, out / "small"


def test_run_writes_every_output(completed_run):
    result, _, out, folder = completed_run
    assert result.exit_code == 0, result.output + result.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(OUTPUTS)
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
    assert_no_partials(out)
    assert "Wrote report.pdf" in result.stdout
    for force in ("staffordshire", "hertfordshire"):
        assert FORCE_NAMES[force] in result.stdout
    # SMALL states only pay_award: the one warning lists the inputs held fixed at the plan or a default.
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("warning: 15 inputs no scenario states are held fixed with no uncertainty: grant_change")
    assert "pay_award" not in warning and "extends: central.yaml" in warning


def test_summary_csv_contract(completed_run):
    summary = pd.read_csv(completed_run[3] / "summary.csv")
    assert list(summary.columns) == ["scenario", "force", "year", "metric", "mean",
                                     "p5", "p10", "p25", "p50", "p75", "p90", "p95"]
    assert set(summary["scenario"]) == {"small"}
    assert set(summary["force"]) == {"staffordshire", "hertfordshire"}
    assert sorted(summary["year"].unique()) == YEARS
    assert set(METRICS) <= set(summary["metric"])
    assert not summary.isna().any().any()
    percentiles = summary[["p5", "p10", "p25", "p50", "p75", "p90", "p95"]].to_numpy()
    assert (percentiles[:, 1:] >= percentiles[:, :-1] - 1e-6).all()


def test_flags_csv_contract(completed_run):
    flags = pd.read_csv(completed_run[3] / "flags.csv")
    assert list(flags.columns) == ["scenario", "force", "year", "flag", "probability", "std_error"]
    expected = {"general_below_minimum", "usable_reserves_exhausted", "uncovered_deficit", "precept_capped"}
    assert set(flags["flag"]) == expected | {f"{flag}_by_year" for flag in expected} == set(FLAGS)
    assert sorted(flags["year"].unique()) == YEARS
    assert flags["probability"].between(0, 1).all()
    assert (flags["std_error"] >= 0).all()


def test_plan_csv_contract(completed_run):
    plan = pd.read_csv(completed_run[3] / "plan.csv")
    assert list(plan.columns) == ["scenario", "force", "year", "metric", "value"]
    assert set(METRICS) <= set(plan["metric"])


def test_run_json_records_the_run(completed_run):
    _, scenario, _, folder = completed_run
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["scenario_sha256"] == hashlib.sha256(scenario.read_bytes()).hexdigest()
    assert run["scenario_name"] == "small"
    assert (run["seed"], run["paths"], run["chunk_size"]) == (11, 300, 128)
    assert run["package_version"] == __version__
    assert run["years"] == YEARS
    assert run["forces"] == ["staffordshire", "hertfordshire"]
    timings = run["timings_seconds"]
    assert {"load_seconds", "simulation_seconds", "report_seconds", "total_seconds"} <= set(timings)
    assert all(seconds >= 0 for seconds in timings.values())


def test_overrides_are_recorded_and_chunk_size_never_changes_the_numbers(tmp_path, small, fast_report):
    runs = {}
    for chunk in ("7", "400"):
        out = tmp_path / f"chunk-{chunk}"
        result = invoke("run", small, "--out", out, "--paths", "400", "--seed", "99", "--chunk-size", chunk)
        assert result.exit_code == 0, result.output + result.stderr
        runs[chunk] = out / "small"
        meta = json.loads((runs[chunk] / "run.json").read_text(encoding="utf-8"))
        assert (meta["paths"], meta["seed"], meta["chunk_size"]) == (400, 99, int(chunk))
    for name in ("summary.csv", "flags.csv", "plan.csv"):
        assert (runs["7"] / name).read_bytes() == (runs["400"] / name).read_bytes(), name


def test_a_different_seed_gives_different_numbers(tmp_path, small, fast_report):
    for seed in ("1", "2"):
        assert invoke("run", small, "--out", tmp_path / seed, "--seed", seed).exit_code == 0
    assert (tmp_path / "1/small/summary.csv").read_bytes() != (tmp_path / "2/small/summary.csv").read_bytes()


# --------------------------------------------------------------------------------------
# check, forces, inputs
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_check_accepts_every_committed_scenario(scenario):
    result = invoke("check", scenario)
    assert result.exit_code == 0, result.output + result.stderr
    assert "OK" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_does_not_read_square_brackets_as_markup(tmp_path):
    path = tmp_path / "brackets.yaml"
    path.write_text("title: '[/b] Scenario [bold]x'\ndescription: d\nforces: [staffordshire]\n", encoding="utf-8")
    result = invoke("check", path)
    assert result.exit_code == 0, result.output + result.stderr
    assert "[/b] Scenario [bold]x" in result.stdout


def test_forces_lists_the_three_forces(wide_console):
    result = invoke("forces")
    assert result.exit_code == 0, result.output + result.stderr
    for name in FORCE_NAMES.values():
        assert name in result.stdout
    assert "General reserve" in result.stdout


def test_forces_detail_shows_every_figure_with_its_source(wide_console):
    result = invoke("forces", "--force", "hertfordshire")
    assert result.exit_code == 0, result.output + result.stderr
    assert "Hertfordshire Constabulary" in result.stdout
    table = provenance_table(load_force(DATA, "hertfordshire", load_national(DATA)))
    for row in table.itertuples():
        assert row.figure in result.stdout
    sourced = table[table.kind == "sourced"]
    assert len(sourced) > 0
    for document in set(sourced.source):
        assert document in result.stdout


def test_forces_unknown_force_is_a_clean_error():
    result = invoke("forces", "--force", "hertfordshre")
    assert_clean_error(result, "error:", "hertfordshre", "Did you mean 'hertfordshire'?")
    assert result.exit_code == EXIT_INPUT


def test_inputs_lists_every_input(wide_console):
    result = invoke("inputs")
    assert result.exit_code == 0, result.output + result.stderr
    for name in INPUTS:
        assert name in result.stdout


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


# --------------------------------------------------------------------------------------
# Bad input: one message, no traceback, nothing written
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "check"])
@pytest.mark.parametrize("text, fragments", BAD_SCENARIOS)
def test_bad_input_is_one_clean_message(tmp_path, command, text, fragments):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "reports"
    result = invoke(command, path, *(["--out", out] if command == "run" else []))
    assert_clean_error(result, "error:", str(path), *fragments)
    assert result.exit_code == EXIT_INPUT
    assert not out.exists()


def test_missing_scenario_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    result = invoke("run", path, "--out", tmp_path / "reports")
    assert_clean_error(result, "error:", str(path), "no such file")
    assert not (tmp_path / "reports").exists()


def test_a_folder_as_the_scenario(tmp_path):
    result = invoke("check", tmp_path)
    assert_clean_error(result, "error:", str(tmp_path), "a folder")


def test_a_data_folder_without_forces(tmp_path, small):
    result = invoke("run", small, "--data", tmp_path / "empty", "--out", tmp_path / "reports")
    assert_clean_error(result, "error:", "no forces/ folder")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("option, value", [("--paths", "0"), ("--seed", "-5"), ("--chunk-size", "0"),
                                           ("--paths", "many"), ("--seed", "1.5")])
def test_click_rejects_bad_options(tmp_path, small, option, value):
    result = invoke("run", small, "--out", tmp_path / "reports", option, value)
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr and option in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "reports").exists()


def test_out_pointing_at_a_file(tmp_path, small):
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke("run", small, "--out", blocker)
    assert result.exit_code != 0
    assert "is a file" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_out_under_a_file(tmp_path, small, fast_report):
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke("run", small, "--out", blocker / "sub")
    assert_clean_error(result, "error:", "cannot create the output folder")
    assert result.exit_code == EXIT_OUTPUT
    assert blocker.read_text(encoding="utf-8") == "not a folder"


# --------------------------------------------------------------------------------------
# Atomic outputs: a failed or interrupted run leaves the earlier report untouched
# --------------------------------------------------------------------------------------

@pytest.fixture
def earlier_run(tmp_path, small, fast_report):
    out = tmp_path / "reports"
    result = invoke("run", small, "--out", out, "--seed", "1")
    assert result.exit_code == 0, result.output + result.stderr
    before = snapshot(out / "small")
    assert sorted(before) == sorted(OUTPUTS)
    return out, before


def _report_raising(error: BaseException):
    def build_report_pdf(path, *args):
        Path(path).write_bytes(b"%PDF-1.4 half a report")
        raise error

    return build_report_pdf


def test_a_crash_mid_run_leaves_the_earlier_report_untouched(monkeypatch, small, earlier_run):
    out, before = earlier_run
    monkeypatch.setattr(model.report.pdf, "build_report_pdf", _report_raising(RuntimeError("matplotlib fell over")))
    result = invoke("run", small, "--out", out, "--seed", "2")
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert snapshot(out / "small") == before
    assert_no_partials(out)


def test_an_interrupt_mid_run_exits_130_and_writes_nothing(monkeypatch, small, earlier_run):
    out, before = earlier_run
    monkeypatch.setattr(model.report.pdf, "build_report_pdf", _report_raising(KeyboardInterrupt()))
    result = invoke("run", small, "--out", out, "--seed", "2")
    assert result.exit_code == EXIT_INTERRUPTED == 130
    assert "interrupted" in result.stderr and "no output was written" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(out / "small") == before
    assert_no_partials(out)


def test_a_crash_in_a_fresh_folder_publishes_nothing(monkeypatch, tmp_path, small):
    monkeypatch.setattr(model.report.pdf, "build_report_pdf", _report_raising(RuntimeError("boom")))
    out = tmp_path / "reports"
    result = invoke("run", small, "--out", out)
    assert isinstance(result.exception, RuntimeError)
    assert snapshot(out / "small") == {}


def test_a_failed_validation_leaves_the_earlier_report_untouched(small, earlier_run):
    out, before = earlier_run
    small.write_text(SMALL.replace("paths: 300", "paths: 0"), encoding="utf-8")
    result = invoke("run", small, "--out", out)
    assert_clean_error(result, "error:", "simulation.paths")
    assert snapshot(out / "small") == before


# --------------------------------------------------------------------------------------
# The installed console script, as a user runs it
# --------------------------------------------------------------------------------------

def test_the_police_mtfs_command(tmp_path, small):
    command = Path(sys.executable).parent / "police-mtfs"
    assert command.exists(), "install the package (pip install -e .) to get the police-mtfs command"
    out = tmp_path / "reports"
    done = subprocess.run([command, "run", small, "--out", out, "--paths", "200"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (out / "small").iterdir()) == sorted(OUTPUTS)
    assert json.loads((out / "small" / "run.json").read_text(encoding="utf-8"))["paths"] == 200

    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL + "assumptions2: {}\n", encoding="utf-8")
    done = subprocess.run([command, "run", bad, "--out", out], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == EXIT_INPUT
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.startswith("error:") and str(bad) in done.stderr
    assert "Did you mean 'assumptions'?" in done.stderr


# --------------------------------------------------------------------------------------
# docs/errors.md: "Bad input: what you will see" lists every case with its real message
# --------------------------------------------------------------------------------------

def error_catalogue_rows() -> dict[str, str]:
    """``{case: message}`` from the tables of docs/errors.md, section "Bad input: what you will see"."""
    import re

    from conftest import REPO

    text = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    section = text.split("## Bad input: what you will see", 1)[1].split("\n## ", 1)[0]
    return {case: message for case, message in re.findall(r"^\| `([^`]+)` \| (?:\d+ \| )?`(.+?)`", section, re.M)}


def test_the_error_catalogue_shows_every_bad_input_case_with_its_real_message(tmp_path):
    from conftest import REPO
    from helpers import CATALOGUE, FILE_CASES

    from model.io.errors import InputError
    from model.sampling.setup import load_setup

    rows = error_catalogue_rows()
    section = (REPO / "docs" / "errors.md").read_text(encoding="utf-8").split("## Bad input: what you will see", 1)[1]
    cases = {case.id: case.values[0] for case in FILE_CASES} | {case: text for case, text, _ in CATALOGUE}
    missing = sorted(set(cases) - set(rows)) + sorted(case.id for case in BAD_SCENARIOS
                                                      if f"`{case.id}`" not in section.split("\n## ", 1)[0])
    assert not missing, f"add these cases to docs/errors.md, section 'Bad input: what you will see': {missing}"
    for case, content in cases.items():
        path = tmp_path / "scenario.yaml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        with pytest.raises(InputError) as info:
            load_setup(path)
        real = str(info.value).replace(str(path), "scenario.yaml")
        shown = rows[case]
        assert real.startswith(shown.rstrip("…")) if shown.endswith("…") else real == shown, (
            f"docs/errors.md row {case!r} is out of date; the message is now:\n{real}")


def test_run_to_a_precision_says_where_it_stopped(small, tmp_path, fast_report):
    result = invoke("run", small, "--out", tmp_path / "out", "--precision", "3%", "--max-paths", "32768")
    assert result.exit_code == 0, result.output + result.stderr
    run = json.loads((tmp_path / "out" / "small" / "run.json").read_text())
    assert run["stopping"]["stopped_because"] in ("precision reached", "path limit reached")
    assert run["paths"] in (16_384, 32_768) and run["stopping"]["paths"] == run["paths"]
    if run["stopping"]["stopped_because"] == "precision reached":
        assert run["stopping"]["half_width_reached"] <= 0.03


def test_a_bad_precision_is_rejected_with_the_accepted_form(small, tmp_path):
    result = invoke("run", small, "--out", tmp_path / "out", "--precision", "0.5")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "'1.99%'" in result.output or "%" in result.output


def test_workers_give_identical_tables(small, tmp_path, fast_report):
    for workers in ("1", "2"):
        assert invoke("run", small, "--out", tmp_path / workers, "--workers", workers, "--chunk-size", "64").exit_code == 0
    for name in ("summary.csv", "flags.csv", "convergence.csv", "cases.csv"):
        assert (tmp_path / "1" / "small" / name).read_bytes() == (tmp_path / "2" / "small" / name).read_bytes(), name
