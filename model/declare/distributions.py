"""Probability distributions for uncertain inputs, sampled by inverse CDF.

Every distribution maps uniforms ``u`` in (0, 1) to values through its quantile function
(``ppf``). Sampling by inverse CDF keeps one uniform stream per input, so the same seed
gives the same draws whatever the distribution's parameters, and later work (copulas,
Sobol' sequences) only has to change the uniforms.

Parameters are held in internal units (rates as fractions, money in £m, pounds in £).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

DISTRIBUTION_PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required parameters, optional parameters)
    "fixed": (("value",), ()),
    "uniform": (("low", "high"), ()),
    "triangular": (("low", "mode", "high"), ()),
    "pert": (("low", "mode", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("median", "p90"), ()),
    "choice": (("options",), ()),
}
"""The distributions a scenario can state, with their parameter names."""

DISTRIBUTION_MEANING: dict[str, str] = {
    "fixed": "one value, no uncertainty",
    "uniform": "every value between low and high equally likely",
    "triangular": "most likely at mode, falling linearly to low and high",
    "pert": "a smooth beta distribution on [low, high] peaking at mode (weight 4)",
    "normal": "normal with mean and standard deviation sd; truncated to [low, high] when given",
    "lognormal": "positive and right-skewed: half the draws below median, one in ten above p90",
    "choice": "one of listed options, each with its probability (options: [{value: 2%, probability: 70%}, ...])",
}


class DistributionError(ValueError):
    """Parameters that do not define a valid distribution."""


@dataclass(frozen=True)
class Distribution:
    """A univariate distribution with parameters in internal units.

    Attributes
    ----------
    kind : str
        One of :data:`DISTRIBUTION_PARAMETERS`.
    params : dict of str to float
        Parameters in internal units.
    unit : str
        Unit kind of the values (``rate``, ``money``, ``pounds``, ``years``).
    """

    kind: str
    params: dict[str, float] = field(hash=False)
    unit: str = "rate"
    options: tuple[tuple[float, str, float], ...] = ()
    """For ``choice``: (value, unit, probability) of each option; probabilities sum to 1."""

    def __post_init__(self) -> None:
        validate_parameters(self.kind, self.params, self.options)

    @property
    def is_fixed(self) -> bool:
        """True when the distribution has no spread."""
        return self.kind == "fixed"

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function.

        Parameters
        ----------
        u : ndarray of float
            Uniforms in the open interval (0, 1); any shape.

        Returns
        -------
        ndarray of float
            Values in internal units, same shape as ``u``.
        """
        from scipy import special  # here, not at import: `check` and `--help` never pay for scipy

        u = np.asarray(u, dtype=float)
        p = self.params
        if self.kind == "fixed":
            return np.full_like(u, p["value"])
        if self.kind == "uniform":
            return p["low"] + u * (p["high"] - p["low"])
        if self.kind == "triangular":
            return triangular_ppf(u, p["low"], p["mode"], p["high"])
        if self.kind == "pert":
            width = p["high"] - p["low"]
            alpha = 1.0 + 4.0 * (p["mode"] - p["low"]) / width
            beta = 1.0 + 4.0 * (p["high"] - p["mode"]) / width
            return p["low"] + width * special.betaincinv(alpha, beta, u)
        if self.kind == "lognormal":
            sigma = np.log(p["p90"] / p["median"]) / special.ndtri(0.9)
            return p["median"] * np.exp(sigma * special.ndtri(u))
        if self.kind == "choice":
            values = np.array([option[0] for option in self.options])
            return values[self._option_index(u)]
        if self.kind == "normal":
            low = p.get("low", -np.inf)
            high = p.get("high", np.inf)
            if np.isfinite(low) or np.isfinite(high):
                lo_cdf = special.ndtr((low - p["mean"]) / p["sd"])
                hi_cdf = special.ndtr((high - p["mean"]) / p["sd"])
                u = lo_cdf + u * (hi_cdf - lo_cdf)
                return np.clip(p["mean"] + p["sd"] * special.ndtri(u), low, high)
            return p["mean"] + p["sd"] * special.ndtri(u)
        raise DistributionError(f"unknown distribution {self.kind!r}")  # pragma: no cover - validated

    def _option_index(self, u: np.ndarray) -> np.ndarray:
        cumulative = np.cumsum([option[2] for option in self.options])
        return np.minimum(np.searchsorted(cumulative, u, side="right"), len(self.options) - 1)

    def in_units(self, u: np.ndarray, unit: str) -> np.ndarray:
        """Whether each draw is in ``unit`` (for choices that mix % and £ options)."""
        if self.kind != "choice":
            return np.full(np.shape(u), self.unit == unit)
        units = np.array([option[1] == unit for option in self.options])
        return units[self._option_index(np.asarray(u, dtype=float))]

    def median(self) -> float:
        """The median, in internal units."""
        return float(self.ppf(np.array([0.5]))[0])

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest values the distribution can produce (may be infinite)."""
        p = self.params
        if self.kind == "fixed":
            return p["value"], p["value"]
        if self.kind == "normal":
            return p.get("low", -np.inf), p.get("high", np.inf)
        if self.kind == "lognormal":
            return 0.0, np.inf
        if self.kind == "choice":
            return min(o[0] for o in self.options), max(o[0] for o in self.options)
        return p["low"], p["high"]


def validate_parameters(kind: str, params: dict[str, float], options: tuple = ()) -> None:
    """Check that parameters define a proper distribution.

    Raises
    ------
    DistributionError
        Unknown kind, missing or unknown parameters, inverted or zero-width ranges,
        a mode outside [low, high], a non-positive standard deviation.
    """
    if kind not in DISTRIBUTION_PARAMETERS:
        raise DistributionError(
            f"expected a distribution, one of {', '.join(DISTRIBUTION_PARAMETERS)}; found {kind!r}"
        )
    if kind == "choice":
        _validate_options(options)
        return
    required, optional = DISTRIBUTION_PARAMETERS[kind]
    missing = [name for name in required if name not in params]
    if missing:
        raise DistributionError(f"a {kind} distribution needs {', '.join(required)}; missing {', '.join(missing)}")
    unknown = [name for name in params if name not in required + optional]
    if unknown:
        raise DistributionError(
            f"a {kind} distribution takes {', '.join(required + optional)}; found {', '.join(unknown)}"
        )
    if any(not np.isfinite(value) for value in params.values()):
        raise DistributionError("expected finite parameters")
    if kind in ("uniform", "triangular", "pert"):
        low, high = params["low"], params["high"]
        if low > high:
            raise DistributionError("expected low ≤ high; found low above high (an inverted range)")
        if low == high:
            raise DistributionError("expected low < high (a range with width); for no uncertainty write one fixed value")
        if kind in ("triangular", "pert") and not low <= params["mode"] <= high:
            raise DistributionError("expected mode between low and high")
    if kind == "lognormal":
        if params["median"] <= 0:
            raise DistributionError("expected a median above zero (a lognormal is positive)")
        if params["p90"] <= params["median"]:
            raise DistributionError("expected p90 above the median")
    if kind == "normal":
        if params["sd"] <= 0:
            raise DistributionError("expected sd > 0; for no uncertainty write one fixed value")
        low, high = params.get("low", -np.inf), params.get("high", np.inf)
        if low >= high:
            raise DistributionError("expected low < high for the truncation bounds (an inverted or empty range)")
        if _normal_cdf((high - params["mean"]) / params["sd"]) - _normal_cdf((low - params["mean"]) / params["sd"]) < 1e-9:
            raise DistributionError("expected truncation bounds that keep some probability around the mean")


def _normal_cdf(z: float) -> float:
    """The standard normal CDF of one number (``scipy.special.ndtr`` without importing scipy)."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _validate_options(options: tuple) -> None:
    if len(options) < 1:
        raise DistributionError("expected at least one option")
    probabilities = [option[2] for option in options]
    if any(not 0.0 <= p <= 1.0 for p in probabilities):
        raise DistributionError("expected option probabilities from 0% to 100%")
    if abs(sum(probabilities) - 1.0) > 1e-9:
        raise DistributionError(f"expected option probabilities that add up to 100%; they add up to {sum(probabilities):.4%}")


def triangular_ppf(u: np.ndarray, low: np.ndarray | float, mode: np.ndarray | float,
                   high: np.ndarray | float) -> np.ndarray:
    """Quantile function of the triangular distribution on [low, high] peaking at mode.

    Parameters
    ----------
    u : ndarray
        Uniforms in (0, 1).
    low, mode, high : float or ndarray
        Broadcast against ``u`` (e.g. one value per column); ``low < high``.
    """
    width = high - low
    split = (mode - low) / width
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(u < split, left, right)


def fixed(value: float, unit: str = "rate") -> Distribution:
    """A distribution with no spread."""
    return Distribution("fixed", {"value": float(value)}, unit)
