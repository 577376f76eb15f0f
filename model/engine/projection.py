"""The projection engine: pure numpy arithmetic over every path at once.

It knows nothing of YAML, files or plots. Its inputs (:class:`ForceInputs`) and outputs
(:class:`Projection`) are arrays of shape ``(paths, years)``; inside, every yearly array is
held the other way round, ``(years, paths)``, so that each year is one contiguous row and the
year-by-year recursions run along contiguous memory. The functions here that take yearly
arrays take them in that ``(years, paths)`` layout.

Money is in £ million, band D in £, the tax base in band D equivalent properties, rates
as fractions (0.0199 for 1.99%). Year 0 is the budget year (2016/17), whose income is as
set; later years follow the yearly identity of the domain model (``docs/model.md``):

.. code-block:: text

    grant[t]     = grant[t-1] * (1 + grant_change[t])
    tax_base[t]  = tax_base[t-1] * (1 + tax_base_growth[t])
    band_d[t]    = band_d[t-1] + min(rise the precept rule asks, largest rise the limit allows)
    precept[t]   = band_d[t] * tax_base[t] / 1e6 * (1 + collection_fund[t])
    funding[t]   = grant[t] + precept[t]

    pay_index[t] = pay_index[t-1] * (1 + 7/12 award[t] + 5/12 award[t-1] + drift[t])
    pay[t]       = paybill0 * pay_index[t] - collaboration[t]
    pensions[t]  = (officer_step[t] * officer_share + staff_step[t] * (1 - officer_share)) * pay[t]
    levy[t]      = max(levy_rate * pay[t] - levy_allowance, 0)               from the levy's first year
    spend[t]     = pay[t] + collaboration[t] + non_pay0 * prices[t] + pensions[t] + levy[t]
                   + pressures[t] + capital_financing[t] + revenue_contribution_to_capital[t]
                   + one_off_spend[t] + shocks[t] - recurring_savings_delivered[t]
    gap[t]       = spend[t] - funding[t]

The force's own plan is the same projection run on its planning assumptions; the
recurring savings it must find each year are whatever balances that plan after its
planned reserve use (the MTFS "savings requirement"). Outcomes then differ from the plan
through the uncertain drivers, savings delivery, collaboration slippage, pressures and
shocks, and the difference flows through the reserves waterfall
(:mod:`model.engine.waterfall`). The capital account (:mod:`model.engine.capital`), the
precept decision (:mod:`model.engine.precept`) and management action depend on the
year before, so the outcome runs one year at a time, every path at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.declare.outputs import MAX_COVER_YEARS
from model.engine.arrays import rows, running, total_over_first, year_on_year
from model.engine.capital import Capital, capital_year, financing_cost
from model.engine.precept import CAP_TOLERANCE, MAX_ALLOWED, TO_BALANCE, allowed_rise, asked_rise
from model.engine.waterfall import CAPITAL, ONE_OFF, ReservePolicy, waterfall_year

PAY_AWARD_FIRST_YEAR_SHARE = 7.0 / 12.0
"""Share of a 1 September pay award that falls in its first financial year."""

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
        Interest and MRP on borrowing taken before the budget year, £m a year, flat cash.
    savings : ndarray
        New recurring savings in the budget year, £m.
    officer_share : ndarray
        Officers' share of the pay line (the rest is staff and PCSOs), for the pension schemes.
    """

    grant: np.ndarray
    precept: np.ndarray
    band_d: np.ndarray
    tax_base: np.ndarray
    paybill: np.ndarray
    non_pay: np.ndarray
    capital_financing: np.ndarray
    savings: np.ndarray
    officer_share: np.ndarray


@dataclass
class Drivers:
    """Year-on-year drivers, each of shape ``(paths, years)``; rates as fractions.

    Column 0 (the budget year) of the income drivers is ignored: its income is as set.
    ``pay_award[:, 0]`` is the award from 1 September of the budget year.

    Attributes
    ----------
    precept_rate, precept_cash : ndarray
        A stated band D rise as a rate of last year's band D, and as £ (one of them zero).
    precept_rule : ndarray of int8
        :data:`~model.engine.precept.STATED`, ``MAX_ALLOWED`` or ``TO_BALANCE`` per path and year.
    limit_rate, limit_cash : ndarray
        The referendum limit as a rate, or as £ (one of them zero).
    officer_pension_step, staff_pension_step : ndarray
        Change in the employer pension rate since 2016/17 in effect that year, as a fraction
        of officer (staff) pay.
    borrowing_rate : ndarray
        Interest rate on new borrowing taken that year.
    pressures : ndarray
        Recurring cost pressures that year, £m.
    """

    grant_change: np.ndarray
    precept_rate: np.ndarray
    precept_cash: np.ndarray
    precept_rule: np.ndarray
    limit_rate: np.ndarray
    limit_cash: np.ndarray
    tax_base_growth: np.ndarray
    collection_fund: np.ndarray
    pay_award: np.ndarray
    pay_drift: np.ndarray
    non_pay_inflation: np.ndarray
    officer_pension_step: np.ndarray
    staff_pension_step: np.ndarray
    borrowing_rate: np.ndarray
    pressures: np.ndarray


DRIVER_FIELDS = ("grant_change", "precept_rate", "precept_cash", "precept_rule", "limit_rate", "limit_cash",
                 "tax_base_growth", "collection_fund", "pay_award", "pay_drift", "non_pay_inflation",
                 "officer_pension_step", "staff_pension_step", "borrowing_rate", "pressures")
"""Every field of :class:`Drivers`."""


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
    action_delivery : ndarray, shape (paths, years), optional
        Share of the savings a management action adds for a year that are delivered
        (default: all of them).
    """

    savings_delivery: np.ndarray
    collaboration_size: np.ndarray
    collaboration_delay: np.ndarray
    shocks: np.ndarray
    extra_savings: np.ndarray | None = None
    action_delivery: np.ndarray | None = None


@dataclass
class Levy:
    """The apprenticeship levy: ``rate × pay − allowance`` from ``first_year``, never below zero.

    Attributes
    ----------
    rate : ndarray, shape (paths,)
        Share of the pay bill (0.005 for 0.5%).
    allowance : ndarray, shape (paths,)
        Allowance per employer, £m (0.015 for £15,000).
    first_year : int
        Model year the levy starts (1 = 2017/18).
    """

    rate: np.ndarray
    allowance: np.ndarray
    first_year: int


@dataclass(frozen=True)
class ManagementAction:
    """A response rule: what the next budget does after a year whose shortfall was met from reserves.

    Attributes
    ----------
    savings_share : float
        Recurring savings added in the next budget: the shortfall met from reserves, up to
        this share of that year's NRE (0: none). They are delivered at
        :attr:`Delivery.action_delivery` and recur in every later year.
    precept_to_limit : bool
        From the next year the PCC raises band D by the largest rise the limit allows.
    """

    savings_share: float = 0.0
    precept_to_limit: bool = False

    @property
    def any(self) -> bool:
        """Whether the rule does anything."""
        return self.savings_share > 0.0 or self.precept_to_limit


NO_ACTION = ManagementAction()
"""No further management action: the unmitigated view."""


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
    programme_savings : ndarray, shape (paths, years)
        Cumulative recurring savings planned from collaboration programmes, £m.
    general_reserve : ndarray, shape (paths,)
        General reserve at the start of the budget year, £m.
    earmarked_reserves : ndarray, shape (paths, reserves)
        Each earmarked reserve at the start of the budget year, £m.
    planned_use : ndarray, shape (paths, years, reserves)
        Planned drawdown from each earmarked reserve, £m; what it pays for follows the
        reserve's kind.
    reserve_kinds : tuple of int
        Per reserve: :data:`~model.engine.waterfall.BUDGET_SUPPORT`, ``ONE_OFF`` or ``CAPITAL``.
    policy : ReservePolicy
    capital : Capital
    levy : Levy
    action : ManagementAction
    """

    budget: BudgetYear
    plan: Drivers
    outcome: Drivers
    delivery: Delivery
    collaboration_plan: np.ndarray
    programme_savings: np.ndarray
    general_reserve: np.ndarray
    earmarked_reserves: np.ndarray
    planned_use: np.ndarray
    reserve_kinds: tuple[int, ...]
    policy: ReservePolicy
    capital: Capital
    levy: Levy
    action: ManagementAction = NO_ACTION


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
    other_spend: np.ndarray,
    pay_share: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calibrate the budget year so that it balances as set.

    Net revenue expenditure is the budget requirement plus planned revenue reserve use;
    running costs before the year's savings are NRE plus those savings, less the lines that
    are not running costs; pay is ``pay_share`` of running costs and non-pay the rest.

    Parameters
    ----------
    funding : ndarray, shape (paths,)
        Budget requirement (grant + precept), £m.
    planned_use : ndarray, shape (paths,)
        Total planned revenue reserve draws in the budget year, £m.
    savings : ndarray, shape (paths,)
        New recurring savings in the budget, £m.
    other_spend : ndarray, shape (paths,)
        Budget-year spending that is not pay or non-pay: capital financing, revenue
        contributions to capital, reserve-funded one-off spending and planned pressures, £m.
    pay_share : ndarray, shape (paths,)
        Pay (including collaboration contributions) as a share of running costs.

    Returns
    -------
    nre, paybill, non_pay : ndarray, shape (paths,)
    """
    nre = funding + planned_use
    running_costs = nre + savings - other_spend
    paybill = pay_share * running_costs
    return nre, paybill, running_costs - paybill


def driver_rows(drivers: Drivers) -> dict[str, np.ndarray]:
    """Each driver as a ``(years, paths)`` view (no copy: each is read once a year)."""
    return {name: getattr(drivers, name).T for name in DRIVER_FIELDS}


def grant_and_tax_base(budget: BudgetYear, drivers: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Grant (£m) and tax base (band D equivalents) by year, shape ``(years, paths)`` each."""
    years, paths = drivers["grant_change"].shape
    grant = np.empty((years, paths))
    tax_base = np.empty((years, paths))
    grant[0] = budget.grant
    tax_base[0] = budget.tax_base
    for t in range(1, years):
        grant[t] = grant[t - 1] * (1.0 + drivers["grant_change"][t])
        tax_base[t] = tax_base[t - 1] * (1.0 + drivers["tax_base_growth"][t])
    return grant, tax_base


def project_income(budget: BudgetYear, drivers: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Grant, tax base, band D, precept and funding by year, with stated rises capped by the limit.

    For the force's plan (and any projection whose precept rules are all stated rises);
    :func:`project_force` decides rules that depend on the year's gap as it goes.

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
    grant, tax_base = grant_and_tax_base(budget, drivers)
    years, paths = grant.shape
    band_d = np.empty((years, paths))
    precept = np.empty((years, paths))
    band_d[0] = budget.band_d
    precept[0] = budget.precept
    for t in range(1, years):
        allowed = allowed_rise(band_d[t - 1], drivers["limit_rate"][t], drivers["limit_cash"][t])
        asked = asked_rise(drivers["precept_rule"][t], band_d[t - 1], drivers["precept_rate"][t],
                           drivers["precept_cash"][t], allowed, None)
        band_d[t] = band_d[t - 1] + np.minimum(asked, allowed)
        precept[t] = band_d[t] * tax_base[t] / 1e6 * (1.0 + drivers["collection_fund"][t])
    return {"grant": grant, "tax_base": tax_base, "band_d": band_d, "precept": precept, "funding": grant + precept}


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


def pension_cost(drivers: dict[str, np.ndarray], pay: np.ndarray, officer_share: np.ndarray) -> np.ndarray:
    """Cost of changes in employer pension rates since 2016/17, £m, shape ``(years, paths)``.

    ``officer_pension_step`` points of officer pay plus ``staff_pension_step`` points of
    staff pay, where officer pay is ``officer_share`` of the pay line.
    """
    return (drivers["officer_pension_step"] * officer_share
            + drivers["staff_pension_step"] * (1.0 - officer_share)) * pay


def apprenticeship_levy(levy: Levy, pay: np.ndarray) -> np.ndarray:
    """The levy by year, £m, shape ``(years, paths)``: ``max(rate × pay − allowance, 0)`` from its first year."""
    charge = np.maximum(levy.rate * pay - levy.allowance, 0.0)
    charge[: levy.first_year] = 0.0
    return charge


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
        Total planned revenue reserve draws, £m.
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


def plan_capital(capital: Capital, planned_capital: np.ndarray, earmarked: np.ndarray,
                 rates: np.ndarray) -> np.ndarray:
    """The plan's capital financing by year, shape ``(years, paths)``, £m.

    In the plan, capital reserves move only by their planned contributions (the plan
    balances, so no shortfall reaches them).
    """
    years = capital.programme.shape[1]
    balances = earmarked.copy()
    pools = _capital_pools(capital)
    borrowed, taken_at, cost = [], [], np.empty((years, balances.shape[1]))
    for t in range(years):
        cost[t] = financing_cost(borrowed, taken_at, capital.asset_life, capital.existing_financing)
        pools += _capital_income(capital, t)
        year = capital_year(capital.programme[:, t], pools, planned_capital[t], balances, capital.order)
        borrowed.append(year.borrowing)
        taken_at.append(rates[t])
    return cost


def _capital_pools(capital: Capital) -> np.ndarray:
    return np.zeros((3, capital.programme.shape[0]))


def _capital_income(capital: Capital, t: int) -> np.ndarray:
    """Grant, receipts and revenue contributions of year ``t``, shape ``(3, paths)``."""
    return np.stack([capital.grant[:, t], capital.receipts[:, t], capital.revenue_contribution[:, t]])


def project_force(inputs: ForceInputs) -> Projection:
    """Project one force's budget, capital account, reserves and flags on every path.

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
    budget, capital = inputs.budget, inputs.capital
    kinds = np.array(inputs.reserve_kinds, dtype=np.int64).reshape(-1)
    planned_by_reserve = np.ascontiguousarray(np.transpose(inputs.planned_use, (1, 2, 0)))
    planned_revenue = planned_by_reserve * (kinds != CAPITAL)[None, :, None]
    planned_capital = planned_by_reserve * (kinds == CAPITAL)[None, :, None]
    planned_use = total_over_first(np.swapaxes(planned_revenue, 0, 1))
    one_off_spend = total_over_first(np.swapaxes(planned_by_reserve * (kinds == ONE_OFF)[None, :, None], 0, 1))
    programme_savings = rows(inputs.programme_savings)
    rcco = rows(capital.revenue_contribution)
    plan = driver_rows(inputs.plan)
    outcome = driver_rows(inputs.outcome)

    # The force's plan and the savings requirement that balances it.
    plan_award = plan["pay_award"][0]
    plan_pay_index = pay_index(plan, plan_award)
    collaboration_plan = rows(inputs.collaboration_plan)
    plan_pay = budget.paybill * plan_pay_index - collaboration_plan
    plan_spend = (
        budget.paybill * plan_pay_index
        + budget.non_pay * price_index(plan)
        + pension_cost(plan, plan_pay, budget.officer_share)
        + apprenticeship_levy(inputs.levy, plan_pay)
        + plan["pressures"]
        + plan_capital(capital, planned_capital, inputs.earmarked_reserves.T, plan["borrowing_rate"])
        + rcco
        + one_off_spend
    )
    plan_income = project_income(budget, plan)
    requirement, other_tranches = planned_savings(plan_spend, plan_income["funding"], planned_use, programme_savings)

    # What happens: everything that does not depend on the year before, for all years at once.
    pay_rise = pay_index(outcome, plan_award)
    paybill = budget.paybill * pay_rise
    collaboration = collaboration_plan * pay_rise / plan_pay_index
    pay = paybill - collaboration
    non_pay = budget.non_pay * price_index(outcome)
    pensions = pension_cost(outcome, pay, budget.officer_share)
    levy = apprenticeship_levy(inputs.levy, pay)
    delivered = deliver_savings(other_tranches, inputs.delivery.savings_delivery.T, inputs.policy.roll_forward)
    programme = realise_programme(programme_savings, inputs.delivery.collaboration_size,
                                  inputs.delivery.collaboration_delay)
    savings_delivered = delivered + programme
    if inputs.delivery.extra_savings is not None:
        savings_delivered = savings_delivered + rows(inputs.delivery.extra_savings)
    shocks = rows(inputs.delivery.shocks)
    spend_before_capital = (paybill + non_pay + pensions + levy + outcome["pressures"] + rcco + one_off_spend + shocks
                            - savings_delivered)
    grant, tax_base = grant_and_tax_base(budget, outcome)
    yearly = _project_years(inputs, outcome, planned_revenue, planned_capital, spend_before_capital, grant, tax_base)
    spend, gap = yearly["spend"], yearly["gap"]
    savings_delivered = savings_delivered + yearly["action_savings"]

    earmarked_total = total_over_first(np.swapaxes(yearly["earmarked"], 0, 1))
    total = yearly["general"] + earmarked_total
    minimum = inputs.policy.minimum_general_rate * spend
    net_use = gap - yearly["uncovered_deficit"]
    cover = np.where(net_use > EMPTY_TOLERANCE, total / np.maximum(net_use, EMPTY_TOLERANCE), MAX_COVER_YEARS)

    lines = {
        "grant": grant,
        "precept": yearly["precept"],
        "band_d": yearly["band_d"],
        "tax_base": tax_base,
        "funding": yearly["funding"],
        "pay": pay,
        "non_pay": non_pay,
        "collaboration": collaboration,
        "pension_costs": pensions,
        "apprenticeship_levy": levy,
        "pressures": outcome["pressures"].copy(),
        "capital_financing": yearly["capital_financing"],
        "revenue_contribution_to_capital": rcco.copy(),
        "one_off_spend": one_off_spend + shocks,
        "spend": spend,
        "nre": spend,
        "savings_required": requirement,
        "savings_delivered": savings_delivered,
        "action_savings": yearly["action_savings"],
        "gap_before_savings": gap + savings_delivered,
        "gap": gap,
        "cumulative_gap": running(gap, np.add),
        "planned_reserve_use": yearly["planned_drawn"],
        "unfunded_planned_use": yearly["unfunded_planned_use"],
        "unplanned_gap": gap - yearly["planned_drawn"],
        "shortfall_met_from_reserves": yearly["shortfall_met"],
        "surplus_to_reserves": yearly["surplus_added"],
        "capital_programme": rows(capital.programme),
        "borrowing": yearly["borrowing"],
        "reserves_to_capital": yearly["reserves_to_capital"],
        "general_reserve": yearly["general"],
        "general_reserve_minimum": minimum,
        "earmarked_reserves": earmarked_total,
        "total_reserves": total,
        "uncovered_deficit": yearly["uncovered_deficit"],
        "reserve_cover_years": np.minimum(cover, MAX_COVER_YEARS),
        "precept_cap_cost": yearly["precept_cap_cost"],
    }
    in_year = {
        "general_below_minimum": yearly["general"] < minimum - EMPTY_TOLERANCE,
        "usable_reserves_exhausted": total <= EMPTY_TOLERANCE,
        "uncovered_deficit": yearly["uncovered_deficit"] > EMPTY_TOLERANCE,
        "precept_capped": yearly["precept_capped"],
    }
    flags = dict(in_year)
    for name, flag in in_year.items():
        flags[f"{name}_by_year"] = running(flag, np.logical_or)
    return Projection(
        lines={name: values.T for name, values in lines.items()},
        earmarked_by_reserve=np.transpose(yearly["earmarked"], (2, 0, 1)),
        flags={name: values.T for name, values in flags.items()},
    )


def _project_years(inputs: ForceInputs, outcome: dict[str, np.ndarray], planned_revenue: np.ndarray,
                   planned_capital: np.ndarray, spend_before_capital: np.ndarray, grant: np.ndarray,
                   tax_base: np.ndarray) -> dict[str, np.ndarray]:
    """The lines that depend on the year before, one year at a time, every path at once.

    Each year: the capital account (new borrowing costs revenue the year after); spend;
    the precept decision (a rule to balance needs the year's spend); the gap; the reserves
    waterfall; and any management action it triggers for the next year.
    """
    budget, capital, action = inputs.budget, inputs.capital, inputs.action
    years, paths = spend_before_capital.shape
    n_reserves = planned_revenue.shape[1]
    general = inputs.general_reserve.astype(float).copy()
    earmarked = inputs.earmarked_reserves.T.astype(float).copy()
    out = {name: np.zeros((years, paths)) for name in (
        "spend", "gap", "band_d", "precept", "funding", "capital_financing", "borrowing", "reserves_to_capital",
        "general", "planned_drawn", "unfunded_planned_use", "shortfall_met", "surplus_added", "uncovered_deficit",
        "action_savings", "precept_cap_cost")}
    out["earmarked"] = np.empty((years, n_reserves, paths))
    out["precept_capped"] = np.zeros((years, paths), dtype=bool)
    pools = _capital_pools(capital)
    borrowed: list[np.ndarray] = []
    taken_at: list[np.ndarray] = []
    action_total = np.zeros(paths)
    to_limit = np.zeros(paths, dtype=bool)
    cut_total = np.zeros(paths)
    action_delivery = inputs.delivery.action_delivery
    band_d_previous = budget.band_d
    for t in range(years):
        out["capital_financing"][t] = financing_cost(borrowed, taken_at, capital.asset_life,
                                                     capital.existing_financing)
        pools += _capital_income(capital, t)
        capital_t = capital_year(capital.programme[:, t], pools, planned_capital[t], earmarked, capital.order)
        borrowed.append(capital_t.borrowing)
        taken_at.append(outcome["borrowing_rate"][t])
        out["borrowing"][t] = capital_t.borrowing
        out["reserves_to_capital"][t] = total_over_first(capital_t.reserves_drawn)

        spend = spend_before_capital[t] + out["capital_financing"][t] - action_total
        out["action_savings"][t] = action_total
        if t == 0:
            band_d, precept = budget.band_d, budget.precept
        else:
            collection = 1.0 + outcome["collection_fund"][t]
            allowed = allowed_rise(band_d_previous, outcome["limit_rate"][t], outcome["limit_cash"][t])
            rule = np.where(to_limit, MAX_ALLOWED, outcome["precept_rule"][t])
            needed = None
            if (rule == TO_BALANCE).any():
                available = total_over_first(np.minimum(planned_revenue[t], earmarked))
                council_tax = (spend - grant[t] - available) / collection
                needed = council_tax * 1e6 / tax_base[t] - band_d_previous
            asked = asked_rise(rule, band_d_previous, outcome["precept_rate"][t], outcome["precept_cash"][t],
                               allowed, needed)
            rise = np.minimum(asked, allowed)
            out["precept_capped"][t] = asked > allowed + CAP_TOLERANCE
            cut_total = cut_total + np.maximum(asked - rise, 0.0)
            band_d = band_d_previous + rise
            precept = band_d * tax_base[t] / 1e6 * collection
            out["precept_cap_cost"][t] = cut_total * tax_base[t] / 1e6 * collection
        funding = grant[t] + precept
        gap = spend - funding
        moved = waterfall_year(gap, planned_revenue[t], spend, general, earmarked, inputs.policy)
        out["spend"][t], out["gap"][t], out["funding"][t] = spend, gap, funding
        out["band_d"][t], out["precept"][t] = band_d, precept
        out["general"][t] = general
        out["earmarked"][t] = earmarked
        for name in ("planned_drawn", "unfunded_planned_use", "shortfall_met", "surplus_added", "uncovered_deficit"):
            out[name][t] = getattr(moved, name)
        if action.any and t + 1 < years:
            triggered = moved.shortfall_met > EMPTY_TOLERANCE
            if action.savings_share > 0.0:
                added = np.where(triggered, np.minimum(moved.shortfall_met, action.savings_share * spend), 0.0)
                rate = 1.0 if action_delivery is None else action_delivery[:, t + 1]
                action_total = action_total + added * rate
            if action.precept_to_limit:
                to_limit = to_limit | triggered
        band_d_previous = band_d
    return out

