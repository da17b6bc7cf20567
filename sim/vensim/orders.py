"""The order of ``SMOOTH N``, ``DELAY N`` and ``DELAY3``, fixed before the run as Vensim does.

Vensim reads the order once, at the start, and lowers a delay's order until each of its stages
lasts at least one time step (so a DELAY3 of one step is a DELAY1). The engine wants the order
as a number in the equation, so it is worked out here from the initial values of the
constants and auxiliaries it depends on, when those are known before the run.
"""

from __future__ import annotations

from ..expr import Binary, Call, Name, Node, Number, Unary, fold, rebuild
from ..model import TimeSpec

__all__ = ["Orders"]


class Orders:
    """Rewrites SMTHN, DELAYN and DELAY3 calls with their order as a number; ``by_key``
    holds the translated variables whose initial values the order and delay may read."""

    _ORDERED = frozenset({"smthn", "delayn", "delay3"})

    def __init__(self, by_key: dict, time: TimeSpec):
        self.by_key = by_key
        self.time = time

    def fix(self, node: Node) -> Node:
        def visit(n: Node, kids: list[Node]) -> Node:
            n = rebuild(n, kids)
            if isinstance(n, Call) and n.func == "delay3":
                return self._delay3(n)
            if not (isinstance(n, Call) and n.func in self._ORDERED and len(n.args) >= 3):
                return n
            order = self.value(n.args[2])
            if order is None or order < 1:
                return n
            order = float(int(order))
            delay = self.value(n.args[1]) if n.func == "delayn" else None
            while delay is not None and order > 1 and order * self.time.dt > delay:
                order -= 1
            return Call(n.func, (*n.args[:2], Number(order), *n.args[3:]))

        return fold(node, visit)

    def _delay3(self, call: Call) -> Node:
        """DELAY3 is a DELAY N of order 3, lowered the same way."""
        delay = self.value(call.args[1])
        if delay is None or 3 * self.time.dt <= delay:
            return call
        order = 3
        while order > 1 and order * self.time.dt > delay:
            order -= 1
        source, tau = call.args[0], call.args[1]
        initial = call.args[2] if len(call.args) > 2 else source
        return Call("delayn", (source, tau, Number(float(order)), initial))

    def value(self, node: Node, depth: int = 0) -> float | None:
        """The value of ``node`` at the start, or None if it cannot be known here."""
        if depth > 50:
            return None
        match node:
            case Number(value=value):
                return value
            case Name(name="time" | "initial_time"):
                return self.time.start
            case Name(name="time_step"):
                return self.time.dt
            case Name(name="final_time") if self.time.stop_variable is None:
                return self.time.stop
            case Name(name=key) if key in self.by_key:
                p = self.by_key[key]
                if p.dims:
                    return None
                if p.kind == "constant":
                    return p.value
                if p.kind == "aux" and p.graphical is None and p.node is not None:
                    return self.value(p.node, depth + 1)
            case Unary(op="-", operand=x):
                inner = self.value(x, depth + 1)
                return None if inner is None else -inner
            case Binary(op=op, left=a, right=b) if op in ("+", "-", "*", "/"):
                x, y = self.value(a, depth + 1), self.value(b, depth + 1)
                if x is None or y is None or (op == "/" and y == 0):
                    return None
                return {"+": x + y, "-": x - y, "*": x * y, "/": x / (y or 1)}[op]
            case Call(func="step", args=(height, start)):
                h, t = self.value(height, depth + 1), self.value(start, depth + 1)
                if h is None or t is None:
                    return None
                return h if self.time.start >= t else 0.0
        return None
