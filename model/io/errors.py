"""One error type for everything a user can get wrong, with a message a finance officer can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from model.declare.formatting import ECHO_CHARACTERS, echo


def format_field_path(path: Sequence[object]) -> str:
    """Render a field path such as ``('assumptions', 'grant_change', 'all_years')``.

    Parameters
    ----------
    path : sequence of str or int
        Keys and list indices from the document root.

    Returns
    -------
    str
        ``assumptions.grant_change.all_years``; list indices appear as ``[2]``.
    """
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(top level)"


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Return the closest candidate to ``word``, or ``None`` when nothing is close."""
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


class Described(str):
    """What was found, in words ("no such file"), printed as is rather than quoted as a value."""


def suggestion_hint(word: object, candidates, listing: str) -> str:
    """A hint for a typo: "Did you mean 'x'? <listing>: a, b, c" (the question only when something is close).

    Parameters
    ----------
    word : object
        What the user wrote.
    candidates : iterable of str
        The valid names.
    listing : str
        How to introduce the list of valid names, e.g. ``"Known forces"``.
    """
    names = list(candidates)
    suggestion = did_you_mean(str(word), names)
    return (f"Did you mean '{suggestion}'? " if suggestion else "") + f"{listing}: {', '.join(names)}"


NOT_GIVEN = object()
"""Marks an :class:`InputError` whose 'found' part should be left out."""


class InputError(Exception):
    """Bad input: a file, a field, what was expected and what was found.

    The command line prints :meth:`__str__` on stderr and exits non-zero; it never
    shows a traceback for this error.
    """

    def __init__(
        self,
        file: object,
        field: Sequence[object] | str | None,
        expected: str,
        found: object = NOT_GIVEN,
        *,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        if field is None or isinstance(field, str):
            self.field = field
        else:
            self.field = format_field_path(field)
        self.expected = expected
        self.found = found
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "input"
        if self.line is not None:
            where += f", line {self.line}"
        parts = [where]
        if self.field:
            parts.append(f"field '{self.field}'")
        message = ": ".join(parts) + f": expected {self.expected}"
        if self.found is not NOT_GIVEN:
            message += f"; found {_describe(self.found)}"
        if self.hint:
            message += f". {self.hint}"
        return message


MAX_REPORTED_ERRORS = 20
"""The most independent mistakes one message lists; the rest are counted."""


class InputErrors(InputError):
    """Several independent mistakes in the input, each an :class:`InputError`, reported together.

    Raise it with :meth:`raise_if_any`, which raises a lone mistake as itself.
    """

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.file, first.field, first.expected, first.found, line=first.line, hint=first.hint)

    def __str__(self) -> str:
        shown = self.errors[:MAX_REPORTED_ERRORS]
        lines = [f"{len(self.errors)} mistakes, each on its own line:"] + [f"  {error}" for error in shown]
        if len(self.errors) > len(shown):
            lines.append(f"  … and {len(self.errors) - len(shown)} more (fix these and check again)")
        return "\n".join(lines)

    @staticmethod
    def raise_if_any(errors: Sequence[InputError]) -> None:
        """Raise nothing for no mistakes, the mistake itself for one, and :class:`InputErrors` for more."""
        flat = [e for error in errors for e in (error.errors if isinstance(error, InputErrors) else [error])]
        flat.sort(key=lambda error: (str(error.file), error.line or 0))
        if len(flat) == 1:
            raise flat[0]
        if flat:
            raise InputErrors(flat)


def _describe(found: object) -> str:
    if isinstance(found, Described):
        return str(found)
    if isinstance(found, str):
        return echo(found)
    if isinstance(found, bool):
        return f"{found!r} (true/false)"
    if isinstance(found, int):
        digits = len(str(abs(found))) if abs(found) < 10**4000 else None
        if digits is None or digits > ECHO_CHARACTERS:
            return "a bare number of thousands of digits" if digits is None else f"a bare number of {digits:,} digits"
        return f"{found!r} (a bare number)"
    if isinstance(found, float):
        return f"{found!r} (a bare number)"
    if isinstance(found, dict):
        return "a mapping" if found else "an empty mapping"
    if isinstance(found, list):
        return "a list" if found else "an empty list"
    if found is None:
        return "nothing"
    return echo(repr(found))


class ModelError(Exception):
    """The model produced numbers that cannot be right (NaN or infinite)."""
