"""Element variables in results and tidy outputs: ``name[e1,e2]`` and ``dim:<name>`` columns."""

import csv

import numpy as np

import sim
from sim.arrays import expand
from sim.cli import main
from sim.model import Auxiliary, Constant, Dimension, Model, TimeSpec
from sim.simulate import simulate
from sim.tidy import dimension_names, tidy_rows, trajectory_columns

from .test_xmile import ARRAYED, DIMS, xmile


def _model() -> Model:
    return Model(
        "m",
        (
            Constant("k", value=2.0),
            Auxiliary("x", equation="k * Region + Age", dims=("Region", "Age")),
            Auxiliary("total", equation="SUM(x[*, *])"),
        ),
        TimeSpec(2020, 2022, 1, units="year"),
        dimensions=(Dimension("Region", ("north", "south")), Dimension("Age", ("young", "old"))),
    )


def test_tidy_rows_carry_one_column_per_dimension():
    model = expand(_model())
    assert dimension_names(model) == ("Region", "Age")
    assert trajectory_columns(dimension_names(model))[-2:] == ("dim:Region", "dim:Age")
    rows = list(tidy_rows(simulate(model), model, ["s"], whole_run=True))
    by_name = {(r[1], r[2]): r for r in rows}
    assert by_name[("x[south,old]", 2021)][3:] == (6.0, "", "south", "old")
    assert by_name[("total", 2021)][5:] == ("", "")


def test_a_model_without_arrays_keeps_its_five_columns():
    model = Model("s", (Auxiliary("a", equation="1"),), TimeSpec(0, 1, 1))
    assert dimension_names(model) == ()
    assert len(next(tidy_rows(simulate(model), model, ["s"], whole_run=True))) == 5


def test_an_arrayed_xmile_model_as_a_scenario(tmp_path):
    path = tmp_path / "cities.xmile"
    path.write_text(xmile(ARRAYED, DIMS))
    scenario = sim.scenario_from_dict(
        {"model": str(path), "parameters": {"price[New York]": 5.0}}, name="cities"
    )
    frame = sim.run(scenario).trajectories
    assert list(frame.columns) == [*trajectory_columns(), "dim:City", "dim:N"]
    row = frame[(frame["variable"] == "stock[New York,2]") & (frame["year"] == 3)]
    assert row["value"].item() == 20 + 5 * 4  # the level at the end of year 3 (time 4)
    assert (row["dim:City"].item(), row["dim:N"].item()) == ("New York", "2")
    result = scenario.simulate(n=2, extra={"price[Boston]": np.array([0.0, 1.0])})
    np.testing.assert_allclose(result["stock[Boston,1]"][-1], [10.0, 14.0])


def test_simulate_csv_names_elements(tmp_path):
    path = tmp_path / "cities.xmile"
    path.write_text(xmile(ARRAYED, DIMS))
    out = tmp_path / "out.csv"
    assert main(["simulate", str(path), "--csv", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert "stock[New York,3]" in header and "price[Boston]" in header
