"""A flow connected to several stocks (XMILE allows it): each stock moves by the whole flow.
An outflow of several stocks is not limited by any one of them; a non-negative stock it
drains, or one a negative inflow fills, is held at zero instead (the SDXorg non-negative
cases' rule). An outflow of one non-negative stock is still limited to what the stock holds."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model import Flow, Model, Stock, TimeSpec
from sim.simulate import simulate


def model(rate: float, nonneg: bool, method: str = "euler") -> Model:
    return Model(
        "shared",
        (
            Stock("a", initial="5", outflows=("f",), non_negative=nonneg),
            Stock("b", initial="3", outflows=("f",)),
            Stock("c", initial="0", inflows=("f",)),
            Stock("d", initial="1", inflows=("f",), non_negative=True),
            Flow("f", equation=repr(rate)),
        ),
        TimeSpec(0.0, 10.0, 0.5, method),
    )


@given(rate=st.floats(-3, 3).map(lambda r: round(r, 2)), method=st.sampled_from(["euler", "rk4"]))
def test_every_stock_moves_by_the_whole_flow_when_none_binds(rate, method):
    r = simulate(model(rate, nonneg=False, method=method))
    t = r.times
    np.testing.assert_allclose(r["a"][:, 0], 5 - rate * t, atol=1e-12)
    np.testing.assert_allclose(r["b"][:, 0], 3 - rate * t, atol=1e-12)
    np.testing.assert_allclose(r["c"][:, 0], rate * t, atol=1e-12)
    np.testing.assert_allclose(r["d"][:, 0], np.maximum(1 + rate * t, 0), atol=1e-12)


def test_a_non_negative_stock_drained_by_a_shared_flow_is_held_at_zero_not_the_flow():
    r = simulate(model(1.0, nonneg=True))
    t = r.times
    np.testing.assert_allclose(r["f"][:, 0], 1.0)  # the flow is what its equation says
    np.testing.assert_allclose(r["a"][:, 0], np.maximum(5 - t, 0))
    np.testing.assert_allclose(r["b"][:, 0], 3 - t)  # the other stock takes the whole flow
    np.testing.assert_allclose(r["c"][:, 0], t)


def test_a_negative_inflow_to_a_non_negative_stock_is_held_at_zero():
    r = simulate(model(-0.5, nonneg=True))
    np.testing.assert_allclose(r["d"][:, 0], np.maximum(1 - 0.5 * r.times, 0))
    np.testing.assert_allclose(r["c"][:, 0], -0.5 * r.times)


def test_an_outflow_of_one_non_negative_stock_is_still_limited():
    single = Model(
        "one",
        (Stock("a", initial="5", outflows=("f",), non_negative=True), Flow("f", equation="1")),
        TimeSpec(0.0, 10.0, 0.5),
    )
    r = simulate(single)
    np.testing.assert_allclose(r["a"][:, 0], np.maximum(5 - r.times, 0), atol=1e-12)
    assert r["f"][-1, 0] == 0.0  # limited to what the stock holds
