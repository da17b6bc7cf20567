"""Calibration and history matching: let observed data constrain a model.

`load_observations` reads a strict observations file; `calibrate` fits constants by bounded
weighted least squares; `history_match` rules out sampled runs that contradict the data.
Figures live in `sim.calibration.figures` (imported on demand: it loads matplotlib). Names
are imported on first use, so that ``sim batch`` starts without the optimiser's modules.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CalibrationResult",
    "Estimate",
    "FitStatistics",
    "HistoryMatchResult",
    "Observation",
    "Observations",
    "calibrate",
    "fit_statistics",
    "history_match",
    "load_observations",
]

_MODULES = {
    "CalibrationResult": "fit",
    "Estimate": "fit",
    "calibrate": "fit",
    "FitStatistics": "statistics",
    "fit_statistics": "statistics",
    "HistoryMatchResult": "history",
    "history_match": "history",
    "Observation": "observations",
    "Observations": "observations",
    "load_observations": "observations",
}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(f".{_MODULES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
