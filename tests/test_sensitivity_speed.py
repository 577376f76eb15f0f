"""The sensitivity analysis's short cuts give exactly the numbers of the long way round.

Each speed-up is held here to the plain computation it replaces, bit for bit: the Sobol'
estimator to SALib's ``sobol.analyze``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from model.analysis.sobol import first_and_total_order, sobol_design


def _salib(design, y: np.ndarray, seed: int) -> dict:
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        # SALib warns when a resample's outputs are all alike (its estimate is then 0, as ours is).
        warnings.simplefilter("ignore", UserWarning)
        return sobol.analyze(design.problem, y, calc_second_order=False, num_resamples=50, conf_level=0.95,
                             seed=seed)


@pytest.mark.parametrize("kind", ["smooth", "indicator", "rare", "one_group_idle", "one_breach"])
def test_first_and_total_order_are_salibs_numbers_bit_for_bit(kind):
    design = sobol_design({"a": 2, "b": 1, "c": 3}, n=256, seed=3)
    x = design.matrix
    if kind == "smooth":
        y = np.sin(6 * x[:, 0]) + x[:, 2] ** 2 * x[:, 4] + 0.1 * x[:, 5]
    elif kind == "indicator":
        y = (x[:, 0] + x[:, 3] + 0.5 * x[:, 5] > 1.2).astype(float)
    elif kind == "rare":  # a handful of breaches: many resamples see none
        y = ((x[:, 0] > 0.97) & (x[:, 2] > 0.5)).astype(float)
    elif kind == "one_group_idle":
        y = x[:, 0] * 3.0 + x[:, 1]
    else:  # one breaching A row: about a third of the resamples miss it, their variance is nil
        y = np.zeros(x.shape[0])
        y[5 * len(design.groups) + 10] = 1.0
    assert np.ptp(y) > 0
    theirs = _salib(design, y, seed=11)
    ours = first_and_total_order(y, len(design.groups), resamples=50, confidence=0.95, seed=11)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_array_equal(ours[key], np.asarray(theirs[key]), err_msg=f"{kind}: {key}")
