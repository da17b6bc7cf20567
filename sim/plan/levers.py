"""The lever value that just meets a target: a bracketed root search, vectorized.

For every target that names a lever, the lever is swept over its range on a grid; where
"met" changes between two grid points, that bracket is refined by a finer grid, a few rounds.
All targets' grids go into one `simulate` call per round (a batch of ``grid × targets``
runs), so the search costs a handful of vectorized runs, not hundreds of scalar ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..names import canonical
from ..scenario import Scenario
from ..simulate import Save
from .metrics import met, metric_value
from .targets import Target

__all__ = ["LeverSolution", "solve_levers"]

Status = Literal["found", "unreachable", "always", "input"]


@dataclass(frozen=True)
class LeverSolution:
    """Where the target turns from missed to met as the lever moves within its range.

    ``status``: ``found`` (``value`` with ``side``: the target is met for lever ``>=`` or
    ``<=`` the value), ``unreachable`` (missed across the range), ``always`` (met across the
    range), ``input`` (the scenario made the lever a time-varying input).
    """

    name: str
    low: float
    high: float
    current: float
    status: Status
    value: float | None = None
    side: Literal[">=", "<="] | None = None

    def describe(self) -> str:
        if self.status == "found":
            return f"{self.name} {_symbol(self.side)} {_fmt(self.value)} (now {_fmt(self.current)})"
        span = f"{self.name} in [{_fmt(self.low)}, {_fmt(self.high)}]"
        if self.status == "unreachable":
            return f"not reachable within the lever's range: {span}"
        if self.status == "always":
            return f"met across the lever's range: {span}"
        return f"{self.name} is a time-varying input in this scenario"


def solve_levers(
    scenario: Scenario, targets: list[Target], *, grid: int = 41, rounds: int = 4
) -> dict[str, LeverSolution]:
    """The lever value that just meets each target, by id (targets without a lever are
    skipped). Each round is one simulation of ``grid`` lever values per open bracket; after
    ``rounds`` rounds a bracket is ``(grid - 1) ** rounds`` times narrower than the range."""
    defaults = _defaults(scenario)
    out: dict[str, LeverSolution] = {}
    open_: dict[str, tuple[float, float]] = {}
    for t in targets:
        if t.lever is None:
            continue
        low, high = t.lever.range
        current = defaults.get(canonical(t.lever.name), float("nan"))
        if any(canonical(n) == canonical(t.lever.name) for n in scenario.inputs):
            out[t.id] = LeverSolution(t.lever.name, low, high, current, "input")
        else:
            open_[t.id] = (low, high)
    by_id = {t.id: t for t in targets}
    for round_ in range(rounds):
        if not open_:
            break
        grids = {tid: np.linspace(a, b, grid) for tid, (a, b) in open_.items()}
        if round_ == 0:  # the scenario's own value is a grid point: its region is found
            for tid, xs in grids.items():
                _include(xs, defaults.get(canonical(by_id[tid].lever.name), np.nan))
        flags = _sweep(scenario, [by_id[tid] for tid in grids], grids, defaults)
        for tid, ok in flags.items():
            target, xs = by_id[tid], grids[tid]
            lever = target.lever
            assert lever is not None
            current = defaults.get(canonical(lever.name), float("nan"))
            change = np.flatnonzero(ok[1:] != ok[:-1])
            if not len(change):
                if round_ == 0:
                    status: Status = "always" if ok.all() else "unreachable"
                    out[tid] = LeverSolution(lever.name, *lever.range, current, status)
                    del open_[tid]
                continue  # a refined bracket without a change: keep the previous one
            j = int(change[np.argmin(np.abs(xs[change] - current))])
            open_[tid] = (float(xs[j]), float(xs[j + 1]))
            side = ">=" if ok[j + 1] else "<="
            value = float(xs[j + 1] if ok[j + 1] else xs[j])
            out[tid] = LeverSolution(lever.name, *lever.range, current, "found", value, side)
    return out


def _include(xs: np.ndarray, value: float) -> None:
    """Move the grid point nearest to ``value`` onto it (in place; the grid stays sorted)."""
    if xs[0] < value < xs[-1]:
        xs[np.argmin(np.abs(xs - value))] = value


def _defaults(scenario: Scenario) -> dict[str, float]:
    values = {c.key: c.value for c in scenario.model.constants}
    values.update({canonical(k): v for k, v in scenario.parameters.items()})
    return values


def _sweep(
    scenario: Scenario,
    targets: list[Target],
    grids: dict[str, np.ndarray],
    defaults: dict[str, float],
) -> dict[str, np.ndarray]:
    """Whether each target is met at each of its grid values, in one batched simulation."""
    size = len(next(iter(grids.values())))
    n = size * len(targets)
    levers = {canonical(t.lever.name) for t in targets if t.lever is not None}
    arrays = {key: np.full(n, defaults[key]) for key in levers}
    for i, t in enumerate(targets):
        assert t.lever is not None
        arrays[canonical(t.lever.name)][i * size : (i + 1) * size] = grids[t.id]
    names = list(dict.fromkeys(n for t in targets for n in t.names))
    result = scenario.simulate(arrays, n=n, save=Save(variables=names))
    flags = {}
    for i, t in enumerate(targets):
        values = metric_value(result, t)[i * size : (i + 1) * size]
        flags[t.id] = met(values, t) & np.isfinite(values)
    return flags


def _symbol(side: str | None) -> str:
    return {">=": "≥", "<=": "≤"}.get(side or "", "?")


def _fmt(x: float | None) -> str:
    return "?" if x is None else f"{x:.6g}"
