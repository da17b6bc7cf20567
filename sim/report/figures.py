"""Figures of the API's result objects, drawn with the shared figure code of
`sim.uncertainty.figures` and labelled for a reader: target titles, units, no ids."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..plan.figures import latin
from ..uncertainty import figures as uf
from ..uncertainty.plan import met_output
from .labels import human

__all__ = ["map_figure", "prim_figure", "probability_figure", "sensitivity_figure"]


def probability_figure(probabilities: pd.DataFrame, scenario: str, runs: int) -> Figure:
    """P(met) per target (by title) with its interval, all targets jointly last."""
    labels = [
        latin(f"{r.title} ({'≥' if r.comparator == '>=' else '≤'} {r.threshold:,g} {r.unit})")
        if r.id != "all" else "All targets jointly"
        for r in probabilities.itertuples()
    ]  # fmt: skip
    fig = uf.probability_figure(
        labels, probabilities["p_met"], probabilities["lo"], probabilities["hi"],
        title=f"{scenario}: probability each target is met ({runs:,} runs)",
    )  # fmt: skip
    fig.tight_layout()
    return fig


def sensitivity_figure(sens: Any, outcome: str = "met") -> Figure:
    """Targets against inputs; each target's top three drivers always shown."""
    r, ids = sens.result, [t.id for t in sens.targets]
    outputs = [met_output(i) if outcome == "met" else i for i in ids]
    index = [r.outputs.index(o) for o in outputs]
    values = np.asarray(sens.importance)[index]
    interval = None
    if sens.method == "sobol":
        interval = r.total_ci[:, index]
    else:
        values = values / np.maximum(values.max(axis=1, keepdims=True), 1e-300)
    what = "whether it is met (met/missed)" if outcome == "met" else "its metric (value)"
    fig = uf.importance_figure(
        [latin(t.title) for t in sens.targets], list(r.inputs), values,
        title=f"{sens.scenario.name}: which assumptions decide each target: {what}",
        label="total Sobol index (share of variance)" if sens.method == "sobol"
        else f"{sens.method}: importance relative to the target's largest",
        interval=interval, cmap="Purples" if outcome == "met" else "Oranges",
    )  # fmt: skip
    fig.tight_layout()
    return fig


def prim_figure(box: Any, target: str, outcome: str) -> Figure:
    fig = uf.prim_figure(box, title=f"When is {human(target)} {outcome}?")
    fig.tight_layout()
    return fig


def map_figure(run: Any) -> Figure:
    t = run.target
    fig = uf.feasibility_figure(
        run.fmap,
        title=latin(f"{run.scenario.name}: {t.title} ({t.threshold_text()})"),
        marker=run.point,
        marker_label=f"scenario '{run.scenario.name}' (its own values)",
    )
    ax = fig.axes[0]
    ax.set_xlabel(human(run.fmap.x_name))
    ax.set_ylabel(human(run.fmap.y_name))
    fig.tight_layout()
    return fig
