"""The one JSON writer: strict JSON, where a number that is not finite becomes ``null``.

Python's `json` writes NaN and infinity as the bare tokens ``NaN`` and ``Infinity``, which
are not JSON: strict parsers (JavaScript's ``JSON.parse``, jq, Go, Rust) reject the file.
Every JSON the tool writes or prints goes through `dumps`, which writes ``null`` for them,
accepts numpy numbers and arrays, and refuses (``allow_nan=False``) anything it missed.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

__all__ = ["dumps", "finite_or_none"]


def finite_or_none(data: Any) -> Any:
    """``data`` with every non-finite float replaced by None, numpy values made plain."""
    if isinstance(data, dict):
        return {k: finite_or_none(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite_or_none(v) for v in data]
    if isinstance(data, np.ndarray):
        return finite_or_none(data.tolist())
    if isinstance(data, np.generic):
        data = data.item()
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Strict JSON text of ``data`` (UTF-8 characters kept as they are)."""
    return json.dumps(finite_or_none(data), indent=indent, ensure_ascii=False, allow_nan=False)
