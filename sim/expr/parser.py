"""A recursive-descent parser from equation text to the syntax tree of `nodes`.

Precedence, loosest first: ``IF … THEN … ELSE``, ``OR``, ``AND``, ``NOT``, comparisons,
``+ -``, ``* / MOD``, unary ``- +``, ``^`` (right-associative, so ``-2^2`` is ``-4``).
"""

from __future__ import annotations

from ..errors import ParseError
from ..names import canonical
from .lexer import Token, tokenize
from .nodes import Binary, Call, If, Name, Node, Number, Unary

__all__ = ["parse"]

_COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">="})


def parse(text: str, variable: str = "") -> Node:
    """Parse one equation; ``variable`` names its owner in error messages."""
    if not text.strip():
        raise ParseError("empty equation", field=variable)
    return _Parser(tokenize(text, variable), variable).parse()


class _Parser:
    def __init__(self, tokens: list[Token], variable: str):
        self.tokens = tokens
        self.i = 0
        self.variable = variable

    # -- token helpers -------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, kind: str, *texts: str) -> bool:
        return self.token.kind == kind and (not texts or self.token.text in texts)

    def expect(self, kind: str, text: str, what: str) -> Token:
        if not self.at(kind, text):
            self.fail(what)
        return self.advance()

    def fail(self, expected: str):
        token = self.token
        found = "end of equation" if token.kind == "end" else repr(token.text)
        raise ParseError(
            f"position {token.pos}: expected {expected}, found {found}", field=self.variable
        )

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expression()
        if not self.at("end"):
            self.fail("an operator or the end of the equation")
        return node

    def expression(self) -> Node:
        if self.at("keyword", "if"):
            return self.conditional()
        return self.disjunction()

    def conditional(self) -> Node:
        self.advance()
        cond = self.expression()
        self.expect("keyword", "then", "THEN")
        then = self.expression()
        self.expect("keyword", "else", "ELSE")
        return If(cond, then, self.expression())

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.at("keyword", "or"):
            self.advance()
            node = Binary("or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.at("keyword", "and"):
            self.advance()
            node = Binary("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.at("keyword", "not"):
            self.advance()
            return Unary("not", self.negation())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        while self.token.kind == "op" and self.token.text in _COMPARISONS:
            op = self.advance().text
            node = Binary(op, node, self.additive())
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.at("op", "+", "-"):
            op = self.advance().text
            node = Binary(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.at("op", "*", "/") or self.at("keyword", "mod"):
            op = self.advance().text
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("op", "-", "+"):
            op = self.advance().text
            return Unary(op, self.unary())
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self.at("op", "^"):
            self.advance()
            return Binary("^", base, self.unary())
        return base

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Number(float(token.text))
        if token.kind == "name":
            self.advance()
            if self.at("op", "("):
                return Call(canonical(token.text), self.arguments())
            return Name(canonical(token.text))
        if self.at("op", "("):
            self.advance()
            node = self.expression()
            self.expect("op", ")", "')'")
            return node
        if self.at("keyword", "if"):
            return self.conditional()
        if self.at("keyword", "not"):
            return self.negation()
        return self.fail("a number, a name, '(' or IF")

    def arguments(self) -> tuple[Node, ...]:
        self.advance()  # "("
        args: list[Node] = []
        if self.at("op", ")"):
            self.advance()
            return ()
        while True:
            args.append(self.expression())
            if self.at("op", ")"):
                self.advance()
                return tuple(args)
            self.expect("op", ",", "',' or ')'")
