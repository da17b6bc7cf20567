"""Values outside a constant's declared ``range``: a warning that names the value, the range
and where the range comes from (the constant's ``source``).

A range is the plausible interval of an assumption, so a value beyond it is most often a typo
(``10`` for ``0.10``) or a misread unit; it is still a number the model can run, hence a
warning (`OutOfRangeWarning`, which library users can filter) and not an error. The command
line prints it in one line, and ``--strict`` makes it an error.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .model import Constant

__all__ = ["OutOfRangeWarning", "distribution_outside", "value_outside", "warn_out_of_range"]


class OutOfRangeWarning(UserWarning):
    """A value, or a distribution's support, leaves a constant's declared range."""


def _range(constant: Constant) -> str:
    lo, hi = constant.range or (np.nan, np.nan)
    source = constant.source or "no source given"
    return f"its range [{lo:g}, {hi:g}] (source: {source})"


def value_outside(constant: Constant, value: Any) -> str | None:
    """Why ``value`` (a number or an array of them) leaves ``constant``'s range, or None
    (the reason only: the caller names the constant)."""
    if constant.range is None:
        return None
    lo, hi = constant.range
    array = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore"):
        outside = (array < lo) | (array > hi)
    if not outside.any():
        return None
    if array.ndim == 0:
        return f"{float(array):g} is outside {_range(constant)}"
    first = float(array[outside][0])
    return (
        f"{int(outside.sum())} of {array.size} values are outside {_range(constant)}, "
        f"e.g. {first:g}"
    )


def distribution_outside(constant: Constant, dist: Any) -> str | None:
    """Why distribution ``dist`` (with ``bounds`` and ``describe``) reaches beyond
    ``constant``'s range, or None. An unbounded distribution is judged by its central 99.9 %."""
    if constant.range is None:
        return None
    lo, hi = constant.range
    low, high = dist.bounds(1.0)
    what = "its support"
    if not (np.isfinite(low) and np.isfinite(high)):
        low, high = dist.bounds(0.999)
        what = "99.9 % of it"
    if lo <= low and high <= hi:
        return None
    return f"{dist.describe()}: {what} spans [{low:g}, {high:g}], outside {_range(constant)}"


def warn_out_of_range(message: str | None, *, stacklevel: int = 2) -> None:
    """Issue `OutOfRangeWarning` with ``message`` unless it is None."""
    if message is not None:
        warnings.warn(OutOfRangeWarning(message), stacklevel=stacklevel + 1)
