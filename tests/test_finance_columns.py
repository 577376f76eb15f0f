"""The finance officer's table adds up down every column, on every committed scenario (issue: columns that add up)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SCENARIOS

from model import pipeline
from model.declare.outputs import FINANCE_COLUMNS
from model.report.tables import finance_table, finance_table_wide

PENNY = 0.01 / 1e6
"""One penny in £m."""

SPENDING_LINES = ("pay", "non_pay", "collaboration", "pension_costs", "apprenticeship_levy", "pressures",
                  "capital_financing", "revenue_contribution_to_capital", "one_off_spend", "savings_delivered")


@pytest.fixture(scope="module", params=sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
def run(request):
    return pipeline.run_scenario(SCENARIOS / f"{request.param}.yaml", paths=256)


def test_every_column_adds_up_to_its_subtotals_to_the_penny(run):
    for force in run.info.force_ids:
        wide = finance_table_wide(finance_table(run.cases, force)).set_index("metric")
        reserves = [m for m in wide.index if m.startswith("reserve_")]
        columns = [c for c in wide.columns if isinstance(c, tuple)]
        assert {case for _, case in columns} == set(FINANCE_COLUMNS)
        for column in columns:
            line = wide[column]
            assert abs(line["grant"] + line["precept"] - line["funding"]) < PENNY, (force, column)
            # Deductions carry their sign in the table: "Less savings delivered" is negative.
            assert abs(sum(line[m] for m in SPENDING_LINES) - line["spend"]) < PENNY, (force, column)
            assert abs(line["spend"] - line["funding"] - line["gap"]) < PENNY, (force, column)
            assert abs(line["gap"] + line["planned_reserve_use"] - line["unplanned_gap"]) < PENNY, (force, column)
            assert abs(line["general_reserve"] + sum(line[m] for m in reserves) - line["total_reserves"]) < PENNY
            assert line["savings_delivered"] <= 0 and line["planned_reserve_use"] <= 0


def test_each_column_is_one_deterministic_case_of_the_run(run):
    force = run.info.force_ids[0]
    table = finance_table(run.cases, force)
    cases = run.cases[run.cases["force"] == force].set_index(["case", "year", "metric"])["value"]
    for row in table[table["metric"] == "total_reserves"].itertuples():
        assert row.value == pytest.approx(cases[(row.case, row.year, "total_reserves")], abs=PENNY)
    assert not pd.isna(table["value"]).any()
