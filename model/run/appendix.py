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


EVIDENCE_COLUMNS = ["input", "force", "year", "stated", "scenario_range", "history", "history_values",
                    "history_range", "fitted_range", "compared", "rows"]
"""The columns of :func:`evidence_table`."""

NATIONAL_EVIDENCE = ("grant_change", "referendum_limit", "pay_award", "non_pay_inflation")
"""The national inputs whose ranges the appendix sets beside their history."""


def evidence_table(setup) -> pd.DataFrame:
    """Each national input's range as the scenario states it, beside the history it was judged against.

    The history is the yearly series ``data/evidence.yaml`` names for the input (read from
    ``history-2010-2016.csv`` in the run's data folder); the comparison is made on P5–P95: the
    scenario's, and that of a normal fitted to the history by maximum likelihood (mean, and sd with
    divisor n), the family ``police-mtfs fit`` recommends for the grant, pay and inflation series
    (it gives all six families).

    Parameters
    ----------
    setup : RunSetup

    Returns
    -------
    DataFrame
        :data:`EVIDENCE_COLUMNS`, one row per statement of a national input (each force and year
        the scenario states it for) and per series of its history. ``scenario_range`` is the
        scenario's P5–P95 (a choice's options; a fixed value), ``history_values`` every year's value,
        ``history_range`` lowest to highest with the mean, ``fitted_range`` the fitted normal's
        P5–P95, ``compared`` in words: wider, narrower or about as wide; shifted up or down or
        centred alike; how many of the historical values lie inside the scenario's range.
        Empty when the data folder has no ``evidence.yaml``.
    """
    from model.declare.fiscal import MODEL_YEARS
    from model.io.history import evidence_series, format_history_value
    from model.io.scenario import PLAN, describe_distribution

    evidence = evidence_series(setup.national.path.parent)
    rows = []
    for name in NATIONAL_EVIDENCE:
        series_list = [series for entry, series in evidence if entry.input == name]
        if not series_list:
            continue
        spec = setup.scenario.inputs.get(name)
        statements = list(spec.values.items()) if spec is not None else [((None, None), None)]
        for (force, year), value in statements:
            where = [name, force or "all", "all years" if year is None else MODEL_YEARS[year]]
            if value is None or value == PLAN:
                stated = "not stated: each force's plan" if value is None else "force plan"
            else:
                stated = f"{value.kind}: {describe_distribution(value)}"
            for series in series_list:
                unit = series.unit
                values = series.values
                history_values = ", ".join(f"{p.period} {format_history_value(p.value, unit)}" for p in series.points)
                mean, sd = float(values.mean()), float(values.std())
                history_range = (f"{format_history_value(values.min(), unit)} to {format_history_value(values.max(), unit)}"
                                 f", mean {format_history_value(mean, unit)} ({values.size} values)")
                fitted = (mean - 1.6448536269514722 * sd, mean + 1.6448536269514722 * sd)
                distinct = sorted(set(values.tolist()))
                if len(distinct) <= 2:
                    fitted = None
                    fitted_range = "not fitted: the history takes only " + " and ".join(
                        f"{format_history_value(v, unit)} ({int((values == v).sum())} of {values.size} years)"
                        for v in distinct)
                else:
                    fitted_range = f"{format_history_value(fitted[0], unit)} to {format_history_value(fitted[1], unit)}"
                scenario_range, compared = "", _not_compared(value, unit)
                interval = _scenario_interval(value, unit)
                if interval is not None:
                    low, high, text = interval
                    scenario_range = text
                    compared = compare_ranges(low, high, fitted, values, unit)
                rows.append(where + [stated, scenario_range, series.label, history_values, history_range, fitted_range,
                                     compared, f"{series.file} rows " + ", ".join(str(r) for r in series.rows_used)])
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)


def _not_compared(value, unit: str | None) -> str:
    from model.io.scenario import PLAN

    if value is None or value == PLAN:
        return "no range stated: not compared"
    words = {"rate": "%", "pounds": "£ (band D)", "money": "£m"}
    return f"stated in {words.get(value.unit, value.unit)}, the history in {words.get(unit or '', unit)}: not compared"


def _scenario_interval(value, unit: str | None):
    """The scenario's P5–P95 in the history's unit, ``(low, high, text)``, or ``None`` when there is none to compare.

    A fixed value is its own range; a choice is compared on its options in the history's unit
    (the others are named in the text).
    """
    import numpy as np

    from model.io.history import format_history_value
    from model.io.scenario import PLAN

    if value is None or value == PLAN:
        return None
    if value.kind == "fixed":
        if value.unit != unit:
            return None
        v = value.params["value"]
        return v, v, f"fixed at {format_history_value(v, unit)}"
    if value.kind == "choice":
        same = [option[0] for option in value.options if option[1] == unit]
        other = [option for option in value.options if option[1] != unit]
        if not same:
            return None
        text = (f"option {format_history_value(same[0], unit)}" if len(set(same)) == 1 else
                f"options {format_history_value(min(same), unit)} to {format_history_value(max(same), unit)}")
        if other:
            text += " (and " + ", ".join(f"{o[0]:g} {o[1]}" if o[1] not in ("pounds",) else f"£{o[0]:g}"
                                         for o in other) + ")"
        return min(same), max(same), text
    if value.unit != unit:
        return None
    low, high = (float(x) for x in value.ppf(np.array([0.05, 0.95])))
    return low, high, f"P5–P95 {format_history_value(low, unit)} to {format_history_value(high, unit)}"


def compare_ranges(low: float, high: float, fitted: tuple[float, float] | None, values, unit: str | None) -> str:
    """The scenario's range against the history's, in words.

    Against a fitted P5–P95: ``wider`` or ``narrower`` when the scenario's range is more than a fifth
    wider or narrower, else ``about as wide``; ``shifted up`` or ``down`` when the mid-points differ by
    more than a quarter of the fitted width, else ``centred alike``. Against a history of one or two
    values (``fitted`` is ``None``): whether the range lies within, beyond or across them. Then how
    many historical values the scenario's range holds.
    """
    from model.io.history import format_history_value

    def amount(difference: float) -> str:
        if unit == "rate":
            return f"{abs(difference) * 100:.2f}".rstrip("0").rstrip(".") + " points"
        return format_history_value(abs(difference), unit)

    inside = int(sum(low - 1e-12 <= v <= high + 1e-12 for v in values))
    held = f"holds {inside} of {len(values)} historical values"
    if fitted is None:
        lowest, highest = float(min(values)), float(max(values))
        if high < lowest:
            where = f"below every historical value (by {amount(lowest - high)} at its top)"
        elif low > highest:
            where = f"above every historical value (by {amount(low - highest)} at its bottom)"
        elif low >= lowest and high <= highest:
            where = "within the history's values" if high > low else "at a value the history saw"
        elif low < lowest and high > highest:
            where = "wider than the history, below and above it"
        else:
            where = ("reaching below the history" if low < lowest else "reaching above the history")
        return f"{where}; {held}"
    width, fitted_width = high - low, fitted[1] - fitted[0]
    if width == 0:
        shape = "a fixed value"
    elif width > 1.2 * fitted_width:
        shape = f"wider ({width / fitted_width:.1f} times the fitted width)"
    elif width < 0.8 * fitted_width:
        shape = f"narrower ({width / fitted_width:.1f} times the fitted width)"
    else:
        shape = "about as wide"
    shift = (low + high) / 2 - (fitted[0] + fitted[1]) / 2
    centre = "centred alike" if abs(shift) <= 0.25 * fitted_width else \
        f"shifted {'up' if shift > 0 else 'down'} by {amount(shift)}"
    return f"{shape}; {centre}; {held}"
