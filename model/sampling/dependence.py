"""Dependence between inputs: rank correlations through a Gaussian copula, and persistence over years.

Inputs are sampled as uniforms and turned into values by inverse CDF, so dependence is
imposed on the uniforms' normal scores ``z = Φ⁻¹(u)`` and leaves every input's stated
marginal distribution exactly as stated:

* **correlation**: the stated Spearman correlations become Pearson correlations of the
  normal scores (``ρ = 2 sin(π ρ_s / 6)``); a matrix that is not positive semi-definite is
  repaired to the nearest correlation matrix (Higham 2002) and both are reported;
* **persistence**: an input can follow the previous year,
  ``z[t] = φ z[t-1] + √(1 - φ²) ε[t]``, or be held for the whole path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def spearman_to_pearson(rank_correlation: np.ndarray) -> np.ndarray:
    """Pearson correlation of normal scores that gives a Spearman correlation ``rank_correlation``."""
    return 2.0 * np.sin(np.pi * np.asarray(rank_correlation) / 6.0)


def pearson_to_spearman(correlation: np.ndarray) -> np.ndarray:
    """Spearman correlation implied by a Pearson correlation of normal scores."""
    return 6.0 / np.pi * np.arcsin(np.asarray(correlation) / 2.0)


def nearest_correlation(matrix: np.ndarray, tolerance: float = 1e-10, max_iterations: int = 500) -> np.ndarray:
    """The nearest correlation matrix in Frobenius norm (Higham's alternating projections).

    Parameters
    ----------
    matrix : ndarray, shape (k, k)
        Symmetric with unit diagonal; possibly not positive semi-definite.

    Returns
    -------
    ndarray, shape (k, k)
        Symmetric, unit diagonal, positive semi-definite (smallest eigenvalue ≥ 0 up to
        rounding); ``matrix`` itself when it already is one.
    """
    if np.linalg.eigvalsh(matrix).min() >= -1e-12:
        return matrix.copy()
    correction = np.zeros_like(matrix)
    current = matrix.copy()
    for _ in range(max_iterations):
        adjusted = current - correction
        values, vectors = np.linalg.eigh(adjusted)
        projected = (vectors * np.maximum(values, 0.0)) @ vectors.T
        correction = projected - adjusted
        previous = current
        current = projected.copy()
        np.fill_diagonal(current, 1.0)
        if np.linalg.norm(current - previous) <= tolerance * np.linalg.norm(current):
            break
    values, vectors = np.linalg.eigh(current)
    current = (vectors * np.maximum(values, 1e-12)) @ vectors.T
    scale = np.sqrt(np.diag(current))
    return current / np.outer(scale, scale)


@dataclass(frozen=True)
class CorrelationPlan:
    """How to correlate a set of inputs.

    Attributes
    ----------
    names : tuple of str
        Inputs in copula order: national inputs first, so that their correlated scores
        depend only on national draws and stay identical across forces; per-path inputs
        before yearly ones within each scope.
    asked : ndarray, shape (k, k)
        Stated Spearman correlations (unit diagonal, 0 where none was stated).
    used : ndarray, shape (k, k)
        Spearman correlations actually imposed (after any repair).
    repaired : bool
        Whether the stated matrix had to be repaired.
    cholesky : ndarray, shape (k, k)
        Lower-triangular factor of the normal-score correlation matrix.
    """

    names: tuple[str, ...]
    asked: np.ndarray
    used: np.ndarray
    repaired: bool
    cholesky: np.ndarray


def correlation_plan(correlations: dict[tuple[str, str], float], national: tuple[str, ...],
                     per_path: tuple[str, ...] = ()) -> CorrelationPlan | None:
    """Build the copula for stated rank correlations, or ``None`` when none are stated.

    Inputs are ordered national first, and within each scope ``per_path`` inputs (drawn
    once a path) before yearly ones, so that a per-path input's correlated score depends
    on no yearly draw of its own scope.
    """
    if not correlations:
        return None
    involved = sorted({name for pair in correlations for name in pair},
                      key=lambda n: (n not in national, n not in per_path, n))
    index = {name: i for i, name in enumerate(involved)}
    asked = np.eye(len(involved))
    for (a, b), value in correlations.items():
        asked[index[a], index[b]] = asked[index[b], index[a]] = value
    pearson = spearman_to_pearson(asked)
    np.fill_diagonal(pearson, 1.0)
    repaired_pearson = nearest_correlation(pearson)
    repaired = not np.allclose(repaired_pearson, pearson, atol=1e-12)
    used = pearson_to_spearman(repaired_pearson)
    np.fill_diagonal(used, 1.0)
    cholesky = np.linalg.cholesky(repaired_pearson + 1e-14 * np.eye(len(involved)))
    return CorrelationPlan(tuple(involved), asked, used, repaired, cholesky)


def correlate(scores: dict[str, np.ndarray], plan: CorrelationPlan,
              names: list[str] | tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """Impose the plan's correlation on independent normal scores, column by column.

    Each correlated score is the weighted sum of independent scores in its row of the
    Cholesky factor, skipping zero weights (most pairs of inputs are not correlated).

    Parameters
    ----------
    scores : dict of str to ndarray, each (paths, columns) or (paths, 1)
        Independent standard normal scores of the inputs in ``plan.names`` up to the last
        one asked for (the factor is lower-triangular, so later inputs do not enter). A
        single column is a score held for every year; it broadcasts against the others.
    names : sequence of str, optional
        The inputs whose correlated scores are wanted (default: all of ``plan.names``).

    Returns
    -------
    dict of str to ndarray
        Correlated scores of ``names``.
    """
    names = plan.names if names is None else tuple(names)
    result = {}
    for name in names:
        row = plan.names.index(name)
        total = None
        for column in range(row + 1):
            weight = plan.cholesky[row, column]
            if weight == 0.0:
                continue
            term = scores[plan.names[column]] * weight
            total = term if total is None else np.add(total, term)
        result[name] = total
    return result


def persist(scores: np.ndarray, mode: str, persistence: float, first: int) -> np.ndarray:
    """Relate an input's scores across years, from column ``first`` on.

    ``independent`` leaves them; ``held`` repeats the first year's score; ``persistent``
    makes an AR(1) with coefficient ``persistence``, keeping each year's marginal normal.
    """
    if mode == "independent":
        return scores
    result = scores.copy()
    for t in range(first + 1, scores.shape[1]):
        if mode == "held":
            result[:, t] = result[:, first]
        else:
            result[:, t] = persistence * result[:, t - 1] + np.sqrt(1.0 - persistence**2) * scores[:, t]
    return result


def to_scores(uniforms: np.ndarray) -> np.ndarray:
    """Standard normal scores of uniforms."""
    from scipy import special  # here, not at import: `check` never pays for scipy

    return special.ndtri(uniforms)


def to_uniforms(scores: np.ndarray) -> np.ndarray:
    """Uniforms of standard normal scores, kept inside (0, 1)."""
    from scipy import special

    uniforms = special.ndtr(scores)
    return np.clip(uniforms, 2.0**-53, 1.0 - 2.0**-53, out=uniforms)
