"""A scenario loaded with its national settings and force baselines: what a run samples.

:func:`load_setup` is the one way from a scenario file (and a data folder) to a
:class:`RunSetup`; command-line overrides of the simulation settings are applied with
:func:`with_overrides`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from model.declare.inputs import NATIONAL_INPUTS, PER_PATH_INPUTS
from model.io.errors import Described, InputError, did_you_mean
from model.io.forces import ForceData, NationalData, available_forces, default_data_dir, load_force, load_national
from model.io.scenario import Scenario, load_scenario
from model.sampling.dependence import CorrelationPlan, correlation_plan


@dataclass
class RunSetup:
    """A scenario with its national settings and force baselines, ready to sample.

    Attributes
    ----------
    scenario : Scenario
    national : NationalData
    forces : dict of str to ForceData
    correlation : CorrelationPlan or None
        The copula for the scenario's stated correlations (built on creation).
    """

    scenario: Scenario
    national: NationalData
    forces: dict[str, ForceData]
    correlation: CorrelationPlan | None = field(init=False)

    def __post_init__(self) -> None:
        self.correlation = correlation_plan(self.scenario.correlations, NATIONAL_INPUTS, PER_PATH_INPUTS)


def load_setup(scenario_path: Path | str, data_dir: Path | None = None, overrides: Sequence[str] = ()) -> RunSetup:
    """Load a scenario with the national settings and the baselines of its forces.

    ``overrides`` are ``--set FIELD=VALUE`` texts merged over the scenario (:mod:`model.io.overlay`).

    Raises
    ------
    InputError
        Any problem with the scenario or force files, or a reserve policy that names a
        reserve a force does not have.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if not (data_dir / "forces").is_dir():
        raise InputError(data_dir, None, "a data folder with forces/ and national.yaml", Described("no forces/ folder"))
    known = available_forces(data_dir)
    scenario = load_scenario(scenario_path, known, overrides)
    national = load_national(data_dir)
    forces = {force_id: load_force(data_dir, force_id, national) for force_id in scenario.forces}
    for force_id, force in forces.items():
        order = scenario.policy_for(force_id).shortfall_order
        if order is None:
            continue
        names = [r.name for r in force.earmarked] + ["general"]
        where = ["reserve_policy"] + (["forces", force_id] if force_id in scenario.force_policy else []) + ["shortfall_order"]
        for name in order:
            if name not in names:
                suggestion = did_you_mean(name, names)
                raise InputError(scenario.path, where, f"reserve names of {force.name}: {', '.join(names)}", name,
                                 hint=f"Did you mean '{suggestion}'?" if suggestion else None)
    return RunSetup(scenario=scenario, national=national, forces=forces)



def check_sampling(setup: RunSetup, *, precision: bool = False) -> None:
    """Sobol' points keep their balance only in powers of two: check the path count.

    Raises
    ------
    InputError
        Naming the scenario's ``simulation.paths`` (or ``--paths``) and the nearest powers of two.
    """
    scenario = setup.scenario
    paths = scenario.paths
    if scenario.sampling != "sobol" or precision or paths & (paths - 1) == 0:
        return
    lower = 1 << (paths.bit_length() - 1)
    raise InputError(
        scenario.path, ["simulation", "paths"],
        f"a power of two with Sobol' sampling (its points are balanced only in blocks of 2^m), e.g. {lower:,} or {2 * lower:,}",
        paths, hint="Set simulation.paths or --paths to a power of two, or use sampling: pseudo_random.",
    )



def with_overrides(setup: RunSetup, *, paths: int | None = None, seed: int | None = None,
                   chunk_size: int | None = None) -> RunSetup:
    """A copy of ``setup`` with command-line overrides of the simulation settings."""
    changes = {k: v for k, v in {"paths": paths, "seed": seed, "chunk_size": chunk_size}.items() if v is not None}
    if not changes:
        return setup
    return dataclasses.replace(setup, scenario=dataclasses.replace(setup.scenario, **changes))
