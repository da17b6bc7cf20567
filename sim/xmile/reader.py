"""Read an XMILE 1.0 file into a `Model`.

Arrays are read as they are written: ``<dimensions>`` of the file (named elements or a
``size``), a variable's ``<dimensions>``, its apply-to-all ``<eqn>`` and element-wise
``<element subscript="a, b">`` equations and graphical functions; `sim.arrays` expands them.
What a `Model` cannot hold (macros with stocks, conveyors, queues, ovens) is refused with one
`ModelError` that names the element and the variable, so that no model runs silently wrong;
expression macros are inlined where they are called (see `macros`), modules flattened into
one model (see `modules`).
Display-only content (views, styles, scales, vendor elements) is ignored.
"""

from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from ..errors import ModelError
from ..expr import Call, Name, fold, rebuild, unparse, walk
from ..inputfile import read_input_bytes
from ..model import (
    Auxiliary,
    Constant,
    Dimension,
    Flow,
    Lookup,
    Model,
    Stock,
    TimeSpec,
    UnitDefinition,
    Variable,
    check_runnable,
)
from ..names import canonical
from .dialect import parse_equation, plain_number, to_engine, to_xmile
from .document import SDSIM_NS, child, children, local, namespace, parse_document, text_of
from .macros import expand, read_macros
from .modules import flat_variables
from .specs import graphical_function, number, time_spec

__all__ = ["read_xmile", "reads_xmile"]

_ESCAPE = re.compile(r'\\(["\\])')  # \" and \\ inside a quoted name
_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"']([\w.-]+)[\"']")
_LEGACY_VARIABLES = {"stock", "flow", "aux", "gf", "module", "group"}
_UNSUPPORTED = {  # child element -> what it makes of its variable
    "conveyor": "conveyors",
    "queue": "queues",
    "oven": "ovens",
    "leak": "conveyor leakage flows",
    "leak_integers": "conveyor leakage flows",
    "overflow": "queue overflow flows",
}


def read_xmile(path: str | os.PathLike, *, validate: bool = True) -> Model:
    """The model of the XMILE file at ``path``, checked to compile unless told not to (as
    `load_model` does); errors name the file, the variable and the reason."""
    path = Path(path)
    data = read_input_bytes(path, ModelError)
    declared = _DECLARED_ENCODING.match(data)
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        text = data.decode("utf-8-sig" if encoding.lower() in {"utf-8", "utf8"} else encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot decode as {encoding}: {exc}", file=str(path)) from None
    try:
        model = reads_xmile(text, name=path.stem)
        if validate:
            from ..compiler import compile_model

            check_runnable(model, "sim_specs")
            compile_model(model)
        return model
    except ModelError as exc:
        raise exc.located(str(path)) from None


def reads_xmile(text: str, name: str = "model") -> Model:
    """The model of XMILE ``text``; ``name`` is used when the header gives none."""
    return _Reader(parse_document(text)).model(name)


@dataclass(frozen=True)
class _Raw:
    """One variable element, before its equations are translated."""

    kind: str
    name: str
    element: ET.Element

    @property
    def where(self) -> str:
        return f"{self.kind} {self.name!r}"


class _Reader:
    def __init__(self, root: ET.Element):
        self.root = root
        self.ns = namespace(root.tag)
        self.main = self._main_model()
        self.kept = _roundtrip(self.main)
        self.calls = {  # (table key, argument) -> the auxiliary our export wrote for it
            (canonical(k.get("of", k["name"])), k["at"]): k["name"]
            for k in self.kept.values()
            if k.get("kind") in {"lookup", "helper"} and "at" in k and "name" in k
        }
        self.raws = self._variables()
        self.spellings = {canonical(r.name): r.name for r in self.raws}
        self.macros = read_macros(root, self.ns)
        self.dimensions = self._dimensions()
        self.dimension_names = {canonical(d.name): d.name for d in self.dimensions}
        arrays = {canonical(n): n for d in self.dimensions for n in (d.name, *d.elements)}
        self.spellings = arrays | self.spellings  # as the writer spells equations

    def all(self, name: str, element: ET.Element) -> list[ET.Element]:
        return children(element, name, self.ns)

    def one(self, name: str, element: ET.Element) -> ET.Element | None:
        return child(element, name, self.ns)

    # -- structure ---------------------------------------------------------------------
    def _main_model(self) -> ET.Element:
        models = self.all("model", self.root)
        if not models:
            raise ModelError("no <model> element", field="xmile")
        if len(models) == 1:
            return models[0]
        unnamed = [m for m in models if "name" not in m.attrib]
        if len(unnamed) != 1:
            raise ModelError(
                f"{len(models)} <model> elements and no single main (unnamed) one: modules "
                "need the main model to hold them",
                field="xmile",
            )
        return unnamed[0]

    def _variables(self) -> list[_Raw]:
        block = self.one("variables", self.main)
        if block is None:  # STELLA 10's pre-standard files: variables right under <model>
            elements = [e for e in self.main if local(e.tag) in _LEGACY_VARIABLES]
        elif any(local(e.tag) == "module" for e in block):
            elements = flat_variables(self.root, self.ns, self.main)
        else:
            elements = list(block)
        raws: list[_Raw] = []
        seen: dict[str, str] = {}
        for element in elements:
            if namespace(element.tag) != self.ns or local(element.tag) == "group":
                continue  # vendor extensions and display groups carry no equations
            kind = local(element.tag)
            label = element.get("name", "")
            if kind not in {"stock", "flow", "aux", "gf"}:
                raise ModelError(f"unknown variable element <{kind}>", field=f"{kind} {label!r}")
            if not label.strip():
                raise ModelError("a variable needs a name attribute", field=f"<{kind}>")
            raw = _Raw(kind, label.replace("\\n", " ").strip(), element)
            if self._kept(raw, "kind") in {"control", "helper"}:
                continue  # our export's INITIAL TIME = STARTTIME, table calls (see the writer)
            self._refuse_unsupported(raw)
            key = canonical(raw.name)
            if key in seen:
                raise ModelError(
                    f"duplicate name: {seen[key]!r} and {raw.name!r} are the same variable "
                    "(names ignore case, spaces and underscores)",
                    field=raw.where,
                )
            seen[key] = raw.name
            raws.append(raw)
        return raws

    def _refuse_unsupported(self, raw: _Raw) -> None:
        for element in raw.element:
            what = _UNSUPPORTED.get(local(element.tag))
            if what is not None:
                raise ModelError(
                    f"{what} are not supported (<{local(element.tag)}>)", field=raw.where
                )

    # -- arrays ------------------------------------------------------------------------
    def _dimensions(self) -> tuple[Dimension, ...]:
        """The file's ``<dimensions>``: each ``<dim>`` lists ``<elem name>``s or has a
        ``size`` (elements ``1`` … ``size``); ``<sdsim:map to>`` keeps our mappings."""
        found: list[Dimension] = []
        for owner in (self.root, self.main):
            for block in self.all("dimensions", owner):
                for dim in self.all("dim", block):
                    found.append(self._dimension(dim))
        return tuple(found)

    def _dimension(self, dim: ET.Element) -> Dimension:
        name = (dim.get("name") or "").strip()
        where = f"dimension {name!r}"
        if not name:
            raise ModelError("a <dim> needs a name attribute", field="dimensions")
        elements = tuple((e.get("name") or "").strip() for e in self.all("elem", dim))
        if not elements:
            size = dim.get("size")
            count = number(size, f"{where} size") if size is not None else 0
            if count < 1 or count != int(count):
                raise ModelError("a <dim> needs <elem> elements or a whole size", field=where)
            elements = tuple(str(i) for i in range(1, int(count) + 1))
        if not all(elements):
            raise ModelError("an <elem> needs a name attribute", field=where)
        maps = []
        for mapping in children(dim, "map", SDSIM_NS):
            targets = tuple(e.strip() for e in (text_of(mapping) or "").split(","))
            maps.append(((mapping.get("to") or "").strip(), targets))
        return Dimension(name, elements, tuple(maps))

    def _dims(self, raw: _Raw) -> tuple[str, ...]:
        """The dimensions a variable is arrayed over, as the file spells them."""
        names = []
        for block in self.all("dimensions", raw.element):
            for dim in self.all("dim", block):
                key = canonical(dim.get("name") or "")
                if key not in self.dimension_names:
                    known = ", ".join(self.dimension_names.values()) or "none"
                    raise ModelError(
                        f"unknown dimension {dim.get('name')!r} (dimensions: {known})",
                        field=raw.where,
                    )
                names.append(self.dimension_names[key])
        return tuple(names)

    def _elements(self, raw: _Raw, dims: tuple[str, ...]):
        """``<element subscript="a, b">`` children: their equations and tables."""
        equations, tables = [], []
        for element in self.all("element", raw.element):
            if not dims:
                raise ModelError("<element> definitions need <dimensions>", field=raw.where)
            subscript = tuple(s.strip() for s in (element.get("subscript") or "").split(","))
            where = f"{raw.where} [{', '.join(subscript)}]"
            kept = self._kept(raw, f"eqn[{','.join(subscript)}]")
            text = self._equation(element, where, optional=True, original=kept, owner=raw.name)
            if text:
                equations.append((subscript, text))
            gf = self.one("gf", element)
            if gf is not None:
                tables.append((subscript, graphical_function(gf, self.ns, where)))
        return tuple(equations), tuple(tables)

    # -- the model ---------------------------------------------------------------------
    def model(self, default_name: str) -> Model:
        header = self.one("header", self.root)
        title = (text_of(None if header is None else self.one("name", header)) or "").strip()
        behavior = self._behavior()
        variables = tuple(
            replace(var, helper=True) if self._kept(raw, "helper") == "true" else var
            for raw in self.raws
            for var in (self._variable(raw, behavior),)
        )
        doc = self.kept.get("", {}).get("doc") or text_of(child(self.main, "doc", SDSIM_NS)) or ""
        return Model(
            name=title or default_name,
            variables=variables,
            time=self._time(),
            doc=doc,
            units=self._units(),
            dimensions=self.dimensions,
        )

    def _units(self) -> tuple[UnitDefinition, ...]:
        """``<model_units>``: the units a model declares, with equations and aliases."""
        block = self.one("model_units", self.root)
        units = []
        for unit in [] if block is None else self.all("unit", block):
            name = (unit.get("name") or "").strip()
            if not name:
                raise ModelError("a <unit> needs a name attribute", field="model_units")
            equation = (text_of(self.one("eqn", unit)) or "").strip()
            aliases = tuple((text_of(a) or "").strip() for a in self.all("alias", unit))
            units.append(UnitDefinition(name, equation, tuple(a for a in aliases if a)))
        return tuple(units)

    def _variable(self, raw: _Raw, behavior: dict[str, bool]) -> Variable:
        element = raw.element
        common = {
            "name": raw.name,
            "units": text_of(self.one("units", element)) or "",
            "doc": text_of(self.one("doc", element)) or "",
        }
        source = self._kept(raw, "source") or ""
        gf = self.one("gf", element)
        dims = self._dims(raw)
        elements, tables = self._elements(raw, dims)
        arrayed = {"dims": dims, "elements": elements} if dims else {}
        if raw.kind == "gf" or (gf is not None and self._is_table(raw)):
            table = element if raw.kind == "gf" else gf
            graphical = (
                graphical_function(table, self.ns, raw.where)
                if self.one("ypts", table) is not None or not tables
                else tables[0][1]
            )
            return Lookup(graphical=graphical, source=source, tables=tables, dims=dims, **common)
        if raw.kind == "stock":
            return Stock(
                initial=self._equation(
                    element, raw.where, optional=bool(elements), original=self._kept(raw, "eqn")
                ),
                inflows=self._flow_names(raw, "inflow"),
                outflows=self._flow_names(raw, "outflow"),
                non_negative=self._non_negative(element, behavior["stock"]),
                source=source,
                **common,
                **arrayed,
            )
        graphical = None if gf is None else graphical_function(gf, self.ns, raw.where)
        equation = self._equation(
            element,
            raw.where,
            optional=bool(elements or tables),
            original=self._kept(raw, "eqn"),
            owner=raw.name,
        )
        if tables:
            arrayed["tables"] = tables
        kind = (self._kept(raw, "kind") or "").strip()
        promoted = (
            kind not in {"auxiliary", "constant"} and canonical(raw.name) in self._stock_flows
        )
        if raw.kind == "flow" or promoted:
            non_negative = self._non_negative(element, behavior["flow"])
            return Flow(
                equation=equation, non_negative=non_negative, graphical=graphical,
                source=source, **common, **arrayed,
            )  # fmt: skip
        if graphical is None and not tables and kind != "auxiliary":
            value = plain_number(equation, raw.where) if equation else math.nan
            numbers = [plain_number(text, raw.where) for _, text in elements]
            if value is not None and None not in numbers:
                return Constant(
                    value=value, source=source, range=self._range(raw), **common, **arrayed
                )
        return Auxiliary(equation=equation, graphical=graphical, source=source, **common, **arrayed)

    def _equation(
        self,
        element: ET.Element,
        where: str,
        *,
        optional: bool = False,
        original: str | None = None,
        owner: str | None = None,
    ) -> str:
        """The engine's equation of a variable (or of one ``<element>`` of it); our own
        exports keep their exact ``original`` text (see `_kept`). An arrayed variable defined
        element by element has none (``""``). ``SELF`` in the equation of the variable
        ``owner`` is that variable, as XMILE defines it (``PREVIOUS(SELF, 0)``)."""
        text = text_of(self.one("eqn", element))
        if text is None or not text.strip():
            if optional:
                return ""
            raise ModelError("missing <eqn>", field=where)
        if original is not None and self._printed(original, where) == text.strip():
            return original
        return self._translate(text, where, owner)

    def _translate(self, text: str, where: str, owner: str | None = None) -> str:
        """The engine's equation for XMILE ``text``, macros inlined, ``SELF`` named."""
        equation = to_engine(text, where)
        tree = parse_equation(equation, where)
        changed = False
        if (
            owner is not None
            and "self" not in self._keys
            and any(n == Name("self") for n in walk(tree))
        ):
            me = Name(canonical(owner))
            tree = fold(tree, lambda n, kids: me if n == Name("self") else rebuild(n, kids))
            changed = True
        if any(isinstance(n, Call) and n.func in self.macros for n in walk(tree)):
            return unparse(expand(tree, self.macros, where))
        return unparse(tree) if changed else equation

    @cached_property
    def _keys(self) -> set[str]:
        """The keys of the model's variables (a variable may be called ``self``)."""
        return {canonical(raw.name) for raw in self.raws}

    def _printed(self, original: str, where: str) -> str | None:
        try:
            tree = parse_equation(original, where)
            return to_xmile(tree, self.spellings, lambda key, arg: self.calls.get((key, arg)))
        except ModelError:
            return None

    def _is_table(self, raw: _Raw) -> bool:
        """An ``<aux>`` with a ``<gf>`` that is a table to call, ``name(x)``, not applied to
        an equation: our export's (see the writer), or Stella's with no ``<eqn>`` at all."""
        if self._kept(raw, "kind") == "lookup":
            return True
        return raw.kind == "aux" and not (text_of(self.one("eqn", raw.element)) or "").strip()

    @cached_property
    def _stock_flows(self) -> set[str]:
        """The keys of every stock's inflows and outflows: an ``<aux>`` listed there (as
        xmutil writes Vensim's rates) is read as a flow."""
        return {
            canonical(name)
            for raw in self.raws
            if raw.kind == "stock"
            for role in ("inflow", "outflow")
            for name in self._flow_names(raw, role)
        }

    def _flow_names(self, raw: _Raw, role: str) -> tuple[str, ...]:
        names = []
        for element in self.all(role, raw.element):
            text = (text_of(element) or "").strip()
            if len(text) >= 2 and text[0] == text[-1] == '"':
                text = _ESCAPE.sub(r"\1", text[1:-1])
            if not text:
                raise ModelError(f"empty <{role}>", field=raw.where)
            names.append(text)
        return tuple(names)

    def _non_negative(self, element: ET.Element, default: bool) -> bool:
        flag = self.one("non_negative", element)
        if flag is None:
            return default
        return (text_of(flag) or "").strip().lower() != "false"

    def _behavior(self) -> dict[str, bool]:
        """XMILE's ``<behavior>`` defaults: the model's own override the file's."""
        result = {"stock": False, "flow": False}
        for owner in (self.root, self.main):
            for behavior in self.all("behavior", owner):
                for kind, target in (("", ("stock", "flow")), ("stock", ("stock",)),
                                     ("flow", ("flow",))):  # fmt: skip
                    scope = behavior if not kind else self.one(kind, behavior)
                    if scope is not None and self.one("non_negative", scope) is not None:
                        value = self._non_negative(scope, False)
                        result.update(dict.fromkeys(target, value))
        return result

    def _kept(self, raw: _Raw, key: str) -> str | None:
        """What our export kept of ``raw`` aside (see the writer): an attribute of its
        ``<sdsim:var>``, or, in older exports, an ``<sdsim:key>`` child of the variable."""
        kept = self.kept.get(canonical(raw.name))
        if kept is not None:
            return kept.get(key)
        return text_of(child(raw.element, key, SDSIM_NS))

    def _range(self, raw: _Raw) -> tuple[float, float] | None:
        kept = self.kept.get(canonical(raw.name))
        element = child(raw.element, "range", SDSIM_NS) if kept is None else kept
        if element is None or element.get("min") is None:
            return None
        lo = number(element.get("min"), f"{raw.where} range min")
        hi = number(element.get("max"), f"{raw.where} range max")
        return (lo, hi)

    def _time(self) -> TimeSpec:
        specs = self.one("sim_specs", self.main)
        if specs is None:
            specs = self.one("sim_specs", self.root)
        if specs is None:
            raise ModelError("no <sim_specs> (start, stop, dt)", field="xmile")
        return time_spec(specs, self.ns)


def _roundtrip(model: ET.Element) -> dict[str, dict[str, str]]:
    """Our export's ``<sdsim:roundtrip>`` block: each ``<sdsim:var>``'s attributes by the
    variable's key, and the block's own (the model's doc) under ``""``."""
    block = child(model, "roundtrip", SDSIM_NS)
    if block is None:
        return {}
    kept = {}
    for var in children(block, "var", SDSIM_NS):
        entry = dict(var.attrib)
        for element in children(var, "element", SDSIM_NS):  # an arrayed variable's parts
            entry[f"eqn[{element.get('subscript', '')}]"] = element.get("eqn", "")
        kept[canonical(var.get("name", ""))] = entry
    return kept | {"": dict(block.attrib)}
