import csv

import numpy as np
import pytest

from sim.errors import UserInputError
from sim.models import resolve_model
from sim.simulate import Save, simulate


@pytest.fixture(scope="module")
def result():
    return simulate(
        resolve_model("teacup"),
        {"room_temperature": np.array([60.0, 70.0, 80.0])},
        save=Save(times=[0, 10, 20]),
    )


def test_sel_by_labels_drops_single_axes(result):
    assert result.sel(variable="room temperature", time=10).tolist() == [60, 70, 80]
    assert result.sel(variable="room_temperature", scenario=2).tolist() == [80, 80, 80]
    assert result.sel(time=20).shape == (4, 3)
    assert result.sel(variable=["room_temperature", "heat_loss_to_room"]).shape == (3, 2, 3)


def test_unknown_labels_are_user_errors(result):
    with pytest.raises(UserInputError, match="no saved variable named 'nope'"):
        result["nope"]
    with pytest.raises(UserInputError, match=r"time 5\.0 was not saved"):
        result.sel(time=5.0)


def test_to_dataframe_is_tidy(result):
    frame = result.to_dataframe()
    assert list(frame.columns) == ["time", "variable", "scenario", "value"]
    assert len(frame) == 3 * 4 * 3
    row = frame.query("time == 10 and variable == 'room_temperature' and scenario == 1")
    assert row["value"].item() == 70


def test_to_csv_writes_time_and_one_column_per_variable(result, tmp_path):
    path = tmp_path / "out.csv"
    result.to_csv(path, scenario=1)
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["Time", *result.names]
    assert [float(x) for x in rows[2]] == [10.0, *result.values[1, :, 1]]


def test_nonfinite_names_the_variables_that_blew_up():
    from sim.model import Auxiliary, Model, TimeSpec

    model = Model("m", (Auxiliary("ok", equation="1"), Auxiliary("bad", equation="1 / (TIME - 2)")),
                  TimeSpec(0, 3, 1))  # fmt: skip
    assert simulate(model).nonfinite == ("bad",)


def test_first_nonfinite_is_the_earliest_time_then_the_first_variable():
    from sim.errors import NonFiniteError
    from sim.model import Auxiliary, Model, TimeSpec

    model = Model(
        "m",
        (
            Auxiliary("late", equation="1 / (TIME - 2)"),
            Auxiliary("ok", equation="1"),
            Auxiliary("early", equation="LN(TIME - 1)"),  # NaN at t = 0
        ),
        TimeSpec(0, 3, 1),
    )
    result = simulate(model)
    assert result.first_nonfinite() == ("early", 0.0, 0, pytest.approx(float("nan"), nan_ok=True))
    with pytest.raises(NonFiniteError, match=r"early = nan at time 0 in here$") as info:
        result.check_finite("here")
    assert info.value.exit_status == 3
    simulate(model, save=Save(variables=["ok"])).check_finite("here")  # finite: no error
