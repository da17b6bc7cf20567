"""A scenario file as a vectorized evaluator, and its targets as batch targets.

`ScenarioEvaluator` is what workers receive: only the scenario's path and a digest of the
files it reads (scenario chain, model, targets), never compiled code. Each process loads and
compiles the scenario once and keeps it; a worker that sees different files (another machine
without a shared file system, say) refuses to run rather than compute something else.

Outputs, per target id: the metric at the target's year ``(n,)``; with ``paths``, under
``"<id>:path"`` the metric at every saved time ``(T, n)`` for fan charts; with ``flags``, under
``"met:<id>"`` whether it is met (0 or 1), the outcome that sensitivity analysis explains.
A run with a NaN or infinity in any variable the targets read (at any saved time) or in any
target's value gives NaN in every output, so that every analysis counts it and leaves it out.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UserInputError
from ..plan.metrics import met, metric_series
from ..plan.targets import Target as PlanTargetSpec
from ..plan.targets import TargetSet, load_targets
from ..ranges import OutOfRangeWarning
from ..scenario import Scenario, load_scenario
from ..simulate import Save
from .batch import Batch
from .sampling import Design, Method

__all__ = [
    "PlanTarget",
    "ScenarioEvaluator",
    "cached_scenario",
    "explain_nonfinite",
    "load_plan",
    "load_scenario_targets",
    "met_output",
    "path_output",
    "plan_batch",
    "plan_outputs",
    "ranked_output",
    "scenario_digest",
]


def path_output(target_id: str) -> str:
    """The output name of a target's metric over time."""
    return f"{target_id}:path"


def met_output(target_id: str) -> str:
    """The output name of a target's met (1) or missed (0) outcome."""
    return f"met:{target_id}"


def ranked_output(
    importance: np.ndarray,
    outputs: Sequence[str],
    target_id: str,
    upper: np.ndarray | None = None,
) -> str:
    """Which output explains target ``target_id`` in a sensitivity result (``importance``:
    outputs × inputs, ``upper`` their upper confidence bounds if known): its met/missed
    outcome when some input moves it and its indices are estimates, else its metric. A total
    index above 1, or an interval reaching far above it, is the noise of an outcome that
    almost never (or almost always) happens: the metric then says more."""
    name = met_output(target_id)
    row = importance[list(outputs).index(name)]
    if not np.any(row > 0) or np.max(row) > 1.05:
        return target_id
    if upper is not None and np.max(upper[list(outputs).index(name)]) > 1.5:
        return target_id
    return name


@dataclass(frozen=True)
class PlanTarget:
    """A plan target as a batch target: met when its metric meets the threshold."""

    spec: PlanTargetSpec

    @property
    def name(self) -> str:
        return self.spec.id

    @property
    def metric(self) -> str:
        return self.spec.id

    def met(self, outputs: Mapping[str, np.ndarray]) -> np.ndarray:
        return met(outputs[self.spec.id], self.spec)


def load_plan(path: str | Path) -> tuple[Scenario, TargetSet]:
    """The scenario and its targets, checked against the model."""
    scenario, targets = load_scenario_targets(path)
    if targets is None:
        raise UserInputError(
            "the scenario's model has no targets file; set `targets` in the scenario",
            file=str(path),
            field="targets",
        )
    return scenario, targets


def load_scenario_targets(path: str | Path) -> tuple[Scenario, TargetSet | None]:
    """The scenario and, when it has a targets file, its targets checked against the model."""
    scenario = load_scenario(path)
    if scenario.targets_path is None:
        return scenario, None
    targets = load_targets(scenario.targets_path)
    targets.check(scenario.model)
    return scenario, targets


def scenario_digest(scenario: Scenario, targets: TargetSet | None) -> str:
    """A digest of every file a scenario's runs read (its chain, model and targets)."""
    files = [*scenario.files, scenario.model_path, targets.path if targets else None]
    h = hashlib.sha256()
    for file in files:
        if file is not None:
            h.update(Path(file).read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=8)
def cached_scenario(path: str, digest: str) -> tuple[Scenario, TargetSet | None]:
    """`load_scenario_targets` once per process, refused if the files changed since
    ``digest`` was taken."""
    with warnings.catch_warnings():  # the command warned of its values when it loaded them
        warnings.simplefilter("ignore", OutOfRangeWarning)
        scenario, targets = load_scenario_targets(path)
    if scenario_digest(scenario, targets) != digest:
        raise UserInputError(
            "the scenario's files differ from those the run started with (changed during the "
            "run, or a worker without the same files)",
            file=path,
        )
    return scenario, targets


@dataclass(frozen=True)
class ScenarioEvaluator:
    """``params -> outputs`` for a scenario file: small and picklable."""

    path: str
    digest: str
    paths: bool = True
    flags: bool = False

    @classmethod
    def of(cls, path: str | Path, *, paths: bool = True, flags: bool = False) -> ScenarioEvaluator:
        scenario, targets = load_plan(path)
        return cls(str(Path(path).resolve()), scenario_digest(scenario, targets), paths, flags)

    def __call__(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        scenario, targets = cached_scenario(self.path, self.digest)
        return plan_outputs(scenario, targets, params, paths=self.paths, flags=self.flags)


def plan_outputs(
    scenario: Scenario,
    targets: TargetSet,
    params: Mapping[str, np.ndarray],
    *,
    paths: bool = True,
    flags: bool = False,
) -> dict[str, np.ndarray]:
    """The outputs of one vectorized run of ``scenario`` at ``params`` (see the module doc).
    A run with a NaN or infinity in any saved variable or target value has every output NaN."""
    n = len(next(iter(params.values()))) if params else 1
    result = scenario.simulate(params, n=n, save=Save(variables=targets.variables))
    series = {t.id: metric_series(result, t) for t in targets}
    bad = ~np.isfinite(result.values).all(axis=(0, 1))
    for target in targets:  # a path may be NaN before its from_year; its value may not
        bad |= ~np.isfinite(series[target.id][result.time_index(target.time)])
    out: dict[str, np.ndarray] = {}
    for target in targets:
        path = np.where(bad, np.nan, series[target.id]) if bad.any() else series[target.id]
        out[target.id] = path[result.time_index(target.time)]
        if paths:
            out[path_output(target.id)] = path
        if flags:
            flag = met(out[target.id], target).astype(float)
            out[met_output(target.id)] = np.where(bad, np.nan, flag)
    return out


def plan_batch(
    path: str | Path, *, samples: int, seed: int, method: Method | str = Method.MC
) -> tuple[Batch, Scenario, TargetSet]:
    """The batch of a scenario's uncertain parameters: every target judged, its metric kept
    as a distribution and as a fan over time."""
    scenario, targets = load_plan(path)
    if not scenario.uncertain:
        raise UserInputError(
            "the scenario declares no [uncertain] parameters to sample",
            file=str(path),
            field="uncertain",
        )
    design = Design(scenario.uncertain, n=samples, seed=seed, method=method)
    evaluate = ScenarioEvaluator(str(Path(path).resolve()), scenario_digest(scenario, targets))
    batch = Batch(
        design,
        evaluate,
        tuple(PlanTarget(t) for t in targets),
        trajectories=tuple(path_output(t.id) for t in targets),
        times=tuple(float(t) for t in _probe(scenario, targets).times),
    )
    return batch, scenario, targets


def _probe(scenario: Scenario, targets: TargetSet) -> Any:
    """One run at the scenario's own values: the saved times a batch will see."""
    return scenario.simulate(n=1, save=Save(variables=targets.variables))


def explain_nonfinite(scenario: Scenario, params: Mapping[str, np.ndarray]) -> str:
    """Where one run (``params`` of length 1) first reached NaN or infinity, for a message:
    the variable, its value and the time, from a rerun that saves every named variable."""
    first = scenario.simulate(params, n=1).first_nonfinite()
    if first is None:
        return "a target's value"
    name, time, _, value = first
    return f"{name} = {value} at time {time:g}"
