"""Tokens of the XMILE expression language, with their character positions."""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import ParseError

__all__ = ["KEYWORDS", "Token", "tokenize"]

KEYWORDS = frozenset({"if", "then", "else", "and", "or", "not", "mod"})

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[^\W\d][\w$.]*|\$[\w$.]*")
_OPERATORS = (
    "<=", ">=", "<>", "==", "!=", "+", "-", "*", "/", "^", "(", ")", ",", "<", ">", "=",
    "[", "]", "!", ":", "@",
)  # fmt: skip


class Token(NamedTuple):
    """One token (a named tuple, not a dataclass: a large model makes a million of them)."""

    kind: str  # "number", "name", "keyword", "op", "end"
    text: str
    pos: int


def _skip_space_and_comments(text: str, i: int, variable: str) -> int:
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == "{":  # Stella writes comments in braces
            close = text.find("}", i)
            if close < 0:
                raise ParseError(f"position {i}: comment '{{' is never closed", field=variable)
            i = close + 1
        else:
            break
    return i


_FAST = re.compile(
    rf"\s*(?:(?P<number>{_NUMBER.pattern})|(?P<word>{_WORD.pattern})"
    rf"|(?P<op>{'|'.join(re.escape(o) for o in _OPERATORS)}))\s*"
)
_SLOW = frozenset('"{')  # quoted names and comments: the character-by-character lexer
_SPELLED = {"==": "=", "!=": "<>"}  # operators with two spellings: the one the parser reads


def tokenize(text: str, variable: str = "") -> list[Token]:
    """Split ``text`` into tokens; consecutive plain words form one multi-word name.

    Equations without quotes or comments, nearly all of them, are split by one regular
    expression (compiling a 40,000-variable model tokenizes 40,000 equations); anything it
    does not expect goes to the careful lexer, which gives the same tokens or the error."""
    if _SLOW.isdisjoint(text):
        tokens = _tokenize_fast(text)
        if tokens is not None:
            return tokens
    return _tokenize(text, variable)


def _tokenize_fast(text: str) -> list[Token] | None:
    tokens: list[Token] = []
    append = tokens.append
    end = 0  # where the text matched so far ends
    after_name = False
    for m in _FAST.finditer(text):
        if m.start() != end:  # a character the expression does not expect
            return None
        end = m.end()
        kind = m.lastgroup
        start, word = m.start(kind), m.group(kind)
        if kind == "word":
            lower = word.lower()
            if lower in KEYWORDS:
                append(Token("keyword", lower, start))
                after_name = False
            elif after_name:
                last = tokens.pop()  # "room temperature" is one name
                append(Token("name", f"{last.text} {word}", last.pos))
            else:
                append(Token("name", word, start))
                after_name = True
        elif kind == "number":
            if after_name and word[0] == ".":
                return None
            append(Token("number", word, start))
            after_name = False
        else:
            append(Token("op", _SPELLED.get(word, word), start))
            after_name = False
    if end != len(text):
        return None
    append(Token("end", "", end))
    return tokens


def _tokenize(text: str, variable: str) -> list[Token]:
    tokens: list[Token] = []
    i = _skip_space_and_comments(text, 0, variable)
    while i < len(text):
        ch = text[i]
        if ch == '"':
            name, close = _quoted_name(text, i, variable)
            tokens.append(Token("name", name, i))
            i = close + 1
        elif (m := _NUMBER.match(text, i)) and not (
            ch == "." and tokens and tokens[-1].kind == "name"
        ):
            tokens.append(Token("number", m.group(), i))
            i = m.end()
        elif m := _WORD.match(text, i):
            word = m.group()
            if word.lower() in KEYWORDS:
                tokens.append(Token("keyword", word.lower(), i))
            elif tokens and tokens[-1].kind == "name" and not _quoted(text, tokens[-1]):
                last = tokens.pop()  # "room temperature" is one name
                tokens.append(Token("name", f"{last.text} {word}", last.pos))
            else:
                tokens.append(Token("name", word, i))
            i = m.end()
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise ParseError(f"position {i}: unexpected character {ch!r}", field=variable)
            tokens.append(Token("op", _SPELLED.get(op, op), i))
            i += len(op)
        i = _skip_space_and_comments(text, i, variable)
    tokens.append(Token("end", "", len(text)))
    return tokens


def _quoted_name(text: str, start: int, variable: str) -> tuple[str, int]:
    """The name quoted from ``start`` and the position of its closing quote; inside the
    quotes ``\\"`` is a quote and ``\\\\`` a backslash, as XMILE says."""
    chars: list[str] = []
    i = start + 1
    while i < len(text) and text[i] != '"':
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            i += 1
        chars.append(text[i])
        i += 1
    if i >= len(text):
        raise ParseError(f"position {start}: quoted name is never closed", field=variable)
    return "".join(chars), i


def _quoted(text: str, token: Token) -> bool:
    return text[token.pos] == '"'
