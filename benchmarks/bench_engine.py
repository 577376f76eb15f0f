"""Engine speed and memory as ratios against simple references (never asserted in tests).

References, measured in the same run on the same machine:

* **per-path loop**: :func:`model.reference.project_path`, the same model in plain Python,
  one path at a time;
* **random-number floor**: numpy generating the uniforms one force's chunk consumes from
  the same keyed streams (every stream the scenario draws, at its shape).

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--paths 1000000] [--memory-paths 1000000 4000000]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np

from model.engine import project_force
from model.reference import project_path
from model.sampling import force_inputs
from model.simulation import load_setup, run_simulation, with_overrides
from model.uniforms import RandomStreams

REPO = Path(__file__).resolve().parent.parent


def best_of(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def stream_count(setup, force: str) -> int:
    """Streams one force's chunk draws: stated inputs, baseline assumptions, shocks (2 each)."""
    inputs = len(set(setup.scenario.inputs) | (set(setup.correlation.names) if setup.correlation else set()))
    baseline = sum(f.kind == "assumption" for f in setup.forces[force].figures.values())
    shocks = 2 * sum(force in shock.forces for shock in setup.scenario.shocks)
    return inputs + baseline + shocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=8192)
    parser.add_argument("--loop-paths", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-paths", type=int, nargs="*", default=[250_000, 1_000_000])
    args = parser.parse_args()

    setup = with_overrides(load_setup(REPO / "scenarios" / "central.yaml"), chunk_size=args.chunk_size)
    force = "hertfordshire"
    chunk = args.chunk_size
    inputs = force_inputs(setup, force, 0, chunk)
    engine = best_of(lambda: project_force(inputs))
    sampling = best_of(lambda: force_inputs(setup, force, 0, chunk))
    streams = stream_count(setup, force)
    source = RandomStreams(1)
    floor = best_of(lambda: [source.draw(("floor", str(k)), 0, chunk, 4) for k in range(streams)])
    loop = best_of(lambda: [project_path(inputs, p) for p in range(args.loop_paths)], repeats=1) / args.loop_paths

    started = time.perf_counter()
    run_simulation(with_overrides(setup, paths=args.paths), workers=1)
    one_worker = time.perf_counter() - started
    started = time.perf_counter()
    run_simulation(with_overrides(setup, paths=args.paths), workers=args.workers)
    many_workers = time.perf_counter() - started

    memory = []
    for paths in args.memory_paths:
        tracemalloc.start()
        run_simulation(with_overrides(setup, paths=paths))
        memory.append((paths, tracemalloc.get_traced_memory()[1] / 1e6))
        tracemalloc.stop()

    forces = len(setup.scenario.forces)
    print(f"numpy {np.__version__}; chunk {chunk:,} paths; force {force}; {streams} streams per force-chunk\n")
    print("| measure | value |\n| --- | --- |")
    print(f"| engine alone, one force | {chunk / engine:,.0f} paths/s |")
    print(f"| sampling + engine, one force | {chunk / (engine + sampling):,.0f} paths/s |")
    print(f"| per-path Python reference | {1 / loop:,.0f} paths/s |")
    print(f"| engine vs per-path reference | {loop * chunk / engine:,.0f}× |")
    print(f"| sampling + engine vs per-path reference | {loop * chunk / (engine + sampling):,.0f}× |")
    print(f"| random-number floor, one force | {chunk / floor:,.0f} paths/s |")
    print(f"| sampling + engine vs the floor | {(engine + sampling) / floor:.1f}× the floor |")
    print(f"| full run with streaming summaries, {args.paths:,} paths × {forces} forces × 4 years, 1 worker "
          f"| {one_worker:.1f} s |")
    print(f"| the same, {args.workers} workers | {many_workers:.1f} s |")
    for paths, peak in memory:
        print(f"| peak traced memory, {paths:,} paths | {peak:,.0f} MB |")


if __name__ == "__main__":
    main()
