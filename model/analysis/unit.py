"""Unit sensitivities: the finance officer's table ("1% on the pay award costs £Xm"), exact, from the force-plan case."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.declare.inputs import INPUTS
from model.engine.projection import Drivers, ForceInputs, project_force
from model.sampling.draws import force_inputs
from model.sampling.setup import RunSetup


@dataclass(frozen=True)
class UnitChange:
    """A unit move of one input in every year it applies, as a finance officer quotes it.

    Attributes
    ----------
    name : str
    label : str
    input : str
        The input moved (its first year is where the move starts).
    apply : callable
        ``apply(inputs, first_year)`` changes a :class:`ForceInputs` in place.
    """

    name: str
    label: str
    input: str
    apply: Callable[[ForceInputs, int], None]



def _add_to_outcome(driver: str, amount: float) -> Callable[[ForceInputs, int], None]:
    def apply(inputs: ForceInputs, first: int) -> None:
        getattr(inputs.outcome, driver)[:, first:] += amount
    return apply



def _lower_delivery(points: float) -> Callable[[ForceInputs, int], None]:
    def apply(inputs: ForceInputs, first: int) -> None:
        rate = inputs.delivery.savings_delivery
        rate[:, first:] = np.clip(rate[:, first:] - points, 0.0, 1.0)
    return apply



UNIT_CHANGES: tuple[UnitChange, ...] = (
    UnitChange("pay_award_1pt", "Pay award 1 point higher", "pay_award", _add_to_outcome("pay_award", 0.01)),
    UnitChange("precept_1pct", "Band D rise 1 point higher", "precept_increase", _add_to_outcome("precept_rate", 0.01)),
    UnitChange("precept_1_pound", "Band D rise £1 higher", "precept_increase", _add_to_outcome("precept_cash", 1.0)),
    UnitChange("grant_1pct", "Grant change 1 point higher", "grant_change", _add_to_outcome("grant_change", 0.01)),
    UnitChange("tax_base_half_pt", "Tax base growth 0.5 point higher", "tax_base_growth",
               _add_to_outcome("tax_base_growth", 0.005)),
    UnitChange("non_pay_1pt", "Non-pay inflation 1 point higher", "non_pay_inflation",
               _add_to_outcome("non_pay_inflation", 0.01)),
    UnitChange("savings_delivery_10pt", "Savings delivery 10 points lower", "savings_delivery", _lower_delivery(0.10)),
    UnitChange("officer_pension_1pt", "Officer pension rate 1 point higher", "officer_pension_step",
               _add_to_outcome("officer_pension_step", 0.01)),
)
"""The unit sensitivities of mtfs-practice.md §6.1, each applied from the input's first year."""



def plan_case_inputs(setup: RunSetup, force: str) -> ForceInputs:
    """The deterministic force-plan case (one path), with an outcome that can be changed on its own.

    In the force-plan case the outcome *is* the plan object; it is copied here so that moving
    an outcome leaves the plan (and so the savings requirement) as the force set it.
    """
    inputs = force_inputs(setup, force, 0, 1, case="force_plan")
    inputs.outcome = Drivers(**{f.name: getattr(inputs.plan, f.name).copy() for f in dataclasses.fields(Drivers)})
    inputs.delivery = dataclasses.replace(inputs.delivery, savings_delivery=inputs.delivery.savings_delivery.copy())
    return inputs



def unit_sensitivity(setup: RunSetup, force: str, change: UnitChange) -> dict[str, np.ndarray]:
    """Change in funding, spend, gap and cumulative gap (new − plan), £m, shape ``(years,)`` each."""
    base = project_force(plan_case_inputs(setup, force)).lines
    moved_inputs = plan_case_inputs(setup, force)
    change.apply(moved_inputs, INPUTS[change.input].first_year)
    moved = project_force(moved_inputs).lines
    return {line: moved[line][0] - base[line][0] for line in ("funding", "spend", "gap", "cumulative_gap")}



def unit_sensitivities(setup: RunSetup) -> pd.DataFrame:
    """The finance officer's sensitivity table for every force, exact, from the force-plan case.

    Each input in :data:`UNIT_CHANGES` moves by its unit in every year it applies (from
    ``INPUTS[name].first_year``), everything else as planned; the plan's savings requirement
    is unchanged, so the change shows up in the gap.

    Returns
    -------
    DataFrame
        Columns ``scenario, force, sensitivity, label, input, year, funding, spend, gap,
        cumulative_gap``: changes in £m a year (new − plan; for ``gap`` and
        ``cumulative_gap`` positive = costs more, a worse gap). ``cumulative_gap`` in the
        last year is the total to that year.
    """
    scenario = setup.scenario
    rows = []
    for force in scenario.forces:
        for change in UNIT_CHANGES:
            delta = unit_sensitivity(setup, force, change)
            for t, year in enumerate(scenario.years):
                rows.append([scenario.name, force, change.name, change.label, change.input, year,
                             *(float(delta[line][t]) for line in ("funding", "spend", "gap", "cumulative_gap"))])
    columns = ["scenario", "force", "sensitivity", "label", "input", "year", "funding", "spend", "gap", "cumulative_gap"]
    return pd.DataFrame(rows, columns=columns)
