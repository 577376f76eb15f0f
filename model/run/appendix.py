"""The appendix tables of a run: what the scenario states, and the correlations asked for and used."""

from __future__ import annotations

import pandas as pd


def scenario_inputs_table(setup) -> pd.DataFrame:
    """What the scenario states for each uncertain input, as written, for the appendix.

    Parameters
    ----------
    setup : RunSetup

    Returns
    -------
    DataFrame
        Columns ``input, force, year, distribution, parameters``; ``force`` is ``all`` for
        a scenario-wide value and ``year`` is ``all years`` for a value covering every
        year. Inputs the scenario leaves out appear once as ``force plan`` or their default.
    """
    from model.declare.fiscal import MODEL_YEARS
    from model.declare.inputs import INPUTS
    from model.io.scenario import PLAN, describe_distribution

    rows = []
    for name, declaration in INPUTS.items():
        spec = setup.scenario.inputs.get(name)
        if spec is None:
            rows.append([name, "all", "all years", "not stated: " + ("force plan" if declaration.plan_default
                                                                      else "fixed"),
                         "each force's planning assumption" if declaration.plan_default else declaration.default])
            continue
        dependence = ""
        if spec.over_years == "held":
            dependence = "; one draw held for every year"
        elif spec.over_years == "persistent":
            dependence = f"; persistent, {spec.persistence:.0%} carried from year to year"
        for (force, year), value in spec.values.items():
            where = [name, force or "all", "all years" if year is None else MODEL_YEARS[year]]
            if value == PLAN:
                rows.append(where + ["force plan", "each force's planning assumption" + dependence])
            else:
                rows.append(where + [value.kind, describe_distribution(value) + dependence])
    for shock in setup.scenario.shocks:
        rows.append([f"shock: {shock.name}", ", ".join(shock.forces),
                     ", ".join(MODEL_YEARS[t] for t in shock.years if t < setup.scenario.n_years),
                     f"{shock.probability:.1%} a year × {shock.cost.kind} cost",
                     f"{shock.label}: {describe_distribution(shock.cost)}"])
    return pd.DataFrame(rows, columns=["input", "force", "year", "distribution", "parameters"])



def correlation_table(setup) -> pd.DataFrame:
    """The rank correlations a scenario states and those used after any repair.

    Returns
    -------
    DataFrame
        Columns ``input_a, input_b, asked, used``, one row per pair with a stated or
        used correlation; empty when the scenario states none.
    """
    plan = setup.correlation
    rows = []
    if plan is not None:
        for i, a in enumerate(plan.names):
            for j in range(i + 1, len(plan.names)):
                asked, used = plan.asked[i, j], plan.used[i, j]
                if asked != 0 or abs(used) > 5e-4:
                    rows.append([a, plan.names[j], f"{asked:.2f}", f"{used:.2f}"])
    return pd.DataFrame(rows, columns=["input_a", "input_b", "asked", "used"])
