"""The one path from a scenario to its results, for the command line and for Python users.

Each command of ``police-mtfs`` is a pair here: a ``run_*`` function that loads, samples,
projects and summarises and returns a typed result, and a ``write_*`` function that
writes that result's files atomically into a folder. The command line only parses its
options, calls them and prints.

Examples
--------
>>> from model.pipeline import run_scenario, write_run             # doctest: +SKIP
>>> result = run_scenario("scenarios/central.yaml", paths=2000, seed=1)
>>> result.headlines()[["force", "p_general_below_minimum"]]
>>> write_run(result, "reports/mine")
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis.results import CompareResult, GoalSeekResult, SensitivityResult
from model.declare.settings import SETTINGS
from model.io.atomic import AtomicOutputs, write_csv, write_json, write_text
from model.io.run_folder import write_npz
from model.run.bridge import bridge_table
from model.run.pool import open_pool
from model.run.ranks import simulation_arrays
from model.run.results import RunInfo, RunResult, appendix_of, run_info
from model.run.simulation import run_simulation
from model.run.summaries import (
    cap_warnings,
    cases_table,
    convergence_table,
    flags_table,
    plan_table,
    precept_caps_table,
    summary_table,
)
from model.sampling.setup import RunSetup, check_sampling, load_setup, with_overrides
from model.sampling.statuses import unstated_warning

ProgressCallback = Callable[[int], None]
"""Called with the number of paths finished."""

HISTOGRAMS = "histograms.npz"
"""The run's fixed-bin histograms (every force, metric and year), for ``police-mtfs evaluate --run``."""

RESOLVED = "resolved.yaml"
"""The scenario after its ``extends:`` chain and ``--set`` overrides, written beside every command's outputs."""

StageCallback = Callable[[str, float], None]
"""Called with a stage's name and its seconds when it finishes."""


def load(scenario: Path | str, *, data_dir: Path | str | None = None, paths: int | None = None,
         seed: int | None = None, chunk_size: int | None = None, precision: bool = False,
         overrides: Sequence[str] = ()) -> RunSetup:
    """Load a scenario and its force baselines, with any overrides of its simulation settings.

    Parameters
    ----------
    scenario : path-like
        Scenario YAML file.
    data_dir : path-like, optional
        Folder with ``forces/`` and ``national.yaml`` (default: this checkout's ``data/``).
    paths, seed, chunk_size : int, optional
        Override the scenario's ``simulation`` settings.
    precision : bool
        Whether the run will go to a precision (then any path count is fine with Sobol' points).
    overrides : sequence of str
        ``FIELD=VALUE`` texts, as ``--set`` takes them, merged over the scenario file.

    Returns
    -------
    RunSetup

    Raises
    ------
    model.io.errors.InputError
        Anything wrong with the scenario or the force files, naming file, line and field.
    """
    setup = with_overrides(load_setup(scenario, None if data_dir is None else Path(data_dir), overrides),
                           paths=paths, seed=seed, chunk_size=chunk_size)
    check_sampling(setup, precision=precision)
    return setup


def _setup(scenario: Path | str | RunSetup, **options) -> RunSetup:
    """A scenario file loaded with :func:`load`, or a setup already loaded (then ``options`` are not applied)."""
    if isinstance(scenario, RunSetup):
        check_sampling(scenario, precision=options.get("precision", False))
        return scenario
    return load(scenario, **options)


def run_scenario(scenario: Path | str | RunSetup, *, paths: int | None = None, seed: int | None = None,
                 chunk_size: int | None = None, workers: int = 1, precision: float | None = None,
                 max_paths: int = SETTINGS["max_paths"].default, data_dir: Path | str | None = None,
                 progress: ProgressCallback | None = None, overrides: Sequence[str] = (),
                 scheduler: str | None = None) -> RunResult:
    """Run a scenario: every force on every path, summarised into the run's tables.

    Parameters
    ----------
    scenario : path-like or RunSetup
        A scenario file, or a setup already loaded with :func:`load`.
    paths, seed, chunk_size : int, optional
        Override the scenario's simulation settings (ignored for a :class:`RunSetup`).
    workers : int
        Worker processes; the numbers are identical whatever the count.
    precision : float, optional
        Keep adding paths until every headline probability's 95% interval is within
        ± this (0.005 for ±0.5 points), up to ``max_paths``.
    max_paths : int
        Path limit for a run to a precision.
    data_dir : path-like, optional
        Folder with ``forces/`` and ``national.yaml``.
    progress : callable, optional
        Called with the number of paths finished.
    overrides : sequence of str
        ``--set FIELD=VALUE`` texts merged over the scenario file (ignored for a :class:`RunSetup`).
    scheduler : str, optional
        Address of a running Dask scheduler: the paths run on its cluster instead of
        ``workers`` local processes, with the same numbers (``pip install 'police-mtfs[dask]'``).

    Returns
    -------
    RunResult
        The tables (summary, flags, plan, cases, convergence), the run's metadata, the
        appendix and the resolved setup.

    Raises
    ------
    model.io.errors.InputError
        Bad input.
    model.run.simulation.ModelError
        The model produced a NaN or infinite number.
    """
    started = time.perf_counter()
    setup = _setup(scenario, data_dir=data_dir, paths=paths, seed=seed, chunk_size=chunk_size,
                   precision=precision is not None, overrides=overrides)
    loaded = time.perf_counter()
    with open_pool(workers, scheduler) as pool:
        simulation = run_simulation(setup, progress=progress, precision=precision, max_paths=max_paths, pool=pool)
    setup = simulation.setup
    bridge_started = time.perf_counter()
    bridge = bridge_table(setup)
    timings = dict(simulation.timings, load_seconds=loaded - started, bridge_seconds=time.perf_counter() - bridge_started)
    summary, flags = summary_table(simulation), flags_table(simulation)
    caps = precept_caps_table(summary, flags)
    return RunResult(
        info=run_info(setup, simulation.paths, simulation.stopping, run_warnings(setup, caps)),
        summary=summary,
        flags=flags,
        plan=plan_table(simulation),
        cases=cases_table(simulation),
        convergence=convergence_table(simulation),
        histograms=simulation_arrays(simulation),
        bridge=bridge,
        appendix=appendix_of(setup, caps),
        setup=setup,
        timings=timings,
        started=started,
    )


def run_warnings(setup: RunSetup, caps: pd.DataFrame) -> tuple[str, ...]:
    """What a run should tell its user: inputs no scenario states, band D rises the referendum limit cut,
    and a repaired correlation matrix.

    Each is one line, printed on stderr and recorded in ``run.json`` and the report.
    """
    names = {force: setup.forces[force].name for force in setup.scenario.forces}
    unstated = unstated_warning(setup.scenario)
    warnings = ([unstated] if unstated else []) + cap_warnings(caps, names)
    plan = setup.correlation
    if plan is not None and plan.repaired:
        change = np.abs(plan.used - plan.asked)
        i, j = np.unravel_index(np.argmax(change), change.shape)
        warnings.append(f"the stated correlations are not a valid correlation matrix; the nearest valid one was used "
                        f"(largest change: {plan.names[i]} with {plan.names[j]}, {plan.asked[i, j]:.2f} used as "
                        f"{plan.used[i, j]:.2f})")
    return tuple(warnings)


def write_run(result: RunResult, folder: Path | str) -> list[Path]:
    """Write a run's files into ``folder``, all together or none.

    Writes ``summary.csv``, ``flags.csv``, ``plan.csv``, ``cases.csv``, ``convergence.csv``,
    ``bridge.csv``, ``report.pdf``, ``report.xlsx``, ``run.json``, ``resolved.yaml`` and ``histograms.npz``; a
    failure or an interrupt leaves any earlier report in the folder as it was.

    Returns
    -------
    list of Path
        The files written.
    """
    from model.report import pdf, records, workbook

    with AtomicOutputs(Path(folder)) as outputs:
        for name, table in result.tables().items():
            outputs.write(f"{name}.csv", write_csv(table))
        report_started = time.perf_counter()
        outputs.write("report.pdf", lambda path: pdf.build_report_pdf(path, result))
        outputs.write("report.xlsx", lambda path: workbook.write_workbook(path, result))
        now = time.perf_counter()
        timings = dict(result.timings, report_seconds=now - report_started, total_seconds=now - result.started)
        record = dict(records.run_record(result.info, timings),
                      precept_caps=result.appendix.precept_caps.to_dict("records"))
        outputs.write("run.json", write_json(record))
        outputs.write(RESOLVED, write_text(result.info.resolved_yaml))
        if result.histograms:
            outputs.write(HISTOGRAMS, write_npz(result.histograms))
        return outputs.publish()


def run_sensitivity(scenario: Path | str | RunSetup, *, paths: int | None = None, seed: int | None = None,
                    sobol_n: int = SETTINGS["sobol_n"].default, data_dir: Path | str | None = None,
                    on_stage: StageCallback | None = None, overrides: Sequence[str] = (),
                    scheduler: str | None = None, workers: int = 1) -> SensitivityResult:
    """Which assumptions drive a scenario's risk: unit sensitivities, tornado and spider, Sobol' indices, breach drivers.

    Parameters
    ----------
    scenario : path-like or RunSetup
    paths, seed : int, optional
        Override the scenario's (the probabilities use ``paths`` paths).
    sobol_n : int
        Base samples of the Sobol' design, a power of two.
    data_dir : path-like, optional
    on_stage : callable, optional
        Called with each stage's name and seconds as it finishes.
    overrides : sequence of str
        ``--set FIELD=VALUE`` texts merged over the scenario file.
    scheduler : str, optional
        Address of a running Dask scheduler: the evaluations run on its cluster, with the
        same numbers.
    workers : int
        Local worker processes (1: this process), with the same numbers: the tornado's and
        the Sobol' design's evaluations are split into spans of paths or rows, and the
        Sobol' indices of each output are worked out apart. Ignored with ``scheduler``.

    Returns
    -------
    SensitivityResult
    """
    from model.analysis.drivers import breach_drivers
    from model.analysis.one_way import one_way_sensitivities
    from model.analysis.sobol import sobol_indices
    from model.analysis.unit import unit_sensitivities

    started = time.perf_counter()
    setup = _setup(scenario, data_dir=data_dir, paths=paths, seed=seed, overrides=overrides)
    timings: dict[str, float] = {}

    def stage(name: str, key: str, clock: float) -> float:
        timings[key] = time.perf_counter() - clock
        if on_stage is not None:
            on_stage(name, timings[key])
        return time.perf_counter()

    with open_pool(workers, scheduler=scheduler) as pool:
        clock = time.perf_counter()
        unit = unit_sensitivities(setup)
        clock = stage("unit sensitivities", "unit_seconds", clock)
        spider, tornado = one_way_sensitivities(setup, pool=pool)
        clock = stage("tornado and spider", "one_way_seconds", clock)
        sobol = sobol_indices(setup, n=sobol_n, pool=pool)
        clock = stage("Sobol' indices", "sobol_seconds", clock)
        drivers = breach_drivers(setup, pool=pool)
        stage("breach drivers", "drivers_seconds", clock)
        timings["workers"] = pool.workers
    timings["started"] = started
    return SensitivityResult(info=run_info(setup), unit_sensitivities=unit, spider=spider, tornado=tornado,
                             sobol_indices=sobol, breach_drivers=drivers, sobol_n=sobol_n, timings=timings)


def write_sensitivity(result: SensitivityResult, folder: Path | str) -> list[Path]:
    """Write a sensitivity analysis's CSVs, ``sensitivity.pdf`` and ``sensitivity.json`` into ``folder`` atomically."""
    from model.report import records, sensitivity_pdf

    timings = dict(result.timings)
    started = timings.pop("started", time.perf_counter())
    with AtomicOutputs(Path(folder)) as outputs:
        for name, table in result.tables().items():
            outputs.write(f"{name}.csv", write_csv(table))
        clock = time.perf_counter()
        outputs.write("sensitivity.pdf", lambda path: sensitivity_pdf.build_sensitivity_pdf(path, result))
        timings["pdf_seconds"] = time.perf_counter() - clock
        timings["total_seconds"] = time.perf_counter() - started
        record = dict(records.run_record(result.info, timings), sobol_base_samples=result.sobol_n,
                      sobol_evaluations_per_force=result.sobol_evaluations())
        outputs.write("sensitivity.json", write_json(record))
        outputs.write(RESOLVED, write_text(result.info.resolved_yaml))
        return outputs.publish()


def run_goal_seek(scenario: Path | str | RunSetup, *, lever: str, target: float, unit: str | None = None,
                  forces: Sequence[str] = (), paths: int | None = None, seed: int | None = None,
                  data_dir: Path | str | None = None, overrides: Sequence[str] = ()) -> GoalSeekResult:
    """The smallest band D rise or extra saving that keeps P(general reserve below minimum) at or below ``target``.

    Parameters
    ----------
    scenario : path-like
    lever : {'precept', 'savings'}
    target : float
        Probability in (0, 1), e.g. 0.05.
    unit : {'%', '£'} for the precept, '£m' for savings (default: the lever's first).
    forces : sequence of str
        Force ids (default: every force of the scenario).
    paths, seed : int, optional
    data_dir : path-like, optional
    overrides : sequence of str
        ``--set FIELD=VALUE`` texts merged over the scenario file.

    Returns
    -------
    GoalSeekResult

    Raises
    ------
    model.io.errors.InputError
        Bad input, including a force the scenario does not have.
    """
    import pandas as pd

    from model.analysis.goal_seek import GOAL_SEEK_COLUMNS, LEVER_UNITS, goal_seek

    setup = _setup(scenario, data_dir=data_dir, paths=paths, seed=seed, overrides=overrides)
    results, trials = [], []
    for force in forces or setup.scenario.forces:
        result, tried = goal_seek(setup, force, lever, target, unit)
        results.append(result)
        trials.append(tried)
    return GoalSeekResult(info=run_info(setup), summary=pd.DataFrame(results, columns=GOAL_SEEK_COLUMNS),
                          trials=pd.concat(trials, ignore_index=True), lever=lever, target=target,
                          unit=unit or LEVER_UNITS[lever][0], forces=tuple(forces or setup.scenario.forces))


def write_goal_seek(result: GoalSeekResult, folder: Path | str) -> list[Path]:
    """Write ``goal_seek.csv`` and ``goal_seek_trials.csv`` into ``folder`` atomically."""
    with AtomicOutputs(Path(folder)) as outputs:
        outputs.write("goal_seek.csv", write_csv(result.summary))
        outputs.write("goal_seek_trials.csv", write_csv(result.trials))
        outputs.write(RESOLVED, write_text(result.info.resolved_yaml))
        return outputs.publish()


def run_compare(scenario_a: Path | str | RunSetup, scenario_b: Path | str | RunSetup, *, paths: int | None = None,
                seed: int | None = None, data_dir: Path | str | None = None,
                overrides: Sequence[str] = ()) -> CompareResult:
    """Scenario B against scenario A, path by path on the same random draws (A's seed, sampling and paths).

    ``overrides`` (``--set FIELD=VALUE``) apply to both scenarios.

    Returns
    -------
    CompareResult
    """
    from model.analysis.compare import compare_scenarios, comparison_notes, difference_table

    started = time.perf_counter()
    a = _setup(scenario_a, data_dir=data_dir, paths=paths, seed=seed, overrides=overrides)
    b = (scenario_b if isinstance(scenario_b, RunSetup)
         else load_setup(scenario_b, None if data_dir is None else Path(data_dir), overrides))
    metrics, flags = compare_scenarios(a, b)
    return CompareResult(info=run_info(a), info_b=run_info(b), metrics=metrics, flags=flags,
                         notes=comparison_notes(a, b), differences=difference_table(a, b),
                         timings={"started": started})


def write_compare(result: CompareResult, folder: Path | str) -> list[Path]:
    """Write ``compare_differences.csv``, ``compare.csv``, ``compare_flags.csv``, ``compare.json`` and both
    resolved scenarios into ``folder`` atomically."""
    from model.report import records

    timings = dict(result.timings)
    started = timings.pop("started", time.perf_counter())
    record = dict(records.run_record(result.info, {"total_seconds": time.perf_counter() - started}),
                  scenario_b_file=result.info_b.scenario_file, scenario_b_sha256=result.info_b.scenario_sha256,
                  notes=result.notes)
    with AtomicOutputs(Path(folder)) as outputs:
        outputs.write("compare_differences.csv", write_csv(result.differences))
        outputs.write("compare.csv", write_csv(result.metrics))
        outputs.write("compare_flags.csv", write_csv(result.flags))
        outputs.write("compare.json", write_json(record))
        outputs.write("resolved_a.yaml", write_text(result.info.resolved_yaml))
        outputs.write("resolved_b.yaml", write_text(result.info_b.resolved_yaml))
        return outputs.publish()


# --------------------------------------------------------------------------------------
# Where each command writes: its own folder, named by command and parameters
# --------------------------------------------------------------------------------------

def run_folder(out: Path | str, info: RunInfo) -> Path:
    """``OUT/<scenario>/``; with ``--set`` overrides, ``OUT/<scenario>-set-<8 hex>/`` so the file's own report stays.

    The eight hex digits are the start of the sha256 of the overrides, one per line, in order.
    """
    name = info.scenario_name
    if info.overrides:
        name += "-set-" + hashlib.sha256("\n".join(info.overrides).encode("utf-8")).hexdigest()[:8]
    return Path(out) / name


def sensitivity_folder(out: Path | str, info: RunInfo) -> Path:
    """``OUT/<scenario>/sensitivity/``."""
    return run_folder(out, info) / "sensitivity"


def goal_seek_folder(out: Path | str, result: GoalSeekResult) -> Path:
    """``OUT/<scenario>/goal-seek/<forces>-<lever>-<target>pct/``, e.g. ``hertfordshire-precept-5pct``.

    ``<forces>`` are the force ids sought, joined by ``-``; a precept in £ is ``precept-pounds``.
    """
    forces = "-".join(result.forces)
    lever = "precept-pounds" if result.lever == "precept" and result.unit == "£" else result.lever
    target = f"{result.target * 100:.6g}pct"
    return run_folder(out, result.info) / "goal-seek" / f"{forces}-{lever}-{target}"


def evaluate_folder(out: Path | str, info: RunInfo) -> Path:
    """``OUT/<scenario>/evaluate/``."""
    return run_folder(out, info) / "evaluate"


def compare_folder(out: Path | str, result: CompareResult) -> Path:
    """``OUT/<scenario A>/compare/<scenario B>/``."""
    return run_folder(out, result.info) / "compare" / result.info_b.scenario_name
