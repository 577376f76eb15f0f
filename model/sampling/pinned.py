"""One force's engine inputs with a few streams pinned at quantiles, or taken from other draws, without drawing the rest again.

A one-way sensitivity moves one thing at a time: an input, or one baseline assumption,
held at a quantile in every year while everything else keeps the value it has on each
path of the scenario's own run (common random numbers). A Saltelli design for Sobol'
indices evaluates, beside its points A and B, A with one group of streams taken from B.
Drawing every input again for each such row repeats work whose result is already known:
only the moved inputs' fields of :class:`~model.engine.projection.ForceInputs` change
(:data:`~model.sampling.draws.INPUT_FIELDS`), and a baseline figure changes only what
follows the figures (the plan, the budget year, reserves, capital) and the draws that take
the plan.

:func:`force_draws` draws a force's inputs once for a range of paths and keeps what they
were made from; :func:`pinned_inputs` then swaps in the fields a set of pins changes, and
:func:`mixed_inputs` those of a group of streams from another :class:`ForceDraws`. The
results are, array for array, :func:`~model.sampling.draws.force_inputs` with a
:class:`~model.sampling.uniforms.FinalUniforms` source pinning the same keys, or with the
uniforms of the mixed design row (``tests/test_sensitivity_speed.py`` holds them to it).
For the plan-to-median bridge, :func:`held_groups` gives the fields that holding each group
of inputs at the force's plan changes and :func:`with_fields` swaps them in: the inputs
drawn with those groups ``at_plan`` (``tests/test_bridge.py``).
Arrays that do not change are shared with the unmoved inputs, never copied: the engine
only reads its inputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from model.declare.inputs import INPUTS
from model.engine.projection import ForceInputs
from model.sampling.draws import (
    PLAN_INPUTS,
    assemble_inputs,
    assumption_values,
    baseline_values,
    central_figures,
    derive_figures,
    draw_shocks,
    fields_of,
    force_inputs,
    held_fields,
    input_columns,
    input_fields,
    input_uniforms,
    plan_drivers,
    pressure_levels,
    run_source,
)
from model.sampling.setup import RunSetup
from model.sampling.uniforms import CachedSource, FinalUniforms


@dataclass(frozen=True)
class ForceDraws:
    """A force's engine inputs on paths ``[start, stop)`` and what they were drawn from.

    Attributes
    ----------
    setup : RunSetup
    force_id : str
    start, stop : int
        The paths.
    source : CachedSource
        The uniform source, remembering its draws (shocks are drawn from it again when pinned).
    values : dict of str to float or ndarray
        Every baseline figure on the paths (:func:`~model.sampling.draws.baseline_values`).
    uniforms : dict of str to ndarray
        Every stated input's uniforms with dependence imposed (:func:`~model.sampling.draws.input_uniforms`).
    inputs : ForceInputs
        The engine's inputs with nothing pinned: :func:`~model.sampling.draws.force_inputs` of the source.
    figures_read : frozenset of str
        The figures the engine's inputs are made from (the plan, pressures, budget year,
        reserves, capital, levy): a pinned figure that changes none of them changes nothing.
    """

    setup: RunSetup
    force_id: str
    start: int
    stop: int
    source: CachedSource
    values: dict[str, object]
    uniforms: dict[str, np.ndarray]
    inputs: ForceInputs
    figures_read: frozenset[str]


def force_draws(setup: RunSetup, force_id: str, start: int, stop: int, source=None) -> ForceDraws:
    """Draw a force's inputs on paths ``[start, stop)`` once, ready for :func:`pinned_inputs`.

    Parameters
    ----------
    source : optional
        Uniform source (default: the scenario's, :func:`~model.sampling.draws.run_source`);
        wrapped in a :class:`~model.sampling.uniforms.CachedSource` unless it is one.
    """
    if not isinstance(source, CachedSource):
        source = CachedSource(source or run_source(setup))
    force = setup.forces[force_id]
    values = baseline_values(setup, force, start, stop, source)
    inputs = force_inputs(setup, force_id, start, stop, source=source)
    # Which figures the inputs are built from: the same builders, on figures that note each one read.
    reading = _Reading(values)
    n, years = stop - start, setup.scenario.n_years
    pressure_levels(force, reading, n, years, planned_only=False)
    assemble_inputs(setup, force, reading, plan_drivers(setup, force, reading, n, years), inputs.outcome,
                    inputs.delivery, inputs.action)
    return ForceDraws(setup=setup, force_id=force_id, start=start, stop=stop, source=source, values=values,
                      uniforms=input_uniforms(setup, force, start, stop, source), inputs=inputs,
                      figures_read=frozenset(reading.read))


class _Reading(dict):
    """Figures by name that note which of them are read."""

    def __init__(self, values: dict[str, object]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> object:
        self.read.add(name)
        return super().__getitem__(name)


def input_stream(setup: RunSetup, force_id: str, name: str) -> tuple[str, str, str]:
    """The stream key an input is drawn from for a force (national inputs share one stream)."""
    return ("input", name, "national" if INPUTS[name].scope == "national" else force_id)


def pinned_inputs(draws: ForceDraws, pins: Mapping[tuple, float]) -> ForceInputs:
    """The engine's inputs with each stream of ``pins`` held at its quantile in every column.

    Pinned inputs take their quantile as their final uniform (after correlation and
    persistence, which therefore leave their partners as they were); a pinned baseline
    assumption takes its quantile of its triangular distribution, and the figures derived
    from it follow; pinned shock streams are drawn again. Keys the force does not draw
    (another force's streams, an input the scenario does not state) pin nothing.

    Parameters
    ----------
    draws : ForceDraws
    pins : mapping of stream key to float
        Quantiles in (0, 1).

    Returns
    -------
    ForceInputs
        ``draws.inputs`` itself when the pins change none of its arrays (nothing the force
        draws is pinned, an input without spread, figures the inputs are not made from);
        otherwise new inputs sharing every unchanged array with ``draws.inputs``.
    """
    setup, force_id = draws.setup, draws.force_id
    n = draws.stop - draws.start
    names, figures, shocks = _streams(draws, pins)
    uniforms = {name: np.full((n, input_columns(name)), pins[input_stream(setup, force_id, name)]) for name in names}
    assumptions = setup.forces[force_id].figures
    drawn = assumption_values([assumptions[figure] for figure in figures],
                              np.array([np.full(n, pins[("baseline", force_id, figure)]) for figure in figures])
                              ) if figures else []
    shock_source = FinalUniforms(draws.source, {}, draws.start, dict(pins)) if shocks else None
    return _swapped(draws, uniforms, dict(zip(figures, drawn, strict=True)), shock_source)


def mixed_inputs(a: ForceDraws, b: ForceDraws, streams) -> ForceInputs:
    """A's inputs with the draws of ``streams`` taken from B's, on the same paths: a row of a Saltelli design.

    The same arrays as the inputs drawn from uniforms that are A's except in the columns of
    ``streams``, which are B's, provided no correlation joins an input of ``streams`` to one
    outside them (:func:`mixable`): then each input's final uniforms depend on its own
    streams alone.

    Parameters
    ----------
    a, b : ForceDraws
        The same force and paths, drawn from two sources.
    streams : collection of stream keys
        Inputs' (every year), baseline assumptions' and shocks' streams.

    Returns
    -------
    ForceInputs
        ``a.inputs`` itself when the streams change none of its arrays.

    Raises
    ------
    ValueError
        A stated correlation joins an input of ``streams`` to one outside them.
    """
    if (a.force_id, a.start, a.stop) != (b.force_id, b.start, b.stop):
        raise ValueError("mixed draws must be of the same force and paths")
    streams = set(streams)
    names, figures, shocks = _streams(a, dict.fromkeys(streams, 0.5))
    if not mixable(a.setup, names):
        raise ValueError(f"a correlation joins {sorted(names)} to inputs outside them: their draws cannot be mixed")
    shock_source = _EitherSource(a.source, b.source, streams) if shocks else None
    return _swapped(a, {name: b.uniforms[name] for name in names}, {figure: b.values[figure] for figure in figures},
                    shock_source)


def mixable(setup: RunSetup, names) -> bool:
    """Whether inputs ``names`` can take other draws while the rest keep theirs: no correlation weight across.

    Correlation is imposed through the Cholesky factor of the scenario's correlation plan,
    skipping zero weights; when every weight between ``names`` and the other inputs is
    exactly zero, each side's final uniforms are those of its own draws, bit for bit.
    """
    plan = setup.correlation
    if plan is None:
        return True
    inside = [k for k, name in enumerate(plan.names) if name in names]
    outside = [k for k, name in enumerate(plan.names) if name not in names]
    return not (np.any(plan.cholesky[np.ix_(inside, outside)]) or np.any(plan.cholesky[np.ix_(outside, inside)]))


def _streams(draws: ForceDraws, keys) -> tuple[set[str], list[str], bool]:
    """The inputs, baseline assumptions and whether any shocks that ``keys`` name among the force's draws."""
    setup, force_id = draws.setup, draws.force_id
    figures_of = setup.forces[force_id].figures
    names = {key[1] for key in keys
             if key[0] == "input" and key[1] in draws.uniforms and key == input_stream(setup, force_id, key[1])}
    sampled = setup.scenario.baseline == "sampled"
    figures = [key[2] for key in keys if key[:2] == ("baseline", force_id) and sampled
               and key[2] in figures_of and figures_of[key[2]].kind == "assumption"]
    shocks = any(key[0] == "shock" and key[2] == force_id for key in keys)
    return names, figures, shocks


def _swapped(draws: ForceDraws, uniforms: dict[str, np.ndarray], figures: dict[str, np.ndarray],
             shock_source) -> ForceInputs:
    """``draws.inputs`` with some inputs' final uniforms, some assumption figures' values and the shocks' source replaced."""
    setup, force_id, base = draws.setup, draws.force_id, draws.inputs
    force = setup.forces[force_id]
    n, years = draws.stop - draws.start, setup.scenario.n_years
    if not (uniforms or figures or shock_source):
        return base
    names = set(uniforms)
    uniforms = {**draws.uniforms, **uniforms}
    values, plan = draws.values, base.plan
    if figures:
        values = {**draws.values, **figures}
        dependent = central_figures(force)[1]
        derive_figures(force, values, dependent)
        changed = {name for name in (*figures, *dependent) if not _same_value(values[name], draws.values[name])}
        if changed & draws.figures_read:
            plan = plan_drivers(setup, force, values, n, years)
            names |= {name for name in PLAN_INPUTS if not _same_plan(plan, base.plan, name)}
        else:
            figures = {}
    fields = input_fields(setup, force, uniforms, plan, n, years, names)
    if not (figures or shock_source) and all(_same_value(value, _field(base, name)) for name, value in fields.items()):
        return base
    if shock_source is not None:
        fields["delivery.shocks"] = draw_shocks(setup, force, draws.start, draws.stop, years, shock_source)
    if not figures:
        return with_fields(base, fields)
    fields["outcome.pressures"] = pressure_levels(force, values, n, years, planned_only=False)
    inputs = with_fields(base, fields)
    return assemble_inputs(setup, force, values, plan, inputs.outcome, inputs.delivery, base.action)


def with_fields(inputs: ForceInputs, fields: Mapping[str, np.ndarray]) -> ForceInputs:
    """``inputs`` with some fields of its outcome and delivery replaced, sharing every other array.

    Parameters
    ----------
    inputs : ForceInputs
    fields : mapping of str to ndarray
        ``'outcome.<field>'`` and ``'delivery.<field>'`` (as :func:`~model.sampling.draws.input_fields`
        and :func:`~model.sampling.draws.held_fields` give them), each ``(paths, years)``, or
        ``(paths,)`` for the collaboration size and delay.

    Returns
    -------
    ForceInputs
        ``inputs`` itself when ``fields`` is empty.
    """
    if not fields:
        return inputs
    return dataclasses.replace(inputs, outcome=dataclasses.replace(inputs.outcome, **fields_of(fields, "outcome")),
                               delivery=dataclasses.replace(inputs.delivery, **fields_of(fields, "delivery")))


def held_groups(inputs: ForceInputs, groups) -> dict[str, dict[str, np.ndarray]]:
    """Each group's fields that holding it at the force's plan changes, with their values there.

    The inputs with any set of ``groups`` held are then :func:`with_fields` of the union of
    their entries: array for array, :func:`~model.sampling.draws.force_inputs` with those
    groups ``at_plan``, drawn from the same source (the figures, the plan and every other
    draw are the same).

    Parameters
    ----------
    inputs : ForceInputs
        A force's inputs with nothing held (:func:`~model.sampling.draws.force_inputs`).
    groups : collection of str
        Groups of :data:`~model.declare.inputs.INPUT_GROUPS` other than ``baseline``.

    Returns
    -------
    dict of str to dict of str to ndarray
        Per group, :func:`~model.sampling.draws.held_fields` less the fields already at
        their plan values; a group that changes no field (its inputs drawn as planned, or
        not moved by the scenario) is left out.

    Raises
    ------
    ValueError
        ``baseline`` among ``groups``: holding it changes the figures, not fields to swap.
    """
    if "baseline" in groups:
        raise ValueError("the baseline group holds the figures the inputs are assembled from: draw them again")
    moved = {}
    for group in groups:
        fields = {name: value for name, value in held_fields(inputs.plan, inputs.delivery, {group}).items()
                  if not _same_value(value, _field(inputs, name))}
        if fields:
            moved[group] = fields
    return moved


class _EitherSource:
    """Uniforms from ``b`` for the keys in ``keys``, from ``a`` for every other."""

    def __init__(self, a, b, keys) -> None:
        self.a, self.b, self.keys = a, b, keys

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        return (self.b if key in self.keys else self.a).draw(key, start, stop, columns)


def _same_value(value, other) -> bool:
    """Whether a figure or field is unchanged (same object, or equal in every element)."""
    return value is other or (np.shape(value) == np.shape(other) and bool(np.array_equal(value, other)))


def _field(inputs: ForceInputs, name: str):
    """A field of the engine's inputs by its :data:`~model.sampling.draws.INPUT_FIELDS` name, e.g. ``outcome.pay_award``."""
    owner, field = name.split(".")
    return getattr(getattr(inputs, owner), field)


def _same_plan(plan, base_plan, name: str) -> bool:
    """Whether the plan drivers an input's draw can read (see ``_plan_of`` in draws) are unchanged."""
    read = ("precept_rate", "precept_cash") if name == "precept_increase" else (name,)
    return all(np.array_equal(getattr(plan, field), getattr(base_plan, field)) for field in read)
