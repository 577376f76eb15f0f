"""Sensitivity and decisions: which assumption drives the risk, and what precept or savings keep it acceptable.

Pure computations over a :class:`~model.sampling.RunSetup`, each returning a tidy DataFrame:

* :func:`unit_sensitivities`: the finance officer's table ("1% on the pay award costs £Xm"),
  exact, from the deterministic force-plan case;
* :func:`one_way_sensitivities`: every input (and baseline assumption) swung across its
  quantiles with the others at base: the spider table, and from it :func:`tornado_table`;
* :func:`sobol_indices`: first- and total-order Sobol' indices of grouped factors with
  bootstrap confidence intervals (estimated by SALib's ``sobol.analyze``);
* :func:`breach_drivers`: where the paths that breach the minimum general reserve come from;
The goal seek (:mod:`model.goal_seek`) and the comparison of two scenarios
(:mod:`model.compare`) build on the same sources and factors.

Conventions
-----------
**Sign.** Every change in money is *new minus old*. In the unit sensitivity table a
positive number adds to the budget gap (costs more, or raises less); a negative number
(shown in brackets) reduces it. In the tornado and spider tables values are the outputs
themselves: cumulative gap (£m, positive is a shortfall), total usable reserves (£m) and
the probability that the general reserve is below its minimum by the last year.

**Outputs.** ``cumulative_gap`` and ``total_reserves`` are read in the scenario's last
year; ``general_below_minimum_by_year`` is the flag "general reserve below its minimum at
any 31 March up to that year", as a probability (tornado, spider) or as a per-path 0/1
indicator (Sobol').

**Common random numbers.** Everything probabilistic draws from the scenario's own keyed
streams, so two runs that differ in one input or lever differ only there: a swing, a
lever step or a scenario difference is not Monte Carlo noise.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from .distributions import Distribution
from .engine import Drivers, ForceInputs, project_force
from .inputs import INPUTS
from .probability import proportion_standard_error
from .sampling import (
    N_MODEL_YEARS,
    RunSetup,
    baseline_values,
    draw_input,
    draw_shocks,
    force_inputs,
    input_columns,
    input_uniforms,
    plan_drivers,
    sample_input,
    stated_inputs,
)
from .uniforms import TINY, QuantileSource
from .units import format_money, format_pounds, format_quantity

BREACH = "general_below_minimum_by_year"
"""The flag every probability here is about: general reserve below its minimum by a year."""

OUTPUTS = ("cumulative_gap", "total_reserves", BREACH)
"""Outputs of the one-way and variance-based analyses, in table order."""

SPIDER_QUANTILES = (0.1, 0.3, 0.5, 0.7, 0.9)
"""Quantiles of each input on the spider plot; the tornado uses the outer two."""

TORNADO_LOW, TORNADO_HIGH = 0.1, 0.9

MATERIAL_SHARE = 0.25
"""A breach driver is material when breaching paths differ by more than this share of its P10–P90 range."""

P10_P90_WIDTH_IN_SD = 2.5631031310892007
"""Width of the P10–P90 range of a normal distribution, in standard deviations (2 × 1.2816)."""

Z95 = 1.959963984540054


# ---------------------------------------------------------------------------------------------
# Uniform sources
# ---------------------------------------------------------------------------------------------


class CachedSource:
    """A source that remembers its draws, so repeated trials on the same paths cost nothing to draw.

    Returned arrays are read-only: a caller that wrote into one would change every later trial.
    """

    def __init__(self, base) -> None:
        self.base = base
        self.kind = getattr(base, "kind", "cached")
        self._draws: dict[tuple, np.ndarray] = {}

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        """The base source's uniforms, shape ``(stop - start, columns)``, drawn once."""
        index = (key, start, stop, columns)
        if index not in self._draws:
            block = np.array(self.base.draw(key, start, stop, columns), dtype=float)
            block.flags.writeable = False
            self._draws[index] = block
        return self._draws[index]


class FinalUniforms(QuantileSource):
    """Input uniforms that already carry the scenario's correlations and persistence, with pins.

    :func:`model.sampling.input_uniforms` hands a :class:`~model.uniforms.QuantileSource`'s
    draws to the distributions unchanged (no copula, no persistence). This source uses that
    to pin one input's *final* uniform at a quantile in every year while every other input
    keeps exactly the values it has in the base run, correlations included. Pinning the
    raw uniform instead would not fix the input's value (the copula and persistence move
    it) and would move its correlated partners.

    Parameters
    ----------
    base : source
        Where baseline and shock uniforms come from (and any key not pinned).
    finals : dict of str to ndarray (paths, model years)
        :func:`~model.sampling.input_uniforms` of the base source for paths ``[start, start + paths)``.
    start : int
        First path of ``finals``.
    pinned : dict of key to float
        Stream keys held at a quantile in every column.
    """

    kind = "final"

    def __init__(self, base, finals: dict[str, np.ndarray], start: int, pinned: dict[tuple, float]) -> None:
        super().__init__(lambda key: 0.5)
        self.base, self.finals, self.start, self.pinned = base, finals, start, pinned

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        if key in self.pinned:
            return np.full((stop - start, columns), self.pinned[key])
        if key[0] == "input":
            return self.finals[key[1]][start - self.start: stop - self.start]
        return self.base.draw(key, start, stop, columns)


class MatrixSource:
    """Uniforms read from the columns of a design matrix (one row per model evaluation).

    Parameters
    ----------
    matrix : ndarray, shape (evaluations, columns)
    columns_of : dict of key to slice
        Which columns feed each stream key; other keys get 0.5 (they have no spread).
    """

    kind = "design"

    def __init__(self, matrix: np.ndarray, columns_of: dict[tuple, slice]) -> None:
        self.matrix, self.columns_of = matrix, columns_of

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        where = self.columns_of.get(key)
        if where is None:
            return np.full((stop - start, columns), 0.5)
        return self.matrix[start:stop, where]


def chunks(paths: int, size: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive chunks covering ``paths`` paths."""
    for start in range(0, paths, size):
        yield start, min(start + size, paths)


# ---------------------------------------------------------------------------------------------
# Factors: what can be swung or attributed
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """One thing a one-way analysis swings: an input (all its years) or one baseline assumption.

    Attributes
    ----------
    name : str
        Input name, or ``baseline:<figure>``.
    label : str
    kind : {'input', 'baseline'}
    key : tuple of str
        The uniform stream it is drawn from.
    """

    name: str
    label: str
    kind: str
    key: tuple[str, ...]


@dataclass(frozen=True)
class SobolGroup:
    """A group of uniform streams attributed together.

    Attributes
    ----------
    name : str
        Input names joined by ``+``, ``baseline`` or ``shocks``.
    label : str
    streams : tuple of (key, columns)
    """

    name: str
    label: str
    streams: tuple[tuple[tuple[str, ...], int], ...]

    @property
    def columns(self) -> int:
        return sum(columns for _, columns in self.streams)


def input_key(setup: RunSetup, force: str, name: str) -> tuple[str, str, str]:
    """The stream key of an input for a force (national inputs share one stream)."""
    return ("input", name, "national" if INPUTS[name].scope == "national" else force)


def applicable_years(setup: RunSetup, name: str) -> range:
    """Model years an input takes a value in (per-path inputs: their first year only)."""
    declaration = INPUTS[name]
    last = declaration.first_year + 1 if declaration.timing == "per_path" else setup.scenario.n_years
    return range(declaration.first_year, min(last, setup.scenario.n_years))


def has_spread(distribution) -> bool:
    """Whether a stated value (a :class:`Distribution` or ``plan``) varies with its uniform."""
    if not isinstance(distribution, Distribution) or distribution.is_fixed:
        return False
    if distribution.kind == "choice":
        return len({(value, unit) for value, unit, _ in distribution.options}) > 1
    return True


def input_has_spread(setup: RunSetup, force: str, name: str) -> bool:
    """Whether the scenario gives an input a distribution with spread for a force in any year."""
    spec = setup.scenario.inputs.get(name)
    if spec is None:
        return False
    per_path = INPUTS[name].timing == "per_path"
    return any(has_spread(spec.resolve(force, None if per_path else t)) for t in applicable_years(setup, name))


def baseline_assumptions(setup: RunSetup, force: str) -> list[str]:
    """Baseline figures drawn on every path (assumptions, when the scenario samples the baseline)."""
    if setup.scenario.baseline != "sampled":
        return []
    figures = setup.forces[force].figures
    return [name for name, figure in figures.items() if figure.kind == "assumption" and figure.low < figure.high]


def lower_first(label: str) -> str:
    """A label to use inside a sentence: 'Pay award' → 'pay award', 'Band D increase' → 'band D increase'."""
    return label[:1].lower() + label[1:] if label[1:2].islower() or label[1:2] == "" else label


def baseline_label(figure: str) -> str:
    """A reader's label for a baseline figure name such as ``plan.grant_change.all_years``."""
    parts = figure.removesuffix(".all_years").split(".")
    if parts[0] == "national" and parts[1] == "plan" and parts[2] in INPUTS:
        return f"Planned {lower_first(INPUTS[parts[2]].label)} (national default)"
    if parts[0] == "plan" and parts[1] in INPUTS:
        return f"Planned {lower_first(INPUTS[parts[1]].label)}"
    if figure == "reserves.general":
        return "Opening general reserve"
    return "Baseline " + " ".join(parts[1:] if len(parts) > 1 else parts).replace("_", " ")


def one_way_factors(setup: RunSetup, force: str) -> list[Factor]:
    """Everything a tornado swings for a force: each stated input, then each baseline assumption."""
    factors = [Factor(name, INPUTS[name].label, "input", input_key(setup, force, name))
               for name in stated_inputs(setup)]
    factors += [Factor(f"baseline:{figure}", baseline_label(figure), "baseline", ("baseline", force, figure))
                for figure in baseline_assumptions(setup, force)]
    return factors


def correlated_components(setup: RunSetup) -> list[list[str]]:
    """Inputs joined by stated correlations (connected components), each sorted as :data:`INPUTS`."""
    parent = {name: name for name in stated_inputs(setup)}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for a, b in setup.scenario.correlations:
        parent[root(a)] = root(b)
    components: dict[str, list[str]] = {}
    for name in parent:
        components.setdefault(root(name), []).append(name)
    return list(components.values())


def sobol_groups(setup: RunSetup, force: str) -> list[SobolGroup]:
    """The independent factor groups of a force's Sobol' analysis, leaving out groups with no spread.

    Every year of an input is one factor; inputs joined by a stated correlation share one
    group (their uniforms are independent only as a group); all baseline assumptions are
    one group; all shocks are one group.
    """
    groups = []
    for members in correlated_components(setup):
        if not any(input_has_spread(setup, force, name) for name in members):
            continue
        streams = tuple((input_key(setup, force, name), input_columns(name)) for name in members)
        groups.append(SobolGroup("+".join(members), " & ".join(INPUTS[name].label for name in members), streams))
    figures = baseline_assumptions(setup, force)
    if figures:
        groups.append(SobolGroup("baseline", "Baseline assumptions",
                                 tuple((("baseline", force, figure), 1) for figure in figures)))
    shocks = [s for s in setup.scenario.shocks if force in s.forces and s.probability > 0 and s.years]
    if shocks:
        streams = tuple((("shock", s.name, force, part), N_MODEL_YEARS) for s in shocks for part in ("occurs", "cost"))
        groups.append(SobolGroup("shocks", "One-off shocks", streams))
    return groups


# ---------------------------------------------------------------------------------------------
# 1. Unit sensitivities (deterministic, force-plan case)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitChange:
    """A unit move of one input in every year it applies, as a finance officer quotes it.

    Attributes
    ----------
    name : str
    label : str
    input : str
        The input moved (its first year is where the move starts).
    apply : callable
        ``apply(inputs, first_year)`` changes a :class:`ForceInputs` in place.
    """

    name: str
    label: str
    input: str
    apply: Callable[[ForceInputs, int], None]


def _add_to_outcome(driver: str, amount: float) -> Callable[[ForceInputs, int], None]:
    def apply(inputs: ForceInputs, first: int) -> None:
        getattr(inputs.outcome, driver)[:, first:] += amount
    return apply


def _lower_delivery(points: float) -> Callable[[ForceInputs, int], None]:
    def apply(inputs: ForceInputs, first: int) -> None:
        rate = inputs.delivery.savings_delivery
        rate[:, first:] = np.clip(rate[:, first:] - points, 0.0, 1.0)
    return apply


UNIT_CHANGES: tuple[UnitChange, ...] = (
    UnitChange("pay_award_1pt", "Pay award 1 point higher", "pay_award", _add_to_outcome("pay_award", 0.01)),
    UnitChange("precept_1pct", "Band D rise 1 point higher", "precept_increase", _add_to_outcome("precept_rate", 0.01)),
    UnitChange("precept_1_pound", "Band D rise £1 higher", "precept_increase", _add_to_outcome("precept_cash", 1.0)),
    UnitChange("grant_1pct", "Grant change 1 point higher", "grant_change", _add_to_outcome("grant_change", 0.01)),
    UnitChange("tax_base_half_pt", "Tax base growth 0.5 point higher", "tax_base_growth",
               _add_to_outcome("tax_base_growth", 0.005)),
    UnitChange("non_pay_1pt", "Non-pay inflation 1 point higher", "non_pay_inflation",
               _add_to_outcome("non_pay_inflation", 0.01)),
    UnitChange("savings_delivery_10pt", "Savings delivery 10 points lower", "savings_delivery", _lower_delivery(0.10)),
)
"""The unit sensitivities of mtfs-practice.md §6.1, each applied from the input's first year."""


def plan_case_inputs(setup: RunSetup, force: str) -> ForceInputs:
    """The deterministic force-plan case (one path), with an outcome that can be changed on its own.

    In the force-plan case the outcome *is* the plan object; it is copied here so that moving
    an outcome leaves the plan (and so the savings requirement) as the force set it.
    """
    inputs = force_inputs(setup, force, 0, 1, case="force_plan")
    inputs.outcome = Drivers(**{f.name: getattr(inputs.plan, f.name).copy() for f in dataclasses.fields(Drivers)})
    inputs.delivery = dataclasses.replace(inputs.delivery, savings_delivery=inputs.delivery.savings_delivery.copy())
    return inputs


def unit_sensitivity(setup: RunSetup, force: str, change: UnitChange) -> dict[str, np.ndarray]:
    """Change in funding, spend, gap and cumulative gap (new − plan), £m, shape ``(years,)`` each."""
    base = project_force(plan_case_inputs(setup, force)).lines
    moved_inputs = plan_case_inputs(setup, force)
    change.apply(moved_inputs, INPUTS[change.input].first_year)
    moved = project_force(moved_inputs).lines
    return {line: moved[line][0] - base[line][0] for line in ("funding", "spend", "gap", "cumulative_gap")}


def unit_sensitivities(setup: RunSetup) -> pd.DataFrame:
    """The finance officer's sensitivity table for every force, exact, from the force-plan case.

    Each input in :data:`UNIT_CHANGES` moves by its unit in every year it applies (from
    ``INPUTS[name].first_year``), everything else as planned; the plan's savings requirement
    is unchanged, so the change shows up in the gap.

    Returns
    -------
    DataFrame
        Columns ``scenario, force, sensitivity, label, input, year, funding, spend, gap,
        cumulative_gap``: changes in £m a year (new − plan; for ``gap`` and
        ``cumulative_gap`` positive = costs more, a worse gap). ``cumulative_gap`` in the
        last year is the total to that year.
    """
    scenario = setup.scenario
    rows = []
    for force in scenario.forces:
        for change in UNIT_CHANGES:
            delta = unit_sensitivity(setup, force, change)
            for t, year in enumerate(scenario.years):
                rows.append([scenario.name, force, change.name, change.label, change.input, year,
                             *(float(delta[line][t]) for line in ("funding", "spend", "gap", "cumulative_gap"))])
    columns = ["scenario", "force", "sensitivity", "label", "input", "year", "funding", "spend", "gap", "cumulative_gap"]
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------------------------
# 2. One-way sensitivities: spider and tornado
# ---------------------------------------------------------------------------------------------


def median_case_outputs(setup: RunSetup, force: str, pinned: dict[tuple, float]) -> dict[str, float]:
    """Cumulative gap and total reserves in the last year (£m), every uniform at 0.5 except ``pinned``."""
    source = QuantileSource(lambda key: pinned.get(key, 0.5))
    lines = project_force(force_inputs(setup, force, 0, 1, source=source)).lines
    return {"cumulative_gap": float(lines["cumulative_gap"][0, -1]),
            "total_reserves": float(lines["total_reserves"][0, -1])}


def breach_flags_pinned(setup: RunSetup, force: str, pins: Sequence[dict[tuple, float]],
                        paths: int) -> list[np.ndarray]:
    """The breach flag by the last year on every path, for each set of pinned quantiles.

    Every other uniform comes from the scenario's streams (common random numbers), with
    the scenario's correlations and persistence exactly as in an ordinary run.

    Returns
    -------
    list of ndarray of bool, each (paths,)
        One per entry of ``pins``.
    """
    flags = [[] for _ in pins]
    force_data = setup.forces[force]
    for start, stop in chunks(paths, setup.scenario.chunk_size):
        base = CachedSource(setup.source)
        finals = input_uniforms(setup, force_data, start, stop, base)
        for k, pinned in enumerate(pins):
            source = FinalUniforms(base, finals, start, pinned)
            projection = project_force(force_inputs(setup, force, start, stop, source=source))
            flags[k].append(projection.flags[BREACH][:, -1])
    return [np.concatenate(parts) for parts in flags]


def paired_difference(new: np.ndarray, old: np.ndarray) -> tuple[float, float]:
    """Mean difference of two paired 0/1 samples and its standard error ``sd(d) / √n``."""
    d = new.astype(float) - old.astype(float)
    mean = float(d.mean())
    variance = max(float((d * d).mean()) - mean * mean, 0.0)
    return mean, math.sqrt(variance / d.size)


def format_value(value: float, unit: str) -> str:
    """A value in internal units as a reader writes it (rates to two decimals, money to one)."""
    if unit == "rate":
        return f"{value * 100:.2f}%"
    if unit == "money":
        return format_money(value, brackets=False)
    if unit == "pounds":
        return format_pounds(value)
    if unit == "years":
        return f"{value:.2f} years"
    return format_quantity(value, unit)


def factor_value_text(setup: RunSetup, force: str, factor: Factor, q: float) -> str:
    """The factor's value at quantile ``q`` (an input: its average over the years it applies)."""
    if factor.kind == "baseline":
        figure = setup.forces[force].figures[factor.key[2]]
        distribution = Distribution("triangular", {"low": figure.low, "mode": figure.central, "high": figure.high},
                                    figure.unit)
        return format_value(float(distribution.ppf(np.array([q]))[0]), figure.unit)
    source = QuantileSource(lambda key: q if key == factor.key else 0.5)
    values, is_cash = sample_input(setup, force, factor.name, 0, 1, source=source)
    years = list(applicable_years(setup, factor.name))
    if not years:
        return "–"
    cash = is_cash[0, years]
    unit = INPUTS[factor.name].units[0]
    if cash.all():
        return format_value(float(values[0, years].mean()), "pounds")
    if not cash.any():
        return format_value(float(values[0, years].mean()), unit)
    texts = dict.fromkeys(format_value(float(v), "pounds" if c else unit) for v, c in zip(values[0, years], cash))
    return " / ".join(texts)


SPIDER_COLUMNS = ["scenario", "force", "factor", "label", "kind", "output", "year", "quantile", "input_value",
                  "value", "std_error", "change", "change_std_error"]

TORNADO_COLUMNS = ["scenario", "force", "factor", "label", "kind", "output", "year", "base", "input_low",
                   "input_high", "at_low", "at_high", "swing", "swing_std_error", "rank"]


def one_way_sensitivities(setup: RunSetup, paths: int | None = None,
                          quantiles: Sequence[float] = SPIDER_QUANTILES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each factor at several of its quantiles with the others at base: the spider and tornado tables.

    Money outputs come from the median case (every other uniform at 0.5), exactly. The
    breach probability keeps every other input uncertain on ``paths`` paths drawn with
    common random numbers, so each change is a paired difference on the same paths.

    Parameters
    ----------
    setup : RunSetup
    paths : int, optional
        Paths for the probabilities (default: the scenario's).
    quantiles : sequence of float
        Quantiles in (0, 1) at which each factor is pinned; P10 and P90 are always added.

    Returns
    -------
    spider : DataFrame
        Columns :data:`SPIDER_COLUMNS`, one row per force × factor × output × quantile.
        ``value`` is the output (£m, or a probability); ``change`` is value − base, where
        the base is the median case for money and the full Monte Carlo for the probability;
        standard errors are Monte Carlo (NaN where exact).
    tornado : DataFrame
        Columns :data:`TORNADO_COLUMNS`, one row per force × factor × output: ``at_low`` /
        ``at_high`` the output with the factor at its P10 / P90 (``input_low`` /
        ``input_high``), ``swing = at_high - at_low`` (exactly 0 for a factor with no
        effect), ``swing_std_error`` its paired Monte Carlo error (NaN for money, which is
        exact), ``rank`` 1 for the largest ``|swing|`` per force and output.
    """
    quantiles = tuple(sorted(set(quantiles) | {TORNADO_LOW, TORNADO_HIGH}))
    paths = paths or setup.scenario.paths
    spider, tornado = [], []
    for force in setup.scenario.forces:
        force_spider, force_tornado = one_way_force(setup, force, paths, quantiles)
        spider += force_spider
        tornado += force_tornado
    tornado_table = pd.DataFrame(tornado, columns=TORNADO_COLUMNS)
    tornado_table["rank"] = tornado_table.groupby(["force", "output"])["swing"].transform(
        lambda s: s.abs().rank(ascending=False, method="first")).astype(int)
    return pd.DataFrame(spider, columns=SPIDER_COLUMNS), tornado_table


def one_way_force(setup: RunSetup, force: str, paths: int, quantiles: tuple[float, ...]) -> tuple[list, list]:
    """Spider and tornado rows for one force (see :func:`one_way_sensitivities`)."""
    scenario = setup.scenario
    year = scenario.years[-1]
    factors = one_way_factors(setup, force)
    base_money = median_case_outputs(setup, force, {})
    flags = breach_flags_pinned(setup, force, [{}] + [{f.key: q} for f in factors for q in quantiles], paths)
    base_flags, base_p = flags[0], float(flags[0].mean())
    low, high = quantiles.index(TORNADO_LOW), quantiles.index(TORNADO_HIGH)
    spider, tornado = [], []
    for i, factor in enumerate(factors):
        common = [scenario.name, force, factor.name, factor.label, factor.kind]
        texts = [factor_value_text(setup, force, factor, q) for q in quantiles]
        money = [median_case_outputs(setup, force, {factor.key: q}) for q in quantiles]
        pinned = flags[1 + i * len(quantiles): 1 + (i + 1) * len(quantiles)]
        for j, q in enumerate(quantiles):
            for output in ("cumulative_gap", "total_reserves"):
                spider.append(common + [output, year, q, texts[j], money[j][output], math.nan,
                                        money[j][output] - base_money[output], math.nan])
            p = float(pinned[j].mean())
            change, change_error = paired_difference(pinned[j], base_flags)
            spider.append(common + [BREACH, year, q, texts[j], p, proportion_standard_error(p, paths), change, change_error])
        for output in ("cumulative_gap", "total_reserves"):
            tornado.append(common + [output, year, base_money[output], texts[low], texts[high], money[low][output],
                                     money[high][output], money[high][output] - money[low][output], math.nan, 0])
        swing, swing_error = paired_difference(pinned[high], pinned[low])
        tornado.append(common + [BREACH, year, base_p, texts[low], texts[high], float(pinned[low].mean()),
                                 float(pinned[high].mean()), swing, swing_error, 0])
    return spider, tornado


# ---------------------------------------------------------------------------------------------
# 3. Variance-based attribution (Sobol')
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SobolDesign:
    """A Saltelli design for grouped factors, laid out as SALib's ``sobol.sample`` lays it out.

    Attributes
    ----------
    matrix : ndarray, shape (n * (groups + 2), columns)
        Uniforms in (0, 1). For each base row i: ``A_i``, then ``A_i`` with group g's
        columns taken from ``B_i`` for each group g, then ``B_i``.
    problem : dict
        The SALib problem (``num_vars``, ``names``, ``bounds``, ``groups``).
    groups : tuple of str
        Group names in design order.
    n : int
        Base samples.
    """

    matrix: np.ndarray
    problem: dict
    groups: tuple[str, ...]
    n: int


def saltelli_matrix(a: np.ndarray, b: np.ndarray, group_of_column: np.ndarray, n_groups: int) -> np.ndarray:
    """Stack ``A``, each ``A`` with one group's columns from ``B``, and ``B``, row by row (SALib's order).

    Parameters
    ----------
    a, b : ndarray, shape (n, columns)
    group_of_column : ndarray of int, shape (columns,)
        Group index of each column, 0 … ``n_groups`` − 1.

    Returns
    -------
    ndarray, shape (n * (n_groups + 2), columns)
    """
    blocks = [a]
    for g in range(n_groups):
        mixed = a.copy()
        mixed[:, group_of_column == g] = b[:, group_of_column == g]
        blocks.append(mixed)
    blocks.append(b)
    n, columns = a.shape
    return np.stack(blocks, axis=1).reshape(n * (n_groups + 2), columns)


def sobol_design(group_columns: dict[str, int], n: int, seed: int) -> SobolDesign:
    """A scrambled Sobol' design for factor groups of given widths.

    Parameters
    ----------
    group_columns : dict of str to int
        Each group's number of uniform columns, in the order the groups are reported.
    n : int
        Base samples, a power of two (Sobol' points are balanced only in powers of two).
    seed : int
        Seed of the scrambling.

    Returns
    -------
    SobolDesign
        With ``n * (len(group_columns) + 2)`` model evaluations.
    """
    if n < 2 or n & (n - 1):
        raise ValueError(f"expected a power of two of base samples, e.g. 1024; found {n}")
    names = list(group_columns)
    group_of_column = np.repeat(np.arange(len(names)), [group_columns[g] for g in names])
    width = group_of_column.size
    engine = qmc.Sobol(d=2 * width, scramble=True, rng=np.random.default_rng(seed))
    base = np.clip(engine.random(n), TINY, 1.0 - TINY)
    matrix = saltelli_matrix(base[:, :width], base[:, width:], group_of_column, len(names))
    problem = {
        "num_vars": width,
        "names": [f"{names[g]}[{k}]" for k, g in enumerate(group_of_column)],
        "bounds": [[0.0, 1.0]] * width,
        "groups": [names[g] for g in group_of_column],
    }
    return SobolDesign(matrix=matrix, problem=problem, groups=tuple(names), n=n)


SOBOL_RESAMPLES = 200
"""Bootstrap resamples behind each confidence interval."""


def analyse_sobol(design: SobolDesign, y: np.ndarray, *, seed: int, confidence: float = 0.95,
                  resamples: int = SOBOL_RESAMPLES) -> pd.DataFrame:
    """First- and total-order indices of each group, with bootstrap confidence intervals.

    The estimators are SALib's (Saltelli et al. 2010 for first order, Jansen for total
    order); the intervals are SALib's normal bootstrap intervals, ``index ± z · sd``.

    Parameters
    ----------
    design : SobolDesign
    y : ndarray, shape (evaluations,)
        The model output on each row of ``design.matrix``.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Columns ``group, S1, S1_low, S1_high, ST, ST_low, ST_high, note``; indices are
        NaN (with a note) when the output does not vary.
    """
    from SALib.analyze import sobol

    columns = ["group", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high", "note"]
    y = np.asarray(y, dtype=float)
    step = len(design.groups) + 2
    if np.ptp(y) == 0.0:
        note = "the output is the same on every evaluation: nothing to attribute"
        return pd.DataFrame([[g] + [math.nan] * 6 + [note] for g in design.groups], columns=columns)
    if np.ptp(np.r_[y[0::step], y[step - 1::step]]) == 0.0:
        # The estimators divide by the variance over the A and B rows, which is nil here.
        note = "the output varies only on mixed rows of the design, too rarely to attribute"
        return pd.DataFrame([[g] + [math.nan] * 6 + [note] for g in design.groups], columns=columns)
    result = sobol.analyze(design.problem, y, calc_second_order=False, num_resamples=resamples,
                           conf_level=confidence, seed=max(int(seed) % 2**32, 1))
    rows = []
    for g, group in enumerate(design.groups):
        s1, s1_half, st, st_half = (float(result[k][g]) for k in ("S1", "S1_conf", "ST", "ST_conf"))
        rows.append([group, s1, s1 - s1_half, s1 + s1_half, st, st - st_half, st + st_half, ""])
    return pd.DataFrame(rows, columns=columns)


def sobol_outputs(setup: RunSetup, force: str, design: SobolDesign,
                  columns_of: dict[tuple, slice]) -> dict[tuple[str, int], np.ndarray]:
    """The model outputs on every row of a design, by ``(output, year index)``.

    Returns
    -------
    dict of (str, int) to ndarray (evaluations,)
        ``cumulative_gap`` and ``total_reserves`` (£m) in the last year; the breach
        indicator (0/1) by each year.
    """
    source = MatrixSource(design.matrix, columns_of)
    years = setup.scenario.n_years
    parts: dict[tuple[str, int], list[np.ndarray]] = {}
    for start, stop in chunks(design.matrix.shape[0], setup.scenario.chunk_size):
        projection = project_force(force_inputs(setup, force, start, stop, source=source))
        parts.setdefault(("cumulative_gap", years - 1), []).append(projection.lines["cumulative_gap"][:, -1])
        parts.setdefault(("total_reserves", years - 1), []).append(projection.lines["total_reserves"][:, -1])
        for t in range(years):
            parts.setdefault((BREACH, t), []).append(projection.flags[BREACH][:, t].astype(float))
    return {key: np.concatenate(values) for key, values in parts.items()}


def design_columns(groups: Sequence[SobolGroup]) -> dict[tuple, slice]:
    """The design columns of each stream key, groups in order and streams in order within each."""
    columns_of, position = {}, 0
    for group in groups:
        for key, width in group.streams:
            columns_of[key] = slice(position, position + width)
            position += width
    return columns_of


SPARSE_BREACHES = 100
"""Below this many breaching evaluations, the indices of the breach indicator are flagged as imprecise."""


def sparse_note(output: str, y: np.ndarray) -> str:
    """A warning for a breach indicator that is 1 on too few evaluations to attribute reliably."""
    breaching = int(y.sum())
    if output != BREACH or breaching >= SPARSE_BREACHES:
        return ""
    return f"only {breaching} of {y.size:,} evaluations breach: the indices are imprecise"


SOBOL_COLUMNS = ["scenario", "force", "output", "year", "group", "label", "S1", "S1_low", "S1_high", "ST", "ST_low",
                 "ST_high", "output_mean", "output_sd", "base_samples", "evaluations", "note"]


def sobol_indices(setup: RunSetup, n: int = 4096, seed: int | None = None) -> pd.DataFrame:
    """Sobol' first- and total-order indices of grouped factors, per force, output and year.

    Factors are the uniforms behind the model: every year of an input is one factor, inputs
    joined by a stated correlation share a group (so the groups are independent, as the
    indices require), all baseline assumptions of a force are one group and all shocks
    another. Groups with no spread for the force are left out (their indices are 0).

    Parameters
    ----------
    setup : RunSetup
    n : int
        Base samples, a power of two; each force costs ``n * (groups + 2)`` evaluations.
    seed : int, optional
        Scrambling and bootstrap seed (default: the scenario's).

    Returns
    -------
    DataFrame
        Columns :data:`SOBOL_COLUMNS`: per force, for ``cumulative_gap`` and
        ``total_reserves`` in the last year and the breach indicator by each year, each
        group's ``S1`` and ``ST`` with their 95% bootstrap intervals; ``output_mean`` is
        the output's mean over the design (for the breach indicator, its probability).
    """
    scenario = setup.scenario
    seed = scenario.seed if seed is None else seed
    rows = []
    for f, force in enumerate(scenario.forces):
        groups = sobol_groups(setup, force)
        if not groups:
            continue
        design = sobol_design({g.name: g.columns for g in groups}, n, seed + f)
        outputs = sobol_outputs(setup, force, design, design_columns(groups))
        labels = {g.name: g.label for g in groups}
        for (output, t), y in outputs.items():
            indices = analyse_sobol(design, y, seed=seed + f)
            for row in indices.itertuples(index=False):
                rows.append([scenario.name, force, output, scenario.years[t], row.group, labels[row.group],
                             row.S1, row.S1_low, row.S1_high, row.ST, row.ST_low, row.ST_high,
                             float(y.mean()), float(y.std()), n, y.size, row.note or sparse_note(output, y)])
    return pd.DataFrame(rows, columns=SOBOL_COLUMNS)


# ---------------------------------------------------------------------------------------------
# 4. Where the bad paths come from
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathFactor:
    """One factor's value on every path, in its own units.

    Attributes
    ----------
    name, label, kind : str
        ``kind`` is ``input``, ``baseline`` or ``shocks``.
    unit : str
        ``rate``, ``money``, ``pounds``, ``years`` or ``count``.
    values : ndarray, shape (paths,)
    """

    name: str
    label: str
    kind: str
    unit: str
    values: np.ndarray


def input_path_values(setup: RunSetup, name: str, values: np.ndarray, is_cash: np.ndarray,
                      band_d: np.ndarray) -> tuple[np.ndarray, str]:
    """An input's value per path, averaged over the years it applies, and its unit.

    A band D input stated partly in £ and partly in % is put in % of the previous year's band D.
    """
    years = list(applicable_years(setup, name))
    unit = INPUTS[name].units[0]
    chosen, cash = values[:, years], is_cash[:, years]
    if cash.all():
        return chosen.mean(axis=1), "pounds"
    if cash.any():
        previous = band_d[:, [t - 1 for t in years]]
        chosen = np.where(cash, chosen / previous, chosen)
    return chosen.mean(axis=1), unit


def path_factors(setup: RunSetup, force: str, start: int, stop: int, source) -> tuple[list[PathFactor], np.ndarray]:
    """Every uncertain factor's value on paths ``[start, stop)`` and the breach flag by the last year."""
    force_data = setup.forces[force]
    n, years = stop - start, setup.scenario.n_years
    projection = project_force(force_inputs(setup, force, start, stop, source=source))
    values = baseline_values(setup, force_data, start, stop, source)
    plan = plan_drivers(setup, force_data, values, n, years)
    uniforms = input_uniforms(setup, force_data, start, stop, source)
    factors = []
    for name in stated_inputs(setup):
        if not input_has_spread(setup, force, name) or not applicable_years(setup, name):
            continue
        drawn, is_cash = draw_input(setup, force_data, name, uniforms, n, years, plan)
        per_path, unit = input_path_values(setup, name, drawn, is_cash, projection.lines["band_d"])
        factors.append(PathFactor(name, INPUTS[name].label, "input", unit, per_path))
    for figure in baseline_assumptions(setup, force):
        factors.append(PathFactor(f"baseline:{figure}", baseline_label(figure), "baseline",
                                  force_data.figures[figure].unit, np.asarray(values[figure], dtype=float)))
    if any(force in shock.forces for shock in setup.scenario.shocks):
        shocks = draw_shocks(setup, force_data, start, stop, years, source).sum(axis=1)
        factors.append(PathFactor("shocks", f"One-off shocks, total to {setup.scenario.years[-1]}", "shocks",
                                  "money", shocks))
    return factors, projection.flags[BREACH][:, -1]


def shift_text(shift: float, unit: str) -> str:
    """A difference in a factor's units: '0.6 points higher', '£1.2m lower'."""
    direction = "higher" if shift > 0 else "lower"
    if unit == "rate":
        points = abs(shift) * 100
        return f"{points:.1f} points {direction}" if points >= 0.1 else f"{points:.2f} points {direction}"
    return f"{format_value(abs(shift), unit)} {direction}"


DRIVER_COLUMNS = ["scenario", "force", "factor", "label", "kind", "unit", "paths", "breach_paths", "median_all",
                  "median_breach", "mean_all", "mean_breach", "p10_all", "p90_all", "shift", "shift_share",
                  "material", "statement"]


def driver_row(factor: PathFactor, breach: np.ndarray) -> dict:
    """How one factor differs on breaching paths, against all paths.

    The shift is in medians, and measured against the factor's P10–P90 range. Shocks either
    happen or not (their median is usually nil on every kind of path), so their shift is in
    means; so is that of any factor whose P10 and P90 coincide, measured then against 2.56
    standard deviations (the P10–P90 width of a normal distribution).
    """
    values, chosen = factor.values, factor.values[breach]
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9])
    median_breach = float(np.median(chosen))
    mean_all, mean_breach = float(values.mean()), float(chosen.mean())
    if p90 > p10 and factor.kind != "shocks":
        shift, measure = median_breach - float(p50), "median"
    else:
        shift, measure = mean_breach - mean_all, "mean"
    scale = float(p90 - p10) if p90 > p10 else P10_P90_WIDTH_IN_SD * float(values.std())
    share = shift / scale if scale > 0 else 0.0
    shown = (median_breach, p50) if measure == "median" else (mean_breach, mean_all)
    label = lower_first(factor.label)
    statement = (f"breaching paths: {label} {shift_text(shift, factor.unit)} "
                 f"({measure} {format_value(shown[0], factor.unit)} against {format_value(float(shown[1]), factor.unit)} on all paths)"
                 if shift != 0 else f"breaching paths: {label} as on all paths")
    return {"factor": factor.name, "label": factor.label, "kind": factor.kind, "unit": factor.unit,
            "median_all": float(p50), "median_breach": median_breach, "mean_all": mean_all,
            "mean_breach": mean_breach, "p10_all": float(p10), "p90_all": float(p90), "shift": shift,
            "shift_share": share, "material": bool(abs(share) > MATERIAL_SHARE), "statement": statement}


def breach_drivers(setup: RunSetup, paths: int | None = None) -> pd.DataFrame:
    """For the paths that breach the minimum general reserve by the last year: how each factor differed.

    Parameters
    ----------
    setup : RunSetup
    paths : int, optional
        Monte Carlo paths (default: the scenario's), from the scenario's own streams.

    Returns
    -------
    DataFrame
        Columns :data:`DRIVER_COLUMNS`, one row per force and uncertain factor (inputs
        averaged over the years they apply, in their units; baseline assumptions; total
        shocks in £m). ``shift`` is median on breaching paths − median on all paths (means
        for factors whose P10 = P90), ``shift_share`` that shift over the P10–P90 range, and
        ``material`` is ``|shift_share| >`` :data:`MATERIAL_SHARE`. Rows are sorted by
        ``|shift_share|``, largest first; a force with no breaching path gets no rows.
    """
    scenario = setup.scenario
    paths = paths or scenario.paths
    source = setup.source
    tables = []
    for force in scenario.forces:
        collected: list[list[PathFactor]] = []
        flags = []
        for start, stop in chunks(paths, scenario.chunk_size):
            factors, breach = path_factors(setup, force, start, stop, source)
            collected.append(factors)
            flags.append(breach)
        breach = np.concatenate(flags)
        if not breach.any():
            continue
        rows = []
        for k, first in enumerate(collected[0]):
            factor = dataclasses.replace(first, values=np.concatenate([chunk[k].values for chunk in collected]))
            rows.append(driver_row(factor, breach))
        table = pd.DataFrame(rows)
        table.insert(0, "breach_paths", int(breach.sum()))
        table.insert(0, "paths", paths)
        table.insert(0, "force", force)
        table.insert(0, "scenario", scenario.name)
        order = table["shift_share"].abs().sort_values(ascending=False, kind="stable").index
        tables.append(table.loc[order])
    if not tables:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    return pd.concat(tables, ignore_index=True)[DRIVER_COLUMNS]
