"""Scenarios as overlays (``extends:``), ``--set`` overrides, the resolved scenario, and where each command writes."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import SCENARIOS

from model import pipeline
from model.cli.main import main as cli_main
from model.io.errors import InputError
from model.io.overlay import compose, scenario_differences
from model.io.scenario import PLAN, load_scenario
from model.sampling.setup import load_setup
from model.sampling.statuses import FIXED, UNCERTAIN, UNSTATED, input_statuses

PATHS = 1024


@pytest.fixture
def folder(tmp_path):
    """A folder holding a copy of central.yaml, for overlays to extend."""
    shutil.copy(SCENARIOS / "central.yaml", tmp_path / "central.yaml")
    return tmp_path


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def tables(scenario, **options) -> dict[str, str]:
    """Every CSV a run writes, as the text it writes (the bridge left out: it runs its own 8,192 paths)."""
    result = pipeline.run_scenario(scenario, paths=PATHS, **options)
    return {name: table.to_csv(index=False, float_format="%.6f", lineterminator="\n")
            for name, table in result.tables().items() if name != "bridge"}


def central_with(change) -> dict:
    data = yaml.safe_load((SCENARIOS / "central.yaml").read_text(encoding="utf-8"))
    change(data)
    return data


def test_an_overlay_gives_the_same_numbers_as_the_full_file_with_that_one_change(folder, tmp_path_factory):
    overlay = write(folder / "freeze.yaml", "extends: central.yaml\nassumptions:\n  precept_increase: 0%\n")
    full_folder = tmp_path_factory.mktemp("full")
    full = central_with(lambda data: data["assumptions"].__setitem__("precept_increase", "0%"))
    full_file = write(full_folder / "freeze.yaml", yaml.safe_dump(full, sort_keys=False, allow_unicode=True))
    from_overlay, from_full = tables(overlay), tables(full_file)
    assert from_overlay.keys() == from_full.keys() and len(from_overlay) >= 5
    for name in from_overlay:
        assert from_overlay[name] == from_full[name], name


def test_a_precept_freeze_overlay_of_central_is_worse_than_central_for_every_force(folder):
    overlay = write(folder / "freeze.yaml", "extends: central.yaml\nassumptions:\n  precept_increase: 0%\n")
    central = pipeline.run_scenario(folder / "central.yaml", paths=PATHS).headlines().set_index("force")
    freeze = pipeline.run_scenario(overlay, paths=PATHS).headlines().set_index("force")
    assert (freeze.total_reserves_p50 < central.total_reserves_p50 - 1.0).all()
    assert (freeze.p_general_below_minimum >= central.p_general_below_minimum).all()
    assert (freeze.p_general_below_minimum > central.p_general_below_minimum).any()


def test_a_five_pound_option_and_a_grant_cut_move_reserves_the_way_a_finance_officer_expects(folder):
    central = pipeline.run_scenario(folder / "central.yaml", paths=PATHS).headlines().set_index("force")
    five = write(folder / "five.yaml", "extends: central.yaml\nassumptions:\n  precept_increase:\n    forces:\n"
                 "      hertfordshire: £5\n  referendum_limit:\n    forces:\n      hertfordshire: £5\n")
    cut = write(folder / "cut.yaml", "extends: central.yaml\nassumptions:\n  grant_change: -5%\n")
    five_pounds = pipeline.run_scenario(five, paths=PATHS).headlines().set_index("force")
    grant_cut = pipeline.run_scenario(cut, paths=PATHS).headlines().set_index("force")
    assert five_pounds.total_reserves_p50["hertfordshire"] > central.total_reserves_p50["hertfordshire"] + 2.0
    others = ["staffordshire", "leicestershire"]
    assert (five_pounds.total_reserves_p50[others] == central.total_reserves_p50[others]).all()
    # Leicestershire's £9.5m held across 12 areas is untouched by a shortfall, so its reserves fall least.
    assert (grant_cut.total_reserves_p50 < central.total_reserves_p50 - 3.0).all()
    assert (grant_cut.p_general_below_minimum > central.p_general_below_minimum).all()


def test_a_partial_input_changes_only_the_part_it_states(folder):
    write(folder / "herts.yaml", "extends: central.yaml\nassumptions:\n  precept_increase:\n    forces:\n"
          "      hertfordshire: £5\n")
    central = load_scenario(folder / "central.yaml").inputs["precept_increase"]
    changed = load_scenario(folder / "herts.yaml").inputs["precept_increase"]
    assert changed.resolve("hertfordshire", 1).params == {"value": 5.0}
    for force in ("staffordshire", "leicestershire"):
        for year in range(1, 4):
            assert changed.resolve(force, year) == central.resolve(force, year)


def test_a_whole_input_replaces_the_base_specification(folder):
    write(folder / "pay.yaml", "extends: central.yaml\nassumptions:\n  pay_award: 2%\n")
    spec = load_scenario(folder / "pay.yaml").inputs["pay_award"]
    assert set(spec.values) == {(None, None)} and spec.values[(None, None)].params == {"value": 0.02}


def test_null_removes_a_field_so_the_input_is_not_stated(folder):
    write(folder / "no_delivery.yaml", "extends: central.yaml\nassumptions:\n  savings_delivery: null\n")
    scenario = load_scenario(folder / "no_delivery.yaml")
    assert "savings_delivery" not in scenario.inputs
    status = {s.name: s for s in input_statuses(scenario)}["savings_delivery"]
    assert status.status == UNSTATED and "100%" in status.fallback


def test_a_chain_of_overlays_applies_in_order_and_the_title_says_what_changed(folder):
    write(folder / "freeze.yaml", "extends: central.yaml\nassumptions:\n  precept_increase: 0%\n  pay_award: 2%\n")
    write(folder / "freeze_3.yaml", "extends: freeze.yaml\nassumptions:\n  pay_award: 3%\n")
    scenario = load_scenario(folder / "freeze_3.yaml")
    assert [name.split("/")[-1] for name, _ in scenario.chain] == ["central.yaml", "freeze.yaml", "freeze_3.yaml"]
    assert scenario.inputs["pay_award"].values[(None, None)].params == {"value": 0.03}
    assert scenario.inputs["precept_increase"].values[(None, None)].params == {"value": 0.0}
    assert [c.field for c in scenario.changes] == ["assumptions.precept_increase", "assumptions.pay_award",
                                                   "assumptions.pay_award"]
    assert scenario.title.endswith("with the changes in freeze.yaml, with the changes in freeze_3.yaml")
    assert "freeze_3.yaml changes: assumptions.pay_award." in scenario.description


@pytest.mark.parametrize("files, start, message", [
    ({"a.yaml": "extends: a.yaml\n"}, "a.yaml", "a cycle: a.yaml → a.yaml"),
    ({"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"}, "a.yaml", "a cycle: a.yaml → b.yaml → a.yaml"),
    ({"a.yaml": "extends: missing.yaml\n"}, "a.yaml", "an existing scenario file"),
    ({"a.yaml": "extends: [central.yaml]\n"}, "a.yaml", "the path of the base scenario"),
])
def test_cycles_and_missing_bases_are_clear_errors(folder, files, start, message):
    for name, text in files.items():
        write(folder / name, text)
    with pytest.raises(InputError, match="line 1") as error:
        compose(folder / start)
    assert message in str(error.value) and "field 'extends'" in str(error.value)


def test_a_mistake_is_reported_in_the_file_and_line_that_wrote_it(folder):
    write(folder / "bad.yaml", "extends: central.yaml\nassumptions:\n  pay_award: 2 percent\n")
    with pytest.raises(InputError) as error:
        load_setup(folder / "bad.yaml")
    assert str(error.value).startswith(f"{folder / 'bad.yaml'}, line 3: field 'assumptions.pay_award'")
    # A mistake in the base, reached through an overlay, names the base.
    text = (folder / "central.yaml").read_text(encoding="utf-8").replace("seed: 20160401", "seed: -4")
    write(folder / "central.yaml", text)
    write(folder / "fine.yaml", "extends: central.yaml\nassumptions:\n  pay_award: 2%\n")
    with pytest.raises(InputError) as error:
        load_setup(folder / "fine.yaml")
    line = text.splitlines().index("  seed: -4") + 1
    assert str(error.value).startswith(f"{folder / 'central.yaml'}, line {line}: field 'simulation.seed'")


def test_set_gives_the_same_numbers_as_the_same_edit_in_the_file(folder):
    (folder / "edited").mkdir()
    overlay = write(folder / "edited" / "central.yaml", "extends: ../central.yaml\nassumptions:\n  pay_award: 2%\n  "
                    "savings_delivery: {distribution: triangular, low: 60%, mode: 90%, high: 100%}\n")
    overrides = ("assumptions.pay_award=2%",
                 "assumptions.savings_delivery={distribution: triangular, low: 60%, mode: 90%, high: 100%}")
    assert tables(folder / "central.yaml", overrides=overrides) == tables(overlay)


def test_set_is_validated_like_the_file_and_names_the_option(folder):
    for text, expected in (("assumptions.pay_award=2 percent", "--set assumptions.pay_award=2 percent: field "
                            "'assumptions.pay_award'"),
                           ("assumptions.pay_awrd=2%", "Did you mean 'pay_award'?"),
                           ("pay_award", "FIELD=VALUE"),
                           ("forces=[kent", "a value written as in the scenario file")):
        with pytest.raises(InputError, match="--set") as error:
            load_setup(folder / "central.yaml", overrides=(text,))
        assert expected in str(error.value)


def test_set_may_narrow_the_forces_of_a_base_but_a_file_may_not_name_a_force_it_leaves_out(folder, tmp_path):
    setup = load_setup(folder / "central.yaml", overrides=("forces=[leicestershire]",))
    assert setup.scenario.forces == ["leicestershire"] and list(setup.forces) == ["leicestershire"]
    text = (folder / "central.yaml").read_text(encoding="utf-8").replace(
        "forces: [staffordshire, leicestershire, hertfordshire]", "forces: [leicestershire]")
    write(folder / "narrow.yaml", text)
    with pytest.raises(InputError, match="a known force id"):
        load_setup(folder / "narrow.yaml")


def test_compare_differences_list_exactly_the_fields_that_differ(folder):
    write(folder / "b.yaml", "extends: central.yaml\ntitle: B\nassumptions:\n  pay_award: 2%\n"
          "reserve_policy:\n  minimum_general_reserve: 3.5%\nsimulation:\n  seed: 3\n")
    a, b = load_scenario(folder / "central.yaml"), load_scenario(folder / "b.yaml")
    differences = scenario_differences(a.resolved_yaml, b.resolved_yaml)
    assert [field for field, _, _ in differences] == ["assumptions.pay_award",
                                                      "reserve_policy.minimum_general_reserve", "simulation.seed"]
    assert differences[1][1:] == ("3%", "3.5%")
    assert scenario_differences(a.resolved_yaml, a.resolved_yaml) == []


def test_check_summarises_the_resolved_scenario(folder):
    write(folder / "few.yaml", "extends: central.yaml\nassumptions:\n  pay_award: 2%\n  grant_change: plan\n"
          "  savings_delivery: null\n")
    result = CliRunner().invoke(cli_main, ["check", str(folder / "few.yaml")], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "extends: central.yaml" in result.output
    lines = {line.strip().split(":")[0]: line for line in result.output.splitlines()}
    assert "pay_award" in lines["inputs fixed"] and "grant_change" in lines["inputs force plan"]
    assert "tax_base_growth" in lines["inputs uncertain"]
    assert "savings_delivery: 100%, its declared default" in result.output
    statuses = {s.name: s.status for s in input_statuses(load_scenario(folder / "few.yaml"))}
    assert (statuses["pay_award"], statuses["tax_base_growth"]) == (FIXED, UNCERTAIN)
    assert load_scenario(folder / "few.yaml").inputs["grant_change"].values[(None, None)] == PLAN


def test_run_records_the_chain_the_overrides_and_the_resolved_scenario(folder):
    write(folder / "freeze.yaml", "extends: central.yaml\nassumptions:\n  precept_increase: 0%\n")
    out = folder / "reports"
    result = CliRunner().invoke(cli_main, ["run", str(folder / "freeze.yaml"), "--paths", "256", "--out", str(out),
                                           "--set", "assumptions.pay_award=2%"])
    assert result.exit_code == 0, result.output
    (run_folder,) = [p for p in out.iterdir()]
    assert run_folder.name.startswith("freeze-set-")
    record = json.loads((run_folder / "run.json").read_text(encoding="utf-8"))
    assert [entry["file"].split("/")[-1] for entry in record["scenario_chain"]] == ["central.yaml", "freeze.yaml"]
    assert record["overrides"] == ["assumptions.pay_award=2%"]
    assert [c["field"] for c in record["overlay_changes"]] == ["assumptions.precept_increase", "assumptions.pay_award"]
    resolved = (run_folder / "resolved.yaml").read_text(encoding="utf-8")
    assert "# --set assumptions.pay_award=2%" in resolved
    # The resolved file is a scenario on its own: it gives the same numbers.
    write(folder / "freeze-set.yaml", resolved)
    assert record["resolved_sha256"] == load_scenario(folder / "freeze-set.yaml").resolved_sha256
    summary = pd.read_csv(run_folder / "summary.csv")
    again = pipeline.run_scenario(folder / "freeze-set.yaml", paths=256).summary
    assert (summary.drop(columns="scenario").round(6).values == again.drop(columns="scenario").round(6).values).all()


def test_the_four_commands_write_into_folders_that_do_not_collide(folder):
    out, scenario = folder / "reports", str(folder / "central.yaml")
    runner = CliRunner()
    commands = [
        ["run", scenario, "--paths", "256"],
        ["sensitivity", scenario, "--paths", "64", "--sobol-n", "4"],
        ["goal-seek", scenario, "--paths", "64", "--lever", "precept", "--target", "5%", "--force", "hertfordshire"],
        ["compare", scenario, str(SCENARIOS / "optimistic.yaml"), "--paths", "64"],
    ]
    written = {}
    for command in commands:
        before = {p for p in out.rglob("*") if p.is_file()} if out.exists() else set()
        result = runner.invoke(cli_main, [*command, "--out", str(out)])
        assert result.exit_code == 0, result.output
        new = {p for p in out.rglob("*") if p.is_file()} - before
        written[command[0]] = {p.parent.relative_to(out).as_posix() for p in new}
    assert written == {"run": {"central"}, "sensitivity": {"central/sensitivity"},
                       "goal-seek": {"central/goal-seek/hertfordshire-precept-5pct"},
                       "compare": {"central/compare/optimistic"}}


def test_a_key_that_lost_its_colon_in_an_overlay_is_reported_not_taken_as_a_removal(folder):
    write(folder / "colon.yaml", "extends: central.yaml\nsimulation: {paths 2000}\n")
    with pytest.raises(InputError) as error:
        load_scenario(folder / "colon.yaml")
    assert str(error.value) == (f"{folder / 'colon.yaml'}, line 2: field 'simulation.paths': expected 'paths: <value>' "
                                "(a colon after the key); found 'paths 2000' with no colon")
    # null for a field the base does not have is harmless: there is nothing to remove.
    write(folder / "nothing.yaml", "extends: central.yaml\nmanagement_action: null\n")
    assert not load_scenario(folder / "nothing.yaml").action.stated
