"""Vensim `.mdl` models read into the project's `Model` (see `reader`)."""

from .reader import read_vensim, reads_vensim

__all__ = ["read_vensim", "reads_vensim"]
