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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.fiscal import MODEL_YEARS
from model.forces import available_forces, load_force, load_national
from model.inputs import INPUTS
from model.scenario import load_scenario
from model.simulation import load_setup, run_simulation
from model.summary import PERCENTILES, flags_table, summary_table
from model.yaml_source import MAX_FILE_BYTES

ALL_FORCES = "[staffordshire, leicestershire, hertfordshire]"


def with_minimal(extra: str) -> str:
    """MINIMAL (lines 1-4) followed by ``extra`` from line 5."""
    return MINIMAL + extra


def minimal_with(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


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

FILE_CASES = [
    pytest.param(b"", ["expected a scenario in YAML", "an empty file"], id="empty-file"),
    pytest.param(b"  \n\n\t\n", ["an empty file"], id="only-whitespace"),
    pytest.param(b"# a scenario\n# still to write\n", ["a file with only comments"], id="only-comments"),
    pytest.param(b"title: x\x00\x01\x02", ["UTF-8 text", "binary content (NUL bytes)"], id="binary-nul-bytes"),
    pytest.param(b"\xff\xfet\x00i\x00", ["binary content"], id="utf16-with-nuls"),
    pytest.param(b"\xff\xfetitle: x\n", ["UTF-8 text", "not UTF-8 at offset 0"], id="not-utf8"),
    pytest.param(
        with_minimal("shocks:\n  - {name: op, probability: 5%, cost: £1m}\n").encode("cp1252"),
        ["UTF-8 text", "not UTF-8 at offset"], id="pound-sign-saved-as-cp1252",
    ),
    pytest.param(b"title: a\x07b\n", ["plain text", "control character (#x0007)", "line 1", "column 9"],
                 id="control-character"),
    pytest.param(("[" * 3000 + "]" * 3000).encode(), ["nested at most 50 levels deep"], id="nested-too-deep"),
    pytest.param(b"a: &a [1]\nb: &b [*a, *a]\n" + b"".join(
        f"c{i}: &c{i} [{', '.join([f'*c{i - 1}' if i else '*b'] * 9)}]\n".encode() for i in range(9)),
        ["at most 100,000 keys and list items", "aliases"], id="billion-laughs"),
]


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

CATALOGUE = [
    # Malformed YAML, duplicate keys, several documents.
    ("unclosed-bracket", with_minimal("sources: [a, b\n"),
     ["expected well-formed YAML", "line 6", "column 1", "flow sequence that started on line 5"]),
    ("bad-indentation", "title: x\n  description: y\nforces: [staffordshire]\n",
     ["well-formed YAML", "line 2", "column 14", "mapping values are not allowed here"]),
    ("unclosed-quote", with_minimal('sources: ["a source\n'),
     ["well-formed YAML", "line 6", "quoted scalar that started on line 5"]),
    ("tab-indentation", with_minimal("assumptions:\n\tgrant_change: 1%\n"),
     ["well-formed YAML", "line 6", "column 1", "YAML indents with spaces, never tabs."]),
    ("duplicate-top-key", with_minimal("title: Again\n"),
     ["line 5", "field 'title'", "each key once", "first written on line 1"]),
    ("duplicate-nested-key", with_minimal("assumptions:\n  pay_award: 1%\n  pay_award: 2%\n"),
     ["line 7", "field 'assumptions.pay_award'", "each key once", "first written on line 6"]),
    ("two-documents", with_minimal("---\ntitle: Second\n"),
     ["line 5", "one scenario document", "more than one document"]),
    ("merge-key", with_minimal("base: &base {paths: 10}\nsimulation2:\n  <<: *base\n"),
     ["line 7", "merge keys '<<' are not supported"]),
    ("python-tag", with_minimal("description2: !!python/name:os.system ''\n"),
     ["line 5", "well-formed YAML", "could not determine a constructor"]),
    # A list or a scalar where a mapping belongs.
    ("list-at-top-level", "- title: x\n- forces: [staffordshire]\n",
     ["line 1", "a mapping of keys to values at the top level", "found a list"]),
    ("text-at-top-level", "central scenario\n", ["a mapping of keys to values at the top level", "'central scenario'"]),
    ("simulation-list", minimal_with("simulation: {paths: 500, seed: 7, chunk_size: 128}", "simulation: [1, 2]"),
     ["line 4", "field 'simulation'", "a mapping of keys to values", "found a list"]),
    ("assumptions-list", with_minimal("assumptions: [grant_change]\n"),
     ["line 5", "field 'assumptions'", "a mapping", "found a list"]),
    ("shocks-mapping", with_minimal("shocks: {major_operation: 5%}\n"),
     ["line 5", "field 'shocks'", "expected a list", "found a mapping"]),
    ("reserve-policy-text", with_minimal("reserve_policy: 3%\n"),
     ["line 5", "field 'reserve_policy'", "a mapping of keys to values", "'3%'"]),
    # Unknown keys, with did-you-mean.
    ("unknown-top-key", with_minimal("asumptions: {}\n"),
     ["line 5", "field 'asumptions'", "expected a known key", "Did you mean 'assumptions'?"]),
    ("unknown-simulation-key", minimal_with("seed: 7", "sead: 7"),
     ["line 4", "field 'simulation.sead'", "Did you mean 'seed'?", "Allowed here: chunk_size, paths, sampling, seed"]),
    ("unknown-reserve-policy-key", with_minimal("reserve_policy:\n  minimum_general_reserv: 3%\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserv'", "Did you mean 'minimum_general_reserve'?"]),
    ("unknown-shock-key", with_minimal("shocks:\n  - name: op\n    probabilty: 5%\n    cost: £1m\n"),
     ["line 7", "field 'shocks[0].probabilty'", "Did you mean 'probability'?"]),
    ("unknown-distribution-parameter",
     with_minimal("assumptions:\n  grant_change:\n    all_years: {distribution: triangular, low: -3%, mde: 0%, high: 1%}\n"),
     ["line 7", "field 'assumptions.grant_change.all_years.mde'", "a parameter of a triangular distribution",
      "Did you mean 'mode'?"]),
    ("unknown-distribution", with_minimal("assumptions:\n  pay_award: {distribution: triangle, low: 0%, mode: 1%, high: 2%}\n"),
     ["line 6", "field 'assumptions.pay_award.distribution'", "a known distribution", "found 'triangle'",
      "Did you mean 'triangular'?"]),
    ("distribution-not-text", with_minimal("assumptions:\n  pay_award: {distribution: [triangular], low: 0%}\n"),
     ["line 6", "field 'assumptions.pay_award.distribution'", "a known distribution", "found a list"]),
    ("parameters-without-distribution", with_minimal("assumptions:\n  pay_award: {low: 0%, high: 2%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "a 'distribution' key beside 'low'"]),
    ("unknown-input", with_minimal("assumptions:\n  grant_chnage: -1%\n"),
     ["line 6", "field 'assumptions.grant_chnage'", "a known input", "unknown input 'grant_chnage'",
      "Did you mean 'grant_change'?"]),
    ("unknown-layer-key", with_minimal("assumptions:\n  grant_change:\n    all_year: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.all_year'", "Did you mean 'all_years'?"]),
    # Wrong types and values in the simulation settings and required fields.
    ("paths-word", minimal_with("paths: 500", "paths: many"),
     ["line 4", "field 'simulation.paths'", "a whole number", "found 'many'"]),
    ("paths-fraction", minimal_with("paths: 500", "paths: 1.5"),
     ["line 4", "field 'simulation.paths'", "a whole number", "found 1.5"]),
    ("paths-zero", minimal_with("paths: 500", "paths: 0"),
     ["line 4", "field 'simulation.paths'", "a number of paths from 1 to 50,000,000"]),
    ("paths-true", minimal_with("paths: 500", "paths: true"),
     ["line 4", "field 'simulation.paths'", "a whole number", "True"]),
    ("seed-negative", minimal_with("seed: 7", "seed: -1"),
     ["line 4", "field 'simulation.seed'", "not negative"]),
    ("seed-too-large", minimal_with("seed: 7", "seed: 9223372036854775808"),
     ["line 4", "field 'simulation.seed'", "a seed from 0 to 2^63 - 1"]),
    ("chunk-size-zero", minimal_with("chunk_size: 128", "chunk_size: 0"),
     ["line 4", "field 'simulation.chunk_size'", "a chunk size from 1"]),
    ("forces-text", minimal_with(f"forces: {ALL_FORCES}", "forces: staffordshire"),
     ["line 3", "field 'forces'", "expected a list", "found 'staffordshire'"]),
    ("forces-empty", minimal_with(f"forces: {ALL_FORCES}", "forces: []"),
     ["line 3", "field 'forces'", "at least one force id"]),
    ("forces-repeated", minimal_with(f"forces: {ALL_FORCES}", "forces: [staffordshire, staffordshire]"),
     ["line 3", "field 'forces'", "each force once"]),
    ("forces-number", minimal_with(f"forces: {ALL_FORCES}", "forces: [1]"),
     ["line 3", "field 'forces[0]'", "expected text", "found 1"]),
    ("title-missing", minimal_with("title: Test scenario\n", ""),
     ["line 1", "field 'title'", "this field (it is required)", "found nothing"]),
    ("title-blank", minimal_with("title: Test scenario", "title: '  '"),
     ["line 1", "field 'title'", "non-empty text"]),
    ("description-missing", minimal_with("description: A small scenario for tests.\n", ""),
     ["field 'description'", "it is required"]),
    ("shock-name-missing", with_minimal("shocks:\n  - probability: 5%\n    cost: £1m\n"),
     ["line 6", "field 'shocks[0].name'", "it is required"]),
    ("baseline-value", with_minimal("baseline: sample\n"),
     ["line 5", "field 'baseline'", "one of 'sampled' or 'central'", "found 'sample'"]),
    # Units: rates need %, money £…m, band D £; bare numbers are rejected.
    ("rate-bare-float", with_minimal("assumptions:\n  grant_change: 0.02\n"),
     ["line 6", "field 'assumptions.grant_change'", "a rate with its % sign", "found 0.02",
      "a bare number is ambiguous"]),
    ("rate-quoted-number", with_minimal('assumptions:\n  grant_change: "2"\n'),
     ["line 6", "field 'assumptions.grant_change'", "a rate with its % sign", "found '2'"]),
    ("rate-nothing", with_minimal("assumptions:\n  grant_change:\n"),
     ["line 6", "field 'assumptions.grant_change'", "a rate with its % sign", "found None"]),
    ("growth-rate-out-of-range", with_minimal("assumptions:\n  tax_base_growth: 200%\n"),
     ["line 6", "field 'assumptions.tax_base_growth'", "values from -10% to 10%", "found '200%'"]),
    ("distribution-out-of-range",
     with_minimal("assumptions:\n  pay_award: {distribution: uniform, low: 0%, high: 40%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "values from -5% to 15%", "a range reaching 0% to 40%"]),
    ("normal-without-bounds", with_minimal("assumptions:\n  pay_award: {distribution: normal, mean: 1%, sd: 0.5%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "values from -5% to 15%", "Give the normal distribution low and high"]),
    ("shock-cost-bare-number", with_minimal("shocks:\n  - name: op\n    probability: 5%\n    cost: 4\n"),
     ["line 8", "field 'shocks[0].cost'", "money in £ million", "found 4", "'£4m'"]),
    ("shock-cost-in-pounds", with_minimal("shocks:\n  - name: op\n    probability: 5%\n    cost: £4\n"),
     ["line 8", "field 'shocks[0].cost'", "money in £ million", "that is a band D amount in pounds"]),
    ("band-d-as-money", with_minimal("assumptions:\n  referendum_limit: £5m\n"),
     ["line 6", "field 'assumptions.referendum_limit'", "a band D amount in pounds", "that is money in £ million"]),
    ("mixed-units-in-one-distribution",
     with_minimal("assumptions:\n  precept_increase: {distribution: uniform, low: 1%, high: £5}\n"),
     ["line 6", "field 'assumptions.precept_increase'", "every parameter in one unit", "found pounds and rate"]),
    ("years-bare-number", with_minimal("assumptions:\n  collaboration_savings_delay: 1\n"),
     ["line 6", "field 'assumptions.collaboration_savings_delay'", "a number of years", "'1 years'"]),
    ("plan-without-a-plan", with_minimal("assumptions:\n  referendum_limit: plan\n"),
     ["line 6", "field 'assumptions.referendum_limit'", "has no planning assumption", "found 'plan'"]),
    ("empty-input-mapping", with_minimal("assumptions:\n  grant_change: {}\n"),
     ["line 6", "field 'assumptions.grant_change'", "'all_years' / fiscal-year keys", "found an empty mapping"]),
    # Fiscal years and the horizon.
    ("year-with-dash", with_minimal("assumptions:\n  grant_change:\n    2017-18: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.2017-18'", "a fiscal year written with a slash like '2017/18'",
      "found '2017-18'"]),
    ("year-not-consecutive", with_minimal("assumptions:\n  grant_change:\n    2017/19: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.2017/19'", "consecutive years", "found '2017/19'"]),
    ("year-outside-horizon", with_minimal("assumptions:\n  grant_change:\n    2021/22: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.2021/22'", "from 2016/17 to 2019/20 (the model horizon)",
      "found '2021/22'"]),
    ("year-before-input-applies", with_minimal("assumptions:\n  grant_change:\n    2016/17: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.2016/17'", "2016/17 is the budget as set",
      "grant_change applies from 2017/18", "found '2016/17'"]),
    ("per-path-input-by-year", with_minimal("assumptions:\n  collaboration_savings_size:\n    2017/18: 50%\n"),
     ["line 7", "field 'assumptions.collaboration_savings_size.2017/18'", "drawn once per path"]),
    ("years-not-from-budget-year", with_minimal("years: 2017/18 to 2019/20\n"),
     ["line 5", "field 'years'", "starting at the budget year 2016/17", "found '2017/18 to 2019/20'"]),
    ("years-beyond-horizon", with_minimal("years: 2016/17 to 2020/21\n"),
     ["line 5", "field 'years'", "the model horizon", "found '2020/21'"]),
    ("years-not-a-range", with_minimal("years: 2016/17 - 2019/20\n"),
     ["line 5", "field 'years'", "a range of fiscal years like '2016/17 to 2019/20'"]),
    ("shock-year-with-dash", with_minimal("shocks:\n  - {name: op, probability: 5%, cost: £1m, years: [2017-18]}\n"),
     ["line 6", "field 'shocks[0].years[0]'", "written with a slash", "found '2017-18'"]),
    # Reserve policy and shocks.
    ("negative-minimum-reserve", with_minimal("reserve_policy:\n  minimum_general_reserve: -1%\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserve'", "a share of NRE from 0% to 50%", "found '-1%'"]),
    ("minimum-reserve-empty", with_minimal("reserve_policy:\n  minimum_general_reserve:\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserve'", "a share of NRE from 0% to 50%", "found nothing"]),
    ("minimum-reserve-bare-number", with_minimal("reserve_policy:\n  minimum_general_reserve: 0.03\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserve'", "a rate with its % sign", "found 0.03"]),
    ("target-reserve-bare-number",
     with_minimal("reserve_policy:\n  forces:\n    staffordshire: {general_reserve_target: 5}\n"),
     ["line 7", "field 'reserve_policy.forces.staffordshire.general_reserve_target'", "a rate with its % sign"]),
    ("target-below-minimum",
     with_minimal("reserve_policy:\n  minimum_general_reserve: 3%\n  general_reserve_target: 2%\n"),
     ["line 7", "field 'reserve_policy.general_reserve_target'", "at or above the minimum general reserve",
      "found '2%'"]),
    ("force-target-below-minimum",
     with_minimal("reserve_policy:\n  forces:\n    staffordshire: {general_reserve_target: 1%}\n"),
     ["line 7", "field 'reserve_policy.forces.staffordshire.general_reserve_target'", "at or above the minimum"]),
    ("undelivered-savings-value", with_minimal("reserve_policy:\n  undelivered_savings: carry_forward\n"),
     ["line 6", "field 'reserve_policy.undelivered_savings'", "one of 'roll_forward' or 'lost'"]),
    ("shortfall-order-repeated", with_minimal("reserve_policy:\n  shortfall_order: [general, general]\n"),
     ["line 6", "field 'reserve_policy.shortfall_order'", "each reserve once", "found 'general'"]),
    ("probability-above-100", with_minimal("shocks:\n  - name: op\n    probability: 120%\n    cost: £1m\n"),
     ["line 7", "field 'shocks[0].probability'", "a probability from 0% to 100%", "found '120%'"]),
    ("probability-bare-number", with_minimal("shocks:\n  - {name: op, probability: 0.05, cost: £1m}\n"),
     ["line 6", "field 'shocks[0].probability'", "a rate with its % sign", "found 0.05"]),
    ("probability-negative", with_minimal("shocks:\n  - {name: op, probability: -5%, cost: £1m}\n"),
     ["line 6", "field 'shocks[0].probability'", "a probability from 0% to 100%", "found '-5%'"]),
    ("shock-name-spaces", with_minimal("shocks:\n  - {name: Major op, probability: 5%, cost: £1m}\n"),
     ["line 6", "field 'shocks[0].name'", "a lower_case name", "found 'Major op'"]),
    ("shock-name-repeated",
     with_minimal("shocks:\n  - {name: op, probability: 5%, cost: £1m}\n  - {name: op, probability: 1%, cost: £2m}\n"),
     ["line 7", "field 'shocks[1].name'", "a unique shock name", "found 'op'"]),
    ("shock-cost-negative", with_minimal("shocks:\n  - {name: op, probability: 5%, cost: -£1m}\n"),
     ["line 6", "field 'shocks[0].cost'", "values from £0m to £1000m", "found '-£1m'"]),
    # Distributions that are not distributions.
    ("inverted-triangular",
     with_minimal("assumptions:\n  pay_award: {distribution: triangular, low: 2%, mode: 1%, high: 0%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "low ≤ high", "an inverted range"]),
    ("zero-width-uniform", with_minimal("assumptions:\n  pay_award: {distribution: uniform, low: 1%, high: 1%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "low < high (a range with width)", "write one fixed value"]),
    ("pert-mode-outside", with_minimal("assumptions:\n  pay_award: {distribution: pert, low: 0%, mode: 3%, high: 2%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "mode between low and high"]),
    ("triangular-mode-outside",
     with_minimal("assumptions:\n  pay_award:\n    2017/18: {distribution: triangular, low: 0%, mode: -1%, high: 2%}\n"),
     ["line 7", "field 'assumptions.pay_award.2017/18'", "mode between low and high"]),
    ("normal-sd-zero", with_minimal("assumptions:\n  pay_award: {distribution: normal, mean: 1%, sd: 0%, low: 0%, high: 2%}\n"),
     ["line 6", "field 'assumptions.pay_award.sd'", "a standard deviation above zero", "found '0%'"]),
    ("normal-sd-negative-before-mean",
     with_minimal("assumptions:\n  pay_award: {distribution: normal, sd: -1%, mean: 1%, low: 0%, high: 2%}\n"),
     ["field 'assumptions.pay_award.sd'", "a standard deviation above zero", "found '-1%'"]),
    ("normal-truncation-inverted",
     with_minimal("assumptions:\n  pay_award: {distribution: normal, mean: 1%, sd: 1%, low: 2%, high: 0%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "low < high for the truncation bounds"]),
    ("distribution-missing-parameters", with_minimal("assumptions:\n  pay_award: {distribution: triangular, low: 0%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "a triangular distribution with low, mode, high", "found no mode, high"]),
    # Forces and reserves that do not exist.
    ("unknown-force", minimal_with(f"forces: {ALL_FORCES}", "forces: [staffordshre, leicestershire]"),
     ["line 3", "field 'forces[0]'", "a known force id", "found 'staffordshre'", "Did you mean 'staffordshire'?"]),
    ("unknown-force-override",
     with_minimal("assumptions:\n  grant_change:\n    forces:\n      leicestershre: -1%\n"),
     ["line 8", "field 'assumptions.grant_change.forces.leicestershre'", "a known force id",
      "Did you mean 'leicestershire'?"]),
    ("override-for-force-not-in-scenario",
     minimal_with(f"forces: {ALL_FORCES}", "forces: [staffordshire]")
     + "assumptions:\n  grant_change:\n    forces:\n      hertfordshire: -1%\n",
     ["line 8", "field 'assumptions.grant_change.forces.hertfordshire'", "a known force id", "Known forces: staffordshire"]),
    ("nested-forces-override",
     with_minimal("assumptions:\n  grant_change:\n    forces:\n      staffordshire:\n        forces: {staffordshire: 1%}\n"),
     ["line 9", "field 'assumptions.grant_change.forces.staffordshire.forces'", "no 'forces' inside a per-force override"]),
    ("unknown-shock-force", with_minimal("shocks:\n  - {name: op, probability: 5%, cost: £1m, forces: [kent]}\n"),
     ["line 6", "field 'shocks[0].forces[0]'", "a known force id", "found 'kent'"]),
    ("unknown-reserve-policy-force",
     with_minimal("reserve_policy:\n  forces:\n    hertfordshre: {minimum_general_reserve: 4%}\n"),
     ["line 7", "field 'reserve_policy.forces.hertfordshre'", "Did you mean 'hertfordshire'?"]),
    ("unknown-reserve-in-shortfall-order", with_minimal("reserve_policy:\n  shortfall_order: [generl]\n"),
     ["field 'reserve_policy.shortfall_order'", "reserve names of Staffordshire Police", "found 'generl'",
      "Did you mean 'general'?"]),
    ("unknown-reserve-in-force-shortfall-order",
     with_minimal("reserve_policy:\n  forces:\n    hertfordshire: {shortfall_order: [base_budget_suport, general]}\n"),
     ["field 'reserve_policy.forces.hertfordshire.shortfall_order'", "found 'base_budget_suport'",
      "Did you mean 'base_budget_support'?"]),
]


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
GRID_STEP = {"rate": 0.001, "pounds": 0.5, "years": 0.25, "money": 0.05}
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
    return f"{value:g} years"


def step_range(unit: str, low: float, high: float) -> tuple[int, int]:
    step = GRID_STEP[unit]
    return math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)


@st.composite
def distributions(draw, units: tuple[str, ...], bounds: dict[str, tuple[float, float]]):
    """A fixed value or a distribution with valid parameters inside ``bounds``."""
    unit = draw(st.sampled_from(units))
    lowest, highest = step_range(unit, *bounds[unit])
    kind = draw(st.sampled_from(["fixed", "uniform", "triangular", "pert", "normal"]))
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
