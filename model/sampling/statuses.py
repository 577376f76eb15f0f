"""What each input of a resolved scenario is: uncertain, fixed, the force's plan, or a default nobody stated.

An input that no scenario in an ``extends:`` chain states (and no ``--set`` gives) takes,
for every force and year, the force's planning assumption if the input has one, else its
declared default, **held fixed, with no uncertainty**. That is a choice a user should see:
``check`` lists every input by status, and ``run`` warns about each unstated input that
could change its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.declare.inputs import INPUTS
from model.io.scenario import PLAN, Scenario

UNCERTAIN, FIXED, PLANNED, UNSTATED = "uncertain", "fixed", "force plan", "not stated"
STATUSES = (UNCERTAIN, FIXED, PLANNED, UNSTATED)
"""The statuses in the order ``check`` prints them."""


@dataclass(frozen=True)
class InputStatus:
    """One input of a resolved scenario.

    Attributes
    ----------
    name : str
        The input's name in ``INPUTS``.
    status : str
        One of :data:`STATUSES`: ``uncertain`` (some force or year draws from a distribution
        with spread), ``fixed`` (stated, one value everywhere it is stated), ``force plan``
        (stated as ``plan``) or ``not stated``.
    fallback : str
        For ``not stated``: what it takes instead, in words.
    matters : bool
        Whether the input can change this scenario's numbers (an action's delivery rate
        does nothing without that action).
    """

    name: str
    status: str
    fallback: str = ""
    matters: bool = True


def input_statuses(scenario: Scenario) -> list[InputStatus]:
    """Every declared input's status in ``scenario``, in the order of ``INPUTS``."""
    statuses = []
    for name, declaration in INPUTS.items():
        matters = name != "action_savings_delivery" or scenario.action.savings_share > 0.0
        spec = scenario.inputs.get(name)
        if spec is None:
            fallback = ("each force's planning assumption" if declaration.plan_default
                        else f"{declaration.default}, its declared default")
            statuses.append(InputStatus(name, UNSTATED, f"{fallback}, with no uncertainty", matters))
            continue
        values = list(spec.values.values())
        if any(value != PLAN and not value.is_fixed for value in values):
            status = UNCERTAIN
        elif all(value == PLAN for value in values):
            status = PLANNED
        else:
            status = FIXED
        statuses.append(InputStatus(name, status, "", matters))
    return statuses


def unstated_warning(scenario: Scenario) -> str | None:
    """The run warning for inputs no scenario states that could change the numbers, or ``None``."""
    unstated = [s for s in input_statuses(scenario) if s.status == UNSTATED and s.matters]
    if not unstated:
        return None
    listing = "; ".join(f"{s.name} at {s.fallback.removesuffix(', with no uncertainty')}" for s in unstated)
    return (f"{len(unstated)} input{'s' if len(unstated) > 1 else ''} no scenario states "
            f"{'are' if len(unstated) > 1 else 'is'} held fixed with no uncertainty: {listing} "
            "(state them, or begin the scenario with 'extends: central.yaml')")
