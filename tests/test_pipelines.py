"""Pipelines (DELAY) and schedules (STEP, PULSE) under every integrator: what goes in comes
out, one delay later, never more than went in, whatever the method and the step."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import loads_model, simulate

MODEL = """
[model]
name = "pipeline"
[time]
start = 0
stop = 12
dt = 0.25
[constants.rate]
value = 3
[constants.first]
value = 1.5
[constants.last]
value = 4.25
[constants.delay]
value = 2
[constants.smooth]
value = 0.5
[auxiliaries.window]
equation = "STEP(1, first) - STEP(1, last)"
[flows.starts]
equation = "rate * window + smooth * (1 + SIN(TIME)) + PULSE(4, 2)"
[stocks.started]
initial = "0"
inflows = ["starts_counted"]
[flows.starts_counted]
equation = "starts"
[stocks.under_construction]
initial = "0"
inflows = ["starts"]
outflows = ["completions"]
[flows.completions]
equation = "DELAY(starts, delay, 0)"
[stocks.completed]
initial = "0"
inflows = ["completions_counted"]
[flows.completions_counted]
equation = "completions"
"""


@pytest.mark.parametrize("method", ["euler", "rk2", "rk4"])
@pytest.mark.parametrize("dt", [0.25, 0.125, 0.1])
def test_a_pipeline_releases_what_entered_one_delay_later(method, dt) -> None:
    model = loads_model(MODEL)
    result = simulate(model, {"rate": [3.0, 0.0, 7.5]}, method=method, dt=dt)
    started, completed = result["started"], result["completed"]
    inside = result["under_construction"]
    np.testing.assert_allclose(started, completed + inside, rtol=1e-12, atol=1e-9)
    assert (completed <= started + 1e-9).all()
    assert (inside >= -1e-9).all()
    # completed by time T is what had started by T - delay (delay a whole number of steps)
    times = result.times
    lagged = np.interp(times - 2.0, times, started[:, 0], left=0.0)
    np.testing.assert_allclose(completed[:, 0], lagged, rtol=1e-9, atol=1e-9)


def test_a_schedule_on_the_grid_is_integrated_exactly_by_every_method() -> None:
    model = loads_model(MODEL)
    volumes = []
    for method in ("euler", "rk2", "rk4"):
        for dt in (0.25, 0.125):
            r = simulate(model, {"rate": 2.0, "smooth": 0.0}, method=method, dt=dt)
            volumes.append(r["started"][-1, 0])
    # the window [1.5, 4.25) at 2 a year gives 5.5, plus the pulse's 4
    np.testing.assert_allclose(volumes, 9.5, rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(
    delay=st.sampled_from([0.25, 0.5, 1.0, 1.75, 3.0]),
    rate=st.floats(0.0, 100.0),
    method=st.sampled_from(["euler", "rk2", "rk4"]),
)
def test_conservation_holds_for_any_delay_rate_and_method(delay, rate, method) -> None:
    model = loads_model(MODEL)
    r = simulate(model, {"delay": delay, "rate": rate}, method=method)
    np.testing.assert_allclose(
        r["started"], r["completed"] + r["under_construction"], rtol=1e-10, atol=1e-8
    )
    assert (r["completed"] <= r["started"] * (1 + 1e-12) + 1e-9).all()
