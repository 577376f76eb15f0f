"""Every output metric and flag, declared once: name, unit, label and meaning.

The summary tables, the report's labels and the documentation read these declarations.
Money is £m cash; band D is £; the tax base is in band D equivalent properties; reserve cover in years.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricDeclaration:
    """One output line.

    Attributes
    ----------
    name : str
        Column value in ``summary.csv``.
    unit : {'money', 'pounds', 'count', 'years'}
    label : str
        Short label for tables and charts.
    meaning : str
        What the line is, in a finance officer's words.
    """

    name: str
    unit: str
    label: str
    meaning: str


METRICS: dict[str, MetricDeclaration] = {
    m.name: m
    for m in (
        MetricDeclaration("grant", "money", "Central grant", "Police grant, formula funding and legacy council tax grants."),
        MetricDeclaration("precept", "money", "Precept", "Council tax for policing: band D × tax base, with any collection fund surplus or deficit."),
        MetricDeclaration("band_d", "pounds", "Band D council tax (£)", "The policing precept on a band D property."),
        MetricDeclaration("tax_base", "count", "Tax base (band D equivalents)", "Council tax base in band D equivalent properties."),
        MetricDeclaration("funding", "money", "Funding", "Grant plus precept: the budget requirement the force can finance."),
        MetricDeclaration("pay", "money", "Pay", "Officer, staff and PCSO pay, excluding collaboration contributions, before savings."),
        MetricDeclaration("non_pay", "money", "Non-pay", "Premises, transport, supplies and services, before savings."),
        MetricDeclaration("collaboration", "money", "Collaboration", "Spending on collaboration with other forces and non-police bodies."),
        MetricDeclaration("capital_financing", "money", "Capital financing", "Minimum revenue provision and interest, held flat in cash."),
        MetricDeclaration("one_off_spend", "money", "One-off spending", "Reserve-funded one-off spending plus unplanned one-off shocks."),
        MetricDeclaration("spend", "money", "Spend (NRE)", "Net revenue expenditure after the recurring savings delivered."),
        MetricDeclaration("savings_required", "money", "Savings required (plan)", "Cumulative recurring savings the force's plan needs since 2016/17 to balance after planned reserve use."),
        MetricDeclaration("savings_delivered", "money", "Savings delivered", "Cumulative recurring savings actually delivered since 2016/17, including collaboration programmes."),
        MetricDeclaration("gap_before_savings", "money", "Gap before savings", "Spend before savings less funding: the savings requirement plus planned reserve use."),
        MetricDeclaration("gap", "money", "Budget gap", "Spend less funding after savings delivered (positive: a shortfall to fund from reserves)."),
        MetricDeclaration("cumulative_gap", "money", "Cumulative gap", "The budget gap summed from 2016/17 to that year, path by path."),
        MetricDeclaration("planned_reserve_use", "money", "Planned use of reserves", "Planned drawdowns actually taken from named earmarked reserves."),
        MetricDeclaration("unplanned_gap", "money", "Unplanned gap", "The gap beyond planned reserve use (negative: a surplus)."),
        MetricDeclaration("shortfall_met_from_reserves", "money", "Shortfall met from reserves", "Unplanned shortfall met from earmarked and general reserves."),
        MetricDeclaration("surplus_to_reserves", "money", "Surplus to reserves", "Surplus added to the general reserve (up to target) and then to earmarked reserves."),
        MetricDeclaration("general_reserve", "money", "General reserve", "General reserve (general balances) at 31 March."),
        MetricDeclaration("general_reserve_minimum", "money", "Minimum general reserve", "The policy minimum: a share of that year's NRE."),
        MetricDeclaration("earmarked_reserves", "money", "Earmarked reserves", "All earmarked reserves at 31 March."),
        MetricDeclaration("total_reserves", "money", "Total usable reserves", "General plus earmarked reserves at 31 March."),
        MetricDeclaration("uncovered_deficit", "money", "Uncovered deficit", "Shortfall no reserve could meet that year."),
        MetricDeclaration("reserve_cover_years", "years", "Reserve cover (years)", "Years usable reserves at 31 March would last at that year's net use of reserves (CIPFA's reserves depletion measure); 50 when reserves are not being used."),
        MetricDeclaration("nre", "money", "Net revenue expenditure", "The base for the minimum general reserve; equal to spend."),
    )
}
"""Output lines per force and year, in table order."""

SUMMARY_METRICS: tuple[str, ...] = tuple(METRICS)

FLAG_MEANINGS: dict[str, str] = {
    "general_below_minimum": "General reserve below its policy minimum at 31 March of that year.",
    "usable_reserves_exhausted": "General and earmarked reserves all spent by 31 March of that year.",
    "uncovered_deficit": "A shortfall that no reserve could meet in that year.",
}
"""Flags per path and year; each also has a cumulative ``<name>_by_year`` form (at any time by then)."""

FLAGS: tuple[str, ...] = tuple(FLAG_MEANINGS) + tuple(f"{name}_by_year" for name in FLAG_MEANINGS)


def metric_unit(metric: str) -> str:
    """Unit kind of a summary metric; earmarked reserves (``reserve_<name>``) and unknown names are money."""
    return METRICS[metric].unit if metric in METRICS else "money"


def reserve_metric(reserve_name: str) -> str:
    """Metric name of one earmarked reserve's closing balance: ``reserve_<name>``."""
    return f"reserve_{reserve_name}"
