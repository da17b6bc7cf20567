"""Tidy rows of a result under the year convention of `sim.years`: (scenario, variable, year,
value, unit), one row per whole year of the run's period; an arrayed model adds one column per
dimension (``dim:Region``: the element of each element variable, empty for scalars).

The same rows make ``trajectories.csv``, the ``trajectories`` DataFrame of `sim.run` and the
sheet of the Excel export, so a number has one year wherever it is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .model import Auxiliary, Flow, Model, Stock
from .results import Result
from .years import period_mask, rate_of, year_labels

__all__ = ["TRAJECTORY_COLUMNS", "dimension_names", "tidy_rows", "trajectory_columns"]

TRAJECTORY_COLUMNS = ("scenario", "variable", "year", "value", "unit")


def dimension_names(*models: Model) -> tuple[str, ...]:
    """The dimensions that the element variables of ``models`` (expanded) belong to, in
    order of first appearance: none for a model without arrays."""
    seen: dict[str, None] = {}
    for model in models:
        for v in model.variables:
            seen.update(dict.fromkeys(dim for dim, _ in v.indices))
    return tuple(seen)


def trajectory_columns(dimensions: Sequence[str] = ()) -> tuple[str, ...]:
    """`TRAJECTORY_COLUMNS`, then ``dim:<name>`` for each of ``dimensions``."""
    return (*TRAJECTORY_COLUMNS, *(f"dim:{d}" for d in dimensions))


def tidy_rows(
    result: Result,
    model: Model,
    scenarios: Sequence[str],
    *,
    variables: Sequence[str] | None = None,
    whole_run: bool = False,
    dimensions: Sequence[str] | None = None,
) -> Iterator[tuple]:
    """Rows for scenario ``k`` of ``result`` named ``scenarios[k]``: every stock, flow and
    auxiliary (or ``variables``), inside the run's period unless ``whole_run``; then the
    element of each of ``dimensions`` (default: the model's `dimension_names`)."""
    if dimensions is None:
        dimensions = dimension_names(model)
    if variables is None:
        variables = [v.name for v in model.variables if isinstance(v, Stock | Flow | Auxiliary)]
    for variable in variables:
        j = result.index(variable)
        name = result.names[j]
        units = result.units.get(name, "")
        rate = rate_of(model[name]) if name in model else False
        where = dict(model[name].indices) if name in model else {}
        labels = tuple(where.get(d, "") for d in dimensions)
        if whole_run:
            years, keep = year_labels(result.times, rate)
        else:
            years, keep = period_mask(result.times, rate, model)
        rows = np.flatnonzero(keep)
        for k, scenario in enumerate(scenarios):
            for i in rows[rows <= result.last(k)]:  # a run whose final time moves ends early
                yield (scenario, name, int(years[i]), float(result.values[i, j, k]), units, *labels)
