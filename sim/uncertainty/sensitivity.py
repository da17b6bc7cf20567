"""Sobol' first- and total-order indices with bootstrap confidence intervals.

The estimator is scipy's (`scipy.stats.sobol_indices`, Saltelli 2010); what this module adds is
the execution: the A, B and AB matrices are built chunk by chunk from a scrambled Sobol' design
of ``2d`` columns (rows from (seed, offset), see `sampling`), evaluated on any executor, and the
bootstrap draws from an explicit seed (scipy's own `.bootstrap()` would use numpy's global
state, and its BCa intervals need one evaluation of the estimator per sample); all resamples
are evaluated at once, as weighted means (`resampled_indices`).

Indices are fractions of the output's variance: ``S1`` what an input explains alone, ``ST``
alone and through its interactions. For a met/missed outcome (0/1) they say which inputs
decide whether a target is met.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from .executors import Executor
from .points import PointEvaluator, evaluate_points
from .sampling import Design

__all__ = ["SobolResult", "resampled_indices", "sobol"]

_BOOTSTRAP_STREAM = 7


@dataclass(frozen=True)
class SobolResult:
    """Indices per output (rows) and input (columns), with their 95 % intervals."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    first: np.ndarray
    total: np.ndarray
    first_ci: np.ndarray
    total_ci: np.ndarray
    n: int
    seed: int
    confidence: float
    nonfinite: int = 0  # runs with a NaN or infinity; their rows of A, B and AB are left out

    @property
    def runs(self) -> int:
        return self.n * (len(self.inputs) + 2)

    def to_dict(self) -> dict[str, Any]:
        def per_output(i: int) -> dict[str, Any]:
            return {
                name: {
                    "S1": float(self.first[i, j]),
                    "S1_low": float(self.first_ci[0, i, j]),
                    "S1_high": float(self.first_ci[1, i, j]),
                    "ST": float(self.total[i, j]),
                    "ST_low": float(self.total_ci[0, i, j]),
                    "ST_high": float(self.total_ci[1, i, j]),
                }
                for j, name in enumerate(self.inputs)
            }

        return {
            "method": "sobol (Saltelli 2010, scipy.stats.sobol_indices)",
            "n": self.n,
            "runs": self.runs,
            "nonfinite_runs": self.nonfinite,
            "seed": self.seed,
            "confidence": self.confidence,
            "indices": {out: per_output(i) for i, out in enumerate(self.outputs)},
        }


def sobol(
    evaluate: Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]],
    dists: Mapping[str, Any],
    outputs: Sequence[str],
    *,
    n: int,
    seed: int,
    executor: Executor | None = None,
    chunk_size: int = 4096,
    confidence: float = 0.95,
    n_resamples: int = 999,
) -> SobolResult:
    """Sobol' indices of ``outputs`` of ``evaluate`` over independent inputs ``dists``.

    ``n`` (a power of 2) rows of A and of B cost ``n (d + 2)`` model runs. Identical results
    for any ``chunk_size`` and executor.
    """
    names = tuple(dists)
    d = len(names)
    doubled = {f"{k}#{half}": dists[k] for half in "AB" for k in names}
    design = Design(doubled, n=n, seed=seed, method="sobol")
    fn = PointEvaluator(evaluate, dists, tuple(outputs))
    values = evaluate_points(fn, _abab(design, d, chunk_size), executor)
    nonfinite = int(np.count_nonzero(~np.isfinite(values).all(axis=0)))
    f_a, f_b, f_ab = _unstack(values, d, n, chunk_size)
    keep = np.isfinite(f_a).all(0) & np.isfinite(f_b).all(0) & np.isfinite(f_ab).all(axis=(0, 1))
    if keep.all():
        first, total = _indices(f_a, f_b, f_ab)
    else:  # the estimator is a mean over rows: leave out every row that touches a bad run
        f_a, f_b, f_ab = (np.where(keep, f, 0.0) for f in (f_a, f_b, f_ab))
        first, total = (x[0] for x in resampled_indices(f_a, f_b, f_ab, keep[None] * 1.0))
    ci = _bootstrap(f_a, f_b, f_ab, seed, confidence, n_resamples, keep)
    return SobolResult(
        names, tuple(outputs), first, total, ci[:, 0], ci[:, 1], n, seed, confidence, nonfinite
    )


def _abab(design: Design, d: int, chunk_size: int) -> Iterator[np.ndarray]:
    """For each chunk of rows: the rows of A, of B, then of each AB page, stacked."""
    for start in range(0, design.n, chunk_size):
        u = design.unit(start, min(start + chunk_size, design.n))
        a, b = u[:, :d], u[:, d:]
        pages = [a, b]
        for i in range(d):
            page = a.copy()
            page[:, i] = b[:, i]
            pages.append(page)
        yield np.concatenate(pages)


def _unstack(values: np.ndarray, d: int, n: int, chunk_size: int) -> tuple[np.ndarray, ...]:
    """Back from chunk-stacked outputs ``(s, n (d + 2))`` to ``f_A, f_B (s, n)`` and
    ``f_AB (d, s, n)``, scipy's layout."""
    s = len(values)
    f = np.empty((d + 2, s, n))
    offset = 0
    for start in range(0, n, chunk_size):
        m = min(chunk_size, n - start)
        block = values[:, offset : offset + m * (d + 2)].reshape(s, d + 2, m)
        f[:, :, start : start + m] = block.transpose(1, 0, 2)
        offset += m * (d + 2)
    return f[0], f[1], f[2:]


def _indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s, n = f_a.shape
    d = len(f_ab)
    res = stats.sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=n)
    return (
        np.asarray(res.first_order).reshape(s, d),
        np.asarray(res.total_order).reshape(s, d),
    )


def _bootstrap(
    f_a: np.ndarray,
    f_b: np.ndarray,
    f_ab: np.ndarray,
    seed: int,
    confidence: float,
    n_resamples: int,
    keep: np.ndarray,
) -> np.ndarray:
    """Percentile intervals ``(2, 2, s, d)``: (low, high) × (first, total) × outputs × inputs,
    from resampling the rows of A, B and AB together (rows not in ``keep`` weigh nothing)."""
    n = f_a.shape[1]
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_BOOTSTRAP_STREAM,)))
    )
    rows = rng.integers(0, n, size=(n_resamples, n))
    offsets = n * np.arange(n_resamples)[:, None]
    weights = np.bincount((rows + offsets).ravel(), minlength=n_resamples * n)
    weights = weights.reshape(n_resamples, n) * keep
    first, total = resampled_indices(f_a, f_b, f_ab, weights)
    tail = (1 - confidence) / 2
    return np.quantile(np.stack([first, total], axis=1), [tail, 1 - tail], axis=0)


def resampled_indices(
    f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Saltelli 2010 indices (as `scipy.stats.sobol_indices` computes them, outputs centred
    on the mean of A and B) of many resamples at once, shape ``(R, s, d)`` each.

    ``weights`` ``(R, n)`` counts how often each row is drawn in each resample. Every term of
    the estimator is a mean over rows, hence linear in the weights: one matrix product per
    term replaces ``R`` passes over the ``(d, s, n)`` array of AB outputs.
    """
    w = weights.T / np.maximum(weights.sum(axis=1), 1)  # (n, R): the mean of each resample
    diff = f_ab - f_a  # (d, s, n); centring cancels in differences
    mean_ab = ((f_a + f_b) / 2) @ w  # (s, R)
    var = ((f_a**2 + f_b**2) / 2) @ w - mean_ab**2
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant output: indices 0
        first = ((f_b * diff) @ w - mean_ab * (diff @ w)) / var
        total = 0.5 * ((diff**2) @ w) / var
    first, total = (np.where(np.isfinite(x), x, 0.0) for x in (first, total))
    return first.transpose(2, 1, 0), total.transpose(2, 1, 0)
