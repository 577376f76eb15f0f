"""Every output of a run, declared once: metrics, flags and deterministic cases.

Each declaration carries its name (as written in the CSVs), unit, label, meaning and, for
metrics, its orientation: whether more of the line is better for the force's finances.
The streaming tallies, the summary tables, the report's tables and charts, the workbook,
the documentation and ``police-mtfs outputs`` all read these declarations; nothing else
lists them.

Money is £m cash; band D is £; the tax base is in band D equivalent properties; reserve
cover in years.
"""

from __future__ import annotations

from dataclasses import dataclass

HIGHER = "higher"
"""Orientation: more of the line is better for the force's finances (funding, reserves)."""
LOWER = "lower"
"""Orientation: less of the line is better (spending, gaps, deficits)."""

MAX_COVER_YEARS = 50.0
"""Cap on reserve cover: reserves not being used down count as lasting this many years."""


@dataclass(frozen=True)
class MetricDeclaration:
    """One output line per force, fiscal year and path.

    Attributes
    ----------
    name : str
        Value of the ``metric`` column in ``summary.csv``.
    unit : {'money', 'pounds', 'count', 'years'}
    label : str
        Short label for tables and charts.
    meaning : str
        What the line is, in a finance officer's words.
    better : {'higher', 'lower'}
        Which way is good for the force's finances. It decides which percentile is the
        optimistic case of the line (P90 where higher is better, P10 where lower is) and
        which the pessimistic one. Band D and precept count as "higher" because they
        fund the force; planned reserve use too, because the plan fixes the draw and less
        is taken only when the reserve has run out.
    negative_means : str, optional
        What a value below zero stands for, where that needs saying on a chart.
    """

    name: str
    unit: str
    label: str
    meaning: str
    better: str
    negative_means: str | None = None

    @property
    def higher_is_better(self) -> bool:
        return self.better == HIGHER


METRICS: dict[str, MetricDeclaration] = {
    m.name: m
    for m in (
        MetricDeclaration("grant", "money", "Central grant", "Police grant, formula funding and legacy council tax grants.", HIGHER),
        MetricDeclaration("precept", "money", "Precept", "Council tax for policing: band D × tax base, with any collection fund surplus or deficit.", HIGHER),
        MetricDeclaration("band_d", "pounds", "Band D council tax (£)", "The policing precept on a band D property.", HIGHER),
        MetricDeclaration("tax_base", "count", "Tax base (band D equivalents)", "Council tax base in band D equivalent properties.", HIGHER),
        MetricDeclaration("funding", "money", "Funding", "Grant plus precept: the budget requirement the force can finance.", HIGHER),
        MetricDeclaration("pay", "money", "Pay", "Officer, staff and PCSO pay, excluding collaboration contributions, before savings.", LOWER),
        MetricDeclaration("non_pay", "money", "Non-pay", "Premises, transport, supplies and services, before savings.", LOWER),
        MetricDeclaration("collaboration", "money", "Collaboration", "Spending on collaboration with other forces and non-police bodies.", LOWER),
        MetricDeclaration("pension_costs", "money", "Pension rate changes", "Cost of changes in the officer and staff employer pension rates since 2016/17.", LOWER),
        MetricDeclaration("apprenticeship_levy", "money", "Apprenticeship levy", "0.5% of the pay bill less the £15,000 allowance, from 2017/18.", LOWER),
        MetricDeclaration("pressures", "money", "Cost pressures", "Recurring cost pressures named in the force's file (planned and unplanned).", LOWER),
        MetricDeclaration("capital_financing", "money", "Capital financing", "Interest and minimum revenue provision: on borrowing before 2016/17 (flat cash) and on new borrowing for the capital programme from the year after it is taken.", LOWER),
        MetricDeclaration("revenue_contribution_to_capital", "money", "Revenue contribution to capital", "Revenue budget spent directly on the capital programme.", LOWER),
        MetricDeclaration("one_off_spend", "money", "One-off spending", "Reserve-funded one-off spending plus unplanned one-off shocks.", LOWER),
        MetricDeclaration("spend", "money", "Spend (NRE)", "Net revenue expenditure after the recurring savings delivered.", LOWER),
        MetricDeclaration("savings_required", "money", "Savings required (plan)", "Cumulative recurring savings the force's plan needs since 2016/17 to balance after planned reserve use.", LOWER),
        MetricDeclaration("savings_delivered", "money", "Savings delivered", "Cumulative recurring savings actually delivered since 2016/17, including collaboration programmes.", HIGHER),
        MetricDeclaration("action_savings", "money", "Savings from management action", "Cumulative recurring savings the management action rule added after years whose shortfall was met from reserves (in savings delivered).", HIGHER),
        MetricDeclaration("gap_before_savings", "money", "Gap before savings", "Spend before savings less funding: the savings requirement plus planned reserve use.", LOWER),
        MetricDeclaration("gap", "money", "Budget gap", "Spend less funding after savings delivered (positive: a shortfall to fund from reserves).", LOWER),
        MetricDeclaration("cumulative_gap", "money", "Cumulative gap", "The budget gap summed from 2016/17 to that year, path by path.", LOWER),
        MetricDeclaration("planned_reserve_use", "money", "Planned use of reserves", "Planned drawdowns actually taken from named earmarked reserves.", HIGHER),
        MetricDeclaration("unfunded_planned_use", "money", "Planned use not funded", "Planned revenue draws a reserve could not pay because it was empty: part of the shortfall.", LOWER),
        MetricDeclaration("unplanned_gap", "money", "Unplanned gap", "The gap beyond planned reserve use (negative: a surplus).", LOWER, negative_means="a surplus"),
        MetricDeclaration("shortfall_met_from_reserves", "money", "Shortfall met from reserves", "Unplanned shortfall met from earmarked and general reserves.", LOWER),
        MetricDeclaration("surplus_to_reserves", "money", "Surplus to reserves", "Surplus added to the general reserve (up to target) and then to earmarked reserves.", HIGHER),
        MetricDeclaration("capital_programme", "money", "Capital programme", "Capital spending in the year.", LOWER),
        MetricDeclaration("borrowing", "money", "New borrowing", "Borrowing taken in the year for the capital programme, after grant, receipts, capital reserves and revenue contributions.", LOWER),
        MetricDeclaration("reserves_to_capital", "money", "Reserves used for capital", "Contributions from capital reserves to the capital programme.", LOWER),
        MetricDeclaration("general_reserve", "money", "General reserve", "General reserve (general balances) at 31 March.", HIGHER),
        MetricDeclaration("general_reserve_minimum", "money", "Minimum general reserve", "The policy minimum: a share of that year's NRE.", LOWER),
        MetricDeclaration("earmarked_reserves", "money", "Earmarked reserves", "All earmarked reserves at 31 March.", HIGHER),
        MetricDeclaration("total_reserves", "money", "Total usable reserves", "General plus earmarked reserves at 31 March.", HIGHER),
        MetricDeclaration("uncovered_deficit", "money", "Uncovered deficit", "Shortfall no reserve available to meet one could meet that year.", LOWER),
        MetricDeclaration("reserve_cover_years", "years", "Reserve cover (years)", "Years usable reserves at 31 March would last at that year's net use of reserves (CIPFA's reserves depletion measure); 50 when reserves are not being used.", HIGHER),
        MetricDeclaration("precept_cap_cost", "money", "Council tax forgone to the limit", "Council tax that year lower than the precept rule asked for, because the referendum limit cut a rise that year or earlier.", LOWER),
        MetricDeclaration("nre", "money", "Net revenue expenditure", "The base for the minimum general reserve; equal to spend.", LOWER),
    )
}
"""Output lines per force and year, in table order."""

SUMMARY_METRICS: tuple[str, ...] = tuple(METRICS)

RESERVE_PREFIX = "reserve_"
"""A metric ``reserve_<name>`` is one earmarked reserve's closing balance (money, higher is better)."""


def reserve_metric(reserve_name: str) -> str:
    """Metric name of one earmarked reserve's closing balance: ``reserve_<name>``."""
    return f"{RESERVE_PREFIX}{reserve_name}"


def is_reserve_metric(metric: str) -> bool:
    """Whether a metric is one earmarked reserve's balance (``reserve_<name>``, not a declared metric)."""
    return metric.startswith(RESERVE_PREFIX) and metric not in METRICS


def metric_unit(metric: str) -> str:
    """Unit kind of a summary metric; earmarked reserves (``reserve_<name>``) and unknown names are money."""
    return METRICS[metric].unit if metric in METRICS else "money"


def higher_is_better(metric: str) -> bool:
    """Whether more of a line is better for the force's finances.

    Raises
    ------
    KeyError
        For a metric that is neither declared nor an earmarked reserve, so a new metric
        cannot slip into a table the wrong way round.
    """
    if is_reserve_metric(metric):
        return True
    if metric not in METRICS:
        raise KeyError(f"no optimistic/pessimistic orientation declared for metric {metric!r}")
    return METRICS[metric].higher_is_better


@dataclass(frozen=True)
class FlagDeclaration:
    """A yes/no outcome per path and year; each also has a cumulative ``<name>_by_year`` form.

    Attributes
    ----------
    name : str
        The in-year flag, as written in ``flags.csv``.
    label : str
        Short label for tables and charts.
    meaning : str
    risk : bool
        A warning about reserves (charted on the risk pages); otherwise a record of a
        decision (how often the referendum limit cut a rise).
    """

    name: str
    label: str
    meaning: str
    risk: bool = True


BY_YEAR_SUFFIX = "_by_year"
"""A flag's cumulative form: raised at any 31 March up to and including that year."""

FLAG_DECLARATIONS: dict[str, FlagDeclaration] = {
    f.name: f
    for f in (
        FlagDeclaration("general_below_minimum", "General reserve below minimum",
                        "General reserve below its policy minimum at 31 March of that year."),
        FlagDeclaration("usable_reserves_exhausted", "Usable reserves exhausted",
                        "General and earmarked reserves all spent by 31 March of that year."),
        FlagDeclaration("uncovered_deficit", "Uncovered deficit",
                        "A shortfall that no reserve available to meet one (budget-support reserves and the general "
                        "reserve, or those the scenario's shortfall order names) could meet in that year; "
                        "ring-fenced reserves may still hold money."),
        FlagDeclaration("precept_capped", "Band D rise cut by the referendum limit",
                        "The precept rule asked for a band D rise above the largest the referendum limit allows, "
                        "and the rise was cut to it.", risk=False),
    )
}
"""The in-year flags, in table order."""

RISK_FLAGS: tuple[str, ...] = tuple(name for name, flag in FLAG_DECLARATIONS.items() if flag.risk)
"""The in-year flags that warn about reserves, charted on the report's risk pages."""

FLAGS: tuple[str, ...] = tuple(FLAG_DECLARATIONS) + tuple(f"{name}{BY_YEAR_SUFFIX}" for name in FLAG_DECLARATIONS)
"""Every flag column value of ``flags.csv``: the in-year flags, then their ``_by_year`` forms."""

BREACH = f"general_below_minimum{BY_YEAR_SUFFIX}"
"""The headline flag: the general reserve has fallen below its minimum at some 31 March by that year.

Sensitivity, goal seek and compare are all about its probability in the last year."""


@dataclass(frozen=True)
class CaseDeclaration:
    """A deterministic case reported next to the Monte Carlo (``cases.csv``).

    Attributes
    ----------
    name : str
    label : str
    meaning : str
    """

    name: str
    label: str
    meaning: str


CASES: dict[str, CaseDeclaration] = {
    c.name: c
    for c in (
        CaseDeclaration("force_plan", "Force plan",
                        "The force's own plan: every input at its planning assumption, savings delivered in full, "
                        "no shocks."),
        CaseDeclaration("optimistic", "Optimistic case",
                        "Every input at its favourable tail value (1 in 10 by default), baseline figures at their "
                        "medians, no shock."),
        CaseDeclaration("median_case", "Median case", "Every input at its median."),
        CaseDeclaration("pessimistic", "Pessimistic case",
                        "Every input at its unfavourable tail value (1 in 10 by default), baseline figures at their "
                        "medians; a shock happens only if its yearly probability is above the tail, at its high cost."),
    )
}
"""The deterministic cases, in ``cases.csv`` order."""


@dataclass(frozen=True)
class FinanceColumn:
    """A column of the finance officer's table for each year: one deterministic case.

    Every figure of a column comes from the same projection, so each column adds up down
    the page.

    Attributes
    ----------
    name : str
        The case's name in :data:`CASES`.
    label : str
        Heading in the PDF table.
    long_label : str
        Heading in the workbook.
    """

    name: str
    label: str
    long_label: str


FINANCE_COLUMNS: dict[str, FinanceColumn] = {
    c.name: c
    for c in (
        FinanceColumn("optimistic", "Upside", "Optimistic case"),
        FinanceColumn("median_case", "Median", "Median case"),
        FinanceColumn("pessimistic", "Downside", "Pessimistic case"),
        FinanceColumn("force_plan", "Plan", "Force plan"),
    )
}
"""Columns of the finance officer's table for each year, in order."""


@dataclass(frozen=True)
class RatingLevel:
    """A level of the front page's rating of each force.

    Attributes
    ----------
    name : {'green', 'amber', 'red'}
    label : str
        As printed on the badge.
    colour : str
        Badge colour.
    default_from : float
        The default lowest chance of :data:`BREACH` by the last year that earns this level
        (a scenario's ``rating`` may change it).
    """

    name: str
    label: str
    colour: str
    default_from: float


RATING_LEVELS: dict[str, RatingLevel] = {
    level.name: level
    for level in (
        RatingLevel("green", "Green", "#2e7d32", 0.0),
        RatingLevel("amber", "Amber", "#e69500", 0.05),
        RatingLevel("red", "Red", "#c62828", 0.20),
    )
}
"""The front-page rating: red where the chance of the general reserve falling below its minimum by the last
year is 20% or more, amber from 5%, green below (the thresholds are scenario settings with these defaults)."""


def rating_of(probability: float, amber: float, red: float) -> RatingLevel:
    """The rating level of a chance of :data:`BREACH` under thresholds ``amber`` < ``red``."""
    if probability >= red:
        return RATING_LEVELS["red"]
    if probability >= amber:
        return RATING_LEVELS["amber"]
    return RATING_LEVELS["green"]
