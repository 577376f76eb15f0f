"""``police-mtfs sensitivity`` timed end to end: wall clock, CPU seconds and each stage (never asserted in tests).

Each measurement is a fresh process running the command on the central scenario into a
temporary folder; its stages come from the ``sensitivity.json`` it writes, its CPU seconds
(user + system, worker processes included) from the operating system. On a shared machine
the wall clock follows the other sessions' load, so compare CPU seconds, and compare two
checkouts by alternating them in one run (``--other``): the same load falls on both.

With ``--workers N`` above 1 the command is run through :func:`model.pipeline.run_sensitivity`
and :func:`model.pipeline.write_sensitivity` (what the command calls), on ``N`` local worker
processes.

Usage::

    .venv/bin/python benchmarks/bench_sensitivity.py [--repeat 3] [--workers 1 2] [--other /path/to/checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STAGES = ("one_way_seconds", "sobol_seconds", "drivers_seconds", "pdf_seconds", "total_seconds")

COMMAND = """
import sys
from model.cli.entry import main
sys.argv = ["police-mtfs", "sensitivity", sys.argv[1], "--out", sys.argv[2]]
main()
"""

ON_WORKERS = """
import sys
from pathlib import Path
from model import pipeline
result = pipeline.run_sensitivity(sys.argv[1], workers=int(sys.argv[3]))
pipeline.write_sensitivity(result, Path(sys.argv[2]) / result.info.scenario_name / "sensitivity")
"""


def measure(checkout: Path, scenario: str, workers: int) -> dict[str, float]:
    """Run the command once from ``checkout``: wall and CPU seconds, and the stages it records."""
    with tempfile.TemporaryDirectory() as out:
        code = COMMAND if workers == 1 else ON_WORKERS
        environment = dict(os.environ, PYTHONPATH=str(checkout))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, scenario, out, str(workers)], cwd=checkout, env=environment,
                       check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        record = json.loads(next(Path(out).glob("*/sensitivity/sensitivity.json")).read_text())
    timings = record["timings_seconds"]
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            **{stage: timings.get(stage, float("nan")) for stage in STAGES}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/central.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--other", type=Path, help="another checkout, timed alternately with this one (workers 1)")
    args = parser.parse_args()
    runs = [("this", REPO, w) for w in args.workers] + ([("other", args.other.resolve(), 1)] if args.other else [])
    results: dict[tuple[str, int], list[dict[str, float]]] = {(label, w): [] for label, _, w in runs}
    for _ in range(args.repeat):
        for label, checkout, workers in runs:
            results[label, workers].append(measure(checkout, args.scenario, workers))
    columns = ("wall", "cpu", *STAGES)
    print("checkout workers " + " ".join(f"{c.removesuffix('_seconds'):>9}" for c in columns) + "  (median of runs, s)")
    for (label, workers), measured in results.items():
        medians = [statistics.median(m[c] for m in measured) for c in columns]
        print(f"{label:8} {workers:7} " + " ".join(f"{v:9.2f}" for v in medians))
        for m in measured:
            print(" " * 17 + " ".join(f"{m[c]:9.2f}" for c in columns))


if __name__ == "__main__":
    main()
