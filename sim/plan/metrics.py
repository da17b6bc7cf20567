"""Target metrics evaluated over simulation results, vectorized over scenarios.

A metric is an expression over saved variables; it is evaluated on whole trajectories of shape
``(time, scenario)`` with numpy, never as Python text. The functions here take a `Result` of
any number of scenarios ``n`` and return arrays of shape ``(n,)``, so a batch of a million
runs is judged with the same code as a single scenario.

Besides the model's functions a metric may use ``LAG(x, years)``: x ``years`` earlier on the
saved time axis (NaN where that time was not saved), e.g. the amount of a cumulative stock
during a year, ``stock - LAG(stock, 1)``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..expr import Binary, Call, If, Name, Node, Number, Unary, parse
from ..functions import BINARY_OPERATORS, CONSTANT_NAMES, FUNCTIONS, TIME_NAMES
from ..results import Result
from .targets import Target

__all__ = [
    "MET_RTOL",
    "evaluate_targets",
    "first_year_met",
    "lost_year",
    "margins",
    "met",
    "metric_series",
    "metric_value",
]

MET_RTOL = 1e-9
"""A value this close to the threshold (relative, or absolute below 1) counts as met: the
plan's own arithmetic lands exactly on its thresholds, up to floating-point rounding."""


def metric_series(result: Result, target: Target) -> np.ndarray:
    """The metric at every saved time, shape ``(time, n)``; NaN before ``from_year`` (a
    metric over a past year has no value at the baseline); with ``over``, the running extreme
    from ``from_year``."""
    with np.errstate(all="ignore"):
        series = np.broadcast_to(
            _evaluate(parse(target.metric, target.id), result), (len(result.times), result.n)
        ).astype(float)
    if target.from_year is None:
        return series
    start = result.time_index(target.time_of(target.from_year))
    if target.over is None:
        out = series.copy()
        out[:start] = np.nan
        return out
    running = np.maximum.accumulate if target.over == "max" else np.minimum.accumulate
    out = np.full_like(series, np.nan)
    out[start:] = running(series[start:], axis=0)
    return out


def metric_value(result: Result, target: Target) -> np.ndarray:
    """The metric at the target's year, shape ``(n,)``."""
    return metric_series(result, target)[result.time_index(target.time)]


def evaluate_targets(result: Result, targets: Iterable[Target]) -> dict[str, np.ndarray]:
    """Every target's value, by id, each of shape ``(n,)``."""
    return {t.id: metric_value(result, t) for t in targets}


def met(values: np.ndarray | float, target: Target) -> np.ndarray:
    """Whether ``values`` meet ``target``, elementwise; NaN and infinity never do (an
    overflow is no achievement)."""
    values = np.asarray(values, dtype=float)
    tol = MET_RTOL * max(1.0, abs(target.threshold))
    with np.errstate(invalid="ignore"):
        if target.comparator == ">=":
            return np.isfinite(values) & (values >= target.threshold - tol)
        return np.isfinite(values) & (values <= target.threshold + tol)


def margins(values: np.ndarray | float, target: Target) -> tuple[np.ndarray, np.ndarray]:
    """Absolute and relative margin: positive when met, in the target's unit; the relative
    margin is NaN for a zero threshold."""
    values = np.asarray(values, dtype=float)
    sign = 1.0 if target.comparator == ">=" else -1.0
    absolute = sign * (values - target.threshold)
    if target.threshold == 0:
        return absolute, np.full_like(absolute, np.nan)
    return absolute, absolute / abs(target.threshold)


def first_year_met(result: Result, target: Target) -> np.ndarray:
    """The first plan year (up to the target's) whose value meets the threshold, shape
    ``(n,)``; NaN where no year does. The baseline year counts (2015 for a year-end stock)."""
    years, _, ok = _met_by_year(result, target)
    first = np.argmax(ok, axis=0)
    return np.where(ok.any(axis=0), years[first], np.nan)


def lost_year(result: Result, target: Target) -> np.ndarray:
    """The first plan year (up to the target's) whose value no longer meets the threshold
    after an earlier year met it, shape ``(n,)``; NaN where it was never met or never lost."""
    years, eligible, ok = _met_by_year(result, target)
    met_before = np.zeros_like(ok)
    met_before[1:] = np.logical_or.accumulate(ok, axis=0)[:-1]
    lost = met_before & ~ok & eligible[:, None]
    first = np.argmax(lost, axis=0)
    return np.where(lost.any(axis=0), years[first], np.nan)


def _met_by_year(result: Result, target: Target) -> tuple[np.ndarray, ...]:
    """The plan year of every saved time, whether that time stands for a plan year up to the
    target's (a whole time), and whether each run meets the target then (``(time, n)``)."""
    series = metric_series(result, target)
    years = np.array([target.year_of(t) for t in result.times], dtype=float)
    eligible = (years <= target.year) & np.isclose(result.times, np.round(result.times))
    return years, eligible, met(series, target) & eligible[:, None]


def _evaluate(node: Node, result: Result):
    match node:
        case Number(value=value):
            return value
        case Name(name=name) if name in TIME_NAMES and name not in _saved(result):
            return _time_name(name, result)
        case Name(name=name) if name in CONSTANT_NAMES and name not in _saved(result):
            return CONSTANT_NAMES[name]
        case Name(name=name):
            return result[name]
        case Unary(op="-", operand=operand):
            return np.negative(_evaluate(operand, result))
        case Unary(op="+", operand=operand):
            return _evaluate(operand, result)
        case Unary(op="not", operand=operand):
            return np.logical_not(_evaluate(operand, result))
        case Binary(op=op, left=left, right=right):
            return BINARY_OPERATORS[op](_evaluate(left, result), _evaluate(right, result))
        case If(cond=cond, then=then, otherwise=otherwise):
            return np.where(*(_evaluate(n, result) for n in (cond, then, otherwise)))
        case Call(func="lag", args=(inner, Number(value=years))):
            return _lag(_evaluate(inner, result), float(years), result)
        case Call(func=func, args=args) if func in FUNCTIONS and not FUNCTIONS[func].uses_time:
            return FUNCTIONS[func].fn(None, *(_evaluate(a, result) for a in args))
    raise ValueError(f"cannot evaluate {node!r} in a metric")


def _lag(values, years: float, result: Result) -> np.ndarray:
    """``values`` (``(time, n)`` or broadcastable) ``years`` earlier on the saved time axis;
    NaN at times whose earlier time was not saved (before the start, or between saves)."""
    times = result.times
    series = np.broadcast_to(np.asarray(values, dtype=float), (len(times), result.n))
    earlier = times - years
    tol = 1e-9 * np.maximum(1.0, np.abs(earlier))
    hit = np.abs(times[None, :] - earlier[:, None]) <= tol[:, None]  # (time, saved time)
    out = series[np.argmax(hit, axis=1)].copy()
    out[~hit.any(axis=1)] = np.nan
    return out


def _saved(result: Result) -> set[str]:
    from ..names import canonical

    return {canonical(n) for n in result.names}


def _time_name(name: str, result: Result) -> np.ndarray:
    times = result.times[:, None]
    if name == "time":
        return times
    if name in ("dt", "time_step"):
        return np.full_like(times, result.dt)
    if name in ("starttime", "initial_time"):
        return np.full_like(times, result.times[0])
    return np.full_like(times, result.times[-1])
