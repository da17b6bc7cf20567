"""Distributions: validation, agreement of `.ppf` with the frozen scipy distribution."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from sim.errors import UserInputError
from sim.uncertainty.distributions import (
    Choice,
    Distribution,
    LogNormal,
    Triangular,
    TruncNormal,
    Uniform,
    parse_distribution,
)

GOOD = [
    {"dist": "uniform", "low": 1, "high": 3},
    {"dist": "triangular", "low": 0.06, "mode": 0.1, "high": 0.12},
    {"dist": "truncnormal", "mean": 5.0, "sd": 1.0, "low": 3.0, "high": 9.0},
    {"dist": "lognormal", "median": 2.0, "sigma": 0.3},
    {"dist": "lognormal", "mu": 0.5, "sigma": 0.3},
    {"dist": "choice", "values": [1.25, 0.8, 1.0], "weights": [0.3, 0.2, 0.5]},
    {"dist": "choice", "values": [2, 3]},
]

U = (np.arange(100) + 0.5) / 100  # away from the jumps of discrete CDFs


@pytest.mark.parametrize("data", GOOD, ids=lambda d: d["dist"])
def test_ppf_matches_frozen_scipy(data: dict) -> None:
    dist = parse_distribution(data)
    frozen = dist.frozen()
    got = dist.ppf(U)
    assert got.shape == U.shape
    if isinstance(dist, Choice):
        np.testing.assert_array_equal(got, frozen.ppf(U))
    else:
        np.testing.assert_allclose(got, frozen.ppf(U), rtol=1e-12)
    assert np.all(np.diff(got) >= 0)


@pytest.mark.parametrize("data", GOOD, ids=lambda d: d["dist"])
def test_ppf_of_uniform_numbers_has_the_right_mean(data: dict) -> None:
    dist = parse_distribution(data)
    u = (np.arange(200_000) + 0.5) / 200_000
    assert dist.ppf(u).mean() == pytest.approx(dist.frozen().mean(), rel=2e-3)


def test_parameters_mean_what_they_say() -> None:
    assert LogNormal(dist="lognormal", median=2.0, sigma=0.3).frozen().median() == pytest.approx(2)
    assert TruncNormal(dist="truncnormal", mean=0, sd=1, low=-1, high=1).bounds() == (-1, 1)
    assert Uniform(dist="uniform", low=1, high=3).bounds() == (1.0, 3.0)
    tri = Triangular(dist="triangular", low=0, mode=0, high=1)
    assert tri.ppf(np.array([0.0, 1.0])).tolist() == [0.0, 1.0]
    choice = Choice(dist="choice", values=[3.0, 1.0], weights=[1.0, 3.0])
    assert choice.ppf(np.array([0.0, 0.75, 0.76, 1.0])).tolist() == [1.0, 1.0, 3.0, 3.0]


def test_describe_is_a_short_label() -> None:
    assert parse_distribution(GOOD[1]).describe() == "triangular(0.06, 0.1, 0.12)"
    assert parse_distribution(GOOD[6]).describe() == "choice([2, 3])"


BAD = [
    ({"dist": "uniform", "low": 3, "high": 1}, "", "below high"),
    ({"dist": "uniform", "low": 1, "high": float("inf")}, "high", "finite"),
    ({"dist": "uniform", "low": 1, "high": 2, "mode": 1}, "mode", "Extra inputs"),
    ({"dist": "uniform", "low": 1}, "high", "required"),
    ({"dist": "uniform", "low": True, "high": 2}, "low", "boolean"),
    ({"dist": "triangular", "low": 0, "mode": 2, "high": 1}, "", "low <= mode <= high"),
    ({"dist": "truncnormal", "mean": 0, "sd": 0, "low": -1, "high": 1}, "sd", "greater than 0"),
    ({"dist": "truncnormal", "mean": 0, "sd": 1, "low": 1, "high": 1}, "", "below high"),
    ({"dist": "lognormal", "median": 2, "mu": 1, "sigma": 1}, "", "exactly one"),
    ({"dist": "lognormal", "sigma": 1}, "", "exactly one"),
    ({"dist": "lognormal", "median": -2, "sigma": 1}, "median", "greater than 0"),
    ({"dist": "choice", "values": []}, "values", "at least 1"),
    ({"dist": "choice", "values": [1, 2], "weights": [1]}, "", "1 weights for 2 values"),
    ({"dist": "choice", "values": [1, 2], "weights": [1, -1]}, "weights.1", "greater than"),
    ({"dist": "choice", "values": [1, 1]}, "", "distinct"),
    ({"dist": "gamma", "a": 1}, "", "unknown dist 'gamma'"),
    ({"low": 1, "high": 2}, "", "missing 'dist'"),
]


@pytest.mark.parametrize(("data", "field", "reason"), BAD, ids=lambda x: str(x)[:40])
def test_bad_input_names_file_field_and_reason(data: dict, field: str, reason: str) -> None:
    with pytest.raises(UserInputError, match=reason) as info:
        parse_distribution(data, file="s.toml", field="uncertain.growth")
    error = info.value
    assert error.file == "s.toml"
    assert error.field == ".".join(p for p in ("uncertain.growth", field) if p)
    assert "\n" not in str(error)


def test_usable_as_a_field_of_a_scenario_schema() -> None:
    class Scenario(BaseModel):
        uncertain: dict[str, Distribution] = {}

    s = Scenario.model_validate({"uncertain": {"g": {"dist": "uniform", "low": 0, "high": 1}}})
    assert isinstance(s.uncertain["g"], Uniform)
    with pytest.raises(ValidationError, match="below high"):
        Scenario.model_validate({"uncertain": {"g": {"dist": "uniform", "low": 1, "high": 0}}})


@given(
    low=st.floats(-1e6, 1e6),
    width=st.floats(1e-3, 1e6),
    u=st.lists(st.floats(0, 1), min_size=1, max_size=20),
)
def test_uniform_ppf_stays_in_range(low: float, width: float, u: list[float]) -> None:
    x = Uniform(dist="uniform", low=low, high=low + width).ppf(np.array(u))
    assert np.all((x >= low) & (x <= low + width * (1 + 1e-12)))
