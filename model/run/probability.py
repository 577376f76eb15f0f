"""Monte Carlo uncertainty of a probability estimated from a number of paths."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054
"""Normal quantile of a two-sided 95% interval, the one used for every interval the tool reports."""


def proportion_standard_error(p: float, n: int) -> float:
    """Standard error of a proportion ``p`` estimated from ``n`` paths: ``sqrt(p (1 - p) / n)``."""
    return math.sqrt(max(p * (1.0 - p), 0.0) / n)


def wilson_interval(p, n: int, z: float = Z95):
    """Wilson score interval of a proportion estimated from ``n`` Monte Carlo paths.

    Unlike ``p ± z·se`` it stays inside 0–1 and is not empty when ``p`` is 0 or 1.

    Parameters
    ----------
    p : float or array_like
        Observed proportion(s), in [0, 1].
    n : int
        Number of paths .
    z : float, default 1.96
        Normal quantile; the default gives a 95% interval.

    Returns
    -------
    (low, high) : tuple of float, or tuple of ndarray for array input

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(0.5, 100)]
    [0.4038, 0.5962]
    """
    if n <= 0:
        raise ValueError(f"the number of paths must be positive; found {n}")
    p_array = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    z2_over_n = z * z / n
    centre = (p_array + z2_over_n / 2) / (1 + z2_over_n)
    half = z / (1 + z2_over_n) * np.sqrt(p_array * (1 - p_array) / n + z2_over_n / (4 * n))
    low = np.where(p_array <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(p_array >= 1, 1.0, np.clip(centre + half, 0.0, 1.0))
    if np.ndim(p) == 0:
        return float(low), float(high)
    return low, high
