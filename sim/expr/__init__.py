"""The one expression language of models: XMILE's, with subscripts, parsed to a syntax tree,
never evaluated as Python."""

from .nodes import (
    Binary,
    Call,
    If,
    Index,
    Name,
    Node,
    Number,
    Subscript,
    Unary,
    children,
    fold,
    rebuild,
    walk,
)
from .parser import parse, remember
from .printer import print_node, unparse

__all__ = [
    "Binary",
    "Call",
    "If",
    "Index",
    "Name",
    "Node",
    "Number",
    "Subscript",
    "Unary",
    "children",
    "fold",
    "parse",
    "print_node",
    "rebuild",
    "remember",
    "unparse",
    "walk",
]
