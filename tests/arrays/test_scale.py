"""Expansion is linear in the number of elements (timing is too noisy on a shared machine, so
the test counts the Python calls made, as tests/test_compile_scale.py does)."""

import sys

from benchmarks.arrays import grid_model
from sim.arrays import expand


def _calls_to_expand(rows: int) -> int:
    model = grid_model(rows, 2)
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        expand(model)
    finally:
        sys.setprofile(None)
    return count


def test_four_times_the_elements_cost_four_times_the_work():
    small, large = _calls_to_expand(100), _calls_to_expand(400)
    assert large / small < 4.4  # quadratic work would be about 16x


def test_the_generated_grid_expands_to_one_stock_per_element():
    expanded = expand(grid_model(30, 4))
    assert len(expanded.stocks) == 120
    assert expanded["level[r29,c3]"].inflows == ("fill[r29,c3]",)
