"""The dimensions of a model, by canonical name, and how an element of one dimension
corresponds to an element of another (same dimension, subrange, mapping, position)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from ..errors import ModelError
from ..model import Dimension
from ..names import canonical

__all__ = ["Dims", "Space"]


@dataclass(frozen=True)
class Dims:
    """One dimension with canonical keys: ``keys[i]`` is element ``i``, ``names[i]`` as
    written, ``maps[other]`` the element of ``other`` for each of ours."""

    key: str
    name: str
    keys: tuple[str, ...]
    names: tuple[str, ...]
    maps: dict[str, tuple[str, ...]]
    positions: dict[str, int] = field(init=False, repr=False)  # element key -> its position

    def __post_init__(self):
        object.__setattr__(self, "positions", {k: i for i, k in enumerate(self.keys)})

    def position(self, element: str) -> int:
        return self.positions[element]

    def __contains__(self, element: str) -> bool:
        return element in self.positions


class Space:
    """All dimensions of a model; element correspondences are answered here only."""

    def __init__(self, dimensions: tuple[Dimension, ...]):
        self.dims: dict[str, Dims] = {}
        for d in dimensions:
            keys = tuple(map(canonical, d.elements))
            field = f"dimension {d.name}"
            if d.key in self.dims:
                raise ModelError("the dimension is defined twice", field=field)
            if not keys:
                raise ModelError("a dimension needs at least one element", field=field)
            if len(set(keys)) != len(keys):
                raise ModelError("an element is listed twice", field=field)
            maps = {}
            for other, elements in d.maps_to:
                if len(elements) != len(keys):
                    raise ModelError(
                        f"the mapping to {other} lists {len(elements)} elements for {len(keys)}",
                        field=field,
                    )
                maps[canonical(other)] = tuple(canonical(e) for e in elements)
            self.dims[d.key] = Dims(d.key, d.name, keys, tuple(d.elements), maps)
        for d in self.dims.values():
            for other, elements in d.maps.items():
                target = self.dims.get(other)
                if target is None:
                    raise ModelError(f"maps to unknown dimension {other!r}", field=d.name)
                if unknown := set(elements) - set(target.positions):
                    raise ModelError(
                        f"maps to {sorted(unknown)[0]!r}, not an element of {target.name}",
                        field=f"dimension {d.name}",
                    )

    def __contains__(self, key: object) -> bool:
        return key in self.dims

    def __getitem__(self, key: str) -> Dims:
        return self.dims[key]

    def get(self, name: str, owner: str) -> Dims:
        """The dimension ``name``, or an error naming ``owner`` (the variable that uses it)."""
        dim = self.dims.get(canonical(name))
        if dim is None:
            known = ", ".join(d.name for d in self.dims.values()) or "none"
            raise ModelError(f"unknown dimension {name!r} (dimensions: {known})", field=owner)
        return dim

    def translate(self, element: str, source: str, target: str, positional: bool) -> str | None:
        """The element of dimension ``target`` that ``element`` of ``source`` stands for:
        through a mapping either way (Vensim's ``previous: a1, a2 -> later`` relates a1 to the
        first of ``later``, though both are elements of one parent), else itself if
        ``target`` holds it (same dimension, subrange or parent), else (if ``positional``)
        the element at the same position of a dimension of the same size; None if nothing
        relates them."""
        if source == target:
            return element
        a, b = self.dims[source], self.dims[target]
        if target in a.maps:
            return a.maps[target][a.position(element)]
        if source in b.maps:
            mapped = b.maps[source]
            return next((b.keys[i] for i, e in enumerate(mapped) if e == element), None)
        if element in b:
            return element
        if positional and len(a.keys) == len(b.keys):
            return b.keys[a.position(element)]
        return None

    def mapped(self, a: str, b: str) -> bool:
        """Whether a mapping relates dimensions ``a`` and ``b`` (either way)."""
        return b in self.dims[a].maps or a in self.dims[b].maps

    def related(self, a: str, b: str) -> bool:
        """Whether elements of ``a`` stand for elements of ``b`` other than by position."""
        return self._related(a, b)

    @cache  # noqa: B019 (one Space per expansion, dropped with it)
    def _related(self, a: str, b: str) -> bool:
        da, db = self.dims[a], self.dims[b]
        return (
            a == b
            or b in da.maps
            or a in db.maps
            or da.positions.keys() <= db.positions.keys()
            or db.positions.keys() <= da.positions.keys()
        )
