"""The reserves waterfall: how planned drawdowns, shortfalls and surpluses move each reserve, year by year.

Each earmarked reserve has a *use* (what its planned drawdowns pay for) and may or may not
meet an unplanned shortfall (the shortfall order names only those that may, then the
general reserve, the last line). Each year:

1. **Planned drawdowns.** A budget-support reserve's planned draw funds the revenue gap; a
   one-off reserve's planned draw pays for the one-off spending it was set aside for (that
   spending is in the year's spend); a capital reserve's planned draw funds the capital
   programme (:mod:`model.engine.capital`, before the revenue waterfall). A reserve pays only
   what it holds: the part of a planned revenue draw it cannot pay is *unfunded planned use*,
   which becomes part of the shortfall below, visibly.
2. **Shortfall.** The gap left after the planned revenue draws is met from the reserves in
   the shortfall order, each down to zero; what none can meet is an **uncovered deficit**.
3. **Surplus.** A surplus tops the general reserve up to its target share of NRE, then goes
   to the surplus reserve.

Pure numpy over ``(paths,)`` rows for one year; :func:`reserves_waterfall` runs the years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.engine.arrays import total_over_first

GENERAL = -1
"""Index that stands for the general reserve in a shortfall or surplus order."""

BUDGET_SUPPORT = 0
"""Use of a reserve whose planned draws fund the revenue gap (budget equalisation, base-budget support)."""
ONE_OFF = 1
"""Use of a reserve whose planned draws pay for one-off revenue spending (change programmes, named purposes)."""
CAPITAL = 2
"""Use of a reserve whose planned draws fund the capital programme."""


@dataclass
class ReservePolicy:
    """How reserves meet a shortfall and take a surplus.

    Attributes
    ----------
    minimum_general_rate : float or ndarray
        Minimum general reserve as a share of that year's NRE.
    target_general_rate : float or ndarray
        A surplus tops the general reserve up to this share of NRE first.
    shortfall_order : tuple of int
        The earmarked reserves (indices) that may meet an unplanned shortfall, and
        :data:`GENERAL`, in the order they are used.
    surplus_reserve : int
        Where a surplus goes once the general reserve is at target (an earmarked index
        or :data:`GENERAL`).
    roll_forward : bool
        Undelivered savings are attempted again the next year (True) or lost (False).
    """

    minimum_general_rate: float | np.ndarray
    target_general_rate: float | np.ndarray
    shortfall_order: tuple[int, ...]
    surplus_reserve: int = GENERAL
    roll_forward: bool = True


@dataclass
class YearMovements:
    """What the waterfall did in one year, per path (each of shape ``(paths,)``, £m).

    Attributes
    ----------
    planned_drawn : ndarray
        Planned revenue draws actually taken (budget support and one-off uses).
    unfunded_planned_use : ndarray
        Planned revenue draws the named reserve could not pay.
    shortfall_met : ndarray
        Unplanned shortfall met from reserves in the shortfall order.
    surplus_added : ndarray
        Surplus added to reserves.
    uncovered_deficit : ndarray
        Shortfall no reserve in the order could meet.
    """

    planned_drawn: np.ndarray
    unfunded_planned_use: np.ndarray
    shortfall_met: np.ndarray
    surplus_added: np.ndarray
    uncovered_deficit: np.ndarray


def waterfall_year(
    gap: np.ndarray,
    planned_revenue_use: np.ndarray,
    nre: np.ndarray,
    general: np.ndarray,
    earmarked: np.ndarray,
    policy: ReservePolicy,
    out: YearMovements | None = None,
) -> YearMovements:
    """Run one year of the waterfall, moving ``general`` and ``earmarked`` in place.

    Parameters
    ----------
    gap : ndarray, shape (paths,)
        Spend less funding, £m (> 0 is a shortfall).
    planned_revenue_use : ndarray, shape (reserves, paths)
        Planned revenue draws by earmarked reserve, £m (zero for capital reserves, whose
        draws the capital account has already taken).
    nre : ndarray, shape (paths,)
        Net revenue expenditure, £m, for the general reserve's target.
    general : ndarray, shape (paths,)
        General reserve at the start of the year, £m; updated to the year's close.
    earmarked : ndarray, shape (reserves, paths)
        Earmarked reserves at the start of the year, £m; updated to the year's close.
    policy : ReservePolicy
    out : YearMovements, optional
        Arrays to write the year's movements into (overwritten); new ones by default.

    Returns
    -------
    YearMovements
        ``out`` when given.
    """
    if out is None:
        out = YearMovements(*(np.empty_like(gap) for _ in range(5)))
    drawn = np.minimum(planned_revenue_use, earmarked)
    earmarked -= drawn
    planned_drawn = total_over_first(drawn, out=out.planned_drawn)
    residual = gap - planned_drawn
    remaining = np.maximum(residual, 0.0, out=out.uncovered_deficit)
    met = out.shortfall_met
    met.fill(0.0)
    take = np.empty_like(gap)
    for index in policy.shortfall_order:
        balance = general if index == GENERAL else earmarked[index]
        np.minimum(balance, remaining, out=take)
        balance -= take
        remaining -= take
        met += take
    surplus = np.maximum(np.negative(residual, out=residual), 0.0, out=out.surplus_added)
    room = np.multiply(policy.target_general_rate, nre)
    room -= general
    to_general = np.minimum(surplus, np.maximum(room, 0.0, out=room), out=room)
    general += to_general
    rest = np.subtract(surplus, to_general, out=take)
    if policy.surplus_reserve == GENERAL:
        general += rest
    else:
        earmarked[policy.surplus_reserve] += rest
    unfunded = total_over_first(planned_revenue_use, out=out.unfunded_planned_use)
    unfunded -= planned_drawn
    return out


def reserves_waterfall(
    gap: np.ndarray,
    planned_use: np.ndarray,
    nre: np.ndarray,
    general_reserve: np.ndarray,
    earmarked_reserves: np.ndarray,
    policy: ReservePolicy,
) -> dict[str, np.ndarray]:
    """Run the waterfall over every year (:func:`waterfall_year` in turn), for revenue draws only.

    Parameters
    ----------
    gap : ndarray, shape (years, paths)
        Spend less funding, £m.
    planned_use : ndarray, shape (years, reserves, paths)
        Planned revenue draws by earmarked reserve, £m.
    nre : ndarray, shape (years, paths)
    general_reserve : ndarray, shape (paths,)
        Opening general reserve, £m.
    earmarked_reserves : ndarray, shape (reserves, paths)
        Opening earmarked reserves, £m.
    policy : ReservePolicy

    Returns
    -------
    dict of str to ndarray
        ``general`` (years, paths); ``earmarked`` (years, reserves, paths), closing
        balances; ``planned_drawn``, ``unfunded_planned_use``, ``shortfall_met``,
        ``surplus_added``, ``uncovered_deficit`` (years, paths), £m.
    """
    years, paths = gap.shape
    general = general_reserve.astype(float).copy()
    earmarked = earmarked_reserves.astype(float).copy()
    movements = ("planned_drawn", "unfunded_planned_use", "shortfall_met", "surplus_added", "uncovered_deficit")
    out = {name: np.empty((years, paths)) for name in ("general", *movements)}
    out["earmarked"] = np.empty((years, earmarked.shape[0], paths))
    for t in range(years):
        waterfall_year(gap[t], planned_use[t], nre[t], general, earmarked, policy,
                       YearMovements(*(out[name][t] for name in movements)))
        out["general"][t] = general
        out["earmarked"][t] = earmarked
    return out
