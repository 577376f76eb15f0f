"""The capital account: how each year's capital programme is funded, and what new borrowing costs revenue.

Each year the programme is funded from its sources in a stated order, each up to what is
still needed: capital grant, capital receipts, planned contributions from capital reserves,
revenue contributions to capital (a revenue budget line, paid whether or not it is
needed), and last **borrowing**, whatever is left. Grant, receipts and revenue
contributions not needed in a year are carried forward to the next (an unapplied balance);
a capital reserve pays only what it holds and only what is needed.

New borrowing costs revenue from the **following year**: interest at the rate of the year
it was taken (loans are fixed-rate and outstanding to maturity), and minimum revenue
provision (MRP) of the amount over the asset life, straight line:

.. code-block:: text

    borrowing[t]          = programme[t] - grant, receipts, reserves, revenue applied in t
    capital_financing[t]  = existing + sum over s < t of borrowing[s] * (rate[s] + 1 / asset_life)

Money is £m; rates are fractions; the asset life is in years. Pure numpy over ``(paths,)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRANT, RECEIPTS, RESERVES, REVENUE = 0, 1, 2, 3
"""Capital funding sources (borrowing is always last)."""

SOURCE_NAMES = {"capital_grant": GRANT, "capital_receipts": RECEIPTS, "capital_reserves": RESERVES,
                "revenue_contribution": REVENUE}
"""Names of the funding sources as a force file writes them, in the default order."""

DEFAULT_ORDER = (GRANT, RECEIPTS, RESERVES, REVENUE)
"""Capital grant, then receipts, then capital reserves, then revenue contributions; borrowing last."""


@dataclass
class Capital:
    """A force's capital programme and how it is funded, per path.

    Attributes
    ----------
    programme : ndarray, shape (paths, years)
        Capital spending each year, £m.
    grant, receipts : ndarray, shape (paths, years)
        Capital grant and capital receipts available each year, £m.
    revenue_contribution : ndarray, shape (paths, years)
        Revenue contributions to capital (a revenue budget line), £m.
    asset_life : ndarray, shape (paths,)
        Years over which new borrowing is provided for (MRP), straight line.
    existing_financing : ndarray, shape (paths,)
        Interest and MRP on borrowing before 2016/17, £m a year, flat cash.
    order : tuple of int
        Funding order of :data:`GRANT`, :data:`RECEIPTS`, :data:`RESERVES`, :data:`REVENUE`.
    """

    programme: np.ndarray
    grant: np.ndarray
    receipts: np.ndarray
    revenue_contribution: np.ndarray
    asset_life: np.ndarray
    existing_financing: np.ndarray
    order: tuple[int, ...] = DEFAULT_ORDER


@dataclass
class CapitalYear:
    """One year of the capital account, per path (£m, shape ``(paths,)``).

    Attributes
    ----------
    borrowing : ndarray
        New borrowing taken in the year.
    reserves_drawn : ndarray, shape (reserves, paths)
        Contributions taken from each capital reserve.
    """

    borrowing: np.ndarray
    reserves_drawn: np.ndarray


def capital_year(
    programme: np.ndarray,
    pools: np.ndarray,
    planned_reserve_use: np.ndarray,
    earmarked: np.ndarray,
    order: tuple[int, ...],
    out: CapitalYear | None = None,
) -> CapitalYear:
    """Fund one year's programme in order; moves ``pools`` and ``earmarked`` in place.

    Parameters
    ----------
    programme : ndarray, shape (paths,)
        The year's capital spending, £m.
    pools : ndarray, shape (3, paths)
        Grant, receipts and revenue contributions available this year (the year's own plus
        what earlier years left unapplied), indexed by :data:`GRANT`, :data:`RECEIPTS` and
        ``2`` for :data:`REVENUE`; what is not applied stays in them.
    planned_reserve_use : ndarray, shape (reserves, paths)
        Planned contributions from each earmarked reserve (zero for non-capital reserves).
    earmarked : ndarray, shape (reserves, paths)
        Reserve balances; capital contributions are taken from them.
    order : tuple of int
    out : CapitalYear, optional
        Arrays to write the year into (overwritten); new ones by default.

    Returns
    -------
    CapitalYear
        ``out`` when given.
    """
    if out is None:
        out = CapitalYear(borrowing=np.empty_like(programme), reserves_drawn=np.empty_like(earmarked))
    # What is still needed is kept in the borrowing row itself: borrowing is whatever is left.
    need, drawn = out.borrowing, out.reserves_drawn
    np.copyto(need, programme)
    if RESERVES not in order:
        drawn.fill(0.0)
    take = np.empty_like(need)
    for source in order:
        if source == RESERVES:
            # Each reserve's balance is read only before its own draw, so all are capped at once.
            np.minimum(planned_reserve_use, earmarked, out=drawn)
            for k in range(earmarked.shape[0]):
                np.minimum(drawn[k], need, out=drawn[k])
                need -= drawn[k]
            earmarked -= drawn
            continue
        pool = pools[2 if source == REVENUE else source]
        np.minimum(pool, need, out=take)
        pool -= take
        need -= take
    np.maximum(need, 0.0, out=need)
    return out


class CapitalAccount:
    """The capital account of every path, run a year at a time (:func:`capital_year`), and what its borrowing costs.

    New borrowing of year ``t`` costs revenue from year ``t + 1``: ``borrowing[t] ×
    (rate[t] + 1 / asset_life)`` a year on top of the existing financing.

    Parameters
    ----------
    capital : Capital
    programme : ndarray, shape (years, paths)
        The capital programme as rows, £m.
    income : ndarray, shape (years, 3, paths)
        Capital grant, receipts and revenue contributions of each year, £m.
    planned_reserve_use : ndarray, shape (years, reserves, paths)
        Planned contributions from each earmarked reserve, £m (zero for non-capital reserves).
    rates : ndarray, shape (years, paths)
        Interest rate on new borrowing taken each year.

    Attributes
    ----------
    financing : ndarray, shape (years, paths)
        Interest and MRP charged to revenue each year, £m; row ``t + 1`` is filled by year ``t``.
    borrowing : ndarray, shape (years, paths)
        New borrowing each year, £m.
    reserves_drawn : ndarray, shape (years, reserves, paths)
        Contributions taken from each earmarked reserve each year, £m.
    """

    def __init__(self, capital: Capital, programme: np.ndarray, income: np.ndarray, planned_reserve_use: np.ndarray,
                 rates: np.ndarray) -> None:
        years, reserves, paths = planned_reserve_use.shape
        self.programme, self.income, self.planned, self.rates = programme, income, planned_reserve_use, rates
        self.order = capital.order
        self.inverse_life = 1.0 / capital.asset_life
        self.pools = np.zeros((3, paths))
        self.financing = np.empty((years, paths))
        self.financing[0] = capital.existing_financing
        self.borrowing = np.empty((years, paths))
        self.reserves_drawn = np.empty((years, reserves, paths))

    def year(self, t: int, earmarked: np.ndarray) -> None:
        """Fund year ``t``'s programme, taking capital contributions from ``earmarked`` (reserves, paths) in place."""
        self.pools += self.income[t]
        capital_year(self.programme[t], self.pools, self.planned[t], earmarked, self.order,
                     CapitalYear(self.borrowing[t], self.reserves_drawn[t]))
        if t + 1 < self.financing.shape[0]:
            charge = np.add(self.rates[t], self.inverse_life)
            np.multiply(self.borrowing[t], charge, out=charge)
            np.add(self.financing[t], charge, out=self.financing[t + 1])
