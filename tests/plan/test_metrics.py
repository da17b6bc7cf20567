"""Target metrics over results: vectorized over scenarios, with honest comparisons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.plan.metrics import (
    evaluate_targets,
    first_year_met,
    lost_year,
    margins,
    met,
    metric_series,
    metric_value,
)
from sim.plan.targets import Target, load_targets
from sim.results import Result
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PLAN = load_scenario(ROOT / "scenarios" / "plan.toml")
TARGETS = load_targets(PLAN.targets_path)


def target(**changes) -> Target:
    spec = dict(
        title="t",
        sector="s",
        kind="k",
        evidence="modelled",
        metric="x",
        comparator=">=",
        threshold=10.0,
        unit="u",
        quote="q",
        id="t",
    )
    spec.update(changes)
    return Target(**spec)


def fake(values: list[list[float]]) -> Result:
    data = np.asarray(values, dtype=float).T[:, None, :]  # (time, 1, n)
    return Result(np.arange(2016.0, 2016.0 + data.shape[0]), ("x",), data, {"x": "u"})


def test_a_batch_gives_what_each_run_gives() -> None:
    rates = np.array([0.02, 0.10, 0.2])
    batch = evaluate_targets(PLAN.simulate({"gap_closing_rate": rates}), TARGETS)
    for i, rate in enumerate(rates):
        one = evaluate_targets(PLAN.simulate({"gap_closing_rate": rate}), TARGETS)
        for tid, values in batch.items():
            assert values.shape == (3,)
            assert values[i] == pytest.approx(one[tid][0], rel=1e-12), tid


def test_met_counts_rounding_as_met_and_nan_as_missed() -> None:
    t = target(threshold=880.0)
    assert met(np.array([880.0 - 1e-7, 879.99, np.nan]), t).tolist() == [True, False, False]
    below = target(comparator="<=", threshold=0.0)
    assert met(np.array([0.0, 1e-12, 0.5]), below).tolist() == [True, True, False]


def test_infinity_is_never_met() -> None:
    assert met(np.array([np.inf, -np.inf, 1e308]), target(threshold=880.0)).tolist() == [
        False,
        False,
        True,
    ]
    below = target(comparator="<=", threshold=0.0)
    assert met(np.array([-np.inf, -1.0]), below).tolist() == [False, True]


def test_margins_are_positive_when_met() -> None:
    absolute, relative = margins(np.array([12.0, 8.0]), target())
    assert absolute.tolist() == [2.0, -2.0] and relative.tolist() == [0.2, -0.2]
    absolute, relative = margins(np.array([3.0]), target(comparator="<=", threshold=0.0))
    assert absolute.tolist() == [-3.0] and np.isnan(relative).all()


def test_first_year_met_and_running_extremes() -> None:
    result = fake([[0, 5, 11, 12, 9, 14], [0, 1, 2, 3, 4, 5]])
    assert first_year_met(result, target()).tolist()[0] == 2017  # value at 2018.0 = end-2017
    assert np.isnan(first_year_met(result, target())[1])
    kept = target(metric="x", over="max", from_year=2016, comparator="<=", threshold=11.5)
    series = metric_series(result, kept)
    assert np.isnan(series[0, 0]) and series[-1, 0] == 14 and series[2, 0] == 11
    assert met(series[-1], kept).tolist() == [False, True]


def test_a_metric_has_no_value_before_its_first_year() -> None:
    # a share over the past year: 0 at the baseline means "not yet", not "0 %"
    result = fake([[0, 50, 60, 70, 80, 90]])
    series = metric_series(result, target(from_year=2016))[:, 0]
    assert np.isnan(series[0]) and series[1:].tolist() == [50, 60, 70, 80, 90]
    assert first_year_met(result, target(comparator="<=", threshold=40, from_year=2016))[0] != 2015
    placement = next(t for t in TARGETS if t.id == "hard_to_employ_placement")
    assert np.isnan(metric_series(PLAN.simulate(), placement)[0, 0])


def test_expressions_and_time() -> None:
    result = fake([[1, 2, 3, 4, 5, 6]])
    assert metric_series(result, target(metric="100 * x / MAX(x, 2)"))[:, 0].tolist() == [
        50,
        100,
        100,
        100,
        100,
        100,
    ]
    assert metric_series(result, target(metric="TIME - x"))[0, 0] == 2015.0


def test_lost_year_is_the_first_year_missed_after_one_met() -> None:
    # values at 2016.0 .. 2021.0 are the end of 2015 .. 2020
    result = fake([[0, 12, 11, 9, 8, 14], [0, 12, 13, 14, 15, 16], [0, 1, 2, 3, 4, 5]])
    assert first_year_met(result, target()).tolist()[:2] == [2016, 2016]
    lost = lost_year(result, target())
    assert lost[0] == 2018 and np.isnan(lost[1]) and np.isnan(lost[2])
    # a year after the target's does not count as lost
    assert np.isnan(lost_year(result, target(year=2017))[0])


def test_lag_is_the_value_years_earlier_and_nan_before_the_start() -> None:
    result = fake([[1, 3, 6, 10, 15, 21]])  # a cumulative stock
    during = metric_series(result, target(metric="x - LAG(x, 1)"))[:, 0]
    assert np.isnan(during[0]) and during[1:].tolist() == [2, 3, 4, 5, 6]
    two = metric_series(result, target(metric="LAG(x, 2)"))[:, 0]
    assert np.isnan(two[:2]).all() and two[2:].tolist() == [1, 3, 6, 10]
    assert metric_series(result, target(metric="LAG(x, 0)"))[:, 0].tolist() == [1, 3, 6, 10, 15, 21]
    half = metric_series(result, target(metric="LAG(x, 0.5)"))[:, 0]  # not saved: NaN
    assert np.isnan(half).all()


@given(
    st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=12),
    st.integers(0, 12),
)
def test_lag_shifts_any_series_along_the_saved_times(values: list[float], k: int) -> None:
    n = len(values)
    result = fake([values, [2 * v for v in values]])
    lagged = metric_series(result, target(metric=f"LAG(x, {k})"))
    assert lagged.shape == (n, 2)
    assert np.isnan(lagged[: min(k, n)]).all()
    assert lagged[k:, 0].tolist() == values[: max(0, n - k)]
    assert lagged[k:, 1].tolist() == [2 * v for v in values[: max(0, n - k)]]


def test_lag_of_the_shipped_model_is_the_amount_during_a_year() -> None:
    result = PLAN.simulate()
    during = target(metric="domestic_investment_cum - LAG(domestic_investment_cum, 1)")
    past_year = result["domestic_investment_last_year"][:, 0]  # the model's one-year conveyor
    series = metric_series(result, during)[:, 0]
    later = result.times >= 2017.0 - 1e-9
    assert np.isnan(series[~later]).all()
    assert series[later] == pytest.approx(past_year[later], rel=1e-9)
    assert metric_value(result, during)[0] == pytest.approx(past_year[-1], rel=1e-9)
