"""Variance-based attribution: first- and total-order Sobol' indices of grouped factors."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from model.analysis.factors import SobolGroup, sobol_groups
from model.declare.outputs import BREACH
from model.engine.projection import project_force
from model.run.pool import IN_PROCESS, Pool
from model.run.probability import Z95, wilson_interval
from model.run.simulation import chunks, path_spans
from model.sampling.draws import force_inputs
from model.sampling.pinned import force_draws, mixable, mixed_inputs
from model.sampling.setup import RunSetup
from model.sampling.uniforms import TINY, MatrixSource


@dataclass(frozen=True)
class SobolDesign:
    """A Saltelli design for grouped factors, laid out as SALib's ``sobol.sample`` lays it out.

    Attributes
    ----------
    a, b : ndarray, shape (n, columns)
        The base points A and B, uniforms in (0, 1); each group's columns side by side, in
        the order of ``groups``.
    problem : dict
        The SALib problem (``num_vars``, ``names``, ``bounds``, ``groups``).
    groups : tuple of str
        Group names in design order.
    n : int
        Base samples.
    """

    a: np.ndarray
    b: np.ndarray
    problem: dict
    groups: tuple[str, ...]
    n: int

    @functools.cached_property
    def matrix(self) -> np.ndarray:
        """Every evaluation's uniforms, shape ``(n * (groups + 2), columns)``: for each base row i,
        ``A_i``, then ``A_i`` with group g's columns taken from ``B_i`` for each group g, then ``B_i``."""
        group_of_column = np.array([self.groups.index(g) for g in self.problem["groups"]], dtype=np.int64)
        return saltelli_matrix(self.a, self.b, group_of_column, len(self.groups))



def saltelli_matrix(a: np.ndarray, b: np.ndarray, group_of_column: np.ndarray, n_groups: int) -> np.ndarray:
    """Stack ``A``, each ``A`` with one group's columns from ``B``, and ``B``, row by row (SALib's order).

    Parameters
    ----------
    a, b : ndarray, shape (n, columns)
    group_of_column : ndarray of int, shape (columns,)
        Group index of each column, 0 … ``n_groups`` − 1.

    Returns
    -------
    ndarray, shape (n * (n_groups + 2), columns)
    """
    n, columns = a.shape
    matrix = np.empty((n, n_groups + 2, columns))
    matrix[:, :-1] = a[:, None, :]
    matrix[:, -1] = b
    for g in range(n_groups):
        where = np.flatnonzero(group_of_column == g)
        if where.size and where[-1] - where[0] + 1 == where.size:
            where = slice(where[0], where[-1] + 1)  # a group's columns side by side (as sobol_design lays them)
        matrix[:, g + 1, where] = b[:, where]
    return matrix.reshape(n * (n_groups + 2), columns)



def sobol_design(group_columns: dict[str, int], n: int, seed: int) -> SobolDesign:
    """A scrambled Sobol' design for factor groups of given widths.

    Parameters
    ----------
    group_columns : dict of str to int
        Each group's number of uniform columns, in the order the groups are reported.
    n : int
        Base samples, a power of two (Sobol' points are balanced only in powers of two).
    seed : int
        Seed of the scrambling.

    Returns
    -------
    SobolDesign
        With ``n * (len(group_columns) + 2)`` model evaluations.
    """
    if n < 2 or n & (n - 1):
        raise ValueError(f"expected a power of two of base samples, e.g. 1024; found {n}")
    names = list(group_columns)
    group_of_column = np.repeat(np.arange(len(names)), [group_columns[g] for g in names])
    width = group_of_column.size
    engine = qmc.Sobol(d=2 * width, scramble=True, rng=np.random.default_rng(seed))
    base = np.clip(engine.random(n), TINY, 1.0 - TINY)
    problem = {
        "num_vars": width,
        "names": [f"{names[g]}[{k}]" for k, g in enumerate(group_of_column)],
        "bounds": [[0.0, 1.0]] * width,
        "groups": [names[g] for g in group_of_column],
    }
    return SobolDesign(a=base[:, :width], b=base[:, width:], problem=problem, groups=tuple(names), n=n)



SOBOL_RESAMPLES = 200
"""Bootstrap resamples behind each confidence interval."""



def first_and_total_order(y: np.ndarray, groups: int, *, resamples: int, confidence: float,
                          seed: int) -> dict[str, np.ndarray]:
    """SALib's ``sobol.analyze`` without second order: the same numbers, bit for bit, in a fraction of the time.

    SALib draws the bootstrap's resampled rows once and then, for each group, resamples
    the A and B outputs again, stacks them again and takes their range and variance again
    (four times a group). They are the same for every group, so here they are made once.
    And a resampled term such as ``B[r] * (AB[r] - A[r])`` is the term ``B * (AB - A)``
    resampled, so each group's two terms are computed once per evaluation, side by side,
    and every group's are resampled together, a block of resamples at a time. Each sum is
    taken in the order SALib takes it (along the evaluations, one at a time for the
    resamples; numpy's pairwise sum for the estimates themselves), so
    ``tests/test_sensitivity_speed.py`` holds the two to the same bits.

    Parameters
    ----------
    y : ndarray, shape (n * (groups + 2),)
        The output on every row of a design in SALib's layout (:func:`saltelli_matrix`).
    groups : int
    resamples : int
        Bootstrap resamples.
    confidence : float
        Level of the normal bootstrap intervals, in (0, 1).
    seed : int
        Seed of the bootstrap (at least 1, as SALib takes it).

    Returns
    -------
    dict
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf``: ndarray (groups,) each, the indices and
        the half-widths of their intervals, as SALib returns them.
    """
    from scipy.stats import norm

    step = groups + 2
    n = y.size // step
    if n * step != y.size:
        raise ValueError(f"expected a multiple of {step} outputs for {groups} groups, found {y.size}")
    y = (y - y.mean()) / y.std()
    a, b = y[0::step], y[step - 1::step]
    rows = np.random.default_rng(seed).integers(n, size=(n, resamples))
    z = norm.ppf(0.5 + confidence / 2)
    a_r, b_r = a[rows], b[rows]
    sample, resampled = _normaliser(a, b), _normaliser(a_r, b_r)
    spread = np.ptp(np.r_[a_r, b_r])
    del a_r, b_r
    result = {key: np.zeros(groups) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    # Each evaluation's first-order term B (AB - A) and total-order term (A - AB)², per group.
    terms = np.empty((n, groups, 2))
    for j in range(groups):
        ab = y[j + 1::step]
        first, total = b * (ab - a), (a - ab) ** 2
        terms[:, j, 0], terms[:, j, 1] = first, total
        result["S1"][j] = _over(np.mean(first, axis=0), sample)
        result["ST"][j] = _over(0.5 * np.mean(total, axis=0), sample)
    # Their means over each resample's rows, a block of resamples at a time (about 32 MB).
    means = np.empty((resamples, groups, 2))
    width = max(1, RESAMPLE_BLOCK_BYTES // terms.nbytes)
    for k in range(0, resamples, width):
        means[k:k + width] = np.mean(terms[rows[:, k:k + width]], axis=0)
    for j in range(groups):
        first, total = _over(means[:, j, 0], resampled), _over(0.5 * means[:, j, 1], resampled)
        result["S1_conf"][j] = z * first.std(ddof=1) if spread != 0.0 else 0.0
        result["ST_conf"][j] = z * total.std(ddof=1) if spread != 0.0 else 0.0
    return result


RESAMPLE_BLOCK_BYTES = 1 << 25
"""Memory for the resampled terms of a block of bootstrap resamples (every group's at once)."""


_EPS = np.finfo(float).eps


def _normaliser(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """The variance SALib's estimators divide by, over the A and B outputs; ``None`` when they are constant."""
    stacked = np.r_[a, b]
    if np.ptp(stacked) <= _EPS:
        return None
    return np.var(stacked, axis=0)


def _over(numerator: np.ndarray, variance: np.ndarray | None) -> np.ndarray:
    """A SALib estimate: ``numerator / variance``, 0 where the variance is nil (or the outputs constant)."""
    if variance is None:
        return np.zeros(np.shape(numerator))
    return np.divide(numerator, variance, out=np.zeros_like(variance, dtype=np.float64), where=variance > _EPS)



def analyse_sobol(design: SobolDesign, y: np.ndarray, *, seed: int, confidence: float = 0.95,
                  resamples: int = SOBOL_RESAMPLES) -> pd.DataFrame:
    """First- and total-order indices of each group, with bootstrap confidence intervals.

    The estimators are SALib's (Saltelli et al. 2010 for first order, Jansen for total
    order); the intervals are SALib's normal bootstrap intervals, ``index ± z · sd``
    (:func:`first_and_total_order` gives SALib's numbers, bit for bit).

    Parameters
    ----------
    design : SobolDesign
    y : ndarray, shape (evaluations,)
        The model output on each row of ``design.matrix``.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Columns ``group, S1, S1_low, S1_high, ST, ST_low, ST_high, note``; indices are
        NaN (with a note) when the output does not vary.
    """
    columns = ["group", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high", "note"]
    y = np.asarray(y, dtype=float)
    step = len(design.groups) + 2
    if np.ptp(y) == 0.0:
        note = "the output is the same on every evaluation: nothing to attribute"
        return pd.DataFrame([[g] + [math.nan] * 6 + [note] for g in design.groups], columns=columns)
    if np.ptp(np.r_[y[0::step], y[step - 1::step]]) == 0.0:
        # The estimators divide by the variance over the A and B rows, which is nil here.
        note = "the output varies only on mixed rows of the design, too rarely to attribute"
        return pd.DataFrame([[g] + [math.nan] * 6 + [note] for g in design.groups], columns=columns)
    result = first_and_total_order(y, len(design.groups), resamples=resamples, confidence=confidence,
                                   seed=max(int(seed) % 2**32, 1))
    rows = []
    for g, group in enumerate(design.groups):
        s1, s1_half, st, st_half = (float(result[k][g]) for k in ("S1", "S1_conf", "ST", "ST_conf"))
        rows.append([group, s1, s1 - s1_half, s1 + s1_half, st, st - st_half, st + st_half, ""])
    return pd.DataFrame(rows, columns=columns)



def sobol_outputs(setup: RunSetup, force: str, design: SobolDesign,
                  columns_of: dict[tuple, slice]) -> dict[tuple[str, int], np.ndarray]:
    """The model outputs on every row of a design, by ``(output, year index)``.

    Returns
    -------
    dict of (str, int) to ndarray (evaluations,)
        ``cumulative_gap`` and ``total_reserves`` (£m) in the last year; the breach
        indicator (0/1) by each year.
    """
    return design_outputs(setup, force, design.matrix, columns_of)



def design_outputs(setup: RunSetup, force: str, matrix: np.ndarray,
                   columns_of: dict[tuple, slice]) -> dict[tuple[str, int], np.ndarray]:
    """:func:`sobol_outputs` on some rows of a design (``matrix``): one piece of work for a pool.

    Each row is one evaluation of the model, whose numbers never depend on the other rows,
    so the design may be split into pieces anywhere.
    """
    source = MatrixSource(matrix, columns_of)
    outputs = _empty_outputs(setup, matrix.shape[0])
    for start, stop in chunks(matrix.shape[0], setup.scenario.chunk_size):
        _store(outputs, slice(start, stop), project_force(force_inputs(setup, force, start, stop, source=source)))
    return outputs



def saltelli_outputs(setup: RunSetup, force: str, groups: Sequence[SobolGroup], a: np.ndarray, b: np.ndarray,
                     columns_of: dict[tuple, slice]) -> dict[tuple[str, int], np.ndarray]:
    """:func:`sobol_outputs` of the design of base points ``a`` and ``b`` (some of its base samples), drawn twice, not ``groups + 2`` times.

    A chunk of base samples is drawn from A and from B (:func:`~model.sampling.pinned.force_draws`);
    each mixed row, A with one group's streams from B, takes those inputs' draws from B
    (:func:`~model.sampling.pinned.mixed_inputs`), and a group that changes none of A's
    inputs takes A's projection. Needs groups that no correlation joins
    (:func:`~model.sampling.pinned.mixable`), which :func:`~model.analysis.factors.sobol_groups`
    makes unless a repaired correlation matrix has weights across them. The numbers are
    those of every row drawn on its own, bit for bit.

    Parameters
    ----------
    groups : sequence of SobolGroup
        The design's groups, in order.
    a, b : ndarray, shape (base samples, columns)

    Returns
    -------
    dict of (str, int) to ndarray (base samples * (groups + 2),)
        As :func:`sobol_outputs`, in the design's layout.
    """
    step = len(groups) + 2
    outputs = _empty_outputs(setup, a.shape[0] * step)
    first_source, last_source = MatrixSource(a, columns_of), MatrixSource(b, columns_of)
    for start, stop in chunks(a.shape[0], setup.scenario.chunk_size):
        first = force_draws(setup, force, start, stop, first_source)
        last = force_draws(setup, force, start, stop, last_source)
        unmixed = project_force(first.inputs)
        for k in range(step):
            if k == 0:
                projection = unmixed
            elif k == step - 1:
                projection = project_force(last.inputs)
            else:
                inputs = mixed_inputs(first, last, [key for key, _ in groups[k - 1].streams])
                projection = unmixed if inputs is first.inputs else project_force(inputs)
            _store(outputs, slice(start * step + k, stop * step, step), projection)
    return outputs



def _empty_outputs(setup: RunSetup, evaluations: int) -> dict[tuple[str, int], np.ndarray]:
    """Room for the outputs of :func:`sobol_outputs`, in its order."""
    years = setup.scenario.n_years
    keys = [("cumulative_gap", years - 1), ("total_reserves", years - 1)] + [(BREACH, t) for t in range(years)]
    return {key: np.empty(evaluations) for key in keys}



def _store(outputs: dict[tuple[str, int], np.ndarray], rows: slice, projection) -> None:
    """Put a projection's outputs into the rows ``rows`` of :func:`_empty_outputs`."""
    for output, t in outputs:
        if output == BREACH:
            outputs[output, t][rows] = projection.flags[BREACH][:, t]
        else:
            outputs[output, t][rows] = projection.lines[output][:, t]



def design_columns(groups: Sequence[SobolGroup]) -> dict[tuple, slice]:
    """The design columns of each stream key, groups in order and streams in order within each."""
    columns_of, position = {}, 0
    for group in groups:
        for key, width in group.streams:
            columns_of[key] = slice(position, position + width)
            position += width
    return columns_of



SPARSE_BREACHES = 100
"""Below this many breaching evaluations, the indices of the breach indicator are flagged as imprecise."""



def sparse_note(output: str, y: np.ndarray) -> str:
    """A warning for a breach indicator that is 1 on too few evaluations to attribute reliably."""
    breaching = int(y.sum())
    if output != BREACH or breaching >= SPARSE_BREACHES:
        return ""
    return f"only {breaching} of {y.size:,} evaluations breach: the indices are imprecise"



def design_mean_interval(y: np.ndarray, step: int, output: str) -> tuple[float, float, int]:
    """The 95% interval of an output's mean over a design, and how many independent samples the design is worth.

    The ``step`` evaluations of one base sample share most of their uniforms, so they are
    not independent: the standard error is that of the base samples' means (as if the base
    samples were independent draws, which errs wide for quasi-random points). The design is
    worth ``variance / se²`` independent samples, between the base samples and the
    evaluations.

    Parameters
    ----------
    y : ndarray, shape (n * step,)
        The output on every row of a design in its layout (:func:`saltelli_matrix`).
    step : int
        Evaluations per base sample, ``groups + 2``.
    output : str
        For the breach indicator the interval is a Wilson interval at that many samples;
        otherwise mean ± 1.96 standard errors.

    Returns
    -------
    (low, high, effective) : (float, float, int)
    """
    y = np.asarray(y, dtype=float)
    n = y.size // step
    mean = float(y.mean())
    error = float(y.reshape(n, step).mean(axis=1).std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    effective = int(np.clip(round(float(y.var()) / error**2), n, y.size)) if error > 0 else n
    if output == BREACH:
        low, high = wilson_interval(mean, effective)
        return low, high, effective
    return mean - Z95 * error, mean + Z95 * error, effective



SOBOL_COLUMNS = ["scenario", "force", "output", "year", "group", "label", "S1", "S1_low", "S1_high", "ST", "ST_low",
                 "ST_high", "output_mean", "output_low", "output_high", "effective_samples", "output_sd",
                 "base_samples", "evaluations", "note"]



def sobol_indices(setup: RunSetup, n: int = 4096, seed: int | None = None, pool: Pool = IN_PROCESS) -> pd.DataFrame:
    """Sobol' first- and total-order indices of grouped factors, per force, output and year.

    Factors are the uniforms behind the model: every year of an input is one factor, inputs
    joined by a stated correlation share a group (so the groups are independent, as the
    indices require), all baseline assumptions of a force are one group and all shocks
    another. Groups with no spread for the force are left out (their indices are 0).

    Parameters
    ----------
    setup : RunSetup
    n : int
        Base samples, a power of two; each force costs ``n * (groups + 2)`` evaluations.
    seed : int, optional
        Scrambling and bootstrap seed (default: the scenario's).
    pool : Pool
        Where the designs are evaluated and analysed (:func:`model.run.pool.open_pool`): in this
        process a force's design at a time; on workers, spans of its rows, then each output's
        indices. The same numbers anywhere.

    Returns
    -------
    DataFrame
        Columns :data:`SOBOL_COLUMNS`: per force, for ``cumulative_gap`` and
        ``total_reserves`` in the last year and the breach indicator by each year, each
        group's ``S1`` and ``ST`` with their 95% bootstrap intervals; ``output_mean`` is
        the output's mean over the design's own evaluations (for the breach indicator, the
        design's own estimate of its probability: a different sample from the scenario's
        paths, so not the tornado's base figure), ``output_low`` – ``output_high`` its 95%
        interval and ``effective_samples`` the independent samples the design is worth
        (see :func:`design_mean_interval`).
    """
    scenario = setup.scenario
    seed = scenario.seed if seed is None else seed
    rows = []
    designs = []
    for f, force in enumerate(scenario.forces):
        groups = sobol_groups(setup, force)
        if groups:
            designs.append((f, force, groups, sobol_design({g.name: g.columns for g in groups}, n, seed + f)))
    # In this process, a force's design is one piece of work; on workers, spans of its base samples
    # (or of its rows, when a correlation joins two groups and every row is drawn on its own).
    work, tasks = [], []
    for k, (_, force, groups, design) in enumerate(designs):
        mixed = all(mixable(setup, {key[1] for key, _ in group.streams if key[0] == "input"}) for group in groups)
        size = design.n if mixed else design.matrix.shape[0]
        for start, stop in [(0, size)] if pool.in_process else path_spans(0, size, scenario.chunk_size, pool.workers):
            work.append(k)
            tasks.append((saltelli_outputs, (setup, force, groups, design.a[start:stop], design.b[start:stop],
                                             design_columns(groups))) if mixed
                         else (design_outputs, (setup, force, design.matrix[start:stop], design_columns(groups))))
    parts: list[dict[tuple[str, int], list[np.ndarray]]] = [{} for _ in designs]
    for k, outputs in zip(work, pool.starmap(_call, tasks), strict=True):
        for key, y in outputs.items():
            parts[k].setdefault(key, []).append(y)
    # The indices of each force and output, also spread over the pool (the bootstrap is most of their cost).
    analyses = [(k, key, np.concatenate(ys)) for k in range(len(designs)) for key, ys in parts[k].items()]
    results = pool.starmap(analyse_output, [(_without_matrix(designs[k][3]), key[0], y, seed + designs[k][0])
                                            for k, key, y in analyses])
    for (k, (output, t), y), (indices, low, high, effective) in zip(analyses, results, strict=True):
        _, force, groups, _ = designs[k]
        labels = {g.name: g.label for g in groups}
        for row in indices.itertuples(index=False):
            rows.append([scenario.name, force, output, scenario.years[t], row.group, labels[row.group],
                         row.S1, row.S1_low, row.S1_high, row.ST, row.ST_low, row.ST_high,
                         float(y.mean()), low, high, effective, float(y.std()), n, y.size,
                         row.note or sparse_note(output, y)])
    return pd.DataFrame(rows, columns=SOBOL_COLUMNS)



def analyse_output(design: SobolDesign, output: str, y: np.ndarray,
                   seed: int) -> tuple[pd.DataFrame, float, float, int]:
    """One output's indices (:func:`analyse_sobol`) and its mean's interval (:func:`design_mean_interval`): a piece of work for a pool.

    Returns
    -------
    (indices, low, high, effective) : (DataFrame, float, float, int)
    """
    low, high, effective = design_mean_interval(y, len(design.groups) + 2, output)
    return analyse_sobol(design, y, seed=seed), low, high, effective



def _without_matrix(design: SobolDesign) -> SobolDesign:
    """A design without its points (the analysis needs only its groups), light to send to a worker."""
    return dataclasses.replace(design, a=design.a[:0], b=design.b[:0])



def _call(function, arguments: tuple):
    """``function(*arguments)``: one piece of work of either kind for :meth:`~model.run.pool.Pool.starmap`."""
    return function(*arguments)
