"""A plain per-path Python version of the engine: the test oracle and the benchmark's reference.

It re-implements :func:`model.engine.project_force` one path at a time with scalar
arithmetic and explicit loops, written from the domain model rather than from the
vectorised code, so that the two can check each other. It is deliberately simple and slow.
"""

from __future__ import annotations

import math

from model.engine.projection import PAY_AWARD_FIRST_YEAR_SHARE, Drivers, ForceInputs
from model.engine.waterfall import GENERAL


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
        ``grant, precept, band_d, funding, spend, savings_delivered, gap,
        general_reserve, earmarked_reserves, total_reserves, uncovered_deficit``, one
        value per year.
    """
    b = inputs.budget
    years = inputs.plan.grant_change.shape[1]
    reserves = inputs.earmarked_reserves.shape[1]

    def income(drivers: Drivers) -> tuple[list[float], list[float], list[float], list[float]]:
        grant, tax_base, band_d, precept = [b.grant[path]], [b.tax_base[path]], [b.band_d[path]], [b.precept[path]]
        for t in range(1, years):
            grant.append(grant[-1] * (1 + drivers.grant_change[path, t]))
            tax_base.append(tax_base[-1] * (1 + drivers.tax_base_growth[path, t]))
            rise = band_d[-1] * drivers.precept_rate[path, t] + drivers.precept_cash[path, t]
            cap = band_d[-1] * drivers.limit_rate[path, t] + drivers.limit_cash[path, t]
            band_d.append(band_d[-1] + min(rise, cap))
            precept.append(band_d[-1] * tax_base[-1] / 1e6 * (1 + drivers.collection_fund[path, t]))
        return grant, band_d, precept, [g + p for g, p in zip(grant, precept, strict=True)]

    def paybill_index(drivers: Drivers, budgeted_award: float) -> list[float]:
        award = drivers.pay_award[path]
        index = [1 + PAY_AWARD_FIRST_YEAR_SHARE * (award[0] - budgeted_award)]
        for t in range(1, years):
            growth = 7 / 12 * award[t] + 5 / 12 * award[t - 1] + drivers.pay_drift[path, t]
            index.append(index[-1] * (1 + growth))
        return index

    def prices(drivers: Drivers) -> list[float]:
        index = [1.0]
        for t in range(1, years):
            index.append(index[-1] * (1 + drivers.non_pay_inflation[path, t]))
        return index

    planned_use = [sum(inputs.planned_use[path, t, k] for k in range(reserves)) for t in range(years)]
    budgeted_award = inputs.plan.pay_award[path, 0]
    _, _, _, plan_funding = income(inputs.plan)
    plan_pay = paybill_index(inputs.plan, budgeted_award)
    plan_prices = prices(inputs.plan)
    requirement = [
        b.paybill[path] * plan_pay[t] + b.non_pay[path] * plan_prices[t] + b.capital_financing[path]
        + inputs.one_off_spend[path, t] - plan_funding[t] - planned_use[t]
        for t in range(years)
    ]
    programme = inputs.programme_savings[path]
    tranches = [requirement[t] - (requirement[t - 1] if t else 0.0) - (programme[t] - (programme[t - 1] if t else 0.0))
                for t in range(years)]

    grant, band_d, precept, funding = income(inputs.outcome)
    pay = paybill_index(inputs.outcome, budgeted_award)
    price = prices(inputs.outcome)
    delivered, carried, total_delivered = [], 0.0, 0.0
    for t in range(years):
        attempt = tranches[t] + carried
        if attempt > 0:
            achieved = attempt * inputs.delivery.savings_delivery[path, t]
            carried = attempt - achieved if inputs.policy.roll_forward else 0.0
        else:
            achieved, carried = attempt, 0.0
        total_delivered += achieved
        delivered.append(total_delivered)
    size, delay = inputs.delivery.collaboration_size[path], inputs.delivery.collaboration_delay[path]

    def programme_at(x: float) -> float:
        if x <= -1:
            return 0.0
        if x >= years - 1:
            return programme[years - 1]
        lower = math.floor(x)
        below = programme[lower] if lower >= 0 else 0.0
        return below + (x - lower) * (programme[lower + 1] - below)

    general = inputs.general_reserve[path]
    earmarked = [inputs.earmarked_reserves[path, k] for k in range(reserves)]
    out = {name: [] for name in ("grant", "precept", "band_d", "funding", "spend", "savings_delivered", "gap",
                                 "general_reserve", "earmarked_reserves", "total_reserves", "uncovered_deficit")}
    policy = inputs.policy
    for t in range(years):
        savings = delivered[t] + size * programme_at(t - delay)
        if inputs.delivery.extra_savings is not None:
            savings += inputs.delivery.extra_savings[path, t]
        spend = (b.paybill[path] * pay[t] + b.non_pay[path] * price[t] + b.capital_financing[path]
                 + inputs.one_off_spend[path, t] + inputs.delivery.shocks[path, t] - savings)
        gap = spend - funding[t]
        drawn = 0.0
        for k in range(reserves):
            take = min(inputs.planned_use[path, t, k], earmarked[k])
            earmarked[k] -= take
            drawn += take
        shortfall = gap - drawn
        uncovered = 0.0
        if shortfall > 0:
            for index in policy.shortfall_order:
                balance = general if index == GENERAL else earmarked[index]
                take = min(balance, shortfall)
                shortfall -= take
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
        for name, value in (("grant", grant[t]), ("precept", precept[t]), ("band_d", band_d[t]),
                            ("funding", funding[t]), ("spend", spend), ("savings_delivered", savings),
                            ("gap", gap), ("general_reserve", general), ("earmarked_reserves", sum(earmarked)),
                            ("total_reserves", general + sum(earmarked)), ("uncovered_deficit", uncovered)):
            out[name].append(value)
    return out
