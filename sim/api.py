"""The user-level Python API: scenarios in, pandas DataFrames and figures out.

What ``sim run``, ``sim batch``, ``sim sensitivity``, ``sim discover`` and ``sim map`` do, as
functions a notebook calls::

    import sim
    plan = sim.load_scenario("scenarios/plan.toml")
    slow = plan.with_parameters(domestic_investment_growth_rate=0.07, name="slow")
    runs = sim.run([plan, slow])              # one vectorized simulation for both
    runs.verdicts                             # scenario, id, title, value, threshold, status, …
    runs.trajectories                         # scenario, variable, year, value, unit
    runs.plot(["private_enterprises", "nurses_per_1000"])

Years follow `sim.years` everywhere: a level is labelled by the year whose end it measures, a
rate by the year it occurs in, and only the plan period is kept unless ``whole_run=True``.
Verdicts are judged by the same `sim.plan.assess` as ``sim run``, so the numbers are the
command's, and every key a verdict has (``status``, ``evidence``, …) becomes a column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import UserInputError
from .names import canonical
from .plan.feasibility import ScenarioVerdict, assess
from .plan.targets import TargetSet, load_targets
from .results import Result
from .scenario import Scenario, load_scenario, scenario_from_dict
from .simulate import Save, simulate
from .tidy import dimension_names, tidy_rows, trajectory_columns
from .uncertainty.batch import Batch, BatchResult, run_batch
from .uncertainty.plan import PlanTarget, met_output, path_output, plan_outputs
from .uncertainty.sampling import Design, Method

__all__ = [
    "BatchRun",
    "Discovery",
    "MapRun",
    "Runs",
    "Sensitivity",
    "batch",
    "discover",
    "feasibility_map",
    "label",
    "load_scenario",
    "probability_frame",
    "run",
    "scenario_from_dict",
    "sensitivity",
    "targets_of",
]


def label(p: float, low: float, high: float) -> str:
    """``likely``, ``unlikely`` or ``uncertain``, read from the whole 95 % interval of P(met)
    as `sim batch` reads it (`sim.uncertainty.feasibility.likelihood_label`)."""
    from .uncertainty.feasibility import likelihood_label

    return likelihood_label(p, low, high)


def targets_of(scenario: Scenario) -> TargetSet:
    """The scenario's targets, checked against its model (none: an empty set)."""
    if scenario.targets_path is None:
        return TargetSet(targets={})
    targets = load_targets(scenario.targets_path)
    targets.check(scenario.model)
    return targets


# -- deterministic runs ---------------------------------------------------------------------
@dataclass(frozen=True)
class Runs:
    """Scenarios run side by side: ``judged`` verdicts and ``results`` (one per scenario)."""

    scenarios: tuple[Scenario, ...]
    judged: tuple[ScenarioVerdict, ...]
    results: tuple[Result, ...] = field(repr=False)
    whole_run: bool = False

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    @property
    def verdicts(self) -> pd.DataFrame:
        """One row per scenario and target; every key of a verdict is a column."""
        return verdict_frame(self.judged)

    @property
    def trajectories(self) -> pd.DataFrame:
        """Tidy: scenario, variable, year, value, unit (the CSV convention), and ``dim:<name>``
        per dimension of an arrayed model."""
        dims = dimension_names(*(s.model for s in self.scenarios))
        rows = [
            row
            for s, result in zip(self.scenarios, self.results, strict=True)
            for row in tidy_rows(
                result, s.model, [s.name], whole_run=self.whole_run, dimensions=dims
            )
        ]
        return pd.DataFrame(rows, columns=list(trajectory_columns(dims)))

    @property
    def parameters(self) -> pd.DataFrame:
        """Every constant each scenario used: scenario, name, value, unit, source, range."""
        from .report.params import parameter_frame

        return pd.concat([parameter_frame(s).assign(scenario=s.name) for s in self.scenarios])

    def plot(self, variables: Sequence[str], *, path: str | Path | None = None):
        """One figure, a panel per variable, a line per scenario in its own colour."""
        from .report.compare import compare_figure

        fig = compare_figure(self.trajectories, variables, _targets(self.judged))
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig


def run(
    scenarios: Scenario | Sequence[Scenario], *, levers: bool = False, whole_run: bool = False
) -> Runs:
    """Run ``scenarios`` (scenarios of one model run as one vectorized simulation) and judge
    every target; ``levers`` also searches each target's lever (a few runs more)."""
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    scenarios = tuple(scenarios)
    if not scenarios:
        raise UserInputError("no scenarios to run", field="scenarios")
    names = [s.name for s in scenarios]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise UserInputError(f"two scenarios named {duplicate!r}", field="name")
    judged = tuple(assess(s, targets_of(s), levers=levers) for s in scenarios)
    return Runs(scenarios, judged, simulate_together(scenarios), whole_run)


def simulate_together(scenarios: Sequence[Scenario]) -> tuple[Result, ...]:
    """One `simulate` call per group of scenarios that share a model, method and step, each
    scenario a column of the batch; the results come back one per scenario, in order."""
    groups: dict[tuple, list[int]] = {}
    for i, s in enumerate(scenarios):
        key = (str(s.model_path), repr(sorted(s.inputs.items())), s.method, s.dt)
        groups.setdefault(key, []).append(i)
    out: dict[int, Result] = {}
    for members in groups.values():
        first = scenarios[members[0]]
        names = sorted({n for i in members for n in scenarios[i].parameters})
        defaults = {c.name: c.value for c in first.model.constants}
        values = {
            n: np.array([scenarios[i].parameters.get(n, defaults[n]) for i in members])
            for n in names
        }
        result = simulate(first.compiled, values, n=len(members), method=first.method, dt=first.dt)
        for k, i in enumerate(members):
            out[i] = Result(
                result.times,
                result.names,
                result.values[:, :, k : k + 1],
                result.units,
                result.method,
                result.dt,
                None if result.ends is None else result.ends[k : k + 1],
            )
    return tuple(out[i] for i in range(len(scenarios)))


def verdict_frame(judged: Sequence[ScenarioVerdict]) -> pd.DataFrame:
    """Verdicts as rows: the keys of `TargetVerdict.to_dict`, the lever flattened, and a
    ``status`` derived from ``met`` where the verdict has none."""
    rows = []
    for verdict in judged:
        for v in verdict.verdicts:
            entry = dict(v.to_dict())
            lever = entry.pop("lever", None) or {}
            row: dict[str, Any] = {"scenario": verdict.scenario.name, **entry}
            row.setdefault("status", "met" if entry.get("met") else "missed")
            row["sector"] = v.target.sector
            row["lever"] = lever.get("name")
            row["lever_status"] = lever.get("status")
            row["lever_text"] = lever.get("text")
            rows.append(row)
    first = ["scenario", "id", "title", "value", "threshold", "comparator", "unit", "status"]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=first)
    if "first_year_met" in frame:
        frame["first_year_met"] = frame["first_year_met"].astype("Int64")
    return frame[[*first, *(c for c in frame.columns if c not in first)]]


def _targets(judged: Sequence[ScenarioVerdict]) -> TargetSet | None:
    return judged[0].targets if judged else None


# -- batch: probabilities -------------------------------------------------------------------
@dataclass(frozen=True)
class _InMemory:
    """A scenario object as a batch evaluator (in this process: it is not sent elsewhere)."""

    scenario: Scenario
    targets: TargetSet
    paths: bool = True
    flags: bool = False

    def __call__(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return plan_outputs(self.scenario, self.targets, params, paths=self.paths, flags=self.flags)


def _uncertain(scenario: Scenario) -> Scenario:
    if isinstance(scenario, str | Path):
        scenario = load_scenario(scenario)
    if not scenario.uncertain:
        raise UserInputError(
            "the scenario declares no [uncertain] parameters to sample",
            file=str(scenario.path),
            field="uncertain",
        )
    return scenario


@dataclass(frozen=True)
class BatchRun:
    """A batch over a scenario's uncertainty: ``result`` (the merged summary) and, when kept,
    ``samples`` (every run's inputs, metrics and met flags)."""

    scenario: Scenario
    targets: TargetSet
    result: BatchResult = field(repr=False)
    samples: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def probabilities(self) -> pd.DataFrame:
        """id, title, p_met, lo, hi (95 % Wilson interval), label, median, threshold, unit; and
        a last row ``all`` for all targets jointly."""
        return probability_frame(self.result, self.targets)

    def plot(self, *, path: str | Path | None = None):
        """P(met) per target with its interval."""
        from .report.figures import probability_figure

        fig = probability_figure(self.probabilities, self.scenario.name, self.result.summary.n)
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig


def probability_frame(result: BatchResult, targets: TargetSet) -> pd.DataFrame:
    """The probabilities of a batch as a table (see `BatchRun.probabilities`)."""
    rows = []
    for t in targets:
        p = result.summary.probability(t.id)
        median = result.metric_table(t.id)["q50"]
        rows.append(
            (t.id, t.title, p.p, p.low, p.high, label(p.p, p.low, p.high), median,
             t.comparator, t.threshold, t.unit)
        )  # fmt: skip
    joint = result.summary.probability()
    joint_label = label(joint.p, joint.low, joint.high)
    rows.append(("all", "all targets jointly", joint.p, joint.low, joint.high, joint_label,
                 np.nan, "", np.nan, ""))  # fmt: skip
    columns = ["id", "title", "p_met", "lo", "hi", "label", "median", "comparator", "threshold",
               "unit"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def batch(
    scenario: Scenario | str | Path,
    *,
    samples: int = 10_000,
    seed: int = 0,
    method: Method | str = Method.MC,
    keep_samples: bool = True,
    chunk_size: int = 50_000,
) -> BatchRun:
    """Sample the scenario's ``[uncertain]`` parameters ``samples`` times and judge every
    target in every run; the same seed gives the numbers of ``sim batch --seed``."""
    scenario = _uncertain(scenario)
    targets = targets_of(scenario)
    chunks: list[dict[str, np.ndarray]] = []
    result = run_batch(
        _plan_batch(scenario, targets, samples, seed, method),
        chunk_size=chunk_size,
        records=chunks.append if keep_samples else None,
        show_progress=False,
    )
    frame = None
    if keep_samples:
        frame = pd.DataFrame({k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]})
    return BatchRun(scenario, targets, result, frame)


def _plan_batch(
    scenario: Scenario, targets: TargetSet, samples: int, seed: int, method: Method | str
) -> Batch:
    design = Design(scenario.uncertain, n=samples, seed=seed, method=method)
    probe = scenario.simulate(n=1, save=Save(variables=targets.variables))
    return Batch(
        design,
        _InMemory(scenario, targets),
        tuple(PlanTarget(t) for t in targets),
        trajectories=tuple(path_output(t.id) for t in targets),
        times=tuple(float(t) for t in probe.times),
    )


# -- sensitivity ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Sensitivity:
    """Which uncertain inputs matter for each target: ``table`` has one row per target,
    outcome (``metric`` or ``met``) and input; ``result`` is the method's own object."""

    scenario: Scenario
    targets: TargetSet
    method: str
    result: Any = field(repr=False)

    @property
    def table(self) -> pd.DataFrame:
        """target, outcome, input, importance and, for Sobol, first/total with intervals and
        ``noise`` (an index outside [0, 1]: estimation noise, read its interval)."""
        r, rows = self.result, []
        for t in self.targets:
            for outcome, output in (("metric", t.id), ("met", met_output(t.id))):
                i = r.outputs.index(output)
                for j, name in enumerate(r.inputs):
                    row: dict[str, Any] = {"target": t.id, "outcome": outcome, "input": name}
                    if self.method == "sobol":
                        row.update(
                            first=r.first[i, j], first_lo=r.first_ci[0, i, j],
                            first_hi=r.first_ci[1, i, j], total=r.total[i, j],
                            total_lo=r.total_ci[0, i, j], total_hi=r.total_ci[1, i, j],
                        )  # fmt: skip
                        row["noise"] = not (0 <= r.first[i, j] <= 1 and 0 <= r.total[i, j] <= 1)
                    row["importance"] = float(self.importance[i, j])
                    rows.append(row)
        return pd.DataFrame(rows)

    @property
    def importance(self) -> np.ndarray:
        if self.method == "sobol":
            return self.result.total
        if self.method == "morris":
            return self.result.mu_star
        return self.result.swing()

    def plot(self, outcome: str = "met", *, path: str | Path | None = None):
        """A heatmap, targets against inputs, always showing each target's top 3 drivers."""
        from .report.figures import sensitivity_figure

        fig = sensitivity_figure(self, outcome)
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig


def sensitivity(
    scenario: Scenario | str | Path,
    *,
    samples: int = 1024,
    seed: int = 0,
    method: str = "sobol",
    resamples: int = 200,
) -> Sensitivity:
    """Sobol' indices (``samples`` a power of 2; ``samples × (inputs + 2)`` runs), Morris
    screening (``samples`` trajectories) or a tornado of every target's metric and met flag."""
    from .uncertainty.morris import morris
    from .uncertainty.sensitivity import sobol
    from .uncertainty.tornado import tornado

    scenario = _uncertain(scenario)
    targets = targets_of(scenario)
    evaluate = _InMemory(scenario, targets, paths=False, flags=True)
    outputs = [*(t.id for t in targets), *(met_output(t.id) for t in targets)]
    dists = scenario.uncertain
    if method == "sobol":
        result: Any = sobol(evaluate, dists, outputs, n=samples, seed=seed, n_resamples=resamples)
    elif method == "morris":
        result = morris(
            evaluate, dists, outputs, trajectories=samples, seed=seed, n_resamples=resamples
        )
    elif method == "tornado":
        result = tornado(evaluate, dists, outputs)
    else:
        raise UserInputError(
            f"unknown method {method!r}; expected sobol, morris or tornado", field="method"
        )
    return Sensitivity(scenario, targets, method, result)


# -- discovery ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Discovery:
    """PRIM boxes: for each target, the input ranges where the ``outcome`` (``missed`` or
    ``met``) concentrates. ``boxes`` maps a target id to its `PrimResult`."""

    scenario: Scenario
    outcome: str
    shares: dict[str, float]
    boxes: dict[str, Any] = field(repr=False)

    @property
    def table(self) -> pd.DataFrame:
        """One row per target and restricted input: target, outcome, share (of runs with the
        outcome), coverage, density, input, low, high; a target without a box has one row
        with no input."""
        rows = []
        for target, share in self.shares.items():
            box = self.boxes.get(target)
            base = {"target": target, "outcome": self.outcome, "share": share}
            if box is None:
                rows.append({**base, "coverage": np.nan, "density": np.nan})
                continue
            stats = {"coverage": box.box.coverage, "density": box.box.density}
            restricted = box.restricted() or {"": (np.nan, np.nan)}
            for name, (low, high) in restricted.items():
                rows.append({**base, **stats, "input": name or None, "low": low, "high": high})
        return pd.DataFrame(rows)

    def plot(self, target: str, *, path: str | Path | None = None):
        """The box of one target and its peeling trajectory."""
        from .report.figures import prim_figure

        if target not in self.boxes:
            raise UserInputError(f"no box for target {target!r}", field="target")
        fig = prim_figure(self.boxes[target], target, self.outcome)
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig


def discover(
    scenario: Scenario | str | Path,
    *,
    samples: int = 10_000,
    seed: int = 0,
    outcome: str = "missed",
    targets: Sequence[str] | None = None,
    threshold: float = 0.8,
    alpha: float = 0.05,
    min_mass: float = 0.05,
) -> Discovery:
    """For each target (or those named), where in the inputs it is ``missed`` (or ``met``)."""
    from .uncertainty.prim import prim

    if outcome not in ("missed", "met"):
        raise UserInputError(f"outcome must be 'missed' or 'met', got {outcome!r}", field="outcome")
    run = batch(scenario, samples=samples, seed=seed)
    frame = run.samples
    assert frame is not None
    names = tuple(run.scenario.uncertain)
    x = frame[list(names)].to_numpy(dtype=float)
    shares, boxes = {}, {}
    for t in run.targets:
        if targets is not None and t.id not in targets:
            continue
        met = frame[f"met:{t.id}"].to_numpy().astype(bool)
        hit = met if outcome == "met" else ~met
        shares[t.id] = float(hit.mean())
        if hit.any() and not hit.all() and hit.mean() < threshold:
            boxes[t.id] = prim(x, hit, names, alpha=alpha, min_mass=min_mass, threshold=threshold)
    return Discovery(run.scenario, outcome, shares, boxes)


# -- feasibility maps -----------------------------------------------------------------------
@dataclass(frozen=True)
class MapRun:
    """P(met) of one target over a grid of two levers, and the scenario's own point."""

    scenario: Scenario
    target: Any
    fmap: Any = field(repr=False)
    point: tuple[float, float]

    @property
    def table(self) -> pd.DataFrame:
        """x, y, p_met, median_metric: one row per cell."""
        f = self.fmap
        xs, ys = np.meshgrid(f.x, f.y)
        return pd.DataFrame(
            {
                f.x_name: xs.ravel(),
                f.y_name: ys.ravel(),
                "p_met": f.probability.ravel(),
                "median_metric": f.median.ravel(),
            }
        )

    def plot(self, *, path: str | Path | None = None):
        from .report.figures import map_figure

        fig = map_figure(self)
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig


def point_value(scenario: Scenario, name: str) -> float:
    """A constant's value in the scenario itself (not a distribution's median): set by the
    scenario, else the mode of its distribution where it has one, else the model's value."""
    key = canonical(name)
    for k, value in scenario.parameters.items():
        if canonical(k) == key:
            return float(value)
    for k, dist in scenario.uncertain.items():
        if canonical(k) == key and getattr(dist, "mode", None) is not None:
            return float(dist.mode)
    return float(scenario.model[name].value)


def feasibility_map(
    scenario: Scenario | str | Path,
    target: str,
    x: tuple[str, float, float],
    y: tuple[str, float, float],
    *,
    grid: int = 21,
    samples: int = 200,
    seed: int = 0,
) -> MapRun:
    """P(``target`` met) over ``grid × grid`` values of two levers ``(name, low, high)``, each
    cell over the same ``samples`` draws of the other uncertain inputs."""
    from .uncertainty.feasibility import feasibility_map as _map

    scenario = _uncertain(scenario)
    targets = targets_of(scenario)
    if target not in targets.targets:
        raise UserInputError(f"no target {target!r}", field="target")
    levers = []
    for name, low, high in (x, y):
        constant = scenario.model[name]
        levers.append((constant.name, np.linspace(float(low), float(high), grid)))
    fmap = _map(
        _InMemory(scenario, targets, paths=False),
        PlanTarget(targets[target]),
        levers[0],
        levers[1],
        scenario.uncertain,
        samples=samples,
        seed=seed,
    )
    point = (point_value(scenario, levers[0][0]), point_value(scenario, levers[1][0]))
    return MapRun(scenario, targets[target], fmap, point)
