"""Shared fixtures: repository paths, the shared seeds, and small scenario files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
SCENARIOS = REPO / "scenarios"
SHARED = REPO.parent / "shared"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def numpy_errors_raise():
    """Overflow, invalid operations and division by zero raise inside every test."""
    with np.errstate(all="raise", under="ignore"):
        yield


@pytest.fixture(autouse=True)
def signal_handlers_restored():
    """The command line leaves Ctrl-C and SIGTERM ignored once it has reported an interrupt (the process is
    ending); a test that runs it in this process gets the handlers back afterwards."""
    import signal

    names = [name for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)]
    saved = {name: signal.getsignal(getattr(signal, name)) for name in names}
    yield
    for name, handler in saved.items():
        if handler is not None:
            signal.signal(getattr(signal, name), handler)


@pytest.fixture
def fast_report(monkeypatch):
    """Replace the PDF report (slow, and tested in test_report.py) by a stub PDF."""
    import model.report.pdf

    def stub(path, result, *args, **kwargs):
        Path(path).write_bytes(b"%PDF-1.4\n% stub report for " + result.info.scenario_name.encode() + b"\n%%EOF\n")

    monkeypatch.setattr(model.report.pdf, "build_report_pdf", stub)


@pytest.fixture
def wide_console(monkeypatch):
    """A console wide enough that the command line's table cells are not folded across lines."""
    from model.cli.main import console

    monkeypatch.setattr(console, "_width", 400)


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario YAML (dedented) into the test's temporary folder and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


MINIMAL = """\
title: Test scenario
description: A small scenario for tests.
forces: [staffordshire, leicestershire, hertfordshire]
simulation: {paths: 500, seed: 7, chunk_size: 128}
"""
