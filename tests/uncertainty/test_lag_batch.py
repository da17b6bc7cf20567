"""A metric with LAG is judged in batch exactly as in a single run: the batch saves its times."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.plan.metrics import metric_value
from sim.plan.targets import load_targets
from sim.scenario import load_scenario
from sim.uncertainty.plan import ScenarioEvaluator

ROOT = Path(__file__).resolve().parents[2]
DURING = "domestic_investment_cum - LAG(domestic_investment_cum, 1)"


def test_a_lagged_metric_in_batch(tmp_path: Path) -> None:
    shipped = ROOT / "sim" / "models" / "hexi_targets.toml"
    text = shipped.read_text(encoding="utf-8").replace('data = "hexi_data.csv"\n', "")
    text = text.replace('metric = "domestic_investment_cum"', f'metric = "{DURING}"', 1)
    (tmp_path / "targets.toml").write_text(text, encoding="utf-8")
    scenario_file = tmp_path / "lagged.toml"
    scenario_file.write_text(
        f'extends = "{(ROOT / "scenarios" / "uncertainty.toml").as_posix()}"\n'
        'targets = "targets.toml"\n',
        encoding="utf-8",
    )
    rates = np.array([0.05, 0.1, 0.2])
    out = ScenarioEvaluator.of(scenario_file)({"domestic_investment_growth_rate": rates})
    scenario = load_scenario(scenario_file)
    target = load_targets(tmp_path / "targets.toml")["domestic_investment_cum"]
    for i, rate in enumerate(rates):
        one = scenario.simulate({"domestic_investment_growth_rate": rate})
        expected = metric_value(one, target)[0]
        assert out["domestic_investment_cum"][i] == pytest.approx(expected, rel=1e-12)
        during_2020 = one["domestic_investment_last_year"][-1, 0]  # the one-year conveyor
        assert expected == pytest.approx(during_2020, rel=1e-9)
    path = out["domestic_investment_cum:path"]
    assert np.isnan(path[0]).all() and np.isfinite(path[-1]).all()  # no year before 2016
