"""Reduce per-path results to the tidy tables other tools read (a stable contract).

* ``summary``: ``scenario, force, year, metric, mean, p5, p10, p25, p50, p75, p90, p95``
  (money in £m, band D in £, tax base in band D equivalents);
* ``flags``: ``scenario, force, year, flag, probability, std_error``;
* ``plan``: ``scenario, force, year, metric, value`` (the deterministic force plan);
* ``cases``: ``scenario, case, force, year, metric, value`` (every deterministic case);
* ``convergence``: the Monte Carlo interval of every probability and percentile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.declare.formatting import format_money, format_percent
from model.declare.outputs import FLAGS
from model.run.probability import Z95, proportion_standard_error, wilson_interval
from model.run.simulation import SimulationResult

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
SUMMARY_COLUMNS = ["scenario", "force", "year", "metric", "mean"] + [f"p{p}" for p in PERCENTILES]
FLAG_COLUMNS = ["scenario", "force", "year", "flag", "probability", "std_error"]
CASE_COLUMNS = ["scenario", "case", "force", "year", "metric", "value"]
CONVERGENCE_COLUMNS = ["scenario", "force", "year", "quantity", "estimate", "low", "high", "method"]


def summary_table(result: SimulationResult) -> pd.DataFrame:
    """Mean and percentiles of every metric, per force and fiscal year.

    Percentiles come from fixed-bin histograms (within about 1/2,000 of each metric's
    range; exact where a metric has no spread); means are exact to £1.

    Returns
    -------
    DataFrame
        One row per force × metric × year, columns :data:`SUMMARY_COLUMNS`.
    """
    scenario = result.setup.scenario
    rows = []
    for force in scenario.forces:
        accumulator = result.summaries[force]
        quantiles = accumulator.quantiles(np.array(PERCENTILES) / 100.0)
        means = accumulator.mean()
        for m, metric in enumerate(result.metrics[force]):
            for t, year in enumerate(scenario.years):
                rows.append([scenario.name, force, year, metric, means[m, t], *quantiles[m, t]])
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def flags_table(result: SimulationResult) -> pd.DataFrame:
    """Probability of each flag per force and year, with its Monte Carlo standard error.

    The standard error of a proportion ``p`` over ``n`` paths is ``sqrt(p (1 - p) / n)``.
    """
    scenario = result.setup.scenario
    rows = []
    for force in scenario.forces:
        for flag in FLAGS:
            counts = result.flag_counts[force][flag]
            for t, year in enumerate(scenario.years):
                p = counts[t] / result.paths
                rows.append([scenario.name, force, year, flag, p, proportion_standard_error(p, result.paths)])
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def plan_table(result: SimulationResult) -> pd.DataFrame:
    """The deterministic force-plan case: every metric per force and year."""
    table = cases_table(result)
    return table[table.case == "force_plan"].drop(columns="case").reset_index(drop=True)


def cases_table(result: SimulationResult) -> pd.DataFrame:
    """Every deterministic case (force plan, optimistic, median case, pessimistic) per force, metric and year."""
    scenario = result.setup.scenario
    rows = [
        [scenario.name, case, force, year, metric, float(values[t])]
        for case, by_force in result.cases.items()
        for force in scenario.forces
        for metric, values in by_force[force].items()
        for t, year in enumerate(scenario.years)
    ]
    return pd.DataFrame(rows, columns=CASE_COLUMNS)


def convergence_table(result: SimulationResult) -> pd.DataFrame:
    """Monte Carlo uncertainty of every probability and percentile reported.

    Probabilities get a 95% Wilson interval; a percentile ``p`` gets the 95%
    order-statistic interval: the quantiles at ``p ± 1.96 sqrt(p (1 - p) / n)``.

    Returns
    -------
    DataFrame
        Columns ``scenario, force, year, quantity, estimate, low, high, method``.
    """
    scenario = result.setup.scenario
    n = result.paths
    rows = []
    for force in scenario.forces:
        for flag in FLAGS:
            counts = result.flag_counts[force][flag]
            low, high = wilson_interval(counts / n, n)
            for t, year in enumerate(scenario.years):
                rows.append([scenario.name, force, year, f"P({flag})", counts[t] / n, low[t], high[t], "Wilson 95%"])
        # Every percentile's estimate and bounds read from the histograms at once (the same numbers as
        # one percentile at a time: each quantile is found on its own).
        every = result.summaries[force].quantiles(np.array([_estimate_and_bounds(p / 100.0, n) for p in PERCENTILES]).ravel())
        for k, p in enumerate(PERCENTILES):
            bounds = every[..., 3 * k:3 * k + 3]
            for m, metric in enumerate(result.metrics[force]):
                for t, year in enumerate(scenario.years):
                    rows.append([scenario.name, force, year, f"p{p}({metric})", *bounds[m, t], "order statistic 95%"])
    return pd.DataFrame(rows, columns=CONVERGENCE_COLUMNS)


def _estimate_and_bounds(q: float, n: int) -> tuple[float, float, float]:
    """A percentile's probability and its 95% order-statistic bounds ``q ± 1.96 sqrt(q (1 - q) / n)``, within [0, 1]."""
    half = Z95 * np.sqrt(q * (1 - q) / n)
    return q, max(q - half, 0.0), min(q + half, 1.0)


def headline_table(summary: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """The few numbers to print after a run, for the last year of the horizon.

    Returns
    -------
    DataFrame
        Per force: median total reserves and its P10–P90, the cumulative gap's median,
        and the probabilities of each flag by the last year.
    """
    last = summary["year"].max()
    rows = []
    for force in summary["force"].unique():
        s = summary[(summary.force == force) & (summary.year == last)].set_index("metric")
        f = flags[(flags.force == force) & (flags.year == last)].set_index("flag")
        rows.append({
            "force": force,
            "year": last,
            "total_reserves_p50": s.loc["total_reserves", "p50"],
            "total_reserves_p10": s.loc["total_reserves", "p10"],
            "total_reserves_p90": s.loc["total_reserves", "p90"],
            "general_reserve_p50": s.loc["general_reserve", "p50"],
            "p_general_below_minimum": f.loc["general_below_minimum_by_year", "probability"],
            "p_usable_reserves_exhausted": f.loc["usable_reserves_exhausted_by_year", "probability"],
            "p_uncovered_deficit": f.loc["uncovered_deficit_by_year", "probability"],
        })
    return pd.DataFrame(rows)


PRECEPT_CAP_COLUMNS = ["force", "year", "share_of_paths", "council_tax_forgone_mean"]


def precept_caps_table(summary: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Where the referendum limit cut a band D rise: per force and year, how often and what it cost.

    Returns
    -------
    DataFrame
        Columns :data:`PRECEPT_CAP_COLUMNS`, one row per force and year where the limit cut
        the rise on any path: the share of paths (``precept_capped``) and the mean council
        tax forgone that year (``precept_cap_cost``, £m, over all paths).
    """
    capped = flags[flags["flag"] == "precept_capped"]
    cost = summary[summary["metric"] == "precept_cap_cost"].set_index(["force", "year"])["mean"]
    rows = [[row.force, row.year, float(row.probability), float(cost.get((row.force, row.year), 0.0))]
            for row in capped.itertuples() if row.probability > 0]
    return pd.DataFrame(rows, columns=PRECEPT_CAP_COLUMNS)


def cap_warnings(caps: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """One warning line per row of :func:`precept_caps_table`, for stderr, ``run.json`` and the report.

    Parameters
    ----------
    caps : DataFrame
        The table of :func:`precept_caps_table`.
    names : dict of str to str
        Force identifier to its name.
    """
    return [f"the referendum limit cut {names.get(row.force, row.force)}'s band D rise in {row.year} on "
            f"{format_percent(row.share_of_paths)} of paths ({format_money(row.council_tax_forgone_mean)} of "
            "council tax forgone that year on average)" for row in caps.itertuples()]
