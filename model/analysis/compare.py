"""Compare two scenarios on the same random draws: the distribution of the differences, path by path.

:func:`compare_scenarios` runs scenario B on A's seed, sampling and paths, so each path of B
differs from the same path of A only where the scenarios differ; it reports the paired
differences (B − A) of every line and flag, not two separate clouds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.declare.outputs import FLAGS
from model.io.errors import Described, InputError
from model.io.overlay import scenario_differences
from model.run.simulation import chunks, force_metrics, metric_scales, project_chunk
from model.run.tallies import PILOT_PATHS, BinEdges, LineAccumulator
from model.sampling.draws import run_source
from model.sampling.setup import RunSetup


def check_comparable(a: RunSetup, b: RunSetup) -> None:
    """Two scenarios can be compared path by path only if they name the same forces and years.

    Raises
    ------
    InputError
        Naming scenario B's file, the field, and what scenario A has.
    """
    sa, sb = a.scenario, b.scenario
    if sorted(sa.forces) != sorted(sb.forces):
        raise InputError(sb.path, ["forces"], f"the same forces as {sa.path} ({', '.join(sa.forces)}) to compare "
                         "path by path", Described(", ".join(sb.forces)))
    if sa.n_years != sb.n_years:
        raise InputError(sb.path, ["years"], f"the same years as {sa.path} ({sa.years[0]} to {sa.years[-1]}) to "
                         "compare path by path", Described(f"{sb.years[0]} to {sb.years[-1]}"))
    for force in sa.forces:
        if force_metrics(a, force) != force_metrics(b, force):
            raise InputError(sb.path, ["forces"], f"the same baseline for {force} as {sa.path} (the same earmarked "
                             "reserves)", Described("a different set of reserves"))


def comparison_notes(a: RunSetup, b: RunSetup) -> list[str]:
    """What a reader should know about how the pair was run (whose seed and sampling were used)."""
    sa, sb = a.scenario, b.scenario
    notes = []
    if sa.seed != sb.seed:
        notes.append(f"{sb.name} states seed {sb.seed}; both ran on seed {sa.seed} ({sa.name}'s run) so that they "
                     "share their draws.")
    if sa.sampling != sb.sampling:
        notes.append(f"{sb.name} states {sb.sampling} sampling; both ran on {sa.name}'s {sa.sampling} sampling.")
    if sa.paths != sb.paths:
        notes.append(f"{sb.name} states {sb.paths:,} paths; both ran on {sa.paths:,}.")
    return notes


DIFFERENCE_COLUMNS = ["field", "scenario_a", "scenario_b"]
"""``compare_differences.csv``: each field that differs between the resolved scenarios, as written in each."""


def difference_table(a: RunSetup, b: RunSetup) -> pd.DataFrame:
    """Every field that differs between the two resolved scenarios (text fields aside).

    Returns
    -------
    DataFrame
        Columns :data:`DIFFERENCE_COLUMNS`, one row per field, sorted by field.
    """
    rows = scenario_differences(a.scenario.resolved_yaml, b.scenario.resolved_yaml)
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
COMPARE_COLUMNS = (["scenario_a", "scenario_b", "force", "year", "metric", "mean_a", "mean_b", "mean"]
                   + [f"p{p}" for p in PERCENTILES])
COMPARE_FLAG_COLUMNS = ["scenario_a", "scenario_b", "force", "year", "flag", "probability_a", "probability_b",
                        "difference", "std_error", "paths_b_only", "paths_a_only"]


def compare_force(a: RunSetup, b: RunSetup, force: str, paths: int, source) -> tuple[list, list]:
    """Rows of the paired comparison for one force (see :func:`compare_scenarios`)."""
    sa, sb = a.scenario, b.scenario
    metrics = force_metrics(a, force)
    pilot = min(PILOT_PATHS, paths)
    edges = BinEdges.from_pilot(project_chunk(b, force, 0, pilot, source=source)[0]
                                - project_chunk(a, force, 0, pilot, source=source)[0])
    differences = LineAccumulator(metrics, metric_scales(tuple(metrics)), edges)
    sums_a = sums_b = 0.0
    counts = {flag: np.zeros((4, sa.n_years), dtype=np.int64) for flag in FLAGS}
    for start, stop in chunks(paths, sa.chunk_size):
        values_a, flags_a = project_chunk(a, force, start, stop, source=source)
        values_b, flags_b = project_chunk(b, force, start, stop, source=source)
        differences.add(values_b - values_a)
        sums_a = sums_a + values_a.sum(axis=-1)
        sums_b = sums_b + values_b.sum(axis=-1)
        for flag in FLAGS:
            fa, fb = flags_a[flag], flags_b[flag]
            counts[flag] += np.stack([fa.sum(0), fb.sum(0), (fb & ~fa).sum(0), (fa & ~fb).sum(0)])
    quantiles = differences.quantiles(np.array(PERCENTILES) / 100.0)
    means = differences.mean()
    metric_rows = [[sa.name, sb.name, force, year, metric, sums_a[m, t] / paths, sums_b[m, t] / paths, means[m, t],
                    *quantiles[m, t]]
                   for m, metric in enumerate(metrics) for t, year in enumerate(sa.years)]
    flag_rows = []
    for flag, (in_a, in_b, b_only, a_only) in counts.items():
        for t, year in enumerate(sa.years):
            difference = (in_b[t] - in_a[t]) / paths
            variance = max((b_only[t] + a_only[t]) / paths - difference**2, 0.0)
            flag_rows.append([sa.name, sb.name, force, year, flag, in_a[t] / paths, in_b[t] / paths, difference,
                              math.sqrt(variance / paths), int(b_only[t]), int(a_only[t])])
    return metric_rows, flag_rows


def compare_scenarios(a: RunSetup, b: RunSetup, paths: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paired differences B − A between two scenarios run on the same draws.

    Both run on scenario A's streams (its seed and sampling), path by path, so a
    difference is what B changes, not Monte Carlo noise: identical scenarios differ by
    exactly zero.

    Parameters
    ----------
    a, b : RunSetup
    paths : int, optional
        Paths (default: scenario A's).

    Returns
    -------
    metrics : DataFrame
        Columns :data:`COMPARE_COLUMNS`: per force, year and metric, the means of A and B
        and the mean and percentiles of B − A over paths (£m; band D £; percentiles from
        histograms, within about 1/2,000 of the range, exact where B − A has no spread).
    flags : DataFrame
        Columns :data:`COMPARE_FLAG_COLUMNS`: each flag's probability under A and B, their
        difference and its paired standard error ``sd(flag_B - flag_A) / √n``.

    Raises
    ------
    InputError
        If the scenarios do not name the same forces and years.
    """
    check_comparable(a, b)
    paths = paths or a.scenario.paths
    source = run_source(a, b)
    metric_rows, flag_rows = [], []
    for force in a.scenario.forces:
        rows, flags = compare_force(a, b, force, paths, source)
        metric_rows += rows
        flag_rows += flags
    return pd.DataFrame(metric_rows, columns=COMPARE_COLUMNS), pd.DataFrame(flag_rows, columns=COMPARE_FLAG_COLUMNS)
