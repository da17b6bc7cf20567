"""``sim loops MODEL|SCENARIO``: the feedback loops of a model and which of them dominate."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import UserInputError
from .model_or_scenario import load_model_or_scenario

if TYPE_CHECKING:
    from ..analysis.ltm import LoopAnalysis

__all__ = ["format_analysis", "register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "loops",
        help="feedback loops and their dominance over time (Loops That Matter)",
        description="List the feedback loops of a model (Johnson's algorithm, or the "
        "strongest-path search with --strongest), named from the model's docs, with their "
        "polarity and relative loop scores, and the dominant loops by period.",
    )
    parser.add_argument("model", help="a model file, a shipped model's name or a scenario file")
    parser.add_argument("--json", action="store_true", help="print the analysis as JSON")
    parser.add_argument("--figure", metavar="PNG", help="write the stacked-area figure here")
    parser.add_argument("--cap", type=_positive_int, default=1000, help="most loops listed")
    parser.add_argument(
        "--strongest", action="store_true", help="find loops by the strongest-path search"
    )
    parser.add_argument(
        "--samples",
        type=_positive_int,
        metavar="N",
        help="a batch of N draws of a scenario's [uncertain] parameters: each loop's share "
        "is then a distribution (5 %%, 50 %%, 95 %%)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the draws (default 1)")
    parser.set_defaults(func=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def run(args: argparse.Namespace) -> int:
    from ..analysis.ltm import analyse_loops

    model, scenario = load_model_or_scenario(args.model)
    if args.samples and (scenario is None or not scenario.uncertain):
        raise UserInputError(
            "--samples needs a scenario with [uncertain] parameters", field=args.model
        )
    if scenario is not None:
        parameters: dict = dict(scenario.parameters)
        if args.samples:
            from ..uncertainty.sampling import Design

            design = Design(scenario.uncertain, n=args.samples, seed=args.seed)
            parameters.update(design.sample())
        analysis = analyse_loops(
            scenario.compiled,
            parameters,
            method=scenario.method,
            dt=scenario.dt,
            cap=args.cap,
            strongest=args.strongest,
        )
    else:
        analysis = analyse_loops(model, cap=args.cap, strongest=args.strongest)
    figure = Path(args.figure) if args.figure else None
    if figure is not None and not analysis.loops:
        print(f"sim loops: {model.name} has no feedback loop: no figure written", file=sys.stderr)
        figure = None
    if figure is not None:
        if not figure.parent.is_dir():
            raise UserInputError("no such folder for the figure", field=str(figure))
        _atomic_figure(analysis, figure, f"{model.name}: relative loop scores")
    if args.json:
        print(json.dumps(as_json(model.name, analysis), ensure_ascii=False, indent=2))
    else:
        print(format_analysis(model.name, analysis))
        if figure is not None:
            print(f"figure: {figure}")
    return 0


def _atomic_figure(analysis: LoopAnalysis, path: Path, title: str) -> None:
    from ..analysis.figures import plot_loop_scores

    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".png")
    os.close(fd)
    try:
        plot_loop_scores(analysis, tmp, title)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def as_json(name: str, analysis: LoopAnalysis) -> dict:
    """Loops with their relative scores over time (mean over scenarios), periods, notes."""
    mean = analysis.relative.mean(axis=2)
    quantiles = np.quantile(analysis.scenario_shares(), [0.05, 0.5, 0.95], axis=1)
    return {
        "model": name,
        "times": analysis.times.tolist(),
        "scenarios": analysis.n,
        "loops": [
            {
                **loop.as_dict(),
                "partition": loop.partition,
                "relative_score": mean[:, j].round(12).tolist(),
                "share_5_50_95": quantiles[:, j].round(12).tolist(),
            }
            for j, loop in enumerate(analysis.loops)
        ],
        "dominant": {
            str(p): [
                {
                    "start": q.start,
                    "stop": q.stop,
                    "loops": [{"name": n, "polarity": pol, "share": s} for n, pol, s in q.loops],
                }
                for q in periods
            ]
            for p, periods in analysis.dominant_periods().items()
        },
        "notes": list(analysis.notes),
    }


def format_analysis(name: str, analysis: LoopAnalysis) -> str:
    """The loops (mean and largest absolute relative score; across a batch, the 5-95 %
    range of the per-scenario mean), the dominant loops by period, the notes."""
    share = analysis.share()[1:]
    batch = analysis.n > 1
    q5, q95 = np.quantile(analysis.scenario_shares(), [0.05, 0.95], axis=1)
    lines = [
        f"{name}: {len(analysis.loops)} feedback loops, {analysis.n} scenario(s), "
        f"{len(analysis.times)} times"
    ]
    spread = f" {'5-95 %':>11}" if batch else ""
    lines.append(
        f"  {'loop':<8} {'pol':<4} {'part':>4} {'mean|rel|':>9} {'max|rel|':>9}{spread}  variables"
    )
    for j, loop in enumerate(analysis.loops):
        path = " -> ".join(loop.variables)
        if len(path) > 90:
            path = path[:87] + "..."
        spread = f" {q5[j]:>5.2f}-{q95[j]:<5.2f}" if batch else ""
        lines.append(
            f"  {loop.name:<8} {loop.polarity:<4} {loop.partition:>4} "
            f"{share[:, j].mean():>9.3f} {share[:, j].max():>9.3f}{spread}  {path}"
        )
    periods = analysis.dominant_periods()
    if periods:
        lines.append("dominant loops by period (partitions with more than one loop):")
    for p, runs in periods.items():
        if len(runs) > 12:
            lines.append(f"  partition {p}: {len(runs)} periods, the first 12 (--json lists all)")
        for run in runs[:12]:
            span = f"{run.start:g}" if run.start == run.stop else f"{run.start:g}-{run.stop:g}"
            loops = ", ".join(f"{n} ({pol}) {s:.0%}" for n, pol, s in run.loops)
            lines.append(f"  partition {p}, {span}: {loops}")
    for note in analysis.notes:
        lines.append(f"note: {note}")
    if not np.isfinite(analysis.scores).all():  # pragma: no cover - scores are cleaned
        lines.append("note: some scores were not finite")
    return "\n".join(lines)
