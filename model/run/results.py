"""What a run gives back, as typed values: its metadata, its tables and its appendix.

The writers (CSV, PDF, workbook, ``run.json``) take these values; nothing downstream of
the pipeline reads a run's metadata from a dictionary of strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from model import __version__
from model.declare.outputs import RATING_LEVELS
from model.io.overlay import Change
from model.run.appendix import correlation_table, evidence_table, scenario_inputs_table
from model.sampling.setup import RunSetup


@dataclass(frozen=True)
class ForceInfo:
    """A force in a run.

    Attributes
    ----------
    id : str
        Force id, e.g. ``staffordshire``.
    name : str
        Display name, e.g. ``Staffordshire Police``.
    file : str
        The force's baseline file.
    minimum_general_rate : float or None
        The scenario's minimum general reserve for the force, as a share of NRE (0.03 = 3%).
    """

    id: str
    name: str
    file: str = ""
    minimum_general_rate: float | None = None


@dataclass(frozen=True)
class CorrelationRecord:
    """The rank correlations a scenario asked for and those used after any repair.

    Attributes
    ----------
    inputs : tuple of str
        Input names, in matrix order.
    asked, used : ndarray, shape (inputs, inputs)
        Rank (Spearman) correlation matrices.
    repaired : bool
        Whether the asked matrix had to be moved to the nearest valid one.
    """

    inputs: tuple[str, ...]
    asked: np.ndarray
    used: np.ndarray
    repaired: bool


@dataclass(frozen=True)
class RunInfo:
    """What a run was: the scenario, its settings, its forces and when and how it ran.

    Attributes
    ----------
    scenario_name, title, description : str
    scenario_file, scenario_sha256 : str
    sources : tuple of str
        The scenario's sources of ranges.
    notes : tuple of str
        Notes the report prints about the run.
    forces : tuple of ForceInfo
        In the scenario's order.
    years : tuple of str
        Fiscal years projected, e.g. ``('2016/17', ..., '2019/20')``.
    seed, paths, chunk_size : int
    sampling : {'pseudo_random', 'sobol'}
    baseline : {'sampled', 'central'}
    version : str
        ``police-mtfs`` version.
    created : str
        UTC time, ISO 8601 to the second.
    correlation : CorrelationRecord or None
    stopping : dict
        For a run to a precision: the target, the half-width reached and why it stopped.
    view : str
        Which view the run takes of management action, in words.
    warnings : tuple of str
        What the user should know about the run (a rise cut by the referendum limit, a
        repaired correlation matrix, inputs no scenario states), as printed.
    chain : tuple of (str, str)
        The scenario's ``extends:`` chain, base first, each file with its sha256.
    overrides : tuple of str
        The ``--set FIELD=VALUE`` options.
    changes : tuple of Change
        The fields each overlay of the chain, and each ``--set``, stated over its base.
    resolved_yaml, resolved_sha256 : str
        The merged scenario as one file (``resolved.yaml``) and the sha256 of its fields.
    rating : (float, float)
        The front page's amber and red thresholds on the chance of the general reserve
        falling below its minimum by the last year.
    """

    scenario_name: str
    title: str
    paths: int
    seed: int
    description: str = ""
    scenario_file: str = ""
    scenario_sha256: str = ""
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    forces: tuple[ForceInfo, ...] = ()
    years: tuple[str, ...] = ()
    chunk_size: int = 0
    sampling: str = "pseudo_random"
    baseline: str = "sampled"
    version: str = __version__
    created: str = ""
    correlation: CorrelationRecord | None = None
    stopping: dict = field(default_factory=dict)
    view: str = ""
    warnings: tuple[str, ...] = ()
    chain: tuple[tuple[str, str], ...] = ()
    overrides: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    resolved_yaml: str = ""
    resolved_sha256: str = ""
    rating: tuple[float, float] = (RATING_LEVELS["amber"].default_from, RATING_LEVELS["red"].default_from)

    @property
    def force_ids(self) -> list[str]:
        """Force ids in order."""
        return [force.id for force in self.forces]

    def force(self, force_id: str) -> ForceInfo | None:
        """The :class:`ForceInfo` of a force id, or ``None``."""
        return next((force for force in self.forces if force.id == force_id), None)

    def force_name(self, force_id: str) -> str:
        """A force's display name, or a readable form of its id (``west_midlands`` → ``West Midlands``)."""
        force = self.force(force_id)
        if force is not None:
            return force.name
        return force_id.replace("_", " ").replace("-", " ").title()

    def minimum_general_rate(self, force_id: str) -> float | None:
        """The minimum general reserve of a force as a share of NRE, or ``None`` when not known."""
        force = self.force(force_id)
        return None if force is None else force.minimum_general_rate


def action_view(setup: RunSetup) -> str:
    """Which view of management action a run takes, in a panel member's words."""
    action = setup.scenario.action
    if not action.stated:
        return ("No further management action: each force follows its plan whatever happens, so the figures show "
                "the risk before any response (the unmitigated view).")
    parts = []
    if action.savings_share > 0:
        parts.append(f"adds recurring savings of the shortfall, up to {action.savings_share:.1%} of net revenue "
                     "expenditure, delivered at the scenario's action delivery rate")
    if action.precept_to_limit:
        parts.append("raises band D by the most the referendum limit allows from then on")
    return ("With management action: after a year whose shortfall is met from reserves, the next budget "
            + " and ".join(parts) + " (the mitigated view).")


def run_info(setup: RunSetup, paths: int | None = None, stopping: dict | None = None,
             warnings: tuple[str, ...] = ()) -> RunInfo:
    """The :class:`RunInfo` of a run of ``setup`` on ``paths`` paths (default: the scenario's), made now."""
    scenario = setup.scenario
    correlation = setup.correlation
    return RunInfo(
        scenario_name=scenario.name,
        title=scenario.title,
        description=scenario.description,
        scenario_file=str(scenario.path),
        scenario_sha256=scenario.sha256,
        sources=tuple(scenario.sources),
        notes=(
            "The 2016/17 budget is as set; later years are projected from the forces' plans and the scenario's "
            "assumptions.",
            "Baseline figures not published in the sources are assumptions with ranges, sampled path by path."
            if scenario.baseline == "sampled" else "Baseline assumptions are held at their central values.",
            *(f"Source of ranges: {source}" for source in scenario.sources),
        ),
        forces=tuple(ForceInfo(force_id, setup.forces[force_id].name, str(setup.forces[force_id].path),
                               scenario.policy_for(force_id).minimum_general_rate)
                     for force_id in scenario.forces),
        years=tuple(scenario.years),
        seed=scenario.seed,
        paths=scenario.paths if paths is None else paths,
        chunk_size=scenario.chunk_size,
        sampling=scenario.sampling,
        baseline=scenario.baseline,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        correlation=None if correlation is None else CorrelationRecord(
            tuple(correlation.names), correlation.asked, correlation.used, bool(correlation.repaired)),
        stopping=dict(stopping or {}),
        view=action_view(setup),
        warnings=tuple(warnings),
        chain=scenario.chain,
        overrides=scenario.overrides,
        changes=scenario.changes,
        resolved_yaml=scenario.resolved_yaml,
        resolved_sha256=scenario.resolved_sha256,
        rating=scenario.rating,
    )


@dataclass(frozen=True)
class Appendix:
    """The tables of the report's appendix.

    Attributes
    ----------
    provenance : DataFrame
        Every baseline figure of every force with its source (see
        :func:`model.io.provenance.provenance_table`).
    inputs : DataFrame
        What the scenario states for each uncertain input (:func:`model.run.appendix.scenario_inputs_table`).
    contradictions : DataFrame
        Contradictions between sources and the figure used.
    correlations : DataFrame
        Correlations asked for and used.
    precept_caps : DataFrame
        Where the referendum limit cut a band D rise (:func:`model.run.summaries.precept_caps_table`).
    evidence : DataFrame
        Each national input's range beside the history it was judged against
        (:func:`model.run.appendix.evidence_table`); empty when the data folder has no ``evidence.yaml``.
    """

    provenance: pd.DataFrame
    inputs: pd.DataFrame
    contradictions: pd.DataFrame
    correlations: pd.DataFrame
    precept_caps: pd.DataFrame = field(default_factory=pd.DataFrame)
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def empty(cls) -> Appendix:
        """An appendix with no tables (the report then shows the run metadata only)."""
        return cls(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


def appendix_of(setup: RunSetup, precept_caps: pd.DataFrame | None = None) -> Appendix:
    """The appendix tables of a run of ``setup``."""
    from model.io.provenance import contradictions_table, provenance_table

    forces = [setup.forces[f] for f in setup.scenario.forces]
    return Appendix(
        provenance=pd.concat([provenance_table(force) for force in forces], ignore_index=True),
        inputs=scenario_inputs_table(setup),
        contradictions=contradictions_table(forces),
        correlations=correlation_table(setup),
        precept_caps=pd.DataFrame() if precept_caps is None else precept_caps,
        evidence=evidence_table(setup),
    )


@dataclass
class RunResult:
    """Everything a run of a scenario produces.

    Attributes
    ----------
    info : RunInfo
    summary, flags, plan, cases, convergence : DataFrame
        The tidy tables of :mod:`model.run.summaries` (``summary.csv`` and so on).
    bridge : DataFrame
        The plan-to-median bridge (:mod:`model.run.bridge`), ``bridge.csv``.
    appendix : Appendix
    setup : RunSetup or None
        The resolved scenario with its baselines (``None`` for a result built from tables alone).
    timings : dict of str to float
        Seconds per stage.
    started : float
        ``time.perf_counter()`` when the run began, for its total time.
    histograms : dict of str to ndarray
        The run's fixed-bin histograms as arrays for ``histograms.npz``
        (:func:`model.run.ranks.simulation_arrays`), so ``police-mtfs evaluate --run`` can score
        outturns at full resolution; empty when not kept.
    """

    info: RunInfo
    summary: pd.DataFrame
    flags: pd.DataFrame
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    cases: pd.DataFrame = field(default_factory=pd.DataFrame)
    convergence: pd.DataFrame = field(default_factory=pd.DataFrame)
    bridge: pd.DataFrame = field(default_factory=pd.DataFrame)
    appendix: Appendix = field(default_factory=Appendix.empty)
    setup: RunSetup | None = None
    timings: dict[str, float] = field(default_factory=dict)
    started: float = 0.0
    histograms: dict[str, np.ndarray] = field(default_factory=dict)

    def headlines(self) -> pd.DataFrame:
        """Per force, the few numbers printed after a run (see :func:`model.run.summaries.headline_table`)."""
        from model.run.summaries import headline_table

        return headline_table(self.summary, self.flags)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The CSV tables by file stem: ``summary``, ``flags``, ``plan``, ``cases``, ``convergence``, ``bridge``."""
        return {"summary": self.summary, "flags": self.flags, "plan": self.plan, "cases": self.cases,
                "convergence": self.convergence, "bridge": self.bridge}
