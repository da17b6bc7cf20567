"""The engine against closed-form answers, measured convergence order and invariants."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import ModelError, UserInputError
from sim.model import Constant, Flow, Model, Stock, TimeSpec, time_steps
from sim.models import resolve_model
from sim.simulate import Save, simulate, time_grid


def growth_model(rate: float = 1.0, stop: float = 1.0, dt: float = 0.1) -> Model:
    return Model(
        "growth",
        (
            Stock("x", initial="1", inflows=("g",)),
            Flow("g", equation="r * x"),
            Constant("r", value=rate),
        ),
        TimeSpec(0.0, stop, dt),
    )


def test_euler_with_annual_steps_compounds_as_annual_arithmetic():
    result = simulate(resolve_model("exponential_growth"), method="euler", dt=1)
    annual = sum(131.04 * 1.1**k for k in range(1, 6))
    cumulative = result["cumulative"][-1, 0]
    assert cumulative == pytest.approx(annual, rel=1e-9)
    assert cumulative == pytest.approx(880.0, abs=0.5)  # the plan's own rounded figure
    np.testing.assert_allclose(result["level"][:, 0], 131.04 * 1.1 ** np.arange(1, 7), rtol=1e-12)


@pytest.mark.parametrize(("method", "order", "tolerance"), [("euler", 1, 0.2), ("rk4", 4, 0.3)])
def test_measured_convergence_order_matches_the_declared_order(method, order, tolerance):
    steps = np.array([1 / 4, 1 / 8, 1 / 16, 1 / 32])
    errors = [
        abs(simulate(growth_model(), method=method, dt=dt)["x"][-1, 0] - np.e) for dt in steps
    ]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=tolerance)


@pytest.mark.parametrize(
    ("name", "variable", "exact"),
    [
        ("decay", "amount", lambda t: 100 * np.exp(-t / 2)),
        ("teacup", "teacup_temperature", lambda t: 70 + 110 * np.exp(-t / 10)),
        ("goal_seeking", "staff", lambda t: 100 - 80 * np.exp(-t / 2)),
        ("logistic", "population", lambda t: 1000 / (1 + 99 * np.exp(-0.5 * t))),
    ],
)
def test_reference_models_match_their_closed_forms_with_rk4(name, variable, exact):
    result = simulate(resolve_model(name), method="rk4", dt=1 / 16)
    np.testing.assert_allclose(result[variable][:, 0], exact(result.times), rtol=1e-6)


def test_reciprocal_dt_lands_on_stop_without_drift():
    times = time_grid(2016.0, 2021.0, 1 / 3)
    assert len(times) == 16
    assert times[-1] == pytest.approx(2021.0, abs=1e-12)


@pytest.mark.parametrize("dt", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_dt_is_a_user_error(dt):
    with pytest.raises(UserInputError, match="dt must be a positive number"):
        simulate(growth_model(), dt=dt)


def test_unknown_method_is_a_user_error():
    with pytest.raises(UserInputError, match="unknown integration method 'rk45'"):
        simulate(growth_model(), method="rk45")


def test_unknown_parameter_suggests_a_close_name():
    with pytest.raises(ModelError, match="did you mean characteristic_time"):
        simulate(resolve_model("teacup"), {"characteristic_tme": 3.0})


def test_save_keeps_only_the_variables_and_times_asked_for():
    result = simulate(
        resolve_model("teacup"), save=Save(variables=["Teacup Temperature"], times=[0, 10, 30])
    )
    assert result.names == ("teacup_temperature",)
    assert result.values.shape == (3, 1, 1)
    np.testing.assert_array_equal(result.times, [0, 10, 30])


def test_save_time_off_the_grid_is_an_error():
    with pytest.raises(UserInputError, match=r"time 0\.3 is not on the time grid"):
        simulate(resolve_model("teacup"), save=Save(times=[0.3]))


# -- properties ---------------------------------------------------------------------------
chain_parameters = st.fixed_dictionaries(
    {
        "inflow_rate": st.floats(0.0, 50.0),
        "outflow_fraction": st.floats(0.0, 3.0),
        "transfer_fraction": st.floats(0.0, 2.0),
        "initial_a": st.floats(0.0, 100.0),
    }
)


def chain_model(non_negative: bool = False, dt: float = 0.5) -> Model:
    """Two stocks in series with a drain that can overshoot: material is conserved."""
    return Model(
        "chain",
        (
            Stock("a", initial="initial_a", inflows=("inflow",), outflows=("transfer",),
                  non_negative=non_negative),
            Stock("b", initial="5", inflows=("transfer",), outflows=("drain",),
                  non_negative=non_negative),
            Flow("inflow", equation="inflow_rate * (1 + SIN(TIME))"),
            Flow("transfer", equation="transfer_fraction * a"),
            Flow("drain", equation="outflow_fraction * b + 3"),
            Constant("inflow_rate", value=10.0),
            Constant("outflow_fraction", value=0.5),
            Constant("transfer_fraction", value=0.3),
            Constant("initial_a", value=20.0),
        ),
        TimeSpec(0.0, 10.0, dt),
    )  # fmt: skip


@given(st.lists(chain_parameters, min_size=1, max_size=6), st.sampled_from(["euler", "rk4"]))
def test_a_batch_equals_its_single_runs(batch, method):
    model = chain_model()
    arrays = {k: np.array([p[k] for p in batch]) for k in batch[0]}
    together = simulate(model, arrays, method=method)
    for k, params in enumerate(batch):
        alone = simulate(model, params, method=method)
        np.testing.assert_array_equal(together.values[:, :, k], alone.values[:, :, 0])


@given(chain_parameters, st.booleans())
def test_stocks_end_at_initial_value_plus_net_flows_times_dt(params, non_negative):
    result = simulate(chain_model(non_negative), params, method="euler")
    dt = result.dt
    net_a = result["inflow"][:-1] - result["transfer"][:-1]
    net_b = result["transfer"][:-1] - result["drain"][:-1]
    scale = 1 + np.abs(result.values).max()
    np.testing.assert_allclose(
        result["a"][-1], result["a"][0] + dt * net_a.sum(axis=0), atol=1e-9 * scale
    )
    np.testing.assert_allclose(
        result["b"][-1], result["b"][0] + dt * net_b.sum(axis=0), atol=1e-9 * scale
    )


@given(chain_parameters, st.sampled_from(["euler", "rk4"]), st.sampled_from([0.25, 1.0]))
def test_non_negative_stocks_never_go_below_zero(params, method, dt):
    result = simulate(chain_model(non_negative=True, dt=dt), params, method=method)
    assert (result["a"] >= 0).all()
    assert (result["b"] >= 0).all()


def test_without_non_negative_the_drain_overshoots():
    result = simulate(chain_model(non_negative=False), {"outflow_fraction": 3.0})
    assert result["b"].min() < 0


@pytest.mark.parametrize(
    ("start", "stop", "dt", "steps"),
    [(2016, 2021, 1 / 3, 15), (0, 10, 0.1, 100), (0, 30, 0.3, 100), (0, 1, 1e-6, 1_000_000)],
)
def test_a_dt_that_divides_the_run_gives_whole_steps(start, stop, dt, steps):
    assert time_steps(start, stop, dt) == steps
    assert time_grid(start, stop, dt)[-1] == pytest.approx(stop, rel=1e-12)


@pytest.mark.parametrize(
    ("dt", "message"),
    [
        (0.3, r"dt 0.3 does not divide the run from 0 to 10 into whole steps"),
        (3, r"dt 3 does not divide"),
        (1e-7, r"dt 1e-07 makes 1e\+08 steps from 0 to 10; at most 1,000,000 steps"),
        (1e-300, r"dt 1e-300 makes 1e\+301 steps"),
    ],
)
def test_a_dt_that_leaves_a_partial_step_or_too_many_steps_is_refused(dt, message):
    """The run used to stop silently at t = 9 (dt 0.3 over 10) or fail with MemoryError."""
    with pytest.raises(UserInputError, match=message) as info:
        simulate(growth_model(stop=10.0), dt=dt)
    assert info.value.field == "dt"


def _drained(initial: str) -> Model:
    return Model(
        "drained",
        (
            Stock("tank", initial=initial, inflows=("fill",), non_negative=True),
            Flow("fill", equation="-100"),
            Constant("level", value=5.0),
        ),
        TimeSpec(0.0, 2.0, 1.0),
    )


def test_a_non_negative_stock_that_starts_below_zero_is_an_error():
    """It used to be set to 0 silently while the reported inflow stayed at -100."""
    with pytest.raises(ModelError, match=r"^tank: initial value -100 of a non-negative stock"):
        simulate(_drained("-100"))
    with pytest.raises(ModelError, match=r"^tank: initial value -2 .* in scenario 1 of 3$"):
        simulate(_drained("level"), {"level": [1.0, -2.0, 3.0]})
    assert simulate(_drained("level"), {"level": [0.0, 2.0]})["tank"][0].tolist() == [0.0, 2.0]
