"""Writing XMILE: ``read(write(m)) == m`` for every model, and files other tools can read."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.expr import Binary, Call, If, Name, Number, Unary, unparse
from sim.model import (
    Auxiliary,
    Constant,
    Flow,
    GraphicalFunction,
    Lookup,
    Model,
    Stock,
    TimeSpec,
)
from sim.models import resolve_model, shipped_model_names
from sim.xmile import read_xmile, reads_xmile, write_xmile, writes_xmile

OASIS = "{http://docs.oasis-open.org/xmile/ns/XMILE/v1.0}"

TRICKY = Model(
    name="tricky <&> model",
    doc="Line one\nline two\r\nwith a tab\tand <markup> & ampersand.\n",
    time=TimeSpec(2016.0, 2021.0, 0.25, "rk4", "year", save_step=1.0),
    variables=(
        Stock("Money Stock", "yuan", "kept", initial="seed money * 2", inflows=("in flow",),
              outflows=("out_flow",), non_negative=True, source="plan, p. 3"),
        Flow("in flow", equation="IF_THEN_ELSE(TIME > 2018, 1, 0) + effect(TIME)"),
        Flow("out_flow", equation="  MAX(0, Money_Stock mod 3)  ", non_negative=True,
             graphical=GraphicalFunction((0.0, 1.0), (0.0, 0.5), "extrapolate")),
        Constant("seed money", "yuan", "start", value=-12.5, source="assumption",
                 range=(-20.0, 1e6)),
        Constant("rate", value=0.1),
        Auxiliary("five", equation="5"),
        Auxiliary("x.y", equation="xidz(1, seed_money, 2) + zidz(1, 0) - e ^ -pi"),
        Auxiliary("if lower", equation="if a then b else c", doc="é ü 中文"),
        Auxiliary("comment", equation="1 {a Stella comment} + 2"),
        Lookup("effect", "1", "table", graphical=GraphicalFunction((0.0, 5.0), (1.0, 2.0),
                                                                   "discrete"), source="s"),
        Auxiliary("gf aux", equation="TIME", graphical=GraphicalFunction((0.0,), (3.0,))),
        Auxiliary("looked up", equation="LOOKUP(effect, rate)"),
    ),
)  # fmt: skip


@pytest.mark.parametrize("name", shipped_model_names())
def test_every_shipped_model_round_trips(name, tmp_path):
    model = resolve_model(name)
    assert reads_xmile(writes_xmile(model)) == model
    write_xmile(model, tmp_path / f"{name}.xmile")
    assert read_xmile(tmp_path / f"{name}.xmile") == model
    assert [p.name for p in tmp_path.iterdir()] == [f"{name}.xmile"]  # no temporary left


def test_a_model_with_every_awkward_feature_round_trips():
    text = writes_xmile(TRICKY)
    assert reads_xmile(text) == TRICKY
    ET.fromstring(text)  # well-formed, all prefixes declared


def test_standard_equations_are_portable_and_originals_kept_aside():
    root = ET.fromstring(writes_xmile(TRICKY))
    eqns = {
        v.get("name"): v.findtext(f"{OASIS}eqn")
        for v in root.iter()
        if v.get("name") and v.tag.startswith(OASIS)
    }
    assert eqns["Money Stock"] == "seed_money * 2"
    assert eqns["in flow"] == "(IF TIME > 2018 THEN 1 ELSE 0) + effect"
    assert eqns["out_flow"] == "MAX(0, Money_Stock mod 3)"
    assert eqns["x.y"] == "(SAFEDIV(1, seed_money, 2) + SAFEDIV(1, 0)) - (EXP(1) ^ (-PI()))"
    assert eqns["if lower"] == "IF a THEN b ELSE c"
    assert eqns["comment"] == "1 + 2"
    assert eqns["looked up"] == "effect_2"
    # each call of a table is an auxiliary with the argument as <eqn> and the table as <gf>:
    # the one form of a lookup that PySD and Simlin both evaluate
    assert (eqns["effect"], eqns["effect 2"]) == ("TIME", "rate")
    stock = next(v for v in root.iter(f"{OASIS}stock"))
    assert [e.text for e in stock.iter(f"{OASIS}inflow")] == ['"in flow"']
    assert [e.text for e in stock.iter(f"{OASIS}outflow")] == ["out_flow"]


def test_start_stop_and_step_are_control_auxiliaries_that_read_back_as_builtins():
    model = Model(
        "m", (Auxiliary("elapsed", equation="(TIME - STARTTIME) / (STOPTIME - STARTTIME) * DT"),)
    )
    root = ET.fromstring(writes_xmile(model))
    auxes = {a.get("name"): a.findtext(f"{OASIS}eqn") for a in root.iter(f"{OASIS}aux")}
    assert auxes == {
        "elapsed": "((TIME - INITIAL_TIME) / (FINAL_TIME - INITIAL_TIME)) * TIME_STEP",
        "FINAL TIME": "STOPTIME",
        "INITIAL TIME": "STARTTIME",
        "TIME STEP": "DT",
    }
    assert reads_xmile(writes_xmile(model)) == model
    edited = writes_xmile(model).replace(' eqn="', ' ignored="')
    assert reads_xmile(edited)["elapsed"].equation == (
        "((TIME - INITIAL_TIME) / (FINAL_TIME - INITIAL_TIME)) * TIME_STEP"
    )


def test_a_standard_equation_edited_by_another_tool_wins_over_the_kept_original():
    text = writes_xmile(TRICKY).replace("<eqn>IF a THEN b ELSE c</eqn>", "<eqn>a + 1</eqn>")
    assert reads_xmile(text)["if lower"].equation == "a + 1"


def test_sim_specs_in_stella_spelling():
    root = ET.fromstring(writes_xmile(TRICKY))
    specs = root.find(f"{OASIS}sim_specs")
    assert specs.get("method") == "RK4"
    assert specs.get("time_units") == "year"
    assert specs.get("{http://iseesystems.com/XMILE}save_interval") == "1"
    assert [specs.findtext(f"{OASIS}{t}") for t in ("start", "stop", "dt")] == [
        "2016",
        "2021",
        "0.25",
    ]


# -- the round trip as a property ---------------------------------------------------------
NAMES = ["a", "b", "Room Temperature", "x.y", "$cost", "rate_2", "Ünï code", "e", "time_step",
         'say "hi"', "back\\slash"]  # fmt: skip
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r"))
floats = st.floats(allow_nan=False, allow_infinity=False)
leaves = st.one_of(
    st.sampled_from(NAMES).map(lambda n: Name(n.lower().replace(" ", "_"))),
    st.floats(min_value=0, max_value=1e9).map(Number),
)


def _extend(children):
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "not"]), children),
        st.builds(
            Binary,
            st.sampled_from(["+", "-", "*", "/", "^", "mod", "=", "<>", "<=", "and", "or"]),
            children,
            children,
        ),
        st.builds(
            Call,
            st.sampled_from(["max", "if_then_else", "xidz", "modulo", "smth1"]),
            st.tuples(children, children, children),
        ),
        st.builds(If, children, children, children),
    )


equations = st.recursive(leaves, _extend, max_leaves=8).map(unparse)
graphicals = st.builds(
    GraphicalFunction,
    st.lists(floats, min_size=1, max_size=3).map(tuple),
    st.lists(floats, min_size=1, max_size=3).map(tuple),
    st.sampled_from(["continuous", "extrapolate", "discrete"]),
)
common = {"units": texts, "doc": texts}


def _variable(name: str):
    flows = st.lists(st.sampled_from(NAMES), max_size=2).map(tuple)
    source = {"source": texts}
    return st.one_of(
        st.builds(Stock, st.just(name), initial=equations, inflows=flows, outflows=flows,
                  non_negative=st.booleans(), **common, **source),
        st.builds(Flow, st.just(name), equation=equations, non_negative=st.booleans(),
                  graphical=st.none() | graphicals, **common, **source),
        st.builds(Auxiliary, st.just(name), equation=equations | floats.map(repr),
                  graphical=st.none() | graphicals, **common, **source),
        st.builds(Constant, st.just(name), value=floats,
                  range=st.none() | st.tuples(floats, floats), **common, **source),
        st.builds(Lookup, st.just(name), graphical=graphicals, **common, **source),
    )  # fmt: skip


models = st.builds(
    Model,
    name=st.sampled_from(["m", "Hexi plan", "a&b <c>"]),
    variables=st.lists(st.sampled_from(NAMES), unique=True, max_size=5).flatmap(
        lambda names: st.tuples(*map(_variable, names))
    ),
    time=st.builds(
        TimeSpec,
        floats,
        floats,
        floats,
        st.sampled_from(["euler", "rk2", "rk4"]),
        texts,
        st.none() | floats,
    ),
    doc=texts,
)


@given(models)
def test_read_of_write_is_the_same_model(model):
    assert reads_xmile(writes_xmile(model)) == model


@pytest.mark.parametrize("name", shipped_model_names())
def test_a_namespace_blind_reader_sees_one_of_each_field_per_variable(name):
    """Simlin matches tags by local name: our extensions must add no second <eqn>, <doc>, …
    to any variable, and live in one block per model."""
    root = ET.fromstring(writes_xmile(resolve_model(name)))
    (model,) = root.iter(f"{OASIS}model")
    assert [c.tag.rsplit("}")[-1] for c in model] in (["variables", "roundtrip"], ["variables"])
    for variable in model.find(f"{OASIS}variables"):
        tags = [c.tag.rsplit("}")[-1] for c in variable if "flow" not in c.tag]
        assert len(tags) == len(set(tags)), (variable.get("name"), tags)
        assert all(c.tag.startswith(OASIS) for c in variable.iter()), variable.get("name")


def test_exports_of_earlier_versions_still_read():
    """Before the one <sdsim:roundtrip> block, each variable carried <sdsim:…> children."""
    text = """<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
        xmlns:sdsim="urn:sdsim:xmile:1">
      <sim_specs method="Euler"><start>0</start><stop>1</stop><dt>1</dt></sim_specs>
      <model><sdsim:doc>old</sdsim:doc><variables>
        <aux name="a"><eqn>2</eqn><sdsim:source>s</sdsim:source>
          <sdsim:range min="1" max="3"/></aux>
        <aux name="b"><eqn>5</eqn><sdsim:kind>auxiliary</sdsim:kind></aux>
        <aux name="c"><eqn>MAX(a, b)</eqn><sdsim:eqn>max(a,b)</sdsim:eqn></aux>
        <aux name="INITIAL TIME"><eqn>STARTTIME</eqn><sdsim:kind>control</sdsim:kind></aux>
      </variables></model></xmile>"""
    model = reads_xmile(text)
    assert model.doc == "old"
    assert model["a"] == Constant("a", value=2.0, source="s", range=(1.0, 3.0))
    assert model["b"] == Auxiliary("b", equation="5")
    assert model["c"].equation == "max(a,b)"
    assert "initial_time" not in model
