"""Vensim subscripts translated to the model's dimensions, checked by running them."""

import numpy as np
import pytest

from sim.errors import ModelError
from sim.model import Dimension
from sim.simulate import simulate
from sim.vensim import reads_vensim

CONTROL = "INITIAL TIME = 0 ~~|\nFINAL TIME = {stop} ~~|\nTIME STEP = 1 ~~|\n"


def model_of(equations: str, stop: int = 3):
    return reads_vensim(equations + CONTROL.format(stop=stop))


def run(equations: str, stop: int = 3):
    result = simulate(model_of(equations, stop))
    return lambda name: result[name][:, 0]


def test_ranges_subranges_mappings_and_equivalences_become_dimensions():
    model = model_of(
        "region: north, south, (r1-r2) ~~|\nsouthern: south, r1 ~~|\n"
        "all: southern, north -> region ~~|\nsame <-> region ~~|\n"
        "pair: a, b -> (other: y, x) ~~|\nother: x, y ~~|\nc[region] = 1 ~~|\n"
    )
    dims = {d.name: d for d in model.dimensions}
    assert dims["region"] == Dimension("region", ("north", "south", "r1", "r2"))
    assert dims["all"].elements == ("south", "r1", "north")  # a subrange listed in place
    assert dims["all"].maps_to == (("region", ("north", "south", "r1", "r2")),)
    assert dims["same"].elements == dims["region"].elements
    assert dims["pair"].maps_to == (("other", ("y", "x")),)


def test_an_arrayed_stock_grows_element_by_element_and_sums():
    eqs = (
        "region: a, b, c ~~|\npop[region] = INTEG(births[region], init[region]) ~~|\n"
        "init[region] = 1, 2, 3 ~~|\nbirths[region] = 0.1 * pop[region] ~~|\n"
        "total = SUM(pop[region!]) ~~|\nbiggest = VMAX(pop[region!]) ~~|\n"
    )
    values = run(eqs)
    t = np.arange(4)
    for i, e in enumerate("abc"):
        np.testing.assert_allclose(values(f"pop[{e}]"), (i + 1) * 1.1**t)
    np.testing.assert_allclose(values("total"), 6 * 1.1**t)
    np.testing.assert_allclose(values("biggest"), 3 * 1.1**t)


def test_element_wise_equations_except_and_subranges():
    eqs = (
        "d: d1, d2, d3 ~~|\nlow: d1, d2 ~~|\n"
        "x[d] :EXCEPT: [d2] = 10 * d ~~|\nx[d2] = -1 ~~|\n"
        "y[low] = x[low] + 1 ~~|\ny[d3] = 0 ~~|\n"
    )
    values = run(eqs, stop=1)
    assert [values(f"x[{e}]")[0] for e in ("d1", "d2", "d3")] == [10, -1, 30]
    assert [values(f"y[{e}]")[0] for e in ("d1", "d2", "d3")] == [11, 0, 0]


def test_a_variable_defined_on_part_of_a_range_has_only_those_elements():
    model = model_of("d: d1, d2, d3 ~~|\nx[d1] = 1 ~~|\nx[d3] = 3 ~~|\n")
    result = simulate(model)
    assert [n for n in result.names if n.startswith("x[")] == ["x[d1]", "x[d3]"]


def test_number_lists_tabbed_arrays_and_two_dimensions():
    eqs = (
        "r: r1, r2 ~~|\nc: c1, c2, c3 ~~|\nm[r, c] = 1, 2, 3; 4, 5, 6; ~~|\n"
        "t[r, c] = TABBED ARRAY(\n 1 2 3\n 4 5 6) ~~|\nflip[c, r] = m[r, c] ~~|\n"
    )
    values = run(eqs, stop=1)
    assert values("m[r2,c1]")[0] == 4 and values("t[r1,c3]")[0] == 3
    assert values("flip[c3,r2]")[0] == 6


def test_comparing_two_ranges_compares_their_elements_not_positions():
    eqs = "one: A, B, C ~~|\ntwo: A, C, B ~~|\nsame[one, two] = IF THEN ELSE(one = two, 1, 0) ~~|\n"
    values = run(eqs, stop=1)
    assert values("same[B,B]")[0] == 1 and values("same[B,C]")[0] == 0


def test_subscripted_lookups_and_mappings():
    eqs = (
        "d: a, b ~~|\ntab[a]((0,0),(10,10)) ~~|\ntab[b]((0,0),(10,-10)) ~~|\n"
        "y[d] = tab[d](Time) ~~|\nsrc: s1, s2 -> d ~~|\nv[src] = 5, 7 ~~|\nw[d] = v[src] ~~|\n"
    )
    values = run(eqs)
    np.testing.assert_allclose(values("y[b]"), -np.arange(4.0))
    assert values("w[b]")[0] == 7


def test_an_element_that_belongs_to_no_range_is_an_error_naming_the_variable():
    with pytest.raises(ModelError, match="x: zz is neither a subscript range nor an element"):
        model_of("d: a, b ~~|\nx[zz] = 1 ~~|\n")
    with pytest.raises(ModelError, match="x: 3 values for 2 elements"):
        model_of("d: a, b ~~|\nx[d] = 1, 2, 3 ~~|\n")


def test_vector_select_combines_the_chosen_elements():
    eqs = (
        "d: a, b, c ~~|\nsel[d] = 1, 0, 2 ~~|\nx[d] = 10, 20, 30 ~~|\nnone[d] = 0, 0, 0 ~~|\n"
        "wsum = VECTOR SELECT(sel[d!], x[d!], -1, 0, 0) ~~|\n"
        "umin = VECTOR SELECT(sel[d!], x[d!], -1, 8, 0) ~~|\n"
        "mean = VECTOR SELECT(sel[d!], x[d!], -1, 10, 0) ~~|\n"
        "moving = VECTOR SELECT(sel[d!], x[d!], -1, Time + 6, 0) ~~|\n"
        "empty = VECTOR SELECT(none[d!], x[d!], -1, 0, 0) ~~|\n"
    )
    values = run(eqs, stop=2)
    assert values("wsum")[0] == 70 and values("umin")[0] == 10 and values("mean")[0] == 20
    assert list(values("moving")) == [40, 300, 10]  # actions 6 (sum), 7 (product), 8 (min)
    assert values("empty")[0] == -1


# sel over d = (2, 0, 3), x over e = (1, 4): different whole dimensions read every pair
# (sel_i, x_j), of which 4 have a non-zero selection: products 2, 8, 3, 12.
PAIRS = "d: a, b, c ~~|\ne: p, q ~~|\nsel[d] = 2, 0, 3 ~~|\nx[e] = 1, 4 ~~|\n"


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (0, 2 + 8 + 3 + 12),  # sum of selection * value
        (1, 2 * 8 * 3 * 12),  # product
        (2, 2),  # minimum
        (3, 12),  # maximum
        (4, (2 + 8 + 3 + 12) / 4),  # mean
        (5, (1**2 * 4**2) * (1**3 * 4**3)),  # product of value ^ selection
        (6, 2 * (1 + 4)),  # sum of the values alone
        (7, (1 * 4) ** 2),  # their product
        (8, 1),  # their minimum
        (9, 4),  # their maximum
        (10, 2.5),  # their mean
    ],
)
def test_vector_select_over_different_dimensions_reads_every_pair(action, expected):
    values = run(PAIRS + f"y = VECTOR SELECT(sel[d!], x[e!], -1, {action}, 0) ~~|\n", stop=1)
    assert values("y")[0] == pytest.approx(expected)


def test_vector_select_keeps_a_subscript_without_bang_at_the_equations_element():
    """``m[d!, e]`` in the equation of ``y[e]`` is column e of m; ``x[e!]`` is all of x."""
    eqs = (
        "d: a, b ~~|\ne: p, q ~~|\nm[d, e] = 1, 0; 0, 2 ~~|\nx[e] = 3, 5 ~~|\n"
        "y[e] = VECTOR SELECT(m[d!, e], x[e!], -1, 0, 0) ~~|\n"
        "z[d] = VECTOR SELECT(m[d, e!], x[e!], -1, 0, 0) ~~|\n"
    )
    values = run(eqs, stop=1)
    assert [values("y[p]")[0], values("y[q]")[0]] == [1 * 8, 2 * 8]
    assert [values("z[a]")[0], values("z[b]")[0]] == [3, 10]  # paired along e


@pytest.mark.parametrize(
    ("selection", "error", "fails"),
    [
        ("0, 0, 0", 0, False),
        ("0, 0, 0", 1, True),  # nothing selected
        ("0, 1, 0", 1, False),
        ("0, 1, 0", 2, False),  # one element of sel, though it pairs with both of x
        ("1, 1, 0", 2, True),  # more than one selected
        ("0, 0, 0", 2, False),
        ("0, 0, 0", 3, True),
        ("1, 1, 0", 3, True),
        ("0, 1, 0", 3, False),
    ],
)
def test_vector_select_error_actions(selection, error, fails):
    eqs = PAIRS.replace("2, 0, 3", selection)
    values = run(eqs + f"y = VECTOR SELECT(sel[d!], x[e!], -7, 0, {error}) ~~|\n", stop=1)
    expected = 5.0 if selection == "0, 1, 0" else -7.0 if selection == "0, 0, 0" else 10.0
    assert np.isnan(values("y")[0]) if fails else values("y")[0] == expected


@pytest.mark.parametrize(("action", "error"), [(11, 0), (0.5, 0), (0, 4), (0, -1)])
def test_a_bad_vector_select_action_names_the_variable(action, error):
    eqs = PAIRS + f"y = VECTOR SELECT(sel[d!], x[e!], -1, {action}, {error}) ~~|\n"
    what = "numerical action" if error == 0 else "error action"
    with pytest.raises(ModelError, match=f"y: VECTOR SELECT: {what} must be a whole number"):
        simulate(model_of(eqs))
