"""A compiled batch kernel: the model lowered to an instruction list (`lower`), run by one
numba-compiled interpreter (`interpreter`) over blocks of scenarios.

No source text is generated or compiled: the interpreter is compiled once per machine (numba's
cache) and reads any model's instructions as data, so equations stay syntax trees parsed by
the project. `simulate` uses it for large batches when numba is installed (``pip install
'sdsim[fast]'``) and the model is supported, else the numpy engine, which it matches to
rounding.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache

from ..compiler import CompiledModel
from ..errors import UserInputError
from .lower import Program, Unsupported, lower_model

__all__ = ["ENGINES", "THRESHOLD", "Program", "Unsupported", "available", "choose", "lower_model"]

ENGINES = ("auto", "numpy", "kernel")
THRESHOLD = 1000
"""Scenarios from which `simulate` uses the kernel by default: below it numpy's per-call cost
is small and the kernel's (numba's import, a first lowering) is not worth it."""


@cache
def available() -> bool:
    """Whether numba is installed (it is imported only when the kernel runs)."""
    return importlib.util.find_spec("numba") is not None


def choose(engine: str | None, compiled: CompiledModel, n: int) -> Program | None:
    """The program to run on the kernel, or None for the numpy engine.

    ``engine`` (default: the ``SIM_ENGINE`` environment variable, else ``"auto"``) is
    ``"numpy"``, ``"kernel"`` (an error if numba is missing or the model unsupported) or
    ``"auto"``: the kernel when numba is installed, ``n >= THRESHOLD`` and the model
    supported.
    """
    field = "engine"
    if engine is None:
        engine, field = os.environ.get("SIM_ENGINE") or "auto", "SIM_ENGINE"
    engine = engine.strip().lower()
    if engine not in ENGINES:
        known = ", ".join(ENGINES)
        raise UserInputError(f"unknown engine {engine!r} (known: {known})", field=field)
    if engine == "numpy" or (engine == "auto" and (n < THRESHOLD or not available())):
        return None
    if not available():
        why = "the kernel engine needs numba: pip install 'sdsim[fast]'"
        raise UserInputError(why, field=field)
    try:
        return lower_model(compiled)
    except Unsupported as exc:
        if engine == "kernel":
            raise UserInputError(
                f"the kernel cannot run model {compiled.model.name!r}: it does not support {exc}",
                field=field,
            ) from None
        return None
