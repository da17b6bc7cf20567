"""Reading a TOML input file with the one-line errors the command line prints."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import UserInputError
from .inputfile import read_input_text

__all__ = ["read_toml"]


def read_toml(path: str | Path) -> dict[str, Any]:
    """The tables of ``path``; an unreadable or binary file or bad TOML is a `UserInputError`
    naming it."""
    path = Path(path)
    text = read_input_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(f"not valid TOML: {exc}", file=str(path)) from None
