"""Comparing two scenarios path by path: identical scenarios differ by exactly nothing, a change
shows as a paired difference, and scenarios that cannot be paired are one clear error."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import MINIMAL

from model.analysis.compare import (
    COMPARE_COLUMNS,
    COMPARE_FLAG_COLUMNS,
    PERCENTILES,
    compare_scenarios,
    comparison_notes,
)
from model.cli.main import main as cli_main
from model.declare.outputs import BREACH
from model.io.errors import InputError
from model.sampling.setup import load_setup

BASE = MINIMAL.replace("paths: 500", "paths: 300") + """\
assumptions:
  pay_award: {distribution: triangular, low: 0.5%, mode: 1%, high: 2%}
  grant_change: {distribution: triangular, low: -3%, mode: 0%, high: 1%}
shocks:
  - {name: major_operation, probability: 10%, cost: {distribution: uniform, low: £0.5m, high: £2m}}
"""
HIGHER_PAY = BASE.replace("low: 0.5%, mode: 1%, high: 2%", "low: 1.5%, mode: 2%, high: 3%")


@pytest.fixture
def pair(write_scenario):
    def make(a_text: str, b_text: str):
        return load_setup(write_scenario(a_text, "a.yaml")), load_setup(write_scenario(b_text, "b.yaml"))
    return make


def test_identical_scenarios_differ_by_exactly_zero(pair):
    a, b = pair(BASE, BASE)
    metrics, flags = compare_scenarios(a, b)
    assert (metrics[["mean"] + [f"p{p}" for p in PERCENTILES]].to_numpy() == 0.0).all()
    assert (metrics["mean_a"] == metrics["mean_b"]).all()
    assert (flags[["difference", "std_error", "paths_b_only", "paths_a_only"]].to_numpy() == 0).all()
    assert set(metrics["force"]) == set(a.scenario.forces) and set(metrics["year"]) == set(a.scenario.years)


def test_a_change_is_a_paired_difference(pair):
    a, b = pair(BASE, HIGHER_PAY)
    metrics, flags = compare_scenarios(a, b)
    pay = metrics[(metrics.metric == "pay") & (metrics.year == "2019/20")]
    assert (pay["p5"] > 0).all()  # higher awards cost more on every path, not just on average
    assert np.allclose(pay["mean"], pay["mean_b"] - pay["mean_a"], atol=1e-5)
    breach = flags[(flags.flag == BREACH) & (flags.year == "2019/20")]
    assert (breach["difference"] >= 0).all() and (breach["paths_a_only"] == 0).all()
    moved = breach[breach.difference > 0]
    assert not moved.empty and (moved["std_error"] > 0).all()
    # Paired: far tighter than the error of two independent estimates.
    independent = np.sqrt((moved.probability_a * (1 - moved.probability_a)
                           + moved.probability_b * (1 - moved.probability_b)) / 300)
    assert (moved["std_error"] <= independent + 1e-12).all()


def test_swapping_the_scenarios_negates_the_mean_difference(pair):
    a, b = pair(BASE, HIGHER_PAY)
    forward, _ = compare_scenarios(a, b)
    backward, _ = compare_scenarios(b, a)
    assert np.array_equal(forward["mean"].to_numpy(), -backward["mean"].to_numpy())


def test_scenarios_with_other_forces_or_years_cannot_be_paired(pair):
    a, b = pair(BASE, BASE.replace("forces: [staffordshire, leicestershire, hertfordshire]",
                                   "forces: [staffordshire, hertfordshire]"))
    with pytest.raises(InputError, match="the same forces"):
        compare_scenarios(a, b)
    a, b = pair(BASE, BASE + "years: 2016/17 to 2018/19\n")
    with pytest.raises(InputError, match="the same years"):
        compare_scenarios(a, b)


def test_notes_say_whose_draws_were_used(pair):
    a, b = pair(BASE, BASE.replace("seed: 7", "seed: 8"))
    assert any("seed 8" in note and "seed 7" in note for note in comparison_notes(a, b))
    metrics, _ = compare_scenarios(a, b)
    assert (metrics["mean"] == 0).all()  # the same draws: B's own seed is not used


def test_compare_command_writes_the_differences(write_scenario, tmp_path):
    a, b = write_scenario(BASE, "a.yaml"), write_scenario(HIGHER_PAY, "b.yaml")
    result = CliRunner().invoke(cli_main, ["compare", str(a), str(b), "--paths", "128", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "a" / "compare" / "b"
    assert result.output.startswith("1 field differs between a (A) and b (B):\n  assumptions.pay_award:")
    differences = pd.read_csv(folder / "compare_differences.csv")
    assert differences["field"].tolist() == ["assumptions.pay_award"]
    metrics = pd.read_csv(folder / "compare.csv")
    assert list(metrics.columns) == COMPARE_COLUMNS and len(metrics) > 0
    assert list(pd.read_csv(folder / "compare_flags.csv").columns) == COMPARE_FLAG_COLUMNS
    assert json.loads((folder / "compare.json").read_text())["paths"] == 128


def test_compare_command_mismatch_is_one_clear_error(write_scenario, tmp_path):
    a = write_scenario(BASE, "a.yaml")
    b = write_scenario(BASE.replace("[staffordshire, leicestershire, hertfordshire]", "[staffordshire]"), "b.yaml")
    result = CliRunner().invoke(cli_main, ["compare", str(a), str(b), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "expected the same forces" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out" / "a_vs_b").exists()
