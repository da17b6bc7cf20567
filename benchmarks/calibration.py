"""History matching and calibration of the Hexi plan model (issue 10): runs/s of
``sim batch --condition-on`` against the shipped observations, and the time to calibrate.

History matching runs the whole batch pipeline (sampling, simulation, 22 targets judged, prior
summaries) plus each run's implausibility and the kept runs' summaries, in this process on one
core, in chunks of `CHUNK_SIZE` runs (one simulate call each). The million is run, not
extrapolated: the fan charts bin only the first 100,000 runs, so a smaller n overstates the
cost of a run. The million runs on the engine `simulate` picks by default (the compiled kernel,
`sim.kernel`, when numba is installed); the kernel against the numpy engine is a paired ratio
of CPU times at n = 100,000, the two alternating in this process. Calibration fits the
out-migration and ageing-in rates of the trend scenario to the 2020 census and 60+ share with
bounded least squares; every Jacobian is one simulate call.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

from sim import kernel
from sim.calibration.fit import calibrate
from sim.calibration.history import CHUNK_SIZE, history_match
from sim.uncertainty.batch import run_batch
from sim.uncertainty.plan import plan_batch

__all__ = ["run"]

ROOT = Path(__file__).resolve().parents[1]
UNCERTAINTY = ROOT / "scenarios" / "uncertainty.toml"
TREND = ROOT / "scenarios" / "trend.toml"
OBSERVATIONS = ROOT / "sim" / "models" / "hexi_observations.csv"
FIT = ["out_migration_rate", "ageing_in_rate"]
GOAL_SECONDS_PER_MILLION = 30.0
MILLION = 1_000_000


def _match_seconds(samples: int) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds (this process: what one core spent, whatever else the
    machine runs), and the runs kept."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = history_match(UNCERTAINTY, OBSERVATIONS, samples=samples, seed=1)
    return time.perf_counter() - wall, time.process_time() - cpu, result.kept


@contextmanager
def _engine(name: str | None):
    """Run with ``SIM_ENGINE`` set to ``name`` (None: the default choice)."""
    before = os.environ.pop("SIM_ENGINE", None)
    if name is not None:
        os.environ["SIM_ENGINE"] = name
    try:
        yield
    finally:
        os.environ.pop("SIM_ENGINE", None)
        if before is not None:
            os.environ["SIM_ENGINE"] = before


def _paired_ratio(samples: int, rounds: int = 2) -> tuple[float, float, float]:
    """CPU seconds of history matching on the kernel and on the numpy engine, alternating
    (kernel, numpy, numpy, kernel, …) so that a change of the machine's load hits both; the
    kernel's total over numpy's."""
    totals = {"kernel": 0.0, "numpy": 0.0}
    for i in range(rounds):
        for name in ("kernel", "numpy") if i % 2 == 0 else ("numpy", "kernel"):
            with _engine(name):
                totals[name] += _match_seconds(samples)[1]
    return totals["kernel"] / rounds, totals["numpy"] / rounds, totals["kernel"] / totals["numpy"]


def _default_engine() -> str:
    return "kernel (numba)" if kernel.available() else "numpy (numba not installed)"


def _batch_cpu_seconds(samples: int) -> float:
    batch, _, _ = plan_batch(UNCERTAINTY, samples=samples, seed=1)
    cpu = time.process_time()
    run_batch(batch, show_progress=False)
    return time.process_time() - cpu


def run() -> dict[str, float]:
    _match_seconds(2_000)  # warm caches: file reads, compilation, the kernel's JIT cache
    figures: dict[str, float] = {}
    figures["engine of the runs below (simulate's default)"] = _default_engine()
    figures["chunk size (runs per simulate call, history_match's default)"] = f"{CHUNK_SIZE:,}"
    seconds, cpu, _ = _match_seconds(100_000)
    figures["history matching runs/s, n = 100,000"] = 100_000 / seconds
    figures["CPU time against plain sim batch, n = 100,000 (ratio)"] = cpu / _batch_cpu_seconds(
        100_000
    )
    if kernel.available():
        with _engine("kernel"):
            _match_seconds(2_000)
        on_kernel, on_numpy, ratio = _paired_ratio(100_000)
        figures["CPU seconds at n = 100,000: kernel / numpy engine (paired)"] = (
            f"{on_kernel:.2f} / {on_numpy:.2f}"
        )
        figures["kernel against numpy engine, CPU time, n = 100,000 (ratio)"] = f"{ratio:.2f}"
    seconds, cpu, kept = _match_seconds(MILLION)
    figures[f"history matching runs/s, n = {MILLION:,} (wall clock)"] = MILLION / seconds
    figures[f"seconds for that million, wall clock (goal: under {GOAL_SECONDS_PER_MILLION:g})"] = (
        seconds
    )
    figures["CPU seconds of this process for that million (one core)"] = cpu
    figures["runs/s by CPU time of this process"] = MILLION / cpu
    figures["share kept by the census, 60+ share and 2017-2020 jobs, %"] = 100 * kept / MILLION
    start = time.perf_counter()
    result = calibrate(TREND, OBSERVATIONS, FIT)
    figures["calibration of 2 constants, seconds"] = time.perf_counter() - start
    figures["calibration simulate calls (runs)"] = f"{result.calls} ({result.runs})"
    start = time.perf_counter()
    calibrate(TREND, OBSERVATIONS, FIT, profile=True)
    figures["calibration with profile likelihood of both, seconds"] = time.perf_counter() - start
    return figures
