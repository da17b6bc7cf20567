"""Where chunks run: in this process, in a process pool, or on Dask, behind `map_chunks`.

An executor is a (re-entrant) context manager with one method, ``map_chunks(fn, chunks)``,
which yields ``fn(chunk)`` for every chunk **in the order of the chunks**, whatever order they
finish in. ``fn`` draws its own rows from the chunk's bounds (see `sampling`), so the three
executors give the same numbers for the same seed. Only a bounded number of chunks is in flight
at once, so memory stays bounded however many chunks there are. Leaving the ``with`` block
cancels what is pending and releases the workers; leaving it by an error, Ctrl-C or SIGTERM
stops them at once (a pool's workers are killed; a cluster still starting is let finish
starting, then closed, since one cut off half-way leaves processes behind).

Names resolve here, at the edge: `make_executor("dask", scheduler="tcp://…")`. Dask is
imported only when asked for.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from typing import Any, Protocol, Self, TypeVar

from ..errors import UserInputError

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "ProcessExecutor",
    "make_executor",
    "progress",
]

C = TypeVar("C")
R = TypeVar("R")

EXECUTORS = ("local", "processes", "dask")


class Executor(Protocol):
    """The one interface every way of running chunks offers."""

    workers: int

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def map_chunks(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]: ...


class LocalExecutor:
    """In this process, one chunk after another: the default, and the reference."""

    workers = 1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map_chunks(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]:
        return map(fn, chunks)


def _start_worker() -> None:
    # Ctrl-C (and a SIGTERM sent to the process group) reach every worker; only the parent
    # should react, by stopping the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    """End this worker once its parent has ended, however it ended: an orphan would go on
    computing, or wait forever to send a result nobody reads, holding whatever pipes it
    inherited (a test's, a shell's) open."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


class ProcessExecutor:
    """A local pool of worker processes (``workers`` defaults to the usable cores).

    Workers start with ``forkserver`` (no fork of a threaded parent) and ignore Ctrl-C and
    SIGTERM: the parent reacts by cancelling what is pending and killing the workers at once,
    rather than waiting for the chunks they are running. A worker whose parent has ended,
    killed or not, ends too.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or len(os.sched_getaffinity(0))
        self._pool: ProcessPoolExecutor | None = None
        self._depth = 0

    def __enter__(self) -> Self:
        self._depth += 1
        if self._pool is not None:
            return self
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_start_worker,
        )
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self._depth -= 1
        if self._pool is not None and self._depth == 0:
            pool, self._pool = self._pool, None
            if kind is None:
                try:
                    pool.shutdown(wait=True, cancel_futures=True)
                except BaseException:  # interrupted while waiting: stop as below
                    _stop_now(pool)
                    raise
            else:  # an error or an interruption: their chunks are not wanted
                _stop_now(pool)

    def map_chunks(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]:
        if self._pool is None:
            raise RuntimeError("use the executor in a with block")
        pool = self._pool

        def submit(chunk: C) -> Future[R]:
            with _uninterrupted():  # submitting may start a worker: not to be cut in half
                return pool.submit(fn, chunk)

        return _ordered(submit, chunks, 2 * self.workers)


@contextmanager
def _quiet_thread(thread: threading.Thread | None) -> Iterator[None]:
    """Within the block, an exception in ``thread`` is not printed: the pool's manager thread
    may trip over the workers it sees killed, which is what was asked for, not an error."""
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if thread is None or args.thread is not thread:
            previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now (SIGKILL: they ignore SIGTERM)."""
    processes = getattr(pool, "_processes", None) or {}  # private, but stable since 3.2
    for process in list(processes.values()):
        if process.is_alive():
            process.kill()


def _stop_now(pool: ProcessPoolExecutor) -> None:
    with _quiet_thread(getattr(pool, "_executor_manager_thread", None)):
        _kill_workers(pool)
        _unblock_pipes(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _unblock_pipes(pool: ProcessPoolExecutor) -> None:
    """After its workers are killed, the pool's threads could wait forever: the manager on
    a result that a killed worker was halfway through sending, the queue's feeder on a task
    pipe that is full and that no worker reads any more. This process holds the other end of
    each pipe; closing those ends turns both waits into errors (end of file, broken pipe)
    that end the threads, and the pool shuts down. (Interrupting `sim batch` with chunks of
    1,000 samples hung 6 runs of 28 before this, in exactly those two places; none of 30
    after.)"""
    for queue, end in (("_result_queue", "_writer"), ("_call_queue", "_reader")):
        connection = getattr(getattr(pool, queue, None), end, None)
        if connection is not None:
            with suppress(OSError):
                connection.close()


class DaskExecutor:
    """Dask distributed: the cluster at ``scheduler`` (``tcp://host:port``), or a
    `LocalCluster` of ``workers`` single-threaded processes started for this run."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers or len(os.sched_getaffinity(0))
        self._client: Any = None
        self._cluster: Any = None
        self._depth = 0

    def __enter__(self) -> Self:
        if self._client is None:
            self._start()
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._close()

    def _start(self) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise UserInputError(
                "needs dask[distributed]: pip install 'sdsim[dask]'", field="executor"
            ) from None
        try:
            with _uninterrupted():  # a cluster stopped half-way through starting cannot close
                if self.scheduler:
                    self._client = _connect(Client, self.scheduler)
                else:
                    self._cluster = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        silence_logs=logging.CRITICAL,  # a cancelled run is not the user's error
                    )
                    self._client = Client(self._cluster)
            if self.scheduler:
                self.workers = max(1, len(self._client.scheduler_info()["workers"]))
            self._client.run(_heap_allocations)
        except BaseException:
            self._close()
            raise

    def _close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def map_chunks(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]:
        if self._client is None:
            raise RuntimeError("use the executor in a with block")
        client = self._client
        return _ordered(
            lambda chunk: client.submit(fn, chunk, pure=False), chunks, 2 * self.workers
        )


def _connect(client: Any, address: str) -> Any:
    try:
        return client(address, timeout="10s")
    except OSError as exc:
        raise UserInputError(f"cannot reach {address}: {exc}", field="--scheduler") from None
    except (ValueError, TypeError) as exc:
        raise UserInputError(
            f"not a scheduler address like tcp://host:port: {exc}", field="--scheduler"
        ) from None


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done, then deliver them as they would have
    been (in the main thread only, where Python runs signal handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    kinds = (signal.SIGINT, signal.SIGTERM)
    previous = {kind: signal.signal(kind, lambda signum, _: held.append(signum)) for kind in kinds}
    try:
        yield
    finally:
        for kind, handler in previous.items():
            signal.signal(kind, signal.SIG_DFL if handler is None else handler)
        if held:
            signal.raise_signal(held[0])


def _heap_allocations() -> bool:
    """Let a Dask worker reuse freed memory for arrays again (glibc only; False elsewhere).

    Dask starts workers with ``MALLOC_TRIM_THRESHOLD_`` set, which also freezes glibc's mmap
    threshold at 128 KiB: every array of a chunk is then mapped and unmapped afresh, and the
    plan model ran 2.5 times slower on a worker than in this process. Raising the threshold to
    32 MiB restores the usual reuse of the heap.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        return bool(libc.mallopt(-3, 32 << 20))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError, TypeError):
        return False


def _ordered(
    submit: Callable[[C], Future[R] | Any], chunks: Iterable[C], window: int
) -> Iterator[R]:
    """Results in chunk order, with at most ``window`` chunks submitted and not yet yielded."""
    pending: deque[Any] = deque()
    try:
        for chunk in chunks:
            pending.append(submit(chunk))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def make_executor(
    kind: str = "local", *, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """The executor called ``kind`` (one of `EXECUTORS`); a bad name or combination is a
    `UserInputError`."""
    if kind not in EXECUTORS:
        raise UserInputError(
            f"unknown executor {kind!r}; expected one of {', '.join(EXECUTORS)}", field="executor"
        )
    if scheduler and kind != "dask":
        raise UserInputError("a scheduler address needs --executor dask", field="scheduler")
    if workers is not None and workers < 1:
        raise UserInputError(f"must be at least 1, got {workers}", field="workers")
    if kind == "local":
        return LocalExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    return DaskExecutor(scheduler, workers)


def progress(
    results: Iterable[R],
    sizes: Iterable[int],
    total: int,
    *,
    desc: str = "samples",
    enabled: bool = True,
) -> Iterator[R]:
    """Pass ``results`` through, advancing a progress bar (rate and ETA, on stderr) by each
    chunk's size. The bar appears only for runs that last longer than a second."""
    from tqdm import tqdm

    with tqdm(
        total=total, desc=desc, unit=" runs", unit_scale=True, delay=1.0, disable=not enabled
    ) as bar:
        for result, size in zip(results, sizes, strict=True):
            yield result
            bar.update(size)
