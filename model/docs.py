"""Reference tables for the README, generated from the declarations so they cannot drift.

``python -m model.docs`` prints the Markdown tables; a test checks the README holds them.
"""

from __future__ import annotations

from .distributions import DISTRIBUTION_MEANING, DISTRIBUTION_PARAMETERS
from .fiscal import MODEL_YEARS
from .inputs import INPUTS
from .units import UNIT_FORMS, format_quantity


def input_rows() -> list[dict[str, str]]:
    """One row of text per declared input: name, units, range, scope, from, default, meaning."""
    rows = []
    for d in INPUTS.values():
        rows.append({
            "input": d.name,
            "units": ", ".join(d.units),
            "range": "; ".join(f"{format_quantity(lo, u)} to {format_quantity(hi, u)}" for u, (lo, hi) in d.bounds.items()),
            "scope": f"{d.scope}, {d.timing.replace('_', ' ')}",
            "from": MODEL_YEARS[d.first_year],
            "default": "the force's plan" if d.plan_default else d.default,
            "meaning": d.meaning,
        })
    return rows


def inputs_markdown() -> str:
    """The scenario inputs as a Markdown table."""
    lines = [
        "| input | units | allowed range | scope | from | if omitted | meaning |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in input_rows():
        default = row["default"] if row["default"] == "the force's plan" else f"`{row['default']}`"
        lines.append(f"| `{row['input']}` | {row['units']} | {row['range']} | {row['scope']} | {row['from']} "
                     f"| {default} | {row['meaning']} |")
    return "\n".join(lines)


def distributions_markdown() -> str:
    """The distributions a scenario can state, as a Markdown table."""
    lines = ["| distribution | parameters | meaning |", "| --- | --- | --- |"]
    for kind, (required, optional) in DISTRIBUTION_PARAMETERS.items():
        params = ", ".join(required) + (f" (optional: {', '.join(optional)})" if optional else "")
        lines.append(f"| `{kind}` | {params} | {DISTRIBUTION_MEANING[kind]} |")
    return "\n".join(lines)


def units_markdown() -> str:
    """The unit convention as a Markdown table."""
    lines = ["| unit | written as |", "| --- | --- |"]
    lines += [f"| {unit} | {form} |" for unit, form in UNIT_FORMS.items()]
    return "\n".join(lines)


def main() -> None:
    print("## Units\n\n" + units_markdown() + "\n\n## Inputs\n\n" + inputs_markdown()
          + "\n\n## Distributions\n\n" + distributions_markdown())


if __name__ == "__main__":  # pragma: no cover
    main()
