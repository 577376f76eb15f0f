"""What ``run.json``, ``sensitivity.json`` and ``compare.json`` record about a run."""

from __future__ import annotations

import platform

import numpy as np

from model.run.results import RunInfo


def run_record(info: RunInfo, timings: dict[str, float]) -> dict:
    """What ``run.json`` records about a run: inputs, settings, versions, timings.

    Includes the correlations the scenario asked for and those used (after any repair to
    the nearest valid matrix), and for a run to a precision, why it stopped.

    Parameters
    ----------
    info : RunInfo
    timings : dict of str to float
        Seconds per stage.

    Returns
    -------
    dict
        JSON-ready; keys sorted when written.
    """
    correlation = info.correlation
    return {
        "sampling": info.sampling,
        "correlation": None if correlation is None else {
            "inputs": list(correlation.inputs),
            "asked_rank_correlation": np.round(correlation.asked, 6).tolist(),
            "used_rank_correlation": np.round(correlation.used, 6).tolist(),
            "repaired": bool(correlation.repaired),
        },
        "stopping": dict(info.stopping),
        "scenario_name": info.scenario_name,
        "scenario_title": info.title,
        "scenario_file": info.scenario_file,
        "scenario_sha256": info.scenario_sha256,
        "seed": info.seed,
        "paths": info.paths,
        "chunk_size": info.chunk_size,
        "baseline": info.baseline,
        "forces": info.force_ids,
        "years": list(info.years),
        "force_files": {force.id: force.file for force in info.forces},
        "package_version": info.version,
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "created": info.created,
        "timings_seconds": {k: round(v, 4) for k, v in timings.items()},
        "management_action": info.view,
        "warnings": list(info.warnings),
        "scenario_chain": [{"file": name, "sha256": sha} for name, sha in info.chain],
        "overrides": list(info.overrides),
        "overlay_changes": [{"field": c.field, "value": c.value, "from": c.origin} for c in info.changes],
        "resolved_sha256": info.resolved_sha256,
        "rating_thresholds": {"amber": info.rating[0], "red": info.rating[1]},
    }
