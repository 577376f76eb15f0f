"""The Excel workbook: sheets, real numbers, number formats, frozen panes."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from test_report import (
    FOUR_YEARS,
    make_appendix,
    make_result,
)

from model.report.workbook import MONEY_FORMAT, PERCENT_FORMAT, POUNDS_FORMAT, sheet_name, write_workbook

FORCES = ["staffordshire", "hertfordshire"]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    write_workbook(path, make_result(FORCES, FOUR_YEARS, appendix=make_appendix(FORCES, figures_per_force=3)))
    return load_workbook(path)


def is_number(value: object) -> bool:
    """A numeric cell (openpyxl reads a whole-valued float back as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def rows_by_label(sheet) -> dict[str, tuple]:
    return {row[0].value: row for row in sheet.iter_rows(min_row=6) if row[0].value}


def test_one_sheet_per_force_then_flags_percentiles_assumptions_and_run(workbook):
    assert workbook.sheetnames == ["Staffordshire Police", "Hertfordshire Constabulary", "Flags", "Percentiles",
                                   "Assumptions", "Run"]


def test_force_sheet_has_years_across_with_four_cases_each(workbook):
    sheet = workbook["Staffordshire Police"]

    assert [sheet.cell(4, 2 + 4 * i).value for i in range(4)] == FOUR_YEARS
    assert [sheet.cell(5, column).value for column in range(2, 6)] == ["Optimistic case", "Median case",
                                                                      "Pessimistic case", "Force plan"]
    assert sheet.freeze_panes == "B6"
    assert sheet["A4"].font.bold and sheet["B5"].font.bold
    assert sheet.column_dimensions["A"].width > 20


def test_force_sheet_cells_are_numbers_with_budget_book_formats(workbook):
    rows = rows_by_label(workbook["Hertfordshire Constabulary"])

    funding = rows["Funding"]
    assert all(is_number(cell.value) for cell in funding[1:17])
    assert {cell.number_format for cell in funding[1:17]} == {MONEY_FORMAT}
    assert funding[1].value > funding[3].value  # optimistic funding (P90) above pessimistic (P10)
    savings = rows["Less savings delivered"]
    assert savings[2].value < 0 and savings[2].number_format == MONEY_FORMAT
    band_d = rows["Band D council tax (£)"]
    assert is_number(band_d[2].value) and band_d[2].number_format == POUNDS_FORMAT
    for reserve in ("Base budget support", "Specific change", "Other earmarked"):
        assert is_number(rows[reserve][2].value)
    assert rows["Spending"][1].value is None  # a section heading carries no figures


def test_flags_sheet_holds_probabilities_with_intervals(workbook):
    sheet = workbook["Flags"]

    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Force", "Flag", "When", "Year", "Probability"]
    first = sheet[2]
    assert first[0].value == "Staffordshire Police" and first[3].value == "2016/17"
    assert all(is_number(cell.value) and cell.number_format == PERCENT_FORMAT for cell in first[4:7])
    assert first[5].value <= first[4].value <= first[6].value
    assert sheet.max_row == 1 + len(FORCES) * 3 * 2 * len(FOUR_YEARS)
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
