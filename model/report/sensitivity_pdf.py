"""Drawing the sensitivity tables: tornado, spider, Sobol' bars and the unit sensitivity table.

Each ``draw_*`` function takes tidy rows from :mod:`model.analysis` and a matplotlib
Axes, and draws on nothing else; :func:`build_sensitivity_pdf` arranges them into the
pages of ``sensitivity.pdf``. Money is in £m cash, negatives in brackets; probabilities
are shown in %, each with its 95% interval.

One breach probability per scenario and seed: every page that states P(general reserve
below minimum by the last year) quotes
:meth:`~model.analysis.results.SensitivityResult.base_breach` (every input uncertain, the
scenario's own paths), in the same words (:func:`~model.analysis.results.probability_text`).
The Sobol' page also gives the design's own estimate, labelled as such, with its sample
and interval, and says why the two differ.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from model.analysis.results import SensitivityResult, probability_text
from model.declare.formatting import format_money, format_percent, format_table_money
from model.declare.outputs import BREACH
from model.report.page_layout import POINTS_PER_INCH, wrap_to_width
from model.report.style import check_page_font, strings_in, write_in_fitting_font
from model.report.text_set import TextSet, font
from model.run.probability import Z95
from model.run.results import RunInfo

LOW_COLOUR = "#4f81bd"
HIGH_COLOUR = "#d0661b"
FIRST_ORDER_COLOUR = "#9ecae1"
TOTAL_ORDER_COLOUR = "#2166ac"
BASE_COLOUR = "#333333"
YEAR_COLOURS = ("#c6dbef", "#9ecae1", "#4292c6", "#08519c", "#08306b")
SPIDER_COLOURS = ("#1f5fa8", "#d0661b", "#238b45", "#7a4ea3", "#b5367a", "#8c6d1f", "#2a7f8f", "#555555")
SPIDER_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""One marker per factor too, so that lines of near colours (and a greyscale print) stay apart."""

PAGE_SIZE = (11.69, 8.27)
"""A4 landscape, inches."""

PORTRAIT_SIZE = (8.27, 11.69)
"""A4 portrait, inches: the tornado pages, whose factor labels need the width."""

MIN_BREACHING_EVALUATIONS = 100
"""Years whose breach indicator is 1 on fewer design evaluations are not drawn: their indices are noise."""

MAX_HALF_WIDTH = 0.15
"""Nor are years where any total-order interval is wider than ± this: too imprecise to compare years."""

SENSITIVITY_RC: dict[str, object] = {"axes.unicode_minus": False}
"""Negative ticks (a Sobol' index's interval below 0, a probability band below 0%) with the hyphen-minus the
factors' values under the tornado bars have, which the core font shows, rather than matplotlib's minus sign."""

TITLE_SIZE, LABEL_SIZE, TICK_SIZE, NOTE_SIZE = 10.5, 8.5, 7.5, 7.5
TOP_FACTORS = 10
SPIDER_FACTORS = 6


def output_title(output: str, year: str) -> str:
    """A chart title for an output of the sensitivity tables."""
    end = f"31 March 20{year[-2:]}"
    return {
        "cumulative_gap": f"Cumulative budget gap to {year} (£m)",
        "total_reserves": f"Total usable reserves at {end} (£m)",
        BREACH: f"P(general reserve < minimum by {year})",
    }[output]


def is_probability(output: str) -> bool:
    return output == BREACH


def _money_formatter(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda value, _: format_table_money(value, decimals))


def _style(ax: Axes, title: str) -> None:
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _value_axis(ax: Axes, output: str, axis: str = "x") -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    # Round steps only, so that whole-£m tick labels are never a rounded 7.5.
    target.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))
    if is_probability(output):
        target.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        target.set_major_formatter(_money_formatter())


def _swing_text(swing: float, error: float, output: str) -> str:
    """The width of a tornado bar: £m, or percentage points with its 95% Monte Carlo margin."""
    if is_probability(output):
        text = f"{abs(swing) * 100:.1f} pts"
        return text + (f" ±{Z95 * error * 100:.1f}" if error > 0 else "")
    return f"£{abs(swing):.1f}m"


def _horizontal_bars(ax: Axes, positions: np.ndarray, widths: np.ndarray, height: float, colour: str,
                     left: float = 0.0) -> None:
    """Bars from ``left`` to ``left + widths`` centred on ``positions``, drawn as ``barh`` draws them.

    One collection rather than ``barh``'s patch per bar (about 350 in the PDF), each of which
    matplotlib makes, fits into the axes' limits and draws on its own. The same filled
    rectangles without an edge; the base stays sticky, so autoscaling leaves no margin
    beyond it.
    """
    bottom = np.asarray(positions, dtype=float) - height / 2
    right = left + np.asarray(widths, dtype=float)
    vertices = np.stack([np.column_stack([np.full_like(bottom, left), bottom]),
                         np.column_stack([np.full_like(bottom, left), bottom + height]),
                         np.column_stack([right, bottom + height]),
                         np.column_stack([right, bottom])], axis=1)
    bars = PolyCollection(vertices, facecolors=colour, edgecolors="none", linewidths=0)
    bars.sticky_edges.x.append(left)
    ax.add_collection(bars)


def draw_tornado(ax: Axes, rows: pd.DataFrame, output: str, top: int = TOP_FACTORS) -> None:
    """A tornado chart: each factor's output at its P10 and P90, around the base, largest swing on top.

    Parameters
    ----------
    ax : Axes
    rows : DataFrame
        Tornado rows (:data:`model.analysis.one_way.TORNADO_COLUMNS`) of one force and output.
    output : str
    top : int
        Factors shown; factors with no effect are left out and counted in a note.
    """
    shown = rows[rows["swing"] != 0].sort_values("swing", key=np.abs, ascending=False).head(top)
    hidden = len(rows) - len(shown)
    base = float(rows["base"].iloc[0]) if len(rows) else 0.0
    positions = np.arange(len(shown))[::-1]
    _horizontal_bars(ax, positions, shown["at_low"].to_numpy() - base, 0.62, LOW_COLOUR, left=base)
    _horizontal_bars(ax, positions, shown["at_high"].to_numpy() - base, 0.62, HIGH_COLOUR, left=base)
    ax.axvline(base, color=BASE_COLOUR, linewidth=1.0)
    labels = [f"{row.label}\nfrom {row.input_low} to {row.input_high}" for row in shown.itertuples()]
    ax.set_yticks(positions, labels, fontsize=TICK_SIZE - 0.5, linespacing=1.1)
    ax.set_ylim(-0.7, max(len(shown), 1) - 0.3)
    for y, row in zip(positions, shown.itertuples(), strict=True):
        end = max(row.at_low, row.at_high)
        ax.annotate(_swing_text(row.swing, row.swing_std_error, output), (end, y), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=TICK_SIZE - 1, color="#444444")
    _value_axis(ax, output)
    low, high = ax.get_xlim()
    ax.set_xlim(low, high + 0.14 * (high - low))
    year = rows["year"].iloc[0] if len(rows) else ""
    _style(ax, output_title(output, year))
    ax.set_xlabel(tornado_base_note(rows, output, hidden), fontsize=NOTE_SIZE)


def tornado_base_note(rows: pd.DataFrame, output: str, hidden: int = 0) -> str:
    """The line under a tornado chart: its base, in £m or as a probability with its interval and paths."""
    if rows.empty:
        return ""
    first = rows.iloc[0]
    if is_probability(output):
        note = (f"Base {probability_text(first['base'], first['base_low'], first['base_high'])}, "
                f"every input uncertain,\non the scenario's {int(first['paths']):,} paths")
    else:
        note = f"Base {format_money(first['base'])}: the median case (every input at its median)"
    if hidden:
        note += f"\n{hidden} factor{'s' if hidden > 1 else ''} with no effect not shown"
    return note


def tornado_legend(figure: Figure) -> None:
    """The two colours of a tornado bar."""
    handles = [Patch(color=LOW_COLOUR, label="factor at its P10"), Patch(color=HIGH_COLOUR, label="factor at its P90"),
               Line2D([], [], color=BASE_COLOUR, label="base")]
    figure.legend(handles=handles, loc="lower center", ncols=3, fontsize=LABEL_SIZE, frameon=False)


def draw_spider(ax: Axes, rows: pd.DataFrame, output: str, factors: Sequence[str], colours: dict[str, str],
                base: pd.Series | None = None, markers: dict[str, str] | None = None) -> None:
    """A spider plot: the output as each chosen factor moves through its quantiles, the others at base.

    Parameters
    ----------
    rows : DataFrame
        Spider rows (:data:`model.analysis.one_way.SPIDER_COLUMNS`) of one force and output.
    factors : sequence of str
        Factors to draw (the same on every panel of a page, so that a colour means one factor).
    colours : dict of str to str
        Colour of each factor.
    base : Series, optional
        For the probability, the force's row of
        :meth:`~model.analysis.results.SensitivityResult.base_breach`: drawn as a dashed line
        and stated under the panel, with its interval.
    markers : dict of str to str, optional
        Marker of each factor (default: a dot).
    """
    for factor in factors:
        line = rows[rows["factor"] == factor].sort_values("quantile")
        ax.plot(line["quantile"] * 100, line["value"], marker=(markers or {}).get(factor, "o"), markersize=3.5,
                color=colours[factor],
                linewidth=1.4, label=line["label"].iloc[0])
        if is_probability(output):
            ax.fill_between(line["quantile"] * 100, line["value"] - Z95 * line["std_error"],
                            line["value"] + Z95 * line["std_error"], color=colours[factor], alpha=0.12, linewidth=0)
    ax.set_xticks([10, 30, 50, 70, 90], ["P10", "P30", "P50", "P70", "P90"])
    label = "Factor at its quantile (others at base)"
    if is_probability(output) and base is not None:
        ax.axhline(base["probability"], color=BASE_COLOUR, linewidth=0.9, linestyle="--")
        label += (f"\nDashed: base {probability_text(base['probability'], base['low'], base['high'])},\n"
                  f"every input uncertain ({int(base['paths']):,} paths)")
    elif not is_probability(output):
        label += "\nAt P50 every line is the median case"
    ax.set_xlabel(label, fontsize=NOTE_SIZE)
    _value_axis(ax, output, axis="y")
    year = rows["year"].iloc[0] if len(rows) else ""
    _style(ax, output_title(output, year))
    ax.title.set_fontsize(TITLE_SIZE - 1)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)


def spider_factors(tornado_rows: pd.DataFrame, most: int = 8) -> list[str]:
    """The factors a force's spider page draws: the largest swings on the breach, then on money not yet in."""
    chosen: list[str] = []
    for output, count in ((BREACH, SPIDER_FACTORS), ("cumulative_gap", 3), ("total_reserves", 3)):
        rows = tornado_rows[(tornado_rows["output"] == output) & (tornado_rows["swing"] != 0)]
        for factor in rows.sort_values("swing", key=np.abs, ascending=False)["factor"].head(count):
            if factor not in chosen:
                chosen.append(factor)
    return chosen[:most]


def _wrap(label: str, width: int = 48) -> str:
    return "\n".join(textwrap.wrap(label, width))


def draw_sobol_bars(ax: Axes, rows: pd.DataFrame, title: str) -> None:
    """First- and total-order Sobol' indices of each factor group, with their 95% intervals.

    Parameters
    ----------
    rows : DataFrame
        Sobol' rows (:data:`model.analysis.sobol.SOBOL_COLUMNS`) of one force, output and year.
    """
    _style(ax, title)
    rare = (not rows.empty and rows["output"].iloc[0] == BREACH
            and rows["output_mean"].iloc[0] * rows["evaluations"].iloc[0] < MIN_BREACHING_EVALUATIONS)
    if rows.empty or rows["ST"].isna().all() or rare:
        text = ("Too few breaching paths to attribute" if rare and not rows["ST"].isna().all()
                else "No variation to attribute\n(the output is the same on every path)")
        ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=LABEL_SIZE, transform=ax.transAxes, color="#555555")
        ax.set_yticks([])
        return
    ordered = rows.sort_values("ST", ascending=True)
    positions = np.arange(len(ordered))
    for offset, index, colour in ((0.18, "S1", FIRST_ORDER_COLOUR), (-0.18, "ST", TOTAL_ORDER_COLOUR)):
        values = ordered[index].to_numpy()
        errors = np.vstack([values - ordered[f"{index}_low"].to_numpy(), ordered[f"{index}_high"].to_numpy() - values])
        _horizontal_bars(ax, positions + offset, values, 0.34, colour)
        ax.errorbar(values, positions + offset, xerr=errors, fmt="none", elinewidth=0.8, capsize=2, ecolor="#333333",
                    label="_nolegend_")
    ax.set_yticks(positions, [_wrap(label) for label in ordered["label"]], fontsize=TICK_SIZE - 1, linespacing=0.9)
    ax.set_ylim(-0.6, len(ordered) - 0.4)
    ax.set_xlim(min(0.0, float(np.nanmin(ordered["S1_low"])) - 0.02),
                max(1.0, float(np.nanmax(ordered["ST_high"])) + 0.02))
    ax.axvline(0, color="#999999", linewidth=0.6)
    ax.set_xlabel("Share of the output's variance", fontsize=NOTE_SIZE)


def draw_sobol_by_year(ax: Axes, rows: pd.DataFrame, title: str) -> None:
    """Total-order indices of the breach indicator by each year: which group drives the breach when.

    Parameters
    ----------
    rows : DataFrame
        Sobol' rows of one force for the breach indicator, every year.
    """
    _style(ax, title)
    breaching = (rows.groupby("year")["output_mean"].first() * rows.groupby("year")["evaluations"].first()).round()
    half_width = ((rows["ST_high"] - rows["ST_low"]) / 2).groupby(rows["year"]).max()
    years = [y for y in sorted(breaching.index)
             if breaching[y] >= MIN_BREACHING_EVALUATIONS and half_width[y] <= MAX_HALF_WIDTH]
    left_out = [y for y in sorted(breaching.index) if y not in years]
    if not years:
        ax.text(0.5, 0.5, "Too few breaching paths in every year to attribute", ha="center", va="center",
                transform=ax.transAxes, fontsize=LABEL_SIZE, color="#555555")
        ax.set_yticks([])
        return
    last = rows[rows["year"] == years[-1]].sort_values("ST", ascending=True)
    groups, labels = last["group"].tolist(), last["label"].tolist()
    width = 0.8 / len(years)
    for k, year in enumerate(years):
        by_group = rows[rows["year"] == year].set_index("group")
        values = by_group.loc[groups, "ST"].to_numpy()
        errors = np.vstack([values - by_group.loc[groups, "ST_low"].to_numpy(),
                            by_group.loc[groups, "ST_high"].to_numpy() - values])
        probability = float(by_group["output_mean"].iloc[0])
        ax.barh(np.arange(len(groups)) - 0.4 + (k + 0.5) * width, values, height=width,
                color=YEAR_COLOURS[(k + len(YEAR_COLOURS) - len(years)) % len(YEAR_COLOURS)], xerr=errors,
                error_kw={"elinewidth": 0.6, "capsize": 1.5, "ecolor": "#555555"},
                label=f"by {year}: {format_percent(probability)} of evaluations breach")
    ax.set_yticks(np.arange(len(groups)), [_wrap(label) for label in labels], fontsize=TICK_SIZE - 1, linespacing=0.9)
    ax.set_ylim(-0.6, len(groups) - 0.4)
    shown = rows[rows["year"].isin(years)]
    ax.set_xlim(0, max(1.05, float(np.nanmax(shown["ST_high"])) + 0.02))
    note = "Total-order index (share of variance, interactions included)"
    if left_out:
        note += "\n" + "\n".join(textwrap.wrap(
            f"Not shown, too few breaching evaluations to attribute precisely: {', '.join(left_out)}", 64))
    ax.set_xlabel(note, fontsize=NOTE_SIZE)
    handles, texts = ax.get_legend_handles_labels()
    # The latest year's bar is on top in each group: list the years in the same order.
    ax.legend(handles[::-1], texts[::-1], fontsize=TICK_SIZE - 1, frameon=False, loc="lower right")


def draw_grid_table(ax: Axes, columns: Sequence[str], cells: Sequence[Sequence[str]], widths: Sequence[float],
                    shaded: Sequence[bool] = (), row_height: float = 0.085) -> None:
    """A plain table in axes coordinates: first column left-aligned, the others right-aligned.

    Parameters
    ----------
    columns : sequence of str
        Header labels.
    cells : sequence of rows of str
    widths : sequence of float
        Column widths as fractions of the axes width.
    shaded : sequence of bool
        Rows to shade (highlighted findings).
    row_height : float
        Height of a row as a fraction of the axes height.
    """
    ax.axis("off")
    edges = np.concatenate([[0.0], np.cumsum(widths)])
    texts = TextSet(ax.transAxes)
    # Rows may run below the axes (the unit table's last row), as a Text of the axes would.
    texts.set_clip_on(False)
    for r, row in enumerate([list(columns)] + [list(c) for c in cells]):
        top = 1.0 - r * row_height
        if r == 0:
            ax.add_patch(Rectangle((0, top - row_height), edges[-1], row_height, transform=ax.transAxes,
                                   color="#eef2f7", linewidth=0))
        elif r - 1 < len(shaded) and shaded[r - 1]:
            ax.add_patch(Rectangle((0, top - row_height), edges[-1], row_height, transform=ax.transAxes,
                                   color="#fdebd9", linewidth=0))
        for c, text in enumerate(row):
            x, ha = (edges[c] + 0.006, "left") if c == 0 else (edges[c + 1] - 0.006, "right")
            texts.add(x, top - row_height / 2, text, font(TICK_SIZE + 0.5, "bold" if r == 0 else "normal"),
                      ha=ha, va="center")
        ax.plot([0, edges[-1]], [top - row_height] * 2, color="#cccccc", linewidth=0.5, transform=ax.transAxes,
                clip_on=False)
    ax.add_artist(texts)


def unit_table_cells(rows: pd.DataFrame, years: Sequence[str]) -> list[list[str]]:
    """One force's unit sensitivity rows: label, change in the gap each year and cumulative, £m, one decimal."""
    cells = []
    for _, group in rows.groupby("sensitivity", sort=False):
        by_year = group.set_index("year")
        cells.append([group["label"].iloc[0]] + [format_table_money(by_year.loc[y, "gap"]) for y in years]
                     + [format_table_money(by_year.loc[years[-1], "cumulative_gap"])])
    return cells


def draw_unit_table(ax: Axes, rows: pd.DataFrame, force_name: str, years: Sequence[str]) -> None:
    """One force's unit sensitivity table: change in the budget gap, £m a year and cumulative.

    Parameters
    ----------
    rows : DataFrame
        Unit sensitivity rows (see :func:`model.analysis.unit.unit_sensitivities`) of one force.
    """
    columns = ["Change, every year it applies (£m)"] + list(years) + [f"Total to {years[-1]}"]
    widths = [0.34] + [0.11] * len(years) + [0.16]
    draw_grid_table(ax, columns, unit_table_cells(rows, years), widths, row_height=1.0 / 8.5)
    ax.set_title(force_name, fontsize=TITLE_SIZE, loc="left", fontweight="bold")


def draw_drivers_table(ax: Axes, rows: pd.DataFrame, title: str, top: int = 8) -> None:
    """The factors that differ most on breaching paths, with their medians and whether the shift is material.

    Parameters
    ----------
    rows : DataFrame
        Breach driver rows (see :func:`model.analysis.drivers.breach_drivers`) of one force.
    """
    ax.axis("off")
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left", fontweight="bold")
    if rows.empty:
        ax.text(0.0, 0.8, "No path breaches the minimum: nothing to compare.", fontsize=LABEL_SIZE,
                transform=ax.transAxes)
        return
    from model.analysis.drivers import shift_text
    from model.declare.formatting import format_value

    shown = rows.sort_values("shift_share", key=np.abs, ascending=False).head(top)
    cells = []
    for row in shown.itertuples():
        by_mean = row.kind == "shocks" or row.p10_all == row.p90_all
        typical, breaching = (row.mean_all, row.mean_breach) if by_mean else (row.median_all, row.median_breach)
        cells.append([row.label + (" (mean)" if by_mean else ""), format_value(typical, row.unit),
                      format_value(breaching, row.unit), shift_text(row.shift, row.unit) if row.shift else "–",
                      f"{row.shift_share:+.0%}", "yes" if row.material else ""])
    columns = ["Factor", "Median, all paths", "Median, breaching", "Shift", "Share of P10–P90", "Material"]
    draw_grid_table(ax, columns, cells, [0.36, 0.12, 0.14, 0.18, 0.12, 0.08],
                    shaded=[row.material for row in shown.itertuples()], row_height=1.0 / (top + 1.3))


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def _lines(text: str, size: float, page_width: float, left: float) -> str:
    """A paragraph starting ``left`` (share of the page's width) from the page's edge, broken into lines that stop
    as far from the other edge, measured in the font the PDF is set in."""
    return "\n".join(wrap_to_width(text, font(size), page_width * (1 - 2 * left) * POINTS_PER_INCH))


def _page(title: str, subtitle: str = "") -> Figure:
    figure = Figure(figsize=PAGE_SIZE)
    figure.text(0.04, 0.955, title, fontsize=14, fontweight="bold")
    if subtitle:
        figure.text(0.04, 0.93, _lines(subtitle, LABEL_SIZE, PAGE_SIZE[0], 0.04), fontsize=LABEL_SIZE,
                    color="#444444", va="top")
    return figure


def _footnote(figure: Figure, text: str) -> None:
    figure.text(0.04, 0.02, _lines(text, NOTE_SIZE, PAGE_SIZE[0], 0.04), fontsize=NOTE_SIZE, color="#444444",
                va="bottom")


def unit_page(tables: dict, info: RunInfo) -> Figure:
    """Every force's unit sensitivity table on one page."""
    unit = tables["unit_sensitivities"]
    years = list(dict.fromkeys(unit["year"]))
    forces = list(dict.fromkeys(unit["force"]))
    figure = _page(f"Unit sensitivities — {info.title}",
                   "Change in the budget gap, £m a year, when one input moves in every year it applies (pay award and "
                   "savings delivery from 2016/17, the others from 2017/18); everything else as the force planned.")
    height = 0.80 / max(len(forces), 1)
    for k, force in enumerate(forces):
        ax = figure.add_axes((0.06, 0.86 - (k + 1) * height + 0.035, 0.88, height - 0.075))
        draw_unit_table(ax, unit[unit["force"] == force], info.force_name(force), years)
    _footnote(figure, "Positive: costs more or raises less (a worse gap); (brackets): reduces the gap. Deterministic "
                      "force-plan case, exact. Moves compound as the engine does: a pay award 1 point higher every "
                      "year is 7/12 of a point in 2016/17 and carries into each later year; a band D rise £1 higher "
                      "every year is £3 on band D by 2019/20. The plan's savings requirement is held as the force set it.")
    return figure


def base_row(result: SensitivityResult, force: str) -> pd.Series | None:
    """A force's base breach probability (:meth:`~model.analysis.results.SensitivityResult.base_breach`)."""
    base = result.base_breach()
    return base.loc[force] if force in base.index else None


def base_breach_sentence(base: pd.Series | None, year: str) -> str:
    """The base breach probability in one sentence, as each page that states it does."""
    if base is None:
        return ""
    return (f"P(general reserve < minimum by {year}): {probability_text(base['probability'], base['low'], base['high'])}"
            f", every input uncertain, on the scenario's {int(base['paths']):,} paths.")


def design_breach_sentence(base: pd.Series | None, design: pd.Series | None, year: str) -> str:
    """The Sobol' design's own breach probability, labelled, with its sample and interval, and why it differs."""
    if design is None or not np.isfinite(design["probability"]):
        return ""
    evaluations, base_samples = int(design["evaluations"]), int(design["base_samples"])
    effective = int(design["effective_samples"])
    worth = round(effective, -2) if effective >= 1000 else effective
    text = (f"The Sobol' design's own estimate, from its {evaluations:,} evaluations, is "
            f"{probability_text(design['probability'], design['low'], design['high'])}: a different sample "
            f"(quasi-random design points, not the scenario's paths), worth about {worth:,} independent paths "
            f"because the {evaluations // base_samples} evaluations of each of its {base_samples:,} base samples share "
            "most of their draws.")
    if base is None:
        return text
    if design["low"] <= base["high"] and base["low"] <= design["high"]:
        return text + (" Both estimate the same probability and differ by sampling error (the intervals overlap); "
                       "the indices below are computed on the design.")
    return text + (" Both estimate the same probability, yet the intervals do not overlap: more than sampling error "
                   "usually explains; rerun with more --paths or a larger --sobol-n.")


def tornado_page(result: SensitivityResult, force: str) -> Figure:
    """A force's three tornado charts, stacked on a portrait page."""
    info, tornado = result.info, result.tornado
    rows = tornado[tornado["force"] == force]
    base = base_row(result, force)
    paths = f"the same {int(base['paths']):,} paths" if base is not None else "the same paths"
    figure = Figure(figsize=PORTRAIT_SIZE)
    figure.text(0.05, 0.97, f"One-way sensitivity — {info.force_name(force)}", fontsize=14,
                fontweight="bold")
    figure.text(0.05, 0.952, _lines(
        "Each input (and baseline assumption) from its P10 to its P90, the others at base; under each name its "
        "value at P10 and at P90 (an input's average over the years it applies; band D as set, within the referendum "
        "limit). Money: the median case (every other input at its median). Probability: the other inputs "
        f"uncertain on {paths} (common random numbers); each swing ± its 95% Monte Carlo margin.", NOTE_SIZE,
        PORTRAIT_SIZE[0], 0.05), fontsize=NOTE_SIZE, color="#444444", va="top")
    for k, output in enumerate(("cumulative_gap", "total_reserves", BREACH)):
        ax = figure.add_axes((0.40, 0.665 - k * 0.288, 0.52, 0.205))
        draw_tornado(ax, rows[rows["output"] == output], output)
    tornado_legend(figure)
    return figure


def spider_page(result: SensitivityResult, force: str) -> Figure:
    """A force's three spider plots, one colour per factor across the page."""
    info, spider, tornado = result.info, result.spider, result.tornado
    factors = spider_factors(tornado[tornado["force"] == force])
    colours = {factor: SPIDER_COLOURS[k % len(SPIDER_COLOURS)] for k, factor in enumerate(factors)}
    markers = {factor: SPIDER_MARKERS[k % len(SPIDER_MARKERS)] for k, factor in enumerate(factors)}
    figure = _page(f"Spider plot — {info.force_name(force)}",
                   "The output as each of the largest-swing factors moves from its P10 to its P90 (others at base); "
                   "shaded: 95% Monte Carlo band of the probability. With one factor pinned at its median and the "
                   "others uncertain the probability is not the base, which has every input uncertain.")
    axes = []
    base = base_row(result, force)
    for k, output in enumerate(("cumulative_gap", "total_reserves", BREACH)):
        ax = figure.add_axes((0.065 + k * 0.33, 0.24, 0.255, 0.58))
        draw_spider(ax, spider[(spider["force"] == force) & (spider["output"] == output)], output, factors, colours,
                    base=base, markers=markers)
        axes.append(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncols=4, fontsize=LABEL_SIZE, frameon=False,
                  bbox_to_anchor=(0.5, 0.06))
    return figure


def sobol_page(result: SensitivityResult, force: str) -> Figure:
    """A force's Sobol' indices: money outputs, the breach by the last year, and the breach by year."""
    info, sobol = result.info, result.sobol_indices
    rows = sobol[sobol["force"] == force]
    last = rows["year"].max()
    n = int(rows["base_samples"].iloc[0]) if len(rows) else 0
    evaluations = int(rows["evaluations"].iloc[0]) if len(rows) else 0
    design = result.design_breach()
    base = base_row(result, force)
    figure = _page(f"Variance-based attribution (Sobol') — {info.force_name(force)}",
                   f"First- and total-order indices, 95% bootstrap intervals; Sobol' design of {n:,} base samples "
                   f"({evaluations:,} model evaluations); inputs joined by a stated correlation share a group.")
    probabilities = [base_breach_sentence(base, last),
                     design_breach_sentence(base, design.loc[force] if force in design.index else None, last)]
    figure.text(0.04, 0.895, "\n".join(_lines(part, NOTE_SIZE, PAGE_SIZE[0], 0.04) for part in probabilities if part),
                fontsize=NOTE_SIZE, va="top", linespacing=1.3,
                bbox={"boxstyle": "square,pad=0.5", "facecolor": "#f4f6f9", "edgecolor": "#cccccc", "linewidth": 0.6})
    panels = (("cumulative_gap", output_title("cumulative_gap", last)),
              ("total_reserves", output_title("total_reserves", last)),
              (BREACH, output_title(BREACH, last)))
    places = ((0.22, 0.465, 0.25, 0.29), (0.69, 0.465, 0.25, 0.29), (0.22, 0.09, 0.25, 0.29))
    for (output, title), place in zip(panels, places, strict=True):
        ax = figure.add_axes(place)
        draw_sobol_bars(ax, rows[(rows["output"] == output) & (rows["year"] == last)], title)
        ax.title.set_fontsize(TITLE_SIZE - 1)
    ax = figure.add_axes((0.69, 0.09, 0.25, 0.29))
    draw_sobol_by_year(ax, rows[rows["output"] == BREACH], "Breach by each year: total-order index")
    ax.title.set_fontsize(TITLE_SIZE - 1)
    figure.legend(handles=[Patch(color=FIRST_ORDER_COLOUR, label="first order S1 (the factor alone)"),
                           Patch(color=TOTAL_ORDER_COLOUR, label="total order ST (with its interactions)")],
                  loc="upper left", ncols=2, fontsize=LABEL_SIZE, frameon=False, bbox_to_anchor=(0.035, 0.825))
    return figure


def drivers_page(result: SensitivityResult) -> Figure:
    """For every force, the factors that differ most on the paths that breach the minimum."""
    info, drivers = result.info, result.breach_drivers
    forces = info.force_ids
    figure = _page("Where the breaching paths come from",
                   f"Paths whose general reserve falls below its minimum by {info.years[-1]}, against all paths "
                   "(every input uncertain, the scenario's own paths); inputs averaged over the years they apply. "
                   "Shaded: material, a shift of more than a quarter of the factor's P10–P90 range.")
    height = 0.80 / max(len(forces), 1)
    for k, force in enumerate(forces):
        rows = drivers[drivers["force"] == force]
        ax = figure.add_axes((0.04, 0.865 - (k + 1) * height + 0.035, 0.92, height - 0.07))
        base = base_row(result, force)
        title = info.force_name(force)
        if base is not None:
            title += (f": {int(base['breach_paths']):,} of {int(base['paths']):,} paths breach, "
                      f"{probability_text(base['probability'], base['low'], base['high'])}")
        draw_drivers_table(ax, rows, title)
    _footnote(figure, "A shift shows association, not cause: an input correlated with a driver shifts with it even if "
                      "it has no effect of its own (the tornado and Sobol' pages show effects).")
    return figure


def build_sensitivity_pdf(path: Path, result: SensitivityResult, *, fonts: str = "auto") -> None:
    """Write ``sensitivity.pdf``: the unit table, then per force tornado, spider and Sobol' pages, then breach drivers.

    The text is set in the PDF's core Helvetica when every character shows in it, otherwise
    in the embedded TrueType font, as the report's is
    (:func:`~model.report.style.write_in_fitting_font`).

    Parameters
    ----------
    path : Path
    result : SensitivityResult
        Its tables (``unit_sensitivities``, ``tornado``, ``spider``, ``sobol_indices``,
        ``breach_drivers``), its base breach probability and the run's metadata (title,
        forces and their names, years).
    fonts : {'auto', 'embedded'}, default 'auto'
        ``'auto'``: the core font when it shows every character, else the embedded font;
        ``'embedded'``: the embedded TrueType font whatever the text (slower to write).
    """
    metadata = {"Title": f"Sensitivity — {result.info.title}", "Creator": "police-mtfs"}

    def write(core: bool) -> None:
        with mpl.rc_context(SENSITIVITY_RC), PdfPages(path, metadata=metadata) as pdf:
            for page in sensitivity_pages(result):
                pdf.savefig(page)
                check_page_font(page, core)

    write_in_fitting_font(write, sensitivity_texts(result), fonts)


def sensitivity_pages(result: SensitivityResult) -> Iterator[Figure]:
    """The pages of ``sensitivity.pdf`` in order, each made when it is asked for.

    Parameters
    ----------
    result : SensitivityResult

    Yields
    ------
    matplotlib.figure.Figure
    """
    info = result.info
    yield unit_page(result.tables(), info)
    for force in info.force_ids:
        yield tornado_page(result, force)
        yield spider_page(result, force)
        if not result.sobol_indices.empty and force in set(result.sobol_indices["force"]):
            yield sobol_page(result, force)
    yield drivers_page(result)


def sensitivity_texts(result: SensitivityResult) -> Iterator[str]:
    """The texts ``sensitivity.pdf`` takes from a sensitivity analysis: its title, force names and table cells.

    Used to choose the font before a page is drawn; each page is checked again as it is written.

    Parameters
    ----------
    result : SensitivityResult

    Yields
    ------
    str
    """
    info = result.info
    yield info.title
    yield from (info.force_name(force) for force in info.force_ids)
    yield from strings_in(result.tables())
