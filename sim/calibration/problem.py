"""A scenario and its observations as a least-squares problem: weighted residuals of any set of
parameter vectors from ONE vectorized simulation (every run is a batch).

``values(X)`` simulates the rows of ``X (k, p)`` as ``k`` scenarios in one call; the Jacobian's
central differences are one such call of ``2p + 1`` runs.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import UserInputError
from ..model import Constant
from ..names import canonical
from ..scenario import Scenario
from ..simulate import Save, time_grid
from .observations import Observations

__all__ = ["Problem", "fitted_parameters"]

_STEP = 6e-6  # relative central-difference step: about the cube root of machine epsilon
_NONFINITE = 1e10  # a residual that stands for a run gone non-finite: far from any data


def fitted_parameters(
    scenario: Scenario, names: Sequence[str], where: str = "--fit"
) -> list[Constant]:
    """The constants called ``names`` in the scenario's model, checked: no unknown name (with
    the close match), no input that varies in time, no name twice."""
    model = scenario.model
    constants = {c.key: c for c in model.constants}
    out: list[Constant] = []
    if not names:
        raise UserInputError("name at least one constant to fit", field=where)
    for name in names:
        key = canonical(name)
        if key not in constants:
            if key in model:
                what = type(model[key]).__name__.lower()
                article = "an" if what[0] in "aeiou" else "a"
                raise UserInputError(
                    f"{name!r} is {article} {what} of model {model.name!r}, not a constant; only "
                    "constants can be fitted",
                    field=where,
                )
            close = difflib.get_close_matches(key, list(constants), n=1)
            hint = f"; did you mean {constants[close[0]].name!r}?" if close else ""
            raise UserInputError(
                f"no constant named {name!r} in model {model.name!r}{hint}", field=where
            )
        if any(c.key == key for c in out):
            raise UserInputError(f"{name!r} is named twice", field=where)
        out.append(constants[key])
    return out


@dataclass
class Problem:
    """Weighted residuals ``(f(x) - z) / sqrt(Var_obs + Var_model)`` of the observations as a
    function of the fitted constants ``names``; counts its simulate calls and runs."""

    scenario: Scenario
    observations: Observations
    names: tuple[str, ...]
    calls: int = 0
    runs: int = 0
    save: Save = field(init=False)

    def __post_init__(self) -> None:
        spec = self.scenario.model.time
        grid = time_grid(spec.start, spec.stop, self.scenario.dt)
        wanted: set[float] = set()
        for obs in self.observations:
            hi = int(np.clip(np.searchsorted(grid, obs.time - 1e-9), 0, len(grid) - 1))
            wanted.update(float(grid[i]) for i in {max(hi - 1, 0), hi})
        self.save = Save(variables=self.observations.variables, times=sorted(wanted))
        self._z = self.observations.values
        self._scale = self.observations.scales

    @property
    def p(self) -> int:
        return len(self.names)

    def values(self, X: np.ndarray) -> np.ndarray:
        """The model at every observation for every row of ``X (k, p)``: shape ``(m, k)``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        params = {name: X[:, j] for j, name in enumerate(self.names)}
        result = self.scenario.simulate(params, n=len(X), save=self.save)
        self.calls += 1
        self.runs += len(X)
        return self.observations.at(result.times, result.values, result.names)

    def weighted(self, values: np.ndarray) -> np.ndarray:
        """Residuals of model values ``(m, k)``, non-finite ones replaced by a large number."""
        r = (values - self._z[:, None]) / self._scale[:, None]
        return np.where(np.isfinite(r), r, _NONFINITE)

    def residuals(self, x: np.ndarray) -> np.ndarray:
        return self.weighted(self.values(x[None, :]))[:, 0]

    def steps(self, x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        typical = np.where(
            x != 0, np.abs(x), np.where(np.isfinite(upper - lower), 1e-3 * (upper - lower), 1.0)
        )
        return _STEP * typical

    def jacobian(self, x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """``d residual / d x`` by central differences (one-sided at a bound), all ``2p + 1``
        runs in one simulate call; shape ``(m, p)``."""
        p = self.p
        h = self.steps(x, lower, upper)
        up = np.minimum(x + h, upper)
        down = np.maximum(x - h, lower)
        X = np.repeat(x[None, :], 2 * p + 1, axis=0)
        X[1 + np.arange(p), np.arange(p)] = up
        X[1 + p + np.arange(p), np.arange(p)] = down
        r = self.weighted(self.values(X))
        width = up - down
        if np.any(width <= 0):
            raise UserInputError("a fitted constant's range has no width", field="--fit")
        return (r[:, 1 : 1 + p] - r[:, 1 + p :]) / width

    def chi2(self, x: np.ndarray) -> float:
        r = self.residuals(x)
        return float(r @ r)


def bounds_of(constant: Constant) -> tuple[float, float]:
    """The declared plausible range, or the whole real line when the model declares none."""
    if constant.range is None:
        return -math.inf, math.inf
    lo, hi = constant.range
    return float(lo), float(hi)
