"""The report's pure tables: exact values on small synthetic inputs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.declare.formatting import format_percent
from model.declare.outputs import FINANCE_COLUMNS, METRICS, higher_is_better
from model.report.tables import (
    SIMPLE_FRACTIONS,
    TableLine,
    cross_force_table,
    finance_lines,
    finance_table,
    finance_table_wide,
    first_breach_table,
    flag_probability_table,
    force_headline,
    gap_breakdown,
    headline_sentences,
    metric_label,
    one_in_n,
    probability_phrase,
    rating_rule,
    reserve_label,
    reserve_metrics,
    reserve_movements,
    threshold_text,
)
from model.run.probability import wilson_interval
from model.run.results import ForceInfo, RunInfo

CASES = list(FINANCE_COLUMNS)

YEARS = ["2016/17", "2017/18"]
Z2 = 1.959963984540054**2


def summary_rows(force: str, values: dict[str, dict[str, tuple[float, float, float]]]) -> pd.DataFrame:
    """Summary rows from ``{metric: {year: (p10, p50, p90)}}``; other percentiles spread around them."""
    rows = []
    for metric, by_year in values.items():
        for year, (p10, p50, p90) in by_year.items():
            rows.append({"scenario": "s", "force": force, "year": year, "metric": metric, "mean": p50,
                         "p5": p10 - 1, "p10": p10, "p25": (p10 + p50) / 2, "p50": p50, "p75": (p50 + p90) / 2,
                         "p90": p90, "p95": p90 + 1})
    return pd.DataFrame(rows)


def flag_rows(force: str, flag: str, by_year: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"scenario": "s", "force": force, "year": year, "flag": flag, "probability": p,
                          "std_error": 0.0} for year, p in by_year.items()])


# --------------------------------------------------------------------------------------
# Probabilities in words and numbers
# --------------------------------------------------------------------------------------

def test_wilson_interval_matches_known_values():
    assert wilson_interval(0.5, 100) == pytest.approx((0.403832, 0.596168), abs=1e-6)
    assert wilson_interval(0.1, 50) == pytest.approx((0.043476, 0.213602), abs=1e-6)


def test_wilson_interval_at_zero_and_one_is_not_empty():
    n = 20_000
    assert wilson_interval(0.0, n) == pytest.approx((0.0, Z2 / (n + Z2)))
    assert wilson_interval(1.0, n) == pytest.approx((n / (n + Z2), 1.0))


def test_wilson_interval_takes_arrays_and_rejects_no_paths():
    low, high = wilson_interval(np.array([0.0, 0.5, 1.0]), 100)
    assert low.shape == high.shape == (3,)
    assert np.all(low <= np.array([0.0, 0.5, 1.0])) and np.all(high >= np.array([0.0, 0.5, 1.0]))
    with pytest.raises(ValueError, match="positive"):
        wilson_interval(0.5, 0)


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.05, "1 in 20"),
        (0.0584, "1 in 17"),
        (0.00355, "1 in 280"),
        (0.0001, "1 in 10,000"),
        (0.198, "1 in 5"),
        (0.16, "1 in 6"),
        (0.21, "1 in 5"),
        (0.238, "1 in 4"),
        (0.291, "3 in 10"),
        (0.579, "6 in 10"),
        (0.6, "6 in 10"),
        (0.75, "3 in 4"),
        (0.089, "1 in 11"),
        (0.96, "96 in 100"),
        (0.999, "more than 99 in 100"),
        (0.0, "less than 1 in 20,000"),
        (1.0, "every one of the 20,000 paths"),
    ],
)
def test_one_in_n(p, words):
    assert one_in_n(p, 20_000) == words


@given(st.floats(min_value=0.1, max_value=0.949))
def test_one_in_n_rounds_to_the_nearest_simple_fraction(p):
    words = one_in_n(p, 20_000)
    numerator, denominator = (int(part) for part in words.split(" in "))
    nearest = min(abs(value - p) / p for value, _ in SIMPLE_FRACTIONS)
    assert abs(numerator / denominator - p) / p == pytest.approx(nearest)
    assert nearest < 0.2


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0, "0%"), (1.0, "100%"), (0.0584, "5.8%"), (0.00355, "0.36%"), (0.00019, "0.02%"), (0.9996, "99.9%")],
)
def test_format_percent(p, text):
    assert format_percent(p) == text


def test_probability_phrase_gives_words_percent_and_interval():
    assert probability_phrase(0.0584, 20_000) == "about a 1 in 17 chance (5.8%; 95% interval 5.5% to 6.2%)"
    assert probability_phrase(0.238, 20_000).startswith("about a 1 in 4 chance (23.8%;")
    assert probability_phrase(0.0, 20_000) == (
        "less than a 1 in 20,000 chance (none of the 20,000 paths; 95% interval 0% to 0.02%)"
    )
    assert probability_phrase(1.0, 100).startswith("a near certainty (every one of the 100 paths")


def test_first_breach_is_the_step_in_the_cumulative_probability():
    flags = flag_rows("f", "general_below_minimum_by_year",
                      {"2018/19": 0.01, "2016/17": 0.0, "2019/20": 0.05, "2017/18": 0.01})

    table = first_breach_table(flags, "f", paths=10_000)

    assert list(table["when"]) == ["2016/17", "2017/18", "2018/19", "2019/20", "No breach by 2019/20"]
    assert table["probability"].to_numpy() == pytest.approx([0.0, 0.01, 0.0, 0.04, 0.95])
    assert table["probability"].sum() == pytest.approx(1.0)
    assert (table["low"] <= table["probability"]).all() and (table["high"] >= table["probability"]).all()
    assert table.loc[3, ["low", "high"]].to_numpy() == pytest.approx(wilson_interval(0.04, 10_000))


def test_flag_probability_table_pairs_cumulative_and_in_year_rows():
    flags = pd.concat([
        flag_rows("f", "general_below_minimum_by_year", {"2016/17": 0.1, "2017/18": 0.2}),
        flag_rows("f", "general_below_minimum", {"2016/17": 0.1, "2017/18": 0.15}),
        flag_rows("other", "general_below_minimum", {"2016/17": 0.9}),
    ])

    table = flag_probability_table(flags, "f", paths=100)

    assert list(zip(table["when"], table["year"], table["probability"], strict=True)) == [
        ("by end of year", "2016/17", 0.1), ("by end of year", "2017/18", 0.2),
        ("in that year", "2016/17", 0.1), ("in that year", "2017/18", 0.15),
    ]
    assert set(table["label"]) == {"General reserve below minimum"}
    assert table.loc[1, ["low", "high"]].to_numpy() == pytest.approx(wilson_interval(0.2, 100))


# --------------------------------------------------------------------------------------
# Which way round: optimistic and pessimistic
# --------------------------------------------------------------------------------------

def test_a_metric_without_an_orientation_is_refused():
    with pytest.raises(KeyError, match="no optimistic/pessimistic orientation"):
        higher_is_better("new_metric")
    assert higher_is_better("reserve_anything") is True
    assert higher_is_better("reserve_cover_years") is True


def test_labels_come_from_the_metric_declarations_and_reserve_names():
    assert metric_label("spend") == METRICS["spend"].label
    assert metric_label("reserve_base_budget_support") == reserve_label("reserve_base_budget_support")
    assert reserve_label("reserve_base_budget_support") == "Base budget support"
    assert RunInfo("s", "t", 1, 1).force_name("west_midlands") == "West Midlands"
    info = RunInfo("s", "t", 1, 1, forces=(ForceInfo("herts", "Hertfordshire Constabulary"),))
    assert info.force_name("herts") == "Hertfordshire Constabulary"


# --------------------------------------------------------------------------------------
# The finance officer's table
# --------------------------------------------------------------------------------------

def case_rows(force: str, values: dict[str, dict[str, dict[str, float]]]) -> pd.DataFrame:
    """Deterministic case rows: ``values[case][metric][year]``."""
    return pd.DataFrame([{"scenario": "s", "case": case, "force": force, "year": year, "metric": metric, "value": v}
                         for case, metrics in values.items() for metric, years in metrics.items()
                         for year, v in years.items()])


@pytest.fixture
def small_force() -> pd.DataFrame:
    cases = case_rows("f", {
        case: {"funding": {"2016/17": 100.0 + shift, "2017/18": 100.5 + shift},
               "spend": {"2016/17": 102.0 - shift, "2017/18": 103.0 - shift},
               "savings_delivered": {"2016/17": 2.0 + shift / 2, "2017/18": 4.0 + shift / 2},
               "reserve_change": {"2016/17": 6.0 + shift, "2017/18": 3.0 + shift}}
        for case, shift in (("optimistic", 2.0), ("median_case", 0.0), ("pessimistic", -2.0))})
    plan = case_rows("f", {"force_plan": {"funding": {"2016/17": 100.2}, "savings_delivered": {"2016/17": 2.5}}})
    other = case_rows("other", {"median_case": {"funding": {"2016/17": 2.0}}})
    return pd.concat([cases, plan, other], ignore_index=True)


LINES = (
    TableLine("funding", "Funding", "Funding"),
    TableLine("spend", "Spend", "Spending"),
    TableLine("savings_delivered", "Less savings delivered", "Spending", sign=-1),
)


def _value(table: pd.DataFrame, metric: str, year: str, case: str) -> float:
    row = table[(table["metric"] == metric) & (table["year"] == year) & (table["case"] == case)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


def test_finance_table_takes_each_column_from_one_case_and_signs_deductions(small_force):
    table = finance_table(small_force, "f", lines=LINES)

    assert [_value(table, "funding", "2017/18", case) for case in CASES[:3]] == [102.5, 100.5, 98.5]
    assert [_value(table, "spend", "2017/18", case) for case in CASES[:3]] == [101.0, 103.0, 105.0]
    assert [_value(table, "savings_delivered", "2017/18", case) for case in CASES[:3]] == [-5.0, -4.0, -3.0]
    assert _value(table, "funding", "2016/17", "force_plan") == 100.2
    assert _value(table, "savings_delivered", "2016/17", "force_plan") == -2.5
    assert math.isnan(_value(table, "spend", "2016/17", "force_plan"))
    assert set(table["case"]) == set(CASES)


def test_finance_table_default_lines_include_each_earmarked_reserve(small_force):
    table = finance_table(small_force, "f")

    labels = list(dict.fromkeys(table["label"]))
    assert labels.index("General reserve") < labels.index("Change") < labels.index("Total usable reserves")
    assert [_value(table, "reserve_change", "2017/18", case) for case in CASES[:3]] == [5.0, 3.0, 1.0]
    assert math.isnan(_value(table, "grant", "2016/17", "median_case"))
    assert [line.metric for line in finance_lines(["reserve_a", "reserve_b"])].count("reserve_a") == 1
    assert "cumulative_gap" not in set(table["metric"])
    assert "cumulative_gap" in [line.metric for line in finance_lines(cumulative_gap=True)]


def test_finance_table_wide_lays_years_and_cases_across(small_force):
    wide = finance_table_wide(finance_table(small_force, "f", lines=LINES))

    assert list(wide.columns[:4]) == ["section", "label", "metric", "unit"]
    assert list(wide.columns[4:]) == [(year, case) for year in YEARS for case in CASES]
    assert list(wide["label"]) == ["Funding", "Spend", "Less savings delivered"]
    assert wide[("2017/18", "optimistic")].tolist() == [102.5, 101.0, -5.0]
    assert wide[("2016/17", "force_plan")].tolist()[0] == 100.2


def test_reserve_metrics_lists_only_reserve_balances():
    summary = summary_rows("f", {"reserve_change": {"2016/17": (1.0, 2.0, 3.0)},
                                 "reserve_cover_years": {"2016/17": (1.0, 2.0, 3.0)}})
    assert reserve_metrics(summary, "f") == ["reserve_change"]


# --------------------------------------------------------------------------------------
# Front page and chart data
# --------------------------------------------------------------------------------------

def headline_inputs(p_below: float = 0.05, exhausted: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame, RunInfo,
                                                                           pd.DataFrame]:
    summary = summary_rows("f", {
        "gap": {"2016/17": (0.5, 1.0, 1.5), "2017/18": (1.3, 4.5, 7.9)},
        "total_reserves": {"2016/17": (20.0, 25.1, 30.0), "2017/18": (7.0, 14.6, 21.0)},
        "general_reserve_minimum": {"2016/17": (5.0, 5.1, 5.2), "2017/18": (5.1, 5.2, 5.3)},
    })
    flags = pd.concat([
        flag_rows("f", "general_below_minimum_by_year", {"2016/17": 0.0, "2017/18": p_below}),
        flag_rows("f", "usable_reserves_exhausted_by_year", {"2016/17": 0.0, "2017/18": exhausted}),
    ])
    info = RunInfo("central", "Central", paths=20_000, seed=1,
                   forces=(ForceInfo("f", "Fictional Police", minimum_general_rate=0.03),))
    plan = pd.DataFrame([{"force": "f", "year": year, "metric": metric, "value": value}
                         for year, metric, value in (("2016/17", "total_reserves", 25.0),
                                                     ("2017/18", "total_reserves", 18.2),
                                                     ("2017/18", "planned_reserve_use", 1.4))])
    return summary, flags, info, plan


def test_headline_sentences_say_the_middle_of_the_outcomes_or_the_forces_plan():
    summary, flags, info, plan = headline_inputs()

    assert headline_sentences(force_headline(summary, flags, "f", info, plan)) == [
        "There is about a 1 in 20 chance (5.0%; 95% interval 4.7% to 5.3%) that the general reserve falls below "
        "its minimum (3.0% of NRE) at some point by 2017/18.",
        "Usable reserves at 31 March 2018 are £14.6m in the middle of the simulated outcomes (P10 £7.0m, P90 "
        "£21.0m), against £18.2m in the force's plan.",
        "In 2017/18 the budget gap after savings is £4.5m in the middle of the simulated outcomes (P10 £1.3m, P90 "
        "£7.9m); the force's plan draws £1.4m from reserves that year.",
    ]


def test_headline_without_a_plan_gives_no_plan_figures_and_names_exhaustion_when_it_happens():
    summary, flags, info, _ = headline_inputs(exhausted=0.238)

    sentences = headline_sentences(force_headline(summary, flags, "f", info))

    assert "plan" not in " ".join(sentences)
    assert sentences[1].endswith("; there is about a 1 in 4 chance (23.8%; 95% interval 23.2% to 24.4%) that they "
                                 "are all used up by 2017/18.")


@pytest.mark.parametrize(("p_below", "thresholds", "level"), [
    (0.049, (0.05, 0.2), "green"), (0.05, (0.05, 0.2), "amber"), (0.199, (0.05, 0.2), "amber"),
    (0.2, (0.05, 0.2), "red"), (0.12, (0.1, 0.15), "amber"), (0.12, (0.02, 0.1), "red"), (0.12, (0.15, 0.3), "green"),
])
def test_the_rating_follows_the_scenarios_thresholds_and_prints_its_rule(p_below, thresholds, level):
    summary, flags, info, plan = headline_inputs(p_below=p_below)
    info = dataclasses.replace(info, rating=thresholds)

    headline = force_headline(summary, flags, "f", info, plan)

    assert headline.rating.name == level
    rule = rating_rule(headline)
    assert rule.startswith(f"{level.capitalize()}: the chance of the general reserve falling below its minimum by "
                           "2017/18 is ")
    assert rule.endswith(f"(here {format_percent(p_below)})")
    assert threshold_text(thresholds[0 if level != "red" else 1]) in rule


def test_gap_breakdown_gives_annual_medians_and_running_totals():
    summary = summary_rows("f", {
        "savings_delivered": {"2016/17": (0, 2.0, 0), "2017/18": (0, 4.0, 0)},
        "planned_reserve_use": {"2016/17": (0, 1.0, 0), "2017/18": (0, 1.0, 0)},
        "unplanned_gap": {"2016/17": (0, -0.5, 0), "2017/18": (0, 2.0, 0)},
        "gap_before_savings": {"2016/17": (0, 2.5, 0), "2017/18": (0, 7.0, 0)},
    })
    plan = pd.DataFrame([{"force": "f", "year": y, "metric": "savings_required", "value": v}
                         for y, v in (("2016/17", 3.0), ("2017/18", 5.0))])

    table = gap_breakdown(summary, plan, "f").set_index(["part", "year"])

    assert table.loc[("unplanned_gap", "2017/18"), "cumulative"] == pytest.approx(1.5)
    assert table.loc[("savings_delivered", "2017/18"), "cumulative"] == pytest.approx(6.0)
    assert table.loc[("savings_required_plan", "2017/18"), ["annual", "cumulative"]].tolist() == [5.0, 8.0]
    without_plan = gap_breakdown(summary, plan.iloc[0:0], "f").set_index(["part", "year"])
    assert math.isnan(without_plan.loc[("savings_required_plan", "2016/17"), "annual"])


def test_reserve_movements_sign_draws_negative():
    summary = summary_rows("f", {
        "planned_reserve_use": {"2016/17": (0, 1.4, 0)},
        "shortfall_met_from_reserves": {"2016/17": (0, 0.3, 0)},
        "surplus_to_reserves": {"2016/17": (0, 0.2, 0)},
        "reserves_to_capital": {"2016/17": (0, 3.5, 0)},
        "uncovered_deficit": {"2016/17": (0, 0.0, 0)},
        "total_reserves": {"2016/17": (0, 25.1, 0)},
    })

    values = reserve_movements(summary, "f").set_index("movement")["value"].to_dict()

    assert values == {"planned_reserve_use": -1.4, "shortfall_met_from_reserves": -0.3, "surplus_to_reserves": 0.2,
                      "reserves_to_capital": -3.5, "uncovered_deficit": 0.0, "total_reserves": 25.1}


def test_cross_force_table_divides_by_the_median_base():
    summary = summary_rows("f", {
        "total_reserves": {"2016/17": (10.0, 20.0, 30.0)},
        "nre": {"2016/17": (190.0, 200.0, 210.0)},
        "gap": {"2016/17": (-2.0, 4.0, 8.0)},
        "funding": {"2016/17": (195.0, 200.0, 205.0)},
    })
    flags = flag_rows("f", "general_below_minimum_by_year", {"2016/17": 0.25})

    table = cross_force_table(summary, flags, paths=400).set_index("measure")

    assert table.loc["reserves_pct_nre", ["central", "low", "high"]].tolist() == pytest.approx([0.1, 0.05, 0.15])
    assert table.loc["gap_pct_funding", ["central", "low", "high"]].tolist() == pytest.approx([0.02, -0.01, 0.04])
    assert table.loc["p_general_below_minimum", ["low", "high"]].tolist() == pytest.approx(wilson_interval(0.25, 400))


def test_the_appendix_lists_the_correlations_asked_for_and_used():
    from conftest import SCENARIOS

    from model.run.appendix import correlation_table
    from model.sampling.setup import load_setup

    table = correlation_table(load_setup(SCENARIOS / "central.yaml"))
    pairs = {frozenset((row.input_a, row.input_b)): (row.asked, row.used) for row in table.itertuples()}
    assert pairs[frozenset(("pay_award", "non_pay_inflation"))] == ("0.50", "0.50")
    assert pairs[frozenset(("grant_change", "referendum_limit"))] == ("-0.40", "-0.40")
    assert len(pairs) == 3
