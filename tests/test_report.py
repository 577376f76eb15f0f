"""The PDF report: its pages, their formatting and the edge cases of its inputs.

The synthetic tables built here (:func:`make_summary`, :func:`make_flags`, ...) are also
used by ``test_workbook.py`` and by the opt-in plot-regression tests at the end.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from model.page_layout import LANDSCAPE_INCHES, text_width, wrap_to_width
from model.plot_style import (
    tick_decimals,
)
from model.plot_tables import (
    flag_table_rows,
    format_figure,
)
from model.plots import (
    draw_first_breach,
    draw_flag_probabilities,
    draw_gap_breakdown,
    draw_reserve_fan,
    minimum_reserve_label,
)
from model.report import build_report_pdf, force_table_page, front_pages
from model.report_tables import (
    first_breach_table,
    flag_probability_table,
    gap_breakdown,
)

FOUR_YEARS = ["2016/17", "2017/18", "2018/19", "2019/20"]
PERCENTILE_Z = {"p5": -1.645, "p10": -1.2816, "p25": -0.6745, "p50": 0.0, "p75": 0.6745, "p90": 1.2816, "p95": 1.645}
FORCE_SCALE = {"staffordshire": 1.0, "leicestershire": 1.2, "hertfordshire": 1.1}
FORCE_RESERVES = {
    "staffordshire": ("reserve_earmarked",),
    "leicestershire": ("reserve_budget_equalisation", "reserve_other_earmarked"),
    "hertfordshire": ("reserve_base_budget_support", "reserve_specific_change", "reserve_other_earmarked"),
}
SCENARIO = "central"
BASELINE_IMAGES = Path(__file__).parent / "baseline_images"

# Per metric: value in the first year, change per year, spread (one standard deviation) per year ahead.
METRIC_PATHS = {
    "grant": (110.0, -1.5, 0.6),
    "precept": (75.0, 2.0, 0.4),
    "band_d": (177.61, 3.5, 0.8),
    "tax_base": (300_000.0, 3_000.0, 1_500.0),
    "funding": (185.0, 0.5, 1.2),
    "pay": (140.0, 2.5, 1.0),
    "non_pay": (45.0, 0.8, 0.6),
    "collaboration": (6.0, 0.2, 0.2),
    "capital_financing": (3.0, 0.0, 0.3),
    "one_off_spend": (0.5, 0.0, 0.2),
    "spend": (191.0, 3.5, 1.5),
    "savings_required": (3.0, 2.0, 0.5),
    "savings_delivered": (3.0, 1.8, 0.8),
    "gap_before_savings": (6.0, 3.0, 1.5),
    "gap": (3.0, 2.0, 1.5),
    "cumulative_gap": (3.0, 5.0, 2.0),
    "planned_reserve_use": (2.0, 0.5, 0.5),
    "unplanned_gap": (1.0, 1.5, 1.2),
    "shortfall_met_from_reserves": (1.0, 1.4, 1.0),
    "surplus_to_reserves": (0.1, 0.0, 0.1),
    "general_reserve": (8.0, -1.2, 1.2),
    "general_reserve_minimum": (5.6, 0.05, 0.0),
    "earmarked_reserves": (20.0, -3.5, 1.5),
    "total_reserves": (28.0, -4.7, 2.0),
    "uncovered_deficit": (0.0, 0.6, 0.8),
    "reserve_cover_years": (12.0, -2.5, 1.5),
    "nre": (186.0, 1.6, 0.0),
}
RESERVE_PATH = (10.0, -2.0, 1.0)


def make_summary(forces: list[str], years: list[str]) -> pd.DataFrame:
    rows = []
    for force in forces:
        scale = FORCE_SCALE.get(force, 0.9)
        paths = METRIC_PATHS | {metric: RESERVE_PATH for metric in FORCE_RESERVES.get(force, ("reserve_general",))}
        for index, year in enumerate(years):
            for metric, (start, step, spread) in paths.items():
                centre = (start + step * index) * scale
                sd = spread * scale * (index + 1) ** 0.5
                row = {"scenario": SCENARIO, "force": force, "year": year, "metric": metric, "mean": centre}
                row.update({name: centre + z * sd for name, z in PERCENTILE_Z.items()})
                rows.append(row)
    return pd.DataFrame(rows)


def make_flags(forces: list[str], years: list[str]) -> pd.DataFrame:
    rows = []
    for force in forces:
        for base, flag in (
            (0.08, "general_below_minimum"),
            (0.03, "usable_reserves_exhausted"),
            (0.05, "uncovered_deficit"),
        ):
            cumulative = 0.0
            for index, year in enumerate(years):
                in_year = min(1.0, base * (index + 1) ** 1.5)
                cumulative = min(1.0, cumulative + in_year * 0.8)
                for name, probability in ((flag, in_year), (flag + "_by_year", cumulative)):
                    std_error = float(np.sqrt(probability * (1 - probability) / 2_000))
                    rows.append(
                        {"scenario": SCENARIO, "force": force, "year": year, "flag": name,
                         "probability": probability, "std_error": std_error}
                    )
    return pd.DataFrame(rows)


def make_plan(summary: pd.DataFrame) -> pd.DataFrame:
    plan = summary[["scenario", "force", "year", "metric"]].copy()
    plan["value"] = summary["p50"] * 0.98
    return plan


def make_meta(forces: list[str]) -> dict:
    return {
        "scenario_name": SCENARIO,
        "title": "Medium-term financial strategy 2016/17 to 2019/20: reserves risk",
        "description": (
            "Central scenario: grant reductions in line with the 2015 Spending Review settlement, precept "
            "increases at each force's planned rate, pay awards of 1% a year and savings programmes delivered "
            "with the historical slippage. " * 3
        ),
        "scenario_file": "scenarios/central.yaml",
        "scenario_sha256": "0123456789abcdef" * 4,
        "seed": 20160401,
        "paths": 2_000,
        "version": "0.1.0",
        "created": "2016-02-10T09:30:00+00:00",
        "force_names": {
            "staffordshire": "Staffordshire Police",
            "leicestershire": "Leicestershire Police",
            "hertfordshire": "Hertfordshire Constabulary",
        },
        "minimum_general_reserve": {"staffordshire": 0.03, "leicestershire": 0.03, "hertfordshire": 0.025},
        "sources": ["Grant: forces planned flat cash or -1% a year."],
        "notes": ["Savings slippage is assumed independent across forces."],
    }


def make_appendix(forces: list[str], figures_per_force: int = 15) -> dict[str, pd.DataFrame]:
    provenance = pd.DataFrame([
        {"force": force, "figure": f"collaboration_spend.with_forces.{number}", "kind": "sourced", "value": "£5.1m",
         "low": "", "high": "", "source": "hmic-peel-efficiency-2016-staffordshire.txt (http://www.example.org/a/"
         "very/long/address/that/needs/breaking)", "detail": "Staffordshire Police has forecast that it will spend "
         "£5.1m in 2016/17 on collaboration with other police forces. " * (1 + number % 3)}
        for force in forces for number in range(figures_per_force)
    ])
    inputs = pd.DataFrame([
        {"input": "grant_change", "force": force, "year": "all years", "distribution": "triangular",
         "parameters": "low -3%, mode 0%, high 1%"} for force in forces
    ] + [{"input": "shock: major_operation", "force": ", ".join(forces), "year": "2016/17, 2017/18",
          "distribution": "5.0% a year × triangular cost", "parameters": "low £0.5m, mode £1m, high £4m"}])
    contradictions = pd.DataFrame([
        {"force": forces[0], "topic": "Net revenue expenditure", "figures": "£180m: one source; £127.5m: another",
         "used": "£180m", "reason": "Two independent sources agree."}
    ])
    return {"provenance": provenance, "inputs": inputs, "contradictions": contradictions}


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf.read_bytes()))


def landscape_page_count(pdf: Path) -> int:
    width, height = (round(inches * 72) for inches in LANDSCAPE_INCHES)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    return sum(1 for w, h in boxes if round(float(w)) == width and round(float(h)) == height)


def build(tmp_path: Path, forces: list[str], years: list[str], with_plan: bool = True,
          appendix: dict | None = None, meta: dict | None = None) -> Path:
    summary = make_summary(forces, years)
    plan = make_plan(summary) if with_plan else make_plan(summary).iloc[0:0]
    path = tmp_path / "report.pdf"
    build_report_pdf(path, summary, make_flags(forces, years), plan, meta or make_meta(forces), appendix)
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
    meta = make_meta(["west_midlands"]) | {"description": "A long description of the scenario. " * 250}

    path = build(tmp_path, ["west_midlands"], FOUR_YEARS[:1], meta=meta)

    assert page_count(path) > 3 + PAGES_PER_FORCE + 1


def test_front_page_is_one_page_of_plain_words_for_three_forces():
    forces = ["staffordshire", "leicestershire", "hertfordshire"]
    summary = make_summary(forces, FOUR_YEARS)

    pages = front_pages(summary, make_flags(forces, FOUR_YEARS), make_meta(forces), forces)

    assert len(pages) == 1
    text = " ".join(t.get_text() for t in pages[0].texts)
    for name in ("Staffordshire Police", "Leicestershire Police", "Hertfordshire Constabulary"):
        assert name in text
    assert "chance" in text and " in " in text and "95% interval" in text
    assert "CIPFA's reserves depletion measure" in text


def test_finance_table_page_is_landscape():
    summary = make_summary(["staffordshire"], FOUR_YEARS)

    page = force_table_page(summary, make_plan(summary), "staffordshire", "Staffordshire Police")

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
