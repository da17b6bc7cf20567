"""The plan model through the batch machinery, and the shipped uncertainty scenario."""

from __future__ import annotations

import csv
import json
import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from sim.errors import UserInputError
from sim.models import resolve_model, shipped_model_path
from sim.plan.metrics import metric_value
from sim.scenario import load_scenario
from sim.uncertainty.batch import run_batch
from sim.uncertainty.distributions import Choice, Triangular
from sim.uncertainty.plan import ScenarioEvaluator, path_output, plan_batch

ROOT = Path(__file__).resolve().parents[2]
UNCERTAINTY = ROOT / "scenarios" / "uncertainty.toml"


def _drawn_by_rule(constant, rows) -> bool:
    """Assumptions, and data-sourced constants whose row is an estimate, must be drawn."""
    if constant.source.startswith("assumption"):
        return True
    cited = re.match(r"data: (\w+),(\d{4})", constant.source)
    return cited is not None and rows[cited.groups()]["kind"] == "estimate"


def test_every_assumption_and_estimate_is_uncertain_over_its_range() -> None:
    model = resolve_model("hexi")
    with open(shipped_model_path("hexi").with_name("hexi_data.csv"), encoding="utf-8") as f:
        rows = {(r["quantity"], r["year"]): r for r in csv.DictReader(f)}
    scenario = load_scenario(UNCERTAINTY)
    base = load_scenario(ROOT / "scenarios" / "trend.toml")
    must = {c.name: c for c in model.constants if _drawn_by_rule(c, rows)}
    assert len(must) > 60
    assert set(scenario.uncertain) >= set(must), set(must) - set(scenario.uncertain)
    # the plan's growth rates are drawn too: whether they are plausible is the question
    assert {"domestic_investment_growth_rate", "foreign_capital_growth_rate"} <= set(
        scenario.uncertain
    )
    for name, dist in scenario.uncertain.items():
        constant = model[name]
        if name == "shock_2020":  # a scenario choice: the downturn or not
            assert isinstance(dist, Choice) and sorted(dist.values) == [0.0, 1.0]
            continue
        assert isinstance(dist, Triangular), name
        assert (dist.low, dist.high) == constant.range, name
        assert dist.mode == base.parameters.get(name, constant.value), name
        assert dist.low < dist.mode < dist.high, f"{name}: the mode sits at an edge"


def test_a_small_plan_batch_judges_every_target() -> None:
    batch, _, targets = plan_batch(UNCERTAINTY, samples=300, seed=1)
    result = run_batch(batch, chunk_size=300, show_progress=False)
    data = result.to_dict()
    assert set(data["targets"]) == {t.id for t in targets}
    for entry in data["targets"].values():
        assert 0.0 <= entry["low"] <= entry["p"] <= entry["high"] <= 1.0
        assert entry["n"] == 300
    assert 0.0 <= data["all_targets"]["p"] <= 1.0
    assert len(data["trajectories"][path_output("new_jobs_cum")]["q50"]) == len(batch.times)
    again = run_batch(batch, chunk_size=77, show_progress=False)
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(data, sort_keys=True)


def test_batch_agrees_with_running_the_scenario_directly() -> None:
    batch, scenario, targets = plan_batch(UNCERTAINTY, samples=50, seed=4)
    params = batch.design.sample()
    outputs = batch.evaluate(params)
    one = scenario.simulate({k: v[7] for k, v in params.items()})
    for target in targets:
        assert outputs[target.id][7] == pytest.approx(metric_value(one, target)[0], rel=1e-12)


def test_the_evaluator_travels_light_and_checks_its_files(tmp_path: Path) -> None:
    evaluator = ScenarioEvaluator.of(UNCERTAINTY)
    assert len(pickle.dumps(evaluator)) < 500
    stale = ScenarioEvaluator(evaluator.path, "0" * 16)
    with pytest.raises(UserInputError, match="files differ"):
        stale({"firm_exit_rate": np.array([0.05])})


def test_a_scenario_without_uncertainty_is_a_user_error() -> None:
    with pytest.raises(UserInputError, match="no \\[uncertain\\]"):
        plan_batch(ROOT / "scenarios" / "plan.toml", samples=10, seed=0)
