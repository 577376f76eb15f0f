"""The PDF as a reader sees it (text via pdftotext): page 1 keeps the force's plan and the simulated outcomes
apart, and the appendix shows every input's parameters."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import SCENARIOS

from model import pipeline
from model.io.errors import InputError
from model.io.scenario import load_scenario
from model.report.pdf import build_report_pdf
from model.run.appendix import scenario_inputs_table

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


def page_text(pdf, first: int, last: int | None = None) -> str:
    """The text of pages ``first`` to ``last`` in reading order (``-raw``: each table cell and chart label whole),
    runs of white space as one space."""
    text = subprocess.run(["pdftotext", "-f", str(first), "-l", str(last or first), "-raw", str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    result = pipeline.run_scenario(SCENARIOS / "central.yaml", paths=512)
    pdf = tmp_path_factory.mktemp("report") / "report.pdf"
    build_report_pdf(pdf, result)
    return result, pdf


def test_page_one_never_calls_a_simulated_figure_the_plan(report):
    result, pdf = report
    text = page_text(pdf, 1)
    for force in result.info.forces:
        assert force.name in text
    assert "middle case" not in text and "the plan draws" not in text
    # Every "plan" on the page is the force's plan ("its plan" in the management-action sentence), never a
    # simulated statistic.
    for match in re.finditer(r"\bplan\b", text):
        before = text[max(0, match.start() - 8):match.start()]
        assert before.endswith(("force's ", " its ")), text[match.start() - 60:match.end() + 30]
    assert text.count("in the middle of the simulated outcomes") >= 2 * len(result.info.forces)
    assert text.count("about a ") >= len(result.info.forces)
    assert len(re.findall(r"\b(GREEN|AMBER|RED)\b", text)) == len(result.info.forces)


def test_the_appendix_shows_every_inputs_parameters_choices_and_shocks_included(report):
    result, pdf = report
    text = page_text(pdf, 1, 99)
    appendix = text[text.index("A1. The scenario's uncertain inputs"):]
    squeezed = appendix.replace(" ", "")
    table = scenario_inputs_table(result.setup)
    assert (table["distribution"] == "choice").any() and table["input"].str.startswith("shock:").any()
    for row in table.itertuples():
        assert row.parameters.replace(" ", "") in squeezed, row


def test_the_rating_thresholds_are_scenario_settings(tmp_path):
    shutil.copy(SCENARIOS / "central.yaml", tmp_path / "central.yaml")
    (tmp_path / "strict.yaml").write_text("extends: central.yaml\nrating: {amber: 2%, red: 10%}\n", encoding="utf-8")
    assert load_scenario(tmp_path / "central.yaml").rating == (0.05, 0.20)
    assert load_scenario(tmp_path / "strict.yaml").rating == (0.02, 0.10)
    (tmp_path / "bad.yaml").write_text("extends: central.yaml\nrating: {amber: 30%}\n", encoding="utf-8")
    with pytest.raises(InputError, match="field 'rating.red': expected a chance above the amber threshold"):
        load_scenario(tmp_path / "bad.yaml")
