"""``sim sensitivity SCENARIO``: which uncertain assumptions matter most, for each target.

``--method sobol`` (default) gives Sobol' first-order and total indices with 95 % bootstrap
intervals, for each target's metric and for its met/missed outcome; ``morris`` screens with
elementary effects (cheaper); ``tornado`` swings each assumption from its 5 % to its 95 %
quantile with the others at their medians.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..errors import UserInputError
from ..outputs import RunFolder
from ..uncertainty.morris import morris
from ..uncertainty.plan import ScenarioEvaluator, load_plan, met_output, ranked_output
from ..uncertainty.sensitivity import sobol
from ..uncertainty.tornado import tornado
from .batch_options import (
    add_run_options,
    check_nonfinite,
    emit,
    nonfinite_line,
    results_folder,
    run_options,
    whole,
)

__all__ = ["register"]

METHODS = ("sobol", "morris", "tornado")
_LEFT_OUT = {
    "sobol": "the indices (with their rows of A, B and AB)",
    "morris": "the effects (with their trajectories)",
    "tornado": "the ranking (their swings are unknown)",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sensitivity",
        help="which uncertain assumptions matter most for each target (Sobol, Morris, tornado)",
        description="Global sensitivity of every target (its metric and whether it is met) to "
        "the scenario's [uncertain] parameters.",
    )
    add_run_options(
        parser,
        samples=1024,
        samples_help="sobol: base samples, a power of 2, costing samples x (parameters + 2) "
        "runs; morris: trajectories; tornado: unused",
        method=False,
    )
    parser.add_argument(
        "--method", dest="analysis", default="sobol", help="sobol (default), morris or tornado"
    )
    parser.add_argument(
        "--resamples", default="200", help="bootstrap resamples for the intervals (200)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = run_options(args)
    if args.analysis not in METHODS:
        raise UserInputError(
            f"unknown method {args.analysis!r}; expected one of {', '.join(METHODS)}",
            field="--method",
        )
    resamples = whole(args.resamples, "--resamples", minimum=10)
    scenario, targets = load_plan(options.scenario)
    if not scenario.uncertain:
        raise UserInputError(
            "the scenario declares no [uncertain] parameters",
            file=str(options.scenario),
            field="uncertain",
        )
    evaluate = ScenarioEvaluator.of(options.scenario, paths=False, flags=True)
    ids = [t.id for t in targets]
    outputs = [*ids, *(met_output(i) for i in ids)]
    dists = scenario.uncertain
    runs_per_row = len(dists) + 2
    with options.make_executor() as executor:
        if args.analysis == "sobol":
            result: Any = sobol(
                evaluate, dists, outputs, n=options.samples, seed=options.seed,
                executor=executor, chunk_size=max(1, options.chunk_size // runs_per_row),
                n_resamples=resamples,
            )  # fmt: skip
        elif args.analysis == "morris":
            result = morris(
                evaluate, dists, outputs, trajectories=options.samples, seed=options.seed,
                executor=executor, chunk_size=options.chunk_size, n_resamples=resamples,
            )  # fmt: skip
        else:
            result = tornado(evaluate, dists, outputs)
    check_nonfinite(options, result.nonfinite, result.runs)
    data = {"scenario": scenario.name, **result.to_dict()}
    inputs = [("scenario", f) for f in scenario.files]
    inputs += [("model", scenario.model_path), ("targets", targets.path)]
    with results_folder(options, scenario.name, f"sensitivity-{args.analysis}", inputs) as folder:
        folder.write_json("sensitivity.json", data)
        ranking = _ranking(args.analysis, result, targets)
        folder.write_json("ranking.json", ranking)
        if options.figures:
            _figures(folder, args.analysis, result, targets, scenario.name)
    text = _text(args.analysis, ranking, scenario.name)
    text += "\n" + nonfinite_line(result.nonfinite, result.runs, _LEFT_OUT[args.analysis])
    emit(data, text, as_json=args.json, folder=folder.final)
    return 0


def _importance(method: str, result: Any) -> np.ndarray:
    """Per output and input: total Sobol index, Morris mu*, or the tornado swing."""
    if method == "sobol":
        return result.total
    if method == "morris":
        return result.mu_star
    return result.swing()


def _ranking(method: str, result: Any, targets: Any) -> dict[str, Any]:
    """For each target, the assumptions that matter most: for whether it is met when that
    varies across the samples, else for its metric."""
    values = _importance(method, result)
    out: dict[str, Any] = {}
    for target in targets:
        output = ranked_output(values, result.outputs, target.id)
        row = values[result.outputs.index(output)]
        outcome = "metric" if output == target.id else "met"
        order = np.argsort(-row, kind="stable")[:5]
        out[target.id] = {
            "outcome": outcome,
            "top": [{"input": result.inputs[j], "value": float(row[j])} for j in order],
        }
    return {"method": method, "importance": _measure(method), "targets": out}


def _measure(method: str) -> str:
    return {
        "sobol": "total-order Sobol index (share of variance, with interactions)",
        "morris": "Morris mu* (mean absolute change per full range of the input)",
        "tornado": "swing of the output between the input's 5 % and 95 % quantiles",
    }[method]


def _text(method: str, ranking: dict[str, Any], name: str) -> str:
    lines = [f"{name}: what matters most for each target ({ranking['importance']})"]
    width = max(len(k) for k in ranking["targets"])
    for target, entry in ranking["targets"].items():
        top = ", ".join(f"{t['input']} {t['value']:.3g}" for t in entry["top"][:3])
        lines.append(f"{target:<{width}}  [{entry['outcome']:>6}]  {top}")
    return "\n".join(lines)


def _figures(folder: RunFolder, method: str, result: Any, targets: Any, name: str) -> None:
    from ..plan.figures import latin
    from ..uncertainty.figures import importance_heatmap, sobol_bars, tornado_chart

    values = _importance(method, result)
    ids = [t.id for t in targets]
    for outcome, rows in (("met", [met_output(i) for i in ids]), ("metric", ids)):
        index = [result.outputs.index(r) for r in rows]
        block = values[index]
        if method != "sobol":  # scale each target's row to its largest effect
            block = block / np.maximum(block.max(axis=1, keepdims=True), 1e-300)
        labels = [
            f"{latin(t.title)} (no input changes it)"
            if outcome == "met" and not np.any(row > 0)
            else latin(t.title)
            for t, row in zip(targets, block, strict=True)
        ]
        what = ("whether each target is MET (met/missed, 0/1)" if outcome == "met"
                else "each target's METRIC (its value)")  # fmt: skip
        importance_heatmap(
            folder.file(f"figures/{method}_{outcome}.png"),
            labels,
            list(result.inputs),
            block,
            title=f"{name}: which assumptions decide {what} ({method})",
            label=(_measure(method) if method == "sobol" else f"{method}: relative importance")
            + (" of met/missed" if outcome == "met" else " of the metric"),
            interval=result.total_ci[:, index] if method == "sobol" else None,
            cmap="Purples" if outcome == "met" else "Oranges",
        )
    for target in targets:
        title = latin(f"{target.title}: what its metric depends on")
        if method == "sobol":
            sobol_bars(folder.file(f"figures/sobol/{target.id}.png"), result, target.id,
                       title=title, top=12)  # fmt: skip
        elif method == "tornado":
            tornado_chart(folder.file(f"figures/tornado/{target.id}.png"), result, target.id,
                          title=title, threshold=target.threshold, top=12,
                          unit=latin(target.unit))  # fmt: skip
