"""What a sensitivity analysis can move: inputs, baseline assumptions and shocks, as factors and groups."""

from __future__ import annotations

from dataclasses import dataclass

from model.declare.distributions import Distribution
from model.declare.inputs import INPUTS
from model.declare.outputs import BREACH
from model.sampling.draws import N_MODEL_YEARS, input_columns, stated_inputs
from model.sampling.setup import RunSetup

OUTPUTS = ("cumulative_gap", "total_reserves", BREACH)
"""Outputs of the one-way and variance-based analyses, in table order."""



@dataclass(frozen=True)
class Factor:
    """One thing a one-way analysis swings: an input (all its years) or one baseline assumption.

    Attributes
    ----------
    name : str
        Input name, or ``baseline:<figure>``.
    label : str
    kind : {'input', 'baseline'}
    key : tuple of str
        The uniform stream it is drawn from.
    """

    name: str
    label: str
    kind: str
    key: tuple[str, ...]



@dataclass(frozen=True)
class SobolGroup:
    """A group of uniform streams attributed together.

    Attributes
    ----------
    name : str
        Input names joined by ``+``, ``baseline`` or ``shocks``.
    label : str
    streams : tuple of (key, columns)
    """

    name: str
    label: str
    streams: tuple[tuple[tuple[str, ...], int], ...]

    @property
    def columns(self) -> int:
        return sum(columns for _, columns in self.streams)



def input_key(setup: RunSetup, force: str, name: str) -> tuple[str, str, str]:
    """The stream key of an input for a force (national inputs share one stream)."""
    return ("input", name, "national" if INPUTS[name].scope == "national" else force)



def applicable_years(setup: RunSetup, name: str) -> range:
    """Model years an input takes a value in (per-path inputs: their first year only)."""
    declaration = INPUTS[name]
    last = declaration.first_year + 1 if declaration.timing == "per_path" else setup.scenario.n_years
    return range(declaration.first_year, min(last, setup.scenario.n_years))



def has_spread(distribution) -> bool:
    """Whether a stated value (a :class:`Distribution` or ``plan``) varies with its uniform."""
    if not isinstance(distribution, Distribution) or distribution.is_fixed:
        return False
    if distribution.kind == "choice":
        return len({(value, unit) for value, unit, _ in distribution.options}) > 1
    return True



def input_has_spread(setup: RunSetup, force: str, name: str) -> bool:
    """Whether the scenario gives an input a distribution with spread for a force in any year."""
    spec = setup.scenario.inputs.get(name)
    if spec is None:
        return False
    per_path = INPUTS[name].timing == "per_path"
    return any(has_spread(spec.resolve(force, None if per_path else t)) for t in applicable_years(setup, name))



def baseline_assumptions(setup: RunSetup, force: str) -> list[str]:
    """Baseline figures drawn on every path (assumptions, when the scenario samples the baseline)."""
    if setup.scenario.baseline != "sampled":
        return []
    figures = setup.forces[force].figures
    return [name for name, figure in figures.items() if figure.kind == "assumption" and figure.low < figure.high]



def lower_first(label: str) -> str:
    """A label to use inside a sentence: 'Pay award' → 'pay award', 'Band D increase' → 'band D increase'."""
    return label[:1].lower() + label[1:] if label[1:2].islower() or label[1:2] == "" else label



def baseline_label(figure: str) -> str:
    """A reader's label for a baseline figure name such as ``plan.grant_change.all_years``."""
    parts = figure.removesuffix(".all_years").split(".")
    if parts[0] == "national" and parts[1] == "plan" and parts[2] in INPUTS:
        return f"Planned {lower_first(INPUTS[parts[2]].label)} (national default)"
    if parts[0] == "plan" and parts[1] in INPUTS:
        return f"Planned {lower_first(INPUTS[parts[1]].label)}"
    if figure == "reserves.general":
        return "Opening general reserve"
    return "Baseline " + " ".join(parts[1:] if len(parts) > 1 else parts).replace("_", " ")



def one_way_factors(setup: RunSetup, force: str) -> list[Factor]:
    """Everything a tornado swings for a force: each stated input, then each baseline assumption."""
    factors = [Factor(name, INPUTS[name].label, "input", input_key(setup, force, name))
               for name in stated_inputs(setup)]
    factors += [Factor(f"baseline:{figure}", baseline_label(figure), "baseline", ("baseline", force, figure))
                for figure in baseline_assumptions(setup, force)]
    return factors



def correlated_components(setup: RunSetup) -> list[list[str]]:
    """Inputs joined by stated correlations (connected components), each sorted as :data:`INPUTS`."""
    parent = {name: name for name in stated_inputs(setup)}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for a, b in setup.scenario.correlations:
        parent[root(a)] = root(b)
    components: dict[str, list[str]] = {}
    for name in parent:
        components.setdefault(root(name), []).append(name)
    return list(components.values())



def sobol_groups(setup: RunSetup, force: str) -> list[SobolGroup]:
    """The independent factor groups of a force's Sobol' analysis, leaving out groups with no spread.

    Every year of an input is one factor; inputs joined by a stated correlation share one
    group (their uniforms are independent only as a group); all baseline assumptions are
    one group; all shocks are one group.
    """
    groups = []
    for members in correlated_components(setup):
        if not any(input_has_spread(setup, force, name) for name in members):
            continue
        streams = tuple((input_key(setup, force, name), input_columns(name)) for name in members)
        groups.append(SobolGroup("+".join(members), " & ".join(INPUTS[name].label for name in members), streams))
    figures = baseline_assumptions(setup, force)
    if figures:
        groups.append(SobolGroup("baseline", "Baseline assumptions",
                                 tuple((("baseline", force, figure), 1) for figure in figures)))
    shocks = [s for s in setup.scenario.shocks if force in s.forces and s.probability > 0 and s.years]
    if shocks:
        streams = tuple((("shock", s.name, force, part), N_MODEL_YEARS) for s in shocks for part in ("occurs", "cost"))
        groups.append(SobolGroup("shocks", "One-off shocks", streams))
    return groups
