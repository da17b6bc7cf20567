"""Tokens of the XMILE expression language, with their character positions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ParseError

__all__ = ["KEYWORDS", "Token", "tokenize"]

KEYWORDS = frozenset({"if", "then", "else", "and", "or", "not", "mod"})

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[^\W\d][\w$.]*|\$[\w$.]*")
_OPERATORS = (
    "<=", ">=", "<>", "==", "!=", "+", "-", "*", "/", "^", "(", ")", ",", "<", ">", "=",
    "[", "]", "!", ":", "@",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
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
    i, end = 0, len(text)
    match = _FAST.match
    while i < end:
        m = match(text, i)
        if m is None:
            return None
        kind = m.lastgroup
        start, word = m.start(kind), m.group(kind)
        if kind == "word":
            lower = word.lower()
            if lower in KEYWORDS:
                tokens.append(Token("keyword", lower, start))
            elif tokens and tokens[-1].kind == "name":
                last = tokens.pop()  # "room temperature" is one name
                tokens.append(Token("name", f"{last.text} {word}", last.pos))
            else:
                tokens.append(Token("name", word, start))
        elif kind == "number":
            if word[0] == "." and tokens and tokens[-1].kind == "name":
                return None
            tokens.append(Token("number", word, start))
        else:
            tokens.append(Token("op", {"==": "=", "!=": "<>"}.get(word, word), start))
        i = m.end()
    tokens.append(Token("end", "", end))
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
            tokens.append(Token("op", {"==": "=", "!=": "<>"}.get(op, op), i))
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
