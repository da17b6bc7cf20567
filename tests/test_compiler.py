"""The compiler's shortcuts for large models give what the plain way gives."""

import graphlib

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.compile import flow_model
from sim import lowering
from sim.compiler import _topological_order, compile_model
from sim.expr import parser
from sim.model import Auxiliary, Constant, Flow, Model, Stock, TimeSpec
from sim.simulate import simulate

_KEYS = st.sampled_from([f"k{i}" for i in range(12)])


@given(st.dictionaries(_KEYS, st.sets(_KEYS, max_size=4), max_size=12))
def test_the_order_is_graphlibs_and_a_cycle_gives_none(graph):
    try:
        expected = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:
        expected = None
    assert _topological_order(graph) == expected


def test_the_parser_reads_one_equation_of_each_shape(monkeypatch):
    parsed = []
    real = parser._Parser.parse
    monkeypatch.setattr(parser._Parser, "parse", lambda self: parsed.append(1) or real(self))
    monkeypatch.setattr(parser, "_PRINTED", {})
    monkeypatch.setattr(parser, "_PLANS", {})
    compile_model(flow_model(50))  # 50 stocks starting at "1", 50 flows of one shape
    assert len(parsed) == 2


def test_only_equations_that_may_call_a_stateful_function_are_rewritten(monkeypatch):
    rewritten = []
    real = lowering.fold
    monkeypatch.setattr(lowering, "fold", lambda node, f: rewritten.append(node) or real(node, f))
    model = Model(
        "m",
        (
            Constant("initial rate", value=2.0),
            Auxiliary("x", equation="initial rate * TIME"),
            Auxiliary("smooth", equation='Smth1(x, 2) + "DELAY1"(x, 1)'),
            Stock("s", initial="x", inflows=("f",)),
            Flow("f", equation="smooth"),
        ),
        TimeSpec(0.0, 4.0, 0.5),
    )
    compiled = compile_model(model)
    assert len(rewritten) == 2  # "initial rate" looks like INIT: rewritten, unchanged
    hidden = {k.rstrip("0123456789") for k in compiled.keys if k.startswith("#")}
    assert hidden == {"#smth", "#smth_rate", "#delay", "#delay_rate"}
    assert np.isfinite(simulate(compiled, {})["smooth"]).all()


def test_equations_reading_the_same_variable_share_its_closure():
    compiled = compile_model(flow_model(20))
    leaves = {k: fn for k, fn in compiled._leaves.items() if fn is not None}
    assert len(leaves) == 22  # "rate", the 20 stocks and the number 1
