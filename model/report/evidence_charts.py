"""The charts of the evidence commands: a fit's distribution functions against the history, and a forecast's
PIT histogram and band coverage.

Each chart is a ``*_data`` function (tidy rows, testable with exact values) and a ``*_plot``
function that draws those rows on a matplotlib Axes and nothing else; :func:`save_fit_png` puts
the fit's chart in a PNG for ``police-mtfs fit``, and :mod:`model.report.evidence_pdf` puts the
evaluation's charts in ``evaluation.pdf``. No pyplot state is touched.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from model.analysis.fit import FitResult

FAMILY_COLOURS = {"normal": "#1f5fa8", "truncated_normal": "#7a4ea3", "lognormal": "#8c6d1f",
                  "triangular": "#d0661b", "pert": "#238b45", "uniform": "#555555"}
HISTORY_COLOUR = "#111111"
NOMINAL_COLOUR = "#c62828"
BAR_COLOUR = "#9ecae1"
TITLE_SIZE, LABEL_SIZE, TICK_SIZE = 10.5, 8.5, 7.5

DISPLAY_SCALE = {"rate": 100.0}
"""Values are drawn in the unit a reader writes: rates in per cent, money in £m, band D in £."""

AXIS_LABEL = {"rate": "%", "money": "£m", "pounds": "£ (band D)"}


def fit_cdf_data(result: FitResult, unit: str | None, *, families: int = 4, points: int = 201
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fitted distribution functions and the history's empirical one, in display units.

    Parameters
    ----------
    result : FitResult
    unit : str, optional
        The values' unit (rates are drawn in per cent).
    families : int
        How many fitted families to draw, best first (the recommended one always).
    points : int
        Points on each curve.

    Returns
    -------
    curves : DataFrame
        ``family, rank, x, cdf``.
    history : DataFrame
        ``period_index, x, position``: each value at its plotting position ``(i − 0.5)/n``.
    """
    scale = DISPLAY_SCALE.get(unit or "", 1.0)
    values = np.sort(result.values)
    span = float(values.max() - values.min()) or max(abs(float(values.max())), 1e-3)
    grid = np.linspace(values.min() - 0.75 * span, values.max() + 0.75 * span, points)
    fitted = [f for f in result.fits if f.fitted]
    chosen = fitted[:families]
    if result.recommended is not None and result.recommended not in chosen:
        chosen.append(result.recommended)
    rows = []
    for rank, fit in enumerate(chosen, start=1):
        with np.errstate(all="ignore"):
            cdf = fit.frozen().cdf(grid)
        rows += [[fit.family, rank, x * scale, float(c)] for x, c in zip(grid, cdf, strict=True)]
    curves = pd.DataFrame(rows, columns=["family", "rank", "x", "cdf"])
    order = np.argsort(result.values, kind="stable")
    history = pd.DataFrame({"period_index": order, "x": values * scale,
                            "position": (np.arange(1, values.size + 1) - 0.5) / values.size})
    return curves, history


def fit_cdf_plot(ax: Axes, curves: pd.DataFrame, history: pd.DataFrame, title: str, unit: str | None,
                 recommended: str | None = None) -> None:
    """Draw fitted distribution functions against the history's values (a CDF plot)."""
    for family, rows in curves.groupby("family", sort=False):
        width = 2.2 if family == recommended else 1.2
        label = family.replace("_", " ") + (" (the snippet's)" if family == recommended else "")
        ax.plot(rows.x, rows.cdf, color=FAMILY_COLOURS.get(family, "#333333"), linewidth=width, label=label)
    ax.step(np.concatenate([[history.x.min()], history.x]), np.concatenate([[0.0], history.position + 0.5 / len(history)]),
            where="post", color=HISTORY_COLOUR, linewidth=0.8, alpha=0.6, label="history (empirical)")
    ax.plot(history.x, history.position, "o", color=HISTORY_COLOUR, markersize=5, zorder=5,
            label="history, at (i − ½)/n")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of values at or below", fontsize=LABEL_SIZE)
    ax.set_xlabel(AXIS_LABEL.get(unit or "", "value"), fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    ax.legend(fontsize=TICK_SIZE, loc="lower right", frameon=False)


def save_fit_png(path: Path, result: FitResult, *, unit: str | None, title: str, note: str = "") -> None:
    """Write the fit's CDF plot as a PNG."""
    curves, history = fit_cdf_data(result, unit)
    figure = Figure(figsize=(8.0, 5.0))
    ax = figure.add_axes((0.09, 0.16 if note else 0.11, 0.88, 0.76 if note else 0.8))
    recommended = result.recommended.family if result.recommended is not None else None
    fit_cdf_plot(ax, curves, history, title, unit, recommended)
    if note:
        figure.text(0.09, 0.02, note, fontsize=TICK_SIZE, color="#444444", wrap=True)
    figure.savefig(path, format="png", dpi=130)


def pit_histogram_data(pit: pd.DataFrame) -> pd.DataFrame:
    """The PIT histogram as densities: ``bin_low, bin_high, density, expected_density`` (a calibrated forecast: 1)."""
    width = pit.bin_high - pit.bin_low
    total = float(pit["count"].sum())
    density = pit["count"] / (total * width) if total > 0 else pit["count"] * 0.0
    return pd.DataFrame({"bin_low": pit.bin_low, "bin_high": pit.bin_high, "density": density,
                         "expected_density": 1.0})


def pit_histogram_plot(ax: Axes, data: pd.DataFrame, title: str) -> None:
    """Draw the PIT histogram: bars of density per bin of percentile rank, with the flat line of calibration."""
    ax.bar(data.bin_low, data.density, width=data.bin_high - data.bin_low, align="edge", color=BAR_COLOUR,
           edgecolor="#4a7ca8", linewidth=0.6)
    ax.axhline(1.0, color=NOMINAL_COLOUR, linewidth=1.2, linestyle="--", label="calibrated (flat)")
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("percentile rank of the outturn in the simulated distribution", fontsize=LABEL_SIZE)
    ax.set_ylabel("density", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    ax.legend(fontsize=TICK_SIZE, frameon=False, loc="upper center")


def coverage_data(coverage: pd.DataFrame, metric: str = "all") -> pd.DataFrame:
    """One metric's (default: all) band coverage rows: ``band, nominal, coverage, ci_low, ci_high, outturns``."""
    rows = coverage[coverage.metric == metric]
    return rows[["band", "nominal", "coverage", "ci_low", "ci_high", "outturns"]].reset_index(drop=True)


def coverage_plot(ax: Axes, data: pd.DataFrame, title: str) -> None:
    """Draw each band's coverage with its 95% binomial interval against its nominal rate."""
    positions = np.arange(len(data))
    ax.bar(positions, data.coverage, color=BAR_COLOUR, edgecolor="#4a7ca8", width=0.55, label="coverage")
    ax.errorbar(positions, data.coverage, yerr=[data.coverage - data.ci_low, data.ci_high - data.coverage],
                fmt="none", ecolor="#222222", capsize=4, linewidth=1, label="95% interval")
    ax.scatter(positions, data.nominal, marker="_", s=900, color=NOMINAL_COLOUR, linewidths=2, zorder=5,
               label="nominal")
    ax.set_xticks(positions, [f"{b}\n({int(n)} outturns)" for b, n in zip(data.band, data.outturns, strict=True)],
                  fontsize=TICK_SIZE)
    ax.set_ylim(0, 1.15)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.tick_params(labelsize=TICK_SIZE)
    ax.set_ylabel("outturns inside the band", fontsize=LABEL_SIZE)
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    ax.legend(fontsize=TICK_SIZE, frameon=False, loc="upper right", ncols=3)
