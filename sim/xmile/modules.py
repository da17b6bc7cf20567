"""XMILE modules, flattened: each ``<module>`` becomes its model's variables under the module's
name (``hares.births``), so the engine runs one flat model.

Names follow Stella's files: inside a module a bare name is the module's own variable, a
dotted one (``lynxes.lynxes``) is a path from the main model, and a leading dot (``.area``)
names a variable of the main model. A ``<connect to="x" from="path"/>`` makes the module's
input ``x`` an auxiliary equal to ``path`` (read from the enclosing model, or from the main
model if it starts with a dot); an input stock becomes such an auxiliary too.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

from ..errors import ModelError
from ..expr import Name, fold, parse, rebuild, unparse
from ..names import canonical
from .dialect import parse_equation
from .document import child, children, local, namespace

__all__ = ["flat_variables"]

_ROOT = "sdsim_main."  # a leading-dot name, which the expression lexer does not read, becomes this
_LEADING_DOT = re.compile(r'(?<![\w.$"])\.(?=[^\W\d])')
_KINDS = {"stock", "flow", "aux", "gf"}


def flat_variables(root: ET.Element, ns: str, main: ET.Element) -> list[ET.Element]:
    """The variable elements of the main model with every module expanded in place."""
    models = {m.get("name", ""): m for m in children(root, "model", ns) if m.get("name")}
    out: list[ET.Element] = []
    _expand(main, "", {}, "", models, ns, out, ())
    return out


def _expand(
    model: ET.Element,
    prefix: str,
    connects: dict[str, str],
    parent: str,
    models: dict[str, ET.Element],
    ns: str,
    out: list[ET.Element],
    stack: tuple[str, ...],
) -> None:
    block = child(model, "variables", ns)
    elements = [e for e in ([] if block is None else block) if namespace(e.tag) == ns]
    local_keys = {canonical(_label(e)) for e in elements if local(e.tag) in _KINDS}
    for element in elements:
        kind, label = local(element.tag), _label(element)
        if kind == "module":
            name = element.get("model") or label
            where = f"module {prefix + label!r}"
            if name not in models:
                raise ModelError(f"no <model name={name!r}> for this module", field=where)
            if name in stack:
                raise ModelError(f"module {name!r} contains itself", field=where)
            wires = {
                canonical(c.get("to", "")): c.get("from", "")
                for c in children(element, "connect", ns)
            }
            _expand(models[name], f"{prefix}{label}.", wires, prefix, models, ns, out,
                    (*stack, name))  # fmt: skip
        elif kind in _KINDS:
            source = connects.get(canonical(label))
            if source is not None and element.get("access") == "input":
                out.append(_input(element, prefix + label, _path(source, parent), ns))
            else:
                out.append(_renamed(element, prefix, local_keys, ns))
        else:
            out.append(element)  # groups and unknown elements: the reader decides


def _label(element: ET.Element) -> str:
    return element.get("name", "").replace("\\n", " ").strip()


def _path(source: str, parent: str) -> str:
    """A connection's source as a flat name: from the main model if it starts with a dot,
    else from the model that holds the module."""
    source = source.replace("\\n", " ").strip()
    return source[1:] if source.startswith(".") else parent + source


def _input(element: ET.Element, name: str, source: str, ns: str) -> ET.Element:
    aux = ET.Element(f"{{{ns}}}aux" if ns else "aux", {"name": name})
    eqn = ET.SubElement(aux, f"{{{ns}}}eqn" if ns else "eqn")
    eqn.text = unparse(Name(canonical(source)))
    return aux


def _renamed(element: ET.Element, prefix: str, local_keys: set[str], ns: str) -> ET.Element:
    if not prefix:
        return element
    element = copy.deepcopy(element)
    element.set("name", prefix + _label(element))
    where = f"{local(element.tag)} {element.get('name')!r}"
    for eqn in children(element, "eqn", ns):
        text = _LEADING_DOT.sub(_ROOT, "".join(eqn.itertext()))
        if text.strip() and not text.strip().startswith("{"):
            parse_equation(text, where)
            eqn.text = unparse(fold(parse(text, where), _renamer(prefix, local_keys)))
            for sub in list(eqn):
                eqn.remove(sub)
    for role in ("inflow", "outflow"):
        for flow in children(element, role, ns):
            name = (flow.text or "").strip()
            if len(name) >= 2 and name[0] == name[-1] == '"':
                name = name[1:-1]
            flow.text = prefix + name
    return element


def _renamer(prefix: str, local_keys: set[str]):
    def rename(node, kids):
        node = rebuild(node, kids)
        if isinstance(node, Name):
            key = node.name
            if key.startswith(canonical(_ROOT)):
                return Name(key[len(canonical(_ROOT)) :])
            if key in local_keys:
                return Name(canonical(prefix + key))
        return node

    return rename
