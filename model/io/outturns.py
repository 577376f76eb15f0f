"""Outturns to score a forecast against: a CSV with ``force, year, metric, value`` and an optional ``source``.

A value is written in the metric's own unit (:func:`~model.declare.outputs.metric_unit`), as
``summary.csv`` writes it: money in £ million (``118.4`` or ``£118.4m``), band D in pounds
(``177.61`` or ``£177.61``), the tax base in band D equivalents, reserve cover in years. A bare
number is read in that unit; a value written with a unit must be in it. The year is a fiscal year
(``2017/18``).

Rows for a force, metric or year a run does not have are kept: the evaluation reports them.
A row that is not readable at all (a value that is not a number, a year that is not a fiscal
year, a unit that is not the metric's) is an :class:`~model.io.errors.InputError` naming its row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from model.declare.fiscal import FiscalYearError, format_fiscal_year, parse_fiscal_year
from model.declare.outputs import metric_unit
from model.declare.units import UnitError, bare_number, detect_unit, parse_quantity
from model.io.errors import Described, InputError

OUTTURN_COLUMNS = ("force", "year", "metric", "value")
"""Columns an outturns file must have; ``source`` is read when present."""



@dataclass(frozen=True)
class Outturn:
    """One outturn row.

    Attributes
    ----------
    row : int
        The row as a spreadsheet numbers it (the header is row 1).
    force, year, metric : str
        As written (the year normalised to ``2017/18``).
    value : float
        In the metric's unit (money in £m, band D in £, …).
    text : str
        The value as written.
    source : str
    """

    row: int
    force: str
    year: str
    metric: str
    value: float
    text: str
    source: str = ""


def read_outturns(path: Path | str) -> tuple[Outturn, ...]:
    """Read an outturns CSV.

    Raises
    ------
    InputError
        No such file, a missing column, no rows, a value that is not a number or not in the
        metric's unit, a year that is not a fiscal year, an empty force or metric.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "an outturns CSV file (columns force, year, metric, value, source)",
                         Described("no such file"))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, None, "a CSV file in UTF-8", Described("bytes that are not UTF-8 text")) from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise InputError(path, None, "a header row: force, year, metric, value (and optionally source)",
                         Described("an empty file")) from None
    missing = [name for name in OUTTURN_COLUMNS if name not in header]
    if missing:
        raise InputError(path, "header", "the columns force, year, metric, value (and optionally source)",
                         Described("no column " + ", ".join(f"'{m}'" for m in missing)))
    index = {name: header.index(name) for name in (*OUTTURN_COLUMNS, "source") if name in header}
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: cells[i].strip() if i < len(cells) else "" for name, i in index.items()}
        where = f"{path}, row {number}"
        for name in ("force", "metric"):
            if not values[name]:
                raise InputError(where, name, f"a {name}", Described("an empty cell"))
        try:
            year = format_fiscal_year(parse_fiscal_year(values["year"]))
        except FiscalYearError as exc:
            expected = str(exc).removeprefix("expected ").split("; found")[0]
            raise InputError(where, "year", expected, values["year"] or Described("an empty cell")) from None
        rows.append(Outturn(number, values["force"], year, values["metric"],
                            _value(where, values["value"], values["metric"]), values["value"],
                            values.get("source", "")))
    if not rows:
        raise InputError(path, None, "at least one outturn row under the header", Described("none"))
    return tuple(rows)


def _value(where: str, text: str, metric: str) -> float:
    unit = metric_unit(metric)
    number = bare_number(text)
    if number is not None:
        return number
    written = detect_unit(text) if text else None
    try:
        if written is None:
            raise UnitError("not a number")
        return parse_quantity(text, (unit,)).value
    except UnitError:
        forms = {"money": "£m, e.g. '118.4' or '£118.4m'", "pounds": "£, e.g. '177.61' or '£177.61'",
                 "count": "a number, e.g. '429,200'", "years": "years, e.g. '2.5' or '2.5 years'"}
        raise InputError(where, "value", f"a number in the unit of '{metric}': {forms.get(unit, unit)}",
                         text or Described("an empty cell")) from None
