"""Figures of batch results, readable without the code: PNG files written with matplotlib.

Each function draws one figure from a result object and writes it to ``path``. Figures are
built on `matplotlib.figure.Figure` directly (the Agg canvas), so nothing touches pyplot's
global state or needs a display.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

from ..collector import collector_paused
from .feasibility import FeasibilityMap
from .prim import PrimResult
from .sensitivity import SobolResult
from .tornado import TornadoResult

__all__ = [
    "Fan",
    "fan_chart",
    "fan_grid",
    "feasibility_chart",
    "feasibility_figure",
    "importance_heatmap",
    "prim_chart",
    "prim_figure",
    "probability_bars",
    "probability_figure",
    "sobol_bars",
    "steady_limits",
    "tornado_chart",
    "warm_up",
]

_MET, _MISSED, _BAND = "#2a7f62", "#c0392b", "#3b6ea5"
_UNCERTAIN = "#e0a100"


def _save(fig: Figure, path: Path | str) -> Path:
    path = Path(path)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


@dataclass(frozen=True)
class Fan:
    """One trajectory's quantile bands ``(T, 5)`` (5, 25, 50, 75, 95 %) at ``times``, and the
    target as a point (time, value)."""

    title: str
    ylabel: str
    times: Sequence[float]
    bands: np.ndarray
    target: tuple[float, float] | None = None
    target_label: str = "target"


def _draw_fan(
    ax: Any, fan: Fan, *, legend: bool, fontsize: float = 10, xlabel: bool = True
) -> None:
    t = np.asarray(fan.times, dtype=float)
    b = fan.bands
    ax.fill_between(t, b[:, 0], b[:, 4], color=_BAND, alpha=0.2, label="5–95 %")
    ax.fill_between(t, b[:, 1], b[:, 3], color=_BAND, alpha=0.4, label="25–75 %")
    ax.plot(t, b[:, 2], color=_BAND, lw=2, label="median")
    if fan.target is not None:
        ax.plot(*fan.target, marker="D", ms=8, color=_MISSED, ls="none", label=fan.target_label)
        ax.axhline(fan.target[1], color=_MISSED, lw=0.8, ls=":")
    ax.set_title(fan.title, fontsize=fontsize)
    ax.set_ylabel(fan.ylabel, fontsize=fontsize - 1)
    if xlabel:
        ax.set_xlabel("year", fontsize=fontsize - 1)
    values = [b[np.isfinite(b)]] + ([np.array([fan.target[1]])] if fan.target else [])
    steady_limits(ax, np.concatenate(values))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
    ax.tick_params(labelsize=fontsize - 2)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(loc="upper left", fontsize=fontsize - 2)


def steady_limits(ax: Any, values: np.ndarray, floor: float = 1e-9) -> None:
    """Y limits that do not magnify rounding noise: when ``values`` span less than ``floor``
    of their size (say 1e-17 around zero), show a unit band (or ±10 %) around them."""
    if not len(values):
        return
    lo, hi = float(np.min(values)), float(np.max(values))
    size = max(abs(lo), abs(hi))
    if hi - lo <= floor * max(size, 1.0):
        middle = (hi + lo) / 2
        half = 0.1 * size if size > floor else 1.0  # all but zero: a unit either side
        ax.set_ylim(middle - half, middle + half)


def fan_chart(path: Path | str, fan: Fan, *, samples: int | None = None) -> Path:
    """Quantile bands (5–95 %, 25–75 %) and the median of a trajectory over time, with the
    target as a marker at the time it applies."""
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    runs = f" ({samples:,} runs)" if samples else ""
    _draw_fan(ax, Fan(fan.title + runs, *astuple(fan)[1:]), legend=True)
    ax.set_xlabel("year")
    return _save(fig, path)


def fan_grid(
    path: Path | str,
    fans: Sequence[Fan],
    *,
    title: str,
    columns: int = 4,
    workers: int | None = None,
    alongside: Sequence[Callable[[], object]] = (),
) -> Path:
    """Many fan charts on one page: every target at a glance.

    Drawing text is most of the time a figure takes, so the page has as little as reads well
    (the year axis labelled under each column, few y ticks, no layout pass), and its upper and
    lower rows are drawn on every core at once (`sim.drawing`), then joined into one PNG.
    ``alongside``: other drawing jobs (that write their own files) to run at the same time."""
    from PIL import Image

    from ..drawing import draw_parallel

    rows = -(-len(fans) // columns)
    split = -(-rows // 2) if rows > 1 else rows
    parts = [(0, split), (split, rows)] if split < rows else [(0, rows)]
    jobs = [
        partial(_fan_rows, fans, title=title if first == 0 else None, columns=columns,
                rows=(first, last))
        for first, last in parts
    ]  # fmt: skip
    with collector_paused():
        drawn = draw_parallel([*alongside, *jobs], workers=workers)
    image = Image.fromarray(np.concatenate(drawn[len(alongside) :], axis=0))
    image.save(path, format="png", compress_level=1)
    return Path(path)


_PANEL_W, _PANEL_H, _TITLE_H = 4.2, 3.0, 0.8
_FAST_TEXT = {"text.hinting": "none"}  # unhinted glyphs: a quarter less time, same at 80 dpi


def _fan_rows(
    fans: Sequence[Fan], *, title: str | None, columns: int, rows: tuple[int, int]
) -> np.ndarray:
    """Rows ``first`` to ``last`` of the grid as RGB pixels (the title above the first)."""
    with rc_context(_FAST_TEXT):
        return _draw_fan_rows(fans, title=title, columns=columns, rows=rows)


def _draw_fan_rows(
    fans: Sequence[Fan], *, title: str | None, columns: int, rows: tuple[int, int]
) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    first, last = rows
    n = last - first
    top = _TITLE_H if title else 0.45  # room for the first row's titles
    below = 0.5 if (last * columns) >= len(fans) else 0.25  # the last part has year labels
    height = _PANEL_H * n + top + below - 0.5
    fig = Figure(figsize=(_PANEL_W * columns, height), dpi=80)
    axes = fig.subplots(n, columns, squeeze=False)
    for k, ax in enumerate(axes.flat):
        i = first * columns + k
        bottom = i + columns >= len(fans)  # nothing drawn below this panel
        if i < len(fans):
            _draw_fan(ax, fans[i], legend=i == 0, fontsize=9, xlabel=bottom)
            if not bottom:  # the years are read under the column: no ticks to build here
                ax.xaxis.set_major_locator(NullLocator())
        else:
            ax.set_axis_off()
    if title:
        fig.suptitle(title, fontsize=13)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=below / height, top=1 - top / height,
                        wspace=0.3, hspace=0.45)  # fmt: skip
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def warm_up() -> None:
    """Load the fonts and fill matplotlib's caches with a tiny drawing, so that processes
    forked to draw afterwards start warm (`sim batch` does this while its batch runs)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with rc_context(_FAST_TEXT):
        fig = Figure(figsize=(2, 1), dpi=40)
        fig.suptitle("warm-up: 0123456789 ≥ ≤ %, year")
        FigureCanvasAgg(fig).draw()


def probability_bars(
    path: Path | str,
    labels: Sequence[str],
    p: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    title: str,
) -> Path:
    """Horizontal bars of P(met) with their 95 % intervals, one per target. Margins are set
    from the labels' length rather than by a layout pass (which would draw everything twice)."""
    with collector_paused(), rc_context(_FAST_TEXT):
        fig = probability_figure(labels, p, low, high, title=title)
        height = fig.get_size_inches()[1]
        longest = max((len(label) for label in labels), default=10)
        label_width = 0.3 + longest * 8 * 0.52 / 72  # inches of 8-point text
        width = label_width + 5.5
        fig.set_size_inches(width, height)
        fig.axes[0].set_title("")
        fig.suptitle(title, x=0.5, y=1 - 0.15 / height, va="top", fontsize=11)
        fig.subplots_adjust(left=label_width / width, right=0.96, top=1 - 0.55 / height,
                            bottom=0.7 / height)  # fmt: skip
        fig.savefig(path, dpi=110, pil_kwargs={"compress_level": 1})
    return Path(path)


def probability_figure(
    labels: Sequence[str],
    p: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    title: str,
) -> Figure:
    """The figure of `probability_bars`, not saved."""
    p, low, high = (np.asarray(v, dtype=float) for v in (p, low, high))
    fig = Figure(figsize=(7.5, 0.45 * len(labels) + 1.4))
    ax = fig.add_subplot()
    y = np.arange(len(labels))[::-1]
    from .feasibility import likelihood_label

    palette = {"likely": _MET, "uncertain": _UNCERTAIN, "unlikely": _MISSED}
    colors = [
        palette[likelihood_label(*v)] if np.isfinite(v).all() else "#cccccc"
        for v in zip(p, low, high, strict=True)
    ]
    ax.barh(y, p, color=colors, alpha=0.85)
    ax.errorbar(p, y, xerr=[p - low, high - p], fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, v in zip(y, p, strict=True):
        ax.text(min(v + 0.02, 0.9), yi, f"{v:.0%}", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.axvline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_xlabel(
        "probability the target is met (bars: 95 % interval)\n"
        "green likely, amber uncertain, red unlikely"
    )
    ax.set_ylabel("plan target")
    ax.set_title(title)
    return fig


def sobol_bars(
    path: Path | str, result: SobolResult, output: str, *, title: str, top: int | None = None
) -> Path:
    """First-order (alone) and total (with interactions) Sobol' indices of one output, with
    their intervals, largest total first (the ``top`` largest only, if given)."""
    i = result.outputs.index(output)
    order = np.argsort(-result.total[i], kind="stable")[:top]
    names = [result.inputs[j] for j in order]
    fig = Figure(figsize=(7.5, 0.38 * len(names) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(names))[::-1]
    for offset, values, ci, label, color in (
        (0.2, result.first[i], result.first_ci[:, i], "first order (alone)", _BAND),
        (-0.2, result.total[i], result.total_ci[:, i], "total (with interactions)", "#e08e0b"),
    ):
        v, lo, hi = values[order], ci[0][order], ci[1][order]
        ax.barh(y + offset, v, height=0.38, color=color, label=label)
        err = [np.maximum(v - lo, 0), np.maximum(hi - v, 0)]
        ax.errorbar(v, y + offset, xerr=err, fmt="none", ecolor="black", capsize=2, lw=0.8)
    for yi, j in zip(y, order, strict=True):
        for offset, v in ((0.2, result.first[i, j]), (-0.2, result.total[i, j])):
            if not 0 <= v <= 1:
                ax.text(1.0, yi + offset, f"{v:.2f}: outside [0, 1], estimation noise ",
                        ha="right", va="center", fontsize=7, color="#b00020")  # fmt: skip
    ax.set_yticks(y, [_human(n) for n in names], fontsize=8)
    ax.set_ylabel("uncertain assumption")
    ax.set_xlabel(f"share of the variance explained (n = {result.n:,}, bars: 95 % interval)")
    ax.set_xlim(min(0.0, float(result.first_ci[0, i].min())), 1.0)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)


def tornado_chart(
    path: Path | str,
    result: TornadoResult,
    output: str,
    *,
    title: str,
    threshold: float | None = None,
    top: int | None = None,
    unit: str = "",
) -> Path:
    """Bars from the output at each input's low value to its value at the high one, widest on
    top (the ``top`` widest only, if given), around the output at the medians; the target
    threshold as a line."""
    i = result.outputs.index(output)
    order = np.argsort(result.swing()[i], kind="stable")[-top if top else 0 :]
    fig = Figure(figsize=(7.5, 0.38 * len(order) + 1.6))
    ax = fig.add_subplot()
    base = result.base[i]
    for y, j in enumerate(order):
        low, high = result.low[i, j], result.high[i, j]
        ax.barh(y, low - base, left=base, color=_MISSED, alpha=0.8)
        ax.barh(y, high - base, left=base, color=_MET, alpha=0.8)
    labels = [
        f"{_human(result.inputs[j])} ({result.values[0, j]:.3g} → {result.values[1, j]:.3g})"
        for j in order
    ]
    ax.set_yticks(np.arange(len(order)), labels, fontsize=8)
    ax.axvline(base, color="black", lw=1, label=f"all at median: {base:.4g}")
    if threshold is not None:
        ax.axvline(threshold, color="black", lw=1, ls="--", label=f"target: {threshold:.4g}")
    ax.set_xlabel(
        f"the target's metric{f' ({unit})' if unit else ''}; red: input at its "
        f"{result.low_q:.0%} quantile, green: at its {result.high_q:.0%}"
    )
    ax.set_ylabel("uncertain assumption (low → high value)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)


def importance_heatmap(
    path: Path | str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: np.ndarray,
    *,
    title: str,
    label: str,
    top: int = 20,
    per_row: int = 3,
    interval: np.ndarray | None = None,
    cmap: str = "Oranges",
) -> Path:
    """A table of colours: how much each input (column) matters for each output (row)."""
    figure = importance_figure(
        rows, columns, values, title=title, label=label, top=top, per_row=per_row,
        interval=interval, cmap=cmap,
    )  # fmt: skip
    return _save(figure, path)


def shown_columns(values: np.ndarray, *, top: int = 20, per_row: int = 3) -> np.ndarray:
    """The columns a heatmap shows: each row's ``per_row`` largest, always, then the largest
    of any row up to ``top`` in all; most important first."""
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    strongest = values.max(axis=0)
    must = {int(j) for row in values for j in np.argsort(-row, kind="stable")[:per_row]}
    order = [int(j) for j in np.argsort(-strongest, kind="stable")]
    chosen = list(must)
    for j in order:
        if len(chosen) >= max(top, len(must)):
            break
        if j not in must:
            chosen.append(j)
    return np.array(sorted(chosen, key=lambda j: (-strongest[j], j)), dtype=int)


def importance_figure(
    rows: Sequence[str],
    columns: Sequence[str],
    values: np.ndarray,
    *,
    title: str,
    label: str,
    top: int = 20,
    per_row: int = 3,
    interval: np.ndarray | None = None,
    cmap: str = "Oranges",
) -> Figure:
    """The heatmap of `importance_heatmap`, not saved. Each row's ``per_row`` most important
    inputs are always shown (then the strongest overall up to ``top``). With ``interval``
    (``(2, rows, columns)``, for indices that are shares of variance), a value outside
    [0, 1] is estimation noise: its cell is marked ``*`` and a note gives its interval."""
    raw = np.asarray(values, dtype=float)
    keep = shown_columns(raw, top=top, per_row=per_row)
    shown = np.nan_to_num(raw[:, keep])
    colour = np.clip(shown, 0, 1) if interval is not None else shown
    vmax = 1.0 if interval is not None else max(1e-9, float(shown.max()))
    fig = Figure(figsize=(0.45 * len(keep) + 4.5, 0.32 * len(rows) + 3.0))
    ax = fig.add_subplot()
    image = ax.imshow(colour, cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
    notes = []
    for (r, c), v in np.ndenumerate(shown):
        noisy = interval is not None and not 0 <= v <= 1
        if noisy:
            lo, hi = interval[0, r, keep[c]], interval[1, r, keep[c]]
            notes.append(f"{rows[r]} / {_human(columns[keep[c]])}: {v:.2f} [{lo:.2f}, {hi:.2f}]")
            ax.text(c, r, f"{v:.2f}*", ha="center", va="center", fontsize=6.5, color="#b00020")
        elif v >= 0.05 * vmax and v > 0:
            ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=6.5)
    ax.set_xticks(range(len(keep)), [_human(columns[j]) for j in keep], rotation=60,
                  ha="right", fontsize=7.5)  # fmt: skip
    ax.set_yticks(range(len(rows)), [_human(r) for r in rows], fontsize=8)
    xlabel = "uncertain assumption"
    if notes:
        import textwrap

        note = (
            "* outside [0, 1]: estimation noise, not a result (95 % interval): "
            + "; ".join(notes[:6])
            + (" …" if len(notes) > 6 else "")
        )
        xlabel += "\n" + "\n".join(textwrap.wrap(note, width=int(10 * fig.get_figwidth())))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("target")
    fig.colorbar(image, ax=ax, label=label, shrink=0.8)
    ax.set_title(title, fontsize=10)
    return fig


def _human(text: str) -> str:
    """An id made readable: underscores become spaces."""
    return text.replace("_", " ")


def prim_chart(path: Path | str, result: PrimResult, *, title: str) -> Path:
    """The PRIM box: each restricted input's range within its sampled range; and the peeling
    trajectory (coverage against density) with the chosen box marked."""
    return _save(prim_figure(result, title=title), path)


def prim_figure(result: PrimResult, *, title: str) -> Figure:
    """The figure of `prim_chart`, not saved."""
    restricted = result.restricted()
    fig = Figure(figsize=(10, 0.45 * max(len(restricted), 4) + 1.8))
    ax, tr = fig.subplots(1, 2, width_ratios=(1.4, 1))
    names = list(restricted)
    for y, name in enumerate(names[::-1]):
        j = result.inputs.index(name)
        lo, hi = result.data_lo[j], result.data_hi[j]
        span = hi - lo or 1.0
        a, b = restricted[name]
        ax.barh(y, 1.0, height=0.6, color="#dddddd")
        ax.barh(y, (b - a) / span, left=(a - lo) / span, height=0.6, color=_MISSED, alpha=0.6)
        ax.text(-0.02, y, f"{lo:.3g}", ha="right", va="center", fontsize=7)
        ax.text(1.02, y, f"{hi:.3g}", ha="left", va="center", fontsize=7)
        label = f"≤ {b:.3g}" if a <= lo else f"≥ {a:.3g}" if b >= hi else f"{a:.3g} – {b:.3g}"
        ax.text((a + b - 2 * lo) / 2 / span, y, label, ha="center", va="center", fontsize=9)
    ax.set_yticks(np.arange(len(names)), [_human(n) for n in names[::-1]], fontsize=8)
    ax.set_ylabel("uncertain assumption")
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(-0.6, max(len(names), 1) - 0.4)
    ax.set_xticks([])
    ax.set_xlabel("position within the sampled range (grey); red: the box")
    ax.set_title(
        f"box: coverage {result.box.coverage:.0%}, density {result.box.density:.0%} "
        f"(base rate {result.base_density:.0%})",
        fontsize=9,
    )
    coverage = [b.coverage for b in result.trajectory]
    density = [b.density for b in result.trajectory]
    tr.plot(coverage, density, ".-", color=_BAND, ms=3)
    tr.plot(result.box.coverage, result.box.density, "D", color=_MISSED, label="chosen box")
    tr.axhline(result.threshold, color="grey", ls=":", lw=0.8, label="density threshold")
    tr.set_xlabel("coverage (share of cases explained)")
    tr.set_ylabel("density (share of box that are cases)")
    tr.set_title("peeling trajectory", fontsize=9)
    tr.legend(fontsize=8)
    tr.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


def feasibility_chart(
    path: Path | str,
    fmap: FeasibilityMap,
    *,
    title: str,
    levels: Sequence[float] = (0.5, 0.9),
    marker: tuple[float, float] | None = None,
    marker_label: str = "scenario",
) -> Path:
    """P(met) over the two levers as colours, with contours at ``levels`` and, optionally, a
    marker at the scenario's own values of the levers."""
    return _save(
        feasibility_figure(fmap, title=title, levels=levels, marker=marker,
                           marker_label=marker_label),
        path,
    )  # fmt: skip


def feasibility_figure(
    fmap: FeasibilityMap,
    *,
    title: str,
    levels: Sequence[float] = (0.5, 0.9),
    marker: tuple[float, float] | None = None,
    marker_label: str = "scenario",
) -> Figure:
    """The figure of `feasibility_chart`, not saved."""
    fig = Figure(figsize=(7, 5))
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(
        fmap.x, fmap.y, fmap.probability, vmin=0, vmax=1, cmap="RdYlGn", shading="nearest"
    )
    fig.colorbar(mesh, ax=ax, label="probability the target is met")
    if len(fmap.x) > 1 and len(fmap.y) > 1 and np.ptp(fmap.probability) > 0:
        lines = ax.contour(fmap.x, fmap.y, fmap.probability, levels=list(levels), colors="black")
        ax.clabel(lines, fmt=lambda v: f"P = {v:.0%}", fontsize=8)
    if marker is not None:
        ax.plot(*marker, marker="*", ms=14, color="black", ls="none", label=marker_label)
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xlabel(_human(fmap.x_name))
    ax.set_ylabel(_human(fmap.y_name))
    per_cell = f"{fmap.samples:,} runs per cell" if fmap.samples > 1 else "one run per cell"
    ax.set_title(f"{title}\n({per_cell})", fontsize=10)
    return fig
