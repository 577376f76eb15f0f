"""Score a forecast against outturns: percentile ranks, band coverage, CRPS and a PIT histogram.

For each outturn row, :func:`evaluate_outturns` gives its percentile rank in the simulated
distribution (the probability integral transform, PIT), whether it fell inside the P5–P95,
P10–P90 and P25–P75 bands, and its continuous ranked probability score (CRPS, in the metric's
unit: lower is better, and for a point forecast it is the absolute error). Then, per metric
and overall, the coverage of each band against its nominal rate (90%, 80%, 50%) with an exact
(Clopper–Pearson) 95% binomial interval, a PIT histogram, and a test that the ranks are
uniform: Kolmogorov–Smirnov on the ranks, or, with ranks known only between percentiles, a
chi-square over the intervals between them.

A calibrated forecast gives ranks spread evenly over 0–1 and band coverage near nominal: a
band that holds too few outturns is too narrow or in the wrong place; ranks piled at one end
mean the forecast was biased. The test treats outturns as independent, which several years of
one force are not: read it as a guide, and with few outturns, a weak one.

Rows for a force, metric or year the run does not have are kept with the reason, not dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from model.declare.outputs import METRICS, metric_unit
from model.io.errors import did_you_mean
from model.run.ranks import BAND_PERCENTILES, BANDS, RunDistributions

SCORED = "scored"
"""The status of an outturn row the run could score."""

TEST_LEVEL = 0.05
"""The level of the uniformity test of the ranks and of each coverage interval (a 95% interval)."""

PIT_BINS = 10
"""Equal bins of the PIT histogram when ranks are known to the histograms' resolution."""

EVALUATION_COLUMNS = ["row", "force", "year", "metric", "value", "unit", "source", "status", "percentile_rank",
                      "rank_low", "rank_high", "rank_resolution", "in_p5_p95", "in_p10_p90", "in_p25_p75", "crps",
                      *[f"p{p}" for p in BAND_PERCENTILES]]
"""The columns of ``evaluation.csv``, one row per outturn."""

COVERAGE_COLUMNS = ["metric", "band", "nominal", "outturns", "inside", "coverage", "ci_low", "ci_high", "verdict"]
"""The columns of ``coverage.csv``: per metric and ``all``, per band."""


@dataclass
class EvaluationResult:
    """A forecast scored against outturns.

    Attributes
    ----------
    scenario : str
    title : str
    rows : DataFrame
        :data:`EVALUATION_COLUMNS`, one row per outturn, in the file's order.
    coverage : DataFrame
        :data:`COVERAGE_COLUMNS`.
    pit : DataFrame
        The PIT histogram: ``bin_low, bin_high, count, expected``.
    uniformity : dict
        The test of the ranks: ``test``, ``statistic``, ``p_value``, ``n``, ``level``, ``verdict``.
    resolution : str
        What the ranks rest on, in words (:meth:`~model.run.ranks.RunDistributions.resolution_text`).
    source : str
        ``histograms`` or ``summary.csv``.
    paths : int
    seed : int or None
    outturns_file : str
    resolved_yaml : str
        The scenario as run (empty when read from a run's folder).
    notes : list of str
    """

    scenario: str
    title: str
    rows: pd.DataFrame
    coverage: pd.DataFrame
    pit: pd.DataFrame
    uniformity: dict
    resolution: str
    source: str
    paths: int
    seed: int | None = None
    outturns_file: str = ""
    resolved_yaml: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def scored(self) -> pd.DataFrame:
        """The rows the run could score."""
        return self.rows[self.rows.status == SCORED]

    @property
    def not_scored(self) -> pd.DataFrame:
        """The rows the run could not score, with the reason in ``status``."""
        return self.rows[self.rows.status != SCORED]


def row_status(distributions: RunDistributions, force: str, metric: str, year: str) -> str:
    """Why a row cannot be scored, or :data:`SCORED`."""
    if force not in distributions.metrics:
        close = did_you_mean(force, distributions.forces)
        return (f"not scored: force '{force}' is not in the run (it has {', '.join(distributions.forces)})"
                + (f"; did you mean '{close}'?" if close else ""))
    if year not in distributions.years:
        return f"not scored: year {year} is not in the run ({distributions.years[0]} to {distributions.years[-1]})"
    if metric not in distributions.metrics[force]:
        close = did_you_mean(metric, distributions.metrics[force])
        known = "a metric of the model" if metric in METRICS else "not a metric the model has (police-mtfs outputs)"
        return f"not scored: metric '{metric}' is not in the run for {force}, {known}" + (
            f"; did you mean '{close}'?" if close else "")
    return SCORED


def evaluate_outturns(distributions: RunDistributions, outturns, *, title: str = "", seed: int | None = None,
                      outturns_file: str = "", resolved_yaml: str = "") -> EvaluationResult:
    """Score every outturn against a run's distributions.

    Parameters
    ----------
    distributions : RunDistributions
        From the run's histograms or its ``summary.csv`` (:mod:`model.run.ranks`).
    outturns : sequence of Outturn
        :func:`model.io.outturns.read_outturns`.
    title : str, optional
    seed : int, optional
    outturns_file : str, optional
    resolved_yaml : str, optional

    Returns
    -------
    EvaluationResult
    """
    records = []
    for outturn in outturns:
        status = row_status(distributions, outturn.force, outturn.metric, outturn.year)
        record = {"row": outturn.row, "force": outturn.force, "year": outturn.year, "metric": outturn.metric,
                  "value": outturn.value, "unit": metric_unit(outturn.metric), "source": outturn.source,
                  "status": status}
        if status == SCORED:
            cdf = distributions.get(outturn.force, outturn.metric, outturn.year)
            rank = cdf.rank(outturn.value)
            quantiles = {p: cdf.quantile(p / 100.0) for p in BAND_PERCENTILES}
            record.update(percentile_rank=rank.rank, rank_low=rank.low, rank_high=rank.high,
                          rank_resolution=rank.resolution, crps=cdf.crps(outturn.value),
                          **{f"p{p}": q for p, q in quantiles.items()})
            for name, low, high in BANDS:
                record[f"in_{name}"] = bool(quantiles[round(low * 100)] <= outturn.value
                                            <= quantiles[round(high * 100)])
        records.append(record)
    rows = pd.DataFrame(records, columns=EVALUATION_COLUMNS)
    scored = rows[rows.status == SCORED]
    notes = []
    if len(rows) > len(scored):
        notes.append(f"{len(rows) - len(scored)} of {len(rows)} outturn rows could not be scored; evaluation.csv "
                     "says why for each.")
    flat = [k for k, r in scored.iterrows() if r.p5 == r.p95 and r.p5 == r.p50 and r.rank_high - r.rank_low >= 1.0]
    if flat:
        notes.append(f"{len(flat)} outturn(s) are for a line with no spread in the run (a point forecast): their "
                     "rank is 0, 50% or 100% and their CRPS is the absolute error.")
    pit, uniformity = pit_histogram(scored, distributions.source)
    return EvaluationResult(distributions.scenario, title, rows, coverage_table(scored), pit, uniformity,
                            distributions.resolution_text(), distributions.source, distributions.paths, seed,
                            outturns_file, resolved_yaml, notes)


def binomial_interval(inside: int, n: int, level: float = 1 - TEST_LEVEL) -> tuple[float, float]:
    """The exact (Clopper–Pearson) interval of a proportion ``inside / n``."""
    if n == 0:
        return math.nan, math.nan
    interval = stats.binomtest(inside, n).proportion_ci(confidence_level=level, method="exact")
    return float(interval.low), float(interval.high)


def coverage_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Coverage of each band per metric and overall (``metric`` = ``all``), against its nominal rate.

    ``verdict`` is ``consistent`` when the nominal rate lies inside the 95% interval of the
    coverage, else ``below nominal`` (the bands held too few outturns: too narrow or off centre)
    or ``above nominal`` (too wide).
    """
    rows = []
    groups = [(metric, scored[scored.metric == metric]) for metric in dict.fromkeys(scored.metric)]
    groups.append(("all", scored))
    for metric, group in groups:
        for name, low, high in BANDS:
            n = len(group)
            inside = int(group[f"in_{name}"].astype(bool).sum()) if n else 0
            nominal = high - low
            ci_low, ci_high = binomial_interval(inside, n)
            if n == 0:
                verdict = "no outturns"
            elif ci_low <= nominal <= ci_high:
                verdict = "consistent"
            else:
                verdict = "below nominal" if ci_high < nominal else "above nominal"
            rows.append([metric, name.replace("_", "–").upper(), nominal, n, inside,
                         inside / n if n else math.nan, ci_low, ci_high, verdict])
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def pit_histogram(scored: pd.DataFrame, source: str) -> tuple[pd.DataFrame, dict]:
    """The PIT histogram and a test of uniformity, each outturn spread evenly over its rank's bounds.

    An outturn's rank is known to lie between ``rank_low`` and ``rank_high``: the ends of its
    histogram bin (a sliver for a smooth line; the whole share of paths piled on one value, such
    as reserves exhausted), or, from ``summary.csv``, the percentiles either side. Each outturn
    adds to every bin the share of that interval falling in it (the non-randomised PIT of Czado,
    Gneiting and Held, 2009), so a calibrated forecast's histogram is flat in expectation. The
    test is Kolmogorov–Smirnov's statistic on the same spread ranks, with the p-value of the
    ordinary test (conservative where ranks are spread).

    Bins: :data:`PIT_BINS` equal bins with ranks from histograms; the intervals between the
    percentiles with ranks from ``summary.csv``.
    """
    n = len(scored)
    if source == "summary.csv":
        edges = np.array([0.0, *(p / 100.0 for p in BAND_PERCENTILES), 1.0])
    else:
        edges = np.linspace(0.0, 1.0, PIT_BINS + 1)
    low = scored.rank_low.to_numpy(dtype=float)
    high = scored.rank_high.to_numpy(dtype=float)
    counts = np.array([float(spread_cdf(low, high, b).sum() - spread_cdf(low, high, a, left=(k == 0)).sum())
                       for k, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True))])
    table = pd.DataFrame({"bin_low": edges[:-1], "bin_high": edges[1:], "count": counts,
                          "expected": n * np.diff(edges)})
    test = {"test": "Kolmogorov–Smirnov against the uniform" + (
        " (ranks spread between their bounds)" if source == "summary.csv" or np.any(high - low > 0.01) else ""),
        "statistic": math.nan, "p_value": math.nan, "n": n, "level": TEST_LEVEL}
    if n >= 5:
        statistic = spread_ks_statistic(low, high)
        test.update(statistic=float(statistic), p_value=float(stats.kstwo.sf(statistic, n)))
    if math.isnan(test["p_value"]):
        test["verdict"] = "too few outturns to test (at least 5)"
    elif test["p_value"] >= TEST_LEVEL:
        test["verdict"] = f"consistent with uniform ranks at the {TEST_LEVEL:.0%} level"
    else:
        test["verdict"] = f"not uniform at the {TEST_LEVEL:.0%} level: the forecast is miscalibrated"
    return table, test


def spread_cdf(low: np.ndarray, high: np.ndarray, u: float, left: bool = False) -> np.ndarray:
    """Each outturn's share of rank at or below ``u`` (below ``u`` with ``left``), spread evenly over [low, high]."""
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(width > 0, np.clip((u - low) / np.where(width > 0, width, 1.0), 0.0, 1.0),
                         (low < u) if left else (low <= u))
    return share.astype(float)


def spread_ks_statistic(low: np.ndarray, high: np.ndarray) -> float:
    """``sup |F̄(u) − u|`` for the mean of the outturns' spread rank distributions (:func:`spread_cdf`).

    ``F̄`` is linear between the bounds, so the supremum is at one of them (from either side).
    """
    points = np.unique(np.concatenate([low, high, [0.0, 1.0]]))
    worst = 0.0
    for u in points:
        for left in (False, True):
            worst = max(worst, abs(float(spread_cdf(low, high, u, left).mean()) - u))
    return worst


# --------------------------------------------------------------------------------------
# From a scenario, or from a finished run's folder
# --------------------------------------------------------------------------------------

def evaluate_scenario(setup, outturns_path, *, workers: int = 1, progress=None) -> EvaluationResult:
    """Run a loaded scenario and score the outturns of a file against it.

    Parameters
    ----------
    setup : RunSetup
        The scenario with its overrides (:func:`model.pipeline.load`).
    outturns_path : path-like
        Columns ``force, year, metric, value`` and optionally ``source``.
    workers : int
    progress : callable, optional
        Called with the number of paths finished.

    Returns
    -------
    EvaluationResult
        Ranks and CRPS from the run's fixed-bin histograms.
    """
    from model.io.outturns import read_outturns
    from model.run.ranks import from_simulation
    from model.run.results import run_info
    from model.run.simulation import run_simulation

    outturns = read_outturns(outturns_path)
    simulation = run_simulation(setup, progress=progress, workers=workers)
    info = run_info(simulation.setup, simulation.paths)
    return evaluate_outturns(from_simulation(simulation), outturns, title=info.title, seed=info.seed,
                             outturns_file=str(outturns_path), resolved_yaml=info.resolved_yaml)


def evaluate_run(folder, outturns_path) -> EvaluationResult:
    """Score the outturns of a file against a finished run's folder.

    With the run's ``histograms.npz`` the ranks and CRPS are at the histograms' resolution; with
    only ``summary.csv``, ranks are known between its percentiles and CRPS is not given (the
    result says so).
    """
    from model.io.outturns import read_outturns
    from model.io.run_folder import read_run_folder
    from model.run.ranks import from_arrays, from_summary

    outturns = read_outturns(outturns_path)
    run = read_run_folder(folder)
    record = run.record
    if run.histograms is not None:
        distributions = from_arrays(run.histograms)
    else:
        distributions = from_summary(run.summary, run.scenario_name, int(record.get("paths") or 0))
    return evaluate_outturns(distributions, outturns, title=str(record.get("scenario_title", "")),
                             seed=record.get("seed"), outturns_file=str(outturns_path))
