"""Percentile ranks and CRPS of outturns from a run's streaming summaries, without keeping every path.

A run keeps, per force, metric and year, a fixed-bin histogram of its paths
(:class:`~model.run.tallies.LineAccumulator`: 4,096 bins over the first paths' range with half
that range again either side, plus an underflow and an overflow bin running to the exact
minimum and maximum). Read as a distribution that spreads each bin's paths evenly across it,
the histogram is a piecewise-linear distribution function :math:`F`, the same one the run's
percentiles come from, and from it:

* the **percentile rank** of an outturn ``x`` (its probability integral transform) is the
  mid-rank ``(F(x−) + F(x+)) / 2``, which is ``F(x)`` wherever ``F`` has no jump;
* the **CRPS** is :math:`\\int (F(y) - 1\\{y \\ge x\\})^2 \\, dy`, integrated exactly over the
  linear pieces;
* whether ``x`` is inside the P5–P95, P10–P90 or P25–P75 band follows from its rank, and agrees
  with the run's own percentiles (both are the same ``F``).

**Resolution.** Inside one bin the true distribution function lies between the bin's ends, so a
rank is within the share of paths in the outturn's bin (reported per outturn as
``rank_resolution``; about 1/2,000 of the paths for a smooth metric) of the rank computed from
every path, and a CRPS is within twice the bin width (about 1/1,000 of the range of the
first paths). Monte Carlo error comes on top: ``sqrt(F (1 − F) / paths)`` for a rank.

From a finished run's ``summary.csv`` alone (``police-mtfs evaluate --run DIR`` without
``histograms.npz``) only seven percentiles are known: :class:`PercentileCdf` then gives a rank
only between P5 and P95 (linear between the percentiles, with the two percentiles either side as
its bounds), exact band membership, and no CRPS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.run.tallies import BinCounts

BAND_PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
"""The percentiles ``summary.csv`` holds (``p5`` … ``p95``)."""

BANDS: tuple[tuple[str, float, float], ...] = (("p5_p95", 0.05, 0.95), ("p10_p90", 0.10, 0.90),
                                               ("p25_p75", 0.25, 0.75))
"""The central bands an outturn is checked against: name, lower and upper probability (nominal 90%, 80%, 50%)."""


@dataclass(frozen=True)
class RankEstimate:
    """An outturn's percentile rank with what bounds it.

    Attributes
    ----------
    rank : float
        In [0, 1]; NaN when it is known only to lie between ``low`` and ``high``.
    low, high : float
        Bounds on the rank from the resolution of the summaries.
    """

    rank: float
    low: float
    high: float

    @property
    def resolution(self) -> float:
        """``high − low``: how far the rank could be from one computed from every path (before Monte Carlo error)."""
        return self.high - self.low


class BinnedCdf:
    """The piecewise-linear distribution function of one histogram cell (one force, metric and year).

    Parameters
    ----------
    counts : ndarray of int, shape (cells,)
        Paths per cell: underflow, the bins, overflow.
    low, width : float
        The first bin's lower edge and the bin width.
    minimum, maximum : float
        The exact smallest and largest values.
    paths : int
    """

    kind = "histogram"

    def __init__(self, counts: np.ndarray, low: float, width: float, minimum: float, maximum: float,
                 paths: int) -> None:
        counts = np.asarray(counts, dtype=float)
        bins = counts.size - 2
        edges = low + width * np.arange(bins + 1)
        right = np.clip(np.concatenate([edges, [maximum]]), minimum, maximum)
        self.x = np.concatenate([[minimum], right])
        self.F = np.concatenate([[0.0], np.cumsum(counts)]) / paths
        self.F[-1] = 1.0
        self.minimum, self.maximum, self.paths, self.width = float(minimum), float(maximum), int(paths), float(width)

    def _below(self, value: float, side: str) -> float:
        x, F = self.x, self.F
        k = int(np.searchsorted(x, value, side=side))
        if k == 0:
            return 0.0
        if k == x.size:
            return 1.0
        a, b = x[k - 1], x[k]
        if b <= a:
            return float(F[k]) if side == "right" else float(F[k - 1])
        return float(F[k - 1] + (value - a) / (b - a) * (F[k] - F[k - 1]))

    def cdf(self, value: float) -> float:
        """``F(x)``, right-continuous."""
        return self._below(float(value), "right")

    def rank(self, value: float) -> RankEstimate:
        """The mid-rank ``(F(x−) + F(x+)) / 2``, bounded by the distribution function at the ends of its bin.

        An outturn exactly at the run's smallest or largest value (where paths pile up: reserves
        exhausted, a line floored at zero) takes the middle of that end bin's paths, as a mid-rank
        of a value many paths share would.
        """
        value = float(value)
        if self.minimum < self.maximum and value in (self.minimum, self.maximum):
            cells = np.diff(self.F)
            filled = np.flatnonzero(cells > 0)
            k = filled[0] if value == self.minimum else filled[-1]
            low, high = float(self.F[k]), float(self.F[k + 1])
            return RankEstimate((low + high) / 2.0, low, high)
        before, after = self._below(value, "left"), self._below(value, "right")
        k = int(np.searchsorted(self.x, value, side="right"))
        if 0 < k < self.x.size:
            low, high = float(self.F[k - 1]), float(self.F[k])
        else:
            low, high = before, after
        low, high = min(low, before), max(high, after)
        return RankEstimate((before + after) / 2.0, low, high)

    def quantile(self, p: float) -> float:
        """The value with ``F = p``, as the run's percentiles are computed."""
        if self.minimum == self.maximum:
            return self.minimum
        k = int(np.searchsorted(self.F, p, side="left"))
        k = min(max(k, 1), self.x.size - 1)
        F0, F1 = self.F[k - 1], self.F[k]
        fraction = 0.0 if F1 <= F0 else (p - F0) / (F1 - F0)
        return float(self.x[k - 1] + min(max(fraction, 0.0), 1.0) * (self.x[k] - self.x[k - 1]))

    def crps(self, value: float) -> float:
        """The continuous ranked probability score of an outturn, integrated exactly over the linear pieces."""
        x, F, value = self.x, self.F, float(value)
        total = 0.0
        if value < x[0]:
            total += x[0] - value
        if value > x[-1]:
            total += value - x[-1]
        a, b, Fa, Fb = x[:-1], x[1:], F[:-1], F[1:]
        keep = b > a
        a, b, Fa, Fb = a[keep], b[keep], Fa[keep], Fb[keep]
        above = a >= value
        below = b <= value
        total += float(_piece(b[above] - a[above], Fa[above] - 1.0, Fb[above] - 1.0).sum())
        total += float(_piece(b[below] - a[below], Fa[below], Fb[below]).sum())
        split = ~above & ~below
        if split.any():
            sa, sb, sFa, sFb = a[split], b[split], Fa[split], Fb[split]
            Fx = sFa + (value - sa) / (sb - sa) * (sFb - sFa)
            total += float(_piece(value - sa, sFa, Fx).sum() + _piece(sb - value, Fx - 1.0, sFb - 1.0).sum())
        return total


def _piece(length: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``∫ g²`` over a piece of ``length`` on which ``g`` runs linearly from ``u`` to ``v``."""
    return length * (u * u + u * v + v * v) / 3.0


class PercentileCdf:
    """What ``summary.csv`` knows of one distribution: its P5 … P95.

    Parameters
    ----------
    values : sequence of float
        P5, P10, P25, P50, P75, P90, P95.
    """

    kind = "percentiles"

    def __init__(self, values) -> None:
        self.p = np.array(BAND_PERCENTILES, dtype=float) / 100.0
        self.q = np.asarray(values, dtype=float)

    def rank(self, value: float) -> RankEstimate:
        """Linear between the percentiles either side; below P5 or above P95 only bounded (rank NaN)."""
        value = float(value)
        p, q = self.p, self.q
        if value < q[0]:
            return RankEstimate(math.nan, 0.0, float(p[0]))
        if value > q[-1]:
            return RankEstimate(math.nan, float(p[-1]), 1.0)
        at = np.flatnonzero(q == value)
        if at.size:
            low, high = float(p[at[0]]), float(p[at[-1]])
            if at[0] > 0:
                low = float(p[at[0] - 1]) if q[at[0] - 1] < value else low
            if at[-1] < q.size - 1:
                high = float(p[at[-1] + 1]) if q[at[-1] + 1] > value else high
            return RankEstimate((float(p[at[0]]) + float(p[at[-1]])) / 2.0, low, high)
        k = int(np.searchsorted(q, value, side="right"))
        fraction = (value - q[k - 1]) / (q[k] - q[k - 1])
        return RankEstimate(float(p[k - 1] + fraction * (p[k] - p[k - 1])), float(p[k - 1]), float(p[k]))

    def quantile(self, p: float) -> float:
        """One of the seven percentiles (NaN for any other probability)."""
        match = np.flatnonzero(np.isclose(self.p, p))
        return float(self.q[match[0]]) if match.size else math.nan

    def crps(self, value: float) -> float:
        """Not known from seven percentiles: NaN."""
        return math.nan


@dataclass(frozen=True)
class RunDistributions:
    """The simulated distribution of every force, metric and year of a run, as its summaries hold them.

    Attributes
    ----------
    scenario : str
        The scenario's name.
    years : tuple of str
    metrics : dict of force id to tuple of str
    cells : dict of (force, metric, year) to BinnedCdf or PercentileCdf
    paths : int
    source : str
        ``histograms`` (the run's fixed-bin histograms) or ``summary.csv`` (seven percentiles).
    bins : int
        Histogram bins per metric and year (0 for ``summary.csv``).
    """

    scenario: str
    years: tuple[str, ...]
    metrics: dict[str, tuple[str, ...]]
    cells: dict[tuple[str, str, str], BinnedCdf | PercentileCdf]
    paths: int
    source: str
    bins: int = 0

    @property
    def forces(self) -> tuple[str, ...]:
        """Force ids, in the run's order."""
        return tuple(self.metrics)

    def get(self, force: str, metric: str, year: str) -> BinnedCdf | PercentileCdf | None:
        """The distribution of one force, metric and year, or ``None`` when the run does not have it."""
        return self.cells.get((force, metric, year))

    def resolution_text(self) -> str:
        """What the percentile ranks and CRPS rest on, in words."""
        if self.source == "histograms":
            return (f"Percentile ranks and CRPS come from the run's fixed-bin histograms ({self.bins:,} bins per "
                    f"force, metric and year over the range of the first paths with half that range again either "
                    f"side, {self.paths:,} paths), not from every path: a rank is within the share of paths in the "
                    "outturn's bin (the rank_resolution column) of the rank from every path, and a CRPS within two "
                    "bin widths; Monte Carlo error comes on top.")
        return ("Percentile ranks come from summary.csv, which holds only P5, P10, P25, P50, P75, P90 and P95: a rank "
                "is interpolated between the two percentiles either side (rank_low to rank_high) and is not known "
                "below P5 or above P95; band coverage is exact; CRPS needs the whole distribution and is not given. "
                "Evaluate with the scenario (or a run that saved histograms.npz) for full resolution.")


@dataclass(frozen=True)
class Histograms:
    """One force's fixed-bin histograms, read through :class:`~model.run.tallies.LineAccumulator`'s attributes.

    Attributes
    ----------
    metrics : tuple of str
    counts : BinCounts
        Paths per bin of each metric and year (:class:`~model.run.tallies.BinCounts`).
    low, width, minimum, maximum : ndarray, shape (metrics, years)
    paths : int
    """

    metrics: tuple[str, ...]
    counts: BinCounts
    low: np.ndarray
    width: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    paths: int

    @classmethod
    def of(cls, accumulator) -> Histograms:
        """The histograms of a finished :class:`~model.run.tallies.LineAccumulator` (its counts shared, not copied)."""
        return cls(tuple(accumulator.metrics), accumulator.bins, np.array(accumulator.edges.low, dtype=float),
                   np.array(accumulator.edges.width, dtype=float), np.array(accumulator.minimum, dtype=float),
                   np.array(accumulator.maximum, dtype=float), int(accumulator.paths))

    @property
    def bins(self) -> int:
        """Bins per metric and year, not counting the underflow and overflow bins."""
        return int(self.counts.shape[-1]) - 2

    def cell(self, m: int, t: int) -> BinnedCdf:
        """The distribution of metric ``m`` in year ``t``."""
        return BinnedCdf(self.counts.cell(m, t), self.low[m, t], self.width[m, t], self.minimum[m, t],
                         self.maximum[m, t], self.paths)


def from_simulation(simulation) -> RunDistributions:
    """The distributions of a finished simulation (:class:`~model.run.simulation.SimulationResult`)."""
    scenario = simulation.setup.scenario
    return from_histograms(scenario.name, tuple(scenario.years),
                           {force: Histograms.of(simulation.summaries[force]) for force in scenario.forces})


def from_histograms(scenario: str, years: tuple[str, ...], histograms: dict[str, Histograms]) -> RunDistributions:
    """The distributions held by each force's :class:`Histograms`."""
    cells = {}
    for force, h in histograms.items():
        for m, metric in enumerate(h.metrics):
            for t, year in enumerate(years):
                cells[(force, metric, year)] = h.cell(m, t)
    first = next(iter(histograms.values()))
    return RunDistributions(scenario, tuple(years), {force: h.metrics for force, h in histograms.items()}, cells,
                            first.paths, "histograms", first.bins)


def from_summary(summary, scenario: str, paths: int = 0) -> RunDistributions:
    """The seven percentiles of each row of a ``summary.csv`` table (a DataFrame)."""
    columns = [f"p{p}" for p in BAND_PERCENTILES]
    cells, metrics, years = {}, {}, []
    for row in summary.itertuples(index=False):
        force, metric, year = str(row.force), str(row.metric), str(row.year)
        cells[(force, metric, year)] = PercentileCdf([float(getattr(row, c)) for c in columns])
        metrics.setdefault(force, [])
        if metric not in metrics[force]:
            metrics[force].append(metric)
        if year not in years:
            years.append(year)
    return RunDistributions(scenario, tuple(years), {f: tuple(m) for f, m in metrics.items()}, cells, paths,
                            "summary.csv")


# --------------------------------------------------------------------------------------
# histograms.npz: the histograms a run can save beside summary.csv
# --------------------------------------------------------------------------------------

HISTOGRAMS_FORMAT = "police-mtfs histograms 2"
"""Format 2 holds each cell's window of used bins (``f{k}_first``, ``f{k}_sizes``, ``f{k}_values``); format 1,
read still, held every bin (``f{k}_counts``)."""


def histogram_arrays(scenario: str, years: tuple[str, ...], histograms: dict[str, Histograms]) -> dict[str, np.ndarray]:
    """Arrays to save as ``histograms.npz`` (``numpy.savez_compressed``): strings as unicode arrays, no pickles.

    Each cell's counts are stored from its first to its last used bin (:meth:`BinCounts.packed`), as
    32-bit integers (a run has at most 50,000,000 paths).
    """
    arrays = {"scenario": np.array(scenario), "years": np.array(years), "forces": np.array(list(histograms)),
              "format": np.array(HISTOGRAMS_FORMAT)}
    for k, h in enumerate(histograms.values()):
        first, sizes, values = h.counts.packed()
        arrays.update({f"f{k}_metrics": np.array(h.metrics), f"f{k}_first": first, f"f{k}_sizes": sizes,
                       f"f{k}_values": values, f"f{k}_low": h.low, f"f{k}_width": h.width,
                       f"f{k}_minimum": h.minimum, f"f{k}_maximum": h.maximum, f"f{k}_paths": np.array(h.paths)})
    return arrays


def simulation_arrays(simulation) -> dict[str, np.ndarray]:
    """The arrays of ``histograms.npz`` for a finished simulation (:class:`~model.run.simulation.SimulationResult`)."""
    scenario = simulation.setup.scenario
    return histogram_arrays(scenario.name, tuple(scenario.years),
                            {force: Histograms.of(simulation.summaries[force]) for force in scenario.forces})


def from_arrays(arrays) -> RunDistributions:
    """The distributions saved by :func:`histogram_arrays` (a mapping of name to array, e.g. an ``NpzFile``).

    Raises
    ------
    KeyError
        An array missing (not a histograms file).
    """
    years = tuple(str(y) for y in arrays["years"])
    histograms = {}
    for k, force in enumerate(str(f) for f in arrays["forces"]):
        if f"f{k}_counts" in arrays:
            counts = BinCounts.of_dense(np.asarray(arrays[f"f{k}_counts"]))
        else:
            counts = BinCounts.unpacked(np.asarray(arrays[f"f{k}_first"]), np.asarray(arrays[f"f{k}_sizes"]),
                                        np.asarray(arrays[f"f{k}_values"]))
        histograms[force] = Histograms(tuple(str(m) for m in arrays[f"f{k}_metrics"]), counts,
                                       np.asarray(arrays[f"f{k}_low"], dtype=float),
                                       np.asarray(arrays[f"f{k}_width"], dtype=float),
                                       np.asarray(arrays[f"f{k}_minimum"], dtype=float),
                                       np.asarray(arrays[f"f{k}_maximum"], dtype=float),
                                       int(arrays[f"f{k}_paths"]))
    return from_histograms(str(arrays["scenario"]), years, histograms)


# --------------------------------------------------------------------------------------
# The same from every path, for checking
# --------------------------------------------------------------------------------------

def exact_rank(paths: np.ndarray, value: float) -> float:
    """The mid-rank of ``value`` among every path: ``(#{X < x} + #{X ≤ x}) / 2n``."""
    paths = np.asarray(paths, dtype=float)
    return float((np.count_nonzero(paths < value) + np.count_nonzero(paths <= value)) / (2.0 * paths.size))


def exact_crps(paths: np.ndarray, value: float) -> float:
    """The CRPS of ``value`` against the empirical distribution of every path: ``E|X − x| − E|X − X'| / 2``."""
    x = np.sort(np.asarray(paths, dtype=float))
    n = x.size
    spread = 2.0 * float(np.sum((2.0 * np.arange(1, n + 1) - n - 1) * x)) / (n * n)
    return float(np.mean(np.abs(x - value))) - spread / 2.0


def crps_normal(value: float, mean: float, sd: float) -> float:
    """The CRPS of ``value`` against a normal distribution, in closed form (Gneiting and Raftery 2007).

    ``sd · (z (2Φ(z) − 1) + 2φ(z) − 1/√π)`` with ``z = (x − mean)/sd``.
    """
    from scipy import special

    z = (value - mean) / sd
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return sd * (z * (2 * float(special.ndtr(z)) - 1) + 2 * pdf - 1 / math.sqrt(math.pi))
