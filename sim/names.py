"""Identifier normalisation, XMILE style: case-insensitive, spaces and underscores equivalent;
and the one rule for names that become file or folder names."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["FILE_NAME", "canonical", "file_name"]

_SEPARATORS = re.compile(r"[\s_]+")

FILE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
"""Scenario names and target and sector ids: they name results folders and figure files, so
nothing that could climb out of a folder (``/``, ``..``) or hide a file (a leading dot)."""


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


def file_name(name: str, what: str = "name") -> str:
    """``name`` unchanged if it matches `FILE_NAME`; a `ValueError` saying why otherwise."""
    if not FILE_NAME.fullmatch(name):
        raise ValueError(
            f"{what} {name!r} is used as a file name: use 1 to 80 letters (a-z, A-Z), digits, "
            "'_' or '-'"
        )
    return name
