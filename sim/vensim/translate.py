"""The Vensim syntax tree of a whole file translated to a `Model`.

``x = INTEG(rate, init)`` becomes a `Stock`; when the rate is a sum and difference of plain
variables (``births - deaths``) those become its inflows and outflows, otherwise one flow
``<stock> net flow`` carries the whole rate. A number becomes a `Constant` (which scenarios may
override), a lookup definition a `Lookup`, ``WITH LOOKUP`` an auxiliary with a graphical
function. Stateful functions the engine lacks are built from stocks here (``SAMPLE IF TRUE``);
macros are instantiated at each call with their own copies of their variables.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..expr import (
    Binary,
    Call,
    If,
    Index,
    Name,
    Node,
    Number,
    Subscript,
    Unary,
    fold,
    rebuild,
    unparse,
)
from ..model import (
    Auxiliary,
    Constant,
    Flow,
    GraphicalFunction,
    Lookup,
    Model,
    Stock,
    TimeSpec,
    Variable,
)
from ..names import canonical
from . import syntax as v
from .data import GET_FUNCTIONS, read_constants, read_series, sheet
from .document import Document, Section
from .flows import assign_flows
from .functions import PURE, RENAMED, STATEFUL, UNSUPPORTED, arity, get_time_value
from .grammar import parse_statement
from .orders import Orders
from .subscripts import Subscripts

__all__ = ["NA", "translate", "vensim_name"]

NA = -1e38  # Vensim's :NA:
_CONTROLS = {"initial_time": "start", "final_time": "stop", "time_step": "dt", "saveper": "save"}
_ARRAY_FUNCTIONS = frozenset({"sum", "prod", "vmin", "vmax", "elmcount", "vector_select",
                              "vector_elm_map", "vector_sort_order", "vector_reorder",
                              "vector_lookup", "vector_rank", "allocate_available",
                              "allocate_by_priority"})  # fmt: skip
_REALITY_CHECK = re.compile(r":\s*(THE\s+CONDITION|TEST\s+INPUT)\s*:", re.IGNORECASE)
_LOOKUP_KINDS = {"lookup_extrapolate": "extrapolated", "lookup_backward": "held",
                 "lookup_forward": "looking forward"}  # fmt: skip


def vensim_name(raw: str) -> str:
    """A name as the model spells it: quotes removed (``\\"`` inside is a quote), spaces
    collapsed."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"')
    return " ".join(text.split())


def key_of(raw: str) -> str:
    return canonical(vensim_name(raw))


@dataclass
class _Definition:
    """Every statement that defines one variable (several for element-wise arrays)."""

    name: str
    statements: list[tuple[v.Statement, Section]] = field(default_factory=list)


@dataclass
class _Macro:
    name: str
    inputs: tuple[str, ...]
    definitions: dict[str, _Definition]
    outputs: tuple[str, ...] = ()  # defined inside, besides the macro's own output


@dataclass
class _Pending:
    """A variable being built: its tree stays a `Node` until the end, so that ACTIVE INITIAL
    can be substituted into initial values."""

    kind: str  # "stock", "aux", "constant", "lookup"
    name: str
    units: str = ""
    doc: str = ""
    node: Node | None = None  # equation, or a stock's rate
    initial: Node | None = None
    value: float = 0.0
    range: tuple[float, float] | None = None
    graphical: GraphicalFunction | None = None
    dims: tuple[str, ...] = ()
    entries: list[tuple[tuple[str, ...], _Pending]] = field(default_factory=list)
    # element-wise definitions of an arrayed variable: (subscripts as written, definition)


def translate(document: Document, name: str, folder: Path | None = None) -> Model:
    """The `Model` of a split `.mdl` file; ``folder`` is where its data files are."""
    return _Translator(document, folder).model(name)


class _Translator:
    def __init__(self, document: Document, folder: Path | None):
        self.folder = folder
        self.definitions = _group(document.sections)
        self.macros = {
            canonical(m.name): _Macro(m.name, m.inputs, _group(m.sections), m.outputs)
            for m in document.macros
        }
        self.subs = Subscripts([
            s for key, d in self.definitions.items() if key.startswith("#")
            for s, _ in d.statements
        ])  # fmt: skip
        # where hidden variables go: the dims of the variable being translated, and the
        # subscripts of the equation being translated (None: its apply-to-all one)
        self.where: tuple[tuple[str, ...], list[tuple[str, ...]] | None] = ((), None)
        self.pending: list[_Pending] = []
        self.names: set[str] = set()
        self.helpers: set[str] = set()  # names the translation made up (see `Variable.helper`)
        self.active: dict[str, Node] = {}  # ACTIVE INITIAL: variable key -> initial value
        self.count = 0
        self.time = self._time()
        self.lookups = {
            key
            for key, d in self.definitions.items()
            if any(isinstance(s, v.LookupDef) or _reads_lookups(s) for s, _ in d.statements)
        }

    # -- the model -------------------------------------------------------------------------
    def model(self, name: str) -> Model:
        moving = self.time.stop_variable is not None
        variables = {k: d for k, d in self.definitions.items()
                     if (k not in _CONTROLS or (moving and k == "final_time"))
                     and not k.startswith("#")}  # fmt: skip
        self.names.update(variables)
        for definition in variables.values():
            self._variable(definition, {}, definition.name)
        variables = [
            replace(v, helper=True) if v.key in self.helpers else v for v in self._finish()
        ]
        model = Model(
            name=name,
            variables=tuple(variables),
            time=self.time,
            dimensions=self.subs.dimensions(),
        )
        if not moving:
            return model
        from ..simulate import axis_end  # the engine evaluates FINAL TIME at the start

        return model.replace(time=replace(self.time, stop=axis_end(model)))

    def _time(self) -> TimeSpec:
        values: dict[str, float] = {}
        moving = None  # FINAL TIME as an equation: the variable the run stops by
        for key, field_name in _CONTROLS.items():
            definition = self.definitions.get(key)
            if definition is None:
                continue
            statement = definition.statements[0][0]
            if not isinstance(statement, v.Equation) or statement.expr is None:
                raise ModelError("must be a number", field=vensim_name(definition.name))
            try:
                values[field_name] = self._constant(statement.expr, definition.name)
            except ModelError:
                if key != "final_time" or statement.lhs.subs or "start" not in values:
                    raise
                # the axis is laid out to its value at the start once the model is built
                moving, values["stop"] = vensim_name(definition.name), values["start"]
        for field_name, control in (("start", "INITIAL TIME"), ("stop", "FINAL TIME"),
                                    ("dt", "TIME STEP")):  # fmt: skip
            if field_name not in values:
                raise ModelError(f"the model does not define {control}", field=control)
        save = values.pop("save", None)
        return TimeSpec(
            **values, save_step=save if save != values["dt"] else None, stop_variable=moving
        )

    def _constant(self, expr: v.Expr, owner: str, depth: int = 0) -> float:
        """The value of a control's equation: numbers, arithmetic and other controls."""
        match expr:
            case v.Num(value=value):
                return value
            case v.Ref(name=ref, subs=()) if key_of(ref) in _CONTROLS and depth < 8:
                other = self.definitions.get(key_of(ref))
                statement = other.statements[0][0] if other else None
                if isinstance(statement, v.Equation) and statement.expr is not None:
                    return self._constant(statement.expr, owner, depth + 1)
            case v.Op(op=op, operands=(x,)) if op in "+-":
                value = self._constant(x, owner, depth)
                return -value if op == "-" else value
            case v.Op(op=op, operands=(a, b)) if op in ("+", "-", "*", "/", "^"):
                x, y = self._constant(a, owner, depth), self._constant(b, owner, depth)
                return {"+": x + y, "-": x - y, "*": x * y,
                        "/": x / y if y else float("nan"), "^": x**y}[op]  # fmt: skip
        raise ModelError(
            "the time settings must be numbers (a time that changes during the run is not "
            "supported)",
            field=vensim_name(owner),
        )

    # -- one variable --------------------------------------------------------------------
    def _variable(self, definition: _Definition, scope: dict[str, Node], owner: str) -> None:
        """Add the variable of ``definition`` (named ``owner``) to the pending list."""
        name = vensim_name(owner)
        statements = definition.statements
        if any(s.lhs.subs for s, _ in statements):
            self._arrayed(definition, scope, name)
            return
        if len(statements) > 1:
            raise ModelError(f"defined {len(statements)} times", field=name)
        statement, section = statements[0]
        units, bounds = section.unit_range()
        item = _Pending("aux", name, units=units, doc=section.comment)
        self.where = ((), None)
        got = self._get(statement, name)
        if got is not None:
            part = got[0][1]
            item.kind, item.value, item.node, item.graphical = (
                part.kind, part.value, part.node, part.graphical)  # fmt: skip
            item.range = bounds if part.kind == "constant" else None
        else:
            self._fill(item, statement, scope, bounds)
        self.pending.append(item)

    def _get(self, statement: v.Statement, name: str) -> list[tuple[tuple, _Pending]] | None:
        """The definitions a GET DIRECT/XLS function reads for each element the statement
        defines; None if the statement is not one."""
        call = statement.expr if isinstance(statement, v.Equation) else getattr(
            statement, "table", None)  # fmt: skip
        if not (isinstance(call, v.Call) and canonical(call.func) in GET_FUNCTIONS):
            return None
        kind = GET_FUNCTIONS[canonical(call.func)]
        spelled = " ".join(call.func.split()).upper()
        want = 3 if kind == "constants" else 4
        if len(call.args) != want or not all(isinstance(a, v.Str) for a in call.args):
            raise ModelError(f"{spelled} takes {want} quoted texts", field=name)
        texts = [a.text for a in call.args]
        lhs = statement.lhs
        shape = tuple(len(self.subs.expand(s)) for s in lhs.subs if s in self.subs)
        cells = self.subs.cells(lhs) if lhs.subs else [()]
        if lhs.excepts:
            raise ModelError(f"{spelled} with :EXCEPT: is not supported", field=name)
        keyword = lhs.keyword
        if kind == "data" and keyword == "RAW":
            raise ModelError(f"data :{keyword}: is not supported", field=name)
        try:
            sh = sheet(self.folder, texts[0], texts[1])
            if kind == "constants":
                values = read_constants(sh, texts[2], shape).reshape(-1)
                return [(cell, _Pending("constant", name, value=float(x)))
                        for cell, x in zip(cells, values, strict=True)]  # fmt: skip
            x, ys = read_series(sh, texts[2], texts[3], shape)
        except ModelError as exc:
            raise ModelError(f"{spelled}: {exc.reason}", field=name) from None
        parts = []
        for cell, y in zip(cells, ys.reshape(len(cells), -1), strict=True):
            given = ~np.isnan(y) & ~np.isnan(x)
            if not given.any():
                raise ModelError(f"{spelled}: no values for {list(cell) or name}", field=name)
            gf = _series(x[given], y[given], keyword if kind == "data" else "")
            if kind == "data":
                parts.append((cell, _Pending("aux", name, node=Name("time"), graphical=gf)))
            else:
                parts.append((cell, _Pending("lookup", name, graphical=gf)))
        return parts

    def _fill(self, item: _Pending, statement: v.Statement, scope, bounds) -> None:
        """Set ``item``'s kind and equations from one statement."""
        name = item.name
        match statement:
            case v.LookupDef(table=v.Table() as table):
                item.kind, item.graphical = "lookup", _graphical(table, name)
            case v.LookupDef():
                raise ModelError("a lookup must be a table or GET … LOOKUPS", field=name)
            case v.DataDef():
                raise ModelError(
                    "a data variable without an equation reads a Vensim data file (.vdf), "
                    "which is not supported",
                    field=name,
                )
            case v.Equation(values=values) if values:
                if len(values) != 1:
                    raise ModelError(f"{len(values)} values for a variable without subscripts",
                                     field=name)  # fmt: skip
                item.kind, item.value, item.range = "constant", values[0].value, bounds
            case v.Equation(expr=expr):
                self._equation(item, expr, scope, bounds)

    def _arrayed(self, definition: _Definition, scope, name: str) -> None:
        """An arrayed variable: one apply-to-all equation, or equations for parts of its
        dimensions (ranges, subranges, elements, ``:EXCEPT:``), or lists of numbers."""
        statements = definition.statements
        dims = self.subs.dims_of([s.lhs for s, _ in statements], name)
        units, bounds = statements[0][1].unit_range()
        item = _Pending("aux", name, units=units, doc=statements[0][1].comment, dims=dims)
        first = statements[0][0].lhs
        general = (
            len(statements) == 1
            and not first.excepts
            and [key_of(s) for s in first.subs] == [key_of(d) for d in dims]
            and not (isinstance(statements[0][0], v.Equation) and statements[0][0].values)
        )
        parts: list[tuple[tuple[str, ...], _Pending]] = []
        for statement, _ in statements:
            lhs = statement.lhs
            if isinstance(statement, v.Equation) and statement.values:
                cells = self.subs.cells(lhs)
                if len(cells) != len(statement.values):
                    raise ModelError(f"{len(statement.values)} values for {len(cells)} elements "
                                     f"of {list(lhs.subs)}", field=name)  # fmt: skip
                for cell, value in zip(cells, statement.values, strict=True):
                    parts.append((cell, _Pending("constant", name, value=value.value)))
                continue
            got = self._get(statement, name)
            if got is not None:
                parts += got
                general = False
                continue
            cells = self.subs.cells(lhs) if lhs.excepts else [lhs.subs]
            part = _Pending("aux", name)
            self.where = (dims, None if general else cells)
            self._fill(part, statement, scope, bounds)
            parts += [(cell, part) for cell in cells]
        self.where = ((), None)
        kinds = {p.kind for _, p in parts}
        if "stock" in kinds and kinds != {"stock"}:
            raise ModelError("some of its equations are INTEG and some are not", field=name)
        if "lookup" in kinds and kinds != {"lookup"}:
            raise ModelError("some of its equations are lookups and some are not", field=name)
        item.kind = kinds.pop() if len(kinds) == 1 else "aux"
        item.range = bounds if item.kind == "constant" else None
        if general:
            part = parts[0][1]
            item.node, item.initial, item.value = part.node, part.initial, part.value
            item.graphical = part.graphical
        else:
            item.entries = parts
        self.pending.append(item)

    def _equation(self, item: _Pending, expr: v.Expr, scope: dict[str, Node], bounds) -> None:
        number = _plain_number(expr)
        if number is not None:
            item.kind, item.value, item.range = "constant", number, bounds
            return
        match expr:
            case v.Call(func=func, args=args) if canonical(func) == "integ":
                arity("integ", len(args), 2, 2, item.name)
                item.kind = "stock"
                item.node = self.expr(args[0], scope, item.name)
                item.initial = self.expr(args[1], scope, item.name)
            case v.Call(func=func, args=args) if canonical(func) == "with_lookup":
                arity("with_lookup", len(args), 2, 2, item.name)
                if not isinstance(args[1], v.Table):
                    raise ModelError("WITH LOOKUP's second argument must be a table",
                                     field=item.name)  # fmt: skip
                item.node = self.expr(args[0], scope, item.name)
                item.graphical = _graphical(args[1], item.name)
            case _:
                item.node = self.expr(expr, scope, item.name)

    # -- expressions ---------------------------------------------------------------------
    def expr(self, expr: v.Expr, scope: dict[str, Node], owner: str) -> Node:
        """The engine's tree for a Vensim expression; ``scope`` maps names local to a macro
        to what they stand for, ``owner`` is the variable named in errors."""
        match expr:
            case v.Num(value=value):
                return Number(value)
            case v.Missing():
                return Number(NA)
            case v.Str(text=text):
                raise ModelError(f"a quoted text {text!r} is only an argument of the GET "
                                 "functions", field=owner)  # fmt: skip
            case v.Table():
                raise ModelError("a lookup table is only an argument of WITH LOOKUP",
                                 field=owner)  # fmt: skip
            case v.Ref(name=ref, subs=subs) if subs:
                return Subscript(key_of(ref), _indices(subs))
            case v.Ref(name=ref):
                key = key_of(ref)
                if key in scope:
                    return scope[key]
                if key == "saveper":
                    return Number(self.time.save_step or self.time.dt)
                return Name(key)
            case v.Op(op="=" | "<>" as op, operands=(v.Ref(subs=()) as a, v.Ref(subs=()) as b)) if (
                self._is_dimension(a.name) and self._is_dimension(b.name)
            ):
                return self._same_element(a.name, b.name, op)
            case v.Op(op=op, operands=(x,)):
                return Unary(op, self.expr(x, scope, owner))
            case v.Op(op=op, operands=(a, b)):
                return Binary(op, self.expr(a, scope, owner), self.expr(b, scope, owner))
            case v.Call(func=func, args=args, subs=subs, outputs=outputs):
                if outputs and canonical(func) not in self.macros:
                    raise ModelError(f"{func.upper()} is not a macro: only a macro call names "
                                     "outputs after a colon", field=owner)  # fmt: skip
                if outputs:
                    return self._macro(self.macros[canonical(func)], args, scope, owner, outputs)
                return self._call(func, args, scope, owner, subs)
        raise TypeError(f"not a Vensim expression: {expr!r}")

    def _is_dimension(self, name: str) -> bool:
        return name in self.subs and key_of(name) not in self.definitions

    def _same_element(self, a: str, b: str, op: str) -> Node:
        """``dim1 = dim2`` compares the elements themselves, not their positions: true
        where both are at the same element (positions are what a dimension's value is)."""
        keys_a, keys_b = self.subs.keys_of(a), self.subs.keys_of(b)
        test: Node = Number(0.0)
        for element in (e for e in keys_a if e in keys_b):
            both = Binary(
                "and",
                Binary("=", Name(key_of(a)), Number(float(keys_a.index(element) + 1))),
                Binary("=", Name(key_of(b)), Number(float(keys_b.index(element) + 1))),
            )
            test = both if test == Number(0.0) else Binary("or", test, both)
        return Unary("not", test) if op == "<>" else test

    def _call(self, func: str, args: tuple[v.Expr, ...], scope, owner: str, subs=()) -> Node:
        key = canonical(func)
        spelled = " ".join(func.split()).upper()
        if subs:  # an element of an arrayed lookup: table[dim](x)
            arity(func, len(args), 1, 1, owner)
            table = Subscript(key_of(func), _indices(subs))
            return Call("lookup", (table, self.expr(args[0], scope, owner)))
        if key in _ARRAY_FUNCTIONS or (key in ("min", "max") and len(args) == 1):
            return Call(key, tuple(self.expr(a, scope, owner) for a in args))
        if key in self.macros:
            return self._macro(self.macros[key], args, scope, owner)
        if key in self.lookups or key in scope:
            arity(func, len(args), 1, 1, owner)
            target = scope.get(key, Name(key))
            return Call(target.name if isinstance(target, Name) else key,
                        (self.expr(args[0], scope, owner),))  # fmt: skip
        if key == "if_then_else":
            arity(key, len(args), 3, 3, owner)
            return If(*(self.expr(a, scope, owner) for a in args))
        if key in RENAMED:
            engine, lo, hi = RENAMED[key]
            arity(key, len(args), lo, hi, owner)
            return Call(engine, tuple(self.expr(a, scope, owner) for a in args))
        if key in PURE:
            build, n = PURE[key]
            arity(key, len(args), n, n, owner)
            return build(*(self.expr(a, scope, owner) for a in args))
        if key in STATEFUL:
            build, lo, hi = STATEFUL[key]
            arity(key, len(args), lo, hi, owner)
            return build(*(self.expr(a, scope, owner) for a in args))
        if key == "get_time_value":
            arity(key, len(args), 3, 3, owner)
            relative, offset, measure = (self.expr(a, scope, owner) for a in args)
            return get_time_value(relative, offset, measure, owner)
        if key == "active_initial":
            arity(key, len(args), 2, 2, owner)
            self.active[canonical(owner)] = self.expr(args[1], scope, owner)
            return self.expr(args[0], scope, owner)
        if key == "npv":
            arity(key, len(args), 4, 4, owner)
            return self._npv(*(self.expr(a, scope, owner) for a in args), owner)
        if key == "sample_if_true":
            arity(key, len(args), 3, 3, owner)
            return self._sample_if_true(*(self.expr(a, scope, owner) for a in args), owner)
        if key in _LOOKUP_KINDS:
            return self._lookup_call(key, args, scope, owner)
        if key == "with_lookup":
            arity(key, len(args), 2, 2, owner)
            if not isinstance(args[1], v.Table):
                raise ModelError("WITH LOOKUP's second argument must be a table", field=owner)
            hidden = self._hidden(f"{owner} lookup")
            self._add(_Pending("aux", hidden, node=self.expr(args[0], scope, owner),
                               graphical=_graphical(args[1], owner)))  # fmt: skip
            return Name(canonical(hidden))
        if key == "integ":
            raise ModelError("INTEG must be the whole equation of a stock", field=owner)
        if key in self.definitions:
            raise ModelError(f"{vensim_name(func)} is a variable, not a lookup: it takes no "
                             "argument", field=owner)  # fmt: skip
        what = UNSUPPORTED.get(key)
        detail = f" ({what})" if what else ""
        raise ModelError(f"unsupported function {spelled}{detail}", field=owner)

    def _lookup_call(self, key: str, args, scope, owner: str) -> Node:
        """``LOOKUP EXTRAPOLATE(table, x)``: a copy of the table of another kind."""
        arity(key, len(args), 2, 2, owner)
        table = args[0]
        if not (isinstance(table, v.Ref) and key_of(table.name) in self.lookups):
            raise ModelError(f"{key.upper()}'s first argument must be a lookup", field=owner)
        source = self.definitions[key_of(table.name)].statements[0][0]
        if table.subs or not isinstance(getattr(source, "table", None), v.Table):
            raise ModelError(f"{key.upper().replace('_', ' ')} of a subscripted or data lookup "
                             "is not supported", field=owner)  # fmt: skip
        gf = _graphical(source.table, owner)
        hidden = self._hidden(f"{vensim_name(table.name)} {_LOOKUP_KINDS[key]}")
        if key == "lookup_extrapolate":
            gf = GraphicalFunction(gf.x, gf.y, "extrapolate")
        else:
            keyword = "HOLD BACKWARD" if key == "lookup_backward" else "LOOK FORWARD"
            gf = _series(np.array(gf.x), np.array(gf.y), keyword)
        self.pending.append(_Pending("lookup", hidden, graphical=gf))
        return Call(canonical(hidden), (self.expr(args[1], scope, owner),))

    def _sample_if_true(self, condition: Node, value: Node, initial: Node, owner: str) -> Node:
        """The input while ``condition`` holds, else the value last sampled (``initial``
        before any): a stock that each step takes the current output."""
        state = self._hidden(f"{owner} sample state")
        output = self._hidden(f"{owner} sample")
        self._add(_Pending("stock", state, initial=initial, node=Binary(
            "/", Binary("-", Name(canonical(output)), Name(canonical(state))), Name("time_step")
        )))  # fmt: skip
        self._add(_Pending("aux", output, node=If(condition, value, Name(canonical(state)))))
        return Name(canonical(output))

    def _npv(self, stream: Node, rate: Node, initial: Node, factor: Node, owner: str) -> Node:
        """NPV as Vensim documents it: ``(accum + stream * TIME STEP * df) * factor``, where
        ``accum = INTEG(stream * df, initial)`` and the discount factor
        ``df = INTEG(-df * rate / (1 + rate * TIME STEP), 1)``: two hidden stocks."""
        df_name = self._hidden(f"{owner} npv discount")
        accum_name = self._hidden(f"{owner} npv accumulated")
        df, accum = Name(canonical(df_name)), Name(canonical(accum_name))
        dt = Name("time_step")
        decay = Binary("/", Binary("*", df, rate), Binary("+", Number(1.0), Binary("*", rate, dt)))
        self._add(_Pending("stock", df_name, initial=Number(1.0), node=Unary("-", decay)))
        self._add(_Pending("stock", accum_name, initial=initial, node=Binary("*", stream, df)))
        now = Binary("*", Binary("*", stream, dt), df)
        return Binary("*", Binary("+", accum, now), factor)

    def _macro(self, macro: _Macro, args, scope, owner: str, outputs=()) -> Node:
        """A fresh copy of the macro's variables for this call, its inputs bound to the
        arguments; the value is the macro's output variable. The model variables named after
        the call's colon (``m(a : y)``) are the macro's extra outputs, in order."""
        if len(args) != len(macro.inputs):
            raise ModelError(f"macro {macro.name} takes {len(macro.inputs)} arguments, got "
                             f"{len(args)}", field=owner)  # fmt: skip
        if len(outputs) > len(macro.outputs):
            raise ModelError(f"macro {macro.name} has {len(macro.outputs)} extra outputs, the "
                             f"call names {len(outputs)}", field=owner)  # fmt: skip
        self.count += 1
        prefix = f"{macro.name} {self.count}"
        local: dict[str, Node] = {}
        for param, arg in zip(macro.inputs, args, strict=True):
            node = self.expr(arg, scope, owner)
            if isinstance(node, Name | Number):
                local[key_of(param)] = node
            else:
                hidden = self._hidden(f"{prefix} {vensim_name(param)}")
                self._add(_Pending("aux", hidden, node=node))
                local[key_of(param)] = Name(canonical(hidden))
        spelled = {}
        for key, definition in macro.definitions.items():
            spelled[key] = self._hidden(f"{prefix} {vensim_name(definition.name)}")
            local[key] = Name(canonical(spelled[key]))
        output = local.get(canonical(macro.name))
        if output is None:
            raise ModelError(f"macro {macro.name} does not define its output {macro.name}",
                             field=owner)  # fmt: skip
        for key, definition in macro.definitions.items():
            self._variable(definition, local, spelled[key])
        for param, target in zip(macro.outputs, outputs, strict=False):
            inner = local.get(key_of(param))
            if inner is None or key_of(param) in (key_of(p) for p in macro.inputs):
                raise ModelError(f"macro {macro.name} does not define its output {param}",
                                 field=owner)  # fmt: skip
            name = vensim_name(target)
            if canonical(name) in self.names:
                raise ModelError(f"{name} is defined twice: by an equation and as an output "
                                 f"of macro {macro.name}", field=owner)  # fmt: skip
            self.names.add(canonical(name))
            self._add(_Pending("aux", name, node=inner))
        return output

    def _add(self, hidden: _Pending) -> None:
        """Add a variable the translation made; inside an arrayed variable it has the same
        dims, defined where the equation being translated is (0 elsewhere, unused)."""
        dims, cells = self.where
        if dims:
            hidden.dims = dims
            if cells is not None:
                part = _Pending(hidden.kind, hidden.name, node=hidden.node,
                                initial=hidden.initial, graphical=hidden.graphical)  # fmt: skip
                hidden.node = None if hidden.node is None else Number(0.0)
                hidden.initial = None if hidden.initial is None else Number(0.0)
                hidden.entries = [(cell, part) for cell in cells]
        self.pending.append(hidden)

    def _hidden(self, label: str) -> str:
        """A fresh variable name for something the translation adds."""
        name, n = label, 1
        while canonical(name) in self.names:
            n += 1
            name = f"{label} {n}"
        self.names.add(canonical(name))
        self.helpers.add(canonical(name))
        return name

    # -- finishing -----------------------------------------------------------------------
    def _finish(self) -> list[Variable]:
        """Variables from the pending list: ACTIVE INITIAL substituted into initial values,
        stock rates split into flows."""
        by_key = {canonical(p.name): p for p in self.pending}
        orders = Orders(by_key, self.time)
        for p in self.pending:
            for item in (p, *(part for _, part in p.entries)):
                if item.node is not None:
                    item.node = orders.fix(item.node)
        flows = assign_flows(
            self.pending, by_key, self._hidden, lambda name, rate: _Pending("flow", name, node=rate)
        )
        variables: list[Variable] = []
        for p in list(self.pending):
            key = canonical(p.name)
            common = {"name": p.name, "units": p.units, "doc": p.doc}
            if p.dims:
                variables += self._arrayed_variables(p, common)
            elif p.kind == "constant":
                variables.append(Constant(value=p.value, range=p.range, **common))
            elif p.kind == "lookup":
                variables.append(Lookup(graphical=p.graphical, **common))
            elif p.kind == "stock":
                inflows, outflows = flows[key]
                initial = unparse(self._initial(p.initial))
                variables.append(Stock(initial=initial, inflows=inflows, outflows=outflows,
                                       **common))  # fmt: skip
            else:
                equation = unparse(self._initial_calls(p.node))
                cls = Flow if p.kind == "flow" else Auxiliary
                variables.append(cls(equation=equation, graphical=p.graphical, **common))
        return variables

    def _arrayed_variables(self, p: _Pending, common: dict) -> list[Variable]:
        common = {**common, "dims": p.dims}
        text = lambda n: "" if n is None else unparse(self._initial_calls(n))  # noqa: E731
        entries = p.entries
        if p.kind == "constant":
            if not entries:
                return [Constant(value=p.value, range=p.range, **common)]
            elements = tuple((subs, repr(e.value)) for subs, e in entries)
            return [Constant(value=math.nan, range=p.range, elements=elements, **common)]
        tables = tuple(
            (cell, e.graphical)
            for subs, e in entries
            if e.graphical is not None
            for cell in self.subs.cells(v.Lhs(p.name, subs))
        )
        if p.kind == "lookup":
            default = p.graphical or (tables[0][1] if tables else None)
            return [Lookup(graphical=default, tables=tables, **common)]
        if p.kind == "stock":
            flow = self._hidden(f"{p.name} net flow")
            initials = tuple((subs, text(self._initial(e.initial))) for subs, e in entries)
            rates = tuple((subs, text(e.node)) for subs, e in entries)
            initial = "" if p.initial is None else text(self._initial(p.initial))
            return [
                Stock(initial=initial, elements=initials, inflows=(flow,), **common),
                Flow(name=flow, equation=text(p.node), elements=rates, dims=p.dims),
            ]
        elements = tuple(
            (subs, repr(e.value) if e.kind == "constant" else text(e.node)) for subs, e in entries
        )
        return [
            Auxiliary(
                equation=text(p.node),
                graphical=p.graphical,
                elements=elements,
                tables=tables,
                **common,
            )
        ]

    def _initial(self, node: Node) -> Node:
        """An initial value: ACTIVE INITIAL variables read as their initial values."""
        if not self.active:
            return node

        def visit(n: Node, kids: list[Node]) -> Node:
            if isinstance(n, Name) and n.name in self.active:
                return self.active[n.name]
            return rebuild(n, kids)

        return fold(node, visit)

    def _initial_calls(self, node: Node) -> Node:
        """``INITIAL(x)`` reads an ACTIVE INITIAL variable ``x`` as its initial value."""
        if not self.active:
            return node

        def visit(n: Node, kids: list[Node]) -> Node:
            if isinstance(n, Call) and n.func == "init":
                return Call("init", tuple(self._initial(k) for k in kids))
            return rebuild(n, kids)

        return fold(node, visit)


def _group(sections) -> dict[str, _Definition]:
    """Statements by the canonical name they define, in file order."""
    definitions: dict[str, _Definition] = {}
    for section in sections:
        if _REALITY_CHECK.search(section.text):
            continue  # a reality check: it tests the model, simulations ignore it
        statement = parse_statement(section.text, section.where)
        raw = statement.name if isinstance(statement, v.SubscriptDef | v.Equivalence) else (
            statement.lhs.name)  # fmt: skip
        key = key_of(raw)
        if isinstance(statement, v.SubscriptDef | v.Equivalence):
            key = f"#dimension {key}"
        definitions.setdefault(key, _Definition(raw)).statements.append((statement, section))
    return definitions


def _reads_lookups(statement: v.Statement) -> bool:
    expr = getattr(statement, "expr", None)
    return isinstance(expr, v.Call) and GET_FUNCTIONS.get(canonical(expr.func)) == "lookups"


def _indices(subs: tuple[str, ...]) -> tuple[Index, ...]:
    """Subscripts as written (``dim!`` is the whole dimension) as the engine's indices."""
    return tuple(
        Index("bang", key_of(s[:-1])) if s.endswith("!") else Index("name", key_of(s)) for s in subs
    )


def _plain_number(expr: v.Expr) -> float | None:
    if isinstance(expr, v.Num):
        return expr.value
    if isinstance(expr, v.Op) and expr.op in "+-" and len(expr.operands) == 1:
        inner = _plain_number(expr.operands[0])
        return None if inner is None else (-inner if expr.op == "-" else inner)
    return None


def _graphical(table: v.Table, owner: str) -> GraphicalFunction:
    if not table.x:
        raise ModelError("a lookup table needs at least one point", field=owner)
    points = sorted(zip(table.x, table.y, strict=True), key=lambda p: p[0])  # Vensim sorts x
    return GraphicalFunction(tuple(p[0] for p in points), tuple(p[1] for p in points))


def _series(x: np.ndarray, y: np.ndarray, keyword: str) -> GraphicalFunction:
    """A data series as a table of time: interpolated (the default), held from each point
    (``:HOLD BACKWARD:``) or taken from the next point (``:LOOK FORWARD:``, a held table
    whose steps come just after the points before)."""
    order = np.argsort(x, kind="stable")
    xs, ys = tuple(float(a) for a in x[order]), tuple(float(b) for b in y[order])
    if keyword == "HOLD BACKWARD":
        return GraphicalFunction(xs, ys, "discrete")
    if keyword == "LOOK FORWARD":
        eps = [1e-9 * max(1.0, abs(a)) for a in xs]
        steps = (xs[0], *(a + e for a, e in zip(xs[:-1], eps[:-1], strict=True)))
        return GraphicalFunction(steps, ys, "discrete")
    return GraphicalFunction(xs, ys)
