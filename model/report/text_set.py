"""Many one-line texts drawn by a single artist: table cells and the lines of the text pages.

A :class:`matplotlib.text.Text` per cell costs more to make and to draw than the text costs
to write: a finance table holds about 490 cells, an appendix page a few hundred lines. A
:class:`TextSet` holds the texts as plain records and writes each through the renderer's
``draw_text``, placed exactly where a :class:`~matplotlib.text.Text` with the same
alignment would put it, so the page is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import matplotlib as mpl
from matplotlib import cbook
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.transforms import Transform

TEXT_ZORDER = Text.zorder
"""Drawn among the other artists where a :class:`~matplotlib.text.Text` would be."""


@lru_cache(maxsize=256)
def font(size: float, weight: str = "normal", style: str = "normal") -> FontProperties:
    """The font of a size, weight and style: one object for each, shared by every text set in it.

    Parameters
    ----------
    size : float
        Points.
    weight : str, default 'normal'
    style : str, default 'normal'
        ``'normal'`` or ``'italic'``.

    Returns
    -------
    matplotlib.font_manager.FontProperties
        Not to be changed: it is shared.
    """
    return FontProperties(size=size, weight=weight, style=style)


@dataclass(frozen=True)
class _Placed:
    x: float
    y: float
    text: str
    font: FontProperties
    colour: tuple[float, float, float, float]
    ha: str
    va: str


class TextSet(Artist):
    """One-line texts in one transform, drawn together.

    Each text is aligned to its point as :class:`matplotlib.text.Text` aligns a single line
    (``ha`` left, center or right; ``va`` baseline, bottom, center or top), in the same
    font and colour, with no rotation. Texts set with ``va='baseline'`` and ``ha='left'``
    need no measuring; the others are measured once per text and font in each drawing.

    Parameters
    ----------
    transform : matplotlib.transforms.Transform
        From the texts' coordinates to the page (e.g. ``figure.transFigure``, ``ax.transAxes``).
    """

    zorder = TEXT_ZORDER

    def __init__(self, transform: Transform) -> None:
        super().__init__()
        self.set_transform(transform)
        self._placed: list[_Placed] = []

    def add(self, x: float, y: float, text: str, font: FontProperties, colour: str | None = None,
            ha: str = "left", va: str = "baseline") -> None:
        """Add a text at a point.

        Parameters
        ----------
        x, y : float
            The point, in the set's transform's coordinates.
        text : str
            One line.
        font : matplotlib.font_manager.FontProperties
            Not changed afterwards (see :func:`font`).
        colour : str, optional
            ``rcParams['text.color']`` when not given, as for :class:`~matplotlib.text.Text`.
        ha : {'left', 'center', 'right'}, default 'left'
        va : {'baseline', 'bottom', 'center', 'top'}, default 'baseline'
        """
        rgba = to_rgba(mpl.rcParams["text.color"] if colour is None else colour)
        self._placed.append(_Placed(x, y, text, font, rgba, ha, va))
        self.stale = True

    def texts(self) -> Iterator[str]:
        """Every text of the set, in the order added.

        Yields
        ------
        str
        """
        return (placed.text for placed in self._placed)

    def draw(self, renderer) -> None:
        """Write every text through ``renderer.draw_text``, where a :class:`~matplotlib.text.Text` would.

        Parameters
        ----------
        renderer : matplotlib.backend_bases.RendererBase
        """
        if not self.get_visible() or not self._placed:
            return
        figure = self.get_figure(root=True)
        points = self.get_transform().transform([(placed.x, placed.y) for placed in self._placed])
        offsets: dict[tuple[str, FontProperties, str, str], tuple[float, float]] = {}
        renderer.open_group("text", self.get_gid())
        gc = renderer.new_gc()
        gc.set_antialiased(mpl.rcParams["text.antialiased"])
        self._set_gc_clip(gc)
        colour = None
        canvas_height = renderer.get_canvas_width_height()[1]
        for placed, (x, y) in zip(self._placed, points, strict=True):
            if not placed.text:
                continue
            # As Text does: a text between unescaped dollar signs is mathtext, and "\$" is a dollar sign.
            ismath = cbook.is_math_text(placed.text)
            shown = placed.text if ismath else placed.text.replace(r"\$", "$")
            if placed.ha != "left" or placed.va != "baseline":
                key = (placed.text, placed.font, placed.ha, placed.va)
                if key not in offsets:
                    offsets[key] = _alignment_offset(placed, figure, renderer)
                dx, dy = offsets[key]
                x, y = x + dx, y + dy
            if renderer.flipy():
                y = canvas_height - y
            if placed.colour != colour:
                colour = placed.colour
                gc.set_foreground(colour, isRGBA=True)
            renderer.draw_text(gc, x, y, shown, placed.font, 0.0, ismath=ismath)
        gc.restore()
        renderer.close_group("text")
        self.stale = False


def _alignment_offset(placed: _Placed, figure: Figure, renderer) -> tuple[float, float]:
    """From a text's point to where its baseline starts, as :class:`~matplotlib.text.Text` lays out one line.

    The line's box is measured by a :class:`~matplotlib.text.Text` at the origin set left on
    its baseline: it runs from ``-descent`` to ``ascent`` (each at least the font's, as Text
    takes them) and from 0 to the width.
    """
    probe = Text(0, 0, placed.text, fontproperties=placed.font, ha="left", va="baseline")
    probe.set_figure(figure)
    box = probe.get_window_extent(renderer)
    dx = {"left": 0.0, "center": -box.x1 / 2, "right": -box.x1}[placed.ha]
    dy = {"baseline": 0.0, "bottom": -box.y0, "center": -(box.y0 + box.y1) / 2, "top": -box.y1}[placed.va]
    return dx, dy


def page_text_set(page: Figure) -> TextSet:
    """The page's own text set in figure coordinates, made the first time it is asked for.

    Parameters
    ----------
    page : matplotlib.figure.Figure

    Returns
    -------
    TextSet
    """
    for artist in page.artists:
        if isinstance(artist, TextSet) and artist.get_transform() is page.transFigure:
            return artist
    texts = TextSet(page.transFigure)
    page.add_artist(texts)
    return texts
