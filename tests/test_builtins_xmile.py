"""XMILE builtins beyond the first engine's set: SMTHN, DELAYN, TREND, FORCST, PREVIOUS, LOG,
INF (the SDXorg XMILE test models use them)."""

import numpy as np
import pytest

from sim.errors import ModelError
from sim.model import Auxiliary, Model, TimeSpec
from sim.simulate import simulate


def run_aux(equation: str, *, stop=10.0, dt=1.0, method="euler"):
    model = Model("t", (Auxiliary("out", equation=equation),), TimeSpec(0.0, stop, dt))
    result = simulate(model, method=method)
    return result.times, result["out"][:, 0]


@pytest.mark.parametrize(
    ("nth", "fixed"),
    [
        ("SMTHN(6 + STEP(3, 2), 3, 1)", "SMTH1(6 + STEP(3, 2), 3)"),
        ("SMTHN(6 + STEP(3, 2), 3, 3, 1)", "SMTH3(6 + STEP(3, 2), 3, 1)"),
        ("DELAYN(6 + STEP(3, 2), 3, 3)", "DELAY3(6 + STEP(3, 2), 3)"),
        ("DELAYN(PULSE(5, 1), 4, 1, 0)", "DELAY1(PULSE(5, 1), 4, 0)"),
    ],
)
def test_nth_order_smooths_and_delays_match_the_fixed_orders(nth, fixed):
    np.testing.assert_allclose(run_aux(nth, dt=0.25)[1], run_aux(fixed, dt=0.25)[1], rtol=1e-12)


def test_the_order_must_be_a_number():
    with pytest.raises(ModelError, match=r"^out: SMTHN's order must be a whole number"):
        run_aux("SMTHN(1, 2, 1.5)")


def test_trend_and_forecast_of_exponential_growth():
    _, trend = run_aux("TREND(EXP(0.1 * TIME), 2, 0.1)", dt=1 / 64, method="rk4")
    np.testing.assert_allclose(trend, 0.1, rtol=1e-8)
    times, forecast = run_aux("FORCST(EXP(0.1 * TIME), 2, 5, 0.1)", dt=1 / 64, method="rk4")
    np.testing.assert_allclose(forecast, np.exp(0.1 * times) * 1.5, rtol=1e-8)


def test_trend_starts_at_its_initial_value_and_defaults_to_zero():
    _, trend = run_aux("TREND(5 + STEP(1, 3), 2)")
    assert trend[0] == 0 and trend[4] > 0


def test_previous_is_the_value_one_step_ago():
    times, values = run_aux("PREVIOUS(TIME * 2, -1)", dt=0.5)
    np.testing.assert_allclose(values, np.where(times == 0, -1, 2 * (times - 0.5)))
    _, own = run_aux("PREVIOUS(TIME + 7)")
    assert own[0] == 7 and own[3] == 9


@pytest.mark.parametrize(
    ("equation", "expected"), [("LOG(8, 2)", 3), ("LOG(100)", 2), ("MIN(INF, 4)", 4)]
)
def test_log_and_inf(equation, expected):
    np.testing.assert_allclose(run_aux(equation)[1], expected)
