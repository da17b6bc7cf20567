"""The stacked-area figure of relative loop scores over time, one panel per cycle partition."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .ltm import LoopAnalysis

__all__ = ["plot_loop_scores"]

_COLOURS = {"R": "Reds", "B": "Blues", "U": "Purples"}
_OTHERS = "#bdbdbd"
MINOR = 0.05
"""A loop whose mean relative score never reaches this share is drawn among 'other loops'."""
MOST_LISTED = 10
"""At most this many loops per panel get their own colour and legend entry."""


def plot_loop_scores(analysis: LoopAnalysis, path: str | Path, title: str = "") -> None:
    """Relative loop scores (mean over scenarios) stacked above zero for positive scores and
    below for negative ones; reinforcing loops in reds, balancing in blues, loops that change
    sign in purples. Partitions with a single loop are left out unless there is no other.

    A panel lists its named loops and its strongest ones; the many small loops a model of
    any size has are stacked together in grey, so that the legend stays readable."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    partitions: dict[int, list[int]] = {}
    for j, loop in enumerate(analysis.loops):
        partitions.setdefault(loop.partition, []).append(j)
    shown = [p for p, members in partitions.items() if len(members) > 1] or list(partitions)
    shown = shown[:8]
    mean = analysis.relative.mean(axis=2)
    fig = Figure(figsize=(10, 2.6 * len(shown) + 0.6), layout="constrained")
    axes = fig.subplots(len(shown), 1, squeeze=False)
    for ax, p in zip(axes[:, 0], shown, strict=True):
        listed, others, largest = _listed(analysis, partitions[p], mean)
        colours = _colours(analysis, listed, colormaps)
        columns = [mean[:, j] for j in listed]
        labels = [_label(analysis.loops[j]) for j in listed]
        if others:
            columns.append(None)  # placeholder: the others' parts are summed after clipping
            colours.append(_OTHERS)
            labels.append(
                f"{len(others)} other loops (each < {MINOR:.0%})"
                if largest < MINOR
                else f"{len(others)} other loops (each ≤ {largest:.0%})"
            )
        for clip in ((0, None), (None, 0)):
            parts = [
                np.clip(mean[:, others], *clip).sum(axis=1) if c is None else np.clip(c, *clip)
                for c in columns
            ]
            ax.stackplot(analysis.times, parts, colors=colours, linewidth=0.3, edgecolor="white")
        handles = [Rectangle((0, 0), 1, 1, color=c) for c in colours]
        ax.legend(handles, labels, fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel("relative loop score")
        stocks = sorted({analysis.loops[j].variables[0] for j in partitions[p]})
        ax.set_title(", ".join(stocks)[:90], fontsize=8, loc="left")
    axes[-1, 0].set_xlabel("time")
    fig.suptitle(title or "Loops That Matter: relative loop scores", fontsize=10)
    fig.savefig(path, dpi=120)


def _listed(analysis: LoopAnalysis, members: list[int], mean: np.ndarray):
    """The loops of a panel that get their own entry (those reaching `MINOR`, named ones
    first, then the strongest; at most `MOST_LISTED`), in the analysis's order, the rest,
    and the largest share any of the rest reaches."""
    peak = {j: float(np.nanmax(np.abs(mean[:, j]), initial=0.0)) for j in members}
    strong = [j for j in members if peak[j] >= MINOR]
    ranked = sorted(strong, key=lambda j: (not analysis.loops[j].label, -peak[j]))
    chosen = set(ranked[:MOST_LISTED])
    others = [j for j in members if j not in chosen]
    return [j for j in members if j in chosen], others, max((peak[j] for j in others), default=0)


def _colours(analysis: LoopAnalysis, members: list[int], colormaps) -> list:
    counts: dict[str, int] = {}
    for j in members:
        counts[analysis.loops[j].polarity] = counts.get(analysis.loops[j].polarity, 0) + 1
    seen: dict[str, int] = {}
    colours = []
    for j in members:
        polarity = analysis.loops[j].polarity
        k = seen.get(polarity, 0)
        seen[polarity] = k + 1
        cmap = colormaps[_COLOURS.get(polarity, "Greys")]
        colours.append(cmap(0.45 + 0.45 * (k + 1) / (counts[polarity] + 1)))
    return colours


def _label(loop) -> str:
    text = f"{loop.name} ({loop.polarity})"
    if loop.label:
        text += f" {loop.label}"
    return text
