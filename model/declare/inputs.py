"""Every uncertain input of the model, declared once as data.

Validation (:mod:`model.io.scenario`), sampling (:mod:`model.sampling`), the ``forces``
command and the README's input table all read :data:`INPUTS`; nothing else lists them.

Timing conventions
------------------
The 2016/17 budget was set in February 2016, so its grant, band D, tax base and
collection fund are known: inputs that move them apply from 2017/18 (``first_year = 1``).
Inputs that can still change the 2016/17 outturn (the September 2016 pay award, savings
delivery, collaboration savings and shocks) apply from 2016/17 (``first_year = 0``).

Scope
-----
``national`` inputs (grant settlement, pay award, non-pay inflation, referendum limit)
share one random stream across forces, so on any path every force sees the same
national draw; a per-force override changes the distribution, not the draw.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputDeclaration:
    """One uncertain input.

    Attributes
    ----------
    name : str
        Key in scenario YAML and in the engine.
    label : str
        Short human label for tables and plots.
    units : tuple of str
        Accepted unit kinds (see :mod:`model.declare.units`).
    bounds : dict of str to (float, float)
        Allowed range of values per unit kind, in internal units.
    scope : {'national', 'force'}
        Whether the random draw is shared by all forces.
    timing : {'per_year', 'per_path'}
        Drawn for each year, or once for the whole path.
    first_year : int
        Index of the first model year the input applies to (0 = 2016/17).
    plan_default : bool
        When the scenario omits the input, use each force's own planning assumption
        (from its baseline file) instead of :attr:`default`.
    default : str
        Value used when the scenario omits the input and there is no plan value.
    meaning : str
        What the input is, in a finance officer's words.
    favourable : {'higher', 'lower'}
        Which way is good for the budget; the optimistic case puts the input at its
        favourable tail quantile and the pessimistic case at its unfavourable one.
    rules : tuple of str
        Words a scenario may write instead of a value (alone, or as options of a choice):
        for the precept, ``plan``, ``max_allowed`` and ``to_balance``.
    """

    name: str
    label: str
    units: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    scope: str
    timing: str
    first_year: int
    plan_default: bool
    default: str
    meaning: str
    favourable: str = "higher"
    rules: tuple[str, ...] = ()


INPUTS: dict[str, InputDeclaration] = {
    d.name: d
    for d in (
        InputDeclaration(
            "grant_change", "Grant change", ("rate",), {"rate": (-0.5, 0.5)}, "national", "per_year", 1, True, "0%",
            "Cash change in central government grant (police grant + formula funding + legacy council tax grants) on the year before.",
        ),
        InputDeclaration(
            "precept_increase", "Band D increase", ("rate", "pounds"), {"rate": (-0.2, 0.2), "pounds": (-50.0, 50.0)},
            "force", "per_year", 1, True, "0%",
            "The PCC's band D decision: a rise as a % or a £ amount, or a rule: 'plan' (the force's planned rise), "
            "'max_allowed' (the largest rise the referendum limit allows: 1.99% under 2%, £5 under a £5 allowance) "
            "or 'to_balance' (what closes that year's gap after planned reserve use, never a cut, within the "
            "limit); a choice among these. A rise above the limit is cut to it, with a warning.",
            rules=("plan", "max_allowed", "to_balance"),
        ),
        InputDeclaration(
            "referendum_limit", "Referendum limit", ("rate", "pounds"), {"rate": (0.0, 0.2), "pounds": (0.0, 50.0)},
            "national", "per_year", 1, False, "2%",
            "Band D rise that triggers a local referendum, as a % (a rise at or above it needs a referendum: "
            "1.99% is the most under 2%) or a £ allowance allowed in full (the £5 option for the lowest-precept PCCs).",
        ),
        InputDeclaration(
            "tax_base_growth", "Tax base growth", ("rate",), {"rate": (-0.1, 0.1)}, "force", "per_year", 1, True, "1%",
            "Growth in the council tax base (band D equivalent properties).",
        ),
        InputDeclaration(
            "collection_fund", "Collection fund", ("rate",), {"rate": (-0.1, 0.1)}, "force", "per_year", 1, True, "0%",
            "One-off collection fund surplus (+) or deficit (−) as a % of that year's council tax requirement.",
        ),
        InputDeclaration(
            "pay_award", "Pay award", ("rate",), {"rate": (-0.05, 0.15)}, "national", "per_year", 0, True, "1%",
            "Pay award from 1 September: 7/12 of it falls in its first year, the full award from the next. "
            "The 2016/17 budget assumed its force's planned award; a different award changes the 2016/17 outturn.", favourable="lower",
        ),
        InputDeclaration(
            "pay_drift", "Pay drift", ("rate",), {"rate": (-0.05, 0.05)}, "force", "per_year", 1, True, "0%",
            "Net growth of the paybill beyond the award: increments less the saving from leavers replaced by joiners.", favourable="lower",
        ),
        InputDeclaration(
            "non_pay_inflation", "Non-pay inflation", ("rate",), {"rate": (-0.05, 0.2)}, "national", "per_year", 1, True, "2%",
            "Price inflation on non-pay spending (premises, transport, supplies and services).", favourable="lower",
        ),
        InputDeclaration(
            "savings_delivery", "Savings delivery", ("rate",), {"rate": (0.0, 1.0)}, "force", "per_year", 0, False, "100%",
            "Share of each year's planned recurring savings (other than collaboration programmes) actually delivered.",
        ),
        InputDeclaration(
            "collaboration_savings_size", "Collaboration savings size", ("rate",), {"rate": (0.0, 2.0)}, "force",
            "per_path", 0, False, "100%",
            "Collaboration programme savings realised, as a share of the business case (e.g. Leicestershire's tri-force £2m a year).",
        ),
        InputDeclaration(
            "collaboration_savings_delay", "Collaboration savings delay", ("years",), {"years": (-1.0, 4.0)}, "force",
            "per_path", 0, False, "0 years",
            "Slippage of collaboration programme savings beyond the planned start, in years (fractions phase in part of a year).", favourable="lower",
        ),
        InputDeclaration(
            "officer_pension_step", "Officer pension rate step", ("rate",), {"rate": (-0.1, 0.2)}, "national",
            "per_path", 1, False, "0%",
            "Change in the employer contribution rate of the police officer pension scheme after a valuation, in "
            "points of officer pay, from officer_pension_step_year on. Set nationally, so shared by every force.",
            favourable="lower",
        ),
        InputDeclaration(
            "officer_pension_step_year", "Officer pension step year", ("fiscal_year",), {"fiscal_year": (1.0, 10.0)},
            "national", "per_path", 1, False, "2019/20",
            "First fiscal year of the officer pension rate step (a year after 2019/20 means no step in the horizon).",
        ),
        InputDeclaration(
            "staff_pension_step", "Staff pension rate step", ("rate",), {"rate": (-0.1, 0.2)}, "force", "per_path", 1,
            False, "0%",
            "Change in the employer contribution rate of the police staff (local government) pension scheme after a "
            "valuation, in points of staff pay, from staff_pension_step_year on. Each force's fund sets its own.",
            favourable="lower",
        ),
        InputDeclaration(
            "staff_pension_step_year", "Staff pension step year", ("fiscal_year",), {"fiscal_year": (1.0, 10.0)},
            "force", "per_path", 1, False, "2017/18",
            "First fiscal year of the staff pension rate step.",
        ),
        InputDeclaration(
            "borrowing_rate", "Borrowing rate", ("rate",), {"rate": (0.0, 0.15)}, "national", "per_year", 0, True,
            "3.5%",
            "Interest rate on new borrowing for the capital programme taken that year (fixed for the loan's life).",
            favourable="lower",
        ),
        InputDeclaration(
            "action_savings_delivery", "Management action delivery", ("rate",), {"rate": (0.0, 1.0)}, "force",
            "per_year", 1, False, "100%",
            "Share of the extra recurring savings a management action adds for a year that are delivered "
            "(only when the scenario states a management_action).",
        ),
    )
}
"""All uncertain inputs, by name."""

PRECEPT_RULE_CODES: dict[str, int] = {"stated": 0, "max_allowed": 1, "to_balance": 2}
"""How the engine codes a precept decision: a stated rise, the largest the limit allows, or what balances."""

NATIONAL_INPUTS = tuple(name for name, d in INPUTS.items() if d.scope == "national")
"""Inputs whose draw is shared by every force on a path."""

PER_PATH_INPUTS = tuple(name for name, d in INPUTS.items() if d.timing == "per_path")
"""Inputs drawn once per path and held for every year."""

PLAN_INPUTS = tuple(name for name, d in INPUTS.items() if d.plan_default)
"""Inputs for which every force baseline states its own planning assumption."""


@dataclass(frozen=True)
class InputGroup:
    """A group of what can move an outcome away from the force's plan, for the plan-to-median bridge.

    Attributes
    ----------
    name : str
    label : str
    inputs : tuple of str
        The scenario inputs in the group.
    meaning : str
        What holding the group at plan means.
    """

    name: str
    label: str
    inputs: tuple[str, ...]
    meaning: str


INPUT_GROUPS: dict[str, InputGroup] = {
    g.name: g
    for g in (
        InputGroup("baseline", "Baseline figures", (),
                   "The baseline assumptions (pay share, a reserve, capital figures) at their central values."),
        InputGroup("grant", "Grant", ("grant_change",), "Grant changes as the force planned."),
        InputGroup("precept", "Precept decision and limit", ("precept_increase", "referendum_limit"),
                   "Band D rises as the force planned, with no referendum limit binding."),
        InputGroup("tax_base", "Tax base and collection fund", ("tax_base_growth", "collection_fund"),
                   "Tax base growth and collection fund as the force planned."),
        InputGroup("pay", "Pay and pensions", ("pay_award", "pay_drift", "officer_pension_step",
                                                "officer_pension_step_year", "staff_pension_step",
                                                "staff_pension_step_year"),
                   "Pay awards and drift as planned and pension rates unchanged."),
        InputGroup("non_pay", "Non-pay inflation", ("non_pay_inflation",), "Price inflation as planned."),
        InputGroup("savings", "Savings delivery", ("savings_delivery", "action_savings_delivery"),
                   "Every planned saving delivered in full (and no management action needed)."),
        InputGroup("collaboration", "Collaboration savings", ("collaboration_savings_size",
                                                                "collaboration_savings_delay"),
                   "Collaboration programme savings in full and on time."),
        InputGroup("capital", "Capital financing", ("borrowing_rate",), "Borrowing at the planned rate."),
        InputGroup("pressures", "Pressures not in the plan", (), "Only the pressures the plan carried."),
        InputGroup("shocks", "One-off shocks", (), "No one-off shock."),
    )
}
"""What can move a force's outcome away from its plan, in the order the bridge switches them on."""
