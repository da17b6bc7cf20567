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
from .parser import parse
from .printer import unparse

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
    "rebuild",
    "unparse",
    "walk",
]
