"""The loop-score figure keeps its legend readable: which loops get their own entry."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim.analysis.figures import MINOR, MOST_LISTED, _listed
from sim.analysis.ltm import Loop


def analysis(peaks: list[float], labels: list[str]):
    loops = tuple(Loop(f"L{i}", ("s",), ("s",), "R", label=label) for i, label in enumerate(labels))
    mean = np.array([[0.0] * len(peaks), peaks])  # (time, loop): the peak at the second time
    return SimpleNamespace(loops=loops), mean


def test_small_loops_are_stacked_together_however_named():
    peaks = [0.30, 0.01, 0.20, 0.02]
    stub, mean = analysis(peaks, ["", "named but small", "named", ""])
    listed, others, largest = _listed(stub, list(range(4)), mean)
    assert listed == [0, 2] and others == [1, 3]
    assert largest == 0.02 < MINOR


def test_at_most_the_cap_named_loops_first_then_the_strongest():
    n = MOST_LISTED + 3
    peaks = [0.10 + 0.01 * i for i in range(n)]  # every loop reaches MINOR
    labels = ["named" if i == 0 else "" for i in range(n)]
    stub, mean = analysis(peaks, labels)
    listed, others, largest = _listed(stub, list(range(n)), mean)
    assert len(listed) == MOST_LISTED and 0 in listed  # the weakest, but named
    assert others == [1, 2, 3]  # the weakest unnamed ones
    assert largest == peaks[3] >= MINOR  # the legend then says "each ≤ 13%", not "< 5%"
