import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import ParseError
from sim.expr import Binary, Call, If, Name, Number, Unary, parse, unparse


@pytest.mark.parametrize(
    ("text", "value"),
    [("1e-3", 1e-3), (".5", 0.5), ("2.", 2.0), ("12", 12.0), ("1.5E+2", 150.0)],
)
def test_numbers(text, value):
    assert parse(text) == Number(value)


def test_unary_minus_binds_looser_than_power():
    assert parse("-2^2") == Unary("-", Binary("^", Number(2), Number(2)))


def test_power_is_right_associative_and_takes_signed_exponent():
    assert parse("2^3^2") == Binary("^", Number(2), Binary("^", Number(3), Number(2)))
    assert parse("2^-1") == Binary("^", Number(2), Unary("-", Number(1)))


def test_precedence_of_arithmetic_comparison_and_logic():
    tree = parse("a + b * c > d OR NOT e AND f")
    assert tree == Binary(
        "or",
        Binary(">", Binary("+", Name("a"), Binary("*", Name("b"), Name("c"))), Name("d")),
        Binary("and", Unary("not", Name("e")), Name("f")),
    )


def test_mod_is_multiplicative():
    assert parse("a + b MOD c") == Binary("+", Name("a"), Binary("mod", Name("b"), Name("c")))


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "=", "<>"])
def test_comparisons(op):
    assert parse(f"a {op} b") == Binary(op, Name("a"), Name("b"))


def test_keywords_in_any_case():
    assert (
        parse("if A then B else C")
        == parse("IF a THEN b ELSE c")
        == If(Name("a"), Name("b"), Name("c"))
    )


def test_names_are_case_insensitive_and_spaces_equal_underscores():
    assert parse("Room Temperature") == parse("room_temperature") == parse('"ROOM  temperature"')


def test_function_calls_are_canonical():
    assert parse("SMTH1(x, 3)") == Call("smth1", (Name("x"), Number(3)))
    assert parse("Time()") == Call("time", ())


def test_nested_if_inside_arithmetic():
    assert parse("1 + (IF a THEN 2 ELSE 3)") == Binary(
        "+", Number(1), If(Name("a"), Number(2), Number(3))
    )


def test_comments_in_braces_are_ignored():
    assert parse("a {the first} + b") == Binary("+", Name("a"), Name("b"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 +", "position 3: expected a number, a name, '(' or IF, found end of equation"),
        ("(a + b", "position 6: expected ')'"),
        ("IF a THEN b", "expected ELSE"),
        ("a b c (", "found end of equation"),
        ("f(a b, )", "position 7"),
        ("3 # 4", "unexpected character '#'"),
        ("", "empty equation"),
    ],
)
def test_errors_name_variable_position_and_expectation(text, message):
    with pytest.raises(ParseError, match=r"^flow_x: ") as info:
        parse(text, "flow_x")
    assert message in str(info.value)


# -- printing and parsing are inverse -----------------------------------------------------
names = st.sampled_from(["a", "b", "room_temperature", "x.y", "$cost", "a_b_c"]).map(Name)
numbers = st.floats(min_value=0, max_value=1e12, allow_nan=False).map(Number)


def _extend(children):
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "not"]), children),
        st.builds(
            Binary,
            st.sampled_from(["+", "-", "*", "/", "^", "mod", "=", "<>", "<", ">=", "and", "or"]),
            children,
            children,
        ),
        st.builds(Call, st.sampled_from(["max", "smth1", "abs"]), st.tuples(children, children)),
        st.builds(If, children, children, children),
    )


trees = st.recursive(st.one_of(names, numbers), _extend, max_leaves=12)


@given(trees)
def test_parsing_the_printed_form_gives_the_same_tree(tree):
    assert parse(unparse(tree)) == tree
