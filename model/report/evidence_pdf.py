"""``evaluation.pdf``: a short report of a forecast scored against outturns.

Page 1: what was scored and what the ranks rest on, the test of the ranks, the PIT histogram
and each band's coverage against its nominal rate. Then the outturns, a table of up to
:data:`ROWS_PER_PAGE` rows a page (every row is in ``evaluation.csv``), rows not scored with
the reason. The drawing is here; the numbers are :class:`~model.analysis.evaluate.EvaluationResult`'s.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from model.analysis.evaluate import EvaluationResult
from model.declare.formatting import format_percent
from model.report.evidence_charts import coverage_data, coverage_plot, pit_histogram_data, pit_histogram_plot

PAGE_SIZE = (11.69, 8.27)
"""A4 landscape, inches."""

ROWS_PER_PAGE = 20
MAX_TABLE_PAGES = 4
TITLE_SIZE, TEXT_SIZE, TABLE_SIZE = 13, 8.5, 7.0


def _wrap(text: str, width: int = 150) -> str:
    return "\n".join(textwrap.fill(paragraph, width) for paragraph in text.split("\n"))


def format_cell(value: object, unit: str = "") -> str:
    """A table cell: numbers to two decimals (band D to the penny), ranks and shares as %, blanks as –."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if unit == "share":
            return f"{value:.1%}"
        if unit == "count":
            return f"{value:,.0f}"
        return f"{value:,.2f}"
    return str(value)


def summary_page(result: EvaluationResult) -> Figure:
    """Page 1: what was scored, the test, the PIT histogram and coverage."""
    figure = Figure(figsize=PAGE_SIZE)
    scored, total = len(result.scored), len(result.rows)
    figure.text(0.04, 0.95, f"Forecast evaluation — {result.title or result.scenario}", fontsize=TITLE_SIZE,
                weight="bold")
    test = result.uniformity
    p_text = "" if math.isnan(test.get("p_value", math.nan)) else f" (p = {test['p_value']:.2f})"
    lines = [
        f"Scenario {result.scenario}: {result.paths:,} paths" + (f", seed {result.seed}" if result.seed is not None else "")
        + f"; outturns from {Path(result.outturns_file).name or 'the outturns file'}: {scored} of {total} rows scored.",
        result.resolution,
        f"Ranks: {test['test']}: {test['verdict']}{p_text}, {test['n']} outturns. The test treats outturns as "
        "independent, which several years of one force are not; with few outturns it is weak.",
        *result.notes,
    ]
    figure.text(0.04, 0.90, _wrap("\n".join(lines), 185), fontsize=TEXT_SIZE, va="top", linespacing=1.4)
    pit_ax = figure.add_axes((0.06, 0.12, 0.40, 0.50))
    pit_histogram_plot(pit_ax, pit_histogram_data(result.pit), "PIT histogram: where the outturns fell")
    cover_ax = figure.add_axes((0.56, 0.12, 0.40, 0.50))
    coverage_plot(cover_ax, coverage_data(result.coverage), "Band coverage, all outturns, with 95% intervals")
    figure.text(0.04, 0.03, _wrap("A calibrated forecast puts outturns evenly across the percentile ranks (a flat "
                                  "histogram) and about 90%, 80% and 50% of them inside its P5–P95, P10–P90 and P25–P75 "
                                  "bands. Too few inside: the bands were too narrow or off centre; ranks piled at one "
                                  "end: the forecast was biased that way.", 190), fontsize=TEXT_SIZE, color="#444444")
    return figure


def coverage_page(result: EvaluationResult) -> Figure:
    """The coverage of each band per metric."""
    figure = Figure(figsize=PAGE_SIZE)
    figure.text(0.04, 0.95, "Band coverage per metric", fontsize=TITLE_SIZE, weight="bold")
    table = result.coverage
    cells = [[r.metric, r.band, f"{r.nominal:.0%}", f"{r.outturns}", f"{r.inside}", format_cell(r.coverage, "share"),
              f"{format_cell(r.ci_low, 'share')} to {format_cell(r.ci_high, 'share')}", r.verdict]
             for r in table.itertuples()][: ROWS_PER_PAGE + 6]
    _table(figure, ["metric", "band", "nominal", "outturns", "inside", "coverage", "95% interval", "verdict"], cells,
           [0.2, 0.09, 0.08, 0.08, 0.07, 0.09, 0.17, 0.15])
    return figure


def outturn_pages(result: EvaluationResult) -> list[Figure]:
    """The outturns, :data:`ROWS_PER_PAGE` a page, at most :data:`MAX_TABLE_PAGES` pages."""
    rows = result.rows
    pages = []
    for start in range(0, len(rows), ROWS_PER_PAGE):
        if len(pages) == MAX_TABLE_PAGES:
            pages[-1].text(0.04, 0.02, f"{len(rows) - start} more rows in evaluation.csv.", fontsize=TEXT_SIZE)
            break
        chunk = rows.iloc[start:start + ROWS_PER_PAGE]
        figure = Figure(figsize=PAGE_SIZE)
        figure.text(0.04, 0.95, "Outturns against the simulated distribution", fontsize=TITLE_SIZE, weight="bold")
        cells, reasons = [], []
        for r in chunk.itertuples():
            if r.status != "scored":
                cells.append([str(r.row), r.force, r.year, r.metric, format_cell(r.value), "", "", "", "",
                              "not scored: see below"])
                reasons.append(f"Row {r.row}: {r.status}")
                continue
            rank = (format_cell(r.percentile_rank, "share") if not math.isnan(r.percentile_rank)
                    else f"{r.rank_low:.0%}–{r.rank_high:.0%}")
            cells.append([str(r.row), r.force, r.year, r.metric, format_cell(r.value),
                          f"{format_cell(r.p5)} to {format_cell(r.p95)}", format_cell(r.p50), rank,
                          format_cell(r.crps), _bands(r)])
        _table(figure, ["row", "force", "year", "metric", "outturn", "P5 to P95", "median", "rank", "CRPS",
                        "inside / status"], cells, [0.04, 0.11, 0.06, 0.15, 0.08, 0.15, 0.07, 0.07, 0.06, 0.21])
        if reasons:
            figure.text(0.04, 0.30, _wrap("\n".join(reasons), 190), fontsize=TEXT_SIZE, va="top", linespacing=1.4)
        pages.append(figure)
    return pages


def _bands(row) -> str:
    inside = [name for name, flag in (("P25–P75", row.in_p25_p75), ("P10–P90", row.in_p10_p90),
                                      ("P5–P95", row.in_p5_p95)) if bool(flag)]
    return f"inside {inside[0]}" if inside else "outside P5–P95"


def _table(figure: Figure, columns: list[str], cells: list[list[str]], widths: list[float]) -> None:
    ax = figure.add_axes((0.04, 0.06, 0.92, 0.84))
    ax.axis("off")
    if not cells:
        ax.text(0, 1, "No rows.", fontsize=TEXT_SIZE, va="top")
        return
    table = ax.table(cellText=cells, colLabels=columns, colWidths=widths, loc="upper left", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(TABLE_SIZE)
    table.scale(1.0, 1.25)
    for (row, _), cell in table.get_celld().items():
        cell.set_linewidth(0.3)
        if row == 0:
            cell.set_facecolor("#e8eef5")
            cell.set_text_props(weight="bold")


def build_evaluation_pdf(path: Path, result: EvaluationResult) -> None:
    """Write ``evaluation.pdf``."""
    with PdfPages(path, metadata={"Title": f"Forecast evaluation — {result.scenario}", "Creator": "police-mtfs"}) as pdf:
        for figure in [summary_page(result), coverage_page(result), *outturn_pages(result)]:
            pdf.savefig(figure)


def coverage_sentence(coverage: pd.DataFrame) -> str:
    """One line per band for the console: ``P5–P95: 34 of 40 inside (85.0%, 95% interval 70.2% to 94.3%; nominal 90%)``."""
    rows = coverage[coverage.metric == "all"]
    return "\n".join(f"{r.band}: {r.inside} of {r.outturns} inside ({format_percent(r.coverage) if r.outturns else '–'}, "
                     f"95% interval {format_cell(r.ci_low, 'share')} to {format_cell(r.ci_high, 'share')}; nominal "
                     f"{r.nominal:.0%}): {r.verdict}" for r in rows.itertuples())
