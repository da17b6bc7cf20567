"""The one expression language of models: XMILE's, parsed to a syntax tree, never evaluated
as Python."""

from .nodes import Binary, Call, If, Name, Node, Number, Unary, children, fold, rebuild, walk
from .parser import parse
from .printer import unparse

__all__ = [
    "Binary",
    "Call",
    "If",
    "Name",
    "Node",
    "Number",
    "Unary",
    "children",
    "fold",
    "parse",
    "rebuild",
    "unparse",
    "walk",
]
