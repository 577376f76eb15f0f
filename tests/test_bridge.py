"""The plan-to-median bridge drawn once a chunk gives exactly the numbers of every stage drawn again.

The plain computation, kept here only as the oracle, draws each stage's inputs with the
later groups held at the force's plan (``force_inputs(..., at_plan=...)``); the bridge draws
each chunk once and swaps the held groups' fields in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS

from model.declare.inputs import INPUT_GROUPS
from model.engine.projection import project_force
from model.run.bridge import BRIDGE_COLUMNS, BRIDGE_METRIC, bridge_table, force_bridge_rows, stage_values
from model.run.simulation import chunks
from model.sampling.draws import force_inputs, run_source
from model.sampling.pinned import held_groups
from model.sampling.setup import load_setup, with_overrides


def plain_stages(setup, force, start, stop, source) -> np.ndarray:
    """Each stage drawn on its own, shape (groups, paths)."""
    groups = list(INPUT_GROUPS)
    return np.array([
        project_force(force_inputs(setup, force, start, stop, source=source, at_plan=frozenset(groups[k:]))).lines[
            BRIDGE_METRIC][:, -1]
        for k in range(1, len(groups) + 1)])


def plain_bridge(setup, paths: int) -> pd.DataFrame:
    """The bridge table with every stage's values from :func:`plain_stages`."""
    scenario, source = setup.scenario, run_source(setup)
    rows = []
    for force in scenario.forces:
        values = np.concatenate([plain_stages(setup, force, start, stop, source)
                                 for start, stop in chunks(paths, scenario.chunk_size)], axis=1)
        rows += force_bridge_rows(setup, force, values)
    return pd.DataFrame(rows, columns=BRIDGE_COLUMNS)


@pytest.mark.parametrize("name", ["central", "central-with-action", "pessimistic", "hertfordshire-five-pounds"])
def test_the_bridge_drawn_once_is_every_stage_drawn_again(name):
    # Two chunks, the second short: the stages are joined across chunks as the plain way joins them.
    setup = with_overrides(load_setup(SCENARIOS / f"{name}.yaml"), paths=200, chunk_size=128)
    source = run_source(setup)
    for force in setup.scenario.forces:
        for start, stop in chunks(200, 128):
            np.testing.assert_array_equal(stage_values(setup, force, start, stop, source),
                                          plain_stages(setup, force, start, stop, source))
    pd.testing.assert_frame_equal(bridge_table(setup), plain_bridge(setup, 200), check_exact=True)


def test_a_group_drawn_as_planned_is_left_out_and_baseline_is_refused():
    setup = with_overrides(load_setup(SCENARIOS / "central.yaml"), paths=64, chunk_size=64)
    force = setup.scenario.forces[0]
    held = frozenset(INPUT_GROUPS) - {"baseline"}
    moved = held_groups(force_inputs(setup, force, 0, 64), held)
    # Held with every group at plan, the inputs have nothing left to move.
    assert held_groups(force_inputs(setup, force, 0, 64, at_plan=held), held) == {}
    assert moved and set(moved) <= held
    with pytest.raises(ValueError, match="baseline"):
        held_groups(force_inputs(setup, force, 0, 64), {"baseline"})
