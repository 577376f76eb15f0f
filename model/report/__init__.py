"""Presenting a run: tidy tables for the report (data), charts and drawn tables (drawing), the PDF, the workbook and ``run.json``.

:mod:`~model.report.tables` computes everything shown, as tidy tables, without drawing;
:mod:`~model.report.style`, :mod:`~model.report.charts` and :mod:`~model.report.drawn_tables`
draw; :mod:`~model.report.page_layout` flows text down pages; :mod:`~model.report.pdf`,
:mod:`~model.report.workbook`, :mod:`~model.report.sensitivity_pdf` and
:mod:`~model.report.records` write the files.
"""
