"""Human labels for figures and reports: titles from the targets file, units on every axis,
no snake_case ids."""

from __future__ import annotations

from ..model import Model
from ..plan.figures import latin
from ..plan.targets import TargetSet

__all__ = ["human", "unit_label", "variable_title"]


def human(text: str) -> str:
    """An id made readable: ``nurses_per_1000`` becomes ``nurses per 1000``."""
    return text.replace("_", " ")


def unit_label(units: str) -> str:
    """An axis label for ``units``: ``ratio`` for dimensionless, CJK spelt in Latin."""
    if not units or units == "dimensionless":
        return "ratio (dimensionless)"
    return latin(units)


def variable_title(name: str, model: Model | None, targets: TargetSet | None) -> str:
    """The title of a model variable: its label in the targets file, the title of the
    target that measures exactly it, else its name made readable."""
    key = name.replace(" ", "_").lower()
    if targets is not None:
        for sector in targets.sectors.values():
            for context in sector.context:
                if context.variable.lower() == key and context.label:
                    return latin(context.label)
        for target in targets:
            if target.metric.strip().lower() == key:
                return latin(target.title)
    if model is not None and name in model:
        name = model[name].name
    return human(name).capitalize()
