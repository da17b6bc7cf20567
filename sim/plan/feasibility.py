"""The verdict on every target of a plan in one scenario: value, met, margin, first year met,
and the lever value that would just meet it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..results import Result
from ..scenario import Scenario
from .data import Comparison, compare_with_data
from .levers import LeverSolution, solve_levers
from .metrics import first_year_met, margins, met, metric_value
from .targets import Target, TargetSet

__all__ = ["ScenarioVerdict", "TargetVerdict", "assess"]


@dataclass(frozen=True)
class TargetVerdict:
    """One target in one scenario."""

    target: Target
    value: float
    met: bool
    margin: float
    margin_relative: float | None
    first_year_met: int | None
    lever: LeverSolution | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``sim run --json``."""
        t, lever = self.target, self.lever
        return {
            "id": t.id,
            "title": t.title,
            "value": _finite(self.value),
            "threshold": t.threshold,
            "comparator": t.comparator,
            "unit": t.unit,
            "met": self.met,
            "margin": _finite(self.margin),
            "margin_relative": _finite(self.margin_relative),
            "first_year_met": self.first_year_met,
            "required_lever": lever.value
            if lever is not None and lever.status == "found"
            else None,
            "lever": None
            if lever is None
            else {
                "name": lever.name,
                "range": [lever.low, lever.high],
                "current": _finite(lever.current),
                "status": lever.status,
                "side": lever.side,
                "text": lever.describe(),
            },
            "quote": t.quote,
        }


@dataclass(frozen=True)
class ScenarioVerdict:
    """Every target of a plan in one scenario, with the run it was judged on."""

    scenario: Scenario
    targets: TargetSet
    verdicts: list[TargetVerdict]
    result: Result = field(repr=False)
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def n_met(self) -> int:
        return sum(v.met for v in self.verdicts)

    def summary(self) -> str:
        return f"{self.n_met} of {len(self.verdicts)} targets met"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.scenario.name,
            "file": str(self.scenario.path),
            "description": self.scenario.description,
            "method": self.scenario.method,
            "dt": self.scenario.dt,
            "met": self.n_met,
            "total": len(self.verdicts),
            "targets": [v.to_dict() for v in self.verdicts],
            "against_data": [c.to_dict() for c in self.comparisons],
        }


def assess(scenario: Scenario, targets: TargetSet, *, levers: bool = True) -> ScenarioVerdict:
    """Run ``scenario`` once and judge every target; with ``levers``, also search each
    target's lever (a few batched runs more). A NaN or infinity in any named variable of the
    run raises `NonFiniteError`: such a run judges nothing."""
    result = scenario.simulate()
    result.check_finite(f"scenario {scenario.name!r} ({scenario.path})")
    solutions = solve_levers(scenario, list(targets)) if levers else {}
    verdicts = []
    for t in targets:
        value = float(metric_value(result, t)[0])
        absolute, relative = margins(value, t)
        first = first_year_met(result, t)[0]
        verdicts.append(
            TargetVerdict(
                target=t,
                value=value,
                met=bool(met(value, t)),
                margin=float(absolute) + 0.0,  # no negative zero in reports
                margin_relative=None if np.isnan(relative) else float(relative) + 0.0,
                first_year_met=None if np.isnan(first) else int(first),
                lever=solutions.get(t.id),
            )
        )
    return ScenarioVerdict(scenario, targets, verdicts, result, compare_with_data(result, targets))


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)
