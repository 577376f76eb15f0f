"""The Excel workbook: live formulas recomputed with pycel and held to the model; inputs, checks, formats, sheets."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SCENARIOS
from helpers import ENGINE_YEARS, FOUR_YEARS, make_appendix, make_engine_result, make_result
from openpyxl import load_workbook
from openpyxl.formula.tokenizer import Tokenizer
from openpyxl.formula.translate import Translator
from pycel import ExcelCompiler

from model import pipeline
from model.declare.outputs import FINANCE_COLUMNS, is_reserve_metric
from model.report.workbook import (
    CHECKS,
    CLOSE,
    FIRST_YEAR_COLUMN,
    GENERAL,
    INPUT_FILL,
    INPUT_FONT,
    LINE_METRICS,
    MONEY_FORMAT,
    OPENING_COLUMN,
    PERCENT_FORMAT,
    POUNDS_FORMAT,
    sheet_name,
    sheet_reference,
    write_workbook,
)

TOLERANCE = 1e-6
"""£1 in £m: the recomputed formulas against the model's numbers."""

FORCES = ["staffordshire", "hertfordshire"]


@dataclass(frozen=True)
class Written:
    """A run, its workbook, where every figure is, the model's cases by (force, case, year, metric), and one
    pycel compiler shared by the tests (it compiles each formula once; a test that changes a cell puts it back)."""

    result: object
    path: Path
    layout: object
    values: dict
    compiler: ExcelCompiler

    def __iter__(self):
        return iter((self.result, self.compiler, self.layout))

    def line(self, force, case, key, year):
        return self.compiler.evaluate(self.layout.cell(force, case, key, year))


def written(result, path, reserves=None) -> Written:
    layout = write_workbook(path, result, reserves)
    return Written(result, path, layout, result.cases.set_index(["force", "case", "year", "metric"])["value"].to_dict(),
                   ExcelCompiler(filename=str(path)))


@contextmanager
def changed(compiler, cell, value, formula=False):
    """Set one cell (an input, or a figure typed over a formula) and recompute; afterwards put it back."""
    before = compiler.evaluate(cell)
    compiler.set_value(cell, value(before) if callable(value) else value)
    try:
        yield
    finally:
        compiler.set_value(cell, None if formula else before)
        compiler.recalculate()


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """A synthetic run whose four cases the engine projected (surplus, shortfalls, exhaustion, a capital reserve)."""
    result, reserves = make_engine_result(FORCES)
    return written(result, tmp_path_factory.mktemp("engine") / "report.xlsx", reserves)


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    """The central scenario on a few paths, its reserves from the force baselines."""
    result = pipeline.run_scenario(SCENARIOS / "central.yaml", paths=64)
    return written(result, tmp_path_factory.mktemp("central") / "report.xlsx")


@pytest.fixture(params=["engine", "central"])
def run(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def workbook(engine):
    return load_workbook(engine.path)


def model_value(run, force, case, key, year):
    """The model's number behind a force-sheet line, with the sign the sheet shows it with (None: not a metric)."""
    if isinstance(key, str) and is_reserve_metric(key):
        metric, sign = key, 1
    elif isinstance(key, str) and key in LINE_METRICS:
        metric, sign = LINE_METRICS[key]
    else:
        return None
    return sign * run.values[(force, case, year, metric)]


def all_checks(compiler, layout):
    return {(force, case, check, year): compiler.evaluate(layout.check_cell(force, case, check, year))
            for (force, case, check) in layout.checks for year in layout.years}


# --------------------------------------------------------------------------------------
# The formulas, recomputed, are the model
# --------------------------------------------------------------------------------------

def test_recomputed_formulas_equal_the_model_line_by_line(run):
    result, compiler, layout = run
    compared = 0
    for (force, case, key) in layout.rows:
        for year in layout.years:
            expected = model_value(run, force, case, key, year)
            if expected is None:
                continue
            assert compiler.evaluate(layout.cell(force, case, key, year)) == pytest.approx(expected, abs=TOLERANCE), (
                force, case, key, year)
            compared += 1
    forces = result.cases["force"].nunique()
    assert compared >= forces * len(FINANCE_COLUMNS) * len(layout.years) * 30


def test_every_reserve_of_the_workings_closes_at_the_models_balance(run):
    result, compiler, layout = run
    for force in result.cases["force"].unique():
        metrics = result.cases.loc[result.cases["force"] == force, "metric"].unique()
        balances = {GENERAL: "general_reserve", **dict(enumerate(m for m in metrics if is_reserve_metric(m)))}
        for case in FINANCE_COLUMNS:
            for k, metric in balances.items():
                for year in layout.years:
                    assert compiler.evaluate(layout.cell(force, case, (k, CLOSE), year)) == pytest.approx(
                        model_value(run, force, case, metric, year), abs=TOLERANCE), (force, case, metric, year)


def test_opening_balances_come_from_the_force_baselines(central):
    """A sourced balance as its source gives it; an assumed one within its range (the cases take baseline medians).

    Hertfordshire's general reserve is an assumption and its other earmarked reserves the sourced total less the
    rest, so those two move together; the reserves check holds the total to the model's 2016/17 flows."""
    result, compiler, layout = central
    for force in result.info.force_ids:
        data = result.setup.forces[force]
        figures = [(GENERAL, data.figures["reserves.general"]),
                   *((k, data.figures[reserve.opening]) for k, reserve in enumerate(data.earmarked))]
        for case in FINANCE_COLUMNS:
            total = 0.0
            for k, figure in figures:
                opening = compiler.evaluate(layout.input_cell(force, case, ("opening", k), None))
                if figure.kind == "sourced":
                    assert opening == pytest.approx(figure.value), (force, figure.name)
                elif figure.kind == "assumption":
                    assert figure.low <= opening <= figure.high, (force, figure.name)
                else:
                    assert opening > 0, (force, figure.name)
                total += opening
            assert compiler.evaluate(layout.cell(force, case, "total_reserves", None)) == pytest.approx(total)
            assert compiler.evaluate(layout.cell(force, case, "move_open", layout.years[0])) == pytest.approx(total)


def test_every_check_is_zero_and_so_is_the_total(run):
    _, compiler, layout = run
    checks = all_checks(compiler, layout)
    assert len(checks) == len({k[:2] for k in layout.checks}) * len(CHECKS) * len(layout.years)
    assert all(value == 0 for value in checks.values()), {k: v for k, v in checks.items() if v != 0}
    assert compiler.evaluate(layout.total_check) == 0
    for sheet in layout.sheets.values():
        assert compiler.evaluate(f"{sheet_reference(sheet)}!{layout.column(layout.years[0])}3") == 0


# --------------------------------------------------------------------------------------
# A finance officer flexes an input
# --------------------------------------------------------------------------------------

def test_one_more_pound_million_of_pay_raises_spend_and_gap_and_lowers_the_reserves(central):
    _, compiler, layout = central
    force, case, year = "staffordshire", "median_case", "2017/18"
    keys = ("pay", "spend", "gap", "less_met", "total_reserves", "cumulative_gap", "general_reserve_minimum")
    was = {(key, when): central.line(force, case, key, when) for key in keys for when in layout.years}

    with changed(compiler, layout.input_cell(force, case, "pay", year), lambda pay: pay + 1.0):
        now = {(key, when): central.line(force, case, key, when) for key in keys for when in layout.years}
        checks = all_checks(compiler, layout)
        total = compiler.evaluate(layout.total_check)

    for key in ("pay", "spend", "gap"):
        assert now[(key, year)] == pytest.approx(was[(key, year)] + 1)
    assert now[("less_met", year)] == pytest.approx(was[("less_met", year)] - 1)  # met from reserves, in brackets
    assert now[("general_reserve_minimum", year)] == pytest.approx(was[("general_reserve_minimum", year)] + 0.03)
    for later in layout.years[layout.years.index(year):]:
        assert now[("total_reserves", later)] == pytest.approx(was[("total_reserves", later)] - 1)
        assert now[("cumulative_gap", later)] == pytest.approx(was[("cumulative_gap", later)] + 1)
    assert now[("total_reserves", "2016/17")] == pytest.approx(was[("total_reserves", "2016/17")])
    assert all(value == 0 for value in checks.values()) and total == 0
    assert central.line(force, case, "total_reserves", year) == pytest.approx(was[("total_reserves", year)])


def test_more_grant_in_a_surplus_goes_to_the_reserves(engine):
    _, compiler, layout = engine
    force, case, year = "hertfordshire", "optimistic", ENGINE_YEARS[-1]
    was = {key: engine.line(force, case, key, year) for key in ("funding", "surplus", "total_reserves")}
    assert was["surplus"] > 0

    with changed(compiler, layout.input_cell(force, case, "grant", year), lambda grant: grant + 2.0):
        for key in was:
            assert engine.line(force, case, key, year) == pytest.approx(was[key] + 2)
        assert compiler.evaluate(layout.total_check) == 0


def test_once_the_reserves_are_spent_more_pay_is_an_uncovered_deficit(engine):
    _, compiler, layout = engine
    force, case, year = "staffordshire", "pessimistic", ENGINE_YEARS[-1]
    was = {key: engine.line(force, case, key, year) for key in ("uncovered_deficit", "total_reserves")}
    assert was["uncovered_deficit"] > 0

    with changed(compiler, layout.input_cell(force, case, "pay", year), lambda pay: pay + 1.0):
        assert engine.line(force, case, "uncovered_deficit", year) == pytest.approx(was["uncovered_deficit"] + 1)
        assert engine.line(force, case, "total_reserves", year) == pytest.approx(was["total_reserves"])
        assert compiler.evaluate(layout.total_check) == 0


def test_a_larger_opening_reserve_meets_the_shortfall_the_model_could_not(engine):
    _, compiler, layout = engine
    force, case, year = "staffordshire", "pessimistic", ENGINE_YEARS[-1]
    was = {key: engine.line(force, case, key, year) for key in ("uncovered_deficit", "less_met")}

    with changed(compiler, layout.input_cell(force, case, ("opening", GENERAL), None), lambda opening: opening + 100):
        assert engine.line(force, case, "uncovered_deficit", year) == pytest.approx(0)
        assert engine.line(force, case, "less_met", year) == pytest.approx(was["less_met"] - was["uncovered_deficit"])
        assert compiler.evaluate(layout.total_check) == 0


# --------------------------------------------------------------------------------------
# The checks can fail
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "check"), [("spend", "gap"), ("funding", "gap"), ("unplanned_gap", "gap"),
                                            ((GENERAL, CLOSE), "reserves"), ("move_close", "movement")])
def test_a_figure_typed_over_a_formula_makes_its_check_fail(engine, key, check):
    _, compiler, layout = engine
    force, case, year = "staffordshire", "median_case", ENGINE_YEARS[1]

    with changed(compiler, layout.cell(force, case, key, year), lambda value: value + 0.5, formula=True):
        assert abs(compiler.evaluate(layout.check_cell(force, case, check, year))) == pytest.approx(0.5)
        assert compiler.evaluate(layout.total_check) >= 0.5
    assert compiler.evaluate(layout.total_check) == 0


def test_a_broken_opening_balance_breaks_the_reserves_check(engine):
    _, compiler, layout = engine
    force, case = "hertfordshire", "force_plan"

    with changed(compiler, layout.cell(force, case, "total_reserves", None), lambda value: value - 1.0, formula=True):
        assert compiler.evaluate(layout.check_cell(force, case, "reserves", ENGINE_YEARS[0])) == pytest.approx(-1.0)
        assert compiler.evaluate(layout.check_cell(force, case, "reserves", ENGINE_YEARS[1])) == 0


# --------------------------------------------------------------------------------------
# The modelling habits: inputs apart, one formula per row, no numbers in formulas
# --------------------------------------------------------------------------------------

def formula_cells(sheet):
    return [cell for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str) and cell.value.startswith("=")]


def test_force_sheets_hold_only_formulas_one_per_row_the_same_across_the_years(engine, workbook):
    layout = engine.layout
    for sheet_title, header in [*((title, 5) for title in layout.sheets.values()), ("Checks", 6)]:
        sheet = workbook[sheet_title]
        first = FIRST_YEAR_COLUMN
        assert [cell.value for cell in sheet[header]][first - 1:] == list(ENGINE_YEARS)
        for row in sheet.iter_rows(min_row=header + 1):
            values = [cell.value for cell in row[OPENING_COLUMN - 1:]]
            assert not any(isinstance(v, (int, float)) for v in values), (sheet_title, row[0].row)
            anchor = row[first - 1]
            if not (isinstance(anchor.value, str) and anchor.value.startswith("=")):
                continue
            for cell in row[first:first + len(layout.years) - 1]:
                expected = Translator(anchor.value, origin=anchor.coordinate).translate_formula(cell.coordinate)
                assert cell.value == expected, (sheet_title, cell.coordinate)


def test_no_number_is_typed_into_a_formula_but_zero(workbook):
    numbers = set()
    for sheet in workbook.worksheets:
        for cell in formula_cells(sheet):
            numbers |= {token.value for token in Tokenizer(cell.value).items
                        if token.type == "OPERAND" and token.subtype == "NUMBER"}
    assert numbers <= {"0"}


def test_inputs_are_styled_as_inputs_with_a_key(engine, workbook):
    layout = engine.layout
    sheet = workbook["Inputs"]
    inputs = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, (int, float))]
    assert len(inputs) > 2 * len(FINANCE_COLUMNS) * 20
    for cell in inputs:
        assert cell.font.color.rgb.endswith(INPUT_FONT.color.rgb[-6:]) and cell.fill.fgColor.rgb.endswith(
            INPUT_FILL.fgColor.rgb[-6:]), cell.coordinate
    assert not formula_cells(sheet)
    labels = [cell.value for cell in sheet["A"] if cell.value]
    assert {"Key to the styles", "Input", "Link", "Calculation", "Check"} <= set(labels)
    assert sheet["A5"].font.color.rgb.endswith("0000FF")
    # Every force-sheet line that is an input links to its Inputs cell, in the same column.
    force, case = FORCES[0], "median_case"
    pay = workbook[layout.sheets[force]][f"{layout.column(ENGINE_YEARS[1])}{layout.rows[(force, case, 'pay')]}"]
    assert pay.value == f"={layout.input_cell(force, case, 'pay', ENGINE_YEARS[1])}"


def test_force_sheet_layout_and_budget_book_formats(engine, workbook):
    layout = engine.layout
    sheet = workbook["Staffordshire Police"]
    assert [sheet.cell(5, column).value for column in range(1, 4 + len(ENGINE_YEARS))] == [
        "Line", "Unit", "1 April 2016", *ENGINE_YEARS]
    assert sheet.freeze_panes == "C6"
    titles = [cell.value for cell in sheet["A"] if isinstance(cell.value, str) and cell.font.size == 12]
    assert [title.split(":")[0] for title in titles] == ["Optimistic case", "Median case", "Pessimistic case",
                                                         "Force plan"]
    rows = layout.rows
    column = layout.column(ENGINE_YEARS[1])
    assert sheet[f"{column}{rows[('staffordshire', 'median_case', 'funding')]}"].number_format == MONEY_FORMAT
    assert sheet[f"{column}{rows[('staffordshire', 'median_case', 'band_d')]}"].number_format == POUNDS_FORMAT
    assert sheet[f"A{rows[('staffordshire', 'median_case', 'savings_delivered')]}"].value == "Less savings delivered"
    assert sheet[f"A{rows[('staffordshire', 'median_case', 'funding')]}"].font.bold
    assert sheet.column_dimensions["A"].width > 30


def test_sheets_in_order(workbook):
    assert workbook.sheetnames == ["Staffordshire Police", "Hertfordshire Constabulary", "Inputs", "Checks", "Flags",
                                   "Percentiles", "Assumptions", "Run"]


# --------------------------------------------------------------------------------------
# A run built from tables alone, and the value sheets
# --------------------------------------------------------------------------------------

def test_a_run_without_its_reserves_still_writes_and_says_so(tmp_path):
    path = tmp_path / "report.xlsx"
    layout = write_workbook(path, make_result(["staffordshire"], FOUR_YEARS, appendix=make_appendix(["staffordshire"])))
    notes = [cell.value for cell in load_workbook(path)["Inputs"]["A"] if isinstance(cell.value, str)]
    assert any("does not carry its reserves" in note for note in notes)
    compiler = ExcelCompiler(filename=str(path))
    assert compiler.evaluate(layout.cell("staffordshire", "median_case", "funding", "2017/18")) == pytest.approx(
        compiler.evaluate(layout.cell("staffordshire", "median_case", "grant", "2017/18"))
        + compiler.evaluate(layout.cell("staffordshire", "median_case", "precept", "2017/18")))
    assert compiler.evaluate(layout.total_check) == 0


def is_number(value: object) -> bool:
    """A numeric cell (openpyxl reads a whole-valued float back as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_flags_sheet_holds_probabilities_with_intervals(workbook):
    sheet = workbook["Flags"]

    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Force", "Flag", "When", "Year", "Probability"]
    first = sheet[2]
    assert first[0].value == "Staffordshire Police" and first[3].value == "2016/17"
    assert all(is_number(cell.value) and cell.number_format == PERCENT_FORMAT for cell in first[4:7])
    assert first[5].value <= first[4].value <= first[6].value
    assert sheet.max_row == 1 + len(FORCES) * 3 * 2 * len(ENGINE_YEARS)
    assert sheet.freeze_panes == "A2"


def test_percentiles_assumptions_and_run_sheets(workbook):
    percentiles = workbook["Percentiles"]
    assert [cell.value for cell in percentiles[1]][:6] == ["Force", "Year", "Line", "Metric", "Unit", "Mean"]
    assert is_number(percentiles["J2"].value) and percentiles["J2"].number_format == MONEY_FORMAT

    assumptions = [cell.value for column in workbook["Assumptions"].iter_cols(max_col=1) for cell in column]
    assert "The scenario's uncertain inputs" in assumptions
    assert "Every baseline figure and where it comes from" in assumptions
    assert "Where the sources disagree, and the figure the model uses" in assumptions

    run = {row[0].value: row[1] for row in workbook["Run"].iter_rows(min_row=3) if row[0].value}
    assert run["Scenario SHA-256"].value == "0123456789abcdef" * 4
    assert run["Random seed"].value == 20160401 and run["Simulated paths"].value == 2_000
    assert run["Minimum general reserve: Hertfordshire Constabulary (share of NRE)"].value == 0.025


def test_sheet_names_are_valid_and_unique():
    used: set[str] = set()
    assert sheet_name("Avon & Somerset: a/b [test]", used) == "Avon & Somerset  a b  test"
    assert sheet_name("x" * 40, used) == "x" * 31
    assert sheet_name("x" * 40, used) == "x" * 27 + " (2)"
    assert sheet_name("Flags", {"flags"}) == "Flags (2)"


def test_sheet_references_are_quoted_when_they_need_to_be():
    assert sheet_reference("Inputs") == "Inputs"
    assert sheet_reference("Staffordshire Police") == "'Staffordshire Police'"
    assert sheet_reference("King's Lynn") == "'King''s Lynn'"
    assert sheet_reference("AB12") == "'AB12'"
