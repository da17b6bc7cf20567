"""What ``sim batch``, ``sensitivity``, ``discover`` and ``map`` share: options, their checks,
the executor, the results folder with its manifest, and printing.

Options are parsed as text and checked here, so that a bad value ends the program with status 2
and one line naming the option and the reason (`UserInputError`), as every user error does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import NonFiniteError, UserInputError
from ..jsontext import dumps
from ..outputs import RunFolder, check_out, manifest, new_run_id
from ..uncertainty.executors import EXECUTORS, Executor, make_executor
from ..uncertainty.sampling import Method
from .range_warnings import add_strict_option

__all__ = [
    "RunOptions",
    "add_run_options",
    "check_nonfinite",
    "emit",
    "nonfinite_line",
    "results_folder",
    "run_options",
]


def add_run_options(
    parser: argparse.ArgumentParser, *, samples: int, samples_help: str, method: bool = True
) -> None:
    """The options every batch-like command takes."""
    parser.add_argument("scenario", help="a scenario file with [uncertain] parameters")
    parser.add_argument("--samples", default=str(samples), help=f"{samples_help} ({samples:,})")
    parser.add_argument("--seed", default="0", help="random seed, a whole number >= 0 (0)")
    if method:
        parser.add_argument(
            "--method",
            default="mc",
            help="sampling: mc (Monte Carlo, default), lhs (Latin hypercube), sobol (n a "
            "power of 2)",
        )
    parser.add_argument(
        "--executor", default="local", help=f"where chunks run: {', '.join(EXECUTORS)} (local)"
    )
    parser.add_argument(
        "--scheduler", help="Dask scheduler address tcp://host:port (with --executor dask)"
    )
    parser.add_argument("--workers", help="worker processes (default: the usable cores)")
    parser.add_argument("--chunk-size", default="50000", help="samples per chunk of work (50,000)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--out", default="results", help="results root: writes <out>/<scenario>/<run-id>/"
    )
    parser.add_argument(
        "--max-nonfinite",
        default="0",
        metavar="SHARE",
        help="largest share of runs (0 to 1) that may reach NaN or infinity; such runs are "
        "left out of every result, and beyond this share the command fails with status 3 (0)",
    )
    add_strict_option(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("--no-figures", action="store_true", help="write no figures")


@dataclass(frozen=True)
class RunOptions:
    """The checked options."""

    scenario: Path
    samples: int
    seed: int
    method: Method
    executor: str
    scheduler: str | None
    workers: int | None
    chunk_size: int
    out: Path
    progress: bool
    figures: bool
    max_nonfinite: float = 0.0

    def make_executor(self) -> Executor:
        return make_executor(self.executor, workers=self.workers, scheduler=self.scheduler)

    def describe(self) -> dict[str, Any]:
        """For the manifest: how the run was executed (not part of the results)."""
        return {
            "samples": self.samples,
            "method": str(self.method),
            "executor": self.executor,
            "scheduler": self.scheduler,
            "workers": self.workers,
            "chunk_size": self.chunk_size,
            "max_nonfinite": self.max_nonfinite,
        }


def run_options(args: argparse.Namespace) -> RunOptions:
    scenario = Path(args.scenario)
    if not scenario.is_file():
        raise UserInputError("no such scenario file", file=str(scenario))
    method = getattr(args, "method", "mc")
    try:
        method = Method(method)
    except ValueError:
        known = ", ".join(m.value for m in Method)
        raise UserInputError(
            f"unknown method {method!r}; expected {known}", field="--method"
        ) from None
    executor = args.executor
    if executor not in EXECUTORS:
        raise UserInputError(
            f"unknown executor {executor!r}; expected one of {', '.join(EXECUTORS)}",
            field="--executor",
        )
    if args.scheduler and executor != "dask":
        raise UserInputError("a scheduler address needs --executor dask", field="--scheduler")
    check_out(args.out)
    return RunOptions(
        scenario=scenario,
        samples=whole(args.samples, "--samples", minimum=1),
        seed=whole(args.seed, "--seed", minimum=0),
        method=method,
        executor=executor,
        scheduler=args.scheduler,
        workers=None if args.workers is None else whole(args.workers, "--workers", minimum=1),
        chunk_size=whole(args.chunk_size, "--chunk-size", minimum=1),
        out=Path(args.out),
        progress=not args.no_progress,
        figures=not args.no_figures,
        max_nonfinite=_share(args.max_nonfinite, "--max-nonfinite"),
    )


def _share(text: str, option: str) -> float:
    value = number(text, option)
    if not 0 <= value <= 1:
        raise UserInputError(f"must be a share between 0 and 1, got {text}", field=option)
    return value


def check_nonfinite(options: RunOptions, bad: int, total: int, first: str = "") -> None:
    """Fail (`NonFiniteError`, exit 3) when more than ``--max-nonfinite`` of the runs reached
    NaN or infinity; ``first`` describes the first of them."""
    if bad and bad > options.max_nonfinite * total:
        where = f"; the first: {first}" if first else ""
        raise NonFiniteError(
            f"{bad:,} of {total:,} runs ({bad / total:.2%}) reached NaN or infinity, more than "
            f"--max-nonfinite {options.max_nonfinite:g} allows{where}"
        )


def nonfinite_line(bad: int, total: int, what: str) -> str:
    """The line of a text summary that counts the runs left out."""
    return f"non-finite runs: {bad:,} of {total:,} ({bad / total:.2%}), left out of {what}"


def whole(text: str, option: str, *, minimum: int) -> int:
    """``text`` as a whole number of at least ``minimum`` (``100000`` or ``100_000``)."""
    try:
        value = int(str(text).replace("_", "").replace(",", ""))
    except ValueError:
        raise UserInputError(f"not a whole number: {text!r}", field=option) from None
    if value < minimum:
        raise UserInputError(f"must be at least {minimum}, got {value}", field=option)
    return value


def number(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UserInputError(f"not a number: {text!r}", field=option) from None


@contextmanager
def results_folder(
    options: RunOptions, name: str, command: str, inputs: list[tuple[str, Path]]
) -> Iterator[RunFolder]:
    """``<out>/<name>/<run-id>-<command>/`` written atomically, with ``manifest.json``."""
    run_id = f"{new_run_id()}-{command}"
    with RunFolder(options.out, name, run_id) as folder:
        yield folder
        folder.write_json(
            "manifest.json",
            manifest(
                run_id=run_id,
                inputs=[(role, path) for role, path in inputs if path is not None],
                seed=options.seed,
                extra={"command_name": command, "options": options.describe()},
            ),
        )


def emit(data: dict[str, Any], text: str, *, as_json: bool, folder: Path) -> None:
    """The summary on stdout (JSON or text); where the results went on stderr."""
    if as_json:
        print(dumps(data))
    else:
        print(text)
    print(f"results: {folder}", file=sys.stderr)
