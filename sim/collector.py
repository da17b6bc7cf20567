"""Pausing Python's cyclic garbage collector around work that makes many objects and frees
none (compiling a large model, drawing a batch's figures): each full collection would walk
every live object again, so the work would grow faster than its size. Reference counting
still frees what it can."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside the block, and back as it was after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
