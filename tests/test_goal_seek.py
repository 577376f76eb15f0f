"""Goal seek on a probability: known answers on deterministic scenarios, monotone trials on the
Monte Carlo, unreachable targets said plainly, and the ``goal-seek`` command's errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from model.analysis.goal_seek import goal_seek, make_levers
from model.cli.main import main as cli_main
from model.declare.outputs import BREACH
from model.engine.projection import project_force
from model.sampling.draws import force_inputs
from model.sampling.setup import load_setup

# Every input fixed and the baseline central: every path is the same, so P is 0 or 1 and the
# lever that brings it to 0 follows from the reserves arithmetic. Only the general reserve meets
# a shortfall, and its target equals its minimum.
DETERMINISTIC = """\
title: Deterministic goal seek
description: Every input fixed, the baseline central; Staffordshire's general reserve alone meets a shortfall.
forces: [staffordshire]
simulation: {{paths: 128, seed: 3, chunk_size: 128}}
baseline: central
assumptions:
  grant_change: {grant}
  precept_increase: plan
  referendum_limit: {limit}
  tax_base_growth: plan
  collection_fund: plan
  pay_award: plan
  pay_drift: plan
  non_pay_inflation: plan
  savings_delivery: 100%
  collaboration_savings_size: 100%
  collaboration_savings_delay: 0 years
reserve_policy:
  minimum_general_reserve: 3%
  general_reserve_target: 3%
  shortfall_order: [general]
"""
RATE = 0.03
ONE_OFF_CUT = "{all_years: 0%, 2017/18: -7%}"
STEADY_CUT = "-2%"


@pytest.fixture
def deterministic(write_scenario):
    def make(grant: str, limit: str = "£50"):
        return load_setup(write_scenario(DETERMINISTIC.format(grant=grant, limit=limit), "fixed.yaml"))
    return make


def lines_without_lever(setup, lever: str, unit: str) -> dict[str, np.ndarray]:
    inputs = force_inputs(setup, "staffordshire", 0, 1, levers=make_levers(lever, unit, 0.0))
    projection = project_force(inputs)
    assert projection.flags[BREACH][0].tolist() == [False, True, True, True]  # a breach from 2017/18 to fix
    return {name: values[0] for name, values in projection.lines.items()}


def test_extra_savings_answer_is_the_reserves_arithmetic(deterministic):
    """With shortfalls every year, an extra saving E from 2017/18 adds t·E to the general reserve by year t
    and lowers the minimum by 3% of E: E ≥ (3% NRE_t − G_2016/17 + Σ shortfall) / (t + 3%)."""
    setup = deterministic(ONE_OFF_CUT)
    lines = lines_without_lever(setup, "savings", "£m")
    shortfall, opening, nre = lines["unplanned_gap"], lines["general_reserve"][0], lines["nre"]
    needed = max((RATE * nre[t] - opening + shortfall[1:t + 1].sum()) / (t + RATE) for t in (1, 2, 3))
    assert (shortfall[1:] - needed > 0).all()  # still a shortfall every year: no top-up muddles the sum
    result, trials = goal_seek(setup, "staffordshire", "savings", 0.05)
    assert result["reachable"] and needed <= result["answer"] < needed + 0.01 + 1e-9
    assert result["answer"] == pytest.approx(math.ceil(needed * 100) / 100)
    assert result["probability"] == 0.0 and result["answer_low"] == result["answer_high"] == result["answer"]
    assert trials.set_index("value").loc[round(result["answer"] - 0.01, 10), "probability"] == 1.0


def test_precept_answer_in_pounds_is_the_reserves_arithmetic(deterministic):
    """A £c rise each year from 2017/18 adds t·c·tax base_t to the precept of year t:
    c ≥ (3% NRE_t − G_2016/17 + Σ shortfall) / Σ s·tax base_s."""
    setup = deterministic(STEADY_CUT)
    lines = lines_without_lever(setup, "precept", "£")
    shortfall, opening, nre, tax_base = lines["unplanned_gap"], lines["general_reserve"][0], lines["nre"], lines["tax_base"]
    raised = [sum(s * tax_base[s] / 1e6 for s in range(1, t + 1)) for t in range(4)]
    needed = max((RATE * nre[t] - opening + shortfall[1:t + 1].sum()) / raised[t] for t in (1, 2, 3))
    assert all(shortfall[t] - t * needed * tax_base[t] / 1e6 > 0 for t in (1, 2, 3))
    result, _ = goal_seek(setup, "staffordshire", "precept", 0.05, unit="£")
    assert result["reachable"] and needed <= result["answer"] < needed + 0.01 + 1e-9
    assert result["capped_share"] == 0.0 and result["referendum_limit_min"] == 50.0


def test_no_rise_within_the_referendum_limit_is_said_plainly(deterministic):
    setup = deterministic(STEADY_CUT, limit="£5")
    result, _ = goal_seek(setup, "staffordshire", "precept", 0.05, unit="£")
    assert not result["reachable"] and math.isnan(result["answer"])
    assert result["probability"] == result["probability_at_search_max"] == 1.0
    assert "no band D rise within the referendum limit" in result["message"]


def test_a_target_already_met_needs_no_lever(deterministic):
    setup = deterministic("0%")
    result, _ = goal_seek(setup, "staffordshire", "savings", 0.05)
    assert result["answer"] == 0.0 and "no extra saving already" in result["message"]


@pytest.fixture(scope="module")
def central():
    return load_setup(SCENARIOS / "central.yaml")


def test_monte_carlo_goal_seek_is_monotone_and_brackets_its_answer(central):
    result, trials = goal_seek(central, "staffordshire", "precept", 0.05, unit="%", paths=512)
    ordered = trials.sort_values("value")
    assert (np.diff(ordered["breach_paths"].to_numpy()) <= 0).all()  # common random numbers: never rises
    by_value = ordered.set_index("value")["breach_paths"]
    answer = result["answer"]
    assert by_value[answer] <= 0.05 * 512 < by_value[round(answer - 1e-4, 10)]
    assert result["answer_low"] <= answer <= result["answer_high"]
    assert result["probability_low"] <= 0.05 and result["probability_as_stated"] > 0.05


def test_a_goal_the_referendum_limit_puts_out_of_reach_says_so(central):
    """Hertfordshire's rise is capped by the limit on every path at the most it allows; no rise within it reaches 5%."""
    result, _ = goal_seek(central, "hertfordshire", "precept", 0.05, unit="%", paths=512)
    assert not result["reachable"] and result["capped_share"] > 0.0
    assert result["probability_at_search_max"] > 0.05
    assert "no band D rise within the referendum limit" in result["message"]


def test_goal_seek_command_writes_its_answer(write_scenario, tmp_path):
    scenario = write_scenario(DETERMINISTIC.format(grant=ONE_OFF_CUT, limit="£50"), "fixed.yaml")
    result = CliRunner().invoke(cli_main, ["goal-seek", str(scenario), "--force", "staffordshire", "--lever",
                                           "savings", "--target", "5%", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "extra recurring saving of £7.95m" in result.output
    folder = tmp_path / "out" / "fixed" / "goal-seek" / "staffordshire-savings-5pct"
    table = pd.read_csv(folder / "goal_seek.csv")
    assert table.loc[0, "answer"] == pytest.approx(7.95) and bool(table.loc[0, "reachable"])
    assert len(pd.read_csv(folder / "goal_seek_trials.csv")) > 5


@pytest.mark.parametrize("arguments, message", [
    (["--lever", "precept", "--target", "5"], "bare number"),
    (["--lever", "precept", "--target", "150%"], "above 0% and below 100%"),
    (["--lever", "savings", "--target", "5%", "--unit", "%"], "stated in £m"),
    (["--lever", "precept", "--target", "5%", "--force", "hertfordshir"], "Did you mean 'hertfordshire'"),
    (["--lever", "wages", "--target", "5%"], "--lever"),
])
def test_goal_seek_bad_options_are_one_clear_error(tmp_path, arguments, message):
    result = CliRunner().invoke(cli_main, ["goal-seek", str(SCENARIOS / "central.yaml"), *arguments,
                                           "--paths", "32", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
