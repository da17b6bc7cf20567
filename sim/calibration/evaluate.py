"""A scenario file as a batch evaluator that also reads the model at every observation.

Like `sim.uncertainty.plan.ScenarioEvaluator`, workers receive only the scenario's path, a
digest of its files and the observations; each process loads and compiles the scenario once.
One simulate call per chunk gives everything: the targets' metrics (when the scenario's model
has a targets file), the model at each observation (output ``obs:<i>``, shape ``(n,)``) and
each observed variable's trajectory (``value:<variable>``, ``(T, n)``) for the band figure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import UserInputError
from ..plan.metrics import metric_series
from ..plan.targets import TargetSet, load_targets
from ..scenario import Scenario, load_scenario
from ..simulate import Save
from ..uncertainty.plan import path_output
from .observations import Observations

__all__ = ["ObservedScenario", "observation_output", "trajectory_output"]


def observation_output(i: int) -> str:
    """The output name of the model's value at observation ``i``."""
    return f"obs:{i}"


def trajectory_output(variable: str) -> str:
    """The output name of an observed variable's trajectory."""
    return f"value:{variable}"


def load(path: str | Path) -> tuple[Scenario, TargetSet | None]:
    """The scenario and, when its model has one, its targets checked against the model."""
    scenario = load_scenario(path)
    if scenario.targets_path is None:
        return scenario, None
    targets = load_targets(scenario.targets_path)
    targets.check(scenario.model)
    return scenario, targets


def digest(scenario: Scenario, targets: TargetSet | None) -> str:
    h = hashlib.sha256()
    for file in [*scenario.files, scenario.model_path, targets.path if targets else None]:
        if file is not None:
            h.update(Path(file).read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=8)
def _cached(path: str, expected: str) -> tuple[Scenario, TargetSet | None]:
    scenario, targets = load(path)
    if digest(scenario, targets) != expected:
        raise UserInputError(
            "the scenario's files differ from those the run started with (changed during the "
            "run, or a worker without the same files)",
            file=path,
        )
    return scenario, targets


@dataclass(frozen=True)
class ObservedScenario:
    """``params -> outputs`` for a scenario file and observations: small and picklable."""

    path: str
    digest: str
    observations: Observations
    paths: bool = True

    @classmethod
    def of(cls, path: str | Path, observations: Observations) -> ObservedScenario:
        scenario, targets = load(path)
        return cls(str(Path(path).resolve()), digest(scenario, targets), observations)

    def __call__(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        scenario, targets = _cached(self.path, self.digest)
        n = len(next(iter(params.values()))) if params else 1
        variables = [*(targets.variables if targets else []), *self.observations.variables]
        result = scenario.simulate(params, n=n, save=Save(variables=list(dict.fromkeys(variables))))
        out: dict[str, np.ndarray] = {}
        for target in targets or ():
            series = metric_series(result, target)
            out[target.id] = series[result.time_index(target.time)]
            if self.paths:
                out[path_output(target.id)] = series
        values = self.observations.at(result.times, result.values, result.names)
        for i, row in enumerate(values):
            out[observation_output(i)] = row
        for variable in self.observations.variables:
            out[trajectory_output(variable)] = result[variable]
        return out
