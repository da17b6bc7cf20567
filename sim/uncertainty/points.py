"""Evaluate a model at given points of the unit hypercube, in chunks, on any executor.

Sensitivity designs (Sobol' A/B/AB matrices, Morris trajectories, one-at-a-time sweeps) are
explicit point sets rather than a random stream, so their chunks carry the points themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UserInputError
from .executors import Executor, LocalExecutor

__all__ = ["PointEvaluator", "evaluate_points", "split_rows"]


@dataclass(frozen=True)
class PointEvaluator:
    """``u (m, d) -> outputs (s, m)``: maps unit points through each distribution's ppf, runs
    the vectorized model and stacks the requested outputs (met flags become 0/1)."""

    evaluate: Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]]
    dists: Mapping[str, Any]
    outputs: Sequence[str]

    def __call__(self, u: np.ndarray) -> np.ndarray:
        params = {name: dist.ppf(u[:, j]) for j, (name, dist) in enumerate(self.dists.items())}
        values = self.evaluate(params)
        missing = [k for k in self.outputs if k not in values]
        if missing:
            known = ", ".join(values)
            raise UserInputError(f"the model gives no output {missing[0]!r} (it gives {known})")
        return np.stack([np.asarray(values[k], dtype=float).reshape(len(u)) for k in self.outputs])


def evaluate_points(
    fn: PointEvaluator,
    chunks: Iterable[np.ndarray],
    executor: Executor | None = None,
) -> np.ndarray:
    """Outputs ``(s, total rows)`` of ``fn`` over point chunks, concatenated in order."""
    with executor or LocalExecutor() as ex:
        parts = list(ex.map_chunks(fn, chunks))
    if not parts:
        return np.empty((len(fn.outputs), 0))
    return np.concatenate(parts, axis=1)


def split_rows(u: np.ndarray, chunk_size: int) -> Iterator[np.ndarray]:
    """``u`` in consecutive slices of at most ``chunk_size`` rows."""
    for start in range(0, len(u), chunk_size):
        yield u[start : start + chunk_size]
