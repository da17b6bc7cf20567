"""Expansion is linear in the number of elements (timing is too noisy on a shared machine, so
the test counts the Python calls made, as tests/test_compile_scale.py does)."""

from benchmarks.arrays import grid_model
from sim.arrays import expand


def test_four_times_the_elements_cost_four_times_the_work(count_calls):
    models = [grid_model(rows, 2) for rows in (100, 400)]  # built outside what is counted
    small, large = (count_calls(lambda m=m: expand(m)) for m in models)
    assert large / small < 4.4  # quadratic work would be about 16x
