"""Run every benchmark section and print its figures (measured in this one run)."""

from __future__ import annotations

import importlib
import sys
import time

SECTIONS = {
    "engine": "3-stock one-loop model, 20 steps (issue 2)",
    "plan_batch": "Hexi plan model in batch (issue 4)",
    "xmile_pysd": "XMILE models: this engine against PySD (issue 5)",
    "loops": "Loops That Matter over 10,000 Hexi scenarios (issue 13)",
    "calibration": "Hexi plan model: history matching and calibration (issue 10)",
    "compile": "compile time of generated models, 1,250 to 10,000 stocks (issue 8)",
    "batch_figures": "sim batch with and without its figures (issue 11)",
    "web": "the what-if page: slider move to redrawn verdicts and graphs (issue 12)",
    "arrays": "arrayed models: 10,000-stock compile, 100 elements × 3 stocks (issue 14)",
}


def main(argv: list[str]) -> int:
    chosen = argv or list(SECTIONS)
    for name in chosen:
        print(f"\n== {name}: {SECTIONS.get(name, '')}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        for key, value in module.run().items():
            print(
                f"  {key:<60} {value:>14,.1f}"
                if isinstance(value, float)
                else f"  {key:<60} {value:>14}"
            )
        print(f"  ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
