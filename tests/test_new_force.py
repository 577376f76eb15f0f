"""A user's own force: ``new-force`` writes a file to fill in, ``check`` names every gap, and a filled file runs.

Exampleshire (``tests/data/exampleshire/``) is a fictional force, the template filled in with
invented figures: it runs end to end through the real command line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import typing

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA, REPO
from pydantic import BaseModel

from model.cli.new_force import new_force
from model.declare.inputs import PLAN_INPUTS
from model.io.force_template import force_template, placeholder_count
from model.io.forces import PLACEHOLDER, ForceEntry, IncompleteForceError, load_force, load_national

EXAMPLESHIRE = REPO / "tests" / "data" / "exampleshire"
EXAMPLE_SCENARIO = EXAMPLESHIRE / "exampleshire.yaml"


def data_folder(tmp_path, force_id: str, text: str):
    """A --data folder: the committed national.yaml and one force file."""
    folder = tmp_path / "data"
    (folder / "forces").mkdir(parents=True)
    shutil.copy(DATA / "national.yaml", folder / "national.yaml")
    (folder / "forces" / f"{force_id}.yaml").write_text(text, encoding="utf-8")
    return folder


def gaps_of(folder, force_id: str) -> list[str]:
    with pytest.raises(IncompleteForceError) as info:
        load_force(folder, force_id, load_national(folder))
    return [str(gap) for gap in info.value.gaps]


def scenario(tmp_path, name: str, extra: str = "", paths: int = 200):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"title: {name}\ndescription: {name}\nforces: [exampleshire]\n"
                    f"simulation: {{paths: {paths}, seed: 5, chunk_size: 100}}\n{extra}", encoding="utf-8")
    return path


# -- new-force ----------------------------------------------------------------------------------------------

def test_new_force_writes_the_template_and_says_what_to_do_next(tmp_path):
    out = tmp_path / "data" / "forces"
    result = CliRunner().invoke(new_force, ["kent", "--name", "Kent Police", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = (out / "kent.yaml").read_text(encoding="utf-8")
    assert text == force_template("kent", "Kent Police")
    assert text.startswith("# Kent Police: the 2016/17 budget as set")
    assert "\nid: kent\n" in text and "\nname: Kent Police\n" in text and "\nbudget_year: 2016/17\n" in text
    count = placeholder_count(text)
    assert count > 100
    assert f"{count} TODOs to fill in" in result.output
    assert f"police-mtfs check --data {out.parent} SCENARIO.yaml" in result.output


def test_new_force_without_a_name_leaves_it_to_fill_in(tmp_path):
    result = CliRunner().invoke(new_force, ["west_mercia", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"\nname: {PLACEHOLDER}   #" in (tmp_path / "west_mercia.yaml").read_text(encoding="utf-8")
    assert "--data DATA (a folder holding national.yaml and forces/west_mercia.yaml)" in result.output


def test_new_force_never_overwrites_a_file(tmp_path):
    path = tmp_path / "kent.yaml"
    path.write_text("id: kent  # half filled in\n", encoding="utf-8")
    result = CliRunner().invoke(new_force, ["kent", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert f"error: {path}: expected a new force file (new-force never overwrites one); found a file that already " \
           "exists" in result.output
    assert path.read_text(encoding="utf-8") == "id: kent  # half filled in\n"


def test_new_force_writes_into_data_forces_by_default_and_refuses_a_committed_force():
    before = (DATA / "forces" / "staffordshire.yaml").read_bytes()
    result = CliRunner().invoke(new_force, ["staffordshire"])
    assert result.exit_code == 2
    assert str(DATA / "forces" / "staffordshire.yaml") in result.output and "already exists" in result.output
    assert (DATA / "forces" / "staffordshire.yaml").read_bytes() == before


@pytest.mark.parametrize("force_id", ["Kent", "kent police", "2kent", "todo"])
def test_new_force_refuses_an_id_that_cannot_be_a_file_name(tmp_path, force_id):
    result = CliRunner().invoke(new_force, [force_id, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "expected a force id of lower_case letters" in result.output
    assert not list(tmp_path.iterdir())


# -- the template --------------------------------------------------------------------------------------------

def test_the_template_filled_in_loads(tmp_path):
    """Filling each TODO (and nothing else) with its example gives a force file the loader accepts."""
    template = force_template("kent", "Kent Police").splitlines()
    filled = force_template("kent", "Kent Police", examples=True).splitlines()
    assert len(template) == len(filled)
    changed = [(a, b) for a, b in zip(template, filled, strict=True) if a != b]
    assert len(changed) == placeholder_count("\n".join(template))
    assert all(PLACEHOLDER in a and PLACEHOLDER not in b for a, b in changed)

    folder = data_folder(tmp_path, "kent", "\n".join(filled) + "\n")
    force = load_force(folder, "kent", load_national(folder))
    own = [name for name in force.figures if not name.startswith("national.")]
    for prefix in ("budget.", "collaboration_spend.with_forces.", "collaboration_spend.non_police.", "reserves.general",
                   "reserves.budget_equalisation.opening", "reserves.budget_equalisation.planned_use.",
                   "programmes.tri_force.savings.", "programmes.tri_force.investment", "capital.programme.",
                   "capital.capital_grant.", "capital.capital_receipts.", "capital.revenue_contribution.",
                   "capital.asset_life", "pressures.safeguarding.amount", "context."):
        assert any(name.startswith(prefix) for name in own), prefix
    assert set(force.plan) == set(PLAN_INPUTS)
    assert [r.purpose for r in force.earmarked] == ["budget_support"] and force.contradictions
    assert {f.kind for f in force.figures.values()} == {"sourced", "derived", "assumption"}


def schema_fields(model: type[BaseModel]) -> set[str]:
    """Every field name of a model and of the models inside it."""
    names = set()
    for name, info in model.model_fields.items():
        names.add(name)
        stack = [info.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names |= schema_fields(annotation)
            stack += list(typing.get_args(annotation))
    return names


def test_the_template_has_every_field_the_loader_accepts():
    text = force_template("kent")
    missing = sorted(name for name in schema_fields(ForceEntry) if not re.search(rf"\b{name}:", text))
    assert not missing, f"fields of the force file schema not in the template: {missing}"
    for name in PLAN_INPUTS:
        assert f"\n  {name}:\n    all_years:\n" in text
    for purpose in ("budget_support", "one_off_spend", "capital", "held", "insurance"):
        assert f"# {purpose}: " in text


def test_every_value_to_fill_in_has_its_unit_and_an_example():
    for line in force_template("kent").splitlines():
        if re.match(r"^\s*(value|central): TODO", line):
            assert re.search(r"# (£ million|£ \(pounds\)|%|a count with its word|years), e\.g\. \S", line), line


# -- check: every gap at once ------------------------------------------------------------------------------

def test_an_unfilled_template_names_every_figure_still_to_fill_in_with_its_line(tmp_path):
    text = force_template("kent")
    folder = data_folder(tmp_path, "kent", text)
    gaps = gaps_of(folder, "kent")
    lines = text.splitlines()
    for gap in gaps:
        number, name = re.match(r"line (\d+): (\S+): ", gap).groups()
        key = re.split(r"[.\[]", name)[-1].rstrip("]")
        assert lines[int(number) - 1].lstrip(" -").startswith(f"{key}:") or key.isdigit(), gap
    # Every figure of the filled-in file, under the name a finance officer sees before the lists have names.
    filled = data_folder(tmp_path / "filled", "kent", force_template("kent", examples=True))
    force = load_force(filled, "kent", load_national(filled))
    renamed = {"reserves.budget_equalisation.": "reserves.earmarked[0].",
               "programmes.tri_force.": "collaboration_programmes[0].", "pressures.safeguarding.": "pressures[0]."}
    named = {gap.split(": ")[1] for gap in gaps}
    for figure in force.figures:
        if figure.startswith("national."):
            continue
        for old, new in renamed.items():
            figure = figure.replace(old, new)
        assert figure in named, figure
    assert any(re.fullmatch(r"line \d+: name: not filled in yet", gap) for gap in gaps)
    assert any(re.fullmatch(r"line \d+: budget\.funding: value, source\.document, source\.quote not filled in yet",
                            gap) for gap in gaps)
    assert any(re.fullmatch(r"line \d+: budget\.pay_share: assumption\.central, assumption\.low, assumption\.high, "
                            r"assumption\.reason not filled in yet", gap) for gap in gaps)
    assert any(re.fullmatch(r"line \d+: reserves\.earmarked\[0\]\.purpose: not filled in yet", gap) for gap in gaps)


def test_a_partly_filled_file_lists_exactly_what_is_left(tmp_path):
    text = force_template("kent", "Kent Police", examples=True)
    grant = text.index("  grant:\n")
    text = text[:grant] + text[text.index("  # The council tax requirement"):]  # budget.grant deleted
    text = text.replace('quote: "For 2016/17, the savings gap is assessed as being £3 million."', "quote: TODO", 1)
    general = text.index("  general:\n    value: £6.3m")
    source = text.index("    source:\n", general)
    end = text.index("  # Earmarked reserves", general)
    text = text[:source] + text[end:]  # reserves.general has a value but no source
    text = text.replace("      central: 15 years", "      central:", 1)
    text = text.replace("    in_plan: false", "    in_plan: TODO", 1)
    text = text.replace("      reason: A mix of ICT", "      reasn: A mix of ICT", 1)
    folder = data_folder(tmp_path, "kent", text)
    lines = text.splitlines()

    def line(prefix: str, after: str = "") -> int:
        start = lines.index(after) if after else 0
        return next(n for n in range(start, len(lines)) if lines[n].startswith(prefix)) + 1

    assert gaps_of(folder, "kent") == [
        f"line {line('budget:')}: budget.grant: missing (required)",
        f"line {line('  savings:')}: budget.savings: source.quote not filled in yet",
        f"line {line('  general:')}: reserves.general: not sourced: give it a 'source' (document + quote), "
        "'derived' (formula) or 'assumption' (central, low, high, reason)",
        f"line {line('  asset_life:')}: capital.asset_life: assumption.central empty; assumption.reasn: unknown "
        "key 'reasn' (did you mean 'reason'?)",
        f"line {line('    in_plan:')}: pressures[0].in_plan: not filled in yet",
    ]


def test_check_on_the_command_line_lists_every_gap_and_exits_2(tmp_path):
    folder = data_folder(tmp_path, "kent", force_template("kent", "Kent Police"))
    path = scenario(tmp_path, "kent").read_text(encoding="utf-8").replace("exampleshire", "kent")
    (tmp_path / "kent.yaml").write_text(path, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "model.cli.main", "check", "--data", str(folder),
                           str(tmp_path / "kent.yaml")], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 2, done.stdout + done.stderr
    message = " ".join(done.stderr.split())
    assert "kent.yaml: expected a force baseline with every figure filled in and sourced; found" in message
    assert "places still to fill in:" in message and "Traceback" not in done.stderr
    assert re.search(r"line \d+: budget\.funding: value, source\.document, source\.quote not filled in yet", message)
    assert re.search(r"line \d+: context\.pcsos_fte_2016: value, source\.document, source\.quote not filled in", message)
    assert "docs/adding-a-force.md" in message


def test_a_complete_committed_force_has_no_gaps():
    national = load_national(DATA)
    for force_id in ("staffordshire", "leicestershire", "hertfordshire"):
        load_force(DATA, force_id, national)


# -- Exampleshire ---------------------------------------------------------------------------------------------

def test_every_exampleshire_figure_is_labelled_invented():
    national = load_national(EXAMPLESHIRE)
    force = load_force(EXAMPLESHIRE, "exampleshire", national)
    own = [figure for name, figure in force.figures.items() if not name.startswith("national.")]
    assert len(own) > 50
    for figure in own:
        if figure.kind == "sourced":
            assert figure.document == "invented for tests" and figure.quote.startswith("Invented for tests"), figure.name
        elif figure.kind == "assumption":
            assert figure.reason.startswith("Invented for tests"), figure.name
    assert "EXAMPLESHIRE IS FICTIONAL" in (EXAMPLESHIRE / "forces" / "exampleshire.yaml").read_text(encoding="utf-8")


def test_exampleshire_runs_end_to_end_through_the_command_line(tmp_path):
    out = tmp_path / "reports"
    command = [sys.executable, "-m", "model.cli.main"]
    checked = subprocess.run([*command, "check", "--data", str(EXAMPLESHIRE), str(EXAMPLE_SCENARIO)],
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Exampleshire Police" in checked.stdout
    done = subprocess.run([*command, "run", "--data", str(EXAMPLESHIRE), str(EXAMPLE_SCENARIO), "--out", str(out),
                           "--paths", "300"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = out / "exampleshire"
    for name in ("report.pdf", "report.xlsx", "summary.csv", "plan.csv", "run.json"):
        assert (folder / name).is_file(), name
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
    summary = pd.read_csv(folder / "summary.csv")
    assert set(summary["force"]) == {"exampleshire"}
    plan = pd.read_csv(folder / "plan.csv").set_index(["year", "metric"])["value"]
    assert plan["2016/17", "total_reserves"] == pytest.approx(17.0)  # £5m + £12m + £4m less the £4m planned draws
    assert plan["2019/20", "savings_required"] > plan["2016/17", "savings_required"] > 0


def test_exampleshire_moves_the_way_a_finance_officer_expects(tmp_path):
    """Savings that slip, or a bigger pressure the plan did not carry, leave less in reserves."""
    from model.pipeline import run_scenario

    def end_reserves(path, data=EXAMPLESHIRE):
        result = run_scenario(path, data_dir=data)
        row = result.headlines().set_index("force").loc["exampleshire"]
        return row["total_reserves_p50"], row["p_general_below_minimum"]

    delivered = end_reserves(scenario(tmp_path, "delivered", "assumptions: {savings_delivery: 100%}\n"))
    slipped = end_reserves(scenario(tmp_path, "slipped", "assumptions: {savings_delivery: 60%}\n"))
    assert slipped[0] < delivered[0] - 1.0 and slipped[1] >= delivered[1]

    bigger = tmp_path / "bigger"
    shutil.copytree(EXAMPLESHIRE, bigger)
    force_file = bigger / "forces" / "exampleshire.yaml"
    text = force_file.read_text(encoding="utf-8")
    assert text.count("value: £0.4m") == 1
    force_file.write_text(text.replace("value: £0.4m", "value: £1.5m").replace(
        "contract a year is £0.4m", "contract a year is £1.5m"), encoding="utf-8")
    pressured = end_reserves(scenario(tmp_path, "pressured", "assumptions: {savings_delivery: 100%}\n"), bigger)
    # £1.1m a year more from 2017/18, unplanned: about £3.3m less by March 2020.
    assert pressured[0] == pytest.approx(delivered[0] - 3.3, abs=0.3)
