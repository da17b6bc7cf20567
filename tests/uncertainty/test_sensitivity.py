"""Sobol' indices against the analytic values of Ishigami and a linear model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from sim.uncertainty.executors import make_executor
from sim.uncertainty.sensitivity import resampled_indices, sobol
from sim.uncertainty.testfunctions import (
    ISHIGAMI_DISTS,
    ISHIGAMI_S1,
    ISHIGAMI_ST,
    LINEAR_DISTS,
    ishigami,
    linear,
    linear_indices,
)


@pytest.fixture(scope="module")
def ishigami_result():
    return sobol(ishigami, ISHIGAMI_DISTS, ["y"], n=2**12, seed=1, n_resamples=300)


def test_ishigami_indices_lie_within_their_intervals(ishigami_result) -> None:
    r = ishigami_result
    s1, st = np.array([ISHIGAMI_S1]), np.array([ISHIGAMI_ST])
    assert np.all((r.first_ci[0] <= s1) & (s1 <= r.first_ci[1]))
    assert np.all((r.total_ci[0] <= st) & (st <= r.total_ci[1]))
    np.testing.assert_allclose(r.first, s1, atol=0.01)
    np.testing.assert_allclose(r.total, st, atol=0.01)
    assert np.all(r.first_ci[0] < r.first_ci[1])


def test_linear_model_has_no_interactions() -> None:
    r = sobol(linear, LINEAR_DISTS, ["y"], n=2**11, seed=3, n_resamples=200)
    exact = np.array([linear_indices()])
    np.testing.assert_allclose(r.first, exact, atol=0.01)
    np.testing.assert_allclose(r.total, exact, atol=0.01)
    assert np.all((r.total_ci[0] - 1e-12 <= exact) & (exact <= r.total_ci[1] + 1e-12))
    assert r.total[0, 3] == 0.0  # an input the model ignores


def test_several_outputs_and_a_met_flag_at_once() -> None:
    r = sobol(_two_outputs, ISHIGAMI_DISTS, ["y", "met"], n=2**10, seed=2, n_resamples=100)
    assert r.first.shape == r.total.shape == (2, 3)
    assert r.first_ci.shape == (2, 2, 3)
    # whether y > 7 depends on x1 and x2 more than on x3
    assert min(r.total[1, :2]) > r.total[1, 2] > 0
    data = r.to_dict()
    assert set(data["indices"]) == {"y", "met"}
    assert data["runs"] == 2**10 * 5
    json.dumps(data)


def _two_outputs(params: dict) -> dict:
    y = ishigami(params)["y"]
    return {"y": y, "met": y > 7.0}


def test_chunking_and_executor_do_not_change_indices(ishigami_result) -> None:
    again = sobol(ishigami, ISHIGAMI_DISTS, ["y"], n=2**12, seed=1, n_resamples=300, chunk_size=999)
    np.testing.assert_array_equal(again.first, ishigami_result.first)
    np.testing.assert_array_equal(again.total_ci, ishigami_result.total_ci)
    with make_executor("processes", workers=2) as ex:
        pooled = sobol(
            ishigami, ISHIGAMI_DISTS, ["y"], n=2**12, seed=1, n_resamples=300, executor=ex
        )
    np.testing.assert_array_equal(pooled.total, ishigami_result.total)


def test_n_must_be_a_power_of_two() -> None:
    from sim.errors import UserInputError

    with pytest.raises(UserInputError, match="power of 2"):
        sobol(ishigami, ISHIGAMI_DISTS, ["y"], n=1000, seed=1)


def test_resampled_indices_are_scipys_estimator_on_each_resample() -> None:
    rng = np.random.default_rng(0)
    f_a, f_b = rng.normal(size=(2, 256)), rng.normal(size=(2, 256))
    f_ab = rng.normal(size=(4, 2, 256)) + f_a
    rows = rng.integers(0, 256, 256)
    weights = np.bincount(rows, minlength=256)[None]
    first, total = resampled_indices(f_a, f_b, f_ab, weights)
    res = stats.sobol_indices(
        func={"f_A": f_a[:, rows], "f_B": f_b[:, rows], "f_AB": f_ab[..., rows]}, n=256
    )
    np.testing.assert_allclose(first[0], res.first_order, atol=1e-12)
    np.testing.assert_allclose(total[0], res.total_order, atol=1e-12)


def test_constant_output_has_zero_indices() -> None:
    r = sobol(lambda p: {"c": np.ones_like(p["x1"])}, ISHIGAMI_DISTS, ["c"], n=64, seed=0)
    assert not r.first.any() and not r.total.any() and not r.total_ci.any()
