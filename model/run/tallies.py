"""Streaming summaries of per-path results that do not depend on how paths are chunked.

Holding every path of every metric grows without bound (3 forces × 30 lines × 4 years ×
8 bytes = 2.9 kB a path, 29 GB at ten million paths). Instead each chunk is reduced to
integer tallies that add up exactly in any order:

* **histograms** with fixed bins per metric and year (edges set once, from the first
  :data:`PILOT_PATHS` paths, whatever the chunk size), plus exact minima and maxima, give
  percentiles to within one bin (the bin width is about 1/2,000 of the pilot's range);
* **fixed-point sums** (values rounded to £1 on £m lines, and finer on band D, the tax
  base and years, then summed as 64-bit integers) give means that are identical whatever the chunking;
* **flag counts** give probabilities exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_BINS = 4096
PILOT_PATHS = 4096
PADDING = 0.5
"""Fraction of the pilot range added below and above it before binning."""

FIXED_POINT = {"money": 1e6, "pounds": 1e6, "count": 1e4, "years": 1e6}
"""Scale to integers for exact sums: £1 on £m, £0.000001 on band D, 0.0001 of a property, 1e-6 years.
Sums stay below 2^63 up to the 50,000,000-path limit for values under £1,000m."""


@dataclass
class BinEdges:
    """Histogram bins per metric and year: ``low + k * width`` for k = 0 … N_BINS."""

    low: np.ndarray
    width: np.ndarray

    @classmethod
    def from_pilot(cls, pilot: np.ndarray) -> BinEdges:
        """Bins covering a pilot sample's range with :data:`PADDING` on each side.

        Parameters
        ----------
        pilot : ndarray, shape (metrics, years, paths)
        """
        low, high = pilot.min(axis=-1), pilot.max(axis=-1)
        span = high - low
        pad = np.where(span > 0, PADDING * span, np.maximum(np.abs(low), 1.0) * 1e-6)
        low = low - pad
        width = (span + 2 * pad) / N_BINS
        return cls(low=low, width=width)


class BinCounts:
    """Paths per histogram bin of each metric and year, held only between the lowest and highest bin used.

    A cell (one metric and year) spans :data:`N_BINS` bins plus an underflow and an overflow bin,
    but its paths fall in about two fifths of them, and a line that never varies in one bin:
    holding each cell's window of used bins keeps a force's histograms near a megabyte where
    the full grid takes 2.5 MB, so a run of many forces does not grow with their bins. Counts
    are 32-bit (a run has at most 50,000,000 paths); every count is the same integer as on the
    full grid.

    Parameters
    ----------
    n_metrics, n_years : int
    """

    def __init__(self, n_metrics: int, n_years: int) -> None:
        self.shape = (n_metrics, n_years, N_BINS + 2)
        self.first = np.zeros((n_metrics, n_years), dtype=np.int64)
        """The bin each cell's window starts at."""
        self.windows = [[np.zeros(0, dtype=np.int32) for _ in range(n_years)] for _ in range(n_metrics)]
        """Each cell's counts from its first bin on, shape (used bins,)."""

    def add(self, m: int, t: int, bins: np.ndarray) -> None:
        """Count the paths of cell ``(m, t)`` whose bin numbers are ``bins`` (ints in 0 … N_BINS + 1)."""
        low = int(bins.min())
        self.add_counts(m, t, low, np.bincount(bins)[low:])

    def add_paths(self, m: int, t: int, position: int, paths: int) -> None:
        """Count ``paths`` paths in bin ``position`` of cell ``(m, t)``."""
        self.add_counts(m, t, position, np.array([paths]))

    def add_counts(self, m: int, t: int, low: int, counts: np.ndarray) -> None:
        """Add ``counts`` to the bins of cell ``(m, t)`` from bin ``low`` on, widening its window if needed."""
        window, first = self.windows[m][t], int(self.first[m, t])
        stop = low + counts.size
        if window.size == 0:
            window, first = np.zeros(counts.size, dtype=np.int32), low
        elif low < first or stop > first + window.size:
            start = min(first, low)
            wider = np.zeros(max(first + window.size, stop) - start, dtype=np.int32)
            wider[first - start:first - start + window.size] = window
            window, first = wider, start
        window[low - first:stop - first] += counts
        self.windows[m][t], self.first[m, t] = window, first

    def merge(self, other: BinCounts) -> None:
        """Add another tally's counts (same shape), cell by cell."""
        for m, row in enumerate(other.windows):
            for t, window in enumerate(row):
                if window.size:
                    self.add_counts(m, t, int(other.first[m, t]), window)

    def cell(self, m: int, t: int) -> np.ndarray:
        """Cell ``(m, t)`` on the full grid, shape ``(N_BINS + 2,)``."""
        full = np.zeros(self.shape[-1], dtype=np.int32)
        window, first = self.windows[m][t], int(self.first[m, t])
        full[first:first + window.size] = window
        return full

    def dense(self) -> np.ndarray:
        """Every cell on the full grid, shape ``(metrics, years, N_BINS + 2)``."""
        full = np.zeros(self.shape, dtype=np.int32)
        for m, row in enumerate(self.windows):
            for t, window in enumerate(row):
                full[m, t, self.first[m, t]:self.first[m, t] + window.size] = window
        return full

    def packed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The windows as three arrays: first bins and sizes, shape (metrics, years), and the counts end to end."""
        sizes = np.array([[window.size for window in row] for row in self.windows], dtype=np.int64)
        values = np.concatenate([window for row in self.windows for window in row]) if sizes.any() else \
            np.zeros(0, dtype=np.int32)
        return self.first.copy(), sizes, values

    @classmethod
    def unpacked(cls, first: np.ndarray, sizes: np.ndarray, values: np.ndarray) -> BinCounts:
        """The tally :meth:`packed` gave."""
        counts = cls(*first.shape)
        ends = np.cumsum(sizes.ravel())
        starts = ends - sizes.ravel()
        for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
            m, t = divmod(k, first.shape[1])
            counts.windows[m][t] = np.asarray(values[start:end], dtype=np.int32)
            counts.first[m, t] = first[m, t] if end > start else 0
        return counts

    @classmethod
    def of_dense(cls, counts: np.ndarray) -> BinCounts:
        """The tally of counts on the full grid, shape ``(metrics, years, N_BINS + 2)``."""
        tally = cls(*counts.shape[:2])
        for m in range(counts.shape[0]):
            for t in range(counts.shape[1]):
                used = np.flatnonzero(counts[m, t])
                if used.size:
                    tally.add_counts(m, t, int(used[0]), counts[m, t, used[0]:used[-1] + 1])
        return tally


class LineAccumulator:
    """Order-independent summaries of one force's lines.

    Parameters
    ----------
    metrics : tuple of str
    scales : ndarray, shape (metrics,)
        Fixed-point scale of each metric (see :data:`FIXED_POINT`).
    edges : BinEdges
        Shapes (metrics, years).
    """

    def __init__(self, metrics: tuple[str, ...], scales: np.ndarray, edges: BinEdges) -> None:
        self.metrics = metrics
        self.scales = scales
        self.edges = edges
        n_metrics, n_years = edges.low.shape
        self.bins = BinCounts(n_metrics, n_years)
        self.sums = np.zeros((n_metrics, n_years), dtype=np.int64)
        self.minimum = np.full((n_metrics, n_years), np.inf)
        self.maximum = np.full((n_metrics, n_years), -np.inf)
        self.paths = 0
        self._inverse_width = 1.0 / edges.width
        # Position of a value in bins, shifted by one so the underflow bin is 0.
        self._shift = 1.0 - edges.low * self._inverse_width
        self._scratch: dict = {}

    def add(self, values: np.ndarray, extremes: tuple[np.ndarray, np.ndarray] | None = None,
            scratch: dict | None = None) -> None:
        """Add a chunk of paths.

        Parameters
        ----------
        values : ndarray, shape (metrics, years, paths), or a sequence of (years, paths) arrays
            One ``(years, paths)`` array per metric, paths last, so that every reduction
            runs along contiguous memory; one metric at a time keeps the working set in the
            processor's cache. A sequence spares the copy into one array.
        extremes : tuple of ndarray, each (metrics, years), optional
            The values' minimum and maximum by metric and year, when already known.
        scratch : dict, optional
            Working arrays, shared by the accumulators of a run so that their number does not
            grow with the forces (by default the accumulator's own).

        Notes
        -----
        A line with the same value on every path of the chunk (the budget year as set, a
        planned programme, a reserve never touched: about a quarter of them) is tallied
        from that one value: its bin gets every path and its sum is the value times the
        paths, the same integers as adding the paths one by one.
        """
        n_metrics = len(values)
        n_years, n = values[0].shape
        scratch = self._scratch if scratch is None else scratch
        if (n_years, n) not in scratch:
            scratch.clear()
            scratch[n_years, n] = (np.empty((n_years, n)), np.empty((n_years, n), dtype=np.int64))
        buffers = scratch[n_years, n]
        if extremes is None:
            extremes = (np.array([line.min(axis=-1) for line in values]),
                        np.array([line.max(axis=-1) for line in values]))
        minimum, maximum = extremes
        for m in range(n_metrics):
            line = values[m]
            largest = max(abs(minimum[m]).max(), abs(maximum[m]).max()) * self.scales[m] + 1.0
            varying = minimum[m] != maximum[m]
            if varying.all():
                self._add_rows(m, slice(None), line, buffers, n * largest < 2.0**52)
                continue
            for t in range(n_years):
                if varying[t]:
                    self._add_rows(m, t, line[t], (buffers[0][t], buffers[1][t]), n * largest < 2.0**52)
                else:
                    self._add_constant(m, t, line[t, 0], n)
        np.minimum(self.minimum, minimum, out=self.minimum)
        np.maximum(self.maximum, maximum, out=self.maximum)
        self.paths += n

    def _add_rows(self, m: int, years: slice | int, line: np.ndarray, buffers: tuple[np.ndarray, np.ndarray],
                  float_sum: bool) -> None:
        """Tally ``line`` (metric ``m``; all years, ``(years, paths)``, or one year, ``(paths,)``)."""
        position, bins = buffers
        inverse_width, shift = self._inverse_width[m, years], self._shift[m, years]
        if line.ndim == 2:
            inverse_width, shift = inverse_width[:, None], shift[:, None]
        np.multiply(line, inverse_width, out=position)
        position += shift
        # Truncation equals floor once clipped to be non-negative.
        np.clip(position, 0.0, N_BINS + 1.0, out=position)
        np.copyto(bins, position, casting="unsafe")
        if line.ndim == 2:
            for t in range(line.shape[0]):
                self.bins.add(m, t, bins[t])
        else:
            self.bins.add(m, years, bins)
        np.multiply(line, self.scales[m], out=position)
        np.rint(position, out=position)
        if float_sum:
            # Integer-valued floats add exactly while every partial sum stays below 2^53.
            self.sums[m, years] += position.sum(axis=-1).astype(np.int64)
        else:
            self.sums[m, years] += position.astype(np.int64).sum(axis=-1)

    def _add_constant(self, m: int, t: int, value: float, n: int) -> None:
        """Tally ``n`` paths that all have ``value``: the same bin and integers as :meth:`_add_rows`."""
        position = min(max(value * self._inverse_width[m, t] + self._shift[m, t], 0.0), N_BINS + 1.0)
        self.bins.add_paths(m, t, int(position), n)
        self.sums[m, t] += int(np.rint(value * self.scales[m])) * n

    def merge(self, other: LineAccumulator) -> None:
        """Fold another accumulator (same metrics and bins) into this one."""
        self.bins.merge(other.bins)
        self.sums += other.sums
        self.minimum = np.minimum(self.minimum, other.minimum)
        self.maximum = np.maximum(self.maximum, other.maximum)
        self.paths += other.paths

    @property
    def counts(self) -> np.ndarray:
        """Paths per bin, shape ``(metrics, years, N_BINS + 2)`` (underflow, the bins, overflow), made on demand."""
        return self.bins.dense()

    def mean(self) -> np.ndarray:
        """Mean of each metric and year, shape ``(metrics, years)``."""
        return self.sums / self.scales[:, None] / self.paths

    def quantiles(self, probabilities: np.ndarray) -> np.ndarray:
        """Quantiles from the histograms, shape ``(metrics, years, len(probabilities))``.

        Within a bin values are taken as evenly spread; the first and last bins run to the
        exact minimum and maximum, and a metric with no spread returns its value exactly.
        """
        probabilities = np.asarray(probabilities, dtype=float)
        counts = self.counts
        n_metrics, n_years, n_cells = counts.shape
        edges = self.edges.low[..., None] + self.edges.width[..., None] * np.arange(N_BINS + 1)
        left = np.concatenate([self.minimum[..., None], edges], axis=-1)
        right = np.concatenate([edges, self.maximum[..., None]], axis=-1)
        left = np.clip(left, self.minimum[..., None], self.maximum[..., None])
        right = np.clip(right, self.minimum[..., None], self.maximum[..., None])
        cumulative = np.cumsum(counts, axis=-1)
        targets = probabilities * self.paths
        result = np.empty((n_metrics, n_years, probabilities.size))
        for k, target in enumerate(targets):
            index = np.minimum((cumulative < target).sum(axis=-1), n_cells - 1)
            before = np.take_along_axis(cumulative, index[..., None], -1)[..., 0] - \
                np.take_along_axis(counts, index[..., None], -1)[..., 0]
            count = np.take_along_axis(counts, index[..., None], -1)[..., 0]
            fraction = np.where(count > 0, (target - before) / np.maximum(count, 1), 0.0)
            lo = np.take_along_axis(left, index[..., None], -1)[..., 0]
            hi = np.take_along_axis(right, index[..., None], -1)[..., 0]
            result[..., k] = lo + np.clip(fraction, 0.0, 1.0) * (hi - lo)
        flat = self.minimum == self.maximum
        result[flat] = self.minimum[flat][:, None]
        return result
