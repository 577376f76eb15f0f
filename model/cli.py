"""The ``police-mtfs`` command line: run, check and list forces.

Errors a user can fix are printed as one message on stderr with a non-zero exit code;
no traceback reaches the user for bad input, unwritable folders or interrupts.
"""

from __future__ import annotations

import contextlib
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from . import __version__
from .errors import InputError
from .fiscal import MODEL_YEARS
from .forces import (
    available_forces,
    default_data_dir,
    evaluate_figures,
    load_force,
    load_national,
)
from .outputs import AtomicOutputs, OutputError, run_metadata, write_csv, write_json
from .simulation import (
    ModelError,
    check_sampling,
    load_setup,
    run_simulation,
    with_overrides,
)
from .summary import (
    cases_table,
    convergence_table,
    flags_table,
    headline_table,
    plan_table,
    summary_table,
)
from .units import format_money, format_pounds

EXIT_INPUT = 2
EXIT_MODEL = 3
EXIT_OUTPUT = 4
EXIT_INTERRUPTED = 130

console = Console()
error_console = Console(stderr=True, highlight=False, soft_wrap=True)

DATA_OPTION = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder with forces/ and national.yaml (default: the data/ folder of this checkout).",
)


def fail(message: str, code: int) -> None:
    """Print one error message on stderr and exit.

    The message is escaped because it quotes the user's own text, which may contain
    square brackets that rich would otherwise read as markup.
    """
    error_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="police-mtfs")
def main() -> None:
    """Monte Carlo MTFS and reserves modeller for police forces in England and Wales."""


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--paths", type=click.IntRange(min=1, max=50_000_000), default=None,
              help="Number of Monte Carlo paths (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="Random seed, a whole number ≥ 0 (default: the scenario's).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Outputs go to OUT/<scenario-name>/.")
@click.option("--chunk-size", type=click.IntRange(min=1, max=10_000_000), default=None,
              help="Paths per chunk: bounds memory, never changes the numbers.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=1, show_default=True,
              help="Worker processes; the numbers are identical whatever the count.")
@click.option("--precision", type=str, default=None,
              help="Run until every headline probability is known to ± this, e.g. '0.5%' (ignores --paths).")
@click.option("--max-paths", type=click.IntRange(min=16_384, max=50_000_000), default=4_194_304, show_default=True,
              help="Path limit for --precision.")
@DATA_OPTION
def run(scenario: Path, paths: int | None, seed: int | None, out_dir: Path, chunk_size: int | None,
        workers: int, precision: str | None, max_paths: int, data_dir: Path | None) -> None:
    """Run SCENARIO and write its report (PDF and XLSX), tables (CSV) and run.json."""
    started = time.perf_counter()
    with _terminate_as_interrupt():
        _run(scenario, paths, seed, out_dir, chunk_size, workers, precision, max_paths, data_dir, started)


def _run(scenario, paths, seed, out_dir, chunk_size, workers, precision, max_paths, data_dir, started) -> None:
    try:
        setup = with_overrides(load_setup(scenario, data_dir), paths=paths, seed=seed, chunk_size=chunk_size)
        target = _precision(precision)
        check_sampling(setup, precision=target is not None)
        loaded = time.perf_counter()
        result = _simulate_with_progress(setup, workers=workers, precision=target, max_paths=max_paths)
        setup = result.setup
        summary, flags, plan = summary_table(result), flags_table(result), plan_table(result)
        folder = out_dir / setup.scenario.name
        with AtomicOutputs(folder) as outputs:
            outputs.write("summary.csv", write_csv(summary))
            outputs.write("flags.csv", write_csv(flags))
            outputs.write("plan.csv", write_csv(plan))
            outputs.write("cases.csv", write_csv(cases_table(result)))
            outputs.write("convergence.csv", write_csv(convergence_table(result)))
            report_started = time.perf_counter()
            from .report import build_report_pdf
            from .workbook import write_workbook

            meta, appendix = report_meta(setup, result.paths), appendix_tables(setup)
            outputs.write("report.pdf", lambda path: build_report_pdf(path, summary, flags, plan, meta, appendix))
            outputs.write("report.xlsx", lambda path: write_workbook(path, summary, flags, plan, meta, appendix))
            timings = dict(result.timings, load_seconds=loaded - started,
                           report_seconds=time.perf_counter() - report_started,
                           total_seconds=time.perf_counter() - started)
            outputs.write("run.json", write_json(run_metadata(setup, timings, result.paths, result.stopping)))
            written = sorted((path.name for path in outputs.publish()), key=lambda name: (not name.startswith("report"), name))
    except InputError as exc:
        fail(str(exc), EXIT_INPUT)
    except ModelError as exc:
        fail(str(exc), EXIT_MODEL)
    except OutputError as exc:
        fail(str(exc), EXIT_OUTPUT)
    except KeyboardInterrupt as exc:
        from .outputs import InterruptedAfterPublish, Terminated

        how = "interrupted by SIGTERM" if isinstance(getattr(exc, "interrupt", exc), Terminated) else "interrupted"
        if isinstance(exc, InterruptedAfterPublish):
            fail(f"{how} after the outputs were written: {exc.folder}/ holds this run's complete report; "
                 "only the summary table was not shown", EXIT_INTERRUPTED)
        fail(f"{how}: no output was written, and any earlier report in the folder is unchanged", EXIT_INTERRUPTED)
    _print_headlines(setup, summary, flags, folder, written, time.perf_counter() - started)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Let SIGTERM end a run the way Ctrl-C does (a message, exit 130, nothing half-written),
    and restore the previous handler afterwards."""
    import signal
    import threading

    from .outputs import raise_terminated

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def report_meta(setup, paths: int) -> dict:
    """The metadata the report shows: scenario, run settings, force names and policy."""
    scenario = setup.scenario
    return {
        "scenario_name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "scenario_file": str(scenario.path),
        "scenario_sha256": scenario.sha256,
        "seed": scenario.seed,
        "paths": paths,
        "version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "force_names": {force_id: force.name for force_id, force in setup.forces.items()},
        "minimum_general_reserve": {f: scenario.policy_for(f).minimum_general_rate for f in scenario.forces},
        "sources": list(scenario.sources),
        "notes": [
            "The 2016/17 budget is as set; later years are projected from the forces' plans and the scenario's assumptions.",
            "Baseline figures not published in the sources are assumptions with ranges, sampled path by path."
            if scenario.baseline == "sampled" else "Baseline assumptions are held at their central values.",
            *(f"Source of ranges: {source}" for source in scenario.sources),
        ],
    }


def appendix_tables(setup) -> dict:
    """Tidy tables for the assumptions and provenance appendix.

    Returns
    -------
    dict of str to DataFrame
        ``provenance`` (every baseline figure of every force with its source, see
        :func:`model.provenance.provenance_table`), ``inputs`` (what the scenario states
        for each uncertain input), ``contradictions`` (between sources, and the figure used)
        and ``correlations`` (asked for and used).
    """
    import pandas as pd

    from .provenance import (
        contradictions_table,
        correlation_table,
        provenance_table,
        scenario_inputs_table,
    )

    forces = [setup.forces[f] for f in setup.scenario.forces]
    return {
        "provenance": pd.concat([provenance_table(force) for force in forces], ignore_index=True),
        "inputs": scenario_inputs_table(setup),
        "contradictions": contradictions_table(forces),
        "correlations": correlation_table(setup),
    }


def _precision(text: str | None) -> float | None:
    """Parse ``--precision`` ('0.5%') into a fraction, or fail with the accepted form."""
    if text is None:
        return None
    from .units import UnitError, parse_quantity

    try:
        value = parse_quantity(text, ("rate",)).value
    except UnitError as exc:
        raise click.BadParameter(str(exc), param_hint="--precision") from None
    if not 0.0 < value < 0.5:
        raise click.BadParameter("expected a half-width above 0% and below 50%, e.g. '0.5%'", param_hint="--precision")
    return value


def _simulate_with_progress(setup, **options):
    """Run the simulation, showing a progress bar once it has taken more than a second."""
    state = {"progress": None, "task": None, "started": time.perf_counter()}

    def update(done: int) -> None:
        if state["progress"] is None and time.perf_counter() - state["started"] > 1.0 and console.is_terminal:
            progress = Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=console, transient=True)
            progress.start()
            state["progress"], state["task"] = progress, progress.add_task("paths", total=setup.scenario.paths)
        if state["progress"] is not None:
            state["progress"].update(state["task"], completed=done)

    try:
        return run_simulation(setup, progress=update, **options)
    finally:
        if state["progress"] is not None:
            state["progress"].stop()


def _print_headlines(setup, summary, flags, folder: Path, written: list[str], seconds: float) -> None:
    """Print the headline table. The outputs are already in place, so an interrupt here loses nothing."""
    try:
        headlines = headline_table(summary, flags)
        scenario = setup.scenario
        table = Table(title=f"{escape(scenario.title)}: by 31 March {int(scenario.years[-1][:4]) + 1}",
                      caption=f"{scenario.paths:,} paths, seed {scenario.seed}; £m cash")
        table.add_column("Force")
        table.add_column("Total reserves P50 (P10–P90)", justify="right")
        table.add_column("General reserve P50", justify="right")
        table.add_column("P(general < minimum)", justify="right")
        table.add_column("P(usable reserves exhausted)", justify="right")
        table.add_column("P(uncovered deficit)", justify="right")
        for row in headlines.itertuples():
            table.add_row(
                setup.forces[row.force].name,
                f"{format_money(row.total_reserves_p50)} ({format_money(row.total_reserves_p10)}–{format_money(row.total_reserves_p90)})",
                format_money(row.general_reserve_p50),
                f"{row.p_general_below_minimum:.1%}",
                f"{row.p_usable_reserves_exhausted:.1%}",
                f"{row.p_uncovered_deficit:.1%}",
            )
        console.print(table)
        console.print(f"Wrote {', '.join(written)} to {escape(str(folder))}/ in {seconds:.1f} s")
    except KeyboardInterrupt:
        fail(f"interrupted after the outputs were written: {folder}/ holds this run's complete report; "
             "only the summary table was not shown", EXIT_INTERRUPTED)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@DATA_OPTION
def check(scenario: Path, data_dir: Path | None) -> None:
    """Validate SCENARIO and its force baselines without running it."""
    try:
        setup = load_setup(scenario, data_dir)
    except InputError as exc:
        fail(str(exc), EXIT_INPUT)
    s = setup.scenario
    console.print(f"[green]OK[/]: {escape(str(s.path))} — {escape(s.title)}")
    console.print(f"  forces: {escape(', '.join(setup.forces[f].name for f in s.forces))}")
    console.print(f"  years: {s.years[0]} to {s.years[-1]}; {s.paths:,} paths, seed {s.seed}, baseline {s.baseline}")
    stated = ", ".join(s.inputs) or "none (every input follows the forces' plans or its default)"
    console.print(f"  inputs stated: {stated}")
    console.print(f"  shocks: {', '.join(sh.name for sh in s.shocks) or 'none'}")


@main.command()
@click.option("--force", "force_id", default=None, help="Show every figure of one force, with its source.")
@DATA_OPTION
def forces(force_id: str | None, data_dir: Path | None) -> None:
    """List the forces in data/ with their baseline figures and where each came from."""
    data_dir = data_dir or default_data_dir()
    try:
        national = load_national(data_dir)
        ids = [force_id] if force_id else available_forces(data_dir)
        loaded = [load_force(data_dir, f, national) for f in ids]
    except InputError as exc:
        fail(str(exc), EXIT_INPUT)
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
    from .provenance import provenance_table

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
    from .docs import input_rows

    table = Table(title="Scenario inputs", show_lines=True)
    for column in ("Input", "Units", "Range", "Scope", "From", "If omitted", "Meaning"):
        table.add_column(column, overflow="fold")
    for row in input_rows():
        table.add_row(*row.values())
    console.print(table)


from .sensitivity_cli import compare, goal_seek, sensitivity  # noqa: E402  (registered after main is defined)

main.add_command(sensitivity)
main.add_command(goal_seek)
main.add_command(compare)

if __name__ == "__main__":  # pragma: no cover
    main()
