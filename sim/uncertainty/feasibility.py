"""Feasibility maps: the probability of meeting a target over a grid of two levers.

Every cell of the grid is evaluated with the *same* samples of the remaining uncertain inputs
(common random numbers), so differences between cells come from the levers alone and the map
is smooth. Without uncertain inputs each cell is one run and the map shows met (1) or not (0).
Alongside the probability, the map keeps the median of the target's metric per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UserInputError
from .batch import Target
from .executors import Executor, LocalExecutor
from .sampling import Design, Method

__all__ = ["LIKELY", "UNLIKELY", "FeasibilityMap", "feasibility_map", "likelihood_label"]

LIKELY = 0.9
UNLIKELY = 0.1


def likelihood_label(p: float, low: float, high: float) -> str:
    """``likely`` when the whole 95 % interval of P(met) is at or above 90 %, ``unlikely``
    when it is at or below 10 %, else ``uncertain``: a point estimate of 92 % from a few runs
    is not yet "likely". ``p`` must lie within the interval; NaN (no runs) is uncertain."""
    if not low <= p <= high:
        return "uncertain"
    if low >= LIKELY:
        return "likely"
    if high <= UNLIKELY:
        return "unlikely"
    return "uncertain"


@dataclass(frozen=True)
class FeasibilityMap:
    """``probability`` and ``median`` (metric) per cell, shape ``(len(y), len(x))``."""

    target: str
    metric: str
    x_name: str
    x: np.ndarray
    y_name: str
    y: np.ndarray
    probability: np.ndarray
    median: np.ndarray
    samples: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "metric": self.metric,
            "x": {"name": self.x_name, "values": self.x.tolist()},
            "y": {"name": self.y_name, "values": self.y.tolist()},
            "probability": self.probability.tolist(),
            "median": self.median.tolist(),
            "samples_per_cell": self.samples,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class _Cells:
    """Work unit: evaluates a range of grid cells, each with the same uncertain samples."""

    evaluate: Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]]
    target: Target
    levers: tuple[str, str]
    grid: np.ndarray  # (cells, 2)
    design: Design | None
    samples: int

    def __call__(self, cells: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        start, stop = cells
        k, m = stop - start, self.samples
        params: dict[str, np.ndarray] = {}
        if self.design is not None:
            params = {name: np.tile(v, k) for name, v in self.design.sample().items()}
        for j, name in enumerate(self.levers):
            params[name] = np.repeat(self.grid[start:stop, j], m)
        outputs = self.evaluate(params)
        met = np.asarray(self.target.met(outputs)).reshape(k, m)
        metric = np.asarray(outputs[self.target.metric], dtype=float).reshape(k, m)
        return met.mean(axis=1), np.median(metric, axis=1)


def feasibility_map(
    evaluate: Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]],
    target: Target,
    x: tuple[str, np.ndarray],
    y: tuple[str, np.ndarray],
    dists: Mapping[str, Any],
    *,
    samples: int,
    seed: int,
    method: Method | str = Method.MC,
    executor: Executor | None = None,
    cells_per_chunk: int | None = None,
) -> FeasibilityMap:
    """P(``target`` met) on the grid ``x × y`` of two levers, over ``samples`` draws of the
    other uncertain inputs ``dists`` (the levers are left out of them)."""
    (x_name, xs), (y_name, ys) = x, y
    if x_name == y_name:
        raise UserInputError("the two levers must differ", field="levers")
    rest = {k: v for k, v in dists.items() if k not in (x_name, y_name)}
    design = Design(rest, n=samples, seed=seed, method=method) if rest else None
    m = samples if rest else 1
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)  # y-major: rows of the map
    work = _Cells(evaluate, target, (x_name, y_name), grid, design, m)
    per_chunk = cells_per_chunk or max(1, 50_000 // m)
    with executor or LocalExecutor() as ex:
        parts = list(ex.map_chunks(work, _ranges(len(grid), per_chunk)))
    probability = np.concatenate([p for p, _ in parts]).reshape(len(ys), len(xs))
    median = np.concatenate([q for _, q in parts]).reshape(len(ys), len(xs))
    return FeasibilityMap(
        target.name, target.metric, x_name, xs, y_name, ys, probability, median, m, seed
    )


def _ranges(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(start + size, n)
