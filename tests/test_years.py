"""The year convention of `sim.years`: levels at year-ends, rates in their year."""

from __future__ import annotations

import numpy as np

from sim.results import Result
from sim.years import is_rate, year_labels


def test_levels_take_the_year_before_rates_their_own() -> None:
    times = np.array([2016.0, 2016.5, 2017.0])
    years, whole = year_labels(times, rate=False)
    assert years.tolist()[::2] == [2015, 2016] and whole.tolist() == [True, False, True]
    assert year_labels(times, rate=True)[0].tolist()[::2] == [2016, 2017]
    assert is_rate("persons/yr") and is_rate("亿元 / yr") and not is_rate("per 1000 residents")


def test_result_to_dataframe_with_years() -> None:
    times = np.array([2016.0, 2016.5, 2017.0])
    values = np.arange(12, dtype=float).reshape(3, 2, 2)
    result = Result(times, ("stock", "flow"), values, {"stock": "persons", "flow": "persons/yr"})
    frame = result.to_dataframe(years=True)
    assert len(frame) == 8 and set(frame["time"]) == {2016.0, 2017.0}
    stock = frame[(frame["variable"] == "stock") & (frame["scenario"] == 1)]
    assert stock["year"].tolist() == [2015, 2016] and stock["value"].tolist() == [1.0, 9.0]
    flow = frame[(frame["variable"] == "flow") & (frame["scenario"] == 0)]
    assert flow["year"].tolist() == [2016, 2017] and flow["value"].tolist() == [2.0, 10.0]
    assert "year" not in result.to_dataframe()
