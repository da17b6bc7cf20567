"""The verdict on every target of a plan in one scenario: value, met, margin, the years it was
met and lost, its standing (met, missed or borderline within its error band, and what
evidence it rests on), what it hinges on, and the lever value that would just meet it."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..ranges import OutOfRangeWarning
from ..results import Result
from ..scenario import Scenario
from .bands import BandRuns, Status, band_runs, status
from .data import Comparison, compare_with_data
from .hinges import HingeCache, read_hinges
from .levers import LeverSolution, solve_levers
from .metrics import first_year_met, lost_year, margins, met, metric_value
from .targets import Target, TargetSet

__all__ = ["ScenarioVerdict", "TargetVerdict", "assess", "judge"]


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
    lost_year: int | None = None
    status: Status | None = None
    band: float | None = None
    numerical_band: float | None = None
    references: dict[str, float] = field(default_factory=dict)
    hinges: list[str] | None = None
    loops: list[tuple[str, str, float]] | None = None

    @property
    def standing(self) -> Status:
        """met, missed or borderline; without a band, the comparison alone."""
        if self.status is not None:
            return self.status
        return "met" if self.met else "missed"

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
            "lost_year": self.lost_year,
            "status": self.standing,
            "evidence": t.evidence,
            "band": _finite(self.band),
            "band_parts": {
                "numerical": _finite(self.numerical_band),
                "tolerance": t.tolerance,
                "precision": t.precision,
            },
            "references": {k: _finite(v) for k, v in self.references.items()},
            "hinges": self.hinges,
            "loops": None
            if self.loops is None
            else [{"name": n, "polarity": p, "share": s} for n, p, s in self.loops],
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
    bands: BandRuns | None = None
    hinges: HingeCache | None = None

    @property
    def n_met(self) -> int:
        """Targets whose value meets the threshold, borderline or not."""
        return sum(v.met for v in self.verdicts)

    def counts(self) -> dict[str, int]:
        """How many targets are met, borderline and missed."""
        statuses = [v.standing for v in self.verdicts]
        return {s: statuses.count(s) for s in ("met", "borderline", "missed")}

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{c['met']} met, {c['borderline']} borderline, {c['missed']} missed "
            f"of {len(self.verdicts)}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.scenario.name,
            "file": str(self.scenario.path),
            "description": self.scenario.description,
            "method": self.scenario.method,
            "dt": self.scenario.dt,
            "met": self.n_met,
            "total": len(self.verdicts),
            "status": self.counts(),
            "references": []
            if self.bands is None
            else [{"method": r.method, "dt": r.dt} for r in self.bands.references],
            "references_skipped": {} if self.bands is None else self.bands.skipped,
            "hinges": None
            if self.hinges is None
            else {
                "file": str(self.hinges.path),
                "stale": self.hinges.stale,
                "scenario": self.hinges.data.get("scenario"),
            },
            "targets": [v.to_dict() for v in self.verdicts],
            "against_data": [c.to_dict() for c in self.comparisons],
        }


def assess(
    scenario: Scenario,
    targets: TargetSet,
    *,
    levers: bool = True,
    bands: bool = True,
    loops: bool = True,
) -> ScenarioVerdict:
    """Run ``scenario`` once and judge every target. With ``levers``, also search each
    target's lever (a few batched runs more); with ``bands``, run the scenario at half its dt
    (its own method, and RK4) to find each verdict's numerical band (two runs more); with
    ``loops``, name the feedback loops that dominate each modelled target over the plan.
    A NaN or infinity in any named variable of the run raises `NonFiniteError`: such a run
    judges nothing."""
    result = scenario.simulate()
    result.check_finite(f"scenario {scenario.name!r} ({scenario.path})")
    solutions = solve_levers(scenario, list(targets)) if levers else {}
    dominant = _dominant_loops(scenario, targets) if loops else {}
    runs = band_runs(scenario, targets) if bands and len(targets) else None
    cache = read_hinges(targets, scenario.model_path)
    verdicts = judge(
        result, targets, bands=None if runs is None else [runs], solutions=solutions,
        dominant=dominant, cache=cache,
    )[0]  # fmt: skip
    comparisons = compare_with_data(result, targets)
    return ScenarioVerdict(scenario, targets, verdicts, result, comparisons, runs, cache)


def judge(
    result: Result,
    targets: TargetSet,
    *,
    bands: list[BandRuns] | None = None,
    solutions: dict[str, LeverSolution] | None = None,
    dominant: dict[str, list] | None = None,
    cache: HingeCache | None = None,
) -> list[list[TargetVerdict]]:
    """The verdicts of every target in every scenario (column) of ``result``, one list per
    column: ``bands`` holds each column's reference runs (`band_runs_for`). Each metric is
    evaluated once for all columns, so judging a sweep of a lever costs little more than one."""
    n = result.n
    out: list[list[TargetVerdict]] = [[] for _ in range(n)]
    solutions, dominant = solutions or {}, dominant or {}
    for t in targets:
        values = metric_value(result, t)
        absolute, relative = margins(values, t)
        firsts, losts, flags = first_year_met(result, t), lost_year(result, t), met(values, t)
        for k in range(n):
            value = float(values[k])
            runs = None if bands is None else bands[k]
            numerical = band = None
            if runs is not None:
                numerical = runs.numerical(t, value)
                band = numerical + t.tolerance + t.precision
            out[k].append(
                TargetVerdict(
                    target=t,
                    value=value,
                    met=bool(flags[k]),
                    margin=float(absolute[k]) + 0.0,  # no negative zero in reports
                    margin_relative=None if np.isnan(relative[k]) else float(relative[k]) + 0.0,
                    first_year_met=None if np.isnan(firsts[k]) else int(firsts[k]),
                    lever=solutions.get(t.id),
                    lost_year=None if np.isnan(losts[k]) else int(losts[k]),
                    status=None if band is None else status(value, t, band),
                    band=band,
                    numerical_band=numerical,
                    references={}
                    if runs is None
                    else {f"{r.method}, dt {r.dt:g}": r.values[t.id] for r in runs.references},
                    hinges=None if cache is None else cache.for_target(t.id),
                    loops=dominant.get(t.id),
                )
            )
    return out


def _dominant_loops(scenario: Scenario, targets: TargetSet) -> dict[str, list]:
    """For each modelled target, the loops through the variable its metric reads first (else
    upstream of it) with their mean share over the plan period, strongest first: Loops That
    Matter scores of one run (sim.analysis)."""
    from ..analysis import analyse_loops, dominant_loops

    modelled = [t for t in targets if t.evidence == "modelled" and t.names]
    if not modelled:
        return {}
    with warnings.catch_warnings():  # the scenario's values were judged when it was loaded
        warnings.simplefilter("ignore", OutOfRangeWarning)
        analysis = analyse_loops(
            scenario.compiled, scenario.parameters, method=scenario.method, dt=scenario.dt
        )
    time = scenario.model.time
    out = {}
    for t in modelled:
        found = dominant_loops(scenario.compiled, analysis, t.names[0], time.start, time.stop)
        out[t.id] = [(name, polarity, share) for name, polarity, share in found if share >= 0.05][
            :3
        ]
    return out


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)
