"""The syntax tree of an equation: small frozen dataclasses, comparable and hashable."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

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
    "rebuild",
    "walk",
]


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class Name:
    """A reference to a variable or a nullary builtin; ``name`` is canonical (see `canonical`)."""

    name: str


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-", "+" or "not"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / ^ mod = <> < <= > >= and or
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; ``func`` is canonical (lower case, underscores)."""

    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class If:
    cond: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Index:
    """One index of a subscript. ``kind`` is ``"name"`` (a dimension or an element, possibly
    qualified ``dim.elem``: the expander decides), ``"number"`` (1-based position; ``name`` is
    the digits), ``"star"`` (``*``; ``*:dim`` or ``dim.*`` with ``name`` the dimension) or
    ``"bang"`` (Vensim's ``dim!``) or ``"position"`` (XMILE's ``@2``: at the position of the
    current element of the equation's second dimension). Names are canonical."""

    kind: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Subscript:
    """``name[i1, i2]``: elements of an arrayed variable; a leaf until `sim.arrays` expands it."""

    name: str
    indices: tuple[Index, ...]


Node = Number | Name | Unary | Binary | Call | If | Subscript


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly below ``node``."""
    kind = type(node)  # not `match`: every pass over every tree calls this, and this is faster
    if kind is Binary:
        return (node.left, node.right)
    if kind is Call:
        return node.args
    if kind is Unary:
        return (node.operand,)
    if kind is If:
        return (node.cond, node.then, node.otherwise)
    return ()


def rebuild(node: Node, kids: Sequence[Node]) -> Node:
    """``node`` with its children replaced by ``kids`` (in the order of `children`)."""
    match node:
        case Unary(op=op):
            return Unary(op, kids[0])
        case Binary(op=op):
            return Binary(op, kids[0], kids[1])
        case Call(func=func):
            return Call(func, tuple(kids))
        case If():
            return If(kids[0], kids[1], kids[2])
    return node


def walk(node: Node) -> Iterator[Node]:
    """Yield ``node`` and every node below it, parents first, left to right.

    Iterative, like `fold`: generated models hold equations thousands of levels deep."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def fold(
    node: Node,
    visit: Callable[[Node, list[T]], T],
    kids: Callable[[Node], Sequence[Node]] = children,
) -> T:
    """``visit(n, results)`` for every node ``n`` below and including ``node``, children
    before parents and left to right, where ``results`` are the values of ``kids(n)``.

    The bottom-up traversal of every pass over a tree (lowering, compiling, printing), with an
    explicit stack instead of Python recursion, so no depth of nesting can exhaust it.
    """
    below = kids(node)
    if not below:
        return visit(node, [])
    done: list[T] = []  # results of finished nodes whose parent is not finished yet
    stack = [(node, iter(below), 0)]  # (node, its children still to do, where its results start)
    while stack:
        current, todo, base = stack[-1]
        for child in todo:
            below = kids(child)
            if below:
                stack.append((child, iter(below), len(done)))
                break
            done.append(visit(child, []))
        else:
            stack.pop()
            results = done[base:]
            del done[base:]
            done.append(visit(current, results))
    return done[0]
