"""The unit convention, parsed and formatted in one place.

Every quantity a user writes carries its unit, so a bare number is never ambiguous:

==========  ===================  ==========================  =====================
unit        written as           examples                    held internally as
==========  ===================  ==========================  =====================
``rate``    number + ``%``       ``1.99%``, ``-1%``, ``+2%``  fraction (0.0199)
``money``   ``£`` number ``m``   ``£4.45m``, ``-£0.346m``     £ million (4.45)
``pounds``  ``£`` number         ``£5``, ``£177.61``          £ (5.0)
``years``   number ``year(s)``   ``1 year``, ``0.5 years``    years (0.5)
``count``   number + word        ``1,660 FTE``, ``429,200     plain number
                                 band D equivalents``
``fiscal_   a fiscal year        ``2019/20``                  years after 2016/17 (3)
year``
==========  ===================  ==========================  =====================

YAML reads every one of these as a string, so a bare ``2`` (an int) or ``0.02`` (a
float) is rejected with a message that shows the accepted forms.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from model.declare.fiscal import BUDGET_YEAR, FiscalYearError, parse_fiscal_year
from model.declare.formatting import echo

UNIT_FORMS: dict[str, str] = {
    "rate": "a rate with its % sign, e.g. '1.99%' or '-1%'",
    "money": "money in £ million, e.g. '£4.45m' or '-£0.35m'",
    "pounds": "a band D amount in pounds, e.g. '£5' or '£177.61'",
    "years": "a number of years, e.g. '1 year' or '0.5 years'",
    "count": "a count with its unit word, e.g. '1,660 FTE'",
    "fiscal_year": "a fiscal year, e.g. '2019/20'",
}

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
"""Digits are ASCII only (the patterns are compiled with ``re.ASCII``): '٢%' or '２%' is not 2%."""
_PATTERNS: dict[str, re.Pattern[str]] = {
    "rate": re.compile(rf"^(?P<sign>[+-]?)\s*(?P<num>{_NUMBER})\s*%$", re.ASCII),
    "money": re.compile(rf"^(?P<sign>[+-]?)\s*£\s*(?P<num>{_NUMBER})\s*m$", re.ASCII),
    "pounds": re.compile(rf"^(?P<sign>[+-]?)\s*£\s*(?P<num>{_NUMBER})$", re.ASCII),
    "years": re.compile(rf"^(?P<sign>[+-]?)\s*(?P<num>{_NUMBER})\s*years?$", re.ASCII),
    "count": re.compile(rf"^(?P<sign>[+-]?)\s*(?P<num>{_NUMBER})(?:\s+[A-Za-z][A-Za-z ()/-]*)?$", re.ASCII),
    "fiscal_year": re.compile(r"^(?P<sign>)(?P<num>\d{4})/(?P<end>\d{2})$", re.ASCII),
}
_BARE_NUMBER = re.compile(rf"^[+-]?(?:{_NUMBER})$", re.ASCII)


def bare_number(text: str) -> float | None:
    """A number written without a unit (``'118.4'``, ``'-1,250'``, ``'.5'``), or ``None`` for any other text.

    Thousands are separated by commas in groups of three; digits are ASCII only.
    """
    return float(text.replace(",", "")) if _BARE_NUMBER.match(text) else None


_SCALE = {"rate": 0.01, "money": 1.0, "pounds": 1.0, "years": 1.0, "count": 1.0, "fiscal_year": 1.0}


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: its value in internal units, its unit and the text it came from."""

    value: float
    unit: str
    text: str

    def __float__(self) -> float:
        return self.value


class UnitError(ValueError):
    """A value that is not written in any accepted unit form."""


def detect_unit(text: str) -> str | None:
    """Return the unit kind a string is written in, or ``None`` if it matches none.

    ``count`` is only reported for strings that carry a unit word, so that a bare
    ``"5"`` (a string that looks like a number) is not mistaken for a count.
    """
    stripped = text.strip()
    for unit in ("rate", "money", "pounds", "years", "fiscal_year"):
        if _PATTERNS[unit].match(stripped):
            return unit
    match = _PATTERNS["count"].match(stripped)
    if match and stripped != match.group("sign") + match.group("num"):
        return "count"
    return None


def parse_quantity(raw: object, allowed: tuple[str, ...]) -> Quantity:
    """Parse a unit-carrying string into a :class:`Quantity`.

    Parameters
    ----------
    raw : object
        The YAML value. Must be a string; ints, floats and booleans are rejected.
    allowed : tuple of str
        Unit kinds accepted here (keys of :data:`UNIT_FORMS`).

    Returns
    -------
    Quantity
        Value in internal units: rates as fractions, money in £m, pounds in £.

    Raises
    ------
    UnitError
        With a message listing the accepted forms.
    """
    expected = " or ".join(UNIT_FORMS[u] for u in allowed)
    if isinstance(raw, bool) or not isinstance(raw, str):
        hint = ""
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            hint = f" (a bare number is ambiguous: write it with its unit, e.g. {_example(raw, allowed)})"
        raise UnitError(f"expected {expected}; found {echo(raw)}{hint}")
    unit = detect_unit(raw)
    if unit is None or unit not in allowed:
        found_as = f" (that is {UNIT_FORMS[unit].split(',')[0]})" if unit else ""
        if unit is None and any(c.isdigit() and not c.isascii() for c in raw):
            found_as = " (digits must be 0-9)"
        raise UnitError(f"expected {expected}; found {echo(raw)}{found_as}")
    if unit == "fiscal_year":
        try:
            start = parse_fiscal_year(raw)
        except FiscalYearError as exc:
            raise UnitError(str(exc)) from None
        return Quantity(value=float(start - BUDGET_YEAR), unit=unit, text=raw.strip())
    match = _PATTERNS[unit].match(raw.strip())
    assert match is not None
    number = float(match.group("num").replace(",", ""))
    value = (-number if match.group("sign") == "-" else number) * _SCALE[unit]
    if not math.isfinite(value):
        raise UnitError(f"expected a finite number; found {echo(raw)}")
    return Quantity(value=value, unit=unit, text=raw.strip())


def _example(number: float, allowed: tuple[str, ...]) -> str:
    unit = allowed[0]
    if unit == "rate":
        if 0 < abs(number) < 1:
            return f"'{number * 100:g}%' if {number:g} is a fraction, or '{number:g}%'"
        return f"'{number:g}%'"
    if unit == "money":
        return f"'£{number:g}m'"
    if unit == "pounds":
        return f"'£{number:g}'"
    if unit == "years":
        return f"'{number:g} years'"
    if unit == "fiscal_year":
        return "'2019/20'"
    return f"'{number:g} FTE'"


