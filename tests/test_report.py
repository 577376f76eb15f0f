"""The PDF report: page count, table formatting and the edge cases of its inputs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.plots import flag_table_rows, minimum_reserve_label, percentile_table_rows
from matplotlib.font_manager import FontProperties

from model.report import build_report_pdf, text_width, wrap_to_width

FOUR_YEARS = ["2016/17", "2017/18", "2018/19", "2019/20"]
PERCENTILE_Z = {"p5": -1.645, "p10": -1.2816, "p25": -0.6745, "p50": 0.0, "p75": 0.6745, "p90": 1.2816, "p95": 1.645}
FORCE_SCALE = {"staffordshire": 1.0, "leicestershire": 1.2, "hertfordshire": 1.1}
SCENARIO = "central"

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
    "spend": (191.0, 3.5, 1.5),
    "savings_delivered": (3.0, 1.0, 0.8),
    "gap": (3.0, 2.0, 1.5),
    "planned_reserve_use": (2.0, 0.5, 0.5),
    "general_reserve": (8.0, -1.2, 1.2),
    "general_reserve_minimum": (5.6, 0.05, 0.0),
    "earmarked_reserves": (20.0, -3.5, 1.5),
    "total_reserves": (28.0, -4.7, 2.0),
    "uncovered_deficit": (0.0, 0.6, 0.8),
    "nre": (186.0, 1.6, 0.0),
}


def make_summary(forces: list[str], years: list[str]) -> pd.DataFrame:
    rows = []
    for force in forces:
        scale = FORCE_SCALE.get(force, 0.9)
        for index, year in enumerate(years):
            for metric, (start, step, spread) in METRIC_PATHS.items():
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
        "paths": 20_000,
        "version": "0.1.0",
        "created": "2016-02-10T09:30:00+00:00",
        "force_names": {
            "staffordshire": "Staffordshire Police",
            "leicestershire": "Leicestershire Police",
            "hertfordshire": "Hertfordshire Constabulary",
        },
        "minimum_general_reserve": {"staffordshire": 0.03, "leicestershire": 0.03, "hertfordshire": 0.025},
        "notes": ["Savings slippage is assumed independent across forces."],
    }


def count_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf.read_bytes()))


def build(tmp_path: Path, forces: list[str], years: list[str], with_plan: bool = True) -> Path:
    summary = make_summary(forces, years)
    plan = make_plan(summary) if with_plan else make_plan(summary).iloc[0:0]
    path = tmp_path / "report.pdf"
    build_report_pdf(path, summary, make_flags(forces, years), plan, make_meta(forces))
    return path


def test_two_forces_four_years_gives_title_page_and_two_pages_per_force(tmp_path):
    path = build(tmp_path, ["staffordshire", "leicestershire"], FOUR_YEARS)

    assert path.read_bytes().startswith(b"%PDF")
    assert count_pages(path) == 1 + 2 * 2


def test_single_force_two_years_with_empty_plan(tmp_path):
    path = build(tmp_path, ["hertfordshire"], FOUR_YEARS[:2], with_plan=False)

    assert path.read_bytes().startswith(b"%PDF")
    assert count_pages(path) == 1 + 2


def test_single_year_and_force_without_display_name(tmp_path):
    path = build(tmp_path, ["west_midlands"], FOUR_YEARS[:1])

    assert count_pages(path) == 3


def test_long_description_continues_the_title_page(tmp_path):
    forces = ["staffordshire"]
    summary = make_summary(forces, FOUR_YEARS)
    meta = make_meta(forces) | {"description": "A long description of the scenario. " * 250}
    path = tmp_path / "long.pdf"

    build_report_pdf(path, summary, make_flags(forces, FOUR_YEARS), make_plan(summary), meta)

    assert count_pages(path) > 3


def test_percentile_table_formats_one_decimal_and_brackets_negatives():
    summary = pd.DataFrame(
        [
            {"force": "staffordshire", "year": year, "metric": "gap", "p10": p10, "p50": p50, "p90": p90}
            for year, p10, p50, p90 in (("2017/18", -4.5, 0.04, 6.26), ("2016/17", -0.04, 1234.56, 7.0))
        ]
        + [
            {"force": "staffordshire", "year": "2016/17", "metric": "band_d", "p10": 177.614, "p50": 180.0, "p90": 190.129}
        ]
        + [{"force": "other", "year": "2016/17", "metric": "gap", "p10": 99.0, "p50": 99.0, "p90": 99.0}]
    )

    rows = percentile_table_rows(summary, "staffordshire", metrics=("gap", "band_d"))

    assert rows == [
        ["£m unless stated", "", "2016/17", "2017/18"],
        ["Budget gap", "P10", "0.0", "(4.5)"],
        ["", "P50", "1,234.6", "0.0"],
        ["", "P90", "7.0", "6.3"],
        ["Band D council tax (£)", "P10", "177.61", "–"],
        ["", "P50", "180.00", "–"],
        ["", "P90", "190.13", "–"],
    ]


def test_percentile_table_default_lines_cover_the_key_metrics():
    rows = percentile_table_rows(make_summary(["staffordshire"], FOUR_YEARS), "staffordshire")

    labels = [row[0] for row in rows[1::3]]
    assert labels == [
        "Funding", "Spend", "Budget gap", "Planned use of reserves", "General reserve",
        "Earmarked reserves", "Total reserves", "Uncovered deficit", "Band D council tax (£)",
    ]
    assert all(len(row) == 2 + len(FOUR_YEARS) for row in rows)


def test_flag_table_shows_percentages_and_marks_missing_years():
    flags = make_flags(["staffordshire"], FOUR_YEARS[:1])

    rows = flag_table_rows(flags, "staffordshire", FOUR_YEARS[:2])

    assert rows[0] == ["Probability", "", "2016/17", "2017/18"]
    assert rows[1] == ["General reserve below minimum", "By end of year", "6.4%", "–"]
    assert rows[2] == ["", "In that year", "8.0%", "–"]


@pytest.mark.parametrize(
    ("fraction", "label"),
    [(0.03, "Minimum general reserve (3.0% of NRE)"), (None, "Minimum general reserve")],
)
def test_minimum_reserve_label(fraction, label):
    assert minimum_reserve_label(fraction) == label


def test_wrap_to_width_keeps_every_word_and_stays_inside_the_width():
    font = FontProperties(size=10)
    text = "Grant falls by 1% a year while the precept rises " * 20 + "W" * 80

    lines = wrap_to_width(text, font, 200.0)

    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(text_width(line, font) <= 200.0 for line in lines)
    assert len(lines) > 5
