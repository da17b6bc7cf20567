"""Why a model behaves as it does: unit checking (`units`) and feedback-loop dominance
(`loops`, `ltm`). Everything here reads the model as data and knows nothing of any plan."""

from .units import UnitIssue, UnitReport, check_units

__all__ = ["UnitIssue", "UnitReport", "check_units"]
