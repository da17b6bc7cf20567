"""Expand an arrayed model into the scalar model of its elements.

Each element of an arrayed variable becomes an ordinary variable named ``name[e1,e2]`` whose
equation is the apply-to-all equation (or the element's own) with every subscript resolved to
the element it means there, and every array builtin written out over the elements it reduces.
What comes out has no dimensions: lowering, compiling and batch runs stay scalar, so a batch
of an arrayed model equals its single runs by construction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from typing import NoReturn

from ..allocation import PROFILES, REFUSED
from ..errors import ModelError
from ..expr import (
    Binary,
    Call,
    Index,
    Name,
    Node,
    Number,
    Subscript,
    children,
    fold,
    parse,
    print_node,
    rebuild,
    remember,
    unparse,
)
from ..model import Auxiliary, Constant, Flow, Lookup, Model, Stock, Variable
from ..names import canonical
from . import vectors
from .dimensions import Dims, Space
from .reducers import ALLOCATION_FUNCTIONS, ARRAY_FUNCTIONS, UNSUPPORTED, VECTOR_FUNCTIONS, reduce

__all__ = ["element_name", "expand"]

Context = dict[str, str]  # dimension key -> the key of its current element


def element_name(name: str, elements: tuple[str, ...]) -> str:
    """The name of one element of an arrayed variable: ``pop[north,young]``."""
    return f"{name}[{','.join(elements)}]"


def expand(model: Model) -> Model:
    """The scalar model of ``model``'s elements; a model without dimensions is returned as is.

    Errors are `ModelError`s naming the variable and the reason: an unknown dimension or
    element, an element with no equation, a subscript that does not fit the variable."""
    if not model.dimensions and not any(v.dims for v in model.variables):
        if any(v.indices for v in model.variables):  # expanded already
            return model
        if any("[" in t and "[" in _QUOTED.sub("", t) for t in _texts(model)):
            _Expander(model).run()  # a subscript in a model without arrays: its error
        return model
    return _Expander(model).run()


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def _texts(model: Model):
    for v in model.variables:
        match v:
            case Stock():
                yield v.initial
            case Flow() | Auxiliary():
                yield v.equation


def _special(node: Node) -> bool:
    """Calls whose arguments are expanded over whole dimensions, not element by element."""
    return type(node) is Call and (
        node.func in ARRAY_FUNCTIONS
        or node.func in VECTOR_FUNCTIONS
        or node.func in ALLOCATION_FUNCTIONS
        or node.func in UNSUPPORTED
        or node.func == "elmcount"
    )


def _kids(node: Node) -> tuple[Node, ...]:
    return () if _special(node) else children(node)


class _Expander:
    def __init__(self, model: Model):
        self.model = model
        self.space = Space(model.dimensions)
        self.arrays: dict[str, tuple[Dims, ...]] = {}
        self.written: dict[str, str] = {}  # key -> name as written
        for v in model.variables:
            if v.dims:
                self.arrays[v.key] = tuple(self.space.get(d, v.name) for d in v.dims)
                self.written[v.key] = v.name
        self.templates: dict[str, object] = {}
        self.leaves: dict[str, tuple[Node, str]] = {}
        self.refs: dict[tuple[str, tuple[str, ...]], str] = {}
        self.written_constants: dict[str, dict] = {}  # arrayed Constant -> its overrides
        self.owner = ""  # the variable being expanded, for error messages
        self.order: tuple[str, ...] = ()  # its dimension keys, for matching by position

    # -- names -----------------------------------------------------------------------------
    def ref(self, key: str, elements: tuple[str, ...]) -> str:
        """The name of element ``elements`` (keys) of arrayed variable ``key``."""
        name = self.refs.get((key, elements))
        if name is None:
            dims = self.arrays[key]
            written = tuple([d.names[d.positions[e]] for d, e in zip(dims, elements, strict=True)])
            name = element_name(self.written[key], written)
            self.refs[(key, elements)] = name
        return name

    def fail(self, reason: str) -> NoReturn:
        raise ModelError(reason, field=self.owner)

    # -- the model -------------------------------------------------------------------------
    def run(self) -> Model:
        variables: list[Variable] = []
        for v in self.model.variables:
            self.owner, self.order = v.name, tuple(d.key for d in self.arrays.get(v.key, ()))
            if v.dims:
                variables.extend(self.arrayed(v))
            else:
                variables.append(self.scalar(v))
        return self.model.replace(variables=tuple(variables), dimensions=())

    def scalar(self, v: Variable) -> Variable:
        if v.elements:
            self.fail("element-wise equations need dimensions (dims)")
        match v:
            case Stock():
                for flow in (*v.inflows, *v.outflows):
                    if canonical(flow) in self.arrays:
                        self.fail(f"a stock without dimensions cannot take arrayed flow {flow!r}")
                return _replace(v, initial=self.equation(v.initial, {}))
            case Flow() | Auxiliary():
                return _replace(v, equation=self.equation(v.equation, {}))
        return v

    def arrayed(self, v: Variable) -> list[Variable]:
        """One scalar variable per element of ``v`` (a hot loop: 10,000 elements are usual)."""
        dims = self.arrays[v.key]
        overrides = self.overrides(v, dims)
        tables = {self.element_keys(e, dims): t for e, t in getattr(v, "tables", ())}
        general = _general(v)
        dim_keys = tuple(d.key for d in dims)
        dim_names = tuple(d.name for d in dims)
        graphical = getattr(v, "graphical", None)
        fixed = {"dims": (), "elements": ()}
        if isinstance(v, Flow | Auxiliary | Lookup):
            fixed["tables"] = ()
        is_stock, is_lookup = isinstance(v, Stock), isinstance(v, Lookup)
        field = "initial" if is_stock else "equation"
        if is_stock:
            inflows = [self.flow_of(f) for f in v.inflows]
            outflows = [self.flow_of(f) for f in v.outflows]
        out: list[Variable] = []
        keys = product(*(d.keys for d in dims))
        for elements, written in zip(keys, product(*(d.names for d in dims)), strict=True):
            context: Context = dict(zip(dim_keys, elements, strict=True))
            text = general
            if elements in overrides:
                text, extra = overrides[elements]
                context.update(extra)
            name = element_name(v.name, written)
            changes = {"name": name, "indices": tuple(zip(dim_names, written, strict=True))}
            if text is None and not is_lookup:
                self.fail(f"element {name} has no equation (and there is no apply-to-all one)")
            if tables:
                changes["graphical"] = tables.get(elements, graphical)
            if is_stock:
                changes["inflows"] = tuple([flow(context) for flow in inflows])
                changes["outflows"] = tuple([flow(context) for flow in outflows])
            if isinstance(v, Constant):
                try:
                    changes["value"] = float(text)
                except ValueError:
                    equation = self.equation(text, context)
                    aux = Auxiliary(
                        name, v.units, v.doc, equation, source=v.source, helper=v.helper
                    )
                    out.append(_replace(aux, indices=changes["indices"]))
                    continue
            elif not is_lookup:
                changes[field] = self.equation(text, context)
            out.append(_replace(v, **fixed, **changes))
        return out

    def element_keys(self, entry: tuple[str, ...], dims: tuple[Dims, ...]) -> tuple[str, ...]:
        """The keys of one element given as names, checked against the variable's dims."""
        if len(entry) != len(dims):
            self.fail(f"element {list(entry)} has {len(entry)} indices for {len(dims)} dimensions")
        keys = tuple(canonical(e) for e in entry)
        for key, dim, written in zip(keys, dims, entry, strict=True):
            if key not in dim:
                self.fail(f"{written!r} is not an element of dimension {dim.name}")
        return keys

    def overrides(
        self, v: Variable, dims: tuple[Dims, ...]
    ) -> dict[tuple[str, ...], tuple[str, Context]]:
        """Element-wise equations by element keys; an index may also name a subrange (or the
        whole dimension), which defines all its elements with that dimension bound."""
        found: dict[tuple[str, ...], tuple[str, Context]] = {}
        for entry, text in v.elements:
            if len(entry) != len(dims):
                self.fail(
                    f"element {list(entry)} has {len(entry)} indices for {len(dims)} dimensions"
                )
            choices = []
            for written, dim in zip(entry, dims, strict=True):
                key = canonical(written)
                if key in dim:
                    choices.append([(key, None)])
                elif key in self.space and set(self.space[key].keys) <= set(dim.keys):
                    choices.append([(e, key) for e in self.space[key].keys])
                else:
                    self.fail(f"{written!r} is not an element of dimension {dim.name}")
            for combo in product(*choices):
                extra = {sub: e for e, sub in combo if sub is not None}
                found[tuple(e for e, _ in combo)] = (str(text), extra)
        return found

    def flow_of(self, name: str) -> Callable[[Context], str]:
        """`flow` for ``name`` as a function of the context, quicker for an arrayed flow
        over the stock's own dimensions (the usual case)."""
        key = canonical(name)
        dims = self.arrays.get(key)
        if dims is None:
            return lambda context: self.flow(name, context)
        names = tuple(d.key for d in dims)

        def flow(context: Context) -> str:
            try:
                elements = tuple([context[d] for d in names])
            except KeyError:  # not all bound: the general way
                return self.flow(name, context)
            return self.ref(key, elements)

        return flow

    def flow(self, name: str, context: Context) -> str:
        """The flow element that the stock element of ``context`` takes."""
        key = canonical(name)
        if key in self.arrays:
            return self.ref(key, self.implicit(key, context))
        if math.prod(len(d.keys) for d in self.arrays[canonical(self.owner)]) > 1:
            self.fail(
                f"flow {name!r} has no dimensions, so it would feed every element of this "
                "arrayed stock: give it the stock's dimensions"
            )
        return name

    # -- equations -------------------------------------------------------------------------
    def equation(self, text: str, context: Context) -> str:
        """``text`` rewritten for the element of ``context``. Each distinct equation is
        parsed once and turned into a `_Template` (most arrayed equations hold no array
        builtin); the others are rewritten node by node."""
        template = self.templates.get(text, _UNSET)
        if template is _UNSET:
            node = parse(text, self.owner)
            try:
                template = self.template(node)
            except _Irregular:
                template = node
            self.templates[text] = template
        if template is None:  # nothing to resolve
            return text
        if type(template) is _Template:
            new, printed = template.fill(context)
        else:
            new = self.rewrite(template, context)
            if new is template:
                return text
            printed = unparse(new)
        remember(printed, new)
        return printed

    def template(self, node: Node) -> _Template | None:
        """The template of ``node``, None if nothing in it depends on the element;
        `_Irregular` for array builtins and arrayed lookup calls."""
        arrays, space, model, leaf = self.arrays, self.space, self.model, self.leaf
        sites: list = []  # resolvers ctx -> (leaf node, its text), in order

        def site(resolver) -> tuple[Callable, str]:
            i = len(sites)
            sites.append(resolver)
            return (lambda leaves: leaves[i]), f"{{{i}}}"

        def visit(n: Node, kids: list) -> tuple[Callable | None, str]:
            """(a builder of the rewritten node from the sites' leaves, and its text as a
            format string over the sites' texts; or None and the plain text if ``n`` does
            not change)."""
            kind = type(n)
            if kind is Subscript:
                return site(
                    self.direct(n.name, n.indices) or (lambda c: leaf(self.subscript(n, c)))
                )
            if kind is Name and n.name in arrays:
                implicit = tuple(Index("name", d.key) for d in arrays[n.name])
                return site(self.direct(n.name, implicit) or (lambda c: _pair(self.name(n, c))))
            if kind is Name and n.name in space and n.name not in model:
                return site(self.position(n))
            if kind is Call and (_special(n) or n.func in arrays):
                raise _Irregular
            if kind is Call and n.func == "lookup" and n.args and type(n.args[0]) is Subscript:
                raise _Irregular  # printed differently once the table is resolved
            if all(k[0] is None for k in kids):
                return None, print_node(n, [k[1] for k in kids])
            text = print_node(n, [_braced(t) if m is None else t for m, t in kids])
            makers = [(lambda leaves, c=c: c) if k[0] is None else k[0]
                      for k, c in zip(kids, children(n), strict=True)]  # fmt: skip
            if kind is Binary:
                op, (left, right) = n.op, makers
                return (lambda leaves: Binary(op, left(leaves), right(leaves))), text
            return (lambda leaves: rebuild(n, [m(leaves) for m in makers])), text

        make, text = fold(node, visit)
        return None if make is None else _Template(tuple(sites), make, text)

    def direct(self, key: str, indices: tuple[Index, ...]):
        """For ``x[A, B]`` in an equation over A and B (the usual case), a resolver that
        reads the elements straight from the context; None for any other subscript."""
        dims = self.arrays.get(key)
        if dims is None or len(indices) != len(dims):
            return None
        if not all(
            i.kind == "name" and i.name == d.key for i, d in zip(indices, dims, strict=True)
        ):
            return None
        names = tuple(d.key for d in dims)
        node = Subscript(key, indices)
        cache: dict[tuple[str, ...], tuple[Node, str]] = {}

        def resolve(ctx: Context) -> tuple[Node, str]:
            try:
                elements = tuple([ctx[d] for d in names])
            except KeyError:  # not all bound here: the general way (or its error)
                return self.leaf(self.subscript(node, ctx))
            pair = cache.get(elements)
            if pair is None:
                pair = cache[elements] = self.leaf(self.ref(key, elements))
            return pair

        return resolve

    def position(self, node: Name) -> Callable[[Context], tuple[Node, str]]:
        """For dimension ``node`` as a value, a resolver of its position (`name`), quicker
        when the context binds the dimension itself (the usual case)."""
        key, positions = node.name, self.space[node.name].positions

        def resolve(ctx: Context) -> tuple[Node, str]:
            element = ctx.get(key)
            if element is None:
                return _pair(self.name(node, ctx))
            return _pair(Number(float(positions[element] + 1)))

        return resolve

    def leaf(self, name: str) -> tuple[Node, str]:
        """The reference to element variable ``name``, as a node and as text."""
        pair = self.leaves.get(name)
        if pair is None:
            key = canonical(name)
            text = f'"{key}"' if '"' not in key and "\\" not in key else None
            node = Name(key)
            pair = self.leaves[name] = (node, text) if text else _pair(node)
        return pair

    def rewrite(self, node: Node, context: Context) -> Node:
        def visit(n: Node, kids: list[Node]) -> Node:
            kind = type(n)
            if kind is Subscript:
                return Name(canonical(self.subscript(n, context)))
            if kind is Name:
                return self.name(n, context)
            if kind is Call:
                if _special(n):
                    return self.array_call(n, context)
                if n.func in self.arrays:  # an arrayed lookup called by name: its element
                    table = Name(canonical(self.ref(n.func, self.implicit(n.func, context))))
                    return Call("lookup", (table, *kids))
            if all(k is c for k, c in zip(kids, children(n), strict=True)):
                return n
            return rebuild(n, kids)

        return fold(node, visit, _kids)

    def name(self, node: Name, context: Context) -> Node:
        key = node.name
        if key in self.arrays:
            return Name(canonical(self.ref(key, self.implicit(key, context))))
        if key in self.space and key not in self.model:  # a dimension as a value: the position
            return Number(float(self.space[key].position(self.bound(key, context)) + 1))
        return node

    def implicit(self, key: str, context: Context) -> tuple[str, ...]:
        """The element of arrayed ``key`` written without subscripts in ``context``."""
        dims = self.arrays[key]
        if all(d.key in context for d in dims):  # the usual case: the same dimensions
            return tuple([context[d.key] for d in dims])
        return tuple(
            self.resolve(Index("name", d.key), d, p, key, context) for p, d in enumerate(dims)
        )

    def subscript(self, node: Subscript, context: Context) -> str:
        dims = self.arrays.get(node.name)
        if dims is None:
            if node.name in self.model:
                self.fail(f"{node.name!r} is not arrayed: it takes no subscript")
            family = self.family(node, context)
            if family is None:
                self.fail(f"{node.name!r} is not a variable of the model")
            return family
        if len(node.indices) != len(dims):
            self.fail(
                f"{self.written[node.name]} has {len(dims)} dimensions, "
                f"subscripted with {len(node.indices)}"
            )
        elements = tuple(
            self.resolve(i, d, p, node.name, context)
            for p, (i, d) in enumerate(zip(node.indices, dims, strict=True))
        )
        return self.ref(node.name, elements)

    def family(self, node: Subscript, context: Context) -> str | None:
        """The scalar variable ``name[e1,e2]`` that a subscript means when the model holds
        its elements as separate variables (one Lookup per element, say); None if it does not."""
        parts = []
        for index in node.indices:
            if index.kind == "name" and index.name in self.space:
                dim = self.space[index.name]
                parts.append(dim.names[dim.position(self.bound(index.name, context))])
            elif index.kind == "name":
                owner = next((d for d in self.space.dims.values() if index.name in d.keys), None)
                parts.append(owner.names[owner.position(index.name)] if owner else index.name)
            elif index.kind == "number":
                parts.append(index.name)
            else:
                return None
        key = canonical(element_name(node.name, tuple(parts)))
        return self.model[key].name if key in self.model else None

    def resolve(self, index: Index, dim: Dims, p: int, var: str, context: Context) -> str:
        """The element of ``dim`` (position ``p`` of variable ``var``) that ``index`` means."""
        space, kind, name = self.space, index.kind, index.name
        if name == dim.key and kind == "name" and name in context:  # x[A] in x[A] = …: most
            return context[name]
        if kind == "number":
            if name in dim:  # Vensim's numbered elements (1, 2, 3) are names
                return name
            k = int(name) if name.isdigit() else 0
            if not 1 <= k <= len(dim.keys):
                self.fail(
                    f"index {name} is out of range for dimension {dim.name} (1 to {len(dim.keys)})"
                )
            return dim.keys[k - 1]
        if kind == "position":
            k = int(name) if name.isdigit() else 0
            if not 1 <= k <= len(self.order) or self.order[k - 1] not in context:
                self.fail(f"@{name}: the equation has no dimension {name}")
            source = space[self.order[k - 1]]
            place = source.position(context[source.key])
            if place >= len(dim.keys):
                self.fail(f"@{name}: {dim.name} has no element at position {place + 1}")
            return dim.keys[place]
        if kind in ("star", "bang"):
            source = name or dim.key
            if source not in space:
                self.fail(f"unknown dimension {name!r} in a subscript of {self.written[var]}")
            if source not in context:
                whole = f"{name}!" if kind == "bang" else "*"
                self.fail(
                    f"{self.written[var]}[{whole}] is a whole dimension: use it inside an "
                    "array function (SUM, MEAN, MIN, MAX, PROD, STDDEV, SIZE, RANK)"
                )
            return self.match(context[source], source, dim, var)
        if name in space:
            return self.match(self.bound(name, context, p), name, dim, var)
        if "." in name:  # XMILE's dim.element
            prefix, element = name.split(".", 1)
            if prefix in space:
                if element not in space[prefix]:
                    self.fail(f"{element!r} is not an element of dimension {space[prefix].name}")
                return self.match(element, prefix, dim, var)
        if name in dim:
            return name
        for other in space.dims.values():  # an element of a dimension mapped to this one
            if name in other:
                mapped = space.translate(name, other.key, dim.key, positional=False)
                if mapped is not None:
                    return mapped
        self.fail(
            f"{name!r} is neither a dimension nor an element of {dim.name} (in {self.written[var]})"
        )

    def match(self, element: str, source: str, dim: Dims, var: str) -> str:
        mapped = self.space.translate(element, source, dim.key, positional=True)
        if mapped is None:
            self.fail(
                f"dimension {self.space[source].name} does not match dimension {dim.name} of "
                f"{self.written[var]} (no subrange, mapping or equal size)"
            )
        return mapped

    def bound(self, dim: str, context: Context, position: int | None = None) -> str:
        """The current element of dimension ``dim`` in ``context``: its own, else that of a
        bound dimension it is a subrange, parent or mapping of, else (by position) that of the
        variable's dimension at the same place if of the same size."""
        if dim in context:
            return context[dim]
        space = self.space
        missed = None
        for by_mapping in (True, False):  # a mapping first, then subranges and parents
            for other, element in context.items():
                if space.mapped(other, dim) == by_mapping and space.related(other, dim):
                    mapped = space.translate(element, other, dim, positional=False)
                    if mapped is not None:
                        return mapped
                    missed = missed or (other, element)
        if missed is not None:
            other, element = missed
            self.fail(
                f"element {element} of {space[other].name} is not in dimension {space[dim].name}"
            )
        size = len(space[dim].keys)
        if position is not None and position < len(self.order):
            other = self.order[position]
            if other in context and len(space[other].keys) == size:
                return space[dim].keys[space[other].position(context[other])]
        same = [o for o in context if len(space[o].keys) == size]
        if len(same) == 1:
            return space[dim].keys[space[same[0]].position(context[same[0]])]
        self.fail(
            f"dimension {space[dim].name} is not a dimension of this equation: use "
            f"{space[dim].name}! or * inside an array function to mean all its elements"
        )

    # -- array builtins --------------------------------------------------------------------
    def array_call(self, call: Call, context: Context) -> Node:
        func = call.func
        if func in UNSUPPORTED:
            spelled = func.upper().replace("_", " ")
            self.fail(f"{spelled} is not supported (array function); expand it by hand")
        if func in VECTOR_FUNCTIONS:
            try:
                return self.vector_call(call, context)
            except ValueError as exc:
                self.fail(f"{func.upper().replace('_', ' ')}: {exc}")
        if func in ALLOCATION_FUNCTIONS:
            return self.allocation_call(call, context)
        if func == "elmcount":
            if len(call.args) != 1 or not isinstance(call.args[0], Name):
                self.fail("ELMCOUNT takes one dimension name")
            return Number(float(len(self.space.get(call.args[0].name, self.owner).keys)))
        if (
            func in ("min", "max")
            and len(call.args) > 1
            and not any(self.free(a, context) for a in call.args)
        ):
            return Call(func, tuple(self.rewrite(a, context) for a in call.args))
        arrays, extra = call.args, []
        if func == "rank":
            if len(call.args) not in (2, 3):
                self.fail("RANK takes an array and a rank")
            arrays, extra = call.args[:1], [self.rewrite(call.args[1], context)]
        if not arrays:
            self.fail(f"{func.upper()} needs an argument")
        values = [v for a in arrays for v in self.elements(a, context)]
        return reduce(func, values, extra)

    def vector_call(self, call: Call, context: Context) -> Node:
        """Vensim's VECTOR functions: SELECT reduces over the whole dimensions of its first
        two arguments; the others read the whole vector along the last subscript of their
        first argument, at the position of its current element."""
        func, args = call.func, call.args
        spelled = func.upper().replace("_", " ")
        wanted = 5 if func == "vector_select" else 2
        if len(args) != wanted:
            self.fail(f"{spelled} takes {wanted} arguments, got {len(args)}")
        if func == "vector_select":
            pairs = self.joint(args[:2], context)
            rest = [self.rewrite(a, context) for a in args[2:]]
            chosen = self.elements(args[0], context)  # what the error action counts
            return vectors.select([p[0] for p in pairs], [p[1] for p in pairs], *rest, chosen)
        values, i = self.vector(args[0], context, spelled)
        other = self.rewrite(args[1], context)
        match func:
            case "vector_elm_map":
                return vectors.elm_map(values, i, other)
            case "vector_sort_order":
                return vectors.sort_order(values, i, other)
            case "vector_rank":
                return vectors.rank(values, i, other)
        return vectors.reorder(values, other)

    def joint(self, nodes: tuple[Node, ...], context: Context) -> list[tuple[Node, ...]]:
        """``nodes`` together, once for each combination of the elements of the whole
        dimensions they range over: a dimension whole in several nodes pairs their elements,
        one whole in a single node multiplies (Vensim's VECTOR SELECT of ``s[a!]`` and
        ``x[b!]`` reads every pair); a node's other subscripts keep the equation's elements,
        so ``s[a!, b]`` and ``x[b!]`` read column b of s against every element of x."""
        frees = [self.free(n, context) for n in nodes]
        union = list(dict.fromkeys(d for f in frees for d in f))
        wholes = [_whole(n, self.arrays) if f else n for n, f in zip(nodes, frees, strict=True)]
        result = []
        for combo in product(*(self.space[d].keys for d in union)):
            at = dict(zip(union, combo, strict=True))
            result.append(
                tuple(
                    self.rewrite(w, {**context, **{d: at[d] for d in f}})
                    for w, f in zip(wholes, frees, strict=True)
                )
            )
        return result

    def vector(
        self, node: Node, context: Context, spelled: str, place: int = -1
    ) -> tuple[list[Node], int]:
        """The whole vector along the last subscript of ``node`` (or the one at ``place``)
        and the position of the element it names there."""
        if type(node) is Name and node.name in self.arrays:
            node = Subscript(node.name, tuple(Index("name", d.key) for d in self.arrays[node.name]))
        if type(node) is not Subscript or node.name not in self.arrays:
            self.fail(f"{spelled} needs an arrayed variable as its first argument")
        dims = self.arrays[node.name]
        if len(node.indices) != len(dims):
            self.fail(
                f"{self.written[node.name]} has {len(dims)} dimensions, "
                f"subscripted with {len(node.indices)}"
            )
        last = place % len(dims)
        dim, before, after = dims[last], node.indices[:last], node.indices[last + 1 :]
        current = self.resolve(node.indices[last], dim, last, node.name, context)
        values = [
            self.rewrite(Subscript(node.name, (*before, Index("name", e), *after)), context)
            for e in dim.keys
        ]
        return values, dim.position(current)

    def allocation_call(self, call: Call, context: Context) -> Node:
        """ALLOCATE AVAILABLE(request, pp, available) and ALLOCATE BY PRIORITY(request,
        priority, size, width, supply): the requesters are the last subscript of ``request``
        (and of ``priority``; the one before the last of ``pp``, whose last subscript names
        the element holding ptype, followed by ppriority and pwidth)."""
        func, args = call.func, call.args
        spelled = func.upper().replace("_", " ")
        wanted = 3 if func == "allocate_available" else 5
        if len(args) != wanted:
            self.fail(f"{spelled} takes {wanted} arguments, got {len(args)}")
        requests, i = self.vector(args[0], context, spelled)
        if func == "allocate_by_priority":
            priorities, _ = self.vector(args[1], context, spelled)
            size, width, supply = (self.rewrite(a, context) for a in args[2:])
            if len(priorities) != len(requests):
                self.fail(f"{spelled}: {len(requests)} requests but {len(priorities)} priorities")
            if type(size) is Number and size.value != len(requests):
                self.fail(
                    f"{spelled}: size is {size.value:g} but there are {len(requests)} requests"
                )
            if type(width) is Number and not width.value > 0:
                self.fail(f"{spelled}: width must be above 0, got {width.value:g}")
            return vectors.by_priority(requests, priorities, width, supply, i)
        profiles = self.profiles(args[1], context, spelled)
        if len(profiles) != len(requests):
            self.fail(
                f"{spelled}: {len(requests)} requests but priority profiles for {len(profiles)}"
            )
        return vectors.allocate(requests, profiles, self.rewrite(args[2], context), i)

    def profiles(self, node: Node, context: Context, spelled: str) -> list[tuple[Node, ...]]:
        """ALLOCATE AVAILABLE's priority profiles: for each requester, its (ptype, ppriority,
        pwidth). A ptype known before the run must be one the engine has (1 to 4)."""
        dims = self.arrays.get(node.name) if type(node) is Subscript else None
        if dims is None or len(dims) < 2 or len(node.indices) != len(dims):
            self.fail(
                f"{spelled}: the priority profiles must be an arrayed variable subscripted "
                "[requesters, ptype] (the element holding ptype last)"
            )
        last, profile = len(dims) - 1, dims[-1]
        start = profile.position(
            self.resolve(node.indices[last], profile, last, node.name, context)
        )
        if start + 3 > len(profile.keys):
            self.fail(
                f"{spelled}: {profile.name} needs ptype, ppriority and pwidth from element "
                f"{profile.names[start]} on"
            )
        columns = []
        for offset in range(3):
            at = Subscript(
                node.name, (*node.indices[:last], Index("name", profile.keys[start + offset]))
            )
            values, _ = self.vector(at, context, spelled, place=-2)
            columns.append(values)
        requester = dims[-2]
        for e in requester.keys:
            ptype = (
                *node.indices[: last - 1],
                Index("name", e),
                Index("name", profile.keys[start]),
            )
            keys = tuple(
                self.resolve(index, d, p, node.name, context)
                for p, (index, d) in enumerate(zip(ptype, dims, strict=True))
            )
            self.check_ptype(self.constant(node.name, keys), spelled)
        return list(zip(*columns, strict=True))

    def constant(self, key: str, elements: tuple[str, ...]) -> float | None:
        """The value of element ``elements`` of arrayed variable ``key`` if it is a number
        written in the model, else None."""
        v = self.model[key]
        if not isinstance(v, Constant):
            return None
        written = self.written_constants.get(key)
        if written is None:
            owner, self.owner = self.owner, v.name
            try:
                written = self.written_constants[key] = self.overrides(v, self.arrays[key])
            finally:
                self.owner = owner
        text = written.get(elements, (_general(v), {}))[0]
        try:
            return float(text)
        except (TypeError, ValueError):
            return None

    def check_ptype(self, value: float | None, spelled: str) -> None:
        """Refuse a priority type known before the run that the engine does not have; one
        computed while running is checked then (an unknown one stops the run as NaN)."""
        if value is None or value in PROFILES:
            return
        kind = REFUSED.get(value)
        what = f"{value:g} ({kind})" if kind else f"{value:g}"
        self.fail(
            f"{spelled}: priority type {what} is not supported; the types are 1 rectangular, "
            "2 triangular, 3 normal, 4 exponential"
        )

    def elements(self, node: Node, context: Context) -> list[Node]:
        """``node`` once for each element of the whole dimensions it names (once if none)."""
        free = self.free(node, context)
        if not free:
            return [self.rewrite(node, context)]
        loops = [self.space[d].keys for d in free]
        return [
            self.rewrite(
                _whole(node, self.arrays), {**context, **dict(zip(free, combo, strict=True))}
            )
            for combo in product(*loops)
        ]

    def free(self, node: Node, context: Context) -> list[str]:
        """The whole dimensions ``node`` ranges over, in order of appearance: ``dim!``, ``*``,
        a dimension not bound in ``context``, every dimension of an unsubscripted array."""
        found: dict[str, None] = {}
        stack = [node]
        while stack:
            n = stack.pop()
            kind = type(n)
            if kind is Subscript:
                dims = self.arrays.get(n.name, ())
                for p, index in enumerate(n.indices):
                    if index.kind == "bang" or (index.kind == "star" and index.name):
                        found[index.name] = None
                    elif index.kind == "star" and p < len(dims):
                        found[dims[p].key] = None
                    elif (
                        index.kind == "name"
                        and index.name in self.space
                        and not self._bound_quietly(index.name, context)
                    ):
                        found[index.name] = None
            elif kind is Name and n.name in self.arrays:
                found.update(dict.fromkeys(d.key for d in self.arrays[n.name]))
            elif not _special(n):
                stack.extend(reversed(children(n)))
        for dim in found:
            if dim not in self.space:
                self.fail(f"unknown dimension {dim!r}")
        return list(found)

    def _bound_quietly(self, dim: str, context: Context) -> bool:
        return dim in context or any(self.space.related(o, dim) for o in context)


_UNSET = object()


@dataclass(frozen=True, slots=True)
class _Template:
    """An equation ready to be filled in for each element: ``sites`` resolve its subscripts
    from the context (to a leaf node and its text), ``make`` builds the rewritten tree from
    the leaves, ``text`` is its printed form with ``{i}`` where site ``i`` goes."""

    sites: tuple[Callable[[Context], tuple[Node, str]], ...]
    make: Callable[[list[Node]], Node]
    text: str

    def fill(self, context: Context) -> tuple[Node, str]:
        pairs = [resolve(context) for resolve in self.sites]
        return self.make([p[0] for p in pairs]), self.text.format(*[p[1] for p in pairs])


class _Irregular(Exception):
    """An equation the template cannot build (array builtins, arrayed lookup calls)."""


def _braced(text: str) -> str:
    """Plain text inside a format string."""
    return text.replace("{", "{{").replace("}", "}}")


def _pair(leaf: Node) -> tuple[Node, str]:
    return leaf, print_node(leaf, [])


def _whole(node: Node, arrays: dict) -> Node:
    """``node`` with unsubscripted arrays written ``x[*, *]`` (an array function's argument)."""
    if type(node) is Name and node.name in arrays:
        return Subscript(node.name, tuple(Index("star") for _ in arrays[node.name]))

    def visit(n: Node, kids: list[Node]) -> Node:
        if type(n) is Name and n.name in arrays:
            return Subscript(n.name, tuple(Index("star") for _ in arrays[n.name]))
        if all(k is c for k, c in zip(kids, children(n), strict=True)):
            return n
        return rebuild(n, kids)

    return fold(node, visit, _kids)


def _general(v: Variable) -> str | None:
    """The apply-to-all equation as text; None if the variable is defined element by element."""
    match v:
        case Stock():
            text = v.initial
        case Constant():
            return None if math.isnan(v.value) else repr(v.value)
        case Flow() | Auxiliary():
            text = v.equation
        case _:
            return None
    return text if text.strip() else None


def _replace(v: Variable, **changes) -> Variable:
    """``dataclasses.replace`` without its checks: tens of thousands of elements are made."""
    new = object.__new__(type(v))
    new.__dict__.update(v.__dict__)
    new.__dict__.update(changes)
    return new
