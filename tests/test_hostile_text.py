"""Hostile text: long, spaceless, combining, right-to-left, many lines. Every text step is linear, so `check`
and a small run end with a clear message or a correct report; a hang would hit the subprocess timeout."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import MINIMAL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.io.errors import InputError
from model.io.validation import TEXT_LIMITS
from model.sampling.setup import load_setup

HANG = 120
"""Seconds after which a command counts as hung (the run under test takes a few)."""

PIECES = st.sampled_from([
    "x" * 500, "–" * 300, "e\u0301" * 200, "\u200f", "\u200e", "مرحبا", "שלום", "🙂" * 50, "a/b_c.d-e," * 40,
    "\n", "\n\n", " ", "   ", "£5m", "Ŵ", "ŵ", "\u00a0", "x",
])
TEXT = st.lists(PIECES, min_size=1, max_size=12).map("".join)


def scenario_text(title: str, description: str, source: str) -> str:
    data = yaml.safe_load(MINIMAL)
    data.update(title=title, description=description, sources=[source])
    return yaml.safe_dump(data, allow_unicode=True, width=10**9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, description=TEXT, source=TEXT)
def test_check_ends_with_a_clear_message_or_accepts_the_text(tmp_path, title, description, source):
    path = tmp_path / "hostile.yaml"
    path.write_text(scenario_text(title, description, source), encoding="utf-8")
    try:
        setup = load_setup(path)
    except InputError as error:
        message = str(error)
        assert "line" in message and "expected" in message and len(message) < 4_000
        assert any(limit in message for limit in ("at most", "without control", "non-empty", "mistakes"))
        return
    assert setup.scenario.title == title.strip()
    assert len(title) <= TEXT_LIMITS["title"] and len(description) <= TEXT_LIMITS["description"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
@pytest.mark.parametrize("title, description", [
    ("y" * 200, "z" * 4_000),                                  # one huge word at each limit
    ("Cymru ŵ " + "e\u0301" * 60, "مرحبا \u200f" * 300),      # combining marks, right-to-left text and marks
    ("Lines", "\n".join(["a"] * 500)),                          # many lines
])
def test_a_small_run_of_hostile_text_writes_a_correct_report(tmp_path, title, description):
    path = tmp_path / "hostile.yaml"
    path.write_text(scenario_text(title, description, "s" * 1_500), encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "model.cli.entry", "run", str(path), "--paths", "64",
                           "--out", str(out)], capture_output=True, text=True, timeout=HANG)
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", str(out / "hostile" / "report.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert title.split()[0][:30] in text and "Page 1 of" in text
