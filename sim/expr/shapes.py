"""Equations of one shape parse to trees of one shape: ``rate * (stock_1 - stock_2)`` and
``rate * (stock_2 - stock_3)`` differ only in their names. A generated model holds tens of
thousands of such equations; the parser reads the first of each shape, and the trees of the
others are built by the plan taken from its tree, with their own names and numbers."""

from __future__ import annotations

from ..names import canonical
from .lexer import Token
from .nodes import Binary, Call, If, Name, Node, Number, Unary, children, fold, rebuild

__all__ = ["Plan", "Shape", "build", "plan_of", "shape_of"]

Shape = tuple[str, ...]
Plan = tuple[tuple | None, ...]
"""A tree in post-order: None takes the next leaf, ``(Binary, op)``, ``(Unary, op)``,
``(If,)`` and ``(Call, func, number of arguments)`` take their operands from the stack."""

_NAME, _NUMBER, _CALL = "\0name", "\0number", "\0call "  # no token's text starts with NUL


def shape_of(tokens: list[Token]) -> tuple[Shape, list[Node]] | None:
    """The shape of an equation (its operators, keywords and the functions it calls, with a
    place for each name and number) and its leaves in the order written; None if it holds a
    subscript (the expander's business, with shapes of its own)."""
    shape: list[str] = []
    leaves: list[Node] = []
    held = None  # a name, whose role the next token tells
    for kind, text, _ in tokens:
        if held is not None:
            if text == "(" and kind == "op":
                shape.append(_CALL + held)
            elif text == "[" and kind == "op":
                return None
            else:
                shape.append(_NAME)
                leaves.append(Name(canonical(held)))
            held = None
        if kind == "name":
            held = text
        elif kind == "number":
            shape.append(_NUMBER)
            leaves.append(Number(float(text)))
        else:
            shape.append(text)
    return tuple(shape), leaves


def plan_of(node: Node, leaves: list[Node]) -> Plan | None:
    """The plan that builds ``node`` from ``leaves``; None unless it gives ``node`` back."""
    plan: list[tuple | None] = []

    def visit(n: Node, kids: list) -> None:
        kind = type(n)
        if kind is Name or kind is Number:
            plan.append(None)
        elif kind is Binary or kind is Unary:
            plan.append((kind, n.op))
        elif kind is If:
            plan.append((If,))
        elif kind is Call:
            plan.append((Call, n.func, len(n.args)))
        else:
            plan.append((object,))  # not built here: the check below fails

    fold(node, visit)
    if plan.count(None) != len(leaves):
        return None
    try:
        return tuple(plan) if _same(build(plan, leaves), node) else None
    except (IndexError, StopIteration, TypeError, ValueError):
        return None


def _same(a: Node, b: Node) -> bool:
    """``a == b`` without recursion (equations can be thousands of levels deep)."""
    pairs = [(a, b)]
    while pairs:
        x, y = pairs.pop()
        if x is y:
            continue
        mine, below = children(x), children(y)
        if type(x) is not type(y) or len(mine) != len(below) or rebuild(x, below) != y:
            return False  # (rebuilt over y's children, x compares its own fields only)
        pairs.extend(zip(mine, below, strict=True))
    return True


def build(plan: Plan, leaves: list[Node]) -> Node:
    """The tree that ``plan`` makes of ``leaves``."""
    stack: list[Node] = []
    leaf = iter(leaves).__next__
    for step in plan:
        if step is None:
            stack.append(leaf())
            continue
        kind = step[0]
        if kind is Binary:
            right = stack.pop()
            stack[-1] = Binary(step[1], stack[-1], right)
        elif kind is Unary:
            stack[-1] = Unary(step[1], stack[-1])
        elif kind is If:
            otherwise, then = stack.pop(), stack.pop()
            stack[-1] = If(stack[-1], then, otherwise)
        elif kind is Call:
            first = len(stack) - step[2]
            args = tuple(stack[first:])
            del stack[first:]
            stack.append(Call(step[1], args))
        else:
            raise TypeError(f"no such step: {step!r}")
    (node,) = stack
    return node
