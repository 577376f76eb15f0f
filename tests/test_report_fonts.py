"""The report's fonts and how its pages are written: the PDF's core Helvetica when it can show every
character, the embedded font otherwise (never a '?'), text measured in the font used, and each page
drawn once, numbered "Page i of n" and released as it is written."""

from __future__ import annotations

import dataclasses
import gc
import os
import re
import shutil
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import pytest
from helpers import FOUR_YEARS, make_appendix, make_info, make_result
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

import model.report.pdf as report_pdf
from model.report.page_layout import Block, lay_out, text_width, wrap_to_width
from model.report.style import report_style, shows_in_core_font

FORCES = ["staffordshire", "hertfordshire"]
NOT_IN_CP1252 = "Cymru ← Gwynedd: cŵn"
"""A Welsh ŵ and a left arrow: neither is in Windows-1252, the core font's encoding."""


def build(path: Path, forces: list[str], title: str | None = None, **options) -> Path:
    info = make_info(forces) if title is None else make_info(forces, title=title)
    appendix = make_appendix(forces, figures_per_force=15 if len(forces) > 1 else 4)
    report_pdf.build_report_pdf(path, make_result(forces, FOUR_YEARS, appendix=appendix, info=info), **options)
    return path


def fonts_of(pdf: Path) -> tuple[bool, bool]:
    """Whether the PDF uses the core Helvetica (not embedded) and whether it embeds a font (Type 3 here)."""
    data = pdf.read_bytes()
    return b"/BaseFont /Helvetica" in data, b"/Subtype /Type3" in data


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


@dataclasses.dataclass
class Written:
    pdf: Path
    footers: list[str]
    held: list[int]
    """Before each page is written, how many of the pages written before it are still in memory."""


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Written:
    """A two-force report in the core font, each page's footer and the pages still held recorded as it is written."""
    footers: list[str] = []
    held: list[int] = []
    pages: list[weakref.ref] = []
    write_page = report_pdf.write_page

    def recording(pdf, page):
        footers.extend(t.get_text() for t in page.texts if t.get_text().startswith("Page "))
        gc.collect()
        held.append(sum(ref() is not None for ref in pages))
        write_page(pdf, page)
        pages.append(weakref.ref(page))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_pdf, "write_page", recording)
        pdf = build(tmp_path_factory.mktemp("fonts") / "report.pdf", FORCES)
    return Written(pdf, footers, held)


def test_shows_in_core_font_is_windows_1252():
    assert shows_in_core_font(["£5.1m · 3.0% ± 0.2 – “quoted” … § 6.2 • × —"])
    assert not shows_in_core_font(["ŵ"])
    assert not shows_in_core_font(["plain", "a ← b"])
    assert not shows_in_core_font(["−1%"])  # the minus sign, not a hyphen


def test_text_in_windows_1252_is_set_in_the_core_font(written):
    import matplotlib as mpl

    assert fonts_of(written.pdf) == (True, False)
    assert not mpl.rcParams["pdf.use14corefonts"]  # only while the report is made


def test_pages_are_numbered_page_i_of_n_as_they_are_written(written):
    count = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", written.pdf.read_bytes()))

    assert count > 10
    assert written.footers == [f"Page {number} of {count}" for number in range(1, count + 1)]


def test_no_page_is_held_once_it_is_written(written):
    assert len(written.held) > 10
    assert set(written.held) == {0}


@needs_pdftotext
def test_a_title_outside_windows_1252_sets_the_whole_report_in_the_embedded_font(tmp_path):
    pdf = build(tmp_path / "report.pdf", ["hertfordshire"], title=NOT_IN_CP1252)

    assert fonts_of(pdf) == (False, True)
    text = pdf_text(pdf)
    assert NOT_IN_CP1252 in text
    assert "?" not in text


@needs_pdftotext
def test_a_character_the_first_check_misses_is_caught_on_its_page(tmp_path, monkeypatch):
    # The font is chosen from the run's texts before a page is drawn; each page is checked again as it is
    # written, so a text the first check did not see still never shows as '?'.
    monkeypatch.setattr(report_pdf, "report_texts", lambda result: iter(()))

    pdf = build(tmp_path / "report.pdf", ["hertfordshire"], title=NOT_IN_CP1252)

    assert fonts_of(pdf) == (False, True)
    assert NOT_IN_CP1252 in pdf_text(pdf) and "?" not in pdf_text(pdf)


def test_the_embedded_font_can_be_asked_for(tmp_path):
    assert fonts_of(build(tmp_path / "report.pdf", ["hertfordshire"], fonts="embedded")) == (False, True)
    with pytest.raises(ValueError, match="fonts must be"):
        build(tmp_path / "report.pdf", ["hertfordshire"], fonts="helvetica")


def test_the_report_texts_hold_the_runs_strings():
    info = make_info(FORCES, sources=("Grant: HMIC’s £5.1m – flat cash…",))
    texts = set(report_pdf.report_texts(make_result(FORCES, FOUR_YEARS, appendix=make_appendix(FORCES), info=info)))

    assert {"Staffordshire Police", "Grant: HMIC’s £5.1m – flat cash…", info.title} <= texts
    assert shows_in_core_font(texts)
    assert report_pdf.EXTENDS_ARROW not in texts
    chained = dataclasses.replace(info, chain=(("central.yaml", "0" * 64), ("mine.yaml", "1" * 64)))
    assert report_pdf.EXTENDS_ARROW in set(report_pdf.report_texts(make_result(FORCES, FOUR_YEARS, info=chained)))


def test_the_text_sections_are_laid_out_before_any_page_is_drawn():
    drawn: list[float] = []
    blocks = [Block(height=1.0, draw=lambda page, top: drawn.append(top)) for _ in range(25)]

    pages = lay_out(blocks)

    assert len(pages) == 3 and not drawn
    figures = [page.render() for page in pages]
    assert len(drawn) == 25 and all(isinstance(figure, Figure) for figure in figures)


@pytest.mark.parametrize("core", [True, False], ids=["core font", "embedded font"])
@pytest.mark.parametrize(("size", "weight"), [(7.0, "normal"), (8.5, "normal"), (12.5, "bold")])
def test_text_is_measured_as_matplotlib_lays_it_out(core, size, weight):
    samples = ["Usable reserves at 31 March 2020 are £19.7m in the middle of the simulated outcomes",
               "context.nre_implied_by_collaboration_share (£5.1m = 4.0% of NRE) – HMIC’s figure…",
               "WWW mmm iii 1,234.5 (0.3)"]
    with report_style(core):
        font = FontProperties(size=size, weight=weight)
        page = Figure(figsize=(8.27, 11.69))
        FigureCanvasPdf(page)
        texts = [page.text(0.05, 0.1 + 0.1 * number, sample, fontproperties=font)
                 for number, sample in enumerate(samples)]
        page.draw_without_rendering()
        for sample, text in zip(samples, texts, strict=True):
            laid_out = text.get_window_extent().width * 72 / page.dpi
            assert text_width(sample, font) == pytest.approx(laid_out, rel=0.02), sample


def test_each_font_mode_keeps_its_own_widths():
    font = FontProperties(size=10)
    text = "Staffordshire Police has forecast that it will spend £5.1m"

    with report_style(True):
        core = text_width(text, font)
    with report_style(False):
        embedded = text_width(text, font)
    with report_style(True):
        assert text_width(text, font) == core

    # Helvetica is narrower than DejaVu Sans: the same words wrap into fewer lines.
    assert core < 0.95 * embedded
    with report_style(True):
        assert all(text_width(line, font) <= 200 for line in wrap_to_width(text * 3, font, 200))


def test_a_report_in_the_core_font_logs_no_font_warning(tmp_path):
    # matplotlib looks fonts up once per process, so the report is built in a new one.
    script = textwrap.dedent(f"""
        import logging, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from helpers import FOUR_YEARS, make_appendix, make_result
        from model.report.pdf import build_report_pdf
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logging.getLogger("matplotlib").addHandler(handler)
        forces = ["staffordshire", "leicestershire", "hertfordshire"]
        build_report_pdf({str(tmp_path / "report.pdf")!r},
                         make_result(forces, FOUR_YEARS, appendix=make_appendix(forces, figures_per_force=4)))
        print(len(records), [record.getMessage() for record in records if record.levelno >= logging.WARNING])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONWARNINGS="error"))

    assert done.stdout.split(" ", 1)[1].strip() == "[]", done.stdout
    assert fonts_of(tmp_path / "report.pdf") == (True, False)
