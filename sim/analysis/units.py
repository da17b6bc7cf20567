"""Dimensional analysis of every equation of a model: each inconsistency with its variable,
the units expected and found, and the offending term.

The rules (README, "Unit checking"):

- a stock's initial value has the stock's units; a flow has the units of each stock it fills
  or drains per time unit of the model; a flow or auxiliary equation has its declared units
  (undeclared units are inferred from the equation and not checked);
- ``+ - MIN MAX MOD``, comparisons and the branches of ``IF`` need operands of the same units;
  ``* /`` combine them; ``^`` needs a dimensionless exponent, and a base with units needs a
  number as exponent (``x^2``);
- a number is dimensionless, except ``0``, which matches any units, and a number written as
  the time argument of ``STEP``, ``RAMP`` or ``PULSE``, which is a time;
- ``EXP LN LOG LOG10`` and the trigonometric functions take and return dimensionless values;
  ``SQRT`` halves the exponents; ``ABS INT ROUND`` keep the units; ``SIGN`` is dimensionless;
- ``STEP(h, t)`` has the units of ``h``, ``RAMP(s, t…)`` of ``s``·time and ``PULSE(v, t…)`` of
  ``v``/time (its integral is ``v``), their time arguments being times;
- ``SMTH1/3/N``, ``DELAY/1/3/N``, ``INIT`` and ``PREVIOUS`` have the units of their input
  (delay times are times, an initial value has the input's units); ``TREND`` is 1/time and
  ``FORCST`` has the input's units;
- a graphical function returns its declared units; a ``[lookups]`` table declared as
  ``"x units -> y units"`` also checks its argument;
- ``TIME STARTTIME STOPTIME DT`` are times.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError
from ..expr import Binary, Call, If, Name, Node, Number, Unary, parse, unparse
from ..functions import TIME_NAMES
from ..model import Auxiliary, Flow, Lookup, Model, Stock
from .unitreg import UnitRegistry, UnitsError

__all__ = ["UnitIssue", "UnitReport", "check_units"]

_SAME_UNITS = {"+", "-", "mod", "=", "<>", "<", "<=", ">", ">="}
_COMPARISONS = {"=", "<>", "<", "<=", ">", ">="}
_DIMENSIONLESS_IN_OUT = {
    "exp",
    "ln",
    "log10",
    "log",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
}
_KEEP = {"abs", "int", "round"}
_TIME_NAMES = frozenset(TIME_NAMES)
_SMOOTHS = {"smth1", "smth3", "delay1", "delay3", "delay"}  # (input, delay[, initial])
_ANY = None  # units that match anything: 0, INF, an undeclared variable


@dataclass(frozen=True)
class UnitIssue:
    """One inconsistency: in ``variable``, ``term`` has units ``actual`` where ``expected``."""

    variable: str
    expected: str
    actual: str
    term: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.variable}: {self.reason}: expected {self.expected}, got {self.actual} "
            f"in {self.term}"
        )

    def as_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in ("variable", "expected", "actual", "term", "reason")}


@dataclass(frozen=True)
class UnitReport:
    """All inconsistencies of a model, and the unit names it uses without declaring them."""

    issues: tuple[UnitIssue, ...]
    undeclared: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.issues


def check_units(model: Model) -> UnitReport:
    """Check every equation of ``model`` (of each element, for an arrayed model); raises
    `ModelError` only for a bad declaration."""
    from ..arrays import expand

    checker = _Checker(expand(model))
    checker.run()
    return UnitReport(tuple(checker.issues), tuple(dict.fromkeys(checker.reg.undeclared)))


class _Mismatch(Exception):
    """Raised inside an equation at the first inconsistency, to report it once."""

    def __init__(self, issue: UnitIssue):
        self.issue = issue


class _Checker:
    def __init__(self, model: Model):
        self.model = model
        texts = tuple(v.units.replace("->", " ") for v in model.variables)
        self.reg = UnitRegistry(model, texts)
        self.issues: list[UnitIssue] = []
        self.declared: dict[str, object] = {}
        self.lookup_input: dict[str, object] = {}
        self.inferred: dict[str, object] = {}
        self._busy: set[str] = set()
        self.owner = ""
        self.time = self.reg.time
        for v in model.variables:
            self.declared[v.key] = self._declared(v)

    # -- declarations -----------------------------------------------------------------------
    def _declared(self, v):
        text = v.units
        if isinstance(v, Lookup) and "->" in text:
            x_units, _, text = text.partition("->")
            self.lookup_input[v.key] = self._parse(x_units, v.name)
        return self._parse(text, v.name)

    def _parse(self, text: str, owner: str):
        try:
            return self.reg.parse(text)
        except UnitsError as exc:
            self.issues.append(UnitIssue(owner, "readable units", repr(text), "units", str(exc)))
            return _ANY

    def show(self, q) -> str:
        return self.reg.show(q)

    # -- the model ------------------------------------------------------------------------
    def run(self) -> None:
        flows_of: dict[str, list[Stock]] = {}
        for v in self.model.variables:
            if isinstance(v, Stock):
                for f in (*v.inflows, *v.outflows):
                    if f in self.model:
                        flows_of.setdefault(self.model[f].key, []).append(v)
        for v in self.model.variables:
            match v:
                case Stock():
                    self._equation(v, v.initial, "initial value")
                case Flow() | Auxiliary():
                    self._variable(v)
                    if isinstance(v, Flow):
                        for stock in flows_of.get(v.key, []):
                            self._flow_of(v, stock)

    def _variable(self, v: Flow | Auxiliary) -> None:
        if v.graphical is None:  # a graphical function's argument may have any units
            self._equation(v, v.equation, "")

    def _flow_of(self, flow: Flow, stock: Stock) -> None:
        level = self.declared[stock.key]
        rate = self.units_of_variable(flow.key)
        if level is _ANY or self.time is None or rate is _ANY:
            return
        expected = level / self.time
        if not self.reg.same(rate, expected):
            self.issues.append(
                UnitIssue(
                    flow.name,
                    self.show(expected),
                    self.show(rate),
                    flow.equation if self.declared[flow.key] is _ANY else f"units = {flow.units!r}",
                    f"a flow of stock {stock.name} must be in its units per time unit",
                )
            )

    def _equation(self, v, text: str, what: str) -> None:
        owner, expected = v.name, self.declared[v.key]
        self.owner = owner
        try:
            node = parse(text, owner)
        except ModelError:
            return  # the compiler reports equations that do not parse
        if _literal(node) is not None:
            return  # a number alone takes the declared units, as a constant does
        try:
            actual = self.units(node)
        except _Mismatch as exc:
            self.issues.append(exc.issue)
            return
        if expected is not _ANY and actual is not _ANY and not self.reg.same(actual, expected):
            reason = (
                f"the {what} does not have the declared units"
                if what
                else ("the equation does not have the declared units")
            )
            self.issues.append(UnitIssue(owner, v.units, self.show(actual), text.strip(), reason))

    def units_of_variable(self, key: str):
        """Declared units, else those inferred from the equation (any, for a stock)."""
        declared = self.declared.get(key, _ANY)
        if declared is not _ANY:
            return declared
        if key in self.inferred:
            return self.inferred[key]
        v = self.model[key]
        result = _ANY
        if isinstance(v, Flow | Auxiliary) and v.graphical is None and key not in self._busy:
            self._busy.add(key)
            owner = self.owner
            try:
                result = self.units(parse(v.equation, v.name))
            except (_Mismatch, ModelError):
                result = _ANY
            finally:
                self.owner = owner
                self._busy.discard(key)
        self.inferred[key] = result
        return result

    # -- expressions ------------------------------------------------------------------------
    def fail(self, node: Node, expected, actual, reason: str):
        raise _Mismatch(
            UnitIssue(self.owner, self.show(expected), self.show(actual), unparse(node), reason)
        )

    def match(self, node: Node, a, b, reason: str):
        """The common units of ``a`` and ``b`` (either may be any units)."""
        if a is _ANY:
            return b
        if b is _ANY or self.reg.same(a, b):
            return a
        return self.fail(node, a, b, reason)

    def require(self, node: Node, arg: Node, expected, reason: str):
        actual = self.units(arg)
        if expected is _ANY or actual is _ANY or self.reg.same(actual, expected):
            return actual
        return self.fail(node, expected, actual, reason)

    def units(self, node: Node):
        match node:
            case Number(value=value):
                return _ANY if value == 0 or value != value else self.reg.dimensionless
            case Name(name=name):
                if name in self.model:
                    return self.units_of_variable(name)
                if name in _TIME_NAMES:
                    return self.time
                return _ANY if name == "inf" else self.reg.dimensionless
            case Unary(op="not", operand=operand):
                self.units(operand)
                return self.reg.dimensionless
            case Unary(operand=operand):
                return self.units(operand)
            case Binary():
                return self._binary(node)
            case If(cond=cond, then=then, otherwise=otherwise):
                self.units(cond)
                return self.match(
                    node,
                    self.units(then),
                    self.units(otherwise),
                    "the branches of IF have different units",
                )
            case Call():
                return self._call(node)
        return _ANY

    def _binary(self, node: Binary):
        op, left, right = node.op, self.units(node.left), self.units(node.right)
        if op in _SAME_UNITS:
            what = "compared" if op in _COMPARISONS else "added or subtracted"
            common = self.match(node, left, right, f"terms {what} have different units")
            return self.reg.dimensionless if op in _COMPARISONS else common
        if op in {"and", "or"}:
            return self.reg.dimensionless
        if op in {"*", "/"}:
            if left is _ANY or right is _ANY:
                return _ANY
            return left * right if op == "*" else left / right
        # "^"
        one = self.reg.dimensionless
        if right is not _ANY and not self.reg.same(right, one):
            self.fail(node.right, one, right, "an exponent must be dimensionless")
        if left is _ANY or self.reg.same(left, one):
            return left
        power = _literal(node.right)
        if power is None:
            self.fail(node.left, one, left, "a base with units needs a number as exponent")
        return left**power

    def _call(self, node: Call):
        func, args = node.func, node.args
        one = self.reg.dimensionless
        if func == "lookup":
            func, args = args[0].name, args[1:]
        if func in self.model and isinstance(self.model[func], Lookup):
            self.require(
                node,
                args[0],
                self.lookup_input.get(func, _ANY),
                f"the argument of {self.model[func].name} has other units",
            )
            return self.declared[func]
        if func in _TIME_NAMES:
            return self.time
        if func in _DIMENSIONLESS_IN_OUT:
            for arg in args:
                self.require(node, arg, one, f"{func.upper()} takes a dimensionless argument")
            return one
        if func in _KEEP:
            return self.units(args[0])
        if func == "sign":
            self.units(args[0])
            return one
        if func == "sqrt":
            inner = self.units(args[0])
            return inner if inner is _ANY else inner**0.5
        if func in {"min", "max", "mod", "modulo"}:
            result = _ANY
            for arg in args:
                result = self.match(
                    node,
                    result,
                    self.units(arg),
                    f"the arguments of {func.upper()} have different units",
                )
            return result
        if func in {"safediv", "xidz", "zidz"}:
            a, b = self.units(args[0]), self.units(args[1])
            ratio = _ANY if a is _ANY or b is _ANY else a / b
            if len(args) == 3:
                ratio = self.match(
                    node,
                    ratio,
                    self.units(args[2]),
                    f"{func.upper()}'s fallback has other units than a/b",
                )
            return ratio
        if func == "if_then_else":
            self.units(args[0])
            return self.match(
                node,
                self.units(args[1]),
                self.units(args[2]),
                "the branches of IF THEN ELSE have different units",
            )
        if func in {"step", "ramp", "pulse"}:
            return self._time_function(node)
        if func in _SMOOTHS or func in {"smthn", "delayn"}:
            x = self.units(args[0])
            self.require(node, args[1], self.time, f"{func.upper()}'s delay must be a time")
            initial = args[3:4] if func in {"smthn", "delayn"} else args[2:3]
            for arg in initial:
                x = self.match(
                    node,
                    x,
                    self.units(arg),
                    f"{func.upper()}'s initial value has other units than its input",
                )
            return x
        if func in {"init", "previous"}:
            x = self.units(args[0])
            for arg in args[1:]:
                x = self.match(
                    node,
                    x,
                    self.units(arg),
                    f"{func.upper()}'s initial value has other units than its input",
                )
            return x
        if func in {"trend", "forcst"}:
            x = self.units(args[0])
            for arg in args[1 : 3 if func == "forcst" else 2]:
                self.require(node, arg, self.time, f"{func.upper()}'s times must be times")
            if func == "trend":
                return _ANY if self.time is None else 1 / self.time
            return x
        for arg in args:
            self.units(arg)
        return _ANY

    def _time_function(self, node: Call):
        func, args = node.func, node.args
        value = self.units(args[0])
        for arg in args[1:]:
            if not isinstance(arg, Number):  # a number written as a time is a time
                self.require(node, arg, self.time, f"{func.upper()}'s times must be times")
        if func == "step" or value is _ANY or self.time is None:
            return value if func == "step" or value is _ANY else _ANY
        return value * self.time if func == "ramp" else value / self.time


def _literal(node: Node) -> float | None:
    """The value of an expression of numbers only (``2``, ``-1/3``), else None."""
    match node:
        case Number(value=value):
            return value
        case Unary(op="-", operand=operand):
            inner = _literal(operand)
            return None if inner is None else -inner
        case Unary(op="+", operand=operand):
            return _literal(operand)
        case Binary(op=op, left=left, right=right) if op in {"+", "-", "*", "/"}:
            a, b = _literal(left), _literal(right)
            if a is None or b is None or (op == "/" and b == 0):
                return None
            return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0.0}[op]
    return None
