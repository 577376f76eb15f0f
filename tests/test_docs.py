"""The README holds what a new user needs, generated from the declarations where it can be."""

from __future__ import annotations

import re

from conftest import REPO

from model.declare.docs import distributions_markdown, inputs_markdown, units_markdown

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands_and_ci_runs_the_same_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    install, tests = blocks[0].strip(), blocks[1].strip()
    assert "pip install" in install and "police-mtfs run scenarios/central.yaml" in install
    assert "pytest" in tests
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_readme_tables_match_the_declarations():
    for table in (units_markdown(), inputs_markdown(), distributions_markdown()):
        assert table in README, "README is out of date: paste the output of `python -m model.docs`"
