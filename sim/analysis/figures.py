"""The stacked-area figure of relative loop scores over time, one panel per cycle partition."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .ltm import LoopAnalysis

__all__ = ["plot_loop_scores"]

_COLOURS = {"R": "Reds", "B": "Blues", "U": "Purples"}


def plot_loop_scores(analysis: LoopAnalysis, path: str | Path, title: str = "") -> None:
    """Relative loop scores (mean over scenarios) stacked above zero for positive scores and
    below for negative ones; reinforcing loops in reds, balancing in blues, loops that change
    sign in purples. Partitions with a single loop are left out unless there is no other."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    partitions: dict[int, list[int]] = {}
    for j, loop in enumerate(analysis.loops):
        partitions.setdefault(loop.partition, []).append(j)
    shown = [p for p, members in partitions.items() if len(members) > 1] or list(partitions)
    shown = shown[:8]
    mean = analysis.relative.mean(axis=2)
    fig, axes = plt.subplots(len(shown), 1, figsize=(9, 2.6 * len(shown) + 0.6), squeeze=False)
    for ax, p in zip(axes[:, 0], shown, strict=True):
        members = partitions[p]
        colours = _colours(analysis, members, plt)
        for part in (np.clip(mean[:, members], 0, None), np.clip(mean[:, members], None, 0)):
            ax.stackplot(analysis.times, part.T, colors=colours, linewidth=0.3, edgecolor="white")
        handles = [plt.Rectangle((0, 0), 1, 1, color=colours[i]) for i in range(len(members))]
        labels = [_label(analysis.loops[j]) for j in members]
        ax.legend(handles, labels, fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel("relative loop score")
        stocks = sorted({analysis.loops[j].variables[0] for j in members})
        ax.set_title(", ".join(stocks)[:90], fontsize=8, loc="left")
    axes[-1, 0].set_xlabel("time")
    fig.suptitle(title or "Loops That Matter: relative loop scores", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _colours(analysis: LoopAnalysis, members: list[int], plt) -> list:
    counts: dict[str, int] = {}
    for j in members:
        counts[analysis.loops[j].polarity] = counts.get(analysis.loops[j].polarity, 0) + 1
    seen: dict[str, int] = {}
    colours = []
    for j in members:
        polarity = analysis.loops[j].polarity
        k = seen.get(polarity, 0)
        seen[polarity] = k + 1
        cmap = plt.get_cmap(_COLOURS.get(polarity, "Greys"))
        colours.append(cmap(0.45 + 0.45 * (k + 1) / (counts[polarity] + 1)))
    return colours


def _label(loop) -> str:
    text = f"{loop.name} ({loop.polarity})"
    if loop.label:
        text += f" {loop.label}"
    return text
