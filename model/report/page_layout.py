"""Page layout for the report's text pages: A4 sizes, margins, and text flowed down pages.

Text is wrapped by measuring it in its font, placed as blocks of known height down the
page, and carried onto a new page (with any repeated header) when the next block does not
fit. Laying out (:func:`lay_out`: which block goes on which page, at what height) is apart
from drawing (:meth:`LaidOutPage.render`), so a report knows its page count before it draws
a page and can draw each page only when it writes it. Pages are
:class:`matplotlib.figure.Figure` objects made without pyplot.

Text is measured in the font the PDF will use: the PDF's built-in Helvetica (Adobe's
metrics) when ``rcParams['pdf.use14corefonts']`` is on, as the report sets it for text that
font can show (:func:`model.report.style.report_style`), and otherwise the embedded
TrueType font's outlines.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import matplotlib as mpl
from matplotlib.backends.backend_pdf import RendererPdf
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from model.report.text_set import font, page_text_set

PAGE_SIZE_INCHES: tuple[float, float] = (8.27, 11.69)
"""A4 portrait, used for every page but the finance tables."""

LANDSCAPE_INCHES: tuple[float, float] = (11.69, 8.27)
"""A4 landscape, for the finance officer's table (four cases for each of four years)."""

MARGIN_INCHES = 0.55
FOOTER_HEIGHT_INCHES = 0.35

HEADING_COLOUR = "#1f3b63"

POINTS_PER_INCH = 72
_TEXT_MEASURE = TextToPath()
_CORE_FONT_MEASURE = RendererPdf(None, POINTS_PER_INCH, 0, 0)
"""The PDF renderer measures text with the core fonts' AFM metrics when they are on; it needs no file to measure."""


@dataclass
class Block:
    """Something of known height drawn at a given top edge (inches from the page bottom).

    ``keep_with_next`` keeps a heading on the page of what follows it; ``header`` is
    drawn first when the block starts a new page (a table's repeated column headings).
    """

    height: float
    draw: Callable[[Figure, float], None]
    keep_with_next: bool = False
    header: Block | None = None
    space_before: float = 0.0


@dataclass(frozen=True)
class TextLine:
    """One line of text, already wrapped to its width."""

    text: str
    size: float = 10
    weight: str = "normal"
    indent: float = 0.0
    bullet: bool = False
    key: str = ""
    space_before: float = 0.0
    colour: str = "#111111"
    marker_colour: str | None = None


@dataclass(frozen=True)
class LaidOutPage:
    """One page of flowed blocks, laid out but not yet drawn.

    Attributes
    ----------
    size : (float, float)
        Page width and height, inches.
    placements : tuple of (Block, float)
        Each block with the top edge it is drawn at (inches from the page bottom), in
        drawing order; a repeated table header comes first on its page.
    """

    size: tuple[float, float]
    placements: tuple[tuple[Block, float], ...]

    def render(self) -> Figure:
        """Draw the page.

        Returns
        -------
        matplotlib.figure.Figure
            A new figure of the page's size with every block drawn.
        """
        page = Figure(figsize=self.size)
        for block, top in self.placements:
            block.draw(page, top)
        return page


def lay_out(blocks: Sequence[Block], page_size: tuple[float, float] = PAGE_SIZE_INCHES) -> list[LaidOutPage]:
    """Assign blocks to pages down A4, starting a new page when the next one does not fit.

    Parameters
    ----------
    blocks : sequence of Block
        In reading order. A block marked ``keep_with_next`` moves to a new page with the
        block after it; a block with a ``header`` repeats that header atop a new page.
    page_size : (float, float), default A4 portrait
        Page width and height, inches.

    Returns
    -------
    list of LaidOutPage
        At least one page; nothing is drawn until :meth:`LaidOutPage.render`.
    """
    top = page_size[1] - MARGIN_INCHES
    bottom = MARGIN_INCHES + FOOTER_HEIGHT_INCHES
    pages: list[list[tuple[Block, float]]] = [[]]
    y = top
    for index, block in enumerate(blocks):
        needed = block.space_before + block.height
        if block.keep_with_next and index + 1 < len(blocks):
            needed += blocks[index + 1].space_before + blocks[index + 1].height
        if y - needed < bottom and y < top:
            pages.append([])
            y = top
            if block.header is not None:
                pages[-1].append((block.header, y))
                y -= block.header.height
        else:
            y -= block.space_before
        pages[-1].append((block, y))
        y -= block.height
    return [LaidOutPage(page_size, tuple(placements)) for placements in pages]


def flow(blocks: Sequence[Block], page_size: tuple[float, float] = PAGE_SIZE_INCHES) -> list[Figure]:
    """Place blocks down A4 pages and draw them: :func:`lay_out`, then every page rendered.

    Parameters
    ----------
    blocks : sequence of Block
    page_size : (float, float), default A4 portrait

    Returns
    -------
    list of matplotlib.figure.Figure
    """
    return [page.render() for page in lay_out(blocks, page_size)]


def line_block(line: TextLine, page_width: float = PAGE_SIZE_INCHES[0]) -> Block:
    line_height = line.size * 1.4 / POINTS_PER_INCH

    def draw(page: Figure, top: float) -> None:
        width, height = page.get_size_inches()
        y = (top - line.size * 1.05 / POINTS_PER_INCH) / height
        x = MARGIN_INCHES
        texts = page_text_set(page)
        line_font = font(line.size, line.weight)
        if line.bullet:
            texts.add(x / width, y, "•", line_font, colour=line.marker_colour or line.colour)
        if line.key:
            texts.add(x / width, y, line.key, font(line.size, "bold"), colour="#333333")
        texts.add((x + line.indent) / width, y, line.text, line_font, colour=line.colour)

    return Block(height=line_height, draw=draw, space_before=line.space_before / POINTS_PER_INCH)


def text_blocks(lines: Sequence[TextLine]) -> list[Block]:
    blocks = [line_block(line) for line in lines]
    for block, line, following in zip(blocks, lines, list(lines[1:]) + [None], strict=True):
        # A heading stays with the first line under it.
        block.keep_with_next = line.weight == "bold" and following is not None and following.weight != "bold"
    return blocks



_KEY_COLUMN_INCHES = 1.75
_BULLET_INDENT_INCHES = 0.2


def heading(text: str, space_before: float = 14) -> list[TextLine]:
    return paragraph(text, size=12.5, weight="bold", space_before=space_before, colour=HEADING_COLOUR)


def paragraph(
    text: str,
    size: float = 10,
    weight: str = "normal",
    bullet: bool = False,
    key: str = "",
    space_before: float = 0.0,
    colour: str = "#111111",
    marker_colour: str | None = None,
) -> list[TextLine]:
    indent = _BULLET_INDENT_INCHES if bullet else _KEY_COLUMN_INCHES if key else 0.0
    width_points = (PAGE_SIZE_INCHES[0] - 2 * MARGIN_INCHES - indent) * POINTS_PER_INCH
    wrapped = wrap_to_width(text, FontProperties(size=size, weight=weight), width_points) or [""]
    return [
        TextLine(
            text=line,
            size=size,
            weight=weight,
            indent=indent,
            bullet=bullet and number == 0,
            key=key if number == 0 else "",
            space_before=space_before if number == 0 else 0.0,
            colour=colour,
            marker_colour=marker_colour,
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
        if word_width > width_points and len(word) > 1:
            pieces = _break_word(word, font, width_points)
            lines += pieces[:-1]
            word = pieces[-1]
            word_width = text_width(word, font)
        current, current_width = [word], word_width
    if current:
        lines.append(" ".join(current))
    return lines


_BREAK_AFTER = ("_", ".", "/", "-", ",")


def _break_word(word: str, font: FontProperties, width_points: float) -> list[str]:
    """A word wider than the line, cut into pieces that fit: in time linear in its length.

    Each character is measured once (the running totals of their advances give every prefix's
    width), and each cut is found by bisection; identifiers and addresses are cut after a
    separator when one falls in the second half of the piece.
    """
    advances = [text_width(character, font) for character in word]
    ends = list(itertools.accumulate(advances))
    pieces: list[str] = []
    start, offset = 0, 0.0
    while start < len(word) and ends[-1] - offset > width_points:
        # The longest piece word[start:cut] whose width is within the line (at least one character).
        cut = max(bisect.bisect_right(ends, offset + width_points, lo=start), start + 1)
        separator = max(word.rfind(mark, start, cut - 1) for mark in _BREAK_AFTER)
        if separator - start >= (cut - start) // 2:
            cut = separator + 1
        pieces.append(word[start:cut])
        offset = ends[cut - 1]
        start = cut
    pieces.append(word[start:])
    return pieces


def text_width(text: str, font: FontProperties) -> float:
    """Width of a line of text in points when drawn in a font.

    The sum of each character's advance, measured once per character, font and font
    mode: fast enough to wrap hundreds of table cells, and within a point or two of the
    laid-out width (kerning is ignored). With ``rcParams['pdf.use14corefonts']`` on, the
    advance is the core font's (Helvetica's AFM metrics, as the PDF shows it); otherwise
    the embedded TrueType font's.

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
    core = bool(mpl.rcParams["pdf.use14corefonts"])
    widths = _character_widths(font, core)
    total = 0.0
    for character in text:
        width = widths.get(character)
        if width is None:
            width = widths[character] = _measure_character(character, font, core)
        total += width
    return total


@lru_cache(maxsize=128)
def _character_widths(font: FontProperties, core: bool) -> dict[str, float]:
    """The advance of every character measured so far in one font and font mode (filled as text is measured).

    ``core`` is part of the key because a :class:`FontProperties` names a generic family
    (``sans-serif``), which is Helvetica in the core-font mode and DejaVu Sans otherwise.
    """
    return {}


def _measure_character(character: str, font: FontProperties, core: bool) -> float:
    if core:
        # Adobe's metrics: the character's advance, as the PDF viewer places it.
        width, _, _ = _CORE_FONT_MEASURE.get_text_width_height_descent(character, font, ismath=False)
        return width
    # Measured between two bars, so a space or a character with side bearings counts its full advance.
    with_character, _, _ = _TEXT_MEASURE.get_text_width_height_descent(f"|{character}|", font, ismath=False)
    return with_character - _bars_width(font)


@lru_cache(maxsize=128)
def _bars_width(font: FontProperties) -> float:
    bars, _, _ = _TEXT_MEASURE.get_text_width_height_descent("||", font, ismath=False)
    return bars
