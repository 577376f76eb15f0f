"""Engine speed and memory as ratios against simple references (never asserted in tests).

Everything is timed inside a real run of the central scenario, with timers wrapped around
the sampling, the engine and the streaming summaries (isolated micro-timings mislead: a lone
call pays for memory that a running simulation has already been given). References,
measured in the same run on the same machine:

* **per-path loop**: :func:`model.engine.reference.project_path`, the same model in plain
  Python, one path at a time;
* **random-number floor**: numpy alone generating as many uniforms as the run draws
  (counted by wrapping the run's own source), in arrays the size of one chunk's stream;
* **start-up floor**: ``police-mtfs check`` (load and validate the scenario and its force
  files, nothing simulated) and ``--help``, against Python importing numpy alone, each the
  fastest of a few fresh processes.

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--paths 1000000] [--memory-paths 10000000]
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy import special

import model.run.simulation as simulation
from model.engine.reference import project_path
from model.run.simulation import run_simulation
from model.run.tallies import LineAccumulator
from model.sampling.draws import force_inputs
from model.sampling.setup import load_setup, with_overrides

REPO = Path(__file__).resolve().parent.parent


class Timers:
    """Wall-clock seconds spent in wrapped functions of :mod:`model.simulation`, by name and force."""

    def __init__(self) -> None:
        self.seconds: collections.Counter = collections.Counter()
        self.uniforms = 0
        self._force = None

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label, self._force] += time.perf_counter() - started

        setattr(owner, name, timed)

    def total(self, label: str) -> float:
        return sum(seconds for (name, _), seconds in self.seconds.items() if name == label)


def instrument() -> Timers:
    """Wrap the run's stages (in this process only) and count the uniforms drawn."""
    timers = Timers()
    original_lines = simulation.project_lines

    def project_lines(setup, force, *args, **kwargs):
        timers._force = force
        return original_lines(setup, force, *args, **kwargs)

    simulation.project_lines = project_lines
    timers.wrap(simulation, "national_draws", "national")
    timers.wrap(simulation, "force_inputs", "sampling")
    timers.wrap(simulation, "project_force", "engine")
    timers.wrap(LineAccumulator, "add", "summaries")
    original_source = simulation.run_source

    class CountingSource:
        def __init__(self, base) -> None:
            self.base, self.kind = base, base.kind

        def draw(self, key, start, stop, columns):
            timers.uniforms += (stop - start) * columns
            return self.base.draw(key, start, stop, columns)

    simulation.run_source = lambda *setups: CountingSource(original_source(*setups))
    return timers


def floor_seconds(uniforms: int, chunk: int, transformed: bool = False) -> float:
    """numpy generating ``uniforms`` numbers into a reused buffer; optionally through ``ndtri`` and ``ndtr`` too."""
    generator = np.random.default_rng(1)
    buffer = np.empty(chunk * 4)
    started = time.perf_counter()
    for _ in range(-(-uniforms // buffer.size)):
        generator.random(out=buffer)
        if transformed:
            special.ndtri(buffer, out=buffer)
            special.ndtr(buffer, out=buffer)
    return time.perf_counter() - started


def peak_memory(paths: int, workers: int) -> dict:
    """Peak resident memory of a fresh process running the simulation (MB, itself and its workers)."""
    code = (
        "import json, resource\n"
        "from model.run.simulation import run_simulation\n"
        "from model.sampling.setup import load_setup, with_overrides\n"
        f"setup = with_overrides(load_setup({str(REPO / 'scenarios' / 'central.yaml')!r}), paths={paths})\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"run_simulation(setup, workers={workers})\n"
        "print(json.dumps({'before_MB': before / 1024, 'self_MB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
        " 'workers_MB': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
    )
    started = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    return {**json.loads(output), "seconds": time.perf_counter() - started}


def startup_seconds(arguments: list[str], repeats: int = 5) -> float:
    """The fastest of ``repeats`` fresh processes running ``arguments`` (wall clock, output discarded)."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(arguments, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=8192)
    parser.add_argument("--loop-paths", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-paths", type=int, nargs="*", default=[1_000_000, 10_000_000])
    args = parser.parse_args()
    rows = []

    # Start-up first, on a quiet process (no simulation running alongside).
    command = [sys.executable, "-c", "from model.cli.entry import main; main()"]
    check = startup_seconds(command + ["check", "scenarios/central.yaml"])
    help_ = startup_seconds(command + ["--help"])
    numpy_floor = startup_seconds([sys.executable, "-c", "import numpy"])
    rows += [
        ("start-up: `police-mtfs check scenarios/central.yaml` (fastest of 5)", f"{check:.2f} s"),
        ("start-up: `police-mtfs --help`", f"{help_:.2f} s"),
        ("start-up floor: `python -c 'import numpy'`", f"{numpy_floor:.2f} s"),
        ("`check` against that floor", f"{check / numpy_floor:.1f}×"),
    ]

    setup = with_overrides(load_setup(REPO / "scenarios" / "central.yaml"), chunk_size=args.chunk_size,
                           paths=args.paths)
    forces = list(setup.scenario.forces)
    paths = args.paths

    # Workers first, before the timers are wrapped in (they would not see them anyway).
    run_simulation(with_overrides(setup, paths=20_000))
    started = time.perf_counter()
    run_simulation(setup, workers=args.workers)
    many_workers = time.perf_counter() - started

    timers = instrument()
    started = time.perf_counter()
    result = run_simulation(setup)
    one_worker = time.perf_counter() - started
    simulated = result.timings["simulation_seconds"]
    national, sampling, engine, summaries = (timers.total(label) for label in ("national", "sampling", "engine", "summaries"))
    sampling += national

    inputs = force_inputs(setup, "hertfordshire", 1000, 1000 + args.loop_paths)
    started = time.perf_counter()
    for path in range(args.loop_paths):
        project_path(inputs, path)
    loop = (time.perf_counter() - started) / args.loop_paths  # seconds a path, one force

    uniforms = timers.uniforms
    floor = floor_seconds(uniforms, args.chunk_size)
    transformed_floor = floor_seconds(uniforms, args.chunk_size, transformed=True)

    force_paths = paths * len(forces)
    rows += [
        (f"whole simulation, {paths:,} paths × {len(forces)} forces × {setup.scenario.n_years} years, 1 worker",
         f"{one_worker:.2f} s"),
        (f"the same, {args.workers} workers", f"{many_workers:.2f} s"),
        ("of the one-worker run: sampling (national draws once a chunk, then each force's inputs)",
         f"{sampling:.2f} s (national {national:.2f} s)"),
        ("of the one-worker run: engine (`project_force`)", f"{engine:.2f} s"),
        ("of the one-worker run: streaming summaries", f"{summaries:.2f} s"),
        ("of the one-worker run: the rest (checks, layout, pilot, deterministic cases)",
         f"{simulated - sampling - engine - summaries:.2f} s"),
    ]
    for force in forces:
        force_engine = timers.seconds["engine", force]
        force_sampling = timers.seconds["sampling", force]
        rows.append((f"engine throughput, {force}", f"{paths / force_engine:,.0f} paths/s; with its own sampling "
                     f"{paths / (force_engine + force_sampling):,.0f} paths/s"))
    rows += [
        ("engine throughput, three forces", f"{paths / engine:,.0f} paths/s ({force_paths / engine:,.0f} force-paths/s)"),
        ("whole simulation per force-path, 1 worker", f"{one_worker / force_paths * 1e6:.2f} µs"),
        ("per-path Python reference, one force (hertfordshire)", f"{1 / loop:,.0f} paths/s"),
        ("engine against the per-path loop", f"{loop * force_paths / engine:,.0f}×"),
        ("sampling + engine against the per-path loop", f"{loop * force_paths / (engine + sampling):,.0f}×"),
        (f"random-number floor: {uniforms / paths:.0f} uniforms a path, {uniforms:,} in all", f"{floor:.2f} s"),
        ("engine against the floor", f"{engine / floor:.1f}×"),
        ("sampling + engine against the floor", f"{(sampling + engine) / floor:.1f}×"),
        ("whole one-worker simulation against the floor", f"{simulated / floor:.1f}×"),
        ("floor with an inverse-normal and a normal CDF per number", f"{transformed_floor:.2f} s"),
        ("sampling + engine against that", f"{(sampling + engine) / transformed_floor:.1f}×"),
    ]
    for memory_paths in args.memory_paths:
        memory = peak_memory(memory_paths, args.workers)
        rows.append((f"peak resident memory, {memory_paths:,} paths, {args.workers} workers",
                     f"{memory['self_MB']:,.0f} MB main process ({memory['before_MB']:,.0f} MB after imports), "
                     f"{memory['workers_MB']:,.0f} MB largest worker; {memory['seconds']:.1f} s"))

    print(f"numpy {np.__version__}; chunk {args.chunk_size:,} paths\n")
    print("| measure | value |\n| --- | --- |")
    for measure, value in rows:
        print(f"| {measure} | {value} |")


if __name__ == "__main__":
    main()
