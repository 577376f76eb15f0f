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

import click
from rich.console import Console
from rich.markup import escape

from model.cli.exit_codes import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_MODEL, EXIT_OUTPUT
from model.io.atomic import InterruptedAfterPublish, OutputError, Terminated, clean_up_interrupted, raise_terminated
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
        with _further_signals_ignored():
            clean_up_interrupted()
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


@contextlib.contextmanager
def _further_signals_ignored() -> Iterator[None]:
    """While an interrupt is being reported, a second Ctrl-C or SIGTERM cannot cut the message short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [name for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), signal.SIG_IGN) for name in names}
    try:
        yield
    except SystemExit:
        # The process is ending with the message printed: a late signal must not turn that into a traceback,
        # so the signals stay ignored (a test harness that catches SystemExit restores its own handlers).
        raise
    except BaseException:
        _restore(previous)
        raise
    else:
        _restore(previous)


def _restore(handlers: dict) -> None:
    for name, handler in handlers.items():
        signal.signal(getattr(signal, name), handler)


class Commands(click.Group):
    """The ``police-mtfs`` group: an interrupt at any moment (before a command's own handler is in place,
    or while click parses the options) is one message and exit code 130, never click's "Aborted!"."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):  # noqa: ANN201 (click's signature)
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            with terminate_as_interrupt():
                code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (click.exceptions.Abort, KeyboardInterrupt) as exc:
            with _further_signals_ignored():
                clean_up_interrupted()
                how = "interrupted by SIGTERM" if isinstance(exc, Terminated) else "interrupted"
                fail(f"{how}: no output was written, and any earlier report in the folder is unchanged",
                     EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)
