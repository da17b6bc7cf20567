"""Compile a model into closures over numpy arrays, in dependency order.

Every variable gets a slot in a list of values; each equation becomes a closure
``fn(values, clock) -> array`` built from its syntax tree (no text is ever executed). Equations
that depend only on constants are evaluated once at the start ("static"); the rest run at every
rate evaluation, in an order where each variable comes after what it reads.
"""

from __future__ import annotations

import difflib
import graphlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from operator import is_
from typing import NamedTuple

import numpy as np

from .arrays import expand
from .collector import collector_paused
from .errors import ModelError
from .expr import Binary, Call, If, Name, Node, Number, Unary, children, fold
from .functions import BINARY_OPERATORS, CONSTANT_NAMES, FUNCTIONS, TIME_NAMES, Clock
from .graphical import tabulate, validate_graphical
from .lowering import System, lower
from .model import Model
from .names import canonical

__all__ = ["CompiledModel", "compile_model"]

Fn = Callable[[list, Clock], object]


@dataclass(frozen=True)
class _Step:
    slot: int
    fn: Fn


class CompiledModel:
    """A model ready to run any number of scenarios; build it once, simulate it many times."""

    def __init__(self, model: Model):
        with collector_paused():
            self._build(model)

    def _build(self, model: Model) -> None:
        self.model = model = expand(model)  # arrays: results and scenarios see the elements
        system = lower(model)
        self.system = system
        for key, gf in system.lookups.items():
            validate_graphical(gf, system.names[key])
        for eq in system.equations.values():
            if eq.graphical is not None:
                validate_graphical(eq.graphical, eq.name)
        self._stocks = {s.key: s for s in system.stocks}
        self._drains = {  # outflow -> the non-negative stock it drains
            flow: s for s in system.stocks if s.non_negative for flow in s.outflows
        }
        self.keys: list[str] = [
            *system.constants,
            *(s.key for s in system.stocks),
            *system.equations,
            *system.frozen,
            *system.pipelines,
        ]
        self.slot = {key: i for i, key in enumerate(self.keys)}
        self.stock_slots = [self.slot[s.key] for s in system.stocks]
        self._reads = {key: _read(node, self.slot) for key, node in self._nodes().items()}
        self._deps = {key: self._references(reads, key) for key, reads in self._reads.items()}
        self._limit_deps = _outflow_limit_dependencies(system)
        self.dynamic = self._dynamic_keys()
        self._equation_fns: dict[str, Fn] = {}
        self._leaves: dict[str, Fn | None] = {}  # see `_leaf`
        self.init_steps = [
            self._step(k, initial=True)
            for k in self._order(initial=True)
            if k not in system.constants
        ]
        order = [k for k in self._order(initial=False) if k in self.dynamic]
        steady = self._steady(order)
        self.run_steps = [
            _Step(self.slot[k], _once_per_step(self.slot[k], self._step(k).fn, steady[k]))
            if k in steady and k in system.equations
            else self._step(k)
            for k in order
        ]
        self.stock_rates = [
            ([self.slot[f] for f in s.inflows], [self.slot[f] for f in s.outflows])
            for s in system.stocks
        ]
        self.pipelines = [(p.key, self.slot[p.input_key]) for p in system.pipelines.values()]
        del self._reads  # needed while building only

    def __reduce__(self):  # closures do not pickle; a worker process recompiles
        return (CompiledModel, (self.model,))

    # -- names ------------------------------------------------------------------------------
    @property
    def constants(self) -> dict[str, float]:
        """Constants a scenario may override, by canonical name, with their default values."""
        return dict(self.system.constants)

    @property
    def public_keys(self) -> list[str]:
        """Variables reported by default: not the hidden ones of SMTH, DELAY, INIT, nor a
        translation's helpers (which a user may still ask for by name)."""
        lookups = self.system.lookups
        return [v.key for v in self.model.variables if v.key not in lookups and not v.helper]

    def resolve(self, name: str, *, what: str = "variable") -> str:
        """The canonical key of ``name``, or an error that suggests the close matches."""
        key = canonical(name)
        if key in self.slot and not key.startswith("#"):
            return key
        hint = difflib.get_close_matches(key, self.public_keys, n=3)
        more = f"; did you mean {', '.join(self.system.names[h] for h in hint)}?" if hint else ""
        raise ModelError(f"no {what} named {name!r} in model {self.model.name!r}{more}", field=name)

    def dependencies(self, key: str) -> set[str]:
        """The keys that ``key``'s equation reads (for a stock: its initial value's)."""
        return self._deps[key]

    def equation_function(self, key: str) -> Fn:
        """The equation of auxiliary or flow ``key`` as ``fn(values, clock)``, for values of
        any shape (`sim.analysis.ltm` evaluates it over time and scenarios at once)."""
        return self._step(key).fn

    # -- dependency analysis ------------------------------------------------------------------
    def _nodes(self) -> dict[str, Node]:
        s = self.system
        nodes: dict[str, Node] = {k: e.node for k, e in s.equations.items()}
        nodes.update({st.key: st.initial for st in s.stocks})
        nodes.update(s.frozen)
        for key, p in s.pipelines.items():
            nodes[key] = Binary("+", p.delay, p.initial)
        return nodes

    def _name(self, key: str) -> str:
        return self.system.names.get(key, key)

    def _references(self, reads: _Reads, key: str) -> set[str]:
        """The keys that an equation of ``key`` reads (see `_read`), its other names and its
        calls checked in the order they are written."""
        where = self._name(key)
        for n in reads.others:
            if type(n) is Call:
                self._check_call(n, where)
            elif n.name in self.system.lookups:
                raise ModelError(
                    f"graphical function {n.name!r} needs an argument: {n.name}(x)", field=where
                )
            elif n.name not in TIME_NAMES and n.name not in CONSTANT_NAMES:
                hint = difflib.get_close_matches(n.name, self.public_keys, n=1)
                more = f"; did you mean {self._name(hint[0])!r}?" if hint else ""
                raise ModelError(f"unknown name {n.name!r}{more}", field=where)
        return reads.keys

    def _check_call(self, call: Call, where: str) -> None:
        if call.func in self.system.lookups or call.func == "lookup":
            expected = 1 if call.func in self.system.lookups else 2
            if len(call.args) != expected:
                raise ModelError(f"{call.func}() takes {expected} argument(s)", field=where)
            if call.func == "lookup" and not (
                isinstance(call.args[0], Name) and call.args[0].name in self.system.lookups
            ):
                raise ModelError(
                    "LOOKUP's first argument must be a graphical function", field=where
                )
        elif call.func in FUNCTIONS:
            b = FUNCTIONS[call.func]
            if not b.min_args <= len(call.args) <= b.max_args:
                span = (
                    str(b.min_args) if b.min_args == b.max_args else f"{b.min_args} to {b.max_args}"
                )
                raise ModelError(
                    f"{call.func.upper()} takes {span} argument(s), got {len(call.args)}",
                    field=where,
                )
        elif call.func in TIME_NAMES or call.func in CONSTANT_NAMES:
            if call.args:
                raise ModelError(f"{call.func.upper()} takes no arguments", field=where)
        elif call.func in self.slot:
            raise ModelError(
                f"{self.system.names.get(call.func, call.func)!r} is a variable, "
                "not a function or graphical function",
                field=where,
            )
        else:
            raise ModelError(f"unknown function {call.func.upper()}", field=where)

    def _dynamic_keys(self) -> set[str]:
        """Variables that change during a run: stocks, pipelines, and what reads them or time
        (a breadth-first search from those, linear in the size of the model)."""
        s = self.system
        readers: dict[str, list[str]] = {}
        for key in s.equations:
            for dep in self._deps[key]:
                readers.setdefault(dep, []).append(key)
        dynamic = {st.key for st in s.stocks} | set(s.pipelines)
        dynamic |= {k for k in s.equations if _uses_time(self._reads[k])}
        dynamic |= set(self._limit_deps)
        queue = list(dynamic)
        while queue:
            for reader in readers.get(queue.pop(), ()):
                if reader not in dynamic:
                    dynamic.add(reader)
                    queue.append(reader)
        return dynamic

    def _fixed_delay(self, key: str) -> bool:
        """Whether pipeline ``key``'s delay time reads no stock nor time: fixed for a run."""
        reads = _read(self.system.pipelines[key].delay, self.slot)
        return not _uses_time(reads) and not self._references(reads, key) & self.dynamic

    def _steady(self, order: list[str]) -> dict[str, tuple[int, ...]]:
        """Run-time equations that read no stock and no stage time (only constants, STEP,
        PULSE, pipelines of fixed delay and each other), with the slots of the run-time
        values they read: their value can change only from one step to the next."""
        s = self.system
        steady: dict[str, tuple[int, ...]] = {}
        for key in order:
            if key in s.pipelines:
                if self._fixed_delay(key):
                    steady[key] = ()
            elif (
                key in s.equations
                and key not in self._limit_deps
                and not _varies_within_step(self._reads[key])
                and all(d in steady for d in self._deps[key] & self.dynamic)
            ):
                steady[key] = tuple(sorted(self.slot[d] for d in self._deps[key] & self.dynamic))
        return steady

    def _order(self, *, initial: bool) -> list[str]:
        """Keys in evaluation order; at the start stocks read their initial equations."""
        s = self.system
        graph: dict[str, set[str]] = {}
        runtime = s.equations.keys() | s.pipelines.keys()
        for key in s.equations:
            deps = self._deps[key] | self._limit_deps.get(key, set())
            graph[key] = deps if initial else {d for d in deps if d in runtime}
        if initial:
            for st in s.stocks:
                graph[st.key] = self._deps[st.key]
            for key in (*s.frozen, *s.pipelines):
                graph[key] = self._deps[key]
        else:
            for key in s.pipelines:  # the delay time must be known before the output
                graph[key] = {d for d in self._deps[key] if d in s.equations}
        order = _topological_order(graph)
        if order is not None:
            return order
        try:  # a cycle: graphlib finds it
            graphlib.TopologicalSorter(graph).prepare()
        except graphlib.CycleError as exc:
            cycle = [s.names.get(k, k) for k in exc.args[1]]
            when = "initial values" if initial else "equations"
            raise ModelError(
                f"algebraic loop: the {when} of {' -> '.join(cycle)} depend on "
                "each other with no stock in between",
                field=cycle[0],
            ) from None
        raise AssertionError("no order and no cycle")  # pragma: no cover

    # -- closures -------------------------------------------------------------------------
    def _step(self, key: str, *, initial: bool = False) -> _Step:
        s = self.system
        slot = self.slot[key]
        if key in self._stocks:
            return _Step(slot, self._compile(self._stocks[key].initial, key))
        if key in s.frozen:
            return _Step(slot, self._compile(s.frozen[key], key))
        if key in s.pipelines:
            if initial:
                return _Step(slot, self._compile(s.pipelines[key].initial, key))
            delay = self._compile(s.pipelines[key].delay, key)
            return _Step(slot, _pipeline(key, delay, self._fixed_delay(key)))
        fn = self._equation_fns.get(key)
        if fn is None:  # the same closure serves the initial values and the run
            eq = s.equations[key]
            fn = self._compile(eq.node, key)
            if eq.graphical is not None:
                fn = _graphical(fn, eq.graphical)
            if eq.non_negative:
                fn = _nonnegative(fn)
            self._equation_fns[key] = fn
        if key in self._limit_deps and not initial:
            fn = self._limited(fn, key)
        return _Step(slot, fn)

    def _limited(self, fn: Fn, key: str) -> Fn:
        """An outflow of a non-negative stock takes at most what the stock holds plus its
        inflows over this step, after the outflows listed before it (XMILE's rule)."""
        stock = self._drains[key]
        level = self.slot[stock.key]
        inflows = [self.slot[f] for f in stock.inflows]
        earlier = [self.slot[f] for f in stock.outflows[: stock.outflows.index(key)]]

        def limited(v, c):
            available = v[level] / c.dt
            for i in inflows:
                available = available + v[i]
            for i in earlier:
                available = available - v[i]
            return np.minimum(fn(v, c), np.maximum(available, 0.0))

        return limited

    def _compile(self, node: Node, owner: str) -> Fn:
        """A closure computing ``node``.

        A left-nested chain such as a 10,000-term sum becomes one closure that loops over its
        operands. Closures nest no deeper than `_DEPTH`; above that, the rest of the tree runs
        as a list of instructions (`_program`), so evaluating it cannot recurse either. Such
        trees are built bottom-up without recursion (`fold`); the usual shallow ones by
        `_nested`, which gives the same closures with less work per node.
        """
        try:
            return self._nested(node, 1)
        except _TooDeep:
            pass
        code: list[_Instruction] = []
        top = fold(node, lambda n, kids: self._part(n, kids, code), _operands)
        return top.fn if top.register < 0 else _program(code)

    def _nested(self, node: Node, depth: int) -> Fn:
        """The closure of ``node`` at ``depth`` in a tree no higher than `_DEPTH` (what
        `_part` builds there), else `_TooDeep`: its recursion is bounded by `_DEPTH`."""
        leaf = self._leaf(node)
        if leaf is not None:
            return leaf
        if depth >= _DEPTH:
            raise _TooDeep
        return self._closure(node, [self._nested(n, depth + 1) for n in _operands(node)])

    def _part(self, node: Node, kids: list[_Part], code: list[_Instruction]) -> _Part:
        leaf = self._leaf(node)
        if leaf is not None:
            return _Part(leaf, 1)
        height = 1 + max((k.height for k in kids), default=0)
        if height <= _DEPTH:
            return _Part(self._closure(node, [k.fn for k in kids]), height)
        registers = []
        for k in kids:
            if k.register < 0:
                code.append(_Instruction(k.fn, ()))
                registers.append(len(code) - 1)
            else:
                registers.append(k.register)
        code.append(_Instruction(self._combine(node), tuple(registers)))
        return _Part(None, height, len(code) - 1)

    def _leaf(self, node: Node) -> Fn | None:
        """The closure of a node that reads no other node, else None. Every equation that
        reads a variable (or a number) shares one closure for it: fewer objects to make and
        for the collector to walk."""
        kind = type(node)
        if kind is Name:
            key = node.name  # canonical: no spaces, unlike the keys below
        elif kind is Number and type(node.value) is float and node.value == node.value:
            key = f" {node.value.hex()}"  # tells 0.0 from -0.0, which compare equal
        elif kind is Call and not node.args:
            key = f" {node.func}()"
        else:
            return None
        fn = self._leaves.get(key)
        if fn is None:
            fn = self._leaves[key] = self._new_leaf(node)
        return fn

    def _new_leaf(self, node: Node) -> Fn | None:
        match node:
            case Number(value=value):
                return lambda v, c: value
            case Name(name=name) if name in self.slot:
                i = self.slot[name]
                return lambda v, c: v[i]
            case Name(name=name) | Call(func=name, args=()) if name in TIME_NAMES:
                get = TIME_NAMES[name]
                return lambda v, c: get(c)
            case Name(name=name) | Call(func=name, args=()) if name in CONSTANT_NAMES:
                value = CONSTANT_NAMES[name]
                return lambda v, c: value
        return None

    def _closure(self, node: Node, fns: list[Fn]) -> Fn:
        """The closure of ``node`` over the closures of its operands (see `_operands`)."""
        match node:
            case Unary(op="-"):
                (f,) = fns
                return lambda v, c: np.negative(f(v, c))
            case Unary(op="+"):
                return fns[0]
            case Unary(op="not"):
                (f,) = fns
                return lambda v, c: np.logical_not(f(v, c))
            case Binary():
                return _chain(_chain_ops(node), fns)
            case If():
                return _conditional(*fns)
            case Call(func=func):
                table = self._table(node)
                if table is not None:
                    (x,) = fns
                    return lambda v, c: table(x(v, c))
                fn = FUNCTIONS[func].fn
                if len(fns) == 1:
                    (a,) = fns
                    return lambda v, c: fn(c, a(v, c))
                if len(fns) == 2:
                    a, b = fns
                    return lambda v, c: fn(c, a(v, c), b(v, c))
                return lambda v, c: fn(c, *(f(v, c) for f in fns))
        raise TypeError(f"cannot compile {node!r}")

    def _combine(self, node: Node) -> Callable[..., object]:
        """``node`` as a function of the run's clock and its operands' values: what
        `_closure` computes, for the instructions of a deep tree. Both branches of an IF are
        evaluated there (the equations are pure, so only the cost differs)."""
        match node:
            case Unary(op="-"):
                return lambda c, x: np.negative(x)
            case Unary(op="+"):
                return lambda c, x: x
            case Unary(op="not"):
                return lambda c, x: np.logical_not(x)
            case Binary():
                ufuncs = [BINARY_OPERATORS[op] for op in _chain_ops(node)]
                return lambda c, *xs: _reduce(ufuncs, xs)
            case If():
                return lambda c, test, then, otherwise: (
                    (then if test else otherwise)
                    if np.ndim(test) == 0
                    else np.where(test, then, otherwise)
                )
            case Call(func=func):
                table = self._table(node)
                if table is not None:
                    return lambda c, x: table(x)
                return FUNCTIONS[func].fn
        raise TypeError(f"cannot compile {node!r}")

    def _table(self, call: Call):
        """The tabulated graphical function a call applies (``table(x)``, ``LOOKUP(table,
        x)``), or None for a builtin."""
        func = call.args[0].name if call.func == "lookup" else call.func
        return tabulate(self.system.lookups[func]) if func in self.system.lookups else None


_DEPTH = 100  # closures nest at most this deep; deeper trees run as instructions


class _TooDeep(Exception):
    """A tree higher than `_DEPTH` (see `CompiledModel._nested`)."""


@dataclass(frozen=True, slots=True)
class _Part:
    """A compiled node: its closure (or ``register``, its instruction in a deep tree) and
    the height of the tree below it."""

    fn: Fn | None
    height: int
    register: int = -1


@dataclass(frozen=True, slots=True)
class _Instruction:
    """One node of a deep tree: ``fn(c, *values of registers)``; no registers means ``fn`` is
    the closure of a shallow subtree, called as ``fn(v, c)``."""

    fn: Callable[..., object]
    registers: tuple[int, ...]


def _program(code: list[_Instruction]) -> Fn:
    """Run the instructions in order, each operand's register freed once read."""
    steps = tuple((ins.fn, ins.registers) for ins in code)
    size = len(steps)

    def program(v, c):
        registers: list = [None] * size
        for i, (fn, regs) in enumerate(steps):
            if regs:
                args = [registers[r] for r in regs]
                for r in regs:
                    registers[r] = None
                registers[i] = fn(c, *args)
            else:
                registers[i] = fn(v, c)
        return registers[-1]

    return program


def _operands(node: Node) -> tuple[Node, ...]:
    """What a node's closure computes from: the operands of a whole left-nested chain of
    binary operators (``a + b - c * d`` is ``((a + b) - c) * d``: a, b, c, d), the argument
    of a lookup (not the table's name), else the node's children."""
    if isinstance(node, Binary):
        rights = []
        while isinstance(node, Binary):
            rights.append(node.right)
            node = node.left
        rights.append(node)
        return tuple(reversed(rights))
    if isinstance(node, Call) and node.func == "lookup":
        return node.args[1:]
    return children(node)


def _chain_ops(node: Binary) -> list[str]:
    """The operators of the left-nested chain at ``node``, left to right (see `_operands`)."""
    ops = []
    while isinstance(node, Binary):
        ops.append(node.op)
        node = node.left
    return ops[::-1]


def _chain(ops: list[str], fns: list[Fn]) -> Fn:
    """``((f0 op1 f1) op2 f2) …``, evaluated left to right as the nested tree would be."""
    ufuncs = [BINARY_OPERATORS[op] for op in ops]
    if len(ufuncs) == 1:
        (u,), (a, b) = ufuncs, fns
        return lambda v, c: u(a(v, c), b(v, c))
    if len(ufuncs) == 2:
        (u1, u2), (a, b, d) = ufuncs, fns
        return lambda v, c: u2(u1(a(v, c), b(v, c)), d(v, c))
    first, rest = fns[0], tuple(zip(ufuncs, fns[1:], strict=True))

    def chain(v, c):
        value = first(v, c)
        for ufunc, f in rest:
            value = ufunc(value, f(v, c))
        return value

    return chain


def _reduce(ufuncs: list, values: tuple) -> object:
    value = values[0]
    for ufunc, x in zip(ufuncs, values[1:], strict=True):
        value = ufunc(value, x)
    return value


class _Reads(NamedTuple):
    """What an equation reads, from one walk of its tree (`_read`)."""

    keys: set[str]  # the variables it reads
    others: list[Name | Call]  # the names that are no variable, and the calls, as written
    tables: list[str]  # the graphical functions named as LOOKUP's first argument


def _read(node: Node, slot: dict[str, int]) -> _Reads:
    """What ``node`` reads, walking it once, parents first and left to right (the order in
    which its errors are reported). The table named as LOOKUP's first argument is not a
    value read."""
    keys: set[str] = set()
    others: list[Name | Call] = []
    tables: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        kind = type(n)
        if kind is Name:
            if n.name in slot:
                keys.add(n.name)
            else:
                others.append(n)
        elif kind is Binary:
            stack += (n.right, n.left)
        elif kind is Call:
            others.append(n)
            args = n.args
            if n.func == "lookup" and args:
                if type(args[0]) is Name:
                    tables.append(args[0].name)
                args = args[1:]
            stack.extend(reversed(args))
        else:
            stack.extend(reversed(children(n)))
    return _Reads(keys, others, tables)


def _uses_time(reads: _Reads) -> bool:
    """Whether an equation reads the time (a time name that is no variable, a timed builtin)."""
    for n in reads.others:
        if type(n) is Name:
            if n.name in TIME_NAMES:
                return True
        elif n.func in TIME_NAMES or (n.func in FUNCTIONS and FUNCTIONS[n.func].uses_time):
            return True
    return any(t in TIME_NAMES for t in reads.tables)


def _topological_order(graph: dict[str, set[str]]) -> list[str] | None:
    """The keys of ``graph`` (each with the keys it reads) and of what they read, each after
    what it reads; None if some of them read each other in a cycle.

    The order of ``graphlib.TopologicalSorter(graph).static_order()`` (first what reads
    nothing, in the order met, then what each key unblocks, in turn), without its work on
    every key that a model of tens of thousands of variables makes slow: a cycle is looked
    for only when the order comes out short."""
    index: dict[str, int] = {}  # each key's number, in the order met
    waiting: list[int] = []  # how many of what each key reads are not placed yet
    readers: list[list[int]] = []
    for key, reads in graph.items():
        i = index.get(key)
        if i is None:
            i = index[key] = len(waiting)
            waiting.append(0)
            readers.append([])
        waiting[i] += len(reads)
        for read in reads:
            j = index.get(read)
            if j is None:
                index[read] = len(waiting)
                waiting.append(0)
                readers.append([i])
            else:
                readers[j].append(i)
    order = [i for i, n in enumerate(waiting) if n == 0]
    for i in order:  # the list grows as it is read: first in, first out
        for reader in readers[i]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                order.append(reader)
    if len(order) < len(waiting):
        return None
    keys = list(index)
    return [keys[i] for i in order]


def compile_model(model: Model | CompiledModel) -> CompiledModel:
    """Validate and compile ``model`` (a compiled model is returned as it is)."""
    return model if isinstance(model, CompiledModel) else CompiledModel(model)


def _conditional(cond: Fn, then: Fn, otherwise: Fn) -> Fn:
    def conditional(v, c):
        test = cond(v, c)
        if np.ndim(test) == 0:  # the same branch for every scenario: evaluate only that one
            return then(v, c) if test else otherwise(v, c)
        return np.where(test, then(v, c), otherwise(v, c))

    return conditional


def _graphical(x: Fn, gf) -> Fn:
    table = tabulate(gf)
    return lambda v, c: table(x(v, c))


def _pipeline(key: str, delay: Fn, fixed: bool) -> Fn:
    # read from the start of the step, as PULSE and STEP do: every Runge-Kutta stage of a
    # step sees the same output, so a pipeline releases each step's input whole, one delay on
    if fixed:  # a delay time that reads no stock nor time: its output is looked up once a step
        return lambda v, c: c.memory[key].value_in_step(c.step_start, delay, v, c)
    return lambda v, c: c.memory[key].value_at(c.step_start - delay(v, c))


_RUN_CONSTANT_TIMES = frozenset(
    {"dt", "time_step", "starttime", "initial_time", "stoptime", "final_time"}
)
_STEP_START_FUNCTIONS = frozenset({"step", "pulse"})  # they read the time a step starts


def _varies_within_step(reads: _Reads) -> bool:
    """Whether an equation reads the time of a Runge-Kutta stage (TIME, RAMP, …): conservative,
    any time name or timed builtin not known to be fixed over a step counts."""
    for n in reads.others:
        if type(n) is Name:
            if n.name in TIME_NAMES and n.name not in _RUN_CONSTANT_TIMES:
                return True
        else:
            if n.func in TIME_NAMES and n.func not in _RUN_CONSTANT_TIMES:
                return True
            timed = n.func in FUNCTIONS and FUNCTIONS[n.func].uses_time
            if timed and n.func not in _STEP_START_FUNCTIONS:
                return True
    return any(t in TIME_NAMES and t not in _RUN_CONSTANT_TIMES for t in reads.tables)


def _once_per_step(slot: int, fn: Fn, reads: tuple[int, ...]) -> Fn:
    """``fn`` for an equation whose value changes only between steps (see
    `CompiledModel._steady`): computed afresh when the step or any run-time value it reads
    (by identity: a value kept from an earlier stage is the same object) has changed, else
    the value of its previous stage. The memory is the run's (``clock.kept``)."""

    def once(v, c):
        inputs = [v[i] for i in reads]
        kept = c.kept.get(slot)
        if kept is not None and kept[0] == c.step_start and all(map(is_, kept[1], inputs)):
            return kept[2]
        value = fn(v, c)
        c.kept[slot] = (c.step_start, inputs, value)
        return value

    return once


def _nonnegative(fn: Fn) -> Fn:
    return lambda v, c: np.maximum(fn(v, c), 0.0)


def _outflow_limit_dependencies(system: System) -> dict[str, set[str]]:
    """What an outflow of a non-negative stock must wait for: the stock's inflows and the
    outflows listed before it.

    An outflow of several stocks (XMILE allows it) is not limited: no one stock's level
    bounds it. Its non-negative stocks are clamped at zero instead (`simulate`), as the
    SDXorg non-negative cases expect, so the flow's value is what its equation says."""
    drained = Counter(flow for st in system.stocks for flow in st.outflows)
    deps: dict[str, set[str]] = {}
    for st in system.stocks:
        if st.non_negative:
            for i, flow in enumerate(st.outflows):
                if drained[flow] == 1:
                    deps[flow] = {*st.inflows, *st.outflows[:i]}
    return deps
