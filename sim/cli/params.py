"""``sim params SCENARIO|MODEL``: every constant with its value, unit, range, source, and the
targets it moves (measured by one vectorized run at each end of its range)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from ..errors import UserInputError
from ..models import shipped_model_names
from ..plan.report import format_number, text_width
from ..scenario import Scenario, load_scenario, scenario_from_dict

__all__ = ["register", "scenario_or_model"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "params",
        help="list a scenario's or model's constants: value, unit, range, source, targets moved",
        description="List every constant of a scenario (or a model, as it ships): its value, "
        "unit, plausible range, source, which file set it, and the targets it moves: those "
        "whose metric changes, and those whose verdict flips, when the constant alone goes to "
        "either end of its range.",
    )
    parser.add_argument("source", metavar="SCENARIO|MODEL", help="a scenario file or a model")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    parser.add_argument(
        "--no-check", action="store_true", help="skip the runs that find the targets moved"
    )
    parser.set_defaults(func=run)


def scenario_or_model(text: str) -> Scenario:
    """A scenario file, or a model (a shipped name or a model file) as a scenario of its
    own values."""
    path = Path(text)
    if text in shipped_model_names():
        return scenario_from_dict({"model": text}, name=text)
    if not path.is_file():
        raise UserInputError("no such scenario or model file", file=text)
    if path.suffix.lower() in (".xmile", ".xml", ".stmx"):
        return scenario_from_dict({"model": str(path.resolve())}, name=_name(path))
    head = path.read_text(encoding="utf-8", errors="replace")
    if "[model]" in head.splitlines() or "[stocks." in head:
        return scenario_from_dict({"model": str(path.resolve())}, name=_name(path))
    return load_scenario(path)


def _name(path: Path) -> str:
    stem = "".join(c if c.isalnum() or c in "_.-" else "-" for c in path.stem)
    return stem.lstrip("_.-") or "model"


def run(args: argparse.Namespace) -> int:
    from ..api import targets_of
    from ..report.params import parameter_frame

    scenario = scenario_or_model(args.source)
    targets = targets_of(scenario)
    frame = parameter_frame(scenario, None if args.no_check else targets)
    if args.json:
        rows = [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in frame.to_dict(orient="records")
        ]
        print(json.dumps({"scenario": scenario.name, "parameters": rows}, indent=2,
                         ensure_ascii=False))  # fmt: skip
        return 0
    print(f"{scenario.name}: {len(frame)} constants (model {scenario.model.name})")
    header = ("name", "value", "unit", "range", "source", "targets moved (* verdict flips)")
    rows = [header]
    for r in frame.itertuples():
        flips = set(filter(None, r.flips.split(", ")))
        moved = ", ".join(f"{t}*" if t in flips else t for t in filter(None, r.moves.split(", ")))
        value = "input" if isinstance(r.value, float) and math.isnan(r.value) else format_number(
            r.value)  # fmt: skip
        source = r.source if len(r.source) <= 40 else r.source[:39] + "…"
        rows.append((r.name, value, r.unit, r.range, source, moved))
    widths = [max(text_width(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        cells = [c + " " * (w - text_width(c)) for c, w in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip())
    return 0
