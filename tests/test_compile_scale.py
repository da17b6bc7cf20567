"""Compiling is linear in the size of the model (issue 8: 10,000 stocks took 65 s).

Timing is too noisy on a shared machine, so the test counts the Python calls made while
compiling, a measure of work that does not depend on the machine's load.
"""

from benchmarks.compile import chain_model
from sim.compiler import compile_model


def test_twice_the_stocks_costs_twice_the_work(count_calls):
    models = [chain_model(n) for n in (150, 600)]  # built outside what is counted
    small, large = (count_calls(lambda m=m: compile_model(m)) for m in models)
    assert large / small < 4.4  # 4x the stocks; quadratic work would be about 16x
