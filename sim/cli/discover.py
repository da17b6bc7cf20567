"""``sim discover SCENARIO``: which ranges of the assumptions make a target fail (PRIM).

Runs the scenario's uncertain samples, keeps each sample's inputs and verdicts, and for each
target finds a box of input ranges where misses concentrate, with its coverage (the share of
all misses inside the box) and density (the share of runs inside the box that miss). Keeps
``samples x parameters`` numbers in memory; the default of 10,000 samples is plenty for PRIM.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..errors import UserInputError
from ..uncertainty.batch import NONFINITE, NOTE, run_batch
from ..uncertainty.plan import explain_nonfinite, plan_batch
from ..uncertainty.prim import PrimResult, prim
from .batch_options import (
    add_run_options,
    check_nonfinite,
    emit,
    nonfinite_line,
    number,
    results_folder,
    run_options,
)

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "discover",
        help="scenario discovery: which assumption ranges make each target fail (PRIM)",
        description="For each target, the box of assumption ranges in which it is mostly "
        "missed (PRIM peeling and pasting), with its coverage and density.",
    )
    add_run_options(parser, samples=10_000, samples_help="number of sampled runs")
    parser.add_argument(
        "--target",
        action="append",
        help="a target id (repeatable; default: every target missed in some runs but not all)",
    )
    parser.add_argument(
        "--met",
        action="store_true",
        help="explain when each target is MET instead of when it is missed",
    )
    parser.add_argument(
        "--threshold", default="0.8", help="least share of the outcome in the box (density, 0.8)"
    )
    parser.add_argument("--alpha", default="0.05", help="share of runs peeled per step (0.05)")
    parser.add_argument(
        "--min-mass", default="0.05", help="smallest share of runs a box may hold (0.05)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = run_options(args)
    threshold = _fraction(args.threshold, "--threshold")
    alpha = _fraction(args.alpha, "--alpha")
    min_mass = _fraction(args.min_mass, "--min-mass")
    batch, scenario, targets = plan_batch(
        options.scenario, samples=options.samples, seed=options.seed, method=options.method
    )
    known = [t.id for t in targets]
    for wanted in args.target or []:
        if wanted not in known:
            raise UserInputError(f"no target {wanted!r} (targets: {', '.join(known)})",
                                 field="--target")  # fmt: skip
    word = "met" if args.met else "missed"
    chunks: list[dict[str, np.ndarray]] = []
    with options.make_executor() as executor:
        result = run_batch(
            batch, executor=executor, chunk_size=options.chunk_size, records=chunks.append,
            show_progress=options.progress,
        )  # fmt: skip
    summary = result.summary
    if summary.first_nonfinite is not None:
        row = summary.first_nonfinite
        first = explain_nonfinite(scenario, batch.design.sample(row, row + 1))
        check_nonfinite(options, summary.nonfinite, summary.n, f"sample {row}: {first}")
    names = tuple(batch.design.names)
    keep = ~np.concatenate([c[NONFINITE] for c in chunks])  # PRIM sees the finite runs only
    x = np.column_stack([np.concatenate([c[k] for c in chunks])[keep] for k in names])
    found: dict[str, Any] = {}
    boxes: dict[str, PrimResult] = {}
    for target in targets:
        if args.target and target.id not in args.target:
            continue
        met = np.concatenate([c[f"met:{target.id}"] for c in chunks])[keep].astype(bool)
        hit = met if args.met else ~met  # the outcome explained
        if not len(hit):
            found[target.id] = {"title": target.title, f"p_{word}": None, "note": "no finite run"}
            continue
        entry: dict[str, Any] = {"title": target.title, f"p_{word}": float(hit.mean())}
        if hit.all() or not hit.any():
            entry["note"] = f"always {word}" if hit.all() else f"never {word}"
        elif hit.mean() >= threshold:
            entry["note"] = f"{word} in most runs: no range of the assumptions to single out"
        else:
            boxes[target.id] = prim(
                x, hit, names, alpha=alpha, min_mass=min_mass, threshold=threshold
            )
            entry.update(boxes[target.id].to_dict())
        found[target.id] = entry
    data = {"scenario": scenario.name, "samples": options.samples, "seed": options.seed,
            "nonfinite_runs": summary.nonfinite, "note": NOTE,
            "outcome": f"target {word}", "targets": found}  # fmt: skip
    inputs = [("scenario", f) for f in scenario.files]
    inputs += [("model", scenario.model_path), ("targets", targets.path)]
    with results_folder(options, scenario.name, "discover", inputs) as folder:
        folder.write_json("discover.json", data)
        if options.figures:
            from ..plan.figures import latin
            from ..uncertainty.figures import prim_chart

            for target_id, box in boxes.items():
                title = latin(f"When is it {word}? {targets[target_id].title}")
                prim_chart(folder.file(f"figures/prim/{target_id}.png"), box, title=title)
    emit(data, _text(data), as_json=args.json, folder=folder.final)
    return 0


def _fraction(text: str, option: str) -> float:
    value = number(text, option)
    if not 0 < value < 1:
        raise UserInputError(f"must lie strictly between 0 and 1, got {text}", field=option)
    return value


def _text(data: dict[str, Any]) -> str:
    word = data["outcome"].removeprefix("target ")
    lines = [f"{data['scenario']}: where the target is {word} ({data['samples']:,} runs)"]
    lines.append(nonfinite_line(data["nonfinite_runs"], data["samples"], "the boxes"))
    for target_id, e in data["targets"].items():
        if e[f"p_{word}"] is None:
            lines.append(f"{target_id}: {e['note']}")
            continue
        head = f"{target_id}: {word} in {e[f'p_{word}']:.1%} of runs"
        if "note" in e:
            lines.append(f"{head} ({e['note']})")
            continue
        ranges = "; ".join(
            f"{k} {_range(v['low'], v['high'], e['data_ranges'][k])}" for k, v in e["box"].items()
        )
        weak = "" if e["density"] >= e["threshold"] else " [weak: below the density threshold]"
        lines.append(
            f"{head}; {e['density']:.0%} of runs are {word} when {ranges or 'anywhere'} "
            f"(covers {e['coverage']:.0%} of them){weak}"
        )
    return "\n".join(lines)


def _range(low: float, high: float, full: dict[str, float]) -> str:
    if low <= full["low"]:
        return f"<= {high:.4g}"
    if high >= full["high"]:
        return f">= {low:.4g}"
    return f"in [{low:.4g}, {high:.4g}]"
