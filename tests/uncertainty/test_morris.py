"""Morris elementary effects: exact on a linear model, detect interactions."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import UserInputError
from sim.uncertainty.distributions import Uniform
from sim.uncertainty.morris import morris, morris_design
from sim.uncertainty.testfunctions import (
    ISHIGAMI_DISTS,
    LINEAR_COEFFICIENTS,
    LINEAR_DISTS,
    ishigami,
    linear,
)


@pytest.mark.parametrize("levels", [2, 4, 6])
def test_design_moves_each_input_once_per_trajectory(levels: int) -> None:
    r, d = 20, 5
    u, order, step = morris_design(d, r, levels, seed=0)
    paths = u.reshape(r, d + 1, d)
    moves = np.diff(paths, axis=1)
    assert np.all((u > 0) & (u < 1))
    for t in range(r):
        changed = np.nonzero(moves[t])[1]
        assert sorted(changed) == list(range(d))
        np.testing.assert_array_equal(changed, order[t])
        np.testing.assert_allclose(moves[t][np.arange(d), order[t]], step[t])
    assert np.allclose(np.abs(step), 0.98 * levels / (2 * (levels - 1)))


def test_linear_model_effects_are_its_coefficients() -> None:
    result = morris(linear, LINEAR_DISTS, ["y"], trajectories=30, seed=4)
    coefficients = np.array(list(LINEAR_COEFFICIENTS.values()))
    np.testing.assert_allclose(result.mu[0], coefficients, atol=1e-12)
    np.testing.assert_allclose(result.mu_star[0], np.abs(coefficients), atol=1e-12)
    np.testing.assert_allclose(result.sigma[0], 0.0, atol=1e-12)


def test_effects_are_per_full_range_of_the_input() -> None:
    dists = {"x": Uniform(dist="uniform", low=0.0, high=10.0)}
    result = morris(lambda p: {"y": 3.0 * p["x"]}, dists, ["y"], trajectories=4, seed=1)
    assert result.mu_star[0, 0] == pytest.approx(30.0)


def test_ishigami_screening() -> None:
    result = morris(ishigami, ISHIGAMI_DISTS, ["y"], trajectories=200, seed=5)
    mu_star, sigma = result.mu_star[0], result.sigma[0]
    assert np.all(mu_star > 0.5)  # every input matters somewhere
    assert sigma[2] > 0.5 * mu_star[2]  # x3 acts only through its interaction with x1
    low, high = result.mu_star_ci
    assert np.all((low <= mu_star) & (mu_star <= high))
    assert result.to_dict()["runs"] == 200 * 4


def test_same_seed_same_effects_whatever_the_chunks() -> None:
    a = morris(ishigami, ISHIGAMI_DISTS, ["y"], trajectories=50, seed=9)
    b = morris(ishigami, ISHIGAMI_DISTS, ["y"], trajectories=50, seed=9, chunk_size=7)
    np.testing.assert_array_equal(a.mu_star, b.mu_star)
    np.testing.assert_array_equal(a.mu_star_ci, b.mu_star_ci)


@pytest.mark.parametrize(
    ("kwargs", "reason"), [({"levels": 3}, "even"), ({"trajectories": 1}, "at least 2")]
)
def test_bad_options(kwargs: dict, reason: str) -> None:
    options = {"trajectories": 10, "seed": 0, **kwargs}
    with pytest.raises(UserInputError, match=reason):
        morris(linear, LINEAR_DISTS, ["y"], **options)
