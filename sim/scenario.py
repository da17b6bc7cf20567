"""Scenario files: a named set of changes to a model, validated before anything runs.

A scenario is a short TOML file that names its model (or ``extends`` another scenario) and
overrides only what differs::

    description = "A 2020 downturn on top of the trend."
    extends = "trend.toml"          # a path relative to this file; this file overrides it
    model = "hexi"                  # a shipped model's name or a model file (root file only)
    method = "euler"                # integration method and time step (default: the model's)
    dt = 1

    [parameters]                    # constants of the model: name = number
    firm_exit_rate = 0.08

    [inputs.jobs_shock_multiplier]  # a constant replaced by a time-varying input:
    times = [2016, 2020, 2021]      #   a table of (time, value), each value held until the
    values = [1.0, 0.85, 1.0]       #   next time ("discrete", the default) or interpolated
    # equation = "1 - 0.15 * STEP(1, 2020)"   # or an equation in the model's language

    [uncertain]                     # distributions for batch runs (sim batch)
    firm_exit_rate = { dist = "uniform", low = 0.03, high = 0.10 }

The scenario's name is its file name without ``.toml``. Along the ``extends`` chain the later
file wins, name by name, whether it sets a parameter, an input or a distribution. Every error
is a `UserInputError` naming the file, the field and the reason, in one line.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from .arrays import expand
from .compiler import CompiledModel, compile_model
from .errors import ModelError, ParseError, UserInputError
from .expr import parse
from .integrators import get_integrator
from .model import Auxiliary, Constant, GraphicalFunction, Model, time_steps
from .models import resolve_model, shipped_model_names, shipped_model_path
from .names import canonical, file_name
from .ranges import distribution_outside, value_outside, warn_out_of_range
from .results import Result
from .simulate import Save, simulate
from .tomlfile import read_toml
from .uncertainty.distributions import Distribution

__all__ = [
    "Scenario",
    "ScenarioFile",
    "TimeInput",
    "load_scenario",
    "read_scenario_file",
    "scenario_from_dict",
]

Real = Annotated[float, Field(strict=True, allow_inf_nan=False)]
PositiveReal = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0)]
ScenarioName = Annotated[str, AfterValidator(lambda name: file_name(name, "scenario name"))]


class TimeInput(BaseModel):
    """A time-varying input: a table of ``times`` and ``values`` or an ``equation``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    equation: str | None = None
    times: list[Real] | None = None
    values: list[Real] | None = None
    kind: Literal["discrete", "continuous", "extrapolate"] = "discrete"

    @model_validator(mode="after")
    def _one_form(self) -> TimeInput:
        table = self.times is not None or self.values is not None
        if (self.equation is not None) == table:
            raise ValueError("give either an equation or times and values")
        if table:
            if self.times is None or self.values is None:
                raise ValueError("a table needs both times and values")
            if not self.times or len(self.times) != len(self.values):
                raise ValueError(
                    f"{len(self.times)} times and {len(self.values)} values; give one value "
                    "for each time"
                )
            if any(b <= a for a, b in zip(self.times, self.times[1:], strict=False)):
                raise ValueError("times must increase")
        elif not self.equation.strip():  # type: ignore[union-attr]
            raise ValueError("the equation is empty")
        return self

    def variable(self, constant: Constant, origin: str) -> Auxiliary:
        """The auxiliary that replaces ``constant`` in the model."""
        doc = f"Time-varying input set by scenario file {origin}."
        if self.equation is not None:
            return Auxiliary(
                constant.name,
                units=constant.units,
                doc=doc,
                equation=self.equation,
                source=constant.source,
            )
        table = GraphicalFunction(tuple(self.times or ()), tuple(self.values or ()), self.kind)
        return Auxiliary(
            constant.name,
            units=constant.units,
            doc=doc,
            equation="TIME",
            graphical=table,
            source=constant.source,
        )


class ScenarioFile(BaseModel):
    """One scenario file as written, before its ``extends`` chain is resolved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ScenarioName | None = None
    description: str = ""
    extends: str | None = None
    model: str | None = None
    targets: str | None = None
    method: str | None = None
    dt: PositiveReal | None = None
    parameters: dict[str, Real] = Field(default_factory=dict)
    inputs: dict[str, TimeInput] = Field(default_factory=dict)
    uncertain: dict[str, Distribution] = Field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: the model with its inputs in place, and what to set when it runs."""

    name: str
    path: Path
    description: str
    files: tuple[Path, ...]  # this file, then the files it extends, in order
    model_path: Path | None
    compiled: CompiledModel
    parameters: dict[str, float]
    inputs: dict[str, TimeInput]
    uncertain: dict[str, Any]
    method: str
    dt: float
    targets_path: Path | None
    origin: dict[str, Path] = field(default_factory=dict)  # which file set each name

    @property
    def model(self) -> Model:
        return self.compiled.model

    def simulate(
        self,
        extra: Mapping[str, float | np.ndarray] | None = None,
        *,
        n: int | None = None,
        save: Save | None = None,
    ) -> Result:
        """Run the scenario; ``extra`` overrides constants on top of its parameters (arrays of
        shape ``(n,)`` run ``n`` variants at once)."""
        values: dict[str, Any] = dict(self.parameters)
        values.update(extra or {})
        return simulate(
            self.compiled, values, n=n, method=self.method, dt=self.dt, save=save,
            check_ranges=False,  # the scenario's values were checked on load; extras sweep
        )  # fmt: skip

    def with_parameters(self, *, name: str | None = None, **values: float) -> Scenario:
        """A copy with constants set to ``values`` (each a finite number; a name the model
        does not have as a constant is an error naming it), called ``name`` (default: this
        name with ``-modified``). A value set here is no longer uncertain in batch runs."""
        new_name = name or f"{self.name}-modified"
        _check_name(new_name)
        constants = {c.key: c for c in self.model.constants}
        where = Path(f"<with_parameters of {self.name}>")
        parameters = dict(self.parameters)
        uncertain = dict(self.uncertain)
        origin = dict(self.origin)
        for given, value in values.items():
            key = _constant_key(given, constants, self.model, self.path, "parameters")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise UserInputError(
                    f"expected a number, got {type(value).__name__} {value!r}",
                    file=str(self.path),
                    field=f"parameters.{given}",
                )
            if not math.isfinite(value):
                raise UserInputError(
                    f"expected a finite number, got {value!r}",
                    file=str(self.path),
                    field=f"parameters.{given}",
                )
            canonical_name = constants[key].name
            parameters[canonical_name] = float(value)
            uncertain.pop(canonical_name, None)
            origin[canonical_name] = where
        return replace(
            self, name=new_name, parameters=parameters, uncertain=uncertain, origin=origin
        )


def read_scenario_file(path: str | Path) -> ScenarioFile:
    """Read and validate one file (its ``extends`` is not followed)."""
    path = Path(path)
    data = read_toml(path)
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(exc, str(path)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file, follow its ``extends`` chain, and check every name against the
    model, so that a bad file fails here and not halfway through a run."""
    path = Path(path)
    return _resolve(path, _chain(path))


def scenario_from_dict(
    data: Mapping[str, Any], *, name: str = "scenario", base: str | Path = "."
) -> Scenario:
    """A scenario from a dict laid out as a scenario file (``model`` or ``extends``,
    ``parameters``, ``inputs``, ``uncertain``, …); relative paths are taken from ``base``.

    >>> scenario_from_dict({"extends": "scenarios/plan.toml",
    ...                     "parameters": {"firm_exit_rate": 0.08}}, name="exits")
    """
    where = Path(base) / f"<dict {name}>"
    try:
        spec = ScenarioFile.model_validate({"name": name, **dict(data)})
    except ValidationError as exc:
        raise _pydantic_error(exc, str(where)) from None
    chain = [(where, spec)]
    parent = _extended(where, spec)
    if parent is not None:
        chain = [*_chain(parent), (where, spec)]
    scenario = _resolve(where, chain)
    return replace(scenario, files=scenario.files[1:])


def _resolve(path: Path, chain: list[tuple[Path, ScenarioFile]]) -> Scenario:
    """The scenario of ``chain`` (root first, ``path`` last)."""
    scenario_name = _name(chain[-1][1].name, path)
    model_file, model_spec = _model_spec(chain)
    model_path = _model_path(model_file, model_spec)
    model = expand(resolve_model(str(model_path)))  # arrays: scenarios set elements x[e]
    constants = {c.key: c for c in model.constants}
    kinds: dict[str, tuple[str, Any]] = {}
    origin: dict[str, Path] = {}
    method, dt, targets = model.time.method, model.time.dt, None
    for file, spec in chain:
        for kind in ("parameters", "inputs", "uncertain"):
            for name, value in getattr(spec, kind).items():
                key = _constant_key(name, constants, model, file, kind)
                kinds[key] = (kind, value)
                origin[key] = file
        if spec.method is not None:
            method = _method(spec.method, file)
        if spec.dt is not None:
            dt = spec.dt
        if spec.targets is not None:
            targets = _relative(file, spec.targets)
    inputs = {constants[k].name: v for k, v in _of_kind(kinds, "inputs")}
    for name, spec in inputs.items():
        _check_input_times(name, spec, model, origin[canonical(name)])
    for name, spec in inputs.items():
        key = canonical(name)
        model = model.with_variable(spec.variable(constants[key], str(origin[key])))
    compiled = _compile(model, inputs, origin)
    _check_time(model, dt, path)
    _check_ranges(kinds, constants, origin)
    return Scenario(
        name=scenario_name,
        path=path,
        description=chain[-1][1].description,
        files=tuple(file for file, _ in reversed(chain)),
        model_path=model_path,
        compiled=compiled,
        parameters={constants[k].name: float(v) for k, v in _of_kind(kinds, "parameters")},
        inputs=inputs,
        uncertain={constants[k].name: v for k, v in _of_kind(kinds, "uncertain")},
        method=method,
        dt=float(dt),
        targets_path=targets or _default_targets(model_path),
        origin={constants[k].name: f for k, f in origin.items()},
    )


def _name(given: str | None, path: Path) -> str:
    """The scenario's name names its results folder: the file's stem must be a safe one too."""
    if given is not None:
        return given
    try:
        return file_name(path.stem, "scenario name")
    except ValueError as exc:
        raise UserInputError(
            f"{exc} (taken from the file name; rename the file or set name = ...)",
            file=str(path),
            field="name",
        ) from None


def _of_kind(kinds: dict[str, tuple[str, Any]], kind: str) -> list[tuple[str, Any]]:
    return [(key, value) for key, (k, value) in kinds.items() if k == kind]


# -- the extends chain ----------------------------------------------------------------------
def _chain(path: Path) -> list[tuple[Path, ScenarioFile]]:
    files: list[tuple[Path, ScenarioFile]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        real = current.resolve()
        if real in seen:
            loop = " -> ".join(p.name for p in [*seen, real])
            raise UserInputError(f"extends cycle: {loop}", file=str(files[-1][0]), field="extends")
        seen.append(real)
        files.append((current, read_scenario_file(current)))
        current = _extended(current, files[-1][1])
    return list(reversed(files))


def _extended(file: Path, spec: ScenarioFile) -> Path | None:
    if spec.extends is None:
        return None
    target = _relative(file, spec.extends)
    if not target.is_file():
        raise UserInputError(f"no such scenario file: {target}", file=str(file), field="extends")
    return target


def _relative(file: Path, text: str) -> Path:
    candidate = Path(text).expanduser()
    return candidate if candidate.is_absolute() else file.parent / candidate


# -- the model ------------------------------------------------------------------------------
def _model_spec(chain: list[tuple[Path, ScenarioFile]]) -> tuple[Path, str]:
    for file, spec in reversed(chain):
        if spec.model is not None:
            return file, spec.model
    raise UserInputError(
        "no model: the scenario (or the one it extends) must name one",
        file=str(chain[-1][0]),
        field="model",
    )


def _model_path(file: Path, spec: str) -> Path:
    """A bare name is a shipped model; anything with a suffix or a slash is a path."""
    looks_like_path = "/" in spec or "\\" in spec or Path(spec).suffix != ""
    if not looks_like_path:
        if spec not in shipped_model_names():
            known = ", ".join(shipped_model_names())
            raise UserInputError(
                f"no shipped model {spec!r} (shipped: {known}); give a file path to use your own",
                file=str(file),
                field="model",
            )
        return shipped_model_path(spec)
    path = _relative(file, spec)
    if not path.is_file():
        raise UserInputError(f"no such model file: {path}", file=str(file), field="model")
    return path


def _default_targets(model_path: Path | None) -> Path | None:
    if model_path is None:
        return None
    candidate = model_path.with_name(f"{model_path.stem}_targets.toml")
    return candidate if candidate.is_file() else None


def _constant_key(
    name: str, constants: dict[str, Constant], model: Model, file: Path, kind: str
) -> str:
    key = canonical(name)
    if key in constants:
        return key
    where = f"{kind}.{name}"
    if key in model:
        what = type(model[key]).__name__.lower()
        raise UserInputError(
            f"{name!r} is a {what} of model {model.name!r}, not a constant; only constants can "
            "be set",
            file=str(file),
            field=where,
        )
    close = difflib.get_close_matches(key, list(constants), n=1, cutoff=0.6)
    hint = f"; did you mean {constants[close[0]].name!r}?" if close else ""
    raise UserInputError(
        f"no constant named {name!r} in model {model.name!r}{hint}", file=str(file), field=where
    )


def _method(name: str, file: Path) -> str:
    try:
        return get_integrator(name).name
    except UserInputError as exc:
        raise UserInputError(exc.reason, file=str(file), field="method") from None


def _compile(model: Model, inputs: dict[str, TimeInput], origin: dict[str, Path]) -> CompiledModel:
    for name, spec in inputs.items():
        if spec.equation is not None:
            try:
                parse(spec.equation, name)
            except ParseError as exc:
                raise UserInputError(
                    exc.reason, file=str(origin[canonical(name)]), field=f"inputs.{name}"
                ) from None
    try:
        return compile_model(model)
    except ModelError as exc:
        key = canonical(exc.field or "")
        if key in origin and any(canonical(n) == key for n in inputs):
            where = f"inputs.{exc.field}"
            raise UserInputError(exc.reason, file=str(origin[key]), field=where) from None
        raise


def _check_input_times(name: str, spec: TimeInput, model: Model, file: Path) -> None:
    """A table none of whose times falls within the run (``times = [18, 19]`` meant as
    2018 and 2019) would hold one value throughout: almost certainly a mistake."""
    if spec.times is None:
        return
    start, stop = model.time.start, model.time.stop
    if not any(start <= t <= stop for t in spec.times):
        raise UserInputError(
            f"none of the times ({spec.times[0]:g} to {spec.times[-1]:g}) falls within the "
            f"run ({start:g} to {stop:g}); times are in the model's time units",
            file=str(file),
            field=f"inputs.{name}",
        )


def _check_time(model: Model, dt: float, path: Path) -> None:
    if model.time.stop_variable is not None:  # targets, batches and fits read one time axis
        raise UserInputError(
            f"the model's final time moves during the run ({model.time.stop_variable!r}); "
            "scenarios need a fixed one (run the model itself with sim simulate)",
            file=str(path),
            field="model",
        )
    span = model.time.stop - model.time.start
    if not math.isfinite(dt) or dt <= 0 or dt > span:
        raise UserInputError(
            f"dt must be positive and at most the run's length ({span:g}), got {dt:g}",
            file=str(path),
            field="dt",
        )
    try:
        time_steps(model.time.start, model.time.stop, dt)
    except UserInputError as exc:
        raise exc.located(str(path)) from None


def _check_ranges(
    kinds: dict[str, tuple[str, Any]], constants: dict[str, Constant], origin: dict[str, Path]
) -> None:
    """Warn (`OutOfRangeWarning`) of each parameter, and each distribution's support, that
    leaves its constant's declared range, naming the file that set it."""
    for key, (kind, value) in kinds.items():
        constant = constants[key]
        if kind == "parameters":
            why = value_outside(constant, value)
        elif kind == "uncertain":
            why = distribution_outside(constant, value)
        else:
            continue
        if why is not None:
            warn_out_of_range(f"{origin[key]}: {kind}.{constant.name}: {why}", stacklevel=3)


# -- errors ---------------------------------------------------------------------------------
_ALLOWED = {
    (): set(ScenarioFile.model_fields),
    ("inputs",): set(TimeInput.model_fields),
}


def _pydantic_error(exc: ValidationError, file: str) -> UserInputError:
    """The first pydantic error as one line: file, dotted field, reason."""
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    tags = ("uniform", "triangular", "truncnormal", "lognormal", "choice")
    loc = [p for p in loc if p not in tags]
    reason = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        parent = ("inputs",) if loc[:1] == ["inputs"] and len(loc) == 3 else ()
        allowed = _ALLOWED.get(parent)
        if allowed is not None:
            close = difflib.get_close_matches(loc[-1], sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            reason = f"unknown key {loc[-1]!r}{hint} (allowed: {', '.join(sorted(allowed))})"
        else:
            reason = f"unknown key {loc[-1]!r}"
    elif first["type"] == "union_tag_invalid":
        reason = f"unknown dist {first['input'].get('dist')!r}; expected one of {', '.join(tags)}"
    elif first["type"] == "union_tag_not_found":
        reason = f"missing 'dist'; expected one of {', '.join(tags)}"
    elif first["type"] in ("float_type", "string_type", "dict_type", "list_type"):
        reason = f"{reason}, got {type(first['input']).__name__} {first['input']!r}"
    return UserInputError(reason, file=file, field=".".join(loc) or None)


def _check_name(name: str) -> None:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", name) or len(name) > 80:
        raise UserInputError(
            f"a scenario name is letters, digits, '_', '.' and '-' (at most 80), got {name!r}",
            field="name",
        )
