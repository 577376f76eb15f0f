"""The Excel workbook of a run: the finance tables as live formulas a finance officer can flex.

Sheets, in order:

* one per force: for each deterministic case (optimistic, median, pessimistic, force plan) a
  block with the fiscal years across: funding, spending, the gap and its use of reserves,
  capital, reserves at 31 March, the movement in usable reserves, band D, and below them the
  workings of the reserves waterfall, reserve by reserve. Every figure is an Excel formula:
  a link to the ``Inputs`` sheet, a subtotal, or a step of the waterfall, so changing an input
  moves the totals and the reserves. £m as ``#,##0.0;(#,##0.0)``, band D as ``£#,##0.00``;
* ``Inputs``: the figures the force sheets are built from, per force, case and fiscal year
  (the model's lines, the reserves' balances at 1 April 2016 from the force baselines, their
  planned drawdowns, the reserve policy), styled as inputs, with a key to the styles;
* ``Checks``: the reconciliations that must be zero, per force, case and year, each a
  formula, and one total check cell;
* ``Flags``: every flag per force and year, in that year and by its end, with 95% intervals;
* ``Percentiles``: the Monte Carlo percentiles of every line, for analysts;
* ``Assumptions``: the scenario's inputs, every baseline figure with its source, and the
  contradictions between sources;
* ``Run``: the run metadata.

The layout follows the FAST Standard and the ICAEW Financial Modelling Code: inputs on their own
sheet, one formula per row the same across the year columns, no number typed into a formula
(zero aside), the same column for the same year on every sheet (A line, B unit, C the opening
balances at 1 April of the first year, then one column per fiscal year).

What the formulas rebuild, from :mod:`model.engine.waterfall` and :mod:`model.engine.projection`:

* funding = grant + precept; spend = the spending lines − savings delivered; gap = spend − funding;
* each earmarked reserve pays its contributions to capital, then its planned drawdowns, each as
  far as it can; the unplanned gap (gap − planned drawdowns taken) is met from the reserves in
  the scenario's shortfall order, each down to zero; what none can meet is the uncovered deficit;
  a surplus tops the general reserve up to its target share of NRE, then goes to the first
  earmarked reserve in the order (or to the general reserve when the order names none);
* usable reserves at 31 March = at 1 April − planned drawdowns − shortfall met + surplus −
  contributions to capital.

The model's lines that do not depend on the reserves (grant and precept, spending, savings, capital
programme and borrowing, band D) are inputs: a change to one does not re-run the model's other
rules (a precept set "to balance", management action after a shortfall, borrowing for capital a
reserve can no longer fund).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from model.declare.fiscal import parse_fiscal_year
from model.declare.outputs import (
    CASES,
    FINANCE_COLUMNS,
    RESERVE_PREFIX,
    is_reserve_metric,
    metric_unit,
    reserve_metric,
)
from model.report.tables import (
    SECTION_CAPITAL,
    SECTION_COUNCIL_TAX,
    SECTION_FUNDING,
    SECTION_GAP,
    SECTION_RESERVES,
    SECTION_SPENDING,
    flag_probability_table,
    metric_label,
    reserve_label,
)
from model.run.results import Appendix, RunInfo, RunResult

MONEY_FORMAT = "#,##0.0;(#,##0.0)"
"""£m to one decimal, negatives in brackets, as budget books print them."""

POUNDS_FORMAT = "£#,##0.00"
"""Band D council tax to the penny."""

COUNT_FORMAT = "#,##0"
YEARS_FORMAT = "0.0"
PERCENT_FORMAT = "0.00%"
RATE_FORMAT = "0.0%"
CHECK_FORMAT = '#,##0.000000;(#,##0.000000);"–"'
"""A check to £1 (six decimals of £m), a dash when it is zero."""

NUMBER_FORMATS: dict[str, str] = {
    "money": MONEY_FORMAT,
    "pounds": POUNDS_FORMAT,
    "count": COUNT_FORMAT,
    "years": YEARS_FORMAT,
    "rate": RATE_FORMAT,
}
"""Number format of each unit kind of :mod:`model.declare.outputs` (and ``rate``, a share of NRE)."""

UNIT_TEXT = {"money": "£m", "pounds": "£", "rate": "% of NRE", "count": "", "years": "years"}

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="E4E9F0")
SECTION_FILL = PatternFill("solid", fgColor="F3F4F6")
CASE_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP = Alignment(wrap_text=True, vertical="top")

INPUT_FONT = Font(color="0000FF")
"""An input: blue on pale yellow (FAST Standard, ICAEW Financial Modelling Code)."""
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
LINK_FONT = Font(color="008000")
"""A figure brought from another sheet: green."""
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin"))
CHECK_FILL = PatternFill("solid", fgColor="E2EFDA")
"""A check cell: pale green, red when it is not zero (conditional format)."""
CHECK_FAILED_FILL = PatternFill("solid", fgColor="FFC7CE")
CHECK_FAILED_FONT = Font(color="9C0006", bold=True)

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_LIMIT = 31
_PLAIN_SHEET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LINK = re.compile(r"=-?('[^']*(''[^']*)*'|[A-Za-z_][A-Za-z0-9_]*)![A-Z]+[0-9]+")
"""A formula that only brings one cell from another sheet (negated or not)."""

LABEL_COLUMN, UNIT_COLUMN, OPENING_COLUMN, FIRST_YEAR_COLUMN = 1, 2, 3, 4
"""Every sheet built from formulas uses the same columns: the line, its unit, the balances at
1 April of the first year, then one column per fiscal year."""

INPUTS_SHEET = "Inputs"
CHECKS_SHEET = "Checks"
CHECKS_TOTAL_ROW = 4
"""The row of the Checks sheet's total check, in the first year's column."""

GENERAL = -1
"""Index of the general reserve among a force's reserves (earmarked reserves count from 0)."""

CHECK_DECIMALS = 6
"""The checks are rounded to this many decimals of £m (£1): an input on the Inputs sheet."""

INPUT_LINES: tuple[str, ...] = (
    "grant", "precept", "pay", "non_pay", "collaboration", "pension_costs", "apprenticeship_levy", "pressures",
    "capital_financing", "revenue_contribution_to_capital", "one_off_spend", "savings_delivered",
    "capital_programme", "borrowing", "band_d",
)
"""The model's lines that are inputs to the finance table: every line that does not depend on the reserves."""

SPENDING_LINES: tuple[str, ...] = (
    "pay", "non_pay", "collaboration", "pension_costs", "apprenticeship_levy", "pressures", "capital_financing",
    "revenue_contribution_to_capital", "one_off_spend",
)

SECTION_MOVEMENT = "Movement in usable reserves"
SECTION_WORKINGS = "Workings: the reserves waterfall, reserve by reserve"

OPEN, CAPITAL_DRAW, PLANNED, TAKE, SURPLUS, CLOSE = "open", "capital", "planned", "take", "surplus", "close"
"""Steps of one reserve in the workings, in the engine's order within a year."""

LINE_METRICS: dict[str, tuple[str, int]] = {
    **{metric: (metric, 1) for metric in (*INPUT_LINES, "funding", "spend", "gap", "unplanned_gap",
                                          "uncovered_deficit", "cumulative_gap", "reserves_to_capital",
                                          "general_reserve", "total_reserves", "general_reserve_minimum")},
    "savings_delivered": ("savings_delivered", -1),
    "less_planned": ("planned_reserve_use", -1),
    "less_met": ("shortfall_met_from_reserves", -1),
    "surplus": ("surplus_to_reserves", 1),
    "move_close": ("total_reserves", 1),
    "unfunded": ("unfunded_planned_use", 1),
}
"""Force-sheet lines that are one of the model's metrics, with the sign the sheet shows them with."""

CHECKS: dict[str, str] = {
    "gap": "funding − spend + reserves used − surplus taken + uncovered deficit",
    "reserves": "usable reserves at 1 April + movements − usable reserves at 31 March",
    "movement": "movement in usable reserves − the reserves' balances at 31 March",
}
"""The checks per force, case and year; each must be zero."""


# --------------------------------------------------------------------------------------
# The reserves each case starts from
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseReserves:
    """One force's reserves in one deterministic case, as the engine starts and draws them.

    Attributes
    ----------
    names : tuple of str
        Earmarked reserves, in the force file's order (``reserve_<name>`` metrics).
    general_opening : float
        General reserve at 1 April of the first year, £m.
    opening : tuple of float
        Each earmarked reserve at 1 April of the first year, £m.
    capital : tuple of bool
        Whether each reserve's planned draws are contributions to the capital programme
        (purpose ``capital``) rather than revenue drawdowns.
    planned : ndarray, shape (years, reserves)
        Planned draws asked of each reserve per year, £m.
    shortfall_order : tuple of int
        The reserves that meet an unplanned shortfall, in order (:data:`GENERAL` for the
        general reserve).
    surplus_reserve : int
        Where a surplus goes once the general reserve is at its target.
    minimum_general_rate, target_general_rate : float
        Minimum and target general reserve, shares of NRE.
    known : bool
        False for a run built from tables alone, whose reserves are not known.
    """

    names: tuple[str, ...]
    general_opening: float
    opening: tuple[float, ...]
    capital: tuple[bool, ...]
    planned: np.ndarray
    shortfall_order: tuple[int, ...]
    surplus_reserve: int
    minimum_general_rate: float
    target_general_rate: float
    known: bool = True

    def label(self, index: int) -> str:
        """A reserve's label, as the finance table words it."""
        return metric_label("general_reserve") if index == GENERAL else reserve_label(reserve_metric(self.names[index]))


def case_reserves(inputs: object, names: Sequence[str]) -> CaseReserves:
    """The :class:`CaseReserves` of the engine's inputs for one force and case (their first path).

    Parameters
    ----------
    inputs : model.engine.projection.ForceInputs
        The inputs :func:`model.sampling.draws.force_inputs` gives for the case.
    names : sequence of str
        The earmarked reserves' names, in the order of ``inputs.earmarked_reserves``.

    Returns
    -------
    CaseReserves
    """
    from model.sampling.draws import RESERVE_KINDS

    names = tuple(names)
    policy = inputs.policy

    def index(i: int) -> int:
        return int(i) if 0 <= int(i) < len(names) else GENERAL

    return CaseReserves(
        names=names,
        general_opening=float(np.asarray(inputs.general_reserve, dtype=float).reshape(-1)[0]),
        opening=tuple(float(v) for v in np.asarray(inputs.earmarked_reserves, dtype=float)[0]),
        capital=tuple(int(kind) == RESERVE_KINDS["capital"] for kind in inputs.reserve_kinds),
        planned=np.asarray(inputs.planned_use, dtype=float)[0].reshape(-1, len(names)),
        shortfall_order=tuple(index(i) for i in policy.shortfall_order),
        surplus_reserve=index(policy.surplus_reserve),
        minimum_general_rate=_first(policy.minimum_general_rate),
        target_general_rate=_first(policy.target_general_rate),
    )


def run_reserves(result: RunResult) -> dict[tuple[str, str], CaseReserves]:
    """The :class:`CaseReserves` of every force and case of a run, from its setup (none without one).

    Parameters
    ----------
    result : RunResult

    Returns
    -------
    dict of (force, case) to CaseReserves
    """
    setup = result.setup
    if setup is None:
        return {}
    from model.sampling.draws import force_inputs

    reserves = {}
    for force in setup.scenario.forces:
        names = [reserve.name for reserve in setup.forces[force].earmarked]
        for case in FINANCE_COLUMNS:
            reserves[(force, case)] = case_reserves(force_inputs(setup, force, 0, 1, case=case), names)
    return reserves


def unknown_reserves(names: Sequence[str], years: int, minimum_rate: float | None) -> CaseReserves:
    """Reserves for a run built from tables alone: balances and draws unknown, a shortfall met by the general reserve.

    Parameters
    ----------
    names : sequence of str
        The earmarked reserves' names.
    years : int
        Number of fiscal years.
    minimum_rate : float or None
        The minimum general reserve, a share of NRE, if the run's metadata has it.

    Returns
    -------
    CaseReserves
        With ``known`` False and NaN balances and draws (empty cells on the Inputs sheet).
    """
    rate = math.nan if minimum_rate is None else float(minimum_rate)
    return CaseReserves(names=tuple(names), general_opening=math.nan, opening=tuple(math.nan for _ in names),
                        capital=tuple(False for _ in names), planned=np.full((years, len(names)), math.nan),
                        shortfall_order=(GENERAL,), surplus_reserve=GENERAL, minimum_general_rate=rate,
                        target_general_rate=rate, known=False)


def capital_draws(reserves: CaseReserves, values: Mapping[tuple[str, str], float], years: Sequence[str]) -> np.ndarray:
    """Each capital reserve's contribution to the capital programme per year, as the model's capital account took it.

    The capital account takes each capital reserve's planned contribution in turn, as far as
    the reserve holds it and the programme still needs it; so, given the year's total
    (``reserves_to_capital``), reserve ``k`` gave ``min(planned, balance at 1 April, what the
    total leaves after the reserves before it)``.

    Parameters
    ----------
    reserves : CaseReserves
    values : mapping of (year, metric) to float
        The case's lines (``reserves_to_capital`` and the ``reserve_<name>`` balances).
    years : sequence of str

    Returns
    -------
    ndarray, shape (years, reserves)
    """
    draws = np.zeros((len(years), len(reserves.names)))
    balance = list(reserves.opening)
    for t, year in enumerate(years):
        left = values.get((year, "reserves_to_capital"), 0.0)
        for k, name in enumerate(reserves.names):
            if reserves.capital[k]:
                draws[t, k] = min(reserves.planned[t, k], balance[k], left)
                left -= draws[t, k]
            balance[k] = values.get((year, reserve_metric(name)), balance[k])
    return draws


# --------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------

@dataclass
class WorkbookLayout:
    """Where each figure of the formula sheets is, for tests and for anyone reading the workbook with a program.

    Attributes
    ----------
    years : tuple of str
        Fiscal years, one column each from :data:`FIRST_YEAR_COLUMN`, on every formula sheet.
    sheets : dict of str to str
        Force id to its sheet name.
    rows : dict of (force, case, key) to int
        Row of each line on the force's sheet: the keys of :data:`LINE_METRICS`,
        ``reserve_<name>``, ``move_open`` … ``move_capital``, ``shortfall``, and
        ``(reserve index, step)`` for the workings (steps :data:`OPEN` … :data:`CLOSE`).
    inputs : dict of (force, case, key) to int
        Row of each input on the Inputs sheet: the metrics of :data:`INPUT_LINES`,
        ``minimum_general_rate``, ``target_general_rate``, ``("draw", index)`` and
        ``("opening", index)`` (opening balances, in the opening column).
    checks : dict of (force, case, check) to int
        Row of each check on the Checks sheet (checks of :data:`CHECKS`).
    total_check : str
        The cell of the total check, e.g. ``Checks!$D$4``.
    check_decimals : str
        The Inputs cell of the decimals of £m the checks are rounded to.
    """

    years: tuple[str, ...] = ()
    sheets: dict[str, str] = field(default_factory=dict)
    rows: dict[tuple, int] = field(default_factory=dict)
    inputs: dict[tuple, int] = field(default_factory=dict)
    checks: dict[tuple, int] = field(default_factory=dict)
    total_check: str = ""
    check_decimals: str = ""

    def column(self, year: str | None) -> str:
        """The column letter of a fiscal year (``None``: the opening balances)."""
        return get_column_letter(OPENING_COLUMN if year is None else FIRST_YEAR_COLUMN + self.years.index(year))

    def cell(self, force: str, case: str, key: object, year: str | None) -> str:
        """A force-sheet cell, as a reference another sheet can use: ``'Staffordshire Police'!E12``."""
        return f"{sheet_reference(self.sheets[force])}!{self.column(year)}{self.rows[(force, case, key)]}"

    def input_cell(self, force: str, case: str, key: object, year: str | None) -> str:
        """An Inputs cell: ``Inputs!E40``."""
        return f"{INPUTS_SHEET}!{self.column(year)}{self.inputs[(force, case, key)]}"

    def check_cell(self, force: str, case: str, check: str, year: str) -> str:
        """A Checks cell: ``Checks!E9``."""
        return f"{CHECKS_SHEET}!{self.column(year)}{self.checks[(force, case, check)]}"


def write_workbook(path: Path, result: RunResult,
                   reserves: Mapping[tuple[str, str], CaseReserves] | None = None) -> WorkbookLayout:
    """Write ``report.xlsx`` for one scenario run.

    Parameters
    ----------
    path : pathlib.Path
        File to write; the caller takes care of any atomic rename.
    result : RunResult
        The run: its summary, flag and case tables (contracts in :mod:`model.run.summaries`),
        its metadata, its appendix and its setup.
    reserves : mapping of (force, case) to CaseReserves, optional
        The reserves each case starts from; default :func:`run_reserves` of the result.

    Returns
    -------
    WorkbookLayout
        Where every formula-sheet figure is.
    """
    info, summary, flags, cases = result.info, result.summary, result.flags, result.cases
    reserves = dict(run_reserves(result) if reserves is None else reserves)
    workbook = Workbook()
    workbook.remove(workbook.active)
    forces = [str(force) for force in pd.unique(summary["force"])]
    names = {force: info.force_name(force) for force in forces}
    years = tuple(sorted(str(y) for y in pd.unique(cases["year"]))) if len(cases) else tuple(info.years)
    layout = WorkbookLayout(years=years, total_check=(
        f"{CHECKS_SHEET}!${get_column_letter(FIRST_YEAR_COLUMN)}${CHECKS_TOTAL_ROW}"))
    used: set[str] = {INPUTS_SHEET.lower(), CHECKS_SHEET.lower()}
    for force in forces:
        layout.sheets[force] = sheet_name(names[force], used)
    blocks = _case_blocks(cases, forces, years, reserves, info)
    force_sheets = {force: workbook.create_sheet(layout.sheets[force]) for force in forces}
    inputs_sheet = workbook.create_sheet(INPUTS_SHEET)
    checks_sheet = workbook.create_sheet(CHECKS_SHEET)
    _write_inputs_sheet(inputs_sheet, blocks, layout, names)
    for force in forces:
        _write_force_sheet(force_sheets[force], [b for b in blocks if b.force == force], layout, names[force])
    _write_checks_sheet(checks_sheet, blocks, layout, names)
    write_flags_sheet(workbook.create_sheet(sheet_name("Flags", used)), flags, forces, names, info.paths)
    write_percentiles_sheet(workbook.create_sheet(sheet_name("Percentiles", used)), summary, names)
    write_assumptions_sheet(workbook.create_sheet(sheet_name("Assumptions", used)), result.appendix, names)
    write_run_sheet(workbook.create_sheet(sheet_name("Run", used)), info, names)
    workbook.calculation.fullCalcOnLoad = True  # the formulas carry no cached values: compute them on opening
    workbook.properties.title = f"{info.title} ({info.scenario_name})"
    workbook.properties.creator = f"police-mtfs {info.version}"
    workbook.save(path)
    return layout


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


def sheet_reference(name: str) -> str:
    """A sheet name as a formula refers to it: bare when it can be, else quoted (``'Kent Police'``).

    Parameters
    ----------
    name : str

    Returns
    -------
    str
    """
    if _PLAIN_SHEET_NAME.fullmatch(name) and not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", name):
        return name
    return "'" + name.replace("'", "''") + "'"


@dataclass
class _Block:
    """One force and case: its lines by (year, metric), its reserves and each reserve's draws by year."""

    force: str
    case: str
    years: tuple[str, ...]
    values: dict[tuple[str, str], float]
    reserves: CaseReserves
    draws: np.ndarray
    cumulative: bool


def _case_blocks(cases: pd.DataFrame, forces: Sequence[str], years: tuple[str, ...],
                 reserves: Mapping[tuple[str, str], CaseReserves], info: RunInfo) -> list[_Block]:
    blocks = []
    for force in forces:
        rows = cases[cases["force"] == force] if len(cases) else cases
        metrics = [str(m) for m in pd.unique(rows["metric"])] if len(rows) else []
        names = [m[len(RESERVE_PREFIX):] for m in metrics if is_reserve_metric(m)]
        for case in FINANCE_COLUMNS:
            own = rows[rows["case"] == case] if len(rows) else rows
            if not len(own):
                continue
            values = {(str(r.year), str(r.metric)): float(r.value) for r in own.itertuples()}
            start = reserves.get((force, case)) or unknown_reserves(names, len(years), info.minimum_general_rate(force))
            draws = np.where(np.array(start.capital, dtype=bool)[None, :], capital_draws(start, values, years),
                             start.planned) if start.known else start.planned
            blocks.append(_Block(force, case, years, values, start, draws,
                                 cumulative="cumulative_gap" in metrics))
    return blocks


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------

def _input_lines(block: _Block) -> list[tuple[object, str, str]]:
    """The Inputs rows of one force and case: (key, label, unit)."""
    r = block.reserves
    lines: list[tuple[object, str, str]] = [(m, metric_label(m), metric_unit(m)) for m in INPUT_LINES]
    lines += [("minimum_general_rate", "Minimum general reserve", "rate"),
              ("target_general_rate", "General reserve target (a surplus tops it up to this)", "rate")]
    lines += [(("draw", k), f"{r.label(k)}: " + ("contribution to capital" if r.capital[k] else "planned drawdowns"),
               "money") for k in range(len(r.names))]
    first = parse_fiscal_year(block.years[0]) if block.years else 0
    lines += [(("opening", k), f"{r.label(k)} at 1 April {first}", "money") for k in (GENERAL, *range(len(r.names)))]
    return lines


def _input_value(block: _Block, key: object, t: int, year: str) -> float:
    r = block.reserves
    if key == "minimum_general_rate":
        return r.minimum_general_rate
    if key == "target_general_rate":
        return r.target_general_rate
    if isinstance(key, tuple):
        return float(block.draws[t, key[1]])
    return block.values.get((year, str(key)), math.nan)


def _write_inputs_sheet(sheet: Worksheet, blocks: Sequence[_Block], layout: WorkbookLayout,
                       names: Mapping[str, str]) -> None:
    """The Inputs sheet: every figure the force sheets are built from, styled as inputs, with a key.

    Parameters
    ----------
    sheet : openpyxl.worksheet.worksheet.Worksheet
    blocks : sequence of _Block
        One per force and case.
    layout : WorkbookLayout
        Filled with the row of every input.
    names : mapping of str to str
        Display name per force.
    """
    sheet.cell(1, 1, "Inputs: the figures every force sheet is built from").font = TITLE
    sheet.cell(2, 1, "Per force, deterministic case and fiscal year: the model's lines that do not depend on the "
                     "reserves, the reserve policy, each earmarked reserve's planned drawdowns (or its contribution to "
                     "the capital programme, as the model's capital account took it) and the balances at 1 April of "
                     "the first year from the force's baseline file. Change a blue figure and the force sheets, "
                     "their reserves and the checks follow.").alignment = WRAP
    _merge_note(sheet, 2, 7)
    sheet.row_dimensions[2].height = 58
    key = (("Input", INPUT_FONT, INPUT_FILL, "A figure you may change: from the model's projection of the case."),
           ("Link", LINK_FONT, None, "A figure brought from another sheet, unchanged."),
           ("Calculation", Font(), None, "A formula on this or another sheet: do not type over it."),
           ("Check", Font(), CHECK_FILL, "Must be zero; red when it is not (the Checks sheet)."))
    sheet.cell(4, 1, "Key to the styles").font = BOLD
    for row, (name, font, fill, meaning) in enumerate(key, start=5):
        cell = sheet.cell(row, 1, name)
        cell.font = font
        if fill is not None:
            cell.fill = fill
        sheet.cell(row, 2, meaning)
    settings_row = 10
    sheet.cell(settings_row, 1, "Checks are rounded to this many decimals of £m (6 = £1)")
    _input_cell(sheet.cell(settings_row, OPENING_COLUMN, CHECK_DECIMALS), "0")
    layout.check_decimals = f"{INPUTS_SHEET}!${get_column_letter(OPENING_COLUMN)}${settings_row}"

    header_row = 12
    _timeline_header(sheet, header_row, layout.years)
    row = header_row + 1
    force = None
    for block in blocks:
        if block.force != force:
            force = block.force
            row += 1
            sheet.cell(row, 1, names[force]).font = TITLE
            row += 1
        _case_heading(sheet, row, block.case, len(layout.years))
        row += 1
        if not block.reserves.known:
            sheet.cell(row, 1, "This run does not carry its reserves (a result built from tables alone): the balances "
                               "at 1 April and the planned drawdowns are unknown, so the reserves will not agree with "
                               "the model.").font = Font(italic=True)
            row += 1
        for key, label, unit in _input_lines(block):
            layout.inputs[(block.force, block.case, key)] = row
            sheet.cell(row, LABEL_COLUMN, label)
            sheet.cell(row, UNIT_COLUMN, UNIT_TEXT.get(unit, ""))
            number_format = NUMBER_FORMATS.get(unit, MONEY_FORMAT)
            if isinstance(key, tuple) and key[0] == "opening":
                r = block.reserves
                value = r.general_opening if key[1] == GENERAL else r.opening[key[1]]
                _input_cell(sheet.cell(row, OPENING_COLUMN, None if _is_missing(value) else float(value)),
                            number_format)
            else:
                for t, year in enumerate(layout.years):
                    value = _input_value(block, key, t, year)
                    _input_cell(sheet.cell(row, FIRST_YEAR_COLUMN + t, None if _is_missing(value) else float(value)),
                                number_format)
            row += 1
    sheet.freeze_panes = sheet.cell(header_row + 1, OPENING_COLUMN)
    _set_widths(sheet, (52, 9, 13, *[12] * len(layout.years)))


# --------------------------------------------------------------------------------------
# Force sheets
# --------------------------------------------------------------------------------------

Template = str
"""A row's formula with ``{c}`` for its column's letter and ``{p}`` for the previous column's."""


@dataclass
class _Row:
    key: object
    label: str
    kind: str = "line"
    """``case`` (block title), ``section``, ``reserve`` (a reserve's heading in the workings), ``note``,
    ``line`` or ``total``."""
    unit: str = "money"


def _block_rows(block: _Block) -> list[_Row]:
    """The rows of one force and case on the force sheet, in order."""
    r = block.reserves
    earmarked = range(len(r.names))
    title = f"{FINANCE_COLUMNS[block.case].long_label}: {_lower_first(CASES[block.case].meaning)}"
    rows = [_Row(None, title, "case"),
            _Row(None, SECTION_FUNDING, "section"), _Row("grant", metric_label("grant")),
            _Row("precept", metric_label("precept")), _Row("funding", metric_label("funding"), "total"),
            _Row(None, SECTION_SPENDING, "section"),
            *(_Row(m, metric_label(m)) for m in SPENDING_LINES),
            _Row("savings_delivered", "Less savings delivered"), _Row("spend", metric_label("spend"), "total"),
            _Row(None, SECTION_GAP, "section"), _Row("gap", metric_label("gap"), "total"),
            _Row("less_planned", "Less planned use of reserves"),
            _Row("unplanned_gap", metric_label("unplanned_gap"), "total"),
            _Row("less_met", "Less shortfall met from reserves"),
            _Row("surplus", "Surplus taken to reserves"),
            _Row("uncovered_deficit", metric_label("uncovered_deficit"), "total")]
    if block.cumulative:
        rows.append(_Row("cumulative_gap", "Cumulative budget gap"))
    rows += [_Row(None, SECTION_CAPITAL, "section"), _Row("capital_programme", metric_label("capital_programme")),
             _Row("borrowing", metric_label("borrowing")), _Row("reserves_to_capital", metric_label("reserves_to_capital")),
             _Row(None, SECTION_RESERVES, "section"), _Row("general_reserve", metric_label("general_reserve")),
             *(_Row(reserve_metric(r.names[k]), r.label(k)) for k in earmarked),
             _Row("total_reserves", metric_label("total_reserves"), "total"),
             _Row("general_reserve_minimum", metric_label("general_reserve_minimum")),
             _Row(None, SECTION_MOVEMENT, "section"), _Row("move_open", "Usable reserves at 1 April"),
             _Row("move_planned", "Less planned use of reserves"), _Row("move_met", "Less shortfall met from reserves"),
             _Row("move_surplus", "Add surplus taken to reserves"), _Row("move_capital", "Less reserves used for capital"),
             _Row("move_close", "Usable reserves at 31 March", "total"),
             _Row(None, SECTION_COUNCIL_TAX, "section"), _Row("band_d", "Band D council tax (£)", unit="pounds"),
             _Row(None, SECTION_WORKINGS, "section"), _Row(None, _waterfall_note(r), "note"),
             _Row("shortfall", "Shortfall to meet from reserves")]
    for k in (*earmarked, GENERAL):
        rows.append(_Row(None, r.label(k), "reserve"))
        rows.append(_Row((k, OPEN), "At 1 April"))
        if k != GENERAL:
            rows.append(_Row((k, CAPITAL_DRAW), "Less contribution to capital") if r.capital[k]
                        else _Row((k, PLANNED), "Less planned drawdowns"))
        if k in r.shortfall_order:
            rows.append(_Row((k, TAKE), "Less shortfall met"))
        if k == GENERAL or k == r.surplus_reserve:
            rows.append(_Row((k, SURPLUS), "Add surplus"))
        rows.append(_Row((k, CLOSE), "At 31 March", "total"))
    if not all(r.capital):
        rows.append(_Row("unfunded", "Memo: planned drawdowns not funded (reserve empty)"))
    return rows


def _waterfall_note(reserves: CaseReserves) -> str:
    order = ", then ".join(reserves.label(k) for k in reserves.shortfall_order) or "no reserve"
    surplus = reserves.label(reserves.surplus_reserve)
    return (f"Each year each earmarked reserve pays its contribution to capital, then its planned drawdowns, as far as "
            f"it can. A shortfall after them is met from: {order}, each down to zero; what none can meet is the "
            f"uncovered deficit. A surplus tops the general reserve up to its target, then goes to {surplus}.")


def _formulas(block: _Block, rows: Mapping[object, int],
              inputs: Mapping[object, int]) -> dict[object, tuple[Template, Template | None]]:
    """Each row's formula for the year columns and, for balances, the opening column, by key.

    Parameters
    ----------
    block : _Block
    rows : mapping of key to int
        The block's rows on the force sheet.
    inputs : mapping of key to int
        The block's rows on the Inputs sheet.
    """
    r = block.reserves
    earmarked = range(len(r.names))

    def at(key: object, column: str = "c") -> str:
        return f"{{{column}}}{rows[key]}"

    def inp(key: object) -> str:
        return f"{INPUTS_SHEET}!{{c}}{inputs[key]}"

    def span(first: object, last: object) -> str:
        return f"{at(first)}:{at(last)}"

    def plus(keys: Sequence[object]) -> str:
        return "+".join(at(key) for key in keys) if keys else "0"

    planned = [(k, PLANNED) for k in earmarked if not r.capital[k]]
    capital = [(k, CAPITAL_DRAW) for k in earmarked if r.capital[k]]
    takes = [(k, TAKE) for k in r.shortfall_order]
    last_reserve = reserve_metric(r.names[-1]) if r.names else "general_reserve"
    formulas: dict[object, tuple[Template, Template | None]] = {
        **{metric: (f"={inp(metric)}", None) for metric in INPUT_LINES},
        "savings_delivered": (f"=-{inp('savings_delivered')}", None),
        "funding": (f"=SUM({span('grant', 'precept')})", None),
        "spend": (f"=SUM({span('pay', 'savings_delivered')})", None),
        "gap": (f"={at('spend')}-{at('funding')}", None),
        "less_planned": (f"={plus(planned)}", None),
        "unplanned_gap": (f"=SUM({span('gap', 'less_planned')})", None),
        "less_met": (f"={plus(takes)}", None),
        "surplus": (f"=MAX(-{at('unplanned_gap')},0)", None),
        "uncovered_deficit": (f"=SUM({span('unplanned_gap', 'surplus')})", None),
        "reserves_to_capital": (f"=-({plus(capital)})" if capital else "=0", None),
        "total_reserves": (f"=SUM({span('general_reserve', last_reserve)})",) * 2,
        "general_reserve_minimum": (f"={inp('minimum_general_rate')}*{at('spend')}", None),
        "move_open": (f"={at('total_reserves', 'p')}", None),
        "move_planned": (f"={at('less_planned')}", None),
        "move_met": (f"={at('less_met')}", None),
        "move_surplus": (f"={at('surplus')}", None),
        "move_capital": (f"=-{at('reserves_to_capital')}", None),
        "move_close": (f"=SUM({span('move_open', 'move_capital')})", None),
        "shortfall": (f"=MAX({at('unplanned_gap')},0)", None),
    }
    if block.cumulative:
        formulas["cumulative_gap"] = (f"={at('cumulative_gap', 'p')}+{at('gap')}", None)
    if planned:
        formulas["unfunded"] = ("=" + "+".join(inp(("draw", k)) for k, _ in planned) + f"+{at('less_planned')}", None)
    for k in (GENERAL, *earmarked):
        balance = "general_reserve" if k == GENERAL else reserve_metric(r.names[k])
        formulas[balance] = (f"={at((k, CLOSE))}",) * 2
        steps = [key for key in rows if isinstance(key, tuple) and key[0] == k]
        for before, step in zip(steps, steps[1:], strict=False):
            so_far = f"SUM({span((k, OPEN), before)})"
            kind = step[1]
            if kind == CAPITAL_DRAW:
                formulas[step] = (f"=-MIN({inp(('draw', k))},{so_far})", None)
            elif kind == PLANNED:
                formulas[step] = (f"=-MIN({inp(('draw', k))},{so_far})", None)
            elif kind == TAKE:
                still = at("shortfall") + "".join(f"+{at(key)}" for key in takes[:takes.index(step)])
                formulas[step] = (f"=-MIN(MAX({so_far},0),{still})", None)
            elif kind == SURPLUS and k != GENERAL:
                formulas[step] = (f"={at('surplus')}-{at((GENERAL, SURPLUS))}", None)
            elif kind == SURPLUS and r.surplus_reserve == GENERAL:
                formulas[step] = (f"={at('surplus')}", None)
            elif kind == SURPLUS:
                room = f"MAX({inp('target_general_rate')}*{at('spend')}-{so_far},0)"
                formulas[step] = (f"=MIN({at('surplus')},{room})", None)
            elif kind == CLOSE:
                formulas[step] = (f"={so_far}", f"={inp(('opening', k))}")
        formulas[(k, OPEN)] = (f"={at((k, CLOSE), 'p')}", None)
    return formulas


def _write_force_sheet(sheet: Worksheet, blocks: Sequence[_Block], layout: WorkbookLayout, force_name: str) -> None:
    """One force's finance tables: a block per deterministic case, years across, every figure a formula.

    Parameters
    ----------
    sheet : openpyxl.worksheet.worksheet.Worksheet
    blocks : sequence of _Block
        The force's cases, in :data:`~model.declare.outputs.FINANCE_COLUMNS` order.
    layout : WorkbookLayout
        With the Inputs rows filled in; filled with the rows of this sheet.
    force_name : str
        Display name for the title.
    """
    years = layout.years
    last_column = FIRST_YEAR_COLUMN + len(years) - 1
    sheet["A1"] = f"{force_name}: medium-term financial plan by case (£m cash; band D in £)"
    sheet["A1"].font = TITLE
    sheet["A2"] = ("One block per deterministic case, each one projection, so its columns add up: optimistic / "
                   "pessimistic, every input at its favourable / unfavourable 1-in-10 value; median, every input at "
                   "its median; force plan, the force's own planning assumptions. The spread across the simulated "
                   "paths is in the Percentiles sheet. Every figure is a formula built from the Inputs sheet: change "
                   "an input there and the totals, the gap and the reserves follow. Deductions are negative (in "
                   "brackets).")
    _merge_note(sheet, 2, last_column)
    sheet.row_dimensions[2].height = 58
    sheet.cell(3, 1, "Checks: total (0 when the workbook reconciles; see the Checks sheet)").font = Font(italic=True)
    header_row = 5
    _timeline_header(sheet, header_row, years)
    row = header_row + 1
    for block in blocks:
        row += 1
        block_rows = _block_rows(block)
        keyed = {}
        for offset, spec in enumerate(block_rows):
            if spec.key is not None:
                keyed[spec.key] = row + offset
                layout.rows[(block.force, block.case, spec.key)] = row + offset
        inputs = {key[2]: number for key, number in layout.inputs.items() if key[:2] == (block.force, block.case)}
        formulas = _formulas(block, keyed, inputs)
        for spec in block_rows:
            _write_row(sheet, row, spec, formulas.get(spec.key), len(years))
            row += 1
    link = sheet.cell(3, FIRST_YEAR_COLUMN, f"={layout.total_check}")
    link.font = LINK_FONT
    link.number_format = CHECK_FORMAT
    sheet.freeze_panes = sheet.cell(header_row + 1, OPENING_COLUMN)
    _set_widths(sheet, (46, 9, 13, *[12] * len(years)))


def _write_row(sheet: Worksheet, row: int, spec: _Row, formula: tuple[Template, Template | None] | None,
               n_years: int) -> None:
    last_column = FIRST_YEAR_COLUMN + n_years - 1
    cell = sheet.cell(row, LABEL_COLUMN, spec.label)
    if spec.kind == "case":
        _case_heading(sheet, row, None, n_years, cell)
        return
    if spec.kind == "section":
        cell.font = BOLD
        for column in range(1, last_column + 1):
            sheet.cell(row, column).fill = SECTION_FILL
        return
    if spec.kind == "reserve":
        cell.font = Font(bold=True, italic=True)
        return
    if spec.kind == "note":
        cell.font = Font(italic=True)
        cell.alignment = WRAP
        _merge_note(sheet, row, last_column)
        sheet.row_dimensions[row].height = 44
        return
    sheet.cell(row, UNIT_COLUMN, UNIT_TEXT.get(spec.unit, ""))
    if spec.kind == "total":
        cell.font = TOTAL_FONT
    if formula is None:
        return
    main, opening = formula
    number_format = NUMBER_FORMATS.get(spec.unit, MONEY_FORMAT)
    targets = [(column, main) for column in range(FIRST_YEAR_COLUMN, last_column + 1)]
    if opening is not None:
        targets.insert(0, (OPENING_COLUMN, opening))
    for column, template in targets:
        target = sheet.cell(row, column, template.format(c=get_column_letter(column), p=get_column_letter(column - 1)))
        target.number_format = number_format
        if _LINK.fullmatch(target.value):
            target.font = LINK_FONT
        elif spec.kind == "total":
            target.font = TOTAL_FONT
        if spec.kind == "total":
            target.border = TOTAL_BORDER


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------

def _write_checks_sheet(sheet: Worksheet, blocks: Sequence[_Block], layout: WorkbookLayout,
                       names: Mapping[str, str]) -> None:
    """The reconciliations that must be zero, per force, case and year, and their total.

    Parameters
    ----------
    sheet : openpyxl.worksheet.worksheet.Worksheet
    blocks : sequence of _Block
    layout : WorkbookLayout
        With the force sheets' and the Inputs' rows; filled with the rows of the checks.
    names : mapping of str to str
        Display name per force.
    """
    years = layout.years
    last_column = FIRST_YEAR_COLUMN + len(years) - 1
    sheet.cell(1, 1, "Checks: each must be zero").font = TITLE
    sheet.cell(2, 1, "Per force, case and year, built from the force sheets' lines rather than their subtotals: (1) "
                     "the gap is met: funding − spend + planned drawdowns + shortfall met from reserves − surplus "
                     "taken to reserves + uncovered deficit; (2) usable reserves at 1 April (the year before's "
                     "balances; at 1 April of the first year, the force's baseline) − planned drawdowns − shortfall "
                     "met + surplus − contributions to capital − usable reserves at 31 March; (3) the movement in "
                     "usable reserves ends at the sum of the reserves' balances. Each is rounded to the decimals of "
                     "£m on the Inputs sheet.").alignment = WRAP
    _merge_note(sheet, 2, last_column)
    sheet.row_dimensions[2].height = 72
    total_row, header_row = CHECKS_TOTAL_ROW, CHECKS_TOTAL_ROW + 2
    sheet.cell(total_row, 1, "Total: the sum of every check's absolute value").font = BOLD
    _timeline_header(sheet, header_row, years)
    sheet.cell(header_row, LABEL_COLUMN, "Check")
    row = header_row + 1
    first = row
    decimals = layout.check_decimals
    for block in blocks:
        force, case = block.force, block.case
        sheet_ref = sheet_reference(layout.sheets[force])

        def cell(key: object, column: str, sheet_ref: str = sheet_ref, force: str = force, case: str = case) -> str:
            return f"{sheet_ref}!{column}{layout.rows[(force, case, key)]}"

        def span(first_key: object, last_key: object, column: str, sheet_ref: str = sheet_ref, force: str = force,
                 case: str = case) -> str:
            return (f"{sheet_ref}!{column}{layout.rows[(force, case, first_key)]}:"
                    f"{column}{layout.rows[(force, case, last_key)]}")

        made = {
            "gap": lambda c, p, cell=cell, span=span: (
                f"{cell('grant', c)}+{cell('precept', c)}-SUM({span('pay', 'savings_delivered', c)})"
                f"-{cell('less_planned', c)}-{cell('less_met', c)}-{cell('surplus', c)}+{cell('uncovered_deficit', c)}"),
            "reserves": lambda c, p, cell=cell: (
                f"{cell('total_reserves', p)}+{cell('less_planned', c)}+{cell('less_met', c)}+{cell('surplus', c)}"
                f"-{cell('reserves_to_capital', c)}-{cell('total_reserves', c)}"),
            "movement": lambda c, p, cell=cell: f"{cell('move_close', c)}-{cell('total_reserves', c)}",
        }
        for check, meaning in CHECKS.items():
            layout.checks[(force, case, check)] = row
            sheet.cell(row, LABEL_COLUMN, f"{names[force]}, {FINANCE_COLUMNS[case].long_label.lower()}: {meaning}")
            sheet.cell(row, UNIT_COLUMN, "£m")
            for column in range(FIRST_YEAR_COLUMN, last_column + 1):
                c, p = get_column_letter(column), get_column_letter(column - 1)
                target = sheet.cell(row, column, f"=ROUND({made[check](c, p)},{decimals})")
                target.number_format = CHECK_FORMAT
                target.fill = CHECK_FILL
            row += 1
    last = max(row - 1, first)
    span_all = f"{get_column_letter(FIRST_YEAR_COLUMN)}{first}:{get_column_letter(last_column)}{last}"
    total = sheet.cell(total_row, FIRST_YEAR_COLUMN, f"=SUMPRODUCT(ABS({span_all}))")
    total.number_format = CHECK_FORMAT
    total.fill = CHECK_FILL
    total.font = BOLD
    failed = CellIsRule(operator="notEqual", formula=["0"], fill=CHECK_FAILED_FILL, font=CHECK_FAILED_FONT)
    sheet.conditional_formatting.add(f"{total.coordinate}:{total.coordinate}", failed)
    sheet.conditional_formatting.add(span_all, failed)
    sheet.freeze_panes = sheet.cell(header_row + 1, OPENING_COLUMN)
    _set_widths(sheet, (110, 6, 4, *[12] * len(years)))


# --------------------------------------------------------------------------------------
# Shared layout helpers
# --------------------------------------------------------------------------------------

def _timeline_header(sheet: Worksheet, row: int, years: Sequence[str]) -> None:
    """The column headings every formula sheet shares: line, unit, 1 April of the first year, the years."""
    first = parse_fiscal_year(years[0]) if years else 0
    headings = ["Line", "Unit", f"1 April {first}", *years]
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row, column, heading)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="left" if column == 1 else "right")


def _case_heading(sheet: Worksheet, row: int, case: str | None, n_years: int, cell: object = None) -> None:
    if cell is None:
        cell = sheet.cell(row, LABEL_COLUMN, FINANCE_COLUMNS[case].long_label)
    cell.font = Font(bold=True, size=12)
    for column in range(1, FIRST_YEAR_COLUMN + n_years):
        sheet.cell(row, column).fill = CASE_FILL


def _merge_note(sheet: Worksheet, row: int, last_column: int) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(last_column, 2))
    sheet.cell(row, 1).alignment = WRAP


def _input_cell(cell: object, number_format: str) -> None:
    cell.font = INPUT_FONT
    cell.fill = INPUT_FILL
    cell.number_format = number_format


def _first(value: object) -> float:
    return float(np.asarray(value, dtype=float).reshape(-1)[0])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


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
            for column, (_, key) in enumerate(columns, start=1):
                value = record.get(key, "")
                if key == "force":
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


def _set_widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
