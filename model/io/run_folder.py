"""A finished run's folder read back: ``run.json``, ``summary.csv`` and, when the run saved it, ``histograms.npz``.

``histograms.npz`` holds the run's fixed-bin histograms (see :mod:`model.run.ranks`); with it a
forecast can be scored at full resolution from the folder alone. Without it, ``summary.csv``'s
seven percentiles are all there is.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.io.errors import Described, InputError

HISTOGRAMS = "histograms.npz"
SUMMARY = "summary.csv"
RECORD = "run.json"


@dataclass(frozen=True)
class RunFolder:
    """What a run's folder holds.

    Attributes
    ----------
    path : Path
    record : dict
        ``run.json`` (empty when the folder has none).
    summary : DataFrame or None
        ``summary.csv``.
    histograms : dict of str to ndarray, or None
        The arrays of ``histograms.npz``.
    """

    path: Path
    record: dict = field(default_factory=dict)
    summary: object = None
    histograms: dict | None = None

    @property
    def scenario_name(self) -> str:
        """The scenario's name from ``run.json``, else the folder's name."""
        return str(self.record.get("scenario_name") or self.path.name)


def read_run_folder(folder: Path | str) -> RunFolder:
    """Read a run's folder (``police-mtfs run``'s output).

    Raises
    ------
    InputError
        No such folder, or a folder with neither ``histograms.npz`` nor ``summary.csv``, or a
        file in it that cannot be read.
    """
    import pandas as pd

    path = Path(folder)
    if not path.is_dir():
        raise InputError(path, "--run", "the folder of a finished run (with summary.csv)", Described("no such folder"))
    record = {}
    if (path / RECORD).is_file():
        try:
            record = json.loads((path / RECORD).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputError(path / RECORD, None, "the run's record in JSON", Described("text that is not JSON")) from None
    histograms = None
    if (path / HISTOGRAMS).is_file():
        try:
            with np.load(path / HISTOGRAMS, allow_pickle=False) as archive:
                histograms = {name: archive[name] for name in archive.files}
        except (OSError, ValueError) as exc:
            raise InputError(path / HISTOGRAMS, None, "the run's histograms (numpy .npz)", Described(str(exc))) from None
    summary = None
    if (path / SUMMARY).is_file():
        try:
            summary = pd.read_csv(path / SUMMARY)
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise InputError(path / SUMMARY, None, "the run's summary table (CSV)", Described(str(exc))) from None
        needed = {"force", "year", "metric", "p5", "p10", "p25", "p50", "p75", "p90", "p95"}
        if not needed <= set(summary.columns):
            raise InputError(path / SUMMARY, "header", "the columns of summary.csv: " + ", ".join(sorted(needed)),
                             Described("no column " + ", ".join(sorted(needed - set(summary.columns)))))
    if histograms is None and summary is None:
        raise InputError(path, "--run", f"a run's folder with {HISTOGRAMS} or {SUMMARY}",
                         Described("neither file"))
    return RunFolder(path, record, summary, histograms)


def write_npz(arrays: dict[str, np.ndarray]) -> Callable[[Path], None]:
    """A writer of arrays as a compressed ``.npz`` for :class:`~model.io.atomic.AtomicOutputs` (no pickles)."""

    def write(path: Path) -> None:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        Path(path).write_bytes(buffer.getvalue())

    return write
