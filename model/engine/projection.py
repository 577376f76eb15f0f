"""The projection engine: pure numpy arithmetic over every path at once.

It knows nothing of YAML, files or plots. Its inputs (:class:`ForceInputs`) and outputs
(:class:`Projection`) are arrays of shape ``(paths, years)``; inside, every yearly array is
held the other way round, ``(years, paths)``, so that each year is one contiguous row and the
year-by-year recursions below run along contiguous memory (a column of a ``(paths, years)``
array is strided, and numpy is several times slower on it). The functions here that take
yearly arrays take them in that ``(years, paths)`` layout.

Money is in £ million, band D in £, the tax base in band D equivalent properties, rates
as fractions (0.0199 for 1.99%). Year 0 is the budget year (2016/17), whose income is as
set; later years follow the yearly identity of the domain model:

.. code-block:: text

    grant[t]    = grant[t-1] * (1 + grant_change[t])
    tax_base[t] = tax_base[t-1] * (1 + tax_base_growth[t])
    band_d[t]   = band_d[t-1] + min(band_d[t-1] * precept_rate[t] + precept_cash[t],
                                    band_d[t-1] * limit_rate[t]   + limit_cash[t])
    precept[t]  = band_d[t] * tax_base[t] / 1e6 * (1 + collection_fund[t])
    funding[t]  = grant[t] + precept[t]

    pay_index[t] = pay_index[t-1] * (1 + 7/12 award[t] + 5/12 award[t-1] + drift[t])
    spend[t]     = paybill0 * pay_index[t] + non_pay0 * prices[t] + capital_financing
                   + one_off_spend[t] + shocks[t] - recurring_savings_delivered[t]
    gap[t]       = spend[t] - funding[t]

The force's own plan is the same projection run on its planning assumptions; the
recurring savings it must find each year are whatever balances that plan after its
planned reserve use (the MTFS "savings requirement"). Outcomes then differ from the plan
through the uncertain drivers, savings delivery, collaboration slippage and shocks, and
the difference flows through the reserves waterfall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.engine.arrays import rows, running, total_over_first, year_on_year
from model.engine.waterfall import ReservePolicy, reserves_waterfall

PAY_AWARD_FIRST_YEAR_SHARE = 7.0 / 12.0
"""Share of a 1 September pay award that falls in its first financial year."""

MAX_COVER_YEARS = 50.0
"""Cap on reserve cover: reserves not being used down count as lasting this many years."""

EMPTY_TOLERANCE = 1e-6
"""£m below which a reserve counts as empty and a deficit as nil (£1)."""


@dataclass
class BudgetYear:
    """The budget year as set, per path. Every array has shape ``(paths,)``.

    Attributes
    ----------
    grant, precept : ndarray
        Grant and council tax income in the budget year, £m. ``precept`` includes any
        collection fund surplus.
    band_d : ndarray
        Band D precept, £.
    tax_base : ndarray
        Council tax base, band D equivalents.
    paybill, non_pay : ndarray
        Recurring running costs before the year's new savings, £m. ``paybill`` includes
        collaboration contributions, which are mostly staff costs of joint units.
    capital_financing : ndarray
        Capital financing costs, £m a year, held flat in cash.
    savings : ndarray
        New recurring savings in the budget year, £m.
    """

    grant: np.ndarray
    precept: np.ndarray
    band_d: np.ndarray
    tax_base: np.ndarray
    paybill: np.ndarray
    non_pay: np.ndarray
    capital_financing: np.ndarray
    savings: np.ndarray


@dataclass
class Drivers:
    """Year-on-year drivers, each of shape ``(paths, years)``; rates as fractions.

    Column 0 (the budget year) of the income drivers is ignored: its income is as set.
    ``pay_award[:, 0]`` is the award from 1 September of the budget year.
    """

    grant_change: np.ndarray
    precept_rate: np.ndarray
    precept_cash: np.ndarray
    limit_rate: np.ndarray
    limit_cash: np.ndarray
    tax_base_growth: np.ndarray
    collection_fund: np.ndarray
    pay_award: np.ndarray
    pay_drift: np.ndarray
    non_pay_inflation: np.ndarray


@dataclass
class Delivery:
    """What actually happens to savings and one-off costs.

    Attributes
    ----------
    savings_delivery : ndarray, shape (paths, years)
        Share of each year's planned new savings delivered, in [0, 1].
    collaboration_size : ndarray, shape (paths,)
        Realised collaboration programme savings as a share of plan.
    collaboration_delay : ndarray, shape (paths,)
        Slippage of collaboration savings, in years.
    shocks : ndarray, shape (paths, years)
        One-off unplanned costs, £m.
    extra_savings : ndarray, shape (paths, years), optional
        Additional recurring savings in force each year beyond the plan (cumulative, £m),
        delivered in full: the savings lever of a goal seek.
    """

    savings_delivery: np.ndarray
    collaboration_size: np.ndarray
    collaboration_delay: np.ndarray
    shocks: np.ndarray
    extra_savings: np.ndarray | None = None


@dataclass
class ForceInputs:
    """Everything the engine needs for one force, as arrays.

    Attributes
    ----------
    budget : BudgetYear
    plan : Drivers
        The force's own planning assumptions.
    outcome : Drivers
        What happens on each path.
    delivery : Delivery
    collaboration_plan : ndarray, shape (paths, years)
        Planned collaboration spend (with forces and non-police bodies), £m cash.
    one_off_spend : ndarray, shape (paths, years)
        Planned one-off spending funded by reserve drawdowns, £m.
    programme_savings : ndarray, shape (paths, years)
        Cumulative recurring savings planned from collaboration programmes, £m.
    general_reserve : ndarray, shape (paths,)
        General reserve at the start of the budget year, £m.
    earmarked_reserves : ndarray, shape (paths, reserves)
        Each earmarked reserve at the start of the budget year, £m.
    planned_use : ndarray, shape (paths, years, reserves)
        Planned drawdown from each earmarked reserve, £m.
    policy : ReservePolicy
    """

    budget: BudgetYear
    plan: Drivers
    outcome: Drivers
    delivery: Delivery
    collaboration_plan: np.ndarray
    one_off_spend: np.ndarray
    programme_savings: np.ndarray
    general_reserve: np.ndarray
    earmarked_reserves: np.ndarray
    planned_use: np.ndarray
    policy: ReservePolicy


@dataclass
class Projection:
    """Engine output for one force: arrays of shape ``(paths, years)`` unless noted."""

    lines: dict[str, np.ndarray] = field(default_factory=dict)
    earmarked_by_reserve: np.ndarray | None = None
    flags: dict[str, np.ndarray] = field(default_factory=dict)


def split_budget_year(
    funding: np.ndarray,
    planned_use: np.ndarray,
    savings: np.ndarray,
    one_off_spend: np.ndarray,
    capital_financing: np.ndarray,
    pay_share: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calibrate the budget year so that it balances as set.

    Net revenue expenditure is the budget requirement plus planned reserve use; running
    costs before the year's savings are NRE plus those savings, less capital financing and
    reserve-funded one-off spend; pay is ``pay_share`` of running costs and non-pay the rest.

    Parameters
    ----------
    funding : ndarray, shape (paths,)
        Budget requirement (grant + precept), £m.
    planned_use : ndarray, shape (paths,)
        Total planned reserve drawdown in the budget year, £m.
    savings : ndarray, shape (paths,)
        New recurring savings in the budget, £m.
    one_off_spend : ndarray, shape (paths,)
        Reserve-funded one-off spending in the budget year, £m.
    capital_financing : ndarray, shape (paths,)
        £m.
    pay_share : ndarray, shape (paths,)
        Pay (including collaboration contributions) as a share of running costs.

    Returns
    -------
    nre, paybill, non_pay : ndarray, shape (paths,)
    """
    nre = funding + planned_use
    running = nre + savings - one_off_spend - capital_financing
    paybill = pay_share * running
    return nre, paybill, running - paybill


DRIVER_FIELDS = ("grant_change", "precept_rate", "precept_cash", "limit_rate", "limit_cash", "tax_base_growth",
                 "collection_fund", "pay_award", "pay_drift", "non_pay_inflation")


def driver_rows(drivers: Drivers) -> dict[str, np.ndarray]:
    """Each driver as a ``(years, paths)`` view (no copy: each is read once a year)."""
    return {name: getattr(drivers, name).T for name in DRIVER_FIELDS}


def project_income(budget: BudgetYear, drivers: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Grant, tax base, band D, precept and funding by year.

    Parameters
    ----------
    budget : BudgetYear
    drivers : dict of str to ndarray, each (years, paths)
        From :func:`driver_rows`.

    Returns
    -------
    dict of str to ndarray, each of shape (years, paths)
        ``grant``, ``tax_base``, ``band_d``, ``precept``, ``funding`` (£m; band D in £;
        tax base in band D equivalents).
    """
    years, paths = drivers["grant_change"].shape
    grant = np.empty((years, paths))
    tax_base = np.empty((years, paths))
    band_d = np.empty((years, paths))
    precept = np.empty((years, paths))
    grant[0] = budget.grant
    tax_base[0] = budget.tax_base
    band_d[0] = budget.band_d
    precept[0] = budget.precept
    for t in range(1, years):
        grant[t] = grant[t - 1] * (1.0 + drivers["grant_change"][t])
        tax_base[t] = tax_base[t - 1] * (1.0 + drivers["tax_base_growth"][t])
        asked = band_d[t - 1] * drivers["precept_rate"][t] + drivers["precept_cash"][t]
        limit = band_d[t - 1] * drivers["limit_rate"][t] + drivers["limit_cash"][t]
        band_d[t] = band_d[t - 1] + np.minimum(asked, limit)
        council_tax = band_d[t] * tax_base[t] / 1e6
        precept[t] = council_tax * (1.0 + drivers["collection_fund"][t])
    return {
        "grant": grant,
        "tax_base": tax_base,
        "band_d": band_d,
        "precept": precept,
        "funding": grant + precept,
    }


def pay_index(drivers: dict[str, np.ndarray], budgeted_award: np.ndarray) -> np.ndarray:
    """Paybill index relative to the budget year as set, shape ``(years, paths)``.

    An award from 1 September costs 7/12 of its full-year value in its first year and
    the full value from the next. The budget-year paybill already assumes
    ``budgeted_award``; a different award moves the budget-year outturn by 7/12 of the
    difference.
    """
    award = drivers["pay_award"]
    index = np.empty(award.shape)
    index[0] = 1.0 + PAY_AWARD_FIRST_YEAR_SHARE * (award[0] - budgeted_award)
    for t in range(1, award.shape[0]):
        growth = (
            PAY_AWARD_FIRST_YEAR_SHARE * award[t]
            + (1.0 - PAY_AWARD_FIRST_YEAR_SHARE) * award[t - 1]
            + drivers["pay_drift"][t]
        )
        index[t] = index[t - 1] * (1.0 + growth)
    return index


def price_index(drivers: dict[str, np.ndarray]) -> np.ndarray:
    """Non-pay price index relative to the budget year, shape ``(years, paths)``."""
    factor = np.add(1.0, drivers["non_pay_inflation"], order="C")
    factor[0] = 1.0
    return running(factor, np.multiply)


def planned_savings(
    spend_before_savings: np.ndarray,
    funding: np.ndarray,
    planned_use: np.ndarray,
    programme_savings: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The savings requirement that balances the force's plan, split into tranches.

    Parameters
    ----------
    spend_before_savings, funding : ndarray, shape (years, paths)
        The plan's spending before any savings made since the budget year began, and
        its funding, £m.
    planned_use : ndarray, shape (years, paths)
        Total planned reserve drawdown, £m.
    programme_savings : ndarray, shape (years, paths)
        Cumulative collaboration programme savings in the plan, £m.

    Returns
    -------
    requirement : ndarray, shape (years, paths)
        Cumulative recurring savings the plan needs by each year, £m.
    other_tranches : ndarray, shape (years, paths)
        New recurring savings each year other than collaboration programmes, £m; a
        negative tranche is planned reinvestment.
    """
    requirement = spend_before_savings - funding - planned_use
    new = year_on_year(requirement)
    new_programme = year_on_year(programme_savings)
    return requirement, new - new_programme


def deliver_savings(other_tranches: np.ndarray, delivery_rate: np.ndarray, roll_forward: bool) -> np.ndarray:
    """Cumulative recurring savings delivered, shape ``(years, paths)``, £m.

    Each year's tranche (``other_tranches``, ``(years, paths)``) is delivered at that
    year's rate and recurs in every later year. With ``roll_forward`` the undelivered
    part of a tranche is attempted again the next year (at that year's rate); otherwise
    it is lost. A negative tranche (reinvestment) happens in full.
    """
    years, paths = other_tranches.shape
    delivered = np.empty((years, paths))
    carried = np.zeros(paths)
    total = np.zeros(paths)
    for t in range(years):
        attempt = other_tranches[t] + carried
        positive = attempt > 0.0
        achieved = np.where(positive, attempt * delivery_rate[t], attempt)
        carried = np.where(positive, attempt - achieved, 0.0) if roll_forward else np.zeros(paths)
        total = total + achieved
        delivered[t] = total
    return delivered


def realise_programme(programme_savings: np.ndarray, size: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """Collaboration programme savings realised, shape ``(years, paths)``, £m.

    The planned cumulative profile (``(years, paths)``) is scaled by ``size`` and shifted
    later by ``delay`` years (each of shape ``(paths,)``), interpolating linearly so that
    half a year's delay phases in half a year.
    """
    years, paths = programme_savings.shape
    if not programme_savings.any():
        # No programme: the formula below gives size × 0; this keeps that (a NaN size still shows).
        return programme_savings * size[None, :]
    profile = np.concatenate([np.zeros((1, paths)), programme_savings], axis=0)
    shifted = np.arange(years)[:, None] - delay[None, :]
    position = np.clip(shifted + 1.0, 0.0, float(years))
    lower = np.minimum(np.floor(position).astype(np.int64), years - 1)
    weight = position - lower
    # Gather along the years through flat indices: faster than take_along_axis for a few long rows.
    flat = lower * paths + np.arange(paths)
    low_value = profile.take(flat)
    high_value = profile.take(flat + paths)
    return size[None, :] * (low_value + weight * (high_value - low_value))


def project_force(inputs: ForceInputs) -> Projection:
    """Project one force's budget, reserves and flags on every path.

    Parameters
    ----------
    inputs : ForceInputs
        Arrays of shape ``(paths, years)`` and so on, as documented there.

    Returns
    -------
    Projection
        ``lines``: the summary metrics, each of shape (paths, years); money in £m.
        ``earmarked_by_reserve``: closing earmarked balances (paths, years, reserves).
        ``flags``: boolean arrays (paths, years), in-year and ``_by_year`` cumulative.
        Each is a transposed view of the engine's ``(years, paths)`` rows; ``.T`` gives
        the rows back without a copy.
    """
    budget = inputs.budget
    planned_use_by_reserve = np.ascontiguousarray(np.transpose(inputs.planned_use, (1, 2, 0)))
    planned_use = total_over_first(np.swapaxes(planned_use_by_reserve, 0, 1))
    one_off_spend = rows(inputs.one_off_spend)
    programme_savings = rows(inputs.programme_savings)
    plan = driver_rows(inputs.plan)
    outcome = driver_rows(inputs.outcome)

    plan_income = project_income(budget, plan)
    plan_award = plan["pay_award"][0]
    plan_pay = pay_index(plan, plan_award)
    plan_spend = (
        budget.paybill * plan_pay
        + budget.non_pay * price_index(plan)
        + budget.capital_financing
        + one_off_spend
    )
    requirement, other_tranches = planned_savings(plan_spend, plan_income["funding"], planned_use, programme_savings)

    income = project_income(budget, outcome)
    pay = pay_index(outcome, plan_award)
    paybill = budget.paybill * pay
    collaboration = rows(inputs.collaboration_plan) * pay / plan_pay
    non_pay = budget.non_pay * price_index(outcome)
    delivered = deliver_savings(other_tranches, inputs.delivery.savings_delivery.T, inputs.policy.roll_forward)
    programme = realise_programme(programme_savings, inputs.delivery.collaboration_size, inputs.delivery.collaboration_delay)
    savings_delivered = delivered + programme
    if inputs.delivery.extra_savings is not None:
        savings_delivered = savings_delivered + rows(inputs.delivery.extra_savings)
    shocks = rows(inputs.delivery.shocks)
    spend = paybill + non_pay + budget.capital_financing + one_off_spend + shocks - savings_delivered
    gap = spend - income["funding"]
    reserves = reserves_waterfall(
        gap, planned_use_by_reserve, spend, inputs.general_reserve, inputs.earmarked_reserves.T, inputs.policy
    )
    earmarked_total = total_over_first(np.swapaxes(reserves["earmarked"], 0, 1))
    total = reserves["general"] + earmarked_total
    minimum = inputs.policy.minimum_general_rate * spend
    net_use = gap - reserves["uncovered_deficit"]
    cover = np.where(net_use > EMPTY_TOLERANCE, total / np.maximum(net_use, EMPTY_TOLERANCE), MAX_COVER_YEARS)

    lines = {
        **income,
        "pay": paybill - collaboration,
        "non_pay": non_pay,
        "collaboration": collaboration,
        "capital_financing": np.broadcast_to(budget.capital_financing, gap.shape).copy(),
        "one_off_spend": one_off_spend + shocks,
        "spend": spend,
        "nre": spend,
        "savings_required": requirement,
        "savings_delivered": savings_delivered,
        "gap_before_savings": gap + savings_delivered,
        "gap": gap,
        "cumulative_gap": running(gap, np.add),
        "planned_reserve_use": reserves["planned_drawn"],
        "unplanned_gap": gap - reserves["planned_drawn"],
        "shortfall_met_from_reserves": reserves["shortfall_met"],
        "surplus_to_reserves": reserves["surplus_added"],
        "general_reserve": reserves["general"],
        "general_reserve_minimum": minimum,
        "earmarked_reserves": earmarked_total,
        "total_reserves": total,
        "uncovered_deficit": reserves["uncovered_deficit"],
        "reserve_cover_years": np.minimum(cover, MAX_COVER_YEARS),
    }
    in_year = {
        "general_below_minimum": reserves["general"] < minimum - EMPTY_TOLERANCE,
        "usable_reserves_exhausted": total <= EMPTY_TOLERANCE,
        "uncovered_deficit": reserves["uncovered_deficit"] > EMPTY_TOLERANCE,
    }
    flags = dict(in_year)
    for name, flag in in_year.items():
        flags[f"{name}_by_year"] = running(flag, np.logical_or)
    return Projection(
        lines={name: values.T for name, values in lines.items()},
        earmarked_by_reserve=np.transpose(reserves["earmarked"], (2, 0, 1)),
        flags={name: values.T for name, values in flags.items()},
    )
