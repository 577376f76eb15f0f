"""No inert lever: every input and every scenario rule moves the results, the way a finance officer expects.

Each case runs one force on one path with everything fixed (``baseline: central``), once
with the lever at a worse value and once at a better one, and checks that total usable
reserves at 31 March 2020 are higher in the better world (or the named output moves the
named way).
"""

from __future__ import annotations

import textwrap

import pytest

from model.declare.inputs import INPUTS
from model.run.simulation import run_simulation
from model.run.summaries import flags_table, plan_table, summary_table
from model.sampling.setup import load_setup

BASE = """\
title: Lever test
description: One force, one path, everything fixed.
forces: [hertfordshire]
simulation: {paths: 1, seed: 3, chunk_size: 1}
baseline: central
"""

# input: (worse, better, other assumptions the lever needs in order to act)
INPUT_CASES = {
    "grant_change": ("-3%", "1%", ""),
    "precept_increase": ("0%", "1.99%", ""),
    "referendum_limit": ("1%", "£5", "  precept_increase: max_allowed\n"),
    "tax_base_growth": ("0.5%", "2%", ""),
    "collection_fund": ("-1%", "1%", ""),
    "pay_award": ("2.5%", "0.5%", ""),
    "pay_drift": ("1%", "0%", ""),
    "non_pay_inflation": ("4%", "1%", ""),
    "savings_delivery": ("60%", "100%", ""),
    "collaboration_savings_size": ("50%", "100%", ""),
    "collaboration_savings_delay": ("2 years", "0 years", ""),
    "officer_pension_step": ("3%", "0%", "  officer_pension_step_year: 2018/19\n"),
    "officer_pension_step_year": ("2017/18", "2019/20", "  officer_pension_step: 2%\n"),
    "staff_pension_step": ("2%", "-1%", ""),
    "staff_pension_step_year": ("2017/18", "2019/20", "  staff_pension_step: 2%\n"),
    "borrowing_rate": ("6%", "2%", ""),
    "action_savings_delivery": ("20%", "100%", "  savings_delivery: 50%\n"),
}
"""Every declared input, a worse and a better value, and what else must be stated for it to act."""

ACTION = "management_action: {savings_share_of_nre: 2%}\n"


def total_reserves_2019_20(write_scenario, text: str, name: str = "scenario.yaml") -> float:
    result = run_simulation(load_setup(write_scenario(text, name)))
    summary = summary_table(result)
    row = summary[(summary.metric == "total_reserves") & (summary.year == "2019/20")]
    return float(row["p50"].iloc[0])


def test_every_declared_input_has_a_lever_case():
    assert set(INPUT_CASES) == set(INPUTS)


@pytest.mark.parametrize("name", sorted(INPUT_CASES))
def test_every_input_moves_reserves_the_way_a_finance_officer_expects(write_scenario, name):
    worse, better, context = INPUT_CASES[name]
    extra = ACTION if name == "action_savings_delivery" else ""
    results = {}
    for label, value in (("worse", worse), ("better", better)):
        text = BASE + extra + "assumptions:\n" + context + f"  {name}: {value}\n"
        results[label] = total_reserves_2019_20(write_scenario, text, f"{label}.yaml")
    assert results["better"] > results["worse"] + 1e-6, results


def test_a_higher_minimum_general_reserve_makes_a_breach_likelier(write_scenario):
    probabilities = []
    for minimum in ("2%", "5%"):
        text = BASE.replace("paths: 1, seed: 3, chunk_size: 1", "paths: 400, seed: 3, chunk_size: 200").replace(
            "baseline: central\n", "") + textwrap.dedent(f"""\
            assumptions:
              savings_delivery: {{distribution: triangular, low: 50%, mode: 90%, high: 100%}}
            reserve_policy: {{minimum_general_reserve: {minimum}, general_reserve_target: 5%}}
            """)
        flags = flags_table(run_simulation(load_setup(write_scenario(text, f"min{minimum[0]}.yaml"))))
        row = flags[(flags.flag == "general_below_minimum_by_year") & (flags.year == "2019/20")]
        probabilities.append(float(row["probability"].iloc[0]))
    assert probabilities[1] > probabilities[0]


def test_lost_undelivered_savings_leave_less_than_rolled_forward_ones(write_scenario):
    values = {}
    for rule in ("lost", "roll_forward"):
        text = BASE + "assumptions:\n  savings_delivery: 60%\n" + f"reserve_policy: {{undelivered_savings: {rule}}}\n"
        values[rule] = total_reserves_2019_20(write_scenario, text, f"{rule}.yaml")
    assert values["roll_forward"] > values["lost"]


def test_management_action_leaves_more_in_reserves_than_none(write_scenario):
    worse = BASE + "assumptions:\n  savings_delivery: 50%\n"
    none = total_reserves_2019_20(write_scenario, worse, "none.yaml")
    savings = total_reserves_2019_20(write_scenario, worse + ACTION, "savings.yaml")
    precept = total_reserves_2019_20(write_scenario, worse + "management_action: {precept: max_allowed}\n",
                                     "precept.yaml")
    assert savings > none and precept > none


def test_the_precept_rules_order_as_a_finance_officer_expects(write_scenario):
    """Against a worse grant: a freeze < to balance < the most allowed; to balance keeps to the plan's reserves."""
    base = BASE + "assumptions:\n  grant_change: -4%\n  referendum_limit: £10\n"
    frozen = total_reserves_2019_20(write_scenario, base + "  precept_increase: 0%\n", "freeze.yaml")
    most = total_reserves_2019_20(write_scenario, base + "  precept_increase: max_allowed\n", "most.yaml")
    result = run_simulation(load_setup(write_scenario(base + "  precept_increase: to_balance\n", "balance.yaml")))
    balance = float(summary_table(result).query("metric == 'total_reserves' and year == '2019/20'")["p50"].iloc[0])
    plan = float(plan_table(result).query("metric == 'total_reserves' and year == '2019/20'")["value"].iloc[0])
    assert frozen < balance < most
    # Balancing each year's gap (the unplanned safeguarding pressure included) keeps reserves where the plan has them.
    assert balance == pytest.approx(plan, abs=1e-6)


def test_a_shortfall_order_that_allows_a_ring_fenced_reserve_spends_it(write_scenario):
    worse = BASE + "assumptions:\n  savings_delivery: 40%\n"
    kept = run_simulation(load_setup(write_scenario(worse, "kept.yaml")))
    allowed = run_simulation(load_setup(write_scenario(
        worse + "reserve_policy: {shortfall_order: [base_budget_support, other_earmarked, general]}\n", "allowed.yaml")))

    def other(result):
        summary = summary_table(result)
        return float(summary[(summary.metric == "reserve_other_earmarked") & (summary.year == "2019/20")]["p50"].iloc[0])

    assert other(allowed) < other(kept)
