"""XMILE documents as element trees: parsing, namespaces, and the few XML repairs real files need.

Kept apart from the reader so that the mapping to `Model` never deals with raw XML quirks:
files written by Stella and xmutil use the ``isee:`` prefix without declaring it, which a
strict XML parser rejects; we declare such prefixes instead of failing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..errors import ModelError

__all__ = [
    "ISEE_NS",
    "OASIS_NS",
    "SDSIM_NS",
    "XMILE_NAMESPACES",
    "child",
    "children",
    "local",
    "namespace",
    "parse_document",
    "text_of",
]

OASIS_NS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
XMILE_NAMESPACES = (OASIS_NS, "http://www.systemdynamics.org/XMILE")
ISEE_NS = "http://iseesystems.com/XMILE"
SDSIM_NS = "urn:sdsim:xmile:1"  # our extensions: what XMILE has no element for (sources, ranges)

_PREFIXES = re.compile(r"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=")
_DECLARED = re.compile(r"xmlns:([A-Za-z_][\w.-]*)\s*=")
_ROOT_TAG = re.compile(r"<(?![?!])[^\s>/]+")


def parse_document(text: str) -> ET.Element:
    """The root ``<xmile>`` element of ``text``; undeclared prefixes are declared first."""
    try:
        root = ET.fromstring(_declare_prefixes(text))
    except ET.ParseError as exc:
        raise ModelError(f"not well-formed XML: {exc}") from None
    if local(root.tag) != "xmile":
        raise ModelError(f"not an XMILE file: the root element is <{local(root.tag)}>, not <xmile>")
    return root


def _declare_prefixes(text: str) -> str:
    used = {a or b for a, b in _PREFIXES.findall(text)} - {"xml", "xmlns"}
    missing = sorted(used - set(_DECLARED.findall(text)))
    if not missing:
        return text
    root = _ROOT_TAG.search(text)
    if root is None:
        return text
    decls = "".join(
        f' xmlns:{p}="{ISEE_NS if p == "isee" else "urn:undeclared:" + p}"' for p in missing
    )
    return text[: root.end()] + decls + text[root.end() :]


def local(tag: str) -> str:
    """``{namespace}name`` → ``name``."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    """``{namespace}name`` → ``namespace`` (empty when there is none)."""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(element: ET.Element, name: str, ns: str) -> list[ET.Element]:
    """The children of ``element`` called ``name`` in namespace ``ns``."""
    tag = f"{{{ns}}}{name}" if ns else name
    return [c for c in element if c.tag == tag]


def child(element: ET.Element, name: str, ns: str) -> ET.Element | None:
    found = children(element, name, ns)
    return found[0] if found else None


def text_of(element: ET.Element | None) -> str | None:
    """The text of ``element`` (``""`` when empty), or None when there is no element."""
    if element is None:
        return None
    return "".join(element.itertext())
