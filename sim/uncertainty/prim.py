"""PRIM scenario discovery: which ranges of the inputs make an outcome (a missed target) likely.

The Patient Rule Induction Method (Friedman & Fisher 1999), as used for scenario discovery
(Bryant & Lempert 2010): starting from the box holding every sample, repeatedly *peel* off the
``alpha`` fraction of the remaining samples at one end of one input, choosing the peel that
most raises the share of cases of interest in the box; record the peeling trajectory; take the
box with the most coverage whose density reaches ``threshold``; then *paste* back slices while
that raises the density; finally *prune* restrictions that hardly raise the density.

* **coverage**: the share of all cases of interest that fall in the box (how much it explains);
* **density**: the share of the box's samples that are cases of interest (how sure it is);
* **mass**: the share of all samples in the box.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UserInputError

__all__ = ["PRUNE_TOLERANCE", "PrimBox", "PrimResult", "prim"]

PRUNE_TOLERANCE = 0.01
"""A restriction is lifted when the box's density falls by less than this without it."""


@dataclass(frozen=True)
class PrimBox:
    """Inclusive limits ``lo <= x <= hi`` per input, and the box's statistics."""

    lo: np.ndarray
    hi: np.ndarray
    coverage: float
    density: float
    mass: float

    def contains(self, x: np.ndarray) -> np.ndarray:
        return np.all((x >= self.lo) & (x <= self.hi), axis=1)


@dataclass(frozen=True)
class PrimResult:
    """The chosen box, the peeling trajectory, and the input ranges of the data."""

    inputs: tuple[str, ...]
    box: PrimBox
    trajectory: tuple[PrimBox, ...]
    data_lo: np.ndarray
    data_hi: np.ndarray
    base_density: float
    threshold: float

    def restricted(self) -> dict[str, tuple[float, float]]:
        """Limits of the inputs the box actually restricts (the others span their data)."""
        out = {}
        for j, name in enumerate(self.inputs):
            if self.box.lo[j] > self.data_lo[j] or self.box.hi[j] < self.data_hi[j]:
                out[name] = (float(self.box.lo[j]), float(self.box.hi[j]))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "prim",
            "threshold": self.threshold,
            "base_density": self.base_density,
            "coverage": self.box.coverage,
            "density": self.box.density,
            "mass": self.box.mass,
            "box": {k: {"low": lo, "high": hi} for k, (lo, hi) in self.restricted().items()},
            "data_ranges": {
                k: {"low": float(self.data_lo[j]), "high": float(self.data_hi[j])}
                for j, k in enumerate(self.inputs)
            },
            "trajectory": [
                {"coverage": b.coverage, "density": b.density, "mass": b.mass}
                for b in self.trajectory
            ],
        }


def prim(
    x: np.ndarray,
    y: np.ndarray,
    inputs: tuple[str, ...],
    *,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    threshold: float = 0.8,
) -> PrimResult:
    """Find a box of ``x`` (n, d) where the boolean outcome ``y`` (n,) concentrates."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    if not 0 < alpha < 0.5:
        raise UserInputError(f"must lie in (0, 0.5), got {alpha}", field="alpha")
    if not y.any():
        raise UserInputError("no sample has the outcome of interest; nothing to explain")
    lo, hi = x.min(axis=0), x.max(axis=0)
    stats = _Stats(y)
    inside = np.ones(len(y), dtype=bool)
    trajectory = [stats.box(lo, hi, inside)]
    while inside.mean() > min_mass:
        step = _best_peel(x, y, inside, lo, hi, alpha)
        if step is None:
            break
        lo, hi, inside = step
        trajectory.append(stats.box(lo, hi, inside))
    chosen = _choose(trajectory, threshold)
    pasted = _paste(x, y, stats, chosen, alpha)
    pruned = _prune(x, stats, pasted, x.min(axis=0), x.max(axis=0))
    return PrimResult(
        inputs, pruned, tuple(trajectory), x.min(axis=0), x.max(axis=0), float(y.mean()), threshold
    )


@dataclass(frozen=True)
class _Stats:
    y: np.ndarray

    def box(self, lo: np.ndarray, hi: np.ndarray, inside: np.ndarray) -> PrimBox:
        hits = int(self.y[inside].sum())
        count = int(inside.sum())
        return PrimBox(
            lo.copy(),
            hi.copy(),
            hits / int(self.y.sum()),
            hits / count if count else 0.0,
            count / len(self.y),
        )


def _best_peel(
    x: np.ndarray, y: np.ndarray, inside: np.ndarray, lo: np.ndarray, hi: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The peel of one end of one input that leaves the densest box, or None."""
    xs, ys = x[inside], y[inside]
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    cuts = np.quantile(xs, [alpha, 1 - alpha], axis=0)
    for j in range(x.shape[1]):
        column = xs[:, j]
        low_cut, high_cut = cuts[:, j]
        # With ties (a discrete input) the quantile may peel nothing: peel the end value instead.
        if low_cut <= column.min():
            low_cut = np.min(column, initial=np.inf, where=column > column.min())
        if high_cut >= column.max():
            high_cut = np.max(column, initial=-np.inf, where=column < column.max())
        for keep, new_lo, new_hi in (
            (column >= low_cut, low_cut, hi[j]),
            (column <= high_cut, lo[j], high_cut),
        ):
            kept = int(keep.sum())
            if kept == len(ys) or kept == 0:
                continue  # ties: this peel removes nothing, or everything
            density = ys[keep].mean()
            if best is None or (density, kept) > best[:2]:
                new = (lo.copy(), hi.copy())
                new[0][j], new[1][j] = new_lo, new_hi
                best = (float(density), kept, *new)
    if best is None:
        return None
    _, _, new_lo, new_hi = best
    return new_lo, new_hi, np.all((x >= new_lo) & (x <= new_hi), axis=1)


def _choose(trajectory: list[PrimBox], threshold: float) -> PrimBox:
    """The box of greatest coverage whose density reaches ``threshold``, else the densest."""
    good = [b for b in trajectory if b.density >= threshold]
    if good:
        return max(good, key=lambda b: (b.coverage, b.density))
    return max(trajectory, key=lambda b: (b.density, b.coverage))


def _prune(
    x: np.ndarray, stats: _Stats, box: PrimBox, data_lo: np.ndarray, data_hi: np.ndarray
) -> PrimBox:
    """Lift the restrictions that hardly matter: repeatedly free the input whose release
    costs the least density, while that costs less than `PRUNE_TOLERANCE` (the box gets
    simpler and covers more)."""
    current = box
    while True:
        best = None
        for j in np.flatnonzero((current.lo > data_lo) | (current.hi < data_hi)):
            lo, hi = current.lo.copy(), current.hi.copy()
            lo[j], hi[j] = data_lo[j], data_hi[j]
            candidate = stats.box(lo, hi, np.all((x >= lo) & (x <= hi), axis=1))
            if candidate.density > current.density - PRUNE_TOLERANCE and (
                best is None or candidate.density > best.density
            ):
                best = candidate
        if best is None:
            return current
        current = best


def _paste(x: np.ndarray, y: np.ndarray, stats: _Stats, box: PrimBox, alpha: float) -> PrimBox:
    """Widen one limit at a time by about ``alpha`` of the box's samples while that raises the
    density."""
    lo, hi = box.lo.copy(), box.hi.copy()
    current = box
    while True:
        within = (x >= lo) & (x <= hi)
        violated = (~within).sum(axis=1)
        want = max(1, int(np.ceil(alpha * (violated == 0).sum())))
        best = None
        for j in range(x.shape[1]):
            # inside the box in every other input: no violation, or the only one is input j
            others = (violated == 0) | ((violated == 1) & ~within[:, j])
            for side in (0, 1):
                outside = others & ((x[:, j] < lo[j]) if side == 0 else (x[:, j] > hi[j]))
                values = np.sort(x[outside, j])
                if not len(values):
                    continue
                k = min(want, len(values))
                new_lo, new_hi = lo.copy(), hi.copy()
                if side == 0:
                    new_lo[j] = values[-k]
                else:
                    new_hi[j] = values[k - 1]
                candidate = stats.box(new_lo, new_hi, np.all((x >= new_lo) & (x <= new_hi), 1))
                if candidate.density > current.density and (
                    best is None or candidate.density > best.density
                ):
                    best = candidate
        if best is None:
            return current
        current, lo, hi = best, best.lo.copy(), best.hi.copy()
