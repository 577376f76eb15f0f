"""Tidy tables for the report and the workbook: tidy tables in, tidy tables out, no drawing.

Everything the PDF (:mod:`model.report.pdf`) and the workbook (:mod:`model.report.workbook`) show
is computed here, so it can be tested on small tables with exact values:

* the finance officer's table: fiscal years across, lines down, the optimistic, median and
  pessimistic deterministic cases and the force plan, each a column that adds up
  (:func:`finance_table`, :func:`finance_table_wide`);
* probabilities with their Monte Carlo uncertainty (:func:`wilson_interval`), in plain
  words (:func:`one_in_n`, :func:`probability_phrase`), and the year of the first breach
  of the minimum general reserve (:func:`first_breach_table`);
* the front-page sentences (:func:`force_headline`, :func:`headline_sentences`);
* the data behind the gap, reserve-movement and cross-force charts.

Money is in £ million cash; band D in £. Percentile columns are ``p5 … p95`` of the summary
contract in :mod:`model.run.summaries`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.declare.formatting import format_money, format_percent
from model.declare.outputs import (
    BY_YEAR_SUFFIX,
    FINANCE_COLUMNS,
    FLAG_DECLARATIONS,
    METRICS,
    RESERVE_PREFIX,
    RISK_FLAGS,
    RatingLevel,
    is_reserve_metric,
    metric_unit,
    rating_of,
)
from model.run.probability import wilson_interval
from model.run.results import RunInfo

# --------------------------------------------------------------------------------------
# Names, labels, units and orientation
# --------------------------------------------------------------------------------------

def reserve_label(metric: str) -> str:
    """A readable name for a ``reserve_<name>`` metric: ``reserve_base_budget_support`` → ``Base budget support``.

    Parameters
    ----------
    metric : str
        A ``reserve_<name>`` metric, or the bare reserve name.

    Returns
    -------
    str
    """
    name = metric[len(RESERVE_PREFIX):] if metric.startswith(RESERVE_PREFIX) else metric
    words = name.replace("-", " ").replace("_", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def metric_label(metric: str) -> str:
    """Short label of any summary metric, from :data:`model.declare.outputs.METRICS`.

    Parameters
    ----------
    metric : str

    Returns
    -------
    str
        The declared label; a reserve's readable name; otherwise the metric name itself.
    """
    if metric in METRICS:
        return METRICS[metric].label
    if is_reserve_metric(metric):
        return reserve_label(metric)
    return metric


def reserve_metrics(summary: pd.DataFrame, force: str | None = None) -> list[str]:
    """The ``reserve_<name>`` metrics of a summary table, in the order they first appear.

    Parameters
    ----------
    summary : pandas.DataFrame
        Summary rows (column ``metric``, and ``force`` when ``force`` is given).
    force : str, optional
        Only this force's reserves.

    Returns
    -------
    list of str
    """
    rows = summary if force is None else summary[summary["force"] == force]
    return [str(m) for m in pd.unique(rows["metric"]) if is_reserve_metric(str(m))]


# --------------------------------------------------------------------------------------
# Probabilities
# --------------------------------------------------------------------------------------


SIMPLE_FRACTIONS: tuple[tuple[float, str], ...] = (
    *((1 / n, f"1 in {n}") for n in range(2, 11)),
    *((k / 10, f"{k} in 10") for k in range(2, 10)),
    (2 / 3, "2 in 3"), (3 / 4, "3 in 4"),
)
"""The fractions a chance from 1 in 10 to 95 in 100 is put as: the nearest one, relative to the chance."""


def one_in_n(p: float, paths: int) -> str:
    """A probability in words a reader without statistics can use, rounded honestly: ``0.238`` → ``"1 in 4"``.

    Parameters
    ----------
    p : float
        Probability in [0, 1].
    paths : int
        Number of Monte Carlo paths, which bounds what a zero can mean.

    Returns
    -------
    str
        * ``p == 0``: ``"less than 1 in 20,000"`` (it happened in none of the paths);
        * below 0.1: ``"1 in N"``, N = 1/p to two significant figures;
        * 0.1 to 0.95: the nearest of :data:`SIMPLE_FRACTIONS` relative to ``p`` (23.8% is
          "1 in 4", not "2 in 10"; 29.1% is "3 in 10"; 57.9% is "6 in 10");
        * 0.95 up to 1: ``"N in 100"``, and ``"more than 99 in 100"`` when that rounds to 100;
        * ``p == 1``: ``"every one of the 20,000 paths"``.
        Read with "about": the words round, the percentage beside them does not.
    """
    if p <= 0:
        return f"less than 1 in {paths:,}"
    if p >= 1:
        return f"every one of the {paths:,} paths"
    if p < 0.1:
        return f"1 in {_two_significant(1 / p)}"
    if p < 0.95:
        return min(SIMPLE_FRACTIONS, key=lambda fraction: (abs(fraction[0] - p) / p, len(fraction[1])))[1]
    hundredths = round(p * 100)
    return f"{hundredths} in 100" if hundredths < 100 else "more than 99 in 100"


def _two_significant(value: float) -> str:
    """``17.12`` → ``"17"``, ``281.7`` → ``"280"``, ``6.25`` → ``"6"``, ``12,500`` → ``"13,000"``."""
    if value < 10:
        return f"{round(value):,}"
    digits = 1 - math.floor(math.log10(value))
    return f"{round(value, digits):,.0f}"


def probability_phrase(p: float, paths: int) -> str:
    """A probability as a chance in words, with its percentage and 95% Monte Carlo interval.

    Parameters
    ----------
    p : float
        Probability in [0, 1].
    paths : int
        Number of Monte Carlo paths.

    Returns
    -------
    str
        For example ``"about a 1 in 17 chance (5.8%; 95% interval 5.5% to 6.2%)"``; for
        ``p`` of 0 ``"less than a 1 in 20,000 chance (none of the 20,000 paths; …)"`` and for
        1 ``"a near certainty (every one of the 20,000 paths; …)"``.
    """
    low, high = wilson_interval(p, paths)
    interval = f"95% interval {format_percent(low)} to {format_percent(high)}"
    if p <= 0:
        return f"less than a 1 in {paths:,} chance (none of the {paths:,} paths; {interval})"
    if p >= 1:
        return f"a near certainty ({one_in_n(p, paths)}; {interval})"
    if one_in_n(p, paths).startswith("more than"):
        return f"more than a 99 in 100 chance ({format_percent(p)}; {interval})"
    return f"about a {one_in_n(p, paths)} chance ({format_percent(p)}; {interval})"


def flag_probability_table(flags: pd.DataFrame, force: str, paths: int) -> pd.DataFrame:
    """Every flag of one force by year, in that year and by the end of it, with 95% intervals.

    Parameters
    ----------
    flags : pandas.DataFrame
        Flag table (``force, year, flag, probability``).
    force : str
        Force id.
    paths : int
        Number of Monte Carlo paths, for the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        Columns ``flag, label, when, year, probability, low, high``; ``when`` is
        ``"by end of year"`` (the ``*_by_year`` flag) or ``"in that year"``. Flags in
        :data:`~model.declare.outputs.RISK_FLAGS` order, the cumulative form first; years in order.
    """
    rows = flags[flags["force"] == force]
    records = []
    for flag, label in ((name, FLAG_DECLARATIONS[name].label) for name in RISK_FLAGS):
        for name, when in ((flag + BY_YEAR_SUFFIX, "by end of year"), (flag, "in that year")):
            for row in rows[rows["flag"] == name].sort_values("year").itertuples():
                low, high = wilson_interval(float(row.probability), paths)
                records.append([flag, label, when, str(row.year), float(row.probability), low, high])
    return pd.DataFrame(records, columns=["flag", "label", "when", "year", "probability", "low", "high"])


def first_breach_table(
    flags: pd.DataFrame, force: str, paths: int, flag: str = "general_below_minimum"
) -> pd.DataFrame:
    """When a flag first happens: P(first in year t) = P(by year t) − P(by year t−1).

    Parameters
    ----------
    flags : pandas.DataFrame
        Flag table with the cumulative ``<flag>_by_year`` rows of the force.
    force : str
        Force id.
    paths : int
        Number of Monte Carlo paths, for the Wilson intervals.
    flag : str, default ``"general_below_minimum"``
        The in-year flag name.

    Returns
    -------
    pandas.DataFrame
        Columns ``when, probability, low, high``: one row per fiscal year, then
        ``"No breach by <last year>"`` with 1 − P(by the last year). The probabilities add
        up to 1. Each is a proportion of paths, so its interval is a Wilson interval too.
    """
    rows = flags[(flags["force"] == force) & (flags["flag"] == flag + BY_YEAR_SUFFIX)].sort_values("year")
    cumulative = np.maximum.accumulate(np.clip(rows["probability"].to_numpy(dtype=float), 0.0, 1.0))
    first = np.diff(cumulative, prepend=0.0)
    years = [str(year) for year in rows["year"]]
    last = years[-1] if years else "the last year"
    whens = years + [f"No breach by {last}"]
    probabilities = np.append(first, 1.0 - (cumulative[-1] if len(cumulative) else 0.0))
    low, high = wilson_interval(probabilities, paths)
    return pd.DataFrame({"when": whens, "probability": probabilities, "low": low, "high": high})


# --------------------------------------------------------------------------------------
# The finance officer's table
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TableLine:
    """One line of the finance table.

    Attributes
    ----------
    metric : str
        Summary metric shown.
    label : str
        Line label, as a budget book words it.
    section : str
        Heading the line sits under.
    sign : int
        ``-1`` shows the line as a deduction (in brackets), e.g. savings delivered and
        reserve draws; ``1`` otherwise.
    """

    metric: str
    label: str
    section: str
    sign: int = 1


SECTION_FUNDING = "Funding"
SECTION_SPENDING = "Spending"
SECTION_GAP = "Gap and use of reserves"
SECTION_CAPITAL = "Capital"
SECTION_RESERVES = "Reserves at 31 March"
SECTION_COUNCIL_TAX = "Council tax"


def finance_lines(reserves: Sequence[str] = (), cumulative_gap: bool = False) -> list[TableLine]:
    """The finance table's lines, top to bottom, with one line per earmarked reserve.

    Parameters
    ----------
    reserves : sequence of str
        The force's ``reserve_<name>`` metrics, in order.
    cumulative_gap : bool, default False
        Add the cumulative budget gap (the per-path running total) at the end of the gap section.

    Returns
    -------
    list of TableLine
        Funding (grant, precept, funding); spending (pay, non-pay, collaboration, pension
        rate changes, the apprenticeship levy, cost pressures, capital financing, revenue
        contributions to capital, one-off spending, less savings delivered, spend); the gap
        (budget gap, less planned use of reserves, unplanned gap, uncovered deficit, and
        optionally the cumulative gap); capital (programme, new borrowing, reserves used);
        reserves at 31 March (general, each earmarked reserve, total); band D.
    """
    label = metric_label
    return [
        TableLine("grant", label("grant"), SECTION_FUNDING),
        TableLine("precept", label("precept"), SECTION_FUNDING),
        TableLine("funding", label("funding"), SECTION_FUNDING),
        TableLine("pay", label("pay"), SECTION_SPENDING),
        TableLine("non_pay", label("non_pay"), SECTION_SPENDING),
        TableLine("collaboration", label("collaboration"), SECTION_SPENDING),
        TableLine("pension_costs", label("pension_costs"), SECTION_SPENDING),
        TableLine("apprenticeship_levy", label("apprenticeship_levy"), SECTION_SPENDING),
        TableLine("pressures", label("pressures"), SECTION_SPENDING),
        TableLine("capital_financing", label("capital_financing"), SECTION_SPENDING),
        TableLine("revenue_contribution_to_capital", label("revenue_contribution_to_capital"), SECTION_SPENDING),
        TableLine("one_off_spend", label("one_off_spend"), SECTION_SPENDING),
        TableLine("savings_delivered", "Less savings delivered", SECTION_SPENDING, sign=-1),
        TableLine("spend", label("spend"), SECTION_SPENDING),
        TableLine("gap", label("gap"), SECTION_GAP),
        TableLine("planned_reserve_use", "Less planned use of reserves", SECTION_GAP, sign=-1),
        TableLine("unplanned_gap", label("unplanned_gap"), SECTION_GAP),
        TableLine("uncovered_deficit", label("uncovered_deficit"), SECTION_GAP),
        *([TableLine("cumulative_gap", "Cumulative budget gap", SECTION_GAP)] if cumulative_gap else []),
        TableLine("capital_programme", label("capital_programme"), SECTION_CAPITAL),
        TableLine("borrowing", label("borrowing"), SECTION_CAPITAL),
        TableLine("reserves_to_capital", label("reserves_to_capital"), SECTION_CAPITAL),
        TableLine("general_reserve", label("general_reserve"), SECTION_RESERVES),
        *(TableLine(metric, reserve_label(metric), SECTION_RESERVES) for metric in reserves),
        TableLine("total_reserves", label("total_reserves"), SECTION_RESERVES),
        TableLine("band_d", "Band D council tax (£)", SECTION_COUNCIL_TAX),
    ]


FINANCE_TABLE_COLUMNS = ["line", "section", "label", "metric", "unit", "year", "case", "value"]


def finance_table(cases: pd.DataFrame, force: str, lines: Sequence[TableLine] | None = None) -> pd.DataFrame:
    """The finance officer's table of one force, as a tidy table.

    For each line and year, the value in each deterministic case of
    :data:`~model.declare.outputs.FINANCE_COLUMNS` (optimistic, median, pessimistic, force
    plan), multiplied by the line's display sign. Each case is one projection, so within a
    case every subtotal is the sum of its lines.

    Parameters
    ----------
    cases : pandas.DataFrame
        Deterministic case rows (``case, force, year, metric, value``); may be empty.
    force : str
        Force id.
    lines : sequence of TableLine, optional
        Lines to show; default :func:`finance_lines` with the force's earmarked reserves.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FINANCE_TABLE_COLUMNS`: ``line`` is the line's position; ``case`` one
        of :data:`~model.declare.outputs.FINANCE_COLUMNS`; ``value`` in £m (band D in £),
        NaN where a case has no figure.
    """
    rows = cases[cases["force"] == force] if len(cases) else cases
    if lines is None:
        lines = finance_lines(reserve_metrics(rows), cumulative_gap=bool(len(rows)) and
                              bool((rows["metric"] == "cumulative_gap").any()))
    years = sorted(str(y) for y in pd.unique(rows["year"])) if len(rows) else []
    values = ({(str(r.case), str(r.year), str(r.metric)): float(r.value) for r in rows.itertuples()}
              if len(rows) else {})
    records = [[position, line.section, line.label, line.metric, metric_unit(line.metric), year, case,
                line.sign * values.get((case, year, line.metric), math.nan)]
               for position, line in enumerate(lines) for year in years for case in FINANCE_COLUMNS]
    table = pd.DataFrame(records, columns=FINANCE_TABLE_COLUMNS)
    # A deduction of zero is shown as 0.0, not -0.0.
    table["value"] = table["value"] + 0.0
    return table


def _plan_values(plan: pd.DataFrame, metric: str) -> dict[str, float]:
    if plan.empty:
        return {}
    rows = plan[plan["metric"] == metric]
    return {str(year): float(value) for year, value in zip(rows["year"], rows["value"], strict=True)}


def finance_table_wide(table: pd.DataFrame) -> pd.DataFrame:
    """Lay the tidy finance table out as a budget book does: lines down, years and cases across.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`finance_table`.

    Returns
    -------
    pandas.DataFrame
        One row per line in order, with columns ``section, label, metric, unit`` and then
        one column per ``(year, case)`` pair, years in order and cases in :data:`~model.declare.outputs.FINANCE_COLUMNS`
        order. The column labels of the figures are tuples ``(year, case)``.
    """
    lines = table.drop_duplicates("line").sort_values("line")[["section", "label", "metric", "unit"]]
    values = table.pivot(index="line", columns=["year", "case"], values="value")
    years = sorted(str(y) for y in pd.unique(table["year"]))
    order = [(year, case) for year in years for case in FINANCE_COLUMNS if (year, case) in values.columns]
    figures = values[order].reset_index(drop=True)
    wide = pd.concat([lines.reset_index(drop=True), figures], axis=1)
    wide.columns = pd.Index(["section", "label", "metric", "unit", *order], tupleize_cols=False)
    return wide


# --------------------------------------------------------------------------------------
# The front page: plain words per force
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForceHeadline:
    """The numbers behind a force's front-page panel: its rating, its chart and its three sentences.

    "Middle" figures are medians of the simulated outcomes (P10 and P90 beside them); "plan"
    figures are the force's plan, the model run once on the force's own planning assumptions
    (``None`` when the run has no plan case).
    """

    force_name: str
    scenario_name: str
    years: tuple[str, ...]
    paths: int
    minimum_fraction: float | None
    p_below_minimum: float
    p_reserves_exhausted: float
    rating: RatingLevel
    rating_thresholds: tuple[float, float]
    total_reserves: tuple[tuple[float, float, float], ...]
    """(P10, P50, P90) of total usable reserves at each year's end."""
    minimum_general: tuple[float, ...]
    """The median minimum general reserve at each year's end (£m)."""
    plan_total_reserves: tuple[float, ...] | None
    gap: tuple[float, float, float]
    """(P10, P50, P90) of the last year's budget gap after savings."""
    plan_reserve_use: float | None
    """The force's plan's use of reserves in the last year (£m)."""

    @property
    def last_year(self) -> str:
        return self.years[-1]


def force_headline(summary: pd.DataFrame, flags: pd.DataFrame, force: str, info: RunInfo,
                   plan: pd.DataFrame | None = None) -> ForceHeadline:
    """Collect the front-page figures of one force.

    Parameters
    ----------
    summary, flags : pandas.DataFrame
        Summary and flag tables.
    force : str
        Force id.
    info : RunInfo
        The run's metadata: paths, scenario name, force names, minimum general reserves and
        the rating thresholds.
    plan : pandas.DataFrame, optional
        The force plan case (``force, year, metric, value``); without it the panel gives no
        plan figures.

    Returns
    -------
    ForceHeadline
    """
    rows = summary[summary["force"] == force]
    years = tuple(sorted(str(y) for y in pd.unique(rows["year"])))
    last = years[-1]

    def series(metric: str, column: str) -> list[float]:
        values = rows[rows["metric"] == metric].set_index("year")[column]
        return [float(values.get(year, math.nan)) for year in years]

    final = rows[rows["year"] == last].set_index("metric")
    flag_rows = flags[(flags["force"] == force) & (flags["year"] == last)].set_index("flag")
    p_below = float(flag_rows.at["general_below_minimum" + BY_YEAR_SUFFIX, "probability"])
    plan_rows = plan[plan["force"] == force] if plan is not None and len(plan) else None
    plan_totals = _plan_values(plan_rows, "total_reserves") if plan_rows is not None else {}
    plan_use = _plan_values(plan_rows, "planned_reserve_use") if plan_rows is not None else {}
    amber, red = info.rating
    return ForceHeadline(
        force_name=info.force_name(force),
        scenario_name=info.scenario_name,
        years=years,
        paths=info.paths,
        minimum_fraction=info.minimum_general_rate(force),
        p_below_minimum=p_below,
        p_reserves_exhausted=float(flag_rows.at["usable_reserves_exhausted" + BY_YEAR_SUFFIX, "probability"]),
        rating=rating_of(p_below, amber, red),
        rating_thresholds=(amber, red),
        total_reserves=tuple(zip(series("total_reserves", "p10"), series("total_reserves", "p50"),
                                 series("total_reserves", "p90"), strict=True)),
        minimum_general=tuple(series("general_reserve_minimum", "p50")),
        plan_total_reserves=tuple(plan_totals.get(year, math.nan) for year in years) if plan_totals else None,
        gap=tuple(float(final.at["gap", c]) for c in ("p10", "p50", "p90")),
        plan_reserve_use=plan_use.get(last) if plan_use else None,
    )


def rating_rule(headline: ForceHeadline) -> str:
    """The rating and the rule that gave it, e.g. "Amber: the chance … is 5% or more and below 20% (here 8.9%)"."""
    amber, red = (threshold_text(t) for t in headline.rating_thresholds)
    rule = {"red": f"{red} or more", "amber": f"{amber} or more and below {red}", "green": f"below {amber}"}
    return (f"{headline.rating.label}: the chance of the general reserve falling below its minimum by "
            f"{headline.last_year} is {rule[headline.rating.name]} (here {format_percent(headline.p_below_minimum)})")


def threshold_text(value: float) -> str:
    """A rating threshold as written in a scenario: ``0.2`` → ``"20%"``, ``0.075`` → ``"7.5%"``."""
    return f"{value * 100:.10g}%"


def headline_sentences(headline: ForceHeadline) -> list[str]:
    """The front page's three plain-words sentences for one force.

    Every figure is said to be either "in the middle of the simulated outcomes" (a median,
    with its P10 and P90) or "in the force's plan"; never the one for the other.

    Parameters
    ----------
    headline : ForceHeadline

    Returns
    -------
    list of str
        The chance the general reserve falls below its minimum; usable reserves at the end
        against the force's plan (and the chance they are all used up, when there is one);
        the last year's budget gap and what the force's plan draws from reserves that year.
    """
    h = headline
    last = h.last_year
    minimum = "its minimum" + (f" ({h.minimum_fraction * 100:.1f}% of NRE)" if h.minimum_fraction is not None else "")
    general = (f"There is {probability_phrase(h.p_below_minimum, h.paths)} that the general reserve falls below "
               f"{minimum} at some point by {last}.")
    p10, p50, p90 = h.total_reserves[-1]
    reserves = (f"Usable reserves at {year_end(last)} are {format_money(p50)} in the middle of the simulated "
                f"outcomes (P10 {format_money(p10)}, P90 {format_money(p90)})")
    if h.plan_total_reserves is not None and not math.isnan(h.plan_total_reserves[-1]):
        reserves += f", against {format_money(h.plan_total_reserves[-1])} in the force's plan"
    if h.p_reserves_exhausted > 0:
        reserves += (f"; there is {probability_phrase(h.p_reserves_exhausted, h.paths)} that they are all used "
                     f"up by {last}")
    gap_p10, gap_p50, gap_p90 = h.gap
    gap = (f"In {last} the budget gap after savings is {format_money(gap_p50)} in the middle of the simulated "
           f"outcomes (P10 {format_money(gap_p10)}, P90 {format_money(gap_p90)})")
    if h.plan_reserve_use is not None:
        use = h.plan_reserve_use
        gap += (f"; the force's plan draws {format_money(use)} from reserves that year" if round(use, 1) > 0
                else "; the force's plan draws nothing from reserves that year")
    return [general, reserves + ".", gap + "."]


def year_end(fiscal_year: str) -> str:
    """The last day of a fiscal year: ``"2019/20"`` → ``"31 March 2020"``."""
    return f"31 March {int(fiscal_year[:4]) + 1}"


# --------------------------------------------------------------------------------------
# Data behind the charts
# --------------------------------------------------------------------------------------

GAP_PARTS: tuple[str, ...] = ("savings_delivered", "planned_reserve_use", "unplanned_gap")
"""The gap before savings splits into these three lines (they add up path by path)."""


def gap_breakdown(summary: pd.DataFrame, plan: pd.DataFrame, force: str) -> pd.DataFrame:
    """The gap before savings by year, split into its parts, annual and cumulative.

    Medians of each part are used; medians do not add up exactly, so the parts' sum can
    differ a little from the median gap before savings. "Cumulative" is the running sum of
    the yearly medians.

    Parameters
    ----------
    summary, plan : pandas.DataFrame
        Summary and plan tables; the plan may be empty.
    force : str
        Force id.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, part, annual, cumulative``. Parts are :data:`GAP_PARTS`
        (medians), ``gap_before_savings`` (median) and ``savings_required_plan`` (the
        plan's savings requirement; NaN without a plan).
    """
    rows = summary[summary["force"] == force]
    years = sorted(str(y) for y in pd.unique(rows["year"]))
    frames = []
    for part in (*GAP_PARTS, "gap_before_savings"):
        medians = rows[rows["metric"] == part].set_index("year")["p50"]
        frames.append(_annual_and_cumulative(years, part, [medians.get(year, math.nan) for year in years]))
    plan_values = _plan_values(plan[plan["force"] == force] if len(plan) else plan, "savings_required")
    frames.append(_annual_and_cumulative(years, "savings_required_plan",
                                         [plan_values.get(year, math.nan) for year in years]))
    return pd.concat(frames, ignore_index=True)


def _annual_and_cumulative(years: Sequence[str], part: str, values: Sequence[float]) -> pd.DataFrame:
    annual = np.asarray(values, dtype=float)
    return pd.DataFrame({"year": list(years), "part": part, "annual": annual, "cumulative": np.cumsum(annual)})


RESERVE_MOVEMENTS: tuple[tuple[str, str, int], ...] = (
    ("planned_reserve_use", "Planned drawdown", -1),
    ("shortfall_met_from_reserves", "Shortfall met from reserves", -1),
    ("surplus_to_reserves", "Surplus added to reserves", 1),
    ("reserves_to_capital", "Used for the capital programme", -1),
    ("uncovered_deficit", "Uncovered deficit (no reserve available)", -1),
)
"""Movements of usable reserves in a year: metric, label and sign (draws are negative)."""


def reserve_movements(summary: pd.DataFrame, force: str) -> pd.DataFrame:
    """Median movements of usable reserves per year, and the median closing total.

    Parameters
    ----------
    summary : pandas.DataFrame
        Summary table.
    force : str
        Force id.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, movement, label, value``: the :data:`RESERVE_MOVEMENTS` medians
        signed (draws negative; the uncovered deficit is negative but is *not* taken from
        reserves) and ``total_reserves``, the median closing total.
    """
    rows = summary[summary["force"] == force]
    years = sorted(str(y) for y in pd.unique(rows["year"]))
    records = []
    for metric, label, sign in (*RESERVE_MOVEMENTS, ("total_reserves", "Closing usable reserves", 1)):
        medians = rows[rows["metric"] == metric].set_index("year")["p50"]
        for year in years:
            records.append([year, metric, label, sign * float(medians.get(year, math.nan)) + 0.0])
    return pd.DataFrame(records, columns=["year", "movement", "label", "value"])


CROSS_FORCE_MEASURES: dict[str, str] = {
    "reserves_pct_nre": "Total usable reserves as % of NRE",
    "p_general_below_minimum": "Chance the general reserve has fallen below its minimum",
    "gap_pct_funding": "Budget gap as % of funding",
}


def cross_force_table(summary: pd.DataFrame, flags: pd.DataFrame, paths: int) -> pd.DataFrame:
    """The forces on one basis, per year: reserves and gap as shares, and the breach risk.

    Ratios divide a line's percentiles by the *median* of its base (NRE or funding),
    because the summary holds no per-path ratio; the base varies far less than the line.

    Parameters
    ----------
    summary, flags : pandas.DataFrame
        Summary and flag tables of every force.
    paths : int
        Number of Monte Carlo paths, for the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        Columns ``force, year, measure, central, low, high``: for
        ``reserves_pct_nre`` and ``gap_pct_funding`` the median with P10 and P90 (as
        fractions); for ``p_general_below_minimum`` the probability with its 95% Wilson
        interval.
    """
    records = []
    for force in pd.unique(summary["force"]):
        rows = summary[summary["force"] == force]
        for year in sorted(str(y) for y in pd.unique(rows["year"])):
            by_metric = rows[rows["year"] == year].set_index("metric")
            for measure, metric, base in (("reserves_pct_nre", "total_reserves", "nre"),
                                          ("gap_pct_funding", "gap", "funding")):
                denominator = float(by_metric.at[base, "p50"])
                if denominator == 0:
                    continue
                records.append([force, year, measure, *(float(by_metric.at[metric, c]) / denominator
                                                        for c in ("p50", "p10", "p90"))])
            flag = flags[(flags["force"] == force) & (flags["year"] == year)
                         & (flags["flag"] == "general_below_minimum" + BY_YEAR_SUFFIX)]
            if len(flag):
                p = float(flag["probability"].iloc[0])
                records.append([force, year, "p_general_below_minimum", p, *wilson_interval(p, paths)])
    return pd.DataFrame(records, columns=["force", "year", "measure", "central", "low", "high"])


def bridge_steps(bridge: pd.DataFrame, force: str) -> pd.DataFrame:
    """One force's plan-to-median bridge as waterfall bars: where each bar starts and ends.

    Parameters
    ----------
    bridge : pandas.DataFrame
        The bridge table (:func:`model.run.bridge.bridge_table`).
    force : str

    Returns
    -------
    pandas.DataFrame
        Columns ``label, kind, start, end, change``: the plan (``kind`` ``total``, from 0),
        each group's step (``step``, from the running total before it) and the median
        (``total``). The steps add up to median − plan.
    """
    rows = bridge[bridge["force"] == force].sort_values("step")
    records = []
    for row in rows.itertuples():
        if row.group in ("plan", "median"):
            records.append([row.label, "total", 0.0, float(row.value), float(row.value)])
        else:
            records.append([row.label, "step", float(row.value - row.change), float(row.value), float(row.change)])
    return pd.DataFrame(records, columns=["label", "kind", "start", "end", "change"])
