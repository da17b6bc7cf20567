"""Calibration on synthetic data with known parameters: recovery, interval coverage, profile
likelihood against the Jacobian, and the confounding warning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.calibration import calibrate
from sim.errors import UserInputError

from .synthetic import synthetic_data, write_scenario

HERE = Path(__file__).parent
LOGISTIC_TRUTH = {"growth_rate": 0.55, "carrying_capacity": 1000.0}
LOOP_TRUTH = {"adjustment_time": 3.0, "demand_step": 2.5}


def _logistic(tmp_path: Path, seed: int) -> tuple[Path, Path]:
    scenario = write_scenario(
        tmp_path, "logistic", dt=0.5, parameters={"growth_rate": 0.4, "carrying_capacity": 800.0}
    )
    data = synthetic_data(
        scenario,
        LOGISTIC_TRUTH,
        "population",
        list(range(1, 21, 2)),
        20.0,
        seed,
        tmp_path / f"obs{seed}.csv",
    )
    return scenario, data


def _loop(tmp_path: Path, seed: int) -> tuple[Path, Path]:
    scenario = write_scenario(
        tmp_path, "three_stock_loop", parameters={"adjustment_time": 5.0, "demand_step": 1.0}
    )
    data = synthetic_data(
        scenario,
        LOOP_TRUTH,
        "inventory",
        list(range(2, 21)),
        0.5,
        seed,
        tmp_path / f"obs{seed}.csv",
    )
    return scenario, data


def _covered(result, truth: dict[str, float]) -> list[bool]:
    return [e.low <= truth[e.name] <= e.high for e in result.estimates]


@pytest.mark.parametrize(("make", "truth"), [(_logistic, LOGISTIC_TRUTH), (_loop, LOOP_TRUTH)])
def test_recovers_known_parameters_within_their_intervals(tmp_path, make, truth) -> None:
    scenario, data = make(tmp_path, seed=4)
    result = calibrate(scenario, data, list(truth))
    assert all(_covered(result, truth))
    for e in result.estimates:
        assert e.se > 0 and e.high - e.low < 0.3 * abs(truth[e.name])
        assert e.value != e.start
    assert result.warnings == ()
    assert 0 < result.p_value < 1
    # every Jacobian is one simulate call of 2p + 1 runs: there are fewer calls than runs / 2
    assert result.calls < result.runs / 2


def _coverage(tmp_path: Path, make, truth, seeds: range) -> float:
    hits = []
    for seed in seeds:
        scenario, data = make(tmp_path, seed)
        hits += _covered(calibrate(scenario, data, list(truth)), truth)
    return float(np.mean(hits))


def test_interval_coverage_over_20_seeds(tmp_path: Path) -> None:
    assert _coverage(tmp_path, _logistic, LOGISTIC_TRUTH, range(20)) >= 0.85


@pytest.mark.slow
@pytest.mark.parametrize(("make", "truth"), [(_logistic, LOGISTIC_TRUTH), (_loop, LOOP_TRUTH)])
def test_interval_coverage_over_200_seeds(tmp_path, make, truth) -> None:
    assert 0.90 <= _coverage(tmp_path, make, truth, range(200)) <= 0.98


@pytest.mark.parametrize(("names", "tolerance"), [(["demand_step"], 0.01), (list(LOOP_TRUTH), 0.2)])
def test_profile_likelihood_agrees_with_the_jacobian_on_a_near_linear_problem(
    tmp_path: Path, names: list[str], tolerance: float
) -> None:
    """Inventory is linear in the demand step (exact agreement) and mildly curved in the
    adjustment time."""
    scenario, data = _loop(tmp_path, seed=5)
    result = calibrate(scenario, data, names, profile=True)
    for e in result.estimates:
        assert e.profile is not None
        half = (e.high - e.low) / 2
        assert e.profile[0] == pytest.approx(e.low, abs=tolerance * half)
        assert e.profile[1] == pytest.approx(e.high, abs=tolerance * half)


def test_the_profile_follows_a_curved_likelihood(tmp_path: Path) -> None:
    """With few, noisy points on the logistic, the profile interval is asymmetric."""
    scenario, data = _logistic(tmp_path, seed=1)
    result = calibrate(scenario, data, ["growth_rate"], profile=["growth_rate"])
    (e,) = result.estimates
    assert e.profile[0] < e.value < e.profile[1]
    assert e.profile[1] - e.value != pytest.approx(e.value - e.profile[0], rel=1e-4)


def test_parameters_that_enter_only_as_a_product_are_flagged(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, str(HERE / "product.toml"))
    data = synthetic_data(
        scenario, {"a": 1.5, "b": 2.0}, "level", list(range(1, 11)), 0.3, 0, tmp_path / "obs.csv"
    )
    result = calibrate(scenario, data, ["a", "b"])
    assert any(w.startswith("confounded: a and b") for w in result.warnings)
    a, b = result.estimates
    assert a.value * b.value == pytest.approx(3.0, rel=0.02)
    single = calibrate(scenario, data, ["a"])
    assert not any("confounded" in w for w in single.warnings)


def test_bad_fit_names_are_refused(tmp_path: Path) -> None:
    scenario, data = _logistic(tmp_path, seed=0)
    with pytest.raises(UserInputError, match="did you mean 'growth_rate'"):
        calibrate(scenario, data, ["growth_rte"])
    with pytest.raises(UserInputError, match="is a stock"):
        calibrate(scenario, data, ["population"])
    with pytest.raises(UserInputError, match="named twice"):
        calibrate(scenario, data, ["growth_rate", "Growth Rate"])


def test_result_as_dataframe_and_dict(tmp_path: Path) -> None:
    scenario, data = _logistic(tmp_path, seed=0)
    result = calibrate(
        scenario, data, ["growth_rate", "carrying_capacity"], profile=["growth_rate"]
    )
    frame = result.to_dataframe()
    assert list(frame["parameter"]) == ["growth_rate", "carrying_capacity"]
    assert {"estimate", "low95", "high95", "profile_low95"} <= set(frame.columns)
    d = result.to_dict()
    assert d["estimates"]["carrying_capacity"]["bounds"] == [None, None]
    assert d["statistics"][0]["variable"] == "population"
    s = result.statistics[0]
    assert s.um + s.us + s.uc == pytest.approx(1.0)
