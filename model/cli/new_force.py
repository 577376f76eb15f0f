"""``police-mtfs new-force``: write a force baseline file for a finance officer to fill in.

The file is generated from the loader's schema (:mod:`model.io.force_template`); this
module only parses the options, writes it inside the one error handler and says what to
do next.
"""

from __future__ import annotations

from pathlib import Path

import click

from model.cli.errors import user_errors
from model.io.force_template import placeholder_count, write_force_template
from model.io.forces import default_data_dir


@click.command(name="new-force")
@click.argument("force_id", metavar="ID")
@click.option("--name", default=None, help="The force's name, e.g. 'Kent Police' (default: left to fill in).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write ID.yaml in (default: data/forces, where check and run look).")
def new_force(force_id: str, name: str | None, out_dir: Path | None) -> None:
    """Write ID.yaml, a force baseline to fill in: every figure with its unit, meaning, an example and a TODO.

    It never overwrites a file. Fill in each TODO (docs/adding-a-force.md), then run
    `police-mtfs check` on a scenario that lists the force: it names every TODO still left.
    """
    default = out_dir is None
    folder = default_data_dir() / "forces" if default else out_dir
    with user_errors():
        path = write_force_template(folder, force_id, name)
    count = placeholder_count(path.read_text(encoding="utf-8"))
    if default:
        data = ""
    elif folder.name == "forces":
        data = f" --data {folder.parent}"
    else:
        data = f" --data DATA (a folder holding national.yaml and forces/{path.name})"
    click.echo(f"Wrote {path}: {count} {'TODO' if count == 1 else 'TODOs'} to fill in "
               "(each figure's unit, meaning and an example are beside it; docs/adding-a-force.md walks through it).")
    click.echo(f"Then list '{force_id}' under forces in a scenario and run: police-mtfs check{data} SCENARIO.yaml")
