"""This engine against PySD on the same XMILE file (the 3-stock, one-loop model exported by
``sim export``): one scenario per call, and 10,000 scenarios (ours in one vectorized call,
PySD in a loop, timed on 200 runs and extrapolated, as the keys say)."""

from __future__ import annotations

import math
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from sim.compiler import compile_model
from sim.models import resolve_model
from sim.simulate import Save, simulate
from sim.xmile import read_xmile, write_xmile

from .timing import best_time

__all__ = ["run"]

MODEL = "three_stock_loop"
N = 10_000
PYSD_RUNS = 200


def run() -> dict[str, float]:
    with warnings.catch_warnings():  # PySD's own dependency deprecations, not ours
        warnings.filterwarnings("ignore", module=r"(pysd|chardet|parsimonious)(\.|$)")
        import pysd

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{MODEL}.xmile"
            write_xmile(resolve_model(MODEL), path)
            ours = compile_model(read_xmile(path))
            theirs = pysd.read_xmile(str(path))
            return _measure(ours, theirs)


def _measure(ours, theirs) -> dict[str, float]:
    rng = np.random.default_rng(0)
    params = {"adjustment_time": rng.uniform(1, 8, N), "demand_step": rng.uniform(0, 5, N)}
    final = Save(variables=["inventory"], times=[ours.model.time.stop])
    one = {k: float(v[0]) for k, v in params.items()}

    ours_one = 1 / best_time(lambda: simulate(ours, one, save=final))
    pysd_one = 1 / best_time(lambda: theirs.run(params=one, return_columns=["inventory"]))
    ours_batch = best_time(lambda: simulate(ours, params, save=final), repeat=3)

    finals, started = [], time.perf_counter()
    for i in range(PYSD_RUNS):
        p = {k: float(v[i]) for k, v in params.items()}
        finals.append(theirs.run(params=p, return_columns=["inventory"])["inventory"].iloc[-1])
    pysd_rate = PYSD_RUNS / (time.perf_counter() - started)

    mine = simulate(ours, params, save=final)["inventory"][-1, :PYSD_RUNS]
    worst = float(np.max(np.abs(mine - np.asarray(finals)) / np.abs(mine)))
    return {
        "ours: runs/s, one scenario per call": ours_one,
        "PySD: runs/s, one scenario per call": pysd_one,
        "speed-up, one scenario per call (ours / PySD)": ours_one / pysd_one,
        f"ours: runs/s, {N:,} scenarios in one vectorized call": N / ours_batch,
        f"PySD: runs/s, {N:,} scenarios in a loop (timed on {PYSD_RUNS})": pysd_rate,
        f"ours: milliseconds for {N:,} scenarios": 1000 * ours_batch,
        f"PySD: seconds for {N:,} scenarios (extrapolated from {PYSD_RUNS})": N / pysd_rate,
        f"speed-up, {N:,} scenarios (ours / PySD)": (N / ours_batch) / pysd_rate,
        f"digits of agreement with PySD ({PYSD_RUNS} final inventories)": min(
            16.0, -math.log10(worst) if worst > 0 else 16.0
        ),
    }
