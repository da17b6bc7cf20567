"""``sim run SCENARIO_FILE…``: judge every plan target in each scenario, print the verdict
tables, and write ``results/<scenario>/<run-id>/``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import UserInputError
from ..jsontext import dumps
from ..outputs import all_or_none, check_out, new_run_id
from ..plan.feasibility import ScenarioVerdict, assess
from ..plan.report import format_table, summary_json
from ..plan.runs import write_comparison, write_scenario
from ..plan.targets import TargetSet, load_targets
from ..scenario import Scenario, load_scenario
from .range_warnings import add_strict_option

__all__ = ["add_output_options", "command_line", "register", "run_scenarios"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="judge every plan target in one or more scenarios and write results/",
        description="Run each scenario file, judge every target of its plan (value, met, "
        "missed or borderline within its error band, the evidence it rests on, margin, the "
        "years it was met and lost, what it hinges on, the lever value that would just meet "
        "it), print a table per "
        "scenario and write results/<scenario>/<run-id>/ (manifest, trajectories.csv, "
        "targets.csv, parameters.csv, figures). Every file is checked before anything runs.",
    )
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO_FILE", help="scenario files")
    add_output_options(parser)
    parser.set_defaults(func=run)


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print the verdicts as JSON on stdout instead"
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("results"),
        help="write results under DIR (default: results)",
    )
    parser.add_argument(
        "--no-levers", action="store_true", help="skip the search for the required lever values"
    )
    parser.add_argument("--no-figures", action="store_true", help="write no figures")
    add_strict_option(parser)
    parser.add_argument(
        "--xlsx",
        action="store_true",
        help="also write results.xlsx (verdicts, trajectories, parameters; needs openpyxl)",
    )


def run(args: argparse.Namespace) -> int:
    return run_scenarios(args.scenarios, args)


def run_scenarios(files: Sequence[str | Path], args: argparse.Namespace) -> int:
    """Check every file first (a bad one stops the run before anything is written), then
    judge and write each scenario, then compare them when there are several. The folders of
    one command appear together or not at all: an error or interruption removes those already
    written."""
    if getattr(args, "xlsx", False):
        from ..report.excel import require_openpyxl

        require_openpyxl()
    loaded = [_load(Path(f)) for f in files]
    _distinct([s for s, _ in loaded])
    check_out(args.out)
    for s, _ in loaded:
        if s.uncertain:
            print(
                f"sim {args.command}: note: {s.path}: its {len(s.uncertain)} [uncertain] "
                "distributions are ignored (each constant keeps its set value); for the "
                f"probability of each target run: sim batch {s.path}",
                file=sys.stderr,
            )
    verdicts = [assess(s, t, levers=not args.no_levers) for s, t in loaded]
    _stale_hinges(verdicts)
    run_id = new_run_id()
    figures = not args.no_figures
    argv = command_line(args)
    xlsx = getattr(args, "xlsx", False)
    with all_or_none():
        folders = [
            write_scenario(v, args.out, run_id, argv=argv, figures=figures, xlsx=xlsx)
            for v in verdicts
        ]
        comparison = None
        if len(verdicts) > 1:
            comparison = write_comparison(
                verdicts, args.out, run_id, argv=argv, figures=figures, xlsx=xlsx
            )
    if args.json:
        summary = summary_json(verdicts)
        for entry, folder in zip(summary["scenarios"], folders, strict=True):
            entry["results"] = str(folder)
        if comparison is not None:
            summary["comparison"] = str(comparison)
        print(dumps(summary))
        return 0
    for verdict, folder in zip(verdicts, folders, strict=True):
        print(format_table(verdict))
        print(f"  Results: {folder}")
        print()
    if comparison is not None:
        print(
            "Across scenarios: " + "; ".join(f"{v.scenario.name} {v.summary()}" for v in verdicts)
        )
        print(f"  Comparison: {comparison}")
    return 0


def command_line(args: argparse.Namespace) -> list[str]:
    """The command as typed, rebuilt from its parsed arguments (for the manifest)."""
    words = ["sim", args.command]
    if args.command == "run":
        words += [str(f) for f in args.scenarios]
    elif getattr(args, "scenarios", None) is not None:
        words += ["--scenarios", str(args.scenarios)]
    words += ["--out", str(args.out)]
    flags = [("json", "--json"), ("no_levers", "--no-levers"), ("no_figures", "--no-figures"),
             ("xlsx", "--xlsx")]  # fmt: skip
    words += [flag for name, flag in flags if getattr(args, name, False)]
    return words


def _stale_hinges(verdicts: Sequence[ScenarioVerdict]) -> None:
    """Say once on stderr why a hinges cache was left out (each reason once)."""
    notes = [v.hinges.stale for v in verdicts if v.hinges is not None and v.hinges.stale]
    for note in dict.fromkeys(notes):
        print(f"note: {note}", file=sys.stderr)


def _load(path: Path) -> tuple[Scenario, TargetSet]:
    scenario = load_scenario(path)
    if scenario.targets_path is None:
        return scenario, TargetSet(targets={})
    targets = load_targets(scenario.targets_path)
    targets.check(scenario.model)
    return scenario, targets


def _distinct(scenarios: list[Scenario]) -> None:
    seen: dict[str, Path] = {}
    for s in scenarios:
        if s.name in seen:
            raise UserInputError(
                f"two scenarios named {s.name!r} ({seen[s.name]} and {s.path}); their results "
                "would share a folder",
                file=str(s.path),
                field="name",
            )
        seen[s.name] = s.path
