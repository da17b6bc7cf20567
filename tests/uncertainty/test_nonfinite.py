"""Runs that reach NaN or infinity in batch, sensitivity, discover and map: counted, printed,
left out of probabilities and quantiles, and beyond ``--max-nonfinite`` a failure (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.uncertainty import Batch, Design, Threshold, Uniform, run_batch

ROOT = Path(__file__).resolve().parents[2]
# firm_birth_rate = 1e308 overflows private_enterprises to infinity in 2016
BAD = 'firm_birth_rate = { dist = "choice", values = [0.182, 1e308], weights = [3, 1] }'
GOOD = 'firm_exit_rate = { dist = "uniform", low = 0.03, high = 0.08 }'


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "risky.toml"
    plan = ROOT / "scenarios" / "plan.toml"
    path.write_text(f'extends = "{plan}"\n[uncertain]\n{BAD}\n{GOOD}\n', encoding="utf-8")
    return path


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--no-progress", "--no-figures"])
    out = capsys.readouterr()
    return code, out.out, out.err


def _square(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    y = np.where(x["a"] > 0.9, np.inf, x["a"] ** 2)
    return {"y": y}


def test_nonfinite_runs_are_counted_and_left_out_whatever_the_chunks() -> None:
    design = Design({"a": Uniform(dist="uniform", low=0, high=1)}, n=5000, seed=3)
    batch = Batch(design, _square, (Threshold("small", "y", 0.25, "<="),))
    whole = run_batch(batch, show_progress=False)
    chunked = run_batch(batch, chunk_size=777, show_progress=False)
    a = design.sample()["a"]
    bad = a > 0.9
    for result in (whole, chunked):
        s = result.summary
        assert s.nonfinite == bad.sum() and s.first_nonfinite == int(np.argmax(bad))
        p = s.probability("small")
        assert (p.met, p.n) == ((a <= 0.5).sum(), (~bad).sum())  # out of the finite runs
        table = result.metric_table("y")
        assert table["max"] == pytest.approx((a[~bad] ** 2).max())
        assert table["nonfinite"] == bad.sum()
    assert whole.to_dict() == chunked.to_dict()
    assert whole.to_dict()["nonfinite_runs"] == bad.sum()


def test_batch_fails_beyond_max_nonfinite_and_writes_nothing(scenario, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    code, stdout, err = _run(capsys, "batch", str(scenario), "--samples", "200", "--out", str(out))
    assert code == 3 and stdout == ""
    warning, err = err.strip().splitlines()  # 1e308 is out of firm_birth_rate's range
    assert warning.startswith("sim batch: warning: ") and err.startswith("sim batch: error: ")
    assert "reached NaN or infinity, more than --max-nonfinite 0 allows" in err
    assert "the first: sample " in err and "= inf at time 2016" in err
    assert not out.exists()


def test_batch_text_and_json_count_the_runs_left_out(scenario, tmp_path, capsys) -> None:
    args = ["batch", str(scenario), "--samples", "200", "--out", str(tmp_path)]
    code, text, _ = _run(capsys, *args, "--max-nonfinite", "0.5")
    assert code == 0
    line = next(x for x in text.splitlines() if x.startswith("non-finite runs: "))
    bad = int(line.split()[2])
    assert 20 < bad < 80 and "left out of P(met)" in line
    code, out, _ = _run(capsys, *args, "--max-nonfinite", "0.5", "--json")
    data = json.loads(out)
    assert data["nonfinite_runs"] == bad
    entry = data["targets"]["private_enterprises"]
    assert entry["n"] == 200 - bad and entry["nonfinite"] == bad
    assert np.isfinite(entry["max"])


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("discover", ["--samples", "200"]),
        ("map", ["--samples", "8", "--grid", "2", "--target", "new_jobs_cum",
                 "--x", "jobs_per_new_firm", "--y", "public_sector_jobs"]),
        ("sensitivity", ["--samples", "16", "--resamples", "20"]),
        ("sensitivity", ["--samples", "8", "--method", "morris", "--resamples", "20"]),
        ("sensitivity", ["--method", "tornado"]),
    ],
)  # fmt: skip
def test_every_batch_command_counts_and_checks(scenario, tmp_path, capsys, command, extra):
    if extra[-1] == "tornado":  # a tornado's medians are finite: make the median bad too
        scenario.write_text(
            scenario.read_text().replace("weights = [3, 1]", "weights = [1, 3]"), encoding="utf-8"
        )
    out = tmp_path / "out"
    code, _, err = _run(capsys, command, str(scenario), *extra, "--out", str(out))
    assert code == 3 and "--max-nonfinite 0 allows" in err and not out.exists()
    code, text, _ = _run(capsys, command, str(scenario), *extra, "--out", str(out),
                         "--max-nonfinite", "1")  # fmt: skip
    assert code == 0
    line = next(x for x in text.splitlines() if x.startswith("non-finite runs: "))
    assert int(line.split()[2].replace(",", "")) > 0


def test_sobol_without_bad_rows_is_unchanged() -> None:
    from sim.uncertainty import sobol

    def f(x):
        return {"y": x["a"] + 2 * x["b"]}

    dists = {k: Uniform(dist="uniform", low=0, high=1) for k in "ab"}
    clean = sobol(f, dists, ["y"], n=64, seed=1, n_resamples=50)

    def g(x):
        y = x["a"] + 2 * x["b"]
        return {"y": np.where(x["a"] > 0.97, np.nan, y)}

    dirty = sobol(g, dists, ["y"], n=64, seed=1, n_resamples=50)
    assert clean.nonfinite == 0 and dirty.nonfinite > 0
    assert np.all(np.isfinite(dirty.total)) and np.all(np.isfinite(dirty.total_ci))
    assert dirty.total[0, 1] > dirty.total[0, 0]  # b still matters more
