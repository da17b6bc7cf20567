"""The grammar of one Vensim equation, parsed by Lark (LALR) into the tree of `syntax`.

Vensim names hold spaces (``Heat Loss to Room``) and so do its function names (``IF THEN
ELSE``, ``SMOOTH N``, ``DELAY FIXED``), so a name is one token of words separated by spaces;
the language has no word operators that could be mistaken for part of a name (its logic is
``:AND:``, ``:OR:``, ``:NOT:``). Comments in braces are skipped anywhere.
"""

from __future__ import annotations

from functools import cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, VisitError

from ..errors import ModelError
from .syntax import (
    Call,
    DataDef,
    Equation,
    Equivalence,
    Lhs,
    LookupDef,
    Missing,
    Num,
    Op,
    Ref,
    Statement,
    Str,
    SubscriptDef,
    Table,
)

__all__ = ["GRAMMAR", "parse_statement"]

GRAMMAR = r"""
?start: equation | lookup_def | data_def | subscript_def | equivalence

equation: lhs (EQUAL | DEFINE) rhs
EQUAL: "="
DEFINE: "==" | ":="
?rhs: expr | values | tabbed
values: expr (("," | ";") expr)+ ";"?
    | expr ";"
tabbed: TABBED_ARRAY "(" signed+ ")"
TABBED_ARRAY.2: /TABBED[ \t]+ARRAY/i
signed: (PLUS | MINUS)? NUMBER
data_def: lhs
lookup_def: lhs "(" lookup_body ")"
?lookup_body: table_points | call

lhs: name subs? excepts? KEYWORD?
subs: "[" subitem ("," subitem)* "]"
subitem: name BANG?
BANG: "!"
excepts: ":EXCEPT:"i subs ("," subs)*
KEYWORD: ":INTERPOLATE:"i | ":RAW:"i | ":HOLD BACKWARD:"i | ":LOOK FORWARD:"i

subscript_def: name ":" subelements mapping?
subelements: subelement ("," subelement)*
?subelement: name | numbered
numbered: "(" name MINUS name ")"
mapping: "->" map_target ("," map_target)*
map_target: name | "(" name ":" name ("," name)* ")"
equivalence: name "<->" name

?expr: or_expr
?or_expr: and_expr (":OR:"i and_expr)*          -> or_
?and_expr: not_expr (":AND:"i not_expr)*        -> and_
?not_expr: ":NOT:"i not_expr                     -> not_
    | comparison
?comparison: sum ((COMPARE | EQUAL) sum)*        -> binary_chain
COMPARE: "<=" | ">=" | "<>" | "<" | ">"
?sum: product ((PLUS | MINUS) product)*           -> binary_chain
PLUS: "+"
MINUS: "-"
?product: sign (MUL sign)*                        -> binary_chain
MUL: "*" | "/"
?sign: (PLUS | MINUS) sign                                  -> unary
    | power
?power: atom ("^" sign)?                          -> power
?atom: NUMBER                                     -> number
    | STRING                                      -> string
    | ":NA:"i                                     -> missing
    | name subs?                                  -> ref
    | call
    | "(" expr ")"
    | table
call: name subs? "(" [expr ("," expr)*] macro_outputs? ")"
macro_outputs: ":" name ("," name)*
table: "(" table_points ")"
table_points: (table_range ",")? point ("," point)*
table_range: "[" point MINUS point ("," point)* "]"
point: "(" expr "," expr ")"

name: NAME | QNAME
NAME: /[^\W\d][\w$&%']*(?:[ \t\n]+[\w$&%'][\w$&%']*)*/
QNAME: /"(?:[^"\\]|\\.)*"/
NUMBER: /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/
STRING: /'[^']*'/
COMMENT: /\{[^}]*\}/
%ignore COMMENT
%ignore /[ \t\n]+/
"""


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


def parse_statement(text: str, where: str) -> Statement:
    """The statement of one section's equation text; a `ModelError` naming ``where`` (the
    section's line, or its variable) and the position if it does not parse."""
    try:
        return _Build().transform(_parser().parse(text))
    except UnexpectedInput as exc:
        found = text[exc.pos_in_stream : exc.pos_in_stream + 20] if exc.pos_in_stream else ""
        what = (
            f"unexpected character {text[exc.pos_in_stream]!r}"
            if isinstance(exc, UnexpectedCharacters)
            else f"unexpected {found!r}"
            if found
            else "unexpected end of equation"
        )
        raise ModelError(
            f"equation does not parse at column {exc.column}: {what} in {_short(text)!r}",
            field=where,
        ) from None
    except VisitError as exc:
        if isinstance(exc.orig_exc, ModelError):
            raise ModelError(exc.orig_exc.reason, field=where) from None
        raise
    except LarkError as exc:
        raise ModelError(f"equation does not parse: {exc}", field=where) from None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(token: Token | str) -> str:
    text = str(token)
    if text.startswith('"'):
        return text  # quoted names keep their quotes; `names.canonical` strips them
    return " ".join(text.split())


def _number(node) -> float:
    """The value of a constant expression in a lookup table or a list of numbers."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Op) and len(node.operands) == 1 and node.op in "+-":
        value = _number(node.operands[0])
        return -value if node.op == "-" else value
    raise ModelError("a lookup table or a list of values holds only numbers")


class _Outputs(tuple):
    """The names after the colon of a macro call, told apart from a call's subscripts."""


@v_args(inline=True)
class _Build(Transformer):
    """Lark's parse tree to the `syntax` tree."""

    def name(self, token):
        return _name(token)

    def number(self, token):
        return Num(float(token))

    def string(self, token):
        return Str(str(token)[1:-1])

    def missing(self):
        return Missing()

    def subitem(self, name, bang=None):
        return f"{name}!" if bang is not None else name

    def subs(self, *items):
        return tuple(items)

    def ref(self, name, subs=()):
        return Ref(name, subs)

    def macro_outputs(self, *names):
        return _Outputs(names)

    def call(self, name, *args):
        outputs: tuple[str, ...] = ()
        if args and isinstance(args[-1], _Outputs):  # m(a, b : out)
            outputs, args = tuple(args[-1]), args[:-1]
        if args and isinstance(args[0], tuple):  # a subscripted lookup: table[dim](x)
            return Call(name, tuple(args[1:]), args[0], outputs)
        return Call(name, tuple(args), (), outputs)

    def unary(self, op, operand):
        return Op(str(op), (operand,))

    def not_(self, operand):
        return Op("not", (operand,))

    def power(self, base, exponent=None):
        return base if exponent is None else Op("^", (base, exponent))

    def binary_chain(self, first, *rest):
        node = first
        for op, operand in zip(rest[::2], rest[1::2], strict=True):
            node = Op(str(op), (node, operand))
        return node

    def or_(self, *operands):
        return self._logic("or", operands)

    def and_(self, *operands):
        return self._logic("and", operands)

    @staticmethod
    def _logic(op, operands):
        node = operands[0]
        for operand in operands[1:]:
            node = Op(op, (node, operand))
        return node

    def point(self, x, y):
        return (_number(x), _number(y))

    def table_range(self, *points):
        return None  # the axis ranges are display settings

    def table_points(self, *items):
        points = [p for p in items if p is not None]
        return Table(tuple(p[0] for p in points), tuple(p[1] for p in points))

    def table(self, points):
        return points

    def excepts(self, *subs):
        return tuple(subs)

    def lhs(self, name, *rest):
        subs, excepts, keyword = (), (), ""
        for item in rest:
            if isinstance(item, Token):
                keyword = str(item).strip(":").upper()
            elif item and isinstance(item[0], tuple):
                excepts = item
            else:
                subs = item
        return Lhs(name, subs, excepts, keyword)

    def values(self, *items):
        return tuple(i for i in items if not isinstance(i, Token))

    def signed(self, *parts):
        value = float(parts[-1])
        return Num(-value if len(parts) == 2 and str(parts[0]) == "-" else value)

    def tabbed(self, _, *numbers):
        return tuple(numbers)

    def equation(self, lhs, op, rhs):
        if isinstance(rhs, tuple):
            return Equation(lhs, str(op), None, tuple(Num(_number(v)) for v in rhs))
        return Equation(lhs, str(op), rhs)

    def data_def(self, lhs):
        return DataDef(lhs)

    def lookup_def(self, lhs, body):
        return LookupDef(lhs, body)

    def numbered(self, first, _, last):
        return ("range", first, last)

    def subelements(self, *items):
        return tuple(items)

    def map_target(self, name, *elements):
        return (name, tuple(elements))

    def mapping(self, *targets):
        return tuple(targets)

    def subscript_def(self, name, elements, maps=()):
        return SubscriptDef(name, tuple(_expand_elements(elements)), maps)

    def equivalence(self, name, other):
        return Equivalence(name, other)


def _expand_elements(items) -> list[str]:
    """``(a1-a10)`` becomes a1, a2, …, a10 (the number is the last digits of each name)."""
    elements: list[str] = []
    for item in items:
        if isinstance(item, tuple):
            _, first, last = item
            head, a = _split_number(first)
            head2, b = _split_number(last)
            if head != head2 or a is None or b is None or b < a:
                raise ModelError(f"bad subscript range ({first}-{last})")
            width = len(first) - len(head)
            elements += [f"{head}{str(n).zfill(width)}" for n in range(a, b + 1)]
        else:
            elements.append(item)
    return elements


def _split_number(name: str) -> tuple[str, int | None]:
    i = len(name)
    while i > 0 and name[i - 1].isdigit():
        i -= 1
    return name[:i], int(name[i:]) if i < len(name) else None
