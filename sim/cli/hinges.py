"""``sim hinges SCENARIO``: what each target's verdict hinges on most, cached for ``sim run``.

Runs a Sobol' analysis of the scenario's ``[uncertain]`` parameters (the machinery of ``sim
sensitivity``) and writes, for every target, the top inputs by total-order index of its
met/missed outcome (of its metric when no input changes the outcome) to the cache its targets
file names (``hinges = "…"``), with the SHA-256 of every file read. Sobol' rather than Morris:
the total-order index of a 0/1 outcome is the quantity wanted, and at 1,024 base samples it
costs about 65,000 runs of the Hexi model, under half a minute on one core.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..errors import UserInputError
from ..plan.hinges import HINGE_TOP, Ranked, hinges_data, write_hinges
from ..uncertainty.executors import LocalExecutor
from ..uncertainty.plan import ScenarioEvaluator, load_plan, met_output, ranked_output
from ..uncertainty.sensitivity import SobolResult, sobol
from .batch_options import whole

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "hinges",
        help="rank what each target's verdict hinges on (Sobol) and cache it for `sim run`",
        description="Sobol' analysis of the scenario's [uncertain] parameters; writes, per "
        "target, the inputs with the largest total-order index of its met/missed outcome to "
        "the cache named by the targets file's `hinges` key (or --output), with the SHA-256 "
        "of the model, targets and scenario files, so that `sim run` knows when it is stale.",
    )
    parser.add_argument("scenario", help="a scenario file with [uncertain] parameters")
    parser.add_argument(
        "--samples", default="1024", help="base samples, a power of 2 (1,024): x (inputs + 2) runs"
    )
    parser.add_argument("--seed", default="0", help="random seed, a whole number >= 0 (0)")
    parser.add_argument(
        "--output", type=Path, help="where to write the cache (default: the targets' `hinges`)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    samples = whole(args.samples, "--samples", minimum=2)
    seed = whole(args.seed, "--seed", minimum=0)
    path = Path(args.scenario)
    if not path.is_file():
        raise UserInputError("no such scenario file", file=str(path))
    scenario, targets = load_plan(path)
    if not scenario.uncertain:
        raise UserInputError(
            "the scenario declares no [uncertain] parameters", file=str(path), field="uncertain"
        )
    cache = args.output or targets.hinges_path
    if cache is None:
        raise UserInputError(
            'names no hinges cache; add hinges = "<name>.json" or pass --output',
            file=str(targets.path),
            field="hinges",
        )
    if not cache.parent.is_dir():
        raise UserInputError("no such folder for the cache", file=str(cache), field="--output")
    ids = [t.id for t in targets]
    evaluate = ScenarioEvaluator.of(path, paths=False, flags=True)
    outputs = [*ids, *(met_output(i) for i in ids)]
    with LocalExecutor() as executor:
        result = sobol(
            evaluate, scenario.uncertain, outputs, n=samples, seed=seed, executor=executor,
            chunk_size=max(1, 50_000 // (len(scenario.uncertain) + 2)), n_resamples=200,
        )  # fmt: skip
    ranking = {tid: _ranked(result, tid) for tid in ids}
    files = [("model", scenario.model_path), ("targets", targets.path)]
    files += [("scenario" if i == 0 else "extends", f) for i, f in enumerate(scenario.files)]
    command = f"sim hinges {args.scenario} --samples {samples} --seed {seed}"
    data = hinges_data(
        ranking,
        [(role, Path(f)) for role, f in files if f is not None],
        cache,
        scenario=scenario.name,
        command=command,
        samples=samples,
        runs=result.runs,
        seed=seed,
    )
    write_hinges(cache, data)
    width = max(len(i) for i in ids)
    for tid, entry in data["targets"].items():
        named = ", ".join(f"{i['name']} {i['ST']:.2f}" for i in entry["inputs"]) or "nothing"
        print(f"{tid:<{width}}  [{entry['outcome']:>6}]  {named}")
    print(f"hinges: {cache} ({result.runs:,} runs, top {HINGE_TOP} by total-order index)")
    return 0


def _ranked(result: SobolResult, target_id: str) -> tuple[str, list[Ranked]]:
    """The outcome that explains the target ("met" or "metric") and every input, most
    important first (ties in input order)."""
    output = ranked_output(result.total, result.outputs, target_id, result.total_ci[1])
    i = result.outputs.index(output)
    order = np.argsort(-result.total[i], kind="stable")
    ranked = [
        Ranked(
            result.inputs[j],
            float(result.total[i, j]),
            float(result.total_ci[0, i, j]),
            float(result.total_ci[1, i, j]),
        )
        for j in order
    ]
    return ("metric" if output == target_id else "met"), ranked
