"""Feasibility maps: the probability of meeting a target over a grid of two levers.

Every cell of the grid is evaluated with the *same* samples of the remaining uncertain inputs
(common random numbers), so differences between cells come from the levers alone and the map
is smooth. Without uncertain inputs each cell is one run and the map shows met (1) or not (0).
Alongside the probability, the map keeps the median of the target's metric per cell. Runs with
a NaN or infinity are counted per cell and left out of its probability and median.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UserInputError
from .batch import Target, nonfinite_runs
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
    nonfinite: np.ndarray | None = None  # runs per cell with a NaN or infinity, left out

    @property
    def nonfinite_runs(self) -> int:
        return 0 if self.nonfinite is None else int(self.nonfinite.sum())

    @property
    def runs(self) -> int:
        return self.samples * self.probability.size

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
            "nonfinite_runs": self.nonfinite_runs,
            "nonfinite": None if self.nonfinite is None else self.nonfinite.tolist(),
            "note": "runs with a NaN or infinity are left out of each cell's probability and "
            "median (null where no run of a cell is finite)",
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

    def __call__(self, cells: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        start, stop = cells
        k, m = stop - start, self.samples
        params: dict[str, np.ndarray] = {}
        if self.design is not None:
            params = {name: np.tile(v, k) for name, v in self.design.sample().items()}
        for j, name in enumerate(self.levers):
            params[name] = np.repeat(self.grid[start:stop, j], m)
        outputs = self.evaluate(params)
        bad = nonfinite_runs(outputs, k * m).reshape(k, m)
        met = np.asarray(self.target.met(outputs)).reshape(k, m) & ~bad
        metric = np.asarray(outputs[self.target.metric], dtype=float).reshape(k, m)
        if not bad.any():
            return met.mean(axis=1), np.median(metric, axis=1), np.zeros(k, dtype=np.int64)
        finite = (~bad).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            probability = np.where(finite > 0, met.sum(axis=1) / finite, np.nan)
        median = np.array([np.median(row[~b]) if (~b).any() else np.nan
                           for row, b in zip(metric, bad, strict=True)])  # fmt: skip
        return probability, median, bad.sum(axis=1)


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
    probability, median, nonfinite = (
        np.concatenate([part[i] for part in parts]).reshape(len(ys), len(xs)) for i in range(3)
    )
    return FeasibilityMap(
        target.name, target.metric, x_name, xs, y_name, ys, probability, median, m, seed,
        nonfinite,
    )  # fmt: skip


def _ranges(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(start + size, n)
