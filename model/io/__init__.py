"""Input and output at the edges: YAML files in, validated data out, and files written atomically.

Scenarios (:mod:`~model.io.scenario`) and force baselines (:mod:`~model.io.forces`) are read
through :mod:`~model.io.yaml_source` and :mod:`~model.io.validation`; every mistake is an
:class:`~model.io.errors.InputError` naming file, line, field, what was expected and what was
found. :mod:`~model.io.provenance` tabulates where every figure comes from;
:mod:`~model.io.atomic` writes a set of outputs all together or not at all.
"""
