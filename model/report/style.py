"""The look every report chart shares: colours, type sizes, and the fiscal-year, money and probability axes.

Money axes are in £ million cash with negatives in brackets; probability axes in per cent.
Every chart puts fiscal years on its x axis at positions 0, 1, 2, ...

The report's text is set in the PDF's built-in Helvetica when every character it shows is
in that font's encoding (Windows-1252: Latin letters of Western Europe, £, §, ±, ·, ×, en and
em dashes, curly quotes, bullets, the ellipsis), and otherwise in the embedded TrueType font
(DejaVu Sans), which shows any character: :func:`report_style`, which also holds the report's other
matplotlib settings. The report and the sensitivity PDF choose between the two the same way, through
:func:`write_in_fitting_font`.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import Formatter, MaxNLocator

from model.declare.formatting import format_table_money
from model.declare.outputs import METRICS
from model.report.text_set import TextSet

LINE_COLOURS: dict[str, str] = {
    "funding": "#1f5fa8",
    "spend": "#d0661b",
    "general_reserve": "#238b45",
    "earmarked_reserves": "#7a4ea3",
    "total_reserves": "#4a4a4a",
}
"""One colour per line type, shared by every page so a reader learns them once."""

RESERVE_COLOURS: dict[str, str] = {
    "reserve_earmarked": "#7a4ea3",
    "reserve_base_budget_support": "#7a4ea3",
    "reserve_budget_equalisation": "#7a4ea3",
    "reserve_specific_change": "#b5367a",
    "reserve_other_earmarked": "#2a7f8f",
}
"""Colours of named earmarked reserves; other names take one from :data:`RESERVE_PALETTE`."""

RESERVE_PALETTE: tuple[str, ...] = ("#7a4ea3", "#b5367a", "#2a7f8f", "#8c6d1f", "#4f6fb3", "#a0522d")

FORCE_COLOURS: dict[str, str] = {
    "staffordshire": "#1f5fa8",
    "leicestershire": "#c0392b",
    "hertfordshire": "#2e8b57",
}
"""One colour per force on the cross-force page; other forces take one from :data:`FORCE_PALETTE`."""

FORCE_PALETTE: tuple[str, ...] = ("#8e44ad", "#d68910", "#117a8b", "#6e2c00", "#566573")

MINIMUM_RESERVE_COLOUR = "#c62828"
NEUTRAL_COLOUR = "#555555"

GAP_PART_COLOURS: dict[str, str] = {
    "savings_delivered": "#5b8f29",
    "planned_reserve_use": "#7a4ea3",
    "unplanned_gap": "#d0661b",
}
PLAN_SAVINGS_COLOUR = "#111111"

MOVEMENT_COLOURS: dict[str, str] = {
    "planned_reserve_use": "#7a4ea3",
    "shortfall_met_from_reserves": "#d0661b",
    "surplus_to_reserves": "#5b8f29",
    "reserves_to_capital": "#2a7f8f",
    "uncovered_deficit": MINIMUM_RESERVE_COLOUR,
}

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

TITLE_SIZE = 10.5
LABEL_SIZE = 8.5
TICK_SIZE = 8
LEGEND_SIZE = 8

OUTER_BAND_ALPHA = 0.16
INNER_BAND_ALPHA = 0.36
GRID = {"color": "#dddddd", "linewidth": 0.6}
LEGEND_GAP_POINTS = 30
"""Distance from the bottom of an axes to its legend: clears tick labels and the x label."""


# --------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------

CORE_FONT = "Helvetica"
"""The PDF core font the report is set in when it can show every character (no font is embedded)."""

CORE_FONT_ENCODING = "cp1252"
"""The characters a core font shows: matplotlib writes core-font text in Windows-1252 and any
other character as '?'."""

CORE_FONT_RC: dict[str, object] = {
    "pdf.use14corefonts": True,
    "font.family": "sans-serif",
    # Helvetica alone: a text looked up as TrueType in this mode would say so (a findfont warning)
    # rather than fall back to another font's widths in silence.
    "font.sans-serif": [CORE_FONT],
}
"""matplotlib settings of the core-font mode; the other mode is matplotlib's defaults (DejaVu Sans, embedded)."""


def shows_in_core_font(texts: Iterable[str]) -> bool:
    """Whether the core font can show every character of the texts (no '?' in their place).

    Parameters
    ----------
    texts : iterable of str

    Returns
    -------
    bool
        True when every text encodes in Windows-1252.
    """
    try:
        "\n".join(texts).encode(CORE_FONT_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class _CoreFontWeightNotice(logging.Filter):
    """Drops matplotlib's notice that Helvetica has no 'normal' weight and 'medium' is used.

    Adobe's metrics for the core fonts name Helvetica's regular face "Medium", so a request
    for normal text finds exactly the face wanted; matplotlib logs the mismatch of names
    once per font size. Any other font-lookup message passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (str(record.msg).startswith("findfont: Failed to find font weight") and len(args) == 3
                    and args[1] == CORE_FONT and str(args[0]) in ("normal", "regular", "400")
                    and str(args[2]) == "medium")


REPORT_RC: dict[str, object] = {
    # Titles sit at the top of their axes, as matplotlib puts them when no tick labels are above the axes
    # (none of the report's charts has any). Fixed, matplotlib need not measure every neighbouring axes'
    # ticks to check, each time a page is laid out and again when it is drawn.
    "axes.titley": 1.0,
}
"""matplotlib settings of every report page, whatever the font."""


@contextmanager
def report_style(core: bool) -> Iterator[None]:
    """The report's matplotlib settings, with its text in the core font (``core=True``) or the embedded one.

    Everything drawn, saved or measured (:func:`model.report.page_layout.text_width`) inside
    the block uses them; matplotlib's settings are restored on leaving it.

    Parameters
    ----------
    core : bool
        Helvetica, not embedded (fast to lay out and write; Windows-1252 characters only:
        check with :func:`shows_in_core_font`), or matplotlib's default embedded font.
    """
    if not core:
        with mpl.rc_context(REPORT_RC | {"pdf.use14corefonts": False}), fonts_found_once():
            yield
        return
    notice = _CoreFontWeightNotice()
    logger = logging.getLogger("matplotlib.font_manager")
    logger.addFilter(notice)
    try:
        with mpl.rc_context(REPORT_RC | CORE_FONT_RC), fonts_found_once():
            yield
    finally:
        logger.removeFilter(notice)


@contextmanager
def fonts_found_once() -> Iterator[None]:
    """Each font looked up once in the block, for settings that do not change inside it.

    matplotlib looks up a text's font file every time it measures or writes the text, and
    each lookup reads eleven font settings (to key its own cache) before finding the file
    it found last time: about 16,000 lookups in a report. Inside the block a lookup with
    the same font, file type and folder takes the file found the first time; leaving the
    block restores matplotlib's own lookup. The font settings must not change inside it.
    """
    manager = font_manager.fontManager
    own_lookup, module_lookup = vars(manager).get("findfont"), font_manager.findfont
    found_once = lru_cache(maxsize=1024)(manager.findfont)
    manager.findfont = font_manager.findfont = found_once
    try:
        yield
    finally:
        font_manager.findfont = module_lookup
        if own_lookup is None:
            del manager.findfont
        else:
            manager.findfont = own_lookup


FONT_CHOICES = ("auto", "embedded")
"""How a PDF's font is chosen: ``'auto'``, the core font when it shows every character, else the
embedded font; ``'embedded'``, the embedded font whatever the text."""


class OutsideCoreFont(Exception):
    """A page holds a character the core font cannot show: the PDF is set again in the embedded font."""


def write_in_fitting_font(write: Callable[[bool], None], texts: Iterable[str], fonts: str = "auto") -> None:
    """Write a PDF in the core font when it shows every character, otherwise in the embedded font.

    The font is chosen from ``texts`` before anything is drawn; ``write`` checks each page
    as it is written (:func:`check_page_font`), and if a page turns out to hold a character
    outside the core font's encoding the whole PDF is written again in the embedded font,
    so no character is ever shown as '?'. The objects that exist before are left out of
    the garbage collector's full passes meanwhile.

    Parameters
    ----------
    write : callable
        ``write(core)`` writes the whole PDF, inside :func:`report_style` of that font, and
        passes ``core`` on to :func:`check_page_font` for each page.
    texts : iterable of str
        Every text the PDF takes from its input (names, titles, table cells); its own
        wording is checked on its pages.
    fonts : {'auto', 'embedded'}, default 'auto'
        See :data:`FONT_CHOICES`.

    Raises
    ------
    ValueError
        For any other ``fonts``.
    """
    if fonts not in FONT_CHOICES:
        raise ValueError(f"fonts must be 'auto' or 'embedded', not {fonts!r}")
    with _earlier_objects_left_out_of_collections():
        if fonts == "auto" and shows_in_core_font(texts):
            try:
                with report_style(True):
                    write(True)
                return
            except OutsideCoreFont:
                pass
        with report_style(False):
            write(False)


@contextmanager
def _earlier_objects_left_out_of_collections() -> Iterator[None]:
    """Leave the objects that exist before a PDF out of the garbage collector's full passes while it is written.

    Each page leaves a few thousand artists to collect; every full collection would also
    walk the run's tables and every module loaded, which are still in use. They are
    returned to the collector at the end. Nothing is done when something else has already
    frozen objects (``gc.freeze``), so its choice stands.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def check_page_font(page: Figure, core: bool) -> None:
    """Stop a PDF set in the core font at a written page that holds a character the core font cannot show.

    Parameters
    ----------
    page : matplotlib.figure.Figure
        A page after it has been drawn (tick labels are set when it is drawn).
    core : bool
        Whether the PDF is set in the core font; nothing is checked otherwise.

    Raises
    ------
    OutsideCoreFont
        Caught by :func:`write_in_fitting_font`, which writes the PDF again in the embedded font.
    """
    if core and not shows_in_core_font(page_texts(page)):
        raise OutsideCoreFont


def page_texts(page: Figure) -> Iterator[str]:
    """Every text a drawn page shows: titles, labels, tick labels, legends, table cells.

    Parameters
    ----------
    page : matplotlib.figure.Figure
        A page after it has been drawn (tick labels are set when the page is drawn).

    Yields
    ------
    str
    """
    for artist in _texts_in(page):
        if artist.get_visible():
            yield from artist.texts() if isinstance(artist, TextSet) else (artist.get_text(),)


_SHOW_NO_TEXT = frozenset({Line2D, Rectangle, PathCollection, PolyCollection, LineCollection})
"""Artists with no text and no children, not looked into (most of a chart's artists are these): exactly
these types, as a subclass (a table's cell) may hold text."""


def _texts_in(artist: Artist) -> Iterator[Text | TextSet]:
    """Every :class:`~matplotlib.text.Text` and :class:`TextSet` in an artist and its children, as ``findobj`` finds them.

    An axis's ticks are the ones it holds: ``get_children`` would first make as many as its
    locator now asks for, and ``findobj`` would look into every line and patch of a chart.
    """
    if isinstance(artist, (Text, TextSet)):
        yield artist
    if isinstance(artist, Axis):
        children = [artist.label, artist.offsetText]
        for tick in (*artist.majorTicks, *artist.minorTicks):
            children += (tick.label1, tick.label2)
    else:
        children = artist.get_children()
    for child in children:
        if type(child) not in _SHOW_NO_TEXT:
            yield from _texts_in(child)


def strings_in(value: object) -> Iterator[str]:
    """Every string in a value: itself, a table's column names and text cells, or the fields or items it holds.

    Parameters
    ----------
    value : object
        A string, :class:`~pandas.DataFrame`, dataclass, mapping, list, tuple or set
        (nested freely); anything else holds no string.

    Yields
    ------
    str
    """
    if isinstance(value, str):
        yield value
    elif isinstance(value, pd.DataFrame):
        yield from (str(column) for column in value.columns)
        for column in value.columns:
            if not (pd.api.types.is_numeric_dtype(value[column]) or pd.api.types.is_bool_dtype(value[column])):
                yield from (str(cell) for cell in pd.unique(value[column]))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from strings_in(getattr(value, item.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from strings_in(item)


# --------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------

def reserve_colour(metric: str) -> str:
    """The colour of one earmarked reserve, the same on every page and for every force.

    Parameters
    ----------
    metric : str
        A ``reserve_<name>`` metric.

    Returns
    -------
    str
        A fixed colour for known names; otherwise one picked from the palette by a hash
        of the name, so it does not depend on which forces are in the run.
    """
    if metric in RESERVE_COLOURS:
        return RESERVE_COLOURS[metric]
    return RESERVE_PALETTE[zlib.crc32(metric.encode("utf-8")) % len(RESERVE_PALETTE)]


def force_colour(force: str) -> str:
    """The colour of a force on the cross-force page (fixed for the three modelled forces).

    Parameters
    ----------
    force : str
        Force id.

    Returns
    -------
    str
    """
    if force in FORCE_COLOURS:
        return FORCE_COLOURS[force]
    return FORCE_PALETTE[zlib.crc32(force.encode("utf-8")) % len(FORCE_PALETTE)]


# --------------------------------------------------------------------------------------
# Axes
# --------------------------------------------------------------------------------------

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


def set_fiscal_year_axis(ax: Axes, years: Sequence[str], label: bool = True) -> None:
    """Label the x axis with fiscal years as categories at positions 0, 1, 2, ...

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to label.
    years : sequence of str
        Fiscal years in plotting order.
    label : bool, default True
        Whether to write "Fiscal year" under the axis.
    """
    ax.set_xticks(range(len(years)), labels=list(years))
    ax.set_xlim(-0.5, len(years) - 0.5)
    ax.tick_params(labelsize=TICK_SIZE)
    if label:
        ax.set_xlabel("Fiscal year (1 April to 31 March)", fontsize=LABEL_SIZE)


class MoneyFormatter(Formatter):
    """Axis ticks in £m the budget-book way: ``12.5``, negatives in brackets ``(2.5)``.

    The decimals follow the tick spacing, so a 5-unit axis shows whole numbers and a
    0.5-unit axis one decimal.
    """

    def __call__(self, value: float, position: int | None = None) -> str:
        return format_table_money(value, decimals=1)

    def format_ticks(self, values) -> list[str]:
        decimals = tick_decimals(values)
        return [format_table_money(value, decimals=decimals) for value in values]


def tick_decimals(values: Sequence[float]) -> int:
    """The fewest decimals (at most two) that show every tick value exactly: 2.5 steps need one.

    Parameters
    ----------
    values : sequence of float
        Tick positions.

    Returns
    -------
    int
    """
    locs = np.asarray(values, dtype=float)
    for decimals in range(3):
        scaled = locs * 10**decimals
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return decimals
    return 2


def set_money_axis(ax: Axes, label: str = "£m (cash)") -> None:
    """Label the y axis in £m with bracketed negatives, light grid lines behind the data.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    label : str, default ``"£m (cash)"``
    """
    ax.yaxis.set_major_formatter(MoneyFormatter())
    ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 4, 5, 10]))
    ax.set_ylabel(label, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(axis="y", **GRID)
    ax.set_axisbelow(True)


class PercentTickFormatter(Formatter):
    """Probability ticks as percentages with just enough decimals: ``0%, 2.5%, 5%`` → ``0.0%, 2.5%, 5.0%``."""

    def __call__(self, value: float, position: int | None = None) -> str:
        return f"{value * 100:.1f}%"

    def format_ticks(self, values) -> list[str]:
        percents = [value * 100 for value in values]
        decimals = tick_decimals(percents)
        return [f"{percent:.{decimals}f}%" for percent in percents]


def set_probability_axis(ax: Axes, highest: float, label: str = "Probability") -> None:
    """A 0% to a rounded-up ceiling y axis for probabilities, in percent.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    highest : float
        Largest value drawn (including interval ends).
    label : str, default ``"Probability"``
    """
    ceiling = nice_probability_ceiling(highest)
    ax.set_ylim(-ceiling * 0.02, ceiling)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(PercentTickFormatter())
    ax.set_ylabel(label, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(axis="y", **GRID)
    ax.set_axisbelow(True)


def nice_probability_ceiling(highest: float) -> float:
    """The top of a probability axis: the next of 1%, 2%, 5%, 10%, 15% … 50%, 100% above the data.

    Parameters
    ----------
    highest : float
        Largest probability drawn.

    Returns
    -------
    float
        With 15% headroom so markers and labels stay inside the frame.
    """
    for ceiling in (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1.0):
        if highest * 1.15 <= ceiling:
            return ceiling
    return 1.05


def title(ax: Axes, text: str) -> None:
    """Set a chart title, left aligned, in the report's title style."""
    ax.set_title(text, loc="left", fontsize=TITLE_SIZE, fontweight="bold")


def values_by_year(rows: pd.DataFrame, column: str, years: Sequence[str]) -> np.ndarray:
    if rows.empty:
        return np.full(len(years), np.nan)
    # Read as arrays: Series.astype costs more than the few rows it converts.
    by_year = dict(zip(map(str, rows["year"].to_numpy()), rows[column].to_numpy(dtype=float), strict=True))
    return np.array([by_year.get(year, np.nan) for year in years], dtype=float)


def band_positions(years: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """x positions for drawing, and which year each position reads its values from.

    A single year has no span to fill between, so it is drawn as a short block.
    """
    if len(years) == 1:
        return np.array([-0.25, 0.25]), np.array([0, 0])
    positions = np.arange(len(years), dtype=float)
    return positions, np.arange(len(years))


def rows_for(frame: pd.DataFrame, column: str, value: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[frame[column] == value]


def legend_label(metric: str) -> str:
    """A metric's label for a chart legend, saying what a value below zero means where the declaration does."""
    declaration = METRICS[metric]
    if declaration.negative_means:
        return f"{declaration.label} (below zero: {declaration.negative_means})"
    return declaration.label
