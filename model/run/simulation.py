"""Run a scenario: load it with its baselines, then project every force chunk by chunk."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from model.declare.outputs import CASES, FLAGS, SUMMARY_METRICS, metric_unit, reserve_metric
from model.declare.settings import PRECISION_STEP, SETTINGS
from model.engine.projection import project_force
from model.io.errors import ModelError
from model.run.pool import Pool, open_pool
from model.run.probability import wilson_interval
from model.run.tallies import FIXED_POINT, PILOT_PATHS, BinEdges, LineAccumulator
from model.sampling.draws import NationalDraws, force_inputs, national_draws, run_source
from model.sampling.setup import RunSetup


@dataclass
class SimulationResult:
    """Summaries of a run, reduced chunk by chunk so memory does not grow with the paths.

    Attributes
    ----------
    setup : RunSetup
    paths : int
        Paths simulated.
    metrics : dict of force id to tuple of str
        The lines summarised for each force (:data:`SUMMARY_METRICS` and its reserves).
    summaries : dict of force id to LineAccumulator
    flag_counts : dict of force id to dict of flag to ndarray of int (years,)
        Paths on which each flag is raised, per year.
    cases : dict of case to dict of force id to dict of metric to ndarray (years,)
        The deterministic cases (:data:`model.declare.outputs.CASES`).
    timings : dict of str to float
    stopping : dict
        For runs to a precision: the target, the half-width reached and why it stopped.
    """

    setup: RunSetup
    paths: int
    metrics: dict[str, tuple[str, ...]]
    summaries: dict[str, LineAccumulator]
    flag_counts: dict[str, dict[str, np.ndarray]]
    cases: dict[str, dict[str, dict[str, np.ndarray]]]
    timings: dict[str, float] = field(default_factory=dict)
    stopping: dict = field(default_factory=dict)

    @property
    def plan(self) -> dict[str, dict[str, np.ndarray]]:
        """The deterministic force-plan case, by force and metric."""
        return self.cases["force_plan"]


def force_metrics(setup: RunSetup, force: str) -> tuple[str, ...]:
    """The lines summarised for a force: the declared metrics and each earmarked reserve."""
    return SUMMARY_METRICS + reserve_metrics(setup, force)


def project_chunk(setup: RunSetup, force: str, start: int, stop: int, *, case: str | None = None, source=None,
                  national: NationalDraws | None = None):
    """Project one force on paths ``[start, stop)``: ``(values, flags)``.

    Returns
    -------
    values : ndarray, shape (metrics, years, paths)
        The lines of :func:`force_metrics`, in that order; paths last, the layout the
        streaming summaries reduce along.
    flags : dict of str to ndarray of bool (paths, years)

    Raises
    ------
    ModelError
        If any line is NaN or infinite.
    """
    lines, flags, _ = project_lines(setup, force, start, stop, case=case, source=source, national=national)
    return np.stack(lines), flags


def project_lines(setup: RunSetup, force: str, start: int, stop: int, *, case: str | None = None, source=None,
                  national: NationalDraws | None = None):
    """:func:`project_chunk` without the copy into one array: ``(lines, flags, extremes)``.

    Returns
    -------
    lines : list of ndarray, each (years, paths)
        The engine's own rows of each line of :func:`force_metrics`, in that order.
    flags : dict of str to ndarray of bool (paths, years)
    extremes : tuple of ndarray, each (metrics, years)
        Each line's smallest and largest value by year: they show a NaN or an infinity
        anywhere in it (then :func:`check_finite` names it), and the tallies use them.
    """
    inputs = force_inputs(setup, force, start, stop, case=case, source=source, national=national)
    check_inputs(inputs, f"{setup.forces[force].name} ({force})", setup.scenario.years)
    try:
        with np.errstate(all="raise", under="ignore"):
            projection = project_force(inputs)
    except FloatingPointError as exc:
        raise ModelError(
            f"the model's arithmetic failed for {setup.forces[force].name} ({force}): {exc}, on paths {start:,} to {stop - 1:,}; "
            "check that force's baseline and the scenario's inputs"
        ) from None
    add_reserve_lines(setup, force, projection)
    metrics = force_metrics(setup, force)
    lines = [projection.lines[metric].T for metric in metrics]
    minimum = np.array([line.min(axis=-1) for line in lines])
    maximum = np.array([line.max(axis=-1) for line in lines])
    if len(projection.lines) != len(metrics) or not (np.isfinite(minimum).all() and np.isfinite(maximum).all()):
        check_finite(projection.lines, force, setup.scenario.years)
    return lines, projection.flags, (minimum, maximum)


def metric_scales(metrics: tuple[str, ...]) -> np.ndarray:
    """Fixed-point scale of each metric for exact sums (see :data:`model.run.simulation.FIXED_POINT`)."""
    return np.array([FIXED_POINT[metric_unit(m)] for m in metrics])


def pilot_edges(setup: RunSetup, paths: int) -> dict[str, BinEdges]:
    """Histogram bins for each force from its first :data:`PILOT_PATHS` paths."""
    stop = min(PILOT_PATHS, paths)
    return {force: BinEdges.from_pilot(project_chunk(setup, force, 0, stop)[0]) for force in setup.scenario.forces}


Tallies = tuple[dict[str, LineAccumulator], dict[str, dict[str, np.ndarray]]]
"""Per force: the line accumulator, and the paths on which each flag is raised per year."""


def empty_tallies(setup: RunSetup, edges: dict[str, BinEdges]) -> Tallies:
    """Tallies of no paths yet, for every force of the scenario."""
    summaries = {}
    counts = {}
    for force in setup.scenario.forces:
        metrics = force_metrics(setup, force)
        summaries[force] = LineAccumulator(metrics, metric_scales(metrics), edges[force])
        counts[force] = {flag: np.zeros(setup.scenario.n_years, dtype=np.int64) for flag in FLAGS}
    return summaries, counts


def summarise_span(setup: RunSetup, edges: dict[str, BinEdges], start: int, stop: int, chunk_size: int,
                   tallies: Tallies | None = None, progress: Callable[[int], None] | None = None) -> Tallies:
    """Add paths ``[start, stop)`` of every force to ``tallies`` (new ones if not given), chunk by chunk.

    ``progress`` is called with the number of paths finished after each chunk.
    """
    summaries, counts = tallies if tallies is not None else empty_tallies(setup, edges)
    source = run_source(setup)
    scratch: dict = {}
    for chunk_start in range(start, stop, chunk_size):
        chunk_stop = min(chunk_start + chunk_size, stop)
        national = national_draws(setup, chunk_start, chunk_stop, source)
        for force in setup.scenario.forces:
            lines, flags, extremes = project_lines(setup, force, chunk_start, chunk_stop, source=source,
                                                   national=national)
            summaries[force].add(lines, extremes, scratch)
            for flag in FLAGS:
                counts[force][flag] += count_by_year(flags[flag])
        if progress is not None:
            progress(chunk_stop)
    return summaries, counts


def count_by_year(flag: np.ndarray) -> np.ndarray:
    """Paths on which a flag is raised in each year, from a ``(paths, years)`` boolean array."""
    return np.array([np.count_nonzero(flag[:, t]) for t in range(flag.shape[1])], dtype=np.int64)


def path_spans(start: int, stop: int, chunk_size: int, workers: int) -> list[tuple[int, int]]:
    """Split paths into a few spans of whole chunks per worker (about two each).

    Each worker returns one set of tallies per span, so few spans keep the traffic between
    processes small; tallies are exact, so how paths are split never changes the numbers.
    """
    bounds = list(range(start, stop, chunk_size)) + [stop]
    chunks = len(bounds) - 1
    per_span = max(1, -(-chunks // (2 * workers)))
    return [(bounds[i], bounds[min(i + per_span, chunks)]) for i in range(0, chunks, per_span)]


def run_simulation(setup: RunSetup, progress: Callable[[int], None] | None = None, *, workers: int = 1,
                   precision: float | None = None, max_paths: int | None = None,
                   pool: Pool | None = None) -> SimulationResult:
    """Project every force of the scenario on every path and summarise as it goes.

    Paths are processed in chunks of ``scenario.chunk_size``, in ``workers`` processes or
    on ``pool``; the random streams and exact tallies make the numbers identical whatever
    the chunk size, the number of workers or where they run.

    Parameters
    ----------
    setup : RunSetup
    progress : callable, optional
        Called with the number of paths finished.
    workers : int
        Worker processes (1: in this process).
    precision : float, optional
        Run until the 95% interval of every headline probability (each flag by the last
        year, each force) is within ± ``precision`` (0.005 for ±0.5 points), checking at
        16,384 paths and each doubling after; ``scenario.paths`` is then ignored.
    max_paths : int, optional
        Path limit for a run to a precision (default 4,194,304).
    pool : Pool, optional
        Where the spans of paths run (:func:`model.run.pool.open_pool`, e.g. a Dask
        cluster); left open. By default, ``workers`` local processes opened for this run.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ModelError
        If any output is NaN or infinite, naming the force, year and metric.
    """
    scenario = setup.scenario
    started = time.perf_counter()
    if precision is None:
        checkpoints = [scenario.paths]
    else:
        limit = max_paths or SETTINGS["max_paths"].default
        checkpoints = []
        size = PRECISION_STEP
        while size < limit:
            checkpoints.append(size)
            size *= 2
        checkpoints.append(limit)
    edges = pilot_edges(setup, checkpoints[-1] if precision is None else min(checkpoints[0], checkpoints[-1]))
    summaries, counts = tallies = empty_tallies(setup, edges)
    done = 0
    stopping: dict = {}
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(open_pool(workers))
        for checkpoint in checkpoints:
            if pool.in_process:
                summarise_span(setup, edges, done, checkpoint, scenario.chunk_size, tallies, progress)
            else:
                spans = path_spans(done, checkpoint, scenario.chunk_size, pool.workers)
                results = pool.starmap(summarise_span, [(setup, edges, start, stop, scenario.chunk_size)
                                                        for start, stop in spans])
                for (span_summaries, span_counts), (_, stop) in zip(results, spans, strict=True):
                    _merge(tallies, span_summaries, span_counts)
                    if progress is not None:
                        progress(stop)
            done = checkpoint
            if precision is not None:
                reached = headline_half_width(counts, done)
                stopping = {"precision_target": precision, "half_width_reached": reached, "paths": done}
                if reached <= precision:
                    stopping["stopped_because"] = "precision reached"
                    break
                stopping["stopped_because"] = "path limit reached"
    simulation_seconds = time.perf_counter() - started
    cases = {case: {} for case in CASES}
    for case in CASES:
        for force in scenario.forces:
            values, _ = project_chunk(setup, force, 0, 1, case=case)
            cases[case][force] = dict(zip(force_metrics(setup, force), values[..., 0], strict=True))
    return SimulationResult(
        setup=dataclasses.replace(setup, scenario=dataclasses.replace(scenario, paths=done)) if precision else setup,
        paths=done,
        metrics={force: force_metrics(setup, force) for force in scenario.forces},
        summaries=summaries,
        flag_counts=counts,
        cases=cases,
        timings={"simulation_seconds": simulation_seconds, "workers": pool.workers},
        stopping=stopping,
    )


def _merge(tallies: Tallies, span_summaries, span_counts) -> None:
    summaries, counts = tallies
    for force, accumulator in span_summaries.items():
        summaries[force].merge(accumulator)
        for flag, value in span_counts[force].items():
            counts[force][flag] += value


def headline_half_width(counts: dict[str, dict[str, np.ndarray]], paths: int) -> float:
    """Largest half-width of the 95% Wilson intervals of the flags by the last year."""
    widest = 0.0
    for by_flag in counts.values():
        for flag, per_year in by_flag.items():
            if flag.endswith("_by_year"):
                low, high = wilson_interval(per_year[-1:] / paths, paths)
                widest = max(widest, float((high - low)[0]) / 2)
    return widest


def reserve_metrics(setup: RunSetup, force: str) -> tuple[str, ...]:
    """Metric names of a force's earmarked reserves, one per reserve: ``reserve_<name>``."""
    return tuple(reserve_metric(reserve.name) for reserve in setup.forces[force].earmarked)


def add_reserve_lines(setup: RunSetup, force: str, projection) -> None:
    """Add each earmarked reserve's closing balance to a projection's lines."""
    for k, name in enumerate(reserve_metrics(setup, force)):
        projection.lines[name] = projection.earmarked_by_reserve[:, :, k]


def check_finite(lines: dict[str, np.ndarray], force: str, years: tuple[str, ...]) -> None:
    """Stop with a clear message if any metric is NaN or infinite, naming the earliest year it happens.

    Where several lines go wrong, the one that goes wrong first is named (the others follow from it).
    """
    if all(_surely_finite(values) for values in lines.values()):
        return
    first: tuple[int, str] | None = None
    for metric, values in lines.items():
        bad = ~np.isfinite(values)
        if bad.any():
            year = int(bad.any(axis=0).argmax())
            if first is None or year < first[0]:
                first = (year, metric)
    if first is not None:
        raise ModelError(
            f"the model produced a non-finite {first[1]} for {force} in {years[first[0]]}; "
            "check that force's baseline and the scenario's inputs for that year"
        )


INPUT_NAMES = {
    "outcome.precept_rate": "the scenario's precept_increase", "outcome.precept_cash": "the scenario's precept_increase",
    "outcome.limit_rate": "the scenario's referendum_limit", "outcome.limit_cash": "the scenario's referendum_limit",
    "plan.precept_rate": "the force's planning assumption for precept_increase",
    "plan.precept_cash": "the force's planning assumption for precept_increase",
    "delivery.savings_delivery": "the scenario's savings_delivery",
    "delivery.collaboration_size": "the scenario's collaboration_savings_size",
    "delivery.collaboration_delay": "the scenario's collaboration_savings_delay",
    "delivery.shocks": "the scenario's shocks", "delivery.extra_savings": "the extra savings lever",
    "delivery.action_delivery": "the scenario's action_savings_delivery",
    "outcome.officer_pension_step": "the scenario's officer_pension_step",
    "outcome.staff_pension_step": "the scenario's staff_pension_step",
    "outcome.pressures": "the force file's pressures", "plan.pressures": "the force file's pressures",
    "capital.programme": "the force file's capital programme", "capital.grant": "the force file's capital grant",
    "capital.receipts": "the force file's capital receipts",
    "capital.revenue_contribution": "the force file's revenue contributions to capital",
    "capital.asset_life": "the force file's capital asset_life",
    "capital.existing_financing": "the force file's budget.capital_financing",
    "levy.rate": "the national apprenticeship levy rate", "levy.allowance": "the national apprenticeship levy allowance",
    "collaboration_plan": "the force file's collaboration_spend",
    "programme_savings": "the force file's collaboration_programmes", "general_reserve": "the force file's reserves.general",
    "earmarked_reserves": "the force file's earmarked reserves", "planned_use": "the force file's planned reserve use",
}
"""How each part of :class:`model.engine.projection.ForceInputs` is named in a message about bad inputs."""


def check_inputs(inputs, force_name: str, years: tuple[str, ...]) -> None:
    """Stop before the engine if any input is NaN or infinite, naming the input and year.

    Raises
    ------
    ModelError
        E.g. "the inputs for Leicestershire Police (leicestershire) contain a non-finite value: the scenario's pay_award
        is NaN in 2018/19 on 512 of 512 paths".
    """
    for path, values in _input_arrays(inputs):
        if values is None or _surely_finite(values):
            continue
        bad = ~np.isfinite(values)
        if not bad.any():
            continue
        name = INPUT_NAMES.get(path) or _describe_input(path)
        where = ""
        if values.ndim >= 2 and values.shape[1] == len(years):
            by_year = bad.reshape(bad.shape[0], bad.shape[1], -1).any(axis=2)
            year = int(by_year.any(axis=0).argmax())
            where = f" in {years[year]} on {int(by_year[:, year].sum()):,} of {bad.shape[0]:,} paths"
        kind = "NaN" if np.isnan(values[bad]).any() else "infinite"
        raise ModelError(f"the inputs for {force_name} contain a non-finite value: {name} is {kind}{where}; "
                         "check the scenario and the force's baseline file")


def _surely_finite(values: np.ndarray) -> bool:
    """True when every value is finite, in one pass: a finite sum has no NaN or infinity in it.

    (A sum that overflows says nothing; the callers then look value by value.)
    """
    with np.errstate(all="ignore"):
        return bool(np.isfinite(np.sum(values)))


def _input_arrays(inputs):
    for group in ("budget", "plan", "outcome", "delivery", "capital", "levy"):
        owner = getattr(inputs, group)
        for field_ in dataclasses.fields(owner):
            value = getattr(owner, field_.name)
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                yield f"{group}.{field_.name}", value
    for name in ("collaboration_plan", "programme_savings", "general_reserve", "earmarked_reserves", "planned_use"):
        yield name, getattr(inputs, name)


def _describe_input(path: str) -> str:
    group, name = path.split(".", 1)
    if group == "outcome":
        return f"the scenario's {name}"
    if group == "plan":
        return f"the force's planning assumption for {name}"
    return f"the force file's budget.{name}"


def chunks(paths: int, size: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive chunks covering ``paths`` paths."""
    for start in range(0, paths, size):
        yield start, min(start + size, paths)
