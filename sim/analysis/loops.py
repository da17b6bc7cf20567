"""The causal graph of a compiled model and its feedback loops.

Nodes are the variables that change during a run: stocks, the auxiliaries and flows computed
at every step, and the hidden stocks and pipelines of SMTH, DELAY and their kin. An edge
``x -> z`` means z's equation reads x, or x is a flow of stock z (an outflow with sign -1).
Constants are not nodes: no loop passes through them. Loops are found by Johnson's algorithm
(`networkx.simple_cycles`), up to a cap, or by the strongest-path search of Eberlein and
Schoenberg (2020) when a model has too many to list (see `strongest_loops`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx

from ..compiler import CompiledModel

__all__ = ["CausalGraph", "causal_graph", "find_loops", "strongest_loops"]


@dataclass(frozen=True)
class CausalGraph:
    """``graph`` holds the edges (attribute ``sign`` = -1 for an outflow into its stock);
    ``stocks`` the stock-like nodes (stocks and pipelines); ``names`` the display names."""

    graph: nx.DiGraph
    stocks: frozenset[str]
    names: dict[str, str]
    order: dict[str, int]  # a stable position per node, for deterministic output

    def display(self, key: str) -> str:
        return self.names.get(key, key)

    def partition(self) -> dict[str, int]:
        """Each node's cycle partition: the strongly connected component it lies in; loop
        scores are compared only within a partition (Simlin's rule)."""
        parts = sorted(
            nx.strongly_connected_components(self.graph),
            key=lambda c: min(self.order[k] for k in c),
        )
        return {key: i for i, part in enumerate(parts) for key in part}


def causal_graph(compiled: CompiledModel) -> CausalGraph:
    system = compiled.system
    dynamic = compiled.dynamic
    nodes = [k for k in compiled.keys if k in dynamic and k not in system.constants]
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    node_set = set(nodes)
    for key in nodes:
        if key in system.equations:
            for dep in sorted(compiled.dependencies(key), key=compiled.slot.get):
                if dep in node_set:
                    graph.add_edge(dep, key, sign=1)
        elif key in system.pipelines:
            pipe = system.pipelines[key]
            for dep in {pipe.input_key, *compiled.dependencies(key)}:
                if dep in node_set:
                    graph.add_edge(dep, key, sign=1)
    for stock in system.stocks:  # a flow that never changes is on no loop
        for flow in stock.inflows:
            if flow in node_set:
                graph.add_edge(flow, stock.key, sign=1)
        for flow in stock.outflows:
            if flow in node_set:
                graph.add_edge(flow, stock.key, sign=-1)
    stocks = frozenset({s.key for s in system.stocks} | set(system.pipelines))
    return CausalGraph(graph, stocks, dict(system.names), {k: i for i, k in enumerate(nodes)})


def _canonical_cycle(cg: CausalGraph, cycle: list[str]) -> tuple[str, ...]:
    """The cycle rotated to start at its first stock (in model order)."""
    stocks = [k for k in cycle if k in cg.stocks] or cycle
    first = min(stocks, key=cg.order.__getitem__)
    i = cycle.index(first)
    return tuple(cycle[i:] + cycle[:i])


def find_loops(cg: CausalGraph, cap: int = 1000) -> tuple[list[tuple[str, ...]], bool]:
    """Every feedback loop (Johnson's algorithm), at most ``cap``; the flag says whether the
    cap cut the list short."""
    cycles = itertools.islice(_visible_cycles(cg), cap + 1)
    cycles = list(cycles)
    truncated = len(cycles) > cap
    loops = {_canonical_cycle(cg, c) for c in cycles[:cap]}
    return sorted(loops, key=lambda c: (len(c), [cg.order[k] for k in c])), truncated


def _visible_cycles(cg: CausalGraph):
    """Cycles with at least one variable of the model: the inner loop of a SMTH or DELAY
    (its hidden stock and rate) is how the builtin works, not feedback (Simlin agrees)."""
    for cycle in nx.simple_cycles(cg.graph):
        if not all(k.startswith("#") for k in cycle):
            yield cycle


def strongest_loops(
    cg: CausalGraph, strength: dict[tuple[str, str], list[float]], cap: int = 200
) -> list[tuple[str, ...]]:
    """Loops found by following the strongest links (Eberlein and Schoenberg 2020).

    ``strength[(x, z)]`` is the magnitude of the link score of ``x -> z`` at each saved time.
    At every time and from every stock, a depth-first search follows links in order of
    strength and abandons a path when it reaches a node with a product of scores no better
    than one it reached that node with before; each path that returns to its stock is a
    loop. The union over times is returned (at most ``cap`` loops, the first found).
    """
    found: dict[tuple[str, ...], None] = {}
    n_times = len(next(iter(strength.values()), []))
    stocks = sorted(cg.stocks, key=cg.order.__getitem__)
    for t in range(n_times):
        weight = {edge: values[t] for edge, values in strength.items()}
        for start in stocks:
            best: dict[str, float] = {}
            _search(cg, weight, start, start, 1.0, [start], best, found)
            if len(found) >= cap:
                return list(found)[:cap]
    return list(found)


def _search(cg, weight, start, node, score, path, best, found) -> None:
    successors = sorted(cg.graph.successors(node), key=lambda z: -weight.get((node, z), 0.0))
    for nxt in successors:
        w = weight.get((node, nxt), 0.0)
        if w <= 0.0:
            continue
        value = score * w
        if nxt == start:
            if not all(k.startswith("#") for k in path):
                found.setdefault(_canonical_cycle(cg, list(path)), None)
            continue
        if nxt in path or value <= best.get(nxt, 0.0):
            continue
        best[nxt] = value
        path.append(nxt)
        _search(cg, weight, start, nxt, value, path, best, found)
        path.pop()
