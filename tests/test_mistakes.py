"""The two mistakes YAML reports weakly: a key without its colon, a key at the wrong nesting.

A missing colon is reported on the line that lost it, naming the field, whether the file
no longer parses (PyYAML would point at the next line) or parses into something else (the
text ``'paths 2000'`` where ``simulation`` wants a mapping, a key ``'paths 2000'`` in a flow
mapping). A key written in the wrong section says where it belongs, read from the models
and the declared inputs. Text that legitimately holds spaces is never taken for a key.
"""

from __future__ import annotations

import shutil

import pytest
import yaml
from conftest import DATA, MINIMAL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.declare.inputs import INPUTS
from model.io.errors import InputError, format_field_path
from model.io.forces import ForceEntry, load_force, load_national
from model.io.mistakes import ENTRY, ITEM, missing_colon_in_yaml, placements, where_it_belongs
from model.io.scenario import ReservePolicyEntry, ScenarioEntry, SimulationEntry, load_scenario
from model.sampling.setup import load_setup

FORCE_IDS = ["staffordshire", "leicestershire", "hertfordshire"]

BLOCK = """\
title: Central case
description: >
  A scenario written the way users write them,
  folded over two lines.
forces: [staffordshire, leicestershire, hertfordshire]
simulation:
  paths: 500
  seed: 7
  chunk_size: 128
assumptions:
  pay_award: 2%
  grant_change:
    all_years: -1%
    forces:
      leicestershire: {distribution: triangular, low: -3%, mode: -1%, high: 0%}
reserve_policy:
  minimum_general_reserve: 3%
shocks:
  - name: major_operation
    probability: 5%
    cost: £1m
"""
"""A scenario in block style; each case below takes the colon from one of its lines."""


def error_of(tmp_path, text: str) -> str:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_setup(path)
    return str(info.value).replace(str(path), "scenario.yaml")


def test_the_block_scenario_is_valid(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(BLOCK, encoding="utf-8")
    load_setup(path)


# --------------------------------------------------------------------------------------
# A key without its colon: the YAML no longer parses
# --------------------------------------------------------------------------------------

COLON_LINES = [
    # (line as written, line without its colon, line number, field, what the message quotes)
    ("title: Central case", "title Central case", 1, "title", "'title Central case' with no colon"),
    ("description: >", "description >", 2, "description", "'description >' with no colon"),
    ("forces: [", "forces [", 5, "forces", "'forces [staffordshire, leicestershire, hertfordshire]'"),
    ("simulation:\n", "simulation\n", 6, "simulation", "expected 'simulation:' (a colon after the key)"),
    ("  paths: 500", "  paths 500", 7, "simulation.paths", "'paths 500' with no colon"),
    ("  seed: 7", "  seed 7", 8, "simulation.seed", "'seed 7' with no colon"),
    ("  chunk_size: 128", "  chunk_size 128", 9, "simulation.chunk_size", "'chunk_size 128' with no colon"),
    ("assumptions:\n", "assumptions\n", 10, "assumptions", "expected 'assumptions:' (a colon after the key)"),
    ("  pay_award: 2%", "  pay_award 2%", 11, "assumptions.pay_award",
     "expected 'pay_award: <value>' (a colon after the key); found 'pay_award 2%' with no colon"),
    ("  grant_change:\n", "  grant_change\n", 12, "assumptions.grant_change", "'grant_change' with no colon"),
    ("    all_years: -1%", "    all_years -1%", 13, "assumptions.grant_change.all_years", "'all_years -1%'"),
    ("    forces:\n", "    forces\n", 14, "assumptions.grant_change.forces", "'forces' with no colon"),
    ("      leicestershire: {", "      leicestershire {", 15, "assumptions.grant_change.forces.leicestershire",
     "'leicestershire {distribution: triangular, low: -3%, mode: -…' with no colon after 'leicestershire'"),
    ("reserve_policy:\n", "reserve_policy\n", 16, "reserve_policy", "'reserve_policy' with no colon"),
    ("  minimum_general_reserve: 3%", "  minimum_general_reserve 3%", 17, "reserve_policy.minimum_general_reserve",
     "'minimum_general_reserve 3%' with no colon"),
    ("shocks:\n", "shocks\n", 18, "shocks", "'shocks' with no colon"),
    ("  - name: major_operation", "  - name major_operation", 19, "shocks[0].name", "'name major_operation'"),
    ("    probability: 5%", "    probability 5%", 20, "shocks[0].probability", "'probability 5%' with no colon"),
    ("    cost: £1m", "    cost £1m", 21, "shocks[0].cost", "'cost £1m' with no colon"),
]


@pytest.mark.parametrize("old, new, line, field, fragment", COLON_LINES, ids=[case[2] for case in COLON_LINES])
def test_a_missing_colon_is_reported_on_its_own_line(tmp_path, old, new, line, field, fragment):
    assert BLOCK.count(old) == 1
    message = error_of(tmp_path, BLOCK.replace(old, new))
    assert message.startswith(f"scenario.yaml, line {line}: field '{field}': expected '"), message
    assert "(a colon after the key)" in message and fragment in message, message
    assert "well-formed YAML" not in message


# --------------------------------------------------------------------------------------
# A key without its colon: the YAML parses, into something else
# --------------------------------------------------------------------------------------

PARSED_ELSEWHERE = [
    # The only key of a section: 'simulation: paths 2000' as text.
    ("only-key-of-simulation", MINIMAL.replace("simulation: {paths: 500, seed: 7, chunk_size: 128}\n",
                                               "simulation:\n  paths 2000\n"),
     ["line 5: field 'simulation.paths'", "expected 'paths: <value>'", "found 'paths 2000' with no colon"]),
    ("every-key-of-simulation", MINIMAL.replace("simulation: {paths: 500, seed: 7, chunk_size: 128}\n",
                                                "simulation:\n  paths 2000\n  seed 7\n"),
     ["line 5: field 'simulation.paths'", "found 'paths 2000' with no colon"]),
    ("only-key-of-assumptions", MINIMAL + "assumptions:\n  pay_award 2%\n",
     ["line 6: field 'assumptions.pay_award'", "expected 'pay_award: <value>'", "found 'pay_award 2%'"]),
    ("only-key-of-reserve-policy", MINIMAL + "reserve_policy:\n  minimum_general_reserve 3%\n",
     ["line 6: field 'reserve_policy.minimum_general_reserve'", "found 'minimum_general_reserve 3%'"]),
    ("only-key-of-management-action", MINIMAL + "management_action:\n  precept max_allowed\n",
     ["line 6: field 'management_action.precept'", "found 'precept max_allowed'"]),
    ("only-key-of-an-input", MINIMAL + "assumptions:\n  grant_change:\n    all_years -1%\n",
     ["line 7: field 'assumptions.grant_change.all_years'", "found 'all_years -1%' with no colon"]),
    ("only-year-of-an-input", MINIMAL + "assumptions:\n  grant_change:\n    2017/18 -1%\n",
     ["line 7: field 'assumptions.grant_change.2017/18'", "expected '2017/18: <value>'"]),
    ("only-force-of-an-input", MINIMAL + "assumptions:\n  grant_change:\n    forces:\n      staffordshire -1%\n",
     ["line 8: field 'assumptions.grant_change.forces.staffordshire'", "found 'staffordshire -1%'"]),
    ("only-force-of-the-reserve-policy",
     MINIMAL + "reserve_policy:\n  forces:\n    staffordshire\n      minimum_general_reserve: 4%\n",
     ["line 7: field 'reserve_policy.forces.staffordshire'", "expected 'staffordshire:' (a colon after the key)"]),
    # In a flow mapping the words become one key with a space in it.
    ("flow-simulation", MINIMAL.replace("{paths: 500,", "{paths 500,"),
     ["line 4: field 'simulation.paths'", "found 'paths 500' with no colon"]),
    ("flow-assumptions", MINIMAL + "assumptions: {pay_award 2%, grant_change: 1%}\n",
     ["line 5: field 'assumptions.pay_award'", "found 'pay_award 2%' with no colon"]),
    ("flow-distribution", MINIMAL + "assumptions:\n  pay_award: {distribution triangular, low: 0%, mode: 1%, high: 2%}\n",
     ["line 6: field 'assumptions.pay_award.distribution'", "found 'distribution triangular' with no colon"]),
    ("flow-distribution-parameter",
     MINIMAL + "assumptions:\n  pay_award: {distribution: triangular, low 0%, mode: 1%, high: 2%}\n",
     ["line 6: field 'assumptions.pay_award.low'", "found 'low 0%' with no colon"]),
    # A block key followed by a colon further on: the key has a space in it.
    ("colon-later-in-the-line", MINIMAL.replace("title: Test scenario", "title Test scenario: the plan"),
     ["line 1: field 'title'", "expected 'title: <value>'"]),
    # The whole file one line of text.
    ("whole-file-one-line", "title Central case\n", ["line 1: field 'title'", "found 'title Central case'"]),
    # Two colons missing in a row read as one text over two lines; the first is reported.
    ("two-in-a-row", MINIMAL.replace("simulation: {paths: 500, seed: 7, chunk_size: 128}\n",
                                     "simulation:\n  paths 500\n  seed 7\n  chunk_size: 128\n"),
     ["line 5: field 'simulation.paths'", "found 'paths 500' with no colon"]),
    # Windows line ends, a byte-order mark and a trailing comment change nothing.
    ("crlf", (MINIMAL + "assumptions:\n  pay_award 2%\n  grant_change: 1%\n").replace("\n", "\r\n"),
     ["line 6: field 'assumptions.pay_award'", "found 'pay_award 2%' with no colon"]),
    ("byte-order-mark", "\ufeff" + MINIMAL + "assumptions:\n  pay_award 2%\n  grant_change: 1%\n",
     ["line 6: field 'assumptions.pay_award'"]),
    ("trailing-comment", MINIMAL + "assumptions:  # what we assume\n  pay_award 2%  # the plan\n  grant_change: 1%\n",
     ["line 6: field 'assumptions.pay_award'", "found 'pay_award 2%' with no colon"]),
]


@pytest.mark.parametrize("text, fragments", [pytest.param(t, f, id=i) for i, t, f in PARSED_ELSEWHERE])
def test_a_missing_colon_that_still_parses_is_reported_on_its_own_line(tmp_path, text, fragments):
    message = error_of(tmp_path, text)
    assert "(a colon after the key)" in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.mark.parametrize("body, line, field", [
    ("assumptions:\n  pay_award 2%\n", 3, "assumptions.pay_award"),
    ("assumptions:\n  pay_award 2%\n  grant_change: 1%\n", 3, "assumptions.pay_award"),
    ("assumptions:\n  grant_change:\n    all_years -1%\n", 4, "assumptions.grant_change.all_years"),
    ("simulation:\n  paths 2000\n", 3, "simulation.paths"),
])
def test_a_missing_colon_in_an_overlay_names_the_overlay_and_its_line(tmp_path, body, line, field):
    (tmp_path / "base.yaml").write_text(BLOCK, encoding="utf-8")
    message = error_of(tmp_path, "extends: base.yaml\n" + body)
    assert message.startswith(f"scenario.yaml, line {line}: field '{field}': expected '"), message
    assert "(a colon after the key)" in message


LEGITIMATE_SPACES = [
    ("title-with-key-words", MINIMAL.replace("title: Test scenario", "title: paths 2000 seed 7")),
    ("description-below-its-key", MINIMAL.replace("description: A small scenario for tests.",
                                                  "description:\n  pay_award 2% and\n  seed 7 in the text")),
    ("folded-description", MINIMAL.replace("description: A small scenario for tests.",
                                           "description: >\n  pay_award 2%\n  grant_change -1%")),
    ("literal-description", MINIMAL.replace("description: A small scenario for tests.",
                                            "description: |\n  pay_award 2%\n  simulation\n")),
    ("quoted-title", MINIMAL.replace("title: Test scenario", "title: 'forces [staffordshire]'")),
    ("source-list-items", MINIMAL + "sources:\n  - pay_award 2% from the plan\n  - seed 7\n  - simulation\n"),
    ("shock-label-below-its-key", MINIMAL + "shocks:\n  - name: op\n    label:\n      cost of a major op\n"
                                            "    probability: 5%\n    cost: £1m\n"),
    ("years-range", MINIMAL + "years: 2016/17 to 2019/20\n"),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in LEGITIMATE_SPACES])
def test_text_with_spaces_is_never_taken_for_a_key(tmp_path, text):
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    load_setup(path)


def test_quoted_text_below_a_key_is_left_to_the_unit_message(tmp_path):
    message = error_of(tmp_path, MINIMAL + 'assumptions:\n  pay_award:\n    "all_years 2%"\n')
    assert "colon" not in message and "a rate with its % sign" in message


def test_other_yaml_errors_keep_their_message(tmp_path):
    message = error_of(tmp_path, MINIMAL.replace("simulation: {paths: 500, seed: 7, chunk_size: 128}\n",
                                                 "simulation:\n  paths: 500\n   seed: 7\n"))
    assert "line 6: expected well-formed YAML; found mapping values are not allowed here" in message


def test_missing_colon_in_yaml_is_none_for_other_errors():
    text = "title: x\nsources: [a, b\n"
    with pytest.raises(yaml.YAMLError) as info:
        yaml.safe_load(text)
    assert missing_colon_in_yaml(text, info.value) is None


# --------------------------------------------------------------------------------------
# A key at the wrong nesting says where it belongs
# --------------------------------------------------------------------------------------

MISPLACED = [
    ("input-at-top-level", MINIMAL + "pay_award: 2%\n",
     "line 5: field 'pay_award': expected a known key; found 'pay_award', which belongs under 'assumptions'. "
     "Move it there, indented under 'assumptions:'."),
    ("setting-at-top-level", MINIMAL + "paths: 2000\n",
     "line 5: field 'paths': expected a known key; found 'paths', which belongs under 'simulation'."),
    ("reserve-key-at-top-level", MINIMAL + "minimum_general_reserve: 3%\n",
     "field 'minimum_general_reserve': expected a known key; found 'minimum_general_reserve', which belongs "
     "under 'reserve_policy'."),
    ("reserve-key-under-assumptions", MINIMAL + "assumptions:\n  minimum_general_reserve: 3%\n",
     "line 6: field 'assumptions.minimum_general_reserve': expected a known input; found "
     "'minimum_general_reserve', which belongs under 'reserve_policy'."),
    ("seed-under-assumptions", MINIMAL + "assumptions:\n  pay_award: 2%\n  seed: 3\n",
     "line 7: field 'assumptions.seed': expected a known input; found 'seed', which belongs under 'simulation'."),
    ("input-under-simulation", MINIMAL.replace("chunk_size: 128}", "chunk_size: 128, pay_award: 2%}"),
     "line 4: field 'simulation.pay_award': expected a known key; found 'pay_award', which belongs under "
     "'assumptions'."),
    ("top-level-key-under-reserve-policy", MINIMAL + "reserve_policy:\n  title: x\n",
     "line 6: field 'reserve_policy.title': expected a known key; found 'title', which belongs at the top level. "
     "Move it there, with no indentation."),
    ("shock-key-at-top-level", MINIMAL + "probability: 5%\n",
     "field 'probability': expected a known key; found 'probability', which belongs in each item of 'shocks'. "
     "Move it there."),
    ("setting-in-a-shock", MINIMAL + "shocks:\n  - {name: op, probability: 5%, cost: £1m, seed: 3}\n",
     "field 'shocks[0].seed': expected a known key; found 'seed', which belongs under 'simulation'."),
]


@pytest.mark.parametrize("text, fragment", [pytest.param(t, f, id=i) for i, t, f in MISPLACED])
def test_a_key_at_the_wrong_nesting_says_where_it_belongs(tmp_path, text, fragment):
    message = error_of(tmp_path, text)
    assert fragment in message, message


def test_a_typo_is_still_a_typo(tmp_path):
    message = error_of(tmp_path, MINIMAL + "assumptions:\n  grant_chnage: 1%\n")
    assert "unknown input 'grant_chnage'. Did you mean 'grant_change'?" in message
    assert "belongs" not in message


def test_where_a_key_belongs_is_read_from_the_declarations():
    for name in SimulationEntry.model_fields:
        assert placements(ScenarioEntry, name) == [("simulation",)]
        assert where_it_belongs(ScenarioEntry, name, ("assumptions",)) == ("simulation",)
        assert where_it_belongs(ScenarioEntry, name, ("simulation",)) is None
    for name in INPUTS:
        assert where_it_belongs(ScenarioEntry, name, ()) == ("assumptions",)
        assert where_it_belongs(ScenarioEntry, name, ("assumptions",)) is None
    for name in ReservePolicyEntry.model_fields:
        if name != "forces":
            assert placements(ScenarioEntry, name)[0] == ("reserve_policy",)
    assert ("reserve_policy", "forces", ENTRY) in placements(ScenarioEntry, "minimum_general_reserve")
    assert where_it_belongs(ScenarioEntry, "minimum_general_reserve", ("reserve_policy", "forces", "x")) is None
    assert placements(ScenarioEntry, "label") == [("shocks", ITEM)]
    assert where_it_belongs(ScenarioEntry, "label", ("shocks", 0)) is None
    assert where_it_belongs(ScenarioEntry, "no_such_key", ()) is None
    assert placements(ForceEntry, "asset_life") == [("capital",)]
    assert placements(ForceEntry, "grant") == [("budget",)]
    assert placements(ForceEntry, "precept_increase") == [("plan",)]


# --------------------------------------------------------------------------------------
# Force files
# --------------------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy


def force_error(data_dir, old: str, new: str) -> str:
    path = data_dir / "forces" / "staffordshire.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_force(data_dir, "staffordshire", load_national(data_dir))
    return str(info.value).replace(str(path), "staffordshire.yaml")


def line_of(data_dir, text: str) -> int:
    lines = (data_dir / "forces" / "staffordshire.yaml").read_text(encoding="utf-8").split("\n")
    return next(index for index, line in enumerate(lines, 1) if line == text)


def test_a_missing_colon_in_a_force_file(data_copy):
    line = line_of(data_copy, "    value: £118.4m")
    message = force_error(data_copy, "    value: £118.4m", "    value £118.4m")
    assert message.startswith(f"staffordshire.yaml, line {line}: field 'budget.grant.value': expected "
                              "'value: <value>' (a colon after the key); found 'value £118.4m' with no colon"), message


def test_a_force_file_key_in_the_wrong_section(data_copy):
    line = line_of(data_copy, "reserves:") + 1
    message = force_error(data_copy, "reserves:\n", "reserves:\n  funding_order: [capital_grant]\n")
    assert f"line {line}: field 'reserves.funding_order': expected a known key; found 'funding_order', which " \
           "belongs under 'capital'" in message, message
    message = force_error(data_copy, "\nbudget:\n", "\nin_plan: true\nbudget:\n")
    assert "field 'in_plan': expected a known key; found 'in_plan', which belongs in each item of 'pressures'" \
        in message, message


# --------------------------------------------------------------------------------------
# Property: take the colon from any key line of a well-formed scenario
# --------------------------------------------------------------------------------------

RATE_INPUTS = ["grant_change", "tax_base_growth", "collection_fund", "pay_drift", "non_pay_inflation"]
WORDS = ["Central", "case", "paths", "2000", "pay_award", "2%", "seed", "forces", "assumptions", "—", "plan",
         "simulation", "title", "£1m", "x"]
RATES = st.sampled_from(["0%", "1%", "-1%", "0.5%", "2%"])


@st.composite
def rate_values(draw, forces: list[str]):
    """A fixed rate, a distribution, or a layer of all_years, fiscal years and per-force values."""
    shape = draw(st.sampled_from(["fixed", "distribution", "layer"]))
    if shape == "fixed":
        return draw(RATES)
    if shape == "distribution":
        return {"distribution": "uniform", "low": "0%", "high": "1%"}
    layer: dict = {}
    if draw(st.booleans()):
        layer["all_years"] = draw(RATES)
    for year in draw(st.lists(st.sampled_from(["2017/18", "2018/19"]), unique=True)):
        layer[year] = draw(RATES)
    overridden = draw(st.lists(st.sampled_from(forces), unique=True, max_size=2))
    if overridden or not layer:
        layer["forces"] = {force: draw(RATES) for force in overridden or forces[:1]}
    if draw(st.booleans()):
        layer.update({"over_years": "persistent", "persistence": "50%"})
    return layer


@st.composite
def scenario_documents(draw):
    forces = draw(st.lists(st.sampled_from(FORCE_IDS), unique=True, min_size=1))
    document: dict = {
        "title": " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))),
        "description": " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))),
        "forces": forces,
    }
    if draw(st.booleans()):
        document["sources"] = [" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5)))]
    if draw(st.booleans()):
        document["years"] = "2016/17 to 2019/20"
    settings_ = {"paths": 100, "seed": 7, "chunk_size": 64, "sampling": "pseudo_random"}
    document["simulation"] = {k: settings_[k] for k in draw(st.lists(st.sampled_from(list(settings_)), unique=True,
                                                                     min_size=1))}
    names = draw(st.lists(st.sampled_from(RATE_INPUTS), unique=True, min_size=1, max_size=3))
    document["assumptions"] = {name: draw(rate_values(forces)) for name in names}
    if draw(st.booleans()):
        document["assumptions"]["staff_pension_step_year"] = "2017/18"
    if draw(st.booleans()):
        document["shocks"] = [{"name": "op", "probability": "5%", "cost": "£1m"}]
    if draw(st.booleans()):
        document["correlations"] = [{"between": ["pay_drift", "non_pay_inflation"], "rank_correlation": 0.5}]
    policy = draw(st.sampled_from([{"minimum_general_reserve": "3%"}, {"undelivered_savings": "lost"},
                                   {"minimum_general_reserve": "3%", "general_reserve_target": "4%"},
                                   {"forces": {forces[0]: {"minimum_general_reserve": "4%"}}}]))
    document["reserve_policy"] = policy
    if draw(st.booleans()):
        document["management_action"] = draw(st.sampled_from([{"precept": "max_allowed"},
                                                               {"savings_share_of_nre": "1%"}]))
    if draw(st.booleans()):
        document["deterministic_cases"] = {"tail": "10%"}
    return document


def key_lines(text: str) -> list[tuple[int, int, tuple]]:
    """(line index, column of the key, field path) of every block key that starts its line."""
    found = []
    lines = text.split("\n")

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                here = path + (key_node.value,)
                line, column = key_node.start_mark.line, key_node.start_mark.column
                before = lines[line][:column]
                if key_node.style is None and before.strip() in ("", "-") and not node.flow_style:
                    found.append((line, column, here))
                walk(value_node, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, path + (index,))

    walk(yaml.compose(text), ())
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=scenario_documents(), flow=st.sampled_from([False, None]), data=st.data())
def test_any_key_line_without_its_colon_is_reported_on_that_line(tmp_path, document, flow, data):
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=flow, width=60)
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    load_scenario(path, FORCE_IDS)  # well-formed and valid as generated: no text taken for a key
    line, column, field = data.draw(st.sampled_from(key_lines(text)))
    lines = text.split("\n")
    key = str(field[-1])
    assert lines[line][column:column + len(key) + 1] == key + ":"
    lines[line] = lines[line][:column + len(key)] + lines[line][column + len(key) + 1:]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_setup(path)
    message = str(info.value)
    assert f"{path}, line {line + 1}: field '{format_field_path(field)}': expected '{key}:" in message, (
        f"{message}\n--- line {line + 1} lost its colon in:\n" + "\n".join(lines))
    assert "(a colon after the key)" in message
