"""One-way sensitivities: each factor swung across its quantiles with the others at base (spider and tornado)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.analysis.factors import Factor, applicable_years, one_way_factors
from model.declare.distributions import Distribution
from model.declare.formatting import format_value
from model.declare.inputs import INPUTS
from model.declare.outputs import BREACH
from model.engine.projection import project_force
from model.run.pool import IN_PROCESS, Pool
from model.run.probability import proportion_standard_error, wilson_interval
from model.run.simulation import path_spans
from model.sampling.draws import force_inputs, sample_input
from model.sampling.pinned import force_draws, pinned_inputs
from model.sampling.setup import RunSetup
from model.sampling.uniforms import QuantileSource, RowQuantiles

SPIDER_QUANTILES = (0.1, 0.3, 0.5, 0.7, 0.9)
"""Quantiles of each input on the spider plot; the tornado uses the outer two."""



TORNADO_LOW, TORNADO_HIGH = 0.1, 0.9



def median_case_outputs(setup: RunSetup, force: str, pinned: dict[tuple, float]) -> dict[str, float]:
    """Cumulative gap and total reserves in the last year (£m), every uniform at 0.5 except ``pinned``."""
    return median_cases(setup, force, [pinned])[0]



def median_cases(setup: RunSetup, force: str, pins: Sequence[dict[tuple, float]]) -> list[dict[str, float]]:
    """:func:`median_case_outputs` for each set of pins, projected side by side in one call of the engine.

    Each set of pins is one path of a :class:`~model.sampling.uniforms.RowQuantiles` source,
    and a path's numbers never depend on the others', so each is exactly its own median case.
    """
    lines = project_force(force_inputs(setup, force, 0, len(pins), source=RowQuantiles(pins))).lines
    return [{"cumulative_gap": float(lines["cumulative_gap"][k, -1]),
             "total_reserves": float(lines["total_reserves"][k, -1])} for k in range(len(pins))]



def breach_flags_pinned(setup: RunSetup, force: str, pins: Sequence[dict[tuple, float]],
                        paths: int) -> list[np.ndarray]:
    """The breach flag by the last year on every path, for each set of pinned quantiles.

    Every other uniform comes from the scenario's streams (common random numbers), with
    the scenario's correlations and persistence exactly as in an ordinary run.

    Returns
    -------
    list of ndarray of bool, each (paths,)
        One per entry of ``pins``.
    """
    return breach_flags_span(setup, force, pins, 0, paths)



def breach_flags_span(setup: RunSetup, force: str, pins: Sequence[dict[tuple, float]], start: int,
                      stop: int) -> list[np.ndarray]:
    """:func:`breach_flags_pinned` on paths ``[start, stop)``, chunk by chunk: one piece of work for a pool.

    Each chunk of paths is drawn once (:func:`~model.sampling.pinned.force_draws`) and each
    set of pins swaps in only the inputs it changes (:func:`~model.sampling.pinned.pinned_inputs`);
    pins that leave the engine's inputs as they were (an input with no spread for the
    force, a figure the force does not use) take the unpinned projection's flags.

    Returns
    -------
    list of ndarray of bool, each (stop - start,)
        One per entry of ``pins``.
    """
    flags: list[list[np.ndarray]] = [[] for _ in pins]
    for chunk_start in range(start, stop, setup.scenario.chunk_size):
        draws = force_draws(setup, force, chunk_start, min(chunk_start + setup.scenario.chunk_size, stop))
        unpinned = None
        for k, pinned in enumerate(pins):
            inputs = pinned_inputs(draws, pinned)
            if inputs is draws.inputs:
                if unpinned is None:
                    unpinned = project_force(draws.inputs).flags[BREACH][:, -1]
                flags[k].append(unpinned)
            else:
                flags[k].append(project_force(inputs).flags[BREACH][:, -1])
    return [np.concatenate(parts) if parts else np.zeros(0, dtype=bool) for parts in flags]



def paired_difference(new: np.ndarray, old: np.ndarray) -> tuple[float, float]:
    """Mean difference of two paired 0/1 samples and its standard error ``sd(d) / √n``."""
    d = new.astype(float) - old.astype(float)
    mean = float(d.mean())
    variance = max(float((d * d).mean()) - mean * mean, 0.0)
    return mean, math.sqrt(variance / d.size)



def band_d_rise(band_d: np.ndarray, years: Sequence[int]) -> np.ndarray:
    """The band D rise as set, within the referendum limit, per path: its average over ``years``.

    Parameters
    ----------
    band_d : ndarray, shape (paths, model years)
        Band D (£) from a projection.
    years : sequence of int
        Model years (each compared with the year before).

    Returns
    -------
    ndarray, shape (paths,)
        The average rise, as a fraction of the previous year's band D.
    """
    years = list(years)
    return (band_d[:, years] / band_d[:, [t - 1 for t in years]] - 1.0).mean(axis=1)



def factor_value_text(setup: RunSetup, force: str, factor: Factor, q: float) -> str:
    """The factor's value at quantile ``q`` (an input: its average over the years it applies).

    The band D increase is the rise as set, within the referendum limit, in the median case
    with the factor at ``q``: a rule such as "the most the limit allows" has no value of
    its own until the limit is known.
    """
    if factor.kind == "baseline":
        figure = setup.forces[force].figures[factor.key[2]]
        distribution = Distribution("triangular", {"low": figure.low, "mode": figure.central, "high": figure.high},
                                    figure.unit)
        return format_value(float(distribution.ppf(np.array([q]))[0]), figure.unit)
    source = QuantileSource(lambda key: q if key == factor.key else 0.5)
    years = list(applicable_years(setup, factor.name))
    if not years:
        return "–"
    if factor.name == "precept_increase":
        band_d = project_force(force_inputs(setup, force, 0, 1, source=source)).lines["band_d"]
        return format_value(float(band_d_rise(band_d, years)[0]), "rate")
    values, is_cash = sample_input(setup, force, factor.name, 0, 1, source=source)
    cash = is_cash[0, years]
    unit = INPUTS[factor.name].units[0]
    if cash.all():
        return format_value(float(values[0, years].mean()), "pounds")
    if not cash.any():
        return format_value(float(values[0, years].mean()), unit)
    texts = dict.fromkeys(format_value(float(v), "pounds" if c else unit) for v, c in zip(values[0, years], cash, strict=True))
    return " / ".join(texts)



SPIDER_COLUMNS = ["scenario", "force", "factor", "label", "kind", "output", "year", "quantile", "input_value",
                  "value", "std_error", "change", "change_std_error"]



TORNADO_COLUMNS = ["scenario", "force", "factor", "label", "kind", "output", "year", "base", "base_low", "base_high",
                   "paths", "input_low", "input_high", "at_low", "at_high", "swing", "swing_std_error", "rank"]



BASE_BREACH_COLUMNS = ["scenario", "force", "year", "paths", "breach_paths", "probability", "low", "high"]



def base_breach(tornado: pd.DataFrame) -> pd.DataFrame:
    """The base P(general reserve below minimum by the last year) of each force, as the tornado carries it.

    This is *the* breach probability of a sensitivity analysis: every input uncertain, on the
    scenario's own paths and seed, exactly the figure of an ordinary run on as many paths.
    The breach drivers count the same paths (a test holds them to it); the report and the
    console quote it from here, so that every page states one figure.

    Parameters
    ----------
    tornado : DataFrame
        The tornado table (:data:`TORNADO_COLUMNS`) of :func:`one_way_sensitivities`.

    Returns
    -------
    DataFrame
        Columns :data:`BASE_BREACH_COLUMNS`, one row per force in the tornado's order:
        ``breach_paths`` of ``paths`` breach, ``probability`` their share and ``low`` /
        ``high`` its 95% Wilson interval.
    """
    rows = tornado[tornado["output"] == BREACH].drop_duplicates("force")
    paths = rows["paths"].astype(int)
    table = pd.DataFrame({"scenario": rows["scenario"], "force": rows["force"], "year": rows["year"], "paths": paths,
                          "breach_paths": (rows["base"] * paths).round().astype(int), "probability": rows["base"],
                          "low": rows["base_low"], "high": rows["base_high"]})
    return table.reset_index(drop=True)[BASE_BREACH_COLUMNS]



def one_way_sensitivities(setup: RunSetup, paths: int | None = None,
                          quantiles: Sequence[float] = SPIDER_QUANTILES,
                          pool: Pool = IN_PROCESS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each factor at several of its quantiles with the others at base: the spider and tornado tables.

    Money outputs come from the median case (every other uniform at 0.5), exactly. The
    breach probability keeps every other input uncertain on ``paths`` paths drawn with
    common random numbers, so each change is a paired difference on the same paths.

    Parameters
    ----------
    setup : RunSetup
    paths : int, optional
        Paths for the probabilities (default: the scenario's).
    quantiles : sequence of float
        Quantiles in (0, 1) at which each factor is pinned; P10 and P90 are always added.
    pool : Pool
        Where the breach flags are projected (:func:`model.run.pool.open_pool`): in this process
        a force at a time; on workers, spans of whole chunks of each force's paths. The same
        numbers anywhere.

    Returns
    -------
    spider : DataFrame
        Columns :data:`SPIDER_COLUMNS`, one row per force × factor × output × quantile.
        ``value`` is the output (£m, or a probability); ``change`` is value − base, where
        the base is the median case for money and the full Monte Carlo for the probability;
        standard errors are Monte Carlo (NaN where exact).
    tornado : DataFrame
        Columns :data:`TORNADO_COLUMNS`, one row per force × factor × output: ``base`` the
        median case for money and, for the probability, the base P(general reserve below
        minimum by the last year) with every input uncertain on ``paths`` paths, its 95%
        Wilson interval ``base_low`` – ``base_high`` (NaN and no ``paths`` for money, which
        is exact); ``at_low`` / ``at_high`` the output with the factor at its P10 / P90
        (``input_low`` / ``input_high``), ``swing = at_high - at_low`` (exactly 0 for a
        factor with no effect), ``swing_std_error`` its paired Monte Carlo error (NaN for
        money), ``rank`` 1 for the largest ``|swing|`` per force and output.
    """
    quantiles = tuple(sorted(set(quantiles) | {TORNADO_LOW, TORNADO_HIGH}))
    paths = paths or setup.scenario.paths
    forces = setup.scenario.forces
    factors = {force: one_way_factors(setup, force) for force in forces}
    pins = {force: [{}] + [{f.key: q} for f in factors[force] for q in quantiles] for force in forces}
    # In this process, a force's paths are one piece of work; on workers, spans of whole chunks.
    spans = [(0, paths)] if pool.in_process else path_spans(0, paths, setup.scenario.chunk_size, pool.workers)
    work = [(force, start, stop) for force in forces for start, stop in spans]
    flags: dict[str, list[list[np.ndarray]]] = {force: [[] for _ in pins[force]] for force in forces}
    for (force, _, _), span_flags in zip(work, pool.starmap(breach_flags_span, [
            (setup, force, pins[force], start, stop) for force, start, stop in work]), strict=True):
        for k, pin_flags in enumerate(span_flags):
            flags[force][k].append(pin_flags)
    spider, tornado = [], []
    for force in forces:
        force_flags = [np.concatenate(parts) for parts in flags[force]]
        force_spider, force_tornado = one_way_rows(setup, force, factors[force], quantiles, pins[force], force_flags,
                                                   paths)
        spider += force_spider
        tornado += force_tornado
    tornado_table = pd.DataFrame(tornado, columns=TORNADO_COLUMNS)
    tornado_table["rank"] = tornado_table.groupby(["force", "output"])["swing"].transform(
        lambda s: s.abs().rank(ascending=False, method="first")).astype(int)
    tornado_table["paths"] = tornado_table["paths"].astype("Int64")
    return pd.DataFrame(spider, columns=SPIDER_COLUMNS), tornado_table



def one_way_rows(setup: RunSetup, force: str, factors: Sequence[Factor], quantiles: tuple[float, ...],
                 pins: Sequence[dict[tuple, float]], flags: Sequence[np.ndarray],
                 paths: int) -> tuple[list, list]:
    """Spider and tornado rows for one force (see :func:`one_way_sensitivities`).

    Parameters
    ----------
    factors : sequence of Factor
        :func:`~model.analysis.factors.one_way_factors` of the force.
    pins : sequence of dict
        Nothing pinned, then each factor at each quantile, in that order.
    flags : sequence of ndarray of bool (paths,)
        The breach flag by the last year under each entry of ``pins`` (:func:`breach_flags_pinned`).
    """
    scenario = setup.scenario
    year = scenario.years[-1]
    cases = median_cases(setup, force, pins)
    base_money = cases[0]
    base_flags, base_p = flags[0], float(flags[0].mean())
    base_low, base_high = wilson_interval(base_p, paths)
    low, high = quantiles.index(TORNADO_LOW), quantiles.index(TORNADO_HIGH)
    spider, tornado = [], []
    for i, factor in enumerate(factors):
        common = [scenario.name, force, factor.name, factor.label, factor.kind]
        texts = [factor_value_text(setup, force, factor, q) for q in quantiles]
        money = cases[1 + i * len(quantiles): 1 + (i + 1) * len(quantiles)]
        pinned = flags[1 + i * len(quantiles): 1 + (i + 1) * len(quantiles)]
        for j, q in enumerate(quantiles):
            for output in ("cumulative_gap", "total_reserves"):
                spider.append(common + [output, year, q, texts[j], money[j][output], math.nan,
                                        money[j][output] - base_money[output], math.nan])
            p = float(pinned[j].mean())
            change, change_error = paired_difference(pinned[j], base_flags)
            spider.append(common + [BREACH, year, q, texts[j], p, proportion_standard_error(p, paths), change, change_error])
        for output in ("cumulative_gap", "total_reserves"):
            tornado.append(common + [output, year, base_money[output], math.nan, math.nan, None, texts[low],
                                     texts[high], money[low][output], money[high][output],
                                     money[high][output] - money[low][output], math.nan, 0])
        swing, swing_error = paired_difference(pinned[high], pinned[low])
        tornado.append(common + [BREACH, year, base_p, base_low, base_high, paths, texts[low], texts[high],
                                 float(pinned[low].mean()), float(pinned[high].mean()), swing, swing_error, 0])
    return spider, tornado
