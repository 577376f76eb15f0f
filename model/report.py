"""The PDF report: a title page, then two A4 portrait pages per force.

Pages are built as :class:`matplotlib.figure.Figure` objects without pyplot, so no
global figure state is created or leaked, and drawn by the functions in
:mod:`model.plots`. Page layout:

1. Title page (continued on further pages only if the description or notes are long):
   title, scenario, description, how to read the charts, forces, run metadata, notes.
2. Per force, page one: fan charts of funding against spend, and of reserves with the
   minimum general reserve.
3. Per force, page two: cumulative flag probabilities, a table of flag probabilities
   and a table of P10 / P50 / P90 for the key lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from model.plots import (
    TABLE_METRICS,
    draw_flag_probabilities,
    draw_funding_and_spend,
    draw_reserves,
    draw_table,
    fiscal_years,
    flag_table_rows,
    percentile_table_rows,
)

PAGE_SIZE_INCHES: tuple[float, float] = (8.27, 11.69)
"""A4 portrait, used for every page."""

MARGIN_INCHES = 0.55
FOOTER_HEIGHT_INCHES = 0.35
SHA_DISPLAY_CHARACTERS = 12

_POINTS_PER_INCH = 72
_TEXT_MEASURE = TextToPath()


def build_report_pdf(
    path: Path,
    summary: pd.DataFrame,
    flags: pd.DataFrame,
    plan: pd.DataFrame,
    meta: Mapping[str, object],
    appendix: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Write the report PDF for one scenario run.

    Parameters
    ----------
    path : pathlib.Path
        File to write; the caller takes care of any atomic rename.
    summary : pandas.DataFrame
        Columns ``scenario, force, year, metric, mean, p5, p10, p25, p50, p75, p90, p95``.
    flags : pandas.DataFrame
        Columns ``scenario, force, year, flag, probability, std_error``.
    plan : pandas.DataFrame
        Columns ``scenario, force, year, metric, value``: the force plan case. May be empty.
    meta : mapping
        Run metadata: ``scenario_name, title, description, scenario_file, scenario_sha256,
        seed, paths, version, created, force_names, minimum_general_reserve, notes``.
    appendix : mapping of str to DataFrame, optional
        ``provenance``, ``inputs`` and ``contradictions`` tables for the assumptions and
        provenance appendix (see :func:`model.cli.appendix_tables`).
    """
    scenario_name = str(meta["scenario_name"])
    summary = _rows_of_scenario(summary, scenario_name)
    flags = _rows_of_scenario(flags, scenario_name)
    plan = _rows_of_scenario(plan, scenario_name)
    forces = forces_in_order(summary)
    force_names = {force: display_name(force, meta) for force in forces}

    pages = title_pages(meta, forces, plan_supplied=not plan.empty)
    for force in forces:
        pages.append(
            force_overview_page(
                summary[summary["force"] == force],
                _rows_of_force(plan, force),
                force_names[force],
                _minimum_fraction(meta, force),
            )
        )
        pages.append(force_risk_page(summary, flags, force, force_names[force]))
    add_footers(pages, meta)

    pdf_metadata = {
        "Title": f"{meta['title']} ({scenario_name})",
        "Subject": "Monte Carlo medium-term financial strategy and reserves",
        "Creator": f"police-mtfs {meta['version']}",
    }
    with PdfPages(path, metadata=pdf_metadata) as pdf:
        for page in pages:
            pdf.savefig(page)


def forces_in_order(summary: pd.DataFrame) -> list[str]:
    """Force ids in the order they first appear in the summary table.

    Parameters
    ----------
    summary : pandas.DataFrame
        Table with a ``force`` column.

    Returns
    -------
    list of str
        Unique force ids.
    """
    return [str(force) for force in pd.unique(summary["force"])]


def display_name(force: str, meta: Mapping[str, object]) -> str:
    """A force's display name from ``meta['force_names']``, or a readable form of its id.

    Parameters
    ----------
    force : str
        Force id, e.g. ``"staffordshire"``.
    meta : mapping
        Run metadata with an optional ``force_names`` mapping.

    Returns
    -------
    str
        For example ``"Staffordshire Police"``.
    """
    names = meta.get("force_names") or {}
    return str(names.get(force, force.replace("_", " ").replace("-", " ").title()))


def force_overview_page(
    summary_rows: pd.DataFrame,
    plan_rows: pd.DataFrame,
    force_name: str,
    minimum_fraction: float | None,
) -> Figure:
    """Page one for a force: funding against spend, and reserves, as fan charts.

    Parameters
    ----------
    summary_rows, plan_rows : pandas.DataFrame
        Summary and plan rows of one force; the plan rows may be empty.
    force_name : str
        Display name for the titles.
    minimum_fraction : float or None
        Minimum general reserve as a fraction of NRE, for the minimum line's label.

    Returns
    -------
    matplotlib.figure.Figure
        The page.
    """
    page = _new_page(f"{force_name}: funding, spend and reserves")
    years = fiscal_years(summary_rows)
    funding_ax, reserves_ax = page.subplots(2, 1)
    draw_funding_and_spend(funding_ax, summary_rows, plan_rows, years, force_name)
    draw_reserves(reserves_ax, summary_rows, plan_rows, years, force_name, minimum_fraction)
    return page


def force_risk_page(summary: pd.DataFrame, flags: pd.DataFrame, force: str, force_name: str) -> Figure:
    """Page two for a force: flag probabilities and the P10 / P50 / P90 table.

    Parameters
    ----------
    summary, flags : pandas.DataFrame
        Summary and flag tables (all forces; the force's rows are selected here).
    force : str
        Force id.
    force_name : str
        Display name for the titles.

    Returns
    -------
    matplotlib.figure.Figure
        The page.
    """
    page = _new_page(f"{force_name}: risks and key figures")
    years = fiscal_years(summary[summary["force"] == force])
    flag_rows = flag_table_rows(flags, force, years)
    money_rows = percentile_table_rows(summary, force, TABLE_METRICS)
    grid = page.add_gridspec(3, 1, height_ratios=[11, len(flag_rows), len(money_rows)])
    chart_ax = page.add_subplot(grid[0])
    flag_table_ax = page.add_subplot(grid[1])
    money_table_ax = page.add_subplot(grid[2])

    draw_flag_probabilities(chart_ax, _rows_of_force(flags, force), years, force_name)
    draw_table(flag_table_ax, flag_rows, rows_per_group=2, label_width=0.34, qualifier_width=0.16)
    flag_table_ax.set_title(f"{force_name}: flag probabilities", loc="left", fontsize=11, fontweight="bold")
    draw_table(money_table_ax, money_rows, rows_per_group=3, emphasised_row=1)
    money_table_ax.set_title(
        f"{force_name}: key lines, P10 / P50 / P90 (£m cash)",
        loc="left",
        fontsize=11,
        fontweight="bold",
    )
    return page


@dataclass(frozen=True)
class _TextLine:
    """One line of title-page text, already wrapped to the page width."""

    text: str
    size: float = 10
    weight: str = "normal"
    indent: float = 0.0
    bullet: bool = False
    key: str = ""
    space_before: float = 0.0
    colour: str = "#111111"


def title_pages(meta: Mapping[str, object], forces: Sequence[str], plan_supplied: bool) -> list[Figure]:
    """The title page, continued onto further pages only when the text is long.

    Parameters
    ----------
    meta : mapping
        Run metadata (see :func:`build_report_pdf`).
    forces : sequence of str
        Ids of the forces in the report, in page order.
    plan_supplied : bool
        Whether a force plan case was supplied, which changes how the dashed lines are explained.

    Returns
    -------
    list of matplotlib.figure.Figure
        Usually one page.
    """
    return _flow_text(_title_lines(meta, forces, plan_supplied))


def _title_lines(meta: Mapping[str, object], forces: Sequence[str], plan_supplied: bool) -> list[_TextLine]:
    lines: list[_TextLine] = []
    lines += _paragraph(str(meta["title"]), size=20, weight="bold")
    lines += _paragraph(f"Scenario: {meta['scenario_name']}", size=13, colour="#333333", space_before=4)
    lines += _paragraph(
        "Monte Carlo medium-term financial strategy and reserves projection", size=11, colour="#555555"
    )

    description = str(meta.get("description") or "").strip()
    if description:
        lines += _heading("About this scenario")
        for number, paragraph in enumerate(description.split("\n\n")):
            lines += _paragraph(" ".join(paragraph.split()), space_before=4 if number else 0)

    paths = int(meta["paths"])
    lines += _heading("How to read this report")
    plan_sentence = (
        "The dashed line in each colour is the force plan case: the same model run once with every "
        "input at the force's own planning assumption."
        if plan_supplied
        else "No force plan case was supplied with this run, so the charts show no dashed plan lines."
    )
    for sentence in (
        f"All results are Monte Carlo estimates from {paths:,} simulated paths (seed {meta['seed']}). "
        "Percentiles and probabilities carry sampling error; probability charts show ±1.96 standard errors.",
        "Money is in £ million cash (not adjusted for inflation); band D council tax is in pounds. "
        "Negative figures are shown in brackets, e.g. (4.5).",
        "Fan charts: the light band spans P5–P95 of the simulated outcomes, the darker band P25–P75, "
        "and the solid line with markers is the median (P50).",
        plan_sentence,
        "The red dashed line is the minimum general reserve (a percentage of net revenue expenditure, NRE).",
        "Flag probabilities on the charts are cumulative: the chance the event has happened at any time "
        "by the end of that year. The tables also give the chance it happens in that year.",
    ):
        lines += _paragraph(sentence, bullet=True, space_before=3)

    lines += _heading("Forces")
    for force in forces:
        fraction = _minimum_fraction(meta, force)
        suffix = f": minimum general reserve {fraction * 100:.1f}% of NRE" if fraction is not None else ""
        lines += _paragraph(f"{display_name(force, meta)}{suffix}", bullet=True, space_before=2)

    lines += _heading("Run")
    sha = str(meta["scenario_sha256"])
    for key, value in (
        ("Scenario file", str(meta["scenario_file"])),
        ("Scenario SHA-256", f"{sha[:SHA_DISPLAY_CHARACTERS]}… (first {SHA_DISPLAY_CHARACTERS} characters)"),
        ("Random seed", str(meta["seed"])),
        ("Simulated paths", f"{paths:,}"),
        ("Package version", f"police-mtfs {meta['version']}"),
        ("Created", str(meta["created"])),
    ):
        lines += _paragraph(value, key=key, space_before=2)

    notes = [str(note) for note in (meta.get("notes") or [])]
    if notes:
        lines += _heading("Notes and caveats")
        for note in notes:
            lines += _paragraph(note, bullet=True, space_before=3)
    return lines


_KEY_COLUMN_INCHES = 1.75
_BULLET_INDENT_INCHES = 0.2


def _heading(text: str) -> list[_TextLine]:
    return _paragraph(text, size=12.5, weight="bold", space_before=14, colour="#1f3b63")


def _paragraph(
    text: str,
    size: float = 10,
    weight: str = "normal",
    bullet: bool = False,
    key: str = "",
    space_before: float = 0.0,
    colour: str = "#111111",
) -> list[_TextLine]:
    indent = _BULLET_INDENT_INCHES if bullet else _KEY_COLUMN_INCHES if key else 0.0
    width_points = (PAGE_SIZE_INCHES[0] - 2 * MARGIN_INCHES - indent) * _POINTS_PER_INCH
    wrapped = wrap_to_width(text, FontProperties(size=size, weight=weight), width_points) or [""]
    return [
        _TextLine(
            text=line,
            size=size,
            weight=weight,
            indent=indent,
            bullet=bullet and number == 0,
            key=key if number == 0 else "",
            space_before=space_before if number == 0 else 0.0,
            colour=colour,
        )
        for number, line in enumerate(wrapped)
    ]


def wrap_to_width(text: str, font: FontProperties, width_points: float) -> list[str]:
    """Break text into lines no wider than a width, measuring each line in the font.

    Parameters
    ----------
    text : str
        Text to wrap; runs of whitespace count as one space.
    font : matplotlib.font_manager.FontProperties
        Font the lines will be drawn in.
    width_points : float
        Widest line allowed, in points.

    Returns
    -------
    list of str
        The lines. A single word wider than the width is broken within the word.
    """
    space = text_width(" ", font)
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    for word in text.split():
        word_width = text_width(word, font)
        # Words are measured once and summed, because measuring every candidate line is slow for long text.
        if current and current_width + space + word_width <= width_points:
            current.append(word)
            current_width += space + word_width
            continue
        if current:
            lines.append(" ".join(current))
        while word_width > width_points and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], font) > width_points:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            word_width = text_width(word, font)
        current, current_width = [word], word_width
    if current:
        lines.append(" ".join(current))
    return lines


@lru_cache(maxsize=4096)
def text_width(text: str, font: FontProperties) -> float:
    """Width of a line of text in points when drawn in a font.

    Parameters
    ----------
    text : str
        The text, drawn on one line.
    font : matplotlib.font_manager.FontProperties
        The font and size.

    Returns
    -------
    float
        Width in points (1/72 inch).
    """
    width, _, _ = _TEXT_MEASURE.get_text_width_height_descent(text, font, ismath=False)
    return width


def _flow_text(lines: Sequence[_TextLine]) -> list[Figure]:
    width, height = PAGE_SIZE_INCHES
    top = height - MARGIN_INCHES
    bottom = MARGIN_INCHES + FOOTER_HEIGHT_INCHES
    pages = [Figure(figsize=PAGE_SIZE_INCHES)]
    y = top
    for line in lines:
        line_height = (line.size * 1.4 + line.space_before) / _POINTS_PER_INCH
        if y - line_height < bottom and y < top:
            pages.append(Figure(figsize=PAGE_SIZE_INCHES))
            y = top
            line_height = line.size * 1.4 / _POINTS_PER_INCH
        y -= line_height
        page = pages[-1]
        x = MARGIN_INCHES
        style = {"fontsize": line.size, "fontweight": line.weight, "color": line.colour, "va": "baseline"}
        if line.bullet:
            page.text(x / width, y / height, "•", **style)
        if line.key:
            page.text(x / width, y / height, line.key, fontsize=line.size, fontweight="bold", color="#333333")
        page.text((x + line.indent) / width, y / height, line.text, **style)
    return pages


def add_footers(pages: Sequence[Figure], meta: Mapping[str, object]) -> None:
    """Print the run identity and "Page i of n" at the foot of every page.

    Parameters
    ----------
    pages : sequence of matplotlib.figure.Figure
        Every page of the report, in order.
    meta : mapping
        Run metadata (see :func:`build_report_pdf`).
    """
    width, height = PAGE_SIZE_INCHES
    y = (MARGIN_INCHES * 0.6) / height
    identity = (
        f"Scenario {meta['scenario_name']} · {str(meta['scenario_sha256'])[:SHA_DISPLAY_CHARACTERS]} · "
        f"seed {meta['seed']} · {int(meta['paths']):,} paths · police-mtfs {meta['version']} · {meta['created']}"
    )
    footer_font = FontProperties(size=7)
    identity_lines = wrap_to_width(identity, footer_font, (width - 2 * MARGIN_INCHES - 0.9) * _POINTS_PER_INCH)
    identity = identity_lines[0] + (" …" if len(identity_lines) > 1 else "")
    for number, page in enumerate(pages, start=1):
        style = {"fontproperties": footer_font, "color": "#666666", "va": "bottom"}
        page.text(MARGIN_INCHES / width, y, identity, ha="left", **style)
        page.text(1 - MARGIN_INCHES / width, y, f"Page {number} of {len(pages)}", ha="right", **style)


def _new_page(title: str) -> Figure:
    width, height = PAGE_SIZE_INCHES
    page = Figure(figsize=PAGE_SIZE_INCHES, layout="constrained")
    title_baseline = height - MARGIN_INCHES - 0.15
    page.text(MARGIN_INCHES / width, title_baseline / height, title, fontsize=14, fontweight="bold", va="baseline")
    top_margin = MARGIN_INCHES + 0.3
    page.get_layout_engine().set(
        rect=(
            MARGIN_INCHES / width,
            (MARGIN_INCHES + FOOTER_HEIGHT_INCHES * 0.5) / height,
            1 - 2 * MARGIN_INCHES / width,
            1 - (MARGIN_INCHES + FOOTER_HEIGHT_INCHES * 0.5 + top_margin) / height,
        ),
        h_pad=0.08,
        hspace=0.04,
    )
    return page


def _rows_of_scenario(frame: pd.DataFrame, scenario_name: str) -> pd.DataFrame:
    """Rows of the named scenario; a table of one scenario is used whole, whatever its name."""
    if frame.empty or "scenario" not in frame.columns or frame["scenario"].nunique() == 1:
        return frame
    return frame[frame["scenario"] == scenario_name]


def _rows_of_force(frame: pd.DataFrame, force: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[frame["force"] == force]


def _minimum_fraction(meta: Mapping[str, object], force: str) -> float | None:
    minimums = meta.get("minimum_general_reserve") or {}
    fraction = minimums.get(force)
    return None if fraction is None else float(fraction)

