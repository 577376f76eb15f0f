"""The two mistakes YAML reports weakly: a key without its colon, and a key at the wrong nesting.

A line such as ``  pay_award 2%`` (no colon after the key) is either malformed YAML, which
PyYAML reports on the *next* line ("could not find expected ':'"), or well-formed YAML with
another meaning: the text ``'pay_award 2%'`` where a mapping belongs, or a key with a space
in it (``{paths 2000, seed: 7}``). :func:`missing_colon_in_yaml` finds the line from a YAML
error (it puts the colon back and parses again: the line whose colon mends the file is the
one that lost it); :func:`missing_colon_in_data` finds it in a document that parsed. Both
report with :func:`missing_colon_error`: the line, the field, ``'pay_award: <value>'`` expected.

A key written at the wrong nesting (``paths: 2000`` at the top level, ``seed`` under
``assumptions``) is told where it belongs by :func:`where_it_belongs`, read from the
declarations: the fields of the pydantic models, and the input names of
:data:`model.declare.inputs.INPUTS` (the keys of ``assumptions`` and of a force's ``plan``).

Everything here is a pure function of the text, the data and the models; nothing is read
but the file a document came from (to find the line of a value).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from model.declare.distributions import DISTRIBUTION_PARAMETERS
from model.declare.inputs import INPUTS
from model.io.errors import Described, InputError, did_you_mean

DECLARED_KEYS: dict[str, Collection[str]] = {"assumptions": INPUTS, "plan": INPUTS}
"""Mapping fields whose keys are declared outside the models: a scenario's ``assumptions`` and a
force's (or the national file's) ``plan`` hold inputs by name."""

ITEM = "[…]"
"""Placeholder in a placement for 'any item of this list'."""

ENTRY = "<name>"
"""Placeholder in a placement for 'any key of this mapping' (a force id, a fiscal year)."""

_KEY_LINE = re.compile(
    r"^(?P<lead>[ ]*(?:-[ ]+)*)(?P<key>[A-Za-z_][A-Za-z0-9_]*|\d{4}/\d{2})(?P<rest>(?:[ \t].*)?)$"
)
"""A line that could be a key without its colon: indentation, list dashes, a key-like word, then nothing or a space."""

_WORD = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*|\d{4}/\d{2})[ \t]+(?P<rest>\S.*)?$", re.S)
"""Text that could be a key and its value run together: a key-like word, a space, more."""

_FISCAL_YEAR = re.compile(r"^\d{4}/\d{2}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

WINDOW = 20
"""How many lines above a YAML error a missing colon is looked for."""

MAX_SEARCHED = 200_000
"""Longest text (in characters) searched for a missing colon: each line tried is one more parse of the whole file."""

SHOWN = 60
"""Longest piece of a line quoted back in a message."""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ColonMistake:
    """A key written without its colon.

    Attributes
    ----------
    line : int or None
        1-based line of the key (``None`` when the file's lines are not known).
    key : str
        The key, e.g. ``pay_award``.
    shown : str
        What the line says, e.g. ``pay_award 2%`` (shortened when long).
    field_path : tuple
        Where the key sits in the document, e.g. ``('assumptions', 'pay_award')``.
    has_value : bool
        Whether a value follows the key on its line (the message then shows ``key: <value>``).
    """

    line: int | None
    key: str
    shown: str
    field_path: tuple[object, ...]
    has_value: bool = True


def missing_colon_error(file: object, mistake: ColonMistake) -> InputError:
    """The message for a key without its colon.

    Parameters
    ----------
    file : path-like or str
        The file the line is in.
    mistake : ColonMistake

    Returns
    -------
    InputError
        ``file, line 12: field 'assumptions.pay_award': expected 'pay_award: <value>' (a colon
        after the key); found 'pay_award 2%' with no colon``.
    """
    expected = f"'{mistake.key}: <value>'" if mistake.has_value else f"'{mistake.key}:'"
    tail = "with no colon" if ":" not in mistake.shown else f"with no colon after '{mistake.key}'"
    return InputError(file, list(mistake.field_path) or None, f"{expected} (a colon after the key)",
                      Described(f"'{mistake.shown}' {tail}"), line=mistake.line)


# --------------------------------------------------------------------------------------
# Malformed YAML: put the colon back and parse again
# --------------------------------------------------------------------------------------


def missing_colon_in_yaml(text: str, error: yaml.YAMLError) -> ColonMistake | None:
    """Find the line whose missing colon made ``text`` malformed, if one did.

    Each line near the error that reads like a key without its colon (``pay_award 2%``,
    ``simulation``, ``- name op``, ``2017/18 £5``) has the colon put back after its first
    word, and the text is parsed again. The line that mends the file (or, when the file has
    another mistake too, moves its first error furthest on) is the one that lost its colon.
    When no one line does, colons are put back line by line from the error upwards (several
    keys in a row without theirs read as one text): the topmost needed is reported.

    Parameters
    ----------
    text : str
        The whole file.
    error : yaml.YAMLError
        What PyYAML raised reading it.

    Returns
    -------
    ColonMistake or None
        ``None`` when no missing colon explains the error.
    """
    if not isinstance(error, (yaml.scanner.ScannerError, yaml.parser.ParserError)) or len(text) > MAX_SEARCHED:
        return None
    lines = _lines(text)
    before = _first_problem(lines)
    if before is None:
        return None
    marks = [m.line for m in (error.problem_mark, error.context_mark) if m is not None]
    last = min(max(marks + [before[0]]), len(lines) - 1)
    candidates = [(index, match) for index in range(max(0, last - WINDOW), last + 1)
                  if (match := _KEY_LINE.match(lines[index])) is not None]
    # One colon put back at a time, nearest the error first: the one that mends the file, or
    # else the one that moves its first error furthest on.
    best: tuple[tuple[float, float], int, re.Match[str]] | None = None
    for index, match in reversed(candidates):
        after = _first_problem(_mended(lines, index, match))
        position = _MENDED if after is None else after
        if position > before and (best is None or position > best[0]):
            best = (position, index, match)
        if after is None:
            break
    if best is None:
        # Several colons missing in a row (read together as one multi-line text): put them back
        # from the error upwards until the file mends; the topmost one needed is the first missing.
        mended = lines
        for index, match in reversed(candidates):
            mended = _mended(mended, index, match)
            after = _first_problem(mended)
            if after is None or after > before:
                best = (_MENDED if after is None else after, index, match)
                break
    if best is None:
        return None
    _, index, match = best
    return ColonMistake(
        line=index + 1,
        key=match["key"],
        shown=_shorten(_without_comment(lines[index][len(match["lead"]):])),
        field_path=_path_of_line(lines, index, match),
        has_value=bool(_without_comment(match["rest"])),
    )


_MENDED = (float("inf"), float("inf"))
"""Where the first error of a file that parses is: after everything."""


def _without_comment(text: str) -> str:
    """``text`` without a trailing YAML comment (a ``#`` after a space), stripped."""
    return re.split(r"(?:^|[ \t])#", text, maxsplit=1)[0].strip()


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as YAML counts them (CR LF, CR, LF, NEL, LS and PS each end one)."""
    return re.split(r"\r\n|[\r\n\x85\u2028\u2029]", text)


def _mended(lines: list[str], index: int, match: re.Match[str]) -> list[str]:
    """``lines`` with a colon put back after the key on line ``index``."""
    end = match.end("key")
    return lines[:index] + [lines[index][:end] + ":" + lines[index][end:]] + lines[index + 1:]


def _first_problem(lines: list[str]) -> tuple[float, float] | None:
    """(line, column) of the first thing that stops ``lines`` parsing, or ``None`` when they parse."""
    try:
        _compose("\n".join(lines))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return (mark.line, mark.column) if mark is not None else (float("inf"), 0.0)
    except (yaml.YAMLError, RecursionError):
        return (float("inf"), 0.0)
    return None


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _path_of_line(lines: list[str], index: int, match: re.Match[str]) -> tuple[object, ...]:
    """Field path of the key on line ``index`` once its colon is back (empty when it cannot be told)."""
    mended = _mended(lines, index, match)
    for text in (mended, mended[: index + 1]):
        try:
            root = _compose("\n".join(text))
        except (yaml.YAMLError, RecursionError):
            continue
        try:
            for path, key_node, _ in _pairs(root, ()):
                if key_node.start_mark.line == index and key_node.start_mark.column == match.start("key"):
                    return path
        except RecursionError:
            continue
    return ()


def _pairs(node: yaml.Node, path: tuple[object, ...]) -> Iterator[tuple[tuple[object, ...], yaml.Node, yaml.Node]]:
    """Every (field path, key node, value node) under ``node``, in file order."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            yield path + (key,), key_node, value_node
            yield from _pairs(value_node, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _pairs(item, path + (index,))


def _shorten(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


# --------------------------------------------------------------------------------------
# Well-formed YAML with another meaning: text where a mapping belongs, a key with a space
# --------------------------------------------------------------------------------------


def missing_colon_in_data(model: type[BaseModel], document: Any, prefix: tuple[object, ...] = ()) -> InputError | None:
    """Find a key that lost its colon but left the file well-formed, and report it.

    Three shapes are recognised, each of which is wrong whatever was meant, so reporting
    it as a missing colon never turns a valid file away:

    * text where the model wants a mapping, starting with one of its keys
      (``simulation:`` then ``  paths 2000`` parses as ``simulation: 'paths 2000'``);
    * a key with a space in it, starting with a key-like word (``{paths 2000, seed: 7}``
      holds the key ``'paths 2000'``); no key in these files has a space;
    * plain text written on the line below its key where a value or a distribution belongs,
      starting with a word that is a key somewhere, or a name the file uses (a force id):
      ``grant_change:`` then ``    all_years -1%``.

    Text fields (titles, descriptions, labels, notes, list items) are never looked at.

    Parameters
    ----------
    model : type of pydantic.BaseModel
        The model the document's data is validated against.
    document : YamlDocument
        The loaded document (``path``, ``data``, ``line_of``, ``file_of``).
    prefix : tuple
        Field path of ``document.data`` within the file.

    Returns
    -------
    InputError or None
        The first such mistake in the file, or ``None``.
    """
    search = _Search(document, frozenset(_all_fields(model)) | _DECLARED_WORDS | _names_used(document.data))
    found = sorted(search.suspects(model, document.data, tuple(prefix)), key=lambda m: m[0].line or 0)
    return missing_colon_error(found[0][1], found[0][0]) if found else None


_DECLARED_WORDS = frozenset(
    [name for names in DECLARED_KEYS.values() for name in names] + ["distribution"]
    + [p for required, optional in DISTRIBUTION_PARAMETERS.values() for p in required + optional]
)
"""Keys declared outside the models: input names, and the parameters of a distribution."""


@dataclass
class _Search:
    document: Any
    key_words: frozenset[str]
    files: dict[object, tuple[yaml.Node | None, str | None]] = field(default_factory=dict)

    def suspects(self, annotation: Any, value: Any, path: tuple[object, ...]) -> Iterator[tuple[ColonMistake, object]]:
        annotation = unwrap(annotation)
        place = _kind(annotation)
        if isinstance(value, str) and place in ("mapping", "any"):
            found = self.suspect_text(annotation, place, value, path)
            if found is not None:
                yield found
        elif isinstance(value, dict) and place in ("mapping", "any"):
            names = _names(annotation, path)
            for key, sub in value.items():
                match = _WORD.match(key.strip()) if isinstance(key, str) else None
                if match and (names is None or self.plausible(match["key"], names, place)):
                    mistake = ColonMistake(self.document.line_of(path + (key,)), match["key"], _shorten(key.strip()),
                                           path + (match["key"],), has_value=bool(match["rest"]))
                    yield mistake, self.document.file_of(path + (key,))
                    continue
                sub_annotation = step(annotation, key)
                if sub_annotation is not None:
                    yield from self.suspects(sub_annotation, sub, path + (key,))
        elif isinstance(value, list) and place in ("list", "any"):
            item = step(annotation, 0)
            for index, sub in enumerate(value):
                if item is not None:
                    yield from self.suspects(item, sub, path + (index,))

    def suspect_text(self, annotation: Any, place: str, value: str, path: tuple[object, ...]
                     ) -> tuple[ColonMistake, object] | None:
        match = _WORD.match(value.strip())
        if match is None:
            return None
        names = _names(annotation, path)
        node, source = self.value_node(path)
        own_line = node is not None and node.start_mark.line + 1 > (self.document.line_of(path) or 0) and bool(path)
        if place == "any" and not (own_line and not node.style):
            return None
        if place == "mapping" and names is None and not own_line:
            return None
        if not self.plausible(match["key"], names, place):
            return None
        if node is not None and source is not None:
            line = node.start_mark.line + 1
            shown = _without_comment(_lines(source)[node.start_mark.line][node.start_mark.column:])
        else:
            line, shown = self.document.line_of(path), value.strip().split("\n")[0]
        key = match["key"]
        mistake = ColonMistake(line, key, _shorten(shown), path + (key,), has_value=bool(shown[len(key):].strip()))
        return mistake, self.document.file_of(path)

    def value_node(self, path: tuple[object, ...]) -> tuple[yaml.Node | None, str | None]:
        """The YAML node written at ``path`` in the file that wrote it, with that file's text."""
        file = self.document.file_of(path)
        if file not in self.files:
            self.files[file] = _read_node(file)
        root, text = self.files[file]
        return _node_at(root, path), text

    def plausible(self, word: str, names: Collection[str] | None, place: str) -> bool:
        """Whether ``word`` reads as a key at a place that allows ``names`` (``None``: any name)."""
        if names is not None:
            return word in names or did_you_mean(word, names) is not None
        if place == "any":
            return word in self.key_words or "_" in word or bool(_FISCAL_YEAR.match(word))
        return True


def _names_used(data: Any) -> frozenset[str]:
    """Names the document itself uses: its keys, and the one-word items of its lists (force ids)."""
    names: set[str] = set()
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            names.update(key for key in value if isinstance(key, str))
            stack.extend(value.values())
        elif isinstance(value, list):
            names.update(item for item in value if isinstance(item, str) and _NAME.match(item))
            stack.extend(value)
    return frozenset(names)


def _all_fields(model: type[BaseModel]) -> set[str]:
    """Every key declared by ``model`` and the models inside it."""
    names: set[str] = set()
    seen: set[type] = set()

    def visit(annotation: Any) -> None:
        annotation = unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen:
                return
            seen.add(annotation)
            for name, declared in annotation.model_fields.items():
                names.add(declared.alias or name)
                visit(declared.annotation)
        for arg in typing.get_args(annotation):
            visit(arg)

    visit(model)
    return names


def _kind(annotation: Any) -> str:
    """'mapping' (a model or dict), 'any' (a value parsed later: a quantity, a distribution) or 'text'."""
    if annotation is Any or annotation is object:
        return "any"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    if typing.get_origin(annotation) in (dict, typing.Dict):  # noqa: UP006 - typing.Dict may appear in annotations
        return "mapping"
    if typing.get_origin(annotation) in (list, tuple, typing.List):  # noqa: UP006
        return "list"
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return "any"
    return "text"


def _names(annotation: Any, path: tuple[object, ...]) -> Collection[str] | None:
    """The keys allowed in a mapping at ``path``, when they are declared (``None``: any name, e.g. a force id)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [declared.alias or name for name, declared in annotation.model_fields.items()]
    if path and isinstance(path[-1], str) and path[-1] in DECLARED_KEYS:
        return DECLARED_KEYS[path[-1]]
    return None


def _read_node(file: object) -> tuple[yaml.Node | None, str | None]:
    """The root node of a file and its text (``None, None`` for a ``--set`` option or an unreadable file)."""
    if not isinstance(file, (str, Path)) or not Path(file).is_file():
        return None, None
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
        return _compose(text), text
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None, None


def _node_at(node: yaml.Node | None, path: tuple[object, ...]) -> yaml.Node | None:
    """The node at ``path`` below ``node`` (``None`` when the file does not write it there)."""
    for part in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node


# --------------------------------------------------------------------------------------
# A key at the wrong nesting
# --------------------------------------------------------------------------------------


def placements(model: type[BaseModel], key: str) -> list[tuple[object, ...]]:
    """Every place in ``model``'s documents where ``key`` is a declared key, nearest the top first.

    Parameters
    ----------
    model : type of pydantic.BaseModel
        The model of the whole document, e.g. ``ScenarioEntry``.
    key : str

    Returns
    -------
    list of tuple
        Paths of the mappings that hold ``key``: ``()`` is the top level; :data:`ITEM`
        stands for any item of a list and :data:`ENTRY` for any key of a mapping
        (``('reserve_policy', 'forces', ENTRY)``).
    """
    found: list[tuple[object, ...]] = []

    def visit(annotation: Any, path: tuple[object, ...], seen: frozenset[type]) -> None:
        annotation = unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen:
                return
            for name, declared in annotation.model_fields.items():
                if key in (name, declared.alias):
                    found.append(path)
                if name in DECLARED_KEYS and key in DECLARED_KEYS[name]:
                    found.append(path + (name,))
                visit(declared.annotation, path + (name,), seen | {annotation})
        elif typing.get_origin(annotation) in (dict, typing.Dict):  # noqa: UP006
            visit(typing.get_args(annotation)[1], path + (ENTRY,), seen)
        elif typing.get_origin(annotation) in (list, typing.List):  # noqa: UP006
            visit(typing.get_args(annotation)[0], path + (ITEM,), seen)

    visit(model, (), frozenset())
    return sorted(set(found), key=lambda p: (sum(part in (ITEM, ENTRY) for part in p), len(p), str(p)))


def where_it_belongs(model: type[BaseModel], key: str, here: tuple[object, ...]) -> tuple[object, ...] | None:
    """Where a key written in the mapping at ``here`` belongs, or ``None`` when it belongs nowhere else.

    Parameters
    ----------
    model : type of pydantic.BaseModel
        The model of the whole document.
    key : str
        The key as written.
    here : tuple
        Path of the mapping it was written in (list indices and names as in the file).

    Returns
    -------
    tuple or None
        The nearest-the-top placement (see :func:`placements`), e.g. ``('assumptions',)``;
        ``None`` when ``key`` is declared nowhere, or is declared at ``here`` itself.
    """
    general = tuple(ITEM if isinstance(part, int) else part for part in here)
    options = placements(model, key)
    for place in options:
        if len(place) == len(general) and all(p == g or p == ENTRY for p, g in zip(place, general, strict=True)):
            return None
    return options[0] if options else None


def place_in_words(place: tuple[object, ...]) -> str:
    """A placement in words.

    Parameters
    ----------
    place : tuple
        A placement from :func:`placements`.

    Returns
    -------
    str
        ``under 'assumptions'``, ``at the top level``, ``in each item of 'shocks'``.
    """
    if not place:
        return "at the top level"
    if place[-1] == ITEM:
        return f"in each item of '{_dotted(place[:-1])}'"
    if place[-1] == ENTRY:
        return f"in each entry of '{_dotted(place[:-1])}'"
    return f"under '{_dotted(place)}'"


def _dotted(place: tuple[object, ...]) -> str:
    return ".".join("…" if part in (ITEM, ENTRY) else str(part) for part in place)


def misplaced_key_error(document: Any, model: type[BaseModel], field_path: tuple[object, ...], expected: str,
                        prefix: tuple[object, ...] = ()) -> InputError | None:
    """The message for a key written where it does not belong but declared elsewhere in the file.

    Parameters
    ----------
    document : YamlDocument
    model : type of pydantic.BaseModel
        The model of ``document.data`` (which sits at ``prefix`` in the file).
    field_path : tuple
        Path of the key as written, e.g. ``('assumptions', 'seed')``.
    expected : str
        What belongs here, e.g. ``"a known input"``.
    prefix : tuple
        Field path of ``document.data`` within the file.

    Returns
    -------
    InputError or None
        ``field 'assumptions.seed': expected a known input; found 'seed', which belongs under
        'simulation'. Move it there, indented under 'simulation:'.``; ``None`` when the key
        is declared nowhere else (a typo, say).
    """
    key = field_path[-1]
    if not isinstance(key, str):
        return None
    place = where_it_belongs(model, key, tuple(field_path[len(prefix):-1]))
    if place is None:
        return None
    place = tuple(prefix) + place
    if not place:
        hint = "Move it there, with no indentation."
    elif place[-1] in (ITEM, ENTRY):
        hint = "Move it there."
    else:
        hint = f"Move it there, indented under '{place[-1]}:'."
    return document.error(field_path, expected, Described(f"'{key}', which belongs {place_in_words(place)}"),
                          hint=hint)


# --------------------------------------------------------------------------------------
# Walking annotations (shared with model.io.validation)
# --------------------------------------------------------------------------------------


def unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` from an annotation.

    Parameters
    ----------
    annotation : type or typing construct

    Returns
    -------
    The annotation inside; a union of several types other than ``None`` is returned as is.
    """
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return unwrap(members[0]) if len(members) == 1 else annotation
    return annotation


def step(annotation: Any, part: object) -> Any:
    """The annotation of ``part`` (a field name, a mapping key, a list index) inside ``annotation``.

    Parameters
    ----------
    annotation : type or typing construct
        A pydantic model, ``dict[str, X]``, ``list[X]`` or ``Any``.
    part : str or int
        One step of a field path.

    Returns
    -------
    The annotation of ``part``; ``None`` when ``part`` is not declared there, ``Any`` inside
    a value typed ``Any``.
    """
    annotation = unwrap(annotation)
    if annotation is Any:
        return Any
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, declared in annotation.model_fields.items():
            if part in (name, declared.alias):
                return declared.annotation
        return None
    origin = typing.get_origin(annotation)
    if origin in (dict, typing.Dict):  # noqa: UP006 - typing.Dict may appear in annotations
        return typing.get_args(annotation)[1]
    if origin in (list, tuple, typing.List):  # noqa: UP006
        return typing.get_args(annotation)[0]
    return None


def allowed_keys(model: type[BaseModel], loc: tuple[object, ...]) -> list[str] | None:
    """The keys ``model`` allows in the mapping at ``loc``.

    Parameters
    ----------
    model : type of pydantic.BaseModel
    loc : tuple
        Field path of the mapping within the model's documents.

    Returns
    -------
    list of str or None
        The field names (or aliases) of the model at ``loc``; ``None`` when the keys there
        are not fixed (a mapping of force ids, a value typed ``Any``).
    """
    annotation: Any = model
    for part in loc:
        annotation = step(annotation, part)
        if annotation is None:
            return None
    annotation = unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [declared.alias or name for name, declared in annotation.model_fields.items()]
    return None
