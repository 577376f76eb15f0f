"""Start-up: `--help` and `check` do not import the heavy libraries a run or a report needs.

Not a stopwatch (the suite runs on a loaded 2-core machine): each command runs in a fresh
interpreter, and the test reads which modules it imported. benchmarks/bench_engine.py times
`check` as the start-up floor.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

HEAVY = ("scipy.stats", "matplotlib", "openpyxl", "pandas")
"""Imported only where they are used: Sobol' points, drawing, the workbook, tables."""

PROBE = """
import json, sys
from model.cli.main import main
try:
    main(sys.argv[1:], prog_name="police-mtfs")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("\\n" + json.dumps({"code": code, "heavy": sorted(m for m in %r if m in sys.modules)}) + "\\n")
"""


def imported_by(*arguments: str) -> dict:
    """Run the command line in a fresh interpreter: its exit code and which of :data:`HEAVY` it imported."""
    completed = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,), *arguments], capture_output=True, text=True,
                               cwd=REPO, timeout=120)
    return json.loads(completed.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("arguments", [("--help",), ("check", "scenarios/central.yaml"), ("run", "--help"),
                                       ("sensitivity", "--help")])
def test_help_and_check_import_nothing_heavy(arguments):
    outcome = imported_by(*arguments)
    assert outcome["code"] == 0
    assert outcome["heavy"] == []


def test_a_run_still_imports_what_it_needs():
    """The probe sees imports: a command that makes tables does import pandas."""
    code = "import sys; import model.pipeline; print('pandas' in sys.modules, 'scipy.stats' in sys.modules)"
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                             check=True).stdout.split()
    assert printed == ["True", "False"]
