"""Builtin functions, the stateful ones (hidden stocks) and graphical functions."""

import numpy as np
import pytest

from sim.model import Auxiliary, Constant, Flow, GraphicalFunction, Lookup, Model, Stock, TimeSpec
from sim.simulate import simulate


def run_aux(equation: str, *extra, start=0.0, stop=10.0, dt=1.0, method="euler", name="out"):
    """Trajectory of one auxiliary ``out`` defined by ``equation``."""
    model = Model("t", (Auxiliary(name, equation=equation), *extra), TimeSpec(start, stop, dt))
    result = simulate(model, method=method)
    return result.times, result[name][:, 0]


@pytest.mark.parametrize(
    ("equation", "expected"),
    [
        ("ABS(-3)", 3), ("EXP(0)", 1), ("LN(EXP(2))", 2), ("LOG10(1000)", 3), ("SQRT(16)", 4),
        ("INT(-2.5)", -3), ("INT(2.7)", 2), ("ROUND(2.5)", 3), ("ROUND(-2.5)", -3),
        ("MIN(3, 1)", 1), ("MAX(3, 1, 7)", 7), ("7 MOD 3", 1), ("-7 MOD 3", 2),
        ("SAFEDIV(1, 0)", 0), ("SAFEDIV(1, 0, 9)", 9), ("SAFEDIV(6, 3)", 2), ("XIDZ(1, 0, 5)", 5),
        ("ZIDZ(4, 0)", 0), ("SIN(PI / 2)", 1), ("COS(0)", 1), ("TAN(0)", 0),
        ("ARCSIN(1)", np.pi / 2), ("ARCCOS(1)", 0), ("ARCTAN(1)", np.pi / 4),
        ("IF 1 > 2 THEN 10 ELSE 20", 20), ("(1 < 2) AND NOT (3 <> 3)", 1), ("-2^2", -4),
        ("STARTTIME + STOPTIME", 10), ("DT", 1),
    ],
)  # fmt: skip
def test_pure_builtins(equation, expected):
    _, values = run_aux(equation)
    np.testing.assert_allclose(values, expected, atol=1e-12)


def test_time_functions():
    times, step = run_aux("STEP(5, 3)")
    np.testing.assert_array_equal(step, np.where(times >= 3, 5, 0))
    _, ramp = run_aux("RAMP(2, 3, 6)")
    np.testing.assert_array_equal(ramp, 2 * np.clip(np.minimum(times, 6) - 3, 0, None))
    _, pulse = run_aux("PULSE(4, 2, 3)", dt=0.5)
    expected = np.isin(np.arange(0, 10.5, 0.5), [2, 5, 8]) * 4 / 0.5
    np.testing.assert_array_equal(pulse, expected)
    _, once = run_aux("PULSE(4, 2)", dt=0.5)
    assert once.sum() * 0.5 == 4


def test_init_freezes_the_starting_value():
    _, values = run_aux("INIT(TIME * 2 + 1)", start=3)
    np.testing.assert_array_equal(values, 7)


def test_smth1_is_first_order_exponential_smoothing():
    times, values = run_aux("SMTH1(10, 2, 0)", dt=1 / 64, method="rk4")
    np.testing.assert_allclose(values, 10 * (1 - np.exp(-times / 2)), rtol=1e-7)


def test_smth1_defaults_its_initial_value_to_the_input():
    _, values = run_aux("SMTH1(5 + STEP(5, 1), 2)")
    assert values[0] == 5


def test_smth3_and_delay3_reach_steady_state_with_three_stage_lag():
    times, smooth = run_aux("SMTH3(6, 3, 0)", stop=40, dt=1 / 32, method="rk4")
    _, delay3 = run_aux("DELAY3(6, 3, 0)", stop=40, dt=1 / 32, method="rk4")
    assert smooth[-1] == pytest.approx(6, rel=1e-4)
    np.testing.assert_allclose(smooth, delay3, atol=1e-9)  # the same lag for a step input
    # Third-order Erlang response: at t = 3 the output is 1 - e^-3 (1 + 3 + 4.5) of 6.
    k = np.argmin(np.abs(times - 3))
    assert smooth[k] == pytest.approx(6 * (1 - np.exp(-3) * 8.5), rel=1e-4)


def test_delay1_conserves_material():
    model = Model(
        "d",
        (
            Stock("shipped", initial="0", inflows=("arrivals",)),
            Flow("arrivals", equation="DELAY1(orders, 2)"),
            Auxiliary("orders", equation="PULSE(10, 1)"),
        ),
        TimeSpec(0, 60, 0.25),
    )
    result = simulate(model)
    assert result["shipped"][-1, 0] == pytest.approx(10, rel=1e-6)


def test_delay_is_a_pipeline_that_shifts_its_input():
    times, values = run_aux("DELAY(TIME * 3, 2, -1)", dt=0.5)
    np.testing.assert_allclose(values, np.where(times < 2, -1, 3 * (times - 2)))


def test_delay_time_may_differ_between_scenarios():
    model = Model(
        "d", (Auxiliary("out", equation="DELAY(TIME, lag, 0)"), Constant("lag", value=1.0)),
        TimeSpec(0, 5, 1),
    )  # fmt: skip
    result = simulate(model, {"lag": np.array([1.0, 2.0, 3.0])})
    np.testing.assert_allclose(result["out"][-1], [4, 3, 2])


@pytest.mark.parametrize(
    ("kind", "x", "expected"),
    [
        ("continuous", [-1, 0, 0.5, 1, 2, 3], [0, 0, 5, 10, 30, 30]),
        ("extrapolate", [-1, 0.5, 3], [-10, 5, 50]),
        ("discrete", [-1, 0, 0.5, 1, 1.9, 2, 3], [0, 0, 0, 10, 10, 30, 30]),
    ],
)
def test_graphical_function_kinds(kind, x, expected):
    gf = GraphicalFunction((0.0, 1.0, 2.0), (0.0, 10.0, 30.0), kind)
    for xi, yi in zip(x, expected, strict=True):
        _, by_name = run_aux(f"table({xi})", Lookup("table", graphical=gf))
        assert by_name[0] == pytest.approx(yi)
        model = Model("g", (Auxiliary("y", equation=str(xi), graphical=gf),), TimeSpec(0, 1, 1))
        assert simulate(model)["y"][0, 0] == pytest.approx(yi)
        _, looked = run_aux(f"LOOKUP(table, {xi})", Lookup("table", graphical=gf))
        assert looked[0] == pytest.approx(yi)


def test_xscale_spreads_points_evenly():
    gf = GraphicalFunction.from_xscale(0, 10, (0.0, 1.0, 4.0))
    assert gf.x == (0.0, 5.0, 10.0)


@pytest.mark.parametrize("method", ["euler", "rk2", "rk4"])
@pytest.mark.parametrize(("first", "dt"), [(2.0, 1.0), (2.5, 1.0), (2.3, 0.25), (2.0, 1 / 3)])
def test_pulse_delivers_its_volume_with_any_integrator_and_any_time(method, first, dt):
    model = Model(
        "p", (Stock("s", initial="0", inflows=("f",)), Flow("f", equation=f"PULSE(3, {first})")),
        TimeSpec(0, 6, dt),
    )  # fmt: skip
    result = simulate(model, method=method)
    assert result["s"][-1, 0] == pytest.approx(3, rel=1e-12)
    fired = result.times[np.flatnonzero(result["f"][:, 0])]
    assert len(fired) == 1 and first <= fired[0] < first + dt  # the first step at or after


@pytest.mark.parametrize("lag", [1.0, 1.5, 2.25, 0.5])
def test_delay_conserves_what_goes_through_it_whatever_the_lag(lag):
    model = Model(
        "d",
        (
            Stock("out", initial="0", inflows=("arrive",)),
            Flow("arrive", equation=f"DELAY(send, {lag}, 0)"),
            Auxiliary("send", equation="IF TIME < 3 THEN 1 ELSE 0"),
        ),
        TimeSpec(0, 10, 1),
    )
    assert simulate(model)["out"][-1, 0] == pytest.approx(3)
