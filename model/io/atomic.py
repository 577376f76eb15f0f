"""Write a run's outputs atomically: all files appear together, or none do.

Every output is first written to a hidden temporary file in the destination folder
(``.<name>.<host>-<pid>-<token>.partial``). Only when all of them are complete are they
moved into place with ``os.replace`` (atomic on one filesystem), and then as one set:

* **One run at a time.** :meth:`AtomicOutputs.publish` holds an exclusive ``flock`` on
  the folder itself while it moves the files, so two runs writing to the same folder
  never interleave their files: the folder ends with the complete set of whichever run
  published last. No lock file is left behind. Where locks are not available (not
  POSIX, or a filesystem that refuses them) the files are published without one.
* **All or nothing.** Ctrl-C and SIGTERM are held back for the few milliseconds the
  files take to move (in the main thread), so a signal then lets the set finish and
  arrives afterwards, as :class:`InterruptedAfterPublish` (the new report is complete).
  If a move fails, or any other exception escapes, the files already moved are rolled
  back to the earlier report, which is kept as hard links until the set is in place.
* **Nothing half-written.** A failure or an interrupt before publishing removes the
  temporary files and leaves any earlier report untouched. While the outputs are being
  written, SIGTERM is turned into :class:`Terminated` (a ``KeyboardInterrupt``) so that
  it too cleans up. A process killed outright (SIGKILL, power loss) cannot clean up:
  its hidden temporary files stay, and the next run into that folder removes them
  (those of a process on this machine that no longer exists, or older than a day).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by whoever makes the table: `check` and `--help` never pay for it
    import pandas as pd

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

CSV_FLOAT_FORMAT = "%.6f"

LOCK_TIMEOUT_SECONDS = 60.0
"""How long :meth:`AtomicOutputs.publish` waits for another run to finish publishing."""

STALE_AFTER_SECONDS = 24 * 3600.0
"""Age after which a temporary file that cannot be traced to a process counts as abandoned."""

HELD_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))
"""Signals held back while a set of outputs is moved into place."""

_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<host>\w*)-(?P<pid>\d+)-(?P<token>[0-9a-f]{8})(?:\.backup)?\.partial$")


class OutputError(Exception):
    """An output folder or file that cannot be written."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; raised like Ctrl-C so that temporary files are removed."""


class InterruptedAfterPublish(KeyboardInterrupt):
    """An interrupt that arrived after every output was in place: the new report is complete.

    Attributes
    ----------
    folder : Path
    published : list of Path
    interrupt : KeyboardInterrupt
        The interrupt itself (a :class:`Terminated` for SIGTERM).
    """

    def __init__(self, folder: Path, published: list[Path], interrupt: KeyboardInterrupt) -> None:
        super().__init__(str(folder))
        self.folder, self.published, self.interrupt = Path(folder), list(published), interrupt


def raise_terminated(signum, frame) -> None:
    """A SIGTERM handler: ``signal.signal(signal.SIGTERM, raise_terminated)``."""
    raise Terminated()


class AtomicOutputs:
    """Collect outputs in temporary files and publish them together.

    Examples
    --------
    >>> with AtomicOutputs(folder) as outputs:          # doctest: +SKIP
    ...     outputs.write("summary.csv", lambda path: table.to_csv(path))
    ...     outputs.publish()

    Attributes
    ----------
    published : list of Path
        The files moved into place by :meth:`publish` (empty until then).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.published: list[Path] = []
        self._pending: list[tuple[Path, Path]] = []
        self._host = _host_tag()
        self._pid = os.getpid()
        self._tag = f"{self._host}-{self._pid}-{secrets.token_hex(4)}"
        self._previous_sigterm = None

    def __enter__(self) -> AtomicOutputs:
        _OPEN.append(self)
        # The folders this run creates, deepest first: removed again if nothing is published into them.
        self._created = [folder for folder in (self.folder, *self.folder.parents) if not folder.exists()]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.folder}: cannot create the output folder: {exc.strerror or exc}") from None
        if not os.access(self.folder, os.W_OK):
            raise OutputError(f"{self.folder}: the output folder is not writable")
        self.remove_abandoned()
        self._previous_sigterm = _catch_sigterm()
        return self

    def write(self, name: str, writer: Callable[[Path], None]) -> Path:
        """Write one output to a temporary file with ``writer(temporary_path)``."""
        final = self.folder / name
        temporary = self.folder / f".{name}.{self._tag}.partial"
        self._pending.append((temporary, final))
        try:
            writer(temporary)
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
        except OSError as exc:
            raise OutputError(f"{final}: cannot write: {exc.strerror or exc}") from None
        return final

    def publish(self) -> list[Path]:
        """Move every temporary file into place, as one set.

        Waits (up to :data:`LOCK_TIMEOUT_SECONDS`) while another run publishes to the
        same folder. Ctrl-C and SIGTERM are held until the set is in place. If any move
        fails, the files already moved are put back as they were.

        Raises
        ------
        OutputError
            A file cannot be moved into place (the earlier report is restored), or
            another run holds the folder for too long.
        """
        if not self._pending:
            return []
        with _folder_lock(self.folder), _signals_held():
            backups: list[Path | None] = []
            moved: list[tuple[Path, Path | None]] = []
            current = self.folder
            try:
                for _, current in self._pending:
                    backups.append(self._keep_earlier(current))
                for (temporary, current), backup in zip(self._pending, backups, strict=True):
                    os.replace(temporary, current)
                    moved.append((current, backup))
            except BaseException as exc:
                kept = _roll_back(moved)
                backups = [backup for backup in backups if backup not in kept]
                if isinstance(exc, OSError):
                    name = current
                    outcome = ("the earlier report is unchanged" if not kept else
                               "the earlier versions of " + ", ".join(str(k) for k in kept) + " are kept beside them")
                    raise OutputError(f"{name}: cannot publish the outputs: {exc.strerror or exc}; {outcome}") from None
                raise
            finally:
                for backup in backups:
                    if backup is not None:
                        _remove(backup)
            # Recorded before the signals are released: an interrupt arriving then finds the set complete.
            self.published = [final for final, _ in moved]
            self._pending = []
        return list(self.published)

    def remove_abandoned(self) -> list[Path]:
        """Remove temporary files left in the folder by runs that were killed outright.

        A temporary file from a process on this machine is removed once that process
        no longer exists; one from another machine, or not named by this module, once it
        is older than :data:`STALE_AFTER_SECONDS`. Best effort: errors are ignored.
        """
        removed = []
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return removed
        now = time.time()
        for entry in entries:
            if not (entry.name.startswith(".") and entry.name.endswith(".partial")):
                continue
            match = _TEMPORARY.match(entry.name)
            if match and match["host"] == self._host and os.name == "posix":
                pid = int(match["pid"])
                if pid == self._pid or _process_exists(pid):
                    continue
            else:
                try:
                    if now - entry.stat(follow_symlinks=False).st_mtime < STALE_AFTER_SECONDS:
                        continue
                except OSError:
                    continue
            if _remove(Path(entry.path)):
                removed.append(Path(entry.path))
        return removed

    def _keep_earlier(self, final: Path) -> Path | None:
        """Keep the earlier version of ``final`` (a hard link, or a copy) until the set is in place."""
        if not os.path.lexists(final):
            return None
        backup = self.folder / f".{final.name}.{self._tag}.backup.partial"
        try:
            os.link(final, backup, follow_symlinks=False)
        except FileNotFoundError:
            return None
        except (OSError, NotImplementedError):  # a filesystem or platform without hard links
            shutil.copy2(final, backup, follow_symlinks=False)
        return backup

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            # A second signal (``timeout`` may send two, a user may press Ctrl-C twice) waits until the
            # temporary files are gone; if the run is already being interrupted, it adds nothing.
            with _signals_held():
                self._clean_up()
        except KeyboardInterrupt as second:
            if not isinstance(exc, KeyboardInterrupt):
                exc = second
                if not self.published:
                    raise
        finally:
            _restore_sigterm(self._previous_sigterm)
            self._previous_sigterm = None
        if self.published and isinstance(exc, KeyboardInterrupt) and not isinstance(exc, InterruptedAfterPublish):
            raise InterruptedAfterPublish(self.folder, self.published, exc) from None

    def _clean_up(self) -> None:
        """Remove this set's temporary files, and the folders it created if nothing was published."""
        for temporary, _ in self._pending:
            _remove(temporary)
        self._pending = []
        if not self.published:
            self._remove_created_folders()
        if self in _OPEN:
            _OPEN.remove(self)

    def _remove_created_folders(self) -> None:
        """Remove the folders :meth:`__enter__` created, if they are still empty (best effort)."""
        for folder in getattr(self, "_created", []):
            try:
                folder.rmdir()
            except OSError:
                break


_OPEN: list[AtomicOutputs] = []
"""Sets of outputs entered and not yet cleaned up: a second signal can cut :meth:`AtomicOutputs.__exit__` short."""


def clean_up_interrupted() -> None:
    """Remove what interrupted sets of outputs left: their temporary files and the empty folders they made.

    The command line calls it while it reports an interrupt (with further signals ignored), so that a
    second signal arriving as the first is handled cannot leave a ``.partial`` file or an empty folder.
    """
    for outputs in list(_OPEN):
        outputs._clean_up()


def _host_tag() -> str:
    return re.sub(r"\W", "_", socket.gethostname(), flags=re.ASCII)[:32]


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else, or we cannot tell
        return True
    return True


def _remove(path: Path) -> bool:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def _roll_back(moved: list[tuple[Path, Path | None]]) -> list[Path]:
    """Put back the earlier version of every file already moved; return the backups that would not go back."""
    kept = []
    for final, backup in reversed(moved):
        try:
            if backup is None:
                final.unlink(missing_ok=True)
            else:
                os.replace(backup, final)
        except OSError:
            if backup is not None:
                kept.append(backup)
    return kept


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the folder itself; go ahead unlocked where there are no locks."""
    descriptor = None
    if fcntl is not None:
        try:
            descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            descriptor = None
    try:
        if descriptor is not None:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputError(
                            f"{folder}: another run has been publishing to this folder for over "
                            f"{LOCK_TIMEOUT_SECONDS:.0f} s; nothing was written, try again") from None
                    time.sleep(0.01)
                except OSError:  # the filesystem does not support locks
                    break
        yield
    finally:
        if descriptor is not None:
            os.close(descriptor)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM until the block is done, then deliver them to the handlers they had.

    Python handlers always run in the main thread, so swapping them (rather than masking
    the signals, which another thread of the process could still receive) holds the
    signal whichever thread the kernel delivers it to. Only in the main thread.
    """
    if not _in_main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    try:
        for signum in HELD_SIGNALS:
            handler = signal.getsignal(signum)
            if handler is None:  # installed outside Python: leave it alone
                continue
            signal.signal(signum, lambda number, frame: received.append(number))
            previous[signum] = handler
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(received):
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)  # Ctrl-C: raises KeyboardInterrupt
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), signum)  # the default action, e.g. terminate


def _catch_sigterm():
    """Turn SIGTERM into :class:`Terminated` if nothing else handles it; return what to restore."""
    if not (_in_main_thread() and hasattr(signal, "SIGTERM")):
        return None
    try:
        if signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
            return None
        return signal.signal(signal.SIGTERM, raise_terminated)
    except (OSError, ValueError):
        return None


def _restore_sigterm(previous) -> None:
    if previous is None or not _in_main_thread():
        return
    try:
        signal.signal(signal.SIGTERM, previous)
    except (OSError, ValueError):
        pass


def write_csv(table: pd.DataFrame) -> Callable[[Path], None]:
    """A writer for a tidy table: UTF-8 CSV, floats to six decimals."""
    return lambda path: table.to_csv(path, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")


def write_json(content: dict) -> Callable[[Path], None]:
    """A writer for a JSON document, pretty-printed with sorted keys."""
    return lambda path: path.write_text(json.dumps(content, indent=2, sort_keys=True, default=str) + "\n",
                                        encoding="utf-8")




def write_text(content: str) -> Callable[[Path], None]:
    """A writer for a UTF-8 text file (``resolved.yaml``)."""
    return lambda path: path.write_text(content, encoding="utf-8")
