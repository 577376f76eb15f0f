"""Warnings the user sees: on stderr, in run.json, and errors with --strict (nothing written then)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from helpers import with_minimal

from model.cli.main import main as cli_main

REPAIRED = with_minimal(
    "assumptions:\n"
    "  pay_award: {distribution: triangular, low: 0%, mode: 1%, high: 2%}\n"
    "  non_pay_inflation: {distribution: triangular, low: 1%, mode: 2%, high: 3%}\n"
    "  grant_change: {distribution: triangular, low: -3%, mode: 0%, high: 1%}\n"
    "correlations:\n"
    "  - {between: [pay_award, non_pay_inflation], rank_correlation: 0.9}\n"
    "  - {between: [pay_award, grant_change], rank_correlation: 0.9}\n"
    "  - {between: [non_pay_inflation, grant_change], rank_correlation: -0.9}\n")


def run(tmp_path, text: str, *options: str):
    scenario = tmp_path / "warned.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli_main, ["run", str(scenario), "--paths", "128", "--out", str(out), *options])
    return result, out / "warned"


def test_a_repaired_correlation_matrix_is_a_warning_on_screen_and_in_run_json(tmp_path, fast_report):
    result, folder = run(tmp_path, REPAIRED)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "correlation" in line]
    assert len(lines) == 1 and lines[0].startswith("warning: the stated correlations are not a valid correlation")
    assert "largest change:" in lines[0] and "0.90 used as" in lines[0]
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert any("not a valid correlation matrix" in warning for warning in record["warnings"])


def test_strict_turns_every_warning_into_an_error_and_writes_nothing(tmp_path, fast_report):
    result, folder = run(tmp_path, REPAIRED, "--strict")
    assert result.exit_code == 2, result.output
    assert "warning: the stated correlations are not a valid correlation matrix" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "a run without warnings (--strict)" in result.stderr and "nothing was written" in result.stderr
    assert not (tmp_path / "out").exists()
