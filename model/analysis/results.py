"""What the analysis commands give back, as typed values the writers take."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from model.declare.formatting import format_percent
from model.declare.outputs import BREACH
from model.run.results import RunInfo


def probability_text(probability: float, low: float, high: float) -> str:
    """A probability with its 95% interval, as every page and the console write it.

    Examples
    --------
    >>> probability_text(0.0429, 0.0402, 0.0458)
    '4.3% (95% interval 4.0% to 4.6%)'
    """
    return f"{format_percent(probability)} (95% interval {format_percent(low)} to {format_percent(high)})"


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

    def base_breach(self) -> pd.DataFrame:
        """The one base P(general reserve below minimum by the last year) per force, with its interval.

        Every input uncertain, on the scenario's paths and seed: the tornado's base, which
        the breach drivers count on the same paths. Every page and the console quote it.

        Returns
        -------
        DataFrame
            Columns :data:`model.analysis.one_way.BASE_BREACH_COLUMNS`, indexed by force.
        """
        from model.analysis.one_way import base_breach

        return base_breach(self.tornado).set_index("force", drop=False)

    def design_breach(self) -> pd.DataFrame:
        """The Sobol' design's own P(general reserve below minimum by the last year) per force.

        A different sample from :meth:`base_breach` (the design's quasi-random points, not the
        scenario's paths), so a slightly different estimate of the same probability.

        Returns
        -------
        DataFrame
            Indexed by force: ``probability`` (the share of the design's evaluations that
            breach), ``low`` and ``high`` (its 95% interval), ``evaluations``,
            ``base_samples`` and ``effective_samples`` (what the evaluations are worth as
            independent paths; see :func:`model.analysis.sobol.design_mean_interval`).
        """
        sobol = self.sobol_indices
        columns = ["force", "output_mean", "output_low", "output_high", "evaluations", "base_samples",
                   "effective_samples"]
        if sobol.empty:
            return pd.DataFrame(columns=["probability", "low", "high", *columns[4:]])
        last = sobol[(sobol["output"] == BREACH) & (sobol["year"] == sobol["year"].max())]
        table = last[columns].drop_duplicates("force").set_index("force")
        return table.rename(columns={"output_mean": "probability", "output_low": "low", "output_high": "high"})

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
