"""Shared test helpers: synthetic report tables, a synthetic force for the engine, and the bad-input cases.

Test files import from here (or from ``conftest.py``), never from one another.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import MINIMAL

from model.engine.capital import Capital
from model.engine.projection import NO_ACTION, BudgetYear, Delivery, Drivers, ForceInputs, Levy, split_budget_year
from model.engine.waterfall import BUDGET_SUPPORT, GENERAL, ReservePolicy
from model.run.results import Appendix, ForceInfo, RunInfo, RunResult

FOUR_YEARS = ["2016/17", "2017/18", "2018/19", "2019/20"]



PERCENTILE_Z = {"p5": -1.645, "p10": -1.2816, "p25": -0.6745, "p50": 0.0, "p75": 0.6745, "p90": 1.2816, "p95": 1.645}



FORCE_SCALE = {"staffordshire": 1.0, "leicestershire": 1.2, "hertfordshire": 1.1}



FORCE_RESERVES = {
    "staffordshire": ("reserve_earmarked",),
    "leicestershire": ("reserve_budget_equalisation", "reserve_other_earmarked"),
    "hertfordshire": ("reserve_base_budget_support", "reserve_specific_change", "reserve_other_earmarked"),
}



SCENARIO = "central"



# Per metric: value in the first year, change per year, spread (one standard deviation) per year ahead.
METRIC_PATHS = {
    "grant": (110.0, -1.5, 0.6),
    "precept": (75.0, 2.0, 0.4),
    "band_d": (177.61, 3.5, 0.8),
    "tax_base": (300_000.0, 3_000.0, 1_500.0),
    "funding": (185.0, 0.5, 1.2),
    "pay": (140.0, 2.5, 1.0),
    "non_pay": (45.0, 0.8, 0.6),
    "collaboration": (6.0, 0.2, 0.2),
    "capital_financing": (3.0, 0.0, 0.3),
    "one_off_spend": (0.5, 0.0, 0.2),
    "spend": (191.0, 3.5, 1.5),
    "savings_required": (3.0, 2.0, 0.5),
    "savings_delivered": (3.0, 1.8, 0.8),
    "gap_before_savings": (6.0, 3.0, 1.5),
    "gap": (3.0, 2.0, 1.5),
    "cumulative_gap": (3.0, 5.0, 2.0),
    "planned_reserve_use": (2.0, 0.5, 0.5),
    "unplanned_gap": (1.0, 1.5, 1.2),
    "shortfall_met_from_reserves": (1.0, 1.4, 1.0),
    "surplus_to_reserves": (0.1, 0.0, 0.1),
    "general_reserve": (8.0, -1.2, 1.2),
    "general_reserve_minimum": (5.6, 0.05, 0.0),
    "earmarked_reserves": (20.0, -3.5, 1.5),
    "total_reserves": (28.0, -4.7, 2.0),
    "uncovered_deficit": (0.0, 0.6, 0.8),
    "reserve_cover_years": (12.0, -2.5, 1.5),
    "nre": (186.0, 1.6, 0.0),
}



RESERVE_PATH = (10.0, -2.0, 1.0)



def make_summary(forces: list[str], years: list[str]) -> pd.DataFrame:
    rows = []
    for force in forces:
        scale = FORCE_SCALE.get(force, 0.9)
        paths = METRIC_PATHS | {metric: RESERVE_PATH for metric in FORCE_RESERVES.get(force, ("reserve_general",))}
        for index, year in enumerate(years):
            for metric, (start, step, spread) in paths.items():
                centre = (start + step * index) * scale
                sd = spread * scale * (index + 1) ** 0.5
                row = {"scenario": SCENARIO, "force": force, "year": year, "metric": metric, "mean": centre}
                row.update({name: centre + z * sd for name, z in PERCENTILE_Z.items()})
                rows.append(row)
    return pd.DataFrame(rows)



def make_flags(forces: list[str], years: list[str]) -> pd.DataFrame:
    rows = []
    for force in forces:
        for base, flag in (
            (0.08, "general_below_minimum"),
            (0.03, "usable_reserves_exhausted"),
            (0.05, "uncovered_deficit"),
        ):
            cumulative = 0.0
            for index, year in enumerate(years):
                in_year = min(1.0, base * (index + 1) ** 1.5)
                cumulative = min(1.0, cumulative + in_year * 0.8)
                for name, probability in ((flag, in_year), (flag + "_by_year", cumulative)):
                    std_error = float(np.sqrt(probability * (1 - probability) / 2_000))
                    rows.append(
                        {"scenario": SCENARIO, "force": force, "year": year, "flag": name,
                         "probability": probability, "std_error": std_error}
                    )
    return pd.DataFrame(rows)



def make_plan(summary: pd.DataFrame) -> pd.DataFrame:
    plan = summary[["scenario", "force", "year", "metric"]].copy()
    plan["value"] = summary["p50"] * 0.98
    return plan


def make_cases(summary: pd.DataFrame, with_plan: bool = True) -> pd.DataFrame:
    """Deterministic case rows from a synthetic summary: each case one column of percentiles (plan: 98% of P50)."""
    columns = {"optimistic": "p90", "median_case": "p50", "pessimistic": "p10"}
    frames = []
    for case, column in columns.items():
        frame = summary[["scenario", "force", "year", "metric"]].copy()
        frame.insert(1, "case", case)
        frame["value"] = summary[column]
        frames.append(frame)
    if with_plan:
        plan = make_plan(summary)
        plan.insert(1, "case", "force_plan")
        frames.append(plan)
    return pd.concat(frames, ignore_index=True)



def make_info(forces: list[str], paths: int = 2_000, **changes) -> RunInfo:
    """The metadata of a synthetic run of ``forces``."""
    names = {"staffordshire": "Staffordshire Police", "leicestershire": "Leicestershire Police",
             "hertfordshire": "Hertfordshire Constabulary"}
    minimums = {"staffordshire": 0.03, "leicestershire": 0.03, "hertfordshire": 0.025}
    info = RunInfo(
        scenario_name=SCENARIO,
        title="Medium-term financial strategy 2016/17 to 2019/20: reserves risk",
        description=(
            "Central scenario: grant reductions in line with the 2015 Spending Review settlement, precept "
            "increases at each force's planned rate, pay awards of 1% a year and savings programmes delivered "
            "with the historical slippage. " * 3
        ),
        scenario_file="scenarios/central.yaml",
        scenario_sha256="0123456789abcdef" * 4,
        seed=20160401,
        paths=paths,
        version="0.1.0",
        created="2016-02-10T09:30:00+00:00",
        forces=tuple(ForceInfo(force, names.get(force, force.replace("_", " ").title()), "",
                               minimums.get(force)) for force in forces),
        sources=("Grant: forces planned flat cash or -1% a year.",),
        notes=("Savings slippage is assumed independent across forces.",),
    )
    return dataclasses.replace(info, **changes)


def make_result(forces: list[str], years: list[str], with_plan: bool = True, appendix: Appendix | None = None,
                info: RunInfo | None = None) -> RunResult:
    """A synthetic run: summary, flags and (optionally) plan tables with metadata and an appendix."""
    summary = make_summary(forces, years)
    plan = make_plan(summary) if with_plan else make_plan(summary).iloc[0:0]
    return RunResult(info=info or make_info(forces), summary=summary, flags=make_flags(forces, years), plan=plan,
                     cases=make_cases(summary, with_plan), appendix=appendix or Appendix.empty())


def make_appendix(forces: list[str], figures_per_force: int = 15) -> Appendix:
    provenance = pd.DataFrame([
        {"force": force, "figure": f"collaboration_spend.with_forces.{number}", "kind": "sourced", "value": "£5.1m",
         "low": "", "high": "", "source": "hmic-peel-efficiency-2016-staffordshire.txt (http://www.example.org/a/"
         "very/long/address/that/needs/breaking)", "detail": "Staffordshire Police has forecast that it will spend "
         "£5.1m in 2016/17 on collaboration with other police forces. " * (1 + number % 3)}
        for force in forces for number in range(figures_per_force)
    ])
    inputs = pd.DataFrame([
        {"input": "grant_change", "force": force, "year": "all years", "distribution": "triangular",
         "parameters": "low -3%, mode 0%, high 1%"} for force in forces
    ] + [{"input": "shock: major_operation", "force": ", ".join(forces), "year": "2016/17, 2017/18",
          "distribution": "5.0% a year × triangular cost", "parameters": "low £0.5m, mode £1m, high £4m"}])
    contradictions = pd.DataFrame([
        {"force": forces[0], "topic": "Net revenue expenditure", "figures": "£180m: one source; £127.5m: another",
         "used": "£180m", "reason": "Two independent sources agree."}
    ])
    return Appendix(provenance=provenance, inputs=inputs, contradictions=contradictions, correlations=pd.DataFrame())


YEARS = 3



def drivers(paths=1, **rates) -> Drivers:
    """Drivers with every rate as given (a number for all paths and years after the first); no referendum limit."""
    fields = {f.name: 0.0 for f in dataclasses.fields(Drivers)}
    fields.update(limit_rate=1e6)
    fields.update(rates)
    made = {name: np.full((paths, YEARS), float(value)) for name, value in fields.items()}
    made["precept_rule"] = made["precept_rule"].astype(np.int8)
    return Drivers(**made)


PLAN_RATES = dict(grant_change=-0.01, precept_rate=0.02, tax_base_growth=0.01, pay_award=0.01, non_pay_inflation=0.02)


def no_capital(paths=1, existing=2.0) -> Capital:
    """A capital account with no programme: only £``existing``m a year of existing financing."""
    zeros = np.zeros((paths, YEARS))
    return Capital(programme=zeros.copy(), grant=zeros.copy(), receipts=zeros.copy(), revenue_contribution=zeros.copy(),
                   asset_life=np.full(paths, 10.0), existing_financing=np.full(paths, existing))


def synthetic_force(paths=1, outcome=None, delivery=None, policy=None, *, plan=None, capital=None, levy=None,
                    kinds=(BUDGET_SUPPORT, BUDGET_SUPPORT), action=NO_ACTION, planned_use=None) -> ForceInputs:
    """A small force: grant £100m, band D £200 on 250,000 properties (£50m), savings £3m, draws £2m a year.

    No capital programme (£2m a year of existing financing), no levy and no pressures unless given;
    officers are 70% of pay. Both earmarked reserves support the budget unless ``kinds`` says otherwise.
    """
    funding = np.full(paths, 150.0)
    nre, paybill, non_pay = split_budget_year(funding, np.full(paths, 2.0), np.full(paths, 3.0), np.full(paths, 2.0),
                                              np.full(paths, 0.8))
    budget = BudgetYear(grant=np.full(paths, 100.0), precept=np.full(paths, 50.0), band_d=np.full(paths, 200.0),
                        tax_base=np.full(paths, 250_000.0), paybill=paybill, non_pay=non_pay,
                        capital_financing=np.full(paths, 2.0), savings=np.full(paths, 3.0),
                        officer_share=np.full(paths, 0.7))
    if planned_use is None:
        planned_use = np.zeros((paths, YEARS, 2))
        planned_use[:, :, 0] = 2.0
    return ForceInputs(
        budget=budget,
        plan=plan or drivers(paths, **PLAN_RATES),
        outcome=outcome or drivers(paths, **PLAN_RATES),
        delivery=delivery or Delivery(np.ones((paths, YEARS)), np.ones(paths), np.zeros(paths), np.zeros((paths, YEARS))),
        collaboration_plan=np.zeros((paths, YEARS)),
        programme_savings=np.zeros((paths, YEARS)),
        general_reserve=np.full(paths, 5.0),
        earmarked_reserves=np.tile([10.0, 4.0], (paths, 1)),
        planned_use=planned_use,
        reserve_kinds=tuple(kinds),
        policy=policy or ReservePolicy(0.03, 0.035, (0, 1, GENERAL)),
        capital=capital or no_capital(paths),
        levy=levy or Levy(np.zeros(paths), np.zeros(paths), 1),
        action=action,
    )


ALL_FORCES = "[staffordshire, leicestershire, hertfordshire]"



def with_minimal(extra: str) -> str:
    """MINIMAL (lines 1-4) followed by ``extra`` from line 5."""
    return MINIMAL + extra



def minimal_with(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)



FILE_CASES = [
    pytest.param(b"", ["expected a scenario in YAML", "an empty file"], id="empty-file"),
    pytest.param(b"  \n\n\t\n", ["an empty file"], id="only-whitespace"),
    pytest.param(b"# a scenario\n# still to write\n", ["a file with only comments"], id="only-comments"),
    pytest.param(b"title: x\x00\x01\x02", ["UTF-8 text", "binary content (NUL bytes)"], id="binary-nul-bytes"),
    pytest.param(b"\xff\xfet\x00i\x00", ["binary content"], id="utf16-with-nuls"),
    pytest.param(b"\xff\xfetitle: x\n", ["UTF-8 text", "not UTF-8 at offset 0"], id="not-utf8"),
    pytest.param(
        with_minimal("shocks:\n  - {name: op, probability: 5%, cost: £1m}\n").encode("cp1252"),
        ["UTF-8 text", "not UTF-8 at offset"], id="pound-sign-saved-as-cp1252",
    ),
    pytest.param(b"title: a\x07b\n", ["plain text", "control character (#x0007)", "line 1", "column 9"],
                 id="control-character"),
    pytest.param(("[" * 3000 + "]" * 3000).encode(), ["nested at most 50 levels deep"], id="nested-too-deep"),
    pytest.param(b"a: &a [1]\nb: &b [*a, *a]\n" + b"".join(
        f"c{i}: &c{i} [{', '.join([f'*c{i - 1}' if i else '*b'] * 9)}]\n".encode() for i in range(9)),
        ["at most 100,000 keys and list items", "aliases"], id="billion-laughs"),
]



CATALOGUE = [
    # Malformed YAML, duplicate keys, several documents.
    ("unclosed-bracket", with_minimal("sources: [a, b\n"),
     ["expected well-formed YAML", "line 6", "column 1", "flow sequence that started on line 5"]),
    ("bad-indentation", "title: x\n  description: y\nforces: [staffordshire]\n",
     ["well-formed YAML", "line 2", "column 14", "mapping values are not allowed here"]),
    ("unclosed-quote", with_minimal('sources: ["a source\n'),
     ["well-formed YAML", "line 6", "quoted scalar that started on line 5"]),
    ("tab-indentation", with_minimal("assumptions:\n\tgrant_change: 1%\n"),
     ["well-formed YAML", "line 6", "column 1", "YAML indents with spaces, never tabs."]),
    ("duplicate-top-key", with_minimal("title: Again\n"),
     ["line 5", "field 'title'", "each key once", "first written on line 1"]),
    ("duplicate-nested-key", with_minimal("assumptions:\n  pay_award: 1%\n  pay_award: 2%\n"),
     ["line 7", "field 'assumptions.pay_award'", "each key once", "first written on line 6"]),
    ("two-documents", with_minimal("---\ntitle: Second\n"),
     ["line 5", "one scenario document", "more than one document"]),
    ("merge-key", with_minimal("base: &base {paths: 10}\nsimulation2:\n  <<: *base\n"),
     ["line 7", "merge keys '<<' are not supported"]),
    ("python-tag", with_minimal("description2: !!python/name:os.system ''\n"),
     ["line 5", "well-formed YAML", "could not determine a constructor"]),
    # A list or a scalar where a mapping belongs.
    ("list-at-top-level", "- title: x\n- forces: [staffordshire]\n",
     ["line 1", "a mapping of keys to values at the top level", "found a list"]),
    ("text-at-top-level", "central scenario\n", ["a mapping of keys to values at the top level", "'central scenario'"]),
    ("simulation-list", minimal_with("simulation: {paths: 500, seed: 7, chunk_size: 128}", "simulation: [1, 2]"),
     ["line 4", "field 'simulation'", "a mapping of keys to values", "found a list"]),
    ("assumptions-list", with_minimal("assumptions: [grant_change]\n"),
     ["line 5", "field 'assumptions'", "a mapping", "found a list"]),
    ("shocks-mapping", with_minimal("shocks: {major_operation: 5%}\n"),
     ["line 5", "field 'shocks'", "expected a list", "found a mapping"]),
    ("reserve-policy-text", with_minimal("reserve_policy: 3%\n"),
     ["line 5", "field 'reserve_policy'", "a mapping of keys to values", "'3%'"]),
    # Unknown keys, with did-you-mean.
    ("unknown-top-key", with_minimal("asumptions: {}\n"),
     ["line 5", "field 'asumptions'", "expected a known key", "Did you mean 'assumptions'?"]),
    ("unknown-simulation-key", minimal_with("seed: 7", "sead: 7"),
     ["line 4", "field 'simulation.sead'", "Did you mean 'seed'?", "Allowed here: chunk_size, paths, sampling, seed"]),
    ("unknown-reserve-policy-key", with_minimal("reserve_policy:\n  minimum_general_reserv: 3%\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserv'", "Did you mean 'minimum_general_reserve'?"]),
    ("unknown-shock-key", with_minimal("shocks:\n  - name: op\n    probabilty: 5%\n    cost: £1m\n"),
     ["line 7", "field 'shocks[0].probabilty'", "Did you mean 'probability'?"]),
    ("unknown-distribution-parameter",
     with_minimal("assumptions:\n  grant_change:\n    all_years: {distribution: triangular, low: -3%, mde: 0%, high: 1%}\n"),
     ["line 7", "field 'assumptions.grant_change.all_years.mde'", "a parameter of a triangular distribution",
      "Did you mean 'mode'?"]),
    ("unknown-distribution", with_minimal("assumptions:\n  pay_award: {distribution: triangle, low: 0%, mode: 1%, high: 2%}\n"),
     ["line 6", "field 'assumptions.pay_award.distribution'", "a known distribution", "found 'triangle'",
      "Did you mean 'triangular'?"]),
    ("distribution-not-text", with_minimal("assumptions:\n  pay_award: {distribution: [triangular], low: 0%}\n"),
     ["line 6", "field 'assumptions.pay_award.distribution'", "a known distribution", "found a list"]),
    ("parameters-without-distribution", with_minimal("assumptions:\n  pay_award: {low: 0%, high: 2%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "a 'distribution' key beside 'low'"]),
    ("unknown-input", with_minimal("assumptions:\n  grant_chnage: -1%\n"),
     ["line 6", "field 'assumptions.grant_chnage'", "a known input", "unknown input 'grant_chnage'",
      "Did you mean 'grant_change'?"]),
    ("unknown-layer-key", with_minimal("assumptions:\n  grant_change:\n    all_year: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.all_year'", "Did you mean 'all_years'?"]),
    # A key without its colon (reported on its own line), a key at the wrong nesting (told where it belongs).
    ("missing-colon", minimal_with("title: Test scenario", "title Test scenario"),
     ["line 1", "field 'title'", "expected 'title: <value>' (a colon after the key)",
      "found 'title Test scenario' with no colon"]),
    ("missing-colon-nested", with_minimal("assumptions:\n  pay_award 2%\n  grant_change: -1%\n"),
     ["line 6", "field 'assumptions.pay_award'", "expected 'pay_award: <value>'", "found 'pay_award 2%' with no colon"]),
    ("missing-colon-section", with_minimal("assumptions\n  pay_award: 2%\n"),
     ["line 5", "field 'assumptions'", "expected 'assumptions:' (a colon after the key)"]),
    ("missing-colon-only-key", with_minimal("reserve_policy:\n  minimum_general_reserve 3%\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserve'", "found 'minimum_general_reserve 3%' with no colon"]),
    ("missing-colon-in-flow-mapping", minimal_with("paths: 500", "paths 500"),
     ["line 4", "field 'simulation.paths'", "expected 'paths: <value>'", "found 'paths 500' with no colon"]),
    ("missing-colon-in-an-input", with_minimal("assumptions:\n  grant_change:\n    all_years -1%\n"),
     ["line 7", "field 'assumptions.grant_change.all_years'", "found 'all_years -1%' with no colon"]),
    ("input-at-top-level", with_minimal("pay_award: 2%\n"),
     ["line 5", "field 'pay_award'", "which belongs under 'assumptions'"]),
    ("setting-at-top-level", with_minimal("paths: 2000\n"),
     ["line 5", "field 'paths'", "which belongs under 'simulation'"]),
    ("reserve-key-in-assumptions", with_minimal("assumptions:\n  minimum_general_reserve: 3%\n"),
     ["line 6", "field 'assumptions.minimum_general_reserve'", "which belongs under 'reserve_policy'"]),
    ("setting-in-assumptions", with_minimal("assumptions:\n  seed: 3\n"),
     ["line 6", "field 'assumptions.seed'", "which belongs under 'simulation'"]),
    ("input-in-simulation", minimal_with("chunk_size: 128}", "chunk_size: 128, pay_award: 2%}"),
     ["line 4", "field 'simulation.pay_award'", "which belongs under 'assumptions'"]),
    # Wrong types and values in the simulation settings and required fields.
    ("paths-word", minimal_with("paths: 500", "paths: many"),
     ["line 4", "field 'simulation.paths'", "a whole number", "found 'many'"]),
    ("paths-fraction", minimal_with("paths: 500", "paths: 1.5"),
     ["line 4", "field 'simulation.paths'", "a whole number", "found 1.5"]),
    ("paths-zero", minimal_with("paths: 500", "paths: 0"),
     ["line 4", "field 'simulation.paths'", "a number of paths from 1 to 50,000,000"]),
    ("paths-true", minimal_with("paths: 500", "paths: true"),
     ["line 4", "field 'simulation.paths'", "a whole number", "True"]),
    ("seed-negative", minimal_with("seed: 7", "seed: -1"),
     ["line 4", "field 'simulation.seed'", "not negative"]),
    ("seed-too-large", minimal_with("seed: 7", "seed: 9223372036854775808"),
     ["line 4", "field 'simulation.seed'", "a seed from 0 to 2^63 - 1"]),
    ("chunk-size-zero", minimal_with("chunk_size: 128", "chunk_size: 0"),
     ["line 4", "field 'simulation.chunk_size'", "a chunk size from 1"]),
    ("forces-text", minimal_with(f"forces: {ALL_FORCES}", "forces: staffordshire"),
     ["line 3", "field 'forces'", "expected a list", "found 'staffordshire'"]),
    ("forces-empty", minimal_with(f"forces: {ALL_FORCES}", "forces: []"),
     ["line 3", "field 'forces'", "at least one force id"]),
    ("forces-repeated", minimal_with(f"forces: {ALL_FORCES}", "forces: [staffordshire, staffordshire]"),
     ["line 3", "field 'forces'", "each force once"]),
    ("forces-number", minimal_with(f"forces: {ALL_FORCES}", "forces: [1]"),
     ["line 3", "field 'forces[0]'", "expected text", "found 1"]),
    ("title-missing", minimal_with("title: Test scenario\n", ""),
     ["line 1", "field 'title'", "this field (it is required)", "found nothing"]),
    ("title-blank", minimal_with("title: Test scenario", "title: '  '"),
     ["line 1", "field 'title'", "non-empty text"]),
    ("description-missing", minimal_with("description: A small scenario for tests.\n", ""),
     ["field 'description'", "it is required"]),
    ("shock-name-missing", with_minimal("shocks:\n  - probability: 5%\n    cost: £1m\n"),
     ["line 6", "field 'shocks[0].name'", "it is required"]),
    ("baseline-value", with_minimal("baseline: sample\n"),
     ["line 5", "field 'baseline'", "one of 'sampled' or 'central'", "found 'sample'"]),
    # Units: rates need %, money £…m, band D £; bare numbers are rejected.
    ("rate-bare-float", with_minimal("assumptions:\n  grant_change: 0.02\n"),
     ["line 6", "field 'assumptions.grant_change'", "a rate with its % sign", "found 0.02",
      "a bare number is ambiguous"]),
    ("rate-quoted-number", with_minimal('assumptions:\n  grant_change: "2"\n'),
     ["line 6", "field 'assumptions.grant_change'", "a rate with its % sign", "found '2'"]),
    ("rate-nothing", with_minimal("assumptions:\n  grant_change:\n"),
     ["line 6", "field 'assumptions.grant_change'", "a rate with its % sign", "found None"]),
    ("growth-rate-out-of-range", with_minimal("assumptions:\n  tax_base_growth: 200%\n"),
     ["line 6", "field 'assumptions.tax_base_growth'", "values from -10% to 10%", "found '200%'"]),
    ("distribution-out-of-range",
     with_minimal("assumptions:\n  pay_award: {distribution: uniform, low: 0%, high: 40%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "values from -5% to 15%", "a range reaching 0% to 40%"]),
    ("normal-without-bounds", with_minimal("assumptions:\n  pay_award: {distribution: normal, mean: 1%, sd: 0.5%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "values from -5% to 15%", "Give the normal distribution low and high"]),
    ("shock-cost-bare-number", with_minimal("shocks:\n  - name: op\n    probability: 5%\n    cost: 4\n"),
     ["line 8", "field 'shocks[0].cost'", "money in £ million", "found 4", "'£4m'"]),
    ("shock-cost-in-pounds", with_minimal("shocks:\n  - name: op\n    probability: 5%\n    cost: £4\n"),
     ["line 8", "field 'shocks[0].cost'", "money in £ million", "that is a band D amount in pounds"]),
    ("band-d-as-money", with_minimal("assumptions:\n  referendum_limit: £5m\n"),
     ["line 6", "field 'assumptions.referendum_limit'", "a band D amount in pounds", "that is money in £ million"]),
    ("mixed-units-in-one-distribution",
     with_minimal("assumptions:\n  precept_increase: {distribution: uniform, low: 1%, high: £5}\n"),
     ["line 6", "field 'assumptions.precept_increase'", "every parameter in one unit", "found pounds and rate"]),
    ("years-bare-number", with_minimal("assumptions:\n  collaboration_savings_delay: 1\n"),
     ["line 6", "field 'assumptions.collaboration_savings_delay'", "a number of years", "'1 years'"]),
    ("plan-without-a-plan", with_minimal("assumptions:\n  referendum_limit: plan\n"),
     ["line 6", "field 'assumptions.referendum_limit'", "has no planning assumption", "found 'plan'"]),
    ("empty-input-mapping", with_minimal("assumptions:\n  grant_change: {}\n"),
     ["line 6", "field 'assumptions.grant_change'", "'all_years' / fiscal-year keys", "found an empty mapping"]),
    # Fiscal years and the horizon.
    ("year-with-dash", with_minimal("assumptions:\n  grant_change:\n    2017-18: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.2017-18'", "a fiscal year written with a slash like '2017/18'",
      "found '2017-18'"]),
    ("year-not-consecutive", with_minimal("assumptions:\n  grant_change:\n    2017/19: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.2017/19'", "consecutive years", "found '2017/19'"]),
    ("year-outside-horizon", with_minimal("assumptions:\n  grant_change:\n    2021/22: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.2021/22'", "from 2016/17 to 2019/20 (the model horizon)",
      "found '2021/22'"]),
    ("year-before-input-applies", with_minimal("assumptions:\n  grant_change:\n    2016/17: -1%\n"),
     ["line 7", "field 'assumptions.grant_change.2016/17'", "2016/17 is the budget as set",
      "grant_change applies from 2017/18", "found '2016/17'"]),
    ("per-path-input-by-year", with_minimal("assumptions:\n  collaboration_savings_size:\n    2017/18: 50%\n"),
     ["line 7", "field 'assumptions.collaboration_savings_size.2017/18'", "drawn once per path"]),
    ("years-not-from-budget-year", with_minimal("years: 2017/18 to 2019/20\n"),
     ["line 5", "field 'years'", "starting at the budget year 2016/17", "found '2017/18 to 2019/20'"]),
    ("years-beyond-horizon", with_minimal("years: 2016/17 to 2020/21\n"),
     ["line 5", "field 'years'", "the model horizon", "found '2020/21'"]),
    ("years-not-a-range", with_minimal("years: 2016/17 - 2019/20\n"),
     ["line 5", "field 'years'", "a range of fiscal years like '2016/17 to 2019/20'"]),
    ("shock-year-with-dash", with_minimal("shocks:\n  - {name: op, probability: 5%, cost: £1m, years: [2017-18]}\n"),
     ["line 6", "field 'shocks[0].years[0]'", "written with a slash", "found '2017-18'"]),
    # Reserve policy and shocks.
    ("negative-minimum-reserve", with_minimal("reserve_policy:\n  minimum_general_reserve: -1%\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserve'", "a share of NRE from 0% to 50%", "found '-1%'"]),
    ("minimum-reserve-empty", with_minimal("reserve_policy:\n  minimum_general_reserve:\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserve'", "a share of NRE from 0% to 50%", "found nothing"]),
    ("minimum-reserve-bare-number", with_minimal("reserve_policy:\n  minimum_general_reserve: 0.03\n"),
     ["line 6", "field 'reserve_policy.minimum_general_reserve'", "a rate with its % sign", "found 0.03"]),
    ("target-reserve-bare-number",
     with_minimal("reserve_policy:\n  forces:\n    staffordshire: {general_reserve_target: 5}\n"),
     ["line 7", "field 'reserve_policy.forces.staffordshire.general_reserve_target'", "a rate with its % sign"]),
    ("target-below-minimum",
     with_minimal("reserve_policy:\n  minimum_general_reserve: 3%\n  general_reserve_target: 2%\n"),
     ["line 7", "field 'reserve_policy.general_reserve_target'", "at or above the minimum general reserve",
      "found '2%'"]),
    ("force-target-below-minimum",
     with_minimal("reserve_policy:\n  forces:\n    staffordshire: {general_reserve_target: 1%}\n"),
     ["line 7", "field 'reserve_policy.forces.staffordshire.general_reserve_target'", "at or above the minimum"]),
    ("undelivered-savings-value", with_minimal("reserve_policy:\n  undelivered_savings: carry_forward\n"),
     ["line 6", "field 'reserve_policy.undelivered_savings'", "one of 'roll_forward' or 'lost'"]),
    ("shortfall-order-repeated", with_minimal("reserve_policy:\n  shortfall_order: [general, general]\n"),
     ["line 6", "field 'reserve_policy.shortfall_order'", "each reserve once", "found 'general'"]),
    ("probability-above-100", with_minimal("shocks:\n  - name: op\n    probability: 120%\n    cost: £1m\n"),
     ["line 7", "field 'shocks[0].probability'", "a probability from 0% to 100%", "found '120%'"]),
    ("probability-bare-number", with_minimal("shocks:\n  - {name: op, probability: 0.05, cost: £1m}\n"),
     ["line 6", "field 'shocks[0].probability'", "a rate with its % sign", "found 0.05"]),
    ("probability-negative", with_minimal("shocks:\n  - {name: op, probability: -5%, cost: £1m}\n"),
     ["line 6", "field 'shocks[0].probability'", "a probability from 0% to 100%", "found '-5%'"]),
    ("shock-name-spaces", with_minimal("shocks:\n  - {name: Major op, probability: 5%, cost: £1m}\n"),
     ["line 6", "field 'shocks[0].name'", "a lower_case name", "found 'Major op'"]),
    ("shock-name-repeated",
     with_minimal("shocks:\n  - {name: op, probability: 5%, cost: £1m}\n  - {name: op, probability: 1%, cost: £2m}\n"),
     ["line 7", "field 'shocks[1].name'", "a unique shock name", "found 'op'"]),
    ("shock-cost-negative", with_minimal("shocks:\n  - {name: op, probability: 5%, cost: -£1m}\n"),
     ["line 6", "field 'shocks[0].cost'", "values from £0m to £1000m", "found '-£1m'"]),
    # Distributions that are not distributions.
    ("inverted-triangular",
     with_minimal("assumptions:\n  pay_award: {distribution: triangular, low: 2%, mode: 1%, high: 0%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "low ≤ high", "an inverted range"]),
    ("zero-width-uniform", with_minimal("assumptions:\n  pay_award: {distribution: uniform, low: 1%, high: 1%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "low < high (a range with width)", "write one fixed value"]),
    ("pert-mode-outside", with_minimal("assumptions:\n  pay_award: {distribution: pert, low: 0%, mode: 3%, high: 2%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "mode between low and high"]),
    ("triangular-mode-outside",
     with_minimal("assumptions:\n  pay_award:\n    2017/18: {distribution: triangular, low: 0%, mode: -1%, high: 2%}\n"),
     ["line 7", "field 'assumptions.pay_award.2017/18'", "mode between low and high"]),
    ("normal-sd-zero", with_minimal("assumptions:\n  pay_award: {distribution: normal, mean: 1%, sd: 0%, low: 0%, high: 2%}\n"),
     ["line 6", "field 'assumptions.pay_award.sd'", "a standard deviation above zero", "found '0%'"]),
    ("normal-sd-negative-before-mean",
     with_minimal("assumptions:\n  pay_award: {distribution: normal, sd: -1%, mean: 1%, low: 0%, high: 2%}\n"),
     ["field 'assumptions.pay_award.sd'", "a standard deviation above zero", "found '-1%'"]),
    ("normal-truncation-inverted",
     with_minimal("assumptions:\n  pay_award: {distribution: normal, mean: 1%, sd: 1%, low: 2%, high: 0%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "low < high for the truncation bounds"]),
    ("distribution-missing-parameters", with_minimal("assumptions:\n  pay_award: {distribution: triangular, low: 0%}\n"),
     ["line 6", "field 'assumptions.pay_award'", "a triangular distribution with low, mode, high", "found no mode, high"]),
    # Forces and reserves that do not exist.
    ("unknown-force", minimal_with(f"forces: {ALL_FORCES}", "forces: [staffordshre, leicestershire]"),
     ["line 3", "field 'forces[0]'", "a known force id", "found 'staffordshre'", "Did you mean 'staffordshire'?"]),
    ("unknown-force-override",
     with_minimal("assumptions:\n  grant_change:\n    forces:\n      leicestershre: -1%\n"),
     ["line 8", "field 'assumptions.grant_change.forces.leicestershre'", "a known force id",
      "Did you mean 'leicestershire'?"]),
    ("override-for-force-not-in-scenario",
     minimal_with(f"forces: {ALL_FORCES}", "forces: [staffordshire]")
     + "assumptions:\n  grant_change:\n    forces:\n      hertfordshire: -1%\n",
     ["line 8", "field 'assumptions.grant_change.forces.hertfordshire'", "a known force id", "Known forces: staffordshire"]),
    ("nested-forces-override",
     with_minimal("assumptions:\n  grant_change:\n    forces:\n      staffordshire:\n        forces: {staffordshire: 1%}\n"),
     ["line 9", "field 'assumptions.grant_change.forces.staffordshire.forces'", "no 'forces' inside a per-force override"]),
    ("unknown-shock-force", with_minimal("shocks:\n  - {name: op, probability: 5%, cost: £1m, forces: [kent]}\n"),
     ["line 6", "field 'shocks[0].forces[0]'", "a known force id", "found 'kent'"]),
    ("unknown-reserve-policy-force",
     with_minimal("reserve_policy:\n  forces:\n    hertfordshre: {minimum_general_reserve: 4%}\n"),
     ["line 7", "field 'reserve_policy.forces.hertfordshre'", "Did you mean 'hertfordshire'?"]),
    ("unknown-reserve-in-shortfall-order", with_minimal("reserve_policy:\n  shortfall_order: [generl]\n"),
     ["field 'reserve_policy.shortfall_order'", "reserve names of Staffordshire Police", "found 'generl'",
      "Did you mean 'general'?"]),
    ("unknown-reserve-in-force-shortfall-order",
     with_minimal("reserve_policy:\n  forces:\n    hertfordshire: {shortfall_order: [base_budget_suport, general]}\n"),
     ["field 'reserve_policy.forces.hertfordshire.shortfall_order'", "found 'base_budget_suport'",
      "Did you mean 'base_budget_support'?"]),
    # Hostile text and numbers: digits of other scripts, escapes, long text, several mistakes at once.
    ("arabic-indic-digit", with_minimal("assumptions:\n  pay_award: \u0662%\n"),
     ["line 6", "field 'assumptions.pay_award'", "a rate with its % sign", "(digits must be 0-9)"]),
    ("full-width-digit", with_minimal("assumptions:\n  grant_change: \uff12%\n"),
     ["line 6", "field 'assumptions.grant_change'", "(digits must be 0-9)"]),
    ("terminal-escape-in-title", minimal_with("title: Test scenario", 'title: "\\e[31mred\\e[0m"'),
     ["line 1", "field 'title'", "text without control or text-direction characters",
      "the control character U+001B at character 1 of the text"]),
    ("text-direction-override", minimal_with("title: Test scenario", 'title: "abc\\u202Edef"'),
     ["line 1", "field 'title'", "the text-direction character U+202E at character 4 of the text"]),
    ("title-too-long", minimal_with("title: Test scenario", "title: " + "x" * 250),
     ["line 1", "field 'title'", "text of at most 200 characters", "found 250 characters"]),
    ("huge-value-echoed-short", with_minimal("assumptions:\n  pay_award: " + "9" * 5000 + "%\n"),
     ["line 6", "field 'assumptions.pay_award'", "found '9999999999999999999999999999999999999999…' (5,001 characters)"]),
    ("three-mistakes-at-once", with_minimal("assumptions:\n  pay_award: 2 percent\n  grant_change: 0.02\n"
                                            "reserve_policy:\n  minimum_general_reserve: 60%\n"),
     ["3 mistakes, each on its own line:", "line 6: field 'assumptions.pay_award'",
      "line 7: field 'assumptions.grant_change'", "line 9: field 'reserve_policy.minimum_general_reserve'"]),
]


SMALL = """\
title: Small CLI scenario
description: Two forces, a few hundred paths.
forces: [staffordshire, hertfordshire]
simulation: {paths: 300, seed: 11, chunk_size: 128}
assumptions:
  pay_award: {distribution: triangular, low: 0.5%, mode: 1%, high: 2%}
shocks:
  - {name: major_operation, probability: 10%, cost: {distribution: uniform, low: £0.5m, high: £2m}}
"""



BAD_SCENARIOS = [
    pytest.param(SMALL.replace("forces: [staffordshire, hertfordshire]", "forces: [staffordshre]"),
                 ["line 3", "Did you mean 'staffordshire'?"], id="unknown-force"),
    pytest.param(SMALL + "reserve_policy:\n  minimum_general_reserve: 0.03\n",
                 ["line 10", "reserve_policy.minimum_general_reserve", "a rate with its % sign"], id="bare-number"),
    pytest.param(SMALL + "title: Again\n", ["line 9", "first written on line 1"], id="duplicate-key"),
    pytest.param(SMALL.replace("paths: 300", "paths: many"), ["simulation.paths", "found 'many'"], id="paths-word"),
    pytest.param(SMALL + "sources: [a, b\n", ["well-formed YAML"], id="malformed-yaml"),
    pytest.param(SMALL + "baseline: '[/bold] sampled'\n", ["field 'baseline'", "'[/bold] sampled'"],
                 id="markup-like-text"),
    pytest.param("title: a\x00b\n", ["binary content"], id="binary"),
    pytest.param(SMALL + "reserve_policy:\n  shortfall_order: [generl]\n", ["Did you mean 'general'?"],
                 id="unknown-reserve"),
    pytest.param(SMALL.replace("  pay_award: {", "  pay_award {"),
                 ["line 6", "field 'assumptions.pay_award'", "(a colon after the key)"], id="missing-colon-nested"),
    pytest.param(SMALL + "paths: 2000\n", ["line 9", "field 'paths'", "which belongs under 'simulation'"],
                 id="setting-at-top-level"),
]


# --------------------------------------------------------------------------------------
# A synthetic run whose deterministic cases come from the engine itself, so every line adds up
# (for the workbook's formulas, which rebuild the finance table and the reserves waterfall).
# --------------------------------------------------------------------------------------

ENGINE_YEARS = FOUR_YEARS[:YEARS]

ENGINE_RESERVES = {"staffordshire": ("budget_support", "change_programme"), "hertfordshire": ("capital_fund", "smoothing")}
"""Each synthetic force's earmarked reserves: a budget-support and a one-off reserve; a capital and a budget-support one."""

ENGINE_CASE_RATES = {
    "optimistic": dict(PLAN_RATES, grant_change=0.08, pay_award=0.0),
    "median_case": dict(PLAN_RATES, pay_award=0.02),
    "pessimistic": dict(PLAN_RATES, grant_change=-0.10, pay_award=0.04),
    "force_plan": PLAN_RATES,
}
"""Outcome rates per case: a surplus (optimistic), shortfalls met from reserves (median), reserves exhausted and
an uncovered deficit (pessimistic), and the plan."""


def engine_force_inputs(force: str, case: str) -> ForceInputs:
    """The engine's inputs for a synthetic force and case (one path, three years)."""
    from model.engine.waterfall import CAPITAL, ONE_OFF

    outcome = drivers(1, **ENGINE_CASE_RATES[case])
    planned_use = np.zeros((1, YEARS, 2))
    if force == "staffordshire":
        planned_use[:, :, 0], planned_use[:, :, 1] = 2.0, 1.0
        return synthetic_force(outcome=outcome, kinds=(BUDGET_SUPPORT, ONE_OFF), planned_use=planned_use,
                               policy=ReservePolicy(0.03, 0.035, (0, GENERAL), surplus_reserve=0))
    planned_use[:, :, 0], planned_use[:, :, 1] = 4.0, 1.5  # the capital fund (£10m) cannot pay its third £4m
    programme = np.full((1, YEARS), 5.0)
    capital = dataclasses.replace(no_capital(), programme=programme)
    return synthetic_force(outcome=outcome, kinds=(CAPITAL, BUDGET_SUPPORT), planned_use=planned_use, capital=capital,
                           policy=ReservePolicy(0.03, 0.05, (GENERAL, 1), surplus_reserve=1))


def engine_cases(forces: list[str]) -> pd.DataFrame:
    """The deterministic cases of the synthetic forces, projected by the engine: every line and reserve balance."""
    from model.engine.projection import project_force

    rows = []
    for force in forces:
        for case in ENGINE_CASE_RATES:
            projection = project_force(engine_force_inputs(force, case))
            lines = {name: values[0] for name, values in projection.lines.items()}
            for k, name in enumerate(ENGINE_RESERVES[force]):
                lines[f"reserve_{name}"] = projection.earmarked_by_reserve[0, :, k]
            for metric, values in lines.items():
                for year, value in zip(ENGINE_YEARS, values, strict=True):
                    rows.append({"scenario": SCENARIO, "case": case, "force": force, "year": year, "metric": metric,
                                 "value": float(value)})
    return pd.DataFrame(rows)


def make_engine_result(forces: list[str] | None = None):
    """A synthetic run whose cases the engine projected, and the reserves each case starts from.

    Returns
    -------
    (RunResult, dict of (force, case) to model.report.workbook.CaseReserves)
    """
    from model.report.workbook import case_reserves

    forces = forces or list(ENGINE_RESERVES)
    summary = make_summary(forces, ENGINE_YEARS)
    result = RunResult(info=make_info(forces), summary=summary, flags=make_flags(forces, ENGINE_YEARS),
                       plan=make_plan(summary), cases=engine_cases(forces),
                       appendix=make_appendix(forces, figures_per_force=3))
    reserves = {(force, case): case_reserves(engine_force_inputs(force, case), ENGINE_RESERVES[force])
                for force in forces for case in ENGINE_CASE_RATES}
    return result, reserves
