"""Where a user waits in ``police-mtfs run``: the default run's stages beside references measured in the same run,
and a run of many forces (the three committed forces repeated under new ids) with its wall time and peak memory.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_report.py                 # both parts
    .venv/bin/python benchmarks/bench_report.py --part stages   # the default run's stages only
    .venv/bin/python benchmarks/bench_report.py --part forces --forces 43

Part ``stages`` times, in one process, each stage of the default run (imports in a fresh interpreter, load,
simulation, bridge, CSVs, PDF, XLSX) with CPU and wall seconds, the PDF split into text pages and chart pages,
and beside them: the same PDF in the embedded TrueType font (the report before core fonts), the same number of
empty pages written to a PDF (the floor of matplotlib's PDF writer), and whole commands in fresh processes:
``python -c pass``, ``police-mtfs check`` (the start-up floor) and ``police-mtfs run`` end to end.

Part ``forces`` writes a temporary data folder (``--data``) holding the three force files and copies of them
under new ids, and a scenario of those forces (central's assumptions, each force's given to its copies),
runs ``police-mtfs run`` on it in a fresh process, and reports wall time and the process's peak resident memory
(``ru_maxrss`` from ``wait4``), beside the same command on the three forces; then the same run's stages
(simulation, PDF, XLSX) in one process, with the resident memory before each and the peak after it, so a
peak can be put down to its stage.

Figures are printed as a Markdown table. Nothing here is a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CENTRAL = REPO / "scenarios" / "central.yaml"
DATA = REPO / "data"
BASE_FORCES = ("staffordshire", "leicestershire", "hertfordshire")
POLICE_MTFS = Path(sys.executable).with_name("police-mtfs")


class Clock:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def measured(command: Sequence[str], cwd: Path = REPO) -> tuple[float, float, float]:
    """Run a command in a fresh process: its wall seconds, CPU seconds and peak resident memory in MB."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{errors.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(repeats: int, run: Callable[[], tuple[float, ...]]) -> tuple[float, ...]:
    """The run with the least wall time of ``repeats`` (the one the machine's load disturbed least)."""
    return min((run() for _ in range(repeats)), key=lambda figures: figures[0])


def row(what: str, *figures: str) -> str:
    return "| " + " | ".join((what, *figures)) + " |"


# --------------------------------------------------------------------------------------
# Part 1: the default run's stages
# --------------------------------------------------------------------------------------

def stages(repeats: int) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        return _stages(folder, repeats)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _stages(folder: Path, repeats: int) -> list[str]:
    imports = best(repeats, lambda: measured([sys.executable, "-c", "from model import pipeline; "
                                              "from model.report import pdf, workbook, records"]))
    bare = best(repeats, lambda: measured([sys.executable, "-c", "pass"]))
    check = best(repeats, lambda: measured([str(POLICE_MTFS), "check", str(CENTRAL)]))
    run = best(repeats, lambda: measured([str(POLICE_MTFS), "run", str(CENTRAL), "--out", str(folder / "cli")]))
    with open(folder / "cli" / "central" / "run.json", encoding="utf-8") as file:
        run_timings = json.load(file)["timings_seconds"]

    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from model import pipeline
    from model.io.atomic import write_csv
    from model.report import pdf, workbook
    from model.report.page_layout import PAGE_SIZE_INCHES, LaidOutPage
    from model.report.style import report_style

    with Clock() as load:
        setup = pipeline.load(CENTRAL)
    with Clock() as simulation:
        result = pipeline.run_scenario(setup)
    bridge = result.timings.get("bridge_seconds", float("nan"))
    with Clock() as csvs:
        for name, table in result.tables().items():
            write_csv(table)(folder / f"{name}.csv")

    def build(fonts: str) -> tuple[float, float]:
        with Clock() as clock:
            pdf.build_report_pdf(folder / "report.pdf", result, fonts=fonts)
        return clock.wall, clock.cpu

    build("auto")  # fonts, metrics and caches loaded once, as in the run above
    core = best(repeats, lambda: build("auto"))
    embedded = best(repeats, lambda: build("embedded"))
    with Clock() as xlsx:
        workbook.write_workbook(folder / "report.xlsx", result)

    # The core-font PDF page by page: text pages (laid out by the report) and chart pages.
    kinds = {"text": [0, 0.0], "chart": [0, 0.0]}
    with report_style(True), PdfPages(folder / "pages.pdf") as document:
        makers = pdf.report_pages(result)
        for number, make in enumerate(makers, start=1):
            kind = "text" if isinstance(getattr(make, "__self__", None), LaidOutPage) else "chart"
            with Clock() as clock:
                page = make()
                pdf.add_footer(page, number, len(makers), result.info)
                pdf.write_page(document, page)
                pdf.release_page(page)
            kinds[kind][0] += 1
            kinds[kind][1] += clock.cpu
    pages = len(makers)

    def empty_pages() -> tuple[float, float]:
        with Clock() as clock, PdfPages(folder / "empty.pdf") as document:
            for _ in range(pages):
                document.savefig(Figure(figsize=PAGE_SIZE_INCHES))
        return clock.wall, clock.cpu

    empty = best(repeats, empty_pages)

    def seconds(wall: float, cpu: float | None = None) -> str:
        return f"{wall:.2f} s" if cpu is None else f"{wall:.2f} s ({cpu:.2f} s CPU)"

    text_pages, chart_pages = kinds["text"], kinds["chart"]
    return [
        "| stage of `police-mtfs run scenarios/central.yaml` | wall (CPU) |",
        "| --- | --- |",
        row("end to end, fresh process (`police-mtfs run`)", seconds(*run[:2])),
        row("... its own timings (run.json): load, simulation, bridge, report (PDF + XLSX)",
            ", ".join(f"{run_timings.get(key, float('nan')):.2f} s" for key in
                      ("load_seconds", "simulation_seconds", "bridge_seconds", "report_seconds"))),
        row("imports (`model.pipeline`, `model.report`), fresh interpreter", seconds(*imports[:2])),
        row("load (scenario and force files)", seconds(load.wall, load.cpu)),
        row("simulation, bridge and summary tables (`run_scenario`)", seconds(simulation.wall, simulation.cpu)),
        row("... of which the bridge", seconds(bridge)),
        row("CSVs", seconds(csvs.wall, csvs.cpu)),
        row(f"PDF, {pages} pages, core Helvetica", seconds(*core)),
        row(f"... {text_pages[0]} text pages (front, about, appendix), CPU", f"{text_pages[1]:.2f} s, "
            f"{text_pages[1] / max(text_pages[0], 1):.3f} s a page"),
        row(f"... {chart_pages[0]} chart and table pages, CPU", f"{chart_pages[1]:.2f} s, "
            f"{chart_pages[1] / max(chart_pages[0], 1):.3f} s a page"),
        row("XLSX", seconds(xlsx.wall, xlsx.cpu)),
        "| **references, same run** | |",
        row("the same PDF in the embedded TrueType font (`fonts='embedded'`)", seconds(*embedded)),
        row(f"{pages} empty A4 pages written by matplotlib's PDF backend", seconds(*empty)),
        row("`python -c pass`", seconds(*bare[:2])),
        row("`police-mtfs check scenarios/central.yaml` (start-up floor)", seconds(*check[:2])),
        row("PDF against the embedded-font PDF (CPU)", f"{core[1] / embedded[1]:.2f}×"),
        row("PDF against empty pages (CPU)", f"{core[1] / max(empty[1], 1e-9):.0f}×"),
    ]


# --------------------------------------------------------------------------------------
# Part 2: many forces
# --------------------------------------------------------------------------------------

def many_forces(folder: Path, count: int) -> Path:
    """A data folder with ``count`` forces (the three committed ones and copies under new ids) and its scenario.

    Returns
    -------
    Path
        The scenario file; its data folder is ``folder / 'data'``.
    """
    data = folder / "data"
    shutil.copytree(DATA, data)
    copies: dict[str, str] = {}
    for number in range(count - len(BASE_FORCES)):
        base = BASE_FORCES[number % len(BASE_FORCES)]
        copy_number = number // len(BASE_FORCES) + 2
        force = f"{base}_{copy_number:02d}"
        text = (DATA / "forces" / f"{base}.yaml").read_text(encoding="utf-8")
        text = re.sub(r"^id: .*$", f"id: {force}", text, count=1, flags=re.MULTILINE)
        text = re.sub(r"^(name: .*)$", rf"\g<1> {copy_number}", text, count=1, flags=re.MULTILINE)
        (data / "forces" / f"{force}.yaml").write_text(text, encoding="utf-8")
        copies[force] = base
    scenario = yaml.safe_load(CENTRAL.read_text(encoding="utf-8"))
    _give_copies(scenario, copies)
    scenario["forces"] = [*BASE_FORCES, *copies]
    scenario["title"] = f"Central case, {count} forces (the three repeated)"
    path = folder / f"central-{count}-forces.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _give_copies(node: object, copies: dict[str, str]) -> None:
    """Wherever the scenario states something for a force, state the same for each of its copies."""
    if isinstance(node, dict):
        for force, base in copies.items():
            if base in node and force not in node:
                node[force] = copy.deepcopy(node[base])
        for value in list(node.values()):
            _give_copies(value, copies)
    elif isinstance(node, list):
        for value in node:
            _give_copies(value, copies)


STAGES_SCRIPT = """
import resource, sys, time
from pathlib import Path

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def now():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20

from model import pipeline
from model.report import pdf, workbook
scenario, data, out = (Path(arg) for arg in sys.argv[1:])
figures = []
for stage, action in (("run_scenario", lambda: pipeline.run_scenario(scenario, data_dir=data)),
                      ("PDF", lambda: pdf.build_report_pdf(out / "report.pdf", result)),
                      ("XLSX", lambda: workbook.write_workbook(out / "report.xlsx", result))):
    before, started = now(), time.process_time()
    value = action()
    result = value if stage == "run_scenario" else result
    figures.append(f"{stage}:{before:.0f}:{peak():.0f}:{time.process_time() - started:.1f}")
print(" ".join(figures))
"""
"""Each stage of a run in one process: resident memory before it, the process's peak after it, its CPU seconds."""


def forces(count: int, repeats: int) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="bench-forces-"))
    try:
        scenario = many_forces(folder, count)
        command = [str(POLICE_MTFS), "run", str(scenario), "--data", str(folder / "data"), "--out", str(folder / "out")]
        many = best(repeats, lambda: measured(command))
        with open(folder / "out" / scenario.stem / "run.json", encoding="utf-8") as file:
            timings = json.load(file)["timings_seconds"]
        pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", (folder / "out" / scenario.stem / "report.pdf")
                               .read_bytes()))
        three = best(repeats, lambda: measured([str(POLICE_MTFS), "run", str(CENTRAL), "--out",
                                                str(folder / "out3")]))
        (folder / "stages").mkdir()
        staged = subprocess.run([sys.executable, "-c", STAGES_SCRIPT, str(scenario), str(folder / "data"),
                                 str(folder / "stages")], check=True, capture_output=True, text=True, cwd=REPO)
        by_stage = [figures.split(":") for figures in staged.stdout.split()]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    per_force = (many[0] - three[0]) / (count - len(BASE_FORCES))
    return [
        f"| `police-mtfs run`, default paths | {count} forces | 3 forces |",
        "| --- | --- | --- |",
        row("wall time", f"{many[0]:.1f} s", f"{three[0]:.1f} s"),
        row("CPU time", f"{many[1]:.1f} s", f"{three[1]:.1f} s"),
        row("peak resident memory (ru_maxrss)", f"{many[2]:.0f} MB", f"{three[2]:.0f} MB"),
        row(f"of the {count}-force run (run.json): load, simulation, bridge, report (PDF + XLSX)",
            ", ".join(f"{timings.get(key, float('nan')):.1f} s" for key in
                      ("load_seconds", "simulation_seconds", "bridge_seconds", "report_seconds")), ""),
        row("report pages", str(pages), ""),
        row("wall time per force beyond the three", f"{per_force:.2f} s", ""),
        f"| the {count}-force run's stages, one process | resident before | peak after | CPU |",
        *(row(stage, f"{before} MB", f"{peak} MB", f"{cpu} s") for stage, before, peak, cpu in by_stage),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("stages", "forces", "both"), default="both")
    parser.add_argument("--forces", type=int, default=43, help="forces in the many-forces run (default 43)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each measure; the fastest is kept")
    options = parser.parse_args()
    os.chdir(REPO)
    if options.part in ("stages", "both"):
        print("\n".join(stages(options.repeats)), end="\n\n", flush=True)
    if options.part in ("forces", "both"):
        print("\n".join(forces(options.forces, options.repeats)), flush=True)


if __name__ == "__main__":
    main()
