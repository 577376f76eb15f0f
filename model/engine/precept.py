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

import numpy as np

from model.declare.inputs import PRECEPT_RULE_CODES

STATED, MAX_ALLOWED, TO_BALANCE = (PRECEPT_RULE_CODES[rule] for rule in ("stated", "max_allowed", "to_balance"))
"""Precept rule codes (declared in :data:`model.declare.inputs.PRECEPT_RULE_CODES`)."""

RATE_LIMIT_MARGIN = 0.0001
"""A rise at or above a rate limit needs a referendum: the largest allowed is 0.01 of a point below it."""

CAP_TOLERANCE = 1e-9
"""£ of band D below which an asked rise counts as within the limit."""


def allowed_rise(band_d_previous: np.ndarray, limit_rate: np.ndarray, limit_cash: np.ndarray) -> np.ndarray:
    """The largest band D rise (£) allowed without a referendum.

    Parameters
    ----------
    band_d_previous : ndarray, shape (paths,)
        Last year's band D, £.
    limit_rate : ndarray, shape (paths,)
        A rate limit as a fraction (0.02 for 2%), or 0 where the limit is a cash amount.
    limit_cash : ndarray, shape (paths,)
        A cash limit in £ (5.0 for £5), or 0 where the limit is a rate.

    Returns
    -------
    ndarray, shape (paths,)
        ``band_d_previous × max(limit_rate − 0.0001, 0)`` for a rate limit, ``limit_cash``
        for a cash one.
    """
    by_rate = band_d_previous * np.maximum(limit_rate - RATE_LIMIT_MARGIN, 0.0)
    return np.where(limit_cash > 0.0, limit_cash, by_rate)


def asked_rise(rule: np.ndarray, band_d_previous: np.ndarray, rate: np.ndarray, cash: np.ndarray,
               allowed: np.ndarray, needed: np.ndarray | None) -> np.ndarray:
    """The band D rise (£) each path's rule asks for, before the limit.

    Parameters
    ----------
    rule : ndarray of int, shape (paths,)
        :data:`STATED`, :data:`MAX_ALLOWED` or :data:`TO_BALANCE`.
    band_d_previous : ndarray, shape (paths,)
    rate, cash : ndarray, shape (paths,)
        The stated rise as a rate and a cash amount (one of them zero).
    allowed : ndarray, shape (paths,)
        From :func:`allowed_rise`.
    needed : ndarray, shape (paths,), optional
        The rise that would close the gap (for :data:`TO_BALANCE`); required when any path
        has that rule.
    """
    stated = band_d_previous * rate + cash
    asked = np.where(rule == MAX_ALLOWED, allowed, stated)
    if needed is not None:
        asked = np.where(rule == TO_BALANCE, np.maximum(needed, 0.0), asked)
    return asked
