"""Equations between XMILE's spelling and the engine's, always through the syntax tree.

Reading needs no rewrite: the engine's language is XMILE's. Writing, every equation is printed
from its tree in a portable form that XMILE tools parse alike: names with underscores, every
compound operand parenthesised (tools disagree on the precedence of unary minus and ``MOD``),
``IF … THEN … ELSE`` for ``IF_THEN_ELSE``, ``SAFEDIV`` for ``XIDZ``/``ZIDZ``, ``table(x)`` for
``LOOKUP(table, x)``, nested two-argument ``MIN``/``MAX``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ..errors import ModelError, ParseError
from ..expr import (
    Binary,
    Call,
    If,
    Index,
    Name,
    Node,
    Number,
    Subscript,
    Unary,
    fold,
    parse,
    rebuild,
    walk,
)

__all__ = [
    "CONTROLS",
    "LookupCalls",
    "controls_used",
    "parse_equation",
    "plain_number",
    "quote_name",
    "to_engine",
    "to_xmile",
]

LookupCalls = Callable[[str, str], str | None]  # (table's key, argument's text) -> a name
_IDENTIFIER = re.compile(r"[^\W\d][\w$]*")
_QUALIFIED = re.compile(r"[^\W\d][\w$]*\.[\w$]+")  # dim.element
_SPACES = re.compile(r"\s+")
_WORD_OPS = {"and": "AND", "or": "OR", "mod": "mod"}  # PySD reads only a lower-case "mod"
_TIME_NAMES = {
    "time": "TIME",
    "dt": "TIME_STEP",
    "time_step": "TIME_STEP",
    "starttime": "INITIAL_TIME",
    "initial_time": "INITIAL_TIME",
    "stoptime": "FINAL_TIME",
    "final_time": "FINAL_TIME",
    "pi": "PI()",
}

# Start, stop and step are written as Vensim-style control auxiliaries ("INITIAL TIME" =
# STARTTIME, …): Stella reads them as ordinary auxiliaries, PySD replaces them with its own
# control variables from <sim_specs>, and neither reads the other's spelling of these names.
CONTROLS: dict[str, tuple[str, str]] = {
    "INITIAL_TIME": ("INITIAL TIME", "STARTTIME"),
    "FINAL_TIME": ("FINAL TIME", "STOPTIME"),
    "TIME_STEP": ("TIME STEP", "DT"),
}


def parse_equation(text: str, where: str) -> Node:
    """The tree of an XMILE equation; errors say where."""
    try:
        return parse(text, where)
    except ParseError as exc:
        raise ModelError(f"equation does not parse: {exc.reason}", field=where) from None


def to_engine(text: str, where: str) -> str:
    """The engine's equation for XMILE ``text``: the engine reads XMILE's expression language
    (``LOOKUP(table, x)`` included), so this only checks that it parses and trims it."""
    parse_equation(text, where)
    return text.strip()


def plain_number(text: str, where: str) -> float | None:
    """The value of an equation that is just a number (``-2.5`` included), else None: such
    auxiliaries are constants that scenarios may override."""
    tree = parse_equation(text, where)
    sign = 1.0
    if isinstance(tree, Unary) and tree.op in "+-" and isinstance(tree.operand, Number):
        sign, tree = (-1.0 if tree.op == "-" else 1.0), tree.operand
    return sign * tree.value if isinstance(tree, Number) else None


def quote_name(name: str) -> str:
    """A name as a stock's ``<inflow>``/``<outflow>`` gives it: bare if it is one identifier,
    else quoted, so that it reads back exactly."""
    return name if _IDENTIFIER.fullmatch(name) else _quote(name)


def to_xmile(node: Node, names: Mapping[str, str], calls: LookupCalls | None = None) -> str:
    """Portable XMILE text for ``node``; ``names`` maps each variable's key to its spelling.

    A call of a graphical function, ``table(x)``, prints as the name that ``calls(table's
    key, portable text of x)`` returns, if any: Simlin evaluates no ``<gf>`` called as a
    function, and PySD no ``LOOKUP(aux, x)``, but both read an auxiliary with an ``<eqn>``
    and a ``<gf>`` (see the writer). Two passes without recursion (`fold`), so equations of
    any depth print: the first rewrites the calls XMILE tools lack into portable trees, the
    second prints."""
    printer = _Printer(names, calls or (lambda key, arg: None))
    return fold(fold(node, printer.portable), printer.print)


class _Printer:
    def __init__(self, names: Mapping[str, str], calls: LookupCalls):
        self.names, self.calls = names, calls

    def portable(self, node: Node, kids: list[Node]) -> Node:
        """``node`` over its portable children, a call XMILE or PySD lacks rewritten."""
        node = rebuild(node, kids)
        if not isinstance(node, Call):
            return node
        func, args = node.func, node.args
        if func == "lookup" and len(args) == 2 and isinstance(args[0], Name):
            func, args = args[0].name, args[1:]  # PySD reads only table(x)
            node = Call(func, args)
        if func in self.names:
            return node
        if func == "if_then_else" and len(args) == 3:
            return If(*args)
        if func in {"mod", "modulo"} and len(args) == 2:
            return Binary("mod", *args)
        if func in {"min", "max"} and len(args) > 2:  # XMILE's MIN and MAX take two
            nested = Call(func, args[-2:])
            for arg in reversed(args[:-2]):
                nested = Call(func, (arg, nested))
            return nested
        if func in _PORTABLE:
            return _PORTABLE[func](*args)
        return node

    def print(self, node: Node, parts: list[str]) -> str:
        """The text of a portable ``node`` from the texts of its children."""
        match node:
            case Number(value=value):
                text = repr(float(value))
                return text[:-2] if text.endswith(".0") else text
            case Name(name=name):
                return self.name(name)
            case Subscript(name=name, indices=indices):
                return f"{self.name(name)}[{', '.join(self.index(i) for i in indices)}]"
            case Unary(op="not", operand=operand):
                return f"NOT {_operand(operand, parts[0])}"
            case Unary(op=op, operand=operand):
                return f"{op}{_operand(operand, parts[0])}"
            case Binary(op=op, left=left, right=right):
                op = _WORD_OPS.get(op, op)
                return f"{_operand(left, parts[0])} {op} {_operand(right, parts[1])}"
            case If():  # PySD reads no bare IF inside an IF: a nested one gets parentheses
                branches = (f"({p})" if p.startswith("IF ") else p for p in parts)
                return "IF {} THEN {} ELSE {}".format(*branches)
            case Call(func=func, args=args):
                helper = self.calls(func, parts[0]) if func in self.names and args else None
                if helper is not None and len(args) == 1:
                    return _identifier(helper)
                if func not in self.names:
                    if func in {"xidz", "zidz"}:
                        func = "safediv"
                    if func in _TIME_NAMES and not args:
                        return self.name(func)
                text = self.names.get(func) or func.upper()
                return f"{_identifier(text)}({', '.join(parts)})"
        raise TypeError(f"not a syntax-tree node: {node!r}")

    def index(self, index: Index) -> str:
        """One subscript index as XMILE writes it: Vensim's ``dim!`` is XMILE's ``*:dim``."""
        name = index.name
        if index.kind == "number":
            return name
        if index.kind == "position":
            return f"@{name}"
        if index.kind in ("star", "bang"):
            return f"*:{_identifier(self.names.get(name, name))}" if name else "*"
        if name not in self.names and _QUALIFIED.fullmatch(name):
            dim, element = name.split(".", 1)
            return f"{self.names.get(dim, dim)}.{self.names.get(element, element)}"
        return _identifier(self.names.get(name, name))

    def name(self, key: str) -> str:
        if key in self.names:
            return _identifier(self.names[key])
        if key == "e":
            return "EXP(1)"
        spelled = _TIME_NAMES.get(key)
        if spelled in CONTROLS and spelled.lower() in self.names:  # a variable has its name
            return CONTROLS[spelled][1]
        return spelled or _identifier(key)


def _operand(node: Node, text: str) -> str:
    """An operator's operand: parenthesised unless a name, a call or a non-negative number."""
    if isinstance(node, Name | Subscript) or (isinstance(node, Number) and node.value >= 0):
        return text
    if isinstance(node, Call) and not text.startswith("IF "):
        return text
    return f"({text})"


def controls_used(text: str, where: str, names: Mapping[str, str]) -> set[str]:
    """The control auxiliaries (keys of `CONTROLS`) that the portable form of ``text`` reads."""
    used = set()
    for node in walk(parse_equation(text, where)):
        key = node.name if isinstance(node, Name) else getattr(node, "func", None)
        if key not in names and not getattr(node, "args", ()):
            used.add(_TIME_NAMES.get(key or ""))
    return {c for c in used & CONTROLS.keys() if c.lower() not in names}


def _round(x: Node) -> Node:
    """ROUND (half away from zero), which XMILE 1.0 and PySD lack, from INT (floor)."""
    up = Call("int", (Binary("+", x, Number(0.5)),))
    down = Unary("-", Call("int", (Binary("-", Number(0.5), x),)))
    return If(Binary(">=", x, Number(0.0)), up, down)


def _sign(x: Node) -> Node:
    negative = If(Binary("<", x, Number(0.0)), Unary("-", Number(1.0)), Number(0.0))
    return If(Binary(">", x, Number(0.0)), Number(1.0), negative)


_PORTABLE = {  # engine builtins that XMILE 1.0 or PySD lack, as equivalent trees
    "round": _round,
    "sign": _sign,
    "log10": lambda x: Binary("/", Call("ln", (x,)), Call("ln", (Number(10.0),))),
}


def _identifier(name: str) -> str:
    """A name as XMILE equations spell it: spaces become underscores; anything beyond letters,
    digits, ``_`` and ``$`` is quoted."""
    text = name.replace("\\n", " ").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    text = _SPACES.sub("_", text.strip())
    return text if _IDENTIFIER.fullmatch(text) else _quote(text)


def _quote(name: str) -> str:
    """``name`` in double quotes, with XMILE's escapes for quotes and backslashes inside."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
