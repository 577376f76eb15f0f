"""The reserves waterfall: how planned drawdowns, shortfalls and surpluses move each reserve, year by year.

Pure numpy over ``(years, paths)`` rows, like the rest of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.engine.arrays import total_over_first

GENERAL = -1
"""Index that stands for the general reserve in a shortfall or surplus order."""



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
        Earmarked reserve indices (and :data:`GENERAL`) in the order they meet a shortfall.
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



def reserves_waterfall(
    gap: np.ndarray,
    planned_use: np.ndarray,
    nre: np.ndarray,
    general_reserve: np.ndarray,
    earmarked_reserves: np.ndarray,
    policy: ReservePolicy,
) -> dict[str, np.ndarray]:
    """Run the reserves waterfall year by year.

    Each year: planned drawdowns come out of their named earmarked reserves (as far as
    each can pay); the rest of the gap is a shortfall met in ``policy.shortfall_order``;
    what no reserve can meet is an uncovered deficit. A surplus tops the general
    reserve up to its target share of NRE, then goes to ``policy.surplus_reserve``.
    No reserve goes below zero.

    Parameters
    ----------
    gap : ndarray, shape (years, paths)
        Spend less funding, £m (> 0 is a shortfall).
    planned_use : ndarray, shape (years, reserves, paths)
        Planned drawdowns by earmarked reserve, £m.
    nre : ndarray, shape (years, paths)
        Net revenue expenditure, £m, for the general reserve target.
    general_reserve : ndarray, shape (paths,)
        Opening general reserve, £m.
    earmarked_reserves : ndarray, shape (reserves, paths)
        Opening earmarked reserves, £m.
    policy : ReservePolicy

    Returns
    -------
    dict of str to ndarray
        ``general`` (years, paths); ``earmarked`` (years, reserves, paths), closing
        balances; ``planned_drawn``, ``shortfall_met``, ``surplus_added``,
        ``uncovered_deficit`` (years, paths), £m.
    """
    years, paths = gap.shape
    n_reserves = earmarked_reserves.shape[0]
    general = general_reserve.astype(float).copy()
    earmarked = earmarked_reserves.astype(float).copy()
    out = {
        "general": np.empty((years, paths)),
        "earmarked": np.empty((years, n_reserves, paths)),
        "planned_drawn": np.empty((years, paths)),
        "shortfall_met": np.empty((years, paths)),
        "surplus_added": np.empty((years, paths)),
        "uncovered_deficit": np.empty((years, paths)),
    }
    for t in range(years):
        drawn = np.minimum(planned_use[t], earmarked)
        earmarked -= drawn
        planned_drawn = total_over_first(drawn)
        residual = gap[t] - planned_drawn
        remaining = np.maximum(residual, 0.0)
        met = np.zeros(paths)
        for index in policy.shortfall_order:
            balance = general if index == GENERAL else earmarked[index]
            take = np.minimum(balance, remaining)
            balance -= take
            remaining -= take
            met += take
        surplus = np.maximum(-residual, 0.0)
        room = np.maximum(policy.target_general_rate * nre[t] - general, 0.0)
        to_general = np.minimum(surplus, room)
        general += to_general
        if policy.surplus_reserve == GENERAL:
            general += surplus - to_general
        else:
            earmarked[policy.surplus_reserve] += surplus - to_general
        out["general"][t] = general
        out["earmarked"][t] = earmarked
        out["planned_drawn"][t] = planned_drawn
        out["shortfall_met"][t] = met
        out["surplus_added"][t] = surplus
        out["uncovered_deficit"][t] = remaining
    return out
