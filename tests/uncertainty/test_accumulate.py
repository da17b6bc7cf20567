"""Summaries: exact, order-independent merging; quantiles within a bin; Wilson intervals."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import reduce
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.uncertainty.accumulate import Binning, Summarizer, Summary, wilson

RNG_SEED = 20240601


def _data(n: int = 5000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(RNG_SEED)
    x = rng.lognormal(0.0, 0.7, n)
    y = rng.normal(10.0, 2.0, n)
    path = np.cumsum(rng.normal(1.0, 0.3, (6, n)), axis=0)
    return {"x": x, "y": y, "path": path}


def _summarizer(data: dict[str, np.ndarray]) -> Summarizer:
    pilot = slice(0, 200)
    return Summarizer(
        targets=("x_big", "y_big"),
        metrics={k: Binning.from_pilot(data[k][pilot]) for k in ("x", "y")},
        trajectories={"path": Binning.from_pilot(data["path"][:, pilot], bins=256)},
    )


def _summarize(summarizer: Summarizer, data: dict[str, np.ndarray], s: int, e: int) -> Summary:
    x, y = data["x"][s:e], data["y"][s:e]
    return summarizer(
        e - s,
        {"x_big": x > 1.0, "y_big": y > 9.0},
        {"x": x, "y": y},
        {"path": data["path"][:, s:e]},
    )


def _same(a: Summary, b: Summary) -> None:
    assert (a.n, a.met, a.joint) == (b.n, b.met, b.joint)
    for group in ("metrics", "trajectories"):
        for name, h in getattr(a, group).items():
            other = getattr(b, group)[name]
            np.testing.assert_array_equal(h.counts, other.counts)
            np.testing.assert_array_equal(h.minimum, other.minimum)
            np.testing.assert_array_equal(h.maximum, other.maximum)
            assert h.sums == other.sums
            np.testing.assert_array_equal(h.at_low, other.at_low)
            np.testing.assert_array_equal(h.at_high, other.at_high)
            np.testing.assert_array_equal(
                h.quantiles([0.05, 0.5, 0.95]), other.quantiles([0.05, 0.5, 0.95])
            )


DATA = _data()
SUMMARIZER = _summarizer(DATA)
WHOLE = _summarize(SUMMARIZER, DATA, 0, len(DATA["x"]))


@given(cuts=st.lists(st.integers(1, 4999), max_size=12, unique=True), seed=st.integers(0, 99))
@settings(max_examples=40, deadline=None)
def test_merging_chunks_in_any_order_gives_the_whole(cuts: list[int], seed: int) -> None:
    bounds = [0, *sorted(cuts), 5000]
    parts = [_summarize(SUMMARIZER, DATA, s, e) for s, e in pairwise(bounds)]
    order = np.random.default_rng(seed).permutation(len(parts))
    shuffled = reduce(Summary.merge, [parts[i] for i in order], SUMMARIZER.empty())
    _same(shuffled, WHOLE)


def test_counts_and_probabilities() -> None:
    x, y = DATA["x"], DATA["y"]
    assert WHOLE.n == 5000
    assert WHOLE.met == {"x_big": int((x > 1).sum()), "y_big": int((y > 9).sum())}
    assert WHOLE.joint == int(((x > 1) & (y > 9)).sum())
    p = WHOLE.probability("x_big")
    assert p.low < p.p < p.high
    assert WHOLE.probability().p == WHOLE.joint / 5000


def test_quantiles_are_exact_to_a_bin() -> None:
    q = np.array([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
    for name in ("x", "y"):
        h = WHOLE.metrics[name]
        width = (h.binning.hi - h.binning.lo)[0] / h.binning.bins
        exact = np.quantile(DATA[name], q)
        np.testing.assert_allclose(h.quantiles(q)[0], exact, atol=2 * width)
    h = WHOLE.trajectories["path"]
    width = ((h.binning.hi - h.binning.lo) / h.binning.bins)[:, None]
    exact = np.quantile(DATA["path"], q, axis=1).T
    assert np.all(np.abs(h.quantiles(q) - exact) <= 2 * width)


def test_extremes_and_outliers_beyond_the_pilot_range() -> None:
    binning = Binning.from_pilot(np.array([0.0, 1.0]))
    h = binning.histogram(np.array([-100.0, 0.5, 0.5, 1000.0, np.nan, np.inf]))
    assert h.count.tolist() == [4]
    assert h.nonfinite.tolist() == [2]
    assert h.counts[0, 0] == 1 and h.counts[0, -1] == 1
    assert h.quantiles([0.0, 1.0]).tolist() == [[-100.0, 1000.0]]
    assert h.mean().tolist() == [(-100 + 0.5 + 0.5 + 1000) / 4]


def test_constant_pilot_still_gives_bins() -> None:
    h = Binning.from_pilot(np.full(10, 3.0)).histogram(np.full(7, 3.0))
    assert h.quantiles([0.5])[0, 0] == 3.0


@given(st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_means_are_exact(values: list[float]) -> None:
    x = np.array(values)
    h = Binning.from_pilot(x).histogram(x)
    exact = sum(map(Fraction, values)) / len(values)
    assert h.mean()[0] == float(exact)
    halves = Binning.from_pilot(x).histogram(x[::2]).merge(Binning.from_pilot(x).histogram(x[1::2]))
    assert halves.mean()[0] == h.mean()[0]


def test_means_include_subnormals_and_tiny_values() -> None:
    x = np.array([5e-324, 1e-310, -2.5e-320, 1.0])
    assert Binning.from_pilot(x).histogram(x).mean()[0] == math.fsum(x) / 4


@pytest.mark.parametrize(("met", "n"), [(0, 10), (3, 10), (10, 10), (512, 1000), (1, 100000)])
def test_wilson_matches_scipy(met: int, n: int) -> None:
    ci = stats.binomtest(met, n).proportion_ci(confidence_level=0.95, method="wilson")
    p = wilson(met, n)
    assert p.low == pytest.approx(ci.low, abs=1e-12)
    assert p.high == pytest.approx(ci.high, abs=1e-12)
    assert 0.0 <= p.low <= p.p <= p.high <= 1.0


def test_wilson_of_nothing_is_undefined() -> None:
    assert math.isnan(wilson(0, 0).p)


def test_merging_different_bins_is_refused() -> None:
    a = Binning.from_pilot(np.array([0.0, 1.0])).histogram(np.array([0.5]))
    b = Binning.from_pilot(np.array([0.0, 2.0])).histogram(np.array([0.5]))
    with pytest.raises(ValueError, match="different bins"):
        a.merge(b)


def test_memory_does_not_grow_with_samples() -> None:
    small = _summarize(SUMMARIZER, DATA, 0, 10)
    assert small.metrics["x"].counts.nbytes == WHOLE.metrics["x"].counts.nbytes
    assert all(isinstance(s, int) for s in WHOLE.metrics["x"].sums)


def test_point_masses_give_exact_quantiles() -> None:
    x = np.array([0.0] * 70 + [1.0] * 30)
    h = Binning.from_pilot(x[::7]).histogram(x)
    q = np.array([0.0, 0.3, 0.5, 0.69, 0.75, 1.0])
    np.testing.assert_array_equal(h.quantiles(q)[0], np.quantile(x, q))


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30), st.floats(0, 1))
@settings(max_examples=80, deadline=None)
def test_sparse_bins_reproduce_numpy_quantiles(values: list[float], q: float) -> None:
    x = np.array(values)
    h = Binning.from_pilot(x, bins=1 << 20).histogram(x)
    if h.counts.max() <= 2:
        assert h.quantiles([q])[0, 0] == pytest.approx(np.quantile(x, q), rel=1e-9, abs=1e-6)


def test_point_masses_beside_other_values_in_the_same_bin() -> None:
    rng = np.random.default_rng(5)
    zeros = np.zeros(770)
    small = rng.uniform(0.0, 0.01, 30)  # shares the bin of 0
    large = rng.uniform(1.0, 1000.0, 200)
    capped = np.full(500, 100.0)
    x = np.concatenate([zeros, small, large])
    h = Binning.from_pilot(x).histogram(x)
    assert h.quantiles([0.5, 0.7])[0].tolist() == [0.0, 0.0]
    y = np.concatenate([capped, rng.uniform(99.99, 100.0, 100), rng.uniform(0, 99, 400)])
    g = Binning.from_pilot(y).histogram(y[:700]).merge(Binning.from_pilot(y).histogram(y[700:]))
    assert g.quantiles([0.6, 0.9])[0].tolist() == [100.0, 100.0]


def test_light_histograms_are_exact_to_a_bin_and_merge_exactly() -> None:
    x = np.random.default_rng(3).normal(0.0, 1.0, (4, 3000))
    binning = Binning.from_pilot(x[:, :100], bins=512, exact=False)
    whole = binning.histogram(x)
    parts = (
        binning.empty().merge(binning.histogram(x[:, :1234])).merge(binning.histogram(x[:, 1234:]))
    )
    q = np.array([0.0, 0.05, 0.5, 0.95, 1.0])
    np.testing.assert_array_equal(parts.quantiles(q), whole.quantiles(q))
    width = ((binning.hi - binning.lo) / 512)[:, None]
    assert np.all(np.abs(whole.quantiles(q) - np.quantile(x, q, axis=1).T) <= 1.01 * width)
    np.testing.assert_array_equal(whole.minimum, x.min(axis=1))
    np.testing.assert_array_equal(whole.maximum, x.max(axis=1))
    assert np.isnan(whole.mean()).all()
