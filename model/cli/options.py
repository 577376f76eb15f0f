"""Command-line options shared by several commands, built from the declared simulation settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from model.declare.settings import SETTINGS


def setting_range(name: str) -> click.IntRange:
    """A click range for a declared simulation setting (its minimum and maximum)."""
    declaration = SETTINGS[name]
    return click.IntRange(min=declaration.minimum, max=declaration.maximum)


DATA = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder with forces/ and national.yaml (default: the data/ folder of this checkout).",
)
OUT = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
    show_default=True, help="Outputs go to a folder under OUT/<scenario-name>/ (see the command's description).",
)
SET = click.option(
    "--set", "overrides", multiple=True, metavar="FIELD=VALUE",
    help="Change one field of the scenario, validated like the file and recorded in the outputs, e.g. "
         "--set assumptions.pay_award=2% or --set forces=[leicestershire] (repeatable).",
)
SCHEDULER = click.option(
    "--scheduler", metavar="ADDRESS", default=None,
    help="Run on an existing Dask cluster instead of local workers, e.g. tcp://10.0.0.5:8786 "
         "(pip install 'police-mtfs[dask]'); the numbers are the same as on one worker.",
)
WORKERS = click.option("--workers", type=setting_range("workers"), default=SETTINGS["workers"].default,
                       show_default=True, help=SETTINGS["workers"].meaning)
SEED = click.option("--seed", type=setting_range("seed"), default=None,
                    help="Random seed, a whole number ≥ 0 (default: the scenario's).")


def paths_option(help_text: str) -> Callable:
    """``--paths``, with the command's own help text."""
    return click.option("--paths", type=setting_range("paths"), default=None, help=help_text)


def common_options(command: Callable) -> Callable:
    """``--paths``, ``--seed``, ``--out``, ``--data`` and ``--set``, as the analysis commands take them."""
    for option in reversed((paths_option("Monte Carlo paths for the probabilities (default: the scenario's)."),
                            SEED, OUT, DATA, SET)):
        command = option(command)
    return command
