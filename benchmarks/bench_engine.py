"""Engine speed and memory as ratios against simple references (never asserted in tests).

References, measured in the same run on the same machine:

* **per-path loop**: the same engine called one path at a time from a Python loop, i.e.
  what the model costs without vectorising over paths;
* **random-number floor**: the time numpy alone needs to generate the uniforms one chunk
  of the run consumes, from the same keyed streams.

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--paths 200000] [--loop-paths 300]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np

from model.engine import project_force
from model.sampling import force_inputs, uniforms
from model.simulation import load_setup, run_simulation, with_overrides

REPO = Path(__file__).resolve().parent.parent


def best_of(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=200_000)
    parser.add_argument("--loop-paths", type=int, default=300)
    parser.add_argument("--chunk-size", type=int, default=8192)
    args = parser.parse_args()

    setup = with_overrides(load_setup(REPO / "scenarios" / "central.yaml"), paths=args.paths, chunk_size=args.chunk_size)
    force = "hertfordshire"

    chunk = force_inputs(setup, force, 0, args.chunk_size)
    engine_chunk = best_of(lambda: project_force(chunk))
    sampling_chunk = best_of(lambda: force_inputs(setup, force, 0, args.chunk_size))
    streams = 40  # about the number of keyed streams one force's chunk draws
    floor_chunk = best_of(lambda: [uniforms(setup.scenario.seed, ("floor", str(k)), 0, args.chunk_size, 4)
                                   for k in range(streams)])

    one_path = [force_inputs(setup, force, i, i + 1) for i in range(args.loop_paths)]
    loop = best_of(lambda: [project_force(inputs) for inputs in one_path], repeats=1) / args.loop_paths

    tracemalloc.start()
    started = time.perf_counter()
    result = run_simulation(setup)
    total = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    engine_rate = args.chunk_size / engine_chunk
    print(f"machine: {np.__version__=}, chunk {args.chunk_size:,} paths, force {force}")
    print(f"| measure | value |\n| --- | --- |")
    print(f"| engine, one force | {engine_rate:,.0f} paths/s |")
    print(f"| engine + sampling, one force | {args.chunk_size / (engine_chunk + sampling_chunk):,.0f} paths/s |")
    print(f"| per-path loop reference | {1 / loop:,.0f} paths/s |")
    print(f"| engine vs per-path loop | {loop * engine_rate:,.0f}× faster |")
    print(f"| sampling vs random-number floor | {sampling_chunk / floor_chunk:.1f}× the floor |")
    print(f"| full run, {args.paths:,} paths × {len(setup.scenario.forces)} forces × {setup.scenario.n_years} years "
          f"| {total:.2f} s (engine {result.timings['engine_seconds']:.2f} s) |")
    print(f"| peak traced memory of the full run | {peak / 1e6:,.0f} MB |")


if __name__ == "__main__":
    main()
