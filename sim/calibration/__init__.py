"""Calibration and history matching: let observed data constrain a model.

`load_observations` reads a strict observations file; `calibrate` fits constants by bounded
weighted least squares; `history_match` rules out sampled runs that contradict the data.
Figures live in `sim.calibration.figures` (imported on demand: it loads matplotlib).
"""

from __future__ import annotations

from .fit import CalibrationResult, Estimate, calibrate
from .history import HistoryMatchResult, history_match
from .observations import Observation, Observations, load_observations
from .statistics import FitStatistics, fit_statistics

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
