"""police-mtfs: Monte Carlo medium-term financial strategy modeller for police forces.

The package is built in layers; each imports only from the layers below it
(``docs/architecture.md`` draws them, and ``tests/test_architecture.py`` enforces it):

=================  ====================================================================
layer              what it holds
=================  ====================================================================
``declare``        every input, output, setting, unit and fiscal year, declared once as data
``engine``         the pure arithmetic over ``(paths, years)``: projection and reserves waterfall
``io``             reading and validating YAML (scenarios, force baselines), errors, provenance,
                   atomic writing of outputs
``sampling``       the loaded scenario (:class:`~model.sampling.setup.RunSetup`), uniform sources,
                   dependence and the draws that turn a scenario into engine inputs
``run``            simulation over chunks and workers, streaming tallies, summary tables,
                   the typed results of a run
``analysis``       sensitivity (unit, one-way, Sobol', breach drivers), goal seek, compare
``report``         tidy tables for the report, charts, the PDF, the workbook, ``run.json``
``pipeline``       one function per command, from a scenario to its typed result and files
``cli``            the ``police-mtfs`` command line
=================  ====================================================================

``engine`` and ``io`` both sit directly on ``declare`` and know nothing of each other.
"""

__version__ = "0.1.0"
