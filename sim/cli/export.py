"""``sim export MODEL -o OUT``: write a model as XMILE (for Stella, PySD, …) or as our TOML."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UserInputError
from ..modelfile import save_model
from ..models import resolve_model
from ..xmile import write_xmile

__all__ = ["register"]

_WRITERS = {".xmile": write_xmile, ".xml": write_xmile, ".stmx": write_xmile, ".toml": save_model}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a model as XMILE (or TOML)",
        description="Write a model file or a shipped model as XMILE 1.0, which Stella, PySD and "
        "other system-dynamics tools open; an output ending in .toml converts to our own "
        "format instead (e.g. to bring an XMILE model in).",
    )
    parser.add_argument(
        "model", help="a model file (.toml, .xmile, Vensim .mdl) or a shipped model's name"
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="OUT",
        help="the file to write: .xmile (also .xml, .stmx) or .toml",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.output
    if out.is_dir():
        raise UserInputError("is a folder; give a file name", file=str(out))
    writer = _WRITERS.get(out.suffix.lower())
    if writer is None:
        known = ", ".join(_WRITERS)
        raise UserInputError(
            f"unknown output format {out.suffix!r} (known: {known})", file=str(out)
        )
    if not out.parent.is_dir():
        raise UserInputError("the output's folder does not exist", file=str(out))
    model = resolve_model(args.model)
    writer(model, out)
    print(f"wrote {model.name!r} ({len(model.variables)} variables) to {out}")
    return 0
