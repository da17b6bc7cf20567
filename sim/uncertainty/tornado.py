"""One-at-a-time swings (a tornado): each input from its low to its high value, the others at
their medians. Local and blind to interactions, but it reads in the output's own units, which
is what a planner asks first ("what does a pessimistic growth rate cost us?")."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .points import PointEvaluator

__all__ = ["TornadoResult", "tornado"]


@dataclass(frozen=True)
class TornadoResult:
    """``base`` (outputs,) at the medians; ``low``/``high`` (outputs, inputs) with one input at
    its ``low_q``/``high_q`` quantile; ``values`` (2, inputs) the input values used."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    base: np.ndarray
    low: np.ndarray
    high: np.ndarray
    values: np.ndarray
    low_q: float
    high_q: float
    nonfinite: int = 0  # runs with a NaN or infinity (their swings are NaN)

    @property
    def runs(self) -> int:
        return 1 + 2 * len(self.inputs)

    def swing(self) -> np.ndarray:
        """``|high - low|`` per output and input: the length of each bar."""
        with np.errstate(invalid="ignore", over="ignore"):
            return np.abs(self.high - self.low)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "one-at-a-time",
            "quantiles": [self.low_q, self.high_q],
            "runs": self.runs,
            "nonfinite_runs": self.nonfinite,
            "outputs": {
                out: {
                    "base": float(self.base[i]),
                    "inputs": {
                        name: {
                            "low_value": float(self.values[0, j]),
                            "high_value": float(self.values[1, j]),
                            "output_at_low": float(self.low[i, j]),
                            "output_at_high": float(self.high[i, j]),
                            "swing": float(self.swing()[i, j]),
                        }
                        for j, name in enumerate(self.inputs)
                    },
                }
                for i, out in enumerate(self.outputs)
            },
        }


def tornado(
    evaluate: Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]],
    dists: Mapping[str, Any],
    outputs: Sequence[str],
    *,
    low_q: float = 0.05,
    high_q: float = 0.95,
) -> TornadoResult:
    """Swings of ``outputs`` over each input's ``[low_q, high_q]`` quantiles: ``1 + 2d`` runs
    in one vectorized call."""
    names = tuple(dists)
    d = len(names)
    u = np.full((1 + 2 * d, d), 0.5)
    u[1 + np.arange(d), np.arange(d)] = low_q
    u[1 + d + np.arange(d), np.arange(d)] = high_q
    y = PointEvaluator(evaluate, dists, tuple(outputs))(u)
    values = np.array([[dists[k].ppf(np.array([q]))[0] for k in names] for q in (low_q, high_q)])
    nonfinite = int(np.count_nonzero(~np.isfinite(y).all(axis=0)))
    return TornadoResult(
        names, tuple(outputs), y[:, 0], y[:, 1 : 1 + d], y[:, 1 + d :], values, low_q, high_q,
        nonfinite,
    )  # fmt: skip
