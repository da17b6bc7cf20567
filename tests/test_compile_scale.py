"""Compiling is linear in the size of the model (issue 8: 10,000 stocks took 65 s).

Timing is too noisy on a shared machine, so the test counts the Python calls made while
compiling, a measure of work that does not depend on the machine's load. Each compile starts
with the parser's memos empty, as the first of a process does.
"""

from benchmarks.compile import chain_model, flow_model
from sim.compiler import compile_model
from sim.expr.parser import forget


def test_twice_the_stocks_costs_twice_the_work(count_calls):
    models = [chain_model(n) for n in (150, 600)]  # built outside what is counted
    small, large = (count_calls(lambda m=m: forget() or compile_model(m)) for m in models)
    assert large / small < 4.4  # 4x the stocks; quadratic work would be about 16x


def test_a_stock_and_its_flow_cost_about_a_hundred_calls(count_calls):
    """Issue 14's 10,000 stocks in under 2 s: the compiler before that work made 233 calls
    for each stock and flow of issue 8's shape (re-parsing each equation, walking each tree
    four times, graphlib); it makes about 100."""
    model = flow_model(500)
    calls = count_calls(lambda: forget() or compile_model(model))
    assert calls / 500 < 130
