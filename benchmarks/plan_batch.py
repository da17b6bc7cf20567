"""The Hexi plan model in batch (issue 4): scenario-runs per second, bounded memory, the gain
over one-at-a-time runs, and the cost of the Dask path.

A "scenario-run" is one sample of the uncertainty scenario's 99 assumptions and estimates run
through the whole pipeline: sampling, simulation 2016-2021 (RK4, dt 0.5: 40 rate evaluations),
every target judged, summaries accumulated.
Memory is measured in a fresh interpreter (tracemalloc: what the run allocates; and the
process's maximum resident size), so runs before it do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sim.plan.metrics import evaluate_targets
from sim.simulate import Save
from sim.uncertainty.batch import run_batch
from sim.uncertainty.executors import DaskExecutor, ProcessExecutor
from sim.uncertainty.plan import load_plan, plan_batch

from .timing import best_time

__all__ = ["run"]

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "uncertainty.toml"
GOAL_SECONDS_PER_MILLION = 10.0  # set for model v1 (Euler, dt 1: 5 rate evaluations a run)

_MEMORY_PROBE = """
import json, resource, sys, tracemalloc
from sim.uncertainty.batch import run_batch
from sim.uncertainty.plan import plan_batch
batch, _, _ = plan_batch(sys.argv[1], samples=int(sys.argv[2]), seed=1)
tracemalloc.start()
run_batch(batch, show_progress=False)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"traced": peak, "rss": rss}))
"""


def _batch_seconds(samples: int, **kwargs) -> float:
    batch, _, _ = plan_batch(SCENARIO, samples=samples, seed=1)
    start = time.perf_counter()
    run_batch(batch, show_progress=False, **kwargs)
    return time.perf_counter() - start


def _memory(samples: int) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(SCENARIO), str(samples)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def _one_at_a_time_rate(count: int = 300) -> float:
    """Runs/s when each sample is its own call of the same engine (n = 1), judged the same."""
    batch, scenario, targets = plan_batch(SCENARIO, samples=count, seed=1)
    params = batch.design.sample()
    save = Save(variables=targets.variables)
    start = time.perf_counter()
    for i in range(count):
        result = scenario.simulate({k: v[i] for k, v in params.items()}, n=1, save=save)
        evaluate_targets(result, targets)
    return count / (time.perf_counter() - start)


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    load_plan(SCENARIO)  # warm caches: file reads, compilation
    rates = {}
    for n in (1_000, 100_000):
        repeat = 3 if n < 10_000 else 1
        seconds = best_time(lambda n=n: _batch_seconds(n), repeat=repeat, min_time=0.0)
        rates[n] = n / seconds
    million = _batch_seconds(1_000_000)
    rates[1_000_000] = 1_000_000 / million
    for n, rate in rates.items():
        figures[f"scenario-runs/s in-process, one core, n={n:,}"] = rate
    figures["seconds for 1,000,000 scenario-runs (goal < 10 was set for model v1)"] = million
    single = _one_at_a_time_rate()
    figures["scenario-runs/s one at a time (n=1 calls, same engine)"] = single
    figures["batch / one-at-a-time ratio at n=1,000,000"] = rates[1_000_000] / single
    for n in (100_000, 1_000_000):
        memory = _memory(n)
        figures[f"peak MiB allocated by a run of n={n:,} (tracemalloc)"] = memory["traced"] / 2**20
        figures[f"max RSS MiB of the process, n={n:,}"] = memory["rss"] / 2**20
    figures.update(_parallel(200_000))
    return figures


def _parallel(samples: int) -> dict[str, float]:
    """The process pool and Dask LocalCluster (2 workers) against in-process, same samples."""
    local = _batch_seconds(samples)
    out: dict[str, float] = {f"in-process seconds, n={samples:,}": local}
    with ProcessExecutor(workers=2) as pool:
        _batch_seconds(8_000, executor=pool, chunk_size=1_000)  # every worker compiles
        pooled = _batch_seconds(samples, executor=pool)
    out[f"process pool (2 workers) seconds, n={samples:,}"] = pooled
    started = time.perf_counter()
    with DaskExecutor(workers=2) as dask:
        out["Dask LocalCluster start-up seconds (2 workers)"] = time.perf_counter() - started
        _batch_seconds(8_000, executor=dask, chunk_size=1_000)  # every worker compiles
        distributed = _batch_seconds(samples, executor=dask)
    out[f"Dask LocalCluster (2 workers) seconds, n={samples:,}"] = distributed
    out["Dask overhead vs process pool (ratio of seconds)"] = distributed / pooled
    out["Dask speed-up vs in-process (ratio of seconds)"] = local / distributed
    return out
