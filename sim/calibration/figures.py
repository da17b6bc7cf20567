"""Figures of calibration and history matching (matplotlib, Agg canvas, no pyplot state).

* `fit_figure`: each observed variable's trajectory at the estimate, the data with error bars.
* `paired_probability_bars`: prior against posterior P(met) per target, with intervals.
* `marginals_figure`: each drawn parameter's histogram, prior against kept.
* `band_figure`: observations against the kept (and prior) runs' 90 % band.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .observations import Z95, Observations

__all__ = ["band_figure", "fit_figure", "marginals_figure", "paired_probability_bars"]

_MODEL, _DATA, _PRIOR, _POST = "#3b6ea5", "#c0392b", "#9aa5b1", "#2a7f62"


def _grid(n: int, width: float = 4.6, height: float = 3.2, columns: int = 3) -> tuple[Figure, list]:
    columns = min(n, columns)
    rows = -(-n // columns)
    fig = Figure(figsize=(width * columns, height * rows + 0.6))
    axes = list(fig.subplots(rows, columns, squeeze=False).flat)
    for ax in axes[n:]:
        ax.set_axis_off()
    return fig, axes[:n]


def _save(fig: Figure, path: Path | str, *, tight: bool = True) -> Path:
    """Write ``fig``; ``tight=False`` for large grids, where tight_layout costs seconds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    top = 1 - (0.45 if tight else 0.8) / fig.get_figheight()
    if tight:
        fig.tight_layout(rect=(0, 0, 1, top))
    else:
        fig.subplots_adjust(left=0.02, right=0.99, bottom=0.03, top=top, wspace=0.15, hspace=0.55)
    fig.savefig(path, dpi=100)
    return path


def _finish(fig: Figure, axes: list, title: str, path: Path | str, tight: bool = True) -> Path:
    axes[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=11)
    return _save(fig, path, tight=tight)


def _data(ax, observations: Observations, variable: str) -> None:
    """A panel of one observed variable over model time: the observations with ±1.96 sd
    (measurement) and, lighter, ±1.96 sqrt(sd² + discrepancy²)."""
    ax.set_title(variable, fontsize=10)
    ax.set_xlabel("model time")
    ax.grid(alpha=0.3)
    rows = [o for o in observations if o.variable == variable]
    t = np.array([o.time for o in rows])
    z = np.array([o.value for o in rows])
    sd = np.array([o.sd for o in rows])
    total = np.array([o.scale for o in rows])
    if np.any(total > sd):
        ax.errorbar(
            t,
            z,
            yerr=Z95 * total,
            fmt="none",
            ecolor=_DATA,
            alpha=0.35,
            lw=4,
            label="± 1.96 sd with discrepancy",
        )
    ax.errorbar(
        t, z, yerr=Z95 * sd, fmt="o", color=_DATA, ms=4, capsize=3, lw=1.2, label="data ± 1.96 sd"
    )


def fit_figure(
    path: Path | str,
    observations: Observations,
    times: np.ndarray,
    trajectories: dict[str, np.ndarray],
    *,
    title: str,
) -> Path:
    """The fitted model (a line per observed variable) against the data."""
    variables = observations.variables
    fig, axes = _grid(len(variables))
    for ax, variable in zip(axes, variables, strict=True):
        ax.plot(times, trajectories[variable], color=_MODEL, lw=2, label="model at the estimate")
        _data(ax, observations, variable)
    return _finish(fig, axes, title, path)


def paired_probability_bars(
    path: Path | str,
    labels: Sequence[str],
    prior: Sequence[tuple[float, float, float]],
    posterior: Sequence[tuple[float, float, float]],
    *,
    title: str,
) -> Path:
    """Prior and posterior P(met) side by side per target; each ``(p, low, high)``."""
    y = np.arange(len(labels))[::-1].astype(float)
    fig = Figure(figsize=(8, 0.5 * len(labels) + 1.5))
    ax = fig.add_subplot()
    for values, shift, color, name in (
        (prior, 0.2, _PRIOR, "prior (all runs)"),
        (posterior, -0.2, _POST, "kept by the data"),
    ):
        p, lo, hi = (np.array([v[i] for v in values], dtype=float) for i in range(3))
        ax.barh(y + shift, p, height=0.38, color=color, label=name)
        ax.errorbar(
            p, y + shift, xerr=[p - lo, hi - p], fmt="none", ecolor="black", lw=0.8, capsize=2
        )
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability the target is met (bars: 95 % interval)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=10)
    return _save(fig, path)


def marginals_figure(
    path: Path | str,
    names: Sequence[str],
    edges: Sequence[np.ndarray],
    prior: Sequence[np.ndarray],
    kept: Sequence[np.ndarray],
    *,
    title: str,
) -> Path:
    """Per parameter: the prior's and the kept runs' histograms, each normalised to 1."""
    fig, axes = _grid(len(names), 2.6, 1.8, columns=6)
    for ax, name, e, a, b in zip(axes, names, edges, prior, kept, strict=True):
        for counts, color, label in ((a, _PRIOR, "prior"), (b, _POST, "kept")):
            total = counts.sum()
            if total:
                ax.stairs(
                    counts / total,
                    e,
                    color=color,
                    fill=label == "prior",
                    alpha=0.7,
                    label=label,
                    lw=1.5,
                )
        ax.set_title(name, fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(3))  # few ticks: 60 panels draw in a second
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    return _finish(fig, axes, title, path, tight=len(axes) <= 12)


def band_figure(
    path: Path | str,
    observations: Observations,
    variables: Sequence[str],
    times: np.ndarray,
    prior: dict[str, np.ndarray],
    kept: dict[str, np.ndarray],
    *,
    title: str,
) -> Path:
    """Per observed variable: the 5-95 % band of the prior and of the kept runs (``(T, 2)``
    each), and the observations with their uncertainty."""
    fig, axes = _grid(len(variables))
    for ax, variable in zip(axes, variables, strict=True):
        p = prior[variable]
        ax.fill_between(times, p[:, 0], p[:, 1], color=_PRIOR, alpha=0.4, label="prior 90 %")
        if variable in kept:
            k = kept[variable]
            ax.fill_between(times, k[:, 0], k[:, 1], color=_POST, alpha=0.5, label="kept 90 %")
        _data(ax, observations, variable)
    return _finish(fig, axes, title, path)
