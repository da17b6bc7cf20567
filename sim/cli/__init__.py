"""The ``sim`` command: one sub-command per module of this package.

A module named in `COMMANDS` defines ``register(subparsers)``, which adds its parser and sets
``func`` (a callable taking the parsed arguments and returning an exit status). User errors
(`SimError`) end the program with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ..errors import SimError

__all__ = ["COMMANDS", "main"]

COMMANDS = (
    "simulate",
    "models",
    "export",
    "run",
    "run-all",
    "validate",
    "batch",
    "sensitivity",
    "discover",
    "map",
    "params",
    "compare",
    "report",
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SimError as exc:
        print(f"sim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"sim {args.command}: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
