"""XMILE macros that are expressions, inlined where they are called.

A macro such as ``<macro name="twice"><parm>x</parm><eqn>2 * x</eqn></macro>`` has no state, so
a call ``twice(a + 1)`` is the same as ``2 * (a + 1)``: the reader substitutes the arguments
into the macro's equation on the syntax tree, and the `Model` never sees a macro. A macro may
name auxiliaries of its own (``<variables>``), which are substituted the same way. A macro
with stocks or flows has state per call and is refused, naming the macro and the caller.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..errors import ModelError
from ..expr import Binary, Call, If, Name, Node, Unary, fold, rebuild
from ..names import canonical
from .dialect import parse_equation
from .document import child, children, local, namespace, text_of

__all__ = ["Macro", "expand", "read_macros"]

_DEPTH = 32


@dataclass(frozen=True)
class Macro:
    name: str
    element: ET.Element
    ns: str

    def body(self, where: str) -> tuple[tuple[str, ...], tuple[Node | None, ...], Node]:
        """Parameter names, their defaults, and the equation with its own auxiliaries
        substituted; ``where`` (the caller) is named in errors."""
        label = f"{where}: macro {self.name!r}"
        parms = children(self.element, "parm", self.ns)
        names = tuple(canonical(text_of(p) or "") for p in parms)
        defaults = tuple(
            None if p.get("default") is None else parse_equation(p.get("default"), label)
            for p in parms
        )
        text = text_of(child(self.element, "eqn", self.ns))
        if text is None or not text.strip():
            raise ModelError(f"macro {self.name!r} has no <eqn>", field=where)
        auxes = self._auxiliaries(where, label)
        return names, defaults, _inline(parse_equation(text, label), auxes, label, 0)

    def _auxiliaries(self, where: str, label: str) -> dict[str, Node]:
        block = child(self.element, "variables", self.ns)
        auxes: dict[str, Node] = {}
        for element in [] if block is None else list(block):
            if namespace(element.tag) != self.ns:
                continue
            if local(element.tag) != "aux" or child(element, "gf", self.ns) is not None:
                raise ModelError(
                    f"macros with stocks, flows or graphical functions are not supported "
                    f"(macro {self.name!r} has <{local(element.tag)}>)",
                    field=where,
                )
            name = element.get("name", "").replace("\\n", " ")
            auxes[canonical(name)] = parse_equation(text_of(child(element, "eqn", self.ns)) or
                                                    "", f"{label}, aux {name!r}")  # fmt: skip
        return auxes


def read_macros(root: ET.Element, ns: str) -> dict[str, Macro]:
    """The macros of a file by canonical name; nothing is parsed until a macro is called."""
    return {canonical(m.get("name", "")): Macro(m.get("name", ""), m, ns)
            for m in children(root, "macro", ns)}  # fmt: skip


def expand(node: Node, macros: dict[str, Macro], where: str, depth: int = 0) -> Node:
    """``node`` with every macro call replaced by the macro's equation of its arguments.

    The caller's tree is walked without recursion (`fold`), so equations of any depth expand;
    ``depth`` counts only macros expanding into macros, which a cycle would make endless."""
    if depth > _DEPTH:
        raise ModelError(f"macros call each other more than {_DEPTH} deep", field=where)

    def call(n: Node, kids: list[Node]) -> Node:
        n = rebuild(n, kids)  # the arguments are expanded already
        if not (isinstance(n, Call) and n.func in macros):
            return n
        names, defaults, body = macros[n.func].body(where)
        if len(n.args) > len(names):
            raise ModelError(
                f"macro {n.func!r} takes {len(names)} arguments, got {len(n.args)}", field=where
            )
        values = {}
        for i, (name, default) in enumerate(zip(names, defaults, strict=True)):
            if i < len(n.args):
                values[name] = n.args[i]
            elif default is None:
                raise ModelError(f"macro {n.func!r} needs its argument {name!r}", field=where)
            else:
                values[name] = expand(default, macros, where, depth + 1)
        return expand(_substitute(body, values), macros, where, depth + 1)

    return fold(node, call)


def _inline(node: Node, auxes: dict[str, Node], where: str, depth: int) -> Node:
    if depth > _DEPTH:
        raise ModelError("the auxiliaries of a macro refer to each other in a loop", field=where)
    if isinstance(node, Name) and node.name in auxes:
        return _inline(auxes[node.name], auxes, where, depth + 1)
    return _map(node, lambda n: _inline(n, auxes, where, depth))


def _substitute(node: Node, values: dict[str, Node]) -> Node:
    if isinstance(node, Name) and node.name in values:
        return values[node.name]
    return _map(node, lambda n: _substitute(n, values))


def _map(node: Node, fn) -> Node:
    """``node`` with ``fn`` applied to each of its children."""
    match node:
        case Unary(op=op, operand=operand):
            return Unary(op, fn(operand))
        case Binary(op=op, left=left, right=right):
            return Binary(op, fn(left), fn(right))
        case If(cond=cond, then=then, otherwise=otherwise):
            return If(fn(cond), fn(then), fn(otherwise))
        case Call(func=func, args=args):
            return Call(func, tuple(fn(a) for a in args))
    return node
