"""The ``sim`` command: one sub-command per module of this package.

A module named in `COMMANDS` defines ``register(subparsers)``, which adds its parser and sets
``func`` (a callable taking the parsed arguments and returning an exit status).

Exit status: 0 done; 1 an internal error (a bug: a traceback); 2 bad input (`SimError`: one
line on stderr, never a traceback); 3 a non-finite result (`NonFiniteError`); 130 Ctrl-C;
143 SIGTERM. SIGTERM is raised as `Terminated`, a `KeyboardInterrupt`, so that it unwinds
exactly as Ctrl-C does: results folders are removed, worker pools and clusters shut down.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..errors import SimError
from ..ranges import OutOfRangeWarning
from .range_warnings import range_warnings

__all__ = ["COMMANDS", "Terminated", "main"]

COMMANDS = (
    "simulate",
    "models",
    "export",
    "run",
    "run-all",
    "validate",
    "batch",
    "sensitivity",
    "hinges",
    "discover",
    "map",
    "check-units",
    "loops",
    "calibrate",
    "params",
    "compare",
    "report",
    "serve",
)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="sim",
        description="System-dynamics scenarios: simulate models, judge plan targets, explore "
        "uncertainty.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name.replace('-', '_')}").register(subparsers)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind like Ctrl-C, exit with 143 (128 + 15)."""


def main(argv: Sequence[str] | None = None) -> int:
    name = "sim"
    try:
        with _sigterm_raises():
            args = build_parser().parse_args(argv)
            name = f"sim {args.command}"
            with range_warnings(args.command, getattr(args, "strict", False)):
                return int(args.func(args) or 0)
    except OutOfRangeWarning as exc:  # --strict
        print(f"{name}: error: {exc} (--strict)", file=sys.stderr)
        return 2
    except SimError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except Terminated:
        print(f"{name}: terminated; nothing half-written was kept", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"{name}: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` in the main thread; a second SIGTERM
    during the clean-up is ignored so that the clean-up finishes (SIGKILL still stops it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
