"""Out-of-range values on the command line: one line each on stderr, or with ``--strict`` an
error (exit status 2), whatever warning filters the interpreter runs with."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from ..ranges import OutOfRangeWarning

__all__ = ["add_strict_option", "range_warnings"]


def add_strict_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help=help
        or "a value (or a distribution) outside its constant's declared range is an error "
        "(exit status 2) instead of a warning",
    )


@contextmanager
def range_warnings(command: str, strict: bool) -> Iterator[None]:
    """Print each distinct `OutOfRangeWarning` once as ``sim <command>: warning: …``; with
    ``strict``, raise it instead (the caller reports it as an error)."""
    shown: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("error" if strict else "always", OutOfRangeWarning)
        original = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if not issubclass(category, OutOfRangeWarning):
                return original(message, category, filename, lineno, file, line)
            if str(message) not in shown:
                shown.add(str(message))
                print(f"sim {command}: warning: {message}", file=sys.stderr)
            return None

        warnings.showwarning = show
        yield
