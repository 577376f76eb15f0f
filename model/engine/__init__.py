"""The engine: pure numpy arithmetic over every path at once.

:mod:`~model.engine.projection` projects one force's income, spending, savings and gap;
:mod:`~model.engine.waterfall` moves its reserves; :mod:`~model.engine.reference` is the
plain per-path oracle the tests hold the engine to. The engine knows nothing of YAML,
files, scenarios or plots: it takes arrays (:class:`~model.engine.projection.ForceInputs`)
and returns arrays (:class:`~model.engine.projection.Projection`).
"""
