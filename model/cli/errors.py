"""One way for every command to turn a user's mistake into one message and an exit code.

No traceback reaches the user for bad input, an unwritable folder, a model error or an
interrupt; a bug still shows one (exit 1), so that it gets reported.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

from rich.console import Console
from rich.markup import escape

from model.cli.exit_codes import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_MODEL, EXIT_OUTPUT
from model.io.atomic import InterruptedAfterPublish, OutputError, Terminated, raise_terminated
from model.io.errors import InputError, ModelError

error_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int) -> None:
    """Print one error message on stderr and exit.

    The message is escaped because it quotes the user's own text, which may contain
    square brackets that rich would otherwise read as markup.
    """
    error_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False)
    sys.exit(code)


def warn(message: str) -> None:
    """Print one warning line on stderr (the run goes on; the warning is also in ``run.json``)."""
    error_console.print(f"[bold yellow]warning:[/] {escape(message)}", markup=True, highlight=False)


def interrupted_after_publish(folder: object, how: str = "interrupted") -> None:
    """Exit 130 for an interrupt that came once the outputs were all in place."""
    fail(f"{how} after the outputs were written: {folder}/ holds this run's complete report; "
         "only the summary table was not shown", EXIT_INTERRUPTED)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into one message on stderr and an exit code.

    =========================  ==================  =========
    error                      meaning             exit code
    =========================  ==================  =========
    ``InputError``             bad input           2
    ``ModelError``             NaN or infinite     3
    ``OutputError``            output folder       4
    ``KeyboardInterrupt``      Ctrl-C or SIGTERM   130
    =========================  ==================  =========
    """
    try:
        yield
    except InputError as exc:
        fail(str(exc), EXIT_INPUT)
    except ModelError as exc:
        fail(str(exc), EXIT_MODEL)
    except OutputError as exc:
        fail(str(exc), EXIT_OUTPUT)
    except KeyboardInterrupt as exc:
        how = "interrupted by SIGTERM" if isinstance(getattr(exc, "interrupt", exc), Terminated) else "interrupted"
        if isinstance(exc, InterruptedAfterPublish):
            interrupted_after_publish(exc.folder, how)
        fail(f"{how}: no output was written, and any earlier report in the folder is unchanged", EXIT_INTERRUPTED)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Let SIGTERM end a command the way Ctrl-C does (a message, exit 130, nothing half-written).

    The previous handler is restored afterwards. Only in the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
