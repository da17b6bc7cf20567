"""What the page and the JSON API compute: a scenario's parameters, its verdicts under changed
parameters, sweeps of one lever, batches over its uncertainty, and the file that saves it.

Verdicts come from `sim.plan.feasibility.judge` and `sim.plan.bands.band_runs_for`, the code
``sim run`` judges with, so a number on the page is the command's. Everything here is pure
(no HTTP): `sim.web.server` maps requests onto it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UserInputError
from ..model import Auxiliary, Flow, Stock
from ..models import shipped_model_names, shipped_model_path
from ..plan.bands import band_runs_for
from ..plan.feasibility import TargetVerdict, judge
from ..plan.hinges import read_hinges
from ..scenario import Scenario
from ..simulate import Save, simulate
from ..tidy import tidy_rows

__all__ = ["MAX_SAMPLES", "MAX_SWEEP", "Cancelled", "Param", "Workbench"]

MAX_SAMPLES = 100_000
"""The largest batch one request may ask for (a batch of 100,000 takes seconds)."""
MAX_SWEEP = 201
"""The most lever values one sweep request may ask for."""


class Cancelled(Exception):
    """A newer request of the same page made this one pointless."""


@dataclass(frozen=True)
class Param:
    """A constant with a range: a slider on the page."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    sector: str
    kind: str  # "lever" (a target's lever in the targets file) or "assumption"
    lever_of: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "value": self.value, "low": self.low, "high": self.high,
            "unit": self.unit, "source": self.source, "sector": self.sector, "kind": self.kind,
            "lever_of": list(self.lever_of),
        }  # fmt: skip


class Workbench:
    """One scenario served: ``run`` judges it with changed parameters, ``sweep`` judges many
    values of one parameter in one vectorized simulation, ``batch`` samples its uncertainty."""

    def __init__(self, scenario: Scenario, uncertainty: Scenario | None = None) -> None:
        from ..api import targets_of
        from ..report.params import what_moves

        self.scenario = scenario
        self.targets = targets_of(scenario)
        self.hinges = read_hinges(self.targets, scenario.model_path)
        self.uncertain = dict(
            (uncertainty.uncertain if uncertainty is not None else None) or scenario.uncertain
        )
        self.uncertainty_path = (
            uncertainty.path if uncertainty is not None and uncertainty.uncertain else None
        )
        model = scenario.model
        self.variables = [
            v.name for v in model.variables if isinstance(v, Stock | Flow | Auxiliary)
        ]
        self.headline = [t for t in self.targets if t.headline] or list(self.targets)[:6]
        self.params = _params(scenario, self.targets, what_moves(scenario, self.targets))
        self._by_key = {p.name.lower(): p for p in self.params}
        self._constants = {c.name.lower(): c.name for c in model.constants}

    # -- input -------------------------------------------------------------------------------
    def parameters(self, data: Any, *, strict: bool = False) -> dict[str, float]:
        """Checked ``{"name": number}``: a constant of the model (any case), a finite number,
        within its range when ``strict``; a time-varying input cannot be set."""
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            raise UserInputError("expected an object of name: number", field="parameters")
        out: dict[str, float] = {}
        for given, value in data.items():
            where = f"parameters.{given}"
            if str(given).lower() in {k.lower() for k in self.scenario.inputs}:
                raise UserInputError("a time-varying input in this scenario", field=where)
            name = self._constants.get(str(given).lower())
            if name is None:
                raise UserInputError("not a constant of the model", field=where)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise UserInputError(f"expected a number, got {_json_type(value)}", field=where)
            if not math.isfinite(value):
                raise UserInputError("expected a finite number", field=where)
            param = self._by_key.get(name.lower())
            if strict and param is not None and not param.low <= value <= param.high:
                raise UserInputError(
                    f"{value!r} is outside the range {param.low:g} to {param.high:g}", field=where
                )
            out[name] = float(value)
        return out

    def chosen(self, data: Any) -> list[str]:
        """Checked extra variables to return trajectories of."""
        if data is None:
            return []
        if not isinstance(data, list) or len(data) > 20:
            raise UserInputError("expected a list of at most 20 variable names", field="variables")
        keys = {v.lower(): v for v in self.variables}
        out = []
        for i, name in enumerate(data):
            if not isinstance(name, str) or name.lower() not in keys:
                raise UserInputError("not a variable of the model", field=f"variables[{i}]")
            out.append(keys[name.lower()])
        return out

    # -- describing --------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """Everything the page needs once: parameters, sectors, targets, variables."""
        s, t = self.scenario, self.targets
        return {
            "scenario": {
                "name": s.name, "description": s.description, "file": s.path.name,
                "model": s.model.name, "method": s.method, "dt": s.dt,
            },
            "sectors": {**{k: v.title for k, v in t.sectors.items()}, "other": "Moves no target"},
            "parameters": [p.to_dict() for p in self.params],
            "targets": [
                {
                    "id": x.id, "title": x.title, "sector": x.sector, "evidence": x.evidence,
                    "threshold": x.threshold, "comparator": x.comparator, "unit": x.unit,
                    "year": x.year, "headline": x in self.headline, "variable": x.names[0],
                    "lever": None if x.lever is None else x.lever.name,
                }
                for x in t
            ],
            "variables": self.variables,
            "units": {v.name: v.units for v in s.model.variables},
            "batch": {
                "available": bool(self.uncertain),
                "uncertain": len(self.uncertain),
                "file": None if self.uncertainty_path is None else self.uncertainty_path.name,
                "max_samples": MAX_SAMPLES,
            },
        }  # fmt: skip

    # -- runs --------------------------------------------------------------------------------
    def run(self, parameters: Mapping[str, float], variables: Sequence[str] = ()) -> dict:
        """The verdicts and trajectories of the scenario with ``parameters`` changed."""
        return self._judge(dict(parameters), 1, variables)[0]

    def sweep(
        self,
        parameters: Mapping[str, float],
        name: str,
        values: Sequence[float],
        variables: Sequence[str] = (),
    ) -> list[dict]:
        """`run` at each of ``values`` of parameter ``name``, in one vectorized simulation."""
        values = list(values)
        changed = self.parameters({**parameters, name: values[0]}) if values else {}
        key = next(k for k in changed if k.lower() == name.lower()) if values else name
        for v in values:
            self.parameters({key: v})
        changed[key] = np.asarray(values, dtype=float)  # type: ignore[assignment]
        return self._judge(changed, len(values), variables)

    def _judge(self, changed: dict[str, Any], n: int, variables: Sequence[str]) -> list[dict]:
        s = self.scenario
        values = {**s.parameters, **changed}
        plotted = list(dict.fromkeys([*(t.names[0] for t in self.headline), *variables]))
        save = Save(variables=list(dict.fromkeys([*self.targets.variables, *plotted])))
        result = simulate(
            s.compiled, values, n=n, method=s.method, dt=s.dt, save=save, check_ranges=False
        )
        result.check_finite(f"scenario {s.name!r} with the page's parameters")
        bands = band_runs_for(s, self.targets, values, n) if len(self.targets) else None
        judged = judge(result, self.targets, bands=bands, cache=self.hinges)
        series: list[dict[str, Any]] = [{} for _ in range(n)]
        for k, name, year, value, _unit in tidy_rows(result, s.model, range(n), variables=plotted):
            years, numbers = series[k].setdefault(name, [[], []])
            years.append(year)
            numbers.append(_num(value))
        out = []
        for k in range(n):
            column = {
                name: (float(v[k]) if isinstance(v, np.ndarray) else v)
                for name, v in changed.items()
            }
            out.append(
                {
                    "parameters": column,
                    "verdicts": [_verdict(v) for v in judged[k]],
                    "counts": _counts(judged[k]),
                    "series": series[k],
                }
            )
        return out

    def levers(self, parameters: Mapping[str, float]) -> dict[str, Any]:
        """The lever value that would just meet each target with a lever (`solve_levers`)."""
        from ..plan.levers import solve_levers

        solutions = solve_levers(self.with_parameters(parameters), list(self.targets))
        return {
            k: {"status": v.status, "value": _num(v.value), "side": v.side, "lever": v.name,
                "text": v.describe()}
            for k, v in solutions.items()
        }  # fmt: skip

    def with_parameters(self, parameters: Mapping[str, float], name: str | None = None):
        s = self.scenario
        return s.with_parameters(name=name or s.name, **parameters) if parameters else s

    # -- batch -------------------------------------------------------------------------------
    def batch(
        self,
        parameters: Mapping[str, float],
        samples: int,
        seed: int = 0,
        check: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        """P(met) of every target and fans of the headline targets over ``samples`` draws of
        the uncertainty, with the changed ``parameters`` held fixed; ``check`` runs between
        chunks and raises `Cancelled` to stop."""
        from ..api import _plan_batch, probability_frame
        from ..uncertainty.batch import run_batch
        from ..uncertainty.plan import path_output

        if not self.uncertain:
            raise UserInputError("this scenario has no uncertainty to sample", field="samples")
        dists = {k: d for k, d in self.uncertain.items() if k not in parameters}
        scenario = replace(self.with_parameters(parameters), uncertain=dists)
        batch = _plan_batch(scenario, self.targets, samples, seed, "mc")
        result = run_batch(batch, chunk_size=2_000, executor=_Checked(check), show_progress=False)
        frame = probability_frame(result, self.targets)
        fans = {}
        for t in self.headline:
            quantiles = result.fan(path_output(t.id))
            first = t.year_of(self.scenario.model.time.start)  # the baseline year of a level
            keep = [
                i for i, time in enumerate(batch.times)
                if abs(time - round(time)) < 1e-9 and first <= t.year_of(time) <= t.year
            ]  # fmt: skip
            fans[t.id] = {
                "years": [t.year_of(batch.times[i]) for i in keep],
                "q": [[_num(quantiles[i, j]) for i in keep] for j in range(quantiles.shape[1])],
            }
        return {
            "samples": int(result.summary.n),
            "nonfinite": int(result.summary.nonfinite),
            "seed": seed,
            "fixed": sorted(k for k in parameters if k in self.uncertain),
            "probabilities": [
                {"id": r.id, "p": _num(r.p_met), "lo": _num(r.lo), "hi": _num(r.hi),
                 "label": r.label}
                for r in frame.itertuples()
            ],
            "fans": fans,
        }  # fmt: skip

    # -- saving ------------------------------------------------------------------------------
    def toml(self, parameters: Mapping[str, float], name: str = "") -> str:
        """A scenario file that ``sim run`` reproduces exactly: the model, method, dt, every
        parameter and input of the served scenario with ``parameters`` on top (floats in full
        precision), not depending on where it is saved."""
        import tomli_w

        s = self.scenario
        changed = ", ".join(sorted(parameters)) or "none"
        data: dict[str, Any] = {
            "description": f"{s.description} Changed on the what-if page: {changed}.".strip(),
            "model": _model_spec(s.model_path),
            "method": s.method,
            "dt": s.dt,
        }
        if s.targets_path is not None and s.targets_path != _default_targets(s.model_path):
            data["targets"] = str(s.targets_path.resolve())
        data["parameters"] = {k: float(v) for k, v in {**s.parameters, **parameters}.items()}
        if s.inputs:
            data["inputs"] = {k: v.model_dump(exclude_none=True) for k, v in s.inputs.items()}
        head = f"# Saved by `sim serve` from {s.path.name}{f' as {name}' if name else ''}.\n"
        return head + tomli_w.dumps(data)

    def csv(self, parameters: Mapping[str, float]) -> str:
        """Every variable's trajectory (tidy: scenario, variable, year, value, unit)."""
        import csv
        import io

        from ..tidy import TRAJECTORY_COLUMNS

        s = self.scenario
        result = simulate(s.compiled, {**s.parameters, **parameters}, n=1, method=s.method,
                          dt=s.dt, check_ranges=False)  # fmt: skip
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TRAJECTORY_COLUMNS)
        for row in tidy_rows(result, s.model, [s.name]):
            writer.writerow([*row[:3], repr(row[3]), row[4]])
        return out.getvalue()


class _Checked:
    """An in-process executor that calls ``check`` before each chunk (to cancel a batch)."""

    workers = 1

    def __init__(self, check: Callable[[], None] | None) -> None:
        self.check = check

    def __enter__(self) -> _Checked:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map_chunks(self, fn, chunks):
        for chunk in chunks:
            if self.check is not None:
                self.check()
            yield fn(chunk)


def _params(scenario: Scenario, targets, moved: Mapping[str, tuple]) -> list[Param]:
    """Every constant with a range (the model's, or its lever range), in model order, with
    the sector it belongs to: the sector of the target it is the lever of; else, of the targets
    it moves (measured), the one whose variable comes next after it in the model file (a model
    is written section by section), else "other" (it moves no target)."""
    levers: dict[str, list] = {}
    for t in targets:
        if t.lever is not None:
            levers.setdefault(t.lever.name.lower(), []).append(t)
    by_id = {t.id: t for t in targets}
    position = {v.name: i for i, v in enumerate(scenario.model.variables)}
    out = []
    for c in scenario.model.constants:
        mine = levers.get(c.name.lower(), [])
        span = c.range or (mine[0].lever.range if mine else None)
        if span is None or c.name in scenario.inputs:
            continue
        value = float(scenario.parameters.get(c.name, c.value))
        if mine:
            sector = mine[0].sector
        else:
            here = position[c.name]
            near = sorted(  # those after it first, nearest first
                (position.get(by_id[tid].names[0], -1) < here,
                 abs(position.get(by_id[tid].names[0], 0) - here), by_id[tid].sector)
                for tid in moved.get(c.name, ((), ()))[0]
            )  # fmt: skip
            sector = near[0][2] if near else "other"
        out.append(
            Param(
                name=c.name, value=value, low=min(span[0], value), high=max(span[1], value),
                unit=c.units, source=c.source, sector=sector,
                kind="lever" if mine else "assumption", lever_of=tuple(t.id for t in mine),
            )
        )  # fmt: skip
    return out


def _verdict(v: TargetVerdict) -> dict[str, Any]:
    return {
        "id": v.target.id, "status": v.standing, "value": _num(v.value),
        "margin": _num(v.margin), "margin_relative": _num(v.margin_relative),
        "band": _num(v.band), "first_year_met": v.first_year_met, "lost_year": v.lost_year,
    }  # fmt: skip


def _counts(verdicts: Sequence[TargetVerdict]) -> dict[str, int]:
    statuses = [v.standing for v in verdicts]
    return {s: statuses.count(s) for s in ("met", "borderline", "missed")}


def _num(x: float | None) -> float | None:
    """A finite float, or None (strict JSON has no NaN)."""
    return None if x is None or not math.isfinite(x) else float(x)


def _model_spec(path: Path | None) -> str:
    for name in shipped_model_names():
        if path is not None and shipped_model_path(name).resolve() == path.resolve():
            return name
    return str(Path(path).resolve()) if path is not None else ""


def _default_targets(model_path: Path | None) -> Path | None:
    from ..scenario import _default_targets as default  # the rule a scenario file follows

    return default(model_path)


def _json_type(value: Any) -> str:
    """How JSON names the type of ``value`` (for one-line errors)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"a string {value[:30]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
