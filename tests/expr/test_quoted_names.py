"""Quoted names may hold any character; XMILE escapes a quote or a backslash inside them."""

import pytest

from sim.errors import ParseError
from sim.expr import Binary, Name, parse, unparse


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('"Hyphenated-Term" * 2', "hyphenated-term"),
        ('"the \\"best\\" guess" * 2', 'the_"best"_guess'),
        ('"back\\\\slash" * 2', "back\\slash"),
        ('"a\\b" * 2', "a\\b"),
    ],
)
def test_escapes_inside_quoted_names(text, name):
    tree = parse(text)
    assert tree == Binary("*", Name(name), parse("2"))
    assert parse(unparse(tree)) == tree


def test_an_unclosed_quote_is_an_error():
    with pytest.raises(ParseError, match=r"^v: position 4: quoted name is never closed"):
        parse('1 + "open \\"', "v")
