"""Declarations: every input, output, simulation setting, unit and fiscal year, once, as data.

Nothing here imports from another layer; every other layer reads these declarations
(validation, sampling, the engine's constants, the tables, the charts, the docs and the
``inputs`` and ``outputs`` commands).
"""
