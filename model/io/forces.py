"""Force baselines and national settings: every figure with its provenance.

A figure in ``data/`` is exactly one of:

* **sourced**: a value with the seed document's file name and a short verbatim quote
  (or, for ``public-figures-2016.csv``, its page address and quote);
* **derived**: a formula over other figures, written out, e.g.
  ``{budget.funding} - {budget.grant}``; the stated value is checked against it;
* **assumption**: a central value with a low–high range and a one-line reason. The Monte
  Carlo samples it (triangular on low, central, high) unless a scenario asks for the
  central baseline.

Figures are referred to by dotted names (``budget.grant``, ``reserves.general``,
``reserves.base_budget_support.planned_use.2017/18``, ``national.staff_share``).
"""

from __future__ import annotations

import ast
import math
import operator
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ValidationError, field_validator, model_validator

from model.declare.fiscal import MODEL_YEARS, FiscalYearError, model_year_index
from model.declare.inputs import INPUTS, PLAN_INPUTS
from model.declare.units import UnitError, parse_quantity
from model.io.errors import Described, InputError, did_you_mean, format_field_path, suggestion_hint
from model.io.mistakes import missing_colon_in_data
from model.io.validation import StrictModel, text, validate_document
from model.io.yaml_source import YamlDocument, load_yaml

FORCE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
PLACEHOLDER = "TODO"
"""What ``police-mtfs new-force`` writes where a figure or its source is still to be filled in."""
PUBLIC_FIGURES = "public-figures-2016.csv"
HISTORY = "history-2010-2016.csv"
CSV_SOURCES = (PUBLIC_FIGURES, HISTORY)
"""Source documents that are tables of quotes from web pages: a figure quoting one gives the page address."""


class Source(StrictModel):
    """Where a sourced figure comes from."""

    document: text("document")
    quote: text("quote")
    url: text("url") | None = None

    @field_validator("quote")
    @classmethod
    def _quote_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a short verbatim quote from the document that contains the figure")
        return value


class Derivation(StrictModel):
    """The arithmetic behind a derived figure."""

    formula: text("formula")
    note: text("note") | None = None


class AssumptionRange(StrictModel):
    """An assumption: central value, low–high range and why."""

    central: Any
    low: Any
    high: Any
    reason: text("reason")


class FigureEntry(StrictModel):
    """One figure as written in YAML; exactly one provenance."""

    value: Any = None
    source: Source | None = None
    derived: Derivation | None = None
    assumption: AssumptionRange | None = None
    note: text("note") | None = None

    @model_validator(mode="after")
    def _one_provenance(self) -> FigureEntry:
        given = [k for k in ("source", "derived", "assumption") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "exactly one of 'source' (document + quote), 'derived' (formula) or 'assumption' "
                f"(central, low, high, reason); found {', '.join(given) if given else 'none'}"
            )
        if self.source is not None and self.value is None:
            raise ValueError("a 'value' (with its unit) next to its 'source'")
        if self.assumption is not None and self.value is not None:
            raise ValueError("no 'value' next to an 'assumption' (its 'central' is the value)")
        return self


YearMap = dict[str, FigureEntry]


RESERVE_PURPOSES: dict[str, str] = {
    "budget_support": "budget equalisation or base-budget support: planned draws fund the revenue gap",
    "one_off_spend": "committed to a programme (change, collaboration one-off costs): planned draws pay for it",
    "capital": "for the capital programme: planned draws fund capital spending",
    "held": "held for named purposes (ring-fenced): planned draws pay for those purposes",
    "insurance": "insurance and risk: planned draws pay claims",
}
"""What an earmarked reserve is for; only budget support meets an unplanned shortfall unless a file or scenario says so."""


class EarmarkedEntry(StrictModel):
    """An earmarked reserve, what it is for and its planned drawdowns."""

    name: text("id")
    label: text("label")
    opening: FigureEntry
    purpose: Literal["budget_support", "one_off_spend", "capital", "held", "insurance"]
    meets_shortfall: bool | None = None
    planned_use: YearMap = {}


class PressureEntry(StrictModel):
    """A recurring cost pressure: an amount a year from a first year on."""

    name: text("id")
    label: text("label")
    amount: FigureEntry
    from_year: str
    in_plan: bool


CAPITAL_SOURCES = ("capital_grant", "capital_receipts", "capital_reserves", "revenue_contribution")
"""How a capital programme can be funded, besides borrowing (always last)."""


class CapitalEntry(StrictModel):
    """A force's capital programme, its funding and the life of what it buys."""

    programme: YearMap = {}
    capital_grant: YearMap = {}
    capital_receipts: YearMap = {}
    revenue_contribution: YearMap = {}
    asset_life: FigureEntry
    funding_order: list[Literal["capital_grant", "capital_receipts", "capital_reserves", "revenue_contribution"]] = list(
        CAPITAL_SOURCES)


class ReservesEntry(StrictModel):
    general: FigureEntry
    earmarked: list[EarmarkedEntry] = []


class BudgetEntry(StrictModel):
    """The budget year as set."""

    funding: FigureEntry
    grant: FigureEntry
    precept: FigureEntry
    band_d: FigureEntry
    tax_base: FigureEntry
    savings: FigureEntry
    pay_share: FigureEntry
    officer_share: FigureEntry
    capital_financing: FigureEntry
    net_revenue_expenditure: FigureEntry | None = None


class CollaborationSpendEntry(StrictModel):
    with_forces: YearMap
    non_police: YearMap = {}


class ProgrammeEntry(StrictModel):
    """A collaboration programme: planned cumulative recurring savings by year."""

    name: text("id")
    label: text("label")
    savings: YearMap
    investment: FigureEntry | None = None


class ContradictionEntry(StrictModel):
    topic: text("topic")
    figures: list[text("reason")]
    used: text("reason")
    reason: text("reason")


class ForceEntry(StrictModel):
    id: text("id")
    name: text("name")
    budget_year: str
    budget: BudgetEntry
    collaboration_spend: CollaborationSpendEntry
    reserves: ReservesEntry
    collaboration_programmes: list[ProgrammeEntry] = []
    capital: CapitalEntry
    pressures: list[PressureEntry] = []
    plan: dict[str, YearMap] = {}
    context: dict[str, FigureEntry] = {}
    contradictions: list[ContradictionEntry] = []


class NationalEntry(StrictModel):
    title: text("title")
    figures: dict[str, FigureEntry] = {}
    plan: dict[str, YearMap] = {}


@dataclass(frozen=True)
class Figure:
    """A parsed figure with its provenance; values in internal units.

    Attributes
    ----------
    name : str
        Dotted reference name, e.g. ``budget.grant``.
    unit : str
        ``money``, ``pounds``, ``rate``, ``count`` or ``years``.
    kind : {'sourced', 'derived', 'assumption'}
    value : float or None
        Sourced value, or the stated value of a derived figure.
    text : str
        The value as written.
    document, quote, url : str or None
        Source of a sourced figure.
    formula : str or None
        Formula of a derived figure.
    low, central, high : float or None
        Range of an assumption.
    reason : str or None
        Why the assumption, or a derivation's note.
    line : int or None
        Line in the force file.
    """

    name: str
    unit: str
    kind: str
    value: float | None = None
    text: str = ""
    document: str | None = None
    quote: str | None = None
    url: str | None = None
    formula: str | None = None
    low: float | None = None
    central: float | None = None
    high: float | None = None
    reason: str | None = None
    note: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Earmarked:
    """An earmarked reserve: what it is for, whether it meets a shortfall, and its figures by name."""

    name: str
    label: str
    purpose: str
    opening: str
    planned_use: dict[int, str]
    meets_shortfall: bool = False


@dataclass(frozen=True)
class Pressure:
    """A recurring cost pressure: the figure of its yearly amount, its first model year, and whether the plan has it."""

    name: str
    label: str
    amount: str
    first_year: int
    in_plan: bool


@dataclass(frozen=True)
class CapitalPlan:
    """A force's capital programme and funding, as figure names by model year."""

    programme: dict[int, str]
    grant: dict[int, str]
    receipts: dict[int, str]
    revenue_contribution: dict[int, str]
    asset_life: str
    funding_order: tuple[str, ...]


@dataclass(frozen=True)
class Programme:
    name: str
    label: str
    savings: dict[int, str]
    investment: str | None


@dataclass
class ForceData:
    """A validated force baseline; figures are referred to by name."""

    id: str
    name: str
    path: Path
    figures: dict[str, Figure]
    earmarked: list[Earmarked]
    programmes: list[Programme]
    collaboration_spend: dict[str, dict[int, str]]
    plan: dict[str, dict[str, str]]
    contradictions: list[ContradictionEntry]
    capital: CapitalPlan
    pressures: list[Pressure] = field(default_factory=list)
    context: list[str] = field(default_factory=list)


@dataclass
class NationalData:
    """National settings: figures shared by all forces and default planning assumptions."""

    path: Path
    title: str
    figures: dict[str, Figure]
    plan: dict[str, dict[str, str]]


BUDGET_UNITS = {
    "funding": "money", "grant": "money", "precept": "money", "band_d": "pounds", "tax_base": "count",
    "savings": "money", "pay_share": "rate", "officer_share": "rate", "capital_financing": "money",
    "net_revenue_expenditure": "money",
}


def is_placeholder(value: object) -> bool:
    """Whether ``value`` is a placeholder still to be filled in (text starting ``TODO``)."""
    return isinstance(value, str) and value.strip().upper().startswith(PLACEHOLDER)


@dataclass(frozen=True)
class Gap:
    """Something a force file still lacks: where it is and what is wrong.

    Attributes
    ----------
    line : int or None
        Line in the file (for a missing field, the line of the section it belongs in).
    name : str
        The figure's dotted name (``budget.grant``, ``reserves.general``), or for a field
        that is not a figure its field path (``reserves.earmarked[0].purpose``).
    problem : str
        What is wrong, e.g. ``value, source.quote not filled in yet``.
    """

    line: int | None
    name: str
    problem: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.name}: {self.problem}"


class IncompleteForceError(InputError):
    """A force file with figures or fields still to fill in: every one of them, with its line.

    Parameters
    ----------
    file : path-like
        The force file.
    gaps : list of Gap
        Everything still to fill in, in the order of the file.
    """

    def __init__(self, file: object, gaps: list[Gap]) -> None:
        self.gaps = list(gaps)
        noun = "place" if len(self.gaps) == 1 else "places"
        super().__init__(file, None, "a force baseline with every figure filled in and sourced",
                         Described(f"{len(self.gaps)} {noun} still to fill in"))

    def __str__(self) -> str:
        lines = [super().__str__() + ":"]
        lines += [f"  {gap}" for gap in self.gaps]
        lines.append(f"Replace each {PLACEHOLDER} with a value and its unit, and give every figure a source "
                     "(document + verbatim quote), a derivation (formula) or an assumption (central, low, high, "
                     "reason): see docs/adding-a-force.md.")
        return "\n".join(lines)


_NO_PROVENANCE = "found none"
_FIGURE_PARTS_THAT_HOLD_NUMBERS = ("central", "low", "high")


def force_file_gaps(document: YamlDocument) -> list[Gap]:
    """Every figure or field of a force file that is not filled in yet, missing, empty or unsourced.

    A placeholder (``TODO``, as ``police-mtfs new-force`` writes it), an empty value, a
    required field that is not there and a figure with no source, derivation or
    assumption are all listed, so that a finance officer can fill the file in one pass.
    Other mistakes (a typo in a key, a wrong unit) are listed too when there are gaps;
    with no gaps they are left to the usual validation, which explains the first one
    in full.

    Parameters
    ----------
    document : YamlDocument
        A loaded force file.

    Returns
    -------
    list of Gap
        In the order of the file; empty when nothing is missing.
    """
    data = document.data
    if not isinstance(data, dict):
        return []
    placeholders = list(_placeholder_paths(data))
    gaps: list[tuple[tuple, str, str]] = [(path, "not filled in yet", "gap") for path in placeholders]
    for figure_path in _figure_paths(ForceEntry, data):
        entry = _at(data, figure_path)
        if not isinstance(entry, dict):
            continue
        if entry.get("value", "") is None and ("source" in entry or "derived" in entry):
            gaps.append((figure_path + ("value",), "empty", "gap"))
        assumption = entry.get("assumption")
        if isinstance(assumption, dict):
            gaps += [(figure_path + ("assumption", key), "empty", "gap")
                     for key in _FIGURE_PARTS_THAT_HOLD_NUMBERS if key in assumption and assumption[key] is None]
    skip = set(placeholders) | {path for path, _, _ in gaps}
    try:
        ForceEntry.model_validate(_without(data, set(placeholders)))
        errors = []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    misspelt = _misspelt_fields(errors)
    for error in errors:
        loc = tuple(error["loc"])
        if any(_nested(loc, path) for path in skip) or (error["type"] == "missing" and loc in misspelt):
            continue
        kind, message = error["type"], str(error.get("ctx", {}).get("error", error["msg"]))
        if kind == "missing":
            gaps.append((loc, "missing (required)", "gap"))
        elif error.get("input", "") is None:
            gaps.append((loc, "empty", "gap"))
        elif kind == "value_error" and _annotation_at(loc) is FigureEntry and message.endswith(_NO_PROVENANCE):
            gaps.append((loc, "not sourced: give it a 'source' (document + quote), 'derived' (formula) or "
                              "'assumption' (central, low, high, reason)", "gap"))
        else:
            gaps.append((loc, _describe_error(kind, message, loc, error), "other"))
    if not any(kind == "gap" for _, _, kind in gaps):
        return []
    return _grouped(document, gaps)


def _misspelt_fields(errors: list) -> set[tuple]:
    """Required fields reported missing because a key beside them is a misspelling of them."""
    missing = {tuple(error["loc"]) for error in errors if error["type"] == "missing"}
    found = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            candidates = [path[-1] for path in missing if path[:-1] == loc[:-1]]
            suggestion = did_you_mean(str(loc[-1]), candidates)
            if suggestion is not None:
                found.add(loc[:-1] + (suggestion,))
    return found


def _describe_error(kind: str, message: str, loc: tuple, error: dict) -> str:
    if kind == "extra_forbidden":
        parent = _annotation_at(loc[:-1])
        allowed = list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
        suggestion = did_you_mean(str(loc[-1]), allowed)
        return f"unknown key '{loc[-1]}'" + (f" (did you mean '{suggestion}'?)" if suggestion else "")
    if kind == "literal_error":
        return f"expected one of {error.get('ctx', {}).get('expected', '')}; found {error.get('input')!r}"
    return f"{message[0].lower()}{message[1:]}; found {error.get('input')!r}"


def _grouped(document: YamlDocument, gaps: list[tuple[tuple, str, str]]) -> list[Gap]:
    """One gap per figure (its parts still to fill in together), one per other field; in file order."""
    by_figure: dict[tuple, dict[str, list[str]]] = {}
    others: list[Gap] = []
    for path, problem, kind in gaps:
        figure = _enclosing_figure(path)
        if figure is None:
            others.append(Gap(document.line_of(path) or 1, format_field_path(path), problem))
            continue
        part = format_field_path(path[len(figure):]) if len(path) > len(figure) else ""
        if kind == "other" and part:
            problem, part = f"{part}: {problem}", ""
        by_figure.setdefault(figure, {}).setdefault(problem, []).append(part)
    result = list(others)
    for figure, problems in by_figure.items():
        line = document.line_of(figure) or 1
        texts = []
        for problem, parts in problems.items():
            named = [part for part in parts if part]
            texts.append(f"{', '.join(named)} {problem}" if named else problem)
        result.append(Gap(line, figure_name(document.data, figure), "; ".join(texts)))
    return sorted(result, key=lambda gap: gap.line or 0)


def _placeholder_paths(data: object, path: tuple = ()) -> typing.Iterator[tuple]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _placeholder_paths(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _placeholder_paths(value, path + (index,))
    elif is_placeholder(data):
        yield path


def _without(data: object, paths: set[tuple], path: tuple = ()) -> object:
    """``data`` without the mapping keys at ``paths``; list items there become empty text (indices stay)."""
    if isinstance(data, dict):
        return {key: _without(value, paths, path + (key,)) for key, value in data.items() if path + (key,) not in paths}
    if isinstance(data, list):
        return ["" if path + (index,) in paths else _without(value, paths, path + (index,))
                for index, value in enumerate(data)]
    return data


def _nested(a: tuple, b: tuple) -> bool:
    """Whether one field path lies inside the other (or they are the same)."""
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def _at(data: object, path: tuple) -> object:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _step(annotation: Any, part: object) -> Any:
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field_info = annotation.model_fields.get(part) if isinstance(part, str) else None
        return None if field_info is None else field_info.annotation
    origin = typing.get_origin(annotation)
    if origin is dict:
        return typing.get_args(annotation)[1]
    if origin is list and isinstance(part, int):
        return typing.get_args(annotation)[0]
    return None


def _annotation_at(path: tuple) -> Any:
    """The type the force file schema expects at a field path (``None`` if the path is not in it)."""
    annotation: Any = ForceEntry
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return _unwrap_optional(annotation)


def _enclosing_figure(path: tuple) -> tuple | None:
    for end in range(len(path), 0, -1):
        if _annotation_at(path[:end]) is FigureEntry:
            return path[:end]
    return None


def _figure_paths(annotation: Any, data: object, path: tuple = ()) -> typing.Iterator[tuple]:
    """The field path of every figure written in ``data``, following the schema."""
    annotation = _unwrap_optional(annotation)
    if annotation is FigureEntry:
        yield path
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if isinstance(data, dict):
            for name, info in annotation.model_fields.items():
                if name in data:
                    yield from _figure_paths(info.annotation, data[name], path + (name,))
    elif typing.get_origin(annotation) is dict and isinstance(data, dict):
        for key, value in data.items():
            yield from _figure_paths(typing.get_args(annotation)[1], value, path + (key,))
    elif typing.get_origin(annotation) is list and isinstance(data, list):
        for index, value in enumerate(data):
            yield from _figure_paths(typing.get_args(annotation)[0], value, path + (index,))


_NAMED_ITEMS = {("reserves", "earmarked"): "reserves", ("collaboration_programmes",): "programmes",
                ("pressures",): "pressures"}
"""List sections whose items' figures are named by the item's name (``reserves.<name>.opening``)."""


def figure_name(data: object, path: tuple) -> str:
    """The dotted name the loader gives the figure at a field path of a force file.

    ``('reserves', 'earmarked', 0, 'opening')`` is ``reserves.<that reserve's name>.opening``
    (the field path ``reserves.earmarked[0].opening`` while the reserve has no usable name);
    ``('budget', 'grant')`` is ``budget.grant``.
    """
    for section, base in _NAMED_ITEMS.items():
        if path[:len(section)] == section and len(path) > len(section) and isinstance(path[len(section)], int):
            name = _at(data, path[:len(section) + 1] + ("name",))
            if isinstance(name, str) and FORCE_ID.match(name):
                return ".".join([base, name, *(str(part) for part in path[len(section) + 1:])])
            return format_field_path(path)
    return ".".join(str(part) for part in path)


def default_data_dir() -> Path:
    """The ``data/`` folder of this checkout (next to the ``model`` package)."""
    return Path(__file__).resolve().parents[2] / "data"


def available_forces(data_dir: Path) -> list[str]:
    """Force ids with a baseline file in ``data_dir/forces``."""
    return sorted(p.stem for p in (data_dir / "forces").glob("*.yaml"))


def load_national(data_dir: Path) -> NationalData:
    """Load ``data/national.yaml``.

    Raises
    ------
    InputError
    """
    document = load_yaml(data_dir / "national.yaml", "national settings")
    entry = validate_document(NationalEntry, document)
    figures: dict[str, Figure] = {}
    for key, fig in entry.figures.items():
        _add(figures, document, ("figures", key), f"national.{key}", fig, None)
    plan = _read_plan(document, entry.plan, figures, "national.plan")
    national = NationalData(path=document.path, title=entry.title, figures=figures, plan=plan)
    check_derivations(figures, document)
    return national


def load_force(data_dir: Path, force_id: str, national: NationalData) -> ForceData:
    """Load and validate ``data/forces/<force_id>.yaml``.

    Raises
    ------
    InputError
        Unknown force, malformed file, missing provenance, unit errors, an assumption
        without a range, a derived figure whose formula disagrees with its stated value,
        negative reserves.
    """
    path = data_dir / "forces" / f"{force_id}.yaml"
    if not path.exists():
        known = available_forces(data_dir)
        hint = suggestion_hint(force_id, known, "Known forces")
        raise InputError(path, None, "a force baseline file for a known force id", Described(f"no file for '{force_id}'"), hint=hint)
    document = load_yaml(path, "force baseline")
    # A key that lost its colon is the clearer message, before the list of figures still to fill in.
    colon = missing_colon_in_data(ForceEntry, document)
    if colon is not None:
        raise colon
    gaps = force_file_gaps(document)
    if gaps:
        raise IncompleteForceError(document.path, gaps)
    entry = validate_document(ForceEntry, document)
    if entry.id != force_id:
        raise document.error(("id",), f"the id '{force_id}' (the file name)", entry.id)
    if _year_index(document, ("budget_year",), entry.budget_year) != 0:
        raise document.error(("budget_year",), f"the model's budget year {MODEL_YEARS[0]}", entry.budget_year)

    figures = dict(national.figures)
    for key, fig in entry.budget:
        if fig is not None:
            _add(figures, document, ("budget", key), f"budget.{key}", fig, BUDGET_UNITS[key])
    collaboration: dict[str, dict[int, str]] = {}
    for kind in ("with_forces", "non_police"):
        collaboration[kind] = _add_year_map(
            figures, document, ("collaboration_spend", kind), f"collaboration_spend.{kind}",
            getattr(entry.collaboration_spend, kind), "money",
        )
    for kind, by_year in collaboration.items():
        missing = [MODEL_YEARS[t] for t in range(len(MODEL_YEARS)) if t not in by_year]
        if by_year and missing:
            raise document.error(
                ("collaboration_spend", kind), f"a figure for every year {MODEL_YEARS[0]} to {MODEL_YEARS[-1]}",
                Described(f"none for {', '.join(missing)}"),
                hint="Where a source gives only some years, derive the others, e.g. a straight line between them.",
            )
    _add(figures, document, ("reserves", "general"), "reserves.general", entry.reserves.general, "money")
    earmarked = []
    seen: set[str] = set()
    for index, reserve in enumerate(entry.reserves.earmarked):
        where = ("reserves", "earmarked", index)
        if not FORCE_ID.match(reserve.name) or reserve.name in seen or reserve.name == "general":
            raise document.error(where + ("name",), "a unique lower_case name other than 'general'", reserve.name)
        seen.add(reserve.name)
        opening = f"reserves.{reserve.name}.opening"
        _add(figures, document, where + ("opening",), opening, reserve.opening, "money")
        uses = _add_year_map(figures, document, where + ("planned_use",), f"reserves.{reserve.name}.planned_use",
                             reserve.planned_use, "money")
        meets = reserve.purpose == "budget_support" if reserve.meets_shortfall is None else reserve.meets_shortfall
        earmarked.append(Earmarked(reserve.name, reserve.label, reserve.purpose, opening, uses, meets))
    programmes = []
    for index, programme in enumerate(entry.collaboration_programmes):
        where = ("collaboration_programmes", index)
        base = f"programmes.{programme.name}"
        savings = _add_year_map(figures, document, where + ("savings",), f"{base}.savings", programme.savings, "money")
        investment = None
        if programme.investment is not None:
            investment = f"{base}.investment"
            _add(figures, document, where + ("investment",), investment, programme.investment, "money")
        programmes.append(Programme(programme.name, programme.label, savings, investment))
    capital = _read_capital(figures, document, entry.capital)
    pressures = []
    seen_pressures: set[str] = set()
    for index, pressure in enumerate(entry.pressures):
        where = ("pressures", index)
        if not FORCE_ID.match(pressure.name) or pressure.name in seen_pressures:
            raise document.error(where + ("name",), "a unique lower_case name", pressure.name)
        seen_pressures.add(pressure.name)
        amount = f"pressures.{pressure.name}.amount"
        _add(figures, document, where + ("amount",), amount, pressure.amount, "money")
        pressures.append(Pressure(pressure.name, pressure.label, amount,
                                  _year_index(document, where + ("from_year",), pressure.from_year), pressure.in_plan))
    context = []
    for key, fig in entry.context.items():
        _add(figures, document, ("context", key), f"context.{key}", fig, None)
        context.append(f"context.{key}")
    plan = _read_plan(document, entry.plan, figures, "plan")
    force = ForceData(
        id=entry.id, name=entry.name, path=document.path, figures=figures, earmarked=earmarked,
        programmes=programmes, collaboration_spend=collaboration, plan=plan,
        contradictions=list(entry.contradictions), capital=capital, pressures=pressures, context=context,
    )
    check_derivations(figures, document)
    _check_reserves(force, document)
    return force


def _read_capital(figures: dict[str, Figure], document: YamlDocument, entry: CapitalEntry) -> CapitalPlan:
    """The capital section's figures, added to ``figures`` as ``capital.<part>.<year>`` and ``capital.asset_life``."""
    where = ("capital",)
    parts = {}
    for part in ("programme", "capital_grant", "capital_receipts", "revenue_contribution"):
        parts[part] = _add_year_map(figures, document, where + (part,), f"capital.{part}", getattr(entry, part), "money")
    _add(figures, document, where + ("asset_life",), "capital.asset_life", entry.asset_life, "years")
    order = tuple(entry.funding_order)
    if len(set(order)) != len(order):
        repeated = next(name for index, name in enumerate(order) if name in order[:index])
        raise document.error(where + ("funding_order",), "each funding source once (borrowing is always last)", repeated)
    return CapitalPlan(parts["programme"], parts["capital_grant"], parts["capital_receipts"],
                       parts["revenue_contribution"], "capital.asset_life", order)


def _year_index(document: YamlDocument, where: tuple, raw: object) -> int:
    try:
        return model_year_index(raw)
    except FiscalYearError as exc:
        raise document.error(where, str(exc).removeprefix("expected "), None) from None


def _add_year_map(figures, document, where, base, entries: dict[str, FigureEntry], unit) -> dict[int, str]:
    result: dict[int, str] = {}
    for year, fig in entries.items():
        index = _year_index(document, where + (year,), year)
        name = f"{base}.{MODEL_YEARS[index]}"
        _add(figures, document, where + (year,), name, fig, unit)
        result[index] = name
    return result


def _read_plan(document, plan: dict[str, YearMap], figures, base) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for input_name, entries in plan.items():
        where = ("plan", input_name)
        if input_name not in PLAN_INPUTS:
            hint = suggestion_hint(input_name, PLAN_INPUTS, "Allowed")
            raise document.error(where, "a planning assumption name", input_name, hint=hint)
        declaration = INPUTS[input_name]
        keys: dict[str, str] = {}
        for key, fig in entries.items():
            if key != "all_years":
                index = _year_index(document, where + (key,), key)
                if index < declaration.first_year:
                    raise document.error(
                        where + (key,),
                        f"a year from {MODEL_YEARS[declaration.first_year]} ({MODEL_YEARS[0]} is the budget as set)",
                        key,
                    )
                key = MODEL_YEARS[index]
            name = f"{base}.{input_name}.{key}"
            _add(figures, document, where + (key,), name, fig, declaration.units)
            keys[key] = name
        result[input_name] = keys
    return result


def _add(figures: dict[str, Figure], document: YamlDocument, where: tuple, name: str,
         entry: FigureEntry, unit: str | tuple[str, ...] | None) -> None:
    allowed = (unit,) if isinstance(unit, str) else (unit or ("money", "pounds", "rate", "count", "years", "fiscal_year"))
    line = document.line_of(where)

    def parse(raw: str, sub: str) -> tuple[float, str]:
        try:
            quantity = parse_quantity(raw, allowed)
        except UnitError as exc:
            raise document.error(where + (sub,), str(exc).removeprefix("expected "), None) from None
        return quantity.value, quantity.unit

    if entry.source is not None:
        value, found_unit = parse(entry.value, "value")
        figure = Figure(name, found_unit, "sourced", value=value, text=entry.value, document=entry.source.document,
                        quote=entry.source.quote, url=entry.source.url, note=entry.note, line=line)
        if entry.source.document in CSV_SOURCES and not entry.source.url:
            raise document.error(where + ("source", "url"), f"the page address for a quote from {entry.source.document}",
                                 None)
    elif entry.derived is not None:
        value, found_unit = (None, None)
        if entry.value is None:
            raise document.error(where + ("value",), "the stated result of the derivation, with its unit", None)
        value, found_unit = parse(entry.value, "value")
        figure = Figure(name, found_unit, "derived", value=value, text=entry.value, formula=entry.derived.formula,
                        reason=entry.derived.note, note=entry.note, line=line)
    else:
        assumption = entry.assumption
        central, found_unit = parse(assumption.central, "assumption.central")
        low, low_unit = parse(assumption.low, "assumption.low")
        high, high_unit = parse(assumption.high, "assumption.high")
        if {low_unit, high_unit} != {found_unit}:
            raise document.error(where + ("assumption",), "central, low and high in the same unit", None)
        if low > high:
            raise document.error(where + ("assumption", "low"), "low ≤ high", Described(f"low {assumption.low} above high {assumption.high} (an inverted range)"))
        if low == high:
            raise document.error(where + ("assumption",), "a range with low < high (an assumption must state its uncertainty)",
                                 f"low = high = {assumption.low}")
        if not low <= central <= high:
            raise document.error(where + ("assumption", "central"), f"a central value between {assumption.low} and {assumption.high}", assumption.central)
        if not assumption.reason.strip():
            raise document.error(where + ("assumption", "reason"), "a one-line reason for the assumption", Described("empty text"))
        figure = Figure(name, found_unit, "assumption", text=assumption.central, low=low, central=central, high=high,
                        reason=assumption.reason, note=entry.note, line=line)
    figures[name] = figure


_REFERENCE = re.compile(r"\{([^{}]+)\}")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def formula_references(formula: str) -> list[str]:
    """Names a formula refers to, in order."""
    return [name.strip() for name in _REFERENCE.findall(formula)]


def evaluate_formula(formula: str, values: dict[str, object]):
    """Evaluate ``{name} op {name} ...`` with ``+ - * /``, parentheses and numbers.

    Works on floats and numpy arrays alike (so that derived figures follow sampled
    assumptions path by path).

    Raises
    ------
    ValueError
        Unknown names or operations other than arithmetic.
    """
    names: dict[str, str] = {}

    def substitute(match: re.Match[str]) -> str:
        key = f"_ref{len(names)}"
        names[key] = match.group(1).strip()
        return key

    expression = _REFERENCE.sub(substitute, formula)
    tree = ast.parse(expression, mode="eval")

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in names:
            reference = names[node.id]
            if reference not in values:
                raise ValueError(f"the formula refers to '{reference}', which is not a figure")
            return values[reference]
        raise ValueError("a formula of figures in {braces}, numbers, + - * / and parentheses")

    return walk(tree)


class FigureValues:
    """Values of figures, evaluated on demand: sourced values, assumption draws, derived formulas.

    Parameters
    ----------
    figures : dict of str to Figure
    draws : dict of str to ndarray, optional
        Sampled values of assumption figures, each of shape ``(paths,)``. Assumptions
        without a draw take their central value.
    """

    def __init__(self, figures: dict[str, Figure], draws: dict[str, np.ndarray] | None = None) -> None:
        self.figures = figures
        self.draws = draws or {}
        self.values: dict[str, object] = {}
        self._pending: set[str] = set()

    def value(self, name: str):
        """The value of one figure (float, or ndarray when it depends on draws).

        Raises
        ------
        ValueError
            A reference to an unknown figure, a circular derivation, or a bad formula.
        """
        if name in self.values:
            return self.values[name]
        if name not in self.figures:
            raise ValueError(f"the formula refers to '{name}', which is not a figure")
        if name in self._pending:
            raise ValueError(f"a derivation that does not go round in a circle (it comes back to '{name}')")
        figure = self.figures[name]
        if figure.kind == "sourced":
            result = figure.value
        elif figure.kind == "assumption":
            result = self.draws.get(name, figure.central)
        else:
            self._pending.add(name)
            try:
                inputs = {ref: self.value(ref) for ref in formula_references(figure.formula)}
            finally:
                self._pending.discard(name)
            result = evaluate_formula(figure.formula, inputs)
        self.values[name] = result
        return result


def evaluate_figures(figures: dict[str, Figure], draws: dict[str, np.ndarray] | None = None) -> dict[str, object]:
    """Value of every figure (see :class:`FigureValues`), as a dict by name."""
    values = FigureValues(figures, draws)
    return {name: values.value(name) for name in figures}


def stated_tolerance(text: str, unit: str) -> float:
    """Half a unit in the last stated digit, in internal units (rounding tolerance)."""
    number = re.search(r"\d[\d,]*(?:\.(\d+))?", text)
    decimals = len(number.group(1)) if number and number.group(1) else 0
    scale = 0.01 if unit == "rate" else 1.0
    return 0.5 * 10 ** (-decimals) * scale


def check_derivations(figures: dict[str, Figure], document: YamlDocument) -> None:
    """Check that every derived figure's formula evaluates to its stated value (to rounding)."""
    own = [f for f in figures.values() if f.kind == "derived" and not _foreign(f, document)]
    values = FigureValues(figures)
    for figure in own:
        try:
            computed = float(values.value(figure.name))
        except (ValueError, SyntaxError, ZeroDivisionError) as exc:
            raise InputError(document.path, figure.name, str(exc).removeprefix("expected ") if isinstance(exc, ValueError) else
                             "a formula of figures in {braces}, numbers, + - * / and parentheses", figure.formula,
                             line=figure.line) from None
        tolerance = stated_tolerance(figure.text, figure.unit) + 1e-9 * abs(computed)
        if not math.isfinite(computed) or abs(computed - figure.value) > tolerance:
            raise InputError(
                document.path, figure.name, f"the stated value to agree with its formula {figure.formula}",
                f"{figure.text}, but the formula gives {computed:.6g}", line=figure.line,
            )


def _foreign(figure: Figure, document: YamlDocument) -> bool:
    return figure.name.startswith("national.") and document.path.name != "national.yaml"


def _check_reserves(force: ForceData, document: YamlDocument) -> None:
    values = evaluate_figures(force.figures)
    for name in ["reserves.general"] + [r.opening for r in force.earmarked] + [
        use for r in force.earmarked for use in r.planned_use.values()
    ]:
        figure = force.figures[name]
        low = figure.low if figure.kind == "assumption" else float(values[name])
        if low < 0:
            raise InputError(document.path, name, "a reserve balance or drawdown of £0m or more",
                             figure.text, line=figure.line)
    for unit_name in BUDGET_UNITS:
        name = f"budget.{unit_name}"
        if name in force.figures and unit_name not in ("savings",):
            figure = force.figures[name]
            low = figure.low if figure.kind == "assumption" else float(values[name])
            if low < 0:
                raise InputError(document.path, name, "a value of zero or more", figure.text, line=figure.line)
    capital = force.capital
    for name in [*capital.programme.values(), *capital.grant.values(), *capital.receipts.values(),
                 *capital.revenue_contribution.values()]:
        figure = force.figures[name]
        if (figure.low if figure.kind == "assumption" else float(values[name])) < 0:
            raise InputError(document.path, name, "a capital amount of £0m or more", figure.text, line=figure.line)
    life = force.figures[capital.asset_life]
    if (life.low if life.kind == "assumption" else float(values[capital.asset_life])) < 1:
        raise InputError(document.path, capital.asset_life, "an asset life of at least 1 year", life.text,
                         line=life.line)
    share = force.figures["budget.officer_share"]
    lowest = share.low if share.kind == "assumption" else float(values["budget.officer_share"])
    highest = share.high if share.kind == "assumption" else float(values["budget.officer_share"])
    if not 0.0 <= lowest <= highest <= 1.0:
        raise InputError(document.path, "budget.officer_share", "a share of the pay bill from 0% to 100%", share.text,
                         line=share.line)
