"""Array helpers for the engine's ``(years, paths)`` rows: running totals, year-on-year changes, sums.

numpy's reductions along a short axis (``cumsum``, ``diff``, ``sum(axis=0)`` over four
years) are several times slower than a loop over the rows, each of which runs along
contiguous memory; these helpers are those loops.
"""

from __future__ import annotations

import numpy as np


def running(values: np.ndarray, ufunc: np.ufunc, in_place: bool = False) -> np.ndarray:
    """Running ``ufunc`` down the years (axis 0): ``np.cumsum`` for ``np.add``, and so on.

    With ``in_place`` the running values overwrite ``values`` (no copy).
    """
    result = values if in_place else values.copy()
    for t in range(1, values.shape[0]):
        ufunc(result[t - 1], result[t], out=result[t])
    return result



def year_on_year(values: np.ndarray) -> np.ndarray:
    """Change on the year before down axis 0, the first year's change from zero (``np.diff`` with ``prepend=0``)."""
    result = values.copy()
    np.subtract(values[1:], values[:-1], out=result[1:])
    return result



def total_over_first(values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Sum over the first axis (e.g. the reserves of a ``(reserves, paths)`` array), one row at a time.

    The sum is written into ``out`` when given (shape ``values.shape[1:]``).
    """
    if values.shape[0] == 0:
        if out is None:
            return np.zeros(values.shape[1:])
        out.fill(0.0)
        return out
    if out is None:
        out = values[0].copy()
    else:
        np.copyto(out, values[0])
    for k in range(1, values.shape[0]):
        out += values[k]
    return out
