"""Reference tables for the docs, generated from the declarations so they cannot drift.

``python -m model.declare.docs`` prints the Markdown tables; a test checks the docs hold them.
"""

from __future__ import annotations

from model.declare.distributions import DISTRIBUTION_MEANING, DISTRIBUTION_PARAMETERS
from model.declare.fiscal import MODEL_YEARS
from model.declare.formatting import format_quantity
from model.declare.inputs import INPUTS
from model.declare.outputs import BY_YEAR_SUFFIX, CASES, FLAG_DECLARATIONS, METRICS
from model.declare.units import UNIT_FORMS


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


def output_rows() -> list[dict[str, str]]:
    """One row of text per declared output: metrics, then flags (in-year and by year), then deterministic cases."""
    rows = [{"output": m.name, "kind": "metric", "unit": m.unit, "better": m.better, "label": m.label,
             "meaning": m.meaning} for m in METRICS.values()]
    for flag in FLAG_DECLARATIONS.values():
        rows.append({"output": flag.name, "kind": "flag", "unit": "probability", "better": "lower",
                     "label": flag.label, "meaning": flag.meaning})
        rows.append({"output": flag.name + BY_YEAR_SUFFIX, "kind": "flag", "unit": "probability", "better": "lower",
                     "label": f"{flag.label}, by the end of the year",
                     "meaning": f"At any 31 March up to that year: {flag.meaning[:1].lower()}{flag.meaning[1:]}"})
    rows += [{"output": c.name, "kind": "case", "unit": "", "better": "", "label": c.label, "meaning": c.meaning}
             for c in CASES.values()]
    return rows


def outputs_markdown() -> str:
    """Every output a run writes, as a Markdown table."""
    lines = ["| output | kind | unit | better | meaning |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| `{r['output']}` | {r['kind']} | {r['unit']} | {r['better']} | {r['meaning']} |" for r in output_rows()]
    return "\n".join(lines)


def main() -> None:
    print("## Units\n\n" + units_markdown() + "\n\n## Inputs\n\n" + inputs_markdown()
          + "\n\n## Distributions\n\n" + distributions_markdown() + "\n\n## Outputs\n\n" + outputs_markdown())


if __name__ == "__main__":  # pragma: no cover
    main()
