"""Sourced history read from a CSV, as yearly series a range can be fitted to or judged against.

The history file (``data/history-2010-2016.csv``) has one row per figure: ``series, scope,
fiscal_year, value, unit`` and its provenance (``kind, published, source_url, quote``). A
*yearly series* is the rows of one series and one or more scopes that each give one year's
value: a fiscal year (``2011/12``) or a calendar year (``2011 (December)``), with anything in
brackets kept as the period's label. Rows covering several years (``2016/17-2019/20``) are
set aside, with the reason. Rows are numbered as a spreadsheet numbers them: the header is
row 1, so a citation ``row 63`` is the row a finance officer sees.

Every mistake is an :class:`~model.io.errors.InputError` naming the file and the row: fewer
than three values, a value that is not a number, a unit that does not match the scenario
input the series is for, two rows that give one year different values.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.declare.inputs import INPUTS
from model.declare.units import UnitError, bare_number, parse_quantity
from model.io.errors import Described, InputError, suggestion_hint

REQUIRED_COLUMNS = ("series", "fiscal_year", "value", "unit")
"""Columns a history file must have; ``scope, kind, published, source_url, quote`` are read when present."""

OPTIONAL_COLUMNS = ("scope", "kind", "published", "source_url", "quote")

MINIMUM_VALUES = 3
"""The fewest yearly values a range is fitted to."""

FREEZE_UNIT = "percent_change=0"
"""A row whose value is words ('freeze', 'no change') and whose unit begins with this is a 0% change."""

_FISCAL = re.compile(r"^(?P<start>\d{4})/(?P<end>\d{2})(?:\s*\((?P<note>.*)\))?$", re.ASCII)
_CALENDAR = re.compile(r"^(?P<start>\d{4})(?:\s*\((?P<note>.*)\))?$", re.ASCII)

UNIT_FAMILIES: tuple[tuple[str, str, float], ...] = (
    # (prefix of the CSV's unit, the model's unit, factor to the model's written form)
    ("percent", "rate", 1.0),
    ("gbp_billion", "money", 1000.0),
    ("gbp_million", "money", 1.0),
    ("gbp_thousand", "money", 0.001),
    ("gbp", "pounds", 1.0),
)
"""How a CSV unit is read: ``percent…`` is a rate, ``GBP_million…`` money in £m, ``GBP…`` pounds."""


@dataclass(frozen=True)
class HistoryRow:
    """One row of a history file, as written.

    Attributes
    ----------
    row : int
        The row as a spreadsheet numbers it (the header is row 1).
    series, scope, period, value, unit, kind, published, source_url, quote : str
        The columns (``period`` is the ``fiscal_year`` column).
    """

    row: int
    series: str
    scope: str
    period: str
    value: str
    unit: str
    kind: str = ""
    published: str = ""
    source_url: str = ""
    quote: str = ""


@dataclass(frozen=True)
class History:
    """A history file's rows.

    Attributes
    ----------
    path : Path
    rows : tuple of HistoryRow
    """

    path: Path
    rows: tuple[HistoryRow, ...]

    @property
    def name(self) -> str:
        """The file's name, as a citation gives it."""
        return self.path.name

    def series_names(self) -> list[str]:
        """Every series, in the order the file first gives it."""
        return list(dict.fromkeys(row.series for row in self.rows))

    def scopes(self, series: str) -> dict[str, int]:
        """The scopes of a series, each with its number of rows."""
        counts: dict[str, int] = {}
        for row in self.rows:
            if row.series == series:
                counts[row.scope] = counts.get(row.scope, 0) + 1
        return counts


@dataclass(frozen=True)
class HistoryPoint:
    """One year of a yearly series.

    Attributes
    ----------
    year : int
        The first calendar year of the period (2011 for ``2011/12`` and for ``2011 (December)``).
    period : str
        The period as the file writes it (the shortest of its rows' labels).
    value : float
        In the model's internal units (rates as fractions, money in £m, pounds in £).
    rows : tuple of HistoryRow
        Every row that gives this value for this year.
    """

    year: int
    period: str
    value: float
    rows: tuple[HistoryRow, ...]


@dataclass(frozen=True)
class YearlySeries:
    """A series of one value a year, with the rows it rests on.

    Attributes
    ----------
    file : str
        The history file's name.
    series : str
    scopes : tuple of str
    unit : str or None
        The model's unit of the values (``rate``, ``money``, ``pounds``), ``None`` for a unit the model does not use.
    points : tuple of HistoryPoint
        In year order.
    input : str or None
        The scenario input the series is evidence for, whose units the values were checked against.
    excluded : tuple of (HistoryRow, str)
        Rows left out on request, each with the reason given.
    set_aside : tuple of (HistoryRow, str)
        Rows of the series that are not one year's value (a range of years, a period not read), with the reason.
    """

    file: str
    series: str
    scopes: tuple[str, ...]
    unit: str | None
    points: tuple[HistoryPoint, ...]
    input: str | None = None
    excluded: tuple[tuple[HistoryRow, str], ...] = ()
    set_aside: tuple[tuple[HistoryRow, str], ...] = field(default_factory=tuple)

    @property
    def values(self) -> np.ndarray:
        """The values in year order, internal units."""
        return np.array([point.value for point in self.points], dtype=float)

    @property
    def years(self) -> tuple[int, ...]:
        """The first calendar year of each point."""
        return tuple(point.year for point in self.points)

    @property
    def periods(self) -> tuple[str, ...]:
        """Each point's period as written."""
        return tuple(point.period for point in self.points)

    @property
    def rows_used(self) -> tuple[int, ...]:
        """The row numbers of every row behind a point, in order."""
        return tuple(sorted(row.row for point in self.points for row in point.rows))

    @property
    def label(self) -> str:
        """``series (scope, scope)``."""
        return f"{self.series} ({', '.join(self.scopes)})"


def read_history(path: Path | str) -> History:
    """Read a history CSV.

    Parameters
    ----------
    path : path-like
        A CSV with at least the columns :data:`REQUIRED_COLUMNS`, UTF-8.

    Returns
    -------
    History

    Raises
    ------
    InputError
        No such file, not UTF-8, a missing column, no rows.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "a history CSV file", Described("no such file"))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, None, "a CSV file in UTF-8", Described("bytes that are not UTF-8 text")) from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise InputError(path, None, "a header row with the columns " + ", ".join(REQUIRED_COLUMNS),
                         Described("an empty file")) from None
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise InputError(path, "header", "the columns " + ", ".join(REQUIRED_COLUMNS)
                         + " (and optionally " + ", ".join(OPTIONAL_COLUMNS) + ")",
                         Described("no column " + ", ".join(f"'{m}'" for m in missing)))
    index = {name: header.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in header}
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: cells[i].strip() if i < len(cells) else "" for name, i in index.items()}
        rows.append(HistoryRow(number, values["series"], values.get("scope", ""), values["fiscal_year"],
                               values["value"], values["unit"], values.get("kind", ""), values.get("published", ""),
                               values.get("source_url", ""), values.get("quote", "")))
    if not rows:
        raise InputError(path, None, "at least one row under the header", Described("none"))
    return History(path, tuple(rows))


def period_year(period: str) -> int | None:
    """The first calendar year of a one-year period, or ``None`` for anything else.

    ``2011/12`` and ``2011/12 (inferred)`` give 2011 (the fiscal year must be consecutive);
    ``2011 (December)`` and ``2011`` give 2011; ``2016/17-2019/20``, ``2010-2012`` and
    ``2015 Q4`` give ``None``.
    """
    text = period.strip()
    match = _FISCAL.match(text)
    if match:
        start = int(match.group("start"))
        return start if (start + 1) % 100 == int(match.group("end")) else None
    match = _CALENDAR.match(text)
    return int(match.group("start")) if match else None


def unit_family(unit: str) -> tuple[str, float] | None:
    """The model's unit of a CSV unit, and the factor to its written form; ``None`` when the model has none."""
    lowered = unit.strip().lower()
    for prefix, model_unit, factor in UNIT_FAMILIES:
        if lowered.startswith(prefix):
            return model_unit, factor
    return None


def row_value(history: History, row: HistoryRow, input_name: str | None) -> tuple[float, str | None]:
    """A row's value in the model's internal units, and its unit.

    Parameters
    ----------
    history : History
    row : HistoryRow
    input_name : str, optional
        The scenario input the value is for (its units are the ones accepted); ``None`` to take the row's own.

    Raises
    ------
    InputError
        A value that is not a number (words are read only as a freeze, unit ``percent_change=0``),
        or a unit the input does not take.
    """
    where = f"{history.path}, row {row.row}"
    allowed = INPUTS[input_name].units if input_name is not None else None
    text = row.value.strip()
    number = bare_number(text)
    if number is None and row.unit.strip().lower().startswith(FREEZE_UNIT):
        number = 0.0
    if number is None:
        raise InputError(where, "value", "a number (words only for a freeze, with unit 'percent_change=0…')",
                         row.value, hint=f"Leave the row out with --exclude {row.row}.")
    family = unit_family(row.unit)
    if family is None:
        if allowed is not None:
            raise InputError(where, "unit", f"a unit the input '{input_name}' takes ("
                             + " or ".join(_csv_forms(allowed)) + ")", row.unit,
                             hint=f"Leave the row out with --exclude {row.row}, or fit it to another input.")
        return number, None
    model_unit, factor = family
    written = _written(number * factor, model_unit)
    try:
        quantity = parse_quantity(written, allowed or (model_unit,))
    except UnitError as exc:
        raise InputError(where, "unit", f"a unit the input '{input_name}' takes: "
                         + str(exc).removeprefix("expected ").split("; found")[0], row.unit,
                         hint=f"The row's value reads as {written}. Leave the row out with --exclude {row.row}, "
                              "or fit it to another input.") from None
    return quantity.value, quantity.unit


def _csv_forms(allowed: tuple[str, ...]) -> list[str]:
    forms = {"rate": "percent…", "money": "GBP_million…", "pounds": "GBP…"}
    return [forms.get(unit, unit) for unit in allowed]


def _written(value: float, unit: str) -> str:
    """A number in a unit's written form (``-5.1%``, ``£7.63m``, ``£147.82``), for :func:`parse_quantity`."""
    text = f"{abs(value):.12g}"
    if "e" in text:
        text = f"{abs(value):.12f}".rstrip("0").rstrip(".")
    sign = "-" if value < 0 else ""
    return {"rate": f"{sign}{text}%", "money": f"{sign}£{text}m", "pounds": f"{sign}£{text}"}.get(unit, sign + text)


def yearly_series(history: History, series: str, *, scopes: tuple[str, ...] = (), exclude: dict[int, str] | None = None,
                  input_name: str | None = None, minimum: int = MINIMUM_VALUES) -> YearlySeries:
    """The yearly series of ``series`` in ``scopes``, each value checked against ``input_name``'s units.

    Parameters
    ----------
    history : History
    series : str
        A value of the ``series`` column.
    scopes : tuple of str
        Scopes to take; may be left empty when the series has one scope.
    exclude : dict of int to str, optional
        Rows to leave out, each with the reason.
    input_name : str, optional
        The scenario input (:data:`~model.declare.inputs.INPUTS`) the series is for.
    minimum : int
        The fewest yearly values accepted.

    Returns
    -------
    YearlySeries

    Raises
    ------
    InputError
        An unknown series, scope or input; several scopes and none chosen; a row to exclude
        that is not in the series; a value that is not a number; a unit the input does not
        take, or units that differ between rows; two rows that give one year different
        values; fewer than ``minimum`` values.
    """
    exclude = dict(exclude or {})
    names = history.series_names()
    if series not in names:
        raise InputError(history.path, "series", "a series the file has", series,
                         hint=suggestion_hint(series, names, "Series in the file"))
    if input_name is not None and input_name not in INPUTS:
        raise InputError(None, "--input", "a scenario input", input_name,
                         hint=suggestion_hint(input_name, INPUTS, "Inputs"))
    available = history.scopes(series)
    chosen = _choose_scopes(history, series, scopes, available)
    rows = [row for row in history.rows if row.series == series and row.scope in chosen]
    in_series = {row.row for row in history.rows if row.series == series}
    for number in exclude:
        if number not in in_series:
            found = next((row for row in history.rows if row.row == number), None)
            raise InputError(history.path, "--exclude", f"rows of the series '{series}'",
                             Described(f"row {number}, " + (f"of the series '{found.series}'" if found
                                                            else "which the file does not have")))
    excluded = tuple((row, exclude[row.row]) for row in rows if row.row in exclude)
    set_aside = []
    by_year: dict[int, list[tuple[HistoryRow, float, str | None]]] = {}
    for row in rows:
        if row.row in exclude:
            continue
        year = period_year(row.period)
        if year is None:
            set_aside.append((row, f"'{row.period}' is not one year"))
            continue
        value, unit = row_value(history, row, input_name)
        by_year.setdefault(year, []).append((row, value, unit))
    units = {unit for entries in by_year.values() for _, _, unit in entries}
    if len(units) > 1:
        described = "; ".join(f"{unit or 'a unit the model does not use'} in rows "
                              + ", ".join(str(row.row) for entries in by_year.values()
                                          for row, _, u in entries if u == unit) for unit in sorted(units, key=str))
        raise InputError(history.path, "unit", f"one unit for every row of '{series}'", Described(described),
                         hint="Choose a scope with --scope, or leave rows out with --exclude.")
    points = [_point(history, series, year, by_year[year]) for year in sorted(by_year)]
    if len(points) < minimum:
        unit = next(iter(units)) if units else None
        shown = ", ".join(f"{p.period} {format_history_value(p.value, unit)}" for p in points) or "none"
        raise InputError(history.path, "series", f"at least {minimum} yearly values of '{series}' "
                         f"({', '.join(chosen)}) to fit a range to",
                         Described(f"{len(points)}: {shown}"),
                         hint=_too_few_hint(set_aside, excluded))
    return YearlySeries(history.name, series, tuple(chosen), next(iter(units)) if units else None, tuple(points),
                        input_name, excluded, tuple(set_aside))


def _choose_scopes(history: History, series: str, scopes: tuple[str, ...], available: dict[str, int]) -> tuple[str, ...]:
    listing = ", ".join(f"{scope} ({count} row{'s' if count != 1 else ''})" for scope, count in available.items())
    if not scopes:
        if len(available) == 1:
            return tuple(available)
        raise InputError(history.path, "scope", f"a --scope for '{series}', which has several", Described(listing),
                         hint="Name one or more with --scope; values from different scopes are not one series.")
    for scope in scopes:
        if scope not in available:
            raise InputError(history.path, "scope", f"a scope of '{series}'", scope,
                             hint=suggestion_hint(scope, available, f"Scopes of {series}"))
    return tuple(dict.fromkeys(scopes))


def _point(history: History, series: str, year: int, entries: list[tuple[HistoryRow, float, str | None]]) -> HistoryPoint:
    values = sorted({round(value, 12) for _, value, _ in entries})
    if len(values) > 1:
        described = "; ".join(f"row {row.row} ({row.period}) gives {row.value} {row.unit}" for row, _, _ in entries)
        raise InputError(history.path, "value", f"one value of '{series}' for {year}", Described(described),
                         hint="Keep one: leave the others out with --exclude ROW and say why "
                              "(history-2010-2016.md lists the contradictions).")
    period = min((row.period.strip() for row, _, _ in entries), key=len)
    return HistoryPoint(year, period, float(entries[0][1]), tuple(row for row, _, _ in entries))


def _too_few_hint(set_aside, excluded) -> str:
    parts = []
    if set_aside:
        parts.append("set aside as not one year: rows " + ", ".join(str(row.row) for row, _ in set_aside))
    if excluded:
        parts.append("excluded: rows " + ", ".join(str(row.row) for row, _ in excluded))
    return ("A range fitted to fewer points says nothing about spread. " + "; ".join(parts)).strip()


# --------------------------------------------------------------------------------------
# The evidence for each national input: data/evidence.yaml
# --------------------------------------------------------------------------------------

EVIDENCE_FILE = "evidence.yaml"
HISTORY_FILE = "history-2010-2016.csv"


@dataclass(frozen=True)
class EvidenceEntry:
    """One yearly series that is evidence for a scenario input (an entry of ``data/evidence.yaml``).

    Attributes
    ----------
    input : str
    series : str
    scopes : tuple of str
    label : str
    exclude : dict of int to str
        Rows left out, each with its reason.
    """

    input: str
    series: str
    scopes: tuple[str, ...]
    label: str
    exclude: dict[int, str] = field(default_factory=dict, hash=False)


def load_evidence(data_dir: Path) -> list[EvidenceEntry]:
    """The entries of ``data_dir/evidence.yaml``, in file order; none when there is no such file.

    Raises
    ------
    InputError
        An unknown input, a missing series, rows not numbered.
    """
    import yaml

    path = Path(data_dir) / EVIDENCE_FILE
    if not path.is_file():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        raise InputError(path, None, "a mapping from input names to lists of series", Described("something else"))
    entries = []
    for input_name, items in document.items():
        if input_name not in INPUTS:
            raise InputError(path, input_name, "a scenario input", input_name,
                             hint=suggestion_hint(input_name, INPUTS, "Inputs"))
        for k, item in enumerate(items if isinstance(items, list) else [items]):
            if not isinstance(item, dict) or "series" not in item:
                raise InputError(path, (input_name, k), "a mapping with 'series' (and 'scopes', 'label', 'exclude')",
                                 item)
            exclude = item.get("exclude") or {}
            if not all(isinstance(key, int) and not isinstance(key, bool) for key in exclude):
                raise InputError(path, (input_name, k, "exclude"), "row numbers, each with its reason", exclude)
            entries.append(EvidenceEntry(input_name, str(item["series"]), tuple(item.get("scopes") or ()),
                                         str(item.get("label", item["series"])),
                                         {int(key): str(value) for key, value in exclude.items()}))
    return entries


def evidence_series(data_dir: Path) -> list[tuple[EvidenceEntry, YearlySeries]]:
    """Each entry of ``data_dir/evidence.yaml`` with its yearly series read from the history file beside it."""
    entries = load_evidence(data_dir)
    if not entries:
        return []
    history = read_history(Path(data_dir) / HISTORY_FILE)
    return [(entry, yearly_series(history, entry.series, scopes=entry.scopes, exclude=entry.exclude,
                                  input_name=entry.input)) for entry in entries]


def format_history_value(value: float, unit: str | None) -> str:
    """A history value as a reader writes it: ``-5.1%``, ``£7.63m``, ``£147.82``, ``18``."""
    if unit == "rate":
        text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
        return ("0" if text in ("-0", "") else text) + "%"
    if unit == "money":
        return f"£{value:,.4g}m"
    if unit == "pounds":
        return f"£{value:,.2f}"
    return f"{value:g}" if math.isfinite(value) else "–"
