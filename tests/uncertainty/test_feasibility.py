"""Feasibility maps over two levers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import UserInputError
from sim.uncertainty.batch import Threshold
from sim.uncertainty.feasibility import feasibility_map
from sim.uncertainty.sampling import Design
from sim.uncertainty.testfunctions import GROWTH_DISTS, growth

TARGET = Threshold("cumulative_650", "cumulative", 650.0)
GROWTH = ("growth", np.linspace(0.0, 0.2, 9))
SHOCK = ("shock", np.linspace(0.0, 0.3, 4))


def test_probability_per_cell_matches_a_direct_count() -> None:
    result = feasibility_map(growth, TARGET, GROWTH, SHOCK, GROWTH_DISTS, samples=300, seed=3)
    assert result.probability.shape == (4, 9)
    assert np.all(np.diff(result.probability, axis=1) >= 0)  # more growth never hurts
    draws = Design({"base": GROWTH_DISTS["base"]}, n=300, seed=3).sample()["base"]
    g, s = 0.1, 0.1
    direct = growth({"base": draws, "growth": np.full(300, g), "shock": np.full(300, s)})
    i, j = 1, 4  # shock 0.1, growth 0.1
    assert result.probability[i, j] == pytest.approx((direct["cumulative"] >= 650).mean())
    assert result.median[i, j] == pytest.approx(np.median(direct["cumulative"]))


def test_chunking_does_not_change_the_map() -> None:
    a = feasibility_map(growth, TARGET, GROWTH, SHOCK, GROWTH_DISTS, samples=64, seed=1)
    b = feasibility_map(
        growth, TARGET, GROWTH, SHOCK, GROWTH_DISTS, samples=64, seed=1, cells_per_chunk=5
    )
    np.testing.assert_array_equal(a.probability, b.probability)
    np.testing.assert_array_equal(a.median, b.median)


def _no_shock(params: dict) -> dict:
    return growth({**params, "shock": np.zeros_like(params["base"])})


def test_without_other_uncertainty_cells_are_met_or_not() -> None:
    levers = ("base", np.array([90.0, 110.0]))
    result = feasibility_map(_no_shock, TARGET, GROWTH, levers, {}, samples=10, seed=0)
    assert result.samples == 1
    assert set(np.unique(result.probability)) == {0.0, 1.0}
    cumulative = _no_shock({"base": np.array([110.0]), "growth": np.array([0.05])})["cumulative"]
    assert result.probability[1, 2] == float(cumulative[0] >= 650)
    assert result.to_dict()["x"]["name"] == "growth"


def test_levers_must_differ() -> None:
    with pytest.raises(UserInputError, match="must differ"):
        feasibility_map(growth, TARGET, GROWTH, GROWTH, GROWTH_DISTS, samples=10, seed=0)
