"""XMILE arrays: <dimensions>, arrayed variables, <element> definitions, round trips."""

import math

import numpy as np
import pytest

from sim.errors import ModelError
from sim.model import Auxiliary, Constant, Dimension, Flow, GraphicalFunction, Lookup, Model, Stock
from sim.simulate import simulate
from sim.xmile import reads_xmile, writes_xmile

OASIS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"


def xmile(variables: str, dimensions: str) -> str:
    return (
        f'<xmile version="1.0" xmlns="{OASIS}"><header><name>t</name></header>'
        "<sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>"
        f"<dimensions>{dimensions}</dimensions>"
        f"<model><variables>{variables}</variables></model></xmile>"
    )


DIMS = '<dim name="City"><elem name="Boston"/><elem name="New York"/></dim><dim name="N" size="3"/>'
ARRAYED = """
<aux name="price"><dimensions><dim name="City"/></dimensions>
  <element subscript="Boston"><eqn>2</eqn></element>
  <element subscript="New York"><eqn>3</eqn></element></aux>
<aux name="weight"><dimensions><dim name="N"/></dimensions><eqn>N * 10</eqn></aux>
<stock name="stock"><dimensions><dim name="City"/><dim name="N"/></dimensions>
  <eqn>weight[N]</eqn><inflow>buying</inflow></stock>
<flow name="buying"><dimensions><dim name="City"/><dim name="N"/></dimensions>
  <eqn>price[City]</eqn></flow>
<aux name="total"><eqn>SUM(stock[*, *])</eqn></aux>
<aux name="boston"><eqn>SUM(stock[City.Boston, *]) + stock[New_York, 3]</eqn></aux>
<aux name="effect"><dimensions><dim name="City"/></dimensions><eqn>TIME</eqn>
  <element subscript="Boston"><gf><xscale min="0" max="4"/><ypts>0,4</ypts></gf></element>
  <element subscript="New York"><gf><xscale min="0" max="4"/><ypts>0,8</ypts></gf></element></aux>
"""


def test_an_arrayed_xmile_model_reads_and_runs():
    model = reads_xmile(xmile(ARRAYED, DIMS))
    assert model.dimensions == (
        Dimension("City", ("Boston", "New York")),
        Dimension("N", ("1", "2", "3")),
    )
    price = model["price"]
    assert isinstance(price, Constant) and price.dims == ("City",)
    assert price.elements == ((("Boston",), "2"), (("New York",), "3"))
    r = simulate(model)
    t = r.times
    np.testing.assert_allclose(r["stock[New York,2]"][:, 0], 20 + 3 * t)
    np.testing.assert_allclose(r["total"][:, 0], 2 * 60 + 3 * 5 * t)
    np.testing.assert_allclose(r["boston"][:, 0], 60 + 6 * t + 30 + 3 * t)
    np.testing.assert_allclose(r["effect[New York]"][:, 0], 2 * t)
    r = simulate(model, {"price[Boston]": 0.0})
    np.testing.assert_allclose(r["stock[Boston,1]"][:, 0], 10)


def arrayed_model() -> Model:
    a = Dimension("A", ("a1", "a2"), maps_to=(("B", ("b2", "b1")),))
    b = Dimension("B", ("b1", "b2"))
    table = GraphicalFunction((0.0, 1.0), (0.0, 2.0))
    flat = GraphicalFunction((0.0, 1.0), (1.0, 1.0))
    return Model(
        "round trip",
        (
            Constant("c", value=math.nan, dims=("A",), elements=((("a1",), "1.5"), (("a2",), "2"))),
            Lookup("f", graphical=table, dims=("B",), tables=((("b2",), flat),)),
            Stock("s", initial="", dims=("A",), inflows=("in",),
                  elements=((("a1",), "c[a1] * 2"), (("a2",), "SUM(c[A!])"))),
            Flow("in", equation="f[B](0.5) + c", dims=("A",)),
            Auxiliary("g", equation="MEAN(s[*])"),
        ),
        dimensions=(a, b),
    )  # fmt: skip


def test_an_arrayed_model_survives_a_round_trip_through_xmile():
    model = arrayed_model()
    text = writes_xmile(model)
    assert '<element subscript="a1">' in text and '<dim name="A">' in text
    assert reads_xmile(text) == model
    np.testing.assert_allclose(simulate(reads_xmile(text)).values, simulate(model).values)


def test_the_export_is_portable_xmile():
    text = writes_xmile(arrayed_model())
    assert "<eqn>SUM(c[*:A])</eqn>" in text  # Vensim's c[A!] in XMILE's spelling
    # the original spelling is kept aside, not as a second <eqn> a namespace-blind reader sees
    assert "sdsim:eqn" not in text and '<sdsim:element subscript="a2" eqn="SUM(c[A!])"/>' in text


@pytest.mark.parametrize(
    ("variables", "dimensions", "message"),
    [
        ('<aux name="v"><dimensions><dim name="Nowhere"/></dimensions><eqn>1</eqn></aux>', DIMS,
         r"^aux 'v': unknown dimension 'Nowhere' \(dimensions: City, N\)"),
        ('<aux name="v"><element subscript="1"><eqn>1</eqn></element></aux>', DIMS,
         r"^aux 'v': <element> definitions need <dimensions>"),
        ("", '<dim name="D"/>', r"^dimension 'D': a <dim> needs <elem> elements or a whole size"),
        ("", '<dim name="D" size="2.5"/>', r"^dimension 'D': a <dim> needs <elem>"),
    ],
)  # fmt: skip
def test_bad_arrays_are_one_clear_error(variables, dimensions, message):
    with pytest.raises(ModelError, match=message):
        reads_xmile(xmile(variables, dimensions))


def test_toml_export_writes_the_elements_and_runs_the_same(tmp_path):
    from sim.modelfile import load_model, save_model

    model = arrayed_model()
    save_model(model, tmp_path / "m.toml")
    again = load_model(tmp_path / "m.toml")
    assert "s[a2]" in again and not again.dimensions
    a, b = simulate(model), simulate(again)
    for name in a.names:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12)


def test_a_bad_arrayed_file_is_one_line_and_exit_status_2(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.xmile"
    v = '<aux name="v"><dimensions><dim name="City"/></dimensions><eqn>weight[City]</eqn></aux>'
    bad.write_text(xmile(v + ARRAYED.split("<stock")[0], DIMS))
    done = subprocess.run(
        [sys.executable, "-m", "sim", "simulate", str(bad)], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        f"sim simulate: error: {bad}: v: dimension City does not match dimension N of weight "
        "(no subrange, mapping or equal size)\n"
    )
