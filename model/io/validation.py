"""Pydantic validation that reports like a finance officer's colleague, not a stack trace.

Models derive from :class:`StrictModel` (unknown keys forbidden). :func:`validate_document`
runs a model over a :class:`~model.io.yaml_source.YamlDocument` and turns the first
validation error into an :class:`~model.io.errors.InputError` naming the file, the field
path, its line, what was expected and what was found, with a did-you-mean for typos.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.io.errors import NOT_GIVEN, Described, InputError, InputErrors, did_you_mean
from model.io.mistakes import allowed_keys, misplaced_key_error, missing_colon_in_data
from model.io.yaml_source import YamlDocument

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for every YAML-facing model: unknown keys are an error, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


TEXT_LIMITS: dict[str, int] = {
    "id": 60, "name": 120, "label": 120, "title": 200, "topic": 200, "document": 300, "formula": 500,
    "quote": 1_000, "note": 1_000, "reason": 1_000, "url": 1_000, "source": 1_500, "description": 4_000,
}
"""The longest text each kind of field holds, in characters (the file-wide limit is far higher)."""


def text(kind: str) -> Any:
    """A text field of ``kind`` in :data:`TEXT_LIMITS`, for a model's annotation: ``title: text("title")``."""
    return Annotated[str, Field(max_length=TEXT_LIMITS[kind])]


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "list_type": "a list",
    "missing": "this field (it is required)",
    "literal_error": "one of the allowed values",
    "greater_than": "a larger value",
    "greater_than_equal": "a larger value",
    "less_than_equal": "a smaller value",
    "string_too_short": "non-empty text",
}


def validate_document(model: type[ModelT], document: YamlDocument, *, prefix: tuple[object, ...] = ()) -> ModelT:
    """Validate a YAML document against a model, reporting the first error clearly.

    Parameters
    ----------
    model : type of StrictModel
    document : YamlDocument
    prefix : tuple
        Field path of ``document.data`` within the file (for sub-documents).

    Returns
    -------
    An instance of ``model``.

    Raises
    ------
    InputError
    """
    mistake = missing_colon_in_data(model, document, tuple(prefix))
    if mistake is not None:
        raise mistake
    data = document.data
    if not isinstance(data, dict):
        raise InputError(
            document.path, list(prefix) or None, "a mapping of keys to values at the top level",
            data, line=document.line_of(prefix) or 1,
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        InputErrors.raise_if_any([_to_input_error(model, document, error, prefix) for error in _errors(exc)])
        raise AssertionError("unreachable") from None


def _to_input_error(model: type[BaseModel], document: YamlDocument, error: dict[str, Any], prefix) -> InputError:
    loc = tuple(prefix) + tuple(part for part in error["loc"] if not _is_internal_loc(part))
    kind = error["type"]
    found = error.get("input", NOT_GIVEN)
    if kind == "extra_forbidden":
        key = loc[-1]
        misplaced = misplaced_key_error(document, model, loc, "a known key", prefix)
        if misplaced is not None:
            return misplaced
        allowed = allowed_keys(model, loc[len(prefix):-1])
        suggestion = did_you_mean(str(key), allowed) if allowed else None
        hint = f"Did you mean '{suggestion}'?" if suggestion else None
        if allowed:
            hint = (hint + " " if hint else "") + f"Allowed here: {', '.join(sorted(allowed))}"
        return document.error(loc, "a known key", Described(f"unknown key '{key}'"), hint=hint)
    if kind == "missing":
        return document.error(loc, "this field (it is required)", None, line_of=loc[:-1])
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        return document.error(loc, message)
    expected = _EXPECTED.get(kind, error["msg"])
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return document.error(loc, f"text of at most {limit:,} characters", Described(f"{len(found):,} characters"))
    if kind == "literal_error":
        expected = "one of " + str(error.get("ctx", {}).get("expected", ""))
    return document.error(loc, expected, found)


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Every independent error, one per field: errors a user can act on directly (unknown keys, wrong
    values) first, then missing fields, each in file order."""
    errors = exc.errors(include_url=False)
    ranked = sorted(errors, key=lambda e: (e["type"] == "missing", len(e["loc"])))

    def location(error: dict[str, Any]) -> tuple:
        return tuple(part for part in error["loc"] if not _is_internal_loc(part))

    # A misspelt key is one mistake, not also a missing field: 'probabilty' stands for 'probability'.
    misspelt = {(location(e)[:-1], did_you_mean(str(location(e)[-1]), [str(m["loc"][-1]) for m in errors
                                                                      if m["type"] == "missing"]))
                for e in errors if e["type"] == "extra_forbidden"}
    seen: set[tuple] = set()
    kept = []
    for error in ranked:
        loc = location(error)
        if error["type"] == "missing" and (loc[:-1], str(loc[-1])) in misspelt:
            continue
        if loc not in seen:
            seen.add(loc)
            kept.append(error)
    return kept


_INTERNAL_LOC = re.compile(r"^(function-(before|after|wrap|plain)|tagged-union|union|json-or-python|lax-or-strict|"
                           r"chain|nullable|default)\[")


def _is_internal_loc(part: object) -> bool:
    """Location parts pydantic adds for its own validators, not keys the user wrote."""
    return isinstance(part, str) and bool(_INTERNAL_LOC.match(part))
