"""Pure drawing functions for the report's charts: each takes tidy rows and a matplotlib Axes.

Nothing here opens a figure, touches pyplot state or writes a file; :mod:`model.report`
arranges the axes into pages, :mod:`model.report.tables` computes every table drawn here,
:mod:`model.report.style` holds the colours and axes every chart shares, and
:mod:`model.report.tables` draws the tables set on the pages. The tables handed in follow the summary, flag and plan contracts of
:mod:`model.run.summaries`:

* summary rows carry ``year, metric, mean, p5, p10, p25, p50, p75, p90, p95``;
* flag rows carry ``year, flag, probability, std_error``;
* plan rows carry ``year, metric, value``.

Money is in £ million cash throughout, negatives in brackets; band D is in pounds.
Every chart puts fiscal years on its x axis at positions 0, 1, 2, ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.transforms import ScaledTranslation

from model.declare.formatting import format_figure, format_percent, format_table_money
from model.declare.outputs import FLAG_DECLARATIONS, RISK_FLAGS
from model.report.style import (
    FLAG_COLOURS,
    FLAG_MARKERS,
    GAP_PART_COLOURS,
    GRID,
    INNER_BAND_ALPHA,
    LABEL_SIZE,
    LEGEND_GAP_POINTS,
    LEGEND_SIZE,
    LINE_COLOURS,
    MINIMUM_RESERVE_COLOUR,
    MOVEMENT_COLOURS,
    NEUTRAL_COLOUR,
    OUTER_BAND_ALPHA,
    PLAN_SAVINGS_COLOUR,
    TICK_SIZE,
    MoneyFormatter,
    PercentTickFormatter,
    band_positions,
    force_colour,
    legend_label,
    reserve_colour,
    rows_for,
    set_fiscal_year_axis,
    set_money_axis,
    set_probability_axis,
    title,
    values_by_year,
)
from model.report.tables import CROSS_FORCE_MEASURES, GAP_PARTS, RESERVE_MOVEMENTS, metric_label

# --------------------------------------------------------------------------------------
# Fans
# --------------------------------------------------------------------------------------


class FanKey:
    """Legend handle for a fan: drawn as the two bands with the median line through them."""

    def __init__(self, colour: str) -> None:
        self.colour = colour


class _FanKeyHandler(HandlerBase):
    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        colour = orig_handle.colour
        outer = Rectangle((-xdescent, -ydescent), width, height, color=colour, alpha=OUTER_BAND_ALPHA, linewidth=0)
        inner = Rectangle(
            (-xdescent, -ydescent + height * 0.25),
            width,
            height * 0.5,
            color=colour,
            alpha=INNER_BAND_ALPHA,
            linewidth=0,
        )
        median = Line2D([-xdescent, -xdescent + width], [-ydescent + height / 2] * 2, color=colour, linewidth=2.0)
        for artist in (outer, inner, median):
            artist.set_transform(trans)
        return [outer, inner, median]


LEGEND_HANDLERS = {FanKey: _FanKeyHandler()}
"""Pass as ``handler_map`` to any legend that holds :class:`FanKey` handles."""


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
    positions, index = band_positions(years)
    p5, p25, p50, p75, p95 = (values_by_year(rows, col, years)[index] for col in ("p5", "p25", "p50", "p75", "p95"))
    ax.fill_between(positions, p5, p95, color=colour, alpha=OUTER_BAND_ALPHA, linewidth=0, label=label)
    ax.fill_between(positions, p25, p75, color=colour, alpha=INNER_BAND_ALPHA, linewidth=0)
    ax.plot(positions, p50, color=colour, linewidth=2.0)
    medians = values_by_year(rows, "p50", years)
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
    positions, index = band_positions(years)
    values = values_by_year(plan_rows, "value", years)[index]
    if np.all(np.isnan(values)):
        return None
    (line,) = ax.plot(positions, values, color=colour, linewidth=1.6, linestyle=(0, (5, 3)))
    return line


def draw_reference_line(
    ax: Axes, rows: pd.DataFrame, colour: str, years: Sequence[str], column: str = "p50"
) -> Line2D | None:
    """Draw one percentile of a metric as a dotted reference line, such as a minimum reserve.

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
    positions, index = band_positions(years)
    values = values_by_year(rows, column, years)[index]
    (line,) = ax.plot(positions, values, color=colour, linewidth=1.8, linestyle=(0, (2, 2)))
    return line


def place_legend_below(
    ax: Axes, handles: Sequence[object], labels: Sequence[str], ncols: int = 2, gap_points: float = LEGEND_GAP_POINTS
) -> None:
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
    gap_points : float, default 30
        Distance from the bottom of the axes to the legend; more for two-line tick labels.
    """
    anchor = ax.transAxes + ScaledTranslation(0, -gap_points / 72, ax.figure.dpi_scale_trans)
    ax.legend(
        list(handles),
        list(labels),
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=anchor,
        ncols=ncols,
        frameon=False,
        fontsize=LEGEND_SIZE,
        handler_map=LEGEND_HANDLERS,
        handlelength=2.6,
        handleheight=1.4,
        columnspacing=1.6,
    )


def legend_in_axes(ax: Axes, handles: Sequence[object], labels: Sequence[str], ncols: int) -> None:
    """Fill an axes of its own with a legend: for a legend shared by several charts.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        An axes set aside for the legend; its frame is hidden.
    handles, labels : sequence
        Legend entries.
    ncols : int
        Number of legend columns.
    """
    ax.set_axis_off()
    legend = ax.legend(list(handles), list(labels), loc="center", ncols=ncols, frameon=False, fontsize=LEGEND_SIZE,
                       handler_map=LEGEND_HANDLERS, handlelength=2.6, handleheight=1.4, columnspacing=1.8)
    # The axes is sized for the legend by the page; the layout must not shrink the charts around it.
    legend.set_in_layout(False)


def fan_legend_entries(plan_drawn: bool, minimum_label: str | None = None) -> tuple[list[object], list[str]]:
    """Neutral legend entries that explain every fan chart on a page at once.

    Parameters
    ----------
    plan_drawn : bool
        Whether the charts carry a dashed force-plan line.
    minimum_label : str, optional
        Label of the minimum general reserve line, when one is drawn.

    Returns
    -------
    handles, labels : list, list of str
    """
    handles: list[object] = [FanKey(NEUTRAL_COLOUR)]
    labels = ["Median, with P25–P75 (dark) and P5–P95 (light) bands"]
    if plan_drawn:
        handles.append(Line2D([], [], color=NEUTRAL_COLOUR, linewidth=1.6, linestyle=(0, (5, 3))))
        labels.append("Force plan (dashed)")
    if minimum_label:
        handles.append(Line2D([], [], color=MINIMUM_RESERVE_COLOUR, linewidth=1.8, linestyle=(0, (2, 2))))
        labels.append(minimum_label)
    return handles, labels


def draw_fan_chart(
    ax: Axes,
    summary_rows: pd.DataFrame,
    plan_rows: pd.DataFrame,
    metrics: Sequence[str],
    years: Sequence[str],
    colours: Mapping[str, str] | None = None,
) -> tuple[tuple[list[object], list[str]], tuple[list[object], list[str]]]:
    """Draw one fan per metric with its plan case, in the shared line-type colours.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    summary_rows, plan_rows : pandas.DataFrame
        Summary and plan rows of one force (any metrics; those named are drawn).
    metrics : sequence of str
        Metric names.
    years : sequence of str
        Fiscal years in plotting order.
    colours : mapping of str to str, optional
        Colour per metric; default :data:`LINE_COLOURS`, then :func:`reserve_colour`.

    Returns
    -------
    fans : tuple of (list, list of str)
        Legend handles and labels of the fans drawn.
    plans : tuple of (list, list of str)
        Legend handles and labels of the plan lines drawn (empty without a plan case).
    """
    colours = colours or {}
    set_fiscal_year_axis(ax, years)
    fan_handles: list[object] = []
    fan_labels: list[str] = []
    plan_handles: list[object] = []
    plan_labels: list[str] = []
    for metric in metrics:
        colour = colours.get(metric) or LINE_COLOURS.get(metric) or reserve_colour(metric)
        label = metric_label(metric)
        rows = rows_for(summary_rows, "metric", metric)
        if not rows.empty:
            fan_handles.append(draw_fan(ax, rows, label, colour, years))
            fan_labels.append(label)
        plan_line = draw_plan_line(ax, rows_for(plan_rows, "metric", metric), colour, years)
        if plan_line is not None:
            plan_handles.append(plan_line)
            plan_labels.append(f"{label}: force plan")
    set_money_axis(ax)
    return (fan_handles, fan_labels), (plan_handles, plan_labels)


def draw_funding_and_spend(
    ax: Axes, summary_rows: pd.DataFrame, plan_rows: pd.DataFrame, years: Sequence[str], chart_title: str
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
    chart_title : str
        Title above the chart.
    """
    (handles, labels), (plan_handles, plan_labels) = draw_fan_chart(
        ax, summary_rows, plan_rows, ("funding", "spend"), years
    )
    title(ax, chart_title)
    place_legend_below(ax, handles + plan_handles, labels + plan_labels, ncols=2)


def draw_reserve_fan(
    ax: Axes,
    summary_rows: pd.DataFrame,
    plan_rows: pd.DataFrame,
    metric: str,
    years: Sequence[str],
    chart_title: str,
    minimum: bool = False,
) -> None:
    """Fan chart of one reserve's balance at 31 March, optionally with its minimum.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    summary_rows, plan_rows : pandas.DataFrame
        Summary and plan rows of one force.
    metric : str
        ``general_reserve``, ``total_reserves`` or a ``reserve_<name>`` metric.
    years : sequence of str
        Fiscal years in plotting order.
    chart_title : str
        Title above the chart.
    minimum : bool, default False
        Also draw the minimum general reserve (the ``general_reserve_minimum`` median).
    """
    draw_fan_chart(ax, summary_rows, plan_rows, (metric,), years)
    if minimum:
        draw_reference_line(ax, rows_for(summary_rows, "metric", "general_reserve_minimum"),
                            MINIMUM_RESERVE_COLOUR, years)
    low, high = ax.get_ylim()
    if low >= 0:
        ax.set_ylim(bottom=0, top=max(high, 1.0))
    elif high > 0:
        ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_xlabel("Fiscal year", fontsize=LABEL_SIZE)
    title(ax, chart_title)


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


# --------------------------------------------------------------------------------------
# Bars: reserve movements and the gap
# --------------------------------------------------------------------------------------

def draw_reserve_movements(ax: Axes, movements: pd.DataFrame, years: Sequence[str], chart_title: str) -> None:
    """Median movements of usable reserves per year as bars; the closing total under each year.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    movements : pandas.DataFrame
        Output of :func:`model.report.tables.reserve_movements` for one force.
    years : sequence of str
        Fiscal years in plotting order.
    chart_title : str
        Title above the chart.
    """
    closing = values_by_year(rows_for(movements, "movement", "total_reserves"), "value", years)
    ax.set_xticks(range(len(years)), labels=[f"{year}\nclosing {format_figure(value, 'money')}"
                                             for year, value in zip(years, closing, strict=True)])
    ax.set_xlim(-0.5, len(years) - 0.5)
    ax.set_xlabel("Fiscal year, with the median closing usable reserves at 31 March (£m)", fontsize=LABEL_SIZE)
    width = 0.8 / len(RESERVE_MOVEMENTS)
    handles: list[object] = []
    labels: list[str] = []
    for number, (metric, label, _) in enumerate(RESERVE_MOVEMENTS):
        values = np.nan_to_num(values_by_year(rows_for(movements, "movement", metric), "value", years))
        positions = np.arange(len(years)) + (number - (len(RESERVE_MOVEMENTS) - 1) / 2) * width
        hatch = "////" if metric == "uncovered_deficit" else None
        bars = ax.bar(positions, values, width=width * 0.92, color=MOVEMENT_COLOURS[metric],
                      alpha=0.45 if hatch else 0.85, hatch=hatch, edgecolor=MOVEMENT_COLOURS[metric], linewidth=0.6)
        for x, value in zip(positions, values, strict=True):
            if round(value, 1) != 0:
                ax.annotate(format_table_money(value), (x, value), textcoords="offset points",
                            xytext=(0, 3 if value > 0 else -3), ha="center", va="bottom" if value > 0 else "top",
                            fontsize=6.5, color="#333333")
        handles.append(bars)
        labels.append(label)
    ax.axhline(0, color="#888888", linewidth=0.8)
    set_money_axis(ax, "£m (cash), yearly medians")
    ax.tick_params(axis="x", labelsize=TICK_SIZE)
    low, high = ax.get_ylim()
    span = max(high - low, 0.5)
    ax.set_ylim(min(low, -0.05 * span) - 0.08 * span, max(high, 0.05 * span) + 0.08 * span)
    title(ax, chart_title)
    place_legend_below(ax, handles, labels, ncols=2, gap_points=LEGEND_GAP_POINTS + 10)


def draw_gap_breakdown(
    ax: Axes, breakdown: pd.DataFrame, years: Sequence[str], cumulative: bool, chart_title: str
) -> tuple[list[object], list[str]]:
    """The gap before savings as stacked bars of its parts, with the plan's savings requirement.

    Parts are medians: savings delivered, planned use of reserves and the unplanned gap.
    A negative part (a surplus) is stacked below zero.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    breakdown : pandas.DataFrame
        Output of :func:`model.report.tables.gap_breakdown` for one force.
    years : sequence of str
        Fiscal years in plotting order.
    cumulative : bool
        Draw the running sums of the yearly medians instead of the yearly values.
    chart_title : str
        Title above the chart.

    Returns
    -------
    handles, labels : list, list of str
        Legend entries, for a legend shared with the other gap chart.
    """
    column = "cumulative" if cumulative else "annual"
    set_fiscal_year_axis(ax, years)
    positions = np.arange(len(years))
    above = np.zeros(len(years))
    below = np.zeros(len(years))
    handles: list[object] = []
    labels: list[str] = []
    for part in GAP_PARTS:
        values = np.nan_to_num(values_by_year(rows_for(breakdown, "part", part), column, years))
        bottoms = np.where(values >= 0, above, below)
        bars = ax.bar(positions, values, bottom=bottoms, width=0.6, color=GAP_PART_COLOURS[part], alpha=0.85,
                      edgecolor="white", linewidth=0.6)
        above += np.where(values >= 0, values, 0)
        below += np.where(values < 0, values, 0)
        handles.append(bars)
        labels.append(legend_label(part))
    required = values_by_year(rows_for(breakdown, "part", "savings_required_plan"), column, years)
    if not np.all(np.isnan(required)):
        (line,) = ax.plot(positions, required, color=PLAN_SAVINGS_COLOUR, linestyle=(0, (5, 3)), marker="D",
                          markersize=4, linewidth=1.4)
        handles.append(line)
        labels.append("Savings required by the force plan")
    ax.axhline(0, color="#888888", linewidth=0.8)
    set_money_axis(ax, "£m, running total of yearly medians" if cumulative else "£m (cash), yearly medians")
    title(ax, chart_title)
    return handles, labels


# --------------------------------------------------------------------------------------
# Probabilities
# --------------------------------------------------------------------------------------

def draw_flag_probabilities(ax: Axes, flag_table: pd.DataFrame, years: Sequence[str], chart_title: str) -> None:
    """Cumulative probability of each flag by the end of each year, with 95% Wilson intervals.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    flag_table : pandas.DataFrame
        Output of :func:`model.report.tables.flag_probability_table` for one force.
    years : sequence of str
        Fiscal years in plotting order.
    chart_title : str
        Title above the chart.
    """
    set_fiscal_year_axis(ax, years)
    title(ax, chart_title)
    cumulative = rows_for(flag_table, "when", "by end of year")
    handles: list[object] = []
    labels: list[str] = []
    # Neighbouring flags are nudged apart so that lines sitting on 0% stay distinguishable.
    offsets = np.linspace(-0.08, 0.08, len(RISK_FLAGS))
    for flag, offset in zip(RISK_FLAGS, offsets, strict=True):
        rows = rows_for(cumulative, "flag", flag)
        if rows.empty:
            continue
        probability = values_by_year(rows, "probability", years)
        low = values_by_year(rows, "low", years)
        high = values_by_year(rows, "high", years)
        container = ax.errorbar(
            np.arange(len(years)) + offset,
            probability,
            yerr=np.vstack([probability - low, high - probability]),
            color=FLAG_COLOURS[flag],
            marker=FLAG_MARKERS[flag],
            markersize=5,
            linewidth=1.8,
            capsize=3,
            elinewidth=1.0,
        )
        handles.append(container)
        labels.append(FLAG_DECLARATIONS[flag].label)
    highest = float(np.nanmax(cumulative["high"])) if len(cumulative) else 0.0
    set_probability_axis(ax, highest, "Probability (by end of year)")
    if not handles:
        ax.text(0.5, 0.5, "No flag results for this force", transform=ax.transAxes, ha="center", va="center")
        return
    handles.append(Line2D([], [], color=NEUTRAL_COLOUR, marker="|", markersize=9, linestyle="none"))
    labels.append("95% interval from Monte Carlo sampling")
    place_legend_below(ax, handles, labels, ncols=2)


def draw_first_breach(ax: Axes, first_breach: pd.DataFrame, chart_title: str) -> None:
    """Horizontal bars: the chance the general reserve first falls below its minimum in each year.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    first_breach : pandas.DataFrame
        Output of :func:`model.report.tables.first_breach_table`.
    chart_title : str
        Title above the chart.
    """
    whens = [str(w) for w in first_breach["when"]]
    probability = first_breach["probability"].to_numpy(dtype=float)
    low = first_breach["low"].to_numpy(dtype=float)
    high = first_breach["high"].to_numpy(dtype=float)
    positions = np.arange(len(whens))[::-1]
    colours = [MINIMUM_RESERVE_COLOUR] * (len(whens) - 1) + [LINE_COLOURS["general_reserve"]]
    ax.barh(positions, probability, height=0.6, color=colours, alpha=0.8,
            xerr=np.vstack([probability - low, high - probability]), error_kw={"elinewidth": 0.9, "capsize": 2.5})
    for y, p, lo, hi in zip(positions, probability, low, high, strict=True):
        ax.text(max(hi, p) + 0.012, y, f"{format_percent(p)}  ({format_percent(lo)} to {format_percent(hi)})",
                va="center", ha="left", fontsize=7.5)
    ax.set_yticks(positions, labels=[w.replace("No breach by", "Not by") for w in whens])
    ax.set_ylabel("First year below minimum", fontsize=LABEL_SIZE)
    ax.set_xlim(0, 1.32)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel("Probability (share of simulated paths), with 95% interval", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(axis="x", **GRID)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    title(ax, chart_title)


# --------------------------------------------------------------------------------------
# Cross-force comparison
# --------------------------------------------------------------------------------------

CROSS_FORCE_AXIS_LABELS: dict[str, str] = {
    "reserves_pct_nre": "% of NRE (median NRE)",
    "p_general_below_minimum": "Probability (by end of year)",
    "gap_pct_funding": "% of funding (median funding)",
}
CROSS_FORCE_INTERVALS: dict[str, str] = {
    "reserves_pct_nre": "median, bars P10–P90",
    "p_general_below_minimum": "bars: 95% interval",
    "gap_pct_funding": "median, bars P10–P90",
}


def draw_cross_force_measure(
    ax: Axes,
    table: pd.DataFrame,
    measure: str,
    forces: Sequence[str],
    force_names: Mapping[str, str],
    years: Sequence[str],
) -> tuple[list[object], list[str]]:
    """One measure for every force by year: points with interval bars, one colour per force.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on.
    table : pandas.DataFrame
        Output of :func:`model.report.tables.cross_force_table`.
    measure : str
        A key of :data:`model.report.charts.CROSS_FORCE_MEASURES`.
    forces : sequence of str
        Force ids in drawing order.
    force_names : mapping of str to str
        Display name per force.
    years : sequence of str
        Fiscal years in plotting order.

    Returns
    -------
    handles, labels : list, list of str
        One legend entry per force, for a legend shared by the page.
    """
    set_fiscal_year_axis(ax, years)
    rows = rows_for(table, "measure", measure)
    offsets = np.linspace(-0.18, 0.18, len(forces)) if len(forces) > 1 else np.zeros(1)
    handles: list[object] = []
    labels: list[str] = []
    for force, offset in zip(forces, offsets, strict=True):
        force_rows = rows_for(rows, "force", force)
        central = values_by_year(force_rows, "central", years)
        low = values_by_year(force_rows, "low", years)
        high = values_by_year(force_rows, "high", years)
        container = ax.errorbar(np.arange(len(years)) + offset, central,
                                yerr=np.vstack([central - low, high - central]), color=force_colour(force),
                                marker="o", markersize=5, linewidth=1.4, capsize=3, elinewidth=1.1)
        handles.append(container)
        labels.append(force_names.get(force, force))
    highest = float(np.nanmax(rows["high"])) if len(rows) else 0.0
    lowest = float(np.nanmin(rows["low"])) if len(rows) else 0.0
    if measure == "p_general_below_minimum":
        set_probability_axis(ax, highest, CROSS_FORCE_AXIS_LABELS[measure])
    else:
        ax.yaxis.set_major_formatter(PercentTickFormatter())
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        ax.set_ylabel(CROSS_FORCE_AXIS_LABELS[measure], fontsize=LABEL_SIZE)
        ax.tick_params(labelsize=TICK_SIZE)
        ax.grid(axis="y", **GRID)
        ax.set_axisbelow(True)
        if lowest >= 0:
            ax.set_ylim(bottom=0, top=max(highest * 1.1, 0.01))
        else:
            ax.axhline(0, color="#888888", linewidth=0.8)
    title(ax, f"{CROSS_FORCE_MEASURES[measure]} ({CROSS_FORCE_INTERVALS[measure]})")
    return handles, labels


def draw_bridge(ax: Axes, steps: pd.DataFrame, chart_title: str, colour: str) -> None:
    """A horizontal waterfall from the force's plan to the median: one bar per input group.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    steps : pandas.DataFrame
        Output of :func:`model.report.tables.bridge_steps`.
    chart_title : str
    colour : str
        The force's colour, for the plan and median bars.
    """
    positions = np.arange(len(steps))[::-1]
    for y, row in zip(positions, steps.itertuples(), strict=True):
        if row.kind == "total":
            ax.barh(y, row.end, color=colour, alpha=0.85, height=0.6)
            ax.text(row.end, y, f" {format_table_money(row.end)}", va="center", ha="left", fontsize=TICK_SIZE)
            continue
        low, high = sorted((row.start, row.end))
        ax.barh(y, high - low, left=low, height=0.6,
                color=GAP_PART_COLOURS["savings_delivered"] if row.change >= 0 else MINIMUM_RESERVE_COLOUR)
        if round(abs(row.change), 1) > 0:
            ax.text(high, y, f" {format_table_money(row.change)}", va="center", ha="left", fontsize=TICK_SIZE - 1)
    ax.set_yticks(positions, steps["label"], fontsize=TICK_SIZE - 0.5)
    ax.xaxis.set_major_formatter(MoneyFormatter())
    ax.set_xlabel("£m (cash)", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(axis="x", **GRID)
    ax.set_axisbelow(True)
    highest = float(steps[["start", "end"]].max().max())
    ax.set_xlim(0, highest * 1.18 if highest > 0 else 1.0)
    title(ax, chart_title)


# --------------------------------------------------------------------------------------
# The front page's small chart
# --------------------------------------------------------------------------------------

def draw_front_reserves(ax: Axes, years: Sequence[str], total_reserves: Sequence[tuple[float, float, float]],
                        minimum_general: Sequence[float], plan_total: Sequence[float] | None, colour: str) -> None:
    """Usable reserves at each year's end against the minimum general reserve, small enough for page 1.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    years : sequence of str
        Fiscal years, e.g. ``('2016/17', ..., '2019/20')``.
    total_reserves : sequence of (float, float, float)
        (P10, P50, P90) of total usable reserves at each year's end, £m.
    minimum_general : sequence of float
        The minimum general reserve at each year's end, £m.
    plan_total : sequence of float, optional
        Total usable reserves in the force's plan, £m.
    colour : str
        The force's colour.
    """
    x = np.arange(len(years))
    p10, p50, p90 = (np.array(values, dtype=float) for values in zip(*total_reserves, strict=True))
    ax.fill_between(x, p10, p90, color=colour, alpha=OUTER_BAND_ALPHA, linewidth=0)
    ax.plot(x, p50, color=colour, linewidth=1.6, marker="o", markersize=3)
    if plan_total is not None:
        ax.plot(x, plan_total, color=colour, linewidth=1.0, linestyle="--")
    ax.plot(x, minimum_general, color=MINIMUM_RESERVE_COLOUR, linewidth=1.0, linestyle=":")
    ax.set_xticks(x, [str(int(year[:4]) + 1) for year in years], fontsize=TICK_SIZE - 1)
    ax.set_xlim(-0.2, len(years) - 0.8)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(MoneyFormatter())
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.tick_params(axis="y", labelsize=TICK_SIZE - 1)
    ax.grid(axis="y", **GRID)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title("Usable reserves at 31 March, £m", fontsize=LABEL_SIZE - 0.5, loc="left", pad=3)
