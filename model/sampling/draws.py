"""Turn a scenario and force baselines into engine arrays, chunk by chunk.

Uniforms come from a source (:mod:`model.uniforms`): keyed pseudo-random streams, Sobol'
points, or fixed quantiles for the deterministic cases. Stated correlations and
persistence are imposed on their normal scores (:mod:`model.dependence`); distributions
then turn them into values by inverse CDF. National inputs use the scope ``national``, so
every force sees the same draw on a path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.declare.distributions import Distribution, triangular_ppf
from model.declare.fiscal import MODEL_YEARS
from model.declare.inputs import INPUTS
from model.declare.units import parse_quantity
from model.engine.projection import BudgetYear, Delivery, Drivers, ForceInputs, split_budget_year
from model.engine.waterfall import GENERAL, ReservePolicy
from model.io.forces import ForceData, evaluate_figures
from model.io.scenario import PLAN
from model.sampling.dependence import CorrelationPlan, correlate, persist, to_scores, to_uniforms
from model.sampling.setup import RunSetup
from model.sampling.uniforms import QuantileSource, make_source

N_MODEL_YEARS = len(MODEL_YEARS)
NO_LIMIT = 1e6
"""A referendum limit (as a rate) that never binds: used for the force's own plan."""

DRIVER_INPUTS = (
    "grant_change", "tax_base_growth", "collection_fund", "pay_award", "pay_drift", "non_pay_inflation",
)

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
    values. Derived figures follow them.
    """
    draws: dict[str, np.ndarray] = {}
    assumptions = [figure for figure in force.figures.values() if figure.kind == "assumption"]
    if source is not None and setup.scenario.baseline == "sampled" and assumptions:
        # One row per assumption, paths along the rows, so the inverse CDF runs along contiguous memory.
        uniforms = np.empty((len(assumptions), stop - start))
        for k, figure in enumerate(assumptions):
            uniforms[k] = source.draw(("baseline", force.id, figure.name), start, stop, 1)[:, 0]
        # One triangular inverse CDF for every assumption at once (ranges were checked on loading).
        sampled = triangular_ppf(uniforms, *(np.array([[getattr(f, part)] for f in assumptions])
                                             for part in ("low", "central", "high")))
        draws = {figure.name: sampled[k] for k, figure in enumerate(assumptions)}
    return evaluate_figures(force.figures, draws)


def _column(value: object, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()


def plan_value(setup: RunSetup, force: ForceData, values: dict[str, object], name: str, year: int):
    """A force's planning assumption for an input and year as ``(value, unit)``, or ``None``.

    The force's own ``plan`` wins over the national default plan; a year-specific
    figure wins over ``all_years``.
    """
    for plan in (force.plan, setup.national.plan):
        keys = plan.get(name, {})
        for key in (MODEL_YEARS[year], "all_years"):
            if key in keys:
                return values[keys[key]], force.figures[keys[key]].unit
    return None


def plan_drivers(setup: RunSetup, force: ForceData, values: dict[str, object], n: int, years: int) -> Drivers:
    """The force's own planning assumptions as :class:`Drivers`, shape ``(n, years)``."""
    arrays = {name: np.zeros((n, years)) for name in DRIVER_INPUTS}
    precept_rate = np.zeros((n, years))
    precept_cash = np.zeros((n, years))
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
        precept_rate=precept_rate, precept_cash=precept_cash,
        limit_rate=np.full((n, years), NO_LIMIT), limit_cash=np.zeros((n, years)), **arrays,
    )


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
    """One input's values for a force: ``(values, is_cash)``, each of shape ``(paths, years)``.

    ``is_cash`` marks values in £ (band D amounts) rather than rates. Years before the
    input's first year are zero. Where the scenario says nothing (or ``plan``), the value
    is the force's planning assumption, or the input's declared default.
    """
    declaration = INPUTS[name]
    spec = setup.scenario.inputs.get(name)
    per_path = declaration.timing == "per_path"
    values = np.zeros((n, years))
    is_cash = np.zeros((n, years), dtype=bool)
    by_distribution: dict[int, tuple[Distribution, list[int]]] = {}
    for t in range(declaration.first_year, years):
        chosen = spec.resolve(force.id, None if per_path else t) if spec else None
        if chosen is None and declaration.plan_default:
            chosen = PLAN
        if chosen == PLAN:
            if name == "precept_increase":
                cash = plan.precept_cash[:, t]
                values[:, t] = np.where(cash != 0.0, cash, plan.precept_rate[:, t])
                is_cash[:, t] = cash != 0.0
            else:
                values[:, t] = getattr(plan, name)[:, t]
            continue
        if chosen is None:
            quantity = parse_quantity(declaration.default, declaration.units)
            chosen = Distribution("fixed", {"value": quantity.value}, quantity.unit)
        by_distribution.setdefault(id(chosen), (chosen, []))[1].append(t)
    for distribution, columns in by_distribution.values():
        if distribution.is_fixed:
            values[:, columns] = distribution.params["value"]
            is_cash[:, columns] = distribution.unit == "pounds"
            continue
        # A per-path input has one column, used in every year; a copy keeps the rows contiguous.
        u = uniforms[name][:, :1] if per_path else uniforms[name][:, columns]
        values[:, columns] = distribution.ppf(u)
        if distribution.kind == "choice" or distribution.unit == "pounds":
            is_cash[:, columns] = distribution.in_units(u, "pounds")
    return values, is_cash


def sample_input(setup: RunSetup, force_id: str, name: str, start: int, stop: int, source=None):
    """One input's Monte Carlo values for a force on paths ``[start, stop)``: ``(values, is_cash)``."""
    force = setup.forces[force_id]
    source = source or run_source(setup)
    n, years = stop - start, setup.scenario.n_years
    plan = plan_drivers(setup, force, baseline_values(setup, force, start, stop, source), n, years)
    return draw_input(setup, force, name, input_uniforms(setup, force, start, stop, source), n, years, plan)


def draw_shocks(setup: RunSetup, force: ForceData, start: int, stop: int, years: int, source) -> np.ndarray:
    """Total one-off shock costs per path and year, £m, shape ``(paths, years)``."""
    total = np.zeros((stop - start, years))
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


def reserve_policy(setup: RunSetup, force: ForceData) -> ReservePolicy:
    """The scenario's reserve policy for a force, with reserve names turned into indices.

    By default a shortfall is met from the earmarked reserves in the order the force file
    lists them, then from the general reserve; a surplus beyond the general reserve's
    target goes to the first earmarked reserve in that order.
    """
    spec = setup.scenario.policy_for(force.id)
    names = [r.name for r in force.earmarked]
    if spec.shortfall_order is None:
        order = tuple(range(len(names))) + (GENERAL,)
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


def force_inputs(setup: RunSetup, force_id: str, start: int, stop: int, *, case: str | None = None,
                 source=None, levers: Levers | None = None, national: NationalDraws | None = None) -> ForceInputs:
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

    Returns
    -------
    ForceInputs
    """
    force = setup.forces[force_id]
    n = stop - start
    years = setup.scenario.n_years
    if case == "force_plan":
        values = baseline_values(setup, force, start, stop)
        plan = plan_drivers(setup, force, values, n, years)
        outcome = Drivers(**{f.name: getattr(plan, f.name).copy() for f in dataclasses.fields(Drivers)})
        delivery = Delivery(np.ones((n, years)), np.ones(n), np.zeros(n), np.zeros((n, years)))
    else:
        source = case_source(setup, case) if case is not None else (source or run_source(setup))
        values = baseline_values(setup, force, start, stop, source)
        plan = plan_drivers(setup, force, values, n, years)
        uniforms = input_uniforms(setup, force, start, stop, source, national if case is None else None)

        def draw(name: str, with_plan: bool = True):
            return draw_input(setup, force, name, uniforms, n, years, plan if with_plan else None)

        drawn = {name: draw(name)[0] for name in DRIVER_INPUTS}
        precept, precept_is_cash = draw("precept_increase")
        if levers is not None and levers.precept_increase is not None:
            rise = levers.precept_increase
            first = INPUTS["precept_increase"].first_year
            precept[:, first:] = rise.ppf(np.full((n, years - first), 0.5))
            precept_is_cash[:, first:] = rise.unit == "pounds"
        limit, limit_is_cash = draw("referendum_limit", with_plan=False)
        outcome = Drivers(
            precept_rate=np.where(precept_is_cash, 0.0, precept),
            precept_cash=np.where(precept_is_cash, precept, 0.0),
            limit_rate=np.where(limit_is_cash, 0.0, limit),
            limit_cash=np.where(limit_is_cash, limit, 0.0),
            **drawn,
        )
        outcome.limit_rate[:, 0] = NO_LIMIT
        delivery = Delivery(
            savings_delivery=draw("savings_delivery", False)[0],
            collaboration_size=draw("collaboration_savings_size", False)[0][:, 0],
            collaboration_delay=draw("collaboration_savings_delay", False)[0][:, 0],
            shocks=draw_shocks(setup, force, start, stop, years, source),
        )
        if levers is not None and levers.extra_savings:
            extra = np.zeros((n, years))
            extra[:, 1:] = levers.extra_savings
            delivery.extra_savings = extra

    n_reserves = len(force.earmarked)
    planned_use = np.zeros((n, years, n_reserves))
    opening = np.zeros((n, n_reserves))
    for k, reserve in enumerate(force.earmarked):
        opening[:, k] = _column(values[reserve.opening], n)
        for t, name in reserve.planned_use.items():
            if t < years:
                planned_use[:, t, k] = _column(values[name], n)
    one_off = np.zeros((n, years))
    for k, reserve in enumerate(force.earmarked):
        if reserve.purpose == "one_off_spend":
            one_off += planned_use[:, :, k]

    collaboration = np.zeros((n, years))
    for by_year in force.collaboration_spend.values():
        for t, name in by_year.items():
            if t < years:
                collaboration[:, t] += _column(values[name], n)
    programme = np.zeros((n, years))
    for item in force.programmes:
        level = np.zeros(n)
        for t in range(years):
            if t in item.savings:
                level = _column(values[item.savings[t]], n)
            programme[:, t] += level

    budget_values = {key: _column(values[f"budget.{key}"], n) for key in (
        "funding", "grant", "precept", "band_d", "tax_base", "savings", "pay_share", "capital_financing")}
    _, paybill, non_pay = split_budget_year(
        budget_values["funding"], planned_use[:, 0, :].sum(axis=1), budget_values["savings"], one_off[:, 0],
        budget_values["capital_financing"], budget_values["pay_share"],
    )
    budget = BudgetYear(
        grant=budget_values["grant"], precept=budget_values["precept"], band_d=budget_values["band_d"],
        tax_base=budget_values["tax_base"], paybill=paybill, non_pay=non_pay,
        capital_financing=budget_values["capital_financing"], savings=budget_values["savings"],
    )
    return ForceInputs(
        budget=budget, plan=plan, outcome=outcome, delivery=delivery,
        collaboration_plan=collaboration, one_off_spend=one_off, programme_savings=programme,
        general_reserve=_column(values["reserves.general"], n), earmarked_reserves=opening,
        planned_use=planned_use, policy=reserve_policy(setup, force),
    )
