"""Lower a `CompiledModel` to flat instruction arrays for the compiled interpreter.

Each equation's syntax tree is folded bottom-up (no recursion, no text) into instructions over
registers: one register per slot of the model, one per number, and temporaries reused as soon
as they are read. The values follow numpy's rules for the engine's operations; where numpy's
result would depend on a value being a boolean array (``(a > b) + (c > d)`` is a logical or in
numpy, ``EXP(a > b)`` is computed in half precision), or on anything the interpreter does not
do, the lowering raises `Unsupported` and `simulate` keeps the numpy engine.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np

from ..compiler import CompiledModel
from ..expr import Binary, Call, If, Name, Node, Number, Unary, children, fold
from ..functions import CONSTANT_NAMES, TIME_NAMES
from ..model import GraphicalFunction
from . import ops

__all__ = ["Program", "Unsupported", "lower_model"]

TIME, DT, START, STOP = 0, 1, 2, 3  # registers the interpreter fills: stage time, run's times
_SPECIAL = 4
# How often a run-time instruction must be computed: once per block (it reads only constants:
# numpy recomputes it, with the same result, at every stage), once per step (it reads the
# step's start, as STEP and PULSE do, or a DELAY's output at it), or at every stage.
PER_BLOCK, PER_STEP, PER_STAGE = 0, 1, 2
REPORT = 3  # the program of values that only reports read, run at the times saved

_TIME_REGISTERS = {
    "time": TIME, "dt": DT, "time_step": DT, "starttime": START, "initial_time": START,
    "stoptime": STOP, "final_time": STOP,
}  # fmt: skip
_BINARY = {
    "+": ops.ADD, "-": ops.SUB, "*": ops.MUL, "/": ops.DIV, "^": ops.POW, "mod": ops.MOD,
    "=": ops.EQ, "<>": ops.NE, "<": ops.LT, "<=": ops.LE, ">": ops.GT, ">=": ops.GE,
    "and": ops.AND, "or": ops.OR,
}  # fmt: skip
_COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">=", "and", "or"})
_FLOAT_UNARY = {
    "exp": ops.EXP, "ln": ops.LN, "log10": ops.LOG10, "sqrt": ops.SQRT, "sin": ops.SIN,
    "cos": ops.COS, "tan": ops.TAN, "arcsin": ops.ASIN, "arccos": ops.ACOS,
    "arctan": ops.ATAN, "int": ops.FLOOR, "round": ops.ROUND, "sign": ops.SIGN,
}  # fmt: skip
_GRAPH_KINDS = {"continuous": 0, "extrapolate": 1, "discrete": 2}

# The type of a register's value in the numpy engine: a float array, a boolean array (what a
# comparison gives), or either (an IF whose test is a scalar returns its branch as it is).
F, B, M = "float", "bool", "mixed"


class Unsupported(Exception):
    """The model uses something the kernel does not compute exactly as numpy does."""


@dataclass(frozen=True)
class Program:
    """A model as instruction arrays (rows ``op, dst, a, b, c, table``; see `sim.kernel.ops`):
    the initial values, then the run's equations split by how often they change.

    Registers ``0..3`` are the stage time, DT, start and stop; ``slot_register[s]`` holds slot
    ``s`` of the compiled model; ``number_registers`` hold ``number_values``.
    """

    n_registers: int
    init_code: np.ndarray
    block_code: np.ndarray  # after the initial values: what the run reads but never changes
    step_code: np.ndarray  # at the first stage of each step (and later ones, see `PIPE`)
    stage_code: np.ndarray  # at every stage
    report_code: np.ndarray  # at a saved time: run-time values that no rate depends on
    slot_register: np.ndarray
    number_registers: np.ndarray
    number_values: np.ndarray
    constant_keys: tuple[str, ...]
    constant_registers: np.ndarray
    constant_values: np.ndarray
    stock_registers: np.ndarray
    non_negative: np.ndarray
    flow_registers: np.ndarray  # per stock: its inflows then its outflows
    flow_inflows: np.ndarray  # per stock: how many of its flows are inflows
    flow_offsets: np.ndarray  # stock i's flows are flow_registers[off[i]:off[i + 1]]
    pipe_registers: np.ndarray
    pipe_inputs: np.ndarray
    table_x: np.ndarray
    table_y: np.ndarray
    table_offsets: np.ndarray
    table_kinds: np.ndarray
    table_slopes: np.ndarray  # (tables, 2): extrapolation slopes below and above


_PROGRAMS: WeakKeyDictionary[CompiledModel, Program | Unsupported] = WeakKeyDictionary()


def lower_model(compiled: CompiledModel) -> Program:
    """``compiled`` as a `Program` (lowered once per compiled model, then cached), or
    `Unsupported` raised with the reason."""
    cached = _PROGRAMS.get(compiled)
    if cached is None:
        try:
            cached = _Lowering(compiled).program()
        except Unsupported as exc:
            cached = exc
        _PROGRAMS[compiled] = cached
    if isinstance(cached, Unsupported):
        raise cached
    return cached


def _kids(node: Node) -> tuple[Node, ...]:
    """What a node computes from: LOOKUP's first argument names a table, it is not a value."""
    if isinstance(node, Call) and node.func == "lookup":
        return node.args[1:]
    return children(node)


def _boolish(kind: str) -> bool:
    return kind != F


class _Lowering:
    def __init__(self, compiled: CompiledModel):
        self.c = compiled
        self.s = compiled.system
        self.n_slots = len(compiled.keys)
        self.next = _SPECIAL + self.n_slots
        self.numbers: dict[str, int] = {}
        self.number_values: list[float] = []
        self.free: list[int] = []
        self.temps: set[int] = set()
        self.codes: list[list[tuple[int, ...]]] = [[], [], []]
        self.last: tuple[list, int] | None = None  # the row emitted last, for `_store`
        self.initial = True
        self.reporting = False
        self.level: dict[int, int] = {TIME: PER_STAGE, DT: PER_BLOCK, START: PER_BLOCK}
        self.level[STOP] = PER_BLOCK
        self.types: dict[int, str] = dict.fromkeys(range(_SPECIAL), F)
        self.tables: dict[int, int] = {}  # id of a GraphicalFunction -> table index
        self.graphs: list[GraphicalFunction] = []
        self.pipe_index = {key: i for i, key in enumerate(self.s.pipelines)}

    # -- registers --------------------------------------------------------------------------
    def slot(self, key: str) -> int:
        return _SPECIAL + self.c.slot[key]

    def number(self, value: float) -> int:
        tag = repr(float(value))
        if tag not in self.numbers:
            self.numbers[tag] = self.next
            self.number_values.append(float(value))
            self.types[self.next] = F
            self.level[self.next] = PER_BLOCK
            self.next += 1
        return self.numbers[tag]

    def temp(self, kind: str) -> int:
        if self.free:
            reg = heapq.heappop(self.free)  # the lowest: fewer registers touched
        else:
            reg, self.next = self.next, self.next + 1
        self.temps.add(reg)
        self.types[reg] = kind
        return reg

    def release(self, regs) -> None:
        for reg in regs:
            if reg in self.temps:
                self.temps.discard(reg)
                heapq.heappush(self.free, reg)

    def emit(
        self,
        op: int,
        kind: str,
        *operands: int,
        table: int = 0,
        level: int = PER_BLOCK,
    ) -> int:
        """Emit ``op`` over ``operands`` into a fresh register and return it.

        During the run the instruction goes to the program of its level: the highest of its
        operands' and ``level``. Below `PER_STAGE` its result is kept in a register of its
        own (read in later stages); otherwise the operands' temporaries are freed first (every
        instruction reads an element before writing it, so it may write in place)."""
        level = max([level, *(self.level[r] for r in operands)])
        if self.initial or level == PER_STAGE:
            self.release(operands)
            dst = self.temp(kind)
        else:
            dst, self.next = self.next, self.next + 1
            self.types[dst] = kind
        self.level[dst] = level
        self.push(level, (op, dst, *operands, *(0,) * (3 - len(operands)), table))
        return dst

    def push(self, level: int, row: tuple[int, ...]) -> None:
        if self.initial:
            level = 0
        elif self.reporting and level == PER_STAGE:
            level = REPORT
        code = self.codes[level]
        code.append(row)
        self.last = (code, len(code) - 1)

    # -- the model -----------------------------------------------------------------------------
    def program(self) -> Program:
        s, c = self.s, self.c
        kinds = self._slot_types()
        for key, kind in kinds.items():
            self.types[self.slot(key)] = kind
        run_keys = [c.keys[step.slot] for step in c.run_steps]
        for key in c.keys:
            self.level[self.slot(key)] = PER_BLOCK
        for step in c.init_steps:
            self._key(c.keys[step.slot])
        init_code = self._rows(self.codes[0])
        self.initial, self.codes, self.last = False, [[], [], []], None
        for key in c.keys:  # what the run does not recompute is fixed from the start
            self.level[self.slot(key)] = PER_BLOCK
        for key in (*run_keys, *(st.key for st in s.stocks)):
            self.level[self.slot(key)] = PER_STAGE  # until its equation says otherwise
        rates = self._rate_keys()
        for key in run_keys:
            if key in rates:
                self._key(key)
        self.codes.append([])  # the rest only reports: computed at the times saved
        self.reporting = True
        for key in run_keys:
            if key not in rates:
                self._key(key)
        block_code, step_code, stage_code, report_code = (self._rows(c) for c in self.codes)
        constants = tuple(s.constants)
        flows, inflows, offsets = [], [], [0]
        for st in s.stocks:
            flows += [self.slot(f) for f in (*st.inflows, *st.outflows)]
            inflows.append(len(st.inflows))
            offsets.append(len(flows))
        xs, ys, toff, tkind, slopes = self._tables()
        ints = lambda xs: np.asarray(xs, dtype=np.int64)  # noqa: E731
        return Program(
            n_registers=self.next,
            init_code=init_code,
            block_code=block_code,
            step_code=step_code,
            stage_code=stage_code,
            report_code=report_code,
            slot_register=ints([_SPECIAL + i for i in range(self.n_slots)]),
            number_registers=ints(list(self.numbers.values())),
            number_values=np.asarray(self.number_values, dtype=float),
            constant_keys=constants,
            constant_registers=ints([self.slot(k) for k in constants]),
            constant_values=np.asarray([s.constants[k] for k in constants], dtype=float),
            stock_registers=ints([self.slot(st.key) for st in s.stocks]),
            non_negative=ints([st.non_negative for st in s.stocks]),
            flow_registers=ints(flows),
            flow_inflows=ints(inflows),
            flow_offsets=ints(offsets),
            pipe_registers=ints([self.slot(k) for k in s.pipelines]),
            pipe_inputs=ints([self.slot(p.input_key) for p in s.pipelines.values()]),
            table_x=xs,
            table_y=ys,
            table_offsets=toff,
            table_kinds=tkind,
            table_slopes=slopes,
        )

    def _rate_keys(self) -> set[str]:
        """The run-time keys the rates depend on: the flows of stocks, the inputs of DELAY
        pipelines, what an outflow's limit reads, and what these read in turn."""
        s, c = self.s, self.c
        needed = {f for st in s.stocks for f in (*st.inflows, *st.outflows)}
        needed |= {p.input_key for p in s.pipelines.values()}
        for deps in c._limit_deps.values():
            needed |= deps
        todo = list(needed)
        while todo:
            key = todo.pop()
            if key in s.equations or key in s.pipelines:
                for dep in c.dependencies(key) - needed:
                    needed.add(dep)
                    todo.append(dep)
        return needed

    @staticmethod
    def _rows(code: list[tuple[int, ...]]) -> np.ndarray:
        return np.asarray(code, dtype=np.int64).reshape(-1, 6)

    def _slot_types(self) -> dict[str, str]:
        """Each slot's type, in the initial order (every key after what it reads). A stock is a
        float during the run but holds its initial value's type at the start: if that is not a
        float, both are possible."""
        s, c = self.s, self.c
        kinds: dict[str, str] = dict.fromkeys(s.constants, F)
        for key in (st.key for st in s.stocks):
            kinds[key] = M
        for key in s.pipelines:
            kinds[key] = M
        stocks = {st.key: st for st in s.stocks}
        for step in c.init_steps:
            key = c.keys[step.slot]
            if key in stocks:
                kinds[key] = F if self._type(stocks[key].initial, kinds) == F else M
            elif key in s.frozen:
                kinds[key] = self._type(s.frozen[key], kinds)
            elif key in s.pipelines:
                kinds[key] = F if self._type(s.pipelines[key].initial, kinds) == F else M
            else:
                eq = s.equations[key]
                kind = self._type(eq.node, kinds)
                limited = key in c._limit_deps
                kinds[key] = F if eq.graphical or eq.non_negative or limited else kind
        return kinds

    def _type(self, node: Node, kinds: dict[str, str]) -> str:
        """The type of ``node``'s value, raising `Unsupported` where numpy's value depends on
        a boolean (see the module doc)."""
        return fold(node, lambda n, ks: self._node_type(n, ks, kinds), _kids)

    def _node_type(self, node: Node, ks: list[str], kinds: dict[str, str]) -> str:
        match node:
            case Number() | Name():
                return kinds.get(node.name, F) if isinstance(node, Name) else F
            case Unary(op="-"):
                if _boolish(ks[0]):
                    raise Unsupported("the negative of a comparison")
                return F
            case Unary(op="+"):
                return ks[0]
            case Unary(op="not"):
                return B
            case Binary(op=op):
                a, b = ks
                if op in _COMPARISONS:
                    return B
                if op == "+" and a == B and b == B:
                    return B  # numpy adds booleans as a logical or: so does the kernel
                if op in ("+", "-", "^", "mod") and _boolish(a) and _boolish(b):
                    raise Unsupported(f"{op!r} between two comparisons")
                if op == "*" and _boolish(a) and _boolish(b):
                    return B if a == b == B else M
                return F
            case If():
                return _branches(ks[1], ks[2])
            case Call(func=func):
                return self._call_type(func, ks)
        raise Unsupported(f"a {type(node).__name__} node")

    def _call_type(self, func: str, ks: list[str]) -> str:
        if func in self.s.lookups or func == "lookup":
            return F
        if func in TIME_NAMES or func in CONSTANT_NAMES:
            return F
        if func in _FLOAT_UNARY or func == "log":
            if any(_boolish(k) for k in ks):
                raise Unsupported(f"{func.upper()} of a comparison")
            return F
        if func in ("mod", "modulo"):
            if all(_boolish(k) for k in ks):
                raise Unsupported("MOD of two comparisons")
            return F
        if func == "abs":
            return ks[0]
        if func in ("min", "max"):
            kind = ks[0]
            for k in ks[1:]:
                kind = F if F in (kind, k) else (B if kind == k == B else M)
            return kind
        if func == "if_then_else":
            return _branches(ks[1], ks[2])
        if func in ("safediv", "xidz", "zidz", "step", "ramp", "pulse"):
            return F
        raise Unsupported(f"the function {func.upper()}")

    def _key(self, key: str) -> None:
        """The instructions computing ``key`` (at the start: its initial value)."""
        s = self.s
        dst = self.slot(key)
        stocks = {st.key: st for st in s.stocks}
        if key in stocks:
            self._store(self._expr(stocks[key].initial), dst)
        elif key in s.frozen:
            self._store(self._expr(s.frozen[key]), dst)
        elif key in s.pipelines:
            pipe = s.pipelines[key]
            if self.initial:
                self._store(self._expr(pipe.initial), dst)
            else:
                delay = self._expr(pipe.delay)
                table = self.pipe_index[key]
                kind = self.types[dst]
                self._store(self.emit(ops.PIPE, kind, delay, table=table, level=PER_STEP), dst)
        else:
            eq = s.equations[key]
            value = self._expr(eq.node)
            if eq.graphical is not None:
                value = self.emit(ops.GRAPH, F, value, table=self._table(eq.graphical))
            if eq.non_negative:
                value = self.emit(ops.MAX, F, value, self.number(0.0))
            if key in self.c._limit_deps and not self.initial:
                value = self._limit(key, value)
            self._store(value, dst)

    def _limit(self, key: str, value: int) -> int:
        """`CompiledModel._limited`: the outflow takes at most the stock over DT plus its
        inflows less the outflows listed before it, in that order of operations."""
        (stock,) = [st for st in self.s.stocks if st.non_negative and key in st.outflows]
        available = self.emit(ops.DIV, F, self.slot(stock.key), DT)
        for flow in stock.inflows:
            available = self.emit(ops.ADD, F, available, self.slot(flow))
        for flow in stock.outflows[: stock.outflows.index(key)]:
            available = self.emit(ops.SUB, F, available, self.slot(flow))
        available = self.emit(ops.MAX, F, available, self.number(0.0))
        return self.emit(ops.MIN, F, value, available)

    def _store(self, value: int, dst: int) -> None:
        """Write ``value`` to ``dst``: the instruction that computed it writes there instead,
        else a copy. ``dst`` then changes as often as ``value``."""
        level = self.level[value]
        produced = self.last is not None and self.last[0][self.last[1]][1] == value
        if produced and value >= _SPECIAL + self.n_slots:  # a temporary, not a slot
            code, i = self.last
            code[i] = (code[i][0], dst, *code[i][2:])
        else:
            self.push(level, (ops.COPY, dst, value, 0, 0, 0))
        self.release((value,))
        self.level[dst] = level

    def _expr(self, node: Node) -> int:
        return fold(node, self._visit, _kids)

    def _visit(self, node: Node, regs: list[int]) -> int:
        kinds = [self.types[r] for r in regs]
        match node:
            case Number(value=value):
                return self.number(value)
            case Name(name=name) | Call(func=name, args=()) if not regs:
                return self._leaf(node, name)
            case Unary(op="+"):
                return regs[0]
            case Unary(op=op):
                kind = self._node_type(node, kinds, {})
                return self.emit(ops.NEG if op == "-" else ops.NOT, kind, regs[0])
            case Binary(op=op):
                kind = self._node_type(node, kinds, {})
                code = ops.OR if op == "+" and kind == B else _BINARY[op]
                return self.emit(code, kind, regs[0], regs[1])
            case If():
                return self.emit(ops.WHERE, _branches(kinds[1], kinds[2]), *regs)
            case Call(func=func):
                return self._call(node, func, regs, kinds)
        raise Unsupported(f"a {type(node).__name__} node")

    def _leaf(self, node: Node, name: str) -> int:
        if isinstance(node, Name) and name in self.c.slot:
            return self.slot(name)
        if name in _TIME_REGISTERS:
            return _TIME_REGISTERS[name]
        if name in CONSTANT_NAMES:
            return self.number(CONSTANT_NAMES[name])
        raise Unsupported(f"the name {name!r}")

    def _call(self, node: Call, func: str, regs: list[int], kinds: list[str]) -> int:
        kind = self._call_type(func, kinds)
        if func in self.s.lookups or func == "lookup":
            name = node.args[0].name if func == "lookup" else func
            return self.emit(ops.GRAPH, F, regs[-1], table=self._table(self.s.lookups[name]))
        if func in _FLOAT_UNARY:
            return self.emit(_FLOAT_UNARY[func], F, regs[0])
        if func == "abs":
            return self.emit(ops.ABS, kind, regs[0])
        if func == "log":
            base = regs[1] if len(regs) > 1 else self.number(10.0)
            return self.emit(ops.LOGB, F, regs[0], base)
        if func in ("min", "max"):
            code = ops.MIN if func == "min" else ops.MAX
            value, vkind = regs[0], kinds[0]
            for reg, k in zip(regs[1:], kinds[1:], strict=True):
                vkind = F if F in (vkind, k) else (B if vkind == k == B else M)
                value = self.emit(code, vkind, value, reg)
            return value
        if func in ("mod", "modulo"):
            return self.emit(ops.MOD, F, regs[0], regs[1])
        if func in ("safediv", "xidz", "zidz"):
            otherwise = regs[2] if len(regs) > 2 else self.number(0.0)
            return self.emit(ops.SAFEDIV, F, regs[0], regs[1], otherwise)
        if func == "if_then_else":
            return self.emit(ops.WHERE, kind, *regs)
        if func == "step":
            return self.emit(ops.STEP, F, regs[0], regs[1], level=PER_STEP)
        if func == "ramp":
            end = regs[2] if len(regs) > 2 else self.number(np.inf)
            return self.emit(ops.RAMP, F, regs[0], regs[1], end, level=PER_STAGE)
        if func == "pulse":
            interval = regs[2] if len(regs) > 2 else self.number(0.0)
            return self.emit(ops.PULSE, F, regs[0], regs[1], interval, level=PER_STEP)
        raise Unsupported(f"the function {func.upper()}")

    # -- graphical functions ------------------------------------------------------------------
    def _table(self, gf: GraphicalFunction) -> int:
        if id(gf) not in self.tables:
            self.tables[id(gf)] = len(self.graphs)
            self.graphs.append(gf)
        return self.tables[id(gf)]

    def _tables(self):
        xs, ys, offsets, kinds, slopes = [], [], [0], [], []
        for gf in self.graphs:
            x = np.asarray(gf.x, dtype=float)
            y = np.asarray(gf.y, dtype=float)
            xs.append(x)
            ys.append(y)
            offsets.append(offsets[-1] + len(x))
            kind = _GRAPH_KINDS[gf.kind]
            if kind == 1 and len(x) < 2:
                kind = 0  # `tabulate`: a one-point table is not extrapolated
            kinds.append(kind)
            lo = hi = 0.0
            if kind == 1:  # as `tabulate` computes them
                lo = (y[1] - y[0]) / (x[1] - x[0]) if x[1] > x[0] else 0.0
                hi = (y[-1] - y[-2]) / (x[-1] - x[-2]) if x[-1] > x[-2] else 0.0
            slopes.append((lo, hi))
        join = lambda parts: np.concatenate(parts) if parts else np.zeros(0)  # noqa: E731
        return (
            join(xs),
            join(ys),
            np.asarray(offsets, dtype=np.int64),
            np.asarray(kinds, dtype=np.int64),
            np.asarray(slopes, dtype=float).reshape(-1, 2),
        )


def _branches(then: str, otherwise: str) -> str:
    if then == otherwise:
        return then
    return M
