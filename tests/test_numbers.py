"""Numbers that cannot be silently wrong.

* The test configuration itself: every warning is an error, and numpy's overflow,
  invalid-operation and division errors raise (``numpy_errors_raise`` in conftest).
* NaN or infinite values stop a run with :class:`~model.io.errors.ModelError` naming the
  force, the year and the metric (``check_finite``), and the command line turns that into
  one message with exit code 3 and writes nothing.

Non-finite inputs are caught before the engine runs and the message names the input
(``check_inputs``); the output check reports the earliest bad year.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import MINIMAL
from test_engine import YEARS as ENGINE_YEARS
from test_engine import synthetic_force

import model.run.simulation as simulation
from model.cli.exit_codes import EXIT_MODEL
from model.cli.main import main as cli_main
from model.engine.projection import project_force
from model.io.errors import ModelError
from model.run.simulation import check_finite, run_simulation
from model.sampling.draws import force_inputs
from model.sampling.setup import load_setup

THREE_YEARS = ("2016/17", "2017/18", "2018/19", "2019/20")[:ENGINE_YEARS]

NOT_YET_NAMING_INPUTS = ("model/simulation.py does not yet check the engine's inputs: the message names the "
                         "output metric, not the input (see the issue 7 report)")


# --------------------------------------------------------------------------------------
# The test configuration: warnings and numpy errors raise
# --------------------------------------------------------------------------------------

def test_warnings_are_errors_in_the_tests():
    with pytest.raises(UserWarning):
        warnings.warn("a warning the suite must not ignore", UserWarning, stacklevel=1)
    with pytest.raises(RuntimeWarning):
        warnings.warn("what numpy emits outside an errstate", RuntimeWarning, stacklevel=1)


def test_numpy_errors_raise_in_every_test():
    assert np.geterr() == {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}
    with pytest.raises(FloatingPointError, match="overflow"):
        np.float64(1e308) * 10
    with pytest.raises(FloatingPointError, match="invalid"):
        np.array([np.inf]) - np.inf
    with pytest.raises(FloatingPointError, match="divide"):
        np.array([1.0]) / 0.0
    assert np.float64(1e-308) * 1e-300 == 0.0  # underflow to zero is harmless and allowed


# --------------------------------------------------------------------------------------
# check_finite: names the force, year and metric
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("year", range(ENGINE_YEARS))
def test_check_finite_names_force_year_and_metric(bad, year):
    lines = {"grant": np.ones((5, ENGINE_YEARS)), "general_reserve": np.ones((5, ENGINE_YEARS))}
    lines["general_reserve"][3, year] = bad
    with pytest.raises(ModelError) as info:
        check_finite(lines, "staffordshire", THREE_YEARS)
    message = str(info.value)
    assert "general_reserve" in message and "staffordshire" in message and THREE_YEARS[year] in message


def test_check_finite_accepts_finite_lines():
    check_finite({"grant": np.full((4, ENGINE_YEARS), 1e12), "gap": np.zeros((4, ENGINE_YEARS))},
                 "staffordshire", THREE_YEARS)


def test_check_finite_reports_the_earliest_bad_year():
    values = np.ones((2, ENGINE_YEARS))
    values[0, ENGINE_YEARS - 1] = np.nan  # path 0 goes wrong in the last year ...
    values[1, 0] = np.nan                 # ... path 1 already in the first
    with pytest.raises(ModelError) as info:
        check_finite({"grant": values}, "staffordshire", THREE_YEARS)
    assert THREE_YEARS[0] in str(info.value), str(info.value)


# --------------------------------------------------------------------------------------
# The engine fed non-finite inputs: the output check catches what propagates
# --------------------------------------------------------------------------------------

def _set(path: str, index, value):
    """A mutation of ForceInputs: ``path`` like ``outcome.pay_award``; ``index`` into that array."""

    def mutate(inputs) -> None:
        owner = inputs
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        getattr(owner, name)[index] = value

    return mutate


# (input, index, the first year whose outputs are non-finite)
NAN_INPUTS = [
    ("budget.grant", 0, 0),
    ("budget.band_d", 0, 0),
    ("outcome.grant_change", (0, 1), 1),
    ("outcome.pay_award", (0, 2), 2),
    ("outcome.limit_rate", (0, 1), 1),
    ("plan.pay_award", (0, 1), 1),
    ("delivery.savings_delivery", (0, 1), 1),
    ("delivery.collaboration_size", 0, 0),
    ("delivery.shocks", (0, 2), 2),
    ("general_reserve", 0, 0),
    ("earmarked_reserves", (0, 1), 0),
    ("planned_use", (0, 1, 0), 1),
]


def project_and_check(inputs) -> None:
    """What the simulation does with one chunk: project, then check every line."""
    check_finite(project_force(inputs).lines, "synthetic", THREE_YEARS)


@pytest.mark.parametrize("name, index, first_bad_year", NAN_INPUTS, ids=[case[0] for case in NAN_INPUTS])
def test_a_nan_input_stops_with_the_force_and_year(name, index, first_bad_year):
    inputs = synthetic_force(paths=3)
    _set(name, index, np.nan)(inputs)
    with pytest.raises(ModelError) as info:
        project_and_check(inputs)
    message = str(info.value)
    assert "non-finite" in message and "synthetic" in message
    assert THREE_YEARS[first_bad_year] in message, message


INFINITE_INPUTS = [
    ("budget.grant", 0, np.inf),
    ("outcome.pay_award", (0, 2), np.inf),
    ("outcome.grant_change", (0, 2), np.inf),
    ("outcome.pay_award", (0, 1), 1e308),      # overflows in the pay index
    ("outcome.grant_change", (0, 2), 1e308),   # overflows in the grant
]


@pytest.mark.parametrize("name, index, bad", INFINITE_INPUTS, ids=[f"{n}={b:g}" for n, _, b in INFINITE_INPUTS])
def test_an_infinite_or_overflowing_input_is_never_silent(name, index, bad):
    """With numpy raising (as in the tests) it stops at the first bad operation or at the output
    check; with numpy silent (``errstate(all="ignore")``) the output check alone stops it."""
    inputs = synthetic_force(paths=2)
    _set(name, index, bad)(inputs)
    with pytest.raises((FloatingPointError, ModelError)):
        project_and_check(inputs)
    inputs = synthetic_force(paths=2)
    _set(name, index, bad)(inputs)
    with np.errstate(all="ignore"), pytest.raises(ModelError, match="non-finite"):
        project_and_check(inputs)


def test_finite_inputs_give_finite_lines():
    project_and_check(synthetic_force(paths=4))


# --------------------------------------------------------------------------------------
# The simulation and the command line
# --------------------------------------------------------------------------------------

def inject(monkeypatch, force_id: str, mutate) -> None:
    """Make ``force_inputs`` hand the engine a corrupted input for one force, on the Monte Carlo paths."""
    original = force_inputs

    def corrupted(setup, force, *args, **kwargs):
        inputs = original(setup, force, *args, **kwargs)
        if force == force_id and kwargs.get("case") is None:
            mutate(inputs)
        return inputs

    monkeypatch.setattr(simulation, "force_inputs", corrupted)


@pytest.fixture
def minimal(write_scenario) -> Path:
    return write_scenario(MINIMAL)


def test_a_nan_input_stops_the_simulation_naming_force_and_year(monkeypatch, minimal):
    inject(monkeypatch, "leicestershire", _set("outcome.pay_award", (slice(None), 2), np.nan))
    with pytest.raises(ModelError) as info:
        run_simulation(load_setup(minimal))
    message = str(info.value)
    assert "leicestershire" in message and "2018/19" in message, message
    assert "staffordshire" not in message and "hertfordshire" not in message


def test_a_nan_input_is_named_in_the_message(monkeypatch, minimal):
    inject(monkeypatch, "leicestershire", _set("outcome.pay_award", (slice(None), 2), np.nan))
    with pytest.raises(ModelError) as info:
        run_simulation(load_setup(minimal))
    assert "pay_award" in str(info.value), str(info.value)


def test_a_nan_collaboration_delay_is_a_model_error(monkeypatch, minimal):
    """Today the engine casts the NaN delay to an integer index: FloatingPointError here, IndexError for a user."""
    inject(monkeypatch, "hertfordshire", _set("delivery.collaboration_delay", slice(None), np.nan))
    with pytest.raises(ModelError, match="collaboration_savings_delay"):
        run_simulation(load_setup(minimal))


def test_an_infinite_baseline_figure_is_a_model_error(monkeypatch, minimal):
    inject(monkeypatch, "staffordshire", _set("budget.grant", slice(None), np.inf))
    with pytest.raises(ModelError, match="grant"):
        run_simulation(load_setup(minimal))


def test_the_command_line_reports_a_model_error_and_writes_nothing(monkeypatch, tmp_path, minimal, fast_report):
    out = tmp_path / "reports"
    assert CliRunner().invoke(cli_main, ["run", str(minimal), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "scenario").iterdir()}
    inject(monkeypatch, "hertfordshire", _set("delivery.shocks", (slice(None), 1), np.nan))
    result = CliRunner().invoke(cli_main, ["run", str(minimal), "--out", str(out), "--seed", "8"])
    assert result.exit_code == EXIT_MODEL == 3, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.startswith("error:") and len(result.stderr.strip().splitlines()) <= 3
    assert "hertfordshire" in result.stderr and "2017/18" in result.stderr and "non-finite" in result.stderr
    assert {p.name: p.read_bytes() for p in (out / "scenario").iterdir()} == before
