"""The numeric parts of an XMILE file: graphical functions and the simulation specs.

Kept apart from the reader because they are pure functions of one element each, with their
own quirks: points separated by ``sep``, evenly spread ``<xscale>`` points, the older
``discrete="true"`` spelling, a ``reciprocal`` time step, Stella's save interval.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from ..errors import ModelError
from ..integrators import INTEGRATORS
from ..model import GraphicalFunction, TimeSpec
from .document import ISEE_NS, child, text_of

__all__ = ["graphical_function", "number", "time_spec"]

_KINDS = ("continuous", "extrapolate", "discrete")


def graphical_function(gf: ET.Element, ns: str, where: str) -> GraphicalFunction:
    """The table of a ``<gf>`` element (inline in a variable, or a named one)."""
    kind = (gf.get("type") or "").strip().lower()
    if not kind:
        kind = "discrete" if gf.get("discrete", "").strip().lower() == "true" else "continuous"
    if kind not in _KINDS:
        raise ModelError(f"graphical function type {kind!r} is not one of {_KINDS}", field=where)
    y = _points(gf, ns, "ypts", where)
    if y is None:
        raise ModelError("graphical function without <ypts>", field=where)
    x = _points(gf, ns, "xpts", where)
    if x is not None:
        return GraphicalFunction(x, y, kind)
    scale = child(gf, "xscale", ns)
    if scale is None:
        raise ModelError("graphical function needs <xpts> or <xscale>", field=where)
    lo = number(scale.get("min"), f"{where} xscale min")
    hi = number(scale.get("max"), f"{where} xscale max")
    return GraphicalFunction.from_xscale(lo, hi, y, kind)


def _points(gf: ET.Element, ns: str, tag: str, where: str) -> tuple[float, ...] | None:
    element = child(gf, tag, ns)
    if element is None:
        return None
    items = [s for s in (text_of(element) or "").split(element.get("sep") or ",") if s.strip()]
    if not items:
        raise ModelError(f"empty <{tag}>", field=where)
    return tuple(number(s, f"{where} <{tag}>") for s in items)


def time_spec(specs: ET.Element, ns: str) -> TimeSpec:
    """The time axis of ``<sim_specs>``: start and stop required, dt 1 unless given."""
    values: dict[str, float] = {}
    for tag in ("start", "stop", "dt"):
        element = child(specs, tag, ns)
        if element is None:
            if tag == "dt":
                continue
            raise ModelError(f"missing <{tag}>", field="sim_specs")
        values[tag] = number(text_of(element), f"sim_specs <{tag}>")
        if tag == "dt" and element.get("reciprocal", "").strip().lower() == "true":
            if values[tag] == 0:
                raise ModelError("a reciprocal dt of 0 is not a time step", field="sim_specs <dt>")
            values[tag] = 1.0 / values[tag]
    method = (specs.get("method") or "euler").strip().lower()
    if method not in INTEGRATORS:
        known = ", ".join(INTEGRATORS)
        raise ModelError(
            f"integration method {method!r} is not supported ({known})", field="sim_specs method"
        )
    save = specs.get(f"{{{ISEE_NS}}}save_interval")
    return TimeSpec(
        **values,
        method=method,
        units=specs.get("time_units", ""),
        save_step=None if save is None else number(save, "sim_specs save_interval"),
    )


def number(text: str | None, where: str) -> float:
    """A finite number, or an error that says where."""
    try:
        value = float((text or "").strip())
    except ValueError:
        raise ModelError(f"not a number: {text!r}", field=where) from None
    if not math.isfinite(value):
        raise ModelError(f"not a finite number: {text!r}", field=where)
    return value
