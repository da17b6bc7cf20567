"""Vensim's vector functions as scalar expressions of the elements they read, as PySD and
Vensim define them: VECTOR SELECT, VECTOR ELM MAP, VECTOR SORT ORDER, VECTOR RANK and VECTOR
REORDER. Positions are 0-based where Vensim's are (ELM MAP offsets, SORT ORDER, REORDER).
ALLOCATE AVAILABLE and ALLOCATE BY PRIORITY need a root for the whole vector: each element
becomes a call of the builtin ``allocate_at`` (`sim.allocation`) over the whole vector."""

from __future__ import annotations

from ..expr import Binary, Call, If, Name, Node, Number, Unary
from .reducers import chain

__all__ = ["allocate", "by_priority", "elm_map", "rank", "reorder", "select", "sort_order"]

_NAN = Binary("/", Number(0.0), Number(0.0))  # a run that reads it stops as non-finite
_INF = Name("inf")


def _sum(values: list[Node]) -> Node:
    return chain("+", values)


def _prod(values: list[Node]) -> Node:
    return chain("*", values)


def _nary(func: str, values: list[Node]) -> Node:
    result = values[0]
    for value in values[1:]:
        result = Call(func, (result, value))
    return result


def _one_if(condition: Node) -> Node:
    return If(condition, Number(1.0), Number(0.0))


def _action(action: int, sels: list[Node], exprs: list[Node]) -> Node:
    """VECTOR SELECT's numerical ``action`` over the selected elements (selection non-zero):
    0-4 of selection × expression (sum, product, min, max, mean), 5 the product of
    expression ^ selection, 6-10 of the expression alone (sum, product, min, max, mean)."""
    pairs = list(zip(sels, exprs, strict=True))
    if action <= 4:
        op, terms = action, [Binary("*", s, x) for s, x in pairs]
    elif action == 5:
        op, terms = 1, [Binary("^", x, s) for s, x in pairs]
    else:
        op, terms = action - 6, list(exprs)
    picked = [Binary("<>", s, Number(0.0)) for s in sels]
    chosen = list(zip(picked, terms, strict=True))
    if op == 1:
        return _prod([If(p, t, Number(1.0)) for p, t in chosen])
    if op == 2:
        return _nary("min", [If(p, t, _INF) for p, t in chosen])
    if op == 3:
        return _nary("max", [If(p, t, Unary("-", _INF)) for p, t in chosen])
    total = _sum([If(p, t, Number(0.0)) for p, t in chosen])
    return total if op == 0 else Binary("/", total, _sum([_one_if(p) for p in picked]))


def select(
    sels: list[Node],
    exprs: list[Node],
    missing: Node,
    action: Node,
    error: Node,
    chosen: list[Node] | None = None,
) -> Node:
    """VECTOR SELECT over the pairs (``sels[i]``, ``exprs[i]``): ``missing`` if no selection
    is non-zero; NaN (the run stops) where the error action says the selection is an error
    (1: none selected, 2: more than one, 3: either), counting the elements of the selection
    itself, ``chosen`` (default ``sels``: when the two range over different dimensions each
    selection element appears in several pairs)."""
    count = _sum([_one_if(Binary("<>", s, Number(0.0))) for s in (chosen or sels)])
    action, error = _folded(action), _folded(error)
    if isinstance(action, Number):
        value = _action(_whole(action.value, 0, 10, "numerical action"), sels, exprs)
    else:  # chosen while running: one branch per action
        value = _NAN
        for k in range(10, -1, -1):
            value = If(Binary("=", action, Number(float(k))), _action(k, sels, exprs), value)
    result: Node = If(Binary("=", count, Number(0.0)), missing, value)
    none = Binary("=", count, Number(0.0))
    many = Binary(">", count, Number(1.0))
    bad = Binary("or", Binary("and", Binary("or", Binary("=", error, Number(1.0)),
                                            Binary("=", error, Number(3.0))), none),
                 Binary("and", Binary(">=", error, Number(2.0)), many))  # fmt: skip
    if isinstance(error, Number) and _whole(error.value, 0, 3, "error action") == 0:
        return result
    return If(bad, _NAN, result)


def _folded(node: Node) -> Node:
    """``-k`` written in the equation as the number it is."""
    if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Number):
        return Number(-node.operand.value)
    return node


def _whole(value: float, lo: int, hi: int, what: str) -> int:
    if value != int(value) or not lo <= value <= hi:
        raise ValueError(f"{what} must be a whole number from {lo} to {hi}, got {value:g}")
    return int(value)


def _at(values: list[Node], position: Node) -> Node:
    """``values[position]`` (0-based), NaN outside; a constant position picks directly."""
    if isinstance(position, Number):
        k = position.value
        return values[int(k)] if k == int(k) and 0 <= k < len(values) else _NAN
    result: Node = _NAN
    for j in range(len(values) - 1, -1, -1):
        result = If(Binary("=", position, Number(float(j))), values[j], result)
    return result


def elm_map(values: list[Node], start: int, offset: Node) -> Node:
    """VECTOR ELM MAP: the element ``offset`` places after element ``start`` of the whole
    vector (NaN beyond its ends)."""
    position = offset if start == 0 else Binary("+", Number(float(start)), offset)
    if isinstance(offset, Number):
        position = Number(start + offset.value)
    return _at(values, position)


def _ranks(values: list[Node]) -> list[Node]:
    """The 0-based ascending rank of each value, ties in order of position (a stable sort)."""
    ranks = []
    for i, x in enumerate(values):
        below = [_one_if(Binary("<", y, x)) for y in values]
        below += [_one_if(Binary("=", y, x)) for y in values[:i]]
        ranks.append(_sum(below))
    return ranks


def _directed(direction: Node, ascending: Node, descending: Node) -> Node:
    """Vensim sorts ascending for a direction above 0, descending otherwise."""
    if isinstance(direction, Number):
        return ascending if direction.value > 0 else descending
    return If(Binary(">", direction, Number(0.0)), ascending, descending)


def sort_order(values: list[Node], i: int, direction: Node) -> Node:
    """VECTOR SORT ORDER at position ``i``: the 0-based position of the element that sorts
    ``i``-th (descending: the ascending order reversed)."""
    ranks = _ranks(values)
    n = len(values)

    def order(place: int) -> Node:
        return _sum(
            [
                Binary("*", Number(float(j)), _one_if(Binary("=", r, Number(float(place)))))
                for j, r in enumerate(ranks)
            ]
        )

    return _directed(direction, order(i), order(n - 1 - i))


def rank(values: list[Node], i: int, direction: Node) -> Node:
    """VECTOR RANK at position ``i``: the 1-based rank of element ``i``."""
    r = _ranks(values)[i]
    n = Number(float(len(values)))
    return _directed(direction, Binary("+", r, Number(1.0)), Binary("-", n, r))


def reorder(values: list[Node], position: Node) -> Node:
    """VECTOR REORDER at one element: the value at the (0-based) ``position`` its order
    vector gives."""
    return _at(values, position)


def allocate(
    requests: list[Node], profiles: list[tuple[Node, Node, Node]], available: Node, i: int
) -> Node:
    """ALLOCATE AVAILABLE at position ``i``: ``profiles`` holds each requester's
    (ptype, ppriority, pwidth)."""
    columns = [[p[j] for p in profiles] for j in range(3)]
    return Call("allocate_at", (Number(float(i)), *requests, *(x for c in columns for x in c),
                                available))  # fmt: skip


def by_priority(
    requests: list[Node], priorities: list[Node], width: Node, supply: Node, i: int
) -> Node:
    """ALLOCATE BY PRIORITY at position ``i``: ALLOCATE AVAILABLE with rectangular profiles of
    one ``width`` (a requester starts to receive once those ``width`` above it in priority
    have each received as much of their request as the gap between them allows), as PySD's
    step-by-step algorithm and Vensim's documentation describe it."""
    one = Number(1.0)
    return allocate(requests, [(one, p, width) for p in priorities], supply, i)
