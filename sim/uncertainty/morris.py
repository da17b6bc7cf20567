"""Morris elementary effects: cheap screening of many inputs (``r (d + 1)`` runs).

Each of ``r`` trajectories starts at a random point of a ``levels``-level grid and moves one
input at a time by ``Δ = levels / (2 (levels - 1))`` of the grid, in random order and direction
(Morris 1991, with the ±Δ steps of Campolongo et al. 2007). The grid spans each input's
`EDGE` to ``1 - EDGE`` quantiles (so unbounded distributions work), and an elementary effect is
the change of the output divided by the step in probability, i.e. the output's change per full
range of the input. ``mu*`` (mean absolute effect) ranks importance;
``sigma`` (spread of the effects) flags non-linearity or interactions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import NonFiniteError, UserInputError
from .executors import Executor
from .points import PointEvaluator, evaluate_points, split_rows

__all__ = ["EDGE", "MorrisResult", "morris", "morris_design"]

EDGE = 0.01
_STREAM = 11


@dataclass(frozen=True)
class MorrisResult:
    """``mu``, ``mu_star``, ``sigma`` and a bootstrap 95 % interval of ``mu_star``, each of
    shape (outputs, inputs)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    mu: np.ndarray
    mu_star: np.ndarray
    sigma: np.ndarray
    mu_star_ci: np.ndarray
    trajectories: int
    levels: int
    seed: int
    nonfinite: int = 0  # runs with a NaN or infinity; their trajectories are left out

    @property
    def runs(self) -> int:
        return self.trajectories * (len(self.inputs) + 1)

    def to_dict(self) -> dict[str, Any]:
        def row(i: int, j: int) -> dict[str, float]:
            return {
                "mu": float(self.mu[i, j]),
                "mu_star": float(self.mu_star[i, j]),
                "mu_star_low": float(self.mu_star_ci[0, i, j]),
                "mu_star_high": float(self.mu_star_ci[1, i, j]),
                "sigma": float(self.sigma[i, j]),
            }

        return {
            "method": "morris",
            "trajectories": self.trajectories,
            "levels": self.levels,
            "runs": self.runs,
            "nonfinite_runs": self.nonfinite,
            "seed": self.seed,
            "effects": {
                out: {name: row(i, j) for j, name in enumerate(self.inputs)}
                for i, out in enumerate(self.outputs)
            },
        }


def morris_design(
    d: int, trajectories: int, levels: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points ``(r (d + 1), d)`` in probability space, and per trajectory the input moved at
    each step ``(r, d)`` and the signed step in probability ``(r, d)``."""
    if levels < 2 or levels % 2:
        raise UserInputError(f"must be an even number of at least 2, got {levels}", field="levels")
    if trajectories < 2:
        raise UserInputError(f"need at least 2 trajectories, got {trajectories}", field="samples")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_STREAM,))))
    delta = levels // 2  # in grid steps: levels / (2 (levels - 1)) of the range
    base = rng.integers(0, levels - delta, size=(trajectories, d))
    sign = rng.choice(np.array([-1, 1]), size=(trajectories, d))
    order = np.argsort(rng.random((trajectories, d)), axis=1)
    grid = np.empty((trajectories, d + 1, d), dtype=np.int64)
    grid[:, 0] = base + np.where(sign < 0, delta, 0)
    rows = np.arange(trajectories)
    for k in range(d):
        grid[:, k + 1] = grid[:, k]
        moved = order[:, k]
        grid[rows, k + 1, moved] += sign[rows, moved] * delta
    scale = (1.0 - 2 * EDGE) / (levels - 1)
    u = EDGE + grid * scale
    step = sign[rows[:, None], order] * delta * scale
    return u.reshape(-1, d), order, step


def morris(
    evaluate: Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]],
    dists: Mapping[str, Any],
    outputs: Sequence[str],
    *,
    trajectories: int,
    seed: int,
    levels: int = 4,
    executor: Executor | None = None,
    chunk_size: int = 50_000,
    n_resamples: int = 1000,
) -> MorrisResult:
    """Elementary effects of every input of ``dists`` on each of ``outputs``."""
    names = tuple(dists)
    d = len(names)
    u, order, step = morris_design(d, trajectories, levels, seed)
    fn = PointEvaluator(evaluate, dists, tuple(outputs))
    y = evaluate_points(fn, split_rows(u, chunk_size), executor)
    y = y.reshape(len(outputs), trajectories, d + 1)
    finite = np.isfinite(y).all(axis=0)  # (trajectories, d + 1)
    nonfinite = int(np.count_nonzero(~finite))
    effects = np.empty((len(outputs), trajectories, d))
    rows = np.arange(trajectories)[:, None]
    with np.errstate(all="ignore"):
        effects[:, rows, order] = np.diff(y, axis=2) / step
    kept = finite.all(axis=1)  # a trajectory with a bad run is left out whole
    if kept.sum() < 2:
        raise NonFiniteError(
            f"{nonfinite:,} of {trajectories * (d + 1):,} runs reached NaN or infinity, "
            "leaving fewer than 2 whole Morris trajectories"
        )
    effects = effects[:, kept]
    mu_star = np.abs(effects).mean(axis=1)
    return MorrisResult(
        names,
        tuple(outputs),
        effects.mean(axis=1),
        mu_star,
        effects.std(axis=1, ddof=1),
        _bootstrap_mu_star(effects, seed, n_resamples),
        trajectories,
        levels,
        seed,
        nonfinite,
    )


def _bootstrap_mu_star(effects: np.ndarray, seed: int, n_resamples: int) -> np.ndarray:
    """Percentile interval ``(2, s, d)`` of ``mu*`` from resampling whole trajectories."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_STREAM, 1))))
    r = effects.shape[1]
    absolute = np.abs(effects)
    draws = np.stack([absolute[:, rng.integers(0, r, r)].mean(axis=1) for _ in range(n_resamples)])
    return np.quantile(draws, [0.025, 0.975], axis=0)
