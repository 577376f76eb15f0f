"""Quantities as text, in one place: money, band D, rates, years and probabilities.

Every number the tool prints, draws or writes as words goes through one of these, so a
convention (brackets for negatives, band D to the penny, rates with ``%``) is decided once.

=====================  ============================================  ======================
function               for                                           example
=====================  ============================================  ======================
:func:`format_money`   narrative and console £m                      ``£6.3m``, ``(£4.5m)``
:func:`format_table_money`  a £m table cell                          ``6.3``, ``(4.5)``
:func:`format_figure`  a finance-table cell (£m, band D to the penny)  ``(4.5)``, ``177.61``
:func:`format_pounds`  band D                                        ``£177.61``
:func:`format_quantity`  a value as a scenario file writes it        ``1.99%``, ``£4.45m``
:func:`format_value`   a value as a reader writes it                 ``1.99%``, ``£4.5m``
:func:`format_percent`  a probability                                ``5.8%``, ``0.36%``
=====================  ============================================  ======================
"""

from __future__ import annotations

import math
import sys

from model.declare.fiscal import BUDGET_YEAR, format_fiscal_year

MISSING_CELL = "–"
"""What a table shows where it has no figure."""


def format_money(value_m: float, decimals: int = 1, brackets: bool = True) -> str:
    """Format £m the way a budget book does: ``£6.3m``; negatives in brackets ``(£4.5m)``."""
    text = f"£{abs(value_m):,.{decimals}f}m"
    if value_m < 0 and round(abs(value_m), decimals) != 0:
        return f"({text})" if brackets else f"-{text}"
    return text



def format_table_money(value_m: float, decimals: int = 1) -> str:
    """Format a table cell in £m without the symbol: ``6.3``; negatives ``(4.5)``."""
    text = f"{abs(value_m):,.{decimals}f}"
    if value_m < 0 and round(abs(value_m), decimals) != 0:
        return f"({text})"
    return text



def format_pounds(value: float) -> str:
    """Format a band D amount to the penny: ``£177.61``."""
    sign = "-" if value < 0 and round(abs(value), 2) != 0 else ""
    return f"{sign}£{abs(value):,.2f}"



def format_quantity(value: float, unit: str) -> str:
    """Format a value in internal units back into its written form."""
    if unit == "rate":
        return f"{value * 100:.4g}%"
    if unit == "money":
        return f"£{value:.4g}m" if value >= 0 else f"-£{-value:.4g}m"
    if unit == "pounds":
        return format_pounds(value)
    if unit == "years":
        return f"{value:g} years"
    if unit == "fiscal_year":
        return format_fiscal_year(BUDGET_YEAR + math.ceil(value - 1e-9))
    return f"{value:,.0f}"


def format_value(value: float, unit: str) -> str:
    """A value in internal units as a reader writes it (rates to two decimals, money to one)."""
    if unit == "rate":
        return f"{value * 100:.2f}%"
    if unit == "money":
        return format_money(value, brackets=False)
    if unit == "pounds":
        return format_pounds(value)
    if unit == "years":
        return f"{value:.2f} years"
    return format_quantity(value, unit)


def format_figure(value: float, unit: str) -> str:
    """A finance-table cell: £m to one decimal with bracketed negatives, band D to the penny.

    Parameters
    ----------
    value : float
        The figure; NaN when missing.
    unit : str
        ``"pounds"`` for band D; anything else is £m.

    Returns
    -------
    str
        ``"(4.5)"``, ``"1,234.6"``, ``"177.61"`` or ``"–"``.
    """
    if value is None or not math.isfinite(value):
        return MISSING_CELL
    return format_table_money(value, decimals=2 if unit == "pounds" else 1)


def format_percent(p: float) -> str:
    """A probability as a percentage: one decimal, two below 1%, one significant figure below 0.1%.

    Parameters
    ----------
    p : float
        Probability in [0, 1].

    Returns
    -------
    str
        ``0.0584`` → ``"5.8%"``; ``0.00355`` → ``"0.36%"``; ``0.00019`` → ``"0.02%"``;
        ``0`` → ``"0%"``.
    """
    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    if p < 0.001:
        return f"{p * 100:.1g}%"
    text = f"{p * 100:.2f}%" if p < 0.01 else f"{p * 100:.1f}%"
    # Never round a possible event to 0% or a not-certain one to 100%.
    return {"100.0%": "99.9%"}.get(text, text)


ECHO_CHARACTERS = 40
"""How much of a user's value an error message repeats; a longer value is cut and its length given."""


def echo(value: object) -> str:
    """A user's value as an error message repeats it, at most :data:`ECHO_CHARACTERS` characters of it.

    Text is quoted (``'2 percent'``) and a longer text cut, with its length:
    ``'12345678901234567890…' (100,000 characters)``; anything else is shown as Python
    writes it (``0.02``), cut the same way. Non-printable characters are shown escaped
    (``\\x1b``), never sent to the terminal.
    """
    text = value if isinstance(value, str) else _plain(value)
    shown = text if len(text) <= ECHO_CHARACTERS else text[:ECHO_CHARACTERS] + "…"
    quoted = repr(shown) if isinstance(value, str) else shown
    if len(text) > ECHO_CHARACTERS:
        quoted += f" ({len(text):,} characters)"
    return quoted


def _plain(value: object) -> str:
    try:
        return repr(value)
    except ValueError:  # an int too long for Python to print
        return f"<a number of more than {sys.get_int_max_str_digits():,} digits>"
