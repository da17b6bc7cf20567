"""The lever value that just meets a target: a bracketed, vectorized search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from sim.plan.levers import solve_levers
from sim.plan.metrics import met, metric_value
from sim.plan.targets import Lever, load_targets
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
TARGETS = load_targets(load_scenario(SCENARIOS / "plan.toml").targets_path)


def judge(scenario, target, value: float) -> bool:
    result = scenario.simulate({target.lever.name: value})
    return bool(met(metric_value(result, target), target)[0])


@pytest.mark.parametrize(
    "tid", ["domestic_investment_cum", "new_jobs_cum", "physicians_per_1000", "schools_new"]
)
def test_the_found_value_meets_and_a_little_less_does_not(tid: str) -> None:
    scenario = load_scenario(SCENARIOS / "trend.toml")
    target = TARGETS[tid]
    solution = solve_levers(scenario, [target])[tid]
    assert solution.status == "found"
    width = (solution.high - solution.low) * 1e-5
    step = width if solution.side == ">=" else -width
    assert judge(scenario, target, solution.value)
    assert not judge(scenario, target, solution.value - step)


def test_the_plan_rate_is_what_880_needs() -> None:
    solution = solve_levers(
        load_scenario(SCENARIOS / "plan.toml"), [TARGETS["domestic_investment_cum"]]
    )
    found = solution["domestic_investment_cum"]
    # 880 = 131.0 x sum of (1 + g)^k for k = 1..5, solved exactly
    exact = brentq(lambda g: 131.0 * sum((1 + g) ** k for k in range(1, 6)) - 880, 0.05, 0.15)
    assert found.side == ">=" and found.value == pytest.approx(exact, abs=1e-5)
    assert "domestic_investment_growth_rate ≥ 0.100" in found.describe()


def test_unreachable_and_always_met() -> None:
    scenario = load_scenario(SCENARIOS / "plan.toml")
    narrow = TARGETS["new_jobs_cum"].model_copy(
        update={"lever": Lever(name="public_sector_jobs", range=(0.0, 1000.0))}
    )
    loose = TARGETS["online_approval_rate"]
    out = solve_levers(scenario, [narrow, loose])
    assert out["new_jobs_cum"].status == "unreachable"
    assert out["new_jobs_cum"].describe().startswith("not reachable within the lever's range")
    assert out["online_approval_rate"].status == "always"


def test_a_lever_made_an_input_is_not_searched(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('model = "hexi"\n[inputs.public_sector_jobs]\nequation = "12000"\n')
    out = solve_levers(load_scenario(path), [TARGETS["new_jobs_cum"]])
    assert out["new_jobs_cum"].status == "input"


def test_the_search_is_a_few_batched_runs(monkeypatch) -> None:
    scenario = load_scenario(SCENARIOS / "plan.toml")
    sizes = []
    original = type(scenario).simulate

    def counting(self, extra=None, *, n=None, save=None):
        sizes.append(n)
        return original(self, extra, n=n, save=save)

    monkeypatch.setattr(type(scenario), "simulate", counting)
    solve_levers(scenario, list(TARGETS), grid=21, rounds=3)
    assert len(sizes) == 3
    assert sizes[0] == 21 * len(TARGETS)
    assert np.all(np.array(sizes[1:]) <= 21 * len(TARGETS))
