"""Verdict tables for people and JSON for programs: one table per scenario."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Any

from .feasibility import ScenarioVerdict, TargetVerdict

__all__ = ["format_number", "format_table", "summary_json", "text_width"]

_VERDICT = ("target", "evidence", "threshold", "value", "± band", "status", "margin", "when")
_RIGHT = {3, 4, 6}
_STATUS = {"met": "met", "missed": "MISSED", "borderline": "borderline"}


def format_table(verdict: ScenarioVerdict) -> str:
    """The verdict tables of one scenario, aligned for a terminal (CJK counts double): the
    verdicts with their standing, then what each hinges on and the lever that would meet it."""
    s = verdict.scenario
    first, last = s.model.time.start, s.model.time.stop - 1
    head = [
        f"Scenario {s.name}: {s.description}".rstrip(": "),
        f"  {s.path} · model {s.model.name} · {s.method}, dt {s.dt:g} · {first:g}-{last:g}",
    ]
    lines = [*head, "", *_aligned([list(_VERDICT)] + [_row(v) for v in verdict.verdicts], _RIGHT)]
    lines.append(f"  Verdict: {verdict.summary()}.")
    if verdict.bands is not None:
        lines.append(f"  Band: {_band_note(verdict)}")
    lines += [f"  Against data: {c.describe()}" for c in verdict.comparisons]
    hinges = any(v.hinges is not None for v in verdict.verdicts)
    loops = any(v.loops for v in verdict.verdicts)
    levers = any(v.lever is not None for v in verdict.verdicts)
    if hinges or levers or loops:
        header = [
            "target",
            *(["hinges on"] if hinges else []),
            *(["dominant loops 2016-2020"] if loops else []),
            *(["required lever"] * levers),
        ]
        rows = [header]
        for v in verdict.verdicts:
            cells = [v.target.id]
            if hinges:
                cells.append(", ".join(v.hinges) if v.hinges else "-")
            if loops:
                cells.append(_loops_text(v.loops))
            if levers:
                cells.append("" if v.lever is None else v.lever.describe())
            rows.append(cells)
        lines += ["", *_aligned(rows, set())]
        if hinges and verdict.hinges is not None:
            lines.append(f"  {verdict.hinges.describe()}")
    return "\n".join(lines)


def _loops_text(loops: list[tuple[str, str, float]] | None) -> str:
    if not loops:
        return "-"
    return ", ".join(f"{name} ({polarity}) {share:.0%}" for name, polarity, share in loops)


def _aligned(rows: list[list[str]], right: set[int]) -> list[str]:
    """Rows padded to their columns' widths (the last column unpadded), ruled above and below."""
    widths = [max(text_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [
            _pad(cell, widths[i], right=i in right) if i < len(r) - 1 else cell
            for i, cell in enumerate(r)
        ]
        out.append("  " + "  ".join(cells).rstrip())
    rule = "  " + "-" * (sum(widths) + 2 * (len(widths) - 1))
    return [out[0], rule, *out[1:], rule]


def _band_note(verdict: ScenarioVerdict) -> str:
    s, runs = verdict.scenario, verdict.bands
    assert runs is not None
    against = " and ".join(f"{r.method} at dt {r.dt:g}" for r in runs.references) or "nothing"
    note = (
        f"{s.method} at dt {s.dt:g} against {against}, plus each target's tolerance and "
        "precision; borderline when the threshold lies within it"
    )
    for what, why in runs.skipped.items():
        note += f"; no {what}: {why}"
    return note


def summary_json(verdicts: Sequence[ScenarioVerdict]) -> dict[str, Any]:
    """``{"scenarios": [{"name": …, "targets": [{"id", "value", …}, …]}, …]}``."""
    return {"scenarios": [v.to_dict() for v in verdicts]}


def format_number(x: float | None, signed: bool = False) -> str:
    """About five significant figures, thousands separated; ``-`` for no number."""
    if x is None or not math.isfinite(x):
        return "-"
    sign = "+" if signed else ""
    if x == 0:
        return f"{0.0:{sign}.2f}"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = min(6, max(0, (4 if magnitude >= 0 else 2) - magnitude))
    if abs(x) >= 1000:
        decimals = 0
    return f"{x:{sign},.{decimals}f}"


def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * (width - text_width(text))
    return fill + text if right else text + fill


def _row(v: TargetVerdict) -> list[str]:
    t = v.target
    margin = format_number(v.margin, signed=True)
    if v.margin_relative is not None:
        margin += f" ({v.margin_relative:+.2%})"
    return [
        t.id,
        t.evidence,
        t.threshold_text(),
        format_number(v.value),
        format_number(v.band),
        _STATUS[v.standing],
        margin,
        _when(v),
    ]


def _when(v: TargetVerdict) -> str:
    """``met 2018``, ``met 2016, lost 2018`` (``, met again`` when met in the end), ``-``."""
    if v.first_year_met is None:
        return "-"
    text = f"met {v.first_year_met}"
    if v.lost_year is not None:
        text += f", lost {v.lost_year}" + (", met again" if v.met else "")
    return text
