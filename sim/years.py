"""One time convention for every table and figure of an annual model.

Model time ``t`` is an instant; people read years. A **level** (a stock, or anything computed
from stocks, such as a ratio) at time ``t`` is the value at the *end* of year ``t - 1``; a
**rate** (a flow, or anything in units per year) at time ``t`` is what happens *during* year
``t`` (with Euler and ``dt = 1`` that flow carries the stock from time ``t`` to ``t + 1``).

For a run from 2016 to 2021: ``resident_population`` at time 2016.0 is labelled 2015 (the
baseline, end of 2015) and at time 2021.0 is labelled 2020 (end of 2020); ``new_jobs`` at time
2016.0 is labelled 2016 and at 2020.0 is labelled 2020. The flow at time 2021.0 would be year
2021, outside the run's period, and is left out unless asked for.
"""

from __future__ import annotations

import numpy as np

from .model import Flow, Model, Variable

__all__ = ["RATE_SUFFIXES", "is_rate", "period_mask", "plan_years", "rate_of", "year_labels"]

RATE_SUFFIXES = ("/yr", "/year", "/a")


def is_rate(units: str) -> bool:
    """Whether ``units`` are per year (a rate, labelled by the year it occurs in)."""
    return units.replace(" ", "").endswith(RATE_SUFFIXES)


def rate_of(variable: Variable) -> bool:
    """A flow, or any variable in units per year, is a rate; anything else a level."""
    return isinstance(variable, Flow) or is_rate(variable.units)


def year_labels(times: np.ndarray, rate: bool) -> tuple[np.ndarray, np.ndarray]:
    """The year each saved time stands for, and which times are whole years (the only ones a
    year label names unambiguously)."""
    times = np.asarray(times, dtype=float)
    whole = np.isclose(times, np.round(times), rtol=0, atol=1e-9)
    years = np.round(times).astype(int) - (0 if rate else 1)
    return years, whole


def plan_years(model: Model) -> tuple[int, int]:
    """The years a run of ``model`` covers: from the baseline (the end of the year before
    the start) to the year before ``stop`` (whose end the last saved level measures)."""
    return round(model.time.start) - 1, round(model.time.stop) - 1


def period_mask(times: np.ndarray, rate: bool, model: Model) -> tuple[np.ndarray, np.ndarray]:
    """Year labels of ``times`` and the mask of those inside the run's period (whole years;
    a rate's first year is the start year, since no flow runs before it)."""
    years, whole = year_labels(times, rate)
    first, last = plan_years(model)
    return years, whole & (years >= first + (1 if rate else 0)) & (years <= last)
