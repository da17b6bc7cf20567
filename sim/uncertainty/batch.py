"""A batch run: sample, evaluate and summarize chunk by chunk, on any executor.

`run_batch` is a pure function of a `Batch` (design, evaluator, targets): the same batch gives
the same `BatchResult`, bit for bit, whatever the chunk size and executor. The evaluator is any
vectorized function ``evaluate(params: {name: array (n,)}) -> {output: array}`` where an output
is a metric ``(n,)`` or a trajectory ``(T, n)``; it must be picklable (a module-level function,
a `functools.partial` of one, or a small object) to run in other processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Literal, Protocol

import numpy as np

from ..errors import UserInputError
from .accumulate import BINS, Binning, Summarizer, Summary
from .executors import Executor, LocalExecutor, progress
from .sampling import Design, chunk_bounds

__all__ = [
    "NONFINITE",
    "NOTE",
    "QUANTILES",
    "Batch",
    "BatchResult",
    "Evaluate",
    "Target",
    "Threshold",
    "nonfinite_runs",
    "run_batch",
]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
NONFINITE = "nonfinite"
"""The records column that flags runs with a NaN or infinity (left out of every summary)."""
PILOT = 1024
"""Rows evaluated first (always rows 0..PILOT-1 of the design) to fix the histogram bins."""

NOTE = (
    "runs with a NaN or infinity in any metric (nonfinite_runs) are left out of every "
    "probability, interval and quantile; p is met / (samples - nonfinite_runs)"
)

Outputs = Mapping[str, np.ndarray]
Evaluate = Callable[[dict[str, np.ndarray]], Outputs]


class Target(Protocol):
    """Anything that says, per sample, whether a target is met from the outputs."""

    name: str
    metric: str

    def met(self, outputs: Outputs) -> np.ndarray: ...


@dataclass(frozen=True)
class Threshold:
    """Met when output ``metric`` is at least (``>=``) or at most (``<=``) ``value``."""

    name: str
    metric: str
    value: float
    op: Literal[">=", "<="] = ">="

    def met(self, outputs: Outputs) -> np.ndarray:
        x = np.asarray(outputs[self.metric])
        return x >= self.value if self.op == ">=" else x <= self.value

    def margin(self, outputs: Outputs) -> np.ndarray:
        """How far beyond the threshold (positive when met), in the metric's units."""
        x = np.asarray(outputs[self.metric], dtype=float)
        return x - self.value if self.op == ">=" else self.value - x


@dataclass(frozen=True)
class Batch:
    """What to run: a design, a vectorized evaluator, the targets and what else to keep.

    ``metrics`` are further outputs ``(n,)`` whose distribution to keep (each target's metric
    is always kept); ``trajectories`` are outputs ``(T, n)`` kept as quantiles per time (for fan
    charts), at ``times``, from the first ``fan_samples`` rows of the design only: 5-95 % bands
    are settled long before, and binning a million paths would cost more than the model runs.
    """

    design: Design
    evaluate: Evaluate
    targets: Sequence[Target] = ()
    metrics: Sequence[str] = ()
    trajectories: Sequence[str] = ()
    times: Sequence[float] = ()
    fan_samples: int = 100_000

    @property
    def kept_metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*(t.metric for t in self.targets), *self.metrics]))


@dataclass(frozen=True)
class _Chunk:
    """The unit of work a worker receives: it draws, evaluates and summarizes its rows."""

    batch: Batch
    summarize: Summarizer
    records: bool = False

    def __call__(self, bounds: tuple[int, int]) -> tuple[Summary, dict[str, np.ndarray] | None]:
        start, stop = bounds
        params = self.batch.design.sample(start, stop)
        outputs = _checked(self.batch.evaluate(params), stop - start)
        bad = nonfinite_runs(outputs, stop - start)
        met = {t.name: np.asarray(t.met(outputs), dtype=bool) & ~bad for t in self.batch.targets}
        metrics = {k: outputs[k] for k in self.batch.kept_metrics}
        keep = max(0, min(stop, self.batch.fan_samples) - start)
        paths = {k: np.asarray(outputs[k])[..., :keep] for k in self.batch.trajectories}
        summary = self.summarize(stop - start, met, metrics, paths, nonfinite=bad, offset=start)
        if not self.records:
            return summary, None
        columns = {"sample": np.arange(start, stop), **params, **metrics}
        columns.update({f"met:{k}": v for k, v in met.items()})
        columns[NONFINITE] = bad
        return summary, columns


def nonfinite_runs(outputs: Outputs, n: int) -> np.ndarray:
    """Runs ``(n,)`` with a NaN or infinity in any metric (an output of shape ``(n,)``; a
    trajectory may hold NaN where it is not defined): counted, never judged."""
    bad = np.zeros(n, dtype=bool)
    for value in outputs.values():
        value = np.asarray(value)
        if value.ndim == 1 and value.dtype.kind == "f":
            bad |= ~np.isfinite(value)
    return bad


def _checked(outputs: Outputs, n: int) -> Outputs:
    for name, value in outputs.items():
        if np.shape(value)[-1:] != (n,):
            raise ValueError(f"output {name!r} has shape {np.shape(value)}; expected (…, {n})")
    return outputs


@dataclass(frozen=True)
class BatchResult:
    """The merged summary of a batch, with what is needed to read it."""

    batch: Batch
    summary: Summary
    quantiles: tuple[float, ...] = QUANTILES
    extra: dict[str, Any] = field(default_factory=dict)

    def probabilities(self) -> dict[str, Any]:
        """``{target: Probability}`` and ``"all"`` for all targets jointly."""
        out: dict[str, Any] = {t.name: self.summary.probability(t.name) for t in self.batch.targets}
        if self.batch.targets:
            out["all"] = self.summary.probability()
        return out

    def metric_table(self, name: str) -> dict[str, float]:
        """Quantiles, mean, minimum and maximum of a kept metric."""
        h = self.summary.metrics[name]
        row = dict(zip(_labels(self.quantiles), h.quantiles(self.quantiles)[0], strict=True))
        return {
            **{k: float(v) for k, v in row.items()},
            "mean": float(h.mean()[0]),
            "min": float(h.minimum[0]),
            "max": float(h.maximum[0]),
            "nonfinite": int(h.nonfinite[0]),
        }

    def fan(self, name: str, levels: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> np.ndarray:
        """Quantiles of trajectory ``name`` per time, shape ``(T, len(levels))``."""
        return self.summary.trajectories[name].quantiles(np.asarray(levels))

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-able data."""
        targets = {}
        for t in self.batch.targets:
            entry = self.summary.probability(t.name).to_dict()
            targets[t.name] = {**entry, "metric": t.metric, **self.metric_table(t.metric)}
        out: dict[str, Any] = {
            "samples": self.summary.n,
            "nonfinite_runs": self.summary.nonfinite,
            "first_nonfinite_sample": self.summary.first_nonfinite,
            "note": NOTE,
            "seed": self.batch.design.seed,
            "method": str(self.batch.design.method),
            "uncertain": {k: d.describe() for k, d in self.batch.design.dists.items()},
            "targets": targets,
            "metrics": {k: self.metric_table(k) for k in self.batch.metrics},
            "trajectories": {
                k: {
                    "times": [float(t) for t in self.batch.times],
                    "runs": min(self.summary.n, self.batch.fan_samples),
                    **{
                        q: col.tolist()
                        for q, col in zip(
                            _labels(self.quantiles), self.fan(k, self.quantiles).T, strict=True
                        )
                    },
                }
                for k in self.batch.trajectories
            },
            **self.extra,
        }
        if self.batch.targets:
            out["all_targets"] = self.summary.probability().to_dict()
        return out


def _labels(levels: Sequence[float]) -> list[str]:
    return [f"q{round(100 * q):02d}" for q in levels]


def run_batch(
    batch: Batch,
    *,
    executor: Executor | None = None,
    chunk_size: int = 50_000,
    records: Callable[[dict[str, np.ndarray]], None] | None = None,
    show_progress: bool = True,
    bins: int = BINS,
) -> BatchResult:
    """Run ``batch`` in chunks of ``chunk_size`` rows on ``executor`` (in-process by default).

    A pilot of the design's first rows fixes the histogram bins, so the result does not depend
    on the chunking. ``records``, when given, receives each chunk's per-sample columns
    (inputs, metrics, met flags) in order; without it nothing per sample is kept.
    """
    bounds = chunk_bounds(batch.design.n, chunk_size)
    summarize = _summarizer(batch, bins)
    work = _Chunk(batch, summarize, records=records is not None)
    with executor or LocalExecutor() as ex:
        results = ex.map_chunks(work, bounds)
        sizes = (stop - start for start, stop in bounds)
        done = progress(results, sizes, batch.design.n, enabled=show_progress)
        summary = reduce(Summary.merge, _sink(done, records), summarize.empty())
    return BatchResult(batch, summary)


def _sink(
    results: Iterator[tuple[Summary, dict[str, np.ndarray] | None]],
    records: Callable[[dict[str, np.ndarray]], None] | None,
) -> Iterator[Summary]:
    for summary, columns in results:
        if records is not None and columns is not None:
            records(columns)
        yield summary


def _summarizer(batch: Batch, bins: int) -> Summarizer:
    pilot_rows = min(batch.design.n, PILOT)
    outputs = _checked(batch.evaluate(batch.design.sample(0, pilot_rows)), pilot_rows)
    bad = nonfinite_runs(outputs, pilot_rows)
    if bad.any():  # bins from the finite runs only, as the summaries use
        outputs = {k: np.where(bad, np.nan, np.asarray(v, dtype=float)) for k, v in outputs.items()}
    wanted = [*batch.kept_metrics, *batch.trajectories]
    missing = [k for k in wanted if k not in outputs]
    if missing:
        known = ", ".join(outputs) or "none"
        raise UserInputError(f"the model gives no output {missing[0]!r} (it gives {known})")
    return Summarizer(
        targets=tuple(t.name for t in batch.targets),
        metrics={k: Binning.from_pilot(outputs[k], bins) for k in batch.kept_metrics},
        trajectories={
            k: Binning.from_pilot(outputs[k], bins // 4, exact=False) for k in batch.trajectories
        },
    )
