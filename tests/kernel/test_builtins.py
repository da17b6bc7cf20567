"""Every builtin, operator, graphical function, DELAY and stock rule on the kernel against the
numpy engine, with the edge values (zero, negative, NaN, infinite) where numpy's rules show."""

from __future__ import annotations

import numpy as np
import pytest

from sim.modelfile import loads_model

from .helpers import assert_engines_agree

pytest.importorskip("numba", reason="the kernel needs numba (pip install -e '.[fast]')")

METHODS = ["euler", "rk2", "rk4"]

KITCHEN = """
[model]
name = "kitchen"
[time]
start = 0
stop = 6
dt = 0.25
method = "METHOD"

[constants.a]
value = 1.5
[constants.b]
value = -0.5
[constants.z]
value = 0
[constants.delay_time]
value = 1.3
[constants.short_delay]
value = 0.1

[stocks.level]
initial = "10 * ABS(a) + 1"
inflows = ["inflow"]
outflows = ["drain", "leak"]
non_negative = true
[stocks.other]
initial = "a - b"
inflows = ["pulses"]

[flows.inflow]
equation = "STEP(2, 1) + RAMP(a, 1, 4) + PULSE(3, 2) + 0.1 * SIN(TIME) + MODULO(TIME, a)"
[flows.drain]
equation = "level * a + DELAY(inflow, delay_time, 1) + DELAY(level, short_delay)"
[flows.leak]
equation = "MAX(level / 3, 0, b) + SMTH1(inflow, 2)"
non_negative = true
[flows.pulses]
equation = "PULSE(a, 0.5, 1.5) - PULSE(b, 1, z) + INIT(level) / 10"

[auxiliaries.arith]
equation = "a ^ 2 + b ^ 0.5 + a ^ -1 + (level + 1) ^ b + MODULO(b, a) + (a MOD b) + a / z"
[auxiliaries.modz]
equation = "MODULO(a, z) + MODULO(-a, 0.75) + (TIME MOD -0.7)"
[auxiliaries.functions]
equation = "ABS(b) + EXP(b) + LN(a) + LN(z) + LOG10(a) + LOG(a, 3) + LOG(8) + SQRT(a) + SQRT(b)"
[auxiliaries.trig]
equation = "COS(a) + TAN(b) + ARCSIN(b) + ARCCOS(a) + ARCTAN(level) + PI + E"
[auxiliaries.rounding]
equation = "INT(b) + ROUND(b) + ROUND(-2.5) + ROUND(2.5) + SIGN(b) + SIGN(z) + INT(level / 7)"
[auxiliaries.safe]
equation = "XIDZ(a, z, 7) + ZIDZ(a, z) + SAFEDIV(a, b) + SAFEDIV(a, z, -1) + ZIDZ(level, a)"
[auxiliaries.logic]
equation = "IF level > 5 AND NOT (b >= 0) OR a = 1.5 THEN level ELSE -level"
[auxiliaries.compare]
equation = "(a < b) + (a <= b) + (a <> b) * 2 + (level > 3) * (level < 20)"
[auxiliaries.boolsum]
equation = "(level > 3) + (other > 1)"
[auxiliaries.branches]
equation = "IF_THEN_ELSE(level > 4, 1, 0) + MIN(a, b, level) + MAX(z, b)"
[auxiliaries.times]
equation = "DT + STARTTIME + STOPTIME + TIME_STEP + INITIAL_TIME + FINAL_TIME + TIME"
[auxiliaries.looked]
equation = "effect(level / 5) + LOOKUP(effect, b) + steps(level - 8) + wide(level / 2 - 3)"
[auxiliaries.tabled]
equation = "level / 4"
graphical = { x = [0, 1, 1, 2, 4], y = [0, 1, 2, 2.5, 2], kind = "continuous" }
[auxiliaries.one_point]
equation = "single(level) + single(a / z)"

[lookups.effect]
x = [0, 0.5, 1, 2]
y = [1, 0.8, 0.5, 0.2]
[lookups.steps]
x = [-1, 0, 1]
y = [5, 6, 7]
kind = "discrete"
[lookups.wide]
x = [-2, 0, 2]
y = [1, 0, 3]
kind = "extrapolate"
[lookups.single]
x = [1]
y = [4]
"""


@pytest.mark.parametrize("method", METHODS)
def test_every_builtin_matches_numpy(method):
    model = loads_model(KITCHEN.replace("METHOD", method))
    assert_engines_agree(model)


@pytest.mark.parametrize("method", METHODS)
def test_every_builtin_matches_numpy_per_scenario(method):
    """Parameters that differ per scenario, including zeros, NaN and infinities."""
    model = loads_model(KITCHEN.replace("METHOD", method))
    a = np.array([1.5, 0.0, 2.0, -1.0, np.nan, np.inf, 3.0, 0.5, 1e-300, 7.0])
    b = np.array([-0.5, 0.0, 2.0, 0.5, 1.0, -np.inf, np.nan, -3.0, 2.0, 0.25])
    params = {
        "a": a,
        "b": b,
        "z": np.array([0, 0, 1, -1, 0, 2, 0, np.nan, 0, 0.5]),
        "delay_time": np.array([1.3, 0.25, 0.1, 2.0, 0.0, 5.5, 1.0, 0.6, 3.7, 1e-12]),
        "short_delay": np.array([0.1, 0.0, 0.3, 0.25, 0.05, 0.2, 0.15, 0.249999999999, 0.1, 0]),
    }
    assert_engines_agree(model, params, n=len(a))


def test_saved_times_and_variables_subset():
    model = loads_model(KITCHEN.replace("METHOD", "rk4"))
    from sim.simulate import Save

    save = Save(variables=["drain", "level", "looked"], times=[0, 1.5, 6])
    assert_engines_agree(model, {"a": np.linspace(0.5, 3, 7)}, save=save)


def test_a_negative_initial_value_of_a_non_negative_stock_is_the_same_error():
    from sim.errors import ModelError
    from sim.simulate import simulate

    model = loads_model(KITCHEN.replace("METHOD", "euler").replace("10 * ABS(a) + 1", "10 * a"))
    a = np.array([1.0, 2.0, -1.0, -2.0])
    messages = []
    for engine in ("numpy", "kernel"):
        with pytest.raises(ModelError) as info:
            simulate(model, {"a": a}, engine=engine, check_ranges=False)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "scenario 2 of 4" in messages[0]
