"""What the engine computes once per step instead of once per Runge-Kutta stage (a DELAY of
fixed delay time, equations that read no stock nor stage time) and the memory it reuses
(integrator stages, rates) must not change a single bit of the results."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import loads_model, simulate
from sim.compiler import compile_model
from sim.integrators import INTEGRATORS

MODEL = """
[model]
name = "reuse"
[time]
start = 0
stop = 6
dt = {dt}
[constants.delay]
value = 2
[constants.height]
value = 3
[auxiliaries.demand]
equation = "1 + SIN(TIME) + stock / 10"
[auxiliaries.lagged]
equation = "DELAY(demand, delay{drift}, 0.5)"
[auxiliaries.scheduled]
equation = "STEP(height, 1.5) + PULSE(2, 3) + lagged * height{drift}"
[stocks.stock]
initial = "1"
inflows = ["inflow"]
outflows = ["outflow"]
[flows.inflow]
equation = "scheduled + lagged"
[flows.outflow]
equation = "stock / 4"
"""


def _run(drift: str, dt: float, method: str, delays: list[float]) -> np.ndarray:
    model = loads_model(MODEL.format(dt=dt, drift=drift))
    return simulate(model, {"delay": delays}, method=method).values


@settings(max_examples=25, deadline=None)
@given(
    delays=st.lists(st.floats(0.0, 3.0), min_size=1, max_size=4),
    dt=st.sampled_from([0.5, 0.25, 0.2]),
    method=st.sampled_from(sorted(INTEGRATORS)),
)
def test_values_kept_over_a_step_equal_values_recomputed_at_every_stage(delays, dt, method):
    # "+ 0 * TIME" reads the stage time: the same numbers, computed at every stage
    kept = _run("", dt, method, delays)
    recomputed = _run(" + 0 * TIME", dt, method, delays)
    np.testing.assert_array_equal(kept, recomputed)


def test_the_delay_and_the_schedule_are_evaluated_once_a_step() -> None:
    model = loads_model(MODEL.format(dt=0.5, drift=""))
    compiled = compile_model(model)
    reused = {compiled.keys[s.slot] for s in compiled.run_steps if s.fn.__name__ == "once"}
    # demand reads TIME and the stock, outflow the stock; the rest only what a step fixes
    assert reused == {"lagged", "scheduled", "inflow"}


@pytest.mark.parametrize("method", sorted(INTEGRATORS))
def test_a_step_in_reused_arrays_equals_a_step_in_fresh_ones(method) -> None:
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(3, 3))
    y = rng.normal(size=(3, 5))

    def rates(t, y):
        return np.tanh(matrix @ y) * (1 + t)

    tableau = INTEGRATORS[method]
    fresh = tableau.step(rates, 0.3, y, 0.1)
    reused = tableau.step(rates, 0.3, y, 0.1, work=(np.empty_like(y), np.full_like(y, np.nan)))
    np.testing.assert_array_equal(reused, fresh)
