"""Vensim's allocation: analytic answers, properties over random requesters, batches."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.allocation import _normal, allocate, allocate_at
from sim.functions import Clock

REQUEST = np.array([500.0, 300.0, 750.0])  # Vensim's documentation example
PRIORITY = np.array([5.0, 7.0, 3.0])
WIDTH = np.array([2.0, 4.0, 4.0])


def one(request, ptype, priority, width, available):
    """The allocation of one scenario, as a vector."""
    k = len(request)
    parts = (np.broadcast_to(np.asarray(a, float), (k,)) for a in (ptype, priority, width))
    return allocate(np.asarray(request, float), *parts, np.array([available]))[:, 0]


@pytest.mark.parametrize("ptype", [1, 2, 3, 4])
def test_enough_supply_fills_every_request_and_none_gives_nothing(ptype):
    available = np.array([0.0, -5.0, 1550.0, 1e9])
    got = allocate(REQUEST, np.full(3, ptype), PRIORITY, WIDTH, available)
    np.testing.assert_array_equal(got[:, :2], 0.0)
    np.testing.assert_array_equal(got[:, 2:], np.column_stack([REQUEST, REQUEST]))


@pytest.mark.parametrize("ptype", [1, 2, 3, 4])
def test_equal_profiles_share_in_proportion_to_the_requests(ptype):
    got = one(REQUEST, ptype, 4.0, 2.0, 310.0)
    np.testing.assert_allclose(got, REQUEST * 310.0 / REQUEST.sum(), rtol=1e-12)


def test_rectangular_curves_by_hand():
    # Dayton alone takes supply until the clearing priority falls to 6, where Boston starts
    # (Fresno's curve starts at 5): 225 + 325 (6 - x) = 500.
    got = one(REQUEST, 1, PRIORITY, WIDTH, 500.0)
    np.testing.assert_allclose(got, [2750 / 13, 3750 / 13, 0.0], rtol=1e-12)
    np.testing.assert_allclose(one(REQUEST, 1, PRIORITY, WIDTH, 100.0), [0, 100, 0], atol=1e-12)


def test_by_priority_is_rectangular_with_one_width():
    # PySD's example: priorities 10, 9, 7, 2, width 3. The first gets 1 alone, then shares
    # with the second (3:6) until both reach 3 and 4; then the second and the third (6:2.5).
    request, priority = [3.0, 6.0, 2.5, 2.0], [10.0, 9.0, 7.0, 2.0]
    np.testing.assert_allclose(one(request, 1, priority, 3.0, 5.0), [7 / 3, 8 / 3, 0, 0])
    np.testing.assert_allclose(
        one(request, 1, priority, 3.0, 9.0), [3, 4 + 24 / 17, 10 / 17, 0], rtol=1e-12
    )


def test_triangular_and_exponential_curves_by_hand():
    # One requester far above the other takes the supply alone; a single curve is then met
    # exactly where its share is the supply over its request.
    got = one([10.0, 10.0], 2, [100.0, 0.0], 1.0, 7.5)
    np.testing.assert_allclose(got, [7.5, 0.0], atol=1e-12)
    x = one([10.0, 10.0], 4, [0.0, 0.0], [1.0, 2.0], 10.0)
    # At the clearing priority x = 0 both curves are at half their request.
    np.testing.assert_allclose(x, [5.0, 5.0], rtol=1e-12)


def test_vensim_normal_is_hastings_three_term_approximation():
    from scipy.special import erfc

    z = np.linspace(-9, 9, 3601)
    exact = 0.5 * erfc(z / math.sqrt(2))
    assert np.max(np.abs(_normal(z) - exact)) < 1.2e-5  # its published bound, about 1e-5
    assert np.max(np.abs(_normal(z) - exact)) > 1e-7  # and not the exact curve
    assert np.all(np.diff(_normal(z)) <= 0)


def test_input_vensim_rejects_stops_that_scenario_only():
    request = np.array([[5.0, -1.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0]])
    ptype = np.array([[1.0, 1.0, 5.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
    width = np.array([[1.0, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    got = allocate(request, ptype, np.zeros((2, 4)), width, np.full(4, 6.0))
    assert np.isfinite(got[:, 0]).all() and np.isnan(got[:, 1:]).all()


_REQUESTERS = st.lists(
    st.tuples(
        st.floats(0, 1e3),  # request
        st.sampled_from([1, 2, 3, 4]),  # ptype
        st.floats(-20, 20),  # priority
        st.floats(0.05, 10),  # width
    ),
    min_size=1,
    max_size=6,
)


def _arrays(requesters):
    return [np.array(column, dtype=float) for column in zip(*requesters, strict=True)]


@settings(max_examples=150, deadline=None)
@given(_REQUESTERS, st.floats(0, 1.5))
def test_allocations_sum_to_the_supply_and_stay_within_the_requests(requesters, fraction):
    request, ptype, priority, width = _arrays(requesters)
    total = request.sum()
    available = fraction * total
    got = one(request, ptype, priority, width, available)
    assert abs(got.sum() - min(available, total)) <= 1e-9 * min(available, total) + 1e-12 * total
    assert np.all(got >= 0) and np.all(got <= request * (1 + 1e-12))


@settings(max_examples=100, deadline=None)
@given(_REQUESTERS, st.floats(0.01, 0.99), st.data())
def test_raising_a_priority_never_lowers_that_allocation(requesters, fraction, data):
    request, ptype, priority, width = _arrays(requesters)
    j = data.draw(st.integers(0, len(request) - 1))
    raised = priority.copy()
    raised[j] += data.draw(st.floats(0.001, 10))
    available = fraction * request.sum()
    before = one(request, ptype, priority, width, available)[j]
    after = one(request, ptype, raised, width, available)[j]
    assert after >= before - 1e-9 * request.sum()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_REQUESTERS, st.floats(0, 1.5)), min_size=2, max_size=5), st.data())
def test_a_batch_of_scenarios_equals_single_runs(scenarios, data):
    k = data.draw(st.integers(1, 4))
    rows = [(_arrays((r * k)[:k]), f) for r, f in scenarios]  # k requesters in each
    columns = [np.column_stack([r[i] for r, _ in rows]) for i in range(4)]
    available = np.array([f * r[0].sum() for r, f in rows])
    batch = allocate(*columns, available)
    for s, (r, _) in enumerate(rows):
        np.testing.assert_array_equal(batch[:, s], one(*r, available[s]))


def test_allocate_at_computes_a_call_site_once_and_sees_new_values():
    clock = Clock(0.0, 1.0, 0.0, 1.0)
    available = np.array([500.0, 100.0])
    args = [*(np.full(2, q) for q in REQUEST), 1, 1, 1]
    args += [*(np.full(2, p) for p in PRIORITY), *WIDTH, available]
    first = [allocate_at(clock, i, *args) for i in range(3)]
    np.testing.assert_allclose(np.array(first)[:, 0], [2750 / 13, 3750 / 13, 0.0], rtol=1e-12)
    available[:] = 1550.0  # a buffer the engine reuses: the kept result must not be stale
    np.testing.assert_array_equal(allocate_at(clock, 2, *args), [750.0, 750.0])
    assert allocate_at(None, 0, 300.0, 1, 7.0, 4.0, 100.0) == 100.0  # scalars, no clock
    with pytest.raises(ValueError, match="do not make"):
        allocate_at(clock, 0, 1.0, 2.0)
