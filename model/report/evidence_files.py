"""The files of the evidence commands, written atomically: ``fit``'s snippet, table and chart, and
``evaluate``'s table, coverage, record and PDF.

Like the pipeline's ``write_*`` functions, each writes a set of files into one folder through
:class:`~model.io.atomic.AtomicOutputs`: all of them appear together, or none do.
"""

from __future__ import annotations

from pathlib import Path

from model.analysis.evaluate import EvaluationResult
from model.analysis.fit import FitResult, family_table
from model.io.atomic import AtomicOutputs, write_csv, write_json, write_text


def write_fit(folder: Path | str, result: FitResult, *, unit: str | None, snippet: str, notes: str, title: str,
              plot_note: str = "") -> list[Path]:
    """Write ``fit.yaml`` (the snippet), ``fit.csv`` (every family), ``fit.txt`` (the notes) and ``fit.png``."""
    from model.report.evidence_charts import save_fit_png

    with AtomicOutputs(Path(folder)) as outputs:
        outputs.write("fit.yaml", write_text(snippet))
        outputs.write("fit.csv", write_csv(family_table(result, unit)))
        outputs.write("fit.txt", write_text(notes))
        outputs.write("fit.png", lambda path: save_fit_png(path, result, unit=unit, title=title, note=plot_note))
        return outputs.publish()


def evaluation_record(result: EvaluationResult) -> dict:
    """What ``evaluation.json`` records: the run scored, the outturns, the resolution and the test of the ranks."""
    return {"scenario_name": result.scenario, "scenario_title": result.title, "paths": result.paths,
            "seed": result.seed, "outturns_file": result.outturns_file, "ranks_from": result.source,
            "resolution": result.resolution, "uniformity_test": result.uniformity, "notes": result.notes,
            "outturns": len(result.rows), "scored": len(result.scored)}


def write_evaluation(result: EvaluationResult, folder: Path | str) -> list[Path]:
    """Write ``evaluation.csv``, ``coverage.csv``, ``pit_histogram.csv``, ``evaluation.json``, ``evaluation.pdf``
    and, for a scenario run for the purpose, ``resolved.yaml``, into ``folder`` atomically."""
    from model.report.evidence_pdf import build_evaluation_pdf

    with AtomicOutputs(Path(folder)) as outputs:
        outputs.write("evaluation.csv", write_csv(result.rows))
        outputs.write("coverage.csv", write_csv(result.coverage))
        outputs.write("pit_histogram.csv", write_csv(result.pit))
        outputs.write("evaluation.json", write_json(evaluation_record(result)))
        outputs.write("evaluation.pdf", lambda path: build_evaluation_pdf(path, result))
        if result.resolved_yaml:
            outputs.write("resolved.yaml", write_text(result.resolved_yaml))
        return outputs.publish()
