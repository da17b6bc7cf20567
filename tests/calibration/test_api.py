"""The Python API: `sim.calibrate` and `sim.history_match` return frozen, typed results."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import sim

from .synthetic import synthetic_data, write_scenario


def test_the_api_is_exported_and_its_results_are_frozen(tmp_path: Path) -> None:
    assert {"calibrate", "history_match", "CalibrationResult", "HistoryMatchResult"} <= set(
        sim.__all__
    )
    scenario = write_scenario(
        tmp_path,
        "logistic",
        dt=0.5,
        uncertain='growth_rate = { dist = "uniform", low = 0.3, high = 0.8 }',
    )
    data = synthetic_data(
        scenario, {"growth_rate": 0.5}, "population", [4, 8], 10.0, 0, tmp_path / "obs.csv"
    )
    fitted = sim.calibrate(scenario, data, ["growth_rate"])
    assert isinstance(fitted, sim.CalibrationResult)
    matched = sim.history_match(scenario, data, samples=2000, seed=0, min_kept=10)
    assert isinstance(matched, sim.HistoryMatchResult)
    for result in (fitted, matched):
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.warnings = ()  # type: ignore[misc]
    assert list(fitted.to_dataframe()["parameter"]) == ["growth_rate"]
    frame = matched.to_dataframe("parameters")
    assert frame.loc[0, "kept_min"] >= frame.loc[0, "prior_min"]
    assert list(matched.to_dataframe("observations")["variable"]) == ["population"] * 2
    assert len(matched.to_dataframe()) == 0  # a model without targets
