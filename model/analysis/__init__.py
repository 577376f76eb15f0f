"""Sensitivity and decisions: which assumption drives the risk, and what precept or savings keep it acceptable.

Pure computations over a :class:`~model.sampling.setup.RunSetup`, one module per method,
each returning tidy DataFrames:

* :mod:`~model.analysis.unit`: the finance officer's table ("1% on the pay award costs £Xm"),
  exact, from the deterministic force-plan case;
* :mod:`~model.analysis.one_way`: every input (and baseline assumption) swung across its
  quantiles with the others at base: the spider and tornado tables;
* :mod:`~model.analysis.sobol`: first- and total-order Sobol' indices of grouped factors with
  bootstrap confidence intervals (SALib's estimators and intervals, bit for bit);
* :mod:`~model.analysis.drivers`: where the paths that breach the minimum general reserve come from;
* :mod:`~model.analysis.goal_seek`: the smallest precept rise or saving that meets a target;
* :mod:`~model.analysis.compare`: two scenarios on the same random draws.

:mod:`~model.analysis.factors` declares what can be swung or attributed;
:mod:`~model.analysis.results` holds the typed results the writers take.

Conventions
-----------
**Sign.** Every change in money is *new minus old*. In the unit sensitivity table a
positive number adds to the budget gap (costs more, or raises less); a negative number
(shown in brackets) reduces it. In the tornado and spider tables values are the outputs
themselves: cumulative gap (£m, positive is a shortfall), total usable reserves (£m) and
the probability that the general reserve is below its minimum by the last year.

**Outputs.** ``cumulative_gap`` and ``total_reserves`` are read in the scenario's last
year; ``general_below_minimum_by_year`` is the flag "general reserve below its minimum at
any 31 March up to that year", as a probability (tornado, spider) or as a per-path 0/1
indicator (Sobol').

**Common random numbers.** Everything probabilistic draws from the scenario's own keyed
streams, so two runs that differ in one input or lever differ only there: a swing, a
lever step or a scenario difference is not Monte Carlo noise.
"""
