"""Fiscal years, written the way finance teams write them: ``2016/17`` (1 April to 31 March)."""

from __future__ import annotations

import re

BUDGET_YEAR = 2016
"""The budget year the force baselines describe: 2016/17, set in February 2016."""

LAST_MODEL_YEAR = 2019
"""The last year the baselines support: 2019/20, the end of the 2016 MTFS horizon."""

MODEL_YEARS: tuple[str, ...] = tuple(
    f"{y}/{(y + 1) % 100:02d}" for y in range(BUDGET_YEAR, LAST_MODEL_YEAR + 1)
)
"""Every fiscal year the model can project: ``('2016/17', '2017/18', '2018/19', '2019/20')``."""

_FISCAL = re.compile(r"^(?P<start>\d{4})/(?P<end>\d{2})$", re.ASCII)
_NEAR_MISS = re.compile(r"^(?P<start>\d{4})\s*[-–_ ]\s*(?P<end>\d{2}|\d{4})$", re.ASCII)


class FiscalYearError(ValueError):
    """A fiscal year not written as ``2016/17`` or outside the model horizon."""


def parse_fiscal_year(raw: object) -> int:
    """Parse ``'2017/18'`` into its starting calendar year, 2017.

    Raises
    ------
    FiscalYearError
        For other spellings (``2017-18``, ``2017``), non-consecutive years
        (``2017/19``) and anything that is not a string.
    """
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    if text is None:
        raise FiscalYearError(f"expected a fiscal year written like '2017/18'; found {raw!r}")
    match = _FISCAL.match(text)
    if match:
        start = int(match.group("start"))
        if (start + 1) % 100 != int(match.group("end")):
            raise FiscalYearError(
                f"expected a fiscal year of consecutive years like '{start}/{(start + 1) % 100:02d}'; found {text!r}"
            )
        return start
    near = _NEAR_MISS.match(text)
    if near:
        start = int(near.group("start"))
        raise FiscalYearError(
            f"expected a fiscal year written with a slash like '{start}/{(start + 1) % 100:02d}'; found {text!r}"
        )
    raise FiscalYearError(f"expected a fiscal year written like '2017/18'; found {raw!r}")


def format_fiscal_year(start: int) -> str:
    """Format a starting calendar year as a fiscal year: 2017 → ``'2017/18'``."""
    return f"{start}/{(start + 1) % 100:02d}"


def model_year_index(raw: object) -> int:
    """Index of a fiscal year within :data:`MODEL_YEARS` (2016/17 → 0).

    Raises
    ------
    FiscalYearError
        If the year is outside 2016/17–2019/20.
    """
    start = parse_fiscal_year(raw)
    if not BUDGET_YEAR <= start <= LAST_MODEL_YEAR:
        raise FiscalYearError(
            f"expected a fiscal year from {MODEL_YEARS[0]} to {MODEL_YEARS[-1]} (the model horizon); "
            f"found {format_fiscal_year(start)!r}"
        )
    return start - BUDGET_YEAR
