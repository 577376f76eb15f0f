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
from model.engine.arrays import running, total_over_first, year_on_year
from model.engine.capital import Capital, CapitalAccount
from model.engine.precept import CAP_TOLERANCE, PreceptRules, allowed_rise, asked_rise
from model.engine.waterfall import CAPITAL, ONE_OFF, ReservePolicy, YearMovements, waterfall_year

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
    """Each driver as a ``(years, paths)`` view (no copy: a copy costs more fresh memory than strided reads save)."""
    return {name: getattr(drivers, name).T for name in DRIVER_FIELDS}


def grant_and_tax_base(budget: BudgetYear, drivers: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Grant (£m) and tax base (band D equivalents) by year, shape ``(years, paths)`` each."""
    years, paths = drivers["grant_change"].shape
    grant = np.empty((years, paths))
    tax_base = np.empty((years, paths))
    for values, first, change in ((grant, budget.grant, drivers["grant_change"]),
                                  (tax_base, budget.tax_base, drivers["tax_base_growth"])):
        values[0] = first
        np.add(1.0, change[1:], out=values[1:])
        running(values, np.multiply, in_place=True)
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
    rules = PreceptRules.from_drivers(drivers)
    band_d = np.empty_like(grant)
    precept = np.empty_like(grant)
    band_d[0] = budget.band_d
    precept[0] = budget.precept
    for t in range(1, grant.shape[0]):
        allowed = allowed_rise(rules, t, band_d[t - 1])
        asked = asked_rise(rules, t, band_d[t - 1], allowed, None)
        np.add(band_d[t - 1], np.minimum(asked, allowed, out=asked), out=band_d[t])
    council_tax(band_d[1:], tax_base[1:], np.add(1.0, drivers["collection_fund"][1:]), out=precept[1:])
    return {"grant": grant, "tax_base": tax_base, "band_d": band_d, "precept": precept, "funding": grant + precept}


def council_tax(band_d: np.ndarray, tax_base: np.ndarray, collection: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Council tax income, £m: ``band_d × tax_base / 1e6 × collection``, written into ``out`` (any common shape)."""
    np.multiply(band_d, tax_base, out=out)
    out /= 1e6
    out *= collection
    return out


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
    growth = np.multiply(PAY_AWARD_FIRST_YEAR_SHARE, award[1:], out=index[1:])
    growth += (1.0 - PAY_AWARD_FIRST_YEAR_SHARE) * award[:-1]
    growth += drivers["pay_drift"][1:]
    growth += 1.0
    return running(index, np.multiply, in_place=True)


def price_index(drivers: dict[str, np.ndarray]) -> np.ndarray:
    """Non-pay price index relative to the budget year, shape ``(years, paths)``."""
    factor = np.add(1.0, drivers["non_pay_inflation"], order="C")
    factor[0] = 1.0
    return running(factor, np.multiply, in_place=True)


def pension_cost(drivers: dict[str, np.ndarray], pay: np.ndarray, officer_share: np.ndarray) -> np.ndarray:
    """Cost of changes in employer pension rates since 2016/17, £m, shape ``(years, paths)``.

    ``officer_pension_step`` points of officer pay plus ``staff_pension_step`` points of
    staff pay, where officer pay is ``officer_share`` of the pay line.
    """
    cost = np.multiply(drivers["officer_pension_step"], officer_share, order="C")
    cost += drivers["staff_pension_step"] * (1.0 - officer_share)
    cost *= pay
    return cost


def apprenticeship_levy(levy: Levy, pay: np.ndarray) -> np.ndarray:
    """The levy by year, £m, shape ``(years, paths)``: ``max(rate × pay − allowance, 0)`` from its first year."""
    charge = np.zeros(pay.shape)
    charged = charge[levy.first_year:]
    np.multiply(levy.rate, pay[levy.first_year:], out=charged)
    charged -= levy.allowance
    np.maximum(charged, 0.0, out=charged)
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
    requirement = spend_before_savings - funding
    requirement -= planned_use
    new = year_on_year(requirement)
    new -= year_on_year(programme_savings)
    return requirement, new


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
    for t in range(years):
        attempt = other_tranches[t] + carried
        positive = attempt > 0.0
        achieved = np.where(positive, attempt * delivery_rate[t], attempt)
        if roll_forward:
            carried = np.where(positive, attempt - achieved, 0.0)
        np.add(delivered[t - 1] if t else 0.0, achieved, out=delivered[t])
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




def plan_capital(account: CapitalAccount, earmarked: np.ndarray) -> np.ndarray:
    """The plan's capital financing by year, shape ``(years, paths)``, £m: ``account`` run over every year.

    In the plan, capital reserves move only by their planned contributions (the plan
    balances, so no shortfall reaches them); they start from ``earmarked`` (reserves,
    paths), which is left as it was.
    """
    balances = earmarked.copy()
    for t in range(account.financing.shape[0]):
        account.year(t, balances)
    return account.financing


def planned_draws(planned_use: np.ndarray, reserve_kinds: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Planned reserve draws by what they pay for.

    Parameters
    ----------
    planned_use : ndarray, shape (paths, years, reserves)
        Planned drawdown from each earmarked reserve, £m.
    reserve_kinds : tuple of int
        Each reserve's use (:data:`~model.engine.waterfall.BUDGET_SUPPORT`, ``ONE_OFF``, ``CAPITAL``).

    Returns
    -------
    revenue, capital : ndarray, shape (years, reserves, paths)
        Each reserve's planned revenue draws (zero for capital reserves), and capital contributions.
    revenue_total, one_off : ndarray, shape (years, paths)
        All planned revenue draws, and the one-off spending planned draws pay for, £m.
    """
    kinds = np.array(reserve_kinds, dtype=np.int64).reshape(-1)
    by_reserve = np.transpose(planned_use, (1, 2, 0))
    revenue = np.multiply(by_reserve, (kinds != CAPITAL)[None, :, None], order="C")
    capital = np.multiply(by_reserve, (kinds == CAPITAL)[None, :, None], order="C")
    one_off = np.zeros(revenue.shape[::2])
    if len(kinds):
        np.multiply(by_reserve[:, 0], kinds[0] == ONE_OFF, out=one_off)
    for k in range(1, len(kinds)):
        one_off += by_reserve[:, k] * (kinds[k] == ONE_OFF)
    return revenue, capital, total_over_first(np.swapaxes(revenue, 0, 1)), one_off


def capital_income(capital: Capital) -> np.ndarray:
    """Capital grant, receipts and revenue contributions by year, shape ``(years, 3, paths)``, £m."""
    paths, years = capital.programme.shape
    income = np.empty((years, 3, paths))
    for k, values in enumerate((capital.grant, capital.receipts, capital.revenue_contribution)):
        income[:, k] = values.T
    return income


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
    # Fresh memory costs more here than arithmetic (the pages of every new array are faulted
    # in), so each working array is let go as soon as it is used and outputs are filled in place.
    budget, capital = inputs.budget, inputs.capital
    planned_revenue, planned_capital, planned_use, one_off_spend = planned_draws(inputs.planned_use,
                                                                                 inputs.reserve_kinds)
    # A copy, never a view: it is also a line of the projection, which must not share the inputs' memory.
    programme = np.swapaxes(capital.programme, 0, 1).copy()
    income = capital_income(capital)
    outcome = driver_rows(inputs.outcome)
    requirement, other_tranches, plan_pay_index = _plan(inputs, planned_capital, planned_use, one_off_spend,
                                                        programme, income)
    del planned_use
    lines, spend_before_capital = _running_costs(inputs, outcome, plan_pay_index, other_tranches, one_off_spend,
                                                 income[:, 2])
    del plan_pay_index, other_tranches
    grant, tax_base = grant_and_tax_base(budget, outcome)
    account = CapitalAccount(capital, programme, income, planned_capital, outcome["borrowing_rate"])
    yearly = _project_years(inputs, outcome, account, planned_revenue, spend_before_capital, grant, tax_base)
    del planned_revenue, planned_capital, spend_before_capital
    reserves_to_capital = total_over_first(np.swapaxes(account.reserves_drawn, 0, 1))
    rcco = income[:, 2].copy()
    del income
    spend, gap = yearly["spend"], yearly["gap"]
    savings_delivered = lines["savings_delivered"]
    savings_delivered += yearly["action_savings"]

    earmarked_total = total_over_first(np.swapaxes(yearly["earmarked"], 0, 1))
    total = yearly["general"] + earmarked_total
    minimum = inputs.policy.minimum_general_rate * spend
    net_use = gap - yearly["uncovered_deficit"]
    cover = np.where(net_use > EMPTY_TOLERANCE, total / np.maximum(net_use, EMPTY_TOLERANCE), MAX_COVER_YEARS)
    del net_use

    lines.update({
        "grant": grant,
        "precept": yearly["precept"],
        "band_d": yearly["band_d"],
        "tax_base": tax_base,
        "funding": yearly["funding"],
        "pressures": np.array(outcome["pressures"], order="C"),
        "capital_financing": account.financing,
        "revenue_contribution_to_capital": rcco,
        "spend": spend,
        "nre": spend,
        "savings_required": requirement,
        "action_savings": yearly["action_savings"],
        "gap_before_savings": gap + savings_delivered,
        "gap": gap,
        "cumulative_gap": running(gap, np.add),
        "planned_reserve_use": yearly["planned_drawn"],
        "unfunded_planned_use": yearly["unfunded_planned_use"],
        "unplanned_gap": gap - yearly["planned_drawn"],
        "shortfall_met_from_reserves": yearly["shortfall_met"],
        "surplus_to_reserves": yearly["surplus_added"],
        "capital_programme": programme,
        "borrowing": account.borrowing,
        "reserves_to_capital": reserves_to_capital,
        "general_reserve": yearly["general"],
        "general_reserve_minimum": minimum,
        "earmarked_reserves": earmarked_total,
        "total_reserves": total,
        "uncovered_deficit": yearly["uncovered_deficit"],
        "reserve_cover_years": np.minimum(cover, MAX_COVER_YEARS, out=cover),
        "precept_cap_cost": yearly["precept_cap_cost"],
    })
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
        lines={name: lines[name].T for name in LINE_ORDER},
        earmarked_by_reserve=np.transpose(yearly["earmarked"], (2, 0, 1)),
        flags={name: values.T for name, values in flags.items()},
    )


LINE_ORDER = (
    "grant", "precept", "band_d", "tax_base", "funding", "pay", "non_pay", "collaboration", "pension_costs",
    "apprenticeship_levy", "pressures", "capital_financing", "revenue_contribution_to_capital", "one_off_spend",
    "spend", "nre", "savings_required", "savings_delivered", "action_savings", "gap_before_savings", "gap",
    "cumulative_gap", "planned_reserve_use", "unfunded_planned_use", "unplanned_gap", "shortfall_met_from_reserves",
    "surplus_to_reserves", "capital_programme", "borrowing", "reserves_to_capital", "general_reserve",
    "general_reserve_minimum", "earmarked_reserves", "total_reserves", "uncovered_deficit", "reserve_cover_years",
    "precept_cap_cost",
)
"""The lines of :class:`Projection`, in order."""


def _plan(inputs: ForceInputs, planned_capital: np.ndarray, planned_use: np.ndarray, one_off_spend: np.ndarray,
          programme: np.ndarray, income: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The force's plan: the savings requirement that balances it, its other tranches and its pay index.

    Each is ``(years, paths)``: see :func:`planned_savings` and :func:`pay_index`.
    """
    budget, capital = inputs.budget, inputs.capital
    plan = driver_rows(inputs.plan)
    plan_pay_index = pay_index(plan, plan["pay_award"][0])
    plan_spend = budget.paybill * plan_pay_index
    plan_pay = np.subtract(plan_spend, inputs.collaboration_plan.T, order="C")
    plan_spend += np.multiply(budget.non_pay, price_index(plan))
    plan_spend += pension_cost(plan, plan_pay, budget.officer_share)
    plan_spend += apprenticeship_levy(inputs.levy, plan_pay)
    del plan_pay
    plan_spend += plan["pressures"]
    plan_spend += plan_capital(CapitalAccount(capital, programme, income, planned_capital, plan["borrowing_rate"]),
                               inputs.earmarked_reserves.T)
    plan_spend += income[:, 2]
    plan_spend += one_off_spend
    requirement, other_tranches = planned_savings(plan_spend, project_income(budget, plan)["funding"], planned_use,
                                                  inputs.programme_savings.T)
    return requirement, other_tranches, plan_pay_index


def _running_costs(inputs: ForceInputs, outcome: dict[str, np.ndarray], plan_pay_index: np.ndarray,
                   other_tranches: np.ndarray, one_off_spend: np.ndarray,
                   rcco: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """What happens to the lines that do not depend on the year before, for all years at once.

    Returns
    -------
    lines : dict of str to ndarray, each (years, paths)
        ``pay``, ``non_pay``, ``collaboration``, ``pension_costs``, ``apprenticeship_levy``,
        ``one_off_spend`` (with shocks) and ``savings_delivered`` (before management action), £m.
    spend_before_capital : ndarray, shape (years, paths)
        Spend before capital financing and management action, £m.
    """
    budget, delivery = inputs.budget, inputs.delivery
    pay_rise = pay_index(outcome, inputs.plan.pay_award.T[0])
    collaboration = np.multiply(inputs.collaboration_plan.T, pay_rise, order="C")
    collaboration /= plan_pay_index
    # The pay bill becomes the running total of spend once pay is taken from it.
    spend = np.multiply(budget.paybill, pay_rise, out=pay_rise)
    pay = spend - collaboration
    non_pay = price_index(outcome)
    np.multiply(budget.non_pay, non_pay, out=non_pay)
    pensions = pension_cost(outcome, pay, budget.officer_share)
    levy = apprenticeship_levy(inputs.levy, pay)
    savings_delivered = deliver_savings(other_tranches, delivery.savings_delivery.T, inputs.policy.roll_forward)
    savings_delivered += realise_programme(inputs.programme_savings.T, delivery.collaboration_size,
                                           delivery.collaboration_delay)
    if delivery.extra_savings is not None:
        savings_delivered += delivery.extra_savings.T
    shocks = delivery.shocks.T
    for line in (non_pay, pensions, levy, outcome["pressures"], rcco, one_off_spend, shocks):
        spend += line
    spend -= savings_delivered
    lines = {"pay": pay, "non_pay": non_pay, "collaboration": collaboration, "pension_costs": pensions,
             "apprenticeship_levy": levy, "one_off_spend": np.add(one_off_spend, shocks, out=one_off_spend),
             "savings_delivered": savings_delivered}
    return lines, spend


MOVEMENTS = ("planned_drawn", "unfunded_planned_use", "shortfall_met", "surplus_added", "uncovered_deficit")
"""The fields of :class:`~model.engine.waterfall.YearMovements`, each a yearly line of :func:`_project_years`."""


def _project_years(inputs: ForceInputs, outcome: dict[str, np.ndarray], account: CapitalAccount,
                   planned_revenue: np.ndarray, spend_before_capital: np.ndarray, grant: np.ndarray,
                   tax_base: np.ndarray) -> dict[str, np.ndarray]:
    """The lines that depend on the year before, one year at a time, every path at once.

    Each year: the capital account (``account``: new borrowing costs revenue the year
    after); spend; the precept decision (a rule to balance needs the year's spend); the
    gap; the reserves waterfall; and any management action it triggers for the next year.
    """
    budget, action, policy = inputs.budget, inputs.action, inputs.policy
    years, paths = spend_before_capital.shape
    general = np.array(inputs.general_reserve, dtype=float)
    earmarked = np.array(inputs.earmarked_reserves.T, dtype=float, order="C")
    out = {name: np.empty((years, paths)) for name in (
        "spend", "gap", "band_d", "precept", "funding", "general", "precept_cap_cost", *MOVEMENTS)}
    out["action_savings"] = np.zeros((years, paths))
    out["earmarked"] = np.empty((years, planned_revenue.shape[1], paths))
    out["precept_capped"] = capped = np.empty((years, paths), dtype=bool)
    band_d, precept, cut = out["band_d"], out["precept"], out["precept_cap_cost"]
    band_d[0], precept[0], capped[0] = budget.band_d, budget.precept, False
    rules = PreceptRules.from_drivers(outcome)
    collection = np.add(1.0, outcome["collection_fund"])
    action_total = np.zeros(paths)
    to_limit = np.zeros(paths, dtype=bool) if action.precept_to_limit else None
    action_delivery = inputs.delivery.action_delivery
    for t in range(years):
        account.year(t, earmarked)
        spend = np.add(spend_before_capital[t], account.financing[t], out=out["spend"][t])
        if action.savings_share > 0.0:
            spend -= action_total
            out["action_savings"][t] = action_total
        if t > 0:
            previous = band_d[t - 1]
            allowed = allowed_rise(rules, t, previous)
            needed = None
            if rules.balances(t, to_limit):
                available = total_over_first(np.minimum(planned_revenue[t], earmarked))
                needed = (spend - grant[t] - available) / collection[t] * 1e6 / tax_base[t] - previous
            asked = asked_rise(rules, t, previous, allowed, needed, to_limit)
            rise = np.minimum(asked, allowed)
            np.greater(asked, allowed + CAP_TOLERANCE, out=capped[t])
            np.subtract(asked, rise, out=cut[t])
            np.add(previous, rise, out=band_d[t])
            council_tax(band_d[t], tax_base[t], collection[t], out=precept[t])
        funding = np.add(grant[t], precept[t], out=out["funding"][t])
        gap = np.subtract(spend, funding, out=out["gap"][t])
        moved = waterfall_year(gap, planned_revenue[t], spend, general, earmarked, policy,
                               YearMovements(*(out[name][t] for name in MOVEMENTS)))
        out["general"][t] = general
        out["earmarked"][t] = earmarked
        if action.any and t + 1 < years:
            triggered = moved.shortfall_met > EMPTY_TOLERANCE
            if action.savings_share > 0.0:
                added = np.where(triggered, np.minimum(moved.shortfall_met, action.savings_share * spend), 0.0)
                rate = 1.0 if action_delivery is None else action_delivery[:, t + 1]
                action_total = action_total + added * rate
            if action.precept_to_limit:
                to_limit = to_limit | triggered
    # The council tax the limit's cuts forgo: each year's cut, their running total, then as council tax.
    cut[0] = 0.0
    np.maximum(cut[1:], 0.0, out=cut[1:])
    running(cut, np.add, in_place=True)
    council_tax(cut[1:], tax_base[1:], collection[1:], out=cut[1:])
    return out
