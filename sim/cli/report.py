"""``sim report SCENARIO… [--batch DIR]``: one self-contained HTML file to hand on."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..outputs import link_latest, manifest, new_run_id
from ..results import atomic_write
from .run import _distinct

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="one self-contained HTML report of scenarios (and a batch result) to hand on",
        description="Judge every target in each scenario and write ONE HTML file: targets x "
        "scenarios with status colours, the figures embedded, the assumptions with their "
        "sources, the batch probabilities (with --batch), and the manifest. It needs no "
        "network and prints to PDF from a browser.",
    )
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO_FILE", help="scenario files")
    parser.add_argument(
        "--batch", metavar="DIR", type=Path, help="a `sim batch` results folder to include"
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        type=Path,
        help="the HTML file (default: <out>/report/<run-id>.html, and <out>/report/latest)",
    )
    parser.add_argument("--out", type=Path, default=Path("results"), help="results root")
    parser.add_argument(
        "--no-levers", action="store_true", help="skip the search for the required lever values"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..api import run as run_scenarios
    from ..plan.figures import comparison_figure_object, verdict_figure_object
    from ..report.html import png_uri, read_batch, render_report
    from ..report.params import parameter_frame
    from ..scenario import load_scenario

    batch = read_batch(args.batch) if args.batch is not None else None
    scenarios = [load_scenario(Path(f)) for f in args.scenarios]
    _distinct(scenarios)
    runs = run_scenarios(scenarios, levers=not args.no_levers)
    judged = runs.judged
    figures = []
    if any(t.headline for t in judged[0].targets):
        caption = "Headline targets across scenarios: each line a scenario, dashed the threshold."
        figures.append((caption, png_uri(comparison_figure_object(judged))))
    for v in judged:
        caption = f"Scenario {v.scenario.name}: margin of every target (green met, red missed)."
        figures.append((caption, png_uri(verdict_figure_object(v))))
    table = None
    for i, s in enumerate(scenarios):
        frame = parameter_frame(s)[["name", "unit", "range", "source", "value"]]
        frame = frame.rename(columns={"value": f"value_{i}"})
        table = frame if table is None else table.merge(
            frame[["name", f"value_{i}"]], on="name", how="outer")  # fmt: skip
    run_id = new_run_id()
    inputs = [(f"scenario {s.name}", f) for s in scenarios for f in s.files]
    inputs += [("model", scenarios[0].model_path)]
    if judged[0].targets.path is not None:
        inputs.append(("targets", judged[0].targets.path))
    if batch is not None:
        inputs.append(("batch summary", batch.folder / "summary.json"))
    record = manifest(run_id=run_id, inputs=inputs,
                      extra={"scenarios": runs.names, "levers": not args.no_levers})  # fmt: skip
    page = render_report(judged, figures=figures, parameters=table, manifest=record, batch=batch)
    path = args.output or args.out / "report" / f"{run_id}.html"
    with atomic_write(path) as handle:
        handle.write(page)
    if args.output is None:
        link_latest(path)
    print(f"report: {path} ({len(page) / 1024:,.0f} KiB, one file, no external links)")
    return 0
