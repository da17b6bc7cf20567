"""``sim batch SCENARIO --condition-on OBS.csv``: history matching.

Every sampled run is judged against the observations (implausibility
``|z - f(x)| / sqrt(Var_obs + Var_model)``); runs beyond ``--cutoff`` are ruled out. Prints the
share kept and the effective sample size, prior beside posterior P(met) per target, which
observations ruled out the most runs, and the parameters the data narrowed most; writes
``summary.json``, ``targets.csv``, ``parameters.csv``, ``observations.csv`` and figures.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..calibration.evaluate import trajectory_output
from ..calibration.history import (
    DEFAULT_CUTOFF,
    DEFAULT_MIN_KEPT,
    HistoryMatchResult,
    match_batch,
    observed_batch,
    parameter_metric,
)
from ..errors import UserInputError
from ..outputs import RunFolder
from .batch_options import RunOptions, emit, number, results_folder, whole

__all__ = ["add_condition_options", "run_conditioned"]


def add_condition_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--condition-on",
        metavar="OBS.csv",
        help="history matching: keep only the runs consistent with these observations",
    )
    parser.add_argument(
        "--cutoff",
        default=str(DEFAULT_CUTOFF),
        help=f"rule out runs whose implausibility exceeds this (default {DEFAULT_CUTOFF:g})",
    )
    parser.add_argument(
        "--min-kept",
        default=str(DEFAULT_MIN_KEPT),
        help=f"report posterior probabilities only from at least this many kept runs "
        f"({DEFAULT_MIN_KEPT:,})",
    )


def run_conditioned(args: argparse.Namespace, options: RunOptions) -> int:
    if args.records:
        raise UserInputError("not available with --condition-on", field="--records")
    cutoff = number(args.cutoff, "--cutoff")
    if not 0 < cutoff < float("inf"):
        raise UserInputError(f"must be a positive number, got {args.cutoff}", field="--cutoff")
    min_kept = whole(args.min_kept, "--min-kept", minimum=1)
    batch, observations = observed_batch(
        options.scenario,
        args.condition_on,
        samples=options.samples,
        seed=options.seed,
        method=options.method,
    )
    from ..uncertainty.plan import load_scenario_targets

    scenario, targets = load_scenario_targets(options.scenario)
    inputs = [("scenario", f) for f in scenario.files]
    inputs += [("model", scenario.model_path), ("observations", observations.path)]
    if targets is not None:
        inputs.append(("targets", targets.path))
    with results_folder(options, scenario.name, "match", inputs) as folder:
        with options.make_executor() as executor:
            result = match_batch(
                batch,
                observations,
                cutoff=cutoff,
                min_kept=min_kept,
                executor=executor,
                chunk_size=options.chunk_size,
                show_progress=options.progress,
            )
        summary = {
            "scenario": scenario.name,
            "observations_file": str(observations.path),
            **result.to_dict(),
        }
        folder.write_json("summary.json", summary)
        _tables(folder, result)
        if options.figures:
            _figures(folder, result, scenario.name)
    emit(summary, text(result, scenario.name), as_json=args.json, folder=folder.final)
    return 0


def _tables(folder: RunFolder, result: HistoryMatchResult) -> None:
    header = [
        "target",
        "prior_p",
        "prior_low",
        "prior_high",
        "posterior_p",
        "posterior_low",
        "posterior_high",
    ]
    folder.write_csv("targets.csv", header, [[r[k] for k in header] for r in result.target_rows()])
    header = ["parameter", *(f"prior_{k}" for k in _STATS), *(f"kept_{k}" for k in _STATS)]
    rows = []
    for name in result.batch.design.names:
        ranges = result.parameter_range(name)
        rows.append(
            [name, *(ranges["prior"][k] for k in _STATS), *(ranges["kept"][k] for k in _STATS)]
        )
    folder.write_csv("parameters.csv", header, rows)
    table = result.observations_table()
    folder.write_csv("observations.csv", list(table[0]), [list(r.values()) for r in table])


_STATS = ("min", "q05", "q50", "q95", "max")


def _figures(folder: RunFolder, result: HistoryMatchResult, name: str) -> None:
    from ..calibration.figures import band_figure, marginals_figure, paired_probability_bars

    title = (
        f"{name}: {result.kept:,} of {result.n:,} runs kept (implausibility <= {result.cutoff:g})"
    )
    if result.targets and result.enough:
        prior = [_triple(result.prior_probability(t)) for t in result.targets]
        post = [_triple(result.posterior_probability(t)) for t in result.targets]
        paired_probability_bars(
            folder.file("figures/probabilities.png"), result.targets, prior, post, title=title
        )
    names, edges, prior_counts, kept_counts = [], [], [], []
    for parameter in result.batch.design.names:
        key = parameter_metric(parameter)
        h, k = result.summary.prior.metrics[key], result.summary.posterior.metrics[key]
        e, a = _coarse(h.binning, h.counts[0])
        names.append(parameter)
        edges.append(e)
        prior_counts.append(a)
        kept_counts.append(_coarse(k.binning, k.counts[0])[1])
    marginals_figure(
        folder.file("figures/marginals.png"), names, edges, prior_counts, kept_counts, title=title
    )
    times = np.asarray(result.batch.times)
    prior_bands, kept_bands = {}, {}
    for variable in result.observations.variables:
        key = trajectory_output(variable)
        prior_bands[variable] = result.summary.prior.trajectories[key].quantiles([0.05, 0.95])
        kept = result.summary.posterior.trajectories[key]
        if int(kept.count.min()) > 0:
            kept_bands[variable] = kept.quantiles([0.05, 0.95])
    band_figure(
        folder.file("figures/observations.png"),
        result.observations,
        result.observations.variables,
        times,
        prior_bands,
        kept_bands,
        title=title,
    )


def _triple(p: Any) -> tuple[float, float, float]:
    return (p.p, p.low, p.high)


def _coarse(binning: Any, counts: np.ndarray, groups: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Inner bins summed into ``groups`` wider ones, with their edges."""
    inner = counts[1:-1]
    per = max(1, len(inner) // groups)
    summed = inner[: per * (len(inner) // per)].reshape(-1, per).sum(axis=1)
    edges = np.linspace(binning.lo[0], binning.hi[0], len(summed) + 1)
    return edges, summed


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.1%}"


def text(result: HistoryMatchResult, name: str) -> str:
    """The report printed by the command."""
    share = result.share
    obs = result.observations
    lines = [
        f"{name}: {result.n:,} runs ({result.batch.design.method}, seed "
        f"{result.batch.design.seed}), {result.batch.design.d} uncertain parameters, "
        f"conditioned on {obs.path.name if obs.path else 'data'} ({len(obs)} observations, "
        f"runs with implausibility > {result.cutoff:g} ruled out)",
        f"kept {result.kept:,} runs ({share.p:.1%}, 95 % interval [{share.low:.1%}, "
        f"{share.high:.1%}]); effective sample size {result.ess:,.0f}",
    ]
    if not result.enough:
        lines.append(
            f"too few runs kept: {result.kept:,} < --min-kept {result.min_kept:,}; no posterior "
            "probabilities are reported. Widen the [uncertain] ranges or the observations' "
            "discrepancy (or sd), or sample more."
        )
    if result.targets:
        width = max(len(t) for t in [*result.targets, "all targets"])
        lines.append(
            f"{'target':<{width}}  prior P(met) [95 %]          kept P(met) [95 %]           moved"
        )
        for t in [*result.targets, None]:
            prior = result.prior_probability(t)
            post = result.posterior_probability(t)
            moved = post is not None and (post.low > prior.high or post.high < prior.low)
            post_text = (
                f"{post.p:6.1%} [{post.low:6.1%}, {post.high:6.1%}]"
                if post
                else "      -                  "
            )
            lines.append(
                f"{t or 'all targets':<{width}}  {prior.p:6.1%} [{prior.low:6.1%}, "
                f"{prior.high:6.1%}]    {post_text}    {'yes' if moved else ''}"
            )
    lines.append("observations, most runs ruled out first:")
    owidth = max(len(r["observation"]) for r in result.observations_table())
    lines.append(
        f"  {'observation':<{owidth}}  {'value':>12}  {'sd':>10}  {'discrepancy':>11}  "
        f"{'ruled out':>9}  {'alone':>7}"
    )
    for r in result.observations_table():
        lines.append(
            f"  {r['observation']:<{owidth}}  {r['value']:>12,.6g}  {r['sd']:>10.4g}  "
            f"{r['discrepancy']:>11.4g}  {r['share_ruled_out']:>9.1%}  "
            f"{r['only_this'] / result.n:>7.1%}"
        )
    narrowed = []
    for parameter in result.batch.design.names:
        r = result.parameter_range(parameter)
        wide = r["prior"]["q95"] - r["prior"]["q05"]
        if result.kept and wide > 0:
            narrowed.append(((r["kept"]["q95"] - r["kept"]["q05"]) / wide, parameter, r))
    if narrowed:
        lines.append(
            "parameters the data narrowed most (5-95 % range, prior -> kept; all in "
            "parameters.csv):"
        )
        pwidth = max(len(p) for _, p, _ in narrowed)
        for ratio, parameter, r in sorted(narrowed)[:8]:
            p, k = r["prior"], r["kept"]
            lines.append(
                f"  {parameter:<{pwidth}}  [{p['q05']:.4g}, {p['q95']:.4g}] -> "
                f"[{k['q05']:.4g}, {k['q95']:.4g}]  ({ratio:.0%} of the width)"
            )
    return "\n".join(lines)
