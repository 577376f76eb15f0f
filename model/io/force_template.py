"""The force baseline file to fill in that ``police-mtfs new-force`` writes, generated from the loader's schema.

The template walks :class:`model.io.forces.ForceEntry` field by field, in the loader's
order, so that every section and field the loader accepts is in it, and nothing it
rejects. This module adds only the words: for each field its meaning, where a finance
officer finds it in a 2016 MTFS, budget report or HMIC inspection, and an example
(:data:`GUIDES`, keyed by the field's place in the schema, e.g.
``reserves.earmarked[].opening``). A field the schema gains without a guide here stops
the generator (:class:`TemplateError`), so the template cannot fall behind the loader.

Every figure is written in the form the committed force files use: **sourced** (value,
document, verbatim quote), **derived** (value and formula) or an **assumption** (central,
low, high, reason). What the officer has to supply is the placeholder
:data:`model.io.forces.PLACEHOLDER` (``TODO``), each with its unit and an example in a
comment; the loader reports every one still left (:func:`model.io.forces.force_file_gaps`).
``force_template(..., examples=True)`` writes the same file with each placeholder replaced
by its example, which the tests load to prove the template is a valid force file once
filled in.
"""

from __future__ import annotations

import json
import re
import textwrap
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from model.declare.fiscal import MODEL_YEARS
from model.declare.inputs import INPUTS, PLAN_INPUTS
from model.declare.units import detect_unit
from model.io.errors import Described, InputError
from model.io.forces import (
    FORCE_ID,
    PLACEHOLDER,
    RESERVE_PURPOSES,
    FigureEntry,
    ForceEntry,
    is_placeholder,
)
from model.io.mistakes import unwrap


class TemplateError(Exception):
    """The schema has a field the template has no guide (or no way of writing) for: a bug to fix here."""


@dataclass(frozen=True)
class Figure:
    """How to fill in one figure, and an example of it filled in.

    Attributes
    ----------
    meaning : str
        What the figure is ("" for one year of a year-by-year figure, whose meaning is given once).
    find : str
        Where to find it in a 2016 MTFS, budget report or HMIC inspection.
    example : str
        The value as written, with its unit (for an assumption, its central value).
    form : {'sourced', 'derived', 'assumption'}
        The form the template suggests.
    formula, note : str
        A derived figure's formula (written into the template) and its note.
    low, high, reason : str
        An assumption's example range and reason.
    document, quote : str
        An example source for a sourced figure (used when the template is filled with examples).
    optional : bool
        The figure may be deleted when the documents do not give it.
    """

    meaning: str
    find: str
    example: str
    form: Literal["sourced", "derived", "assumption"] = "sourced"
    formula: str = ""
    note: str = ""
    low: str = ""
    high: str = ""
    reason: str = ""
    document: str = ""
    quote: str = ""
    optional: bool = False


@dataclass(frozen=True)
class Field:
    """A field that is not a figure: a section, a name, a label, a choice, a yes/no, a list of texts.

    Attributes
    ----------
    meaning : str
        What to write there.
    example : str
        An example value (a scalar field).
    examples : tuple of str
        Example items (a list of texts).
    """

    meaning: str
    example: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Years:
    """A figure given year by year (``2016/17: …``), with a guide for each year the template writes.

    Attributes
    ----------
    meaning : str
        What the figures are.
    years : dict of str to Figure
        The years the template writes, each with its form and example.
    """

    meaning: str
    years: dict[str, Figure]


@dataclass(frozen=True)
class Named:
    """Figures under names the force file chooses (``context``), with the ones the template suggests.

    Attributes
    ----------
    meaning : str
    entries : dict of str to Figure
    """

    meaning: str
    entries: dict[str, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """The planning assumptions (``plan``): one per declared plan input, from :data:`model.declare.inputs.INPUTS`.

    Attributes
    ----------
    meaning : str
    examples : dict of str to (str, str)
        For each plan input, an example and what the MTFS states (its label and first year come from its
        declaration).
    """

    meaning: str
    examples: dict[str, tuple[str, str]]


Guide = Figure | Field | Years | Named | Plan

HMIC_STAFFS = "hmic-peel-efficiency-2016-staffordshire.txt"
"""The source the examples quote where they can (Staffordshire's 2016 HMIC PEEL efficiency report)."""


def _straight_line(kind: str, step: int, example: str) -> Figure:
    first, last = f"{{collaboration_spend.{kind}.{MODEL_YEARS[0]}}}", f"{{collaboration_spend.{kind}.{MODEL_YEARS[-1]}}}"
    times = "" if step == 1 else f"{step} * "
    return Figure("", "", example, form="derived", formula=f"{first} + {times}({last} - {first}) / {len(MODEL_YEARS) - 1}",
                  note=f"Straight line between the {MODEL_YEARS[0]} and {MODEL_YEARS[-1]} forecasts.")


def _each_year(example: str, find: str = "", years: tuple[str, ...] = MODEL_YEARS, **kwargs: str) -> dict[str, Figure]:
    return {year: Figure("", find, example, **kwargs) for year in years}


FTE_FIND = "HMIC PEEL efficiency 2016, the workforce table (FTE at 31 March 2016), or the force's workforce plan."

GUIDES: dict[str, Guide] = {
    "id": Field("The force's id: lower_case letters, digits and underscores, the same as the file name."),
    "name": Field("The force's name as the report shows it.", "Staffordshire Police"),
    "budget_year": Field(f"The budget year the file describes: always {MODEL_YEARS[0]}, the budget as set in "
                         "February 2016."),
    "budget": Field(f"The {MODEL_YEARS[0]} budget as set (February 2016)."),
    "budget.funding": Figure(
        "The budget requirement: what grant and precept fund together (the net budget after planned use of reserves).",
        "The PCC's budget and precept report, February 2016: 'budget requirement' or 'net budget requirement'.",
        "£180m", document="budget-and-precept-report-2016-17.pdf", quote="The budget requirement for 2016/17 is £180m."),
    "budget.grant": Figure(
        "Central government grant: police grant, formula funding (DCLG) and legacy council tax grants together.",
        "The budget report's funding table, or the Home Office Police Grant Report 2016/17.",
        "£118.4m", document="budget-and-precept-report-2016-17.pdf",
        quote="Home Office funding for 2016/17 is £118.4m."),
    "budget.precept": Figure(
        "The council tax requirement (precept income), including any collection fund surplus.",
        "Usually derived as below; if the precept report states it, source it instead and derive the grant.",
        "£61.6m", form="derived", formula="{budget.funding} - {budget.grant}",
        note="Budget requirement less grant; includes any collection fund surplus."),
    "budget.band_d": Figure(
        "Police band D council tax for the year, in pounds.",
        "The precept report or the PCC's press release: 'Band D'.", "£177.61"),
    "budget.tax_base": Figure(
        "The council tax base: band D equivalent properties.",
        "Derived as below; or the precept report's 'tax base' (then source it and check it against the precept).",
        "346,827 band D equivalents", form="derived", formula="{budget.precept} * 1000000 / {budget.band_d}",
        note="Council tax requirement divided by band D."),
    "budget.savings": Figure(
        "New recurring savings the budget relies on (still to deliver when it was set); delivery risk applies to them.",
        "The MTFS or budget report: 'savings required in 2016/17'; HMIC PEEL efficiency 2016: 'the savings gap'.",
        "£3m", document=HMIC_STAFFS, quote="For 2016/17, the savings gap is assessed as being £3 million."),
    "budget.pay_share": Figure(
        "Share of running costs that is pay (officers, staff, PCSOs; collaboration contributions included).",
        "The budget's subjective analysis (employee costs / gross spending); if not published, an assumption "
        "around HMIC's 'around 80 percent' (national.staff_share).",
        "80%", form="assumption", low="76%", high="84%",
        reason="HMIC: 'Police forces spend around 80 percent of their budget on staffing'; the force's split is not "
               "published."),
    "budget.officer_share": Figure(
        "Officers' share of the pay bill (the rest is staff and PCSOs); splits pay between the pension schemes.",
        "Derived from the workforce (context below) and national average costs; or source it if the budget splits "
        "pay.",
        "66.7%", form="derived",
        formula="{context.officers_fte_2016} * {national.officer_average_cost} / ({context.officers_fte_2016} * "
                "{national.officer_average_cost} + ({context.staff_fte_2016} + {context.pcsos_fte_2016}) * "
                "{national.staff_average_cost})",
        note="Officers' share of pay, from the March 2016 workforce (FTE) and average costs."),
    "budget.capital_financing": Figure(
        "Interest and minimum revenue provision (MRP) on borrowing taken before the budget year.",
        "The budget report: 'capital financing', 'debt charges' or 'interest and MRP'; if not given, an assumption "
        "of about 1-2% of spending.",
        "£2.7m", form="assumption", low="£1.8m", high="£3.6m",
        reason="Capital financing is about 1-2% of spending; 1.5% of the £180m budget central."),
    "budget.net_revenue_expenditure": Figure(
        "Net revenue expenditure (NRE) as the documents state it: optional, for cross-checks (the model works NRE "
        "out itself). Delete the block if no document states it.",
        "The budget report, or HMIC PEEL efficiency 2016 ('net revenue expenditure').",
        "£180m", optional=True, document="budget-and-precept-report-2016-17.pdf",
        quote="Net revenue expenditure for 2016/17 is £180m."),
    "collaboration_spend": Field(
        f"Spending on collaboration, as forecast: a figure for every year {MODEL_YEARS[0]} to {MODEL_YEARS[-1]} "
        "(derive the years between two forecasts, as below). Write {} for a kind with none."),
    "collaboration_spend.with_forces": Years(
        "With other police forces. HMIC PEEL efficiency 2016: 'has forecast that it will spend £...m in 2016/17 on "
        "collaboration with other police forces', and the same for 2019/20.",
        {MODEL_YEARS[0]: Figure("", "", "£5.1m", document=HMIC_STAFFS,
                                quote="Staffordshire Police has forecast that it will spend £5.1m in 2016/17 on "
                                      "collaboration with other police forces."),
         MODEL_YEARS[1]: _straight_line("with_forces", 1, "£5.2m"),
         MODEL_YEARS[2]: _straight_line("with_forces", 2, "£5.3m"),
         MODEL_YEARS[3]: Figure("", "", "£5.4m", document=HMIC_STAFFS,
                                quote="For 2019/20, the force has forecast that it will spend £5.4m (3.9 percent of "
                                      "NRE) on collaboration with other police forces.")}),
    "collaboration_spend.non_police": Years(
        "With non-police organisations (HMIC PEEL efficiency 2016, the paragraph after the one above).",
        {MODEL_YEARS[0]: Figure("", "", "£6.4m"),
         MODEL_YEARS[1]: _straight_line("non_police", 1, "£6.37m"),
         MODEL_YEARS[2]: _straight_line("non_police", 2, "£6.33m"),
         MODEL_YEARS[3]: Figure("", "", "£6.3m")}),
    "reserves": Field("Usable reserves at 31 March 2016, the opening balances for 2016/17."),
    "reserves.general": Figure(
        "The general (unallocated) reserve, the last line against a shortfall.",
        "The statement of accounts 2015/16 (usable reserves note), the MTFS reserves strategy, or HMIC PEEL "
        "efficiency 2016.",
        "£6.3m", document=HMIC_STAFFS,
        quote="The general unallocated reserve will remain at prudent levels throughout this period i.e. £6.3m which "
              "represents 3.5 percent of net revenue expenditure."),
    "reserves.earmarked": Field(
        "Earmarked reserves, one block each: copy the block for each reserve (write 'earmarked: []' if none)."),
    "reserves.earmarked[].name": Field(
        "A short lower_case name, unique in the file; the reserve's figures are named after it "
        "(reserves.<name>.opening).", "budget_equalisation"),
    "reserves.earmarked[].label": Field("The reserve's name as the report shows it.", "Budget equalisation reserve"),
    "reserves.earmarked[].purpose": Field("What the reserve is for, and so what its planned drawdowns pay for.",
                                          "budget_support"),
    "reserves.earmarked[].meets_shortfall": Field(
        "Whether it meets an unplanned shortfall; delete the line for the default (only budget_support reserves do).",
        "true"),
    "reserves.earmarked[].opening": Figure(
        "Balance at 31 March 2016.", "The statement of accounts 2015/16 (earmarked reserves note) or the MTFS "
        "reserves forecast.", "£20.5m"),
    "reserves.earmarked[].planned_use": Years(
        "Planned drawdowns by year, from the MTFS reserves forecast; delete years with none ('planned_use: {}' "
        "for none).", _each_year("£1.4m")),
    "collaboration_programmes": Field(
        "Collaboration programmes with planned savings, one block each (write 'collaboration_programmes: []' if "
        "none)."),
    "collaboration_programmes[].name": Field("A short lower_case name, unique in the file.", "tri_force"),
    "collaboration_programmes[].label": Field("The programme's name as the report shows it.",
                                              "Tri-force collaboration (this force's share)"),
    "collaboration_programmes[].savings": Years(
        "Planned recurring savings, cumulative by year (the level reached that year, not the year's increase), "
        "from the business case or the MTFS; delete years before the savings start.",
        {MODEL_YEARS[1]: Figure("", "", "£1.77m"), MODEL_YEARS[2]: Figure("", "", "£3.53m"),
         MODEL_YEARS[3]: Figure("", "", "£5.3m")}),
    "collaboration_programmes[].investment": Figure(
        "The one-off investment the programme needs (optional; delete if none). If it is capital, put its spending "
        "in capital.programme too.", "The business case, or HMIC PEEL efficiency 2016.", "£21m", optional=True),
    "capital": Field("The capital programme, how it is funded (borrowing is always last) and what it buys."),
    "capital.programme": Years("Capital spending by year, from the capital programme in the MTFS or budget report.",
                               _each_year("£4.3m")),
    "capital.capital_grant": Years(
        "Home Office capital grant by year (the budget report's capital funding table); add a block for each year "
        "it is given, or write 'capital_grant: {}' if none.", _each_year("£1.1m", years=MODEL_YEARS[:1])),
    "capital.capital_receipts": Years(
        "Receipts from selling property, by year (the capital programme's funding); add a block for each year, or "
        "write 'capital_receipts: {}' if none.", _each_year("£1m", years=MODEL_YEARS[:1])),
    "capital.revenue_contribution": Years(
        "Revenue contributions to capital by year (a revenue line, paid whether or not needed); add a block for "
        "each year, or write 'revenue_contribution: {}' if none.", _each_year("£0.5m", years=MODEL_YEARS[:1])),
    "capital.asset_life": Figure(
        "The life of what the programme buys: minimum revenue provision spreads new borrowing over it, straight line.",
        "The treasury management or MRP policy statement; otherwise an assumption (ICT a few years, estates "
        "decades).",
        "15 years", form="assumption", low="7 years", high="25 years",
        reason="A mix of ICT (written off over a few years) and estates (over decades)."),
    "capital.funding_order": Field(
        "The order the programme is funded in, each source up to what is still needed; borrowing is always last. "
        "capital_reserves are planned drawdowns of reserves whose purpose is capital."),
    "pressures": Field(
        "Recurring cost pressures named in the documents, one block each (write 'pressures: []' if none)."),
    "pressures[].name": Field("A short lower_case name, unique in the file.", "safeguarding"),
    "pressures[].label": Field("What the pressure is, in a few words.",
                               "Safeguarding command budget increase made permanent"),
    "pressures[].amount": Figure("The cost a year, from its first year on.",
                                 "The MTFS's pressures or growth table, or the report that approved it.", "£0.45m"),
    "pressures[].from_year": Field(f"The first fiscal year it costs ({MODEL_YEARS[0]} to {MODEL_YEARS[-1]}).",
                                   MODEL_YEARS[1]),
    "pressures[].in_plan": Field("Whether the MTFS already carries it (true) or it arose after the plan (false).",
                                 "false"),
    "plan": Plan(
        "The MTFS's planning assumptions for the years after the budget year. Each is sourced from the MTFS as "
        "written below; if the MTFS does not state one, make it an assumption (central, low, high, reason), or "
        "delete it to use the national default in national.yaml.",
        {"grant_change": ("-1%", "the cash change in grant on the year before"),
         "precept_increase": ("1.99%", "the band D rise, as a % or a £ amount ('£5')"),
         "tax_base_growth": ("1%", "growth in the council tax base"),
         "collection_fund": ("0%", "collection fund surplus (+) or deficit (-), as a % of that year's council tax"),
         "pay_award": ("1%", "the pay award from 1 September; for 2016/17, the award the budget allowed for"),
         "pay_drift": ("0.3%", "paybill growth beyond the award: increments less savings from turnover"),
         "non_pay_inflation": ("2%", "price inflation on non-pay spending"),
         "borrowing_rate": ("3.5%", "the interest rate on new borrowing for the capital programme")}),
    "context": Named(
        "Other figures the documents give: the ones the formulas above use, and any you quote to explain or check "
        "a figure (add each under a lower_case name, then refer to it as {context.<name>}).",
        {"officers_fte_2016": Figure("Police officers, FTE at 31 March 2016.", FTE_FIND, "1,660 FTE"),
         "staff_fte_2016": Figure("Police staff, FTE at 31 March 2016.", FTE_FIND, "1,159 FTE"),
         "pcsos_fte_2016": Figure("PCSOs, FTE at 31 March 2016.", FTE_FIND, "220 FTE")}),
    "contradictions": Field(
        "Where two sources disagree about a figure: what each says, which the file uses and why, one block each "
        "(write 'contradictions: []' if your sources agree)."),
    "contradictions[].topic": Field("The figure the sources disagree about.", "Net revenue expenditure in 2016/17"),
    "contradictions[].figures": Field("What each source says, one line each.", examples=(
        "£180m: the budget report's budget requirement", "£127.5m: implied by HMIC's collaboration share of NRE")),
    "contradictions[].used": Field("Which figure the file uses.", "£180m as the budget requirement"),
    "contradictions[].reason": Field("Why.", "The budget report states it directly; HMIC's share is a ratio of "
                                             "rounded numbers."),
}
"""The words of the template: each field's meaning, where to find it and an example, by its place in the schema."""

UNIT_WORDS = {"money": "£ million", "pounds": "£ (pounds)", "rate": "%", "count": "a count with its word",
              "years": "years", "fiscal_year": "a fiscal year"}

HEADER = """\
# {title}: the {budget_year} budget as set and the MTFS to {last_year}.
#
# A force baseline for police-mtfs, written by `police-mtfs new-force {force_id}`. Replace every {todo}
# (docs/adding-a-force.md walks through it), then list '{force_id}' in a scenario's forces and run
#   police-mtfs check --data DATA scenario.yaml
# where DATA is the folder holding national.yaml and forces/{force_id}.yaml: it lists every {todo} still left,
# with its line.
#
# Every figure is exactly one of:
#   sourced     the value with its unit, and the document it comes from with a verbatim quote:
#                 value: £118.4m
#                 source:
#                   document: budget-report-2016-17.pdf   # the document's file name or title
#                   quote: "Home Office funding for 2016/17 is £118.4m."   # its words, copied exactly
#                   url: https://...   # optional: the page address, for a web page
#   derived     worked out from other figures: the stated value is checked against the formula:
#                 value: £61.6m
#                 derived:
#                   formula: "{{budget.funding}} - {{budget.grant}}"   # figures in {{braces}}, numbers, + - * / ( )
#                   note: Budget requirement less grant.   # optional
#   assumption  no document gives it: a central value, a low-high range and a one-line reason
#               (no 'value:' beside it); the Monte Carlo samples it between low and high:
#                 assumption: {{central: 80%, low: 76%, high: 84%, reason: "why this value and range"}}
# Any figure may also carry a one-line 'note:'. The form written below is the usual one for that figure;
# use another where your documents call for it.
#
# Units: money in £ million '£4.45m', band D in pounds '£177.61', rates '1.99%', counts with their word
# '1,660 FTE', years '15 years'; a bare number is an error. Fiscal years are written '2016/17'.
# {{budget.grant}}, {{reserves.<name>.opening}}, {{context.<name>}} refer to figures in this file;
# {{national.<name>}} to national.yaml.
"""


def force_template(force_id: str, name: str | None = None, *, examples: bool = False) -> str:
    """The text of a force baseline file to fill in, every figure a placeholder with its unit, meaning and example.

    Parameters
    ----------
    force_id : str
        The force's id (lower_case), which is also the file name.
    name : str, optional
        The force's name ("Kent Police"); a placeholder when not given.
    examples : bool
        Write each placeholder's example in its place instead: the same file, filled in (for tests).

    Returns
    -------
    str
        YAML with comments.

    Raises
    ------
    TemplateError
        A field of the schema has no guide in :data:`GUIDES`.
    """
    writer = _Writer(examples)
    title = name or "The force"
    writer.lines += HEADER.format(title=title, budget_year=MODEL_YEARS[0], last_year=MODEL_YEARS[-1],
                                  force_id=force_id, todo=PLACEHOLDER).splitlines() + [""]
    fixed = {"id": force_id, "budget_year": MODEL_YEARS[0]}
    if name:
        fixed["name"] = name
    writer.model(ForceEntry, "", 0, fixed)
    return "\n".join(writer.lines) + "\n"


def placeholder_count(text: str) -> int:
    """How many placeholders a template holds (values written as ``TODO``, outside comments)."""
    return len(_PLACEHOLDER_VALUE.findall(text))


_PLACEHOLDER_VALUE = re.compile(rf"^[ ]*(?:- |[^#\n]*?: )(?:- )?{PLACEHOLDER}\b", re.MULTILINE)


def write_force_template(folder: Path | str, force_id: str, name: str | None = None) -> Path:
    """Write ``<folder>/<force_id>.yaml``, the force file to fill in, never over an existing file.

    Parameters
    ----------
    folder : path-like
        Where to write it, usually ``data/forces`` (created if missing).
    force_id : str
        The force's id: lower_case letters, digits and underscores, starting with a letter.
    name : str, optional
        The force's name.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        An id that is not lower_case, a file that already exists, or a folder that cannot be written.
    """
    folder = Path(folder)
    path = folder / f"{force_id}.yaml"
    if not FORCE_ID.match(force_id) or is_placeholder(force_id):
        raise InputError("new-force ID", None, "a force id of lower_case letters, digits and underscores, starting with a "
                         "letter (it is also the file name), e.g. 'west_mercia'", force_id)
    if path.exists():
        raise InputError(path, None, "a new force file (new-force never overwrites one)",
                         Described("a file that already exists"),
                         hint="Fill in that file, delete it first, or choose another id or --out folder.")
    text = force_template(force_id, name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise InputError(path, None, "a new force file (new-force never overwrites one)",
                         Described("a file that already exists")) from None
    except OSError as exc:
        raise InputError(path, None, "a folder the force file can be written in",
                         Described(exc.strerror or str(exc))) from None
    return path


class _Writer:
    """Writes the template line by line, walking the schema."""

    def __init__(self, examples: bool) -> None:
        self.examples = examples
        self.lines: list[str] = []

    # -- helpers -------------------------------------------------------------------------------
    def slot(self, example: str, *, raw: bool = False, quoted: bool = False) -> str:
        if not self.examples:
            return PLACEHOLDER
        if quoted:
            return json.dumps(example, ensure_ascii=False)
        return example if raw else _scalar(example)

    def comment(self, indent: int, text: str) -> None:
        if text:
            width = max(60, 116 - indent)
            for line in textwrap.wrap(text, width=width, break_on_hyphens=False):
                self.lines.append(" " * indent + "# " + line)

    def line(self, indent: int, text: str, note: str = "") -> None:
        self.lines.append(" " * indent + text + (f"   # {note}" if note else ""))

    # -- the schema walk --------------------------------------------------------------------------
    def model(self, model: type[BaseModel], where: str, indent: int, fixed: dict[str, str] | None = None) -> None:
        for name, info in model.model_fields.items():
            place = f"{where}.{name}" if where else name
            guide = _guide(place)
            annotation = unwrap(info.annotation)
            if fixed and name in fixed:
                self.comment(indent, guide.meaning)
                self.line(indent, f"{name}: {_scalar(fixed[name])}")
            else:
                self.field(name, place, annotation, guide, info.default, indent)
            if not where:
                self.lines.append("")

    def field(self, key: str, place: str, annotation: Any, guide: Guide, default: Any, indent: int) -> None:
        origin = typing.get_origin(annotation)
        if annotation is FigureEntry:
            self.figure(key, _expect(guide, Figure, place), indent)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            self.comment(indent, _expect(guide, Field, place).meaning)
            self.line(indent, f"{key}:")
            self.model(annotation, place, indent + 2)
        elif origin is dict and unwrap(typing.get_args(annotation)[1]) is FigureEntry:
            if isinstance(guide, Years):
                self.comment(indent, guide.meaning)
                self.line(indent, f"{key}:")
                for year, figure in guide.years.items():
                    self.figure(year, figure, indent + 2)
            else:
                named = _expect(guide, Named, place)
                self.comment(indent, named.meaning)
                self.line(indent, f"{key}:")
                for name, figure in named.entries.items():
                    self.figure(name, figure, indent + 2)
        elif origin is dict:
            self.plan(key, _expect(guide, Plan, place), indent)
        elif origin is list:
            self.list(key, place, unwrap(typing.get_args(annotation)[0]), guide, default, indent)
        elif typing.get_origin(annotation) is Literal or annotation in (str, bool):
            field_guide = _expect(guide, Field, place)
            self.comment(indent, field_guide.meaning)
            value = self.slot(field_guide.example, raw=annotation is bool)
            self.line(indent, f"{key}: {value}", _scalar_note(annotation, field_guide))
            if key == "purpose":
                for purpose, meaning in RESERVE_PURPOSES.items():
                    self.comment(indent + 2, f"{purpose}: {meaning}")
        else:
            raise TemplateError(f"the template cannot write '{place}' ({annotation!r}); teach "
                                "model/io/force_template.py how")

    def list(self, key: str, place: str, item: Any, guide: Guide, default: Any, indent: int) -> None:
        field_guide = _expect(guide, Field, place)
        self.comment(indent, field_guide.meaning)
        if typing.get_origin(item) is Literal:
            allowed = ", ".join(typing.get_args(item))
            self.comment(indent, f"Allowed: {allowed}.")
            self.line(indent, f"{key}: [{', '.join(default)}]")
        elif item is str:
            self.line(indent, f"{key}:")
            for example in field_guide.examples:
                self.line(indent + 2, f"- {self.slot(example)}", f"e.g. {_scalar(example)}")
        elif isinstance(item, type) and issubclass(item, BaseModel):
            self.line(indent, f"{key}:")
            start = len(self.lines)
            self.model(item, f"{place}[]", indent + 4)
            first = next(i for i in range(start, len(self.lines)) if not self.lines[i].lstrip().startswith("#"))
            for index in range(start, first):
                self.lines[index] = self.lines[index][2:]
            self.lines[first] = " " * (indent + 2) + "- " + self.lines[first][indent + 4:]
        else:
            raise TemplateError(f"the template cannot write the list '{place}' of {item!r}")

    def figure(self, key: str, guide: Figure, indent: int) -> None:
        self.comment(indent, guide.meaning)
        if guide.find:
            self.comment(indent, f"Where: {guide.find}")
        unit = detect_unit(guide.example)
        if unit is None:
            raise TemplateError(f"the example {guide.example!r} of '{key}' has no unit")
        value_note = f"{UNIT_WORDS[unit]}, e.g. {guide.example}"
        self.line(indent, f"{key}:")
        inner = indent + 2
        if guide.form == "sourced":
            self.line(inner, f"value: {self.slot(guide.example)}", value_note)
            self.line(inner, "source:")
            self.line(inner + 2, f"document: {self.slot(guide.document or 'budget-report-2016-17.pdf')}",
                      "its file name or title")
            self.line(inner + 2, f"quote: {self.slot(guide.quote or f'The figure is {guide.example}.', quoted=True)}",
                      "its words that give the figure, copied exactly, in double quotes")
        elif guide.form == "derived":
            self.line(inner, f"value: {self.slot(guide.example)}", f"{value_note}: what the formula gives")
            self.line(inner, "derived:")
            self.line(inner + 2, f"formula: {_scalar(guide.formula)}")
            self.line(inner + 2, f"note: {_scalar(guide.note)}")
        else:
            self.line(inner, "assumption:")
            self.line(inner + 2, f"central: {self.slot(guide.example)}", value_note)
            self.line(inner + 2, f"low: {self.slot(guide.low)}", f"e.g. {guide.low}")
            self.line(inner + 2, f"high: {self.slot(guide.high)}", f"e.g. {guide.high}")
            self.line(inner + 2, f"reason: {self.slot(guide.reason)}", "why this value and this range, one line")

    def plan(self, key: str, guide: Plan, indent: int) -> None:
        self.comment(indent, guide.meaning)
        self.line(indent, f"{key}:")
        for input_name in PLAN_INPUTS:
            if input_name not in guide.examples:
                raise TemplateError(f"no example for the plan input '{input_name}' in GUIDES['plan']")
            declaration = INPUTS[input_name]
            example, meaning = guide.examples[input_name]
            first = MODEL_YEARS[declaration.first_year]
            self.comment(indent + 2, f"{declaration.label}: {meaning}. One value for all_years, or one per year "
                                     f"from {first} (a block for each, '{first}:' and so on).")
            self.line(indent + 2, f"{input_name}:")
            self.figure("all_years", Figure("", "", example), indent + 4)


def _guide(place: str) -> Guide:
    try:
        return GUIDES[place]
    except KeyError:
        raise TemplateError(f"the force file schema has '{place}' but the template has no guide for it: add one to "
                            "GUIDES in model/io/force_template.py") from None


def _expect(guide: Guide, kind: type, place: str) -> Any:
    if not isinstance(guide, kind):
        raise TemplateError(f"GUIDES['{place}'] should be a {kind.__name__}, not a {type(guide).__name__}")
    return guide


def _scalar_note(annotation: Any, guide: Field) -> str:
    if typing.get_origin(annotation) is Literal:
        return f"one of {', '.join(typing.get_args(annotation))}; e.g. {guide.example}"
    if annotation is bool:
        return f"true or false; e.g. {guide.example}"
    return f"e.g. {guide.example}" if guide.example else ""


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as the same text: plain where that is safe, else double-quoted."""
    try:
        plain = yaml.safe_load(text) == text and "\n" not in text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)
