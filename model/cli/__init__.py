"""The ``police-mtfs`` command line.

Kept empty so that the entry point (:mod:`model.cli.entry`) can start without importing
numpy, pandas or matplotlib; the commands are in :mod:`model.cli.main` and
:mod:`model.cli.analysis`.
"""
