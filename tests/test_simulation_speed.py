"""The simulation's short cuts give exactly the numbers of the long way round.

Each speed-up (formulas evaluated once per baseline, a line that is the same on every path
tallied from one value, a finiteness check in one pass, lines tallied without a copy) is
held here to the plain computation it replaces, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.declare.distributions import triangular_ppf
from model.io.errors import ModelError
from model.io.forces import evaluate_figures
from model.run.simulation import check_finite, force_metrics, metric_scales, project_chunk, project_lines
from model.run.tallies import N_BINS, BinCounts, BinEdges, LineAccumulator
from model.sampling.draws import baseline_values, run_source
from model.sampling.setup import load_setup


@pytest.fixture(scope="module")
def setup():
    return load_setup("scenarios/central.yaml")


def test_baseline_values_equal_every_formula_evaluated_on_the_draws(setup):
    source = run_source(setup)
    for force_id, force in setup.forces.items():
        assumptions = [f for f in force.figures.values() if f.kind == "assumption"]
        draws = {f.name: triangular_ppf(source.draw(("baseline", force_id, f.name), 100, 600, 1)[:, 0],
                                        f.low, f.central, f.high) for f in assumptions}
        expected = evaluate_figures(force.figures, draws)
        for _ in range(2):  # the second call uses the cached central values
            got = baseline_values(setup, force, 100, 600, source)
            assert got.keys() == expected.keys()
            for name, value in expected.items():
                assert np.array_equal(np.asarray(got[name]), np.asarray(value)), (force_id, name)
        assert baseline_values(setup, force, 0, 10) == evaluate_figures(force.figures)


def _tally_path_by_path(values: np.ndarray, edges: BinEdges, scales: np.ndarray):
    """Counts and sums the plain way: every path's bin and rounded value, one metric and year at a time."""
    n_metrics, n_years, _ = values.shape
    counts = np.zeros((n_metrics, n_years, N_BINS + 2), dtype=np.int64)
    sums = np.zeros((n_metrics, n_years), dtype=np.int64)
    for m in range(n_metrics):
        for t in range(n_years):
            inverse = 1.0 / edges.width[m, t]
            position = np.clip(values[m, t] * inverse + (1.0 - edges.low[m, t] * inverse), 0.0, N_BINS + 1.0)
            counts[m, t] = np.bincount(position.astype(np.int64), minlength=N_BINS + 2)
            sums[m, t] = np.rint(values[m, t] * scales[m]).astype(np.int64).sum()
    return counts, sums


def test_lines_the_same_on_every_path_tally_as_path_by_path():
    rng = np.random.default_rng(5)
    values = rng.normal(50.0, 10.0, size=(3, 4, 1000))
    values[0, 0] = 12.345678901  # one constant year of a varying metric
    values[1] = 7.25  # a metric constant in every year
    values[2, 3] = -3.0e-7
    edges = BinEdges.from_pilot(rng.normal(50.0, 10.0, size=(3, 4, 300)))
    scales = np.array([1e6, 1e6, 1e4])
    accumulator = LineAccumulator(("a", "b", "c"), scales, edges)
    accumulator.add(values[:, :, :600])
    accumulator.add(list(values[:, :, 600:]))  # one (years, paths) array per metric, as the simulation hands them
    counts, sums = _tally_path_by_path(values, edges, scales)
    np.testing.assert_array_equal(accumulator.counts, counts)
    np.testing.assert_array_equal(accumulator.sums, sums)
    np.testing.assert_array_equal(accumulator.minimum, values.min(axis=-1))
    np.testing.assert_array_equal(accumulator.maximum, values.max(axis=-1))


def test_project_lines_are_project_chunk_without_the_copy(setup):
    for force in setup.scenario.forces:
        lines, flags, (minimum, maximum) = project_lines(setup, force, 0, 300)
        values, same_flags = project_chunk(setup, force, 0, 300)
        assert len(lines) == len(force_metrics(setup, force)) == len(metric_scales(force_metrics(setup, force)))
        np.testing.assert_array_equal(np.stack(lines), values)
        np.testing.assert_array_equal(minimum, values.min(axis=-1))
        np.testing.assert_array_equal(maximum, values.max(axis=-1))
        assert flags.keys() == same_flags.keys()


def test_one_pass_finiteness_check_still_finds_the_first_bad_line():
    years = ("2016/17", "2017/18")
    huge = np.full((5, 2), 1e308)  # finite, but its sum overflows: looked at value by value, and passes
    check_finite({"grant": huge}, "staffordshire", years)
    bad = np.ones((5, 2))
    bad[3, 1] = np.nan
    with pytest.raises(ModelError, match="non-finite gap for staffordshire in 2017/18"):
        check_finite({"grant": huge, "gap": bad}, "staffordshire", years)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, N_BINS + 1), st.integers(0, 300),
                          st.integers(1, 50)), min_size=1, max_size=12), st.integers(0, 10))
def test_bin_windows_hold_the_same_counts_as_the_full_grid(chunks, split):
    """Windows widened in any order, merged, packed and unpacked: every count as on the full grid."""
    rng = np.random.default_rng(split)
    full = np.zeros((3, 4, N_BINS + 2), dtype=np.int64)
    first, second = BinCounts(3, 4), BinCounts(3, 4)
    for k, (m, t, centre, spread, paths) in enumerate(chunks):
        bins = np.clip(centre + rng.integers(-spread, spread + 1, size=paths), 0, N_BINS + 1)
        full[m, t] += np.bincount(bins, minlength=N_BINS + 2)
        tally = first if k < split else second
        if paths % 3 == 0:
            for position, count in zip(*np.unique(bins, return_counts=True), strict=True):
                tally.add_paths(m, t, int(position), int(count))
        else:
            tally.add(m, t, bins)
    first.merge(second)
    np.testing.assert_array_equal(first.dense(), full)
    np.testing.assert_array_equal(BinCounts.unpacked(*first.packed()).dense(), full)
    np.testing.assert_array_equal(BinCounts.of_dense(full).dense(), full)
    assert first.cell(chunks[0][0], chunks[0][1]).tolist() == full[chunks[0][0], chunks[0][1]].tolist()
    assert sum(window.size for row in first.windows for window in row) <= full.size
