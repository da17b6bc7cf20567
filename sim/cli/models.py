"""``sim models``: the models shipped in the package, one line each."""

from __future__ import annotations

import argparse

from ..modelfile import load_model
from ..models import shipped_model_names, shipped_model_path

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list the shipped models",
        description="List the models shipped in the package.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    names = shipped_model_names()
    width = max(map(len, names), default=0)
    for name in names:
        doc = load_model(shipped_model_path(name)).doc.strip().splitlines()
        print(f"{name:<{width}}  {doc[0] if doc else ''}")
    return 0
