"""Scenario YAML: what a user states, validated into distributions per force and year.

A scenario names its forces and years, its simulation settings and, for each uncertain
input (see :data:`model.declare.inputs.INPUTS`), a fixed value or a distribution, for all years
or per year, with per-force overrides::

    grant_change:                       # national input: one draw shared by all forces
      all_years: {distribution: triangular, low: -3%, mode: 0%, high: 1%}
      2017/18: -1%
      forces:
        leicestershire:
          all_years: {distribution: triangular, low: -3%, mode: -1%, high: 0%}

An input the scenario leaves out follows each force's own planning assumption (for the
inputs a force plans) or its declared default. Rates carry ``%``, band D amounts ``£``,
money ``£…m``, durations ``years``; a bare number is rejected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from model.declare.distributions import DISTRIBUTION_PARAMETERS, Distribution, DistributionError
from model.declare.fiscal import MODEL_YEARS, FiscalYearError, model_year_index
from model.declare.formatting import format_quantity
from model.declare.inputs import INPUTS, PRECEPT_RULE_CODES, InputDeclaration
from model.declare.outputs import RATING_LEVELS
from model.declare.settings import SETTINGS
from model.declare.units import UNIT_FORMS, Quantity, UnitError, parse_quantity
from model.io.errors import Described, InputError, InputErrors, did_you_mean, suggestion_hint
from model.io.overlay import Change, compose
from model.io.validation import StrictModel, text, validate_document
from model.io.yaml_source import YamlDocument

PLAN = "plan"
"""Marker for 'follow the force's own planning assumption'."""


def _setting_field(name: str):
    declaration = SETTINGS[name]
    return Field(declaration.default, description=declaration.meaning)


class SimulationEntry(StrictModel):
    paths: int = _setting_field("paths")
    seed: int = _setting_field("seed")
    chunk_size: int = _setting_field("chunk_size")
    sampling: Literal["pseudo_random", "sobol"] = Field(
        "pseudo_random", description="Pseudo-random streams, or scrambled Sobol' points (paths a power of two)."
    )

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: int) -> int:
        limits = SETTINGS["paths"]
        if not limits.contains(value):
            raise ValueError(f"a number of paths from {limits.minimum:,} to {limits.maximum:,}")
        return value

    @field_validator("seed")
    @classmethod
    def _seed(cls, value: int) -> int:
        if not SETTINGS["seed"].contains(value):
            raise ValueError("a seed from 0 to 2^63 - 1 (a whole number, not negative)")
        return value

    @field_validator("chunk_size")
    @classmethod
    def _chunk(cls, value: int) -> int:
        limits = SETTINGS["chunk_size"]
        if not limits.contains(value):
            raise ValueError(f"a chunk size from {limits.minimum:,} to {limits.maximum:,} paths")
        return value

    @field_validator("paths", "seed", "chunk_size", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"a whole number; found {value!r}")
        return value


# Rates are typed Any rather than str so that a bare number reaches the unit parser, whose
# message shows the accepted forms ('3%'), instead of pydantic's "expected text".
class ReservePolicyOverride(StrictModel):
    minimum_general_reserve: Any = None
    general_reserve_target: Any = None
    shortfall_order: list[str] | None = None


class ReservePolicyEntry(StrictModel):
    minimum_general_reserve: Any = "3%"
    general_reserve_target: Any = None
    shortfall_order: list[str] | None = None
    undelivered_savings: Literal["roll_forward", "lost"] = "roll_forward"
    forces: dict[str, ReservePolicyOverride] = {}


class ShockEntry(StrictModel):
    name: text("id")
    label: text("label") | None = None
    probability: Any
    cost: Any
    years: list[str] | None = None
    forces: list[str] | None = None


class CorrelationEntry(StrictModel):
    between: list[str]
    rank_correlation: Any


class ManagementActionEntry(StrictModel):
    savings_share_of_nre: Any = None
    precept: Literal["max_allowed", "none"] = "none"


class DeterministicCasesEntry(StrictModel):
    tail: Any = "10%"


class RatingEntry(StrictModel):
    amber: Any = f"{RATING_LEVELS['amber'].default_from:.0%}"
    red: Any = f"{RATING_LEVELS['red'].default_from:.0%}"


class ScenarioEntry(StrictModel):
    title: text("title")
    description: text("description")
    sources: list[text("source")] = []
    forces: list[str]
    years: str = f"{MODEL_YEARS[0]} to {MODEL_YEARS[-1]}"
    simulation: SimulationEntry = SimulationEntry()
    baseline: Literal["sampled", "central"] = "sampled"
    assumptions: dict[str, Any] = {}
    shocks: list[ShockEntry] = []
    correlations: list[CorrelationEntry] = []
    deterministic_cases: DeterministicCasesEntry = DeterministicCasesEntry()
    reserve_policy: ReservePolicyEntry = ReservePolicyEntry()
    management_action: ManagementActionEntry | None = None
    rating: RatingEntry = RatingEntry()

    @field_validator("title", "description")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("non-empty text")
        return value

    @field_validator("forces")
    @classmethod
    def _some_forces(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a list of at least one force id")
        if len(set(value)) != len(value):
            raise ValueError("each force once")
        return value


@dataclass(frozen=True)
class InputSpec:
    """One input's distributions: ``values[(force or None, year index)]``.

    ``None`` as the force means every force; year index ``None`` means all years. A
    value is a :class:`Distribution` or :data:`PLAN`.
    """

    name: str
    values: dict[tuple[str | None, int | None], Distribution | str]
    over_years: str = "independent"
    persistence: float = 0.0

    def resolve(self, force: str, year: int | None) -> Distribution | str | None:
        """The distribution for a force and year (most specific wins), or ``None``."""
        for key in ((force, year), (force, None), (None, year), (None, None)):
            if key in self.values:
                return self.values[key]
        return None


@dataclass(frozen=True)
class Shock:
    """A one-off cost: each year it happens with ``probability`` and costs a draw of ``cost`` (£m)."""

    name: str
    label: str
    probability: float
    cost: Distribution
    years: tuple[int, ...]
    forces: tuple[str, ...]


@dataclass(frozen=True)
class ReservePolicySpec:
    minimum_general_rate: float
    target_general_rate: float
    shortfall_order: tuple[str, ...] | None
    roll_forward: bool


@dataclass(frozen=True)
class ActionSpec:
    """The scenario's management action rule (see :class:`model.engine.projection.ManagementAction`).

    Attributes
    ----------
    savings_share : float
        After a year whose shortfall is met from reserves, the next budget adds recurring
        savings of the shortfall, up to this share of NRE (0: none).
    precept_to_limit : bool
        After such a year, the PCC raises band D by the most the limit allows from then on.
    """

    savings_share: float = 0.0
    precept_to_limit: bool = False

    @property
    def stated(self) -> bool:
        """Whether the scenario states any action (otherwise: no further management action)."""
        return self.savings_share > 0.0 or self.precept_to_limit


NO_ACTION = ActionSpec()


@dataclass
class Scenario:
    """A validated scenario."""

    name: str
    path: Path
    sha256: str
    title: str
    description: str
    sources: list[str]
    forces: list[str]
    n_years: int
    paths: int
    seed: int
    chunk_size: int
    baseline: str
    inputs: dict[str, InputSpec]
    shocks: list[Shock]
    policy: ReservePolicySpec
    force_policy: dict[str, ReservePolicySpec] = field(default_factory=dict)
    sampling: str = "pseudo_random"
    correlations: dict[tuple[str, str], float] = field(default_factory=dict)
    """Stated rank (Spearman) correlations between inputs, keyed by the sorted pair of names."""
    case_tail: float = 0.1
    """Optimistic and pessimistic cases put every input at its 1-in-(1/tail) favourable or unfavourable value."""
    action: ActionSpec = NO_ACTION
    """Management action after a year whose shortfall is met from reserves (default: none, the unmitigated view)."""
    chain: tuple[tuple[str, str], ...] = ()
    """Each file of the ``extends:`` chain, base first, with the sha256 of its bytes."""
    overrides: tuple[str, ...] = ()
    """The ``--set FIELD=VALUE`` options applied over the file."""
    changes: tuple[Change, ...] = ()
    """The fields each overlay in the chain (and each ``--set``) stated over its base."""
    resolved_yaml: str = ""
    """The merged scenario as one file (``resolved.yaml``)."""
    resolved_sha256: str = ""
    """sha256 of the merged scenario's fields."""
    rating: tuple[float, float] = (RATING_LEVELS["amber"].default_from, RATING_LEVELS["red"].default_from)
    """The front page's rating thresholds (amber, red) on the chance of the general reserve falling below its
    minimum by the last year."""

    @property
    def years(self) -> tuple[str, ...]:
        """Fiscal years projected, e.g. ``('2016/17', ..., '2019/20')``."""
        return MODEL_YEARS[: self.n_years]

    def policy_for(self, force: str) -> ReservePolicySpec:
        return self.force_policy.get(force, self.policy)


_YEARS_RANGE = re.compile(r"^\s*(\S+)\s+to\s+(\S+)\s*$")


def load_scenario(path: Path | str, known_forces: list[str] | None = None, overrides: Sequence[str] = ()) -> Scenario:
    """Load and validate a scenario file, resolved through its ``extends:`` chain and ``--set`` overrides.

    Parameters
    ----------
    path : path-like
    known_forces : list of str, optional
        Force ids with a baseline file; unknown ids in the scenario are an error.
    overrides : sequence of str
        ``FIELD=VALUE`` texts (``--set``), merged over the file as one more overlay
        (:mod:`model.io.overlay`).

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Naming the file, field path, line, what was expected and what was found.
    """
    path = Path(path)
    composed = compose(path, overrides)
    document = composed.document
    entry = validate_document(ScenarioEntry, document)
    # Independent parts are read one by one and their mistakes collected, so one message lists them all.
    mistakes: list[InputError] = []

    def read(step, *args, default=None):
        try:
            return step(*args)
        except InputError as exc:
            mistakes.append(exc)
            return default

    if known_forces is not None:
        for index, force in enumerate(entry.forces):
            read(_check_force, document, ("forces", index), force, known_forces)
    n_years = read(_read_years, document, entry.years, default=len(MODEL_YEARS))
    forces = Forces(entry.forces, set(known_forces or ()) - set(entry.forces))
    inputs = {}
    for name, raw in entry.assumptions.items():
        spec = read(_read_assumption, document, name, raw, forces)
        if spec is not None:
            inputs[name] = spec
    shocks = [shock for i, entry_shock in enumerate(entry.shocks)
              if (shock := read(_read_shock, document, ("shocks", i), entry_shock, forces)) is not None]
    names = [s.name for s in shocks]
    for index, name in enumerate(names):
        if names.index(name) != index:
            mistakes.append(document.error(("shocks", index, "name"), "a unique shock name", name))
    undelivered = entry.reserve_policy.undelivered_savings
    policy = read(_read_policy, document, ("reserve_policy",), entry.reserve_policy, undelivered)
    force_policy = {}
    for force, override in entry.reserve_policy.forces.items():
        where = ("reserve_policy", "forces", force)
        if policy is None or not read(_in_scenario, document, where, force, forces, default=False):
            continue
        force_policy[force] = read(_read_policy, document, where, override, undelivered, policy, default=policy)
    correlations = read(_read_correlations, document, entry.correlations, inputs, default={})
    case_tail = read(_read_tail, document, entry.deterministic_cases.tail, default=0.1)
    action = read(_read_action, document, entry.management_action, default=NO_ACTION)
    rating = read(_read_rating, document, entry.rating,
                  default=(RATING_LEVELS["amber"].default_from, RATING_LEVELS["red"].default_from))
    InputErrors.raise_if_any(mistakes)
    return Scenario(
        name=path.stem,
        path=path,
        sha256=composed.chain[-1][1],
        title=entry.title.strip(),
        description=" ".join(entry.description.split()),
        sources=list(entry.sources),
        forces=list(entry.forces),
        n_years=n_years,
        paths=entry.simulation.paths,
        seed=entry.simulation.seed,
        chunk_size=entry.simulation.chunk_size,
        baseline=entry.baseline,
        inputs=inputs,
        shocks=shocks,
        policy=policy,
        force_policy=force_policy,
        sampling=entry.simulation.sampling,
        correlations=correlations,
        case_tail=case_tail,
        action=action,
        rating=rating,
        chain=tuple(composed.chain),
        overrides=tuple(composed.overrides),
        changes=tuple(composed.changes),
        resolved_yaml=composed.resolved_yaml,
        resolved_sha256=composed.resolved_sha256,
    )


class Forces(list):
    """The scenario's force ids, and the ``others`` with a baseline file that it leaves out.

    An overlay may narrow a base to fewer forces (``--set forces=[leicestershire]``): the
    base's per-force values for the forces left out are then ignored, not an error. Within
    one file, a value for a force the file leaves out is still an error.
    """

    def __init__(self, listed, others=()) -> None:
        super().__init__(listed)
        self.others = frozenset(others)


def _in_scenario(document: YamlDocument, where: tuple, force: str, forces: list[str]) -> bool:
    """Whether a per-force entry is for one of the scenario's forces (``False``: a known force it leaves out)."""
    if force in forces:
        return True
    if force in getattr(forces, "others", ()) and document.file_of(where) != document.file_of(("forces",)):
        return False
    _check_force(document, where, force, forces)
    return False


def _read_assumption(document: YamlDocument, name: str, raw: object, forces: list[str]) -> InputSpec:
    where = ("assumptions", name)
    if name not in INPUTS:
        from model.io.mistakes import misplaced_key_error  # a key of another section: say where it belongs
        hint = suggestion_hint(name, INPUTS, "Inputs")
        raise misplaced_key_error(document, ScenarioEntry, where, "a known input") or document.error(
            where, "a known input", Described(f"unknown input '{name}'"), hint=hint)
    return _read_input(document, where, INPUTS[name], raw, forces)


def _check_force(document: YamlDocument, where: tuple, force: str, known: list[str]) -> None:
    if force not in known:
        hint = suggestion_hint(force, known, "Known forces")
        raise document.error(where, "a known force id", force, hint=hint)


def _read_years(document: YamlDocument, text: str) -> int:
    match = _YEARS_RANGE.match(text)
    if not match:
        raise document.error(("years",), f"a range of fiscal years like '{MODEL_YEARS[0]} to {MODEL_YEARS[-1]}'", text)
    try:
        first = model_year_index(match.group(1))
        last = model_year_index(match.group(2))
    except FiscalYearError as exc:
        raise document.error(("years",), str(exc).removeprefix("expected ")) from None
    if first != 0:
        raise document.error(("years",), f"a range starting at the budget year {MODEL_YEARS[0]} (the baselines describe its budget as set)", text)
    if last < first:
        raise document.error(("years",), "a last year after the first", text)
    return last + 1


def _parse(document: YamlDocument, where: tuple, raw: object, units: tuple[str, ...]):
    try:
        return parse_quantity(raw, units)
    except UnitError as exc:
        raise document.error(where, str(exc).removeprefix("expected ")) from None


RULE_PLAN = -1.0
"""Code of the word ``plan`` as an option of a choice: the force's planned rise that year."""

RULE_UNIT = "rule"
"""Unit of a rule word (``plan``, ``max_allowed``, ``to_balance``) read as a value."""


def rule_code(word: str) -> float:
    """The value a rule word is held as: ``plan`` → :data:`RULE_PLAN`, others their engine code."""
    return RULE_PLAN if word == PLAN else float(PRECEPT_RULE_CODES[word])


def rule_word(code: float) -> str:
    """The rule word a value holds (the inverse of :func:`rule_code`)."""
    if code == RULE_PLAN:
        return PLAN
    return next(word for word, number in PRECEPT_RULE_CODES.items() if float(number) == code)


def describe_distribution(distribution: Distribution) -> str:
    """A distribution's parameters as a scenario writes them, choices included.

    Examples: ``low -3%, mode 0%, high 1%``; ``value 2%``; ``1.5% (10%), 2% (75%), £5 (15%)``;
    ``plan (60%), max_allowed (40%)``.
    """
    if distribution.kind == "choice":
        return ", ".join(f"{rule_word(value) if unit == RULE_UNIT else format_quantity(value, unit)} "
                         f"({probability * 100:.4g}%)" for value, unit, probability in distribution.options)
    return ", ".join(f"{key} {format_quantity(value, distribution.unit)}" for key, value in distribution.params.items())


def read_distribution(document: YamlDocument, where: tuple, raw: object, declaration_units: tuple[str, ...],
                      bounds: dict[str, tuple[float, float]] | None = None,
                      rules: tuple[str, ...] = ()) -> Distribution:
    """Parse a fixed value (``'1.99%'``), a rule word or a distribution mapping into a :class:`Distribution`.

    A rule word (for the precept: ``max_allowed``, ``to_balance``, and ``plan`` as an option
    of a choice) is held as a distribution in the unit :data:`RULE_UNIT`.

    Raises
    ------
    InputError
        Bare numbers, wrong units, mixed units, unknown distributions or parameters,
        inverted or zero-width ranges, values outside the input's allowed range.
    """
    if isinstance(raw, dict):
        if "distribution" not in raw:
            raise document.error(where, "a value like " + _forms(declaration_units) +
                                 " or a mapping with 'distribution' (" + ", ".join(DISTRIBUTION_PARAMETERS) + ")", raw)
        kind = raw["distribution"]
        if not isinstance(kind, str) or kind not in DISTRIBUTION_PARAMETERS:
            hint = suggestion_hint(str(kind), DISTRIBUTION_PARAMETERS, "Allowed")
            raise document.error(where + ("distribution",), "a known distribution", kind, hint=hint)
        if kind == "choice":
            distribution = _read_choice(document, where, raw, declaration_units, rules)
            _check_bounds(document, where, raw, distribution, bounds)
            return distribution
        required, optional = DISTRIBUTION_PARAMETERS[kind]
        params: dict[str, float] = {}
        units = set()
        for key, value in raw.items():
            if key == "distribution":
                continue
            if key not in required + optional:
                hint = suggestion_hint(str(key), required + optional, f"A {kind} distribution takes")
                raise document.error(where + (key,), f"a parameter of a {kind} distribution", Described(f"unknown key '{key}'"), hint=hint)
            quantity = _parse(document, where + (key,), value, declaration_units)
            params[key] = quantity.value
            units.add(quantity.unit)
        missing = [p for p in required if p not in params]
        if missing:
            raise document.error(where, f"a {kind} distribution with {', '.join(required)}", Described(f"no {', '.join(missing)}"))
        if len(units) > 1:
            raise document.error(where, "every parameter in one unit", Described(" and ".join(sorted(units))))
        unit = units.pop()
        if kind == "normal" and params["sd"] <= 0:
            raise document.error(where + ("sd",), "a standard deviation above zero; for no uncertainty write one "
                                 "fixed value", raw["sd"])
        try:
            distribution = Distribution(kind, params, unit)
        except DistributionError as exc:
            raise document.error(where, str(exc).removeprefix("expected ")) from None
    elif isinstance(raw, str) and raw.strip() in rules:
        return Distribution("fixed", {"value": rule_code(raw.strip())}, RULE_UNIT)
    else:
        quantity = _parse_value(document, where, raw, declaration_units, rules)
        distribution = Distribution("fixed", {"value": quantity.value}, quantity.unit)
    _check_bounds(document, where, raw, distribution, bounds)
    return distribution


def _parse_value(document: YamlDocument, where: tuple, raw: object, units: tuple[str, ...], rules: tuple[str, ...]):
    """A quantity in one of ``units``; where rule words are allowed, the message lists them too."""
    try:
        return parse_quantity(raw, units)
    except UnitError as exc:
        expected = str(exc).removeprefix("expected ")
        if rules:
            expected = expected.replace("; found", f", or one of the words {', '.join(rules)}; found", 1)
        raise document.error(where, expected) from None


def _check_bounds(document: YamlDocument, where: tuple, raw: object, distribution: Distribution,
                  bounds: dict[str, tuple[float, float]] | None) -> None:
    """Check that every value a distribution can produce is inside the input's allowed range.

    A lognormal is unbounded above, so its 1-in-10,000 value is checked instead.
    """
    if bounds is None:
        return
    from model.declare.formatting import format_quantity

    if distribution.kind == "choice":
        for index, (value, unit, _) in enumerate(distribution.options):
            if unit == RULE_UNIT:
                continue
            low, high = bounds[unit]
            if not low - 1e-12 <= value <= high + 1e-12:
                raise document.error(where + ("options", index, "value"),
                                     f"values from {format_quantity(low, unit)} to {format_quantity(high, unit)}",
                                     raw["options"][index]["value"])
        return
    low, high = bounds[distribution.unit]
    lowest, highest = distribution.bounds()
    if distribution.kind == "lognormal":
        highest = float(distribution.ppf(np.array([0.9999]))[0])
    if lowest < low - 1e-12 or highest > high + 1e-12:
        allowed = f"values from {format_quantity(low, distribution.unit)} to {format_quantity(high, distribution.unit)}"
        if distribution.is_fixed:
            raise document.error(where, allowed, raw)
        unbounded = math.isinf(lowest) or math.isinf(highest)
        raise document.error(
            where, allowed,
            Described(f"a range reaching {format_quantity(lowest, distribution.unit)} to {format_quantity(highest, distribution.unit)}"),
            hint="Give the normal distribution low and high to keep it inside that range." if unbounded else None,
        )


def _read_choice(document: YamlDocument, where: tuple, raw: dict, declaration_units: tuple[str, ...],
                 rules: tuple[str, ...] = ()) -> Distribution:
    unknown = [key for key in raw if key not in ("distribution", "options")]
    if unknown:
        raise document.error(where + (unknown[0],), "a choice with 'options' only",
                             Described(f"unknown key '{unknown[0]}'"), hint="Did you mean 'options'?")
    options_raw = raw.get("options")
    if not isinstance(options_raw, list) or not options_raw:
        raise document.error(where + ("options",), "a list of options like [{value: 2%, probability: 70%}, ...]",
                             options_raw)
    options = []
    for index, option in enumerate(options_raw):
        at = where + ("options", index)
        if not isinstance(option, dict) or set(option) != {"value", "probability"}:
            raise document.error(at, "an option with exactly 'value' and 'probability'", option)
        word = option["value"].strip() if isinstance(option["value"], str) else None
        if word in rules:
            value = Quantity(rule_code(word), RULE_UNIT, word)
        else:
            value = _parse_value(document, at + ("value",), option["value"], declaration_units, rules)
        probability = _parse(document, at + ("probability",), option["probability"], ("rate",)).value
        if not 0.0 <= probability <= 1.0:
            raise document.error(at + ("probability",), "a probability from 0% to 100%", option["probability"])
        options.append((value.value, value.unit, probability))
    total = sum(option[2] for option in options)
    if abs(total - 1.0) > 1e-9:
        raise document.error(where + ("options",), "option probabilities that add up to 100%",
                             Described(f"a total of {total:.4%}"))
    units = {option[1] for option in options}
    return Distribution("choice", {}, units.pop() if len(units) == 1 else "mixed", tuple(options))


def _forms(units: tuple[str, ...]) -> str:
    return " or ".join(UNIT_FORMS[u].split(", e.g. ")[1] for u in units)


def _read_input(document: YamlDocument, where: tuple, declaration: InputDeclaration, raw: object,
                forces: list[str]) -> InputSpec:
    values: dict[tuple[str | None, int | None], Distribution | str] = {}
    over_years, persistence = "independent", 0.0
    if isinstance(raw, dict) and "distribution" not in raw:
        raw = dict(raw)
        over_years = raw.pop("over_years", "independent")
        persistence_raw = raw.pop("persistence", None)
        if over_years not in OVER_YEARS:
            raise document.error(where + ("over_years",), f"one of {', '.join(OVER_YEARS)}", over_years)
        if declaration.timing == "per_path" and over_years != "independent":
            raise document.error(where + ("over_years",), f"no 'over_years' ({declaration.name} is drawn once per path)",
                                 over_years)
        if (over_years == "persistent") != (persistence_raw is not None):
            raise document.error(where + ("persistence",),
                                 "a 'persistence' (e.g. 60%) exactly when over_years is 'persistent'",
                                 persistence_raw if persistence_raw is not None else Described("no persistence"))
        if persistence_raw is not None:
            persistence = _parse(document, where + ("persistence",), persistence_raw, ("rate",)).value
            if not 0.0 <= persistence < 1.0:
                raise document.error(where + ("persistence",), "a persistence from 0% to below 100%", persistence_raw)
        if not raw and (over_years != "independent" or persistence_raw is not None):
            raise document.error(where, "a value or distribution beside 'over_years'", Described("none"))
    _read_layer(document, where, declaration, raw, None, values, forces)
    return InputSpec(declaration.name, values, over_years, persistence)


OVER_YEARS = ("independent", "held", "persistent")
"""How an input's draws relate across years: fresh each year, one draw for all years, or AR(1)."""


def _read_correlations(document: YamlDocument, entries: list[CorrelationEntry],
                       inputs: dict[str, InputSpec]) -> dict[tuple[str, str], float]:
    correlations: dict[tuple[str, str], float] = {}
    for index, entry in enumerate(entries):
        where = ("correlations", index)
        if len(entry.between) != 2 or entry.between[0] == entry.between[1]:
            raise document.error(where + ("between",), "two different input names", entry.between)
        for position, name in enumerate(entry.between):
            if name not in INPUTS:
                raise document.error(where + ("between", position), "a known input name", name,
                                     hint=suggestion_hint(name, INPUTS, "Inputs"))
        value = entry.rank_correlation
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1.0 <= value <= 1.0:
            raise document.error(where + ("rank_correlation",), "a rank correlation from -1 to 1 (a plain number, e.g. 0.5)", value)
        pair = tuple(sorted(entry.between))
        if pair in correlations:
            raise document.error(where, "each pair of inputs once", entry.between)
        correlations[pair] = float(value)
    return correlations


def _read_action(document: YamlDocument, entry: ManagementActionEntry | None) -> ActionSpec:
    if entry is None:
        return NO_ACTION
    where = ("management_action",)
    share = 0.0
    if entry.savings_share_of_nre is not None:
        share = _parse(document, where + ("savings_share_of_nre",), entry.savings_share_of_nre, ("rate",)).value
        if not 0.0 <= share <= 0.2:
            raise document.error(where + ("savings_share_of_nre",), "a share of NRE from 0% to 20%, e.g. 1%",
                                 entry.savings_share_of_nre)
    action = ActionSpec(share, entry.precept == "max_allowed")
    if not action.stated:
        raise document.error(where, "a savings_share_of_nre above 0% or precept: max_allowed (or no "
                             "management_action at all)", Described("an action that does nothing"))
    return action


def _read_rating(document: YamlDocument, entry: RatingEntry) -> tuple[float, float]:
    amber = _parse(document, ("rating", "amber"), entry.amber, ("rate",)).value
    red = _parse(document, ("rating", "red"), entry.red, ("rate",)).value
    if not 0.0 < amber < 1.0:
        raise document.error(("rating", "amber"), "a chance above 0% and below 100%, e.g. 5%", entry.amber)
    if not amber < red <= 1.0:
        raise document.error(("rating", "red"), f"a chance above the amber threshold ({amber:.0%}) and at most 100%, "
                             "e.g. 20%", entry.red)
    return amber, red


def _read_tail(document: YamlDocument, raw: object) -> float:
    value = _parse(document, ("deterministic_cases", "tail"), raw, ("rate",)).value
    if not 0.0 < value < 0.5:
        raise document.error(("deterministic_cases", "tail"), "a tail probability above 0% and below 50%", raw)
    return value


def _read_layer(document, where, declaration, raw, force, values, forces) -> None:
    def value_of(sub_where, sub_raw):
        if sub_raw == PLAN:
            if not declaration.plan_default:
                raise document.error(sub_where, f"a value like {_forms(declaration.units)} ({declaration.name} has no planning assumption)", sub_raw)
            return PLAN
        return read_distribution(document, sub_where, sub_raw, declaration.units, declaration.bounds,
                                 declaration.rules)

    if not isinstance(raw, dict) or "distribution" in raw:
        values[(force, None)] = value_of(where, raw)
        return
    if not raw:
        raise document.error(where, "a value, a distribution, or 'all_years' / fiscal-year keys", raw)
    for key, sub_raw in raw.items():
        sub_where = where + (key,)
        if key == "all_years":
            values[(force, None)] = value_of(sub_where, sub_raw)
        elif key == "forces":
            if force is not None:
                raise document.error(sub_where, "no 'forces' inside a per-force override", Described("a nested 'forces'"))
            if not isinstance(sub_raw, dict) or not sub_raw:
                raise document.error(sub_where, "a mapping of force ids to values", sub_raw)
            for force_id, force_raw in sub_raw.items():
                if not _in_scenario(document, sub_where + (force_id,), str(force_id), forces):
                    continue
                _read_layer(document, sub_where + (force_id,), declaration, force_raw, str(force_id), values, forces)
        else:
            try:
                year = model_year_index(key)
            except FiscalYearError as exc:
                if any(key in required + optional for required, optional in DISTRIBUTION_PARAMETERS.values()):
                    raise document.error(where, f"a 'distribution' key beside '{key}' (one of "
                                         f"{', '.join(DISTRIBUTION_PARAMETERS)})") from None
                suggestion = did_you_mean(str(key), ("all_years", "forces", "distribution"))
                message = str(exc).removeprefix("expected ")
                if suggestion and not re.match(r"^\d", str(key)):
                    raise document.error(sub_where, "'all_years', 'forces' or a fiscal year like '2017/18'",
                                         Described(f"unknown key '{key}'"), hint=f"Did you mean '{suggestion}'?") from None
                raise document.error(sub_where, "'all_years', 'forces' or " + message) from None
            if declaration.timing == "per_path":
                raise document.error(sub_where, f"one value for the whole path ({declaration.name} is drawn once per path, not per year)", key)
            if year < declaration.first_year:
                raise document.error(
                    sub_where,
                    f"a year from {MODEL_YEARS[declaration.first_year]}: {MODEL_YEARS[0]} is the budget as set, "
                    f"so {declaration.name} applies from {MODEL_YEARS[declaration.first_year]}",
                    key,
                )
            values[(force, year)] = value_of(sub_where, sub_raw)


def _read_shock(document: YamlDocument, where: tuple, shock: ShockEntry, forces: list[str]) -> Shock:
    if not re.match(r"^[a-z][a-z0-9_]*$", shock.name):
        raise document.error(where + ("name",), "a lower_case name (letters, digits, underscores)", shock.name)
    probability = _parse(document, where + ("probability",), shock.probability, ("rate",)).value
    if not 0.0 <= probability <= 1.0:
        raise document.error(where + ("probability",), "a probability from 0% to 100%", shock.probability)
    cost = read_distribution(document, where + ("cost",), shock.cost, ("money",), {"money": (0.0, 1000.0)})
    years = tuple(range(len(MODEL_YEARS)))
    if shock.years is not None:
        years_list = []
        for index, year in enumerate(shock.years):
            try:
                years_list.append(model_year_index(year))
            except FiscalYearError as exc:
                raise document.error(where + ("years", index), str(exc).removeprefix("expected ")) from None
        years = tuple(sorted(set(years_list)))
    shock_forces = tuple(forces)
    if shock.forces is not None:
        shock_forces = tuple(force for index, force in enumerate(shock.forces)
                             if _in_scenario(document, where + ("forces", index), force, forces))
    return Shock(shock.name, shock.label or shock.name.replace("_", " "), probability, cost, years, shock_forces)


def _read_policy(document, where, entry, undelivered: str, base: ReservePolicySpec | None = None) -> ReservePolicySpec:
    def rate(key: str, raw: object, default: float | None) -> float | None:
        if raw is None and default is None and key == "minimum_general_reserve":
            raise document.error(where + (key,), "a share of NRE from 0% to 50%, e.g. 3%", Described("nothing"))
        if raw is None:
            return default
        value = _parse(document, where + (key,), raw, ("rate",)).value
        if not 0.0 <= value <= 0.5:
            raise document.error(where + (key,), "a share of NRE from 0% to 50%", raw)
        return value

    minimum = rate("minimum_general_reserve", entry.minimum_general_reserve, base.minimum_general_rate if base else None)
    target = rate("general_reserve_target", entry.general_reserve_target,
                  base.target_general_rate if base and entry.minimum_general_reserve is None else minimum)
    if target < minimum:
        raise document.error(where + ("general_reserve_target",), "a target at or above the minimum general reserve",
                             entry.general_reserve_target)
    order = tuple(entry.shortfall_order) if entry.shortfall_order is not None else (base.shortfall_order if base else None)
    if order is not None and len(set(order)) != len(order):
        repeated = next(name for index, name in enumerate(order) if name in order[:index])
        raise document.error(where + ("shortfall_order",), "each reserve once", repeated,
                             hint="It is listed more than once.")
    return ReservePolicySpec(minimum, target, order, undelivered == "roll_forward")
