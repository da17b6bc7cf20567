"""ALLOCATE AVAILABLE and ALLOCATE BY PRIORITY read from `.mdl` text and run."""

import re

import numpy as np
import pytest

from sim.cli import main
from sim.errors import ModelError
from sim.simulate import simulate
from sim.vensim import reads_vensim

CONTROL = "INITIAL TIME = 0 ~~|\nFINAL TIME = 2 ~~|\nTIME STEP = 1 ~~|\n"
BRANCHES = (
    "branch: Boston, Dayton, Fresno ~~|\npprofile: ptype, ppriority, pwidth, pextra ~~|\n"
    "demand[branch] = 500, 300, 750 ~~|\n"
)
DOCS = BRANCHES + (  # Vensim's documentation example
    "priority[branch, pprofile] = 1, 5, 2, 0; 1, 7, 4, 0; 1, 3, 4, 0; ~~|\n"
    "available = 500 ~~|\n"
    "shipments[branch] = ALLOCATE AVAILABLE(demand[branch], priority[branch, ptype], "
    "available) ~~|\n"
)


def run(equations: str, parameters=None):
    result = simulate(reads_vensim(equations + CONTROL), parameters)
    return lambda name: result[name][0]


def test_allocate_available_clears_the_documentation_example():
    values = run(DOCS)
    got = [values(f"shipments[{b}]")[0] for b in ("Boston", "Dayton", "Fresno")]
    np.testing.assert_allclose(got, [2750 / 13, 3750 / 13, 0.0], rtol=1e-12)


def test_allocation_over_the_last_subscript_with_another_bound():
    eqs = BRANCHES + (
        "product: A, B ~~|\nsupply[product] = 100, 1550 ~~|\n"
        "pp[branch, pprofile] = 3, 5, 1, 0; 3, 7, 2, 0; 3, 3, 2, 0; ~~|\n"
        "out[product, branch] = ALLOCATE AVAILABLE(demand[branch], pp[branch, ptype], "
        "supply[product]) ~~|\n"
        "total[product] = SUM(out[product, branch!]) ~~|\n"
    )
    values = run(eqs)
    np.testing.assert_allclose([values("total[A]")[0], values("total[B]")[0]], [100, 1550])
    assert values("out[B,Fresno]")[0] == 750.0


def test_allocate_by_priority_takes_the_top_priorities_first():
    eqs = (
        "d: a, b, c, e ~~|\nreq[d] = 3, 6, 2.5, 2 ~~|\nprio[d] = 10, 9, 7, 2 ~~|\n"
        "supply = 9 ~~|\nshare[d] = ALLOCATE BY PRIORITY(req[d], prio[d], ELMCOUNT(d), 3, "
        "supply) ~~|\n"
    )
    values = run(eqs)
    got = [values(f"share[{e}]")[0] for e in "abce"]
    np.testing.assert_allclose(got, [3, 4 + 24 / 17, 10 / 17, 0], rtol=1e-12)


def test_a_batch_of_supplies_equals_single_runs():
    supplies = np.array([0.0, 80.0, 500.0, 1549.0, 2000.0])
    eqs = DOCS.replace("1, 5, 2, 0; 1, 7, 4, 0;", "3, 5, 2, 0; 2, 7, 4, 0;")  # mixed curves
    batch = simulate(reads_vensim(eqs + CONTROL), {"available": supplies})
    for s, supply in enumerate(supplies):
        single = simulate(reads_vensim(eqs + CONTROL), {"available": supply})
        for b in ("Boston", "Dayton", "Fresno"):
            name = f"shipments[{b}]"
            np.testing.assert_array_equal(batch[name][:, s], single[name][:, 0])


@pytest.mark.parametrize(
    ("equation", "reason"),
    [
        (
            "x[branch] = ALLOCATE AVAILABLE(demand[branch], pp[branch, ptype], 9) ~~|\n"
            "pp[branch, pprofile] = 0, 5, 2, 0; 1, 7, 4, 0; 1, 3, 4, 0; ~~|\n",
            "priority type 0 (fixed quantity) is not supported",
        ),
        (
            "x[branch] = ALLOCATE AVAILABLE(demand[branch], pp[branch, ptype], 9) ~~|\n"
            "pp[branch, pprofile] = 1, 5, 2, 0; 5, 7, 4, 2; 1, 3, 4, 0; ~~|\n",
            "priority type 5 (constant elasticity) is not supported",
        ),
        (
            "x[branch] = ALLOCATE AVAILABLE(demand[branch], pp[branch, ptype], 9) ~~|\n"
            "pp[branch, pprofile] = 7 ~~|\n",
            "priority type 7 is not supported",
        ),
        (
            "x[branch] = ALLOCATE AVAILABLE(demand[branch], demand[branch], 9) ~~|\n",
            "the priority profiles must be an arrayed variable subscripted",
        ),
        (
            "x[branch] = ALLOCATE AVAILABLE(demand[branch], pp[branch, pwidth], 9) ~~|\n"
            "pp[branch, pprofile] = 1 ~~|\n",
            "pprofile needs ptype, ppriority and pwidth from element pwidth on",
        ),
        (
            "big: Boston, Dayton, Fresno, Erie ~~|\npp[big, pprofile] = 1 ~~|\n"
            "x[branch] = ALLOCATE AVAILABLE(demand[branch], pp[branch, ptype], 9) ~~|\n",
            "3 requests but priority profiles for 4",
        ),
        (
            "x[branch] = ALLOCATE AVAILABLE(demand[branch], 9) ~~|\n",
            "ALLOCATE AVAILABLE takes 3 arguments, got 2",
        ),
        (
            "x[branch] = ALLOCATE BY PRIORITY(demand[branch], demand[branch], 2, 1, 9) ~~|\n",
            "size is 2 but there are 3 requests",
        ),
        (
            "x[branch] = ALLOCATE BY PRIORITY(demand[branch], demand[branch], 3, 0, 9) ~~|\n",
            "width must be above 0, got 0",
        ),
    ],
)
def test_bad_allocations_are_one_error_naming_the_variable(equation, reason):
    with pytest.raises(ModelError, match=re.escape(reason)) as info:
        simulate(reads_vensim(BRANCHES + equation + CONTROL))
    assert info.value.field == "x"


def test_the_command_line_reports_a_refused_profile_on_one_line(tmp_path, capsys):
    path = tmp_path / "alloc.mdl"
    path.write_text(DOCS.replace("1, 5, 2, 0;", "5, 5, 2, 1;") + CONTROL, encoding="utf-8")
    assert main(["simulate", str(path), "--csv", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "alloc.mdl" in err and "shipments" in err
    assert "priority type 5 (constant elasticity) is not supported" in err
    assert not (tmp_path / "out.csv").exists()


def test_a_profile_type_computed_while_running_is_checked_then():
    eqs = BRANCHES + (
        "pp[branch, ptype] = IF THEN ELSE(Time > 0, 5, 1) ~~|\n"
        "pp[branch, ppriority] = 5, 7, 3 ~~|\npp[branch, pwidth] = 2 ~~|\n"
        "pp[branch, pextra] = 0 ~~|\n"
        "x[branch] = ALLOCATE AVAILABLE(demand[branch], pp[branch, ptype], 500) ~~|\n"
    )
    values = run(eqs)
    assert values("x[Dayton]")[0] == 300.0 and values("x[Boston]")[0] == 200.0
    assert np.isnan(values("x[Boston]")[1:]).all()  # type 5 from t = 1: the run stops there


def test_each_call_site_solves_once_per_evaluation_not_once_per_element(monkeypatch):
    import sim.allocation

    calls = []
    solve = sim.allocation.allocate
    monkeypatch.setattr(sim.allocation, "allocate", lambda *a: calls.append(1) or solve(*a))
    eqs = DOCS + (
        "other[branch] = ALLOCATE AVAILABLE(demand[branch], priority[branch, ptype], "
        "available / 2) ~~|\nboth[branch] = shipments[branch] + other[branch] ~~|\n"
    )
    result = simulate(reads_vensim(eqs + CONTROL))
    assert len(calls) <= 2 * len(result.times)  # two sites, three requesters each
    np.testing.assert_allclose(result["other[Dayton]"][:, 0], 3000 / 13)  # 225 + 75 / 13
