"""The output declarations: every metric, flag, case and finance-table column declared once, completely."""

from __future__ import annotations

from click.testing import CliRunner

from model.cli.main import main as cli_main
from model.declare.outputs import (
    BREACH,
    CASES,
    FINANCE_COLUMNS,
    FLAG_DECLARATIONS,
    FLAGS,
    HIGHER,
    LOWER,
    METRICS,
    higher_is_better,
)
from model.declare.units import UNIT_FORMS


def test_every_declared_metric_has_an_orientation_a_unit_a_label_and_a_meaning():
    for metric in METRICS.values():
        assert metric.better in (HIGHER, LOWER), metric.name
        assert metric.unit in UNIT_FORMS, metric.name
        assert metric.label and metric.meaning, metric.name
        assert higher_is_better(metric.name) == (metric.better == HIGHER)


def test_funding_and_reserves_are_better_higher_and_spending_and_gaps_lower():
    assert all(higher_is_better(m) for m in ("funding", "precept", "general_reserve", "total_reserves"))
    assert not any(higher_is_better(m) for m in ("spend", "gap", "cumulative_gap", "uncovered_deficit"))


def test_every_flag_has_a_by_year_form_and_the_breach_is_one_of_them():
    assert FLAGS == tuple(FLAG_DECLARATIONS) + tuple(f"{name}_by_year" for name in FLAG_DECLARATIONS)
    assert BREACH in FLAGS and BREACH.endswith("_by_year")
    assert all(flag.label and flag.meaning for flag in FLAG_DECLARATIONS.values())


def test_cases_and_finance_columns_are_named_once():
    assert list(CASES) == ["force_plan", "optimistic", "median_case", "pessimistic"]
    assert list(FINANCE_COLUMNS) == ["optimistic", "median_case", "pessimistic", "force_plan"]
    # Each column of the finance officer's table is one deterministic case, so it adds up.
    assert set(FINANCE_COLUMNS) <= set(CASES)


def test_the_outputs_command_lists_every_declared_output(wide_console):
    result = CliRunner().invoke(cli_main, ["outputs"])
    assert result.exit_code == 0, result.output
    for name in (*METRICS, *FLAGS, *CASES):
        assert name in result.output, name
