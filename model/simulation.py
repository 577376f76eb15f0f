"""Run a scenario: load it with its baselines, then project every force chunk by chunk."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .engine import project_force
from .errors import Described, InputError
from .metrics import FLAGS, SUMMARY_METRICS, reserve_metric
from .forces import available_forces, default_data_dir, load_force, load_national
from .sampling import RunSetup, force_inputs
from .scenario import load_scenario

class ModelError(Exception):
    """The model produced numbers that cannot be right (NaN or infinite)."""


@dataclass
class SimulationResult:
    """Per-path results of a run.

    Attributes
    ----------
    setup : RunSetup
    paths : int
    lines : dict of force id to dict of metric to ndarray (paths, years)
    flags : dict of force id to dict of flag to ndarray of bool (paths, years)
    plan : dict of force id to dict of metric to ndarray (years,)
        The deterministic force-plan case.
    timings : dict of str to float
        Seconds spent loading, in the engine, and in total.
    """

    setup: RunSetup
    paths: int
    lines: dict[str, dict[str, np.ndarray]]
    flags: dict[str, dict[str, np.ndarray]]
    plan: dict[str, dict[str, np.ndarray]]
    timings: dict[str, float] = field(default_factory=dict)


def load_setup(scenario_path: Path | str, data_dir: Path | None = None) -> RunSetup:
    """Load a scenario with the national settings and the baselines of its forces.

    Raises
    ------
    InputError
        Any problem with the scenario or force files, or a reserve policy that names a
        reserve a force does not have.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if not (data_dir / "forces").is_dir():
        raise InputError(data_dir, None, "a data folder with forces/ and national.yaml", Described("no forces/ folder"))
    known = available_forces(data_dir)
    scenario = load_scenario(scenario_path, known)
    national = load_national(data_dir)
    forces = {force_id: load_force(data_dir, force_id, national) for force_id in scenario.forces}
    for force_id, force in forces.items():
        order = scenario.policy_for(force_id).shortfall_order
        if order is None:
            continue
        names = [r.name for r in force.earmarked] + ["general"]
        where = ["reserve_policy"] + (["forces", force_id] if force_id in scenario.force_policy else []) + ["shortfall_order"]
        for name in order:
            if name not in names:
                from .errors import did_you_mean

                suggestion = did_you_mean(name, names)
                raise InputError(scenario.path, where, f"reserve names of {force.name}: {', '.join(names)}", name,
                                 hint=f"Did you mean '{suggestion}'?" if suggestion else None)
    return RunSetup(scenario=scenario, national=national, forces=forces)


def with_overrides(setup: RunSetup, *, paths: int | None = None, seed: int | None = None,
                   chunk_size: int | None = None) -> RunSetup:
    """A copy of ``setup`` with command-line overrides of the simulation settings."""
    changes = {k: v for k, v in {"paths": paths, "seed": seed, "chunk_size": chunk_size}.items() if v is not None}
    if not changes:
        return setup
    return dataclasses.replace(setup, scenario=dataclasses.replace(setup.scenario, **changes))


def run_simulation(setup: RunSetup, progress: Callable[[int], None] | None = None) -> SimulationResult:
    """Project every force of the scenario on every path.

    Paths are processed in chunks of ``scenario.chunk_size``; the random streams make
    the numbers identical whatever the chunk size.

    Parameters
    ----------
    setup : RunSetup
    progress : callable, optional
        Called with the number of paths finished after each chunk.

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
    engine_seconds = 0.0
    metrics = {force: SUMMARY_METRICS + reserve_metrics(setup, force) for force in scenario.forces}
    lines = {force: {m: [] for m in metrics[force]} for force in scenario.forces}
    flags = {force: {f: [] for f in FLAGS} for force in scenario.forces}
    for start in range(0, scenario.paths, scenario.chunk_size):
        stop = min(start + scenario.chunk_size, scenario.paths)
        for force in scenario.forces:
            inputs = force_inputs(setup, force, start, stop)
            tick = time.perf_counter()
            projection = project_force(inputs)
            engine_seconds += time.perf_counter() - tick
            add_reserve_lines(setup, force, projection)
            check_finite(projection.lines, force, scenario.years)
            for metric in metrics[force]:
                lines[force][metric].append(projection.lines[metric])
            for flag in FLAGS:
                flags[force][flag].append(projection.flags[flag])
        if progress is not None:
            progress(stop)
    plan = {}
    for force in scenario.forces:
        projection = project_force(force_inputs(setup, force, 0, 1, case="force_plan"))
        add_reserve_lines(setup, force, projection)
        check_finite(projection.lines, force, scenario.years)
        plan[force] = {metric: projection.lines[metric][0] for metric in metrics[force]}
    result = SimulationResult(
        setup=setup,
        paths=scenario.paths,
        lines={f: {m: np.concatenate(v) for m, v in by.items()} for f, by in lines.items()},
        flags={f: {m: np.concatenate(v) for m, v in by.items()} for f, by in flags.items()},
        plan=plan,
    )
    result.timings = {"engine_seconds": engine_seconds, "simulation_seconds": time.perf_counter() - started}
    return result


def reserve_metrics(setup: RunSetup, force: str) -> tuple[str, ...]:
    """Metric names of a force's earmarked reserves, one per reserve: ``reserve_<name>``."""
    return tuple(reserve_metric(reserve.name) for reserve in setup.forces[force].earmarked)


def add_reserve_lines(setup: RunSetup, force: str, projection) -> None:
    """Add each earmarked reserve's closing balance to a projection's lines."""
    for k, name in enumerate(reserve_metrics(setup, force)):
        projection.lines[name] = projection.earmarked_by_reserve[:, :, k]


def check_finite(lines: dict[str, np.ndarray], force: str, years: tuple[str, ...]) -> None:
    """Stop with a clear message if any metric is NaN or infinite."""
    for metric, values in lines.items():
        bad = ~np.isfinite(values)
        if bad.any():
            year = years[int(np.argwhere(bad)[0][-1])]
            raise ModelError(
                f"the model produced a non-finite {metric} for {force} in {year}; "
                "check that force's baseline and the scenario's inputs for that year"
            )
