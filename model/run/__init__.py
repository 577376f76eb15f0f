"""Running a scenario: chunks of paths over workers, streaming tallies, summary tables and typed results.

:mod:`~model.run.simulation` projects every force chunk by chunk;
:mod:`~model.run.tallies` reduces each chunk to order-independent tallies;
:mod:`~model.run.summaries` turns them into the tidy CSV tables;
:mod:`~model.run.results` holds what a run gives back (:class:`RunResult`, :class:`RunInfo`);
:mod:`~model.run.probability` the Monte Carlo intervals.
"""
