"""Print a syntax tree back to equation text that parses to the same tree."""

from __future__ import annotations

import re

from .lexer import KEYWORDS
from .nodes import Binary, Call, If, Index, Name, Node, Number, Subscript, Unary, fold

__all__ = ["print_node", "unparse"]

_PLAIN_NAME = re.compile(r"[^\W\d][\w$.]*")
_WORD_OPS = {"and": "AND", "or": "OR", "mod": "MOD"}


def unparse(node: Node) -> str:
    """Equation text for ``node``; every compound operand is parenthesised, so no precedence
    rule is needed to read it back."""
    return fold(node, _print)


def print_node(node: Node, parts: list[str]) -> str:
    """The text of ``node`` from the texts of its children (one step of `unparse`)."""
    return _print(node, parts)


def _print(node: Node, parts: list[str]) -> str:
    """The text of ``node`` from the texts of its children."""
    match node:
        case Number(value=value):
            text = repr(float(value))
            return text[:-2] if text.endswith(".0") else text
        case Name(name=name):
            return _name(name)
        case Unary(op="not", operand=operand):
            return f"NOT {_operand(operand, parts[0])}"
        case Unary(op=op, operand=operand):
            return f"{op}{_operand(operand, parts[0])}"
        case Binary(op=op, left=left, right=right):
            return f"{_operand(left, parts[0])} {_WORD_OPS.get(op, op)} {_operand(right, parts[1])}"
        case Call(func="lookup", args=(Subscript(), *_)):
            return f"{parts[0]}({', '.join(parts[1:])})"
        case Call(func=func):
            return f"{_name(func)}({', '.join(parts)})"
        case Subscript(name=name, indices=indices):
            return f"{_name(name)}[{', '.join(_index(i) for i in indices)}]"
        case If():
            return "IF {} THEN {} ELSE {}".format(*parts)
    raise TypeError(f"not a syntax-tree node: {node!r}")


def _index(index: Index) -> str:
    match index.kind:
        case "number":
            return index.name
        case "star":
            return f"*:{_name(index.name)}" if index.name else "*"
        case "bang":
            return f"{_name(index.name)}!"
        case "position":
            return f"@{index.name}"
    return _name(index.name)


def _operand(node: Node, text: str) -> str:
    if isinstance(node, Name | Call | Subscript) or (isinstance(node, Number) and node.value >= 0):
        return text
    return f"({text})"


def _name(name: str) -> str:
    if _PLAIN_NAME.fullmatch(name) and name.lower() not in KEYWORDS:
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
