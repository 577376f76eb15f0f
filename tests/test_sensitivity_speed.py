"""The sensitivity analysis's short cuts give exactly the numbers of the long way round.

Each speed-up is held here to the plain computation it replaces, bit for bit: the Sobol'
estimator to SALib's ``sobol.analyze``; the one-way analysis's inputs drawn once and pinned
one stream at a time to every input drawn again through a pinning source; the median cases
projected side by side to each projected on its own; the Saltelli design drawn at A and B
with its mixed rows assembled to every row drawn on its own; work split over workers to the
same work in this process.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS

from model.analysis import sobol
from model.analysis.factors import one_way_factors, sobol_groups
from model.analysis.one_way import breach_flags_pinned, median_cases
from model.analysis.sobol import (
    design_columns,
    first_and_total_order,
    saltelli_outputs,
    sobol_design,
    sobol_indices,
    sobol_outputs,
)
from model.declare.inputs import INPUTS
from model.declare.outputs import BREACH
from model.engine.projection import Delivery, Drivers, project_force
from model.sampling.draws import INPUT_FIELDS, force_inputs, input_uniforms, run_source
from model.sampling.pinned import force_draws, mixable, mixed_inputs, pinned_inputs
from model.sampling.setup import load_setup
from model.sampling.uniforms import CachedSource, FinalUniforms, MatrixSource, QuantileSource, RowQuantiles


def _salib(design, y: np.ndarray, seed: int) -> dict:
    from SALib.analyze import sobol as salib_sobol

    with warnings.catch_warnings():
        # SALib warns when a resample's outputs are all alike (its estimate is then 0, as ours is).
        warnings.simplefilter("ignore", UserWarning)
        return salib_sobol.analyze(design.problem, y, calc_second_order=False, num_resamples=50, conf_level=0.95,
                                   seed=seed)


@pytest.mark.parametrize("kind", ["smooth", "indicator", "rare", "one_group_idle", "one_breach"])
def test_first_and_total_order_are_salibs_numbers_bit_for_bit(kind, monkeypatch):
    design = sobol_design({"a": 2, "b": 1, "c": 3}, n=256, seed=3)
    x = design.matrix
    if kind == "smooth":
        y = np.sin(6 * x[:, 0]) + x[:, 2] ** 2 * x[:, 4] + 0.1 * x[:, 5]
    elif kind == "indicator":
        y = (x[:, 0] + x[:, 3] + 0.5 * x[:, 5] > 1.2).astype(float)
    elif kind == "rare":  # a handful of breaches: many resamples see none
        y = ((x[:, 0] > 0.97) & (x[:, 2] > 0.5)).astype(float)
    elif kind == "one_group_idle":
        y = x[:, 0] * 3.0 + x[:, 1]
    else:  # one breaching A row: about a third of the resamples miss it, their variance is nil
        y = np.zeros(x.shape[0])
        y[5 * len(design.groups) + 10] = 1.0
    assert np.ptp(y) > 0
    theirs = _salib(design, y, seed=11)
    ours = first_and_total_order(y, len(design.groups), resamples=50, confidence=0.95, seed=11)
    # Resamples a few at a time (7, then the 1 left over) give the same sums.
    monkeypatch.setattr(sobol, "RESAMPLE_BLOCK_BYTES", 256 * len(design.groups) * 2 * 8 * 7)
    in_blocks = first_and_total_order(y, len(design.groups), resamples=50, confidence=0.95, seed=11)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_array_equal(ours[key], np.asarray(theirs[key]), err_msg=f"{kind}: {key}")
        np.testing.assert_array_equal(in_blocks[key], np.asarray(theirs[key]), err_msg=f"{kind}: {key}, in blocks")


# --- inputs drawn once, one stream pinned at a time --------------------------------------------


def _assert_same_inputs(got, expected, where: str = "inputs") -> None:
    """Every array and setting of two sets of engine inputs equal, dtype and all (not just the same projection)."""
    assert type(got) is type(expected), where
    if isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and got.shape == expected.shape, where
        np.testing.assert_array_equal(got, expected, err_msg=where)
    elif dataclasses.is_dataclass(expected):
        for field in dataclasses.fields(expected):
            _assert_same_inputs(getattr(got, field.name), getattr(expected, field.name), f"{where}.{field.name}")
    else:
        assert got == expected, where


def _plain_pinned(setup, force: str, start: int, stop: int, pins: dict) -> object:
    """The long way round: every input drawn again, through a source that hands over pinned final uniforms."""
    base = CachedSource(run_source(setup))
    finals = input_uniforms(setup, setup.forces[force], start, stop, base)
    return force_inputs(setup, force, start, stop, source=FinalUniforms(base, finals, start, pins))


def test_every_input_is_drawn_into_declared_fields_of_the_engine():
    assert set(INPUT_FIELDS) == set(INPUTS)
    owners = {"outcome": {f.name for f in dataclasses.fields(Drivers)},
              "delivery": {f.name for f in dataclasses.fields(Delivery)}}
    for fields in INPUT_FIELDS.values():
        for field in fields:
            owner, name = field.split(".")
            assert name in owners[owner], field


@pytest.mark.parametrize("scenario", ["central.yaml", "central-with-action.yaml", "pessimistic.yaml"])
def test_pinned_inputs_are_every_input_drawn_again_with_the_pin(scenario):
    setup = load_setup(SCENARIOS / scenario)
    start, stop = 70, 270
    for force in setup.scenario.forces:
        draws = force_draws(setup, force, start, stop)
        _assert_same_inputs(draws.inputs, _plain_pinned(setup, force, start, stop, {}))
        factors = one_way_factors(setup, force)
        pins = [{factor.key: q} for factor in factors for q in (0.1, 0.9)]
        pins.append({factors[0].key: 0.3, factors[-1].key: 0.8, factors[-2].key: 0.2})  # an input and two figures
        pins += [{("shock", shock.name, force, "occurs"): 0.001, ("shock", shock.name, force, "cost"): 0.9}
                 for shock in setup.scenario.shocks if force in shock.forces]
        other = next(f for f in setup.scenario.forces if f != force)
        pins.append({("input", "pay_drift", other): 0.9, ("baseline", other, "budget.pay_share"): 0.9})
        for pinned in pins:
            got = pinned_inputs(draws, pinned)
            _assert_same_inputs(got, _plain_pinned(setup, force, start, stop, pinned), f"{force} {pinned}")
            project_force(got)
        # The pinned inputs share the unchanged arrays: projecting them changed none of them.
        _assert_same_inputs(draws.inputs, _plain_pinned(setup, force, start, stop, {}))


def test_pins_that_change_nothing_give_the_unpinned_inputs_themselves():
    setup = load_setup(SCENARIOS / "central.yaml")
    draws = force_draws(setup, "leicestershire", 0, 50)
    idle = [("input", "staff_pension_step_year", "leicestershire"),  # fixed for the force
            ("baseline", "leicestershire", "national.plan.grant_change.all_years"),  # the force plans its own grant
            ("input", "pay_drift", "staffordshire"), ("shock", "no_such_shock", "hertfordshire", "cost")]
    for key in idle:
        assert pinned_inputs(draws, {key: 0.9}) is draws.inputs, key
        _assert_same_inputs(_plain_pinned(setup, "leicestershire", 0, 50, {key: 0.9}), draws.inputs, str(key))
    for key in (("input", "pay_award", "national"), ("baseline", "leicestershire", "budget.pay_share")):
        assert pinned_inputs(draws, {key: 0.9}) is not draws.inputs, key


def test_breach_flags_pinned_are_the_plain_projection_of_each_pin():
    setup = load_setup(SCENARIOS / "central.yaml")
    force, paths = "hertfordshire", 700  # two chunks of 512 with the smaller chunk below
    setup = dataclasses.replace(setup, scenario=dataclasses.replace(setup.scenario, chunk_size=512))
    factors = {factor.name: factor.key for factor in one_way_factors(setup, force)}
    pins = [{}, {factors["pay_award"]: 0.9}, {factors["staff_pension_step_year"]: 0.1},
            {factors["baseline:budget.pay_share"]: 0.1}, {factors["precept_increase"]: 0.7}]
    got = breach_flags_pinned(setup, force, pins, paths)
    for pinned, flags in zip(pins, got, strict=True):
        expected = np.concatenate([project_force(_plain_pinned(setup, force, start, stop, pinned)).flags[BREACH][:, -1]
                                   for start, stop in ((0, 512), (512, paths))])
        np.testing.assert_array_equal(flags, expected, err_msg=str(pinned))


def test_median_cases_side_by_side_are_each_median_case_on_its_own():
    setup = load_setup(SCENARIOS / "central.yaml")
    for force in setup.scenario.forces:
        pins = [{}] + [{factor.key: q} for factor in one_way_factors(setup, force) for q in (0.1, 0.5, 0.9)]
        together = project_force(force_inputs(setup, force, 0, len(pins),
                                              source=RowQuantiles(pins)))
        for k, pinned in enumerate(pins):
            alone = project_force(force_inputs(setup, force, 0, 1, source=QuantileSource(lambda key, p=pinned: p.get(key, 0.5))))
            for name, line in alone.lines.items():
                np.testing.assert_array_equal(together.lines[name][k], line[0], err_msg=f"{force} {pinned} {name}")
            for name, flag in alone.flags.items():
                np.testing.assert_array_equal(together.flags[name][k], flag[0], err_msg=f"{force} {pinned} {name}")
        cases = median_cases(setup, force, pins)
        assert cases[0] == {"cumulative_gap": float(together.lines["cumulative_gap"][0, -1]),
                            "total_reserves": float(together.lines["total_reserves"][0, -1])}


# --- a Saltelli design drawn twice, its mixed rows assembled -----------------------------------


def test_mixed_inputs_are_the_inputs_of_the_mixed_design_row():
    setup = load_setup(SCENARIOS / "central.yaml")
    for force in setup.scenario.forces:
        groups = sobol_groups(setup, force)
        design = sobol_design({g.name: g.columns for g in groups}, n=64, seed=9)
        columns_of = design_columns(groups)
        first = force_draws(setup, force, 10, 60, MatrixSource(design.a, columns_of))
        last = force_draws(setup, force, 10, 60, MatrixSource(design.b, columns_of))
        step = len(groups) + 2
        for g, group in enumerate(groups):
            rows = design.matrix[g + 1::step]  # A with group g's columns from B, one row per base sample
            plain = force_inputs(setup, force, 10, 60, source=MatrixSource(rows, columns_of))
            got = mixed_inputs(first, last, [key for key, _ in group.streams])
            _assert_same_inputs(got, plain, f"{force} {group.name}")


def test_saltelli_outputs_are_every_row_of_the_design_evaluated():
    setup = load_setup(SCENARIOS / "central.yaml")
    setup = dataclasses.replace(setup, scenario=dataclasses.replace(setup.scenario, chunk_size=24))
    force = "hertfordshire"
    groups = sobol_groups(setup, force)
    design = sobol_design({g.name: g.columns for g in groups}, n=64, seed=3)
    columns_of = design_columns(groups)
    plain = sobol_outputs(setup, force, design, columns_of)
    together = saltelli_outputs(setup, force, groups, design.a, design.b, columns_of)
    in_spans = [saltelli_outputs(setup, force, groups, design.a[start:stop], design.b[start:stop], columns_of)
                for start, stop in ((0, 40), (40, 64))]
    assert list(together) == list(plain)
    for key, y in plain.items():
        np.testing.assert_array_equal(together[key], y, err_msg=str(key))
        np.testing.assert_array_equal(np.concatenate([span[key] for span in in_spans]), y, err_msg=str(key))


def test_a_correlation_across_groups_is_not_mixed():
    setup = load_setup(SCENARIOS / "central.yaml")
    assert mixable(setup, {"pay_award", "non_pay_inflation"}) and mixable(setup, {"tax_base_growth"})
    assert not mixable(setup, {"pay_award"})  # correlated with non-pay inflation
    draws = force_draws(setup, "staffordshire", 0, 20)
    with pytest.raises(ValueError, match="correlation"):
        mixed_inputs(draws, draws, [("input", "pay_award", "national")])


def test_sobol_indices_drawn_twice_are_those_of_every_row_drawn(monkeypatch):
    setup = load_setup(SCENARIOS / "central.yaml")
    setup = dataclasses.replace(setup, scenario=dataclasses.replace(setup.scenario, chunk_size=100))
    mixed = sobol_indices(setup, n=64)
    monkeypatch.setattr(sobol, "mixable", lambda setup, names: False)  # as if a correlation joined the groups
    pd.testing.assert_frame_equal(sobol_indices(setup, n=64), mixed, check_exact=True)


# --- pieces of work over workers ---------------------------------------------------------------


def test_sensitivity_on_two_workers_is_the_same_as_in_this_process():
    """Spans of chunks (tornado), of design rows and each output's indices (Sobol') on workers: the same tables."""
    from model.pipeline import run_sensitivity

    setup = load_setup(SCENARIOS / "central.yaml")
    setup = dataclasses.replace(setup, scenario=dataclasses.replace(setup.scenario, paths=1500, chunk_size=256))
    alone = run_sensitivity(setup, sobol_n=64)
    together = run_sensitivity(setup, sobol_n=64, workers=2)
    assert alone.timings["workers"] == 1 and together.timings["workers"] == 2
    for name, table in alone.tables().items():
        pd.testing.assert_frame_equal(together.tables()[name], table, check_exact=True, obj=name)
