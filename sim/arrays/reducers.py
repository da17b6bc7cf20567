"""Array builtins as scalar expressions of the elements they reduce: ``SUM(x[*])`` becomes
``x[a] + x[b] + x[c]``, so the engine below stays scalar and vectorized over scenarios."""

from __future__ import annotations

from ..expr import Binary, Call, If, Node, Number

__all__ = [
    "ALLOCATION_FUNCTIONS",
    "ARRAY_FUNCTIONS",
    "UNSUPPORTED",
    "VECTOR_FUNCTIONS",
    "chain",
    "reduce",
]

# One argument or several: each argument contributes its elements (a scalar contributes itself).
ARRAY_FUNCTIONS = frozenset(
    {"sum", "prod", "mean", "min", "max", "vmin", "vmax", "stddev", "size", "rank"}
)
# Vensim's vector functions (`sim.arrays.vectors`), and those not supported.
VECTOR_FUNCTIONS = frozenset(
    {"vector_select", "vector_elm_map", "vector_sort_order", "vector_rank", "vector_reorder"}
)
# Vensim's allocation functions (`sim.arrays.vectors.allocate`, solved by `sim.allocation`).
ALLOCATION_FUNCTIONS = frozenset({"allocate_available", "allocate_by_priority"})
UNSUPPORTED = frozenset({"vector_lookup"})
_MAX_ARGS = 99  # the n-ary MIN and MAX builtins take at most this many arguments


def chain(op: str, values: list[Node]) -> Node:
    """``values[0] op values[1] op …``, left to right."""
    result = values[0]
    for value in values[1:]:
        result = Binary(op, result, value)
    return result


def _nary(func: str, values: list[Node]) -> Node:
    """``func(values…)`` for MIN/MAX, nested in groups the builtin accepts."""
    while len(values) > 1:
        values = [
            values[i]
            if len(values[i : i + _MAX_ARGS]) == 1
            else Call(func, tuple(values[i : i + _MAX_ARGS]))
            for i in range(0, len(values), _MAX_ARGS)
        ]
    return values[0]


def _indicator(condition: Node) -> Node:
    return If(condition, Number(1.0), Number(0.0))


def _stddev(values: list[Node]) -> Node:
    """The population standard deviation (as Stella and Simlin), from sums of deviations from
    the first element: shift-invariant, so a large mean does not cancel the variance away."""
    n = Number(float(len(values)))
    shifts = [Binary("-", v, values[0]) for v in values[1:]] or [Number(0.0)]
    mean = Binary("/", chain("+", shifts), n)
    square = Binary("/", chain("+", [Binary("^", d, Number(2.0)) for d in shifts]), n)
    variance = Binary("-", square, Binary("^", mean, Number(2.0)))
    return Call("sqrt", (Call("max", (variance, Number(0.0))),))


def _rank(values: list[Node], rank: Node) -> Node:
    """The 1-based position of the element of rank ``rank`` (1: the smallest; ties in order
    of position), as XMILE's RANK; 0 if no element has that rank."""
    terms = []
    for i, x in enumerate(values):
        below = [_indicator(Binary("<", y, x)) for y in values]
        below += [_indicator(Binary("=", y, x)) for y in values[:i]]
        place = Binary("+", chain("+", below), Number(1.0))
        terms.append(Binary("*", Number(float(i + 1)), _indicator(Binary("=", place, rank))))
    return chain("+", terms)


def reduce(func: str, values: list[Node], extra: list[Node]) -> Node:
    """``func`` over ``values`` (at least one), with the further arguments ``extra`` (RANK's
    rank)."""
    n = len(values)
    match func:
        case "sum":
            return chain("+", values)
        case "prod":
            return chain("*", values)
        case "mean":
            return Binary("/", chain("+", values), Number(float(n))) if n > 1 else values[0]
        case "min" | "vmin":
            return _nary("min", values)
        case "max" | "vmax":
            return _nary("max", values)
        case "stddev":
            return _stddev(values)
        case "size":
            return Number(float(n))
        case "rank":
            return _rank(values, extra[0])
    raise ValueError(func)
