"""The PCC's precept decision each year, and the referendum limit that caps it.

A rule says what band D rise the PCC asks for; the referendum limit says the largest rise
allowed without a local referendum; the rise applied is the smaller of the two.

==================  ======================================================================
rule                the rise asked for
==================  ======================================================================
``STATED``          the stated rise: a rate of last year's band D plus a cash amount (£)
``MAX_ALLOWED``     the largest rise the limit allows
``TO_BALANCE``      the rise that closes the year's gap after planned reserve use, never
                    below zero (a PCC does not cut band D to give a surplus away)
==================  ======================================================================

The limit is a rate of last year's band D or a cash amount. A rise *at or above* a rate
limit triggers a referendum, so the largest allowed is the limit less 0.01 of a point
(1.99% under a 2% limit: mtfs-practice.md §2.2, "For PCCs it was 2% in 2016/17, so 1.99%
is the usual maximum"); a cash allowance is allowed in full ("the 10 lowest precepting
PCCs could increase their precept by £5", history-2010-2016.csv).

Where the rule asks for more than the limit allows, the rise is cut to the limit and the
cut is recorded (the flag ``precept_capped`` and the council tax it forgoes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.declare.inputs import PRECEPT_RULE_CODES

STATED, MAX_ALLOWED, TO_BALANCE = (PRECEPT_RULE_CODES[rule] for rule in ("stated", "max_allowed", "to_balance"))
"""Precept rule codes (declared in :data:`model.declare.inputs.PRECEPT_RULE_CODES`)."""

RATE_LIMIT_MARGIN = 0.0001
"""A rise at or above a rate limit needs a referendum: the largest allowed is 0.01 of a point below it."""

CAP_TOLERANCE = 1e-9
"""£ of band D below which an asked rise counts as within the limit."""


@dataclass
class PreceptRules:
    """Every year's precept rule, stated rise and referendum limit, worked out once for the yearly decisions.

    Each array has shape ``(years, paths)``; each ``any_`` array has shape ``(years,)``. Built
    from the drivers by :meth:`from_drivers`.

    Attributes
    ----------
    rate, cash : ndarray
        The stated rise as a rate of last year's band D, and as £ (one of them zero).
    largest_rate : ndarray
        The largest rise a rate limit allows, as a rate: ``max(limit_rate − 0.0001, 0)``.
    cash_limit : ndarray
        A cash limit in £, or 0 where the limit is a rate.
    cash_limited, max_allowed, to_balance : ndarray of bool
        Where the limit is in cash; where the rule is :data:`MAX_ALLOWED`; :data:`TO_BALANCE`.
    any_cash_limited, any_max_allowed, any_to_balance : ndarray of bool
        Whether any path has each, year by year.
    """

    rate: np.ndarray
    cash: np.ndarray
    largest_rate: np.ndarray
    cash_limit: np.ndarray
    cash_limited: np.ndarray
    max_allowed: np.ndarray
    to_balance: np.ndarray
    any_cash_limited: np.ndarray
    any_max_allowed: np.ndarray
    any_to_balance: np.ndarray

    @classmethod
    def from_drivers(cls, drivers: dict[str, np.ndarray]) -> PreceptRules:
        """From the drivers ``precept_rule``, ``precept_rate``, ``precept_cash``, ``limit_rate`` and ``limit_cash``, each (years, paths)."""
        # In C order: the drivers may be views of (paths, years) arrays, and these are read a year at a time.
        cash_limited = np.greater(drivers["limit_cash"], 0.0, order="C")
        rule = np.ascontiguousarray(drivers["precept_rule"])
        max_allowed = rule == MAX_ALLOWED
        to_balance = rule == TO_BALANCE
        largest_rate = np.subtract(drivers["limit_rate"], RATE_LIMIT_MARGIN, order="C")
        return cls(rate=drivers["precept_rate"], cash=drivers["precept_cash"],
                   largest_rate=np.maximum(largest_rate, 0.0, out=largest_rate),
                   cash_limit=drivers["limit_cash"], cash_limited=cash_limited, max_allowed=max_allowed,
                   to_balance=to_balance, any_cash_limited=cash_limited.any(axis=1),
                   any_max_allowed=max_allowed.any(axis=1), any_to_balance=to_balance.any(axis=1))

    def balances(self, t: int, to_limit: np.ndarray | None = None) -> bool:
        """Whether any path's rule in year ``t`` is :data:`TO_BALANCE`.

        ``to_limit`` (paths,) marks paths whose rule a management action has made :data:`MAX_ALLOWED`.
        """
        if not self.any_to_balance[t]:
            return False
        return to_limit is None or bool((self.to_balance[t] & ~to_limit).any())


def allowed_rise(rules: PreceptRules, t: int, band_d_previous: np.ndarray) -> np.ndarray:
    """The largest band D rise (£) allowed without a referendum in year ``t``.

    Parameters
    ----------
    rules : PreceptRules
    t : int
        The year.
    band_d_previous : ndarray, shape (paths,)
        Last year's band D, £.

    Returns
    -------
    ndarray, shape (paths,)
        ``band_d_previous × max(limit_rate − 0.0001, 0)`` for a rate limit, ``limit_cash``
        for a cash one.
    """
    by_rate = np.multiply(band_d_previous, rules.largest_rate[t])
    if not rules.any_cash_limited[t]:
        return by_rate
    return np.where(rules.cash_limited[t], rules.cash_limit[t], by_rate)


def asked_rise(rules: PreceptRules, t: int, band_d_previous: np.ndarray, allowed: np.ndarray,
               needed: np.ndarray | None, to_limit: np.ndarray | None = None) -> np.ndarray:
    """The band D rise (£) each path's rule asks for in year ``t``, before the limit.

    Parameters
    ----------
    rules : PreceptRules
    t : int
        The year.
    band_d_previous : ndarray, shape (paths,)
    allowed : ndarray, shape (paths,)
        From :func:`allowed_rise`.
    needed : ndarray, shape (paths,), optional
        The rise that would close the gap, where the rule is :data:`TO_BALANCE`
        (when :meth:`PreceptRules.balances`); without it that rule asks for the stated rise.
    to_limit : ndarray of bool, shape (paths,), optional
        Paths whose rule a management action has made :data:`MAX_ALLOWED`.
    """
    asked = np.multiply(band_d_previous, rules.rate[t])
    asked += rules.cash[t]
    if to_limit is not None:
        asked = np.where(to_limit | rules.max_allowed[t], allowed, asked)
    elif rules.any_max_allowed[t]:
        asked = np.where(rules.max_allowed[t], allowed, asked)
    if needed is not None:
        balancing = rules.to_balance[t] if to_limit is None else rules.to_balance[t] & ~to_limit
        asked = np.where(balancing, np.maximum(needed, 0.0), asked)
    return asked
