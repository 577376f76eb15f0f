"""Safe YAML loading that remembers where every key was written.

Scenario and force files are read with PyYAML's safe loader, composed node by node so
that duplicate keys are an error (plain PyYAML keeps the last one silently) and every
field path can be traced back to its line for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from model.io.errors import NOT_GIVEN, Described, InputError
from model.io.mistakes import missing_colon_error, missing_colon_in_yaml

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 50
MAX_VALUES = 100_000
"""Most keys and list items a document may hold once its aliases are expanded (stops 'billion laughs')."""


@dataclass
class YamlDocument:
    """A loaded YAML document and the line of each field path (1-based).

    A document merged from several files (a scenario overlay on its base, ``--set`` on
    the command line) also records, in ``origins``, which file each field path was
    written in; messages then name that file and its line.
    """

    path: Path
    data: Any
    lines: dict[tuple[object, ...], int] = field(default_factory=dict)
    origins: dict[tuple[object, ...], Path | str] = field(default_factory=dict)

    def _deepest_written(self, field_path: tuple[object, ...] | list[object]) -> tuple[object, ...]:
        parts = tuple(field_path)
        while parts and parts not in self.lines and parts not in self.origins:
            parts = parts[:-1]
        return parts

    def line_of(self, field_path: tuple[object, ...] | list[object]) -> int | None:
        """Line of the deepest prefix of ``field_path`` that was written in a file."""
        return self.lines.get(self._deepest_written(field_path))

    def file_of(self, field_path: tuple[object, ...] | list[object]) -> Path | str:
        """The file (or ``--set`` option) that wrote the deepest prefix of ``field_path``."""
        return self.origins.get(self._deepest_written(field_path), self.path)

    def error(self, field_path, expected: str, found: object = NOT_GIVEN, *, hint: str | None = None,
              line_of: tuple[object, ...] | None = None) -> InputError:
        """Build an :class:`InputError` located at ``field_path`` in this document.

        ``line_of`` names another field path whose file and line locate the message (for a
        field that is missing, its parent).
        """
        at = tuple(field_path) if line_of is None else tuple(line_of)
        line = self.line_of(at) if at else 1
        return InputError(self.file_of(at), list(field_path), expected, found, line=line, hint=hint)


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 text file, turning every way it can fail into an :class:`InputError`."""
    if not path.exists():
        raise InputError(path, None, f"an existing {what} file", Described("no such file"))
    if path.is_dir():
        raise InputError(path, None, f"a {what} file", Described("a folder"))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, None, f"a readable {what} file", Described(exc.strerror or str(exc))) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(path, None, f"a {what} file under {MAX_FILE_BYTES // 1_000_000} MB", Described(f"{len(raw):,} bytes"))
    if b"\x00" in raw:
        raise InputError(path, None, f"a {what} file in UTF-8 text", Described("binary content (NUL bytes)"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, None, f"a {what} file in UTF-8 text", Described(f"a byte that is not UTF-8 at offset {exc.start}")
        ) from None
    if not text.strip():
        raise InputError(path, None, f"a {what} in YAML", Described("an empty file"))
    return text


def load_yaml(path: Path | str, what: str = "YAML") -> YamlDocument:
    """Load one YAML document safely, with a line index and duplicate-key detection.

    Parameters
    ----------
    path : path-like
        The file to read.
    what : str
        What the file is, for messages ("scenario", "force baseline").

    Returns
    -------
    YamlDocument

    Raises
    ------
    InputError
        Missing, unreadable, empty, binary or non-UTF-8 files; control characters;
        malformed YAML (with line and column); duplicate keys; more than one document;
        a top level that is empty; nesting too deep or aliases that expand too far.
    """
    path = Path(path)
    text = read_text(path, what)
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        # libyaml composes a file some 20 times faster; any problem is worded by the Python loader below.
        try:
            return _load(text, path, what, fast)
        except (yaml.YAMLError, InputError, RecursionError):
            pass
    return _load(text, path, what, yaml.SafeLoader)


def _load(text: str, path: Path, what: str, loader_class) -> YamlDocument:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        line_start = text.rfind("\n", 0, exc.position) + 1
        raise InputError(
            path, None, f"a {what} in plain text",
            Described(f"a control character (#x{exc.character:04x}) at column {exc.position - line_start + 1}"),
            line=text.count("\n", 0, exc.position) + 1,
        ) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            if "expected a single document" in str(exc):
                raise InputError(
                    path, None, f"one {what} document", Described("more than one document (a second '---')"),
                    line=_mark_line(exc.problem_mark),
                ) from None
            raise
        if node is None:
            raise InputError(path, None, f"a {what} in YAML", Described("a file with only comments"))
        lines: dict[tuple[object, ...], int] = {}
        data = _build(node, (), loader, lines, path)
    except RecursionError:
        raise InputError(path, None, f"a YAML document nested at most {MAX_DEPTH} levels deep",
                         Described("much deeper nesting")) from None
    except yaml.YAMLError as exc:
        mistake = missing_colon_in_yaml(text, exc)
        if mistake is not None:
            raise missing_colon_error(path, mistake) from None
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = (getattr(exc, "problem", None) or str(exc).splitlines()[0]).removeprefix("found ")
        where = f" at column {mark.column + 1}" if mark is not None else ""
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        hint = "YAML indents with spaces, never tabs." if "'\\t'" in problem else None
        if context and context_mark is not None and mark is not None and context_mark.line != mark.line:
            hint = f"{context[0].upper()}{context[1:]} that started on line {context_mark.line + 1}."
        raise InputError(
            path, None, "well-formed YAML", Described(f"{problem}{where}"), line=_mark_line(mark), hint=hint
        ) from None
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, lines=lines)


def _mark_line(mark) -> int | None:
    return mark.line + 1 if mark is not None else None


def _build(node, path: tuple[object, ...], loader, lines, file_path: Path, depth: int = 0):
    if depth > MAX_DEPTH:
        raise InputError(file_path, list(path), f"a YAML document nested at most {MAX_DEPTH} levels deep",
                         Described("deeper nesting"), line=node.start_mark.line + 1)
    if len(lines) > MAX_VALUES:
        raise InputError(file_path, list(path), f"a YAML document of at most {MAX_VALUES:,} keys and list items",
                         Described("more (counting what its aliases repeat)"), line=node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(file_path, list(path), "plain keys", Described("a list or mapping used as a key"),
                                 line=key_node.start_mark.line + 1)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise InputError(file_path, list(path), "plain keys (YAML merge keys '<<' are not supported)", Described("a merge key '<<'"),
                                 line=key_node.start_mark.line + 1)
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (int, float)) and not isinstance(key, bool):
                key = key_node.value
            _check_text(key, key_node, path, file_path)
            if key in result:
                first = lines.get(path + (key,))
                raise InputError(
                    file_path, list(path) + [key], "each key once",
                    Described(f"a duplicate key (first written on line {first})"),
                    line=key_node.start_mark.line + 1,
                )
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, path + (key,), loader, lines, file_path, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            items.append(_build(item, path + (index,), loader, lines, file_path, depth + 1))
        return items
    value = loader.construct_object(node, deep=True)
    _check_text(value, node, path, file_path)
    return value


MAX_TEXT_CHARACTERS = 20_000
"""The longest text any one value of a file may hold; fields declare shorter limits of their own."""

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional embeddings, overrides and isolates: they can make a printed text read other than it is."""


def unsafe_character(text: str) -> int | None:
    """The position of the first character no text in these files may hold, or ``None``.

    Control characters (C0 and C1, including escape sequences such as ``\\e`` written with YAML's
    escapes) other than tab and line feed, and the bidirectional overrides and isolates, are refused
    at load, so nothing a file says reaches a terminal, the PDF or the workbook as a command.
    """
    for position, character in enumerate(text):
        code = ord(character)
        if (code < 0x20 and character not in "\t\n") or 0x7F <= code <= 0x9F or character in _BIDI_CONTROLS:
            return position
    return None


def _check_text(value: object, node, path: tuple[object, ...], file_path: Path) -> None:
    if not isinstance(value, str):
        return
    line = node.start_mark.line + 1
    if len(value) > MAX_TEXT_CHARACTERS:
        raise InputError(file_path, list(path) or None, f"text of at most {MAX_TEXT_CHARACTERS:,} characters",
                         Described(f"{len(value):,} characters"), line=line)
    position = unsafe_character(value)
    if position is not None:
        character = value[position]
        kind = "text-direction" if character in _BIDI_CONTROLS else "control"
        raise InputError(file_path, list(path) or None, "text without control or text-direction characters",
                         Described(f"the {kind} character U+{ord(character):04X} at character {position + 1} of "
                                   "the text"),
                         line=line + value[:position].count("\n") if node.style in (None, "|", ">") else line)

