"""Force baselines: every figure has provenance, every quote is verbatim, the plans reproduce the seeds."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DATA, SHARED

from model.engine.projection import project_force
from model.io.forces import available_forces, evaluate_figures, load_force, load_national
from model.io.provenance import provenance_table, quote_problem, source_texts
from model.sampling.draws import force_inputs
from model.sampling.setup import load_setup

FORCES = ("staffordshire", "leicestershire", "hertfordshire")


@pytest.fixture(scope="module")
def national():
    return load_national(DATA)


@pytest.fixture(scope="module")
def forces(national):
    return {force_id: load_force(DATA, force_id, national) for force_id in FORCES}


@pytest.fixture(scope="module")
def plan_lines(tmp_path_factory):
    """The deterministic force-plan case for all three forces."""
    path = tmp_path_factory.mktemp("plan") / "plan.yaml"
    path.write_text("title: plan\ndescription: plan\nforces: [staffordshire, leicestershire, hertfordshire]\n")
    setup = load_setup(path)
    lines = {}
    for force_id in FORCES:
        projection = project_force(force_inputs(setup, force_id, 0, 1, case="force_plan"))
        lines[force_id] = {name: values[0] for name, values in projection.lines.items()}
        lines[force_id]["reserves"] = projection.earmarked_by_reserve[0]
    return setup, lines


def test_the_three_forces_are_in_data():
    assert set(FORCES) <= set(available_forces(DATA))


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared/seeds not present")
def test_every_quote_is_verbatim_in_its_source(national, forces):
    texts = source_texts(SHARED)
    checked = 0
    for owner in [national, *forces.values()]:
        for figure in owner.figures.values():
            if figure.kind == "sourced":
                assert quote_problem(figure, texts) is None, f"{owner.path.name}: {figure.name}: {quote_problem(figure, texts)}"
                checked += 1
    assert checked > 60


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared/seeds not present")
def test_a_misquote_is_caught(forces):
    import dataclasses

    texts = source_texts(SHARED)
    figure = forces["staffordshire"].figures["reserves.general"]
    assert quote_problem(dataclasses.replace(figure, quote=figure.quote.replace("6.3", "6.8")), texts)
    assert quote_problem(dataclasses.replace(figure, value=7.1), texts)


def test_every_assumption_has_a_range_and_a_reason(forces):
    for force in forces.values():
        table = provenance_table(force)
        assumptions = table[table.kind == "assumption"]
        assert not assumptions.empty
        assert (assumptions.low != "").all() and (assumptions.high != "").all() and (assumptions.detail.str.len() > 20).all()
        assert set(table.kind) <= {"sourced", "derived", "assumption"}


def test_every_force_records_its_contradictions(forces):
    for force in forces.values():
        assert force.contradictions, force.id
        for item in force.contradictions:
            assert len(item.figures) >= 2 and item.used and item.reason


def test_staffordshire_two_implied_nres_are_both_recorded(forces):
    values = evaluate_figures(forces["staffordshire"].figures)
    assert values["budget.net_revenue_expenditure"] == pytest.approx(180.0)
    assert values["context.nre_implied_by_collaboration_share"] == pytest.approx(127.5)


def test_hertfordshire_precept_figures_agree_with_each_other(forces):
    values = evaluate_figures(forces["hertfordshire"].figures)
    # £0.524m of tax base growth less the £0.346m cut is the £178k of public-figures-2016.csv.
    assert values["context.net_council_tax_change_2016_17"] == pytest.approx(0.178)
    # A £5 band D rise on the derived tax base raises HMIC's '£2.1m' (to rounding).
    assert 5.0 * values["budget.tax_base"] / 1e6 == pytest.approx(2.1, abs=0.05)
    # Reserves add up to the £48.3m HMIC gives.
    opening = [values[r.opening] for r in forces["hertfordshire"].earmarked]
    assert sum(opening) + values["reserves.general"] == pytest.approx(48.3)


def test_hertfordshire_base_budget_support_falls_by_4_45m_a_year(plan_lines):
    setup, lines = plan_lines
    names = [r.name for r in setup.forces["hertfordshire"].earmarked]
    reserve = lines["hertfordshire"]["reserves"][:, names.index("base_budget_support")]
    np.testing.assert_allclose(reserve, [25.3 - 4.45 * k for k in (1, 2, 3, 4)], atol=1e-9)
    assert 25.3 - reserve[-1] == pytest.approx(17.8)
    np.testing.assert_allclose(lines["hertfordshire"]["uncovered_deficit"], 0.0)


def test_staffordshire_general_holds_while_earmarked_falls_to_14_9m(plan_lines):
    _, lines = plan_lines
    np.testing.assert_allclose(lines["staffordshire"]["general_reserve"], 6.3, atol=1e-9)
    np.testing.assert_allclose(lines["staffordshire"]["earmarked_reserves"], [19.1, 17.7, 16.3, 14.9], atol=1e-9)


def test_staffordshire_plan_needs_about_the_9m_of_savings_hmic_reports(plan_lines):
    _, lines = plan_lines
    staffs = lines["staffordshire"]
    # Derived from the force's planning assumptions, not fitted to the £9m target. The model adds two costs
    # HMIC's April 2016 figure may not yet carry (its contradictions say so): the apprenticeship levy and
    # the cost of new borrowing for estates and ICT; without them the requirement is HMIC's £9m.
    new_costs = staffs["apprenticeship_levy"][-1] + staffs["capital_financing"][-1] - staffs["capital_financing"][0]
    assert staffs["savings_required"][-1] - new_costs == pytest.approx(9.0, abs=1.0)
    assert 1.5 < new_costs < 4.0


def test_leicestershire_general_reserve_is_6m_throughout_the_plan(plan_lines):
    _, lines = plan_lines
    np.testing.assert_allclose(lines["leicestershire"]["general_reserve"], 6.0, atol=1e-9)
    # Grant falls 1% a year as the force assumed.
    grant = lines["leicestershire"]["grant"]
    np.testing.assert_allclose(grant[1:] / grant[:-1], 0.99)


def test_plans_balance_each_year(plan_lines):
    _, lines = plan_lines
    for force_id in FORCES:
        np.testing.assert_allclose(lines[force_id]["gap"], lines[force_id]["planned_reserve_use"], atol=1e-9)
        assert lines[force_id]["spend"][0] == pytest.approx(lines[force_id]["funding"][0] + lines[force_id]["planned_reserve_use"][0])
