"""Verdict tables for people and JSON for programs: one table per scenario."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Any

from .feasibility import ScenarioVerdict, TargetVerdict

__all__ = ["format_number", "format_table", "summary_json", "text_width"]

_COLUMNS = ("target", "threshold", "value", "met", "margin", "first met", "required lever")


def format_table(verdict: ScenarioVerdict) -> str:
    """The verdict table of one scenario, aligned for a terminal (CJK counts double)."""
    s = verdict.scenario
    first, last = s.model.time.start, s.model.time.stop - 1
    head = [
        f"Scenario {s.name}: {s.description}".rstrip(": "),
        f"  {s.path} · model {s.model.name} · {s.method}, dt {s.dt:g} · {first:g}-{last:g}",
    ]
    rows = [list(_COLUMNS)] + [_row(v) for v in verdict.verdicts]
    widths = [max(text_width(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    right = {2, 4}
    lines = []
    for r in rows:
        cells = [
            _pad(cell, widths[i], right=i in right) if i < len(r) - 1 else cell
            for i, cell in enumerate(r)
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    rule = "  " + "-" * (sum(widths[:-1]) + 2 * (len(widths) - 1) + len(_COLUMNS[-1]))
    foot = [f"  Verdict: {verdict.summary()}."]
    foot += [f"  Against data: {c.describe()}" for c in verdict.comparisons]
    return "\n".join([*head, "", lines[0], rule, *lines[1:], rule, *foot])


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
        t.threshold_text(),
        format_number(v.value),
        "yes" if v.met else "NO",
        margin,
        "-" if v.first_year_met is None else str(v.first_year_met),
        "" if v.lever is None else v.lever.describe(),
    ]
