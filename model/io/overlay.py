"""Scenarios as overlays: ``extends:`` chains and ``--set FIELD=VALUE`` overrides, merged by field path.

A scenario may begin ``extends: central.yaml`` (a path relative to the scenario file) and
state only what it changes. Its base may extend another (a chain); a file that extends
itself, directly or through others, is an error. ``--set FIELD=VALUE`` on the command line
is one more overlay on top. Merging is by field path:

* **Mappings merge key by key** (``simulation``, ``reserve_policy``, ``management_action``,
  ``deterministic_cases``, ``assumptions``): a key the overlay does not state keeps the base's
  value; a key set to ``null`` removes it (for an input: as if no scenario stated it).
* **Lists replace** (``forces``, ``shocks``, ``correlations``): the overlay's list is the whole
  list. ``sources`` is the exception: the overlay's sources are added after the base's, since
  the base's ranges the overlay keeps still rest on them (``sources: null`` drops the base's).
* **An input replaces the base's whole specification** (``assumptions.pay_award: 2%`` drops the
  base's distribution and any per-force or per-year values), **unless** the overlay states only
  ``forces:`` entries, fiscal years, ``over_years`` or ``persistence``: then those replace just
  that part of the base's specification (``assumptions.precept_increase.forces.hertfordshire: £5``
  changes Hertfordshire and keeps every other force's rule).
* ``title`` and ``description`` are the overlay's if it states them; otherwise the base's, with
  the overlay's file name and the fields it changed added, so the report never presents an
  overlay under its base's name alone.

The merged document keeps, for every field, the file (or ``--set`` option) and line that
wrote it, so a message about a merged field names where to change it.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from model.io.errors import Described, InputError, format_field_path
from model.io.validation import TEXT_LIMITS
from model.io.yaml_source import YamlDocument, load_yaml

EXTENDS = "extends"
MAX_CHAIN = 20
"""Most files in one chain of ``extends:``."""
PART_KEYS = ("forces", "over_years", "persistence")
"""Keys of an input's specification that, stated alone or with fiscal years, change only that part."""
TEXT_FIELDS = ("title", "description", "sources")
"""Fields that describe a scenario without changing a number."""


@dataclass(frozen=True)
class Change:
    """One field an overlay (a file of the chain, or ``--set``) states, and its value as written."""

    field: str
    value: str
    origin: str


@dataclass
class Composed:
    """A scenario resolved through its chain of ``extends:`` and the ``--set`` overrides.

    Attributes
    ----------
    document : YamlDocument
        The merged document; ``origins`` name the file that wrote each field.
    chain : list of (str, str)
        Each file of the chain, base first, with the sha256 of its bytes.
    overrides : list of str
        The ``--set FIELD=VALUE`` options, in order.
    changes : list of Change
        The fields each overlay stated over its base, text fields (title, description, sources)
        aside; empty for a scenario that extends nothing and has no overrides.
    """

    document: YamlDocument
    chain: list[tuple[str, str]] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def resolved_yaml(self) -> str:
        """The merged scenario as one YAML file that needs no base (``resolved.yaml``)."""
        header = ["# The resolved scenario: every field after its chain and --set overrides were merged.",
                  *(f"# {'file' if i == 0 else 'extended by'}: {name} (sha256 {sha})"
                    for i, (name, sha) in enumerate(self.chain)),
                  *(f"# --set {text}" for text in self.overrides)]
        body = yaml.safe_dump(self.document.data, sort_keys=False, allow_unicode=True, width=100)
        return "\n".join(header) + "\n" + body

    @property
    def resolved_sha256(self) -> str:
        """sha256 of :attr:`resolved_yaml`'s scenario part (the comments excluded)."""
        body = yaml.safe_dump(self.document.data, sort_keys=True, allow_unicode=True, width=100)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def compose(path: Path | str, overrides: Sequence[str] = ()) -> Composed:
    """Load a scenario file, follow its ``extends:`` chain and apply ``--set`` overrides.

    Parameters
    ----------
    path : path-like
        The scenario file.
    overrides : sequence of str
        ``FIELD=VALUE`` texts: a dotted field path (``assumptions.pay_award``) and a YAML value
        (``2%``, ``[leicestershire]``, ``{distribution: triangular, low: 1%, mode: 1%, high: 2%}``).

    Returns
    -------
    Composed

    Raises
    ------
    InputError
        A base that does not exist or is not a scenario, a cycle, a malformed ``--set``.
    """
    composed = _compose_file(Path(path), ())
    for text in overrides:
        field_path, value = parse_override(text)
        overlay = _nest(field_path, value)
        origin = f"--set {text}"
        composed.changes += _changes(overlay, (), origin)
        _merge_into(composed.document, overlay, {}, origin)
        composed.overrides.append(text)
    return composed


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """Split ``FIELD=VALUE`` into a field path and a YAML value.

    Raises
    ------
    InputError
        No ``=``, an empty field or key, or a value that is not YAML.
    """
    where = f"--set {text}"
    field_text, equals, value_text = text.partition("=")
    keys = tuple(part.strip() for part in field_text.split("."))
    if not equals or not all(keys):
        raise InputError(where, None, "FIELD=VALUE with a dotted field path, e.g. assumptions.pay_award=2%",
                         Described(f"'{text}'"))
    try:
        value = yaml.safe_load(value_text) if value_text.strip() else None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(where, list(keys), "a value written as in the scenario file, e.g. 2% or [staffordshire]",
                         Described(f"'{value_text}' ({problem})")) from None
    if value_text.strip() and value is None:
        raise InputError(where, list(keys), "a value (write 'null' nowhere: leave the field out instead)",
                         Described(f"'{value_text}'"))
    return keys, value


def _nest(keys: tuple[str, ...], value: Any) -> dict:
    for key in reversed(keys):
        value = {key: value}
    return value


def _compose_file(path: Path, seen: tuple[Path, ...]) -> Composed:
    document = load_yaml(path, "scenario")
    identity = path.resolve()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    data = document.data
    if not isinstance(data, dict) or EXTENDS not in data:
        return Composed(document=document, chain=[(str(path), sha)])
    base_text = data[EXTENDS]
    if not isinstance(base_text, str) or not base_text.strip():
        raise document.error((EXTENDS,), "the path of the base scenario, relative to this file, e.g. central.yaml",
                             base_text)
    base_path = path.parent / base_text.strip()
    if base_path.resolve() in (*seen, identity):
        chain = " → ".join(p.name for p in (*seen, identity, base_path.resolve()))
        raise document.error((EXTENDS,), "a chain of scenarios that ends in one that extends nothing",
                             Described(f"a cycle: {chain}"))
    if len(seen) + 1 >= MAX_CHAIN:
        raise document.error((EXTENDS,), f"a chain of at most {MAX_CHAIN} scenarios", Described("a longer chain"))
    if not base_path.is_file():
        raise document.error((EXTENDS,), "an existing scenario file (the path is relative to this file)",
                             Described(f"no file {base_path}"))
    base = _compose_file(base_path, (*seen, identity))
    overlay = {key: value for key, value in data.items() if key != EXTENDS}
    origin = str(path)
    changes = [c for c in _changes(overlay, (), origin, document.lines) if c.field.split(".")[0] not in TEXT_FIELDS]
    stated_text = {key for key in overlay if key in ("title", "description")}
    _merge_into(base.document, overlay, document.lines, origin)
    _describe_overlay(base.document, path, changes, stated_text)
    base.document.path = path
    base.chain.append((str(path), sha))
    base.changes += changes
    return base


def _changes(overlay: dict, prefix: tuple, origin: str, lines: dict | None = None) -> list[Change]:
    """The leaf fields an overlay states (an input's specification counts as one field)."""
    changes = []
    for key, value in overlay.items():
        where = (*prefix, key)
        if isinstance(value, dict) and value and not _is_input(where) and "distribution" not in value:
            changes += _changes(value, where, origin, lines)
        else:
            line = (lines or {}).get(where)
            changes.append(Change(format_field_path(where), _text(value), origin + (f":{line}" if line else "")))
    return changes


def _is_input(where: tuple) -> bool:
    """Whether a field path is one input's whole specification (``assumptions.<name>``)."""
    return len(where) == 2 and where[0] == "assumptions"


def _text(value: Any) -> str:
    if value is None:
        return "(removed)"
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10_000).strip()
    return str(value)


def _describe_overlay(document: YamlDocument, path: Path, changes: list[Change], stated: set[str]) -> None:
    """Give an overlay that states no title or description its base's, saying what it changed."""
    data = document.data
    changed = [c.field for c in changes]
    listing = ", ".join(changed) if changed else "nothing but its text"
    if "title" not in stated and isinstance(data.get("title"), str):
        data["title"] = _within(data["title"].strip(), f", with the changes in {path.name}", TEXT_LIMITS["title"])
    if "description" not in stated and isinstance(data.get("description"), str):
        data["description"] = _within(data["description"].strip(), f"\n\n{path.name} changes: {listing}.",
                                      TEXT_LIMITS["description"])


def _within(text: str, suffix: str, limit: int) -> str:
    """``text + suffix``, with ``text`` cut (and marked …) so that the whole stays within ``limit`` characters."""
    if len(text) + len(suffix) <= limit:
        return text + suffix
    room = max(limit - len(suffix) - 1, 0)
    return (text[:room] + "…" + suffix)[:limit]


def _merge_into(document: YamlDocument, overlay: dict, lines: dict, origin: str) -> None:
    """Merge ``overlay`` (written in ``origin``, its lines in ``lines``) into ``document`` in place."""
    if not isinstance(document.data, dict):
        return
    _origins_everywhere(document)
    _merge_mapping(document, document.data, overlay, (), lines, origin)


def _origins_everywhere(document: YamlDocument) -> None:
    for where in document.lines:
        document.origins.setdefault(where, document.path)


def _merge_mapping(document: YamlDocument, base: dict, overlay: dict, prefix: tuple, lines: dict, origin: str) -> None:
    for key, value in overlay.items():
        where = (*prefix, key)
        if value is None:
            if key not in base and " " in str(key):
                # 'simulation: {paths 2000}' is a key that lost its colon, not a field to remove.
                first = str(key).split(" ", 1)[0]
                raise InputError(origin, [*prefix, first], f"'{first}: <value>' (a colon after the key)",
                                 Described(f"'{key}' with no colon"), line=lines.get(where))
            base.pop(key, None)
            _forget(document, where)
            continue
        if where == ("sources",) and isinstance(value, list) and isinstance(base.get(key), list):
            added = [item for item in value if item not in base[key]]
            for index, item in enumerate(value):
                if item in added:
                    at = (*where, len(base[key]) + added.index(item))
                    document.origins[at] = origin
                    if (*where, index) in lines:
                        document.lines[at] = lines[(*where, index)]
            base[key] = base[key] + copy.deepcopy(added)
        elif _is_input(where) and isinstance(base.get(key), (dict, str, int, float)) and _is_part(value):
            _merge_input(document, base, key, value, where, lines, origin)
        elif (isinstance(value, dict) and isinstance(base.get(key), dict) and not _is_input(where)
              and "distribution" not in value and "distribution" not in base[key]):
            _record(document, where, lines, origin, whole=False)
            _merge_mapping(document, base[key], value, where, lines, origin)
        else:
            base[key] = copy.deepcopy(value)
            _forget(document, where)
            _record(document, where, lines, origin, whole=True)


def _is_part(value: Any) -> bool:
    """Whether an input's overlay states only part of it (forces, fiscal years, over_years, persistence)."""
    return (isinstance(value, dict) and bool(value) and "distribution" not in value and "all_years" not in value)


def _merge_input(document: YamlDocument, base: dict, key: str, value: dict, where: tuple, lines: dict,
                 origin: str) -> None:
    current = base[key]
    if not isinstance(current, dict) or "distribution" in current:
        base[key] = {"all_years": current}
        _move(document, where, (*where, "all_years"))
        current = base[key]
    _record(document, where, lines, origin, whole=False)
    for part, part_value in value.items():
        part_where = (*where, part)
        if part == "forces" and isinstance(part_value, dict) and isinstance(current.get("forces"), dict):
            _record(document, part_where, lines, origin, whole=False)
            for force, force_value in part_value.items():
                force_where = (*part_where, force)
                _forget(document, force_where)
                if force_value is None:
                    current["forces"].pop(force, None)
                    continue
                current["forces"][force] = copy.deepcopy(force_value)
                _record(document, force_where, lines, origin, whole=True)
            continue
        _forget(document, part_where)
        if part_value is None:
            current.pop(part, None)
            continue
        current[part] = copy.deepcopy(part_value)
        _record(document, part_where, lines, origin, whole=True)


def _forget(document: YamlDocument, where: tuple) -> None:
    """Drop the lines and origins of a field and everything under it."""
    for index in (document.lines, document.origins):
        for path in [p for p in index if p[: len(where)] == where]:
            del index[path]


def _move(document: YamlDocument, old: tuple, new: tuple) -> None:
    """Re-key the lines and origins under ``old`` to sit under ``new`` (keeping ``old`` itself)."""
    for index in (document.lines, document.origins):
        for path in [p for p in index if p[: len(old)] == old and len(p) > len(old)]:
            index[new + path[len(old):]] = index.pop(path)
        if old in index:
            index[new] = index[old]


def _record(document: YamlDocument, where: tuple, lines: dict, origin: str, *, whole: bool) -> None:
    """Note that ``origin`` wrote ``where`` (and, for a whole value, everything under it).

    A mapping the overlay only adds to keeps the file and line that opened it, if any.
    """
    if not whole:
        if where not in document.origins and where not in document.lines:
            document.origins[where] = origin
            if where in lines:
                document.lines[where] = lines[where]
        return
    document.origins[where] = origin
    if where in lines:
        document.lines[where] = lines[where]
    else:
        document.lines.pop(where, None)
    if whole:
        for path, line in lines.items():
            if path[: len(where)] == where and len(path) > len(where):
                document.lines[path] = line
                document.origins[path] = origin


def scenario_fields(data: dict) -> dict[str, str]:
    """A resolved scenario's fields as ``{field path: value as text}``, text fields left out.

    An input's whole specification (``assumptions.<name>``) is one field; other mappings are
    followed down to their values; a list is one field.
    """
    fields: dict[str, str] = {}

    def walk(value: Any, where: tuple) -> None:
        if isinstance(value, dict) and value and not _is_input(where) and "distribution" not in value:
            for key, item in value.items():
                walk(item, (*where, key))
        else:
            fields[format_field_path(where)] = _text(value)

    for key, value in data.items():
        if key not in TEXT_FIELDS:
            walk(value, (key,))
    return fields


def scenario_differences(a_yaml: str, b_yaml: str) -> list[tuple[str, str, str]]:
    """Every field whose value differs between two resolved scenarios (``resolved.yaml`` texts).

    Returns
    -------
    list of (field, value in A, value in B)
        Sorted by field; a field one scenario does not state shows ``(not stated)``.
    """
    a, b = (scenario_fields(yaml.safe_load(text) or {}) for text in (a_yaml, b_yaml))
    missing = "(not stated)"
    return [(name, a.get(name, missing), b.get(name, missing)) for name in sorted(set(a) | set(b))
            if a.get(name) != b.get(name)]
