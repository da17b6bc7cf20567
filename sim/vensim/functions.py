"""Vensim's builtin functions as trees of the engine's expression language.

Pure functions map to engine builtins or to small equivalent trees (``INTEGER`` truncates,
``PULSE`` is a window of time). Functions with memory map to the engine's stateful builtins
(``SMOOTH`` to ``SMTH1``, ``DELAY FIXED`` to ``DELAY``, …), which `sim.lowering` turns into
hidden stocks; the few the engine lacks (``SAMPLE IF TRUE``) the translator builds from stocks
itself. Anything else is refused by name: never a wrong number.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ModelError
from ..expr import Binary, Call, If, Name, Node, Number, Unary
from ..functions import TIME_TOLERANCE

__all__ = ["PURE", "RENAMED", "STATEFUL", "UNSUPPORTED", "arity", "get_time_value"]

_DT = Name("time_step")
_TIME = Name("time")


def _integer(x: Node) -> Node:
    """Vensim's INTEGER truncates toward zero; the engine's INT is the floor."""
    return If(
        Binary(">=", x, Number(0.0)),
        Call("int", (x,)),
        Unary("-", Call("int", (Unary("-", x),))),
    )


def _after(when: Node, inclusive: bool = False) -> Node:
    """1 once ``time plus`` (Time + TIME STEP/2) is past ``when`` (or reaches it, if
    ``inclusive``), else 0: the comparison Vensim documents for STEP, RAMP and PULSE, which
    puts an event that falls between two steps on the nearer one. Built on the engine's
    ``step``, which reads the time at which the step starts, so the value changes only at
    TIME STEP intervals whatever the integration method, as Vensim's notes require. The
    engine's step is inclusive within ``TIME_TOLERANCE * dt``; twice that makes it strict."""
    shift = Binary("/", _DT, Number(2.0))
    if not inclusive:
        shift = Binary("-", shift, Binary("*", Number(2 * TIME_TOLERANCE), _DT))
    return Call("step", (Number(1.0), Binary("-", when, shift)))


def _step(height: Node, start: Node) -> Node:
    """STEP: ``height`` once Time + TIME STEP/2 > ``start``."""
    return Binary("*", height, _after(start))


def _ramp(slope: Node, start: Node, end: Node) -> Node:
    """RAMP: ``slope * (MIN(Time, end) - start)`` once Time + TIME STEP/2 > ``start``."""
    rise = Binary("-", Call("min", (_TIME, end)), start)
    return Binary("*", Binary("*", slope, rise), _after(start))


def _pulse(start: Node, width: Node) -> Node:
    """PULSE: 1 while ``start`` < Time + TIME STEP/2 < ``start + width`` (at least one DT)."""
    end = Binary("+", start, Call("max", (width, _DT)))
    return Binary("-", _after(start), _after(end, inclusive=True))


def _pulse_train(start: Node, width: Node, interval: Node, end: Node) -> Node:
    """A PULSE of ``width`` every ``interval`` from ``start`` up to ``end``."""
    since = Binary("-", _TIME, start)
    phase = Call("mod", (since, interval))
    on = Binary("<", phase, Call("max", (width, _DT)))
    window = Binary("and", Binary(">=", _TIME, start), Binary("<=", _TIME, end))
    return If(Binary("and", window, on), Number(1.0), Number(0.0))


def _quantum(x: Node, q: Node) -> Node:
    return If(Binary("<=", q, Number(0.0)), x, Binary("*", q, _integer(Binary("/", x, q))))


def _modulo(x: Node, base: Node) -> Node:
    """Vensim's MODULO is ``x - QUANTUM(x, base)``: the remainder takes the sign of ``x``."""
    return Binary("-", x, _quantum(x, base))


def _power(a: Node, b: Node) -> Node:
    return Binary("^", a, b)


def _hyperbolic(kind: str) -> Callable[[Node], Node]:
    def build(x: Node) -> Node:
        up, down = Call("exp", (x,)), Call("exp", (Unary("-", x),))
        if kind == "sinh":
            return Binary("/", Binary("-", up, down), Number(2.0))
        if kind == "cosh":
            return Binary("/", Binary("+", up, down), Number(2.0))
        return Binary("/", Binary("-", up, down), Binary("+", up, down))

    return build


RENAMED: dict[str, tuple[str, int, int]] = {  # Vensim name -> (engine name, min, max args)
    "abs": ("abs", 1, 1),
    "exp": ("exp", 1, 1),
    "ln": ("ln", 1, 1),
    "log": ("log", 2, 2),
    "sqrt": ("sqrt", 1, 1),
    "sin": ("sin", 1, 1),
    "cos": ("cos", 1, 1),
    "tan": ("tan", 1, 1),
    "arcsin": ("arcsin", 1, 1),
    "arccos": ("arccos", 1, 1),
    "arctan": ("arctan", 1, 1),
    "min": ("min", 2, 2),
    "max": ("max", 2, 2),
    "xidz": ("xidz", 3, 3),
    "zidz": ("zidz", 2, 2),
    "sign": ("sign", 1, 1),
}

PURE: dict[str, tuple[Callable[..., Node], int]] = {  # Vensim name -> (tree builder, args)
    "integer": (_integer, 1),
    "step": (_step, 2),
    "ramp": (_ramp, 3),
    "pulse": (_pulse, 2),
    "pulse_train": (_pulse_train, 4),
    "quantum": (_quantum, 2),
    "modulo": (_modulo, 2),
    "power": (_power, 2),
    "sinh": (_hyperbolic("sinh"), 1),
    "cosh": (_hyperbolic("cosh"), 1),
    "tanh": (_hyperbolic("tanh"), 1),
    "game": (lambda x: x, 1),  # GAME(x) is x outside gaming runs
}


def _smooth_n(x, delay, initial, order):
    return Call("smthn", (x, delay, order, initial))


def _delay_n(x, delay, initial, order):
    return Call("delayn", (x, delay, order, initial))


def _delay_fixed(x, delay, initial):
    """The delay time is read once, at the start, and rounded to whole time steps, as Vensim
    does (its pipeline has one slot per step)."""
    steps = Call("round", (Binary("/", delay, _DT),))
    return Call("delay", (x, Call("init", (Binary("*", steps, _DT),)), initial))


STATEFUL: dict[str, tuple[Callable[..., Node], int, int]] = {
    "smooth": (lambda x, d: Call("smth1", (x, d)), 2, 2),
    "smoothi": (lambda x, d, i: Call("smth1", (x, d, i)), 3, 3),
    "smooth3": (lambda x, d: Call("smth3", (x, d)), 2, 2),
    "smooth3i": (lambda x, d, i: Call("smth3", (x, d, i)), 3, 3),
    "smooth_n": (_smooth_n, 4, 4),
    "delay1": (lambda x, d: Call("delay1", (x, d)), 2, 2),
    "delay1i": (lambda x, d, i: Call("delay1", (x, d, i)), 3, 3),
    "delay3": (lambda x, d: Call("delay3", (x, d)), 2, 2),
    "delay3i": (lambda x, d, i: Call("delay3", (x, d, i)), 3, 3),
    "delay_n": (_delay_n, 4, 4),
    "delay_fixed": (_delay_fixed, 3, 3),
    "initial": (lambda x: Call("init", (x,)), 1, 1),
    "trend": (lambda x, t, i: Call("trend", (x, t, i)), 3, 3),
    "forecast": (lambda x, t, h: Call("forcst", (x, t, h)), 3, 3),
}

UNSUPPORTED = {
    "a_function_of": "reality checks (A FUNCTION OF)",
    "random_uniform": "random numbers",
    "random_normal": "random numbers",
    "random_poisson": "random numbers",
    "random_exponential": "random numbers",
    "random_0_1": "random numbers",
    "get_data_at_time": "data at a given time",
    "get_data_last_time": "data at a given time",
    "delay_conveyor": "conveyors",
    "delay_profile": "delay profiles",
    "queue_fifo": "queues",
    "tabbed_array": "tabbed arrays",
}


def get_time_value(relative: Node, offset: Node, measure: Node, where: str) -> Node:
    """``GET TIME VALUE(relativeto, offset, 0)``: the simulation time (``relativeto`` 0) or the
    initial time (1) plus ``offset``, in the model's time units, as Vensim documents. The
    computer's clock (2) and calendar measures (``measure`` > 0: year, month, day, …) need a
    calendar the model does not have: refused by name."""
    origin = {Number(0.0): _TIME, Number(1.0): Name("initial_time")}.get(relative)
    if origin is None:
        raise ModelError(
            "GET TIME VALUE relative to the computer's clock (relativeto other than 0 or 1) "
            "is not supported",
            field=where,
        )
    if measure != Number(0.0):
        raise ModelError(
            "GET TIME VALUE of a calendar measure (measure other than 0) is not supported",
            field=where,
        )
    return Binary("+", origin, offset)


def arity(func: str, got: int, lo: int, hi: int, where: str) -> None:
    """A `ModelError` unless ``func`` (Vensim's name) got ``lo`` to ``hi`` arguments."""
    if not lo <= got <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise ModelError(
            f"{func.upper().replace('_', ' ')} takes {want} arguments, got {got}", field=where
        )
