"""The evidence commands: ``fit`` (a range fitted to history) and ``evaluate`` (a forecast scored against outturns).

``fit`` writes ``fit.yaml`` (the snippet it prints), ``fit.csv``, ``fit.txt`` and ``fit.png`` to
``OUT/fit/<series>-<scopes>/``; ``evaluate`` writes ``evaluation.csv``, ``coverage.csv``,
``pit_histogram.csv``, ``evaluation.json`` and ``evaluation.pdf`` to ``OUT/<scenario>/evaluate/``
(with ``--run DIR``, ``OUT/<DIR's name>/evaluate/``). A mistake is one message on stderr and exit 2,
as for every command (:mod:`model.cli.errors`). docs/evidence.md explains both.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from model.cli.errors import terminate_as_interrupt, user_errors
from model.cli.options import DATA, OUT, SEED, SET, paths_option

console = Console()

FAMILY_CHOICES = ("normal", "truncated_normal", "lognormal", "triangular", "pert", "uniform")
"""The families ``--distribution`` takes (:data:`model.analysis.fit.FAMILIES`)."""


def parse_exclude(texts: tuple[str, ...]) -> dict[int, str]:
    """``--exclude 106`` or ``--exclude "106: October, not December"`` (repeatable; ``61,125`` for several rows)."""
    rows: dict[int, str] = {}
    for text in texts:
        number, _, reason = text.partition(":")
        for part in number.split(","):
            part = part.strip()
            if not part.isdigit():
                raise click.BadParameter(f"expected a row number, e.g. '106' or '106: why'; found {text!r}",
                                         param_hint="--exclude")
            rows[int(part)] = reason.strip()
    return rows


def parse_with(text: str) -> tuple[str, tuple[str, ...]]:
    """``--with cpi_inflation`` or ``--with band_d_precept_change:leicestershire`` (scopes after a colon, comma-separated)."""
    name, _, scopes = text.partition(":")
    return name.strip(), tuple(s.strip() for s in scopes.split(",") if s.strip())


def _fit_folder(out: Path, series: str, scopes: tuple[str, ...]) -> Path:
    return Path(out) / "fit" / "-".join([series, *scopes])


@click.command()
@click.argument("history", type=click.Path(path_type=Path))
@click.option("--series", required=True, help="The series to fit (the CSV's series column), e.g. cpi_inflation.")
@click.option("--scope", "scopes", multiple=True,
              help="The scope(s) of the series to take (repeatable); needed when the series has several.")
@click.option("--exclude", "excludes", multiple=True, metavar="ROW[: REASON]",
              help="Leave a row out (as a spreadsheet numbers it, header row 1), with the reason: "
                   "--exclude '106: October, not December' (repeatable).")
@click.option("--input", "input_name", default=None,
              help="The scenario input the range is for (police-mtfs inputs): its units are checked and the "
                   "snippet is keyed by it.")
@click.option("--distribution", "families", multiple=True, type=click.Choice(FAMILY_CHOICES),
              help="Fit only these families (repeatable; default: all six).")
@click.option("--with", "others", multiple=True, metavar="SERIES[:SCOPE,...]",
              help="Another series to give the rank correlation with, over the years both have (repeatable).")
@OUT
@DATA
def fit(history: Path, series: str, scopes: tuple[str, ...], excludes: tuple[str, ...], input_name: str | None,
        families: tuple[str, ...], others: tuple[str, ...], out_dir: Path, data_dir: Path | None) -> None:
    """Fit the scenario's distributions to a yearly SERIES of HISTORY (a CSV like data/history-2010-2016.csv).

    Ranks the families by AICc and BIC, says how weak a fit to a few points is, estimates the
    year-to-year persistence and the rank correlation with any --with series, prints a YAML snippet in
    scenario syntax with a sources: line citing the rows used, and writes fit.yaml, fit.csv, fit.txt and
    fit.png (the distribution functions against the history) to OUT/fit/<series>-<scopes>/.

    With the history file shipped in data/, the scopes, rows left out and input of a series listed in
    data/evidence.yaml are the defaults.
    """
    from model.analysis.fit import FAMILIES, fit_history, scenario_snippet, source_line
    from model.io.forces import default_data_dir
    from model.io.history import HISTORY_FILE, load_evidence, read_history, yearly_series
    from model.report.evidence_files import write_fit

    started = time.perf_counter()
    exclude = parse_exclude(excludes)
    withs = [parse_with(text) for text in others]
    with terminate_as_interrupt(), user_errors():
        table = read_history(history)
        data = Path(data_dir) if data_dir else default_data_dir()
        shipped = (data / HISTORY_FILE).resolve() == Path(history).resolve()
        evidence = {entry.series: entry for entry in load_evidence(data)}
        defaults = []

        def chosen(name: str, scopes_given: tuple[str, ...]) -> tuple[tuple[str, ...], dict[int, str]]:
            rows_of = {row.row for row in table.rows if row.series == name}
            mine = {row: reason for row, reason in exclude.items() if row in rows_of}
            entry = evidence.get(name)
            if shipped and entry is not None and not scopes_given and not mine:
                defaults.append(f"{name}: scope {', '.join(entry.scopes)}"
                                + "".join(f"; row {row} left out ({reason})" for row, reason in entry.exclude.items()))
                return entry.scopes, dict(entry.exclude)
            return scopes_given, mine

        stray = [row for row in exclude if row not in {r.row for r in table.rows
                                                       if r.series in (series, *(w[0] for w in withs))}]
        if stray:
            from model.io.errors import Described, InputError

            raise InputError(history, "--exclude", f"rows of '{series}'" + (" or of a --with series" if withs else ""),
                             Described(", ".join(f"row {row}" for row in stray)))
        if input_name is None and series in evidence:
            input_name = evidence[series].input
            defaults.append(f"{series} is evidence for the input {input_name}")
        main_scopes, main_exclude = chosen(series, scopes)
        main = yearly_series(table, series, scopes=main_scopes, exclude=main_exclude, input_name=input_name)
        other_series = []
        for name, other_scopes in withs:
            their_scopes, their_exclude = chosen(name, other_scopes)
            other_series.append(yearly_series(table, name, scopes=their_scopes, exclude=their_exclude, minimum=0))
        result = fit_history(main, tuple(families) or FAMILIES, other_series)
        family = result.recommended
        snippet = scenario_snippet(result, input_name=input_name, unit=main.unit, source=source_line(main, result, family))
        notes = fit_notes(main, result, defaults, snippet)
        folder = _fit_folder(out_dir, series, main.scopes)
        title = f"{main.label}, {main.periods[0]} to {main.periods[-1]}: {result.n} values"
        written = write_fit(folder, result, unit=main.unit, snippet=snippet, notes=notes, title=title,
                            plot_note=f"Points: the history at plotting positions (i − ½)/n. Thick line: "
                                      f"{family.family if family else 'none'}, the snippet's.")
    _print_fit(main, result, notes, snippet, folder, written, time.perf_counter() - started)


def fit_notes(series, result, defaults: list[str], snippet: str) -> str:
    """What ``fit`` prints and writes to ``fit.txt``: the values with their rows, the weakness, persistence,
    correlations, rows set aside, and the snippet."""
    from model.io.history import format_history_value

    lines = [f"{series.label}: {result.n} yearly values from {series.file}"]
    lines += [f"  {point.period}: {format_history_value(point.value, series.unit)} (row"
              f"{'s' if len(point.rows) > 1 else ''} {', '.join(str(r.row) for r in point.rows)})"
              for point in series.points]
    for row, reason in series.excluded:
        lines.append(f"  left out: row {row.row} ({row.period}, {row.value} {row.unit})" + (f": {reason}" if reason else ""))
    for row, reason in series.set_aside:
        lines.append(f"  set aside: row {row.row}: {reason}")
    if defaults:
        lines.append("Defaults from data/evidence.yaml: " + "; ".join(defaults) + ".")
    if result.weakness:
        lines.append("How weak this is:")
        lines += [f"  * {text}" for text in result.weakness]
    else:
        lines.append(f"Persistence: {result.persistence.text}.")
    for correlation in result.correlations:
        lines.append(f"Rank correlation with {correlation.text}.")
    return "\n".join(lines) + "\n\n" + snippet


def _print_fit(series, result, notes: str, snippet: str, folder: Path, written, seconds: float) -> None:
    from model.analysis.fit import format_number

    table = Table(title=f"Distributions fitted to {series.label} ({result.n} values), best first by {result.criterion}")
    for column in ("Family", "Parameters", "AICc", "BIC", "Weight", "Left out one at a time"):
        table.add_column(column, overflow="fold")
    for fit_ in result.fits:
        if not fit_.fitted:
            table.add_row(fit_.family, escape(fit_.note), "–", "–", "–", "–")
            continue
        loo = "–" if fit_.left_out is None else ("rules a value out" if fit_.left_out == float("-inf")
                                                  else f"{fit_.left_out:.1f}")
        table.add_row(fit_.family, escape(", ".join(f"{k} {format_number(v, series.unit)}" for k, v in fit_.params.items())),
                      f"{fit_.aicc:.1f}" if fit_.aicc != float("inf") else "not defined", f"{fit_.bic:.1f}",
                      f"{result.weights.get(fit_.family, 0.0):.0%}", loo)
    console.print(table)
    console.print(escape(notes.split("\n\n")[0]), soft_wrap=True)
    console.print()
    console.print(escape(snippet), end="", soft_wrap=True)
    console.print(f"Wrote {', '.join(sorted(p.name for p in written))} to {escape(str(folder))}/ in {seconds:.1f} s")


@click.command()
@click.argument("scenario", required=False, type=click.Path(path_type=Path))
@click.option("--outturns", required=True, type=click.Path(path_type=Path),
              help="CSV of outturns: force, year, metric, value (in the metric's unit, as summary.csv) and optionally source.")
@click.option("--run", "run_dir", type=click.Path(path_type=Path), default=None,
              help="Score a finished run's folder instead of running SCENARIO (full resolution with its "
                   "histograms.npz; from summary.csv alone, ranks only between its percentiles and no CRPS).")
@paths_option("Monte Carlo paths (default: the scenario's).")
@SEED
@OUT
@DATA
@SET
def evaluate(scenario: Path | None, outturns: Path, run_dir: Path | None, paths: int | None, seed: int | None,
             out_dir: Path, data_dir: Path | None, overrides: tuple[str, ...]) -> None:
    """Score SCENARIO's forecast against outturns: each outturn's percentile rank, band and CRPS; band coverage.

    Runs SCENARIO (or reads --run DIR) and writes evaluation.csv (one row per outturn with its percentile
    rank), coverage.csv, pit_histogram.csv, evaluation.json and evaluation.pdf to OUT/<scenario>/evaluate/
    (with --run DIR, OUT/<DIR's name>/evaluate/). Rows for a force, metric or year the run does not have
    are reported, not dropped.
    """
    if (scenario is None) == (run_dir is None):
        raise click.UsageError("give a SCENARIO to run, or --run DIR to read a finished run's folder (not both)")
    if run_dir is not None and (paths is not None or seed is not None or overrides):
        raise click.UsageError("--paths, --seed and --set apply to a SCENARIO run, not to --run DIR")
    started = time.perf_counter()
    from model.analysis.evaluate import evaluate_run, evaluate_scenario
    from model.report.evidence_files import write_evaluation

    with terminate_as_interrupt(), user_errors():
        if run_dir is not None:
            result = evaluate_run(run_dir, outturns)
            folder = Path(out_dir) / Path(run_dir).resolve().name / "evaluate"
        else:
            from model import pipeline
            from model.run.results import run_info

            setup = pipeline.load(scenario, data_dir=data_dir, paths=paths, seed=seed, overrides=overrides)
            result = evaluate_scenario(setup, outturns)
            folder = pipeline.evaluate_folder(out_dir, run_info(setup))
        written = write_evaluation(result, folder)
    _print_evaluation(result, folder, written, time.perf_counter() - started)


def _print_evaluation(result, folder: Path, written, seconds: float) -> None:
    from model.report.evidence_pdf import coverage_sentence

    scored, total = len(result.scored), len(result.rows)
    console.print(f"Scored {scored} of {total} outturns against {escape(result.scenario)} ({result.paths:,} paths).")
    console.print(escape(result.resolution))
    if scored:
        console.print(escape(coverage_sentence(result.coverage)))
        test = result.uniformity
        p_text = "" if test["p_value"] != test["p_value"] else f" (p = {test['p_value']:.2f})"
        console.print(escape(f"Percentile ranks: {test['verdict']}{p_text}."))
    for row in result.not_scored.itertuples():
        console.print(f"[yellow]row {row.row}[/]: {escape(row.status)}")
    console.print(f"Wrote {', '.join(sorted(p.name for p in written))} to {escape(str(folder))}/ in {seconds:.1f} s")
