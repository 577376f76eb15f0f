"""The ``police-mtfs`` command line: run, check, forces, inputs and outputs (the analysis commands are in
:mod:`model.cli.analysis`).

Each command parses its options, calls :mod:`model.pipeline` and prints; errors a user can
fix are one message on stderr and a non-zero exit code (:mod:`model.cli.errors`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from model import __version__
from model.cli import analysis, evidence, new_force
from model.cli.errors import Commands, interrupted_after_publish, terminate_as_interrupt, user_errors, warn
from model.cli.options import DATA, OUT, SCHEDULER, SEED, SET, WORKERS, paths_option, setting_range
from model.declare.fiscal import MODEL_YEARS
from model.declare.formatting import format_money, format_pounds
from model.declare.settings import SETTINGS
from model.io.errors import Described
from model.io.forces import available_forces, default_data_dir, evaluate_figures, load_force, load_national

if TYPE_CHECKING:
    from model.run.results import RunResult

console = Console()


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="police-mtfs")
def main() -> None:
    """Monte Carlo MTFS and reserves modeller for police forces in England and Wales."""


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@paths_option("Number of Monte Carlo paths (default: the scenario's).")
@SEED
@OUT
@click.option("--chunk-size", type=setting_range("chunk_size"), default=None,
              help="Paths per chunk: bounds memory, never changes the numbers.")
@WORKERS
@SCHEDULER
@click.option("--precision", type=str, default=None,
              help="Run until every headline probability is known to ± this, e.g. '0.5%' (ignores --paths).")
@click.option("--max-paths", type=setting_range("max_paths"), default=SETTINGS["max_paths"].default,
              show_default=True, help="Path limit for --precision.")
@DATA
@SET
@click.option("--strict", is_flag=True, help="Treat every warning as an error: exit 2 and write nothing.")
def run(scenario: Path, paths: int | None, seed: int | None, out_dir: Path, chunk_size: int | None,
        workers: int, scheduler: str | None, precision: str | None, max_paths: int, data_dir: Path | None,
        overrides: tuple[str, ...], strict: bool) -> None:
    """Run SCENARIO and write its report (PDF and XLSX), tables (CSV), run.json and resolved.yaml.

    Writes to OUT/<scenario-name>/, or with --set to OUT/<scenario-name>-set-<8 hex>/ so the
    report of the file as written stays. Warnings (inputs no scenario states, band D rises the
    referendum limit cut, a repaired correlation matrix) go to stderr and run.json; --strict makes
    them errors.
    """
    started = time.perf_counter()
    from model import pipeline  # pandas and the simulation: only for a run, never for --help or check

    with terminate_as_interrupt(), user_errors():
        setup = pipeline.load(scenario, data_dir=data_dir, paths=paths, seed=seed, chunk_size=chunk_size,
                              precision=precision is not None, overrides=overrides)
        loaded = time.perf_counter()
        target = _precision(precision)
        result = _with_progress(lambda progress: pipeline.run_scenario(
            setup, workers=workers, precision=target, max_paths=max_paths, progress=progress, scheduler=scheduler),
            setup.scenario.paths)
        result.started = started
        result.timings["load_seconds"] = loaded - started
        for warning in result.info.warnings:
            warn(warning)
        if strict and result.info.warnings:
            from model.io.errors import InputError

            raise InputError(scenario, None, "a run without warnings (--strict)",
                             Described(f"{len(result.info.warnings)} warning(s), printed above; nothing was written"))
        folder = pipeline.run_folder(out_dir, result.info)
        written = sorted((path.name for path in pipeline.write_run(result, folder)),
                         key=lambda name: (not name.startswith("report"), name))
    _print_headlines(result, folder, written, time.perf_counter() - started)


def _precision(text: str | None) -> float | None:
    """Parse ``--precision`` ('0.5%') into a fraction, or fail with the accepted form."""
    if text is None:
        return None
    from model.declare.units import UnitError, parse_quantity

    try:
        value = parse_quantity(text, ("rate",)).value
    except UnitError as exc:
        raise click.BadParameter(str(exc), param_hint="--precision") from None
    if not 0.0 < value < 0.5:
        raise click.BadParameter("expected a half-width above 0% and below 50%, e.g. '0.5%'", param_hint="--precision")
    return value


def _with_progress(work, total: int):
    """Call ``work(progress)``, showing a progress bar once it has taken more than a second."""
    state = {"progress": None, "task": None, "started": time.perf_counter()}

    def update(done: int) -> None:
        if state["progress"] is None and time.perf_counter() - state["started"] > 1.0 and console.is_terminal:
            progress = Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=console, transient=True)
            progress.start()
            state["progress"], state["task"] = progress, progress.add_task("paths", total=total)
        if state["progress"] is not None:
            state["progress"].update(state["task"], completed=done)

    try:
        return work(update)
    finally:
        if state["progress"] is not None:
            state["progress"].stop()


def _print_headlines(result: RunResult, folder: Path, written: list[str], seconds: float) -> None:
    """Print the headline table. The outputs are already in place, so an interrupt here loses nothing."""
    from model.cli.console import headline_table

    try:
        table = headline_table(result, console)
        console.print(table)
        console.print(f"Wrote {', '.join(written)} to {escape(str(folder))}/ in {seconds:.1f} s")
    except KeyboardInterrupt:
        interrupted_after_publish(folder)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@DATA
@SET
def check(scenario: Path, data_dir: Path | None, overrides: tuple[str, ...]) -> None:
    """Validate SCENARIO and its force baselines without running it, and summarise the resolved scenario."""
    from model.sampling.setup import load_setup

    with user_errors():
        setup = load_setup(scenario, data_dir, overrides)
    from model.sampling.caps import possible_caps
    from model.sampling.statuses import STATUSES, UNSTATED, input_statuses

    s = setup.scenario
    console.print(f"[green]OK[/]: {escape(str(s.path))} — {escape(s.title)}")
    if len(s.chain) > 1:
        console.print("  extends: " + escape(" ← ".join(Path(name).name for name, _ in reversed(s.chain[:-1]))))
    for text in s.overrides:
        console.print(f"  --set {escape(text)}")
    console.print(f"  forces: {escape(', '.join(setup.forces[f].name for f in s.forces))}")
    console.print(f"  years: {s.years[0]} to {s.years[-1]}; {s.paths:,} paths, seed {s.seed}, baseline {s.baseline}")
    statuses = input_statuses(s)
    for status in STATUSES:
        chosen = [x for x in statuses if x.status == status]
        if not chosen:
            continue
        if status == UNSTATED:
            console.print("  inputs not stated, held fixed with no uncertainty:")
            for x in chosen:
                suffix = "" if x.matters else " (does nothing in this scenario)"
                console.print(f"    {x.name}: {escape(x.fallback.removesuffix(', with no uncertainty'))}{suffix}")
        else:
            console.print(f"  inputs {status}: {', '.join(x.name for x in chosen)}")
    console.print(f"  shocks: {', '.join(sh.name for sh in s.shocks) or 'none'}")
    console.print(f"  management action: {'stated' if s.action.stated else 'none (the unmitigated view)'}")
    caps = possible_caps(setup)
    console.print("  band D rises a possible referendum limit would cut: " + ("none" if not caps else ""))
    for cap in caps:
        console.print(f"    {escape(cap.sentence(setup.forces[cap.force].name))}")


@main.command()
@click.option("--force", "force_id", default=None, help="Show every figure of one force, with its source.")
@DATA
def forces(force_id: str | None, data_dir: Path | None) -> None:
    """List the forces in data/ with their baseline figures and where each came from."""
    data_dir = data_dir or default_data_dir()
    with user_errors():
        national = load_national(data_dir)
        ids = [force_id] if force_id else available_forces(data_dir)
        loaded = [load_force(data_dir, f, national) for f in ids]
    if force_id is None:
        _print_force_overview(loaded)
    else:
        _print_force_detail(loaded[0])


OVERVIEW = (
    ("budget.funding", "Budget requirement"), ("budget.grant", "Grant"), ("budget.precept", "Precept"),
    ("budget.band_d", "Band D"), ("budget.savings", "Savings in 2016/17 budget"),
    ("reserves.general", "General reserve"),
)


def _print_force_overview(loaded) -> None:
    table = Table(title=f"Force baselines, {MODEL_YEARS[0]} budget as set (£m unless shown)")
    table.add_column("Figure")
    for force in loaded:
        table.add_column(force.name, justify="right")
    values = {force.id: evaluate_figures(force.figures) for force in loaded}
    for name, label in OVERVIEW:
        cells = []
        for force in loaded:
            figure = force.figures[name]
            value = float(values[force.id][name])
            text = format_pounds(value) if figure.unit == "pounds" else format_money(value)
            cells.append(f"{text} [dim]({figure.kind})[/]")
        table.add_row(label, *cells)
    earmarked = []
    for force in loaded:
        total = sum(float(values[force.id][r.opening]) for r in force.earmarked)
        earmarked.append(format_money(total))
    table.add_row("Earmarked reserves", *earmarked)
    console.print(table)
    console.print("Sourced = seed quote; derived = formula; assumption = range sampled by the Monte Carlo. "
                  "Use --force ID for every figure with its source.")


def _print_force_detail(force) -> None:
    from model.io.provenance import provenance_table

    table = Table(title=f"{force.name}: every baseline figure and its source", show_lines=True)
    for column in ("Figure", "Kind", "Value", "Range", "Source", "Quote / derivation / reason"):
        table.add_column(column, overflow="fold")
    for row in provenance_table(force).itertuples():
        spread = f"{row.low} – {row.high}" if row.low else ""
        table.add_row(row.figure, row.kind, row.value, spread, row.source, row.detail)
    console.print(table)
    for item in force.contradictions:
        console.print(f"[bold]Contradiction[/] — {item.topic}: " + "; ".join(item.figures)
                      + f". Used: {item.used}. Why: {item.reason}")


@main.command(name="inputs")
def list_inputs() -> None:
    """List every uncertain input a scenario can state, with its unit, range and meaning."""
    from model.declare.docs import input_rows

    table = Table(title="Scenario inputs", show_lines=True)
    for column in ("Input", "Units", "Range", "Scope", "From", "If omitted", "Meaning"):
        table.add_column(column, overflow="fold")
    for row in input_rows():
        table.add_row(*row.values())
    console.print(table)


@main.command(name="outputs")
def list_outputs() -> None:
    """List every output a run writes: metrics, flags and deterministic cases, with unit and meaning."""
    from model.declare.docs import output_rows

    table = Table(title="Run outputs", show_lines=True)
    for column in ("Output", "Kind", "Unit", "Better", "Label", "Meaning"):
        table.add_column(column, overflow="fold")
    for row in output_rows():
        table.add_row(*row.values())
    console.print(table)


main.add_command(analysis.sensitivity)
main.add_command(analysis.goal_seek)
main.add_command(analysis.compare)
main.add_command(new_force.new_force)
main.add_command(evidence.fit)
main.add_command(evidence.evaluate)

if __name__ == "__main__":  # pragma: no cover
    main()
