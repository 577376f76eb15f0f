"""The exit codes of ``police-mtfs``, declared once (light to import: the entry point reads them before anything else)."""

EXIT_INPUT = 2
"""Bad input: a scenario, a force file, ``--data`` or a command-line option."""
EXIT_MODEL = 3
"""The model produced a NaN or an infinite number; nothing was written."""
EXIT_OUTPUT = 4
"""The output folder cannot be created or written; nothing was written."""
EXIT_INTERRUPTED = 130
"""Interrupted by Ctrl-C (or SIGTERM)."""
