"""``sim batch SCENARIO``: how likely is each target to be met, over the scenario's uncertainty.

Samples the scenario's ``[uncertain]`` parameters, runs the model on every sample in chunks,
and reports for each target the probability it is met with a 95 % interval, the distribution
of its metric, and the probability that all targets are met. Writes a results folder with the
summary, a table, figures (probability bars, a fan chart per target) and, with ``--records``,
every sample's inputs and metrics as Parquet.
"""

from __future__ import annotations

import argparse
import math
import threading
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UserInputError
from ..outputs import RunFolder
from ..uncertainty.batch import BatchResult, run_batch
from ..uncertainty.feasibility import LIKELY, UNLIKELY, likelihood_label
from ..uncertainty.plan import explain_nonfinite, path_output, plan_batch
from .batch_options import (
    add_run_options,
    check_nonfinite,
    emit,
    nonfinite_line,
    results_folder,
    run_options,
)
from .condition import add_condition_options, run_conditioned

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "batch",
        help="probability of meeting each target over the scenario's uncertain parameters",
        description="Sample the scenario's [uncertain] parameters, run every sample, and report "
        "the probability each target (and all of them) is met, with 95 % intervals.",
    )
    add_run_options(parser, samples=10_000, samples_help="number of sampled runs")
    parser.add_argument(
        "--records",
        action="store_true",
        help="also write every sample's inputs, metrics and met flags to samples.parquet",
    )
    add_condition_options(parser)
    parser.add_argument(
        "--xlsx", action="store_true", help="also write results.xlsx (needs openpyxl)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = run_options(args)
    if args.xlsx:
        from ..report.excel import require_openpyxl

        require_openpyxl()
    if args.condition_on:
        return run_conditioned(args, options)
    batch, scenario, targets = plan_batch(
        options.scenario, samples=options.samples, seed=options.seed, method=options.method
    )
    inputs = [("scenario", f) for f in scenario.files]
    inputs += [("model", scenario.model_path), ("targets", targets.path)]
    with results_folder(options, scenario.name, "batch", inputs) as folder:
        sink = ParquetSink(folder.file("samples.parquet")) if args.records else None
        preload = _preload_drawing() if options.figures and options.executor == "local" else None
        with options.make_executor() as executor:
            result = run_batch(
                batch,
                executor=executor,
                chunk_size=options.chunk_size,
                records=sink.write if sink else None,
                show_progress=options.progress,
            )
        if preload is not None:
            preload.join()  # before drawing forks: no thread may be left running
        if sink:
            sink.close()
        _check(options, result, scenario)
        summary = _summary(result, scenario.name, targets)
        folder.write_json("summary.json", {**summary, "trajectories": _fans(result)})
        _table(folder, result, targets)
        if args.xlsx:
            _workbook(folder, result, scenario, targets)
        if options.figures:
            _figures(folder, result, targets, scenario.name)
    emit(summary, _text(summary, targets), as_json=args.json, folder=folder.final)
    return 0


def _check(options: Any, result: BatchResult, scenario: Any) -> None:
    first = result.summary.first_nonfinite
    if first is None:
        return
    design = result.batch.design
    detail = f"sample {first}: {explain_nonfinite(scenario, design.sample(first, first + 1))}"
    check_nonfinite(options, result.summary.nonfinite, result.summary.n, detail)


def _summary(result: BatchResult, name: str, targets: Any) -> dict[str, Any]:
    data = result.to_dict()
    data.pop("trajectories")
    for target in targets:
        entry = data["targets"][target.id]
        entry.update(
            title=target.title,
            metric=target.metric,
            threshold=target.threshold_text(),
            year=target.year,
            label=likelihood_label(entry["p"], entry["low"], entry["high"]),
            evidence=target.evidence,
        )
    joint = data.get("all_targets")
    if joint is not None:
        joint["label"] = likelihood_label(joint["p"], joint["low"], joint["high"])
    return {"scenario": name, **data}


def _fans(result: BatchResult) -> dict[str, Any]:
    return result.to_dict()["trajectories"]


def _table(folder: RunFolder, result: BatchResult, targets: Any) -> None:
    header = ["target", "title", "threshold", "p_met", "low95", "high95", "q05", "q50", "q95",
              "label", "evidence"]  # fmt: skip
    rows = []
    for target in targets:
        p = result.summary.probability(target.id)
        m = result.metric_table(target.id)
        rows.append(
            [target.id, target.title, target.threshold_text(), f"{p.p:.6f}", f"{p.low:.6f}",
             f"{p.high:.6f}", f"{m['q05']:.6g}", f"{m['q50']:.6g}", f"{m['q95']:.6g}",
             likelihood_label(p.p, p.low, p.high), target.evidence]
        )  # fmt: skip
    joint = result.summary.probability()
    rows.append(["all", "all targets jointly", "", f"{joint.p:.6f}", f"{joint.low:.6f}",
                 f"{joint.high:.6f}", "", "", "", likelihood_label(joint.p, joint.low, joint.high),
                 ""])  # fmt: skip
    folder.write_csv("targets.csv", header, rows)


def _workbook(folder: RunFolder, result: BatchResult, scenario: Any, targets: Any) -> None:
    """results.xlsx: probabilities, the uncertain parameters and every parameter's value."""
    import pandas as pd

    from ..api import probability_frame
    from ..report.excel import write_workbook
    from ..report.params import parameter_frame

    uncertain = pd.DataFrame(
        [(k, d.describe()) for k, d in scenario.uncertain.items()], columns=["name", "distribution"]
    )
    write_workbook(
        folder.file("results.xlsx"),
        {
            "probabilities": probability_frame(result, targets),
            "uncertain": uncertain,
            "parameters": parameter_frame(scenario),
        },
    )


def _preload_drawing() -> threading.Thread:
    """Import matplotlib and warm its font caches while the batch runs (its numpy work leaves
    the interpreter free much of the time), so the figures wait for neither afterwards."""

    def load() -> None:
        from ..uncertainty.figures import warm_up

        warm_up()

    thread = threading.Thread(target=load, name="sdsim-preload", daemon=True)
    thread.start()
    return thread


def _figures(folder: RunFolder, result: BatchResult, targets: Any, name: str) -> None:
    from ..plan.figures import latin
    from ..uncertainty.figures import Fan, fan_grid, probability_bars

    probabilities = [result.summary.probability(t.id) for t in targets]
    joint = result.summary.probability()
    labels = [latin(f"{t.title} ({t.threshold_text()})") for t in targets]
    labels.append("ALL TARGETS JOINTLY")
    everything = [*probabilities, joint]
    bars = partial(
        probability_bars,
        folder.file("figures/probabilities.png"),
        labels,
        [p.p for p in everything],
        [p.low for p in everything],
        [p.high for p in everything],
        title=f"{name}: probability each target is met ({result.summary.n:,} runs)",
    )
    times = np.asarray(result.batch.times)
    fans = []
    for target in targets:
        years = np.array([target.year_of(t) for t in times])
        keep = np.isclose(times, np.round(times)) & (years <= target.year)  # the plan period
        title = latin(target.title)
        title = title if len(title) <= 42 else title[:41] + "…"
        fans.append(
            Fan(
                f"{title}: P(met) {result.summary.probability(target.id).p:.1%}",
                latin(target.unit),
                years[keep],
                result.fan(path_output(target.id))[keep],
                (target.year, target.threshold),
                latin(f"target {target.threshold_text()}"),
            )
        )
    fan_grid(
        folder.file("figures/fans.png"),
        fans,
        title=f"{name}: each target's metric over the plan years, 5-95 % of "
        f"{min(result.summary.n, result.batch.fan_samples):,} runs (diamond: the target)",
        alongside=[bars],  # drawn at the same time, on another core
    )


def _text(summary: dict[str, Any], targets: Any) -> str:
    width = max(len(t.id) for t in targets)
    lines = [
        f"{summary['scenario']}: {summary['samples']:,} runs ({summary['method']}, seed "
        f"{summary['seed']}), {len(summary['uncertain'])} uncertain parameters",
        f"{'target':<{width}}  P(met)  95 % interval     label      median metric   threshold",
    ]
    for target in targets:
        e = summary["targets"][target.id]
        median = "-" if math.isnan(e["q50"]) else f"{e['q50']:.6g}"
        lines.append(
            f"{target.id:<{width}}  {_pct(e['p'])}  [{_pct(e['low'])}, {_pct(e['high'])}]  "
            f"{e['label']:<9}  {median:>13}   {e['threshold']}"
        )
    j = summary["all_targets"]
    p, low, high = _pct(j["p"]), _pct(j["low"]), _pct(j["high"])
    label = likelihood_label(j["p"], j["low"], j["high"])
    lines.append(f"{'all targets':<{width}}  {p}  [{low}, {high}]  {label}")
    lines.append(
        f"label: likely when the whole interval is >= {LIKELY:.0%}, unlikely when <= "
        f"{UNLIKELY:.0%}, else uncertain"
    )
    lines.append(
        nonfinite_line(summary["nonfinite_runs"], summary["samples"], "P(met) and the metrics")
    )
    return "\n".join(lines)


def _pct(p: float) -> str:
    """A probability in six columns; ``-`` when there was no finite run to count."""
    return f"{'-':>6}" if math.isnan(p) else f"{p:6.1%}"


class ParquetSink:
    """Per-sample columns appended chunk by chunk to a Parquet file (pyarrow, lazily)."""

    def __init__(self, path: Path):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UserInputError(
                "needs pyarrow: pip install 'sdsim[parquet]'", field="--records"
            ) from None
        self.path = path
        self._writer: Any = None

    def write(self, columns: dict[str, np.ndarray]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({k: np.asarray(v) for k, v in columns.items()})
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, table.schema)
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
