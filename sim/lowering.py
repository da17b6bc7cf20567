"""Lower a `Model` to a flat system of equations: stateful builtins become hidden stocks.

``SMTH1(x, d)`` becomes a hidden stock ``s`` with rate ``(x - s) / d`` and the reference is
replaced by ``s``; ``DELAY3`` becomes a chain of three; ``INIT(x)`` a value frozen at the start;
``DELAY(x, d)`` a pipeline that remembers the history of ``x``. What comes out has only pure
functions left, so the compiler needs no special cases beyond stocks, equations and pipelines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .arrays import expand
from .errors import ModelError
from .expr import Binary, Call, Name, Node, Number, children, fold, parse, rebuild
from .model import Auxiliary, Constant, Flow, GraphicalFunction, Lookup, Model, Stock

__all__ = ["Equation", "LoweredStock", "Pipeline", "System", "lower"]


@dataclass
class LoweredStock:
    key: str
    name: str
    initial: Node
    inflows: list[str]
    outflows: list[str]
    non_negative: bool = False


@dataclass
class Equation:
    """An auxiliary or flow (possibly hidden): ``node``, then the table ``graphical`` if any."""

    key: str
    name: str
    node: Node
    graphical: GraphicalFunction | None = None
    non_negative: bool = False
    is_flow: bool = False


@dataclass
class Pipeline:
    """``DELAY(input, delay, initial)``: the input's value ``delay`` time units ago."""

    key: str
    input_key: str
    delay: Node
    initial: Node


@dataclass
class System:
    stocks: list[LoweredStock] = field(default_factory=list)
    equations: dict[str, Equation] = field(default_factory=dict)
    constants: dict[str, float] = field(default_factory=dict)
    lookups: dict[str, GraphicalFunction] = field(default_factory=dict)
    frozen: dict[str, Node] = field(default_factory=dict)  # INIT(x): evaluated once, at start
    pipelines: dict[str, Pipeline] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # key -> name as spelled
    units: dict[str, str] = field(default_factory=dict)


_STATEFUL = {"smth1": (2, 3), "smth3": (2, 3), "delay1": (2, 3), "delay3": (2, 3),
             "delay": (2, 3), "init": (1, 1), "smthn": (3, 4), "delayn": (3, 4),
             "trend": (2, 3), "forcst": (3, 4), "previous": (1, 2)}  # fmt: skip
_MAY_CALL_STATEFUL = re.compile("|".join(_STATEFUL))
"""Searched in an equation's lower-cased text: a call's canonical name is its lower-cased
spelling, so an equation without a match has nothing to lower (most equations)."""


def lower(model: Model) -> System:
    """Parse every equation and lower the stateful builtins; errors name the variable. An
    arrayed model is first expanded into its elements (`sim.arrays.expand`)."""
    model = expand(model)
    system = System()
    _check_duplicates(model)
    lowerer = _Lowerer(system)
    for v in model.variables:
        key = v.key
        system.names[key] = v.name
        system.units[key] = v.units
        match v:
            case Constant():
                system.constants[key] = v.value
            case Lookup():
                system.lookups[key] = v.graphical
            case Stock():
                node = lowerer.rewrite(v.initial, f"{v.name} (initial)", v.name)
                system.stocks.append(
                    LoweredStock(
                        key,
                        v.name,
                        node,
                        [_flow_key(model, f, v, "inflow") for f in v.inflows],
                        [_flow_key(model, f, v, "outflow") for f in v.outflows],
                        v.non_negative,
                    )
                )
            case Flow() | Auxiliary():
                node = lowerer.rewrite(v.equation, v.name, v.name)
                system.equations[key] = Equation(
                    key,
                    v.name,
                    node,
                    v.graphical,
                    non_negative=isinstance(v, Flow) and v.non_negative,
                    is_flow=isinstance(v, Flow),
                )
    return system


def _check_duplicates(model: Model) -> None:
    seen: dict[str, str] = {}
    for v in model.variables:
        key = v.key
        if key in seen:
            raise ModelError(
                f"duplicate name: {seen[key]!r} and {v.name!r} are the same "
                "variable (names ignore case, spaces and underscores)",
                field=v.name,
            )
        seen[key] = v.name


def _flow_key(model: Model, flow: str, stock: Stock, role: str) -> str:
    try:
        found = model[flow]
    except KeyError:
        raise ModelError(
            f"{role} {flow!r} is not a variable of the model", field=stock.name
        ) from None
    if not isinstance(found, Flow):
        raise ModelError(f"{role} {flow!r} is not a flow", field=stock.name)
    return found.key


class _Lowerer:
    """Rewrites trees, adding hidden stocks and equations to the system as it goes."""

    def __init__(self, system: System):
        self.system = system
        self.count = 0
        self.owner = ""

    def hidden(self, kind: str) -> str:
        """A fresh hidden key; errors about it name the visible variable it serves."""
        self.count += 1
        key = f"#{kind}{self.count}"
        self.system.names[key] = f"{self.owner} ({kind.split('_')[0].upper()})"
        return key

    def rewrite(self, text: str, what: str, owner: str) -> Node:
        """The tree of equation ``text`` (``what`` names it in parse errors), lowered."""
        node = parse(text, what)
        if _MAY_CALL_STATEFUL.search(text.lower()) is None:
            return node
        self.owner = owner
        return fold(node, self._lower)

    def _lower(self, node: Node, kids: list[Node]) -> Node:
        """``node`` over its lowered children, a stateful call replaced by its hidden state."""
        if isinstance(node, Call) and node.func in _STATEFUL:
            lo, hi = _STATEFUL[node.func]
            if not lo <= len(kids) <= hi:
                raise ModelError(
                    f"{node.func.upper()} takes {lo} to {hi} arguments, got {len(kids)}",
                    field=self.owner,
                )
            return getattr(self, f"_{node.func}")(*kids)
        if all(k is c for k, c in zip(kids, children(node), strict=True)):
            return node  # nothing stateful below: share the parsed tree
        return rebuild(node, kids)

    # -- the stateful builtins ------------------------------------------------------------
    def _input_key(self, node: Node) -> str:
        """A hidden auxiliary holding an argument, so its history can be recorded."""
        key = self.hidden("arg")
        self.system.equations[key] = Equation(key, key, node)
        return key

    def _chain(
        self, kind: str, source: Node, delay: Node, initial: Node, stages: int, material: bool
    ) -> Node:
        """``stages`` first-order stocks in series, each with time constant delay/stages.

        A smooth holds the smoothed value itself; a material delay holds the material in
        transit, whose outflow ``stock / (delay/stages)`` is the next stage's inflow.
        """
        tau = delay if stages == 1 else Binary("/", delay, Number(float(stages)))
        upstream = source
        out: Node = source
        for _ in range(stages):
            stock = self.hidden(kind)
            rate = self.hidden(f"{kind}_rate")
            level = Name(stock)
            if material:
                out = Binary("/", level, tau)
                self.system.equations[rate] = Equation(
                    rate, rate, Binary("-", upstream, out), is_flow=True
                )
                init = Binary("*", initial, tau)
            else:
                out = level
                self.system.equations[rate] = Equation(
                    rate, rate, Binary("/", Binary("-", upstream, level), tau), is_flow=True
                )
                init = initial
            self.system.stocks.append(LoweredStock(stock, stock, init, [rate], []))
            upstream = out
        return out

    def _smth1(self, source, delay, initial=None):
        return self._chain("smth", source, delay, initial or source, 1, material=False)

    def _smth3(self, source, delay, initial=None):
        return self._chain("smth", source, delay, initial or source, 3, material=False)

    def _delay1(self, source, delay, initial=None):
        return self._chain("delay", source, delay, initial or source, 1, material=True)

    def _delay3(self, source, delay, initial=None):
        return self._chain("delay", source, delay, initial or source, 3, material=True)

    def _order(self, func: str, order: Node) -> int:
        """The number of stages of SMTHN or DELAYN: a whole number, known before the run."""
        if isinstance(order, Number) and order.value >= 1 and order.value == int(order.value):
            return int(order.value)
        raise ModelError(
            f"{func.upper()}'s order must be a whole number of at least 1, written as a number",
            field=self.owner,
        )

    def _smthn(self, source, delay, order, initial=None):
        stages = self._order("smthn", order)
        return self._chain("smth", source, delay, initial or source, stages, material=False)

    def _delayn(self, source, delay, order, initial=None):
        stages = self._order("delayn", order)
        return self._chain("delay", source, delay, initial or source, stages, material=True)

    def _trend(self, source, time, initial_trend=None):
        """XMILE's (and Vensim's) TREND: the input's fractional growth rate against its
        first-order average, which starts where the trend is ``initial_trend``."""
        start = Binary("+", Number(1.0), Binary("*", initial_trend or Number(0.0), time))
        average = self._chain("trend", source, time, Binary("/", source, start), 1, False)
        gap = Binary("-", source, average)
        return Call("zidz", (gap, Binary("*", time, Call("abs", (average,)))))

    def _forcst(self, source, time, horizon, initial_trend=None):
        """The input extrapolated ``horizon`` ahead at its TREND."""
        trend = self._trend(source, time, initial_trend)
        return Binary("*", source, Binary("+", Number(1.0), Binary("*", trend, horizon)))

    def _previous(self, source, initial=None):
        """The input's value one DT ago (``initial``, else its own initial value, at the start)."""
        return self._delay(source, Name("dt"), initial)

    def _delay(self, source, delay, initial=None):
        key = self.hidden("pipeline")
        input_key = self._input_key(source)
        self.system.pipelines[key] = Pipeline(key, input_key, delay, initial or Name(input_key))
        return Name(key)

    def _init(self, source):
        key = self.hidden("init")
        self.system.frozen[key] = source
        return Name(key)
