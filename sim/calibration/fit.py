"""Calibration: bounded weighted least squares of a scenario's constants against observations.

The payoff is the chi-square ``sum(((f(x) - z) / sqrt(Var_obs + Var_model))^2)`` minimised by
`scipy.optimize.least_squares` (trust-region reflective) within each constant's declared
``range``, starting from the scenario's values. The stated uncertainties are taken as known,
so the 95 % intervals are ``x ± 1.96 se`` with the covariance ``(JᵀJ)⁻¹`` of the weighted
residuals' Jacobian at the optimum, or, with ``profile``, the set of values whose profiled
chi-square exceeds the minimum by less than ``chi2.ppf(0.95, 1) = 3.84`` (exact for a linear
model, and honest where the model bends). Parameters the data cannot separate are reported,
not hidden: a near-singular Jacobian or a correlation above 0.95 gives a warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from ..errors import UserInputError
from ..names import canonical
from ..scenario import Scenario, load_scenario
from .observations import Observations, load_observations
from .problem import Problem, bounds_of, fitted_parameters
from .statistics import FitStatistics, fit_statistics

__all__ = ["CalibrationResult", "Estimate", "calibrate"]

CORRELATION_WARNING = 0.95
CONDITION_WARNING = 1e6


@dataclass(frozen=True)
class Estimate:
    """A fitted constant: its estimate, standard error and 95 % intervals (from the Jacobian,
    and from the profile likelihood when it was asked for), within ``bounds``."""

    name: str
    value: float
    start: float
    se: float
    low: float
    high: float
    bounds: tuple[float, float]
    profile: tuple[float, float] | None = None

    @property
    def at_bound(self) -> bool:
        lo, hi = self.bounds
        return bool(np.isclose(self.value, lo, atol=0) or np.isclose(self.value, hi, atol=0))

    def to_dict(self) -> dict[str, Any]:
        out = {
            "value": self.value,
            "start": self.start,
            "se": _num(self.se),
            "low": _num(self.low),
            "high": _num(self.high),
            "bounds": [_num(b) for b in self.bounds],
            "at_bound": self.at_bound,
        }
        if self.profile is not None:
            out["profile"] = [_num(v) for v in self.profile]
        return out


@dataclass(frozen=True)
class CalibrationResult:
    """What `calibrate` found. ``fitted`` is the model at each observation at the estimate."""

    scenario: Path
    data: Path | None
    estimates: tuple[Estimate, ...]
    observations: Observations
    fitted: np.ndarray
    correlation: np.ndarray
    statistics: tuple[FitStatistics, ...]
    chi2: float
    dof: int
    warnings: tuple[str, ...]
    iterations: int
    calls: int
    runs: int
    seconds: float = 0.0
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def parameters(self) -> dict[str, float]:
        return {e.name: e.value for e in self.estimates}

    @property
    def p_value(self) -> float:
        """P(chi-square >= this fit's) if the stated uncertainties were right."""
        return float(stats.chi2.sf(self.chi2, self.dof)) if self.dof > 0 else math.nan

    def to_dataframe(self) -> Any:
        """One row per fitted constant (pandas)."""
        import pandas as pd

        rows = []
        for e in self.estimates:
            row = {
                "parameter": e.name,
                "estimate": e.value,
                "start": e.start,
                "se": e.se,
                "low95": e.low,
                "high95": e.high,
                "lower_bound": e.bounds[0],
                "upper_bound": e.bounds[1],
            }
            if e.profile is not None:
                row["profile_low95"], row["profile_high95"] = e.profile
            rows.append(row)
        return pd.DataFrame(rows)

    def residuals(self) -> list[dict[str, Any]]:
        out = []
        for obs, f in zip(self.observations, self.fitted, strict=True):
            out.append(
                {
                    "variable": obs.variable,
                    "year": obs.year,
                    "time": obs.time,
                    "value": obs.value,
                    "model": _num(float(f)),
                    "sd": obs.sd,
                    "discrepancy": obs.discrepancy,
                    "weighted_residual": _num(float((f - obs.value) / obs.scale)),
                    "source": obs.source,
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        names = [e.name for e in self.estimates]
        return {
            "scenario": str(self.scenario),
            "data": str(self.data) if self.data else None,
            "estimates": {e.name: e.to_dict() for e in self.estimates},
            "correlation": {
                a: {b: _num(float(self.correlation[i, j])) for j, b in enumerate(names)}
                for i, a in enumerate(names)
            },
            "chi2": self.chi2,
            "dof": self.dof,
            "p_value": _num(self.p_value),
            "statistics": [s.to_dict() for s in self.statistics],
            "observations": self.residuals(),
            "warnings": list(self.warnings),
            "optimizer": {
                "iterations": self.iterations,
                "simulate_calls": self.calls,
                "runs": self.runs,
                "seconds": self.seconds,
                "message": self.message,
            },
            **self.extra,
        }


def _num(x: float) -> float | None:
    """JSON has no NaN nor infinity: ``None`` stands for them."""
    return float(x) if math.isfinite(x) else None


def calibrate(
    scenario: str | Path | Scenario,
    data: str | Path | Observations,
    fit: Sequence[str],
    *,
    profile: Sequence[str] | bool = (),
    start: Mapping[str, float] | None = None,
    level: float = 0.95,
) -> CalibrationResult:
    """Fit the constants ``fit`` of ``scenario`` to the observations in ``data``.

    ``profile`` (names, or True for all) adds profile-likelihood intervals; ``start``
    overrides the scenario's values as starting points.
    """
    import time

    from scipy import optimize

    began = time.perf_counter()
    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    obs = (
        data if isinstance(data, Observations) else load_observations(data, scen.model, dt=scen.dt)
    )
    constants = fitted_parameters(scen, list(fit))
    names = tuple(c.name for c in constants)
    lower = np.array([bounds_of(c)[0] for c in constants])
    upper = np.array([bounds_of(c)[1] for c in constants])
    given = {canonical(k): v for k, v in (start or {}).items()}
    x0 = np.array(
        [float(given.get(c.key, scen.parameters.get(c.name, c.value))) for c in constants]
    )
    for c, x, lo, hi in zip(constants, x0, lower, upper, strict=True):
        if not lo <= x <= hi:
            raise UserInputError(
                f"starts at {x:g}, outside its range [{lo:g}, {hi:g}]", field=f"--fit {c.name}"
            )
    problem = Problem(scen, obs, names)
    if not np.all(np.abs(problem.residuals(x0)) < 1e9):
        raise UserInputError(
            "the model gives non-finite values at the starting point", field="--fit"
        )
    x0 = np.clip(x0, np.nextafter(lower, upper), np.nextafter(upper, lower))
    solution = optimize.least_squares(
        problem.residuals,
        x0,
        jac=lambda x: problem.jacobian(x, lower, upper),
        bounds=(lower, upper),
        method="trf",
        x_scale="jac",
        xtol=1e-10,
        ftol=1e-10,
        gtol=1e-10,
        max_nfev=200 * (len(names) + 1),
    )
    x = solution.x
    r = solution.fun
    J = problem.jacobian(x, lower, upper)
    cov, singular = _covariance(J)
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    se = np.where(singular, math.inf, se)
    z = float(stats.norm.ppf(0.5 + level / 2))
    low = np.maximum(x - z * se, lower)
    high = np.minimum(x + z * se, upper)
    correlation = _correlation(cov)
    wanted = list(names) if profile is True else [n for n in (profile or ())]
    profiles: dict[str, tuple[float, float]] = {}
    for name in wanted:
        key = _index(names, name)
        profiles[names[key]] = profile_interval(
            problem, x, key, lower, upper, se[key], float(r @ r), level
        )
    fitted = problem.values(x[None, :])[:, 0]
    estimates = tuple(
        Estimate(
            n,
            float(x[j]),
            float(x0[j]),
            float(se[j]),
            float(low[j]),
            float(high[j]),
            (float(lower[j]), float(upper[j])),
            profiles.get(n),
        )
        for j, n in enumerate(names)
    )
    statistics = tuple(fit_statistics(v, *_pairs(obs, fitted, v)) for v in obs.variables)
    chi2, dof = float(r @ r), len(obs) - len(names)
    warnings = _warnings(names, J, correlation, singular, estimates, chi2, dof)
    return CalibrationResult(
        scenario=scen.path,
        data=obs.path,
        estimates=estimates,
        observations=obs,
        fitted=fitted,
        correlation=correlation,
        statistics=statistics,
        chi2=chi2,
        dof=dof,
        warnings=tuple(warnings),
        iterations=int(solution.nfev),
        calls=problem.calls,
        runs=problem.runs,
        seconds=time.perf_counter() - began,
        message=str(solution.message),
    )


def _index(names: Sequence[str], name: str) -> int:
    for j, n in enumerate(names):
        if canonical(n) == canonical(name):
            return j
    raise UserInputError(f"{name!r} is not one of the fitted constants", field="--profile")


def _pairs(obs: Observations, fitted: np.ndarray, variable: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [i for i, o in enumerate(obs) if o.variable == variable]
    return fitted[rows], obs.values[rows]


def _covariance(J: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(JᵀJ)⁻¹`` through the SVD of the column-scaled Jacobian, and which parameters lie
    along a (numerically) null direction, whose variance is unbounded."""
    norms = np.linalg.norm(J, axis=0)
    norms = np.where(norms > 0, norms, 1.0)
    _, s, vt = np.linalg.svd(J / norms, full_matrices=False)
    tiny = s <= s.max(initial=0.0) * 1e-10 if s.size else np.ones(0, bool)
    inv = np.where(tiny, 0.0, 1.0 / np.where(tiny, 1.0, s) ** 2)
    cov = (vt.T * inv) @ vt / np.outer(norms, norms)
    singular = np.zeros(J.shape[1], dtype=bool)
    for row in vt[tiny]:
        singular |= np.abs(row) > 1e-6
    singular |= np.linalg.norm(J, axis=0) == 0
    if J.shape[0] < J.shape[1]:
        singular[:] = True
    return cov, singular


def _correlation(cov: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.maximum(np.diag(cov), 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = cov / np.outer(d, d)
    np.fill_diagonal(c, 1.0)
    return np.clip(c, -1.0, 1.0)


def _warnings(
    names: Sequence[str],
    J: np.ndarray,
    correlation: np.ndarray,
    singular: np.ndarray,
    estimates: Sequence[Estimate],
    chi2: float,
    dof: int,
) -> list[str]:
    out = []
    norms = np.linalg.norm(J, axis=0)
    for name, norm in zip(names, norms, strict=True):
        if norm == 0:
            out.append(f"not identifiable: the data do not depend on {name}")
    scaled = J / np.where(norms > 0, norms, 1.0)
    s = np.linalg.svd(scaled, compute_uv=False)
    condition = s.max() / s.min() if s.size and s.min() > 0 else math.inf
    pairs = [
        (abs(correlation[i, j]), names[i], names[j], correlation[i, j])
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    confounded = [p for p in pairs if p[0] > CORRELATION_WARNING or not math.isfinite(p[0])]
    for _, a, b, c in sorted(confounded, reverse=True):
        out.append(
            f"confounded: {a} and {b} have correlation {c:+.3f}; the data cannot separate "
            "them (fix one, or add data that moves them differently)"
        )
    if len(names) > 1 and condition > CONDITION_WARNING and not confounded:
        worst = [n for n, flag in zip(names, singular, strict=True) if flag] or list(names)
        out.append(
            f"near-singular Jacobian (condition number {condition:.3g}): the data cannot "
            f"separate {', '.join(worst)}"
        )
    if len(J) < len(names):
        out.append(f"{len(J)} observations cannot determine {len(names)} constants")
    for e in estimates:
        if e.at_bound:
            out.append(
                f"{e.name} = {e.value:g} sits at a bound of its range {list(e.bounds)}; "
                "its interval is not reliable"
            )
    if dof > 0 and chi2 / dof > 2:
        out.append(
            f"the misfit (chi-square {chi2:.3g} on {dof} degrees of freedom) is larger than the "
            "stated uncertainty allows: intervals assume it is right; consider a larger "
            "discrepancy"
        )
    return out


def profile_interval(
    problem: Problem,
    x: np.ndarray,
    j: int,
    lower: np.ndarray,
    upper: np.ndarray,
    se: float,
    best: float,
    level: float = 0.95,
) -> tuple[float, float]:
    """The values of parameter ``j`` whose profiled chi-square (the others re-fitted) stays
    within ``chi2.ppf(level, 1)`` of the minimum ``best``; a bound where it never gets there."""
    from scipy import optimize

    threshold = float(stats.chi2.ppf(level, 1))
    others = [k for k in range(len(x)) if k != j]
    warm = {"x": x[others].copy()}

    def excess(v: float) -> float:
        if not others:
            return problem.chi2(np.array([v])) - best - threshold

        def sub(y: np.ndarray) -> np.ndarray:
            full = x.copy()
            full[j], full[others] = v, y
            return problem.residuals(full)

        start = np.clip(
            warm["x"],
            np.nextafter(lower[others], upper[others]),
            np.nextafter(upper[others], lower[others]),
        )

        def jac(y: np.ndarray) -> np.ndarray:
            full = x.copy()
            full[j], full[others] = v, y
            return problem.jacobian(full, lower, upper)[:, others]

        fit = optimize.least_squares(
            sub,
            start,
            jac=jac,
            bounds=(lower[others], upper[others]),
            method="trf",
            x_scale="jac",
            xtol=1e-8,
            ftol=1e-8,
        )
        warm["x"] = fit.x
        return float(fit.fun @ fit.fun) - best - threshold

    step0 = se if math.isfinite(se) and se > 0 else max(abs(x[j]) * 0.1, 1e-6)
    ends = []
    for side, bound in ((-1, lower[j]), (1, upper[j])):
        warm["x"] = x[others].copy()
        inner, step = float(x[j]), 2.0 * step0
        end = float(bound)
        for _ in range(40):
            outer = float(np.clip(x[j] + side * step, lower[j], upper[j]))
            if excess(outer) > 0:
                end = optimize.brentq(excess, inner, outer, xtol=1e-4 * step0, rtol=1e-12)
                break
            if outer == bound:
                break
            inner, step = outer, step * 2
        ends.append(float(end))
    return ends[0], ends[1]
