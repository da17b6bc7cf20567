"""A FINAL TIME written as an equation: the run stops at the first saved time at or after it."""

import csv

import numpy as np
import pytest

from sim.analysis.ltm import analyse_loops
from sim.cli import main
from sim.errors import ModelError, UserInputError
from sim.modelfile import dumps_model, loads_model
from sim.simulate import Save, simulate
from sim.tidy import tidy_rows
from sim.vensim import reads_vensim

# level = Time; the run would go to 20 but FINAL TIME drops to Time once level reaches the
# threshold: with dt 0.5 and SAVEPER 1 it first does at 7.5, not a saved time, so the run
# stops at 8.
MOVING = """
level = INTEG(1, 0) ~~|
threshold = 7.5 ~~|
horizon = 20 ~~|
FINAL TIME = IF THEN ELSE(level >= threshold, Time, horizon) ~~|
INITIAL TIME = 0 ~~|
TIME STEP = 0.5 ~~|
SAVEPER = 1 ~~|
"""


def test_the_run_stops_at_the_first_saved_time_past_the_final_time():
    model = reads_vensim(MOVING)
    assert model.time.stop == 20 and model.time.stop_variable == "FINAL TIME"
    result = simulate(model)
    np.testing.assert_array_equal(result.times, np.arange(9.0))
    np.testing.assert_allclose(result["level"][:, 0], np.arange(9.0))
    assert list(result["FINAL TIME"][-2:, 0]) == [20, 8]
    assert result.ends is None


def test_a_batch_stopping_at_different_times_equals_the_single_runs():
    thresholds = np.array([3.0, 5.5, 50.0, 0.2])
    batch = simulate(reads_vensim(MOVING), {"threshold": thresholds})
    assert list(batch.ends) == [3, 6, 20, 1]
    assert len(batch.times) == 21
    for k, threshold in enumerate(thresholds):
        single = simulate(reads_vensim(MOVING), {"threshold": threshold})
        rows = len(single.times)
        np.testing.assert_array_equal(batch.times[:rows], single.times)
        np.testing.assert_array_equal(batch.values[:rows, :, k], single.values[:, :, 0])
        assert np.isnan(batch.values[rows:, :, k]).all()
        assert batch.last(k) == rows - 1
    batch.check_finite("the batch")  # the rows after a scenario's end are not its values
    assert batch.nonfinite == () and batch.first_nonfinite() is None


def test_a_batch_lays_the_axis_out_to_its_latest_start_value():
    batch = simulate(reads_vensim(MOVING), {"horizon": np.array([4.0, 12.0]), "threshold": 99})
    assert batch.times[-1] == 12 and list(batch.ends) == [4, 12]


def test_a_final_time_rising_past_the_axis_is_refused():
    model = reads_vensim(MOVING.replace("IF THEN ELSE(level >= threshold, Time, horizon)",
                                        "horizon + level"))  # fmt: skip
    assert model.time.stop == 20
    with pytest.raises(ModelError, match="FINAL TIME: the final time rises to 21 at time 1, "):
        simulate(model)


def test_the_csv_of_one_scenario_ends_at_its_stop(tmp_path):
    mdl = tmp_path / "moving.mdl"
    mdl.write_text(MOVING)
    out = tmp_path / "out.csv"
    assert main(["simulate", str(mdl), "--csv", str(out)]) == 0
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows[0][0] == "Time" and [float(r[0]) for r in rows[1:]] == list(range(9))
    batch = simulate(reads_vensim(MOVING), {"threshold": np.array([20.0, 2.0])})
    batch.to_csv(tmp_path / "second.csv", scenario=1)
    rows = list(csv.reader((tmp_path / "second.csv").read_text().splitlines()))
    assert [float(r[0]) for r in rows[1:]] == [0, 1, 2]


def test_other_time_settings_that_move_are_still_refused():
    with pytest.raises(ModelError, match="TIME STEP: the time settings must be numbers"):
        reads_vensim(MOVING.replace("TIME STEP = 0.5", "TIME STEP = level"))


def test_a_moving_final_time_round_trips_through_a_model_file():
    model = reads_vensim(MOVING)
    again = loads_model(dumps_model(model))
    assert again.time == model.time
    np.testing.assert_array_equal(simulate(again).times, np.arange(9.0))


def test_xmile_export_refuses_a_moving_final_time(tmp_path, capsys):
    mdl = tmp_path / "moving.mdl"
    mdl.write_text(MOVING)
    out = tmp_path / "moving.xmile"
    assert main(["export", str(mdl), "-o", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "FINAL TIME: a final time that changes during the run" in err


def test_tidy_rows_of_a_batch_end_with_each_scenario():
    model = reads_vensim(MOVING)
    batch = simulate(model, {"threshold": np.array([20.0, 2.0])})
    rows = list(tidy_rows(batch, model, ["late", "early"], variables=["level"], whole_run=True))
    years = {s: [r[2] for r in rows if r[0] == s] for s in ("late", "early")}
    assert len(years["late"]) == 21 and len(years["early"]) == 3
    assert all(np.isfinite(r[3]) for r in rows)


def test_loop_scores_refuse_a_moving_final_time():
    with pytest.raises(ModelError, match="FINAL TIME: loop scores need a fixed final time"):
        analyse_loops(reads_vensim(MOVING))


def test_explicit_save_times_end_with_the_run():
    model = reads_vensim(MOVING)
    result = simulate(model, save=Save(variables=["level"], times=[0, 2.5, 8, 9, 15]))
    np.testing.assert_array_equal(result.times, [0, 2.5, 8])
    with pytest.raises(UserInputError, match="must be increasing"):
        simulate(model, save=Save(times=[2, 1]))


def test_a_scenario_of_a_model_whose_final_time_moves_is_refused(tmp_path, capsys):
    (tmp_path / "moving.mdl").write_text(MOVING)
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\nmodel = "moving.mdl"\n')
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "s.toml" in err and "final time moves" in err
    assert not (tmp_path / "out").exists()
