"""The vectorised engine agrees with a plain per-path Python reference on sampled paths."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS

from model.engine.projection import project_force
from model.engine.reference import project_path
from model.sampling.draws import force_inputs
from model.sampling.setup import load_setup


@pytest.mark.parametrize("scenario", sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
@pytest.mark.parametrize("force", ["staffordshire", "leicestershire", "hertfordshire"])
def test_engine_matches_the_per_path_reference(scenario, force):
    setup = load_setup(SCENARIOS / f"{scenario}.yaml")
    inputs = force_inputs(setup, force, 1000, 1150)
    lines = project_force(inputs).lines
    for path in range(0, 150, 7):
        reference = project_path(inputs, path)
        for name, values in reference.items():
            np.testing.assert_allclose(lines[name][path], values, rtol=1e-10, atol=1e-9, err_msg=f"{name}, path {path}")
