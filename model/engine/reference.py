"""A plain per-path Python version of the engine: the test oracle and the benchmark's reference.

It re-implements :func:`model.engine.projection.project_force` one path at a time with
scalar arithmetic and explicit loops, written from the domain model (``docs/model.md``)
rather than from the vectorised code, so that the two can check each other: the income
chain and the precept decision under the referendum limit, pay with its 7/12 first-year
award, pensions and the apprenticeship levy, pressures, the capital account, savings
delivery, the reserves waterfall with each reserve's use and eligibility, and management
action. It is deliberately simple and slow.
"""

from __future__ import annotations

import math

import numpy as np

from model.engine.capital import GRANT, RECEIPTS, RESERVES, REVENUE
from model.engine.precept import MAX_ALLOWED, RATE_LIMIT_MARGIN, STATED, TO_BALANCE
from model.engine.projection import EMPTY_TOLERANCE, PAY_AWARD_FIRST_YEAR_SHARE, Drivers, ForceInputs
from model.engine.waterfall import BUDGET_SUPPORT, CAPITAL, GENERAL, ONE_OFF

LINES = ("grant", "precept", "band_d", "funding", "pay", "pension_costs", "apprenticeship_levy", "capital_financing",
         "borrowing", "spend", "savings_delivered", "action_savings", "gap", "planned_reserve_use",
         "unfunded_planned_use", "shortfall_met_from_reserves", "reserves_to_capital", "general_reserve",
         "earmarked_reserves", "total_reserves", "uncovered_deficit", "precept_cap_cost")
"""The lines :func:`project_path` returns, each one value per year."""


def project_path(inputs: ForceInputs, path: int) -> dict[str, list[float]]:
    """Project one path of a force.

    Parameters
    ----------
    inputs : ForceInputs
        Arrays for many paths; only row ``path`` is used.
    path : int

    Returns
    -------
    dict of str to list of float
        Every line of :data:`LINES`, one value per year (money £m, band D £).
    """
    b = inputs.budget
    years = inputs.plan.grant_change.shape[1]
    n_reserves = inputs.earmarked_reserves.shape[1]
    kinds = list(inputs.reserve_kinds)
    officer_share = float(b.officer_share[path])

    def value(array: np.ndarray, t: int | None = None) -> float:
        return float(array[path] if t is None else array[path, t])

    def allowed(band_d_previous: float, drivers: Drivers, t: int) -> float:
        cash = value(drivers.limit_cash, t)
        if cash > 0:
            return cash
        return band_d_previous * max(value(drivers.limit_rate, t) - RATE_LIMIT_MARGIN, 0.0)

    def paybill_index(drivers: Drivers, budgeted_award: float) -> list[float]:
        award = [value(drivers.pay_award, t) for t in range(years)]
        index = [1 + PAY_AWARD_FIRST_YEAR_SHARE * (award[0] - budgeted_award)]
        for t in range(1, years):
            growth = 7 / 12 * award[t] + 5 / 12 * award[t - 1] + value(drivers.pay_drift, t)
            index.append(index[-1] * (1 + growth))
        return index

    def prices(drivers: Drivers) -> list[float]:
        index = [1.0]
        for t in range(1, years):
            index.append(index[-1] * (1 + value(drivers.non_pay_inflation, t)))
        return index

    def levy(pay: float, t: int) -> float:
        if t < inputs.levy.first_year:
            return 0.0
        return max(value(inputs.levy.rate) * pay - value(inputs.levy.allowance), 0.0)

    def pensions(drivers: Drivers, pay: float, t: int) -> float:
        return (value(drivers.officer_pension_step, t) * officer_share
                + value(drivers.staff_pension_step, t) * (1 - officer_share)) * pay

    capital = inputs.capital

    def fund_capital(t: int, pools: dict[int, float], balances: list[float]) -> tuple[float, float]:
        """Fund year t's programme in order; returns (borrowing, taken from capital reserves)."""
        need = value(capital.programme, t)
        taken = 0.0
        for source in capital.order:
            if source == RESERVES:
                for k in range(n_reserves):
                    if kinds[k] != CAPITAL:
                        continue
                    take = min(value(inputs.planned_use[:, :, k], t), balances[k], need)
                    balances[k] -= take
                    need -= take
                    taken += take
            else:
                take = min(pools[source], need)
                pools[source] -= take
                need -= take
        return max(need, 0.0), taken

    def add_capital_income(pools: dict[int, float], t: int) -> None:
        pools[GRANT] += value(capital.grant, t)
        pools[RECEIPTS] += value(capital.receipts, t)
        pools[REVENUE] += value(capital.revenue_contribution, t)

    def financing(loans: list[tuple[float, float]]) -> float:
        life = value(capital.asset_life)
        return value(capital.existing_financing) + sum(amount * (rate + 1 / life) for amount, rate in loans)

    def planned(k: int, t: int) -> float:
        return value(inputs.planned_use[:, :, k], t)

    collaboration_plan = [value(inputs.collaboration_plan, t) for t in range(years)]
    one_off = [sum(planned(k, t) for k in range(n_reserves) if kinds[k] == ONE_OFF) for t in range(years)]
    revenue_use = [sum(planned(k, t) for k in range(n_reserves) if kinds[k] in (BUDGET_SUPPORT, ONE_OFF))
                   for t in range(years)]

    # The plan: its spending before savings, its funding, and the savings that balance it.
    budgeted_award = value(inputs.plan.pay_award, 0)
    plan_pay_index = paybill_index(inputs.plan, budgeted_award)
    plan_prices = prices(inputs.plan)
    plan_balances = [value(inputs.earmarked_reserves[:, k]) for k in range(n_reserves)]
    pools = {GRANT: 0.0, RECEIPTS: 0.0, REVENUE: 0.0}
    loans: list[tuple[float, float]] = []
    band_d, plan_funding, requirement = value(b.band_d), [], []
    tax_base, grant = value(b.tax_base), value(b.grant)
    for t in range(years):
        plan_financing = financing(loans)
        add_capital_income(pools, t)
        borrowing, _ = fund_capital(t, pools, plan_balances)
        loans.append((borrowing, value(inputs.plan.borrowing_rate, t)))
        paybill = value(b.paybill) * plan_pay_index[t]
        pay = paybill - collaboration_plan[t]
        spend = (paybill + value(b.non_pay) * plan_prices[t] + pensions(inputs.plan, pay, t) + levy(pay, t)
                 + value(inputs.plan.pressures, t) + plan_financing + value(capital.revenue_contribution, t)
                 + one_off[t])
        if t == 0:
            funding = value(b.grant) + value(b.precept)
        else:
            grant *= 1 + value(inputs.plan.grant_change, t)
            tax_base *= 1 + value(inputs.plan.tax_base_growth, t)
            rise = band_d * value(inputs.plan.precept_rate, t) + value(inputs.plan.precept_cash, t)
            band_d += min(rise, allowed(band_d, inputs.plan, t))
            funding = grant + band_d * tax_base / 1e6 * (1 + value(inputs.plan.collection_fund, t))
        plan_funding.append(funding)
        requirement.append(spend - funding - revenue_use[t])
    programme = [value(inputs.programme_savings, t) for t in range(years)]
    tranches = [requirement[t] - (requirement[t - 1] if t else 0.0) - (programme[t] - (programme[t - 1] if t else 0.0))
                for t in range(years)]

    # What happens on this path.
    outcome = inputs.outcome
    pay_index = paybill_index(outcome, budgeted_award)
    price = prices(outcome)
    delivered, carried, total_delivered = [], 0.0, 0.0
    for t in range(years):
        attempt = tranches[t] + carried
        if attempt > 0:
            achieved = attempt * value(inputs.delivery.savings_delivery, t)
            carried = attempt - achieved if inputs.policy.roll_forward else 0.0
        else:
            achieved, carried = attempt, 0.0
        total_delivered += achieved
        delivered.append(total_delivered)
    size, delay = value(inputs.delivery.collaboration_size), value(inputs.delivery.collaboration_delay)

    def programme_at(x: float) -> float:
        if x <= -1:
            return 0.0
        if x >= years - 1:
            return programme[years - 1]
        lower = math.floor(x)
        below = programme[lower] if lower >= 0 else 0.0
        return below + (x - lower) * (programme[lower + 1] - below)

    general = value(inputs.general_reserve)
    earmarked = [value(inputs.earmarked_reserves[:, k]) for k in range(n_reserves)]
    policy, action = inputs.policy, inputs.action
    out: dict[str, list[float]] = {name: [] for name in LINES}
    pools = {GRANT: 0.0, RECEIPTS: 0.0, REVENUE: 0.0}
    loans = []
    band_d, tax_base, grant = value(b.band_d), value(b.tax_base), value(b.grant)
    action_total, to_limit, cut_total = 0.0, False, 0.0
    for t in range(years):
        capital_financing = financing(loans)
        add_capital_income(pools, t)
        borrowing, to_capital = fund_capital(t, pools, earmarked)
        loans.append((borrowing, value(outcome.borrowing_rate, t)))

        paybill = value(b.paybill) * pay_index[t]
        collaboration = collaboration_plan[t] * pay_index[t] / plan_pay_index[t]
        pay = paybill - collaboration
        pension = pensions(outcome, pay, t)
        levy_t = levy(pay, t)
        savings = delivered[t] + size * programme_at(t - delay) + action_total
        if inputs.delivery.extra_savings is not None:
            savings += value(inputs.delivery.extra_savings, t)
        spend = (paybill + value(b.non_pay) * price[t] + pension + levy_t + value(outcome.pressures, t)
                 + capital_financing + value(capital.revenue_contribution, t) + one_off[t]
                 + value(inputs.delivery.shocks, t) - savings)

        cap_cost = 0.0
        if t == 0:
            precept = value(b.precept)
        else:
            grant *= 1 + value(outcome.grant_change, t)
            tax_base *= 1 + value(outcome.tax_base_growth, t)
            collection = 1 + value(outcome.collection_fund, t)
            limit = allowed(band_d, outcome, t)
            rule = MAX_ALLOWED if to_limit else int(value(outcome.precept_rule, t))
            if rule == STATED:
                asked = band_d * value(outcome.precept_rate, t) + value(outcome.precept_cash, t)
            elif rule == MAX_ALLOWED:
                asked = limit
            else:
                assert rule == TO_BALANCE
                available = sum(min(planned(k, t), earmarked[k]) for k in range(n_reserves) if kinds[k] != CAPITAL)
                asked = max((spend - grant - available) / collection * 1e6 / tax_base - band_d, 0.0)
            rise = min(asked, limit)
            cut_total += max(asked - rise, 0.0)
            band_d += rise
            precept = band_d * tax_base / 1e6 * collection
            cap_cost = cut_total * tax_base / 1e6 * collection
        funding = grant + precept
        gap = spend - funding

        drawn = 0.0
        for k in range(n_reserves):
            if kinds[k] == CAPITAL:
                continue
            take = min(planned(k, t), earmarked[k])
            earmarked[k] -= take
            drawn += take
        shortfall = gap - drawn
        met, uncovered = 0.0, 0.0
        if shortfall > 0:
            for index in policy.shortfall_order:
                balance = general if index == GENERAL else earmarked[index]
                take = min(balance, shortfall)
                shortfall -= take
                met += take
                if index == GENERAL:
                    general -= take
                else:
                    earmarked[index] -= take
            uncovered = shortfall
        elif shortfall < 0:
            surplus = -shortfall
            top_up = min(surplus, max(policy.target_general_rate * spend - general, 0.0))
            general += top_up
            if policy.surplus_reserve == GENERAL:
                general += surplus - top_up
            else:
                earmarked[policy.surplus_reserve] += surplus - top_up

        for name, line_value in (
            ("grant", grant), ("precept", precept), ("band_d", band_d), ("funding", funding), ("pay", pay),
            ("pension_costs", pension), ("apprenticeship_levy", levy_t), ("capital_financing", capital_financing),
            ("borrowing", borrowing), ("spend", spend), ("savings_delivered", savings),
            ("action_savings", action_total), ("gap", gap), ("planned_reserve_use", drawn),
            ("unfunded_planned_use", revenue_use[t] - drawn), ("shortfall_met_from_reserves", met),
            ("reserves_to_capital", to_capital), ("general_reserve", general),
            ("earmarked_reserves", sum(earmarked)), ("total_reserves", general + sum(earmarked)),
            ("uncovered_deficit", uncovered), ("precept_cap_cost", cap_cost),
        ):
            out[name].append(line_value)

        if t + 1 < years and met > EMPTY_TOLERANCE:
            if action.savings_share > 0:
                delivery = 1.0 if inputs.delivery.action_delivery is None else value(inputs.delivery.action_delivery, t + 1)
                action_total += min(met, action.savings_share * spend) * delivery
            if action.precept_to_limit:
                to_limit = True
    return out
