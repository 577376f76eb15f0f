"""Goal seek on a probability: the smallest precept rise or extra saving that keeps the risk acceptable.

:func:`goal_seek` answers "what annual band D rise (in % or £, within the referendum limit
the scenario states) or what extra recurring saving (£m a year) brings the probability that
the general reserve falls below its minimum by the last year down to a target?". Every trial
uses the same random draws (common random numbers), so the probability falls monotonically
as the lever rises and a bisection converges; the answer comes with its Monte Carlo range.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.declare.distributions import Distribution
from model.declare.formatting import format_money, format_pounds
from model.declare.inputs import INPUTS
from model.declare.outputs import BREACH
from model.engine.projection import project_force
from model.run.probability import wilson_interval
from model.run.simulation import chunks
from model.sampling.draws import Levers, force_inputs, run_source, sample_input
from model.sampling.setup import RunSetup
from model.sampling.uniforms import CachedSource

LEVER_UNITS: dict[str, tuple[str, ...]] = {"precept": ("%", "£"), "savings": ("£m",)}
"""Units each lever can be stated in: a band D rise in % or £ a year, extra savings in £m a year."""

LEVER_TOLERANCE: dict[tuple[str, str], float] = {("precept", "%"): 1e-4, ("precept", "£"): 0.01,
                                                 ("savings", "£m"): 0.01}
"""How finely the answer is searched for: 0.01 points of band D rise, 1p of band D, £10k of savings."""


def make_levers(lever: str, unit: str, value: float) -> Levers:
    """The :class:`Levers` for a lever value: a fixed band D rise each year, or extra recurring savings (£m)."""
    if lever == "precept":
        return Levers(precept_increase=Distribution("fixed", {"value": float(value)}, "rate" if unit == "%" else "pounds"))
    return Levers(extra_savings=float(value))


def lever_search_max(setup: RunSetup, force: str, lever: str, unit: str) -> float:
    """The top of the search: the largest band D rise an input may state, or the whole budget in savings.

    The referendum limit cuts a rise back path by path and year by year inside the engine,
    so beyond the limit the probability no longer changes and the search stops there.
    """
    if lever == "precept":
        return float(INPUTS["precept_increase"].bounds["rate" if unit == "%" else "pounds"][1])
    return float(project_force(force_inputs(setup, force, 0, 1, case="force_plan")).lines["funding"][0, 0])


def format_lever(lever: str, unit: str, value: float) -> str:
    """A lever value as a finance officer writes it: '2.35%', '£4.20', '£1.2m'."""
    if lever == "savings":
        return format_money(value, decimals=2, brackets=False)
    return f"{value * 100:.2f}%" if unit == "%" else format_pounds(value)


class BreachCounter:
    """Paths breaching the minimum general reserve by the last year, at any lever value.

    Every trial runs on the same paths and the same uniforms (common random numbers), so
    the count can only fall as the lever rises: a higher band D or a larger saving lowers
    the gap on every path and year. Counts are remembered by lever value.
    """

    def __init__(self, setup: RunSetup, force: str, lever: str, unit: str, paths: int) -> None:
        self.setup, self.force, self.lever, self.unit, self.paths = setup, force, lever, unit, paths
        self.source = CachedSource(run_source(setup))
        self.trials: dict[float, int] = {}

    def project(self, start: int, stop: int, levers: Levers | None):
        return project_force(force_inputs(self.setup, self.force, start, stop, source=self.source, levers=levers))

    def count(self, value: float | None) -> int:
        """Breaching paths with the lever at ``value`` (``None``: the scenario as stated)."""
        if value is not None and value in self.trials:
            return self.trials[value]
        levers = None if value is None else make_levers(self.lever, self.unit, value)
        total = 0
        for start, stop in chunks(self.paths, self.setup.scenario.chunk_size):
            total += int(self.project(start, stop, levers).flags[BREACH][:, -1].sum())
        if value is not None:
            self.trials[value] = total
        return total


def count_thresholds(target: float, paths: int) -> dict[str, int]:
    """Largest breach counts that meet the target: by the estimate, and by each end of its Wilson interval.

    Returns
    -------
    dict
        ``estimate`` (k / n ≤ target), ``interval_low`` (the interval's lower end ≤ target:
        the target is still within reach of the Monte Carlo error) and ``interval_high``
        (its upper end ≤ target: met beyond the Monte Carlo error); -1 where no count does.
    """
    k = np.arange(paths + 1)
    low, high = wilson_interval(k / paths, paths)

    def largest(meets: np.ndarray) -> int:
        return int(k[meets].max()) if meets.any() else -1

    return {"estimate": largest(k <= target * paths + 1e-9), "interval_low": largest(low <= target),
            "interval_high": largest(high <= target)}


def smallest_lever(counter: BreachCounter, most: int, top: float, step: float) -> float | None:
    """The smallest multiple of ``step`` in ``[0, top]`` with at most ``most`` breaching paths; ``None`` if none.

    A bisection over whole steps: the count never rises with the lever, so it converges in
    about log2(top / step) trials, and the answer is a round figure (2.58%, £3.83, £2.33m).
    """
    steps = math.ceil(top / step - 1e-9)

    def meets(k: int) -> bool:
        return counter.count(round(k * step, 10)) <= most

    if most < 0 or not meets(steps):
        return None
    low, high = -1, steps
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    return round(high * step, 10)


def referendum_context(counter: BreachCounter, value: float) -> dict[str, float]:
    """The referendum limit in the lever's units, and how often it cuts back a rise of ``value``.

    Returns
    -------
    dict
        ``referendum_limit_min`` / ``_max``: the tightest and loosest limit over paths and
        years from 2017/18 (a £ limit in % of the previous year's band D, or a % limit in £);
        ``capped_share``: share of those path-years where the limit cuts the rise back.
    """
    setup, force, unit = counter.setup, counter.force, counter.unit
    first = INPUTS["referendum_limit"].first_year
    if setup.scenario.n_years <= first:
        return {"referendum_limit_min": math.nan, "referendum_limit_max": math.nan, "capped_share": math.nan}
    levers = make_levers("precept", unit, value)
    limits, capped = [], []
    for start, stop in chunks(counter.paths, setup.scenario.chunk_size):
        limit, is_cash = sample_input(setup, force, "referendum_limit", start, stop, source=counter.source)
        band_d = counter.project(start, stop, levers).lines["band_d"]
        previous = band_d[:, first - 1:-1]
        limit, is_cash = limit[:, first:], is_cash[:, first:]
        in_pounds = np.where(is_cash, limit, limit * previous)
        limits.append(in_pounds if unit == "£" else np.where(is_cash, limit / previous, limit))
        asked = value if unit == "£" else value * previous
        capped.append(asked > in_pounds + 1e-9)
    limits_all, capped_all = np.concatenate(limits), np.concatenate(capped)
    return {"referendum_limit_min": float(limits_all.min()), "referendum_limit_max": float(limits_all.max()),
            "capped_share": float(capped_all.mean())}


GOAL_SEEK_COLUMNS = ["scenario", "force", "lever", "unit", "target", "year", "paths", "answer", "answer_low",
                     "answer_high", "probability", "probability_low", "probability_high", "probability_as_stated",
                     "probability_at_search_max", "search_max", "reachable", "referendum_limit_min",
                     "referendum_limit_max", "capped_share", "message"]
TRIAL_COLUMNS = ["scenario", "force", "lever", "unit", "value", "breach_paths", "probability", "wilson_low",
                 "wilson_high"]


def goal_seek(setup: RunSetup, force: str, lever: str, target: float, unit: str | None = None,
              paths: int | None = None) -> tuple[dict, pd.DataFrame]:
    """The smallest lever that keeps P(general reserve below minimum by the last year) ≤ ``target``.

    Parameters
    ----------
    setup : RunSetup
    force : str
    lever : {'precept', 'savings'}
        ``precept``: the same band D rise every year from 2017/18 (replacing the scenario's),
        cut back by the referendum limit where it binds; ``savings``: extra recurring
        savings from 2017/18, £m a year, delivered in full.
    target : float
        Probability in (0, 1).
    unit : {'%', '£'} for ``precept``; '£m' for ``savings`` (default: the first).
    paths : int, optional
        Monte Carlo paths (default: the scenario's).

    Returns
    -------
    result : dict
        Keys :data:`GOAL_SEEK_COLUMNS`. ``answer`` is the smallest lever value whose
        estimated probability meets the target (rate as a fraction, £ or £m); ``answer_low``
        to ``answer_high`` the lever values whose 95% Wilson interval contains the target
        (below ``answer_low`` the target is missed beyond Monte Carlo error; from
        ``answer_high`` it is met beyond it). NaN where the search range holds no such
        value; ``reachable`` is False when no lever value up to ``search_max`` meets it.
    trials : DataFrame
        Every lever value evaluated, columns :data:`TRIAL_COLUMNS`.
    """
    unit = unit or LEVER_UNITS[lever][0]
    paths = paths or setup.scenario.paths
    counter = BreachCounter(setup, force, lever, unit, paths)
    top = lever_search_max(setup, force, lever, unit)
    tolerance = LEVER_TOLERANCE[(lever, unit)]
    most = count_thresholds(target, paths)
    answers = {name: smallest_lever(counter, k, top, tolerance) for name, k in most.items()}
    answer = answers["estimate"]
    result = {
        "scenario": setup.scenario.name, "force": force, "lever": lever, "unit": unit, "target": target,
        "year": setup.scenario.years[-1], "paths": paths, "search_max": top, "reachable": answer is not None,
        "answer": math.nan if answer is None else answer,
        "answer_low": math.nan if answers["interval_low"] is None else answers["interval_low"],
        "answer_high": math.nan if answers["interval_high"] is None else answers["interval_high"],
        "probability_as_stated": counter.count(None) / paths,
        "probability_at_search_max": counter.count(top) / paths,
    }
    at = top if answer is None else answer
    low, high = wilson_interval(np.array([counter.count(at)]) / paths, paths)
    result.update(probability=counter.count(at) / paths, probability_low=float(low[0]), probability_high=float(high[0]))
    if lever == "precept":
        result.update(referendum_context(counter, at))
    else:
        result.update(referendum_limit_min=math.nan, referendum_limit_max=math.nan, capped_share=math.nan)
    result["message"] = goal_seek_message(setup, result)
    return result, trials_table(setup, counter)


def trials_table(setup: RunSetup, counter: BreachCounter) -> pd.DataFrame:
    """Every lever value a goal seek tried, with its breach probability and Wilson interval."""
    values = np.array(sorted(counter.trials))
    counts = np.array([counter.trials[v] for v in values])
    low, high = wilson_interval(np.asarray(counts) / counter.paths, counter.paths)
    return pd.DataFrame({
        "scenario": setup.scenario.name, "force": counter.force, "lever": counter.lever, "unit": counter.unit,
        "value": values, "breach_paths": counts, "probability": counts / counter.paths, "wilson_low": low,
        "wilson_high": high,
    }, columns=TRIAL_COLUMNS)


def goal_seek_message(setup: RunSetup, result: dict) -> str:
    """The goal seek's answer in one plain sentence."""
    lever, unit = result["lever"], result["unit"]
    name = setup.forces[result["force"]].name
    first = setup.scenario.years[min(1, setup.scenario.n_years - 1)]
    what = (f"P(general reserve below minimum by {result['year']}) ≤ {result['target']:.1%}")
    if lever == "precept":
        thing, article, per = "band D rise", "a", f" a year from {first}"
    else:
        thing, article, per = "extra recurring saving", "an", f" a year from {first}"
    if not result["reachable"]:
        limit = " within the referendum limit" if lever == "precept" else f" up to {format_lever(lever, unit, result['search_max'])}"
        return (f"{name}: no {thing}{limit} gets {what}; at the most it allows, P = {result['probability']:.1%} "
                f"({result['paths']:,} paths).")
    answer = format_lever(lever, unit, result["answer"])
    if result["answer"] == 0.0:
        zero = "a band D freeze" if lever == "precept" else "no extra saving"
        return (f"{name}: {zero} already gives {what}: P = {result['probability']:.1%} "
                f"({result['paths']:,} paths).")
    high = result["answer_high"]
    span = (f"{format_lever(lever, unit, result['answer_low'])} to "
            + (format_lever(lever, unit, high) if not math.isnan(high) else "beyond the search range"))
    text = (f"{name}: {article} {thing} of {answer}{per} gives {what}: P = {result['probability']:.2%} "
            f"(95% interval {result['probability_low']:.2%}–{result['probability_high']:.2%}, {result['paths']:,} paths); "
            f"allowing for Monte Carlo error the {thing} needed is {span}.")
    if lever == "precept" and result.get("capped_share", 0.0) > 0:
        text += (f" The referendum limit cuts this rise back in {result['capped_share']:.0%} of path-years "
                 f"(limit {format_lever(lever, unit, result['referendum_limit_min'])} to "
                 f"{format_lever(lever, unit, result['referendum_limit_max'])}).")
    return text
