"""Huge numbers: bins that would overflow, ranges wider than the largest float."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.errors import UserInputError
from sim.uncertainty import (
    Batch,
    Binning,
    Design,
    Threshold,
    Uniform,
    parse_distribution,
    run_batch,
)

ROOT = Path(__file__).resolve().parents[2]
BIG = float(np.finfo(float).max)


def test_bins_over_the_whole_float_range_count_every_value():
    values = np.array([-BIG, -1e308, -1.0, 0.0, 2.0, 1e306, 1e308, BIG])
    binning = Binning.from_pilot(values)
    assert np.all(np.isfinite(binning.lo)) and np.all(np.isfinite(binning.hi))
    h = binning.histogram(values)
    assert h.count.tolist() == [len(values)] and h.nonfinite.tolist() == [0]
    assert (h.minimum[0], h.maximum[0]) == (-BIG, BIG)
    assert h.quantiles(np.array([0.0, 1.0])).tolist() == [[-BIG, BIG]]
    assert h.mean()[0] == pytest.approx(1e306 / 8)  # exact sums: the extremes cancel


def test_a_batch_of_huge_metrics_runs_and_keeps_exact_extremes():
    design = Design({"a": Uniform(dist="uniform", low=0.1, high=1.0)}, n=3000, seed=2)

    def huge(x):
        return {"y": x["a"] * 1e306 * np.where(x["a"] > 0.5, 100.0, 1.0)}

    result = run_batch(Batch(design, huge, (Threshold("t", "y", 1e306),)), show_progress=False)
    a = design.sample()["a"]
    y = a * 1e306 * np.where(a > 0.5, 100.0, 1.0)
    table = result.metric_table("y")
    assert (table["min"], table["max"]) == (y.min(), y.max())
    assert result.summary.nonfinite == 0


@pytest.mark.parametrize(
    "data",
    [
        {"dist": "uniform", "low": -1e308, "high": 1e308},
        {"dist": "triangular", "low": -1e308, "mode": 0, "high": 1e308},
        {"dist": "truncnormal", "mean": 0, "sd": 1, "low": -1e308, "high": 1e308},
    ],
)
def test_a_range_wider_than_the_largest_number_is_refused(data):
    with pytest.raises(UserInputError, match="wider than the largest number"):
        parse_distribution(data, field="x")


def test_a_uniform_up_to_1e306_fails_in_one_line(tmp_path, capsys):
    path = tmp_path / "wide.toml"
    path.write_text(
        f'extends = "{ROOT / "scenarios" / "plan.toml"}"\n[uncertain]\n'
        'firm_exit_rate = { dist = "uniform", low = 0.1, high = 1e306 }\n',
        encoding="utf-8",
    )
    args = ["batch", str(path), "--samples", "50", "--no-progress", "--no-figures"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 3
    warning, error = capsys.readouterr().err.splitlines()  # out of its range, then the failure
    assert warning.startswith("sim batch: warning: ") and "outside its range" in warning
    assert error.startswith("sim batch: error: 50 of 50 runs (100.00%) reached NaN or infinity")
    assert main([*args, "--out", str(tmp_path / "b"), "--max-nonfinite", "1"]) == 0


def test_map_ranges_wider_than_the_largest_number_fail_in_one_line(tmp_path, capsys):
    scenario = ROOT / "scenarios" / "uncertainty.toml"
    code = main(["map", str(scenario), "--target", "new_jobs_cum", "--x",
                 "jobs_per_new_firm:-1e308:1e308", "--y", "public_sector_jobs",
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err == (
        "sim map: error: --x: the range from -1e+308 to 1e+308 is wider than the largest "
        "number; narrow it\n"
    )
