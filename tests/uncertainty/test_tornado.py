"""One-at-a-time swings."""

from __future__ import annotations

import numpy as np
import pytest

from sim.uncertainty.testfunctions import LINEAR_COEFFICIENTS, LINEAR_DISTS, linear
from sim.uncertainty.tornado import tornado


def test_linear_swings_are_coefficient_times_range() -> None:
    result = tornado(linear, LINEAR_DISTS, ["y"], low_q=0.1, high_q=0.9)
    coefficients = np.array(list(LINEAR_COEFFICIENTS.values()))
    assert result.base[0] == pytest.approx(0.5 * coefficients.sum())
    np.testing.assert_allclose(result.swing()[0], 0.8 * np.abs(coefficients))
    np.testing.assert_allclose(result.high[0] - result.low[0], 0.8 * coefficients)
    np.testing.assert_allclose(result.values, [[0.1] * 4, [0.9] * 4])
    entry = result.to_dict()["outputs"]["y"]["inputs"]["c"]
    assert entry["output_at_high"] < entry["output_at_low"]
