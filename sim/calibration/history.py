"""History matching: rule out the sampled runs that contradict the data, report what remains.

Each run ``x`` gets, per observation ``z``, the implausibility
``I = |z - f(x)| / sqrt(Var_obs + Var_model)`` (Craig, Goldstein, Vernon); runs whose largest
``I`` exceeds the cut-off (3 by default: by Pukelsheim's three-sigma rule, at least 95 % of any
unimodal distribution lies within 3 sd) are ruled out. A run that goes non-finite is ruled out.

It runs inside the batch machinery: each chunk draws its rows from (seed, offset), evaluates
them, computes the implausibilities with numpy and summarises the prior (every run) and the
posterior (the kept runs) into summaries that merge exactly. The result is therefore the same,
bit for bit, whatever the chunk size, the number of workers and the executor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UserInputError
from ..simulate import Save
from ..uncertainty.accumulate import BINS, Binning, Probability, Summarizer, Summary, wilson
from ..uncertainty.batch import PILOT, Batch, _checked
from ..uncertainty.executors import Executor, LocalExecutor, progress
from ..uncertainty.plan import PlanTarget, load_scenario_targets, path_output, scenario_digest
from ..uncertainty.sampling import Design, Method, chunk_bounds
from .evaluate import ObservedScenario, observation_output, trajectory_output
from .observations import Observations, load_observations

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_CUTOFF",
    "DEFAULT_MIN_KEPT",
    "HistoryMatchResult",
    "MatchSummary",
    "history_match",
    "match_batch",
    "parameter_metric",
]

CHUNK_SIZE = 50_000
"""Runs per chunk (one simulate call each) by default: big enough that numpy's per-call cost
is small against the work on each array, small enough that memory stays bounded."""
DEFAULT_CUTOFF = 3.0
DEFAULT_MIN_KEPT = 1000
WORST = "max_implausibility"


def parameter_metric(name: str) -> str:
    """The summary's name for a drawn parameter's distribution."""
    return f"param:{name}"


@dataclass(frozen=True)
class MatchSummary:
    """One chunk's (or the merged) prior and posterior summaries, and per observation how many
    runs it ruled out (``ruled_out``) and how many it alone ruled out (``only``)."""

    prior: Summary
    posterior: Summary
    ruled_out: tuple[int, ...]
    only: tuple[int, ...]

    def merge(self, other: MatchSummary) -> MatchSummary:
        return MatchSummary(
            self.prior.merge(other.prior),
            self.posterior.merge(other.posterior),
            tuple(a + b for a, b in zip(self.ruled_out, other.ruled_out, strict=True)),
            tuple(a + b for a, b in zip(self.only, other.only, strict=True)),
        )


@dataclass(frozen=True)
class _MatchChunk:
    """What a worker runs: draw rows, evaluate, judge targets, compute implausibilities and
    summarise every run (``prior``) and the kept runs (``posterior``: met counts, parameters
    and the observed variables' trajectories, not the targets' metrics, which nobody reads)."""

    batch: Batch
    prior: Summarizer
    posterior: Summarizer
    values: np.ndarray
    scales: np.ndarray
    cutoff: float

    def __call__(self, bounds: tuple[int, int]) -> MatchSummary:
        start, stop = bounds
        n = stop - start
        params = self.batch.design.sample(start, stop)
        outputs = _checked(self.batch.evaluate(params), n)
        model = np.stack(
            [
                np.asarray(outputs[observation_output(i)], dtype=float)
                for i in range(len(self.values))
            ]
        )
        with np.errstate(invalid="ignore"):
            implausibility = np.abs(model - self.values[:, None]) / self.scales[:, None]
        implausibility[~np.isfinite(implausibility)] = np.inf
        worst = implausibility.max(axis=0)
        out = implausibility > self.cutoff
        kept = ~out.any(axis=0)
        alone = out & (out.sum(axis=0) == 1)
        met = {t.name: np.asarray(t.met(outputs)) for t in self.batch.targets}
        metrics = {k: np.asarray(outputs[k]) for k in self.batch.kept_metrics}
        metrics.update({parameter_metric(k): v for k, v in params.items()})
        metrics[WORST] = np.where(np.isfinite(worst), worst, np.nan)
        fan = max(0, min(stop, self.batch.fan_samples) - start)
        paths = {k: np.asarray(outputs[k])[..., :fan] for k in self.batch.trajectories}
        prior = self.prior(n, met, metrics, paths)
        kept_fan = kept[:fan]
        posterior = self.posterior(
            int(kept.sum()),
            {k: v[kept] for k, v in met.items()},
            {k: metrics[k][kept] for k in self.posterior.metrics},
            {k: paths[k][..., kept_fan] for k in self.posterior.trajectories},
        )
        return MatchSummary(
            prior,
            posterior,
            tuple(int(c) for c in out.sum(axis=1)),
            tuple(int(c) for c in alone.sum(axis=1)),
        )


@dataclass(frozen=True)
class HistoryMatchResult:
    """The prior (every sampled run) beside the posterior (the runs the data did not rule
    out). With fewer than ``min_kept`` kept runs no posterior probability is reported."""

    batch: Batch
    observations: Observations
    cutoff: float
    min_kept: int
    summary: MatchSummary
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.summary.prior.n

    @property
    def kept(self) -> int:
        return self.summary.posterior.n

    @property
    def share(self) -> Probability:
        """The share of runs kept, with its 95 % interval."""
        return wilson(self.kept, self.n)

    @property
    def ess(self) -> float:
        """Effective sample size, (Σw)² / Σw²: with weights 0 or 1, the number kept."""
        return float(self.kept)

    @property
    def enough(self) -> bool:
        return self.kept >= self.min_kept

    @property
    def targets(self) -> list[str]:
        return [t.name for t in self.batch.targets]

    def prior_probability(self, target: str | None = None) -> Probability:
        return self.summary.prior.probability(target)

    def posterior_probability(self, target: str | None = None) -> Probability | None:
        """P(met | kept), or None when too few runs were kept to say."""
        return self.summary.posterior.probability(target) if self.enough else None

    def parameter_range(self, name: str) -> dict[str, dict[str, float]]:
        """Minimum, 5/50/95 % quantiles and maximum of a drawn parameter, prior and kept."""
        out = {}
        for label, summary in (("prior", self.summary.prior), ("kept", self.summary.posterior)):
            h = summary.metrics[parameter_metric(name)]
            if summary.n == 0:
                out[label] = dict.fromkeys(("min", "q05", "q50", "q95", "max"), math.nan)
                continue
            q05, q50, q95 = h.quantiles(np.array([0.05, 0.5, 0.95]))[0]
            out[label] = {
                "min": float(h.minimum[0]),
                "q05": float(q05),
                "q50": float(q50),
                "q95": float(q95),
                "max": float(h.maximum[0]),
            }
        return out

    def observations_table(self) -> list[dict[str, Any]]:
        """Per observation: how many runs it ruled out, alone and in all, most first."""
        rows = []
        for i, obs in enumerate(self.observations):
            rows.append(
                {
                    "observation": obs.label,
                    "variable": obs.variable,
                    "time": obs.time,
                    "value": obs.value,
                    "sd": obs.sd,
                    "discrepancy": obs.discrepancy,
                    "ruled_out": self.summary.ruled_out[i],
                    "share_ruled_out": self.summary.ruled_out[i] / self.n,
                    "only_this": self.summary.only[i],
                    "source": obs.source,
                }
            )
        return sorted(rows, key=lambda r: -r["ruled_out"])

    def to_dataframe(self, table: str = "targets") -> Any:
        """``targets`` (prior and posterior P(met)), ``parameters`` (prior and kept ranges) or
        ``observations`` (runs ruled out), as a pandas DataFrame."""
        import pandas as pd

        if table == "targets":
            return pd.DataFrame(self.target_rows())
        if table == "parameters":
            rows = []
            for name in self.batch.design.names:
                ranges = self.parameter_range(name)
                rows.append(
                    {
                        "parameter": name,
                        **{f"prior_{k}": v for k, v in ranges["prior"].items()},
                        **{f"kept_{k}": v for k, v in ranges["kept"].items()},
                    }
                )
            return pd.DataFrame(rows)
        if table == "observations":
            return pd.DataFrame(self.observations_table())
        raise ValueError(f"unknown table {table!r}: targets, parameters or observations")

    def target_rows(self) -> list[dict[str, Any]]:
        """Per target (and ``all``): prior and posterior P(met) with 95 % intervals."""
        rows = []
        for name in [*self.targets, *(["all"] if self.targets else [])]:
            key = None if name == "all" else name
            prior = self.prior_probability(key)
            post = self.posterior_probability(key)
            rows.append(
                {
                    "target": name,
                    "prior_p": prior.p,
                    "prior_low": prior.low,
                    "prior_high": prior.high,
                    "posterior_p": post.p if post else math.nan,
                    "posterior_low": post.low if post else math.nan,
                    "posterior_high": post.high if post else math.nan,
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        share = self.share
        return {
            "samples": self.n,
            "seed": self.batch.design.seed,
            "method": str(self.batch.design.method),
            "uncertain": {k: d.describe() for k, d in self.batch.design.dists.items()},
            "cutoff": self.cutoff,
            "min_kept": self.min_kept,
            "kept": self.kept,
            "kept_share": share.to_dict(),
            "effective_sample_size": self.ess,
            "enough_kept": self.enough,
            "targets": {
                r["target"]: {k: _num(v) for k, v in r.items() if k != "target"}
                for r in self.target_rows()
            },
            "parameters": {
                name: {k: {q: _num(v) for q, v in r.items()} for k, r in ranges.items()}
                for name in self.batch.design.names
                for ranges in [self.parameter_range(name)]
            },
            "observations": self.observations_table(),
            **self.extra,
        }


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _summarizers(
    batch: Batch, observations: Observations, bins: int
) -> tuple[Summarizer, Summarizer]:
    """Bins fixed from the design's first rows (as `run_batch` does) for the targets' metrics,
    the drawn parameters, the largest implausibility and the trajectories; the posterior keeps
    the parameters and the observed variables' trajectories only."""
    rows = min(batch.design.n, PILOT)
    params = batch.design.sample(0, rows)
    outputs = _checked(batch.evaluate(params), rows)
    wanted = [
        *batch.kept_metrics,
        *batch.trajectories,
        *(observation_output(i) for i in range(len(observations))),
    ]
    missing = [k for k in wanted if k not in outputs]
    if missing:
        raise UserInputError(f"the model gives no output {missing[0]!r}")
    drawn = {
        parameter_metric(k): Binning.from_pilot(v, bins // 16, exact=False)
        for k, v in params.items()
    }
    metrics = {k: Binning.from_pilot(outputs[k], bins) for k in batch.kept_metrics}
    metrics.update(drawn)
    metrics[WORST] = Binning(np.zeros(1), np.full(1, 10.0), bins // 16, exact=False)
    trajectories = {
        k: Binning.from_pilot(outputs[k], bins // 4, exact=False) for k in batch.trajectories
    }
    observed = {trajectory_output(v) for v in observations.variables}
    targets = tuple(t.name for t in batch.targets)
    prior = Summarizer(targets=targets, metrics=metrics, trajectories=trajectories)
    posterior = Summarizer(
        targets=targets,
        metrics=drawn,
        trajectories={k: b for k, b in trajectories.items() if k in observed},
    )
    return prior, posterior


def match_batch(
    batch: Batch,
    observations: Observations,
    *,
    cutoff: float = DEFAULT_CUTOFF,
    min_kept: int = DEFAULT_MIN_KEPT,
    executor: Executor | None = None,
    chunk_size: int = CHUNK_SIZE,
    show_progress: bool = False,
    bins: int = BINS,
) -> HistoryMatchResult:
    """History-match ``batch``, whose evaluator gives ``obs:<i>`` for every observation."""
    if not cutoff > 0 or not math.isfinite(cutoff):
        raise UserInputError(f"must be a positive number, got {cutoff}", field="cutoff")
    if min_kept < 1:
        raise UserInputError(f"must be at least 1, got {min_kept}", field="min-kept")
    bounds = chunk_bounds(batch.design.n, chunk_size)
    prior, posterior = _summarizers(batch, observations, bins)
    work = _MatchChunk(batch, prior, posterior, observations.values, observations.scales, cutoff)
    m = len(observations)
    empty = MatchSummary(prior.empty(), posterior.empty(), (0,) * m, (0,) * m)
    with executor or LocalExecutor() as ex:
        results = ex.map_chunks(work, bounds)
        sizes = (stop - start for start, stop in bounds)
        done = progress(results, sizes, batch.design.n, enabled=show_progress)
        summary = reduce(MatchSummary.merge, done, empty)
    return HistoryMatchResult(batch, observations, float(cutoff), int(min_kept), summary)


def observed_batch(
    path: str | Path,
    observations: Observations | str | Path,
    *,
    samples: int,
    seed: int,
    method: Method | str = Method.MC,
) -> tuple[Batch, Observations]:
    """The batch of a scenario's ``[uncertain]`` parameters whose evaluator also reads the
    model at every observation; its targets (if the model has a targets file) are judged."""
    scenario, targets = load_scenario_targets(path)
    if not scenario.uncertain:
        raise UserInputError(
            "the scenario declares no [uncertain] parameters to sample",
            file=str(path),
            field="uncertain",
        )
    if not isinstance(observations, Observations):
        observations = load_observations(observations, scenario.model, dt=scenario.dt)
    design = Design(scenario.uncertain, n=samples, seed=seed, method=method)
    evaluate = ObservedScenario(
        str(Path(path).resolve()), scenario_digest(scenario, targets), observations
    )
    variables = observations.variables
    trajectories = (
        *(path_output(t.id) for t in targets or ()),
        *(trajectory_output(v) for v in variables),
    )
    times = scenario.simulate(n=1, save=Save(variables=variables)).times
    batch = Batch(
        design,
        evaluate,
        tuple(PlanTarget(t) for t in targets or ()),
        trajectories=trajectories,
        times=tuple(float(t) for t in times),
    )
    return batch, observations


def history_match(
    scenario: str | Path,
    data: str | Path | Observations,
    *,
    samples: int = 100_000,
    seed: int = 0,
    method: Method | str = Method.MC,
    cutoff: float = DEFAULT_CUTOFF,
    min_kept: int = DEFAULT_MIN_KEPT,
    executor: Executor | None = None,
    chunk_size: int = CHUNK_SIZE,
    show_progress: bool = False,
) -> HistoryMatchResult:
    """Sample the scenario's ``[uncertain]`` parameters ``samples`` times and keep the runs
    whose implausibility against every observation in ``data`` is at most ``cutoff``."""
    batch, observations = observed_batch(scenario, data, samples=samples, seed=seed, method=method)
    return match_batch(
        batch,
        observations,
        cutoff=cutoff,
        min_kept=min_kept,
        executor=executor,
        chunk_size=chunk_size,
        show_progress=show_progress,
    )
