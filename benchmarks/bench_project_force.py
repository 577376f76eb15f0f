"""One call of the engine, :func:`model.engine.projection.project_force`, timed alone (never asserted in tests).

For each force of a scenario, the inputs of one chunk of paths are drawn once and the
engine is called on them ``--calls`` times; the figure is CPU seconds a call
(``time.process_time``), the best of ``--repeat`` such runs. This is the cost the
sensitivity stages pay per evaluation; a whole run is timed by ``bench_engine.py``.

Usage::

    .venv/bin/python benchmarks/bench_project_force.py [--scenario scenarios/central.yaml] [--paths 8192]
        [--calls 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from model.engine.projection import project_force
from model.sampling.draws import force_inputs
from model.sampling.setup import load_setup

REPO = Path(__file__).resolve().parent.parent


def seconds_a_call(inputs, calls: int, repeat: int) -> float:
    """The best of ``repeat`` runs of ``calls`` engine calls, CPU seconds a call."""
    project_force(inputs)
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(calls):
            project_force(inputs)
        best = min(best, (time.process_time() - started) / calls)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(REPO / "scenarios" / "central.yaml"))
    parser.add_argument("--paths", type=int, default=8192)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup = load_setup(args.scenario)
    print(f"| force | ms a call ({args.paths:,} paths, best of {args.repeat} × {args.calls} calls) |\n| --- | --- |")
    for force in setup.scenario.forces:
        inputs = force_inputs(setup, force, 0, args.paths)
        print(f"| {force} | {seconds_a_call(inputs, args.calls, args.repeat) * 1e3:.2f} |")


if __name__ == "__main__":
    main()
