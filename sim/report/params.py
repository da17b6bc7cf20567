"""The parameters of a scenario or model as a table: name, value, unit, range, source, which
file set it, and which targets it moves.

"Moves" is measured, not guessed: every constant with a range is set to each end of its range,
one at a time, all in one vectorized run (two runs per constant); a target is moved when its
metric changes, and flipped when it turns between met and missed. A target's own lever (from
the targets file) is listed too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..plan.metrics import met, metric_value
from ..plan.targets import TargetSet
from ..scenario import Scenario
from ..simulate import Save

__all__ = ["PARAMETER_COLUMNS", "parameter_frame", "what_moves"]

PARAMETER_COLUMNS = ("name", "value", "unit", "range", "source", "set_by", "lever_of", "moves",
                     "flips")  # fmt: skip


def parameter_frame(scenario: Scenario, targets: TargetSet | None = None) -> pd.DataFrame:
    """One row per constant of the scenario's model (and per time-varying input); with
    ``targets``, which targets each constant is the lever of, moves and flips."""
    moved = what_moves(scenario, targets) if targets is not None and len(targets) else {}
    lever_of: dict[str, list[str]] = {}
    for t in targets or []:
        if t.lever is not None:
            lever_of.setdefault(t.lever.name.lower(), []).append(t.id)
    rows = []
    for c in scenario.model.constants:
        if c.name in scenario.parameters:
            value, set_by = scenario.parameters[c.name], str(scenario.origin[c.name])
        else:
            value, set_by = c.value, "model"
        if c.name in scenario.uncertain:
            set_by = f"uncertain: {scenario.uncertain[c.name].describe()}"
        moves, flips = moved.get(c.name, ((), ()))
        rows.append({
            "name": c.name,
            "value": float(value),
            "unit": c.units,
            "range": "" if c.range is None else f"{c.range[0]:g} to {c.range[1]:g}",
            "source": c.source,
            "set_by": set_by,
            "lever_of": ", ".join(lever_of.get(c.name.lower(), [])),
            "moves": ", ".join(moves),
            "flips": ", ".join(flips),
        })  # fmt: skip
    for name, spec in scenario.inputs.items():
        what = spec.equation or f"times {spec.times}, values {spec.values} ({spec.kind})"
        rows.append({
            "name": name, "value": np.nan, "unit": scenario.model[name].units, "range": "",
            "source": f"time-varying input: {what}", "set_by": str(scenario.origin[name]),
            "lever_of": "", "moves": "", "flips": "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))


def what_moves(
    scenario: Scenario, targets: TargetSet
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """For each constant with a range (the model's, else the range of the lever it is): the
    targets whose metric changes, and those whose verdict flips, when it alone goes to either
    end of its range (one vectorized run)."""
    levers = {t.lever.name.lower(): t.lever.range for t in targets if t.lever is not None}
    spans = {}
    for c in scenario.model.constants:
        span = c.range or levers.get(c.name.lower())
        if span is not None:
            spans[c.name] = span
    ranged = [c for c in scenario.model.constants if c.name in spans]
    if not ranged:
        return {}
    base = {c.name: float(scenario.parameters.get(c.name, c.value)) for c in ranged}
    n = 1 + 2 * len(ranged)
    values = {name: np.full(n, v) for name, v in base.items()}
    for k, c in enumerate(ranged):
        values[c.name][1 + 2 * k] = spans[c.name][0]
        values[c.name][2 + 2 * k] = spans[c.name][1]
    result = scenario.simulate(values, n=n, save=Save(variables=targets.variables))
    out: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    metrics = {t.id: metric_value(result, t) for t in targets}
    flags = {t.id: met(metrics[t.id], t) for t in targets}
    for k, c in enumerate(ranged):
        ends = [1 + 2 * k, 2 + 2 * k]
        moves, flips = [], []
        for t in targets:
            m = metrics[t.id]
            scale = 1e-9 * max(1.0, abs(float(m[0])))
            with np.errstate(invalid="ignore"):
                if np.any(np.abs(m[ends] - m[0]) > scale):
                    moves.append(t.id)
            if np.any(flags[t.id][ends] != flags[t.id][0]):
                flips.append(t.id)
        out[c.name] = (tuple(moves), tuple(flips))
    return out
