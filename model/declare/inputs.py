"""Every uncertain input of the model, declared once as data.

Validation (:mod:`model.scenario`), sampling (:mod:`model.sampling`), the ``forces``
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
        Accepted unit kinds (see :mod:`model.units`).
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
            "Planned rise in the band D precept, as a % or a £ amount; capped by the referendum limit.",
        ),
        InputDeclaration(
            "referendum_limit", "Referendum limit", ("rate", "pounds"), {"rate": (0.0, 0.2), "pounds": (0.0, 50.0)},
            "national", "per_year", 1, False, "2%",
            "Largest band D rise allowed without a local referendum, as a % or a £ amount (the £5 option for the lowest-precept PCCs).",
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
    )
}
"""All uncertain inputs, by name."""

NATIONAL_INPUTS = tuple(name for name, d in INPUTS.items() if d.scope == "national")
"""Inputs whose draw is shared by every force on a path."""

PER_PATH_INPUTS = tuple(name for name, d in INPUTS.items() if d.timing == "per_path")
"""Inputs drawn once per path and held for every year."""

PLAN_INPUTS = tuple(name for name, d in INPUTS.items() if d.plan_default)
"""Inputs for which every force baseline states its own planning assumption."""
