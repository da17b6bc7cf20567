"""Reference models with known answers, vectorized over samples, for tests and docs.

Each is a module-level function ``evaluate(params) -> {output: array}`` (picklable, so it runs
on every executor) with the distributions of its inputs and, where known, its exact Sobol
indices.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .distributions import Uniform

__all__ = [
    "GROWTH_DISTS",
    "ISHIGAMI_DISTS",
    "ISHIGAMI_S1",
    "ISHIGAMI_ST",
    "LINEAR_COEFFICIENTS",
    "LINEAR_DISTS",
    "growth",
    "ishigami",
    "linear",
    "linear_indices",
]

_PI = float(np.pi)
ISHIGAMI_DISTS = {f"x{i}": Uniform(dist="uniform", low=-_PI, high=_PI) for i in (1, 2, 3)}
# a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008, Global Sensitivity Analysis)
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def ishigami(params: Mapping[str, np.ndarray], a: float = 7.0, b: float = 0.1) -> dict:
    """``y = sin x1 + a sin² x2 + b x3⁴ sin x1``: non-linear, non-monotonic, with an interaction
    (x1 with x3) and an input (x3) whose first-order index is zero."""
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)}


LINEAR_COEFFICIENTS = {"a": 1.0, "b": 2.0, "c": -3.0, "d": 0.0}
LINEAR_DISTS = {k: Uniform(dist="uniform", low=0.0, high=1.0) for k in LINEAR_COEFFICIENTS}


def linear(params: Mapping[str, np.ndarray]) -> dict:
    """``y = sum c_i x_i`` over independent inputs: every index is ``c_i² var_i / var y`` and
    first and total order agree (no interactions)."""
    return {"y": sum(c * params[k] for k, c in LINEAR_COEFFICIENTS.items())}


def linear_indices() -> tuple[float, ...]:
    """Exact Sobol indices of `linear` with `LINEAR_DISTS` (all of variance 1/12)."""
    weights = np.array([c * c for c in LINEAR_COEFFICIENTS.values()])
    return tuple(float(w) for w in weights / weights.sum())


GROWTH_DISTS = {
    "base": Uniform(dist="uniform", low=90.0, high=110.0),
    "growth": Uniform(dist="uniform", low=0.0, high=0.2),
    "shock": Uniform(dist="uniform", low=0.0, high=0.3),
}


def growth(params: Mapping[str, np.ndarray]) -> dict:
    """A level growing at ``growth`` a year from ``base`` over five years, cut by ``shock`` in
    the last: its path (6 times), final level and cumulative sum, like a plan indicator."""
    base, g, shock = params["base"], params["growth"], params["shock"]
    years = np.arange(6.0)[:, None]
    path = base * (1.0 + g) ** years
    path[-1] *= 1.0 - shock
    return {"level": path, "final": path[-1], "cumulative": path[1:].sum(axis=0)}
