"""Small timing and memory helpers shared by the benchmark sections."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable

from sim.expr.parser import forget

__all__ = ["best_time", "first_compile", "peak_memory"]


def first_compile() -> None:
    """Before timing a compile: the parser's memos of texts and shapes emptied and the
    collector's pending work done, as in a fresh process (what an earlier section left is not
    charged to the compile)."""
    forget()
    gc.collect()


def best_time(fn: Callable[[], object], repeat: int = 5, min_time: float = 0.2) -> float:
    """The best of ``repeat`` timings of ``fn``, each looped until it lasts ``min_time``."""
    best = float("inf")
    for _ in range(repeat):
        loops, start = 0, time.perf_counter()
        while True:
            fn()
            loops += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / loops)
    return best


def peak_memory(fn: Callable[[], object]) -> int:
    """Peak bytes allocated while ``fn`` runs (numpy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
