"""Loops That Matter over a batch (issue 13): loop analysis of the Hexi plan model for 10,000
scenarios against one plain batch of the same scenarios (goal: at most 10 times as long).

The scenarios vary every assumption that has a plausible range, uniformly over that range
(seed 1). The plain batch saves every variable at every year, as `sim.simulate` does by
default; the loop analysis simulates saving every slot, then scores every link on a loop and
every loop at every year for every scenario.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.ltm import analyse_loops
from sim.compiler import compile_model
from sim.models import resolve_model
from sim.simulate import simulate

from .timing import best_time

__all__ = ["run"]

SCENARIOS = 10_000
GOAL_RATIO = 10.0


def parameters(model, n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {c.name: rng.uniform(*c.range, n) for c in model.constants if c.range is not None}


def run() -> dict[str, object]:
    compiled = compile_model(resolve_model("hexi"))
    values = parameters(compiled.model, SCENARIOS)
    plain = best_time(lambda: simulate(compiled, values), repeat=3, min_time=0.0)
    loops = best_time(lambda: analyse_loops(compiled, values), repeat=3, min_time=0.0)
    analysis = analyse_loops(compiled, values)
    return {
        "loops found in the Hexi plan model": len(analysis.loops),
        f"plain batch of {SCENARIOS:,} scenarios, seconds": f"{plain:.3f}",
        f"loop analysis of the same {SCENARIOS:,}, seconds": f"{loops:.3f}",
        f"loop analysis / plain batch (goal <= {GOAL_RATIO:g})": f"{loops / plain:.1f}x",
    }
