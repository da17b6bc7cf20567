"""A scenario file as a batch evaluator that also reads the model at every observation.

Like `sim.uncertainty.plan.ScenarioEvaluator`, workers receive only the scenario's path, a
digest of its files and the observations; each process loads and compiles the scenario once.
One simulate call per chunk gives everything: the targets' metrics (when the scenario's model
has a targets file), the model at each observation (output ``obs:<i>``, shape ``(n,)``) and
each observed variable's trajectory (``value:<variable>``, ``(T, n)``) for the band figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..plan.metrics import metric_series
from ..simulate import Save
from ..uncertainty.plan import cached_scenario, load_scenario_targets, path_output, scenario_digest
from .observations import Observations

__all__ = ["ObservedScenario", "observation_output", "trajectory_output"]


def observation_output(i: int) -> str:
    """The output name of the model's value at observation ``i``."""
    return f"obs:{i}"


def trajectory_output(variable: str) -> str:
    """The output name of an observed variable's trajectory."""
    return f"value:{variable}"


@dataclass(frozen=True)
class ObservedScenario:
    """``params -> outputs`` for a scenario file and observations: small and picklable."""

    path: str
    digest: str
    observations: Observations
    paths: bool = True

    @classmethod
    def of(cls, path: str | Path, observations: Observations) -> ObservedScenario:
        scenario, targets = load_scenario_targets(path)
        return cls(str(Path(path).resolve()), scenario_digest(scenario, targets), observations)

    def __call__(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        scenario, targets = cached_scenario(self.path, self.digest)
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
