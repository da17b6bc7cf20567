"""The regular-expression lexer of plain equations gives the careful lexer's tokens."""

from hypothesis import given
from hypothesis import strategies as st

from sim.errors import ParseError
from sim.expr.lexer import Token, _tokenize, _tokenize_fast, tokenize

_PIECES = ["a", "Rate", "x_1", "$c", "1", "2.5", ".5", "1e3", "IF", "then", "mod", " ", "  ",
           "\t", "+", "-", "*", "/", "^", "(", ")", ",", "<=", "==", "!=", "<>", "[", "]", "!",
           ":", "@", ".", "#", "é", "\n"]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_the_fast_lexer_gives_the_careful_lexers_tokens_or_leaves_the_text_to_it(text):
    fast = _tokenize_fast(text)
    try:
        careful = _tokenize(text, "x")
    except ParseError:
        assert fast is None
    else:
        assert fast is None or fast == careful


def test_consecutive_words_are_one_name_and_positions_are_kept():
    assert tokenize("room temperature * 2") == [
        Token("name", "room temperature", 0),
        Token("op", "*", 17),
        Token("number", "2", 19),
        Token("end", "", 20),
    ]
