"""Write a `Model` as XMILE 1.0 that Stella, PySD and our reader all load.

Equations are printed from their syntax tree in a portable spelling (see `dialect.to_xmile`).
What XMILE has no element for is kept in elements of our own namespace, which the standard
tells other tools to ignore: a constant's source and range, the model's doc, an equation's
original text when the portable one differs, a number-valued auxiliary that must not become a
constant, and the control auxiliaries (``INITIAL TIME`` = STARTTIME, …) written for PySD's
sake. That is what makes ``read(write(m)) == m`` exact.
"""

from __future__ import annotations

import math
import os
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
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
    arrays = {canonical(n): n for d in model.dimensions for n in (d.name, *d.elements)}
    spellings = arrays | {v.key: v.name for v in model.variables}
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
    if model.doc:
        out.element(2, "sdsim:doc", model.doc)
    out.add(2, "<variables>")
    for variable in model.variables:
        _variable(out, variable, spellings)
    for control in sorted(_controls(model, spellings)):
        name, builtin = CONTROLS[control]
        out.add(3, f'<aux name="{name}">')
        out.element(4, "eqn", builtin)
        out.element(4, "sdsim:kind", "control")
        out.add(3, "</aux>")
    out.add(2, "</variables>")
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


def _variable(out: _Lines, v: Variable, spellings: dict[str, str]) -> None:
    tag = {Stock: "stock", Flow: "flow", Auxiliary: "aux", Constant: "aux", Lookup: "gf"}[type(v)]
    if isinstance(v, Lookup):
        out.add(3, f"<gf name={_attr(v.name)}{_kind(v.graphical)}>")
        _points(out, 4, v.graphical)
    else:
        out.add(3, f"<{tag} name={_attr(v.name)}>")
    _arrays(out, v, f"{tag} {v.name!r}", spellings)
    match v:
        case Stock():
            if v.initial or not v.elements:
                _equation(out, v.initial, f"stock {v.name!r} (initial)", spellings)
            for role, flows in (("inflow", v.inflows), ("outflow", v.outflows)):
                for flow in flows:
                    out.element(4, role, quote_name(flow))
            if v.non_negative:
                out.add(4, "<non_negative/>")
        case Flow() | Auxiliary():
            if v.equation or not v.elements:
                _equation(out, v.equation, f"{tag} {v.name!r}", spellings)
            if isinstance(v, Flow) and v.non_negative:
                out.add(4, "<non_negative/>")
            if v.graphical is not None:
                out.add(4, f"<gf{_kind(v.graphical)}>")
                _points(out, 5, v.graphical)
                out.add(4, "</gf>")
            elif (
                isinstance(v, Auxiliary)
                and v.equation
                and plain_number(v.equation, f"aux {v.name!r}") is not None
            ):
                out.element(4, "sdsim:kind", "auxiliary")
        case Constant():
            if not (v.elements and math.isnan(v.value)):
                out.element(4, "eqn", _number(v.value))
            if v.range is not None:
                lo, hi = v.range
                out.add(4, f'<sdsim:range min="{_number(lo)}" max="{_number(hi)}"/>')
    for key in ("units", "doc"):
        if getattr(v, key):
            out.element(4, key, getattr(v, key))
    if getattr(v, "source", ""):
        out.element(4, "sdsim:source", v.source)
    out.add(3, f"</{tag}>")


def _controls(model: Model, spellings: dict[str, str]) -> set[str]:
    used: set[str] = set()
    for v in model.variables:
        texts = (getattr(v, "initial", None), getattr(v, "equation", None))
        for text in (*texts, *(t for _, t in v.elements)):
            if text:
                used |= controls_used(text, v.name, spellings)
    return used


def _equation(
    out: _Lines, text: str, where: str, spellings: dict[str, str], depth: int = 4
) -> None:
    portable = to_xmile(parse_equation(text, where), spellings)
    out.element(depth, "eqn", portable)
    if portable != text:
        out.element(depth, "sdsim:eqn", text)


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


def _arrays(out: _Lines, v: Variable, where: str, spellings: dict[str, str]) -> None:
    """An arrayed variable's ``<dimensions>`` and its ``<element>`` equations and tables."""
    if not v.dims:
        return
    out.add(4, "<dimensions>")
    for dim in v.dims:
        out.add(5, f"<dim name={_attr(dim)}/>")
    out.add(4, "</dimensions>")
    for subscript, text in v.elements:
        out.add(4, f"<element subscript={_attr(', '.join(subscript))}>")
        _equation(out, text, f"{where} [{', '.join(subscript)}]", spellings, depth=5)
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
