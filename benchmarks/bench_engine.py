"""Engine speed and memory as ratios against simple references (never asserted in tests).

References, measured in the same run on the same machine:

* **per-path loop**: :func:`model.reference.project_path`, the same model in plain Python,
  one path at a time;
* **random-number floor**: numpy alone generating as many uniforms as the run draws
  (counted by wrapping the run's own source), with one generator in chunk-sized calls.

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--paths 1000000] [--memory-paths 10000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy import special

from model.engine import project_force
from model.reference import project_path
from model.sampling import force_inputs, national_draws
from model.simulation import load_setup, run_simulation, with_overrides

REPO = Path(__file__).resolve().parent.parent


def best_of(function, repeats: int = 5) -> float:
    """Shortest wall-clock time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


class CountingSource:
    """The run's own uniform source, counting the uniforms drawn through it."""

    def __init__(self, base) -> None:
        self.base, self.kind, self.uniforms = base, base.kind, 0

    def draw(self, key, start, stop, columns):
        self.uniforms += (stop - start) * columns
        return self.base.draw(key, start, stop, columns)


def sample_and_project(setup, forces: list[str], start: int, stop: int, source) -> None:
    """One chunk of the Monte Carlo for ``forces``: national draws once, then each force's inputs and engine."""
    national = national_draws(setup, start, stop, source)
    for force in forces:
        project_force(force_inputs(setup, force, start, stop, source=source, national=national))


def uniforms_drawn(setup, forces: list[str], chunk: int) -> int:
    source = CountingSource(setup.source)
    sample_and_project(setup, forces, 0, chunk, source)
    return source.uniforms


def floor_seconds(uniforms: int, chunk: int) -> float:
    """numpy generating ``uniforms`` numbers into a reused buffer the size of one yearly stream of a chunk."""
    generator = np.random.default_rng(1)
    buffer = np.empty(chunk * 4)
    calls = -(-uniforms // buffer.size)
    return best_of(lambda: [generator.random(out=buffer) for _ in range(calls)])


def transformed_floor_seconds(uniforms: int, chunk: int) -> float:
    """The floor plus one inverse-normal and one normal CDF per number: the least a Gaussian copula costs."""
    generator = np.random.default_rng(1)
    buffer = np.empty(chunk * 4)
    calls = -(-uniforms // buffer.size)

    def draw_and_transform():
        for _ in range(calls):
            generator.random(out=buffer)
            special.ndtri(buffer, out=buffer)
            special.ndtr(buffer, out=buffer)

    return best_of(draw_and_transform)


def peak_memory(paths: int, workers: int) -> dict:
    """Peak resident memory of a fresh process running the simulation (MB, itself and its workers)."""
    code = (
        "import json, resource, sys\n"
        "from model.simulation import load_setup, run_simulation, with_overrides\n"
        f"setup = with_overrides(load_setup({str(REPO / 'scenarios' / 'central.yaml')!r}), paths={paths})\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"run_simulation(setup, workers={workers})\n"
        "print(json.dumps({'before_MB': before / 1024, 'self_MB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
        " 'workers_MB': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
    )
    started = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    return {**json.loads(output), "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=8192)
    parser.add_argument("--loop-paths", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-paths", type=int, nargs="*", default=[1_000_000, 10_000_000])
    args = parser.parse_args()

    setup = with_overrides(load_setup(REPO / "scenarios" / "central.yaml"), chunk_size=args.chunk_size)
    chunk = args.chunk_size
    every_force = list(setup.scenario.forces)
    one = ["hertfordshire"]
    source = setup.source
    inputs = force_inputs(setup, one[0], 0, chunk)

    rows = []
    engine = best_of(lambda: project_force(inputs))
    loop = best_of(lambda: [project_path(inputs, p) for p in range(args.loop_paths)], repeats=1) / args.loop_paths
    rows.append(("per-path Python reference, one force", f"{1 / loop:,.0f} paths/s"))
    rows.append(("engine alone, one force", f"{chunk / engine:,.0f} paths/s ({loop * chunk / engine:,.0f}× the loop)"))
    for label, forces in (("one force", one), ("three forces", every_force)):
        sampled = best_of(lambda forces=forces: sample_and_project(setup, forces, 0, chunk, source))
        drawn = uniforms_drawn(setup, forces, chunk)
        floor = floor_seconds(drawn, chunk)
        per_force = sampled / len(forces)
        rows.append((f"sampling + engine, {label}", f"{chunk / sampled:,.0f} paths/s ({chunk / per_force:,.0f} force-paths/s)"))
        rows.append((f"  against the per-path loop, {label}", f"{loop * chunk / per_force:,.0f}×"))
        rows.append((f"  random-number floor, {label} ({drawn / chunk:.0f} uniforms a path)", f"{chunk / floor:,.0f} paths/s"))
        rows.append((f"  against the floor, {label}", f"{sampled / floor:.1f}× the floor"))
        transformed = transformed_floor_seconds(drawn, chunk)
        rows.append((f"  against the floor with a copula transform of every number, {label}",
                     f"{sampled / transformed:.1f}× ({chunk / transformed:,.0f} paths/s)"))

    run_setup = with_overrides(setup, paths=args.paths)
    run_simulation(with_overrides(setup, paths=20_000))  # warm up imports and caches
    for workers in (1, args.workers):
        started = time.perf_counter()
        result = run_simulation(run_setup, workers=workers)
        elapsed = time.perf_counter() - started
        rows.append((f"full run with streaming summaries, {args.paths:,} paths × {len(every_force)} forces × "
                     f"{setup.scenario.n_years} years, {workers} worker{'s' if workers > 1 else ''}",
                     f"{elapsed:.2f} s ({result.timings['simulation_seconds']:.2f} s simulation)"))

    for paths in args.memory_paths:
        memory = peak_memory(paths, args.workers)
        rows.append((f"peak resident memory, {paths:,} paths, {args.workers} workers",
                     f"{memory['self_MB']:,.0f} MB main process ({memory['before_MB']:,.0f} MB after imports), "
                     f"{memory['workers_MB']:,.0f} MB largest worker; {memory['seconds']:.1f} s"))

    print(f"numpy {np.__version__}; chunk {chunk:,} paths; one force = {one[0]}\n")
    print("| measure | value |\n| --- | --- |")
    for measure, value in rows:
        print(f"| {measure} | {value} |")


if __name__ == "__main__":
    main()
