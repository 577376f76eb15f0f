"""Turn a scenario and force baselines into engine arrays, chunk by chunk.

Random numbers come from streams keyed by what they are for, never by declaration
order: each (purpose, scope) key and each block of :data:`BLOCK_PATHS` paths gets its
own ``numpy.random.SeedSequence`` child of the scenario seed. A chunk draws the blocks
it overlaps and slices them, so any chunk size gives the same numbers path for path;
adding, removing or reordering inputs leaves every other stream untouched. National
inputs use the scope ``national``, so every force sees the same draw on a path.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from .distributions import Distribution
from .engine import GENERAL, BudgetYear, Delivery, Drivers, ForceInputs, ReservePolicy, split_budget_year
from .fiscal import MODEL_YEARS
from .forces import ForceData, NationalData, evaluate_figures
from .inputs import INPUTS
from .scenario import PLAN, Scenario

BLOCK_PATHS = 4096
"""Paths per random block; a fixed property of the streams, independent of chunk size."""

N_MODEL_YEARS = len(MODEL_YEARS)
NO_LIMIT = 1e6
"""A referendum limit (as a rate) that never binds: used for the force's own plan."""

DRIVER_INPUTS = (
    "grant_change", "tax_base_growth", "collection_fund", "pay_award", "pay_drift", "non_pay_inflation",
)


def stream_key(*parts: str) -> int:
    """A stable 32-bit key for a stream name (``zlib.crc32``; Python's ``hash`` is salted)."""
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


def uniforms(seed: int, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
    """Uniforms in (0, 1) for paths ``start`` to ``stop`` of one stream.

    Parameters
    ----------
    seed : int
        Scenario seed.
    key : tuple of str
        What the stream is for, e.g. ``('input', 'pay_award', 'national')``.
    start, stop : int
        Path range ``[start, stop)``.
    columns : int
        Draws per path (model years, or 1 for per-path inputs).

    Returns
    -------
    ndarray, shape (stop - start, columns)
        The same values for a path whatever chunk it is drawn in.
    """
    first_block, last_block = start // BLOCK_PATHS, (stop - 1) // BLOCK_PATHS
    parts = []
    for block in range(first_block, last_block + 1):
        sequence = np.random.SeedSequence(entropy=seed, spawn_key=(stream_key(*key), block))
        generator = np.random.Generator(np.random.PCG64(sequence))
        parts.append(generator.random((BLOCK_PATHS, columns)))
    stacked = np.concatenate(parts, axis=0)
    offset = start - first_block * BLOCK_PATHS
    draws = stacked[offset: offset + (stop - start)]
    return np.maximum(draws, 2.0**-53)


@dataclass
class RunSetup:
    """A scenario with its national settings and force baselines, ready to sample."""

    scenario: Scenario
    national: NationalData
    forces: dict[str, ForceData]


def baseline_values(setup: RunSetup, force: ForceData, start: int, stop: int, central: bool) -> dict[str, object]:
    """Value of every figure for a force on paths ``[start, stop)``.

    Assumption figures are sampled (triangular on low, central, high) unless ``central``
    or the scenario asks for the central baseline; derived figures follow them.
    """
    draws: dict[str, np.ndarray] = {}
    if not central and setup.scenario.baseline == "sampled":
        for name, figure in force.figures.items():
            if figure.kind == "assumption":
                u = uniforms(setup.scenario.seed, ("baseline", force.id, name), start, stop, 1)[:, 0]
                draws[name] = Distribution("triangular", {"low": figure.low, "mode": figure.central,
                                                          "high": figure.high}, figure.unit).ppf(u)
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
                from .units import parse_quantity

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


def draw_input(setup: RunSetup, force: ForceData, name: str, start: int, stop: int, years: int,
               plan: Drivers | None) -> tuple[np.ndarray, np.ndarray]:
    """Draw one input for a force: ``(values, is_cash)`` of shape ``(paths, years)``.

    ``is_cash`` marks values in £ (band D amounts) rather than rates. Years before the
    input's first year are zero. Where the scenario says nothing (or ``plan``), the value
    is the force's planning assumption, or the input's declared default.
    """
    declaration = INPUTS[name]
    n = stop - start
    spec = setup.scenario.inputs.get(name)
    scope = "national" if declaration.scope == "national" else force.id
    columns = 1 if declaration.timing == "per_path" else N_MODEL_YEARS
    u = None
    values = np.zeros((n, years))
    is_cash = np.zeros((n, years), dtype=bool)
    for t in range(declaration.first_year, years):
        chosen = spec.resolve(force.id, None if declaration.timing == "per_path" else t) if spec else None
        if chosen is None:
            chosen = PLAN if declaration.plan_default else None
        if chosen == PLAN:
            if plan is None:
                raise ValueError(f"{name} has no plan value")
            if name == "precept_increase":
                cash = plan.precept_cash[:, t]
                rate = plan.precept_rate[:, t]
                values[:, t] = np.where(cash != 0.0, cash, rate)
                is_cash[:, t] = cash != 0.0
            else:
                values[:, t] = getattr(plan, name)[:, t]
            continue
        if chosen is None:
            from .units import parse_quantity

            quantity = parse_quantity(declaration.default, declaration.units)
            chosen = Distribution("fixed", {"value": quantity.value}, quantity.unit)
        if chosen.is_fixed:
            values[:, t] = chosen.params["value"]
        else:
            if u is None:
                u = uniforms(setup.scenario.seed, ("input", name, scope), start, stop, columns)
            values[:, t] = chosen.ppf(u[:, 0 if columns == 1 else t])
        is_cash[:, t] = chosen.unit == "pounds"
    return values, is_cash


def draw_shocks(setup: RunSetup, force: ForceData, start: int, stop: int, years: int) -> np.ndarray:
    """Total one-off shock costs per path and year, £m, shape ``(paths, years)``."""
    n = stop - start
    total = np.zeros((n, years))
    for shock in setup.scenario.shocks:
        if force.id not in shock.forces:
            continue
        happens = uniforms(setup.scenario.seed, ("shock", shock.name, force.id, "occurs"), start, stop, N_MODEL_YEARS)
        cost_u = uniforms(setup.scenario.seed, ("shock", shock.name, force.id, "cost"), start, stop, N_MODEL_YEARS)
        for t in shock.years:
            if t < years:
                total[:, t] += np.where(happens[:, t] < shock.probability, shock.cost.ppf(cost_u[:, t]), 0.0)
    return total


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


def force_inputs(setup: RunSetup, force_id: str, start: int, stop: int, *, plan_case: bool = False) -> ForceInputs:
    """Engine inputs for one force on paths ``[start, stop)``.

    Parameters
    ----------
    setup : RunSetup
    force_id : str
    start, stop : int
        Path range.
    plan_case : bool
        Build the deterministic force-plan case instead: central baseline, outcomes equal
        to the planning assumptions, savings fully delivered, no shocks.

    Returns
    -------
    ForceInputs
    """
    force = setup.forces[force_id]
    n = stop - start
    years = setup.scenario.n_years
    values = baseline_values(setup, force, start, stop, central=plan_case)
    plan = plan_drivers(setup, force, values, n, years)

    if plan_case:
        outcome = plan
        delivery = Delivery(np.ones((n, years)), np.ones(n), np.zeros(n), np.zeros((n, years)))
    else:
        drawn = {name: draw_input(setup, force, name, start, stop, years, plan)[0] for name in DRIVER_INPUTS}
        precept, precept_is_cash = draw_input(setup, force, "precept_increase", start, stop, years, plan)
        limit, limit_is_cash = draw_input(setup, force, "referendum_limit", start, stop, years, None)
        outcome = Drivers(
            precept_rate=np.where(precept_is_cash, 0.0, precept),
            precept_cash=np.where(precept_is_cash, precept, 0.0),
            limit_rate=np.where(limit_is_cash, 0.0, limit),
            limit_cash=np.where(limit_is_cash, limit, 0.0),
            **drawn,
        )
        outcome.limit_rate[:, 0] = NO_LIMIT
        delivery = Delivery(
            savings_delivery=draw_input(setup, force, "savings_delivery", start, stop, years, None)[0],
            collaboration_size=draw_input(setup, force, "collaboration_savings_size", start, stop, years, None)[0][:, 0],
            collaboration_delay=draw_input(setup, force, "collaboration_savings_delay", start, stop, years, None)[0][:, 0],
            shocks=draw_shocks(setup, force, start, stop, years),
        )

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
    for kind, by_year in force.collaboration_spend.items():
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
