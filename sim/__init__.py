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
from .scenario import Scenario
from .simulate import Save, simulate

_API = {
    "BatchRun", "Discovery", "MapRun", "Runs", "Sensitivity", "batch", "discover",
    "feasibility_map", "load_scenario", "run", "scenario_from_dict", "sensitivity",
}  # fmt: skip


_CALIBRATION = {"calibrate", "CalibrationResult", "history_match", "HistoryMatchResult"}


def __getattr__(name: str):
    """The user-level API (`sim.api`, which brings pandas) and calibration (scipy's optimiser
    and statistics) load on first use: the command line and the engine do not need them."""
    if name in _API:
        from . import api

        return getattr(api, name)
    if name in _CALIBRATION:
        from . import calibration

        return getattr(calibration, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "INTEGRATORS",
    "Auxiliary",
    "BatchRun",
    "ButcherTableau",
    "CalibrationResult",
    "CompiledModel",
    "Constant",
    "Discovery",
    "Flow",
    "GraphicalFunction",
    "HistoryMatchResult",
    "Lookup",
    "MapRun",
    "Model",
    "ModelError",
    "NonFiniteError",
    "OutOfRangeWarning",
    "ParseError",
    "Result",
    "Runs",
    "Save",
    "Scenario",
    "Sensitivity",
    "SimError",
    "Stock",
    "TimeSpec",
    "UserInputError",
    "__version__",
    "batch",
    "calibrate",
    "compile_model",
    "discover",
    "feasibility_map",
    "get_integrator",
    "history_match",
    "load_model",
    "load_scenario",
    "loads_model",
    "resolve_model",
    "run",
    "save_model",
    "scenario_from_dict",
    "sensitivity",
    "simulate",
]
