"""Tables printed on the terminal: they fit 80 columns, and wider terminals get one line per force."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from model.declare.formatting import format_money
from model.run.results import RunResult


def headline_table(result: RunResult, console: Console) -> Table:
    """The headline table of a run: per force, reserves at the end and the chance of each event.

    Parameters
    ----------
    result : RunResult
    console : rich.console.Console
        Where it will print: when a table with one line per force is wider than the console,
        the force names and the P10–P90 range take two lines, so the table fits 80 columns.
    """
    wide = _headline_table(result, wide=True)
    if console.measure(wide, options=console.options.update(max_width=10_000)).maximum <= console.width:
        return wide
    return _headline_table(result, wide=False)


def _headline_table(result: RunResult, *, wide: bool) -> Table:
    info = result.info
    table = Table(title=f"{escape(info.title)}: by 31 March {int(info.years[-1][:4]) + 1}",
                  caption=f"{info.paths:,} paths, seed {info.seed}; £m cash", box=box.SIMPLE_HEAD, show_edge=False,
                  collapse_padding=True)
    separator = " " if wide else "\n"
    for header, justify in (("Force", "left"), ("Total reserves\nP50 (P10–P90)", "right"),
                            ("General\nreserve\nP50", "right"), ("P(general\n< minimum)", "right"),
                            ("P(usable\nreserves\nexhausted)", "right"), ("P(uncovered\ndeficit)", "right")):
        table.add_column(header, justify=justify, no_wrap=True)
    for row in result.headlines().itertuples():
        name = info.force_name(row.force)
        table.add_row(
            escape(name if wide else name.replace(" ", "\n", 1)),
            f"{format_money(row.total_reserves_p50)}{separator}({format_money(row.total_reserves_p10)}–"
            f"{format_money(row.total_reserves_p90)})",
            format_money(row.general_reserve_p50),
            f"{row.p_general_below_minimum:.1%}",
            f"{row.p_usable_reserves_exhausted:.1%}",
            f"{row.p_uncovered_deficit:.1%}",
        )
    return table
