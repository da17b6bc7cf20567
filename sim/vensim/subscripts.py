"""Vensim subscript ranges as the model's `Dimension`s, and which dimensions and elements the
left-hand sides of an arrayed variable's equations cover.

A range may list the elements of another (``sub: a2, a3`` is a subrange; ``all: sub, a1``
takes sub's elements in its place), map to another (``-> other``, by position, or
``-> (other: x, y)`` element by element), or be another under a second name (``a <-> b``).
"""

from __future__ import annotations

from itertools import product

from ..errors import ModelError
from ..model import Dimension
from ..names import canonical
from . import syntax as v

__all__ = ["Subscripts"]


def _key(name: str) -> str:
    text = name.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return canonical(" ".join(text.split()))


class Subscripts:
    """Every subscript range of a file, with its elements as written."""

    def __init__(self, definitions: list[v.SubscriptDef | v.Equivalence]):
        self.raw: dict[str, v.SubscriptDef | v.Equivalence] = {}
        for d in definitions:
            self.raw[_key(d.name)] = d
        self.spelled = {key: " ".join(d.name.split()) for key, d in self.raw.items()}
        self.elements: dict[str, tuple[str, ...]] = {}
        for key in self.raw:
            self.elements[key] = self._elements(key, 0)
        self.order = list(self.raw)

    def _elements(self, key: str, depth: int) -> tuple[str, ...]:
        if key in self.elements:
            return self.elements[key]
        if depth > 20:
            raise ModelError("subscript ranges refer to each other in a loop",
                             field=self.spelled[key])  # fmt: skip
        d = self.raw[key]
        if isinstance(d, v.Equivalence):
            other = _key(d.other)
            if other not in self.raw:
                raise ModelError(f"{d.other} is not a subscript range", field=d.name)
            return self._elements(other, depth + 1)
        out: list[str] = []
        for element in d.elements:
            k = _key(element)
            if k in self.raw and k != key:
                out += self._elements(k, depth + 1)
            else:
                out.append(" ".join(element.split()))
        return tuple(out)

    def __contains__(self, name: str) -> bool:
        return _key(name) in self.raw

    def keys_of(self, name: str) -> tuple[str, ...]:
        return tuple(_key(e) for e in self.elements[_key(name)])

    def dimensions(self) -> tuple[Dimension, ...]:
        """The model's dimensions, mappings resolved to element lists."""
        out = []
        for key in self.order:
            d = self.raw[key]
            maps: list[tuple[str, tuple[str, ...]]] = []
            if isinstance(d, v.SubscriptDef):
                for target, listed in d.maps:
                    tkey = _key(target)
                    if tkey not in self.raw:
                        raise ModelError(f"maps to {target}, which is not a subscript range",
                                         field=self.spelled[key])  # fmt: skip
                    if listed:
                        elements = tuple(
                            e for item in listed for e in self._mapped(item, tkey, key)
                        )
                    else:
                        elements = self.elements[tkey]
                    maps.append((self.spelled[tkey], elements))
            out.append(Dimension(self.spelled[key], self.elements[key], tuple(maps)))
        return tuple(out)

    def _mapped(self, item: str, target: str, owner: str) -> tuple[str, ...]:
        k = _key(item)
        if k in self.raw:
            raise ModelError(
                f"a mapping to a subrange ({item}) is not supported", field=self.spelled[owner]
            )
        return (" ".join(item.split()),)

    # -- left-hand sides -------------------------------------------------------------------
    def expand(self, sub: str) -> tuple[str, ...]:
        """The elements (as written) that one index of a left-hand side names."""
        key = _key(sub)
        if key in self.raw:
            return self.elements[key]
        return (" ".join(sub.split()),)

    def dims_of(self, lhss: list[v.Lhs], owner: str) -> tuple[str, ...]:
        """The dimensions of a variable from the left-hand sides of all its equations: at each
        position, a range named there that covers every element defined, else the smallest
        range that does (the first defined among equals)."""
        sizes = {len(lhs.subs) for lhs in lhss}
        if len(sizes) != 1:
            raise ModelError("its equations have different numbers of subscripts", field=owner)
        dims = []
        for p in range(sizes.pop()):
            covered: set[str] = set()
            named: list[str] = []
            for lhs in lhss:
                key = _key(lhs.subs[p])
                if key in self.raw:
                    named.append(key)
                    covered |= set(self.keys_of(key))
                elif not any(key in self.keys_of(d) for d in self.raw):
                    raise ModelError(f"{lhs.subs[p]} is neither a subscript range nor an "
                                     "element of one", field=owner)  # fmt: skip
                else:
                    covered.add(key)
            candidates = [d for d in self.order if covered <= set(self.keys_of(d))]
            chosen = next((d for d in named if d in candidates), None)
            if chosen is None:
                if not candidates:
                    raise ModelError(
                        f"no subscript range holds all the elements it defines at position {p + 1}",
                        field=owner,
                    )
                chosen = min(candidates, key=lambda d: len(self.elements[d]))
                if covered != set(self.keys_of(chosen)):  # defined on part of a range only
                    chosen = self._part(chosen, covered, f"{owner} {p + 1}")
            dims.append(self.spelled[chosen])
        return tuple(dims)

    def _part(self, parent: str, covered: set[str], label: str) -> str:
        """A subrange of ``parent`` holding the ``covered`` elements, for a variable that
        Vensim defines on those elements only."""
        elements = tuple(e for e in self.elements[parent] if _key(e) in covered)
        for key in self.order:  # an existing range of exactly these elements
            if self.keys_of(key) == tuple(_key(e) for e in elements):
                return key
        name = f"{label} of {self.spelled[parent]}"
        key = _key(name)
        self.raw[key] = v.SubscriptDef(name, elements)
        self.spelled[key] = name
        self.elements[key] = elements
        self.order.append(key)
        return key

    def cells(self, lhs: v.Lhs) -> list[tuple[str, ...]]:
        """Every element (as written) that ``lhs`` defines, ``:EXCEPT:`` ones left out, in
        Vensim's order (the last index fastest)."""
        excluded = {
            tuple(_key(e) for e in cell)
            for subs in lhs.excepts
            for cell in product(*(self.expand(s) for s in subs))
        }
        return [
            cell
            for cell in product(*(self.expand(s) for s in lhs.subs))
            if tuple(_key(e) for e in cell) not in excluded
        ]
