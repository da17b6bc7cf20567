"""``sim map SCENARIO --target ID --x LEVER --y LEVER``: where is a target reachable?

A grid over two levers (constants of the model), each cell giving the probability that the
target is met over the scenario's other uncertain parameters (the same samples in every cell),
drawn as a map with contours where the probability crosses 50 % and 90 %.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..errors import UserInputError
from ..names import canonical
from ..uncertainty.feasibility import feasibility_map
from ..uncertainty.plan import PlanTarget, ScenarioEvaluator, load_plan
from .batch_options import (
    add_run_options,
    check_nonfinite,
    emit,
    nonfinite_line,
    number,
    results_folder,
    run_options,
    whole,
)

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "map",
        help="feasibility map: probability of meeting a target over a grid of two levers",
        description="Probability of meeting one target on a grid of two levers, each cell over "
        "the same samples of the scenario's other uncertain parameters.",
    )
    add_run_options(parser, samples=200, samples_help="samples per grid cell")
    parser.add_argument("--target", required=True, help="the target id")
    for axis in ("x", "y"):
        parser.add_argument(
            f"--{axis}",
            required=True,
            metavar="NAME[:LOW:HIGH]",
            help=f"lever on the {axis} axis: a constant of the model, with its range (default: "
            "its uncertain distribution's 1-99 %% range, or the model's range)",
        )
    parser.add_argument("--grid", default="21", help="points per axis, N or NXxNY (21)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = run_options(args)
    scenario, targets = load_plan(options.scenario)
    known = [t.id for t in targets]
    if args.target not in known:
        raise UserInputError(f"no target {args.target!r} (targets: {', '.join(known)})",
                             field="--target")  # fmt: skip
    target = targets[args.target]
    nx, ny = _grid(args.grid)
    (x_name, x_range), (y_name, y_range) = (
        _lever(scenario, text, f"--{axis}") for axis, text in (("x", args.x), ("y", args.y))
    )
    levers = (x_name, np.linspace(*x_range, nx)), (y_name, np.linspace(*y_range, ny))
    evaluate = ScenarioEvaluator.of(options.scenario, paths=False)
    with options.make_executor() as executor:
        fmap = feasibility_map(
            evaluate, PlanTarget(target), *levers, scenario.uncertain,
            samples=options.samples, seed=options.seed, method=options.method,
            executor=executor, cells_per_chunk=max(1, options.chunk_size // options.samples),
        )  # fmt: skip
    check_nonfinite(options, fmap.nonfinite_runs, fmap.runs)
    data = {"scenario": scenario.name, "threshold": target.threshold_text(), **fmap.to_dict()}
    inputs = [("scenario", f) for f in scenario.files]
    inputs += [("model", scenario.model_path), ("targets", targets.path)]
    with results_folder(options, scenario.name, f"map-{target.id}", inputs) as folder:
        folder.write_json("map.json", data)
        rows = [
            [f"{x:.10g}", f"{y:.10g}", f"{fmap.probability[i, j]:.6f}", f"{fmap.median[i, j]:.10g}"]
            for i, y in enumerate(fmap.y)
            for j, x in enumerate(fmap.x)
        ]
        folder.write_csv("map.csv", [x_name, y_name, "p_met", "median_metric"], rows)
        if options.figures:
            from ..plan.figures import latin
            from ..uncertainty.figures import feasibility_chart

            feasibility_chart(
                folder.file("figures/map.png"),
                fmap,
                title=latin(f"{scenario.name}: {target.title} ({target.threshold_text()})"),
                marker=(_current(scenario, x_name), _current(scenario, y_name)),
                marker_label=f"scenario '{scenario.name}' (its own values)",
            )
    emit(data, _text(fmap, target), as_json=args.json, folder=folder.final)
    return 0


def _grid(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    if len(parts) > 2:
        raise UserInputError(f"expected N or NXxNY, got {text!r}", field="--grid")
    sizes = [whole(p, "--grid", minimum=2) for p in parts]
    return (sizes[0], sizes[-1])


def _lever(scenario: Any, text: str, option: str) -> tuple[str, tuple[float, float]]:
    """A constant of the model and its range, from ``NAME`` or ``NAME:LOW:HIGH``."""
    name, *bounds = text.split(":")
    constants = {c.key: c for c in scenario.model.constants}
    constant = constants.get(canonical(name))
    if constant is None:
        raise UserInputError(f"no constant named {name!r} in model {scenario.model.name!r}",
                             field=option)  # fmt: skip
    if bounds:
        if len(bounds) != 2:
            raise UserInputError(f"expected NAME:LOW:HIGH, got {text!r}", field=option)
        low, high = (number(b, option) for b in bounds)
    elif (dist := _uncertain(scenario, constant.name)) is not None:
        low, high = dist.bounds(0.98)
    elif constant.range is not None:
        low, high = constant.range
    else:
        raise UserInputError(
            f"{constant.name!r} has no range in the model or the scenario; give one as "
            f"{constant.name}:LOW:HIGH",
            field=option,
        )
    if not low < high:
        raise UserInputError(f"the range must run from low to high, got {low:g} to {high:g}",
                             field=option)  # fmt: skip
    if not np.isfinite(high - low):
        raise UserInputError(
            f"the range from {low:g} to {high:g} is wider than the largest number; narrow it",
            field=option,
        )
    return constant.name, (float(low), float(high))


def _uncertain(scenario: Any, name: str) -> Any:
    return next((d for k, d in scenario.uncertain.items() if canonical(k) == canonical(name)), None)


def _current(scenario: Any, name: str) -> float:
    """The lever's value in the scenario itself (not its distribution's median)."""
    from ..api import point_value

    return point_value(scenario, name)


def _text(fmap: Any, target: Any) -> str:
    p = np.nan_to_num(fmap.probability, nan=-1.0)  # a cell without a finite run: -1, shown "-"
    i, j = np.unravel_index(np.argmax(p), p.shape)
    reachable = (p >= 0.5).mean()
    known = p[p >= 0]
    low, high = (known.min(), known.max()) if known.size else (np.nan, np.nan)
    return "\n".join(
        [
            f"{target.id} ({target.threshold_text()}) over {fmap.x_name} x {fmap.y_name}: "
            f"P(met) from {low:.1%} to {high:.1%}; at least 50 % in "
            f"{reachable:.0%} of the grid",
            f"best cell: {fmap.x_name} = {fmap.x[j]:.4g}, {fmap.y_name} = {fmap.y[i]:.4g} "
            f"(P = {fmap.probability[i, j]:.1%}, {fmap.samples:,} runs per cell)",
            nonfinite_line(fmap.nonfinite_runs, fmap.runs, "each cell's probability and median"),
        ]
    )
