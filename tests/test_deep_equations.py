"""Equations nested far beyond Python's recursion limit parse, print, lower, compile and run.

Generated models hold such equations: a 10,000-term sum, parentheses a thousand deep, long
chains of ``^`` and nested calls. Each case is checked against the value computed directly.
"""

import math

import numpy as np
import pytest

from sim.expr import Binary, Name, Number, parse, unparse
from sim.model import Auxiliary, Constant, Flow, Model, Stock, TimeSpec
from sim.simulate import simulate


def _model(equation: str) -> Model:
    """``total`` = ``equation`` of the constant ``x`` = 0.5 and the stock ``s`` (initial
    1, growing by ``total``), over two steps."""
    return Model(
        "deep",
        (
            Stock("s", initial="1", inflows=("inflow",)),
            Flow("inflow", equation="total"),
            Auxiliary("total", equation=equation),
            Constant("x", value=0.5),
        ),
        TimeSpec(0.0, 2.0, 1.0),
    )


def _total(equation: str) -> float:
    result = simulate(_model(equation))
    return float(result["total"][0, 0])


def test_a_10000_term_sum_parses_prints_and_runs():
    equation = " + ".join(["x"] * 10_000)
    text = unparse(parse(equation))  # trees this deep are compared as text: == recurses
    assert unparse(parse(text)) == text
    result = simulate(_model(equation))
    assert result["total"][0, 0] == pytest.approx(5000.0, rel=1e-12)
    assert result["s"][-1, 0] == pytest.approx(1 + 2 * 5000.0, rel=1e-12)


def test_a_sum_with_mixed_operators_keeps_left_to_right_order():
    equation = "x" + " - x * 2 + 1 / x" * 2000  # ((x - x * 2) + 1 / x) - …, left to right
    value = 0.5
    for _ in range(2000):
        value = value - 0.5 * 2 + 1 / 0.5
    assert _total(equation) == value


def test_1000_nested_parentheses_parse_and_run():
    equation = "(" * 1000 + "x + 1" + ")" * 1000
    assert parse(equation) == Binary("+", Name("x"), Number(1.0))
    assert _total(equation) == 1.5


def test_500_chained_powers_are_right_associative():
    equation = " ^ ".join(["1"] * 499 + ["x"])
    text = unparse(parse(equation))
    assert text == "1 ^ (" * 498 + "1 ^ x" + ")" * 498
    assert _total(equation) == 1.0
    assert _total("2 ^ 3 ^ x") == 2 ** (3**0.5)


def test_deeply_nested_calls_and_conditionals_run():
    assert _total("ABS(" * 90 + "-x" + ")" * 90) == 0.5
    nested = "IF x > 1 THEN 0 ELSE " * 1500 + "x"
    assert _total(nested) == 0.5
    signs = "-(" * 3000 + "x" + ")" * 3000
    assert _total(signs) == 0.5


def test_a_deep_tree_evaluates_as_the_shallow_one_does():
    """Above the closures' depth the tree runs as instructions: same numbers, per scenario."""
    deep = "x" + " ^ (1 + 0 * (x" * 400 + ")" * 800
    shallow = "x ^ (1 + 0 * x)"
    xs = np.linspace(0.1, 2, 7)
    for equation in (deep, shallow):
        result = simulate(_model(equation), {"x": xs})
        np.testing.assert_array_equal(result["total"][0], xs ** (1 + 0 * xs))
    assert math.isclose(_total("MIN(" * 300 + "x" + ", 2)" * 300), 0.5)


def test_deep_equations_survive_xmile_and_toml_files():
    from sim.modelfile import dumps_model, loads_model
    from sim.xmile import reads_xmile, writes_xmile

    equation = " + ".join(["x"] * 5000) + " - " + "ABS(" * 300 + "-x" + ")" * 300
    model = _model(equation)
    for copy in (reads_xmile(writes_xmile(model)), loads_model(dumps_model(model))):
        assert simulate(copy)["total"][0, 0] == pytest.approx(2499.5, rel=1e-12)
