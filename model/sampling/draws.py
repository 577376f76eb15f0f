"""Turn a scenario and force baselines into engine arrays, chunk by chunk.

Uniforms come from a source (:mod:`model.sampling.uniforms`): keyed pseudo-random streams, Sobol'
points, or fixed quantiles for the deterministic cases. Stated correlations and
persistence are imposed on their normal scores (:mod:`model.sampling.dependence`); distributions
then turn them into values by inverse CDF. National inputs use the scope ``national``, so
every force sees the same draw on a path.

The engine's yearly inputs are ``(paths, years)`` arrays stored years by paths
(:func:`yearly`), as the engine works on them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.declare.distributions import Distribution, triangular_ppf
from model.declare.fiscal import MODEL_YEARS
from model.declare.inputs import INPUT_GROUPS, INPUTS, PRECEPT_RULE_CODES
from model.declare.units import parse_quantity
from model.engine.capital import SOURCE_NAMES, Capital
from model.engine.projection import (
    BudgetYear,
    Delivery,
    Drivers,
    ForceInputs,
    Levy,
    ManagementAction,
    split_budget_year,
)
from model.engine.waterfall import BUDGET_SUPPORT, CAPITAL, GENERAL, ONE_OFF, ReservePolicy
from model.io.forces import ForceData, evaluate_figures, evaluate_formula, formula_references
from model.io.scenario import PLAN, RULE_PLAN, RULE_UNIT
from model.sampling.dependence import CorrelationPlan, correlate, persist, to_scores, to_uniforms
from model.sampling.setup import RunSetup
from model.sampling.uniforms import QuantileSource, make_source

N_MODEL_YEARS = len(MODEL_YEARS)
NO_LIMIT = 1e6
"""A referendum limit (as a rate) that never binds: used for the force's own plan."""

DRIVER_INPUTS = (
    "grant_change", "tax_base_growth", "collection_fund", "pay_award", "pay_drift", "non_pay_inflation", "borrowing_rate",
)
"""Yearly inputs that go straight into :class:`~model.engine.projection.Drivers` as rates."""

PENSION_STEPS = {"officer_pension_step": "officer_pension_step_year", "staff_pension_step": "staff_pension_step_year"}
"""Each pension rate step and the input that says the first year it applies."""

PLAN_INPUTS = DRIVER_INPUTS + ("precept_increase",)
"""Inputs that can take the force's plan: their draws read the plan's drivers."""

INPUT_FIELDS: dict[str, tuple[str, ...]] = {
    **{name: (f"outcome.{name}",) for name in DRIVER_INPUTS},
    "precept_increase": ("outcome.precept_rate", "outcome.precept_cash", "outcome.precept_rule"),
    "referendum_limit": ("outcome.limit_rate", "outcome.limit_cash"),
    **{name: (f"outcome.{step}",) for step, year in PENSION_STEPS.items() for name in (step, year)},
    "savings_delivery": ("delivery.savings_delivery",),
    "collaboration_savings_size": ("delivery.collaboration_size",),
    "collaboration_savings_delay": ("delivery.collaboration_delay",),
    "action_savings_delivery": ("delivery.action_delivery",),
}
"""The fields of :class:`~model.engine.projection.ForceInputs` each input is drawn into (``outcome.*`` of
:class:`~model.engine.projection.Drivers`, ``delivery.*`` of :class:`~model.engine.projection.Delivery`):
:func:`input_fields` draws them, for :func:`force_inputs` and for pinning one input
(:mod:`model.sampling.pinned`). Every other field follows the baseline figures, the plan or the shocks."""


def stream_catalogue(setup: RunSetup) -> list[tuple[tuple[str, ...], int]]:
    """Every uniform stream a Monte Carlo run of ``setup`` draws, as ``(key, columns)``."""
    streams = []
    for name in sorted(stated_inputs(setup)):
        scopes = ["national"] if INPUTS[name].scope == "national" else list(setup.scenario.forces)
        streams += [(("input", name, scope), input_columns(name)) for scope in scopes]
    for force_id in setup.scenario.forces:
        if setup.scenario.baseline == "sampled":
            streams += [(("baseline", force_id, name), 1) for name, figure in setup.forces[force_id].figures.items()
                        if figure.kind == "assumption"]
        for shock in setup.scenario.shocks:
            if force_id in shock.forces:
                streams += [(("shock", shock.name, force_id, part), N_MODEL_YEARS) for part in ("occurs", "cost")]
    return streams


def run_source(*setups: RunSetup):
    """The uniform source for runs of ``setups`` on common paths: the first one's method and seed.

    A Sobol' design covers the streams of every setup (a comparison draws both scenarios'
    streams from one design).
    """
    first = setups[0].scenario
    if first.sampling != "sobol":
        return make_source(first.sampling, first.seed)
    return make_source(first.sampling, first.seed, [stream for setup in setups for stream in stream_catalogue(setup)])


def baseline_values(setup: RunSetup, force: ForceData, start: int, stop: int, source=None) -> dict[str, object]:
    """Value of every figure for a force on paths ``[start, stop)``.

    Assumption figures are drawn from ``source`` (triangular on low, central, high); with
    no source, or when the scenario asks for the central baseline, they take their central
    values. Derived figures follow them: only those that depend on a drawn assumption are
    evaluated again for each chunk (:func:`central_figures`).
    """
    assumptions = [figure for figure in force.figures.values() if figure.kind == "assumption"]
    central, dependent = central_figures(force)
    values = dict(central)
    if source is not None and setup.scenario.baseline == "sampled" and assumptions:
        # One row per assumption, paths along the rows, so the inverse CDF runs along contiguous memory.
        uniforms = np.empty((len(assumptions), stop - start))
        for k, figure in enumerate(assumptions):
            uniforms[k] = source.draw(("baseline", force.id, figure.name), start, stop, 1)[:, 0]
        sampled = assumption_values(assumptions, uniforms)
        values.update((figure.name, sampled[k]) for k, figure in enumerate(assumptions))
        derive_figures(force, values, dependent)
    return values


def assumption_values(assumptions: list, uniforms: np.ndarray) -> np.ndarray:
    """Assumption figures from their uniforms, one row per figure and paths along the rows.

    One triangular inverse CDF on each figure's low, central and high for every figure at
    once (ranges were checked on loading); a row's values do not depend on the other rows.
    """
    return triangular_ppf(uniforms, *(np.array([[getattr(f, part)] for f in assumptions])
                                      for part in ("low", "central", "high")))


def derive_figures(force: ForceData, values: dict[str, object], dependent: tuple[str, ...]) -> None:
    """Evaluate again, in place and in order, the derived figures that follow a drawn assumption (:func:`central_figures`)."""
    for name in dependent:
        values[name] = evaluate_formula(force.figures[name].formula, values)


_CENTRAL_FIGURES: dict[int, tuple[dict, dict[str, object], tuple[str, ...]]] = {}


def central_figures(force: ForceData) -> tuple[dict[str, object], tuple[str, ...]]:
    """Every figure of a force at its central value, and the derived figures that follow an assumption.

    Computed once per force baseline (its ``figures``) and kept: a run evaluates the other
    formulas once, not once a chunk. The derived figures are in an order in which each
    comes after every figure it refers to.

    Returns
    -------
    central : dict of str to float
        :func:`~model.io.forces.evaluate_figures` with no draws. Not to be changed.
    dependent : tuple of str
        Derived figures that refer, directly or through others, to an assumption.
    """
    cached = _CENTRAL_FIGURES.get(id(force.figures))
    if cached is not None and cached[0] is force.figures:
        return cached[1], cached[2]
    figures = force.figures
    order: list[str] = []
    depends: dict[str, bool] = {}

    def visit(name: str) -> bool:
        if name not in depends:
            figure = figures[name]
            depends[name] = figure.kind == "assumption"
            if figure.kind == "derived":
                depends[name] = any([visit(ref) for ref in formula_references(figure.formula) if ref in figures])
                if depends[name]:
                    order.append(name)
        return depends[name]

    central = evaluate_figures(figures)  # raises on a bad formula, before anything is cached
    for name in figures:
        visit(name)
    if len(_CENTRAL_FIGURES) > 256:
        _CENTRAL_FIGURES.clear()
    _CENTRAL_FIGURES[id(figures)] = (figures, central, tuple(order))
    return central, tuple(order)


def _column(value: object, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()


def yearly(n: int, years: int, fill: float = 0.0, dtype=float) -> np.ndarray:
    """A ``(n, years)`` array of ``fill``, stored years by paths: ``np.full((years, n), fill).T``.

    The engine works on ``(years, paths)`` rows and reads its yearly inputs through ``.T``;
    stored this way each year is one contiguous row there, so it reads no strided memory and
    copies nothing to lay them out, and a year written here (``array[:, t]``) is contiguous too.
    """
    rows = np.zeros((years, n), dtype) if fill == 0 else np.full((years, n), fill, dtype)
    return rows.T


def plan_figure(setup: RunSetup, force: ForceData, name: str, year: int) -> str | None:
    """The name of the figure holding a force's planning assumption for an input and year, or ``None``.

    The force's own ``plan`` wins over the national default plan; a year-specific
    figure wins over ``all_years``.
    """
    for plan in (force.plan, setup.national.plan):
        keys = plan.get(name, {})
        for key in (MODEL_YEARS[year], "all_years"):
            if key in keys:
                return keys[key]
    return None


def plan_value(setup: RunSetup, force: ForceData, values: dict[str, object], name: str, year: int):
    """A force's planning assumption for an input and year as ``(value, unit)``, or ``None`` (see :func:`plan_figure`)."""
    figure = plan_figure(setup, force, name, year)
    return None if figure is None else (values[figure], force.figures[figure].unit)


def plan_drivers(setup: RunSetup, force: ForceData, values: dict[str, object], n: int, years: int) -> Drivers:
    """The force's own planning assumptions as :class:`Drivers`, shape ``(n, years)`` stored years by paths (:func:`yearly`).

    The plan states its band D rises (no referendum limit binds a force's own plan), has no
    pension rate step (2016 plans assumed the rates unchanged: mtfs-practice.md §6.2) and
    carries only the pressures its file marks as planned.
    """
    arrays = {name: yearly(n, years) for name in DRIVER_INPUTS}
    precept_rate = yearly(n, years)
    precept_cash = yearly(n, years)
    for name in DRIVER_INPUTS + ("precept_increase",):
        declaration = INPUTS[name]
        for t in range(declaration.first_year, years):
            found = plan_value(setup, force, values, name, t)
            if found is None:
                quantity = parse_quantity(declaration.default, declaration.units)
                found = (quantity.value, quantity.unit)
            value, unit = found
            if name == "precept_increase":
                target = precept_cash if unit == "pounds" else precept_rate
                target[:, t] = value
            else:
                arrays[name][:, t] = value
    return Drivers(
        precept_rate=precept_rate, precept_cash=precept_cash, precept_rule=yearly(n, years, dtype=np.int8),
        limit_rate=yearly(n, years, NO_LIMIT), limit_cash=yearly(n, years),
        officer_pension_step=yearly(n, years), staff_pension_step=yearly(n, years),
        pressures=pressure_levels(force, values, n, years, planned_only=True), **arrays,
    )


def pressure_levels(force: ForceData, values: dict[str, object], n: int, years: int, *, planned_only: bool) -> np.ndarray:
    """Recurring pressures each year, £m, shape ``(n, years)`` stored years by paths: the planned ones, or all of them."""
    levels = yearly(n, years)
    for pressure in force.pressures:
        if pressure.in_plan or not planned_only:
            levels[:, pressure.first_year:] += _column(values[pressure.amount], n)[:, None]
    return levels


@dataclass
class NationalDraws:
    """The draws of national inputs for one range of paths, shared by every force.

    Attributes
    ----------
    uniforms : dict of str to ndarray, each (paths, model years)
        Uniforms of every national input, with correlation and persistence imposed.
    scores : dict of str to ndarray, each (paths, model years)
        Independent normal scores of the national inputs in the correlation plan: the
        force inputs' correlated scores are built on them.
    """

    uniforms: dict[str, np.ndarray]
    scores: dict[str, np.ndarray]


def stated_inputs(setup: RunSetup) -> list[str]:
    """Inputs with a uniform stream in this scenario, in declaration order: those it states and those it correlates."""
    plan = setup.correlation
    names = set(setup.scenario.inputs) | (set(plan.names) if plan else set())
    return [name for name in INPUTS if name in names]


def input_columns(name: str) -> int:
    """Uniform columns an input draws: one per model year, or one for a per-path input."""
    return 1 if INPUTS[name].timing == "per_path" else N_MODEL_YEARS


def held_score_year(plan: CorrelationPlan, name: str) -> int:
    """The year whose correlated score a per-path input takes when it is correlated with yearly national inputs.

    National inputs are drawn before, and shared by, every force, so they cannot lean on a
    force's once-a-path draw; the per-path input is correlated instead with their first
    year that applies (2017/18 for the grant settlement), and through any persistence
    more weakly with later years.
    """
    row = plan.names.index(name)
    years = [INPUTS[name].first_year]
    for column, other in enumerate(plan.names[:row]):
        if plan.cholesky[row, column] != 0.0 and input_columns(other) > 1:
            years.append(INPUTS[other].first_year)
    return max(years)


def _impose_dependence(setup: RunSetup, drawn: dict[str, np.ndarray], independent: dict[str, np.ndarray],
                       source) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Correlation and persistence for the inputs in ``drawn``, on top of ``independent`` scores.

    A per-path input (one column) keeps the same score in every year, so a yearly input
    correlated with it is correlated in every year. Returns the uniforms of ``drawn``
    with dependence imposed, and their independent scores.
    """
    if getattr(source, "final", False):
        return drawn, {}
    scenario = setup.scenario
    plan = setup.correlation
    correlated = [name for name in plan.names if name in drawn] if plan else []
    moving = [name for name in drawn if name in scenario.inputs and scenario.inputs[name].over_years != "independent"]
    transformed = set(correlated) | set(moving)
    own_scores = {name: to_scores(drawn[name]) for name in sorted(transformed)}
    scores = dict(own_scores)
    if correlated:
        for name, score in correlate({**independent, **own_scores}, plan, correlated).items():
            if input_columns(name) == 1 and score.shape[1] > 1:
                column = held_score_year(plan, name)
                score = score[:, column:column + 1]
            scores[name] = score
    for name in moving:
        spec = scenario.inputs[name]
        scores[name] = persist(scores[name], spec.over_years, spec.persistence, INPUTS[name].first_year)
    result = dict(drawn)
    result.update({name: to_uniforms(scores[name]) for name in transformed})
    return result, {name: own_scores[name] for name in correlated}


def national_draws(setup: RunSetup, start: int, stop: int, source) -> NationalDraws:
    """Uniforms of the national inputs on paths ``[start, stop)``, drawn once for every force.

    National inputs come first in the correlation plan, so their correlated scores depend
    on national draws alone and are the same whichever force asks.
    """
    names = sorted(name for name in stated_inputs(setup) if INPUTS[name].scope == "national")
    drawn = {name: source.draw(("input", name, "national"), start, stop, input_columns(name)) for name in names}
    uniforms, scores = _impose_dependence(setup, drawn, {}, source)
    return NationalDraws(uniforms, scores)


def input_uniforms(setup: RunSetup, force: ForceData, start: int, stop: int, source,
                   national: NationalDraws | None = None) -> dict[str, np.ndarray]:
    """Uniforms of every stated input for a force, with correlation and persistence imposed.

    Parameters
    ----------
    national : NationalDraws, optional
        The national inputs' draws for the same paths and source, when already made for
        another force (:func:`national_draws`).

    Returns
    -------
    dict of str to ndarray, each (paths, model years), or (paths, 1) for a per-path input
    """
    if national is None:
        national = national_draws(setup, start, stop, source)
    names = sorted(name for name in stated_inputs(setup) if INPUTS[name].scope != "national")
    drawn = {name: source.draw(("input", name, force.id), start, stop, input_columns(name)) for name in names}
    uniforms, _ = _impose_dependence(setup, drawn, national.scores, source)
    return {**national.uniforms, **uniforms}


def draw_input(setup: RunSetup, force: ForceData, name: str, uniforms: dict[str, np.ndarray], n: int, years: int,
               plan: Drivers | None) -> tuple[np.ndarray, np.ndarray]:
    """One input's values for a force: ``(values, is_cash)``, each of shape ``(paths, years)`` stored years by paths.

    ``is_cash`` marks values in £ (band D amounts) rather than rates. Years before the
    input's first year are zero. Where the scenario says nothing (or ``plan``), the value
    is the force's planning assumption, or the input's declared default. A precept rule
    other than a stated rise gives a value of zero (see :func:`draw_precept`).
    """
    values, is_cash, _ = _draw(setup, force, name, uniforms, n, years, plan)
    return values, is_cash


def draw_precept(setup: RunSetup, force: ForceData, uniforms: dict[str, np.ndarray], n: int, years: int,
                 plan: Drivers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The PCC's band D decision on each path and year: ``(rate, cash, rule)``, each ``(paths, years)``.

    ``rule`` is :data:`~model.declare.inputs.PRECEPT_RULE_CODES` (a stated rise, the most
    the limit allows, or what balances); a stated rise is ``rate`` of last year's band D
    plus ``cash`` £, and both are zero for the other rules.
    """
    values, is_cash, rule = _draw(setup, force, "precept_increase", uniforms, n, years, plan)
    stated = rule == PRECEPT_RULE_CODES["stated"]
    return np.where(is_cash | ~stated, 0.0, values), np.where(is_cash & stated, values, 0.0), rule


def _draw(setup: RunSetup, force: ForceData, name: str, uniforms: dict[str, np.ndarray], n: int, years: int,
          plan: Drivers | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values = yearly(n, years)
    is_cash = yearly(n, years, dtype=bool)
    rule = yearly(n, years, dtype=np.int8)
    stated = PRECEPT_RULE_CODES["stated"]
    per_path = INPUTS[name].timing == "per_path"
    for chosen, columns in _draw_plan(setup, force, name, years):
        if chosen == PLAN:
            for t in columns:
                values[:, t], is_cash[:, t] = _plan_of(plan, name, t)
            continue
        where = _as_index(columns)
        if chosen.is_fixed and chosen.unit != RULE_UNIT:
            values[:, where], is_cash[:, where], rule[:, where] = chosen.params["value"], chosen.unit == "pounds", stated
            continue
        if chosen.is_fixed:
            drawn = np.full((n, 1), chosen.params["value"])
            cash, ruled = np.zeros((n, 1), dtype=bool), np.ones((n, 1), dtype=bool)
        else:
            # A per-path input has one column, used in every year; contiguous, the inverse CDF runs faster. Stored
            # years by paths like ``values``, so what the inverse CDF gives is copied in a year at a time.
            u = np.ascontiguousarray((uniforms[name][:, :1] if per_path else uniforms[name][:, where]).T).T
            if chosen.kind != "choice":
                if chosen.unit != RULE_UNIT:
                    values[:, where], is_cash[:, where], rule[:, where] = chosen.ppf(u), chosen.unit == "pounds", stated
                    continue
                drawn = chosen.ppf(u)
                cash, ruled = np.zeros(u.shape, dtype=bool), np.ones(u.shape, dtype=bool)
            else:
                # The option each uniform picks, as ppf and in_units pick it: one search for value, unit and rule.
                picked = chosen._option_index(u)
                drawn = np.array([option[0] for option in chosen.options])[picked]
                cash = np.array([option[1] == "pounds" for option in chosen.options])[picked]
                if not any(option[1] == RULE_UNIT for option in chosen.options):
                    values[:, where], is_cash[:, where], rule[:, where] = drawn, cash, stated
                    continue
                ruled = np.array([option[1] == RULE_UNIT for option in chosen.options])[picked]
        shape = (n, len(columns))
        drawn, cash, ruled = (np.broadcast_to(array, shape) for array in (drawn, cash, ruled))
        planned = ruled & (drawn == RULE_PLAN)
        values[:, where] = np.where(ruled, 0.0, drawn)
        is_cash[:, where] = cash
        rule[:, where] = np.where(ruled & ~planned, drawn, stated)
        for k in np.flatnonzero(planned.any(axis=0)):
            plan_values, plan_cash = _plan_of(plan, name, columns[k])
            values[:, columns[k]] = np.where(planned[:, k], plan_values, values[:, columns[k]])
            is_cash[:, columns[k]] = np.where(planned[:, k], plan_cash, is_cash[:, columns[k]])
    return values, is_cash, rule


def _draw_plan(setup: RunSetup, force: ForceData, name: str, years: int) -> list[tuple[Distribution | str, list[int]]]:
    """What an input takes in each year for a force: ``(distribution or PLAN, columns)``, years from its first.

    Where the scenario says nothing the input takes the force's plan (for inputs that
    default to it) or its declared default, one fixed distribution for every such year.
    """
    declaration = INPUTS[name]
    spec = setup.scenario.inputs.get(name)
    per_path = declaration.timing == "per_path"
    default = None
    groups: dict[int, tuple[Distribution | str, list[int]]] = {}
    for t in range(declaration.first_year, years):
        chosen = spec.resolve(force.id, None if per_path else t) if spec else None
        if chosen is None and declaration.plan_default:
            chosen = PLAN
        if chosen is None:
            if default is None:
                quantity = parse_quantity(declaration.default, declaration.units)
                default = Distribution("fixed", {"value": quantity.value}, quantity.unit)
            chosen = default
        groups.setdefault(id(chosen), (chosen, []))[1].append(t)
    return list(groups.values())


def _as_index(columns: list[int]) -> slice | list[int]:
    """Consecutive columns as a slice (a view, not a copy), others as a list."""
    if columns == list(range(columns[0], columns[-1] + 1)):
        return slice(columns[0], columns[-1] + 1)
    return columns


def _plan_of(plan: Drivers | None, name: str, t: int) -> tuple[np.ndarray, np.ndarray]:
    """An input's planned value in year ``t`` and whether it is in £, from the plan's drivers."""
    if name == "precept_increase":
        cash = plan.precept_cash[:, t]
        return np.where(cash != 0.0, cash, plan.precept_rate[:, t]), cash != 0.0
    return getattr(plan, name)[:, t], np.zeros(plan.precept_cash.shape[0], dtype=bool)


def pension_steps(setup: RunSetup, force: ForceData, uniforms: dict[str, np.ndarray], n: int,
                  years: int) -> dict[str, np.ndarray]:
    """Each pension rate step in effect by year, ``(paths, years)`` stored years by paths: its size from its first year on.

    A first year drawn between two fiscal years (a continuous distribution) starts the step
    in the later one.
    """
    return {step: pension_step(setup, force, step, uniforms, n, years) for step in PENSION_STEPS}


def pension_step(setup: RunSetup, force: ForceData, step: str, uniforms: dict[str, np.ndarray], n: int,
                 years: int) -> np.ndarray:
    """One pension rate step of :data:`PENSION_STEPS` in effect by year, ``(paths, years)`` (see :func:`pension_steps`)."""
    year = PENSION_STEPS[step]
    if years <= max(INPUTS[step].first_year, INPUTS[year].first_year):
        return yearly(n, years)
    size, _ = draw_input(setup, force, step, uniforms, n, years, None)
    first, _ = draw_input(setup, force, year, uniforms, n, years, None)
    start = np.ceil(first[:, INPUTS[year].first_year] - 1e-9)
    # The condition laid out as ``size`` is, so that np.where gives the step in that layout too.
    return np.where((np.arange(years)[:, None] >= start).T, size, 0.0)


def input_fields(setup: RunSetup, force: ForceData, uniforms: dict[str, np.ndarray], plan: Drivers, n: int,
                 years: int, names=None) -> dict[str, np.ndarray]:
    """The fields of the engine's inputs drawn from the inputs ``names`` (default: all), as :data:`INPUT_FIELDS` maps them.

    Parameters
    ----------
    uniforms : dict of str to ndarray
        :func:`input_uniforms`: every stated input's uniforms, dependence imposed.
    plan : Drivers
        The force's plan (:func:`plan_drivers`), which the inputs of :data:`PLAN_INPUTS` can take.
    names : collection of str, optional
        Inputs whose fields to draw; a pension step is drawn again when its size or its
        first year is named.

    Returns
    -------
    dict of str to ndarray
        ``'outcome.<field>'`` and ``'delivery.<field>'``, each ``(paths, years)`` stored years by paths (the
        collaboration size and delay ``(paths,)``); the management action's delivery only
        when the scenario's action makes savings.
    """
    names = INPUT_FIELDS if names is None else names

    def draw(name: str, with_plan: bool = True):
        return draw_input(setup, force, name, uniforms, n, years, plan if with_plan else None)

    fields = {f"outcome.{name}": draw(name)[0] for name in DRIVER_INPUTS if name in names}
    if "precept_increase" in names:
        fields.update(zip(INPUT_FIELDS["precept_increase"], draw_precept(setup, force, uniforms, n, years, plan),
                          strict=True))
    if "referendum_limit" in names:
        limit, limit_is_cash = draw("referendum_limit", with_plan=False)
        limit_rate = np.where(limit_is_cash, 0.0, limit)
        limit_rate[:, 0] = NO_LIMIT
        fields["outcome.limit_rate"], fields["outcome.limit_cash"] = limit_rate, np.where(limit_is_cash, limit, 0.0)
    for step, year in PENSION_STEPS.items():
        if step in names or year in names:
            fields[f"outcome.{step}"] = pension_step(setup, force, step, uniforms, n, years)
    if "savings_delivery" in names:
        fields["delivery.savings_delivery"] = draw("savings_delivery", False)[0]
    for name in ("collaboration_savings_size", "collaboration_savings_delay"):
        if name in names:
            fields[INPUT_FIELDS[name][0]] = draw(name, False)[0][:, 0]
    if "action_savings_delivery" in names and setup.scenario.action.savings_share > 0.0:
        fields["delivery.action_delivery"] = draw("action_savings_delivery", False)[0]
    return fields


def fields_of(fields: dict[str, np.ndarray], owner: str) -> dict[str, np.ndarray]:
    """The entries of :func:`input_fields` for one part of the engine's inputs (``outcome`` or ``delivery``), by field name."""
    prefix = owner + "."
    return {key[len(prefix):]: value for key, value in fields.items() if key.startswith(prefix)}


def sample_input(setup: RunSetup, force_id: str, name: str, start: int, stop: int, source=None):
    """One input's Monte Carlo values for a force on paths ``[start, stop)``: ``(values, is_cash)``."""
    force = setup.forces[force_id]
    source = source or run_source(setup)
    n, years = stop - start, setup.scenario.n_years
    plan = plan_drivers(setup, force, baseline_values(setup, force, start, stop, source), n, years)
    return draw_input(setup, force, name, input_uniforms(setup, force, start, stop, source), n, years, plan)


def draw_shocks(setup: RunSetup, force: ForceData, start: int, stop: int, years: int, source) -> np.ndarray:
    """Total one-off shock costs per path and year, £m, shape ``(paths, years)`` stored years by paths."""
    total = yearly(stop - start, years)
    for shock in setup.scenario.shocks:
        if force.id not in shock.forces:
            continue
        happens = source.draw(("shock", shock.name, force.id, "occurs"), start, stop, N_MODEL_YEARS)
        cost_u = source.draw(("shock", shock.name, force.id, "cost"), start, stop, N_MODEL_YEARS)
        for t in shock.years:
            if t < years:
                hit = np.flatnonzero(happens[:, t] < shock.probability)
                total[hit, t] += shock.cost.ppf(cost_u[hit, t])
    return total


def case_source(setup: RunSetup, case: str) -> QuantileSource:
    """Fixed quantiles for a deterministic case.

    ``median_case`` puts every uniform at 0.5. ``optimistic`` puts each input at its
    favourable tail (the scenario's ``deterministic_cases.tail``, 10% by default: the
    value it beats one time in ten), shocks at no occurrence and low cost, and baseline
    assumptions at their medians; ``pessimistic`` is the mirror image.
    """
    tail = setup.scenario.case_tail

    def quantile_for(key: tuple[str, ...]) -> float:
        if case == "median_case" or key[0] == "baseline":
            return 0.5
        good = case == "optimistic"
        if key[0] == "input":
            high_is_good = INPUTS[key[1]].favourable == "higher"
            return 1.0 - tail if high_is_good == good else tail
        if key[-1] == "occurs":
            return 1.0 - tail if good else tail
        return tail if good else 1.0 - tail

    return QuantileSource(quantile_for)


RESERVE_KINDS = {"budget_support": BUDGET_SUPPORT, "one_off_spend": ONE_OFF, "capital": CAPITAL, "held": ONE_OFF,
                 "insurance": ONE_OFF}
"""What an earmarked reserve's planned draws pay for, by its purpose: the revenue gap, its own one-off
spending (held and insurance reserves pay for their named purposes), or the capital programme."""


def reserve_policy(setup: RunSetup, force: ForceData) -> ReservePolicy:
    """The scenario's reserve policy for a force, with reserve names turned into indices.

    By default a shortfall is met from the earmarked reserves that may meet one (budget
    support, or any the force file marks ``meets_shortfall``) in the order the file lists
    them, then from the general reserve; a scenario's ``shortfall_order`` replaces that
    order, and may name other reserves (the scenario then allows them). A surplus beyond
    the general reserve's target goes to the first earmarked reserve in the order.
    """
    spec = setup.scenario.policy_for(force.id)
    names = [r.name for r in force.earmarked]
    if spec.shortfall_order is None:
        order = tuple(k for k, reserve in enumerate(force.earmarked) if reserve.meets_shortfall) + (GENERAL,)
    else:
        order = tuple(GENERAL if name == "general" else names.index(name) for name in spec.shortfall_order)
    earmarked_first = [index for index in order if index != GENERAL]
    return ReservePolicy(
        minimum_general_rate=spec.minimum_general_rate,
        target_general_rate=spec.target_general_rate,
        shortfall_order=order,
        surplus_reserve=earmarked_first[0] if earmarked_first else GENERAL,
        roll_forward=spec.roll_forward,
    )


def capital_of(force: ForceData, values: dict[str, object], n: int, years: int) -> Capital:
    """A force's capital programme and funding as engine arrays."""
    plan = force.capital

    def by_year(figures: dict[int, str]) -> np.ndarray:
        array = yearly(n, years)
        for t, name in figures.items():
            if t < years:
                array[:, t] = _column(values[name], n)
        return array

    return Capital(
        programme=by_year(plan.programme), grant=by_year(plan.grant), receipts=by_year(plan.receipts),
        revenue_contribution=by_year(plan.revenue_contribution), asset_life=_column(values[plan.asset_life], n),
        existing_financing=_column(values["budget.capital_financing"], n),
        order=tuple(SOURCE_NAMES[source] for source in plan.funding_order),
    )


def levy_of(values: dict[str, object], n: int) -> Levy:
    """The apprenticeship levy from the national figures."""
    return Levy(rate=_column(values["national.apprenticeship_levy_rate"], n),
                allowance=_column(values["national.apprenticeship_levy_allowance_m"], n),
                first_year=int(round(float(np.asarray(values["national.apprenticeship_levy_start"]).flat[0]))))


@dataclass(frozen=True)
class Levers:
    """Decisions a finance officer can change, applied on top of a scenario (for goal seeks).

    Attributes
    ----------
    precept_increase : Distribution, optional
        A fixed band D rise (rate or £) every year from 2017/18, replacing the scenario's;
        still capped by the referendum limit.
    extra_savings : float
        An additional recurring saving made from 2017/18 and kept in every later year, £m a
        year, delivered in full.
    """

    precept_increase: Distribution | None = None
    extra_savings: float = 0.0


HELD_DRIVERS = {"grant": ("grant_change",), "precept": ("precept_rate", "precept_cash", "precept_rule"),
                "tax_base": ("tax_base_growth", "collection_fund"), "pay": ("pay_award", "pay_drift"),
                "non_pay": ("non_pay_inflation",), "capital": ("borrowing_rate",), "pressures": ("pressures",)}
"""The fields of :class:`~model.engine.projection.Drivers` each group takes from the force's plan when held there."""


def held_fields(plan: Drivers, delivery: Delivery, groups) -> dict[str, np.ndarray]:
    """The fields of the engine's inputs that hold ``groups`` at the force's plan, with their values there.

    Parameters
    ----------
    plan : Drivers
        The force's plan (:func:`plan_drivers`), each ``(paths, years)``.
    delivery : Delivery
        The drawn delivery: only whether it carries a management action's delivery is read.
    groups : collection of str
        Groups of :data:`~model.declare.inputs.INPUT_GROUPS`. ``baseline`` holds no field: it
        holds the figures (:func:`baseline_values` without a source) the inputs are assembled from.

    Returns
    -------
    dict of str to ndarray
        ``'outcome.<field>'`` and ``'delivery.<field>'`` as in :data:`INPUT_FIELDS` (with
        ``outcome.pressures`` and ``delivery.shocks``), each ``(paths, years)`` stored years by paths, the
        collaboration size and delay ``(paths,)``: the plan's own arrays for its drivers,
        new arrays for the rest (no referendum limit, no pension step, savings and
        collaboration in full and on time, no shock).

    Raises
    ------
    ValueError
        A group that is not one of :data:`~model.declare.inputs.INPUT_GROUPS`.
    """
    unknown = set(groups) - set(INPUT_GROUPS)
    if unknown:
        raise ValueError(f"unknown input groups: {sorted(unknown)}")
    n, years = plan.grant_change.shape
    fields = {f"outcome.{name}": getattr(plan, name)
              for group in HELD_DRIVERS if group in groups for name in HELD_DRIVERS[group]}
    if "precept" in groups:
        fields["outcome.limit_rate"], fields["outcome.limit_cash"] = yearly(n, years, NO_LIMIT), yearly(n, years)
    if "pay" in groups:
        fields["outcome.officer_pension_step"], fields["outcome.staff_pension_step"] = yearly(n, years), yearly(n, years)
    if "savings" in groups:
        fields["delivery.savings_delivery"] = yearly(n, years, 1.0)
        if delivery.action_delivery is not None:
            fields["delivery.action_delivery"] = yearly(n, years, 1.0)
    if "collaboration" in groups:
        fields["delivery.collaboration_size"], fields["delivery.collaboration_delay"] = np.ones(n), np.zeros(n)
    if "shocks" in groups:
        fields["delivery.shocks"] = yearly(n, years)
    return fields


def hold_at_plan(outcome: Drivers, delivery: Delivery, plan: Drivers, groups: frozenset[str]) -> None:
    """Put the named groups of inputs back to the force's plan, in place (see :func:`held_fields`)."""
    parts = {"outcome": outcome, "delivery": delivery}
    for key, value in held_fields(plan, delivery, groups).items():
        owner, name = key.split(".")
        getattr(parts[owner], name)[...] = value


def force_inputs(setup: RunSetup, force_id: str, start: int, stop: int, *, case: str | None = None,
                 source=None, levers: Levers | None = None, national: NationalDraws | None = None,
                 at_plan: frozenset[str] = frozenset()) -> ForceInputs:
    """Engine inputs for one force on paths ``[start, stop)``.

    Parameters
    ----------
    setup : RunSetup
    force_id : str
    start, stop : int
        Path range.
    case : str, optional
        A deterministic case from :data:`model.declare.outputs.CASES` instead of the Monte Carlo. ``force_plan``
        has the central baseline, outcomes equal to the planning assumptions, savings fully
        delivered and no shocks; the others fix every uniform (see :func:`case_source`).
    source : optional
        Uniform source for the Monte Carlo (default: the scenario's).
    levers : Levers, optional
        Decisions applied on top of the scenario.
    national : NationalDraws, optional
        The national inputs' draws for these paths from ``source``, shared between forces.
    at_plan : frozenset of str
        Groups of :data:`model.declare.inputs.INPUT_GROUPS` held at the force's plan while
        the others are drawn (the plan-to-median bridge); with every group at plan the
        result is the force-plan case on every path.

    Returns
    -------
    ForceInputs
        Laid out as :func:`assemble_inputs` lays them out.
    """
    force = setup.forces[force_id]
    n = stop - start
    years = setup.scenario.n_years
    action = ManagementAction()
    if case == "force_plan":
        values = baseline_values(setup, force, start, stop)
        plan = plan_drivers(setup, force, values, n, years)
        # np.copy keeps the plan's layout; ndarray.copy would store paths by years.
        outcome = Drivers(**{f.name: np.copy(getattr(plan, f.name)) for f in dataclasses.fields(Drivers)})
        delivery = Delivery(yearly(n, years, 1.0), np.ones(n), np.zeros(n), yearly(n, years))
    else:
        source = case_source(setup, case) if case is not None else (source or run_source(setup))
        values = baseline_values(setup, force, start, stop, None if "baseline" in at_plan else source)
        plan = plan_drivers(setup, force, values, n, years)
        uniforms = input_uniforms(setup, force, start, stop, source, national if case is None else None)
        fields = input_fields(setup, force, uniforms, plan, n, years)
        if levers is not None and levers.precept_increase is not None:
            rise = levers.precept_increase
            first = INPUTS["precept_increase"].first_year
            value = float(rise.ppf(np.array([0.5]))[0])
            rate, cash, rule = (fields[name] for name in INPUT_FIELDS["precept_increase"])
            rate[:, first:], cash[:, first:] = (0.0, value) if rise.unit == "pounds" else (value, 0.0)
            rule[:, first:] = PRECEPT_RULE_CODES["stated"]
        outcome = Drivers(pressures=pressure_levels(force, values, n, years, planned_only=False),
                          **fields_of(fields, "outcome"))
        delivery = Delivery(shocks=draw_shocks(setup, force, start, stop, years, source), **fields_of(fields, "delivery"))
        if levers is not None and levers.extra_savings:
            extra = yearly(n, years)
            extra[:, 1:] = levers.extra_savings
            delivery.extra_savings = extra
        spec = setup.scenario.action
        action = ManagementAction(spec.savings_share, spec.precept_to_limit)
        if at_plan:
            hold_at_plan(outcome, delivery, plan, at_plan)
    return assemble_inputs(setup, force, values, plan, outcome, delivery, action)


def assemble_inputs(setup: RunSetup, force: ForceData, values: dict[str, object], plan: Drivers, outcome: Drivers,
                    delivery: Delivery, action: ManagementAction) -> ForceInputs:
    """The engine's inputs from a force's figures (budget, reserves, capital, levy, collaboration) and its drivers.

    Parameters
    ----------
    values : dict of str to float or ndarray
        :func:`baseline_values` for the paths.
    plan, outcome : Drivers
    delivery : Delivery
    action : ManagementAction

    Returns
    -------
    ForceInputs
        Its yearly arrays, ``(paths, years)``, stored years by paths (:func:`yearly`); the planned
        use, ``(paths, years, reserves)``, stored years, reserves, paths; the opening reserves,
        ``(paths, reserves)``, stored reserves by paths: each as the engine reads it.
    """
    n = outcome.grant_change.shape[0]
    years = setup.scenario.n_years
    n_reserves = len(force.earmarked)
    kinds = tuple(RESERVE_KINDS[reserve.purpose] for reserve in force.earmarked)
    planned_use = np.zeros((years, n_reserves, n)).transpose(2, 0, 1)
    opening = np.zeros((n_reserves, n)).T
    for k, reserve in enumerate(force.earmarked):
        opening[:, k] = _column(values[reserve.opening], n)
        for t, name in reserve.planned_use.items():
            if t < years:
                planned_use[:, t, k] = _column(values[name], n)

    collaboration = yearly(n, years)
    for by_year in force.collaboration_spend.values():
        for t, name in by_year.items():
            if t < years:
                collaboration[:, t] += _column(values[name], n)
    programme = yearly(n, years)
    for item in force.programmes:
        level = np.zeros(n)
        for t in range(years):
            if t in item.savings:
                level = _column(values[item.savings[t]], n)
            programme[:, t] += level

    capital = capital_of(force, values, n, years)
    budget_values = {key: _column(values[f"budget.{key}"], n) for key in (
        "funding", "grant", "precept", "band_d", "tax_base", "savings", "pay_share", "officer_share",
        "capital_financing")}
    revenue_use = planned_use[:, 0, [k for k, kind in enumerate(kinds) if kind != CAPITAL]].sum(axis=1)
    one_off = planned_use[:, 0, [k for k, kind in enumerate(kinds) if kind == ONE_OFF]].sum(axis=1)
    other_spend = one_off + capital.existing_financing + capital.revenue_contribution[:, 0] + plan.pressures[:, 0]
    _, paybill, non_pay = split_budget_year(budget_values["funding"], revenue_use, budget_values["savings"],
                                            other_spend, budget_values["pay_share"])
    budget = BudgetYear(
        grant=budget_values["grant"], precept=budget_values["precept"], band_d=budget_values["band_d"],
        tax_base=budget_values["tax_base"], paybill=paybill, non_pay=non_pay,
        capital_financing=budget_values["capital_financing"], savings=budget_values["savings"],
        officer_share=budget_values["officer_share"],
    )
    return ForceInputs(
        budget=budget, plan=plan, outcome=outcome, delivery=delivery,
        collaboration_plan=collaboration, programme_savings=programme,
        general_reserve=_column(values["reserves.general"], n), earmarked_reserves=opening,
        planned_use=planned_use, reserve_kinds=kinds, policy=reserve_policy(setup, force), capital=capital,
        levy=levy_of(values, n), action=action,
    )
