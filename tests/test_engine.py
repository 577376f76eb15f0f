"""The engine against hand arithmetic, closed forms and properties of the reserves waterfall."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import PLAN_RATES, YEARS, drivers, synthetic_force
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model.engine.projection import (
    Delivery,
    deliver_savings,
    project_force,
    realise_programme,
    split_budget_year,
)
from model.engine.waterfall import GENERAL, ReservePolicy, reserves_waterfall


def test_budget_year_split_balances_as_set():
    nre, paybill, non_pay = split_budget_year(np.array([150.0]), np.array([2.0]), np.array([3.0]), np.array([2.5]),
                                              np.array([0.8]))
    assert nre[0] == 152.0
    assert paybill[0] + non_pay[0] + 2.5 - 3.0 == pytest.approx(152.0)
    assert paybill[0] == pytest.approx(0.8 * 152.5)


def test_plan_case_matches_hand_arithmetic():
    lines = project_force(synthetic_force()).lines
    # Year 1 by hand: grant 100 × 0.99; band D 200 × 1.02 on 250,000 × 1.01 properties.
    assert lines["grant"][0, 1] == pytest.approx(99.0)
    assert lines["band_d"][0, 1] == pytest.approx(204.0)
    assert lines["precept"][0, 1] == pytest.approx(204.0 * 252_500 / 1e6)
    funding_1 = 99.0 + 204.0 * 252_500 / 1e6
    # Pay: 0.8 × (152 + 3 - 2) = 122.4 grows by 7/12 × 1% + 5/12 × 1%; non-pay 30.6 by 2%.
    spend_before_1 = 122.4 * 1.01 + 30.6 * 1.02 + 2.0
    required_1 = spend_before_1 - funding_1 - 2.0
    assert lines["savings_required"][0, 1] == pytest.approx(required_1)
    assert lines["spend"][0, 1] == pytest.approx(spend_before_1 - required_1)
    # The plan balances with its £2m draw every year: the first earmarked reserve falls by £2m a year.
    np.testing.assert_allclose(lines["gap"][0], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(lines["earmarked_reserves"][0], [12.0, 10.0, 8.0])
    np.testing.assert_allclose(lines["general_reserve"][0], [5.0, 5.0, 5.0])
    np.testing.assert_allclose(lines["uncovered_deficit"][0], 0.0)


@pytest.mark.parametrize("change", [-0.05, -0.2, 0.0, 0.034])
def test_grant_change_moves_grant_by_exactly_that_rate(change):
    outcome = drivers(**dict(PLAN_RATES, grant_change=change))
    lines = project_force(synthetic_force(outcome=outcome)).lines
    assert lines["grant"][0, 1] / lines["grant"][0, 0] - 1.0 == pytest.approx(change, abs=1e-14)
    assert lines["grant"][0, 2] == pytest.approx(100.0 * (1 + change) ** 2)


def test_five_pounds_on_band_d_moves_precept_by_five_pounds_times_tax_base():
    base = project_force(synthetic_force()).lines
    outcome = drivers(**dict(PLAN_RATES, precept_cash=5.0))
    raised = project_force(synthetic_force(outcome=outcome)).lines
    tax_base = base["tax_base"][0, 1]
    assert raised["precept"][0, 1] - base["precept"][0, 1] == pytest.approx(5.0 * tax_base / 1e6)
    assert raised["band_d"][0, 1] - base["band_d"][0, 1] == pytest.approx(5.0)


def test_referendum_limit_caps_the_band_d_rise():
    # A rise at or above a 2% limit needs a referendum: the most allowed is 1.99%.
    outcome = drivers(**dict(PLAN_RATES, precept_rate=0.05, limit_rate=0.02))
    lines = project_force(synthetic_force(outcome=outcome)).lines
    assert lines["band_d"][0, 1] == pytest.approx(200.0 * 1.0199)
    # A £5 allowance is allowed in full.
    outcome = drivers(**dict(PLAN_RATES, precept_rate=0.0, precept_cash=7.0, limit_rate=0.0, limit_cash=5.0))
    assert project_force(synthetic_force(outcome=outcome)).lines["band_d"][0, 1] == pytest.approx(205.0)


def test_pay_award_costs_seven_twelfths_in_its_first_year():
    base = project_force(synthetic_force()).lines
    award = drivers(**PLAN_RATES)
    award.pay_award[:, 1] = 0.02
    lines = project_force(synthetic_force(outcome=award)).lines
    paybill_1 = 122.4 * (1 + 7 / 12 * 0.02 + 5 / 12 * 0.01)
    paybill_2 = paybill_1 * (1 + 7 / 12 * 0.01 + 5 / 12 * 0.02)
    assert lines["spend"][0, 1] - base["spend"][0, 1] == pytest.approx(paybill_1 - 122.4 * 1.01)
    assert lines["spend"][0, 2] - base["spend"][0, 2] == pytest.approx(paybill_2 - 122.4 * 1.01**2)


def test_undelivered_savings_fall_on_reserves():
    delivery = Delivery(np.full((1, YEARS), 0.5), np.ones(1), np.zeros(1), np.zeros((1, YEARS)))
    lines = project_force(synthetic_force(delivery=delivery)).lines
    # Half of the £3m budget-year savings is missed: a £1.5m shortfall on top of the £2m draw.
    assert lines["gap"][0, 0] == pytest.approx(3.5)
    assert lines["earmarked_reserves"][0, 0] == pytest.approx(14.0 - 3.5)


def test_deliver_savings_roll_forward_and_lost():
    # The engine's yearly helpers take (years, paths) rows: one path here, as a column.
    tranches = np.array([[4.0, 2.0, 0.0]]).T
    rate = np.array([[0.5, 0.5, 1.0]]).T
    np.testing.assert_allclose(deliver_savings(tranches, rate, roll_forward=True)[:, 0], [2.0, 4.0, 6.0])
    np.testing.assert_allclose(deliver_savings(tranches, rate, roll_forward=False)[:, 0], [2.0, 3.0, 3.0])
    np.testing.assert_allclose(deliver_savings(np.array([[-1.0, 2.0, 0.0]]).T, rate, True)[:, 0], [-1.0, 0.0, 1.0])


def test_programme_savings_scale_and_slip():
    plan = np.array([[0.0, 1.0, 2.0, 2.0]] * 3).T
    realised = realise_programme(plan, np.array([1.0, 0.5, 1.0]), np.array([0.0, 0.0, 1.5])).T
    np.testing.assert_allclose(realised[0], [0.0, 1.0, 2.0, 2.0])
    np.testing.assert_allclose(realised[1], [0.0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(realised[2], [0.0, 0.0, 0.5, 1.5])  # plan(t - 1.5), linear between years


def waterfall_by_path(gap, planned_use, nre, general, earmarked, policy):
    """:func:`reserves_waterfall` with inputs and outputs in (paths, years[, reserves]) order."""
    out = reserves_waterfall(np.ascontiguousarray(gap.T), np.transpose(planned_use, (1, 2, 0)), nre.T, general,
                             np.ascontiguousarray(earmarked.T), policy)
    return {name: np.transpose(values, (2, 0, 1)) if values.ndim == 3 else values.T for name, values in out.items()}


waterfall_case = st.integers(1, 3).flatmap(
    lambda reserves: st.tuples(
        hnp.arrays(np.float64, (20, YEARS), elements=st.floats(-30, 30)),
        hnp.arrays(np.float64, (20, YEARS, reserves), elements=st.floats(0, 10)),
        hnp.arrays(np.float64, (20,), elements=st.floats(0, 20)),
        hnp.arrays(np.float64, (20, reserves), elements=st.floats(0, 20)),
        st.permutations(list(range(reserves)) + [GENERAL]),
        st.sampled_from([GENERAL] + list(range(reserves))),
    )
)


@settings(max_examples=150, deadline=None)
@given(waterfall_case)
def test_reserves_waterfall_conserves_money_and_never_goes_negative(case):
    gap, planned_use, general, earmarked, order, surplus_reserve = case
    nre = np.full(gap.shape, 150.0)
    policy = ReservePolicy(0.03, 0.04, tuple(order), surplus_reserve)
    out = waterfall_by_path(gap, planned_use, nre, general, earmarked, policy)
    opening = general + earmarked.sum(axis=1)
    for t in range(YEARS):
        closing = out["general"][:, t] + out["earmarked"][:, t, :].sum(axis=1)
        # Money is conserved: what the gap took, less what no reserve could meet.
        np.testing.assert_allclose(closing, opening - gap[:, t] + out["uncovered_deficit"][:, t], atol=1e-9)
        assert (out["general"][:, t] >= -1e-12).all() and (out["earmarked"][:, t] >= -1e-12).all()
        assert (out["uncovered_deficit"][:, t] >= 0).all()
        # An uncovered deficit only once every reserve in the order is empty.
        deficit = out["uncovered_deficit"][:, t] > 1e-9
        for index in order:
            balance = out["general"][:, t] if index == GENERAL else out["earmarked"][:, t, index]
            assert (balance[deficit] <= 1e-9).all()
        opening = closing


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.float64, (10, YEARS), elements=st.floats(0, 30)),
    hnp.arrays(np.float64, (10,), elements=st.floats(0, 20)),
    hnp.arrays(np.float64, (10, 2), elements=st.floats(0, 20)),
    st.permutations([0, 1, GENERAL]),
)
def test_reserves_waterfall_respects_its_order(gap, general, earmarked, order):
    policy = ReservePolicy(0.03, 0.03, tuple(order), GENERAL)
    out = waterfall_by_path(gap, np.zeros((10, YEARS, 2)), np.full(gap.shape, 100.0), general, earmarked, policy)
    before = {GENERAL: general.copy(), 0: earmarked[:, 0].copy(), 1: earmarked[:, 1].copy()}
    for t in range(YEARS):
        after = {GENERAL: out["general"][:, t], 0: out["earmarked"][:, t, 0], 1: out["earmarked"][:, t, 1]}
        for position, later in enumerate(order):
            used = after[later] < before[later] - 1e-12
            for earlier in order[:position]:
                assert (after[earlier][used] <= 1e-9).all(), "a later reserve was used before an earlier one ran out"
        before = {k: v.copy() for k, v in after.items()}


def test_surplus_tops_up_general_to_target_then_goes_to_earmarked():
    policy = ReservePolicy(0.03, 0.05, (0, GENERAL), 0)
    out = waterfall_by_path(np.array([[-10.0]]), np.zeros((1, 1, 1)), np.array([[100.0]]), np.array([2.0]),
                            np.array([[1.0]]), policy)
    assert out["general"][0, 0] == pytest.approx(5.0)
    assert out["earmarked"][0, 0, 0] == pytest.approx(8.0)


def test_flags():
    delivery = Delivery(np.zeros((1, YEARS)), np.ones(1), np.zeros(1), np.array([[0.0, 30.0, 0.0]]))
    projection = project_force(synthetic_force(delivery=delivery))
    flags = projection.flags
    assert flags["uncovered_deficit"][0].tolist() == [False, True, True]
    assert flags["usable_reserves_exhausted_by_year"][0].tolist() == [False, True, True]
    assert flags["general_below_minimum_by_year"][0].tolist() == [False, True, True]
    assert projection.lines["total_reserves"][0, 1] == 0.0


def test_extra_recurring_savings_lower_spend_by_exactly_that_amount():
    base = project_force(synthetic_force()).lines
    delivery = Delivery(np.ones((1, YEARS)), np.ones(1), np.zeros(1), np.zeros((1, YEARS)),
                        extra_savings=np.array([[0.0, 1.5, 1.5]]))
    lines = project_force(synthetic_force(delivery=delivery)).lines
    np.testing.assert_allclose(base["spend"][0] - lines["spend"][0], [0.0, 1.5, 1.5])
    np.testing.assert_allclose(lines["total_reserves"][0] - base["total_reserves"][0], [0.0, 1.5, 3.0])
