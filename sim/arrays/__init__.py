"""Arrays: dimensions, subscripts and array builtins, expanded into the scalar model of the
elements before lowering (see `expand`)."""

from .expand import element_name, expand

__all__ = ["element_name", "expand"]
