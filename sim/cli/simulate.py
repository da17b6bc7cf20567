"""``sim simulate MODEL``: run one model with its own time settings, print or write a table."""

from __future__ import annotations

import argparse
import sys

from ..models import resolve_model
from ..simulate import simulate

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="run a model file (TOML or XMILE) or a shipped model by name",
        description="Run one model once, with its own time settings unless overridden, and "
        "write Time plus one column per variable.",
    )
    parser.add_argument(
        "model", help="a model file (.toml, .xmile, .mdl) or a shipped model's name"
    )
    parser.add_argument("--method", help="integration method: euler, rk2 or rk4")
    parser.add_argument("--dt", type=_positive_float, help="time step (overrides the model's)")
    parser.add_argument(
        "--csv", metavar="OUT", help="write the table to this CSV file (default: print it)"
    )
    parser.set_defaults(func=run)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def run(args: argparse.Namespace) -> int:
    model = resolve_model(args.model)
    result = simulate(model, method=args.method, dt=args.dt)
    result.check_finite(f"model {model.name!r}")
    if args.csv:
        result.to_csv(args.csv)
        print(f"wrote {len(result.times)} rows x {len(result.names)} variables to {args.csv}")
    else:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["Time", *result.names])
        for i, t in enumerate(result.times):
            writer.writerow([f"{t:g}", *(f"{x:.10g}" for x in result.values[i, :, 0])])
    return 0
