"""The native model format: TOML, one table per variable, comments welcome.

```toml
[model]
name = "teacup"
doc = "Newton's law of cooling."

[time]                      # start, stop, dt, method, units, save_step
start = 0
stop = 30
dt = 0.125

[stocks.teacup_temperature]
initial = "180"             # an equation, or a number
outflows = ["heat_loss"]    # also: inflows, non_negative, units, doc, source

[flows.heat_loss]
equation = "(teacup_temperature - room_temperature) / characteristic_time"

[auxiliaries.gap]           # equation, units, doc, source, graphical = {x, y, kind} or {xscale, y},
                            # helper = true (any variable: run, but not reported unless named)
equation = "teacup_temperature - room_temperature"

[constants.room_temperature]
value = 70
units = "degF"
source = "assumption"       # also: doc, range = [lo, hi]

[lookups.effect]            # called as effect(x) in equations
x = [0, 1, 2]
y = [1, 0.8, 0.5]

[units]                     # units of the model's own, for `sim check-units`
persons = { aliases = ["person", "people"] }   # a base unit and its synonyms
"万人" = { equation = "10000 persons" }         # a unit defined from others
```
"""

from __future__ import annotations

import math
import os
import tomllib
from pathlib import Path
from typing import Any

from .errors import ModelError
from .inputfile import read_input_text
from .model import (
    Auxiliary,
    Constant,
    Flow,
    GraphicalFunction,
    Lookup,
    Model,
    Stock,
    TimeSpec,
    UnitDefinition,
    Variable,
    check_runnable,
)
from .outputs import write_text_atomic

__all__ = ["dumps_model", "load_model", "loads_model", "save_model"]

_SECTIONS = {"model", "time", "stocks", "flows", "auxiliaries", "constants", "lookups", "units"}
_TIME_FIELDS = {"start", "stop", "dt", "method", "units", "save_step", "stop_variable"}
_COMMON = {"units", "doc", "source", "helper"}
_FIELDS = {
    "stocks": _COMMON | {"initial", "inflows", "outflows", "non_negative"},
    "flows": _COMMON | {"equation", "non_negative", "graphical"},
    "auxiliaries": _COMMON | {"equation", "graphical"},
    "constants": _COMMON | {"value", "range"},
    "lookups": _COMMON | {"x", "y", "xscale", "kind"},
}
_KINDS = ("continuous", "extrapolate", "discrete")


def load_model(path: str | os.PathLike, *, validate: bool = True) -> Model:
    """Read a TOML model file and (unless told not to) check that it compiles; errors name the
    file, the field and the reason."""
    path = Path(path)
    text = read_input_text(path, ModelError)
    try:
        model = loads_model(text)
        if validate:
            from .compiler import compile_model

            check_runnable(model, "time")
            compile_model(model)
        return model
    except ModelError as exc:
        raise exc.located(str(path)) from None


def loads_model(text: str) -> Model:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"not valid TOML: {exc}") from None
    _check_keys(data, _SECTIONS, "")
    head = data.get("model", {})
    _check_keys(head, {"name", "doc"}, "model")
    time = data.get("time", {})
    _check_keys(time, _TIME_FIELDS, "time")
    variables: list[Variable] = []
    for section, build in _BUILDERS.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise ModelError(
                f"must be a table of variables, not {type(table).__name__}", field=section
            )
        for name, spec in table.items():
            where = f"{section}.{name}"
            if not isinstance(spec, dict):
                raise ModelError("must be a table", field=where)
            _check_keys(spec, _FIELDS[section], where)
            variables.append(build(name, spec, where))
    return Model(
        name=_text(head, "name", "model", default="model"),
        doc=_text(head, "doc", "model"),
        time=_time(time),
        variables=tuple(variables),
        units=_units(data.get("units", {})),
    )


def save_model(model: Model, path: str | os.PathLike) -> None:
    """Write ``model`` as TOML, atomically (a temporary file renamed into place)."""
    write_text_atomic(path, dumps_model(model))


def dumps_model(model: Model) -> str:
    """``model`` as TOML text; the format has no arrays, so an arrayed model is written as
    the scalar model of its elements (`sim.arrays.expand`), which runs the same."""
    import tomli_w

    from .arrays import expand

    model = expand(model)

    data: dict[str, Any] = {"model": {"name": model.name}}
    if model.doc:
        data["model"]["doc"] = model.doc
    time = {k: getattr(model.time, k) for k in ("start", "stop", "dt", "method", "units")}
    if model.time.save_step is not None:
        time["save_step"] = model.time.save_step
    if model.time.stop_variable is not None:
        time["stop_variable"] = model.time.stop_variable
    data["time"] = {k: v for k, v in time.items() if v != ""}
    for variable in model.variables:
        section, spec = _dump_variable(variable)
        data.setdefault(section, {})[variable.name] = spec
    if model.units:
        data["units"] = {u.name: _dump_unit(u) for u in model.units}
    return tomli_w.dumps(data)


# -- reading -----------------------------------------------------------------------------
def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise ModelError(f"unknown key {key!r} (allowed: {hint})", field=where or key)


def _text(spec: dict, key: str, where: str, default: str = "") -> str:
    value = spec.get(key, default)
    if not isinstance(value, str):
        raise ModelError(f"must be text, not {type(value).__name__}", field=f"{where}.{key}")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelError(f"must be a number, not {type(value).__name__}", field=where)
    if not math.isfinite(value):
        raise ModelError("must be a finite number", field=where)
    return float(value)


def _flag(spec: dict, key: str, where: str) -> bool:
    value = spec.get(key, False)
    if not isinstance(value, bool):
        raise ModelError("must be true or false", field=f"{where}.{key}")
    return value


def _equation(spec: dict, key: str, where: str, required: bool = True) -> str:
    if key not in spec:
        if required:
            raise ModelError(f"missing {key!r}", field=where)
        return "0"
    value = spec[key]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(_number(value, f"{where}.{key}"))
    if not isinstance(value, str) or not value.strip():
        raise ModelError("must be an equation (text) or a number", field=f"{where}.{key}")
    return value


def _names(spec: dict, key: str, where: str) -> tuple[str, ...]:
    value = spec.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ModelError("must be a list of flow names", field=f"{where}.{key}")
    return tuple(value)


def _numbers(value: Any, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or not value:
        raise ModelError("must be a non-empty list of numbers", field=where)
    return tuple(_number(v, where) for v in value)


def _graphical(spec: dict, where: str) -> GraphicalFunction:
    kind = spec.get("kind", "continuous")
    if kind not in _KINDS:
        raise ModelError(f"kind must be one of {', '.join(_KINDS)}", field=f"{where}.kind")
    if "y" not in spec:
        raise ModelError("missing 'y'", field=where)
    y = _numbers(spec["y"], f"{where}.y")
    if "xscale" in spec:
        bounds = _numbers(spec["xscale"], f"{where}.xscale")
        if len(bounds) != 2:
            raise ModelError("must be [low, high]", field=f"{where}.xscale")
        lo, hi = bounds
        return GraphicalFunction.from_xscale(lo, hi, y, kind)
    if "x" not in spec:
        raise ModelError("needs 'x' or 'xscale'", field=where)
    return GraphicalFunction(_numbers(spec["x"], f"{where}.x"), y, kind)


def _stock(name: str, spec: dict, where: str) -> Stock:
    return Stock(
        name=name,
        initial=_equation(spec, "initial", where),
        inflows=_names(spec, "inflows", where),
        outflows=_names(spec, "outflows", where),
        non_negative=_flag(spec, "non_negative", where),
        **_common(spec, where),
    )


def _flow(name: str, spec: dict, where: str) -> Flow:
    return Flow(
        name=name,
        equation=_equation(spec, "equation", where),
        non_negative=_flag(spec, "non_negative", where),
        graphical=_inline_graphical(spec, where),
        **_common(spec, where),
    )


def _auxiliary(name: str, spec: dict, where: str) -> Auxiliary:
    return Auxiliary(
        name=name,
        equation=_equation(spec, "equation", where),
        graphical=_inline_graphical(spec, where),
        **_common(spec, where),
    )


def _constant(name: str, spec: dict, where: str) -> Constant:
    if "value" not in spec:
        raise ModelError("missing 'value'", field=where)
    bounds = None
    if "range" in spec:
        bounds = _numbers(spec["range"], f"{where}.range")
        if len(bounds) != 2 or bounds[0] > bounds[1]:
            raise ModelError("must be [low, high] with low <= high", field=f"{where}.range")
    return Constant(
        name=name,
        value=_number(spec["value"], f"{where}.value"),
        range=bounds,
        **_common(spec, where),
    )


def _lookup(name: str, spec: dict, where: str) -> Lookup:
    return Lookup(name=name, graphical=_graphical(spec, where), **_common(spec, where))


def _inline_graphical(spec: dict, where: str) -> GraphicalFunction | None:
    if "graphical" not in spec:
        return None
    table = spec["graphical"]
    field = f"{where}.graphical"
    if not isinstance(table, dict):
        raise ModelError("must be a table {x, y, kind} or {xscale, y, kind}", field=field)
    _check_keys(table, {"x", "y", "xscale", "kind"}, field)
    return _graphical(table, field)


def _common(spec: dict, where: str) -> dict[str, Any]:
    return {
        **{key: _text(spec, key, where) for key in _COMMON - {"helper"}},
        "helper": _flag(spec, "helper", where),
    }


def _time(spec: dict) -> TimeSpec:
    values: dict[str, Any] = {}
    for key in ("start", "stop", "dt", "save_step"):
        if key in spec:
            values[key] = _number(spec[key], f"time.{key}")
    for key in ("method", "units", "stop_variable"):
        if key in spec:
            values[key] = _text(spec, key, "time")
    return TimeSpec(**values)


def _units(table: Any) -> tuple[UnitDefinition, ...]:
    if not isinstance(table, dict):
        raise ModelError("must be a table of units", field="units")
    units = []
    for name, spec in table.items():
        where = f"units.{name}"
        if not isinstance(spec, dict):
            raise ModelError("must be a table {equation, aliases} (or {} for a base unit)",
                             field=where)  # fmt: skip
        _check_keys(spec, {"equation", "aliases"}, where)
        aliases = spec.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ModelError("must be a list of unit names", field=f"{where}.aliases")
        units.append(UnitDefinition(name, _text(spec, "equation", where), tuple(aliases)))
    return tuple(units)


_BUILDERS = {
    "stocks": _stock,
    "flows": _flow,
    "auxiliaries": _auxiliary,
    "constants": _constant,
    "lookups": _lookup,
}


# -- writing -----------------------------------------------------------------------------
def _dump_graphical(gf: GraphicalFunction) -> dict[str, Any]:
    return {"x": list(gf.x), "y": list(gf.y), "kind": gf.kind}


def _dump_unit(u: UnitDefinition) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if u.equation:
        spec["equation"] = u.equation
    if u.aliases:
        spec["aliases"] = list(u.aliases)
    return spec


def _dump_variable(v: Variable) -> tuple[str, dict[str, Any]]:
    spec: dict[str, Any]
    match v:
        case Stock():
            section = "stocks"
            spec = {"initial": v.initial, "inflows": list(v.inflows), "outflows": list(v.outflows)}
            if v.non_negative:
                spec["non_negative"] = True
        case Flow():
            section, spec = "flows", {"equation": v.equation}
            if v.non_negative:
                spec["non_negative"] = True
            if v.graphical is not None:
                spec["graphical"] = _dump_graphical(v.graphical)
        case Auxiliary():
            section, spec = "auxiliaries", {"equation": v.equation}
            if v.graphical is not None:
                spec["graphical"] = _dump_graphical(v.graphical)
        case Constant():
            section, spec = "constants", {"value": v.value}
            if v.range is not None:
                spec["range"] = list(v.range)
        case Lookup():
            section, spec = "lookups", _dump_graphical(v.graphical)
    for key in ("units", "doc", "source"):
        if getattr(v, key, ""):
            spec[key] = getattr(v, key)
    if v.helper:
        spec["helper"] = True
    return section, spec
