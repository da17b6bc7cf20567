"""Synthetic calibration problems with known answers: scenario files and noisy data."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sim.scenario import load_scenario


def write_scenario(
    folder: Path,
    model: str,
    *,
    name: str = "base",
    dt: float | None = None,
    parameters: Mapping[str, float] | None = None,
    uncertain: str = "",
) -> Path:
    """A scenario file on a shipped model (or a model file) in ``folder``."""
    lines = [f'model = "{model}"']
    if dt is not None:
        lines.append(f"dt = {dt}")
    lines.append("[parameters]")
    lines += [f"{k} = {v!r}" for k, v in (parameters or {}).items()]
    if uncertain:
        lines += ["[uncertain]", uncertain]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def synthetic_data(
    scenario: Path,
    truth: Mapping[str, float],
    variable: str,
    times: list[float],
    sd: float,
    seed: int,
    path: Path,
) -> Path:
    """Observations of ``variable`` at ``times`` from the scenario at ``truth`` plus Gaussian
    noise of ``sd``, written as an observations file."""
    s = load_scenario(scenario)
    run = s.simulate(dict(truth), n=1)
    rng = np.random.default_rng(seed)
    rows = ["variable,time,value,sd,source"]
    for t in times:
        value = float(run[variable][run.time_index(t), 0] + rng.normal(0.0, sd))
        rows.append(f"{variable},{t},{value!r},{sd},synthetic seed {seed}")
    path.write_text("\n".join(rows) + "\n")
    return path
