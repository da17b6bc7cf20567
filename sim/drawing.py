"""Draw figures on every core: each job runs in a forked copy of this process.

Drawing (text layout, glyphs, anti-aliasing) is most of the time a batch's figures take, and
matplotlib draws on one core. A forked child starts at once with everything already imported
and the data already in memory (nothing is pickled but the result); where ``fork`` is not
available, or a single core is, the jobs run one after another here. A job that fails in a
child is run again here, so its error is raised as if there were no children.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["draw_parallel", "usable_cores"]


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def draw_parallel(jobs: Sequence[Callable[[], Any]], *, workers: int | None = None) -> list[Any]:
    """Results of ``jobs`` (callables without arguments), in order. The first job runs in
    this process while forked children run the others, ``workers - 1`` at a time."""
    workers = min(len(jobs), workers or usable_cores())
    _stop_progress_monitor()
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers < 2 or not forkable or threading.active_count() > 1:  # forking threads: unsafe
        return [job() for job in jobs]
    context = multiprocessing.get_context("fork")
    results: list[Any] = [None] * len(jobs)
    rest = list(enumerate(jobs))[1:]
    waves = [rest[i : i + workers - 1] for i in range(0, len(rest), workers - 1)]
    for n, wave in enumerate(waves):
        running = []
        for index, job in wave:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(job, send), daemon=True)
            process.start()
            send.close()
            running.append((index, job, process, receive))
        if n == 0:
            results[0] = jobs[0]()
        for index, job, process, receive in running:
            try:
                ok, value = receive.recv()
            except EOFError:
                ok, value = False, None
            process.join()
            results[index] = value if ok else job()  # again here: the real error, if any
    return results


def _stop_progress_monitor() -> None:
    """tqdm keeps a monitor thread after its bars close; it has nothing left to watch, and a
    process with threads must not fork."""
    import sys

    tqdm = getattr(sys.modules.get("tqdm"), "tqdm", None)
    monitor = getattr(tqdm, "monitor", None)
    if monitor is not None and not getattr(tqdm, "_instances", None):
        monitor.exit()
        tqdm.monitor = None


def _child(job: Callable[[], Any], send: Any) -> None:
    try:
        value = job()
    except BaseException:  # the parent runs it again and reports the error
        send.send((False, None))
    else:
        send.send((True, value))
    finally:
        send.close()
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffers
