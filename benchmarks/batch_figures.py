"""What the figures of ``sim batch`` cost (issue 11): the whole command at 100,000 samples,
as a user runs it (a fresh process: imports included), with and without its figures, best of
three, alternating. Goal: with figures at most 1.5 times without."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["run"]

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "uncertainty.toml"
SAMPLES = 100_000
GOAL = 1.5


def _cpu() -> float:
    """CPU seconds of the finished child processes (the command and its drawing processes)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def _seconds(figures: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one command."""
    out = Path(tempfile.mkdtemp(prefix="sdsim-bench-"))
    args = [sys.executable, "-m", "sim", "batch", str(SCENARIO), "--samples", str(SAMPLES),
            "--seed", "1", "--no-progress", "--out", str(out)]  # fmt: skip
    if not figures:
        args.append("--no-figures")
    try:
        start, cpu = time.perf_counter(), _cpu()
        subprocess.run(args, check=True, capture_output=True)
        return time.perf_counter() - start, _cpu() - cpu
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run() -> dict[str, float | str]:
    _seconds(True)  # warm: imports, compilation, font cache
    without, with_ = [], []
    for _ in range(3):
        without.append(_seconds(False))
        with_.append(_seconds(True))
    (wall0, cpu0), (wall1, cpu1) = min(without), min(with_)
    ratio = wall1 / wall0
    return {
        f"sim batch, n={SAMPLES:,}, seconds without figures": wall0,
        f"sim batch, n={SAMPLES:,}, seconds with figures": wall1,
        "with / without, wall clock (goal <= 1.5)": ratio,
        "CPU seconds without / with figures (all processes)": f"{cpu0:.1f} / {cpu1:.1f}",
        "figures within the goal": "yes" if ratio <= GOAL else "NO",
    }
