"""Write a `Model` as XMILE 1.0 that Stella, PySD and our reader all load.

Equations are printed from their syntax tree in a portable spelling (see `dialect.to_xmile`).
What XMILE has no element for is kept in ONE element of our own namespace per model,
``<sdsim:roundtrip>`` after ``<variables>``: the model's doc, and per variable (by name) its
source and range, its equation's original text when the portable one differs, whether a
number-valued auxiliary must stay an auxiliary, and which auxiliaries are the controls
(``INITIAL TIME`` = STARTTIME, …) written for PySD's sake. Everything sits in attributes of
that block, so a reader that ignores namespaces (Simlin) sees no second ``<eqn>`` or
``<doc>``, just one unknown element; that is what makes ``read(write(m)) == m`` exact while
PySD and Simlin run the same file.
"""

from __future__ import annotations

import math
import os
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
from ..errors import ModelError
from ..expr import Number
from ..model import (
    Auxiliary,
    Constant,
    Flow,
    GraphicalFunction,
    Lookup,
    Model,
    Stock,
    UnitDefinition,
    Variable,
)
from ..names import canonical
from ..outputs import write_text_atomic
from .dialect import CONTROLS, controls_used, parse_equation, plain_number, quote_name, to_xmile
from .document import ISEE_NS, OASIS_NS, SDSIM_NS

__all__ = ["write_xmile", "writes_xmile"]

_INDENT = "  "
_TEXT_ENTITIES = {"\r": "&#13;"}
_ATTR_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def write_xmile(model: Model, path: str | os.PathLike) -> None:
    """Write ``model`` to ``path`` atomically (a temporary file renamed into place)."""
    write_text_atomic(path, writes_xmile(model))


def writes_xmile(model: Model) -> str:
    """``model`` as XMILE text."""
    if model.time.stop_variable is not None:  # XMILE's <stop> is a number
        raise ModelError(
            "a final time that changes during the run has no XMILE form; export to TOML",
            field=model.time.stop_variable,
        )
    arrays = {canonical(n): n for d in model.dimensions for n in (d.name, *d.elements)}
    spellings = arrays | {v.key: v.name for v in model.variables}
    calls = _LookupCalls(model, spellings)
    out = _Lines()
    out.add(0, '<?xml version="1.0" encoding="utf-8"?>')
    out.add(0, f'<xmile version="1.0" xmlns="{OASIS_NS}" xmlns:isee="{ISEE_NS}" '
               f'xmlns:sdsim="{SDSIM_NS}">')  # fmt: skip
    out.add(1, "<header>")
    out.element(2, "vendor", "sdsim")
    out.add(2, f'<product version="{__version__}" lang="en">sdsim</product>')
    out.element(2, "name", model.name)
    out.add(1, "</header>")
    _sim_specs(out, model)
    _model_units(out, model.units)
    _dimensions(out, model)
    out.add(1, "<model>")
    out.add(2, "<variables>")
    kept: list[dict[str, str]] = []
    flows = {canonical(f) for v in model.variables for f in _flows(v)}
    for variable in model.variables:
        kept.append(_variable(out, variable, spellings, calls))
        if isinstance(variable, Auxiliary | Constant) and variable.key in flows:
            kept[-1]["kind"] = type(variable).__name__.lower()  # else read back as a flow
    for key, arg, name in calls.helpers():
        table = model[key]
        out.add(3, f"<aux name={_attr(name)}>")
        out.element(4, "eqn", arg)
        _gf(out, table.graphical)
        if table.units:
            out.element(4, "units", table.units)
        out.add(3, "</aux>")
        kept.append({"name": name, "kind": "helper", "of": table.name, "at": arg})
    for control in sorted(_controls(model, spellings)):
        name, builtin = CONTROLS[control]
        out.add(3, f'<aux name="{name}">')
        out.element(4, "eqn", builtin)
        out.add(3, "</aux>")
        kept.append({"name": name, "kind": "control"})
    out.add(2, "</variables>")
    _roundtrip(out, model, kept)
    out.add(1, "</model>")
    out.add(0, "</xmile>")
    return out.text()


class _Lines:
    def __init__(self):
        self.lines: list[str] = []

    def add(self, depth: int, line: str) -> None:
        self.lines.append(_INDENT * depth + line)

    def element(self, depth: int, tag: str, text: str, attrs: str = "") -> None:
        self.add(depth, f"<{tag}{attrs}>{escape(text, _TEXT_ENTITIES)}</{tag}>")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _number(value: float) -> str:
    return to_xmile(Number(float(value)), {})


def _attr(value: str) -> str:
    return quoteattr(value, _ATTR_ENTITIES)


def _sim_specs(out: _Lines, model: Model) -> None:
    time = model.time
    method = "Euler" if time.method.lower() == "euler" else time.method.upper()
    attrs = f" method={_attr(method)}"
    if time.units:
        attrs += f" time_units={_attr(time.units)}"
    if time.save_step is not None:
        attrs += f' isee:save_interval="{_number(time.save_step)}"'
    out.add(1, f"<sim_specs{attrs}>")
    for tag in ("start", "stop", "dt"):
        out.element(2, tag, _number(getattr(time, tag)))
    out.add(1, "</sim_specs>")


def _model_units(out: _Lines, units: tuple[UnitDefinition, ...]) -> None:
    """XMILE's ``<model_units>``: each unit with its defining equation and its aliases."""
    if not units:
        return
    out.add(1, "<model_units>")
    for unit in units:
        out.add(2, f"<unit name={_attr(unit.name)}>")
        if unit.equation:
            out.element(3, "eqn", unit.equation)
        for alias in unit.aliases:
            out.element(3, "alias", alias)
        out.add(2, "</unit>")
    out.add(1, "</model_units>")


class _LookupCalls:
    """The export's name for each distinct call ``table(x)`` (x as printed): an auxiliary
    with ``<eqn>x</eqn>`` and the table's ``<gf>``, which PySD and Simlin both evaluate. The
    first argument a table is called with takes the table's own name; any other one gets a
    helper auxiliary with a fresh name, which our reader drops again."""

    def __init__(self, model: Model, spellings: dict[str, str]):
        self.spellings = spellings
        self.taken = set(spellings)
        self.names: dict[tuple[str, str], str] = {}
        self.first: dict[str, str] = {}  # table key -> the argument its own name stands for
        for v in model.variables:  # one pass to see every call before writing any table
            texts = (getattr(v, "initial", None), getattr(v, "equation", None))
            for text in (*texts, *(t for _, t in v.elements)):
                if text:
                    to_xmile(parse_equation(text, v.name), spellings, self)

    def __call__(self, key: str, arg: str) -> str:
        name = self.names.get((key, arg))
        if name is None:
            name = self.spellings[key]
            if key in self.first:
                n = 2
                while canonical(f"{name} {n}") in self.taken:
                    n += 1
                name = f"{name} {n}"
            else:
                self.first[key] = arg
            self.taken.add(canonical(name))
            self.names[(key, arg)] = name
        return name

    def helpers(self) -> list[tuple[str, str, str]]:
        """``(table key, argument, name)`` of each call that needs a helper auxiliary."""
        return [(k, a, n) for (k, a), n in self.names.items() if self.first[k] != a]


def _variable(
    out: _Lines, v: Variable, spellings: dict[str, str], calls: _LookupCalls
) -> dict[str, str]:
    """Write ``v`` in standard XMILE; return what only our reader needs (see `_roundtrip`)."""
    kept = {"name": v.name}
    tag = {Stock: "stock", Flow: "flow", Auxiliary: "aux", Constant: "aux", Lookup: "gf"}[type(v)]
    if isinstance(v, Lookup) and v.key in calls.first:
        tag = "aux"
        out.add(3, f"<aux name={_attr(v.name)}>")
        out.element(4, "eqn", calls.first[v.key])
        _gf(out, v.graphical)
        kept |= {"kind": "lookup", "at": calls.first[v.key]}
    elif isinstance(v, Lookup):
        out.add(3, f"<gf name={_attr(v.name)}{_kind(v.graphical)}>")
        _points(out, 4, v.graphical)
    else:
        out.add(3, f"<{tag} name={_attr(v.name)}>")
    _arrays(out, v, f"{tag} {v.name!r}", spellings, calls, kept)
    match v:
        case Stock():
            if v.initial or not v.elements:
                _equation(out, v.initial, f"stock {v.name!r} (initial)", spellings, calls, kept)
            for role, flows in (("inflow", v.inflows), ("outflow", v.outflows)):
                for flow in flows:
                    out.element(4, role, quote_name(flow))
            if v.non_negative:
                out.add(4, "<non_negative/>")
        case Flow() | Auxiliary():
            if v.equation or not v.elements:
                _equation(out, v.equation, f"{tag} {v.name!r}", spellings, calls, kept)
            if isinstance(v, Flow) and v.non_negative:
                out.add(4, "<non_negative/>")
            if v.graphical is not None:
                _gf(out, v.graphical)
            elif (
                isinstance(v, Auxiliary)
                and v.equation
                and plain_number(v.equation, f"aux {v.name!r}") is not None
            ):
                kept["kind"] = "auxiliary"
        case Constant():
            if not (v.elements and math.isnan(v.value)):
                out.element(4, "eqn", _number(v.value))
            if v.range is not None:
                lo, hi = v.range
                kept |= {"min": _number(lo), "max": _number(hi)}
    for key in ("units", "doc"):
        if getattr(v, key):
            out.element(4, key, getattr(v, key))
    if getattr(v, "source", ""):
        kept["source"] = v.source
    if v.helper:
        kept["helper"] = "true"
    out.add(3, f"</{tag}>")
    return kept


def _roundtrip(out: _Lines, model: Model, kept: list[dict[str, str]]) -> None:
    """The one ``<sdsim:roundtrip>`` block: the model's doc, and a ``<sdsim:var>`` with
    attributes for each variable that has more than a name to keep."""
    kept = [k for k in kept if len(k) > 1]
    if not kept and not model.doc:
        return
    doc = f" doc={_attr(model.doc)}" if model.doc else ""
    out.add(2, f"<sdsim:roundtrip{doc}>")
    for k in kept:
        parts = {key[4:-1]: text for key, text in k.items() if key.startswith("eqn[")}
        attrs = " ".join(f"{key}={_attr(v)}" for key, v in k.items() if not key.startswith("eqn["))
        if not parts:
            out.add(3, f"<sdsim:var {attrs}/>")
            continue
        out.add(3, f"<sdsim:var {attrs}>")
        for subscript, text in parts.items():  # an arrayed variable's element equations
            out.add(4, f"<sdsim:element subscript={_attr(subscript)} eqn={_attr(text)}/>")
        out.add(3, "</sdsim:var>")
    out.add(2, "</sdsim:roundtrip>")


def _flows(v: Variable) -> tuple[str, ...]:
    return (*v.inflows, *v.outflows) if isinstance(v, Stock) else ()


def _controls(model: Model, spellings: dict[str, str]) -> set[str]:
    used: set[str] = set()
    for v in model.variables:
        texts = (getattr(v, "initial", None), getattr(v, "equation", None))
        for text in (*texts, *(t for _, t in v.elements)):
            if text:
                used |= controls_used(text, v.name, spellings)
    return used


def _equation(
    out: _Lines,
    text: str,
    where: str,
    spellings: dict[str, str],
    calls: _LookupCalls,
    kept: dict[str, str],
    *,
    depth: int = 4,
    key: str = "eqn",
) -> None:
    """``<eqn>`` in the spelling every reader parses; the original text, when it differs,
    under ``key`` of what our reader keeps (``eqn[a,b]`` for an element's)."""
    portable = to_xmile(parse_equation(text, where), spellings, calls)
    out.element(depth, "eqn", portable)
    if portable != text:
        kept[key] = text


def _gf(out: _Lines, gf: GraphicalFunction) -> None:
    out.add(4, f"<gf{_kind(gf)}>")
    _points(out, 5, gf)
    out.add(4, "</gf>")


def _dimensions(out: _Lines, model: Model) -> None:
    """XMILE's ``<dimensions>``: each with its elements (and our mappings, which XMILE lacks)."""
    if not model.dimensions:
        return
    out.add(1, "<dimensions>")
    for dim in model.dimensions:
        out.add(2, f"<dim name={_attr(dim.name)}>")
        for element in dim.elements:
            out.add(3, f"<elem name={_attr(element)}/>")
        for other, targets in dim.maps_to:
            out.element(3, "sdsim:map", ",".join(targets), f" to={_attr(other)}")
        out.add(2, "</dim>")
    out.add(1, "</dimensions>")


def _arrays(
    out: _Lines,
    v: Variable,
    where: str,
    spellings: dict[str, str],
    calls: _LookupCalls,
    kept: dict[str, str],
) -> None:
    """An arrayed variable's ``<dimensions>`` and its ``<element>`` equations and tables."""
    if not v.dims:
        return
    out.add(4, "<dimensions>")
    for dim in v.dims:
        out.add(5, f"<dim name={_attr(dim)}/>")
    out.add(4, "</dimensions>")
    for subscript, text in v.elements:
        label = ", ".join(subscript)
        out.add(4, f"<element subscript={_attr(label)}>")
        key = f"eqn[{','.join(subscript)}]"
        _equation(out, text, f"{where} [{label}]", spellings, calls, kept, depth=5, key=key)
        out.add(4, "</element>")
    for subscript, table in getattr(v, "tables", ()):
        out.add(4, f"<element subscript={_attr(', '.join(subscript))}>")
        out.add(5, f"<gf{_kind(table)}>")
        _points(out, 6, table)
        out.add(5, "</gf>")
        out.add(4, "</element>")


def _kind(gf: GraphicalFunction) -> str:
    return f" type={_attr(gf.kind)}"


def _points(out: _Lines, depth: int, gf: GraphicalFunction) -> None:
    out.element(depth, "xpts", ",".join(_number(x) for x in gf.x))
    out.element(depth, "ypts", ",".join(_number(y) for y in gf.y))
