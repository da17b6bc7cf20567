"""The syntax tree of an equation: small frozen dataclasses, comparable and hashable."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Binary", "Call", "If", "Name", "Node", "Number", "Unary", "children", "walk"]


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


Node = Number | Name | Unary | Binary | Call | If


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly below ``node``."""
    match node:
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Call(args=args):
            return args
        case If(cond=cond, then=then, otherwise=otherwise):
            return (cond, then, otherwise)
    return ()


def walk(node: Node):
    """Yield ``node`` and every node below it, parents first."""
    yield node
    for child in children(node):
        yield from walk(child)
