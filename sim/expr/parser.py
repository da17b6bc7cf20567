"""An operator-precedence parser from equation text to the syntax tree of `nodes`.

Precedence, loosest first: ``IF … THEN … ELSE``, ``OR``, ``AND``, ``NOT``, comparisons,
``+ -``, ``* / MOD``, unary ``- +``, ``^`` (right-associative, so ``-2^2`` is ``-4``).

It is a shunting-yard parser with explicit stacks rather than a recursive descent, so that
equations of any depth parse: generated models hold 10,000-term sums and parentheses nested a
thousand deep, which a recursive parser would meet with Python's recursion limit. Each pending
operator remembers the loosest operator its right operand may still take in (``reach``): an
incoming operator of precedence ``p`` closes every pending operator whose reach is above ``p``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ParseError
from ..names import canonical
from .lexer import Token, tokenize
from .nodes import Binary, Call, If, Index, Name, Node, Number, Subscript, Unary
from .shapes import Plan, Shape, build, plan_of, shape_of

__all__ = ["forget", "parse", "remember"]

_COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_PRECEDENCE = {
    "or": 1,
    "and": 2,
    **dict.fromkeys(_COMPARISONS, 3),
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "mod": 5,
    "^": 6,
}
_NOT_REACH = 3  # NOT's operand is a comparison: NOT a = b is NOT (a = b)
_SIGN_REACH = 6  # a sign's operand is a power: -2^2 is -(2^2)


@dataclass(slots=True)
class _Pending:
    """An operator waiting for its operands, or an open bracket (reach 0: closed only by its
    own closing token)."""

    kind: str  # "binary", "unary", "paren", "call", "if"
    text: str  # the operator, or the function's canonical name
    reach: int
    base: int = 0  # IF: the height of the operand stack when it opened
    stage: str = ""  # IF: "cond", "then" or "else"
    args: list[Node] = field(default_factory=list)  # a call's finished arguments


_PRINTED: dict[str, Node] = {}
_PRINTED_LIMIT = 1 << 18
_PLANS: dict[Shape, Plan | None] = {}  # see `sim.expr.shapes`: None if no plan builds it


def remember(text: str, node: Node) -> None:
    """Record that ``text``, printed from ``node`` by `unparse`, parses back to ``node``: the
    array expander prints the equations of tens of thousands of elements that lowering then
    reads, and this spares parsing them again (bounded; cleared when full)."""
    if len(_PRINTED) >= _PRINTED_LIMIT:
        _PRINTED.clear()
    _PRINTED[text] = node


def forget() -> None:
    """Empty the memos of texts and shapes: a timing of a first compile starts here."""
    _PRINTED.clear()
    _PLANS.clear()


def parse(text: str, variable: str = "") -> Node:
    """Parse one equation; ``variable`` names its owner in error messages. Trees are
    immutable, so an equation met again (the expander's, ten thousand stocks starting at
    ``1``) is parsed once: the memo of `remember` holds every text parsed. An equation of a
    shape met before is built by that shape's plan (`sim.expr.shapes`)."""
    known = _PRINTED.get(text)
    if known is not None:
        return known
    if not text.strip():
        raise ParseError("empty equation", field=variable)
    tokens = tokenize(text, variable)
    shaped = shape_of(tokens)
    plan = None if shaped is None else _PLANS.get(shaped[0])
    if plan is not None:
        node = build(plan, shaped[1])
    else:
        node = _Parser(tokens, variable).parse()
        if shaped is not None:
            if len(_PLANS) >= _PRINTED_LIMIT:
                _PLANS.clear()
            _PLANS[shaped[0]] = plan_of(node, shaped[1])
    remember(text, node)
    return node


class _Parser:
    def __init__(self, tokens: list[Token], variable: str):
        self.tokens = tokens
        self.i = 0
        self.variable = variable
        self.operands: list[Node] = []
        self.pending: list[_Pending] = []

    def fail(self, expected: str):
        token = self.tokens[self.i]
        found = "end of equation" if token.kind == "end" else repr(token.text)
        raise ParseError(
            f"position {token.pos}: expected {expected}, found {found}", field=self.variable
        )

    def parse(self) -> Node:
        while True:
            self.operand()
            if self.operator():
                return self.operands[0]

    def operand(self) -> None:
        """Read prefix operators and brackets up to one operand."""
        tokens, pending = self.tokens, self.pending
        while True:
            token = tokens[self.i]
            kind, text = token.kind, token.text
            if kind == "number":
                self.i += 1
                self.operands.append(Number(float(text)))
                return
            if kind == "name":
                self.i += 1
                nxt = tokens[self.i]
                if nxt.kind == "op" and nxt.text == "[":
                    subscript = self.subscript(text)
                    if not self.at("("):
                        self.operands.append(subscript)
                        return
                    self.i += 1  # Vensim's subscripted lookup ``table[a](x)``
                    pending.append(_Pending("call", "lookup", 0, args=[subscript]))
                    continue
                if nxt.kind == "op" and nxt.text == "(":
                    self.i += 1
                    if tokens[self.i].kind == "op" and tokens[self.i].text == ")":
                        self.i += 1
                        self.operands.append(Call(canonical(text), ()))
                        return
                    pending.append(_Pending("call", canonical(text), 0))
                    continue
                self.operands.append(Name(canonical(text)))
                return
            if kind == "op" and text == "(":
                pending.append(_Pending("paren", "(", 0))
            elif kind == "op" and text in ("-", "+"):
                pending.append(_Pending("unary", text, _SIGN_REACH))
            elif kind == "keyword" and text == "not":
                pending.append(_Pending("unary", "not", _NOT_REACH))
            elif kind == "keyword" and text == "if":
                pending.append(_Pending("if", "if", 0, len(self.operands), "cond"))
            else:
                self.fail("a number, a name, '(' or IF")
            self.i += 1

    def at(self, op: str) -> bool:
        token = self.tokens[self.i]
        return token.kind == "op" and token.text == op

    def subscript(self, name: str) -> Subscript:
        """``name[i1, i2]`` from the ``[``: each index a name (dimension, element or
        ``dim.elem``), a 1-based number, ``*``, ``*:dim`` or ``dim.*`` or ``dim!``."""
        self.i += 1
        indices: list[Index] = []
        while True:
            token = self.tokens[self.i]
            if token.kind == "number":
                self.i += 1
                indices.append(Index("number", token.text))
            elif token.kind == "op" and token.text == "@":  # XMILE's @2: the position of
                self.i += 1  # the current element of the equation's second dimension
                if self.tokens[self.i].kind != "number":
                    self.fail("a dimension number after '@'")
                indices.append(Index("position", self.tokens[self.i].text))
                self.i += 1
            elif token.kind == "op" and token.text == "*":
                self.i += 1
                if self.at(":"):  # XMILE's *:dim, all of a subrange
                    self.i += 1
                    if self.tokens[self.i].kind != "name":
                        self.fail("a dimension after '*:'")
                    indices.append(Index("star", canonical(self.tokens[self.i].text)))
                    self.i += 1
                else:
                    indices.append(Index("star"))
            elif token.kind == "name":
                self.i += 1
                key = canonical(token.text)
                if self.at("!"):
                    self.i += 1
                    indices.append(Index("bang", key))
                elif key.endswith(".") and self.at("*"):
                    self.i += 1
                    indices.append(Index("star", key[:-1]))
                else:
                    indices.append(Index("name", key))
            else:
                self.fail("a dimension, an element, a number or '*'")
            if self.at("]"):
                self.i += 1
                return Subscript(canonical(name), tuple(indices))
            if not self.at(","):
                self.fail("',' or ']'")
            self.i += 1

    def operator(self) -> bool:
        """Read closing tokens up to the next binary operator (False), or to the end (True)."""
        while True:
            token = self.tokens[self.i]
            kind, text = token.kind, token.text
            if (kind == "op" or kind == "keyword") and text in _PRECEDENCE:
                self.close_above(_PRECEDENCE[text])
                reach = _PRECEDENCE[text] if text == "^" else _PRECEDENCE[text] + 1
                self.pending.append(_Pending("binary", text, reach))
                self.i += 1
                return False
            self.close_above(0)
            opener = self.pending[-1] if self.pending else None
            if opener is None:
                if kind != "end":
                    self.fail("an operator or the end of the equation")
                return True
            if opener.kind == "paren":
                if not (kind == "op" and text == ")"):
                    self.fail("')'")
                self.pending.pop()
            elif opener.kind == "call":
                if not (kind == "op" and text in (")", ",")):
                    self.fail("',' or ')'")
                opener.args.append(self.operands.pop())
                if text == ",":
                    self.i += 1
                    return False
                self.pending.pop()
                self.operands.append(Call(opener.text, tuple(opener.args)))
            else:  # an IF waiting for THEN or ELSE; one in its ELSE was closed above
                wanted = "then" if opener.stage == "cond" else "else"
                if not (kind == "keyword" and text == wanted):
                    self.fail(wanted.upper())
                opener.stage = wanted
                self.i += 1
                return False
            self.i += 1

    def close_above(self, precedence: int) -> None:
        """Build the nodes of pending operators that cannot take in an operator of
        ``precedence`` (0: a closing token) into their right operand, innermost first; an IF
        in its ELSE part closes only at a closing token."""
        pending, operands = self.pending, self.operands
        while pending:
            top = pending[-1]
            if top.kind == "binary" and top.reach > precedence:
                right = operands.pop()
                operands[-1] = Binary(top.text, operands[-1], right)
            elif top.kind == "unary" and top.reach > precedence:
                operands[-1] = Unary(top.text, operands[-1])
            elif top.kind == "if" and top.stage == "else" and precedence == 0:
                cond, then, otherwise = operands[top.base :]
                del operands[top.base :]
                operands.append(If(cond, then, otherwise))
            else:
                return
            pending.pop()
