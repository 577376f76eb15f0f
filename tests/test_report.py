"""The PDF report: its pages, their formatting and the edge cases of its inputs.

The synthetic tables built here (:func:`make_summary`, :func:`make_flags`, ...) are also
used by ``test_workbook.py`` and by the opt-in plot-regression tests at the end.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import FOUR_YEARS, make_appendix, make_cases, make_flags, make_info, make_plan, make_result, make_summary
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from model.declare.formatting import format_figure
from model.report.charts import (
    draw_first_breach,
    draw_flag_probabilities,
    draw_gap_breakdown,
    draw_reserve_fan,
    minimum_reserve_label,
)
from model.report.drawn_tables import flag_table_rows
from model.report.page_layout import LANDSCAPE_INCHES, text_width, wrap_to_width
from model.report.pdf import build_report_pdf, force_table_page, front_pages
from model.report.style import tick_decimals
from model.report.tables import first_breach_table, flag_probability_table, gap_breakdown
from model.run.results import Appendix, RunInfo

BASELINE_IMAGES = Path(__file__).parent / "baseline_images"


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf.read_bytes()))


def landscape_page_count(pdf: Path) -> int:
    width, height = (round(inches * 72) for inches in LANDSCAPE_INCHES)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    return sum(1 for w, h in boxes if round(float(w)) == width and round(float(h)) == height)


def build(tmp_path: Path, forces: list[str], years: list[str], with_plan: bool = True,
          appendix: Appendix | None = None, info: RunInfo | None = None) -> Path:
    path = tmp_path / "report.pdf"
    build_report_pdf(path, make_result(forces, years, with_plan, appendix, info))
    return path


PAGES_PER_FORCE = 4
"""Funding and gap; reserves; risks; the finance table (landscape)."""


def test_two_forces_with_appendix_give_every_page(tmp_path):
    forces = ["staffordshire", "hertfordshire"]
    path = build(tmp_path, forces, FOUR_YEARS, appendix=make_appendix(forces))

    assert path.read_bytes().startswith(b"%PDF")
    # Front page, about this report, the forces compared, four per force, and an appendix of several pages.
    assert page_count(path) >= 3 + PAGES_PER_FORCE * len(forces) + 2
    assert landscape_page_count(path) == len(forces)


def test_single_force_two_years_without_plan_or_appendix(tmp_path):
    path = build(tmp_path, ["hertfordshire"], FOUR_YEARS[:2], with_plan=False)

    assert page_count(path) == 3 + PAGES_PER_FORCE + 1


def test_single_year_force_without_display_name_and_long_description(tmp_path):
    info = make_info(["west_midlands"], description="A long description of the scenario. " * 250)

    path = build(tmp_path, ["west_midlands"], FOUR_YEARS[:1], info=info)

    assert page_count(path) > 3 + PAGES_PER_FORCE + 1


def test_front_page_is_one_page_of_plain_words_for_three_forces():
    forces = ["staffordshire", "leicestershire", "hertfordshire"]
    summary = make_summary(forces, FOUR_YEARS)

    pages = front_pages(summary, make_flags(forces, FOUR_YEARS), make_info(forces), forces, make_plan(summary))

    assert len(pages) == 1
    text = " ".join(t.get_text() for t in pages[0].texts)
    for name in ("Staffordshire Police", "Leicestershire Police", "Hertfordshire Constabulary"):
        assert name in text
    assert "chance" in text and " in " in text and "95% interval" in text
    assert "in the force's plan" in text and "in the middle of the simulated outcomes" in text
    assert len(pages[0].axes) == 3  # one small reserves chart per force


def test_finance_table_page_is_landscape():
    summary = make_summary(["staffordshire"], FOUR_YEARS)

    page = force_table_page(make_cases(summary), "staffordshire", "Staffordshire Police")

    assert tuple(page.get_size_inches()) == pytest.approx(LANDSCAPE_INCHES)


def test_flag_table_shows_percentages_with_intervals_and_marks_missing_years():
    flags = make_flags(["staffordshire"], FOUR_YEARS[:1])
    table = flag_probability_table(flags, "staffordshire", paths=2_000)

    rows = flag_table_rows(table, FOUR_YEARS[:2])

    assert rows[0] == ["Probability (95% interval)", "", "2016/17", "2017/18"]
    assert rows[1] == ["General reserve below minimum", "By end of year", "6.4% (5.4–7.6)", "–"]
    assert rows[2] == ["", "In that year", "8.0% (6.9–9.3)", "–"]
    assert len(rows) == 1 + 2 * 3


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(-4.5, "money", "(4.5)"), (1234.56, "money", "1,234.6"), (-0.04, "money", "0.0"), (177.614, "pounds", "177.61"),
     (float("nan"), "money", "–")],
)
def test_format_figure_one_decimal_brackets_and_pence(value, unit, text):
    assert format_figure(value, unit) == text


@pytest.mark.parametrize(("ticks", "decimals"), [([0, 5, 10], 0), ([177.5, 180, 182.5], 1), ([0.25, 0.5], 2)])
def test_tick_decimals_show_every_tick_exactly(ticks, decimals):
    assert tick_decimals(ticks) == decimals


@pytest.mark.parametrize(
    ("fraction", "label"),
    [(0.03, "Minimum general reserve (3.0% of NRE)"), (None, "Minimum general reserve")],
)
def test_minimum_reserve_label(fraction, label):
    assert minimum_reserve_label(fraction) == label


def test_wrap_to_width_keeps_every_word_and_stays_inside_the_width():
    font = FontProperties(size=10)
    text = "Grant falls by 1% a year while the precept rises " * 20 + "W" * 80 + " context.nre_implied_by_share"

    lines = wrap_to_width(text, font, 100.0)

    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(text_width(line, font) <= 100.0 for line in lines)
    # A long identifier is broken after one of its separators, not mid-name.
    broken = [line for line in lines if line.startswith("context.")]
    assert broken and broken[0][-1] in "._"


# --------------------------------------------------------------------------------------
# Plot regression (opt-in: pytest --runslow). Set MTFS_UPDATE_BASELINES=1 to rewrite the baselines.
# --------------------------------------------------------------------------------------

def _reserve_fan(ax, summary, plan, flags):
    draw_reserve_fan(ax, summary, plan, "general_reserve", FOUR_YEARS, "General reserve", minimum=True)


def _gap_breakdown(ax, summary, plan, flags):
    draw_gap_breakdown(ax, gap_breakdown(summary, plan, "staffordshire"), FOUR_YEARS, cumulative=False,
                       chart_title="Gap before savings, each year")


def _flag_probabilities(ax, summary, plan, flags):
    draw_flag_probabilities(ax, flag_probability_table(flags, "staffordshire", 2_000), FOUR_YEARS,
                            "Chance each event has happened by the end of the year")


def _first_breach(ax, summary, plan, flags):
    draw_first_breach(ax, first_breach_table(flags, "staffordshire", 2_000),
                      "When the general reserve first falls below its minimum")


@pytest.mark.slow
@pytest.mark.parametrize("draw", [_reserve_fan, _gap_breakdown, _flag_probabilities, _first_breach],
                         ids=lambda draw: draw.__name__.strip("_"))
def test_key_charts_match_their_baseline_images(tmp_path, draw):
    from matplotlib.testing.compare import compare_images

    summary = make_summary(["staffordshire"], FOUR_YEARS)
    figure = Figure(figsize=(6.0, 4.0), layout="constrained")
    draw(figure.add_subplot(), summary, make_plan(summary), make_flags(["staffordshire"], FOUR_YEARS))
    name = f"{draw.__name__.strip('_')}.png"
    actual = tmp_path / name
    figure.savefig(actual, dpi=60)
    expected = BASELINE_IMAGES / name
    if os.environ.get("MTFS_UPDATE_BASELINES"):
        BASELINE_IMAGES.mkdir(exist_ok=True)
        expected.write_bytes(actual.read_bytes())
    assert expected.exists(), f"no baseline {expected}: run with MTFS_UPDATE_BASELINES=1 --runslow to create it"
    assert compare_images(str(expected), str(actual), tol=2) is None
