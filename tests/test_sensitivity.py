"""Sensitivity analysis: the Sobol' estimator against analytic indices, unit sensitivities against
hand arithmetic, zero swings for inputs without effect, and the ``sensitivity`` command end to end."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from model import pipeline
from model.analysis.drivers import DRIVER_COLUMNS, MATERIAL_SHARE, PathFactor, breach_drivers, driver_row
from model.analysis.factors import OUTPUTS, input_key, one_way_factors, sobol_groups
from model.analysis.one_way import breach_flags_pinned, factor_value_text, one_way_sensitivities
from model.analysis.results import probability_text
from model.analysis.sobol import analyse_sobol, design_mean_interval, saltelli_matrix, sobol_design, sobol_indices
from model.analysis.unit import unit_sensitivities
from model.cli.main import main as cli_main
from model.declare.formatting import format_percent
from model.declare.outputs import BREACH
from model.engine.projection import project_force
from model.io.forces import evaluate_figures
from model.run.probability import wilson_interval
from model.sampling.draws import force_inputs, plan_value, run_source
from model.sampling.setup import load_setup
from model.sampling.uniforms import CachedSource, FinalUniforms

ONE_FORCE = """\
title: One force, a few inputs
description: Staffordshire, which has no collaboration programme, with correlated and fixed inputs.
forces: [staffordshire]
simulation: {paths: 256, seed: 5, chunk_size: 128}
assumptions:
  grant_change: {distribution: triangular, low: -3%, mode: 0%, high: 1%}
  pay_award: {distribution: triangular, low: 1%, mode: 1%, high: 2.5%}
  collection_fund: 0.5%
  savings_delivery: {distribution: triangular, low: 60%, mode: 95%, high: 100%}
  collaboration_savings_size: {distribution: triangular, low: 50%, mode: 90%, high: 110%}
  collaboration_savings_delay: {distribution: triangular, low: 0 years, mode: 0.5 years, high: 2 years}
correlations:
  - between: [savings_delivery, collaboration_savings_delay]
    rank_correlation: -0.5
shocks:
  - {name: major_operation, probability: 10%, cost: {distribution: uniform, low: £0.5m, high: £2m}}
reserve_policy:
  minimum_general_reserve: 3.5%
"""


# --- the Sobol' estimator ---------------------------------------------------------------------


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic first- and total-order indices of the Ishigami function on [-π, π]³."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * np.pi**8 / 225
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total


def test_ishigami_indices_within_their_intervals():
    s1, st = ishigami_indices()
    assert np.allclose(s1, [0.314, 0.442, 0.0], atol=1e-3) and np.allclose(st, [0.558, 0.442, 0.244], atol=1e-3)
    design = sobol_design({"x1": 1, "x2": 1, "x3": 1}, n=2**13, seed=11)
    y = ishigami(-np.pi + 2 * np.pi * design.matrix)
    table = analyse_sobol(design, y, seed=3).set_index("group")
    for k, group in enumerate(("x1", "x2", "x3")):
        row = table.loc[group]
        assert row.S1_low <= s1[k] <= row.S1_high, (group, row.S1, s1[k])
        assert row.ST_low <= st[k] <= row.ST_high, (group, row.ST, st[k])


def test_linear_model_indices_are_shares_of_variance_also_for_groups():
    coefficients = np.array([1.0, 2.0, 3.0, 0.5])
    design = sobol_design({"x1": 1, "x2_and_x3": 2, "x4": 1}, n=2**12, seed=4)
    y = design.matrix @ coefficients  # uniforms: each variance 1/12, which cancels
    table = analyse_sobol(design, y, seed=5).set_index("group")
    squares = coefficients**2
    expected = {"x1": squares[0], "x2_and_x3": squares[1] + squares[2], "x4": squares[3]}
    for group, share in expected.items():
        share /= squares.sum()
        row = table.loc[group]
        assert row.S1_low <= share <= row.S1_high and abs(row.S1 - share) < 0.02
        assert row.ST_low <= share <= row.ST_high and abs(row.ST - share) < 0.02


def test_design_has_salibs_layout():
    from SALib.sample import sobol as salib_sample

    problem = {"num_vars": 4, "names": list("abcd"), "bounds": [[0, 1]] * 4, "groups": ["g", "g", "h", "k"]}
    theirs = salib_sample.sample(problem, 8, calc_second_order=False, seed=2)
    step = 3 + 2
    a, b = theirs[0::step], theirs[step - 1::step]
    ours = saltelli_matrix(a, b, np.array([0, 0, 1, 2]), 3)
    assert np.array_equal(ours, theirs)


def test_constant_output_has_no_indices_but_a_note():
    design = sobol_design({"x": 1, "y": 1}, n=16, seed=1)
    table = analyse_sobol(design, np.zeros(design.matrix.shape[0]), seed=1)
    assert table[["S1", "ST"]].isna().all().all() and table["note"].str.contains("nothing to attribute").all()


def test_sobol_design_needs_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        sobol_design({"x": 1}, n=100, seed=1)


# --- unit sensitivities -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def central():
    return load_setup(SCENARIOS / "central.yaml")


@pytest.fixture(scope="module")
def units(central):
    return unit_sensitivities(central)


def _plan(central, force_id: str, name: str, year: int) -> float:
    force = central.forces[force_id]
    value, _ = plan_value(central, force, evaluate_figures(force.figures), name, year)
    return float(value)


def test_one_point_on_grant_is_one_percent_of_grant_compounding(central, units):
    force = central.forces["leicestershire"]
    grant = float(evaluate_figures(force.figures)["budget.grant"])
    planned = moved = grant
    rows = units[(units.force == "leicestershire") & (units.sensitivity == "grant_1pct")].set_index("year")
    cumulative = 0.0
    for t, year in enumerate(central.scenario.years):
        if t:
            change = _plan(central, "leicestershire", "grant_change", t)
            planned, moved = planned * (1 + change), moved * (1 + change + 0.01)
        expected = -(moved - planned)  # more grant: a smaller gap
        cumulative += expected
        assert rows.loc[year, "gap"] == pytest.approx(expected, abs=1e-9)
        assert rows.loc[year, "funding"] == pytest.approx(-expected, abs=1e-9)
        assert rows.loc[year, "cumulative_gap"] == pytest.approx(cumulative, abs=1e-9)
    assert _plan(central, "leicestershire", "grant_change", 1) == pytest.approx(-0.01)  # the -1% a year quoted


def test_one_pound_on_band_d_raises_the_tax_base_each_year(central, units):
    force = central.forces["staffordshire"]
    tax_base = float(evaluate_figures(force.figures)["budget.tax_base"])
    rows = units[(units.force == "staffordshire") & (units.sensitivity == "precept_1_pound")].set_index("year")
    for t, year in enumerate(central.scenario.years):
        if t:
            tax_base *= 1 + _plan(central, "staffordshire", "tax_base_growth", t)
        collection = 1 + (_plan(central, "staffordshire", "collection_fund", t) if t else 0.0)
        assert rows.loc[year, "funding"] == pytest.approx(t * tax_base / 1e6 * collection, abs=1e-9)


def test_unit_sensitivity_signs_follow_the_convention(units):
    last = units[units.year == units.year.max()].set_index(["force", "sensitivity"])["cumulative_gap"]
    for force in ("staffordshire", "leicestershire", "hertfordshire"):
        assert last[(force, "pay_award_1pt")] > 0 and last[(force, "non_pay_1pt")] > 0
        assert last[(force, "savings_delivery_10pt")] > 0
        for gain in ("precept_1pct", "precept_1_pound", "grant_1pct", "tax_base_half_pt"):
            assert last[(force, gain)] < 0
    income = units[units.sensitivity.isin(["grant_1pct", "precept_1pct"])]
    assert (income[income.year == "2016/17"][["funding", "spend", "gap"]] == 0).all().all()  # 2016/17 is as set


def test_unit_sensitivity_leaves_the_plan_case_untouched(central):
    before = project_force(force_inputs(central, "hertfordshire", 0, 1, case="force_plan")).lines["gap"].copy()
    unit_sensitivities(central)
    after = project_force(force_inputs(central, "hertfordshire", 0, 1, case="force_plan")).lines["gap"]
    assert np.array_equal(before, after)


# --- one-way: tornado and spider --------------------------------------------------------------


@pytest.fixture(scope="module")
def one_force(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "one_force.yaml"
    path.write_text(ONE_FORCE, encoding="utf-8")
    return load_setup(path)


@pytest.fixture(scope="module")
def one_way(one_force):
    return one_way_sensitivities(one_force, paths=256)


def test_an_input_with_no_effect_has_a_tornado_bar_of_exactly_zero(one_way):
    _, tornado = one_way
    by_factor = tornado.set_index(["factor", "output"])
    # Staffordshire has no collaboration programme; the collection fund is a fixed value.
    for factor in ("collaboration_savings_size", "collaboration_savings_delay", "collection_fund"):
        for output in OUTPUTS:
            row = by_factor.loc[(factor, output)]
            assert row.swing == 0.0 and row.at_low == row.at_high, (factor, output)
    assert by_factor.loc[("pay_award", "cumulative_gap")].swing > 0
    assert by_factor.loc[("grant_change", "total_reserves")].swing > 0


def test_tornado_ends_are_the_spider_quantiles_and_money_is_exact(one_way):
    spider, tornado = one_way
    row = tornado[(tornado.factor == "pay_award") & (tornado.output == "cumulative_gap")].iloc[0]
    ends = spider[(spider.factor == "pay_award") & (spider.output == "cumulative_gap")].set_index("quantile")["value"]
    assert row.at_low == ends[0.1] and row.at_high == ends[0.9]
    assert math.isnan(row.swing_std_error)
    assert sorted(spider["quantile"].unique()) == [0.1, 0.3, 0.5, 0.7, 0.9]
    median = spider[(spider.quantile == 0.5) & (spider.output != BREACH)]
    assert (median["change"].abs() < 1e-12).all()  # every input at its median is the median case
    breach = tornado[(tornado.output == BREACH) & (tornado.swing != 0)]
    assert (breach.swing_std_error > 0).all()


def test_pinning_nothing_reproduces_an_ordinary_run(central):
    """The pinned source hands over final uniforms: the copula and persistence must not apply twice."""
    flags = breach_flags_pinned(central, "hertfordshire", [{}], 300)[0]
    ordinary = project_force(force_inputs(central, "hertfordshire", 0, 300)).flags[BREACH][:, -1]
    assert np.array_equal(flags, ordinary)


def test_pinning_an_input_fixes_its_value_and_only_its_value(central):
    force = central.forces["leicestershire"]
    base = CachedSource(run_source(central))
    from model.sampling.draws import input_uniforms, sample_input

    finals = input_uniforms(central, force, 0, 200, base)
    key = input_key(central, "leicestershire", "pay_award")
    source = FinalUniforms(base, finals, 0, {key: 0.9})
    pinned, _ = sample_input(central, "leicestershire", "pay_award", 0, 200, source=source)
    assert np.all(pinned[:, 1:] == pinned[0, 1:])  # one value every path, each year
    partner, _ = sample_input(central, "leicestershire", "non_pay_inflation", 0, 200, source=source)
    unpinned, _ = sample_input(central, "leicestershire", "non_pay_inflation", 0, 200, source=base)
    assert np.array_equal(partner, unpinned)  # its correlated partner keeps its base draws


# --- Sobol' on the model ----------------------------------------------------------------------


def test_model_groups_join_correlated_inputs_and_leave_out_fixed_ones(one_force):
    groups = {g.name: g for g in sobol_groups(one_force, "staffordshire")}
    assert "savings_delivery+collaboration_savings_delay" in groups
    assert "collection_fund" not in groups  # a fixed value has no spread
    assert {"baseline", "shocks", "grant_change", "pay_award", "collaboration_savings_size"} <= set(groups)


def test_model_indices_zero_for_no_effect_and_sum_sensibly(one_force):
    table = sobol_indices(one_force, n=64)
    money = table[(table.output == "cumulative_gap")].set_index("group")
    assert money.loc["collaboration_savings_size", "S1"] == 0.0
    assert money.loc["collaboration_savings_size", "ST"] == 0.0
    assert money["ST"].idxmax() in ("grant_change", "baseline", "pay_award")
    assert set(table.year[table.output == BREACH]) == set(one_force.scenario.years)
    assert table["evaluations"].iloc[0] == 64 * (len(money) + 2)


# --- breach drivers ---------------------------------------------------------------------------


def test_driver_shift_is_in_medians_against_the_p10_p90_range():
    values = np.linspace(0.0, 1.0, 1001)
    breach = values > 0.6
    row = driver_row(PathFactor("pay_award", "Pay award", "input", "rate", values), breach)
    assert row["median_breach"] == pytest.approx(0.8, abs=1e-3) and row["median_all"] == pytest.approx(0.5)
    assert row["shift_share"] == pytest.approx(0.3 / 0.8, abs=1e-3) and row["material"]
    assert "30.0 points higher" in row["statement"]
    quiet = driver_row(PathFactor("x", "X", "input", "rate", values), np.arange(1001) % 2 == 0)
    assert not quiet["material"]


def test_breach_drivers_on_the_model(tmp_path):
    # At a 3.5% minimum nearly every path breaches; at 3% about one in ten does, so breaching
    # paths can differ from the rest.
    path = tmp_path / "three_percent.yaml"
    path.write_text(ONE_FORCE.replace("minimum_general_reserve: 3.5%", "minimum_general_reserve: 3%"), encoding="utf-8")
    drivers = breach_drivers(load_setup(path), paths=256)
    assert set(drivers.columns) == set(DRIVER_COLUMNS)
    assert 0 < drivers["breach_paths"].iloc[0] < 128
    grant = drivers.set_index("factor").loc["grant_change"]
    assert grant["shift"] < 0  # breaching paths had worse grant settlements
    assert (drivers["material"] == (drivers["shift_share"].abs() > MATERIAL_SHARE)).all()


# --- the command ------------------------------------------------------------------------------


def test_sensitivity_command_writes_every_table_and_the_pdf(tmp_path):
    scenario = tmp_path / "one_force.yaml"
    scenario.write_text(ONE_FORCE, encoding="utf-8")
    result = CliRunner().invoke(cli_main, ["sensitivity", str(scenario), "--paths", "64", "--sobol-n", "16",
                                           "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "one_force" / "sensitivity"
    for name in ("unit_sensitivities", "tornado", "spider", "sobol_indices", "breach_drivers"):
        assert not pd.read_csv(folder / f"{name}.csv").empty, name
    pdf = (folder / "sensitivity.pdf").read_bytes()
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 5  # units; tornado, spider, Sobol'; drivers
    assert json.loads((folder / "sensitivity.json").read_text())["timings_seconds"]["workers"] == 1
    assert not [p for p in folder.iterdir() if ".partial" in p.name]


# --- fonts: the PDF's core Helvetica when it shows every character, else the embedded font ------------

NOT_IN_CP1252 = "Cŵn Cymru"
"""A Welsh ŵ: not in Windows-1252, the core font's encoding."""


def _fonts(pdf: bytes) -> tuple[bool, bool]:
    """Whether the PDF uses the core Helvetica (not embedded) and whether it embeds a font (Type 3 here)."""
    return b"/BaseFont /Helvetica" in pdf, b"/Subtype /Type3" in pdf


@pytest.fixture(scope="module")
def welsh_title(tmp_path_factory):
    """A small sensitivity analysis of one force whose scenario's title is outside Windows-1252."""
    scenario = tmp_path_factory.mktemp("welsh") / "welsh.yaml"
    scenario.write_text(ONE_FORCE.replace("title: One force, a few inputs", f"title: {NOT_IN_CP1252}"),
                        encoding="utf-8")
    return pipeline.run_sensitivity(scenario, paths=64, sobol_n=16)


def test_the_sensitivity_pdf_of_a_normal_scenario_is_set_in_the_core_font(two_forces):
    _, folder, output = two_forces
    assert _fonts((folder / "sensitivity.pdf").read_bytes()) == (True, False)
    assert "→" not in output and "Largest swing" in output  # the console's words, as the PDF's


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_sensitivity_pdf_words_each_range_from_p10_to_p90(two_forces):
    _, folder, _ = two_forces
    tornado = _pdf_pages(folder / "sensitivity.pdf")[1]
    assert "→" not in tornado and "its value at P10 and at P90" in tornado
    assert re.search(r"Pay award from -?\d+\.\d\d% to -?\d+\.\d\d%", tornado)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_a_title_outside_windows_1252_sets_the_sensitivity_pdf_in_the_embedded_font(welsh_title, tmp_path):
    from model.report.sensitivity_pdf import build_sensitivity_pdf

    build_sensitivity_pdf(tmp_path / "sensitivity.pdf", welsh_title)

    assert _fonts((tmp_path / "sensitivity.pdf").read_bytes()) == (False, True)
    text = " ".join(_pdf_pages(tmp_path / "sensitivity.pdf"))
    assert NOT_IN_CP1252 in text and "?" not in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_a_character_the_first_check_misses_is_caught_on_its_page_of_the_sensitivity_pdf(welsh_title, tmp_path,
                                                                                          monkeypatch):
    import model.report.sensitivity_pdf as sensitivity_pdf

    monkeypatch.setattr(sensitivity_pdf, "sensitivity_texts", lambda result: iter(()))
    sensitivity_pdf.build_sensitivity_pdf(tmp_path / "sensitivity.pdf", welsh_title)

    assert _fonts((tmp_path / "sensitivity.pdf").read_bytes()) == (False, True)
    text = " ".join(_pdf_pages(tmp_path / "sensitivity.pdf"))
    assert NOT_IN_CP1252 in text and "?" not in text


def test_sensitivity_command_on_two_workers_writes_the_same_tables(tmp_path):
    scenario = tmp_path / "one_force.yaml"
    scenario.write_text(ONE_FORCE, encoding="utf-8")
    for workers in ("1", "2"):
        result = CliRunner().invoke(cli_main, ["sensitivity", str(scenario), "--paths", "64", "--sobol-n", "16",
                                               "--workers", workers, "--out", str(tmp_path / workers)])
        assert result.exit_code == 0, result.output
    one, two = (tmp_path / workers / "one_force" / "sensitivity" for workers in ("1", "2"))
    assert json.loads((two / "sensitivity.json").read_text())["timings_seconds"]["workers"] == 2
    for name in ("unit_sensitivities", "tornado", "spider", "sobol_indices", "breach_drivers"):
        assert (one / f"{name}.csv").read_bytes() == (two / f"{name}.csv").read_bytes(), name


@pytest.mark.parametrize("arguments, message", [
    (["--sobol-n", "100"], "power of two"),
    (["--paths", "0"], "--paths"),
])
def test_sensitivity_bad_options_are_one_clear_error(tmp_path, arguments, message):
    result = CliRunner().invoke(cli_main, ["sensitivity", str(SCENARIOS / "central.yaml"), *arguments,
                                           "--out", str(tmp_path)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_sensitivity_on_a_missing_scenario_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(cli_main, ["sensitivity", str(tmp_path / "nope.yaml"), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "nope.yaml" in result.output and result.exception.__class__ is SystemExit


# --- one breach probability per scenario and seed ---------------------------------------------

TWO_FORCES = (ONE_FORCE.replace("title: One force, a few inputs", "title: Two forces, a few inputs")
              .replace("forces: [staffordshire]", "forces: [staffordshire, hertfordshire]")
              .replace("minimum_general_reserve: 3.5%", "minimum_general_reserve: 3%"))
"""Two forces whose breach is neither rare nor certain (about 10% and 60% by 2019/20)."""

SENSITIVITY_PATHS, SENSITIVITY_SOBOL_N = 256, 16


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory):
    """The ``sensitivity`` command run once on :data:`TWO_FORCES`: its scenario, folder and console output."""
    folder = tmp_path_factory.mktemp("two_forces")
    scenario = folder / "two_forces.yaml"
    scenario.write_text(TWO_FORCES, encoding="utf-8")
    result = CliRunner().invoke(cli_main, ["sensitivity", str(scenario), "--paths", str(SENSITIVITY_PATHS),
                                           "--sobol-n", str(SENSITIVITY_SOBOL_N), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return scenario, folder / "out" / "two_forces" / "sensitivity", result.output


def _base(folder) -> pd.DataFrame:
    """Each force's one base probability, read from the tornado (which must carry one per force)."""
    tornado = pd.read_csv(folder / "tornado.csv")
    breach = tornado[tornado.output == BREACH]
    assert (breach.groupby("force")["base"].nunique() == 1).all()  # one base per force, whatever the factor
    assert tornado.loc[tornado.output != BREACH, ["base_low", "base_high", "paths"]].isna().all().all()  # money: exact
    return breach.drop_duplicates("force").set_index("force")


def test_every_table_that_reports_the_breach_probability_reports_the_same_one(two_forces):
    scenario, folder, _ = two_forces
    base = _base(folder)
    assert list(base.index) == ["staffordshire", "hertfordshire"] and (base.paths == SENSITIVITY_PATHS).all()
    assert 0.02 < base.loc["staffordshire", "base"] < base.loc["hertfordshire", "base"] < 0.98
    # (The CSVs hold six significant figures.)
    for _, row in base.iterrows():
        assert (row.base_low, row.base_high) == pytest.approx(wilson_interval(row.base, SENSITIVITY_PATHS), abs=1e-6)
    # The breach drivers count the same paths: the same probability and interval.
    drivers = pd.read_csv(folder / "breach_drivers.csv").drop_duplicates("force").set_index("force")
    for force, row in base.iterrows():
        counted = drivers.loc[force]
        assert counted.paths == SENSITIVITY_PATHS and counted.breach_paths / counted.paths == pytest.approx(row.base,
                                                                                                           abs=1e-6)
        assert (counted.breach_probability, counted.breach_low, counted.breach_high) == (row.base, row.base_low,
                                                                                        row.base_high)
    # The spider's changes are from the same base.
    spider = pd.read_csv(folder / "spider.csv")
    breach = spider[spider.output == BREACH]
    assert np.allclose(breach["value"] - breach["change"], breach["force"].map(base["base"]), atol=2e-6)
    # The unit sensitivities are the exact force-plan case: they state no probability to disagree with.
    unit = pd.read_csv(folder / "unit_sensitivities.csv")
    assert not [c for c in unit.columns if c in ("base", "probability") or "breach" in c]
    # And an ordinary run of the scenario on as many paths gives the same figure.
    flags = pipeline.run_scenario(scenario, paths=SENSITIVITY_PATHS).flags
    last = flags[(flags.flag == BREACH) & (flags.year == flags.year.max())].set_index("force")["probability"]
    for force, row in base.iterrows():
        assert last[force] == pytest.approx(row.base, abs=1e-6)


def test_the_console_table_states_the_base_probability_with_its_interval(two_forces):
    _, folder, output = two_forces
    for _, row in _base(folder).iterrows():
        assert f"│ {format_percent(row.base)} " in output
        assert f"│ {format_percent(row.base_low)} to {format_percent(row.base_high)} " in output
    assert f"on the scenario's {SENSITIVITY_PATHS} paths (seed 5)" in " ".join(output.split())


def test_the_sobol_design_probability_carries_its_sample_and_interval(two_forces):
    _, folder, _ = two_forces
    sobol = pd.read_csv(folder / "sobol_indices.csv")
    breach = sobol[sobol.output == BREACH]
    assert (breach.output_low <= breach.output_mean).all() and (breach.output_mean <= breach.output_high).all()
    assert (breach.output_high - breach.output_low > 0).all()
    assert ((breach.base_samples <= breach.effective_samples) & (breach.effective_samples <= breach.evaluations)).all()
    assert (breach.base_samples == SENSITIVITY_SOBOL_N).all()


def test_the_design_interval_counts_the_evaluations_of_a_base_sample_as_one_when_they_agree():
    rng = np.random.default_rng(3)
    n, step, p = 4096, 4, 0.3
    independent = (rng.random(n * step) < p).astype(float)
    low, high, effective = design_mean_interval(independent, step, BREACH)
    assert low < p < high and effective > 0.8 * n * step
    alike = np.repeat(rng.random(n) < p, step).astype(float)  # every evaluation of a base sample the same
    low, high, effective = design_mean_interval(alike, step, BREACH)
    assert effective == n and (low, high) == pytest.approx(wilson_interval(alike.mean(), n))
    money = rng.normal(10.0, 2.0, n * step)
    low, high, _ = design_mean_interval(money, step, "cumulative_gap")
    assert low < 10.0 < high and high - low < 0.2


def _pdf_pages(path) -> list[str]:
    """The text of each page of a PDF, whitespace collapsed (pdftotext, from poppler-utils)."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


PROBABILITY = re.compile(r"(\d+(?:\.\d+)?%) \(95% interval (\d+(?:\.\d+)?%) to (\d+(?:\.\d+)?%)\)")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_every_pdf_page_that_states_the_breach_probability_states_the_same_one(two_forces):
    _, folder, _ = two_forces
    base = _base(folder)
    sobol = pd.read_csv(folder / "sobol_indices.csv")
    design = sobol[(sobol.output == BREACH) & (sobol.year == sobol.year.max())].drop_duplicates("force").set_index(
        "force")
    pages = _pdf_pages(folder / "sensitivity.pdf")
    assert len(pages) == 1 + 3 * 2 + 1  # units; per force tornado, spider, Sobol'; drivers
    assert not PROBABILITY.search(pages[0])  # the unit table is exact: no probability
    for k, (force, row) in enumerate(base.iterrows()):
        stated = probability_text(row.base, row.base_low, row.base_high)
        tornado, spider, sobol_page = pages[1 + 3 * k: 4 + 3 * k]
        for page in (tornado, spider, sobol_page, pages[-1]):
            assert stated in page, (force, page[:200])
        for page in (tornado, spider):
            assert {m.group(0) for m in PROBABILITY.finditer(page)} == {stated}
        # The Sobol' page gives the design's own figure too, labelled, with its sample, interval and why.
        own = design.loc[force]
        design_text = probability_text(own.output_mean, own.output_low, own.output_high)
        assert {m.group(0) for m in PROBABILITY.finditer(sobol_page)} == {stated, design_text}
        assert (f"The Sobol' design's own estimate, from its {own.evaluations:,} evaluations, is {design_text}: "
                "a different sample") in sobol_page
        assert f"worth about {own.effective_samples:,} independent paths" in sobol_page
        assert f"{own.base_samples:,} base samples" in sobol_page
    drivers_page = pages[-1]
    assert {m.group(0) for m in PROBABILITY.finditer(drivers_page)} == {
        probability_text(row.base, row.base_low, row.base_high) for _, row in base.iterrows()}


def test_the_band_d_increase_is_shown_as_set_within_the_limit(central):
    """A rule ("the most the limit allows") has no value of its own: the tornado shows the rise it gives."""
    factor = next(f for f in one_way_factors(central, "leicestershire") if f.name == "precept_increase")
    # Leicestershire: a freeze with 20%, else the most the limit allows (2% at the median).
    assert factor_value_text(central, "leicestershire", factor, 0.1) == "0.00%"
    assert factor_value_text(central, "leicestershire", factor, 0.9) == "1.99%"
