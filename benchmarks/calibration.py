"""History matching and calibration of the Hexi plan model (issue 10): runs/s of
``sim batch --condition-on`` against the shipped observations, and the time to calibrate.

History matching runs the whole batch pipeline (sampling, simulation, 22 targets judged, prior
summaries) plus each run's implausibility and the kept runs' summaries, in this process on one
core, in chunks of `CHUNK_SIZE` runs (one simulate call each). The million is run, not
extrapolated: the fan charts bin only the first 100,000 runs, so a smaller n overstates the
cost of a run. Calibration fits the out-migration and ageing-in rates of the trend scenario to
the 2020 census and 60+ share with bounded least squares; every Jacobian is one simulate call.
"""

from __future__ import annotations

import time
from pathlib import Path

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


def _batch_cpu_seconds(samples: int) -> float:
    batch, _, _ = plan_batch(UNCERTAINTY, samples=samples, seed=1)
    cpu = time.process_time()
    run_batch(batch, show_progress=False)
    return time.process_time() - cpu


def run() -> dict[str, float]:
    _match_seconds(2_000)  # warm caches: file reads, compilation
    figures: dict[str, float] = {}
    figures["chunk size (runs per simulate call, history_match's default)"] = f"{CHUNK_SIZE:,}"
    seconds, cpu, _ = _match_seconds(100_000)
    figures["history matching runs/s, n = 100,000"] = 100_000 / seconds
    figures["CPU time against plain sim batch, n = 100,000 (ratio)"] = cpu / _batch_cpu_seconds(
        100_000
    )
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
