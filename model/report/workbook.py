"""The Excel workbook of a run: the finance tables as real numbers a finance officer can reuse.

Sheets, in order:

* one per force: the finance officer's table (lines down; for each fiscal year the
  optimistic, median and pessimistic cases and the force plan, columns that add up), £m as ``#,##0.0;(#,##0.0)``
  and band D as ``£#,##0.00``;
* ``Flags``: every flag per force and year, in that year and by its end, with 95% intervals;
* ``Percentiles``: the whole summary table, for analysts;
* ``Assumptions``: the scenario's inputs, every baseline figure with its source, and the
  contradictions between sources;
* ``Run``: the run metadata.

The tables come from :mod:`model.report.tables`, so the workbook and the PDF agree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from model.declare.outputs import FINANCE_COLUMNS, metric_unit
from model.report.tables import (
    finance_table,
    finance_table_wide,
    flag_probability_table,
    metric_label,
)
from model.run.results import Appendix, RunInfo, RunResult

MONEY_FORMAT = "#,##0.0;(#,##0.0)"
"""£m to one decimal, negatives in brackets, as budget books print them."""

POUNDS_FORMAT = "£#,##0.00"
"""Band D council tax to the penny."""

COUNT_FORMAT = "#,##0"
YEARS_FORMAT = "0.0"
PERCENT_FORMAT = "0.00%"

NUMBER_FORMATS: dict[str, str] = {
    "money": MONEY_FORMAT,
    "pounds": POUNDS_FORMAT,
    "count": COUNT_FORMAT,
    "years": YEARS_FORMAT,
}
"""Number format of each unit kind of :mod:`model.declare.outputs`."""


BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="E4E9F0")
SECTION_FILL = PatternFill("solid", fgColor="F3F4F6")
WRAP = Alignment(wrap_text=True, vertical="top")

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_LIMIT = 31


def write_workbook(path: Path, result: RunResult) -> None:
    """Write ``report.xlsx`` for one scenario run.

    Parameters
    ----------
    path : pathlib.Path
        File to write; the caller takes care of any atomic rename.
    result : RunResult
        The run: its summary, flag and plan tables (contracts in :mod:`model.run.summaries`),
        its metadata and its appendix.
    """
    info, summary, flags, cases = result.info, result.summary, result.flags, result.cases
    workbook = Workbook()
    workbook.remove(workbook.active)
    forces = [str(force) for force in pd.unique(summary["force"])]
    names = {force: info.force_name(force) for force in forces}
    used: set[str] = set()
    for force in forces:
        sheet = workbook.create_sheet(sheet_name(names[force], used))
        write_force_sheet(sheet, finance_table_wide(finance_table(cases, force)), names[force])
    write_flags_sheet(workbook.create_sheet(sheet_name("Flags", used)), flags, forces, names, info.paths)
    write_percentiles_sheet(workbook.create_sheet(sheet_name("Percentiles", used)), summary, names)
    write_assumptions_sheet(workbook.create_sheet(sheet_name("Assumptions", used)), result.appendix, names)
    write_run_sheet(workbook.create_sheet(sheet_name("Run", used)), info, names)
    workbook.properties.title = f"{info.title} ({info.scenario_name})"
    workbook.properties.creator = f"police-mtfs {info.version}"
    workbook.save(path)


def sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name: no ``[]:*?/\\``, at most 31 characters.

    Parameters
    ----------
    wanted : str
        The name to use if it is valid and free.
    used : set of str
        Names already taken (lower case); the chosen name is added.

    Returns
    -------
    str
    """
    base = _SHEET_NAME_FORBIDDEN.sub(" ", wanted).strip()[:_SHEET_NAME_LIMIT] or "Sheet"
    name, number = base, 2
    while name.lower() in used:
        suffix = f" ({number})"
        name = base[: _SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    used.add(name.lower())
    return name


def write_force_sheet(sheet: Worksheet, wide: pd.DataFrame, force_name: str) -> None:
    """One force's finance table: years across (four cases each), lines down, as numbers.

    Parameters
    ----------
    sheet : openpyxl.worksheet.worksheet.Worksheet
    wide : pandas.DataFrame
        Output of :func:`model.report.tables.finance_table_wide`.
    force_name : str
        Display name for the title.
    """
    figure_columns = [column for column in wide.columns if isinstance(column, tuple)]
    years = list(dict.fromkeys(year for year, _ in figure_columns))
    sheet["A1"] = f"{force_name}: medium-term financial plan (£m cash; band D in £)"
    sheet["A1"].font = TITLE
    sheet["A2"] = ("Each column is one projection, so it adds up down the table. Optimistic / pessimistic case: every "
                   "input at its favourable / unfavourable 1-in-10 value; median case: every input at its median; "
                   "force plan: the force's own planning assumptions. The spread of each line across the simulated "
                   "paths is in the Percentiles sheet. Deductions and surpluses are negative (in brackets).")
    last_column = 1 + len(years) * len(FINANCE_COLUMNS)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(last_column, 2))
    sheet["A2"].alignment = WRAP
    sheet.row_dimensions[2].height = 42
    header_row, case_row = 4, 5
    sheet.cell(header_row, 1, "Line").font = BOLD
    sheet.cell(case_row, 1, "£m unless stated").font = Font(italic=True)
    for year_index, year in enumerate(years):
        first = 2 + year_index * len(FINANCE_COLUMNS)
        sheet.cell(header_row, first, year)
        sheet.merge_cells(start_row=header_row, start_column=first, end_row=header_row,
                          end_column=first + len(FINANCE_COLUMNS) - 1)
        sheet.cell(header_row, first).alignment = Alignment(horizontal="center")
        for case_index, case in enumerate(FINANCE_COLUMNS.values()):
            sheet.cell(case_row, first + case_index, case.long_label).alignment = Alignment(horizontal="right")
    _style_header_rows(sheet, (header_row, case_row), last_column)

    row = case_row + 1
    section = None
    for record in wide.to_dict("records"):
        if record["section"] != section:
            section = record["section"]
            cell = sheet.cell(row, 1, section)
            cell.font = BOLD
            for column in range(1, 2 + len(years) * len(FINANCE_COLUMNS)):
                sheet.cell(row, column).fill = SECTION_FILL
            row += 1
        sheet.cell(row, 1, record["label"])
        number_format = NUMBER_FORMATS.get(record["unit"], MONEY_FORMAT)
        for year_index, year in enumerate(years):
            for case_index, case in enumerate(FINANCE_COLUMNS):
                _number_cell(sheet, row, 2 + year_index * len(FINANCE_COLUMNS) + case_index, record.get((year, case)),
                             number_format)
        row += 1
    sheet.freeze_panes = sheet.cell(case_row + 1, 2)
    sheet.column_dimensions["A"].width = 34
    for column in range(2, 2 + len(years) * len(FINANCE_COLUMNS)):
        sheet.column_dimensions[get_column_letter(column)].width = 11.5


def write_flags_sheet(
    sheet: Worksheet, flags: pd.DataFrame, forces: Sequence[str], names: Mapping[str, str], paths: int
) -> None:
    """Every flag per force and year, in that year and by its end, with 95% Wilson intervals.

    Parameters
    ----------
    sheet : openpyxl.worksheet.worksheet.Worksheet
    flags : pandas.DataFrame
        The flag table.
    forces : sequence of str
        Force ids in order.
    names : mapping of str to str
        Display name per force.
    paths : int
        Number of Monte Carlo paths.
    """
    headers = ["Force", "Flag", "When", "Year", "Probability", "95% interval low", "95% interval high"]
    _write_header(sheet, 1, headers)
    row = 2
    for force in forces:
        for record in flag_probability_table(flags, force, paths).to_dict("records"):
            for column, value in enumerate((names[force], record["label"], record["when"], record["year"]), start=1):
                sheet.cell(row, column, value)
            for column, key in enumerate(("probability", "low", "high"), start=5):
                _number_cell(sheet, row, column, record[key], PERCENT_FORMAT)
            row += 1
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(row - 1, 1)}"
    _set_widths(sheet, (26, 30, 15, 10, 12, 16, 16))


def write_percentiles_sheet(sheet: Worksheet, summary: pd.DataFrame, names: Mapping[str, str]) -> None:
    """The whole summary table as numbers: force, year, line, unit, mean and percentiles.

    Parameters
    ----------
    sheet : openpyxl.worksheet.worksheet.Worksheet
    summary : pandas.DataFrame
        The summary table.
    names : mapping of str to str
        Display name per force.
    """
    statistics = ["mean", "p5", "p10", "p25", "p50", "p75", "p90", "p95"]
    headers = ["Force", "Year", "Line", "Metric", "Unit", "Mean", "P5", "P10", "P25", "P50", "P75", "P90", "P95"]
    _write_header(sheet, 1, headers)
    for row, record in enumerate(summary.to_dict("records"), start=2):
        metric = str(record["metric"])
        unit = metric_unit(metric)
        for column, value in enumerate((names.get(str(record["force"]), str(record["force"])), str(record["year"]),
                                        metric_label(metric), metric, unit), start=1):
            sheet.cell(row, column, value)
        for column, key in enumerate(statistics, start=6):
            _number_cell(sheet, row, column, record[key], NUMBER_FORMATS.get(unit, MONEY_FORMAT))
    sheet.freeze_panes = "F2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(summary) + 1}"
    _set_widths(sheet, (26, 10, 30, 28, 8, *[11] * len(statistics)))


def write_assumptions_sheet(sheet: Worksheet, appendix: Appendix, names: Mapping[str, str]) -> None:
    """The scenario's inputs, every baseline figure with its source, and the contradictions.

    Parameters
    ----------
    sheet : openpyxl.worksheet.worksheet.Worksheet
    appendix : Appendix
        ``inputs``, ``provenance`` and ``contradictions``; empty ones are noted.
    names : mapping of str to str
        Display name per force.
    """
    blocks = (
        ("The scenario's uncertain inputs", "inputs",
         (("Input", "input"), ("Applies to", "force"), ("Years", "year"), ("Distribution", "distribution"),
          ("Parameters", "parameters"))),
        ("Every baseline figure and where it comes from", "provenance",
         (("Force", "force"), ("Figure", "figure"), ("Kind", "kind"), ("Value", "value"), ("Low", "low"),
          ("High", "high"), ("Source", "source"), ("Quote, derivation or reason", "detail"))),
        ("Where the sources disagree, and the figure the model uses", "contradictions",
         (("Force", "force"), ("Topic", "topic"), ("Figures in the sources", "figures"),
          ("Figure the model uses", "used"), ("Why", "reason"))),
    )
    row = 1
    for title, key, columns in blocks:
        sheet.cell(row, 1, title).font = TITLE
        row += 1
        table = getattr(appendix, key)
        if table is None or len(table) == 0:
            sheet.cell(row, 1, "Not supplied with this run.")
            row += 2
            continue
        _write_header(sheet, row, [heading for heading, _ in columns])
        row += 1
        for record in table.to_dict("records"):
            for column, (_, field) in enumerate(columns, start=1):
                value = record.get(field, "")
                if field == "force":
                    value = ", ".join(names.get(f.strip(), f.strip()) for f in str(value).split(","))
                cell = sheet.cell(row, column, "" if _is_missing(value) else str(value))
                cell.alignment = WRAP
            row += 1
        row += 1
    _set_widths(sheet, (24, 34, 14, 16, 30, 14, 40, 70))


def write_run_sheet(sheet: Worksheet, info: RunInfo, names: Mapping[str, str]) -> None:
    """The run metadata: scenario, its file and SHA-256, seed, paths, version, time, policy, sources.

    Parameters
    ----------
    sheet : openpyxl.worksheet.worksheet.Worksheet
    info : RunInfo
        The run's metadata.
    names : mapping of str to str
        Display name per force.
    """
    sheet.cell(1, 1, "Run").font = TITLE
    rows: list[tuple[str, object, str | None]] = [
        ("Scenario", str(info.scenario_name), None),
        ("Title", str(info.title), None),
        ("Description", " ".join(info.description.split()), None),
        ("Scenario file", str(info.scenario_file), None),
        ("Scenario SHA-256", str(info.scenario_sha256), None),
        ("Random seed", int(info.seed), "0"),
        ("Simulated paths", info.paths, COUNT_FORMAT),
        ("Package version", f"police-mtfs {info.version}", None),
        ("Created", str(info.created), None),
    ]
    minimums = {f.id: f.minimum_general_rate for f in info.forces if f.minimum_general_rate is not None}
    rows += [(f"Minimum general reserve: {names.get(f, f)} (share of NRE)", float(v), "0.0%")
             for f, v in minimums.items()]
    rows += [("Source of ranges", str(source), None) for source in info.sources]
    rows += [("Note", str(note), None) for note in info.notes]
    for row, (key, value, number_format) in enumerate(rows, start=3):
        sheet.cell(row, 1, key).font = BOLD
        cell = sheet.cell(row, 2, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        if number_format:
            cell.number_format = number_format
        sheet.cell(row, 1).alignment = Alignment(vertical="top")
    _set_widths(sheet, (48, 110))


def _number_cell(sheet: Worksheet, row: int, column: int, value: object, number_format: str) -> None:
    """A numeric cell with its format; a missing value leaves the cell empty, never a string."""
    if _is_missing(value):
        return
    cell = sheet.cell(row, column, float(value))
    cell.number_format = number_format


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _write_header(sheet: Worksheet, row: int, headings: Sequence[str]) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row, column, heading)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _style_header_rows(sheet: Worksheet, rows: Sequence[int], last_column: int) -> None:
    for row in rows:
        for column in range(1, last_column + 1):
            cell = sheet.cell(row, column)
            cell.font = BOLD
            cell.fill = HEADER_FILL


def _set_widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
