"""Where every baseline figure comes from, as tidy tables, and checks of the quotes."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from model.declare.fiscal import BUDGET_YEAR
from model.declare.formatting import format_quantity
from model.io.forces import CSV_SOURCES, Figure, ForceData, evaluate_figures

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def normalise(text: str) -> str:
    """Collapse whitespace and unify curly quotes, for verbatim comparison."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


def source_texts(shared_dir: Path) -> dict[str, str]:
    """Normalised text of each seed document, and the quotes of the CSV sources.

    Parameters
    ----------
    shared_dir : Path
        The ``shared/`` folder holding ``seeds/`` and ``docs/`` (``public-figures-2016.csv``,
        ``history-2010-2016.csv``).

    Returns
    -------
    dict of str to str
        Keyed by document file name. For a CSV, its quote column joined by newlines,
        prefixed by each row's address so a figure's URL can be checked too.
    """
    texts: dict[str, str] = {}
    seeds = shared_dir / "seeds"
    if seeds.is_dir():
        for path in sorted(seeds.glob("*.txt")):
            texts[path.name] = normalise(path.read_text(encoding="utf-8"))
    for name in CSV_SOURCES:
        table = shared_dir / "docs" / name
        if table.exists():
            with table.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
            texts[name] = "\n".join(f"{row['source_url']} {normalise(row['quote'])}" for row in rows)
    return texts


def quote_problem(figure: Figure, texts: dict[str, str]) -> str | None:
    """Why a sourced figure's quote does not check out, or ``None`` if it does.

    Checks that the document is known, the quote appears verbatim (whitespace
    normalised), the figure's number appears in the quote, and, for the public-figures
    CSV, that the quote belongs to the stated page address.
    """
    if figure.kind != "sourced":
        return None
    if figure.document not in texts:
        return f"unknown document {figure.document!r}"
    quote = normalise(figure.quote or "")
    text = texts[figure.document]
    if figure.document in CSV_SOURCES:
        lines = [line for line in text.split("\n") if quote in line]
        if not lines:
            return f"quote not found in {figure.document}"
        if figure.url and not any(line.startswith(figure.url + " ") for line in lines):
            return f"quote not found under the address {figure.url}"
    elif quote not in text:
        return f"quote not found verbatim in {figure.document}"
    if not _number_in_quote(figure):
        return f"the figure {figure.text} does not appear in its quote"
    return None


def _number_in_quote(figure: Figure) -> bool:
    shown = {"rate": figure.value * 100, "fiscal_year": BUDGET_YEAR + figure.value}.get(figure.unit, figure.value)
    numbers = [float(n.replace(",", "")) for n in _NUMBER.findall(figure.quote or "")]
    return any(abs(abs(shown) - n) < 1e-9 for n in numbers)


def provenance_table(force: ForceData) -> pd.DataFrame:
    """Every figure a force file states, with its value and provenance.

    Returns
    -------
    DataFrame
        Columns ``force, figure, kind, value, low, high, source, detail``: value, low and
        high as written (with units); ``source`` is the document or formula; ``detail``
        the quote, derivation note or assumption reason.
    """
    values = evaluate_figures(force.figures)
    rows = []
    for name, figure in force.figures.items():
        if name.startswith("national.") and not _used_by(force, name):
            continue
        row = {"force": force.id, "figure": name, "kind": figure.kind, "low": "", "high": ""}
        if figure.kind == "sourced":
            row.update(value=figure.text, source=figure.document + (f" ({figure.url})" if figure.url else ""),
                       detail=figure.quote)
        elif figure.kind == "derived":
            row.update(value=format_quantity(float(values[name]), figure.unit), source=figure.formula,
                       detail=figure.reason or "")
        else:
            row.update(value=format_quantity(figure.central, figure.unit),
                       low=format_quantity(figure.low, figure.unit), high=format_quantity(figure.high, figure.unit),
                       source="assumption", detail=figure.reason)
        rows.append(row)
    return pd.DataFrame(rows, columns=["force", "figure", "kind", "value", "low", "high", "source", "detail"])


def _used_by(force: ForceData, name: str) -> bool:
    return any(name in (f.formula or "") for f in force.figures.values())


def contradictions_table(forces) -> pd.DataFrame:
    """Contradictions between sources recorded in the force files, and which figure the model uses."""
    rows = [[force.id, item.topic, "; ".join(item.figures), item.used, item.reason]
            for force in forces for item in force.contradictions]
    return pd.DataFrame(rows, columns=["force", "topic", "figures", "used", "reason"])


