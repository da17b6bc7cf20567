"""Reading a TOML input file with the one-line errors the command line prints."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import UserInputError

__all__ = ["read_toml"]


def read_toml(path: str | Path) -> dict[str, Any]:
    """The tables of ``path``; an unreadable file or bad TOML is a `UserInputError` naming it."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserInputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(f"not valid TOML: {exc}", file=str(path)) from None
