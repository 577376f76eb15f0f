"""Reduce per-path results to the tidy tables other tools read (a stable contract).

* ``summary``: ``scenario, force, year, metric, mean, p5, p10, p25, p50, p75, p90, p95``
  (money in £m, band D in £, tax base in band D equivalents);
* ``flags``: ``scenario, force, year, flag, probability, std_error``;
* ``plan``: ``scenario, force, year, metric, value`` (the deterministic force plan).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import FLAGS
from .simulation import SimulationResult

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
SUMMARY_COLUMNS = ["scenario", "force", "year", "metric", "mean"] + [f"p{p}" for p in PERCENTILES]
FLAG_COLUMNS = ["scenario", "force", "year", "flag", "probability", "std_error"]
PLAN_COLUMNS = ["scenario", "force", "year", "metric", "value"]


def summary_table(result: SimulationResult) -> pd.DataFrame:
    """Mean and percentiles of every metric, per force and fiscal year.

    Returns
    -------
    DataFrame
        One row per force × year × metric, columns :data:`SUMMARY_COLUMNS`.
    """
    scenario = result.setup.scenario
    rows = []
    for force in scenario.forces:
        for metric, values in result.lines[force].items():
            percentiles = np.percentile(values, PERCENTILES, axis=0)
            means = values.mean(axis=0)
            for t, year in enumerate(scenario.years):
                rows.append([scenario.name, force, year, metric, means[t], *percentiles[:, t]])
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def flags_table(result: SimulationResult) -> pd.DataFrame:
    """Probability of each flag per force and year, with its Monte Carlo standard error.

    The standard error of a proportion ``p`` over ``n`` paths is ``sqrt(p (1 - p) / n)``.
    """
    scenario = result.setup.scenario
    rows = []
    for force in scenario.forces:
        for flag in FLAGS:
            counts = result.flags[force][flag].sum(axis=0)
            for t, year in enumerate(scenario.years):
                p = counts[t] / result.paths
                rows.append([scenario.name, force, year, flag, p, float(np.sqrt(p * (1.0 - p) / result.paths))])
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def plan_table(result: SimulationResult) -> pd.DataFrame:
    """The deterministic force-plan case: every metric per force and year."""
    scenario = result.setup.scenario
    rows = [
        [scenario.name, force, year, metric, float(values[t])]
        for force in scenario.forces
        for metric, values in result.plan[force].items()
        for t, year in enumerate(scenario.years)
    ]
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


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
