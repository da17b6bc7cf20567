"""Figures of a plan's feasibility: one per sector, one comparing scenarios on the headline
targets, and a verdict chart of margins. Plain matplotlib objects (no pyplot state), PNG."""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from ..colors import scenario_color
from ..results import Result
from ..years import is_rate, year_labels
from .data import read_data
from .feasibility import ScenarioVerdict, TargetVerdict
from .metrics import metric_series
from .targets import ContextVariable, Target, TargetSet

__all__ = [
    "comparison_figure",
    "comparison_figure_object",
    "latin",
    "sector_figures",
    "verdict_figure",
    "verdict_figure_object",
    "year_axis",
]

_MET, _MISSED, _TARGET = "#1a9850", "#d73027", "#4d4d4d"
_STATUS_COLOURS = {"met": _MET, "borderline": "#e0a100", "missed": _MISSED}
_KINDS = {"actual": "data", "estimate": "estimate", "target": "plan path"}
_NOTE = (
    "Stocks are shown at year-ends (2015 = the baseline); annual rates in the year they "
    "occur. Dashed line: the plan's threshold; star: the 2020 target."
)
# The default font has no CJK glyphs: amounts and units are written in Latin letters.
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)亿(元|美元)")
_UNITS = {"亿美元": "(100m USD)", "亿元": "(100m yuan)"}


def latin(text: str) -> str:
    """``text`` without CJK: ``1亿元`` becomes ``0.1 bn yuan``, a unit ``亿元`` ``(100m yuan)``."""
    text = _AMOUNT.sub(
        lambda m: f"{float(m[1]) / 10:g} bn {'yuan' if m[2] == '元' else 'USD'}", text
    )
    for cjk, plain in _UNITS.items():
        text = text.replace(cjk, f" {plain}")
    text = "".join(c if ord(c) < 0x2E80 else "?" for c in text)
    return " ".join(text.split())


def year_axis(
    times: np.ndarray, units: str, first: int, last: int
) -> tuple[np.ndarray, np.ndarray]:
    """Plan years for saved ``times`` and which of them fall in ``[first, last]``: a rate
    (units per year) at time t is the rate during year t; anything else at time t is the
    level at the end of year t - 1."""
    rate = is_rate(units)
    years, whole = year_labels(times, rate)
    keep = whole & (years >= first + (1 if rate else 0)) & (years <= last)
    return years, keep


def sector_figures(verdict: ScenarioVerdict, folder: Path) -> list[Path]:
    """One PNG per sector: each target's trajectory against its threshold, and the sector's
    context variables beside the data found."""
    data = _read_data(verdict.targets)
    paths = []
    for sector_id, sector in verdict.targets.sectors.items():
        panels: list[TargetVerdict | ContextVariable] = [
            v for v in verdict.verdicts if v.target.sector == sector_id
        ]
        panels += sector.context
        if not panels:
            continue
        fig, axes = _grid(len(panels))
        for ax, panel in zip(axes, panels, strict=False):
            if isinstance(panel, TargetVerdict):
                _target_panel(ax, verdict.result, panel)
            else:
                _context_panel(ax, verdict.result, panel, data)
        fig.suptitle(
            f"{sector.title}: scenario '{verdict.scenario.name}'", fontsize=14, weight="bold"
        )
        fig.text(0.5, 0.005, _NOTE, ha="center", va="bottom", fontsize=8.5, color="#555555")
        path = folder / f"sector_{sector_id}.png"
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths


def comparison_figure(verdicts: Sequence[ScenarioVerdict], path: Path) -> Path:
    """The headline targets, one line per scenario, against the plan's thresholds."""
    comparison_figure_object(verdicts).savefig(path, dpi=110)
    return path


def comparison_figure_object(verdicts: Sequence[ScenarioVerdict]) -> Figure:
    """The figure of `comparison_figure`, not saved; each scenario in its own colour."""
    targets = [t for t in verdicts[0].targets if t.headline]
    fig, axes = _grid(len(targets), bottom=0.16)
    for ax, target in zip(axes, targets, strict=False):
        for verdict in verdicts:
            years, series = _target_series(verdict.result, target)
            ax.plot(
                years,
                series,
                marker="o",
                ms=3.5,
                color=scenario_color(verdict.scenario.name),
                lw=1.8,
                label=verdict.scenario.name,
            )
        _threshold(ax, target)
        ax.set_title(textwrap.fill(latin(target.title), 62), fontsize=10.5)
        ax.set_ylabel(latin(target.unit))
        _years(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=min(6, len(labels)),
        frameon=False,
        fontsize=10,
        bbox_to_anchor=(0.5, 0.04),
    )
    fig.suptitle("Headline targets across scenarios", fontsize=14, weight="bold")
    fig.text(0.5, 0.005, _NOTE, ha="center", va="bottom", fontsize=8.5, color="#555555")
    return fig


def verdict_figure(verdict: ScenarioVerdict, path: Path, clip: float = 0.5) -> Path:
    """Margin of every target relative to its threshold, green when met, red when missed,
    amber when borderline; each label says what the verdict rests on (its evidence); bars are
    cut at ``±clip`` and labelled with their true value."""
    verdict_figure_object(verdict, clip).savefig(path, dpi=110)
    return path


def _percent(share: float) -> str:
    """``+12.3%``; a margin that rounds to zero is ``0.0%``, not ``-0.0%``."""
    return "0.0%" if round(share * 1000) == 0 else f"{share:+.1%}"


def verdict_figure_object(verdict: ScenarioVerdict, clip: float = 0.5) -> Figure:
    """The figure of `verdict_figure`, not saved; targets by their titles."""
    rows = list(reversed(verdict.verdicts))
    rel = np.array([v.margin_relative if v.margin_relative is not None else 0.0 for v in rows])
    fig = Figure(figsize=(11, 0.36 * len(rows) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    shown = np.clip(rel * 100, -clip * 100, clip * 100)
    colors = [_STATUS_COLOURS[v.standing] for v in rows]
    ax.barh(range(len(rows)), shown, color=colors, height=0.65)
    ax.scatter(shown, range(len(rows)), color=colors, s=18, zorder=3)  # visible at zero too
    for i, v in enumerate(rows):
        label = _percent(rel[i]) if v.margin_relative is not None else "at 0 (kept at zero)"
        if not v.met and v.margin_relative is None:
            label = f"{v.margin:+g} {latin(v.target.unit)}"
        if v.standing == "borderline":
            label += " borderline"
        x = shown[i]
        ax.text(
            x + (1.5 if x >= 0 else -1.5),
            i,
            label,
            va="center",
            fontsize=8.5,
            ha="left" if x >= 0 else "right",
        )
    ax.set_yticks(
        range(len(rows)),
        [f"{_short_title(v.target)} [{v.target.evidence}]" for v in rows],
        fontsize=9,
    )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-clip * 100 - 18, clip * 100 + 18)
    ax.set_xlabel(f"margin, % of the threshold (positive = met; bars cut at ±{clip:.0%})")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(
        f"Scenario '{verdict.scenario.name}': {verdict.summary()}\n"
        "green met, amber borderline, red missed; [what the verdict rests on]",
        fontsize=12,
        weight="bold",
    )
    ax.set_ylabel("plan target")
    return fig


# -- panels ---------------------------------------------------------------------------------
def _grid(n: int, bottom: float = 0.06) -> tuple[Figure, list]:
    cols = 1 if n == 1 else 2 if n in (2, 4) else 3
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(5.4 * cols, 3.9 * rows + 1.0))
    fig.subplots_adjust(
        left=0.08,
        right=0.97,
        top=1 - 0.8 / (3.9 * rows + 1.0),
        hspace=0.5,
        wspace=0.3,
        bottom=max(bottom, 0.8 / (3.9 * rows + 1.0)),
    )
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n)]
    return fig, axes


def _target_series(result: Result, target: Target) -> tuple[np.ndarray, np.ndarray]:
    series = metric_series(result, target)[:, 0]
    years = np.array([target.year_of(t) for t in result.times], dtype=float)
    keep = np.isclose(result.times, np.round(result.times)) & (years <= target.year)
    keep &= np.isfinite(series)
    return years[keep], series[keep]


def _target_panel(ax, result: Result, verdict: TargetVerdict) -> None:
    target = verdict.target
    years, series = _target_series(result, target)
    word = verdict.standing
    color = _STATUS_COLOURS[word]
    ax.plot(years, series, marker="o", ms=4, color=color, lw=2)
    _threshold(ax, target)
    ax.set_title(
        f"{textwrap.fill(latin(target.title), 62)}\n"
        f"{_short(verdict.value)} vs {latin(target.threshold_text())}: {word}",
        fontsize=9.5,
        color="black",
    )
    ax.title.set_color(color)
    ax.set_ylabel(latin(target.unit))
    _years(ax)


def _context_panel(ax, result: Result, context: ContextVariable, data) -> None:
    name = context.variable
    units = result.units.get(result.names[result.index(name)], "")
    first = context.from_year if context.from_year is not None else round(result.times[0]) - 1
    years, keep = year_axis(result.times, units, first, round(result.times[-1]) - 1)
    ax.plot(
        years[keep], result[name][keep, 0], marker="o", ms=4, color="#2166ac", lw=2, label="model"
    )
    styles = {"actual": ("o", "black"), "estimate": ("s", "#999999"), "target": ("*", _TARGET)}
    for quantity in context.data:
        for kind in ("actual", "estimate", "target"):
            points = [
                (y, v * context.data_scale) for q, y, v, k in data if q == quantity and k == kind
            ]
            if points:
                marker, color = styles[kind]
                xs, ys = zip(*points, strict=True)
                ax.scatter(
                    xs,
                    ys,
                    marker=marker,
                    s=60 if kind == "target" else 30,
                    color=color,
                    zorder=3,
                    label=f"{_KINDS[kind]}: {quantity.removeprefix('hexi_').replace('_', ' ')}",
                )
    ax.set_title(latin(context.label or name), fontsize=9.5)
    ax.set_ylabel(_unit_label(units))
    if context.data:
        ax.legend(fontsize=7, loc="best")
    _years(ax)


def _threshold(ax, target: Target) -> None:
    ax.axhline(target.threshold, color=_TARGET, ls="--", lw=1.2)
    ax.plot([target.year], [target.threshold], marker="*", ms=14, color=_TARGET, zorder=4)
    ax.annotate(
        f"{target.year} target",
        (target.year, target.threshold),
        fontsize=8,
        xytext=(-9, -4),
        textcoords="offset points",
        ha="right",
        va="top",
        color=_TARGET,
    )
    _limits(ax, target.threshold)


def _limits(ax, threshold: float) -> None:
    """Y limits that show the threshold with room around it, and never magnify a
    difference smaller than a tenth of the values (a flat line stays flat)."""
    lo, hi = ax.dataLim.y0, ax.dataLim.y1
    lo, hi = min(lo, threshold), max(hi, threshold)
    size = max(abs(lo), abs(hi))
    floor = 0.1 * size if size > 1e-9 * max(1.0, abs(threshold)) else 1.0  # ~0: a unit band
    if hi - lo < floor:
        middle = (hi + lo) / 2
        lo, hi = middle - floor / 2, middle + floor / 2
    pad = 0.08 * (hi - lo)
    ax.set_ylim(lo - pad, hi + pad)


def _years(ax) -> None:
    ax.set_xlabel("year", fontsize=8.5)
    ax.set_xlim(2014.6, 2020.4)
    ax.set_xticks(range(2015, 2021))
    ax.grid(alpha=0.3)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.6g}"))


def _unit_label(units: str) -> str:
    return "ratio" if units == "dimensionless" else latin(units)


def _short_title(target: Target, width: int = 48) -> str:
    """A target's title fit for a tick label."""
    title = latin(target.title)
    return title if len(title) <= width else title[: width - 1] + "…"


def _short(x: float) -> str:
    from .report import format_number

    return format_number(x)


def _read_data(targets: TargetSet) -> list[tuple[str, int, float, str]]:
    return [(r.quantity, r.year, r.value, r.kind) for r in read_data(targets.data_path)]
