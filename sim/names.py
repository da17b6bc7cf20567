"""Identifier normalisation, XMILE style: case-insensitive, spaces and underscores equivalent."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["canonical"]

_SEPARATORS = re.compile(r"[\s_]+")


@lru_cache(maxsize=1 << 16)  # compiling a model asks for each name's key many times
def canonical(name: str) -> str:
    """The key under which a variable name is compared and stored.

    ``"Teacup  Temperature"``, ``"teacup_temperature"`` and ``"TEACUP\\nTEMPERATURE"`` are the
    same variable; quotes around a name are not part of it.
    """
    text = name.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    text = text.replace("\\n", " ")
    return _SEPARATORS.sub("_", text.strip()).lower()
