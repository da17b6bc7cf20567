"""sdsim: a vectorized system-dynamics simulator that judges plan targets.

Every run is a batch: constants may be arrays of shape ``(n,)`` and one call simulates ``n``
scenarios.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .compiler import CompiledModel, compile_model
from .errors import ModelError, NonFiniteError, ParseError, SimError, UserInputError
from .integrators import INTEGRATORS, ButcherTableau, get_integrator
from .model import Auxiliary, Constant, Flow, GraphicalFunction, Lookup, Model, Stock, TimeSpec
from .modelfile import load_model, loads_model, save_model
from .models import resolve_model
from .ranges import OutOfRangeWarning
from .results import Result
from .simulate import Save, simulate

__all__ = [
    "INTEGRATORS",
    "Auxiliary",
    "ButcherTableau",
    "CalibrationResult",
    "CompiledModel",
    "Constant",
    "Flow",
    "GraphicalFunction",
    "HistoryMatchResult",
    "Lookup",
    "Model",
    "ModelError",
    "NonFiniteError",
    "OutOfRangeWarning",
    "ParseError",
    "Result",
    "Save",
    "SimError",
    "Stock",
    "TimeSpec",
    "UserInputError",
    "__version__",
    "calibrate",
    "compile_model",
    "get_integrator",
    "history_match",
    "load_model",
    "loads_model",
    "resolve_model",
    "save_model",
    "simulate",
]

_LAZY = ("calibrate", "CalibrationResult", "history_match", "HistoryMatchResult")


def __getattr__(name: str):
    """Calibration and history matching load scipy's optimiser and statistics: only on use."""
    if name in _LAZY:
        from . import calibration

        return getattr(calibration, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
