"""The ``police-mtfs`` console entry point: imports the command line, then runs it.

Importing numpy, pandas and matplotlib takes a moment; a Ctrl-C during it is answered
like one during a run (a message and exit code 130), not with a traceback.
"""

from __future__ import annotations

import sys

from model.cli.exit_codes import EXIT_INTERRUPTED


def main() -> None:
    """Run the ``police-mtfs`` command line."""
    try:
        from model.cli.main import main as command_line
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted while starting: nothing was run or written\n")
        sys.exit(EXIT_INTERRUPTED)
    command_line()


if __name__ == "__main__":  # python -m model.cli.entry: the same as the police-mtfs command
    main()
