"""The analysis commands: ``sensitivity``, ``goal-seek`` and ``compare``.

Each loads its scenario through :mod:`model.pipeline`, runs, writes its files atomically
into its own folder under ``OUT/<scenario-name>/`` (``sensitivity/``, ``goal-seek/<forces>-<lever>-<target>pct/``,
``compare/<b>/``), never over ``run``'s files or each other's, and prints a short table.
A user's mistake is one message on stderr and a non-zero exit, as for ``run``.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from model.cli.errors import terminate_as_interrupt, user_errors
from model.cli.options import SCHEDULER, WORKERS, common_options
from model.declare.formatting import format_money, format_percent
from model.declare.outputs import BREACH
from model.declare.settings import SETTINGS
from model.declare.units import UnitError, parse_quantity
from model.io.errors import did_you_mean
from model.run.probability import Z95

console = Console()


def _stage(name: str, seconds: float) -> None:
    console.print(f"[dim]{escape(name)}: {seconds:.1f} s[/]")


def _power_of_two(ctx, param, value: int) -> int:
    if value < 4 or value & (value - 1):
        lower = 1 << max(value.bit_length() - 1, 2)
        raise click.BadParameter(f"expected a power of two of at least 4 (Sobol' points balance only in powers of two), "
                                 f"e.g. {lower:,} or {2 * lower:,}; found {value:,}")
    return value


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@common_options
@click.option("--sobol-n", type=int, default=SETTINGS["sobol_n"].default, show_default=True, callback=_power_of_two,
              help="Base samples of the Sobol' design, a power of two; each force costs N × (groups + 2) evaluations.")
@WORKERS
@SCHEDULER
def sensitivity(scenario: Path, paths: int | None, seed: int | None, out_dir: Path, data_dir: Path | None,
                overrides: tuple[str, ...], sobol_n: int, workers: int, scheduler: str | None) -> None:
    """Which assumptions drive SCENARIO's risk: unit sensitivities, tornado, spider, Sobol' indices, breach drivers.

    Writes unit_sensitivities.csv, tornado.csv, spider.csv, sobol_indices.csv, breach_drivers.csv,
    sensitivity.pdf, sensitivity.json and resolved.yaml to OUT/<scenario-name>/sensitivity/.
    """
    started = time.perf_counter()
    from model import pipeline  # pandas and the simulation: imported when a command runs, not for --help

    with terminate_as_interrupt(), user_errors():
        result = pipeline.run_sensitivity(scenario, paths=paths, seed=seed, sobol_n=sobol_n, data_dir=data_dir,
                                          on_stage=_stage, overrides=overrides, scheduler=scheduler,
                                          workers=workers)
        folder = pipeline.sensitivity_folder(out_dir, result.info)
        pipeline.write_sensitivity(result, folder)
    _print_top_drivers(result, folder, time.perf_counter() - started)


def _print_top_drivers(result, folder: Path, seconds: float) -> None:
    """Per force: the base P(breach) with its 95% interval, the largest total-order Sobol' indices and tornado swing.

    The probability is the report's one figure (:meth:`~model.analysis.results.SensitivityResult.base_breach`), as on
    every page of ``sensitivity.pdf``.
    """
    info = result.info
    last = info.years[-1]
    sobol, tornado, base = result.sobol_indices, result.tornado, result.base_breach()
    paths = int(base["paths"].iloc[0]) if len(base) else info.paths
    table = Table(title=f"What drives P(general reserve below minimum by {last})",
                  caption=f"P(breach): every input uncertain, on the scenario's {paths:,} paths (seed {info.seed}), "
                          f"as in sensitivity.pdf; Sobol' indices from their own design ({result.sobol_n:,} base "
                          "samples)")
    table.add_column("Force")
    table.add_column("P(breach)\n95% interval", no_wrap=True)
    table.add_column("Largest total-order Sobol' indices")
    table.add_column("Largest swing, P10 to P90")
    for force in info.force_ids:
        rows = sobol[(sobol.force == force) & (sobol.output == BREACH) & (sobol.year == last)].dropna(subset=["ST"])
        top = rows.sort_values("ST", ascending=False).head(3)
        drivers = "; ".join(f"{r.label} {r.ST:.2f}" for r in top.itertuples()) or "no breach to attribute"
        swings = tornado[(tornado.force == force) & (tornado.output == BREACH)]
        biggest = swings.loc[swings.swing.abs().idxmax()] if len(swings) else None
        swing = (f"{biggest.label}: from {format_percent(biggest.at_low)} to {format_percent(biggest.at_high)}"
                 if biggest is not None else "–")
        if force in base.index:
            row = base.loc[force]
            p = (f"{format_percent(row.probability)}\n"
                 f"{format_percent(row.low)} to {format_percent(row.high)}")
        else:
            p = "–"
        table.add_row(escape(info.force_name(force)), p, escape(drivers), escape(swing))
    console.print(table)
    console.print(f"Wrote unit_sensitivities.csv, tornado.csv, spider.csv, sobol_indices.csv, breach_drivers.csv, "
                  f"sensitivity.pdf, sensitivity.json and resolved.yaml to {escape(str(folder))}/ in {seconds:.1f} s")


def _target(text: str) -> float:
    try:
        value = parse_quantity(text, ("rate",)).value
    except UnitError as exc:
        bare = text.strip().replace(".", "", 1).isdigit()
        hint = f" (a bare number is ambiguous: write it with its % sign, e.g. '{text.strip()}%')" if bare else ""
        raise click.BadParameter(str(exc) + hint, param_hint="--target") from None
    if not 0.0 < value < 1.0:
        raise click.BadParameter(f"expected a probability above 0% and below 100%, e.g. '5%'; found {text!r}",
                                 param_hint="--target")
    return value


def _unit(lever: str, unit: str | None) -> str:
    from model.analysis.goal_seek import LEVER_UNITS  # only for goal-seek: imports the engine

    allowed = LEVER_UNITS[lever]
    if unit is None:
        return allowed[0]
    if unit not in allowed:
        raise click.BadParameter(f"the {lever} lever is stated in {' or '.join(allowed)}; found {unit!r}",
                                 param_hint="--unit")
    return unit


def _forces(setup, chosen: tuple[str, ...]) -> list[str]:
    known = setup.scenario.forces
    for force in chosen:
        if force not in known:
            suggestion = did_you_mean(force, known)
            hint = f" Did you mean '{suggestion}'?" if suggestion else ""
            raise click.BadParameter(f"expected a force of {setup.scenario.name}: {', '.join(known)}; found "
                                     f"{force!r}.{hint}", param_hint="--force")
    return list(chosen) or list(known)


@click.command("goal-seek")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--force", "forces", multiple=True, help="Force id (repeatable; default: every force of the scenario).")
@click.option("--lever", type=click.Choice(["precept", "savings"]), required=True,
              help="precept: the same band D rise every year from 2017/18; savings: extra recurring savings (£m a year).")
@click.option("--target", required=True, help="Largest acceptable P(general reserve below minimum by the last year), e.g. '5%'.")
@click.option("--unit", type=click.Choice(["%", "£", "£m"]), default=None,
              help="Band D rise in % or £ (default %); savings are in £m.")
@common_options
def goal_seek(scenario: Path, forces: tuple[str, ...], lever: str, target: str, unit: str | None,
              paths: int | None, seed: int | None, out_dir: Path, data_dir: Path | None,
              overrides: tuple[str, ...]) -> None:
    """The smallest band D rise or extra saving that keeps P(general reserve below minimum) at or below a target.

    Every trial runs on the same random draws, so the probability only falls as the lever
    rises and bisection settles on it. Writes goal_seek.csv (one row per force),
    goal_seek_trials.csv (every value tried) and resolved.yaml to
    OUT/<scenario-name>/goal-seek/<forces>-<lever>-<target>pct/ (e.g. hertfordshire-precept-5pct).
    """
    probability, unit = _target(target), _unit(lever, unit)
    started = time.perf_counter()
    from model import pipeline

    with terminate_as_interrupt(), user_errors():
        setup = pipeline.load(scenario, data_dir=data_dir, paths=paths, seed=seed, overrides=overrides)
        result = pipeline.run_goal_seek(setup, lever=lever, target=probability, unit=unit,
                                        forces=_forces(setup, forces))
        folder = pipeline.goal_seek_folder(out_dir, result)
        pipeline.write_goal_seek(result, folder)
    for message in result.messages:
        console.print(escape(message))
    console.print(f"Wrote goal_seek.csv, goal_seek_trials.csv and resolved.yaml to {escape(str(folder))}/ in "
                  f"{time.perf_counter() - started:.1f} s")


@click.command()
@click.argument("scenario_a", type=click.Path(path_type=Path))
@click.argument("scenario_b", type=click.Path(path_type=Path))
@common_options
def compare(scenario_a: Path, scenario_b: Path, paths: int | None, seed: int | None, out_dir: Path,
            data_dir: Path | None, overrides: tuple[str, ...]) -> None:
    """SCENARIO_B against SCENARIO_A, path by path on the same random draws (A's seed and sampling).

    First lists every field that differs between the two resolved scenarios. Writes
    compare_differences.csv (those fields), compare.csv (mean and percentiles of B − A per
    force, year and metric), compare_flags.csv (each flag's probability under A and B, the
    difference and its paired standard error), compare.json and both resolved scenarios to
    OUT/<a>/compare/<b>/. --set applies to both scenarios.
    """
    started = time.perf_counter()
    from model import pipeline

    with terminate_as_interrupt(), user_errors():
        result = pipeline.run_compare(scenario_a, scenario_b, paths=paths, seed=seed, data_dir=data_dir,
                                      overrides=overrides)
        folder = pipeline.compare_folder(out_dir, result)
        pipeline.write_compare(result, folder)
    _print_comparison(result, folder, time.perf_counter() - started)


def _print_comparison(result, folder: Path, seconds: float) -> None:
    a, b, metrics, flags = result.info, result.info_b, result.metrics, result.flags
    last = a.years[-1]
    differences = result.differences
    console.print(f"{len(differences)} field{'s differ' if len(differences) != 1 else ' differs'} between "
                  f"{escape(a.scenario_name)} (A) and {escape(b.scenario_name)} (B)"
                  + (":" if len(differences) else " (the scenarios' numbers are the same)."))
    for row in differences.itertuples():
        console.print(f"  {escape(row.field)}: A {escape(row.scenario_a)}; B {escape(row.scenario_b)}", soft_wrap=True)
    table = Table(title=f"{escape(b.scenario_name)} − {escape(a.scenario_name)}, by {last} (same {a.paths:,} paths)",
                  caption="± is 1.96 paired standard errors; £m, (brackets) = B lower")
    for column in ("Force", "P(general < minimum) A", "B", "B − A", "Total reserves B − A: mean; P5 to P95"):
        table.add_column(column, justify="right")
    for force in a.force_ids:
        f = flags[(flags.force == force) & (flags.flag == BREACH) & (flags.year == last)].iloc[0]
        m = metrics[(metrics.force == force) & (metrics.metric == "total_reserves") & (metrics.year == last)].iloc[0]
        table.add_row(escape(a.force_name(force)), f"{f.probability_a:.1%}", f"{f.probability_b:.1%}",
                      f"{f.difference * 100:+.1f} pts ±{Z95 * f.std_error * 100:.1f}",
                      f"{format_money(m['mean'])}; {format_money(m.p5)} to {format_money(m.p95)}")
    console.print(table)
    for note in result.notes:
        console.print(f"note: {escape(note)}")
    console.print(f"Wrote compare_differences.csv, compare.csv, compare_flags.csv, compare.json, resolved_a.yaml "
                  f"and resolved_b.yaml to {escape(str(folder))}/ in {seconds:.1f} s")
