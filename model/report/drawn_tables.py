"""Tables drawn on report pages: the flag table and the finance officer's table.

Money is in £ million to one decimal with negatives in brackets; band D is in pounds to the penny.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.table import Table

from model.declare.formatting import MISSING_CELL, format_figure, format_percent
from model.declare.outputs import FINANCE_COLUMNS, FLAG_DECLARATIONS, RISK_FLAGS
from model.report.style import rows_for, values_by_year
from model.report.text_set import TextSet, font

TOTAL_LINES: frozenset[str] = frozenset({"funding", "spend", "gap", "total_reserves"})
"""Finance-table lines set in bold: the totals a reader looks for first."""


MAX_VALUE_COLUMN_WIDTH = 0.13
"""Widest a table's year column may be, as a fraction of the axes, so few years stay compact."""


def flag_table_rows(flag_table: pd.DataFrame, years: Sequence[str]) -> list[list[str]]:
    """Format one force's flag probabilities with their 95% intervals, years across.

    Parameters
    ----------
    flag_table : pandas.DataFrame
        Output of :func:`model.report.tables.flag_probability_table` for one force.
    years : sequence of str
        Fiscal years across the table.

    Returns
    -------
    list of list of str
        A header row ``["Probability (95% interval)", "", year, ...]``, then two rows per
        flag: ``[label, "By end of year", ...]`` (cumulative) and ``["", "In that year", ...]``.
        A cell reads like ``"5.8% (5.5–6.2)"``; a missing year is ``"–"``.
    """
    table = [["Probability (95% interval)", "", *years]]
    for flag in RISK_FLAGS:
        for position, when in enumerate(("by end of year", "in that year")):
            rows = rows_for(rows_for(flag_table, "flag", flag), "when", when)
            cells = []
            for p, low, high in zip(*(values_by_year(rows, c, years) for c in ("probability", "low", "high")), strict=True):
                cells.append(MISSING_CELL if math.isnan(p) else _probability_cell(p, low, high))
            table.append([FLAG_DECLARATIONS[flag].label if position == 0 else "", when.capitalize(), *cells])
    return table


def _probability_cell(p: float, low: float, high: float) -> str:
    return f"{format_percent(p)} ({format_percent(low).rstrip('%')}–{format_percent(high).rstrip('%')})"


def draw_table(
    ax: Axes,
    rows: Sequence[Sequence[str]],
    rows_per_group: int,
    emphasised_row: int | None = None,
    label_width: float = 0.42,
    qualifier_width: float = 0.08,
    max_value_width: float = MAX_VALUE_COLUMN_WIDTH,
    font_size: float = 8,
) -> None:
    """Draw formatted rows as a budget-book table filling the axes.

    The first row is the header. Body rows are shaded in alternating groups (one group
    per line item); one row of each group may be bold. The two label columns are left
    aligned and the figures right aligned.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to fill; its frame and ticks are hidden.
    rows : sequence of sequence of str
        Header row then body rows, as from :func:`flag_table_rows`.
    rows_per_group : int
        Body rows per line item.
    emphasised_row : int or None, default None
        Position within each group of the row set in bold, or ``None``.
    label_width : float, default 0.42
        Fraction of the axes width for the label column.
    qualifier_width : float, default 0.08
        Fraction of the axes width for the second column.
    max_value_width : float, default 0.13
        Widest a year column may be, as a fraction of the axes.
    font_size : float, default 8
        Font size in points.
    """
    ax.set_axis_off()
    value_columns = len(rows[0]) - 2
    value_width = min(max_value_width, (1 - label_width - qualifier_width) / max(value_columns, 1))
    widths = [label_width, qualifier_width, *[value_width] * value_columns]
    height = 1 / len(rows)
    table = Table(ax, bbox=(0, 0, sum(widths), 1))
    # The cells draw the shading and rules; their texts are written by one text set, where each cell puts its text.
    texts = TextSet(ax.transAxes)
    edges = [sum(widths[:column]) for column in range(len(widths) + 1)]
    for row_number, row in enumerate(rows):
        group = (row_number - 1) // rows_per_group
        if row_number == 0:
            facecolor = "#e4e9f0"
        else:
            facecolor = "#f3f4f6" if group % 2 else "white"
        emphasised = row_number == 0 or (
            emphasised_row is not None and (row_number - 1) % rows_per_group == emphasised_row
        )
        middle = 1 - (row_number + 0.5) * height
        for column, text in enumerate(row):
            cell = table.add_cell(row_number, column, width=widths[column], height=height, facecolor=facecolor,
                                  edgecolor="#c8c8c8")
            cell.visible_edges = "horizontal"
            cell.set_linewidth(0.4)
            pad = (0.04 if column else 0.02) * widths[column]
            weight = "bold" if emphasised and (row_number == 0 or column >= 1) else "normal"
            if column < 2:
                texts.add(edges[column] + pad, middle, text, font(font_size, weight), va="center")
            else:
                texts.add(edges[column + 1] - pad, middle, text, font(font_size, weight), ha="right", va="center")
    table.auto_set_font_size(False)
    ax.add_table(table)
    ax.add_artist(texts)


def draw_finance_table(
    ax: Axes,
    wide: pd.DataFrame,
    years: Sequence[str],
    label_width: float = 0.2,
    font_size: float = 7.5,
) -> None:
    """Draw the finance officer's table: lines down, years across, four cases per year.

    Section headings get a shaded row; totals (:data:`TOTAL_LINES`) are bold; the median
    case column of each year is shaded so the eye can run along it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to fill; its frame and ticks are hidden.
    wide : pandas.DataFrame
        Output of :func:`model.report.tables.finance_table_wide`.
    years : sequence of str
        Fiscal years across the table.
    label_width : float, default 0.2
        Fraction of the axes width for the line labels.
    font_size : float, default 7.5
        Font size of the figures, in points.
    """
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    gap = 0.008
    group_width = (1 - label_width - gap * len(years)) / max(len(years), 1)
    column_width = group_width / len(FINANCE_COLUMNS)
    sections = list(dict.fromkeys(wide["section"]))
    row_count = 2 + len(sections) + len(wide)
    height = 1 / row_count
    ax.set_ylim(0, 1)

    def top_of(row: int) -> float:
        return 1 - row * height

    def right_edge(year_index: int, case_index: int) -> float:
        start = label_width + gap * (year_index + 1) + group_width * year_index
        return start + column_width * (case_index + 1)

    cells = TextSet(ax.transAxes)
    middle = height / 2
    for year_index, year in enumerate(years):
        left = right_edge(year_index, 0) - column_width
        cells.add(left + group_width / 2, top_of(0) - middle, year, font(font_size + 1, "bold"),
                  ha="center", va="center")
        ax.plot([left + 0.004, left + group_width - 0.002], [top_of(1)] * 2, color="#1f3b63", linewidth=0.8)
        for case_index, case in enumerate(FINANCE_COLUMNS.values()):
            cells.add(right_edge(year_index, case_index) - 0.003, top_of(1) - middle, case.label,
                      font(min(font_size - 1.2, 6.3)), colour="#333333", ha="right", va="center")
            if case.name == "median_case":
                ax.add_patch(Rectangle((right_edge(year_index, case_index) - column_width, 0), column_width,
                                       top_of(2), color="#eef2f7", linewidth=0, zorder=0))
    cells.add(0, top_of(1) - middle, "£m cash (band D in £)", font(font_size - 0.5, style="italic"),
              colour="#333333", va="center")
    ax.plot([0, 1], [top_of(2)] * 2, color="#1f3b63", linewidth=1.0)

    row = 2
    current_section = None
    for record in wide.to_dict("records"):
        if record["section"] != current_section:
            current_section = record["section"]
            ax.add_patch(Rectangle((0, top_of(row + 1)), 1, height, color="#e4e9f0", linewidth=0, zorder=0.5))
            cells.add(0.004, top_of(row) - middle, current_section, font(font_size + 0.5, "bold"),
                      colour="#1f3b63", va="center")
            row += 1
        figures = font(font_size, "bold" if record["metric"] in TOTAL_LINES else "normal")
        cells.add(0.012, top_of(row) - middle, record["label"], figures, va="center")
        for year_index, year in enumerate(years):
            for case_index, case in enumerate(FINANCE_COLUMNS):
                text = format_figure(record.get((year, case), math.nan), record["unit"])
                cells.add(right_edge(year_index, case_index) - 0.003, top_of(row) - middle, text, figures,
                          ha="right", va="center")
        if record["metric"] in TOTAL_LINES:
            ax.plot([label_width, 1], [top_of(row)] * 2, color="#999999", linewidth=0.5)
        row += 1
    ax.plot([0, 1], [top_of(row)] * 2, color="#1f3b63", linewidth=1.0)
    ax.add_artist(cells)
