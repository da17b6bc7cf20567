import math

import numpy as np
import pytest

from sim.arrays import element_name, expand
from sim.errors import ModelError
from sim.model import Auxiliary, Constant, Dimension, Flow, Model, Stock, TimeSpec
from sim.simulate import simulate

NAN = math.nan
REGION = Dimension("Region", ("north", "south"))


def model(*variables, dims=(REGION,)):
    return Model("t", tuple(variables), TimeSpec(0, 5, 1), dimensions=tuple(dims))


def growth():
    return model(
        Constant("rate", value=0.1),
        Constant(
            "init pop",
            dims=("Region",),
            value=NAN,
            elements=((("north",), "100"), (("south",), "50")),
        ),
        Stock("pop", initial="init pop[Region]", inflows=("births",), dims=("Region",)),
        Flow("births", equation="pop[Region] * rate", dims=("Region",)),
        Auxiliary("total", equation="SUM(pop[*])"),
        Auxiliary("share", equation="pop / total", dims=("Region",)),
    )


def test_element_names():
    assert element_name("pop", ("north", "young")) == "pop[north,young]"


def test_a_model_without_dimensions_is_returned_unchanged():
    m = Model("s", (Constant("a", value=1.0),))
    assert expand(m) is m


def test_apply_to_all_and_element_wise_equations_expand_to_elements():
    expanded = expand(growth())
    assert [v.name for v in expanded.variables] == [
        "rate",
        "init pop[north]",
        "init pop[south]",
        "pop[north]",
        "pop[south]",
        "births[north]",
        "births[south]",
        "total",
        "share[north]",
        "share[south]",
    ]
    assert expanded.dimensions == ()
    assert expanded["pop[south]"].inflows == ("births[south]",)
    assert expanded["pop[south]"].indices == (("Region", "south"),)
    assert expanded["init pop[north]"].value == 100.0


def test_arrayed_growth_matches_the_analytic_answer():
    r = simulate(growth())
    t = np.arange(6)
    np.testing.assert_allclose(r["pop[north]"][:, 0], 100 * 1.1**t)
    np.testing.assert_allclose(r["pop[south]"][:, 0], 50 * 1.1**t)
    np.testing.assert_allclose(r["total"][:, 0], 150 * 1.1**t)
    np.testing.assert_allclose(r["share[north]"][:, 0], 2 / 3)


def test_each_element_of_an_arrayed_constant_is_a_scenario_parameter():
    r = simulate(growth(), {"init pop[south]": np.array([50.0, 70.0])})
    np.testing.assert_allclose(r["pop[south]"][0], [50.0, 70.0])
    np.testing.assert_allclose(r["pop[north]"][0], [100.0, 100.0])


def test_element_wise_override_beside_an_apply_to_all_equation():
    m = model(
        Auxiliary("x", equation="1", dims=("Region",), elements=((("south",), "2"),)),
    )
    r = simulate(m)
    assert r["x[north]"][0, 0] == 1.0 and r["x[south]"][0, 0] == 2.0


def test_two_dimensions_and_transposition():
    age = Dimension("Age", ("young", "old", "very old"))
    m = model(
        Constant("x", dims=("Region",), value=NAN, elements=((("north",), "1"), (("south",), "2"))),
        Auxiliary("y", equation="Age * 100", dims=("Age",)),
        Auxiliary("m", equation="x[Region] + y[Age]", dims=("Region", "Age")),
        Auxiliary("t", equation="m[Region, Age]", dims=("Age", "Region")),
        Auxiliary("rowsum", equation="SUM(m[Region, *])", dims=("Region",)),
        Auxiliary("colsum", equation="SUM(m[Region!, Age])", dims=("Age",)),
        dims=(REGION, age),
    )
    r = simulate(m)
    assert r["m[south,very old]"][0, 0] == 302.0
    assert r["t[very old,south]"][0, 0] == 302.0
    assert r["y[old]"][0, 0] == 200.0
    assert r["rowsum[north]"][0, 0] == 3 * 1 + 600
    assert r["colsum[young]"][0, 0] == 1 + 2 + 200


def test_stateful_builtins_apply_per_element():
    m = model(
        Auxiliary("input", equation="STEP(10, 1) * Region", dims=("Region",)),
        Auxiliary("smooth", equation="SMTH1(input, 2)", dims=("Region",)),
    )
    r = simulate(m)
    assert r["smooth[north]"][-1, 0] != r["smooth[south]"][-1, 0]
    scalar = Model(
        "s",
        (
            Auxiliary("input", equation="STEP(10, 1) * 2"),
            Auxiliary("smooth", equation="SMTH1(input, 2)"),
        ),
        TimeSpec(0, 5, 1),
    )
    np.testing.assert_allclose(r["smooth[south]"], simulate(scalar)["smooth"])


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        (Auxiliary("x", equation="1", dims=("Nowhere",)), "unknown dimension 'Nowhere'"),
        (
            Auxiliary("x", equation="", dims=("Region",), elements=((("north",), "1"),)),
            r"element x\[south\] has no equation",
        ),
        (
            Auxiliary("x", equation="1", dims=("Region",), elements=((("west",), "1"),)),
            "'west' is not an element of dimension Region",
        ),
        (Auxiliary("x", equation="a[east]", dims=("Region",)), "'east' is neither"),
        (Auxiliary("x", equation="a[Region, Region]", dims=("Region",)), "has 1 dimensions"),
        (Auxiliary("x", equation="a[*]"), r"a\[\*\] is a whole dimension"),
        (Auxiliary("x", equation="s[north]"), "'s' is not arrayed"),
        (Auxiliary("x", equation="nothing[north]"), "'nothing' is not a variable"),
        (Auxiliary("x", equation="a"), "dimension Region is not a dimension of this equation"),
    ],
)
def test_errors_name_the_variable_and_the_reason(variable, message):
    m = model(Auxiliary("a", equation="1", dims=("Region",)), Constant("s", value=1.0), variable)
    with pytest.raises(ModelError, match=message) as info:
        expand(m)
    assert info.value.field == "x"


def test_names_with_braces_print_right_in_expanded_equations():
    m = model(
        Constant("a{b}", value=2.0),
        Auxiliary("x", equation='"a{b}" * 1 + Region', dims=("Region",)),
    )
    assert expand(m)["x[south]"].equation == '("a{b}" * 1) + 2'


def test_expanded_equations_parse_to_the_trees_handed_to_lowering():
    """Lowering takes the expander's trees from parse's memo: they must be what the printed
    equations parse to."""
    from sim.expr import parser
    from sim.expr.lexer import tokenize

    age = Dimension("Age", ("young", "old age"))
    both = ("Region", "Age")
    m = model(
        Constant("c", value=2.0, dims=("Region",)),
        Auxiliary("x", equation="-c[Region] ^ 2 + IF Age > 1 THEN 1 ELSE c", dims=both),
        Auxiliary("y", equation="MAX(x[Region, *]) / SMTH1(x[Region, old age], 2)", dims=both[:1]),
        dims=(REGION, age),
    )  # fmt: skip
    seen = 0
    for v in expand(m).variables:
        text = getattr(v, "equation", None)
        if text and text in parser._PRINTED:
            seen += 1
            assert parser._Parser(tokenize(text, v.name), v.name).parse() == parser._PRINTED[text]
    assert seen == 6


def test_a_scalar_flow_cannot_feed_every_element_of_an_arrayed_stock():
    m = model(Stock("s", inflows=("f",), dims=("Region",)), Flow("f", equation="1"))
    with pytest.raises(ModelError, match="flow 'f' has no dimensions") as info:
        expand(m)
    assert info.value.field == "s"
