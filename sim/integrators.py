"""Explicit Runge-Kutta integrators as Butcher tables, chosen by name through one registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import UserInputError

__all__ = ["EULER", "INTEGRATORS", "RK2", "RK4", "ButcherTableau", "get_integrator"]

Rates = Callable[[float, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ButcherTableau:
    """An explicit Runge-Kutta method: ``a`` (strictly lower-triangular rows), ``b``, ``c``."""

    name: str
    order: int
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]

    @property
    def stages(self) -> int:
        return len(self.b)

    def step(
        self,
        f: Rates,
        t: float,
        y: np.ndarray,
        dt: float,
        k1: np.ndarray | None = None,
        work: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """``y`` advanced by ``dt``; ``k1`` is ``f(t, y)`` when the caller has it already.

        ``work``, two arrays shaped like ``y`` (neither ``y`` itself), lets a caller that steps
        many times reuse memory: the stages are formed in them and the result is the second.
        Without them every stage allocates afresh; the numbers are the same bit for bit.
        """
        ks = [f(t, y) if k1 is None else k1]
        if work is None:
            for i in range(1, self.stages):
                yi = y
                for aij, kj in zip(self.a[i], ks, strict=False):
                    if aij:
                        yi = yi + (dt * aij) * kj
                ks.append(f(t + self.c[i] * dt, yi))
            out = y
            for bi, ki in zip(self.b, ks, strict=True):
                if bi:
                    out = out + (dt * bi) * ki
            return out
        stage, result = work  # the result is formed last: until then it is scratch
        for i in range(1, self.stages):
            ks.append(f(t + self.c[i] * dt, _weighted_sum(y, self.a[i], ks, dt, stage, result)))
        return _weighted_sum(y, self.b, ks, dt, result, stage)


def _weighted_sum(y, weights, ks, dt, out, term):
    """``y + (dt*w0)*k0 + (dt*w1)*k1 + …`` (zero weights skipped), added left to right in
    ``out`` with ``term`` as scratch: the sums of the allocating form, without allocating."""
    first = True
    for w, k in zip(weights, ks, strict=False):
        if w:
            np.multiply(dt * w, k, out=term)
            np.add(y if first else out, term, out=out)
            first = False
    if first:
        out[...] = y
    return out


EULER = ButcherTableau("euler", 1, ((),), (1.0,), (0.0,))
RK2 = ButcherTableau("rk2", 2, ((), (1.0,)), (0.5, 0.5), (0.0, 1.0))
RK4 = ButcherTableau(
    "rk4",
    4,
    ((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)),
    (1 / 6, 1 / 3, 1 / 3, 1 / 6),
    (0.0, 0.5, 0.5, 1.0),
)

INTEGRATORS: dict[str, ButcherTableau] = {m.name: m for m in (EULER, RK2, RK4)}


def get_integrator(name: str | ButcherTableau) -> ButcherTableau:
    """The integrator called ``name`` (any case); an unknown name is a user error."""
    if isinstance(name, ButcherTableau):
        return name
    try:
        return INTEGRATORS[name.strip().lower()]
    except KeyError:
        known = ", ".join(INTEGRATORS)
        raise UserInputError(
            f"unknown integration method {name!r} (known: {known})", field="method"
        ) from None
