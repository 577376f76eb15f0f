"""Page layout for the report's text pages: A4 sizes, margins, and text flowed down pages.

Text is wrapped by measuring it in its font, placed as blocks of known height down the
page, and carried onto a new page (with any repeated header) when the next block does not
fit. Pages are :class:`matplotlib.figure.Figure` objects made without pyplot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

PAGE_SIZE_INCHES: tuple[float, float] = (8.27, 11.69)
"""A4 portrait, used for every page but the finance tables."""

LANDSCAPE_INCHES: tuple[float, float] = (11.69, 8.27)
"""A4 landscape, for the finance officer's table (four cases for each of four years)."""

MARGIN_INCHES = 0.55
FOOTER_HEIGHT_INCHES = 0.35

HEADING_COLOUR = "#1f3b63"

POINTS_PER_INCH = 72
_TEXT_MEASURE = TextToPath()


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


def flow(blocks: Sequence[Block], page_size: tuple[float, float] = PAGE_SIZE_INCHES) -> list[Figure]:
    """Place blocks down A4 pages, starting a new page when the next one does not fit."""
    top = page_size[1] - MARGIN_INCHES
    bottom = MARGIN_INCHES + FOOTER_HEIGHT_INCHES
    pages = [Figure(figsize=page_size)]
    y = top
    for index, block in enumerate(blocks):
        needed = block.space_before + block.height
        if block.keep_with_next and index + 1 < len(blocks):
            needed += blocks[index + 1].space_before + blocks[index + 1].height
        if y - needed < bottom and y < top:
            pages.append(Figure(figsize=page_size))
            y = top
            if block.header is not None:
                block.header.draw(pages[-1], y)
                y -= block.header.height
        else:
            y -= block.space_before
        block.draw(pages[-1], y)
        y -= block.height
    return pages


def line_block(line: TextLine, page_width: float = PAGE_SIZE_INCHES[0]) -> Block:
    line_height = line.size * 1.4 / POINTS_PER_INCH

    def draw(page: Figure, top: float) -> None:
        width, height = page.get_size_inches()
        y = (top - line.size * 1.05 / POINTS_PER_INCH) / height
        x = MARGIN_INCHES
        style = {"fontsize": line.size, "fontweight": line.weight, "color": line.colour, "va": "baseline"}
        if line.bullet:
            page.text(x / width, y, "•", **(style | {"color": line.marker_colour or line.colour}))
        if line.key:
            page.text(x / width, y, line.key, fontsize=line.size, fontweight="bold", color="#333333", va="baseline")
        page.text((x + line.indent) / width, y, line.text, **style)

    return Block(height=line_height, draw=draw, space_before=line.space_before / POINTS_PER_INCH)


def text_blocks(lines: Sequence[TextLine]) -> list[Block]:
    blocks = [line_block(line) for line in lines]
    for block, line, following in zip(blocks, lines, list(lines[1:]) + [None], strict=True):
        # A heading stays with the first line under it.
        block.keep_with_next = line.weight == "bold" and following is not None and following.weight != "bold"
    return blocks


def flow_text(lines: Sequence[TextLine]) -> list[Figure]:
    return flow(text_blocks(lines))


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
        while word_width > width_points and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], font) > width_points:
                cut -= 1
            # Identifiers and addresses read better broken after a separator than mid-name.
            separator = max(word.rfind(mark, 0, cut) for mark in _BREAK_AFTER)
            if separator >= cut // 2:
                cut = separator + 1
            lines.append(word[:cut])
            word = word[cut:]
            word_width = text_width(word, font)
        current, current_width = [word], word_width
    if current:
        lines.append(" ".join(current))
    return lines


_BREAK_AFTER = ("_", ".", "/", "-", ",")


def text_width(text: str, font: FontProperties) -> float:
    """Width of a line of text in points when drawn in a font.

    The sum of each character's advance, measured once per character and font: fast
    enough to wrap hundreds of table cells, and within a point or two of the laid-out
    width (kerning is ignored).

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
    widths = _character_widths(font)
    total = 0.0
    for character in text:
        width = widths.get(character)
        if width is None:
            width = widths[character] = _measure_character(character, font)
        total += width
    return total


@lru_cache(maxsize=64)
def _character_widths(font: FontProperties) -> dict[str, float]:
    """The advance of every character measured so far in one font (filled as text is measured)."""
    return {}


def _measure_character(character: str, font: FontProperties) -> float:
    # Measured between two bars, so a space or a character with side bearings counts its full advance.
    with_character, _, _ = _TEXT_MEASURE.get_text_width_height_descent(f"|{character}|", font, ismath=False)
    bars, _, _ = _TEXT_MEASURE.get_text_width_height_descent("||", font, ismath=False)
    return with_character - bars
