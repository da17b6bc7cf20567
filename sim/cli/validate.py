"""``sim validate FILE…``: check scenario, model and targets files without running them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..compiler import compile_model
from ..errors import SimError, UserInputError
from ..models import resolve_model
from ..plan.targets import load_targets
from ..ranges import OutOfRangeWarning
from ..scenario import load_scenario
from ..tomlfile import read_toml
from .range_warnings import add_strict_option

__all__ = ["check_file", "register"]

_MODEL_TABLES = {"time", "stocks", "flows", "auxiliaries", "constants", "lookups"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check scenario, model and targets files without running them",
        description="Check each file: a scenario (its extends chain, its model, every "
        "parameter, input and distribution), a model (TOML or XMILE: equations, names, "
        "algebraic loops) or a targets file (every metric and lever against its model). "
        "Prints one line per file, and a warning for each value outside its constant's "
        "range; exit status 2 if any file is bad.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to check")
    add_strict_option(
        parser,
        "a value or distribution outside its constant's range, and a model whose units are "
        "inconsistent, are errors (exit status 2) instead of warnings",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    bad = 0
    for name in args.files:
        try:
            description = check_file(Path(name))
            issues = _unit_issues(name)
            count = f"{len(issues)} unit inconsistenc{'y' if len(issues) == 1 else 'ies'}"
            if issues and args.strict:
                raise UserInputError(
                    f"{count}, the first: {issues[0]} (sim check-units {name} lists them)",
                    file=name,
                )
            if issues:
                description += f"; warning: {count} (sim check-units {name})"
            print(f"ok  {name}: {description}")
        except (SimError, OutOfRangeWarning) as exc:  # the warning is raised with --strict
            bad += 1
            strict = " (--strict)" if isinstance(exc, OutOfRangeWarning) else ""
            print(f"sim validate: error: {exc}{strict}", file=sys.stderr)
    return 2 if bad else 0


def _unit_issues(name: str) -> tuple:
    """The unit inconsistencies of a model or scenario (none for a targets file)."""
    if Path(name).suffix.lower() == ".toml" and isinstance(read_toml(name).get("targets"), dict):
        return ()
    from ..analysis.units import check_units
    from .model_or_scenario import load_model_or_scenario

    return check_units(load_model_or_scenario(name)[0]).issues


def check_file(path: Path) -> str:
    """Check one file; returns a one-line description, raises `SimError` when it is bad."""
    if path.suffix.lower() in {".xmile", ".xml", ".stmx"}:
        return _model(path)
    data = read_toml(path)
    if isinstance(data.get("targets"), dict):
        return _targets(path)
    if _MODEL_TABLES & data.keys() or isinstance(data.get("model"), dict):
        return _model(path)
    return _scenario(path)


def _model(path: Path) -> str:
    model = resolve_model(str(path))
    compile_model(model)
    counts = f"{len(model.stocks)} stocks, {len(model.constants)} constants"
    targets = path.with_name(f"{path.stem}_targets.toml")
    if targets.is_file():
        load_targets(targets).check(model)
        counts += f"; targets {targets.name} checked"
    return f"model {model.name!r} ({counts})"


def _targets(path: Path) -> str:
    targets = load_targets(path)
    model_file = path.with_name(path.name.removesuffix("_targets.toml") + ".toml")
    if not model_file.is_file():
        return f"{len(targets)} targets (no model {model_file.name} beside it to check against)"
    targets.check(resolve_model(str(model_file)))
    return f"{len(targets)} targets, checked against {model_file.name}"


def _scenario(path: Path) -> str:
    s = load_scenario(path)
    text = (
        f"scenario {s.name!r}: model {s.model.name!r}, {s.method} dt {s.dt:g}, "
        f"{len(s.parameters)} parameters, {len(s.inputs)} inputs, {len(s.uncertain)} uncertain"
    )
    if s.targets_path is not None:
        targets = load_targets(s.targets_path)
        targets.check(s.model)
        text += f", {len(targets)} targets"
    return text
