"""Summary statistics of a historical fit, as Sterman (1984) recommends for system dynamics:
MAPE, R² and Theil's inequality decomposition of the mean squared error.

MSE = (mean f - mean z)² + (s_f - s_z)² + 2 (1 - r) s_f s_z, with population standard
deviations, so the three shares U^M (bias), U^S (unequal variation) and U^C (unequal
covariation, i.e. unsystematic error) sum to 1. A small U^M and U^S with most of the error in
U^C means the model tracks the data's trend and swings and misses only the noise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["FitStatistics", "fit_statistics"]


@dataclass(frozen=True)
class FitStatistics:
    """The fit of one variable's ``n`` observations (``nan`` where undefined: R² and U^S,
    U^C need two observations that vary)."""

    variable: str
    n: int
    mape: float  # mean absolute percentage error, in %
    r2: float  # squared correlation of model and data
    mse: float
    um: float
    us: float
    uc: float

    def to_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def fit_statistics(variable: str, model: np.ndarray, data: np.ndarray) -> FitStatistics:
    f, z = np.asarray(model, dtype=float), np.asarray(data, dtype=float)
    n = len(z)
    nonzero = z != 0
    mape = (
        float(np.mean(np.abs((f - z)[nonzero] / z[nonzero])) * 100) if nonzero.any() else math.nan
    )
    mse = float(np.mean((f - z) ** 2))
    sf, sz = float(np.std(f)), float(np.std(z))
    r = float(np.corrcoef(f, z)[0, 1]) if n >= 2 and sf > 0 and sz > 0 else math.nan
    r2 = r * r if math.isfinite(r) else math.nan
    if mse == 0:
        um = us = uc = math.nan
    else:
        um = (float(np.mean(f)) - float(np.mean(z))) ** 2 / mse
        us = (sf - sz) ** 2 / mse
        uc = (
            2 * (1 - r) * sf * sz / mse if math.isfinite(r) else (0.0 if sf * sz == 0 else math.nan)
        )
    return FitStatistics(variable, n, mape, r2, mse, um, us, uc)
