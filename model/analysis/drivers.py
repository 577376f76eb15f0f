"""Where the bad paths come from: how each factor differs on the paths that breach the minimum general reserve."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.analysis.factors import applicable_years, baseline_assumptions, baseline_label, input_has_spread, lower_first
from model.analysis.one_way import band_d_rise
from model.declare.formatting import format_value
from model.declare.inputs import INPUTS
from model.declare.outputs import BREACH
from model.engine.projection import project_force
from model.run.pool import IN_PROCESS, Pool
from model.run.probability import wilson_interval
from model.run.simulation import chunks
from model.sampling.draws import (
    baseline_values,
    draw_input,
    draw_shocks,
    force_inputs,
    input_uniforms,
    plan_drivers,
    run_source,
    stated_inputs,
)
from model.sampling.setup import RunSetup

MATERIAL_SHARE = 0.25
"""A breach driver is material when breaching paths differ by more than this share of its P10–P90 range."""



P10_P90_WIDTH_IN_SD = 2.5631031310892007
"""Width of the P10–P90 range of a normal distribution, in standard deviations (2 × 1.2816)."""



PRECEPT_AS_SET = "Band D increase, as set within the limit"
"""The band D increase's label in the breach drivers: the rise the PCC set, after any rule and the referendum limit."""



@dataclass(frozen=True)
class PathFactor:
    """One factor's value on every path, in its own units.

    Attributes
    ----------
    name, label, kind : str
        ``kind`` is ``input``, ``baseline`` or ``shocks``.
    unit : str
        ``rate``, ``money``, ``pounds``, ``years`` or ``count``.
    values : ndarray, shape (paths,)
    """

    name: str
    label: str
    kind: str
    unit: str
    values: np.ndarray



def input_path_values(setup: RunSetup, name: str, values: np.ndarray, is_cash: np.ndarray,
                      band_d: np.ndarray) -> tuple[np.ndarray, str]:
    """An input's value per path, averaged over the years it applies, and its unit.

    A band D input stated partly in £ and partly in % is put in % of the previous year's band D.
    """
    years = list(applicable_years(setup, name))
    unit = INPUTS[name].units[0]
    chosen, cash = values[:, years], is_cash[:, years]
    if cash.all():
        return chosen.mean(axis=1), "pounds"
    if cash.any():
        previous = band_d[:, [t - 1 for t in years]]
        chosen = np.where(cash, chosen / previous, chosen)
    return chosen.mean(axis=1), unit



def path_factors(setup: RunSetup, force: str, start: int, stop: int, source) -> tuple[list[PathFactor], np.ndarray]:
    """Every uncertain factor's value on paths ``[start, stop)`` and the breach flag by the last year."""
    force_data = setup.forces[force]
    n, years = stop - start, setup.scenario.n_years
    projection = project_force(force_inputs(setup, force, start, stop, source=source))
    values = baseline_values(setup, force_data, start, stop, source)
    plan = plan_drivers(setup, force_data, values, n, years)
    uniforms = input_uniforms(setup, force_data, start, stop, source)
    factors = []
    for name in stated_inputs(setup):
        if not input_has_spread(setup, force, name) or not applicable_years(setup, name):
            continue
        if name == "precept_increase":
            # A rule ("the most the limit allows") has no value of its own: the rise as set.
            rise = band_d_rise(projection.lines["band_d"], applicable_years(setup, name))
            factors.append(PathFactor(name, PRECEPT_AS_SET, "input", "rate", rise))
            continue
        drawn, is_cash = draw_input(setup, force_data, name, uniforms, n, years, plan)
        per_path, unit = input_path_values(setup, name, drawn, is_cash, projection.lines["band_d"])
        factors.append(PathFactor(name, INPUTS[name].label, "input", unit, per_path))
    for figure in baseline_assumptions(setup, force):
        factors.append(PathFactor(f"baseline:{figure}", baseline_label(figure), "baseline",
                                  force_data.figures[figure].unit, np.asarray(values[figure], dtype=float)))
    if any(force in shock.forces for shock in setup.scenario.shocks):
        shocks = draw_shocks(setup, force_data, start, stop, years, source).sum(axis=1)
        factors.append(PathFactor("shocks", f"One-off shocks, total to {setup.scenario.years[-1]}", "shocks",
                                  "money", shocks))
    return factors, projection.flags[BREACH][:, -1]



def shift_text(shift: float, unit: str) -> str:
    """A difference in a factor's units: '0.6 points higher', '£1.2m lower'."""
    direction = "higher" if shift > 0 else "lower"
    if unit == "rate":
        points = abs(shift) * 100
        return f"{points:.1f} points {direction}" if points >= 0.1 else f"{points:.2f} points {direction}"
    return f"{format_value(abs(shift), unit)} {direction}"



DRIVER_COLUMNS = ["scenario", "force", "factor", "label", "kind", "unit", "paths", "breach_paths", "breach_probability",
                  "breach_low", "breach_high", "median_all",
                  "median_breach", "mean_all", "mean_breach", "p10_all", "p90_all", "shift", "shift_share",
                  "material", "statement"]



def driver_row(factor: PathFactor, breach: np.ndarray) -> dict:
    """How one factor differs on breaching paths, against all paths.

    The shift is in medians, and measured against the factor's P10–P90 range. Shocks either
    happen or not (their median is usually nil on every kind of path), so their shift is in
    means; so is that of any factor whose P10 and P90 coincide, measured then against 2.56
    standard deviations (the P10–P90 width of a normal distribution).
    """
    values, chosen = factor.values, factor.values[breach]
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9])
    median_breach = float(np.median(chosen))
    mean_all, mean_breach = float(values.mean()), float(chosen.mean())
    if p90 > p10 and factor.kind != "shocks":
        shift, measure = median_breach - float(p50), "median"
    else:
        shift, measure = mean_breach - mean_all, "mean"
    scale = float(p90 - p10) if p90 > p10 else P10_P90_WIDTH_IN_SD * float(values.std())
    share = shift / scale if scale > 0 else 0.0
    shown = (median_breach, p50) if measure == "median" else (mean_breach, mean_all)
    label = lower_first(factor.label)
    statement = (f"breaching paths: {label} {shift_text(shift, factor.unit)} "
                 f"({measure} {format_value(shown[0], factor.unit)} against {format_value(float(shown[1]), factor.unit)} on all paths)"
                 if shift != 0 else f"breaching paths: {label} as on all paths")
    return {"factor": factor.name, "label": factor.label, "kind": factor.kind, "unit": factor.unit,
            "median_all": float(p50), "median_breach": median_breach, "mean_all": mean_all,
            "mean_breach": mean_breach, "p10_all": float(p10), "p90_all": float(p90), "shift": shift,
            "shift_share": share, "material": bool(abs(share) > MATERIAL_SHARE), "statement": statement}



def breach_drivers(setup: RunSetup, paths: int | None = None, pool: Pool = IN_PROCESS) -> pd.DataFrame:
    """For the paths that breach the minimum general reserve by the last year: how each factor differed.

    Parameters
    ----------
    setup : RunSetup
    paths : int, optional
        Monte Carlo paths (default: the scenario's), from the scenario's own streams.
    pool : Pool
        Where each force's paths are projected (:func:`model.run.pool.open_pool`); the same numbers anywhere.

    Returns
    -------
    DataFrame
        Columns :data:`DRIVER_COLUMNS`, one row per force and uncertain factor (inputs
        averaged over the years they apply, in their units; baseline assumptions; total
        shocks in £m). ``breach_paths`` of ``paths`` breach: ``breach_probability``, with its
        95% Wilson interval ``breach_low`` – ``breach_high``, is the tornado's base
        probability (the same paths and seed). ``shift`` is median on breaching paths −
        median on all paths (means for factors whose P10 = P90), ``shift_share`` that shift
        over the P10–P90 range, and
        ``material`` is ``|shift_share| >`` :data:`MATERIAL_SHARE`. Rows are sorted by
        ``|shift_share|``, largest first; a force with no breaching path gets no rows.
    """
    scenario = setup.scenario
    paths = paths or scenario.paths
    tables = [table for table in pool.starmap(force_breach_drivers, [(setup, force, paths) for force in scenario.forces])
              if table is not None]
    if not tables:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    return pd.concat(tables, ignore_index=True)[DRIVER_COLUMNS]


def force_breach_drivers(setup: RunSetup, force: str, paths: int) -> pd.DataFrame | None:
    """One force's rows of :func:`breach_drivers`, or ``None`` when no path breaches."""
    scenario = setup.scenario
    source = run_source(setup)
    collected: list[list[PathFactor]] = []
    flags = []
    for start, stop in chunks(paths, scenario.chunk_size):
        factors, breach = path_factors(setup, force, start, stop, source)
        collected.append(factors)
        flags.append(breach)
    breach = np.concatenate(flags)
    if not breach.any():
        return None
    rows = []
    for k, first in enumerate(collected[0]):
        factor = dataclasses.replace(first, values=np.concatenate([chunk[k].values for chunk in collected]))
        rows.append(driver_row(factor, breach))
    table = pd.DataFrame(rows)
    probability = float(breach.mean())
    low, high = wilson_interval(probability, paths)
    table.insert(0, "breach_high", high)
    table.insert(0, "breach_low", low)
    table.insert(0, "breach_probability", probability)
    table.insert(0, "breach_paths", int(breach.sum()))
    table.insert(0, "paths", paths)
    table.insert(0, "force", force)
    table.insert(0, "scenario", scenario.name)
    order = table["shift_share"].abs().sort_values(ascending=False, kind="stable").index
    return table.loc[order]
