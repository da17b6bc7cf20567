"""The Lark grammar of one Vensim equation."""

import pytest

from sim.errors import ModelError
from sim.vensim import syntax as v
from sim.vensim.grammar import parse_statement


def parse(text):
    return parse_statement(text, "test")


def test_names_with_spaces_and_functions_with_spaces():
    eq = parse("Heat Loss = IF THEN ELSE(Room  Temp > 5, SMOOTH N(x, 2, 0, 3), 0)")
    assert eq.lhs == v.Lhs("Heat Loss")
    call = eq.expr
    assert call.func == "IF THEN ELSE"
    assert call.args[0] == v.Op(">", (v.Ref("Room Temp"), v.Num(5.0)))
    assert call.args[1].func == "SMOOTH N"


def test_precedence_power_binds_tighter_than_the_sign():
    assert parse("x = -2^2").expr == v.Op("-", (v.Op("^", (v.Num(2.0), v.Num(2.0))),))
    assert parse("x = 1 + 2 * 3").expr == v.Op(
        "+", (v.Num(1.0), v.Op("*", (v.Num(2.0), v.Num(3.0))))
    )
    assert parse("x = a = b :AND: :NOT: c").expr == v.Op(
        "and", (v.Op("=", (v.Ref("a"), v.Ref("b"))), v.Op("not", (v.Ref("c"),)))
    )


def test_quoted_names_comments_strings_and_na():
    eq = parse('"a \\"b\\" c" = {a comment} "x*y" + :NA: + GET DIRECT DATA(\'f.csv\', \'1\')')
    assert eq.lhs.name == '"a \\"b\\" c"'
    assert eq.expr.operands[0].operands == (v.Ref('"x*y"'), v.Missing())
    assert eq.expr.operands[1].args[0] == v.Str("f.csv")


def test_lookup_definitions_with_and_without_range_and_inline_lookups():
    table = parse("t([(0,0)-(2,2)],(0,1),(1,- 0.5),(2,+3))")
    assert table == v.LookupDef(v.Lhs("t"), v.Table((0.0, 1.0, 2.0), (1.0, -0.5, 3.0)))
    assert parse("t((0,1),(1,2))").table == v.Table((0.0, 1.0), (1.0, 2.0))
    inline = parse("y = WITH LOOKUP(Time, ([(0,0)-(1,1)],(0,0),(1,1)))").expr
    assert inline.args[1] == v.Table((0.0, 1.0), (0.0, 1.0))


def test_subscript_definitions_ranges_mappings_and_equivalences():
    assert parse("dim: (a1-a3), b -> other") == v.SubscriptDef(
        "dim", ("a1", "a2", "a3", "b"), (("other", ()),)
    )
    assert parse("d: x, y -> (m: p, q)").maps == (("m", ("p", "q")),)
    assert parse("d: (b08-b10)").elements == ("b08", "b09", "b10")
    assert parse("a <-> b") == v.Equivalence("a", "b")


def test_subscripted_equations_except_values_and_tabbed_arrays():
    eq = parse("x[d1, d2] :EXCEPT: [e1, e2], [e3, e2] = y[d1!] * 2")
    assert eq.lhs == v.Lhs("x", ("d1", "d2"), (("e1", "e2"), ("e3", "e2")))
    assert eq.expr.operands[0] == v.Ref("y", ("d1!",))
    assert parse("x[a, b] = 1, 2; 3, -4;").values == tuple(map(v.Num, (1.0, 2.0, 3.0, -4.0)))
    assert parse("x[a] = TABBED ARRAY(\n 1\t2\n -3)").values == tuple(map(v.Num, (1.0, 2.0, -3.0)))
    assert parse("x[a] := GET DIRECT DATA('f', 's', 'A', 'B2')").op == ":="
    assert parse("y[a]:INTERPOLATE:").lhs.keyword == "INTERPOLATE"
    assert parse("z = t[a](Time)").expr == v.Call("t", (v.Ref("Time"),), ("a",))


def test_a_bad_equation_names_the_place_and_the_column():
    with pytest.raises(
        ModelError, match=r"test: equation does not parse at column 8: unexpected '\* 2'"
    ):
        parse("x = 1 +* 2")
