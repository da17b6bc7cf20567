"""Graphical functions (lookup tables) evaluated over arrays."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .errors import ModelError
from .model import GraphicalFunction

__all__ = ["tabulate", "validate_graphical"]


def validate_graphical(gf: GraphicalFunction, owner: str) -> None:
    if len(gf.x) != len(gf.y):
        raise ModelError(
            f"graphical function has {len(gf.x)} x values but {len(gf.y)} y values", field=owner
        )
    if not gf.x:
        raise ModelError("graphical function has no points", field=owner)
    if not all(math.isfinite(v) for v in (*gf.x, *gf.y)):
        raise ModelError("graphical function has a value that is not a finite number", field=owner)
    if any(b < a for a, b in zip(gf.x, gf.x[1:], strict=False)):
        raise ModelError("graphical function x values must be increasing", field=owner)
    if gf.kind not in ("continuous", "extrapolate", "discrete"):
        raise ModelError(f"unknown graphical function type {gf.kind!r}", field=owner)


def tabulate(gf: GraphicalFunction) -> Callable[[np.ndarray], np.ndarray]:
    """``gf`` as a function of x, with its points converted to arrays once."""
    xs = np.asarray(gf.x, dtype=float)
    ys = np.asarray(gf.y, dtype=float)
    last = len(xs) - 1
    if gf.kind == "discrete":
        return lambda x: ys[np.clip(np.searchsorted(xs, x, side="right") - 1, 0, last)]
    if gf.kind == "extrapolate" and last > 0:
        lo = (ys[1] - ys[0]) / (xs[1] - xs[0]) if xs[1] > xs[0] else 0.0
        hi = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2]) if xs[-1] > xs[-2] else 0.0

        def extrapolated(x):
            y = np.interp(x, xs, ys)
            y = np.where(x < xs[0], ys[0] + (x - xs[0]) * lo, y)
            return np.where(x > xs[-1], ys[-1] + (x - xs[-1]) * hi, y)

        return extrapolated
    return lambda x: np.interp(x, xs, ys)
