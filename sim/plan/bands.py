"""How far a verdict can be trusted: each target's error band, and its status.

A value computed at the published setting (method, dt) is one numerical approximation. The
band compares it with the same scenario at half the step, with the same method and, unless
that is already RK4, with RK4 (the accurate reference): the larger difference is the numerical
band. The target's stated `tolerance` (±1 for whole counts) and the threshold's reporting
`precision` add to it. A verdict whose threshold lies within the band is ``borderline``.

Each reference is one `simulate` call for all targets; a reference the model refuses (a part
declared a difference equation, say) is left out and named in `BandRuns.skipped`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..errors import SimError
from ..scenario import Scenario
from ..simulate import Save, simulate
from .metrics import MET_RTOL, evaluate_targets, met
from .targets import Target, TargetSet

__all__ = [
    "REFERENCE_METHOD",
    "BandRuns",
    "Reference",
    "Status",
    "band_runs",
    "band_runs_for",
    "status",
]

Status = Literal["met", "missed", "borderline"]
REFERENCE_METHOD = "rk4"


@dataclass(frozen=True)
class Reference:
    """The targets' values in one reference run (``method`` at ``dt``)."""

    method: str
    dt: float
    values: dict[str, float]


@dataclass(frozen=True)
class BandRuns:
    """The reference runs of a scenario, and those the model refused (with the reason)."""

    references: list[Reference]
    skipped: dict[str, str] = field(default_factory=dict)

    def numerical(self, target: Target, value: float) -> float:
        """The largest difference between ``value`` and the references' values of ``target``
        (NaN when ``value`` is not a number; a reference that gives no number widens the band
        to infinity). Differences within floating-point rounding (`MET_RTOL`) count as 0."""
        if not math.isfinite(value):
            return math.nan
        diffs = [abs(value - r.values[target.id]) for r in self.references]
        widest = max((d if math.isfinite(d) else math.inf for d in diffs), default=0.0)
        return 0.0 if widest <= MET_RTOL * max(1.0, abs(target.threshold)) else widest


def band_runs(scenario: Scenario, targets: TargetSet) -> BandRuns:
    """``scenario`` at half its dt with its own method and, unless it is RK4, with RK4."""
    return band_runs_for(scenario, targets, dict(scenario.parameters), 1)[0]


def band_runs_for(
    scenario: Scenario, targets: TargetSet, values: dict[str, Any], n: int
) -> list[BandRuns]:
    """The reference runs of ``n`` variants of ``scenario`` at once (``values``: its constants,
    each a number or an array of shape ``(n,)``), one `BandRuns` per variant."""
    dt = scenario.dt / 2
    methods = list(dict.fromkeys([scenario.method, REFERENCE_METHOD]))
    references: list[list[Reference]] = [[] for _ in range(n)]
    skipped: dict[str, str] = {}
    save = Save(variables=targets.variables)
    for method in methods:
        try:
            result = simulate(
                scenario.compiled,
                values,
                n=n,
                method=method,
                dt=dt,
                save=save,
                check_ranges=False,  # the scenario's values were judged when it was loaded
            )
        except SimError as exc:
            skipped[f"{method}, dt {dt:g}"] = str(exc)
            continue
        found = evaluate_targets(result, targets)
        for k in range(n):
            values_k = {key: float(v[k]) for key, v in found.items()}
            references[k].append(Reference(method, dt, values_k))
    return [BandRuns(refs, dict(skipped)) for refs in references]


def status(value: float, target: Target, band: float) -> Status:
    """``borderline`` when the threshold lies within ``band`` of ``value`` (a band of 0 never
    is: then the comparison alone decides), else ``met`` or ``missed``; NaN is missed."""
    if not math.isfinite(value):
        return "missed"
    if band > 0 and abs(value - target.threshold) <= band:
        return "borderline"
    return "met" if bool(met(np.float64(value), target)) else "missed"
