"""Fit the scenario's own distributions to a short yearly series, rank them, and say how weak the fit is.

Data in, results out: no files. The families are the ones a scenario can state
(:data:`~model.declare.distributions.DISTRIBUTION_PARAMETERS`), fitted with ``scipy.stats`` by
maximum likelihood and reported in the scenario's parameter names, so the snippet
:func:`scenario_snippet` prints loads as written:

=====================  ======================  ===========================================
family                 scenario syntax         maximum likelihood
=====================  ======================  ===========================================
``normal``             normal, mean, sd        closed form (sd with divisor n)
``truncated_normal``   normal with low, high   ends at the extremes seen; mean and sd numerically
``lognormal``          lognormal, median, p90  closed form on the logs (positive values only)
``triangular``         low, mode, high         numerically (Nelder–Mead, several starts)
``pert``               low, mode, high         numerically, as a beta of shapes 1 + 4·(mode − low)/(high − low), …
``uniform``            low, high               the extremes seen
=====================  ======================  ===========================================

The families are ranked by AICc (AIC with the small-sample correction ``2k(k + 1)/(n − k − 1)``,
undefined when ``n ≤ k + 1``), then BIC. With a handful of points the ranking is weak and
:attr:`FitResult.weakness` says so in words: how much of the Akaike weight the best family
carries, how often a next value falls outside the range seen (``2/(n + 1)`` whatever the
distribution), how uncertain the mean itself is.

Persistence is the rank correlation of each year's value with the next year's, over the pairs
of consecutive years the series has, turned into the normal-score correlation a scenario's
``persistence`` states (``2 sin(π ρ/6)``); rank correlations with other series are Spearman's
over the years both have.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from model.declare.distributions import Distribution, DistributionError
from model.declare.inputs import INPUTS

FAMILIES: tuple[str, ...] = ("normal", "truncated_normal", "lognormal", "triangular", "pert", "uniform")
"""Every family :func:`fit_series` tries, in the order a table lists them."""

FAMILY_KIND = {"normal": "normal", "truncated_normal": "normal", "lognormal": "lognormal",
               "triangular": "triangular", "pert": "pert", "uniform": "uniform"}
"""The scenario's ``distribution:`` of each family."""

PARAMETERS = {"normal": 2, "truncated_normal": 4, "lognormal": 2, "triangular": 3, "pert": 3, "uniform": 2}
"""Parameters each family estimates (the k of AIC and BIC)."""

BOUNDED = ("truncated_normal", "triangular", "pert", "uniform")
"""Families with support ends, which may sit at the extremes seen (see :attr:`FamilyFit.penalised`)."""

WEAK_BELOW = 20
"""A series of fewer values than this gets its weakness stated in words."""

SIGNIFICANCE = 0.05
"""Level at which a persistence or a rank correlation counts as distinguishable from none."""

Z90 = float(special.ndtri(0.9))


@dataclass(frozen=True)
class FamilyFit:
    """One family fitted to a series.

    Attributes
    ----------
    family : str
        One of :data:`FAMILIES`.
    params : dict of str to float
        In the scenario's parameter names and internal units (``{}`` when not fitted).
    log_likelihood : float
        At the maximum (``-inf`` when not fitted).
    n : int
        Values fitted.
    note : str
        Why the family was not fitted, or what to know about its fit.
    sample_low, sample_high : float
        The lowest and highest values fitted.
    """

    family: str
    params: dict[str, float] = field(hash=False)
    log_likelihood: float
    n: int
    note: str = ""
    sample_low: float = math.nan
    sample_high: float = math.nan
    left_out: float | None = None
    """Leave-one-out log score: each value's log density under the family fitted without it, summed
    (``-inf`` when a fit without a value rules that value out; ``None`` when not computed)."""

    @property
    def fitted(self) -> bool:
        """Whether the family could be fitted."""
        return bool(self.params) and math.isfinite(self.log_likelihood)

    @property
    def k(self) -> int:
        """Parameters estimated."""
        return PARAMETERS[self.family]

    @property
    def ends_at_extremes(self) -> int:
        """How many of the fit's support ends sit at the lowest or highest value seen (0, 1 or 2)."""
        if not self.fitted or self.family not in BOUNDED:
            return 0
        low, high = self.params["low"], self.params["high"]
        return int(abs(low - self.sample_low) <= 1e-12 * max(1.0, abs(low))) + \
            int(abs(high - self.sample_high) <= 1e-12 * max(1.0, abs(high)))

    @property
    def penalised(self) -> int:
        """The parameter count the criteria charge: ``k``, plus one for each end at an extreme seen.

        An end placed at the lowest or highest value is irregular: the likelihood gains about one
        nat from it by construction (``n`` times the ``1/(n + 1)`` share a next value would have
        beyond it), which the ordinary penalty of one parameter does not cover.
        """
        return self.k + self.ends_at_extremes

    @property
    def aic(self) -> float:
        """Akaike's information criterion, ``2k − 2 log L`` (k: :attr:`penalised`)."""
        return 2 * self.penalised - 2 * self.log_likelihood if self.fitted else math.inf

    @property
    def aicc(self) -> float:
        """AIC with the small-sample correction ``2k(k + 1)/(n − k − 1)``; infinite when ``n ≤ k + 1`` (not defined)."""
        k = self.penalised
        if not self.fitted or self.n - k - 1 <= 0:
            return math.inf
        return self.aic + 2 * k * (k + 1) / (self.n - k - 1)

    @property
    def bic(self) -> float:
        """Bayesian information criterion, ``k log n − 2 log L`` (k: :attr:`penalised`)."""
        return self.penalised * math.log(self.n) - 2 * self.log_likelihood if self.fitted else math.inf

    def frozen(self):
        """The fitted distribution as a frozen ``scipy.stats`` distribution."""
        return frozen_distribution(self.family, self.params)

    def distribution(self, unit: str = "rate") -> Distribution:
        """The fitted distribution as the model draws it (:class:`~model.declare.distributions.Distribution`).

        An untruncated normal is returned as is (a scenario must give it low and high; see
        :func:`scenario_snippet`).
        """
        return Distribution(FAMILY_KIND[self.family], dict(self.params), unit)


@dataclass(frozen=True)
class Persistence:
    """Year-to-year persistence of a series.

    Attributes
    ----------
    pairs : int
        Pairs of consecutive years.
    rank_correlation, p_value : float or None
        Spearman's rank correlation of each year with the next, and its two-sided p-value
        (``None`` with fewer than three pairs).
    persistence : float or None
        The normal-score correlation ``2 sin(π ρ/6)``: what a scenario's ``persistence`` states.
    text : str
        In words, with how much it rests on.
    """

    pairs: int
    rank_correlation: float | None
    p_value: float | None
    persistence: float | None
    text: str

    @property
    def distinguishable(self) -> bool:
        """Whether the persistence is positive and distinguishable from none at :data:`SIGNIFICANCE`."""
        return (self.p_value is not None and self.p_value < SIGNIFICANCE and self.persistence is not None
                and self.persistence > 0)


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rank correlation with another series over the years both have.

    Attributes
    ----------
    other : str
        The other series' name.
    years : tuple of int
        The years both have.
    rank_correlation, p_value : float or None
        ``None`` with fewer than three common years, or when either series has no spread over them.
    text : str
    """

    other: str
    years: tuple[int, ...]
    rank_correlation: float | None
    p_value: float | None
    text: str


@dataclass(frozen=True)
class FitResult:
    """Every family fitted to one series, ranked, with the series' persistence and its weakness in words.

    Attributes
    ----------
    values : ndarray
        The series, internal units, in year order.
    years : tuple of int
    fits : tuple of FamilyFit
        Best first: by AICc, then BIC; families not fitted last.
    weights : dict of str to float
        Akaike weights of the fitted families (from AICc where defined, else from BIC).
    persistence : Persistence
    correlations : tuple of RankCorrelation
    weakness : tuple of str
        What the reader should know about how little the series can say.
    criterion : str
        ``AICc`` or, when no family's AICc is defined, ``BIC``.
    """

    values: np.ndarray
    years: tuple[int, ...]
    fits: tuple[FamilyFit, ...]
    weights: dict[str, float]
    persistence: Persistence
    correlations: tuple[RankCorrelation, ...] = ()
    weakness: tuple[str, ...] = ()
    criterion: str = "AICc"

    @property
    def n(self) -> int:
        """Values fitted."""
        return int(self.values.size)

    @property
    def best(self) -> FamilyFit | None:
        """The best fitted family, or ``None`` when none could be fitted."""
        return self.fits[0] if self.fits and self.fits[0].fitted else None

    @property
    def recommended(self) -> FamilyFit | None:
        """The family the snippet writes: the best that, fitted without any one value, still allows it.

        A family fitted to the extremes seen (a uniform, a truncated normal) often ranks first on a
        handful of points yet would have ruled out a value that occurred; the first family whose
        leave-one-out log score is finite is preferred. Without that score, the best.
        """
        fitted = [f for f in self.fits if f.fitted]
        allowing = [f for f in fitted if f.left_out is None or math.isfinite(f.left_out)]
        return (allowing or fitted or [None])[0]

    def fit(self, family: str) -> FamilyFit:
        """The fit of one family."""
        return next(f for f in self.fits if f.family == family)


# --------------------------------------------------------------------------------------
# The families
# --------------------------------------------------------------------------------------

def pert_shapes(low: float, mode: float, high: float) -> tuple[float, float]:
    """The beta shapes of a PERT on [low, high] peaking at mode (weight 4), as the model draws it."""
    width = high - low
    return 1.0 + 4.0 * (mode - low) / width, 1.0 + 4.0 * (high - mode) / width


def lognormal_sigma(median: float, p90: float) -> float:
    """The log-scale standard deviation of a lognormal stated by its median and 90th percentile."""
    return math.log(p90 / median) / Z90


def frozen_distribution(family: str, params: dict[str, float]):
    """A frozen ``scipy.stats`` distribution of a family in the scenario's parameter names.

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    params : dict of str to float
    """
    p = params
    if family == "normal":
        return stats.norm(p["mean"], p["sd"])
    if family == "truncated_normal":
        return stats.truncnorm((p["low"] - p["mean"]) / p["sd"], (p["high"] - p["mean"]) / p["sd"],
                               loc=p["mean"], scale=p["sd"])
    if family == "lognormal":
        return stats.lognorm(lognormal_sigma(p["median"], p["p90"]), scale=p["median"])
    if family == "triangular":
        width = p["high"] - p["low"]
        return stats.triang((p["mode"] - p["low"]) / width, loc=p["low"], scale=width)
    if family == "pert":
        alpha, beta = pert_shapes(p["low"], p["mode"], p["high"])
        return stats.beta(alpha, beta, loc=p["low"], scale=p["high"] - p["low"])
    if family == "uniform":
        return stats.uniform(p["low"], p["high"] - p["low"])
    raise ValueError(f"unknown family {family!r}")


def log_density(family: str, params: dict[str, float], x: np.ndarray) -> np.ndarray:
    """The log density of a family at ``x`` (``-inf`` outside its support), as :func:`frozen_distribution` gives it.

    Written out rather than through ``scipy.stats`` because the optimiser calls it thousands of times.
    """
    p = params
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        if family == "normal":
            z = (x - p["mean"]) / p["sd"]
            return -0.5 * z * z - math.log(p["sd"]) - 0.5 * math.log(2 * math.pi)
        if family == "truncated_normal":
            z = (x - p["mean"]) / p["sd"]
            mass = special.ndtr((p["high"] - p["mean"]) / p["sd"]) - special.ndtr((p["low"] - p["mean"]) / p["sd"])
            inside = (x >= p["low"]) & (x <= p["high"])
            if not mass > 0:
                return np.full_like(x, -np.inf)
            value = -0.5 * z * z - math.log(p["sd"]) - 0.5 * math.log(2 * math.pi) - math.log(mass)
            return np.where(inside, value, -np.inf)
        if family == "lognormal":
            sigma = lognormal_sigma(p["median"], p["p90"])
            logs = np.log(np.where(x > 0, x, np.nan))
            value = -0.5 * ((logs - math.log(p["median"])) / sigma) ** 2 - logs - math.log(sigma) \
                - 0.5 * math.log(2 * math.pi)
            return np.where(x > 0, value, -np.inf)
        if family == "uniform":
            inside = (x >= p["low"]) & (x <= p["high"])
            return np.where(inside, -math.log(p["high"] - p["low"]), -np.inf)
        low, mode, high = p["low"], p["mode"], p["high"]
        width = high - low
        inside = (x >= low) & (x <= high)
        if family == "triangular":
            left = np.log(2 * (x - low) / (width * (mode - low))) if mode > low else np.full_like(x, -np.inf)
            right = np.log(2 * (high - x) / (width * (high - mode))) if high > mode else np.full_like(x, -np.inf)
            at_mode = math.log(2 / width)
            value = np.where(x < mode, left, np.where(x > mode, right, at_mode))
            return np.where(inside, value, -np.inf)
        if family == "pert":
            alpha, beta = pert_shapes(low, mode, high)
            y = np.clip((x - low) / width, 0.0, 1.0)
            value = special.xlogy(alpha - 1, y) + special.xlog1py(beta - 1, -y) - special.betaln(alpha, beta) \
                - math.log(width)
            return np.where(inside, value, -np.inf)
    raise ValueError(f"unknown family {family!r}")


def _log_likelihood(family: str, params: dict[str, float], x: np.ndarray) -> float:
    value = float(np.sum(log_density(family, params, x)))
    return value if math.isfinite(value) else -math.inf


def _not_fitted(family: str, n: int, note: str) -> FamilyFit:
    return FamilyFit(family, {}, -math.inf, n, note)


def fit_family(family: str, x: np.ndarray) -> FamilyFit:
    """Fit one family to ``x`` by maximum likelihood.

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    x : ndarray
        At least two values.

    Returns
    -------
    FamilyFit
        Not fitted (with the reason) when the family does not apply: values with no spread,
        a lognormal to values at or below zero.
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    low, high = float(x.min()), float(x.max())
    width = high - low
    if width <= 0:
        return _not_fitted(family, n, "the values have no spread")
    with np.errstate(all="ignore"):
        if family == "normal":
            mean, sd = stats.norm.fit(x)
            params = {"mean": float(mean), "sd": float(sd)}
        elif family == "uniform":
            params = {"low": low, "high": high}
        elif family == "lognormal":
            if low <= 0:
                return _not_fitted(family, n, "a lognormal needs values above zero")
            sigma, _, scale = stats.lognorm.fit(x, floc=0)
            params = {"median": float(scale), "p90": float(scale * math.exp(sigma * Z90))}
        elif family == "truncated_normal":
            params = _fit_truncated_normal(x)
        elif family in ("triangular", "pert"):
            params = _fit_three_point(family, x)
        else:
            raise ValueError(f"unknown family {family!r}")
    note = ""
    if family in ("uniform", "truncated_normal"):
        note = "ends at the lowest and highest values seen (their maximum likelihood), each charged as two parameters"
    return FamilyFit(family, params, _log_likelihood(family, params, x), n, note, low, high)


def _fit_truncated_normal(x: np.ndarray) -> dict[str, float]:
    low, high = float(x.min()), float(x.max())
    width = high - low
    sd_cap = 10.0 * width

    def negative(theta: np.ndarray) -> float:
        mean, sd = min(max(theta[0], low - 10 * width), high + 10 * width), _bounded_sd(theta[1], width, sd_cap)
        value = -_log_likelihood("truncated_normal", {"mean": mean, "sd": sd, "low": low, "high": high}, x)
        return value if math.isfinite(value) else 1e300

    start = np.array([float(x.mean()), math.log(max(float(x.std()), width / 10))])
    best = optimize.minimize(negative, start, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-10,
                                                                               "maxiter": 4000})
    mean = min(max(float(best.x[0]), low - 10 * width), high + 10 * width)
    return {"mean": mean, "sd": _bounded_sd(best.x[1], width, sd_cap), "low": low, "high": high}


def _bounded_sd(log_sd: float, width: float, cap: float) -> float:
    return float(math.exp(min(max(log_sd, math.log(width * 1e-6)), math.log(cap))))


def _three_point(theta: np.ndarray, low: float, high: float, width: float) -> dict[str, float]:
    a = low - width * math.exp(theta[0])
    b = high + width * math.exp(theta[1])
    return {"low": a, "mode": a + (b - a) * float(special.expit(theta[2])), "high": b}


def _fit_three_point(family: str, x: np.ndarray) -> dict[str, float]:
    """Maximum likelihood of a triangular or PERT: ends below and above the values seen, mode between."""
    low, high = float(x.min()), float(x.max())
    width = high - low

    def negative(theta: np.ndarray) -> float:
        value = -_log_likelihood(family, _three_point(theta, low, high, width), x)
        return value if math.isfinite(value) else 1e300

    best = None
    median_share = (float(np.median(x)) - low) / width
    for share in sorted({0.02, 0.5, 0.98, min(max(median_share, 0.02), 0.98)}):
        for spread in (-2.0,):
            start = np.array([spread, spread, float(special.logit(share))])
            found = optimize.minimize(negative, start, method="Nelder-Mead",
                                      options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000})
            if best is None or found.fun < best.fun:
                best = found
    return _three_point(best.x, low, high, width)


def leave_one_out(family: str, x: np.ndarray) -> float:
    """Each value's log density under the family fitted to the other values, summed.

    ``-inf`` when some fit without a value rules that value out (it falls outside the fit's ends),
    or when the family cannot be fitted to the values left.
    """
    total = 0.0
    for k in range(x.size):
        rest = np.delete(x, k)
        fit = fit_family(family, rest)
        if not fit.fitted:
            return -math.inf
        total += float(log_density(family, fit.params, x[k:k + 1])[0])
        if not math.isfinite(total):
            return -math.inf
    return total


# --------------------------------------------------------------------------------------
# Ranking, persistence, correlation, weakness
# --------------------------------------------------------------------------------------

def rank_fits(fits: list[FamilyFit]) -> tuple[tuple[FamilyFit, ...], dict[str, float], str]:
    """Best first by AICc then BIC, the fitted families' Akaike weights, and the criterion used."""
    fitted = [f for f in fits if f.fitted]
    criterion = "AICc" if any(math.isfinite(f.aicc) for f in fitted) else "BIC"
    key = (lambda f: (f.aicc, f.bic)) if criterion == "AICc" else (lambda f: (f.bic, f.aic))
    ranked = sorted(fitted, key=key) + [f for f in fits if not f.fitted]
    scores = np.array([key(f)[0] for f in fitted], dtype=float)
    finite = np.isfinite(scores)
    weights: dict[str, float] = {}
    if finite.any():
        delta = scores - scores[finite].min()
        raw = np.where(finite, np.exp(-0.5 * np.where(finite, delta, 0.0)), 0.0)
        weights = {f.family: float(w) for f, w in zip(fitted, raw / raw.sum(), strict=True)}
    return tuple(ranked), weights, criterion


def persistence_of(years: tuple[int, ...], values: np.ndarray) -> Persistence:
    """The rank correlation of each year's value with the next year's, over consecutive years only."""
    position = {year: k for k, year in enumerate(years)}
    pairs = [(values[position[y]], values[position[y + 1]]) for y in years if y + 1 in position]
    if len(pairs) < 3:
        return Persistence(len(pairs), None, None, None,
                           f"{len(pairs)} pair{'s' if len(pairs) != 1 else ''} of consecutive years: too few to "
                           "estimate persistence (at least 3 are needed)")
    first, second = np.array(pairs).T
    rho, p_value = _spearman(first, second)
    if rho is None:
        return Persistence(len(pairs), None, None, None,
                           f"{len(pairs)} pairs of consecutive years, with no spread in one year of each pair: "
                           "persistence cannot be estimated")
    persistence = 2.0 * math.sin(math.pi * rho / 6.0)
    verdict = ("distinguishable from none" if p_value < SIGNIFICANCE
               else "not distinguishable from none")
    as_scenario = (f"as a scenario's persistence {persistence:.0%}" if persistence >= 0
                   else "negative, which a scenario's persistence (0% to below 100%) cannot state")
    return Persistence(len(pairs), rho, p_value, persistence,
                       f"rank correlation of each year with the next {rho:+.2f} over {len(pairs)} pairs of consecutive "
                       f"years (p = {p_value:.2f}, {verdict} at {SIGNIFICANCE:.0%}); {as_scenario}")


EXACT_UP_TO = 8
"""Up to this many pairs, a rank correlation's p-value is exact: over every permutation of one series' ranks."""


def _spearman(a: np.ndarray, b: np.ndarray) -> tuple[float | None, float | None]:
    """Spearman's rank correlation and its two-sided p-value (exact up to :data:`EXACT_UP_TO` pairs)."""
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return None, None
    with np.errstate(all="ignore"):
        result = stats.spearmanr(a, b)
    rho, p_value = float(result.statistic), float(result.pvalue)
    if not math.isfinite(rho):
        return None, None
    if a.size <= EXACT_UP_TO:
        ranks_a, ranks_b = stats.rankdata(a), stats.rankdata(b)
        permuted = np.array(list(itertools.permutations(ranks_b)))
        centred_a = ranks_a - ranks_a.mean()
        centred = permuted - permuted.mean(axis=1, keepdims=True)
        every = centred @ centred_a / (np.sqrt((centred ** 2).sum(axis=1)) * math.sqrt(float(centred_a @ centred_a)))
        p_value = float(np.mean(np.abs(every) >= abs(rho) - 1e-12))
    return rho, (p_value if math.isfinite(p_value) else 1.0)


def rank_correlation(name: str, years: tuple[int, ...], values: np.ndarray, other_years: tuple[int, ...],
                     other_values: np.ndarray) -> RankCorrelation:
    """Spearman's rank correlation of a series with another over the years both have.

    Years are matched by their first calendar year: ``2011/12`` with ``2011 (December)``.
    """
    other = dict(zip(other_years, other_values, strict=True))
    common = tuple(year for year in years if year in other)
    if len(common) < 3:
        return RankCorrelation(name, common, None, None,
                               f"{name}: {len(common)} year{'s' if len(common) != 1 else ''} in common, too few for a "
                               "rank correlation (at least 3)")
    mine = dict(zip(years, values, strict=True))
    rho, p_value = _spearman(np.array([mine[y] for y in common]), np.array([other[y] for y in common]))
    if rho is None:
        return RankCorrelation(name, common, None, None,
                               f"{name}: no spread over the {len(common)} years in common; no rank correlation")
    verdict = "distinguishable from none" if p_value < SIGNIFICANCE else "not distinguishable from none"
    return RankCorrelation(name, common, rho, p_value,
                           f"{name}: rank correlation {rho:+.2f} over {len(common)} common years "
                           f"({common[0]} to {common[-1]}; p = {p_value:.2f}, {verdict} at {SIGNIFICANCE:.0%})")


def weakness_of(result_values: np.ndarray, ranked: tuple[FamilyFit, ...], weights: dict[str, float], criterion: str,
                persistence: Persistence, formatter) -> tuple[str, ...]:
    """What a reader should know about how little a short series says, in words."""
    n = result_values.size
    if n >= WEAK_BELOW:
        return ()
    fitted = [f for f in ranked if f.fitted]
    lines = []
    if fitted:
        best = fitted[0]
        score = (lambda f: f.aicc) if criterion == "AICc" else (lambda f: f.bic)
        close = [f.family for f in fitted[1:] if math.isfinite(score(f)) and score(f) - score(best) < 2.0]
        undefined = [f.family for f in fitted if criterion == "AICc" and not math.isfinite(f.aicc)]
        defined = len(fitted) - len(undefined)
        sentence = (f"{n} values are weak evidence for any one shape: the best, {best.family}, carries "
                    f"{weights.get(best.family, 0.0):.0%} of the Akaike weight"
                    + (f" of the {defined} famil{'y' if defined == 1 else 'ies'} whose AICc is defined" if undefined
                       else ""))
        if close:
            sentence += f", and {_and(close)} {'is' if len(close) == 1 else 'are'} within 2 of its {criterion}, " \
                        "which the history cannot tell apart from it"
        if undefined:
            sentence += (f"; with so few values AICc is not defined for {_and(undefined)} (n ≤ k + 1, k counting "
                         "an end at an extreme seen twice), which the history cannot rank at all")
        lines.append(sentence + ".")
    outside = 2.0 / (n + 1)
    lines.append(f"Whatever the distribution, a next value falls outside the range seen ({formatter(result_values.min())} "
                 f"to {formatter(result_values.max())}) about {outside:.0%} of the time (2 in n + 1), so a range no "
                 "wider than the history is too narrow.")
    if n >= 2 and np.ptp(result_values) > 0:
        sd = float(np.std(result_values, ddof=1))
        half = float(stats.t.ppf(0.95, n - 1)) * sd / math.sqrt(n)
        mean = float(result_values.mean())
        lines.append(f"The mean of the history, {formatter(mean)}, is itself uncertain: its 90% interval is "
                     f"{formatter(mean - half)} to {formatter(mean + half)}.")
    ruled_out = [f.family for f in fitted if f.left_out is not None and not math.isfinite(f.left_out)]
    if ruled_out:
        lines.append(f"Fitted without one of the values, {_and(ruled_out)} would have ruled that value out (it falls "
                     "outside the fit's ends, or the values left have no spread): a fit to the extremes seen, which "
                     "likelihood (and so AICc) rewards beyond its due; the snippet takes the best family that does "
                     "not, if any.")
    elif fitted and fitted[0].family in ("uniform", "truncated_normal", "triangular", "pert"):
        lines.append(f"The {fitted[0].family}'s ends sit at or just beyond the extremes seen: they are the least "
                     "certain part of the fit.")
    lines.append(f"Persistence: {persistence.text}.")
    lines.append("The fit treats the years as independent draws from one distribution: history is evidence, not a "
                 "forecast, so say in the scenario's sources why the years ahead resemble these or not.")
    return tuple(lines)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def fit_series(values, years: tuple[int, ...] | None = None, families: tuple[str, ...] = FAMILIES, *,
               unit: str | None = "rate", others: tuple[tuple[str, tuple[int, ...], np.ndarray], ...] = ()) -> FitResult:
    """Fit each family to a yearly series and rank them.

    Parameters
    ----------
    values : array_like
        The series, internal units (rates as fractions), at least three values.
    years : tuple of int, optional
        The first calendar year of each value (default: consecutive years), for persistence and correlations.
    families : tuple of str
        Families to fit (default: all of :data:`FAMILIES`).
    unit : str, optional
        The values' unit, for the words of :attr:`FitResult.weakness`.
    others : tuple of (name, years, values)
        Other series to give the rank correlation with.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        Fewer than three values, values that are not finite, an unknown family.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size < 3:
        raise ValueError(f"expected at least three values; found {x.size}")
    if not np.isfinite(x).all():
        raise ValueError("expected finite values")
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown families {unknown}; expected some of {', '.join(FAMILIES)}")
    years = tuple(years) if years is not None else tuple(range(x.size))
    fits = [fit_family(family, x) for family in families]
    if x.size < WEAK_BELOW:
        fits = [dataclasses.replace(f, left_out=leave_one_out(f.family, x)) if f.fitted else f for f in fits]
    ranked, weights, criterion = rank_fits(fits)
    persistence = persistence_of(years, x)
    correlations = tuple(rank_correlation(name, years, x, other_years, np.asarray(other_values, dtype=float))
                         for name, other_years, other_values in others)
    weakness = weakness_of(x, ranked, weights, criterion, persistence, lambda v: format_number(v, unit))
    return FitResult(x, years, ranked, weights, persistence, correlations, weakness, criterion)


# --------------------------------------------------------------------------------------
# The snippet, in the scenario's syntax
# --------------------------------------------------------------------------------------

RESOLUTION = {"rate": 1e-4, "money": 1e-3, "pounds": 1e-2}
"""How finely the snippet writes a parameter: 0.01% for rates, £1,000 for £m, 1p for band D."""


def format_number(value: float, unit: str | None) -> str:
    """A value in internal units written as a scenario writes it, at :data:`RESOLUTION`."""
    if unit == "rate":
        text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
        return ("0" if text in ("-0", "") else text) + "%"
    if unit == "money":
        text = f"{abs(value):.3f}".rstrip("0").rstrip(".")
        return ("-" if value < 0 and text != "0" else "") + f"£{text}m"
    if unit == "pounds":
        return ("-" if value < 0 and round(abs(value), 2) else "") + f"£{abs(value):.2f}"
    return f"{value:.6g}"


def _round(value: float, unit: str | None, direction: str) -> float:
    step = RESOLUTION.get(unit or "", 1e-6)
    scaled = value / step
    rounded = {"down": math.floor(scaled + 1e-9), "up": math.ceil(scaled - 1e-9), "near": round(scaled)}[direction]
    return rounded * step


@dataclass(frozen=True)
class SnippetDistribution:
    """A fit as the snippet writes it.

    Attributes
    ----------
    params : dict of str to float
        Rounded (ends outward) and inside the input's allowed range.
    notes : tuple of str
        What was changed to fit the scenario's rules (an end moved to the input's allowed range).
    problem : str or None
        Why the fit cannot be a scenario input at all (the snippet then leaves it out, saying why).
    text : str
        The flow syntax: ``{distribution: triangular, low: -0.41%, mode: 1%, high: 2.95%}``.
    """

    params: dict[str, float] = field(hash=False)
    notes: tuple[str, ...]
    problem: str | None
    text: str


def snippet_distribution(fit: FamilyFit, unit: str | None, bounds: tuple[float, float] | None) -> SnippetDistribution:
    """A fit's parameters as the snippet writes them, checked against the input's allowed range.

    An untruncated normal is given the input's allowed range as ``low`` and ``high`` (a scenario
    requires them of a normal, so that every draw is a value the input allows); an end beyond that
    range is moved to it, with a note; a lognormal whose 1-in-10,000 value is beyond it cannot be
    stated (a scenario's lognormal has no upper end), and the problem says so.
    """
    p = dict(fit.params)
    notes = []
    if fit.family == "normal" and bounds is not None:
        p.update(low=bounds[0], high=bounds[1])
        notes.append("low and high: the input's allowed range, which a scenario's normal must state")
    rounded = {}
    for name, value in p.items():
        direction = {"low": "down", "high": "up", "sd": "up", "p90": "up"}.get(name, "near")
        rounded[name] = _round(value, unit, direction)
    if bounds is not None:
        for name in ("low", "mode", "high"):
            if name in rounded and not bounds[0] <= rounded[name] <= bounds[1]:
                moved = min(max(rounded[name], bounds[0]), bounds[1])
                notes.append(f"{name} {format_number(rounded[name], unit)} moved to {format_number(moved, unit)}, "
                             "the end of the input's allowed range")
                rounded[name] = moved
    if "mode" in rounded:
        rounded["mode"] = min(max(rounded["mode"], rounded["low"]), rounded["high"])
    if "p90" in rounded and rounded["p90"] <= rounded["median"]:
        rounded["p90"] = rounded["median"] + RESOLUTION.get(unit or "", 1e-6)
    problem = None
    try:
        distribution = Distribution(FAMILY_KIND[fit.family], rounded, unit or "rate")
    except DistributionError as exc:
        problem = f"the fit is not a valid {FAMILY_KIND[fit.family]}: {exc}"
    else:
        if fit.family == "lognormal" and bounds is not None:
            far = float(distribution.ppf(np.array([0.9999]))[0])
            if far > bounds[1]:
                problem = (f"this lognormal reaches {format_number(far, unit)} at 1 in 10,000, beyond the input's "
                           f"allowed {format_number(bounds[1], unit)}; a scenario's lognormal has no upper end")
    order = {"normal": ("mean", "sd", "low", "high"), "truncated_normal": ("mean", "sd", "low", "high"),
             "lognormal": ("median", "p90"), "triangular": ("low", "mode", "high"), "pert": ("low", "mode", "high"),
             "uniform": ("low", "high")}[fit.family]
    parts = [f"distribution: {FAMILY_KIND[fit.family]}"] + [f"{name}: {format_number(rounded[name], unit)}"
                                                           for name in order if name in rounded]
    return SnippetDistribution(rounded, tuple(notes), problem, "{" + ", ".join(parts) + "}")


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar of ``text``."""
    return json.dumps(text, ensure_ascii=False)


def scenario_snippet(result: FitResult, *, input_name: str | None, unit: str | None, source: str,
                     family: str | None = None) -> str:
    """The fit as a scenario writes it: a ``sources:`` line citing the rows used, and the input's distribution.

    Parameters
    ----------
    result : FitResult
    input_name : str, optional
        The scenario input (:data:`~model.declare.inputs.INPUTS`); without one the snippet is keyed
        by ``<input>``, which the user replaces.
    unit : str, optional
        The values' unit.
    source : str
        The ``sources:`` line: what was fitted, to which rows.
    family : str, optional
        The family to write (default: the best).

    Returns
    -------
    str
        YAML lines, ending with a newline; comments say what is not stated and why.
    """
    chosen = result.fit(family) if family else result.recommended
    key = input_name or "<input>"
    if family:
        why = "(as asked)"
    elif chosen is result.best:
        why = f"(best of {sum(f.fitted for f in result.fits)} by {result.criterion})"
    else:
        why = (f"(the best by {result.criterion} that, fitted without any one value, still allows it; "
               f"{result.best.family} ranks first)")
    lines = [f"# police-mtfs fit: {result.n} values; {chosen.family if chosen else 'no family'} {why}."]
    if result.weakness:
        lines.append(f"# Weak evidence: {result.n} points (see the notes printed with this snippet).")
    if input_name is None:
        lines.append("# Replace <input> with the scenario input this range is for (police-mtfs inputs).")
    lines += ["sources:", f"  - {yaml_string(source)}", "assumptions:"]
    if chosen is None:
        lines.append(f"  # {key}: no family could be fitted ({result.fits[0].note if result.fits else 'no values'})")
        return "\n".join(lines) + "\n"
    bounds = INPUTS[input_name].bounds.get(unit) if input_name in INPUTS and unit else None
    written = snippet_distribution(chosen, unit, bounds)
    if written.problem:
        lines[-1] = "assumptions: {}"
        lines.append(f"  # {key}: {written.text}")
        lines.append(f"  # not stated: {written.problem}")
        return "\n".join(lines) + "\n"
    timing = INPUTS[input_name].timing if input_name in INPUTS else "per_year"
    if result.persistence.distinguishable and timing == "per_year":
        persistence = min(result.persistence.persistence, 0.95)
        lines += [f"  {key}:", "    over_years: persistent", f"    persistence: {persistence * 100:.0f}%",
                  f"    all_years: {written.text}"]
    else:
        lines.append(f"  {key}: {written.text}")
        if result.persistence.persistence is not None and timing == "per_year":
            lines.append(f"  # persistence not stated: {result.persistence.text}")
    lines += [f"  # {note}" for note in written.notes]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# A history series fitted: its sources line and its table
# --------------------------------------------------------------------------------------

def fit_history(series, families: tuple[str, ...] = FAMILIES, others=()) -> FitResult:
    """Fit a :class:`~model.io.history.YearlySeries`, with the rank correlation with each of ``others`` (YearlySeries)."""
    return fit_series(series.values, series.years, families, unit=series.unit,
                      others=tuple((other.label, other.years, other.values) for other in others))


def source_line(series, result: FitResult, family: FamilyFit | None) -> str:
    """The ``sources:`` line of a fit: what was fitted, to which values, in which rows, and how weak it is.

    Parameters
    ----------
    series : YearlySeries
    result : FitResult
    family : FamilyFit, optional
        The family the snippet writes.
    """
    label = INPUTS[series.input].label if series.input in INPUTS else series.series
    values = ", ".join(format_number(v, series.unit) for v in series.values)
    rows = ", ".join(str(r) for r in series.rows_used)
    text = (f"{label}: {family.family.replace('_', ' ') if family else 'no distribution'} fitted by maximum likelihood "
            f"to {series.label}, {series.periods[0]} to {series.periods[-1]}: {values} ({series.file} rows {rows})")
    if series.excluded:
        text += "; left out: " + "; ".join(f"row {row.row}" + (f" ({reason})" if reason else "")
                                            for row, reason in series.excluded)
    text += f"; {result.n} values"
    if result.weakness:
        text += ", weak evidence"
    return text + " (police-mtfs fit)."


FAMILY_COLUMNS = ["rank", "family", "distribution", "parameters", "log_likelihood", "k", "aicc", "bic", "weight",
                  "leave_one_out", "note"]
"""The columns of ``fit.csv``: one row per family, best first."""


def family_table(result: FitResult, unit: str | None) -> pd.DataFrame:
    """Every family's fit, best first: its parameters as a scenario writes them, AICc, BIC, Akaike weight."""
    rows = []
    for rank, fit in enumerate(result.fits, start=1):
        parameters = ", ".join(f"{name} {format_number(value, unit)}" for name, value in fit.params.items())
        rows.append([rank if fit.fitted else None, fit.family, FAMILY_KIND[fit.family], parameters,
                     fit.log_likelihood if fit.fitted else None, fit.k, fit.aicc if math.isfinite(fit.aicc) else None,
                     fit.bic if fit.fitted else None, result.weights.get(fit.family),
                     fit.left_out if fit.left_out is not None and math.isfinite(fit.left_out) else
                     ("-inf" if fit.left_out is not None else None), fit.note])
    return pd.DataFrame(rows, columns=FAMILY_COLUMNS)
