"""The observations file: time convention, uncertainty forms, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import resolve_model
from sim.calibration.observations import Z95, load_observations
from sim.errors import UserInputError

HEADER = "variable,year,time,value,sd,lower,upper,source,discrepancy,timing\n"


def _load(tmp_path: Path, body: str, model: str = "exponential_growth", header: str = HEADER):
    path = tmp_path / "obs.csv"
    path.write_text(header + body)
    return load_observations(path, resolve_model(model))


def test_year_end_for_stocks_during_for_flows_time_as_is(tmp_path: Path) -> None:
    obs = _load(
        tmp_path,
        "# a comment line\n"
        "level,2,,150,5,,,s,,\n"  # a stock: end of year 2 = model time 3
        "growth,2,,15,1,,,s,,\n"  # a flow: during year 2 = model time 2
        "level,,1.5,140,5,,,s,,\n"  # model time as given
        "cumulative,1,,300,,290,310,s,3,during\n",  # explicit timing; a 95 % interval
    )
    assert [o.time for o in obs] == [3.0, 2.0, 1.5, 1.0]
    assert [o.year for o in obs] == [2, 2, None, 1]
    assert obs[3].sd == pytest.approx(20 / (2 * Z95))
    assert obs[3].variance == pytest.approx(obs[3].sd ** 2 + 9)
    assert obs[0].line == 3


def test_values_between_saved_times_are_interpolated(tmp_path: Path) -> None:
    obs = _load(tmp_path, "level,,1.5,140,5,,,s,,\nlevel,,2,1,5,,,s,,\n")
    times = np.array([0.0, 1.0, 2.0])
    values = np.array([[[1.0, 10.0]], [[2.0, 20.0]], [[4.0, 40.0]]])
    np.testing.assert_allclose(obs.at(times, values, ["level"]), [[3.0, 30.0], [4.0, 40.0]])


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ("levle,2,,150,5,,,s,,\n", "line 2, variable", "did you mean 'level'?"),
        ("level,9,,150,5,,,s,,\n", "line 2, year", "outside the run (0 to 5)"),
        ("level,,-1,150,5,,,s,,\n", "line 2, time", "outside the run"),
        ("level,2,,150,,,,s,,\n", "line 2, sd", "missing uncertainty"),
        ("level,2,,150,,100,,s,,\n", "line 2, upper", "missing uncertainty"),
        ("level,2,,abc,5,,,s,,\n", "line 2, value", "not a number: 'abc'"),
        ("level,2,,150,nan,,,s,,\n", "line 2, sd", "finite"),
        ("level,2,,150,-1,,,s,,\n", "line 2, sd", "must be positive"),
        ("level,2,,150,5,,,,,\n", "line 2, source", "empty"),
        ("level,2,1,150,5,,,s,,\n", "line 2, time", "not both"),
        ("level,2.5,,150,5,,,s,,\n", "line 2, year", "whole year"),
        ("level,2,,150,5,,,s,,sometime\n", "line 2, timing", "year_end or during"),
        ("level,2,,150,,160,170,s,,\n", "line 2, value", "outside its interval"),
        ("level,2,,150,5,,,s,-1,\n", "line 2, discrepancy", "zero or positive"),
        ("level,2,,150,5,,,s,,\nlevel,2,,151,5,,,s,,\n", "line 3, variable", "first on line 2"),
    ],
)
def test_bad_rows_are_refused_naming_file_line_and_field(
    tmp_path: Path, body: str, field: str, reason: str
) -> None:
    with pytest.raises(UserInputError) as info:
        _load(tmp_path, body)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'obs.csv'}: {field}: ")
    assert reason in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("variable,year,value,sd,sorce\n", "unknown column 'sorce'; did you mean 'source'?"),
        ("variable,year,value,source\n", "missing column 'sd or lower and upper'"),
        ("variable,value,sd,source\n", "missing column 'year or time'"),
    ],
)
def test_bad_headers_are_refused(tmp_path: Path, header: str, reason: str) -> None:
    with pytest.raises(UserInputError, match=reason):
        _load(tmp_path, "", header=header)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="no observations"):
        _load(tmp_path, "")
