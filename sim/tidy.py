"""Tidy rows of a result under the year convention of `sim.years`: (scenario, variable, year,
value, unit), one row per whole year of the run's period.

The same rows make ``trajectories.csv``, the ``trajectories`` DataFrame of `sim.run` and the
sheet of the Excel export, so a number has one year wherever it is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .model import Auxiliary, Flow, Model, Stock
from .results import Result
from .years import period_mask, rate_of, year_labels

__all__ = ["TRAJECTORY_COLUMNS", "tidy_rows"]

TRAJECTORY_COLUMNS = ("scenario", "variable", "year", "value", "unit")


def tidy_rows(
    result: Result,
    model: Model,
    scenarios: Sequence[str],
    *,
    variables: Sequence[str] | None = None,
    whole_run: bool = False,
) -> Iterator[tuple[str, str, int, float, str]]:
    """Rows for scenario ``k`` of ``result`` named ``scenarios[k]``: every stock, flow and
    auxiliary (or ``variables``), inside the run's period unless ``whole_run``."""
    if variables is None:
        variables = [v.name for v in model.variables if isinstance(v, Stock | Flow | Auxiliary)]
    for variable in variables:
        j = result.index(variable)
        name = result.names[j]
        units = result.units.get(name, "")
        rate = rate_of(model[name]) if name in model else False
        if whole_run:
            years, keep = year_labels(result.times, rate)
        else:
            years, keep = period_mask(result.times, rate, model)
        rows = np.flatnonzero(keep)
        for k, scenario in enumerate(scenarios):
            for i in rows:
                yield (scenario, name, int(years[i]), float(result.values[i, j, k]), units)
