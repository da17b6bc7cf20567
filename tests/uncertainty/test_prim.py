"""PRIM finds a known box."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from sim.errors import UserInputError
from sim.uncertainty.prim import prim


def _known_box(n: int = 4000, noise: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3))
    y = (x[:, 0] > 0.7) & (x[:, 1] < 0.4)
    flip = rng.random(n) < noise
    return x, y ^ flip


def test_recovers_a_known_box() -> None:
    x, y = _known_box()
    result = prim(x, y, ("a", "b", "c"), threshold=0.9)
    box = result.restricted()
    assert set(box) == {"a", "b"}
    assert box["a"][0] == pytest.approx(0.7, abs=0.03)
    assert box["b"][1] == pytest.approx(0.4, abs=0.03)
    assert result.box.density >= 0.9
    assert result.box.coverage >= 0.9
    assert result.box.mass == pytest.approx(0.12, abs=0.03)
    assert result.base_density == pytest.approx(y.mean())


def test_noisy_outcome_still_points_at_the_box() -> None:
    x, y = _known_box(noise=0.05, seed=1)
    result = prim(x, y, ("a", "b", "c"), threshold=0.85)
    box = result.restricted()
    assert box["a"][0] == pytest.approx(0.7, abs=0.06)
    assert box["b"][1] == pytest.approx(0.4, abs=0.06)
    assert result.box.density > 0.85


def test_trajectory_trades_coverage_for_density() -> None:
    x, y = _known_box()
    result = prim(x, y, ("a", "b", "c"))
    coverage = [b.coverage for b in result.trajectory]
    mass = [b.mass for b in result.trajectory]
    assert coverage[0] == 1.0 and mass[0] == 1.0
    assert all(m2 < m1 for m1, m2 in pairwise(mass))
    assert result.trajectory[-1].density > result.trajectory[0].density
    data = result.to_dict()
    assert set(data["box"]) == {"a", "b"}
    assert len(data["trajectory"]) == len(result.trajectory)


def test_discrete_inputs_with_ties() -> None:
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.integers(0, 3, 3000).astype(float), rng.random(3000)])
    y = (x[:, 0] == 2) & (x[:, 1] > 0.5)
    result = prim(x, y, ("level", "u"), threshold=0.9)
    assert result.restricted()["level"][0] == 2.0
    assert result.box.density > 0.9


def test_nothing_to_explain() -> None:
    with pytest.raises(UserInputError, match="no sample"):
        prim(np.zeros((10, 2)), np.zeros(10, dtype=bool), ("a", "b"))


def test_restrictions_that_hardly_matter_are_lifted() -> None:
    from sim.uncertainty.prim import PrimBox, _prune, _Stats

    x, y = _known_box()
    lo, hi = np.array([0.7, 0.0, 0.05]), np.array([1.0, 0.4, 1.0])  # c restricted for nothing
    stats = _Stats(y)
    box = stats.box(lo, hi, np.all((x >= lo) & (x <= hi), axis=1))
    pruned = _prune(x, stats, box, x.min(axis=0), x.max(axis=0))
    assert isinstance(pruned, PrimBox)
    assert pruned.lo[2] == x[:, 2].min()
    assert (pruned.lo[0], pruned.hi[1]) == (0.7, 0.4)
    assert pruned.coverage > box.coverage
