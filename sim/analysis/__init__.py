"""Why a model behaves as it does: unit checking (`units`) and feedback-loop dominance
(`loops`, `ltm`). Everything here reads the model as data and knows nothing of any plan."""

from .ltm import Loop, LoopAnalysis, Period, analyse_loops, dominant_loops
from .units import UnitIssue, UnitReport, check_units

__all__ = [
    "Loop",
    "LoopAnalysis",
    "Period",
    "UnitIssue",
    "UnitReport",
    "analyse_loops",
    "check_units",
    "dominant_loops",
]
