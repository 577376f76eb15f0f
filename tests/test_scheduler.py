"""--scheduler: an existing Dask cluster gives the same numbers as one worker, and a clear error when it cannot.

The cluster tests need the optional extra (``pip install 'police-mtfs[dask]'``) and start a
local in-process cluster, so they are opt-in: ``pytest --runslow``. The errors are tested
always (they need no cluster).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import model.run.pool
from model.cli.main import main as cli_main
from model.run.pool import IN_PROCESS, open_pool
from model.run.simulation import run_simulation
from model.sampling.setup import load_setup, with_overrides

CENTRAL = "scenarios/central.yaml"


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None) as local:
        yield local.scheduler_address


def _same_tallies(a, b):
    assert a.paths == b.paths
    for force in a.summaries:
        for name in ("counts", "sums", "minimum", "maximum"):
            np.testing.assert_array_equal(getattr(a.summaries[force], name), getattr(b.summaries[force], name))
        for flag in a.flag_counts[force]:
            np.testing.assert_array_equal(a.flag_counts[force][flag], b.flag_counts[force][flag])


@pytest.mark.slow
def test_simulation_on_a_cluster_equals_one_worker(cluster):
    setup = with_overrides(load_setup(CENTRAL), paths=3000, chunk_size=700)
    with open_pool(scheduler=cluster) as pool:
        assert pool.workers == 2 and not pool.in_process
        on_cluster = run_simulation(setup, pool=pool)
    _same_tallies(on_cluster, run_simulation(setup))


@pytest.mark.slow
def test_run_to_a_precision_on_a_cluster_equals_one_worker(cluster):
    setup = with_overrides(load_setup(CENTRAL), chunk_size=4096)
    with open_pool(scheduler=cluster) as pool:
        on_cluster = run_simulation(setup, precision=0.2, max_paths=40_000, pool=pool)
    alone = run_simulation(setup, precision=0.2, max_paths=40_000)
    assert on_cluster.stopping == alone.stopping
    _same_tallies(on_cluster, alone)


@pytest.mark.slow
def test_sensitivity_on_a_cluster_equals_one_worker(cluster):
    from model.analysis.drivers import breach_drivers
    from model.analysis.one_way import one_way_sensitivities
    from model.analysis.sobol import sobol_indices

    setup = with_overrides(load_setup(CENTRAL), paths=1024)
    with open_pool(scheduler=cluster) as pool:
        on_cluster = (*one_way_sensitivities(setup, pool=pool), sobol_indices(setup, n=64, pool=pool),
                      breach_drivers(setup, pool=pool))
    alone = (*one_way_sensitivities(setup, pool=IN_PROCESS), sobol_indices(setup, n=64), breach_drivers(setup))
    for mine, theirs in zip(on_cluster, alone, strict=True):
        pd.testing.assert_frame_equal(mine, theirs)


@pytest.mark.slow
def test_pipeline_run_on_a_cluster_equals_one_worker(cluster):
    from model.pipeline import run_scenario

    on_cluster = run_scenario(CENTRAL, paths=2000, scheduler=cluster)
    alone = run_scenario(CENTRAL, paths=2000)
    for name, table in alone.tables().items():
        pd.testing.assert_frame_equal(on_cluster.tables()[name], table)


def test_unreachable_scheduler_is_exit_2_naming_the_option(monkeypatch, tmp_path):
    pytest.importorskip("distributed")
    monkeypatch.setattr(model.run.pool, "CONNECT_TIMEOUT_SECONDS", 1.0)
    result = CliRunner().invoke(cli_main, ["run", CENTRAL, "--paths", "1000", "--out", str(tmp_path),
                                           "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    assert "--scheduler" in result.output and "tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_scheduler_without_the_dask_extra_is_exit_2_with_the_install_line(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    result = CliRunner().invoke(cli_main, ["sensitivity", CENTRAL, "--paths", "1000", "--out", str(tmp_path),
                                           "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2, result.output
    assert "--scheduler" in result.output and "pip install 'police-mtfs[dask]'" in result.output
