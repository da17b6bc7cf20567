"""The Vensim syntax tree: what a `.mdl` file says, before it is translated to a `Model`.

Expressions are small frozen dataclasses like `sim.expr`'s, plus what only Vensim writes:
subscripted references, lookup tables inside equations, quoted strings (file names of the
GET functions) and ``:NA:``. Names are kept as written; translation makes them canonical.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Call",
    "DataDef",
    "Equation",
    "Equivalence",
    "Expr",
    "Lhs",
    "LookupDef",
    "Missing",
    "Num",
    "Op",
    "Ref",
    "Statement",
    "Str",
    "SubscriptDef",
    "Table",
]


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Str:
    """A quoted string argument: ``'input.xlsx'``."""

    text: str


@dataclass(frozen=True)
class Missing:
    """``:NA:``, Vensim's missing value."""


@dataclass(frozen=True)
class Ref:
    """A variable (or dimension, or element) reference; ``subs`` as written, a trailing
    ``!`` kept (``dim!`` is the whole dimension)."""

    name: str
    subs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Call:
    """A function call, or a lookup call (``table[dim](x)`` has ``subs``); a macro call may
    name, after a colon, the variables its extra outputs define: ``m(a, b : out)``."""

    func: str
    args: tuple[Expr, ...]
    subs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Op:
    """A unary (one operand) or binary operator: ``+ - * / ^ = <> < <= > >= and or not``."""

    op: str
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Table:
    """A lookup table: its points (x, y) in order."""

    x: tuple[float, ...]
    y: tuple[float, ...]


Expr = Num | Str | Missing | Ref | Call | Op | Table


@dataclass(frozen=True)
class Lhs:
    """The left-hand side: ``name[subs] :EXCEPT: [..], [..] :INTERPOLATE:``."""

    name: str
    subs: tuple[str, ...] = ()
    excepts: tuple[tuple[str, ...], ...] = ()
    keyword: str = ""


@dataclass(frozen=True)
class Equation:
    """``lhs = expr`` (``op`` is ``=``, ``==`` or ``:=``); ``values`` holds a list of numbers
    (``1, 2; 3, 4``) instead of ``expr`` when the right-hand side is one."""

    lhs: Lhs
    op: str
    expr: Expr | None = None
    values: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class LookupDef:
    """``name(table)`` or ``name(GET … LOOKUPS(…))``: a lookup defined by itself."""

    lhs: Lhs
    table: Table | Call


@dataclass(frozen=True)
class DataDef:
    """A data variable with no equation: its values come from a data file Vensim loads."""

    lhs: Lhs


@dataclass(frozen=True)
class SubscriptDef:
    """``dim: a, b, c -> other``; ``elements`` may name subranges (expanded later);
    ``maps`` is each mapping as (target dimension, its elements in order or ())."""

    name: str
    elements: tuple[str, ...]
    maps: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Equivalence:
    """``dim <-> other``: two names for one dimension."""

    name: str
    other: str


Statement = Equation | LookupDef | DataDef | SubscriptDef | Equivalence
