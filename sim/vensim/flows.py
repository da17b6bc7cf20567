"""A stock's rate split into the inflows and outflows the model's stocks take.

``INTEG(births - deaths, …)`` names its flows: when a rate is a sum and difference of plain
(unsubscripted) auxiliaries that no other stock takes in the same role, they become the
stock's inflows and outflows (and flows of the model); otherwise one new flow
``<stock> net flow`` carries the whole rate.
"""

from __future__ import annotations

from ..expr import Binary, Name, Node, Unary
from ..names import canonical

__all__ = ["assign_flows"]


def _signed_terms(node: Node, sign: int = 1) -> list[tuple[int, Node]]:
    """``a + b - c`` as [(+1, a), (+1, b), (-1, c)]."""
    if isinstance(node, Binary) and node.op in "+-":
        right = 1 if node.op == "+" else -1
        return _signed_terms(node.left, sign) + _signed_terms(node.right, sign * right)
    if isinstance(node, Unary) and node.op in "+-":
        return _signed_terms(node.operand, sign if node.op == "+" else -sign)
    return [(sign, node)]


def assign_flows(pending, by_key, hidden, make_flow) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each stock's inflows and outflows: its rate's terms when they are plain auxiliaries
    that no other stock takes in the same role, else one new flow with the whole rate."""
    flows: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    taken: dict[str, set[str]] = {"in": set(), "out": set()}
    for stock in [p for p in pending if p.kind == "stock" and not p.dims]:
        terms = _signed_terms(stock.node)
        keys = [t.name if isinstance(t, Name) else None for _, t in terms]
        usable = all(
            k is not None
            and k in by_key
            and by_key[k].kind in ("aux", "flow")
            and not by_key[k].dims
            and k not in taken["in" if s > 0 else "out"]
            for k, (s, _) in zip(keys, terms, strict=True)
        ) and len(set(keys)) == len(keys)
        if usable:
            ins = tuple(by_key[k].name for k, (s, _) in zip(keys, terms, strict=True) if s > 0)
            outs = tuple(by_key[k].name for k, (s, _) in zip(keys, terms, strict=True) if s < 0)
            for k, (s, _) in zip(keys, terms, strict=True):
                by_key[k].kind = "flow"
                taken["in" if s > 0 else "out"].add(k)
            flows[canonical(stock.name)] = (ins, outs)
            continue
        flow = make_flow(hidden(f"{stock.name} net flow"), stock.node)
        pending.insert(pending.index(stock) + 1, flow)
        by_key[canonical(flow.name)] = flow
        flows[canonical(stock.name)] = ((flow.name,), ())
    return flows
