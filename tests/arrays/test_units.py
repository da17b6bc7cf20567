from sim.analysis.units import check_units
from sim.model import Auxiliary, Constant, Dimension, Model


def test_units_are_checked_element_by_element():
    model = Model(
        "u",
        (
            Constant("a", units="person", value=1.0, dims=("D",)),
            Auxiliary("b", units="yr", equation="SUM(a[*])"),
            Auxiliary("c", units="person", equation="a[D] * 2", dims=("D",)),
        ),
        dimensions=(Dimension("D", ("x", "y")),),
    )
    issues = check_units(model).issues
    assert [(i.variable, i.actual) for i in issues] == [("b", "person")]
