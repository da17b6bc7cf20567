"""The engine on the 3-stock, one-loop benchmark model over 20 steps, at n = 1 … 100,000."""

from __future__ import annotations

import numpy as np

from sim.compiler import compile_model
from sim.models import resolve_model
from sim.simulate import Save, simulate

from .timing import best_time, peak_memory

__all__ = ["run"]

PYSD_RUNS_PER_SECOND = 1200  # DESIGN.md: PySD on such a model on these machines


def run() -> dict[str, float]:
    compiled = compile_model(resolve_model("three_stock_loop"))
    final = Save(variables=["inventory"], times=[20.0])
    rng = np.random.default_rng(0)
    figures: dict[str, float] = {}
    rates = {}
    for n in (1, 1_000, 100_000):
        params = {"adjustment_time": rng.uniform(1, 8, n), "demand_step": rng.uniform(0, 5, n)}
        seconds = best_time(lambda p=params: simulate(compiled, p, save=final))
        rates[n] = n / seconds
        figures[f"runs/s at n={n:,}"] = rates[n]
    params = {"adjustment_time": rng.uniform(1, 8, 100_000)}
    figures["peak MiB at n=100,000 (final value saved)"] = (
        peak_memory(lambda: simulate(compiled, params, save=final)) / 2**20
    )
    figures["peak MiB at n=100,000 (all variables, all 21 times)"] = (
        peak_memory(lambda: simulate(compiled, params)) / 2**20
    )
    figures["speed-up n=100,000 vs n=1 (per run)"] = rates[100_000] / rates[1]
    figures["ratio vs PySD's ~1,200 runs/s at n=100,000"] = rates[100_000] / PYSD_RUNS_PER_SECOND
    return figures
