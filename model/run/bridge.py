"""The bridge from a force's plan to the middle of its simulated outcomes.

Why does the median of total usable reserves at the end of the horizon differ from the
force's own plan? The bridge answers it the way a finance officer reconciles two budgets:
start from the plan (every input group held at the plan), switch the groups of
:data:`model.declare.inputs.INPUT_GROUPS` to their sampled values one at a time, in that
fixed order, and record the median after each switch. Every stage runs on the same paths and
the same random draws (common random numbers), so a step is the effect of that group and not
Monte Carlo noise; the steps add up exactly to the difference between the plan and the
median with every group sampled.

Each chunk of paths is drawn once, with every group sampled; a stage's inputs are those with
the later groups' fields swapped for their plan values (:func:`~model.sampling.pinned.held_groups`),
array for array the inputs drawn with those groups held (``force_inputs(..., at_plan=...)``).

The order matters where groups interact (a slipped saving costs more when pay is also higher):
an earlier group's step is measured with the later ones still at plan. The table says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.declare.inputs import INPUT_GROUPS
from model.engine.projection import project_force
from model.run.simulation import chunks
from model.sampling.draws import force_inputs, run_source
from model.sampling.pinned import held_groups, with_fields
from model.sampling.setup import RunSetup

BRIDGE_METRIC = "total_reserves"
"""The line the bridge explains: total usable reserves at 31 March of the last year."""

BRIDGE_PATHS = 8192
"""The bridge runs on the first paths of the run, at most this many: each of its stages is a run of its
own, and on common random numbers a step's Monte Carlo error is far smaller than the median's."""

BRIDGE_COLUMNS = ["scenario", "force", "year", "metric", "step", "group", "label", "value", "change", "paths"]


def bridge_table(setup: RunSetup, paths: int | None = None) -> pd.DataFrame:
    """The plan-to-median bridge of every force.

    Parameters
    ----------
    setup : RunSetup
    paths : int, optional
        Paths to run each stage on (default: the scenario's, at most :data:`BRIDGE_PATHS`).

    Returns
    -------
    DataFrame
        Columns :data:`BRIDGE_COLUMNS`, per force: step 0 ``plan`` (the force plan's value),
        then one step per group (``value`` the median with that group and those before it
        sampled, ``change`` the step), then ``median`` (the median with every group sampled,
        equal to the last step's value). £m; the changes of a force add up to
        ``median − plan``.
    """
    scenario = setup.scenario
    paths = min(paths or scenario.paths, BRIDGE_PATHS)
    groups = list(INPUT_GROUPS)
    source = run_source(setup)
    rows = []
    for force in scenario.forces:
        values = np.empty((len(groups), paths))
        for start, stop in chunks(paths, scenario.chunk_size):
            values[:, start:stop] = stage_values(setup, force, start, stop, source)
        rows += force_bridge_rows(setup, force, values)
    return pd.DataFrame(rows, columns=BRIDGE_COLUMNS)


def force_bridge_rows(setup: RunSetup, force_id: str, values: np.ndarray) -> list[list]:
    """One force's rows of :func:`bridge_table`, from its stages' values.

    Parameters
    ----------
    setup : RunSetup
    force_id : str
    values : ndarray, shape (groups, paths)
        :func:`stage_values` of every path the bridge runs on, £m.

    Returns
    -------
    list of list
        Rows in the order of :data:`BRIDGE_COLUMNS`: the plan, one step a group, the median.
    """
    scenario = setup.scenario
    paths = values.shape[1]
    plan = float(project_force(force_inputs(setup, force_id, 0, 1, case="force_plan")).lines[BRIDGE_METRIC][0, -1])
    common = [scenario.name, force_id, scenario.years[-1], BRIDGE_METRIC]
    rows = [common + [0, "plan", "The force's plan", plan, 0.0, paths]]
    previous = plan
    for k, group in enumerate(INPUT_GROUPS, start=1):
        median = float(np.median(values[k - 1]))
        rows.append(common + [k, group, INPUT_GROUPS[group].label, median, median - previous, paths])
        previous = median
    rows.append(common + [len(INPUT_GROUPS) + 1, "median", "The middle of the simulated outcomes", previous, 0.0, paths])
    return rows


def stage_values(setup: RunSetup, force_id: str, start: int, stop: int, source=None) -> np.ndarray:
    """The bridge's line at the last year in each stage, on paths ``[start, stop)``.

    Parameters
    ----------
    setup : RunSetup
    force_id : str
    start, stop : int
        The paths.
    source : optional
        Uniform source (default: the scenario's).

    Returns
    -------
    ndarray, shape (groups, paths)
        £m. Row ``k`` has the groups of :data:`~model.declare.inputs.INPUT_GROUPS` up to
        and including the ``k``-th sampled and the later ones held at the force's plan.
    """
    groups = list(INPUT_GROUPS)
    sampled = force_inputs(setup, force_id, start, stop, source=source)
    moved = held_groups(sampled, groups[1:])
    values = np.empty((len(groups), stop - start))
    for k, group in enumerate(groups):
        if k > 0 and group not in moved:
            # Sampling a group that is drawn as planned leaves the inputs, so the projection, as they were.
            values[k] = values[k - 1]
            continue
        held = {name: value for later in groups[k + 1:] for name, value in moved.get(later, {}).items()}
        values[k] = project_force(with_fields(sampled, held)).lines[BRIDGE_METRIC][:, -1]
    return values
