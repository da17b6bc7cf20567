"""Drawing jobs in forked children: results in order, errors raised here, nothing lost."""

from __future__ import annotations

import os
import threading

import pytest

from sim.drawing import draw_parallel


def _pid_and(value: int):
    return lambda: (os.getpid(), value)


def test_results_come_back_in_order_from_other_processes() -> None:
    results = draw_parallel([_pid_and(i) for i in range(5)], workers=2)
    assert [v for _, v in results] == list(range(5))
    assert results[0][0] == os.getpid()  # the first job runs here
    assert any(pid != os.getpid() for pid, _ in results[1:])


def test_a_failing_job_raises_its_own_error_here() -> None:
    def bad():
        raise ValueError("no such column")

    with pytest.raises(ValueError, match="no such column"):
        draw_parallel([_pid_and(0), bad], workers=2)


def test_with_other_threads_alive_jobs_run_here() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        results = draw_parallel([_pid_and(0), _pid_and(1)], workers=2)
    finally:
        stop.set()
        thread.join()
    assert {pid for pid, _ in results} == {os.getpid()}
