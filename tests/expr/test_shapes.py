"""A tree built by the plan of an equation of the same shape is the tree the parser makes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.expr import Binary, Call, If, Name, Number, Unary, fold, parse, parser, rebuild, unparse
from sim.expr.lexer import tokenize
from sim.expr.shapes import build, plan_of, shape_of

_leaves = st.one_of(
    st.sampled_from(["a", "room_temperature", "x.y", "$cost", "time"]).map(Name),
    st.floats(min_value=0, max_value=1e12, allow_nan=False).map(Number),
    st.sampled_from(["pi", "time"]).map(lambda f: Call(f, ())),
)


def _extend(children):
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "not"]), children),
        st.builds(Binary, st.sampled_from(["+", "-", "*", "^", "mod", "<>", "and"]), children,
                  children),
        st.builds(Call, st.sampled_from(["max", "smth1"]), st.lists(children, max_size=3)
                  .map(tuple)),
        st.builds(If, children, children, children),
    )  # fmt: skip


def _other_leaves(tree):
    """The same shape with other names and numbers."""

    def visit(n, kids):
        if isinstance(n, Name):
            return Name(f"other_{n.name}")
        if isinstance(n, Number):
            return Number(n.value + 1)
        return rebuild(n, kids)

    return fold(tree, visit)


@given(st.recursive(_leaves, _extend, max_leaves=10))
def test_an_equation_of_a_shape_met_before_parses_as_the_parser_reads_it(tree):
    text, other = unparse(tree), unparse(_other_leaves(tree))
    with pytest.MonkeyPatch.context() as fresh:
        fresh.setattr(parser, "_PRINTED", {})
        fresh.setattr(parser, "_PLANS", {})
        assert parse(other) == parser._Parser(tokenize(other), "x").parse()  # its plan kept
        assert parser._PLANS[shape_of(tokenize(text))[0]] is not None
        assert parse(text) == parser._Parser(tokenize(text), "x").parse() == tree


def test_subscripts_have_no_shape_and_a_plan_must_give_the_tree_back():
    assert shape_of(tokenize("x[a] + 1")) is None
    _, leaves = shape_of(tokenize("a + b * 2"))
    assert leaves == [Name("a"), Name("b"), Number(2.0)]
    plan = plan_of(parse("a + b * 2"), leaves)
    assert build(plan, leaves) == parse("a + b * 2")
    assert plan_of(parse("a + b * 2"), leaves[:2]) is None
    assert plan_of(parse("b + a * 2"), leaves) is None
