"""Write a run's outputs atomically: all files appear together, or none do.

Every output is first written to a hidden temporary file in the destination folder.
Only when all of them are complete are they moved into place with ``os.replace`` (atomic
on one filesystem). A failure or an interrupt before then removes the temporary files
and leaves any earlier report in the folder untouched.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__

CSV_FLOAT_FORMAT = "%.6f"


class OutputError(Exception):
    """An output folder or file that cannot be written."""


class AtomicOutputs:
    """Collect outputs in temporary files and publish them together.

    Examples
    --------
    >>> with AtomicOutputs(folder) as outputs:          # doctest: +SKIP
    ...     outputs.write("summary.csv", lambda path: table.to_csv(path))
    ...     outputs.publish()
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._pending: list[tuple[Path, Path]] = []
        self._token = secrets.token_hex(4)

    def __enter__(self) -> AtomicOutputs:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.folder}: cannot create the output folder: {exc.strerror or exc}") from None
        if not os.access(self.folder, os.W_OK):
            raise OutputError(f"{self.folder}: the output folder is not writable")
        return self

    def write(self, name: str, writer: Callable[[Path], None]) -> Path:
        """Write one output to a temporary file with ``writer(temporary_path)``."""
        final = self.folder / name
        temporary = self.folder / f".{name}.{self._token}.partial"
        self._pending.append((temporary, final))
        try:
            writer(temporary)
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
        except OSError as exc:
            raise OutputError(f"{final}: cannot write: {exc.strerror or exc}") from None
        return final

    def publish(self) -> list[Path]:
        """Move every temporary file into place."""
        published = []
        for temporary, final in self._pending:
            os.replace(temporary, final)
            published.append(final)
        self._pending = []
        return published

    def __exit__(self, *exc_info) -> None:
        for temporary, _ in self._pending:
            temporary.unlink(missing_ok=True)
        self._pending = []


def write_csv(table: pd.DataFrame) -> Callable[[Path], None]:
    """A writer for a tidy table: UTF-8 CSV, floats to six decimals."""
    return lambda path: table.to_csv(path, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")


def write_json(content: dict) -> Callable[[Path], None]:
    """A writer for a JSON document, pretty-printed with sorted keys."""
    return lambda path: path.write_text(json.dumps(content, indent=2, sort_keys=True, default=str) + "\n",
                                        encoding="utf-8")


def run_metadata(setup, timings: dict[str, float], paths: int) -> dict:
    """What ``run.json`` records about a run: inputs, settings, versions, timings."""
    scenario = setup.scenario
    return {
        "scenario_name": scenario.name,
        "scenario_title": scenario.title,
        "scenario_file": str(scenario.path),
        "scenario_sha256": scenario.sha256,
        "seed": scenario.seed,
        "paths": paths,
        "chunk_size": scenario.chunk_size,
        "baseline": scenario.baseline,
        "forces": scenario.forces,
        "years": list(scenario.years),
        "force_files": {force_id: str(force.path) for force_id, force in setup.forces.items()},
        "package_version": __version__,
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "timings_seconds": {k: round(v, 4) for k, v in timings.items()},
    }
