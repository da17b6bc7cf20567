"""The standard DT test on every shipped scenario: halving the step changes no conclusion.

Every target's metric at the published setting agrees within 0.1 % with the same run at half
its dt (an absolute floor of 1e-6 of the threshold's scale for metrics at zero), and no status
changes between the two.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sim.plan.metrics import met, metric_value
from sim.plan.targets import load_targets
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(
    p for p in (ROOT / "scenarios").glob("*.toml") if p.stem != "uncertainty"
)  # the uncertainty scenario is the trend with distributions: its runs are batch runs


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_halving_dt_changes_no_metric_by_more_than_a_tenth_of_a_percent(path: Path) -> None:
    scenario = load_scenario(path)
    targets = load_targets(scenario.targets_path)
    published = scenario.simulate()
    finer = dataclasses.replace(scenario, dt=scenario.dt / 2).simulate()
    for target in targets:
        a = float(metric_value(published, target)[0])
        b = float(metric_value(finer, target)[0])
        floor = 1e-6 * max(1.0, abs(target.threshold))
        assert abs(a - b) <= max(1e-3 * abs(a), floor), f"{target.id}: {a} at dt, {b} at dt/2"
        assert bool(met(a, target)) == bool(met(b, target)) or abs(a - b) <= floor, target.id


def test_every_shipped_scenario_runs_at_the_published_setting() -> None:
    for path in SHIPPED:
        scenario = load_scenario(path)
        assert (scenario.method, scenario.dt) == ("rk4", 0.5), path.stem
        time = scenario.model.time
        assert (time.start, time.stop) == (2016, 2021)
