"""The portable XMILE spelling of equations: same tree when read back, tools' quirks avoided."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import ModelError
from sim.expr import Binary, Call, If, Name, Number, Unary, parse
from sim.xmile.dialect import controls_used, plain_number, quote_name, to_engine, to_xmile

leaves = st.one_of(
    st.sampled_from(["a", "room_temperature", "x.y", "$cost", "time"]).map(Name),
    st.floats(min_value=0, max_value=1e12).map(Number),
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(Unary, st.sampled_from(["-", "+", "not"]), children),
        st.builds(
            Binary,
            st.sampled_from(["+", "-", "*", "/", "^", "mod", "=", "<>", "<", ">=", "and", "or"]),
            children,
            children,
        ),
        st.builds(Call, st.sampled_from(["max", "smth1", "abs"]), st.tuples(children, children)),
        st.builds(If, children, children, children),
    ),
    max_leaves=12,
)


@given(trees)
def test_the_portable_text_parses_to_the_same_tree(tree):
    assert parse(to_xmile(tree, {})) == tree


@pytest.mark.parametrize(
    ("text", "portable"),
    [
        ("Room Temperature * 2", "room_temperature * 2"),
        ("-2^2", "-(2 ^ 2)"),
        ("a MOD b", "a mod b"),
        ("if a then b else if c then d else e", "IF a THEN b ELSE (IF c THEN d ELSE EXP(1))"),
        ("IF_THEN_ELSE(a > 1, 1, 0) * 2", "(IF a > 1 THEN 1 ELSE 0) * 2"),
        ("MODULO(a, 3)", "a mod 3"),
        ("XIDZ(a, b, 1) + ZIDZ(a, b)", "SAFEDIV(a, b, 1) + SAFEDIV(a, b)"),
        ("LOOKUP(effect, TIME)", "EFFECT(TIME)"),
        ("dt + starttime + stoptime + pi", "((TIME_STEP + INITIAL_TIME) + FINAL_TIME) + PI()"),
        ("ROUND(a)", "IF a >= 0 THEN INT(a + 0.5) ELSE -INT(0.5 - a)"),
        ("SIGN(a)", "IF a > 0 THEN 1 ELSE (IF a < 0 THEN -1 ELSE 0)"),
        ("LOG10(a)", "LN(a) / LN(10)"),
        ("smth1(x, 3)", "SMTH1(x, 3)"),
        ("min(a, b, c, 1)", "MIN(a, MIN(b, MIN(c, 1)))"),
    ],
)
def test_portable_spellings(text, portable):
    assert to_xmile(parse(text), {}) == portable


def test_variables_keep_their_spelling_and_shadow_builtins():
    names = {"room_temperature": "Room Temperature", "e": "E", "effect": "Effect of X"}
    assert to_xmile(parse("room_temperature + e"), names) == "Room_Temperature + E"
    assert to_xmile(parse("effect(2)"), names) == "Effect_of_X(2)"
    assert to_xmile(parse("a.b"), {"a.b": "a.b"}) == '"a.b"'
    step = {"time_step": "TIME STEP"}  # a model's own variable called TIME STEP is not DT
    assert to_xmile(parse("dt + time_step"), step) == "DT + TIME_STEP"
    assert controls_used("dt + time_step", "v", step) == set()


def test_control_names_used_outside_the_models_own_variables():
    assert controls_used("TIME - STARTTIME + dt()", "v", {}) == {"INITIAL_TIME", "TIME_STEP"}
    assert controls_used("final_time - initial_time", "v", {"initial_time": "x"}) == {"FINAL_TIME"}


def test_flow_references_are_quoted_only_when_needed():
    assert quote_name("heat_loss") == "heat_loss"
    assert quote_name("heat loss") == '"heat loss"'


@pytest.mark.parametrize(
    ("text", "value"), [("3", 3.0), ("-2.5", -2.5), ("+1e3", 1000.0), ("2*3", None), ("a", None)]
)
def test_plain_numbers(text, value):
    assert plain_number(text, "v") == value


def test_engine_text_is_the_xmile_text_trimmed_and_errors_name_the_variable():
    assert to_engine("\n  LOOKUP(t, TIME)\n", "aux 'v'") == "LOOKUP(t, TIME)"
    with pytest.raises(ModelError, match=r"^aux 'v': equation does not parse"):
        to_engine("1 +", "aux 'v'")


def test_a_rewritten_call_is_parenthesised_as_an_operand():
    """LOG10 is written as LN(x) / LN(10): as a divisor it used to lose its parentheses."""
    assert to_xmile(parse("2 / LOG10(x)"), {"x": "x"}) == "2 / (LN(x) / LN(10))"
