import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import ParseError
from sim.expr import Binary, Call, Index, Name, Number, Subscript, parse, unparse


def test_subscript_with_dimensions_elements_and_numbers():
    assert parse("x[Region, 2]") == Subscript("x", (Index("name", "region"), Index("number", "2")))


def test_whole_dimension_forms():
    assert parse("x[*]") == Subscript("x", (Index("star"),))
    assert parse("x[Dim.*]") == Subscript("x", (Index("star", "dim"),))
    assert parse("x[*:Dim, 1]") == Subscript("x", (Index("star", "dim"), Index("number", "1")))
    assert parse("SUM(x[Dim!])") == Call("sum", (Subscript("x", (Index("bang", "dim"),)),))


def test_qualified_element_and_quoted_names():
    assert parse('"my var"[dim.north, "New York"]') == Subscript(
        "my_var", (Index("name", "dim.north"), Index("name", "new_york"))
    )


def test_subscript_is_an_operand():
    assert parse("-x[a]^2 + 1") == Binary(
        "+",
        parse("-(x[a]^2)"),
        Number(1),
    )
    assert parse("x[a] * y") == Binary("*", Subscript("x", (Index("name", "a"),)), Name("y"))


def test_subscripted_lookup_call_is_a_lookup():
    table = Subscript("table", (Index("name", "a"),))
    assert parse("table[a](3)") == Call("lookup", (table, Number(3)))


@pytest.mark.parametrize("text", ["x[", "x[]", "x[a b c,]", "x[a;b]", "x[(a)]"])
def test_bad_subscripts_are_parse_errors(text):
    with pytest.raises(ParseError, match="position"):
        parse(text, "v")


_INDEX = st.one_of(
    st.sampled_from(["a", "dim", "north", "dim.elem", "new_york"]).map(lambda n: Index("name", n)),
    st.integers(1, 12).map(lambda k: Index("number", str(k))),
    st.just(Index("star")),
    st.sampled_from(["dim", "b"]).map(lambda d: Index("star", d)),
    st.sampled_from(["dim", "b"]).map(lambda d: Index("bang", d)),
    st.integers(1, 3).map(lambda k: Index("position", str(k))),
)


@given(st.sampled_from(["x", "my_var", "if_var"]), st.lists(_INDEX, min_size=1, max_size=3))
def test_printed_subscripts_parse_back(name, indices):
    subscript = Subscript(name, tuple(indices))
    node = Binary("+", subscript, Call("sum", (subscript,)))
    assert parse(unparse(node)) == node
