"""What the analysis commands give back, as typed values the writers take."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from model.run.results import RunInfo


@dataclass
class SensitivityResult:
    """Which assumptions drive a scenario's risk.

    Attributes
    ----------
    info : RunInfo
        The scenario and the run settings (paths, seed).
    unit_sensitivities, spider, tornado, sobol_indices, breach_drivers : DataFrame
        See :mod:`model.analysis.unit`, :mod:`~model.analysis.one_way`,
        :mod:`~model.analysis.sobol` and :mod:`~model.analysis.drivers`.
    sobol_n : int
        Base samples of the Sobol' design.
    timings : dict of str to float
        Seconds per stage.
    """

    info: RunInfo
    unit_sensitivities: pd.DataFrame
    spider: pd.DataFrame
    tornado: pd.DataFrame
    sobol_indices: pd.DataFrame
    breach_drivers: pd.DataFrame
    sobol_n: int
    timings: dict[str, float] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The CSV tables by file stem, in the order they are written."""
        return {"unit_sensitivities": self.unit_sensitivities, "spider": self.spider, "tornado": self.tornado,
                "sobol_indices": self.sobol_indices, "breach_drivers": self.breach_drivers}

    def sobol_evaluations(self) -> dict[str, int]:
        """Model evaluations of the Sobol' design, per force."""
        return {force: int(rows["evaluations"].iloc[0]) for force, rows in self.sobol_indices.groupby("force")}


@dataclass
class GoalSeekResult:
    """The smallest lever that meets a target, per force.

    Attributes
    ----------
    info : RunInfo
    summary : DataFrame
        One row per force, columns :data:`model.analysis.goal_seek.GOAL_SEEK_COLUMNS`.
    trials : DataFrame
        Every lever value tried, columns :data:`model.analysis.goal_seek.TRIAL_COLUMNS`.
    lever : {'precept', 'savings'}
    target : float
        The largest acceptable probability, e.g. 0.05.
    unit : str
        The lever's unit: ``%`` or ``£`` for the precept, ``£m`` for savings.
    forces : tuple of str
        The forces sought for.
    """

    info: RunInfo
    summary: pd.DataFrame
    trials: pd.DataFrame
    lever: str = "precept"
    target: float = 0.05
    unit: str = "%"
    forces: tuple[str, ...] = ()

    @property
    def messages(self) -> list[str]:
        """Each force's answer in one plain sentence."""
        return [str(message) for message in self.summary["message"]]


@dataclass
class CompareResult:
    """Scenario B against scenario A on the same paths.

    Attributes
    ----------
    info : RunInfo
        Scenario A's run (B ran on A's seed, sampling and paths).
    info_b : RunInfo
    metrics : DataFrame
        Columns :data:`model.analysis.compare.COMPARE_COLUMNS`.
    flags : DataFrame
        Columns :data:`model.analysis.compare.COMPARE_FLAG_COLUMNS`.
    notes : list of str
        How the pair was run.
    differences : DataFrame
        Every field that differs between the two resolved scenarios, columns
        :data:`model.analysis.compare.DIFFERENCE_COLUMNS`.
    timings : dict of str to float
    """

    info: RunInfo
    info_b: RunInfo
    metrics: pd.DataFrame
    flags: pd.DataFrame
    notes: list[str]
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict[str, float] = field(default_factory=dict)
