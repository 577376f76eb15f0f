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

    Returns
    -------
    CapitalYear
    """
    need = programme.copy()
    drawn = np.zeros_like(earmarked)
    for source in order:
        if source == RESERVES:
            for k in range(earmarked.shape[0]):
                take = np.minimum(np.minimum(planned_reserve_use[k], earmarked[k]), need)
                earmarked[k] -= take
                drawn[k] = take
                need -= take
            continue
        pool = pools[2 if source == REVENUE else source]
        take = np.minimum(pool, need)
        pool -= take
        need -= take
    return CapitalYear(borrowing=np.maximum(need, 0.0), reserves_drawn=drawn)


def financing_cost(borrowed: list[np.ndarray], rates: list[np.ndarray], asset_life: np.ndarray,
                   existing: np.ndarray) -> np.ndarray:
    """Interest and MRP this year on the borrowing of every earlier year, plus the existing cost, £m.

    Parameters
    ----------
    borrowed, rates : list of ndarray, each (paths,)
        New borrowing of each earlier year and the interest rate it was taken at.
    asset_life : ndarray, shape (paths,)
    existing : ndarray, shape (paths,)
    """
    cost = existing.astype(float).copy()
    for amount, rate in zip(borrowed, rates, strict=True):
        cost += amount * (rate + 1.0 / asset_life)
    return cost
