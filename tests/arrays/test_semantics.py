"""Subranges, mappings, matching by position, arrayed lookups and stocks, array builtins."""

import math

import numpy as np
import pytest

from sim.arrays import expand
from sim.errors import ModelError
from sim.model import (
    Auxiliary,
    Constant,
    Dimension,
    Flow,
    GraphicalFunction,
    Lookup,
    Model,
    Stock,
    TimeSpec,
)
from sim.simulate import simulate

A = Dimension("A", ("a1", "a2", "a3"))
SUB = Dimension("sub", ("a2", "a3"))
B = Dimension("B", ("b1", "b2", "b3"))
C = Dimension("C", ("c1", "c2", "c3"))
A_TO_B = Dimension("A", ("a1", "a2", "a3"), maps_to=(("B", ("b3", "b2", "b1")),))


def values(*variables, dims=(A, SUB, B, C), time=None):
    """The initial value of every saved variable of the model."""
    m = Model("t", tuple(variables), time or TimeSpec(0, 1, 1), dimensions=tuple(dims))
    r = simulate(m)
    return {name: r[name][0, 0] for name in r.names}


def test_subranges_select_reduce_and_define_elements():
    got = values(
        Auxiliary("x", equation="A", dims=("A",)),
        Auxiliary("y", equation="x[sub] * 10", dims=("sub",)),
        Auxiliary("s", equation="SUM(x[sub!])"),
        Auxiliary(
            "z", equation="", dims=("A",), elements=((("a1",), "0"), (("sub",), "x[sub] * 2"))
        ),
        Auxiliary("w", equation="y[A]", dims=("A",), elements=((("a1",), "-1"),)),
    )
    assert (got["y[a2]"], got["y[a3]"], got["s"]) == (20.0, 30.0, 5.0)
    assert (got["z[a1]"], got["z[a2]"], got["z[a3]"]) == (0.0, 4.0, 6.0)
    assert (got["w[a1]"], got["w[a3]"]) == (-1.0, 30.0)


def test_a_subrange_element_outside_the_subrange_is_an_error():
    with pytest.raises(ModelError, match="a1 of A is not in dimension sub") as info:
        values(
            Auxiliary("x", equation="1", dims=("sub",)),
            Auxiliary("y", equation="x[sub]", dims=("A",)),
        )
    assert info.value.field == "y"


def test_mappings_work_both_ways():
    got = values(
        Auxiliary("x", equation="B", dims=("B",)),
        Auxiliary("y", equation="x[B]", dims=("A",)),
        Auxiliary("z", equation="y[A]", dims=("B",)),
        dims=(A_TO_B, B),
    )
    assert [got[f"y[a{i}]"] for i in (1, 2, 3)] == [3.0, 2.0, 1.0]
    assert [got[f"z[b{i}]"] for i in (1, 2, 3)] == [1.0, 2.0, 3.0]


def test_dimensions_of_equal_size_match_by_position():
    got = values(
        Auxiliary("x", equation="B * 10", dims=("B",)),
        Auxiliary("p", equation="x[B] + x", dims=("C",)),
        Auxiliary("q", equation="m[B, C]", dims=("C", "B")),
        Auxiliary("m", equation="B * 10 + C", dims=("B", "C")),
    )
    assert got["p[c2]"] == 40.0
    assert got["q[c3,b1]"] == 13.0


def test_dimensions_of_different_sizes_do_not_match():
    with pytest.raises(ModelError, match="dimension B does not match dimension sub"):
        values(
            Auxiliary("x", equation="1", dims=("sub",)),
            Auxiliary("y", equation="x[B]", dims=("B",)),
        )


def test_qualified_elements_and_numbered_indices():
    got = values(
        Auxiliary("x", equation="A * 10", dims=("A",)),
        Auxiliary("y", equation="x[A.a2] + x[3]"),
    )
    assert got["y"] == 50.0


def test_arrayed_lookups_one_table_per_element():
    flat = GraphicalFunction((0.0, 10.0), (1.0, 1.0))
    rising = GraphicalFunction((0.0, 10.0), (0.0, 10.0))
    got = values(
        Lookup("tbl", dims=("A",), graphical=flat, tables=((("a3",), rising),)),
        Auxiliary("implicit", equation="tbl(4)", dims=("A",)),
        Auxiliary("explicit", equation="tbl[a3](5) + LOOKUP(tbl[a1], 5)"),
        Auxiliary("g", equation="A * 2", dims=("A",), graphical=flat, tables=((("a2",), rising),)),
    )
    assert (got["implicit[a1]"], got["implicit[a3]"]) == (1.0, 4.0)
    assert got["explicit"] == 6.0
    assert (got["g[a1]"], got["g[a2]"]) == (1.0, 4.0)
    assert "tbl[a1]" not in got  # lookups are not results


def test_one_scalar_lookup_per_element_also_works():
    got = values(
        Lookup("f[a1]", graphical=GraphicalFunction((0.0, 1.0), (5.0, 5.0))),
        Lookup("f[a2]", graphical=GraphicalFunction((0.0, 1.0), (6.0, 6.0))),
        Lookup("f[a3]", graphical=GraphicalFunction((0.0, 1.0), (7.0, 7.0))),
        Auxiliary("v", equation="f[A](0.5)", dims=("A",)),
    )
    assert [got[f"v[a{i}]"] for i in (1, 2, 3)] == [5.0, 6.0, 7.0]


def test_arrayed_stocks_with_arrayed_flows_and_element_wise_initial_values():
    m = Model(
        "t",
        (
            Constant(
                "rate",
                dims=("A",),
                value=math.nan,
                elements=((("a1",), "1"), (("a2",), "2"), (("a3",), "3")),
            ),
            Stock(
                "s",
                initial="",
                dims=("A",),
                inflows=("in",),
                outflows=("out",),
                elements=((("a1",), "10"), (("a2",), "20"), (("a3",), "30")),
            ),
            Flow("in", equation="rate[A]", dims=("A",)),
            Flow("out", equation="0.5", dims=("A",)),
        ),
        TimeSpec(0, 4, 0.5),
        dimensions=(A,),
    )
    r = simulate(m)
    t = r.times
    for i, (init, rate) in enumerate([(10, 1), (20, 2), (30, 3)], start=1):
        np.testing.assert_allclose(r[f"s[a{i}]"][:, 0], init + (rate - 0.5) * t)


X = (("a1",), "3"), (("a2",), "1"), (("a3",), "2")


@pytest.mark.parametrize(
    ("equation", "expected"),
    [
        ("SUM(x[*])", 6.0),
        ("SUM(x)", 6.0),
        ("PROD(x[A!])", 6.0),
        ("MEAN(x[*])", 2.0),
        ("MIN(x[*])", 1.0),
        ("MAX(x[A!])", 3.0),
        ("VMIN(x[A!])", 1.0),
        ("VMAX(x[A!])", 3.0),
        ("MIN(x[*], 0)", 0.0),
        ("MAX(x[a1], x[a2])", 3.0),
        ("STDDEV(x[*])", math.sqrt(2 / 3)),
        ("SIZE(x[*])", 3.0),
        ("ELMCOUNT(A)", 3.0),
        ("RANK(x[*], 1)", 2.0),
        ("RANK(x[*], 3)", 1.0),
        ("SUM(x[sub!])", 3.0),
        ("SUM(x[A!] * x[A!])", 14.0),
        ("SUM(m[*, *])", 6.0 * 6.0),
        ("MEAN(m[a1, *])", 3.0 * 2.0),
    ],
)
def test_array_builtins(equation, expected):
    got = values(
        Constant("x", dims=("A",), value=math.nan, elements=X),
        Auxiliary("m", equation="x[A] * B", dims=("A", "B")),
        Auxiliary("y", equation=equation),
    )
    assert got["y"] == pytest.approx(expected)


def test_reductions_inside_an_arrayed_equation_keep_the_other_dimensions():
    got = values(
        Constant("x", dims=("A",), value=math.nan, elements=X),
        Auxiliary("share", equation="x / SUM(x[*])", dims=("A",)),
        Auxiliary("m", equation="x[A] * B", dims=("A", "B")),
        Auxiliary("col", equation="SUM(m[*, B])", dims=("B",)),
    )
    assert got["share[a1]"] == 0.5
    assert got["col[b3]"] == 18.0


def test_stddev_does_not_lose_a_small_spread_around_a_large_mean():
    big = tuple(((f"a{k}",), str(1e9 + k)) for k in (1, 2, 3))
    got = values(
        Constant("x", dims=("A",), value=math.nan, elements=big),
        Auxiliary("y", equation="STDDEV(x[*])"),
    )
    assert got["y"] == pytest.approx(math.sqrt(2 / 3), rel=1e-6)


def test_unsupported_vector_functions_name_function_and_variable():
    m = Model(
        "t",
        (
            Auxiliary("x", equation="1", dims=("A",)),
            Auxiliary("y", equation="VECTOR LOOKUP(x[*], 1)"),
        ),
        dimensions=(A,),
    )
    with pytest.raises(ModelError, match="VECTOR LOOKUP is not supported") as info:
        expand(m)
    assert info.value.field == "y"


VEC = (("a1",), "3"), (("a2",), "1"), (("a3",), "2")
SEL = (("a1",), "1"), (("a2",), "0"), (("a3",), "2")


@pytest.mark.parametrize(
    ("equation", "expected"),
    [
        ("VECTOR SELECT(s[A!], x[A!], -1, 0, 0)", 3 * 1 + 2 * 2),
        ("VECTOR SELECT(s[A!], x[A!], -1, 1, 0)", 3 * 4),
        ("VECTOR SELECT(s[A!], x[A!], -1, 2, 0)", 3),
        ("VECTOR SELECT(s[A!], x[A!], -1, 3, 0)", 4),
        ("VECTOR SELECT(s[A!], x[A!], -1, 4, 0)", 3.5),
        ("VECTOR SELECT(s[A!], x[A!], -1, 5, 0)", 3 * 4),
        ("VECTOR SELECT(s[A!], x[A!], -1, 6, 0)", 5),
        ("VECTOR SELECT(s[A!], x[A!], -1, 7, 0)", 6),
        ("VECTOR SELECT(s[A!], x[A!], -1, 8, 0)", 2),
        ("VECTOR SELECT(s[A!], x[A!], -1, 9, 0)", 3),
        ("VECTOR SELECT(s[A!], x[A!], -1, 10, 0)", 2.5),
        ("VECTOR SELECT(s[A!], x[A!], -1, TIME + 6, 0)", 5),
        ("VECTOR SELECT(s[A!] * 0, x[A!], -1, 0, 0)", -1),
        ("VECTOR ELM MAP(x[a1], 2)", 2),
        ("VECTOR ELM MAP(x[a2], TIME + 1)", 2),
    ],
)
def test_vector_select_and_elm_map(equation, expected):
    got = values(
        Constant("x", dims=("A",), value=math.nan, elements=VEC),
        Constant("s", dims=("A",), value=math.nan, elements=SEL),
        Auxiliary("y", equation=equation),
    )
    assert got["y"] == pytest.approx(expected)


def test_vector_select_pairs_shared_dimensions_and_crosses_the_others():
    """s over A = (1, 0, 2), m over (A, B): m[A!, B!] pairs with s along A, every B."""
    m = tuple(((a, b), str(10 * i + j)) for i, a in enumerate(A.elements, 1)
              for j, b in enumerate(B.elements, 1))  # fmt: skip
    got = values(
        Constant("s", dims=("A",), value=math.nan, elements=SEL),
        Constant("m", dims=("A", "B"), value=math.nan, elements=m),
        Auxiliary("whole", equation="VECTOR SELECT(s[A!], m[A!, B!], -1, 6, 2)"),
        Auxiliary("col", equation="VECTOR SELECT(s[A!], m[A!, B], -1, 0, 0)", dims=("B",)),
    )
    assert math.isnan(got["whole"])  # error action 2: two elements of s are selected
    column = [got[f"col[b{j}]"] for j in (1, 2, 3)]
    assert column == [1 * (10 + j) + 2 * (30 + j) for j in (1, 2, 3)]


def test_vector_sort_order_rank_and_reorder_per_element():
    got = values(
        Constant("x", dims=("A",), value=math.nan, elements=VEC),
        Auxiliary("up", equation="VECTOR SORT ORDER(x[A], 1)", dims=("A",)),
        Auxiliary("down", equation="VECTOR SORT ORDER(x[A], -1)", dims=("A",)),
        Auxiliary("rank", equation="VECTOR RANK(x[A], 1)", dims=("A",)),
        Auxiliary("sorted", equation="VECTOR REORDER(x[A], up[A])", dims=("A",)),
        Auxiliary("next", equation="VECTOR ELM MAP(x[A], 1)", dims=("A",)),
    )
    column = lambda name: [got[f"{name}[a{i}]"] for i in (1, 2, 3)]  # noqa: E731
    assert column("up") == [1.0, 2.0, 0.0]  # x = 3, 1, 2: a2 is smallest, then a3, then a1
    assert column("down") == [0.0, 2.0, 1.0]
    assert column("rank") == [3.0, 1.0, 2.0]
    assert column("sorted") == [1.0, 2.0, 3.0]
    assert column("next")[:2] == [1.0, 2.0] and math.isnan(column("next")[2])


def test_a_bad_vector_select_action_is_an_error():
    with pytest.raises(ModelError, match="VECTOR SELECT: numerical action must be a whole number"):
        values(
            Constant("x", value=1.0, dims=("A",)),
            Auxiliary("y", equation="VECTOR SELECT(x[A!], x[A!], 0, 11, 0)"),
        )


def test_a_mapping_between_subranges_of_one_dimension_wins_over_membership():
    """Vensim's aging chain: ``previous: infant, child -> older`` with ``older: child, teen``,
    so ``x[previous]`` in the equation of ``y[older]`` is the cohort before, not the same one."""
    age = Dimension("Age", ("infant", "child", "teen"))
    older = Dimension("older", ("child", "teen"))
    previous = Dimension("previous", ("infant", "child"), maps_to=(("older", ("child", "teen")),))
    got = values(
        Auxiliary("x", equation="Age", dims=("Age",)),
        Auxiliary("y", equation="", dims=("Age",),
                  elements=((("infant",), "0"), (("older",), "x[previous] * 10"))),
        dims=(age, older, previous),
    )  # fmt: skip
    assert [got["y[infant]"], got["y[child]"], got["y[teen]"]] == [0.0, 10.0, 20.0]


def test_a_number_names_an_element_before_it_counts_a_position():
    years = Dimension("Year", ("2020", "2010"))
    got = values(
        Auxiliary("x", equation="Year", dims=("Year",)),
        Auxiliary("y", equation="x[2010] * 10 + x[1]"),
        dims=(years,),
    )
    assert got["y"] == 21.0


def test_element_wise_entries_may_name_a_whole_dimension_in_one_position():
    got = values(
        Auxiliary("m", equation="", dims=("A", "B"),
                  elements=((("A", "b1"), "A"), (("A", "b2"), "A * 10"), (("a1", "b3"), "-1"),
                            (("sub", "b3"), "B"))),
    )  # fmt: skip
    assert [got["m[a2,b1]"], got["m[a3,b2]"], got["m[a1,b3]"], got["m[a2,b3]"]] == [
        2.0,
        30.0,
        -1.0,
        3.0,
    ]


def test_dimension_positions_transpose():
    got = values(
        Auxiliary("m", equation="B * 10 + C", dims=("B", "C")),
        Auxiliary("t", equation="m[@2, @1]", dims=("C", "B")),
        Auxiliary("d", equation="m[@1, @1]", dims=("A",)),
    )
    assert got["t[c3,b1]"] == 13.0 and got["d[a2]"] == 22.0
