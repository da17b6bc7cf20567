"""Builtin functions of the expression language, as numpy functions of arrays of shape ``(n,)``.

Every function takes the run's `Clock` first (most ignore it), so STEP, RAMP and PULSE can read
the time. Functions with memory (SMTH1, DELAY3, INIT, …) are not here: the compiler turns them
into hidden stocks (see `sim.lowering`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .allocation import allocate_at

__all__ = [
    "BINARY_OPERATORS",
    "CONSTANT_NAMES",
    "FUNCTIONS",
    "TIME_NAMES",
    "TIME_TOLERANCE",
    "Builtin",
    "Clock",
]

# Times within this fraction of DT are equal: STEP and PULSE fire on a grid time that float
# arithmetic put a hair past their start.
TIME_TOLERANCE = 1e-9


@dataclass(slots=True)
class Clock:
    """What the time builtins read: the current time and the run's time axis."""

    t: float
    dt: float
    start: float
    stop: float
    memory: dict = field(default_factory=dict)  # per-run state of DELAY pipelines
    step_start: float = 0.0  # the time at which the current integration step starts
    kept: dict = field(default_factory=dict)  # per-run values of equations fixed over a step


@dataclass(frozen=True, slots=True)
class Builtin:
    fn: Callable[..., object]
    min_args: int
    max_args: int
    uses_time: bool = False


def _round(c, x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _safediv(c, a, b, otherwise=0.0):
    zero = np.equal(b, 0)
    return np.where(zero, otherwise, np.divide(a, np.where(zero, 1.0, b)))


def _minimum(c, *args):
    result = args[0]
    for arg in args[1:]:
        result = np.minimum(result, arg)
    return result


def _maximum(c, *args):
    result = args[0]
    for arg in args[1:]:
        result = np.maximum(result, arg)
    return result


def _step(c, height, start):
    """``height`` from the first step that starts at or after ``start``. It reads the time at
    which the step starts, as PULSE does, so every Runge-Kutta stage of a step sees the same
    value and a schedule on the time grid is integrated exactly by any method."""
    return np.where(c.step_start >= start - TIME_TOLERANCE * c.dt, height, 0.0)


def _ramp(c, slope, start, end=np.inf):
    elapsed = np.clip(np.minimum(c.t, end) - start, 0.0, None)
    return np.multiply(slope, elapsed)


def _pulse(c, magnitude, first, interval=0.0):
    """XMILE's PULSE: a spike of height magnitude/DT in the first step that starts at or after
    ``first`` (and again every ``interval``, if positive), so its integral is the magnitude.

    It reads the time at which the step starts, not the stage time, so every stage of a
    Runge-Kutta step sees the same spike and any integrator delivers exactly the magnitude.
    """
    since = c.step_start - first
    eps = TIME_TOLERANCE * c.dt
    if np.ndim(interval) == 0 and interval <= 0:  # a single pulse: the usual case, kept cheap
        phase = since
    else:
        repeat = np.greater(interval, 0)
        phase = np.where(repeat, np.mod(since + eps, np.where(repeat, interval, 1.0)) - eps, since)
    hit = (since >= -eps) & (phase < c.dt - eps)
    if np.ndim(hit) == 0:
        return np.divide(magnitude, c.dt) if hit else 0.0
    return np.where(hit, np.divide(magnitude, c.dt), 0.0)


def _unary(ufunc):
    return lambda c, x: ufunc(x)


FUNCTIONS: dict[str, Builtin] = {
    "abs": Builtin(_unary(np.abs), 1, 1),
    "exp": Builtin(_unary(np.exp), 1, 1),
    "ln": Builtin(_unary(np.log), 1, 1),
    "log10": Builtin(_unary(np.log10), 1, 1),
    "log": Builtin(lambda c, x, base=10.0: np.log(x) / np.log(base), 1, 2),
    "sqrt": Builtin(_unary(np.sqrt), 1, 1),
    "sin": Builtin(_unary(np.sin), 1, 1),
    "cos": Builtin(_unary(np.cos), 1, 1),
    "tan": Builtin(_unary(np.tan), 1, 1),
    "arcsin": Builtin(_unary(np.arcsin), 1, 1),
    "arccos": Builtin(_unary(np.arccos), 1, 1),
    "arctan": Builtin(_unary(np.arctan), 1, 1),
    "int": Builtin(_unary(np.floor), 1, 1),
    "round": Builtin(_round, 1, 1),
    "sign": Builtin(_unary(np.sign), 1, 1),
    "min": Builtin(_minimum, 2, 99),
    "max": Builtin(_maximum, 2, 99),
    "mod": Builtin(lambda c, a, b: np.mod(a, b), 2, 2),
    "modulo": Builtin(lambda c, a, b: np.mod(a, b), 2, 2),
    "safediv": Builtin(_safediv, 2, 3),
    "xidz": Builtin(lambda c, a, b, x: _safediv(c, a, b, x), 3, 3),
    "zidz": Builtin(lambda c, a, b: _safediv(c, a, b, 0.0), 2, 2),
    "if_then_else": Builtin(lambda c, cond, a, b: np.where(cond, a, b), 3, 3),
    "step": Builtin(_step, 2, 2, uses_time=True),
    "ramp": Builtin(_ramp, 2, 3, uses_time=True),
    "pulse": Builtin(_pulse, 2, 3, uses_time=True),
    # Element i of Vensim's ALLOCATE AVAILABLE over k requesters (4k + 2 arguments), as the
    # arrays expander writes it; see `sim.allocation`.
    "allocate_at": Builtin(allocate_at, 6, 1_000_000),
}

# Names usable without arguments (also callable with empty parentheses: ``TIME()``).
TIME_NAMES: dict[str, Callable[[Clock], float]] = {
    "time": lambda c: c.t,
    "dt": lambda c: c.dt,
    "time_step": lambda c: c.dt,
    "starttime": lambda c: c.start,
    "initial_time": lambda c: c.start,
    "stoptime": lambda c: c.stop,
    "final_time": lambda c: c.stop,
}
CONSTANT_NAMES: dict[str, float] = {"pi": float(np.pi), "e": float(np.e), "inf": float(np.inf)}

# The infix operators of the expression language, as numpy ufuncs (scalars and arrays alike;
# division by zero follows IEEE arithmetic instead of raising).
BINARY_OPERATORS = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power,
    "mod": np.mod, "=": np.equal, "<>": np.not_equal, "<": np.less, "<=": np.less_equal,
    ">": np.greater, ">=": np.greater_equal, "and": np.logical_and, "or": np.logical_or,
}  # fmt: skip
