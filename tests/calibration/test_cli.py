"""``sim calibrate`` and ``sim batch --condition-on``: results folders, a calibrated scenario
that runs, the too-few-kept message, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario import load_scenario

from .synthetic import synthetic_data, write_scenario

ROOT = Path(__file__).resolve().parents[2]
UNCERTAINTY = ROOT / "scenarios" / "uncertainty.toml"
OBSERVATIONS = ROOT / "sim" / "models" / "hexi_observations.csv"


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    scenario = write_scenario(tmp_path, "logistic", dt=0.5, parameters={"growth_rate": 0.4})
    truth = {"growth_rate": 0.6}
    times = [2, 4, 6, 8, 10]
    data = synthetic_data(scenario, truth, "population", times, 15.0, 2, tmp_path / "obs.csv")
    return scenario, data


def _calibrate(capsys, scenario: Path, data: Path, out: Path, *extra: str):
    code = main(["calibrate", str(scenario), "--data", str(data), "--out", str(out), *extra])
    return code, capsys.readouterr()


def _match(capsys, out: Path, *extra: str):
    args = ["batch", str(UNCERTAINTY), "--condition-on", str(OBSERVATIONS), "--out", str(out)]
    code = main([*args, "--no-progress", *extra])
    return code, capsys.readouterr()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_calibrate_writes_a_calibrated_scenario_and_json(tmp_path: Path, capsys) -> None:
    scenario, data = _setup(tmp_path)
    out = tmp_path / "results"
    code, captured = _calibrate(
        capsys, scenario, data, out, "--fit", "growth_rate", "--profile", "--json"
    )
    assert code == 0
    estimate = json.loads(captured.out)["estimates"]["growth_rate"]
    assert estimate["low"] <= 0.6 <= estimate["high"]
    assert estimate["profile"][0] <= 0.6 <= estimate["profile"][1]
    folder = Path(captured.err.strip().removeprefix("results: "))
    assert folder.parent == out / "base"
    expected = {"calibrated.toml", "calibration.json", "observations.csv", "manifest.json"}
    assert expected | {"figures/fit.png"} <= _files(folder)
    calibrated = load_scenario(folder / "calibrated.toml")
    assert calibrated.parameters["growth_rate"] == estimate["value"]
    text = (folder / "calibrated.toml").read_text()
    assert "# chi-square" in text and "MAPE" in text and "Theil" in text


def test_calibrate_prints_a_table(tmp_path: Path, capsys) -> None:
    scenario, data = _setup(tmp_path)
    code, captured = _calibrate(
        capsys, scenario, data, tmp_path / "r", "--fit", "growth_rate", "--no-figures"
    )
    assert code == 0
    assert "growth_rate" in captured.out and "MAPE" in captured.out and "U^C" in captured.out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--fit", "growth_rat"],
            "--fit: no constant named 'growth_rat' in model 'logistic'; "
            "did you mean 'growth_rate'?",
        ),
        (
            ["--fit", "growth_rate", "--profile", "carrying_capacity"],
            "--profile: 'carrying_capacity' is not one of the fitted constants",
        ),
    ],
)
def test_calibrate_errors_are_one_line_with_status_2(tmp_path, capsys, extra, message) -> None:
    scenario, data = _setup(tmp_path)
    code, captured = _calibrate(capsys, scenario, data, tmp_path / "r", *extra)
    assert code == 2
    assert captured.err == f"sim calibrate: error: {message}\n"
    assert not (tmp_path / "r").exists()


def test_a_bad_observations_file_names_its_line(tmp_path: Path, capsys) -> None:
    scenario, data = _setup(tmp_path)
    data.write_text("variable,year,value,sd,source\npopulaton,3,10,1,x\n")
    code, captured = _calibrate(capsys, scenario, data, tmp_path / "r", "--fit", "growth_rate")
    assert code == 2
    assert f"{data}: line 2, variable: no variable named 'populaton'" in captured.err
    assert "did you mean 'population'?" in captured.err


def test_batch_condition_on_writes_prior_and_posterior(tmp_path: Path, capsys) -> None:
    code, captured = _match(
        capsys, tmp_path, "--samples", "2000", "--seed", "1", "--min-kept", "100", "--json"
    )
    assert code == 0
    data = json.loads(captured.out)
    assert data["samples"] == 2000 and data["cutoff"] == 3.0
    assert 100 <= data["kept"] < 2000
    assert data["effective_sample_size"] == data["kept"]
    entry = data["targets"]["nurses_per_1000"]
    assert entry["prior_low"] <= entry["prior_p"] <= entry["prior_high"]
    assert entry["posterior_low"] <= entry["posterior_p"] <= entry["posterior_high"]
    assert data["observations"][0]["observation"] == "resident_population 2020"
    assert set(data["parameters"]["out_migration_rate"]) == {"prior", "kept"}
    folder = Path(captured.err.strip().splitlines()[-1].removeprefix("results: "))
    tables = {"summary.json", "targets.csv", "parameters.csv", "observations.csv"}
    figures = {f"figures/{name}.png" for name in ("probabilities", "marginals", "observations")}
    assert tables | figures | {"manifest.json"} <= _files(folder)
    roles = {i["role"] for i in json.loads((folder / "manifest.json").read_text())["inputs"]}
    assert {"scenario", "model", "observations", "targets"} <= roles


def test_batch_condition_on_says_when_too_few_runs_are_kept(tmp_path: Path, capsys) -> None:
    code, captured = _match(capsys, tmp_path, "--samples", "300", "--no-figures")
    assert code == 0
    assert "too few runs kept" in captured.out and "< --min-kept 1,000" in captured.out
    assert "Widen the [uncertain] ranges or the observations' discrepancy" in captured.out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--cutoff", "x"], "--cutoff: not a number: 'x'"),
        (["--cutoff", "-1"], "--cutoff: must be a positive number, got -1"),
        (["--min-kept", "0"], "--min-kept: must be at least 1, got 0"),
        (["--records"], "--records: not available with --condition-on"),
    ],
)
def test_batch_condition_on_bad_options(tmp_path: Path, capsys, extra, message) -> None:
    code, captured = _match(capsys, tmp_path / "r", "--samples", "100", *extra)
    assert code == 2
    assert captured.err == f"sim batch: error: {message}\n"
    assert not (tmp_path / "r").exists()
