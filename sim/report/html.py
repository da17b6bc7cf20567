"""One self-contained HTML report: targets × scenarios with status colours, the figures
embedded as ``data:`` URIs, the assumptions with their sources, batch probabilities when a
batch result is given, and the manifest. It loads nothing from anywhere (no external URL, no
script), so it opens offline, and its print style lays it out on A4 for Print to PDF.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..colors import scenario_color
from ..plan.feasibility import ScenarioVerdict
from ..plan.report import format_number

__all__ = ["BatchSummary", "read_batch", "render_report"]

_URL = re.compile(r"\b(?:https?|ftp)://", re.IGNORECASE)
_STATUS_WORDS = {"met": "met", "missed": "missed", "borderline": "borderline"}

_CSS = """
:root { --met: #1a9850; --missed: #d73027; --borderline: #f39c12; --ink: #222; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, "Noto Sans CJK SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; color: var(--ink);
       margin: 2rem auto; max-width: 70rem; padding: 0 1rem; line-height: 1.4; font-size: 14px; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #ccc; padding-bottom: .2rem;
     margin-top: 2rem; break-after: avoid; page-break-after: avoid; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: .25rem .4rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.met { background: #d9f0d3; border-left: 5px solid var(--met); }
td.missed { background: #f8d7d3; border-left: 5px solid var(--missed); }
td.borderline { background: #fde9c8; border-left: 5px solid var(--borderline); }
td.likely { background: #d9f0d3; } td.unlikely { background: #f8d7d3; }
td.uncertain { background: #fde9c8; }
span.status { font-size: 10px; font-weight: bold; text-transform: uppercase; display: block; }
span.id { color: #666; font-size: 10px; display: block; font-family: monospace; }
span.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .3em;
              vertical-align: middle; border-radius: 2px; }
tr.differs td { background: #fff8dc; }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 12px; }
pre { background: #f7f7f7; padding: .6rem; font-size: 10px; white-space: pre-wrap;
      word-break: break-all; }
.legend span { margin-right: 1rem; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr, td, th { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2 { break-before: auto; }
}
"""


def text(value: Any) -> str:
    """Escaped text, with any URL scheme cut (the report names sources; it links nothing)."""
    return html.escape(_URL.sub("", str(value)))


def png_uri(fig_or_bytes: Any, dpi: int = 100) -> str:
    """A figure (or PNG bytes) as a ``data:image/png;base64,…`` URI."""
    if isinstance(fig_or_bytes, bytes | bytearray):
        data = bytes(fig_or_bytes)
    else:
        buffer = io.BytesIO()
        fig_or_bytes.savefig(buffer, format="png", dpi=dpi)
        data = buffer.getvalue()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


class BatchSummary:
    """What a ``sim batch`` results folder says: the probabilities and its figure."""

    def __init__(self, folder: Path, summary: dict[str, Any], figure: bytes | None):
        self.folder, self.summary, self.figure = folder, summary, figure


def read_batch(folder: str | Path) -> BatchSummary:
    """Read ``summary.json`` (and ``figures/probabilities.png``) of a ``sim batch`` folder."""
    from ..errors import UserInputError

    folder = Path(folder)
    path = folder / "summary.json"
    if not path.is_file():
        raise UserInputError("not a sim batch results folder (no summary.json)", file=str(folder))
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary["targets"].items()
    except (ValueError, KeyError, AttributeError) as exc:
        raise UserInputError(f"unreadable batch summary: {exc}", file=str(path)) from None
    png = folder / "figures" / "probabilities.png"
    return BatchSummary(folder, summary, png.read_bytes() if png.is_file() else None)


def render_report(
    judged: Sequence[ScenarioVerdict],
    *,
    figures: Sequence[tuple[str, str]],
    parameters: pd.DataFrame,
    manifest: dict[str, Any],
    batch: BatchSummary | None = None,
    title: str | None = None,
) -> str:
    """The whole report as one HTML string. ``figures`` are (caption, data URI) pairs;
    ``parameters`` has one row per constant with a column per scenario's value."""
    from ..api import label, verdict_frame

    names = [v.scenario.name for v in judged]
    title = title or f"Plan targets: {', '.join(names)}"
    verdicts = verdict_frame(judged)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{text(title)}</h1>",
        f'<p class="meta">Created {text(manifest.get("created", ""))} by sdsim '
        f"{text(manifest.get('version', ''))}. Levels are shown at year-ends, flows in the year "
        "they occur; the plan period is 2016-2020 (2015 is the baseline).</p>",
        "<h2>Scenarios</h2><ul>",
    ]
    for v in judged:
        s = v.scenario
        parts.append(
            f'<li><span class="swatch" style="background:{scenario_color(s.name)}"></span>'
            f"<b>{text(s.name)}</b>: {text(s.description)} <i>({text(v.summary())})</i></li>"
        )
    parts.append("</ul>")
    parts += _verdict_table(verdicts, names)
    if batch is not None:
        parts += _batch_section(batch, label)
    if figures:
        parts.append("<h2>Figures</h2>")
        for caption, uri in figures:
            parts.append(
                f'<figure><img src="{uri}" alt="{text(caption)}">'
                f"<figcaption>{text(caption)}</figcaption></figure>"
            )
    parts += _parameter_table(parameters, names)
    parts.append("<h2>Manifest</h2><p>Every input file with its SHA-256, and how the report "
                 "was made.</p>")  # fmt: skip
    parts.append(f"<pre>{text(json.dumps(manifest, indent=2, ensure_ascii=False))}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _verdict_table(verdicts: pd.DataFrame, names: list[str]) -> list[str]:
    out = [
        "<h2>Targets × scenarios</h2>",
        '<p class="legend"><span style="color:var(--met)">■ met</span>'
        '<span style="color:var(--borderline)">■ borderline</span>'
        '<span style="color:var(--missed)">■ missed</span> Each cell: the value reached in '
        "2020 (or over the plan period) and, below it, the verdict.</p>",
        "<table><thead><tr><th>Target</th><th>Plan threshold</th>",
    ]
    out += [f"<th>{text(n)}</th>" for n in names]
    out.append("</tr></thead><tbody>")
    by = verdicts.set_index(["id", "scenario"])
    for target_id in dict.fromkeys(verdicts["id"]):
        first = by.loc[(target_id, names[0])]
        symbol = "≥" if first["comparator"] == ">=" else "≤"
        out.append(
            f'<tr><td>{text(first["title"])}<span class="id">{text(target_id)}</span></td>'
            f'<td class="num">{symbol} {format_number(first["threshold"])} '
            f"{text(first['unit'])}</td>"
        )
        for n in names:
            row = by.loc[(target_id, n)]
            status = _STATUS_WORDS.get(str(row["status"]), "missed")
            extra = f" · {text(row['evidence'])}" if row.get("evidence") else ""
            out.append(
                f'<td class="num {status}">{format_number(row["value"])}'
                f'<span class="status">{status}{extra}</span></td>'
            )
        out.append("</tr>")
    totals = []
    for n in names:
        part = verdicts[verdicts["scenario"] == n]
        totals.append(f"{int((part['status'] == 'met').sum())} of {len(part)} met")
    out.append("<tr><th colspan=2>Targets met</th>")
    out += [f'<th class="num">{t}</th>' for t in totals]
    out.append("</tr></tbody></table>")
    return out


def _batch_section(batch: BatchSummary, label: Any) -> list[str]:
    s = batch.summary
    out = [
        "<h2>How likely is each target?</h2>",
        f"<p>Scenario <b>{text(s.get('scenario', ''))}</b>: {int(s.get('samples', 0)):,} runs "
        f"(seed {text(s.get('seed', ''))}) over {len(s.get('uncertain', {}))} uncertain "
        "assumptions. P(met) is the share of runs that meet the target; the interval is the "
        "sampling error (95 %). Likely: the whole interval at or above 90 %; unlikely: at or "
        "below 10 %.</p>",
        "<table><thead><tr><th>Target</th><th>Threshold</th><th>P(met)</th>"
        "<th>95 % interval</th><th>Reading</th></tr></thead><tbody>",
    ]
    for target_id, e in s["targets"].items():
        p = float(e.get("p", float("nan")))
        word = label(p, float(e.get("low", float("nan"))), float(e.get("high", float("nan"))))
        out.append(
            f'<tr><td>{text(e.get("title", target_id))}<span class="id">{text(target_id)}'
            f'</span></td><td>{text(e.get("threshold", ""))}</td><td class="num {word}">'
            f'{p:.1%}</td><td class="num">[{float(e.get("low", 0)):.1%}, '
            f'{float(e.get("high", 0)):.1%}]</td><td class="{word}">{word}</td></tr>'
        )
    joint = s.get("all_targets")
    if joint:
        out.append(
            f'<tr><th colspan=2>All targets jointly</th><th class="num">{joint["p"]:.1%}</th>'
            f'<th class="num">[{joint["low"]:.1%}, {joint["high"]:.1%}]</th><th></th></tr>'
        )
    out.append("</tbody></table>")
    if batch.figure is not None:
        out.append(
            f'<figure><img src="{png_uri(batch.figure)}" alt="probability each target is met">'
            "<figcaption>Probability each target is met, with its 95 % interval.</figcaption>"
            "</figure>"
        )
    return out


def _parameter_table(parameters: pd.DataFrame, names: list[str]) -> list[str]:
    out = [
        "<h2>Assumptions and their sources</h2>",
        "<p>Every constant of the model: its value in each scenario (rows where scenarios "
        "differ are shaded), its unit, its plausible range and where the number comes from "
        "(<i>data</i>: a row of the data file; <i>plan</i>: the plan's text; "
        "<i>assumption</i>: our judgement within the range).</p>",
        "<table><thead><tr><th>Constant</th><th>Unit</th>",
    ]
    out += [f"<th>{text(n)}</th>" for n in names]
    out.append("<th>Range</th><th>Source</th></tr></thead><tbody>")
    for row in parameters.itertuples(index=False):
        values = [getattr(row, f"value_{i}") for i in range(len(names))]
        differs = len({repr(v) for v in values}) > 1
        out.append(f'<tr{" class=differs" if differs else ""}><td>{text(row.name)}</td>'
                   f"<td>{text(row.unit)}</td>")  # fmt: skip
        out += [f'<td class="num">{"input" if v != v else format_number(v)}</td>' for v in values]
        out.append(f"<td>{text(row.range)}</td><td>{text(row.source)}</td></tr>")
    out.append("</tbody></table>")
    return out
