"""Compiling is linear in the size of the model (issue 8: 10,000 stocks took 65 s).

Timing is too noisy on a shared machine, so the test counts the Python calls made while
compiling, a measure of work that does not depend on the machine's load.
"""

import sys

from benchmarks.compile import chain_model
from sim.compiler import compile_model


def _calls_to_compile(stocks: int) -> int:
    model = chain_model(stocks)
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        compile_model(model)
    finally:
        sys.setprofile(None)
    return count


def test_twice_the_stocks_costs_twice_the_work():
    small, large = _calls_to_compile(150), _calls_to_compile(600)
    assert large / small < 4.4  # 4x the stocks; quadratic work would be about 16x
