"""A model as plain data: variables with equations as text, units, docs and sources.

A `Model` is what a model file (TOML or XMILE) describes. It is validated by `validate` and
turned into something that runs by `sim.compiler.compile_model`; it knows nothing of numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from .errors import ModelError, UserInputError
from .names import canonical

__all__ = [
    "MAX_STEPS",
    "Auxiliary",
    "Constant",
    "Dimension",
    "Flow",
    "GraphicalFunction",
    "Lookup",
    "Model",
    "Stock",
    "TimeSpec",
    "UnitDefinition",
    "Variable",
    "check_runnable",
    "time_steps",
]

GraphicalKind = Literal["continuous", "extrapolate", "discrete"]


@dataclass(frozen=True)
class GraphicalFunction:
    """A table y(x): ``continuous`` interpolates and holds the end values, ``extrapolate``
    continues the end segments, ``discrete`` holds each y until the next x."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    kind: GraphicalKind = "continuous"

    @classmethod
    def from_xscale(
        cls, lo: float, hi: float, y: tuple[float, ...], kind: GraphicalKind = "continuous"
    ) -> GraphicalFunction:
        """Points spread evenly over ``[lo, hi]``, as XMILE's ``<xscale>`` says."""
        n = len(y)
        xs = (lo,) if n == 1 else tuple(lo + (hi - lo) * i / (n - 1) for i in range(n))
        return cls(xs, tuple(y), kind)


@dataclass(frozen=True)
class TimeSpec:
    """The time axis: from ``start`` to ``stop`` in steps of ``dt``; ``save_step`` (default
    ``dt``) spaces the saved times.

    ``stop_variable`` names a variable that is the final time as the run goes (Vensim's
    ``FINAL TIME`` written as an equation): each scenario then ends at the first saved time
    at or after its value, and the axis is laid out up to its value at ``start`` (``stop``
    holds that value with the model's own constants), which it may not rise above."""

    start: float = 0.0
    stop: float = 10.0
    dt: float = 1.0
    method: str = "euler"
    units: str = ""
    save_step: float | None = None
    stop_variable: str | None = None


MAX_STEPS = 1_000_000  # a run of more steps is a mistyped dt, not a model
STEP_TOLERANCE = 1e-9  # how far from a whole number the steps of a run may be (rounding)


def time_steps(start: float, stop: float, dt: float) -> int:
    """The number of steps of ``dt`` from ``start`` to ``stop``.

    A `UserInputError` (field ``dt``) unless ``dt`` divides the run into a whole number of
    steps (within `STEP_TOLERANCE`, so that 1/3 over 5 years is 15 steps) and at most
    `MAX_STEPS` of them: a run never silently stops short of ``stop``, and a tiny ``dt`` is
    refused before it exhausts the memory.
    """
    if not (math.isfinite(dt) and dt > 0):
        raise UserInputError(f"dt must be a positive number, got {dt}", field="dt")
    if not (math.isfinite(start) and math.isfinite(stop) and stop >= start):
        raise UserInputError(f"the time axis must run forward, got {start} to {stop}", field="time")
    ratio = (stop - start) / dt
    if ratio > MAX_STEPS:
        raise UserInputError(
            f"dt {dt:g} makes {ratio:.3g} steps from {start:g} to {stop:g}; at most "
            f"{MAX_STEPS:,} steps are allowed",
            field="dt",
        )
    steps = round(ratio)
    if abs(ratio - steps) > STEP_TOLERANCE * max(1.0, ratio):
        raise UserInputError(
            f"dt {dt:g} does not divide the run from {start:g} to {stop:g} into whole steps "
            f"({ratio:.6g} steps); choose a dt such as {(stop - start) / max(1, steps):.6g}",
            field="dt",
        )
    return steps


@dataclass(frozen=True)
class UnitDefinition:
    """A unit the model declares for unit checking: a base unit of its own (no ``equation``)
    or one defined from others (``equation = "1000 persons"``), with ``aliases`` that mean
    the same unit (``person``, ``people``)."""

    name: str
    equation: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dimension:
    """A named list of elements a variable may be arrayed over (XMILE indexed dimensions have
    elements ``"1"``, ``"2"``, …). A dimension whose elements all belong to another is a
    subrange of it. ``maps_to`` holds Vensim mappings ``-> other``: for each other dimension,
    the element of it that each element of this one corresponds to."""

    name: str
    elements: tuple[str, ...]
    maps_to: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def key(self) -> str:
        return canonical(self.name)


ElementEquations = tuple[tuple[tuple[str, ...], str], ...]
ElementTables = tuple[tuple[tuple[str, ...], GraphicalFunction], ...]


@dataclass(frozen=True)
class _Common:
    """What every variable has. ``dims`` names the dimensions it is arrayed over (none: a
    scalar); ``elements`` holds element-wise equations ``((e1, e2), "equation")`` that override
    the apply-to-all one (a stock's initial value, a constant's number as text). An empty
    apply-to-all equation (NaN for a constant) means every element must be defined.

    ``indices`` marks an element of an arrayed variable after expansion (`sim.arrays.expand`):
    ``(("Region", "north"), ("Age", "young"))`` for ``pop[north,young]``.

    ``helper`` marks a variable a translation added (a Vensim stock's net flow, a macro's
    copy, SAMPLE IF TRUE's state): it runs like any other but is not reported unless asked
    for by name, since the model's author never wrote it."""

    name: str
    units: str = ""
    doc: str = ""
    dims: tuple[str, ...] = field(default=(), kw_only=True)
    elements: ElementEquations = field(default=(), kw_only=True)
    indices: tuple[tuple[str, str], ...] = field(default=(), kw_only=True)
    helper: bool = field(default=False, kw_only=True)

    @property
    def key(self) -> str:
        return canonical(self.name)


@dataclass(frozen=True)
class Stock(_Common):
    """A level; its rate is the sum of its inflows less the sum of its outflows."""

    initial: str = "0"
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()
    non_negative: bool = False
    source: str = ""


@dataclass(frozen=True)
class Flow(_Common):
    """A rate; ``non_negative`` flows (XMILE uniflows) never run backwards."""

    equation: str = "0"
    non_negative: bool = False
    graphical: GraphicalFunction | None = None
    source: str = ""
    tables: ElementTables = field(default=(), kw_only=True)


@dataclass(frozen=True)
class Auxiliary(_Common):
    """An equation of other variables; with ``graphical``, the table applied to it (arrayed:
    ``tables`` holds one table per element, as for a `Lookup`)."""

    equation: str = "0"
    graphical: GraphicalFunction | None = None
    source: str = ""
    tables: ElementTables = field(default=(), kw_only=True)


@dataclass(frozen=True)
class Constant(_Common):
    """A number a scenario may override; ``source`` says where it comes from and ``range`` is
    the plausible interval of an assumption."""

    value: float = 0.0
    source: str = ""
    range: tuple[float, float] | None = None


@dataclass(frozen=True)
class Lookup(_Common):
    """A graphical function called by name in equations: ``name(x)``. An arrayed lookup holds
    one table per element in ``tables`` (``((e1, e2), table)``; ``graphical`` for the rest)."""

    graphical: GraphicalFunction = field(default_factory=lambda: GraphicalFunction((0.0,), (0.0,)))
    source: str = ""
    tables: ElementTables = field(default=(), kw_only=True)


Variable = Stock | Flow | Auxiliary | Constant | Lookup


@dataclass(frozen=True)
class Model:
    """Variables in file order, with the time axis they run on."""

    name: str
    variables: tuple[Variable, ...]
    time: TimeSpec = field(default_factory=TimeSpec)
    doc: str = ""
    units: tuple[UnitDefinition, ...] = ()
    dimensions: tuple[Dimension, ...] = field(default=(), kw_only=True)

    def __post_init__(self):
        object.__setattr__(self, "_index", {v.key: v for v in self.variables})

    def __getitem__(self, name: str) -> Variable:
        return self._index[canonical(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and canonical(name) in self._index

    def of_kind(self, kind: type) -> tuple:
        return tuple(v for v in self.variables if isinstance(v, kind))

    @property
    def stocks(self) -> tuple[Stock, ...]:
        return self.of_kind(Stock)

    @property
    def constants(self) -> tuple[Constant, ...]:
        return self.of_kind(Constant)

    def replace(self, **changes) -> Model:
        """A copy with some fields changed (``time=…``, ``variables=…``)."""
        from dataclasses import replace

        return replace(self, **changes)

    def with_variable(self, variable: Variable) -> Model:
        """A copy in which ``variable`` replaces the variable of the same name (e.g. a scenario
        turning a constant into a time-varying input)."""
        if variable.key not in self._index:
            raise KeyError(variable.name)
        variables = tuple(variable if v.key == variable.key else v for v in self.variables)
        return self.replace(variables=variables)


def check_runnable(model: Model, time_field: str) -> None:
    """A `ModelError` for a model file that holds no variables (an empty file, say) or whose
    time axis `time_steps` refuses; ``time_field`` names the file's time settings."""
    if not model.variables:
        raise ModelError("the model has no variables (no stocks, flows, auxiliaries or constants)")
    try:
        time_steps(model.time.start, model.time.stop, model.time.dt)
    except UserInputError as exc:
        raise ModelError(exc.reason, field=f"{time_field}.{exc.field}") from None
