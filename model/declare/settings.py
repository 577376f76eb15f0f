"""The simulation settings a scenario or the command line can set, with their limits, declared once.

The scenario's ``simulation:`` block, the command-line options (``--paths``, ``--seed``,
``--chunk-size``, ``--workers``, ``--max-paths``, ``--sobol-n``) and the documentation all
read :data:`SETTINGS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SettingDeclaration:
    """One simulation setting: a whole number with a range and a default.

    Attributes
    ----------
    name : str
        Key in the scenario's ``simulation:`` block (``paths``), or of the option alone.
    minimum, maximum : int
        Allowed range, inclusive.
    default : int
        Value when neither the scenario nor the command line states one.
    meaning : str
    """

    name: str
    minimum: int
    maximum: int
    default: int
    meaning: str

    def contains(self, value: int) -> bool:
        """Whether a whole number is within the allowed range."""
        return self.minimum <= value <= self.maximum


SETTINGS: dict[str, SettingDeclaration] = {
    s.name: s
    for s in (
        SettingDeclaration("paths", 1, 50_000_000, 10_000, "Number of Monte Carlo paths."),
        SettingDeclaration("seed", 0, 2**63 - 1, 20160401,
                           "Random seed, a whole number ≥ 0; the same seed gives the same numbers."),
        SettingDeclaration("chunk_size", 1, 10_000_000, 8192,
                           "Paths per chunk: bounds memory, never changes the numbers."),
        SettingDeclaration("workers", 1, 64, 1, "Worker processes; the numbers are identical whatever the count."),
        SettingDeclaration("max_paths", 16_384, 50_000_000, 4_194_304, "Path limit for a run to a precision."),
        SettingDeclaration("sobol_n", 4, 2**24, 8192,
                           "Base samples of the sensitivity command's Sobol' design, a power of two."),
    )
}
"""Every simulation setting, by name."""

PRECISION_STEP = 16_384
"""Paths at the first check of a run to a precision; runs double from here (powers of two)."""
