"""History matching: a known answer, invariance to chunking and executors, the census."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim.calibration.evaluate import ObservedScenario
from sim.calibration.history import history_match, observed_batch
from sim.calibration.observations import load_observations
from sim.uncertainty.executors import make_executor

from .synthetic import write_scenario

ROOT = Path(__file__).resolve().parents[2]
UNCERTAINTY = ROOT / "scenarios" / "uncertainty.toml"
HEXI_OBSERVATIONS = ROOT / "sim" / "models" / "hexi_observations.csv"
BASE = 131.04  # exponential_growth's base_level
LOW, HIGH = 0.0, 0.2  # the prior of growth_rate: uniform
Z, SD = 230.0, 4.0  # one noisy observation of level at time 5


def _exponential(tmp_path: Path) -> tuple[Path, Path]:
    scenario = write_scenario(
        tmp_path,
        "exponential_growth",
        uncertain=f'growth_rate = {{ dist = "uniform", low = {LOW}, high = {HIGH} }}',
    )
    data = tmp_path / "obs.csv"
    data.write_text(f"variable,time,value,sd,source\nlevel,5,{Z},{SD},one noisy reading\n")
    return scenario, data


def _kept_interval(cutoff: float = 3.0) -> tuple[float, float]:
    """With Euler and dt = 1, level(5) = base (1 + g)^6: the runs kept are those with g in
    this interval."""
    return tuple(((Z + s * cutoff * SD) / BASE) ** (1 / 6) - 1 for s in (-1, 1))  # type: ignore[return-value]


def test_kept_share_and_posterior_range_match_the_analytic_answer(tmp_path: Path) -> None:
    scenario, data = _exponential(tmp_path)
    n = 40_000
    result = history_match(scenario, data, samples=n, seed=4, min_kept=100)
    lo, hi = _kept_interval()
    share = (hi - lo) / (HIGH - LOW)
    assert abs(result.share.p - share) < 4 * math.sqrt(share * (1 - share) / n)
    kept = result.parameter_range("growth_rate")["kept"]
    spacing = (HIGH - LOW) / n  # the expected gap between neighbouring draws
    assert lo <= kept["min"] < lo + 20 * spacing
    assert hi - 20 * spacing < kept["max"] <= hi
    assert result.parameter_range("growth_rate")["prior"]["min"] < lo
    assert result.ess == result.kept
    assert result.summary.ruled_out == (n - result.kept,)
    frame = result.to_dataframe("parameters")
    assert frame.loc[0, "kept_min"] == kept["min"]


def _digest(result) -> str:
    return hashlib.sha256(json.dumps(result.to_dict(), sort_keys=True).encode()).hexdigest()


def test_results_do_not_depend_on_chunks_nor_executor(tmp_path: Path) -> None:
    scenario, data = _exponential(tmp_path)
    digests = {
        _digest(history_match(scenario, data, samples=5000, seed=1, chunk_size=size))
        for size in (5000, 1234, 999)
    }
    with make_executor("processes", workers=2) as pool:
        pooled = history_match(scenario, data, samples=5000, seed=1, chunk_size=700, executor=pool)
    digests.add(_digest(pooled))
    assert len(digests) == 1


def test_plan_model_results_do_not_depend_on_chunks() -> None:
    digests = {
        _digest(
            history_match(
                UNCERTAINTY, HEXI_OBSERVATIONS, samples=3000, seed=2, chunk_size=size, min_kept=10
            )
        )
        for size in (3000, 1100)
    }
    assert len(digests) == 1


def test_runs_contradicting_the_2020_census_are_never_kept() -> None:
    n = 6000
    batch, observations = observed_batch(UNCERTAINTY, HEXI_OBSERVATIONS, samples=n, seed=3)
    result = history_match(UNCERTAINTY, observations, samples=n, seed=3, min_kept=10)
    census = next(o for o in observations if o.variable == "resident_population")
    assert (census.value, census.time, census.sd) == (822174.0, 2021.0, 1000.0)
    allowed = 3 * math.sqrt(census.sd**2 + census.discrepancy**2)
    # the kept runs' population at the end of 2020 (every run: n is below the fan rows kept)
    band = result.summary.posterior.trajectories["value:resident_population"]
    at = list(batch.times).index(2021.0)
    assert census.value - allowed <= band.minimum[at] <= band.maximum[at] <= census.value + allowed
    # and an independent count: the same draws, judged here
    outputs = ObservedScenario.of(UNCERTAINTY, observations)(batch.design.sample())
    ok = np.ones(n, dtype=bool)
    for i, obs in enumerate(observations):
        ok &= np.abs(outputs[f"obs:{i}"] - obs.value) <= 3 * obs.scale
    assert result.kept == int(ok.sum())
    assert 0 < result.kept < n
    assert result.summary.prior.trajectories["value:resident_population"].minimum[at] < (
        census.value - allowed
    )


def test_too_few_kept_runs_give_no_posterior_probabilities(tmp_path: Path) -> None:
    result = history_match(UNCERTAINTY, HEXI_OBSERVATIONS, samples=500, seed=1, cutoff=0.05)
    assert not result.enough
    assert result.posterior_probability("new_jobs_cum") is None
    assert all(math.isnan(v) for v in result.to_dataframe()["posterior_p"])
    assert result.to_dict()["enough_kept"] is False
    none = history_match(UNCERTAINTY, HEXI_OBSERVATIONS, samples=100, seed=1, cutoff=1e-6)
    assert none.kept == 0
    json.dumps(none.to_dict(), allow_nan=False)  # strict JSON even with nothing kept


def test_observations_are_checked_against_the_model(tmp_path: Path) -> None:
    from sim.errors import UserInputError
    from sim.scenario import load_scenario

    bad = tmp_path / "obs.csv"
    bad.write_text("variable,year,value,sd,source\nresident_populaton,2020,1,1,x\n")
    with pytest.raises(UserInputError, match="did you mean 'resident_population'"):
        load_observations(bad, load_scenario(UNCERTAINTY).model)


def test_a_wider_cutoff_or_discrepancy_keeps_a_superset(tmp_path: Path) -> None:
    """Kept counts grow with the cut-off and with the discrepancy; a run's fate depends on
    |z - f| / sqrt(sd² + discrepancy²) alone."""
    scenario, data = _exponential(tmp_path)
    kept = [
        history_match(scenario, data, samples=3000, seed=2, cutoff=c, min_kept=1).kept
        for c in (1.0, 2.0, 3.0)
    ]
    assert kept[0] < kept[1] < kept[2]
    wider = tmp_path / "wider.csv"
    wider.write_text(f"variable,time,value,sd,discrepancy,source\nlevel,5,{Z},{SD},3,x\n")
    same = tmp_path / "same.csv"  # sd 5 = sqrt(4² + 3²): the same implausibilities
    same.write_text(f"variable,time,value,sd,source\nlevel,5,{Z},5,x\n")
    a = history_match(scenario, wider, samples=3000, seed=2, min_kept=1)
    b = history_match(scenario, same, samples=3000, seed=2, min_kept=1)
    assert a.kept == b.kept > kept[2]
