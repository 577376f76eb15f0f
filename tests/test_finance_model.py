"""The finance model of a 2016 MTFS, by hand: the precept decision and the referendum limit, pensions, the
apprenticeship levy, the capital account, reserve purposes, management action and the plan-to-median bridge."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import SCENARIOS
from helpers import PLAN_RATES, YEARS, drivers, no_capital, synthetic_force
from hypothesis import given, settings
from hypothesis import strategies as st

from model.engine.capital import GRANT, RECEIPTS, RESERVES, REVENUE, Capital
from model.engine.precept import MAX_ALLOWED, STATED, TO_BALANCE
from model.engine.projection import Delivery, Levy, ManagementAction, project_force
from model.engine.reference import LINES, project_path
from model.engine.waterfall import BUDGET_SUPPORT, CAPITAL, GENERAL, ONE_OFF, ReservePolicy

TAX_BASE_1 = 250_000 * 1.01
"""The synthetic force's tax base in its second year (1% growth)."""


def lines_of(**changes) -> dict[str, np.ndarray]:
    """One path of the synthetic force with ``changes`` to its ForceInputs; each line as (years,)."""
    inputs = synthetic_force(**changes)
    return {name: values[0] for name, values in project_force(inputs).lines.items()}


def outcome(**rates):
    return drivers(**dict(PLAN_RATES, **rates))


# --------------------------------------------------------------------------------------
# The precept decision and the referendum limit
# --------------------------------------------------------------------------------------

def test_max_allowed_under_a_five_pound_limit_raises_the_precept_by_five_pounds_times_the_tax_base():
    frozen = lines_of(outcome=outcome(precept_rate=0.0, collection_fund=0.01))
    most = lines_of(outcome=outcome(precept_rate=0.0, precept_rule=MAX_ALLOWED, limit_rate=0.0, limit_cash=5.0,
                                    collection_fund=0.01))
    assert most["band_d"][1] - frozen["band_d"][1] == pytest.approx(5.0)
    assert most["precept"][1] - frozen["precept"][1] == pytest.approx(5.0 * TAX_BASE_1 / 1e6 * 1.01)
    assert most["band_d"][2] - frozen["band_d"][2] == pytest.approx(10.0)


def test_max_allowed_under_a_two_percent_limit_is_one_point_nine_nine_percent():
    lines = lines_of(outcome=outcome(precept_rule=MAX_ALLOWED, limit_rate=0.02))
    assert lines["band_d"][1] == pytest.approx(200.0 * 1.0199)
    assert lines["band_d"][2] == pytest.approx(200.0 * 1.0199**2)


def test_a_tighter_limit_cuts_the_plan_rise_and_records_what_it_cost():
    # The plan asks for 2% a year; a 1% limit allows 0.99%.
    inputs = synthetic_force(outcome=outcome(limit_rate=0.01))
    projection = project_force(inputs)
    lines = {name: values[0] for name, values in projection.lines.items()}
    assert lines["band_d"][1] == pytest.approx(200.0 * 1.0099)
    assert projection.flags["precept_capped"][0].tolist() == [False, True, True]
    cut_1 = 200.0 * 0.02 - 200.0 * 0.0099
    assert lines["precept_cap_cost"][1] == pytest.approx(cut_1 * TAX_BASE_1 / 1e6)
    cut_2 = lines["band_d"][1] * (0.02 - 0.0099)
    assert lines["precept_cap_cost"][2] == pytest.approx((cut_1 + cut_2) * 250_000 * 1.01**2 / 1e6)
    assert lines["precept_cap_cost"][0] == 0.0


def test_to_balance_closes_a_hand_computed_gap_exactly_when_the_limit_allows():
    # Grant falls 5% a year instead of the planned 1%: the precept must make up the difference.
    lines = lines_of(outcome=outcome(grant_change=-0.05, precept_rule=TO_BALANCE))
    planned = lines_of()
    np.testing.assert_allclose(lines["unplanned_gap"][1:], 0.0, atol=1e-9)
    grant_1 = 100.0 * 0.95
    needed_precept_1 = planned["spend"][1] - 2.0 - grant_1
    assert lines["precept"][1] == pytest.approx(needed_precept_1)
    assert lines["band_d"][1] == pytest.approx(needed_precept_1 * 1e6 / TAX_BASE_1)


def test_to_balance_never_cuts_band_d_and_stops_at_the_limit():
    better = lines_of(outcome=outcome(grant_change=0.05, precept_rule=TO_BALANCE))
    np.testing.assert_allclose(better["band_d"], 200.0)  # a surplus is not given back by cutting band D
    capped = project_force(synthetic_force(outcome=outcome(grant_change=-0.05, precept_rule=TO_BALANCE,
                                                           limit_rate=0.02)))
    assert capped.lines["band_d"][0, 1] == pytest.approx(200.0 * 1.0199)
    assert capped.flags["precept_capped"][0, 1] and capped.lines["unplanned_gap"][0, 1] > 0


def test_stated_rises_within_the_limit_are_never_capped():
    projection = project_force(synthetic_force(outcome=outcome(precept_rate=0.0199, limit_rate=0.02)))
    assert not projection.flags["precept_capped"].any()
    assert projection.lines["precept_cap_cost"].max() == 0.0


# --------------------------------------------------------------------------------------
# Pensions, the apprenticeship levy and pressures
# --------------------------------------------------------------------------------------

def test_a_pension_step_of_x_points_raises_spend_by_x_percent_of_officer_pay_from_its_year():
    base = lines_of()
    step = drivers(**PLAN_RATES)
    step.officer_pension_step[:, 1:] = 0.02
    stepped = lines_of(outcome=step)
    officer_pay = 0.7 * base["pay"]
    np.testing.assert_allclose(stepped["spend"] - base["spend"], [0.0, 0.02 * officer_pay[1], 0.02 * officer_pay[2]])
    np.testing.assert_allclose(stepped["pension_costs"], stepped["spend"] - base["spend"])


def test_a_staff_pension_step_costs_its_points_of_staff_pay():
    base = lines_of()
    step = drivers(**PLAN_RATES)
    step.staff_pension_step[:, 2] = -0.01
    np.testing.assert_allclose(lines_of(outcome=step)["spend"] - base["spend"], [0.0, 0.0, -0.01 * 0.3 * base["pay"][2]])


def test_the_levy_is_half_a_percent_of_pay_less_15000_pounds_from_2017_18_and_nothing_before():
    levy = Levy(np.array([0.005]), np.array([0.015]), 1)
    lines = lines_of(levy=levy)
    expected = [0.0, 0.005 * lines["pay"][1] - 0.015, 0.005 * lines["pay"][2] - 0.015]
    np.testing.assert_allclose(lines["apprenticeship_levy"], expected)
    # In the plan too: the savings requirement carries it, so the plan still balances.
    np.testing.assert_allclose(lines["gap"], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(lines["savings_required"] - lines_of()["savings_required"], expected)


def test_an_unplanned_pressure_adds_to_the_gap_and_a_planned_one_to_the_savings_requirement():
    unplanned = outcome()
    unplanned.pressures[:, 1:] = 0.45
    lines = lines_of(outcome=unplanned)
    np.testing.assert_allclose(lines["gap"], [2.0, 2.45, 2.45])
    planned = drivers(**PLAN_RATES)
    planned.pressures[:, 1:] = 0.45
    both = lines_of(plan=planned, outcome=unplanned)
    np.testing.assert_allclose(both["gap"], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(both["savings_required"] - lines_of()["savings_required"], [0.0, 0.45, 0.45])


# --------------------------------------------------------------------------------------
# The capital account
# --------------------------------------------------------------------------------------

def capital_of(programme, grant=(0, 0, 0), receipts=(0, 0, 0), revenue=(0, 0, 0), life=5.0, order=None) -> Capital:
    capital = no_capital()
    capital.programme[0], capital.grant[0], capital.receipts[0] = programme, grant, receipts
    capital.revenue_contribution[0] = revenue
    capital.asset_life[:] = life
    if order is not None:
        capital.order = order
    return capital


def test_borrowing_adds_hand_computed_interest_and_mrp_from_the_next_year():
    # £10m borrowed in 2016/17 at 4% over a 5-year life: £0.4m interest + £2m MRP a year from 2017/18.
    rates = drivers(**dict(PLAN_RATES, borrowing_rate=0.04))
    lines = lines_of(capital=capital_of((10.0, 0, 0)), plan=rates, outcome=drivers(**dict(PLAN_RATES, borrowing_rate=0.04)))
    np.testing.assert_allclose(lines["borrowing"], [10.0, 0.0, 0.0])
    np.testing.assert_allclose(lines["capital_financing"], [2.0, 2.0 + 10.0 * (0.04 + 0.2), 2.0 + 10.0 * (0.04 + 0.2)])
    np.testing.assert_allclose(lines["gap"], [2.0, 2.0, 2.0])  # the plan carried it
    # Borrowing at 6% instead: 2 points on £10m more than the plan, from 2017/18.
    dearer = lines_of(capital=capital_of((10.0, 0, 0)), plan=rates, outcome=drivers(**dict(PLAN_RATES, borrowing_rate=0.06)))
    np.testing.assert_allclose(dearer["gap"] - lines["gap"], [0.0, 0.2, 0.2])


def test_the_programme_is_funded_in_the_stated_order_and_unused_funds_carry_forward():
    default = lines_of(capital=capital_of((10.0, 0, 0), grant=(4.0, 0, 0), receipts=(3.0, 0, 0)))
    np.testing.assert_allclose(default["borrowing"], [3.0, 0.0, 0.0])
    # Revenue contributions of £5m a year first: grant and receipts are left over and carried forward.
    revenue_first = lines_of(capital=capital_of((10.0, 6.0, 0), grant=(4.0, 0, 0), receipts=(3.0, 0, 0),
                                                revenue=(5.0, 0, 0), order=(REVENUE, GRANT, RECEIPTS, RESERVES)))
    # Year one: £5m revenue, £4m grant, £1m of the £3m receipts; year two: the £2m left, then £4m borrowed.
    np.testing.assert_allclose(revenue_first["borrowing"], [0.0, 4.0, 0.0])
    np.testing.assert_allclose(revenue_first["revenue_contribution_to_capital"], [5.0, 0.0, 0.0])
    carried = lines_of(capital=capital_of((10.0, 1.0, 0), grant=(4.0, 0, 0), receipts=(3.0, 0, 0),
                                          revenue=(5.0, 0, 0), order=(REVENUE, GRANT, RECEIPTS, RESERVES)))
    np.testing.assert_allclose(carried["borrowing"], [0.0, 0.0, 0.0])
    grant_first = lines_of(capital=capital_of((10.0, 6.0, 0), grant=(4.0, 0, 0), receipts=(3.0, 0, 0),
                                              revenue=(5.0, 0, 0)))
    np.testing.assert_allclose(grant_first["borrowing"], [0.0, 4.0, 0.0])  # £4m + £3m + £3m of the £5m; £2m left


def test_a_capital_reserve_funds_the_programme_only_as_far_as_it_holds():
    planned = np.zeros((1, YEARS, 2))
    planned[:, :, 0] = 2.0
    planned[:, :, 1] = 3.0  # reserve 1 (£4m) funds capital: £3m a year planned
    lines = lines_of(capital=capital_of((5.0, 5.0, 5.0)), kinds=(BUDGET_SUPPORT, CAPITAL), planned_use=planned)
    np.testing.assert_allclose(lines["reserves_to_capital"], [3.0, 1.0, 0.0])
    np.testing.assert_allclose(lines["borrowing"], [2.0, 4.0, 5.0])
    np.testing.assert_allclose(lines["gap"], [2.0, 2.0, 2.0])  # capital draws do not touch the revenue gap


# --------------------------------------------------------------------------------------
# Reserve purposes
# --------------------------------------------------------------------------------------

def test_a_ring_fenced_reserve_is_untouched_by_a_shortfall():
    shock = Delivery(np.ones((1, YEARS)), np.ones(1), np.zeros(1), np.array([[0.0, 9.0, 0.0]]))
    policy = ReservePolicy(0.03, 0.035, (0, GENERAL))  # reserve 1 is held for its purpose
    planned = np.zeros((1, YEARS, 2))
    planned[:, :, 0] = 2.0
    lines = project_force(synthetic_force(delivery=shock, policy=policy, kinds=(BUDGET_SUPPORT, ONE_OFF),
                                          planned_use=planned)).earmarked_by_reserve[0]
    np.testing.assert_allclose(lines[:, 1], 4.0)  # the ring-fenced reserve keeps its £4m
    assert lines[1, 0] == pytest.approx(0.0)  # the budget-support reserve met the shortfall first


def test_planned_spending_from_an_empty_reserve_is_a_visible_shortfall():
    planned = np.zeros((1, YEARS, 2))
    planned[:, :, 1] = 3.0  # £3m a year of one-off spending from a reserve that holds £4m
    lines = lines_of(kinds=(BUDGET_SUPPORT, ONE_OFF), planned_use=planned)
    np.testing.assert_allclose(lines["one_off_spend"], [3.0, 3.0, 3.0])
    np.testing.assert_allclose(lines["planned_reserve_use"], [3.0, 1.0, 0.0])
    np.testing.assert_allclose(lines["unfunded_planned_use"], [0.0, 2.0, 3.0])
    np.testing.assert_allclose(lines["shortfall_met_from_reserves"], [0.0, 2.0, 3.0])


# --------------------------------------------------------------------------------------
# Management action
# --------------------------------------------------------------------------------------

def test_management_action_adds_savings_after_a_year_whose_shortfall_reserves_met():
    shock = Delivery(np.ones((1, YEARS)), np.ones(1), np.zeros(1), np.array([[3.0, 0.0, 0.0]]),
                     action_delivery=np.full((1, YEARS), 0.5))
    none = lines_of(delivery=dataclasses.replace(shock))
    acted = lines_of(delivery=shock, action=ManagementAction(savings_share=0.01))
    nre_0 = none["spend"][0]
    added = min(3.0, 0.01 * nre_0) * 0.5
    np.testing.assert_allclose(acted["action_savings"], [0.0, added, added])
    np.testing.assert_allclose(none["spend"] - acted["spend"], [0.0, added, added])


def test_management_action_can_raise_band_d_to_the_limit_from_the_next_year():
    shock = Delivery(np.ones((1, YEARS)), np.ones(1), np.zeros(1), np.array([[0.0, 3.0, 0.0]]))
    frozen = outcome(precept_rate=0.0, limit_rate=0.02)
    lines = lines_of(outcome=frozen, delivery=shock, action=ManagementAction(precept_to_limit=True))
    assert lines["band_d"][1] == pytest.approx(200.0)  # the shortfall is in 2017/18: no action yet
    assert lines["band_d"][2] == pytest.approx(200.0 * 1.0199)


# --------------------------------------------------------------------------------------
# The engine against the per-path reference, on random inputs
# --------------------------------------------------------------------------------------

@st.composite
def random_forces(draw):
    paths = 6
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    plan = drivers(paths, **PLAN_RATES)
    out = drivers(paths, **PLAN_RATES)
    out.grant_change[:, 1:] = rng.uniform(-0.08, 0.03, (paths, YEARS - 1))
    out.precept_rule[:, 1:] = rng.choice([STATED, MAX_ALLOWED, TO_BALANCE], (paths, YEARS - 1))
    out.precept_rate[:, 1:] = rng.uniform(-0.01, 0.05, (paths, YEARS - 1))
    cash_limit = rng.random((paths, YEARS)) < 0.3
    out.limit_rate[...] = np.where(cash_limit, 0.0, rng.uniform(0.0, 0.04, (paths, YEARS)))
    out.limit_cash[...] = np.where(cash_limit, rng.uniform(1.0, 8.0, (paths, YEARS)), 0.0)
    out.pay_award[...] = rng.uniform(0.0, 0.03, (paths, YEARS))
    out.officer_pension_step[:, 1:] = rng.uniform(0.0, 0.03, (paths, 1))
    out.staff_pension_step[:, 2:] = rng.uniform(-0.01, 0.02, (paths, 1))
    out.borrowing_rate[...] = rng.uniform(0.02, 0.05, (paths, YEARS))
    out.pressures[:, 1:] = rng.uniform(0.0, 1.0, (paths, 1))
    delivery = Delivery(rng.uniform(0.5, 1.0, (paths, YEARS)), rng.uniform(0.5, 1.0, paths), rng.uniform(0, 2, paths),
                        np.where(rng.random((paths, YEARS)) < 0.3, rng.uniform(0, 8, (paths, YEARS)), 0.0),
                        action_delivery=rng.uniform(0.3, 1.0, (paths, YEARS)))
    capital = no_capital(paths)
    capital.programme[...] = rng.uniform(0, 8, (paths, YEARS))
    capital.grant[...] = rng.uniform(0, 2, (paths, YEARS))
    capital.receipts[...] = rng.uniform(0, 2, (paths, YEARS))
    capital.revenue_contribution[...] = rng.uniform(0, 1, (paths, YEARS))
    capital.asset_life[...] = rng.uniform(3, 20, paths)
    capital.order = tuple(draw(st.permutations([GRANT, RECEIPTS, RESERVES, REVENUE])))
    kinds = tuple(draw(st.lists(st.sampled_from([BUDGET_SUPPORT, ONE_OFF, CAPITAL]), min_size=2, max_size=2)))
    planned = rng.uniform(0, 3, (paths, YEARS, 2))
    order = tuple(draw(st.permutations([0, 1, GENERAL])))
    policy = ReservePolicy(0.03, 0.04, order, draw(st.sampled_from([GENERAL, 0, 1])), draw(st.booleans()))
    action = ManagementAction(draw(st.sampled_from([0.0, 0.01])), draw(st.booleans()))
    levy = Levy(np.full(paths, 0.005), np.full(paths, 0.015), 1)
    return synthetic_force(paths, out, delivery, policy, plan=plan, capital=capital, levy=levy, kinds=kinds,
                           action=action, planned_use=planned)


@settings(max_examples=60, deadline=None)
@given(random_forces())
def test_the_engine_agrees_with_the_per_path_reference_on_random_inputs(inputs):
    lines = project_force(inputs).lines
    for path in range(inputs.general_reserve.size):
        reference = project_path(inputs, path)
        for name in LINES:
            np.testing.assert_allclose(lines[name][path], reference[name], rtol=1e-9, atol=1e-9, err_msg=name)


@settings(max_examples=60, deadline=None)
@given(random_forces())
def test_money_is_conserved_on_random_inputs(inputs):
    """Every year: reserves move by what the waterfall and the capital account took or added, and never go negative."""
    projection = project_force(inputs)
    lines = projection.lines
    opening = inputs.general_reserve + inputs.earmarked_reserves.sum(axis=1)
    for t in range(YEARS):
        moved = (-lines["planned_reserve_use"][:, t] - lines["shortfall_met_from_reserves"][:, t]
                 + lines["surplus_to_reserves"][:, t] - lines["reserves_to_capital"][:, t])
        np.testing.assert_allclose(lines["total_reserves"][:, t], opening + moved, atol=1e-9)
        # The gap is met by planned draws, the shortfall order, the surplus and the uncovered deficit, exactly.
        np.testing.assert_allclose(lines["gap"][:, t], lines["planned_reserve_use"][:, t]
                                   + lines["shortfall_met_from_reserves"][:, t] - lines["surplus_to_reserves"][:, t]
                                   + lines["uncovered_deficit"][:, t], atol=1e-9)
        assert (projection.earmarked_by_reserve[:, t, :] >= -1e-12).all()
        assert (lines["general_reserve"][:, t] >= -1e-12).all()
        opening = lines["total_reserves"][:, t]


# --------------------------------------------------------------------------------------
# The bridge from the plan to the median
# --------------------------------------------------------------------------------------

def test_the_bridge_sums_to_the_difference_to_the_penny():
    from model.run.bridge import bridge_table
    from model.sampling.setup import load_setup, with_overrides

    setup = with_overrides(load_setup(SCENARIOS / "central.yaml"), paths=512, chunk_size=256)
    bridge = bridge_table(setup)
    for force, rows in bridge.groupby("force"):
        plan = rows[rows.group == "plan"]["value"].iloc[0]
        median = rows[rows.group == "median"]["value"].iloc[0]
        assert round(rows["change"].sum(), 2) == round(median - plan, 2), force
        assert abs(rows["change"].sum() - (median - plan)) < 1e-9
    # With every group held at plan the first step starts from the plan itself, on every path.
    first = bridge[bridge.step == 1]
    assert (first["value"] - first["change"] == bridge[bridge.group == "plan"]["value"].to_numpy()).all()
