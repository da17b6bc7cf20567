"""Plan targets and their feasibility: targets as data, metrics over results, lever search,
verdicts, and the report and figures that show them."""

from __future__ import annotations

from .data import Comparison, DataRow, compare_with_data, read_data
from .feasibility import ScenarioVerdict, TargetVerdict, assess
from .levers import LeverSolution, solve_levers
from .metrics import (
    MET_RTOL,
    evaluate_targets,
    first_year_met,
    lost_year,
    margins,
    met,
    metric_series,
    metric_value,
)
from .targets import ContextVariable, Lever, Sector, Target, TargetSet, load_targets

__all__ = [
    "MET_RTOL",
    "Comparison",
    "ContextVariable",
    "DataRow",
    "Lever",
    "LeverSolution",
    "ScenarioVerdict",
    "Sector",
    "Target",
    "TargetSet",
    "TargetVerdict",
    "assess",
    "compare_with_data",
    "evaluate_targets",
    "first_year_met",
    "load_targets",
    "lost_year",
    "margins",
    "met",
    "metric_series",
    "metric_value",
    "read_data",
    "solve_levers",
]
