"""The bad-input catalogue: every way a scenario can be wrong gives one clear InputError.

Each message must name the file, the field path (and its line where the file has one),
what was expected and what was found, so a finance officer can fix the YAML without a
stack trace. Property-based tests check that valid scenarios always load and run, that
broken ones always raise :class:`InputError`, and that no bytes at all can make the
loader fail any other way.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import yaml
from conftest import DATA, MINIMAL
from helpers import ALL_FORCES, CATALOGUE, FILE_CASES, minimal_with
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.declare.fiscal import BUDGET_YEAR, MODEL_YEARS, format_fiscal_year
from model.declare.inputs import INPUTS
from model.io.errors import InputError
from model.io.forces import available_forces, load_force, load_national
from model.io.scenario import load_scenario
from model.io.yaml_source import MAX_FILE_BYTES
from model.run.simulation import run_simulation
from model.run.summaries import PERCENTILES, flags_table, summary_table
from model.sampling.setup import load_setup


def input_error(path) -> InputError:
    """Load a scenario with its force data and return the InputError it must raise."""
    with pytest.raises(InputError) as info:
        load_setup(path)
    return info.value


def assert_message(error: InputError, path, fragments: list[str]) -> None:
    message = str(error)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "Traceback" not in message


# --------------------------------------------------------------------------------------
# Files that are not a YAML scenario at all
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("content, fragments", FILE_CASES)
def test_files_that_are_not_yaml_text(tmp_path, content, fragments):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(content)
    assert_message(input_error(path), path, fragments)


def test_missing_file(tmp_path):
    path = tmp_path / "no-such-scenario.yaml"
    assert_message(input_error(path), path, ["an existing scenario file", "no such file"])


def test_folder_instead_of_a_file(tmp_path):
    path = tmp_path / "central.yaml"
    path.mkdir()
    assert_message(input_error(path), path, ["a scenario file", "found a folder"])


def test_file_too_large(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(MINIMAL.encode() + b"#" * MAX_FILE_BYTES)
    assert_message(input_error(path), path, ["under 5 MB", "bytes"])


# --------------------------------------------------------------------------------------
# The catalogue: (id, YAML text, fragments the message must contain)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, fragments", [pytest.param(t, f, id=i) for i, t, f in CATALOGUE])
def test_bad_input_catalogue(write_scenario, text, fragments):
    path = write_scenario(text)
    error = input_error(path)
    assert_message(error, path, fragments)
    assert error.file == str(path)


def test_every_catalogue_case_is_distinct():
    ids = [case[0] for case in CATALOGUE]
    texts = [case[1] for case in CATALOGUE]
    assert len(set(ids)) == len(ids)
    assert len(set(texts)) == len(texts)


def test_load_scenario_alone_reports_unknown_forces_with_a_suggestion(write_scenario):
    path = write_scenario(minimal_with(f"forces: {ALL_FORCES}", "forces: [staffordshre]"))
    with pytest.raises(InputError) as info:
        load_scenario(path, known_forces=available_forces(DATA))
    assert info.value.field == "forces[0]"
    assert info.value.line == 3
    assert "Did you mean 'staffordshire'?" in str(info.value)


def test_the_minimal_scenario_is_valid(write_scenario):
    setup = load_setup(write_scenario(MINIMAL))
    assert setup.scenario.forces == ["staffordshire", "leicestershire", "hertfordshire"]


# --------------------------------------------------------------------------------------
# Property-based: valid scenarios load and run; mutated ones raise InputError only
# --------------------------------------------------------------------------------------

FORCE_IDS = available_forces(DATA)
_NATIONAL = load_national(DATA)
RESERVES = {force: [r.name for r in load_force(DATA, force, _NATIONAL).earmarked] + ["general"] for force in FORCE_IDS}
GRID_STEP = {"rate": 0.001, "pounds": 0.5, "years": 0.25, "money": 0.05, "fiscal_year": 1.0}
"""Values are drawn on a grid so that their written form parses back exactly."""


def written(unit: str, steps: int) -> str:
    """A grid value in the scenario's unit convention, e.g. ``-1.5%``, ``£2.5``, ``£0.35m``."""
    value = steps * GRID_STEP[unit]
    sign = "-" if value < 0 else ""
    if unit == "rate":
        return f"{steps / 10:g}%"
    if unit == "pounds":
        return f"{sign}£{abs(value):g}"
    if unit == "money":
        return f"{sign}£{abs(steps) / 20:g}m"
    if unit == "fiscal_year":
        return format_fiscal_year(BUDGET_YEAR + steps)
    return f"{value:g} years"


def step_range(unit: str, low: float, high: float) -> tuple[int, int]:
    step = GRID_STEP[unit]
    return math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)


@st.composite
def distributions(draw, units: tuple[str, ...], bounds: dict[str, tuple[float, float]]):
    """A fixed value or a distribution with valid parameters inside ``bounds``."""
    unit = draw(st.sampled_from(units))
    lowest, highest = step_range(unit, *bounds[unit])
    kind = draw(st.sampled_from(["fixed", "uniform", "triangular", "pert", "normal"] if unit != "fiscal_year"
                                else ["fixed", "choice"]))
    if kind == "choice":
        values = draw(st.lists(st.integers(lowest, highest), min_size=1, max_size=3, unique=True))
        weights = [100 // len(values)] * len(values)
        weights[0] += 100 - sum(weights)
        return {"distribution": "choice", "options": [{"value": written(unit, v), "probability": f"{w}%"}
                                                     for v, w in zip(values, weights, strict=True)]}
    if kind == "fixed":
        return written(unit, draw(st.integers(lowest, highest)))
    low, high = sorted(draw(st.lists(st.integers(lowest, highest), min_size=2, max_size=2, unique=True)))
    if kind == "uniform":
        return {"distribution": kind, "low": written(unit, low), "high": written(unit, high)}
    middle = draw(st.integers(low, high))
    if kind in ("triangular", "pert"):
        return {"distribution": kind, "low": written(unit, low), "mode": written(unit, middle),
                "high": written(unit, high)}
    sd = draw(st.integers(1, high - low))
    return {"distribution": kind, "mean": written(unit, middle), "sd": written(unit, sd),
            "low": written(unit, low), "high": written(unit, high)}


@st.composite
def input_values(draw, name: str, forces: list[str]):
    """One input as a scenario states it: a value, per-year values, per-force overrides."""
    declaration = INPUTS[name]

    def leaf():
        options = [distributions(declaration.units, declaration.bounds)]
        if declaration.plan_default:
            options.append(st.just("plan"))
        options += [st.just(rule) for rule in declaration.rules if rule != "plan"]
        if declaration.rules:
            options.append(st.just({"distribution": "choice", "options": [
                {"value": "plan", "probability": "50%"}, {"value": "max_allowed", "probability": "50%"}]}))
        return draw(st.one_of(options))

    def layer():
        if draw(st.booleans()):
            return leaf()
        mapping = {}
        if draw(st.booleans()):
            mapping["all_years"] = leaf()
        if declaration.timing == "per_year":
            years = draw(st.lists(st.sampled_from(MODEL_YEARS[declaration.first_year:]), unique=True, max_size=2))
            for year in years:
                mapping[year] = leaf()
        return mapping or {"all_years": leaf()}

    value = layer()
    if draw(st.booleans()):
        if not isinstance(value, dict) or "distribution" in value:
            value = {"all_years": value}
        overridden = draw(st.lists(st.sampled_from(forces), unique=True, min_size=1))
        value["forces"] = {force: layer() for force in overridden}
    return value


@st.composite
def shocks(draw, forces: list[str]):
    count = draw(st.integers(0, 2))
    result = []
    for index in range(count):
        shock = {"name": f"shock_{index}", "probability": written("rate", draw(st.integers(0, 1000))),
                 "cost": draw(distributions(("money",), {"money": (0.0, 5.0)}))}
        if draw(st.booleans()):
            shock["years"] = draw(st.lists(st.sampled_from(MODEL_YEARS), unique=True, min_size=1))
        if draw(st.booleans()):
            shock["forces"] = draw(st.lists(st.sampled_from(forces), unique=True, min_size=1))
        result.append(shock)
    return result


@st.composite
def reserve_policies(draw, forces: list[str]):
    policy = {}
    minimum = draw(st.integers(0, 100))
    if draw(st.booleans()):
        policy["minimum_general_reserve"] = written("rate", minimum)
        if draw(st.booleans()):
            policy["general_reserve_target"] = written("rate", draw(st.integers(minimum, 150)))
    if draw(st.booleans()):
        policy["undelivered_savings"] = draw(st.sampled_from(["roll_forward", "lost"]))
    if draw(st.booleans()):
        policy["shortfall_order"] = ["general"]
    overridden = draw(st.lists(st.sampled_from(forces), unique=True, max_size=2))
    if overridden:
        policy["forces"] = {}
        for force in overridden:
            force_minimum = draw(st.integers(0, 100))
            policy["forces"][force] = {
                "minimum_general_reserve": written("rate", force_minimum),
                "general_reserve_target": written("rate", draw(st.integers(force_minimum, 150))),
                "shortfall_order": draw(st.permutations(RESERVES[force]).flatmap(
                    lambda order: st.integers(1, len(order)).map(lambda n: list(order[:n])))),
            }
    return policy


@st.composite
def valid_scenarios(draw):
    """A scenario document (a dict) that must load and run."""
    forces = draw(st.lists(st.sampled_from(FORCE_IDS), unique=True, min_size=1))
    last_year = draw(st.sampled_from(MODEL_YEARS))
    document = {
        "title": draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
                      .filter(str.strip)),
        "description": "Generated by hypothesis.",
        "forces": forces,
        "years": f"{MODEL_YEARS[0]} to {last_year}",
        "simulation": {"paths": draw(st.integers(50, 300)), "seed": draw(st.integers(0, 2**63 - 1)),
                       "chunk_size": draw(st.integers(16, 512))},
        "baseline": draw(st.sampled_from(["sampled", "central"])),
    }
    names = draw(st.lists(st.sampled_from(list(INPUTS)), unique=True))
    document["assumptions"] = {name: draw(input_values(name, forces)) for name in names}
    document["shocks"] = draw(shocks(forces))
    document["reserve_policy"] = draw(reserve_policies(forces))
    return document


def dump(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY_SETTINGS
@given(document=valid_scenarios())
def test_valid_scenarios_load_and_run(tmp_path, document):
    path = tmp_path / "generated.yaml"
    path.write_text(dump(document), encoding="utf-8")
    setup = load_setup(path)
    result = run_simulation(setup)
    summary, flags = summary_table(result), flags_table(result)
    n_years = MODEL_YEARS.index(document["years"].split(" to ")[1]) + 1
    assert set(summary["year"]) == set(MODEL_YEARS[:n_years])
    assert set(summary["force"]) == set(document["forces"])
    values = summary[["mean"] + [f"p{p}" for p in PERCENTILES]].to_numpy()
    assert np.isfinite(values).all()
    percentiles = values[:, 1:]
    tolerance = 1e-9 * np.maximum(1.0, np.abs(percentiles[:, :-1]))
    assert (np.diff(percentiles, axis=1) >= -tolerance).all()
    assert flags["probability"].between(0.0, 1.0).all()
    assert np.isfinite(flags["std_error"]).all()


def _inject(document: dict, name: str, value) -> None:
    document.setdefault("assumptions", {})[name] = value


MUTATIONS = {
    "drop required key": lambda doc, draw: doc.pop(draw(st.sampled_from(["title", "description", "forces"]))),
    "unknown top-level key": lambda doc, draw: doc.update({draw(st.sampled_from(["titel", "scenario", "seeds"])): 1}),
    "unknown simulation key": lambda doc, draw: doc["simulation"].update({"sead": 1}),
    "unknown reserve policy key": lambda doc, draw: doc["reserve_policy"].update({"minimum": "3%"}),
    "unknown distribution key": lambda doc, draw: _inject(
        doc, "pay_award", {"distribution": "triangular", "low": "0%", "mde": "1%", "high": "2%"}),
    "bare number for a rate": lambda doc, draw: _inject(
        doc, draw(st.sampled_from([n for n, d in INPUTS.items() if "rate" in d.units])),
        draw(st.one_of(st.integers(-5, 5), st.floats(-1, 1, allow_nan=False)))),
    "swapped low and high": lambda doc, draw: _inject(
        doc, "non_pay_inflation", {"distribution": draw(st.sampled_from(["uniform", "triangular", "pert"])),
                                   "low": "3%", "mode": "2%", "high": "1%"}),
    "value out of range": lambda doc, draw: _inject(
        doc, "savings_delivery", written("rate", draw(st.integers(1001, 5000)))),
    "bad paths": lambda doc, draw: doc["simulation"].update(
        {"paths": draw(st.sampled_from([0, -1, "many", 1.5, True, None, [1]]))}),
    "bad year key": lambda doc, draw: _inject(
        doc, "grant_change", {draw(st.sampled_from(["2017-18", "2017", "2021/22", "2016/17", "next year"])): "1%"}),
    "unknown force": lambda doc, draw: doc["forces"].append(draw(st.sampled_from(["kent", "staffordshre", "herts"]))),
    "probability over 100%": lambda doc, draw: doc["shocks"].append(
        {"name": "extra", "probability": written("rate", draw(st.integers(1001, 10_000))), "cost": "£1m"}),
    "misspelt input": lambda doc, draw: _inject(doc, draw(st.sampled_from(["grant_chnage", "pay", "inflation"])), "1%"),
    "list where a mapping belongs": lambda doc, draw: doc.update(
        {draw(st.sampled_from(["simulation", "reserve_policy", "assumptions"])): [1, 2]}),
    "target below minimum": lambda doc, draw: doc.update(
        {"reserve_policy": {"minimum_general_reserve": "4%", "general_reserve_target": "3%"}}),
    "unit of the wrong kind": lambda doc, draw: _inject(
        doc, "tax_base_growth", draw(st.sampled_from(["£1m", "£5", "1 year", "1,000 FTE"]))),
}


@PROPERTY_SETTINGS
@given(document=valid_scenarios(), mutation=st.sampled_from(sorted(MUTATIONS)), data=st.data())
def test_mutated_scenarios_raise_input_error(tmp_path, document, mutation, data):
    broken = copy.deepcopy(document)
    MUTATIONS[mutation](broken, data.draw)
    path = tmp_path / "mutated.yaml"
    path.write_text(dump(broken), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_setup(path)
    assert str(path) in str(info.value)


@PROPERTY_SETTINGS
@given(document=valid_scenarios(), cut=st.integers(0, 10_000))
def test_text_level_damage_raises_input_error(tmp_path, document, cut):
    text = dump(document)
    at = cut % len(text)
    damaged = {
        0: text + "title: Again\n",
        1: text + "---\n" + text,
        2: text + "\tforces: [staffordshire]\n",
        3: text + '"an unclosed quote: x\n',
        4: text[:at] + "\x07" + text[at:],
        5: text[:at] + "\x00" + text[at:],
    }[cut % 6]
    path = tmp_path / "damaged.yaml"
    path.write_text(damaged, encoding="utf-8")
    with pytest.raises(InputError):
        load_setup(path)


# --------------------------------------------------------------------------------------
# Fuzzing: whatever is in the file, only InputError escapes
# --------------------------------------------------------------------------------------

FUZZ_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
YAML_ALPHABET = "{}[]:,-#&*!|>'\"\n %£mabcdeflorstuy0123456789/.\t?~<=@`\\\x00\x85\ufeff"


def load_only_input_errors(path) -> None:
    try:
        load_scenario(path, known_forces=FORCE_IDS)
    except InputError as error:
        assert str(path) in str(error)


@FUZZ_SETTINGS
@given(content=st.binary(max_size=400))
def test_random_bytes_give_input_error_only(tmp_path, content):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(content)
    load_only_input_errors(path)


@FUZZ_SETTINGS
@given(content=st.one_of(st.text(max_size=300), st.text(YAML_ALPHABET, max_size=300)))
def test_random_text_gives_input_error_only(tmp_path, content):
    path = tmp_path / "fuzz.yaml"
    path.write_text(content, encoding="utf-8")
    load_only_input_errors(path)


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    | st.sampled_from(["1%", "£5", "£1m", "2017/18", "plan", "triangular", "all_years", "forces"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.sampled_from(
        ["distribution", "low", "mode", "high", "sd", "mean", "all_years", "forces", "2017/18", "staffordshire"])),
        children, max_size=3),
    max_leaves=8,
)


def _paths_in(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths_in(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths_in(child, prefix + (index,))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=valid_scenarios(), replacement=YAML_VALUES, data=st.data())
def test_random_values_anywhere_give_input_error_only(tmp_path, document, replacement, data):
    where = data.draw(st.sampled_from([p for p in _paths_in(document) if p]))
    parent = document
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = replacement
    path = tmp_path / "replaced.yaml"
    path.write_text(dump(document), encoding="utf-8")
    try:
        load_setup(path)
    except InputError as error:
        assert str(path) in str(error)
