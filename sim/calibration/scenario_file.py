"""``calibrated.toml``: a scenario that extends the calibrated one with the fitted values, its
provenance and fit statistics in comments, so it runs anywhere a scenario runs."""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

import tomli_w

from ..outputs import file_sha256
from .fit import CalibrationResult

__all__ = ["calibrated_scenario"]


def _g(x: float) -> str:
    return f"{x:.6g}" if math.isfinite(x) else "unbounded"


def calibrated_scenario(result: CalibrationResult, extends: str) -> str:
    """The text of the scenario file; ``extends`` is the input scenario's path as seen from
    where the file is written."""
    from .. import __version__

    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    lines = [
        f"# Calibrated by `sim calibrate` (sdsim {__version__}) on {now}.",
        f"# scenario: {result.scenario} (sha256 {file_sha256(result.scenario)[:16]})",
    ]
    if result.data is not None:
        lines.append(
            f"# data: {result.data} (sha256 {file_sha256(result.data)[:16]}), "
            f"{len(result.observations)} observations"
        )
    lines.append("# estimates, 95 % intervals from the Jacobian (and profile likelihood):")
    for e in result.estimates:
        profile = f"; profile [{_g(e.profile[0])}, {_g(e.profile[1])}]" if e.profile else ""
        lines.append(
            f"#   {e.name} = {e.value:.6g} [{_g(e.low)}, {_g(e.high)}]{profile}; "
            f"started at {e.start:g}, range [{_g(e.bounds[0])}, {_g(e.bounds[1])}]"
        )
    lines.append(
        f"# chi-square {result.chi2:.4g} on {result.dof} degrees of freedom"
        + (f" (p = {result.p_value:.3g})" if result.dof > 0 else "")
    )
    for s in result.statistics:
        lines.append(
            f"#   {s.variable}: {s.n} observations, MAPE {s.mape:.3g} %, R² {s.r2:.4g}, "
            f"Theil U^M {s.um:.3g} U^S {s.us:.3g} U^C {s.uc:.3g}"
        )
    for warning in result.warnings:
        lines.append(f"# warning: {warning}")
    body = {
        "description": f"Calibrated to {Path(result.data).name if result.data else 'data'}: "
        + ", ".join(f"{e.name} = {e.value:.6g}" for e in result.estimates),
        "extends": extends,
        "parameters": {e.name: e.value for e in result.estimates},
    }
    return "\n".join(lines) + "\n" + tomli_w.dumps(body)
