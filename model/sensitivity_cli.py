"""The ``sensitivity``, ``goal-seek`` and ``compare`` commands.

Each loads its scenario(s), runs the computations of :mod:`model.sensitivity` and writes
its tables atomically to ``OUT/<scenario-name>/`` (``OUT/<a>_vs_<b>/`` for a comparison).
A user's mistake is one message on stderr and a non-zero exit, as for ``run``.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import InputError, did_you_mean
from .outputs import AtomicOutputs, OutputError, run_metadata, write_csv, write_json
from .simulation import ModelError, check_sampling, load_setup, with_overrides
from .units import UnitError, format_money, parse_quantity

console = Console()

DEFAULT_SOBOL_N = 8192


def _common_options(command):
    """``--paths``, ``--seed``, ``--out`` and ``--data``, as ``run`` has them."""
    for option in reversed((
        click.option("--paths", type=click.IntRange(min=1, max=50_000_000), default=None,
                     help="Monte Carlo paths for the probabilities (default: the scenario's)."),
        click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
                     help="Random seed, a whole number ≥ 0 (default: the scenario's)."),
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
                     show_default=True, help="Outputs go to OUT/<scenario-name>/."),
        click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Folder with forces/ and national.yaml (default: the data/ folder of this checkout)."),
    )):
        command = option(command)
    return command


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into one message and an exit code, as ``run`` does."""
    from . import cli  # imported here: cli registers these commands at its end

    try:
        yield
    except InputError as exc:
        cli.fail(str(exc), cli.EXIT_INPUT)
    except ModelError as exc:
        cli.fail(str(exc), cli.EXIT_MODEL)
    except OutputError as exc:
        cli.fail(str(exc), cli.EXIT_OUTPUT)
    except KeyboardInterrupt as exc:
        from .outputs import InterruptedAfterPublish

        if isinstance(exc, InterruptedAfterPublish):
            cli.fail(f"interrupted after the outputs were written to {exc.folder}/", cli.EXIT_INTERRUPTED)
        cli.fail("interrupted: no output was written, and any earlier file in the folder is unchanged",
                 cli.EXIT_INTERRUPTED)


def load(scenario: Path, data_dir: Path | None, paths: int | None, seed: int | None):
    """A scenario's setup with the command-line overrides, its path count checked for Sobol' sampling."""
    setup = with_overrides(load_setup(scenario, data_dir), paths=paths, seed=seed)
    check_sampling(setup)
    return setup


def _stage(name: str, started: float) -> float:
    console.print(f"[dim]{escape(name)}: {time.perf_counter() - started:.1f} s[/]")
    return time.perf_counter()


def _power_of_two(ctx, param, value: int) -> int:
    if value < 4 or value & (value - 1):
        lower = 1 << max(value.bit_length() - 1, 2)
        raise click.BadParameter(f"expected a power of two of at least 4 (Sobol' points balance only in powers of two), "
                                 f"e.g. {lower:,} or {2 * lower:,}; found {value:,}")
    return value


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@_common_options
@click.option("--sobol-n", type=int, default=DEFAULT_SOBOL_N, show_default=True, callback=_power_of_two,
              help="Base samples of the Sobol' design, a power of two; each force costs N × (groups + 2) evaluations.")
def sensitivity(scenario: Path, paths: int | None, seed: int | None, out_dir: Path, data_dir: Path | None,
                sobol_n: int) -> None:
    """Which assumptions drive SCENARIO's risk: unit sensitivities, tornado, spider, Sobol' indices, breach drivers.

    Writes unit_sensitivities.csv, tornado.csv, spider.csv, sobol_indices.csv, breach_drivers.csv,
    sensitivity.pdf and sensitivity.json to OUT/<scenario-name>/.
    """
    from .sensitivity import (
        breach_drivers,
        one_way_sensitivities,
        sobol_indices,
        unit_sensitivities,
    )
    from .sensitivity_plots import build_sensitivity_pdf

    with user_errors():
        started = time.perf_counter()
        setup = load(scenario, data_dir, paths, seed)
        timings, clock = {}, time.perf_counter()
        tables = {"unit_sensitivities": unit_sensitivities(setup)}
        timings["unit_seconds"], clock = time.perf_counter() - clock, _stage("unit sensitivities", clock)
        tables["spider"], tables["tornado"] = one_way_sensitivities(setup)
        timings["one_way_seconds"], clock = time.perf_counter() - clock, _stage("tornado and spider", clock)
        tables["sobol_indices"] = sobol_indices(setup, n=sobol_n)
        timings["sobol_seconds"], clock = time.perf_counter() - clock, _stage("Sobol' indices", clock)
        tables["breach_drivers"] = breach_drivers(setup)
        timings["drivers_seconds"], clock = time.perf_counter() - clock, _stage("breach drivers", clock)
        meta = pdf_meta(setup)
        folder = out_dir / setup.scenario.name
        with AtomicOutputs(folder) as outputs:
            for name, table in tables.items():
                outputs.write(f"{name}.csv", write_csv(table))
            outputs.write("sensitivity.pdf", lambda path: build_sensitivity_pdf(path, tables, meta))
            timings["pdf_seconds"] = time.perf_counter() - clock
            timings["total_seconds"] = time.perf_counter() - started
            record = dict(run_metadata(setup, timings, setup.scenario.paths), sobol_base_samples=sobol_n,
                          sobol_evaluations_per_force=_evaluations(tables["sobol_indices"]))
            outputs.write("sensitivity.json", write_json(record))
            outputs.publish()
    _print_top_drivers(setup, tables, folder, time.perf_counter() - started)


def _evaluations(sobol) -> dict[str, int]:
    return {force: int(rows["evaluations"].iloc[0]) for force, rows in sobol.groupby("force")}


def pdf_meta(setup) -> dict:
    """What the sensitivity PDF shows about the run: title, forces and their names, the last year."""
    scenario = setup.scenario
    return {"title": scenario.title, "forces": list(scenario.forces), "last_year": scenario.years[-1],
            "force_names": {force_id: force.name for force_id, force in setup.forces.items()}}


def _print_top_drivers(setup, tables: dict, folder: Path, seconds: float) -> None:
    """Per force: P(breach), the groups with the largest total-order index, and the largest tornado swing."""
    from .sensitivity import BREACH

    last = setup.scenario.years[-1]
    sobol, tornado = tables["sobol_indices"], tables["tornado"]
    table = Table(title=f"What drives P(general reserve below minimum by {last})")
    for column in ("Force", "P(breach)", "Largest total-order Sobol' indices", "Largest P10→P90 swing"):
        table.add_column(column)
    for force in setup.scenario.forces:
        rows = sobol[(sobol.force == force) & (sobol.output == BREACH) & (sobol.year == last)].dropna(subset=["ST"])
        top = rows.sort_values("ST", ascending=False).head(3)
        drivers = "; ".join(f"{r.label} {r.ST:.2f}" for r in top.itertuples()) or "no breach to attribute"
        swings = tornado[(tornado.force == force) & (tornado.output == BREACH)]
        biggest = swings.loc[swings.swing.abs().idxmax()] if len(swings) else None
        swing = (f"{biggest.label}: {biggest.at_low:.1%} → {biggest.at_high:.1%}" if biggest is not None else "–")
        p = float(swings["base"].iloc[0]) if len(swings) else math.nan
        table.add_row(escape(setup.forces[force].name), f"{p:.1%}", escape(drivers), escape(swing))
    console.print(table)
    console.print(f"Wrote unit_sensitivities.csv, tornado.csv, spider.csv, sobol_indices.csv, breach_drivers.csv, "
                  f"sensitivity.pdf and sensitivity.json to {escape(str(folder))}/ in {seconds:.1f} s")


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
    from .goal_seek import LEVER_UNITS

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
@_common_options
def goal_seek(scenario: Path, forces: tuple[str, ...], lever: str, target: str, unit: str | None,
              paths: int | None, seed: int | None, out_dir: Path, data_dir: Path | None) -> None:
    """The smallest band D rise or extra saving that keeps P(general reserve below minimum) at or below a target.

    Every trial runs on the same random draws, so the probability only falls as the lever
    rises and bisection settles on it. Writes goal_seek.csv (one row per force) and
    goal_seek_trials.csv (every value tried) to OUT/<scenario-name>/.
    """
    from .goal_seek import GOAL_SEEK_COLUMNS
    from .goal_seek import goal_seek as seek

    probability, unit = _target(target), _unit(lever, unit)
    with user_errors():
        started = time.perf_counter()
        setup = load(scenario, data_dir, paths, seed)
        chosen = _forces(setup, forces)
        results, trials = [], []
        for force in chosen:
            result, tried = seek(setup, force, lever, probability, unit)
            results.append(result)
            trials.append(tried)
        import pandas as pd

        summary = pd.DataFrame(results, columns=GOAL_SEEK_COLUMNS)
        folder = out_dir / setup.scenario.name
        with AtomicOutputs(folder) as outputs:
            outputs.write("goal_seek.csv", write_csv(summary))
            outputs.write("goal_seek_trials.csv", write_csv(pd.concat(trials, ignore_index=True)))
            outputs.publish()
    for result in results:
        console.print(escape(result["message"]))
    console.print(f"Wrote goal_seek.csv and goal_seek_trials.csv to {escape(str(folder))}/ in "
                  f"{time.perf_counter() - started:.1f} s")


@click.command()
@click.argument("scenario_a", type=click.Path(path_type=Path))
@click.argument("scenario_b", type=click.Path(path_type=Path))
@_common_options
def compare(scenario_a: Path, scenario_b: Path, paths: int | None, seed: int | None, out_dir: Path,
            data_dir: Path | None) -> None:
    """SCENARIO_B against SCENARIO_A, path by path on the same random draws (A's seed and sampling).

    Writes compare.csv (mean and percentiles of B − A per force, year and metric),
    compare_flags.csv (each flag's probability under A and B, the difference and its
    paired standard error) and compare.json to OUT/<a>_vs_<b>/.
    """
    from .compare import compare_scenarios, comparison_notes

    with user_errors():
        started = time.perf_counter()
        a = load(scenario_a, data_dir, paths, seed)
        b = load_setup(scenario_b, data_dir)
        metrics, flags = compare_scenarios(a, b)
        notes = comparison_notes(a, b)
        folder = out_dir / f"{a.scenario.name}_vs_{b.scenario.name}"
        record = dict(run_metadata(a, {"total_seconds": time.perf_counter() - started}, a.scenario.paths),
                      scenario_b_file=str(b.scenario.path), scenario_b_sha256=b.scenario.sha256, notes=notes)
        with AtomicOutputs(folder) as outputs:
            outputs.write("compare.csv", write_csv(metrics))
            outputs.write("compare_flags.csv", write_csv(flags))
            outputs.write("compare.json", write_json(record))
            outputs.publish()
    _print_comparison(a, b, metrics, flags, notes, folder, time.perf_counter() - started)


def _print_comparison(a, b, metrics, flags, notes: list[str], folder: Path, seconds: float) -> None:
    from .sensitivity import BREACH

    last = a.scenario.years[-1]
    table = Table(title=f"{escape(b.scenario.name)} − {escape(a.scenario.name)}, by {last} (same {a.scenario.paths:,} paths)",
                  caption="± is 1.96 paired standard errors; £m, (brackets) = B lower")
    for column in ("Force", "P(general < minimum) A", "B", "B − A", "Total reserves B − A: mean (P5 to P95)"):
        table.add_column(column, justify="right")
    for force in a.scenario.forces:
        f = flags[(flags.force == force) & (flags.flag == BREACH) & (flags.year == last)].iloc[0]
        m = metrics[(metrics.force == force) & (metrics.metric == "total_reserves") & (metrics.year == last)].iloc[0]
        table.add_row(escape(a.forces[force].name), f"{f.probability_a:.1%}", f"{f.probability_b:.1%}",
                      f"{f.difference * 100:+.1f} pts ±{1.96 * f.std_error * 100:.1f}",
                      f"{format_money(m['mean'])} ({format_money(m.p5)} to {format_money(m.p95)})")
    console.print(table)
    for note in notes:
        console.print(f"note: {escape(note)}")
    console.print(f"Wrote compare.csv, compare_flags.csv and compare.json to {escape(str(folder))}/ in {seconds:.1f} s")
