"""Which stated band D rises a possible referendum limit would cut, read from the scenario before any run.

``police-mtfs check`` lists them so that a rise cut by the limit is never a surprise; a run
then reports how often it happened and what it cost (``model.run.summaries.precept_caps_table``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.declare.distributions import Distribution
from model.declare.formatting import format_pounds, format_quantity
from model.declare.inputs import INPUTS
from model.declare.units import parse_quantity
from model.engine.precept import RATE_LIMIT_MARGIN
from model.io.forces import evaluate_figures
from model.io.scenario import PLAN, RULE_PLAN, RULE_UNIT
from model.sampling.draws import plan_figure
from model.sampling.setup import RunSetup


@dataclass(frozen=True)
class PossibleCap:
    """A stated rise that a possible limit would cut.

    Attributes
    ----------
    force, year : str
    stated : str
        The largest rise the scenario (or the force's plan) states, as written.
    limit : str
        The tightest limit the scenario allows that year, as written.
    allowed : str
        The most that limit allows, in £ of band D at the 2016/17 band D.
    """

    force: str
    year: str
    stated: str
    limit: str
    allowed: str

    def sentence(self, force_name: str) -> str:
        """The cap in one line."""
        return (f"{force_name} {self.year}: a stated rise of up to {self.stated} against a limit as low as "
                f"{self.limit} (at most {self.allowed} on the 2016/17 band D)")


def _largest(distribution: Distribution) -> tuple[float, str] | None:
    """The largest stated value and its unit, or ``None`` where every option is a rule."""
    if distribution.kind == "choice":
        values = [(value, unit) for value, unit, _ in distribution.options if unit != RULE_UNIT]
        return max(values, key=lambda item: item[0]) if values else None
    if distribution.unit == RULE_UNIT:
        return None
    return distribution.bounds()[1], distribution.unit


def _smallest(distribution: Distribution) -> tuple[float, str]:
    if distribution.kind == "choice":
        return min(((value, unit) for value, unit, _ in distribution.options), key=lambda item: item[0])
    return distribution.bounds()[0], distribution.unit


def possible_caps(setup: RunSetup) -> list[PossibleCap]:
    """Every force and year where a stated rise can exceed the most a possible limit allows.

    Rates and cash amounts are compared on each force's 2016/17 band D (a later band D is a
    little higher, so the comparison is approximate for a rate against a cash limit). A
    force's own planned rise counts at the top of its range.
    """
    scenario = setup.scenario
    precept, limit = scenario.inputs.get("precept_increase"), scenario.inputs.get("referendum_limit")
    default_limit = parse_quantity(INPUTS["referendum_limit"].default, INPUTS["referendum_limit"].units)
    caps = []
    for force_id in scenario.forces:
        force = setup.forces[force_id]
        values = evaluate_figures(force.figures)
        band_d = float(np.asarray(values["budget.band_d"]))
        for t in range(INPUTS["precept_increase"].first_year, scenario.n_years):
            chosen = precept.resolve(force_id, t) if precept else None
            stated = _stated_largest(setup, force, chosen, t)
            if stated is None:
                continue
            limit_dist = limit.resolve(force_id, t) if limit else None
            low, low_unit = _smallest(limit_dist) if limit_dist else (default_limit.value, default_limit.unit)
            allowed = low if low_unit == "pounds" else band_d * max(low - RATE_LIMIT_MARGIN, 0.0)
            rise = stated[0] if stated[1] == "pounds" else band_d * stated[0]
            if rise > allowed + 1e-9:
                caps.append(PossibleCap(force_id, scenario.years[t], format_quantity(*stated),
                                        format_quantity(low, low_unit), format_pounds(allowed)))
    return caps


def _stated_largest(setup: RunSetup, force, chosen, t: int) -> tuple[float, str] | None:
    if chosen is None or chosen == PLAN:
        return _planned_largest(setup, force, t)
    largest = _largest(chosen)
    if chosen.kind == "choice" and any(unit == RULE_UNIT and value == RULE_PLAN for value, unit, _ in chosen.options):
        planned = _planned_largest(setup, force, t)
        candidates = [c for c in (largest, planned) if c is not None]
        return max(candidates, key=lambda item: item[0]) if candidates else None
    return largest


def _planned_largest(setup: RunSetup, force, t: int) -> tuple[float, str] | None:
    """The top of the force's planned rise that year (an assumption's high, or the sourced figure)."""
    name = plan_figure(setup, force, "precept_increase", t)
    if name is None:
        return None
    figure = force.figures[name]
    return (figure.high if figure.kind == "assumption" else figure.value), figure.unit
