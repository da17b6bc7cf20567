"""Why a model behaves as it does: unit checking (`units`) and feedback-loop dominance
(`loops`, `ltm`). Everything here reads the model as data and knows nothing of any plan.

Names are imported on first use, so that ``sim`` starts without networkx or pint.
"""

from __future__ import annotations

import importlib

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

_HOME = {"UnitIssue": "units", "UnitReport": "units", "check_units": "units"}


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_HOME.get(name, 'ltm')}", __name__)
    return getattr(module, name)
