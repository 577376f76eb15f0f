"""Pure drawing functions for the report: each takes tidy rows and a matplotlib Axes.

Nothing here opens a figure, touches pyplot state or writes a file; :mod:`model.report`
arranges the axes into pages. The tables handed in follow the summary, flag and plan
contracts of :mod:`model.summary`:

* summary rows carry ``year, metric, mean, p5, p10, p25, p50, p75, p90, p95``;
* flag rows carry ``year, flag, probability, std_error``;
* plan rows carry ``year, metric, value``.

Money is in £ million cash throughout; band D is in pounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.table import Table
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import ScaledTranslation

from model.units import format_table_money

LINE_COLOURS: dict[str, str] = {
    "funding": "#1f5fa8",
    "spend": "#d0661b",
    "general_reserve": "#238b45",
    "earmarked_reserves": "#7a4ea3",
    "total_reserves": "#4a4a4a",
}
"""One colour per line type, shared by every page so a reader learns them once."""

MINIMUM_RESERVE_COLOUR = "#c62828"

FLAG_COLOURS: dict[str, str] = {
    "general_below_minimum": MINIMUM_RESERVE_COLOUR,
    "usable_reserves_exhausted": "#7a4ea3",
    "uncovered_deficit": "#111111",
}
FLAG_MARKERS: dict[str, str] = {
    "general_below_minimum": "o",
    "usable_reserves_exhausted": "s",
    "uncovered_deficit": "^",
}
FLAG_LABELS: dict[str, str] = {
    "general_below_minimum": "General reserve below minimum",
    "usable_reserves_exhausted": "Usable reserves exhausted",
    "uncovered_deficit": "Uncovered deficit",
}
FLAGS: tuple[str, ...] = tuple(FLAG_LABELS)
"""The in-year flag names; the cumulative flags add :data:`BY_YEAR_SUFFIX`."""

BY_YEAR_SUFFIX = "_by_year"

METRIC_LABELS: dict[str, str] = {
    "grant": "Central grant",
    "precept": "Precept",
    "band_d": "Band D council tax (£)",
    "tax_base": "Tax base (band D equivalents)",
    "funding": "Funding",
    "pay": "Pay",
    "non_pay": "Non-pay",
    "collaboration": "Collaboration",
    "spend": "Spend",
    "savings_delivered": "Savings delivered",
    "gap": "Budget gap",
    "planned_reserve_use": "Planned use of reserves",
    "general_reserve": "General reserve",
    "general_reserve_minimum": "Minimum general reserve",
    "earmarked_reserves": "Earmarked reserves",
    "total_reserves": "Total reserves",
    "uncovered_deficit": "Uncovered deficit",
    "nre": "Net revenue expenditure",
}

TABLE_METRICS: tuple[str, ...] = (
    "funding",
    "spend",
    "gap",
    "planned_reserve_use",
    "general_reserve",
    "earmarked_reserves",
    "total_reserves",
    "uncovered_deficit",
    "band_d",
)
"""Lines in the percentile table, in the order a budget book reads them."""

TABLE_PERCENTILES: tuple[str, ...] = ("p10", "p50", "p90")

POUNDS_METRICS: frozenset[str] = frozenset({"band_d"})
"""Metrics in pounds (shown to the penny) rather than £m (shown to one decimal)."""

MISSING_CELL = "–"

_OUTER_BAND_ALPHA = 0.16
_INNER_BAND_ALPHA = 0.36
_MAX_VALUE_COLUMN_WIDTH = 0.13
"""Widest a table's year column may be, as a fraction of the axes, so few years stay compact."""
_LEGEND_GAP_POINTS = 34
"""Distance from the bottom of an axes to its legend: clears tick labels and the x label."""


def fiscal_years(*frames: pd.DataFrame) -> list[str]:
    """Every fiscal year present in the ``year`` column of the frames, in order.

    Parameters
    ----------
    *frames : pandas.DataFrame
        Tables with a ``year`` column of strings like ``'2016/17'``.

    Returns
    -------
    list of str
        Sorted unique years; ``'2016/17'`` strings sort chronologically as text.
    """
    years: set[str] = set()
    for frame in frames:
        if len(frame):
            years.update(str(year) for year in frame["year"].unique())
    return sorted(years)


def set_fiscal_year_axis(ax: Axes, years: Sequence[str]) -> None:
    """Label the x axis with fiscal years as categories at positions 0, 1, 2, ...

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to label.
    years : sequence of str
        Fiscal years in plotting order.
    """
    ax.set_xticks(range(len(years)), labels=list(years))
    ax.set_xlim(-0.4, len(years) - 0.6)
    ax.set_xlabel("Fiscal year")


def _values_by_year(rows: pd.DataFrame, column: str, years: Sequence[str]) -> np.ndarray:
    by_year = dict(zip(rows["year"].astype(str), rows[column].astype(float)))
    return np.array([by_year.get(year, np.nan) for year in years], dtype=float)


def _band_positions(years: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """x positions for drawing, and which year each position reads its values from.

    A single year has no span to fill between, so it is drawn as a short block.
    """
    if len(years) == 1:
        return np.array([-0.25, 0.25]), np.array([0, 0])
    positions = np.arange(len(years), dtype=float)
    return positions, np.arange(len(years))


class FanKey:
    """Legend handle for a fan: drawn as the two bands with the median line through them."""

    def __init__(self, colour: str) -> None:
        self.colour = colour


class _FanKeyHandler(HandlerBase):
    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        colour = orig_handle.colour
        outer = Rectangle((-xdescent, -ydescent), width, height, color=colour, alpha=_OUTER_BAND_ALPHA, linewidth=0)
        inner = Rectangle(
            (-xdescent, -ydescent + height * 0.25),
            width,
            height * 0.5,
            color=colour,
            alpha=_INNER_BAND_ALPHA,
            linewidth=0,
        )
        median = Line2D([-xdescent, -xdescent + width], [-ydescent + height / 2] * 2, color=colour, linewidth=2.0)
        for artist in (outer, inner, median):
            artist.set_transform(trans)
        return [outer, inner, median]


def draw_fan(ax: Axes, rows: pd.DataFrame, label: str, colour: str, years: Sequence[str]) -> FanKey:
    """Draw a fan: P5–P95 light band, P25–P75 darker band and the median line.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose x axis holds the fiscal years at positions 0, 1, 2, ...
    rows : pandas.DataFrame
        Summary rows of one metric for one force (columns ``year, p5, p25, p50, p75, p95``).
    label : str
        Legend label for the fan.
    colour : str
        Colour of the line type.
    years : sequence of str
        Fiscal years in plotting order.

    Returns
    -------
    FanKey
        A legend handle that draws as a small fan in the same colour.
    """
    positions, index = _band_positions(years)
    p5, p25, p50, p75, p95 = (_values_by_year(rows, col, years)[index] for col in ("p5", "p25", "p50", "p75", "p95"))
    ax.fill_between(positions, p5, p95, color=colour, alpha=_OUTER_BAND_ALPHA, linewidth=0, label=label)
    ax.fill_between(positions, p25, p75, color=colour, alpha=_INNER_BAND_ALPHA, linewidth=0)
    ax.plot(positions, p50, color=colour, linewidth=2.0)
    medians = _values_by_year(rows, "p50", years)
    ax.plot(range(len(years)), medians, color=colour, linestyle="none", marker="o", markersize=3.5)
    return FanKey(colour)


def draw_plan_line(ax: Axes, plan_rows: pd.DataFrame, colour: str, years: Sequence[str]) -> Line2D | None:
    """Draw the force's own plan case as a dashed line.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose x axis holds the fiscal years at positions 0, 1, 2, ...
    plan_rows : pandas.DataFrame
        Plan rows of one metric for one force (columns ``year, value``); may be empty.
    colour : str
        Colour of the line type.
    years : sequence of str
        Fiscal years in plotting order.

    Returns
    -------
    matplotlib.lines.Line2D or None
        The line, or ``None`` when there is no plan case to draw.
    """
    if plan_rows.empty:
        return None
    positions, index = _band_positions(years)
    values = _values_by_year(plan_rows, "value", years)[index]
    if np.all(np.isnan(values)):
        return None
    (line,) = ax.plot(positions, values, color=colour, linewidth=1.6, linestyle=(0, (5, 3)))
    return line


def draw_reference_line(
    ax: Axes, rows: pd.DataFrame, colour: str, years: Sequence[str], column: str = "p50"
) -> Line2D | None:
    """Draw one percentile of a metric as a dashed reference line, such as a minimum reserve.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose x axis holds the fiscal years at positions 0, 1, 2, ...
    rows : pandas.DataFrame
        Summary rows of one metric for one force.
    colour : str
        Line colour.
    years : sequence of str
        Fiscal years in plotting order.
    column : str, default ``"p50"``
        Which summary column to draw.

    Returns
    -------
    matplotlib.lines.Line2D or None
        The line, or ``None`` when the metric is absent.
    """
    if rows.empty:
        return None
    positions, index = _band_positions(years)
    values = _values_by_year(rows, column, years)[index]
    (line,) = ax.plot(positions, values, color=colour, linewidth=1.8, linestyle=(0, (2, 2)))
    return line


def place_legend_below(ax: Axes, handles: Sequence[object], labels: Sequence[str], ncols: int = 2) -> None:
    """Put the legend under the axes, clear of the data, tick labels and x label.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes the legend describes.
    handles : sequence
        Legend handles; a :class:`FanKey` is drawn as a small fan.
    labels : sequence of str
        One label per handle.
    ncols : int, default 2
        Number of legend columns.
    """
    anchor = ax.transAxes + ScaledTranslation(0, -_LEGEND_GAP_POINTS / 72, ax.figure.dpi_scale_trans)
    ax.legend(
        list(handles),
        list(labels),
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=anchor,
        ncols=ncols,
        frameon=False,
        fontsize=8,
        handler_map={FanKey: _FanKeyHandler()},
        handlelength=2.6,
        handleheight=1.4,
        columnspacing=1.6,
    )


def _rows_for(frame: pd.DataFrame, column: str, value: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[frame[column] == value]


def draw_fan_chart(
    ax: Axes,
    summary_rows: pd.DataFrame,
    plan_rows: pd.DataFrame,
    metrics: Sequence[str],
    years: Sequence[str],
) -> tuple[tuple[list[object], list[str]], tuple[list[object], list[str]]]:
    """Draw one fan per metric with its plan case, in the shared line-type colours.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    summary_rows, plan_rows : pandas.DataFrame
        Summary and plan rows of one force (any metrics; those named are drawn).
    metrics : sequence of str
        Metric names, each a key of :data:`LINE_COLOURS`.
    years : sequence of str
        Fiscal years in plotting order.

    Returns
    -------
    fans : tuple of (list, list of str)
        Legend handles and labels of the fans drawn.
    plans : tuple of (list, list of str)
        Legend handles and labels of the plan lines drawn (empty without a plan case).
    """
    set_fiscal_year_axis(ax, years)
    fan_handles: list[object] = []
    fan_labels: list[str] = []
    plan_handles: list[object] = []
    plan_labels: list[str] = []
    for metric in metrics:
        colour = LINE_COLOURS[metric]
        rows = _rows_for(summary_rows, "metric", metric)
        if not rows.empty:
            fan_handles.append(draw_fan(ax, rows, METRIC_LABELS[metric], colour, years))
            fan_labels.append(METRIC_LABELS[metric])
        plan_line = draw_plan_line(ax, _rows_for(plan_rows, "metric", metric), colour, years)
        if plan_line is not None:
            plan_handles.append(plan_line)
            plan_labels.append(f"{METRIC_LABELS[metric]}: force plan")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return (fan_handles, fan_labels), (plan_handles, plan_labels)


def draw_funding_and_spend(
    ax: Axes, summary_rows: pd.DataFrame, plan_rows: pd.DataFrame, years: Sequence[str], force_name: str
) -> None:
    """Fan chart of funding against spend for one force, in £m.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    summary_rows, plan_rows : pandas.DataFrame
        Summary and plan rows of one force.
    years : sequence of str
        Fiscal years in plotting order.
    force_name : str
        Display name used in the title.
    """
    (handles, labels), (plan_handles, plan_labels) = draw_fan_chart(
        ax, summary_rows, plan_rows, ("funding", "spend"), years
    )
    handles += plan_handles
    labels += plan_labels
    ax.set_ylabel("£m (cash)")
    ax.set_title(f"{force_name}: funding and spend", loc="left", fontsize=11, fontweight="bold")
    place_legend_below(ax, handles, labels, ncols=2)


def draw_reserves(
    ax: Axes,
    summary_rows: pd.DataFrame,
    plan_rows: pd.DataFrame,
    years: Sequence[str],
    force_name: str,
    minimum_fraction: float | None,
) -> None:
    """Fan chart of general, earmarked and total reserves, with the minimum general reserve.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    summary_rows, plan_rows : pandas.DataFrame
        Summary and plan rows of one force.
    years : sequence of str
        Fiscal years in plotting order.
    force_name : str
        Display name used in the title.
    minimum_fraction : float or None
        The force's minimum general reserve as a fraction of NRE, for the line's label.
    """
    (handles, labels), (plan_handles, plan_labels) = draw_fan_chart(
        ax, summary_rows, plan_rows, ("general_reserve", "earmarked_reserves", "total_reserves"), years
    )
    minimum_line = draw_reference_line(
        ax, _rows_for(summary_rows, "metric", "general_reserve_minimum"), MINIMUM_RESERVE_COLOUR, years
    )
    if minimum_line is not None:
        handles.append(minimum_line)
        labels.append(minimum_reserve_label(minimum_fraction))
    # Legends fill column by column, so this order puts the fans in the left column and the plan lines in the right.
    handles += plan_handles
    labels += plan_labels
    low, high = ax.get_ylim()
    if low < 0 < high:
        ax.axhline(0, color="#888888", linewidth=0.8)
    elif low >= 0:
        ax.set_ylim(bottom=0)
    ax.set_ylabel("£m (cash)")
    ax.set_title(f"{force_name}: reserves", loc="left", fontsize=11, fontweight="bold")
    place_legend_below(ax, handles, labels, ncols=2)


def minimum_reserve_label(minimum_fraction: float | None) -> str:
    """Legend label for the minimum general reserve line.

    Parameters
    ----------
    minimum_fraction : float or None
        Minimum as a fraction of NRE (0.03 for 3%); ``None`` when not known.

    Returns
    -------
    str
        For example ``"Minimum general reserve (3.0% of NRE)"``.
    """
    if minimum_fraction is None or not math.isfinite(minimum_fraction):
        return "Minimum general reserve"
    return f"Minimum general reserve ({minimum_fraction * 100:.1f}% of NRE)"


def draw_flag_probabilities(ax: Axes, flag_rows: pd.DataFrame, years: Sequence[str], force_name: str) -> None:
    """Cumulative probability of each flag by the end of each year, with 95% error bars.

    Draws the ``*_by_year`` flags as lines with markers and ±1.96 standard errors, kept
    inside 0–100%.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    flag_rows : pandas.DataFrame
        Flag rows of one force (columns ``year, flag, probability, std_error``).
    years : sequence of str
        Fiscal years in plotting order.
    force_name : str
        Display name used in the title.
    """
    set_fiscal_year_axis(ax, years)
    # A little headroom either side keeps 0% and 100% markers clear of the frame.
    ax.set_ylim(-0.02, 1.02)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_ylabel("Probability")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(f"{force_name}: cumulative flag probabilities", loc="left", fontsize=11, fontweight="bold")
    handles: list[object] = []
    labels: list[str] = []
    # Neighbouring flags are nudged apart so that lines sitting on 0% stay distinguishable.
    offsets = np.linspace(-0.06, 0.06, len(FLAGS))
    for flag, offset in zip(FLAGS, offsets):
        rows = _rows_for(flag_rows, "flag", flag + BY_YEAR_SUFFIX)
        if rows.empty:
            continue
        probability = _values_by_year(rows, "probability", years)
        half_width = 1.96 * _values_by_year(rows, "std_error", years)
        below = np.minimum(half_width, probability)
        above = np.minimum(half_width, 1 - probability)
        container = ax.errorbar(
            np.arange(len(years)) + offset,
            probability,
            yerr=np.vstack([below, above]),
            color=FLAG_COLOURS[flag],
            marker=FLAG_MARKERS[flag],
            markersize=5,
            linewidth=1.8,
            capsize=3,
            elinewidth=1.0,
        )
        handles.append(container)
        labels.append(f"{FLAG_LABELS[flag]} (by end of year)")
    if not handles:
        ax.text(0.5, 0.5, "No flag results for this force", transform=ax.transAxes, ha="center", va="center")
        return
    place_legend_below(ax, handles, labels, ncols=2)


def percentile_table_rows(
    summary: pd.DataFrame, force: str, metrics: Sequence[str] = TABLE_METRICS
) -> list[list[str]]:
    """Format the P10 / P50 / P90 table of key lines for one force.

    Parameters
    ----------
    summary : pandas.DataFrame
        Summary table (columns ``force, year, metric, p10, p50, p90`` at least).
    force : str
        Force id whose rows are tabulated.
    metrics : sequence of str, default :data:`TABLE_METRICS`
        Lines to show, in order.

    Returns
    -------
    list of list of str
        A header row ``["£m unless stated", "", year, ...]``, then three rows per metric,
        ``[label, "P10", ...]``, ``["", "P50", ...]`` and ``["", "P90", ...]``. Money is
        in £m to one decimal with negatives in brackets, ``(4.5)``; band D is in £ to the
        penny. A value that is missing is shown as ``"–"``.
    """
    force_rows = summary[summary["force"] == force]
    years = fiscal_years(force_rows)
    table = [["£m unless stated", "", *years]]
    for metric in metrics:
        rows = force_rows[force_rows["metric"] == metric]
        decimals = 2 if metric in POUNDS_METRICS else 1
        for position, percentile in enumerate(TABLE_PERCENTILES):
            label = METRIC_LABELS.get(metric, metric) if position == 0 else ""
            values = _values_by_year(rows, percentile, years) if not rows.empty else [math.nan] * len(years)
            cells = [_format_cell(value, decimals) for value in values]
            table.append([label, percentile.upper(), *cells])
    return table


def flag_table_rows(flags: pd.DataFrame, force: str, years: Sequence[str]) -> list[list[str]]:
    """Format the flag probabilities of one force as percentages to one decimal.

    Parameters
    ----------
    flags : pandas.DataFrame
        Flag table (columns ``force, year, flag, probability``).
    force : str
        Force id whose rows are tabulated.
    years : sequence of str
        Fiscal years across the table.

    Returns
    -------
    list of list of str
        A header row ``["Probability", "", year, ...]``, then two rows per flag:
        ``[label, "By end of year", ...]`` (cumulative) and ``["", "In that year", ...]``.
    """
    force_rows = flags[flags["force"] == force] if not flags.empty else flags
    table = [["Probability", "", *years]]
    for flag in FLAGS:
        for position, (name, when) in enumerate(((flag + BY_YEAR_SUFFIX, "By end of year"), (flag, "In that year"))):
            rows = _rows_for(force_rows, "flag", name)
            values = _values_by_year(rows, "probability", years) if not rows.empty else [math.nan] * len(years)
            cells = [MISSING_CELL if math.isnan(value) else f"{value * 100:.1f}%" for value in values]
            table.append([FLAG_LABELS[flag] if position == 0 else "", when, *cells])
    return table


def _format_cell(value: float, decimals: int) -> str:
    if value is None or not math.isfinite(value):
        return MISSING_CELL
    return format_table_money(value, decimals=decimals)


def draw_table(
    ax: Axes,
    rows: Sequence[Sequence[str]],
    rows_per_group: int,
    emphasised_row: int | None = None,
    label_width: float = 0.42,
    qualifier_width: float = 0.08,
) -> None:
    """Draw formatted rows as a budget-book table filling the axes.

    The first row is the header. Body rows are shaded in alternating groups (one group
    per line item); one row of each group may be bold, so that the median stands out.
    The two label columns are left aligned and the figures right aligned.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to fill; its frame and ticks are hidden.
    rows : sequence of sequence of str
        Header row then body rows, as from :func:`percentile_table_rows`.
    rows_per_group : int
        Body rows per line item (3 for P10 / P50 / P90).
    emphasised_row : int or None, default None
        Position within each group of the row set in bold (1 for P50), or ``None``.
    label_width : float, default 0.42
        Fraction of the axes width for the label column.
    qualifier_width : float, default 0.08
        Fraction of the axes width for the second column ("P10", "By end of year").
        Tables with the same total of the two widths line their year columns up.
        With few years the table is narrower than the axes and sits at its left.
    """
    ax.set_axis_off()
    value_columns = len(rows[0]) - 2
    value_width = min(_MAX_VALUE_COLUMN_WIDTH, (1 - label_width - qualifier_width) / max(value_columns, 1))
    widths = [label_width, qualifier_width, *[value_width] * value_columns]
    height = 1 / len(rows)
    table = Table(ax, bbox=(0, 0, sum(widths), 1))
    for row_number, row in enumerate(rows):
        group = (row_number - 1) // rows_per_group
        if row_number == 0:
            facecolor = "#e4e9f0"
        else:
            facecolor = "#f3f4f6" if group % 2 else "white"
        emphasised = row_number == 0 or (
            emphasised_row is not None and (row_number - 1) % rows_per_group == emphasised_row
        )
        for column, text in enumerate(row):
            cell = table.add_cell(
                row_number,
                column,
                width=widths[column],
                height=height,
                text=text,
                loc="left" if column < 2 else "right",
                facecolor=facecolor,
                edgecolor="#c8c8c8",
            )
            cell.visible_edges = "horizontal"
            cell.set_linewidth(0.4)
            cell.PAD = 0.04 if column else 0.02
            if emphasised and (row_number == 0 or column >= 1):
                cell.get_text().set_fontweight("bold")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    ax.add_table(table)
