"""Where pieces of work run: in this process, in worker processes, or on an existing Dask cluster.

Every command that spreads work (``run``'s chunks of paths, ``sensitivity``'s forces) hands
it to a :class:`Pool`, which keeps the order of the results. Each piece draws its own keyed
random streams and returns exact tallies, so where it runs never changes a number.

A Dask cluster is used through the ``concurrent.futures`` interface of its client
(``distributed.Client(address).get_executor()``); ``distributed`` is an optional extra,
``pip install 'police-mtfs[dask]'``, imported only when ``--scheduler`` is given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from model.io.errors import InputError

CONNECT_TIMEOUT_SECONDS = 10.0
"""How long to wait for a Dask scheduler to answer before giving up with a clear error."""

SCHEDULER_OPTION = "option --scheduler"
"""Where a scheduler error points the user: the command-line option."""


class Pool:
    """Runs a function over pieces of work, in order, here or on workers.

    Parameters
    ----------
    executor : concurrent.futures.Executor, optional
        Where the pieces run (``None``: one after another in this process).
    workers : int
        How many pieces can run at once: the simulation splits its paths into about two
        spans per worker.
    """

    def __init__(self, executor=None, workers: int = 1) -> None:
        self.executor = executor
        self.workers = max(1, int(workers))

    @property
    def in_process(self) -> bool:
        """Whether the work runs here, one piece after another."""
        return self.executor is None

    def starmap(self, function: Callable, arguments: Iterable[Sequence[Any]]) -> Iterator:
        """``function(*args)`` for each ``args``, results in order.

        ``function`` must be a module-level function (it is sent to the workers by name),
        and its arguments picklable.
        """
        if self.executor is None:
            return (function(*args) for args in arguments)
        return self.executor.map(_apply, [(function, tuple(args)) for args in arguments])


def _apply(item: tuple[Callable, tuple]) -> Any:
    function, args = item
    return function(*args)


IN_PROCESS = Pool()
"""Everything in this process, one piece after another."""


@contextlib.contextmanager
def open_pool(workers: int = 1, scheduler: str | None = None) -> Iterator[Pool]:
    """A pool for ``workers`` local processes, or for the Dask cluster at ``scheduler``; closed on exit.

    Parameters
    ----------
    workers : int
        Local worker processes (1: this process). Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); the pool then has as
        many workers as the cluster has threads.

    Raises
    ------
    InputError
        ``distributed`` is not installed, or no scheduler answers at ``scheduler``.
    """
    if scheduler:
        client = connect(scheduler)
        try:
            yield Pool(client.get_executor(), cluster_threads(client))
        finally:
            client.close()
    elif workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
        try:
            yield Pool(executor, workers)
        finally:
            executor.shutdown()
    else:
        yield IN_PROCESS


def connect(address: str):
    """A ``distributed.Client`` for the scheduler at ``address``.

    Raises
    ------
    InputError
        Naming ``--scheduler``: ``distributed`` is not installed, or nothing answered at
        ``address`` within :data:`CONNECT_TIMEOUT_SECONDS`.
    """
    try:
        from distributed import Client
    except ImportError:
        raise InputError(SCHEDULER_OPTION, None, "the Dask extra to be installed to use a cluster",
                         hint="install it with: pip install 'police-mtfs[dask]'") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(SCHEDULER_OPTION, None, "the address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786",
                         address, hint=f"No scheduler answered there within {CONNECT_TIMEOUT_SECONDS:g} s ({exc}); "
                                       "start one with `dask scheduler` and its workers with `dask worker ADDRESS`, "
                                       "or leave out --scheduler to run on this machine") from None


def cluster_threads(client) -> int:
    """Threads across the cluster's workers (at least 1: work waits for a worker to join)."""
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(int(worker.get("nthreads", 1)) for worker in workers.values()))
