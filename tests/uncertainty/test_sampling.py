"""Sampling: chunk-size invariance, stratification, seeds as explicit inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.errors import UserInputError
from sim.uncertainty.distributions import Triangular, Uniform
from sim.uncertainty.sampling import BLOCK, Design, Method, chunk_bounds, random_permutation

DISTS = {
    "a": Uniform(dist="uniform", low=0, high=1),
    "b": Triangular(dist="triangular", low=1, mode=2, high=4),
    "c": Uniform(dist="uniform", low=-5, high=5),
}


def _chunked(design: Design, chunk_size: int) -> np.ndarray:
    parts = [design.unit(s, e) for s, e in chunk_bounds(design.n, chunk_size)]
    return np.concatenate(parts)


@given(
    method=st.sampled_from(list(Method)),
    log_n=st.integers(0, 13),
    chunk=st.integers(1, 5000),
    seed=st.integers(0, 2**63),
)
@settings(max_examples=40, deadline=None)
def test_chunks_reproduce_the_whole_design(method: Method, log_n: int, chunk: int, seed: int):
    n = 2**log_n if method is Method.SOBOL else 2**log_n + 3
    design = Design(DISTS, n=n, seed=seed, method=method)
    whole = design.unit(0, n)
    assert whole.shape == (n, 3)
    np.testing.assert_array_equal(_chunked(design, chunk), whole)
    # chunks evaluated out of order (as workers do) give the same rows
    bounds = chunk_bounds(n, chunk)
    for s, e in reversed(bounds):
        np.testing.assert_array_equal(design.unit(s, e), whole[s:e])


@pytest.mark.parametrize("method", list(Method))
def test_unit_rows_are_uniform_and_seed_dependent(method: Method) -> None:
    n = 2**13
    u = Design(DISTS, n=n, seed=0, method=method).unit(0, n)
    assert np.all((u >= 0) & (u < 1))
    for j in range(3):
        assert stats.kstest(u[:, j], "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u.T)[0, 1]) < 0.05
    other = Design(DISTS, n=n, seed=1, method=method).unit(0, n)
    assert not np.array_equal(u, other)
    np.testing.assert_array_equal(u, Design(DISTS, n=n, seed=0, method=method).unit(0, n))


@pytest.mark.parametrize("n", [1, 2, 7, 100, 1000, 4097])
def test_latin_hypercube_uses_every_stratum_once(n: int) -> None:
    u = Design(DISTS, n=n, seed=3, method=Method.LHS).unit(0, n)
    for j in range(3):
        assert sorted(np.floor(u[:, j] * n).astype(int)) == list(range(n))


@given(n=st.integers(1, 3000), keys=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=6))
@settings(max_examples=60, deadline=None)
def test_random_permutation_is_a_bijection(n: int, keys: list[int]) -> None:
    perm = random_permutation(np.arange(n), n, [np.uint64(k) for k in keys])
    assert sorted(perm.tolist()) == list(range(n))


def test_sobol_rows_are_scipys_scrambled_sequence() -> None:
    design = Design(DISTS, n=64, seed=5, method="sobol")
    u = design.unit(0, 64)
    # first point of each dyadic interval: the defining net property of Sobol' points
    for j in range(3):
        assert sorted(np.floor(u[:, j] * 64).astype(int)) == list(range(64))


def test_mc_blocks_do_not_depend_on_the_number_of_rows() -> None:
    small = Design(DISTS, n=10, seed=9).unit(0, 10)
    big = Design(DISTS, n=3 * BLOCK, seed=9).unit(0, 3 * BLOCK)
    np.testing.assert_array_equal(small, big[:10])


def test_mc_columns_survive_an_added_parameter() -> None:
    more = {**DISTS, "d": Uniform(dist="uniform", low=0, high=1)}
    u3 = Design(DISTS, n=100, seed=4).unit(0, 100)
    u4 = Design(more, n=100, seed=4).unit(0, 100)
    np.testing.assert_array_equal(u3, u4[:, :3])


def test_sample_maps_through_ppf() -> None:
    design = Design(DISTS, n=1000, seed=2, method="lhs")
    values = design.sample(10, 20)
    u = design.unit(10, 20)
    assert list(values) == ["a", "b", "c"]
    np.testing.assert_array_equal(values["b"], DISTS["b"].ppf(u[:, 1]))
    assert np.all((values["c"] >= -5) & (values["c"] <= 5))


def test_global_numpy_state_is_untouched() -> None:
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    Design(DISTS, n=100, seed=0, method="lhs").unit(0, 100)
    Design(DISTS, n=128, seed=0, method="sobol").unit(0, 128)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"n": 100, "seed": 1, "method": "sobol"}, "samples", "power of 2.*64 or 128"),
        ({"n": 0, "seed": 1}, "samples", "at least 1"),
        ({"n": 10, "seed": -1}, "seed", "non-negative"),
        ({"n": 10, "seed": 1.5}, "seed", "whole number"),
        ({"n": 10, "seed": 1, "method": "halton"}, "method", "unknown method 'halton'"),
    ],
)
def test_bad_options_are_user_errors(kwargs: dict, field: str, reason: str) -> None:
    with pytest.raises(UserInputError, match=reason) as info:
        Design(DISTS, **kwargs)
    assert info.value.field == field


def test_chunk_bounds() -> None:
    assert chunk_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_bounds(0, 4) == []
    with pytest.raises(UserInputError, match="at least 1"):
        chunk_bounds(10, 0)
