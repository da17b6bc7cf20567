"""``sim run-all``: every shipped scenario (what ``make run`` calls)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UserInputError
from ..scenario import ScenarioFile, read_scenario_file
from .run import add_output_options, run_scenarios

__all__ = ["register", "shipped_scenarios"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run-all",
        help="run every scenario of scenarios/ (not those for batch runs) and write results/",
        description="Run every scenario file of a folder, as `sim run` does, except those "
        "that declare [uncertain] distributions (they are for `sim batch`). Prints the verdict "
        "tables and where the results are.",
    )
    parser.add_argument(
        "--scenarios",
        metavar="DIR",
        type=Path,
        default=Path("scenarios"),
        help="the folder of scenario files (default: scenarios)",
    )
    add_output_options(parser)
    parser.set_defaults(func=run)


def shipped_scenarios(folder: Path) -> list[Path]:
    """Scenario files of ``folder``, those that extend nothing first (then by name), without
    those meant for batch runs."""
    if not folder.is_dir():
        raise UserInputError("no such folder", file=str(folder))
    specs = {f: read_scenario_file(f) for f in sorted(folder.glob("*.toml"))}
    chosen = [f for f, spec in specs.items() if not spec.uncertain]
    if not chosen:
        raise UserInputError("no scenario files to run", file=str(folder))
    return sorted(chosen, key=lambda f: (_depth(f, specs), f.name))


def _depth(file: Path, specs: dict[Path, ScenarioFile]) -> int:
    """How many files ``file`` extends, within the folder (a cycle is reported later)."""
    depth, seen = 0, {file}
    spec = specs.get(file)
    while spec is not None and spec.extends is not None:
        parent = file.parent / spec.extends
        if parent in seen:
            break
        seen.add(parent)
        depth += 1
        file, spec = parent, specs.get(parent)
    return depth


def run(args: argparse.Namespace) -> int:
    return run_scenarios(shipped_scenarios(args.scenarios), args)
