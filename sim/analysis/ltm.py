"""Loops That Matter (Schoenberg, Davidsen and Eberlein 2020; Schoenberg, Hayward and
Eberlein 2023): link scores, loop scores and relative loop scores at every step, for every
scenario of a batch at once.

For a link ``x -> z`` at time t (``Δ`` is the change over the step ending at t):

- z an auxiliary or flow: ``|Δ_x z / Δz| · sign(Δ_x z / Δx)``, where ``Δ_x z`` is the change
  z would have made had only x moved (z's equation evaluated with x at t and every other
  input at t - dt); 0 when Δz or Δx is 0;
- z a stock, x one of its flows (the 2023 correction): ``±|Δx / Δnet|``, with ``net`` the
  stock's inflows less its outflows, + for an inflow and - for an outflow;
- z a pipeline (``DELAY``): ``sign(Δz) · sign(Δx)``, the unit transfer Simlin also uses
  where no ceteris-paribus partial exists.

A loop's score is the product of its link scores; its relative score is that divided by the
sum of the absolute scores of the loops in its cycle partition, in ``[-1, 1]``. All scores are
0 at the first saved time. Every array has shape ``(time, loop, scenario)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..compiler import CompiledModel, compile_model
from ..errors import ModelError, UserInputError
from ..functions import Clock
from ..model import Model
from ..results import Result
from ..simulate import Save, simulate, time_grid
from .loops import CausalGraph, causal_graph, find_loops, strongest_loops
from .naming import Documented, name_loops

__all__ = ["Loop", "LoopAnalysis", "Period", "analyse_loops", "dominant_loops"]


@dataclass(frozen=True)
class Loop:
    """A feedback loop: ``name`` (``R1`` from the model's docs, else ``L<k>``), its
    variables in causal order from a stock, and its polarity as it behaved: ``R``
    (reinforcing: the loop score is never negative), ``B`` (never positive) or ``U`` (both)."""

    name: str
    keys: tuple[str, ...]
    variables: tuple[str, ...]
    polarity: str
    label: str = ""
    partition: int = 0

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "polarity": self.polarity,
            "label": self.label,
            "variables": list(self.variables),
        }


@dataclass(frozen=True)
class Period:
    """Times ``start``..``stop`` over which the same loops dominate: ``loops`` are (name,
    polarity, mean absolute relative score), strongest first, covering at least half."""

    start: float
    stop: float
    loops: tuple[tuple[str, str, float], ...]


@dataclass(frozen=True)
class LoopAnalysis:
    loops: tuple[Loop, ...]
    times: np.ndarray
    scores: np.ndarray  # (time, loop, scenario)
    relative: np.ndarray  # (time, loop, scenario)
    graph: CausalGraph
    notes: tuple[str, ...] = ()
    truncated: bool = False
    links: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return self.scores.shape[2]

    def share(self) -> np.ndarray:
        """Mean absolute relative score of each loop at each time over scenarios, (time, loop)."""
        return np.abs(self.relative).mean(axis=2)

    def scenario_shares(self) -> np.ndarray:
        """Each loop's mean absolute relative score over the run, per scenario, (loop,
        scenario): across a batch, the distribution of each loop's share."""
        return np.abs(self.relative[1:]).mean(axis=0)

    def dominant_periods(self, threshold: float = 0.5) -> dict[int, list[Period]]:
        """For each cycle partition with more than one loop (a lone loop dominates its own
        trivially), the runs of consecutive times with the same dominant set: the strongest
        loops whose mean absolute relative scores add up to at least ``threshold``."""
        share = self.share()
        partitions = np.array([loop.partition for loop in self.loops], dtype=int)
        out: dict[int, list[Period]] = {}
        for p in np.unique(partitions):
            members = np.flatnonzero(partitions == p)
            if len(members) > 1:
                out[int(p)] = self._periods(share, members, threshold)
        return out

    def _periods(self, share: np.ndarray, members: np.ndarray, threshold: float) -> list[Period]:
        periods: list[Period] = []
        for i, t in enumerate(self.times):
            row = share[i, members]
            if row.sum() <= 0:
                continue
            chosen, covered = [], 0.0
            for j in np.argsort(-row, kind="stable"):
                if covered >= threshold * row.sum():
                    break
                chosen.append(int(members[j]))
                covered += row[j]
            names = {self.loops[j].name for j in chosen}
            if periods and {x[0] for x in periods[-1].loops} == names:
                last = periods[-1]
                periods[-1] = Period(last.start, float(t), last.loops)
            else:
                entry = tuple(
                    (self.loops[j].name, self.loops[j].polarity, float(share[i, j])) for j in chosen
                )
                periods.append(Period(float(t), float(t), entry))
        return periods


def analyse_loops(
    model: Model | CompiledModel,
    parameters: Mapping[str, object] | None = None,
    *,
    n: int | None = None,
    method: str | None = None,
    dt: float | None = None,
    cap: int = 1000,
    strongest: bool = False,
) -> LoopAnalysis:
    """Simulate ``model`` (a batch when ``parameters`` holds arrays) and score its loops.

    All loops are listed by Johnson's algorithm up to ``cap``; ``strongest=True`` instead
    finds the loops that matter by the strongest-path search, for models with too many.
    """
    compiled = compile_model(model)
    cg = causal_graph(compiled)
    spec = compiled.model.time
    if spec.stop_variable is not None:  # the scores are laid out on one time axis
        raise ModelError(
            "loop scores need a fixed final time, not one that changes during the run",
            field=spec.stop_variable,
        )
    step = float(spec.dt if dt is None else dt)
    times = time_grid(spec.start, spec.stop, step)
    keys = list(compiled.keys)
    result = simulate(
        compiled, parameters, n=n, method=method, dt=step, save=Save(variables=keys, times=times)
    )
    values = result.values  # (time, slot, scenario)
    scorer = _LinkScorer(compiled, cg, values, times, step)
    truncated = False
    if strongest:
        strength = {edge: np.abs(scorer.score(*edge)).mean(axis=1) for edge in cg.graph.edges}
        cycles = strongest_loops(cg, strength, cap=cap)
    else:
        cycles, truncated = find_loops(cg, cap)
    scores = np.zeros((len(times), len(cycles), values.shape[2]))
    for j, cycle in enumerate(cycles):
        product = np.ones((len(times), values.shape[2]))
        for x, z in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            product = product * scorer.score(x, z)
        scores[:, j, :] = product
    part = cg.partition()
    partitions = np.array([part[c[0]] for c in cycles], dtype=int)
    relative = _relative(scores, partitions)
    documented = Documented.from_model(compiled.model)
    loops, notes = name_loops(cg, cycles, scores, partitions, documented)
    if truncated:
        notes = (
            *notes,
            f"more than {cap} loops: only the first {cap} are scored "
            "(raise the cap or use the strongest-path search)",
        )
    return LoopAnalysis(
        tuple(loops), times, scores, relative, cg, tuple(notes), truncated, scorer.cache
    )


def _relative(scores: np.ndarray, partitions: np.ndarray) -> np.ndarray:
    relative = np.zeros_like(scores)
    for p in np.unique(partitions):
        members = partitions == p
        total = np.abs(scores[:, members, :]).sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            relative[:, members, :] = np.where(total > 0, scores[:, members, :] / total, 0.0)
    return relative


class _LinkScorer:
    """Link scores, computed once per link and vectorized over time and scenarios."""

    def __init__(self, compiled: CompiledModel, cg: CausalGraph, values, times, dt: float):
        self.c = compiled
        self.cg = cg
        self.values = values
        self.dt = dt
        self.clock = Clock(times[1:, None], dt, float(times[0]), compiled.model.time.stop)
        self.clock.step_start = times[1:, None]
        self.previous = [values[:-1, j, :] for j in range(values.shape[1])]
        self.delta = np.diff(values, axis=0)
        self.cache: dict[tuple[str, str], np.ndarray] = {}
        self.stocks = {s.key: s for s in compiled.system.stocks}

    def score(self, x: str, z: str) -> np.ndarray:
        if (x, z) not in self.cache:
            out = np.zeros((self.values.shape[0], self.values.shape[2]))
            with np.errstate(all="ignore"):
                if z in self.stocks:
                    out[1:] = self._flow_to_stock(x, z)
                elif z in self.c.system.pipelines:
                    out[1:] = np.sign(self._d(z)) * np.sign(self._d(x))
                else:
                    out[1:] = self._instantaneous(x, z)
            self.cache[(x, z)] = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
        return self.cache[(x, z)]

    def _d(self, key: str) -> np.ndarray:
        return self.delta[:, self.c.slot[key], :]

    def _flow_to_stock(self, flow: str, stock: str) -> np.ndarray:
        s = self.stocks[stock]
        net = sum(self._d(f) for f in s.inflows) - sum(self._d(f) for f in s.outflows)
        sign = 1.0 if flow in s.inflows else -1.0
        d_flow = self._d(flow)
        ok = (d_flow != 0) & (net != 0)
        return np.where(ok, sign * np.abs(d_flow / np.where(ok, net, 1.0)), 0.0)

    def _instantaneous(self, x: str, z: str) -> np.ndarray:
        slot_x, slot_z = self.c.slot[x], self.c.slot[z]
        inputs = list(self.previous)
        inputs[slot_x] = self.values[1:, slot_x, :]
        partial = np.broadcast_to(
            self.c.equation_function(z)(inputs, self.clock), self.previous[0].shape
        )
        moved = partial - self.previous[slot_z]
        d_z, d_x = self.delta[:, slot_z, :], self.delta[:, slot_x, :]
        ok = (d_z != 0) & (d_x != 0)
        ratio = np.abs(moved / np.where(ok, d_z, 1.0)) * np.sign(moved / np.where(ok, d_x, 1.0))
        return np.where(ok, ratio, 0.0)


def dominant_loops(
    model: Model | CompiledModel,
    result_or_parameters: LoopAnalysis | Mapping[str, object] | None,
    variable: str,
    start: float,
    stop: float,
    **options,
) -> list[tuple[str, str, float]]:
    """The loops that drive ``variable`` over ``[start, stop]``: (name, polarity, share),
    strongest first, shares adding up to 1.

    ``result_or_parameters`` is a `LoopAnalysis` already made, or parameters to simulate
    (arrays for a batch; ``options`` such as ``method`` and ``dt`` go to `analyse_loops`). A
    plain `Result` is refused: it keeps too little to score links. The loops are those
    through ``variable``, else those through any variable it depends on; a share is the mean
    over the period and the scenarios of the loop's absolute score relative to the other
    loops so chosen.
    """
    if isinstance(result_or_parameters, LoopAnalysis):
        analysis = result_or_parameters
    elif isinstance(result_or_parameters, Result):
        raise UserInputError(
            "pass the parameters or a LoopAnalysis: a Result keeps too little to score links",
            field="result_or_parameters",
        )
    else:
        analysis = analyse_loops(model, result_or_parameters, **options)
    compiled = compile_model(model)
    key = compiled.resolve(variable)
    chosen = [j for j, loop in enumerate(analysis.loops) if key in loop.keys]
    if not chosen and key in analysis.graph.graph:
        import networkx as nx

        upstream = nx.ancestors(analysis.graph.graph, key)
        chosen = [j for j, loop in enumerate(analysis.loops) if upstream & set(loop.keys)]
    if not chosen:
        return []
    during = (analysis.times >= start - 1e-9) & (analysis.times <= stop + 1e-9)
    scores = np.abs(analysis.scores[during][:, chosen, :])
    per_step = scores.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(per_step > 0, scores / per_step, 0.0).mean(axis=(0, 2))
    total = weight.sum()
    shares = weight / total if total > 0 else np.zeros_like(weight)
    ranked = sorted(zip(chosen, shares, strict=True), key=lambda item: -item[1])
    return [(analysis.loops[j].name, analysis.loops[j].polarity, float(s)) for j, s in ranked]
