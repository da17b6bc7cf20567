"""Numbers and arithmetic as XMILE 1.0 defines them, on the edges where tools disagree: INT
floors toward -inf and ``x MOD y`` is ``x - y * INT(x / y)`` (the sign of the divisor), not
Vensim's truncating INTEGER and MODULO; ``^`` binds tighter than unary minus and to the
right; numbers may start with a dot, carry leading zeros and any exponent spelling."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model import Auxiliary, Model, TimeSpec
from sim.simulate import simulate
from sim.xmile import reads_xmile


def value(equation: str) -> float:
    model = Model("t", (Auxiliary("out", equation=equation),), TimeSpec(0.0, 1.0, 1.0))
    return float(simulate(model)["out"][0, 0])


finite = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3))
nonzero = finite.filter(lambda y: abs(y) >= 1e-3)


@given(finite)
def test_int_floors_toward_minus_infinity(x):
    assert value(f"INT({x!r})") == math.floor(x)


@given(finite, nonzero)
def test_mod_is_x_minus_y_times_int_of_the_quotient(x, y):
    got = value(f"({x!r}) MOD ({y!r})")
    assert got == pytest.approx(x - y * math.floor(x / y), abs=1e-9 * max(1.0, abs(x)))
    assert got == 0 or np.sign(got) == np.sign(y)  # the divisor's sign


@pytest.mark.parametrize(
    ("equation", "expected"),
    [
        ("INT(-9.9)", -10), ("INT(9.9)", 9), ("INT(-3)", -3),
        ("-10 MOD 3", 2), ("10 MOD -3", -2), ("-10 MOD -3", -1), ("7.5 MOD 2", 1.5),
        ("ROUND(2.5)", 3), ("ROUND(-2.5)", -3), ("ROUND(-2.4)", -2),
        ("-2^2", -4), ("(-2)^2", 4), ("2^3^2", 512), ("30^1.2^1.2", 30 ** (1.2**1.2)),
        ("2^-1", 0.5), ("4 - 5 + 6", 5), ("12 / 3 / 2", 2), ("2 * 3 ^ 2", 18),
        (".5", 0.5), ("00.5", 0.5), ("+.72", 0.72), ("-.25", -0.25), ("5.", 5), ("1.e3", 1000),
        ("1e+3", 1000), ("2E-2", 0.02), ("3e-05", 3e-05), ("1E3 + .5e1", 1005), ("007", 7),
    ],
)  # fmt: skip
def test_xmile_arithmetic_edges(equation, expected):
    assert value(equation) == pytest.approx(expected, rel=1e-15)


def test_an_aux_listed_as_a_stock_s_flow_is_read_as_a_flow():
    """xmutil writes Vensim's rates as <aux> elements that stocks name as inflows."""
    model = reads_xmile("""<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
      <sim_specs method="Euler"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
      <model><variables>
        <stock name="s"><eqn>.34</eqn><inflow>f</inflow><outflow>"g g"</outflow></stock>
        <aux name="f"><eqn>+.72</eqn></aux>
        <aux name="g g"><eqn>3e-05 * TIME</eqn></aux>
        <aux name="h"><eqn>00.5</eqn></aux>
      </variables></model></xmile>""")
    kinds = {v.name: type(v).__name__ for v in model.variables}
    assert kinds == {"s": "Stock", "f": "Flow", "g g": "Flow", "h": "Constant"}
    np.testing.assert_allclose(simulate(model)["s"][:, 0], [0.34, 1.06, 1.77997])
