"""From a validated scenario to engine inputs: the loaded setup, uniform sources, dependence and draws.

:mod:`~model.sampling.setup` loads a scenario with its baselines (:class:`RunSetup`);
:mod:`~model.sampling.uniforms` holds the uniform sources (keyed pseudo-random streams,
Sobol' points, fixed quantiles, cached and design sources); :mod:`~model.sampling.dependence`
imposes stated correlations and persistence; :mod:`~model.sampling.draws` turns uniforms
into the engine's :class:`~model.engine.projection.ForceInputs`.
"""
