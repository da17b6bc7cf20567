"""``sim check-units MODEL|SCENARIO``: every unit inconsistency of a model's equations."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from .model_or_scenario import load_model_or_scenario

if TYPE_CHECKING:
    from ..analysis.units import UnitReport

__all__ = ["format_report", "register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check-units",
        help="dimensional analysis of every equation of a model",
        description="List each unit inconsistency: the variable, the expected and the actual "
        "units, and the offending term. Exit status 0 (2 with --strict when any is found).",
    )
    parser.add_argument("model", help="a model file, a shipped model's name or a scenario file")
    parser.add_argument("--strict", action="store_true", help="exit 2 when any is found")
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..analysis.units import check_units

    model, _ = load_model_or_scenario(args.model)
    report = check_units(model)
    if args.json:
        print(
            json.dumps(
                {
                    "model": model.name,
                    "clean": report.clean,
                    "issues": [i.as_dict() for i in report.issues],
                    "undeclared_units": list(report.undeclared),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(format_report(args.model, report))
    return 2 if args.strict and not report.clean else 0


def format_report(name: str, report: UnitReport) -> str:
    """A table of inconsistencies (or "units consistent"), then the undeclared unit names."""
    lines = []
    if report.clean:
        lines.append(f"{name}: units consistent")
    else:
        count = len(report.issues)
        lines.append(f"{name}: {count} unit inconsistenc{'y' if count == 1 else 'ies'}")
        for issue in report.issues:
            lines.append(f"  {issue.variable}: {issue.reason}")
            lines.append(f"      expected {issue.expected}, actual {issue.actual}")
            lines.append(f"      in: {issue.term}")
    if report.undeclared:
        lines.append(
            "undeclared units (each a base unit of its own; declare them in [units]): "
            + ", ".join(report.undeclared)
        )
    return "\n".join(lines)
