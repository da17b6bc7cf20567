"""sdsim: a vectorized system-dynamics simulator that judges plan targets.

Every run is a batch: constants may be arrays of shape ``(n,)`` and one call simulates ``n``
scenarios.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ModelError, ParseError, SimError, UserInputError
from .model import Auxiliary, Constant, Flow, GraphicalFunction, Lookup, Model, Stock, TimeSpec
from .modelfile import load_model, loads_model, save_model

__all__ = [
    "Auxiliary",
    "Constant",
    "Flow",
    "GraphicalFunction",
    "Lookup",
    "Model",
    "ModelError",
    "ParseError",
    "SimError",
    "Stock",
    "TimeSpec",
    "UserInputError",
    "__version__",
    "load_model",
    "loads_model",
    "save_model",
]
