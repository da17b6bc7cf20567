"""Run a model on both engines and compare every saved value."""

from __future__ import annotations

import numpy as np

from sim.simulate import Save, simulate

RTOL = 1e-12


def both(model, parameters=None, **options):
    """The numpy engine's and the kernel's results of the same call."""
    numpy_result = simulate(model, parameters, engine="numpy", check_ranges=False, **options)
    kernel_result = simulate(model, parameters, engine="kernel", check_ranges=False, **options)
    return numpy_result, kernel_result


def assert_same(expected, actual) -> None:
    """Equal to relative 1e-12 (NaN where NaN, infinities alike), on every saved variable."""
    assert actual.names == expected.names
    np.testing.assert_array_equal(actual.times, expected.times)
    assert actual.values.shape == expected.values.shape
    np.testing.assert_allclose(actual.values, expected.values, rtol=RTOL, atol=1e-300)


def assert_engines_agree(model, parameters=None, **options) -> None:
    assert_same(*both(model, parameters, **options))


__all__ = ["RTOL", "Save", "assert_engines_agree", "assert_same", "both"]
