"""Scenarios compared on chosen variables: one figure (a panel per variable, a line per
scenario in its own colour) and a table of differences against the first scenario."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from ..colors import scenario_color
from ..errors import UserInputError
from ..plan.targets import TargetSet
from .labels import unit_label, variable_title

__all__ = ["compare_figure", "difference_table", "select"]


def select(trajectories: pd.DataFrame, variables: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    known = list(dict.fromkeys(trajectories["variable"]))
    lower = {v.lower(): v for v in known}
    chosen = []
    for v in variables:
        name = lower.get(v.replace(" ", "_").lower())
        if name is None:
            import difflib

            close = difflib.get_close_matches(v, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UserInputError(f"no variable named {v!r}{hint}", field="--vars")
        chosen.append(name)
    return trajectories[trajectories["variable"].isin(chosen)], chosen


def compare_figure(
    trajectories: pd.DataFrame, variables: Sequence[str], targets: TargetSet | None = None
) -> Figure:
    """A panel per variable: its title, its unit on the y axis, years on the x axis."""
    frame, chosen = select(trajectories, variables)
    if not chosen:
        raise UserInputError("name at least one variable", field="--vars")
    cols = 1 if len(chosen) == 1 else 2 if len(chosen) in (2, 4) else 3
    rows = math.ceil(len(chosen) / cols)
    fig = Figure(figsize=(5.2 * cols, 3.6 * rows + 1.0), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    scenarios = list(dict.fromkeys(frame["scenario"]))
    for ax, name in zip(axes, chosen, strict=False):
        part = frame[frame["variable"] == name]
        for s in scenarios:
            line = part[part["scenario"] == s]
            ax.plot(line["year"], line["value"], marker="o", ms=3.5, lw=1.8,
                    color=scenario_color(s), label=s)  # fmt: skip
        ax.set_title(variable_title(name, None, targets), fontsize=10.5)
        ax.set_ylabel(unit_label(part["unit"].iloc[0] if len(part) else ""))
        ax.set_xlabel("year (levels at year-end, flows during the year)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.6g}"))
        ax.grid(alpha=0.3)
    for ax in axes[len(chosen) :]:
        ax.set_axis_off()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(6, len(labels)),
               frameon=False)  # fmt: skip
    fig.suptitle("Scenarios compared", fontsize=13, weight="bold")
    return fig


def difference_table(trajectories: pd.DataFrame, variables: Sequence[str]) -> pd.DataFrame:
    """For each variable, scenario after the first, and year: its value, the first
    scenario's, and the difference (absolute and relative)."""
    frame, chosen = select(trajectories, variables)
    scenarios = list(dict.fromkeys(frame["scenario"]))
    base = frame[frame["scenario"] == scenarios[0]][["variable", "year", "value"]]
    base = base.rename(columns={"value": "reference"})
    rest = frame[frame["scenario"] != scenarios[0]]
    out = rest.merge(base, on=["variable", "year"], how="left")
    out["difference"] = out["value"] - out["reference"]
    ref = out["reference"].where(out["reference"] != 0)
    out["relative"] = out["difference"] / ref.abs()
    out.insert(1, "against", scenarios[0])
    rank = {**{v: i for i, v in enumerate(chosen)}, **{n: i for i, n in enumerate(scenarios)}}
    out = out.sort_values(["variable", "scenario", "year"], key=lambda c: c.map(rank)
                          if c.name != "year" else c, kind="stable")  # fmt: skip
    return out[["scenario", "against", "variable", "year", "value", "reference",
                "difference", "relative", "unit"]].reset_index(drop=True)  # fmt: skip
