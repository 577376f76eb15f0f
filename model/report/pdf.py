"""The PDF report: an MTFS annex a chief finance officer can attach to a precept report.

Pages are built as :class:`matplotlib.figure.Figure` objects without pyplot, so no
global figure state is created or leaked. The numbers come from
:mod:`model.report.tables`, the charts from :mod:`model.report.charts`, and text is flowed down
the pages by :mod:`model.report.page_layout`. Page layout:

1. Summary for the panel, in plain words: per force, the chance the general reserve
   falls below its minimum, how long usable reserves last, and the budget gap.
2. About this report: scenario, how to read the charts, forces, run, notes (continued
   onto further pages only when the text is long).
3. The forces compared on one basis: reserves as % of NRE, the chance of falling below
   the minimum general reserve, and the gap as % of funding.
4. Per force, four pages: funding, spend and the gap; reserves (each one as a fan, and
   the yearly movements); risks (flag probabilities, the year of first breach, a flag
   table); and the finance officer's table (A4 landscape).
5. Appendix: the scenario's inputs, every baseline figure with its source, the
   contradictions between sources, correlations (when supplied) and the run metadata.

Each page is drawn once, when it is written, and released: the text sections are laid out
first (which block goes on which page), so the page count is known for the footers
("Page i of n") before any page is drawn, and memory stays flat in the number of forces.
The text is set in the PDF's core Helvetica when it can show every character the report
holds, and otherwise in the embedded TrueType font (:func:`model.report.style.report_style`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_pdf import FigureCanvasPdf, PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from model.declare.formatting import format_money, format_percent
from model.declare.inputs import INPUTS
from model.report.charts import (
    draw_bridge,
    draw_cross_force_measure,
    draw_first_breach,
    draw_flag_probabilities,
    draw_front_reserves,
    draw_funding_and_spend,
    draw_gap_breakdown,
    draw_reserve_fan,
    draw_reserve_movements,
    fan_legend_entries,
    legend_in_axes,
    minimum_reserve_label,
)
from model.report.drawn_tables import draw_finance_table, draw_table, flag_table_rows
from model.report.page_layout import (
    FOOTER_HEIGHT_INCHES,
    LANDSCAPE_INCHES,
    MARGIN_INCHES,
    PAGE_SIZE_INCHES,
    POINTS_PER_INCH,
    Block,
    LaidOutPage,
    TextLine,
    flow,
    heading,
    lay_out,
    paragraph,
    text_blocks,
    text_width,
    wrap_to_width,
)
from model.report.style import check_page_font, fiscal_years, force_colour, strings_in, write_in_fitting_font
from model.report.tables import (
    CROSS_FORCE_MEASURES,
    ForceHeadline,
    bridge_steps,
    cross_force_table,
    finance_table,
    finance_table_wide,
    first_breach_table,
    flag_probability_table,
    force_headline,
    gap_breakdown,
    headline_sentences,
    rating_rule,
    reserve_label,
    reserve_metrics,
    reserve_movements,
    threshold_text,
)
from model.report.text_set import font, page_text_set
from model.run.results import Appendix, RunInfo, RunResult
from model.run.summaries import cap_warnings

SHA_DISPLAY_CHARACTERS = 12
APPENDIX_FONT_SIZE = 7.0
"""Appendix tables: small, and still readable on paper (at least 6.5 pt)."""


PageMaker = Callable[[], Figure]
"""Draws one page of the report when called: pages are made one at a time, as they are written."""


def build_report_pdf(path: Path, result: RunResult, *, fonts: str = "auto") -> None:
    """Write the report PDF for one scenario run.

    Pages are drawn one at a time, each written as soon as it is drawn and then released.
    The text is set in the PDF's core Helvetica when every text the report shows is in its
    encoding (Windows-1252); otherwise, or if a page turns out to hold a character outside
    it, the whole report is set in the embedded TrueType font, so no character is ever
    shown as '?'.

    Parameters
    ----------
    path : pathlib.Path
        File to write; the caller takes care of any atomic rename.
    result : RunResult
        The run: its ``summary`` (columns ``scenario, force, year, metric, mean, p5 … p95``),
        ``flags`` (``scenario, force, year, flag, probability, std_error``), ``plan`` (the
        force plan case, ``scenario, force, year, metric, value``; may be empty), ``info``
        (the run's metadata) and ``appendix`` (inputs, provenance, contradictions and
        correlations; with none, the appendix holds the run metadata only).
    fonts : {'auto', 'embedded'}, default 'auto'
        ``'auto'``: the core font when it shows every character, else the embedded font;
        ``'embedded'``: the embedded TrueType font whatever the text (slower to write).
    """
    write_in_fitting_font(lambda core: _write_report(path, result, core), report_texts(result), fonts)


def _write_report(path: Path, result: RunResult, core: bool) -> None:
    info = result.info
    pdf_metadata = {
        "Title": f"{info.title} ({info.scenario_name})",
        "Subject": "Monte Carlo medium-term financial strategy and reserves",
        "Creator": f"police-mtfs {info.version}",
    }
    makers = report_pages(result)
    with PdfPages(path, metadata=pdf_metadata) as pdf:
        for number, make in enumerate(makers, start=1):
            page = make()
            add_footer(page, number, len(makers), info)
            write_page(pdf, page)
            check_page_font(page, core)
            release_page(page)


def report_pages(result: RunResult) -> list[PageMaker]:
    """Every page of the report, in order, as a callable that draws it.

    The text sections (the front page, about this report, the appendix) are laid out here,
    so the number of pages is known; nothing is drawn until a page is called.

    Parameters
    ----------
    result : RunResult
        As for :func:`build_report_pdf`.

    Returns
    -------
    list of callable
        Each returns a new :class:`~matplotlib.figure.Figure` (without its footer).
    """
    info = result.info
    summary = _rows_of_scenario(result.summary, info.scenario_name)
    flags = _rows_of_scenario(result.flags, info.scenario_name)
    plan = _rows_of_scenario(result.plan, info.scenario_name)
    cases = _rows_of_scenario(result.cases, info.scenario_name)
    forces = forces_in_order(summary)
    names = {force: info.force_name(force) for force in forces}
    paths = info.paths

    def laid_out(pages: Sequence[LaidOutPage]) -> list[PageMaker]:
        return [page.render for page in pages]

    makers = laid_out(lay_out(_front_blocks(summary, flags, info, forces, plan)))
    makers += laid_out(lay_out(text_blocks(_title_lines(info, forces, plan_supplied=not plan.empty))))
    makers.append(lambda: cross_force_page(summary, flags, forces, names, paths))
    if not result.bridge.empty:
        for begin in range(0, len(forces), BRIDGE_FORCES_PER_PAGE):
            chunk = list(forces[begin: begin + BRIDGE_FORCES_PER_PAGE])
            makers.append(lambda chunk=chunk: bridge_page(result.bridge, chunk, names))
    for force in forces:
        name = names[force]
        makers += [
            lambda force=force, name=name: force_funding_page(_rows_of_force(summary, force),
                                                              _rows_of_force(plan, force), force, name),
            lambda force=force, name=name: force_reserves_page(_rows_of_force(summary, force),
                                                               _rows_of_force(plan, force), force, name,
                                                               info.minimum_general_rate(force)),
            lambda force=force, name=name: force_risk_page(flags, force, name, paths),
            lambda force=force, name=name: force_table_page(cases, force, name),
        ]
    makers += laid_out(lay_out(_appendix_blocks(result.appendix, info, names)))
    return makers


def write_page(pdf: PdfPages, page: Figure) -> None:
    """Write a page to the PDF, drawing it once.

    A page laid out by constrained layout is laid out here, with the PDF renderer that
    writes it, and then saved with its layout fixed: :meth:`~matplotlib.figure.Figure.savefig`
    would otherwise draw the whole page once, without output, only to lay it out, and then
    again to write it.

    Parameters
    ----------
    pdf : matplotlib.backends.backend_pdf.PdfPages
    page : matplotlib.figure.Figure
    """
    engine = page.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        # The PDF canvas measures text as the PDF writes it (the core font's metrics in that mode).
        FigureCanvasPdf(page)
        engine.execute(page)
        page.set_layout_engine(None)
    pdf.savefig(page)


def release_page(page: Figure) -> None:
    """Let a written page go: its charts are taken off it, so nothing of it is held once the page is dropped.

    (:meth:`~matplotlib.figure.Figure.clear` would also reset each chart, making new tick
    marks only to throw them away.)

    Parameters
    ----------
    page : matplotlib.figure.Figure
    """
    for ax in tuple(page.axes):
        page.delaxes(ax)


EXTENDS_ARROW = ", which extends "
"""Between the files of a scenario's ``extends:`` chain in the appendix (words, so the core font prints it)."""


def report_texts(result: RunResult) -> Iterator[str]:
    """The texts the report takes from a run: names, titles, sources, quotes, labels, every appendix cell.

    Every string of the run's metadata and tables (not the loaded scenario, which the
    report does not read), and the report's own characters that depend on the run. Used
    to choose the font before a page is drawn; each page is checked again as it is written.

    Parameters
    ----------
    result : RunResult

    Yields
    ------
    str
    """
    info = result.info
    for item in dataclasses.fields(info):
        if item.name not in _NOT_IN_THE_REPORT:
            yield from strings_in(getattr(info, item.name))
    for value in (result.summary, result.flags, result.plan, result.cases, result.bridge, result.appendix):
        yield from strings_in(value)
    if len(info.chain) > 1:
        yield EXTENDS_ARROW


_NOT_IN_THE_REPORT = frozenset({"resolved_yaml"})
"""Fields of the run's metadata the report does not print (the resolved scenario goes to ``resolved.yaml``)."""


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


# --------------------------------------------------------------------------------------
# Page 1: the summary for the panel
# --------------------------------------------------------------------------------------

def front_pages(summary: pd.DataFrame, flags: pd.DataFrame, info: RunInfo, forces: Sequence[str],
                plan: pd.DataFrame | None = None) -> list[Figure]:
    """The front page for the Police and Crime Panel: per force a rating with its rule, a small chart
    of usable reserves against the minimum, and three sentences.

    Parameters
    ----------
    summary, flags : pandas.DataFrame
        Summary and flag tables of the scenario.
    info : RunInfo
        The run's metadata (its ``rating`` thresholds among them).
    forces : sequence of str
        Force ids, in page order.
    plan : pandas.DataFrame, optional
        The force plan case, for the plan's figures beside the simulated ones.

    Returns
    -------
    list of matplotlib.figure.Figure
        One page for up to three forces; more flow on.
    """
    return flow(_front_blocks(summary, flags, info, forces, plan))


def _front_blocks(summary: pd.DataFrame, flags: pd.DataFrame, info: RunInfo, forces: Sequence[str],
                  plan: pd.DataFrame | None = None) -> list[Block]:
    years = fiscal_years(summary)
    span = f"{years[0]} to {years[-1]}" if years else ""
    amber, red = info.rating
    lines: list[TextLine] = []
    lines += paragraph(f"MTFS {span}: reserves and risk", size=16, weight="bold")
    lines += paragraph(f"{info.title} (scenario: {info.scenario_name})", size=10, colour="#333333",
                        space_before=2)
    lines += heading("Summary for the Police and Crime Panel", space_before=6)
    for sentence in (
        f"Each force's finances are run {info.paths:,} times ('paths') with different but plausible grant, council "
        "tax, pay, prices, savings delivery and one-off costs. 'The middle of the simulated outcomes' is the median "
        "path: half do better, half worse; one path in ten falls below P10, one in ten above P90. 'The force's "
        "plan' is the model run once on the force's own planning assumptions. NRE: net revenue expenditure. Money "
        "is in £ million cash.",
        f"Rating: red where the chance of the general reserve falling below its minimum by {years[-1]} is "
        f"{threshold_text(red)} or more, amber from {threshold_text(amber)}, green below (the scenario's "
        "'rating' setting). Charts: the solid line is the middle of the simulated outcomes with its P10–P90 band, "
        "the dashed line the force's plan, the dotted red line the minimum general reserve.",
        info.view,
    ):
        lines += paragraph(sentence, size=8.5, bullet=True, space_before=2, colour="#333333")
    blocks = text_blocks(lines)
    for force in forces:
        blocks.append(_force_panel(force_headline(summary, flags, force, info, plan), force))
    return blocks


PANEL_HEIGHT_INCHES = 2.15
"""The least a force's panel on page 1 takes: its name, the chart (whose bottom is 1.94 inches down) and the
chart's year labels, so the next force's name clears them however few lines the sentences take."""
PANEL_CHART_INCHES = (2.2, 1.4)
BADGE_INCHES = (0.75, 0.24)


def _force_panel(headline: ForceHeadline, force: str) -> Block:
    """One force on page 1: name and rating badge, the rule beside it, the chart, three sentences."""
    colour = force_colour(force)
    content_width = PAGE_SIZE_INCHES[0] - 2 * MARGIN_INCHES
    text_left = MARGIN_INCHES + PANEL_CHART_INCHES[0] + 0.35
    text_points = (PAGE_SIZE_INCHES[0] - MARGIN_INCHES - text_left - 0.15) * POINTS_PER_INCH
    sentences = [wrap_to_width(sentence, FontProperties(size=8.5), text_points)
                 for sentence in headline_sentences(headline)]

    def draw(page: Figure, top: float) -> None:
        width, height = page.get_size_inches()
        y = top - 0.22
        page.text(MARGIN_INCHES / width, y / height, headline.force_name, fontsize=12, fontweight="bold",
                  color=colour, va="baseline")
        name_inches = text_width(headline.force_name, FontProperties(size=12, weight="bold")) / POINTS_PER_INCH
        badge_left = MARGIN_INCHES + name_inches + 0.2
        level = headline.rating
        page.patches.append(Rectangle((badge_left / width, (y - 0.06) / height), BADGE_INCHES[0] / width,
                                      BADGE_INCHES[1] / height, transform=page.transFigure, color=level.colour,
                                      linewidth=0))
        page.text((badge_left + BADGE_INCHES[0] / 2) / width, (y - 0.06 + BADGE_INCHES[1] / 2) / height,
                  level.label.upper(), fontsize=8.5, fontweight="bold", color="white", ha="center", va="center")
        rule_left = badge_left + BADGE_INCHES[0] + 0.12
        rule_points = (MARGIN_INCHES + content_width - rule_left) * POINTS_PER_INCH
        rule = wrap_to_width(rating_rule(headline), FontProperties(size=7.5), rule_points)
        for number, line in enumerate(rule[:2]):
            page.text(rule_left / width, (y + 0.04 - number * 0.13) / height, line, fontsize=7.5, color="#333333",
                      va="baseline")
        chart_top = y - 0.32
        ax = page.add_axes(((MARGIN_INCHES + 0.35) / width, (chart_top - PANEL_CHART_INCHES[1]) / height,
                            (PANEL_CHART_INCHES[0] - 0.35) / width, (PANEL_CHART_INCHES[1] - 0.2) / height))
        draw_front_reserves(ax, headline.years, headline.total_reserves, headline.minimum_general,
                            headline.plan_total_reserves, colour)
        text_y = chart_top - 0.05
        for wrapped in sentences:
            for number, line in enumerate(wrapped):
                if number == 0:
                    page.text((text_left - 0.13) / width, text_y / height, "•", fontsize=8.5, color=colour,
                              va="baseline")
                page.text(text_left / width, text_y / height, line, fontsize=8.5, color="#111111", va="baseline")
                text_y -= 8.5 * 1.32 / POINTS_PER_INCH
            text_y -= 0.05

    needed = max(PANEL_HEIGHT_INCHES, 0.62 + sum(len(w) for w in sentences) * 8.5 * 1.32 / POINTS_PER_INCH
                 + 0.05 * len(sentences))
    return Block(height=needed, draw=draw, space_before=0.08)


# --------------------------------------------------------------------------------------
# Page 2: about this report
# --------------------------------------------------------------------------------------


def _title_lines(info: RunInfo, forces: Sequence[str], plan_supplied: bool) -> list[TextLine]:
    lines: list[TextLine] = []
    lines += paragraph(str(info.title), size=17, weight="bold", colour="#111111")
    lines += paragraph(f"Scenario: {info.scenario_name}", size=12, colour="#333333", space_before=4)
    lines += paragraph(
        "Monte Carlo medium-term financial strategy and reserves projection", size=10.5, colour="#555555"
    )

    description = info.description.strip()
    if description:
        lines += heading("About this scenario")
        for number, text in enumerate(description.split("\n\n")):
            lines += paragraph(" ".join(text.split()), size=9, space_before=4 if number else 0)

    paths = info.paths
    lines += heading("How to read this report")
    plan_sentence = (
        "The force plan (dashed lines, and the 'Force plan' column of the tables) is the same model run once "
        "with every input at the force's own planning assumption."
        if plan_supplied
        else "No force plan case was supplied with this run, so the charts show no dashed plan lines."
    )
    for sentence in (
        f"All results are Monte Carlo estimates from {paths:,} simulated paths (seed {info.seed}). "
        "Probabilities carry sampling error: their bars and brackets are 95% Wilson intervals.",
        "Money is in £ million cash (not adjusted for inflation); band D council tax is in pounds. "
        "Negative figures, deductions and draws on reserves are in brackets, e.g. (4.5).",
        "Fan charts: the light band spans P5–P95 of the simulated outcomes, the darker band P25–P75, "
        "and the solid line with markers is the median (P50).",
        plan_sentence,
        "The red dotted line is the minimum general reserve (a percentage of net revenue expenditure, NRE).",
        "Finance tables: each column is one projection and adds up down the page: upside and downside put every "
        "input at its favourable or unfavourable 1-in-10 value (the optimistic and pessimistic cases), median "
        "every input at its median, plan the force's own assumptions.",
        "Gap charts and cumulative figures add up yearly medians; they are labelled as such, because the median "
        "of a total is not the total of the medians.",
    ):
        lines += paragraph(sentence, size=9, bullet=True, space_before=2)

    lines += heading("Forces")
    for force in forces:
        fraction = info.minimum_general_rate(force)
        suffix = f": minimum general reserve {fraction * 100:.1f}% of NRE" if fraction is not None else ""
        lines += paragraph(f"{info.force_name(force)}{suffix}", size=9.5, bullet=True, space_before=2,
                            marker_colour=force_colour(force))

    lines += heading("Run")
    sha = str(info.scenario_sha256)
    for key, value in (
        ("Scenario file", str(info.scenario_file)),
        ("Scenario SHA-256", f"{sha[:SHA_DISPLAY_CHARACTERS]}… (in full in the appendix)"),
        ("Random seed", str(info.seed)),
        ("Simulated paths", f"{paths:,}"),
        ("Package version", f"police-mtfs {info.version}"),
        ("Created", str(info.created)),
    ):
        lines += paragraph(value, key=key, size=9.5, space_before=2)

    sources = [str(source) for source in info.sources]
    # Notes that only repeat a source are left to the appendix, which lists every source.
    notes = [str(note) for note in info.notes if not any(str(note).endswith(s) for s in sources)]
    if sources:
        notes.append("The sources of the scenario's ranges are listed in appendix A6.")
    if notes:
        lines += heading("Notes and caveats")
        for note in notes:
            lines += paragraph(note, size=9, bullet=True, space_before=2)
    return lines


# --------------------------------------------------------------------------------------
# Chart pages
# --------------------------------------------------------------------------------------

def cross_force_page(
    summary: pd.DataFrame,
    flags: pd.DataFrame,
    forces: Sequence[str],
    names: Mapping[str, str],
    paths: int,
) -> Figure:
    """The forces compared on one basis, year by year.

    Parameters
    ----------
    summary, flags : pandas.DataFrame
        Summary and flag tables of every force.
    forces : sequence of str
        Force ids in drawing order.
    names : mapping of str to str
        Display name per force.
    paths : int
        Number of Monte Carlo paths.

    Returns
    -------
    matplotlib.figure.Figure
    """
    caption = _caption_lines(
        "Reserves and the gap are divided by the median NRE or funding of the same year, because the summary holds "
        "no per-path ratio; bars run from P10 to P90 of the reserves or the gap. The chance of the general reserve "
        "falling below its minimum is cumulative (at any time by the end of that year); its bars are 95% intervals.")
    page = _new_page("The forces compared", reserve_bottom=_caption_height(caption))
    table = cross_force_table(summary, flags, paths)
    years = fiscal_years(summary)
    grid = page.add_gridspec(4, 1, height_ratios=[0.2, 1, 1, 1])
    handles: list[object] = []
    labels: list[str] = []
    for row, measure in enumerate(CROSS_FORCE_MEASURES, start=1):
        ax = page.add_subplot(grid[row])
        handles, labels = draw_cross_force_measure(ax, table, measure, forces, names, years)
    legend_in_axes(page.add_subplot(grid[0]), handles, labels, ncols=max(1, len(forces)))
    _draw_caption(page, caption)
    return page


BRIDGE_FORCES_PER_PAGE = 3



def bridge_page(bridge: pd.DataFrame, forces: Sequence[str], names: Mapping[str, str]) -> Figure:
    """One page of the bridge from each force's plan to the middle of its simulated outcomes.

    Parameters
    ----------
    bridge : pandas.DataFrame
        The plan-to-median bridge (:func:`model.run.bridge.bridge_table`).
    forces : sequence of str
        The forces of this page, at most :data:`BRIDGE_FORCES_PER_PAGE`.
    names : mapping of str to str

    Returns
    -------
    matplotlib.figure.Figure
    """
    first = bridge.iloc[0]
    caption = _caption_lines(
        f"Total usable reserves at 31 March {int(str(first['year'])[:4]) + 1}. Each bar switches one group of inputs "
        "from the force's plan to its simulated values, in the order shown, and moves the median by that much; "
        "the groups below it are still at plan, so where groups interact the order matters. Every stage runs on "
        f"the same {int(first['paths']):,} paths and random draws (the first of the run), so the steps are the "
        "groups' effects, not sampling noise, and add up exactly to the difference between the plan and the median.")
    page = _new_page("From each force's plan to the middle of the simulated outcomes",
                     reserve_bottom=_caption_height(caption))
    grid = page.add_gridspec(BRIDGE_FORCES_PER_PAGE, 1)
    for row, force in enumerate(forces):
        ax = page.add_subplot(grid[row])
        draw_bridge(ax, bridge_steps(bridge, force), names[force], force_colour(force))
    _draw_caption(page, caption)
    return page


def force_funding_page(summary_rows: pd.DataFrame, plan_rows: pd.DataFrame, force: str, force_name: str) -> Figure:
    """Per force: funding against spend as fans, and the gap before savings split into its parts.

    Parameters
    ----------
    summary_rows, plan_rows : pandas.DataFrame
        Summary and plan rows of one force; the plan rows may be empty.
    force : str
        Force id.
    force_name : str
        Display name for the titles.

    Returns
    -------
    matplotlib.figure.Figure
    """
    caption = _caption_lines(
        "Each bar is the gap before savings (spending before savings less funding), split into the savings "
        "delivered, the planned use of reserves and what is left: the unplanned gap. Parts are medians, so they "
        "need not add up to the median total; the cumulative chart adds up the yearly medians.")
    page = _new_page(f"{force_name}: funding, spend and the budget gap", reserve_bottom=_caption_height(caption))
    years = fiscal_years(summary_rows)
    grid = page.add_gridspec(3, 2, height_ratios=[1.25, 1, 0.16])
    draw_funding_and_spend(page.add_subplot(grid[0, :]), summary_rows, plan_rows, years, "Funding and spend (NRE)")
    breakdown = gap_breakdown(summary_rows, plan_rows, force)
    handles, labels = draw_gap_breakdown(page.add_subplot(grid[1, 0]), breakdown, years, cumulative=False,
                                         chart_title="Gap before savings, each year")
    draw_gap_breakdown(page.add_subplot(grid[1, 1]), breakdown, years, cumulative=True,
                       chart_title="Gap before savings, cumulative")
    legend_in_axes(page.add_subplot(grid[2, :]), handles, labels, ncols=2)
    _draw_caption(page, caption)
    return page


def force_reserves_page(
    summary_rows: pd.DataFrame,
    plan_rows: pd.DataFrame,
    force: str,
    force_name: str,
    minimum_fraction: float | None,
) -> Figure:
    """Per force: the general reserve, each earmarked reserve and the total as fans, and the yearly movements.

    Parameters
    ----------
    summary_rows, plan_rows : pandas.DataFrame
        Summary and plan rows of one force; the plan rows may be empty.
    force : str
        Force id.
    force_name : str
        Display name for the titles.
    minimum_fraction : float or None
        Minimum general reserve as a fraction of NRE, for the minimum line's label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    page = _new_page(f"{force_name}: reserves at 31 March")
    years = fiscal_years(summary_rows)
    panels = [("general_reserve", "General reserve", True)]
    panels += [(metric, f"{reserve_label(metric)} reserve", False) for metric in reserve_metrics(summary_rows)]
    panels += [("total_reserves", "Total usable reserves", False)]
    fan_rows = math.ceil(len(panels) / 2)
    grid = page.add_gridspec(fan_rows + 2, 2, height_ratios=[1] * fan_rows + [0.2, 1.55])
    for number, (metric, chart_title, minimum) in enumerate(panels):
        row, column = divmod(number, 2)
        last_alone = number == len(panels) - 1 and column == 0
        ax = page.add_subplot(grid[row, :] if last_alone else grid[row, column])
        draw_reserve_fan(ax, summary_rows, plan_rows, metric, years, chart_title, minimum=minimum)
    handles, labels = fan_legend_entries(plan_drawn=not plan_rows.empty,
                                         minimum_label=minimum_reserve_label(minimum_fraction))
    legend_in_axes(page.add_subplot(grid[fan_rows, :]), handles, labels, ncols=2)
    draw_reserve_movements(page.add_subplot(grid[fan_rows + 1, :]), reserve_movements(summary_rows, force), years,
                           "What happens to usable reserves each year (medians)")
    return page


def force_risk_page(flags: pd.DataFrame, force: str, force_name: str, paths: int) -> Figure:
    """Per force: the chance of each flag by year, when the minimum is first breached, and a flag table.

    Parameters
    ----------
    flags : pandas.DataFrame
        Flag table (all forces; the force's rows are selected here).
    force : str
        Force id.
    force_name : str
        Display name for the titles.
    paths : int
        Number of Monte Carlo paths, for the 95% intervals.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = flag_probability_table(flags, force, paths)
    years = fiscal_years(table) if len(table) else []
    rows = flag_table_rows(table, years)
    table_inches = 0.21 * len(rows)
    page = _new_page(f"{force_name}: risks to reserves", reserve_bottom=table_inches + 0.45)
    grid = page.add_gridspec(2, 1, height_ratios=[1.3, 0.85])
    draw_flag_probabilities(page.add_subplot(grid[0]), table, years,
                            "Chance each event has happened by the end of the year")
    draw_first_breach(page.add_subplot(grid[1]), first_breach_table(flags, force, paths),
                      "When the general reserve first falls below its minimum")
    width, height = PAGE_SIZE_INCHES
    # The table spans the full text width, outside the charts' layout, which indents for their axis labels.
    table_ax = page.add_axes((MARGIN_INCHES / width, (MARGIN_INCHES + FOOTER_HEIGHT_INCHES) / height,
                              1 - 2 * MARGIN_INCHES / width, table_inches / height))
    draw_table(table_ax, rows, rows_per_group=2, label_width=0.25, qualifier_width=0.12, max_value_width=0.1575,
               font_size=7.5)
    table_ax.set_title("Chance of each event, with 95% intervals", loc="left", fontsize=10.5, fontweight="bold")
    return page


def force_table_page(cases: pd.DataFrame, force: str, force_name: str) -> Figure:
    """Per force: the finance officer's table on an A4 landscape page, one deterministic case per column.

    Parameters
    ----------
    cases : pandas.DataFrame
        The deterministic cases (all forces; the force's rows are selected here).
    force : str
        Force id.
    force_name : str
        Display name for the title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    width, height = LANDSCAPE_INCHES
    page = Figure(figsize=LANDSCAPE_INCHES)
    wide = finance_table_wide(finance_table(cases, force))
    years = list(dict.fromkeys(column[0] for column in wide.columns if isinstance(column, tuple)))
    top = height - MARGIN_INCHES
    texts = page_text_set(page)
    texts.add(MARGIN_INCHES / width, (top - 0.2) / height, f"{force_name}: medium-term financial plan", font(14, "bold"))
    intro = ("Each column is one projection, so it adds up down the page. Upside / Downside: every input at its "
             "favourable / unfavourable 1-in-10 value (the optimistic and pessimistic cases); Median: every input at "
             "its median; Plan: the force's own planning assumptions. The spread of each line across the simulated paths is on the funding, reserves "
             "and risk pages and in the workbook's Percentiles sheet.")
    text_width_points = (width - 2 * MARGIN_INCHES) * POINTS_PER_INCH
    y = top - 0.48
    for line in wrap_to_width(intro, FontProperties(size=8.5), text_width_points):
        texts.add(MARGIN_INCHES / width, y / height, line, font(8.5), colour="#333333")
        y -= 8.5 * 1.35 / POINTS_PER_INCH
    note = ("Totals are of the unrounded lines, so a rounded column may differ from its total by 0.1. Deductions "
            "(savings, planned use of reserves) and surpluses (a negative gap) are in brackets. Savings delivered "
            "include any management action's savings.")
    note_lines = wrap_to_width(note, FontProperties(size=7.5), text_width_points)
    table_bottom = MARGIN_INCHES + FOOTER_HEIGHT_INCHES + 0.1 + len(note_lines) * 7.5 * 1.35 / POINTS_PER_INCH
    ax = page.add_axes((MARGIN_INCHES / width, table_bottom / height, 1 - 2 * MARGIN_INCHES / width,
                        (y - 0.08 - table_bottom) / height))
    label_inches = max(text_width(str(label), FontProperties(size=7.5, weight="bold")) for label in wide["label"])
    label_inches = label_inches / POINTS_PER_INCH + 0.25
    draw_finance_table(ax, wide, years, label_width=label_inches / (width - 2 * MARGIN_INCHES))
    y = table_bottom - 0.12
    for line in note_lines:
        texts.add(MARGIN_INCHES / width, y / height, line, font(7.5), colour="#555555")
        y -= 7.5 * 1.35 / POINTS_PER_INCH
    return page


# --------------------------------------------------------------------------------------
# Appendix
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """A column of an appendix table: heading, width in inches, and the table field it shows."""

    heading: str
    width: float
    field: str


INPUT_COLUMNS = (
    Column("Input", 1.55, "input"),
    Column("Applies to", 1.45, "force"),
    Column("Years", 1.2, "year"),
    Column("Distribution", 1.25, "distribution"),
    Column("Parameters", 1.72, "parameters"),
)
PROVENANCE_COLUMNS = (
    Column("Figure", 1.6, "figure"),
    Column("Kind", 0.7, "kind"),
    Column("Value (range)", 0.85, "value_range"),
    Column("Source", 1.55, "source"),
    Column("Quote, derivation or reason", 2.47, "detail"),
)
EVIDENCE_COLUMNS = (
    Column("Input, applies to", 1.2, "where"),
    Column("Scenario's range", 1.5, "scenario"),
    Column("History it was judged against", 2.0, "history"),
    Column("Fitted to the history, P5-P95", 0.95, "fitted"),
    Column("Compared", 1.52, "compared"),
)
CAP_COLUMNS = (
    Column("Force", 2.6, "force"),
    Column("Year", 1.0, "year"),
    Column("Share of paths cut", 1.6, "share"),
    Column("Council tax forgone that year (mean)", 2.0, "cost"),
)

CONTRADICTION_COLUMNS = (
    Column("Topic", 1.1, "topic"),
    Column("Figures in the sources", 2.3, "figures"),
    Column("Figure the model uses", 1.6, "used"),
    Column("Why", 2.17, "reason"),
)



def _appendix_blocks(appendix: Appendix, info: RunInfo, names: Mapping[str, str]) -> list[Block]:
    blocks: list[Block] = []
    blocks += text_blocks(paragraph("Appendix: assumptions, sources and run", size=16, weight="bold"))
    inputs = appendix.inputs
    blocks += _section("A1. The scenario's uncertain inputs",
                       "How each input is drawn on every path. 'Force plan' inputs follow each force's own planning "
                       "assumption; 'fixed' ones take the value shown.")
    blocks += _table_blocks(INPUT_COLUMNS, _input_rows(inputs, names)) if _has_rows(inputs) else _none_supplied()

    blocks += _section("A1b. National ranges beside the history they were judged against",
                       "Each national input as the scenario states it, beside the 2010-2016 values it was judged "
                       "against (data/history-2010-2016.csv, the rows cited) and a normal fitted to them by maximum "
                       "likelihood, compared on P5-P95. Why each range differs is in the scenario's sources; "
                       "police-mtfs fit gives every family (docs/evidence.md).")
    evidence = appendix.evidence
    if _has_rows(evidence):
        blocks += _table_blocks(EVIDENCE_COLUMNS, [{
            "where": f"{r.input}: {'all forces' if r.force == 'all' else names.get(r.force, r.force)}, {r.year}",
            "scenario": r.stated + (f"; {r.scenario_range}" if r.scenario_range else ""),
            "history": f"{r.history}: {r.history_values} ({r.rows})",
            "fitted": r.fitted_range, "compared": r.compared} for r in evidence.itertuples()])
    else:
        blocks += _none_supplied("The data folder names no history for the national inputs (data/evidence.yaml).")

    provenance = appendix.provenance
    blocks += _section("A2. Every baseline figure and where it comes from",
                       "Sourced figures quote their document; derived figures give their formula; assumptions give "
                       "their range (sampled by the Monte Carlo when the baseline is sampled) and the reason.")
    if _has_rows(provenance):
        for force, rows in provenance.groupby("force", sort=False):
            blocks += _subheading(names.get(str(force), str(force)))
            blocks += _table_blocks(PROVENANCE_COLUMNS, _provenance_rows(rows))
    else:
        blocks += _none_supplied()

    contradictions = appendix.contradictions
    blocks += _section("A3. Where the sources disagree, and the figure the model uses", "")
    if _has_rows(contradictions):
        for force, rows in contradictions.groupby("force", sort=False):
            blocks += _subheading(names.get(str(force), str(force)))
            blocks += _table_blocks(CONTRADICTION_COLUMNS, rows.to_dict("records"))
    else:
        blocks += _none_supplied("No contradictions between sources were recorded.")

    correlations = appendix.correlations
    blocks += _section("A4. Correlations between inputs",
                       "Rank (Spearman) correlations the scenario states and those the Monte Carlo used: a set that "
                       "is not a valid correlation matrix is repaired to the nearest valid one.")
    if _has_rows(correlations):
        columns = tuple(Column(str(c).replace("_", " ").capitalize(), (PAGE_SIZE_INCHES[0] - 2 * MARGIN_INCHES)
                               / len(correlations.columns), str(c)) for c in correlations.columns)
        blocks += _table_blocks(columns, correlations.astype(str).to_dict("records"))
    else:
        blocks += _none_supplied("The scenario states no correlations: its inputs are drawn independently "
                                 "(national inputs are still shared by every force).")

    blocks += _section("A5. Band D rises cut by the referendum limit, and other warnings",
                       "Where a precept rule asked for a rise above the most the referendum limit allowed, the rise "
                       "was cut to it: the share of paths where that happened and the council tax forgone that year "
                       "on average over all paths (cuts in earlier years included).")
    caps = appendix.precept_caps
    if _has_rows(caps):
        records = [{"force": names.get(str(row.force), str(row.force)), "year": str(row.year),
                    "share": format_percent(float(row.share_of_paths)),
                    "cost": format_money(float(row.council_tax_forgone_mean))} for row in caps.itertuples()]
        blocks += _table_blocks(CAP_COLUMNS, records)
    else:
        blocks += _none_supplied("No band D rise was cut by the referendum limit on any path.")
    # The table above already says what each cap warning says.
    shown = set(cap_warnings(caps, names)) if _has_rows(caps) else set()
    for warning in (w for w in info.warnings if w not in shown):
        blocks += text_blocks(paragraph(f"Warning: {warning}.", size=8.5, bullet=True, space_before=2))

    blocks += _section("A6. Run", "")
    blocks += text_blocks(_run_lines(info))
    return blocks


def _has_rows(frame: pd.DataFrame | None) -> bool:
    return frame is not None and len(frame) > 0


def _section(title_text: str, intro: str) -> list[Block]:
    lines = heading(title_text, space_before=12)
    if intro:
        lines += paragraph(intro, size=8.5, colour="#444444", space_before=2)
    blocks = text_blocks(lines)
    for block in blocks:
        block.keep_with_next = True
    return blocks


def _subheading(text: str) -> list[Block]:
    blocks = text_blocks(paragraph(text, size=10, weight="bold", space_before=8, colour="#333333"))
    for block in blocks:
        block.keep_with_next = True
    return blocks


def _none_supplied(text: str = "Not supplied with this run.") -> list[Block]:
    return text_blocks(paragraph(text, size=9, colour="#444444", space_before=2))


def _input_rows(inputs: pd.DataFrame, names: Mapping[str, str]) -> list[dict[str, str]]:
    rows = []
    for record in inputs.to_dict("records"):
        name = str(record["input"])
        label = INPUTS[name].label if name in INPUTS else name.replace("shock: ", "Shock: ").replace("_", " ")
        forces = ", ".join(names.get(f.strip(), f.strip()) for f in str(record["force"]).split(","))
        rows.append({"input": label, "force": "All forces" if forces == "all" else forces,
                     "year": str(record["year"]), "distribution": str(record["distribution"]),
                     "parameters": str(record["parameters"])})
    return rows


def _provenance_rows(provenance: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for record in provenance.to_dict("records"):
        low, high = _cell_text(record.get("low")), _cell_text(record.get("high"))
        value_range = _cell_text(record["value"]) + (f" ({low} to {high})" if low and high else "")
        rows.append(record | {"value_range": value_range})
    return rows


def _cell_text(value: object) -> str:
    """A table value as text; None and NaN (an empty CSV cell) are blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _table_blocks(columns: Sequence[Column], records: Sequence[Mapping[str, object]],
                  size: float = APPENDIX_FONT_SIZE) -> list[Block]:
    header = _table_row_block(columns, {c.field: c.heading for c in columns}, size, bold=True)
    blocks = [header]
    for number, record in enumerate(records):
        row = _table_row_block(columns, record, size, shaded=number % 2 == 1)
        row.header = header
        blocks.append(row)
    header.keep_with_next = True
    return blocks


_CELL_PAD_INCHES = 0.04


def _table_row_block(columns: Sequence[Column], record: Mapping[str, object], size: float,
                     bold: bool = False, shaded: bool = False) -> Block:
    cell_font = font(size, "bold" if bold else "normal")
    cells = []
    for column in columns:
        text = _cell_text(record.get(column.field, ""))
        width_points = (column.width - 2 * _CELL_PAD_INCHES) * POINTS_PER_INCH
        cells.append(wrap_to_width(text, cell_font, width_points) or [""])
    line_height = size * 1.3 / POINTS_PER_INCH
    height = max(len(lines) for lines in cells) * line_height + 2 * _CELL_PAD_INCHES

    def draw(page: Figure, top: float) -> None:
        width, page_height = page.get_size_inches()
        right = MARGIN_INCHES + sum(c.width for c in columns)
        if shaded or bold:
            page.patches.append(_rectangle(page, MARGIN_INCHES, top - height, right - MARGIN_INCHES, height,
                                           "#e4e9f0" if bold else "#f5f6f8"))
        x = MARGIN_INCHES
        texts = page_text_set(page)
        for column, lines in zip(columns, cells, strict=True):
            for number, line in enumerate(lines):
                baseline = top - _CELL_PAD_INCHES - (number + 0.78) * line_height
                texts.add((x + _CELL_PAD_INCHES) / width, baseline / page_height, line, cell_font, colour="#111111")
            x += column.width
        page.add_artist(Line2D([MARGIN_INCHES / width, right / width], [(top - height) / page_height] * 2,
                               transform=page.transFigure, color="#c8c8c8", linewidth=0.4))

    return Block(height=height, draw=draw)


def _rectangle(page: Figure, x: float, y: float, w: float, h: float, colour: str) -> Rectangle:
    width, height = page.get_size_inches()
    return Rectangle((x / width, y / height), w / width, h / height, transform=page.transFigure,
                     facecolor=colour, edgecolor="none", zorder=-1)


def _run_lines(info: RunInfo) -> list[TextLine]:
    lines: list[TextLine] = []
    minimums = {f.id: f.minimum_general_rate for f in info.forces if f.minimum_general_rate is not None}
    for key, value in (
        ("Scenario", f"{info.scenario_name}: {info.title}"),
        ("Scenario file", str(info.scenario_file)),
        ("Scenario SHA-256", str(info.scenario_sha256)),
        ("Random seed", str(info.seed)),
        ("Simulated paths", f"{info.paths:,}"),
        ("Package version", f"police-mtfs {info.version}"),
        ("Created", str(info.created)),
        ("Minimum general reserve", "; ".join(f"{info.force_name(f)} {float(v) * 100:.1f}% of NRE"
                                              for f, v in minimums.items()) or "not stated"),
        *((("Extends", EXTENDS_ARROW.join(f"{Path(name).name} ({sha[:SHA_DISPLAY_CHARACTERS]}…)"
                                  for name, sha in reversed(info.chain[:-1]))),) if len(info.chain) > 1 else ()),
        *((("Resolved SHA-256", f"{info.resolved_sha256} (resolved.yaml)"),) if info.resolved_sha256 else ()),
    ):
        lines += paragraph(value, key=key, size=8.5, space_before=2)
    if info.changes:
        lines += paragraph("What this scenario changes over its base (and the --set options)", size=9.5,
                           weight="bold", space_before=8)
        for change in info.changes:
            lines += paragraph(f"{change.field}: {change.value} (from {change.origin})", size=8.5, bullet=True,
                               space_before=2)
    sources = [str(s) for s in info.sources]
    if sources:
        lines += paragraph("Sources of the scenario's ranges", size=9.5, weight="bold", space_before=8)
        for source in sources:
            lines += paragraph(source, size=8.5, bullet=True, space_before=2)
    return lines


# --------------------------------------------------------------------------------------
# Page furniture
# --------------------------------------------------------------------------------------


def add_footer(page: Figure, number: int, count: int, info: RunInfo) -> None:
    """Print the run identity and "Page i of n" at the foot of one page, portrait or landscape.

    Parameters
    ----------
    page : matplotlib.figure.Figure
    number, count : int
        The page's number (from 1) and the number of pages in the report.
    info : RunInfo
        The run's metadata.
    """
    identity = (
        f"Scenario {info.scenario_name} · {str(info.scenario_sha256)[:SHA_DISPLAY_CHARACTERS]} · "
        f"seed {info.seed} · {info.paths:,} paths · police-mtfs {info.version} · {info.created}"
    )
    width, height = page.get_size_inches()
    first_line = _footer_line(identity, float(width))
    y = (MARGIN_INCHES * 0.6) / height
    # Texts of their own (not the page's text set), so the page number can be read off a page.
    style = {"fontproperties": _FOOTER_FONT, "color": "#666666", "va": "bottom"}
    page.text(MARGIN_INCHES / width, y, first_line, ha="left", **style)
    page.text(1 - MARGIN_INCHES / width, y, f"Page {number} of {count}", ha="right", **style)


_FOOTER_FONT = font(7)


def _footer_line(identity: str, page_width: float) -> str:
    """The run identity cut to the footer's width, with " …" when cut."""
    lines = wrap_to_width(identity, _FOOTER_FONT, (page_width - 2 * MARGIN_INCHES - 0.9) * POINTS_PER_INCH)
    return lines[0] + (" …" if len(lines) > 1 else "")


def _new_page(title_text: str, reserve_bottom: float = 0.0) -> Figure:
    """An A4 portrait page with a title, laid out by constrained layout inside the margins.

    ``reserve_bottom`` inches above the footer are left out of the layout, for content
    placed by hand (a full-width table).
    """
    width, height = PAGE_SIZE_INCHES
    page = Figure(figsize=PAGE_SIZE_INCHES, layout="constrained")
    title_baseline = height - MARGIN_INCHES - 0.15
    page_text_set(page).add(MARGIN_INCHES / width, title_baseline / height, title_text, font(14, "bold"))
    top_margin = MARGIN_INCHES + 0.3
    bottom = MARGIN_INCHES + FOOTER_HEIGHT_INCHES * 0.5 + reserve_bottom
    page.get_layout_engine().set(
        rect=(
            MARGIN_INCHES / width,
            bottom / height,
            1 - 2 * MARGIN_INCHES / width,
            1 - (bottom + top_margin) / height,
        ),
        h_pad=0.08,
        hspace=0.05,
    )
    return page


_CAPTION_SIZE = 7.5


def _caption_lines(text: str) -> list[str]:
    width_points = (PAGE_SIZE_INCHES[0] - 2 * MARGIN_INCHES) * POINTS_PER_INCH
    return wrap_to_width(text, FontProperties(size=_CAPTION_SIZE), width_points)


def _caption_height(lines: Sequence[str]) -> float:
    return len(lines) * _CAPTION_SIZE * 1.35 / POINTS_PER_INCH + 0.15


def _draw_caption(page: Figure, lines: Sequence[str]) -> None:
    """A note across the text width at the foot of a chart page, in the space the layout left free."""
    width, height = page.get_size_inches()
    y = MARGIN_INCHES + FOOTER_HEIGHT_INCHES + _caption_height(lines) - 0.15
    texts = page_text_set(page)
    for line in lines:
        y -= _CAPTION_SIZE * 1.35 / POINTS_PER_INCH
        texts.add(MARGIN_INCHES / width, y / height, line, font(_CAPTION_SIZE), colour="#555555")


def _rows_of_scenario(frame: pd.DataFrame, scenario_name: str) -> pd.DataFrame:
    """Rows of the named scenario; a table of one scenario is used whole, whatever its name."""
    if frame.empty or "scenario" not in frame.columns or frame["scenario"].nunique() == 1:
        return frame
    return frame[frame["scenario"] == scenario_name]


def _rows_of_force(frame: pd.DataFrame, force: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[frame["force"] == force]
