"""The unit convention: rates carry %, money £…m, band D £, years 'years'; bare numbers never pass."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.declare.fiscal import FiscalYearError, format_fiscal_year, model_year_index, parse_fiscal_year
from model.declare.formatting import format_money, format_pounds, format_table_money
from model.declare.units import UnitError, bare_number, parse_quantity


@pytest.mark.parametrize(
    "text, units, value, unit",
    [
        ("1.99%", ("rate",), 0.0199, "rate"),
        ("-1%", ("rate",), -0.01, "rate"),
        ("+2%", ("rate",), 0.02, "rate"),
        ("£4.45m", ("money",), 4.45, "money"),
        ("-£0.346m", ("money",), -0.346, "money"),
        ("£1,234.5m", ("money",), 1234.5, "money"),
        ("£5", ("rate", "pounds"), 5.0, "pounds"),
        ("£177.61", ("pounds",), 177.61, "pounds"),
        ("0.5 years", ("years",), 0.5, "years"),
        ("1 year", ("years",), 1.0, "years"),
        ("1,660 FTE", ("count",), 1660.0, "count"),
    ],
)
def test_parse_accepted_forms(text, units, value, unit):
    quantity = parse_quantity(text, units)
    assert quantity.value == pytest.approx(value, abs=1e-12)
    assert quantity.unit == unit


@pytest.mark.parametrize("raw", [2, 0.02, True, None, "2", "0.02", "2 %%", "£5m%", "five percent"])
def test_bare_numbers_and_garbage_are_rejected_with_the_accepted_forms(raw):
    with pytest.raises(UnitError) as info:
        parse_quantity(raw, ("rate",))
    assert "'1.99%'" in str(info.value)


def test_a_rate_where_money_is_expected_says_what_it_found():
    with pytest.raises(UnitError, match="that is a rate"):
        parse_quantity("2%", ("money",))


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_bare_floats_never_parse(number):
    with pytest.raises(UnitError):
        parse_quantity(number, ("rate", "money", "pounds"))


@given(st.decimals(min_value=-500, max_value=500, places=2))
def test_rates_round_trip(number):
    text = f"{number}%"
    assert parse_quantity(text, ("rate",)).value == pytest.approx(float(number) / 100, abs=1e-12)


def test_finance_formats():
    assert format_money(6.3) == "£6.3m"
    assert format_money(-4.46) == "(£4.5m)"
    assert format_money(-0.01) == "£0.0m"
    assert format_table_money(-4.46) == "(4.5)"
    assert format_pounds(177.61) == "£177.61"
    assert format_pounds(147) == "£147.00"


def test_fiscal_years():
    assert parse_fiscal_year("2017/18") == 2017
    assert format_fiscal_year(2019) == "2019/20"
    assert model_year_index("2016/17") == 0
    assert model_year_index("2019/20") == 3
    with pytest.raises(FiscalYearError, match="with a slash like '2017/18'"):
        parse_fiscal_year("2017-18")
    with pytest.raises(FiscalYearError, match="consecutive"):
        parse_fiscal_year("2017/19")
    with pytest.raises(FiscalYearError, match="model horizon"):
        model_year_index("2020/21")


@pytest.mark.parametrize("text, value", [("118.4", 118.4), ("-1,250", -1250.0), ("+.5", 0.5), ("0", 0.0),
                                         ("12,345.67", 12345.67)])
def test_a_bare_number_is_read(text, value):
    assert bare_number(text) == value


@pytest.mark.parametrize("text", ["", "1,2345", "12,34", "1.2.3", "£5", "5%", "٢", "２", "1 000", "-", "1e3"])
def test_anything_else_is_not_a_bare_number(text):
    assert bare_number(text) is None


@given(st.text(alphabet="0123456789,.+-", max_size=12))
def test_bare_numbers_are_what_python_reads_once_the_commas_are_gone(text):
    value = bare_number(text)
    if value is not None:
        assert value == float(text.replace(",", ""))
