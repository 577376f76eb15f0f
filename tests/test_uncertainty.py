"""Uncertainty a finance officer can state and trust: distributions, dependence, sampling, convergence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import MINIMAL
from scipy import stats

from model.declare.distributions import Distribution, DistributionError
from model.io.errors import InputError
from model.run.simulation import run_simulation
from model.run.summaries import cases_table, convergence_table, flags_table, summary_table
from model.sampling.dependence import correlation_plan, nearest_correlation, pearson_to_spearman, spearman_to_pearson
from model.sampling.draws import sample_input
from model.sampling.setup import check_sampling, load_setup, with_overrides
from model.sampling.uniforms import RandomStreams, SobolStreams

N = 200_000


@pytest.fixture(scope="module")
def uniform_draws():
    return RandomStreams(3).draw(("test",), 0, N, 1)[:, 0]


def standard_error(values: np.ndarray) -> float:
    return values.std() / np.sqrt(values.size)


@pytest.mark.parametrize(
    "distribution, mean, quantiles",
    [
        (Distribution("triangular", {"low": 0.01, "mode": 0.02, "high": 0.05}), (0.01 + 0.02 + 0.05) / 3,
         {0.5: stats.triang(c=0.25, loc=0.01, scale=0.04).ppf(0.5)}),
        (Distribution("pert", {"low": 0.0, "mode": 0.01, "high": 0.04}), (0 + 4 * 0.01 + 0.04) / 6,
         {0.9: stats.beta(2.0, 4.0, loc=0.0, scale=0.04).ppf(0.9)}),
        (Distribution("uniform", {"low": -0.02, "high": 0.01}), -0.005, {0.25: -0.0125}),
        (Distribution("normal", {"mean": 0.01, "sd": 0.005, "low": 0.0, "high": 0.03}),
         stats.truncnorm(-2, 4, loc=0.01, scale=0.005).mean(), {0.05: stats.truncnorm(-2, 4, loc=0.01, scale=0.005).ppf(0.05)}),
        (Distribution("lognormal", {"median": 1.0, "p90": 3.0}, "money"),
         np.exp(0.5 * (np.log(3.0) / stats.norm.ppf(0.9)) ** 2), {0.5: 1.0, 0.9: 3.0}),
    ],
    ids=["triangular", "pert", "uniform", "truncated-normal", "lognormal"],
)
def test_achieved_distributions_match_the_stated_ones(uniform_draws, distribution, mean, quantiles):
    values = distribution.ppf(uniform_draws)
    assert abs(values.mean() - mean) < 4 * standard_error(values)
    low, high = distribution.bounds()
    assert values.min() >= low and values.max() <= high
    for q, expected in quantiles.items():
        # The sample quantile's standard error: sqrt(q (1 - q) / n) / density; 4% of the value is ample here.
        assert np.quantile(values, q) == pytest.approx(expected, rel=0.04, abs=2e-4)


def test_choice_draws_each_option_with_its_probability(uniform_draws):
    limit = Distribution("choice", {}, "mixed", ((0.02, "rate", 0.7), (0.0199, "rate", 0.2), (5.0, "pounds", 0.1)))
    values = limit.ppf(uniform_draws)
    cash = limit.in_units(uniform_draws, "pounds")
    assert (values == 0.02).mean() == pytest.approx(0.7, abs=4 * np.sqrt(0.21 / N))
    assert (values == 0.0199).mean() == pytest.approx(0.2, abs=4 * np.sqrt(0.16 / N))
    assert cash.mean() == pytest.approx(0.1, abs=4 * np.sqrt(0.09 / N))
    assert (values[cash] == 5.0).all()


@pytest.mark.parametrize("kind, params", [
    ("pert", {"low": 0.0, "mode": 0.05, "high": 0.04}),
    ("triangular", {"low": 0.03, "mode": 0.02, "high": 0.01}),
    ("lognormal", {"median": 1.0, "p90": 0.5}),
    ("normal", {"mean": 0.0, "sd": 0.0}),
])
def test_invalid_parameters_are_errors_not_nans(kind, params):
    with pytest.raises(DistributionError):
        Distribution(kind, params)


def test_a_pert_with_mode_outside_its_range_is_a_clear_scenario_error(write_scenario):
    path = write_scenario(MINIMAL + "assumptions:\n  pay_drift: {distribution: pert, low: 0%, mode: 2%, high: 1%}\n")
    with pytest.raises(InputError, match="mode between low and high"):
        load_setup(path)


CORRELATED = MINIMAL.replace("paths: 500", "paths: 20000") + """\
assumptions:
  pay_award: {distribution: triangular, low: 0.5%, mode: 1%, high: 3%}
  non_pay_inflation: {distribution: normal, mean: 2%, sd: 0.7%, low: 0%, high: 4%}
  tax_base_growth: {distribution: uniform, low: 0.5%, high: 2%}
  grant_change: {distribution: pert, low: -4%, mode: 0%, high: 1%}
correlations:
  - {between: [pay_award, non_pay_inflation], rank_correlation: 0.6}
  - {between: [grant_change, tax_base_growth], rank_correlation: -0.4}
  - {between: [pay_award, tax_base_growth], rank_correlation: 0.3}
"""


def test_stated_rank_correlations_are_achieved(write_scenario):
    setup = load_setup(write_scenario(CORRELATED))
    n = setup.scenario.paths
    draws = {name: sample_input(setup, "leicestershire", name, 0, n)[0][:, 2]
             for name in ("pay_award", "non_pay_inflation", "tax_base_growth", "grant_change")}
    for (a, b), stated in setup.scenario.correlations.items():
        achieved = stats.spearmanr(draws[a], draws[b]).statistic
        # The standard error of a Spearman correlation is about (1 - rho^2) / sqrt(n); allow 4 of them.
        assert achieved == pytest.approx(stated, abs=4 * (1 - stated**2) / np.sqrt(n) + 0.005), (a, b)
    assert abs(stats.spearmanr(draws["non_pay_inflation"], draws["grant_change"]).statistic) < 0.05
    # Marginals stay as stated.
    assert draws["tax_base_growth"].min() >= 0.005 and draws["tax_base_growth"].max() <= 0.02
    assert draws["tax_base_growth"].mean() == pytest.approx(0.0125, abs=1e-4)


def test_national_draws_stay_shared_when_correlated_with_local_inputs(write_scenario):
    setup = load_setup(write_scenario(CORRELATED))
    staffs = sample_input(setup, "staffordshire", "pay_award", 0, 1000)[0]
    herts = sample_input(setup, "hertfordshire", "pay_award", 0, 1000)[0]
    np.testing.assert_array_equal(staffs, herts)
    assert not np.array_equal(sample_input(setup, "staffordshire", "tax_base_growth", 0, 1000)[0],
                              sample_input(setup, "hertfordshire", "tax_base_growth", 0, 1000)[0])


PER_PATH_CORRELATED = MINIMAL.replace("paths: 500", "paths: 20000") + """\
assumptions:
  savings_delivery: {distribution: triangular, low: 60%, mode: 95%, high: 100%}
  collaboration_savings_delay: {distribution: triangular, low: 0 years, mode: 0.5 years, high: 2 years}
correlations:
  - {between: [savings_delivery, collaboration_savings_delay], rank_correlation: -0.5}
"""


def test_a_once_a_path_input_is_correlated_with_a_yearly_input_in_every_year(write_scenario):
    setup = load_setup(write_scenario(PER_PATH_CORRELATED))
    n = setup.scenario.paths
    delay = sample_input(setup, "leicestershire", "collaboration_savings_delay", 0, n)[0][:, 0]
    delivery = sample_input(setup, "leicestershire", "savings_delivery", 0, n)[0]
    for year in range(delivery.shape[1]):
        achieved = stats.spearmanr(delivery[:, year], delay).statistic
        assert achieved == pytest.approx(-0.5, abs=4 * 0.75 / np.sqrt(n) + 0.005), year
    # Each year's delivery shares only the delay factor with the next: rank correlation about rho^2.
    between_years = stats.spearmanr(delivery[:, 1], delivery[:, 2]).statistic
    expected = float(pearson_to_spearman(spearman_to_pearson(-0.5) ** 2))
    assert between_years == pytest.approx(expected, abs=0.03)


def test_a_once_a_path_input_correlated_with_a_national_yearly_input_follows_its_first_year(write_scenario):
    scenario = PER_PATH_CORRELATED.replace("savings_delivery, collaboration_savings_delay", "grant_change, collaboration_savings_delay")
    setup = load_setup(write_scenario(scenario.replace("  savings_delivery: {distribution: triangular, low: 60%, mode: 95%, high: 100%}",
                                                       "  grant_change: {distribution: triangular, low: -3%, mode: 0%, high: 1%}")))
    n = setup.scenario.paths
    delay = sample_input(setup, "leicestershire", "collaboration_savings_delay", 0, n)[0][:, 0]
    grant = sample_input(setup, "leicestershire", "grant_change", 0, n)[0]
    # The grant settlement applies from 2017/18 (column 1): the delay is correlated with that year's.
    assert stats.spearmanr(grant[:, 1], delay).statistic == pytest.approx(-0.5, abs=4 * 0.75 / np.sqrt(n) + 0.005)
    assert abs(stats.spearmanr(grant[:, 2], delay).statistic) < 0.05


def test_an_impossible_correlation_matrix_is_repaired_and_reported():
    plan = correlation_plan({("a", "b"): 0.9, ("b", "c"): 0.9, ("a", "c"): -0.9}, national=())
    assert plan.repaired
    pearson = spearman_to_pearson(plan.used)
    assert np.linalg.eigvalsh(pearson).min() > -1e-9
    np.testing.assert_allclose(np.diag(plan.used), 1.0)
    assert plan.asked[0, 2] == -0.9 and plan.used[0, 2] != -0.9
    valid = correlation_plan({("a", "b"): 0.5}, national=())
    assert not valid.repaired
    np.testing.assert_allclose(valid.used, valid.asked, atol=1e-12)


def test_nearest_correlation_leaves_a_valid_matrix_alone_and_fixes_an_invalid_one():
    valid = np.array([[1.0, 0.3], [0.3, 1.0]])
    np.testing.assert_array_equal(nearest_correlation(valid), valid)
    invalid = spearman_to_pearson(np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]))
    np.fill_diagonal(invalid, 1.0)
    fixed = nearest_correlation(invalid)
    assert np.linalg.eigvalsh(fixed).min() > -1e-9
    np.testing.assert_allclose(np.diag(fixed), 1.0)
    assert pearson_to_spearman(spearman_to_pearson(0.37)) == pytest.approx(0.37)


def test_held_and_persistent_inputs(write_scenario):
    path = write_scenario(MINIMAL.replace("paths: 500", "paths: 20000") + """\
assumptions:
  pay_drift:
    over_years: held
    all_years: {distribution: uniform, low: 0%, high: 1%}
  grant_change:
    over_years: persistent
    persistence: 80%
    all_years: {distribution: triangular, low: -3%, mode: 0%, high: 1%}
""")
    setup = load_setup(path)
    drift = sample_input(setup, "staffordshire", "pay_drift", 0, 20000)[0]
    np.testing.assert_array_equal(drift[:, 1], drift[:, 3])
    grant = sample_input(setup, "staffordshire", "grant_change", 0, 20000)[0]
    lag_one = stats.spearmanr(grant[:, 1], grant[:, 2]).statistic
    assert lag_one == pytest.approx(float(pearson_to_spearman(0.8)), abs=0.02)
    triangle = Distribution("triangular", {"low": -0.03, "mode": 0.0, "high": 0.01})
    for t in (1, 2, 3):
        assert np.median(grant[:, t]) == pytest.approx(triangle.median(), abs=6e-4)


def test_same_numbers_with_two_worker_processes(write_scenario):
    setup = load_setup(write_scenario(CORRELATED.replace("paths: 20000", "paths: 3000").replace("chunk_size: 128", "chunk_size: 700")))
    one = run_simulation(setup)
    two = run_simulation(setup, workers=2)
    pd.testing.assert_frame_equal(summary_table(one), summary_table(two), check_exact=True)
    pd.testing.assert_frame_equal(flags_table(one), flags_table(two), check_exact=True)


def test_sobol_points_beat_pseudo_random_on_a_known_answer():
    # The mean of a triangular input: (low + mode + high) / 3, estimated from 1,024 paths with 12 seeds.
    triangle = Distribution("triangular", {"low": 0.0, "mode": 0.01, "high": 0.04})
    truth = 0.05 / 3
    errors = {}
    key = ("input", "x", "national")
    makers = {"pseudo_random": RandomStreams, "sobol": lambda seed: SobolStreams(seed, [(key, 4)])}
    for name, make in makers.items():
        estimates = [triangle.ppf(make(seed).draw(key, 0, 1024, 4)).mean(axis=0) for seed in range(12)]
        errors[name] = np.sqrt(np.mean((np.array(estimates) - truth) ** 2))
    assert errors["sobol"] < errors["pseudo_random"] / 5


def test_sobol_chunks_continue_the_same_sequence():
    key = ("input", "x", "national")
    source = SobolStreams(5, [(key, 4), (("input", "y", "national"), 1)])
    whole = source.draw(key, 0, 1024, 4)
    parts = np.concatenate([source.draw(key, 0, 300, 4), source.draw(key, 300, 1024, 4)])
    np.testing.assert_array_equal(whole, parts)
    with pytest.raises(KeyError, match="not in this run's Sobol' design"):
        source.draw(("input", "z", "national"), 0, 10, 4)


def test_sobol_streams_of_different_inputs_are_independent():
    # Separately scrambled copies of one Sobol' sequence share their leading bits; one design does not.
    keys = [("input", name, "national") for name in ("a", "b", "c")]
    points = SobolStreams(9, [(key, 4) for key in keys])
    draws = [points.draw(key, 0, 4096, 4) for key in keys]
    for first in range(3):
        for second in range(first + 1, 3):
            for year in range(4):
                assert abs(stats.spearmanr(draws[first][:, year], draws[second][:, year]).statistic) < 0.05


def test_stated_rank_correlations_are_achieved_with_sobol_points(write_scenario):
    scenario = CORRELATED.replace("paths: 20000", "paths: 8192").replace("chunk_size: 128}", "chunk_size: 1000, sampling: sobol}")
    setup = load_setup(write_scenario(scenario))
    assert setup.scenario.sampling == "sobol"
    n = setup.scenario.paths
    draws = {name: sample_input(setup, "leicestershire", name, 0, n)[0][:, 2]
             for name in ("pay_award", "non_pay_inflation", "tax_base_growth", "grant_change")}
    for (a, b), stated in setup.scenario.correlations.items():
        assert stats.spearmanr(draws[a], draws[b]).statistic == pytest.approx(stated, abs=0.02), (a, b)
    assert abs(stats.spearmanr(draws["non_pay_inflation"], draws["grant_change"]).statistic) < 0.02


def test_sobol_needs_a_power_of_two_and_says_why(write_scenario):
    path = write_scenario(MINIMAL.replace("chunk_size: 128}", "chunk_size: 128, sampling: sobol}"))
    setup = load_setup(path)
    with pytest.raises(InputError, match="power of two") as info:
        check_sampling(setup)
    assert "256 or 512" in str(info.value)
    check_sampling(with_overrides(setup, paths=512))
    result = run_simulation(with_overrides(setup, paths=512))
    assert flags_table(result)["probability"].between(0, 1).all()


def test_precision_mode_stops_at_the_stated_precision(write_scenario):
    setup = load_setup(write_scenario(MINIMAL))
    result = run_simulation(setup, precision=0.01, max_paths=200_000)
    assert result.stopping["stopped_because"] == "precision reached"
    assert result.stopping["half_width_reached"] <= 0.01
    assert result.paths in (16_384, 32_768, 65_536, 131_072)
    capped = run_simulation(with_overrides(setup, chunk_size=5000), precision=0.0001, max_paths=16_384)
    assert capped.stopping["stopped_because"] == "path limit reached" and capped.paths == 16_384


def test_convergence_table_gives_intervals_around_every_estimate(write_scenario):
    result = run_simulation(load_setup(write_scenario(MINIMAL)))
    table = convergence_table(result)
    assert (table["low"] <= table["estimate"] + 1e-12).all() and (table["estimate"] <= table["high"] + 1e-12).all()
    probabilities = table[table.method == "Wilson 95%"]
    assert probabilities["low"].between(0, 1).all() and probabilities["high"].between(0, 1).all()


def test_deterministic_cases_are_ordered_and_the_median_case_is_the_median_input(write_scenario):
    path = write_scenario(MINIMAL + """\
baseline: central
assumptions:
  pay_award: {distribution: triangular, low: 0%, mode: 1%, high: 2%}
  non_pay_inflation: {distribution: uniform, low: 1%, high: 3%}
  savings_delivery: {distribution: uniform, low: 80%, high: 100%}
""")
    result = run_simulation(load_setup(path))
    cases = cases_table(result)
    last = cases[(cases.year == "2019/20") & (cases.metric == "total_reserves")].set_index(["case", "force"])["value"]
    for force in ("staffordshire", "leicestershire", "hertfordshire"):
        assert last["optimistic", force] >= last["median_case", force] >= last["pessimistic", force]
    # Symmetric inputs whose medians equal the plan (pay 1%, inflation 2%) but delivery at 90%, not 100%:
    plan = cases[(cases.case == "force_plan") & (cases.metric == "savings_delivered")]["value"].to_numpy()
    median = cases[(cases.case == "median_case") & (cases.metric == "savings_delivered")]["value"].to_numpy()
    assert (median <= plan + 1e-9).all() and (median < plan).any()
    first_year = cases[(cases.case == "median_case") & (cases.metric == "savings_delivered") & (cases.year == "2016/17")]
    assert first_year.set_index("force")["value"]["staffordshire"] == pytest.approx(0.9 * 3.0)
