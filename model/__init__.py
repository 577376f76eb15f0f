"""police-mtfs: Monte Carlo medium-term financial strategy modeller for police forces.

The package is layered so that each module has one job:

* :mod:`model.units` and :mod:`model.fiscal` parse and format the finance conventions
  (rates as ``1.99%``, money as ``£4.45m``, band D cash as ``£5``, years as ``2016/17``);
* :mod:`model.inputs` declares every uncertain input once, with its unit, range and meaning;
* :mod:`model.forces` and :mod:`model.scenario` load and validate the YAML at the edges;
* :mod:`model.engine` is pure array arithmetic over ``(paths, years)``;
* :mod:`model.sampling` turns a scenario into engine arrays, chunk of paths by chunk;
* :mod:`model.simulation` runs chunks and :mod:`model.summary` reduces them to tidy tables;
* :mod:`model.plot_style`, :mod:`model.plots`, :mod:`model.plot_tables`, :mod:`model.page_layout`,
  :mod:`model.report` and :mod:`model.outputs` draw and write;
* :mod:`model.cli` is the command line.
"""

__version__ = "0.1.0"
