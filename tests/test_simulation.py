"""Whole-scenario behaviour: reproducibility, chunk invariance, zero variance, shared national draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import MINIMAL, SCENARIOS

from model.declare.distributions import Distribution
from model.run.simulation import run_simulation
from model.run.summaries import flags_table, plan_table, summary_table
from model.sampling.draws import sample_input
from model.sampling.setup import load_setup, with_overrides
from model.sampling.uniforms import RandomStreams


def tables(setup):
    result = run_simulation(setup)
    return summary_table(result), flags_table(result)


@pytest.fixture(scope="module")
def central():
    return with_overrides(load_setup(SCENARIOS / "central.yaml"), paths=3000)


def test_same_seed_same_numbers_whatever_the_chunk_size(central):
    reference = tables(with_overrides(central, chunk_size=3000))
    for chunk in (97, 517, 2999):
        summary, flags = tables(with_overrides(central, chunk_size=chunk))
        pd.testing.assert_frame_equal(summary, reference[0], check_exact=True)
        pd.testing.assert_frame_equal(flags, reference[1], check_exact=True)


def test_one_path_chunks_give_the_same_numbers(central):
    small = with_overrides(central, paths=60)
    reference = tables(with_overrides(small, chunk_size=60))
    summary, flags = tables(with_overrides(small, chunk_size=1))
    pd.testing.assert_frame_equal(summary, reference[0], check_exact=True)
    pd.testing.assert_frame_equal(flags, reference[1], check_exact=True)


def test_uniform_streams_are_chunk_invariant_however_paths_are_split():
    streams = RandomStreams(11)
    whole = streams.draw(("input", "x", "national"), 0, 12_293, 4)
    parts = np.concatenate([streams.draw(("input", "x", "national"), a, b, 4)
                            for a, b in [(0, 10), (10, 4097), (4097, 12_293)]])
    np.testing.assert_array_equal(whole, parts)
    # Drawing other streams in between, or from a fresh object, changes nothing.
    streams.draw(("input", "y", "national"), 500, 900, 1)
    np.testing.assert_array_equal(streams.draw(("input", "x", "national"), 4097, 4200, 4), whole[4097:4200])
    np.testing.assert_array_equal(RandomStreams(11).draw(("input", "x", "national"), 7, 9, 4), whole[7:9])
    assert not np.array_equal(streams.draw(("input", "y", "national"), 0, 10, 4), whole[:10])
    assert ((whole > 0) & (whole < 1)).all()


def test_a_different_seed_changes_the_numbers(central):
    a, _ = tables(with_overrides(central, paths=500))
    b, _ = tables(with_overrides(central, paths=500, seed=central.scenario.seed + 1))
    assert not np.allclose(a["mean"], b["mean"])


TWO_FORCES = MINIMAL.replace("forces: [staffordshire, leicestershire, hertfordshire]",
                             "forces: [staffordshire, leicestershire]")
"""The minimal scenario without Hertfordshire, whose file holds a pressure its plan does not carry."""


def test_zero_variance_collapses_to_the_deterministic_plan(write_scenario):
    path = write_scenario(TWO_FORCES + "baseline: central\n")
    result = run_simulation(load_setup(path))
    summary = summary_table(result).merge(plan_table(result), on=["scenario", "force", "year", "metric"])
    for column in ("p5", "p50", "p95"):
        np.testing.assert_allclose(summary[column], summary["value"], rtol=1e-12, atol=1e-9)
    # Means are summed in fixed point (£1 on £m, 0.01 of a property), so exact to that.
    np.testing.assert_allclose(summary["mean"], summary["value"], rtol=1e-8, atol=1e-6)
    flags = flags_table(result)
    assert (flags["probability"] == 0).all() and (flags["std_error"] == 0).all()


def test_an_unplanned_pressure_is_the_only_difference_from_the_plan_at_zero_variance(write_scenario):
    path = write_scenario(MINIMAL + "baseline: central\n")
    result = run_simulation(load_setup(path))
    summary = summary_table(result).merge(plan_table(result), on=["scenario", "force", "year", "metric"])
    herts = summary[summary.force == "hertfordshire"].set_index(["metric", "year"])
    # Hertfordshire's safeguarding increase (£0.45m from 2017/18) is in its file but not its plan.
    np.testing.assert_allclose(herts.loc["pressures", "p50"].to_numpy() - herts.loc["pressures", "value"].to_numpy(),
                               [0.0, 0.45, 0.45, 0.45], atol=1e-9)
    assert herts.loc[("spend", "2017/18"), "p50"] - herts.loc[("spend", "2017/18"), "value"] == pytest.approx(0.45)
    assert herts.loc[("spend", "2016/17"), "p50"] == pytest.approx(herts.loc[("spend", "2016/17"), "value"])


def test_fixed_inputs_equal_to_the_plan_also_collapse(write_scenario):
    path = write_scenario(TWO_FORCES + """\
baseline: central
assumptions:
  pay_award: 1%
  non_pay_inflation: 2%
  savings_delivery: 100%
  grant_change:
    forces:
      staffordshire: 0%
      leicestershire: -1%
""")
    result = run_simulation(load_setup(path))
    summary = summary_table(result).merge(plan_table(result), on=["scenario", "force", "year", "metric"])
    np.testing.assert_allclose(summary["p95"] - summary["p5"], 0.0, atol=1e-9)
    np.testing.assert_allclose(summary["p50"], summary["value"], rtol=1e-12, atol=1e-9)


def test_national_inputs_share_one_draw_across_forces(central):
    setup = central
    leics, _ = sample_input(setup, "leicestershire", "pay_award", 0, 200)
    herts, _ = sample_input(setup, "hertfordshire", "pay_award", 0, 200)
    np.testing.assert_array_equal(leics, herts)
    # grant_change is national: different distributions per force, but the same uniform, so ranks agree.
    staffs_grant, _ = sample_input(setup, "staffordshire", "grant_change", 0, 200)
    leics_grant, _ = sample_input(setup, "leicestershire", "grant_change", 0, 200)
    assert (np.argsort(staffs_grant[:, 1]) == np.argsort(leics_grant[:, 1])).all()
    # tax base growth is local: independent draws.
    staffs_tb, _ = sample_input(setup, "staffordshire", "tax_base_growth", 0, 200)
    leics_tb, _ = sample_input(setup, "leicestershire", "tax_base_growth", 0, 200)
    assert abs(np.corrcoef(staffs_tb[:, 1], leics_tb[:, 1])[0, 1]) < 0.3


def test_reordering_the_yaml_changes_nothing(write_scenario):
    text = (SCENARIOS / "central.yaml").read_text().replace("paths: 20000", "paths: 800")
    original = write_scenario(text, "a.yaml")
    data = yaml.safe_load(text)
    data["assumptions"] = {k: data["assumptions"][k] for k in reversed(list(data["assumptions"]))}
    data["correlations"] = list(reversed(data["correlations"]))
    data = {k: data[k] for k in reversed(list(data))}
    reordered = write_scenario(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "a2.yaml")
    a, b = tables(load_setup(original)), tables(load_setup(reordered))
    pd.testing.assert_frame_equal(a[0].drop(columns="scenario"), b[0].drop(columns="scenario"), check_exact=True)


def test_adding_an_unrelated_shock_leaves_other_forces_unchanged(write_scenario):
    text = (SCENARIOS / "central.yaml").read_text().replace("paths: 20000", "paths: 800")
    before = write_scenario(text, "b.yaml")
    after = write_scenario(text.replace("shocks:\n", """shocks:
  - name: hertfordshire_only
    probability: 50%
    cost: {distribution: uniform, low: £1m, high: £2m}
    forces: [hertfordshire]
""", 1), "b2.yaml")
    a, _ = tables(load_setup(before))
    b, _ = tables(load_setup(after))
    others = a.force != "hertfordshire"
    pd.testing.assert_frame_equal(a[others].drop(columns="scenario"), b[others].drop(columns="scenario"), check_exact=True)
    herts = (a.force == "hertfordshire") & (a.metric == "total_reserves") & (a.year == "2019/20")
    assert b[herts]["mean"].iloc[0] < a[herts]["mean"].iloc[0] - 1.0


def test_sampled_distributions_match_their_stated_shape(write_scenario):
    path = write_scenario(MINIMAL.replace("paths: 500", "paths: 20000") + """\
assumptions:
  non_pay_inflation: {distribution: triangular, low: 1%, mode: 2%, high: 4%}
  pay_drift: {distribution: uniform, low: 0%, high: 1%}
""")
    setup = load_setup(path)
    inflation, _ = sample_input(setup, "staffordshire", "non_pay_inflation", 0, 20000)
    drift, _ = sample_input(setup, "staffordshire", "pay_drift", 0, 20000)
    triangle = Distribution("triangular", {"low": 0.01, "mode": 0.02, "high": 0.04})
    assert inflation[:, 1:].mean() == pytest.approx((0.01 + 0.02 + 0.04) / 3, abs=3e-4)
    assert np.median(inflation[:, 2]) == pytest.approx(triangle.median(), abs=5e-4)
    assert inflation[:, 1:].min() >= 0.01 and inflation[:, 1:].max() <= 0.04
    assert (inflation[:, 0] == 0).all(), "non-pay inflation applies from 2017/18"
    assert drift[:, 1:].mean() == pytest.approx(0.005, abs=1e-4)


def test_central_scenario_flags_are_probabilities_with_standard_errors(central):
    summary, flags = tables(with_overrides(central, paths=2000))
    assert flags["probability"].between(0, 1).all()
    n = 2000
    np.testing.assert_allclose(flags["std_error"], np.sqrt(flags["probability"] * (1 - flags["probability"]) / n))
    cumulative = flags[flags.flag.str.endswith("_by_year")].sort_values("year")
    for _, group in cumulative.groupby(["force", "flag"]):
        assert group["probability"].is_monotonic_increasing
    ordered = summary[["p5", "p10", "p25", "p50", "p75", "p90", "p95"]].to_numpy()
    assert (np.diff(ordered, axis=1) >= -1e-9).all()
