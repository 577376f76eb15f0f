"""Evidence for every range, and forecasts scored against outturns: ``fit``, ``evaluate`` and the ranks behind them.

* fitting recovers known parameters from a large sample and ranks the true family first; a
  six-point series is fitted with its weakness stated; every snippet loads as a scenario input;
* percentile ranks and CRPS from the run's fixed-bin histograms agree with the exact values from
  every path (within the stated resolution), and CRPS equals its closed form for a normal;
* outturns drawn from the model itself give uniform ranks (Kolmogorov–Smirnov at 5%) and band
  coverage within its binomial interval; outturns shifted by two standard deviations do not;
* rows the run does not have are reported; bad input is one clear message and exit 2;
* the shipped history is the research file verbatim, and the scenarios' national ranges cite it.
"""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import DATA, REPO, SCENARIOS, SHARED

from model.analysis.evaluate import evaluate_outturns
from model.analysis.fit import (
    FAMILIES,
    WEAK_BELOW,
    fit_family,
    fit_history,
    fit_series,
    frozen_distribution,
    scenario_snippet,
    source_line,
)
from model.cli.evidence import FAMILY_CHOICES, evaluate, fit
from model.cli.exit_codes import EXIT_INPUT
from model.declare.distributions import Distribution
from model.io.history import HISTORY_FILE, evidence_series, load_evidence, read_history, yearly_series
from model.io.outturns import Outturn
from model.io.run_folder import write_npz
from model.run.ranks import (
    Histograms,
    crps_normal,
    exact_crps,
    exact_rank,
    from_arrays,
    from_simulation,
    simulation_arrays,
)
from model.run.simulation import project_chunk, run_simulation
from model.run.tallies import BinEdges, LineAccumulator
from model.sampling.setup import load_setup, with_overrides

HISTORY = DATA / HISTORY_FILE
RUN_PATHS = 4096
CONTINUOUS = ("spend", "pay", "non_pay", "funding", "gap", "cumulative_gap", "grant")
"""Lines with no pile of paths on one value in 2017/18 to 2019/20 (reserves can be exhausted, band D is a choice)."""


def invoke(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args])


@pytest.fixture(scope="module")
def history():
    return read_history(HISTORY)


@pytest.fixture(scope="module")
def run():
    """Central on 4,096 paths (seed 1), with its streaming summaries."""
    setup = with_overrides(load_setup(SCENARIOS / "central.yaml"), paths=RUN_PATHS, seed=1)
    return setup, run_simulation(setup)


@pytest.fixture(scope="module")
def model_outturns(run):
    """300 outturns drawn from the model itself: each from its own path of a run with another seed."""
    setup, simulation = run
    other = with_overrides(setup, seed=2)
    force = "leicestershire"
    metrics = simulation.metrics[force]
    values, _ = project_chunk(other, force, 0, 2000)
    rows, spreads = [], {}
    for i in range(300):
        metric, t = CONTINUOUS[i % len(CONTINUOUS)], 1 + (i // len(CONTINUOUS)) % 3
        cell = values[metrics.index(metric), t]
        spreads[(metric, t)] = float(cell.std())
        rows.append((i + 2, force, setup.scenario.years[t], metric, float(cell[i]), spreads[(metric, t)]))
    return rows


def outturns_of(rows, shift_sd: float = 0.0) -> list[Outturn]:
    return [Outturn(row, force, year, metric, value + shift_sd * sd, f"{value:.6f}")
            for row, force, year, metric, value, sd in rows]


# --------------------------------------------------------------------------------------
# The history shipped in data/
# --------------------------------------------------------------------------------------

@pytest.mark.skipif(not (SHARED / "docs" / HISTORY_FILE).is_file(), reason="shared/docs not present")
def test_the_shipped_history_and_its_note_are_the_research_files_verbatim():
    assert HISTORY.read_bytes() == (SHARED / "docs" / HISTORY_FILE).read_bytes()
    note = "history-2010-2016.md"
    assert (DATA / note).read_bytes() == (SHARED / "docs" / note).read_bytes()


def test_every_row_carries_its_page_and_a_quote(history):
    assert len(history.rows) == 153
    assert all(row.source_url.startswith("http") and row.quote for row in history.rows)


def test_every_evidence_series_loads_and_every_excluded_row_is_in_it_with_a_reason(history):
    entries = load_evidence(DATA)
    assert {entry.input for entry in entries} == {"grant_change", "referendum_limit", "pay_award",
                                                  "non_pay_inflation"}
    for entry, series in evidence_series(DATA):
        assert series.input == entry.input and series.unit == "rate" and len(series.points) >= 5
        for number, reason in entry.exclude.items():
            row = next(r for r in history.rows if r.row == number)
            assert row.series == entry.series and len(reason) > 20
    excluded = {n: r for e in entries for n, r in e.exclude.items()}
    assert next(r for r in history.rows if r.row == 61).unit == "percent_proposed_leaked" and 61 in excluded
    assert next(r for r in history.rows if r.row == 106).period == "2015 (October)" and 106 in excluded


def test_a_series_reads_freezes_as_zero_and_cites_every_row_behind_each_year(history):
    series = yearly_series(history, "officer_pay_award", input_name="pay_award")
    assert series.periods == ("2010/11", "2011/12", "2012/13", "2013/14", "2014/15", "2015/16")
    assert series.values.tolist() == pytest.approx([0.0255, 0.0, 0.0, 0.01, 0.01, 0.01])
    assert series.rows_used == (63, 64, 66, 67, 68, 70, 73, 74)


# --------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------

TRUE = {
    "normal": {"mean": 0.01, "sd": 0.005},
    "truncated_normal": {"mean": 0.01, "sd": 0.01, "low": 0.0, "high": 0.03},
    "lognormal": {"median": 0.02, "p90": 0.03},
    "triangular": {"low": -0.03, "mode": 0.0, "high": 0.01},
    "pert": {"low": -0.03, "mode": -0.01, "high": 0.01},
    "uniform": {"low": 0.0, "high": 0.02},
}


@pytest.mark.parametrize("family", FAMILIES)
def test_fitting_recovers_known_parameters_and_ranks_the_true_family_first(family):
    sample = frozen_distribution(family, TRUE[family]).rvs(4000, random_state=np.random.default_rng(7))
    result = fit_series(sample, unit="rate")
    assert result.best.family == family, [(f.family, round(f.aicc, 1)) for f in result.fits]
    fitted = result.fit(family).params
    for name, value in TRUE[family].items():
        assert fitted[name] == pytest.approx(value, abs=0.0008), (name, fitted)
    assert result.weakness == () and result.n >= WEAK_BELOW


def test_a_fitted_family_is_the_distribution_the_model_draws():
    u = np.linspace(0.01, 0.99, 41)
    for family, params in TRUE.items():
        model = Distribution("normal" if family == "truncated_normal" else family, params)
        assert model.ppf(u) == pytest.approx(frozen_distribution(family, params).ppf(u), abs=1e-9), family


def test_a_six_point_series_is_fitted_with_its_weakness_stated(history):
    series = yearly_series(history, "officer_pay_award", input_name="pay_award")
    result = fit_history(series)
    assert result.n == 6 and result.criterion == "AICc"
    text = " ".join(result.weakness)
    assert "6 values are weak evidence" in text and "Akaike weight" in text
    assert "29% of the time (2 in n + 1)" in text
    assert "90% interval" in text and "Persistence:" in text and "not a forecast" in text
    assert sum(result.weights.values()) == pytest.approx(1.0)
    # A uniform's ends are the extremes seen: each is charged as two parameters, and left out one
    # at a time it rules the value out. With k = 4 + 2, a truncated normal's AICc is not defined.
    uniform = result.fit("uniform")
    assert uniform.ends_at_extremes == 2 and uniform.penalised == 4 and uniform.left_out == -math.inf
    assert math.isinf(result.fit("truncated_normal").aicc) and "AICc is not defined for truncated_normal" in text
    assert result.best.family == "normal" and result.recommended.family == "normal"
    line = source_line(series, result, result.recommended)
    assert "rows 63, 64, 66, 67, 68, 70, 73, 74" in line and "6 values, weak evidence" in line


def test_persistence_and_rank_correlation_are_stated_with_what_they_rest_on(history, cpi):
    pay = yearly_series(history, "officer_pay_award")
    result = fit_history(cpi[0], families=("normal",), others=(pay,))
    assert result.persistence.pairs == 5 and result.persistence.rank_correlation == pytest.approx(0.9)
    assert result.persistence.p_value == pytest.approx(10 / 120)  # exact: 10 of the 120 orders are as extreme
    assert not result.persistence.distinguishable
    (correlation,) = result.correlations
    assert correlation.years == (2010, 2011, 2012, 2013, 2014, 2015) and correlation.rank_correlation is not None
    assert "6 common years" in correlation.text


def write_snippet_scenario(tmp_path, snippet: str):
    path = tmp_path / "fitted.yaml"
    path.write_text("title: fitted\ndescription: a range fitted to history\nforces: [staffordshire]\n" + snippet,
                    encoding="utf-8")
    return load_setup(path)


@pytest.fixture(scope="module")
def cpi(history):
    series = yearly_series(history, "cpi_inflation", scopes=("uk",), exclude={106: "October, not December"},
                           input_name="non_pay_inflation")
    return series, fit_history(series)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_fitted_yaml_snippet_loads_as_a_scenario_input(cpi, tmp_path, family):
    series, result = cpi
    chosen = result.fit(family)
    snippet = scenario_snippet(result, input_name="non_pay_inflation", unit="rate", family=family,
                               source=source_line(series, result, chosen))
    if family == "lognormal":
        # A lognormal this wide reaches beyond the input's allowed 20%: the snippet says so rather than
        # writing a line the scenario would reject.
        assert "# not stated: this lognormal reaches" in snippet and "1 in 10,000" in snippet
        assert write_snippet_scenario(tmp_path, snippet).scenario.inputs.get("non_pay_inflation") is None
        return
    setup = write_snippet_scenario(tmp_path, snippet)
    stated = setup.scenario.inputs["non_pay_inflation"].resolve("staffordshire", 1)
    assert stated.kind == ("normal" if family == "truncated_normal" else family)
    for name, value in chosen.params.items():
        if f"# {name} " in snippet and "moved to" in snippet:
            assert stated.params[name] == -0.05 and value < -0.05  # moved to the input's allowed range, and said
        else:
            assert stated.params[name] == pytest.approx(value, abs=0.0001), (name, snippet)
    assert "history-2010-2016.csv rows" in setup.scenario.sources[0]


def test_the_recommended_snippet_of_every_evidence_series_loads(tmp_path):
    for entry, series in evidence_series(DATA):
        result = fit_history(series, families=("normal", "lognormal", "uniform"))
        snippet = scenario_snippet(result, input_name=entry.input, unit=series.unit,
                                   source=source_line(series, result, result.recommended))
        assert "# not stated" not in snippet
        assert entry.input in write_snippet_scenario(tmp_path, snippet).scenario.inputs, snippet


def test_a_snippet_with_persistence_loads_too(tmp_path):
    values = np.array([0.01, 0.012, 0.015, 0.02, 0.024, 0.03, 0.033, 0.035])
    result = fit_series(values, tuple(range(2008, 2016)))
    assert result.persistence.distinguishable
    snippet = scenario_snippet(result, input_name="non_pay_inflation", unit="rate", source="a rising series")
    assert "over_years: persistent" in snippet
    spec = write_snippet_scenario(tmp_path, snippet).scenario.inputs["non_pay_inflation"]
    assert spec.over_years == "persistent" and spec.persistence == pytest.approx(
        min(result.persistence.persistence, 0.95), abs=0.005)


def test_families_that_do_not_apply_say_why():
    assert "above zero" in fit_family("lognormal", np.array([-0.01, 0.0, 0.02])).note
    flat = fit_series([0.02, 0.02, 0.02, 0.02])
    assert flat.best is None and all("no spread" in f.note for f in flat.fits)
    assert FAMILY_CHOICES == FAMILIES


def test_fit_writes_its_snippet_table_notes_and_chart(tmp_path):
    result = invoke(fit, HISTORY, "--series", "cpi_inflation", "--with", "officer_pay_award", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "fit" / "cpi_inflation-uk"
    assert sorted(p.name for p in folder.iterdir()) == ["fit.csv", "fit.png", "fit.txt", "fit.yaml"]
    assert (folder / "fit.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    snippet = (folder / "fit.yaml").read_text(encoding="utf-8")
    assert "non_pay_inflation: {distribution: normal" in snippet and "row 106 (October 2015" in snippet
    assert "Defaults from data/evidence.yaml" in result.output and "weak evidence" in result.output
    table = pd.read_csv(folder / "fit.csv")
    assert list(table.family[:2]) == ["normal", "lognormal"] and len(table) == 6
    loaded = yaml.safe_load(snippet)
    assert list(loaded["assumptions"]) == ["non_pay_inflation"]


@pytest.mark.parametrize("args, fragments", [
    pytest.param(["--series", "total_central_funding_change"],
                 ["at least 3 yearly values", "found 2: 2011/12 -4%, 2012/13 -5%"], id="fewer-than-three"),
    pytest.param(["--series", "band_d_precept", "--scope", "hertfordshire", "--input", "grant_change"],
                 ["row 30", "a unit the input 'grant_change' takes", "found 'GBP'"], id="units-not-the-inputs"),
    pytest.param(["--series", "council_tax_freeze_grant_takeup"],
                 ["row 60", "expected a number", "found 'five'", "--exclude 60"], id="not-a-number"),
    pytest.param(["--series", "cpi_inflation", "--scope", "uk"],
                 ["one value of 'cpi_inflation' for 2015", "row 88", "row 106", "--exclude"], id="two-values-one-year"),
    pytest.param(["--series", "referendum_limit", "--scope", "england", "--scope", "england_pccs_low_precept"],
                 ["one unit for every row", "pounds in rows 122"], id="mixed-units"),
    pytest.param(["--series", "council_tax_freeze_grant"], ["a --scope for 'council_tax_freeze_grant'",
                                                             "england (5 rows)"], id="several-scopes"),
    pytest.param(["--series", "cpi_inflaton"], ["Did you mean 'cpi_inflation'?"], id="unknown-series"),
    pytest.param(["--series", "cpi_inflation", "--exclude", "12"], ["--exclude", "row 12"], id="exclude-other-series"),
    pytest.param(["--series", "cpi_inflation", "--input", "pay_awrd"], ["Did you mean 'pay_award'?"],
                 id="unknown-input"),
])
def test_fit_rejects_bad_input_with_one_clear_message(tmp_path, args, fragments):
    result = invoke(fit, HISTORY, *args, "--out", tmp_path)
    assert result.exit_code == EXIT_INPUT, result.output
    assert "Traceback" not in result.output and result.stderr.startswith("error:")
    message = " ".join(result.stderr.split())
    for fragment in fragments:
        assert fragment in message, message
    assert not (tmp_path / "fit").exists()


def test_fit_reads_words_only_as_a_freeze_and_names_a_file_without_its_columns(tmp_path):
    bad = tmp_path / "history.csv"
    bad.write_text("series,fiscal_year,value,unit\nx,2011/12,1.5,percent\nx,2012/13,about two,percent\n"
                   "x,2013/14,freeze,percent_change=0\n", encoding="utf-8")
    result = invoke(fit, bad, "--series", "x", "--out", tmp_path)
    assert result.exit_code == EXIT_INPUT and "row 3: field 'value'" in result.stderr
    assert "found 'about two'" in result.stderr
    bad.write_text("series,year,value\nx,2011/12,1\n", encoding="utf-8")
    result = invoke(fit, bad, "--series", "x", "--out", tmp_path)
    assert result.exit_code == EXIT_INPUT and "no column 'fiscal_year', 'unit'" in result.stderr


# --------------------------------------------------------------------------------------
# Percentile ranks and CRPS from the streaming summaries
# --------------------------------------------------------------------------------------

def test_ranks_and_crps_from_the_histograms_agree_with_every_path(run):
    setup, simulation = run
    force = "hertfordshire"
    every, _ = project_chunk(setup, force, 0, RUN_PATHS)
    accumulator = simulation.summaries[force]
    assert accumulator.mean() == pytest.approx(every.mean(axis=-1), rel=1e-9, abs=1e-4)  # the same paths
    histograms = Histograms.of(accumulator)
    rng = np.random.default_rng(3)
    checked = 0
    for metric in ("spend", "total_reserves", "general_reserve", "band_d", "gap", "tax_base"):
        m = histograms.metrics.index(metric)
        for t in range(1, 4):
            paths = every[m, t]
            cell = histograms.cell(m, t)
            for x in [*np.quantile(paths, [0.02, 0.3, 0.5, 0.9]), *rng.choice(paths, 3), paths.min() - 1.0,
                      paths.max() + 1.0]:
                estimate = cell.rank(x)
                assert estimate.low - 1e-12 <= exact_rank(paths, x) <= estimate.high + 1e-12
                assert abs(estimate.rank - exact_rank(paths, x)) <= estimate.resolution + 1e-12
                assert abs(cell.crps(x) - exact_crps(paths, x)) <= 2 * histograms.width[m, t] + 1e-9
                checked += 1
            assert [cell.quantile(p) for p in (0.05, 0.5, 0.95)] == pytest.approx(
                accumulator.quantiles(np.array([0.05, 0.5, 0.95]))[m, t], abs=1e-9)
    assert checked == 6 * 3 * 9


def test_crps_equals_its_closed_form_for_a_normal():
    mean, sd = 100.0, 4.0
    n = 200_000
    paths = mean + sd * np.sqrt(2) * __import__("scipy").special.erfinv(2 * (np.arange(n) + 0.5) / n - 1)
    values = paths.reshape(1, 1, n)
    accumulator = LineAccumulator(("x",), np.array([1e6]), BinEdges.from_pilot(values[..., ::50]))
    accumulator.add(values)
    cell = Histograms.of(accumulator).cell(0, 0)
    for x in (85.0, 96.0, 100.0, 103.3, 120.0):
        closed = crps_normal(x, mean, sd)
        assert cell.crps(x) == pytest.approx(closed, abs=2e-3 * sd)
        assert exact_crps(paths, x) == pytest.approx(closed, abs=2e-3 * sd)
        assert cell.rank(x).rank == pytest.approx(__import__("scipy").stats.norm.cdf(x, mean, sd), abs=1e-3)


def test_a_line_with_no_spread_is_a_point_forecast():
    accumulator = LineAccumulator(("x",), np.array([1e6]), BinEdges.from_pilot(np.full((1, 1, 10), 5.0)))
    accumulator.add(np.full((1, 1, 10), 5.0))
    cell = Histograms.of(accumulator).cell(0, 0)
    assert cell.rank(5.0).rank == 0.5 and cell.rank(4.0).rank == 0.0 and cell.rank(6.0).rank == 1.0
    assert cell.crps(7.5) == pytest.approx(2.5) and cell.crps(5.0) == 0.0


# --------------------------------------------------------------------------------------
# Scoring outturns
# --------------------------------------------------------------------------------------

def test_outturns_drawn_from_the_model_give_uniform_ranks_and_nominal_coverage(run, model_outturns):
    result = evaluate_outturns(from_simulation(run[1]), outturns_of(model_outturns))
    assert len(result.scored) == 300
    # Kolmogorov–Smirnov at the 5% level: the model's own outturns are not rejected.
    assert result.uniformity["p_value"] >= 0.05, result.uniformity
    assert result.uniformity["verdict"].startswith("consistent")
    overall = result.coverage[result.coverage.metric == "all"]
    for row in overall.itertuples():
        assert row.ci_low <= row.nominal <= row.ci_high, row
        assert row.verdict == "consistent"
    assert result.pit["count"].sum() == pytest.approx(300)


def test_outturns_shifted_by_two_standard_deviations_give_coverage_far_below_nominal(run, model_outturns):
    result = evaluate_outturns(from_simulation(run[1]), outturns_of(model_outturns, shift_sd=2.0))
    overall = result.coverage[result.coverage.metric == "all"].set_index("band")
    assert overall.loc["P5–P95", "coverage"] < 0.55 and overall.loc["P5–P95", "verdict"] == "below nominal"
    assert overall.loc["P25–P75", "coverage"] < 0.1
    assert result.uniformity["p_value"] < 1e-6 and result.uniformity["verdict"].startswith("not uniform")
    assert (result.scored.percentile_rank > 0.5).mean() > 0.95


OUTTURNS = textwrap.dedent("""\
    force,year,metric,value,source
    staffordshire,2017/18,band_d,181.14,illustrative
    leicestershire,2017/18,grant,£113.1m,illustrative
    hertfordshire,2017/18,spend,190.2,illustrative
    hertfordshire,2017/18,gneral_reserve,10,illustrative
    kent,2017/18,spend,290,illustrative
    leicestershire,2021/22,spend,180,illustrative
    """)


def test_evaluate_reports_rows_the_run_does_not_have(tmp_path):
    outturns = tmp_path / "outturns.csv"
    outturns.write_text(OUTTURNS, encoding="utf-8")
    result = invoke(evaluate, SCENARIOS / "central.yaml", "--outturns", outturns, "--paths", 1000, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "central" / "evaluate"
    assert sorted(p.name for p in folder.iterdir()) == ["coverage.csv", "evaluation.csv", "evaluation.json",
                                                        "evaluation.pdf", "pit_histogram.csv", "resolved.yaml"]
    table = pd.read_csv(folder / "evaluation.csv")
    assert list(table.row) == [2, 3, 4, 5, 6, 7]
    status = dict(zip(table.row, table.status, strict=True))
    assert "metric 'gneral_reserve' is not in the run" in status[5] and "did you mean 'general_reserve'?" in status[5]
    assert "force 'kent' is not in the run" in status[6]
    assert "year 2021/22 is not in the run" in status[7]
    scored = table[table.status == "scored"]
    assert len(scored) == 3 and scored.percentile_rank.between(0, 1).all() and scored.crps.notna().all()
    assert table.loc[table.row == 3, "value"].item() == pytest.approx(113.1)
    assert "row 5" in result.output and "Scored 3 of 6" in result.output
    record = json.loads((folder / "evaluation.json").read_text(encoding="utf-8"))
    assert record["ranks_from"] == "histograms" and record["scored"] == 3


def test_evaluate_from_a_run_folder_says_what_its_resolution_is(run, model_outturns, tmp_path):
    setup, simulation = run
    outturns = tmp_path / "outturns.csv"
    pd.DataFrame([{"force": o.force, "year": o.year, "metric": o.metric, "value": o.text, "source": "model"}
                  for o in outturns_of(model_outturns[:40])]).to_csv(outturns, index=False)
    folder = tmp_path / "runs" / "central"
    folder.mkdir(parents=True)
    from model.run.summaries import summary_table

    summary_table(simulation).to_csv(folder / "summary.csv", index=False)
    (folder / "run.json").write_text(json.dumps({"scenario_name": "central", "paths": RUN_PATHS, "seed": 1}))
    coarse = invoke(evaluate, "--run", folder, "--outturns", outturns, "--out", tmp_path / "out")
    assert coarse.exit_code == 0, coarse.output
    table = pd.read_csv(tmp_path / "out" / "central" / "evaluate" / "evaluation.csv")
    assert table.crps.isna().all() and "summary.csv" in " ".join(coarse.output.split())
    assert ((table.rank_high - table.rank_low) >= 0.05 - 1e-9).all()
    write_npz(simulation_arrays(simulation))(folder / "histograms.npz")
    full = invoke(evaluate, "--run", folder, "--outturns", outturns, "--out", tmp_path / "out2")
    assert full.exit_code == 0, full.output
    fine = pd.read_csv(tmp_path / "out2" / "central" / "evaluate" / "evaluation.csv")
    direct = evaluate_outturns(from_simulation(simulation), outturns_of(model_outturns[:40])).rows
    assert fine.percentile_rank.to_numpy() == pytest.approx(direct.percentile_rank.to_numpy(dtype=float), abs=1e-6)
    assert fine.crps.notna().all()
    # Band membership from seven percentiles is the same as from the histograms.
    assert (table.in_p5_p95 == fine.in_p5_p95).all() and (table.in_p25_p75 == fine.in_p25_p75).all()
    assert from_arrays(simulation_arrays(simulation)).bins == 4096


@pytest.mark.parametrize("content, fragments", [
    pytest.param("force,year,metric,value\nstaffordshire,2017/18,spend,lots\n", ["row 2", "field 'value'", "'lots'"],
                 id="not-a-number"),
    pytest.param("force,year,metric,value\nstaffordshire,2017/18,spend,£5\n", ["row 2", "in the unit of 'spend'"],
                 id="wrong-unit"),
    pytest.param("force,year,metric,value\nstaffordshire,2017-18,spend,5\n", ["row 2", "field 'year'", "slash"],
                 id="year-not-fiscal"),
    pytest.param("force,metric,value\nstaffordshire,spend,5\n", ["no column 'year'"], id="missing-column"),
    pytest.param("force,year,metric,value\n", ["at least one outturn row"], id="no-rows"),
])
def test_evaluate_rejects_a_bad_outturns_file_with_one_clear_message(tmp_path, content, fragments):
    outturns = tmp_path / "outturns.csv"
    outturns.write_text(content, encoding="utf-8")
    result = invoke(evaluate, SCENARIOS / "central.yaml", "--outturns", outturns, "--paths", 100, "--out", tmp_path)
    assert result.exit_code == EXIT_INPUT, result.output
    assert result.stderr.startswith("error:") and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in " ".join(result.stderr.split())


def test_evaluate_needs_a_scenario_or_a_run_folder_not_both(tmp_path):
    outturns = tmp_path / "outturns.csv"
    outturns.write_text(OUTTURNS, encoding="utf-8")
    assert invoke(evaluate, "--outturns", outturns).exit_code == 2
    assert invoke(evaluate, SCENARIOS / "central.yaml", "--run", tmp_path, "--outturns", outturns).exit_code == 2
    missing = invoke(evaluate, "--run", tmp_path / "nothing", "--outturns", outturns)
    assert missing.exit_code == EXIT_INPUT and "no such folder" in missing.stderr


# --------------------------------------------------------------------------------------
# The scenarios cite the evidence, and the appendix sets their ranges beside it
# --------------------------------------------------------------------------------------

def test_the_appendix_sets_each_national_range_beside_its_history():
    from model.run.appendix import EVIDENCE_COLUMNS, evidence_table

    table = evidence_table(load_setup(SCENARIOS / "central.yaml"))
    assert list(table.columns) == EVIDENCE_COLUMNS
    assert set(table.input) == {"grant_change", "referendum_limit", "pay_award", "non_pay_inflation"}
    grant = table[(table.input == "grant_change") & (table.force == "leicestershire")].iloc[0]
    assert grant.history_values == "2011/12 -5.1%, 2012/13 -6.7%, 2013/14 -1.6%, 2015/16 -5.1%, 2016/17 -2.7%"
    assert grant.fitted_range == "-7.26% to -1.22%"
    assert grant.compared.startswith("narrower") and "shifted up" in grant.compared
    assert grant.rows.startswith("history-2010-2016.csv rows 12, 13")
    limit = table[(table.input == "referendum_limit") & (table.year == "2018/19")].iloc[0]
    assert limit.fitted_range.startswith("not fitted: the history takes only 2% (4 of 5 years) and 3.5%")
    assert set(table[table.input == "pay_award"].history) == {"officer_pay_award (england_wales)",
                                                             "staff_pay_award (england_wales_PSC)"}


@pytest.mark.parametrize("scenario", ["central", "optimistic", "pessimistic"])
def test_each_full_scenario_says_how_its_national_ranges_compare_with_the_history(scenario):
    lines = yaml.safe_load((SCENARIOS / f"{scenario}.yaml").read_text(encoding="utf-8"))["sources"]
    sources = " ".join(lines)
    for fitted in ("-7.3% to -1.2%", "-0.2% to 4.7%"):
        assert fitted in sources, fitted
    assert "police-mtfs fit" in sources and "docs/evidence.md" in sources
    for label in ("Grant", "Referendum limit", "Pay award", "Non-pay inflation"):
        line = next(line for line in lines if line.startswith(label) and "against the history" in line.lower())
        assert any(word in line for word in ("narrower", "wider", "about as wide", "shifted", "tighter", "held at")), line


def test_the_fitted_ranges_the_central_scenario_cites_are_the_fits():
    sources = " ".join(yaml.safe_load((SCENARIOS / "central.yaml").read_text(encoding="utf-8"))["sources"])
    for entry, series in evidence_series(DATA):
        if entry.input == "referendum_limit":
            continue  # two values only: the scenario cites the values, not a fit
        normal = fit_family("normal", series.values)
        low, high = normal.frozen().ppf([0.05, 0.95]) * 100
        assert f"{low:.1f}% to {high:.1f}%" in sources, (entry.series, low, high)


def test_docs_explain_both_commands_with_an_example():
    text = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
    assert "police-mtfs fit data/history-2010-2016.csv --series" in text
    assert "police-mtfs evaluate scenarios/central.yaml --outturns" in text
    assert "(docs/evidence.md)" in (REPO / "README.md").read_text(encoding="utf-8")
