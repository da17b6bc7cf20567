"""``sim serve``: a local what-if page and a JSON API over one scenario (see README).

`Workbench` computes (verdicts, sweeps, batches, saved files); `make_server` serves it."""

from __future__ import annotations

from .server import make_server
from .workbench import Workbench

__all__ = ["Workbench", "make_server"]
